"""aiobotocore (and aioboto3) clients: served, contained and retried like botocore's.

aiobotocore reuses botocore's handlers, serializers and retry rules, so the hook answers its
clients too (an ``AioSession`` registers botocore's builtin handlers, sm_mock's among them).
It has its own endpoint, signer and rate limiter, though, each a coroutine version of
botocore's, and those bypass what :mod:`.guard` and :mod:`.retries` patch. This module
patches the same points on aiobotocore's classes, while a mock is active:

* ``AioEndpoint._do_get_response`` notes the attempt in flight (:mod:`.inflight`), marked
  asynchronous: the hook then answers with an ``AioAWSResponse``, whose ``content`` the
  endpoint awaits (a plain AWSResponse fails with "object bytes can't be used in 'await'
  expression").
* ``first_non_none_response`` as ``aiobotocore.endpoint`` imported it: sm_mock's answer to a
  Secrets Manager request wins over another mock's.
* ``AioEndpoint._send`` (its aiohttp or httpx session): what nothing answered is served
  (Secrets Manager), let out (``allow_services``) or stopped, as :func:`.guard.unanswered` says.
* ``AioRequestSigner.get_auth_instance``: fake keys sign what sm_mock serves or stops.
* ``aiobotocore.endpoint``'s ``asyncio.sleep`` between attempts (``AioEndpoint._needs_retry``):
  the back-off after an answer of sm_mock's is recorded in ``sm.sleeps`` and not slept (the
  task still yields to the event loop once); ``real_sleep=True`` sleeps it.
* ``AsyncTokenBucket._acquire`` (adaptive retry mode): its wait is recorded, as botocore's.
* ``create_credential_resolver`` as ``aiobotocore.session`` and ``aiobotocore.credentials``
  use it: sm_mock's fake keys come first in every new ``AioSession``'s chain, as
  :mod:`.credentials` does for botocore, so no real key is read and no credential provider
  (IMDS, SSO, a container endpoint) is asked over the network.

Nothing is imported or patched when aiobotocore is not installed. Patching is
reference-counted like :mod:`.guard` and :mod:`.retries`; the last deactivation restores
aiobotocore exactly as it was (leaving a later patch by someone else alone).
"""

from __future__ import annotations

import functools
import importlib
import importlib.abc
import importlib.util
import sys
import threading
from typing import Any

from .. import session as sessions
from ..calls import CallRecord
from ..choices import ASYNC_BACKOFF_YIELDS
from ..sleeps import BACKOFF
from . import inflight
from .guard import own_answer, signing_arguments, unanswered
from .retries import grant, record

__all__ = ["activate", "available", "deactivate", "is_installed"]

_lock = threading.RLock()  # re-entered when patching imports aiobotocore's modules
_depth = 0
#: (owner, attribute) -> the original value, for the patches in place.
_saved: dict[tuple[Any, str], Any] = {}
_FAKE: Any = None


@functools.lru_cache(maxsize=1)
def available() -> bool:
    """True when aiobotocore is installed."""
    return importlib.util.find_spec("aiobotocore") is not None


def _original(owner: Any, name: str) -> Any:
    return _saved[(owner, name)]


# ---- the endpoint ------------------------------------------------------------------------------
async def _do_get_response(endpoint: Any, request: Any, operation_model: Any, context: Any) -> Any:
    """``AioEndpoint._do_get_response``, knowing which operation it sends (asynchronously)."""
    token = inflight.start(operation_model.service_model.service_id.hyphenize(), operation_model.name, True)
    try:
        return await _original(_ENDPOINT, "_do_get_response")(endpoint, request, operation_model, context)
    finally:
        inflight.reset(token)


def _first_answer(responses: list[tuple[Any, Any]]) -> Any:
    answer = own_answer(responses)
    return answer if answer is not None else _original(_ENDPOINT_MODULE, "first_non_none_response")(responses)


async def _send(endpoint: Any, request: Any) -> Any:
    """``AioEndpoint._send``: where a request nothing answered would leave the process."""
    session = sessions.active()
    current = inflight.current()
    if session is not None and current is not None:
        answer = unanswered(session, current, request)
        if answer is not None:
            return answer
    return await _original(_ENDPOINT, "_send")(endpoint, request)


class _EndpointAsyncio:
    """Stands in for the ``asyncio`` module inside ``aiobotocore.endpoint`` only."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    async def sleep(self, delay: float, result: Any = None) -> Any:
        session = sessions.active()
        if session is None or not inflight.answered():
            # A request let through, or answered by another mock, waits as aiobotocore wrote it.
            return await self._real.sleep(delay, result)
        # The attempt it follows is this task's (tasks on one thread interleave).
        last = inflight.last_record()
        record(session, delay, BACKOFF, last if isinstance(last, CallRecord) else None)
        if session.real_sleep:
            return await self._real.sleep(delay, result)
        if ASYNC_BACKOFF_YIELDS:  # still a suspension point, as the real sleep is (choices)
            return await self._real.sleep(0, result)
        return result


# ---- signing and the adaptive rate limiter ------------------------------------------------------
async def _get_auth_instance(signer: Any, signing_name: str, region_name: str, *args: Any, **kwargs: Any) -> Any:
    """``AioRequestSigner.get_auth_instance`` with sm_mock's fake keys where it serves or stops."""
    args = signing_arguments(signer, args, kwargs, _FAKE)
    return await _original(_SIGNER, "get_auth_instance")(signer, signing_name, region_name, *args, **kwargs)


