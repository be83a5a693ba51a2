"""Session: the state of one activation, and the stack of active sessions.

:class:`~sm_mock.mock.SecretsManagerMock` holds options and the decorator / context-manager
surface; each ``start()`` makes a new :class:`Session` from those options and pushes it here.
Everything a request needs lives on the session: the backend, the call log, the recorded
sleeps, the fault plan, the rate quotas, the rotations and the id sources. The transports
(:mod:`sm_mock.botocore`) ask :func:`active` for the innermost session, and the pipeline
serves the request from it. Nothing below this layer receives the mock or the session: faults,
quotas, rotation and replication are given the values they need (seed, clock, limits, ids).
"""

from __future__ import annotations

import random
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from .admission import Admission
from .calls import CallLog
from .clock import Clock
from .faults import FaultPlan
from .ids import IdSource
from .limits import Limits
from .model.backend import Backend
from .model.service import SecretsService
from .protocol.partitions import partitions
from .quotas import Quotas
from .rotation import ExternalHandler, LambdaHandler, Rotations
from .sleeps import SleepLog

__all__ = ["TRANSPORTS", "Options", "Session", "Transport", "active", "push", "remove"]

#: How requests reach the mock (the ``transport=`` option).
Transport = Literal["http", "direct"]
#: ``"http"`` (default): answer at botocore's ``before-send`` with a real HTTP response, so the
#: whole client pipeline runs (signing, parsing, retries). ``"direct"``: answer at
#: ``before-call`` with an already-parsed response (sm_mock.botocore.direct): faster, no retries.
TRANSPORTS: tuple[Transport, ...] = ("http", "direct")


@dataclass(frozen=True, slots=True)
class Options:
    """What a :class:`~sm_mock.mock.SecretsManagerMock` was created with (checked there)."""

    region: str
    account_id: str
    #: Rate quotas: False (off), True (all) or the operations / quota groups to enforce.
    throttling: bool | frozenset[str]
    clock: Clock
    seed: int | None
    #: botocore service ids (e.g. "s3", "sts") let through to the real network.
    allow_services: frozenset[str]
    #: False (default): botocore's retry back-off is recorded in ``sleeps``, not slept.
    real_sleep: bool
    transport: Transport
    #: Capacity limit overrides (names of :class:`~sm_mock.limits.Limits` fields).
    limits: dict[str, int] = field(default_factory=dict)


class Session:
    """One activation's state: created by ``SecretsManagerMock.start()``, empty at first.

    ``lambdas`` and ``access_keys`` are the mock's own dictionaries (configuration that
    outlives an activation, so ``sm.register_lambda`` may come before ``with sm:``).
    """

    def __init__(
        self,
        options: Options,
        *,
        owner: object,
        lambdas: dict[str, LambdaHandler],
        access_keys: dict[str, str],
        external_rotations: dict[str, ExternalHandler] | None = None,
    ) -> None:
        self.options = options
        #: The thread that started it (see :func:`active`).
        self.thread = 0
        #: The object that made this session (its SecretsManagerMock), for ``sm_mock.current()``.
        self.owner = owner
        self.region = options.region
        self.account_id = options.account_id
        self.transport: Transport = options.transport
        self.allow_services = options.allow_services
        self.real_sleep = options.real_sleep
        self.clock = options.clock
        self.access_keys = access_keys
        self.ids = IdSource(options.seed)
        self.password_rng: random.Random = (
            random.Random(f"password:{options.seed}") if options.seed is not None else secrets.SystemRandom()
        )
        # The names were checked when the mock was created (Limits.with_overrides).
        self.limits = Limits(**options.limits)
        self.backend = Backend(
            self.limits,
            self.ids,
            self.clock,
            region=self.region,
            account_id=self.account_id,
            partitions=partitions(),
        )
        self.calls = CallLog()
        self.sleeps = SleepLog()
        self.rotations = Rotations(
            lambdas,
            ids=self.ids,
            clock=self.clock,
            limits=self.limits,
            backend=self.backend,
            external_handlers=external_rotations,
        )
        #: The domain API the operations call (rules, locks, rotation and replication hooks).
        self.service = SecretsService(self.backend, self.limits, self.ids, self.rotations)
        self.rotations.external.service = self.service  # external rotations write through it
        self.rotations.scheduler.replication = self.service
        self.faults = FaultPlan(options.seed)
        self.quotas = Quotas(
            self.limits, self.clock, options.throttling, region=self.region, account_id=self.account_id
        )

    def __repr__(self) -> str:
        return f"Session(region={self.region!r}, account_id={self.account_id!r})"

    def reset(self) -> None:
        """Empty every piece of state (secrets, calls, sleeps, faults, quotas, rotation records)
        in place, as a new activation would start; the options, the registered rotation functions
        and the mapped access keys stay. The server's ``POST /_sm_mock/reset`` calls it; a
        request in flight meanwhile sees the old state or the new one."""
        thread, owner = self.thread, self.owner
        Session.__init__(self, self.options, owner=owner, lambdas=self.rotations.lambdas, access_keys=self.access_keys)
        self.thread = thread

    def account_for(self, access_key_id: str | None) -> str:
        """The account a request's access key belongs to.

        An explicitly mapped key wins; a key that is exactly 12 digits is read as the account
        id itself (handy for cross-account tests); anything else is the mock's account.
        """
        if access_key_id:
            mapped = self.access_keys.get(access_key_id)
            if mapped is not None:
                return mapped
            if len(access_key_id) == 12 and access_key_id.isdigit():
                return access_key_id
        return self.account_id

    def admit(
        self, operation: str, params: dict[str, Any], region: str, account_id: str, now: datetime
    ) -> Admission | None:
        """Faults first, then rate quotas (docs/design.md, request flow)."""
        admission = self.faults.check(operation, params, region, account_id, now)
        if admission is None and self.quotas.enabled:
            admission = self.quotas.check(operation, region, account_id, now)
        return admission


# ---- the stack of active sessions -------------------------------------------------------------
# In start order. A request is served by the innermost session its own thread started; a thread
# that started none (a worker of the code under test, a thread pool) is served by the most
# recently started session in the process (README, "Threads").
_stack: list[Session] = []
_lock = threading.Lock()


def active() -> Session | None:
    """The session that serves a request from this thread, or None (the transports' fast path)."""
    stack = _stack
    if len(stack) < 2:
        return stack[0] if stack else None
    thread = threading.get_ident()
    for session in reversed(stack):
        if session.thread == thread:
            return session
    return stack[-1]


def push(session: Session) -> bool:
    """Make ``session`` active, started by this thread; returns True when it is the only one."""
    session.thread = threading.get_ident()
    with _lock:
        _stack.append(session)
        return len(_stack) == 1


def remove(session: Session) -> bool:
    """Deactivate ``session``, whichever thread does it; returns True when none is left active."""
    with _lock:
        if session in _stack:
            _stack.remove(session)
        return not _stack
