"""Replay every recorded AWS behaviour row (tests/data/aws_behaviour.json) against sm_mock.

One test per row, with the row id as the test id. Rows are replayed through real boto3
clients (botocore validates, serializes, signs and parses as it would against AWS); the
replay engine lives in tests/behaviour_rows.py. Errors are checked for code, exact message
(whenever the row has one: sm_mock adopted the row texts at every confidence level), HTTP
status, and the botocore error-dict shape of SM-132.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest
from async_support import BlockingClient, needs_aio
from behaviour_rows import (
    CHECK_KINDS,
    Placeholders,
    Row,
    call,
    check_expect,
    load_rows,
    run_setup,
)
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError
from support import new_client

from sm_mock import SecretsManagerMock, mock_secretsmanager
from sm_mock.mock import DEFAULT_ACCOUNT, DEFAULT_REGION

REGION = DEFAULT_REGION
ACCOUNT = DEFAULT_ACCOUNT
#: The caller of the cross-account rows: sm_mock reads a 12-digit access key id as the
#: account id itself (SecretsManagerMock.account_for).
OTHER_ACCOUNT = "111122223333"
ROTATION_STEPS = ["createSecret", "setSecret", "testSecret", "finishSecret"]

ROWS = load_rows()

Runner = Callable[[Row, SecretsManagerMock], None]


#: Makes the clients a row is replayed through: boto3's (new_client) by default; the async
#: transport swaps in aiobotocore's (tests/async_support.BlockingClient) while it replays.
_row_clients: list[Callable[..., Any]] = [new_client]


def row_client(region: str, **kwargs: Any) -> Any:
    """A new client for replaying a row, of the transport in use."""
    return _row_clients[-1](region, **kwargs)


def _placeholders() -> Placeholders:
    return Placeholders(REGION, ACCOUNT)


# ---- errors ---------------------------------------------------------------------------------
#: Confidence-E rows whose text sm_mock deliberately does not copy (AWS_BEHAVIOUR.md: for E
#: "keep the error code, treat the message as provisional"). Only the part before the
#: divergence is compared.
PROVISIONAL_MESSAGES = {
    # The recorded enum list is moto's; the row's own note says AWS's list is botocore's
    # full enum, which is what sm_mock prints.
    "SM-053": "1 validation error detected: Value 'invalid' at 'filters.1.member.key' failed to satisfy "
    "constraint: Member must satisfy enum value set: [",
}


def _check_error(client: Any, error: ClientError, row: Row, ph: Placeholders) -> None:
    """Code, exact message (when recorded), HTTP status (when recorded) and SM-132's shape."""
    response = error.response
    code = row["error_code"]
    assert response["Error"]["Code"] == code, f"expected {code}, got {response['Error']}"
    prefix = PROVISIONAL_MESSAGES.get(row.get("id", ""))
    if prefix is not None:
        assert row["confidence"] == "E"
        assert response["Error"]["Message"].startswith(prefix)
    elif row["message"] is not None:
        assert response["Error"]["Message"] == ph.resolve(row["message"])
    if row["http_status"] is not None:
        assert response["ResponseMetadata"]["HTTPStatusCode"] == row["http_status"]
    # SM-132: errors botocore models carry the text in a top-level "Message" too; the others
    # (ValidationException, AccessDeniedException) only in Error.Message.
    if client.meta.service_model.shape_for_error_code(code) is not None:
        assert response.get("Message") == response["Error"]["Message"]
    else:
        assert "Message" not in response


def _request_and_check(client: Any, row: Row, ph: Placeholders, sm: SecretsManagerMock) -> None:
    """Send the row's request and check its answer (success expectations or the error)."""
    op = row["operation"]
    params = ph.resolve(row["request"])
    code = row["error_code"]
    if code is None:
        check_expect(call(client, op, params), row["expect"], ph)
        return
    assert not row["expect"], "an error row has no success expectations"
    if code == "ParamValidationError":
        # SM-055: botocore refuses the call client-side; the mock never sees it.
        before = len(sm.calls)
        with pytest.raises(ParamValidationError):
            call(client, op, params)
        assert len(sm.calls) == before
        return
    with pytest.raises(ClientError) as info:
        call(client, op, params)
    _check_error(client, info.value, row, ph)


