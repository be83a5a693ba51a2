"""Unit tests of sm_mock.model.filters (SPEC L3–L8, rows SM-110 … SM-121) without boto3."""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass

import botocore.session
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from sm_mock.errors import AwsError
from sm_mock.model.filters import (
    _WORD_RE,  # the general splitter behind the ASCII fast path
    FILTER_KEYS,
    Searchable,
    SecretFilter,
    compile_filters,
    index_words,
    split_words,
)


@dataclass(frozen=True)
class FakeSecret:
    """A stand-in with just what the filters read (the Searchable protocol)."""

    name: str
    description: str | None = None
    tag_items: tuple[tuple[str, str], ...] = ()
    primary_region: str | None = None
    owning_service: str | None = None


def names_matching(filters: Sequence[tuple[str, Sequence[str]]], secrets: Sequence[FakeSecret]) -> set[str]:
    compiled = compile_filters(filters)
    return {s.name for s in secrets if compiled.matches(s)}


def matches(key: str, values: Sequence[str], secret: Searchable) -> bool:
    return compile_filters([(key, values)]).matches(secret)


# The four secrets of the recorded rows SM-110 … SM-117.
LS_SECRETS = (
    FakeSecret("testing1/one-1", "a secret"),
    FakeSecret("/testing2/two-1", "an secret"),
    FakeSecret("testing3/three-1", "asecret"),
    FakeSecret("/testing4/four-1", "thesecret"),
)
# The five secrets of SM-118 / SM-119.
WORD_SECRETS = (
    FakeSecret("foo-1", "one two"),
    FakeSecret("bar-1", "one and two"),
    FakeSecret("baz-1", "one"),
    FakeSecret("qux-1", "two"),
    FakeSecret("none-1", "unrelated"),
)


# --- recorded rows ----------------------------------------------------------------------------


def test_sm110_name_filter_is_a_prefix_of_the_whole_name() -> None:
    assert names_matching([("name", ["/"])], LS_SECRETS) == {"/testing2/two-1", "/testing4/four-1"}


def test_sm111_negated_name_filter_keeps_the_others() -> None:
    assert names_matching([("name", ["!/"])], LS_SECRETS) == {"testing1/one-1", "testing3/three-1"}


def test_sm112_name_filter_with_a_space_is_not_split_into_words() -> None:
    assert names_matching([("name", ["testing1 one"])], LS_SECRETS) == set()


def test_sm113_description_filter_is_a_word_prefix_match() -> None:
    assert names_matching([("description", ["a"])], LS_SECRETS) == {
        "testing1/one-1",
        "/testing2/two-1",
        "testing3/three-1",
    }


def test_sm114_negated_description_filter() -> None:
    assert names_matching([("description", ["!a"])], LS_SECRETS) == {"/testing4/four-1"}


def test_sm117_different_filters_are_anded() -> None:
    assert names_matching([("description", ["a"]), ("name", ["an"])], LS_SECRETS) == set()


def test_sm118_filters_with_the_same_key_are_anded() -> None:
    filters = [("description", ["one"]), ("description", ["two"])]
    assert names_matching(filters, WORD_SECRETS) == {"foo-1", "bar-1"}


def test_sm119_every_word_of_a_description_value_must_match() -> None:
    assert names_matching([("description", ["o t"])], WORD_SECRETS) == {"foo-1", "bar-1"}


def test_sm121_all_filter_does_not_match_inside_a_word() -> None:
    secrets = (
        FakeSecret("SecretOne-4f2a9c"),
        FakeSecret("SecretTwo-77b01d", "DescTwo"),
        FakeSecret("Thirdsecret-e3c8a1"),
    )
    assert names_matching([("all", ["ret"])], secrets) == set()
    # ... while the start of any word does match, ignoring case.
    assert names_matching([("all", ["secret"])], secrets) == {
        "SecretOne-4f2a9c",
        "SecretTwo-77b01d",
    }
    assert names_matching([("all", ["TWO"])], secrets) == {"SecretTwo-77b01d"}
    assert names_matching([("all", ["third"])], secrets) == {"Thirdsecret-e3c8a1"}


# --- each key ---------------------------------------------------------------------------------


