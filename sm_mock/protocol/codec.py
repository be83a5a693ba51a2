"""The JSON 1.1 codec: request bodies in, answers and error bodies out.

Timestamps go out as epoch seconds (SPEC A6), blobs as base64 (SPEC A5), and nothing is sent
as null (SPEC A9). A body that is not a JSON object, or that could never be stored as UTF-8,
is refused with the model-violation code AWS answers with.
"""

from __future__ import annotations

import base64
import json
import json.encoder
import re
from datetime import date, datetime, timezone
from typing import Any

from .. import choices
from ..errors import AwsError

__all__ = [
    "Kept",
    "decode_request",
    "encode_each",
    "encode_error",
    "encode_json",
    "encode_result",
    "epoch_seconds",
]

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
        # A lone surrogate is valid JSON syntax but not Unicode text; it could never be stored or
        # encrypted as UTF-8, so the body is rejected here. It arrives as an escape ("\\ud800"),
        # or as the raw bytes of one (ED A0..BF xx), which JSON's decoder lets through (it decodes
        # with "surrogatepass"; issue 18, item 10). A body json.loads decoded by itself (another
        # encoding, leading whitespace) is checked whole. (Plain substring scans first: they spare
        # the regular expression and the full check on almost every body.)
        suspicious = (
            isinstance(body, str)
            or body[:1] != b"{"
            or b"\xed" in body
            or (b"\\u" in body and _SURROGATE_ESCAPE.search(body) is not None)
        )
        if suspicious and not _is_unicode(data):
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
    (:mod:`sm_mock.botocore.direct`) converts through this function too, so both transports hand
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


class Kept(dict[str, Any]):
    """An answer member that its producer hands out again, unchanged, as long as what it shows
    is unchanged (a ListSecrets entry, :mod:`sm_mock.operations.entries`): its JSON text is
    made once, the first time it is encoded, and kept with it. It is a plain dict to everyone
    else (direct mode, callers of ``serve_params``), who must not change it."""

    __slots__ = ("text",)

    def __init__(self, members: dict[str, Any]) -> None:
        super().__init__(members)
        #: The JSON text :func:`encode_json` gives for this dict, once it was encoded.
        self.text: str | None = None


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
    """Wire JSON: epoch-second timestamps (SPEC A6), base64 blobs (SPEC A5), no nulls (A9).

    A list of :class:`Kept` members is written from their kept texts (made here, in one pass,
    for those that have none yet); the bytes are the same as for the plain answer.
    """
    for value in result.values():
        if type(value) is list and value and type(value[0]) is Kept:
            return _encode_kept(result).encode()
    return encode_json(result).encode()


def _encode_kept(result: dict[str, Any]) -> str:
    # The same text encode_json gives for the plain answer: members in order, "key":value,
    # separators without spaces.
    members = []
    for key, value in result.items():
        if type(value) is list and value and type(value[0]) is Kept:
            text = "[" + ",".join(_kept_texts(value)) + "]"
        else:
            text = encode_json(value)
        members.append(f"{json.encoder.encode_basestring_ascii(key)}:{text}")
    return "{" + ",".join(members) + "}"


def _kept_texts(items: list[Any]) -> list[str]:
    """The JSON text of each item; a :class:`Kept` one keeps the text it is given."""
    missing = [item for item in items if type(item) is not Kept or item.text is None]
    texts = iter(encode_each(missing))
    out: list[str] = []
    for item in items:
        if type(item) is Kept:
            if item.text is None:
                item.text = next(texts)
            out.append(item.text)
        else:
            out.append(next(texts))
    return out


def encode_error(error: AwsError) -> bytes:
    """``{"__type": Code, "Message": text}`` (SM-131)."""
    return json.dumps({"__type": error.code, "Message": error.message}).encode()
