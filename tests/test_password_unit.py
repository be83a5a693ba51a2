"""Unit tests of sm_mock.model.password (SPEC O1–O6, row SM-130) without boto3."""

from __future__ import annotations

import random
import secrets
import string
from typing import TypedDict

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sm_mock.errors import AwsError
from sm_mock.model.password import (
    DEFAULT_PASSWORD_LENGTH,
    MAX_PASSWORD_LENGTH,
    PUNCTUATION,
    generate_password,
)

POOLS = {
    "lower": string.ascii_lowercase,
    "upper": string.ascii_uppercase,
    "digits": string.digits,
    "punctuation": PUNCTUATION,
}
EVERY_CHARACTER = "".join(POOLS.values()) + " "


def expected_pools(
    *,
    exclude_characters: str,
    exclude_numbers: bool,
    exclude_punctuation: bool,
    exclude_uppercase: bool,
    exclude_lowercase: bool,
) -> list[str]:
    """The required pools after the options (space is never required: SPEC O4 decision)."""
    chosen = []
    if not exclude_lowercase:
        chosen.append(POOLS["lower"])
    if not exclude_uppercase:
        chosen.append(POOLS["upper"])
    if not exclude_numbers:
        chosen.append(POOLS["digits"])
    if not exclude_punctuation:
        chosen.append(POOLS["punctuation"])
    pools = ["".join(c for c in pool if c not in exclude_characters) for pool in chosen]
    return [pool for pool in pools if pool]


def test_punctuation_is_exactly_the_32_ascii_symbols() -> None:
    # SPEC O2.
    assert string.punctuation == PUNCTUATION
    assert len(PUNCTUATION) == 32
    assert PUNCTUATION == "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"


def test_default_password_is_32_characters_of_every_type() -> None:
    # SPEC O1 default length, O4 RequireEachIncludedType defaults to true.
    password = generate_password(random.Random(1))
    assert len(password) == DEFAULT_PASSWORD_LENGTH == 32
    for pool in POOLS.values():
        assert any(c in pool for c in password)
    assert " " not in password


def test_sm130_length_120_with_excluded_characters() -> None:
    password = generate_password(secrets.SystemRandom(), length=120, exclude_characters="xyzDje@?!.")
    assert len(password) == 120
    assert not set(password) & set("xyzDje@?!.")


def test_seed_002_password_without_punctuation() -> None:
    # SPEC O3: seed 002 uses PasswordLength=32, ExcludePunctuation=True.
    password = generate_password(random.Random(3), length=32, exclude_punctuation=True)
    assert len(password) == 32
    assert password.isalnum()


def test_rotation_template_exclusions() -> None:
    # SPEC O3: the seed's rotation template excludes /@"'\ by default.
    for seed in range(50):
        password = generate_password(random.Random(seed), exclude_characters="/@\"'\\")
        assert not set(password) & set("/@\"'\\")


def test_include_space_can_produce_spaces() -> None:
    password = generate_password(
        random.Random(0),
        length=4096,
        include_space=True,
        exclude_lowercase=True,
        exclude_uppercase=True,
        exclude_punctuation=True,
    )
    assert " " in password
    assert set(password) <= set(string.digits + " ")


def test_space_alone_is_a_valid_alphabet_and_not_a_required_type() -> None:
    # SPEC O4 decision: space joins the alphabet but is never required.
    password = generate_password(
        random.Random(0),
        length=5,
        include_space=True,
        exclude_lowercase=True,
        exclude_uppercase=True,
        exclude_numbers=True,
        exclude_punctuation=True,
    )
    assert password == "     "


def test_pool_emptied_by_exclude_characters_drops_out() -> None:
    # SPEC O5 decision: only a fully empty alphabet is an error.
    password = generate_password(random.Random(0), length=3, exclude_characters=string.digits + PUNCTUATION)
    assert len(password) == 3
    assert password.isalpha()


def test_required_characters_are_not_at_fixed_positions() -> None:
    # Length 2 from two pools: both orders must occur across seeds.
    orders = set()
    for seed in range(100):
        password = generate_password(random.Random(seed), length=2, exclude_numbers=True, exclude_punctuation=True)
        orders.add((password[0].islower(), password[1].islower()))
    assert orders == {(True, False), (False, True)}


def test_without_required_types_a_short_password_is_allowed() -> None:
    password = generate_password(random.Random(0), length=1, require_each_included_type=False)
    assert len(password) == 1


