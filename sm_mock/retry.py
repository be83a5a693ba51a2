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

The innermost active mock decides, at each sleep: by default the delay is appended to its
``sm.sleeps`` (a :class:`SleepLog`) and the call returns at once; with
``mock_secretsmanager(real_sleep=True)`` back-off delays are still recorded but really slept,
and the adaptive limiter behaves as botocore wrote it. Listeners added with
:meth:`SleepLog.on_sleep` see every delay, e.g. to move a frozen clock along.

Patching is reference-counted: the first activation installs, the last deactivation
restores the originals (nested mocks are safe).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from .calls import CallRecord
    from .mock import SecretsManagerMock

__all__ = ["BACKOFF", "RATE_LIMIT", "SleepLog", "SleepRecord", "activate", "deactivate", "is_installed"]

#: A back-off delay between two attempts of one call.
BACKOFF: Final = "backoff"
#: A wait of adaptive mode's client-side rate limiter before sending.
RATE_LIMIT: Final = "rate_limit"


@dataclass(frozen=True, slots=True)
class SleepRecord:
    """One sleep botocore asked for while a mock was active."""

    seconds: float
    #: :data:`BACKOFF` or :data:`RATE_LIMIT`.
    kind: str
    #: The Secrets Manager attempt served last on the sleeping thread (for a back-off: the
    #: attempt that failed and is about to be retried), or None.
    operation: str | None = None
    attempt: int | None = None
    error_code: str | None = None


class SleepLog:
    """Sleeps botocore asked for (``sm.sleeps``): append-only and thread-safe."""

    def __init__(self) -> None:
        self._records: list[SleepRecord] = []
        self._listeners: list[Callable[[float], object]] = []
        self._lock = threading.Lock()

    def __iter__(self) -> Iterator[SleepRecord]:
        return iter(list(self._records))

    def __len__(self) -> int:
        return len(self._records)

    def __getitem__(self, index: int) -> SleepRecord:
        return self._records[index]

    def __repr__(self) -> str:
        return f"SleepLog({len(self._records)} sleeps, {self.total:.3f}s)"

    @property
    def delays(self) -> list[float]:
        """The back-off delays between attempts, in seconds, in order."""
        return [r.seconds for r in self._records if r.kind == BACKOFF]

    @property
    def total(self) -> float:
        """Seconds botocore would have slept (all kinds)."""
        return sum(r.seconds for r in self._records)

    def of(self, kind: str) -> list[SleepRecord]:
        """The records of one kind (:data:`BACKOFF` or :data:`RATE_LIMIT`)."""
        return [r for r in self._records if r.kind == kind]

    def on_sleep(self, listener: Callable[[float], object]) -> None:
        """Call ``listener(seconds)`` for every sleep, e.g. freezegun's ``frozen.tick`` or
        time-machine's ``traveller.shift``, so a frozen clock moves with the back-off and the
        rate quotas refill as they would in real time."""
        with self._lock:
            self._listeners.append(listener)

    def clear(self) -> None:
        """Forget every record (listeners stay)."""
        with self._lock:
            self._records.clear()

    def record(self, seconds: float, kind: str, last: CallRecord | None = None) -> None:
        """Add a record and notify the listeners (called by the interception)."""
        entry = SleepRecord(
            float(seconds),
            kind,
            last.operation if last is not None else None,
            last.attempt if last is not None else None,
            last.error_code if last is not None else None,
        )
        with self._lock:
            self._records.append(entry)
            listeners = list(self._listeners)
        for listener in listeners:
            listener(seconds)


# ---- interception -------------------------------------------------------------------------
_lock = threading.Lock()
_depth = 0
_saved_time: Any = None
_saved_acquire: Any = None
_proxy: Any = None


def _active() -> SecretsManagerMock | None:
    from .mock import active

    return active()


def _record(mock: SecretsManagerMock, seconds: float, kind: str) -> None:
    mock.sleeps.record(seconds, kind, mock.calls.last_in_thread())


class _EndpointTime:
    """Stands in for the ``time`` module inside ``botocore.endpoint`` only."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def sleep(self, seconds: float) -> None:
        mock = _active()
        if mock is None:
            self._real.sleep(seconds)
            return
        _record(mock, seconds, BACKOFF)
        if mock.real_sleep:
            self._real.sleep(seconds)


def _acquire(bucket: Any, amount: float, block: bool) -> bool:
    """``TokenBucket._acquire`` that records its wait instead of blocking (see the module)."""
    mock = _active()
    if mock is None or mock.real_sleep:
        return bool(_saved_acquire(bucket, amount, block))
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
    _record(mock, bucket._sleep_amount(amount), RATE_LIMIT)
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
        if acquire is not None and all(
            hasattr(bucket.TokenBucket, name) for name in ("_refill", "_sleep_amount")
        ):
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

