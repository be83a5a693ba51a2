"""Helpers shared by test modules: boto3 clients, clocks and ClientError checks.

Test modules import these as plain functions (``tests/`` is on ``sys.path``); the shared
fixtures live in ``tests/conftest.py``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, TypeAlias

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from sm_mock import ManualClock
from sm_mock.botocore.credentials import FAKE_CREDENTIALS

REGION = "us-east-1"
START = datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)


def manual_clock(start: datetime = START) -> ManualClock:
    """A clock the test moves by hand (sm_mock reads every time from it)."""
    return ManualClock(start)


# ---- clients ----------------------------------------------------------------------------------
def new_client(
    region: str = REGION,
    *,
    retry_mode: str | None = None,
    attempts: int | None = None,
    session: boto3.session.Session | None = None,
    **kwargs: Any,
) -> Any:
    """A new boto3 ``secretsmanager`` client in ``region``.

    ``retry_mode`` / ``attempts`` set botocore's retry configuration (``mode`` defaults to
    ``"standard"``, ``total_max_attempts`` to botocore's own default), merged over any
    ``config`` given. ``session`` is the boto3 session to create the client from (default:
    boto3's default session; give each thread its own, the default one is not thread-safe for
    creating clients). Other keyword arguments go to ``client()`` unchanged (``config``,
    ``aws_access_key_id``, ``endpoint_url``...).
    """
    if retry_mode is not None or attempts is not None:
        retries: dict[str, Any] = {"mode": retry_mode or "standard"}
        if attempts is not None:
            retries["total_max_attempts"] = attempts
        config: Config | None = kwargs.pop("config", None)
        retry_config = Config(retries=retries)
        kwargs["config"] = config.merge(retry_config) if config is not None else retry_config
    factory = session.client if session is not None else boto3.client
    return factory("secretsmanager", region_name=region, **kwargs)


@functools.cache
def client(region: str = REGION, attempts: int | None = None) -> Any:
    """One shared boto3 client per ``(region, attempts)`` for the whole test run: clients are
    served by every activation, even one that starts after they were made, and creating one
    costs far more than a call.

    It carries sm_mock's fake credentials explicitly, so it needs nothing from the environment.
    ``attempts`` is as for :func:`new_client` (``attempts=1``: no retries).
    """
    return new_client(
        region,
        attempts=attempts,
        aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


# ---- errors -----------------------------------------------------------------------------------
#: A ClientError, or what ``pytest.raises(ClientError)`` caught.
CaughtError: TypeAlias = ClientError | pytest.ExceptionInfo[ClientError]


def _error_dict(error: CaughtError) -> dict[str, Any]:
    exception = error.value if isinstance(error, pytest.ExceptionInfo) else error
    details: dict[str, Any] = exception.response["Error"]
    return details


def error_code(error: CaughtError) -> str:
    """The AWS error code of a ClientError (or of the one a ``pytest.raises`` caught)."""
    return str(_error_dict(error)["Code"])


def error_message(error: CaughtError) -> str:
    """The AWS error message of a ClientError (or of the one a ``pytest.raises`` caught)."""
    return str(_error_dict(error)["Message"])


def error_of(error: CaughtError) -> tuple[str, str]:
    """``(code, message)`` of a ClientError (or of the one a ``pytest.raises`` caught)."""
    return error_code(error), error_message(error)


def fails(call: Callable[..., Any], code: str, /, message: str | None = None, **params: Any) -> str:
    """Call ``call(**params)``, assert it raises a ClientError with ``code`` (and, when given,
    exactly ``message``), and return the error message."""
    with pytest.raises(ClientError) as info:
        call(**params)
    assert error_code(info) == code, info.value.response["Error"]
    if message is not None:
        assert error_message(info) == message
    return error_message(info)


# ---- botocore versions ------------------------------------------------------------------------
@functools.cache
def _model_members() -> dict[str, frozenset[str]]:
    """Operation -> input member names of the installed botocore's secretsmanager model."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("secretsmanager")
    return {name: frozenset(model.operation_model(name).input_shape.members) for name in model.operation_names}


def needs_model(operation: str, *members: str) -> pytest.MarkDecorator:
    """Skip a test on a botocore whose secretsmanager model lacks ``operation`` or one of its
    input ``members`` (the oldest supported botocore, 1.34, predates several of them)."""
    import botocore

    known = _model_members().get(operation)
    missing = [operation] if known is None else [m for m in members if m not in known]
    return pytest.mark.skipif(
        bool(missing),
        reason=f"botocore {botocore.__version__}'s secretsmanager model lacks {', '.join(missing)}",
    )


# ---- server mode ------------------------------------------------------------------------------
def client_environment(region: str = REGION, **extra: str) -> dict[str, str]:
    """The environment of a client subprocess (AWS CLI, Node, boto3) pointed at sm_mock's
    server: fake credentials, a region, no proxy for loopback, no AWS config files."""
    import os

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AWS_") and k.lower() not in ("http_proxy", "https_proxy")
    }
    env |= {
        "AWS_ACCESS_KEY_ID": FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "AWS_SECRET_ACCESS_KEY": FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "NO_PROXY": "127.0.0.1,localhost",
    }
    return env | extra


def http(
    url: str, method: str, path: str = "/", body: bytes | str | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], Any]:
    """One raw HTTP request: (status, headers, the JSON body parsed, or its text if not JSON)."""
    import http.client
    import json
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        raw = response.read()
        try:
            parsed: Any = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode("utf-8", "replace")
        return response.status, {k.lower(): v for k, v in response.getheaders()}, parsed
    finally:
        connection.close()


def control(url: str, method: str, endpoint: str, body: object = None) -> tuple[int, Any]:
    """A request to the server's control API (``/_sm_mock/<endpoint>``) through urllib."""
    import json
    import urllib.error
    import urllib.request

    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{url}/_sm_mock/{endpoint}", data=data, method=method)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