def test_name_filter_is_case_sensitive() -> None:
    # SPEC L4: "Data" matches DatabaseSecret but not databaseSecret or MyData.
    secrets = (FakeSecret("DatabaseSecret"), FakeSecret("databaseSecret"), FakeSecret("MyData"))
    assert names_matching([("name", ["Data"])], secrets) == {"DatabaseSecret"}


def test_tag_key_filter_is_a_case_sensitive_prefix_of_any_key() -> None:
    # SPEC L4: "Prod" matches Production and Prod1 but not prod or "1 Prod".
    secrets = (
        FakeSecret("a", tag_items=(("Production", "x"),)),
        FakeSecret("b", tag_items=(("team", "x"), ("Prod1", "y"))),
        FakeSecret("c", tag_items=(("prod", "x"),)),
        FakeSecret("d", tag_items=(("1 Prod", "x"),)),
        FakeSecret("e", tag_items=(("x", "Production"),)),
        FakeSecret("f"),
    )
    assert names_matching([("tag-key", ["Prod"])], secrets) == {"a", "b"}


def test_tag_value_filter_is_a_case_sensitive_prefix_of_any_value() -> None:
    secrets = (
        FakeSecret("a", tag_items=(("env", "Production"),)),
        FakeSecret("b", tag_items=(("team", "x"), ("env", "Prod1"))),
        FakeSecret("c", tag_items=(("env", "prod"),)),
        FakeSecret("d", tag_items=(("env", "1 Prod"),)),
        FakeSecret("e", tag_items=(("Production", "x"),)),
        FakeSecret("f"),
    )
    assert names_matching([("tag-value", ["Prod"])], secrets) == {"a", "b"}


def test_tag_key_and_tag_value_filters_need_not_match_the_same_tag() -> None:
    # SPEC L8 recommendation: each filter matches independently.
    secret = FakeSecret("s", tag_items=(("env", "blue"), ("team", "prod")))
    assert compile_filters([("tag-key", ["env"]), ("tag-value", ["prod"])]).matches(secret)


def test_primary_region_filter_is_a_case_sensitive_prefix() -> None:
    secrets = (
        FakeSecret("east", primary_region="us-east-1"),
        FakeSecret("west", primary_region="us-west-2"),
        FakeSecret("eu", primary_region="eu-west-1"),
        FakeSecret("local"),
    )
    assert names_matching([("primary-region", ["us-"])], secrets) == {"east", "west"}
    assert names_matching([("primary-region", ["US-"])], secrets) == set()
    # A secret without a primary region matches no value, so a negation keeps it.
    assert names_matching([("primary-region", ["!us-"])], secrets) == {"eu", "local"}


def test_owning_service_filter_is_a_case_insensitive_prefix() -> None:
    # SPEC L4 (seed): "my-ser" matches my-serv and my-service, not case-sensitive.
    secrets = (
        FakeSecret("rds!cluster-1", owning_service="rds"),
        FakeSecret("x", owning_service="my-service"),
        FakeSecret("y", owning_service="My-Serv"),
        FakeSecret("plain"),
    )
    assert names_matching([("owning-service", ["my-ser"])], secrets) == {"x", "y"}
    assert names_matching([("owning-service", ["RDS"])], secrets) == {"rds!cluster-1"}
    assert names_matching([("owning-service", ["!rds"])], secrets) == {"x", "y", "plain"}


def test_description_filter_matches_words_in_any_order_ignoring_case() -> None:
    # SPEC L4 seed example: "My Description".
    secrets = (
        FakeSecret("1", "My Description"),
        FakeSecret("2", "my description"),
        FakeSecret("3", "My basic description"),
        FakeSecret("4", "Description of my secret"),
        FakeSecret("5", "Description only"),
        FakeSecret("6"),
    )
    assert names_matching([("description", ["My Description"])], secrets) == {"1", "2", "3", "4"}


def test_description_words_split_at_punctuation_and_case_changes() -> None:
    secret = FakeSecret("s", "credsDatabase#892 for the_app")
    for value in ["database", "892", "creds", "app", "the app", "CREDS DATA"]:
        assert matches("description", [value], secret), value
    # SM-143: the index holds the words only, so a run across a case break is no word.
    for value in ["atabase", "92", "the_app_x", "redsdatabase", "credsdata", "CREDSDATABASE"]:
        assert not matches("description", [value], secret), value


