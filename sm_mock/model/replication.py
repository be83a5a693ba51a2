"""Multi-Region replication (SPEC §I): replicas, their read-only guard and propagation.

A replica is an ordinary :class:`~sm_mock.model.secret.Secret` in another region's store
whose ``replica_of`` names the primary's ARN. Changes to the primary reach its replicas
synchronously after each successful write (SPEC I7: the mock reports InSync at once), values
re-sealed under the replica region's KMS key (SPEC I3). The guard and the propagation cost
nothing while no secret in the mock has replicas.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from .. import choices
from ..crypto import Keyring, KmsKey, open_envelope, seal
from ..errors import AwsError, invalid_parameter, invalid_request
from . import arn as arns
from .secret import ReplicaStatus, Secret, SecretVersion

if TYPE_CHECKING:
    from .backend import Backend

__all__ = [
    "REPLICA_READ_ONLY",
    "REPLICA_READ_ONLY_CROSS_ACCOUNT",
    "ReplicaRequest",
    "add_replicas",
    "check_keys",
    "check_partition",
    "check_regions",
    "guard_delete",
    "guard_write",
    "promote",
    "remove",
    "replica_arn",
    "report_key",
    "sync",
]

#: SPEC I6: the text AWS answers a write to a replica with, as an InvalidParameterException (SM-136).
REPLICA_READ_ONLY = "Operation not permitted on a replica secret. Call must be made in primary secret's region."


#: A write to a cross-account replica (same code as SM-136; the text is the mock's: AWS documents
#: none, and SM-136's "primary secret's region" would send the caller to the wrong place).
REPLICA_READ_ONLY_CROSS_ACCOUNT = (
    "Operation not permitted on a replica secret. Call must be made on the primary secret {primary} in its own account."
)


@dataclass(frozen=True, slots=True)
class ReplicaRequest:
    """One ``AddReplicaRegions`` entry: a region, and the KMS key to use there (None: the default)."""

    region: str
    kms_key_id: str | None = None


def replica_arn(primary: Secret, region: str) -> str:
    """The primary's ARN with the region swapped (SPEC B11)."""
    return arns.with_region(primary.arn, region)


# ---- guards (SPEC I6, G8) --------------------------------------------------------------------
def guard_write(secret: Secret, *, key_only: bool = False) -> None:
    """Refuse a write to a replica (SPEC I6); ``key_only`` writes (UpdateSecret with only a
    KmsKeyId) are the one change a replica takes."""
    if secret.replica_of is not None and not key_only:
        link = secret.cross_account_primary
        if link is not None:
            # The regional text names the primary's region; a cross-account replica's primary
            # is in the same region, so the text names its account instead (choices).
            raise invalid_parameter(REPLICA_READ_ONLY_CROSS_ACCOUNT.format(primary=link.primary_arn))
        raise invalid_parameter(REPLICA_READ_ONLY)  # SM-136


def guard_delete(secret: Secret) -> None:
    """Refuse deleting a replica (SPEC I6) or a primary that still has replicas (SPEC G8)."""
    guard_write(secret)
    if secret.replicas:
        # SM-137: AWS's words, with the replica regions in the order they were added (the order
        # DescribeSecret's ReplicationStatus lists them in).
        raise invalid_parameter(
            f"You can't delete secret {secret.arn} that still has replica regions [{', '.join(secret.replicas)}]."
        )


# ---- checks before anything changes ---------------------------------------------------------
def check_regions(home: str, requests: Sequence[ReplicaRequest]) -> None:
    """The secret's own region (SM-135: "Invalid replica region.") or a region named twice
    (SPEC I11, recommendation) is invalid."""
    if any(not request.region for request in requests):
        # The model makes no member required, so `[{}]` reaches the service.
        raise invalid_parameter("Every AddReplicaRegions entry needs a Region, e.g. {'Region': 'eu-west-1'}.")
    wanted = [request.region for request in requests]
    for region in wanted:
        if region == home:
            raise invalid_parameter("Invalid replica region.")  # SM-135
        if wanted.count(region) > 1:
            raise invalid_parameter(f"The region {region} is listed more than once in AddReplicaRegions.")


