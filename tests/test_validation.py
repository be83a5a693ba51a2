"""Model-driven input validation: the checks botocore skips on the client (SPEC A3)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError
from support import error_code, new_client

from sm_mock import SecretsManagerMock, mock_secretsmanager


@pytest.fixture
def raw_client(sm_mock: SecretsManagerMock) -> Any:
    """A client that sends whatever it is given (no client-side validation)."""
    return new_client(sm_mock.region, config=Config(parameter_validation=False))


def test_name_over_512_characters_is_rejected_by_the_service(sm_client: Any) -> None:
    with pytest.raises(ClientError) as info:
        sm_client.create_secret(Name="n" * 513, SecretString="v")
    assert error_code(info) == "ValidationException"
    assert "at 'name'" in info.value.response["Error"]["Message"]
    assert "less than or equal to 512" in info.value.response["Error"]["Message"]


def test_name_of_512_characters_is_accepted(sm_client: Any) -> None:
    assert sm_client.create_secret(Name="n" * 512, SecretString="v")["Name"] == "n" * 512


def test_enum_violation_is_a_validation_exception_with_aws_text(sm_client: Any) -> None:
    with pytest.raises(ClientError) as info:
        sm_client.list_secrets(SortOrder="sideways")
    assert error_code(info) == "ValidationException"
    assert info.value.response["Error"]["Message"].startswith(
        "1 validation error detected: Value 'sideways' at 'sortOrder' failed to satisfy constraint"
    )


def test_value_too_large_never_echoes_the_value(sm_client: Any) -> None:
    big = "s" * 65_537
    with pytest.raises(ClientError) as info:
        sm_client.create_secret(Name="big", SecretString=big)
    assert error_code(info) == "ValidationException"
    assert "sss" not in info.value.response["Error"]["Message"]
    with pytest.raises(sm_client.exceptions.ResourceNotFoundException):
        sm_client.describe_secret(SecretId="big")


def test_value_of_exactly_the_quota_is_accepted(sm_client: Any) -> None:
    sm_client.create_secret(Name="max", SecretBinary=b"\x00" * 65_536)
    assert len(sm_client.get_secret_value(SecretId="max")["SecretBinary"]) == 65_536


def test_botocore_still_rejects_minimums_on_the_client(sm_client: Any) -> None:
    with pytest.raises(ParamValidationError):
        sm_client.get_secret_value(SecretId="x", VersionId="too-short")  # SM-055


@pytest.mark.parametrize(
    ("operation", "params", "code"),
    [
        ("get_secret_value", {"SecretId": 12}, "SerializationException"),
        ("get_secret_value", {"SecretId": ["a"]}, "SerializationException"),
        ("list_secrets", {"MaxResults": "ten"}, "SerializationException"),
        ("list_secrets", {"MaxResults": 0}, "ValidationException"),
        ("list_secrets", {"MaxResults": 101}, "ValidationException"),
        ("delete_secret", {"SecretId": "x", "ForceDeleteWithoutRecovery": "yes"}, "SerializationException"),
        ("get_random_password", {"PasswordLength": 4097}, "ValidationException"),
        ("list_secret_version_ids", {"SecretId": "x", "IncludeDeprecated": "yes"}, "SerializationException"),
        ("create_secret", {"Name": "x", "Tags": [{"Key": "k" * 129, "Value": "v"}]}, "ValidationException"),
        ("get_secret_value", {}, "ValidationException"),
    ],
)
def test_wrong_types_and_ranges_get_aws_errors(
    raw_client: Any, operation: str, params: dict[str, Any], code: str
) -> None:
    with pytest.raises(ClientError) as info:
        getattr(raw_client, operation)(**params)
    assert error_code(info) == code
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_unknown_members_are_ignored() -> None:
    with mock_secretsmanager():
        client = new_client()
        client.create_secret(Name="u", SecretString="v")

        def rewrite(request: Any, **kwargs: Any) -> None:
            request.data = json.dumps({"SecretId": "u", "NotAMember": {"x": 1}})

        client.meta.events.register_first("before-sign.secrets-manager.GetSecretValue", rewrite)
        assert client.get_secret_value(SecretId="u")["SecretString"] == "v"


def _send_raw(client: Any, body: bytes) -> dict[str, Any]:
    def rewrite(request: Any, **kwargs: Any) -> None:
        request.data = body

    client.meta.events.register_first("before-sign.secrets-manager.GetSecretValue", rewrite)
    try:
        client.get_secret_value(SecretId="placeholder")
    except ClientError as error:
        return dict(error.response)
    raise AssertionError("expected an error answer")


@pytest.mark.parametrize("body", [b"[1, 2]", b'"text"', b"{not json", b"\xff\xfe", b"null"])
def test_bodies_that_are_not_json_objects_get_a_serialization_error(body: bytes) -> None:
    with mock_secretsmanager():
        client = new_client()
        response = _send_raw(client, body)
        assert response["Error"]["Code"] == "SerializationException"
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_invalid_base64_in_a_blob_is_a_serialization_error() -> None:
    with mock_secretsmanager():
        client = new_client()

        def rewrite(request: Any, **kwargs: Any) -> None:
            request.data = json.dumps({"Name": "b", "SecretBinary": "%%%not-base64%%%", "ClientRequestToken": "t" * 32})

        client.meta.events.register_first("before-sign.secrets-manager.CreateSecret", rewrite)
        with pytest.raises(ClientError) as info:
            client.create_secret(Name="b", SecretBinary=b"x")
        assert error_code(info) == "SerializationException"


def test_every_failed_request_is_logged_with_its_code(sm_mock: SecretsManagerMock, raw_client: Any) -> None:
    with pytest.raises(ClientError):
        raw_client.get_secret_value(SecretId=12)
    record = sm_mock.calls[-1]
    assert (record.operation, record.error_code, record.region) == (
        "GetSecretValue",
        "SerializationException",
        "us-east-1",
    )


@pytest.mark.parametrize(
    "state",
    [
        {"k": "versions"},
        {"k": "versions", "o": "a"},
        {"k": "versions", "o": 1.5},
        {"k": "versions", "o": -1},
        {"k": "versions", "o": True},
        {"k": "secrets", "o": 1},
        ["versions", 1],
    ],
)
def test_a_forged_version_list_token_is_an_invalid_next_token(sm_client: Any, state: object) -> None:
    # SPEC M3: a bad NextToken gives InvalidNextTokenException, never a 500 or a page of its making.
    sm_client.create_secret(Name="s", SecretString="v")
    sm_client.put_secret_value(SecretId="s", SecretString="w")
    token = base64.urlsafe_b64encode(json.dumps(state).encode()).decode()
    with pytest.raises(sm_client.exceptions.InvalidNextTokenException):
        sm_client.list_secret_version_ids(SecretId="s", NextToken=token)
    first = sm_client.list_secret_version_ids(SecretId="s", MaxResults=1)  # a real token still works
    second = sm_client.list_secret_version_ids(SecretId="s", MaxResults=1, NextToken=first["NextToken"])
    assert {v["VersionId"] for v in first["Versions"] + second["Versions"]} == {
        v["VersionId"] for v in sm_client.list_secret_version_ids(SecretId="s")["Versions"]
    }


def test_model_patterns_match_ascii_digits_only(sm_client: Any) -> None:
    # RegionType is ^([a-z]+-)+\d+$ in the service model, a Java pattern: \d is 0-9 only.
    sm_client.create_secret(Name="s", SecretString="v")
    with pytest.raises(ClientError) as info:
        sm_client.replicate_secret_to_regions(SecretId="s", AddReplicaRegions=[{"Region": "eu-west-\u0661"}])
    assert error_code(info) == "ValidationException"
    assert "ReplicationStatus" not in sm_client.describe_secret(SecretId="s")
