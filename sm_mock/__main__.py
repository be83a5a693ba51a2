"""``python -m sm_mock demo``: a scripted scenario through a real boto3 client.
``python -m sm_mock serve``: the mock as an HTTP server for other processes and languages."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any

__all__ = ["add_serve_arguments", "demo", "main", "serve"]

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


def _handler(spec: str) -> tuple[str, Callable[..., Any]]:
    """``ARN=package.module:function`` -> (ARN, the function), for ``--lambda``."""
    arn, sep, path = spec.partition("=")
    module_name, colon, attribute = path.partition(":")
    if not sep or not colon or not arn or not module_name or not attribute:
        raise argparse.ArgumentTypeError(
            f"{spec!r}: write --lambda ARN=package.module:function, e.g. "
            "--lambda arn:aws:lambda:us-east-1:123456789012:function:rotate=myapp.rotation:handler"
        )
    try:
        target: Any = importlib.import_module(module_name)
        for name in attribute.split("."):
            target = getattr(target, name)
    except (ImportError, AttributeError) as error:
        raise argparse.ArgumentTypeError(
            f"{spec!r}: cannot import {path} ({error}); is the module on PYTHONPATH?"
        ) from None
    if not callable(target):
        raise argparse.ArgumentTypeError(f"{spec!r}: {path} is not a function (it is {type(target).__name__})")
    return arn, target


def _throttling(value: str) -> bool | list[str]:
    return [part.strip() for part in value.split(",") if part.strip()] or True


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``serve`` (another front end can add its own next to them)."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default 0: a free port, printed)")
    parser.add_argument("--region", default=None, help="region of requests whose signature names none (us-east-1)")
    parser.add_argument("--account-id", default="123456789012", help="the default account (123456789012)")
    parser.add_argument("--seed", type=int, default=None, help="seed ARN suffixes, ids, passwords and fault draws")
    parser.add_argument(
        "--throttling",
        nargs="?",
        const=True,
        default=False,
        type=_throttling,
        metavar="OPERATIONS",
        help="enforce AWS's rate quotas: all, or a comma-separated list of operations or quota groups",
    )
    parser.add_argument(
        "--lambda",
        dest="lambdas",
        action="append",
        default=[],
        type=_handler,
        metavar="ARN=MODULE:FUNCTION",
        help="register a rotation function by import path (repeatable)",
    )
    parser.add_argument(
        "--agent-port",
        type=int,
        default=None,
        metavar="PORT",
        help="also serve the Secrets Manager Agent's endpoint (localhost:2773 style) on PORT (0: a free port)",
    )
    parser.add_argument(
        "--agent-token",
        default=None,
        help="the token the agent endpoint requires (default: AWS_TOKEN / AWS_SESSION_TOKEN, else a new one, printed)",
    )


def serve(args: argparse.Namespace, ready: Callable[[Any], None] | None = None) -> int:
    """Run the standalone server until SIGINT or SIGTERM; returns a process exit code.

    The first line printed holds the URL. ``ready(mock)`` runs once it serves (where another
    front end can start its own servers on the same mock).
    """
    from .clock import OffsetClock
    from .mock import SecretsManagerMock

    # The clock follows the real one and moves forward on POST /_sm_mock/time.
    mock = SecretsManagerMock(
        region=args.region,
        account_id=args.account_id,
        seed=args.seed,
        throttling=args.throttling,
        clock=OffsetClock(),
    )
    for arn, function in args.lambdas:
        mock.register_lambda(arn, function)
    stopping = threading.Event()
    previous = {signum: signal.signal(signum, lambda *_: stopping.set()) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        return _serve_until_stopped(mock, args, stopping, ready)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _serve_until_stopped(
    mock: Any, args: argparse.Namespace, stopping: threading.Event, ready: Callable[[Any], None] | None
) -> int:
    with mock:
        try:
            url = mock.serve(args.host, args.port)
        except OSError as error:  # the port is taken, the address is not this host's, ...
            print(f"sm_mock: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
            return 1
        print(
            f"sm_mock serves AWS Secrets Manager at {url} (region {mock.region}, account {mock.account_id})", flush=True
        )
        print(f"control API: {url}/_sm_mock/health; stop with Ctrl-C or SIGTERM", flush=True)
        if args.agent_port is not None:
            try:
                agent_url = mock.serve_agent(port=args.agent_port, token=args.agent_token)
            except OSError as error:
                print(f"sm_mock: cannot listen on 127.0.0.1:{args.agent_port}: {error}", file=sys.stderr)
                return 1
            # Code under test sends this token in X-Aws-Parameters-Secrets-Token (docs/agent.md).
            print(f"secrets agent endpoint at {agent_url} (token {mock.agent.token})", flush=True)
        if ready is not None:
            ready(mock)
        stopping.wait()
    with contextlib.suppress(OSError):  # whoever read the output may have gone already
        print("sm_mock server stopped", flush=True)
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
    add_serve_arguments(
        sub.add_parser(
            "serve",
            help="serve the mock over HTTP (JSON 1.1, as AWS) for other processes and languages",
            description="Serve an in-memory Secrets Manager over HTTP until interrupted. The first line "
            "printed holds the URL; point clients at it with --endpoint-url / endpoint_url.",
        )
    )
    args: Any = parser.parse_args(argv)
    if args.command == "demo":
        return demo()
    if args.command == "serve":
        return serve(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
