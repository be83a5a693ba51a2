"""Kept ListSecrets entries (sm_mock.operations.entries) answer exactly what a fresh rendering
answers, whatever changed in between.

The oracle is the mock itself with every secret marked changed (``Secret.touch``), so the next
listing renders every entry afresh from the secret as it is now. Each check compares the raw
HTTP bodies botocore received, byte for byte, after the page has been listed often enough for
its entries to be kept (twice), and the parsed answers of both.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import REGION, client, manual_clock

from sm_mock import SecretsManagerMock, mock_secretsmanager
from sm_mock.model.secret import CrossAccountLink, ReplicaStatus, RotationState, Secret
from sm_mock.operations import entries
from sm_mock.protocol import encode_each, encode_json

ACCOUNT = "123456789012"


def _listing(sm_client: Any, **params: Any) -> tuple[bytes, dict[str, Any]]:
    """(raw HTTP body, parsed answer) of one ListSecrets call."""
    bodies: list[bytes] = []

    def keep(http_response: Any, **kwargs: Any) -> None:
        bodies.append(http_response.content)

    sm_client.meta.events.register("after-call.secrets-manager.ListSecrets", keep)
    try:
        parsed = sm_client.list_secrets(**params)
    finally:
        sm_client.meta.events.unregister("after-call.secrets-manager.ListSecrets", keep)
    parsed.pop("ResponseMetadata")
    return bodies[0], parsed


def _forget(sm: SecretsManagerMock) -> None:
    for secret in sm.backend.secrets():
        secret.touch()


def _assert_kept_matches_fresh(sm_client: Any, sm: SecretsManagerMock, **params: Any) -> bytes:
    """List until the entries are kept, then compare with a listing that renders afresh; the
    entries are kept again on return, so the next change meets kept entries."""
    _listing(sm_client, **params)
    _listing(sm_client, **params)  # second listing: entries are kept from here on
    kept_body, kept = _listing(sm_client, **params)
    _forget(sm)
    fresh_body, fresh = _listing(sm_client, **params)
    assert kept_body == fresh_body
    assert kept == fresh
    _listing(sm_client, **params)
    _listing(sm_client, **params)
    return fresh_body


def test_a_page_listed_again_is_the_same_bytes_and_uses_kept_entries() -> None:
    with mock_secretsmanager(clock=manual_clock()) as sm:
        c = client()
        for i in range(3):
            c.create_secret(Name=f"app/{i}", SecretString="v", Description=f"d{i}", Tags=[{"Key": "k", "Value": "v"}])
        body = _assert_kept_matches_fresh(c, sm, MaxResults=100)
        assert json.loads(body)["SecretList"][0]["Name"] == "app/0"
        secrets = sm.backend.secrets()
        _listing(c)
        _listing(c)
        kept = entries._KEPT[sm.backend.store(ACCOUNT, REGION)]
        assert all(kept[secret.seq] == (secret.revision, kept[secret.seq][1]) for secret in secrets)
        assert all(kept[secret.seq][1] is not None for secret in secrets)  # kept, not only seen


def test_a_secret_listed_once_is_only_noted() -> None:
    with mock_secretsmanager(clock=manual_clock()) as sm:
        c = client()
        c.create_secret(Name="once", SecretString="v")
        _listing(c)
        (secret,) = sm.backend.secrets()
        assert entries._KEPT[sm.backend.store(ACCOUNT, REGION)][secret.seq] == (secret.revision, None)


# ---- every change a user can make through the API ---------------------------------------------
def _tag(c: Any, sm: SecretsManagerMock) -> None:
    c.tag_resource(SecretId="s0", Tags=[{"Key": "new", "Value": "x"}])


def _retag_in_another_order(c: Any, sm: SecretsManagerMock) -> None:
    # Same tags, new order: untag "a" and tag it again puts it last (SM-076 keeps insertion order).
    c.untag_resource(SecretId="s0", TagKeys=["a"])
    c.tag_resource(SecretId="s0", Tags=[{"Key": "a", "Value": "1"}])


def _untag(c: Any, sm: SecretsManagerMock) -> None:
    c.untag_resource(SecretId="s0", TagKeys=["a", "b"])


def _describe(c: Any, sm: SecretsManagerMock) -> None:
    c.update_secret(SecretId="s0", Description="another description")


def _key(c: Any, sm: SecretsManagerMock) -> None:
    key = sm.backend.keyring(ACCOUNT, REGION).create_key(alias="alias/listing")
    c.update_secret(SecretId="s0", KmsKeyId=key.arn)


def _put(c: Any, sm: SecretsManagerMock) -> None:
    c.put_secret_value(SecretId="s0", SecretString="v2")


def _move_label(c: Any, sm: SecretsManagerMock) -> None:
    vid = c.put_secret_value(SecretId="s0", SecretString="v3", VersionStages=["LABEL"])["VersionId"]
    c.update_secret_version_stage(SecretId="s0", VersionStage="OTHER", MoveToVersionId=vid)


def _read_next_day(c: Any, sm: SecretsManagerMock) -> None:
    sm.clock.advance(days=1)  # type: ignore[attr-defined]
    c.get_secret_value(SecretId="s0")


def _delete(c: Any, sm: SecretsManagerMock) -> None:
    c.delete_secret(SecretId="s0", RecoveryWindowInDays=7)


def _restore(c: Any, sm: SecretsManagerMock) -> bytes:
    c.delete_secret(SecretId="s0", RecoveryWindowInDays=7)
    deleted = _assert_kept_matches_fresh(c, sm, IncludePlannedDeletion=True)
    c.restore_secret(SecretId="s0")
    return deleted  # restored, the entry is as before the deletion: compare with the deleted one


def _rotate(c: Any, sm: SecretsManagerMock) -> None:
    arn = "arn:aws:lambda:us-east-1:123456789012:function:noop"
    sm.register_lambda(arn, lambda event, context: None)
    c.rotate_secret(SecretId="s0", RotationLambdaARN=arn, RotationRules={"AutomaticallyAfterDays": 7})


def _stop_rotating(c: Any, sm: SecretsManagerMock) -> None:
    _rotate(c, sm)
    _listing(c)
    _listing(c)
    sm.clock.advance(days=8)  # type: ignore[attr-defined]
    c.cancel_rotate_secret(SecretId="s0")


#: name → the change; one that returns a body is compared with that body instead of the first.
CHANGES: dict[str, Callable[[Any, SecretsManagerMock], bytes | None]] = {
    "tag": _tag,
    "tags in another order": _retag_in_another_order,
    "untag": _untag,
    "description": _describe,
    "kms key": _key,
    "new value": _put,
    "staging labels": _move_label,
    "read on a later day": _read_next_day,
    "delete": _delete,
    "restore": _restore,
    "rotation": _rotate,
    "rotation cancelled later": _stop_rotating,
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_change_between_listings_is_in_the_next_page(change: str) -> None:
    with mock_secretsmanager(clock=manual_clock()) as sm:
        c = client()
        c.create_secret(Name="s0", SecretString="v", Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
        c.create_secret(Name="s1", SecretString="v")
        before = _assert_kept_matches_fresh(c, sm, IncludePlannedDeletion=True)
        sm.clock.advance(seconds=1)  # type: ignore[attr-defined]
        compared = CHANGES[change](c, sm) or before
        after = _assert_kept_matches_fresh(c, sm, IncludePlannedDeletion=True)
        assert after != compared  # the change shows: the comparison above was not vacuous
        _assert_kept_matches_fresh(c, sm)


# ---- every field of a Secret, changed behind the API's back and touched -----------------------
# The contract of Secret.touch: code that changes a secret outside the domain API calls it, and
# then every field that shows in an entry shows changed; without it a kept entry stays.
#: Fields a SecretListEntry never shows (sm_mock.operations.shapes.secret_metadata).
NOT_IN_AN_ENTRY = {
    "watcher",
    "revision",
    "account_id",
    "region",
    "versions",
    "deletion_date",
    "policy",
    "seq",
    "replica_of",
    "replicas",
    "named_policies",
    "cross_account_primary",
    "cross_account_replicas",
}


def _other_key(secret: Secret, sm: SecretsManagerMock) -> Any:
    return sm.backend.keyring(ACCOUNT, REGION).create_key()


#: field → a function giving a different value for it (the change must show in the entry).
MUTATIONS: dict[str, Callable[[Secret, SecretsManagerMock], Any]] = {
    "arn": lambda s, sm: s.arn + "x",
    "name": lambda s, sm: s.name + "x",
    "created": lambda s, sm: s.created - timedelta(days=1),
    "kms_key": _other_key,
    "kms_key_explicit": lambda s, sm: not s.kms_key_explicit,
    "description": lambda s, sm: "changed in place",
    "tags": lambda s, sm: {**s.tags, "added": "1"},
    "tags_touched": lambda s, sm: not s.tags_touched,
    "stages": lambda s, sm: {**s.stages, "EXTRA": next(iter(s.versions))},
    "last_changed": lambda s, sm: s.created + timedelta(days=3),
    "last_accessed": lambda s, sm: (s.created + timedelta(days=5)).date(),
    "deleted_at": lambda s, sm: s.created + timedelta(days=2),
    "rotation": lambda s, sm: RotationState(enabled=False),
    "owning_service": lambda s, sm: "appflow",
    "primary_region": lambda s, sm: "eu-west-1",
    "type": lambda s, sm: "rds",
}


def test_every_field_of_a_secret_is_classified() -> None:
    # A field added to Secret must be named here: either it shows in a list entry (and then the
    # kept-entry comparison must see it change) or it does not.
    names = {f.name for f in dataclasses.fields(Secret)}
    assert names == set(MUTATIONS) | NOT_IN_AN_ENTRY
    assert not set(MUTATIONS) & NOT_IN_AN_ENTRY


@pytest.mark.parametrize("field_name", sorted(MUTATIONS))
def test_a_field_changed_in_place_is_seen(field_name: str) -> None:
    with mock_secretsmanager(clock=manual_clock()) as sm:
        c = client()
        # An explicit key (KmsKeyId shows) and no tags (Tags shows only once tags were set).
        key = sm.backend.keyring(ACCOUNT, REGION).create_key()
        c.create_secret(Name="s0", SecretString="v", KmsKeyId=key.arn)
        before = _assert_kept_matches_fresh(c, sm, IncludePlannedDeletion=True)
        (secret,) = sm.backend.secrets()
        setattr(secret, field_name, MUTATIONS[field_name](secret, sm))
        secret.touch()
        after = _assert_kept_matches_fresh(c, sm, IncludePlannedDeletion=True)
        assert after != before


@pytest.mark.parametrize("field_name", sorted(NOT_IN_AN_ENTRY - {"watcher", "versions", "revision"}))
def test_fields_outside_an_entry_do_not_change_it(field_name: str) -> None:
    with mock_secretsmanager(clock=manual_clock()) as sm:
        c = client()
        c.create_secret(Name="s0", SecretString="v")
        before = _assert_kept_matches_fresh(c, sm)
        (secret,) = sm.backend.secrets()
        value = getattr(secret, field_name)
        changed: Any = {
            "account_id": "999999999999",
            "region": "eu-west-3",
            "policy": "{}",
            "seq": 99,
            "replica_of": "arn:other",
            "replicas": {"eu-west-3": ReplicaStatus("eu-west-3", secret.kms_key)},
            "deletion_date": secret.created + timedelta(days=30),  # not due: the secret stays
            "named_policies": {"other": "{}"},
            "cross_account_primary": CrossAccountLink("arn:primary", secret.arn),
            "cross_account_replicas": {"arn:replica": CrossAccountLink(secret.arn, "arn:replica")},
        }[field_name]
        assert changed != value
        object.__setattr__(secret, field_name, changed)
        secret.touch()
        assert _assert_kept_matches_fresh(c, sm) == before


def test_a_change_without_touch_keeps_the_entry() -> None:
    # The other half of the contract: the kept entry is used as long as the revision stays.
    with mock_secretsmanager(clock=manual_clock()) as sm:
        c = client()
        c.create_secret(Name="s0", SecretString="v", Description="old")
        before = _assert_kept_matches_fresh(c, sm)
        (secret,) = sm.backend.secrets()
        secret.description = "new"
        assert _listing(c)[0] == before
        secret.touch()
        assert b"new" in _listing(c)[0]


@pytest.mark.parametrize("operation", ["tag", "untag", "describe", "put", "labels", "delete", "restore", "policy"])
def test_every_write_moves_the_revision(operation: str) -> None:
    with mock_secretsmanager(clock=manual_clock()) as sm:
        c = client()
        c.create_secret(Name="s0", SecretString="v", Tags=[{"Key": "a", "Value": "1"}])
        if operation == "restore":
            c.delete_secret(SecretId="s0")
        (secret,) = sm.backend.secrets()
        revision = secret.revision
        {
            "tag": lambda: c.tag_resource(SecretId="s0", Tags=[{"Key": "b", "Value": "2"}]),
            "untag": lambda: c.untag_resource(SecretId="s0", TagKeys=["a"]),
            "describe": lambda: c.update_secret(SecretId="s0", Description="d"),
            "put": lambda: c.put_secret_value(SecretId="s0", SecretString="v2"),
            "labels": lambda: c.update_secret_version_stage(
                SecretId="s0", VersionStage="X", MoveToVersionId=secret.stages["AWSCURRENT"]
            ),
            "delete": lambda: c.delete_secret(SecretId="s0"),
            "restore": lambda: c.restore_secret(SecretId="s0"),
            "policy": lambda: c.put_resource_policy(SecretId="s0", ResourcePolicy=POLICY),
        }[operation]()
        assert secret.revision > revision


POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "*"}]})


def test_a_failed_write_keeps_the_revision() -> None:
    with mock_secretsmanager(clock=manual_clock()) as sm:
        c = client()
        c.create_secret(Name="s0", SecretString="v")
        (secret,) = sm.backend.secrets()
        revision = secret.revision
        with pytest.raises(c.exceptions.InvalidParameterException):
            c.tag_resource(SecretId="s0", Tags=[{"Key": "aws:reserved", "Value": "x"}])
        assert secret.revision == revision


def test_tags_changed_in_place_are_seen() -> None:
    with mock_secretsmanager(clock=manual_clock()) as sm:
        c = client()
        c.create_secret(Name="s0", SecretString="v", Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
        before = _assert_kept_matches_fresh(c, sm)
        (secret,) = sm.backend.secrets()
        value = secret.tags.pop("a")
        secret.tags["a"] = value  # same content, another order
        secret.touch()
        after = _assert_kept_matches_fresh(c, sm)
        assert after != before
        assert [t["Key"] for t in json.loads(after)["SecretList"][0]["Tags"]] == ["b", "a"]
        secret.tags["a"] = "another value"  # same keys, same order
        secret.touch()
        assert b"another value" in _assert_kept_matches_fresh(c, sm)


def test_labels_moved_in_place_are_seen() -> None:
    with mock_secretsmanager(clock=manual_clock()) as sm:
        c = client()
        c.create_secret(Name="s0", SecretString="v1")
        c.put_secret_value(SecretId="s0", SecretString="v2")
        before = _assert_kept_matches_fresh(c, sm)
        (secret,) = sm.backend.secrets()
        current, previous = secret.stages["AWSCURRENT"], secret.stages["AWSPREVIOUS"]
        secret.stages["AWSCURRENT"], secret.stages["AWSPREVIOUS"] = previous, current  # same labels
        secret.touch()
        after = _assert_kept_matches_fresh(c, sm)
        assert after != before


def test_rotation_settings_changed_in_place_are_seen() -> None:
    with mock_secretsmanager(clock=manual_clock()) as sm:
        arn = "arn:aws:lambda:us-east-1:123456789012:function:noop"
        sm.register_lambda(arn, lambda event, context: None)
        c = client()
        c.create_secret(Name="s0", SecretString="v")
        c.rotate_secret(SecretId="s0", RotationLambdaARN=arn, RotationRules={"AutomaticallyAfterDays": 7})
        before = _assert_kept_matches_fresh(c, sm)
        (secret,) = sm.backend.secrets()
        assert secret.rotation is not None
        secret.rotation.lambda_arn = arn + "-2"
        after = _assert_kept_matches_fresh(c, sm)
        assert after != before


# ---- random histories ---------------------------------------------------------------------------
_ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["create", "tag", "untag", "describe", "put", "read", "delete", "restore", "advance", "list"]),
        st.integers(0, 3),
    ),
    max_size=25,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_ACTIONS)
def test_random_histories_answer_as_a_fresh_rendering(actions: list[tuple[str, int]]) -> None:
    with mock_secretsmanager(clock=manual_clock()) as sm:
        c = client()
        existing: set[int] = set()
        for action, i in actions:
            name = f"s{i}"
            try:
                if action == "create" and i not in existing:
                    c.create_secret(Name=name, SecretString="v", Tags=[{"Key": "t", "Value": str(i)}])
                    existing.add(i)
                elif i not in existing:
                    continue
                elif action == "tag":
                    c.tag_resource(SecretId=name, Tags=[{"Key": f"k{len(actions)}", "Value": "v"}])
                elif action == "untag":
                    c.untag_resource(SecretId=name, TagKeys=["t"])
                elif action == "describe":
                    c.update_secret(SecretId=name, Description=f"d{i}")
                elif action == "put":
                    c.put_secret_value(SecretId=name, SecretString="w")
                elif action == "read":
                    c.get_secret_value(SecretId=name)
                elif action == "delete":
                    c.delete_secret(SecretId=name, RecoveryWindowInDays=7)
                elif action == "restore":
                    c.restore_secret(SecretId=name)
                elif action == "advance":
                    sm.clock.advance(hours=13 * (i + 1))  # type: ignore[attr-defined]
                else:
                    _listing(c, IncludePlannedDeletion=True)
            except c.exceptions.ClientError:
                pass  # e.g. reading a secret scheduled for deletion: AWS refuses, nothing changed
            _assert_kept_matches_fresh(c, sm, IncludePlannedDeletion=True)


# ---- encode_each ------------------------------------------------------------------------------
_JSON_TEXT = st.text(alphabet=st.sampled_from(['"', "\\", "\x01", ",", "{", "}", "[", "]", "u", "0", "1", "a", "é"]))
_VALUES = st.recursive(
    st.one_of(_JSON_TEXT, st.booleans(), st.integers(), st.just("\x01")),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_JSON_TEXT, inner, max_size=4)),
    max_leaves=12,
)


@given(st.lists(st.dictionaries(_JSON_TEXT, _VALUES, max_size=4), max_size=6))
def test_encode_each_is_encoding_one_by_one(values: list[dict[str, Any]]) -> None:
    assert encode_each(values) == [encode_json(value) for value in values]


def test_encode_each_sees_the_marker_inside_an_object() -> None:
    # The one shape whose text holds the marker's: an array with an object, "\x01", an object.
    values = [{"a": [{"b": 1}, "\x01", {"c": 2}]}, {"d": "\x01"}]
    assert encode_each(values) == [encode_json(value) for value in values]


def test_kept_entries_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(entries, "MAX_ENTRIES", 5)
    with mock_secretsmanager(clock=manual_clock()) as sm:
        c = client()
        for i in range(4):
            c.create_secret(Name=f"s{i}", SecretString="v")
        kept = lambda: entries._KEPT[sm.backend.store(ACCOUNT, REGION)]  # noqa: E731
        for _ in range(3):
            _listing(c, MaxResults=3)
            assert len(kept()) <= 5
            _listing(c)
            assert len(kept()) <= 5
        body, _ = _listing(c)
        _forget(sm)
        assert _listing(c)[0] == body


def test_kept_entries_go_with_their_session() -> None:
    import gc
    import weakref

    with mock_secretsmanager(clock=manual_clock()) as sm:
        c = client()
        c.create_secret(Name="s0", SecretString="v")
        _listing(c)
        _listing(c)
        store = weakref.ref(sm.backend.store(ACCOUNT, REGION))
        assert store() in entries._KEPT
    del sm
    gc.collect()
    assert store() is None  # the session's backend is gone, and nothing keeps its secrets alive
