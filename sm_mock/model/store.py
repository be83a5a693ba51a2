"""The region store: the secrets of one account in one region, and the rules of their lifecycle.

Point operations are dict lookups (by name and by ARN), never scans (docs/design.md principle 7).
Lifecycle is lazy: a secret whose recovery window has passed is purged the moment a lookup
touches it (SPEC G7), driven by the one clock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta

from .. import choices
from ..crypto import Keyring, KmsKey, check_key_access, open_envelope, seal
from ..errors import AwsError, invalid_request
from ..ids import IdSource
from ..limits import Limits
from . import arn as arns
from . import labels
from .arn import secret_arn
from .index import ListingIndex
from .secret import Secret, SecretVersion
from .tags import merge_tags

__all__ = ["RegionStore"]


class RegionStore:
    """The secrets of one account in one region, guarded by one lock (DESIGN principle 8)."""

    def __init__(
        self,
        account_id: str,
        region: str,
        limits: Limits,
        ids: IdSource,
        key_ids: IdSource | None = None,
        *,
        partition: str = "aws",
    ) -> None:
        self.account_id = account_id
        self.region = region
        #: The region's partition (``aws``, ``aws-cn``, ``aws-us-gov``, ...): ARNs made here use it.
        self.partition = partition
        self.limits = limits
        self.ids = ids
        self.lock = threading.RLock()
        self.by_name: dict[str, Secret] = {}
        self.by_arn: dict[str, Secret] = {}
        self.keyring = Keyring(account_id, region, ids=key_ids, partition=partition)
        self._seq = 0
        #: Listeners called as fn(event, secret) on "create" and "purge" (indexes hook in here).
        self.listeners: list[object] = []
        #: ListSecrets / BatchGetSecretValue indexes; built lazily by the first listing.
        self.index = ListingIndex(self)

    def __repr__(self) -> str:
        return f"RegionStore({self.account_id}/{self.region}, {len(self.by_name)} secrets)"

    def __len__(self) -> int:
        return len(self.by_name)

    def __iter__(self) -> Iterator[Secret]:
        return iter(list(self.by_name.values()))

    # ---- lookup -------------------------------------------------------------------------
    def lookup(self, secret_id: str, now: datetime) -> Secret | None:
        """Resolve a name, full ARN or partial ARN (SPEC B7, B8) in this store."""
        if secret_id.startswith("arn:"):
            secret = self.by_arn.get(secret_id)
            if secret is None:
                name = arns.partial_name(secret_id)  # SM-016
                if name is None:
                    return None
                secret = self.by_name.get(name)
                if secret is not None and not arns.same_prefix(secret_id, secret.arn):
                    return None
        else:
            secret = self.by_name.get(secret_id)
        if secret is not None and secret.deletion_date is not None and secret.expired(now):
            self.purge(secret)
            return None
        return secret

    def holds(self, secret: Secret) -> bool:
        """True while ``secret`` itself is in this store (not purged, not replaced by another
        secret of the same name)."""
        return self.by_arn.get(secret.arn) is secret

    def purge(self, secret: Secret) -> None:
        """Remove a secret for good (recovery window over, or forced deletion)."""
        if self.by_name.get(secret.name) is secret:
            del self.by_name[secret.name]
        self.by_arn.pop(secret.arn, None)
        self._notify("purge", secret)

    def purge_expired(self, now: datetime) -> int:
        """Purge every secret whose recovery window has passed (used before listings)."""
        expired = [s for s in self.by_name.values() if s.expired(now)]
        for secret in expired:
            self.purge(secret)
        return len(expired)

    # ---- deletion lifecycle (SPEC G1-G7) ------------------------------------------------
    @staticmethod
    def schedule_deletion(secret: Secret, now: datetime, days: int) -> datetime:
        """Start a recovery window; returns the DeletionDate (SPEC G2: request time + window).

        The secret stays in the store until a lookup at or after that instant purges it
        (SPEC G7: lazily, on the one clock; no background thread).
        """
        try:
            deletion_date = now + timedelta(days=days)
        except OverflowError:  # a clock near year 9999: the date can't be written, nothing changes
            raise invalid_request(
                f"The deletion date would fall after the year 9999 ({days} days after the mock's clock, "
                f"{now:%Y-%m-%d}). Move the clock back, or force the deletion (ForceDeleteWithoutRecovery=True)."
            ) from None
        secret.deleted_at = now  # SPEC G5 recommendation: DeletedDate = time of the request
        secret.deletion_date = deletion_date
        return deletion_date

    @staticmethod
    def restore(secret: Secret) -> None:
        """Cancel a scheduled deletion (SPEC G6); the caller found the secret, so it is live."""
        secret.deleted_at = None
        secret.deletion_date = None

    def _notify(self, event: str, secret: Secret) -> None:
        for listener in self.listeners:
            listener(event, secret)  # type: ignore[operator]

    # ---- creation and values ------------------------------------------------------------
    def create(
        self,
        name: str,
        now: datetime,
        *,
        kms_key_id: str | None = None,
        description: str | None = None,
        tags: dict[str, str] | None = None,
        owning_service: str | None = None,
        type_: str | None = None,
    ) -> Secret:
        """Create the secret record (no value yet). The caller checked the name is free.

        Prefer :meth:`create_secret`, the one path CreateSecret and backend seeding share.
        """
        self.check_capacity(now)
        key = self.resolve_key(kms_key_id)
        if kms_key_id:
            check_key_access(key)  # SPEC F4: before the ARN suffix is drawn, so a failure changes nothing
        suffix = self.ids.suffix()
        arn = secret_arn(self.region, self.account_id, name, suffix, partition=self.partition)
        while arn in self.by_arn:
            arn = secret_arn(self.region, self.account_id, name, self.ids.suffix(), partition=self.partition)
        self._seq += 1
        secret = Secret(
            arn=arn,
            name=name,
            account_id=self.account_id,
            region=self.region,
            created=now,
            kms_key=key,
            kms_key_explicit=kms_key_id is not None and not key.is_default,
            description=description or None,
            tags=dict(tags or {}),
            last_changed=now,
            owning_service=owning_service,
            type=type_,
            seq=self._seq,
        )
        return secret

    def check_capacity(self, now: datetime) -> None:
        """Raise LimitExceededException when one more secret would pass ``max_secrets``
        (SPEC Q1: 500,000 secrets per account and region; a replica is a secret of its region)."""
        if self._secret_count(now) >= self.limits.max_secrets:
            raise AwsError(
                "LimitExceededException",
                f"You have reached the maximum number of secrets ({self.limits.max_secrets}) "
                f"in {self.region}. Delete secrets you no longer need (ForceDeleteWithoutRecovery "
                "frees the slot at once).",
            )

    def _secret_count(self, now: datetime) -> int:
        """Secrets that count against ``max_secrets``: O(1) unless the store is full."""
        if len(self.by_name) < self.limits.max_secrets:
            return len(self.by_name)
        # A secret whose window has passed is gone (SPEC G7) even if nothing touched it yet;
        # purge such leftovers before refusing. Only a full store pays for this scan.
        self.purge_expired(now)
        if choices.SCHEDULED_SECRETS_COUNT_TOWARD_QUOTA:
            return len(self.by_name)
        return sum(1 for s in self.by_name.values() if s.deleted_at is None)

    def check_new_secret(
        self,
        name: str,
        value_size: int | None,
        description: str | None,
        tags: Iterable[tuple[str | None, str]] | None,
    ) -> dict[str, str] | None:
        """The checks of a new secret, each done once, in the order AWS reports them: the name's
        characters (SM-003), the value size (SPEC C2: characters of a string), then
        :meth:`check_new_metadata`. Returns the merged tags (None: no Tags parameter)."""
        arns.check_name(name)  # SM-003
        if value_size is not None:
            self.limits.check_value_size(value_size)
        return self.check_new_metadata(name, description, tags)

    def check_new_metadata(
        self, name: str, description: str | None, tags: Iterable[tuple[str | None, str]] | None
    ) -> dict[str, str] | None:
        """The description (SPEC C9), the tags (K1, K2, K5) and the name's length (B1) of a new
        secret. Returns the merged tags (None: no Tags parameter)."""
        limits = self.limits
        limits.check_description(description)
        merged = merge_tags({}, tags, limits) if tags is not None else None
        limits.check_name(name)
        return merged

    def create_secret(
        self,
        name: str,
        now: datetime,
        *,
        version_id: str | None = None,
        value: bytes | None = None,
        binary: bool = False,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
        kms_key_id: str | None = None,
        type_: str | None = None,
        owning_service: str | None = None,
    ) -> Secret:
        """Check a new secret (:meth:`check_new_secret`) and create it (:meth:`create_checked`):
        the path of backend seeding (:mod:`.seeding`). ``tags=None`` means "no Tags parameter";
        ``{}`` is an empty Tags list, which DescribeSecret then reports as ``Tags: []`` (SM-077).
        """
        # SPEC C2 counts characters for strings; seeding passes UTF-8 bytes, whose length
        # bounds the character count from above only for ASCII, so recount for strings.
        size = None if value is None else len(value) if binary else len(value.decode("utf-8"))
        merged = self.check_new_secret(name, size, description, tags.items() if tags is not None else None)
        return self.create_checked(
            name,
            now,
            version_id=version_id,
            value=value,
            binary=binary,
            description=description,
            tags=merged,
            kms_key_id=kms_key_id,
            type_=type_,
            owning_service=owning_service,
        )

    def create_checked(
        self,
        name: str,
        now: datetime,
        *,
        version_id: str | None = None,
        value: bytes | None = None,
        binary: bool = False,
        description: str | None = None,
        tags: dict[str, str] | None = None,
        kms_key_id: str | None = None,
        type_: str | None = None,
        owning_service: str | None = None,
    ) -> Secret:
        """Create a secret whose request passed :meth:`check_new_secret`, with a first version
        when ``value`` is given: the one creation path of CreateSecret and seeding.

        Refuses a name in use (SM-001, SM-002) and a full store (SPEC Q1). A failure changes
        nothing.
        """
        with self.lock:
            existing = self.lookup(name, now)
            if existing is not None:
                if existing.deleted_at is not None:
                    # SM-002 (not ResourceExistsException).
                    raise invalid_request(
                        "You can't create this secret because a secret with this name is already "
                        "scheduled for deletion."
                    )
                # SM-001.
                raise AwsError(
                    "ResourceExistsException", f"The operation failed because the secret {name} already exists."
                )
            secret = self.create(
                name,
                now,
                kms_key_id=kms_key_id,
                description=description,
                tags=tags or None,
                owning_service=owning_service,
                type_=type_,
            )
            secret.tags_touched = tags is not None
            if value is not None:
                # Sealing can fail (EncryptionFailure for a disabled key) before the secret
                # is visible, so a failed create leaves nothing behind.
                self.add_value(secret, version_id or self.ids.uuid(), value, binary, None, now)
            self.insert(secret)
        return secret

    def insert(self, secret: Secret) -> None:
        """Make a created secret visible (after its first value, if any, was sealed)."""
        self.by_name[secret.name] = secret
        self.by_arn[secret.arn] = secret
        self._notify("create", secret)

    def resolve_key(self, kms_key_id: str | None) -> KmsKey:
        """The KMS key a KmsKeyId parameter names; the default key for None or "" (SPEC F8e)."""
        if not kms_key_id:
            return self.keyring.default_key()
        return self.keyring.resolve(kms_key_id)

    def new_version(
        self, secret: Secret, version_id: str, value: bytes, binary: bool, now: datetime, key: KmsKey | None = None
    ) -> SecretVersion:
        """Seal a value into a fresh version (not yet attached to the secret), under ``key`` or
        else the secret's key."""
        key = key or secret.kms_key
        envelope = seal(value, key, secret.arn, version_id)
        return SecretVersion(version_id, now, envelope, binary=binary, keys=[key])

    def add_value(
        self,
        secret: Secret,
        version_id: str,
        value: bytes,
        binary: bool,
        stages: Sequence[str] | None,
        now: datetime,
        key: KmsKey | None = None,
    ) -> SecretVersion:
        """Seal a value (under ``key`` or else the secret's key) and attach it as a new version,
        moving labels (SPEC D5–D7, D10). Nothing changes if it fails (labels validate first)."""
        version = self.new_version(secret, version_id, value, binary, now, key)
        labels.add_version(secret, version, stages, now, self.limits)
        secret.last_changed = now
        return version

    @staticmethod
    def read(secret: Secret, version: SecretVersion) -> bytes:
        """Decrypt a version's value (raises DecryptionFailure on any tampering)."""
        if version.envelope is None:
            raise AwsError(
                "ResourceNotFoundException",
                f"Secrets Manager can't find the specified secret value for VersionId: {version.version_id}",
            )
        return open_envelope(version.envelope, version.keys, secret.arn, version.version_id)
