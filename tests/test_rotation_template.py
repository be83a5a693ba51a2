"""A typical user's rotation function works unchanged (issue item 5; SPEC X1 ~L49-126, X3).

The handlers in ``rotation_handlers`` are written the way the AWS templates are: a module-level
boto3 client, DescribeSecret checks, GetSecretValue(VersionId, VersionStage) expecting
ResourceNotFoundException on the empty placeholder, PutSecretValue with AWSPENDING,
GetRandomPassword, and UpdateSecretVersionStage in finishSecret.
"""

from __future__ import annotations

import json
import os
import string
from collections.abc import Iterator
from typing import Any

import pytest
import rotation_handlers
from botocore.exceptions import ClientError
from support import new_client

import sm_mock
from sm_mock import SecretsManagerMock, mock_secretsmanager
from sm_mock.mock import DEFAULT_ACCOUNT, DEFAULT_REGION

LAMBDA_ARN = f"arn:aws:lambda:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:function:SecretsManagerRotation"
USER = {"engine": "postgres", "host": "db.internal", "username": "app", "password": "initial-password"}

# The template's module-level client may predate ``import sm_mock`` (import order is not the
# test's to choose); attach() serves such a client, and is a no-op when it already is.
sm_mock.attach(rotation_handlers.client)


@pytest.fixture(autouse=True)
def empty_database() -> Iterator[None]:
    rotation_handlers.DATABASE.clear()
    rotation_handlers.DATABASE[USER["username"]] = USER["password"]
    yield
    rotation_handlers.DATABASE.clear()


def setup(sm: SecretsManagerMock, handler: Any = rotation_handlers.lambda_handler) -> tuple[Any, str]:
    client = new_client(DEFAULT_REGION)
    v1 = client.create_secret(Name="myapp/prod/db", SecretString=json.dumps(USER))["VersionId"]
    sm.register_lambda(LAMBDA_ARN, handler)
    return client, v1


def value(client: Any, **selector: str) -> dict[str, Any]:
    return dict(json.loads(client.get_secret_value(SecretId="myapp/prod/db", **selector)["SecretString"]))


def test_template_handler_rotates_the_secret_and_the_database() -> None:
    with mock_secretsmanager() as sm:
        client, v1 = setup(sm)
        token = client.rotate_secret(
            SecretId="myapp/prod/db", RotationLambdaARN=LAMBDA_ARN, RotationRules={"AutomaticallyAfterDays": 30}
        )["VersionId"]
        sm.rotations.assert_no_failures()

        stages = client.describe_secret(SecretId="myapp/prod/db")["VersionIdsToStages"]
        assert stages == {token: ["AWSCURRENT"], v1: ["AWSPREVIOUS"]}  # and no AWSPENDING anywhere
        with pytest.raises(ClientError) as info:
            client.get_secret_value(SecretId="myapp/prod/db", VersionStage="AWSPENDING")
        assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"

        new = value(client)
        assert value(client, VersionStage="AWSPREVIOUS") == USER
        assert {k: v for k, v in new.items() if k != "password"} == {k: v for k, v in USER.items() if k != "password"}
        assert new["password"] != USER["password"]
        assert len(new["password"]) == 32
        assert set(new["password"]) <= set(string.ascii_letters + string.digits)  # ExcludePunctuation
        # setSecret changed the database; testSecret logged in with it.
        assert dict(rotation_handlers.DATABASE) == {"app": new["password"]}

        ops = [c.operation for c in sm.calls]
        assert ops.count("GetRandomPassword") == 1
        assert ops.count("UpdateSecretVersionStage") == 1
        assert [i.step for i in sm.rotations.invocations] == ["createSecret", "setSecret", "testSecret", "finishSecret"]


def test_template_handler_rotates_again_and_the_oldest_version_is_deprecated() -> None:
    with mock_secretsmanager() as sm:
        client, v1 = setup(sm)
        t1 = client.rotate_secret(SecretId="myapp/prod/db", RotationLambdaARN=LAMBDA_ARN)["VersionId"]
        first = value(client)
        t2 = client.rotate_secret(SecretId="myapp/prod/db")["VersionId"]
        sm.rotations.assert_no_failures()
        assert client.describe_secret(SecretId="myapp/prod/db")["VersionIdsToStages"] == {
            t2: ["AWSCURRENT"],
            t1: ["AWSPREVIOUS"],
        }
        assert value(client, VersionStage="AWSPREVIOUS") == first
        assert value(client)["password"] not in (first["password"], USER["password"])
        versions = client.list_secret_version_ids(SecretId="myapp/prod/db", IncludeDeprecated=True)["Versions"]
        deprecated = [v["VersionId"] for v in versions if "VersionStages" not in v]
        assert deprecated == [v1]


