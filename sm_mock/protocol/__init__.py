"""The wire protocol: the JSON 1.1 codec (:mod:`.codec`), model-driven validation
(:mod:`.validation`) and the operation a request's target names (:mod:`.target`)."""

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
from .target import TARGET_PREFIX, check_operation, operation_from_target
from .validation import Validator, service_model, validator_for

__all__ = [
    "TARGET_PREFIX",
    "Kept",
    "Validator",
    "check_operation",
    "decode_request",
    "encode_each",
    "encode_error",
    "encode_json",
    "encode_result",
    "epoch_seconds",
    "operation_from_target",
    "service_model",
    "validator_for",
]
