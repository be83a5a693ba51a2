"""The local secrets endpoint answers as the Secrets Manager Agent does (issue 20, item 2).

Through real HTTP clients (urllib.request, requests, curl where installed): every status of
the Agent's server.rs and parse.rs, the GetSecretValue body, the token rules and the
endpoint's lifecycle. The cache is tests/test_agent_cache.py; the Lambda extension's style
tests/test_agent_lambda.py.
"""

from __future__ import annotations

import base64
import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from agent_http import CURL, TOKEN_HEADER, read, via_curl, via_requests, via_urllib

from sm_mock import NoActiveMockError, SecretsManagerMock, SmMockError, mock_secretsmanager
from sm_mock.agent import DEFAULT_PORT, resolve_port
from sm_mock.agent.wire import seconds_with_fraction

CLIENTS = [pytest.param(via_urllib, id="urllib"), pytest.param(via_requests, id="requests")]
if CURL is not None:
    CLIENTS.append(pytest.param(via_curl, id="curl"))
else:  # pragma: no cover - curl is on CI's image
    CLIENTS.append(pytest.param(via_curl, id="curl", marks=pytest.mark.skip(reason="curl is not installed")))


@pytest.fixture
def sm() -> Iterator[SecretsManagerMock]:
    with mock_secretsmanager() as mock:
        mock.client().create_secret(Name="app/db", SecretString='{"password": "hunter2"}')
        mock.serve_agent(token="the-token")
        yield mock


# ---- the statuses ---------------------------------------------------------------------------
@pytest.mark.parametrize("client", CLIENTS)
def test_every_status_of_the_agent_through_each_client(sm: SecretsManagerMock, client: Any) -> None:
    url, good = sm.agent.url, {TOKEN_HEADER: "the-token"}
    assert client(url + "/ping", {}) == (200, "healthy")  # no token needed
    assert client(url + "/secretsmanager/get?secretId=app/db", {}) == (403, "Bad Token")
    assert client(url + "/secretsmanager/get?secretId=app/db", {TOKEN_HEADER: "wrong"}) == (403, "Bad Token")
    assert client(url + "/secretsmanager/get?secretId=app/db", {**good, "X-Forwarded-For": "10.0.0.1"}) == (
        400,
        "Forwarded",
    )
    assert client(url + "/secretsmanager/get?secretId=app/db", good, "DELETE") == (405, "Not allowed")
    assert client(url + "/nowhere", good) == (404, "Not found")
    assert client(url + "/secretsmanager/get?secretId=app/db&abc=1", good) == (400, "unknown parameter: abc")
    assert client(url + "/secretsmanager/get?versionStage=AWSCURRENT", good) == (400, "missing parameter secretId")
    assert client(url + "/secretsmanager/get?secretId=app/db&refreshNow=yes", good) == (
        400,
        "invalid refreshNow value",
    )
    status, body = client(url + "/secretsmanager/get?secretId=app/db", good)
    assert status == 200 and json.loads(json.loads(body)["SecretString"]) == {"password": "hunter2"}
    assert client(url + "/secretsmanager/get?secretId=missing", good) == (
        400,
        '{"__type":"ResourceNotFoundException", "message":"Secrets Manager can\'t find the specified secret."}',
    )


def test_the_token_is_checked_before_the_method_and_the_path(sm: SecretsManagerMock) -> None:
    # server.rs get_result: validate_token, then validate_method, then the route.
    url = sm.agent.url
    assert via_urllib(url + "/secretsmanager/get?secretId=app/db", {}, "POST", b"{}") == (403, "Bad Token")
    assert via_urllib(url + "/nowhere", {}) == (403, "Bad Token")
    assert via_urllib(url + "/ping", {}, "POST", b"") == (405, "Not allowed")  # /ping skips only the token
    assert via_urllib(url + "/ping", {"X-Forwarded-For": "10.0.0.1"}) == (200, "healthy")
    assert via_urllib(url + "/nowhere", {"X-Forwarded-For": "1.2.3.4"}) == (400, "Forwarded")


