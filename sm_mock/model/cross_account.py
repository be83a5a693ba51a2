"""Cross-account replicas (botocore 1.44): a primary in one account, a read-only replica in
another account of the same region and partition.

The rules are the model's documentation strings:

- CreateSecret with ``CrossAccountPrimaryARN``, in the replica's account, creates the replica:
  "The primary secret must be in the same Amazon Web Services Region and partition as the
  replica, and you must specify a customer managed KMS key in KmsKeyId. You can't include
  SecretString, SecretBinary, Description, AddReplicaRegions, or Type." It is Pending until the
  primary's account associates it, and gets a resource policy that lets the primary's account
  accept replication (creating one "also" needs "secretsmanager:PutResourcePolicy").
- AssociateCrossAccountReplica, "from the account that owns the primary secret": "A primary
  secret can have at most one cross-account replica. This operation is idempotent, so you can
  call it again for the same replica to repair replication. If the association fails, Secrets
  Manager does not modify either the primary or replica secret."
- DisassociateCrossAccountReplica: the replica stays, read-only, "its replication status
  changes to Detached"; StopReplicationToReplica on the replica "promotes the replica in your
  account to a standalone secret" and the primary's status for it becomes Detached.
- "You can't delete a cross-account primary secret that is associated with a cross-account
  replica secret ... Similarly, you can't delete a cross-account replica secret without first
  stopping replication."

A replica has :attr:`~sm_mock.model.secret.Secret.replica_of` set like a regional replica, so
the read-only guard of :mod:`.replication` covers it; its values are re-sealed under its own
account's key. Every function here runs with the locks of both stores held (the service's
``locked`` covers linked stores).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from .. import choices
from ..crypto import DEFAULT_KEY_ALIAS
from ..errors import AwsError, invalid_parameter, invalid_request, not_found
from . import arn as arns
from .replication import _reseal
from .secret import CrossAccountLink, Secret, SecretVersion

if TYPE_CHECKING:
    from .backend import Backend

__all__ = [
    "ACCEPT_ACTION",
    "PolicyCheck",
    "associate",
    "check_create",
    "check_deletable",
    "disassociate",
    "find_replica",
    "linked_stores",
    "make_replica",
    "promote",
    "replica_of_link",
    "sync",
]

#: The action a replica's policy grants the primary's account (AssociateCrossAccountReplica:
#: "Secrets Manager calls AcceptCrossAccountReplication on the replica secret on your behalf").
ACCEPT_ACTION = "secretsmanager:AcceptCrossAccountReplication"
_OK = "Replication succeeded"

#: ``allows(policies, account_id, action)``: whether resource policies (JSON texts) let an
#: account perform an action. The operations layer reads the JSON (operations/policy.py).
PolicyCheck = Callable[[Sequence[str], str, str], bool]


# ---- CreateSecret(CrossAccountPrimaryARN) ------------------------------------------------------
def check_create(
    primary_arn: str,
    *,
    account_id: str,
    region: str,
    partition: str,
    kms_key_id: str | None,
    has_value: bool,
    description: str | None,
    replica_regions: bool,
    type_: str | None,
) -> None:
    """CreateSecret's checks of a cross-account replica, before anything is made."""
    refused = [
        member
        for member, given in (
            ("SecretString or SecretBinary", has_value),
            ("Description", description is not None),
            ("AddReplicaRegions", replica_regions),
            ("Type", type_ is not None),
        )
        if given
    ]
    if refused:
        raise invalid_parameter(
            f"A cross-account replica can't include {', '.join(refused)}: it takes them from its primary "
            "secret. Leave them out of CreateSecret."
        )
    parsed = arns.parse(primary_arn)
    if parsed is None or arns.SUFFIX_TAIL.search(parsed.resource) is None:
        raise invalid_parameter(
            f"CrossAccountPrimaryARN {primary_arn!r} is not the full ARN of a secret "
            "(arn:aws:secretsmanager:<region>:<account>:secret:<name>-<suffix>)."
        )
    if parsed.region != region or parsed.partition != partition:
        raise invalid_parameter(
            f"The primary secret {primary_arn} is in {parsed.region} ({parsed.partition}); a cross-account "
            f"replica must be in the same Region and partition. Create it in {parsed.region}."
        )
    if parsed.account_id == account_id:
        raise invalid_parameter(
            f"The primary secret {primary_arn} is in this account ({account_id}). A cross-account replica "
            "lives in another account; within one account use ReplicateSecretToRegions."
        )
    key = (kms_key_id or "").strip()
    if not key or key == DEFAULT_KEY_ALIAS or key.endswith(":" + DEFAULT_KEY_ALIAS):
        raise invalid_parameter(
            "A cross-account replica must be encrypted with a customer managed KMS key: pass its ARN, "
            "id or alias in KmsKeyId (not aws/secretsmanager)."
        )


