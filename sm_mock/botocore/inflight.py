"""What the requesting thread (or task) is sending right now, for the hook, the guard and the
retry interception to agree on: the request's service and operation, and whether sm_mock
answered the last attempt (its back-off is then the mock's to record, not to sleep)."""

from __future__ import annotations

import contextvars

__all__ = [
    "answered",
    "asynchronous",
    "current",
    "last_record",
    "mark_answered",
    "note_last",
    "reset",
    "service",
    "start",
]

#: (service, operation, asynchronous) of the attempt in flight.
_request: contextvars.ContextVar[tuple[str, str, bool] | None] = contextvars.ContextVar("sm_mock_request", default=None)
_answered: contextvars.ContextVar[bool] = contextvars.ContextVar("sm_mock_answered", default=False)
#: The call record of the last attempt sm_mock answered in this task (async clients: tasks on
#: one thread interleave, so the thread's last record may be another task's).
_last: contextvars.ContextVar[object] = contextvars.ContextVar("sm_mock_last", default=None)


def start(service: str, operation: str, asynchronous: bool = False) -> contextvars.Token[tuple[str, str, bool] | None]:
    """A new attempt of ``service``'s ``operation`` is being sent (by an aiobotocore endpoint
    when ``asynchronous``: its answer must be awaitable); pass the token to :func:`reset`."""
    _answered.set(False)
    return _request.set((service, operation, asynchronous))


def reset(token: contextvars.Token[tuple[str, str, bool] | None]) -> None:
    """The attempt was sent (or failed)."""
    _request.reset(token)


def current() -> tuple[str, str] | None:
    """(service id, operation) of the attempt in flight, or None."""
    request = _request.get()
    return request[:2] if request is not None else None


def service() -> str | None:
    """The service id of the attempt in flight, or None."""
    request = _request.get()
    return request[0] if request is not None else None


def mark_answered() -> None:
    """sm_mock answered the attempt in flight (with an answer or an injected failure)."""
    _answered.set(True)


def answered() -> bool:
    """True when sm_mock answered the last attempt sent from here."""
    return _answered.get()


def asynchronous() -> bool:
    """True when the attempt in flight comes from an aiobotocore client. (A rotation function's
    boto3 call made while the mock answers an async client's is an attempt of its own.)"""
    request = _request.get()
    return request is not None and request[2]


def note_last(record: object) -> None:
    """Keep the call record sm_mock just answered this task's attempt with."""
    _last.set(record)


def last_record() -> object:
    """The call record of the last attempt sm_mock answered in this task (or None)."""
    return _last.get()
