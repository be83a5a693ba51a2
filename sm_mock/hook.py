"""The botocore side: a ``before-send`` handler that answers Secrets Manager requests.

This is the only module that touches botocore internals (DESIGN.md). The handler is added to
``botocore.handlers.BUILTIN_HANDLERS`` so every session created after ``import sm_mock``
carries it, and to boto3's default session if one already exists; :func:`attach` adds it
to a client built earlier. It is dormant (one list check) unless a mock is active.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from typing import Any

from botocore.awsrequest import AWSResponse

from .admission import TransportFailure
from .errors import BlockedServiceError
from .mock import active
from .service import serve

__all__ = ["attach", "install", "new_request_id", "transport_error"]

_EVENT = "before-send"
_UNIQUE_ID = "sm_mock.before_send"
_PREFIX = len("before-send.")
_SERVICE = "secrets-manager"
_installed = False


class _Body:
    """The ``raw`` stream of an AWSResponse: yields the body once."""

    __slots__ = ("_body",)

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        yield self._body


#: Request ids are shaped like AWS's (a version-4 UUID): a random prefix drawn once per process
#: and a counter in the last group. ``str(uuid.uuid4())`` per request cost about 2.5 µs, a
#: sizeable part of sm_mock's own work on a point call (profiled); ids only need to be unique.
_REQUEST_ID_PREFIX = str(uuid.uuid4())[:24]
_request_numbers = itertools.count(1)


def new_request_id() -> str:
    """A fresh ``x-amzn-RequestId``: unique in the process, UUID-shaped, as AWS sends."""
    return f"{_REQUEST_ID_PREFIX}{next(_request_numbers):012x}"


def _region_and_key(request: Any) -> tuple[str | None, str | None]:
    """Region and access key id from the SigV4 credential scope (or the endpoint host)."""
    auth = request.headers.get("Authorization")
    if auth:
        if isinstance(auth, bytes):
            auth = auth.decode("latin-1")
        start = auth.find("Credential=")
        if start != -1:
            scope = auth[start + 11 :].split(",", 1)[0].split("/")
            if len(scope) >= 3:
                return scope[2], scope[0]
    host = request.url.split("/", 3)[2] if "://" in request.url else ""
    parts = host.split(".")
    if len(parts) >= 3 and parts[0].startswith("secretsmanager"):
        return parts[1], None
    return None, None


def _attempt(request: Any) -> int:
    header = request.headers.get("amz-sdk-request")
    if header:
        if isinstance(header, bytes):
            header = header.decode("latin-1")
        for part in header.split(";"):
            name, _, value = part.strip().partition("=")
            if name == "attempt" and value.isdigit():
                return int(value)
    return 1


def transport_error(kind: str, url: str) -> Exception:
    """botocore's own exception for an injected network failure of ``kind`` (admission)."""
    from botocore import exceptions

    errors: dict[str, Any] = {
        "ConnectionError": exceptions.EndpointConnectionError,
        "ConnectTimeout": exceptions.ConnectTimeoutError,
        "ReadTimeout": exceptions.ReadTimeoutError,
        "ConnectionClosed": exceptions.ConnectionClosedError,
    }
    error: Exception = errors[kind](endpoint_url=url)
    return error


def before_send(request: Any, event_name: str = "", **kwargs: Any) -> Any:
    """botocore ``before-send`` handler: answer from the active mock, or stay out of the way."""
    mock = active()
    if mock is None:
        return None
    # A session can carry the handler twice (builtin + attach/default-session registration);
    # botocore calls every handler, so answer each request exactly once.
    if getattr(request, "_sm_mock_seen", False):
        return None
    request._sm_mock_seen = True
    service, _, operation = event_name[_PREFIX:].partition(".")
    if service != _SERVICE:
        if service in mock.allow_services:
            return None
        raise BlockedServiceError(
            f"sm_mock blocked a real AWS request to '{service}' ({operation}) while a Secrets "
            f"Manager mock is active. Mock that service too, or let it through with "
            f"mock_secretsmanager(allow_services={{'{service}'}})."
        )
    region, access_key = _region_and_key(request)
    try:
        status, body = serve(
            mock,
            operation,
            request.body,
            region or mock.region,
            mock.account_for(access_key),
            _attempt(request),
        )
    except TransportFailure as failure:
        # An injected network failure: raise what botocore's HTTP layer would, so its retry
        # handlers (legacy and standard) treat it as a real transport error.
        raise transport_error(failure.kind, request.url) from None
    headers = {
        "x-amzn-RequestId": new_request_id(),
        "Content-Type": "application/x-amz-json-1.1",
        "Content-Length": str(len(body)),
    }
    return AWSResponse(request.url, status, headers, _Body(body))


def install() -> None:
    """Register the handlers for future sessions and a pre-existing boto3 default session (idempotent)."""
    global _installed
    if not _installed:
        import botocore.handlers

        # Registered last: other before-send handlers run first, notably adaptive retry
        # mode's client-side rate limiter, which must wait *before* the request is served.
        botocore.handlers.BUILTIN_HANDLERS.append((_EVENT, before_send, botocore.handlers.REGISTER_LAST))
        # Direct mode's handler, last as well: a botocore Stubber activated on a client
        # answers before it, as it would before the HTTP path's before-send.
        from .direct import DIRECT_EVENT, before_call

        botocore.handlers.BUILTIN_HANDLERS.append((DIRECT_EVENT, before_call, botocore.handlers.REGISTER_LAST))
        _installed = True
        # Only a default session that predates this first install lacks the builtin handlers;
        # registering on a later one would make botocore call the hook twice per request.
        import sys

        boto3 = sys.modules.get("boto3")
        session = getattr(boto3, "DEFAULT_SESSION", None) if boto3 is not None else None
        if session is not None:
            _register(session.events)


def _register(events: Any) -> None:
    from .direct import DIRECT_EVENT, DIRECT_UNIQUE_ID, before_call

    events.register_last(_EVENT, before_send, unique_id=_UNIQUE_ID)
    events.register_last(DIRECT_EVENT, before_call, unique_id=DIRECT_UNIQUE_ID)


def attach(client: Any) -> Any:
    """Serve a client created before ``import sm_mock`` (returns the client)."""
    _register(client.meta.events)
    return client
