"""Concurrency (issue 7, item 3): many threads, each with its own boto3 client, on shared secrets.

DESIGN.md principle 8: state is guarded by a lock per region store and no lock is held while
user code (a rotation Lambda) runs. These tests check what that must guarantee: no lost
update, no duplicate version, no deadlock (threads are joined with a generous timeout and must
all have finished), and the model invariants afterwards. The last test runs a small test module
under pytest-xdist to show that each worker process has its own, isolated mock.
"""

from __future__ import annotations

import textwrap
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from support import error_code, new_client

from sm_mock import SecretsManagerMock, mock_secretsmanager
from sm_mock.model.labels import check_invariants

REGION = "us-east-1"
THREADS = 8
#: A deadlock shows up as a thread still alive after this long; a healthy run takes seconds.
JOIN_TIMEOUT = 120.0
LAMBDA_ARN = "arn:aws:lambda:us-east-1:123456789012:function:rotate-concurrently"


@pytest.fixture
def wide_race_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sleep briefly inside the critical sections (sealing a value, merging tags), so that a
    missing or too narrow lock shows up as a lost update in every run, not once in a while.
    With correct locking this only serializes the threads a little more."""
    import time

    import sm_mock.crypto
    import sm_mock.model.store
    import sm_mock.operations.tags

    def slowed(fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            time.sleep(0.0005)  # hand the GIL to another thread mid-operation
            return fn(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(sm_mock.model.store, "seal", slowed(sm_mock.crypto.seal))
    monkeypatch.setattr(sm_mock.model.service, "merge_tags", slowed(sm_mock.model.service.merge_tags))


def run_threads(count: int, work: Callable[[int, Any], None]) -> list[BaseException]:
    """Run ``work(i, client)`` on ``count`` threads, each with its own client made beforehand,
    released together so their requests overlap; returns what they raised.

    Fails the test if any thread is still running after :data:`JOIN_TIMEOUT` (a deadlock).
    """
    # boto3's default session is not thread-safe for creating clients; one session per client.
    clients = [new_client(REGION, session=boto3.session.Session()) for _ in range(count)]
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []
    lock = threading.Lock()

    def body(index: int) -> None:
        try:
            barrier.wait()
            work(index, clients[index])
        except BaseException as error:  # reported to the test below
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=body, args=(i,), name=f"worker-{i}", daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    stuck = [thread.name for thread in threads if thread.is_alive()]
    assert not stuck, f"threads still running after {JOIN_TIMEOUT}s (deadlock?): {stuck}"
    return errors


def all_versions(client: Any, secret_id: str) -> list[dict[str, Any]]:
    """Every version, deprecated ones included, across pages."""
    versions: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"SecretId": secret_id, "IncludeDeprecated": True, "MaxResults": 100}
    while True:
        page = client.list_secret_version_ids(**kwargs)
        versions.extend(page["Versions"])
        if "NextToken" not in page:
            return versions
        kwargs["NextToken"] = page["NextToken"]


def assert_invariants(sm: SecretsManagerMock) -> None:
    for secret in sm.backend.secrets():
        check_invariants(secret, sm.limits)


@dataclass
class Ledger:
    """What the threads saw succeed, to compare with the final state."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    puts: dict[str, dict[str, str]] = field(default_factory=dict)  # secret -> version id -> value
    tags: dict[str, dict[str, str]] = field(default_factory=dict)  # secret -> key -> last value
    unexpected: list[str] = field(default_factory=list)

    def put(self, name: str, version_id: str, value: str) -> None:
        with self.lock:
            assert version_id not in self.puts.setdefault(name, {}), f"version {version_id} returned twice"
            self.puts[name][version_id] = value

    def tag(self, name: str, key: str, value: str) -> None:
        with self.lock:
            self.tags.setdefault(name, {})[key] = value

    def refused(self, what: str, error: ClientError, allowed: set[str]) -> None:
        if error_code(error) not in allowed:
            with self.lock:
                self.unexpected.append(f"{what}: {error_code(error)}: {error.response['Error']['Message']}")


# ---- mixed reads and writes --------------------------------------------------------------------
SHARED = ["shared-0", "shared-1", "shared-2"]
OPS_PER_THREAD = 30


