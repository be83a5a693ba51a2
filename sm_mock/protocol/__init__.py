"""The wire protocol: the JSON 1.1 codec (:mod:`.codec`) and model-driven validation
(:mod:`.validation`)."""

from __future__ import annotations

from .codec import (
    Kept,
    decode_request,
    encode_each,
    encode_error,
    encode_json,
    encode_result,
    epoch_seconds,
)
from .validation import Validator, service_model, validator_for

__all__ = [
    "Kept",
    "Validator",
    "decode_request",
    "encode_each",
    "encode_error",
    "encode_json",
    "encode_result",
    "epoch_seconds",
    "service_model",
    "validator_for",
]
