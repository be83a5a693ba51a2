"""Rotation functions written the way AWS's templates are, for the rotation tests.

``lambda_handler`` follows the structure of the seed 002 template (SPEC X1, ~L49-126): a
module-level boto3 client, the DescribeSecret checks, GetSecretValue with both VersionId and
VersionStage expecting ResourceNotFoundException on the empty placeholder, PutSecretValue with
AWSPENDING, GetRandomPassword, and UpdateSecretVersionStage in finishSecret. It is written
fresh for this project; nothing in it knows about sm_mock.

``lambda_handler_with_rotation_token`` follows the seed 000 variant (~L7300-7400): it builds its
client from ``SECRETS_MANAGER_ENDPOINT`` and passes the event's RotationToken to PutSecretValue.

``DATABASE`` stands in for the external system whose password the secret holds: setSecret
changes it, testSecret logs in with the pending password.
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3

REGION = "us-east-1"

#: The "database": user name → password. setSecret writes it, testSecret checks it.
DATABASE: dict[str, str] = {}


def _make_client() -> Any:
    # A deployed Lambda takes its region and credentials from the environment. Here they are
    # given, so this module can be imported (and its client built) before any mock is active.
    return boto3.client(
        "secretsmanager",
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


#: Module-level client, created once at import time, as in the template.
client = _make_client()


def lambda_handler(event: dict[str, Any], context: Any) -> None:
    """Secrets Manager rotation handler: dispatch one of the four steps."""
    arn = event["SecretId"]
    token = event["ClientRequestToken"]
    step = event["Step"]

    metadata = client.describe_secret(SecretId=arn)
    if not metadata["RotationEnabled"]:
        raise ValueError(f"Secret {arn} is not enabled for rotation")
    versions = metadata.get("VersionIdsToStages", {})
    if token not in versions:
        raise ValueError(f"Secret version {token} has no stage for rotation of secret {arn}")
    if "AWSCURRENT" in versions[token]:
        return  # already current: nothing to do
    if "AWSPENDING" not in versions[token]:
        raise ValueError(f"Secret version {token} is not set as AWSPENDING for secret {arn}")

    if step == "createSecret":
        create_secret(arn, token)
    elif step == "setSecret":
        set_secret(arn, token)
    elif step == "testSecret":
        test_secret(arn, token)
    elif step == "finishSecret":
        finish_secret(arn, token)
    else:
        raise ValueError(f"Invalid step parameter {step}")


def create_secret(arn: str, token: str) -> None:
    """Generate the new value and store it as AWSPENDING under the token."""
    try:
        client.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
        return  # created by an earlier attempt
    except client.exceptions.ResourceNotFoundException:
        pass
    current = json.loads(client.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"])
    current["password"] = generate_password()
    client.put_secret_value(
        SecretId=arn,
        ClientRequestToken=token,
        SecretString=json.dumps(current),
        VersionStages=["AWSPENDING"],
    )


def set_secret(arn: str, token: str) -> None:
    """Apply the AWSPENDING credentials to the database."""
    pending = json.loads(
        client.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")["SecretString"]
    )
    DATABASE[pending["username"]] = pending["password"]


def test_secret(arn: str, token: str) -> None:
    """Log in with the AWSPENDING credentials."""
    pending = json.loads(
        client.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")["SecretString"]
    )
    if DATABASE.get(pending["username"]) != pending["password"]:
        raise RuntimeError(f"login failed for {pending['username']}")


def finish_secret(arn: str, token: str) -> None:
    """Move AWSCURRENT to the new version (AWSPREVIOUS follows)."""
    metadata = client.describe_secret(SecretId=arn)
    current_version = next(
        version for version, stages in metadata["VersionIdsToStages"].items() if "AWSCURRENT" in stages
    )
    client.update_secret_version_stage(
        SecretId=arn,
        VersionStage="AWSCURRENT",
        MoveToVersionId=token,
        RemoveFromVersionId=current_version,
    )


def generate_password() -> str:
    """A new password from Secrets Manager (a client made inside the handler, as the template does)."""
    return str(
        boto3.client("secretsmanager").get_random_password(PasswordLength=32, ExcludePunctuation=True)["RandomPassword"]
    )


def lambda_handler_with_rotation_token(event: dict[str, Any], context: Any) -> None:
    """The seed 000 variant: client from SECRETS_MANAGER_ENDPOINT, RotationToken passed on."""
    arn = event["SecretId"]
    token = event["ClientRequestToken"]
    step = event["Step"]
    rotation_token = event["RotationToken"]
    service_client = boto3.client("secretsmanager", endpoint_url=os.environ["SECRETS_MANAGER_ENDPOINT"])

    metadata = service_client.describe_secret(SecretId=arn)
    if not metadata["RotationEnabled"]:
        raise ValueError(f"Secret {arn} is not enabled for rotation")
    versions = metadata["VersionIdsToStages"]
    if token not in versions:
        raise ValueError(f"Secret version {token} has no stage for rotation of secret {arn}.")
    if "AWSCURRENT" in versions[token]:
        return
    if "AWSPENDING" not in versions[token]:
        raise ValueError(f"Secret version {token} not set as AWSPENDING for rotation of secret {arn}.")

    if step == "createSecret":
        service_client.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")
        try:
            service_client.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
        except service_client.exceptions.ResourceNotFoundException:
            exclude_characters = os.environ.get("EXCLUDE_CHARACTERS", "/@\"'\\")
            passwd = service_client.get_random_password(ExcludeCharacters=exclude_characters)
            service_client.put_secret_value(
                SecretId=arn,
                ClientRequestToken=token,
                SecretString=passwd["RandomPassword"],
                VersionStages=["AWSPENDING"],
                RotationToken=rotation_token,
            )
    elif step in ("setSecret", "testSecret"):
        pass  # the external system is out of scope for this variant
    elif step == "finishSecret":
        current = next(v for v, stages in versions.items() if "AWSCURRENT" in stages)
        service_client.update_secret_version_stage(
            SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=current
        )
    else:
        raise ValueError("Invalid step parameter")
