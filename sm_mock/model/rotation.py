"""Rotation state derived from a secret: the rotation in progress and the schedule's dates.

The labels say where a rotation stands (AWSPENDING on a version that is not AWSCURRENT's);
:class:`~sm_mock.model.secret.RotationState` records what they can't. The runner that calls
the user's Lambda stand-in lives in :mod:`sm_mock.rotation`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from .secret import AWSCURRENT, AWSPENDING, RotationState, Secret

if TYPE_CHECKING:
    from .schedule import RotationSchedule

__all__ = ["configure", "pending_rotation"]


def pending_rotation(secret: Secret) -> str | None:
    """The version of a rotation in progress: AWSPENDING on a version that is not AWSCURRENT's
    (SPEC H18). None when AWSPENDING is absent or sits on the current version."""
    pending = secret.stages.get(AWSPENDING)
    if pending is None or pending == secret.stages.get(AWSCURRENT):
        return None
    return pending


def configure(secret: Secret, function_arn: str, rules: RotationSchedule | None, now: datetime) -> None:
    """Save a RotateSecret call's configuration and turn rotation on (SPEC H9, H24)."""
    rotation = secret.rotation
    if rotation is None:
        rotation = secret.rotation = RotationState()
    rotation.lambda_arn = function_arn
    if rules is not None:
        rotation.rules = rules
    rotation.enabled = True
    rotation.anchor = now
    secret.last_changed = now
