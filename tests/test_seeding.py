"""Backend seeding (sm_mock.model.seeding): many secrets without the client, same state.

The central check builds one secret through CreateSecret and its twin through
``sm.backend.create_secret`` in two mocks with the same seed and the same frozen clock, and
compares everything: the API's view (DescribeSecret, ListSecretVersionIds, GetSecretValue)
and the backend's (ARN, versions, labels, keys, envelope shape, dates, sequence numbers).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import time_machine
from botocore.exceptions import ClientError

from sm_mock import SecretsManagerMock, SecretSpec, SeedError, mock_secretsmanager
from sm_mock.errors import SmMockError
from sm_mock.model.labels import check_invariants
from sm_mock.model.secret import Secret

START = datetime(2030, 5, 17, 8, 30, tzinfo=timezone.utc)
TOKEN = "0c6f2f1e-4a7b-4c55-9a51-3b1b5a0f0001"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.fixture
def sm() -> Iterator[SecretsManagerMock]:
    with time_machine.travel(START, tick=False), mock_secretsmanager() as mock:
        yield mock


def _backend_view(secret: Secret) -> dict[str, Any]:
    # The default aws/secretsmanager key gets a random key id in each mock (as each AWS
    # account has its own), so it is compared by role; customer keys by ARN.
    def key(arn: str) -> str:
        return "<default key>" if arn == secret.kms_key.arn and secret.kms_key.is_default else arn

    return {
        "arn": secret.arn,
        "name": secret.name,
        "account": secret.account_id,
        "region": secret.region,
        "created": secret.created,
        "kms_key": key(secret.kms_key.arn),
        "kms_default": secret.kms_key.is_default,
        "kms_explicit": secret.kms_key_explicit,
        "description": secret.description,
        "tags": list(secret.tags.items()),
        "tags_touched": secret.tags_touched,
        "stages": dict(secret.stages),
        "last_changed": secret.last_changed,
        "last_accessed": secret.last_accessed,
        "deleted": (secret.deleted_at, secret.deletion_date),
        "rotation": secret.rotation,
        "policy": secret.policy,
        "owning_service": secret.owning_service,
        "type": secret.type,
        "seq": secret.seq,
        "versions": [
            (
                v.version_id,
                v.created,
                v.binary,
                [key(k.arn) for k in v.keys],
                v.last_accessed,
                None if v.envelope is None else (sorted(map(key, v.envelope.wrapped)), len(v.envelope.ciphertext)),
            )
            for v in secret.versions.values()
        ],
    }


def _api_view(client: Any, name: str) -> dict[str, Any]:
    described = client.describe_secret(SecretId=name)
    versions = client.list_secret_version_ids(SecretId=name, IncludeDeprecated=True)
    out: dict[str, Any] = {"describe": described, "versions": versions}
    if described.get("VersionIdsToStages"):
        out["value"] = client.get_secret_value(SecretId=name)
    for part in out.values():
        part.pop("ResponseMetadata")
    return out


def _twins(name: str, api_params: dict[str, Any], seed_params: dict[str, Any], *, region: str = "us-east-1") -> None:
    views = []
    for how in ("api", "seed"):
        with time_machine.travel(START, tick=False), mock_secretsmanager(seed=42, region=region) as mock:
            client = mock.client()
            client.create_secret(Name="first", SecretString="bump the sequence")
            if how == "api":
                client.create_secret(Name=name, **api_params)
            else:
                mock.backend.create_secret(name, **seed_params)
            secret = mock.backend.get(name, account_id=mock.account_id, region=region)
            check_invariants(secret, mock.limits)
            views.append((_backend_view(secret), _api_view(client, name)))
    assert views[0] == views[1]


# ---- exactly the state CreateSecret builds ------------------------------------------------------
def test_a_seeded_string_secret_equals_an_api_created_one() -> None:
    _twins(
        "db/password",
        {"SecretString": "hunter2", "ClientRequestToken": TOKEN},
        {"secret_string": "hunter2", "version_id": TOKEN},
    )


def test_a_seeded_binary_secret_with_metadata_equals_an_api_created_one() -> None:
    _twins(
        "bin",
        {
            "SecretBinary": b"\x00\xffbytes",
            "ClientRequestToken": TOKEN,
            "Description": "a description",
            "Tags": [{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "1"}],
            "KmsKeyId": KEY_ARN,
        },
        {
            "secret_binary": b"\x00\xffbytes",
            "version_id": TOKEN,
            "description": "a description",
            "tags": {"b": "2", "a": "1"},
            "kms_key_id": KEY_ARN,
        },
    )


def test_a_seeded_secret_without_a_value_equals_an_api_created_one() -> None:
    _twins("empty", {}, {})


def test_empty_tags_are_kept_as_an_empty_tags_list_like_the_api() -> None:
    _twins(
        "t",
        {"SecretString": "v", "ClientRequestToken": TOKEN, "Tags": []},
        {"secret_string": "v", "version_id": TOKEN, "tags": {}},
    )


def test_a_seeded_secret_in_another_region_equals_an_api_created_one() -> None:
    _twins(
        "r",
        {"SecretString": "v", "ClientRequestToken": TOKEN},
        {"secret_string": "v", "version_id": TOKEN},
        region="eu-west-1",
    )


def test_a_seeded_secret_is_sealed_never_stored_in_plaintext(sm: SecretsManagerMock) -> None:
    secret = sm.backend.create_secret("s", secret_string="plain-text-marker")
    version = secret.current
    assert version is not None and version.envelope is not None
    assert b"plain-text-marker" not in version.envelope.ciphertext
    assert all(b"plain-text-marker" not in w.blob for w in version.envelope.wrapped.values())
    assert sm.backend.reveal("s", account_id=sm.account_id, region=sm.region) == "plain-text-marker"


def test_a_seeded_secret_has_the_api_shape_of_arn_version_and_dates(sm: SecretsManagerMock) -> None:
    secret = sm.backend.create_secret("app/s", secret_string="v")
    assert secret.arn.startswith("arn:aws:secretsmanager:us-east-1:123456789012:secret:app/s-")
    assert len(secret.arn) - len("arn:aws:secretsmanager:us-east-1:123456789012:secret:app/s-") == 6
    assert secret.created == secret.last_changed == START
    (version_id,) = secret.versions
    assert len(version_id) == 36  # a UUID, as boto3's ClientRequestToken
    assert secret.stages == {"AWSCURRENT": version_id}


# ---- seeded secrets behave like any other -------------------------------------------------------
def test_seeded_secrets_work_through_every_api(sm: SecretsManagerMock) -> None:
    client = sm.client()
    seeded = sm.backend.create_secret("s", secret_string="v1", tags={"team": "a"})
    assert client.get_secret_value(SecretId=seeded.arn)["SecretString"] == "v1"
    assert client.get_secret_value(SecretId="s")["VersionId"] == seeded.stages["AWSCURRENT"]
    client.put_secret_value(SecretId="s", SecretString="v2")
    assert client.describe_secret(SecretId="s")["Tags"] == [{"Key": "team", "Value": "a"}]
    client.delete_secret(SecretId="s", RecoveryWindowInDays=7)
    client.restore_secret(SecretId="s")
    client.delete_secret(SecretId="s", ForceDeleteWithoutRecovery=True)
    with pytest.raises(ClientError):
        client.describe_secret(SecretId="s")


def test_seeded_secrets_are_listed(sm: SecretsManagerMock) -> None:
    client = sm.client()
    client.create_secret(Name="via-api", SecretString="v")
    sm.backend.seed(5, name="seeded-{i}")
    names = [s["Name"] for page in client.get_paginator("list_secrets").paginate() for s in page["SecretList"]]
    assert sorted(names) == ["seeded-0", "seeded-1", "seeded-2", "seeded-3", "seeded-4", "via-api"]


def test_the_api_sees_a_name_taken_by_seeding_and_seeding_a_name_taken_by_the_api(sm: SecretsManagerMock) -> None:
    client = sm.client()
    sm.backend.create_secret("a", secret_string="v")
    with pytest.raises(ClientError) as info:
        client.create_secret(Name="a", SecretString="v")
    assert info.value.response["Error"]["Code"] == "ResourceExistsException"
    client.create_secret(Name="b", SecretString="v")
    with pytest.raises(SeedError) as seed_info:
        sm.backend.create_secret("b", secret_string="v")
    assert seed_info.value.code == "ResourceExistsException"
    assert "already exists" in seed_info.value.message


def test_seeding_goes_to_the_mocks_region_and_account_by_default() -> None:
    with mock_secretsmanager(region="ap-south-1", account_id="210987654321") as sm:
        secret = sm.backend.create_secret("x", secret_string="v")
        assert secret.arn.startswith("arn:aws:secretsmanager:ap-south-1:210987654321:secret:x-")
        assert sm.client().get_secret_value(SecretId="x")["SecretString"] == "v"


def test_seeding_into_an_explicit_region_and_account(sm: SecretsManagerMock) -> None:
    secret = sm.backend.create_secret("x", secret_string="v", region="eu-west-1", account_id="111122223333")
    assert secret.arn.startswith("arn:aws:secretsmanager:eu-west-1:111122223333:secret:x-")
    other = sm.client(region_name="eu-west-1", aws_access_key_id="111122223333", aws_secret_access_key="x")
    assert other.get_secret_value(SecretId="x")["SecretString"] == "v"
    with pytest.raises(ClientError):
        sm.client().describe_secret(SecretId="x")


def test_seeding_under_a_seed_is_reproducible() -> None:
    arns = []
    for _ in range(2):
        with mock_secretsmanager(seed=99) as sm:
            arns.append([s.arn for s in sm.backend.seed(20)] + [sorted(s.versions) for s in sm.backend.secrets()])
    assert arns[0] == arns[1]


def test_seeded_creation_time_follows_the_clock(sm: SecretsManagerMock) -> None:
    with time_machine.travel(START + timedelta(days=3), tick=False):
        secret = sm.backend.create_secret("later", secret_string="v")
    assert secret.created == START + timedelta(days=3)


# ---- refusals: the same as CreateSecret's, raised as SeedError ----------------------------------
@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"name": "has space"}, "ValidationException"),  # SM-003
        ({"name": "n" * 513}, "ValidationException"),
        ({"name": ""}, "ValidationException"),
        ({"name": "x", "secret_string": "a", "secret_binary": b"b"}, "InvalidParameterException"),  # SM-050
        ({"name": "x", "secret_string": ""}, "InvalidParameterException"),
        ({"name": "x", "secret_binary": b""}, "InvalidParameterException"),
        ({"name": "x", "secret_string": "v" * 65_537}, "ValidationException"),
        ({"name": "x", "description": "d" * 2049}, "ValidationException"),
        ({"name": "x", "tags": {"aws:k": "v"}}, "InvalidParameterException"),
        ({"name": "x", "tags": {f"k{i}": "v" for i in range(51)}}, "InvalidParameterException"),
        ({"name": "x", "secret_string": "v", "version_id": "short"}, "InvalidParameterException"),
        ({"name": "x", "kms_key_id": "not a key!"}, "InvalidParameterException"),
    ],
)
def test_seeding_refuses_what_create_secret_refuses(sm: SecretsManagerMock, kwargs: dict[str, Any], code: str) -> None:
    name = kwargs.pop("name")
    with pytest.raises(SeedError) as info:
        sm.backend.create_secret(name, **kwargs)
    assert info.value.code == code
    assert sm.backend.secrets() == []


def test_seed_error_is_a_value_error_and_an_sm_mock_error(sm: SecretsManagerMock) -> None:
    with pytest.raises(ValueError, match="ValidationException"):
        sm.backend.create_secret("bad name")
    with pytest.raises(SmMockError):
        sm.backend.create_secret("bad name")


def test_seeding_with_a_disabled_key_fails_and_leaves_nothing(sm: SecretsManagerMock) -> None:
    keyring = sm.backend.keyring(sm.account_id, sm.region)
    key = keyring.create_key(alias="alias/off")
    keyring.disable_key(key.arn)
    with pytest.raises(SeedError) as info:
        sm.backend.create_secret("x", secret_string="v", kms_key_id="alias/off")
    assert info.value.code == "EncryptionFailure"
    assert sm.backend.secrets() == []
    sm.backend.create_secret("x")  # no value, so no data key is needed: as CreateSecret


# ---- bulk helpers ---------------------------------------------------------------------------------
def test_create_secrets_takes_specs_and_mappings(sm: SecretsManagerMock) -> None:
    created = sm.backend.create_secrets(
        [
            SecretSpec("a", secret_string="1"),
            {"name": "b", "secret_binary": b"\x02", "tags": {"k": "v"}},
            SecretSpec("c"),
        ]
    )
    assert [s.name for s in created] == ["a", "b", "c"]
    assert sm.backend.reveal("b", account_id=sm.account_id, region=sm.region) == b"\x02"
    assert created[2].versions == {}
    assert [s.seq for s in created] == sorted(s.seq for s in created)


def test_create_secrets_is_all_or_nothing(sm: SecretsManagerMock) -> None:
    sm.backend.create_secret("existing", secret_string="v")
    events: list[tuple[str, str]] = []
    store = sm.backend.store(sm.account_id, sm.region)
    store.listeners.append(lambda event, secret: events.append((event, secret.name)))
    with pytest.raises(SeedError) as info:
        sm.backend.create_secrets([SecretSpec("a", "1"), SecretSpec("b", "2"), SecretSpec("a", "3")])
    assert info.value.code == "ResourceExistsException"
    assert info.value.index == 2
    assert "item 2" in str(info.value)
    assert [s.name for s in sm.backend.secrets()] == ["existing"]
    # Listeners (e.g. listing indexes) saw every creation undone.
    assert sorted(events) == sorted([("create", "a"), ("create", "b"), ("purge", "a"), ("purge", "b")])


def test_create_secrets_stops_at_the_secret_quota_and_undoes_the_batch() -> None:
    with mock_secretsmanager(max_secrets=10) as sm:
        sm.backend.seed(4)
        with pytest.raises(SeedError) as info:
            sm.backend.seed(7, name="more-{i}")
        assert info.value.code == "LimitExceededException"
        assert len(sm.backend.secrets()) == 4
        sm.backend.seed(6, name="more-{i}")
        assert len(sm.backend.secrets()) == 10


def test_create_secrets_rejects_unknown_fields(sm: SecretsManagerMock) -> None:
    with pytest.raises(TypeError, match="secret_strin"):
        sm.backend.create_secrets([{"name": "a", "secret_strin": "typo"}])
    with pytest.raises(TypeError):
        sm.backend.create_secrets([{"secret_string": "no name"}])
    assert sm.backend.secrets() == []


def test_seed_names_values_and_defaults(sm: SecretsManagerMock) -> None:
    created = sm.backend.seed(3, name="svc/{i:03d}")
    assert [s.name for s in created] == ["svc/000", "svc/001", "svc/002"]
    assert sm.backend.reveal("svc/002", account_id=sm.account_id, region=sm.region) == "value-2"
    sm.backend.seed(2, name=lambda i: f"json-{i}", secret_string=lambda i: f'{{"n": {i}}}', description="d")
    assert sm.backend.reveal("json-1", account_id=sm.account_id, region=sm.region) == '{"n": 1}'
    sm.backend.seed(2, name="fixed-{i}", secret_string='{"braces": "kept"}')
    assert sm.backend.reveal("fixed-0", account_id=sm.account_id, region=sm.region) == '{"braces": "kept"}'
    sm.backend.seed(2, name="bin-{i}", secret_binary=lambda i: bytes([i + 1]))
    assert sm.backend.reveal("bin-1", account_id=sm.account_id, region=sm.region) == b"\x02"
    assert sm.client().describe_secret(SecretId="json-0")["Description"] == "d"


def test_seed_needs_an_index_in_the_name_template(sm: SecretsManagerMock) -> None:
    with pytest.raises(ValueError, match=r"\{i\}"):
        sm.backend.seed(2, name="same")
    sm.backend.seed(1, name="one")  # a single secret needs no index
    with pytest.raises(ValueError):
        sm.backend.seed(-1)


@pytest.mark.slow
def test_seed_one_hundred_thousand_secrets() -> None:
    """Issue item 6: a fixture of 100,000 secrets, all real, sealed secrets (no timing here;
    the measurement is in the report)."""
    with mock_secretsmanager(seed=1) as sm:
        created = sm.backend.seed(100_000, name="bulk/{i:06d}")
        assert len(created) == 100_000
        assert len({s.arn for s in created}) == 100_000
        assert len(sm.backend.store(sm.account_id, sm.region)) == 100_000
        client = sm.client()
        for i in (0, 54_321, 99_999):
            assert client.get_secret_value(SecretId=f"bulk/{i:06d}")["SecretString"] == f"value-{i}"
        with pytest.raises(ClientError) as info:
            client.create_secret(Name="bulk/000007", SecretString="v")
        assert info.value.response["Error"]["Code"] == "ResourceExistsException"


def test_bulk_seeding_leaves_the_garbage_collector_as_it_found_it(sm: SecretsManagerMock) -> None:
    assert gc.isenabled()
    sm.backend.seed(3)
    assert gc.isenabled()
    with pytest.raises(SeedError):
        sm.backend.seed(2, name="bad name {i}")
    assert gc.isenabled()
    gc.disable()
    try:
        sm.backend.seed(2, name="more-{i}")
        assert not gc.isenabled()
    finally:
        gc.enable()
