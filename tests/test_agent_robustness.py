"""The local secrets endpoint under odd input and concurrency (issue 20).

Invariants: whatever the method, target and headers, an answer is one of the Agent's statuses
and never a 500 or a Python exception; a malformed HTTP request leaves the endpoint serving;
concurrent readers all get the value, and the cache calls GetSecretValue at most once per
reader's first read.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator

import pytest
from agent_http import TOKEN_HEADER, read, via_requests
from hypothesis import given
from hypothesis import strategies as st
from support import manual_clock

from sm_mock import SecretsManagerMock, mock_secretsmanager
from sm_mock.agent.app import App
from sm_mock.agent.wire import AgentError, Query, parse_path_query, parse_query

TOKEN = "fuzz-token"
NAMES = st.sampled_from(["secretId", "versionId", "versionStage", "refreshNow", "SecretId", "x", ""])
VALUES = st.one_of(st.sampled_from(["s", "AWSCURRENT", "true", "0", "", "%", "%zz", "a+b", "&"]), st.text(max_size=8))


@pytest.fixture(scope="module")
def sm() -> Iterator[SecretsManagerMock]:
    with mock_secretsmanager(clock=manual_clock()) as mock:
        mock.client().create_secret(Name="s", SecretString="value")
        mock.serve_agent(token=TOKEN)
        yield mock


def _app(sm: SecretsManagerMock) -> App:
    app = sm.agent._server.server.RequestHandlerClass.app  # type: ignore[attr-defined]
    assert isinstance(app, App)
    return app


@given(pairs=st.lists(st.tuples(NAMES, VALUES), max_size=5))
def test_any_query_parses_or_is_a_400(pairs: list[tuple[str, str]]) -> None:
    from urllib.parse import urlencode

    query = urlencode(pairs)
    for parse in (parse_query, lambda q: parse_path_query("/v1/s", q, "/v1/")):
        try:
            found = parse(query)
        except AgentError as error:  # any other exception fails the test
            assert error.status == 400
        else:
            assert isinstance(found, Query) and found.secret_id


@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS", "BREW"]),
    path=st.sampled_from(["/ping", "/secretsmanager/get", "/v1/", "/v1/s", "/v1/missing", "/", "/systemsmanager/x"]),
    query=st.lists(st.tuples(NAMES, VALUES), max_size=3),
    token=st.sampled_from([TOKEN, "wrong", None]),
    forwarded=st.booleans(),
)
def test_every_answer_is_one_of_the_agents_statuses(
    sm: SecretsManagerMock,
    method: str,
    path: str,
    query: list[tuple[str, str]],
    token: str | None,
    forwarded: bool,
) -> None:
    from urllib.parse import urlencode

    headers: dict[str, str] = {}
    if token is not None:
        headers[TOKEN_HEADER] = token
    if forwarded:
        headers["X-Forwarded-For"] = "10.0.0.1"
    status, body = _app(sm).respond(method, f"{path}?{urlencode(query)}", headers)
    assert status in {200, 400, 403, 404, 405}, (status, body)
    if status == 200:
        assert body == b"healthy" or json.loads(body)["SecretString"] == "value"


def test_a_malformed_request_gets_a_400_and_the_endpoint_keeps_serving(sm: SecretsManagerMock) -> None:
    for garbage in (b"NOT-HTTP\r\n\r\n", b"GET /ping HTTP/9.9\r\n\r\n", b"\x00\xff\r\n\r\n"):
        with socket.create_connection(("127.0.0.1", sm.agent.port), timeout=10) as raw:
            raw.sendall(garbage)
            version, status = raw.recv(64).split(b" ")[:2]
            assert (version, status) in {(b"HTTP/1.1", b"400"), (b"HTTP/1.1", b"505")}
    assert read(sm, "/secretsmanager/get?secretId=s")[0] == 200


def test_concurrent_readers_all_get_the_value() -> None:
    with mock_secretsmanager(clock=manual_clock()) as sm:
        sm.client().create_secret(Name="s", SecretString="value")
        url = sm.serve_agent(token=TOKEN) + "/secretsmanager/get?secretId=s"
        answers: list[tuple[int, str]] = []
        lock = threading.Lock()

        def reader() -> None:
            for _ in range(10):
                status, body = via_requests(url, {TOKEN_HEADER: TOKEN})
                with lock:
                    answers.append((status, json.loads(body)["SecretString"]))

        threads = [threading.Thread(target=reader) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert answers == [(200, "value")] * 80
        # Each reader's first read may miss while another's is in flight; later ones all hit.
        assert 1 <= sm.calls.count("GetSecretValue") <= 8


def test_a_chunked_or_oversized_body_is_answered_and_the_connection_closed(sm: SecretsManagerMock) -> None:
    url = sm.agent.url + "/secretsmanager/get?secretId=s"
    chunked = (part for part in (b"a" * 10, b"b" * 10))  # a generator: requests sends it chunked
    assert via_requests(url, {TOKEN_HEADER: TOKEN}, "POST", data=chunked) == (405, "Not allowed")
    with socket.create_connection(("127.0.0.1", sm.agent.port), timeout=10) as raw:
        raw.sendall(f"PUT /ping HTTP/1.1\r\nHost: x\r\nContent-Length: {10**9}\r\n\r\n".encode())
        answer = b""
        while chunk := raw.recv(4096):  # ends: closed rather than reading a gigabyte
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 405") and answer.endswith(b"Not allowed")
    assert read(sm, "/secretsmanager/get?secretId=s")[0] == 200