def test_concurrent_mixed_reads_and_writes_lose_nothing_and_duplicate_nothing(wide_race_windows: None) -> None:
    with mock_secretsmanager(max_versions=10_000) as sm:
        setup = sm.client()
        ledger = Ledger()
        for name in SHARED:
            first = setup.create_secret(Name=name, SecretString=f"{name}-initial")["VersionId"]
            ledger.put(name, first, f"{name}-initial")

        def work(index: int, client: Any) -> None:
            for step in range(OPS_PER_THREAD):
                name = SHARED[(index + step) % len(SHARED)]
                kind = (index * 7 + step) % 6
                try:
                    if kind in (0, 1):
                        # A distinct token per write: each success must be one new version.
                        token, value = str(uuid.uuid4()), f"{name}-t{index}-s{step}"
                        answer = client.put_secret_value(SecretId=name, SecretString=value, ClientRequestToken=token)
                        assert answer["VersionId"] == token
                        ledger.put(name, token, value)
                    elif kind == 2:
                        answer = client.get_secret_value(SecretId=name)
                        assert answer["SecretString"].startswith(name)
                        assert "AWSCURRENT" in answer["VersionStages"]
                    elif kind == 3:
                        # Per-thread tag keys: a lost TagResource merge would drop another
                        # thread's key.
                        value = f"s{step}"
                        client.tag_resource(SecretId=name, Tags=[{"Key": f"thread-{index}", "Value": value}])
                        ledger.tag(name, f"thread-{index}", value)
                    elif kind == 4:
                        stages = client.describe_secret(SecretId=name)["VersionIdsToStages"]
                        assert sum("AWSCURRENT" in labels for labels in stages.values()) == 1
                    else:
                        # Move a label this thread owns onto the current version; the holder
                        # may change under us, so InvalidParameterException is a fair answer.
                        label = f"T{index}"
                        current = client.get_secret_value(SecretId=name)["VersionId"]
                        held = [
                            vid
                            for vid, labels in client.describe_secret(SecretId=name)["VersionIdsToStages"].items()
                            if label in labels
                        ]
                        kwargs: dict[str, Any] = {"SecretId": name, "VersionStage": label, "MoveToVersionId": current}
                        if held:
                            kwargs["RemoveFromVersionId"] = held[0]
                        client.update_secret_version_stage(**kwargs)
                except ClientError as error:
                    ledger.refused(f"thread {index} step {step}", error, {"InvalidParameterException"})

        errors = run_threads(THREADS, work)
        assert errors == []
        assert ledger.unexpected == []
        assert_invariants(sm)
        for name in SHARED:
            versions = all_versions(setup, name)
            ids = [v["VersionId"] for v in versions]
            assert len(ids) == len(set(ids)), "a version id appears twice"
            # No lost update: exactly one version per successful write, each with its value.
            assert set(ids) == set(ledger.puts[name])
            for version_id, value in ledger.puts[name].items():
                assert setup.get_secret_value(SecretId=name, VersionId=version_id)["SecretString"] == value
            described = setup.describe_secret(SecretId=name)
            tags = {tag["Key"]: tag["Value"] for tag in described.get("Tags", [])}
            assert tags == ledger.tags.get(name, {})
            holders = [vid for vid, labels in described["VersionIdsToStages"].items() if "AWSCURRENT" in labels]
            assert len(holders) == 1
        successes = [c for c in sm.calls if c.operation == "PutSecretValue" and c.ok]
        assert len(successes) == sum(len(v) for v in ledger.puts.values()) - len(SHARED)


# ---- idempotency races --------------------------------------------------------------------------
def test_concurrent_retries_of_one_token_with_the_same_value_make_one_version(wide_race_windows: None) -> None:
    with mock_secretsmanager() as sm:
        sm.client().create_secret(Name="retried", SecretString="v0")
        token = str(uuid.uuid4())
        answers: list[str] = []
        lock = threading.Lock()

        def work(index: int, client: Any) -> None:
            answer = client.put_secret_value(SecretId="retried", SecretString="same", ClientRequestToken=token)
            with lock:
                answers.append(answer["VersionId"])

        assert run_threads(THREADS, work) == []
        assert answers == [token] * THREADS  # SPEC E2: every retry succeeds
        versions = all_versions(sm.client(), "retried")
        assert sorted(v["VersionId"] for v in versions).count(token) == 1
        assert len(versions) == 2
        assert_invariants(sm)


