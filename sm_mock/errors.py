"""Errors: AWS service errors (answered on the wire) and sm_mock usage errors (raised).

Two families, kept apart on purpose (docs/design.md principle 2):

* :class:`AwsError` is a *service* answer. The hook turns it into an HTTP response with the
  JSON body ``{"__type": code, "Message": message}``; botocore then raises its own
  ``ClientError`` subclass. Model and operation code raise it; it never reaches user code as
  a Python exception.
* :class:`SmMockError` and its subclasses are raised to the user for misuse of sm_mock
  itself (no active mock, a service that is blocked, ...). Their messages say what to do.
"""

from __future__ import annotations

__all__ = [
    "AwsError",
    "BlockedServiceError",
    "NoActiveMockError",
    "SmMockError",
    "access_denied",
    "invalid_parameter",
    "invalid_request",
    "not_found",
    "validation_error",
]


class AwsError(Exception):
    """A service-side failure, answered to the client as an AWS error response.

    ``status`` is 400 for every recorded Secrets Manager error (aws_behaviour.json SM-131);
    ``InternalServiceError`` is the only server fault (SPEC A7) and uses 500.
    """

    __slots__ = ("code", "message", "status")

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status

    def __repr__(self) -> str:
        return f"AwsError({self.code!r}, {self.message!r}, status={self.status})"


#: SM-013, SM-015: the recorded text of a secret that does not exist.
SECRET_NOT_FOUND = "Secrets Manager can't find the specified secret."
#: SM-050 (text provisional): a write with both a string and a binary value.
BOTH_VALUES = "You can't specify both a binary secret value and a string secret value in the same secret."
#: The recorded start of every DecryptionFailure text (SPEC F7).
CANNOT_DECRYPT = "Secrets Manager can't decrypt the protected secret text using the provided KMS key"


def not_found(message: str = SECRET_NOT_FOUND) -> AwsError:
    """``ResourceNotFoundException`` with the recorded default text (SM-013, SM-015)."""
    return AwsError("ResourceNotFoundException", message)


def invalid_parameter(message: str) -> AwsError:
    """``InvalidParameterException``: a parameter value is not acceptable."""
    return AwsError("InvalidParameterException", message)


def invalid_request(message: str) -> AwsError:
    """``InvalidRequestException``: the request is not valid for the resource's state."""
    return AwsError("InvalidRequestException", message)


def validation_error(message: str) -> AwsError:
    """``ValidationException`` (not modelled by botocore, so a plain ``ClientError``)."""
    return AwsError("ValidationException", message)


def access_denied(message: str) -> AwsError:
    """``AccessDeniedException`` (not modelled by botocore, so a plain ``ClientError``)."""
    return AwsError("AccessDeniedException", message)


class SmMockError(Exception):
    """Base class for misuse of sm_mock itself. The message says how to fix it."""


class UnknownSecretError(SmMockError, KeyError):
    """An inspection of ``sm.backend`` named a secret, account or region that holds nothing;
    the message lists what does exist."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class NoActiveMockError(SmMockError):
    """Raised by :func:`sm_mock.current` when no mock is active."""


class BlockedServiceError(SmMockError):
    """A request to an AWS service that sm_mock does not serve, while a mock is active."""


class RotationFailureWarning(UserWarning):
    """A mock stopped while rotation failures nobody looked at were on record."""
