"""Direct mode (``transport="direct"``): the same answers as the HTTP path, without HTTP.

The contract (issue 8): responses and errors are identical to the HTTP path's for every
operation, types included. Two differential tests check it across the whole behaviour surface:

* every recorded behaviour row (tests/data/aws_behaviour.json, replayed with the runners of
  tests/test_aws_behaviour.py) runs once per transport, each against a mock with the same seed,
  the same ticking clock and the same uuid sources; every response botocore hands back
  (``after-call``: errors included) must be identical, with ``RequestId`` and ``HTTPHeaders``
  removed, and so must the row's outcome;
* the stateful machine of tests/test_state_machine.py runs with a client that sends every
  request through both transports, to two mocks (same seed, same stepping clock), compares the
  two answers, and checks the HTTP one against the reference model as before.

The unit tests below pin what differs by design: no retries, no signing or sending, a request
botocore could not sign goes the HTTP way, a Stubber on the client still wins.
"""

from __future__ import annotations

import copy
import itertools
import json
import random
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from typing import Any

import behaviour_rows
import boto3
import botocore
import botocore.handlers
import pytest
from async_support import FAKE_KEYS, BlockingClient, aio_config, needs_aio
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError, ParamValidationError
from botocore.stub import Stubber
from dateutil.tz import tzlocal  # type: ignore[import-untyped]
from freezegun import freeze_time
from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine, invariant
from support import new_client
from test_aws_behaviour import ROWS, SPECIAL, TRANSPORTS
from test_state_machine import (
    MAX_LABELS,
    MAX_TAGS,
    MAX_VERSIONS,
    NAMES,
    REGION,
    REPLICA_REGION,
    Reference,
    SecretsManagerMachine,
    SteppingClock,
)

import sm_mock.crypto
from sm_mock import SecretsManagerMock, attach, mock_secretsmanager
from sm_mock import session as sessions
from sm_mock.botocore.direct import before_call
from sm_mock.protocol import encode_result
from sm_mock.session import Transport

# ---- exact comparison -------------------------------------------------------------------------


def _strip(parsed: dict[str, Any]) -> dict[str, Any]:
    """A deep copy without what differs per request: RequestId and HTTPHeaders."""
    out = copy.deepcopy(parsed)
    metadata = out.get("ResponseMetadata")
    if isinstance(metadata, dict):
        metadata.pop("RequestId", None)
        metadata.pop("HTTPHeaders", None)
    return out


def assert_identical(http: Any, direct: Any, path: str = "$") -> None:
    """Equal values of the same types, dict keys in the same order; datetimes with the same
    tzinfo type and offset."""
    assert type(http) is type(direct), f"{path}: {type(http).__name__} vs {type(direct).__name__}"
    if isinstance(http, dict):
        assert list(http) == list(direct), f"{path}: keys {list(http)} vs {list(direct)}"
        for key in http:
            assert_identical(http[key], direct[key], f"{path}.{key}")
    elif isinstance(http, list):
        assert len(http) == len(direct), f"{path}: {len(http)} vs {len(direct)} items"
        for i, (a, b) in enumerate(zip(http, direct, strict=True)):
            assert_identical(a, b, f"{path}[{i}]")
    elif isinstance(http, datetime):
        assert http == direct, f"{path}: {http!r} vs {direct!r}"
        assert type(http.tzinfo) is type(direct.tzinfo), f"{path}: {http.tzinfo!r} vs {direct.tzinfo!r}"
        assert (http.utcoffset(), http.fold) == (direct.utcoffset(), direct.fold), path
    else:
        assert http == direct, f"{path}: {http!r} vs {direct!r}"


