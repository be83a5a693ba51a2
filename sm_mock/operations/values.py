"""GetSecretValue and PutSecretValue."""

from __future__ import annotations

from typing import Any

from .. import choices
from ..errors import AwsError, invalid_request, not_found
from ..model import labels
from ..model.secret import AWSCURRENT, Secret, SecretVersion
from ..model.store import RegionStore
from ..rotation import pending_rotation
from .base import (
    RequestContext,
    check_cross_account_key,
    check_not_deleted,
    find_secret,
    operation,
    require_token,
    value_from,
)
from .secrets import existing_version_response, reused_token

__all__ = ["read_value", "select_version"]


def _no_value(kind: str, ident: str) -> AwsError:
    # SM-017, SM-018, SM-019.
    return not_found(f"Secrets Manager can't find the specified secret value for {kind}: {ident}")


def select_version(secret: Secret, version_id: str | None, stage: str | None) -> SecretVersion:
    """The version a read asks for (SPEC P5, D2, D12)."""
    if version_id is not None:
        version = secret.versions.get(version_id)
        if version is None:
            raise _no_value("VersionId", version_id)
        if stage is not None and secret.stages.get(stage) != version_id:
            # SM-021.
            raise invalid_request("You provided a VersionStage that is not associated to the provided VersionId.")
        if not version.has_value:
            # SPEC D12: the rotation placeholder has no value yet (seed templates rely on RNF).
            raise _no_value("VersionId", version_id)
        return version
    label = stage or AWSCURRENT
    vid = secret.stages.get(label)
    if vid is None or not secret.versions[vid].has_value:
        raise _no_value("staging label", label)
    return secret.versions[vid]


def read_value(ctx: RequestContext, secret: Secret, version: SecretVersion) -> dict[str, Any]:
    """Decrypt a version into the GetSecretValue shape and stamp LastAccessedDate (SPEC P3, P4)."""
    raw = RegionStore.read(secret, version)
    today = ctx.now.date()
    version.last_accessed = today
    if secret.last_accessed != today:  # date only (SPEC P3): later reads that day change nothing
        secret.last_accessed = today
    out: dict[str, Any] = {"ARN": secret.arn, "Name": secret.name, "VersionId": version.version_id}
    if version.binary:
        out["SecretBinary"] = raw
    else:
        out["SecretString"] = raw.decode("utf-8")
    stages = secret.labels_of(version.version_id)
    if stages or not choices.EMPTY_VERSION_STAGES_OMITTED:
        out["VersionStages"] = stages
    out["CreatedDate"] = version.created
    return out


@operation("GetSecretValue")
def get_secret_value(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Read a version's value by id, label, or AWSCURRENT by default."""
    secret = find_secret(ctx, p["SecretId"])
    with ctx.store_of(secret).lock:
        check_not_deleted(secret)  # SM-024
        check_cross_account_key(ctx, secret)  # SM-043
        version = select_version(secret, p.get("VersionId"), p.get("VersionStage"))
        return read_value(ctx, secret, version)


@operation("PutSecretValue")
def put_secret_value(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Write a new version (SPEC D6, D7), idempotently per ClientRequestToken (SPEC E1–E5)."""
    token = require_token(p)  # SM-031
    secret = find_secret(ctx, p["SecretId"])
    value = value_from(ctx, p, required=True)
    assert value is not None
    stages = p.get("VersionStages")
    store = ctx.store_of(secret)
    with store.lock:
        check_not_deleted(secret)  # SM-025
        check_cross_account_key(ctx, secret)  # SM-044
        rotations = ctx.session.rotations
        rotations.check_rotation_token(secret, token, p.get("RotationToken"))  # SPEC H15
        existing = secret.versions.get(token)
        if existing is not None and not existing.has_value:
            # SPEC E5: the token of the empty AWSPENDING placeholder fills it in (rotation's
            # createSecret step).
            version = store.new_version(secret, token, value[0], value[1], existing.created)
            labels.fill_placeholder(secret, version, stages, ctx.session.limits)
            secret.last_changed = ctx.now
            return existing_version_response(secret, token)
        if reused_token(secret, token, value):
            return existing_version_response(secret, token)  # SM-093
        pending = pending_rotation(secret)
        store.add_value(secret, token, value[0], value[1], stages, ctx.now)
        rotations.after_write(secret, token, pending, ctx.now, ctx.operation)  # SPEC H19, H23
        return existing_version_response(secret, token)
