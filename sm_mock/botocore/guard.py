"""Containment: while a mock is active, nothing leaves the process unless the user let it out.

The hook answers Secrets Manager requests at ``before-send``, on the sessions it is registered
on. This module guards the one place every botocore request passes on its way to the network,
whichever session or client made it (one created before ``import sm_mock`` too), and whatever
its ``endpoint_url``:

* ``Endpoint._send``, reached only when no ``before-send`` handler answered (not sm_mock's,
  not moto's, not a user's): a Secrets Manager request is served by the active mock; a request
  for a service in ``allow_services`` goes out as botocore made it; anything else is stopped
  with :class:`~sm_mock.errors.BlockedServiceError`, which says how to let it through.
* ``first_non_none_response`` in ``botocore.endpoint``: every ``before-send`` handler runs, and
  the first answer wins. While a mock is active, sm_mock's answer to a Secrets Manager request
  wins over another mock's (moto's ``mock_aws`` answers every service it knows).
* ``RequestSigner.get_auth_instance``: a request sm_mock serves or stops is signed with sm_mock's
  fake keys, even by a session that cached the user's real credentials before the mock started,
  or by a client made before it where there were no credentials at all.
  Credentials passed to a client explicitly are the test's own and are kept (they choose the
  account, :meth:`~sm_mock.mock.SecretsManagerMock.map_access_key`).

It also tells the retry interception (:mod:`.retries`) who answered the request being retried:
back-off is recorded instead of slept only for requests sm_mock answered.

Patching is reference-counted like :mod:`.retries`: the first activation installs, the last
deactivation restores botocore exactly as it was.
"""

from __future__ import annotations

import threading
from typing import Any

from .. import session as sessions
from ..errors import BlockedServiceError
from ..session import Session
from . import inflight
from .credentials import FAKE_CREDENTIALS
from .hook import SERVICE, answer_request, before_send

__all__ = ["activate", "deactivate", "is_installed", "own_answer", "signing_arguments", "unanswered"]

_lock = threading.Lock()
_depth = 0
_saved: dict[str, Any] = {}


def _let_through(session: Session, service: str) -> bool:
    return service != SERVICE and service in session.allow_services


def _do_get_response(endpoint: Any, request: Any, operation_model: Any, context: Any) -> Any:
    """``Endpoint._do_get_response``, knowing which operation it sends."""
    token = inflight.start(operation_model.service_model.service_id.hyphenize(), operation_model.name)
    try:
        return _saved["do_get_response"](endpoint, request, operation_model, context)
    finally:
        inflight.reset(token)


def own_answer(responses: list[tuple[Any, Any]]) -> Any:
    """sm_mock's answer among a ``before-send`` event's responses, or None."""
    for handler, response in responses:
        if handler is before_send and response is not None:
            return response
    return None


def _first_answer(responses: list[tuple[Any, Any]]) -> Any:
    """``first_non_none_response``, but sm_mock's answer first: it is the mock of Secrets
    Manager while it is active, whatever other mock answers too."""
    answer = own_answer(responses)
    return answer if answer is not None else _saved["first_non_none_response"](responses)


def _send(endpoint: Any, request: Any) -> Any:
    """``Endpoint._send``: where a request nothing answered would leave the process."""
    session = sessions.active()
    current = inflight.current()
    if session is None or current is None:
        return _saved["send"](endpoint, request)
    answer = unanswered(session, current, request)
    return _saved["send"](endpoint, request) if answer is None else answer


def unanswered(session: Session, current: tuple[str, str], request: Any) -> Any:
    """What becomes of a request no ``before-send`` handler answered, ``current`` being its
    (service, operation): the mock's answer for Secrets Manager, None for a service in
    ``allow_services`` (it goes out), else :class:`BlockedServiceError`."""
    service, operation = current
    if service == SERVICE:
        # A session sm_mock is not registered on (made before `import sm_mock`), or a handler
        # list without it: the request is Secrets Manager's, so the mock answers it.
        return answer_request(session, operation, request)
    if _let_through(session, service):
        return None
    raise BlockedServiceError(
        f"sm_mock stopped a request to '{service}' ({operation}) that nothing mocks: it would have "
        f"gone to {request.url} while a Secrets Manager mock is active. Mock that service too "
        f"(moto's mock_aws, a Stubber, a before-send handler), or let it reach the network with "
        f"mock_secretsmanager(allow_services={{'{service}'}})."
    )


