"""One request to the endpoint, from method, target and headers to (status, body).

The order of the Agent's checks (server.rs ``get_result``): the token (``/ping`` is exempt,
``X-Forwarded-For`` is refused first), then the method (GET only), then the path:
``/ping``, ``/secretsmanager/get``, then anything under the path prefix; everything else is
"Not found". Parameter Store paths answer 404 as well; in the Lambda extension's style, whose
real counterpart serves them, the text says that sm_mock serves Secrets Manager only.
"""

from __future__ import annotations

from dataclasses import dataclass

from .reader import Reader
from .settings import AgentSettings
from .token import Headers, accepts, forwarded
from .wire import FORWARDED, HEALTHY, NOT_ALLOWED, NOT_FOUND, AgentError, bad_token, parse_path_query, parse_query

__all__ = ["PARAMETER_STORE_PREFIX", "App"]

#: Where the Lambda extension serves Parameter Store (``/systemsmanager/parameters/get``).
PARAMETER_STORE_PREFIX = "/systemsmanager/"
PARAMETER_STORE_ANSWER = (
    "Not found: sm_mock serves Secrets Manager only, not Parameter Store "
    "(/systemsmanager/...). Read secrets with /secretsmanager/get?secretId=..., or mock "
    "Parameter Store with another tool."
)


@dataclass(slots=True)
class App:
    """The endpoint's request handling, without sockets (the server hands requests to it)."""

    settings: AgentSettings
    token: str
    reader: Reader

    def __repr__(self) -> str:
        return f"App({self.settings!r})"  # never the token

    def respond(self, method: str, target: str, headers: Headers) -> tuple[int, bytes]:
        """(status, body) for one request; ``target`` is the request line's path and query."""
        try:
            return 200, self._serve(method, target, headers)
        except AgentError as error:
            return error.status, error.body.encode("utf-8")

    def _serve(self, method: str, target: str, headers: Headers) -> bytes:
        path, _, query = target.partition("?")
        path = path.partition("#")[0]
        if path != "/ping":
            if forwarded(headers):
                raise AgentError(400, FORWARDED)
            if not accepts(headers, self.token):
                raise bad_token()
        if method != "GET":
            raise AgentError(405, NOT_ALLOWED)
        if path == "/ping":
            return HEALTHY.encode()
        if path == "/secretsmanager/get":
            return self.reader.read(parse_query(query))
        prefix = self.settings.path_prefix
        if path.startswith(prefix):
            return self.reader.read(parse_path_query(path, query, prefix))
        if self.settings.style == "lambda-extension" and path.startswith(PARAMETER_STORE_PREFIX):
            raise AgentError(404, PARAMETER_STORE_ANSWER)
        raise AgentError(404, NOT_FOUND)
