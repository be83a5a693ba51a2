"""ListSecrets / BatchGetSecretValue filters: compile the request's ``Filters``, then test secrets.

Semantics (SPEC L3–L8; recorded rows SM-110 … SM-121 are the contract):

``name``
    Case-sensitive prefix of the whole name. A space is an ordinary character, so
    ``'testing1 one'`` matches nothing (SM-110, SM-112).
``tag-key`` / ``tag-value``
    Case-sensitive prefix of any tag key / any tag value (SPEC L4). The two are independent: a
    ``tag-key`` and a ``tag-value`` filter need not match the same tag (SPEC L8).
``primary-region``
    Case-sensitive prefix (SPEC L4, [MODEL]). A secret without a primary region matches no value.
``owning-service``
    Case-insensitive prefix (SPEC L4 CONFLICT, recommendation: follow the seed). A secret
    without an owning service matches no value.
``description`` and ``all``
    Word-prefix match, ignoring case. The value is split into words (:func:`split_words`) and
    *every* value word must be the start of some word of **one and the same field**: the
    description for ``description``; the name, the description, one tag key or one tag value for
    ``all``. ``'a'`` matches "a secret", "an secret" and "asecret" but not "thesecret" (SM-113);
    ``'o t'`` matches "one two" and "one and two" but neither "one" nor "two" (SM-119). With
    secrets ``SecretOne…``, ``SecretTwo…`` (description ``DescTwo``) and a tag ``1=foo``, the
    ``all`` value ``SecretOne`` finds only ``SecretOne…``, ``SomeSecret`` finds nothing and
    ``d t`` finds only the secret described ``DescTwo`` (SM-139–SM-141: moto's AWS-verified
    ``test_with_all_filter``). A fragment from the middle of a word does not match: ``'ret'``
    finds none of SecretOne, SecretTwo, Thirdsecret (SM-121).

Words (:func:`split_words`) split at punctuation and spaces, where a letter meets a digit and
where lower case meets upper case; a digit meeting a letter does not split (``91d`` is one word:
the User Guide lists only letter-to-number and case breaks). A run of capitals before a
lower-case letter gives its last capital to the next word, so ``COMPANYthings`` is ``COMPAN`` +
``Ythings``: ``company`` does not find it, ``Ythings`` does (SM-143, SM-144: moto's AWS-verified
``test_with_all_filter_special_characters``). There is no other way in: the index holds these
words only, so ``credsdatabase`` does not find ``credsDatabase``.

A value that holds no word at all (``'+'`` or ``'/'``) matches nothing (SM-142: ``all=['+']``
finds no secret); negated, it therefore excludes nothing.

Combination (SPEC L6, L8; SM-111, SM-114, SM-117, SM-118):

* A leading ``!`` negates a value (only one ``!`` is stripped, so ``'!rds!'`` excludes names
  starting with ``rds!``).
* A secret passes one filter when (it matches any plain value, or the filter has no plain value)
  and it matches none of the negated values. Decided here (SPEC L8 recommendation): with only
  one value this makes ``!v`` the exact complement of ``v``.
* Separate filters are AND-ed, also when they use the same key (SM-117, SM-118).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from sm_mock.errors import invalid_parameter

__all__ = [
    "FILTER_KEYS",
    "Searchable",
    "SecretFilter",
    "compile_filters",
    "index_words",
    "split_words",
]

#: The filter keys of botocore's ``FilterNameStringType`` enum (SPEC L3), in model order.
FILTER_KEYS: tuple[str, ...] = (
    "description",
    "name",
    "tag-key",
    "tag-value",
    "primary-region",
    "owning-service",
    "all",
)


class Searchable(Protocol):
    """What the filters read from a secret (``sm_mock.model.secret.Secret`` provides it)."""

    @property
    def name(self) -> str:
        """The secret's name."""
        ...

    @property
    def description(self) -> str | None:
        """The description, or ``None`` when the secret has none."""
        ...

    @property
    def tag_items(self) -> Sequence[tuple[str, str]]:
        """The tags as ``(key, value)`` pairs."""
        ...

    @property
    def primary_region(self) -> str | None:
        """The primary region of a replicated secret, else ``None``."""
        ...

    @property
    def owning_service(self) -> str | None:
        """The id of the AWS service that manages the secret, else ``None`` (SPEC R4)."""
        ...


# SPEC L5 word splitting. A word is an optional run of digits followed by a run of letters, or a
# run of digits alone; a letter run ends where the next character is not a letter or where a
# split applies:
#   * lower case meets upper case: "creds|Database" (the seed's own example, credsDatabase#892
#     -> creds, Database, 892);
#   * a run of capitals meets a capitalised word: "HTTP|Server", "COMPAN|Ythings" (SM-143), so
#     "ABC" stays whole.
# A letter meeting a digit splits ("One|3"); a digit meeting a letter does not ("91d" is one
# word; SM-141 relies on it: hex suffixes such as "3f2d1b" never yield a word "d"). Space and
# punctuation (including "_") separate words and are dropped. Case changes are judged on ASCII
# letters only (the `re` module has no Unicode case classes; names and filter values are ASCII),
# so other letters never start or end a word by case, and "éB" and "ÉB" both stay whole.
_LETTER = r"[^\W\d_]"
_WORD_RE = re.compile(rf"\d*{_LETTER}+?(?:(?!{_LETTER})|(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z]))|\d+")
# The same rules for pure-ASCII text, without the per-character lookarounds (about 2.5x faster;
# names, filter values and most descriptions are ASCII). The unit tests check both agree on ASCII.
_ASCII_WORD_RE = re.compile(r"[0-9]*(?:[A-Z]+(?![a-z])|[A-Z]?[a-z]+)|[0-9]+")


