"""``seed=`` makes every generated id reproducible: ARN suffixes, version ids and KMS key ids."""

from __future__ import annotations

import boto3

from sm_mock import mock_secretsmanager


def _ids(seed: int | None, *, key_first: bool = False) -> tuple[str, str, str]:
    """(the ARN, the customer key's ARN, the default key's id as ListSecretVersionIds shows it)."""
    with mock_secretsmanager(seed=seed) as sm:
        client = boto3.client("secretsmanager", region_name="us-east-1")
        if key_first:
            sm.backend.keyring(sm.account_id, sm.region).create_key(alias="alias/early")
        arn = client.create_secret(Name="app/db", SecretString="v", KmsKeyId="alias/app")["ARN"]
        key_arn = client.describe_secret(SecretId=arn)["KmsKeyId"]
        client.create_secret(Name="app/default", SecretString="v")
        (version,) = client.list_secret_version_ids(SecretId="app/default")["Versions"]
        return arn, key_arn, version["KmsKeyIds"][0]


def test_the_same_seed_gives_the_same_kms_key_ids() -> None:
    assert _ids(11) == _ids(11)


def test_another_seed_gives_other_kms_key_ids() -> None:
    first, second = _ids(11), _ids(12)
    assert first[1] != second[1]


def test_without_a_seed_kms_key_ids_are_random() -> None:
    assert _ids(None)[1] != _ids(None)[1]


def test_drawing_a_key_leaves_the_arn_suffixes_as_they_were() -> None:
    # Key ids come from their own source: creating a key first does not shift the suffixes.
    assert _ids(11, key_first=True)[0] == _ids(11)[0]
