"""Serving one request: the path from wire bytes to wire bytes, independent of botocore.

``decode → validate → admission (faults, quotas) → operation → encode → call log``
(docs/design.md "Request flow"). A Python exception inside an operation is a bug; it is answered
as ``InternalServiceError`` (HTTP 500) with advice, never allowed to escape into botocore,
which would mistake it for a network failure.
"""

from __future__ import annotations

import logging
import traceback
from typing import TYPE_CHECKING, Any

from . import operations
from .admission import TransportFailure
from .calls import CallRecord, redact
from .clock import to_milliseconds
from .errors import AwsError
from .operations.base import OPERATIONS, RequestContext
from .operations.replication import not_supported
from .protocol import check_operation, decode_request, encode_error, encode_result, validator_for

if TYPE_CHECKING:
    from .session import Session

__all__ = ["Answer", "answer", "serve", "serve_params"]

logger = logging.getLogger("sm_mock")

operations.load_all()

#: (HTTP status, JSON body bytes)
Answer = tuple[int, bytes]


def serve_params(
    session: Session,
    operation: str,
    raw: dict[str, Any],
    region: str,
    account_id: str,
    attempt: int = 1,
) -> dict[str, Any]:
    """Serve already-decoded wire params; returns the result dict or raises AwsError
    (or :class:`~sm_session.admission.TransportFailure` for an injected network failure).

    Records the attempt in ``session.calls`` either way.
    """
    now = session.clock.now()
    # Scheduled rotations whose window has opened run the next time the mock is touched
    # (docs/design.md principle 5, SPEC H7): before this request, so it sees their result.
    # O(1) when nothing is due.
    session.rotations.scheduler.run_due(now)
    error: AwsError | None = None
    injected = throttled = False
    lost: TransportFailure | None = None  # an injected failure that loses the response
    try:
        handler = OPERATIONS.get(operation)
        if handler is None:
            raise not_supported(operation)
        params = validator_for(operation)(raw)
        fault = session.admit(operation, params, region, account_id, now)
        if fault is not None:
            injected, throttled = fault.injected, fault.throttled
            if not isinstance(fault.error, TransportFailure) or not fault.error.after_processing:
                raise fault.error
            # ReadTimeout / ConnectionClosed: the operation runs, then its answer is lost.
            lost = fault.error
        # What the request stamps on secrets is kept to the millisecond, as AWS keeps it.
        ctx = RequestContext(
            session.service,
            account_id,
            region,
            to_milliseconds(now),
            operation,
            session.password_rng,
        )
        result = handler(ctx, params)
        if lost is not None:
            raise lost
        return result
    except AwsError as exc:
        if lost is not None:  # the error answer is lost as well
            raise lost from None
        error = exc
        raise
    except TransportFailure as exc:  # propagates to the hook, which raises botocore's own
        lost = exc
        raise
    except Exception as exc:  # a bug in sm_mock: answer, never crash the client pipeline
        logger.error("sm_mock: internal error while serving %s: %s", operation, _bug_trace(exc))
        error = AwsError(
            "InternalServiceError",
            f"sm_mock failed internally while serving {operation} ({type(exc).__name__}). This is "
            "a bug in sm_mock: please report it with the call that triggered it.",
            status=500,
        )
        raise error from None
    finally:
        session.calls.append(
            CallRecord(
                operation,
                redact(raw),
                region,
                account_id,
                error.code if error is not None else (lost.kind if lost is not None else None),
                now,
                injected=injected,
                throttled=throttled,
                attempt=attempt,
            )
        )


def _bug_trace(exc: BaseException) -> str:
    """Where an internal error happened: its type and stack, without its message.

    An exception's message can quote the data it choked on (a ``UnicodeEncodeError`` quotes
    the character, a ``KeyError`` its key), and that data may be a secret value; the log must
    never hold one (docs/design.md principle 4).
    """
    return f"{type(exc).__name__} (message withheld)\n" + "".join(traceback.format_tb(exc.__traceback__))


def answer(
    session: Session,
    operation: str,
    body: bytes | str | None,
    region: str,
    account_id: str,
    attempt: int = 1,
) -> dict[str, Any] | AwsError:
    """Serve a JSON 1.1 request body: the result dict, or the AwsError to answer with.

    Shared by both transports: the HTTP path encodes the outcome (:func:`serve`), direct mode
    hands it to botocore already parsed (:mod:`sm_session.direct`). An injected network failure
    still raises :class:`~sm_session.admission.TransportFailure`.
    """
    try:
        if operation not in OPERATIONS:
            check_operation(operation)  # a target the service does not know (issue 18, item 15)
        raw = decode_request(body)
    except AwsError as error:
        session.calls.append(
            CallRecord(operation, {}, region, account_id, error.code, session.clock.now(), attempt=attempt)
        )
        return error
    try:
        return serve_params(session, operation, raw, region, account_id, attempt)
    except AwsError as error:
        return error


def serve(
    session: Session,
    operation: str,
    body: bytes | str | None,
    region: str,
    account_id: str,
    attempt: int = 1,
) -> Answer:
    """Serve a JSON 1.1 request body; returns (status, body)."""
    outcome = answer(session, operation, body, region, account_id, attempt)
    if isinstance(outcome, AwsError):
        return outcome.status, encode_error(outcome)
    return 200, encode_result(outcome)
