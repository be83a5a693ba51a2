"""Fault injection plan (chaos testing). Minimal core; extended by the chaos issue."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from .admission import Admission

if TYPE_CHECKING:
    from .mock import SecretsManagerMock

__all__ = ["FaultPlan"]


class FaultPlan:
    """Faults to inject into matching requests."""

    def __init__(self, mock: SecretsManagerMock) -> None:
        self._mock = mock

    def check(self, operation: str, params: dict[str, Any], region: str, account_id: str, now: datetime) -> Admission | None:
        """The fault that answers this request, if any."""
        return None