def _followups(client: Any, row: Row, ph: Placeholders) -> None:
    for i, step in enumerate(row["followups"], 1):
        response = call(client, step["op"], ph.resolve(step["params"]))
        try:
            check_expect(response, step["expect"], ph)
        except AssertionError as exc:
            raise AssertionError(f"followup {i} ({step['op']}): {exc}") from None


# ---- transports -----------------------------------------------------------------------------
def _run_boto3(row: Row, sm: SecretsManagerMock, client: Any = None) -> None:
    client = client if client is not None else row_client(REGION)
    ph = _placeholders()
    run_setup(client, row, ph)
    # A row may send its request from another region than its setup (a replica's: SM-136).
    request_client = new_client(row["request_region"]) if "request_region" in row else client
    _request_and_check(request_client, row, ph, sm)
    _followups(client, row, ph)


def _run_no_param_validation(row: Row, sm: SecretsManagerMock) -> None:
    _run_boto3(row, sm, row_client(REGION, config=Config(parameter_validation=False)))


class RawWire:
    """Sends a raw JSON body through a real client and keeps the raw HTTP answer.

    boto3 always fills in ClientRequestToken (an idempotency token in the model); the
    ``before-sign`` handler replaces the serialized body with the row's own body, which has
    none, before it is signed and before sm_mock's ``before-send`` handler sees it. The
    ``after-call`` handler keeps the raw status and body (it runs for errors too).
    """

    def __init__(self, client: Any, operation: str, body: dict[str, Any]) -> None:
        self.body = body
        self.token_stripped = False
        self.status: int | None = None
        self.raw: bytes = b""
        events = client.meta.events
        events.register(f"before-sign.secrets-manager.{operation}", self._rewrite)
        events.register(f"after-call.secrets-manager.{operation}", self._capture)

    def _rewrite(self, request: Any, **kwargs: Any) -> None:
        sent = json.loads(request.data)
        self.token_stripped = "ClientRequestToken" in sent
        request.data = json.dumps(self.body).encode()

    def _capture(self, http_response: Any, **kwargs: Any) -> Any:
        self.status = http_response.status_code
        return _read_content(http_response, self._keep)

    def _keep(self, raw: bytes) -> None:
        self.raw = raw

    def json(self) -> Any:
        """The raw response body, parsed."""
        return json.loads(self.raw)


def _read_content(http_response: Any, keep: Callable[[bytes], object]) -> Any:
    """Hand the response body to ``keep``: botocore's ``content`` is bytes, aiobotocore's an
    awaitable, which an async client's event emitter awaits when a handler returns it."""
    content = http_response.content
    if not inspect.isawaitable(content):
        keep(content)
        return None

    async def read() -> None:
        keep(await content)

    return read()


def _run_raw_http(row: Row, sm: SecretsManagerMock) -> None:
    """SM-029 … SM-032: the request arrives without ClientRequestToken."""
    client = row_client(REGION)
    ph = _placeholders()
    run_setup(client, row, ph)
    body = ph.resolve(row["request"])
    assert "ClientRequestToken" not in body
    op = row["operation"]
    wire = RawWire(client, op, body)
    # Only the members botocore requires; the handler swaps in the row's body (which may hold
    # members the operation does not model, e.g. SM-031's Description).
    required = client.meta.service_model.operation_model(op).input_shape.required_members
    with pytest.raises(ClientError) as info:
        call(client, op, {k: body[k] for k in required})
    assert wire.token_stripped, "boto3 did not add a ClientRequestToken to strip"
    assert wire.status == (row["http_status"] or 400)
    assert wire.json() == {"__type": row["error_code"], "Message": ph.resolve(row["message"])}
    _check_error(client, info.value, row, ph)