def test_x_vault_token_is_accepted_too_and_the_header_name_is_case_insensitive(sm: SecretsManagerMock) -> None:
    url = sm.agent.url + "/secretsmanager/get?secretId=app/db"
    assert via_urllib(url, {"X-Vault-Token": "the-token"})[0] == 200
    assert via_requests(url, {"x-aws-parameters-secrets-token": "the-token"})[0] == 200


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("refreshNow=1&secretId=app/db&zzz", "unknown parameter: zzz"),
        ("secretId=app/db&refreshNow=2&abc=1", "invalid refreshNow value"),  # the first problem answers
        ("secretId=", "missing parameter secretId"),
        ("", "missing parameter secretId"),
        ("SecretId=app/db", "unknown parameter: SecretId"),  # names are case-sensitive
    ],
)
def test_query_errors_as_parse_rs_orders_them(sm: SecretsManagerMock, query: str, text: str) -> None:
    assert read(sm, f"/secretsmanager/get?{query}") == (400, text)


@pytest.mark.parametrize("value", ["true", "TRUE", "1", "false", "False", "0"])
def test_refresh_now_takes_true_false_1_0_in_any_case(sm: SecretsManagerMock, value: str) -> None:
    assert read(sm, f"/secretsmanager/get?secretId=app/db&refreshNow={value}")[0] == 200


def test_head_and_post_with_the_token_are_not_allowed(sm: SecretsManagerMock) -> None:
    response = requests.head(sm.agent.url + "/secretsmanager/get?secretId=app/db", headers={TOKEN_HEADER: "the-token"})
    assert (response.status_code, response.content) == (405, b"")
    response = requests.post(
        sm.agent.url + "/secretsmanager/get?secretId=app/db", headers={TOKEN_HEADER: "the-token"}, data=b"x" * 1000
    )
    assert (response.status_code, response.text) == (405, "Not allowed")


def test_one_keep_alive_connection_serves_many_requests(sm: SecretsManagerMock) -> None:
    with requests.Session() as session:
        session.headers[TOKEN_HEADER] = "the-token"
        url = sm.agent.url + "/secretsmanager/get?secretId=app/db"
        answers = [session.get(url).status_code, session.post(url, data=b"ignored").status_code]
        answers += [session.get(url).status_code, session.get(sm.agent.url + "/ping").status_code]
    assert answers == [200, 405, 200, 200]


# ---- the answer ----------------------------------------------------------------------------------
def test_a_string_secret_answers_getsecretvalue_in_the_agents_shape(sm: SecretsManagerMock) -> None:
    expected = sm.client().get_secret_value(SecretId="app/db")
    status, body = read(sm, "/secretsmanager/get?secretId=app/db")
    assert status == 200
    answer = json.loads(body)
    assert list(answer) == ["ARN", "Name", "VersionId", "SecretString", "VersionStages", "CreatedDate"]
    assert answer["ARN"] == expected["ARN"] and answer["Name"] == "app/db"
    assert answer["VersionId"] == expected["VersionId"]
    assert answer["SecretString"] == expected["SecretString"]
    assert answer["VersionStages"] == ["AWSCURRENT"]
    # output.rs: CreatedDate as a string of epoch seconds with the fraction.
    assert answer["CreatedDate"] == seconds_with_fraction(expected["CreatedDate"])
    assert float(answer["CreatedDate"]) == pytest.approx(expected["CreatedDate"].timestamp(), abs=1e-3)
    assert body == json.dumps(answer, separators=(",", ":"), ensure_ascii=False)  # compact, as serde_json


def test_a_binary_secret_answers_base64(sm: SecretsManagerMock) -> None:
    sm.client().create_secret(Name="cert", SecretBinary=b"\x00\x01binary\xff")
    answer = json.loads(read(sm, "/secretsmanager/get?secretId=cert")[1])
    assert "SecretString" not in answer
    assert base64.b64decode(answer["SecretBinary"]) == b"\x00\x01binary\xff"


