"""Deletion windows, restore and the lazy purge (SPEC G1-G9), through real boto3 clients.

Time is moved by freezegun (``freeze_time(...)`` with ``.tick()`` / ``.move_to()``) and by
time-machine (``travel(...)`` with ``.shift()`` / ``.move_to()``): every test that moves the
clock runs once under each library (the ``clock`` fixture). sm_mock reads
``datetime.now(timezone.utc)`` on every request, so both move it; purging is lazy, with no
background thread.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

import boto3
import freezegun
import pytest
import time_machine
from support import fails

from sm_mock import SecretsManagerMock, SeedError, mock_secretsmanager

START = datetime(2030, 1, 1, 12, 0, tzinfo=timezone.utc)
MARKED = "You can't perform this operation on the secret because it was marked for deletion."
NOT_FOUND = "Secrets Manager can't find the specified secret."
SCHEDULED = "You can't create this secret because a secret with this name is already scheduled for deletion."
POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": "secretsmanager:GetSecretValue",
                "Resource": "*",
            }
        ],
    }
)


class Mover(Protocol):
    """What a test needs from a time-travel library."""

    def tick(self, delta: timedelta) -> None: ...

    def move_to(self, when: datetime) -> None: ...


class _Freezegun:
    def __init__(self, frozen: Any) -> None:
        self.frozen = frozen

    def tick(self, delta: timedelta) -> None:
        self.frozen.tick(delta)

    def move_to(self, when: datetime) -> None:
        self.frozen.move_to(when)


class _TimeMachine:
    def __init__(self, coordinates: Any) -> None:
        self.coordinates = coordinates

    def tick(self, delta: timedelta) -> None:
        self.coordinates.shift(delta)

    def move_to(self, when: datetime) -> None:
        self.coordinates.move_to(when)


@pytest.fixture(params=["freezegun", "time-machine"])
def clock(request: pytest.FixtureRequest) -> Iterator[Mover]:
    """The wall clock frozen at START, moved by freezegun or by time-machine."""
    if request.param == "freezegun":
        freezer = freezegun.freeze_time(START)
        frozen = freezer.start()
        try:
            yield _Freezegun(frozen)
        finally:
            freezer.stop()
    else:
        traveller = time_machine.travel(START, tick=False)
        coordinates = traveller.start()
        try:
            yield _TimeMachine(coordinates)
        finally:
            traveller.stop()


@pytest.fixture
def sm(clock: Mover) -> Iterator[SecretsManagerMock]:
    with mock_secretsmanager() as mock:
        yield mock


@pytest.fixture
def client(sm: SecretsManagerMock) -> Any:
    return sm.client()


def _state(sm: SecretsManagerMock, client: Any, name: str) -> dict[str, Any]:
    """Everything a failed request must leave as it was: API view and backend view."""
    described = client.describe_secret(SecretId=name)
    described.pop("ResponseMetadata")
    versions = client.list_secret_version_ids(SecretId=name, IncludeDeprecated=True)
    versions.pop("ResponseMetadata")
    secret = sm.backend.get(name, account_id=sm.account_id, region=sm.region)
    return {
        "describe": described,
        "versions": versions,
        "stages": dict(secret.stages),
        "version_ids": list(secret.versions),
        "tags": dict(secret.tags),
        "policy": secret.policy,
        "deleted_at": secret.deleted_at,
        "deletion_date": secret.deletion_date,
        "description": secret.description,
        "kms_key": secret.kms_key,
        "last_changed": secret.last_changed,
    }


def _create(client: Any, name: str = "app/db", **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "Name": name,
        "SecretString": "s3cret",
        "Tags": [{"Key": "team", "Value": "a"}],
        **extra,
    }
    return client.create_secret(**params)  # type: ignore[no-any-return]


# ---- DeleteSecret -----------------------------------------------------------------------------
def test_delete_defaults_to_a_thirty_day_window(client: Any) -> None:
    arn = _create(client)["ARN"]
    response = client.delete_secret(SecretId="app/db")
    response.pop("ResponseMetadata")
    assert set(response) == {"ARN", "DeletionDate", "Name"}  # SM-079
    assert response["ARN"] == arn
    assert response["Name"] == "app/db"
    assert response["DeletionDate"] == START + timedelta(days=30)


@pytest.mark.parametrize("days", [7, 8, 15, 29, 30])
def test_delete_accepts_every_window_from_7_to_30_days(client: Any, days: int) -> None:
    _create(client)
    response = client.delete_secret(SecretId="app/db", RecoveryWindowInDays=days)
    assert response["DeletionDate"] == START + timedelta(days=days)
    assert client.describe_secret(SecretId="app/db")["DeletedDate"] == START


@pytest.mark.parametrize("days", [-1, 0, 1, 5, 6, 31, 365])
def test_delete_rejects_a_window_outside_7_to_30_and_changes_nothing(
    sm: SecretsManagerMock, client: Any, days: int
) -> None:
    _create(client)
    before = _state(sm, client, "app/db")
    fails(
        client.delete_secret,
        "InvalidParameterException",
        "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).",  # SM-045
        SecretId="app/db",
        RecoveryWindowInDays=days,
    )
    assert _state(sm, client, "app/db") == before
    assert client.get_secret_value(SecretId="app/db")["SecretString"] == "s3cret"


def test_delete_rejects_force_together_with_a_window_and_changes_nothing(sm: SecretsManagerMock, client: Any) -> None:
    _create(client)
    before = _state(sm, client, "app/db")
    fails(
        client.delete_secret,
        "InvalidParameterException",
        "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",  # SM-046
        SecretId="app/db",
        RecoveryWindowInDays=7,
        ForceDeleteWithoutRecovery=True,
    )
    assert _state(sm, client, "app/db") == before


def test_force_false_with_a_window_is_an_ordinary_scheduled_deletion(client: Any) -> None:
    _create(client)
    response = client.delete_secret(SecretId="app/db", RecoveryWindowInDays=10, ForceDeleteWithoutRecovery=False)
    assert response["DeletionDate"] == START + timedelta(days=10)


def test_delete_with_the_recovery_window_overridden_by_the_mock(clock: Mover) -> None:
    with mock_secretsmanager(default_recovery_days=7, max_recovery_days=10) as sm:
        client = sm.client()
        _create(client)
        fails(
            client.delete_secret,
            "InvalidParameterException",
            "The RecoveryWindowInDays value must be between 7 and 10 days (inclusive).",
            SecretId="app/db",
            RecoveryWindowInDays=11,
        )
        assert client.delete_secret(SecretId="app/db")["DeletionDate"] == START + timedelta(days=7)


def test_force_delete_removes_the_secret_at_once_and_frees_the_name(client: Any) -> None:
    created = _create(client)
    response = client.delete_secret(SecretId="app/db", ForceDeleteWithoutRecovery=True)
    response.pop("ResponseMetadata")
    assert set(response) == {"ARN", "DeletionDate", "Name"}  # SM-080
    assert response["ARN"] == created["ARN"]
    assert response["DeletionDate"] == START
    fails(client.describe_secret, "ResourceNotFoundException", NOT_FOUND, SecretId="app/db")
    fails(client.restore_secret, "ResourceNotFoundException", NOT_FOUND, SecretId="app/db")
    again = client.create_secret(Name="app/db", SecretString="x")  # SM-062 / SM-028's note
    assert again["ARN"] != created["ARN"]
    assert again["VersionId"] != created["VersionId"]


def test_force_delete_of_a_missing_secret_succeeds(client: Any) -> None:
    response = client.delete_secret(SecretId="never-created", ForceDeleteWithoutRecovery=True)  # SM-082
    assert response["Name"] == "never-created"
    assert response["ARN"].startswith("arn:aws:secretsmanager:us-east-1:123456789012:secret:never-created-")
    assert len(response["ARN"].rsplit("-", 1)[1]) == 6
    assert response["DeletionDate"] == START
    fails(client.describe_secret, "ResourceNotFoundException", SecretId="never-created")


def test_force_delete_of_a_missing_full_arn_answers_with_that_arn_and_its_name(client: Any) -> None:
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:gone/one-AbC123"
    response = client.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)
    assert response["ARN"] == arn
    assert response["Name"] == "gone/one"


def test_delete_of_a_missing_secret_without_force_is_not_found(client: Any) -> None:
    fails(client.delete_secret, "ResourceNotFoundException", NOT_FOUND, SecretId="never-created")  # SM-048


def test_deleting_again_while_scheduled_fails_and_keeps_the_first_date(
    sm: SecretsManagerMock, client: Any, clock: Mover
) -> None:
    _create(client)
    first = client.delete_secret(SecretId="app/db", RecoveryWindowInDays=7)["DeletionDate"]
    clock.tick(timedelta(days=1))
    before = _state(sm, client, "app/db")
    for extra in ({}, {"RecoveryWindowInDays": 30}):
        fails(
            client.delete_secret,
            "InvalidRequestException",
            "You tried to perform the operation on a secret that's currently marked deleted.",  # SM-047
            SecretId="app/db",
            **extra,
        )
    assert _state(sm, client, "app/db") == before
    assert sm.backend.get("app/db", account_id=sm.account_id, region=sm.region).deletion_date == first


def test_force_delete_of_a_scheduled_secret_removes_it_at_once(client: Any) -> None:
    arn = _create(client)["ARN"]
    client.delete_secret(SecretId="app/db", RecoveryWindowInDays=7)
    assert client.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)["ARN"] == arn
    fails(client.describe_secret, "ResourceNotFoundException", SecretId=arn)
    client.create_secret(Name="app/db", SecretString="x")


# ---- while scheduled for deletion --------------------------------------------------------------
def _blocked_calls(version: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """SPEC G4's table: every operation that must refuse a secret scheduled for deletion."""
    calls: dict[str, tuple[str, dict[str, Any]]] = {
        "GetSecretValue": ("get_secret_value", {}),  # SM-024
        "GetSecretValue by id": ("get_secret_value", {"VersionId": version}),
        "PutSecretValue": ("put_secret_value", {"SecretString": "new"}),  # SM-025
        "UpdateSecret value": ("update_secret", {"SecretString": "new"}),  # SM-026
        "UpdateSecret description": ("update_secret", {"Description": "new"}),
        "UpdateSecretVersionStage": (  # SM-027
            "update_secret_version_stage",
            {"VersionStage": "CUSTOM", "MoveToVersionId": version},
        ),
        "TagResource": ("tag_resource", {"Tags": [{"Key": "k", "Value": "v"}]}),
        "UntagResource": ("untag_resource", {"TagKeys": ["team"]}),  # SM-023
        "PutResourcePolicy": ("put_resource_policy", {"ResourcePolicy": POLICY}),
        "DeleteResourcePolicy": ("delete_resource_policy", {}),
    }
    return calls


