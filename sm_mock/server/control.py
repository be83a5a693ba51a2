"""The control API under ``/_sm_mock/``: JSON in, JSON out (README, "Server mode").

=========  ==================  ===================================================================
method     path                what it does
=========  ==================  ===================================================================
GET        health              ``{"status": "ok", "version", "region", "account_id"}``
POST       reset               empties all state (:meth:`~sm_mock.session.Session.reset`)
GET        calls               the call log, values redacted as in ``sm.calls``
GET/POST   time                reads / moves the server's clock: ``{"advance_seconds": N}`` or
                               ``{"to": "<ISO 8601>"}``
POST       faults              ``sm.faults.add(**body)``; DELETE clears the plan
POST       quotas              ``sm.quotas.set_rate(**body)``
=========  ==================  ===================================================================

Misuse is answered 4xx with ``{"__type", "Message"}`` saying what to send instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol, runtime_checkable

from ..calls import CallRecord
from ..clock import Clock
from ..errors import AwsError
from ..session import Session

__all__ = ["PREFIX", "Controls", "MovableClock", "handle"]

#: The path prefix of the control API.
PREFIX = "/_sm_mock/"

_FAULT_OPTIONS = frozenset(
    {"times", "probability", "secret", "secret_prefix", "after", "window", "message", "status", "region"}
)
_QUOTA_OPTIONS = frozenset({"api_or_group", "per_second", "burst"})


@runtime_checkable
class MovableClock(Protocol):
    """A clock the time endpoint can move (:class:`~sm_mock.clock.ManualClock`,
    :class:`~sm_mock.clock.OffsetClock`)."""

    def now(self) -> datetime: ...

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime: ...

    def set(self, when: datetime) -> None: ...


@dataclass(frozen=True, slots=True)
class Controls:
    """What the control API acts on: the served session (looked up per request) and its clock."""

    session: Callable[[], Session]
    clock: Clock
    version: str


def _invalid(message: str, status: int = 400) -> AwsError:
    return AwsError("ValidationException", message, status=status)


def _body(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise AwsError("SerializationException", "The control request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise AwsError("SerializationException", "The control request body must be a JSON object.")
    return data


def _moment(value: object, name: str) -> datetime:
    if not isinstance(value, str):
        raise _invalid(f'"{name}" must be an ISO 8601 string such as "2030-01-01T00:00:00Z".')
    text = value.strip()
    if text.endswith(("Z", "z")):  # Python 3.10's fromisoformat does not read the Z suffix
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _invalid(f'"{name}": {value!r} is not ISO 8601; send e.g. "2030-01-01T00:00:00Z".') from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def _record(record: CallRecord) -> dict[str, Any]:
    return {
        "operation": record.operation,
        "params": record.params,
        "region": record.region,
        "account_id": record.account_id,
        "error_code": record.error_code,
        "at": record.at.isoformat(),
        "injected": record.injected,
        "throttled": record.throttled,
        "attempt": record.attempt,
    }


def _health(controls: Controls, body: dict[str, Any]) -> dict[str, Any]:
    session = controls.session()
    return {"status": "ok", "version": controls.version, "region": session.region, "account_id": session.account_id}


def _reset(controls: Controls, body: dict[str, Any]) -> dict[str, Any]:
    controls.session().reset()
    return {"status": "reset"}


def _calls(controls: Controls, body: dict[str, Any]) -> dict[str, Any]:
    return {"calls": [_record(record) for record in controls.session().calls]}


def _now(controls: Controls, body: dict[str, Any]) -> dict[str, Any]:
    return {"now": controls.clock.now().isoformat()}


def _move_time(controls: Controls, body: dict[str, Any]) -> dict[str, Any]:
    clock = controls.clock
    if not isinstance(clock, MovableClock):
        raise _invalid(
            f"This server's clock ({clock!r}) is the test's and cannot be moved over HTTP: create the "
            "mock with clock=sm_mock.ManualClock(...) (or move time in the test, e.g. with time-machine).",
            status=409,
        )
    if set(body) == {"advance_seconds"}:
        seconds = body["advance_seconds"]
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
            raise _invalid('"advance_seconds" must be a number of seconds, 0 or more (time only moves forward).')
        clock.advance(timedelta(seconds=seconds))
    elif set(body) == {"to"}:
        clock.set(_moment(body["to"], "to"))
    else:
        raise _invalid('Send {"advance_seconds": N} or {"to": "<ISO 8601>"} (exactly one of them).')
    return _now(controls, body)


def _add_fault(controls: Controls, body: dict[str, Any]) -> dict[str, Any]:
    unknown = set(body) - _FAULT_OPTIONS - {"operation", "error"}
    if unknown or "operation" not in body or "error" not in body:
        raise _invalid(
            'Send {"operation": "GetSecretValue" (or a list, or "*"), "error": "<code>"} with any of '
            f"{sorted(_FAULT_OPTIONS)}, as sm.faults.add takes them"
            + (f"; unknown: {sorted(unknown)}." if unknown else ".")
        )
    options = {k: v for k, v in body.items() if k in _FAULT_OPTIONS}
    window = options.get("window")
    if window is not None:
        if not isinstance(window, list) or len(window) != 2:
            raise _invalid('"window" is [start, end]: two ISO 8601 strings or null.')
        options["window"] = tuple(None if end is None else _moment(end, "window") for end in window)
    try:
        fault = controls.session().faults.add(body["operation"], body["error"], **options)
    except (ValueError, TypeError) as error:
        raise _invalid(f"sm.faults.add refused the fault: {error}") from None
    return {"fault": repr(fault)}


def _clear_faults(controls: Controls, body: dict[str, Any]) -> dict[str, Any]:
    controls.session().faults.clear()
    return {"status": "cleared"}


def _set_rate(controls: Controls, body: dict[str, Any]) -> dict[str, Any]:
    unknown = set(body) - _QUOTA_OPTIONS
    if unknown or "api_or_group" not in body or "per_second" not in body:
        raise _invalid(
            'Send {"api_or_group": "GetSecretValue", "per_second": N} (and optionally "burst"), as '
            "sm.quotas.set_rate takes them" + (f"; unknown: {sorted(unknown)}." if unknown else ".")
        )
    try:
        controls.session().quotas.set_rate(body["api_or_group"], body["per_second"], burst=body.get("burst"))
    except (ValueError, TypeError, KeyError) as error:
        raise _invalid(f"sm.quotas.set_rate refused the quota: {error}") from None
    return {"status": "set"}


_ROUTES: dict[tuple[str, str], Callable[[Controls, dict[str, Any]], dict[str, Any]]] = {
    ("GET", "health"): _health,
    ("POST", "reset"): _reset,
    ("GET", "calls"): _calls,
    ("GET", "time"): _now,
    ("POST", "time"): _move_time,
    ("POST", "faults"): _add_fault,
    ("DELETE", "faults"): _clear_faults,
    ("POST", "quotas"): _set_rate,
}


def handle(controls: Controls, method: str, path: str, raw: bytes) -> tuple[int, dict[str, Any]]:
    """Answer one control request: (status, JSON-ready body)."""
    name = path[len(PREFIX) :].split("?", 1)[0].strip("/")
    route = _ROUTES.get((method, name))
    try:
        if route is None:
            methods = sorted(m for m, n in _ROUTES if n == name)
            if methods:
                raise _invalid(f"/_sm_mock/{name} takes {' or '.join(methods)}, not {method}.", status=405)
            endpoints = sorted({f"{m} {PREFIX}{n}" for m, n in _ROUTES})
            raise AwsError(
                "UnknownOperationException",
                f"No control endpoint {method} {path}; the control API has: {', '.join(endpoints)}.",
                status=404,
            )
        return 200, route(controls, _body(raw))
    except AwsError as error:
        return error.status, {"__type": error.code, "Message": error.message}
