"""The checked secret's state at one moment, with values and versions under short names.

A story must never print a value the handler generated, nor anything the user did not write
themselves: values are named A (the value the user gave), B, C... in the order they first
appear, and versions by their role (the original version, the rotation's token T, ...).
The state is read from the mock's model directly (no request is made, so reading it changes
nothing the handler could see, not even LastAccessedDate).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..model.secret import AWSCURRENT, AWSPENDING, AWSPREVIOUS

if TYPE_CHECKING:
    from ..mock import SecretsManagerMock

__all__ = ["Names", "State", "VersionState", "read_state"]

_ORDER = {AWSCURRENT: 0, AWSPENDING: 1, AWSPREVIOUS: 2}


class Names:
    """Short names for values (A, B, ...) and versions (V0, T, T2, W1, X1, ...)."""

    def __init__(self, original_value: str | bytes) -> None:
        self._values: list[str | bytes] = [original_value]
        self._versions: dict[str, str] = {}
        self._counts: dict[str, int] = {}

    def value(self, value: str | bytes | None) -> str:
        """The name of a value (a new one gets the next letter)."""
        if value is None:
            return "none"
        if value not in self._values:
            self._values.append(value)
        index = self._values.index(value)
        letters = ""
        while True:  # A..Z, then AA, AB, ...
            index, rest = divmod(index, 26)
            letters = chr(ord("A") + rest) + letters
            if index == 0:
                return letters
            index -= 1

    def name_version(self, version_id: str, prefix: str) -> str:
        """Give ``version_id`` a name starting with ``prefix`` (kept if it already has one)."""
        if version_id not in self._versions:
            count = self._counts.get(prefix, 0) + 1
            self._counts[prefix] = count
            self._versions[version_id] = prefix if count == 1 and prefix in ("V0", "T") else f"{prefix}{count}"
        return self._versions[version_id]

    def version(self, version_id: str) -> str:
        """The name of a version; one nobody named yet is the handler's own (X1, X2, ...)."""
        return self._versions.get(version_id) or self.name_version(version_id, "X")

    def hide(self, text: str) -> str:
        """``text`` with every value the handler stored replaced by its name (and, for a JSON
        value, each field that differs from the user's original value, e.g. a password)."""
        for version_id, name in self._versions.items():
            text = text.replace(version_id, name)
        original = _members(self._values[0])
        for value in self._values[1:]:
            name = self.value(value)
            if isinstance(value, str) and len(value) >= 4:
                text = text.replace(value, f"<value {name}>")
            for key, member in _members(value).items():
                if len(member) >= 4 and original.get(key) != member:
                    text = text.replace(member, f"<{key} of value {name}>")
        return text

    def known(self, version_id: str) -> bool:
        """True when the version was named (by the checker, or as the handler's own)."""
        return version_id in self._versions


def _members(value: str | bytes) -> dict[str, str]:
    """The string members of a JSON object value ({} for anything else)."""
    if not isinstance(value, str):
        return {}
    try:
        parsed: Any = json.loads(value)
    except ValueError:
        return {}
    if not isinstance(parsed, dict):
        return {}
    return {str(k): v for k, v in parsed.items() if isinstance(v, str)}


@dataclass(frozen=True, slots=True)
class VersionState:
    """One version: its value's name and its labels."""

    value: str
    labels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class State:
    """The secret at one moment: version name → its value's name and labels."""

    versions: dict[str, VersionState]
    #: The actual value AWSCURRENT holds (for ``accept``), None when no version holds it.
    current_value: str | bytes | None
    #: Version name → its actual value (never printed; for ``accept``).
    values: dict[str, str | bytes | None]

    def holder(self, label: str) -> str | None:
        """The name of the version that has ``label``."""
        for name, version in self.versions.items():
            if label in version.labels:
                return name
        return None

    def same_as(self, other: State) -> bool:
        """Equal versions, values and labels."""
        return self.versions == other.versions

    def describe(self) -> str:
        """One line per version: ``T: value B, labels AWSCURRENT``."""
        lines = []
        for name, version in self.versions.items():
            labels = ", ".join(version.labels) if version.labels else "no labels (deprecated)"
            lines.append(f"    {name}: value {version.value}; {labels}")
        return "\n".join(lines)


def read_state(sm: SecretsManagerMock, secret_id: str, names: Names) -> State:
    """The state of ``secret_id`` in ``sm``, its values named by ``names``."""
    backend = sm.backend
    secret = backend.get(secret_id, account_id=sm.account_id, region=sm.region)
    versions: dict[str, VersionState] = {}
    values: dict[str, str | bytes | None] = {}
    current: str | bytes | None = None
    for version_id, version in secret.versions.items():
        value: str | bytes | None = None
        if version.has_value:
            value = backend.reveal(secret_id, account_id=sm.account_id, region=sm.region, version_id=version_id)
        labels = tuple(sorted(secret.labels_of(version_id), key=lambda label: (_ORDER.get(label, 9), label)))
        name = names.version(version_id)
        versions[name] = VersionState(names.value(value), labels)
        values[name] = value
        if AWSCURRENT in labels:
            current = value
    return State(versions, current, values)
