"""Multi-Region replication (SPEC §I) through real boto3 clients."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from support import new_client

from sm_mock import SecretsManagerMock

PRIMARY = "us-east-1"
REPLICA = "eu-west-1"


@pytest.fixture
def replicated(sm_mock: SecretsManagerMock) -> dict[str, Any]:
    primary = new_client(PRIMARY)
    created = primary.create_secret(Name="app/db", SecretString="v1", AddReplicaRegions=[{"Region": REPLICA}])
    return {"primary": primary, "replica": new_client(REPLICA), "created": created}


def test_create_with_replica_regions_reports_in_sync_and_copies_the_value(replicated: dict[str, Any]) -> None:
    created, replica = replicated["created"], replicated["replica"]
    assert created["ReplicationStatus"] == [
        {
            "Region": REPLICA,
            "KmsKeyId": "alias/aws/secretsmanager",
            "Status": "InSync",
            "StatusMessage": "Replication succeeded",
        }
    ]
    value = replica.get_secret_value(SecretId="app/db")
    assert value["SecretString"] == "v1"
    assert value["VersionId"] == created["VersionId"]
    # SPEC B11: the replica's ARN is the primary's with the region swapped.
    assert value["ARN"] == created["ARN"].replace(f":{PRIMARY}:", f":{REPLICA}:")


def test_describe_shows_primary_region_on_both_and_status_on_the_primary(replicated: dict[str, Any]) -> None:
    primary = replicated["primary"].describe_secret(SecretId="app/db")
    replica = replicated["replica"].describe_secret(SecretId="app/db")
    assert primary["PrimaryRegion"] == PRIMARY
    assert [s["Region"] for s in primary["ReplicationStatus"]] == [REPLICA]
    assert replica["PrimaryRegion"] == PRIMARY
    assert "ReplicationStatus" not in replica


def test_changes_to_the_primary_reach_the_replica(replicated: dict[str, Any]) -> None:
    primary, replica = replicated["primary"], replicated["replica"]
    put = primary.put_secret_value(SecretId="app/db", SecretString="v2")
    primary.tag_resource(SecretId="app/db", Tags=[{"Key": "team", "Value": "platform"}])
    primary.update_secret(SecretId="app/db", Description="replicated")
    value = replica.get_secret_value(SecretId="app/db")
    assert (value["SecretString"], value["VersionId"]) == ("v2", put["VersionId"])
    described = replica.describe_secret(SecretId="app/db")
    assert described["Tags"] == [{"Key": "team", "Value": "platform"}]
    assert described["Description"] == "replicated"
    assert (
        described["VersionIdsToStages"]
        == replicated["primary"].describe_secret(SecretId="app/db")["VersionIdsToStages"]
    )


def test_replica_is_read_only_except_for_its_kms_key(sm_mock: SecretsManagerMock, replicated: dict[str, Any]) -> None:
    replica = replicated["replica"]
    for call in (
        lambda: replica.put_secret_value(SecretId="app/db", SecretString="nope"),
        lambda: replica.tag_resource(SecretId="app/db", Tags=[{"Key": "k", "Value": "v"}]),
        lambda: replica.delete_secret(SecretId="app/db"),
        lambda: replica.update_secret(SecretId="app/db", Description="nope"),
    ):
        # SM-136: AWS answers a write to a replica with InvalidParameterException.
        with pytest.raises(replica.exceptions.InvalidParameterException, match="replica secret"):
            call()
    key = sm_mock.backend.keyring(sm_mock.account_id, REPLICA).create_key(alias="alias/eu")
    replica.update_secret(SecretId="app/db", KmsKeyId="alias/eu")
    assert replica.describe_secret(SecretId="app/db")["KmsKeyId"] == key.arn
    assert replica.get_secret_value(SecretId="app/db")["SecretString"] == "v1"


def test_the_primary_reports_the_key_a_replica_changed_to(
    sm_mock: SecretsManagerMock, replicated: dict[str, Any]
) -> None:
    # SPEC I6: a replica may change its own KMS key; SPEC I4: the primary's ReplicationStatus
    # names each replica's key, so it shows the new one (it kept the old one before).
    primary, replica = replicated["primary"], replicated["replica"]
    assert primary.describe_secret(SecretId="app/db")["ReplicationStatus"][0]["KmsKeyId"] == "alias/aws/secretsmanager"
    key = sm_mock.backend.keyring(sm_mock.account_id, REPLICA).create_key(alias="alias/eu")
    replica.update_secret(SecretId="app/db", KmsKeyId="alias/eu")
    (status,) = primary.describe_secret(SecretId="app/db")["ReplicationStatus"]
    assert status["Region"] == REPLICA and status["KmsKeyId"] == key.arn and status["Status"] == "InSync"
    primary.put_secret_value(SecretId="app/db", SecretString="v2")  # later writes keep the replica's key
    assert primary.describe_secret(SecretId="app/db")["ReplicationStatus"][0]["KmsKeyId"] == key.arn
    assert replica.get_secret_value(SecretId="app/db")["SecretString"] == "v2"
    assert replica.describe_secret(SecretId="app/db")["KmsKeyId"] == key.arn


def test_replica_values_are_sealed_under_the_replica_regions_key(sm_mock: SecretsManagerMock) -> None:
    key = sm_mock.backend.keyring(sm_mock.account_id, REPLICA).create_key(alias="alias/eu")
    new_client(PRIMARY).create_secret(
        Name="k", SecretString="v", AddReplicaRegions=[{"Region": REPLICA, "KmsKeyId": "alias/eu"}]
    )
    versions = new_client(REPLICA).list_secret_version_ids(SecretId="k")["Versions"]
    assert versions[0]["KmsKeyIds"] == [key.arn]
    status = new_client(PRIMARY).describe_secret(SecretId="k")["ReplicationStatus"][0]
    assert status["KmsKeyId"] == key.arn


def test_primary_with_replicas_cannot_be_deleted_until_they_are_removed(replicated: dict[str, Any]) -> None:
    primary, replica = replicated["primary"], replicated["replica"]
    arn = primary.describe_secret(SecretId="app/db")["ARN"]
    with pytest.raises(primary.exceptions.InvalidParameterException) as info:  # SM-137
        primary.delete_secret(SecretId="app/db", ForceDeleteWithoutRecovery=True)
    assert info.value.response["Error"]["Message"] == (
        f"You can't delete secret {arn} that still has replica regions [{REPLICA}]."
    )
    removed = primary.remove_regions_from_replication(SecretId="app/db", RemoveReplicaRegions=[REPLICA])
    assert removed["ReplicationStatus"] == []
    with pytest.raises(replica.exceptions.ResourceNotFoundException):
        replica.describe_secret(SecretId="app/db")  # removed at once, no window (SPEC G8)
    primary.delete_secret(SecretId="app/db", ForceDeleteWithoutRecovery=True)


def test_existing_secret_in_the_target_region_fails_unless_overwrite_is_forced(sm_mock: SecretsManagerMock) -> None:
    primary, replica = new_client(PRIMARY), new_client(REPLICA)
    replica.create_secret(Name="clash", SecretString="local")
    primary.create_secret(Name="clash", SecretString="primary")
    status = primary.replicate_secret_to_regions(SecretId="clash", AddReplicaRegions=[{"Region": REPLICA}])[
        "ReplicationStatus"
    ][0]
    assert status["Status"] == "Failed"
    assert "already exists" in status["StatusMessage"]
    assert replica.get_secret_value(SecretId="clash")["SecretString"] == "local"
    forced = primary.replicate_secret_to_regions(
        SecretId="clash", AddReplicaRegions=[{"Region": REPLICA}], ForceOverwriteReplicaSecret=True
    )
    assert forced["ReplicationStatus"][0]["Status"] == "InSync"
    assert replica.get_secret_value(SecretId="clash")["SecretString"] == "primary"


@pytest.mark.parametrize("regions", [[{"Region": PRIMARY}], [{"Region": REPLICA}, {"Region": REPLICA}]])
def test_own_or_duplicate_region_is_invalid_and_changes_nothing(sm_client: Any, regions: list[dict[str, str]]) -> None:
    with pytest.raises(sm_client.exceptions.InvalidParameterException):
        sm_client.create_secret(Name="dup", SecretString="v", AddReplicaRegions=regions)
    with pytest.raises(sm_client.exceptions.ResourceNotFoundException):
        sm_client.describe_secret(SecretId="dup")


def test_stop_replication_promotes_the_replica(replicated: dict[str, Any]) -> None:
    primary, replica = replicated["primary"], replicated["replica"]
    replica_arn = replica.describe_secret(SecretId="app/db")["ARN"]
    assert replica.stop_replication_to_replica(SecretId=replica_arn)["ARN"] == replica_arn
    assert replica.describe_secret(SecretId="app/db")["PrimaryRegion"] == REPLICA
    assert "ReplicationStatus" not in primary.describe_secret(SecretId="app/db")
    primary.put_secret_value(SecretId="app/db", SecretString="primary-only")
    assert replica.get_secret_value(SecretId="app/db")["SecretString"] == "v1"  # no longer follows
    replica.put_secret_value(SecretId="app/db", SecretString="independent")  # now writable


def test_stop_replication_on_a_primary_is_invalid(replicated: dict[str, Any]) -> None:
    primary = replicated["primary"]
    with pytest.raises(primary.exceptions.InvalidRequestException, match="not a replica"):
        primary.stop_replication_to_replica(SecretId="app/db")


def test_unreplicated_secrets_have_no_replication_keys(sm_client: Any) -> None:
    sm_client.create_secret(Name="plain", SecretString="v")
    described = sm_client.describe_secret(SecretId="plain")
    assert "PrimaryRegion" not in described and "ReplicationStatus" not in described


def test_removing_a_region_that_is_not_replicated_is_invalid(replicated: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as info:
        replicated["primary"].remove_regions_from_replication(SecretId="app/db", RemoveReplicaRegions=["ap-south-1"])
    assert info.value.response["Error"]["Code"] == "InvalidParameterException"


# ---- failures are per replica and change nothing else (SPEC I5, A8) -------------------------------
def _status(client: Any, name: str) -> dict[str, str]:
    return {e["Region"]: e["Status"] for e in client.describe_secret(SecretId=name).get("ReplicationStatus", [])}


def test_a_replica_key_disabled_later_fails_that_replica_not_the_write(sm_mock: SecretsManagerMock) -> None:
    keyring = sm_mock.backend.keyring(sm_mock.account_id, "eu-west-2")
    key = keyring.create_key(alias="alias/rep")
    east = new_client(PRIMARY)
    east.create_secret(
        Name="app",
        SecretString="v1",
        AddReplicaRegions=[{"Region": REPLICA}, {"Region": "eu-west-2", "KmsKeyId": "alias/rep"}],
    )
    keyring.disable_key(key.arn)

    east.put_secret_value(SecretId="app", SecretString="v2")  # the write itself succeeds

    assert east.get_secret_value(SecretId="app")["SecretString"] == "v2"
    assert new_client(REPLICA).get_secret_value(SecretId="app")["SecretString"] == "v2"  # others still sync
    assert _status(east, "app") == {REPLICA: "InSync", "eu-west-2": "Failed"}
    failed = [e for e in east.describe_secret(SecretId="app")["ReplicationStatus"] if e["Status"] == "Failed"]
    assert "disabled" in failed[0]["StatusMessage"]
    keyring.enable_key(key.arn)
    assert new_client("eu-west-2").get_secret_value(SecretId="app")["SecretString"] == "v1"  # kept what it had


def test_an_unusable_replica_key_is_a_failed_status_and_the_others_are_made(sm_mock: SecretsManagerMock) -> None:
    keyring = sm_mock.backend.keyring(sm_mock.account_id, "eu-west-2")
    keyring.disable_key(keyring.create_key(alias="alias/off").arn)
    east = new_client(PRIMARY)
    east.create_secret(Name="app", SecretString="v1")
    answer = east.replicate_secret_to_regions(
        SecretId="app", AddReplicaRegions=[{"Region": REPLICA}, {"Region": "eu-west-2", "KmsKeyId": "alias/off"}]
    )
    assert {e["Region"]: e["Status"] for e in answer["ReplicationStatus"]} == {REPLICA: "InSync", "eu-west-2": "Failed"}
    assert new_client(REPLICA).get_secret_value(SecretId="app")["SecretString"] == "v1"
    with pytest.raises(ClientError):
        new_client("eu-west-2").describe_secret(SecretId="app")  # no half-made replica


@pytest.mark.parametrize("operation", ["create", "replicate"])
def test_a_bad_replica_key_id_fails_the_whole_call_and_leaves_nothing(
    sm_mock: SecretsManagerMock, operation: str
) -> None:
    east = new_client(PRIMARY)
    foreign_key = "arn:aws:kms:us-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"  # not eu-west-2's
    regions = [{"Region": REPLICA}, {"Region": "eu-west-2", "KmsKeyId": foreign_key}]
    if operation == "replicate":
        east.create_secret(Name="app", SecretString="v1")
    with pytest.raises(ClientError) as info:
        if operation == "create":
            east.create_secret(Name="app", SecretString="v1", AddReplicaRegions=regions)
        else:
            east.replicate_secret_to_regions(SecretId="app", AddReplicaRegions=regions)
    assert info.value.response["Error"]["Code"] == "InvalidParameterException"
    if operation == "create":
        with pytest.raises(east.exceptions.ResourceNotFoundException):
            east.describe_secret(SecretId="app")
    else:
        assert "ReplicationStatus" not in east.describe_secret(SecretId="app")
    with pytest.raises(ClientError):
        new_client(REPLICA).describe_secret(SecretId="app")


def test_force_overwrite_never_takes_over_another_replication(sm_mock: SecretsManagerMock) -> None:
    east, west = new_client(PRIMARY), new_client("us-west-2")
    east.create_secret(Name="app", SecretString="east", AddReplicaRegions=[{"Region": REPLICA}])
    west.create_secret(Name="app", SecretString="west")
    answer = west.replicate_secret_to_regions(
        SecretId="app", AddReplicaRegions=[{"Region": REPLICA}], ForceOverwriteReplicaSecret=True
    )
    assert answer["ReplicationStatus"][0]["Status"] == "Failed"
    assert new_client(REPLICA).get_secret_value(SecretId="app")["SecretString"] == "east"
    assert _status(east, "app") == {REPLICA: "InSync"}


def test_a_replica_into_a_full_region_fails_that_replica_only() -> None:
    # SPEC Q1: the secrets quota is per region, and a replica is a secret of its region; SPEC I5:
    # what stops one replica is that replica's Failed status, the others are made.
    from sm_mock import mock_secretsmanager

    with mock_secretsmanager(max_secrets=2) as sm:
        full = new_client(REPLICA)
        full.create_secret(Name="a", SecretString="v")
        full.create_secret(Name="b", SecretString="v")
        primary = new_client(PRIMARY)
        created = primary.create_secret(
            Name="app/db", SecretString="v", AddReplicaRegions=[{"Region": REPLICA}, {"Region": "us-west-2"}]
        )
        statuses = {s["Region"]: s for s in created["ReplicationStatus"]}
        assert statuses["us-west-2"]["Status"] == "InSync"
        assert statuses[REPLICA]["Status"] == "Failed"
        assert "maximum number of secrets (2)" in statuses[REPLICA]["StatusMessage"]
        assert "LimitExceededException" in statuses[REPLICA]["StatusMessage"]
        assert sorted(s["Name"] for s in full.list_secrets()["SecretList"]) == ["a", "b"]
        assert len(sm.backend.secrets(region=REPLICA)) == 2
        # Overwriting the secret of the same name takes its place, so a full region allows it.
        full.delete_secret(SecretId="a", ForceDeleteWithoutRecovery=True)
        full.create_secret(Name="app/db2", SecretString="v")
        other = primary.create_secret(Name="app/db2", SecretString="v")["ARN"]
        out = primary.replicate_secret_to_regions(
            SecretId=other, AddReplicaRegions=[{"Region": REPLICA}], ForceOverwriteReplicaSecret=True
        )
        assert out["ReplicationStatus"][0]["Status"] == "InSync"
        assert sorted(s["Name"] for s in full.list_secrets()["SecretList"]) == ["app/db2", "b"]


def test_a_failed_create_with_replica_regions_makes_no_region_or_key(sm_mock: SecretsManagerMock) -> None:
    # SPEC A8: the name is taken, so nothing may change, not even the replica region's default
    # key (it was made while checking the replica keys, before the name check). Found by the fuzzer.
    primary = new_client(PRIMARY)
    primary.create_secret(Name="app/db", SecretString="v")
    before = [(s.account_id, s.region, len(s.keyring._keys)) for s in sm_mock.backend.stores()]
    for regions in ([{"Region": "ap-south-1"}], [{"Region": "ap-south-1", "KmsKeyId": "alias/not-made-yet"}]):
        with pytest.raises(primary.exceptions.ResourceExistsException):
            primary.create_secret(Name="app/db", SecretString="v", AddReplicaRegions=regions)
        assert [(s.account_id, s.region, len(s.keyring._keys)) for s in sm_mock.backend.stores()] == before
    with pytest.raises(primary.exceptions.InvalidParameterException, match="not in this secret's account and region"):
        primary.create_secret(
            Name="app/new",
            SecretString="v",
            AddReplicaRegions=[{"Region": "ap-south-1", "KmsKeyId": "arn:aws:kms:eu-west-3:123456789012:key/abc"}],
        )
    assert primary.list_secrets()["SecretList"][0]["Name"] == "app/db"
    assert len(primary.list_secrets()["SecretList"]) == 1


def test_a_scheduled_rotation_reaches_the_replicas() -> None:
    # Issue 18, item 8: a rotation that fired when the clock passed its window left the replica
    # with AWSPENDING on the new version while its status said InSync.
    from test_rotation_schedule_time import LAMBDA_ARN, Counting, utc

    from sm_mock import ManualClock, mock_secretsmanager

    clock = ManualClock(utc(2026, 5, 1, 0, 30))
    with mock_secretsmanager(clock=clock) as sm:
        primary, replica = new_client(PRIMARY), new_client(REPLICA)
        primary.create_secret(Name="db", SecretString="initial", AddReplicaRegions=[{"Region": REPLICA}])
        sm.register_lambda(LAMBDA_ARN, Counting())
        primary.rotate_secret(
            SecretId="db",
            RotationLambdaARN=LAMBDA_ARN,
            RotationRules={"ScheduleExpression": "rate(4 hours)"},
            RotateImmediately=False,
        )
        clock.set(utc(2026, 5, 1, 9, 0))
        assert primary.get_secret_value(SecretId="db")["SecretString"] == "rotation-1"  # the window fired
        stages = primary.describe_secret(SecretId="db")["VersionIdsToStages"]
        assert sorted(label for labels in stages.values() for label in labels) == ["AWSCURRENT", "AWSPREVIOUS"]
        assert replica.describe_secret(SecretId="db")["VersionIdsToStages"] == stages
        assert replica.get_secret_value(SecretId="db")["SecretString"] == "rotation-1"
        (status,) = primary.describe_secret(SecretId="db")["ReplicationStatus"]
        assert status["Status"] == "InSync"
