"""Envelope encryption: no plaintext at rest, tamper detection, KMS key references."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sm_mock import SecretsManagerMock, mock_secretsmanager
from sm_mock.crypto import Envelope

STRING_SECRET = "correct-horse-battery-staple-4f9a"
BINARY_SECRET = b"\x00\x01binary-secret-payload-\xfe\xff"


def _reachable(root: object) -> Iterator[object]:
    """Every object reachable from ``root`` through references (gc's view)."""
    seen: set[int] = set()
    stack: list[object] = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, type) or type(obj).__name__ == "module":
            continue
        seen.add(id(obj))
        yield obj
        stack.extend(gc.get_referents(obj))


def _contains_plaintext(obj: object) -> bool:
    if isinstance(obj, str):
        return STRING_SECRET in obj or BINARY_SECRET.decode("latin-1") in obj
    if isinstance(obj, (bytes, bytearray, memoryview)):
        data = bytes(obj)
        return STRING_SECRET.encode() in data or BINARY_SECRET in data
    return False


def test_no_plaintext_is_reachable_from_the_mock_after_string_and_binary_writes() -> None:
    with mock_secretsmanager() as sm:
        client = sm.client()
        client.create_secret(Name="s", SecretString=STRING_SECRET)
        client.create_secret(Name="b", SecretBinary=BINARY_SECRET)
        client.put_secret_value(SecretId="s", SecretString=STRING_SECRET + "-v2")
        client.update_secret(SecretId="b", SecretBinary=BINARY_SECRET + b"-v2")
        assert client.get_secret_value(SecretId="s")["SecretString"] == STRING_SECRET + "-v2"
        assert client.get_secret_value(SecretId="b")["SecretBinary"] == BINARY_SECRET + b"-v2"
        leaks = [type(o).__name__ for o in _reachable(sm) if _contains_plaintext(o)]
        assert leaks == []
        # The check itself works: plaintext held by the mock would be found.
        sm.backend.__dict__["planted"] = STRING_SECRET
        assert any(_contains_plaintext(o) for o in _reachable(sm))


def test_reprs_and_call_log_never_show_values(sm_mock: SecretsManagerMock, sm_client: Any) -> None:
    sm_client.create_secret(Name="s", SecretString=STRING_SECRET)
    sm_client.put_secret_value(SecretId="s", SecretBinary=BINARY_SECRET)
    secret = sm_mock.backend.get("s", account_id=sm_mock.account_id, region=sm_mock.region)
    texts = [repr(sm_mock), repr(sm_mock.backend), repr(secret), repr(sm_mock.calls)]
    texts += [repr(v) for v in secret.versions.values()] + [repr(v.envelope) for v in secret.versions.values()]
    texts += [repr(record) + repr(record.params) for record in sm_mock.calls]
    assert not any(_contains_plaintext(text) for text in texts)


def _only_envelope(sm: SecretsManagerMock, name: str) -> Envelope:
    secret = sm.backend.get(name, account_id=sm.account_id, region=sm.region)
    envelope = secret.current.envelope  # type: ignore[union-attr]
    assert envelope is not None
    return envelope


def _flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


