"""AssociateCrossAccountReplica and DisassociateCrossAccountReplica (botocore 1.44); the rules
are the model's (:mod:`sm_mock.model.cross_account`), reached through the domain API."""

from __future__ import annotations

from typing import Any

from .base import RequestContext, operation
from .policy import policy_allows

__all__: list[str] = []


@operation("AssociateCrossAccountReplica")
def associate_cross_account_replica(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Link a replica in another account to the caller's primary and replicate to it."""
    replica_arn = p["CrossAccountReplicaARN"]
    primary, status = ctx.service.associate_cross_account_replica(
        ctx,
        p["SecretId"],
        replica_arn,
        restriction=p.get("ReplicaRestriction") or "SameOrg",
        role_arn=p.get("ReplicationRoleARN"),
        allows=policy_allows,
    )
    return {"ARN": primary.arn, "CrossAccountReplicaARN": replica_arn, "ReplicationStatus": status}


@operation("DisassociateCrossAccountReplica")
def disassociate_cross_account_replica(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Stop replicating to a cross-account replica; it stays, Detached."""
    replica_arn = p["CrossAccountReplicaARN"]
    primary = ctx.service.disassociate_cross_account_replica(ctx, p["SecretId"], replica_arn)
    return {"ARN": primary.arn, "CrossAccountReplicaARN": replica_arn}
