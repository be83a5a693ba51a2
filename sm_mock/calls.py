"""The call log: one immutable record per request attempt (style of responses/respx)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from typing import Any, NamedTuple

__all__ = ["REDACTED", "CallLog", "CallRecord", "redact"]

REDACTED = "**redacted**"

#: Members that carry secret material and never appear in the log (SPEC S7).
_SENSITIVE = frozenset({"SecretString", "SecretBinary", "RotationToken", "RandomPassword"})


def redact(params: dict[str, Any]) -> dict[str, Any]:
    """``params`` with secret material replaced by :data:`REDACTED` (a copy when it has any).

    Most requests carry none (reads, listings): they keep the decoded request dict itself,
    which nothing else holds on to, instead of paying a copy per call (profiled).
    """
    if _SENSITIVE.isdisjoint(params):
        return params
    return {k: (REDACTED if k in _SENSITIVE else v) for k, v in params.items()}


class CallRecord(NamedTuple):
    """One request attempt as sm_mock saw it (immutable).

    A named tuple rather than a frozen dataclass: one is made per request, and a frozen
    dataclass sets each of its nine fields through ``object.__setattr__``, about twice the
    cost of building the tuple (profiled inside real calls).
    """

    operation: str
    #: The request's parameters, secret material redacted (not shown in the repr).
    params: dict[str, Any]
    region: str
    account_id: str
    #: The AWS error code answered, the transport failure kind ("ConnectionError",
    #: "ReadTimeout", ...) for an injected network failure, or None on success.
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

    def __repr__(self) -> str:
        return (
            f"CallRecord(operation={self.operation!r}, region={self.region!r}, account_id={self.account_id!r}, "
            f"error_code={self.error_code!r}, at={self.at!r}, injected={self.injected!r}, "
            f"throttled={self.throttled!r}, attempt={self.attempt!r})"
        )


class CallLog:
    """Append-only, thread-safe list of :class:`CallRecord`."""

    def __init__(self) -> None:
        self._records: list[CallRecord] = []
        self._lock = threading.Lock()
        # The last record appended by each thread: links botocore's retry sleeps (taken on
        # the calling thread) to the attempt they follow (sm_mock.botocore.retries).
        self._local = threading.local()

    def append(self, record: CallRecord) -> None:
        """Add a record (called by the hook)."""
        with self._lock:
            self._records.append(record)
        self._local.last = record

    def last_in_thread(self) -> CallRecord | None:
        """The record most recently appended by the current thread, if any."""
        last: CallRecord | None = getattr(self._local, "last", None)
        return last

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

    def made(self, operation: str | None = None) -> int:
        """How many calls the code under test made: first attempts only, botocore's
        retries not counted (compare :meth:`count`, which counts every attempt)."""
        return sum(1 for r in self._records if r.attempt == 1 and (operation is None or r.operation == operation))

    def retried(self, operation: str | None = None) -> int:
        """How many attempts were retries (attempt number above 1)."""
        return sum(1 for r in self._records if r.attempt > 1 and (operation is None or r.operation == operation))

    def retried_calls(self, operation: str | None = None) -> int:
        """How many calls needed at least one retry."""
        return sum(1 for r in self._records if r.attempt == 2 and (operation is None or r.operation == operation))

    def injected(self, operation: str | None = None) -> list[CallRecord]:
        """The attempts answered by a fault of ``sm.faults``."""
        return [r for r in self._records if r.injected and (operation is None or r.operation == operation)]

    def throttled(self, operation: str | None = None) -> list[CallRecord]:
        """The attempts refused by a rate quota (``ThrottlingException`` from ``sm.quotas``)."""
        return [r for r in self._records if r.throttled and (operation is None or r.operation == operation)]

    def clear(self) -> None:
        """Forget every record."""
        with self._lock:
            self._records.clear()
