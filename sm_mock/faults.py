"""The fault plan (chaos testing): inject service errors and network failures into requests.

``sm.faults.add(operation, error, ...)`` declares a fault. Every request attempt, including
botocore's own retries, is checked against the plan before its operation runs (docs/design.md
"admission"); the first eligible fault answers it. Injected failures reach the client the
way real ones do: service errors as HTTP error responses, transport failures as botocore's
own connection exceptions, so the client's retry mode and the code under test react exactly
as they would in production.

Determinism: each fault draws its ``probability`` from its own ``random.Random`` derived from
the mock's ``seed`` and the fault's position in the plan, so the same code under the same seed
sees the same failures, whatever other faults exist. Without a seed, a random one is chosen
and exposed as :attr:`FaultPlan.seed` so a failing run can be replayed with
``mock_secretsmanager(seed=...)``.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, Final

from .admission import TRANSPORT_FAILURES, Admission, TransportFailure
from .clock import to_utc
from .errors import CANNOT_DECRYPT, SECRET_NOT_FOUND, AwsError
from .model import arn as arns

__all__ = ["ANY_OPERATION", "SERVICE_ERRORS", "Fault", "FaultPlan"]

#: Pass as ``operation`` to match every operation.
ANY_OPERATION: Final = "*"

#: Injectable service error codes → (HTTP status, default message). The twelve modelled
#: errors use the first sentence of their botocore documentation; InternalServiceError is the
#: only server fault (SPEC A7); the three unmodelled codes reach boto3 as a plain
#: ClientError with ``Error.Code`` set (SPEC A7), and "Rate exceeded" is SPEC Q3's text.
SERVICE_ERRORS: Final[dict[str, tuple[int, str]]] = {
    "DecryptionFailure": (400, f"{CANNOT_DECRYPT}."),
    "EncryptionFailure": (400, "Secrets Manager can't encrypt the protected secret text using the provided KMS key."),
    "InternalServiceError": (500, "An error occurred on the server side."),
    "InvalidNextTokenException": (400, "The NextToken value is invalid."),
    "InvalidParameterException": (400, "The parameter name or value is invalid."),
    "InvalidRequestException": (400, "A parameter value is not valid for the current state of the resource."),
    "LimitExceededException": (400, "The request failed because it would exceed one of the Secrets Manager quotas."),
    "MalformedPolicyDocumentException": (400, "The resource policy has syntax errors."),
    "PreconditionNotMetException": (
        400,
        "The request failed because you did not complete all the prerequisite steps.",
    ),
    "PublicPolicyException": (
        400,
        "The BlockPublicPolicy parameter is set to true, and the resource policy did not prevent "
        "broad access to the secret.",
    ),
    "ResourceExistsException": (400, "A resource with the ID you requested already exists."),
    "ResourceNotFoundException": (400, SECRET_NOT_FOUND),
    "ThrottlingException": (400, "Rate exceeded"),
    "AccessDeniedException": (400, ""),  # message built per request, see _access_denied
    "ValidationException": (400, "1 validation error detected."),
}


def _operation_names() -> frozenset[str]:
    from .protocol import service_model

    return frozenset(service_model().operation_names)


def _secret_ids(params: dict[str, Any]) -> list[str]:
    """The secret identifiers a request names (SecretId, CreateSecret's Name, Batch's list)."""
    secret_id = params.get("SecretId") or params.get("Name")
    if isinstance(secret_id, str):
        return [secret_id]
    ids = params.get("SecretIdList")
    return [i for i in ids if isinstance(i, str)] if isinstance(ids, list) else []


@dataclass(slots=True, eq=False)
class Fault:
    """One declared fault. Created by :meth:`FaultPlan.add`; read its counters in assertions.

    Used as a context manager, the fault is withdrawn from the plan when the block ends::

        with sm.faults.add("GetSecretValue", "InternalServiceError"):
            ...  # outage
    """

    #: Position in the plan (1-based), used in messages and to derive the random stream.
    number: int
    #: Operation names it applies to, or None for every operation.
    operations: frozenset[str] | None
    #: Error code or transport failure kind.
    error: str
    times: int | None
    probability: float
    secret: str | None
    secret_prefix: str | None
    after: int
    window: tuple[datetime | None, datetime | None] | None
    message: str | None
    status: int
    region: str | None
    #: How many attempts this fault answered.
    fired: int = 0
    #: How many attempts matched its operation, secret and region filters (whether or not it
    #: fired): ``after`` counts these.
    matched: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False)
    _plan: FaultPlan | None = field(default=None, repr=False)

    @property
    def exhausted(self) -> bool:
        """True once ``times`` is used up."""
        return self.times is not None and self.fired >= self.times

    @property
    def is_transport(self) -> bool:
        """True for a network failure rather than a service error."""
        return self.error in TRANSPORT_FAILURES

    def describe(self) -> str:
        """A one-line human description, with the counters."""
        ops = "any operation" if self.operations is None else "/".join(sorted(self.operations))
        opts = []
        for name in ("times", "secret", "secret_prefix", "region"):
            value = getattr(self, name)
            if value is not None:
                opts.append(f"{name}={value!r}")
        if self.probability < 1:
            opts.append(f"probability={self.probability}")
        if self.after:
            opts.append(f"after={self.after}")
        if self.window is not None:
            start, end = self.window
            opts.append(f"window=({start.isoformat() if start else None}, {end.isoformat() if end else None})")
        extra = f" ({', '.join(opts)})" if opts else ""
        return (
            f"fault #{self.number}: {ops} -> {self.error}{extra}: fired {self.fired} time(s), "
            f"{self.matched} matching attempt(s)"
        )

    def __enter__(self) -> Fault:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._plan is not None:
            self._plan.remove(self)

    # ---- evaluation (called by FaultPlan.check under its lock) ---------------------------
    def _matches(self, operation: str, params: dict[str, Any], region: str) -> bool:
        if self.operations is not None and operation not in self.operations:
            return False
        if self.region is not None and region != self.region:
            return False
        if self.secret is not None or self.secret_prefix is not None:
            ids = _secret_ids(params)
            if self.secret is not None and not any(arns.designates(i, self.secret) for i in ids):
                return False
            if self.secret_prefix is not None and not any(
                i.startswith(self.secret_prefix) or arns.name_part(i).startswith(self.secret_prefix) for i in ids
            ):
                return False
        return True

    def _eligible(self, now: datetime) -> bool:
        if self.matched <= self.after or self.exhausted:
            return False
        if self.window is not None:
            start, end = self.window
            if (start is not None and now < start) or (end is not None and now >= end):
                return False
        # Draw only when the fault could fire, so its random stream depends only on the
        # attempts it was eligible for (deterministic under the seed).
        return self.probability >= 1 or self._rng.random() < self.probability

    def _refusal(self, operation: str, params: dict[str, Any], account_id: str) -> Admission:
        if self.is_transport:
            return Admission(TransportFailure(self.error), injected=True)
        message = self.message
        if message is None:
            message = SERVICE_ERRORS.get(self.error, (0, ""))[1] or (
                _access_denied(operation, params, account_id)
                if self.error == "AccessDeniedException"
                else f"Injected {self.error}."
            )
        return Admission(AwsError(self.error, message, self.status), injected=True)


def _access_denied(operation: str, params: dict[str, Any], account_id: str) -> str:
    ids = _secret_ids(params)
    resource = ids[0] if ids else "*"
    return (
        f"User: arn:aws:iam::{account_id}:user/sm-mock is not authorized to perform: "
        f"secretsmanager:{operation} on resource: {resource} because no identity-based policy "
        f"allows the secretsmanager:{operation} action"
    )


class FaultPlan:
    """The faults declared on one mock (``sm.faults``).

    Iterating yields the faults currently in force; :meth:`unused` and
    :meth:`assert_all_fired` consider every fault ever declared, removed ones included.
    """

    def __init__(self, seed: int | None = None) -> None:
        #: The seed fault draws derive from: the mock's ``seed``, or a random one.
        self.seed: int = seed if seed is not None else random.SystemRandom().randrange(2**32)
        self._faults: list[Fault] = []
        self._declared: list[Fault] = []
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"FaultPlan({len(self._faults)} fault(s) in force, seed={self.seed})"

    def __iter__(self) -> Iterator[Fault]:
        return iter(list(self._faults))

    def __len__(self) -> int:
        return len(self._faults)

    def __bool__(self) -> bool:
        return bool(self._faults)

    @property
    def declared(self) -> list[Fault]:
        """Every fault added to this plan, in order, including removed ones."""
        return list(self._declared)

    def add(
        self,
        operation: str | Iterable[str],
        error: str,
        *,
        times: int | None = None,
        probability: float = 1.0,
        secret: str | None = None,
        secret_prefix: str | None = None,
        after: int = 0,
        window: tuple[datetime | None, datetime | None] | None = None,
        message: str | None = None,
        status: int | None = None,
        region: str | None = None,
    ) -> Fault:
        """Declare a fault and return it.

        - ``operation``: an API operation name ("GetSecretValue"), several, or ``"*"`` for all.
        - ``error``: a Secrets Manager error code (any modelled one, ``ThrottlingException``,
          ``InternalServiceError`` (HTTP 500), ``AccessDeniedException``,
          ``ValidationException``), or a transport failure: ``"ConnectionError"``,
          ``"ConnectTimeout"`` (the request never arrives), ``"ReadTimeout"``,
          ``"ConnectionClosed"`` (the operation runs, its response is lost). Other codes
          need an explicit ``status``.
        - ``times``: fire at most this many times (default: no limit).
        - ``probability``: chance of firing on each eligible attempt (seeded, see the module).
        - ``secret`` / ``secret_prefix``: only requests naming that secret (by name, full or
          partial ARN) or a secret whose name starts with the prefix.
        - ``after``: let the first N matching attempts through (retries count as attempts).
        - ``window``: ``(start, end)`` datetimes on the mock clock; fire only while
          ``start <= now < end`` (either end may be None). Naive datetimes are UTC.
        - ``message`` / ``status``: override the error text / HTTP status.
        - ``region``: only requests to that region.
        """
        ops = self._operations(operation)
        status = self._status(error, status)
        if times is not None and times < 1:
            raise ValueError(f"times={times}: a fault must be allowed to fire at least once (or pass None)")
        if not 0 < probability <= 1:
            raise ValueError(f"probability={probability}: use a number in (0, 1]")
        if after < 0:
            raise ValueError(f"after={after}: use 0 or a positive number of attempts to let through")
        if window is not None:
            start = to_utc(window[0]) if window[0] is not None else None
            end = to_utc(window[1]) if window[1] is not None else None
            if start is not None and end is not None and end <= start:
                raise ValueError("window=(start, end) needs end after start")
            window = (start, end)
        with self._lock:
            number = len(self._declared) + 1
            fault = Fault(
                number=number,
                operations=ops,
                error=error,
                times=times,
                probability=probability,
                secret=secret,
                secret_prefix=secret_prefix,
                after=after,
                window=window,
                message=message,
                status=status,
                region=region,
                _rng=random.Random(f"sm_mock.faults:{self.seed}:{number}"),
                _plan=self,
            )
            self._declared.append(fault)
            self._faults.append(fault)
        return fault

    @staticmethod
    def _operations(operation: str | Iterable[str]) -> frozenset[str] | None:
        if operation == ANY_OPERATION:
            return None
        ops = frozenset([operation] if isinstance(operation, str) else operation)
        unknown = ops - _operation_names()
        if unknown or not ops:
            raise ValueError(
                f"unknown operation(s) {sorted(unknown)}: use Secrets Manager operation names such "
                f"as 'GetSecretValue' (all: {sorted(_operation_names())}), or '*' for any"
            )
        return ops

    @staticmethod
    def _status(error: str, status: int | None) -> int:
        if error in TRANSPORT_FAILURES:
            if status is not None:
                raise ValueError(f"{error} is a transport failure: it has no HTTP status")
            return 0
        if status is not None:
            if not 400 <= status <= 599:
                raise ValueError(f"status={status}: an error response needs an HTTP status from 400 to 599")
            return status
        known = SERVICE_ERRORS.get(error)
        if known is None:
            raise ValueError(
                f"unknown error {error!r}: use one of {sorted(SERVICE_ERRORS)}, a transport "
                f"failure {sorted(TRANSPORT_FAILURES)}, or pass status= to inject a custom code"
            )
        return known[0]

    def remove(self, fault: Fault) -> None:
        """Withdraw a fault (it still counts for :meth:`unused`)."""
        with self._lock:
            if fault in self._faults:
                self._faults.remove(fault)

    def clear(self) -> None:
        """Withdraw every fault (declared faults are still reported by :meth:`unused`)."""
        with self._lock:
            self._faults.clear()

    def unused(self) -> list[Fault]:
        """Declared faults that never fired (removed ones included)."""
        return [f for f in self._declared if f.fired == 0]

    def unused_report(self) -> str:
        """A message listing the faults that never fired, or "" if all fired."""
        unused = self.unused()
        if not unused:
            return ""
        lines = "\n".join(f"  - {f.describe()}" for f in unused)
        return (
            f"{len(unused)} declared fault(s) never fired, so the failure path they were meant "
            f"to test did not run:\n{lines}\nCheck the operation name, secret filter, after= and "
            "window= against the calls in sm.calls."
        )

    def assert_all_fired(self) -> None:
        """Raise AssertionError (listing them) if any declared fault never fired."""
        report = self.unused_report()
        if report:
            raise AssertionError(report)

    # ---- admission ------------------------------------------------------------------------
    def check(
        self, operation: str, params: dict[str, Any], region: str, account_id: str, now: datetime
    ) -> Admission | None:
        """The fault that answers this attempt, if any (first eligible fault wins)."""
        if not self._faults:  # the common case: no plan, no work
            return None
        winner: Fault | None = None
        with self._lock:
            for fault in self._faults:
                if not fault._matches(operation, params, region):
                    continue
                # Every matching fault counts the attempt, so after=N means "the N-th
                # attempt of this kind" whatever other faults do.
                fault.matched += 1
                if winner is None and fault._eligible(now):
                    fault.fired += 1
                    winner = fault
        return None if winner is None else winner._refusal(operation, params, account_id)
