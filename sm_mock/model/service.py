"""The domain API: one typed method per Secrets Manager operation that touches a secret.

Each method finds the secret, takes the locks, checks the rules, changes the state and keeps
everything that follows from a change in one place: LastChangedDate, the rotation rules that
come before and after a write (SPEC H15, H19, H23), the read-only guard of replicas (SPEC I6)
and the copy of a primary's changes to its replicas (SPEC I7). The handlers in
:mod:`sm_mock.operations` only translate wire parameters into these calls and the results
into wire dicts: they take no lock and never name rotation or replication.

Rotation runs the user's function, which is not the model's business: the session hands in
:class:`RotationHooks` (implemented by :class:`sm_mock.rotation.Rotations`), and the model
calls it at the points the rules name.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from .. import choices
from ..crypto import KmsKey, check_key_access, rewrap
from ..errors import BOTH_VALUES, AwsError, invalid_parameter, invalid_request, not_found
from ..ids import IdSource
from ..limits import Limits
from . import arn as arns
from . import labels, replication
from .backend import Backend
from .filters import SecretFilter
from .index import Page
from .replication import ReplicaRequest
from .rotation import pending_rotation
from .schedule import RotationSchedule
from .secret import AWSCURRENT, AWSPENDING, AWSPREVIOUS, Secret, SecretVersion
from .sorted import Key
from .store import RegionStore
from .tags import merge_tags

__all__ = [
    "MARKED_FOR_DELETION",
    "Caller",
    "Created",
    "Deleted",
    "ReplicaRequest",
    "RotationHooks",
    "SecretsService",
    "Value",
    "Written",
]

T = TypeVar("T")

#: SPEC G4 (SM-023..SM-027): the recorded text for reads and writes of a secret scheduled for
#: deletion.
MARKED_FOR_DELETION = "You can't perform this operation on the secret because it was marked for deletion."
#: SM-043 / SM-044.
_CROSS_ACCOUNT_DEFAULT_KEY = (
    "You can't access a secret from a different AWS account if you encrypt the secret with the default KMS service key."
)
#: SPEC F8a: the versions re-wrapped under a new KMS key.
_REWRAPPED = (AWSCURRENT, AWSPENDING, AWSPREVIOUS)


class Caller(Protocol):
    """Who asks, where, when, and with which operation (one clock reading per request)."""

    @property
    def account_id(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def now(self) -> datetime: ...
    @property
    def operation(self) -> str: ...


class RotationHooks(Protocol):
    """What the model asks of the rotation runner (:class:`sm_mock.rotation.Rotations`)."""

    def check_rotation_token(self, secret: Secret, token: str, rotation_token: str | None) -> None:
        """SPEC H15: refuse a RotationToken that does not belong to the rotation in flight."""

    def after_write(
        self, secret: Secret, token: str, pending_before: str | None, now: datetime, operation: str
    ) -> None:
        """SPEC H19, H23: a value was written (store lock held)."""

    def start(
        self,
        store: RegionStore,
        secret: Secret,
        *,
        token: str,
        lambda_arn: str | None,
        rules: RotationSchedule | None,
        immediately: bool,
        now: datetime,
    ) -> Callable[[], None] | None:
        """Validate and set up a rotation (store lock held); returns what runs it, to be called
        with no lock held, or None when nothing runs."""

    def cancel(self, secret: Secret, now: datetime) -> str | None:
        """SPEC H27: turn rotation off (store lock held); the version of the rotation in progress."""


@dataclass(slots=True)
class Value:
    """A secret value as a write carries it."""

    data: bytes
    binary: bool
    #: What SPEC C2 counts against the size quota: characters of a string, bytes of a binary.
    size: int


@dataclass(slots=True)
class Created:
    """CreateSecret's outcome: the secret, and the version made (None: no value given)."""

    secret: Secret
    version_id: str | None
    #: True for a retry of an earlier CreateSecret (same token and value, SPEC E2).
    reused: bool = False


@dataclass(slots=True)
class Written:
    """A value write's outcome: the version (new, or the existing one of an idempotent retry)."""

    secret: Secret
    version_id: str


