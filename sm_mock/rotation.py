"""Rotation: Lambda stand-ins and the schedule (issue: rotation). Minimal core for now."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .model.secret import Secret

if TYPE_CHECKING:
    from .operations.base import RequestContext

__all__ = ["LambdaHandler", "Rotations", "next_rotation_date"]

LambdaHandler = Callable[[dict[str, Any], Any], Any]


def next_rotation_date(secret: Secret) -> datetime | None:
    """The end of the next rotation window (SPEC H23), or None when rotation is off."""
    rotation = secret.rotation
    if rotation is None or not rotation.enabled or rotation.rules is None:
        return None
    base = rotation.last_rotated or rotation.anchor
    if base is None:
        return None
    _start, end = rotation.rules.next_window(base)
    return end  # type: ignore[no-any-return]


class Rotations:
    """Registered rotation functions of one mock."""

    def __init__(self) -> None:
        self.lambdas: dict[str, LambdaHandler] = {}
        self._lock = threading.Lock()

    def register(self, function_arn: str, handler: LambdaHandler) -> None:
        """Register ``handler(event, context)`` as the Lambda function ``function_arn``."""
        with self._lock:
            self.lambdas[function_arn] = handler

    def check_rotation_token(self, ctx: RequestContext, secret: Secret, token: str, rotation_token: str | None) -> None:
        """SPEC H15: a RotationToken, when given, must belong to the rotation in flight."""
        return None
