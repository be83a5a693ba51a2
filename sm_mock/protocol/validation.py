"""Model-driven validation of request parameters, compiled from botocore's service model.

botocore validates only required members, types and minimums on the client (SPEC A3); the
service enforces maximum lengths, enums and patterns. The checks here are compiled once per
operation from botocore's own ``secretsmanager`` service model, so a newer botocore brings
its own limits (docs/design.md). Clients built with ``parameter_validation=False`` or raw
HTTP callers can send anything, so every type is checked too.

:func:`service_model` is the one place outside :mod:`sm_mock.botocore` that reads botocore:
the service model is data, and the rules are taken from it.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from typing import Any

from .. import choices
from ..errors import AwsError
from ..model.schedule import AFTER_DAYS_OUT_OF_RANGE

__all__ = ["Validator", "service_model", "validator_for"]

Check = Callable[[Any, str], Any]
Validator = Callable[[dict[str, Any]], dict[str, Any]]


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
        f"1 validation error detected: Value{shown} at '{path}' failed to satisfy constraint: {constraint}",
    )


def _type_error(path: str, expected: str, value: object) -> AwsError:
    return AwsError(
        choices.TYPE_VIOLATION_CODE,
        f"Expected {expected} at '{path}' but got {type(value).__name__}. Check the parameter's type.",
    )


#: Range violations whose AWS code and text were recorded (keyed by wire path): these keep
#: their own answer instead of the model-violation one (choices.MODEL_VIOLATION_CODE).
_RANGE_MESSAGES = {
    # SM-042.
    "rotationRules.automaticallyAfterDays": ("InvalidParameterException", AFTER_DAYS_OUT_OF_RANGE),
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
                    choices.ENUM_VIOLATION_CODE,
                    value,
                    path,
                    f"Member must satisfy enum value set: [{', '.join(enum)}]",
                    sensitive,
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
                    raise AwsError(*recorded)
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
                raise AwsError(choices.TYPE_VIOLATION_CODE, f"The value at '{path}' is not valid base64.") from None
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
