"""Opaque NextToken encoding shared by the paginated operations."""

from __future__ import annotations

import base64
import json
from typing import Any

from ..errors import AwsError

__all__ = ["decode_offset", "decode_token", "encode_token", "invalid_token"]


def encode_token(kind: str, state: dict[str, Any]) -> str:
    """An opaque token naming the operation it belongs to."""
    raw = json.dumps({"k": kind, **state}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii")


_NOT_VALID = (
    "The NextToken value is not valid. Pass the NextToken from the previous response of the same operation unchanged."
)


def invalid_token(message: str = _NOT_VALID) -> AwsError:
    """InvalidNextTokenException (SPEC L10, M3), with a message saying what to do."""
    return AwsError("InvalidNextTokenException", message)


def decode_token(kind: str, token: str) -> dict[str, Any]:
    """Decode a token, or answer InvalidNextTokenException (SPEC L10, M3)."""
    try:
        state = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
    except (ValueError, UnicodeEncodeError):
        state = None
    if not isinstance(state, dict) or state.get("k") != kind:
        raise invalid_token()
    return state


def decode_offset(kind: str, token: str) -> int:
    """The position (``"o"``) an offset token carries: a whole number from 0, else
    InvalidNextTokenException (SPEC M3), never a position of the caller's making."""
    offset = decode_token(kind, token).get("o")
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise invalid_token()
    return offset
