"""Multi-Region replication (SPEC §I): replicas, their read-only guard and propagation.

A replica is an ordinary :class:`~sm_mock.model.secret.Secret` in another region's store
whose ``replica_of`` names the primary's ARN. Changes to the primary reach its replicas
synchronously after each successful write (SPEC I7: the mock reports InSync at once), values
re-sealed under the replica region's KMS key (SPEC I3). The guard and the propagation cost
nothing while no secret in the mock has replicas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .crypto import DEFAULT_KEY_ALIAS, Keyring, KmsKey, open_envelope, seal
from .errors import AwsError, invalid_request
from .model import arn as arns
from .model.secret import ReplicaStatus, Secret, SecretVersion

if TYPE_CHECKING:
    from .operations.base import RequestContext

__all__ = ["Replication", "replica_arn", "status_entries"]

#: Operations that change a secret: refused on a replica (SPEC I6), propagated from a primary.
WRITES = frozenset(
    {
        "PutSecretValue",
        "UpdateSecret",
        "UpdateSecretVersionStage",
        "TagResource",
        "UntagResource",
        "DeleteSecret",
        "RestoreSecret",
        "RotateSecret",
        "CancelRotateSecret",
        "PutResourcePolicy",
        "DeleteResourcePolicy",
        "ReplicateSecretToRegions",
        "RemoveRegionsFromReplication",
    }
)

_REPLICA_READ_ONLY = "Operation not permitted on a replica secret. Call must be made in primary secret's region."


def replica_arn(primary: Secret, region: str) -> str:
    """The primary's ARN with the region swapped (SPEC B11)."""
    return arns.with_region(primary.arn, region)


def status_entries(secret: Secret) -> list[dict[str, Any]]:
    """``ReplicationStatus`` of a primary (SPEC I4)."""
    out: list[dict[str, Any]] = []
    for status in secret.replicas.values():
        entry: dict[str, Any] = {
            "Region": status.region,
            "KmsKeyId": DEFAULT_KEY_ALIAS if status.kms_key.is_default else status.kms_key.arn,
            "Status": status.status,
            "StatusMessage": status.message,
        }
        out.append(entry)
    return out


