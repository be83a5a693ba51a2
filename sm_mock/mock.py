"""SecretsManagerMock: the activation object (decorator, class decorator, async decorator and
context manager, in the style of time-machine) and the stack of active mocks."""

from __future__ import annotations

import functools
import inspect
import os
import random
import secrets
import threading
import unittest
from collections.abc import Callable, Iterable
from datetime import datetime
from types import TracebackType
from typing import Any, Literal, TypeVar, overload

from . import credentials
from .admission import Admission
from .calls import CallLog
from .clock import Clock, as_clock
from .errors import NoActiveMockError
from .ids import IdSource
from .limits import Limits
from .model.store import Backend
from .replication import Replication
from .retry import SleepLog
from .rotation import LambdaHandler, Rotations

__all__ = ["SecretsManagerMock", "current", "mock_secretsmanager"]

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"

#: How requests reach the mock (the ``transport=`` option).
Transport = Literal["http", "direct"]
#: ``"http"`` (default): answer at botocore's ``before-send`` with a real HTTP response, so the
#: whole client pipeline runs (signing, parsing, retries). ``"direct"``: answer at
#: ``before-call`` with an already-parsed response (sm_mock.direct): faster, no retries.
TRANSPORTS: tuple[Transport, ...] = ("http", "direct")

#: Fake credentials put in the environment while a mock is active, so botocore never reads
#: (and a test never signs with) the user's real ones. Restored on exit.
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "AKIASMMOCKTESTING00",
    "AWS_SECRET_ACCESS_KEY": "sm-mock-fake-secret-access-key",
}
_CREDENTIAL_VARS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")

_stack: list[SecretsManagerMock] = []
_stack_lock = threading.Lock()


def active() -> SecretsManagerMock | None:
    """The innermost active mock, or None (the hook's fast path)."""
    return _stack[-1] if _stack else None


def current() -> SecretsManagerMock:
    """The innermost active mock; raises :class:`NoActiveMockError` with advice if none."""
    mock = active()
    if mock is None:
        raise NoActiveMockError(
            "No sm_mock is active. Wrap the code in `with mock_secretsmanager():`, decorate the "
            "test with @mock_secretsmanager, or use the `sm_mock` pytest fixture."
        )
    return mock