BLOCKED = sorted(_blocked_calls("x"))


@pytest.mark.parametrize("case", BLOCKED)
@pytest.mark.parametrize("by", ["name", "arn"])
def test_operations_on_a_secret_scheduled_for_deletion_fail_and_change_nothing(
    sm: SecretsManagerMock, client: Any, case: str, by: str
) -> None:
    created = _create(client)
    client.put_resource_policy(SecretId="app/db", ResourcePolicy=POLICY)
    client.delete_secret(SecretId="app/db", RecoveryWindowInDays=7)
    before = _state(sm, client, "app/db")
    method, params = _blocked_calls(created["VersionId"])[case]
    secret_id = created["ARN"] if by == "arn" else "app/db"
    fails(getattr(client, method), "InvalidRequestException", MARKED, SecretId=secret_id, **params)
    assert _state(sm, client, "app/db") == before


@pytest.mark.parametrize("operation", ["RotateSecret", "CancelRotateSecret"])
def test_rotation_calls_on_a_secret_scheduled_for_deletion_fail(
    sm: SecretsManagerMock, client: Any, operation: str
) -> None:
    lambda_arn = "arn:aws:lambda:us-east-1:123456789012:function:rotate"
    sm.register_lambda(lambda_arn, lambda event, context: None)
    _create(client)
    client.delete_secret(SecretId="app/db", RecoveryWindowInDays=7)
    before = _state(sm, client, "app/db")
    params: dict[str, Any] = {"SecretId": "app/db"}
    if operation == "RotateSecret":
        params["RotationLambdaARN"] = lambda_arn
        params["RotationRules"] = {"AutomaticallyAfterDays": 30}
        fails(client.rotate_secret, "InvalidRequestException", **params)
    else:
        fails(client.cancel_rotate_secret, "InvalidRequestException", **params)
    assert _state(sm, client, "app/db") == before


