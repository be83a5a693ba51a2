"""Running a rotation: the user's function called step by step, with AWS's retries.

The function talks back to the mock through boto3 (SPEC H14), so **no lock is held while it
runs** (docs/design.md): the job was prepared under the region store's lock, and the outcome
is checked under the lock again after each step. What the real, asynchronous service would
only show in CloudTrail goes to the :class:`~sm_mock.rotation.records.History`; the caller of
RotateSecret gets the success answer either way (SPEC H10, H17).
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import os
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Protocol

from ..clock import Clock, to_milliseconds
from ..ids import IdSource
from ..limits import Limits
from ..model import rotation as state
from ..model.rotation import (
    ROTATION_FAILED,
    ROTATION_STARTED,
    ROTATION_SUCCEEDED,
    TEST_ROTATION_FAILED,
    TEST_ROTATION_STARTED,
    TEST_ROTATION_SUCCEEDED,
)
from ..model.secret import Secret
from ..model.store import RegionStore
from .records import (
    DEFAULT_RETRIES,
    LAMBDA_MEMORY_MB,
    LAMBDA_TIMEOUT_MS,
    STEPS,
    History,
    Invocation,
    LambdaContext,
    LambdaHandler,
    RotationJob,
    RotationRecord,
    function_name_and_version,
)

__all__ = ["ENDPOINT_VARIABLE", "Runner", "Scheduling", "refuse_awaitable"]


class Scheduling(Protocol):
    """What the runner needs of the scheduler (:class:`~sm_mock.rotation.scheduler.Scheduler`)."""

    def reschedule(self, secret: Secret) -> None:
        """Schedule the secret's next rotation (store lock held)."""


logger = logging.getLogger("sm_mock")


#: What the Lambda environment of a rotation function holds, as AWS's rotation templates read it:
#: ``boto3.client("secretsmanager", endpoint_url=os.environ["SECRETS_MANAGER_ENDPOINT"])``.
ENDPOINT_VARIABLE = "SECRETS_MANAGER_ENDPOINT"
_environment_lock = threading.Lock()
_environment_users = 0
_environment_set = False


@contextmanager
def _lambda_environment(region: str) -> Iterator[None]:
    """``SECRETS_MANAGER_ENDPOINT`` while a rotation function runs, unless the test set its own.

    The environment is the process's: rotations running at once in several threads share the
    value the first one set (each Lambda would have its own).
    """
    global _environment_users, _environment_set
    with _environment_lock:
        if _environment_users == 0 and ENDPOINT_VARIABLE not in os.environ:
            os.environ[ENDPOINT_VARIABLE] = f"https://secretsmanager.{region}.amazonaws.com"
            _environment_set = True
        _environment_users += 1
    try:
        yield
    finally:
        with _environment_lock:
            _environment_users -= 1
            if _environment_users == 0 and _environment_set:
                os.environ.pop(ENDPOINT_VARIABLE, None)
                _environment_set = False


def _without_frames(error: BaseException) -> BaseException:
    """``error`` as it is kept on ``sm.rotations``: its traceback as text (``error.sm_mock_traceback``,
    code lines only) and no frames, whose local variables hold the handler's values, plaintext
    included (docs/design.md: nothing reachable from a mock holds plaintext)."""
    seen: set[int] = set()
    current: BaseException | None = error
    text = "".join(traceback.format_exception(error))
    while current is not None and id(current) not in seen:  # the chain of causes, once each
        seen.add(id(current))
        current.__traceback__ = None
        current = current.__cause__ or current.__context__
    # An exception type with __slots__ can't take the text: it is dropped, not the error.
    with contextlib.suppress(AttributeError):
        error.sm_mock_traceback = text  # type: ignore[attr-defined]
    return error


def refuse_awaitable(result: object) -> None:
    """Raise TypeError when a rotation handler returned an awaitable (an ``async def`` handler):
    Lambda calls Python handlers synchronously, so its work would never run."""
    if inspect.isawaitable(result):
        if inspect.iscoroutine(result):
            result.close()  # never awaited: close it, so Python does not warn about it
        raise TypeError(
            "the rotation handler returned an awaitable; Lambda calls Python "
            "handlers synchronously, so make it a plain function"
        )


class Runner:
    """Runs prepared rotations (:class:`~sm_mock.rotation.records.RotationJob`) of one session."""

    def __init__(
        self,
        history: History,
        *,
        ids: IdSource,
        clock: Clock,
        limits: Limits,
    ) -> None:
        self._history = history
        self._ids = ids
        self._clock = clock
        self._limits = limits
        #: SPEC H17: extra attempts after a failed rotation (``sm.rotations.retries``).
        self.retries: int = DEFAULT_RETRIES
        #: Where a finished rotation's secret is scheduled again (set by the owner). An object,
        #: not a callback: nothing reachable from the session leads to a function (and through
        #: its globals out of the mock), which keeps tests/test_encryption.py's walk meaningful.
        self.scheduler: Scheduling | None = None
        self._local = threading.local()

    @property
    def in_user_code(self) -> bool:
        """True on a thread that is running a rotation function right now."""
        return bool(getattr(self._local, "depth", 0))

    def begin(
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
        """Mark the rotation as running and record its start (store lock held); the job to
        :meth:`execute` once the lock is released."""
        # SPEC H12: 36-256 characters of [a-zA-Z0-9-]; a UUID4 string fits.
        rotation_token = self._ids.uuid()
        state.begin(secret, token, rotation_token, now, test=test)
        self._history.record(
            RotationRecord(TEST_ROTATION_STARTED if test else ROTATION_STARTED, secret.arn, token, now, trigger)
        )
        return RotationJob(secret, store, token, rotation_token, function_arn, handler, trigger, test)

    def execute(self, job: RotationJob) -> None:
        """Run a prepared rotation: the steps, the retries (SPEC H17), then the bookkeeping.

        Must be called with no lock held: the function calls back into the mock (SPEC H14).
        """
        try:
            attempts = 1 if job.test else 1 + max(0, self.retries)
            for attempt in range(1, attempts + 1):
                if attempt > 1:
                    self._history.record(
                        RotationRecord(
                            ROTATION_STARTED, job.secret.arn, job.token, self._clock.now(), job.trigger, attempt
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
                with self._user_code(), _lambda_environment(secret.region):
                    result = job.handler(event, self._context(job.function_arn))
                refuse_awaitable(result)
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:  # whatever the user's code raises is recorded
                error = _without_frames(exc)
            at = self._clock.now()
            self._history.invoked(Invocation(job.function_arn, step, secret.arn, job.token, at, error))
            with job.store.lock:
                stopped = state.interruption(job.store, secret)
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
        name, version = function_name_and_version(function_arn)
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

    def _fail(self, job: RotationJob, attempt: int, step: str, error: BaseException | None, message: str) -> None:
        # SPEC H17: the caller never sees it; the record and the log do.
        event = TEST_ROTATION_FAILED if job.test else ROTATION_FAILED
        self._history.record(
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
                self._history.record(
                    RotationRecord(TEST_ROTATION_SUCCEEDED, secret.arn, job.token, now, job.trigger, attempt)
                )
                return TEST_ROTATION_SUCCEEDED
            done, current = state.complete(secret, job.token, now, self._limits)
            if done:
                self._history.record(
                    RotationRecord(ROTATION_SUCCEEDED, secret.arn, job.token, now, job.trigger, attempt)
                )
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
            state.release(secret, job.token, to_milliseconds(self._clock.now()), self._limits, test=job.test)
            secret.touch()
            if secret.rotation is not None and self.scheduler is not None:
                self.scheduler.reschedule(secret)