class Transcript:
    """Every response botocore hands back (after-call sees errors too), in order."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, int, dict[str, Any]]] = []

    def record(self, http_response: Any, parsed: dict[str, Any], model: Any, **kwargs: Any) -> None:
        self.entries.append((model.name, http_response.status_code, _strip(parsed)))


class _SeededUuid:
    """A stand-in for the ``uuid`` module whose uuid4() is reproducible."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)
        self.UUID = uuid.UUID

    def uuid4(self) -> uuid.UUID:
        return uuid.UUID(int=self._rng.getrandbits(128), version=4)


def _ticking_clock() -> Callable[[], datetime]:
    """A clock that moves one millisecond per reading: deterministic, and time still passes."""
    start = datetime(2031, 3, 4, 5, 6, 7, tzinfo=timezone.utc)
    ticks = itertools.count()
    return lambda: start + timedelta(milliseconds=next(ticks))


# ---- every behaviour row through both transports ----------------------------------------------
#: Runners that cannot take the direct path, and why.
HTTP_ONLY_TRANSPORTS = {
    # RawWire swaps the serialized body in a before-sign handler; direct mode answers before
    # botocore signs, so the raw body never exists there.
    "raw_http": "the row's raw body is swapped in at before-sign, which direct mode never reaches",
}


def _runner(row: dict[str, Any]) -> Any:
    return SPECIAL.get(row["id"]) or TRANSPORTS.get(row["transport"])


def _replay(
    row: dict[str, Any], transport: Transport, monkeypatch: pytest.MonkeyPatch
) -> tuple[Transcript, str | None]:
    """Run a row's runner against a fresh mock; returns its transcript and outcome."""
    monkeypatch.setattr(behaviour_rows, "uuid", _SeededUuid(1))
    monkeypatch.setattr(botocore.handlers, "uuid", _SeededUuid(2))  # ClientRequestToken fill-in
    boto3.setup_default_session()  # the rows' clients come from boto3's default session
    transcript = Transcript()
    boto3.DEFAULT_SESSION.events.register("after-call.secrets-manager", transcript.record)
    outcome: str | None = None
    with mock_secretsmanager(transport=transport, seed=7, clock=_ticking_clock()) as sm:
        try:
            _runner(row)(row, sm)
        except pytest.skip.Exception:
            raise
        except Exception as exc:
            outcome = f"{type(exc).__name__}: {exc}"
    return transcript, outcome


def _row_param(row: dict[str, Any]) -> Any:
    reason = HTTP_ONLY_TRANSPORTS.get(row["transport"]) if row["id"] not in SPECIAL else None
    marks = [pytest.mark.skip(reason=f"HTTP only: {reason}")] if reason else []
    return pytest.param(row, id=row["id"], marks=marks)