def test_describe_still_works_and_shows_deleted_date(client: Any, clock: Mover) -> None:
    created = _create(client, Description="d")
    clock.tick(timedelta(hours=3))
    client.delete_secret(SecretId=created["ARN"], RecoveryWindowInDays=7)
    described = client.describe_secret(SecretId=created["ARN"])
    assert described["DeletedDate"] == START + timedelta(hours=3)  # SPEC G5: the request time
    assert described["VersionIdsToStages"] == {created["VersionId"]: ["AWSCURRENT"]}  # SM-073
    assert described["Tags"] == [{"Key": "team", "Value": "a"}]
    assert described["Description"] == "d"


def test_describe_of_a_scheduled_secret_has_the_recorded_keys(client: Any) -> None:
    created = client.create_secret(Name="plain", SecretString="my_secret")
    client.delete_secret(SecretId=created["ARN"])
    described = client.describe_secret(SecretId=created["ARN"])
    described.pop("ResponseMetadata")
    assert set(described) == {"ARN", "CreatedDate", "DeletedDate", "LastChangedDate", "Name", "VersionIdsToStages"}


def test_list_secret_version_ids_still_works(client: Any) -> None:
    created = _create(client)
    client.delete_secret(SecretId="app/db")
    listed = client.list_secret_version_ids(SecretId="app/db")  # SM-058
    assert listed["ARN"] == created["ARN"]
    assert listed["Name"] == "app/db"
    assert [v["VersionId"] for v in listed["Versions"]] == [created["VersionId"]]