def _other_account_client() -> Any:
    return row_client(REGION, aws_access_key_id=OTHER_ACCOUNT, aws_secret_access_key="sm-row-other-account")


def _run_cross_account(row: Row, sm: SecretsManagerMock) -> None:
    """SM-043, SM-044: a secret under the default KMS key, called by full ARN from another account."""
    home = row_client(REGION)
    ph = _placeholders()
    created = home.create_secret(Name=ph["name"], SecretString="my_secret")
    ph["arn"] = created["ARN"]
    other = _other_account_client()
    _request_and_check(other, row, ph, sm)
    # The row's note: metadata calls from the other account succeed.
    assert other.describe_secret(SecretId=ph["arn"])["ARN"] == ph["arn"]
    assert sm.calls[-1].account_id == OTHER_ACCOUNT
    assert home.get_secret_value(SecretId=ph["arn"])["SecretString"] == "my_secret"


# ---- rows that need their own setup ---------------------------------------------------------
def _run_sm028(row: Row, sm: SecretsManagerMock) -> None:
    """SM-028 (D, not runnable on AWS: a transient of the asynchronous purge).

    sm_mock purges a forced deletion at once (SPEC G3), as the row's note allows, so the name
    is free immediately: CreateSecret succeeds with a new ARN, exactly as the confidence-A row
    SM-062 records once the purge has finished.
    """
    client = row_client(REGION)
    ph = _placeholders()
    run_setup(client, row, ph)
    response = client.create_secret(**ph.resolve(row["request"]))
    check_expect(response, {"keys": ["ARN", "Name", "VersionId"], "not_equals": {"ARN": "<arn>"}}, ph)


def _run_sm054(row: Row, sm: SecretsManagerMock) -> None:
    """SM-054 (D, not runnable): AWS's IAM could not resolve a principal yet."""
    pytest.skip(
        "SM-054 needs IAM principal resolution (a role created seconds ago); sm_mock does not "
        "model IAM, so every syntactically valid principal is accepted"
    )


def _run_sm123(row: Row, sm: SecretsManagerMock) -> None:
    """SM-123: ListSecrets never lists another account's secrets, even with a resource policy."""
    home = row_client(REGION)
    ph = _placeholders()
    created = home.create_secret(Name=ph["name"], SecretString="my_secret")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
                "Action": "secretsmanager:*",
                "Resource": "*",
            }
        ],
    }
    home.put_resource_policy(SecretId=created["ARN"], ResourcePolicy=json.dumps(policy))
    theirs = call(_other_account_client(), "ListSecrets", ph.resolve(row["request"]))
    check_expect(theirs, {"names_exclude": ["<name>"]}, ph)
    ours = call(home, "ListSecrets", ph.resolve(row["request"]))
    check_expect(ours, {"names_include": ["<name>"]}, ph)  # the exclusion above is not vacuous


