"""The local secrets endpoint's cache, on the mock's clock (issue 20, item 3).

The Agent's caching crate: a fresh entry answers without a call; an expired one is checked with
DescribeSecret (still current: written back and served; not: GetSecretValue); ``refreshNow``
reads at once and, if that fails, leaves the cache alone; transient failures serve the cached
answer. Reads go through the mock's GetSecretValue, so the call log, faults and quotas apply.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import freezegun
import pytest
import time_machine
from agent_http import TOKEN_HEADER, read, via_urllib
from support import manual_clock

from sm_mock import ManualClock, SecretsManagerMock, mock_secretsmanager

GET = "/secretsmanager/get?secretId=app/db"


@pytest.fixture
def clock() -> ManualClock:
    return manual_clock()


@pytest.fixture
def sm(clock: ManualClock) -> Iterator[SecretsManagerMock]:
    with mock_secretsmanager(clock=clock) as mock:
        mock.client().create_secret(Name="app/db", SecretString="v1")
        mock.serve_agent(token="t")
        mock.calls.clear()
        yield mock


def value(sm: SecretsManagerMock, path: str = GET) -> str:
    status, body = read(sm, path)
    assert status == 200, body
    answer = json.loads(body)
    return str(answer.get("SecretString"))


def operations(sm: SecretsManagerMock) -> list[str]:
    return [record.operation for record in sm.calls]


def test_many_reads_make_one_getsecretvalue(sm: SecretsManagerMock, clock: ManualClock) -> None:
    for _ in range(25):
        assert value(sm) == "v1"
        clock.advance(seconds=10)  # 240 s in all: within the 300 s TTL
    assert operations(sm) == ["GetSecretValue"]
    assert sm.calls.count("GetSecretValue") == 1


def test_a_rotated_secret_reads_stale_within_the_ttl_and_fresh_after_it(
    sm: SecretsManagerMock, clock: ManualClock
) -> None:
    assert value(sm) == "v1"
    sm.client().put_secret_value(SecretId="app/db", SecretString="v2")  # rotated behind the cache
    clock.advance(seconds=300)
    assert value(sm) == "v1"  # "might return a stale secret value"
    clock.advance(seconds=1)  # past the TTL: DescribeSecret sees AWSCURRENT moved on
    assert value(sm) == "v2"
    assert operations(sm)[-2:] == ["DescribeSecret", "GetSecretValue"]


def test_an_expired_entry_still_current_is_renewed_with_describesecret_only(
    sm: SecretsManagerMock, clock: ManualClock
) -> None:
    assert value(sm) == "v1"
    clock.advance(seconds=301)
    assert value(sm) == "v1"
    assert operations(sm) == ["GetSecretValue", "DescribeSecret"]
    clock.advance(seconds=299)  # the TTL started again at the renewal
    assert value(sm) == "v1"
    assert operations(sm) == ["GetSecretValue", "DescribeSecret"]
    assert sm.calls.of("DescribeSecret")[0].params["SecretId"].startswith("arn:aws:secretsmanager:")


def test_refresh_now_reads_at_once_and_renews_the_entry(sm: SecretsManagerMock) -> None:
    assert value(sm) == "v1"
    sm.client().put_secret_value(SecretId="app/db", SecretString="v2")
    assert value(sm) == "v1"
    assert value(sm, GET + "&refreshNow=true") == "v2"
    assert value(sm) == "v2"  # the cache was updated
    assert operations(sm)[1:] == ["PutSecretValue", "GetSecretValue"]


def test_a_failed_refresh_now_answers_the_error_and_leaves_the_cache(sm: SecretsManagerMock) -> None:
    assert value(sm) == "v1"
    sm.faults.add("GetSecretValue", "AccessDeniedException", times=1)
    status, body = read(sm, GET + "&refreshNow=true")
    assert status == 400 and json.loads(body)["__type"] == "AccessDeniedException"
    assert value(sm) == "v1"


def test_a_fault_in_getsecretvalue_is_seen_through_the_endpoint(sm: SecretsManagerMock) -> None:
    sm.faults.add("GetSecretValue", "DecryptionFailure", message="KMS says no")
    assert read(sm, GET) == (400, '{"__type":"DecryptionFailure", "message":"KMS says no"}')
    assert sm.calls.injected("GetSecretValue")  # one attempt: a 400 is not retried


def test_the_sdks_retries_absorb_a_transient_fault(sm: SecretsManagerMock) -> None:
    sm.faults.add("GetSecretValue", "InternalServiceError", times=2)
    assert value(sm) == "v1"
    assert [(r.attempt, r.error_code) for r in sm.calls.of("GetSecretValue")] == [
        (1, "InternalServiceError"),
        (2, "InternalServiceError"),
        (3, None),
    ]


@pytest.mark.parametrize(
    ("error", "status", "body"),
    [
        (
            "InternalServiceError",
            500,
            '{"__type":"InternalServiceError", "message":"An error occurred on the server side."}',
        ),
        ("ThrottlingException", 400, '{"__type":"ThrottlingException", "message":"Rate exceeded"}'),
        ("ConnectTimeout", 504, '{"__type":"TimeoutError", "message":"Timeout"}'),
        ("ConnectionClosed", 502, '{"__type":"ConnectionError", "message":"Read Error"}'),
    ],
)
def test_a_lasting_fault_answers_after_three_attempts(
    sm: SecretsManagerMock, error: str, status: int, body: str
) -> None:
    sm.faults.add("GetSecretValue", error)
    assert read(sm, GET) == (status, body)
    assert sm.calls.count("GetSecretValue") == 3


def test_a_transient_failure_serves_the_cached_answer(sm: SecretsManagerMock, clock: ManualClock) -> None:
    assert value(sm) == "v1"
    sm.client().put_secret_value(SecretId="app/db", SecretString="v2")
    clock.advance(seconds=301)
    with sm.faults.add("DescribeSecret", "InternalServiceError"):
        assert value(sm) == "v1"  # the check failed transiently: counted as current
    assert operations(sm).count("GetSecretValue") == 1
    clock.advance(seconds=301)
    with sm.faults.add("GetSecretValue", "ConnectTimeout"):
        assert value(sm) == "v1"  # the refresh failed transiently: the cached answer
    clock.advance(seconds=301)
    assert value(sm) == "v2"


def test_a_lasting_error_of_the_check_is_answered(sm: SecretsManagerMock, clock: ManualClock) -> None:
    assert value(sm) == "v1"
    clock.advance(seconds=301)
    sm.faults.add("DescribeSecret", "AccessDeniedException", times=1)
    status, body = read(sm, GET)
    assert status == 400 and json.loads(body)["__type"] == "AccessDeniedException"


def test_quotas_apply_to_the_endpoints_reads(clock: ManualClock) -> None:
    with mock_secretsmanager(clock=clock, throttling=True) as sm:
        sm.quotas.set_rate("GetSecretValue", 1)
        for index in range(5):
            sm.client().create_secret(Name=f"s{index}", SecretString="v")
        sm.serve_agent(token="t", ttl_seconds=0)
        statuses = [read(sm, f"/secretsmanager/get?secretId=s{index}")[0] for index in range(5)]
    assert 400 in statuses and sm.calls.throttled("GetSecretValue")


def test_a_secret_scheduled_for_deletion(sm: SecretsManagerMock, clock: ManualClock) -> None:
    client = sm.client()
    assert value(sm) == "v1"
    client.create_secret(Name="other", SecretString="o")
    client.delete_secret(SecretId="other", RecoveryWindowInDays=7)
    client.delete_secret(SecretId="app/db", RecoveryWindowInDays=7)
    status, body = read(sm, "/secretsmanager/get?secretId=other")  # never cached: GetSecretValue refuses
    assert status == 400 and json.loads(body)["__type"] == "InvalidRequestException"
    assert value(sm) == "v1"  # cached before the deletion: still served within the TTL
    status, body = read(sm, GET + "&refreshNow=true")
    assert status == 400 and "marked for deletion" in json.loads(body)["message"]
    clock.advance(seconds=301)
    # DescribeSecret still lists the version as AWSCURRENT, so the Agent's check keeps serving it.
    assert value(sm) == "v1"
    clock.advance(days=8)  # purged: DescribeSecret finds nothing, and that error is answered
    status, body = read(sm, GET)
    assert status == 400 and json.loads(body)["__type"] == "ResourceNotFoundException"


def test_a_pinned_version_is_served_while_it_exists(sm: SecretsManagerMock, clock: ManualClock) -> None:
    first = sm.client().get_secret_value(SecretId="app/db")["VersionId"]
    path = f"{GET}&versionId={first}"
    assert value(sm, path) == "v1"
    sm.client().put_secret_value(SecretId="app/db", SecretString="v2")
    clock.advance(seconds=301)
    assert value(sm, path) == "v1"  # "Only version id is given, then check if the version id still exists"
    assert operations(sm)[-1] == "DescribeSecret"


def test_entries_are_per_secret_id_version_and_stage(sm: SecretsManagerMock) -> None:
    sm.client().put_secret_value(SecretId="app/db", SecretString="v2")
    assert value(sm) == "v2"
    assert value(sm, "/v1/app/db") == "v2"  # the same key in the path form
    assert value(sm, GET + "&versionStage=AWSPREVIOUS") == "v1"
    assert value(sm, GET + "&versionStage=AWSCURRENT") == "v2"
    arn = sm.client().describe_secret(SecretId="app/db")["ARN"]
    assert value(sm, f"/secretsmanager/get?secretId={arn}") == "v2"
    assert sm.calls.count("GetSecretValue") == 4
    assert len(sm.agent.cache or ()) == 4


def test_the_cache_keeps_at_most_cache_size_entries_oldest_write_first(clock: ManualClock) -> None:
    with mock_secretsmanager(clock=clock) as sm:
        for name in ("a", "b", "c"):
            sm.client().create_secret(Name=name, SecretString=name)
        sm.serve_agent(token="t", cache_size=2)
        for name in ("a", "b", "c"):
            read(sm, f"/secretsmanager/get?secretId={name}")
        cache = sm.agent.cache
        assert cache is not None and [key[0] for key in cache.cached_keys()] == ["b", "c"]
        read(sm, "/secretsmanager/get?secretId=a")  # evicted: read again, evicting b
        assert sm.calls.count("GetSecretValue") == 4
        assert [key[0] for key in cache.cached_keys()] == ["c", "a"]
        sm.serve_agent(token="t")
        assert sm.agent.cache is not None and sm.agent.cache.max_size == 1000  # the Agent's default


def test_ttl_zero_checks_every_read(clock: ManualClock) -> None:
    with mock_secretsmanager(clock=clock) as sm:
        sm.client().create_secret(Name="s", SecretString="v1")
        sm.serve_agent(token="t", ttl_seconds=0)
        assert value(sm, "/secretsmanager/get?secretId=s") == "v1"
        assert value(sm, "/secretsmanager/get?secretId=s") == "v1"
        sm.client().put_secret_value(SecretId="s", SecretString="v2")
        assert value(sm, "/secretsmanager/get?secretId=s") == "v2"  # the clock did not move
    assert operations(sm)[1:] == [
        "GetSecretValue",
        "DescribeSecret",
        "PutSecretValue",
        "DescribeSecret",
        "GetSecretValue",
    ]


def test_freezegun_moves_the_ttl() -> None:
    with freezegun.freeze_time("2024-05-01 12:00:00") as frozen, mock_secretsmanager() as sm:
        sm.client().create_secret(Name="s", SecretString="v1")
        sm.serve_agent(token="t", ttl_seconds=60)
        assert value(sm, "/secretsmanager/get?secretId=s") == "v1"
        sm.client().put_secret_value(SecretId="s", SecretString="v2")
        frozen.tick(timedelta(seconds=60))
        assert value(sm, "/secretsmanager/get?secretId=s") == "v1"
        frozen.tick(timedelta(seconds=1))
        assert value(sm, "/secretsmanager/get?secretId=s") == "v2"


def test_time_machine_moves_the_ttl() -> None:
    start = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
    with time_machine.travel(start, tick=False) as traveller, mock_secretsmanager() as sm:
        sm.client().create_secret(Name="s", SecretString="v1")
        sm.serve_agent(token="t")
        assert value(sm, "/secretsmanager/get?secretId=s") == "v1"
        sm.client().put_secret_value(SecretId="s", SecretString="v2")
        traveller.shift(timedelta(minutes=4))
        assert value(sm, "/secretsmanager/get?secretId=s") == "v1"
        traveller.shift(timedelta(minutes=2))
        assert value(sm, "/secretsmanager/get?secretId=s") == "v2"


def test_rotation_that_falls_due_runs_before_the_read(clock: ManualClock) -> None:
    # The endpoint's reads are requests like any other: a due rotation runs first (SPEC H7).
    lambda_arn = "arn:aws:lambda:us-east-1:123456789012:function:rotate"

    def rotate(event: dict[str, str], context: object) -> None:
        client = sm.client()
        if event["Step"] == "createSecret":
            client.put_secret_value(
                SecretId=event["SecretId"],
                ClientRequestToken=event["ClientRequestToken"],
                SecretString="rotated",
                VersionStages=["AWSPENDING"],
            )
        elif event["Step"] == "finishSecret":
            stages = client.describe_secret(SecretId=event["SecretId"])["VersionIdsToStages"]
            current = next(v for v, labels in stages.items() if "AWSCURRENT" in labels)
            client.update_secret_version_stage(
                SecretId=event["SecretId"],
                VersionStage="AWSCURRENT",
                MoveToVersionId=event["ClientRequestToken"],
                RemoveFromVersionId=current,
            )

    with mock_secretsmanager(clock=clock) as sm:
        sm.register_lambda(lambda_arn, rotate)
        client = sm.client()
        client.create_secret(Name="s", SecretString="v1")
        client.rotate_secret(
            SecretId="s",
            RotationLambdaARN=lambda_arn,
            RotationRules={"AutomaticallyAfterDays": 1},
            RotateImmediately=False,
        )
        url = sm.serve_agent(token="t")
        assert via_urllib(url + "/secretsmanager/get?secretId=s", {TOKEN_HEADER: "t"})[0] == 200
        clock.advance(days=2)
        assert value(sm, "/secretsmanager/get?secretId=s&refreshNow=true") == "rotated"
