"""A user's test file, type-checked by CI against the installed package (.ci/run): mypy must see
sm_mock's types after the README's editable install, from outside the repository."""

from __future__ import annotations

import boto3  # type: ignore[import-untyped]

from sm_mock import ManualClock, SecretsManagerMock, mock_secretsmanager


@mock_secretsmanager(region="eu-west-1", seed=7, allow_services="sts")
def test_decorated() -> None:
    boto3.client("secretsmanager", region_name="eu-west-1").list_secrets()


def test_context_manager() -> None:
    with mock_secretsmanager(clock=ManualClock()) as sm:
        mock: SecretsManagerMock = sm
        assert mock.calls.count("ListSecrets") == 0


def test_local_endpoint() -> None:
    with mock_secretsmanager() as sm:
        url: str = sm.serve_agent(token="t", ttl_seconds=60)
        port: int = sm.agent.port
        assert url.endswith(str(port))
