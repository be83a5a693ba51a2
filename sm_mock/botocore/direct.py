"""Direct mode: answer at botocore's ``before-call`` stage with already-parsed responses.

``mock_secretsmanager(transport="direct")`` trades the HTTP round trip for speed. botocore
still runs the front half of its pipeline: client-side parameter validation, the
idempotency-token fill-in (``ClientRequestToken``), JSON serialization, endpoint resolution,
and the ``before-parameter-build`` / ``before-call`` / ``after-call`` events. Then
:func:`before_call` answers, and botocore skips signing, the HTTP layer and response parsing.

What the mock serves is the same in both transports: the handler decodes the request body
botocore serialized (so blobs, validation and the call log see exactly the bytes the HTTP
path would), runs :func:`sm_mock.pipeline.answer`, and converts the result the way botocore's
JSON parser would convert the HTTP answer: only the output shape's members, in model order,
timestamps through botocore's own timestamp parser (tz-aware ``tzlocal`` datetimes), blobs
as ``bytes``, and ``ResponseMetadata`` with ``RequestId``, ``HTTPStatusCode``,
``HTTPHeaders`` and ``RetryAttempts``. Errors come back as ``{"Error": {"Message", "Code"},
"ResponseMetadata": ...}`` plus the modelled error members (the top-level ``"Message"`` of
SM-132), from which botocore raises the same ``ClientError`` subclass as on the HTTP path.

Differences, by design:

* **botocore's retries are not exercised.** Retry handlers run around the HTTP send, which
  direct mode skips: a ``ThrottlingException``, an ``InternalServiceError`` or an injected
  network failure reaches the caller on the first attempt (``RetryAttempts`` is always 0,
  ``sm.calls`` holds one attempt, ``sm.sleeps`` stays empty). Use the default HTTP
  transport to test retry behaviour.
* ``HTTPHeaders`` carry ``x-amzn-requestid`` and ``content-type`` but no ``content-length``:
  no body is serialized unless an ``after-call`` handler reads ``http_response.content``,
  which then holds the JSON the HTTP path would have sent.
* Handlers of later pipeline events (``before-sign``, ``before-send``, ``needs-retry``,
  ``before-parse``, ``response-received``) do not run. A request botocore could not sign
  (no credentials, or an ``UNSIGNED`` client) is left to the HTTP path, so botocore raises
  or behaves exactly as it would there.
* Responses go through botocore's *default* timestamp parser, even on a session whose
  ``response_parser_factory`` was given another one.

Only :mod:`sm_mock.botocore` touches botocore (docs/design.md).
"""

from __future__ import annotations

import datetime as _datetime
import inspect
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import botocore
from botocore.awsrequest import AWSResponse, HeadersDict
from botocore.parsers import DEFAULT_TIMESTAMP_PARSER

from .. import session as sessions
from ..admission import TransportFailure
from ..errors import AwsError
from ..pipeline import answer
from ..protocol import encode_error, encode_result, epoch_seconds
from .responses import CONTENT_TYPE, new_request_id, transport_error

if TYPE_CHECKING:
    from ..session import Session

__all__ = ["DIRECT_EVENT", "DIRECT_UNIQUE_ID", "before_call", "parsed_error", "parsed_result"]

#: Only Secrets Manager calls reach the handler (botocore matches event prefixes).
DIRECT_EVENT = "before-call.secrets-manager"
DIRECT_UNIQUE_ID = "sm_mock.before_call"

#: Converts one wire value of a shape into what botocore's JSON parser would return for it;
#: None stands for "unchanged" (strings, numbers, booleans survive a JSON round trip as is).
Convert = Callable[[Any], Any] | None


# ---- botocore's parse, without the bytes ------------------------------------------------------
#: botocore builds a fresh ``tzlocal()`` datetime per timestamp, about 15 µs each: most of a
#: ListSecrets page in direct mode. The parse is a pure function of the number, of the
#: ``datetime`` class in effect (freezegun swaps it, and botocore's result then has its type)
#: and of the process's time zone, so a memo keyed on all three returns an equal object of the
#: same type. Datetimes are immutable, so sharing one between answers is safe.
_TIMESTAMPS: dict[tuple[float, tuple[object, ...]], Any] = {}
_TIMESTAMPS_MAX = 16384
#: The datetime class and time zone for the answer being converted (see :func:`_convert`).
_zone: tuple[object, ...] = ()