def check_partition(backend: Backend, home: str, requests: Sequence[ReplicaRequest]) -> None:
    """A secret replicates only within its region's partition. The User Guide: "if you use
    Secrets Manager in special AWS Regions such as AWS GovCloud (US) or China Regions, you can
    only configure secrets and the replicas within these specialized AWS Regions. You can't
    replicate a secret in your enabled AWS Regions to a specialized Region or replicate secrets
    from a specialized region to a commercial region." (choices.CROSS_PARTITION_REPLICA_CODE)"""
    partitions = backend.partitions
    own = partitions.of(home)
    for request in requests:
        other = partitions.of(request.region) if request.region else own
        if other != own:
            raise AwsError(
                choices.CROSS_PARTITION_REPLICA_CODE,
                f"You can't replicate a secret from {home} (partition {own}) to {request.region} "
                f"(partition {other}): replicas stay within the primary's partition. Pick a region "
                f"of the {own} partition.",
            )


def check_keys(backend: Backend, account_id: str, requests: Sequence[ReplicaRequest]) -> None:
    """Raise the request errors :func:`add_replicas` would for the replicas' key ids (a malformed
    id, a key of another region, an unknown key under strict keys), without creating a region
    store or a key: CreateSecret checks them before anything is made and resolves them only
    once the secret exists, so a call that fails in between leaves nothing behind (SPEC A8)."""
    for request in requests:
        ref = request.kms_key_id
        if not ref:
            continue
        store = backend.existing_store(account_id, request.region)
        if store is None:  # no key exists there yet: only the form of the id can be wrong
            Keyring(account_id, request.region, partition=backend.partitions.of(request.region)).check(ref)
            continue
        with store.lock:
            store.keyring.check(ref)


# ---- changes (the caller holds the locks of the primary's and the replicas' stores) ----------
def add_replicas(
    backend: Backend, primary: Secret, requests: Sequence[ReplicaRequest], force: bool, now: datetime
) -> None:
    """Validate and create replicas (ReplicateSecretToRegions, CreateSecret's AddReplicaRegions,
    SPEC I1, I2, I3, I5).

    The caller checked :func:`guard_write` and :func:`check_regions`. Request errors (a region
    already in sync, a bad key id) fail the whole call before any replica is made. Whatever
    stops one replica afterwards (a name taken, an unusable key, a full region) is that
    replica's ``Status: Failed`` with a message, not an exception (SPEC I5); the other replicas
    and the primary go ahead.
    """
    for request in requests:
        status = primary.replicas.get(request.region)
        if status is not None and status.status == "InSync":
            raise invalid_parameter(
                f"The secret is already replicated to {request.region}. Remove that replica first to change it."
            )
    keys: list[tuple[str, KmsKey]] = []
    for request in requests:  # every key resolves before any replica is made
        store = backend.store(primary.account_id, request.region)
        with store.lock:
            keys.append((request.region, store.resolve_key(request.kms_key_id)))
    for region, key in keys:
        _add(backend, primary, region, key, force, now)


def _add(backend: Backend, primary: Secret, region: str, key: KmsKey, force: bool, now: datetime) -> None:
    """Create (or overwrite, with ``force``) the replica of ``primary`` in ``region``."""
    store = backend.store(primary.account_id, region)
    with store.lock:
        status = ReplicaStatus(region, key, arn=replica_arn(primary, region))
        existing = store.lookup(primary.name, now)
        if existing is not None and not force:
            status.status = "Failed"
            status.message = (
                "Secret with this name already exists in this region. Pass "
                "ForceOverwriteReplicaSecret=true to overwrite it."
            )
        elif existing is not None and (existing.replica_of is not None or existing.replicas):
            # Overwriting another secret's replica, or a primary with replicas of its own,
            # would leave that other replication pointing at nothing.
            status.status = "Failed"
            status.message = (
                f"The secret {primary.name} in {region} takes part in another replication. "
                "Stop that replication first (StopReplicationToReplica or "
                "RemoveRegionsFromReplication)."
            )
        else:
            replica = Secret(
                arn=status.arn,
                name=primary.name,
                account_id=primary.account_id,
                region=region,
                created=now,
                kms_key=key,
                kms_key_explicit=not key.is_default,
                replica_of=primary.arn,
                primary_region=primary.region,
            )
            try:
                if existing is None:  # an overwrite takes the place of the secret it replaces
                    store.check_capacity(now)
                _copy(primary, replica)
            except AwsError as error:  # SPEC I5: a full region or an unusable key fails this replica only
                status.status = "Failed"
                status.message = _failure(error)
            else:
                if existing is not None:
                    store.purge(existing)
                store.insert(replica)
    primary.replicas[region] = status
    primary.primary_region = primary.region