def test_template_handler_is_idempotent_when_a_step_is_retried() -> None:
    # setSecret fails once (a flaky database); the service retries the whole rotation with the
    # same token, and createSecret finds the pending value instead of generating another.
    calls = {"setSecret": 0}

    def flaky(event: dict[str, Any], context: Any) -> None:
        if event["Step"] == "setSecret":
            calls["setSecret"] += 1
            if calls["setSecret"] == 1:
                raise ConnectionError("database unreachable")
        rotation_handlers.lambda_handler(event, context)

    with mock_secretsmanager() as sm:
        client, _v1 = setup(sm, flaky)
        token = client.rotate_secret(SecretId="myapp/prod/db", RotationLambdaARN=LAMBDA_ARN)["VersionId"]
        assert [r.event for r in sm.rotations.history] == [
            "RotationStarted",
            "RotationFailed",
            "RotationStarted",
            "RotationSucceeded",
        ]
        assert [c.operation for c in sm.calls].count("GetRandomPassword") == 1
        assert client.get_secret_value(SecretId="myapp/prod/db")["VersionId"] == token
        assert dict(rotation_handlers.DATABASE) == {"app": value(client)["password"]}


def test_template_handler_refuses_to_run_when_rotation_is_disabled() -> None:
    # The template checks RotationEnabled (SPEC H24); invoke it directly, as a unit test would.
    with mock_secretsmanager() as sm:
        client, _ = setup(sm)
        client.rotate_secret(SecretId="myapp/prod/db", RotationLambdaARN=LAMBDA_ARN)
        client.cancel_rotate_secret(SecretId="myapp/prod/db")
        arn = client.describe_secret(SecretId="myapp/prod/db")["ARN"]
        event = {"Step": "createSecret", "SecretId": arn, "ClientRequestToken": "x" * 36, "RotationToken": "y" * 36}
        with pytest.raises(ValueError, match="not enabled for rotation"):
            rotation_handlers.lambda_handler(event, None)


def test_template_handler_fails_when_its_test_step_cannot_log_in() -> None:
    def broken_database(event: dict[str, Any], context: Any) -> None:
        rotation_handlers.lambda_handler(event, context)
        if event["Step"] == "setSecret":
            rotation_handlers.DATABASE["app"] = "something else"  # ALTER USER did not stick

    with mock_secretsmanager() as sm:
        sm.rotations.retries = 0
        client, v1 = setup(sm, broken_database)
        token = client.rotate_secret(SecretId="myapp/prod/db", RotationLambdaARN=LAMBDA_ARN)["VersionId"]
        (failure,) = sm.rotations.failures
        assert failure.step == "testSecret"
        assert "login failed" in str(failure.error)
        assert client.describe_secret(SecretId="myapp/prod/db")["VersionIdsToStages"] == {
            v1: ["AWSCURRENT"],
            token: ["AWSPENDING"],
        }
        assert value(client) == USER


def test_rotation_token_variant_from_the_user_guide(monkeypatch: pytest.MonkeyPatch) -> None:
    # SPEC X3 ~L7300-7400 and A12: the client comes from SECRETS_MANAGER_ENDPOINT, and the
    # RotationToken from the event goes to PutSecretValue (SPEC H15).
    monkeypatch.setenv("SECRETS_MANAGER_ENDPOINT", f"https://secretsmanager.{DEFAULT_REGION}.amazonaws.com")
    with mock_secretsmanager() as sm:
        client, v1 = setup(sm, rotation_handlers.lambda_handler_with_rotation_token)
        token = client.rotate_secret(SecretId="myapp/prod/db", RotationLambdaARN=LAMBDA_ARN)["VersionId"]
        sm.rotations.assert_no_failures()
        new = client.get_secret_value(SecretId="myapp/prod/db")
        assert new["VersionId"] == token
        assert not set(new["SecretString"]) & set("/@\"'\\")  # the template's default exclusions
        puts = [c for c in sm.calls if c.operation == "PutSecretValue"]
        assert [c.params["RotationToken"] for c in puts] == ["**redacted**"]  # SPEC S7
        assert client.describe_secret(SecretId="myapp/prod/db")["VersionIdsToStages"][v1] == ["AWSPREVIOUS"]


def test_the_template_finds_its_endpoint_without_help(monkeypatch: pytest.MonkeyPatch) -> None:
    # AWS's templates read SECRETS_MANAGER_ENDPOINT, which Lambda sets; sm_mock sets it while
    # the function runs (and only then), so the template runs unmodified.
    monkeypatch.delenv("SECRETS_MANAGER_ENDPOINT", raising=False)
    with mock_secretsmanager() as sm:
        client, _ = setup(sm, rotation_handlers.lambda_handler_with_rotation_token)
        token = client.rotate_secret(SecretId="myapp/prod/db", RotationLambdaARN=LAMBDA_ARN)["VersionId"]
        sm.rotations.assert_no_failures()
        assert client.get_secret_value(SecretId="myapp/prod/db")["VersionId"] == token
    assert "SECRETS_MANAGER_ENDPOINT" not in os.environ


def test_a_test_set_endpoint_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRETS_MANAGER_ENDPOINT", "https://vpce-1.secretsmanager.us-east-1.vpce.amazonaws.com")
    with mock_secretsmanager() as sm:
        client, _ = setup(sm, rotation_handlers.lambda_handler_with_rotation_token)
        client.rotate_secret(SecretId="myapp/prod/db", RotationLambdaARN=LAMBDA_ARN)
        sm.rotations.assert_no_failures()
    assert os.environ["SECRETS_MANAGER_ENDPOINT"] == "https://vpce-1.secretsmanager.us-east-1.vpce.amazonaws.com"
