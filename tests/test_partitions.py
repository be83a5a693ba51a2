"""Partitions: ARNs of secrets and KMS keys carry their region's partition (botocore's endpoint
data), lookups take the correct partition's ARN only, and replication stays in a partition."""

from __future__ import annotations

import botocore.loaders
import botocore.regions
import pytest
from botocore.exceptions import UnknownRegionError
from hypothesis import given
from hypothesis import strategies as st
from support import fails, new_client

from sm_mock import SecretsManagerMock, mock_secretsmanager
from sm_mock.protocol.partitions import partitions

ACCOUNT = "123456789012"


@pytest.mark.parametrize(
    "region, partition",
    [
        ("us-east-1", "aws"),
        ("eu-west-1", "aws"),
        ("cn-north-1", "aws-cn"),
        ("cn-northwest-1", "aws-cn"),
        ("us-gov-west-1", "aws-us-gov"),
        ("us-iso-east-1", "aws-iso"),
        ("us-isob-east-1", "aws-iso-b"),
    ],
)
def test_secret_and_key_arns_use_the_partition_of_their_region(region: str, partition: str) -> None:
    with mock_secretsmanager(region=region) as sm:
        client = new_client(region)
        key = sm.backend.keyring(sm.account_id, region).create_key(alias="mine")
        assert key.arn == f"arn:{partition}:kms:{region}:{sm.account_id}:key/{key.key_id}"
        arn = client.create_secret(Name="db", SecretString="v", KmsKeyId=key.arn)["ARN"]
        assert arn.startswith(f"arn:{partition}:secretsmanager:{region}:{sm.account_id}:secret:db-")
        described = client.describe_secret(SecretId=arn)
        assert described["ARN"] == arn
        assert described["KmsKeyId"] == key.arn
        # Lookups by full and partial ARN of the right partition work.
        assert client.get_secret_value(SecretId=arn)["SecretString"] == "v"
        assert client.get_secret_value(SecretId=arn[:-7])["ARN"] == arn
        versions = client.list_secret_version_ids(SecretId=arn)["Versions"]
        assert versions[0]["KmsKeyIds"] == [key.arn]


@pytest.mark.parametrize("region, wrong", [("cn-north-1", "aws"), ("us-gov-west-1", "aws"), ("us-east-1", "aws-cn")])
def test_an_arn_of_another_partition_finds_nothing(region: str, wrong: str) -> None:
    with mock_secretsmanager(region=region):
        client = new_client(region)
        arn = client.create_secret(Name="db", SecretString="v")["ARN"]
        partition = arn.split(":")[1]
        assert partition != wrong
        other = arn.replace(f"arn:{partition}:", f"arn:{wrong}:", 1)
        fails(client.get_secret_value, "ResourceNotFoundException", SecretId=other)
        fails(client.describe_secret, "ResourceNotFoundException", SecretId=other[:-7])


def test_a_kms_key_arn_of_another_partition_is_refused() -> None:
    with mock_secretsmanager(region="cn-north-1") as sm:
        client = new_client("cn-north-1")
        key = sm.backend.keyring(sm.account_id, "cn-north-1").create_key()
        wrong = key.arn.replace("arn:aws-cn:", "arn:aws:", 1)
        fails(client.create_secret, "InvalidParameterException", Name="db", SecretString="v", KmsKeyId=wrong)
        assert sm.backend.secrets() == []


@pytest.mark.parametrize(
    "home, target",
    [
        ("us-east-1", "cn-north-1"),
        ("us-east-1", "us-gov-west-1"),
        ("cn-north-1", "us-east-1"),
        ("us-gov-west-1", "eu-west-1"),
    ],
)
def test_replication_across_partitions_is_refused(home: str, target: str) -> None:
    with mock_secretsmanager(region=home) as sm:
        client = new_client(home)
        arn = client.create_secret(Name="db", SecretString="v")["ARN"]
        message = fails(
            client.replicate_secret_to_regions,
            "InvalidParameterException",
            SecretId=arn,
            AddReplicaRegions=[{"Region": target}],
        )
        assert "partition" in message
        assert "ReplicationStatus" not in client.describe_secret(SecretId=arn)
        fails(
            client.create_secret,
            "InvalidParameterException",
            Name="other",
            SecretString="v",
            AddReplicaRegions=[{"Region": target}],
        )
        assert [s.name for s in sm.backend.secrets()] == ["db"]


def test_replication_within_a_partition_keeps_the_partition() -> None:
    with mock_secretsmanager(region="cn-north-1") as sm:
        client = new_client("cn-north-1")
        arn = client.create_secret(Name="db", SecretString="v", AddReplicaRegions=[{"Region": "cn-northwest-1"}])["ARN"]
        status = client.describe_secret(SecretId=arn)["ReplicationStatus"]
        assert status[0]["Status"] == "InSync"
        replica = new_client("cn-northwest-1").describe_secret(SecretId="db")
        assert replica["ARN"] == arn.replace(":cn-north-1:", ":cn-northwest-1:")
        assert replica["ARN"].startswith("arn:aws-cn:")
        assert _secret_partitions(sm) == {"aws-cn"}


def _secret_partitions(sm: SecretsManagerMock) -> set[str]:
    return {secret.arn.split(":")[1] for secret in sm.backend.secrets()}


def test_the_partition_table_comes_from_botocore() -> None:
    table = partitions()
    data = botocore.loaders.create_loader().load_data("endpoints")
    for partition in data["partitions"]:
        for region in partition["regions"]:
            assert table.of(region) == partition["partition"], region
    assert table.of("xx-nowhere-1") == "aws"  # nothing claims it: the commercial partition


_RESOLVER = botocore.regions.EndpointResolver(botocore.loaders.create_loader().load_data("endpoints"))


@given(
    prefix=st.sampled_from(["us", "eu", "ap", "cn", "us-gov", "us-iso", "us-isob", "eu-isoe", "eusc-de", "zz", "me"]),
    word=st.sampled_from(["east", "west", "north", "south", "central", "northwest", "gov"]),
    number=st.integers(min_value=1, max_value=12),
)
def test_a_region_gets_the_partition_botocore_resolves_it_to(prefix: str, word: str, number: int) -> None:
    region = f"{prefix}-{word}-{number}"
    try:
        expected = _RESOLVER.get_partition_for_region(region)
    except UnknownRegionError:
        expected = "aws"  # no partition claims it: the mock uses the commercial partition
    assert partitions().of(region) == expected