def _timestamp(value: Any) -> Any:
    if isinstance(value, _datetime.datetime) and value.tzinfo is not None:
        seconds = value.timestamp()  # what protocol.epoch_seconds gives, inline
    elif isinstance(value, _datetime.date):
        seconds = epoch_seconds(value)
    else:
        seconds = value
    key = (seconds, _zone)
    parsed = _TIMESTAMPS.get(key)
    if parsed is None:
        if len(_TIMESTAMPS) >= _TIMESTAMPS_MAX:
            _TIMESTAMPS.clear()
        parsed = _TIMESTAMPS[key] = DEFAULT_TIMESTAMP_PARSER(seconds)
    return parsed


def _convert(convert: Callable[[Any], dict[str, Any]], value: Any) -> dict[str, Any]:
    """Run a compiled converter on one answer, with the time zone read once for all of it."""
    global _zone
    _zone = (_datetime.datetime, time.timezone, time.altzone, time.daylight, time.tzname)
    return convert(value)


def _compile(shape: Any) -> Convert:
    """The converter for ``shape`` (botocore's ``BaseJSONParser`` handlers, one per type)."""
    kind = shape.type_name
    if kind == "structure":
        # wire name → (position in the model, member name, converter). botocore walks the
        # model's members and keeps those present; walking the answer's few keys instead and
        # restoring model order is the same result at a fraction of the lookups (a
        # SecretListEntry models 18 members and an entry carries about 6).
        members = {
            member.serialization.get("name", name): (position, name, _compile(member))
            for position, (name, member) in enumerate(shape.members.items())
        }

        def structure(value: Any) -> Any:
            found = []
            for wire, raw in value.items():
                spec = members.get(wire)
                if spec is not None and raw is not None:  # JSON null and unmodelled keys: left out
                    convert = spec[2]
                    found.append((spec[0], spec[1], raw if convert is None else convert(raw)))
            found.sort()  # positions are unique: only they are ever compared
            return {name: converted for _, name, converted in found}

        return structure
    if kind == "list":
        item = _compile(shape.member)
        if item is None:
            return list  # a new list: the response never shares the model's objects
        convert_item = item
        return lambda value: [convert_item(v) for v in value]
    if kind == "map":
        convert_value = _compile(shape.value)
        if convert_value is None:
            return dict
        map_value = convert_value
        return lambda value: {k: map_value(v) for k, v in value.items()}
    if kind == "timestamp":
        return _timestamp
    if kind == "blob":
        return bytes  # base64 on the wire, bytes again after botocore's parse
    return None


_OUTPUTS: dict[str, Callable[[Any], dict[str, Any]]] = {}
_ERRORS: dict[str, Callable[[Any], dict[str, Any]] | None] = {}


def _output_converter(model: Any) -> Callable[[Any], dict[str, Any]]:
    convert = _OUTPUTS.get(model.name)
    if convert is None:
        shape = model.output_shape
        compiled = _compile(shape) if shape is not None else None
        convert = compiled if compiled is not None else (lambda result: {})
        _OUTPUTS[model.name] = convert
    return convert


def _error_converter(model: Any, code: str) -> Callable[[Any], dict[str, Any]] | None:
    if code not in _ERRORS:
        shape = model.service_model.shape_for_error_code(code)
        _ERRORS[code] = _compile(shape) if shape is not None else None
    return _ERRORS[code]


def _metadata(request_id: str, status: int) -> dict[str, Any]:
    # The keys and order botocore gives: RequestId (parser), HTTPStatusCode and HTTPHeaders
    # (parser), RetryAttempts (endpoint; always 0 here, no retries happen).
    return {
        "RequestId": request_id,
        "HTTPStatusCode": status,
        "HTTPHeaders": {"x-amzn-requestid": request_id, "content-type": CONTENT_TYPE},
        "RetryAttempts": 0,
    }


def parsed_result(model: Any, result: dict[str, Any], request_id: str) -> dict[str, Any]:
    """What botocore's parser returns for the HTTP answer carrying ``result`` (status 200)."""
    parsed = _convert(_output_converter(model), result)
    parsed["ResponseMetadata"] = _metadata(request_id, 200)
    return parsed


def parsed_error(model: Any, error: AwsError, request_id: str) -> dict[str, Any]:
    """What botocore's parser returns for the HTTP error answer of ``error``.

    ``Error`` and ``ResponseMetadata`` first (``BaseJSONParser._do_error_parse``), then the
    modelled members of the error shape, when botocore models the code (SM-132).
    """
    parsed: dict[str, Any] = {
        "Error": {"Message": error.message, "Code": error.code},
        "ResponseMetadata": _metadata(request_id, error.status),
    }
    modelled = _error_converter(model, error.code)
    if modelled is not None:
        parsed.update(_convert(modelled, {"__type": error.code, "Message": error.message}))
    return parsed


