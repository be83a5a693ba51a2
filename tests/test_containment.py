"""Containment: while a mock is active nothing leaves the process unless it was let through,
and sm_mock defers to whatever else mocks the other services (issue 14).

Every test here runs under a socket guard: a connection attempt fails the test, whatever
botocore makes of the exception.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.session
import pytest
from async_support import needs_aio
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.stub import Stubber

import sm_mock
from sm_mock import BlockedServiceError, mock_secretsmanager
from sm_mock.botocore.credentials import FAKE_CREDENTIALS

REGION = "us-east-1"


@pytest.fixture(autouse=True)
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Record (and refuse) every connection attempt; the test fails if there was one."""
    import socket

    attempts: list[str] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(repr(args[:2]))
        raise OSError("tests/test_containment.py: no connection may be opened")

    monkeypatch.setattr(socket.socket, "connect", lambda self, *a, **k: refuse(*a, **k))
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield attempts
    assert attempts == [], f"a request tried to leave the process: {attempts}"


def _client(service: str, **kwargs: Any) -> Any:
    return boto3.session.Session().client(service, region_name=REGION, **kwargs)


# ---- what nothing mocks is stopped; Secrets Manager is always served ------------------------------------
def test_a_service_nothing_mocks_is_stopped_with_advice() -> None:
    with mock_secretsmanager(), pytest.raises(BlockedServiceError, match=r"allow_services=\{'s3'\}"):
        _client("s3").list_buckets()


def test_any_endpoint_url_is_contained() -> None:
    with mock_secretsmanager() as sm:
        # Secrets Manager at any endpoint is the mock; another service there is stopped.
        client = _client("secretsmanager", endpoint_url="https://secrets.example.internal")
        client.create_secret(Name="anywhere", SecretString="v")
        assert [s.name for s in sm.backend.secrets()] == ["anywhere"]
        with pytest.raises(BlockedServiceError):
            _client("sqs", endpoint_url="http://127.0.0.1:9").list_queues()