class SecretsManagerMock:
    """One activation of the in-memory Secrets Manager.

    Use as ``with mock_secretsmanager() as sm:``, ``@mock_secretsmanager`` or
    ``@mock_secretsmanager(region=..., seed=...)``. Every activation starts empty.

    Attributes while active: ``backend`` (state and inspection), ``calls`` (call log),
    ``faults`` (fault plan), ``quotas`` (rate quotas and limits), ``limits``, ``sleeps``
    (botocore's retry sleeps, recorded instead of slept unless ``real_sleep=True``).

    ``transport="direct"`` answers at botocore's ``before-call`` stage with already-parsed
    responses, skipping signing, HTTP serialization and parsing (see :mod:`sm_mock.direct`;
    botocore's retries are not exercised in that mode).
    """

    def __init__(
        self,
        *,
        region: str = DEFAULT_REGION,
        account_id: str = DEFAULT_ACCOUNT,
        throttling: bool | Iterable[str] = False,
        clock: Clock | Callable[[], datetime] | None = None,
        seed: int | None = None,
        allow_services: Iterable[str] = (),
        real_sleep: bool = False,
        transport: Transport = "http",
        **limits: int,
    ) -> None:
        if transport not in TRANSPORTS:
            raise ValueError(
                f"transport={transport!r} is not supported: use 'http' (the full botocore pipeline, "
                "the default) or 'direct' (answers at before-call, fastest, no retries)."
            )
        #: "http" or "direct" (see :data:`TRANSPORTS`).
        self.transport: Transport = transport
        self.region = region
        self.account_id = account_id
        #: Rate quotas: False (off), True (all) or the operations / quota groups to enforce.
        self.throttling: bool | frozenset[str] = throttling if isinstance(throttling, bool) else frozenset(throttling)
        self.clock: Clock = as_clock(clock)
        self.seed = seed
        #: botocore service ids (e.g. "s3", "sts") let through to the real network.
        self.allow_services = frozenset(allow_services)
        #: False (default): botocore's retry back-off is recorded in ``sleeps``, not slept.
        self.real_sleep = real_sleep
        self._limit_overrides = dict(limits)
        self.limits = Limits().with_overrides(self._limit_overrides)
        self.access_keys: dict[str, str] = {}
        self._saved_env: dict[str, str | None] | None = None
        self._active = False
        self._reset()

    def _reset(self) -> None:
        self.ids = IdSource(self.seed)
        self.password_rng: random.Random = (
            random.Random(f"password:{self.seed}") if self.seed is not None else secrets.SystemRandom()
        )
        # The names were checked in __init__ (with_overrides); building directly is a tenth of
        # the cost, and this runs on every activation.
        self.limits = Limits(**self._limit_overrides)
        self.backend = Backend(self.limits, self.ids, self.clock, region=self.region, account_id=self.account_id)
        self.calls = CallLog()
        self.sleeps = SleepLog()
        # Registered rotation functions are configuration, not state: they survive a restart,
        # so `sm.register_lambda(...)` may come before `with sm:`.
        previous = getattr(self, "rotations", None)
        self.rotations = Rotations()
        if previous is not None:
            self.rotations.lambdas.update(previous.lambdas)
        self.replication = Replication()
        from .faults import FaultPlan
        from .quotas import Quotas

        self.faults = FaultPlan(self)
        self.quotas = Quotas(self)

    def __repr__(self) -> str:
        state = "active" if self._active else "inactive"
        return f"SecretsManagerMock(region={self.region!r}, account_id={self.account_id!r}, {state})"

    # ---- activation ---------------------------------------------------------------------
    def start(self) -> SecretsManagerMock:
        """Activate with fresh state (prefer the context manager or decorator)."""
        if self._active:
            raise RuntimeError("this SecretsManagerMock is already active; create another one to nest")
        from . import hook, retry

        hook.install()
        self._reset()
        self._saved_env = _supply_environment(self.region)
        credentials.hide(FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"], FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"])
        with _stack_lock:
            _stack.append(self)
        retry.activate()
        self._active = True
        return self

    def stop(self) -> None:
        """Deactivate and restore the environment."""
        if not self._active:
            return
        with _stack_lock:
            if self in _stack:
                _stack.remove(self)
            last = not _stack
        if last:  # the rendered ListSecrets entries of finished mocks hold their secrets: let go
            from .operations import entries

            entries.clear()
        if self._saved_env is not None:
            credentials.reveal()
            _restore_environment(self._saved_env)
            self._saved_env = None
        from . import retry

        retry.deactivate()
        self._active = False

    @property
    def is_active(self) -> bool:
        """True between start() and stop()."""
        return self._active

    def __enter__(self) -> SecretsManagerMock:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _options(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "account_id": self.account_id,
            "throttling": self.throttling,
            "clock": self.clock,
            "seed": self.seed,
            "allow_services": self.allow_services,
            "real_sleep": self.real_sleep,
            "transport": self.transport,
            **self._limit_overrides,
        }

    def copy(self) -> SecretsManagerMock:
        """A new, inactive mock with the same options and registered rotation functions."""
        clone = SecretsManagerMock(**self._options())
        clone.rotations.lambdas.update(self.rotations.lambdas)
        clone.access_keys.update(self.access_keys)
        return clone

    # ---- decorator ----------------------------------------------------------------------
    def __call__(self, target: F) -> F:
        """Decorate a function, coroutine function or class: a fresh activation per call."""
        if isinstance(target, type):
            return self._decorate_class(target)  # type: ignore[return-value]
        if inspect.iscoroutinefunction(target):

            @functools.wraps(target)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                with self.copy():
                    return await target(*args, **kwargs)

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(target)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.copy():
                return target(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def _decorate_class(self, cls: type) -> type:
        if issubclass(cls, unittest.TestCase):
            # setUp, the test and tearDown share one activation, so fixtures made in setUp
            # are visible to the test.
            original_setup = cls.setUp
            template = self

            def setUp(test: unittest.TestCase) -> None:
                mock = template.copy().start()
                test.addCleanup(mock.stop)
                original_setup(test)

            cls.setUp = setUp  # type: ignore[method-assign,assignment]
            return cls
        for name, attr in list(vars(cls).items()):
            if name.startswith("test") and callable(attr):
                setattr(cls, name, self(attr))
        return cls

    # ---- conveniences -------------------------------------------------------------------
    def register_lambda(self, function_arn: str, handler: LambdaHandler) -> None:
        """Make ``handler(event, context)`` the rotation function with this ARN."""
        self.rotations.register(function_arn, handler)

    def map_access_key(self, access_key_id: str, account_id: str) -> None:
        """Requests signed with ``access_key_id`` act as ``account_id`` (cross-account tests)."""
        self.access_keys[access_key_id] = account_id

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
        """Faults first, then rate quotas (DESIGN.md request flow)."""
        admission = self.faults.check(operation, params, region, account_id, now)
        if admission is None and self.quotas.enabled:
            admission = self.quotas.check(operation, region, account_id, now)
        return admission

    def client(self, **kwargs: Any) -> Any:
        """A boto3 ``secretsmanager`` client in the mock's region (boto3 must be installed)."""
        import boto3

        kwargs.setdefault("region_name", self.region)
        return boto3.client("secretsmanager", **kwargs)


def _supply_environment(region: str) -> dict[str, str | None]:
    saved: dict[str, str | None] = {}
    for var in (*_CREDENTIAL_VARS, "AWS_DEFAULT_REGION"):
        saved[var] = os.environ.get(var)
    for var in _CREDENTIAL_VARS:
        os.environ.pop(var, None)
    os.environ.update(FAKE_CREDENTIALS)
    if not os.environ.get("AWS_DEFAULT_REGION") and not os.environ.get("AWS_REGION"):
        os.environ["AWS_DEFAULT_REGION"] = region
    return saved


def _restore_environment(saved: dict[str, str | None]) -> None:
    for var, value in saved.items():
        if value is None:
            os.environ.pop(var, None)
        else:
            os.environ[var] = value


@overload
def mock_secretsmanager(target: F, /) -> F: ...


@overload
def mock_secretsmanager(
    *,
    region: str = ...,
    account_id: str = ...,
    throttling: bool | Iterable[str] = ...,
    clock: Clock | Callable[[], datetime] | None = ...,
    seed: int | None = ...,
    allow_services: Iterable[str] = ...,
    real_sleep: bool = ...,
    transport: Transport = ...,
    **limits: int,
) -> SecretsManagerMock: ...


def mock_secretsmanager(target: Any = None, /, **options: Any) -> Any:
    """Activate sm_mock: ``@mock_secretsmanager``, ``@mock_secretsmanager(...)`` or
    ``with mock_secretsmanager(...) as sm:``."""
    if target is not None:
        return SecretsManagerMock(**options)(target)
    return SecretsManagerMock(**options)
