"""What the requesting thread (or task) is sending right now, for the hook, the guard and the
retry interception to agree on: the request's service and operation, and whether sm_mock
answered the last attempt (its back-off is then the mock's to record, not to sleep)."""

from __future__ import annotations

import contextvars

__all__ = ["answered", "current", "mark_answered", "reset", "service", "start"]

_request: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar("sm_mock_request", default=None)
_answered: contextvars.ContextVar[bool] = contextvars.ContextVar("sm_mock_answered", default=False)


def start(service: str, operation: str) -> contextvars.Token[tuple[str, str] | None]:
    """A new attempt of ``service``'s ``operation`` is being sent; pass the token to :func:`reset`."""
    _answered.set(False)
    return _request.set((service, operation))


def reset(token: contextvars.Token[tuple[str, str] | None]) -> None:
    """The attempt was sent (or failed)."""
    _request.reset(token)


def current() -> tuple[str, str] | None:
    """(service id, operation) of the attempt in flight, or None."""
    return _request.get()


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