def test_concurrent_writes_of_one_token_with_different_values_let_exactly_one_win(wide_race_windows: None) -> None:
    with mock_secretsmanager() as sm:
        sm.client().create_secret(Name="contended", SecretString="v0")
        token = str(uuid.uuid4())
        outcomes: Counter[str] = Counter()
        winners: list[str] = []
        lock = threading.Lock()

        def work(index: int, client: Any) -> None:
            value = f"value-{index}"
            try:
                client.put_secret_value(SecretId="contended", SecretString=value, ClientRequestToken=token)
                with lock:
                    outcomes["ok"] += 1
                    winners.append(value)
            except ClientError as error:
                with lock:
                    outcomes[error_code(error)] += 1

        assert run_threads(THREADS, work) == []
        # SPEC E3: versions are immutable, so the others are refused (SM-034).
        assert outcomes == Counter({"ok": 1, "ResourceExistsException": THREADS - 1})
        stored = sm.client().get_secret_value(SecretId="contended", VersionId=token)["SecretString"]
        assert [stored] == winners
        assert_invariants(sm)


def test_concurrent_creates_of_one_name_make_exactly_one_secret(wide_race_windows: None) -> None:
    with mock_secretsmanager() as sm:
        outcomes: Counter[str] = Counter()
        lock = threading.Lock()

        def work(index: int, client: Any) -> None:
            try:
                client.create_secret(Name="raced", SecretString=f"value-{index}")
                key = "ok"
            except ClientError as error:
                key = error_code(error)
            with lock:
                outcomes[key] += 1

        assert run_threads(THREADS, work) == []
        assert outcomes == Counter({"ok": 1, "ResourceExistsException": THREADS - 1})  # SM-001
        assert len(sm.backend.secrets()) == 1
        assert len(all_versions(sm.client(), "raced")) == 1
        assert_invariants(sm)


# ---- rotations that call back into the mock ------------------------------------------------------
_local = threading.local()


def _thread_client() -> Any:
    """A client per thread for the rotation function (it runs on the RotateSecret caller's thread)."""
    client = getattr(_local, "client", None)
    if client is None:
        client = _local.client = new_client(REGION, session=boto3.session.Session())
    return client


def rotation_function(event: dict[str, Any], context: Any) -> None:
    """The seed template's four steps (SPEC H14), through boto3, back into the mock."""
    client = _thread_client()
    arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
    if step == "createSecret":
        try:
            client.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
        except client.exceptions.ResourceNotFoundException:
            password = client.get_random_password(PasswordLength=24)["RandomPassword"]
            client.put_secret_value(
                SecretId=arn, ClientRequestToken=token, SecretString=password, VersionStages=["AWSPENDING"]
            )
    elif step == "finishSecret":
        stages = client.describe_secret(SecretId=arn)["VersionIdsToStages"]
        current = next(vid for vid, labels in stages.items() if "AWSCURRENT" in labels)
        if current != token:
            client.update_secret_version_stage(
                SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=current
            )


