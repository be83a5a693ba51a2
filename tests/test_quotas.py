"""Rate quotas: token buckets per account, region and quota group on the mock clock (SPEC Q)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError
from freezegun import freeze_time
from hypothesis import given
from hypothesis import strategies as st
from support import client as shared_client
from support import new_client

from sm_mock import mock_secretsmanager
from sm_mock.quotas import QUOTA_GROUPS

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


class ManualClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.at = T0

    def now(self) -> datetime:
        return self.at


def _admitted(call: Any, n: int) -> int:
    """How many of ``n`` calls get through before the first ThrottlingException."""
    for i in range(n):
        try:
            call()
        except ClientError as error:
            assert error.response["Error"]["Code"] == "ThrottlingException"
            return i
    return n


def _password(client: Any) -> Any:
    return lambda: client.get_random_password(PasswordLength=8)


def test_default_rates_are_the_seed_quota_table() -> None:
    # SPEC Q1: the per-second quotas of the seed's quota page.
    with mock_secretsmanager() as sm:
        assert sm.quotas.rate("GetSecretValue") == 10_000
        assert sm.quotas.rate("DescribeSecret") == 40_000
        assert sm.quotas.rate("BatchGetSecretValue") == 100
        assert sm.quotas.rate("ListSecrets") == 100
        for op in (
            "CreateSecret",
            "DeleteSecret",
            "RestoreSecret",
            "GetRandomPassword",
            "ListSecretVersionIds",
            "PutSecretValue",
            "UpdateSecret",
            "RotateSecret",
            "TagResource",
            "GetResourcePolicy",
        ):
            assert sm.quotas.rate(op) == 50, op


def test_every_operation_belongs_to_exactly_one_quota_group() -> None:
    ops = [op for _, members in QUOTA_GROUPS.values() for op in members]
    assert len(ops) == len(set(ops))
    model = botocore.session.get_session().get_service_model("secretsmanager")
    assert set(model.operation_names) <= set(ops)


def test_throttling_is_off_by_default() -> None:
    with freeze_time(T0), mock_secretsmanager() as sm:
        client = new_client(attempts=1)
        assert _admitted(_password(client), 60) == 60  # over the 50/s quota, but not enforced
        assert not sm.calls.throttled()


def test_throttling_true_admits_exactly_the_burst_under_a_frozen_clock() -> None:
    with freeze_time(T0) as frozen, mock_secretsmanager(throttling=True) as sm:
        client = new_client(attempts=1)
        assert _admitted(_password(client), 60) == 50
        frozen.tick(0.1)  # 0.1 s at 50/s refills exactly 5 tokens
        assert _admitted(_password(client), 60) == 5
        frozen.tick(10)  # the bucket holds at most one second's worth
        assert _admitted(_password(client), 60) == 50
        assert len(sm.calls.throttled("GetRandomPassword")) == 3


def test_throttling_answers_rate_exceeded_with_http_400() -> None:
    # SPEC Q3 (AMBIGUOUS, recommendation followed): ThrottlingException, HTTP 400, "Rate exceeded".
    with freeze_time(T0), mock_secretsmanager() as sm:
        sm.quotas.set_rate("GetRandomPassword", 1)
        client = new_client(attempts=1)
        client.get_random_password()
        with pytest.raises(ClientError) as info:
            client.get_random_password()
    error = info.value.response
    assert error["Error"] == {"Code": "ThrottlingException", "Message": "Rate exceeded"}
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    record = sm.calls[-1]
    assert record.throttled and not record.injected and record.error_code == "ThrottlingException"


def test_set_rate_enforces_that_quota_without_the_throttling_option() -> None:
    with freeze_time(T0), mock_secretsmanager() as sm:
        sm.quotas.set_rate("GetSecretValue", 3)
        client = new_client(attempts=1)
        client.create_secret(Name="db", SecretString="v")
        assert _admitted(lambda: client.get_secret_value(SecretId="db"), 10) == 3
        assert sm.quotas.enforced == {"GetSecretValue"}
        assert _admitted(_password(client), 60) == 60  # other quotas stay off


def test_throttling_selection_enforces_only_the_named_quotas() -> None:
    with freeze_time(T0), mock_secretsmanager(throttling={"GetRandomPassword"}) as sm:
        client = new_client(attempts=1)
        assert sm.quotas.enforced == {"GetRandomPassword"}
        for i in range(55):
            client.create_secret(Name=f"s{i}", SecretString="v")  # CreateSecret: 50/s, not enforced
        assert _admitted(_password(client), 60) == 50


def test_combined_quota_group_shares_one_bucket() -> None:
    # SPEC Q1: PutSecretValue, UpdateSecret, UpdateSecretVersionStage, ... are one quota.
    with freeze_time(T0), mock_secretsmanager() as sm:
        client = new_client(attempts=1)
        client.create_secret(Name="db", SecretString="v0")
        sm.quotas.set_rate("PutSecretValue", 3)
        assert sm.quotas.rate("UpdateSecret") == 3
        client.put_secret_value(SecretId="db", SecretString="v1")
        client.update_secret(SecretId="db", Description="d")
        client.put_secret_value(SecretId="db", SecretString="v2")
        with pytest.raises(ClientError, match="ThrottlingException"):
            client.update_secret(SecretId="db", Description="e")


def test_buckets_are_per_region_and_per_calling_account() -> None:
    # SPEC Q2: quotas count per region, against the caller's account.
    with freeze_time(T0), mock_secretsmanager() as sm:
        sm.quotas.set_rate("GetRandomPassword", 1)
        east, west = new_client("us-east-1", attempts=1), new_client("eu-west-1", attempts=1)
        other = new_client("us-east-1", attempts=1, aws_access_key_id="111111111111", aws_secret_access_key="x")
        assert _admitted(_password(east), 3) == 1
        assert _admitted(_password(west), 3) == 1
        assert _admitted(_password(other), 3) == 1
        assert {(r.region, r.account_id) for r in sm.calls.throttled()} == {
            ("us-east-1", "123456789012"),
            ("eu-west-1", "123456789012"),
            ("us-east-1", "111111111111"),
        }


def test_a_throttled_request_has_no_side_effects() -> None:
    # SPEC A8: a failing call must leave nothing behind, since it will be repeated.
    with freeze_time(T0), mock_secretsmanager() as sm:
        sm.quotas.set_rate("CreateSecret", 1)
        client = new_client(attempts=1)
        client.create_secret(Name="first", SecretString="v")
        with pytest.raises(ClientError, match="ThrottlingException"):
            client.create_secret(Name="second", SecretString="v")
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.describe_secret(SecretId="second")


def test_a_rate_of_zero_throttles_every_request() -> None:
    with mock_secretsmanager() as sm:
        sm.quotas.set_rate("GetRandomPassword", 0)
        assert _admitted(_password(new_client(attempts=1)), 3) == 0


def test_burst_sets_the_bucket_size() -> None:
    with freeze_time(T0), mock_secretsmanager() as sm:
        sm.quotas.set_rate("GetRandomPassword", 1, burst=4)
        assert sm.quotas.available("GetRandomPassword") == 4
        assert _admitted(_password(new_client(attempts=1)), 10) == 4
        assert sm.quotas.available("GetRandomPassword") == 0


def test_disable_stops_enforcing() -> None:
    with freeze_time(T0), mock_secretsmanager(throttling=True) as sm:
        sm.quotas.disable("GetRandomPassword")
        assert "GetRandomPassword" not in sm.quotas.enforced
        assert _admitted(_password(new_client(attempts=1)), 60) == 60


def test_reset_refills_every_bucket() -> None:
    with freeze_time(T0), mock_secretsmanager() as sm:
        sm.quotas.set_rate("GetRandomPassword", 2)
        client = new_client(attempts=1)
        assert _admitted(_password(client), 5) == 2
        sm.quotas.reset()
        assert _admitted(_password(client), 5) == 2


def test_a_clock_moved_backwards_does_not_refill() -> None:
    clock = ManualClock()
    with mock_secretsmanager(clock=clock) as sm:
        sm.quotas.set_rate("GetRandomPassword", 1)
        client = new_client(attempts=1)
        assert _admitted(_password(client), 3) == 1
        clock.at = T0 - timedelta(hours=1)
        assert _admitted(_password(client), 3) == 0
        clock.at = T0 - timedelta(hours=1) + timedelta(seconds=1)
        assert _admitted(_password(client), 3) == 1


def test_unknown_quota_names_are_rejected_with_the_valid_ones() -> None:
    with mock_secretsmanager() as sm, pytest.raises(ValueError, match="GetSecretValue"):
        sm.quotas.set_rate("GetSecretValues", 5)
    with pytest.raises(ValueError, match="quota group"):
        mock_secretsmanager(throttling={"Nope"})


@given(
    rate=st.integers(min_value=1, max_value=8),
    steps=st.lists(st.integers(min_value=0, max_value=2_000_000), min_size=1, max_size=4),
)
def test_admissions_follow_the_token_bucket_exactly(rate: int, steps: list[int]) -> None:
    # Invariant: with integer rates, a bucket admits floor(tokens) requests, where tokens
    # refill at `rate` per second (microsecond-exact) up to a burst of `rate`.
    clock = ManualClock()
    with mock_secretsmanager(clock=clock) as sm:
        sm.quotas.set_rate("GetRandomPassword", rate)
        # One client for every example, so the property test spends its time in sm_mock.
        client = shared_client(attempts=1)
        assert _admitted(_password(client), rate + 2) == rate
        tokens = 0  # millionths of a token
        for micros in steps:
            clock.at += timedelta(microseconds=micros)
            tokens = min(rate * 1_000_000, tokens + rate * micros)
            expected = tokens // 1_000_000
            assert _admitted(_password(client), expected + 1) == expected
            tokens -= expected * 1_000_000
