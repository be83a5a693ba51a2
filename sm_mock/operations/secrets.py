"""CreateSecret, DescribeSecret, UpdateSecret, DeleteSecret and RestoreSecret."""

from __future__ import annotations

from typing import Any

from .. import choices
from ..model.secret import Secret
from ..model.service import Written
from .base import RequestContext, operation, require_token, tag_pairs
from .policy import cross_account_replica_policy
from .shapes import cross_account_fields, replica_requests, replication_status, secret_metadata

__all__ = ["version_answer"]


def version_answer(secret: Secret, token: str) -> dict[str, Any]:
    """The answer to a value write: the version and its labels (an idempotent retry gets the
    existing version, SM-093)."""
    out: dict[str, Any] = {"ARN": secret.arn, "Name": secret.name, "VersionId": token}
    stages = secret.labels_of(token)
    if stages or not choices.EMPTY_VERSION_STAGES_OMITTED:
        out["VersionStages"] = stages
    return out


@operation("CreateSecret")
def create_secret(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Create a secret, with a first version when a value is given (SPEC B, D5)."""
    token = require_token(p)  # SM-029
    if "CrossAccountPrimaryARN" in p:
        return _create_cross_account_replica(ctx, p)
    replicas = replica_requests(p.get("AddReplicaRegions") or [])
    created = ctx.service.create_secret(
        ctx,
        name=p["Name"],
        token=token,
        secret_string=p.get("SecretString"),
        secret_binary=p.get("SecretBinary"),
        description=p.get("Description"),
        tags=tag_pairs(p["Tags"]) if "Tags" in p else None,
        kms_key_id=p.get("KmsKeyId"),
        type_=p.get("Type"),
        replicas=replicas,
        force_overwrite_replicas=bool(p.get("ForceOverwriteReplicaSecret")),
    )
    secret = created.secret
    out: dict[str, Any] = {"ARN": secret.arn, "Name": secret.name}
    if created.version_id is not None:
        out["VersionId"] = created.version_id
    if replicas and not created.reused:
        out["ReplicationStatus"] = replication_status(secret)
    return out


def _create_cross_account_replica(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """CreateSecret(CrossAccountPrimaryARN): an empty replica of another account's primary."""
    secret = ctx.service.create_cross_account_replica(
        ctx,
        name=p["Name"],
        primary_arn=p["CrossAccountPrimaryARN"],
        kms_key_id=p.get("KmsKeyId"),
        tags=tag_pairs(p["Tags"]) if "Tags" in p else None,
        has_value="SecretString" in p or "SecretBinary" in p,
        description=p.get("Description"),
        replica_regions=bool(p.get("AddReplicaRegions")),
        type_=p.get("Type"),
        policy=cross_account_replica_policy(p["CrossAccountPrimaryARN"]),
    )
    return {"ARN": secret.arn, "Name": secret.name}


@operation("DescribeSecret")
def describe_secret(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Metadata only, never the value (SPEC P1); works while deletion is scheduled (SM-073)."""
    now = ctx.now

    def describe(secret: Secret) -> dict[str, Any]:
        out = secret_metadata(secret, now, stages_key="VersionIdsToStages")
        cross_account_fields(secret, out)  # botocore 1.44: CrossAccountPrimary / CrossAccountReplicas
        return out

    return ctx.service.view(ctx, p["SecretId"], describe)


@operation("UpdateSecret")
def update_secret(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Change description, KMS key and/or value (a value makes a new AWSCURRENT version)."""
    token = require_token(p)  # SM-030

    def update() -> Written | Secret:
        return ctx.service.update_secret(
            ctx,
            p["SecretId"],
            token=token,
            secret_string=p.get("SecretString"),
            secret_binary=p.get("SecretBinary"),
            description=p.get("Description"),
            kms_key_id=p.get("KmsKeyId"),
            kms_key_given="KmsKeyId" in p,
        )

    # Type (botocore 1.41+): the partner of a managed external secret, changed with the rest.
    written = ctx.service.update_secret_type(ctx, p["SecretId"], p["Type"], update) if "Type" in p else update()
    if isinstance(written, Secret):
        return {"ARN": written.arn, "Name": written.name}
    return {"ARN": written.secret.arn, "Name": written.secret.name, "VersionId": written.version_id}


@operation("DeleteSecret")
def delete_secret(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Schedule deletion (7–30 days, default 30) or delete at once (SPEC G1–G3)."""
    deleted = ctx.service.delete_secret(
        ctx,
        p["SecretId"],
        force=bool(p.get("ForceDeleteWithoutRecovery")),
        window=p.get("RecoveryWindowInDays"),
    )
    return {"ARN": deleted.arn, "Name": deleted.name, "DeletionDate": deleted.deletion_date}


@operation("RestoreSecret")
def restore_secret(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Cancel a scheduled deletion before its window ends (SPEC G6)."""
    secret = ctx.service.restore_secret(ctx, p["SecretId"])
    return {"ARN": secret.arn, "Name": secret.name}
