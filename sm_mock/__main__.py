"""``python -m sm_mock demo``: a scripted scenario through a real boto3 client."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

__all__ = ["demo", "main"]

ROTATOR_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:rotate-db"


def _step(title: str) -> None:
    print(f"\n== {title}")


def _show(label: str, value: object) -> None:
    print(f"   {label}: {value}")


def _rotation_handler(client: Any) -> Any:
    """A rotation function in the shape of AWS's template (four steps, through boto3)."""

    def handler(event: dict[str, str], context: object) -> None:
        arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
        if step == "createSecret":
            current = json.loads(client.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"])
            current["password"] = client.get_random_password(PasswordLength=20, ExcludePunctuation=True)[
                "RandomPassword"
            ]
            client.put_secret_value(
                SecretId=arn, ClientRequestToken=token, SecretString=json.dumps(current), VersionStages=["AWSPENDING"]
            )
        elif step == "finishSecret":
            stages = client.describe_secret(SecretId=arn)["VersionIdsToStages"]
            old = next(v for v, labels in stages.items() if "AWSCURRENT" in labels)
            client.update_secret_version_stage(
                SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=old
            )

    return handler


def demo() -> int:
    """Run the demo scenario; returns a process exit code."""
    import boto3

    from . import mock_secretsmanager
    from .clock import ManualClock

    clock = ManualClock(datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc))
    with mock_secretsmanager(region="eu-west-1", seed=7, clock=clock) as sm:
        client = boto3.client("secretsmanager", region_name="eu-west-1")
        print(f"A mock of AWS Secrets Manager is active; its clock reads {clock.now():%Y-%m-%d %H:%M} UTC.")

        _step("CreateSecret: a JSON database credential")
        created = client.create_secret(
            Name="prod/app/db",
            Description="Database credentials for the app",
            SecretString=json.dumps({"username": "app", "password": "hunter2"}),
            Tags=[{"Key": "team", "Value": "platform"}],
        )
        _show("ARN (note the random 6-character suffix)", created["ARN"])
        _show("VersionId", created["VersionId"])

        _step("GetSecretValue by name, full ARN and partial ARN")
        for secret_id in ("prod/app/db", created["ARN"], created["ARN"][:-7]):
            value = client.get_secret_value(SecretId=secret_id)
            _show(secret_id, f"{value['SecretString']} {value['VersionStages']}")

        _step("PutSecretValue: a new version takes AWSCURRENT, the old one AWSPREVIOUS")
        client.put_secret_value(
            SecretId="prod/app/db", SecretString=json.dumps({"username": "app", "password": "s3cret"})
        )
        described = client.describe_secret(SecretId="prod/app/db")
        for version_id, stages in described["VersionIdsToStages"].items():
            _show(version_id, stages)

        _step("Roll back with UpdateSecretVersionStage (AWSCURRENT <-> AWSPREVIOUS)")
        stages = described["VersionIdsToStages"]
        current = next(v for v, s in stages.items() if "AWSCURRENT" in s)
        previous = next(v for v, s in stages.items() if "AWSPREVIOUS" in s)
        client.update_secret_version_stage(
            SecretId="prod/app/db", VersionStage="AWSCURRENT", MoveToVersionId=previous, RemoveFromVersionId=current
        )
        _show("AWSCURRENT value now", client.get_secret_value(SecretId="prod/app/db")["SecretString"])

        _step("RotateSecret runs your own rotation function in-process, then on its schedule")
        sm.register_lambda(ROTATOR_ARN, _rotation_handler(client))
        client.rotate_secret(
            SecretId="prod/app/db", RotationLambdaARN=ROTATOR_ARN, RotationRules={"AutomaticallyAfterDays": 30}
        )
        _show("after RotateSecret", client.get_secret_value(SecretId="prod/app/db")["SecretString"])
        _show("NextRotationDate", client.describe_secret(SecretId="prod/app/db")["NextRotationDate"])
        clock.advance(days=31)
        _show("31 days later", client.get_secret_value(SecretId="prod/app/db")["SecretString"])
        _show("rotations run", [f"{r.event} at {r.at:%Y-%m-%d}" for r in sm.rotations.history if r.event])

        _step("DeleteSecret schedules deletion; the name stays taken until the window ends")
        deleted = client.delete_secret(SecretId="prod/app/db", RecoveryWindowInDays=7)
        _show("DeletionDate", deleted["DeletionDate"])
        try:
            client.get_secret_value(SecretId="prod/app/db")
        except client.exceptions.ClientError as error:
            _show(error.response["Error"]["Code"], error.response["Error"]["Message"])
        clock.advance(days=8)
        try:
            client.describe_secret(SecretId="prod/app/db")
        except client.exceptions.ResourceNotFoundException as error:
            _show("8 days later", error.response["Error"]["Message"])
        recreated = client.create_secret(Name="prod/app/db", SecretString="fresh")
        _show("name free again, new ARN", recreated["ARN"])

        _step("Errors are real AWS answers, raised by botocore as ClientError subclasses")
        try:
            client.get_secret_value(SecretId="does/not/exist")
        except client.exceptions.ResourceNotFoundException as error:
            _show(error.response["Error"]["Code"], error.response["Error"]["Message"])
        try:
            client.create_secret(Name="bad name", SecretString="x")
        except client.exceptions.ClientError as error:
            _show(error.response["Error"]["Code"], error.response["Error"]["Message"])

        _step("The backend holds no plaintext: values are AES-256-GCM envelopes")
        secret = sm.backend.get("prod/app/db", account_id=sm.account_id, region="eu-west-1")
        _show("stored versions", [repr(v) for v in secret.versions.values()])
        _show(
            "sm.backend.reveal(...) for test assertions",
            sm.backend.reveal("prod/app/db", account_id=sm.account_id, region="eu-west-1"),
        )

        _step("Every request is in the call log (values redacted)")
        _show("requests served", len(sm.calls))
        for record in list(sm.calls)[:4]:
            _show(record.operation, f"error={record.error_code} params={record.params}")
    print("\nDone: nothing left the process.")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    # The name it was started by: `sm-mock` (the script) or `python -m sm_mock`.
    invoked = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    prog = "python -m sm_mock" if invoked in ("__main__.py", "-m", "") else invoked
    parser = argparse.ArgumentParser(
        prog=prog,
        description="sm_mock: an in-process mock of AWS Secrets Manager for boto3 tests.",
        epilog="Use it in tests as @mock_secretsmanager, `with mock_secretsmanager():` or the "
        "sm_mock pytest fixture; see the README.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="run a short scripted scenario against the in-memory backend")
    args: Any = parser.parse_args(argv)
    if args.command == "demo":
        return demo()
    return 2


if __name__ == "__main__":
    sys.exit(main())
