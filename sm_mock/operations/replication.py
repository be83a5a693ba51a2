"""ReplicateSecretToRegions, RemoveRegionsFromReplication and StopReplicationToReplica."""

from __future__ import annotations

from typing import Any

from ..errors import AwsError, invalid_parameter, invalid_request
from ..model.secret import Secret
from ..replication import status_entries
from .base import RequestContext, check_not_deleted, find_secret, operation

__all__ = ["add_replicas", "check_replica_regions", "not_supported"]


def not_supported(what: str) -> AwsError:
    """An HTTP 501 answer naming the unsupported feature (botocore does not retry 501)."""
    return AwsError(
        "NotImplemented",
        f"sm_mock does not implement {what} yet. Leave it out of the test, or open an issue "
        "describing the behaviour you need.",
        status=501,
    )


def check_replica_regions(home: str, regions: list[dict[str, Any]]) -> None:
    """SPEC I11 (recommendation): the secret's own region, or a region named twice, is invalid."""
    if any(not entry.get("Region") for entry in regions):
        # The model makes no member required, so `[{}]` reaches the service.
        raise invalid_parameter("Every AddReplicaRegions entry needs a Region, e.g. {'Region': 'eu-west-1'}.")
    wanted = [entry["Region"] for entry in regions]
    for region in wanted:
        if region == home:
            raise invalid_parameter(f"You can't replicate a secret to its own region ({region}).")
        if wanted.count(region) > 1:
            raise invalid_parameter(f"The region {region} is listed more than once in AddReplicaRegions.")


def add_replicas(
    ctx: RequestContext,
    secret: Secret,
    regions: list[dict[str, Any]],
    force: bool,
) -> None:
    """Validate and create replicas (shared with CreateSecret's AddReplicaRegions, SPEC I2)."""
    if secret.replica_of is not None:
        raise invalid_request(
            "Operation not permitted on a replica secret. Call must be made in primary secret's region."
        )
    check_replica_regions(secret.region, regions)
    for region in (entry["Region"] for entry in regions):
        if region in secret.replicas and secret.replicas[region].status == "InSync":
            raise invalid_parameter(
                f"The secret is already replicated to {region}. Remove that replica first to change it."
            )
    replication = ctx.session.replication
    keys = replication.resolve_keys(ctx, secret.account_id, regions)  # request errors first
    for region, key in keys:
        replication.add(ctx, secret, region, key, force)


@operation("ReplicateSecretToRegions")
def replicate_secret_to_regions(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Replicate a primary to more regions (SPEC I1, I3, I5)."""
    secret = find_secret(ctx, p["SecretId"])
    with ctx.store_of(secret).lock:
        check_not_deleted(secret)
    add_replicas(ctx, secret, p["AddReplicaRegions"], bool(p.get("ForceOverwriteReplicaSecret")))
    return {"ARN": secret.arn, "ReplicationStatus": status_entries(secret)}


@operation("RemoveRegionsFromReplication")
def remove_regions_from_replication(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Delete replicas at once (SPEC I9)."""
    secret = find_secret(ctx, p["SecretId"])
    if secret.replica_of is not None:
        raise invalid_request(
            "Operation not permitted on a replica secret. Call must be made in primary secret's region."
        )
    for region in p["RemoveReplicaRegions"]:
        if region not in secret.replicas:
            raise invalid_parameter(f"The secret has no replica in {region}.")
    for region in p["RemoveReplicaRegions"]:
        ctx.session.replication.remove(ctx, secret, region)
    return {"ARN": secret.arn, "ReplicationStatus": status_entries(secret)}


@operation("StopReplicationToReplica")
def stop_replication_to_replica(ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """Promote a replica to a standalone primary; call it in the replica's region (SPEC I8)."""
    secret = find_secret(ctx, p["SecretId"])
    if secret.replica_of is None:
        # SPEC I8 (recommendation): InvalidRequestException on a secret that is not a replica.
        raise invalid_request(
            f"Secret {secret.name} in {secret.region} is not a replica. Call "
            "StopReplicationToReplica in the replica's region."
        )
    ctx.session.replication.promote(ctx, secret)
    return {"ARN": secret.arn}