class RotationFunction:
    """A rotation Lambda written like AWS's Python template, recording what it saw.

    It works through the public API (DescribeSecret, GetSecretValue, PutSecretValue,
    UpdateSecretVersionStage) with its own boto3 client, so it re-enters the mock while
    RotateSecret is still running (SPEC H14). Exceptions are recorded before they propagate:
    a synchronous mock may swallow a failed step (SPEC H17).
    """

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.seen: dict[str, Any] = {}
        self.errors: list[str] = []
        self._client: Any = None

    @property
    def client(self) -> Any:
        """The function's own client (created on first use)."""
        if self._client is None:
            self._client = new_client(REGION)  # a Lambda's own boto3 client, whatever the row's is
        return self._client

    @property
    def steps(self) -> list[str]:
        """The Step of every invocation, in order."""
        return [event["Step"] for event in self.events]

    def __call__(self, event: dict[str, Any], context: Any) -> None:
        self.events.append(dict(event))
        step = {
            "createSecret": self.create_secret,
            "setSecret": self.set_secret,
            "testSecret": self.test_secret,
            "finishSecret": self.finish_secret,
        }[event["Step"]]
        try:
            step(event["SecretId"], event["ClientRequestToken"])
        except Exception as exc:
            self.errors.append(f"{event['Step']}: {exc!r}")
            raise

    def create_secret(self, arn: str, token: str) -> None:
        """Write the pending value unless it exists (records SM-127's observations)."""
        c = self.client
        meta = c.describe_secret(SecretId=arn)
        self.seen["create.RotationEnabled"] = meta.get("RotationEnabled")
        self.seen["create.token_stages"] = (meta.get("VersionIdsToStages") or {}).get(token)
        current = c.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")
        try:
            c.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
            self.seen["create.pending_error"] = None
        except c.exceptions.ResourceNotFoundException as exc:
            self.seen["create.pending_error"] = exc.response["Error"]["Code"]
            c.put_secret_value(
                SecretId=arn,
                ClientRequestToken=token,
                SecretString=current["SecretString"] + "-rotated",
                VersionStages=["AWSPENDING"],
            )

    def set_secret(self, arn: str, token: str) -> None:
        """Nothing external to update."""

    def test_secret(self, arn: str, token: str) -> None:
        """Read the pending value (SM-128 records what it holds)."""
        pending = self.client.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
        self.seen["test.pending_value"] = pending["SecretString"]

    def finish_secret(self, arn: str, token: str) -> None:
        """Move AWSCURRENT to the new version (AWSPREVIOUS follows, SPEC D8d)."""
        c = self.client
        stages = c.describe_secret(SecretId=arn)["VersionIdsToStages"]
        current = next(vid for vid, labels in stages.items() if "AWSCURRENT" in labels)
        if current == token:
            return
        c.update_secret_version_stage(
            SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=current
        )


def _rotation_setup(sm: SecretsManagerMock, name: str = "name") -> tuple[Any, Placeholders, RotationFunction]:
    client = row_client(REGION)
    ph = _placeholders()
    fn = RotationFunction()
    sm.register_lambda(ph["lambda_arn"], fn)
    created = client.create_secret(Name=ph[name], SecretString="init", Description="rotated by a Lambda")
    ph["arn"], ph["v1"] = created["ARN"], created["VersionId"]
    return client, ph, fn


def _assert_full_rotation(fn: RotationFunction, token: str, arn: str) -> None:
    assert not fn.errors, fn.errors
    assert fn.steps == ROTATION_STEPS
    assert {event["ClientRequestToken"] for event in fn.events} == {token}
    assert {event["SecretId"] for event in fn.events} == {arn}


def _run_sm124(row: Row, sm: SecretsManagerMock) -> None:
    """SM-124: RotateSecret answers ARN, Name, VersionId; RotateImmediately omitted or True."""
    for immediately in (None, True):
        client, ph, fn = _rotation_setup(sm)
        params = ph.resolve(row["request"])
        if immediately is not None:
            params["RotateImmediately"] = immediately
        response = call(client, "RotateSecret", params)
        check_expect(response, row["expect"], ph)
        _assert_full_rotation(fn, response["VersionId"], ph["arn"])
        value = client.get_secret_value(SecretId=ph["name"])
        assert (value["VersionId"], value["SecretString"]) == (response["VersionId"], "init-rotated")


def _run_sm125(row: Row, sm: SecretsManagerMock) -> None:
    """SM-125: DescribeSecret after a successful rotation."""
    client, ph, fn = _rotation_setup(sm)
    rotated = client.rotate_secret(
        SecretId=ph["name"], RotationLambdaARN=ph["lambda_arn"], RotationRules={"AutomaticallyAfterDays": 1}
    )
    _assert_full_rotation(fn, rotated["VersionId"], ph["arn"])
    ph["v2"] = rotated["VersionId"]
    response = call(client, "DescribeSecret", ph.resolve(row["request"]))
    check_expect(response, row["expect"], ph)
    # The row's note: AWSPENDING is gone once finishSecret moved AWSCURRENT.
    assert response["VersionIdsToStages"] == {ph["v1"]: ["AWSPREVIOUS"], ph["v2"]: ["AWSCURRENT"]}


