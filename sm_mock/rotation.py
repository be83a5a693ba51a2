"""Rotation: Lambda stand-ins, the four-step protocol, and schedules that fire as time moves.

A test registers the Python function it deploys as a rotation Lambda with
``sm.register_lambda(function_arn, handler)``. RotateSecret then calls it in-process, unchanged,
as ``handler(event, context)`` for createSecret, setSecret, testSecret and finishSecret
(SPEC H12, H13). The handler talks back to the mock through boto3 (SPEC H14), so **no lock is
held while it runs** (DESIGN.md principle 8): the state is prepared under the region store's
lock, the lock is released, the handler runs, and the outcome is checked under the lock again.

What the real, asynchronous service would only show in CloudTrail is recorded on
``sm.rotations``: :attr:`Rotations.history` (the events of SPEC S6, with the failing step and
the exception), :attr:`Rotations.invocations` (every handler call) and
:attr:`Rotations.failures`. The RotateSecret caller gets the success answer either way
(SPEC H10, H17).

Schedules are lazy like the rest of the lifecycle (DESIGN.md principle 5): each
rotation-enabled secret has one entry in a min-heap keyed by the start of its next window, and
:meth:`Rotations.run_due` (called once at the start of every request) pops what is due and
rotates it: O(1) when nothing is due, no background threads.
"""

from __future__ import annotations

import functools
import heapq
import hmac
import inspect
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from .clock import to_milliseconds
from .errors import AwsError, access_denied, invalid_parameter, invalid_request
from .model import labels
from .model.rotation import configure, pending_rotation
from .model.secret import AWSCURRENT, AWSPENDING, RotationState, Secret, SecretVersion
from .model.store import RegionStore

if TYPE_CHECKING:
    from .clock import Clock
    from .ids import IdSource
    from .limits import Limits
    from .model.backend import Backend
    from .model.schedule import RotationSchedule

__all__ = [
    "DEFAULT_RETRIES",
    "STEPS",
    "Invocation",
    "LambdaContext",
    "LambdaHandler",
    "RotationJob",
    "RotationRecord",
    "Rotations",
]

logger = logging.getLogger("sm_mock")

#: ``handler(event, context)``: the signature of a Python Lambda handler.
LambdaHandler = Callable[[dict[str, Any], Any], Any]

#: SPEC H12, H13: the four steps, in camelCase, in this order.
STEPS: Final = ("createSecret", "setSecret", "testSecret", "finishSecret")

#: SPEC H17 (AMBIGUOUS: "the service retries the whole rotation several times"; mock:
#: configurable, default 1): how many more times a failed rotation is attempted, with the same
#: ClientRequestToken, before it is left as failed. Change per mock with
#: ``sm.rotations.retries = 0``.
DEFAULT_RETRIES: Final = 1

#: The context object's limits: the memory and timeout of a typical rotation function.
LAMBDA_MEMORY_MB: Final = "128"
LAMBDA_TIMEOUT_MS: Final = 30_000

#: Events recorded in :attr:`Rotations.history` (SPEC S6 names, plus RotationCancelled for
#: CancelRotateSecret interrupting a running rotation, SPEC H27).
ROTATION_STARTED: Final = "RotationStarted"
ROTATION_SUCCEEDED: Final = "RotationSucceeded"
ROTATION_FAILED: Final = "RotationFailed"
ROTATION_ABANDONED: Final = "RotationAbandoned"
ROTATION_CANCELLED: Final = "RotationCancelled"
TEST_ROTATION_STARTED: Final = "TestRotationStarted"
TEST_ROTATION_SUCCEEDED: Final = "TestRotationSucceeded"
TEST_ROTATION_FAILED: Final = "TestRotationFailed"
_FAILED_EVENTS: Final = frozenset({ROTATION_FAILED, TEST_ROTATION_FAILED})