@pytest.mark.parametrize("part", ["ciphertext", "nonce", "wrapped_blob", "wrapped_nonce"])
def test_any_tampered_byte_is_a_decryption_failure(part: str) -> None:
    with mock_secretsmanager() as sm:
        client = sm.client()
        client.create_secret(Name="t", SecretString=STRING_SECRET)
        envelope = _only_envelope(sm, "t")
        if part == "ciphertext":
            envelope.ciphertext = _flip(envelope.ciphertext, len(envelope.ciphertext) // 2)
        elif part == "nonce":
            envelope.nonce = _flip(envelope.nonce, 0)
        else:
            arn, wrapped = next(iter(envelope.wrapped.items()))
            from sm_mock.crypto import WrappedKey

            envelope.wrapped[arn] = (
                WrappedKey(wrapped.nonce, _flip(wrapped.blob, 3))
                if part == "wrapped_blob"
                else WrappedKey(_flip(wrapped.nonce, 5), wrapped.blob)
            )
        with pytest.raises(client.exceptions.DecryptionFailure):
            client.get_secret_value(SecretId="t")


def test_ciphertext_moved_to_another_secret_fails_because_the_context_is_bound() -> None:
    with mock_secretsmanager() as sm:
        client = sm.client()
        client.create_secret(Name="a", SecretString="value-a")
        client.create_secret(Name="b", SecretString="value-b")
        b = sm.backend.get("b", account_id=sm.account_id, region=sm.region)
        b.current.envelope = _only_envelope(sm, "a")  # type: ignore[union-attr]
        with pytest.raises(client.exceptions.DecryptionFailure):
            client.get_secret_value(SecretId="b")


@pytest.mark.parametrize("form", ["key_id", "key_arn", "alias", "alias_arn"])
def test_customer_key_references_resolve_to_one_key(form: str) -> None:
    with mock_secretsmanager() as sm:
        key = sm.backend.keyring(sm.account_id, sm.region).create_key(alias="alias/app")
        ref = {
            "key_id": key.key_id,
            "key_arn": key.arn,
            "alias": "alias/app",
            "alias_arn": f"arn:aws:kms:{sm.region}:{sm.account_id}:alias/app",
        }[form]
        client = sm.client()
        client.create_secret(Name="k", SecretString="v", KmsKeyId=ref)
        assert client.describe_secret(SecretId="k")["KmsKeyId"] == key.arn
        versions = client.list_secret_version_ids(SecretId="k")["Versions"]
        assert versions[0]["KmsKeyIds"] == [key.arn]
        assert client.get_secret_value(SecretId="k")["SecretString"] == "v"


def test_default_key_is_left_out_of_describe_and_named_in_version_list(sm_client: Any) -> None:
    sm_client.create_secret(Name="d", SecretString="v")
    assert "KmsKeyId" not in sm_client.describe_secret(SecretId="d")
    assert sm_client.list_secret_version_ids(SecretId="d")["Versions"][0]["KmsKeyIds"] == ["DefaultEncryptionKey"]


def test_disabled_key_makes_reads_fail_and_writes_fail(sm_mock: SecretsManagerMock, sm_client: Any) -> None:
    keyring = sm_mock.backend.keyring(sm_mock.account_id, sm_mock.region)
    key = keyring.create_key(alias="alias/off")
    sm_client.create_secret(Name="k", SecretString="v", KmsKeyId="alias/off")
    keyring.disable_key(key.arn)
    with pytest.raises(sm_client.exceptions.DecryptionFailure):
        sm_client.get_secret_value(SecretId="k")
    with pytest.raises(sm_client.exceptions.EncryptionFailure):
        sm_client.put_secret_value(SecretId="k", SecretString="w")
    keyring.enable_key(key.arn)
    assert sm_client.get_secret_value(SecretId="k")["SecretString"] == "v"


def test_key_change_rewraps_only_the_aws_labelled_versions(sm_mock: SecretsManagerMock, sm_client: Any) -> None:
    keyring = sm_mock.backend.keyring(sm_mock.account_id, sm_mock.region)
    old = keyring.create_key(alias="alias/old")
    new = keyring.create_key(alias="alias/new")
    sm_client.create_secret(Name="r", SecretString="v1", KmsKeyId="alias/old")
    custom = sm_client.put_secret_value(SecretId="r", SecretString="custom", VersionStages=["MINE"])["VersionId"]
    sm_client.update_secret(SecretId="r", KmsKeyId="alias/new")
    keyring.disable_key(old.arn)
    # SPEC F8/F9: AWSCURRENT was re-wrapped under the new key, the custom version was not.
    assert sm_client.get_secret_value(SecretId="r")["SecretString"] == "v1"
    with pytest.raises(sm_client.exceptions.DecryptionFailure):
        sm_client.get_secret_value(SecretId="r", VersionId=custom)
    assert sm_client.describe_secret(SecretId="r")["KmsKeyId"] == new.arn
    fresh = sm_client.put_secret_value(SecretId="r", SecretString="v2")["VersionId"]
    entries = {v["VersionId"]: v for v in sm_client.list_secret_version_ids(SecretId="r")["Versions"]}
    assert entries[fresh]["KmsKeyIds"] == [new.arn]


def test_key_in_another_region_is_rejected(sm_client: Any) -> None:
    with pytest.raises(ClientError) as info:
        sm_client.create_secret(
            Name="x",
            SecretString="v",
            KmsKeyId="arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        )
    assert info.value.response["Error"]["Code"] == "InvalidParameterException"
    with pytest.raises(sm_client.exceptions.ResourceNotFoundException):
        sm_client.describe_secret(SecretId="x")  # a failed request changes nothing


# ---- key changes: tested first (SPEC F4), all or nothing (SPEC A8), best effort re-wrap (F8c) ----
def _key_state(client: Any, name: str) -> tuple[str | None, dict[str, list[str]]]:
    described = client.describe_secret(SecretId=name)
    versions = client.list_secret_version_ids(SecretId=name, IncludeDeprecated=True)["Versions"]
    return described.get("KmsKeyId"), {v["VersionId"]: v["KmsKeyIds"] for v in versions}


@pytest.mark.parametrize("unusable", ["disabled", "asymmetric"])
def test_changing_to_an_unusable_key_fails_first_and_changes_nothing(
    sm_mock: SecretsManagerMock, sm_client: Any, unusable: str
) -> None:
    keyring = sm_mock.backend.keyring(sm_mock.account_id, sm_mock.region)
    key = keyring.create_key(alias="alias/bad", symmetric=unusable != "asymmetric")
    if unusable == "disabled":
        keyring.disable_key(key.arn)
    sm_client.create_secret(Name="k", SecretString="v")
    before = _key_state(sm_client, "k")
    for extra in ({}, {"SecretString": "w"}, {"Description": "d"}):
        with pytest.raises(sm_client.exceptions.EncryptionFailure):
            sm_client.update_secret(SecretId="k", KmsKeyId="alias/bad", **extra)
        assert _key_state(sm_client, "k") == before
    assert sm_client.get_secret_value(SecretId="k")["SecretString"] == "v"
    assert "Description" not in sm_client.describe_secret(SecretId="k")


def test_creating_with_an_unusable_key_fails_even_without_a_value(sm_mock: SecretsManagerMock, sm_client: Any) -> None:
    keyring = sm_mock.backend.keyring(sm_mock.account_id, sm_mock.region)
    keyring.disable_key(keyring.create_key(alias="alias/off").arn)
    with pytest.raises(sm_client.exceptions.EncryptionFailure):
        sm_client.create_secret(Name="k", KmsKeyId="alias/off")
    with pytest.raises(sm_client.exceptions.ResourceNotFoundException):
        sm_client.describe_secret(SecretId="k")


def test_key_change_with_a_value_that_hits_the_label_limit_changes_nothing(
    sm_mock: SecretsManagerMock, sm_client: Any
) -> None:
    sm_mock.backend.keyring(sm_mock.account_id, sm_mock.region).create_key(alias="alias/other")
    current = sm_client.create_secret(Name="k", SecretString="v")["VersionId"]
    for i in range(19):  # AWSCURRENT + 19 custom labels: the next write's AWSPREVIOUS is the 21st
        sm_client.update_secret_version_stage(SecretId="k", VersionStage=f"L{i}", MoveToVersionId=current)
    before = _key_state(sm_client, "k")
    with pytest.raises(sm_client.exceptions.LimitExceededException):
        sm_client.update_secret(SecretId="k", KmsKeyId="alias/other", SecretString="w", Description="d")
    assert _key_state(sm_client, "k") == before
    assert "Description" not in sm_client.describe_secret(SecretId="k")


def test_key_change_with_a_value_that_hits_the_version_limit_changes_nothing() -> None:
    with mock_secretsmanager(max_versions=3) as sm:
        sm.backend.keyring(sm.account_id, sm.region).create_key(alias="alias/other")
        client = sm.client()
        client.create_secret(Name="k", SecretString="v0")
        for i in range(1, 3):  # three young versions: none may be pruned (SPEC D-retention, 24 h)
            client.put_secret_value(SecretId="k", SecretString=f"v{i}")
        before = _key_state(client, "k")
        with pytest.raises(client.exceptions.LimitExceededException):
            client.update_secret(SecretId="k", KmsKeyId="alias/other", SecretString="x")
        assert _key_state(client, "k") == before


def test_key_change_with_a_value_seals_the_value_under_the_new_key(sm_mock: SecretsManagerMock, sm_client: Any) -> None:
    new = sm_mock.backend.keyring(sm_mock.account_id, sm_mock.region).create_key(alias="alias/new")
    first = sm_client.create_secret(Name="k", SecretString="v")["VersionId"]
    second = sm_client.update_secret(SecretId="k", KmsKeyId="alias/new", SecretString="w")["VersionId"]
    key_id, versions = _key_state(sm_client, "k")
    assert key_id == new.arn
    assert versions[second] == [new.arn]  # SPEC F8d
    assert versions[first] == ["DefaultEncryptionKey", new.arn]  # SPEC F8a: AWSPREVIOUS now, re-wrapped


def test_key_change_skips_versions_whose_old_key_is_disabled(sm_mock: SecretsManagerMock, sm_client: Any) -> None:
    # SPEC F8c: without access to the old key, existing versions are not re-wrapped, but the key
    # change itself succeeds.
    keyring = sm_mock.backend.keyring(sm_mock.account_id, sm_mock.region)
    old, usable, new = (keyring.create_key(alias=f"alias/{n}") for n in ("old", "usable", "new"))
    sm_client.create_secret(Name="k", KmsKeyId="alias/old", SecretString="v0")
    # A version under the old key only that carries AWSPENDING: custom-labelled while the key
    # changed (so not re-wrapped, SPEC F8b), then given AWSPENDING.
    pending = sm_client.put_secret_value(SecretId="k", SecretString="p", VersionStages=["MINE"])["VersionId"]
    sm_client.update_secret(SecretId="k", KmsKeyId="alias/usable")
    current = sm_client.put_secret_value(SecretId="k", SecretString="c")["VersionId"]
    sm_client.update_secret_version_stage(SecretId="k", VersionStage="AWSPENDING", MoveToVersionId=pending)
    keyring.disable_key(old.arn)
    assert _key_state(sm_client, "k")[1][pending] == [old.arn]

    sm_client.update_secret(SecretId="k", KmsKeyId="alias/new")

    key_id, versions = _key_state(sm_client, "k")
    assert key_id == new.arn
    assert versions[current] == [usable.arn, new.arn]
    assert versions[pending] == [old.arn]  # its data key could not be unwrapped: left alone
    assert sm_client.get_secret_value(SecretId="k")["SecretString"] == "c"
    assert "AWSPENDING" in sm_client.describe_secret(SecretId="k")["VersionIdsToStages"][pending]
