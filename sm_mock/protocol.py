"""The JSON 1.1 wire protocol: decoding requests, model-driven validation, encoding answers.

botocore validates only required members, types and minimums on the client (SPEC A3); the
service enforces maximum lengths, enums and patterns. The checks here are compiled once per
operation from botocore's own ``secretsmanager`` service model, so a newer botocore brings
its own limits (DESIGN.md principle 6). Clients built with ``parameter_validation=False`` or
raw HTTP callers can send anything, so every type is checked too.
"""

from __future__ import annotations

import base64
import binascii
import json
import json.encoder
import re
from collections.abc import Callable
from datetime import date, datetime, timezone
from typing import Any

from . import choices
from .errors import AwsError

__all__ = [
    "Presented",
    "Spliced",
    "Validator",
    "decode_request",
    "encode_each",
    "encode_error",
    "encode_json",
    "encode_result",
    "epoch_seconds",
    "validator_for",
]

Check = Callable[[Any, str], Any]
Validator = Callable[[dict[str, Any]], dict[str, Any]]

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


#: A JSON escape of a UTF-16 surrogate (\\uD800-\\uDFFF); only bodies with one need the full check.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


_DECODER = json.JSONDecoder()
#: JSON's insignificant whitespace (what ``json.loads`` allows after the value).
_JSON_SPACE = " \t\n\r"


def _loads(body: bytes | str) -> Any:
    """``json.loads(body)``, with a short path for what botocore sends: UTF-8 bytes of an object.

    For such a body ``json.loads`` detects UTF-8, decodes with ``surrogatepass`` and scans one
    value followed by optional whitespace; this does the same without the generic encoding
    detection and its extra Python frames (decoding was a visible share of a point call,
    profiled). Anything else (text, other encodings, a BOM, leading whitespace) takes
    ``json.loads`` itself.
    """
    if isinstance(body, bytes) and body[:1] == b"{" and body[1:2] != b"\x00":
        text = body.decode("utf-8", "surrogatepass")
        data, end = _DECODER.raw_decode(text)
        if end != len(text) and text[end:].strip(_JSON_SPACE):
            raise ValueError("Extra data after the JSON value")
        return data
    return json.loads(body)


def decode_request(body: bytes | str | None) -> dict[str, Any]:
    """Parse a JSON request body; anything but a JSON object is a SerializationException."""
    if not body:
        return {}
    try:
        data = _loads(body)
        # A lone surrogate escape ("\\ud800") is valid JSON syntax but not Unicode text; it
        # could never be stored or encrypted as UTF-8, so the body is rejected here.
        # (``in`` first: a plain substring scan spares the regular expression on almost every body.)
        if (isinstance(body, str) or (b"\\u" in body and _SURROGATE_ESCAPE.search(body))) and not _is_unicode(data):
            raise AwsError(
                choices.TYPE_VIOLATION_CODE,
                "The request body contains a string that is not valid Unicode (a lone UTF-16 "
                "surrogate escape such as \\ud800). Send text as valid UTF-8.",
            )
    except (ValueError, UnicodeDecodeError):
        raise AwsError(choices.TYPE_VIOLATION_CODE, "The request body is not valid JSON.") from None
    except RecursionError:
        # Python's JSON parser recurses per nesting level; botocore would take the escaping
        # RecursionError for a network failure (DESIGN principle 2).
        raise AwsError(choices.TYPE_VIOLATION_CODE, "The request body nests JSON too deeply.") from None
    if not isinstance(data, dict):
        raise AwsError(
            choices.TYPE_VIOLATION_CODE,
            f"The request body must be a JSON object, not {type(data).__name__}.",
        )
    return data


