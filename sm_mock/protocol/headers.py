"""What a signed AWS request's headers say about who sent it, shared by the transports
(botocore's HTTP path and server mode): the SigV4 credential scope and the SDK's attempt number.
Signatures are never verified."""

from __future__ import annotations

__all__ = ["attempt_of", "credential_scope"]


def _text(value: str | bytes | None) -> str:
    if value is None:
        return ""
    return value.decode("latin-1") if isinstance(value, bytes) else value


def credential_scope(authorization: str | bytes | None) -> tuple[str | None, str | None]:
    """(region, access key id) from a SigV4 ``Authorization`` header, each None when absent:
    ``AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/secretsmanager/aws4_request, ...``."""
    auth = _text(authorization)
    start = auth.find("Credential=")
    if start == -1:
        return None, None
    scope = auth[start + 11 :].split(",", 1)[0].strip().split("/")
    key = scope[0] or None
    region = scope[2] if len(scope) >= 3 and scope[2] else None
    return region, key


def attempt_of(header: str | bytes | None) -> int:
    """The attempt number from ``amz-sdk-request: attempt=N; max=M`` (1 when absent), which
    botocore, the AWS CLI and the JavaScript SDK all send."""
    for part in _text(header).split(";"):
        name, _, value = part.strip().partition("=")
        if name == "attempt" and value.isdigit():
            return max(1, int(value))
    return 1