@pytest.mark.parametrize("row", [_row_param(row) for row in ROWS])
def test_recorded_row_answers_identically_through_both_transports(
    row: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    http, http_outcome = _replay(row, "http", monkeypatch)
    direct, direct_outcome = _replay(row, "direct", monkeypatch)

    assert http_outcome is None, f"the row fails on the HTTP path under the test clock: {http_outcome}"
    assert direct_outcome == http_outcome
    assert [entry[:2] for entry in direct.entries] == [entry[:2] for entry in http.entries]
    for (op, _, expected), (_, _, actual) in zip(http.entries, direct.entries, strict=True):
        assert_identical(expected, actual, op)


def test_the_row_replay_compares_something() -> None:
    # Every runnable row makes at least one call, so an empty transcript would be a harness bug.
    runnable = [row for row in ROWS if row["id"] in SPECIAL or row["transport"] not in HTTP_ONLY_TRANSPORTS]
    assert len(runnable) >= len(ROWS) - 10


def test_assert_identical_catches_type_and_order_differences() -> None:
    assert_identical({"a": 1, "b": [b"x"]}, {"a": 1, "b": [b"x"]})
    with pytest.raises(AssertionError):
        assert_identical({"a": 1, "b": 2}, {"b": 2, "a": 1})
    with pytest.raises(AssertionError):
        assert_identical({"a": b"x"}, {"a": "x"})
    when = datetime(2030, 1, 1, tzinfo=timezone.utc)
    with pytest.raises(AssertionError):
        assert_identical(when.astimezone(tzlocal()), when)


# ---- the stateful machine through both transports ---------------------------------------------
@contextmanager
def serving(mock: SecretsManagerMock) -> Iterator[None]:
    """Make ``mock`` the innermost active mock for a while (it must already be active)."""
    with sessions._lock:
        order = list(sessions._stack)
        sessions._stack.remove(mock.session)
        sessions._stack.append(mock.session)
    try:
        yield
    finally:
        with sessions._lock:
            sessions._stack[:] = order


Outcome = tuple[str, Any]


def _outcome(fn: Callable[..., Any], kwargs: dict[str, Any]) -> Outcome:
    try:
        return "ok", fn(**kwargs)
    except ClientError as error:
        return "error", error


#: What botocore's retry handler adds to ResponseMetadata. Direct mode never retries (by
#: design), while the HTTP path retries whatever the client's retry mode deems retryable: from
#: botocore 1.44 the default mode is "standard", which retries LimitExceededException.
RETRY_METADATA = ("RetryAttempts", "MaxAttemptsReached")


def _without_retries(parsed: dict[str, Any], transport: str) -> dict[str, Any]:
    """``_strip`` and the retry metadata, after checking that direct mode did not retry."""
    out = _strip(parsed)
    metadata = out.get("ResponseMetadata", {})
    if transport == "direct":
        assert metadata.get("RetryAttempts") == 0 and "MaxAttemptsReached" not in metadata, metadata
    for key in RETRY_METADATA:
        metadata.pop(key, None)
    return out


def _assert_same_outcome(http: Outcome, direct: Outcome, what: str) -> None:
    """Identical answers, retry metadata apart: the HTTP path may have retried, direct may not."""
    assert http[0] == direct[0], f"{what}: HTTP {http[0]} {http[1]!r}, direct {direct[0]} {direct[1]!r}"
    if http[0] == "ok":
        assert_identical(_without_retries(http[1], "http"), _without_retries(direct[1], "direct"), what)
    else:
        assert type(http[1]) is type(direct[1]), what
        expected = _without_retries(http[1].response, "http")
        assert_identical(expected, _without_retries(direct[1].response, "direct"), what)
        # The message names the attempts botocore made ("reached max retries: 2"), so compare
        # it with that clause taken out.
        assert _retry_clause_removed(str(http[1])) == _retry_clause_removed(str(direct[1]))


def _retry_clause_removed(message: str) -> str:
    return re.sub(r" \(reached max retries: \d+\)", "", message)


class TwinClient:
    """A boto3 client that sends every call to ``http`` and then to ``direct`` and insists on
    identical answers; it returns (or raises) the HTTP path's.

    botocore fills an idempotency token in with a fresh uuid4 per call; the twin fills it in
    once, so both mocks see the same token (as a retry of one call would).
    """

    def __init__(self, client: Any, http: SecretsManagerMock, direct: SecretsManagerMock) -> None:
        self._client = client
        self._http = http
        self._direct = direct

    def _tokens(self, operation: str) -> list[str]:
        shape = self._client.meta.service_model.operation_model(operation).input_shape
        return [name for name, member in shape.members.items() if member.metadata.get("idempotencyToken")]

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)
        operation = self._client.meta.method_to_api_mapping.get(name)
        if operation is None:
            return method

        def call(**kwargs: Any) -> Any:
            for token in self._tokens(operation):
                kwargs.setdefault(token, str(uuid.uuid4()))
            with serving(self._http):
                http = _outcome(method, kwargs)
            with serving(self._direct):
                direct = _outcome(method, kwargs)
            _assert_same_outcome(http, direct, operation)
            if http[0] == "error":
                raise http[1]
            return http[1]

        return call

    def get_paginator(self, name: str) -> Any:
        twin = self

        class Pages:
            def paginate(self, **kwargs: Any) -> list[dict[str, Any]]:
                with serving(twin._http):
                    http = list(twin._client.get_paginator(name).paginate(**kwargs))
                with serving(twin._direct):
                    direct = list(twin._client.get_paginator(name).paginate(**kwargs))
                assert len(http) == len(direct)
                for a, b in zip(http, direct, strict=True):
                    assert_identical(_strip(a), _strip(b), name)
                return http

        return Pages()


