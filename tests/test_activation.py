"""Activation API and interception: decorators, context manager, fixtures, any client."""

from __future__ import annotations

import asyncio
import os
import unittest

import boto3
import botocore.session
import pytest
from botocore.exceptions import ClientError

import sm_mock
from sm_mock import BlockedServiceError, NoActiveMockError, SecretsManagerMock, mock_secretsmanager


def _roundtrip(client: object, name: str = "s") -> str:
    client.create_secret(Name=name, SecretString="v")  # type: ignore[attr-defined]
    return client.get_secret_value(SecretId=name)["SecretString"]  # type: ignore[attr-defined,no-any-return]


def test_context_manager_yields_the_mock_and_serves_boto3_clients() -> None:
    with mock_secretsmanager() as sm:
        assert isinstance(sm, SecretsManagerMock)
        assert sm_mock.current() is sm
        client = boto3.client("secretsmanager", region_name="us-east-1")
        assert _roundtrip(client) == "v"
        assert [c.operation for c in sm.calls] == ["CreateSecret", "GetSecretValue"]
    with pytest.raises(NoActiveMockError, match="mock_secretsmanager"):
        sm_mock.current()


@mock_secretsmanager
def test_bare_decorator_activates_for_the_call() -> None:
    assert _roundtrip(boto3.client("secretsmanager", region_name="us-east-1")) == "v"


@mock_secretsmanager(region="eu-central-1", account_id="111111111111")
def test_decorator_with_options_sets_region_and_account() -> None:
    client = boto3.client("secretsmanager")  # no region: the mock supplies its own
    arn = client.create_secret(Name="x", SecretString="v")["ARN"]
    assert arn.startswith("arn:aws:secretsmanager:eu-central-1:111111111111:secret:x-")


def test_async_function_decorator() -> None:
    @mock_secretsmanager
    async def body() -> str:
        await asyncio.sleep(0)
        return _roundtrip(boto3.client("secretsmanager", region_name="us-east-1"))

    assert asyncio.run(body()) == "v"


def test_every_activation_starts_empty() -> None:
    @mock_secretsmanager
    def create_once() -> None:
        _roundtrip(boto3.client("secretsmanager", region_name="us-east-1"))  # fails if "s" exists

    create_once()
    create_once()
    with mock_secretsmanager() as first:
        _roundtrip(first.client())
    with mock_secretsmanager() as second:
        assert second.backend.secrets() == []


def test_nested_activation_innermost_serves() -> None:
    with mock_secretsmanager() as outer:
        outer.client().create_secret(Name="outer", SecretString="o")
        with mock_secretsmanager() as inner:
            client = inner.client()
            with pytest.raises(client.exceptions.ResourceNotFoundException):
                client.get_secret_value(SecretId="outer")
        assert outer.client().get_secret_value(SecretId="outer")["SecretString"] == "o"


@mock_secretsmanager
class TestPlainClassDecorator:
    def test_one(self) -> None:
        assert _roundtrip(boto3.client("secretsmanager", region_name="us-east-1")) == "v"

    def test_two_has_fresh_state(self) -> None:
        assert _roundtrip(boto3.client("secretsmanager", region_name="us-east-1")) == "v"


@mock_secretsmanager
class UnittestStyle(unittest.TestCase):
    def setUp(self) -> None:
        self.client = boto3.client("secretsmanager", region_name="us-east-1")
        self.client.create_secret(Name="from-setup", SecretString="s")

    def test_sees_setup_state(self) -> None:
        assert self.client.get_secret_value(SecretId="from-setup")["SecretString"] == "s"


def test_client_created_before_activation_is_served() -> None:
    client = boto3.client("secretsmanager", region_name="us-east-1")
    with mock_secretsmanager():
        assert _roundtrip(client) == "v"


def test_botocore_session_client_is_served() -> None:
    with mock_secretsmanager():
        client = botocore.session.get_session().create_client("secretsmanager", region_name="ap-south-1")
        arn = client.create_secret(Name="b", SecretString="v")["ARN"]
        assert ":ap-south-1:" in arn


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://vpce-0123456789abcdef-abcdefgh.secretsmanager.us-east-1.vpce.amazonaws.com",
        "https://secretsmanager-fips.us-east-1.amazonaws.com",
        "http://localhost:4566",
    ],
)
def test_any_endpoint_url_is_served_and_nothing_reaches_the_network(endpoint: str) -> None:
    with mock_secretsmanager():
        client = boto3.client("secretsmanager", region_name="us-east-1", endpoint_url=endpoint)
        assert _roundtrip(client) == "v"


def test_regions_are_isolated() -> None:
    with mock_secretsmanager():
        east = boto3.client("secretsmanager", region_name="us-east-1")
        west = boto3.client("secretsmanager", region_name="us-west-2")
        east.create_secret(Name="only-east", SecretString="v")
        with pytest.raises(west.exceptions.ResourceNotFoundException):
            west.get_secret_value(SecretId="only-east")
        west.create_secret(Name="only-east", SecretString="w")  # same name, other region
        assert east.get_secret_value(SecretId="only-east")["SecretString"] == "v"


