"""Admission: what may answer a request before its operation runs (faults, then quotas).

Two kinds of refusal exist:

* an :class:`~sm_mock.errors.AwsError` (an injected service error, or ``ThrottlingException``
  from a rate quota), answered on the wire like any other service error;
* a :class:`TransportFailure` (an injected network failure). It is not an AWS answer: the hook
  turns it into botocore's own exception (``EndpointConnectionError``, ``ReadTimeoutError``,
  ...), which botocore's retry handlers treat exactly like a real network failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from .errors import AwsError

__all__ = ["TRANSPORT_FAILURES", "Admission", "TransportFailure"]

#: Injectable network failures → whether the service processed the request before the
#: failure. A connection that never opened (``ConnectionError``, ``ConnectTimeout``) leaves
#: no trace; a response lost on the way back (``ReadTimeout``, ``ConnectionClosed``) means
#: the operation *did* run, which is what makes idempotent retries matter (SPEC A4, E2).
TRANSPORT_FAILURES: Final[dict[str, bool]] = {
    "ConnectionError": False,
    "ConnectTimeout": False,
    "ReadTimeout": True,
    "ConnectionClosed": True,
}


class TransportFailure(Exception):
    """An injected network failure; the hook raises botocore's matching exception instead.

    ``kind`` is a key of :data:`TRANSPORT_FAILURES`; ``after_processing`` is True when the
    operation runs before the response is lost.
    """

    __slots__ = ("after_processing", "kind")

    def __init__(self, kind: str) -> None:
        super().__init__(f"sm_mock injected a transport failure: {kind}")
        self.kind = kind
        self.after_processing = TRANSPORT_FAILURES[kind]


@dataclass(frozen=True, slots=True)
class Admission:
    """A refusal: the error to answer and why (an injected fault or a rate quota)."""

    error: AwsError | TransportFailure
    #: True when a fault of ``sm.faults`` caused it.
    injected: bool = False
    #: True when a rate quota (``sm.quotas``) caused it.
    throttled: bool = False