def split_words(text: str) -> list[str]:
    """Split ``text`` into words by the SPEC L5 rules, keeping the original case.

    Spaces and punctuation (including ``_``) separate words and are dropped; a letter-to-digit
    boundary and a lower-to-upper case change split words (a digit-to-letter one does not); a run
    of capitals stays together unless its last capital starts a lower-case word
    (``"HTTPServer"`` -> ``HTTP``, ``Server``).
    ``split_words("credsDatabase#892") == ["creds", "Database", "892"]``. The words are *not*
    lower-cased: callers fold case themselves (``str.casefold``).
    """
    if text.isascii():
        return _ASCII_WORD_RE.findall(text)
    return _WORD_RE.findall(text)


@lru_cache(maxsize=16384)
def index_words(text: str) -> tuple[str, ...]:
    """The case-folded words one field is searched by: sorted, without duplicates.

    The words of :func:`split_words`, case-folded (see the module docstring). Sorted so a
    word-prefix test is a binary search. Cached (about 6 µs for a 70-character text otherwise),
    because every filtered listing searches the same names and descriptions again; a caller
    holding more texts than the cache can keep the result per secret instead.
    """
    return tuple(sorted({word.casefold() for word in split_words(text)}))


def _value_words(value: str) -> tuple[str, ...]:
    """A filter value's words for ``description`` / ``all``: L5 split, case-folded (SPEC L5)."""
    return tuple(dict.fromkeys(word.casefold() for word in split_words(value)))


def _has_word_with_prefix(words: tuple[str, ...], prefix: str) -> bool:
    """Whether some word of the sorted ``words`` starts with ``prefix`` (binary search).

    The words that start with ``prefix`` form one contiguous run in sorted order beginning at
    the insertion point of ``prefix`` itself.
    """
    i = bisect_left(words, prefix)
    return i < len(words) and words[i].startswith(prefix)


class _Clause(Protocol):
    """One compiled request filter."""

    def matches(self, secret: Searchable) -> bool:
        """Whether ``secret`` passes this filter."""
        ...


@dataclass(frozen=True, slots=True)
class _PrefixClause:
    """``name``, ``tag-key``, ``tag-value``, ``primary-region``, ``owning-service`` (SPEC L4)."""

    subjects: Callable[[Searchable], Sequence[str]]
    fold: bool  # case-insensitive: values are stored case-folded, subjects folded per test
    plain: tuple[str, ...]
    negated: tuple[str, ...]

    def matches(self, secret: Searchable) -> bool:
        """Passes when a plain prefix matches (or there is none) and no negated one does."""
        subjects = self.subjects(secret)
        if self.fold:
            subjects = [s.casefold() for s in subjects]
        # str.startswith takes a tuple of prefixes: one C-level call per subject.
        if self.negated and any(s.startswith(self.negated) for s in subjects):
            return False
        return not self.plain or any(s.startswith(self.plain) for s in subjects)


@dataclass(frozen=True, slots=True)
class _WordClause:
    """``description`` and ``all``: every word of a value must start a word of one field."""

    fields: Callable[[Searchable], Sequence[str]]
    plain: tuple[tuple[str, ...], ...]
    negated: tuple[tuple[str, ...], ...]

    @staticmethod
    def _matches_value(indexes: list[tuple[str, ...]], words: tuple[str, ...]) -> bool:
        # A value without words matches nothing (SM-142); all its words within one field (SM-139).
        return bool(words) and any(all(_has_word_with_prefix(index, word) for word in words) for index in indexes)

    def matches(self, secret: Searchable) -> bool:
        """Passes when a plain value matches (or there is none) and no negated one does."""
        indexes = [index_words(text) for text in self.fields(secret)]
        if any(self._matches_value(indexes, value) for value in self.negated):
            return False
        return not self.plain or any(self._matches_value(indexes, value) for value in self.plain)


def _name(secret: Searchable) -> tuple[str]:
    return (secret.name,)


def _tag_keys(secret: Searchable) -> list[str]:
    return [key for key, _ in secret.tag_items]


def _tag_values(secret: Searchable) -> list[str]:
    return [value for _, value in secret.tag_items]


def _primary_region(secret: Searchable) -> tuple[str, ...]:
    region = secret.primary_region
    return () if region is None else (region,)


def _owning_service(secret: Searchable) -> tuple[str, ...]:
    service = secret.owning_service
    return () if service is None else (service,)


def _description(secret: Searchable) -> tuple[str, ...]:
    description = secret.description
    return () if not description else (description,)


