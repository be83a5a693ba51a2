"""Domain objects: a secret and its versions.

Labels live in exactly one place, :attr:`Secret.stages` (label → version id); "current"
means "the version that holds AWSCURRENT" (docs/design.md principle 3). A version's own labels
are derived from that map. Every change to labels goes through :mod:`sm_mock.model.labels`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from .. import choices
from ..crypto import Envelope, KmsKey

if TYPE_CHECKING:
    from collections.abc import Callable

    from .schedule import RotationSchedule

__all__ = [
    "AWSCURRENT",
    "AWSPENDING",
    "AWSPREVIOUS",
    "WATCHED_FIELDS",
    "CrossAccountLink",
    "ReplicaStatus",
    "RotationState",
    "Secret",
    "SecretVersion",
]

AWSCURRENT = "AWSCURRENT"
AWSPREVIOUS = "AWSPREVIOUS"
AWSPENDING = "AWSPENDING"


@dataclass(slots=True, eq=False)
class SecretVersion:
    """One immutable version. ``envelope`` is None only for an empty AWSPENDING placeholder
    created by RotateSecret (SPEC D12)."""

    version_id: str
    created: datetime
    envelope: Envelope | None
    binary: bool = False
    #: The KMS keys that wrap this version's data key (SPEC F8f); reported as KmsKeyIds.
    keys: list[KmsKey] = field(default_factory=list)
    #: Date precision only (SPEC P3); set by value reads.
    last_accessed: date | None = None

    @property
    def has_value(self) -> bool:
        """False for the empty rotation placeholder."""
        return self.envelope is not None

    def __repr__(self) -> str:
        kind = "binary" if self.binary else "string"
        value = f"<encrypted {kind}>" if self.envelope is not None else "<no value>"
        return f"SecretVersion({self.version_id!r}, {value})"


@dataclass(slots=True, eq=False)
class RotationState:
    """Rotation configuration and progress (SPEC H1, H17, H19, H24, H25, H27).

    Where the pending version is stays in :attr:`Secret.stages` (AWSPENDING); this object only
    records what the labels can't: the configuration, the dates, and the rotation whose Lambda
    is running right now. :mod:`sm_mock.rotation` owns every change to it.
    """

    lambda_arn: str | None = None
    #: The validated ``RotationRules``; None when rotation runs on demand only.
    rules: RotationSchedule | None = None
    enabled: bool = False
    #: Completion time of the last successful rotation (SPEC H16).
    last_rotated: datetime | None = None
    #: When the schedule was last (re)started, or a value was written by hand (SPEC H23).
    anchor: datetime | None = None
    #: When the last rotation attempt started: a schedule fires once per window.
    last_attempt: datetime | None = None
    #: Version id (ClientRequestToken) of the rotation whose Lambda is running now.
    running: str | None = None
    #: The RotationToken handed to that Lambda (SPEC H12, H15).
    rotation_token: str | None = None
    #: Set while running when a write abandons (SPEC H19) or CancelRotateSecret cancels
    #: (SPEC H27) the rotation: "RotationAbandoned" or "RotationCancelled".
    interrupted: str | None = None
    #: Bumped whenever the schedule changes; older entries in the due-heap are stale.
    generation: int = 0
    #: A managed external secret's rotation (botocore 1.41+): the role Secrets Manager assumes
    #: to rotate it at the partner, and the partner's metadata as (Key, Value) pairs.
    external_role_arn: str | None = None
    external_metadata: tuple[tuple[str, str], ...] | None = None

    def next_date(self) -> datetime | None:
        """``NextRotationDate``: the end of the next rotation window (SPEC H23), or None when
        rotation is off or has no schedule (SPEC H25).

        The window follows the later of the last successful rotation and the last (re)start of
        the schedule or manual write (SPEC H23). A failed rotation does not move it, so after a
        failure the date may lie in the past (SPEC H17).
        """
        if not self.enabled or self.rules is None:
            return None
        base = _latest(self.anchor, self.last_rotated)
        return None if base is None else self.rules.next_window(base)[1]

    def due_at(self) -> datetime | None:
        """When the scheduler should next rotate: the start of the next window after the last
        rotation, schedule (re)start, manual write or attempt (so each window fires once)."""
        if not self.enabled or self.rules is None:
            return None
        base = _latest(self.anchor, self.last_rotated, self.last_attempt)
        return None if base is None else self.rules.next_window(base)[0]


def _latest(*moments: datetime | None) -> datetime | None:
    present = [m for m in moments if m is not None]
    return max(present) if present else None


@dataclass(slots=True, eq=False)
class ReplicaStatus:
    """One replica region of a primary secret, as ``ReplicationStatus`` reports it (SPEC I4)."""

    region: str
    kms_key: KmsKey
    status: str = "InSync"
    message: str = "Replication succeeded"
    #: The replica's ARN in ``region`` (the primary's ARN with the region swapped, SPEC B11).
    arn: str = ""


@dataclass(slots=True, eq=False)
class CrossAccountLink:
    """A cross-account replication link (botocore 1.44): a primary in one account, its replica
    in another account of the same region and partition. One object, held by both secrets
    (:attr:`Secret.cross_account_primary` on the replica, :attr:`Secret.cross_account_replicas`
    on the primary once associated), so both report one status."""

    primary_arn: str
    replica_arn: str
    #: InSync, Failed, InProgress, Pending (created, not associated yet) or Detached.
    status: str = "Pending"
    message: str | None = None
    #: AssociateCrossAccountReplica's ReplicationRoleARN and ReplicaRestriction.
    role_arn: str | None = None
    restriction: str = "SameOrg"


@dataclass(slots=True, eq=False)
class Secret:
    """A secret: metadata plus versions. Holds no plaintext."""

    arn: str
    name: str
    account_id: str
    region: str
    created: datetime
    kms_key: KmsKey
    #: Called as ``watcher(secret, field, old_value)`` after a field of :data:`WATCHED_FIELDS`
    #: changes; the owning store's listing index sets it (sm_mock.model.index). Declared before
    #: the watched fields so it is already None while ``__init__`` assigns them.
    watcher: Callable[[Secret, str, Any], None] | None = field(default=None, repr=False)
    #: True when the user named a KmsKeyId; DescribeSecret omits KmsKeyId for the default key.
    kms_key_explicit: bool = False
    description: str | None = None
    #: Insertion-ordered, as DescribeSecret returns them (SM-076).
    tags: dict[str, str] = field(default_factory=dict)
    #: True once tags were ever set: DescribeSecret then keeps ``Tags`` even when empty (SM-077).
    tags_touched: bool = False
    #: Creation-ordered.
    versions: dict[str, SecretVersion] = field(default_factory=dict)
    #: THE source of truth for staging labels: label → version id.
    stages: dict[str, str] = field(default_factory=dict)
    last_changed: datetime | None = None
    last_accessed: date | None = None
    #: Set while deletion is scheduled (SPEC G5): when it was requested, and the purge time.
    deleted_at: datetime | None = None
    deletion_date: datetime | None = None
    rotation: RotationState | None = None
    #: The ``default`` resource policy, the one a user attaches (PutResourcePolicy).
    policy: str | None = None
    #: Policies under other names, attached by Secrets Manager itself (sm_mock.model.policies):
    #: name -> JSON text.
    named_policies: dict[str, str] = field(default_factory=dict)
    owning_service: str | None = None
    primary_region: str | None = None
    type: str | None = None
    #: Creation sequence number within its region store (stable listing order).
    seq: int = 0
    #: On a replica: the primary's ARN (SPEC I3, I6). None on a primary.
    replica_of: str | None = None
    #: On a primary: region → replication status of each replica (SPEC I4).
    replicas: dict[str, ReplicaStatus] = field(default_factory=dict)
    #: On a cross-account replica: its link to the primary in the other account (until
    #: StopReplicationToReplica promotes it). It is also read-only: :attr:`replica_of` is set.
    cross_account_primary: CrossAccountLink | None = None
    #: On a cross-account primary: replica ARN → link (Detached links stay listed).
    cross_account_replicas: dict[str, CrossAccountLink] = field(default_factory=dict)
    #: Moves on with every change to the secret (:meth:`touch`): whoever keeps something made
    #: from a secret (the ListSecrets entries of :mod:`sm_mock.operations.entries`) may use it
    #: while the revision is the one it was made at.
    revision: int = 0

    def touch(self) -> None:
        """Record that the secret changed. The domain API (:mod:`.service`) calls it after every
        write, a read that stamps a new LastAccessedDate and replication after copying; code
        that changes a secret any other way must call it too."""
        self.revision += 1

    @property
    def scheduled_for_deletion(self) -> bool:
        """True while a DeleteSecret recovery window is running."""
        return self.deleted_at is not None

    def expired(self, now: datetime) -> bool:
        """True once the recovery window is over: the secret is gone (SPEC G7, the one home of
        the rule; :data:`sm_mock.choices.PURGE_AT_DELETION_DATE` says whether the DeletionDate
        itself is still inside the window)."""
        due = self.deletion_date
        if due is None:
            return False
        return now >= due if choices.PURGE_AT_DELETION_DATE else now > due

    @property
    def current(self) -> SecretVersion | None:
        """The version holding AWSCURRENT, if any."""
        vid = self.stages.get(AWSCURRENT)
        return self.versions[vid] if vid is not None else None

    def labels_of(self, version_id: str) -> list[str]:
        """The labels a version carries (derived from :attr:`stages`)."""
        return [label for label, vid in self.stages.items() if vid == version_id]

    def versions_to_stages(self) -> dict[str, list[str]]:
        """Labelled versions only, as ``VersionIdsToStages`` (SPEC D9)."""
        out: dict[str, list[str]] = {}
        for label, vid in self.stages.items():
            out.setdefault(vid, []).append(label)
        return out

    # The Searchable protocol of sm_mock.model.filters.
    @property
    def tag_items(self) -> list[tuple[str, str]]:
        """Tags as (key, value) pairs."""
        return list(self.tags.items())

    def __repr__(self) -> str:
        return f"Secret({self.arn!r}, versions={len(self.versions)}, labels={self.stages})"


#: The fields ListSecrets sorts by or partitions on (SortBy last-changed-date and
#: last-accessed-date, IncludePlannedDeletion). A change to one of them is reported to
#: :attr:`Secret.watcher`, so the listing indexes can catch up lazily instead of every writer
#: having to know about them (docs/design.md principle 7: point operations stay O(1)).
WATCHED_FIELDS = ("last_changed", "last_accessed", "deleted_at")


def _watch(cls: type[Secret], name: str) -> None:
    """Wrap the slot ``name`` of ``cls`` in a property that reports changes to the watcher."""
    slot: Any = cls.__dict__[name]  # the member descriptor that dataclass(slots=True) made
    get = slot.__get__  # C-level: reads stay about as cheap as a plain slot
    put = slot.__set__

    def fset(self: Secret, value: Any) -> None:
        watcher = self.watcher
        if watcher is None:  # in __init__, or a secret no store has taken in yet
            put(self, value)
            return
        old = get(self)
        put(self, value)
        if old != value:
            watcher(self, name, old)

    setattr(cls, name, property(get, fset, doc=f"The {name} slot; changes are reported to watcher."))


for _name in WATCHED_FIELDS:
    _watch(Secret, _name)
del _name
