"""The Agent's wire: request parsing, its answer texts, and the JSON it sends.

Read from aws/aws-secretsmanager-agent (``parse.rs``, ``server.rs``, ``utils.rs`` and the
caching crate's ``output.rs``); nothing here is copied, each rule is restated and cited in
:mod:`sm_mock.choices`.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl

__all__ = [
    "AgentError",
    "Query",
    "bad_token",
    "error_body",
    "parse_path_query",
    "parse_query",
    "render_value",
]

#: The texts the Agent answers with (server.rs, parse.rs).
NOT_FOUND = "Not found"
BAD_TOKEN = "Bad Token"
FORWARDED = "Forwarded"
NOT_ALLOWED = "Not allowed"
HEALTHY = "healthy"
MISSING_SECRET_ID = "missing parameter secretId"
MISSING_PATH_ID = "missing secret ID"
BAD_REFRESH = "invalid refreshNow value"


class AgentError(Exception):
    """An answer other than 200: the HTTP status and the body text, as the Agent sends it."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"{status} {body}")
        self.status = status
        self.body = body


def bad_token() -> AgentError:
    """403: no SSRF token header, or one with the wrong value."""
    return AgentError(403, BAD_TOKEN)


@dataclass(frozen=True, slots=True)
class Query:
    """One read: the secret and the optional version selectors (parse.rs ``GSVQuery``)."""

    secret_id: str
    version_id: str | None = None
    version_stage: str | None = None
    refresh_now: bool = False


_REFRESH = {"true": True, "1": True, "false": False, "0": False}


def _refresh(value: str) -> bool:
    # parse.rs: true/1/false/0, any case; anything else is refused.
    found = _REFRESH.get(value.lower())
    if found is None:
        raise AgentError(400, BAD_REFRESH)
    return found


def _pairs(query: str) -> list[tuple[str, str]]:
    # The url crate's query_pairs(): form-urlencoded, "+" is a space, a name without "=" has an
    # empty value, invalid UTF-8 is replaced; parse_qsl does the same.
    return parse_qsl(query, keep_blank_values=True)


def _selectors(pairs: list[tuple[str, str]], allowed: frozenset[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in pairs:  # in order: the first unknown name or bad value answers
        if name not in allowed:
            raise AgentError(400, f"unknown parameter: {name}")
        if name == "refreshNow":
            _refresh(value)
        found[name] = value  # a repeated name: the last one wins, as in the Agent
    return found


def parse_query(query: str) -> Query:
    """``/secretsmanager/get?secretId=..&versionId=..&versionStage=..&refreshNow=..``."""
    found = _selectors(_pairs(query), frozenset({"secretId", "versionId", "versionStage", "refreshNow"}))
    secret_id = found.get("secretId", "")
    if not secret_id:
        raise AgentError(400, MISSING_SECRET_ID)
    return _query(secret_id, found)


def parse_path_query(path: str, query: str, prefix: str) -> Query:
    """``{prefix}<secretId>?versionId=..&versionStage=..&refreshNow=..``.

    The id is the rest of the path as it arrived: the Agent reads the URL's path, which is not
    percent-decoded (choices.AGENT_PATH_ID_NOT_DECODED).
    """
    secret_id = path[len(prefix) :]
    if not secret_id:
        raise AgentError(400, MISSING_PATH_ID)
    found = _selectors(_pairs(query), frozenset({"versionId", "versionStage", "refreshNow"}))
    return _query(secret_id, found)


def _query(secret_id: str, found: dict[str, str]) -> Query:
    refresh = found.get("refreshNow")
    return Query(
        secret_id,
        found.get("versionId"),
        found.get("versionStage"),
        _refresh(refresh) if refresh is not None else False,
    )


def error_body(code: str, message: str) -> str:
    """The Agent's error body for a service error (utils.rs ``err_response``).

    ``{"__type":"<code>", "message":"<message>"}`` with the space after the comma it writes;
    an empty message or ``InternalFailure`` gives ``{"__type":"InternalFailure"}``. The values
    are JSON-escaped (choices.AGENT_ERROR_BODY_ESCAPED).
    """
    if not message or code == "InternalFailure":
        return '{"__type":"InternalFailure"}'
    return (
        '{"__type":'
        + json.dumps(code, ensure_ascii=False)
        + ', "message":'
        + json.dumps(message, ensure_ascii=False)
        + "}"
    )


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def seconds_with_fraction(moment: datetime) -> str:
    """A timestamp as the Agent writes ``CreatedDate``: a string of epoch seconds with their
    fraction, as Rust prints an f64 (``1569534789.046``; a whole second has no ``.0``)."""
    elapsed = moment - _EPOCH
    whole = elapsed // timedelta(seconds=1)
    micros = (elapsed - timedelta(seconds=whole)) // timedelta(microseconds=1)
    text = repr(whole + micros * 1000 / 1e9)  # the same f64 arithmetic as Duration::as_secs_f64
    return text[:-2] if text.endswith(".0") else text


def render_value(result: dict[str, Any]) -> bytes:
    """The 200 body: the GetSecretValue answer in the Agent's shape (output.rs).

    Keys in its order (ARN, Name, VersionId, SecretString or SecretBinary as base64,
    VersionStages, CreatedDate); compact JSON; CreatedDate as a string.
    """
    out: dict[str, Any] = {"ARN": result.get("ARN"), "Name": result.get("Name"), "VersionId": result.get("VersionId")}
    if "SecretString" in result:
        out["SecretString"] = result["SecretString"]
    if "SecretBinary" in result:
        out["SecretBinary"] = base64.b64encode(result["SecretBinary"]).decode("ascii")
    if "VersionStages" in result:
        out["VersionStages"] = list(result["VersionStages"])
    created = result.get("CreatedDate")
    out["CreatedDate"] = seconds_with_fraction(created) if isinstance(created, datetime) else None
    return json.dumps(out, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
