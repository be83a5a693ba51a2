"""The backend: accounts × regions → region stores, with lookups, inspection and seeding."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from ..clock import Clock, to_milliseconds
from ..crypto import Keyring
from ..errors import UnknownSecretError
from ..ids import IdSource
from ..limits import Limits
from . import arn as arns
from .secret import AWSCURRENT, Secret
from .seeding import SecretSpec, generate_specs, seed_many, seed_one
from .store import RegionStore

__all__ = ["Backend"]


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
        clock: Clock,
        *,
        region: str | None = None,
        account_id: str | None = None,
        partitions: arns.Partitions | None = None,
    ) -> None:
        self.limits = limits
        #: Region -> partition (the session fills it from botocore's endpoint data).
        self.partitions = partitions if partitions is not None else arns.Partitions()
        self.ids = ids
        #: KMS key ids: reproducible under the mock's seed, drawn apart from ARN suffixes.
        self.key_ids = ids.derived("kms")
        self.clock = clock
        #: Where the seeding helpers put secrets when no region/account_id is given (the
        #: owning mock's options).
        self.region = region
        self.account_id = account_id
        self._stores: dict[tuple[str, str], RegionStore] = {}
        self._lock = threading.Lock()
        #: Account -> AWS Organizations id, for ReplicaRestriction='SameOrg' (set_organization).
        self._organizations: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"Backend({sorted(self._stores)})"

    def store(self, account_id: str, region: str) -> RegionStore:
        """The region store for an account and region (created on first use)."""
        store = self._stores.get((account_id, region))
        if store is None:
            with self._lock:
                store = self._stores.get((account_id, region))
                if store is None:
                    store = RegionStore(
                        account_id, region, self.limits, self.ids, self.key_ids, partition=self.partitions.of(region)
                    )
                    self._stores[(account_id, region)] = store
        return store

    def set_organization(self, account_id: str, organization_id: str) -> None:
        """Put ``account_id`` in the organization ``organization_id`` (cross-account replicas with
        ReplicaRestriction='SameOrg' need both accounts in one). Accounts never set share one
        organization (choices.ONE_ORGANIZATION_BY_DEFAULT)."""
        self._organizations[account_id] = organization_id

    def organization_of(self, account_id: str) -> str:
        """The organization of ``account_id`` (see :meth:`set_organization`)."""
        return self._organizations.get(account_id, "o-sm-mock")

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
        now = self.clock.now()
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
        return seed_one(
            self.home(region, account_id),
            to_milliseconds(self.clock.now()),
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
        now = to_milliseconds(self.clock.now())
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
            now = self.clock.now()
        parsed = arns.parse(secret_id) if secret_id.startswith("arn:") else None
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
        """Like :meth:`find`, but a missing secret raises
        :class:`~sm_mock.errors.UnknownSecretError` listing what does exist."""
        secret = self.find(secret_id, account_id, region)
        if secret is None:
            raise UnknownSecretError(self._missing(secret_id, account_id, region))
        return secret

    def _missing(self, secret_id: str, account_id: str, region: str) -> str:
        here = sorted(s.name for s in self.secrets(account_id, region))
        elsewhere = sorted(f"{store.account_id}/{store.region} ({len(store)})" for store in self.stores() if len(store))
        return (
            f"no secret {secret_id!r} in account {account_id} region {region}. "
            + (f"Secrets there: {here[:20]}{' ...' if len(here) > 20 else ''}. " if here else "No secrets there. ")
            + (
                f"Accounts/regions holding secrets: {', '.join(elsewhere)}."
                if elsewhere
                else "The mock holds no secrets."
            )
            + " Pass the account_id and region the secret was created in (a client without region_name "
            "uses the environment's region)."
        )

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
            raise UnknownSecretError(
                f"secret {secret.name!r} has no version for {version_id or stage!r}; its versions: "
                f"{secret.versions_to_stages()}"
            )
        version = secret.versions[vid]
        raw = RegionStore.read(secret, version)
        return raw if version.binary else raw.decode("utf-8")
