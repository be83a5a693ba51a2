"""Rotating managed external secrets: no Lambda, the partner makes the new value.

A managed external secret (``Type`` names the partner that holds it) rotates "without a
Lambda": Secrets Manager assumes ``ExternalSecretRotationRoleArn`` and asks the partner for a
new credential. In the mock the partner is a function the test registers for the ``Type``
(``sm.register_external_rotation(type, handler)``): ``handler(request)`` gets an
:class:`ExternalRotationRequest` and returns the new value (``str`` or ``bytes``). sm_mock stores
it as the new version and moves AWSCURRENT to it, with the same records, retries and schedule
as a Lambda rotation (choices.EXTERNAL_ROTATION).

Inside the runner, an :class:`ExternalRotator` stands where a Lambda handler stands: it answers
the four steps by calling the partner once (createSecret) and writing through the domain API,
as a rotation function writes through boto3.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeAlias

from ..clock import Clock
from ..model.secret import AWSCURRENT, AWSPENDING, Secret
from ..model.service import SecretsService

__all__ = ["ExternalHandler", "ExternalRotationRequest", "ExternalRotations", "ExternalRotator"]


@dataclass(frozen=True, slots=True)
class ExternalRotationRequest:
    """What the partner is asked: rotate this secret; the new version gets ``version_id``."""

    secret_arn: str
    secret_type: str
    version_id: str
    role_arn: str | None
    #: ExternalSecretRotationMetadata as a dict (Key -> Value).
    metadata: Mapping[str, str] = field(default_factory=dict)

    @property
    def region(self) -> str:
        """The secret's region (from its ARN)."""
        return self.secret_arn.split(":")[3]


#: The partner's stand-in: returns the new value of the secret.
ExternalHandler: TypeAlias = Callable[[ExternalRotationRequest], "str | bytes"]


class NoExternalHandlerError(RuntimeError):
    """No handler is registered for a managed external secret's Type."""


@dataclass(frozen=True, slots=True)
class _Caller:
    """The domain API's Caller for the writes of an external rotation (the secret's own account)."""

    account_id: str
    region: str
    now: datetime
    operation: str = "RotateSecret"


class ExternalRotations:
    """The registered partner handlers of one mock (by Type), and the rotators made from them."""

    def __init__(self, clock: Clock, handlers: dict[str, ExternalHandler] | None = None) -> None:
        self._clock = clock
        #: Type -> handler; the mock's own dictionary, so handlers outlive an activation.
        self.handlers: dict[str, ExternalHandler] = handlers if handlers is not None else {}
        self._lock = threading.Lock()
        #: The domain API the rotators write through (set by the session).
        self.service: SecretsService | None = None

    def register(self, secret_type: str, handler: ExternalHandler) -> None:
        """Register ``handler(request) -> new value`` as the partner of secrets of ``secret_type``."""
        if not callable(handler):
            raise TypeError(
                f"the external rotation handler for Type {secret_type!r} must be callable as "
                f"handler(request) -> str | bytes, not {type(handler).__name__}"
            )
        with self._lock:
            self.handlers[secret_type] = handler

    def rotator(self, secret: Secret) -> ExternalRotator:
        """The stand-in for a Lambda handler that rotates ``secret`` with its partner."""
        assert self.service is not None, "the session attaches the service"
        return ExternalRotator(self.service, self._clock, self.handlers.get(secret.type or ""), secret)


class ExternalRotator:
    """Answers the four rotation steps for a managed external secret (see the module docstring)."""

    __slots__ = ("_clock", "_handler", "_secret", "_service")

    def __init__(self, service: SecretsService, clock: Clock, handler: ExternalHandler | None, secret: Secret) -> None:
        self._service = service
        self._clock = clock
        self._handler = handler
        self._secret = secret

    def _caller(self) -> _Caller:
        return _Caller(self._secret.account_id, self._secret.region, self._clock.now())

    def __call__(self, event: dict[str, Any], context: Any) -> None:
        step = event["Step"]
        if step == "createSecret":
            self._create(event)
        elif step == "finishSecret":
            self._finish(event["ClientRequestToken"])
        # setSecret and testSecret: the partner set the new credential when it made it.

    def _create(self, event: dict[str, Any]) -> None:
        secret, token = self._secret, event["ClientRequestToken"]
        caller = self._caller()
        filled = self._service.view(caller, secret.arn, lambda s: _has_value(s, token))
        if filled:
            return  # a retried attempt: the partner already made this version's value
        handler = self._handler
        if handler is None:
            raise NoExternalHandlerError(
                f"no external rotation handler is registered for Type {secret.type!r}: register the "
                f"partner's stand-in with sm.register_external_rotation({secret.type!r}, handler), where "
                "handler(request) returns the new value"
            )
        rotation = secret.rotation
        request = ExternalRotationRequest(
            secret_arn=secret.arn,
            secret_type=secret.type or "",
            version_id=token,
            role_arn=rotation.external_role_arn if rotation is not None else None,
            metadata=dict(rotation.external_metadata or ()) if rotation is not None else {},
        )
        value = handler(request)
        if isinstance(value, str):
            string, binary = value, None
        elif isinstance(value, (bytes, bytearray)):
            string, binary = None, bytes(value)
        else:
            raise TypeError(
                f"the external rotation handler for Type {secret.type!r} returned "
                f"{type(value).__name__}; return the new secret value as str or bytes"
            )
        self._service.put_secret_value(
            self._caller(),
            secret.arn,
            token=token,
            secret_string=string,
            secret_binary=binary,
            stages=[AWSPENDING],
            rotation_token=event.get("RotationToken"),
        )

    def _finish(self, token: str) -> None:
        secret = self._secret
        caller = self._caller()
        current = self._service.view(caller, secret.arn, lambda s: s.stages.get(AWSCURRENT))
        if current != token:
            self._service.update_secret_version_stage(caller, secret.arn, AWSCURRENT, token, current)


def _has_value(secret: Secret, token: str) -> bool:
    version = secret.versions.get(token)
    return version is not None and version.has_value
