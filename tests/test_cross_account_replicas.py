"""Cross-account replicas (botocore 1.44): two accounts with customer managed keys, through
the whole lifecycle; the rules are the model's documentation strings (model/cross_account.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from support import fails, needs_model, new_client

from sm_mock import SecretsManagerMock, mock_secretsmanager
from sm_mock.choices import CROSS_ACCOUNT_REPLICA_POLICY_NAME

pytestmark = needs_model("AssociateCrossAccountReplica")

REGION = "us-east-1"
PRIMARY_ACCOUNT = "111111111111"
REPLICA_ACCOUNT = "222222222222"


@dataclass
class World:
    sm: SecretsManagerMock
    primary: Any  # a client of the primary's account
    replica: Any  # a client of the replica's account
    primary_key: str
    replica_key: str


def _client(sm: SecretsManagerMock, access_key: str, account: str) -> Any:
    sm.map_access_key(access_key, account)
    return new_client(REGION, aws_access_key_id=access_key, aws_secret_access_key="x")


@pytest.fixture
def world() -> Iterator[World]:
    with mock_secretsmanager(region=REGION, account_id=PRIMARY_ACCOUNT) as sm:
        primary_key = sm.backend.keyring(PRIMARY_ACCOUNT, REGION).create_key(alias="primary-key").arn
        replica_key = sm.backend.keyring(REPLICA_ACCOUNT, REGION).create_key(alias="replica-key").arn
        yield World(
            sm,
            _client(sm, "AKIAPRIMARYACCOUNT01", PRIMARY_ACCOUNT),
            _client(sm, "AKIAREPLICAACCOUNT01", REPLICA_ACCOUNT),
            primary_key,
            replica_key,
        )


def _describe(client: Any, secret_id: str) -> dict[str, Any]:
    out: dict[str, Any] = client.describe_secret(SecretId=secret_id)
    out.pop("ResponseMetadata")
    return out


def _pair(w: World) -> tuple[str, str]:
    primary_arn = w.primary.create_secret(
        Name="db", SecretString='{"password": "one"}', KmsKeyId=w.primary_key, Description="the db"
    )["ARN"]
    replica_arn = w.replica.create_secret(Name="db-copy", KmsKeyId=w.replica_key, CrossAccountPrimaryARN=primary_arn)[
        "ARN"
    ]
    return primary_arn, replica_arn


def test_the_whole_lifecycle(world: World) -> None:
    w = world
    primary_arn, replica_arn = _pair(w)
    assert replica_arn.startswith(f"arn:aws:secretsmanager:{REGION}:{REPLICA_ACCOUNT}:secret:db-copy-")
    # Created: Pending, no value yet, and a policy that lets the primary's account replicate in.
    created = _describe(w.replica, "db-copy")
    assert created["CrossAccountPrimary"] == {"PrimarySecretARN": primary_arn, "ReplicationStatus": "Pending"}
    fails(w.replica.get_secret_value, "ResourceNotFoundException", SecretId="db-copy")
    names = [p["PolicyName"] for p in w.replica.list_resource_policies(SecretId="db-copy")["ResourcePolicies"]]
    assert names == [CROSS_ACCOUNT_REPLICA_POLICY_NAME]
    policy = json.loads(
        w.replica.get_resource_policy(SecretId="db-copy", PolicyName=CROSS_ACCOUNT_REPLICA_POLICY_NAME)[
            "ResourcePolicy"
        ]
    )
    assert policy["Statement"][0]["Principal"] == {"AWS": f"arn:aws:iam::{PRIMARY_ACCOUNT}:root"}

    # Associated from the primary's account: InSync on both sides, the value arrives.
    out = w.primary.associate_cross_account_replica(
        SecretId="db", CrossAccountReplicaARN=replica_arn, ReplicaRestriction="SameOrg"
    )
    assert (out["ARN"], out["CrossAccountReplicaARN"], out["ReplicationStatus"]) == (
        primary_arn,
        replica_arn,
        "InSync",
    )
    assert _describe(w.primary, "db")["CrossAccountReplicas"] == [
        {"ReplicaSecretARN": replica_arn, "ReplicationStatus": "InSync", "StatusMessage": "Replication succeeded"}
    ]
    replica = _describe(w.replica, "db-copy")
    assert replica["CrossAccountPrimary"]["ReplicationStatus"] == "InSync"
    assert replica["Description"] == "the db"
    assert replica["KmsKeyId"] == w.replica_key
    assert w.replica.get_secret_value(SecretId="db-copy")["SecretString"] == '{"password": "one"}'
    # Sealed under the replica account's own key.
    (version,) = w.replica.list_secret_version_ids(SecretId="db-copy")["Versions"]
    assert version["KmsKeyIds"] == [w.replica_key]
    (secret,) = w.sm.backend.secrets(account_id=REPLICA_ACCOUNT)
    assert [key.arn for key in secret.current.keys] == [w.replica_key]  # type: ignore[union-attr]

    # Writes to the primary reach it; the replica is read-only.
    w.primary.put_secret_value(SecretId="db", SecretString='{"password": "two"}')
    assert w.replica.get_secret_value(SecretId="db-copy")["SecretString"] == '{"password": "two"}'
    message = fails(w.replica.put_secret_value, "InvalidParameterException", SecretId="db-copy", SecretString="x")
    # The text sends the caller to the primary's account, not to another region.
    assert primary_arn in message and "own account" in message and "region" not in message
    fails(w.replica.update_secret, "InvalidParameterException", SecretId="db-copy", Description="mine")
    # Neither can be deleted while linked (with the documented reason).
    assert "DisassociateCrossAccountReplica" in fails(
        w.primary.delete_secret, "InvalidParameterException", SecretId="db"
    )
    assert "StopReplicationToReplica" in fails(w.replica.delete_secret, "InvalidParameterException", SecretId="db-copy")
    fails(w.primary.delete_secret, "InvalidParameterException", SecretId="db", ForceDeleteWithoutRecovery=True)
    fails(w.replica.delete_secret, "InvalidParameterException", SecretId="db-copy")

    # Disassociated: Detached, the replica keeps its value, stays read-only, gets no updates.
    w.primary.disassociate_cross_account_replica(SecretId="db", CrossAccountReplicaARN=replica_arn)
    assert _describe(w.replica, "db-copy")["CrossAccountPrimary"]["ReplicationStatus"] == "Detached"
    assert _describe(w.primary, "db")["CrossAccountReplicas"][0]["ReplicationStatus"] == "Detached"
    w.primary.put_secret_value(SecretId="db", SecretString='{"password": "three"}')
    assert w.replica.get_secret_value(SecretId="db-copy")["SecretString"] == '{"password": "two"}'
    fails(w.replica.put_secret_value, "InvalidParameterException", SecretId="db-copy", SecretString="x")
    fails(w.replica.delete_secret, "InvalidParameterException", SecretId="db-copy")

    # Associating again repairs it: the newest value arrives.
    w.primary.associate_cross_account_replica(SecretId="db", CrossAccountReplicaARN=replica_arn)
    assert w.replica.get_secret_value(SecretId="db-copy")["SecretString"] == '{"password": "three"}'

    # StopReplicationToReplica on the replica: a standalone secret; the primary shows Detached.
    assert w.replica.stop_replication_to_replica(SecretId="db-copy")["ARN"] == replica_arn
    promoted = _describe(w.replica, "db-copy")
    assert "CrossAccountPrimary" not in promoted
    assert w.replica.list_resource_policies(SecretId="db-copy")["ResourcePolicies"] == []
    assert _describe(w.primary, "db")["CrossAccountReplicas"][0]["ReplicationStatus"] == "Detached"
    w.replica.put_secret_value(SecretId="db-copy", SecretString="mine now")
    assert w.replica.get_secret_value(SecretId="db-copy")["SecretString"] == "mine now"
    # The primary's writes no longer reach it, and both can be deleted.
    w.primary.put_secret_value(SecretId="db", SecretString='{"password": "four"}')
    assert w.replica.get_secret_value(SecretId="db-copy")["SecretString"] == "mine now"
    w.replica.delete_secret(SecretId="db-copy", ForceDeleteWithoutRecovery=True)
    w.primary.delete_secret(SecretId="db", ForceDeleteWithoutRecovery=True)


@pytest.mark.parametrize(
    "extra",
    [
        {"SecretString": "v"},
        {"SecretBinary": b"v"},
        {"Description": "d"},
        {"AddReplicaRegions": [{"Region": "eu-west-1"}]},
        {"Type": "Partner"},
    ],
)
def test_create_refuses_what_comes_from_the_primary(world: World, extra: dict[str, Any]) -> None:
    primary_arn = world.primary.create_secret(Name="db", SecretString="v", KmsKeyId=world.primary_key)["ARN"]
    fails(
        world.replica.create_secret,
        "InvalidParameterException",
        Name="db-copy",
        KmsKeyId=world.replica_key,
        CrossAccountPrimaryARN=primary_arn,
        **extra,
    )
    assert world.sm.backend.secrets(account_id=REPLICA_ACCOUNT) == []


@pytest.mark.parametrize("key", [None, "alias/aws/secretsmanager"])
def test_create_needs_a_customer_managed_key(world: World, key: str | None) -> None:
    primary_arn = world.primary.create_secret(Name="db", SecretString="v")["ARN"]
    params: dict[str, Any] = {"Name": "db-copy", "CrossAccountPrimaryARN": primary_arn}
    if key is not None:
        params["KmsKeyId"] = key
    assert "customer managed" in fails(world.replica.create_secret, "InvalidParameterException", **params)


def test_create_needs_a_primary_of_the_same_region_partition_and_another_account(world: World) -> None:
    arn = world.primary.create_secret(Name="db", SecretString="v")["ARN"]
    for wrong in (
        arn.replace(REGION, "eu-west-1"),
        arn.replace("arn:aws:", "arn:aws-cn:"),
        f"arn:aws:secretsmanager:{REGION}:{PRIMARY_ACCOUNT}:nothing",
    ):
        fails(
            world.replica.create_secret,
            "InvalidParameterException",
            Name="db-copy",
            KmsKeyId=world.replica_key,
            CrossAccountPrimaryARN=wrong,
        )
    own = world.replica.create_secret(Name="own", SecretString="v")["ARN"]
    fails(
        world.replica.create_secret,
        "InvalidParameterException",
        Name="db-copy",
        KmsKeyId=world.replica_key,
        CrossAccountPrimaryARN=own,
    )


def test_association_rules(world: World) -> None:
    w = world
    primary_arn, replica_arn = _pair(w)
    # Only from the primary's account (by full ARN the replica's account can name the primary).
    fails(
        w.replica.associate_cross_account_replica,
        "InvalidRequestException",
        SecretId=primary_arn,
        CrossAccountReplicaARN=replica_arn,
    )
    # A replica of another primary, a missing one, one in the primary's own account.
    w.primary.create_secret(Name="other", SecretString="v")
    fails(
        w.primary.associate_cross_account_replica,
        "InvalidRequestException",
        SecretId="other",
        CrossAccountReplicaARN=replica_arn,
    )
    fails(
        w.primary.associate_cross_account_replica,
        "ResourceNotFoundException",
        SecretId="db",
        CrossAccountReplicaARN=replica_arn[:-1] + ("x" if replica_arn[-1] != "x" else "y"),
    )
    fails(
        w.primary.associate_cross_account_replica,
        "InvalidParameterException",
        SecretId="db",
        CrossAccountReplicaARN=primary_arn,
    )
    # Nothing changed by the refusals.
    assert "CrossAccountReplicas" not in _describe(w.primary, "db")
    assert _describe(w.replica, "db-copy")["CrossAccountPrimary"]["ReplicationStatus"] == "Pending"
    # Idempotent.
    for _ in range(2):
        w.primary.associate_cross_account_replica(SecretId="db", CrossAccountReplicaARN=replica_arn)
    assert len(_describe(w.primary, "db")["CrossAccountReplicas"]) == 1
    # At most one cross-account replica per primary.
    second = w.replica.create_secret(Name="second", KmsKeyId=w.replica_key, CrossAccountPrimaryARN=primary_arn)["ARN"]
    fails(
        w.primary.associate_cross_account_replica,
        "LimitExceededException",
        SecretId="db",
        CrossAccountReplicaARN=second,
    )
    # Disassociating a replica that was never linked.
    fails(
        w.primary.disassociate_cross_account_replica,
        "ResourceNotFoundException",
        SecretId="db",
        CrossAccountReplicaARN=second,
    )


def test_same_org_restriction_follows_the_organizations(world: World) -> None:
    w = world
    _, replica_arn = _pair(w)
    w.sm.backend.set_organization(REPLICA_ACCOUNT, "o-elsewhere")
    message = fails(
        w.primary.associate_cross_account_replica,
        "InvalidRequestException",
        SecretId="db",
        CrossAccountReplicaARN=replica_arn,
    )
    assert "NoRestriction" in message
    out = w.primary.associate_cross_account_replica(
        SecretId="db", CrossAccountReplicaARN=replica_arn, ReplicaRestriction="NoRestriction"
    )
    assert out["ReplicationStatus"] == "InSync"


def test_a_deny_in_the_replicas_policy_stops_the_association(world: World) -> None:
    w = world
    _, replica_arn = _pair(w)
    deny = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": {"AWS": PRIMARY_ACCOUNT},
                "Action": "secretsmanager:*",
                "Resource": "*",
            }
        ],
    }
    # A replica is read-only, its policy included (PutResourcePolicy is refused on it), so the
    # Deny goes into the model directly: what is tested is the association's policy check.
    fails(
        w.replica.put_resource_policy, "InvalidParameterException", SecretId="db-copy", ResourcePolicy=json.dumps(deny)
    )
    secret = w.sm.backend.get("db-copy", account_id=REPLICA_ACCOUNT, region=REGION)
    secret.policy = json.dumps(deny)
    fails(
        w.primary.associate_cross_account_replica,
        "AccessDeniedException",
        SecretId="db",
        CrossAccountReplicaARN=replica_arn,
    )
    secret.policy = None
    w.primary.associate_cross_account_replica(SecretId="db", CrossAccountReplicaARN=replica_arn)


def test_a_disabled_replica_key_fails_replication_and_changes_nothing(world: World) -> None:
    w = world
    _, replica_arn = _pair(w)
    w.primary.associate_cross_account_replica(SecretId="db", CrossAccountReplicaARN=replica_arn)
    w.sm.backend.keyring(REPLICA_ACCOUNT, REGION).disable_key(w.replica_key)
    w.primary.put_secret_value(SecretId="db", SecretString="new")
    status = _describe(w.primary, "db")["CrossAccountReplicas"][0]
    assert status["ReplicationStatus"] == "Failed"
    assert "Replication failed" in status["StatusMessage"]
    assert _describe(w.replica, "db-copy")["CrossAccountPrimary"]["ReplicationStatus"] == "Failed"


def test_a_rotation_reaches_the_replica_labels_included(world: World) -> None:
    w = world
    _, replica_arn = _pair(w)
    w.primary.associate_cross_account_replica(SecretId="db", CrossAccountReplicaARN=replica_arn)
    w.sm.register_external_rotation("Partner", lambda request: "rotated")
    w.primary.update_secret(SecretId="db", Type="Partner")
    w.primary.rotate_secret(SecretId="db", ExternalSecretRotationRoleArn="arn:aws:iam::111111111111:role/r")
    primary_stages = _describe(w.primary, "db")["VersionIdsToStages"]
    assert _describe(w.replica, "db-copy")["VersionIdsToStages"] == primary_stages
    assert "AWSPENDING" not in str(primary_stages)
    assert w.replica.get_secret_value(SecretId="db-copy")["SecretString"] == "rotated"
    assert _describe(w.replica, "db-copy")["Type"] == "Partner"
