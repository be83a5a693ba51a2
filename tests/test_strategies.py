"""sm_mock.strategies draw what the service accepts, and only that (issue 19).

Every claim is checked through a real boto3 client against the mock: a name called valid is
created, one called invalid is refused, rules are taken by RotateSecret, and so on.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import given
from hypothesis import strategies as st
from support import client, error_code

from sm_mock import mock_secretsmanager, strategies
from sm_mock.model import arn as arns

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:noop"


@given(strategies.secret_names(max_size=512))
def test_every_name_called_valid_is_created(name: str) -> None:
    with mock_secretsmanager():
        answer = client().create_secret(Name=name, SecretString="v")
        assert answer["Name"] == name
        assert client().describe_secret(SecretId=answer["ARN"])["Name"] == name


@given(strategies.invalid_secret_names())
def test_every_name_called_invalid_is_refused(name: str) -> None:
    with mock_secretsmanager() as sm:
        with pytest.raises(ClientError) as info:
            client().create_secret(Name=name, SecretString="v")
        assert error_code(info) in ("ValidationException", "InvalidParameterException")
        assert sm.backend.secrets() == []


@given(strategies.suffix_like_names())
def test_a_partial_arn_of_a_suffix_like_name_does_not_find_it(name: str) -> None:
    assert arns.SUFFIX_TAIL.search(name)
    with mock_secretsmanager():
        created = client().create_secret(Name=name, SecretString="v")
        partial = created["ARN"][: -(arns.SUFFIX_LENGTH + 1)]
        with pytest.raises(ClientError) as info:
            client().describe_secret(SecretId=partial)
        assert error_code(info) == "ResourceNotFoundException"
        assert client().describe_secret(SecretId=created["ARN"])["Name"] == name


@given(st.data())
def test_full_and_partial_arns_name_the_secret(data: st.DataObject) -> None:
    name = data.draw(strategies.secret_names().filter(lambda n: not arns.SUFFIX_TAIL.search(n)))
    with mock_secretsmanager() as sm:
        created = client().create_secret(Name=name, SecretString="v")
        suffix = created["ARN"][-arns.SUFFIX_LENGTH :]
        full = data.draw(strategies.full_arns(st.just(name), regions=[sm.region], account_ids=st.just(sm.account_id)))
        partial = data.draw(
            strategies.partial_arns(st.just(name), regions=[sm.region], account_ids=st.just(sm.account_id))
        )
        assert full.startswith(partial + "-")
        assert client().describe_secret(SecretId=full[: -arns.SUFFIX_LENGTH] + suffix)["ARN"] == created["ARN"]
        assert client().describe_secret(SecretId=partial)["ARN"] == created["ARN"]


@given(st.one_of(strategies.secret_strings(), strategies.binary_values()))
def test_values_are_stored_and_read_back(value: str | bytes) -> None:
    key = "SecretBinary" if isinstance(value, bytes) else "SecretString"
    with mock_secretsmanager():
        client().create_secret(Name="v", **{key: value})
        assert client().get_secret_value(SecretId="v")[key] == value


def test_the_largest_values_are_within_the_limit() -> None:
    @given(strategies.secret_strings(max_size=10**6), strategies.binary_values(max_size=10**6))
    def sizes(text: str, raw: bytes) -> None:
        assert 1 <= len(text) <= 65_536
        assert 1 <= len(raw) <= 65_536

    sizes()


@given(strategies.tags())
def test_tags_are_accepted(tags: list[dict[str, str]]) -> None:
    with mock_secretsmanager():
        client().create_secret(Name="t", SecretString="v", Tags=tags)
        assert client().describe_secret(SecretId="t").get("Tags", []) == tags


@given(strategies.list_secrets_filters())
def test_list_secrets_filters_are_accepted(filters: list[dict[str, Any]]) -> None:
    with mock_secretsmanager():
        client().create_secret(Name="f", SecretString="v")
        assert isinstance(client().list_secrets(Filters=filters)["SecretList"], list)


@given(strategies.rotation_rules())
def test_rotation_rules_are_accepted_by_rotate_secret(rules: dict[str, Any]) -> None:
    with mock_secretsmanager() as sm:
        sm.register_lambda(LAMBDA, lambda event, context: None)
        client().create_secret(Name="r", SecretString="v")
        client().rotate_secret(SecretId="r", RotationLambdaARN=LAMBDA, RotationRules=rules, RotateImmediately=False)
        described = client().describe_secret(SecretId="r")
        assert described["RotationEnabled"] is True
        sm.rotations.assert_no_failures()
        if "ScheduleExpression" in rules:
            assert described["RotationRules"]["ScheduleExpression"] == rules["ScheduleExpression"]


@given(strategies.secret_histories())
def test_secret_histories_are_ready_in_the_mock(history: strategies.SecretHistory) -> None:
    with mock_secretsmanager():
        created = history.create(client())
        assert created.labels["AWSCURRENT"] == created.version_ids[-1]
        if len(created.version_ids) > 1:
            assert created.labels["AWSPREVIOUS"] == created.version_ids[-2]
        for label, index in history.custom_labels.items():
            assert created.labels[label] == created.version_ids[index]
        last = history.values[-1]
        key = "SecretBinary" if isinstance(last, bytes) else "SecretString"
        assert client().get_secret_value(SecretId=created.arn)[key] == last
