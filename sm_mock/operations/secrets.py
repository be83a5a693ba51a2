"""CreateSecret, DescribeSecret, UpdateSecret, DeleteSecret and RestoreSecret."""

from __future__ import annotations

import hmac
from typing import Any

from .. import choices
from ..crypto import KmsKey, check_key_access, rewrap
from ..errors import AwsError, invalid_parameter, invalid_request, not_found
from ..model import arn as arns
from ..model.arn import secret_arn
from ..model.secret import AWSCURRENT, AWSPENDING, AWSPREVIOUS, Secret, SecretVersion
from ..model.store import RegionStore
from ..replication import status_entries
from ..rotation import pending_rotation
from .base import (
    RequestContext,
    check_cross_account_key,
    check_name,
    check_not_deleted,
    check_secret_id,
    find_secret,
    operation,
    require_token,
    value_from,
)
from .replication import add_replicas, check_replica_regions
from .shapes import secret_metadata
from .tags import check_tags

__all__ = ["existing_version_response", "same_value"]

#: SPEC B5: the "-XXXXXX" random suffix at the end of a full ARN.


def same_value(secret: Secret, version_id: str, value: bytes, binary: bool) -> bool:
    """Whether a reused ClientRequestToken carries the version's own value (SPEC E2, E6)."""
    version = secret.versions[version_id]
    if not version.has_value or version.binary != binary:
        return False
    return hmac.compare_digest(RegionStore.read(secret, version), value)


def _token_in_use(token: str, secret: Secret) -> AwsError:
    # SM-034 / SM-035.
    return AwsError(
        "ResourceExistsException",
        f"You can't use ClientRequestToken {token} because that value is already in use for a "
        f"version of secret {secret.arn}.",
    )


def existing_version_response(secret: Secret, token: str) -> dict[str, Any]:
    """The answer to an idempotent retry: the existing version, nothing new (SM-093)."""
    out: dict[str, Any] = {"ARN": secret.arn, "Name": secret.name, "VersionId": token}
    stages = secret.labels_of(token)
    if stages or not choices.EMPTY_VERSION_STAGES_OMITTED:
        out["VersionStages"] = stages
    return out


def reused_token(secret: Secret, token: str, value: tuple[bytes, bool]) -> bool:
    """True if ``token`` names an existing version with the same value; raise if it differs."""
    if token not in secret.versions:
        return False
    if same_value(secret, token, *value):
        return True
    raise _token_in_use(token, secret)


