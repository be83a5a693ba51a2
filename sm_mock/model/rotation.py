"""Rotation state: how RotateSecret, writes, cancellation and a finished run change a secret.

The labels say where a rotation stands (AWSPENDING on a version that is not AWSCURRENT's);
:class:`~sm_mock.model.secret.RotationState` records what they can't: the configuration, the
dates, and the rotation whose function is running. Every change to that state is a function
here, called with the store's lock held. Running the user's function, keeping the history and
the schedule is :mod:`sm_mock.rotation`'s job.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Final

from ..errors import AwsError, access_denied, invalid_parameter, invalid_request
from ..limits import Limits
from . import labels
from .secret import AWSCURRENT, AWSPENDING, RotationState, Secret, SecretVersion
from .store import RegionStore

if TYPE_CHECKING:
    from .schedule import RotationSchedule

__all__ = [
    "ROTATION_ABANDONED",
    "ROTATION_CANCELLED",
    "ROTATION_FAILED",
    "ROTATION_STARTED",
    "ROTATION_SUCCEEDED",
    "TEST_ROTATION_FAILED",
    "TEST_ROTATION_STARTED",
    "TEST_ROTATION_SUCCEEDED",
    "abandon",
    "add_pending",
    "begin",
    "cancel",
    "check_external",
    "check_rotation_token",
    "check_startable",
    "complete",
    "configure",
    "configure_external",
    "configure_managed",
    "function_arn_for",
    "interruption",
    "is_external",
    "needs_saving",
    "pending_rotation",
    "pending_version",
    "release",
    "unknown_function",
]

#: The events of a rotation, as CloudTrail names them (SPEC S6), plus RotationCancelled for
#: CancelRotateSecret interrupting a running rotation (SPEC H27).
ROTATION_STARTED: Final = "RotationStarted"
ROTATION_SUCCEEDED: Final = "RotationSucceeded"
ROTATION_FAILED: Final = "RotationFailed"
ROTATION_ABANDONED: Final = "RotationAbandoned"
ROTATION_CANCELLED: Final = "RotationCancelled"
TEST_ROTATION_STARTED: Final = "TestRotationStarted"
TEST_ROTATION_SUCCEEDED: Final = "TestRotationSucceeded"
TEST_ROTATION_FAILED: Final = "TestRotationFailed"

#: Recorded texts (SM-040, SM-041, confidence A).
_NO_LAMBDA: Final = "No Lambda rotation function ARN is associated with this secret."
_CANNOT_INVOKE: Final = (
    "Secrets Manager cannot invoke the specified Lambda function. Ensure that the function "
    "policy grants access to the principal secretsmanager.amazonaws.com."
)


# ---- derived state ----------------------------------------------------------------------------
def pending_rotation(secret: Secret) -> str | None:
    """The version of a rotation in progress: AWSPENDING on a version that is not AWSCURRENT's
    (SPEC H18). None when AWSPENDING is absent or sits on the current version."""
    pending = secret.stages.get(AWSPENDING)
    if pending is None or pending == secret.stages.get(AWSCURRENT):
        return None
    return pending


def interruption(store: RegionStore, secret: Secret) -> str | None:
    """Why a running rotation must stop now: abandoned, cancelled, or its secret deleted."""
    rotation = secret.rotation
    if rotation is not None and rotation.interrupted is not None:
        return rotation.interrupted
    if not store.holds(secret) or secret.deleted_at is not None:
        return ROTATION_FAILED
    return None


# ---- RotateSecret ------------------------------------------------------------------------------
def function_arn_for(secret: Secret, lambda_arn: str | None) -> str:
    """The rotation function a RotateSecret call runs: the one it names, else the configured one
    (SPEC H9); none at all is SM-040."""
    rotation = secret.rotation
    function_arn = lambda_arn or (rotation.lambda_arn if rotation is not None else None)
    if function_arn is None:
        raise invalid_request(_NO_LAMBDA)
    return function_arn


def unknown_function() -> AwsError:
    """SM-041: the recorded text for a function the service cannot invoke."""
    return access_denied(_CANNOT_INVOKE)


def check_startable(secret: Secret, token: str, immediately: bool) -> None:
    """The checks of RotateSecret on the secret's state, before anything changes."""
    if secret.current is None:
        raise invalid_request(
            f"Secret {secret.name} has no value to rotate yet (no version has the staging "
            "label AWSCURRENT). Put a first value with PutSecretValue, then call RotateSecret."
        )
    rotation = secret.rotation
    if rotation is not None and rotation.running is not None:
        raise invalid_request(
            f"A rotation of secret {secret.name} is running right now (version "
            f"{rotation.running}). Wait for it to finish; a rotation function can't start "
            "another rotation of the secret it is rotating."
        )
    in_progress = pending_rotation(secret)
    if in_progress is not None and (in_progress != token or not immediately):
        raise _in_progress(secret, in_progress)  # SPEC H18


