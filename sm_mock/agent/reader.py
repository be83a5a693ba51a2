"""Reading a secret as the Agent does: the cache first, then the mock's own GetSecretValue.

Every read goes through :func:`sm_mock.pipeline.serve_params`, the path in-process calls take,
so the call log, the fault plan, the rate quotas, due rotations and the clock all apply.

The flow of the Agent's caching crate (``SecretsManagerCachingClient::get_secret_value``):

* ``refreshNow``: GetSecretValue at once; on success the entry is written (its TTL starts
  again), on failure the error is answered and the cache left as it was.
* a fresh entry: answered from the cache, no call.
* no entry: GetSecretValue, and the answer is cached.
* an expired entry: DescribeSecret on the cached ARN decides whether it is still current
  (the version asked for still exists; otherwise the cached version still holds the stage
  asked for, AWSCURRENT by default). Current: the entry is written back and served, no
  GetSecretValue. Not current: GetSecretValue.
* a *transient* failure (HTTP 5xx, a timeout, a lost connection) of the DescribeSecret check
  counts as current, and of the GetSecretValue refresh serves the cached answer
  (``ignore_transient_errors``, on by default).

The Agent's SDK client retries first (standard mode: 3 attempts for throttling codes, HTTP
500/502/503/504 and network failures); the attempts are recorded, not slept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .. import choices
from ..admission import TransportFailure
from ..errors import AwsError
from ..pipeline import serve_params
from .cache import Cached, Key, SealedCache
from .wire import AgentError, Query, error_body, render_value

if TYPE_CHECKING:
    from ..session import Session

__all__ = ["ATTEMPTS", "Reader"]

#: The AWS SDK for Rust's standard retry mode: at most 3 attempts.
ATTEMPTS = choices.AGENT_SDK_ATTEMPTS
#: Codes the SDK retries as throttling (aws-runtime ``THROTTLING_ERRORS``) or transient.
_RETRIED_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)
_RETRIED_STATUS = frozenset({500, 502, 503, 504})
#: A lost request as the Agent reports it (cache_manager.rs ``svc_err``): timeouts are 504,
#: other I/O failures 502.
_TRANSPORT_ANSWERS = {
    kind: (status, "TimeoutError", "Timeout") if status == 504 else (status, "ConnectionError", "Read Error")
    for kind, status in choices.AGENT_TRANSPORT_FAILURE_STATUS.items()
}

_Failure = AwsError | TransportFailure


def _retried(failure: _Failure) -> bool:
    if isinstance(failure, TransportFailure):
        return True
    return failure.status in _RETRIED_STATUS or failure.code in _RETRIED_CODES


def _transient(failure: _Failure) -> bool:
    # caching crate error.rs is_transient_error: timeouts, I/O and response errors, and
    # service errors with a 5xx status.
    if not choices.AGENT_IGNORE_TRANSIENT_ERRORS:
        return False
    return isinstance(failure, TransportFailure) or failure.status >= 500


def _answer(failure: _Failure) -> AgentError:
    if isinstance(failure, TransportFailure):
        status, code, message = _TRANSPORT_ANSWERS[failure.kind]
        return AgentError(status, error_body(code, message))
    return AgentError(failure.status, error_body(failure.code, failure.message))


class Reader:
    """Serves reads for one endpoint from one session, through ``cache`` (None: no caching),
    in ``region`` (the Agent's ``region`` setting; default the mock's)."""

    def __init__(self, session: Session, cache: SealedCache | None, region: str | None = None) -> None:
        self.session = session
        self.cache = cache
        self.region = region or session.region

    def __repr__(self) -> str:
        return f"Reader({self.session!r}, {self.cache!r})"

    def read(self, query: Query) -> bytes:
        """The 200 body for ``query``, or :class:`AgentError` with the Agent's answer."""
        key: Key = (query.secret_id, query.version_id, query.version_stage)
        cache = self.cache
        if cache is None or query.refresh_now:
            return self._refresh(key, None)
        found = cache.get(key)
        if found is None:
            return self._refresh(key, None)
        entry, fresh = found
        if fresh:
            return cache.open(entry)
        return self._refresh(key, entry)

    # ---- the calls -------------------------------------------------------------------------
    def _call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """One SDK call with the SDK's retries; raises the last failure."""
        session = self.session
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return serve_params(session, operation, params, self.region, session.account_id, attempt)
            except (AwsError, TransportFailure) as failure:
                if attempt == ATTEMPTS or not _retried(failure):
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(self, call: Callable[[], dict[str, Any]]) -> dict[str, Any] | _Failure:
        try:
            return call()
        except (AwsError, TransportFailure) as failure:
            return failure

    def _refresh(self, key: Key, cached: Cached | None) -> bytes:
        cache = self.cache
        if cached is not None and cache is not None and self._is_current(key, cached):
            cache.renew(key, cached)
            return cache.open(cached)
        secret_id, version_id, stage = key
        params: dict[str, Any] = {"SecretId": secret_id}
        if version_id is not None:
            params["VersionId"] = version_id
        if stage is not None:
            params["VersionStage"] = stage
        outcome = self._attempt(lambda: self._call("GetSecretValue", params))
        if isinstance(outcome, (AwsError, TransportFailure)):
            if cached is not None and cache is not None and _transient(outcome):
                cache.renew(key, cached)  # the crate writes the served value back
                return cache.open(cached)
            raise _answer(outcome)
        body = render_value(outcome)
        if cache is not None:
            cache.put(key, str(outcome["ARN"]), str(outcome["VersionId"]), body)
        return body

    def _is_current(self, key: Key, cached: Cached) -> bool:
        _, version_id, stage = key
        outcome = self._attempt(lambda: self._call("DescribeSecret", {"SecretId": cached.arn}))
        if isinstance(outcome, (AwsError, TransportFailure)):
            if _transient(outcome):
                return True
            raise _answer(outcome)
        stages: dict[str, list[str]] | None = outcome.get("VersionIdsToStages")
        if not stages:
            return False
        if version_id is not None and stage is None:
            return version_id in stages
        wanted = version_id if version_id is not None else cached.version_id
        return (stage if stage is not None else "AWSCURRENT") in stages.get(wanted, ())
