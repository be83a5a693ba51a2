"""Managed external secrets (botocore 1.41+): Type, and RotateSecret without a Lambda, with
ExternalSecretRotationRoleArn and ExternalSecretRotationMetadata; the partner is a handler the
test registers for the Type (choices.EXTERNAL_ROTATION)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from support import fails, manual_clock, needs_model, new_client

from sm_mock import SecretsManagerMock, mock_secretsmanager
from sm_mock.rotation import ExternalRotationRequest

pytestmark = needs_model("RotateSecret", "ExternalSecretRotationRoleArn", "ExternalSecretRotationMetadata")

PARTNER = "SalesforceClientSecret"
ROLE = "arn:aws:iam::123456789012:role/partner-rotation"
METADATA = [{"Key": "clientId", "Value": "abc"}, {"Key": "instance", "Value": "https://x.example"}]


class Partner:
    """The partner's stand-in: makes a new credential, records what it was asked."""

    def __init__(self) -> None:
        self.requests: list[ExternalRotationRequest] = []

    def __call__(self, request: ExternalRotationRequest) -> str:
        self.requests.append(request)
        # Like a rotation function, it may read the current value through boto3.
        client = new_client(request.region)
        current = json.loads(client.get_secret_value(SecretId=request.secret_arn)["SecretString"])
        return json.dumps({**current, "secret": f"s{len(self.requests) + 1}"})


def _external(sm: SecretsManagerMock, partner: Any = None) -> tuple[Any, str]:
    client = sm.client()
    arn = client.create_secret(Name="crm", SecretString=json.dumps({"secret": "s1"}), Type=PARTNER)["ARN"]
    if partner is not None:
        sm.register_external_rotation(PARTNER, partner)
    return client, arn


def _describe(client: Any) -> dict[str, Any]:
    out: dict[str, Any] = client.describe_secret(SecretId="crm")
    out.pop("ResponseMetadata")
    return out


def _current(client: Any) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(client.get_secret_value(SecretId="crm")["SecretString"])
    return loaded


def test_rotate_an_external_secret_without_a_lambda(sm_mock: SecretsManagerMock) -> None:
    partner = Partner()
    client, arn = _external(sm_mock, partner)
    v1 = client.describe_secret(SecretId="crm")
    token = client.rotate_secret(
        SecretId="crm",
        ExternalSecretRotationRoleArn=ROLE,
        ExternalSecretRotationMetadata=METADATA,
        RotationRules={"AutomaticallyAfterDays": 30},
    )["VersionId"]
    assert _current(client) == {"secret": "s2"}
    described = client.describe_secret(SecretId="crm")
    assert described["Type"] == PARTNER
    assert described["RotationEnabled"] is True
    assert "RotationLambdaARN" not in described
    assert described["ExternalSecretRotationRoleArn"] == ROLE
    assert described["ExternalSecretRotationMetadata"] == METADATA
    assert described["VersionIdsToStages"][token] == ["AWSCURRENT"]
    (old,) = v1["VersionIdsToStages"]
    assert described["VersionIdsToStages"][old] == ["AWSPREVIOUS"]
    assert "NextRotationDate" in described and "LastRotatedDate" in described
    listed = client.list_secrets()["SecretList"][0]
    assert (listed["Type"], listed["ExternalSecretRotationRoleArn"]) == (PARTNER, ROLE)
    assert listed["ExternalSecretRotationMetadata"] == METADATA
    (request,) = partner.requests
    assert request == ExternalRotationRequest(
        arn, PARTNER, token, ROLE, {"clientId": "abc", "instance": "https://x.example"}
    )
    events = [record.event for record in sm_mock.rotations.history]
    assert events == ["RotationStarted", "RotationSucceeded"]
    assert [i.step for i in sm_mock.rotations.invocations] == [
        "createSecret",
        "setSecret",
        "testSecret",
        "finishSecret",
    ]
    assert {i.function_arn for i in sm_mock.rotations.invocations} == {ROLE}
    # A second rotation keeps the saved role and metadata.
    client.rotate_secret(SecretId="crm")
    assert _current(client) == {"secret": "s3"}
    assert len(partner.requests) == 2


