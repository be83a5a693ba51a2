"""The SSRF token: where it comes from and how a request proves it.

The Agent reads its token once, at startup, from the first set variable of
``AWS_TOKEN``, ``AWS_SESSION_TOKEN``, ``AWS_CONTAINER_AUTHORIZATION_TOKEN``; a value
``file://<path>`` names a file holding it (config.rs, utils.rs ``get_token``). A request
must carry it in ``X-Aws-Parameters-Secrets-Token`` or ``X-Vault-Token`` (server.rs
``validate_token``).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from ..errors import SmMockError

__all__ = ["HEADERS", "TOKEN_VARIABLES", "Headers", "accepts", "forwarded", "resolve_token"]

#: Checked in this order for the token (config.rs ``DEFAULT_SSRF_ENV_VARIABLES``).
TOKEN_VARIABLES = ("AWS_TOKEN", "AWS_SESSION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN")
#: The request headers that may carry it (config.rs ``DEFAULT_SSRF_HEADERS``).
HEADERS = ("X-Aws-Parameters-Secrets-Token", "X-Vault-Token")
_FILE = "file://"


class Headers(Protocol):
    """Request headers, looked up case-insensitively (``email.message.Message``, a dict)."""

    def get(self, name: str, /) -> str | None: ...


def resolve_token(token: str | None, environ: Mapping[str, str] | None = None) -> tuple[str, str]:
    """The endpoint's token and where it came from: ``token=``, a variable, or made up.

    Where the Agent would refuse to start without a token, sm_mock makes a random one
    (choices.AGENT_TOKEN_WHEN_UNSET); it is ``sm.agent.token``, and the ``sm_agent_url``
    fixture exports it as ``AWS_SESSION_TOKEN``.
    """
    if token is not None:
        if not isinstance(token, str) or not token:
            raise SmMockError("serve_agent(token=...) takes a non-empty string (or None to read the environment).")
        return token, "token="
    env = os.environ if environ is None else environ
    for name in TOKEN_VARIABLES:
        value = env.get(name)
        if value is None:
            continue
        if value.startswith(_FILE):
            path = Path(value[len(_FILE) :])
            try:
                return path.read_text().strip(), f"{name} ({path})"
            except OSError as error:
                raise SmMockError(
                    f"{name}={value} names a token file that cannot be read ({error.strerror}). Create the "
                    "file, or pass serve_agent(token=...)."
                ) from None
        return value, name
    return secrets.token_urlsafe(24), "generated"


def forwarded(headers: Headers) -> bool:
    """True when the request came through a proxy: the Agent refuses ``X-Forwarded-For``."""
    return headers.get("X-Forwarded-For") is not None


def accepts(headers: Headers, token: str) -> bool:
    """True when one of the token headers (its first value) equals the token."""
    return any(headers.get(name) == token for name in HEADERS)
