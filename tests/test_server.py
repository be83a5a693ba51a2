"""Server mode (issue 16): the mock served over HTTP, its control API and the standalone command.

Clients here are other processes (boto3 with ``endpoint_url`` in a subprocess with no mock
active, the standalone server as a subprocess) and raw HTTP (``http.client``, ``urllib``): in
this process, boto3 clients are answered by the active mock before they reach the network.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import client_environment, control, http, manual_clock

from sm_mock import SecretsManagerMock, SmMockError, mock_secretsmanager
from sm_mock.calls import REDACTED

ROOT = Path(__file__).resolve().parent.parent
TARGET = "secretsmanager."
JSON11 = "application/x-amz-json-1.1"
ROTATOR = "arn:aws:lambda:us-east-1:123456789012:function:rotate"


def call(url: str, operation: str, params: dict[str, Any], headers: dict[str, str] | None = None) -> tuple[int, Any]:
    """A Secrets Manager request as SDKs send it, without a signature (an SDK fills in the
    idempotency token it leaves out, so this does too)."""
    if operation in ("CreateSecret", "PutSecretValue", "RotateSecret"):
        params = {"ClientRequestToken": str(uuid.uuid4()), **params}
    status, _, body = http(
        url,
        "POST",
        "/",
        json.dumps(params),
        {"X-Amz-Target": TARGET + operation, "Content-Type": JSON11, **(headers or {})},
    )
    return status, body


def signed_by(key: str, region: str) -> dict[str, str]:
    """An Authorization header with a SigV4 credential scope (signatures are not checked)."""
    return {
        "Authorization": f"AWS4-HMAC-SHA256 Credential={key}/20260101/{region}/secretsmanager/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=00"
    }


# ---- boto3 from another process ---------------------------------------------------------------
BOTO3_CLIENT = r"""
import json, sys
import boto3
from botocore.config import Config

url = sys.argv[1]
def client(key="AKIAEXAMPLEKEY000000", region="eu-west-1", **kw):
    return boto3.client("secretsmanager", endpoint_url=url, region_name=region, aws_access_key_id=key,
                        aws_secret_access_key="secret", **kw)

out = {}
c = client()
created = c.create_secret(Name="app/db", SecretString='{"user": "app"}', Tags=[{"Key": "team", "Value": "a"}])
out["arn"] = created["ARN"]
c.put_secret_value(SecretId="app/db", SecretString='{"user": "app2"}')
out["current"] = c.get_secret_value(SecretId="app/db")["SecretString"]
out["previous"] = c.get_secret_value(SecretId="app/db", VersionStage="AWSPREVIOUS")["SecretString"]
c.create_secret(Name="app/bin", SecretBinary=b"\x00\xffbinary")
out["binary"] = list(c.get_secret_value(SecretId="app/bin")["SecretBinary"])
pages = c.get_paginator("list_secrets").paginate(MaxResults=1)
out["names"] = sorted(s["Name"] for page in pages for s in page["SecretList"])
try:
    c.describe_secret(SecretId="missing")
except c.exceptions.ResourceNotFoundException as error:
    out["missing"] = error.response["Error"]["Code"]
