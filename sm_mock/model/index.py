"""Listing indexes of a region store: a ListSecrets page in O(page + log n) (docs/design.md principle 7).

What is kept
    For every ``SortBy`` (SPEC L9) that has been asked for, a *view*: the store's secrets in
    key order, held in two :class:`SortedEntries` — the live secrets and those scheduled for
    deletion — so a listing without ``IncludePlannedDeletion`` never walks over deleted ones
    (SPEC L2) and one with it merges the two. A key is the sort value plus the secret's
    creation sequence number (:attr:`Secret.seq`), so keys are unique, ties fall back to
    creation order, and a position in a listing can be written into a NextToken as the last
    returned key. A page resumes strictly after that key, which is why creating or deleting
    secrets between pages neither repeats nor skips a secret that existed throughout.

    A min-heap of deletion dates finds the secrets whose recovery window has passed, so the
    purge a listing owes (SPEC G7) costs O(log n) per purged secret instead of a scan.

Laziness (point operations stay O(1))
    Nothing is built until the first listing; a view for a ``SortBy`` is built the first time it
    is used (one sort, O(n log n)). After that, writers never touch the views: the store reports
    creations and purges through its listeners, and :class:`~sm_mock.model.secret.Secret` reports
    changes of ``last_changed``, ``last_accessed`` and ``deleted_at`` to its ``watcher`` (one list
    append). The next listing replays that change log into every view, O(log n) per change.
    If the log grows past twice the number of secrets without a listing, the views are dropped
    and rebuilt on demand, which bounds memory and keeps the replay amortised O(log n).

Name filters
    A request ``name`` filter gives prefix ranges of the name view (``SecretFilter.name_prefixes``),
    and the number m of secrets in them costs O(log n) to count. Sorted by name, the page is a
    range scan: O(page + log n). Sorted by anything else, rare matches (m² ≤ page × n) are
    collected from the name ranges and sorted, O(m log m + log n); common ones are found by
    walking the requested view, about page × n / m steps when they are spread out, with a budget
    of about 2m steps after which the rest is collected, so clustered matches cannot make the walk
    long. Other filters are checked on each candidate in order, so a selective description, tag or
    ``all`` filter costs a walk over the candidates (there is no inverted index for them: tags and
    descriptions change in place, without notification).

All methods expect the caller to hold the store's lock.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from operator import attrgetter, itemgetter
from typing import Any, Protocol

from .. import choices
from .filters import SecretFilter
from .secret import Secret
from .sorted import Key, SortedEntries


class IndexedStore(Protocol):
    """What the index needs of its region store (:class:`~sm_mock.model.store.RegionStore`)."""

    by_name: dict[str, Secret]
    by_arn: dict[str, Secret]
    #: Called as fn(event, secret) on "create" and "purge".
    listeners: list[object]

    def holds(self, secret: Secret) -> bool:
        """True while ``secret`` itself is in the store."""

    def purge(self, secret: Secret) -> None:
        """Remove a secret for good."""

    def purge_expired(self, now: datetime) -> int:
        """Purge every secret whose recovery window has passed."""


__all__ = ["SORT_KEYS", "IndexedStore", "ListingIndex", "Page", "SortKey"]

#: Keys of the date sorts pack the creation sequence number below the date value.
_SEQ_SPAN = 1 << 40
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)
#: The change log never forces a rebuild below this many entries.
_MIN_LOG = 10_000
#: The sort value of a date that is not set (choices.LIST_UNSET_DATES_FIRST): before or after all.
_UNSET = -1 if choices.LIST_UNSET_DATES_FIRST else 1 << 64
#: Pseudo-field of the change log: the secret entered (old value False) or left (True) the store.
_PRESENT = "present"


def _micros(value: datetime) -> int:
    """Microseconds since the epoch."""
    if value.tzinfo is None:  # a naive time from an injected clock is taken as UTC
        value = value.replace(tzinfo=timezone.utc)
    return (value - _EPOCH) // _MICROSECOND


def _time_key(value: Any, seq: int) -> Key:
    if value is None:
        return _UNSET * _SEQ_SPAN + seq
    if value.tzinfo is None:  # as _micros (inline: a page filtered by name makes a key per match)
        value = value.replace(tzinfo=timezone.utc)
    return (value - _EPOCH) // _MICROSECOND * _SEQ_SPAN + seq


def _day_key(value: Any, seq: int) -> Key:
    # LastAccessedDate has date precision (SPEC P3): secrets read on the same day tie, and the
    # tie falls back to creation order.
    return (_UNSET if value is None else value.toordinal()) * _SEQ_SPAN + seq


def _name_key(value: Any, seq: int) -> Key:
    return (value, seq)


@dataclass(frozen=True, slots=True)
class SortKey:
    """How one ``SortBy`` value orders secrets."""

    #: The wire value (``created-date`` ...).
    sort_by: str
    #: The :class:`Secret` attribute sorted on.
    field: str
    #: ``make(value, seq)``: the unique index key of a secret whose attribute is ``value``.
    make: Callable[[Any, int], Key]

    def of(self, secret: Secret) -> Key:
        """The key ``secret`` has now."""
        return self.make(getattr(secret, self.field), secret.seq)

    def successor(self, key: Key) -> Key:
        """The smallest possible key greater than ``key`` (seq is an integer)."""
        if isinstance(key, tuple):
            return (key[0], key[1] + 1)
        return key + 1

    def to_wire(self, key: Key) -> Any:
        """``key`` as JSON (for a NextToken)."""
        return list(key) if isinstance(key, tuple) else key

    def from_wire(self, raw: Any) -> Key | None:
        """The key a NextToken carries, or None if it is not one of this sort's keys."""
        if self.make is _name_key:
            if (
                isinstance(raw, list)
                and len(raw) == 2
                and isinstance(raw[0], str)
                and isinstance(raw[1], int)
                and not isinstance(raw[1], bool)
            ):
                return (raw[0], raw[1])
            return None
        return raw if isinstance(raw, int) and not isinstance(raw, bool) else None


