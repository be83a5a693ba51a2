"""Reading the local secrets endpoint as applications do: urllib.request, requests, curl.

Shared by tests/test_agent*.py. Each helper returns (status, body text) whatever the status.
"""

from __future__ import annotations

import shutil
import subprocess
import urllib.error
import urllib.request
from typing import Any

import requests

from sm_mock import SecretsManagerMock

TOKEN_HEADER = "X-Aws-Parameters-Secrets-Token"
CURL = shutil.which("curl")


def via_urllib(
    url: str, headers: dict[str, str] | None = None, method: str = "GET", data: bytes | None = None
) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {}, method=method, data=data)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode()


def via_requests(
    url: str, headers: dict[str, str] | None = None, method: str = "GET", **kwargs: Any
) -> tuple[int, str]:
    response = requests.request(method, url, headers=headers or {}, timeout=30, **kwargs)
    return response.status_code, response.text


def via_curl(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> tuple[int, str]:
    assert CURL is not None
    command = [CURL, "-s", "-X", method, "-w", "\n%{http_code}", "--max-time", "30"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    body, _, status = out.rpartition("\n")
    return int(status), body


def read(sm: SecretsManagerMock, path: str, **headers: str) -> tuple[int, str]:
    """GET ``path`` from the mock's endpoint with its token (urllib)."""
    return via_urllib(sm.agent.url + path, {TOKEN_HEADER: sm.agent.token, **headers})
