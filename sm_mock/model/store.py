"""The backend: accounts × regions → region store → secrets.

Point operations are dict lookups (by name and by ARN), never scans (DESIGN.md principle 7).
Lifecycle is lazy: a secret whose recovery window has passed is purged the moment a lookup
touches it (SPEC G7), driven by the one clock.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import datetime

from ..crypto import Keyring, KmsKey, open_envelope, seal
from ..errors import AwsError
from ..ids import IdSource
from ..limits import Limits
from . import labels
from .secret import AWSCURRENT, Secret, SecretVersion

__all__ = ["Backend", "RegionStore", "secret_arn"]

#: SPEC B8: the last part of an ARN that looks like a random suffix.
_SUFFIX_TAIL = re.compile(r"-[A-Za-z0-9]{6}$")


def secret_arn(region: str, account_id: str, name: str, suffix: str) -> str:
    """``arn:aws:secretsmanager:<region>:<account>:secret:<name>-<suffix>`` (SPEC B5)."""
    return f"arn:aws:secretsmanager:{region}:{account_id}:secret:{name}-{suffix}"


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
                head, sep, name = secret_id.partition(":secret:")
                if not sep or _SUFFIX_TAIL.search(name):
                    # SM-016: a tail that looks like "-XXXXXX" is taken as the random suffix,
                    # so a partial ARN of a name ending in "-" + 6 characters does not resolve.
                    return None
                secret = self.by_name.get(name)
                if secret is not None and not secret.arn.startswith(head + sep):
                    return None
        else:
            secret = self.by_name.get(secret_id)
        if secret is not None and secret.deletion_date is not None and now >= secret.deletion_date:
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
        expired = [s for s in self.by_name.values() if s.deletion_date is not None and now >= s.deletion_date]
        for secret in expired:
            self.purge(secret)
        return len(expired)

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
        """Create the secret record (no value yet). The caller checked the name is free."""
        if len(self.by_name) >= self.limits.max_secrets:
            # SPEC Q1: 500,000 secrets per account and region.
            raise AwsError(
                "LimitExceededException",
                f"You have reached the maximum number of secrets ({self.limits.max_secrets}) "
                f"in {self.region}. Delete secrets you no longer need (ForceDeleteWithoutRecovery "
                "frees the slot at once).",
            )
        key = self.resolve_key(kms_key_id)
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
        self, secret: Secret, version_id: str, value: bytes, binary: bool, now: datetime
    ) -> SecretVersion:
        """Seal a value into a fresh version (not yet attached to the secret)."""
        envelope = seal(value, secret.kms_key, secret.arn, version_id)
        return SecretVersion(version_id, now, envelope, binary=binary, keys=[secret.kms_key])

    def add_value(
        self,
        secret: Secret,
        version_id: str,
        value: bytes,
        binary: bool,
        stages: list[str] | None,
        now: datetime,
    ) -> SecretVersion:
        """Seal a value and attach it as a new version, moving labels (SPEC D5–D7, D10)."""
        version = self.new_version(secret, version_id, value, binary, now)
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
    """

    def __init__(self, limits: Limits, ids: IdSource, clock: object) -> None:
        self.limits = limits
        self.ids = ids
        self.clock = clock
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

    def stores(self) -> list[RegionStore]:
        """Every region store created so far."""
        return list(self._stores.values())

    def keyring(self, account_id: str, region: str) -> Keyring:
        """The KMS keyring of an account and region (to create or disable keys in tests)."""
        return self.store(account_id, region).keyring

    def secrets(self, account_id: str | None = None, region: str | None = None) -> list[Secret]:
        """Every secret (including those scheduled for deletion), optionally filtered."""
        out: list[Secret] = []
        for (acct, reg), store in list(self._stores.items()):
            if (account_id is None or acct == account_id) and (region is None or reg == region):
                out.extend(store)
        return out

    def find(self, secret_id: str, account_id: str, region: str) -> Secret | None:
        """Resolve a SecretId as a caller in ``account_id``/``region`` would (SPEC B7–B9)."""
        now = self.clock.now()  # type: ignore[attr-defined]
        if secret_id.startswith("arn:"):
            parts = secret_id.split(":", 6)
            if len(parts) >= 6 and parts[4] != account_id and parts[3] == region:
                # SPEC B9: another account's secret is reachable by full ARN only.
                other = self._stores.get((parts[4], region))
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
