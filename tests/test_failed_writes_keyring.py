"""A failed request changes nothing, not even the keyring (SPEC A8; issue 18, item 14).

A KmsKeyId that names an unknown alias or key id creates that key on first reference (SPEC F6,
unless strict keys); when the request then fails, the key and its alias must go again.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from sm_mock import SecretsManagerMock, mock_secretsmanager


def keyrings(sm: SecretsManagerMock) -> dict[tuple[str, str], tuple[list[str], list[str]]]:
    """Every keyring's key ARNs and alias names (empty keyrings left out)."""
    out: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
    for store in sm.backend.stores():
        ring = store.keyring
        arns = sorted(key.arn for key in ring.keys)
        if arns:
            out[(store.account_id, store.region)] = (arns, sorted(ring.aliases()))
    return out


def test_an_update_refused_by_the_version_quota_leaves_no_key_behind() -> None:
    with mock_secretsmanager(max_versions=2) as sm:
        client = sm.client()
        client.create_secret(Name="s", SecretString="v1")
        client.put_secret_value(SecretId="s", SecretString="v2")
        before = keyrings(sm)
        with pytest.raises(client.exceptions.LimitExceededException):
            client.update_secret(SecretId="s", KmsKeyId="alias/brand-new", SecretString="v3")
        assert keyrings(sm) == before
        assert "KmsKeyId" not in client.describe_secret(SecretId="s")
        # The alias was never made: a later request that names it creates it afresh.
        client.update_secret(SecretId="s", KmsKeyId="alias/brand-new")
        assert len(keyrings(sm)[(sm.account_id, sm.region)][0]) == 2


def test_a_replication_refused_for_its_second_key_leaves_no_key_in_any_region() -> None:
    with mock_secretsmanager() as sm:
        client = sm.client()
        client.create_secret(Name="s", SecretString="v")
        before = keyrings(sm)
        other_region_key = f"arn:aws:kms:{sm.region}:{sm.account_id}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        with pytest.raises(client.exceptions.InvalidParameterException):
            client.replicate_secret_to_regions(
                SecretId="s",
                AddReplicaRegions=[
                    {"Region": "eu-west-1", "KmsKeyId": "alias/good"},
                    {"Region": "eu-west-2", "KmsKeyId": other_region_key},
                ],
            )
        assert keyrings(sm) == before
        assert "ReplicationStatus" not in client.describe_secret(SecretId="s")


@pytest.mark.parametrize(
    "request_",
    [
        {"Name": "taken", "KmsKeyId": "alias/x", "SecretString": "v"},
        {"Name": "full", "KmsKeyId": "alias/y", "SecretString": "v"},
        {"Name": "t", "KmsKeyId": "alias/z", "AddReplicaRegions": [{"Region": "eu-west-1", "KmsKeyId": "alias/q"}]},
    ],
)
def test_a_refused_create_leaves_no_key_behind(request_: dict[str, Any]) -> None:
    with mock_secretsmanager(max_secrets=1) as sm:
        client = sm.client()
        client.create_secret(Name="taken", SecretString="v")
        before = keyrings(sm)
        with pytest.raises(ClientError):
            client.create_secret(**request_)
        assert keyrings(sm) == before


def test_keys_made_by_the_test_itself_stay() -> None:
    with mock_secretsmanager(max_versions=2) as sm:
        client = sm.client()
        ring = sm.backend.keyring(sm.account_id, sm.region)
        mine = ring.create_key(alias="alias/mine")
        client.create_secret(Name="s", SecretString="v1", KmsKeyId="alias/mine")
        client.put_secret_value(SecretId="s", SecretString="v2")
        with pytest.raises(client.exceptions.LimitExceededException):
            client.update_secret(SecretId="s", KmsKeyId="alias/other", SecretString="v3")
        assert ring.resolve("alias/mine") is mine
        assert "alias/other" not in ring.aliases()
