"""The AWS Parameters and Secrets Lambda Extension's style of the endpoint (issue 20, item 5).

Its environment variables (User Guide, "AWS Parameters and Secrets Lambda Extension environment
variables") shape the cache; the User Guide's own Python example reads through it; Parameter
Store paths answer 404 saying that sm_mock serves Secrets Manager only.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from agent_http import read
from support import manual_clock

from sm_mock import ManualClock, SecretsManagerMock, SmMockError, mock_secretsmanager

GET = "/secretsmanager/get?secretId=app/db"
VARIABLES = (
    "SECRETS_MANAGER_TTL",
    "PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED",
    "PARAMETERS_SECRETS_EXTENSION_CACHE_SIZE",
    "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT",
)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def clock() -> ManualClock:
    return manual_clock()


@pytest.fixture
def sm(clock: ManualClock) -> Iterator[SecretsManagerMock]:
    with mock_secretsmanager(clock=clock) as mock:
        mock.client().create_secret(Name="app/db", SecretString="v1")
        yield mock


def reads(sm: SecretsManagerMock, clock: ManualClock, times: int = 3) -> list[str]:
    values = []
    for _ in range(times):
        status, body = read(sm, GET)
        assert status == 200, body
        values.append(json.loads(body)["SecretString"])
        clock.advance(seconds=1)
    return values


def test_the_default_caches_for_300_seconds(sm: SecretsManagerMock, clock: ManualClock) -> None:
    sm.serve_agent(style="lambda-extension", token="t")
    assert (sm.agent.settings.ttl_seconds, sm.agent.settings.cache_size) == (300, 1000)
    assert reads(sm, clock) == ["v1"] * 3
    assert sm.calls.count("GetSecretValue") == 1


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SECRETS_MANAGER_TTL", "0"),
        ("PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED", "false"),
        ("PARAMETERS_SECRETS_EXTENSION_CACHE_SIZE", "0"),
    ],
)
def test_each_way_to_switch_caching_off_reads_every_time(
    sm: SecretsManagerMock, clock: ManualClock, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    sm.serve_agent(style="lambda-extension", token="t")
    assert sm.agent.cache is None
    values = reads(sm, clock, 2)
    sm.client().put_secret_value(SecretId="app/db", SecretString="v2")
    values += reads(sm, clock, 1)
    assert values == ["v1", "v1", "v2"]
    assert sm.calls.count("GetSecretValue") == 3 and sm.calls.count("DescribeSecret") == 0


def test_secrets_manager_ttl_sets_the_ttl(
    sm: SecretsManagerMock, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECRETS_MANAGER_TTL", "60")
    monkeypatch.setenv("PARAMETERS_SECRETS_EXTENSION_CACHE_SIZE", "10")
    monkeypatch.setenv("PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED", "TRUE")
    sm.serve_agent(style="lambda-extension", token="t")
    assert (sm.agent.settings.ttl_seconds, sm.agent.settings.cache_size) == (60, 10)
    assert reads(sm, clock, 1) == ["v1"]
    sm.client().put_secret_value(SecretId="app/db", SecretString="v2")
    clock.advance(seconds=59)
    assert reads(sm, clock, 1) == ["v1"]  # 60 s after the first read: still fresh
    assert reads(sm, clock, 1) == ["v2"]  # 61 s


def test_an_explicit_argument_wins_over_the_variable(sm: SecretsManagerMock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRETS_MANAGER_TTL", "0")
    sm.serve_agent(style="lambda-extension", token="t", ttl_seconds=30, cache_size=5)
    assert (sm.agent.settings.ttl_seconds, sm.agent.settings.cache_size) == (30, 5)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SECRETS_MANAGER_TTL", "301", "from 0 to 300"),  # "The maximum is 300 seconds"
        ("SECRETS_MANAGER_TTL", "five", "from 0 to 300"),
        ("PARAMETERS_SECRETS_EXTENSION_CACHE_SIZE", "1001", "from 0 to 1000"),
        ("PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED", "yes", "true to cache"),
        ("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", "0", "from 1 to 65535"),
    ],
)
def test_a_wrong_variable_says_what_it_takes(
    sm: SecretsManagerMock, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    port: Any = None if variable.endswith("HTTP_PORT") else 0
    with pytest.raises(SmMockError, match=message) as info:
        sm.serve_agent(port, style="lambda-extension", token="t")
    assert variable in str(info.value)


def test_parameter_store_paths_say_sm_mock_serves_secrets_manager_only(sm: SecretsManagerMock) -> None:
    sm.serve_agent(style="lambda-extension", token="t")
    status, body = read(sm, "/systemsmanager/parameters/get?name=%2Fapp%2Fdb")
    assert status == 404
    assert "Secrets Manager only" in body and "Parameter Store" in body
    assert read(sm, "/systemsmanager/parameters/get?name=x", **{"X-Aws-Parameters-Secrets-Token": "wrong"}) == (
        403,
        "Bad Token",
    )


# ---- the User Guide's example, unmodified, in a Lambda handler -----------------------------------
def lambda_handler(event: dict[str, Any], context: Any) -> str:
    """The User Guide's "Retrieve a secret (Python)" example, as a function would hold it."""
    headers = {"X-Aws-Parameters-Secrets-Token": os.environ.get("AWS_SESSION_TOKEN")}
    secrets_extension_http_port = os.environ.get("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", "2773")
    secret_name = event["secret_name"]
    secrets_extension_endpoint = (
        "http://localhost:" + secrets_extension_http_port + "/secretsmanager/get?secretId=" + secret_name
    )
    r = requests.get(secrets_extension_endpoint, headers=headers)
    secret = json.loads(r.text)["SecretString"]
    return str(secret)


@pytest.mark.sm_agent(style="lambda-extension")
def test_the_user_guides_example_reads_through_the_fixture(sm_mock: SecretsManagerMock, sm_agent_url: str) -> None:
    sm_mock.client().create_secret(Name="prod/api-key", SecretString="s3cr3t")
    assert lambda_handler({"secret_name": "prod/api-key"}, None) == "s3cr3t"
    assert lambda_handler({"secret_name": "prod/api-key"}, None) == "s3cr3t"
    assert sm_mock.calls.count("GetSecretValue") == 1  # the second read came from the cache
    assert sm_mock.agent.settings.style == "lambda-extension"