def test_all_filter_searches_name_description_tag_keys_and_tag_values() -> None:
    secrets = (
        FakeSecret("alpha-db"),
        FakeSecret("b", "Alpha description"),
        FakeSecret("c", tag_items=(("AlphaKey", "v"),)),
        FakeSecret("d", tag_items=(("k", "alpha-value"),)),
        FakeSecret("e", "beta", (("k", "v"),), primary_region="alpha", owning_service="alpha"),
    )
    assert names_matching([("all", ["ALPHA"])], secrets) == {"alpha-db", "b", "c", "d"}


def test_all_filter_words_must_all_match_within_one_field() -> None:
    # SM-139–SM-141 (moto's AWS-verified test_with_all_filter) overrides SPEC L5's reading of the seed
    # ("my" or "secret"): every word of the value must start a word of one and the same field.
    secrets = (
        FakeSecret("my-secret-thing"),
        FakeSecret("other", "My Secret value"),
        FakeSecret("mine", tag_items=(("Secret", "my"),)),
        FakeSecret("my-thing", "a secret value"),
        FakeSecret("nothing"),
    )
    assert names_matching([("all", ["My_Secret"])], secrets) == {"my-secret-thing", "other"}


def test_a_value_without_words_matches_nothing() -> None:
    # SM-142: all=['+'] finds no secret; negated, such a value excludes nothing.
    secrets = (FakeSecret("prod+AppBeta", "a+b"), FakeSecret("x"))
    for key in ("all", "description"):
        assert names_matching([(key, ["+"])], secrets) == set()
        assert names_matching([(key, ["!+"])], secrets) == {"prod+AppBeta", "x"}


def test_all_filter_splits_the_search_string_like_the_seed_example() -> None:
    # SPEC L5: credsDatabase#892 searches for creds, Database and 892 (all three within one
    # field, SM-139).
    secrets = (
        FakeSecret("creds-Database-892x"),
        FakeSecret("y", tag_items=(("k", "the creds of database 8920"),)),
        FakeSecret("creds-z", "database 892", (("892", "creds"),)),
        FakeSecret("w", "unrelated"),
    )
    assert names_matching([("all", ["credsDatabase#892"])], secrets) == {"creds-Database-892x", "y"}


def test_unknown_filter_key_raises_invalid_parameter() -> None:
    with pytest.raises(AwsError) as info:
        compile_filters([("invalid", ["foo"])])
    assert info.value.code == "InvalidParameterException"
    assert "primary-region" in info.value.message  # the message lists the keys to use


def test_filter_without_values_raises_invalid_parameter() -> None:
    with pytest.raises(AwsError) as info:
        compile_filters([("name", [])])
    assert info.value.code == "InvalidParameterException"
    assert "Values" in info.value.message


def botocore_filter_keys(operation: str) -> tuple[str, ...]:
    """The ``Filters[].Key`` enum (``FilterNameStringType``) of ``operation`` in botocore's service model."""
    model = botocore.session.get_session().get_service_model("secretsmanager")
    key = model.operation_model(operation).input_shape.members["Filters"].member.members["Key"]
    return tuple(key.enum)


@pytest.mark.parametrize("operation", ["ListSecrets", "BatchGetSecretValue"])
def test_filter_keys_are_the_service_model_enum(operation: str) -> None:
    # Read from the installed botocore: a key botocore adds fails here until sm_mock supports it.
    keys = botocore_filter_keys(operation)
    assert keys, f"botocore no longer models the {operation} filter keys as an enum"
    assert keys == FILTER_KEYS  # same keys, in model order (the order error messages list them in)
    for key in keys:
        compile_filters([(key, ["x"])])  # every enum key compiles


# --- negation and combination ------------------------------------------------------------------


def test_no_filters_match_everything() -> None:
    compiled = compile_filters([])
    assert compiled.matches_everything
    assert compiled.name_prefixes is None
    assert all(compiled.matches(s) for s in LS_SECRETS)


def test_values_within_one_filter_are_ored() -> None:
    filters = [("name", ["testing1", "/testing4"])]
    assert names_matching(filters, LS_SECRETS) == {"testing1/one-1", "/testing4/four-1"}


def test_several_negated_values_all_exclude() -> None:
    filters = [("name", ["!/testing2", "!testing3"])]
    assert names_matching(filters, LS_SECRETS) == {"testing1/one-1", "/testing4/four-1"}


