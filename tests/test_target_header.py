"""The X-Amz-Target header decides the operation (issue 18, item 15), as the service routes a
JSON 1.1 request: a request whose target disagrees with what botocore meant is answered by its
target, and a target naming no operation gets the service's UnknownOperationException."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from sm_mock import mock_secretsmanager


def _retarget(client: Any, target: str | None) -> None:
    """Rewrite (or drop) the target of every request this client sends, after signing."""

    def rewrite(request: Any, **_: Any) -> None:
        del request.headers["X-Amz-Target"]
        if target is not None:
            request.headers["X-Amz-Target"] = target

    # register_first: before sm_mock's own before-send handler, which is registered last.
    client.meta.events.register_first("before-send.secrets-manager", rewrite)


def test_the_target_header_not_the_client_method_picks_the_operation() -> None:
    with mock_secretsmanager() as sm:
        client = sm.client()
        client.create_secret(Name="s", SecretString="plaintext", Description="described")
        _retarget(client, "secretsmanager.DescribeSecret")
        answer = client.get_secret_value(SecretId="s")
        # botocore parses DescribeSecret's answer with GetSecretValue's shape: the members they
        # share come through, the value never was in the answer.
        assert answer["Name"] == "s"
        assert "SecretString" not in answer
        assert sm.calls[-1].operation == "DescribeSecret"
        assert all(call.operation != "GetSecretValue" for call in sm.calls)


@pytest.mark.parametrize(
    "target",
    [None, "secretsmanager.Bogus", "secretsmanager.", "AmazonSSM.GetParameter", "GetSecretValue", ""],
)
def test_a_target_that_names_no_operation_is_an_unknown_operation(target: str | None) -> None:
    with mock_secretsmanager() as sm:
        client = sm.client()
        client.create_secret(Name="s", SecretString="v")
        _retarget(client, target)
        with pytest.raises(ClientError) as info:
            client.get_secret_value(SecretId="s")
        error = info.value.response
        assert error["Error"]["Code"] == "UnknownOperationException"
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert "X-Amz-Target" in error["Error"]["Message"]
        assert sm.calls[-1].error_code == "UnknownOperationException"
