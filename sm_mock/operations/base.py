"""What every operation handler shares: the request context, lookups and common checks.

Handlers take ``(ctx, params)`` where ``params`` are the validated wire parameters
(PascalCase keys, blobs already decoded to bytes) and return the wire result dict.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..errors import AwsError, invalid_parameter, invalid_request, not_found, validation_error
from ..model.secret import Secret
from ..model.store import INVALID_NAME, NAME_PATTERN, Backend, RegionStore

if TYPE_CHECKING:
    from ..session import Session

__all__ = [
    "OPERATIONS",
    "Handler",
    "RequestContext",
    "check_name",
    "check_not_deleted",
    "check_secret_id",
    "find_secret",
    "operation",
    "require_token",
    "value_from",
]

Handler = Callable[["RequestContext", dict[str, Any]], dict[str, Any]]

#: Operation name → handler. Filled by the @operation decorator in each module.
OPERATIONS: dict[str, Handler] = {}


def operation(name: str) -> Callable[[Handler], Handler]:
    """Register a handler for the API operation ``name``."""

    def register(fn: Handler) -> Handler:
        OPERATIONS[name] = fn
        return fn

    return register


@dataclass(slots=True)
class RequestContext:
    """One request: who is calling, where, and when (one clock reading per request)."""

    session: Session
    backend: Backend
    store: RegionStore
    account_id: str
    region: str
    now: datetime
    operation: str
    #: True when the answer goes out as HTTP JSON (the hook), False when botocore gets it
    #: already parsed (direct mode) or a caller reads the dict: operations may then hand
    #: over wire text they already have (:class:`~sm_mock.protocol.Spliced`).
    wire: bool = False

    def store_of(self, secret: Secret) -> RegionStore:
        """The region store that owns ``secret`` (differs from :attr:`store` cross-account)."""
        if secret.account_id == self.account_id and secret.region == self.region:
            return self.store
        return self.backend.store(secret.account_id, secret.region)


# SM-003: the name pattern lives in the model, shared with backend seeding.
_NAME = NAME_PATTERN
_ARN = re.compile(r"arn:[A-Za-z0-9/_+=.@!:-]+")
_INVALID_NAME = INVALID_NAME


def check_name(name: str) -> None:
    """Reject a secret name with characters AWS does not allow (SM-003)."""
    if _NAME.fullmatch(name) is None:
        raise validation_error(_INVALID_NAME)


def check_secret_id(secret_id: str) -> None:
    """A SecretId is a name or an ARN (SPEC B7); invalid characters fail first (SM-004..012)."""
    pattern = _ARN if secret_id.startswith("arn:") else _NAME
    if pattern.fullmatch(secret_id) is None:
        raise validation_error(_INVALID_NAME)


def find_secret(ctx: RequestContext, secret_id: str) -> Secret:
    """Resolve a SecretId or answer ResourceNotFoundException (SM-013, SM-015).

    An id with invalid characters fails first (SM-004..012). It can never resolve: every
    stored name and ARN passed the same patterns when it was created. So the lookup goes
    first and only an id that finds nothing pays for the pattern check (profiled: the
    regular expression was a noticeable share of a point read).
    """
    secret = ctx.backend.find(secret_id, ctx.account_id, ctx.region, ctx.now)
    if secret is None:
        check_secret_id(secret_id)
        raise not_found()
    return secret


_MARKED = "You can't perform this operation on the secret because it was marked for deletion."


def check_not_deleted(secret: Secret) -> None:
    """Reads and writes of a secret scheduled for deletion fail (SPEC G4, SM-023..SM-027)."""
    if secret.deleted_at is not None:
        raise invalid_request(_MARKED)


def check_cross_account_key(ctx: RequestContext, secret: Secret) -> None:
    """SM-043/SM-044: another account can't use a secret under the default KMS key."""
    if secret.account_id != ctx.account_id and secret.kms_key.is_default:
        raise invalid_request(
            "You can't access a secret from a different AWS account if you encrypt the secret "
            "with the default KMS service key."
        )


def require_token(params: dict[str, Any], code: str = "InvalidRequestException") -> str:
    """ClientRequestToken is required on the wire (SM-029..SM-032; boto3 always adds one)."""
    token = params.get("ClientRequestToken")
    if not token:
        raise AwsError(code, "You must provide a ClientRequestToken value. We recommend a UUID-type value.")
    return str(token)


def value_from(ctx: RequestContext, params: dict[str, Any], *, required: bool) -> tuple[bytes, bool] | None:
    """The (bytes, is_binary) value of a write, or None when it carries none (SPEC C1, C2, C4)."""
    string = params.get("SecretString")
    binary = params.get("SecretBinary")
    if string is not None and binary is not None:
        # SM-050 (text provisional).
        raise invalid_parameter(
            "You can't specify both a binary secret value and a string secret value in the same secret."
        )
    if string is None and binary is None:
        if required:
            # SM-049 (text provisional).
            raise invalid_request("You must provide either SecretString or SecretBinary.")
        return None
    limits = ctx.session.limits
    if string is not None:
        limits.check_value_size(len(string))  # SPEC C2: characters for strings
        return string.encode("utf-8"), False
    assert isinstance(binary, bytes)
    limits.check_value_size(len(binary))
    return binary, True
