"""``check_rotation_function``: Hypothesis drives the user's handler through many rotations.

Each example is one plan (:mod:`.plan`) run in a fresh mock (:mod:`.driver`). An example whose
story closed (an invariant broke) fails; Hypothesis shrinks the plan to the shortest it finds
that still fails, and the failure is that example's story (:mod:`.story`).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import Any, Final

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed

from .. import choices
from ..mock import SecretsManagerMock
from .driver import Example
from .invariants import Accept
from .plan import Disturbance, plans

__all__ = ["DEFAULT_SECRET_STRING", "check_rotation_function"]

#: The value rotated when the caller gives none: database credentials, as AWS's templates expect.
DEFAULT_SECRET_STRING: Final = (
    '{"engine": "postgres", "host": "db.example.internal", "username": "app", "password": "initial-password"}'
)


class _Broken(Exception):
    """An example broke an invariant; its message is the story."""


def check_rotation_function(
    handler: Callable[[dict[str, Any], Any], Any],
    *,
    secret_string: str | None = None,
    secret_binary: bytes | None = None,
    accept: Accept | None = None,
    setup: Callable[[SecretsManagerMock], Any] | None = None,
    max_examples: int = 100,
    seed: int | None = None,
) -> None:
    """Rotate a secret with ``handler(event, context)`` through rotations chosen by Hypothesis.

    Each example runs in a fresh mock: the secret (``secret_string`` or ``secret_binary``; by
    default JSON database credentials) is created, ``setup(sm)`` is called first so you can reset
    your fakes and register what the handler needs, and RotateSecret runs the handler while AWS
    retries failed rotations, Lambda delivers steps twice or times out after a step did its
    work, the handler's own calls meet throttling, InternalServiceError or a ReadTimeout after
    the write was applied, the application reads the secret, another writer stores a value,
    someone calls RotateSecret again, and the clock moves.

    After every call the handler makes, AWSCURRENT must be readable and ``accept(value)`` true
    (default: the value is the original or one stored under the rotation's token, and parses
    as the original did). A step delivered twice must leave what it left once. When the
    rotation finishes (after AWS's retries, or at the next window, undisturbed): AWSCURRENT on
    the new version, AWSPREVIOUS on the old, no AWSPENDING, one new version.

    Raises AssertionError with the story of the shortest failing example Hypothesis finds; the
    same ``seed`` reproduces it. Needs Hypothesis (``pip install 'sm-mock[hypothesis]'``).
    """
    if secret_string is not None and secret_binary is not None:
        raise TypeError("give secret_string or secret_binary, not both")
    if max_examples < 1:
        raise ValueError(f"max_examples={max_examples}: run at least one example")
    value: str | bytes = secret_binary if secret_binary is not None else (secret_string or DEFAULT_SECRET_STRING)
    if not callable(handler):
        raise TypeError(f"handler must be callable as handler(event, context), not {type(handler).__name__}")
    run_seed = seed if seed is not None else random.SystemRandom().randrange(2**32)
    attempts = 1 + choices.ROTATION_RETRIES

    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        phases=(Phase.generate, Phase.shrink),
        verbosity=Verbosity.quiet,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @hypothesis_seed(run_seed)
    @given(plans(attempts))
    def rotate(plan: tuple[Disturbance, ...]) -> None:
        example = Example(handler, value=value, accept=accept, setup=setup, plan=plan, seed=run_seed)
        example.run()
        if example.story.closed:
            raise _Broken(
                example.story.render(
                    f"check_rotation_function: your rotation function broke in this rotation (the shortest "
                    f"Hypothesis found; seed={run_seed} reproduces it):",
                    "Values are named, never shown: A is the value you gave; B, C, ... are values your "
                    "function stored. V0 is the first version, T the rotation's version (its id is the "
                    "event's ClientRequestToken), W versions another writer stored, X versions your "
                    "function stored under ids of its own.",
                )
            )

    logger = logging.getLogger("sm_mock")
    level = logger.level
    logger.setLevel(logging.ERROR)  # each failed attempt is in the story, not in a warning per example
    try:
        rotate()
    except _Broken as broken:
        raise AssertionError(str(broken)) from None
    finally:
        logger.setLevel(level)