#: SPEC L9: the four SortBy values.
SORT_KEYS: dict[str, SortKey] = {
    "created-date": SortKey("created-date", "created", _time_key),
    "last-accessed-date": SortKey("last-accessed-date", "last_accessed", _day_key),
    "last-changed-date": SortKey("last-changed-date", "last_changed", _time_key),
    "name": SortKey("name", "name", _name_key),
}


@dataclass(slots=True)
class _View:
    """One SortBy: live secrets and secrets scheduled for deletion, each in key order."""

    sort: SortKey
    live: SortedEntries
    planned: SortedEntries

    @classmethod
    def build(cls, sort: SortKey, secrets: Iterable[Secret]) -> _View:
        of = sort.of
        ordered = sorted(secrets, key=of)
        live = [s for s in ordered if s.deleted_at is None]
        planned = [s for s in ordered if s.deleted_at is not None] if len(live) < len(ordered) else []
        return cls(
            sort,
            SortedEntries(list(map(of, live)), live),
            SortedEntries(list(map(of, planned)), planned),
        )

    def part(self, planned: bool) -> SortedEntries:
        return self.planned if planned else self.live

    def replay(self, secret: Secret, olds: dict[str, Any], was_in: bool, now_in: bool) -> None:
        """Move ``secret`` from where it was before the logged changes ``olds`` to where it is."""
        field = self.sort.field
        seq = secret.seq
        planned = secret.deleted_at is not None
        key = self.sort.make(getattr(secret, field), seq) if now_in else None
        if was_in:
            old_key = self.sort.make(olds.get(field, getattr(secret, field)), seq)
            was_planned = olds.get("deleted_at", secret.deleted_at) is not None
            if now_in and old_key == key and was_planned == planned:
                return
            self.part(was_planned).remove(old_key)
        if now_in:
            self.part(planned).insert(key, secret)


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a listing: the matching entries and whether more follow."""

    entries: list[tuple[Key, Secret]]
    more: bool


class ListingIndex:
    """The listing indexes of one :class:`~sm_mock.model.store.RegionStore` (see module doc)."""

    def __init__(self, store: IndexedStore) -> None:
        self._store = store
        self._views: dict[str, _View] = {}
        #: (secret, field, value before the change), in order, since the last replay.
        self._log: list[tuple[Secret, str, Any]] = []
        #: (deletion date in µs, seq, tie-breaker, secret): scheduled purges, earliest first.
        self._expiry: list[tuple[int, int, int, Secret]] = []
        self._pushes = itertools.count()
        # Callable objects rather than bound methods: nothing reachable from the store then
        # leads to a function (and through it to module globals), which keeps heap walks such
        # as the no-plaintext check of tests/test_encryption.py meaningful.
        self._watcher = _Watcher(self)
        store.listeners.append(_StoreListener(self))

    def __repr__(self) -> str:
        return f"ListingIndex(views={sorted(self._views)}, pending={len(self._log)})"

    # ---- change capture (O(1) per change) ---------------------------------------------------
    def on_store_event(self, event: str, secret: Secret) -> None:
        """The store's listener: watch secrets from their insertion until their purge."""
        if event == "create":
            secret.watcher = self._watcher
            self.on_change(secret, _PRESENT, False)
        elif event == "purge":
            secret.watcher = None
            self.on_change(secret, _PRESENT, True)

    def on_change(self, secret: Secret, field: str, old: Any) -> None:
        """Record that ``field`` of ``secret`` was ``old`` until now (replayed by the next listing)."""
        if not self._views:
            return  # nothing built: the first listing builds from the store itself
        log = self._log
        log.append((secret, field, old))
        if len(log) > _MIN_LOG and len(log) > 2 * len(self._store.by_name):
            self.reset()

    def reset(self) -> None:
        """Drop every view (they are rebuilt on the next listing that needs them)."""
        self._views = {}
        self._log = []
        self._expiry = []

    # ---- catching up ------------------------------------------------------------------------
    def _replay(self) -> None:
        log = self._log
        if not log:
            return
        self._log = []
        first: dict[Secret, dict[str, Any]] = {}
        for secret, field, old in log:
            olds = first.get(secret)
            if olds is None:
                first[secret] = {field: old}
            elif field not in olds:
                olds[field] = old  # the value before the first change is what the views hold
        by_arn = self._store.by_arn
        views = list(self._views.values())
        for secret, olds in first.items():
            now_in = by_arn.get(secret.arn) is secret
            was_in = olds.get(_PRESENT, now_in)
            for view in views:
                view.replay(secret, olds, was_in, now_in)
            if now_in and secret.deletion_date is not None and ("deleted_at" in olds or not was_in):
                self._push_expiry(secret)

    def _push_expiry(self, secret: Secret) -> None:
        assert secret.deletion_date is not None
        entry = (_micros(secret.deletion_date), secret.seq, next(self._pushes), secret)
        heapq.heappush(self._expiry, entry)

    def _purge_due(self, now: datetime) -> None:
        """Purge the secrets whose recovery window has passed (SPEC G7), earliest first."""
        heap = self._expiry
        limit = _micros(now)
        store = self._store
        while heap and heap[0][0] <= limit:
            entry = heapq.heappop(heap)
            secret = entry[3]
            # Entries go stale when a secret is restored (and perhaps deleted again, which pushes
            # a new entry) or purged some other way.
            due = secret.deletion_date
            if due is None or _micros(due) != entry[0] or not store.holds(secret):
                continue
            if not secret.expired(now):  # due at this very instant, but still inside the window
                heapq.heappush(heap, entry)
                break
            store.purge(secret)

    def _view(self, sort_by: str, now: datetime) -> _View:
        view = self._views.get(sort_by)
        if view is None:
            store = self._store
            if not self._views:
                # Going from cold to warm: one scan settles what the heap will track from now on.
                store.purge_expired(now)
                for secret in store.by_name.values():
                    if secret.deletion_date is not None:
                        self._push_expiry(secret)
            view = _View.build(SORT_KEYS[sort_by], store.by_name.values())
            self._views[sort_by] = view
        return view

    def sync(self, now: datetime) -> None:
        """Apply pending changes and purge what expired (a listing does this first)."""
        self._replay()
        self._purge_due(now)
        self._replay()

    # ---- queries --------------------------------------------------------------------------
    def page(
        self,
        now: datetime,
        *,
        sort_by: str,
        descending: bool,
        include_planned: bool,
        flt: SecretFilter,
        after: Key | None,
        limit: int,
        prefixes_exact: bool = False,
    ) -> Page:
        """Up to ``limit`` secrets passing ``flt`` that follow position ``after`` in the order
        (``sort_by``, ``descending``), with their keys; ``more`` tells whether another follows.

        ``after`` is the key of the last entry of the previous page (None: from the start).
        ``prefixes_exact`` says that ``flt`` is nothing but its name prefixes (one ``name``
        filter without negated values), so secrets taken from the name ranges need no check.
        """
        self.sync(now)
        view = self._view(sort_by, now)
        sort = view.sort
        lo: Key | None = None
        hi: Key | None = None
        if after is not None:
            if descending:
                hi = after
            else:
                lo = sort.successor(after)
        check = None if flt.matches_everything else flt.matches
        prefixes = flt.name_prefixes
        in_ranges = None if prefixes_exact else check  # the check for secrets from the name ranges
        if prefixes is not None and sort.sort_by == "name":
            ranges = self._name_ranges(view, prefixes, lo, hi, descending, include_planned)
            return _take(ranges, in_ranges, limit)
        parts = [view.live] + ([view.planned] if include_planned and len(view.planned) else [])
        walk = _merge([part.between(lo, hi, reverse=descending) for part in parts], descending)
        if prefixes is None:
            return _take(walk, check, limit)
        # A name filter with another sort. Few matches: collect them from the name ranges and
        # sort them. Many: walk the view (about limit * total / found steps if they are spread
        # out), but give up once the walk has cost about what collecting would, and collect the
        # rest, so clustered matches cannot make the walk long.
        names = self._view("name", now)
        found = sum(
            names.part(planned).count((p, -1), None if end is None else (end, -1))
            for p, end in ((p, _after_prefix(p)) for p in prefixes)
            for planned in ((False, True) if include_planned else (False,))
        )
        total = len(view.live) + (len(view.planned) if include_planned else 0)
        entries: list[tuple[Key, Secret]] = []
        if found * found > limit * total:
            budget = 2 * found + 2 * limit + 16
            for scanned, (key, secret) in enumerate(walk):
                if check is None or check(secret):
                    if len(entries) == limit:
                        return Page(entries, True)
                    entries.append((key, secret))
                if scanned >= budget:
                    break
            else:
                return Page(entries, False)
            if entries:
                last = entries[-1][0]
                if descending:
                    hi = last
                else:
                    lo = sort.successor(last)
        make, value_of = sort.make, attrgetter(sort.field)  # sort.of, without a call per match
        collected = []
        for _, secret in self._name_ranges(names, prefixes, None, None, False, include_planned):
            key = make(value_of(secret), secret.seq)
            if (lo is None or not key < lo) and (hi is None or key < hi):
                collected.append((key, secret))
        collected.sort(key=_KEY, reverse=descending)
        rest = _take(iter(collected), in_ranges, limit - len(entries))
        return Page(entries + rest.entries, rest.more)

    @staticmethod
    def _name_ranges(
        view: _View,
        prefixes: tuple[str, ...],
        lo: Key | None,
        hi: Key | None,
        descending: bool,
        include_planned: bool,
    ) -> Iterator[tuple[Key, Secret]]:
        """The entries of the name ``view`` whose name starts with one of ``prefixes`` (sorted,
        disjoint ranges), within ``[lo, hi)``, in order."""
        for prefix in reversed(prefixes) if descending else prefixes:
            end = _after_prefix(prefix)
            start_key: Key = (prefix, -1)
            end_key: Key | None = None if end is None else (end, -1)
            if lo is not None and start_key < lo:
                start_key = lo
            if hi is not None and (end_key is None or hi < end_key):
                end_key = hi
            if end_key is not None and not start_key < end_key:
                continue
            parts = [view.live] + ([view.planned] if include_planned and len(view.planned) else [])
            yield from _merge([part.between(start_key, end_key, reverse=descending) for part in parts], descending)

    def check(self) -> None:
        """Assert that every built view matches the store exactly (for tests)."""
        self._replay()
        secrets = list(self._store.by_name.values())
        for view in self._views.values():
            view.live.check()
            view.planned.check()
            expected = _View.build(view.sort, secrets)
            for mine, theirs in ((view.live, expected.live), (view.planned, expected.planned)):
                got = list(mine.between(None, None))
                want = list(theirs.between(None, None))
                assert [k for k, _ in got] == [k for k, _ in want], f"{view.sort.sort_by}: keys differ"
                assert all(a is b for (_, a), (_, b) in zip(got, want, strict=True))