class DirectModeMachine(SecretsManagerMachine):
    """tests/test_state_machine.py's machine, every request answered by both transports."""

    def __init__(self) -> None:
        RuleBasedStateMachine.__init__(self)
        self.clock = SteppingClock(datetime(2030, 1, 1, 12, 0, 0, tzinfo=timezone.utc))
        options: dict[str, Any] = {
            "clock": self.clock,
            "seed": 11,
            "max_versions": MAX_VERSIONS,
            "max_labels": MAX_LABELS,
            "max_tags": MAX_TAGS,
        }
        self.direct_mock = mock_secretsmanager(transport="direct", **options).start()
        self.mock = mock_secretsmanager(**options).start()
        self.client = TwinClient(_twin_client(), self.mock, self.direct_mock)
        self.replica_client = TwinClient(_twin_client(REPLICA_REGION), self.mock, self.direct_mock)
        self.ref = Reference()
        self.arns = {name: [] for name in NAMES}

    def teardown(self) -> None:
        self.mock.stop()
        self.direct_mock.stop()

    @invariant()
    def both_backends_hold_the_same_state(self) -> None:
        def state(mock: SecretsManagerMock) -> list[tuple[Any, ...]]:
            return sorted(
                (s.arn, s.stages, list(s.versions), s.deleted_at, s.last_changed, s.last_accessed, s.tags)
                for s in mock.backend.secrets()
            )

        assert state(self.mock) == state(self.direct_mock)


_TWIN: dict[str, Any] = {}


def _twin_client(region: str = REGION) -> Any:
    if region not in _TWIN:
        # The retry mode is pinned, so the machine does not depend on the installed botocore's
        # default; "standard" (1.44's default) retries LimitExceededException, which this
        # machine provokes. test_each_retry_mode_answers_like_direct_mode covers the others.
        _TWIN[region] = new_client(region, retry_mode="standard")
    return _TWIN[region]


