"""Capacity quotas (SPEC Q1, B1, C2, C9, K1, K5), always on and overridable per mock.

Every limit is a named value of :class:`sm_mock.limits.Limits`; a mock takes overrides as
keyword options (``mock_secretsmanager(max_secrets=3)``) or at run time through
``sm.quotas.limits``. Each refusal is checked for its AWS error code, and for leaving the
state exactly as it was.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from support import fails

import sm_mock.choices
from sm_mock import SecretsManagerMock, SeedError, mock_secretsmanager
from sm_mock.limits import Limits


def _snapshot(sm: SecretsManagerMock) -> list[tuple[Any, ...]]:
    """The whole backend, as comparable values (no plaintext needed)."""
    out = []
    for secret in sorted(sm.backend.secrets(), key=lambda s: s.arn):
        out.append(
            (
                secret.arn,
                secret.description,
                dict(secret.tags),
                secret.tags_touched,
                dict(secret.stages),
                [(v.version_id, v.created, v.envelope) for v in secret.versions.values()],
                secret.last_changed,
                secret.deleted_at,
                secret.kms_key,
            )
        )
    return out


# ---- the values and how to override them -------------------------------------------------------
def test_default_limits_are_the_documented_quotas(sm: SecretsManagerMock) -> None:
    limits = sm.limits
    assert (limits.max_secrets, limits.max_versions, limits.max_labels) == (500_000, 100, 20)
    assert (limits.max_value_size, limits.max_description, limits.max_name) == (65_536, 2048, 512)
    assert (limits.max_tags, limits.max_tag_key, limits.max_tag_value) == (50, 128, 256)
    assert limits.prune_min_age_seconds == 24 * 3600
    assert (limits.min_recovery_days, limits.max_recovery_days, limits.default_recovery_days) == (7, 30, 30)


def test_quotas_limits_is_the_mocks_limits(sm: SecretsManagerMock) -> None:
    assert sm.quotas.limits is sm.limits


def test_an_unknown_limit_name_is_a_type_error_naming_the_known_ones() -> None:
    with pytest.raises(TypeError, match="max_secrets"):
        mock_secretsmanager(max_secretz=3)
    with pytest.raises(TypeError):
        Limits().with_overrides({"nope": 1})


def test_overrides_survive_each_activation() -> None:
    mock = mock_secretsmanager(max_secrets=1)
    for _ in range(2):
        with mock as sm:
            client = sm.client()
            client.create_secret(Name="a")
            fails(client.create_secret, "LimitExceededException", Name="b")


# ---- secrets per region -------------------------------------------------------------------------
def test_max_secrets_refuses_the_next_create_and_changes_nothing() -> None:
    with mock_secretsmanager(max_secrets=3) as sm:
        client = sm.client()
        for name in "abc":
            client.create_secret(Name=name, SecretString="v")
        before = _snapshot(sm)
        message = fails(client.create_secret, "LimitExceededException", Name="d", SecretString="v")
        assert "(3)" in message and "us-east-1" in message
        fails(client.create_secret, "LimitExceededException", Name="d")
        assert _snapshot(sm) == before
        fails(client.describe_secret, "ResourceNotFoundException", SecretId="d")
        with pytest.raises(SeedError) as info:
            sm.backend.create_secret("d", secret_string="v")
        assert info.value.code == "LimitExceededException"
        assert _snapshot(sm) == before


def test_a_forced_delete_frees_a_slot_and_a_scheduled_one_does_not() -> None:
    with mock_secretsmanager(max_secrets=2) as sm:
        client = sm.client()
        client.create_secret(Name="a")
        client.create_secret(Name="b")
        client.delete_secret(SecretId="a", RecoveryWindowInDays=7)  # choices: still counts
        fails(client.create_secret, "LimitExceededException", Name="c")
        client.restore_secret(SecretId="a")
        client.delete_secret(SecretId="b", ForceDeleteWithoutRecovery=True)
        client.create_secret(Name="c")


def test_max_secrets_counts_per_region_and_per_account() -> None:
    with mock_secretsmanager(max_secrets=1) as sm:
        sm.client().create_secret(Name="a")
        sm.client(region_name="eu-west-1").create_secret(Name="a")
        other = sm.client(aws_access_key_id="111122223333", aws_secret_access_key="x")
        other.create_secret(Name="a")
        fails(sm.client().create_secret, "LimitExceededException", Name="b")
        fails(other.create_secret, "LimitExceededException", Name="b")


def test_max_secrets_can_be_changed_at_run_time_through_quotas(sm: SecretsManagerMock) -> None:
    client = sm.client()
    client.create_secret(Name="a")
    sm.quotas.limits.max_secrets = 1
    fails(client.create_secret, "LimitExceededException", Name="b")
    sm.quotas.limits.max_secrets = 2
    client.create_secret(Name="b")


def test_an_existing_name_is_reported_before_the_secret_quota() -> None:
    with mock_secretsmanager(max_secrets=1) as sm:
        client = sm.client()
        client.create_secret(Name="a", SecretString="v")
        fails(client.create_secret, "ResourceExistsException", Name="a", SecretString="other")


# ---- value size ---------------------------------------------------------------------------------
def test_a_value_of_65536_is_accepted_and_one_more_is_refused(sm: SecretsManagerMock) -> None:
    client = sm.client()
    client.create_secret(Name="s", SecretString="x" * 65_536)
    client.create_secret(Name="b", SecretBinary=b"\x00" * 65_536)
    client.put_secret_value(SecretId="s", SecretString="\u00e9" * 65_536)  # SPEC C2: characters
    before = _snapshot(sm)
    fails(client.create_secret, "ValidationException", Name="t", SecretString="x" * 65_537)
    fails(client.create_secret, "ValidationException", Name="t", SecretBinary=b"\x00" * 65_537)
    fails(client.put_secret_value, "ValidationException", SecretId="s", SecretString="x" * 65_537)
    fails(client.update_secret, "ValidationException", SecretId="b", SecretBinary=b"\x00" * 65_537)
    assert _snapshot(sm) == before


def test_the_value_size_limit_is_overridable() -> None:
    with mock_secretsmanager(max_value_size=8) as sm:
        client = sm.client()
        client.create_secret(Name="s", SecretString="12345678")
        before = _snapshot(sm)
        message = fails(client.create_secret, "ValidationException", Name="t", SecretString="123456789")
        assert "8" in message
        fails(client.put_secret_value, "ValidationException", SecretId="s", SecretBinary=b"123456789")
        fails(client.update_secret, "ValidationException", SecretId="s", SecretString="123456789")
        assert _snapshot(sm) == before
        with pytest.raises(SeedError):
            sm.backend.create_secret("u", secret_string="123456789")
        assert _snapshot(sm) == before


# ---- description and name -----------------------------------------------------------------------
def test_description_of_2048_is_accepted_and_2049_refused(sm: SecretsManagerMock) -> None:
    client = sm.client()
    client.create_secret(Name="s", Description="d" * 2048)
    before = _snapshot(sm)
    fails(client.create_secret, "ValidationException", Name="t", Description="d" * 2049)
    fails(client.update_secret, "ValidationException", SecretId="s", Description="d" * 2049)
    assert _snapshot(sm) == before


def test_the_description_limit_is_overridable() -> None:
    with mock_secretsmanager(max_description=5) as sm:
        client = sm.client()
        client.create_secret(Name="s", Description="12345")
        before = _snapshot(sm)
        fails(client.create_secret, "ValidationException", Name="t", Description="123456")
        fails(client.update_secret, "ValidationException", SecretId="s", Description="123456", SecretString="v")
        assert _snapshot(sm) == before


def test_a_name_of_512_is_accepted_and_513_refused(sm: SecretsManagerMock) -> None:
    client = sm.client()
    client.create_secret(Name="n" * 512)
    before = _snapshot(sm)
    fails(client.create_secret, "ValidationException", Name="n" * 513)
    assert _snapshot(sm) == before


def test_the_name_limit_is_overridable() -> None:
    with mock_secretsmanager(max_name=4) as sm:
        client = sm.client()
        client.create_secret(Name="abcd")
        fails(client.create_secret, "ValidationException", Name="abcde")
        with pytest.raises(SeedError) as info:
            sm.backend.create_secret("abcde")
        assert info.value.code == "ValidationException"
        assert [s.name for s in sm.backend.secrets()] == ["abcd"]


# ---- tags ---------------------------------------------------------------------------------------
def _tags(n: int, prefix: str = "k") -> list[dict[str, str]]:
    return [{"Key": f"{prefix}{i}", "Value": f"v{i}"} for i in range(n)]


def test_fifty_tags_are_accepted_and_fifty_one_refused_on_create(sm: SecretsManagerMock) -> None:
    client = sm.client()
    client.create_secret(Name="s", Tags=_tags(50))
    assert len(client.describe_secret(SecretId="s")["Tags"]) == 50
    before = _snapshot(sm)
    fails(client.create_secret, "InvalidParameterException", Name="t", Tags=_tags(51))
    assert _snapshot(sm) == before


def test_tag_resource_cannot_take_a_secret_past_fifty_tags(sm: SecretsManagerMock) -> None:
    client = sm.client()
    client.create_secret(Name="s", Tags=_tags(49))
    before = _snapshot(sm)
    message = fails(client.tag_resource, "InvalidParameterException", SecretId="s", Tags=_tags(2, "new"))
    assert "50" in message
    assert _snapshot(sm) == before
    client.tag_resource(SecretId="s", Tags=_tags(1, "new"))  # the 50th
    client.tag_resource(SecretId="s", Tags=_tags(49))  # overwriting existing keys adds none
    assert len(client.describe_secret(SecretId="s")["Tags"]) == 50
    client.untag_resource(SecretId="s", TagKeys=["k0"])
    client.tag_resource(SecretId="s", Tags=_tags(1, "other"))


@pytest.mark.parametrize(
    ("key", "value", "ok"),
    [
        ("k" * 128, "v", True),
        ("k" * 129, "v", False),
        ("k", "v" * 256, True),
        ("k", "v" * 257, False),
        ("k", "", True),
        ("aws:owner", "v", False),
        ("AWS:owner", "v", False),
        ("Aws:owner", "v", False),
        ("aws", "v", True),
        ("awsome", "v", True),
        ("my-aws:key", "v", True),
    ],
)
def test_tag_key_and_value_limits_and_the_reserved_prefix(
    sm: SecretsManagerMock, key: str, value: str, ok: bool
) -> None:
    client = sm.client()
    client.create_secret(Name="s", Tags=[{"Key": "keep", "Value": "me"}])
    tag = [{"Key": key, "Value": value}]
    if ok:
        client.create_secret(Name="t", Tags=tag)
        client.tag_resource(SecretId="s", Tags=tag)
        assert {"Key": key, "Value": value} in client.describe_secret(SecretId="s")["Tags"]
        return
    before = _snapshot(sm)
    # A length is a model constraint (ValidationException); the reserved prefix a service rule.
    code = "InvalidParameterException" if key.lower().startswith("aws:") else "ValidationException"
    fails(client.create_secret, code, Name="t", Tags=tag)
    fails(client.tag_resource, code, SecretId="s", Tags=[{"Key": "fine", "Value": "x"}, *tag])
    assert _snapshot(sm) == before
    with pytest.raises(SeedError) as info:
        sm.backend.create_secret("t", tags={key: value})
    assert info.value.code == code
    assert _snapshot(sm) == before


def test_the_reserved_prefix_message_says_what_to_do(sm: SecretsManagerMock) -> None:
    tags = [{"Key": "aws:x", "Value": "v"}]
    message = fails(sm.client().create_secret, "InvalidParameterException", Name="t", Tags=tags)
    assert "reserved" in message and "aws:" in message


def test_tag_limits_are_overridable() -> None:
    with mock_secretsmanager(max_tags=2, max_tag_key=3, max_tag_value=4) as sm:
        client = sm.client()
        client.create_secret(Name="s", Tags=[{"Key": "abc", "Value": "1234"}, {"Key": "b", "Value": ""}])
        before = _snapshot(sm)
        fails(client.tag_resource, "InvalidParameterException", SecretId="s", Tags=[{"Key": "c", "Value": "v"}])
        fails(client.create_secret, "ValidationException", Name="t", Tags=[{"Key": "abcd", "Value": "v"}])
        fails(client.create_secret, "ValidationException", Name="t", Tags=[{"Key": "a", "Value": "12345"}])
        assert _snapshot(sm) == before


# ---- a refused request through another route ----------------------------------------------------
def test_limits_apply_to_clients_created_before_and_after_the_override() -> None:
    with mock_secretsmanager() as sm:
        early = boto3.client("secretsmanager", region_name="us-east-1")
        sm.limits.max_description = 1
        late = sm.client()
        for client in (early, late):
            fails(client.create_secret, "ValidationException", Name="x", Description="12")


def test_a_lowered_max_policy_is_enforced() -> None:
    # Issue 18, item 12: the override was accepted and then ignored.
    policy = '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "*"}]}'
    with mock_secretsmanager(max_policy=len(policy) - 1) as sm:
        client = sm.client()
        client.create_secret(Name="p", SecretString="v")
        # The code and text of the model's own length check (SPEC A3), as for every lowered limit.
        code = sm_mock.choices.MODEL_VIOLATION_CODE
        message = fails(client.put_resource_policy, code, SecretId="p", ResourcePolicy=policy)
        assert f"Member must have length less than or equal to {len(policy) - 1}" in message
        assert client.get_resource_policy(SecretId="p").get("ResourcePolicy") is None  # nothing changed
    with mock_secretsmanager(max_policy=len(policy)) as sm:
        sm.client().create_secret(Name="p", SecretString="v")
        sm.client().put_resource_policy(SecretId="p", ResourcePolicy=policy)