def needs_saving(secret: Secret, function_arn: str, rules: RotationSchedule | None) -> bool:
    """SPEC E7, H9, H24: whether a retried RotateSecret (its rotation already ran) carries a
    configuration to save: new rules, a new function, or rotation switched back on."""
    rotation = secret.rotation
    return (
        rotation is None
        or not rotation.enabled
        or rotation.lambda_arn != function_arn
        or (rules is not None and rules != rotation.rules)
    )


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


def configure_managed(secret: Secret, lambda_arn: str | None, rules: RotationSchedule | None, now: datetime) -> None:
    """SPEC H30, R5: the owning service rotates its secrets; only the schedule can change."""
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


# ---- managed external secrets (botocore 1.41+: Type, ExternalSecretRotation*) -------------------
#: An IAM role ARN in any partition: arn:<partition>:iam::<account>:role/<path and name>.
_ROLE_ARN: Final = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+")


def is_external(secret: Secret) -> bool:
    """A managed external secret: its Type names the partner that holds it (and no AWS service
    owns it). It rotates without a Lambda (choices.EXTERNAL_ROTATION)."""
    return bool(secret.type) and secret.owning_service is None


def check_external(
    secret: Secret, lambda_arn: str | None, role_arn: str | None, metadata: Sequence[tuple[str, str]] | None
) -> None:
    """RotateSecret's checks of the external-rotation members, before anything changes
    (choices.EXTERNAL_ROTATION_CHECKS)."""
    if not is_external(secret):
        if role_arn is not None or metadata is not None:
            raise invalid_parameter(
                f"ExternalSecretRotationRoleArn and ExternalSecretRotationMetadata are for managed external "
                f"secrets only; secret {secret.name} has no Type. Leave them out, or create the secret "
                "with Type naming its partner."
            )
        return
    if lambda_arn:
        raise invalid_parameter(
            f"Secret {secret.name} is a managed external secret (Type {secret.type!r}): Secrets Manager "
            "rotates it with the partner, not with a Lambda function. Leave RotationLambdaARN out."
        )
    if role_arn is not None and _ROLE_ARN.fullmatch(role_arn) is None:
        raise invalid_parameter(
            f"ExternalSecretRotationRoleArn {role_arn!r} is not an IAM role ARN (arn:aws:iam::123456789012:role/name)."
        )
    configured = secret.rotation.external_role_arn if secret.rotation is not None else None
    if role_arn is None and configured is None:
        raise invalid_parameter(
            f"Rotating the managed external secret {secret.name} needs ExternalSecretRotationRoleArn: "
            "the role Secrets Manager assumes to rotate it with the partner."
        )
    if metadata is not None:
        keys = [key for key, _ in metadata]
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        if repeated:
            raise invalid_parameter(
                f"ExternalSecretRotationMetadata names the key(s) {', '.join(repeated)} more than once; "
                "give each key once."
            )


def configure_external(
    secret: Secret,
    role_arn: str | None,
    metadata: Sequence[tuple[str, str]] | None,
    rules: RotationSchedule | None,
    now: datetime,
) -> None:
    """Save an external secret's rotation configuration and turn rotation on (no Lambda)."""
    rotation = secret.rotation
    if rotation is None:
        rotation = secret.rotation = RotationState()
    if role_arn is not None:
        rotation.external_role_arn = role_arn
    if metadata is not None:
        rotation.external_metadata = tuple(metadata)
    if rules is not None:
        rotation.rules = rules
    rotation.enabled = True
    rotation.anchor = now
    secret.last_changed = now


def pending_version(store: RegionStore, secret: Secret, token: str, immediately: bool, now: datetime) -> SecretVersion:
    """The version the rotation fills in (to be labelled AWSPENDING by :func:`add_pending`).

    Rotating now, it is the empty placeholder whose id is the token: it exists (and shows in
    DescribeSecret) before the function is first called (SPEC H11, SM-127). Testing only
    (RotateImmediately=false), it holds a copy of the current value and is removed afterwards
    (SPEC H21, SM-128); copying raises the AwsError of a key that can't (SPEC F12).
    """
    if immediately:
        return SecretVersion(token, now, None)
    current = secret.current
    assert current is not None
    value = RegionStore.read(secret, current)
    return store.new_version(secret, token, value, current.binary, now)