@dataclass(slots=True)
class Deleted:
    """DeleteSecret's outcome."""

    arn: str
    name: str
    deletion_date: datetime


class SecretsService:
    """The operations of one session's backend (see the module docstring)."""

    def __init__(self, backend: Backend, limits: Limits, ids: IdSource, rotations: RotationHooks) -> None:
        self.backend = backend
        self.limits = limits
        self.ids = ids
        self.rotations = rotations

    # ---- finding and locking --------------------------------------------------------------
    def find(self, caller: Caller, secret_id: str) -> Secret:
        """Resolve a SecretId or answer ResourceNotFoundException (SM-013, SM-015).

        An id with invalid characters fails first (SM-004..012). It can never resolve: every
        stored name and ARN passed the same patterns when it was created. So the lookup goes
        first and only an id that finds nothing pays for the pattern check (profiled: the
        regular expression was a noticeable share of a point read).
        """
        secret = self.backend.find(secret_id, caller.account_id, caller.region, caller.now)
        if secret is None:
            arns.check_secret_id(secret_id)
            raise not_found()
        return secret

    def store_of(self, secret: Secret) -> RegionStore:
        """The region store that owns ``secret``."""
        return self.backend.store(secret.account_id, secret.region)

    def locked(self, secret: Secret, *, also: Sequence[str] = ()) -> _Locked:
        """Hold the lock of the secret's store and of every store replication ties it to, for a
        write: the secret is :meth:`~sm_mock.model.secret.Secret.touch`-ed when the write succeeds.

        A write to a primary is copied to its replicas before the call returns (SPEC I7), and a
        key change on a replica shows in its primary's ReplicationStatus (SPEC I4): those
        stores (and the regions in ``also``, where replicas are about to be made) are locked
        too, in one global order, so two writers never wait for each other in a circle.
        """
        return _Locked(self, secret, also)

    @staticmethod
    def _related(secret: Secret, also: Sequence[str]) -> list[tuple[str, str]]:
        account = secret.account_id
        if not secret.replicas and secret.replica_of is None and not also:
            return [(account, secret.region)]
        regions = {secret.region, *secret.replicas, *also}
        if secret.replica_of is not None:
            regions.add(arns.region_of(secret.replica_of))
        return sorted((account, region) for region in regions)

    def view(self, caller: Caller, secret_id: str, read: Callable[[Secret], T]) -> T:
        """``read(secret)`` under the secret's store lock: a consistent snapshot for answers that
        only read (DescribeSecret, ListSecretVersionIds, GetResourcePolicy)."""
        secret = self.find(caller, secret_id)
        with self.store_of(secret).lock:
            return read(secret)

    def list_page(
        self,
        caller: Caller,
        *,
        sort_by: str,
        descending: bool,
        include_planned: bool,
        flt: SecretFilter,
        after: Key | None,
        limit: int,
        prefixes_exact: bool,
        read: Callable[[Page], T],
    ) -> T:
        """``read(page)`` for one page of the caller's secrets in its region (SPEC L1–L11), under
        the store lock: O(page + log n) through the listing index (:mod:`.index`)."""
        store = self.backend.store(caller.account_id, caller.region)
        with store.lock:
            page = store.index.page(
                caller.now,
                sort_by=sort_by,
                descending=descending,
                include_planned=include_planned,
                flt=flt,
                after=after,
                limit=limit,
                prefixes_exact=prefixes_exact,
            )
            return read(page)

    @staticmethod
    def check_not_deleted(secret: Secret) -> None:
        """Reads and writes of a secret scheduled for deletion fail (SPEC G4, SM-023..SM-027)."""
        if secret.deleted_at is not None:
            raise invalid_request(MARKED_FOR_DELETION)

    @staticmethod
    def _check_key_reachable(caller: Caller, secret: Secret) -> None:
        """SM-043/SM-044: another account can't use a secret under the default KMS key."""
        if secret.account_id != caller.account_id and secret.kms_key.is_default:
            raise invalid_request(_CROSS_ACCOUNT_DEFAULT_KEY)

    @staticmethod
    def _changed(secret: Secret, now: datetime) -> None:
        """SPEC P2: the write changed the secret (LastChangedDate)."""
        secret.last_changed = now

    def _propagate(self, secret: Secret) -> None:
        """After a successful write: bring the replicas up to date (SPEC I7), or show a replica's
        new key on its primary (SPEC I4). Called with :meth:`locked` held."""
        if secret.replicas:
            replication.sync(self.backend, secret)
        elif secret.replica_of is not None:
            replication.report_key(self.backend, secret)

    def sync_replicas(self, secret: Secret) -> None:
        """Copy a primary's state to its replicas after a change made outside a request's write
        (a scheduled rotation, SPEC I7); no lock held by the caller."""
        with self.locked(secret):
            self._propagate(secret)

    # ---- values ---------------------------------------------------------------------------
    @staticmethod
    def read_value(secret: Secret, version: SecretVersion, now: datetime) -> bytes:
        """Decrypt a version and stamp LastAccessedDate (SPEC P3, P4; date only: later reads
        that day change nothing). The caller holds the store lock."""
        raw = RegionStore.read(secret, version)
        today = now.date()
        version.last_accessed = today
        if secret.last_accessed != today:
            secret.last_accessed = today
            secret.touch()
        return raw

    @staticmethod
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

    def get_secret_value(
        self, caller: Caller, secret_id: str, version_id: str | None, stage: str | None
    ) -> tuple[Secret, SecretVersion, bytes]:
        """Read a version's value by id, label, or AWSCURRENT by default."""
        secret = self.find(caller, secret_id)
        with self.store_of(secret).lock:
            return self._read(caller, secret, version_id, stage)

    def _read(
        self, caller: Caller, secret: Secret, version_id: str | None, stage: str | None
    ) -> tuple[Secret, SecretVersion, bytes]:
        # Inline, as it runs for every value read (BatchGetSecretValue: up to 20 per call).
        if secret.deleted_at is not None:
            raise invalid_request(MARKED_FOR_DELETION)  # SM-024, SM-057
        if secret.account_id != caller.account_id and secret.kms_key.is_default:
            raise invalid_request(_CROSS_ACCOUNT_DEFAULT_KEY)  # SM-043
        version = self.select_version(secret, version_id, stage)
        return secret, version, self.read_value(secret, version, caller.now)

    def read_current(self, caller: Caller, secret: Secret) -> tuple[Secret, SecretVersion, bytes]:
        """The AWSCURRENT value of a secret already found (BatchGetSecretValue, SPEC N2, N6);
        the caller holds the store lock."""
        return self._read(caller, secret, None, None)

    def _value(self, secret_string: str | None, secret_binary: bytes | None, *, required: bool) -> Value | None:
        """The value a write carries (SPEC C1, C4), within the size quota (SPEC C2); None when it
        carries none."""
        if secret_string is not None and secret_binary is not None:
            raise invalid_parameter(BOTH_VALUES)  # SM-050 (text provisional)
        if secret_string is not None:
            value = Value(secret_string.encode("utf-8"), False, len(secret_string))
        elif secret_binary is not None:
            value = Value(secret_binary, True, len(secret_binary))
        elif required:
            raise invalid_request("You must provide either SecretString or SecretBinary.")  # SM-049
        else:
            return None
        self.limits.check_value_size(value.size)
        return value

    @staticmethod
    def same_value(secret: Secret, version_id: str, value: Value) -> bool:
        """Whether a reused ClientRequestToken carries the version's own value (SPEC E2, E6)."""
        version = secret.versions[version_id]
        if not version.has_value or version.binary != value.binary:
            return False
        return hmac.compare_digest(RegionStore.read(secret, version), value.data)

    def _reused_token(self, secret: Secret, token: str, value: Value) -> bool:
        """True if ``token`` names an existing version with the same value; raise if it differs."""
        if token not in secret.versions:
            return False
        if self.same_value(secret, token, value):
            return True
        # SM-034 / SM-035.
        raise AwsError(
            "ResourceExistsException",
            f"You can't use ClientRequestToken {token} because that value is already in use for a "
            f"version of secret {secret.arn}.",
        )

    # ---- CreateSecret ---------------------------------------------------------------------
    def create_secret(
        self,
        caller: Caller,
        *,
        name: str,
        token: str,
        secret_string: str | None,
        secret_binary: bytes | None,
        description: str | None,
        tags: Sequence[tuple[str | None, str]] | None,
        kms_key_id: str | None,
        type_: str | None,
        replicas: Sequence[ReplicaRequest],
        force_overwrite_replicas: bool,
    ) -> Created:
        """Create a secret, with a first version when a value is given (SPEC B, D5), and its
        replicas (SPEC I2). A retry with the same token and value answers the same (SPEC E2)."""
        store = self.backend.store(caller.account_id, caller.region)
        # Every check of the request comes before anything changes (SPEC A8): the name, value,
        # description and tags once, here; then the replicas' regions and key ids.
        arns.check_name(name)  # SM-003
        value = self._value(secret_string, secret_binary, required=False)
        merged = store.check_new_metadata(name, description, tags)
        replication.check_regions(caller.region, replicas)
        replication.check_keys(self.backend, caller.account_id, replicas)  # resolved once the secret exists
        with store.lock:
            existing = store.lookup(name, caller.now)
            if (
                existing is not None
                and existing.deleted_at is None
                and value is not None
                and self._reused_token(existing, token, value)
            ):
                return Created(existing, token, reused=True)
            secret = store.create_checked(
                name,
                caller.now,
                version_id=token,
                value=value.data if value is not None else None,
                binary=value.binary if value is not None else False,
                description=description,
                tags=merged,
                kms_key_id=kms_key_id,
                type_=type_,
            )
        if replicas:
            regions = [request.region for request in replicas]
            with self.locked(secret, also=regions):
                replication.add_replicas(self.backend, secret, replicas, force_overwrite_replicas, caller.now)
        return Created(secret, token if value is not None else None)

    # ---- writes of a value ----------------------------------------------------------------
    def put_secret_value(
        self,
        caller: Caller,
        secret_id: str,
        *,
        token: str,
        secret_string: str | None,
        secret_binary: bytes | None,
        stages: Sequence[str] | None,
        rotation_token: str | None,
    ) -> Written:
        """Write a new version (SPEC D6, D7), idempotently per ClientRequestToken (SPEC E1–E5)."""
        # SM-134: the request's shape (a value is required) is checked before the secret is looked
        # up, so a missing secret without a value answers SM-049's InvalidRequestException.
        value = self._value(secret_string, secret_binary, required=True)
        assert value is not None
        secret = self.find(caller, secret_id)
        with self.locked(secret) as store:
            if secret.replica_of is not None:
                replication.guard_write(secret)  # SPEC I6
            if secret.deleted_at is not None:
                raise invalid_request(MARKED_FOR_DELETION)  # SM-025
            if secret.account_id != caller.account_id:
                self._check_key_reachable(caller, secret)  # SM-044
            if rotation_token is not None:
                self.rotations.check_rotation_token(secret, token, rotation_token)  # SPEC H15
            existing = secret.versions.get(token)
            if existing is not None and not existing.has_value:
                # SPEC E5: the token of the empty AWSPENDING placeholder fills it in (rotation's
                # createSecret step).
                version = store.new_version(secret, token, value.data, value.binary, existing.created)
                labels.fill_placeholder(secret, version, stages, self.limits)
                self._changed(secret, caller.now)
            elif not self._reused_token(secret, token, value):  # SM-093: a retry changes nothing
                pending = pending_rotation(secret)
                store.add_value(secret, token, value.data, value.binary, stages, caller.now)
                if secret.rotation is not None:  # SPEC H19, H23
                    self.rotations.after_write(secret, token, pending, caller.now, caller.operation)
            if secret.replicas or secret.replica_of is not None:
                self._propagate(secret)
            return Written(secret, token)

    def update_secret(
        self,
        caller: Caller,
        secret_id: str,
        *,
        token: str,
        secret_string: str | None,
        secret_binary: bytes | None,
        description: str | None,
        kms_key_id: str | None,
        kms_key_given: bool,
    ) -> Written | Secret:
        """Change the description, the KMS key and/or the value; a value makes a new AWSCURRENT
        version (SPEC D7, F4, F6, F8). Returns the version written, or the secret when none was."""
        secret = self.find(caller, secret_id)
        value = self._value(secret_string, secret_binary, required=False)
        with self.locked(secret) as store:
            # SPEC I6: a replica may change only its own KMS key.
            replication.guard_write(secret, key_only=value is None and description is None)
            self.check_not_deleted(secret)  # SM-026
            self._check_key_reachable(caller, secret)
            if value is not None and self._reused_token(secret, token, value):
                return Written(secret, token)  # SM-099: same token, same value
            self.limits.check_description(description)
            # Everything that can fail comes before the first change (SPEC A8): the new key's
            # access check, then the value write.
            new_key = None
            if kms_key_given:
                resolved = store.resolve_key(kms_key_id)
                if resolved is not secret.kms_key:
                    check_key_access(resolved, secret.arn)  # SPEC F4, F6: EncryptionFailure if unusable
                    new_key = resolved
            # SPEC F8a: the versions labelled when the key changes are re-wrapped under the new key.
            relabelled = _aws_labelled(secret) if new_key is not None else []
            if value is not None:
                pending = pending_rotation(secret)
                # SPEC F8d: the new version is sealed under the new key. add_value validates the
                # label and version limits before it attaches anything.
                store.add_value(secret, token, value.data, value.binary, None, caller.now, new_key)
                self.rotations.after_write(secret, token, pending, caller.now, caller.operation)  # SPEC H19, H23
            if new_key is not None:
                _rewrap_all(secret, relabelled, new_key)
                secret.kms_key = new_key
                secret.kms_key_explicit = not new_key.is_default
            if description is not None:
                secret.description = description or None
            self._changed(secret, caller.now)
            self._propagate(secret)
            return Written(secret, token) if value is not None else secret

    def update_secret_version_stage(
        self, caller: Caller, secret_id: str, stage: str, move_to: str | None, remove_from: str | None
    ) -> Secret:
        """Move or remove a staging label (SPEC D8)."""
        secret = self.find(caller, secret_id)
        with self.locked(secret):
            replication.guard_write(secret)
            self.check_not_deleted(secret)  # SM-027
            labels.move_stage(secret, stage, move_to, remove_from, caller.now, self.limits)
            self._changed(secret, caller.now)
            self._propagate(secret)
            return secret

    # ---- deletion -------------------------------------------------------------------------
    def delete_secret(self, caller: Caller, secret_id: str, *, force: bool, window: int | None) -> Deleted:
        """Schedule deletion (7–30 days, default 30) or delete at once (SPEC G1–G3)."""
        arns.check_secret_id(secret_id)  # SM-004: before the force-delete-of-missing success path
        limits = self.limits
        if force and window is not None:
            # SM-046 (text provisional). ForceDeleteWithoutRecovery=False with a window is fine.
            raise invalid_parameter(
                "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays."
            )
        if window is not None and not limits.min_recovery_days <= window <= limits.max_recovery_days:
            # SM-045 (text provisional).
            raise invalid_parameter(
                f"The RecoveryWindowInDays value must be between {limits.min_recovery_days} and "
                f"{limits.max_recovery_days} days (inclusive)."
            )
        secret = self.backend.find(secret_id, caller.account_id, caller.region, caller.now)
        if secret is None:
            if not force:
                raise not_found()  # SM-048
            # SM-082: a forced delete of a missing secret answers as if it had deleted it.
            parsed = arns.parse(secret_id)
            if parsed is not None:
                # A full ARN's name is the part before the random suffix (SPEC B5, B8).
                return Deleted(secret_id, parsed.name_without_suffix, caller.now)
            arn = arns.secret_arn(caller.region, caller.account_id, secret_id, self.ids.suffix())
            return Deleted(arn, secret_id, caller.now)
        with self.locked(secret) as store:
            replication.guard_delete(secret)  # SPEC I6, G8
            if force:
                # SPEC G3 / SM-028's note: the mock frees the name at once (AWS takes seconds).
                store.purge(secret)
                return Deleted(secret.arn, secret.name, caller.now)
            if secret.deleted_at is not None:
                # SM-047 (text provisional).
                raise invalid_request("You tried to perform the operation on a secret that's currently marked deleted.")
            days = window if window is not None else limits.default_recovery_days
            deletion_date = store.schedule_deletion(secret, caller.now, days)
            return Deleted(secret.arn, secret.name, deletion_date)

    def restore_secret(self, caller: Caller, secret_id: str) -> Secret:
        """Cancel a scheduled deletion before its window ends (SPEC G6)."""
        secret = self.find(caller, secret_id)  # purged if the window had passed (SPEC G6: RNF)
        with self.locked(secret):
            replication.guard_write(secret)
            if secret.deleted_at is None and not choices.RESTORE_NOT_DELETED_IS_NOOP:
                raise invalid_request("The secret is not scheduled for deletion.")
            RegionStore.restore(secret)
            self._propagate(secret)
            return secret

    # ---- tags and policies ----------------------------------------------------------------
    def tag_resource(self, caller: Caller, secret_id: str, tags: Sequence[tuple[str | None, str]]) -> Secret:
        """Add or overwrite tags (SPEC K2: a key present takes the new value), within the tag
        limits (SPEC K1, K5), checked before anything changes."""
        secret = self.find(caller, secret_id)
        with self.locked(secret):
            replication.guard_write(secret)
            self.check_not_deleted(secret)
            secret.tags = merge_tags(secret.tags, tags, self.limits)
            secret.tags_touched = True
            self._changed(secret, caller.now)
            self._propagate(secret)
            return secret

    def untag_resource(self, caller: Caller, secret_id: str, keys: Sequence[str]) -> Secret:
        """Remove tags by key; keys that are not there are ignored (SPEC K3)."""
        secret = self.find(caller, secret_id)
        with self.locked(secret):
            replication.guard_write(secret)
            self.check_not_deleted(secret)  # SM-023
            for key in keys:
                secret.tags.pop(key, None)
            secret.tags_touched = True
            self._changed(secret, caller.now)
            self._propagate(secret)
            return secret

    def put_resource_policy(self, caller: Caller, secret_id: str, policy: str) -> Secret:
        """Attach (replace) the resource policy (SPEC J1); the caller checked the document."""
        secret = self.find(caller, secret_id)
        self.limits.check_policy(policy)
        with self.locked(secret):
            replication.guard_write(secret)
            self.check_not_deleted(secret)
            secret.policy = policy
            self._propagate(secret)
            return secret

    def delete_resource_policy(self, caller: Caller, secret_id: str) -> Secret:
        """Remove the policy; succeeds when there is none (SPEC J6)."""
        secret = self.find(caller, secret_id)
        with self.locked(secret):
            replication.guard_write(secret)
            self.check_not_deleted(secret)
            secret.policy = None
            self._propagate(secret)
            return secret

    # ---- rotation -------------------------------------------------------------------------
    def rotate_secret(
        self,
        caller: Caller,
        secret_id: str,
        *,
        token: str,
        lambda_arn: str | None,
        rules: RotationSchedule | None,
        immediately: bool,
    ) -> Secret:
        """Save the rotation configuration and rotate now, or test it (SPEC H1-H21).

        The rotation runs before this returns (SPEC H10, AMBIGUOUS: recommended for
        deterministic tests), with no lock held: the function calls back (SPEC H14).
        """
        secret = self.find(caller, secret_id)
        with self.locked(secret) as store:
            replication.guard_write(secret)
            self.check_not_deleted(secret)  # SPEC G4 (SM-025's note lists rotate)
            run = self.rotations.start(
                store,
                secret,
                token=token,
                lambda_arn=lambda_arn,
                rules=rules,
                immediately=immediately,
                now=caller.now,
            )
        if run is not None:
            run()
        with self.locked(secret):
            self._propagate(secret)
        return secret

    def cancel_rotate_secret(self, caller: Caller, secret_id: str) -> tuple[Secret, str | None]:
        """Turn rotation off; keep the Lambda ARN and rules; leave the labels alone (SPEC H27).
        Returns the version of the rotation in progress, if any."""
        secret = self.find(caller, secret_id)
        with self.locked(secret):
            replication.guard_write(secret)
            self.check_not_deleted(secret)
            configured = secret.rotation is not None
            version_id = self.rotations.cancel(secret, caller.now)
            if configured:
                self._changed(secret, caller.now)  # SPEC P2: rotation settings changed
            self._propagate(secret)
            return secret, version_id

    # ---- replication ----------------------------------------------------------------------
    def replicate_secret_to_regions(
        self, caller: Caller, secret_id: str, requests: Sequence[ReplicaRequest], force: bool
    ) -> Secret:
        """Replicate a primary to more regions (SPEC I1, I3, I5)."""
        secret = self.find(caller, secret_id)
        replication.guard_write(secret)  # SPEC I6
        replication.check_regions(secret.region, requests)
        with self.locked(secret, also=[request.region for request in requests]):
            self.check_not_deleted(secret)
            replication.add_replicas(self.backend, secret, requests, force, caller.now)
            return secret

    def remove_regions_from_replication(self, caller: Caller, secret_id: str, regions: Sequence[str]) -> Secret:
        """Delete replicas at once (SPEC I9)."""
        secret = self.find(caller, secret_id)
        with self.locked(secret):
            replication.remove(self.backend, secret, regions)
            return secret

    def stop_replication_to_replica(self, caller: Caller, secret_id: str) -> Secret:
        """Promote a replica to a standalone primary; call it in the replica's region (SPEC I8)."""
        secret = self.find(caller, secret_id)
        with self.locked(secret):
            replication.promote(self.backend, secret)
            return secret


