"""Retry back-off without waiting: botocore's retry sleeps are recorded, not slept.

While any mock is active, two places where botocore waits are intercepted:

* ``botocore.endpoint`` sleeps between attempts (``time.sleep(delay)`` in
  ``Endpoint._needs_retry``). All three retry modes go through it: ``legacy`` computes the
  delay in ``botocore.retryhandler``, ``standard`` and ``adaptive`` in
  ``botocore.retries.standard``. Only that module's ``time`` is swapped, for a proxy whose
  ``sleep`` records; nothing else in the process is touched.
* ``adaptive`` mode's client-side rate limiter (``botocore.retries.bucket.TokenBucket``)
  waits on a condition variable for tokens once it has seen throttling. Its ``_acquire`` is
  replaced by one that records the wait and grants the tokens the wait would have produced.
  This also prevents a hang under freezegun, where the limiter's clock never moves.

Only waits for requests sm_mock answers are intercepted (a Secrets Manager request; the
back-off after an attempt sm_mock answered): anything let through, or answered by another
mock, waits for real (:mod:`.guard` tells which). The innermost active mock decides, at each
sleep: by default the delay is appended to its
``sm.sleeps`` (a :class:`~sm_mock.sleeps.SleepLog`) and the call returns at once; with
``mock_secretsmanager(real_sleep=True)`` back-off delays are still recorded but really slept,
and the adaptive limiter behaves as botocore wrote it. Listeners added with
:meth:`SleepLog.on_sleep` see every delay, e.g. to move a frozen clock along.

Patching is reference-counted: the first activation installs, the last deactivation
restores the originals (nested mocks are safe).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from .. import session as sessions
from ..sleeps import BACKOFF, RATE_LIMIT
from . import inflight
from .hook import SERVICE

if TYPE_CHECKING:
    from ..calls import CallRecord
    from ..session import Session

__all__ = ["activate", "deactivate", "grant", "is_installed", "record"]


# ---- interception -------------------------------------------------------------------------
_lock = threading.Lock()
_depth = 0
_saved_time: Any = None
_saved_acquire: Any = None
_proxy: Any = None


def record(session: Session, seconds: float, kind: str, last: CallRecord | None = None) -> None:
    """Append a sleep to the session's log, with the attempt it follows (by default the
    thread's last one)."""
    session.sleeps.record(seconds, kind, last if last is not None else session.calls.last_in_thread())


class _EndpointTime:
    """Stands in for the ``time`` module inside ``botocore.endpoint`` only."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def sleep(self, seconds: float) -> None:
        session = sessions.active()
        if session is None or not inflight.answered():
            # Only the back-off after an answer of sm_mock's is the mock's to skip; a request
            # let through, or answered by another mock, waits as botocore wrote it.
            self._real.sleep(seconds)
            return
        record(session, seconds, BACKOFF)
        if session.real_sleep:
            self._real.sleep(seconds)


def _acquire(bucket: Any, amount: float, block: bool) -> bool:
    """``TokenBucket._acquire`` that records its wait instead of blocking (see the module)."""
    granted = grant(bucket, amount, block)
    return bool(_saved_acquire(bucket, amount, block)) if granted is None else granted


def grant(bucket: Any, amount: float, block: bool) -> bool | None:
    """Take ``amount`` tokens from an adaptive-mode bucket, recording the wait it would take
    instead of waiting; None when the bucket's own code must run (no mock, ``real_sleep``, or
    a request sm_mock does not serve). Shared by botocore's and aiobotocore's buckets."""
    session = sessions.active()
    if session is None or session.real_sleep or inflight.service() != SERVICE:
        return None
    bucket._refill()
    if bucket._current_capacity < 0:
        # Only a clock moved backwards (freezegun / time-machine travel into the past) makes
        # botocore's refill negative; left alone it would ask for a wait of years.
        bucket._current_capacity = 0
    if amount <= bucket._current_capacity:
        bucket._current_capacity -= amount
        return True
    if not block:
        from botocore.exceptions import CapacityNotAvailableError

        raise CapacityNotAvailableError()
    record(session, bucket._sleep_amount(amount), RATE_LIMIT)
    bucket._refill()  # a listener may have moved the clock
    # The wait would have produced exactly the missing tokens.
    bucket._current_capacity = max(bucket._current_capacity, amount) - amount
    return True


def activate() -> None:
    """Install the interception (reference-counted; called by ``SecretsManagerMock.start``)."""
    global _depth, _saved_time, _saved_acquire, _proxy
    with _lock:
        _depth += 1
        if _depth > 1:
            return
        import botocore.endpoint
        from botocore.retries import bucket

        _saved_time = botocore.endpoint.time
        _proxy = _EndpointTime(_saved_time)
        botocore.endpoint.time = _proxy
        acquire = getattr(bucket.TokenBucket, "_acquire", None)
        if acquire is not None and all(hasattr(bucket.TokenBucket, name) for name in ("_refill", "_sleep_amount")):
            _saved_acquire = acquire
            bucket.TokenBucket._acquire = _acquire


def deactivate() -> None:
    """Undo :func:`activate` once the last active mock stops."""
    global _depth, _saved_time, _saved_acquire, _proxy
    with _lock:
        if _depth == 0:
            return
        _depth -= 1
        if _depth > 0:
            return
        import botocore.endpoint
        from botocore.retries import bucket

        if botocore.endpoint.time is _proxy:  # leave a later patch by someone else alone
            botocore.endpoint.time = _saved_time
        if _saved_acquire is not None and bucket.TokenBucket.__dict__.get("_acquire") is _acquire:
            bucket.TokenBucket._acquire = _saved_acquire
        _saved_time = _saved_acquire = _proxy = None


def is_installed() -> bool:
    """True while the interception is in place."""
    return _depth > 0