def _get_auth_instance(signer: Any, signing_name: str, region_name: str, *args: Any, **kwargs: Any) -> Any:
    """``RequestSigner.get_auth_instance`` that signs with sm_mock's fake keys what it serves or stops."""
    args = signing_arguments(signer, args, kwargs, _FAKE)
    return _saved["get_auth_instance"](signer, signing_name, region_name, *args, **kwargs)


def signing_arguments(signer: Any, args: tuple[Any, ...], kwargs: dict[str, Any], fake: Any) -> tuple[Any, ...]:
    """The positional arguments of ``get_auth_instance`` after its credentials are swapped for
    ``fake`` where sm_mock serves or stops the request (``kwargs`` is changed in place)."""
    session = sessions.active()
    if session is not None and not _let_through(session, signer._service_id.hyphenize()):
        credentials = kwargs.get("request_credentials") or (args[1] if len(args) > 1 else None)
        credentials = credentials or signer._credentials
        # Explicit credentials are the test's own; the credential chain's are the user's; a
        # client made before the mock where there were none (typical CI) gets the fake ones too.
        if credentials is None or getattr(credentials, "method", None) not in _OWN_CREDENTIALS:
            if len(args) > 1:
                args = (args[0], fake, *args[2:])
            else:
                kwargs["request_credentials"] = fake
    return args


def _fake_credentials() -> Any:
    from botocore.credentials import Credentials

    return Credentials(
        FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"], FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"], method="sm-mock"
    )


_FAKE: Any = None
#: Credential methods kept as they are: the test's own keys, and sm_mock's fake ones.
_OWN_CREDENTIALS = (None, "explicit", "sm-mock")


def activate() -> None:
    """Install the guard (reference-counted; called when a mock starts)."""
    global _depth, _FAKE
    with _lock:
        _depth += 1
        if _depth > 1:
            return
        import botocore.endpoint
        import botocore.signers

        if _FAKE is None:
            _FAKE = _fake_credentials()
        endpoint = botocore.endpoint.Endpoint
        _saved["do_get_response"] = endpoint._do_get_response
        _saved["send"] = endpoint._send
        _saved["first_non_none_response"] = botocore.endpoint.first_non_none_response
        _saved["get_auth_instance"] = botocore.signers.RequestSigner.get_auth_instance
        endpoint._do_get_response = _do_get_response
        endpoint._send = _send
        botocore.endpoint.first_non_none_response = _first_answer
        botocore.signers.RequestSigner.get_auth_instance = _get_auth_instance


def deactivate() -> None:
    """Undo :func:`activate` once the last active mock stops."""
    global _depth
    with _lock:
        if _depth == 0:
            return
        _depth -= 1
        if _depth > 0:
            return
        import botocore.endpoint
        import botocore.signers

        endpoint = botocore.endpoint.Endpoint
        # Leave a later patch by someone else alone.
        if endpoint.__dict__.get("_do_get_response") is _do_get_response:
            endpoint._do_get_response = _saved["do_get_response"]
        if endpoint.__dict__.get("_send") is _send:
            endpoint._send = _saved["send"]
        if botocore.endpoint.first_non_none_response is _first_answer:
            botocore.endpoint.first_non_none_response = _saved["first_non_none_response"]
        if botocore.signers.RequestSigner.__dict__.get("get_auth_instance") is _get_auth_instance:
            botocore.signers.RequestSigner.get_auth_instance = _saved["get_auth_instance"]
        _saved.clear()


def is_installed() -> bool:
    """True while the guard is in place."""
    return _depth > 0
