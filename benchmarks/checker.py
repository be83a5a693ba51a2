"""Section ``checker``: what ``check_rotation_function`` costs for a simple rotation function.

100 examples (the default) of a handler written as AWS's templates are (one client, DescribeSecret's
checks, the four steps), timed in a few rounds: wall clock and process CPU time. Not in the
default run (``python -m benchmarks --sections checker``); it needs Hypothesis.
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

from .harness import Settings, log

EXAMPLES = 100
_VALUE = json.dumps({"username": "app", "password": "initial-password"})


def _handler() -> Any:
    import boto3

    client = boto3.client("secretsmanager", region_name="us-east-1")

    def lambda_handler(event: dict[str, Any], context: Any) -> None:
        arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
        stages = client.describe_secret(SecretId=arn)["VersionIdsToStages"]
        if "AWSCURRENT" in stages.get(token, []):
            return
        if step == "createSecret":
            try:
                client.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
            except client.exceptions.ResourceNotFoundException:
                new = json.loads(client.get_secret_value(SecretId=arn)["SecretString"])
                new["password"] = client.get_random_password(ExcludePunctuation=True)["RandomPassword"]
                client.put_secret_value(
                    SecretId=arn, ClientRequestToken=token, SecretString=json.dumps(new), VersionStages=["AWSPENDING"]
                )
        elif step == "finishSecret":
            current = next(version for version, labels in stages.items() if "AWSCURRENT" in labels)
            client.update_secret_version_stage(
                SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=current
            )

    return lambda_handler


def section(s: Settings) -> dict[str, Any]:
    """Seconds per run of 100 examples (median of the rounds), wall clock and CPU."""
    from sm_mock.testing import check_rotation_function

    handler = _handler()
    rounds = 2 if s.quick else 5
    wall, cpu = [], []
    for seed in range(rounds):
        w, c = time.perf_counter(), time.process_time()
        check_rotation_function(handler, secret_string=_VALUE, max_examples=EXAMPLES, seed=seed)
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
        log(f"  checker round {seed + 1}/{rounds}: {wall[-1]:.2f} s wall, {cpu[-1]:.2f} s CPU")
    return {
        "examples": EXAMPLES,
        "rounds": rounds,
        "wall_s": [round(x, 3) for x in wall],
        "cpu_s": [round(x, 3) for x in cpu],
        "median_wall_s": round(statistics.median(wall), 3),
        "median_cpu_s": round(statistics.median(cpu), 3),
    }


def report(record: dict[str, Any]) -> list[str]:
    """The section's lines in the text report."""
    return [
        "",
        f"7. check_rotation_function, {record['examples']} examples of a simple handler: "
        f"{record['median_wall_s']:.2f} s wall clock, {record['median_cpu_s']:.2f} s CPU "
        f"(median of {record['rounds']} seeds)",
    ]
