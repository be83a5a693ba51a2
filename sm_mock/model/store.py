"""The backend: accounts × regions → region store → secrets.

Point operations are dict lookups (by name and by ARN), never scans (DESIGN.md principle 7).
Lifecycle is lazy: a secret whose recovery window has passed is purged the moment a lookup
touches it (SPEC G7), driven by the one clock.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .. import choices
from ..clock import to_milliseconds
from ..crypto import Keyring, KmsKey, check_key_access, open_envelope, seal
from ..errors import AwsError, invalid_request, validation_error
from ..ids import IdSource
from ..limits import Limits
from . import arn as arns
from . import labels
from .arn import secret_arn
from .index import ListingIndex
from .secret import AWSCURRENT, Secret, SecretVersion

if TYPE_CHECKING:
    from .seeding import SecretSpec

__all__ = ["INVALID_NAME", "NAME_PATTERN", "Backend", "RegionStore", "secret_arn"]

#: SM-003: names are letters, digits and / _ + = . @ - (and ! for service-managed names, as
#: the recorded message lists it).
NAME_PATTERN = re.compile(r"[A-Za-z0-9/_+=.@!-]+")
INVALID_NAME = (
    "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!"
)


def _expired(deletion_date: datetime, now: datetime) -> bool:
    """SPEC G7: the secret is gone once the clock reaches (or passes) its DeletionDate."""
    if choices.PURGE_AT_DELETION_DATE:
        return now >= deletion_date
    return now > deletion_date


class RegionStore:
    """The secrets of one account in one region, guarded by one lock (DESIGN principle 8)."""

    def __init__(self, account_id: str, region: str, limits: Limits, ids: IdSource) -> None:
        self.account_id = account_id
        self.region = region
        self.limits = limits
        self.ids = ids
        self.lock = threading.RLock()
        self.by_name: dict[str, Secret] = {}
        self.by_arn: dict[str, Secret] = {}
        self.keyring = Keyring(account_id, region)
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
        if secret is not None and secret.deletion_date is not None and _expired(secret.deletion_date, now):
            self.purge(secret)
            return None
        return secret

    def purge(self, secret: Secret) -> None:
        """Remove a secret for good (recovery window over, or forced deletion)."""
        if self.by_name.get(secret.name) is secret:
            del self.by_name[secret.name]
        self.by_arn.pop(secret.arn, None)
        self._notify("purge", secret)

    def purge_expired(self, now: datetime) -> int:
        """Purge every secret whose recovery window has passed (used before listings)."""
        expired = [s for s in self.by_name.values() if s.deletion_date is not None and _expired(s.deletion_date, now)]
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
        secret.deleted_at = now  # SPEC G5 recommendation: DeletedDate = time of the request
        secret.deletion_date = now + timedelta(days=days)
        return secret.deletion_date

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
        arn = secret_arn(self.region, self.account_id, name, suffix)
        while arn in self.by_arn:
            arn = secret_arn(self.region, self.account_id, name, self.ids.suffix())
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
        """Create a secret, with a first version when ``value`` is given: the one code path
        shared by the CreateSecret operation and backend seeding (:mod:`.seeding`).

        Checks the name (SM-003, SPEC B1), description (C9), tags (K1, K5) and value size
        (C2), then that the name is free (SM-001, SM-002) and the store has room (Q1). A
        failure changes nothing. ``tags=None`` means "no Tags parameter"; ``{}`` is an empty
        Tags list, which DescribeSecret then reports as ``Tags: []`` (SM-077).
        """
        if NAME_PATTERN.fullmatch(name) is None:
            raise validation_error(INVALID_NAME)
        limits = self.limits
        limits.check_name(name)
        limits.check_description(description)
        if tags:
            for key, tag_value in tags.items():
                limits.check_tag(key, tag_value)
            limits.check_tag_count(len(tags))
        if value is not None:
            # SPEC C2 counts characters for strings; seeding passes UTF-8 bytes, whose length
            # bounds the character count from above only for ASCII, so recount for strings.
            limits.check_value_size(len(value) if binary else len(value.decode("utf-8")))
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
                tags=dict(tags) if tags else None,
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
        stages: list[str] | None,
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


class Backend:
    """All state of one mock: a region store per (account, region).

    Inspection helpers for tests: :meth:`secrets`, :meth:`get`, :meth:`reveal`.
    Seeding helpers for large fixtures (no client round trip, same state as CreateSecret):
    :meth:`create_secret`, :meth:`create_secrets`, :meth:`seed`.
    """

    def __init__(
        self,
        limits: Limits,
        ids: IdSource,
        clock: object,
        *,
        region: str | None = None,
        account_id: str | None = None,
    ) -> None:
        self.limits = limits
        self.ids = ids
        self.clock = clock
        #: Where the seeding helpers put secrets when no region/account_id is given (the
        #: owning mock's options).
        self.region = region
        self.account_id = account_id
        self._stores: dict[tuple[str, str], RegionStore] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Backend({sorted(self._stores)})"

    def store(self, account_id: str, region: str) -> RegionStore:
        """The region store for an account and region (created on first use)."""
        store = self._stores.get((account_id, region))
        if store is None:
            with self._lock:
                store = self._stores.get((account_id, region))
                if store is None:
                    store = RegionStore(account_id, region, self.limits, self.ids)
                    self._stores[(account_id, region)] = store
        return store

    def existing_store(self, account_id: str, region: str) -> RegionStore | None:
        """The region store for an account and region if one was made, else None."""
        return self._stores.get((account_id, region))

    def stores(self) -> list[RegionStore]:
        """Every region store created so far."""
        return list(self._stores.values())

    def keyring(self, account_id: str, region: str) -> Keyring:
        """The KMS keyring of an account and region (to create or disable keys in tests)."""
        return self.store(account_id, region).keyring

    def secrets(self, account_id: str | None = None, region: str | None = None) -> list[Secret]:
        """Every secret (including those scheduled for deletion), optionally filtered.

        Secrets whose recovery window has passed are purged first (SPEC G7), so inspection
        agrees with what the API would answer.
        """
        now = self.clock.now()  # type: ignore[attr-defined]
        out: list[Secret] = []
        for (acct, reg), store in list(self._stores.items()):
            if (account_id is None or acct == account_id) and (region is None or reg == region):
                with store.lock:
                    store.purge_expired(now)
                    out.extend(store)
        return out

    # ---- seeding (SPEC-independent test support; see sm_mock.model.seeding) -------------
    def home(self, region: str | None = None, account_id: str | None = None) -> RegionStore:
        """The region store seeding writes to: the given region/account, else the owning
        mock's (its ``region``/``account_id`` options)."""
        if region is None or account_id is None:
            default_region, default_account = self._defaults()
            region = region or default_region
            account_id = account_id or default_account
        return self.store(account_id, region)

    def _defaults(self) -> tuple[str, str]:
        # The owning mock passes its region and account; a bare Backend uses AWS's defaults.
        return self.region or "us-east-1", self.account_id or "123456789012"

    def create_secret(
        self,
        name: str,
        *,
        secret_string: str | None = None,
        secret_binary: bytes | None = None,
        region: str | None = None,
        account_id: str | None = None,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
        kms_key_id: str | None = None,
        version_id: str | None = None,
    ) -> Secret:
        """Put one secret straight into the backend, exactly as CreateSecret would.

        Same ARN format and random suffix, first version labelled AWSCURRENT and sealed
        with AES-GCM under the secret's KMS key, CreatedDate and LastChangedDate from the
        mock clock. ``version_id`` defaults to a fresh UUID (what boto3 sends as the
        ClientRequestToken). Raises :class:`sm_mock.model.seeding.SeedError` with the AWS
        error code and text for anything CreateSecret would refuse.
        """
        from .seeding import seed_one

        return seed_one(
            self.home(region, account_id),
            to_milliseconds(self.clock.now()),  # type: ignore[attr-defined]
            name,
            secret_string=secret_string,
            secret_binary=secret_binary,
            description=description,
            tags=tags,
            kms_key_id=kms_key_id,
            version_id=version_id,
        )

    def create_secrets(
        self,
        specs: Iterable[SecretSpec | Mapping[str, Any]],
        *,
        region: str | None = None,
        account_id: str | None = None,
    ) -> list[Secret]:
        """Seed many secrets at once, all or nothing (see :func:`sm_mock.model.seeding.seed_many`).

        Each item is a :class:`~sm_mock.model.seeding.SecretSpec` or a mapping of
        :meth:`create_secret`'s keyword arguments (with ``name``).
        """
        from .seeding import seed_many

        now = to_milliseconds(self.clock.now())  # type: ignore[attr-defined]
        return seed_many(self.home(region, account_id), now, specs)

    def seed(
        self,
        count: int,
        *,
        name: str | Callable[[int], str] = "secret-{i:06d}",
        secret_string: str | Callable[[int], str] | None = None,
        secret_binary: bytes | Callable[[int], bytes] | None = None,
        region: str | None = None,
        account_id: str | None = None,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
        kms_key_id: str | None = None,
    ) -> list[Secret]:
        """Seed ``count`` generated secrets (e.g. 100,000 for a listing benchmark).

        ``name`` is a ``str.format`` template with ``{i}`` (0-based index) or a function of
        ``i``; ``secret_string``/``secret_binary`` are a fixed value or a function of ``i``
        (values are never formatted, so JSON with braces is safe). Without a value the
        secrets get ``f"value-{i}"``. All or nothing, like :meth:`create_secrets`.
        """
        from .seeding import generate_specs

        specs = generate_specs(
            count,
            name=name,
            secret_string=secret_string,
            secret_binary=secret_binary,
            description=description,
            tags=tags,
            kms_key_id=kms_key_id,
        )
        return self.create_secrets(specs, region=region, account_id=account_id)

    def find(self, secret_id: str, account_id: str, region: str, now: datetime | None = None) -> Secret | None:
        """Resolve a SecretId as a caller in ``account_id``/``region`` would (SPEC B7–B9).

        ``now`` is the request's clock reading (one per request); None reads the clock.
        """
        if now is None:
            now = self.clock.now()  # type: ignore[attr-defined]
        parsed = arns.parse(secret_id)
        if parsed is not None and parsed.account_id != account_id and parsed.region == region:
            # SPEC B9: another account's secret is reachable by full ARN only.
            other = self._stores.get((parsed.account_id, region))
            if other is None:
                return None
            with other.lock:
                found = other.lookup(secret_id, now)
            return found if found is not None and found.arn == secret_id else None
        store = self.store(account_id, region)
        with store.lock:
            return store.lookup(secret_id, now)

    def get(self, secret_id: str, *, account_id: str, region: str) -> Secret:
        """Like :meth:`find` but raises ``KeyError`` with advice when missing."""
        secret = self.find(secret_id, account_id, region)
        if secret is None:
            raise KeyError(f"no secret {secret_id!r} in account {account_id} region {region}")
        return secret

    def reveal(
        self,
        secret_id: str,
        *,
        account_id: str,
        region: str,
        version_id: str | None = None,
        stage: str = AWSCURRENT,
    ) -> str | bytes:
        """Decrypt a value for a test's own assertions (does not touch LastAccessedDate)."""
        secret = self.get(secret_id, account_id=account_id, region=region)
        vid = version_id or secret.stages.get(stage)
        if vid is None or vid not in secret.versions:
            raise KeyError(f"secret {secret.name!r} has no version for {version_id or stage!r}")
        version = secret.versions[vid]
        raw = RegionStore.read(secret, version)
        return raw if version.binary else raw.decode("utf-8")