def test_plain_and_negated_values_in_one_filter() -> None:
    # Decided (SPEC L8): a plain value must match and no negated value may match.
    filters = [("name", ["/", "!/testing4"])]
    assert names_matching(filters, LS_SECRETS) == {"/testing2/two-1"}


def test_only_one_leading_exclamation_mark_negates() -> None:
    secrets = (FakeSecret("rds!db-1"), FakeSecret("!odd"), FakeSecret("other"))
    assert names_matching([("name", ["!rds!"])], secrets) == {"!odd", "other"}
    assert names_matching([("name", ["!!"])], secrets) == {"rds!db-1", "other"}


def test_value_without_words_matches_nothing_and_its_negation_excludes_nothing() -> None:
    # SM-142 (all=['+'] finds nothing); description follows the same word rules.
    assert names_matching([("description", ["/"])], LS_SECRETS) == set()
    assert names_matching([("all", ["!/"])], LS_SECRETS) == {s.name for s in LS_SECRETS}


def test_name_prefixes_hint_comes_from_plain_name_values() -> None:
    compiled = compile_filters([("name", ["ab", "a", "b/", "!b/x"])])
    assert compiled.name_prefixes == ("a", "b/")
    assert compile_filters([("name", ["!x"])]).name_prefixes is None
    assert compile_filters([("description", ["x"])]).name_prefixes is None
    two = compile_filters([("name", ["a", "b"]), ("name", ["app"])])
    assert two.name_prefixes == ("app",)


def test_secret_filter_is_immutable() -> None:
    compiled = compile_filters([("name", ["a"])])
    assert isinstance(compiled, SecretFilter)
    with pytest.raises(AttributeError):
        compiled.name_prefixes = None  # type: ignore[misc]


# --- word splitting (SPEC L5) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("credsDatabase#892", ["creds", "Database", "892"]),
        ("My_Secret", ["My", "Secret"]),
        ("SecretOne", ["Secret", "One"]),
        ("Thirdsecret", ["Thirdsecret"]),
        ("testing1/one-12", ["testing", "1", "one", "12"]),
        ("HTTPServer", ["HTTP", "Server"]),
        ("ABC", ["ABC"]),
        ("ABc", ["A", "Bc"]),
        ("aB1c", ["a", "B", "1c"]),
        ("91d", ["91d"]),  # a digit meeting a letter does not split (SM-141)
        ("SecretOne3f2d1b", ["Secret", "One", "3f", "2d", "1b"]),
        ("uat/COMPANYthings/x", ["uat", "COMPAN", "Ythings", "x"]),  # SM-143
        ("naïveBayes ÉB éB", ["naïve", "Bayes", "ÉB", "éB"]),
        ("prod.db:user@host=x+y", ["prod", "db", "user", "host", "x", "y"]),
        ("  a  b  ", ["a", "b"]),
        ("", []),
        ("#/_ -", []),
    ],
)
def test_split_words_examples(text: str, words: list[str]) -> None:
    assert split_words(text) == words


def test_index_words_are_the_case_folded_words_only() -> None:
    assert index_words("credsDatabase#892") == ("892", "creds", "database")


# --- properties --------------------------------------------------------------------------------

NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_+=.@-!"
VALUE_CHARS = "abcdeABCDE0189 :_@/+=.-"  # the FilterValueStringType alphabet, minus '!'
TEXT_CHARS = "abcdeABCDE0189 #_/-.éΩ"

names = st.text(NAME_CHARS, min_size=1, max_size=30)
values = st.text(VALUE_CHARS, max_size=12)
texts = st.text(TEXT_CHARS, max_size=40)
tags = st.lists(st.tuples(texts, texts), max_size=3).map(tuple)
fake_secrets = st.builds(
    FakeSecret,
    name=names,
    description=st.none() | texts,
    tag_items=tags,
    primary_region=st.none() | st.text("abcdeus-12", max_size=12),
    owning_service=st.none() | st.text("abcdeRDS-", max_size=8),
)


@given(name=names, data=st.data())
def test_name_filter_with_a_prefix_of_the_name_always_matches(name: str, data: st.DataObject) -> None:
    prefix = name[: data.draw(st.integers(0, len(name)))]
    assume(not prefix.startswith("!"))  # a leading '!' would negate the value (SPEC L6)
    assert matches("name", [prefix], FakeSecret(name))


