"""Helpers shared by test modules."""

from __future__ import annotations

import functools
from datetime import datetime, timezone
from typing import Any

import boto3

from sm_mock.botocore.credentials import FAKE_CREDENTIALS
from sm_mock.clock import ManualClock

REGION = "us-east-1"
START = datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)


def manual_clock(start: datetime = START) -> ManualClock:
    """A clock the test moves by hand (sm_mock reads every time from it)."""
    return ManualClock(start)


@functools.cache
def client(region: str = REGION) -> Any:
    """One boto3 client per region for the whole module (clients outlive activations)."""
    return boto3.client(
        "secretsmanager",
        region_name=region,
        aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
