"""The endpoint's cache: answers per (secret id, version id, stage), sealed, on the mock's clock.

As the Agent's caching crate keeps them (``memory_store``): an entry is written with the time
of the write; a read finds it fresh until more than the TTL has passed, then expired (the
caller decides what to do with an expired entry, see :mod:`.reader`). Writing a key again
renews its time and moves it to the back; past ``max_size`` entries the oldest write goes.

Unlike the Agent, which keeps values in plain memory ("Secret values are not encrypted in the
cache", User Guide), each answer is sealed the way the backend seals a version
(:func:`sm_mock.crypto.seal`, AES-256-GCM under a data key wrapped by a key of the cache's
own), so nothing reachable from a mock holds a plaintext (docs/design.md principle 4).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from .. import choices
from ..clock import Clock
from ..crypto import Envelope, KmsKey, open_envelope, seal
from ..ids import IdSource

__all__ = ["Cached", "Key", "SealedCache"]

#: (secret id as asked, version id, version stage)
Key = tuple[str, "str | None", "str | None"]


@dataclass(slots=True, eq=False)
class Cached:
    """One cached answer: what the refresh check needs in the clear, the body sealed."""

    arn: str
    version_id: str
    envelope: Envelope
    written: datetime

    def __repr__(self) -> str:
        return f"Cached({self.arn!r}, {self.version_id!r}, written={self.written.isoformat()})"


class SealedCache:
    """The endpoint's cache (thread-safe). ``ttl`` 0 makes every entry expired at once
    (choices.AGENT_TTL_ZERO)."""

    def __init__(self, clock: Clock, *, ttl_seconds: int, max_size: int, account_id: str, region: str) -> None:
        self.clock = clock
        self.ttl = timedelta(seconds=ttl_seconds)
        self.max_size = max_size
        key_id = IdSource().uuid()
        #: The cache's own key; it never joins a keyring, so no secret can use it.
        self._key = KmsKey(key_id, f"sm_mock:agent-cache:{key_id}", account_id, region)
        self._entries: OrderedDict[Key, Cached] = OrderedDict()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SealedCache({len(self)} entries, ttl={int(self.ttl.total_seconds())}s, max={self.max_size})"

    def __len__(self) -> int:
        return len(self._entries)

    def cached_keys(self) -> list[Key]:
        """The cached keys, oldest write first."""
        with self._lock:
            return list(self._entries)

    def get(self, key: Key) -> tuple[Cached, bool] | None:
        """The entry and whether it is still fresh, or None."""
        with self._lock:
            entry = self._entries.get(key)
        if entry is None:
            return None
        if not self.ttl and choices.AGENT_TTL_ZERO_ALWAYS_EXPIRED:
            return entry, False
        fresh = self.clock.now() - entry.written <= self.ttl
        return entry, fresh

    def put(self, key: Key, arn: str, version_id: str, body: bytes) -> None:
        """Seal ``body`` and write it under ``key``."""
        self._write(key, Cached(arn, version_id, seal(body, self._key, arn, version_id), self.clock.now()))

    def renew(self, key: Key, entry: Cached) -> None:
        """Write an entry back unchanged: its TTL starts again and it moves to the back."""
        self._write(key, Cached(entry.arn, entry.version_id, entry.envelope, self.clock.now()))

    def open(self, entry: Cached) -> bytes:
        """The body of an entry (a fresh plaintext for the answer, kept nowhere)."""
        return open_envelope(entry.envelope, [self._key], entry.arn, entry.version_id)

    def clear(self) -> None:
        """Forget everything (a restarted Agent starts empty)."""
        with self._lock:
            self._entries.clear()

    def _write(self, key: Key, entry: Cached) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_size:
                self._entries.popitem(last=False)