def test_created_date_is_written_as_rust_prints_an_f64() -> None:
    from datetime import datetime, timezone

    assert seconds_with_fraction(datetime.fromtimestamp(1569534789.046, timezone.utc)) == "1569534789.046"
    assert seconds_with_fraction(datetime(2024, 3, 1, tzinfo=timezone.utc)) == "1709251200"
    assert seconds_with_fraction(datetime(2024, 3, 1, 0, 0, 0, 500000, tzinfo=timezone.utc)) == "1709251200.5"


def test_versions_by_stage_and_by_id_in_both_url_forms(sm: SecretsManagerMock) -> None:
    client = sm.client()
    first = client.get_secret_value(SecretId="app/db")["VersionId"]
    second = client.put_secret_value(SecretId="app/db", SecretString="v2")["VersionId"]
    previous = json.loads(read(sm, "/secretsmanager/get?secretId=app/db&versionStage=AWSPREVIOUS")[1])
    assert (previous["VersionId"], previous["VersionStages"]) == (first, ["AWSPREVIOUS"])
    by_id = json.loads(read(sm, f"/secretsmanager/get?secretId=app/db&versionId={second}")[1])
    assert by_id["SecretString"] == "v2"
    path_style = json.loads(read(sm, "/v1/app/db?versionStage=AWSPREVIOUS")[1])
    assert path_style["VersionId"] == first
    assert json.loads(read(sm, "/v1/app/db")[1])["SecretString"] == "v2"
    arn = previous["ARN"]
    assert json.loads(read(sm, f"/secretsmanager/get?secretId={arn}")[1])["VersionId"] == second


def test_the_path_form_errors(sm: SecretsManagerMock) -> None:
    assert read(sm, "/v1/") == (400, "missing secret ID")
    assert read(sm, "/v1/app/db?secretId=app/db") == (400, "unknown parameter: secretId")
    assert read(sm, "/v1/app/db?refreshNow=maybe") == (400, "invalid refreshNow value")
    # parse.rs reads the path as it arrived: not percent-decoded (choices.AGENT_PATH_ID_NOT_DECODED).
    assert read(sm, "/v1/app%2Fdb")[0] == 400
    assert sm.calls.of("GetSecretValue")[-1].params["SecretId"] == "app%2Fdb"
    assert read(sm, "/secretsmanager/get?secretId=app%2Fdb")[0] == 200  # the query form decodes


def test_a_service_error_answers_with_its_status_and_the_agents_error_body(sm: SecretsManagerMock) -> None:
    status, body = read(sm, "/secretsmanager/get?secretId=app/db&versionStage=NOPE")
    assert status == 400
    error = json.loads(body)
    assert list(error) == ["__type", "message"] and error["__type"] == "ResourceNotFoundException"


def test_a_custom_path_prefix(sm: SecretsManagerMock) -> None:
    url = sm.serve_agent(token="t2", path_prefix="/secrets/")
    assert via_urllib(url + "/secrets/app/db", {TOKEN_HEADER: "t2"})[0] == 200
    assert via_urllib(url + "/v1/app/db", {TOKEN_HEADER: "t2"}) == (404, "Not found")


def test_reads_go_to_the_mocks_region_or_the_one_named() -> None:
    with mock_secretsmanager(region="us-east-1") as sm:
        sm.client(region_name="eu-west-1").create_secret(Name="s", SecretString="in-ireland")
        home = sm.serve_agent(token="t")
        ireland = sm.serve_agent(token="t", region="eu-west-1")
        path, headers = "/secretsmanager/get?secretId=s", {TOKEN_HEADER: "t"}
        assert via_urllib(home + path, headers)[0] == 400
        status, body = via_urllib(ireland + path, headers)
        assert status == 200 and json.loads(body)["SecretString"] == "in-ireland"
        assert [record.region for record in sm.calls.of("GetSecretValue")] == ["us-east-1", "eu-west-1"]


