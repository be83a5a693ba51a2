"""What an endpoint is started with: the Agent's configuration, or the Lambda extension's
environment variables, checked at once (a wrong value is an error saying what it takes).

The Agent (config.rs): ``ttl_seconds`` 0 to 3600 (default 300), ``cache_size`` 1 to 1000
(default 1000), ``path_prefix`` starting with ``/`` (default ``/v1/``).

The AWS Parameters and Secrets Lambda Extension (User Guide, "AWS Parameters and Secrets Lambda
Extension environment variables"): ``SECRETS_MANAGER_TTL`` 0 to 300 (0: no caching),
``PARAMETERS_SECRETS_EXTENSION_CACHE_SIZE`` 0 to 1000 (0: no caching),
``PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED`` true/false, ``PARAMETERS_SECRETS_EXTENSION_HTTP_PORT``.
An explicit argument wins over a variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from ..errors import SmMockError

__all__ = ["DEFAULT_PORT", "PORT_VARIABLE", "STYLES", "AgentSettings", "Style", "resolve_port", "settings_for"]

#: ``"agent"``: the Secrets Manager Agent (ECS, EKS, EC2, or packaged as a Lambda extension).
#: ``"lambda-extension"``: the AWS Parameters and Secrets Lambda Extension.
Style = Literal["agent", "lambda-extension"]
STYLES: tuple[Style, ...] = ("agent", "lambda-extension")
#: Both listen on localhost port 2773 unless told otherwise.
DEFAULT_PORT = 2773
PORT_VARIABLE = "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT"
TTL_VARIABLE = "SECRETS_MANAGER_TTL"
SIZE_VARIABLE = "PARAMETERS_SECRETS_EXTENSION_CACHE_SIZE"
ENABLED_VARIABLE = "PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED"


@dataclass(frozen=True, slots=True)
class AgentSettings:
    """A checked endpoint configuration."""

    style: Style
    port: int
    ttl_seconds: int
    #: 0 when nothing is cached (the Lambda extension with caching off).
    cache_size: int
    path_prefix: str
    #: The region reads go to (the Agent's ``region`` setting); None: the mock's region.
    region: str | None = None

    @property
    def caching(self) -> bool:
        """False when the endpoint keeps nothing (every read is a GetSecretValue)."""
        return self.cache_size > 0


def _fail(what: str) -> SmMockError:
    return SmMockError(what)


def _number(value: object, name: str, low: int, high: int, doc: str) -> int:
    if isinstance(value, str):
        text = value.strip()
        if not text.isdigit():
            raise _fail(f"{name}={value!r}: {doc} Use a whole number from {low} to {high}.")
        value = int(text)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _fail(f"{name}={value!r}: {doc} Use a whole number from {low} to {high}.")
    return value


def resolve_port(port: int | None, environ: Mapping[str, str] | None = None) -> int:
    """``port``, or with None ``PARAMETERS_SECRETS_EXTENSION_HTTP_PORT``, else 2773. 0 picks a
    free port."""
    env = os.environ if environ is None else environ
    if port is None:
        raw = env.get(PORT_VARIABLE)
        if raw is None or not raw.strip():
            return DEFAULT_PORT
        return _number(raw, PORT_VARIABLE, 1, 65535, "The port for the local HTTP server.")
    return _number(port, "port", 0, 65535, "The port to listen on (0: any free port).")


def _flag(raw: str, name: str) -> bool:
    text = raw.strip().lower()
    if text not in ("true", "false"):
        raise _fail(f"{name}={raw!r}: set it to true to cache secrets, false for no caching.")
    return text == "true"


def settings_for(
    style: str,
    port: int | None,
    *,
    ttl_seconds: int | None,
    cache_size: int | None,
    path_prefix: str,
    region: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> AgentSettings:
    """Check the options of ``serve_agent`` for ``style`` and fill in the defaults."""
    env = os.environ if environ is None else environ
    if style not in STYLES:
        raise _fail(f"style={style!r}: use one of {', '.join(map(repr, STYLES))}.")
    if not isinstance(path_prefix, str) or not path_prefix.startswith("/"):
        # config.rs BAD_PREFIX_MSG
        raise _fail(f"path_prefix={path_prefix!r}: the path prefix must begin with /.")
    if region is not None and (not isinstance(region, str) or not region):
        raise _fail(f"region={region!r}: name an AWS region such as 'eu-west-1' (None: the mock's region).")
    resolved_port = resolve_port(port, env)
    if style == "agent":
        ttl = _number(
            300 if ttl_seconds is None else ttl_seconds, "ttl_seconds", 0, 3600, "The Agent's TTL in seconds."
        )
        size = _number(1000 if cache_size is None else cache_size, "cache_size", 1, 1000, "The Agent's cache size.")
        return AgentSettings("agent", resolved_port, ttl, size, path_prefix, region)
    if ttl_seconds is not None:
        ttl = _number(ttl_seconds, "ttl_seconds", 0, 300, "The extension's TTL of a secret in seconds.")
    else:
        ttl = _number(
            env.get(TTL_VARIABLE, "300"), TTL_VARIABLE, 0, 300, "The TTL of a secret in the cache in seconds."
        )
    if cache_size is not None:
        size = _number(cache_size, "cache_size", 0, 1000, "The extension's cache size.")
    else:
        size = _number(
            env.get(SIZE_VARIABLE, "1000"), SIZE_VARIABLE, 0, 1000, "The maximum number of secrets to cache."
        )
    enabled = _flag(env[ENABLED_VARIABLE], ENABLED_VARIABLE) if ENABLED_VARIABLE in env else True
    # "A value of 0 means there is no caching" (SECRETS_MANAGER_TTL and the cache size alike).
    if not enabled or ttl == 0:
        size = 0
    return AgentSettings("lambda-extension", resolved_port, ttl, size, path_prefix, region)
