"""ListSecrets entries, kept while their secret is unchanged.

Rendering a page's entries (building the SecretListEntry dicts and encoding them to JSON) is
most of what a ListSecrets page costs the mock, yet a secret's entry changes only when the
secret does. So once a secret has been listed twice at the same
:attr:`~sm_mock.model.secret.Secret.revision`, its entry is kept as a
:class:`~sm_mock.protocol.Kept` dict, whose JSON text the codec makes once and keeps. A page
listed again, or a page of which a few secrets changed, renders only what changed.

Correct by the model's own change tracking, not by a list of fields kept here: every change to
a secret (each write of the domain API, a read that stamps a new LastAccessedDate, replication
copying to a replica) moves its revision on, and a kept entry is used only at the revision it
was made at. Secrets with rotation settings are never kept: their NextRotationDate is
computed from the clock, not stored.

What it costs: the first listing of a secret only notes the revision it saw, so a page listed
once costs what it always did. The cache belongs to the region store it lists (it goes when the
session's backend goes) and is bounded (:data:`MAX_ENTRIES`, cleared whole when full): it holds
the secrets of the last few pages listed, not a copy of the store.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ..model.secret import Secret
from ..model.store import RegionStore
from ..protocol import Kept
from .shapes import secret_metadata

__all__ = ["MAX_ENTRIES", "STAGES_KEY", "list_entries"]

#: The wire name of the stage map in a SecretListEntry (SM-109).
STAGES_KEY = "SecretVersionsToStages"

#: Secrets remembered at most per region store: forty pages of the largest size (MaxResults 100).
MAX_ENTRIES = 4096

#: Region store → {secret's sequence number → (revision, kept entry or None once seen)}.
_KEPT: weakref.WeakKeyDictionary[RegionStore, dict[int, tuple[int, Kept | None]]] = weakref.WeakKeyDictionary()


def list_entries(store: RegionStore, secrets: Sequence[Secret], now: datetime) -> list[dict[str, Any]]:
    """The SecretListEntry of each secret (``secret_metadata(secret, now, stages_key=STAGES_KEY)``),
    kept ones where the secret is unchanged. Call it under the store's lock."""
    kept = _KEPT.get(store)
    if kept is None:
        kept = _KEPT[store] = {}
    elif len(kept) + len(secrets) > MAX_ENTRIES:
        kept.clear()
    out: list[dict[str, Any]] = []
    for secret in secrets:
        if secret.rotation is not None:
            out.append(secret_metadata(secret, now, stages_key=STAGES_KEY))
            continue
        revision = secret.revision
        seen = kept.get(secret.seq)
        if seen is None or seen[0] != revision:  # first listing at this revision: note it
            kept[secret.seq] = (revision, None)
            out.append(secret_metadata(secret, now, stages_key=STAGES_KEY))
            continue
        entry = seen[1]
        if entry is None:  # listed again, unchanged: keep it from now on
            entry = Kept(secret_metadata(secret, now, stages_key=STAGES_KEY))
            kept[secret.seq] = (revision, entry)
        out.append(entry)
    return out
