"""ReplicateSecretToRegions, RemoveRegionsFromReplication and StopReplicationToReplica."""

from __future__ import annotations

from typing import Any

from ..errors import AwsError
from .base import RequestContext, operation
from .shapes import replica_requests, replication_status

__all__ = ["not_supported"]


def not_supported(what: str) -> AwsError:
    """An HTTP 501 answer naming the unsupported feature (botocore does not retry 501)."""
    return AwsError(
        "NotImplemented",
        f"sm_mock does not implement {what} yet. Leave it out of the test, or open an issue "
        "describing the behaviour you need.",
        status=501,
    )


@operation("ReplicateSecretToRegions")
def replicate_secret_to_regions(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Replicate a primary to more regions (SPEC I1, I3, I5)."""
    requests = replica_requests(p["AddReplicaRegions"])
    force = bool(p.get("ForceOverwriteReplicaSecret"))
    secret = ctx.service.replicate_secret_to_regions(ctx, p["SecretId"], requests, force)
    return {"ARN": secret.arn, "ReplicationStatus": replication_status(secret)}


@operation("RemoveRegionsFromReplication")
def remove_regions_from_replication(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Delete replicas at once (SPEC I9)."""
    secret = ctx.service.remove_regions_from_replication(ctx, p["SecretId"], p["RemoveReplicaRegions"])
    return {"ARN": secret.arn, "ReplicationStatus": replication_status(secret)}


@operation("StopReplicationToReplica")
def stop_replication_to_replica(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Promote a replica to a standalone primary; call it in the replica's region (SPEC I8)."""
    secret = ctx.service.stop_replication_to_replica(ctx, p["SecretId"])
    return {"ARN": secret.arn}