def _run_sm126(row: Row, sm: SecretsManagerMock) -> None:
    """SM-126: a second rotation with only SecretId reuses the stored Lambda and rules."""
    client, ph, fn = _rotation_setup(sm)
    first = client.rotate_secret(
        SecretId=ph["name"], RotationLambdaARN=ph["lambda_arn"], RotationRules={"AutomaticallyAfterDays": 1}
    )
    ph["v2"] = first["VersionId"]
    response = call(client, "RotateSecret", ph.resolve(row["request"]))
    check_expect(response, row["expect"], ph)
    ph["v3"] = response["VersionId"]
    assert not fn.errors, fn.errors
    assert fn.steps == ROTATION_STEPS * 2
    assert [e["ClientRequestToken"] for e in fn.events] == [ph["v2"]] * 4 + [ph["v3"]] * 4
    described = client.describe_secret(SecretId=ph["name"])
    # The older version drops out of VersionIdsToStages.
    check_expect(described, {"stages": {"<v1>": None, "<v2>": ["AWSPREVIOUS"], "<v3>": ["AWSCURRENT"]}}, ph)
    assert described["RotationRules"]["AutomaticallyAfterDays"] == 1


def _run_sm127(row: Row, sm: SecretsManagerMock) -> None:
    """SM-127: during createSecret, rotation is on and the token is an empty AWSPENDING version."""
    client, ph, fn = _rotation_setup(sm)
    response = call(client, "RotateSecret", ph.resolve(row["request"]))
    assert not fn.errors, fn.errors
    assert fn.steps == ROTATION_STEPS
    assert fn.events[0]["ClientRequestToken"] == response["VersionId"]
    assert fn.seen["create.RotationEnabled"] is True
    assert fn.seen["create.token_stages"] == ["AWSPENDING"]
    assert fn.seen["create.pending_error"] == "ResourceNotFoundException"


def _run_sm128(row: Row, sm: SecretsManagerMock) -> None:
    """SM-128: RotateImmediately=False runs only testSecret on a copy of the current value."""
    client, ph, fn = _rotation_setup(sm)
    call(client, "RotateSecret", ph.resolve(row["request"]))
    assert not fn.errors, fn.errors
    assert fn.steps == ["testSecret"]
    assert fn.events[0]["ClientRequestToken"] != ph["v1"]
    assert fn.seen["test.pending_value"] == "init"
    current = client.get_secret_value(SecretId=ph["name"])
    assert (current["VersionId"], current["SecretString"]) == (ph["v1"], "init")


def _error_cases(client: Any, ph: Placeholders) -> list[tuple[str, Callable[[], Any]]]:
    """(expected code, a call that fails with it), for the meta rows SM-131 and SM-132."""
    client.create_secret(Name=ph["name"], SecretString="my_secret")
    client.create_secret(Name=ph["name_b"], SecretString="my_secret")
    client.delete_secret(SecretId=ph["name_b"])
    return [
        ("ResourceNotFoundException", lambda: client.get_secret_value(SecretId=ph["missing_name"])),
        ("ResourceExistsException", lambda: client.create_secret(Name=ph["name"], SecretString="x")),
        ("InvalidRequestException", lambda: client.get_secret_value(SecretId=ph["name_b"])),
        (
            "InvalidParameterException",
            lambda: client.delete_secret(SecretId=ph["name"], RecoveryWindowInDays=5),
        ),
        ("ValidationException", lambda: client.describe_secret(SecretId="Inv Name")),
    ]