class _Locked:
    """The context manager of :meth:`SecretsService.locked` (a class: it is on every write's path,
    and the usual case, a secret without replicas, takes one lock and builds nothing)."""

    __slots__ = ("_also", "_marks", "_secret", "_service", "_stores")

    def __init__(self, service: SecretsService, secret: Secret, also: Sequence[str]) -> None:
        self._service = service
        self._secret = secret
        self._also = also
        self._stores: list[RegionStore] = []
        self._marks: list[int] = []

    def __enter__(self) -> RegionStore:
        secret, also, backend = self._secret, self._also, self._service.backend
        home = backend.store(secret.account_id, secret.region)
        while True:
            if not secret.replicas and secret.replica_of is None and not also:
                home.lock.acquire()
                stores = [home]
                if not secret.replicas and secret.replica_of is None:
                    break
            else:
                keys = SecretsService._related(secret, also)
                stores = [backend.store(account, region) for account, region in keys]
                for store in stores:
                    store.lock.acquire()
                if SecretsService._related(secret, also) == keys:
                    break
            for store in reversed(stores):  # replication changed meanwhile: start again
                store.lock.release()
        self._stores = stores
        # Where each keyring stands: a write that fails takes back the keys it made (SPEC A8).
        self._marks = [store.keyring.mark() for store in stores]
        return home

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if exc_type is None:
            # Secret.touch, inline (every write passes here); a write that fails changes
            # nothing (SPEC A8), its revision and the keyrings included (issue 18, item 14).
            self._secret.revision += 1
        else:
            for store, mark in zip(self._stores, self._marks, strict=True):
                store.keyring.undo(mark)
        for store in reversed(self._stores):
            store.lock.release()


def _no_value(kind: str, ident: str) -> AwsError:
    # SM-017, SM-018, SM-019.
    return not_found(f"Secrets Manager can't find the specified secret value for {kind}: {ident}")


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