#: Recorded texts (SM-040, SM-041, confidence A).
_NO_LAMBDA: Final = "No Lambda rotation function ARN is associated with this secret."
_CANNOT_INVOKE: Final = (
    "Secrets Manager cannot invoke the specified Lambda function. Ensure that the function "
    "policy grants access to the principal secretsmanager.amazonaws.com."
)


# ---------------------------------------------------------------------------------------------
# What the handler receives
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class LambdaContext:
    """The ``context`` argument, with the attributes of the Python Lambda runtime's object.

    As in the real runtime, ``memory_limit_in_mb`` is a string.
    """

    function_name: str
    function_version: str
    invoked_function_arn: str
    memory_limit_in_mb: str
    aws_request_id: str
    log_group_name: str
    log_stream_name: str
    #: Epoch milliseconds at which the invocation would time out.
    deadline_ms: int
    identity: Any = None
    client_context: Any = None

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the (notional) timeout; never negative."""
        return max(0, self.deadline_ms - int(time.time() * 1000))


def _function_name_and_version(function_arn: str) -> tuple[str, str]:
    # arn:aws:lambda:<region>:<account>:function:<name>[:<version or alias>]
    parts = function_arn.split(":")
    if len(parts) >= 7 and parts[5] == "function":
        qualifier = parts[7] if len(parts) > 7 else ""
        return parts[6], qualifier if qualifier.isdigit() else "$LATEST"
    return function_arn, "$LATEST"


# ---------------------------------------------------------------------------------------------
# What the test can inspect
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Invocation:
    """One call of a rotation function (one step)."""

    function_arn: str
    step: str
    secret_arn: str
    #: The event's ClientRequestToken: the id of the version being rotated in.
    version_id: str
    at: datetime
    #: What the handler raised, or None when it returned.
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        """True when the handler returned normally."""
        return self.error is None


@dataclass(frozen=True, slots=True)
class RotationRecord:
    """One rotation event, named as CloudTrail names it (SPEC S6)."""

    event: str
    secret_arn: str
    version_id: str | None
    at: datetime
    #: What caused it: "RotateSecret" (a call), "schedule" (a window that opened as the clock
    #: moved), or the operation that abandoned or cancelled it ("PutSecretValue",
    #: "UpdateSecret", "CancelRotateSecret").
    trigger: str
    attempt: int = 1
    #: For failures: the step that raised, or finishSecret when AWSCURRENT did not move.
    step: str | None = None
    error: BaseException | None = None
    message: str | None = None

    @property
    def failed(self) -> bool:
        """True for RotationFailed and TestRotationFailed."""
        return self.event in _FAILED_EVENTS


@dataclass(slots=True, eq=False)
class RotationJob:
    """A rotation prepared under the store lock, to be run by :meth:`Rotations.execute`."""

    secret: Secret
    store: RegionStore
    token: str
    rotation_token: str
    function_arn: str
    handler: LambdaHandler
    trigger: str
    #: SPEC H21: RotateImmediately=false only runs testSecret on a temporary version.
    test: bool = False


# ---------------------------------------------------------------------------------------------
# Derived state
# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# The registry, the runner and the scheduler of one mock
# ---------------------------------------------------------------------------------------------


class Rotations:
    """Rotation functions, rotation runs and the rotation schedule of one mock (``sm.rotations``).

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
    ) -> None:
        #: Function ARN → handler (see :meth:`register`); the mock's own dictionary, so
        #: functions registered before an activation serve it.
        self.lambdas: dict[str, LambdaHandler] = lambdas if lambdas is not None else {}
        self._ids = ids
        self._clock = clock
        self._limits = limits
        self._backend = backend
        #: SPEC H17: extra attempts after a failed rotation (:data:`DEFAULT_RETRIES`).
        self.retries: int = DEFAULT_RETRIES
        self._history: list[RotationRecord] = []
        self._invocations: list[Invocation] = []
        self._lock = threading.Lock()
        #: (window start, tie-breaker, secret, generation): the next due rotation first.
        self._heap: list[tuple[datetime, int, Secret, int]] = []
        self._seq = itertools.count()
        self._local = threading.local()

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
        """Every rotation event so far, oldest first."""
        with self._lock:
            return list(self._history)

    @property
    def invocations(self) -> list[Invocation]:
        """Every call of a rotation function so far, oldest first."""
        with self._lock:
            return list(self._invocations)

    @property
    def failures(self) -> list[RotationRecord]:
        """The RotationFailed and TestRotationFailed events: step, secret, token, exception."""
        with self._lock:
            return [record for record in self._history if record.failed]

    def assert_no_failures(self) -> None:
        """Fail a test loudly if any rotation failed (the RotateSecret caller never sees it)."""
        failures = self.failures
        if failures:
            lines = [f"{r.event} {r.secret_arn} version {r.version_id} in {r.step}: {r.message}" for r in failures]
            raise AssertionError(f"{len(failures)} rotation failure(s):\n  " + "\n  ".join(lines)) from failures[
                0
            ].error

    def _record(self, record: RotationRecord) -> None:
        with self._lock:
            self._history.append(record)

    # ---- RotateSecret -------------------------------------------------------------------
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
    ) -> Callable[[], None] | None:
        """:meth:`prepare` a rotation; returns what runs it (:meth:`execute`), to be called with
        no lock held, or None when nothing runs (the model's :class:`RotationHooks`)."""
        job = self.prepare(
            store, secret, token=token, lambda_arn=lambda_arn, rules=rules, immediately=immediately, now=now
        )
        return None if job is None else functools.partial(self.execute, job)

    def prepare(
        self,
        store: RegionStore,
        secret: Secret,
        *,
        token: str,
        lambda_arn: str | None,
        rules: RotationSchedule | None,
        immediately: bool,
        now: datetime,
    ) -> RotationJob | None:
        """Validate a RotateSecret call, save its configuration and set up the rotation.

        Call with ``store.lock`` held; run the returned job with :meth:`execute` after
        releasing it. Returns None when there is nothing to run. Every check comes before
        the first change, so a refused call persists nothing (SM-040, SM-041).
        """
        rotation = secret.rotation
        if secret.owning_service is not None:
            self._prepare_managed(secret, lambda_arn, rules, now)
            return None
        function_arn = lambda_arn or (rotation.lambda_arn if rotation is not None else None)
        if function_arn is None:
            raise invalid_request(_NO_LAMBDA)  # SPEC H9, SM-040
        handler = self.lambdas.get(function_arn)
        if handler is None:
            # SM-041: the recorded text, which can't mention sm_mock; the log says what to do.
            logger.warning(
                "sm_mock: no rotation function is registered as %s; register the handler with "
                "sm.register_lambda(%r, handler) before calling RotateSecret",
                function_arn,
                function_arn,
            )
            raise access_denied(_CANNOT_INVOKE)
        current = secret.current
        if current is None:
            raise invalid_request(
                f"Secret {secret.name} has no value to rotate yet (no version has the staging "
                "label AWSCURRENT). Put a first value with PutSecretValue, then call RotateSecret."
            )
        if rotation is not None and rotation.running is not None:
            raise invalid_request(
                f"A rotation of secret {secret.name} is running right now (version "
                f"{rotation.running}). Wait for it to finish; a rotation function can't start "
                "another rotation of the secret it is rotating."
            )
        in_progress = pending_rotation(secret)
        if in_progress is not None and (in_progress != token or not immediately):
            raise _in_progress(secret, in_progress)  # SPEC H18
        if token in secret.versions and token != in_progress:
            # SPEC E7: a retried RotateSecret whose rotation already ran starts nothing new. The
            # configuration the call carries is still saved (H9, H24): a reused token must not
            # answer success and drop new rules, a new function, or the switch back on.
            if (
                rotation is None
                or not rotation.enabled
                or rotation.lambda_arn != function_arn
                or (rules is not None and rules != rotation.rules)
            ):
                configure(secret, function_arn, rules, now)
                self._reschedule(secret)
            return None
        if token not in secret.versions:
            if immediately:
                # SPEC H11: the empty AWSPENDING placeholder, id = token, exists (and shows in
                # DescribeSecret) before the Lambda is first called (SM-127).
                version = SecretVersion(token, now, None)
            else:
                # SPEC H21 / SM-128: the test runs on a temporary AWSPENDING version that holds
                # a copy of the current value; it is removed afterwards.
                try:
                    value = RegionStore.read(secret, current)
                    version = store.new_version(secret, token, value, current.binary, now)
                except AwsError as error:
                    # SPEC F12: RotateSecret itself makes no KMS call. A key that cannot copy the
                    # value fails the test run (TestRotationFailed, SPEC H17, H21), not the call.
                    configure(secret, function_arn, rules, now)
                    self._record(
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
            labels.add_version(secret, version, [AWSPENDING], now, self._limits)
        # Everything is valid: save the configuration (SPEC H9, H24).
        configure(secret, function_arn, rules, now)
        return self._begin(store, secret, token, function_arn, handler, "RotateSecret", now, test=not immediately)

    def _prepare_managed(
        self, secret: Secret, lambda_arn: str | None, rules: RotationSchedule | None, now: datetime
    ) -> None:
        # SPEC H30, R5: the owning service rotates its secrets; only the schedule can change.
        if lambda_arn:
            raise invalid_request(
                f"You can't set a rotation function for secret {secret.name}: it is managed by "
                f"{secret.owning_service}, which rotates it. Change only its schedule, with "
                "RotationRules and no RotationLambdaARN."
            )
        rotation = secret.rotation
        if rules is None and (rotation is None or rotation.rules is None):
            raise invalid_request(
                f"Secret {secret.name} is managed by {secret.owning_service}; give RotationRules "
                "to set its rotation schedule."
            )
        if rotation is None:
            rotation = secret.rotation = RotationState()
        if rules is not None:
            rotation.rules = rules
        rotation.enabled = True
        rotation.anchor = now
        secret.last_changed = now
        # The managed rotation itself is the owning service's job; sm_mock doesn't simulate it.
        self._reschedule(secret)

    def _begin(
        self,
        store: RegionStore,
        secret: Secret,
        token: str,
        function_arn: str,
        handler: LambdaHandler,
        trigger: str,
        now: datetime,
        *,
        test: bool,
    ) -> RotationJob:
        """Mark the rotation as running (store lock held)."""
        rotation = secret.rotation
        assert rotation is not None
        rotation.running = token
        # SPEC H12: 36-256 characters of [a-zA-Z0-9-]; a UUID4 string fits.
        rotation.rotation_token = self._ids.uuid()
        rotation.interrupted = None
        if not test:
            rotation.last_attempt = now
        rotation.generation += 1  # the running rotation replaces any scheduled one
        self._record(
            RotationRecord(TEST_ROTATION_STARTED if test else ROTATION_STARTED, secret.arn, token, now, trigger)
        )
        return RotationJob(secret, store, token, rotation.rotation_token, function_arn, handler, trigger, test)

    def execute(self, job: RotationJob) -> None:
        """Run a prepared rotation: the steps, the retries (SPEC H17), then the bookkeeping.

        Must be called with no lock held: the handler calls back into the mock (SPEC H14).
        """
        try:
            attempts = 1 if job.test else 1 + max(0, self.retries)
            for attempt in range(1, attempts + 1):
                if attempt > 1:
                    self._record(
                        RotationRecord(
                            ROTATION_STARTED,
                            job.secret.arn,
                            job.token,
                            self._clock.now(),
                            job.trigger,
                            attempt,
                        )
                    )
                if self._attempt(job, attempt) != ROTATION_FAILED:
                    break
        finally:
            self._finish(job)

    def _attempt(self, job: RotationJob, attempt: int) -> str:
        """One run of the steps; returns the event that ended it."""
        secret = job.secret
        for step in ("testSecret",) if job.test else STEPS:
            # SPEC H12: exactly these four keys; SecretId is the ARN.
            event: dict[str, Any] = {
                "Step": step,
                "SecretId": secret.arn,
                "ClientRequestToken": job.token,
                "RotationToken": job.rotation_token,
            }
            error: BaseException | None = None
            try:
                with self._user_code():
                    result = job.handler(event, self._context(job.function_arn))
                if inspect.isawaitable(result):
                    if inspect.iscoroutine(result):
                        result.close()
                    raise TypeError(
                        "the rotation handler returned an awaitable; Lambda calls Python "
                        "handlers synchronously, so make it a plain function"
                    )
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:  # whatever the user's code raises is recorded
                error = exc
            at = self._clock.now()
            with self._lock:
                self._invocations.append(Invocation(job.function_arn, step, secret.arn, job.token, at, error))
            stopped = self._interruption(job)
            if stopped is not None:
                if stopped == ROTATION_FAILED:
                    self._fail(job, attempt, step, error, "The secret was deleted while it rotated.")
                return stopped
            if error is not None:
                self._fail(job, attempt, step, error, f"{type(error).__name__}: {error}")
                return ROTATION_FAILED
        return self._complete(job, attempt)

    @contextmanager
    def _user_code(self) -> Iterator[None]:
        # While a handler runs on this thread, its own requests don't start scheduled rotations.
        self._local.depth = getattr(self._local, "depth", 0) + 1
        try:
            yield
        finally:
            self._local.depth -= 1

    def _context(self, function_arn: str) -> LambdaContext:
        name, version = _function_name_and_version(function_arn)
        request_id = self._ids.uuid()
        day = self._clock.now().strftime("%Y/%m/%d")
        return LambdaContext(
            function_name=name,
            function_version=version,
            invoked_function_arn=function_arn,
            memory_limit_in_mb=LAMBDA_MEMORY_MB,
            aws_request_id=request_id,
            log_group_name=f"/aws/lambda/{name}",
            log_stream_name=f"{day}/[{version}]{request_id.replace('-', '')}",
            deadline_ms=int(time.time() * 1000) + LAMBDA_TIMEOUT_MS,
        )

    def _interruption(self, job: RotationJob) -> str | None:
        """Why the rotation must stop now: abandoned, cancelled, or its secret deleted."""
        secret = job.secret
        with job.store.lock:
            rotation = secret.rotation
            if rotation is not None and rotation.interrupted is not None:
                return rotation.interrupted
            if job.store.by_arn.get(secret.arn) is not secret or secret.deleted_at is not None:
                return ROTATION_FAILED
        return None

    def _fail(
        self,
        job: RotationJob,
        attempt: int,
        step: str,
        error: BaseException | None,
        message: str,
    ) -> None:
        # SPEC H17: the caller never sees it; the record and the log do.
        event = TEST_ROTATION_FAILED if job.test else ROTATION_FAILED
        self._record(
            RotationRecord(
                event, job.secret.arn, job.token, self._clock.now(), job.trigger, attempt, step, error, message
            )
        )
        logger.warning(
            "sm_mock: %s: %s, version %s, step %s (attempt %d): %s",
            event,
            job.secret.arn,
            job.token,
            step,
            attempt,
            message,
            exc_info=error,
        )

    def _complete(self, job: RotationJob, attempt: int) -> str:
        """After the last step: did the rotation do its job? (store lock taken here)."""
        secret = job.secret
        with job.store.lock:
            now = to_milliseconds(self._clock.now())
            if job.test:
                self._record(RotationRecord(TEST_ROTATION_SUCCEEDED, secret.arn, job.token, now, job.trigger, attempt))
                return TEST_ROTATION_SUCCEEDED
            current = secret.stages.get(AWSCURRENT)
            if current == job.token:
                if secret.stages.get(AWSPENDING) == job.token:
                    # SM-125: after a successful rotation the new version carries AWSCURRENT
                    # only; the service clears AWSPENDING that UpdateSecretVersionStage leaves
                    # on it (SM-100), so the next RotateSecret is not blocked (SPEC H16, H18).
                    labels.move_stage(secret, AWSPENDING, None, job.token, now, self._limits)
                assert secret.rotation is not None
                secret.rotation.last_rotated = now  # SPEC H16: the completion time
                self._record(RotationRecord(ROTATION_SUCCEEDED, secret.arn, job.token, now, job.trigger, attempt))
                return ROTATION_SUCCEEDED
        self._fail(
            job,
            attempt,
            "finishSecret",
            None,
            f"finishSecret returned, but AWSCURRENT is on version {current}, not on the new "
            f"version {job.token}. finishSecret must call UpdateSecretVersionStage("
            f"VersionStage='AWSCURRENT', MoveToVersionId='{job.token}', "
            f"RemoveFromVersionId='{current}').",
        )
        return ROTATION_FAILED

    def _finish(self, job: RotationJob) -> None:
        """Whatever happened: the rotation is no longer running; schedule the next one."""
        secret = job.secret
        with job.store.lock:
            rotation = secret.rotation
            if rotation is not None and rotation.running == job.token:
                rotation.running = None
                rotation.rotation_token = None
                rotation.interrupted = None
            if job.test:
                # SPEC H21: the temporary version goes away again; AWSCURRENT never moved.
                now = to_milliseconds(self._clock.now())
                if secret.stages.get(AWSPENDING) == job.token:
                    labels.move_stage(secret, AWSPENDING, None, job.token, now, self._limits)
                if job.token in secret.versions and not secret.labels_of(job.token):
                    del secret.versions[job.token]
            if rotation is not None:
                self._reschedule(secret)

    # ---- other operations' hooks -------------------------------------------------------
    def check_rotation_token(self, secret: Secret, token: str, rotation_token: str | None) -> None:
        """SPEC H15: a RotationToken on PutSecretValue must belong to the rotation in flight.

        A missing one is not checked (AMBIGUOUS; the seed 002 template never sends it).
        """
        if rotation_token is None:
            return
        rotation = secret.rotation
        expected = rotation.rotation_token if rotation is not None else None
        if (
            rotation is None
            or expected is None
            or rotation.running != token
            or not hmac.compare_digest(expected, rotation_token)
        ):
            raise invalid_parameter(
                f"The RotationToken doesn't belong to a rotation of version {token} of secret "
                f"{secret.name} that is in progress. Pass the event's RotationToken together with "
                "ClientRequestToken set to the event's ClientRequestToken, and only while the "
                "rotation function runs."
            )

    def after_write(
        self, secret: Secret, token: str, pending_before: str | None, now: datetime, operation: str
    ) -> None:
        """A value was written by PutSecretValue or UpdateSecret (store lock held).

        ``pending_before`` is :func:`pending_rotation` taken just before the write.

        * SPEC H19: a write whose token is not the pending version's abandons the rotation:
          AWSPENDING comes off the pending version (a write that took AWSCURRENT already
          dropped it, SM-094), a running rotation stops after its current step, and
          RotationAbandoned is recorded.
        * SPEC H23: while rotation is enabled, the write counts as a rotation for the schedule.
        """
        rotation = secret.rotation
        if rotation is None:
            return
        if pending_before is not None and pending_before != token:
            if secret.stages.get(AWSPENDING) == pending_before:
                labels.move_stage(secret, AWSPENDING, None, pending_before, now, self._limits)
            if rotation.running == pending_before:
                rotation.interrupted = ROTATION_ABANDONED
            self._record(
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
            self._reschedule(secret)

    # ---- CancelRotateSecret -------------------------------------------------------------
    def cancel(self, secret: Secret, now: datetime) -> str | None:
        """SPEC H27: turn rotation off, keep the configuration, stop a running rotation and
        leave every label where it is. Returns the version id of the rotation in progress.
        Call with the store lock held."""
        rotation = secret.rotation
        in_progress = pending_rotation(secret)
        if rotation is None:
            return in_progress
        rotation.enabled = False
        rotation.generation += 1  # drops the scheduled rotation
        running = rotation.running
        if running is not None:
            rotation.interrupted = ROTATION_CANCELLED
            self._record(
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
    def _reschedule(self, secret: Secret) -> None:
        """Replace the secret's heap entry (store lock held; lock order store → rotations)."""
        rotation = secret.rotation
        assert rotation is not None
        rotation.generation += 1
        if rotation.running is not None:
            return  # rescheduled when the running rotation finishes
        due = rotation.due_at()
        if due is None:
            return
        with self._lock:
            heapq.heappush(self._heap, (due, next(self._seq), secret, rotation.generation))

    def next_due(self) -> datetime | None:
        """The earliest window start on the heap (it may belong to a stale entry)."""
        with self._lock:
            return self._heap[0][0] if self._heap else None

    def run_due(self, now: datetime) -> None:
        """Rotate every secret whose next window has started (called once per request).

        O(1) when nothing is due. Missed windows collapse into one rotation now: the clock
        jumped past them, and the service would have rotated in the last one at the latest.
        """
        heap = self._heap
        if not heap or heap[0][0] > now:
            return
        if getattr(self._local, "depth", 0):
            return  # inside a rotation function: the outer request picks it up
        due: list[tuple[datetime, int, Secret, int]] = []
        with self._lock:
            while self._heap and self._heap[0][0] <= now:
                due.append(heapq.heappop(self._heap))
        for _start, _seq, secret, generation in due:
            try:
                self._fire(secret, generation, now)
            except Exception:  # a bug in sm_mock must not fail the unrelated request
                logger.exception("sm_mock: scheduled rotation of %s failed internally", secret.arn)

    def _fire(self, secret: Secret, generation: int, now: datetime) -> None:
        store = self._backend.store(secret.account_id, secret.region)
        with store.lock:
            rotation = secret.rotation
            if rotation is None or rotation.generation != generation or not rotation.enabled:
                return  # stale entry
            if store.by_arn.get(secret.arn) is not secret:
                return  # purged
            handler = self.lambdas.get(rotation.lambda_arn or "")
            if handler is None or secret.deleted_at is not None or secret.current is None:
                # Nothing the mock can run now (managed secret, deletion scheduled, no value):
                # skip this window and look again at the next one.
                rotation.last_attempt = now
                self._reschedule(secret)
                return
            assert rotation.lambda_arn is not None
            # A rotation left in progress is reattempted with its own token (SPEC H17, H18).
            token = pending_rotation(secret) or self._ids.uuid()
            if token not in secret.versions:
                try:
                    labels.add_version(secret, SecretVersion(token, now, None), [AWSPENDING], now, self._limits)
                except AwsError as exc:
                    self._record(
                        RotationRecord(
                            ROTATION_FAILED, secret.arn, token, now, "schedule", error=exc, message=exc.message
                        )
                    )
                    rotation.last_attempt = now
                    self._reschedule(secret)
                    return
                secret.last_changed = now
            job = self._begin(store, secret, token, rotation.lambda_arn, handler, "schedule", now, test=False)
        self.execute(job)


def _in_progress(secret: Secret, pending: str) -> AwsError:
    # SPEC H18 (code AMBIGUOUS; recommendation InvalidRequestException).
    return invalid_request(
        f"A previous rotation isn't complete: version {pending} of secret {secret.name} still has "
        "the staging label AWSPENDING. To retry that rotation, call RotateSecret with "
        f"ClientRequestToken='{pending}'. To discard it, remove the label with "
        f"UpdateSecretVersionStage(SecretId='{secret.name}', VersionStage='AWSPENDING', "
        f"RemoveFromVersionId='{pending}') and call RotateSecret again."
    )
