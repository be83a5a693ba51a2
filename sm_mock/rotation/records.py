"""What a rotation function receives, and what a test can inspect afterwards.

:class:`LambdaContext` is the ``context`` argument; :class:`Invocation` and
:class:`RotationRecord` are the entries of ``sm.rotations.invocations`` and ``.history`` (the
events CloudTrail would show, SPEC S6), kept in one :class:`History` per session.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from .. import choices
from ..model.rotation import ROTATION_FAILED, TEST_ROTATION_FAILED
from ..model.secret import Secret
from ..model.store import RegionStore

__all__ = [
    "DEFAULT_RETRIES",
    "FAILED_EVENTS",
    "LAMBDA_MEMORY_MB",
    "LAMBDA_TIMEOUT_MS",
    "STEPS",
    "History",
    "Invocation",
    "LambdaContext",
    "LambdaHandler",
    "RotationJob",
    "RotationRecord",
    "function_name_and_version",
]

#: ``handler(event, context)``: the signature of a Python Lambda handler.
LambdaHandler = Callable[[dict[str, Any], Any], Any]

#: SPEC H12, H13: the four steps, in camelCase, in this order.
STEPS: Final = ("createSecret", "setSecret", "testSecret", "finishSecret")

#: SPEC H17 (AMBIGUOUS: "the service retries the whole rotation several times"): how many more
#: times a failed rotation is attempted, with the same ClientRequestToken, before it is left as
#: failed: :data:`sm_mock.choices.ROTATION_RETRIES`, the one number the mock and the rotation
#: checker share. Change per mock with ``sm.rotations.retries = 0``.
DEFAULT_RETRIES: Final = choices.ROTATION_RETRIES

#: The context object's limits: the memory and timeout of a typical rotation function.
LAMBDA_MEMORY_MB: Final = "128"
LAMBDA_TIMEOUT_MS: Final = 30_000

#: The events that are failures (``sm.rotations.failures``).
FAILED_EVENTS: Final = frozenset({ROTATION_FAILED, TEST_ROTATION_FAILED})


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


def function_name_and_version(function_arn: str) -> tuple[str, str]:
    # arn:aws:lambda:<region>:<account>:function:<name>[:<version or alias>]
    parts = function_arn.split(":")
    if len(parts) >= 7 and parts[5] == "function":
        qualifier = parts[7] if len(parts) > 7 else ""
        return parts[6], qualifier if qualifier.isdigit() else "$LATEST"
    return function_arn, "$LATEST"


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
        return self.event in FAILED_EVENTS


@dataclass(slots=True, eq=False)
class RotationJob:
    """A rotation prepared under the store lock, to be run with no lock held (:mod:`.runner`)."""

    secret: Secret
    store: RegionStore
    token: str
    rotation_token: str
    function_arn: str
    handler: LambdaHandler
    trigger: str
    #: SPEC H21: RotateImmediately=false only runs testSecret on a temporary version.
    test: bool = False


class History:
    """The rotation events and function calls of one session, in order; thread-safe."""

    def __init__(self) -> None:
        self._records: list[RotationRecord] = []
        self._invocations: list[Invocation] = []
        self._lock = threading.Lock()

    def record(self, record: RotationRecord) -> None:
        """Add an event."""
        with self._lock:
            self._records.append(record)

    def invoked(self, invocation: Invocation) -> None:
        """Add a function call."""
        with self._lock:
            self._invocations.append(invocation)

    @property
    def records(self) -> list[RotationRecord]:
        """Every event so far, oldest first."""
        with self._lock:
            return list(self._records)

    @property
    def invocations(self) -> list[Invocation]:
        """Every function call so far, oldest first."""
        with self._lock:
            return list(self._invocations)

    def __len__(self) -> int:
        return len(self._records)
