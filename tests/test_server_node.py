"""The AWS SDK for JavaScript v3 (``@aws-sdk/client-secrets-manager``) against sm_mock's server.

``tests/node/scenario.mjs`` runs the seed's Node example (002, "SDK - Node.js") and more in a
Node process; this test serves it from the test's mock, registers the rotation function it
triggers, injects the faults it must retry, and checks both what Node saw and the mock's state.
``.ci/run`` installs the SDK with ``npm ci`` in ``tests/node``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import rotation_handlers
from support import client_environment

from sm_mock import SecretsManagerMock

NODE_DIR = Path(__file__).resolve().parent / "node"
ROTATOR = "arn:aws:lambda:us-east-1:123456789012:function:node-rotation"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed, so the JavaScript SDK cannot run")


@pytest.fixture(scope="module")
def node_modules() -> Path:
    modules = NODE_DIR / "node_modules"
    if not (modules / "@aws-sdk" / "client-secrets-manager").is_dir():
        npm = shutil.which("npm")
        assert npm is not None, "node is installed but npm is not: install npm to fetch the SDK"
        # What .ci/run does; locally the first run installs the locked versions.
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True, capture_output=True, timeout=600
        )
    return modules


@pytest.mark.slow
def test_the_javascript_sdk_v3(node_modules: Path, sm_mock: SecretsManagerMock, sm_server_url: str) -> None:
    sm_mock.register_lambda(ROTATOR, rotation_handlers.lambda_handler)
    sm_mock.faults.add("GetSecretValue", "InternalServiceError", times=2, secret="myapp/faulty")
    assert NODE is not None
    result = subprocess.run(
        [NODE, "scenario.mjs", sm_server_url, ROTATOR],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        env=client_environment("us-east-1"),
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])

    assert out["arn"].startswith("arn:aws:secretsmanager:us-east-1:123456789012:secret:myapp/prod/db-")
    assert out["db"]["host"] == "db.example.com"
    assert out["binary"] == [0, 255, 1, 2]
    assert out["jsonBlob"] == {"k": "v"}
    assert out["current"]["password"] == "new" and out["previous"]["password"] == "s3cr3t"
    assert out["describe"] == {
        "name": "myapp/prod/db",
        "tags": [{"Key": "env", "Value": "prod"}],
        "stages": ["AWSCURRENT", "AWSPREVIOUS"],
        "createdIsDate": True,
    }
    assert out["listed"] == {"names": ["myapp/prod/blob", "myapp/prod/db", "myapp/prod/json-blob"], "pages": 3}
    assert out["missing"] == 'Secret "does/not/exist" not found'
    assert (out["missingInstanceof"], out["missingName"], out["missingStatus"]) == (
        True,
        "ResourceNotFoundException",
        400,
    )
    assert out["batch"] == {
        "values": ["myapp/prod/db"],
        "errors": [["does/not/exist", "ResourceNotFoundException"]],
    }
    # The rotation ran the Python handler registered above, called from Node over HTTP.
    assert out["rotation"]["sameVersion"] and out["rotation"]["enabled"]
    assert rotation_handlers.DATABASE["admin"] == out["rotation"]["password"] != "new"
    assert [i.step for i in sm_mock.rotations.invocations] == [
        "createSecret",
        "setSecret",
        "testSecret",
        "finishSecret",
    ]
    # Two injected 500s, retried by the SDK: the third attempt answered.
    assert out["faulty"] == {"value": "finally", "attempts": 3}
    faulty = [r for r in sm_mock.calls.of("GetSecretValue") if r.params.get("SecretId") == "myapp/faulty"]
    assert [(r.attempt, r.injected) for r in faulty] == [(1, True), (2, True), (3, False)]