def _run_sm131(row: Row, sm: SecretsManagerMock) -> None:
    """SM-131: every error is HTTP 400 with the body {"__type": Code, "Message": text}."""
    client = row_client(REGION)
    captured: list[tuple[int, bytes]] = []

    def capture(http_response: Any, **kwargs: Any) -> Any:
        return _read_content(http_response, lambda raw: captured.append((http_response.status_code, raw)))

    client.meta.events.register("after-call.secrets-manager", capture)
    for code, failing in _error_cases(client, _placeholders()):
        captured.clear()
        with pytest.raises(ClientError) as info:
            failing()
        assert len(captured) == 1
        status, raw = captured[0]
        body = json.loads(raw)
        assert status == 400
        assert set(body) == {"__type", "Message"}
        assert body["__type"] == code == info.value.response["Error"]["Code"]
        assert body["Message"] == info.value.response["Error"]["Message"]


def _run_sm132(row: Row, sm: SecretsManagerMock) -> None:
    """SM-132: modelled errors carry a top-level 'Message'; ValidationException does not."""
    client = row_client(REGION)
    model = client.meta.service_model
    # Facts of botocore's service model the row relies on.
    assert model.shape_for_error_code("ValidationException") is None
    assert model.shape_for_error_code("AccessDeniedException") is None
    for code, failing in _error_cases(client, _placeholders()):
        with pytest.raises(ClientError) as info:
            failing()
        response = info.value.response
        assert response["Error"]["Code"] == code
        if code == "ValidationException":
            assert "Message" not in response
        else:
            assert response["Message"] == response["Error"]["Message"]


def _run_sm133(row: Row, sm: SecretsManagerMock) -> None:
    """SM-133 is a note: VersionStages / Versions order is not an AWS fact, so the replay
    engine compares label lists as sets. Check that it does (and still compares)."""
    ph = _placeholders()
    ph["v1"] = "a" * 32
    check_expect({"VersionStages": ["PUT0", "AWSCURRENT"]}, {"equals": {"VersionStages": ["AWSCURRENT", "PUT0"]}}, ph)
    check_expect({"VersionIdsToStages": {"a" * 32: ["B", "A"]}}, {"stages": {"<v1>": ["A", "B"]}}, ph)
    with pytest.raises(AssertionError):
        check_expect({"VersionStages": ["PUT0", "AWSCURRENT"]}, {"equals": {"VersionStages": ["AWSCURRENT"]}}, ph)


TRANSPORTS: dict[str, Runner] = {
    "boto3": _run_boto3,
    "boto3_no_param_validation": _run_no_param_validation,
    "raw_http": _run_raw_http,
    "cross_account": _run_cross_account,
}

SPECIAL: dict[str, Runner] = {
    "SM-028": _run_sm028,
    "SM-054": _run_sm054,
    "SM-123": _run_sm123,
    "SM-124": _run_sm124,
    "SM-125": _run_sm125,
    "SM-126": _run_sm126,
    "SM-127": _run_sm127,
    "SM-128": _run_sm128,
    "SM-131": _run_sm131,
    "SM-132": _run_sm132,
    "SM-133": _run_sm133,
}


@pytest.mark.parametrize("row", [pytest.param(row, id=row["id"]) for row in ROWS])
def test_recorded_row_behaves_like_aws(row: Row) -> None:
    """Replay one recorded row through boto3 against a fresh sm_mock."""
    runner = SPECIAL.get(row["id"]) or TRANSPORTS.get(row["transport"])
    assert runner is not None, f"{row['id']}: no runner for transport {row['transport']!r}"
    with mock_secretsmanager() as sm:
        runner(row, sm)


