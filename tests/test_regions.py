"""An explicit region= applies to clients made without region_name; inspection of a missing
secret or region says what exists (issue 21)."""

from __future__ import annotations

import os

import boto3
import pytest

from sm_mock import UnknownSecretError, mock_secretsmanager


def _region_of_a_new_client() -> str:
    return str(boto3.session.Session().client("secretsmanager").meta.region_name)


def test_an_explicit_region_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    with mock_secretsmanager(region="eu-west-1") as sm:
        assert _region_of_a_new_client() == "eu-west-1"
        boto3.session.Session().client("secretsmanager").create_secret(Name="here", SecretString="v")
        assert sm.backend.reveal("here", account_id=sm.account_id, region=sm.region) == "v"
    assert os.environ["AWS_DEFAULT_REGION"] == "ap-south-1"


def test_without_region_the_environment_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    with mock_secretsmanager():
        assert _region_of_a_new_client() == "ap-south-1"


def test_nested_explicit_regions_apply_innermost_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    with mock_secretsmanager(region="eu-west-1"):
        with mock_secretsmanager(region="ca-central-1"):
            assert _region_of_a_new_client() == "ca-central-1"
        assert _region_of_a_new_client() == "eu-west-1"
        with mock_secretsmanager():
            assert _region_of_a_new_client() == "eu-west-1"
    assert os.environ["AWS_DEFAULT_REGION"] == "ap-south-1"


def test_reveal_of_a_missing_secret_says_what_exists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    with mock_secretsmanager() as sm:  # no region=: the client follows the environment
        boto3.session.Session().client("secretsmanager").create_secret(Name="app/db", SecretString="v")
        with pytest.raises(UnknownSecretError) as info:
            sm.backend.reveal("app/db", account_id=sm.account_id, region=sm.region)
    message = str(info.value)
    assert "no secret 'app/db' in account 123456789012 region us-east-1" in message
    assert "123456789012/ap-south-1 (1)" in message
    assert isinstance(info.value, KeyError)  # as before, for code that caught KeyError


def test_reveal_of_a_missing_version_lists_the_versions() -> None:
    with mock_secretsmanager() as sm:
        sm.client().create_secret(Name="s", SecretString="v")
        with pytest.raises(UnknownSecretError, match="its versions"):
            sm.backend.reveal("s", account_id=sm.account_id, region=sm.region, stage="AWSPREVIOUS")