def test_accounts_are_isolated_by_access_key() -> None:
    with mock_secretsmanager() as sm:
        sm.map_access_key("AKIAOTHERACCOUNT0001", "999999999999")
        mine = boto3.client("secretsmanager", region_name="us-east-1")
        theirs = boto3.client(
            "secretsmanager",
            region_name="us-east-1",
            aws_access_key_id="AKIAOTHERACCOUNT0001",
            aws_secret_access_key="x",
        )
        mine.create_secret(Name="n", SecretString="mine")
        theirs.create_secret(Name="n", SecretString="theirs")
        assert mine.get_secret_value(SecretId="n")["SecretString"] == "mine"
        assert theirs.get_secret_value(SecretId="n")["ARN"].split(":")[4] == "999999999999"


def test_other_services_are_blocked_with_advice() -> None:
    with mock_secretsmanager():
        sts = boto3.client("sts", region_name="us-east-1")
        with pytest.raises(BlockedServiceError, match="allow_services"):
            sts.get_caller_identity()


def test_missing_credentials_and_region_are_supplied_and_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    with mock_secretsmanager(region="sa-east-1"):
        client = boto3.session.Session().client("secretsmanager")
        assert client.meta.region_name == "sa-east-1"
        assert _roundtrip(client) == "v"
    assert "AWS_ACCESS_KEY_ID" not in os.environ
    assert "AWS_DEFAULT_REGION" not in os.environ


def test_real_credentials_are_hidden_while_active_and_restored_after(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALUSERKEY00000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real-secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "real-token")
    with mock_secretsmanager() as sm:
        assert os.environ["AWS_ACCESS_KEY_ID"] != "AKIAREALUSERKEY00000"
        assert "AWS_SESSION_TOKEN" not in os.environ
        client = boto3.session.Session().client("secretsmanager", region_name="us-east-1")
        _roundtrip(client)
        assert sm.calls[0].account_id == sm.account_id
    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIAREALUSERKEY00000"
    assert os.environ["AWS_SESSION_TOKEN"] == "real-token"


def test_attach_serves_a_client_whose_session_predates_the_import() -> None:
    session = botocore.session.Session()
    # Simulate a session built before sm_mock was imported: drop our builtin handler.
    session.unregister("before-send", sm_mock.botocore.hook.before_send)
    client = session.create_client(
        "secretsmanager", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    assert sm_mock.attach(client) is client
    with mock_secretsmanager():
        assert _roundtrip(client) == "v"


def test_unimplemented_operation_answers_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from sm_mock.operations.base import OPERATIONS

    monkeypatch.delitem(OPERATIONS, "TagResource")
    with mock_secretsmanager():
        client = boto3.client("secretsmanager", region_name="us-east-1")
        client.create_secret(Name="t", SecretString="v")
        with pytest.raises(ClientError) as info:
            client.tag_resource(SecretId="t", Tags=[{"Key": "k", "Value": "v"}])
        assert info.value.response["Error"]["Code"] == "NotImplemented"
        assert "TagResource" in info.value.response["Error"]["Message"]


def test_fixture_and_client(sm_mock: SecretsManagerMock, sm_client: object) -> None:
    assert _roundtrip(sm_client) == "v"
    assert sm_mock.calls.count("GetSecretValue") == 1


@pytest.mark.sm_mock(region="ca-central-1", seed=3)
def test_marker_options_configure_the_fixture(sm_mock: SecretsManagerMock, sm_client: object) -> None:
    assert sm_mock.region == "ca-central-1"
    arn = sm_client.create_secret(Name="m", SecretString="v")["ARN"]  # type: ignore[attr-defined]
    assert ":ca-central-1:" in arn


@pytest.mark.sm_mock
def test_marker_alone_activates_a_mock() -> None:
    assert _roundtrip(boto3.client("secretsmanager", region_name="us-east-1")) == "v"


def test_seed_makes_arn_suffixes_reproducible() -> None:
    def arns() -> list[str]:
        with mock_secretsmanager(seed=42) as sm:
            client = sm.client()
            return [client.create_secret(Name=f"n{i}")["ARN"] for i in range(3)]

    assert arns() == arns()


def test_configuration_made_before_activation_survives_it() -> None:
    def handler(event: dict[str, object], context: object) -> None:
        return None

    sm = mock_secretsmanager()
    sm.register_lambda("arn:aws:lambda:us-east-1:123456789012:function:rotate", handler)
    sm.map_access_key("AKIAOTHERACCOUNT0002", "222222222222")
    with sm:
        assert "arn:aws:lambda:us-east-1:123456789012:function:rotate" in sm.rotations.lambdas
    decorated_saw: list[bool] = []

    @sm
    def body() -> None:
        mock = sm_mock.current()
        decorated_saw.append(
            bool(mock.rotations.lambdas) and mock.account_for("AKIAOTHERACCOUNT0002") == "222222222222"
        )

    body()
    assert decorated_saw == [True]


def test_activation_does_not_register_the_hook_twice_on_the_default_session() -> None:
    # botocore calls every before-send handler: a second registration would be a second
    # (guarded, but wasted) pass through the hook on every request.
    boto3.client("secretsmanager", region_name="us-east-1")  # boto3's default session now exists
    with mock_secretsmanager(), mock_secretsmanager():
        client = boto3.client("secretsmanager", region_name="us-east-1")
        handlers = client.meta.events._emitter._handlers.prefix_search("before-send.secrets-manager.CreateSecret")
        assert [h for h in handlers if h is sm_mock.botocore.hook.before_send] == [sm_mock.botocore.hook.before_send]
        client.create_secret(Name="once", SecretString="v")
