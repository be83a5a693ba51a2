"""Concurrent writes to a primary with replicas: every write succeeds and reaches every replica
(issue 18, item 7: replication read the primary without its lock; about 3% of writes answered 500)."""

from __future__ import annotations

import threading

import boto3
from botocore.config import Config

from sm_mock import mock_secretsmanager

THREADS, WRITES = 4, 20  # 81 versions: under the 100 a secret keeps before pruning


def _version_ids(client: object) -> set[str]:
    pages = client.get_paginator("list_secret_version_ids").paginate(SecretId="shared", IncludeDeprecated=True)  # type: ignore[attr-defined]
    return {version["VersionId"] for page in pages for version in page["Versions"]}


def test_concurrent_writes_all_succeed_and_reach_every_replica() -> None:
    errors: list[str] = []
    with mock_secretsmanager() as sm:
        client = sm.client()
        client.create_secret(
            Name="shared", SecretString="v0", AddReplicaRegions=[{"Region": "eu-west-1"}, {"Region": "ap-south-1"}]
        )
        start = threading.Barrier(THREADS)

        def writer(n: int) -> None:
            mine = boto3.session.Session().client(
                "secretsmanager", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1})
            )
            start.wait()
            for i in range(WRITES):
                try:
                    mine.put_secret_value(SecretId="shared", SecretString=f"{n}-{i}")
                except Exception as error:  # any failure is the finding
                    errors.append(repr(error))

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        primary = {
            v["VersionId"]
            for v in client.list_secret_version_ids(SecretId="shared", IncludeDeprecated=True)["Versions"]
        }
        current = client.get_secret_value(SecretId="shared")["SecretString"]
        for region in ("eu-west-1", "ap-south-1"):
            replica = sm.client(region_name=region)
            ids = {
                v["VersionId"]
                for v in replica.list_secret_version_ids(SecretId="shared", IncludeDeprecated=True)["Versions"]
            }
            assert ids == primary, region
            assert replica.get_secret_value(SecretId="shared")["SecretString"] == current
        status = client.describe_secret(SecretId="shared")["ReplicationStatus"]
    assert errors == []
    assert len(primary) == 1 + THREADS * WRITES
    assert {s["Status"] for s in status} == {"InSync"}