@needs_aio
@pytest.mark.parametrize("row", [pytest.param(row, id=row["id"]) for row in ROWS])
def test_recorded_row_behaves_like_aws_through_aiobotocore(row: Row) -> None:
    """Replay one recorded row through aiobotocore clients (the async transport): the same
    expectations, met through aiobotocore's endpoint, parser and exceptions."""
    runner = SPECIAL.get(row["id"]) or TRANSPORTS.get(row["transport"])
    assert runner is not None, f"{row['id']}: no runner for transport {row['transport']!r}"
    made: list[BlockingClient] = []

    def aio_client(region: str, **kwargs: Any) -> BlockingClient:
        made.append(BlockingClient(region, **kwargs))
        return made[-1]

    _row_clients.append(aio_client)
    try:
        with mock_secretsmanager() as sm:
            runner(row, sm)
    finally:
        _row_clients.pop()
        for client in made:
            client.close()
    assert made or row["id"] in ROWS_WITHOUT_A_CLIENT, f"{row['id']} made no aiobotocore client"


#: Rows whose check needs no client at all (a note on the harness, a skipped row).
ROWS_WITHOUT_A_CLIENT = {"SM-133"}


# ---- the harness itself can fail ------------------------------------------------------------
def test_every_row_has_a_runner() -> None:
    for row in ROWS:
        assert row["id"] in SPECIAL or row["transport"] in TRANSPORTS, row["id"]
    assert len({row["id"] for row in ROWS}) == len(ROWS), "row ids must be unique"


def test_every_expect_kind_in_the_data_is_known() -> None:
    used = {kind for row in ROWS for kind in row["expect"]}
    used |= {kind for row in ROWS for step in row["followups"] for kind in step["expect"]}
    assert used <= set(CHECK_KINDS), sorted(used - set(CHECK_KINDS))


_V1, _V2, _V3 = "1" * 32, "2" * 32, "3" * 32
_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:demo-AbC123"
_VERSIONS = {
    "Versions": [
        {"VersionId": _V1, "VersionStages": ["AWSCURRENT"], "CreatedDate": datetime(2024, 1, 2, 3, 4)},
        {"VersionId": _V2, "CreatedDate": datetime(2024, 1, 1)},
    ]
}
_LIST = {"SecretList": [{"ARN": _ARN, "Name": "demo"}]}
_MIDNIGHT = {
    "LastAccessedDate": datetime(2024, 1, 2, tzinfo=timezone.utc),
    "LastChangedDate": datetime(2024, 1, 2, 0, 0, 1, tzinfo=timezone.utc),
}

#: kind → (response, an expectation it meets, an expectation it fails)
SELF_TEST_CASES: dict[str, tuple[dict[str, Any], Any, Any]] = {
    "keys": ({"ARN": _ARN, "Name": "demo", "ResponseMetadata": {}}, ["ARN", "Name"], ["ARN"]),
    "keys_include": ({"ARN": _ARN, "Name": "demo"}, ["ARN"], ["VersionId"]),
    "keys_exclude": ({"ARN": _ARN, "Name": "demo"}, ["VersionId"], ["ARN"]),
    "equals": ({"Name": "demo"}, {"Name": "demo"}, {"Name": "other"}),
    "set_equals": (
        {"VersionStages": ["AWSCURRENT", "PUT0"]},
        {"VersionStages": ["PUT0", "AWSCURRENT"]},
        {"VersionStages": ["AWSCURRENT"]},
    ),
    "not_equals": ({"Name": "demo"}, {"Name": "other"}, {"Name": "demo"}),
    "stages": (
        {"VersionIdsToStages": {_V1: ["AWSCURRENT"], _V2: ["AWSPREVIOUS"]}},
        {"<v1>": ["AWSCURRENT"], "<v3>": None},
        {"<v2>": None},
    ),
    "versions_present": (_VERSIONS, ["<v1>", "<v2>"], ["<v1>", "<v3>"]),
    "version_entry_keys": (
        _VERSIONS,
        {"<v1>": ["CreatedDate", "VersionId", "VersionStages"]},
        {"<v1>": ["VersionId", "VersionStages"]},
    ),
    "version_entry_keys_include": (_VERSIONS, {"<v1>": ["CreatedDate"]}, {"<v2>": ["VersionStages"]}),
    "version_entry_keys_exclude": (_VERSIONS, {"<v2>": ["VersionStages"]}, {"<v1>": ["VersionStages"]}),
    "version_entry_equals": (
        _VERSIONS,
        {"<v1>": {"VersionStages": ["AWSCURRENT"]}},
        {"<v1>": {"VersionStages": ["AWSPREVIOUS"]}},
    ),
    "names_include": (_LIST, ["demo"], ["other"]),
    "names_exclude": (_LIST, ["other"], ["demo"]),
    "list_entry_keys": (_LIST, {"demo": ["ARN", "Name"]}, {"demo": ["Name"]}),
    "secret_value_names": ({"SecretValues": [{"Name": "demo"}]}, ["demo"], ["demo", "other"]),
    "error_codes": (
        {"Errors": [{"SecretId": "gone", "ErrorCode": "ResourceNotFoundException"}]},
        {"gone": "ResourceNotFoundException"},
        {"gone": "InvalidRequestException"},
    ),
    "arn_prefix": (
        {"ARN": _ARN},
        "arn:aws:secretsmanager:<region>:<account>:secret:demo-",
        "arn:aws:secretsmanager:<region>:<account>:secret:other-",
    ),
    "arn_suffix_len": ({"ARN": _ARN}, 6, 7),
    "midnight": (_MIDNIGHT, ["LastAccessedDate"], ["LastChangedDate"]),
    "random_password": (
        {"RandomPassword": "abc123"},
        {"length": 6, "exclude": "xyz"},
        {"length": 6, "exclude": "a"},
    ),
}