@pytest.mark.parametrize("length", [0, -1, MAX_PASSWORD_LENGTH + 1, 10**6])
def test_length_out_of_range_is_invalid_parameter(length: int) -> None:
    with pytest.raises(AwsError) as info:
        generate_password(random.Random(0), length=length)
    assert info.value.code == "InvalidParameterException"
    assert "1 to 4096" in info.value.message


def test_maximum_length_is_allowed() -> None:
    assert len(generate_password(random.Random(0), length=MAX_PASSWORD_LENGTH)) == 4096


def test_every_type_excluded_is_invalid_parameter() -> None:
    with pytest.raises(AwsError) as info:
        generate_password(
            random.Random(0),
            exclude_lowercase=True,
            exclude_uppercase=True,
            exclude_numbers=True,
            exclude_punctuation=True,
        )
    assert info.value.code == "InvalidParameterException"
    assert "no characters" in info.value.message


def test_exclude_characters_removing_everything_is_invalid_parameter() -> None:
    with pytest.raises(AwsError) as info:
        generate_password(random.Random(0), exclude_characters=EVERY_CHARACTER)
    assert info.value.code == "InvalidParameterException"


def test_length_shorter_than_required_types_is_invalid_parameter() -> None:
    # SPEC O4 recommendation.
    with pytest.raises(AwsError) as info:
        generate_password(random.Random(0), length=3)
    assert info.value.code == "InvalidParameterException"
    assert "at least 4" in info.value.message
    assert "RequireEachIncludedType" in info.value.message


# --- properties --------------------------------------------------------------------------------

options = st.fixed_dictionaries(
    {
        "length": st.integers(1, 300),
        "exclude_characters": st.text(EVERY_CHARACTER, max_size=40),
        "exclude_numbers": st.booleans(),
        "exclude_punctuation": st.booleans(),
        "exclude_uppercase": st.booleans(),
        "exclude_lowercase": st.booleans(),
        "include_space": st.booleans(),
        "require_each_included_type": st.booleans(),
    }
)


class PasswordOptions(TypedDict):
    """The keyword arguments of generate_password, as drawn by ``options``."""

    length: int
    exclude_characters: str
    exclude_numbers: bool
    exclude_punctuation: bool
    exclude_uppercase: bool
    exclude_lowercase: bool
    include_space: bool
    require_each_included_type: bool


def required_pools(opts: PasswordOptions) -> list[str]:
    return expected_pools(
        exclude_characters=opts["exclude_characters"],
        exclude_numbers=opts["exclude_numbers"],
        exclude_punctuation=opts["exclude_punctuation"],
        exclude_uppercase=opts["exclude_uppercase"],
        exclude_lowercase=opts["exclude_lowercase"],
    )


def is_valid(opts: PasswordOptions) -> bool:
    pools = required_pools(opts)
    has_space = opts["include_space"] and " " not in opts["exclude_characters"]
    if not pools and not has_space:
        return False
    return opts["length"] >= (len(pools) if opts["require_each_included_type"] else 0)


@given(opts=options, seed=st.integers(0, 2**32))
def test_password_respects_every_option(opts: PasswordOptions, seed: int) -> None:
    rng = random.Random(seed)
    if not is_valid(opts):
        with pytest.raises(AwsError) as info:
            generate_password(rng, **opts)
        assert info.value.code == "InvalidParameterException"
        return
    password = generate_password(rng, **opts)
    excluded = set(opts["exclude_characters"])
    assert len(password) == opts["length"]
    assert not set(password) & excluded
    allowed = set("".join(required_pools(opts)))
    if opts["include_space"]:
        allowed |= {" "} - excluded
    assert set(password) <= allowed
    if opts["require_each_included_type"]:
        for pool in required_pools(opts):
            assert set(password) & set(pool)


@given(opts=options, seed=st.integers(0, 2**32))
def test_same_seed_gives_the_same_password(opts: PasswordOptions, seed: int) -> None:
    if not is_valid(opts):
        return
    first = generate_password(random.Random(seed), **opts)
    second = generate_password(random.Random(seed), **opts)
    assert first == second


@given(length=st.one_of(st.integers(max_value=0), st.integers(min_value=MAX_PASSWORD_LENGTH + 1)))
def test_any_length_outside_1_to_4096_is_rejected(length: int) -> None:
    with pytest.raises(AwsError) as info:
        generate_password(random.Random(0), length=length)
    assert info.value.code == "InvalidParameterException"
