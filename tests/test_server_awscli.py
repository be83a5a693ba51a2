"""The AWS CLI (v1, ``awscli``) against sm_mock's server, running seed 002's commands.

awscli pins botocore exactly, so it lives in its own environment, never in the one the tests
run in: ``.ci/run`` makes ``.ci/.clients`` (``python -m venv .ci/.clients &&
.ci/.clients/bin/pip install awscli``). The tests look for ``aws`` in ``$SM_MOCK_AWS_CLI``, then
in ``.ci/.clients/bin/aws``, and skip, saying so, when neither exists (CI always installs it).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import rotation_handlers
from support import client_environment

from sm_mock import SecretsManagerMock

ROOT = Path(__file__).resolve().parent.parent
ROTATOR = "arn:aws:lambda:us-east-1:123456789012:function:SecretsManagerRotation"


def _aws_cli() -> str | None:
    for candidate in (os.environ.get("SM_MOCK_AWS_CLI"), str(ROOT / ".ci" / ".clients" / "bin" / "aws")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


AWS = _aws_cli()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        AWS is None,
        reason="the AWS CLI is not installed: run `python -m venv .ci/.clients && .ci/.clients/bin/pip install "
        "awscli` (as .ci/run does) or point SM_MOCK_AWS_CLI at an `aws` executable",
    ),
]


class Cli:
    """``aws secretsmanager ...`` against one endpoint; JSON output parsed."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.env = client_environment("us-east-1")

    def run(self, *args: str, region: str | None = None) -> subprocess.CompletedProcess[str]:
        assert AWS is not None
        extra = ["--region", region] if region else []
        return subprocess.run(
            [AWS, "--endpoint-url", self.url, "--output", "json", *extra, "secretsmanager", *args],
            capture_output=True,
            text=True,
            timeout=120,
            env=self.env,
            check=False,
        )

    def __call__(self, *args: str, region: str | None = None) -> Any:
        result = self.run(*args, region=region)
        assert result.returncode == 0, (args, result.stderr)
        return json.loads(result.stdout) if result.stdout.strip() else None

    def fails(self, *args: str) -> str:
        result = self.run(*args)
        assert result.returncode != 0, (args, result.stdout)
        return result.stderr


DB = '{"username":"admin","password":"s3cr3t","host":"db.example.com","port":5432,"dbname":"myapp"}'
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowCrossAccountRead",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::999888777666:role/AppRole"},
            "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            "Resource": "*",
        }
    ],
}