def _is_unicode(data: object) -> bool:
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def epoch_seconds(value: date) -> float:
    """A timestamp as the wire carries it: seconds since the epoch (SPEC A6).

    A ``date`` (LastAccessedDate, SPEC P3) is its midnight UTC. Direct mode
    (:mod:`sm_mock.direct`) converts through this function too, so both transports hand
    botocore's timestamp parser the same number.
    """
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    if value.tzinfo is not None:
        # For an aware datetime, timestamp() computes exactly (value - epoch).total_seconds(),
        # in one C call instead of two and a timedelta.
        return value.timestamp()
    return (value - _EPOCH).total_seconds()  # naive: TypeError, as it always was


def _default(value: object) -> object:
    # Called by the C encoder for every timestamp: about a third of the cost of encoding a
    # ListSecrets page (profiled), hence the aware datetime handled first and inline.
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.timestamp()
    if isinstance(value, date):
        return epoch_seconds(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"cannot encode {type(value).__name__}")


class Presented:
    """An answer member already encoded: its JSON ``text``, spliced into the answer as is (a
    ListSecrets page whose entries were kept, :mod:`sm_mock.operations.entries`). It must be
    exactly what :func:`encode_json` makes of the plain member."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class Spliced(dict[str, Any]):
    """An answer dict some of whose members are :class:`Presented`: :func:`encode_result`
    splices their text in instead of encoding them again. Only the HTTP path builds one
    (:attr:`~sm_mock.operations.base.RequestContext.wire`), and only encode_result reads it."""

    __slots__ = ()


#: The encoder for answers, built once. ``json.dumps(..., default=, separators=)`` builds a
#: ``JSONEncoder`` per call, which builds the C encoder per call: together about 40% of the
#: cost of encoding a GetSecretValue answer inside a real call (profiled). The C encoder is
#: reusable as long as it keeps no circular-reference markers (``None``): answers are trees.
#: Same arguments as ``JSONEncoder.iterencode`` passes, so the bytes are the same.
_ENCODER = json.JSONEncoder(default=_default, separators=(",", ":"))
_c_make_encoder = getattr(json.encoder, "c_make_encoder", None)
_encode_chunks: Any = None
if _c_make_encoder is not None:  # None without the C accelerator (e.g. PyPy): pure Python then
    try:
        _encode_chunks = _c_make_encoder(
            None, _default, json.encoder.encode_basestring_ascii, None, ":", ",", False, False, True
        )
    except TypeError:  # a future signature: fall back to the public encoder
        _encode_chunks = None


def encode_json(value: Any) -> str:
    """The JSON text of one answer value, as :func:`encode_result` writes it."""
    if _encode_chunks is None:
        return _ENCODER.encode(value)
    return "".join(_encode_chunks(value, 0))


#: Put between the objects :func:`encode_each` encodes in one pass, and how the text around it
#: reads: ``},"\u0001",{``. Outside a string literal only, since a quote inside one is written
#: ``\"`` and a closing quote is never followed by a backslash.
_MARK = "\x01"
_MARK_BETWEEN = '},"\\u0001",{'


def encode_each(values: list[dict[str, Any]]) -> list[str]:
    """The JSON text of each of ``values``, exactly as :func:`encode_json` gives it one by one.

    Encoded in one pass, with a marker string between the objects, and split at the markers:
    each call of the C encoder costs as much as encoding a small object, so a ListSecrets
    page of 100 entries costs about a fifth less this way (measured). The split is checked:
    should an object's own text contain the marker's text (an array holding an object, the
    string ``"\x01"`` and an object), the pieces don't add up and each object is encoded
    alone instead.
    """
    if len(values) < 2:
        return [encode_json(value) for value in values]
    marked: list[Any] = [_MARK] * (2 * len(values) - 1)
    marked[::2] = values
    text = encode_json(marked)
    pieces = text[2:-2].split(_MARK_BETWEEN)  # text is "[{" ... "}]"
    if len(pieces) != len(values):
        return [encode_json(value) for value in values]
    return ["{" + piece + "}" for piece in pieces]


def encode_result(result: dict[str, Any]) -> bytes:
    """Wire JSON: epoch-second timestamps (SPEC A6), base64 blobs (SPEC A5), no nulls (A9)."""
    if type(result) is Spliced:
        return _encode_spliced(result).encode()
    return encode_json(result).encode()


def _encode_spliced(result: Spliced) -> str:
    # The same text encode_json gives for the plain answer: members in order, "key":value,
    # separators without spaces.
    members = [
        f"{json.encoder.encode_basestring_ascii(key)}:"
        f"{value.text if isinstance(value, Presented) else encode_json(value)}"
        for key, value in result.items()
    ]
    return "{" + ",".join(members) + "}"


def encode_error(error: AwsError) -> bytes:
    """``{"__type": Code, "Message": text}`` (SM-131)."""
    return json.dumps({"__type": error.code, "Message": error.message}).encode()


# ---- model-driven validation --------------------------------------------------------------
def _wire(name: str) -> str:
    # AWS reports member paths in lowerCamelCase ("filters.1.member.key", SM-053).
    return name[:1].lower() + name[1:]


def _violation(code: str, value: object, path: str, constraint: str, sensitive: bool) -> AwsError:
    shown = "" if sensitive else f" '{value}'"
    if sensitive or (isinstance(value, str) and len(value) > 200):
        shown = ""
    return AwsError(
        code,
        f"1 validation error detected: Value{shown} at '{path}' failed to satisfy constraint: "
        f"{constraint}",
    )


def _type_error(path: str, expected: str, value: object) -> AwsError:
    return AwsError(
        choices.TYPE_VIOLATION_CODE,
        f"Expected {expected} at '{path}' but got {type(value).__name__}. Check the parameter's type.",
    )


#: Range violations whose AWS text was recorded (keyed by wire path).
_RANGE_MESSAGES = {
    # SM-042.
    "rotationRules.automaticallyAfterDays": "RotationRules.AutomaticallyAfterDays must be within 1-1000.",
}


def _compile(shape: Any) -> Check:  # one branch per shape type
    kind = shape.type_name
    meta = shape.metadata
    sensitive = bool(meta.get("sensitive"))
    lo = meta.get("min")
    hi = meta.get("max")
    code = choices.MODEL_VIOLATION_CODE
    if kind == "structure":
        # (member, its wire path segment, its check): the segments are computed once here, not
        # per request (the validator's largest cost on point operations, profiled).
        members = tuple((name, _wire(name), _compile(member)) for name, member in shape.members.items())
        required = tuple(getattr(shape, "required_members", ()) or ())

        def check_structure(value: Any, path: str) -> Any:
            if not isinstance(value, dict):
                raise _type_error(path or "request", "a structure (JSON object)", value)
            out: dict[str, Any] = {}
            for name, wire, check in members:
                item = value.get(name)
                if item is not None:
                    out[name] = check(item, f"{path}.{wire}" if path else wire)
            for name in required:
                if name not in out:
                    sub = f"{path}.{_wire(name)}" if path else _wire(name)
                    raise AwsError(
                        code,
                        f"1 validation error detected: Value null at '{sub}' failed to satisfy "
                        "constraint: Member must not be null",
                    )
            return out

        return check_structure
    if kind == "list":
        member_check = _compile(shape.member)

        def check_list(value: Any, path: str) -> Any:
            if not isinstance(value, list):
                raise _type_error(path, "a list", value)
            if lo is not None and len(value) < lo:
                raise _violation(code, "", path, f"Member must have length greater than or equal to {lo}", True)
            if hi is not None and len(value) > hi:
                raise _violation(code, "", path, f"Member must have length less than or equal to {hi}", True)
            return [member_check(item, f"{path}.{i}.member") for i, item in enumerate(value, 1)]

        return check_list
    if kind == "map":
        key_check = _compile(shape.key)
        value_check = _compile(shape.value)

        def check_map(value: Any, path: str) -> Any:
            if not isinstance(value, dict):
                raise _type_error(path, "a map (JSON object)", value)
            return {key_check(k, path): value_check(v, f"{path}.{k}") for k, v in value.items()}

        return check_map
    if kind == "string":
        enum = tuple(meta.get("enum") or ())
        pattern: re.Pattern[str] | None = None
        if meta.get("pattern"):
            try:
                # The service's patterns are Java regular expressions, where \d, \w and \s mean
                # ASCII only; Python's would also match other scripts' digits and letters.
                pattern = re.compile(meta["pattern"], re.ASCII)
            except re.error:  # a Java-only construct: leave that check to the operation
                pattern = None

        def check_string(value: Any, path: str) -> Any:
            if not isinstance(value, str):
                raise _type_error(path, "a string", value)
            if enum and value not in enum:
                raise _violation(
                    choices.ENUM_VIOLATION_CODE, value, path,
                    f"Member must satisfy enum value set: [{', '.join(enum)}]", sensitive,
                )
            if lo is not None and len(value) < lo:
                raise _violation(code, value, path, f"Member must have length greater than or equal to {lo}", sensitive)
            if hi is not None and len(value) > hi:
                raise _violation(code, value, path, f"Member must have length less than or equal to {hi}", sensitive)
            if pattern is not None and pattern.fullmatch(value) is None:
                raise _violation(
                    code, value, path, f"Member must satisfy regular expression pattern: {pattern.pattern}", sensitive
                )
            return value

        return check_string
    if kind in ("integer", "long"):

        def check_number(value: Any, path: str) -> Any:
            if isinstance(value, bool) or not isinstance(value, int):
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                else:
                    raise _type_error(path, "an integer", value)
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                recorded = _RANGE_MESSAGES.get(path)
                if recorded is not None:
                    raise AwsError(code, recorded)
                bound = (
                    f"greater than or equal to {lo}" if lo is not None and value < lo else f"less than or equal to {hi}"
                )
                raise _violation(code, value, path, f"Member must have value {bound}", False)
            return value

        return check_number
    if kind == "boolean":

        def check_bool(value: Any, path: str) -> Any:
            if not isinstance(value, bool):
                raise _type_error(path, "a boolean", value)
            return value

        return check_bool
    if kind == "blob":

        def check_blob(value: Any, path: str) -> Any:
            if not isinstance(value, str):
                raise _type_error(path, "a base64-encoded string", value)
            try:
                raw = base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                raise AwsError(
                    choices.TYPE_VIOLATION_CODE, f"The value at '{path}' is not valid base64."
                ) from None
            if lo is not None and len(raw) < lo:
                raise _violation(code, "", path, f"Member must have length greater than or equal to {lo}", True)
            if hi is not None and len(raw) > hi:
                raise _violation(code, "", path, f"Member must have length less than or equal to {hi}", True)
            return raw

        return check_blob
    if kind == "timestamp":

        def check_timestamp(value: Any, path: str) -> Any:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise _type_error(path, "a timestamp (epoch seconds)", value)
            return value

        return check_timestamp

    def passthrough(value: Any, path: str) -> Any:
        return value

    return passthrough


_VALIDATORS: dict[str, Validator] = {}
_SERVICE_MODEL: Any = None


def service_model() -> Any:
    """botocore's ``secretsmanager`` service model, loaded once."""
    global _SERVICE_MODEL
    if _SERVICE_MODEL is None:
        import botocore.session

        _SERVICE_MODEL = botocore.session.get_session().get_service_model("secretsmanager")
    return _SERVICE_MODEL


def validator_for(operation: str) -> Validator:
    """The compiled validator for an operation's input (cached)."""
    validator = _VALIDATORS.get(operation)
    if validator is None:
        shape = service_model().operation_model(operation).input_shape
        if shape is None:
            def validator(params: dict[str, Any]) -> dict[str, Any]:
                return {}
        else:
            check = _compile(shape)

            def validator(params: dict[str, Any]) -> dict[str, Any]:
                result: dict[str, Any] = check(params, "")
                return result

        _VALIDATORS[operation] = validator
    return validator