def add_pending(secret: Secret, version: SecretVersion, now: datetime, limits: Limits) -> None:
    """Attach the rotation's version with the label AWSPENDING (SPEC H11)."""
    labels.add_version(secret, version, [AWSPENDING], now, limits)


def begin(secret: Secret, token: str, rotation_token: str, now: datetime, *, test: bool) -> None:
    """Mark the rotation of version ``token`` as running (SPEC H12: ``rotation_token`` goes to
    the function and back with its writes, SPEC H15)."""
    rotation = secret.rotation
    assert rotation is not None
    rotation.running = token
    rotation.rotation_token = rotation_token
    rotation.interrupted = None
    if not test:
        rotation.last_attempt = now
    rotation.generation += 1  # the running rotation replaces any scheduled one


def complete(secret: Secret, token: str, now: datetime, limits: Limits) -> tuple[bool, str | None]:
    """After the last step: did the rotation do its job? (True, ...) when AWSCURRENT is on the
    new version (SPEC H16: its completion time is recorded), else (False, the version
    AWSCURRENT is on)."""
    current = secret.stages.get(AWSCURRENT)
    if current != token:
        return False, current
    if secret.stages.get(AWSPENDING) == token:
        # SM-125: after a successful rotation the new version carries AWSCURRENT only; the
        # service clears AWSPENDING that UpdateSecretVersionStage leaves on it (SM-100), so
        # the next RotateSecret is not blocked (SPEC H16, H18).
        labels.move_stage(secret, AWSPENDING, None, token, now, limits)
    assert secret.rotation is not None
    secret.rotation.last_rotated = now
    return True, current


def release(secret: Secret, token: str, now: datetime, limits: Limits, *, test: bool) -> None:
    """Whatever happened, the rotation of ``token`` is no longer running; a test run's temporary
    version goes away again, and AWSCURRENT never moved (SPEC H21)."""
    rotation = secret.rotation
    if rotation is not None and rotation.running == token:
        rotation.running = None
        rotation.rotation_token = None
        rotation.interrupted = None
    if test:
        if secret.stages.get(AWSPENDING) == token:
            labels.move_stage(secret, AWSPENDING, None, token, now, limits)
        if token in secret.versions and not secret.labels_of(token):
            del secret.versions[token]


# ---- what other operations do to a rotation ------------------------------------------------------
def check_rotation_token(secret: Secret, token: str, rotation_token: str | None) -> None:
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


def abandon(secret: Secret, token: str, pending_before: str | None, now: datetime, limits: Limits) -> bool:
    """SPEC H19: a value written with a token that is not the pending version's abandons the
    rotation: AWSPENDING comes off the pending version (a write that took AWSCURRENT already
    dropped it, SM-094), and a running rotation stops after its current step. Returns True
    when a rotation was abandoned."""
    rotation = secret.rotation
    if rotation is None or pending_before is None or pending_before == token:
        return False
    if secret.stages.get(AWSPENDING) == pending_before:
        labels.move_stage(secret, AWSPENDING, None, pending_before, now, limits)
    if rotation.running == pending_before:
        rotation.interrupted = ROTATION_ABANDONED
    return True


def cancel(secret: Secret) -> tuple[str | None, str | None]:
    """SPEC H27: turn rotation off, keep the configuration, stop a running rotation and leave
    every label where it is. Returns (the running rotation's version, the version of the
    rotation in progress)."""
    rotation = secret.rotation
    in_progress = pending_rotation(secret)
    if rotation is None:
        return None, in_progress
    rotation.enabled = False
    rotation.generation += 1  # drops the scheduled rotation
    running = rotation.running
    if running is not None:
        rotation.interrupted = ROTATION_CANCELLED
    return running, in_progress


def _in_progress(secret: Secret, pending: str) -> AwsError:
    # SPEC H18 (code AMBIGUOUS; recommendation InvalidRequestException).
    return invalid_request(
        f"A previous rotation isn't complete: version {pending} of secret {secret.name} still has "
        "the staging label AWSPENDING. To retry that rotation, call RotateSecret with "
        f"ClientRequestToken='{pending}'. To discard it, remove the label with "
        f"UpdateSecretVersionStage(SecretId='{secret.name}', VersionStage='AWSPENDING', "
        f"RemoveFromVersionId='{pending}') and call RotateSecret again."
    )
