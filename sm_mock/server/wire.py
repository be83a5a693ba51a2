"""What the server reads from an HTTP request and writes back, as Secrets Manager speaks it.

JSON 1.1 (SPEC A1): ``POST /`` with ``X-Amz-Target: secretsmanager.<Operation>`` and
``Content-Type: application/x-amz-json-1.1``. The operation is taken from the target header
only; the region from the SigV4 credential scope and the account from its access key id
(:meth:`~sm_mock.session.Session.account_for`). Signatures are not verified.
"""

from __future__ import annotations

import itertools
import re
import uuid

from .. import choices
from ..errors import AwsError
from ..protocol.headers import attempt_of
from ..protocol.headers import credential_scope as scope_of
from ..protocol.target import TARGET_PREFIX, check_operation, operation_from_target

__all__ = [
    "CONTENT_TYPE",
    "TARGET_PREFIX",
    "attempt_of",
    "credential_scope",
    "new_request_id",
    "operation_of",
]

#: The content type of every request and answer (SPEC A1).
CONTENT_TYPE = "application/x-amz-json-1.1"

_REQUEST_ID_PREFIX = str(uuid.uuid4())[:24]
_request_numbers = itertools.count(1)


def new_request_id() -> str:
    """A fresh ``x-amzn-RequestId``: UUID-shaped, as AWS sends, unique in the process."""
    return f"{_REQUEST_ID_PREFIX}{next(_request_numbers):012x}"


def operation_of(target: str | None, content_type: str | None) -> str:
    """The operation a request names, or the AwsError it is answered with.

    Only the target header decides: nothing in the body can change which operation runs.
    """
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media != CONTENT_TYPE:
        raise AwsError(
            choices.SERVER_PROTOCOL_CODE,
            f"Secrets Manager takes JSON 1.1 requests: send Content-Type: {CONTENT_TYPE} "
            f"(this request had {content_type or 'none'}).",
        )
    if not target:
        raise AwsError(
            choices.SERVER_PROTOCOL_CODE,
            "The request has no X-Amz-Target header: name the operation as "
            "X-Amz-Target: secretsmanager.<Operation> (for example secretsmanager.GetSecretValue).",
        )
    # The same routing as the in-process transports (sm_mock.protocol.target).
    operation = operation_from_target(target)
    check_operation(operation)
    return operation


#: What a region name looks like (us-east-1, us-gov-west-1, eu-isoe-west-1, ...).
_REGION = re.compile(r"[a-z0-9][a-z0-9-]{0,49}")


def credential_scope(authorization: str | None) -> tuple[str | None, str | None]:
    """(region, access key id) from a SigV4 ``Authorization`` header, each None when absent
    (:func:`sm_mock.protocol.headers.credential_scope`); a scope naming no valid region is
    refused (choices.SERVER_BAD_REGION_CODE)."""
    region, key = scope_of(authorization)
    if region is not None and not _REGION.fullmatch(region):
        raise AwsError(
            choices.SERVER_BAD_REGION_CODE,
            f"Credential should be scoped to a valid region, not {region[:60]!r}: "
            "sign with a region such as us-east-1.",
            status=403,
        )
    return region, key