def test_every_check_kind_has_a_self_test() -> None:
    assert set(SELF_TEST_CASES) == set(CHECK_KINDS)


@pytest.mark.parametrize("kind", sorted(SELF_TEST_CASES))
def test_check_kind_passes_right_and_fails_wrong_expectations(kind: str) -> None:
    response, good, bad = SELF_TEST_CASES[kind]
    ph = _placeholders()
    ph["v1"], ph["v2"], ph["v3"] = _V1, _V2, _V3
    assert check_expect(response, {kind: good}, ph) > 0
    with pytest.raises(AssertionError):
        check_expect(response, {kind: bad}, ph)


def test_unknown_expect_kind_is_refused() -> None:
    with pytest.raises(AssertionError, match="unknown expect kinds"):
        check_expect({}, {"keys_sorta": ["ARN"]}, _placeholders())


def test_unknown_or_unsaved_placeholder_is_refused() -> None:
    ph = _placeholders()
    with pytest.raises(KeyError):
        ph.resolve("<v1>")
    with pytest.raises(KeyError):
        ph.resolve("<no_such_placeholder>")


def test_fresh_placeholders_are_stable_within_a_row_and_bytes_decode() -> None:
    ph = _placeholders()
    assert ph.resolve("<name>/x") == f"{ph['name']}/x"
    assert ph.resolve("<name>") != ph.resolve("<name_b>")
    assert ph.resolve({"$bytes_b64": "AAEC/w=="}) == b"\x00\x01\x02\xff"
    ph["arn"] = _ARN
    assert ph.resolve("<arn-7>") == _ARN[:-7]


def test_error_check_compares_code_message_and_status() -> None:
    client = row_client(REGION)
    row: Row = {"error_code": "ResourceNotFoundException", "message": "right", "http_status": 400}
    error = ClientError(
        {
            "Error": {"Code": "ResourceNotFoundException", "Message": "wrong"},
            "Message": "wrong",
            "ResponseMetadata": {"HTTPStatusCode": 400},
        },
        "GetSecretValue",
    )
    with pytest.raises(AssertionError):
        _check_error(client, error, row, _placeholders())
    with pytest.raises(AssertionError):
        wrong_code = {**row, "message": "wrong", "error_code": "InvalidRequestException"}
        _check_error(client, error, wrong_code, _placeholders())
    with pytest.raises(AssertionError):
        _check_error(client, error, {**row, "message": "wrong", "http_status": 404}, _placeholders())
    _check_error(client, error, {**row, "message": "wrong"}, _placeholders())