def make_replica(secret: Secret, primary_arn: str, policy: str) -> None:
    """Turn a newly created (empty) secret into a Pending cross-account replica of ``primary_arn``;
    ``policy`` lets the primary's account accept replication (choices.CROSS_ACCOUNT_REPLICA_POLICY_NAME)."""
    secret.cross_account_primary = CrossAccountLink(primary_arn, secret.arn)
    secret.replica_of = primary_arn  # read-only, as a regional replica (replication.guard_write)
    secret.named_policies[choices.CROSS_ACCOUNT_REPLICA_POLICY_NAME] = policy


# ---- AssociateCrossAccountReplica ----------------------------------------------------------------
def find_replica(backend: Backend, primary: Secret, replica_arn: str) -> Secret:
    """The replica ``replica_arn`` names, checked against ``primary`` (same region and partition,
    another account, created as its replica); the store lock is taken by the caller."""
    parsed = arns.parse(replica_arn)
    if parsed is None:
        raise invalid_parameter(f"CrossAccountReplicaARN {replica_arn!r} is not the ARN of a secret.")
    home = arns.parse(primary.arn)
    assert home is not None
    if parsed.region != home.region or parsed.partition != home.partition:
        raise invalid_parameter(
            f"The replica {replica_arn} must be in the primary's Region and partition ({home.region}, "
            f"{home.partition})."
        )
    if parsed.account_id == primary.account_id:
        raise invalid_parameter(
            f"The replica {replica_arn} is in the primary's own account; a cross-account replica is in another account."
        )
    store = backend.existing_store(parsed.account_id, parsed.region)
    replica = store.by_arn.get(replica_arn) if store is not None else None
    if replica is None:
        raise not_found(f"Secrets Manager can't find the cross-account replica secret {replica_arn}.")
    return replica


def associate(
    backend: Backend,
    primary: Secret,
    replica: Secret,
    *,
    caller_account: str,
    restriction: str,
    role_arn: str | None,
    allows: PolicyCheck,
) -> CrossAccountLink:
    """Link ``replica`` to ``primary`` and copy the primary's versions to it; every check comes
    first, so a refused association changes neither secret."""
    if primary.account_id != caller_account:
        raise invalid_request(
            f"Call AssociateCrossAccountReplica from the account that owns the primary secret ({primary.account_id})."
        )
    if primary.replica_of is not None:
        raise invalid_request(
            f"Secret {primary.name} is itself a replica; only a primary secret can have a cross-account replica."
        )
    if primary.deleted_at is not None or replica.deleted_at is not None:
        raise invalid_request("You can't associate a secret that is scheduled for deletion. Restore it first.")
    link = replica.cross_account_primary
    if link is None or link.primary_arn != primary.arn:
        raise invalid_request(
            f"The secret {replica.arn} was not created as a cross-account replica of {primary.arn}. Create "
            "it in the replica's account with CreateSecret(CrossAccountPrimaryARN=<the primary's ARN>)."
        )
    others = [
        other
        for arn, other in primary.cross_account_replicas.items()
        if arn != replica.arn and other.status != "Detached"
    ]
    if others:
        raise AwsError(
            "LimitExceededException",
            f"Secret {primary.name} already has a cross-account replica ({others[0].replica_arn}); a primary "
            "can have one. Disassociate it first with DisassociateCrossAccountReplica.",
        )
    if not allows(_policies(replica), primary.account_id, ACCEPT_ACTION):
        raise AwsError(
            "AccessDeniedException",
            f"The resource policy of {replica.arn} does not let account {primary.account_id} perform {ACCEPT_ACTION}.",
        )
    if restriction == "SameOrg" and backend.organization_of(primary.account_id) != backend.organization_of(
        replica.account_id
    ):
        raise invalid_request(
            f"ReplicaRestriction SameOrg: accounts {primary.account_id} and {replica.account_id} are in "
            "different organizations. Pass ReplicaRestriction='NoRestriction' to replicate outside the "
            "organization."
        )
    versions = _resealed(primary, replica)  # raises (nothing changed) when the replica's key can't seal
    link.restriction = restriction
    link.role_arn = role_arn
    _apply(primary, replica, versions)
    link.status, link.message = "InSync", _OK
    primary.cross_account_replicas[replica.arn] = link
    primary.touch()
    return link


def disassociate(primary: Secret, replica_arn: str, caller_account: str) -> CrossAccountLink:
    """Stop sending updates to the replica; it stays, read-only, Detached."""
    if primary.account_id != caller_account:
        raise invalid_request(
            "Call DisassociateCrossAccountReplica from the account that owns the primary secret "
            f"({primary.account_id})."
        )
    link = primary.cross_account_replicas.get(replica_arn)
    if link is None:
        raise not_found(
            f"Secret {primary.name} has no cross-account replica {replica_arn}. DescribeSecret lists its "
            "CrossAccountReplicas."
        )
    link.status, link.message = "Detached", "Replication was stopped by the primary."
    primary.touch()
    return link


