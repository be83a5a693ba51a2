"""The call log: one immutable record per request attempt (style of responses/respx)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["REDACTED", "CallLog", "CallRecord", "redact"]

REDACTED = "**redacted**"

#: Members that carry secret material and never appear in the log (SPEC S7).
_SENSITIVE = frozenset({"SecretString", "SecretBinary", "RotationToken", "RandomPassword"})


def redact(params: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``params`` with secret material replaced by :data:`REDACTED`."""
    return {k: (REDACTED if k in _SENSITIVE else v) for k, v in params.items()}


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One request attempt as sm_mock saw it."""

    operation: str
    params: dict[str, Any] = field(repr=False)
    region: str
    account_id: str
    error_code: str | None
    at: datetime
    #: True when an injected fault answered this attempt (sm.faults).
    injected: bool = False
    #: True when a rate quota answered this attempt with ThrottlingException.
    throttled: bool = False
    #: 1 for the first attempt of a botocore call, 2+ for its retries (from amz-sdk-request).
    attempt: int = 1

    @property
    def ok(self) -> bool:
        """True when the attempt succeeded."""
        return self.error_code is None


class CallLog:
    """Append-only, thread-safe list of :class:`CallRecord`."""

    def __init__(self) -> None:
        self._records: list[CallRecord] = []
        self._lock = threading.Lock()

    def append(self, record: CallRecord) -> None:
        """Add a record (called by the hook)."""
        with self._lock:
            self._records.append(record)

    def __iter__(self) -> Iterator[CallRecord]:
        return iter(list(self._records))

    def __len__(self) -> int:
        return len(self._records)

    def __getitem__(self, index: int) -> CallRecord:
        return self._records[index]

    def __repr__(self) -> str:
        return f"CallLog({len(self._records)} calls)"

    def of(self, operation: str) -> list[CallRecord]:
        """Every attempt of one operation."""
        return [r for r in self._records if r.operation == operation]

    def count(self, operation: str | None = None) -> int:
        """How many attempts (of one operation, or in all)."""
        return len(self._records) if operation is None else len(self.of(operation))

    def errors(self) -> list[CallRecord]:
        """The attempts that failed."""
        return [r for r in self._records if r.error_code is not None]

    def retried(self, operation: str | None = None) -> int:
        """How many attempts were retries (attempt number above 1)."""
        return sum(1 for r in self._records if r.attempt > 1 and (operation is None or r.operation == operation))

    def clear(self) -> None:
        """Forget every record."""
        with self._lock:
            self._records.clear()
