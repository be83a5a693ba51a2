"""SecretsManagerMock: the activation object (decorator, class decorator, async decorator and
context manager, in the style of time-machine) and the stack of active mocks."""

from __future__ import annotations

import functools
import inspect
import os
import random
import threading
import unittest
import warnings
from collections.abc import Callable, Iterable
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, overload

from . import session as sessions
from .botocore.credentials import FAKE_CREDENTIALS
from .clock import Clock, as_clock
from .errors import NoActiveMockError, RotationFailureWarning, SmMockError
from .limits import Limits
from .options import OptionError, check_options, service_names
from .rotation import ExternalHandler, LambdaHandler
from .session import Options, Session, Transport

if TYPE_CHECKING:
    from .agent import AgentEndpoint
    from .calls import CallLog
    from .faults import FaultPlan
    from .ids import IdSource
    from .model.backend import Backend
    from .quotas import Quotas
    from .rotation import Rotations
    from .server import Server
    from .sleeps import SleepLog

__all__ = ["DEFAULT_ACCOUNT", "DEFAULT_REGION", "SecretsManagerMock", "current", "mock_secretsmanager"]

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"

_CREDENTIAL_VARS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")


#: Where a decorated pytest-style class keeps the activation of the test in progress.
_CLASS_MOCK = "_sm_mock_activation"


def _call_xunit(fn: Callable[..., Any], instance: Any, method: Any) -> None:
    """Call a setup_method/teardown_method as pytest does: with the method when it takes one."""
    try:
        parameters = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        parameters = {}  # type: ignore[assignment]
    if len(parameters) >= 2:
        fn(instance, method)
    else:
        fn(instance)


def current() -> SecretsManagerMock:
    """The innermost active mock; raises :class:`NoActiveMockError` with advice if none."""
    session = sessions.active()
    if session is None:
        raise NoActiveMockError(
            "No sm_mock is active. Wrap the code in `with mock_secretsmanager():`, decorate the "
            "test with @mock_secretsmanager, or use the `sm_mock` pytest fixture."
        )
    owner = session.owner
    assert isinstance(owner, SecretsManagerMock)
    return owner


