"""botocore's retries against throttling: real retry machinery, recorded back-off, no waiting."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Iterator
from datetime import datetime, timezone

import botocore.endpoint
import pytest
import time_machine
from botocore.exceptions import ClientError
from botocore.retries import bucket
from freezegun import freeze_time
from support import new_client

from sm_mock import mock_secretsmanager
from sm_mock.botocore.retries import is_installed
from sm_mock.sleeps import BACKOFF, RATE_LIMIT

MODES = ("legacy", "standard", "adaptive")
ATTEMPTS = 5  # the same total in every mode, so the back-off sequences compare
T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
#: Cap of the jittered delay before retry k (1-based): botocore's rand() * 2 ** (k - 1), and
#: standard/adaptive truncate at 20 s.
CAPS = [1.0, 2.0, 4.0, 8.0]


@pytest.fixture
def seeded_jitter() -> Iterator[None]:
    # botocore draws its jitter from the global `random`: seed it so the run is repeatable.
    state = random.getstate()
    random.seed(20240101)
    yield
    random.setstate(state)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.usefixtures("seeded_jitter")
def test_a_burst_over_the_rate_is_throttled_and_retried_with_growing_backoff(mode: str) -> None:
    with freeze_time(T0), mock_secretsmanager() as sm:
        client = new_client(retry_mode=mode, attempts=ATTEMPTS)
        client.create_secret(Name="db", SecretString="v")
        sm.quotas.set_rate("GetSecretValue", 2)
        outcomes = []
        for _ in range(22):
            try:
                client.get_secret_value(SecretId="db")
                outcomes.append("ok")
            except ClientError as error:
                outcomes.append(error.response["Error"]["Code"])
                # botocore retried before giving up: the error says how often.
                assert f"reached max retries: {ATTEMPTS - 1}" in str(error)

    # The clock is frozen: the burst of 2 gets through, every later call is throttled on
    # each of its attempts.
    assert outcomes == ["ok", "ok"] + ["ThrottlingException"] * 20
    gets = sm.calls.of("GetSecretValue")
    assert [r.attempt for r in gets] == [1, 1] + list(range(1, ATTEMPTS + 1)) * 20
    assert all(r.throttled for r in gets[2:]) and not any(r.injected for r in gets)
    assert sm.calls.made("GetSecretValue") == 22
    assert sm.calls.retried("GetSecretValue") == 20 * (ATTEMPTS - 1)
    assert sm.calls.retried_calls("GetSecretValue") == 20

    # One back-off per retry, linked to the throttled attempt it follows.
    backoffs = sm.sleeps.of(BACKOFF)
    assert len(backoffs) == 20 * (ATTEMPTS - 1)
    assert all(s.operation == "GetSecretValue" and s.error_code == "ThrottlingException" for s in backoffs)
    by_retry = [[s.seconds for s in backoffs if s.attempt == k] for k in range(1, ATTEMPTS)]
    for k, delays in enumerate(by_retry):
        assert len(delays) == 20
        assert all(0 <= d < CAPS[k] for d in delays), (k, delays)
    # Exponential back-off with jitter: the mean delay grows with every retry.
    means = [statistics.mean(delays) for delays in by_retry]
    assert means == sorted(means) and means[-1] > 3 * means[0], means
    assert sm.sleeps.delays == [s.seconds for s in backoffs]


def test_adaptive_mode_rate_limiter_waits_are_recorded_not_slept() -> None:
    # Once adaptive mode sees throttling it rate-limits the client itself; under a frozen
    # clock botocore's own limiter would wait forever.
    with freeze_time(T0), mock_secretsmanager() as sm:
        client = new_client(retry_mode="adaptive", attempts=ATTEMPTS)
        client.create_secret(Name="db", SecretString="v")
        sm.quotas.set_rate("GetSecretValue", 1)
        client.get_secret_value(SecretId="db")  # the burst of one
        for _ in range(3):
            with pytest.raises(ClientError, match="ThrottlingException"):
                client.get_secret_value(SecretId="db")
    waits = sm.sleeps.of(RATE_LIMIT)
    assert waits and all(w.seconds > 0 for w in waits)
    assert sm.sleeps.total == pytest.approx(sum(sm.sleeps.delays) + sum(w.seconds for w in waits))


@pytest.mark.parametrize("mode", MODES)
def test_backoff_moving_a_frozen_clock_lets_the_burst_through(mode: str) -> None:
    # With the sleeps advancing the frozen clock, the bucket refills during back-off just
    # as it would in real time, and every call eventually succeeds.
    with freeze_time(T0) as frozen, mock_secretsmanager() as sm:
        sm.sleeps.on_sleep(frozen.tick)
        client = new_client(retry_mode=mode, attempts=10)
        client.create_secret(Name="db", SecretString="v")
        sm.quotas.set_rate("GetSecretValue", 2)
        values = [client.get_secret_value(SecretId="db")["SecretString"] for _ in range(8)]
    assert values == ["v"] * 8
    assert sm.calls.made("GetSecretValue") == 8
    assert sm.calls.throttled("GetSecretValue")
    assert sm.calls.retried("GetSecretValue") == len(sm.calls.throttled("GetSecretValue"))
    assert sm.sleeps.delays


def test_time_machine_shift_as_the_sleep_listener() -> None:
    with time_machine.travel(T0, tick=False) as traveller, mock_secretsmanager() as sm:
        sm.sleeps.on_sleep(traveller.shift)
        client = new_client(retry_mode="standard", attempts=10)
        sm.quotas.set_rate("GetRandomPassword", 1)
        for _ in range(4):
            client.get_random_password()
        # Every sleep moved the clock: it stands that much later (to the microsecond).
        elapsed = (sm.clock.now() - T0).total_seconds()
        assert elapsed == pytest.approx(sm.sleeps.total, abs=1e-5) and elapsed > 0
    assert sm.calls.made() == 4 and sm.calls.throttled()


def test_real_sleep_option_really_sleeps(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)  # stand-in: the test must not wait
    with mock_secretsmanager(real_sleep=True) as sm:
        sm.faults.add("GetRandomPassword", "InternalServiceError", times=2)
        new_client(retry_mode="legacy", attempts=ATTEMPTS).get_random_password()
    assert len(slept) == 2 and slept == sm.sleeps.delays


def test_without_real_sleep_nothing_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    with mock_secretsmanager() as sm:
        sm.faults.add("GetRandomPassword", "InternalServiceError", times=2)
        new_client(retry_mode="legacy", attempts=ATTEMPTS).get_random_password()
    assert slept == [] and len(sm.sleeps.delays) == 2


def test_interception_is_installed_only_while_a_mock_is_active_and_nests() -> None:
    original_time, original_acquire = botocore.endpoint.time, bucket.TokenBucket._acquire
    assert original_time is time and not is_installed()
    with mock_secretsmanager():
        assert botocore.endpoint.time is not time
        assert bucket.TokenBucket._acquire is not original_acquire
        with mock_secretsmanager():
            assert is_installed()
        assert is_installed() and botocore.endpoint.time is not time  # outer still active
    assert botocore.endpoint.time is original_time
    assert bucket.TokenBucket._acquire is original_acquire
    assert not is_installed()


def test_the_innermost_mock_records_the_sleeps() -> None:
    with mock_secretsmanager() as outer, mock_secretsmanager() as inner:
        inner.faults.add("GetRandomPassword", "InternalServiceError", times=1)
        new_client(retry_mode="standard", attempts=ATTEMPTS).get_random_password()
    assert len(inner.sleeps) == 1 and len(outer.sleeps) == 0


def test_sleeps_record_the_attempt_they_follow() -> None:
    with mock_secretsmanager() as sm:
        sm.faults.add("GetRandomPassword", "InternalServiceError", times=2)
        response = new_client(retry_mode="standard", attempts=ATTEMPTS).get_random_password()
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert [(s.operation, s.attempt, s.error_code) for s in sm.sleeps] == [
        ("GetRandomPassword", 1, "InternalServiceError"),
        ("GetRandomPassword", 2, "InternalServiceError"),
    ]


@pytest.mark.parametrize("mode", ["standard", "adaptive"])
def test_limit_exceeded_is_retried_in_standard_modes_and_reaches_the_caller(mode: str) -> None:
    # SPEC A8: standard (and adaptive) mode count LimitExceededException as throttling. It is
    # a real capacity error (SPEC Q1 "Secrets per region"), not a fault: it reaches the
    # caller once the retries are spent.
    with mock_secretsmanager(max_secrets=1) as sm:
        client = new_client(retry_mode=mode, attempts=3)
        client.create_secret(Name="one", SecretString="v")
        with pytest.raises(client.exceptions.LimitExceededException):
            client.create_secret(Name="two", SecretString="v")
    creates = sm.calls.of("CreateSecret")
    assert [(r.attempt, r.error_code) for r in creates] == [
        (1, None),
        (1, "LimitExceededException"),
        (2, "LimitExceededException"),
        (3, "LimitExceededException"),
    ]
    assert not any(r.injected or r.throttled for r in creates)
    assert len(sm.sleeps.delays) == 2


def test_limit_exceeded_is_not_retried_in_legacy_mode() -> None:
    with mock_secretsmanager(max_secrets=1) as sm:
        client = new_client(retry_mode="legacy", attempts=ATTEMPTS)
        client.create_secret(Name="one", SecretString="v")
        with pytest.raises(client.exceptions.LimitExceededException):
            client.create_secret(Name="two", SecretString="v")
    assert sm.calls.count("CreateSecret") == 2 and not sm.sleeps
