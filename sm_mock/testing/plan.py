"""What can happen to one rotation: the disturbances of an example, drawn by Hypothesis.

A plan is a short tuple of :class:`Disturbance` values. Each names the rotation attempt and
step it happens in and what happens: AWS's Lambda delivers the step twice, or lets it time out
after it finished its work, or fails it before it ran; one of the handler's own Secrets
Manager calls meets a fault; or, between two of the handler's calls, the application reads the
secret, another writer stores a value, someone calls RotateSecret again, or the clock moves.
Hypothesis shrinks a failing plan towards fewer, earlier and simpler disturbances.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from hypothesis import strategies as st

from ..rotation import STEPS

__all__ = ["CALL_ERRORS", "CLOCK_MOVES", "Disturbance", "Kind", "plans"]

#: What a disturbance does.
Kind = Literal["duplicate", "timeout", "lost", "fault", "read", "write", "rotate", "clock"]

#: The faults injected into the handler's own calls: the two answers AWS's SDKs retry
#: (throttling, a server error), and a response lost after the service applied the request.
CALL_ERRORS: Final = ("ThrottlingException", "InternalServiceError", "ReadTimeout")

#: Clock moves, in minutes: within a Lambda timeout, an hour, past the 24 hours after which
#: deprecated versions may be pruned (SPEC D10), past a 30-day rotation interval.
CLOCK_MOVES: Final = (1, 60, 25 * 60, 31 * 24 * 60)


@dataclass(frozen=True, slots=True)
class Disturbance:
    """One thing that happens during the rotation (see the module docstring)."""

    kind: Kind
    #: The rotation attempt it happens in (1 is the first run, 2+ are AWS's retries).
    attempt: int
    #: The step it happens in.
    step: str
    #: For "fault": which of the step's calls fails (1 = its first call); for ReadTimeout,
    #: which of its writes. For read/write/rotate/clock: after how many of the step's calls
    #: (0 = before the step starts).
    call: int = 0
    #: For "fault": one of :data:`CALL_ERRORS`.
    error: str = ""
    #: For "fault": True when every later attempt of the step's calls fails too (an outage
    #: that outlasts the SDK's own retries), False for a single failed attempt.
    outage: bool = False
    #: For "clock": minutes the clock moves.
    minutes: int = 0


def _step_events(attempts: int) -> st.SearchStrategy[Disturbance]:
    return st.builds(
        Disturbance,
        kind=st.sampled_from(("duplicate", "timeout", "lost")),
        attempt=st.integers(1, attempts),
        step=st.sampled_from(STEPS),
    )


def _faults(attempts: int) -> st.SearchStrategy[Disturbance]:
    return st.builds(
        Disturbance,
        kind=st.just("fault"),
        attempt=st.integers(1, attempts),
        step=st.sampled_from(STEPS),
        call=st.integers(1, 4),
        error=st.sampled_from(CALL_ERRORS),
        outage=st.booleans(),
    )


def _between_calls(attempts: int) -> st.SearchStrategy[Disturbance]:
    return st.builds(
        Disturbance,
        kind=st.sampled_from(("read", "write", "rotate", "clock")),
        attempt=st.integers(1, attempts),
        step=st.sampled_from(STEPS),
        call=st.integers(0, 4),
        minutes=st.sampled_from(CLOCK_MOVES),
    )


def plans(attempts: int, max_size: int = 6) -> st.SearchStrategy[tuple[Disturbance, ...]]:
    """Plans for a rotation that AWS runs up to ``attempts`` times."""
    one = st.one_of(_faults(attempts), _step_events(attempts), _between_calls(attempts))
    return st.lists(one, max_size=max_size).map(tuple)
