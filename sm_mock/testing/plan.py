"""What can happen to one rotation: the disturbances of an example, drawn by Hypothesis.

A plan is a short tuple of :class:`Disturbance` values. Each names the step and which of
AWS's deliveries of it (the first, or one in a retried rotation) it happens in, and what
happens: AWS's Lambda delivers the step twice, or lets it time out after it finished its work,
or fails it before it ran; one of the handler's own Secrets Manager calls meets a fault; or,
between two of the handler's calls, the application reads the secret, another writer stores a
value, someone calls RotateSecret again, or the clock moves.
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
    #: Which delivery of the step it happens in: 1 is the first time AWS calls the step, 2+ are
    #: its calls in AWS's retries of the rotation (duplicates don't count).
    delivery: int
    #: The step it happens in.
    step: str
    #: For "fault": which of the step's calls fails (1 = its first call); for ReadTimeout,
    #: which of its writes. For read/write/rotate/clock: after how many of the step's calls
    #: (0 = before the step starts).
    call: int = 0
    #: For "fault": one of :data:`CALL_ERRORS`.
    error: str = ""
    #: For "fault": True when ``call`` counts the step's writes (PutSecretValue,
    #: UpdateSecretVersionStage, UpdateSecret) rather than all its calls. Always True for
    #: ReadTimeout, whose point is a write applied and its answer lost.
    on_write: bool = False
    #: For "fault": True when every later attempt of the step's calls fails too (an outage
    #: that outlasts the SDK's own retries), False for a single failed attempt.
    outage: bool = False
    #: For "clock": minutes the clock moves.
    minutes: int = 0


def _deliveries(attempts: int) -> st.SearchStrategy[int]:
    # Most steps run once or twice: aim most disturbances at the first delivery.
    return st.one_of(st.just(1), st.integers(1, attempts))


def _step_events(attempts: int) -> st.SearchStrategy[Disturbance]:
    return st.builds(
        Disturbance,
        kind=st.sampled_from(("duplicate", "timeout", "lost")),
        delivery=_deliveries(attempts),
        step=st.sampled_from(STEPS),
    )


def _faults(attempts: int) -> st.SearchStrategy[Disturbance]:
    @st.composite
    def fault(draw: st.DrawFn) -> Disturbance:
        error = draw(st.sampled_from(CALL_ERRORS))
        # Writes are where rotation functions break: a step stopped between two writes, or after
        # a write whose answer was lost. A ReadTimeout always aims at a write.
        on_write = error == "ReadTimeout" or draw(st.sampled_from((True, False, True)))
        return Disturbance(
            "fault",
            draw(_deliveries(attempts)),
            draw(st.sampled_from(STEPS)),
            call=draw(st.integers(1, 2) if on_write else st.integers(1, 4)),
            error=error,
            on_write=on_write,
            # A single throttle or server error is the SDK's to retry, and it does: only an
            # outage reaches the function. A single lost answer is retried with the write applied.
            outage=draw(st.booleans()) if error == "ReadTimeout" else True,
        )

    return fault()


def _between_calls(attempts: int) -> st.SearchStrategy[Disturbance]:
    return st.builds(
        Disturbance,
        kind=st.sampled_from(("read", "write", "rotate", "clock")),
        delivery=_deliveries(attempts),
        step=st.sampled_from(STEPS),
        call=st.integers(0, 4),
        minutes=st.sampled_from(CLOCK_MOVES),
    )


def plans(attempts: int, max_size: int = 8) -> st.SearchStrategy[tuple[Disturbance, ...]]:
    """Plans for a rotation that AWS runs up to ``attempts`` times."""
    faults, step_events = _faults(attempts), _step_events(attempts)
    one = st.one_of(faults, step_events, faults, step_events, _between_calls(attempts))
    return st.lists(one, max_size=max_size).map(tuple)
