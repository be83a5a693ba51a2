"""Resource policies: BlockPublicPolicy and ValidateResourcePolicy's public-access check (SPEC J3, J4)."""

from __future__ import annotations

import json
from typing import Any

import pytest

ROOT = "arn:aws:iam::123456789012:root"


def _policy(principal: object, condition: dict[str, Any] | None = None) -> str:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": principal,
        "Action": "secretsmanager:GetSecretValue",
        "Resource": "*",
    }
    if condition is not None:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}, {"AWS": ["*"]}, {"AWS": [ROOT, "*"]}])
def test_a_wildcard_principal_is_public_alone_or_in_a_list(sm_client: Any, principal: object) -> None:
    sm_client.create_secret(Name="p", SecretString="v")
    policy = _policy(principal)
    with pytest.raises(sm_client.exceptions.PublicPolicyException):
        sm_client.put_resource_policy(SecretId="p", ResourcePolicy=policy, BlockPublicPolicy=True)
    assert "ResourcePolicy" not in sm_client.get_resource_policy(SecretId="p")  # nothing attached
    checked = sm_client.validate_resource_policy(SecretId="p", ResourcePolicy=policy)
    assert checked["PolicyValidationPassed"] is False
    assert [e["CheckName"] for e in checked["ValidationErrors"]] == ["BROAD_ACCESS"]


@pytest.mark.parametrize(
    "principal, condition",
    [({"AWS": ROOT}, None), ({"AWS": [ROOT]}, None), ("*", {"StringEquals": {"aws:PrincipalAccount": "123456789012"}})],
)
def test_a_named_or_conditioned_principal_is_not_public(sm_client: Any, principal: object, condition: Any) -> None:
    sm_client.create_secret(Name="p", SecretString="v")
    policy = _policy(principal, condition)
    sm_client.put_resource_policy(SecretId="p", ResourcePolicy=policy, BlockPublicPolicy=True)
    assert json.loads(sm_client.get_resource_policy(SecretId="p")["ResourcePolicy"]) == json.loads(policy)
    assert sm_client.validate_resource_policy(SecretId="p", ResourcePolicy=policy)["PolicyValidationPassed"] is True