def _machine_settings() -> settings:
    examples = int(settings.default.max_examples) if settings.default is not None else 30
    return settings(
        max_examples=max(10, examples // 2),
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=list(SecretsManagerMachine.TestCase.settings.suppress_health_check),
    )


DirectModeMachine.TestCase.settings = _machine_settings()
#: pytest runs this as ``TestDirectModeMatchesHttpPath::runTest``.
TestDirectModeMatchesHttpPath = DirectModeMachine.TestCase


class AsyncDirectModeMachine(DirectModeMachine):
    """The same twin run through an aiobotocore client: direct mode answers async clients as
    their HTTP path does (issue 15)."""

    def __init__(self) -> None:
        super().__init__()
        self.client = TwinClient(_async_twin_client(), self.mock, self.direct_mock)


_ASYNC_TWIN: list[Any] = []


def _async_twin_client() -> Any:
    if not _ASYNC_TWIN:
        _ASYNC_TWIN.append(BlockingClient(REGION, config=aio_config("standard"), **FAKE_KEYS))
    return _ASYNC_TWIN[0]


AsyncDirectModeMachine.TestCase.settings = _machine_settings()
#: pytest runs this as ``TestAsyncDirectModeMatchesHttpPath::runTest``.
TestAsyncDirectModeMatchesHttpPath = needs_aio(AsyncDirectModeMachine.TestCase)


@pytest.mark.parametrize("mode", ["legacy", "standard", "adaptive"])
def test_each_retry_mode_answers_like_direct_mode(mode: str) -> None:
    # LimitExceededException is retried by "standard" and "adaptive" (botocore's default from
    # 1.44 on), not by "legacy": whatever the HTTP path retried, the answer is the same as
    # direct mode's, and only direct mode shows RetryAttempts 0.
    http = mock_secretsmanager(seed=5, max_secrets=1).start()
    direct = mock_secretsmanager(transport="direct", seed=5, max_secrets=1).start()
    try:
        twin = TwinClient(new_client(REGION, retry_mode=mode, attempts=3), http, direct)
        twin.create_secret(Name="retry/one", SecretString="v", ClientRequestToken="t" * 32)
        with pytest.raises(ClientError) as info:
            twin.create_secret(Name="retry/two", SecretString="v", ClientRequestToken="u" * 32)
    finally:
        direct.stop()
        http.stop()
    assert info.value.response["Error"]["Code"] == "LimitExceededException"
    retried = mode != "legacy"
    assert info.value.response["ResponseMetadata"]["RetryAttempts"] == (2 if retried else 0)
    assert [r.attempt for r in http.calls.of("CreateSecret")] == ([1, 1, 2, 3] if retried else [1, 1])
    assert [r.attempt for r in direct.calls.of("CreateSecret")] == [1, 1]


def test_the_twin_rejects_a_retry_in_direct_mode() -> None:
    # The comparison strips retry metadata, but never hides a direct-mode retry.
    retried = {"ResponseMetadata": {"HTTPStatusCode": 400, "RetryAttempts": 1}}
    with pytest.raises(AssertionError):
        _without_retries(retried, "direct")
    assert _without_retries(retried, "http") == {"ResponseMetadata": {"HTTPStatusCode": 400}}


# ---- what direct mode does and skips ----------------------------------------------------------
def test_direct_mode_answers_before_signing_and_sending() -> None:
    stages: list[str] = []
    with mock_secretsmanager(transport="direct") as sm:
        client = new_client()
        for event in ("before-sign", "before-send", "needs-retry"):
            client.meta.events.register(f"{event}.secrets-manager", lambda event=event, **kw: stages.append(event))
        client.create_secret(Name="direct/a", SecretString="v1")
        value = client.get_secret_value(SecretId="direct/a")

    assert value["SecretString"] == "v1"
    assert stages == []
    assert [r.operation for r in sm.calls] == ["CreateSecret", "GetSecretValue"]


def test_http_mode_does_sign_and_send() -> None:
    # The counterpart of the test above: the spies do see the HTTP path.
    stages: list[str] = []
    with mock_secretsmanager():
        client = new_client()
        for event in ("before-sign", "before-send"):
            client.meta.events.register(f"{event}.secrets-manager", lambda event=event, **kw: stages.append(event))
        client.list_secrets()
    assert stages == ["before-sign", "before-send"]


def test_direct_mode_returns_botocore_types() -> None:
    with mock_secretsmanager(transport="direct"):
        client = new_client()
        client.create_secret(Name="direct/bin", SecretBinary=b"\x00\xff")
        value = client.get_secret_value(SecretId="direct/bin")

    assert value["SecretBinary"] == b"\x00\xff" and type(value["SecretBinary"]) is bytes
    assert isinstance(value["CreatedDate"], datetime)
    assert type(value["CreatedDate"].tzinfo) is tzlocal  # what botocore's parser gives
    metadata = value["ResponseMetadata"]
    assert list(metadata) == ["RequestId", "HTTPStatusCode", "HTTPHeaders", "RetryAttempts"]
    assert metadata["HTTPStatusCode"] == 200 and metadata["RetryAttempts"] == 0
    assert metadata["HTTPHeaders"]["x-amzn-requestid"] == metadata["RequestId"]


def test_direct_mode_raises_the_same_modelled_error_with_a_top_level_message() -> None:
    with mock_secretsmanager(transport="direct"):
        client = new_client()
        with pytest.raises(client.exceptions.ResourceNotFoundException) as info:
            client.describe_secret(SecretId="direct/missing")

    response = info.value.response
    assert response["Error"] == {
        "Message": "Secrets Manager can't find the specified secret.",
        "Code": "ResourceNotFoundException",
    }
    assert response["Message"] == response["Error"]["Message"]  # SM-132
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_direct_mode_unmodelled_error_has_no_top_level_message() -> None:
    with mock_secretsmanager(transport="direct"):
        client = new_client()
        with pytest.raises(ClientError) as info:
            client.describe_secret(SecretId="bad name with spaces")

    assert info.value.response["Error"]["Code"] == "ValidationException"
    assert "Message" not in info.value.response  # SM-132: botocore models no ValidationException


def test_direct_mode_keeps_botocore_client_side_validation() -> None:
    with mock_secretsmanager(transport="direct") as sm:
        client = new_client()
        with pytest.raises(ParamValidationError):
            client.get_secret_value()
    assert len(sm.calls) == 0


def test_direct_mode_fills_in_the_client_request_token() -> None:
    with mock_secretsmanager(transport="direct"):
        created = new_client().create_secret(Name="direct/token", SecretString="v")
    assert uuid.UUID(created["VersionId"]).version == 4


def test_direct_mode_does_not_retry_a_throttled_call() -> None:
    with mock_secretsmanager(transport="direct") as sm:
        client = new_client()
        client.create_secret(Name="direct/throttled", SecretString="v")
        sm.faults.add("GetSecretValue", "ThrottlingException", times=1)
        with pytest.raises(ClientError) as info:
            client.get_secret_value(SecretId="direct/throttled")
        assert info.value.response["Error"]["Code"] == "ThrottlingException"
        assert info.value.response["ResponseMetadata"]["RetryAttempts"] == 0
        assert [r.attempt for r in sm.calls.of("GetSecretValue")] == [1]
        assert list(sm.sleeps) == []


def test_http_mode_retries_the_same_throttled_call() -> None:
    with mock_secretsmanager() as sm:
        client = new_client()
        client.create_secret(Name="http/throttled", SecretString="v")
        sm.faults.add("GetSecretValue", "ThrottlingException", times=1)
        value = client.get_secret_value(SecretId="http/throttled")
    assert value["ResponseMetadata"]["RetryAttempts"] == 1
    assert [r.attempt for r in sm.calls.of("GetSecretValue")] == [1, 2]


def test_direct_mode_raises_botocore_exception_for_an_injected_network_failure() -> None:
    with mock_secretsmanager(transport="direct") as sm:
        client = new_client()
        sm.faults.add("ListSecrets", "ConnectionError", times=1)
        with pytest.raises(EndpointConnectionError):
            client.list_secrets()
        assert client.list_secrets()["SecretList"] == []
        assert [r.error_code for r in sm.calls] == ["ConnectionError", None]


def test_direct_mode_leaves_unsigned_clients_to_the_http_path() -> None:
    sent: list[str] = []
    with mock_secretsmanager(transport="direct") as sm:
        client = new_client(config=Config(signature_version=botocore.UNSIGNED))
        client.meta.events.register("before-send.secrets-manager", lambda **kw: sent.append("send"))
        assert client.list_secrets()["SecretList"] == []
    assert sent == ["send"]
    assert len(sm.calls) == 1


def test_direct_mode_reads_region_and_account_like_the_signature() -> None:
    with mock_secretsmanager(transport="direct") as sm:
        client = new_client(
            "eu-west-3",
            aws_access_key_id="111122223333",
            aws_secret_access_key="other-account",
        )
        created = client.create_secret(Name="direct/elsewhere", SecretString="v")
    assert created["ARN"].startswith("arn:aws:secretsmanager:eu-west-3:111122223333:secret:direct/elsewhere-")
    assert (sm.calls[-1].region, sm.calls[-1].account_id) == ("eu-west-3", "111122223333")


def test_after_call_handlers_can_read_the_body_the_http_path_would_send() -> None:
    bodies: list[bytes] = []
    with mock_secretsmanager(transport="direct"):
        client = new_client()
        client.meta.events.register(
            "after-call.secrets-manager", lambda http_response, **kw: bodies.append(http_response.content)
        )
        created = client.create_secret(Name="direct/body", SecretString="v")
        with pytest.raises(ClientError):
            client.describe_secret(SecretId="direct/none")
    answer = {k: v for k, v in created.items() if k != "ResponseMetadata"}
    assert bodies[0] == encode_result(answer)
    assert json.loads(bodies[1]) == {
        "__type": "ResourceNotFoundException",
        "Message": "Secrets Manager can't find the specified secret.",
    }


def test_after_call_handlers_see_the_response_headers() -> None:
    seen: list[tuple[int, str, str]] = []

    def capture(http_response: Any, parsed: dict[str, Any], **kwargs: Any) -> None:
        headers = http_response.headers
        seen.append((http_response.status_code, headers["x-amzn-requestid"], headers["content-type"]))
        assert headers["x-amzn-requestid"] == parsed["ResponseMetadata"]["RequestId"]

    with mock_secretsmanager(transport="direct"):
        client = new_client()
        client.meta.events.register("after-call.secrets-manager", capture)
        client.list_secrets()
        with pytest.raises(ClientError):
            client.get_secret_value(SecretId="direct/none")
    assert [(status, kind) for status, _, kind in seen] == [
        (200, "application/x-amz-json-1.1"),
        (400, "application/x-amz-json-1.1"),
    ]
    assert seen[0][1] != seen[1][1]


def test_a_stubber_on_the_client_still_answers_first() -> None:
    with mock_secretsmanager(transport="direct") as sm:
        client = new_client()
        with Stubber(client) as stubber:
            stubber.add_response("list_secrets", {"SecretList": [{"Name": "from-the-stubber"}]})
            listed = client.list_secrets()
    assert [s["Name"] for s in listed["SecretList"]] == ["from-the-stubber"]
    assert len(sm.calls) == 0


def test_attach_serves_an_older_client_in_direct_mode_too() -> None:
    session = boto3.session.Session(
        aws_access_key_id="AKIAOLDCLIENT0000000", aws_secret_access_key="x", region_name="us-east-1"
    )
    client = session.client("secretsmanager")
    # Simulate a session that predates `import sm_mock`: drop the built-in registrations.
    client.meta.events.unregister("before-call.secrets-manager", before_call)
    with mock_secretsmanager(transport="direct") as sm:
        attach(client)
        client.list_secrets()
        assert len(sm.calls) == 1


def test_transport_option_is_checked_and_kept_by_copies() -> None:
    with pytest.raises(ValueError, match=r"transport='grpc'\): transport takes 'http'"):
        mock_secretsmanager(transport="grpc")  # type: ignore[call-overload]
    assert mock_secretsmanager(transport="direct").copy().transport == "direct"

    @mock_secretsmanager(transport="direct")
    def decorated() -> str:
        return sm_mock.current().transport

    assert decorated() == "direct"


def test_direct_mode_timestamps_have_the_http_path_types_under_freezegun() -> None:
    def created(transport: Transport) -> Any:
        with freeze_time("2031-05-06 07:08:09"), mock_secretsmanager(transport=transport, seed=1):
            client = new_client()
            client.create_secret(Name="frozen", SecretString="v", ClientRequestToken="frozen-token-" + "0" * 20)
            return client.describe_secret(SecretId="frozen")

    http, direct = created("http"), created("direct")
    assert_identical(_strip(http), _strip(direct))
    assert http["CreatedDate"] == datetime(2031, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
    assert type(http["CreatedDate"]) is not datetime  # freezegun's class, which direct mode matches


def test_last_accessed_date_is_a_midnight_datetime_in_both_transports() -> None:
    def described(transport: Transport) -> Any:
        with mock_secretsmanager(
            transport=transport, seed=1, clock=lambda: datetime(2031, 1, 2, 3, 4, tzinfo=timezone.utc)
        ):
            client = new_client()
            client.create_secret(Name="accessed", SecretString="v", ClientRequestToken="accessed-token-" + "0" * 20)
            client.get_secret_value(SecretId="accessed")
            return client.describe_secret(SecretId="accessed")

    http, direct = described("http"), described("direct")
    assert_identical(_strip(http), _strip(direct))
    assert direct["LastAccessedDate"] == datetime.combine(date(2031, 1, 2), datetime.min.time(), timezone.utc)


def test_direct_answers_share_no_objects_with_the_model() -> None:
    with mock_secretsmanager(transport="direct") as sm:
        client = new_client()
        client.create_secret(Name="direct/shared", SecretString="v", Tags=[{"Key": "k", "Value": "v"}])
        described = client.describe_secret(SecretId="direct/shared")
        described["Tags"].append({"Key": "added", "Value": "x"})
        for labels in described["VersionIdsToStages"].values():
            labels.append("MUTATED")
        again = client.describe_secret(SecretId="direct/shared")
    assert again["Tags"] == [{"Key": "k", "Value": "v"}]
    assert all(labels == ["AWSCURRENT"] for labels in again["VersionIdsToStages"].values())
    assert sm.backend.secrets()[0].tags == {"k": "v"}


# ---- the shared pieces both transports rely on ------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        b'{"SecretId": "a"}',
        b'{"SecretId": "a"}  \n\t',
        b'{"SecretId": "a"} trailing',
        b'{"SecretId": "a"}{}',
        b'{"SecretId": "\xed\xa0\x80"}',  # an encoded lone surrogate: json.loads takes it, not AWS
        b'{"SecretId": "\xff"}',
        b"\xef\xbb\xbf{}",
        b' {"a": 1}',
        "{}".encode("utf-16-le"),
        '{"a": "é"}',
    ],
)
def test_request_bodies_decode_exactly_like_json_loads(body: bytes | str) -> None:
    # Both transports decode the body botocore serialized through protocol.decode_request,
    # whose short path for UTF-8 objects must agree with json.loads on every input, except that
    # text that is not Unicode (a lone surrogate, issue 18 item 10) is refused.
    from sm_mock.errors import AwsError
    from sm_mock.protocol import decode_request

    try:
        loaded = json.loads(body)
        json.dumps(loaded, ensure_ascii=False).encode("utf-8")
        expected: tuple[Any, ...] = ("ok", loaded) if isinstance(loaded, dict) else ("refused",)
    except (ValueError, UnicodeEncodeError):
        expected = ("refused",)
    try:
        actual: tuple[Any, ...] = ("ok", decode_request(body))
    except AwsError as error:
        assert error.code == "SerializationException"
        actual = ("refused",)
    assert actual == expected


def test_timestamp_memo_gives_equal_datetimes_when_it_is_full(monkeypatch: pytest.MonkeyPatch) -> None:
    import sm_mock.botocore.direct as direct

    monkeypatch.setattr(direct, "_TIMESTAMPS_MAX", 2)
    direct._TIMESTAMPS.clear()
    moments = [datetime(2031, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=i) for i in range(5)]
    parsed = [direct._convert(lambda value: {"t": direct._timestamp(value)}, moment)["t"] for moment in moments]
    assert parsed == moments
    assert all(type(p.tzinfo) is tzlocal for p in parsed)
    assert len(direct._TIMESTAMPS) <= 2
    assert direct._timestamp(1.5e9) == datetime.fromtimestamp(1.5e9, timezone.utc)