class Replication:
    """The replication bookkeeping of one mock."""

    def __init__(self) -> None:
        #: How many primaries have replicas: 0 keeps the request path free of any work.
        self.primaries = 0

    def guard(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        """Refuse writes to a replica (SPEC I6) and deleting a primary with replicas (G8)."""
        if not self.primaries or ctx.operation not in WRITES:
            return
        secret = self._target(ctx, params)
        if secret is None:
            return
        if secret.replica_of is not None:
            key_only = ctx.operation == "UpdateSecret" and not (
                {"SecretString", "SecretBinary", "Description"} & params.keys()
            )
            if not key_only:  # SPEC I6: a replica may change only its own KMS key
                raise invalid_request(_REPLICA_READ_ONLY)
        elif secret.replicas and ctx.operation == "DeleteSecret":
            raise invalid_request(
                f"You can't delete secret {secret.name} because it still has replicas in "
                f"{', '.join(sorted(secret.replicas))}. Remove them first with "
                "RemoveRegionsFromReplication."
            )

    def propagate(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        """After a successful write to a primary, bring its replicas up to date (SPEC I7)."""
        if not self.primaries or ctx.operation not in WRITES:
            return
        secret = self._target(ctx, params)
        if secret is None:
            return
        if secret.replicas:
            self.sync(ctx, secret)
        elif secret.replica_of is not None:  # UpdateSecret(KmsKeyId) on a replica (SPEC I6)
            self._report_key(ctx, secret)

    @staticmethod
    def _report_key(ctx: RequestContext, replica: Secret) -> None:
        """The primary's ReplicationStatus shows the replica's key as it is now (SPEC I4)."""
        primary_arn = replica.replica_of
        if primary_arn is None:
            return
        store = ctx.backend.store(replica.account_id, arns.region_of(primary_arn))
        with store.lock:
            primary = store.by_arn.get(primary_arn)
            status = primary.replicas.get(replica.region) if primary is not None else None
            if status is not None and status.arn == replica.arn:
                status.kms_key = replica.kms_key

    @staticmethod
    def _target(ctx: RequestContext, params: dict[str, Any]) -> Secret | None:
        secret_id = params.get("SecretId")
        if not isinstance(secret_id, str):
            return None
        return ctx.backend.find(secret_id, ctx.account_id, ctx.region)

    # ---- changes --------------------------------------------------------------------------
    @staticmethod
    def check_keys(ctx: RequestContext, account_id: str, regions: list[dict[str, Any]]) -> None:
        """Raise the request errors :meth:`resolve_keys` would (a malformed key id, a key of
        another region, an unknown key under strict keys), without creating a region store or
        a key: CreateSecret checks them before anything is made and resolves them only once
        the secret exists, so a call that fails in between leaves nothing behind (SPEC A8)."""
        for entry in regions:
            ref = entry.get("KmsKeyId")
            if not ref:
                continue
            store = ctx.backend.existing_store(account_id, entry["Region"])
            if store is None:  # no key exists there yet: only the form of the id can be wrong
                Keyring(account_id, entry["Region"]).check(ref)
                continue
            with store.lock:
                store.keyring.check(ref)

    @staticmethod
    def resolve_keys(ctx: RequestContext, account_id: str, regions: list[dict[str, Any]]) -> list[tuple[str, KmsKey]]:
        """Each ``AddReplicaRegions`` entry's region and KMS key, resolved in that region.

        Called before any replica is made: a malformed key id or a key of another region is an
        error of the request (InvalidParameterException), so the call must fail whole.
        """
        resolved: list[tuple[str, KmsKey]] = []
        for entry in regions:
            store = ctx.backend.store(account_id, entry["Region"])
            with store.lock:
                resolved.append((entry["Region"], store.resolve_key(entry.get("KmsKeyId"))))
        return resolved

    def add(self, ctx: RequestContext, primary: Secret, region: str, key: KmsKey, force: bool) -> None:
        """Create (or overwrite, with ``force``) the replica of ``primary`` in ``region``.

        Whatever stops one replica (a name taken, an unusable key) is that replica's
        ``Status: Failed`` with a message, not an exception (SPEC I5), and leaves its region as it
        was; the other replicas and the primary go ahead.
        """
        store = ctx.backend.store(primary.account_id, region)
        with store.lock:
            status = ReplicaStatus(region, key, arn=replica_arn(primary, region))
            existing = store.lookup(primary.name, ctx.now)
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
                    created=ctx.now,
                    kms_key=key,
                    kms_key_explicit=not key.is_default,
                    replica_of=primary.arn,
                    primary_region=primary.region,
                )
                try:
                    if existing is None:  # an overwrite takes the place of the secret it replaces
                        store.check_capacity(ctx.now)
                    _copy(primary, replica)
                except AwsError as error:  # SPEC I5: a full region or an unusable key fails this replica only
                    status.status = "Failed"
                    status.message = _failure(error)
                else:
                    if existing is not None:
                        store.purge(existing)
                    store.insert(replica)
        if not primary.replicas:
            self.primaries += 1
        primary.replicas[region] = status
        primary.primary_region = primary.region

    def remove(self, ctx: RequestContext, primary: Secret, region: str) -> None:
        """Delete a replica at once, with no recovery window (SPEC G8, I9)."""
        status = primary.replicas.pop(region, None)
        if status is None:
            return
        if not primary.replicas:
            self.primaries -= 1
        store = ctx.backend.store(primary.account_id, region)
        with store.lock:
            replica = store.by_arn.get(status.arn)
            if replica is not None and replica.replica_of == primary.arn:
                store.purge(replica)

    def promote(self, ctx: RequestContext, replica: Secret) -> None:
        """StopReplicationToReplica: the replica becomes an independent primary (SPEC I8)."""
        primary_arn = replica.replica_of
        replica.replica_of = None
        replica.primary_region = replica.region
        if primary_arn is None:
            return
        primary_region = arns.region_of(primary_arn)
        primary = ctx.backend.store(replica.account_id, primary_region).by_arn.get(primary_arn)
        if primary is not None and primary.replicas.pop(replica.region, None) is not None and not primary.replicas:
            self.primaries -= 1

    def sync(self, ctx: RequestContext, primary: Secret) -> None:
        """Copy the primary's metadata and versions to every healthy replica.

        The write to the primary has succeeded by now; a replica that cannot take it (its key
        was disabled) turns ``Failed`` with the reason (SPEC I5) and keeps what it had, and the
        others are still brought up to date.
        """
        for status in primary.replicas.values():
            if status.status != "InSync":
                continue
            store = ctx.backend.store(primary.account_id, status.region)
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


def _reseal(primary: Secret, version: SecretVersion, replica: Secret, key: KmsKey) -> SecretVersion:
    if version.envelope is None:
        return SecretVersion(version.version_id, version.created, None)
    plain = open_envelope(version.envelope, version.keys, primary.arn, version.version_id)
    envelope = seal(plain, key, replica.arn, version.version_id)
    del plain
    return SecretVersion(version.version_id, version.created, envelope, binary=version.binary, keys=[key])