def test_get_resource_policy_still_works(client: Any) -> None:
    _create(client)
    client.put_resource_policy(SecretId="app/db", ResourcePolicy=POLICY)
    client.delete_secret(SecretId="app/db")
    assert client.get_resource_policy(SecretId="app/db")["ResourcePolicy"] == POLICY


def test_list_secrets_hides_a_scheduled_secret_unless_asked(client: Any) -> None:
    _create(client, "a/kept")
    _create(client, "a/deleted")
    client.delete_secret(SecretId="a/deleted")
    names = [s["Name"] for s in client.list_secrets()["SecretList"]]  # SM-122
    assert names == ["a/kept"]
    listed = client.list_secrets(IncludePlannedDeletion=True)["SecretList"]
    by_name = {s["Name"]: s for s in listed}
    assert set(by_name) == {"a/kept", "a/deleted"}
    assert by_name["a/deleted"]["DeletedDate"] == START


def test_batch_get_reports_a_scheduled_secret_in_errors(client: Any) -> None:
    _create(client, "a")
    _create(client, "b")
    client.delete_secret(SecretId="a")
    response = client.batch_get_secret_value(SecretIdList=["a", "b"])  # SM-057
    assert [v["Name"] for v in response["SecretValues"]] == ["b"]
    assert [(e["SecretId"], e["ErrorCode"]) for e in response["Errors"]] == [("a", "InvalidRequestException")]


def test_create_with_the_name_of_a_scheduled_secret_fails(sm: SecretsManagerMock, client: Any) -> None:
    _create(client)
    client.delete_secret(SecretId="app/db", RecoveryWindowInDays=7)
    before = _state(sm, client, "app/db")
    fails(client.create_secret, "InvalidRequestException", SCHEDULED, Name="app/db", SecretString="x")  # SM-002
    fails(client.create_secret, "InvalidRequestException", SCHEDULED, Name="app/db")
    assert _state(sm, client, "app/db") == before
    with pytest.raises(SeedError) as info:
        sm.backend.create_secret("app/db", secret_string="x")
    assert info.value.code == "InvalidRequestException"