async def _acquire(bucket: Any, amount: float, block: bool) -> bool:
    """``AsyncTokenBucket._acquire`` that records its wait instead of waiting."""
    granted = grant(bucket, amount, block)
    if granted is None:
        return bool(await _original(_BUCKET, "_acquire")(bucket, amount, block))
    return granted


def _resolver_factory(original: Any) -> Any:
    from aiobotocore.credentials import AioCredentialResolver
    from botocore.credentials import CredentialProvider

    class _FakeKeys(CredentialProvider):  # type: ignore[misc]  # botocore is untyped
        METHOD = CANONICAL_NAME = "sm-mock"

        async def load(self) -> Any:
            return _FAKE

    def create_credential_resolver(session: Any, cache: Any = None, region_name: Any = None) -> Any:
        # botocore's providers stay behind sm_mock's (code may look one up by name), but the
        # chain stops at the first that yields credentials: always sm_mock's.
        try:
            real = list(original(session, cache=cache, region_name=region_name).providers)
        except Exception:  # a broken profile or config file: only sm_mock's keys
            real = []
        return AioCredentialResolver(providers=[_FakeKeys(), *real])

    return create_credential_resolver


# ---- activation ---------------------------------------------------------------------------------
_ENDPOINT: Any = None
_ENDPOINT_MODULE: Any = None
_SIGNER: Any = None
_BUCKET: Any = None


def _patch(owner: Any, name: str, value: Any) -> None:
    _saved[(owner, name)] = getattr(owner, name)
    _current[(owner, name)] = value
    setattr(owner, name, value)


def _targets() -> list[tuple[Any, str, Any]]:
    global _ENDPOINT, _ENDPOINT_MODULE, _SIGNER, _BUCKET, _FAKE
    from .credentials import FAKE_CREDENTIALS

    # import_module, not `import a.b`: this may run while aiobotocore.session is being imported
    # (the watcher below), before the package has it as an attribute.
    module = importlib.import_module
    credentials, session = module("aiobotocore.credentials"), module("aiobotocore.session")
    _ENDPOINT_MODULE = module("aiobotocore.endpoint")
    _ENDPOINT = _ENDPOINT_MODULE.AioEndpoint
    _SIGNER = module("aiobotocore.signers").AioRequestSigner
    _BUCKET = module("aiobotocore.retries.bucket").AsyncTokenBucket
    if _FAKE is None:
        _FAKE = credentials.AioCredentials(
            FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"], FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"], method="sm-mock"
        )
    resolver = _resolver_factory(credentials.create_credential_resolver)
    return [
        (_ENDPOINT, "_do_get_response", _do_get_response),
        (_ENDPOINT, "_send", _send),
        (_ENDPOINT_MODULE, "first_non_none_response", _first_answer),
        (_ENDPOINT_MODULE, "asyncio", _EndpointAsyncio(_ENDPOINT_MODULE.asyncio)),
        (_SIGNER, "get_auth_instance", _get_auth_instance),
        (_BUCKET, "_acquire", _acquire),
        (session, "create_credential_resolver", resolver),
        (credentials, "create_credential_resolver", resolver),
    ]


#: The module whose import means aiobotocore is in use (every client comes from its sessions).
_TRIGGER = "aiobotocore.session"


def activate() -> None:
    """Patch aiobotocore (reference-counted; called when a mock starts). Where it is installed
    but not imported yet, it is patched when it is imported while a mock is active: a process
    that never uses it does not pay for importing it (aiohttp included)."""
    global _depth
    with _lock:
        _depth += 1
        if _depth > 1 or not available():
            return
        if _TRIGGER in sys.modules:
            _install()
        else:
            _watch(True)


def _install() -> None:
    for owner, name, value in _targets():
        _patch(owner, name, value)


def deactivate() -> None:
    """Undo :func:`activate` once the last active mock stops."""
    global _depth
    with _lock:
        if _depth == 0:
            return
        _depth -= 1
        if _depth > 0:
            return
        _watch(False)
        for (owner, name), original in _saved.items():
            if getattr(owner, name) is _patched(owner, name):  # leave a later patch alone
                setattr(owner, name, original)
        _saved.clear()
        _current.clear()


class _Watcher(importlib.abc.MetaPathFinder):
    """Finds aiobotocore's session module with the other finders, and patches aiobotocore
    once that module has run (while a mock is active)."""

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name != _TRIGGER:
            return None
        for finder in sys.meta_path:
            if finder is not self and hasattr(finder, "find_spec"):
                spec = finder.find_spec(name, path, target)
                if spec is not None and spec.loader is not None:
                    spec.loader = _Loader(spec.loader)
                    return spec
        return None


class _Loader(importlib.abc.Loader):
    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def create_module(self, spec: Any) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self._loader.exec_module(module)
        with _lock:
            _watch(False)
            if _depth > 0 and not _saved:
                _install()


_WATCHER = _Watcher()


def _watch(on: bool) -> None:
    if on and _WATCHER not in sys.meta_path:
        sys.meta_path.insert(0, _WATCHER)
    elif not on and _WATCHER in sys.meta_path:
        sys.meta_path.remove(_WATCHER)


#: (owner, attribute) -> sm_mock's value while patched.
_current: dict[tuple[Any, str], Any] = {}


def _patched(owner: Any, name: str) -> Any:
    return _current.get((owner, name))


def is_installed() -> bool:
    """True while aiobotocore is patched."""
    return bool(_saved)
