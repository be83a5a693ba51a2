"""Async clients in-process (issue 15): aiobotocore and aioboto3 on the default HTTP transport.

Every test drives a real aiobotocore (or aioboto3) client: its endpoint awaits sm_mock's
``before-send`` answer, its retry handler decides and its parser turns the bytes into the
answer. The tests run under pytest-asyncio (``@pytest.mark.asyncio``) unless they say anyio.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import boto3
import pytest
from async_support import FAKE_KEYS, HAVE_AIO, aio_config, create_client
from botocore.exceptions import ClientError, EndpointConnectionError
from support import new_client

import sm_mock
from sm_mock import SecretsManagerMock, mock_secretsmanager
from sm_mock.sleeps import BACKOFF, RATE_LIMIT

if not HAVE_AIO:
    pytest.skip("aiobotocore is not installed (pip install 'sm-mock[async]')", allow_module_level=True)
pytest_asyncio = pytest.importorskip(
    "pytest_asyncio", reason="pytest-asyncio is not installed (pip install 'sm-mock[async]')"
)

pytestmark = pytest.mark.asyncio

ATTEMPTS = 5


def _metadata_keys(response: dict[str, Any]) -> set[str]:
    return set(response["ResponseMetadata"])


# ---- the activation API in async code ----------------------------------------------------------
@mock_secretsmanager
async def test_the_issue_example_works_under_the_decorator() -> None:
    # The example of issue 15, which failed with "object bytes can't be used in 'await' expression".
    async with create_client() as client:
        created = await client.create_secret(Name="a", SecretString="v")
        assert (await client.get_secret_value(SecretId="a"))["SecretString"] == "v"
    assert [s.arn for s in sm_mock.current().backend.secrets()] == [created["ARN"]]


async def test_async_with_activates_for_the_block() -> None:
    async with mock_secretsmanager(region="eu-west-1") as sm:
        assert sm.is_active and sm_mock.current() is sm
        async with create_client("eu-west-1") as client:
            await client.create_secret(Name="in-block", SecretString="v")
    assert not sm.is_active
    assert sm.calls.count("CreateSecret") == 1 and [s.name for s in sm.backend.secrets()] == ["in-block"]


@pytest_asyncio.fixture
@mock_secretsmanager(seed=3)
async def seeded() -> AsyncIterator[SecretsManagerMock]:
    """An async generator fixture under the decorator: the mock is active until teardown."""
    sm = sm_mock.current()
    async with create_client() as client:
        await client.create_secret(Name="from-fixture", SecretString="seeded")
    yield sm


async def test_an_async_generator_fixture_keeps_the_mock_for_the_test(seeded: SecretsManagerMock) -> None:
    assert sm_mock.current() is seeded and seeded.seed == 3
    async with create_client() as client:
        assert (await client.get_secret_value(SecretId="from-fixture"))["SecretString"] == "seeded"


async def test_aioboto3_clients_are_served(sm: SecretsManagerMock) -> None:
    aioboto3 = pytest.importorskip("aioboto3", reason="aioboto3 is not installed")
    async with aioboto3.Session().client("secretsmanager", region_name="us-east-1") as client:
        await client.create_secret(Name="aioboto3", SecretBinary=b"\x00\xff")
        value = await client.get_secret_value(SecretId="aioboto3")
    assert value["SecretBinary"] == b"\x00\xff"
    assert sm.calls.count("GetSecretValue") == 1


# ---- identical answers ---------------------------------------------------------------------------
def _comparable(response: dict[str, Any]) -> dict[str, Any]:
    """An answer without what differs by nature between two calls (ids, request ids, dates)."""
    drop = {"ResponseMetadata", "ARN", "VersionId", "CreatedDate", "LastChangedDate", "LastAccessedDate"}
    return {key: value for key, value in response.items() if key not in drop}


async def test_answers_match_a_sync_clients_types_included(sm: SecretsManagerMock) -> None:
    sync = sm.client()
    async with create_client() as client:
        for name, value in (("sync", sync), ("async", client)):
            result = value.create_secret(Name=name, SecretBinary=b"\x01\x02", Tags=[{"Key": "k", "Value": "v"}])
            if asyncio.iscoroutine(result):
                await result
        answers = {}
        for name in ("sync", "async"):
            answers[name] = (
                sync.get_secret_value(SecretId=name),
                await client.get_secret_value(SecretId=name),
                sync.describe_secret(SecretId=name),
                await client.describe_secret(SecretId=name),
            )
    for sync_get, async_get, sync_describe, async_describe in answers.values():
        assert type(async_get["SecretBinary"]) is bytes and async_get["SecretBinary"] == b"\x01\x02"
        assert type(async_get["CreatedDate"]) is type(sync_get["CreatedDate"])
        assert async_get["CreatedDate"].tzinfo is not None
        assert _comparable(async_get) == _comparable(sync_get)
        assert _comparable(async_describe) == _comparable(sync_describe)
        assert list(async_describe) == list(sync_describe)  # the parser's member order
        assert (
            _metadata_keys(async_get)
            == _metadata_keys(sync_get)
            == {
                "RequestId",
                "HTTPStatusCode",
                "HTTPHeaders",
                "RetryAttempts",
            }
        )


async def test_errors_are_the_clients_modelled_exceptions(sm: SecretsManagerMock) -> None:
    sync = sm.client()
    async with create_client() as client:
        with pytest.raises(client.exceptions.ResourceNotFoundException) as async_error:
            await client.get_secret_value(SecretId="missing")
        with pytest.raises(sync.exceptions.ResourceNotFoundException) as sync_error:
            sync.get_secret_value(SecretId="missing")
        with pytest.raises(ClientError) as invalid:
            await client.describe_secret(SecretId="Inv Name")
    assert isinstance(async_error.value, ClientError)
    response, expected = async_error.value.response, sync_error.value.response
    assert response["Error"] == expected["Error"] and response["Message"] == expected["Message"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["ResponseMetadata"]["RequestId"] != expected["ResponseMetadata"]["RequestId"]
    assert invalid.value.response["Error"]["Code"] == "ValidationException"
    assert "Message" not in invalid.value.response  # SM-132: unmodelled errors have no top-level Message
    assert [r.error_code for r in sm.calls] == ["ResourceNotFoundException"] * 2 + ["ValidationException"]


async def test_async_paginators_walk_every_page(sm: SecretsManagerMock) -> None:
    async with create_client() as client:
        await asyncio.gather(*(client.create_secret(Name=f"page/{i:02d}", SecretString="v") for i in range(23)))
        paginator = client.get_paginator("list_secrets")
        pages = [page async for page in paginator.paginate(PaginationConfig={"PageSize": 5})]
    assert [len(page["SecretList"]) for page in pages] == [5, 5, 5, 5, 3]
    names = [entry["Name"] for page in pages for entry in page["SecretList"]]
    assert sorted(names) == [f"page/{i:02d}" for i in range(23)]
    assert sm.calls.count("ListSecrets") == 5


async def test_gather_of_many_calls_on_one_client(sm: SecretsManagerMock) -> None:
    async with create_client() as client:
        await client.create_secret(Name="shared", SecretString="0")
        values = await asyncio.gather(*(client.get_secret_value(SecretId="shared") for _ in range(200)))
    assert {v["SecretString"] for v in values} == {"0"}
    assert len({v["ResponseMetadata"]["RequestId"] for v in values}) == 200
    assert sm.calls.count("GetSecretValue") == 200


async def test_fifty_concurrent_tasks_on_one_client(sm: SecretsManagerMock) -> None:
    async def worker(client: Any, n: int) -> tuple[str, list[str]]:
        name = f"task/{n}"
        await client.create_secret(Name=name, SecretString="v0")
        await asyncio.sleep(0)  # let the other tasks interleave between the calls
        for step in range(1, 4):
            await client.put_secret_value(SecretId=name, SecretString=f"v{step}")
            await asyncio.sleep(0)
        value = await client.get_secret_value(SecretId=name)
        versions = await client.list_secret_version_ids(SecretId=name, IncludeDeprecated=True)
        return value["SecretString"], [v["VersionId"] for v in versions["Versions"]]

    async with create_client() as client:
        tasks = [asyncio.create_task(worker(client, n)) for n in range(50)]
        results = await asyncio.gather(*tasks)
    assert [value for value, _ in results] == ["v3"] * 50
    assert all(len(versions) == 4 for _, versions in results)
    assert len(sm.backend.secrets()) == 50
    assert sm.calls.count("PutSecretValue") == 150 and not [r for r in sm.calls if r.error_code]


async def test_a_sync_and_an_async_client_share_one_mock(sm: SecretsManagerMock) -> None:
    sync = new_client()
    async with create_client() as client:
        sync.create_secret(Name="both", SecretString="from sync")
        assert (await client.get_secret_value(SecretId="both"))["SecretString"] == "from sync"
        await client.put_secret_value(SecretId="both", SecretString="from async")
        assert sync.get_secret_value(SecretId="both")["SecretString"] == "from async"
        await client.delete_secret(SecretId="both", ForceDeleteWithoutRecovery=True)
        with pytest.raises(sync.exceptions.ResourceNotFoundException):
            sync.describe_secret(SecretId="both")
    assert [r.operation for r in sm.calls] == [
        "CreateSecret",
        "GetSecretValue",
        "PutSecretValue",
        "GetSecretValue",
        "DeleteSecret",
        "DescribeSecret",
    ]


async def test_a_rotation_function_with_a_boto3_client_runs_inside_an_async_call(sm: SecretsManagerMock) -> None:
    # The Lambda runs while the mock answers the async client's RotateSecret; its own boto3
    # calls are attempts of their own, and the async client still gets its awaitable answer.
    seen: list[str] = []

    def rotate(event: dict[str, Any], context: Any) -> None:
        seen.append(event["Step"])
        lam = boto3.client("secretsmanager", region_name="us-east-1")
        if event["Step"] == "createSecret":
            lam.put_secret_value(
                SecretId=event["SecretId"],
                ClientRequestToken=event["ClientRequestToken"],
                SecretString="rotated",
                VersionStages=["AWSPENDING"],
            )
        elif event["Step"] == "finishSecret":
            current = lam.describe_secret(SecretId=event["SecretId"])["VersionIdsToStages"]
            old = next(v for v, labels in current.items() if "AWSCURRENT" in labels)
            lam.update_secret_version_stage(
                SecretId=event["SecretId"],
                VersionStage="AWSCURRENT",
                MoveToVersionId=event["ClientRequestToken"],
                RemoveFromVersionId=old,
            )

    arn = "arn:aws:lambda:us-east-1:123456789012:function:rotate"
    sm.register_lambda(arn, rotate)
    async with create_client() as client:
        await client.create_secret(Name="rotated", SecretString="first")
        await client.rotate_secret(SecretId="rotated", RotationLambdaARN=arn)
        value = await client.get_secret_value(SecretId="rotated")
    assert seen == ["createSecret", "setSecret", "testSecret", "finishSecret"]
    assert value["SecretString"] == "rotated"


# ---- retries: aiobotocore's retry handler, back-off recorded and not slept -----------------------
@pytest.mark.parametrize("mode", ["legacy", "standard", "adaptive"])
async def test_injected_faults_are_retried_and_the_backoff_is_recorded_not_slept(mode: str) -> None:
    async with mock_secretsmanager() as sm, create_client(config=aio_config(mode, ATTEMPTS)) as client:
        sm.faults.add("GetRandomPassword", "InternalServiceError", times=3)
        started = time.perf_counter()
        response = await client.get_random_password()
        elapsed = time.perf_counter() - started
    assert response["ResponseMetadata"]["RetryAttempts"] == 3
    assert [r.attempt for r in sm.calls] == [1, 2, 3, 4]
    assert sm.calls.retried() == 3 and sm.calls.retried_calls() == 1
    assert len(sm.sleeps.delays) == 3 and all(delay >= 0 for delay in sm.sleeps.delays)
    assert [(s.operation, s.attempt, s.error_code) for s in sm.sleeps] == [
        ("GetRandomPassword", attempt, "InternalServiceError") for attempt in (1, 2, 3)
    ]
    # Sleeping the back-off would have taken longer than the whole call did.
    assert sum(sm.sleeps.delays) > elapsed


async def test_throttling_quotas_are_retried_until_the_caller_gives_up() -> None:
    async with mock_secretsmanager() as sm:
        sm.quotas.set_rate("GetSecretValue", 1)
        async with create_client(config=aio_config("standard", 3)) as client:
            await client.create_secret(Name="hot", SecretString="v")
            started = time.perf_counter()
            outcomes = await asyncio.gather(
                *(client.get_secret_value(SecretId="hot") for _ in range(4)), return_exceptions=True
            )
            elapsed = time.perf_counter() - started
    errors = [o for o in outcomes if isinstance(o, ClientError)]
    assert errors, "a burst over the rate must be throttled"
    assert {e.response["Error"]["Code"] for e in errors} == {"ThrottlingException"}
    for error in errors:
        assert "reached max retries: 2" in str(error)
        assert error.response["ResponseMetadata"]["RetryAttempts"] == 2
    assert len(sm.calls.throttled("GetSecretValue")) >= 3 * len(errors)
    assert sm.calls.retried("GetSecretValue") >= 2 * len(errors)
    assert sm.sleeps.of(BACKOFF) and sum(sm.sleeps.delays) > elapsed


async def test_network_failures_are_retried_like_real_ones() -> None:
    async with mock_secretsmanager() as sm, create_client(config=aio_config("standard", 3)) as client:
        await client.create_secret(Name="net", SecretString="v")
        sm.faults.add("GetSecretValue", "ConnectionError", times=2)
        response = await client.get_secret_value(SecretId="net")
        assert response["ResponseMetadata"]["RetryAttempts"] == 2
        sm.faults.add("GetSecretValue", "ConnectionError", times=3)
        with pytest.raises(EndpointConnectionError):
            await client.get_secret_value(SecretId="net")
    assert len(sm.sleeps.delays) == 4
    assert [r.attempt for r in sm.calls.of("GetSecretValue")] == [1, 2, 3, 1, 2, 3]


async def test_adaptive_mode_rate_limiter_waits_are_recorded() -> None:
    async with mock_secretsmanager() as sm, create_client(config=aio_config("adaptive", ATTEMPTS)) as client:
        sm.quotas.set_rate("GetRandomPassword", 1)
        started = time.perf_counter()
        for _ in range(6):
            with contextlib.suppress(ClientError):
                await client.get_random_password()
        elapsed = time.perf_counter() - started
    assert sm.sleeps.of(RATE_LIMIT), "the client-side rate limiter must have been asked to wait"
    assert sm.sleeps.total > elapsed


async def test_on_sleep_listeners_see_every_delay() -> None:
    heard: list[float] = []
    async with mock_secretsmanager() as sm:
        sm.sleeps.on_sleep(heard.append)
        sm.faults.add("GetRandomPassword", "InternalServiceError", times=2)
        async with create_client(config=aio_config("standard", ATTEMPTS)) as client:
            await client.get_random_password()
    assert heard == sm.sleeps.delays and len(heard) == 2


async def test_real_sleep_sleeps_with_asyncio(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    real = asyncio.sleep

    async def fake_sleep(delay: float, result: Any = None) -> Any:
        slept.append(delay)
        return await real(0, result)

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)  # stand-in: the test must not wait
    async with mock_secretsmanager(real_sleep=True) as sm:
        sm.faults.add("GetRandomPassword", "InternalServiceError", times=2)
        async with create_client(config=aio_config("legacy", ATTEMPTS)) as client:
            await client.get_random_password()
    assert len(sm.sleeps.delays) == 2 and [d for d in slept if d] == sm.sleeps.delays


async def test_without_real_sleep_asyncio_sleep_is_not_asked_to_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    real = asyncio.sleep

    async def fake_sleep(delay: float, result: Any = None) -> Any:
        slept.append(delay)
        return await real(0, result)

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    async with mock_secretsmanager() as sm:
        sm.faults.add("GetRandomPassword", "InternalServiceError", times=2)
        async with create_client(config=aio_config("legacy", ATTEMPTS)) as client:
            await client.get_random_password()
    assert len(sm.sleeps.delays) == 2 and not [d for d in slept if d]


async def test_concurrent_retries_record_the_attempt_of_their_own_task() -> None:
    async with mock_secretsmanager() as sm, create_client(config=aio_config("standard", ATTEMPTS)) as client:
        await client.create_secret(Name="one", SecretString="v")
        sm.faults.add("GetSecretValue", "InternalServiceError", times=2)
        sm.faults.add("DescribeSecret", "ThrottlingException", times=2)
        await asyncio.gather(client.get_secret_value(SecretId="one"), client.describe_secret(SecretId="one"))
    by_operation = sorted((s.operation, s.attempt, s.error_code) for s in sm.sleeps)
    assert by_operation == [
        ("DescribeSecret", 1, "ThrottlingException"),
        ("DescribeSecret", 2, "ThrottlingException"),
        ("GetSecretValue", 1, "InternalServiceError"),
        ("GetSecretValue", 2, "InternalServiceError"),
    ]


# ---- direct mode -------------------------------------------------------------------------------
async def _transcript(transport: str) -> list[Any]:
    out: list[Any] = []
    async with mock_secretsmanager(transport=transport, seed=9) as sm:
        async with create_client(**FAKE_KEYS) as client:
            out.append(
                await client.create_secret(
                    Name="d", SecretBinary=b"\x00\x01", Description="x", ClientRequestToken="t" * 32
                )
            )
            out.append(await client.get_secret_value(SecretId="d"))
            out.append(await client.describe_secret(SecretId="d"))
            out.append(await client.list_secrets())
            for bad in ({"SecretId": "nope"}, {"SecretId": "Inv Name"}):
                try:
                    await client.get_secret_value(**bad)
                except ClientError as error:
                    out.append((type(error).__name__, error.response))
        out.append(len(sm.calls))
    return out


def _without_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: _without_ids(item)
            for key, item in value.items()
            # A fresh request id per call (HTTPHeaders carry it too); dates move.
            if key not in ("RequestId", "HTTPHeaders", "CreatedDate", "LastChangedDate", "LastAccessedDate")
        }
    if isinstance(value, (list, tuple)):
        return [_without_ids(item) for item in value]
    return value


async def test_direct_mode_answers_async_clients_like_the_http_path() -> None:
    http, direct = await _transcript("http"), await _transcript("direct")
    assert _without_ids(http) == _without_ids(direct)
    assert type(direct[1]["SecretBinary"]) is bytes and direct[-1] == 6
    assert type(direct[1]["CreatedDate"]) is type(http[1]["CreatedDate"])


async def test_direct_mode_does_not_retry_async_clients_either() -> None:
    async with mock_secretsmanager(transport="direct") as sm:
        sm.faults.add("GetRandomPassword", "InternalServiceError", times=1)
        async with create_client(config=aio_config("standard", ATTEMPTS)) as client:
            with pytest.raises(ClientError):
                await client.get_random_password()
    assert len(sm.calls) == 1 and len(sm.sleeps) == 0


async def test_after_call_handlers_of_async_clients_await_the_body_in_both_transports() -> None:
    bodies: dict[str, bytes] = {}
    for transport in ("http", "direct"):
        async with mock_secretsmanager(transport=transport, seed=4) as sm, create_client(**FAKE_KEYS) as client:

            async def keep(http_response: Any, transport: str = transport, **kwargs: Any) -> None:
                bodies[transport] = await http_response.content

            client.meta.events.register("after-call.secrets-manager.GetRandomPassword", keep)
            sm.password_rng.seed(1)
            await client.get_random_password(PasswordLength=12)
    assert bodies["http"] == bodies["direct"] and bodies["http"].startswith(b'{"RandomPassword"')