def test_create_with_a_scheduled_name_fails_even_with_the_original_token(client: Any) -> None:
    token = "11111111-2222-4333-8444-555555555555"
    client.create_secret(Name="app/db", SecretString="s3cret", ClientRequestToken=token)
    client.delete_secret(SecretId="app/db")
    fails(
        client.create_secret,
        "InvalidRequestException",
        SCHEDULED,
        Name="app/db",
        SecretString="s3cret",
        ClientRequestToken=token,
    )


# ---- RestoreSecret ------------------------------------------------------------------------------
def test_restore_makes_the_secret_usable_again_with_everything_kept(
    sm: SecretsManagerMock, client: Any, clock: Mover
) -> None:
    created = _create(client)
    client.put_secret_value(SecretId="app/db", SecretString="second")
    client.put_resource_policy(SecretId="app/db", ResourcePolicy=POLICY)
    live = _state(sm, client, "app/db")
    client.delete_secret(SecretId="app/db", RecoveryWindowInDays=7)
    clock.tick(timedelta(days=6, hours=23))
    response = client.restore_secret(SecretId="app/db")
    response.pop("ResponseMetadata")
    assert response == {"ARN": created["ARN"], "Name": "app/db"}  # SM-084
    restored = _state(sm, client, "app/db")
    assert "DeletedDate" not in restored["describe"]
    assert restored == live
    assert client.get_secret_value(SecretId="app/db")["SecretString"] == "second"
    client.put_secret_value(SecretId="app/db", SecretString="third")
    client.tag_resource(SecretId="app/db", Tags=[{"Key": "k", "Value": "v"}])


def test_restored_secret_is_not_purged_when_the_old_date_passes(client: Any, clock: Mover) -> None:
    _create(client)
    client.delete_secret(SecretId="app/db", RecoveryWindowInDays=7)
    client.restore_secret(SecretId="app/db")
    clock.tick(timedelta(days=400))
    assert client.get_secret_value(SecretId="app/db")["SecretString"] == "s3cret"


def test_restore_of_a_secret_that_is_not_deleted_is_a_no_op(sm: SecretsManagerMock, client: Any) -> None:
    created = _create(client)
    before = _state(sm, client, "app/db")
    assert client.restore_secret(SecretId="app/db")["ARN"] == created["ARN"]  # SPEC G6 recommendation
    assert _state(sm, client, "app/db") == before


def test_restore_of_a_missing_secret_is_not_found(client: Any) -> None:
    fails(client.restore_secret, "ResourceNotFoundException", NOT_FOUND, SecretId="never-created")


def test_delete_after_restore_starts_a_new_window(client: Any, clock: Mover) -> None:
    _create(client)
    client.delete_secret(SecretId="app/db", RecoveryWindowInDays=7)
    clock.tick(timedelta(days=5))
    client.restore_secret(SecretId="app/db")
    clock.tick(timedelta(days=1))
    second = client.delete_secret(SecretId="app/db", RecoveryWindowInDays=7)["DeletionDate"]
    assert second == START + timedelta(days=13)
    clock.move_to(START + timedelta(days=12))  # past the first window's end, inside the second
    assert client.describe_secret(SecretId="app/db")["DeletedDate"] == START + timedelta(days=6)


# ---- the purge ----------------------------------------------------------------------------------
def _after_the_window(client: Any, sm: SecretsManagerMock, clock: Mover, how: str) -> dict[str, Any]:
    created = _create(client)
    deletion = client.delete_secret(SecretId="app/db", RecoveryWindowInDays=7)["DeletionDate"]
    if how == "tick":
        clock.tick(timedelta(days=7))
    else:
        clock.move_to(deletion)
    return created


@pytest.mark.parametrize("how", ["tick", "move_to"])
def test_a_secret_is_gone_for_good_once_the_clock_reaches_its_deletion_date(
    sm: SecretsManagerMock, client: Any, clock: Mover, how: str
) -> None:
    created = _after_the_window(client, sm, clock, how)
    for secret_id in ("app/db", created["ARN"], created["ARN"][:-7]):
        fails(client.describe_secret, "ResourceNotFoundException", NOT_FOUND, SecretId=secret_id)
        fails(client.restore_secret, "ResourceNotFoundException", NOT_FOUND, SecretId=secret_id)
        fails(client.get_secret_value, "ResourceNotFoundException", NOT_FOUND, SecretId=secret_id)
    assert sm.backend.secrets() == []