@given(key=st.sampled_from(FILTER_KEYS), value=values, secret=fake_secrets)
def test_negating_a_single_value_gives_the_complement(key: str, value: str, secret: FakeSecret) -> None:
    assert matches(key, ["!" + value], secret) != matches(key, [value], secret)


@given(key=st.sampled_from(FILTER_KEYS), first=values, second=values, secret=fake_secrets)
def test_plain_values_in_one_filter_are_ored(key: str, first: str, second: str, secret: FakeSecret) -> None:
    either = matches(key, [first], secret) or matches(key, [second], secret)
    assert matches(key, [first, second], secret) == either


@given(
    first=st.tuples(st.sampled_from(FILTER_KEYS), st.lists(values, min_size=1, max_size=3)),
    second=st.tuples(st.sampled_from(FILTER_KEYS), st.lists(values, min_size=1, max_size=3)),
    secret=fake_secrets,
)
def test_separate_filters_are_anded(
    first: tuple[str, list[str]], second: tuple[str, list[str]], secret: FakeSecret
) -> None:
    both = compile_filters([first]).matches(secret) and compile_filters([second]).matches(secret)
    assert compile_filters([first, second]).matches(secret) == both
    assert compile_filters([second, first]).matches(secret) == both


@given(
    filters=st.lists(
        st.tuples(
            st.sampled_from(FILTER_KEYS),
            st.lists(values | values.map(lambda v: "!" + v), min_size=1, max_size=3),
        ),
        max_size=3,
    ),
    secret=fake_secrets,
)
def test_name_prefixes_hint_never_loses_a_match(filters: list[tuple[str, list[str]]], secret: FakeSecret) -> None:
    compiled = compile_filters(filters)
    prefixes = compiled.name_prefixes
    if prefixes is not None:
        assert list(prefixes) == sorted(set(prefixes))
        assert not any(a != b and b.startswith(a) for a in prefixes for b in prefixes)
        if compiled.matches(secret):
            assert secret.name.startswith(prefixes)


@given(description=texts, data=st.data())
def test_description_matches_prefixes_of_its_own_words(description: str, data: st.DataObject) -> None:
    words = split_words(description)
    assume(words)
    chosen = data.draw(st.lists(st.sampled_from(words), min_size=1, max_size=3))
    value = " ".join(w[: data.draw(st.integers(1, len(w)))] for w in chosen)
    secret = FakeSecret("n", description)
    assert matches("description", [value], secret)
    assert matches("all", [value], secret)


@given(key=st.sampled_from(["description", "all", "owning-service"]), value=values, secret=fake_secrets)
def test_case_insensitive_keys_ignore_the_case_of_the_value(key: str, value: str, secret: FakeSecret) -> None:
    assert matches(key, [value.lower()], secret) == matches(key, [value.upper()], secret)


@given(value=values, description=texts)
def test_description_ignores_the_case_of_the_description(value: str, description: str) -> None:
    lower = FakeSecret("n", description.lower())
    upper = FakeSecret("n", description.upper())
    assert matches("description", [value], lower) == matches("description", [value], upper)


@given(text=st.text(max_size=60))
def test_split_words_never_returns_empty_or_non_alphanumeric_words(text: str) -> None:
    for word in split_words(text):
        assert word
        assert "_" not in word
        assert all(ch.isalnum() for ch in word)


@given(text=texts)
def test_split_words_keeps_every_letter_and_digit_in_order(text: str) -> None:
    assert "".join(split_words(text)) == "".join(ch for ch in text if ch.isalnum())


@given(text=texts)
def test_split_words_is_idempotent_and_stable_under_lower_casing(text: str) -> None:
    words = split_words(text)
    for word in words:
        assert split_words(word) == [word]  # a word never splits again
        # a lower-cased word has no case change left, so it stays one word
        assert split_words(word.lower()) == [word.lower()]
    lowered = [w.lower() for w in words]
    assert split_words(" ".join(lowered)) == lowered


@given(text=st.text(string.printable, max_size=40))
def test_ascii_fast_path_splits_like_the_general_rule(text: str) -> None:
    assert split_words(text) == _WORD_RE.findall(text)


@given(text=texts)
def test_index_words_are_sorted_unique_and_case_folded(text: str) -> None:
    words = index_words(text)
    assert list(words) == sorted(set(words))
    assert all(w and w == w.casefold() for w in words)
    assert {w.casefold() for w in split_words(text)} <= set(words)
