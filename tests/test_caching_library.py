"""aws-secretsmanager-caching (a real client library) against injected outages and throttling.

What the library does on errors (aws_secretsmanager_caching/cache/items.py, 1.2.0): a cached
secret is refreshed with DescribeSecret once its refresh interval passes; if the refresh
fails it keeps the previous metadata, so the cached version is still served, and it waits
``exception_retry_delay_base * growth ** n`` seconds before trying again. A value is fetched
with GetSecretValue once per version id. With nothing cached, the error is raised.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from aws_secretsmanager_caching import SecretCache, SecretCacheConfig
from botocore.config import Config
from freezegun import freeze_time

from sm_mock import mock_secretsmanager

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


def test_a_cached_value_is_served_through_an_outage_and_refreshed_after_it() -> None:
    with freeze_time(T0) as frozen, mock_secretsmanager() as sm:
        # Legacy mode, 5 attempts: the default of the boto3 this was recorded with (SPEC A8);
        # newer boto3 releases default to standard mode, so name it explicitly.
        client = sm.client(config=Config(retries={"mode": "legacy", "max_attempts": 4}))
        client.create_secret(Name="db", SecretString="v1")
        cache = SecretCache(config=SecretCacheConfig(secret_refresh_interval=60), client=client)
        assert cache.get_secret_string("db") == "v1"

        # The value changes, then the service has an outage for every call on this secret.
        client.put_secret_value(SecretId="db", SecretString="v2")
        outage = sm.faults.add(
            "*",
            "InternalServiceError",
            secret="db",
            window=(T0 + timedelta(minutes=2), T0 + timedelta(minutes=10)),
        )

        frozen.move_to(T0 + timedelta(minutes=3))  # refresh due, in the outage
        assert cache.get_secret_string("db") == "v1"  # the stale value, no exception
        failed = sm.calls.injected("DescribeSecret")
        assert [r.attempt for r in failed] == [1, 2, 3, 4, 5]  # botocore retried first
        assert len(sm.sleeps.delays) == 4

        # The library backs off by itself: no request until its retry delay passes.
        before = sm.calls.count()
        frozen.tick(0.5)
        assert cache.get_secret_string("db") == "v1"
        assert sm.calls.count() == before

        frozen.move_to(T0 + timedelta(minutes=11))  # the outage is over
        assert cache.get_secret_string("db") == "v2"
        describe, get = sm.calls[-2], sm.calls[-1]
        assert (describe.operation, describe.ok) == ("DescribeSecret", True)
        assert (get.operation, get.ok) == ("GetSecretValue", True)
        assert outage.fired == 5
        sm.faults.assert_all_fired()


def test_a_cold_cache_raises_during_an_outage_and_recovers_after_its_retry_delay() -> None:
    with freeze_time(T0) as frozen, mock_secretsmanager() as sm:
        client = sm.client()
        client.create_secret(Name="db", SecretString="v")
        cache = SecretCache(config=SecretCacheConfig(), client=client)
        with sm.faults.add("DescribeSecret", "InternalServiceError"):
            with pytest.raises(client.exceptions.InternalServiceError):
                cache.get_secret_string("db")
            # Within the library's back-off the cached exception is raised again, with no
            # request sent.
            before = sm.calls.count()
            with pytest.raises(client.exceptions.InternalServiceError):
                cache.get_secret_string("db")
            assert sm.calls.count() == before
        frozen.tick(1.5)  # exception_retry_delay_base is 1 s
        assert cache.get_secret_string("db") == "v"


def test_an_outage_of_one_secret_leaves_the_others_readable() -> None:
    with mock_secretsmanager() as sm:
        client = sm.client()
        client.create_secret(Name="app/broken", SecretString="x")
        client.create_secret(Name="app/fine", SecretString="y")
        sm.faults.add(["DescribeSecret", "GetSecretValue"], "DecryptionFailure", secret="app/broken")
        cache = SecretCache(config=SecretCacheConfig(), client=client)
        assert cache.get_secret_string("app/fine") == "y"
        with pytest.raises(client.exceptions.DecryptionFailure):
            cache.get_secret_string("app/broken")
    # DecryptionFailure is not retryable: one attempt.
    assert [r.attempt for r in sm.calls.injected()] == [1]


def test_a_start_up_burst_over_the_rate_is_absorbed_by_botocore_retries() -> None:
    # Many secrets read at start-up: the quotas throttle, botocore backs off (moving the
    # frozen clock, as real time would move), and every value arrives.
    with freeze_time(T0) as frozen, mock_secretsmanager() as sm:
        client = sm.client()
        for i in range(20):
            client.create_secret(Name=f"svc/{i}", SecretString=f"value-{i}")
        sm.quotas.set_rate("DescribeSecret", 5)
        sm.quotas.set_rate("GetSecretValue", 5)
        sm.sleeps.on_sleep(frozen.tick)
        cache = SecretCache(config=SecretCacheConfig(), client=client)
        values = [cache.get_secret_string(f"svc/{i}") for i in range(20)]
    assert values == [f"value-{i}" for i in range(20)]
    assert sm.calls.made("GetSecretValue") == 20 and sm.calls.made("DescribeSecret") == 20
    assert sm.calls.throttled("DescribeSecret")  # each item starts with DescribeSecret
    assert sm.calls.retried() == len(sm.calls.throttled())