_EVERYWHERE: list[tuple[str, dict[str, Any]]] = [
    ("describe_secret", {}),
    ("get_secret_value", {}),
    ("put_secret_value", {"SecretString": "new"}),
    ("update_secret", {"SecretString": "new"}),
    ("update_secret", {"Description": "new"}),
    ("update_secret_version_stage", {"VersionStage": "X", "MoveToVersionId": "v" * 32}),
    ("tag_resource", {"Tags": [{"Key": "k", "Value": "v"}]}),
    ("untag_resource", {"TagKeys": ["team"]}),
    ("put_resource_policy", {"ResourcePolicy": POLICY}),
    ("get_resource_policy", {}),
    ("delete_resource_policy", {}),
    ("list_secret_version_ids", {}),
    ("restore_secret", {}),
    ("delete_secret", {}),
    ("delete_secret", {"RecoveryWindowInDays": 7}),
]


@pytest.mark.parametrize(("method", "params"), _EVERYWHERE, ids=[f"{m}-{i}" for i, (m, _) in enumerate(_EVERYWHERE)])
def test_after_the_purge_every_operation_answers_not_found(
    sm: SecretsManagerMock, client: Any, clock: Mover, method: str, params: dict[str, Any]
) -> None:
    _after_the_window(client, sm, clock, "tick")
    fails(getattr(client, method), "ResourceNotFoundException", NOT_FOUND, SecretId="app/db", **params)


def test_force_delete_after_the_purge_still_succeeds(sm: SecretsManagerMock, client: Any, clock: Mover) -> None:
    _after_the_window(client, sm, clock, "tick")
    assert client.delete_secret(SecretId="app/db", ForceDeleteWithoutRecovery=True)["Name"] == "app/db"


def test_restore_works_until_the_last_instant_of_the_window(client: Any, clock: Mover) -> None:
    _create(client)
    deletion = client.delete_secret(SecretId="app/db", RecoveryWindowInDays=7)["DeletionDate"]
    clock.move_to(deletion - timedelta(microseconds=1))
    client.restore_secret(SecretId="app/db")
    assert client.get_secret_value(SecretId="app/db")["SecretString"] == "s3cret"


def test_the_name_is_free_again_after_the_purge_with_a_new_arn(
    sm: SecretsManagerMock, client: Any, clock: Mover
) -> None:
    old = _after_the_window(client, sm, clock, "tick")
    new = client.create_secret(Name="app/db", SecretString="fresh")
    assert new["ARN"] != old["ARN"]
    assert new["ARN"][:-7] == old["ARN"][:-7]  # same name, new random suffix (SPEC B6)
    fails(client.describe_secret, "ResourceNotFoundException", SecretId=old["ARN"])
    described = client.describe_secret(SecretId="app/db")
    assert "DeletedDate" not in described
    assert "Tags" not in described  # nothing of the old secret survives
    assert described["CreatedDate"] == START + timedelta(days=7)
    assert client.get_secret_value(SecretId=new["ARN"])["SecretString"] == "fresh"


def test_the_name_is_free_for_backend_seeding_after_the_purge(
    sm: SecretsManagerMock, client: Any, clock: Mover
) -> None:
    old = _after_the_window(client, sm, clock, "move_to")
    secret = sm.backend.create_secret("app/db", secret_string="seeded")
    assert secret.arn != old["ARN"]
    assert client.get_secret_value(SecretId="app/db")["SecretString"] == "seeded"


def test_an_expired_secret_frees_its_quota_slot_without_being_looked_up(clock: Mover) -> None:
    with mock_secretsmanager(max_secrets=2) as sm:
        client = sm.client()
        _create(client, "a")
        _create(client, "b")
        client.delete_secret(SecretId="a", RecoveryWindowInDays=7)
        fails(client.create_secret, "LimitExceededException", Name="c", SecretString="x")
        clock.tick(timedelta(days=7))
        client.create_secret(Name="c", SecretString="x")  # "a" was never touched after expiring
        assert sorted(s.name for s in sm.backend.secrets()) == ["b", "c"]


