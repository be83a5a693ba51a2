"""Rotation: Lambda stand-ins, the four-step protocol, and schedules that fire as time moves.

A test registers the Python function it deploys as a rotation Lambda with
``sm.register_lambda(function_arn, handler)``. RotateSecret then calls it in-process, unchanged,
as ``handler(event, context)`` for createSecret, setSecret, testSecret and finishSecret
(SPEC H12, H13). The package has three parts:

* :mod:`.records`: what the function receives and what a test inspects (``sm.rotations``:
  :attr:`Rotations.history`, :attr:`Rotations.invocations`, :attr:`Rotations.failures`);
* :mod:`.runner`: runs a prepared rotation with no lock held (SPEC H14), with AWS's retries;
* :mod:`.scheduler`: the schedules, fired lazily when a request arrives (SPEC H7, H23).

The rules of the secret's rotation state (what RotateSecret checks, what a write or a
cancellation does to a rotation in flight) are the model's: :mod:`sm_mock.model.rotation`.
:class:`Rotations` ties the three parts together for one session and is what the domain API
calls (its :class:`~sm_mock.model.service.RotationHooks`).
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from ..clock import Clock
from ..errors import AwsError
from ..ids import IdSource
from ..limits import Limits
from ..model import rotation as state
from ..model.backend import Backend
from ..model.rotation import ROTATION_ABANDONED, ROTATION_CANCELLED, TEST_ROTATION_FAILED
from ..model.secret import Secret
from ..model.store import RegionStore
from .external import ExternalHandler, ExternalRotationRequest, ExternalRotations
from .records import (
    DEFAULT_RETRIES,
    STEPS,
    History,
    Invocation,
    LambdaContext,
    LambdaHandler,
    RotationJob,
    RotationRecord,
)
from .runner import Runner
from .scheduler import Scheduler

if TYPE_CHECKING:
    from ..model.schedule import RotationSchedule

__all__ = [
    "DEFAULT_RETRIES",
    "STEPS",
    "ExternalHandler",
    "ExternalRotationRequest",
    "Invocation",
    "LambdaContext",
    "LambdaHandler",
    "RotationJob",
    "RotationRecord",
    "Rotations",
]

logger = logging.getLogger("sm_mock")


class Rotations:
    """Rotation functions, rotation runs and the rotation schedule of one session
    (``sm.rotations``).

    Inspect :attr:`history`, :attr:`invocations` and :attr:`failures`; set :attr:`retries`.
    """

    def __init__(
        self,
        lambdas: dict[str, LambdaHandler] | None = None,
        *,
        ids: IdSource,
        clock: Clock,
        limits: Limits,
        backend: Backend,
        external_handlers: dict[str, ExternalHandler] | None = None,
    ) -> None:
        #: Function ARN → handler (see :meth:`register`); the mock's own dictionary, so
        #: functions registered before an activation serve it.
        self.lambdas: dict[str, LambdaHandler] = lambdas if lambdas is not None else {}
        self._lock = threading.Lock()
        self._history = History()
        self._unregistered: list[str] = []
        #: True once the test read the failures or the history (see :meth:`unexamined_report`).
        self._examined = False
        self._runner = Runner(self._history, ids=ids, clock=clock, limits=limits)
        #: Partner stand-ins for managed external secrets (by Type), and their rotators; the
        #: session attaches the domain API they write through (``external.service``).
        self.external = ExternalRotations(clock, external_handlers)
        #: The due-heap (the pipeline asks it once per request, :meth:`Scheduler.run_due`).
        self.scheduler = Scheduler(
            self._history,
            backend=backend,
            lambdas=self.lambdas,
            ids=ids,
            limits=limits,
            runner=self._runner,
            external=self.external,
        )
        self._runner.scheduler = self.scheduler
        self._limits = limits

    @property
    def retries(self) -> int:
        """SPEC H17: extra attempts after a failed rotation (default :data:`DEFAULT_RETRIES`)."""
        return self._runner.retries

    @retries.setter
    def retries(self, value: int) -> None:
        self._runner.retries = value

    def __repr__(self) -> str:
        return f"Rotations({len(self.lambdas)} functions, {len(self._history)} events, {len(self.failures)} failures)"

    # ---- registry -----------------------------------------------------------------------
    def register(self, function_arn: str, handler: LambdaHandler) -> None:
        """Register ``handler(event, context)`` as the Lambda function ``function_arn``."""
        if not callable(handler):
            raise TypeError(
                f"the rotation handler for {function_arn!r} must be callable as "
                f"handler(event, context), not {type(handler).__name__}"
            )
        with self._lock:
            self.lambdas[function_arn] = handler

    # ---- inspection ---------------------------------------------------------------------
    @property
    def history(self) -> list[RotationRecord]:
        """Every rotation event so far, oldest first (reading it counts as examining them)."""
        self._examined = True
        return self._history.records

    @property
    def invocations(self) -> list[Invocation]:
        """Every call of a rotation function so far, oldest first."""
        return self._history.invocations

    @property
    def failures(self) -> list[RotationRecord]:
        """The RotationFailed and TestRotationFailed events: step, secret, token, exception
        (reading them counts as examining them)."""
        self._examined = True
        return [record for record in self._history.records if record.failed]

    @property
    def unregistered(self) -> list[str]:
        """Function ARNs RotateSecret named that no handler was registered under (AWS answered
        AccessDeniedException, SM-041)."""
        self._examined = True
        return list(self._unregistered)

    def unexamined_report(self) -> str | None:
        """What went wrong in rotation that the test never looked at, readably; None if nothing.

        Failed rotations and unregistered functions answer as AWS does (success, or
        AccessDeniedException), so a test that does not look misses them: the pytest fixture
        fails the test with this report, and a mock stopped outside pytest warns with it.
        """
        if self._examined:
            return None
        failures = [record for record in self._history.records if record.failed]
        if not failures and not self._unregistered:
            return None
        lines = []
        for record in failures:
            error = f"{type(record.error).__name__}: {record.error}" if record.error is not None else record.message
            lines.append(
                f"{record.event}: secret {record.secret_arn}, version {record.version_id}, step {record.step} "
                f"(attempt {record.attempt}): {error}"
            )
        for arn in self._unregistered:
            lines.append(
                f"RotateSecret named {arn}, but no handler is registered under it (AWS answered "
                f"AccessDeniedException). Register it with sm.register_lambda({arn!r}, handler)."
            )
        return (
            f"{len(lines)} rotation problem(s) the test did not look at:\n  "
            + "\n  ".join(lines)
            + "\nRotateSecret answers success even when the function fails (as AWS does). Look at "
            "sm.rotations.failures (or call sm.rotations.assert_no_failures()) in the test, or mark it "
            "@pytest.mark.sm_mock(expect_rotation_failures=True) when the failures are expected."
        )

    def assert_no_failures(self) -> None:
        """Fail a test loudly if any rotation failed (the RotateSecret caller never sees it)."""
        failures = self.failures
        if failures:
            lines = [f"{r.event} {r.secret_arn} version {r.version_id} in {r.step}: {r.message}" for r in failures]
            raise AssertionError(f"{len(failures)} rotation failure(s):\n  " + "\n  ".join(lines)) from failures[
                0
            ].error

    # ---- RotateSecret (the domain API's RotationHooks) ---------------------------------------
    def start(
        self,
        store: RegionStore,
        secret: Secret,
        *,
        token: str,
        lambda_arn: str | None,
        rules: RotationSchedule | None,
        immediately: bool,
        now: datetime,
        external_role_arn: str | None = None,
        external_metadata: Sequence[tuple[str, str]] | None = None,
    ) -> Callable[[], None] | None:
        """Validate a RotateSecret call, save its configuration and set up the rotation.

        Call with ``store.lock`` held. Returns what runs the rotation, to be called after
        releasing it, or None when there is nothing to run. Every check comes before the first
        change, so a refused call persists nothing (SM-040, SM-041).
        """
        state.check_external(secret, lambda_arn, external_role_arn, external_metadata)
        if state.is_external(secret):
            return self._start_external(
                store, secret, token, rules, immediately, now, external_role_arn, external_metadata
            )
        if secret.owning_service is not None:
            state.configure_managed(secret, lambda_arn, rules, now)
            # The managed rotation itself is the owning service's job; sm_mock doesn't simulate it.
            self.scheduler.reschedule(secret)
            return None
        function_arn = state.function_arn_for(secret, lambda_arn)  # SPEC H9, SM-040
        handler = self.lambdas.get(function_arn)
        if handler is None:
            # SM-041: the recorded text, which can't mention sm_mock; the log says what to do.
            logger.warning(
                "sm_mock: no rotation function is registered as %s; register the handler with "
                "sm.register_lambda(%r, handler) before calling RotateSecret",
                function_arn,
                function_arn,
            )
            self._unregistered.append(function_arn)
            raise state.unknown_function()
        state.check_startable(secret, token, immediately)
        if token in secret.versions and token != state.pending_rotation(secret):
            # SPEC E7: a retried RotateSecret whose rotation already ran starts nothing new. The
            # configuration the call carries is still saved (H9, H24): a reused token must not
            # answer success and drop new rules, a new function, or the switch back on.
            if state.needs_saving(secret, function_arn, rules):
                state.configure(secret, function_arn, rules, now)
                self.scheduler.reschedule(secret)
            return None
        if token not in secret.versions:
            try:
                version = state.pending_version(store, secret, token, immediately, now)
            except AwsError as error:
                # SPEC F12: RotateSecret itself makes no KMS call. A key that cannot copy the
                # value fails the test run (TestRotationFailed, SPEC H17, H21), not the call.
                state.configure(secret, function_arn, rules, now)
                self._history.record(
                    RotationRecord(
                        TEST_ROTATION_FAILED,
                        secret.arn,
                        token,
                        now,
                        "RotateSecret",
                        1,
                        "createSecret",
                        error,
                        f"The test rotation could not copy the current value: {error.message}",
                    )
                )
                return None
            state.add_pending(secret, version, now, self._limits)
        # Everything is valid: save the configuration (SPEC H9, H24).
        state.configure(secret, function_arn, rules, now)
        job = self._runner.begin(store, secret, token, function_arn, handler, "RotateSecret", now, test=not immediately)
        return functools.partial(self._runner.execute, job)

    def _start_external(
        self,
        store: RegionStore,
        secret: Secret,
        token: str,
        rules: RotationSchedule | None,
        immediately: bool,
        now: datetime,
        role_arn: str | None,
        metadata: Sequence[tuple[str, str]] | None,
    ) -> Callable[[], None] | None:
        """RotateSecret of a managed external secret: the partner (the handler registered for
        its Type) makes the new value; no Lambda (choices.EXTERNAL_ROTATION)."""
        state.check_startable(secret, token, immediately)
        if token in secret.versions and token != state.pending_rotation(secret):
            state.configure_external(secret, role_arn, metadata, rules, now)  # SPEC E7: saved, nothing runs
            self.scheduler.reschedule(secret)
            return None
        if token not in secret.versions:
            version = state.pending_version(store, secret, token, immediately, now)
            state.add_pending(secret, version, now, self._limits)
        state.configure_external(secret, role_arn, metadata, rules, now)
        rotation = secret.rotation
        assert rotation is not None and rotation.external_role_arn is not None
        job = self._runner.begin(
            store,
            secret,
            token,
            rotation.external_role_arn,
            self.external.rotator(secret),
            "RotateSecret",
            now,
            test=not immediately,
        )
        return functools.partial(self._runner.execute, job)

    # ---- other operations' hooks -------------------------------------------------------
    def check_rotation_token(self, secret: Secret, token: str, rotation_token: str | None) -> None:
        """SPEC H15: a RotationToken on PutSecretValue must belong to the rotation in flight."""
        state.check_rotation_token(secret, token, rotation_token)

    def after_write(
        self, secret: Secret, token: str, pending_before: str | None, now: datetime, operation: str
    ) -> None:
        """A value was written by PutSecretValue or UpdateSecret (store lock held).

        ``pending_before`` is the rotation in progress just before the write. SPEC H19: a write
        with another token abandons it (RotationAbandoned is recorded). SPEC H23: while
        rotation is enabled, the write counts as a rotation for the schedule.
        """
        rotation = secret.rotation
        if rotation is None:
            return
        if state.abandon(secret, token, pending_before, now, self._limits):
            self._history.record(
                RotationRecord(
                    ROTATION_ABANDONED,
                    secret.arn,
                    pending_before,
                    now,
                    operation,
                    message=f"{operation} wrote version {token} during the rotation.",
                )
            )
        if rotation.enabled:
            rotation.anchor = now
            self.scheduler.reschedule(secret)

    def cancel(self, secret: Secret, now: datetime) -> str | None:
        """SPEC H27: turn rotation off and stop a running rotation (store lock held). Returns
        the version id of the rotation in progress."""
        running, in_progress = state.cancel(secret)
        if running is not None:
            self._history.record(
                RotationRecord(
                    ROTATION_CANCELLED,
                    secret.arn,
                    running,
                    now,
                    "CancelRotateSecret",
                    message="CancelRotateSecret stopped the rotation; its labels stay as they are.",
                )
            )
        return running or in_progress

    # ---- the schedule -------------------------------------------------------------------
    def next_due(self) -> datetime | None:
        """The earliest window start on the heap (it may belong to a stale entry)."""
        return self.scheduler.next_due()
