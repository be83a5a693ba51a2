"""GetRandomPassword through boto3 (SPEC O1-O6, row SM-130).

Long passwords under a fixed ``seed`` make the pool checks exact and deterministic: a
4096-character draw from a 94-character alphabet contains every character (the chance of
missing one is below 1e-18), so "the characters seen" equals "the pool".
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError, ParamValidationError
from support import fails

from sm_mock import mock_secretsmanager

LOWER = set(string.ascii_lowercase)
UPPER = set(string.ascii_uppercase)
DIGITS = set(string.digits)
PUNCTUATION = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")  # SPEC O2, written out
ALL = LOWER | UPPER | DIGITS | PUNCTUATION


@pytest.fixture
def client() -> Iterator[Any]:
    with mock_secretsmanager(seed=20240601) as sm:
        yield sm.client()


def _password(client: Any, **params: Any) -> str:
    response = client.get_random_password(**params)
    response.pop("ResponseMetadata")
    assert set(response) == {"RandomPassword"}
    return str(response["RandomPassword"])


def test_the_punctuation_pool_is_exactly_the_32_ascii_symbols() -> None:
    assert set(string.punctuation) == PUNCTUATION
    assert len(PUNCTUATION) == 32
    assert len(ALL) == 94


def test_default_is_32_characters_from_all_four_pools_with_each_pool_present(client: Any) -> None:
    for _ in range(50):
        password = _password(client)
        assert len(password) == 32
        chars = set(password)
        assert chars <= ALL
        for pool in (LOWER, UPPER, DIGITS, PUNCTUATION):  # RequireEachIncludedType defaults to true
            assert chars & pool


def test_a_long_password_uses_exactly_the_default_pools(client: Any) -> None:
    assert set(_password(client, PasswordLength=4096)) == ALL  # no space, nothing else


@pytest.mark.parametrize("length", [1, 2, 4, 5, 33, 120, 4095, 4096])
def test_every_length_from_1_to_4096(client: Any, length: int) -> None:
    params: dict[str, Any] = {"PasswordLength": length}
    if length < 4:
        params["RequireEachIncludedType"] = False
    password = _password(client, **params)
    assert len(password) == length
    assert set(password) <= ALL


def test_length_over_4096_is_refused_by_the_service(client: Any) -> None:
    message = fails(client.get_random_password, "ValidationException", PasswordLength=4097)
    assert "4096" in message


def test_length_zero_is_refused_by_botocore_before_the_call(client: Any) -> None:
    with pytest.raises(ParamValidationError):
        client.get_random_password(PasswordLength=0)


@pytest.mark.parametrize(
    ("flag", "pool"),
    [
        ("ExcludeLowercase", LOWER),
        ("ExcludeUppercase", UPPER),
        ("ExcludeNumbers", DIGITS),
        ("ExcludePunctuation", PUNCTUATION),
    ],
)
def test_each_exclude_flag_drops_exactly_its_pool(client: Any, flag: str, pool: set[str]) -> None:
    assert set(_password(client, PasswordLength=4096, **{flag: True})) == ALL - pool
    assert set(_password(client, PasswordLength=4096, **{flag: False})) == ALL


def test_exclude_punctuation_gives_letters_and_digits_as_in_seed_002(client: Any) -> None:
    password = _password(client, PasswordLength=32, ExcludePunctuation=True)
    assert len(password) == 32
    assert password.isalnum()


def test_several_flags_together(client: Any) -> None:
    password = _password(
        client, PasswordLength=4096, ExcludeLowercase=True, ExcludeUppercase=True, ExcludePunctuation=True
    )
    assert set(password) == DIGITS


def test_exclude_characters_removes_those_characters_from_every_pool(client: Any) -> None:
    excluded = "xyzDje@?!."  # SM-130
    password = _password(client, PasswordLength=120, ExcludeCharacters=excluded)
    assert len(password) == 120
    assert not set(password) & set(excluded)
    assert set(_password(client, PasswordLength=4096, ExcludeCharacters=excluded)) == ALL - set(excluded)


def test_the_rotation_template_exclusions(client: Any) -> None:
    excluded = "/@\"'\\"  # SPEC O3: the seed template's default
    assert set(_password(client, PasswordLength=4096, ExcludeCharacters=excluded)) == ALL - set(excluded)


def test_include_space_adds_only_the_space(client: Any) -> None:
    assert set(_password(client, PasswordLength=4096, IncludeSpace=True)) == ALL | {" "}
    assert set(_password(client, PasswordLength=4096, IncludeSpace=False)) == ALL


def test_include_space_alone(client: Any) -> None:
    password = _password(
        client,
        PasswordLength=16,
        IncludeSpace=True,
        ExcludeLowercase=True,
        ExcludeUppercase=True,
        ExcludeNumbers=True,
        ExcludePunctuation=True,
    )
    assert password == " " * 16


def test_require_each_included_type_with_few_characters(client: Any) -> None:
    for _ in range(100):
        password = _password(client, PasswordLength=4)
        assert len(set(password)) == 4
        assert all(set(password) & pool for pool in (LOWER, UPPER, DIGITS, PUNCTUATION))
    for _ in range(100):
        password = _password(client, PasswordLength=2, ExcludeNumbers=True, ExcludePunctuation=True)
        assert set(password) & LOWER and set(password) & UPPER


def test_without_require_each_included_type_a_pool_may_be_missing(client: Any) -> None:
    seen_missing = False
    for _ in range(200):
        password = _password(client, PasswordLength=4, RequireEachIncludedType=False)
        assert set(password) <= ALL
        seen_missing |= not all(set(password) & pool for pool in (LOWER, UPPER, DIGITS, PUNCTUATION))
    assert seen_missing  # P(all four types in 4 random characters) is about 0.08


def test_a_length_shorter_than_the_required_types_is_refused(client: Any) -> None:
    message = fails(client.get_random_password, "InvalidParameterException", PasswordLength=3)  # SPEC O4 recommendation
    assert "RequireEachIncludedType" in message
    assert len(_password(client, PasswordLength=3, RequireEachIncludedType=False)) == 3
    assert len(_password(client, PasswordLength=3, ExcludePunctuation=True)) == 3


def test_every_pool_excluded_is_refused(client: Any) -> None:
    message = fails(
        client.get_random_password,
        "InvalidParameterException",
        ExcludeLowercase=True,
        ExcludeUppercase=True,
        ExcludeNumbers=True,
        ExcludePunctuation=True,
    )  # SPEC O5
    assert "no characters" in message


def test_exclude_characters_that_empty_every_pool_is_refused(client: Any) -> None:
    fails(client.get_random_password, "InvalidParameterException", ExcludeCharacters="".join(sorted(ALL)))
    fails(
        client.get_random_password,
        "InvalidParameterException",
        ExcludeLowercase=True,
        ExcludeUppercase=True,
        ExcludePunctuation=True,
        ExcludeCharacters=string.digits,
    )


def test_a_pool_emptied_by_exclude_characters_is_not_required(client: Any) -> None:
    password = _password(client, PasswordLength=4096, ExcludeCharacters=string.digits)
    assert set(password) == ALL - DIGITS


def test_exclude_characters_longer_than_4096_is_refused(client: Any) -> None:
    fails(client.get_random_password, "ValidationException", ExcludeCharacters="a" * 4097)


# ---- randomness and the seed --------------------------------------------------------------------
def _draws(seed: int | None, n: int = 5, **params: Any) -> list[str]:
    with mock_secretsmanager(seed=seed) as sm:
        client = sm.client()
        return [_password(client, **params) for _ in range(n)]


def test_the_same_seed_gives_the_same_passwords() -> None:
    assert _draws(7) == _draws(7)
    assert _draws(7, PasswordLength=100, IncludeSpace=True) == _draws(7, PasswordLength=100, IncludeSpace=True)


def test_different_seeds_give_different_passwords() -> None:
    assert _draws(7) != _draws(8)


def test_consecutive_passwords_differ(client: Any) -> None:
    draws = [_password(client) for _ in range(20)]
    assert len(set(draws)) == 20


def test_the_password_stream_does_not_depend_on_other_calls() -> None:
    with mock_secretsmanager(seed=11) as sm:
        client = sm.client()
        for i in range(5):
            client.create_secret(Name=f"s{i}", SecretString="v")
        busy = [_password(client) for _ in range(3)]
    assert busy == _draws(11, n=3)


def test_without_a_seed_the_generator_is_the_system_csprng() -> None:
    with mock_secretsmanager() as sm:
        assert isinstance(sm.password_rng, secrets.SystemRandom)
    with mock_secretsmanager(seed=1) as sm:
        assert not isinstance(sm.password_rng, secrets.SystemRandom)
    assert _draws(None) != _draws(None)


def test_a_seed_restarts_with_every_activation() -> None:
    mock = mock_secretsmanager(seed=3)
    runs = []
    for _ in range(2):
        with mock as sm:
            client = sm.client()
            runs.append([_password(client) for _ in range(3)])
    assert runs[0] == runs[1]


def test_get_random_password_is_logged_with_the_value_redacted() -> None:
    with mock_secretsmanager(seed=5) as sm:
        password = _password(sm.client(), PasswordLength=40)
        record = sm.calls[-1]
        assert record.operation == "GetRandomPassword"
        assert record.error_code is None
        assert password not in repr(record)


def test_a_refused_call_is_logged_with_its_error() -> None:
    with mock_secretsmanager() as sm:
        with pytest.raises(ClientError):
            sm.client().get_random_password(PasswordLength=5000)
        assert sm.calls[-1].error_code == "ValidationException"
