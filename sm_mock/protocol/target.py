"""The operation a JSON 1.1 request names: its ``X-Amz-Target`` header.

Secrets Manager, like every AWS JSON 1.1 service, routes a request by that header
(``secretsmanager.GetSecretValue``), not by anything else the client knows (issue 18, item 15:
a request whose target disagrees with botocore's event is answered by its target).
"""

from __future__ import annotations

from .. import choices
from ..errors import AwsError
from .validation import service_model

__all__ = ["TARGET_PREFIX", "check_operation", "operation_from_target"]

#: The ``targetPrefix`` of the service model's metadata.
TARGET_PREFIX = "secretsmanager."


def operation_from_target(target: str | bytes | None) -> str:
    """The operation ``X-Amz-Target`` names, or ``""`` when it is missing or names another
    service (:func:`check_operation` answers that as the service does)."""
    if target is None:
        return ""
    if isinstance(target, bytes):
        target = target.decode("latin-1")
    prefix, dot, operation = target.strip().partition(".")
    if not dot or f"{prefix}." != TARGET_PREFIX:
        return ""
    return operation


def check_operation(operation: str) -> None:
    """Raise the service's answer for a target that names no operation of the model."""
    if operation not in service_model().operation_names:
        raise AwsError(
            choices.UNKNOWN_OPERATION_CODE,
            f"The X-Amz-Target header must name a Secrets Manager operation as "
            f"'{TARGET_PREFIX}<Operation>', e.g. '{TARGET_PREFIX}GetSecretValue'; "
            f"{operation or 'nothing'!r} is not one.",
        )
