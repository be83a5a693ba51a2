"""Rate quotas (token buckets on the mock clock). Minimal core; extended by the quotas issue."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from .admission import Admission

if TYPE_CHECKING:
    from .mock import SecretsManagerMock

__all__ = ["Quotas"]


class Quotas:
    """Rate quotas and capacity limits of one mock."""

    def __init__(self, mock: SecretsManagerMock) -> None:
        self._mock = mock
        self.enabled = mock.throttling

    @property
    def limits(self) -> object:
        """The capacity limits (always enforced)."""
        return self._mock.limits

    def check(self, operation: str, region: str, account_id: str, now: datetime) -> Admission | None:
        """ThrottlingException when the operation's bucket is empty."""
        return None