def test_parameter_store_paths_are_not_found_as_the_agent_has_none(sm: SecretsManagerMock) -> None:
    assert read(sm, "/systemsmanager/parameters/get?name=/app/p") == (404, "Not found")


# ---- the token -----------------------------------------------------------------------------------
def test_the_token_comes_from_aws_session_token(monkeypatch: pytest.MonkeyPatch) -> None:
    with mock_secretsmanager() as sm:
        sm.client().create_secret(Name="s", SecretString="v")
        # The mock removes AWS_SESSION_TOKEN while active; the code under test's environment sets it.
        monkeypatch.delenv("AWS_TOKEN", raising=False)
        monkeypatch.setenv("AWS_SESSION_TOKEN", "lambda-session-token")
        monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "container-token")
        url = sm.serve_agent()
        assert (sm.agent.token, sm.agent.token_source) == ("lambda-session-token", "AWS_SESSION_TOKEN")
        headers = {"X-Aws-Parameters-Secrets-Token": os.environ.get("AWS_SESSION_TOKEN", "")}
        assert via_requests(url + "/secretsmanager/get?secretId=s", headers)[0] == 200
        assert via_requests(url + "/secretsmanager/get?secretId=s", {TOKEN_HEADER: "container-token"})[0] == 403


def test_aws_token_comes_first_and_may_name_a_token_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    token_file = tmp_path / "awssmatoken"
    token_file.write_text("from-the-file\n")
    with mock_secretsmanager() as sm:
        monkeypatch.setenv("AWS_SESSION_TOKEN", "session")
        monkeypatch.setenv("AWS_TOKEN", f"file://{token_file}")
        sm.serve_agent()
        assert sm.agent.token == "from-the-file"
        monkeypatch.setenv("AWS_TOKEN", f"file://{tmp_path / 'missing'}")
        with pytest.raises(SmMockError, match="cannot be read"):
            sm.serve_agent()


def test_the_agent_guides_python_example_reads_the_token_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    token_file = tmp_path / "awssmatoken"
    token_file.write_text("ssrf-token-from-install-script\n")
    with mock_secretsmanager() as sm:
        sm.client().create_secret(Name="MyTest", SecretString="agent-value")
        monkeypatch.setenv("AWS_TOKEN", f"file://{token_file}")
        sm.serve_agent()
        port = sm.agent.port

        # The User Guide's get_secret(), with the port and the token file of this test.
        def get_secret() -> str:
            url = f"http://localhost:{port}/secretsmanager/get?secretId=MyTest"
            with open(token_file) as fp:
                token = fp.read()
            headers = {"X-Aws-Parameters-Secrets-Token": token.strip()}
            response = requests.get(url, headers=headers)
            if response.status_code == 200:
                return response.text
            raise Exception(f"Status code {response.status_code} - {response.text}")

        assert json.loads(get_secret())["SecretString"] == "agent-value"


