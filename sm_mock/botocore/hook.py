"""The HTTP transport: a ``before-send`` handler that answers Secrets Manager requests.

The handler is added to
``botocore.handlers.BUILTIN_HANDLERS`` so every session created after ``import sm_mock``
carries it, and to boto3's default session if one already exists; :func:`attach` adds it
to a client built earlier. It is dormant (one list check) unless a mock is active.
"""

from __future__ import annotations

from typing import Any

from botocore.awsrequest import AWSResponse

from .. import session as sessions
from ..admission import TransportFailure
from ..pipeline import serve
from ..protocol import operation_from_target
from ..protocol.headers import attempt_of, credential_scope
from ..session import Session
from . import inflight
from .direct import DIRECT_EVENT, DIRECT_UNIQUE_ID, before_call
from .responses import aio_response, http_response, transport_error

__all__ = ["SERVICE", "answer_request", "attach", "before_send", "install"]

_EVENT = "before-send"
_UNIQUE_ID = "sm_mock.before_send"
_PREFIX = len("before-send.")
#: The botocore service id (hyphenized) of Secrets Manager.
SERVICE = "secrets-manager"
_installed = False


def _region_and_key(request: Any) -> tuple[str | None, str | None]:
    """Region and access key id from the SigV4 credential scope (or the endpoint host)."""
    region, key = credential_scope(request.headers.get("Authorization"))
    if region is not None or key is not None:
        return region, key
    host = request.url.split("/", 3)[2] if "://" in request.url else ""
    parts = host.split(".")
    if len(parts) >= 3 and parts[0].startswith("secretsmanager"):
        return parts[1], None
    return None, None


def before_send(request: Any, event_name: str = "", **kwargs: Any) -> Any:
    """botocore ``before-send`` handler: answer Secrets Manager requests from the active mock.

    Requests for other services are left alone here: another mock may answer them (moto's
    handler, a user's own), and one that nothing answers is stopped where botocore would send
    it (:mod:`.guard`).
    """
    session = sessions.active()
    if session is None:
        return None
    service, _, operation = event_name[_PREFIX:].partition(".")
    if service != SERVICE:
        return None
    return answer_request(session, operation, request)


def answer_request(session: Session, operation: str, request: Any) -> AWSResponse:
    """The mock's HTTP answer to a signed Secrets Manager request (or botocore's own exception
    for an injected network failure). The operation served is the one the request's
    ``X-Amz-Target`` names; ``operation`` (botocore's event) is only what the client meant."""
    inflight.mark_answered()
    region, access_key = _region_and_key(request)
    # The service routes by X-Amz-Target, not by what botocore's event says (issue 18, item 15).
    target = operation_from_target(request.headers.get("X-Amz-Target"))
    try:
        status, body = serve(
            session,
            target,
            request.body,
            region or session.region,
            session.account_for(access_key),
            attempt_of(request.headers.get("amz-sdk-request")),
        )
    except TransportFailure as failure:
        # An injected network failure: raise what botocore's HTTP layer would, so its retry
        # handlers (legacy and standard) treat it as a real transport error.
        if inflight.asynchronous():
            inflight.note_last(session.calls.last_in_thread())
        raise transport_error(failure.kind, request.url) from None
    if inflight.asynchronous():
        # The record is this task's: serve() ran without yielding to another task.
        inflight.note_last(session.calls.last_in_thread())
        return aio_response(request.url, status, body)
    return http_response(request.url, status, body)


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
    """Register both handlers on ``events`` exactly once.

    A session made after :func:`install` already carries them as builtin handlers, which
    botocore registers without a ``unique_id``; they are taken off first, so each request is
    answered once however often this runs (registering a ``unique_id`` again is a no-op).
    """
    for event, handler, unique_id in ((_EVENT, before_send, _UNIQUE_ID), (DIRECT_EVENT, before_call, DIRECT_UNIQUE_ID)):
        events.unregister(event, handler)
        events.register_last(event, handler, unique_id=unique_id)


def attach(client: Any) -> Any:
    """Serve a client created before ``import sm_mock`` (returns the client)."""
    _register(client.meta.events)
    return client
