"""Named resource policies (botocore 1.44): PolicyName on Put/Get/DeleteResourcePolicy and
ListResourcePolicies with paging; the rules are the model's documentation strings."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError, ParamValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import client, fails, needs_model

from sm_mock import SecretsManagerMock, mock_secretsmanager
from sm_mock.choices import MODEL_VIOLATION_CODE

POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": "secretsmanager:GetSecretValue",
                "Resource": "*",
            }
        ],
    }
)

pytestmark = needs_model("ListResourcePolicies")


def test_put_get_delete_name_the_default_policy(sm_client: Any) -> None:
    sm_client.create_secret(Name="p", SecretString="v")
    put = sm_client.put_resource_policy(SecretId="p", ResourcePolicy=POLICY, PolicyName="default")
    assert put["PolicyName"] == "default"
    got = sm_client.get_resource_policy(SecretId="p", PolicyName="default")
    assert (got["PolicyName"], got["ResourcePolicy"]) == ("default", POLICY)
    # choices.POLICY_NAME_ECHOED: without a name the answer is as recorded (row SM-129).
    assert "PolicyName" not in sm_client.get_resource_policy(SecretId="p")
    assert "PolicyName" not in sm_client.put_resource_policy(SecretId="p", ResourcePolicy=POLICY)
    assert sm_client.list_resource_policies(SecretId="p")["ResourcePolicies"] == [{"PolicyName": "default"}]
    out = sm_client.delete_resource_policy(SecretId="p", PolicyName="default")
    assert out["PolicyName"] == "default"
    assert sm_client.list_resource_policies(SecretId="p")["ResourcePolicies"] == []
    assert "ResourcePolicy" not in sm_client.get_resource_policy(SecretId="p")


@pytest.mark.parametrize("call", ["put_resource_policy", "delete_resource_policy"])
def test_only_the_default_policy_can_be_put_or_deleted(sm_client: Any, call: str) -> None:
    sm_client.create_secret(Name="p", SecretString="v")
    sm_client.put_resource_policy(SecretId="p", ResourcePolicy=POLICY)
    params: dict[str, Any] = {"SecretId": "p", "PolicyName": "other"}
    if call == "put_resource_policy":
        params["ResourcePolicy"] = POLICY.replace("GetSecretValue", "DescribeSecret")
    fails(getattr(sm_client, call), "InvalidParameterException", **params)
    # Nothing changed, and no policy named "other" appeared.
    assert sm_client.get_resource_policy(SecretId="p")["ResourcePolicy"] == POLICY
    assert sm_client.list_resource_policies(SecretId="p")["ResourcePolicies"] == [{"PolicyName": "default"}]
    fails(sm_client.get_resource_policy, "ResourceNotFoundException", SecretId="p", PolicyName="other")


def test_a_wrong_name_is_refused_before_the_secret_is_looked_up(sm_client: Any) -> None:
    # choices.POLICY_NAME_CHECKED_FIRST
    fails(sm_client.delete_resource_policy, "InvalidParameterException", SecretId="missing", PolicyName="x")
    fails(sm_client.delete_resource_policy, "ResourceNotFoundException", SecretId="missing")


@pytest.mark.parametrize("name", ["", "a" * 65, "has space", "dot.ted"])
def test_a_policy_name_outside_the_model_is_refused(sm_client: Any, name: str) -> None:
    sm_client.create_secret(Name="p", SecretString="v")
    # botocore's own check (the minimum length) or the service's (the model's maximum and pattern).
    with pytest.raises((ParamValidationError, ClientError)) as info:
        sm_client.get_resource_policy(SecretId="p", PolicyName=name)
    if isinstance(info.value, ClientError):
        assert info.value.response["Error"]["Code"] == MODEL_VIOLATION_CODE


def test_get_of_a_name_that_does_not_exist_is_resource_not_found(sm_client: Any) -> None:
    sm_client.create_secret(Name="p", SecretString="v")
    message = fails(sm_client.get_resource_policy, "ResourceNotFoundException", SecretId="p", PolicyName="nope")
    assert "ListResourcePolicies" in message
    fails(sm_client.list_resource_policies, "ResourceNotFoundException", SecretId="missing")


def _attach_service_policies(sm: SecretsManagerMock, names: list[str]) -> None:
    # Policies under other names are attached by Secrets Manager itself (a cross-account
    # replica's, tests/test_cross_account_replicas.py); here several at once, straight into the
    # model, to check the order and paging of the listing.
    secret = sm.backend.get("p", account_id=sm.account_id, region=sm.region)
    for name in names:
        secret.named_policies[name] = POLICY


def test_list_default_first_then_alphabetical_with_paging(sm_mock: SecretsManagerMock, sm_client: Any) -> None:
    sm_client.create_secret(Name="p", SecretString="v")
    sm_client.put_resource_policy(SecretId="p", ResourcePolicy=POLICY)
    _attach_service_policies(sm_mock, ["zeta", "Alpha", "beta", "a-1"])
    expected = ["default", "Alpha", "a-1", "beta", "zeta"]
    assert [p["PolicyName"] for p in sm_client.list_resource_policies(SecretId="p")["ResourcePolicies"]] == expected
    first = sm_client.list_resource_policies(SecretId="p", MaxResults=2)
    assert [p["PolicyName"] for p in first["ResourcePolicies"]] == expected[:2]
    second = sm_client.list_resource_policies(SecretId="p", MaxResults=2, NextToken=first["NextToken"])
    assert [p["PolicyName"] for p in second["ResourcePolicies"]] == expected[2:4]
    # botocore 1.44 has a paginator for it.
    pages = sm_client.get_paginator("list_resource_policies").paginate(SecretId="p", PaginationConfig={"PageSize": 2})
    assert [p["PolicyName"] for page in pages for p in page["ResourcePolicies"]] == expected
    assert sm_client.get_resource_policy(SecretId="p", PolicyName="beta")["ResourcePolicy"] == POLICY
    # A named policy is Secrets Manager's: the user cannot delete it.
    fails(sm_client.delete_resource_policy, "InvalidParameterException", SecretId="p", PolicyName="beta")


@pytest.mark.parametrize("token", ["garbage", "eyJrIjoidmVyc2lvbnMiLCJvIjoxfQ=="])
def test_a_next_token_not_of_this_operation_is_invalid(sm_client: Any, token: str) -> None:
    # The second token is a valid ListSecretVersionIds token: tokens are bound to their operation.
    sm_client.create_secret(Name="p", SecretString="v")
    fails(sm_client.list_resource_policies, "InvalidNextTokenException", SecretId="p", NextToken=token)


_NAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", min_size=1, max_size=64)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    names=st.sets(_NAME.filter(lambda n: n != "default"), max_size=12),
    with_default=st.booleans(),
    page=st.integers(min_value=1, max_value=5),
)
def test_pages_join_to_the_documented_order(names: set[str], with_default: bool, page: int) -> None:
    # Whatever the names and the page size: default first (when attached), the others in
    # alphabetical order, each once, and the last page has no NextToken.
    with mock_secretsmanager() as sm:
        c = client()
        c.create_secret(Name="p", SecretString="v")
        if with_default:
            c.put_resource_policy(SecretId="p", ResourcePolicy=POLICY)
        _attach_service_policies(sm, sorted(names))
        seen: list[str] = []
        params: dict[str, Any] = {"SecretId": "p", "MaxResults": page}
        while True:
            out = c.list_resource_policies(**params)
            assert len(out["ResourcePolicies"]) <= page
            seen.extend(p["PolicyName"] for p in out["ResourcePolicies"])
            if "NextToken" not in out:
                break
            params["NextToken"] = out["NextToken"]
        assert seen == (["default"] if with_default else []) + sorted(names)