def _all_fields(secret: Searchable) -> list[str]:
    # SPEC L4/L5: `all` searches name, description, tag keys and tag values, each a field of its
    # own (SM-139: the words of one value must all match within one of them).
    texts = [secret.name]
    if secret.description:
        texts.append(secret.description)
    for key, value in secret.tag_items:
        texts.append(key)
        texts.append(value)
    return texts


# key -> (subject getter, case-insensitive, cost rank). Cheaper filters run first so a secret is
# usually rejected before the word searches; AND is commutative so the order never changes a result.
_PREFIX_KEYS: dict[str, tuple[Callable[[Searchable], Sequence[str]], bool, int]] = {
    "name": (_name, False, 0),
    "primary-region": (_primary_region, False, 1),
    "owning-service": (_owning_service, True, 1),  # SPEC L4: seed says not case-sensitive
    "tag-key": (_tag_keys, False, 2),
    "tag-value": (_tag_values, False, 2),
}
_WORD_KEYS: dict[str, tuple[Callable[[Searchable], Sequence[str]], int]] = {
    "description": (_description, 3),  # SM-119: every value word must match
    "all": (_all_fields, 4),  # SM-139: every value word, within one field
}


@dataclass(frozen=True, slots=True)
class SecretFilter:
    """The compiled form of a request's ``Filters`` (build it with :func:`compile_filters`).

    ``name_prefixes`` is a range-scan hint for a listing over a sorted name index: when it is not
    ``None``, every secret that :meth:`matches` has a name starting with one of these prefixes.
    They come from one ``name`` filter with at least one plain value (its plain values are
    required to match; negated values only remove more). The prefixes are sorted and none is a
    prefix of another, so their ranges in a sorted index are disjoint and in order. The listing
    must still call :meth:`matches` on each candidate.
    """

    clauses: tuple[_Clause, ...] = ()
    name_prefixes: tuple[str, ...] | None = None

    @property
    def matches_everything(self) -> bool:
        """True when there are no filters, so a listing can skip :meth:`matches`."""
        return not self.clauses

    def matches(self, secret: Searchable) -> bool:
        """Whether ``secret`` passes every filter (filters are AND-ed: SM-117, SM-118)."""
        return all(clause.matches(secret) for clause in self.clauses)


def _minimal_prefixes(prefixes: Iterable[str]) -> tuple[str, ...]:
    """Sorted, deduplicated, and without prefixes made redundant by a shorter one."""
    kept: list[str] = []
    for prefix in sorted(set(prefixes)):
        # In sorted order every extension of a kept prefix follows it directly.
        if not kept or not prefix.startswith(kept[-1]):
            kept.append(prefix)
    return tuple(kept)


def _split_negation(values: Sequence[str]) -> tuple[list[str], list[str]]:
    """Plain and negated values; one leading ``!`` marks a negated value (SPEC L6)."""
    plain: list[str] = []
    negated: list[str] = []
    for value in values:
        if value.startswith("!"):
            negated.append(value[1:])
        else:
            plain.append(value)
    return plain, negated


def compile_filters(filters: Sequence[tuple[str, Sequence[str]]]) -> SecretFilter:
    """Compile ``[(key, values), ...]`` (the request's ``Filters``) into a :class:`SecretFilter`.

    Keys and values are expected to be validated against the service model already (SPEC L3,
    L7); an unknown key or an empty value list still raises ``InvalidParameterException``.
    An empty ``filters`` gives a filter that matches every secret.
    """
    ranked: list[tuple[int, int, _Clause]] = []
    name_candidates: list[tuple[str, ...]] = []
    for position, (key, values) in enumerate(filters):
        if not values:
            raise invalid_parameter(
                f"The filter with Key '{key}' has no Values. Give between 1 and 10 values, or leave the filter out."
            )
        plain, negated = _split_negation(values)
        clause: _Clause
        if key in _PREFIX_KEYS:
            subjects, fold, rank = _PREFIX_KEYS[key]
            if fold:
                plain = [v.casefold() for v in plain]
                negated = [v.casefold() for v in negated]
            clause = _PrefixClause(subjects, fold, tuple(plain), tuple(negated))
            if key == "name" and plain:
                name_candidates.append(_minimal_prefixes(plain))
        elif key in _WORD_KEYS:
            fields, rank = _WORD_KEYS[key]
            clause = _WordClause(
                fields,
                tuple(_value_words(v) for v in plain),
                tuple(_value_words(v) for v in negated),
            )
        else:
            raise invalid_parameter(f"The filter key '{key}' is not supported. Use one of: {', '.join(FILTER_KEYS)}.")
        ranked.append((rank, position, clause))
    ranked.sort(key=lambda item: (item[0], item[1]))
    name_prefixes: tuple[str, ...] | None = None
    if name_candidates:
        # Several name filters: any one bounds the result; take the one whose shortest prefix is
        # longest (narrowest ranges), then the one with fewest prefixes.
        name_prefixes = min(name_candidates, key=lambda ps: (-min(map(len, ps)), len(ps)))
    return SecretFilter(tuple(clause for _, _, clause in ranked), name_prefixes)