def remove(backend: Backend, primary: Secret, regions: Sequence[str]) -> None:
    """Delete replicas at once, with no recovery window (SPEC G8, I9); every region must be one
    of the primary's replicas, or nothing changes."""
    guard_write(primary)
    for region in regions:
        if region not in primary.replicas:
            raise invalid_parameter(f"The secret has no replica in {region}.")
    for region in regions:
        status = primary.replicas.pop(region, None)
        if status is None:
            continue
        store = backend.store(primary.account_id, region)
        with store.lock:
            replica = store.by_arn.get(status.arn)
            if replica is not None and replica.replica_of == primary.arn:
                store.purge(replica)


def primary_of(backend: Backend, replica: Secret) -> Secret | None:
    """The primary a replica belongs to, if it still exists."""
    if replica.replica_of is None:
        return None
    store = backend.existing_store(replica.account_id, arns.region_of(replica.replica_of))
    return store.by_arn.get(replica.replica_of) if store is not None else None


def promote(backend: Backend, replica: Secret) -> None:
    """StopReplicationToReplica: the replica becomes an independent primary (SPEC I8)."""
    if replica.replica_of is None:
        # SPEC I8 (recommendation): InvalidRequestException on a secret that is not a replica.
        raise invalid_request(
            f"Secret {replica.name} in {replica.region} is not a replica. Call "
            "StopReplicationToReplica in the replica's region."
        )
    primary = primary_of(backend, replica)
    replica.replica_of = None
    replica.primary_region = replica.region
    if primary is not None:
        primary.replicas.pop(replica.region, None)
        primary.touch()


def report_key(backend: Backend, replica: Secret) -> None:
    """The primary's ReplicationStatus shows the replica's key as it is now (SPEC I4, I6)."""
    primary = primary_of(backend, replica)
    status = primary.replicas.get(replica.region) if primary is not None else None
    if primary is not None and status is not None and status.arn == replica.arn:
        status.kms_key = replica.kms_key
        primary.touch()


def sync(backend: Backend, primary: Secret) -> None:
    """Copy the primary's metadata and versions to every healthy replica (SPEC I7).

    The write to the primary has succeeded by now; a replica that cannot take it (its key
    was disabled) turns ``Failed`` with the reason (SPEC I5) and keeps what it had, and the
    others are still brought up to date.
    """
    for status in primary.replicas.values():
        if status.status != "InSync":
            continue
        store = backend.store(primary.account_id, status.region)
        with store.lock:
            replica = store.by_arn.get(status.arn)
            if replica is None:
                continue
            try:
                _copy(primary, replica)
            except AwsError as error:
                status.status = "Failed"
                status.message = _failure(error)


def _failure(error: AwsError) -> str:
    return f"Replication failed: {error.message} ({error.code})"


def _copy(primary: Secret, replica: Secret) -> None:
    """Bring ``replica`` level with ``primary``: all or nothing (every value is re-sealed under
    the replica's key before anything on the replica changes; raises AwsError if one cannot)."""
    versions: dict[str, SecretVersion] = {}
    for vid, version in primary.versions.items():
        mine = replica.versions.get(vid)
        if mine is not None and (mine.has_value or not version.has_value):
            versions[vid] = mine
        else:
            versions[vid] = _reseal(primary, version, replica, replica.kms_key)
    replica.description = primary.description
    replica.tags = dict(primary.tags)
    replica.tags_touched = primary.tags_touched
    replica.policy = primary.policy
    replica.owning_service = primary.owning_service
    replica.type = primary.type
    replica.versions.clear()  # versions pruned on the primary go too
    replica.versions.update(versions)
    replica.stages = dict(primary.stages)
    replica.last_changed = primary.last_changed
    replica.touch()


def _reseal(primary: Secret, version: SecretVersion, replica: Secret, key: KmsKey) -> SecretVersion:
    if version.envelope is None:
        return SecretVersion(version.version_id, version.created, None)
    plain = open_envelope(version.envelope, version.keys, primary.arn, version.version_id)
    envelope = seal(plain, key, replica.arn, version.version_id)
    del plain
    return SecretVersion(version.version_id, version.created, envelope, binary=version.binary, keys=[key])
