"""Every service limit sm_mock enforces, as named values in one place.

Values come from the Secrets Manager quotas page (SPEC Q1) and the botocore service model.
A mock can override any of them to test how code copes with a limit, e.g.
``mock_secretsmanager(max_secrets=3)`` or ``sm.quotas.limits.max_secrets = 3``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

__all__ = ["Limits"]


@dataclass(slots=True)
class Limits:
    """Capacity limits (always enforced; rate quotas live in :mod:`sm_mock.quotas`)."""

    #: SPEC Q1 "Secrets per region": 500,000 per account and region.
    max_secrets: int = 500_000
    #: SPEC Q1/D10 "Versions per secret".
    max_versions: int = 100
    #: SPEC D10: deprecated versions younger than this are never pruned.
    prune_min_age_seconds: int = 24 * 3600
    #: SPEC D4: staging labels across all versions of one secret.
    max_labels: int = 20
    #: SPEC C2: secret value size (bytes for binary, characters for strings).
    max_value_size: int = 65_536
    #: SPEC C9.
    max_description: int = 2048
    #: SPEC B1.
    max_name: int = 512
    #: SPEC K5: user tags per secret.
    max_tags: int = 50
    #: SPEC K1.
    max_tag_key: int = 128
    #: SPEC K1.
    max_tag_value: int = 256
    #: SPEC J1: resource policy length.
    max_policy: int = 20_480
    #: SPEC G1: recovery window bounds and default.
    min_recovery_days: int = 7
    max_recovery_days: int = 30
    default_recovery_days: int = 30

    @classmethod
    def names(cls) -> frozenset[str]:
        """The option names a mock accepts as keyword overrides."""
        return frozenset(f.name for f in fields(cls))

    def with_overrides(self, overrides: dict[str, Any]) -> Limits:
        """A copy with some limits changed (unknown names raise TypeError)."""
        unknown = set(overrides) - self.names()
        if unknown:
            raise TypeError(f"unknown limit(s) {sorted(unknown)}; known: {sorted(self.names())}")
        return replace(self, **overrides)
