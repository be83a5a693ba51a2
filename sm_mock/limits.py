"""Every service limit sm_mock enforces, as named values in one place.

Values come from the Secrets Manager quotas page (SPEC Q1) and the botocore service model.
A mock can override any of them to test how code copes with a limit, e.g.
``mock_secretsmanager(max_secrets=3)`` or ``sm.quotas.limits.max_secrets = 3``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from . import choices
from .errors import AwsError

__all__ = ["Limits"]


def _too_long(value: str, path: str, limit: int, sensitive: bool = False) -> AwsError:
    # The same code and text as the model-driven check in sm_mock.protocol (SPEC A3), so a
    # limit lowered for a test fails exactly like the default limit does.
    shown = "" if sensitive or len(value) > 200 else f" '{value}'"
    return AwsError(
        choices.MODEL_VIOLATION_CODE,
        f"1 validation error detected: Value{shown} at '{path}' failed to satisfy constraint: "
        f"Member must have length less than or equal to {limit}",
    )


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

    # ---- checks (each raises the AwsError a request breaking the limit gets) -------------
    # They live next to the values so that the API path and backend seeding
    # (sm_mock.model.seeding) enforce exactly the same rules.
    def check_name(self, name: str) -> None:
        """SPEC B1: a secret name has at most :attr:`max_name` characters."""
        if len(name) > self.max_name:
            raise _too_long(name, "name", self.max_name)

    def check_description(self, description: str | None) -> None:
        """SPEC C9: a description has at most :attr:`max_description` characters."""
        if description is not None and len(description) > self.max_description:
            raise _too_long(description, "description", self.max_description)

    def check_policy(self, policy: str) -> None:
        """SPEC J1: a resource policy has at most :attr:`max_policy` characters."""
        if len(policy) > self.max_policy:
            raise _too_long(policy, "resourcePolicy", self.max_policy)

    def check_value_size(self, size: int) -> None:
        """SPEC C2: a value has at most :attr:`max_value_size` bytes (binary) or characters
        (string); the code follows ``choices.VALUE_SIZE_CODE``."""
        if size > self.max_value_size:
            raise AwsError(
                choices.VALUE_SIZE_CODE,
                f"The secret value is larger than the quota of {self.max_value_size} (bytes for "
                "SecretBinary, characters for SecretString). Store large data elsewhere and keep "
                "a reference in the secret.",
            )

    def check_tag(self, key: str, value: str) -> None:
        """SPEC K1, K5: key 1..:attr:`max_tag_key`, value ..:attr:`max_tag_value`, no ``aws:``."""
        if key.lower().startswith("aws:"):
            # SPEC K5: AWS reserves the prefix in any letter case.
            raise AwsError(
                choices.TAG_LIMIT_CODE,
                f"The tag key {key!r} uses the prefix 'aws:', which is reserved for AWS. Choose another key.",
            )
        if not key or len(key) > self.max_tag_key or len(value) > self.max_tag_value:
            # Tag key and value lengths are model constraints (TagKeyType, TagValueType).
            raise AwsError(
                choices.MODEL_VIOLATION_CODE,
                f"Tag keys must have 1 to {self.max_tag_key} characters and values at most {self.max_tag_value}.",
            )

    def check_tag_count(self, count: int) -> None:
        """SPEC K5: at most :attr:`max_tags` user tags per secret (after merging)."""
        if count > self.max_tags:
            raise AwsError(
                choices.TAG_LIMIT_CODE,
                f"A secret can have at most {self.max_tags} tags; this request would leave "
                f"{count}. Remove tags with UntagResource first.",
            )