# A 12-digit access key id is that account; the region comes from the signature's scope.
other = client(key="111122223333", region="ap-south-1")
out["other_arn"] = other.create_secret(Name="x", SecretString="v")["ARN"]
out["other_sees_app"] = len(other.list_secrets()["SecretList"])
# The injected fault is answered twice with 500 and retried by botocore.
retrying = client(config=Config(retries={"mode": "standard", "max_attempts": 5}))
out["after_faults"] = retrying.get_secret_value(SecretId="app/db")["SecretString"]
print(json.dumps(out))
"""


def test_boto3_in_another_process_without_a_mock(sm: SecretsManagerMock) -> None:
    url = sm.serve()
    sm.faults.add("GetSecretValue", "InternalServiceError", times=2, after=3)
    result = subprocess.run(
        [sys.executable, "-c", BOTO3_CLIENT, url],
        capture_output=True,
        text=True,
        timeout=120,
        env=client_environment("eu-west-1"),
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["arn"].startswith("arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/db-")
    assert (out["current"], out["previous"]) == ('{"user": "app2"}', '{"user": "app"}')
    assert out["binary"] == list(b"\x00\xffbinary")
    assert out["names"] == ["app/bin", "app/db"]
    assert out["missing"] == "ResourceNotFoundException"
    assert out["other_arn"].startswith("arn:aws:secretsmanager:ap-south-1:111122223333:secret:x-")
    assert out["other_sees_app"] == 1
    assert out["after_faults"] == '{"user": "app2"}'
    # The test sees what the other process did: state, the call log with its retries.
    assert sm.backend.reveal("app/db", account_id=sm.account_id, region="eu-west-1") == '{"user": "app2"}'
    faulted = [r for r in sm.calls.of("GetSecretValue") if r.injected]
    assert [r.attempt for r in faulted] == [1, 2]
    assert sm.calls.of("GetSecretValue")[-1].attempt == 3


def test_serve_follows_the_mock_lifecycle() -> None:
    sm = SecretsManagerMock()
    with pytest.raises(SmMockError, match="active mock"):
        sm.serve()
    with sm:
        url = sm.serve()
        assert sm.serve() == url  # one server per activation
        assert control(url, "GET", "health")[0] == 200
    with pytest.raises(OSError):
        http(url, "GET", "/_sm_mock/health")


def test_the_fixture_serves_the_test_mock(sm_mock: SecretsManagerMock, sm_server_url: str) -> None:
    sm_mock.backend.create_secret("seeded", secret_string="value")
    status, body = call(sm_server_url, "GetSecretValue", {"SecretId": "seeded"})
    assert (status, body["SecretString"]) == (200, "value")


def test_rotation_runs_the_handler_registered_in_the_test(sm: SecretsManagerMock) -> None:
    import rotation_handlers

    sm.register_lambda(ROTATOR, rotation_handlers.lambda_handler)
    url = sm.serve()
    call(url, "CreateSecret", {"Name": "db", "SecretString": json.dumps({"username": "u", "password": "p0"})})
    status, body = call(url, "RotateSecret", {"SecretId": "db", "RotationLambdaARN": ROTATOR})
    assert status == 200, body
    status, value = call(url, "GetSecretValue", {"SecretId": "db"})
    assert value["VersionId"] == body["VersionId"]
    assert rotation_handlers.DATABASE["u"] == json.loads(value["SecretString"])["password"] != "p0"
    assert [i.step for i in sm.rotations.invocations] == ["createSecret", "setSecret", "testSecret", "finishSecret"]


# ---- the wire ---------------------------------------------------------------------------------
def test_answers_carry_aws_headers_and_keep_the_connection(sm: SecretsManagerMock) -> None:
    import http.client
    from urllib.parse import urlsplit

    url = urlsplit(sm.serve())
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=30)
    ids = set()
    for n in range(3):
        connection.request(
            "POST",
            "/",
            json.dumps({"Name": f"s{n}", "SecretString": "v", "ClientRequestToken": str(uuid.uuid4())}),
            {"X-Amz-Target": TARGET + "CreateSecret", "Content-Type": JSON11},
        )
        response = connection.getresponse()
        response.read()
        assert response.status == 200
        assert response.getheader("Content-Type") == JSON11
        ids.add(response.getheader("x-amzn-RequestId"))
        assert response.getheader("Connection") != "close"
    connection.close()
    assert len(ids) == 3
    assert len(sm.backend.secrets()) == 3


def test_region_and_account_come_from_the_signature(sm: SecretsManagerMock) -> None:
    sm.map_access_key("AKIAMAPPED0000000000", "444455556666")
    url = sm.serve()
    for key, region in (
        ("AKIAMAPPED0000000000", "eu-west-2"),
        ("777788889999", "us-west-2"),
        ("AKIAOTHER", "sa-east-1"),
    ):
        status, body = call(url, "CreateSecret", {"Name": "n", "SecretString": "v"}, signed_by(key, region))
        assert status == 200, body
    call(url, "CreateSecret", {"Name": "unsigned", "SecretString": "v"})
    arns = sorted(s.arn.rsplit("-", 1)[0] for s in sm.backend.secrets())
    assert arns == [
        "arn:aws:secretsmanager:eu-west-2:444455556666:secret:n",
        "arn:aws:secretsmanager:sa-east-1:123456789012:secret:n",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:unsigned",
        "arn:aws:secretsmanager:us-west-2:777788889999:secret:n",
    ]


def test_the_target_header_alone_names_the_operation(sm: SecretsManagerMock) -> None:
    url = sm.serve()
    # A CreateSecret body sent as DescribeSecret is a DescribeSecret: nothing is created.
    status, _ = call(url, "DescribeSecret", {"SecretId": "n", "Name": "n", "SecretString": "v"})
    assert status == 400
    assert sm.backend.secrets() == []
    assert [r.operation for r in sm.calls] == ["DescribeSecret"]


RAW_REQUESTS = {
    "garbage request line": b"NOT AN HTTP REQUEST\r\n\r\n",
    "header line without a colon": b"POST / HTTP/1.1\r\nX-Amz-Target secretsmanager.ListSecrets\r\n\r\n",
    "too many headers": b"POST / HTTP/1.1\r\n" + b"X-Filler: 1\r\n" * 101 + b"\r\n",
}


def _raw_request(url: str, payload: bytes) -> tuple[int, Any]:
    port = int(url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=30) as raw:
        raw.sendall(payload)
        data = b""
        while chunk := raw.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


BAD_REQUESTS = {
    "body not JSON": ("POST", b"{not json", {"X-Amz-Target": TARGET + "ListSecrets"}, 400, "SerializationException"),
    "body not UTF-8": (
        "POST",
        b'{"Name": "\xff\xfe"}',
        {"X-Amz-Target": TARGET + "CreateSecret"},
        400,
        "SerializationException",
    ),
    "body a JSON list": ("POST", b"[1]", {"X-Amz-Target": TARGET + "ListSecrets"}, 400, "SerializationException"),
    "unknown target": ("POST", b"{}", {"X-Amz-Target": TARGET + "DropEverything"}, 400, "UnknownOperationException"),
    "another service's target": (
        "POST",
        b"{}",
        {"X-Amz-Target": "AmazonSSM.GetParameter"},
        400,
        "UnknownOperationException",
    ),
    "missing target": ("POST", b"{}", {}, 400, "UnknownOperationException"),
    "wrong content type": (
        "POST",
        b"{}",
        {"X-Amz-Target": TARGET + "ListSecrets", "Content-Type": "text/plain"},
        400,
        "UnknownOperationException",
    ),
    # Announced, not sent: the server answers before reading a body this large (a client still
    # sending when the connection closes could see a reset instead of the answer).
    "oversized body": (
        "POST",
        None,
        {"X-Amz-Target": TARGET + "ListSecrets", "Content-Length": str(2 * 1024 * 1024)},
        413,
        "RequestEntityTooLargeException",
    ),
    "GET on /": ("GET", None, {}, 400, "UnknownOperationException"),
    "PUT on /": ("PUT", b"{}", {"X-Amz-Target": TARGET + "ListSecrets"}, 400, "UnknownOperationException"),
    "negative length": (
        "POST",
        None,
        {"X-Amz-Target": TARGET + "ListSecrets", "Content-Length": "-5"},
        400,
        "BadRequestException",
    ),
    "region not a region": (
        "POST",
        b"{}",
        {"X-Amz-Target": TARGET + "ListSecrets", **signed_by("AKIAX", "Not A Region")},
        403,
        "InvalidSignatureException",
    ),
    "chunked body": (
        "POST",
        None,
        {"X-Amz-Target": TARGET + "ListSecrets", "Transfer-Encoding": "chunked"},
        411,
        "LengthRequiredException",
    ),
}


@pytest.mark.parametrize("case", [*BAD_REQUESTS, *RAW_REQUESTS])
def test_bad_http_gets_an_aws_error_and_the_server_keeps_serving(
    sm: SecretsManagerMock, case: str, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    url = sm.serve()
    if case in RAW_REQUESTS:
        status, body = _raw_request(url, RAW_REQUESTS[case])
        expected: tuple[int, str] = (
            (431, "RequestHeaderFieldsTooLarge") if case == "too many headers" else (400, "BadRequestException")
        )
    else:
        method, payload, headers, *expected_parts = BAD_REQUESTS[case]
        headers = {"Content-Type": JSON11, **headers}
        status, answer_headers, body = http(url, method, "/", payload, headers)
        assert answer_headers["content-type"] == JSON11
        assert answer_headers["x-amzn-requestid"]
        expected = (expected_parts[0], expected_parts[1])
    assert (status, body["__type"]) == expected
    assert body["Message"]
    assert sm.backend.secrets() == []  # a failed request changes nothing
    status, answer = call(url, "CreateSecret", {"Name": "after", "SecretString": "v"})
    assert status == 200, answer
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "Traceback" not in capfd.readouterr().err


# ---- concurrency ------------------------------------------------------------------------------
def test_parallel_clients_lose_no_update_and_keep_one_current(sm: SecretsManagerMock) -> None:
    import http.client
    from urllib.parse import urlsplit

    url = urlsplit(sm.serve())
    sm.backend.create_secret("shared", secret_string="v0")
    threads, writes = 6, 12  # 73 versions: under the 100 kept before pruning
    tokens: list[list[str]] = [[str(uuid.uuid4()) for _ in range(writes)] for _ in range(threads)]
    failures: list[Any] = []
    barrier = threading.Barrier(threads)

    def writer(mine: list[str]) -> None:
        connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=60)  # one kept-alive connection
        barrier.wait()
        for token in mine:
            params = {"SecretId": "shared", "SecretString": token, "ClientRequestToken": token}
            connection.request(
                "POST", "/", json.dumps(params), {"X-Amz-Target": TARGET + "PutSecretValue", "Content-Type": JSON11}
            )
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                failures.append(body)
        connection.close()

    workers = [threading.Thread(target=writer, args=(mine,)) for mine in tokens]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failures == []
    status, listed = call(
        sm.serve(), "ListSecretVersionIds", {"SecretId": "shared", "IncludeDeprecated": True, "MaxResults": 100}
    )
    assert status == 200
    versions = {v["VersionId"]: v.get("VersionStages", []) for v in listed["Versions"]}
    assert {t for mine in tokens for t in mine} <= set(versions)  # no lost update
    assert sum("AWSCURRENT" in stages for stages in versions.values()) == 1
    assert sum("AWSPREVIOUS" in stages for stages in versions.values()) == 1
    current = next(v for v, stages in versions.items() if "AWSCURRENT" in stages)
    assert (
        sm.backend.reveal("shared", account_id=sm.account_id, region=sm.region) == current
    )  # each value is its own token
    assert sm.calls.count("PutSecretValue") == threads * writes


# ---- the control API --------------------------------------------------------------------------
def test_health_and_unknown_endpoints(sm: SecretsManagerMock) -> None:
    url = sm.serve()
    status, body = control(url, "GET", "health")
    assert status == 200
    assert body["status"] == "ok" and body["version"] and body["region"] == "us-east-1"
    assert control(url, "GET", "nothing")[0] == 404
    status, body = control(url, "GET", "reset")
    assert (status, body["__type"]) == (405, "ValidationException")
    assert "POST" in body["Message"]


def test_reset_empties_the_state_and_keeps_the_configuration(sm: SecretsManagerMock) -> None:
    sm.register_lambda(ROTATOR, lambda event, context: None)
    url = sm.serve()
    call(url, "CreateSecret", {"Name": "gone", "SecretString": "v"})
    sm.faults.add("ListSecrets", "InternalServiceError")
    assert control(url, "POST", "reset") == (200, {"status": "reset"})
    assert sm.backend.secrets() == []
    assert len(sm.calls) == 0
    assert call(url, "ListSecrets", {})[0] == 200  # the fault is gone
    assert ROTATOR in sm.rotations.lambdas


def test_calls_are_listed_with_values_redacted(sm: SecretsManagerMock) -> None:
    url = sm.serve()
    call(url, "CreateSecret", {"Name": "c", "SecretString": "hunter2"}, signed_by("AKIAX", "eu-central-1"))
    call(url, "GetSecretValue", {"SecretId": "nope"})
    status, body = control(url, "GET", "calls")
    assert status == 200
    first, second = body["calls"]
    assert first["operation"] == "CreateSecret" and first["region"] == "eu-central-1"
    assert first["params"] | {"ClientRequestToken": "t"} == {
        "Name": "c",
        "SecretString": REDACTED,
        "ClientRequestToken": "t",
    }
    assert first["error_code"] is None and second["error_code"] == "ResourceNotFoundException"
    assert "hunter2" not in json.dumps(body)


def test_time_moves_a_manual_clock_past_a_deletion_window() -> None:
    clock = manual_clock()
    with mock_secretsmanager(clock=clock) as sm:
        url = sm.serve()
        call(url, "CreateSecret", {"Name": "old", "SecretString": "v"})
        call(url, "DeleteSecret", {"SecretId": "old", "RecoveryWindowInDays": 7})
        status, body = control(url, "POST", "time", {"advance_seconds": 8 * 86400})
        assert status == 200
        assert body["now"] == (manual_clock().now() + timedelta(days=8)).isoformat() == clock.now().isoformat()
        assert call(url, "DescribeSecret", {"SecretId": "old"})[1]["__type"] == "ResourceNotFoundException"
        status, body = control(url, "POST", "time", {"to": "2030-01-01T00:00:00Z"})
        assert status == 200 and body["now"].startswith("2030-01-01T00:00:00")
        for bad in ({}, {"advance_seconds": -1}, {"to": "tomorrow"}, {"advance_seconds": 1, "to": "2030-01-01"}):
            assert control(url, "POST", "time", bad)[0] == 400


def test_time_refuses_to_move_the_tests_own_clock(sm: SecretsManagerMock) -> None:
    status, body = control(sm.serve(), "POST", "time", {"advance_seconds": 60})
    assert status == 409
    assert "ManualClock" in body["Message"]


def test_faults_and_quotas_take_the_python_options(sm: SecretsManagerMock) -> None:
    url = sm.serve()
    call(url, "CreateSecret", {"Name": "f", "SecretString": "v"})
    assert (
        control(
            url,
            "POST",
            "faults",
            {"operation": "GetSecretValue", "error": "AccessDeniedException", "times": 1, "secret": "f"},
        )[0]
        == 200
    )
    status, body = call(url, "GetSecretValue", {"SecretId": "f"})
    assert (status, body["__type"]) == (400, "AccessDeniedException")
    assert call(url, "GetSecretValue", {"SecretId": "f"})[0] == 200
    assert control(url, "POST", "faults", {"operation": "GetSecretValue", "error": "X", "bogus": 1})[0] == 400
    assert (
        control(
            url, "POST", "faults", {"operation": "GetSecretValue", "error": "ThrottlingException", "probability": 2}
        )[0]
        == 400
    )
    assert (
        control(
            url,
            "POST",
            "faults",
            {"operation": "*", "error": "InternalServiceError", "window": [None, "2000-01-01T00:00:00Z"]},
        )[0]
        == 200
    )
    assert call(url, "GetSecretValue", {"SecretId": "f"})[0] == 200  # the window closed long ago
    assert control(url, "DELETE", "faults")[0] == 200
    assert control(url, "POST", "quotas", {"api_or_group": "GetSecretValue", "per_second": 0})[0] == 200
    status, body = call(url, "GetSecretValue", {"SecretId": "f"})
    assert (status, body["__type"]) == (400, "ThrottlingException")
    assert sm.calls[-1].throttled
    assert control(url, "POST", "quotas", {"api_or_group": "GetSecretValue", "per_second": -1})[0] == 400
    assert control(url, "POST", "quotas", {"per_second": 1})[0] == 400


def test_an_injected_network_failure_drops_the_connection(sm: SecretsManagerMock) -> None:
    url = sm.serve()
    sm.faults.add("ListSecrets", "ConnectionClosed", times=1)
    with pytest.raises((ConnectionError, OSError)):
        http(url, "POST", "/", b"{}", {"X-Amz-Target": TARGET + "ListSecrets", "Content-Type": JSON11})
    assert call(url, "ListSecrets", {})[0] == 200
    assert [r.error_code for r in sm.calls] == ["ConnectionClosed", None]


# ---- the standalone server ----------------------------------------------------------------------
@pytest.fixture
def standalone() -> Iterator[tuple[subprocess.Popen[str], str]]:
    env = client_environment(PYTHONPATH=os.pathsep.join([str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")]))
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sm_mock",
            "serve",
            "--port",
            "0",
            "--seed",
            "5",
            "--lambda",
            f"{ROTATOR}=rotation_handlers:lambda_handler",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+", first)
    assert match, (first, process.stderr.read() if process.poll() is not None else "")
    try:
        yield process, match.group(0)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=60)


STANDALONE_CLIENT = r"""
import json, sys, urllib.request
import boto3
url = sys.argv[1]
c = boto3.client("secretsmanager", endpoint_url=url, region_name="us-east-1")
c.create_secret(Name="db", SecretString=json.dumps({"username": "u", "password": "p0"}))
rotated = c.rotate_secret(SecretId="db", RotationLambdaARN=sys.argv[2])
value = c.get_secret_value(SecretId="db")
c.delete_secret(SecretId="db", RecoveryWindowInDays=7)
eight_days = json.dumps({"advance_seconds": 8 * 86400}).encode()
urllib.request.urlopen(urllib.request.Request(url + "/_sm_mock/time", data=eight_days, method="POST"))
try:
    c.describe_secret(SecretId="db")
    gone = False