def test_without_any_token_variable_a_token_is_made_up(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_TOKEN", "AWS_SESSION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with mock_secretsmanager() as sm:
        sm.serve_agent()
        first = sm.agent
        sm.serve_agent()
        assert first.token_source == "generated" and len(first.token) >= 20
        assert first.token != sm.agent.token
        assert first.token not in repr(first) and first.token not in repr(first._server)


# ---- lifecycle -----------------------------------------------------------------------------------
def _refused(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def test_the_endpoint_stops_with_the_mock_and_each_activation_starts_empty() -> None:
    sm = mock_secretsmanager()
    with pytest.raises(NoActiveMockError, match="inside `with mock_secretsmanager"):
        sm.serve_agent()
    with sm:
        sm.client().create_secret(Name="s", SecretString="v")
        sm.serve_agent(token="t")
        endpoint = sm.agent
        assert read(sm, "/secretsmanager/get?secretId=s")[0] == 200
    assert not endpoint.running and _refused(endpoint.port)
    with pytest.raises(SmMockError, match="serve_agent"):
        sm.agent  # noqa: B018
    with sm:
        sm.serve_agent(token="t")
        assert read(sm, "/secretsmanager/get?secretId=s")[0] == 400  # a new activation: no secret


def test_port_none_reads_the_extension_port_variable_else_2773(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_port(None, {}) == DEFAULT_PORT == 2773
    assert resolve_port(None, {"PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": "2999"}) == 2999
    with socket.socket() as holder:  # a port that is free right now
        holder.bind(("127.0.0.1", 0))
        free = holder.getsockname()[1]
    monkeypatch.setenv("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", str(free))
    with mock_secretsmanager() as sm:
        assert sm.serve_agent(None, token="t") == f"http://127.0.0.1:{free}"
        with pytest.raises(SmMockError, match="could not listen"):
            sm.serve_agent(free, token="t")  # taken by the first one


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"style": "sidecar"}, "style='sidecar'"),
        ({"ttl_seconds": 3601}, "from 0 to 3600"),
        ({"ttl_seconds": -1}, "from 0 to 3600"),
        ({"cache_size": 0}, "from 1 to 1000"),
        ({"cache_size": 1001}, "from 1 to 1000"),
        ({"path_prefix": "v1/"}, "must begin with /"),
        ({"port": 70000}, "from 0 to 65535"),
        ({"token": ""}, "non-empty string"),
        ({"region": ""}, "name an AWS region"),
    ],
)
def test_wrong_options_say_what_they_take(options: dict[str, Any], message: str) -> None:
    with mock_secretsmanager() as sm, pytest.raises(SmMockError, match=message):
        sm.serve_agent(**options)


# ---- the pytest fixture ------------------------------------------------------------------------------
def test_the_fixture_exports_the_port_and_token_as_lambda_does(sm_mock: SecretsManagerMock, sm_agent_url: str) -> None:
    sm_mock.client().create_secret(Name="fixture", SecretString="from-the-fixture")
    port = os.environ["PARAMETERS_SECRETS_EXTENSION_HTTP_PORT"]
    assert sm_agent_url == f"http://127.0.0.1:{port}" == sm_mock.agent.url
    headers = {"X-Aws-Parameters-Secrets-Token": os.environ.get("AWS_SESSION_TOKEN")}
    response = requests.get(f"http://localhost:{port}/secretsmanager/get?secretId=fixture", headers=headers)
    assert json.loads(response.text)["SecretString"] == "from-the-fixture"


@pytest.mark.sm_agent(ttl_seconds=0, token="marked")
def test_the_fixture_takes_options_from_the_sm_agent_marker(sm_mock: SecretsManagerMock, sm_agent_url: str) -> None:
    assert sm_mock.agent.settings.ttl_seconds == 0 and sm_mock.agent.token == "marked"
    assert "AWS_SESSION_TOKEN" not in os.environ  # an explicit token is not exported


def test_the_fixture_puts_the_environment_back_in_a_fresh_session(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(
        """
        import os
        import urllib.request

        def test_reads(sm_mock, sm_agent_url):
            sm_mock.client().create_secret(Name="a", SecretString="v")
            request = urllib.request.Request(
                sm_agent_url + "/secretsmanager/get?secretId=a",
                headers={"X-Aws-Parameters-Secrets-Token": os.environ["AWS_SESSION_TOKEN"]},
            )
            assert urllib.request.urlopen(request).status == 200

        def test_then_nothing_is_left(sm_mock):
            assert "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT" not in os.environ
            assert os.environ.get("AWS_SESSION_TOKEN") is None
        """
    )
    monkeypatch.delenv("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", raising=False)
    for name in ("AWS_TOKEN", "AWS_SESSION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=2)