class SecretsManagerMock:
    """One activation of the in-memory Secrets Manager.

    Use as ``with mock_secretsmanager() as sm:``, ``@mock_secretsmanager`` or
    ``@mock_secretsmanager(region=..., seed=...)``. Every activation starts empty.

    Attributes while active: ``backend`` (state and inspection), ``calls`` (call log),
    ``faults`` (fault plan), ``quotas`` (rate quotas and limits), ``limits``, ``sleeps``
    (botocore's retry sleeps, recorded instead of slept unless ``real_sleep=True``).

    ``transport="direct"`` answers at botocore's ``before-call`` stage with already-parsed
    responses, skipping signing, HTTP serialization and parsing (see :mod:`sm_mock.botocore.direct`;
    botocore's retries are not exercised in that mode).
    """

    def __init__(
        self,
        *,
        region: str | None = None,
        account_id: str = DEFAULT_ACCOUNT,
        throttling: bool | str | Iterable[str] = False,
        clock: Clock | Callable[[], datetime] | None = None,
        seed: int | None = None,
        allow_services: str | Iterable[str] = (),
        real_sleep: bool = False,
        transport: Transport = "http",
        **limits: int,
    ) -> None:
        #: True when region= was given: it then applies to clients made without region_name
        #: while the mock is active, even where the environment names another region.
        self._region_explicit = region is not None
        region = region if region is not None else DEFAULT_REGION
        check_options(
            {
                "region": region,
                "account_id": account_id,
                "throttling": throttling,
                "clock": clock,
                "seed": seed,
                "allow_services": allow_services,
                "real_sleep": real_sleep,
                "transport": transport,
                **limits,
            }
        )
        #: The options every activation starts from.
        self.options = Options(
            region=region,
            account_id=account_id,
            throttling=throttling if isinstance(throttling, bool) else service_names(throttling, "throttling"),
            clock=as_clock(clock),
            seed=seed,
            allow_services=service_names(allow_services, "allow_services") if allow_services else frozenset(),
            real_sleep=real_sleep,
            transport=transport,
            limits=dict(limits),
        )
        #: Registered rotation functions and mapped access keys are configuration, not state:
        #: they serve every activation, so ``sm.register_lambda(...)`` may come before ``with sm:``.
        self._lambdas: dict[str, LambdaHandler] = {}
        #: Partner stand-ins for managed external secrets, by Type (register_external_rotation).
        self._external_rotations: dict[str, ExternalHandler] = {}
        self.access_keys: dict[str, str] = {}
        self._active = False
        # Before the first start() the mock shows an empty session, made when first asked for
        # (so faults and quotas can be inspected early); after stop() it shows its last one.
        self._last: Session | None = None
        #: The HTTP server of :meth:`serve`, while one runs.
        self._server: Server | None = None
        #: Local secrets endpoints (serve_agent) of the current activation; stopped with it.
        self._agents: list[AgentEndpoint] = []

    @property
    def _session(self) -> Session:
        session = self._last
        if session is None:
            session = self._last = self._new_session()
        return session

    def _new_session(self) -> Session:
        return Session(
            self.options,
            owner=self,
            lambdas=self._lambdas,
            access_keys=self.access_keys,
            external_rotations=self._external_rotations,
        )

    def __repr__(self) -> str:
        state = "active" if self._active else "inactive"
        return f"SecretsManagerMock(region={self.region!r}, account_id={self.account_id!r}, {state})"

    # ---- the options --------------------------------------------------------------------
    @property
    def region(self) -> str:
        """The region of clients created without one, and of ``sm.backend``'s shortcuts."""
        return self.options.region

    @property
    def account_id(self) -> str:
        """The account requests act as, unless their access key maps to another."""
        return self.options.account_id

    @property
    def transport(self) -> Transport:
        """``"http"`` or ``"direct"`` (see :data:`~sm_mock.session.TRANSPORTS`)."""
        return self.options.transport

    @property
    def clock(self) -> Clock:
        """The clock every time stamp and expiry reads."""
        return self.options.clock

    @property
    def seed(self) -> int | None:
        """The seed of suffixes, ids, passwords and fault draws (None: random)."""
        return self.options.seed

    @property
    def throttling(self) -> bool | frozenset[str]:
        """Rate quotas: False (off), True (all) or the operations / quota groups to enforce."""
        return self.options.throttling

    @property
    def allow_services(self) -> frozenset[str]:
        """botocore service ids (e.g. "s3", "sts") let through to the real network."""
        return self.options.allow_services

    @property
    def real_sleep(self) -> bool:
        """False (default): botocore's retry back-off is recorded in ``sleeps``, not slept."""
        return self.options.real_sleep

    # ---- the state of the current (or last) activation --------------------------------
    @property
    def session(self) -> Session:
        """The state of the current activation (of the last one once stopped)."""
        return self._session

    @property
    def backend(self) -> Backend:
        """State and inspection: secrets, versions, labels, ``reveal(...)``, seeding."""
        return self._session.backend

    @property
    def calls(self) -> CallLog:
        """The call log: one record per attempt."""
        return self._session.calls

    @property
    def sleeps(self) -> SleepLog:
        """botocore's retry sleeps, recorded instead of slept (unless ``real_sleep=True``)."""
        return self._session.sleeps

    @property
    def faults(self) -> FaultPlan:
        """The fault plan (chaos)."""
        return self._session.faults

    @property
    def quotas(self) -> Quotas:
        """Rate quotas (token buckets on the mock's clock)."""
        return self._session.quotas

    @property
    def limits(self) -> Limits:
        """The capacity limits in force (always enforced)."""
        return self._session.limits

    @property
    def rotations(self) -> Rotations:
        """Rotation functions, runs, history and failures."""
        return self._session.rotations

    @property
    def ids(self) -> IdSource:
        """Where ARN suffixes and generated ids come from (seeded by ``seed``)."""
        return self._session.ids

    @property
    def password_rng(self) -> random.Random:
        """GetRandomPassword's random source (seeded by ``seed``)."""
        return self._session.password_rng

    # ---- activation ---------------------------------------------------------------------
    def start(self) -> SecretsManagerMock:
        """Activate with fresh state (prefer the context manager or decorator)."""
        if self._active:
            raise RuntimeError("this SecretsManagerMock is already active; create another one to nest")
        from .botocore import activate

        self._last = self._new_session()
        _enter_environment(self, self.region, self._region_explicit)
        activate(self._session)
        self._active = True
        return self

    def stop(self) -> None:
        """Deactivate and restore the environment."""
        if not self._active:
            return
        from .botocore import deactivate

        if self._server is not None:
            self._server.stop()
            self._server = None
        for endpoint in self._agents:
            endpoint.stop()
        self._agents.clear()
        deactivate(self._session)
        _leave_environment(self)
        self._active = False
        report = self._session.rotations.unexamined_report()
        if report is not None:
            # RotateSecret answered success; without this the failure would pass unnoticed.
            warnings.warn(report, RotationFailureWarning, stacklevel=2)

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

    async def __aenter__(self) -> SecretsManagerMock:
        """``async with mock_secretsmanager() as sm:`` in async code (activation does not await)."""
        return self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def copy(self) -> SecretsManagerMock:
        """A new, inactive mock with the same options and registered rotation functions."""
        clone = SecretsManagerMock.__new__(SecretsManagerMock)
        clone.options = self.options
        clone._lambdas = dict(self._lambdas)
        clone._external_rotations = dict(self._external_rotations)
        clone.access_keys = dict(self.access_keys)
        clone._active = False
        clone._last = None
        clone._server = None
        clone._agents = []
        clone._region_explicit = self._region_explicit
        return clone

    # ---- decorator ----------------------------------------------------------------------
    def __call__(self, target: F) -> F:
        """Decorate a function, generator, coroutine, async generator or class: a fresh
        activation per call, active while the body runs (for a generator, until it finishes or
        is closed: a pytest ``yield`` fixture keeps it for the test)."""
        if isinstance(target, type):
            return self._decorate_class(target)  # type: ignore[return-value]
        if inspect.isasyncgenfunction(target):

            @functools.wraps(target)
            async def async_gen_wrapper(*args: Any, **kwargs: Any) -> Any:
                with self.copy():
                    async for item in target(*args, **kwargs):
                        yield item

            return async_gen_wrapper  # type: ignore[return-value]
        if inspect.iscoroutinefunction(target):

            @functools.wraps(target)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                with self.copy():
                    return await target(*args, **kwargs)

            return async_wrapper  # type: ignore[return-value]
        if inspect.isgeneratorfunction(target):

            @functools.wraps(target)
            def gen_wrapper(*args: Any, **kwargs: Any) -> Any:
                with self.copy():
                    return (yield from target(*args, **kwargs))

            return gen_wrapper  # type: ignore[return-value]

        @functools.wraps(target)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.copy():
                return target(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def _decorate_class(self, cls: type) -> type:
        template = self
        if issubclass(cls, unittest.TestCase):
            # setUp, the test and tearDown share one activation, so fixtures made in setUp
            # are visible to the test.
            original_setup = cls.setUp

            def setUp(test: unittest.TestCase) -> None:
                mock = template.copy().start()
                test.addCleanup(mock.stop)
                original_setup(test)

            cls.setUp = setUp  # type: ignore[method-assign,assignment]
            return cls
        # A pytest-style class: setup_method, the test and teardown_method share one activation
        # (pytest calls them around each test); a test called any other way gets its own.
        original_setup_method = getattr(cls, "setup_method", None)
        original_teardown_method = getattr(cls, "teardown_method", None)

        def setup_method(test: Any, method: Any = None) -> None:
            mock = template.copy().start()
            test.__dict__[_CLASS_MOCK] = mock
            if original_setup_method is not None:
                try:
                    _call_xunit(original_setup_method, test, method)
                except BaseException:
                    test.__dict__.pop(_CLASS_MOCK, None)
                    mock.stop()
                    raise

        def teardown_method(test: Any, method: Any = None) -> None:
            try:
                if original_teardown_method is not None:
                    _call_xunit(original_teardown_method, test, method)
            finally:
                mock = test.__dict__.pop(_CLASS_MOCK, None)
                if mock is not None:
                    mock.stop()

        cls.setup_method = setup_method  # type: ignore[attr-defined]
        cls.teardown_method = teardown_method  # type: ignore[attr-defined]
        for name, attr in list(vars(cls).items()):
            if name.startswith("test") and callable(attr):
                setattr(cls, name, self._class_test(attr))
        return cls

    def _class_test(self, test: F) -> F:
        """A test method of a decorated pytest-style class: under the activation setup_method
        started, or one of its own when called without it."""
        own = self(test)

        if inspect.iscoroutinefunction(test):

            @functools.wraps(test)
            async def async_method(instance: Any, *args: Any, **kwargs: Any) -> Any:
                if _CLASS_MOCK in getattr(instance, "__dict__", {}):
                    return await test(instance, *args, **kwargs)
                return await own(instance, *args, **kwargs)

            return async_method  # type: ignore[return-value]

        @functools.wraps(test)
        def method(instance: Any, *args: Any, **kwargs: Any) -> Any:
            if _CLASS_MOCK in getattr(instance, "__dict__", {}):
                return test(instance, *args, **kwargs)
            return own(instance, *args, **kwargs)

        return method  # type: ignore[return-value]

    # ---- server mode --------------------------------------------------------------------
    def serve(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve this mock over HTTP and return the endpoint URL (``http://127.0.0.1:PORT``).

        For other processes and languages (the AWS CLI, a Node service, a subprocess's boto3
        with ``endpoint_url``): their requests run through the same pipeline as this process's,
        so registered rotation functions, faults, quotas, the call log and the clock apply. The
        control API is under ``/_sm_mock/`` (README, "Server mode"). ``port=0`` picks a free
        port. The server stops when the mock stops; calling again returns the same URL.
        """
        if not self._active:
            raise SmMockError(
                "serve() needs an active mock: call it inside `with mock_secretsmanager() as sm:` "
                "(or use the sm_server_url pytest fixture)."
            )
        if self._server is None:
            from .server import start

            self._server = start(lambda: self._session, self.options.clock, host=host, port=port)
        return self._server.url

    # ---- conveniences -------------------------------------------------------------------
    def register_lambda(self, function_arn: str, handler: LambdaHandler) -> None:
        """Make ``handler(event, context)`` the rotation function with this ARN."""
        self._session.rotations.register(function_arn, handler)

    def register_external_rotation(self, secret_type: str, handler: ExternalHandler) -> None:
        """Make ``handler(request) -> new value`` the partner that rotates managed external
        secrets of ``secret_type`` (their ``Type``): RotateSecret and the schedule store what it
        returns as the new AWSCURRENT version (``request`` is an
        :class:`~sm_mock.rotation.external.ExternalRotationRequest`)."""
        self._session.rotations.external.register(secret_type, handler)

    def map_access_key(self, access_key_id: str, account_id: str) -> None:
        """Requests signed with ``access_key_id`` act as ``account_id`` (cross-account tests)."""
        self.access_keys[access_key_id] = account_id

    def account_for(self, access_key_id: str | None) -> str:
        """The account a request signed with ``access_key_id`` acts as (see :meth:`map_access_key`)."""
        return self._session.account_for(access_key_id)

    def serve_agent(
        self,
        port: int | None = 0,
        *,
        token: str | None = None,
        ttl_seconds: int | None = None,
        path_prefix: str = "/v1/",
        style: str = "agent",
        cache_size: int | None = None,
        region: str | None = None,
    ) -> str:
        """Serve this activation's secrets over HTTP on 127.0.0.1 as the Secrets Manager Agent
        does (``style="lambda-extension"``: the AWS Parameters and Secrets Lambda Extension);
        returns the URL. It reads through the mock's GetSecretValue (call log, faults, quotas,
        clock) and stops when the mock stops. ``port`` 0 picks a free port, None reads
        ``PARAMETERS_SECRETS_EXTENSION_HTTP_PORT`` (else 2773). ``token`` None reads
        ``AWS_TOKEN``, ``AWS_SESSION_TOKEN``, ``AWS_CONTAINER_AUTHORIZATION_TOKEN``, else makes
        one up (``sm.agent.token``). ``ttl_seconds`` (default 300) and ``cache_size`` (default
        1000) shape the cache; the Lambda style reads its environment variables for them.
        ``region`` is where reads go (default: the mock's region). See docs/agent.md.
        """
        if not self._active:
            raise NoActiveMockError(
                "serve_agent() serves an active mock's secrets: call it inside `with mock_secretsmanager() "
                "as sm:` (or use the sm_agent_url pytest fixture)."
            )
        from .agent import start

        endpoint = start(
            self._session,
            port,
            token=token,
            ttl_seconds=ttl_seconds,
            cache_size=cache_size,
            path_prefix=path_prefix,
            style=style,
            region=region,
        )
        self._agents.append(endpoint)
        return endpoint.url

    @property
    def agent(self) -> AgentEndpoint:
        """The endpoint the last ``serve_agent()`` started (its url, port, token and cache)."""
        if not self._agents:
            raise SmMockError("No local secrets endpoint is running: call sm.serve_agent() first.")
        return self._agents[-1]

    def client(self, **kwargs: Any) -> Any:
        """A boto3 ``secretsmanager`` client in the mock's region (boto3 must be installed).

        The same client for the same plain arguments, test after test (a client holds nothing of
        a mock's; the handlers a test registered on it are gone when it is handed out again);
        pass a ``config=`` or credentials for a client of your own.
        """
        from .botocore import clients

        kwargs.setdefault("region_name", self.region)
        return clients.client(**kwargs)


# The environment is the process's: the first activation saves what it changes, the last
# deactivation puts it back, whatever order activations stop in and whichever thread stops them.
# In between, the region variables name the region of the latest active mock that was given one
# explicitly (region=), else what the environment said (or the default supplied when it said
# nothing).
_environment_lock = threading.Lock()
_environment_users = 0
_environment_saved: dict[str, str | None] | None = None
#: The region variables as the first activation left them (before any explicit region).
_environment_regions: dict[str, str | None] = {}
#: (mock, region) of the active mocks given a region explicitly, in start order.
_explicit_regions: list[tuple[object, str]] = []
_REGION_VARS = ("AWS_DEFAULT_REGION", "AWS_REGION")


def _enter_environment(mock: object, region: str, explicit: bool) -> None:
    global _environment_users, _environment_saved
    with _environment_lock:
        if _environment_users == 0:
            _environment_saved = _supply_environment(region)
            _environment_regions.clear()
            _environment_regions.update({var: os.environ.get(var) for var in _REGION_VARS})
        _environment_users += 1
        if explicit:
            _explicit_regions.append((mock, region))
        _apply_region()


def _leave_environment(mock: object) -> None:
    global _environment_users, _environment_saved
    with _environment_lock:
        _explicit_regions[:] = [entry for entry in _explicit_regions if entry[0] is not mock]
        _environment_users -= 1
        if _environment_users == 0 and _environment_saved is not None:
            _restore_environment(_environment_saved)
            _environment_saved = None
        else:
            _apply_region()


def _apply_region() -> None:
    """Point the region variables at the latest explicit region, or back at the environment's."""
    if _explicit_regions:
        region = _explicit_regions[-1][1]
        os.environ["AWS_DEFAULT_REGION"] = region
        if os.environ.get("AWS_REGION"):
            os.environ["AWS_REGION"] = region
        return
    _restore_environment(_environment_regions)


def _supply_environment(region: str) -> dict[str, str | None]:
    saved: dict[str, str | None] = {}
    for var in (*_CREDENTIAL_VARS, *_REGION_VARS):
        saved[var] = os.environ.get(var)
    # The session token goes too: with the fake keys it would make a credential that is neither.
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
    region: str | None = ...,
    account_id: str = ...,
    throttling: bool | str | Iterable[str] = ...,
    clock: Clock | Callable[[], datetime] | None = ...,
    seed: int | None = ...,
    allow_services: str | Iterable[str] = ...,
    real_sleep: bool = ...,
    transport: Transport = ...,
    **limits: int,
) -> SecretsManagerMock: ...


def mock_secretsmanager(target: Any = None, /, **options: Any) -> Any:
    """Activate sm_mock: ``@mock_secretsmanager``, ``@mock_secretsmanager(...)`` or
    ``with mock_secretsmanager(...) as sm:``. Options are keywords, checked at once
    (:mod:`sm_mock.options`)."""
    if target is None:
        return SecretsManagerMock(**options)
    if not callable(target):
        raise OptionError(
            f"mock_secretsmanager({target!r}): options are keywords, e.g. "
            f"mock_secretsmanager(region={target!r}); a positional argument is what it decorates "
            "(a function, a generator, a coroutine or a class)."
        )
    return SecretsManagerMock(**options)(target)
