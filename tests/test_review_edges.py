"""Inputs an adversarial review found answering 500 (issue 18, items 9 and 11): each now gets
an AWS-style 400 and changes nothing."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from sm_mock import ManualClock, mock_secretsmanager


def test_a_deeply_nested_policy_is_a_malformed_document() -> None:
    # About 6,000 characters, far under the 20,480 limit: Python's parser gives up on the depth.
    policy = "[" * 3000 + "]" * 3000
    with mock_secretsmanager() as sm:
        client = sm.client()
        client.create_secret(Name="p", SecretString="v")
        # Too deep for the parser ("nests too deeply"), or parsed where a test raised the
        # recursion limit (then it has no Statement): malformed either way, never a 500.
        with pytest.raises(client.exceptions.MalformedPolicyDocumentException):
            client.put_resource_policy(SecretId="p", ResourcePolicy=policy)
        answer = client.validate_resource_policy(ResourcePolicy=policy)
        assert answer["PolicyValidationPassed"] is False
        assert client.get_resource_policy(SecretId="p").get("ResourcePolicy") is None


def test_a_deletion_date_past_year_9999_is_refused_and_changes_nothing() -> None:
    clock = ManualClock(datetime(9999, 12, 20, tzinfo=timezone.utc))
    with mock_secretsmanager(clock=clock) as sm:
        client = sm.client()
        client.create_secret(Name="late", SecretString="v")
        with pytest.raises(client.exceptions.InvalidRequestException, match="after the year 9999"):
            client.delete_secret(SecretId="late", RecoveryWindowInDays=30)
        assert "DeletedDate" not in client.describe_secret(SecretId="late")
        client.delete_secret(SecretId="late", ForceDeleteWithoutRecovery=True)  # the way out works