class _DirectResponse(AWSResponse):  # type: ignore[misc]  # botocore is untyped
    """The ``http_response`` botocore hands to ``after-call`` handlers in direct mode.

    Nothing reads it on the way back unless a handler does, so the headers (a ``HeadersDict``,
    a few microseconds to build: a tenth of direct mode's own work on a point call,
    profiled) and the body are made on first access.
    """

    def __init__(self, url: str | None, status_code: int, request_id: str, outcome: dict[str, Any] | AwsError) -> None:
        self._request_id = request_id
        self._headers: Any = None
        super().__init__(url, status_code, {}, _LazyBody(outcome))
        self._headers = None  # AWSResponse.__init__ assigned an empty HeadersDict

    @property
    def headers(self) -> Any:
        if self._headers is None:
            self._headers = HeadersDict({"x-amzn-RequestId": self._request_id, "Content-Type": CONTENT_TYPE})
        return self._headers

    @headers.setter
    def headers(self, value: Any) -> None:
        self._headers = value


class _AsyncDirectResponse(_DirectResponse):
    """The same for an aiobotocore client, whose ``after-call`` handlers await ``content``."""

    @property
    def content(self) -> Any:
        body: bytes = super().content

        async def read() -> bytes:
            return body

        return read()


#: Signer class -> True when it signs asynchronously (an aiobotocore client's).
_ASYNC_SIGNERS: dict[type, bool] = {}


def _asynchronous(signer: Any) -> bool:
    kind = type(signer)
    known = _ASYNC_SIGNERS.get(kind)
    if known is None:
        known = _ASYNC_SIGNERS[kind] = inspect.iscoroutinefunction(getattr(kind, "sign", None))
    return known


class _LazyBody:
    """The ``raw`` stream of the AWSResponse: encodes the JSON body only if someone reads it."""

    __slots__ = ("_outcome",)

    def __init__(self, outcome: dict[str, Any] | AwsError) -> None:
        self._outcome = outcome

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        outcome = self._outcome
        yield encode_error(outcome) if isinstance(outcome, AwsError) else encode_result(outcome)


# ---- the handler ---------------------------------------------------------------------------
def _origin(session: Session, signer: Any, context: dict[str, Any]) -> tuple[str, str] | None:
    """(region, account) as the HTTP path reads them from the SigV4 signature, or None when
    botocore would not sign this request (then the HTTP path takes it, errors included)."""
    if signer is None:
        return None
    signing = context.get("signing") or {}
    credentials = signing.get("request_credentials") or getattr(signer, "_credentials", None)
    region = signing.get("region") or signer.region_name
    auth_type = context.get("auth_type") or signer.signature_version
    if credentials is None or region is None or auth_type is botocore.UNSIGNED:
        return None
    # ``access_key`` is what the signer's frozen copy would hold (refreshable credentials
    # refresh on this read, as they do when botocore signs).
    return region, session.account_for(credentials.access_key)


def before_call(
    model: Any, params: dict[str, Any], request_signer: Any = None, context: Any = None, **kwargs: Any
) -> tuple[AWSResponse, dict[str, Any]] | None:
    """botocore ``before-call`` handler: answer Secrets Manager calls of a direct-mode mock.

    Returns ``(http_response, parsed)``, which makes botocore skip signing, sending and
    parsing, or None (no direct-mode mock active, or a request only the HTTP path can
    answer faithfully) to let the call continue to the ``before-send`` handler.
    """
    session = sessions.active()
    if session is None or session.transport != "direct":
        return None
    origin = _origin(session, request_signer, context or {})
    if origin is None:
        return None
    region, account_id = origin
    try:
        outcome = answer(session, model.name, params.get("body"), region, account_id)
    except TransportFailure as failure:
        # No retries in direct mode: the caller sees botocore's exception at once.
        raise transport_error(failure.kind, params.get("url", "")) from None
    request_id = new_request_id()
    if isinstance(outcome, AwsError):
        status, parsed = outcome.status, parsed_error(model, outcome, request_id)
    else:
        status, parsed = 200, parsed_result(model, outcome, request_id)
    response = _AsyncDirectResponse if _asynchronous(request_signer) else _DirectResponse
    return response(params.get("url"), status, request_id, outcome), parsed
