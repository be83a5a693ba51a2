"""The local secrets endpoint: the Secrets Manager Agent and the Lambda extension on localhost.

Applications that read secrets with a plain HTTP GET to ``localhost:2773`` (the AWS Secrets
Manager Agent beside ECS, EKS and EC2 services; the AWS Parameters and Secrets Lambda
Extension in Lambda functions) are served by :func:`start`, which
``SecretsManagerMock.serve_agent`` calls. Reads go through the mock's own GetSecretValue.

Modules: :mod:`.wire` (parsing and the Agent's texts), :mod:`.token` (the SSRF token),
:mod:`.cache` (sealed entries on the mock's clock), :mod:`.reader` (the caching client's
refresh rules), :mod:`.settings` (configuration), :mod:`.app` (one request),
:mod:`.server` (the HTTP server in a daemon thread).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .app import App
from .cache import SealedCache
from .reader import Reader
from .server import HOST, AgentHandler, BackgroundServer
from .settings import DEFAULT_PORT, STYLES, AgentSettings, Style, resolve_port, settings_for
from .token import resolve_token

if TYPE_CHECKING:
    from ..session import Session

__all__ = ["DEFAULT_PORT", "STYLES", "AgentEndpoint", "AgentSettings", "Style", "resolve_port", "start"]


class AgentEndpoint:
    """A running endpoint: its ``url``, ``port``, ``token``, ``settings`` and ``cache``."""

    def __init__(self, session: Session, settings: AgentSettings, token: str, token_source: str) -> None:
        self.settings = settings
        self.token = token
        #: Where the token came from: ``"token="``, an environment variable, or ``"generated"``.
        self.token_source = token_source
        cache = (
            SealedCache(
                session.clock,
                ttl_seconds=settings.ttl_seconds,
                max_size=settings.cache_size,
                account_id=session.account_id,
                region=settings.region or session.region,
            )
            if settings.caching
            else None
        )
        #: The cache (None when the endpoint caches nothing).
        self.cache = cache
        handler = type(
            "BoundAgentHandler", (AgentHandler,), {"app": App(settings, token, Reader(session, cache, settings.region))}
        )
        self._server = BackgroundServer(handler, settings.port, name=f"sm_mock-agent-{settings.port}")
        self.port = self._server.port
        self.url = f"http://{HOST}:{self.port}"

    def __repr__(self) -> str:
        state = "serving" if self.running else "stopped"
        return f"AgentEndpoint({self.url}, style={self.settings.style!r}, {state})"

    @property
    def running(self) -> bool:
        """True until :meth:`stop`."""
        return self._server.running

    def stop(self) -> None:
        """Stop serving and forget the cache (idempotent)."""
        self._server.stop()
        if self.cache is not None:
            self.cache.clear()


def start(
    session: Session,
    port: int | None = 0,
    *,
    token: str | None = None,
    ttl_seconds: int | None = None,
    cache_size: int | None = None,
    path_prefix: str = "/v1/",
    style: str = "agent",
    region: str | None = None,
) -> AgentEndpoint:
    """Serve ``session``'s secrets on 127.0.0.1 as the Agent (or the Lambda extension) does.

    ``port`` 0 picks a free port; None reads ``PARAMETERS_SECRETS_EXTENSION_HTTP_PORT``, else
    2773. ``token`` None reads ``AWS_TOKEN``, ``AWS_SESSION_TOKEN``,
    ``AWS_CONTAINER_AUTHORIZATION_TOKEN`` (first set wins), else makes one up. For the other
    options see :mod:`.settings`; ``region`` is the region reads go to (None: the session's).
    Stop it with :meth:`AgentEndpoint.stop`.
    """
    settings = settings_for(
        style, port, ttl_seconds=ttl_seconds, cache_size=cache_size, path_prefix=path_prefix, region=region
    )
    value, source = resolve_token(token)
    return AgentEndpoint(session, settings, value, source)
