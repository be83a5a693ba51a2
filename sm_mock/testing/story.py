"""The story of a failing example: numbered lines a person can follow, then what broke.

Lines are added as the example runs; once an invariant breaks the story is closed, so a
shrunk example reads from the start of the rotation to the moment it went wrong.
"""

from __future__ import annotations

from .snapshot import Names, State

__all__ = ["Story", "changes"]

#: Request parameters shown in a line (the ones that say which version and label a call meant).
_SHOWN = ("VersionId", "VersionStage", "ClientRequestToken", "VersionStages", "MoveToVersionId", "RemoveFromVersionId")
_VERSION_PARAMS = frozenset({"VersionId", "ClientRequestToken", "MoveToVersionId", "RemoveFromVersionId"})


class Story:
    """Numbered lines, the broken invariant, and the state at that moment."""

    def __init__(self, names: Names) -> None:
        self._names = names
        self._lines: list[str] = []
        self.closed = False
        self.broken: str | None = None
        self.state: State | None = None

    @property
    def lines(self) -> list[str]:
        """The numbered lines so far (without their numbers)."""
        return list(self._lines)

    def add(self, line: str) -> None:
        """Add a line (ignored once the story is closed)."""
        if not self.closed:
            self._lines.append(self._names.hide(line))

    def close(self, broken: str, state: State | None) -> None:
        """Record the first broken invariant and the state at that moment."""
        if not self.closed:
            self.broken = self._names.hide(broken)
            self.state = state
            self.closed = True

    def call(self, step: str, operation: str, params: dict[str, object]) -> str:
        """``createSecret's PutSecretValue(ClientRequestToken=T, VersionStages=[AWSPENDING])``."""
        shown = []
        for key in _SHOWN:
            value = params.get(key)
            if value is None:
                continue
            if key in _VERSION_PARAMS and isinstance(value, str):
                value = self._names.version(value)
            elif isinstance(value, list):
                value = "[" + ", ".join(str(v) for v in value) + "]"
            shown.append(f"{key}={value}")
        return f"{step} called {operation}({', '.join(shown)})"

    def render(self, header: str, footer: str) -> str:
        """The whole story, for an AssertionError."""
        lines = [header]
        lines += [f"  {number}. {line}" for number, line in enumerate(self._lines, 1)]
        lines.append(f"What broke: {self.broken}")
        if self.state is not None:
            lines.append("The secret's versions and labels at that moment:")
            lines.append(self.state.describe())
        lines.append(footer)
        return "\n".join(lines)


def changes(before: State, after: State) -> list[str]:
    """What changed between two states, in words (values and versions by name)."""
    out = []
    for name, version in after.versions.items():
        old = before.versions.get(name)
        if old is None:
            labels = f" labelled {', '.join(version.labels)}" if version.labels else " without labels"
            out.append(f"new version {name} holds value {version.value}{labels}")
        elif old.value != version.value:
            out.append(f"{name} now holds value {version.value}")
    for name in before.versions:
        if name not in after.versions:
            out.append(f"version {name} is gone")
    every = {label for v in (*before.versions.values(), *after.versions.values()) for label in v.labels}
    for label in sorted(every):
        was, now = before.holder(label), after.holder(label)
        if was == now:
            continue
        if was is None:
            if now is not None and now in before.versions:
                out.append(f"{label} put on {now}")
        elif now is None:
            out.append(f"{label} removed from {was}")
        else:
            out.append(f"{label} moved from {was} to {now}")
    return out