@operation("CreateSecret")
def create_secret(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Create a secret, with a first version when a value is given (SPEC B, D5)."""
    token = require_token(p)  # SM-029
    name = p["Name"]
    check_name(name)  # SM-003
    value = value_from(ctx, p, required=False)
    limits = ctx.session.limits
    limits.check_description(p.get("Description"))
    tags = check_tags(p["Tags"], {}, limits) if "Tags" in p else None
    replicas = p.get("AddReplicaRegions") or []
    check_replica_regions(ctx.region, replicas)  # before anything changes
    if replicas:
        ctx.session.replication.check_keys(ctx, ctx.account_id, replicas)  # resolved once the secret exists
    store = ctx.store
    with store.lock:
        existing = store.lookup(name, ctx.now)
        if (
            existing is not None
            and existing.deleted_at is None
            and value is not None
            and reused_token(existing, token, value)
        ):
            # SPEC E2: a retried CreateSecret (same token, same value) answers the same.
            return {"ARN": existing.arn, "Name": existing.name, "VersionId": token}
        # The one creation path, shared with backend seeding (sm_mock.model.seeding): name
        # taken (SM-001), scheduled for deletion (SM-002), secrets quota (SPEC Q1).
        secret = store.create_secret(
            name,
            ctx.now,
            version_id=token,
            value=value[0] if value is not None else None,
            binary=value[1] if value is not None else False,
            description=p.get("Description"),
            tags=tags,
            kms_key_id=p.get("KmsKeyId"),
            type_=p.get("Type"),
        )
    out: dict[str, Any] = {"ARN": secret.arn, "Name": name}
    if value is not None:
        out["VersionId"] = token
    if replicas:
        # SPEC I2: replicate at creation time.
        add_replicas(ctx, secret, replicas, bool(p.get("ForceOverwriteReplicaSecret")))
        out["ReplicationStatus"] = status_entries(secret)
    return out


@operation("DescribeSecret")
def describe_secret(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Metadata only, never the value (SPEC P1); works while deletion is scheduled (SM-073)."""
    secret = find_secret(ctx, p["SecretId"])
    with ctx.store_of(secret).lock:
        return secret_metadata(secret, ctx.now, stages_key="VersionIdsToStages")


_REWRAPPED = (AWSCURRENT, AWSPENDING, AWSPREVIOUS)


@operation("UpdateSecret")
def update_secret(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Change description, KMS key and/or value (a value makes a new AWSCURRENT version)."""
    token = require_token(p)  # SM-030
    secret = find_secret(ctx, p["SecretId"])
    value = value_from(ctx, p, required=False)
    limits = ctx.session.limits
    store = ctx.store_of(secret)
    with store.lock:
        check_not_deleted(secret)  # SM-026
        check_cross_account_key(ctx, secret)
        out: dict[str, Any] = {"ARN": secret.arn, "Name": secret.name}
        if value is not None and reused_token(secret, token, value):
            out["VersionId"] = token  # SM-099: same token, same value
            return out
        description = p.get("Description")
        limits.check_description(description)
        # Everything that can fail comes before the first change (SPEC A8: a failed call
        # leaves no side effects): the new key's access check, then the value write.
        new_key = None
        if "KmsKeyId" in p:
            resolved = store.resolve_key(p["KmsKeyId"])
            if resolved is not secret.kms_key:
                check_key_access(resolved, secret.arn)  # SPEC F4, F6: EncryptionFailure if unusable
                new_key = resolved
        # SPEC F8a: the versions labelled when the key changes are re-wrapped under the new key.
        relabelled = _aws_labelled(secret) if new_key is not None else []
        if value is not None:
            pending = pending_rotation(secret)
            # SPEC F8d: the new version is sealed under the new key. add_value validates the label
            # and version limits before it attaches anything.
            store.add_value(secret, token, value[0], value[1], None, ctx.now, new_key)
            ctx.session.rotations.after_write(secret, token, pending, ctx.now, ctx.operation)  # SPEC H19, H23
            out["VersionId"] = token
        if new_key is not None:
            _rewrap_all(secret, relabelled, new_key)
            secret.kms_key = new_key
            secret.kms_key_explicit = not new_key.is_default
        if description is not None:
            secret.description = description or None
        secret.last_changed = ctx.now
    return out


def _aws_labelled(secret: Secret) -> list[SecretVersion]:
    """The versions holding AWSCURRENT, AWSPENDING or AWSPREVIOUS that have a value."""
    found = (secret.versions.get(vid) for vid in (secret.stages.get(label) for label in _REWRAPPED) if vid)
    return [version for version in found if version is not None and version.envelope is not None]


def _rewrap_all(secret: Secret, versions: list[SecretVersion], new_key: KmsKey) -> None:
    """SPEC F8a–c: add a wrapping under ``new_key`` to each version; one whose data key cannot be
    unwrapped (its old key is disabled) is left as it is, and the key change still succeeds."""
    for version in versions:
        if new_key in version.keys or version.envelope is None:
            continue
        try:
            rewrap(version.envelope, version.keys, new_key, secret.arn, version.version_id)
        except AwsError:  # DecryptionFailure under the old key: not re-wrapped (SPEC F8c)
            continue
        version.keys.append(new_key)


@operation("DeleteSecret")
def delete_secret(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Schedule deletion (7–30 days, default 30) or delete at once (SPEC G1–G3)."""
    secret_id = p["SecretId"]
    check_secret_id(secret_id)  # SM-004: before the force-delete-of-missing success path
    force = bool(p.get("ForceDeleteWithoutRecovery"))
    window = p.get("RecoveryWindowInDays")
    limits = ctx.session.limits
    if force and window is not None:
        # SM-046 (text provisional). ForceDeleteWithoutRecovery=False with a window is fine.
        raise invalid_parameter("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.")
    if window is not None and not limits.min_recovery_days <= window <= limits.max_recovery_days:
        # SM-045 (text provisional).
        raise invalid_parameter(
            f"The RecoveryWindowInDays value must be between {limits.min_recovery_days} and "
            f"{limits.max_recovery_days} days (inclusive)."
        )
    secret = ctx.backend.find(secret_id, ctx.account_id, ctx.region)
    if secret is None:
        if not force:
            raise not_found()  # SM-048
        # SM-082: a forced delete of a missing secret answers as if it had deleted it.
        parsed = arns.parse(secret_id)
        if parsed is not None:
            arn = secret_id
            # A full ARN's name is the part before the random suffix (SPEC B5, B8).
            name = parsed.name_without_suffix
        else:
            name = secret_id
            arn = secret_arn(ctx.region, ctx.account_id, name, ctx.session.ids.suffix())
        return {"ARN": arn, "Name": name, "DeletionDate": ctx.now}
    store = ctx.store_of(secret)
    with store.lock:
        if force:
            # SPEC G3 / SM-028's note: the mock frees the name at once (AWS takes seconds).
            store.purge(secret)
            return {"ARN": secret.arn, "Name": secret.name, "DeletionDate": ctx.now}
        if secret.deleted_at is not None:
            # SM-047 (text provisional).
            raise invalid_request("You tried to perform the operation on a secret that's currently marked deleted.")
        days = window if window is not None else limits.default_recovery_days
        deletion_date = store.schedule_deletion(secret, ctx.now, days)
        return {"ARN": secret.arn, "Name": secret.name, "DeletionDate": deletion_date}


@operation("RestoreSecret")
def restore_secret(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Cancel a scheduled deletion before its window ends (SPEC G6)."""
    secret = find_secret(ctx, p["SecretId"])
    with ctx.store_of(secret).lock:
        if secret.deleted_at is None and not choices.RESTORE_NOT_DELETED_IS_NOOP:
            raise invalid_request("The secret is not scheduled for deletion.")
        # find_secret purged it if the window had passed (SPEC G6: RNF after the purge).
        RegionStore.restore(secret)
        return {"ARN": secret.arn, "Name": secret.name}
