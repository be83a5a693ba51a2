"""RotateSecret / CancelRotateSecret through boto3: the four-step protocol run in-process
(SPEC H9-H21, H24-H27; rows SM-032, SM-040, SM-041, SM-124..SM-128)."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError
from support import error_of, new_client

from sm_mock import SecretsManagerMock, mock_secretsmanager
from sm_mock.choices import ROTATION_RETRIES
from sm_mock.errors import AwsError
from sm_mock.mock import DEFAULT_ACCOUNT, DEFAULT_REGION
from sm_mock.pipeline import serve_params
from sm_mock.rotation import STEPS, LambdaContext

LAMBDA_ARN = f"arn:aws:lambda:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:function:rotate-me"
ROTATION_TOKEN = re.compile(r"[a-zA-Z0-9-]{36,256}")


def stages_of(client: Any, name: str) -> dict[str, list[str]]:
    return dict(client.describe_secret(SecretId=name)["VersionIdsToStages"])


def holder(client: Any, name: str, label: str) -> str | None:
    for vid, labels in stages_of(client, name).items():
        if label in labels:
            return vid
    return None


@dataclass
class Handler:
    """A correct rotation function that records its calls, with knobs to make it misbehave."""

    new_value: str = "rotated"
    fail_in: str | None = None
    failures: int = 1_000_000
    move_current: bool = True
    hooks: dict[str, Callable[[dict[str, Any]], None]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    contexts: list[Any] = field(default_factory=list)
    raised: list[BaseException] = field(default_factory=list)

    @property
    def steps(self) -> list[str]:
        return [event["Step"] for event in self.events]

    def __call__(self, event: dict[str, Any], context: Any) -> None:
        self.events.append(dict(event))
        self.contexts.append(context)
        step, arn, token = event["Step"], event["SecretId"], event["ClientRequestToken"]
        hook = self.hooks.get(step)
        if hook is not None:
            hook(event)
        if step == self.fail_in and self.failures > 0:
            self.failures -= 1
            exc = RuntimeError(f"boom in {step}")
            self.raised.append(exc)
            raise exc
        client = new_client(DEFAULT_REGION)
        if step == "createSecret":
            try:
                client.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
            except client.exceptions.ResourceNotFoundException:
                client.put_secret_value(
                    SecretId=arn, ClientRequestToken=token, SecretString=self.new_value, VersionStages=["AWSPENDING"]
                )
        elif step == "finishSecret" and self.move_current:
            current = holder(client, arn, "AWSCURRENT")
            if current != token:
                client.update_secret_version_stage(
                    SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=current
                )


def setup_secret(sm: SecretsManagerMock, handler: Any, name: str = "db", value: str = "initial") -> tuple[Any, str]:
    client = new_client(DEFAULT_REGION)
    v1 = client.create_secret(Name=name, SecretString=value)["VersionId"]
    sm.register_lambda(LAMBDA_ARN, handler)
    return client, v1


# ---- the protocol ---------------------------------------------------------------------------


def test_rotate_secret_calls_the_four_steps_in_order_with_the_lambda_event() -> None:
    with mock_secretsmanager() as sm:
        handler = Handler()
        client, _v1 = setup_secret(sm, handler)
        out = client.rotate_secret(
            SecretId="db", RotationLambdaARN=LAMBDA_ARN, RotationRules={"AutomaticallyAfterDays": 1}
        )
        arn = client.describe_secret(SecretId="db")["ARN"]

        assert handler.steps == list(STEPS) == ["createSecret", "setSecret", "testSecret", "finishSecret"]
        for event in handler.events:
            assert set(event) == {"Step", "SecretId", "ClientRequestToken", "RotationToken"}
            assert event["SecretId"] == arn  # SPEC H12: the ARN, whatever the caller passed
            assert event["ClientRequestToken"] == out["VersionId"]
            assert ROTATION_TOKEN.fullmatch(event["RotationToken"])
        assert len({event["RotationToken"] for event in handler.events}) == 1
        assert client.get_secret_value(SecretId="db")["SecretString"] == "rotated"


def test_rotate_secret_answers_arn_name_and_the_token_as_version_id() -> None:
    # SM-124.
    with mock_secretsmanager() as sm:
        client, _ = setup_secret(sm, Handler())
        out = client.rotate_secret(
            SecretId="db",
            ClientRequestToken="t" * 40,
            RotationLambdaARN=LAMBDA_ARN,
            RotationRules={"AutomaticallyAfterDays": 1},
        )
        out.pop("ResponseMetadata")
        assert set(out) == {"ARN", "Name", "VersionId"}
        assert out["VersionId"] == "t" * 40
        assert out["Name"] == "db"
        assert holder(client, "db", "AWSCURRENT") == "t" * 40


def test_lambda_context_has_the_usual_attributes() -> None:
    with mock_secretsmanager() as sm:
        handler = Handler()
        client, _ = setup_secret(sm, handler)
        client.rotate_secret(SecretId="db", RotationLambdaARN=LAMBDA_ARN)
        context = handler.contexts[0]
        assert isinstance(context, LambdaContext)
        assert context.function_name == "rotate-me"
        assert context.function_version == "$LATEST"
        assert context.invoked_function_arn == LAMBDA_ARN
        assert context.memory_limit_in_mb == "128"
        assert context.log_group_name == "/aws/lambda/rotate-me"
        assert "[$LATEST]" in context.log_stream_name
        assert re.fullmatch(r"[0-9a-f-]{36}", context.aws_request_id)
        assert 0 < context.get_remaining_time_in_millis() <= 30_000
        assert len({c.aws_request_id for c in handler.contexts}) == 4


def test_placeholder_is_visible_before_create_secret_runs() -> None:
    # SPEC H11 / SM-127: RotationEnabled is already true and the token is listed as
    # AWSPENDING without a value; reading it gives ResourceNotFoundException.
    seen: dict[str, Any] = {}

    def look(event: dict[str, Any]) -> None:
        client = new_client(DEFAULT_REGION)
        meta = client.describe_secret(SecretId=event["SecretId"])
        seen["enabled"] = meta["RotationEnabled"]
        seen["stages"] = meta["VersionIdsToStages"]
        with pytest.raises(ClientError) as info:
            client.get_secret_value(
                SecretId=event["SecretId"], VersionId=event["ClientRequestToken"], VersionStage="AWSPENDING"
            )
        seen["error"] = info.value.response["Error"]["Code"]

    with mock_secretsmanager() as sm:
        client, v1 = setup_secret(sm, Handler(hooks={"createSecret": look}))
        token = client.rotate_secret(SecretId="db", RotationLambdaARN=LAMBDA_ARN)["VersionId"]
        assert seen == {
            "enabled": True,
            "stages": {v1: ["AWSCURRENT"], token: ["AWSPENDING"]},
            "error": "ResourceNotFoundException",
        }


def test_list_secret_version_ids_leaves_out_the_placeholder_describe_secret_shows_it() -> None:
    # botocore 1.44's model: "ListSecretVersionIds only returns versions that contain a secret
    # value. To see all version IDs that have staging labels attached, including ones without
    # a secret value, call DescribeSecret and check VersionIdsToStages."
    seen: dict[str, Any] = {}

    def look(event: dict[str, Any]) -> None:
        client = new_client(DEFAULT_REGION)
        listed = client.list_secret_version_ids(SecretId=event["SecretId"], IncludeDeprecated=True)
        seen["listed"] = [v["VersionId"] for v in listed["Versions"]]
        seen["described"] = sorted(client.describe_secret(SecretId=event["SecretId"])["VersionIdsToStages"])

    with mock_secretsmanager() as sm:
        client, v1 = setup_secret(sm, Handler(hooks={"createSecret": look}))
        token = client.rotate_secret(SecretId="db", RotationLambdaARN=LAMBDA_ARN)["VersionId"]
        assert seen == {"listed": [v1], "described": sorted([v1, token])}
        # Once the rotation put a value there, the version is listed.
        listed = client.list_secret_version_ids(SecretId="db")["Versions"]
        assert {v["VersionId"] for v in listed} == {v1, token}


def test_describe_secret_after_a_successful_rotation() -> None:
    # SM-125: exactly these keys; the new version has AWSCURRENT only, the old AWSPREVIOUS.
    with mock_secretsmanager() as sm:
        client = new_client(DEFAULT_REGION)
        v1 = client.create_secret(Name="db", SecretString="initial", Description="d")["VersionId"]
        client.get_secret_value(SecretId="db")
        sm.register_lambda(LAMBDA_ARN, Handler())
        token = client.rotate_secret(
            SecretId="db", RotationLambdaARN=LAMBDA_ARN, RotationRules={"AutomaticallyAfterDays": 1}
        )["VersionId"]
        meta = client.describe_secret(SecretId="db")
        meta.pop("ResponseMetadata")
        assert sorted(meta) == [
            "ARN",
            "CreatedDate",
            "Description",
            "LastAccessedDate",
            "LastChangedDate",
            "LastRotatedDate",
            "Name",
            "NextRotationDate",
            "RotationEnabled",
            "RotationLambdaARN",
            "RotationRules",
            "VersionIdsToStages",
        ]
        assert meta["RotationEnabled"] is True
        assert meta["RotationRules"] == {"AutomaticallyAfterDays": 1}
        assert meta["RotationLambdaARN"] == LAMBDA_ARN
        assert meta["VersionIdsToStages"] == {token: ["AWSCURRENT"], v1: ["AWSPREVIOUS"]}
        assert meta["LastRotatedDate"] < meta["NextRotationDate"]


def test_second_rotation_with_only_the_secret_id_reuses_the_configuration() -> None:
    # SM-126: stored Lambda ARN and rules; the oldest version drops out of VersionIdsToStages.
    with mock_secretsmanager() as sm:
        handler = Handler()
        client, v1 = setup_secret(sm, handler)
        t1 = client.rotate_secret(
            SecretId="db", RotationLambdaARN=LAMBDA_ARN, RotationRules={"AutomaticallyAfterDays": 7}
        )["VersionId"]
        handler.new_value = "rotated again"
        out = client.rotate_secret(SecretId="db")
        out.pop("ResponseMetadata")
        assert set(out) == {"ARN", "Name", "VersionId"}
        assert stages_of(client, "db") == {out["VersionId"]: ["AWSCURRENT"], t1: ["AWSPREVIOUS"]}
        assert v1 not in stages_of(client, "db")
        assert client.describe_secret(SecretId="db")["RotationRules"] == {"AutomaticallyAfterDays": 7}
        assert client.get_secret_value(SecretId="db")["SecretString"] == "rotated again"
        assert handler.steps == list(STEPS) * 2


def test_rotation_without_rules_rotates_on_demand_only() -> None:
    with mock_secretsmanager() as sm:
        client, _ = setup_secret(sm, Handler())
        client.rotate_secret(SecretId="db", RotationLambdaARN=LAMBDA_ARN)
        meta = client.describe_secret(SecretId="db")
        assert meta["RotationEnabled"] is True
        assert "LastRotatedDate" in meta
        assert "RotationRules" not in meta
        assert "NextRotationDate" not in meta


# ---- refused calls --------------------------------------------------------------------------


def test_no_lambda_configured_is_invalid_request_and_persists_nothing() -> None:
    # SM-040.
    with mock_secretsmanager():
        client = new_client(DEFAULT_REGION)
        client.create_secret(Name="db", SecretString="init")
        with pytest.raises(ClientError) as info:
            client.rotate_secret(SecretId="db", RotationRules={"AutomaticallyAfterDays": 1})
        assert error_of(info) == (
            "InvalidRequestException",
            "No Lambda rotation function ARN is associated with this secret.",
        )
        meta = client.describe_secret(SecretId="db")
        assert not {"RotationEnabled", "RotationRules", "RotationLambdaARN"} & set(meta)
        assert len(meta["VersionIdsToStages"]) == 1


def test_unregistered_lambda_is_access_denied_and_persists_nothing(caplog: pytest.LogCaptureFixture) -> None:
    # SM-041 (and the log says how to register a handler).
    missing = f"arn:aws:lambda:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:function:rotate_secret_invalid_lambda_arn"
    with mock_secretsmanager():
        client = new_client(DEFAULT_REGION)
        client.create_secret(Name="db", SecretString="init")
        with caplog.at_level(logging.WARNING, logger="sm_mock"), pytest.raises(ClientError) as info:
            client.rotate_secret(SecretId="db", RotationLambdaARN=missing, RotationRules={"AutomaticallyAfterDays": 1})
        assert error_of(info) == (
            "AccessDeniedException",
            "Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants "
            "access to the principal secretsmanager.amazonaws.com.",
        )
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        meta = client.describe_secret(SecretId="db")
        assert not {"RotationEnabled", "RotationRules", "RotationLambdaARN"} & set(meta)
        assert "register_lambda" in caplog.text


def test_missing_client_request_token_is_invalid_parameter() -> None:
    # SM-032: boto3 always adds a token, so call the service path directly, as a raw request.
    with mock_secretsmanager() as sm:
        with pytest.raises(AwsError) as info:
            serve_params(sm.session, "RotateSecret", {"SecretId": "does-not-exist"}, DEFAULT_REGION, DEFAULT_ACCOUNT)
        assert info.value.code == "InvalidParameterException"
        assert info.value.message == "You must provide a ClientRequestToken value. We recommend a UUID-type value."


def test_unknown_secret_is_not_found() -> None:
    with mock_secretsmanager() as sm:
        sm.register_lambda(LAMBDA_ARN, Handler())
        with pytest.raises(ClientError) as info:
            new_client(DEFAULT_REGION).rotate_secret(SecretId="nope", RotationLambdaARN=LAMBDA_ARN)
        assert error_of(info)[0] == "ResourceNotFoundException"


def test_secret_scheduled_for_deletion_cannot_rotate() -> None:
    with mock_secretsmanager() as sm:
        handler = Handler()
        client, _ = setup_secret(sm, handler)
        client.delete_secret(SecretId="db")
        calls: list[Callable[[], Any]] = [
            lambda: client.rotate_secret(SecretId="db", RotationLambdaARN=LAMBDA_ARN),
            lambda: client.cancel_rotate_secret(SecretId="db"),
        ]
        for call in calls:
            with pytest.raises(ClientError) as info:
                call()
            assert error_of(info) == (
                "InvalidRequestException",
                "You can't perform this operation on the secret because it was marked for deletion.",
            )
        assert handler.steps == []


def test_secret_without_a_value_cannot_rotate() -> None:
    with mock_secretsmanager() as sm:
        client = new_client(DEFAULT_REGION)
        client.create_secret(Name="empty")
        sm.register_lambda(LAMBDA_ARN, Handler())
        with pytest.raises(ClientError) as info:
            client.rotate_secret(SecretId="empty", RotationLambdaARN=LAMBDA_ARN)
        code, message = error_of(info)
        assert code == "InvalidRequestException"
        assert "PutSecretValue" in message
        assert "RotationEnabled" not in client.describe_secret(SecretId="empty")


def test_invalid_rotation_rules_are_invalid_parameter_and_persist_nothing() -> None:
    with mock_secretsmanager() as sm:
        client, _ = setup_secret(sm, Handler())
        for rules in (
            {"ScheduleExpression": "rate(1 hours)"},
            {"ScheduleExpression": "cron(5 2 * * ? *)"},
            {"AutomaticallyAfterDays": 3, "ScheduleExpression": "rate(3 days)"},
            {"ScheduleExpression": "cron(0 2 * * ? *)", "Duration": "23h"},
        ):
            with pytest.raises(ClientError) as info:
                client.rotate_secret(SecretId="db", RotationLambdaARN=LAMBDA_ARN, RotationRules=rules)
            assert error_of(info)[0] == "InvalidParameterException"
        assert "RotationEnabled" not in client.describe_secret(SecretId="db")


def test_register_lambda_rejects_what_is_not_callable() -> None:
    with mock_secretsmanager() as sm, pytest.raises(TypeError, match="handler\\(event, context\\)"):
        sm.register_lambda(LAMBDA_ARN, "not a function")  # type: ignore[arg-type]


# ---- failures (SPEC H17) --------------------------------------------------------------------


@pytest.mark.parametrize("step", STEPS)
def test_handler_raising_in_a_step_leaves_the_state_aws_leaves(step: str) -> None:
    with mock_secretsmanager() as sm:
        handler = Handler(fail_in=step)
        client, v1 = setup_secret(sm, handler)
        out = client.rotate_secret(
            SecretId="db", RotationLambdaARN=LAMBDA_ARN, RotationRules={"AutomaticallyAfterDays": 1}
        )
        token = out["VersionId"]

        # The caller gets the success answer of the asynchronous service.
        assert set(out) - {"ResponseMetadata"} == {"ARN", "Name", "VersionId"}
        # AWSCURRENT did not move; AWSPENDING stays on the token's version.
        assert stages_of(client, "db") == {v1: ["AWSCURRENT"], token: ["AWSPENDING"]}
        assert client.get_secret_value(SecretId="db")["SecretString"] == "initial"
        if step == "createSecret":
            with pytest.raises(ClientError) as info:  # still the empty placeholder
                client.get_secret_value(SecretId="db", VersionStage="AWSPENDING")
            assert error_of(info)[0] == "ResourceNotFoundException"
        else:
            assert client.get_secret_value(SecretId="db", VersionStage="AWSPENDING")["SecretString"] == "rotated"
        meta = client.describe_secret(SecretId="db")
        assert meta["RotationEnabled"] is True
        assert "LastRotatedDate" not in meta

        # The failure is recorded with the step, the secret, the token and the exception;
        # the whole rotation was attempted 1 + ROTATION_RETRIES times (SPEC H17, choices).
        attempts = 1 + ROTATION_RETRIES
        failures = sm.rotations.failures
        assert [(f.event, f.step, f.secret_arn, f.version_id, f.attempt) for f in failures] == [
            ("RotationFailed", step, meta["ARN"], token, attempt) for attempt in range(1, attempts + 1)
        ]
        assert [f.error for f in failures] == handler.raised
        assert "boom in " + step in (failures[0].message or "")
        ran = list(STEPS[: STEPS.index(step) + 1])
        assert handler.steps == ran * attempts
        assert [(i.step, i.ok) for i in sm.rotations.invocations] == [(s, s != step) for s in ran] * attempts


def test_a_failure_on_the_first_attempt_is_retried_with_the_same_token() -> None:
    with mock_secretsmanager() as sm:
        handler = Handler(fail_in="testSecret", failures=1)
        client, v1 = setup_secret(sm, handler)
        token = client.rotate_secret(SecretId="db", RotationLambdaARN=LAMBDA_ARN)["VersionId"]
        assert stages_of(client, "db") == {token: ["AWSCURRENT"], v1: ["AWSPREVIOUS"]}
        assert {event["ClientRequestToken"] for event in handler.events} == {token}
        assert [r.event for r in sm.rotations.history] == [
            "RotationStarted",
            "RotationFailed",
            "RotationStarted",
            "RotationSucceeded",
        ]
        assert [r.attempt for r in sm.rotations.history] == [1, 1, 2, 2]


@pytest.mark.parametrize("retries", [0, 2])
def test_the_retry_count_is_configurable(retries: int) -> None:
    with mock_secretsmanager() as sm:
        sm.rotations.retries = retries
        handler = Handler(fail_in="setSecret")
        client, _ = setup_secret(sm, handler)
        client.rotate_secret(SecretId="db", RotationLambdaARN=LAMBDA_ARN)
        assert handler.steps.count("setSecret") == retries + 1
        assert len(sm.rotations.failures) == retries + 1


def test_finishing_without_moving_awscurrent_is_a_failure() -> None:
    with mock_secretsmanager() as sm:
        sm.rotations.retries = 0
        client, v1 = setup_secret(sm, Handler(move_current=False))
        token = client.rotate_secret(SecretId="db", RotationLambdaARN=LAMBDA_ARN)["VersionId"]
        assert stages_of(client, "db") == {v1: ["AWSCURRENT"], token: ["AWSPENDING"]}
        (failure,) = sm.rotations.failures
        assert failure.step == "finishSecret"
        assert failure.error is None
        assert failure.message is not None
        assert "UpdateSecretVersionStage" in failure.message
        assert token in failure.message


def test_failures_are_logged_and_assert_no_failures_raises(caplog: pytest.LogCaptureFixture) -> None:
    with mock_secretsmanager() as sm:
        sm.rotations.retries = 0
        client, _ = setup_secret(sm, Handler(fail_in="setSecret"))
        with caplog.at_level(logging.WARNING, logger="sm_mock"):
            client.rotate_secret(SecretId="db", RotationLambdaARN=LAMBDA_ARN)
        assert "RotationFailed" in caplog.text
        assert "boom in setSecret" in caplog.text
        with pytest.raises(AssertionError, match="setSecret") as info:
            sm.rotations.assert_no_failures()
        assert isinstance(info.value.__cause__, RuntimeError)


def test_assert_no_failures_passes_after_a_good_rotation() -> None:
    with mock_secretsmanager() as sm:
        client, _ = setup_secret(sm, Handler())
        client.rotate_secret(SecretId="db", RotationLambdaARN=LAMBDA_ARN)
        sm.rotations.assert_no_failures()
        assert [r.event for r in sm.rotations.history] == ["RotationStarted", "RotationSucceeded"]


def test_an_async_handler_is_reported_as_a_failure() -> None:
    async def handler(event: dict[str, Any], context: Any) -> None:
        return None

    with mock_secretsmanager() as sm:
        sm.rotations.retries = 0
        client, _ = setup_secret(sm, handler)
        client.rotate_secret(SecretId="db", RotationLambdaARN=LAMBDA_ARN)
        (failure,) = sm.rotations.failures
        assert failure.step == "createSecret"
        assert isinstance(failure.error, TypeError)


# ---- rotation in progress (SPEC H18) --------------------------------------------------------


def test_a_rotation_left_in_progress_blocks_a_new_one_with_advice() -> None:
    with mock_secretsmanager() as sm:
        handler = Handler(fail_in="setSecret")
        client, v1 = setup_secret(sm, handler)
        pending = client.rotate_secret(SecretId="db", RotationLambdaARN=LAMBDA_ARN)["VersionId"]
        with pytest.raises(ClientError) as info:
            client.rotate_secret(SecretId="db")
        code, message = error_of(info)
        assert code == "InvalidRequestException"
        assert pending in message
        assert f"RemoveFromVersionId='{pending}'" in message
        assert "UpdateSecretVersionStage" in message

        # Following the advice clears the way.
        handler.fail_in = None
        client.update_secret_version_stage(SecretId="db", VersionStage="AWSPENDING", RemoveFromVersionId=pending)
        token = client.rotate_secret(SecretId="db")["VersionId"]
        assert stages_of(client, "db") == {token: ["AWSCURRENT"], v1: ["AWSPREVIOUS"]}


def test_rotate_secret_with_the_pending_token_retries_the_rotation_in_progress() -> None:
    with mock_secretsmanager() as sm:
        handler = Handler(fail_in="testSecret")
        client, v1 = setup_secret(sm, handler)
        pending = client.rotate_secret(SecretId="db", RotationLambdaARN=LAMBDA_ARN)["VersionId"]
        handler.fail_in = None
        out = client.rotate_secret(SecretId="db", ClientRequestToken=pending)
        assert out["VersionId"] == pending
        assert stages_of(client, "db") == {pending: ["AWSCURRENT"], v1: ["AWSPREVIOUS"]}
        assert client.get_secret_value(SecretId="db")["SecretString"] == "rotated"


def test_a_token_of_an_earlier_rotation_starts_nothing_new() -> None:
    # SPEC E7: a retried RotateSecret does not rotate twice.
    with mock_secretsmanager() as sm:
        handler = Handler()
        client, _ = setup_secret(sm, handler)
        token = client.rotate_secret(SecretId="db", RotationLambdaARN=LAMBDA_ARN)["VersionId"]
        again = client.rotate_secret(SecretId="db", ClientRequestToken=token)
        assert again["VersionId"] == token
        assert handler.steps == list(STEPS)


def test_a_reused_token_still_saves_the_configuration_it_carries() -> None:
    # SPEC E7: nothing rotates again; SPEC H9/H24: what the call configures is saved all the
    # same (it answered success and dropped it). Found by an audit.
    with mock_secretsmanager() as sm:
        handler = Handler()
        client, v1 = setup_secret(sm, handler)
        token = client.rotate_secret(
            SecretId="db", RotationLambdaARN=LAMBDA_ARN, RotationRules={"AutomaticallyAfterDays": 3}
        )["VersionId"]
        client.rotate_secret(SecretId="db", ClientRequestToken=token, RotationRules={"AutomaticallyAfterDays": 9})
        described = client.describe_secret(SecretId="db")
        assert described["RotationRules"]["AutomaticallyAfterDays"] == 9
        assert handler.steps == list(STEPS)  # no second rotation
        client.cancel_rotate_secret(SecretId="db")
        assert client.describe_secret(SecretId="db")["RotationEnabled"] is False
        client.rotate_secret(SecretId="db", ClientRequestToken=token)
        described = client.describe_secret(SecretId="db")
        assert described["RotationEnabled"] is True and described["RotationLambdaARN"] == LAMBDA_ARN
        assert handler.steps == list(STEPS)
        assert stages_of(client, "db") == {token: ["AWSCURRENT"], v1: ["AWSPREVIOUS"]}
        # The token of the secret's first value (never a rotation) is an existing version too.
        client.cancel_rotate_secret(SecretId="db")
        client.rotate_secret(SecretId="db", ClientRequestToken=v1, RotationLambdaARN=LAMBDA_ARN)
        assert client.describe_secret(SecretId="db")["RotationEnabled"] is True
        assert handler.steps == list(STEPS)


def test_a_handler_cannot_start_another_rotation_of_its_own_secret() -> None:
    errors: list[str] = []

    def nested(event: dict[str, Any]) -> None:
        with pytest.raises(ClientError) as info:
            new_client(DEFAULT_REGION).rotate_secret(SecretId=event["SecretId"])
        errors.append(error_of(info)[0])

    with mock_secretsmanager() as sm:
        client, _ = setup_secret(sm, Handler(hooks={"setSecret": nested}))
        client.rotate_secret(SecretId="db", RotationLambdaARN=LAMBDA_ARN)
        assert errors == ["InvalidRequestException"]
        assert sm.rotations.failures == []


def test_a_handler_may_rotate_another_secret() -> None:
    other = Handler(new_value="other rotated")
    other_arn = LAMBDA_ARN + "-other"

    def rotate_other(event: dict[str, Any]) -> None:
        new_client(DEFAULT_REGION).rotate_secret(SecretId="other", RotationLambdaARN=other_arn)

    with mock_secretsmanager() as sm:
        client, _ = setup_secret(sm, Handler(hooks={"setSecret": rotate_other}))
        client.create_secret(Name="other", SecretString="x")
        sm.register_lambda(other_arn, other)
        client.rotate_secret(SecretId="db", RotationLambdaARN=LAMBDA_ARN)
        assert client.get_secret_value(SecretId="db")["SecretString"] == "rotated"
        assert client.get_secret_value(SecretId="other")["SecretString"] == "other rotated"


def test_no_lock_is_held_while_the_handler_runs() -> None:
    # Another thread can take the region store's lock while the handler runs (DESIGN.md
    # principle 8); a held RLock would refuse a non-blocking acquire from another thread.
    results: list[bool] = []

    def probe(event: dict[str, Any]) -> None:
        lock = sm.backend.store(DEFAULT_ACCOUNT, DEFAULT_REGION).lock

        def try_lock() -> None:
            got = lock.acquire(blocking=False)
            results.append(got)
            if got:
                lock.release()

        thread = threading.Thread(target=try_lock)
        thread.start()
        thread.join()

    with mock_secretsmanager() as sm:
        client, _ = setup_secret(sm, Handler(hooks={step: probe for step in STEPS}))
        client.rotate_secret(SecretId="db", RotationLambdaARN=LAMBDA_ARN)
        assert results == [True] * 4


# ---- RotateImmediately=false (SPEC H21, SM-128) ---------------------------------------------


def test_rotate_immediately_false_tests_on_a_temporary_copy() -> None:
    seen: dict[str, Any] = {}

    def look(event: dict[str, Any]) -> None:
        client = new_client(DEFAULT_REGION)
        token = event["ClientRequestToken"]
        seen["stages"] = stages_of(client, event["SecretId"])
        seen["pending"] = client.get_secret_value(
            SecretId=event["SecretId"], VersionId=token, VersionStage="AWSPENDING"
        )["SecretString"]

    with mock_secretsmanager() as sm:
        handler = Handler(hooks={"testSecret": look})
        client, v1 = setup_secret(sm, handler)
        out = client.rotate_secret(
            SecretId="db",
            RotationLambdaARN=LAMBDA_ARN,
            RotationRules={"AutomaticallyAfterDays": 30},
            RotateImmediately=False,
        )
        token = out["VersionId"]
        assert handler.steps == ["testSecret"]
        assert token != v1
        assert seen == {"stages": {v1: ["AWSCURRENT"], token: ["AWSPENDING"]}, "pending": "initial"}
        # Afterwards: AWSCURRENT never moved and the temporary version is gone.
        assert stages_of(client, "db") == {v1: ["AWSCURRENT"]}
        listed = client.list_secret_version_ids(SecretId="db", IncludeDeprecated=True)["Versions"]
        assert [v["VersionId"] for v in listed] == [v1]
        meta = client.describe_secret(SecretId="db")
        assert meta["RotationEnabled"] is True
        assert "NextRotationDate" in meta
        assert "LastRotatedDate" not in meta
        assert [r.event for r in sm.rotations.history] == ["TestRotationStarted", "TestRotationSucceeded"]


def test_rotate_immediately_false_records_a_failed_test() -> None:
    with mock_secretsmanager() as sm:
        handler = Handler(fail_in="testSecret")
        client, v1 = setup_secret(sm, handler)
        client.rotate_secret(SecretId="db", RotationLambdaARN=LAMBDA_ARN, RotateImmediately=False)
        assert handler.steps == ["testSecret"]  # a test is not retried
        assert [r.event for r in sm.rotations.history] == ["TestRotationStarted", "TestRotationFailed"]
        assert sm.rotations.failures[0].step == "testSecret"
        assert stages_of(client, "db") == {v1: ["AWSCURRENT"]}


# ---- writes during a rotation (SPEC H19, H15) ------------------------------------------------


def test_a_write_during_the_rotation_abandons_it() -> None:
    def write(event: dict[str, Any]) -> None:
        new_client(DEFAULT_REGION).put_secret_value(SecretId=event["SecretId"], SecretString="written by hand")

    with mock_secretsmanager() as sm:
        handler = Handler(hooks={"setSecret": write})
        client, v1 = setup_secret(sm, handler)
        token = client.rotate_secret(SecretId="db", RotationLambdaARN=LAMBDA_ARN)["VersionId"]
        # The rotation stopped after setSecret; the hand-written value is current.
        assert handler.steps == ["createSecret", "setSecret"]
        assert client.get_secret_value(SecretId="db")["SecretString"] == "written by hand"
        stages = stages_of(client, "db")
        assert stages[v1] == ["AWSPREVIOUS"]
        assert token not in stages  # AWSPENDING was taken off (SM-094)
        assert all("AWSPENDING" not in labels for labels in stages.values())
        events = [r.event for r in sm.rotations.history]
        assert events == ["RotationStarted", "RotationAbandoned"]
        assert sm.rotations.failures == []
        # Nothing is left in progress: the next rotation starts normally.
        handler.hooks.clear()
        client.rotate_secret(SecretId="db")
        assert client.get_secret_value(SecretId="db")["SecretString"] == "rotated"


def test_a_write_after_a_failed_rotation_abandons_it() -> None:
    with mock_secretsmanager() as sm:
        client, v1 = setup_secret(sm, Handler(fail_in="setSecret"))
        pending = client.rotate_secret(SecretId="db", RotationLambdaARN=LAMBDA_ARN)["VersionId"]
        v3 = client.put_secret_value(SecretId="db", SecretString="x", VersionStages=["CUSTOM"])["VersionId"]
        # SPEC H19: even a write that doesn't take AWSCURRENT takes AWSPENDING off.
        assert stages_of(client, "db") == {v1: ["AWSCURRENT"], v3: ["CUSTOM"]}
        abandoned = [r for r in sm.rotations.history if r.event == "RotationAbandoned"]
        assert [(r.version_id, r.trigger) for r in abandoned] == [(pending, "PutSecretValue")]


def test_update_secret_with_a_value_abandons_a_rotation() -> None:
    with mock_secretsmanager() as sm:
        client, _ = setup_secret(sm, Handler(fail_in="setSecret"))
        pending = client.rotate_secret(SecretId="db", RotationLambdaARN=LAMBDA_ARN)["VersionId"]
        client.update_secret(SecretId="db", SecretString="by update")
        assert pending not in stages_of(client, "db")
        assert sm.rotations.history[-1].event == "RotationAbandoned"
        assert sm.rotations.history[-1].trigger == "UpdateSecret"


def test_a_write_when_nothing_rotates_records_nothing() -> None:
    with mock_secretsmanager() as sm:
        client, _ = setup_secret(sm, Handler())
        client.rotate_secret(SecretId="db", RotationLambdaARN=LAMBDA_ARN)
        client.put_secret_value(SecretId="db", SecretString="manual")
        assert [r.event for r in sm.rotations.history] == ["RotationStarted", "RotationSucceeded"]


def test_the_rotation_token_is_checked_when_given() -> None:
    def put_with(rotation_token: Callable[[dict[str, Any]], str]) -> Callable[[dict[str, Any]], None]:
        def create(event: dict[str, Any]) -> None:
            new_client(DEFAULT_REGION).put_secret_value(
                SecretId=event["SecretId"],
                ClientRequestToken=event["ClientRequestToken"],
                SecretString="with token",
                VersionStages=["AWSPENDING"],
                RotationToken=rotation_token(event),
            )

        return create

    with mock_secretsmanager() as sm:
        sm.rotations.retries = 0
        client, _ = setup_secret(sm, Handler(hooks={"createSecret": put_with(lambda e: e["RotationToken"])}))
        client.rotate_secret(SecretId="db", RotationLambdaARN=LAMBDA_ARN)
        assert client.get_secret_value(SecretId="db")["SecretString"] == "with token"

        sm.register_lambda(LAMBDA_ARN, Handler(hooks={"createSecret": put_with(lambda e: "0" * 36)}))
        client.rotate_secret(SecretId="db")
        (failure,) = sm.rotations.failures
        assert failure.step == "createSecret"
        assert isinstance(failure.error, ClientError)
        assert failure.error.response["Error"]["Code"] == "InvalidParameterException"
        assert "RotationToken" in failure.error.response["Error"]["Message"]

        # Outside any rotation, a RotationToken is refused too.
        with pytest.raises(ClientError) as info:
            client.put_secret_value(SecretId="db", SecretString="x", RotationToken="1" * 36)
        assert error_of(info)[0] == "InvalidParameterException"


# ---- CancelRotateSecret (SPEC H27) and the rotation fields (SPEC H24, H25) ------------------


def test_rotation_fields_are_absent_until_rotation_is_configured() -> None:
    with mock_secretsmanager():
        client = new_client(DEFAULT_REGION)
        client.create_secret(Name="db", SecretString="v")
        meta = client.describe_secret(SecretId="db")
        assert not {
            "RotationEnabled",
            "RotationLambdaARN",
            "RotationRules",
            "LastRotatedDate",
            "NextRotationDate",
        } & set(meta)


def test_cancel_keeps_the_configuration_and_re_enable_rotates_again() -> None:
    with mock_secretsmanager() as sm:
        handler = Handler()
        client, _ = setup_secret(sm, handler)
        client.rotate_secret(
            SecretId="db", RotationLambdaARN=LAMBDA_ARN, RotationRules={"ScheduleExpression": "rate(10 days)"}
        )
        out = client.cancel_rotate_secret(SecretId="db")
        out.pop("ResponseMetadata")
        assert set(out) == {"ARN", "Name"}  # nothing in progress
        meta = client.describe_secret(SecretId="db")
        assert meta["RotationEnabled"] is False
        assert meta["RotationLambdaARN"] == LAMBDA_ARN
        assert meta["RotationRules"] == {"ScheduleExpression": "rate(10 days)", "AutomaticallyAfterDays": 10}
        assert "NextRotationDate" not in meta
        assert "LastRotatedDate" not in meta

        handler.new_value = "after re-enable"
        client.rotate_secret(SecretId="db")  # no configuration: the saved one (SPEC H9)
        meta = client.describe_secret(SecretId="db")
        assert meta["RotationEnabled"] is True
        assert "NextRotationDate" in meta
        assert "LastRotatedDate" in meta
        assert client.get_secret_value(SecretId="db")["SecretString"] == "after re-enable"


def test_cancel_during_a_rotation_stops_it_and_leaves_the_labels() -> None:
    answers: list[dict[str, Any]] = []

    def cancel(event: dict[str, Any]) -> None:
        answers.append(new_client(DEFAULT_REGION).cancel_rotate_secret(SecretId=event["SecretId"]))

    with mock_secretsmanager() as sm:
        handler = Handler(hooks={"setSecret": cancel})
        client, v1 = setup_secret(sm, handler)
        token = client.rotate_secret(SecretId="db", RotationLambdaARN=LAMBDA_ARN)["VersionId"]
        assert handler.steps == ["createSecret", "setSecret"]
        assert answers[0]["VersionId"] == token
        assert stages_of(client, "db") == {v1: ["AWSCURRENT"], token: ["AWSPENDING"]}
        assert client.describe_secret(SecretId="db")["RotationEnabled"] is False
        assert [r.event for r in sm.rotations.history] == ["RotationStarted", "RotationCancelled"]
        # The leftover AWSPENDING blocks the next rotation until removed (SPEC H27, H18).
        with pytest.raises(ClientError) as info:
            client.rotate_secret(SecretId="db")
        assert error_of(info)[0] == "InvalidRequestException"
        # CancelRotateSecret reports the version still in progress.
        assert client.cancel_rotate_secret(SecretId="db")["VersionId"] == token


def test_cancel_without_rotation_configured_changes_nothing() -> None:
    with mock_secretsmanager():
        client = new_client(DEFAULT_REGION)
        client.create_secret(Name="db", SecretString="v")
        out = client.cancel_rotate_secret(SecretId="db")
        assert out["Name"] == "db"
        assert "VersionId" not in out
        assert "RotationEnabled" not in client.describe_secret(SecretId="db")


def test_schedule_expression_reports_derived_days() -> None:
    # SPEC H26: the DescribeSecret example reports 14 for cron(0 16 1,15 * ? *).
    with mock_secretsmanager() as sm:
        client, _ = setup_secret(sm, Handler())
        rules = {"ScheduleExpression": "cron(0 16 1,15 * ? *)", "Duration": "2h"}
        client.rotate_secret(SecretId="db", RotationLambdaARN=LAMBDA_ARN, RotationRules=rules)
        assert client.describe_secret(SecretId="db")["RotationRules"] == {**rules, "AutomaticallyAfterDays": 14}


def test_list_secrets_entries_carry_the_rotation_fields() -> None:
    with mock_secretsmanager() as sm:
        client, _ = setup_secret(sm, Handler())
        client.rotate_secret(SecretId="db", RotationLambdaARN=LAMBDA_ARN, RotationRules={"AutomaticallyAfterDays": 3})
        (entry,) = client.list_secrets()["SecretList"]
        assert entry["RotationEnabled"] is True
        assert entry["RotationLambdaARN"] == LAMBDA_ARN
        assert entry["RotationRules"] == {"AutomaticallyAfterDays": 3}
        assert "LastRotatedDate" in entry
        assert "NextRotationDate" in entry


# ---- managed secrets (SPEC H30, R5) ---------------------------------------------------------


def test_a_managed_secret_takes_a_schedule_but_no_lambda() -> None:
    with mock_secretsmanager() as sm:
        store = sm.backend.store(DEFAULT_ACCOUNT, DEFAULT_REGION)
        store.create_secret(
            "rds!db-1", sm.clock.now(), value=json.dumps({"password": "p"}).encode(), owning_service="rds"
        )
        sm.register_lambda(LAMBDA_ARN, Handler())
        client = new_client(DEFAULT_REGION)
        with pytest.raises(ClientError) as info:
            client.rotate_secret(SecretId="rds!db-1", RotationLambdaARN=LAMBDA_ARN)
        code, message = error_of(info)
        assert code == "InvalidRequestException"
        assert "rds" in message
        client.rotate_secret(SecretId="rds!db-1", RotationRules={"AutomaticallyAfterDays": 7})
        meta = client.describe_secret(SecretId="rds!db-1")
        assert meta["RotationEnabled"] is True
        assert meta["RotationRules"] == {"AutomaticallyAfterDays": 7}
        assert "RotationLambdaARN" not in meta


def test_a_test_rotation_whose_value_cannot_be_copied_fails_the_run_not_the_call() -> None:
    # SPEC F12: RotateSecret itself makes no KMS call; with RotateImmediately=False the copy of
    # the current value belongs to the test run, which records TestRotationFailed (H17, H21).
    calls: list[str] = []
    with mock_secretsmanager() as sm:
        sm.register_lambda(LAMBDA_ARN, lambda event, context: calls.append(event["Step"]))
        keyring = sm.backend.keyring(sm.account_id, sm.region)
        key = keyring.create_key(alias="alias/rot")
        client = sm.client()
        client.create_secret(Name="r", SecretString="v1", KmsKeyId="alias/rot")
        keyring.disable_key(key.arn)

        answer = client.rotate_secret(SecretId="r", RotationLambdaARN=LAMBDA_ARN, RotateImmediately=False)

        described = client.describe_secret(SecretId="r")
        assert described["RotationEnabled"] is True and described["RotationLambdaARN"] == LAMBDA_ARN
        assert [s for stages in described["VersionIdsToStages"].values() for s in stages] == ["AWSCURRENT"]
        [failure] = sm.rotations.failures
        assert (failure.event, failure.version_id) == ("TestRotationFailed", answer["VersionId"])
        assert calls == []