def test_the_schedule_rotates_an_external_secret() -> None:
    clock = manual_clock()
    with mock_secretsmanager(clock=clock) as sm:
        partner = Partner()
        client, _ = _external(sm, partner)
        client.rotate_secret(
            SecretId="crm",
            ExternalSecretRotationRoleArn=ROLE,
            RotationRules={"AutomaticallyAfterDays": 2},
            RotateImmediately=False,
        )
        assert partner.requests == []  # a test run does not call the partner
        assert _current(client) == {"secret": "s1"}
        assert [r.event for r in sm.rotations.history] == ["TestRotationStarted", "TestRotationSucceeded"]
        clock.advance(timedelta(days=3))
        assert _current(client) == {"secret": "s2"}
        assert [r.trigger for r in sm.rotations.history][-2:] == ["schedule", "schedule"]


def test_without_a_registered_partner_the_rotation_fails_in_the_background(sm_mock: SecretsManagerMock) -> None:
    client, _ = _external(sm_mock)
    sm_mock.rotations.retries = 0
    token = client.rotate_secret(SecretId="crm", ExternalSecretRotationRoleArn=ROLE)["VersionId"]
    (failure,) = sm_mock.rotations.failures
    assert failure.step == "createSecret"
    assert "register_external_rotation" in str(failure.message)
    assert _current(client) == {"secret": "s1"}
    assert client.describe_secret(SecretId="crm")["VersionIdsToStages"][token] == ["AWSPENDING"]


def test_a_partner_returning_bytes_makes_a_binary_version(sm_mock: SecretsManagerMock) -> None:
    client, _ = _external(sm_mock, lambda request: b"\x00new")
    client.rotate_secret(SecretId="crm", ExternalSecretRotationRoleArn=ROLE)
    assert client.get_secret_value(SecretId="crm")["SecretBinary"] == b"\x00new"


@pytest.mark.parametrize(
    "params, word",
    [
        ({"RotationLambdaARN": "arn:aws:lambda:us-east-1:123456789012:function:f"}, "RotationLambdaARN"),
        ({"ExternalSecretRotationRoleArn": "arn:aws:iam::123456789012:user/not-a-role"}, "IAM role"),
        ({}, "ExternalSecretRotationRoleArn"),
        (
            {
                "ExternalSecretRotationRoleArn": ROLE,
                "ExternalSecretRotationMetadata": [{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}],
            },
            "more than once",
        ),
    ],
)
def test_invalid_external_rotation_requests_change_nothing(
    sm_mock: SecretsManagerMock, params: dict[str, Any], word: str
) -> None:
    client, _ = _external(sm_mock, Partner())
    before = _describe(client)
    message = fails(client.rotate_secret, "InvalidParameterException", SecretId="crm", **params)
    assert word in message
    assert _describe(client) == before


def test_external_members_on_an_ordinary_secret_are_refused(sm_client: Any) -> None:
    sm_client.create_secret(Name="plain", SecretString="v")
    message = fails(
        sm_client.rotate_secret, "InvalidParameterException", SecretId="plain", ExternalSecretRotationRoleArn=ROLE
    )
    assert "Type" in message
    assert "RotationEnabled" not in sm_client.describe_secret(SecretId="plain")


@needs_model("UpdateSecret", "Type")
def test_update_secret_changes_the_type(sm_client: Any) -> None:
    sm_client.create_secret(Name="plain", SecretString="v")
    sm_client.update_secret(SecretId="plain", Type=PARTNER, Description="now external")
    described = sm_client.describe_secret(SecretId="plain")
    assert (described["Type"], described["Description"]) == (PARTNER, "now external")
    # A refused update changes neither the Type nor the rest.
    fails(sm_client.update_secret, "InvalidParameterException", SecretId="plain", Type="Other", KmsKeyId="bad key")
    assert sm_client.describe_secret(SecretId="plain")["Type"] == PARTNER
