"""A sorted container: (key, secret) pairs in key order, in chunks (the listing index's views).

A plain sorted list makes inserts O(n); a balanced tree is heavy in Python. Chunks of a few
hundred entries, found by bisecting the chunk maxima, keep insert and remove at
O(log n + chunk size) and walks at O(log n + k), with the simple memory layout of lists.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from typing import Any

from .secret import Secret

__all__ = ["Key", "SortedEntries"]

#: A sort key: ``value * 2**40 + seq`` for the date sorts, ``(name, seq)`` for ``name``.
Key = Any

#: Target entries per chunk of a :class:`SortedEntries`; a chunk splits at twice this.
_LOAD = 512


class SortedEntries:
    """(key, secret) pairs in key order, with unique keys: a list of sorted chunks.

    Insert and remove cost O(log n + chunk size) (a bisect over the chunk maxima, then a list
    insert inside one chunk of at most 2 × 512 entries); walking k entries from any position
    costs O(log n + k). The keys of one instance are all ints or all ``(str, int)`` tuples.
    """

    __slots__ = ("_keys", "_maxes", "_size", "_values")

    def __init__(self, keys: list[Key] | None = None, values: list[Secret] | None = None) -> None:
        """Start from already sorted, parallel ``keys`` and ``values`` (or empty)."""
        keys = keys or []
        values = values or []
        self._keys: list[list[Key]] = [keys[i : i + _LOAD] for i in range(0, len(keys), _LOAD)]
        self._values: list[list[Secret]] = [values[i : i + _LOAD] for i in range(0, len(values), _LOAD)]
        self._maxes: list[Key] = [chunk[-1] for chunk in self._keys]
        self._size = len(keys)

    def __len__(self) -> int:
        return self._size

    def __repr__(self) -> str:
        return f"SortedEntries({self._size} entries in {len(self._keys)} chunks)"

    def insert(self, key: Key, value: Secret) -> None:
        """Add an entry (its key must not be present)."""
        maxes = self._maxes
        self._size += 1
        if not maxes:
            self._keys.append([key])
            self._values.append([value])
            maxes.append(key)
            return
        i = bisect_left(maxes, key)
        if i == len(maxes):  # past every key: append to the last chunk (the common case)
            i -= 1
            self._keys[i].append(key)
            self._values[i].append(value)
            maxes[i] = key
        else:
            keys = self._keys[i]
            j = bisect_left(keys, key)
            keys.insert(j, key)
            self._values[i].insert(j, value)
        if len(self._keys[i]) > 2 * _LOAD:
            keys, values = self._keys[i], self._values[i]
            self._keys[i : i + 1] = [keys[:_LOAD], keys[_LOAD:]]
            self._values[i : i + 1] = [values[:_LOAD], values[_LOAD:]]
            maxes[i : i + 1] = [keys[_LOAD - 1], keys[-1]]

    def remove(self, key: Key) -> bool:
        """Remove the entry with ``key``; False if there is none."""
        maxes = self._maxes
        i = bisect_left(maxes, key)
        if i == len(maxes):
            return False
        keys = self._keys[i]
        j = bisect_left(keys, key)
        if keys[j] != key:
            return False
        del keys[j]
        del self._values[i][j]
        self._size -= 1
        if not keys:
            del self._keys[i], self._values[i], maxes[i]
        elif j == len(keys):
            maxes[i] = keys[-1]
        return True

    def count(self, lo: Key, hi: Key | None) -> int:
        """How many keys lie in ``[lo, hi)`` (``hi`` None: no upper bound)."""
        maxes = self._maxes
        i = bisect_left(maxes, lo)
        if i == len(maxes):
            return 0
        start = bisect_left(self._keys[i], lo)
        if hi is None:
            k, end = len(maxes) - 1, len(self._keys[-1])
        else:
            k = bisect_left(maxes, hi)
            if k == len(maxes):
                k, end = k - 1, len(self._keys[-1])
            else:
                end = bisect_left(self._keys[k], hi)
        if k < i:
            return 0
        if k == i:
            return max(0, end - start)
        return len(self._keys[i]) - start + sum(map(len, self._keys[i + 1 : k])) + end

    def between(self, lo: Key | None, hi: Key | None, *, reverse: bool = False) -> Iterator[tuple[Key, Secret]]:
        """The entries with ``lo <= key < hi`` (None: unbounded), ascending or descending."""
        maxes = self._maxes
        if not maxes:
            return
        all_keys, all_values = self._keys, self._values
        if not reverse:
            i = 0 if lo is None else bisect_left(maxes, lo)
            j = 0 if lo is None or i == len(maxes) else bisect_left(all_keys[i], lo)
            while i < len(maxes):
                keys = all_keys[i]
                if hi is not None and not maxes[i] < hi:
                    end = bisect_left(keys, hi)
                    yield from zip(keys[j:end], all_values[i][j:end], strict=True)
                    return
                yield from zip(keys[j:], all_values[i][j:], strict=True)
                i, j = i + 1, 0
            return
        if hi is None:
            i = len(maxes) - 1
            end = len(all_keys[i])
        else:
            i = bisect_left(maxes, hi)
            if i == len(maxes):
                i -= 1
                end = len(all_keys[i])
            else:
                end = bisect_left(all_keys[i], hi)
        while i >= 0:
            keys = all_keys[i]
            if lo is not None and keys[0] < lo:
                start = bisect_left(keys, lo)
                yield from zip(reversed(keys[start:end]), reversed(all_values[i][start:end]), strict=True)
                return
            yield from zip(reversed(keys[:end]), reversed(all_values[i][:end]), strict=True)
            i -= 1
            if i >= 0:
                end = len(all_keys[i])

    def check(self) -> None:
        """Assert the internal invariants (for tests)."""
        flat = [k for chunk in self._keys for k in chunk]
        assert flat == sorted(flat), "keys out of order"
        assert len(set(map(repr, flat))) == len(flat), "duplicate keys"
        assert self._size == len(flat) == sum(map(len, self._values))
        assert all(chunk for chunk in self._keys), "empty chunk"
        assert self._maxes == [chunk[-1] for chunk in self._keys]
