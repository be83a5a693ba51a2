"""The sleeps botocore asked for while a mock was active (``sm.sleeps``).

botocore's retry back-off and adaptive mode's rate limiter are intercepted in
:mod:`sm_mock.botocore.retries`; each wait becomes a :class:`SleepRecord` in the active
session's :class:`SleepLog`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from .calls import CallRecord

__all__ = ["BACKOFF", "RATE_LIMIT", "SleepLog", "SleepRecord"]

#: A back-off delay between two attempts of one call.
BACKOFF: Final = "backoff"
#: A wait of adaptive mode's client-side rate limiter before sending.
RATE_LIMIT: Final = "rate_limit"


@dataclass(frozen=True, slots=True)
class SleepRecord:
    """One sleep botocore asked for while a mock was active."""

    seconds: float
    #: :data:`BACKOFF` or :data:`RATE_LIMIT`.
    kind: str
    #: The Secrets Manager attempt served last on the sleeping thread (for a back-off: the
    #: attempt that failed and is about to be retried), or None.
    operation: str | None = None
    attempt: int | None = None
    error_code: str | None = None


class SleepLog:
    """Sleeps botocore asked for (``sm.sleeps``): append-only and thread-safe."""

    def __init__(self) -> None:
        self._records: list[SleepRecord] = []
        self._listeners: list[Callable[[float], object]] = []
        self._lock = threading.Lock()

    def __iter__(self) -> Iterator[SleepRecord]:
        return iter(list(self._records))

    def __len__(self) -> int:
        return len(self._records)

    def __getitem__(self, index: int) -> SleepRecord:
        return self._records[index]

    def __repr__(self) -> str:
        return f"SleepLog({len(self._records)} sleeps, {self.total:.3f}s)"

    @property
    def delays(self) -> list[float]:
        """The back-off delays between attempts, in seconds, in order."""
        return [r.seconds for r in self._records if r.kind == BACKOFF]

    @property
    def total(self) -> float:
        """Seconds botocore would have slept (all kinds)."""
        return sum(r.seconds for r in self._records)

    def of(self, kind: str) -> list[SleepRecord]:
        """The records of one kind (:data:`BACKOFF` or :data:`RATE_LIMIT`)."""
        return [r for r in self._records if r.kind == kind]

    def on_sleep(self, listener: Callable[[float], object]) -> None:
        """Call ``listener(seconds)`` for every sleep, e.g. freezegun's ``frozen.tick`` or
        time-machine's ``traveller.shift``, so a frozen clock moves with the back-off and the
        rate quotas refill as they would in real time."""
        with self._lock:
            self._listeners.append(listener)

    def clear(self) -> None:
        """Forget every record (listeners stay)."""
        with self._lock:
            self._records.clear()

    def record(self, seconds: float, kind: str, last: CallRecord | None = None) -> None:
        """Add a record and notify the listeners (called by the interception)."""
        entry = SleepRecord(
            float(seconds),
            kind,
            last.operation if last is not None else None,
            last.attempt if last is not None else None,
            last.error_code if last is not None else None,
        )
        with self._lock:
            self._records.append(entry)
            listeners = list(self._listeners)
        for listener in listeners:
            listener(seconds)
