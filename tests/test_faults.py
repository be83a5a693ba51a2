"""The fault plan: injected service errors and network failures through real boto3 clients."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from freezegun import freeze_time
from hypothesis import given
from hypothesis import strategies as st
from support import client as shared_client
from support import new_client

from sm_mock import mock_secretsmanager
from sm_mock.faults import SERVICE_ERRORS

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
MODELLED = [
    "DecryptionFailure",
    "EncryptionFailure",
    "InternalServiceError",
    "InvalidNextTokenException",
    "InvalidParameterException",
    "InvalidRequestException",
    "LimitExceededException",
    "MalformedPolicyDocumentException",
    "PreconditionNotMetException",
    "PublicPolicyException",
    "ResourceExistsException",
    "ResourceNotFoundException",
]


def _outcome(call: Any) -> str:
    try:
        call()
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    return "ok"


@pytest.mark.parametrize("code", MODELLED)
def test_every_modelled_error_can_be_injected_and_maps_to_its_client_exception(code: str) -> None:
    # SPEC A7: botocore maps the 12 modelled codes to client.exceptions.<Code>.
    with mock_secretsmanager() as sm:
        sm.faults.add("GetRandomPassword", code)
        client = new_client(attempts=1)
        with pytest.raises(getattr(client.exceptions, code)) as info:
            client.get_random_password()
    status = 500 if code == "InternalServiceError" else 400
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert info.value.response["Error"]["Message"] == SERVICE_ERRORS[code][1]


@pytest.mark.parametrize("code", ["ThrottlingException", "AccessDeniedException", "ValidationException"])
def test_unmodelled_codes_reach_the_caller_as_client_error_with_the_code(code: str) -> None:
    # SPEC A7: not modelled, so a plain ClientError, but Error.Code must be set.
    with mock_secretsmanager() as sm:
        sm.faults.add("GetSecretValue", code)
        with pytest.raises(ClientError) as info:
            new_client(attempts=1).get_secret_value(SecretId="db")
    assert info.value.response["Error"]["Code"] == code
    if code == "AccessDeniedException":
        assert "secretsmanager:GetSecretValue on resource: db" in info.value.response["Error"]["Message"]


def test_internal_service_error_is_retried_by_botocore_until_it_stops() -> None:
    with mock_secretsmanager() as sm:
        sm.faults.add("GetSecretValue", "InternalServiceError", times=2)
        client = new_client(retry_mode="legacy", attempts=5)
        client.create_secret(Name="db", SecretString="v")
        response = client.get_secret_value(SecretId="db")
    assert response["SecretString"] == "v"
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    gets = sm.calls.of("GetSecretValue")
    assert [(r.attempt, r.error_code, r.injected) for r in gets] == [
        (1, "InternalServiceError", True),
        (2, "InternalServiceError", True),
        (3, None, False),
    ]
    assert sm.calls.made("GetSecretValue") == 1 and sm.calls.retried("GetSecretValue") == 2
    assert len(sm.calls.injected()) == 2


def test_custom_message_and_status() -> None:
    with mock_secretsmanager() as sm:
        sm.faults.add("GetRandomPassword", "ServiceUnavailable", status=503, message="Try later")
        with pytest.raises(ClientError) as info:
            new_client(attempts=1).get_random_password()
    response = info.value.response
    assert response["Error"] == {"Code": "ServiceUnavailable", "Message": "Try later"}
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 503


@pytest.mark.parametrize("mode", ["legacy", "standard", "adaptive"])
@pytest.mark.parametrize("kind", ["ConnectionError", "ConnectTimeout", "ReadTimeout", "ConnectionClosed"])
def test_transport_failures_are_retried_by_botocore(mode: str, kind: str) -> None:
    with mock_secretsmanager() as sm:
        sm.faults.add("GetRandomPassword", kind, times=2)
        response = new_client(retry_mode=mode, attempts=3).get_random_password()
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert [(r.attempt, r.error_code, r.injected) for r in sm.calls] == [
        (1, kind, True),
        (2, kind, True),
        (3, None, False),
    ]
    assert len(sm.sleeps.delays) == 2


@pytest.mark.parametrize(
    ("kind", "exception"),
    [
        ("ConnectionError", EndpointConnectionError),
        ("ConnectTimeout", ConnectTimeoutError),
        ("ReadTimeout", ReadTimeoutError),
        ("ConnectionClosed", ConnectionClosedError),
    ],
)
def test_transport_failures_raise_botocores_own_exception_once_retries_are_spent(
    kind: str, exception: type[Exception]
) -> None:
    with mock_secretsmanager() as sm:
        sm.faults.add("GetRandomPassword", kind)
        with pytest.raises(exception, match=r"secretsmanager\.us-east-1\.amazonaws\.com"):
            new_client(retry_mode="legacy", attempts=4).get_random_password()
    assert sm.calls.count() == 4


def test_a_connection_error_never_reaches_the_service() -> None:
    with mock_secretsmanager() as sm:
        sm.faults.add("CreateSecret", "ConnectionError")
        client = new_client(attempts=1)
        with pytest.raises(EndpointConnectionError):
            client.create_secret(Name="db", SecretString="v")
        sm.faults.clear()
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.describe_secret(SecretId="db")


def test_a_read_timeout_runs_the_operation_and_loses_the_response() -> None:
    # The request arrived; only the answer is lost. The secret exists afterwards.
    with mock_secretsmanager() as sm:
        sm.faults.add("CreateSecret", "ReadTimeout", times=1)
        client = new_client(attempts=1)
        with pytest.raises(ReadTimeoutError):
            client.create_secret(Name="db", SecretString="v")
        assert client.get_secret_value(SecretId="db")["SecretString"] == "v"


def test_a_read_timeout_retried_with_the_same_token_creates_one_version() -> None:
    # SPEC A4/E2: botocore resends the same ClientRequestToken, so the retry is a no-op.
    with mock_secretsmanager() as sm:
        client = new_client(retry_mode="standard", attempts=3)
        client.create_secret(Name="db", SecretString="v1")
        sm.faults.add("PutSecretValue", "ReadTimeout", times=1)
        version = client.put_secret_value(SecretId="db", SecretString="v2")["VersionId"]
        versions = client.list_secret_version_ids(SecretId="db")["Versions"]
    assert len(versions) == 2
    assert [v["VersionId"] for v in versions if "AWSCURRENT" in v["VersionStages"]] == [version]
    assert [(r.attempt, r.error_code) for r in sm.calls.of("PutSecretValue")] == [(1, "ReadTimeout"), (2, None)]


def _sequence(seed: int, n: int = 40) -> list[str]:
    with mock_secretsmanager(seed=seed) as sm:
        sm.faults.add("GetRandomPassword", "InternalServiceError", probability=0.3)
        sm.faults.add("GetRandomPassword", "ThrottlingException", probability=0.2)
        # One client for many activations, so the test spends its time in sm_mock, not in client creation.
        client = shared_client(attempts=1)
        return [_outcome(client.get_random_password) for _ in range(n)]


def test_a_seeded_fault_plan_gives_the_same_failures_on_every_run() -> None:
    first = _sequence(seed=7)
    assert first == _sequence(seed=7)
    assert {"ok", "InternalServiceError", "ThrottlingException"} == set(first)
    assert _sequence(seed=8) != first


@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_any_seed_replays_identically(seed: int) -> None:
    assert _sequence(seed, n=8) == _sequence(seed, n=8)


def test_without_a_seed_the_plan_exposes_one_that_replays_the_run() -> None:
    with mock_secretsmanager() as sm:
        sm.faults.add("GetRandomPassword", "InternalServiceError", probability=0.5)
        client = new_client(attempts=1)
        run = [_outcome(client.get_random_password) for _ in range(30)]
        seed = sm.faults.seed
    assert _sequence_half(seed) == run


def _sequence_half(seed: int) -> list[str]:
    with mock_secretsmanager(seed=seed) as sm:
        sm.faults.add("GetRandomPassword", "InternalServiceError", probability=0.5)
        client = new_client(attempts=1)
        return [_outcome(client.get_random_password) for _ in range(30)]


def test_a_fault_draws_only_on_attempts_it_is_eligible_for() -> None:
    # Adding an unrelated fault does not change another fault's sequence.
    with mock_secretsmanager(seed=3) as sm:
        sm.faults.add("GetRandomPassword", "InternalServiceError", probability=0.5)
        client = new_client(attempts=1)
        alone = [_outcome(client.get_random_password) for _ in range(20)]
    with mock_secretsmanager(seed=3) as sm:
        sm.faults.add("GetRandomPassword", "InternalServiceError", probability=0.5)
        sm.faults.add("DescribeSecret", "InternalServiceError", probability=0.5)
        client = new_client(attempts=1)
        mixed = []
        for _ in range(20):
            mixed.append(_outcome(client.get_random_password))
            _outcome(lambda: client.describe_secret(SecretId="x"))
    assert mixed == alone


def test_faults_can_target_one_secret_by_name_or_arn() -> None:
    with mock_secretsmanager() as sm:
        client = new_client(attempts=1)
        arn = client.create_secret(Name="app/db", SecretString="v")["ARN"]
        client.create_secret(Name="app/db2", SecretString="v")
        sm.faults.add("GetSecretValue", "InternalServiceError", secret="app/db")
        assert _outcome(lambda: client.get_secret_value(SecretId="app/db")) == "InternalServiceError"
        assert _outcome(lambda: client.get_secret_value(SecretId=arn)) == "InternalServiceError"
        assert _outcome(lambda: client.get_secret_value(SecretId=arn[:-7])) == "InternalServiceError"
        assert _outcome(lambda: client.get_secret_value(SecretId="app/db2")) == "ok"


def test_faults_can_target_secrets_by_prefix() -> None:
    with mock_secretsmanager() as sm:
        client = new_client(attempts=1)
        for name in ("prod/db", "prod/api", "dev/db"):
            client.create_secret(Name=name, SecretString="v")
        fault = sm.faults.add("*", "AccessDeniedException", secret_prefix="prod/")
        assert _outcome(lambda: client.get_secret_value(SecretId="prod/db")) == "AccessDeniedException"
        assert _outcome(lambda: client.describe_secret(SecretId="prod/api")) == "AccessDeniedException"
        assert _outcome(lambda: client.get_secret_value(SecretId="dev/db")) == "ok"
        assert _outcome(lambda: client.get_random_password()) == "ok"  # names no secret
        assert fault.fired == 2 and fault.matched == 2


def test_after_n_lets_the_first_attempts_through() -> None:
    with mock_secretsmanager() as sm:
        sm.faults.add("GetRandomPassword", "InternalServiceError", after=3, times=2)
        client = new_client(attempts=1)
        outcomes = [_outcome(client.get_random_password) for _ in range(7)]
    assert outcomes == ["ok"] * 3 + ["InternalServiceError"] * 2 + ["ok"] * 2


def test_after_counts_retries_as_attempts() -> None:
    with mock_secretsmanager() as sm:
        sm.faults.add("GetRandomPassword", "InternalServiceError", times=1)
        second = sm.faults.add("GetRandomPassword", "ThrottlingException", after=1, times=1)
        response = new_client(retry_mode="standard", attempts=5).get_random_password()
    # attempt 1: the first fault (the second lets its first matching attempt through);
    # attempt 2, botocore's retry: the second fault; attempt 3 succeeds.
    assert [r.error_code for r in sm.calls] == ["InternalServiceError", "ThrottlingException", None]
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert (second.matched, second.fired) == (3, 1)


def test_a_window_on_the_mock_clock_schedules_an_outage() -> None:
    with freeze_time(T0) as frozen, mock_secretsmanager() as sm:
        sm.faults.add(
            "GetRandomPassword",
            "InternalServiceError",
            window=(T0 + timedelta(minutes=1), T0 + timedelta(minutes=2)),
        )
        client = new_client(attempts=1)
        seen = []
        for _ in range(4):
            seen.append(_outcome(client.get_random_password))
            frozen.tick(timedelta(seconds=40))
    # t = 0s, 40s: before; 80s: inside; 120s: the end is exclusive.
    assert seen == ["ok", "ok", "InternalServiceError", "ok"]


def test_naive_window_datetimes_are_utc() -> None:
    with freeze_time(T0), mock_secretsmanager() as sm:
        sm.faults.add("GetRandomPassword", "InternalServiceError", window=(datetime(2023, 12, 31), None))
        assert _outcome(new_client(attempts=1).get_random_password) == "InternalServiceError"


def test_a_fault_used_as_context_manager_is_withdrawn_after_the_block() -> None:
    with mock_secretsmanager() as sm:
        client = new_client(attempts=1)
        with sm.faults.add("GetRandomPassword", "InternalServiceError") as fault:
            assert _outcome(client.get_random_password) == "InternalServiceError"
        assert _outcome(client.get_random_password) == "ok"
        assert fault.fired == 1 and list(sm.faults) == [] and sm.faults.declared == [fault]


def test_region_filter() -> None:
    with mock_secretsmanager() as sm:
        sm.faults.add("GetRandomPassword", "InternalServiceError", region="eu-west-1")
        assert _outcome(new_client(attempts=1).get_random_password) == "ok"
        west = new_client("eu-west-1", attempts=1)
        assert _outcome(west.get_random_password) == "InternalServiceError"


def test_unused_faults_are_listed_and_assert_all_fired_explains() -> None:
    with mock_secretsmanager() as sm:
        used = sm.faults.add("GetRandomPassword", "InternalServiceError", times=1)
        typo = sm.faults.add("GetSecretValue", "InternalServiceError", secret="prod/db")
        new_client(retry_mode="standard", attempts=2).get_random_password()
        assert sm.faults.unused() == [typo]
        assert used.fired == 1
        with pytest.raises(AssertionError, match=r"fault #2: GetSecretValue -> InternalServiceError"):
            sm.faults.assert_all_fired()
        assert "secret='prod/db'" in sm.faults.unused_report()


def test_all_fired_passes_silently() -> None:
    with mock_secretsmanager() as sm:
        sm.faults.add("GetRandomPassword", "InternalServiceError", times=1)
        new_client(retry_mode="standard", attempts=2).get_random_password()
        sm.faults.assert_all_fired()
        assert sm.faults.unused_report() == ""


def test_an_injected_fault_comes_before_quotas_and_uses_no_token() -> None:
    with freeze_time(T0), mock_secretsmanager() as sm:
        sm.quotas.set_rate("GetRandomPassword", 1)
        sm.faults.add("GetRandomPassword", "InternalServiceError", times=1)
        client = new_client(attempts=1)
        assert _outcome(client.get_random_password) == "InternalServiceError"
        assert _outcome(client.get_random_password) == "ok"
        assert _outcome(client.get_random_password) == "ThrottlingException"
    assert [(r.injected, r.throttled) for r in sm.calls] == [(True, False), (False, False), (False, True)]


def test_bad_fault_declarations_are_rejected_with_advice() -> None:
    with mock_secretsmanager() as sm:
        with pytest.raises(ValueError, match="GetSecretValue"):
            sm.faults.add("GetSecretValues", "InternalServiceError")
        with pytest.raises(ValueError, match="status="):
            sm.faults.add("GetSecretValue", "InternalError")
        with pytest.raises(ValueError, match="probability"):
            sm.faults.add("GetSecretValue", "InternalServiceError", probability=0)
        with pytest.raises(ValueError, match="times"):
            sm.faults.add("GetSecretValue", "InternalServiceError", times=0)
        with pytest.raises(ValueError, match="transport failure"):
            sm.faults.add("GetSecretValue", "ReadTimeout", status=500)
        with pytest.raises(ValueError, match="end after start"):
            sm.faults.add("GetSecretValue", "InternalServiceError", window=(T0, T0))
        assert sm.faults.declared == []