def test_purging_is_lazy_and_uses_no_background_thread(sm: SecretsManagerMock, client: Any, clock: Mover) -> None:
    threads = set(threading.enumerate())
    _create(client)
    client.delete_secret(SecretId="app/db", RecoveryWindowInDays=7)
    clock.tick(timedelta(days=8))
    store = sm.backend.store(sm.account_id, sm.region)
    assert "app/db" in store.by_name  # nothing ran while the clock moved
    fails(client.describe_secret, "ResourceNotFoundException", SecretId="app/db")
    assert "app/db" not in store.by_name  # the lookup purged it
    assert set(threading.enumerate()) == threads


def test_each_secret_keeps_its_own_window(client: Any, clock: Mover) -> None:
    for name, days in (("w7", 7), ("w10", 10), ("w30", 30)):
        _create(client, name)
        client.delete_secret(SecretId=name, RecoveryWindowInDays=days)
    clock.tick(timedelta(days=9))
    fails(client.describe_secret, "ResourceNotFoundException", SecretId="w7")
    client.restore_secret(SecretId="w10")
    clock.tick(timedelta(days=30))
    assert "DeletedDate" not in client.describe_secret(SecretId="w10")
    fails(client.describe_secret, "ResourceNotFoundException", SecretId="w30")


# ---- the libraries' own idioms ------------------------------------------------------------------
@freezegun.freeze_time("2031-06-01 00:00:00")
@mock_secretsmanager
def test_freezegun_decorator_and_tick() -> None:
    client = boto3.client("secretsmanager", region_name="us-east-1")
    client.create_secret(Name="x", SecretString="v")
    deletion = client.delete_secret(SecretId="x", RecoveryWindowInDays=7)["DeletionDate"]
    assert deletion == datetime(2031, 6, 8, tzinfo=timezone.utc)
    with freezegun.freeze_time("2031-06-07 23:59:59"):
        assert "DeletedDate" in client.describe_secret(SecretId="x")
    with freezegun.freeze_time("2031-06-08 00:00:00"):
        fails(client.describe_secret, "ResourceNotFoundException", SecretId="x")


def test_freezegun_tick_mode_runs_the_clock() -> None:
    with freezegun.freeze_time(START, tick=True) as frozen, mock_secretsmanager() as sm:
        client = sm.client()
        client.create_secret(Name="x", SecretString="v")
        client.delete_secret(SecretId="x", RecoveryWindowInDays=7)
        # tick() restarts from the frozen instant (dropping the real time that ran since),
        # so go a second further than the window.
        frozen.tick(timedelta(days=7, seconds=1))
        fails(client.describe_secret, "ResourceNotFoundException", SecretId="x")


def test_time_machine_travel_as_context_manager_and_decorator() -> None:
    @time_machine.travel(START + timedelta(days=7), tick=False)
    def later(client: Any) -> None:
        fails(client.get_secret_value, "ResourceNotFoundException", SecretId="x")

    with time_machine.travel(START, tick=False), mock_secretsmanager() as sm:
        client = sm.client()
        client.create_secret(Name="x", SecretString="v")
        client.delete_secret(SecretId="x", RecoveryWindowInDays=7)
        with time_machine.travel(START + timedelta(days=6, hours=23)):
            assert "DeletedDate" in client.describe_secret(SecretId="x")
        later(client)


def test_an_injected_clock_drives_the_purge_too() -> None:
    now = [START]
    with mock_secretsmanager(clock=lambda: now[0]) as sm:
        client = sm.client()
        client.create_secret(Name="x", SecretString="v")
        assert client.delete_secret(SecretId="x", RecoveryWindowInDays=7)["DeletionDate"] == START + timedelta(days=7)
        now[0] = START + timedelta(days=7)
        fails(client.describe_secret, "ResourceNotFoundException", SecretId="x")
