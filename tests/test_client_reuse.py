"""sm.client() and the sm_client fixture reuse one client per region and options, and nothing a
test leaves on it reaches the next test (issue 21)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.config import Config
from botocore.stub import Stubber

from sm_mock import mock_secretsmanager


def test_the_same_client_serves_every_mock() -> None:
    with mock_secretsmanager() as first:
        client = first.client()
        client.create_secret(Name="one", SecretString="v")
    with mock_secretsmanager() as second:
        assert second.client() is client
        assert client.list_secrets()["SecretList"] == []  # the second mock's state, not the first's
        client.create_secret(Name="two", SecretString="v")
    assert [s.name for s in second.backend.secrets()] == ["two"]


def test_other_regions_options_and_settings_get_their_own_client(monkeypatch: pytest.MonkeyPatch) -> None:
    with mock_secretsmanager() as sm:
        plain = sm.client()
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", "7")
        assert sm.client() is not plain  # botocore reads the setting when it makes a client
        monkeypatch.delenv("AWS_MAX_ATTEMPTS")
        assert sm.client() is plain
        assert sm.client() is not sm.client(region_name="eu-west-1")
        assert sm.client(region_name="eu-west-1") is sm.client(region_name="eu-west-1")
        configured = sm.client(config=Config(retries={"mode": "legacy"}))
        assert configured is not sm.client(config=Config(retries={"mode": "legacy"}))  # a Config: own client


def test_handlers_a_test_registered_are_gone_at_the_next_handout() -> None:
    seen: list[str] = []

    def spy(**kwargs: Any) -> None:
        seen.append("called")

    with mock_secretsmanager() as sm:
        client = sm.client()
        client.meta.events.register("before-call.secrets-manager", spy)
        client.list_secrets()
    with mock_secretsmanager() as sm:
        assert sm.client() is client
        client.list_secrets()
    assert seen == ["called"]


def test_a_stubber_left_active_is_gone_at_the_next_handout() -> None:
    with mock_secretsmanager() as sm:
        client = sm.client()
        Stubber(client).activate()  # never deactivated
    with mock_secretsmanager() as sm:
        sm.client().create_secret(Name="served", SecretString="v")
        assert [s.name for s in sm.backend.secrets()] == ["served"]


def test_the_retry_quota_is_full_again_at_the_next_handout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_RETRY_MODE", "standard")  # the mode with a retry quota
    with mock_secretsmanager() as sm:
        client = sm.client()
        sm.faults.add("ListSecrets", "InternalServiceError")  # every attempt fails: retries spend the quota
        for _ in range(60):
            with pytest.raises(client.exceptions.InternalServiceError):
                client.list_secrets()
        sm.faults.clear()
    with mock_secretsmanager() as sm:
        sm.client()
        sm.faults.add("ListSecrets", "InternalServiceError", times=1)
        assert sm.client().list_secrets()["ResponseMetadata"]["RetryAttempts"] == 1  # retried again