def test_concurrent_rotations_of_separate_secrets_all_succeed_while_others_read() -> None:
    with mock_secretsmanager(max_versions=10_000) as sm:
        sm.register_lambda(LAMBDA_ARN, rotation_function)
        setup = sm.client()
        names = [f"rotated-{i}" for i in range(THREADS // 2)]
        for name in names:
            setup.create_secret(Name=name, SecretString="initial")
        rotated: dict[str, list[str]] = {name: [] for name in names}
        unexpected: list[str] = []
        lock = threading.Lock()

        def work(index: int, client: Any) -> None:
            name = names[index % len(names)]
            for _ in range(4):
                if index < len(names):  # rotators: one per secret
                    answer = client.rotate_secret(
                        SecretId=name, RotationLambdaARN=LAMBDA_ARN, RotationRules={"AutomaticallyAfterDays": 30}
                    )
                    with lock:
                        rotated[name].append(answer["VersionId"])
                else:  # readers of the same secrets
                    try:
                        value = client.get_secret_value(SecretId=name)
                        assert "AWSCURRENT" in value["VersionStages"]
                        client.describe_secret(SecretId=name)
                    except ClientError as error:
                        with lock:
                            unexpected.append(f"{error_code(error)}: {error.response['Error']['Message']}")

        assert run_threads(THREADS, work) == []
        assert unexpected == []
        sm.rotations.assert_no_failures()
        assert_invariants(sm)
        for name in names:
            current = setup.get_secret_value(SecretId=name)
            assert current["VersionId"] == rotated[name][-1]  # the last rotation won
            ids = [v["VersionId"] for v in all_versions(setup, name)]
            assert len(ids) == len(set(ids)) == 1 + len(rotated[name])
            assert set(rotated[name]) <= set(ids)


def test_concurrent_rotations_and_writes_on_one_secret_keep_the_invariants(wide_race_windows: None) -> None:
    with mock_secretsmanager(max_versions=10_000) as sm:
        sm.register_lambda(LAMBDA_ARN, rotation_function)
        setup = sm.client()
        setup.create_secret(Name="busy", SecretString="initial")
        rotations: list[str] = []
        puts: list[str] = []
        unexpected: list[str] = []
        lock = threading.Lock()

        def work(index: int, client: Any) -> None:
            for step in range(5):
                try:
                    if index % 2 == 0:
                        answer = client.rotate_secret(
                            SecretId="busy", RotationLambdaARN=LAMBDA_ARN, RotationRules={"AutomaticallyAfterDays": 30}
                        )
                        with lock:
                            rotations.append(answer["VersionId"])
                    else:
                        token = str(uuid.uuid4())
                        client.put_secret_value(
                            SecretId="busy", SecretString=f"w{index}-{step}", ClientRequestToken=token
                        )
                        with lock:
                            puts.append(token)
                except ClientError as error:
                    # SPEC H18: a rotation in progress refuses another one.
                    if error_code(error) != "InvalidRequestException":
                        with lock:
                            unexpected.append(f"{error_code(error)}: {error.response['Error']['Message']}")

        assert run_threads(THREADS, work) == []
        assert unexpected == []
        assert puts and rotations, "both kinds of request must have succeeded at least once"
        assert_invariants(sm)
        ids = [v["VersionId"] for v in all_versions(setup, "busy")]
        assert len(ids) == len(set(ids))
        # Every accepted write and rotation made exactly its own version; nothing else appeared.
        # ListSecretVersionIds lists only versions holding a value (botocore 1.44's model): a
        # rotation abandoned before its createSecret step left an empty version, seen in the model.
        (secret,) = sm.backend.secrets()
        assert set(ids) == {vid for vid, version in secret.versions.items() if version.has_value}
        assert set(puts) <= set(ids)
        assert set(puts) | set(rotations) <= set(secret.versions)
        assert len(secret.versions) == 1 + len(set(puts) | set(rotations))
        # Rotations that were not abandoned by a concurrent write succeeded.
        history = sm.rotations.history
        outcomes = {r.version_id: r.event for r in history if r.event in ("RotationSucceeded", "RotationAbandoned")}
        failed = [r for r in sm.rotations.failures if r.version_id not in outcomes]
        assert failed == [], [f"{r.step}: {r.message}" for r in failed]
        current = setup.get_secret_value(SecretId="busy")["VersionId"]
        assert current in set(puts) | {v for v, event in outcomes.items() if event == "RotationSucceeded"}


# ---- per-process isolation under pytest-xdist -----------------------------------------------------
ISOLATION_MODULE = textwrap.dedent(
    """
    import os

    import pytest

    import sm_mock
    from sm_mock import mock_secretsmanager


    @pytest.mark.parametrize("n", range(12))
    def test_each_worker_has_its_own_mock(n):
        assert sm_mock.session.active() is None  # nothing leaks in from other tests or workers
        with mock_secretsmanager() as sm:
            client = sm.client()
            # The same name everywhere: a shared backend would answer ResourceExistsException.
            client.create_secret(Name="same-name", SecretString=f"value-{n}-{os.getpid()}")
            for _ in range(20):
                assert client.get_secret_value(SecretId="same-name")["SecretString"] == f"value-{n}-{os.getpid()}"
            assert [s.name for s in sm.backend.secrets()] == ["same-name"]
            out = os.path.join(os.environ["SM_MOCK_ISOLATION_OUT"], f"pid-{os.getpid()}-{n}")
            with open(out, "w") as handle:
                handle.write(os.environ.get("PYTEST_XDIST_WORKER", "none"))
        assert sm_mock.session.active() is None


    def test_fixture_and_marker_work_in_workers(sm_mock, sm_client):
        sm_client.create_secret(Name="same-name", SecretString="fixture")
        assert sm_mock.calls.count("CreateSecret") == 1
    """
)


@pytest.mark.slow
def test_per_process_isolation_under_pytest_xdist(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    out = pytester.mkdir("worker-records")
    monkeypatch.setenv("SM_MOCK_ISOLATION_OUT", str(out))
    pytester.makepyfile(test_isolation=ISOLATION_MODULE)
    result = pytester.runpytest_subprocess("-n", "2", "-p", "xdist", "-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=13)
    records = list(out.glob("pid-*"))
    assert len(records) == 12
    assert {path.read_text() for path in records} == {"gw0", "gw1"}  # really two xdist workers
    assert len({path.name.split("-")[1] for path in records}) == 2  # in two processes