def test_a_session_made_before_import_is_served_and_contained(tmp_path: Any) -> None:
    # Only a fresh interpreter can make a botocore session before sm_mock is imported.
    script = tmp_path / "before_import.py"
    script.write_text(
        textwrap.dedent(
            """
            import socket
            def refuse(*args, **kwargs):
                raise SystemExit("a connection was attempted")
            socket.socket.connect = lambda self, *a, **k: refuse()
            socket.create_connection = refuse

            import botocore.session
            session = botocore.session.Session()
            session.set_credentials("AKIAREALLOOKINGKEY01", "real-secret")  # a "real" user key
            secrets = session.create_client("secretsmanager", region_name="us-east-1")
            s3 = session.create_client("s3", region_name="us-east-1")

            from sm_mock import BlockedServiceError, mock_secretsmanager
            with mock_secretsmanager() as sm:
                secrets.create_secret(Name="early", SecretString="v")
                assert secrets.get_secret_value(SecretId="early")["SecretString"] == "v"
                assert [s.name for s in sm.backend.secrets()] == ["early"]
                try:
                    s3.list_buckets()
                except BlockedServiceError as error:
                    print("blocked:", error)
                else:
                    raise SystemExit("s3 was not stopped")
            print("ok")
            """
        )
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "blocked: sm_mock stopped a request to 's3' (ListBuckets)" in result.stdout
    assert result.stdout.strip().endswith("ok")


# ---- other mocks answer their services -----------------------------------------------------------------
def test_a_stubber_on_another_services_client_answers_it() -> None:
    with mock_secretsmanager():
        s3 = _client("s3")
        with Stubber(s3) as stub:
            stub.add_response("list_buckets", {"Buckets": [{"Name": "stubbed"}]})
            assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["stubbed"]
        _client("secretsmanager").create_secret(Name="beside-a-stubber", SecretString="v")


def test_a_users_before_send_handler_answers_its_service() -> None:
    # DynamoDB: a JSON protocol in every botocore sm_mock supports (SQS spoke XML before 1.34.9x).
    body = b'{"TableNames": ["t"]}'

    def answer(request: Any, **kwargs: Any) -> AWSResponse:
        return AWSResponse(request.url, 200, {"Content-Type": "application/x-amz-json-1.0"}, _Raw(body))

    with mock_secretsmanager():
        dynamodb = _client("dynamodb")
        dynamodb.meta.events.register("before-send.dynamodb", answer)
        assert dynamodb.list_tables()["TableNames"] == ["t"]


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        yield self._body


def test_a_service_let_through_keeps_real_back_off(monkeypatch: pytest.MonkeyPatch) -> None:
    # A user's handler plays the allowed service and answers 503 once: botocore retries it with
    # a back-off that is slept for real, not recorded on the mock.
    slept: list[float] = []
    monkeypatch.setattr("time.sleep", lambda seconds: slept.append(seconds))
    answers = iter([503, 200])

    def flaky(request: Any, **kwargs: Any) -> AWSResponse:
        status = next(answers)
        body = b'{"TableNames": []}' if status == 200 else b'{"__type": "ServiceUnavailable"}'
        return AWSResponse(request.url, status, {"Content-Type": "application/x-amz-json-1.0"}, _Raw(body))

    with mock_secretsmanager(allow_services={"dynamodb"}) as sm:
        dynamodb = _client("dynamodb", config=Config(retries={"mode": "standard", "total_max_attempts": 2}))
        dynamodb.meta.events.register("before-send.dynamodb", flaky)
        dynamodb.list_tables()
        assert list(sm.sleeps) == []
    assert len(slept) == 1 and slept[0] > 0


def test_back_off_after_the_mocks_answer_is_recorded_not_slept(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr("time.sleep", lambda seconds: slept.append(seconds))
    with mock_secretsmanager() as sm:
        sm.faults.add("ListSecrets", "InternalServiceError", times=1)
        _client("secretsmanager", config=Config(retries={"mode": "standard"})).list_secrets()
        assert len(sm.sleeps.delays) == 1
    assert slept == []


# ---- credentials ---------------------------------------------------------------------------------------
def _signed_with(client: Any) -> list[str]:
    keys: list[str] = []

    def spy(request: Any, **kwargs: Any) -> None:
        auth = request.headers.get("Authorization", b"")
        auth = auth.decode() if isinstance(auth, bytes) else auth
        keys.append(auth.split("Credential=", 1)[1].split("/", 1)[0])

    client.meta.events.register_first("before-send", spy)
    return keys


def test_a_default_session_holding_real_credentials_signs_with_fake_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALUSERKEY00001")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real-secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "real-token")
    boto3.setup_default_session()
    assert boto3.DEFAULT_SESSION.get_credentials().access_key == "AKIAREALUSERKEY00001"  # cached
    try:
        with mock_secretsmanager():
            secrets = boto3.client("secretsmanager", region_name=REGION)
            s3 = boto3.client("s3", region_name=REGION)
            seen_secrets, seen_s3 = _signed_with(secrets), _signed_with(s3)
            secrets.list_secrets()
            with pytest.raises(BlockedServiceError):
                s3.list_buckets()
    finally:
        boto3.DEFAULT_SESSION = None
    assert seen_secrets == seen_s3 == [FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"]]


def test_explicit_credentials_are_the_tests_own() -> None:
    with mock_secretsmanager() as sm:
        client = _client("secretsmanager", aws_access_key_id="222222222222", aws_secret_access_key="x")
        seen = _signed_with(client)
        arn = client.create_secret(Name="theirs", SecretString="v")["ARN"]
    assert seen == ["222222222222"] and arn.split(":")[4] == "222222222222"
    assert sm.backend.secrets()[0].account_id == "222222222222"


# ---- every way of wrapping -------------------------------------------------------------------------------
def test_a_decorated_generator_is_mocked_while_its_body_runs() -> None:
    @mock_secretsmanager
    def fixture() -> Iterator[Any]:
        client = _client("secretsmanager")
        client.create_secret(Name="from-the-fixture", SecretString="v")
        yield client
        client.delete_secret(SecretId="from-the-fixture", ForceDeleteWithoutRecovery=True)

    generator = fixture()
    client = next(generator)
    assert client.get_secret_value(SecretId="from-the-fixture")["SecretString"] == "v"  # still mocked
    with pytest.raises(StopIteration):
        next(generator)
    with pytest.raises(sm_mock.NoActiveMockError):
        sm_mock.current()


def test_a_closed_generator_stops_its_mock() -> None:
    @mock_secretsmanager
    def fixture() -> Iterator[None]:
        yield

    generator = fixture()
    next(generator)
    assert sm_mock.current() is not None
    generator.close()
    with pytest.raises(sm_mock.NoActiveMockError):
        sm_mock.current()


def test_a_decorated_async_generator_is_mocked_while_its_body_runs() -> None:
    import asyncio

    @mock_secretsmanager
    async def fixture() -> Any:
        _client("secretsmanager").create_secret(Name="async-fixture", SecretString="v")
        yield "ready"

    async def main() -> tuple[str, str]:
        agen = fixture()
        first = await agen.__anext__()
        value = _client("secretsmanager").get_secret_value(SecretId="async-fixture")["SecretString"]
        with pytest.raises(StopAsyncIteration):
            await agen.__anext__()
        return first, value

    assert asyncio.run(main()) == ("ready", "v")
    with pytest.raises(sm_mock.NoActiveMockError):
        sm_mock.current()


def test_yield_fixtures_and_pytest_classes_in_a_real_pytest_run(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3
        import pytest
        import sm_mock
        from sm_mock import mock_secretsmanager

        def client():
            return boto3.client("secretsmanager", region_name="us-east-1")

        @pytest.fixture
        @mock_secretsmanager
        def seeded():
            client().create_secret(Name="seeded", SecretString="v")
            yield "seeded"
            assert client().describe_secret(SecretId="seeded")["Name"] == "seeded"

        def test_uses_the_fixture(seeded):
            assert client().get_secret_value(SecretId=seeded)["SecretString"] == "v"

        @mock_secretsmanager
        class TestPytestStyle:
            def setup_method(self, method):
                client().create_secret(Name="from-setup", SecretString="v")

            def teardown_method(self, method):
                assert client().describe_secret(SecretId="from-setup")["Name"] == "from-setup"

            def test_sees_what_setup_made(self):
                assert client().get_secret_value(SecretId="from-setup")["SecretString"] == "v"

            def test_another_test_starts_afresh(self):
                names = [s["Name"] for s in client().list_secrets()["SecretList"]]
                assert names == ["from-setup"]

        @pytest.fixture
        def app_secret(sm_mock, sm_client):
            sm_client.create_secret(Name="app/db", SecretString="pw")
            yield "app/db"
            assert sm_mock.calls.count("GetSecretValue") == 1

        @pytest.mark.sm_mock(region="eu-west-1")
        def test_a_yield_fixture_on_the_plugins_fixtures(app_secret, sm_client):
            assert sm_client.meta.region_name == "eu-west-1"
            assert sm_client.get_secret_value(SecretId=app_secret)["SecretString"] == "pw"

        def test_nothing_is_active_afterwards():
            with pytest.raises(sm_mock.NoActiveMockError):
                sm_mock.current()
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=5)


# ---- environment and threads -----------------------------------------------------------------------------
_VARS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION")


@pytest.mark.parametrize("order", ["first-first", "last-first"])
def test_mocks_stopped_in_any_order_restore_the_environment(monkeypatch: pytest.MonkeyPatch, order: str) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALUSERKEY00001")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real-secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "real-token")
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    before = {var: os.environ.get(var) for var in _VARS}
    first, second = mock_secretsmanager().start(), mock_secretsmanager(region="eu-west-1").start()
    for mock in (first, second) if order == "first-first" else (second, first):
        mock.stop()
        if mock is not (second if order == "first-first" else first):
            assert os.environ["AWS_ACCESS_KEY_ID"] == FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"]  # one still active
    assert {var: os.environ.get(var) for var in _VARS} == before


def test_mocks_stopped_by_another_thread_restore_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALUSERKEY00001")
    before = {var: os.environ.get(var) for var in _VARS}
    mocks = [mock_secretsmanager().start() for _ in range(2)]
    threads = [threading.Thread(target=mock.stop) for mock in mocks]
    for thread in threads:
        thread.start()
        thread.join()
    assert {var: os.environ.get(var) for var in _VARS} == before


def test_each_thread_is_served_by_its_own_mock() -> None:
    results: dict[str, list[str]] = {}
    ready = threading.Barrier(2)

    def work(name: str) -> None:
        with mock_secretsmanager() as sm:
            ready.wait()  # both mocks active at once
            _client("secretsmanager").create_secret(Name=f"made-by-{name}", SecretString="v")
            ready.wait()
            results[name] = [s.name for s in sm.backend.secrets()]

    threads = [threading.Thread(target=work, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {"a": ["made-by-a"], "b": ["made-by-b"]}


def test_a_thread_without_a_mock_is_served_by_the_latest_mock() -> None:
    with mock_secretsmanager() as outer, mock_secretsmanager() as latest:
        worker = threading.Thread(target=lambda: _client("secretsmanager").create_secret(Name="w", SecretString="v"))
        worker.start()
        worker.join()
        assert [s.name for s in latest.backend.secrets()] == ["w"]
        assert outer.backend.secrets() == []


def test_the_socket_guard_sees_a_connection(no_sockets: list[str]) -> None:
    # The guard itself: a real botocore send outside any mock reaches it.
    client = botocore.session.get_session().create_client(
        "sts",
        endpoint_url="http://127.0.0.1:9",
        region_name=REGION,
        aws_access_key_id="x",
        aws_secret_access_key="y",
        config=Config(retries={"total_max_attempts": 1}),
    )
    with pytest.raises(Exception):  # noqa: B017 - botocore wraps the refusal in its own error
        client.get_caller_identity()
    assert no_sockets
    no_sockets.clear()


# ---- no leftovers ------------------------------------------------------------------------------------
def test_a_default_session_made_during_a_mock_is_gone_afterwards() -> None:
    boto3.DEFAULT_SESSION = None
    with mock_secretsmanager():
        boto3.client("secretsmanager", region_name=REGION).list_secrets()
        assert boto3.DEFAULT_SESSION is not None
    assert boto3.DEFAULT_SESSION is None  # the next boto3.client() resolves the user's own keys


def test_a_default_session_from_before_drops_the_fake_keys_it_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALUSERKEY00001")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real-secret")
    boto3.setup_default_session()  # credentials not resolved yet
    before = boto3.DEFAULT_SESSION
    try:
        with mock_secretsmanager():
            boto3.client("secretsmanager", region_name=REGION).list_secrets()  # resolves: fake keys
            assert before.get_credentials().access_key == FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"]
        assert boto3.DEFAULT_SESSION is before
        assert before.get_credentials().access_key == "AKIAREALUSERKEY00001"
    finally:
        boto3.DEFAULT_SESSION = None


def test_a_client_made_early_without_credentials_is_served(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    # Typical CI: no keys anywhere when a module builds its client at import.
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # botocore's own lookup would ask IMDS
    early = boto3.session.Session().client("secretsmanager", region_name=REGION)
    with mock_secretsmanager():
        seen = _signed_with(early)
        early.create_secret(Name="early", SecretString="v")
    assert seen == [FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"]]
    from botocore.exceptions import NoCredentialsError

    with pytest.raises(NoCredentialsError):  # outside a mock it fails before anything is sent
        early.list_secrets()


def test_a_client_made_in_setupclass_of_a_decorated_testcase_is_served(pytester: pytest.Pytester) -> None:
    # setUpClass runs before the per-test activation, where CI has no credentials.
    pytester.makepyfile(
        """
        import unittest

        import boto3

        from sm_mock import mock_secretsmanager

        @mock_secretsmanager
        class TestWithAClassClient(unittest.TestCase):
            @classmethod
            def setUpClass(cls):
                cls.client = boto3.client("secretsmanager", region_name="us-east-1")

            def test_served(self):
                self.client.create_secret(Name="n", SecretString="v")
                self.assertEqual(self.client.get_secret_value(SecretId="n")["SecretString"], "v")
        """
    )
    env = {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_EC2_METADATA_DISABLED": "true"}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value) if value else patch.delenv(name, raising=False)
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(pytester.path / "none"))
        patch.setenv("AWS_CONFIG_FILE", str(pytester.path / "none"))
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=1)


# ---- async clients (aiobotocore): the same containment -----------------------------------------------
async def _aio_call(service: str, operation: str, *, session: Any = None, setup: Any = None, **kwargs: Any) -> Any:
    """Make one aiobotocore client of ``service`` and await ``operation`` on it."""
    from aiobotocore.session import get_session

    session = session or get_session()
    async with session.create_client(service, region_name=REGION, **kwargs) as client:
        if setup is not None:
            setup(client)
        return await getattr(client, operation)()


def _run(awaitable: Any) -> Any:
    import asyncio

    return asyncio.run(awaitable)


class _AioRaw(_Raw):
    async def read(self, amt: int | None = None) -> bytes:
        return self._body


def _aio_response(url: str, status: int, body: bytes) -> Any:
    from aiobotocore.awsrequest import AioAWSResponse

    return AioAWSResponse(url, status, {"Content-Type": "application/x-amz-json-1.0"}, _AioRaw(body))


@needs_aio
def test_an_async_client_of_a_service_nothing_mocks_is_stopped_with_advice() -> None:
    with mock_secretsmanager(), pytest.raises(BlockedServiceError, match=r"allow_services=\{'s3'\}"):
        _run(_aio_call("s3", "list_buckets"))


@needs_aio
def test_an_async_client_at_any_endpoint_url_is_contained() -> None:
    with mock_secretsmanager() as sm:
        _run(_aio_call("secretsmanager", "list_secrets", endpoint_url="http://127.0.0.1:9"))
        with pytest.raises(BlockedServiceError):
            _run(_aio_call("sqs", "list_queues", endpoint_url="http://127.0.0.1:9"))
    assert [r.operation for r in sm.calls] == ["ListSecrets"]


@needs_aio
def test_an_async_clients_own_handlers_answer_their_service_and_sm_mock_wins_for_secrets() -> None:
    body = b'{"TableNames": ["t"]}'

    def play(client: Any) -> None:
        # Another mock answering every service, Secrets Manager included (as moto's does).
        client.meta.events.register("before-send", lambda request, **kw: _aio_response(request.url, 500, b"{}"))
        client.meta.events.register("before-send.dynamodb", lambda request, **kw: _aio_response(request.url, 200, body))

    with mock_secretsmanager() as sm:
        tables = _run(_aio_call("dynamodb", "list_tables", setup=play))
        secrets = _run(_aio_call("secretsmanager", "list_secrets", setup=play))
    assert tables["TableNames"] == ["t"]
    assert secrets["SecretList"] == [] and sm.calls.count("ListSecrets") == 1


@needs_aio
def test_an_async_service_let_through_keeps_real_back_off(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from aiobotocore.config import AioConfig

    slept: list[float] = []
    real_sleep = asyncio.sleep

    async def fake_sleep(delay: float, result: Any = None) -> Any:
        slept.append(delay)
        return await real_sleep(0, result)

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    answers = iter([503, 200])

    def flaky(client: Any) -> None:
        def answer(request: Any, **kwargs: Any) -> Any:
            status = next(answers)
            body = b'{"TableNames": []}' if status == 200 else b'{"__type": "ServiceUnavailable"}'
            return _aio_response(request.url, status, body)

        client.meta.events.register("before-send.dynamodb", answer)

    config = AioConfig(retries={"mode": "standard", "total_max_attempts": 2})
    with mock_secretsmanager(allow_services={"dynamodb"}) as sm:
        _run(_aio_call("dynamodb", "list_tables", setup=flaky, config=config))
        assert list(sm.sleeps) == []
    assert len([d for d in slept if d]) == 1


@needs_aio
def test_an_async_session_with_a_real_profile_signs_with_fake_keys(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aiobotocore.session import AioSession

    credentials = tmp_path / "credentials"
    credentials.write_text("[prod]\naws_access_key_id = AKIAREALPROFILEKEY01\naws_secret_access_key = real\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    spies: list[list[str]] = []
    with mock_secretsmanager():
        session = AioSession(profile="prod")
        _run(
            _aio_call("secretsmanager", "list_secrets", session=session, setup=lambda c: spies.append(_signed_with(c)))
        )
        resolved = _run(session.get_credentials())
    assert resolved.access_key == FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"]  # the profile's keys were never read
    assert spies == [[FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"]]]


@needs_aio
def test_an_async_client_made_before_the_mock_without_credentials_is_served(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    import asyncio

    from aiobotocore.session import get_session

    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # the chain would ask IMDS

    async def scenario() -> list[str]:
        async with get_session().create_client("secretsmanager", region_name=REGION) as early:
            seen = _signed_with(early)
            with mock_secretsmanager():
                await early.create_secret(Name="early-async", SecretString="v")
        return seen

    assert asyncio.run(scenario()) == [FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"]]


@needs_aio
def test_aiobotocore_is_patched_only_while_a_mock_is_active_and_nests() -> None:
    import aiobotocore.endpoint
    import aiobotocore.session  # in use: patched at activation

    from sm_mock.botocore import aio

    send, sleep_module = aiobotocore.endpoint.AioEndpoint._send, aiobotocore.endpoint.asyncio
    assert not aio.is_installed()
    with mock_secretsmanager():
        assert aiobotocore.endpoint.AioEndpoint._send is not send
        with mock_secretsmanager():
            assert aio.is_installed()
        assert aio.is_installed() and aiobotocore.endpoint.asyncio is not sleep_module
    assert aiobotocore.endpoint.AioEndpoint._send is send and aiobotocore.endpoint.asyncio is sleep_module
    assert not aio.is_installed()


@needs_aio
def test_aiobotocore_imported_while_a_mock_is_active_is_patched_then(tmp_path: Any) -> None:
    # Only a fresh interpreter has aiobotocore unimported. A mock does not import it (a process
    # that never uses it pays nothing); imported later, under the mock, its clients are served.
    script = tmp_path / "late_import.py"
    script.write_text(
        textwrap.dedent(
            """
            import asyncio, sys
            from sm_mock import mock_secretsmanager
            from sm_mock.botocore import aio

            async def main():
                with mock_secretsmanager() as sm:
                    assert "aiobotocore" not in sys.modules and not aio.is_installed()
                    from aiobotocore.session import get_session
                    assert aio.is_installed()
                    async with get_session().create_client("secretsmanager", region_name="us-east-1") as c:
                        await c.create_secret(Name="late", SecretString="v")
                        assert (await c.get_secret_value(SecretId="late"))["SecretString"] == "v"
                assert not aio.is_installed() and sm.calls.count("GetSecretValue") == 1
                with mock_secretsmanager():
                    assert aio.is_installed()  # imported now: patched at activation

            asyncio.run(main())
            print("ok")
            """
        )
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


@needs_aio
def test_an_async_session_made_before_import_is_served_and_contained(tmp_path: Any) -> None:
    # Its handlers lack sm_mock's hook: the request reaches AioEndpoint._send, where the guard
    # answers Secrets Manager and stops the rest, before aiohttp opens a connection.
    script = tmp_path / "async_before_import.py"
    script.write_text(
        textwrap.dedent(
            """
            import asyncio, socket
            def refuse(*args, **kwargs):
                raise SystemExit("a connection was attempted")
            socket.socket.connect = lambda self, *a, **k: refuse()
            socket.create_connection = refuse
            from aiobotocore.session import get_session
            early = get_session()

            import sm_mock
            from sm_mock import BlockedServiceError, mock_secretsmanager

            async def main():
                with mock_secretsmanager() as sm:
                    async with early.create_client("secretsmanager", region_name="us-east-1") as c:
                        await c.create_secret(Name="early", SecretString="v")
                        assert (await c.get_secret_value(SecretId="early"))["SecretString"] == "v"
                    async with early.create_client("s3", region_name="us-east-1") as s3:
                        try:
                            await s3.list_buckets()
                        except BlockedServiceError:
                            pass
                        else:
                            raise SystemExit("s3 was not stopped")
                assert sm.calls.count("GetSecretValue") == 1

            asyncio.run(main())
            print("ok")
            """
        )
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
