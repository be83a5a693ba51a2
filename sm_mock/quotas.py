"""Rate quotas: token buckets per account, region and quota group, on the mock clock.

Off by default (SPEC Q3). ``mock_secretsmanager(throttling=True)`` enforces every group;
``throttling={"GetSecretValue", ...}`` only the named operations' or groups' quotas;
``sm.quotas.set_rate(...)`` sets a rate and enforces that group. Over the rate, the request
is answered ``ThrottlingException`` (HTTP 400, "Rate exceeded", SPEC Q3), which botocore's
legacy, standard and adaptive retry modes all retry (SPEC A8).

Buckets refill lazily from the mock's clock when a request arrives (docs/design.md principle 5),
so under a frozen clock a bucket of rate R admits exactly R requests (its burst) and then
throttles until the clock moves. Amounts are kept in millionths of a token and elapsed time
in whole microseconds, so integer rates refill exactly, without float drift.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from .admission import Admission
from .clock import Clock
from .errors import AwsError
from .limits import Limits

__all__ = ["QUOTA_GROUPS", "Quotas", "group_of"]

#: Quota group → (requests per second, operations counted together). SPEC Q1, from the
#: seed's quota table; the combined groups share one bucket. Single-operation groups are
#: named after their operation. GetRandomPassword is its own 50/s group (SPEC Q1 AMBIGUOUS:
#: not treated as a catch-all, since every operation is listed).
QUOTA_GROUPS: Final[dict[str, tuple[float, tuple[str, ...]]]] = {
    "ResourcePolicies": (
        50,
        (
            "DeleteResourcePolicy",
            "GetResourcePolicy",
            "ListResourcePolicies",  # choices.NEW_OPERATIONS_QUOTA_GROUPS
            "PutResourcePolicy",
            "ValidateResourcePolicy",
        ),
    ),
    "SecretWrites": (
        50,
        (
            "AssociateCrossAccountReplica",  # choices.NEW_OPERATIONS_QUOTA_GROUPS
            "DisassociateCrossAccountReplica",
            "PutSecretValue",
            "RemoveRegionsFromReplication",
            "ReplicateSecretToRegions",
            "StopReplicationToReplica",
            "UpdateSecret",
            "UpdateSecretVersionStage",
        ),
    ),
    "Rotation": (50, ("RotateSecret", "CancelRotateSecret")),
    "Tagging": (50, ("TagResource", "UntagResource")),
    "RestoreSecret": (50, ("RestoreSecret",)),
    "BatchGetSecretValue": (100, ("BatchGetSecretValue",)),
    "CreateSecret": (50, ("CreateSecret",)),
    "DeleteSecret": (50, ("DeleteSecret",)),
    "DescribeSecret": (40_000, ("DescribeSecret",)),
    "GetRandomPassword": (50, ("GetRandomPassword",)),
    "GetSecretValue": (10_000, ("GetSecretValue",)),
    "ListSecretVersionIds": (50, ("ListSecretVersionIds",)),
    "ListSecrets": (100, ("ListSecrets",)),
}

_GROUP_OF: Final[dict[str, str]] = {op: group for group, (_, ops) in QUOTA_GROUPS.items() for op in ops}

#: Millionths of a token: one request costs _UNIT; a rate of R/s adds R per microsecond.
_UNIT: Final = 1_000_000
_MICROSECOND: Final = timedelta(microseconds=1)


def group_of(name: str) -> str:
    """The quota group of an operation, or ``name`` itself if it is a group name."""
    if name in QUOTA_GROUPS:
        return name
    group = _GROUP_OF.get(name)
    if group is None:
        raise ValueError(
            f"{name!r} is neither a Secrets Manager operation nor a quota group. Groups: "
            f"{sorted(QUOTA_GROUPS)}; operations: {sorted(_GROUP_OF)}."
        )
    return group


@dataclass(frozen=True, slots=True)
class _Rate:
    per_second: float
    burst: float

    @property
    def capacity(self) -> float:
        return self.burst * _UNIT


@dataclass(slots=True)
class _Bucket:
    tokens: float  # in millionths of a token
    last: datetime


def _default_burst(per_second: float) -> float:
    # One second's worth of requests; a slower rate still admits one request, and a rate of
    # 0 admits none.
    if per_second >= 1:
        return per_second
    return 1.0 if per_second > 0 else 0.0


class Quotas:
    """Rate quotas of one mock (``sm.quotas``); capacity limits are in :attr:`limits`."""

    def __init__(
        self,
        limits: Limits,
        clock: Clock,
        throttling: bool | Iterable[str] = False,
        *,
        region: str,
        account_id: str,
    ) -> None:
        self._limits = limits
        self._clock = clock
        #: Where :meth:`available` looks when no region or account is given.
        self._home = (account_id, region)
        self._rates: dict[str, _Rate] = {
            group: _Rate(rate, _default_burst(rate)) for group, (rate, _) in QUOTA_GROUPS.items()
        }
        self._buckets: dict[tuple[str, str, str], _Bucket] = {}
        self._lock = threading.Lock()
        self._enabled: set[str] = set()
        #: True when any quota is enforced (read by the admission fast path).
        self.enabled = False
        if throttling is True:
            self.enable()
        elif throttling and not isinstance(throttling, bool):
            self.enable(*throttling)

    def __repr__(self) -> str:
        return f"Quotas(enforced={sorted(self._enabled)})"

    @property
    def limits(self) -> Limits:
        """The capacity limits (always enforced; LimitExceededException when exceeded)."""
        return self._limits

    @property
    def enforced(self) -> frozenset[str]:
        """The quota groups currently enforced."""
        return frozenset(self._enabled)

    def enable(self, *names: str) -> None:
        """Enforce the quotas of these operations or groups (all of them if none is named).

        Naming an operation enforces its whole group: combined quotas share one bucket.
        """
        groups = [group_of(n) for n in names] if names else list(QUOTA_GROUPS)
        with self._lock:
            self._enabled.update(groups)
            self.enabled = bool(self._enabled)

    def disable(self, *names: str) -> None:
        """Stop enforcing these quotas (all of them if none is named)."""
        groups = [group_of(n) for n in names] if names else list(QUOTA_GROUPS)
        with self._lock:
            self._enabled.difference_update(groups)
            self.enabled = bool(self._enabled)

    def set_rate(self, api_or_group: str, per_second: float, *, burst: float | None = None) -> None:
        """Set a quota's rate (requests per second) and enforce it.

        ``api_or_group`` is an operation ("GetSecretValue") or a group ("SecretWrites"); an
        operation in a combined group sets the whole group's rate, as AWS counts them together
        (SPEC Q1). ``burst`` is the bucket size (default: one second's worth, at least 1;
        0 for a rate of 0, which throttles every request).
        """
        group = group_of(api_or_group)
        if per_second < 0 or (burst is not None and burst < 0):
            raise ValueError("rates and bursts are requests per second: use 0 or more")
        rate = _Rate(float(per_second), float(burst) if burst is not None else _default_burst(per_second))
        with self._lock:
            self._rates[group] = rate
            for (_, _, bucket_group), bucket in self._buckets.items():
                if bucket_group == group:
                    bucket.tokens = min(bucket.tokens, rate.capacity)
            self._enabled.add(group)
            self.enabled = True

    def rate(self, api_or_group: str) -> float:
        """The rate (requests per second) of an operation's or group's quota."""
        return self._rates[group_of(api_or_group)].per_second

    def reset(self) -> None:
        """Refill every bucket (the next request starts with a full burst)."""
        with self._lock:
            self._buckets.clear()

    def available(self, api_or_group: str, *, region: str | None = None, account_id: str | None = None) -> float:
        """Requests the quota would admit right now (a full burst if none was made yet)."""
        group = group_of(api_or_group)
        key = (account_id or self._home[0], region or self._home[1], group)
        now = self._clock.now()
        with self._lock:
            rate = self._rates[group]
            bucket = self._buckets.get(key)
            if bucket is None:
                return rate.burst
            return self._refilled(bucket, rate, now) / _UNIT

    @staticmethod
    def _refilled(bucket: _Bucket, rate: _Rate, now: datetime) -> float:
        elapsed = (now - bucket.last) // _MICROSECOND
        if elapsed <= 0:
            return bucket.tokens
        return min(rate.capacity, bucket.tokens + rate.per_second * elapsed)

    def check(self, operation: str, region: str, account_id: str, now: datetime) -> Admission | None:
        """ThrottlingException when the operation's bucket is empty (SPEC Q3)."""
        group = _GROUP_OF.get(operation)
        if group is None or group not in self._enabled:
            return None
        # SPEC Q2: per region, and counted against the caller's account.
        key = (account_id, region, group)
        with self._lock:
            rate = self._rates[group]
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(rate.capacity, now)
            else:
                bucket.tokens = self._refilled(bucket, rate, now)
                # A clock moved backwards (time travel) restarts the refill from there.
                bucket.last = now
            if bucket.tokens >= _UNIT:
                bucket.tokens -= _UNIT
                return None
        return Admission(AwsError("ThrottlingException", "Rate exceeded"), throttled=True)

    @staticmethod
    def groups(names: Iterable[str] = ()) -> dict[str, tuple[str, ...]]:
        """Quota group → operations (all groups, or those of the given names)."""
        wanted = {group_of(n) for n in names} or set(QUOTA_GROUPS)
        return {g: ops for g, (_, ops) in QUOTA_GROUPS.items() if g in wanted}
