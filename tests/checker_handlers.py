"""A rotation function for the checker's tests, its fake database, and five broken variants.

:func:`make_handler` builds the function the way AWS's templates are built (DescribeSecret's
checks, then one function per step); each keyword switches one habit off, giving the buggy
variants of issue 19. Nothing here knows about sm_mock.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

import boto3

USER = "app"
ORIGINAL = json.dumps({"engine": "postgres", "host": "db.internal", "username": USER, "password": "initial-password"})


class PasswordReuseError(Exception):
    """The database refuses a password it has seen before (a password history policy)."""


@dataclass
class FakeDatabase:
    """One user's valid passwords. Changing the password keeps a given one valid too (a dual
    password, as MySQL's RETAIN CURRENT PASSWORD does), so the application keeps working
    between setSecret and finishSecret. Like many databases it refuses a password from its
    history, so changing it twice to the same value fails."""

    valid: list[str] = field(default_factory=list)
    history: list[str] = field(default_factory=list)

    def reset(self) -> None:
        password = json.loads(ORIGINAL)["password"]
        self.valid = [password]
        self.history = [password]

    def login(self, user: str, password: str) -> bool:
        return user == USER and password in self.valid

    def change_password(self, user: str, new: str, *, keep: str) -> None:
        if not self.login(user, keep):
            raise PermissionError(f"{user} can't log in to change the password")
        if new in self.history:
            raise PasswordReuseError(f"the new password for {user} was used before")
        self.history.append(new)
        self.valid = [keep, new]

    def accepts(self, value: str) -> bool:
        """The checker's ``accept``: do these credentials log in?"""
        credentials = json.loads(value)
        return self.login(credentials["username"], credentials["password"])


DATABASE = FakeDatabase()
#: Every password the function generated (a test checks that no story shows one).
GENERATED: list[str] = []

#: One client for every invocation, made at import as AWS's templates make theirs (a client costs
#: far more to build than a call; sm_mock serves it in whichever mock is active).
client = boto3.client(
    "secretsmanager", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
)


def make_handler(
    *,
    reuse_pending: bool = True,
    finish_checks_current: bool = True,
    idempotent_set: bool = True,
    use_token: bool = True,
    pending_removed_last: bool = True,
) -> Any:
    """The rotation function; each ``False`` is one of the five bugs."""

    def lambda_handler(event: dict[str, Any], context: Any) -> None:
        arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
        metadata = client.describe_secret(SecretId=arn)
        if not metadata.get("RotationEnabled"):
            raise ValueError(f"rotation is not enabled for {arn}")
        stages = metadata.get("VersionIdsToStages", {})
        if use_token:
            if token not in stages:
                raise ValueError(f"version {token} of {arn} has no stage for rotation")
            if "AWSCURRENT" in stages[token] and (finish_checks_current or step != "finishSecret"):
                return  # this version already finished its rotation
            if "AWSPENDING" not in stages[token] and "AWSCURRENT" not in stages[token]:
                raise ValueError(f"version {token} of {arn} is not AWSPENDING")
        if step == "createSecret":
            create_secret(client, arn, token)
        elif step == "setSecret":
            set_secret(client, arn, token)
        elif step == "testSecret":
            test_secret(client, arn, token)
        elif step == "finishSecret":
            finish_secret(client, arn, token, stages)
        else:
            raise ValueError(f"unknown step {step}")

    def pending_value(client: Any, arn: str, token: str) -> dict[str, str]:
        if use_token:
            answer = client.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
        else:
            answer = client.get_secret_value(SecretId=arn, VersionStage="AWSPENDING")
        return dict(json.loads(answer["SecretString"]))

    def create_secret(client: Any, arn: str, token: str) -> None:
        current = json.loads(client.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"])
        if reuse_pending:
            try:
                pending_value(client, arn, token)
                return  # an earlier run stored it
            except client.exceptions.ResourceNotFoundException:
                pass
        current["password"] = secrets.token_urlsafe(24)
        GENERATED.append(current["password"])
        if use_token:
            client.put_secret_value(
                SecretId=arn, ClientRequestToken=token, SecretString=json.dumps(current), VersionStages=["AWSPENDING"]
            )
        else:
            client.put_secret_value(SecretId=arn, SecretString=json.dumps(current), VersionStages=["AWSPENDING"])

    def set_secret(client: Any, arn: str, token: str) -> None:
        pending = pending_value(client, arn, token)
        current = json.loads(client.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"])
        if idempotent_set and DATABASE.login(pending["username"], pending["password"]):
            return  # already changed by an earlier run
        DATABASE.change_password(pending["username"], pending["password"], keep=current["password"])

    def test_secret(client: Any, arn: str, token: str) -> None:
        pending = pending_value(client, arn, token)
        if not DATABASE.login(pending["username"], pending["password"]):
            raise RuntimeError("the new password does not log in")

    def finish_secret(client: Any, arn: str, token: str, stages: dict[str, list[str]]) -> None:
        current = next(version for version, labels in stages.items() if "AWSCURRENT" in labels)
        if not use_token:
            token = next(version for version, labels in stages.items() if "AWSPENDING" in labels)
        if not pending_removed_last:
            client.update_secret_version_stage(SecretId=arn, VersionStage="AWSPENDING", RemoveFromVersionId=token)
        client.update_secret_version_stage(
            SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=current
        )
        if not finish_checks_current:
            # Keeps AWSPREVIOUS on the replaced version by hand (it follows by itself): harmless
            # once, wrong when the version is already current.
            client.update_secret_version_stage(SecretId=arn, VersionStage="AWSPREVIOUS", MoveToVersionId=current)

    return lambda_handler
