"""sm_mock beside moto: sm_mock serves Secrets Manager, moto the other services, in either
nesting order, with stacked decorators and around a class.

moto is an optional extra (``pip install -e ".[test,coexist]"``); without it these tests are
skipped. moto is never a reference for behaviour here: only for being there.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import boto3
import pytest

moto = pytest.importorskip("moto")

import sm_mock  # noqa: E402  (after the skip: the order of imports is part of what is tested)
from sm_mock import mock_secretsmanager  # noqa: E402

REGION = "us-east-1"


@pytest.fixture(autouse=True)
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    attempts: list[str] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(repr(args[:2]))
        raise OSError("no connection may be opened")

    monkeypatch.setattr(socket.socket, "connect", lambda self, *a, **k: refuse(*a, **k))
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield
    assert attempts == []


def _exercise() -> tuple[list[str], list[str]]:
    """An S3 bucket (moto's) and a secret (sm_mock's); what each backend then holds."""
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="coexisting-bucket")
    secrets = boto3.client("secretsmanager", region_name=REGION)
    secrets.create_secret(Name="coexisting-secret", SecretString="v")
    assert secrets.get_secret_value(SecretId="coexisting-secret")["SecretString"] == "v"
    buckets = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    return buckets, [s.name for s in sm_mock.current().backend.secrets()]


@pytest.mark.parametrize("sm_mock_inside", [True, False], ids=["mock_aws-outside", "mock_aws-inside"])
def test_both_nesting_orders(sm_mock_inside: bool) -> None:
    with ExitStack() as stack:
        order = [moto.mock_aws(), mock_secretsmanager()]
        for context in order if sm_mock_inside else reversed(order):
            stack.enter_context(context)
        buckets, secrets = _exercise()
    assert buckets == ["coexisting-bucket"]
    assert secrets == ["coexisting-secret"]


@moto.mock_aws
@mock_secretsmanager
def test_stacked_decorators_sm_mock_inside() -> None:
    assert _exercise() == (["coexisting-bucket"], ["coexisting-secret"])


@mock_secretsmanager
@moto.mock_aws
def test_stacked_decorators_sm_mock_outside() -> None:
    assert _exercise() == (["coexisting-bucket"], ["coexisting-secret"])


@moto.mock_aws
class TestMockAwsAroundAClass:
    @mock_secretsmanager
    def test_a_method_with_sm_mock(self) -> None:
        assert _exercise() == (["coexisting-bucket"], ["coexisting-secret"])


def test_sm_mock_answers_secrets_manager_even_when_moto_knows_it() -> None:
    with moto.mock_aws(), mock_secretsmanager() as sm:
        client = boto3.client("secretsmanager", region_name=REGION)
        client.create_secret(Name="shared", SecretString="v")
        # sm_mock's behaviour, not moto's: a recorded AWS answer sm_mock gives.
        with pytest.raises(client.exceptions.ResourceExistsException, match="already exists"):
            client.create_secret(Name="shared", SecretString="other")
        assert [r.operation for r in sm.calls] == ["CreateSecret", "CreateSecret"]