# ---- after writes, promotion, deletion -----------------------------------------------------------
def sync(backend: Backend, primary: Secret) -> None:
    """Copy the primary's versions to each linked (InSync) replica; one whose key cannot seal
    them turns Failed with the reason and keeps what it had."""
    for link in primary.cross_account_replicas.values():
        if link.status != "InSync":
            continue
        replica = replica_of_link(backend, link)
        if replica is None:
            continue
        try:
            versions = _resealed(primary, replica)
        except AwsError as error:
            link.status, link.message = "Failed", f"Replication failed: {error.message} ({error.code})"
            continue
        _apply(primary, replica, versions)


def promote(backend: Backend, replica: Secret) -> None:
    """StopReplicationToReplica on a cross-account replica: a standalone secret of its account;
    the primary shows it Detached. The replication policy goes too (the call "also" needs
    "secretsmanager:DeleteResourcePolicy")."""
    link = replica.cross_account_primary
    assert link is not None
    replica.cross_account_primary = None
    replica.replica_of = None
    replica.named_policies.pop(choices.CROSS_ACCOUNT_REPLICA_POLICY_NAME, None)
    if link.status != "Pending":
        link.status, link.message = "Detached", "Replication was stopped by the replica."
    primary = _primary_of_link(backend, link)
    if primary is not None:
        primary.touch()
    replica.touch()


def check_deletable(secret: Secret) -> None:
    """A primary with a cross-account replica that is not Detached can't be deleted."""
    linked = [link.replica_arn for link in secret.cross_account_replicas.values() if link.status != "Detached"]
    if linked:
        raise invalid_parameter(  # the code of the recorded regional refusals (SM-136, SM-137)
            f"You can't delete secret {secret.name} because it is associated with the cross-account replica "
            f"{linked[0]}. Disassociate it first with DisassociateCrossAccountReplica."
        )
    if secret.cross_account_primary is not None:
        raise invalid_parameter(
            f"You can't delete the cross-account replica {secret.name} while it replicates from "
            f"{secret.cross_account_primary.primary_arn}. Call StopReplicationToReplica on it first."
        )


def linked_stores(secret: Secret) -> list[tuple[str, str]]:
    """The (account, region) stores of the secrets linked to ``secret`` across accounts."""
    arns_linked = list(secret.cross_account_replicas)
    if secret.cross_account_primary is not None:
        arns_linked.append(secret.cross_account_primary.primary_arn)
    out = []
    for arn in arns_linked:
        parsed = arns.parse(arn)
        assert parsed is not None, arn
        out.append((parsed.account_id, parsed.region))
    return out


# ---- helpers --------------------------------------------------------------------------------------
def replica_of_link(backend: Backend, link: CrossAccountLink) -> Secret | None:
    parsed = arns.parse(link.replica_arn)
    assert parsed is not None
    store = backend.existing_store(parsed.account_id, parsed.region)
    replica = store.by_arn.get(link.replica_arn) if store is not None else None
    return replica if replica is not None and replica.cross_account_primary is link else None


def _primary_of_link(backend: Backend, link: CrossAccountLink) -> Secret | None:
    parsed = arns.parse(link.primary_arn)
    assert parsed is not None
    store = backend.existing_store(parsed.account_id, parsed.region)
    return store.by_arn.get(link.primary_arn) if store is not None else None


def _resealed(primary: Secret, replica: Secret) -> dict[str, SecretVersion]:
    """The primary's versions as the replica holds them, each value re-sealed under the
    replica's own key (raises AwsError, changing nothing, when one cannot be)."""
    versions: dict[str, SecretVersion] = {}
    for vid, version in primary.versions.items():
        mine = replica.versions.get(vid)
        if mine is not None and (mine.has_value or not version.has_value):
            versions[vid] = mine
        else:
            versions[vid] = _reseal(primary, version, replica, replica.kms_key)
    return versions


def _apply(primary: Secret, replica: Secret, versions: dict[str, SecretVersion]) -> None:
    """Bring the replica level with the primary (choices.CROSS_ACCOUNT_REPLICATED_FIELDS)."""
    replica.versions.clear()
    replica.versions.update(versions)
    replica.stages = dict(primary.stages)
    replica.description = primary.description
    replica.type = primary.type
    replica.last_changed = primary.last_changed
    replica.touch()


def _policies(secret: Secret) -> list[str]:
    return [text for text in (secret.policy, *secret.named_policies.values()) if text is not None]