except c.exceptions.ResourceNotFoundException:
    gone = True
recreated = c.create_secret(Name="db", SecretString="fresh")
password = json.loads(value["SecretString"])["password"]
rotated = rotated["VersionId"] == value["VersionId"]
print(json.dumps({"rotated": rotated, "password": password, "gone": gone, "arn": recreated["ARN"]}))
"""


def test_standalone_server_serves_rotates_moves_time_and_stops(standalone: tuple[subprocess.Popen[str], str]) -> None:
    process, url = standalone
    result = subprocess.run(
        [sys.executable, "-c", STANDALONE_CLIENT, url, ROTATOR],
        capture_output=True,
        text=True,
        timeout=120,
        env=client_environment(),
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["rotated"] and out["gone"] and out["password"] != "p0"
    assert out["arn"].startswith("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-")
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0
    assert "stopped" in stdout
    assert "Traceback" not in stderr


def test_standalone_server_refuses_a_bad_lambda_option() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sm_mock", "serve", "--lambda", "arn=no_such_module_xyz:f"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "cannot import no_such_module_xyz:f" in result.stderr


# ---- invariants over arbitrary input ------------------------------------------------------------
_HEADER_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=255, exclude_characters="\r\n:"), max_size=80)


@pytest.fixture(scope="module")
def shared_server() -> Iterator[tuple[SecretsManagerMock, str]]:
    with mock_secretsmanager() as mock:
        yield mock, mock.serve()


@settings(deadline=None)
@given(
    method=st.sampled_from(["POST", "GET", "PUT", "DELETE", "PATCH", "OPTIONS"]),
    path=st.sampled_from(["/", "/x", "/_sm_mock/", "/_sm_mock/calls", "/_sm_mock/time", "/_sm_mock/faults"]),
    target=st.one_of(
        st.none(), _HEADER_TEXT, st.sampled_from([f"{TARGET}{op}" for op in ("ListSecrets", "GetSecretValue", "Nope")])
    ),
    content_type=st.one_of(st.none(), st.just(JSON11), _HEADER_TEXT),
    authorization=st.one_of(
        st.none(),
        _HEADER_TEXT,
        st.builds(lambda k, r: f"AWS4-HMAC-SHA256 Credential={k}/d/{r}/s", _HEADER_TEXT, _HEADER_TEXT),
    ),
    body=st.one_of(
        st.binary(max_size=200),
        st.builds(
            lambda d: json.dumps(d).encode(),
            st.dictionaries(st.text(max_size=10), st.integers() | st.text(max_size=10), max_size=4),
        ),
    ),
)
def test_any_request_gets_json_and_changes_nothing_when_refused(
    shared_server: tuple[SecretsManagerMock, str],
    method: str,
    path: str,
    target: str | None,
    content_type: str | None,
    authorization: str | None,
    body: bytes,
) -> None:
    sm, url = shared_server
    headers = {
        k: v
        for k, v in (("X-Amz-Target", target), ("Content-Type", content_type), ("Authorization", authorization))
        if v is not None
    }
    before = len(sm.backend.secrets())
    status, _, answer = http(url, method, path, body, headers)
    assert status < 500, answer  # client input is never a server error
    assert isinstance(answer, dict), answer
    if status >= 400:
        assert answer["__type"] and answer["Message"]
        assert len(sm.backend.secrets()) == before
    assert control(url, "GET", "health")[0] == 200  # still serving


def test_moving_time_with_time_machine_reaches_requests_over_http(sm: SecretsManagerMock) -> None:
    import time_machine

    url = sm.serve()
    with time_machine.travel("2031-02-03T04:05:06Z", tick=False):
        status, _ = call(url, "CreateSecret", {"Name": "dated", "SecretString": "v"})
        assert status == 200
        described = call(url, "DescribeSecret", {"SecretId": "dated"})[1]
    assert described["CreatedDate"] == datetime(2031, 2, 3, 4, 5, 6, tzinfo=timezone.utc).timestamp()


def test_standalone_server_says_when_it_cannot_listen() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "sm_mock", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "Traceback" not in result.stderr


def test_the_serve_command_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    from sm_mock.__main__ import add_serve_arguments, serve

    parser = argparse.ArgumentParser()
    add_serve_arguments(parser)
    args = parser.parse_args(
        ["--region", "eu-north-1", "--account-id", "210987654321", "--throttling", "GetSecretValue"]
    )
    assert parser.parse_args(["--throttling"]).throttling is True
    assert parser.parse_args([]).throttling is False
    seen: dict[str, Any] = {}
    before = signal.getsignal(signal.SIGTERM)

    def ready(mock: SecretsManagerMock) -> None:
        url = mock.serve()
        seen["throttling"], seen["arn"] = (
            mock.throttling,
            call(url, "CreateSecret", {"Name": "n", "SecretString": "v"})[1]["ARN"],
        )
        seen["moved"] = control(url, "POST", "time", {"advance_seconds": 86400})[0]  # the server's own clock moves
        os.kill(os.getpid(), signal.SIGTERM)  # what stops it

    assert serve(args, ready) == 0
    assert seen["throttling"] == frozenset({"GetSecretValue"})
    assert seen["arn"].startswith("arn:aws:secretsmanager:eu-north-1:210987654321:secret:n-")
    assert seen["moved"] == 200
    first, *_ = capsys.readouterr().out.splitlines()
    assert re.search(r"at http://127\.0\.0\.1:\d+ \(region eu-north-1, account 210987654321\)", first)
    assert signal.getsignal(signal.SIGTERM) is before


def test_the_standalone_clock_runs_from_where_it_is_moved() -> None:
    from sm_mock.clock import OffsetClock, as_clock

    clock = OffsetClock()
    assert as_clock(clock) is clock  # the time endpoint moves the object the mock reads
    assert abs(clock.now() - datetime.now(timezone.utc)) < timedelta(minutes=1)
    target = datetime(2035, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
    clock.set(target)
    assert timedelta(0) <= clock.now() - target < timedelta(minutes=1)  # and time goes on from there
    assert clock.advance(days=2) - target >= timedelta(days=2)
    assert "offset" in repr(clock)


def test_parallel_stage_moves_and_writes_keep_the_label_invariants(sm: SecretsManagerMock) -> None:
    import http.client
    from urllib.parse import urlsplit

    url = sm.serve()
    parts = urlsplit(url)
    call(url, "CreateSecret", {"Name": "moving", "SecretString": "v0"})
    versions = [
        call(url, "PutSecretValue", {"SecretId": "moving", "SecretString": f"v{n}"})[1]["VersionId"]
        for n in range(1, 5)
    ]
    statuses: list[int] = []
    barrier = threading.Barrier(6)

    def worker(seed: int) -> None:
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
        barrier.wait()
        for n in range(12):
            if seed % 2:  # move AWSCURRENT to a version, from whichever version this thread last saw holding it
                connection.request(
                    "POST",
                    "/",
                    json.dumps({"SecretId": "moving"}),
                    {"X-Amz-Target": TARGET + "DescribeSecret", "Content-Type": JSON11},
                )
                stages = json.loads(connection.getresponse().read())["VersionIdsToStages"]
                current = next(v for v, labels in stages.items() if "AWSCURRENT" in labels)
                params = {
                    "SecretId": "moving",
                    "VersionStage": "AWSCURRENT",
                    "MoveToVersionId": versions[(seed + n) % 4],
                    "RemoveFromVersionId": current,
                }
                operation = "UpdateSecretVersionStage"
            else:
                params = {"SecretId": "moving", "SecretString": f"w{seed}-{n}", "ClientRequestToken": str(uuid.uuid4())}
                operation = "PutSecretValue"
            connection.request(
                "POST", "/", json.dumps(params), {"X-Amz-Target": TARGET + operation, "Content-Type": JSON11}
            )
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
        connection.close()

    workers = [threading.Thread(target=worker, args=(seed,)) for seed in range(6)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert set(statuses) <= {200, 400} and statuses.count(200) >= 36  # every write; a stale move is refused
    listed = call(url, "ListSecretVersionIds", {"SecretId": "moving", "IncludeDeprecated": True, "MaxResults": 100})[1]
    stages = {v["VersionId"]: v.get("VersionStages", []) for v in listed["Versions"]}
    assert sum("AWSCURRENT" in labels for labels in stages.values()) == 1
    assert sum("AWSPREVIOUS" in labels for labels in stages.values()) == 1
    assert not any({"AWSCURRENT", "AWSPREVIOUS"} <= set(labels) for labels in stages.values())
    assert len(stages) == 5 + 36  # no write lost


def test_a_bug_in_the_server_is_a_500_that_quotes_no_value(
    sm: SecretsManagerMock, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import sm_mock.server.http as server_http

    url = sm.serve()

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise KeyError("hun" + "ter2")  # a value only the message holds (the traceback quotes this line)

    monkeypatch.setattr(server_http, "serve", broken)
    status, body = call(url, "ListSecrets", {})
    assert (status, body["__type"]) == (500, "InternalServiceError")
    assert "bug in sm_mock" in body["Message"]
    assert any("KeyError" in record.getMessage() for record in caplog.records)
    assert "hunter2" not in caplog.text
    monkeypatch.undo()
    assert call(url, "ListSecrets", {})[0] == 200


def test_expect_100_continue_is_answered_before_the_body(sm: SecretsManagerMock) -> None:
    port = int(sm.serve().rsplit(":", 1)[1])
    body = b'{"MaxResults": 5}'
    head = (
        f"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: {TARGET}ListSecrets\r\nContent-Type: {JSON11}\r\n"
        f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as raw:
        raw.sendall(head)
        assert raw.recv(100).startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
        raw.sendall(body)
        answer = b""
        while chunk := raw.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n") and answer.endswith(b'{"SecretList":[]}')


def test_standalone_server_serves_the_agent_endpoint_beside_the_api() -> None:
    # Issue 20: `serve --agent-port N` serves the Secrets Manager Agent's endpoint on the same mock.
    process = subprocess.Popen(
        [sys.executable, "-m", "sm_mock", "serve", "--port", "0", "--agent-port", "0", "--agent-token", "tok"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=client_environment(),
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        api = re.search(r"http://127\.0\.0\.1:\d+", process.stdout.readline())
        process.stdout.readline()  # the control API line
        agent_line = process.stdout.readline()
        agent = re.search(r"http://127\.0\.0\.1:\d+", agent_line)
        assert api and agent and "token tok" in agent_line, agent_line
        status, _ = call(api.group(0), "CreateSecret", {"Name": "app/db", "SecretString": "s3cr3t"})
        assert status == 200
        request = urllib.request.Request(
            f"{agent.group(0)}/secretsmanager/get?secretId=app/db", headers={"X-Aws-Parameters-Secrets-Token": "tok"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert json.loads(response.read())["SecretString"] == "s3cr3t"
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=60)
    assert process.returncode == 0
