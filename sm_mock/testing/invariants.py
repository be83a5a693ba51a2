"""What a rotation function must guarantee, as checks on :class:`~.snapshot.State` values.

Each check returns a sentence saying what broke (values and versions by name), or None. The
rules come from the User Guide's description of rotation (seed 000, "Four steps in a rotation
function" and "How do I make my Lambda function idempotent"): the application can always read
a working AWSCURRENT; a rotation that finishes leaves AWSCURRENT on the new version,
AWSPREVIOUS on the old one and no AWSPENDING; a step run again changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from typing import Any

from ..model.secret import AWSCURRENT, AWSPENDING, AWSPREVIOUS
from .snapshot import State

__all__ = ["Accept", "completion_problem", "current_problem", "default_accept", "duplicate_problem"]

#: ``accept(value) -> bool``: does this secret value work (e.g. can it log in to the database)?
Accept = Callable[[Any], bool]


def _shape(value: str | bytes) -> object:
    """What "parses as the original did" compares: the JSON type and, for an object, its keys."""
    if isinstance(value, bytes):
        return bytes
    try:
        parsed = json.loads(value)
    except ValueError:
        return str
    return sorted(parsed) if isinstance(parsed, dict) else type(parsed)


def default_accept(original: str | bytes, stored: Callable[[], Collection[str | bytes]]) -> Accept:
    """The default ``accept``: the original value, or a value stored under a rotation's token
    (``stored()`` lists them), that parses as the original did (JSON with the same keys)."""
    shape = _shape(original)

    def accept(value: str | bytes) -> bool:
        return (value == original or value in stored()) and _shape(value) == shape

    return accept


def current_problem(state: State, accept: Accept) -> str | None:
    """AWSCURRENT is readable and its value works."""
    holder = state.holder(AWSCURRENT)
    if holder is None or state.current_value is None:
        return "no version holds AWSCURRENT with a value: the application can't read the secret."
    try:
        works = accept(state.current_value)
    except Exception as error:  # the user's predicate: its failure is reported, not raised mid-call
        return f"accept() raised {type(error).__name__}: {_first_line(error)} on the value of {holder}."
    if not works:
        return (
            f"AWSCURRENT is on {holder}, whose value {state.versions[holder].value} does not work: "
            "accept() refused it, so the application would be locked out."
        )
    return None


def duplicate_problem(
    step: str, first: BaseException | None, second: BaseException | None, once: State, twice: State
) -> str | None:
    """A step delivered twice leaves the state it left when delivered once."""
    if first is not None:
        return None  # the first delivery failed: AWS retries anyway
    if second is not None:
        return (
            f"{step} is not idempotent: delivered a second time, it raised {type(second).__name__}: "
            f"{_first_line(second)} (the first delivery had succeeded)."
        )
    if not once.same_as(twice):
        return (
            f"{step} is not idempotent: delivered a second time, it changed the secret.\n"
            f"  After one delivery:\n{once.describe()}\n  After two:\n{twice.describe()}"
        )
    return None


def completion_problem(state: State, token: str, previous: str | None, own: Collection[str]) -> str | None:
    """A rotation that finished: AWSCURRENT on the token's version, AWSPREVIOUS on the old one,
    no AWSPENDING on another version, and no version besides the token's (one new version, not one per retry)."""
    current = state.holder(AWSCURRENT)
    if current != token:
        return f"the rotation finished, but AWSCURRENT is on {current}, not on the rotation's version {token}."
    if previous is not None and state.holder(AWSPREVIOUS) != previous:
        return (
            f"the rotation finished, but AWSPREVIOUS is on {state.holder(AWSPREVIOUS)}, not on {previous}, "
            "the version that held AWSCURRENT before: a rollback would go to the wrong value."
        )
    pending = state.holder(AWSPENDING)
    # AWSPENDING on the AWSCURRENT version blocks nothing (SPEC H18, D h.): AWS leaves it there
    # when its last attempt failed after finishSecret had moved AWSCURRENT.
    if pending is not None and pending != current:
        return f"the rotation finished, but AWSPENDING is still on {pending}: the next rotation will be blocked."
    if own:
        listed = ", ".join(f"{name} (value {state.versions[name].value})" for name in own if name in state.versions)
        return (
            f"the rotation left versions besides {token}'s: {listed}. A rotation makes one new version, "
            "whose id is the event's ClientRequestToken, however often a step runs, and finishes in it."
        )
    return None


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:600] if text else ""
