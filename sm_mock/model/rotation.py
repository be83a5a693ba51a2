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

__all__ = ["configure", "due_at", "next_rotation_date", "pending_rotation"]


def pending_rotation(secret: Secret) -> str | None:
    """The version of a rotation in progress: AWSPENDING on a version that is not AWSCURRENT's
    (SPEC H18). None when AWSPENDING is absent or sits on the current version."""
    pending = secret.stages.get(AWSPENDING)
    if pending is None or pending == secret.stages.get(AWSCURRENT):
        return None
    return pending


def _latest(*moments: datetime | None) -> datetime | None:
    present = [m for m in moments if m is not None]
    return max(present) if present else None


def next_rotation_date(secret: Secret) -> datetime | None:
    """``NextRotationDate``: the end of the next rotation window (SPEC H23), or None when
    rotation is off or has no schedule (SPEC H25).

    The window follows the later of the last successful rotation and the last (re)start of the
    schedule or manual write (SPEC H23). A failed rotation does not move it, so after a failure
    the date may lie in the past (SPEC H17).
    """
    rotation = secret.rotation
    if rotation is None or not rotation.enabled or rotation.rules is None:
        return None
    base = _latest(rotation.anchor, rotation.last_rotated)
    if base is None:
        return None
    return rotation.rules.next_window(base)[1]


def due_at(rotation: RotationState) -> datetime | None:
    """When the scheduler should next rotate: the start of the next window after the last
    rotation, schedule (re)start, manual write or attempt (so each window fires once)."""
    if not rotation.enabled or rotation.rules is None:
        return None
    base = _latest(rotation.anchor, rotation.last_rotated, rotation.last_attempt)
    if base is None:
        return None
    return rotation.rules.next_window(base)[0]


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
