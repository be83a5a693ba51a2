"""ListSecrets entries, rendered to wire text once per state of a secret.

Encoding the JSON answer is most of what a ListSecrets page costs the mock (about 70% of its
own work, ``python -m benchmarks.instructions --ablate``), yet a secret's entry changes only
when the secret does. So once a secret has been listed twice, the text of its entry is kept
with the state it was rendered from, and used again while that state is unchanged: a page
listed again, or a page of which a few secrets changed, renders only what changed.

What it costs: the first listing of a secret only notes that it was seen (a dict store), so
a page listed once costs what it always did. The second listing also copies the secret's
state and renders its entry on its own (:func:`~sm_mock.protocol.encode_each`), about a
microsecond per entry more. From then on an unchanged entry costs the comparison of its state,
a fifth of rendering it.

Correct by comparison, not by notification: the saved state is everything
:func:`~sm_mock.operations.shapes.secret_metadata` reads for a list entry (the fields of
:data:`_STATE`, and the tags and the staging labels as ordered items), compared in full on
every use, so no writer has to remember to invalidate anything. Secrets with rotation
settings are never kept: their NextRotationDate is computed, not stored.

The cache is bounded (:data:`MAX_ENTRIES`, cleared whole when full): it holds the secrets of
the last few pages listed, not a copy of the store, so memory per secret does not grow.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from operator import attrgetter
from typing import Any

from ..model.secret import Secret
from ..protocol import Presented, encode_each, encode_json
from .shapes import secret_metadata

__all__ = ["MAX_ENTRIES", "STAGES_KEY", "clear", "render_page"]

#: The wire name of the stage map in a SecretListEntry (SM-109).
STAGES_KEY = "SecretVersionsToStages"

#: Secrets remembered at most: forty pages of the largest size (MaxResults 100).
MAX_ENTRIES = 4096

#: Every scalar a list entry is made of (see secret_metadata). Tags and labels are compared
#: separately, as ordered items: their order is the order of the answer (SM-076).
_STATE = attrgetter(
    "arn",
    "name",
    "type",
    "description",
    "kms_key_explicit",
    "kms_key",
    "rotation",
    "last_changed",
    "last_accessed",
    "deleted_at",
    "tags_touched",
    "owning_service",
    "created",
    "primary_region",
)

_Items = tuple[tuple[str, str], ...]
#: (scalars, tag items, label items): what an entry was rendered from.
_State = tuple[tuple[Any, ...], _Items, _Items]
#: secret → its kept entry (state, text), or :data:`_SEEN` after its first listing. Keyed by the
#: object itself: a secret purged and created again under its name is a new object.
_RENDERED: dict[Secret, tuple[_State, str] | None] = {}
_SEEN = None
_NEW: Any = object()


def clear() -> None:
    """Forget every rendered entry (when the last mock stops, the ``mock-cold`` ablation, tests)."""
    _RENDERED.clear()


def render_page(secrets: Sequence[Secret], now: datetime) -> Presented:
    """The ``SecretList`` of a ListSecrets answer over HTTP: the JSON array of the secrets'
    SecretListEntry objects (the lookups described above), what encoding
    ``secret_metadata(secret, now, stages_key=STAGES_KEY)`` of each gives.

    Call it under the store's lock, so the text is the page as the listing saw it; the answer
    is encoded later, outside the lock, by splicing it (:class:`~sm_mock.protocol.Spliced`).
    """
    rendered = _RENDERED
    if len(rendered) + len(secrets) > MAX_ENTRIES:
        rendered.clear()
    texts: list[str] = []
    fresh: list[tuple[int, Secret, _State | None]] = []  # to render: (position, secret, state to keep)
    for position, secret in enumerate(secrets):
        kept = rendered.get(secret, _NEW)
        if kept is _NEW:  # first listing: remember it was seen, render as always
            rendered[secret] = _SEEN
            fresh.append((position, secret, None))
            texts.append("")
            continue
        # What the entry is rendered from (a _State); inline, as it runs for every entry listed.
        state = (
            (_STATE(secret), tuple(secret.tags.items()), tuple(secret.stages.items()))
            if secret.rotation is None
            else None
        )
        if kept is not _SEEN and kept[0] == state:
            texts.append(kept[1])
        else:
            fresh.append((position, secret, state))
            texts.append("")
    if not fresh:
        return Presented("[" + ",".join(texts) + "]")
    dicts = [secret_metadata(secret, now, stages_key=STAGES_KEY) for _, secret, _ in fresh]
    if len(fresh) == len(secrets) and all(state is None for _, _, state in fresh):
        return Presented(encode_json(dicts))  # nothing to keep: one pass over the page, as before
    for (position, secret, state), text in zip(fresh, encode_each(dicts), strict=True):
        texts[position] = text
        if state is not None:
            rendered[secret] = (state, text)
    return Presented("[" + ",".join(texts) + "]")