class _StoreListener:
    """``RegionStore.listeners`` entry that forwards to :meth:`ListingIndex.on_store_event`."""

    __slots__ = ("index",)

    def __init__(self, index: ListingIndex) -> None:
        self.index = index

    def __call__(self, event: str, secret: Secret) -> None:
        self.index.on_store_event(event, secret)


class _Watcher:
    """``Secret.watcher`` that forwards to :meth:`ListingIndex.on_change`."""

    __slots__ = ("index",)

    def __init__(self, index: ListingIndex) -> None:
        self.index = index

    def __call__(self, secret: Secret, field: str, old: Any) -> None:
        self.index.on_change(secret, field, old)


_KEY = itemgetter(0)


def _after_prefix(prefix: str) -> str | None:
    """The smallest string greater than every string that starts with ``prefix`` (None: none)."""
    stripped = prefix.rstrip("\U0010ffff")
    if not stripped:
        return None
    return stripped[:-1] + chr(ord(stripped[-1]) + 1)


def _merge(walks: list[Iterator[tuple[Key, Secret]]], descending: bool) -> Iterator[tuple[Key, Secret]]:
    if len(walks) == 1:
        return walks[0]
    return heapq.merge(*walks, key=_KEY, reverse=descending)


def _take(walk: Iterator[tuple[Key, Secret]], check: Callable[[Secret], bool] | None, limit: int) -> Page:
    """The first ``limit`` entries of ``walk`` that pass ``check``, and whether one more does."""
    entries: list[tuple[Key, Secret]] = []
    if check is None:
        entries = list(itertools.islice(walk, limit + 1))
    else:
        for item in walk:
            if check(item[1]):
                entries.append(item)
                if len(entries) > limit:
                    break
    if len(entries) > limit:
        return Page(entries[:limit], True)
    return Page(entries, False)