def test_the_seed_commands(sm_mock: SecretsManagerMock, sm_server_url: str, tmp_path: Path) -> None:
    sm_mock.register_lambda(ROTATOR, rotation_handlers.lambda_handler)
    aws = Cli(sm_server_url)

    # Create: a string, JSON with a description, tags.
    created = aws(
        "create-secret",
        "--name",
        "myapp/prod/api-key",
        "--description",
        "Production API key for myapp",
        "--secret-string",
        "s3cr3t-api-key",
    )
    assert created["Name"] == "myapp/prod/api-key"
    aws(
        "create-secret",
        "--name",
        "myapp/prod/db",
        "--description",
        "Production database credentials",
        "--secret-string",
        DB,
    )
    aws(
        "create-secret",
        "--name",
        "myapp/prod/tagged",
        "--secret-string",
        '{"password":"s3cr3t"}',
        "--tags",
        "Key=env,Value=prod",
        "Key=team,Value=platform",
    )
    assert "ResourceExistsException" in aws.fails("create-secret", "--name", "myapp/prod/db", "--secret-string", "x")

    # Put with a client request token: the seed's "deploy-2024-01-01" is shorter than the
    # 32 characters the API requires, and the CLI refuses it before sending anything.
    assert "Invalid length" in aws.fails(
        "put-secret-value",
        "--secret-id",
        "myapp/prod/db",
        "--client-request-token",
        "deploy-2024-01-01",
        "--secret-string",
        "{}",
    )
    token = "deploy-2024-01-01-0000000000000000"
    new_db = DB.replace("s3cr3t", "newpassword")
    put = aws(
        "put-secret-value", "--secret-id", "myapp/prod/db", "--client-request-token", token, "--secret-string", new_db
    )
    assert put["VersionId"] == token and put["VersionStages"] == ["AWSCURRENT"]
    again = aws(
        "put-secret-value", "--secret-id", "myapp/prod/db", "--client-request-token", token, "--secret-string", new_db
    )
    assert again["VersionId"] == token  # idempotent retry

    described = aws("describe-secret", "--secret-id", "myapp/prod/db")
    assert described["Description"] == "Production database credentials"
    assert sorted(map(tuple, described["VersionIdsToStages"].values())) == [("AWSCURRENT",), ("AWSPREVIOUS",)]

    assert len(aws("list-secrets")["SecretList"]) == 3
    filtered = aws("list-secrets", "--filters", "Key=name,Values=myapp/prod", "Key=tag-key,Values=env")
    assert [s["Name"] for s in filtered["SecretList"]] == ["myapp/prod/tagged"]
    versions = aws("list-secret-version-ids", "--secret-id", "myapp/prod/db")["Versions"]
    assert token in {v["VersionId"] for v in versions}

    # Get: the string, a field through --query, by version id and by stage.
    text = aws.run("get-secret-value", "--secret-id", "myapp/prod/db", "--query", "SecretString", "--output", "text")
    assert json.loads(text.stdout)["password"] == "newpassword"
    assert aws("get-secret-value", "--secret-id", "myapp/prod/db", "--version-id", token)["SecretString"] == new_db
    assert (
        aws("get-secret-value", "--secret-id", "myapp/prod/db", "--version-stage", "AWSPREVIOUS")["SecretString"] == DB
    )
    arn = described["ARN"]
    assert aws("get-secret-value", "--secret-id", arn)["Name"] == "myapp/prod/db"
    assert "ResourceNotFoundException" in aws.fails(
        "get-secret-value", "--secret-id", "myapp/prod/db", "--region", "eu-west-1"
    )

    # Delete with a recovery window, restore, tag and untag, force delete.
    deleted = aws("delete-secret", "--secret-id", "myapp/prod/api-key", "--recovery-window-in-days", "7")
    assert "DeletionDate" in deleted
    assert "InvalidRequestException" in aws.fails("get-secret-value", "--secret-id", "myapp/prod/api-key")
    aws("restore-secret", "--secret-id", "myapp/prod/api-key")
    assert aws("get-secret-value", "--secret-id", "myapp/prod/api-key")["SecretString"] == "s3cr3t-api-key"
    aws("tag-resource", "--secret-id", "myapp/prod/db", "--tags", "Key=cost-center,Value=eng")
    assert {"Key": "cost-center", "Value": "eng"} in aws("describe-secret", "--secret-id", "myapp/prod/db")["Tags"]
    aws("untag-resource", "--secret-id", "myapp/prod/db", "--tag-keys", "cost-center")
    assert (
        "Tags" not in aws("describe-secret", "--secret-id", "myapp/prod/db")
        or not aws("describe-secret", "--secret-id", "myapp/prod/db")["Tags"]
    )
    aws("delete-secret", "--secret-id", "myapp/prod/api-key", "--force-delete-without-recovery")
    assert "ResourceNotFoundException" in aws.fails("describe-secret", "--secret-id", "myapp/prod/api-key")

    # Rotate with the handler registered in this test (it runs in this process).
    rotated = aws(
        "rotate-secret",
        "--secret-id",
        "myapp/prod/db",
        "--rotation-lambda-arn",
        ROTATOR,
        "--rotation-rules",
        "AutomaticallyAfterDays=30",
    )
    current = json.loads(aws("get-secret-value", "--secret-id", "myapp/prod/db")["SecretString"])
    assert aws("get-secret-value", "--secret-id", "myapp/prod/db")["VersionId"] == rotated["VersionId"]
    assert rotation_handlers.DATABASE["admin"] == current["password"] != "newpassword"
    state = aws(
        "describe-secret",
        "--secret-id",
        "myapp/prod/db",
        "--query",
        "{RotationEnabled:RotationEnabled,LastRotatedDate:LastRotatedDate,NextRotationDate:NextRotationDate}",
    )
    assert state["RotationEnabled"] is True and state["LastRotatedDate"] and state["NextRotationDate"]
    aws("cancel-rotate-secret", "--secret-id", "myapp/prod/db")
    assert aws("describe-secret", "--secret-id", "myapp/prod/db")["RotationEnabled"] is False

    # Resource policies.
    aws("put-resource-policy", "--secret-id", "myapp/prod/db", "--resource-policy", json.dumps(POLICY))
    got = aws("get-resource-policy", "--secret-id", "myapp/prod/db")
    assert json.loads(got["ResourcePolicy"]) == POLICY
    aws("delete-resource-policy", "--secret-id", "myapp/prod/db")
    assert "ResourcePolicy" not in aws("get-resource-policy", "--secret-id", "myapp/prod/db")
    policy_file = tmp_path / "policy.json"
    policy_file.write_text(json.dumps(POLICY))
    assert (
        aws("validate-resource-policy", "--resource-policy", f"file://{policy_file}")["PolicyValidationPassed"] is True
    )

    # Replicate and remove regions.
    replicated = aws(
        "replicate-secret-to-regions",
        "--secret-id",
        "myapp/prod/db",
        "--add-replica-regions",
        "Region=eu-west-1",
        "Region=ap-southeast-1",
    )
    assert sorted(r["Region"] for r in replicated["ReplicationStatus"]) == ["ap-southeast-1", "eu-west-1"]
    status = aws("describe-secret", "--secret-id", "myapp/prod/db", "--query", "ReplicationStatus")
    assert {r["Status"] for r in status} == {"InSync"}
    replica = aws("get-secret-value", "--secret-id", "myapp/prod/db", region="eu-west-1")
    assert json.loads(replica["SecretString"]) == current
    aws("remove-regions-from-replication", "--secret-id", "myapp/prod/db", "--remove-replica-regions", "eu-west-1")
    status = aws("describe-secret", "--secret-id", "myapp/prod/db", "--query", "ReplicationStatus")
    assert [r["Region"] for r in status] == ["ap-southeast-1"]

    password = aws("get-random-password", "--password-length", "32", "--exclude-punctuation")["RandomPassword"]
    assert len(password) == 32 and password.isalnum()

    # What the CLI did is in the test's call log, with values redacted.
    assert sm_mock.calls.count("PutSecretValue") >= 2
    assert all(r.params.get("SecretString") in (None, "**redacted**") for r in sm_mock.calls)
