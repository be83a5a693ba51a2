"""ListSecrets through real boto3 clients: filters, sorting, paging, deletion (SPEC §L).

Recorded rows SM-109 … SM-123 are replayed by tests/test_aws_behaviour.py as well; here each
behaviour gets its own flat test, plus Hypothesis checks that every listing equals a brute-force
listing of the store and that paging stays exact while secrets come and go between pages.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError, ParamValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import REGION, START, client, error_code, manual_clock, new_client

from sm_mock import ManualClock, SecretsManagerMock, choices, mock_secretsmanager
from sm_mock.model.filters import compile_filters
from sm_mock.model.secret import Secret
from sm_mock.model.sorted import SortedEntries
from sm_mock.model.store import RegionStore


def create(name: str, **params: Any) -> dict[str, Any]:
    params.setdefault("SecretString", "s3cr3t")
    result: dict[str, Any] = client().create_secret(Name=name, **params)
    return result


def listed(**params: Any) -> list[str]:
    """Names from one ListSecrets call."""
    return [entry["Name"] for entry in client().list_secrets(**params)["SecretList"]]


def all_listed(**params: Any) -> list[str]:
    """Names from every page, following NextToken by hand."""
    names: list[str] = []
    token: str | None = params.get("NextToken")
    while True:
        if token is not None:
            params["NextToken"] = token
        page = client().list_secrets(**params)
        names.extend(entry["Name"] for entry in page["SecretList"])
        previous, token = token, page.get("NextToken")
        if token is None:
            return names
        assert token != previous, "NextToken did not advance"


def store_of(sm: SecretsManagerMock) -> RegionStore:
    return sm.backend.store(sm.account_id, sm.region)


def seed(sm: SecretsManagerMock, names: list[str], now: datetime | None = None) -> None:
    """Create secrets straight in the backend (fast, for large populations)."""
    store = store_of(sm)
    when = now or sm.clock.now()
    for name in names:
        store.create_secret(name, when, value=b"v", version_id=str(uuid.uuid4()))


# ---- entry shape (SM-109, SPEC L11) ------------------------------------------------------------


def test_list_entry_has_exactly_the_recorded_keys() -> None:
    with mock_secretsmanager():
        created = create("shape", Description="testing creation of secrets")
        (entry,) = client().list_secrets()["SecretList"]
        assert set(entry) == {"ARN", "CreatedDate", "Description", "LastChangedDate", "Name", "SecretVersionsToStages"}
        assert entry["ARN"] == created["ARN"]
        assert entry["SecretVersionsToStages"] == {created["VersionId"]: ["AWSCURRENT"]}


def test_list_entry_never_carries_a_value() -> None:
    with mock_secretsmanager():
        create("string", SecretString="top-secret-text")
        client().create_secret(Name="binary", SecretBinary=b"\x00raw")
        for entry in client().list_secrets()["SecretList"]:
            assert "SecretString" not in entry and "SecretBinary" not in entry
            assert "top-secret-text" not in repr(entry)


def test_list_entry_adds_dates_and_tags_only_once_they_are_set() -> None:
    clock = manual_clock()
    with mock_secretsmanager(clock=clock):
        create("plain")
        create("tagged", Tags=[{"Key": "team", "Value": "core"}])
        entries = {e["Name"]: e for e in client().list_secrets()["SecretList"]}
        assert "LastAccessedDate" not in entries["plain"] and "Tags" not in entries["plain"]
        assert entries["tagged"]["Tags"] == [{"Key": "team", "Value": "core"}]
        client().get_secret_value(SecretId="plain")
        client().delete_secret(SecretId="tagged", RecoveryWindowInDays=7)
        entries = {e["Name"]: e for e in client().list_secrets(IncludePlannedDeletion=True)["SecretList"]}
        # SPEC P3: LastAccessedDate has date precision.
        assert entries["plain"]["LastAccessedDate"] == datetime(2024, 3, 1, tzinfo=timezone.utc)
        assert entries["tagged"]["DeletedDate"] == START
        assert "DeletedDate" not in entries["plain"]


def test_secret_created_without_value_lists_without_version_stages() -> None:
    with mock_secretsmanager():
        client().create_secret(Name="empty")
        (entry,) = client().list_secrets()["SecretList"]
        assert "SecretVersionsToStages" not in entry


def test_list_entries_show_only_labelled_versions() -> None:
    with mock_secretsmanager():
        first = create("s")["VersionId"]
        second = client().put_secret_value(SecretId="s", SecretString="v2")["VersionId"]
        third = client().put_secret_value(SecretId="s", SecretString="v3")["VersionId"]
        (entry,) = client().list_secrets()["SecretList"]
        assert entry["SecretVersionsToStages"] == {third: ["AWSCURRENT"], second: ["AWSPREVIOUS"]}
        assert first not in entry["SecretVersionsToStages"]


# ---- filters: name (SM-110 … SM-112, SPEC L4) -----------------------------------------------------


def test_name_filter_is_a_case_sensitive_prefix() -> None:
    with mock_secretsmanager():
        for name in ("DatabaseSecret", "databaseSecret", "MyData", "Data"):
            create(name)
        assert sorted(listed(Filters=[{"Key": "name", "Values": ["Data"]}])) == ["Data", "DatabaseSecret"]


def test_name_filter_prefix_of_slash_names() -> None:
    with mock_secretsmanager():
        for name in ("testing1/one", "/testing2/two", "testing3/three", "/testing4/four"):
            create(name)
        assert sorted(listed(Filters=[{"Key": "name", "Values": ["/"]}])) == ["/testing2/two", "/testing4/four"]
        assert sorted(listed(Filters=[{"Key": "name", "Values": ["!/"]}])) == ["testing1/one", "testing3/three"]
        assert listed(Filters=[{"Key": "name", "Values": ["testing1 one"]}]) == []


def test_name_filter_values_are_ored() -> None:
    with mock_secretsmanager():
        for name in ("app/a", "app/b", "db/a", "web/a"):
            create(name)
        assert sorted(listed(Filters=[{"Key": "name", "Values": ["db/", "web/"]}])) == ["db/a", "web/a"]


def test_name_filter_negation_combines_with_a_plain_prefix() -> None:
    with mock_secretsmanager():
        for name in ("app/a", "app/admin", "app/b", "db/a"):
            create(name)
        assert sorted(listed(Filters=[{"Key": "name", "Values": ["app/", "!app/ad"]}])) == ["app/a", "app/b"]


def test_name_filter_with_every_sort_order_lists_the_same_secrets() -> None:
    with mock_secretsmanager():
        for name in ("p/c", "p/a", "q/a", "p/b", "pp"):
            create(name)
        flt = [{"Key": "name", "Values": ["p/"]}]
        for sort_by in ("created-date", "last-accessed-date", "last-changed-date", "name"):
            for order in ("asc", "desc"):
                got = all_listed(Filters=flt, SortBy=sort_by, SortOrder=order, MaxResults=1)
                assert sorted(got) == ["p/a", "p/b", "p/c"], (sort_by, order)
        assert all_listed(Filters=flt, SortBy="name", MaxResults=2) == ["p/a", "p/b", "p/c"]
        assert all_listed(Filters=flt, SortBy="name", SortOrder="desc", MaxResults=2) == ["p/c", "p/b", "p/a"]


# ---- filters: description, tags, all, primary-region, owning-service -------------------------------


def test_description_filter_matches_word_prefixes_ignoring_case() -> None:
    with mock_secretsmanager():
        create("one", Description="a secret")
        create("two", Description="an secret")
        create("three", Description="asecret")
        create("four", Description="thesecret")
        create("five", Description="A Database Password")
        create("none")
        assert sorted(listed(Filters=[{"Key": "description", "Values": ["a"]}])) == ["five", "one", "three", "two"]
        assert sorted(listed(Filters=[{"Key": "description", "Values": ["!a"]}])) == ["four", "none"]
        assert listed(Filters=[{"Key": "description", "Values": ["DATABASE pass"]}]) == ["five"]


def test_description_filter_needs_every_word_of_a_value() -> None:
    with mock_secretsmanager():
        create("foo", Description="one two")
        create("bar", Description="one and two")
        create("baz", Description="one")
        create("qux", Description="two")
        assert sorted(listed(Filters=[{"Key": "description", "Values": ["o t"]}])) == ["bar", "foo"]
        # SM-118: two filters with the same key are AND-ed ...
        both = [{"Key": "description", "Values": ["one"]}, {"Key": "description", "Values": ["two"]}]
        assert sorted(listed(Filters=both)) == ["bar", "foo"]
        # ... while two values of one filter are OR-ed.
        either = [{"Key": "description", "Values": ["one", "two"]}]
        assert sorted(listed(Filters=either)) == ["bar", "baz", "foo", "qux"]


def test_filters_with_different_keys_are_anded() -> None:
    with mock_secretsmanager():
        create("testing1/one", Description="a secret")
        create("/testing2/two", Description="an secret")
        create("an/three", Description="a secret")
        flt = [{"Key": "description", "Values": ["a"]}, {"Key": "name", "Values": ["an"]}]
        assert listed(Filters=flt) == ["an/three"]


def test_tag_key_filter_is_a_case_sensitive_prefix_of_any_key() -> None:
    with mock_secretsmanager():
        create("a", Tags=[{"Key": "Production", "Value": "x"}])
        create("b", Tags=[{"Key": "other", "Value": "y"}, {"Key": "Prod1", "Value": "z"}])
        create("c", Tags=[{"Key": "prod", "Value": "x"}])
        create("d", Tags=[{"Key": "1 Prod", "Value": "x"}])
        create("e")
        assert sorted(listed(Filters=[{"Key": "tag-key", "Values": ["Prod"]}])) == ["a", "b"]
        assert sorted(listed(Filters=[{"Key": "tag-key", "Values": ["!Prod"]}])) == ["c", "d", "e"]


def test_tag_value_filter_is_a_case_sensitive_prefix_of_any_value() -> None:
    with mock_secretsmanager():
        create("a", Tags=[{"Key": "env", "Value": "Production"}])
        create("b", Tags=[{"Key": "env", "Value": "production"}])
        create("c", Tags=[{"Key": "x", "Value": "y"}, {"Key": "env", "Value": "Prod1"}])
        assert sorted(listed(Filters=[{"Key": "tag-value", "Values": ["Prod"]}])) == ["a", "c"]
        assert sorted(listed(Filters=[{"Key": "tag-value", "Values": ["prod", "Prod1"]}])) == ["b", "c"]


def test_tag_key_and_tag_value_filters_may_match_different_tags() -> None:
    # SPEC L8 recommendation: each filter matches on its own.
    with mock_secretsmanager():
        create("crossed", Tags=[{"Key": "env", "Value": "other"}, {"Key": "team", "Value": "prod"}])
        create("neither", Tags=[{"Key": "team", "Value": "dev"}])
        flt = [{"Key": "tag-key", "Values": ["env"]}, {"Key": "tag-value", "Values": ["prod"]}]
        assert listed(Filters=flt) == ["crossed"]


def test_tag_filters_see_tag_changes_at_once() -> None:
    with mock_secretsmanager():
        create("s")
        flt = [{"Key": "tag-key", "Values": ["owner"]}]
        assert listed(Filters=flt) == []
        client().tag_resource(SecretId="s", Tags=[{"Key": "owner", "Value": "me"}])
        assert listed(Filters=flt) == ["s"]
        client().untag_resource(SecretId="s", TagKeys=["owner"])
        assert listed(Filters=flt) == []


def test_all_filter_searches_name_description_and_tags_by_word() -> None:
    with mock_secretsmanager():
        create("credsDatabase892")
        create("plain", Description="my payments key")
        create("tagged", Tags=[{"Key": "CostCenter", "Value": "Billing"}])
        create("other", Description="unrelated")
        assert listed(Filters=[{"Key": "all", "Values": ["database"]}]) == ["credsDatabase892"]
        assert listed(Filters=[{"Key": "all", "Values": ["PAY"]}]) == ["plain"]
        assert listed(Filters=[{"Key": "all", "Values": ["billing"]}]) == ["tagged"]
        assert listed(Filters=[{"Key": "all", "Values": ["center"]}]) == ["tagged"]
        # SM-139: the words of one value must all match within one field (not OR-ed as SPEC L5
        # read the seed), while the values of one filter are OR-ed.
        assert listed(Filters=[{"Key": "all", "Values": ["my_Billing"]}]) == []
        assert listed(Filters=[{"Key": "all", "Values": ["my_payments"]}]) == ["plain"]
        assert sorted(listed(Filters=[{"Key": "all", "Values": ["my", "Billing"]}])) == ["plain", "tagged"]
        assert sorted(listed(Filters=[{"Key": "all", "Values": ["!database"]}])) == ["other", "plain", "tagged"]


def test_all_filter_does_not_match_the_middle_of_a_word() -> None:
    with mock_secretsmanager():
        create("SecretOne")
        create("SecretTwo", Description="DescTwo")
        create("Thirdsecret")
        assert listed(Filters=[{"Key": "all", "Values": ["ret"]}]) == []
        # "Thirdsecret" is one word: "secret" is in its middle, "third" at its start.
        assert sorted(listed(Filters=[{"Key": "all", "Values": ["secret"]}])) == ["SecretOne", "SecretTwo"]
        assert listed(Filters=[{"Key": "all", "Values": ["third"]}]) == ["Thirdsecret"]


def test_owning_service_filter_is_a_case_insensitive_prefix() -> None:
    with mock_secretsmanager() as sm:
        store = store_of(sm)
        store.create_secret("rds!cluster-1", sm.clock.now(), value=b"v", owning_service="rds")
        store.create_secret("events!conn", sm.clock.now(), value=b"v", owning_service="events")
        create("mine")
        assert listed(Filters=[{"Key": "owning-service", "Values": ["rds"]}]) == ["rds!cluster-1"]
        assert listed(Filters=[{"Key": "owning-service", "Values": ["EVE"]}]) == ["events!conn"]
        assert sorted(listed(Filters=[{"Key": "owning-service", "Values": ["!rds"]}])) == ["events!conn", "mine"]
        entries = {e["Name"]: e for e in client().list_secrets()["SecretList"]}
        assert entries["rds!cluster-1"]["OwningService"] == "rds"


def test_primary_region_filter_is_a_case_sensitive_prefix() -> None:
    with mock_secretsmanager() as sm:
        create("replica")
        create("local")
        secret = sm.backend.get("replica", account_id=sm.account_id, region=sm.region)
        secret.primary_region = "eu-west-1"
        assert listed(Filters=[{"Key": "primary-region", "Values": ["eu-"]}]) == ["replica"]
        assert listed(Filters=[{"Key": "primary-region", "Values": ["EU-"]}]) == []
        assert listed(Filters=[{"Key": "primary-region", "Values": ["!eu-"]}]) == ["local"]


def test_unknown_filter_key_is_a_validation_error() -> None:
    with mock_secretsmanager():
        with pytest.raises(ClientError) as caught:
            client().list_secrets(Filters=[{"Key": "invalid", "Values": ["foo"]}])
        assert error_code(caught) == "ValidationException"  # SM-053
        assert "filters.1.member.key" in caught.value.response["Error"]["Message"]


def test_filter_without_key_is_refused_with_advice() -> None:
    with mock_secretsmanager():
        with pytest.raises(ClientError) as caught:
            client().list_secrets(Filters=[{"Values": ["foo"]}])
        assert error_code(caught) == "InvalidParameterException"
        assert "Key" in caught.value.response["Error"]["Message"]


def test_filter_value_with_a_forbidden_character_is_refused() -> None:
    with mock_secretsmanager():
        with pytest.raises(ClientError) as caught:
            client().list_secrets(Filters=[{"Key": "name", "Values": ["bad*value"]}])
        assert error_code(caught) == choices.MODEL_VIOLATION_CODE  # SPEC L7


def test_eleven_filters_are_refused() -> None:
    with mock_secretsmanager():
        with pytest.raises(ClientError) as caught:
            client().list_secrets(Filters=[{"Key": "name", "Values": ["a"]}] * 11)
        assert error_code(caught) == choices.MODEL_VIOLATION_CODE  # SPEC L7: at most 10


# ---- sorting (SPEC L9) ---------------------------------------------------------------------------


def _sorting_fixture(clock: ManualClock) -> None:
    """Four secrets whose orders differ by every SortBy."""
    create("charlie")  # created first
    clock.advance(hours=1)
    create("alpha")
    clock.advance(hours=1)
    create("delta")
    clock.advance(hours=1)
    create("bravo")
    clock.advance(days=1)
    client().put_secret_value(SecretId="alpha", SecretString="changed")  # alpha changed last
    clock.advance(hours=1)
    client().update_secret(SecretId="charlie", Description="changed later still")
    clock.advance(days=1)
    client().get_secret_value(SecretId="delta")  # delta read on day 3
    clock.advance(days=1)
    client().get_secret_value(SecretId="charlie")  # charlie read on day 4


def test_default_order_is_creation_date_in_the_chosen_direction() -> None:
    clock = manual_clock()
    with mock_secretsmanager(clock=clock):
        _sorting_fixture(clock)
        expected = ["charlie", "alpha", "delta", "bravo"]
        if choices.LIST_SORT_ORDER == "desc":
            expected.reverse()
        assert listed() == expected
        assert listed(SortBy="created-date") == expected


@pytest.mark.parametrize(
    ("sort_by", "ascending"),
    [
        ("created-date", ["charlie", "alpha", "delta", "bravo"]),
        ("name", ["alpha", "bravo", "charlie", "delta"]),
        # delta and bravo were last changed when created; alpha and charlie later.
        ("last-changed-date", ["delta", "bravo", "alpha", "charlie"]),
        # Never read sorts as oldest (choices.LIST_UNSET_DATES_FIRST); ties by creation order.
        ("last-accessed-date", ["alpha", "bravo", "delta", "charlie"]),
    ],
)
def test_each_sort_key_in_both_directions(sort_by: str, ascending: list[str]) -> None:
    clock = manual_clock()
    with mock_secretsmanager(clock=clock):
        _sorting_fixture(clock)
        assert listed(SortBy=sort_by, SortOrder="asc") == ascending
        assert listed(SortBy=sort_by, SortOrder="desc") == ascending[::-1]
        # Paging one by one gives the same order.
        assert all_listed(SortBy=sort_by, SortOrder="asc", MaxResults=1) == ascending
        assert all_listed(SortBy=sort_by, SortOrder="desc", MaxResults=3) == ascending[::-1]


def test_last_accessed_ties_within_a_day_fall_back_to_creation_order() -> None:
    clock = manual_clock()
    with mock_secretsmanager(clock=clock):
        for name in ("x", "y", "z"):
            create(name)
        clock.advance(hours=1)
        for name in ("z", "x", "y"):  # read in another order on the same day
            client().get_secret_value(SecretId=name)
            clock.advance(minutes=5)
        assert listed(SortBy="last-accessed-date") == ["x", "y", "z"]
        assert listed(SortBy="last-accessed-date", SortOrder="desc") == ["z", "y", "x"]


def test_sorting_follows_changes_made_between_listings() -> None:
    clock = manual_clock()
    with mock_secretsmanager(clock=clock):
        for name in ("a", "b", "c"):
            create(name)
            clock.advance(seconds=1)
        assert listed(SortBy="last-changed-date") == ["a", "b", "c"]
        client().tag_resource(SecretId="a", Tags=[{"Key": "k", "Value": "v"}])
        clock.advance(seconds=1)
        client().put_secret_value(SecretId="b", SecretString="new")
        assert listed(SortBy="last-changed-date") == ["c", "a", "b"]
        client().delete_secret(SecretId="c")
        assert listed(SortBy="last-changed-date") == ["a", "b"]
        assert listed(SortBy="last-changed-date", IncludePlannedDeletion=True) == ["c", "a", "b"]


# ---- paging (SPEC L10, A10) -----------------------------------------------------------------------


def test_default_page_size_is_the_chosen_one() -> None:
    with mock_secretsmanager() as sm:
        seed(sm, [f"s{i:03d}" for i in range(choices.LIST_PAGE_SIZE + 5)])
        page = client().list_secrets()
        assert len(page["SecretList"]) == choices.LIST_PAGE_SIZE
        assert "NextToken" in page


def test_last_page_has_no_next_token_even_when_full() -> None:
    with mock_secretsmanager() as sm:
        seed(sm, [f"s{i}" for i in range(4)])
        first = client().list_secrets(MaxResults=2)
        second = client().list_secrets(MaxResults=2, NextToken=first["NextToken"])
        assert len(second["SecretList"]) == 2
        assert "NextToken" not in second
        assert "NextToken" not in client().list_secrets(MaxResults=4)


def test_empty_region_lists_an_empty_page() -> None:
    with mock_secretsmanager():
        page = client().list_secrets()
        assert page["SecretList"] == []
        assert "NextToken" not in page


def test_max_results_out_of_range() -> None:
    with mock_secretsmanager():
        with pytest.raises(ParamValidationError):
            client().list_secrets(MaxResults=0)  # botocore checks the minimum (SPEC A3)
        with pytest.raises(ClientError) as caught:
            client().list_secrets(MaxResults=101)
        assert error_code(caught) == choices.MODEL_VIOLATION_CODE


def test_boto3_paginator_lists_every_secret_once_in_order() -> None:
    with mock_secretsmanager() as sm:
        names = [f"p{i:04d}" for i in range(257)]
        seed(sm, names)
        paginator = client().get_paginator("list_secrets")
        pages = list(paginator.paginate(PaginationConfig={"PageSize": 50}))
        assert [len(p["SecretList"]) for p in pages] == [50, 50, 50, 50, 50, 7]
        assert [e["Name"] for p in pages for e in p["SecretList"]] == names
        full = paginator.paginate(SortBy="name", SortOrder="desc").build_full_result()
        assert [e["Name"] for e in full["SecretList"]] == names[::-1]


def test_paginator_with_a_filter() -> None:
    with mock_secretsmanager() as sm:
        seed(sm, [f"team-{t}/s{i:03d}" for t in "abc" for i in range(40)])
        paginator = client().get_paginator("list_secrets")
        result = paginator.paginate(
            Filters=[{"Key": "name", "Values": ["team-b/"]}], PaginationConfig={"PageSize": 7}
        ).build_full_result()
        assert [e["Name"] for e in result["SecretList"]] == [f"team-b/s{i:03d}" for i in range(40)]


def test_garbage_next_token_is_refused() -> None:
    with mock_secretsmanager():
        create("a")
        for token in ("not-a-token", "eyJrIjoiTGlzdFNlY3JldHMifQ=="):
            with pytest.raises(ClientError) as caught:
                client().list_secrets(NextToken=token)
            assert error_code(caught) == "InvalidNextTokenException"


def test_next_token_only_works_with_the_same_sort() -> None:
    with mock_secretsmanager() as sm:
        seed(sm, ["a", "b", "c"])
        token = client().list_secrets(MaxResults=1, SortBy="name")["NextToken"]
        with pytest.raises(ClientError) as caught:
            client().list_secrets(NextToken=token, SortBy="created-date")
        assert error_code(caught) == "InvalidNextTokenException"
        assert "SortBy" in caught.value.response["Error"]["Message"]
        with pytest.raises(ClientError):
            client().list_secrets(NextToken=token, SortBy="name", SortOrder="desc")
        assert listed(NextToken=token, SortBy="name") == ["b", "c"]


def test_pages_skip_nothing_and_repeat_nothing_when_secrets_come_and_go() -> None:
    with mock_secretsmanager() as sm:
        seed(sm, [f"s{i}" for i in range(6)])
        first = client().list_secrets(MaxResults=3)
        assert [e["Name"] for e in first["SecretList"]] == ["s0", "s1", "s2"]
        client().delete_secret(SecretId="s1", ForceDeleteWithoutRecovery=True)  # already seen
        client().delete_secret(SecretId="s3", ForceDeleteWithoutRecovery=True)  # not yet seen
        create("late")
        rest = all_listed(MaxResults=3, NextToken=first["NextToken"])
        assert rest == ["s4", "s5", "late"]


def test_a_page_can_start_after_a_secret_that_was_deleted_meanwhile() -> None:
    with mock_secretsmanager() as sm:
        seed(sm, ["a", "b", "c", "d"])
        first = client().list_secrets(MaxResults=2, SortBy="name")
        client().delete_secret(SecretId="b", ForceDeleteWithoutRecovery=True)  # the token's own secret
        client().create_secret(Name="bb", SecretString="x")
        assert all_listed(MaxResults=2, SortBy="name", NextToken=first["NextToken"]) == ["bb", "c", "d"]


# ---- deletion and region scope (SPEC L1, L2, G7; SM-122, SM-123) -------------------------------------


def test_secret_scheduled_for_deletion_is_hidden_unless_asked_for() -> None:
    with mock_secretsmanager():
        create("kept")
        create("doomed")
        client().delete_secret(SecretId="doomed")
        assert listed() == ["kept"]
        assert listed(Filters=[{"Key": "name", "Values": ["doomed"]}]) == []
        assert listed(IncludePlannedDeletion=True) == ["kept", "doomed"]
        assert listed(IncludePlannedDeletion=True, Filters=[{"Key": "name", "Values": ["doomed"]}]) == ["doomed"]
        client().restore_secret(SecretId="doomed")
        assert listed() == ["kept", "doomed"]


def test_secret_whose_recovery_window_passed_is_gone_from_every_listing() -> None:
    clock = manual_clock()
    with mock_secretsmanager(clock=clock):
        create("short")
        create("long")
        create("alive")
        assert listed() == ["short", "long", "alive"]  # builds the indexes
        client().delete_secret(SecretId="short", RecoveryWindowInDays=7)
        client().delete_secret(SecretId="long", RecoveryWindowInDays=30)
        clock.advance(days=7)
        assert listed(IncludePlannedDeletion=True) == ["long", "alive"]
        clock.advance(days=23)
        assert listed(IncludePlannedDeletion=True) == ["alive"]
        create("short")  # the name is free again
        assert listed(IncludePlannedDeletion=True, SortBy="name") == ["alive", "short"]


def test_expired_secrets_are_purged_on_the_first_listing_too() -> None:
    clock = manual_clock()
    with mock_secretsmanager(clock=clock):
        create("gone")
        client().delete_secret(SecretId="gone", RecoveryWindowInDays=7)
        clock.advance(days=8)
        assert listed(IncludePlannedDeletion=True) == []


def test_force_deleted_secret_disappears_at_once() -> None:
    with mock_secretsmanager():
        create("a")
        assert listed() == ["a"]
        client().delete_secret(SecretId="a", ForceDeleteWithoutRecovery=True)
        assert listed(IncludePlannedDeletion=True) == []


def test_listing_shows_only_the_callers_region() -> None:
    with mock_secretsmanager():
        create("here")
        client("eu-west-1").create_secret(Name="there", SecretString="x")
        assert listed() == ["here"]
        assert [e["Name"] for e in client("eu-west-1").list_secrets()["SecretList"]] == ["there"]


def test_listing_never_shows_another_accounts_secrets() -> None:
    with mock_secretsmanager():
        create("mine")
        other = new_client(
            REGION,
            aws_access_key_id="111122223333",  # sm_mock reads a 12-digit key id as the account
            aws_secret_access_key="x",
        )
        other.create_secret(Name="theirs", SecretString="x")
        assert listed() == ["mine"]
        assert [e["Name"] for e in other.list_secrets()["SecretList"]] == ["theirs"]


# ---- large populations: the index strategies against a brute-force listing -------------------------


def _reference(
    sm: SecretsManagerMock,
    filters: list[tuple[str, list[str]]],
    sort_by: str,
    order: str,
    include_planned: bool,
) -> list[str]:
    """What a listing must return, computed by brute force from the store."""
    flt = compile_filters(filters)
    unset = -1 if choices.LIST_UNSET_DATES_FIRST else float("inf")

    def key(secret: Secret) -> tuple[Any, int]:
        if sort_by == "name":
            return (secret.name, secret.seq)
        value = {"created-date": secret.created, "last-changed-date": secret.last_changed}.get(sort_by)
        if sort_by == "last-accessed-date":
            return (unset if secret.last_accessed is None else secret.last_accessed.toordinal(), secret.seq)
        return (unset if value is None else value.timestamp(), secret.seq)

    secrets = [s for s in store_of(sm).by_name.values() if (include_planned or s.deleted_at is None) and flt.matches(s)]
    secrets.sort(key=key, reverse=order == "desc")
    return [s.name for s in secrets]


@pytest.mark.slow
def test_name_prefix_listings_at_scale_match_brute_force() -> None:
    # 3,000 secrets: several index chunks; prefixes from very rare to very common, so both the
    # walk and the collect strategy (and the switch between them) are exercised.
    with mock_secretsmanager() as sm:
        names = [f"{'ab'[i % 2]}/{i % 7}/{i:05d}" for i in range(3000)]
        clock = manual_clock()
        store = store_of(sm)
        for i, name in enumerate(names):
            clock.advance(seconds=(i * 7919) % 13)
            store.create_secret(name, clock.now(), value=b"v")
        for i in range(0, 3000, 11):
            client().delete_secret(SecretId=names[i])
        for prefix in ("a/3/0012", "b/", "a/", "b/1/", "", "a/1/01", "zzz"):
            flt = [("name", [prefix])]
            for sort_by in ("created-date", "name"):
                for order in ("asc", "desc"):
                    for include in (False, True):
                        want = _reference(sm, flt, sort_by, order, include)
                        got = all_listed(
                            Filters=[{"Key": "name", "Values": [prefix]}],
                            SortBy=sort_by,
                            SortOrder=order,
                            IncludePlannedDeletion=include,
                            MaxResults=100,
                        )
                        assert got == want, (prefix, sort_by, order, include)
        store.index.check()


def test_listing_stays_exact_after_more_changes_than_the_change_log_keeps() -> None:
    # Past about twice the number of secrets, pending changes are dropped with the views,
    # which are rebuilt from the store by the next listing.
    clock = manual_clock()
    with mock_secretsmanager(clock=clock) as sm:
        seed(sm, [f"s{i:02d}" for i in range(40)])
        assert len(listed(SortBy="last-changed-date")) == 40  # builds the view
        secrets = list(store_of(sm).by_name.values())
        for step in range(12_000):  # more than the log's floor of 10,000 entries
            secrets[(step * 7) % 40].last_changed = START + timedelta(seconds=step)
        want = _reference(sm, [], "last-changed-date", "asc", False)
        assert all_listed(SortBy="last-changed-date", MaxResults=7) == want
        store_of(sm).index.check()


def test_views_survive_being_dropped_while_a_listing_purges(monkeypatch: pytest.MonkeyPatch) -> None:
    import sm_mock.model.index as index_module

    monkeypatch.setattr(index_module, "_MIN_LOG", 0)  # drop the views at the slightest excuse
    clock = manual_clock()
    with mock_secretsmanager(clock=clock) as sm:
        seed(sm, [f"s{i:02d}" for i in range(30)])
        assert len(listed(SortBy="name")) == 30
        for i in range(0, 30, 2):
            client().delete_secret(SecretId=f"s{i:02d}", RecoveryWindowInDays=7)
        clock.advance(seconds=1)
        client().put_secret_value(SecretId="s01", SecretString="x")
        clock.advance(days=8)  # the listing purges 15 secrets: more than twice the 15 left
        assert all_listed(SortBy="name", MaxResults=4, IncludePlannedDeletion=True) == [
            f"s{i:02d}" for i in range(1, 30, 2)
        ]
        assert listed(SortBy="last-changed-date")[-1] == "s01"
        store_of(sm).index.check()


NAMES = st.text(alphabet="abc/", min_size=1, max_size=4)
WORDS = st.sampled_from(["alpha", "beta", "Gamma", "deltaX", "a1"])
FILTER = st.one_of(
    st.tuples(st.just("name"), st.lists(st.from_regex(r"!?[abc/]{0,3}", fullmatch=True), min_size=1, max_size=3)),
    st.tuples(st.just("description"), st.lists(WORDS.map(str.lower), min_size=1, max_size=2)),
    st.tuples(st.just("tag-key"), st.lists(st.sampled_from(["env", "!env", "te", "!o"]), min_size=1, max_size=2)),
    st.tuples(st.just("all"), st.lists(st.sampled_from(["ga", "b", "!alpha", "x"]), min_size=1, max_size=2)),
)
ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["create", "delete", "force", "restore", "put", "get", "tag", "tick", "day"]),
        NAMES,
        WORDS,
    ),
    max_size=40,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    actions=ACTIONS,
    filters=st.lists(FILTER, max_size=2),
    sort_by=st.sampled_from(["created-date", "last-accessed-date", "last-changed-date", "name"]),
    order=st.sampled_from(["asc", "desc"]),
    include=st.booleans(),
    page_size=st.integers(min_value=1, max_value=5),
)
def test_every_listing_equals_a_brute_force_listing(
    actions: list[tuple[str, str, str]],
    filters: list[tuple[str, list[str]]],
    sort_by: str,
    order: str,
    include: bool,
    page_size: int,
) -> None:
    clock = manual_clock()
    with mock_secretsmanager(clock=clock) as sm:
        for step, (action, name, word) in enumerate(actions):
            _apply(action, name, word, clock)
            if step % 7 == 3:  # list now and then, so later changes are replayed into built views
                listed(SortBy=sort_by, IncludePlannedDeletion=True)
        want = _reference(sm, filters, sort_by, order, include)
        got = all_listed(
            Filters=[{"Key": k, "Values": v} for k, v in filters],
            SortBy=sort_by,
            SortOrder=order,
            IncludePlannedDeletion=include,
            MaxResults=page_size,
        )
        assert got == want
        store_of(sm).index.check()


def _apply(action: str, name: str, word: str, clock: ManualClock) -> None:
    """One random step; errors such as "already exists" are part of the game."""
    c = client()
    try:
        if action == "create":
            tags = [{"Key": "env", "Value": word}]
            c.create_secret(Name=name, SecretString="v", Description=f"{word} text", Tags=tags)
        elif action == "delete":
            c.delete_secret(SecretId=name, RecoveryWindowInDays=7)
        elif action == "force":
            c.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
        elif action == "restore":
            c.restore_secret(SecretId=name)
        elif action == "put":
            c.put_secret_value(SecretId=name, SecretString=word)
        elif action == "get":
            c.get_secret_value(SecretId=name)
        elif action == "tag":
            c.tag_resource(SecretId=name, Tags=[{"Key": word, "Value": "other"}])
        elif action == "tick":
            clock.advance(minutes=17)
        else:
            clock.advance(days=3)  # moves LastAccessedDate days, and expires 7-day windows in time
    except ClientError:
        pass


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    initial=st.integers(min_value=0, max_value=30),
    page_size=st.integers(min_value=1, max_value=6),
    sort_by=st.sampled_from(["created-date", "name"]),
    order=st.sampled_from(["asc", "desc"]),
    churn=st.lists(st.lists(st.tuples(st.booleans(), st.integers(min_value=0, max_value=60)), max_size=4), max_size=12),
)
def test_paging_under_concurrent_creates_and_deletes_is_exact(
    initial: int, page_size: int, sort_by: str, order: str, churn: list[list[tuple[bool, int]]]
) -> None:
    """Between pages, secrets are created and deleted (a deleted name may come back as a new
    secret). Every secret that existed throughout is listed exactly once, no secret is listed
    twice, and the listing is in the requested order."""
    clock = manual_clock()
    with mock_secretsmanager(clock=clock):
        live: dict[str, str] = {}  # name -> ARN of the secret holding it now
        for i in range(initial):
            live[f"n{i:02d}"] = create(f"n{i:02d}")["ARN"]
            clock.advance(seconds=1)
        throughout = set(live.values())
        seen: list[tuple[str, str]] = []  # (ARN, name)
        token: str | None = None
        rounds = iter(churn)
        for _ in range(1000):
            params: dict[str, Any] = {"MaxResults": page_size, "SortBy": sort_by, "SortOrder": order}
            if token is not None:
                params["NextToken"] = token
            page = client().list_secrets(**params)
            seen.extend((e["ARN"], e["Name"]) for e in page["SecretList"])
            token = page.get("NextToken")
            if token is None:
                break
            for is_create, number in next(rounds, []):
                name = f"n{number:02d}"
                if is_create and name not in live:
                    live[name] = create(name)["ARN"]
                elif not is_create and name in live:
                    client().delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
                    throughout.discard(live.pop(name))
                clock.advance(seconds=1)
        else:
            pytest.fail("paging did not end")
        arns = [arn for arn, _ in seen]
        assert len(arns) == len(set(arns)), f"listed twice: {seen}"
        assert throughout <= set(arns), f"skipped: {throughout - set(arns)}"
        if sort_by == "name":
            names = [name for _, name in seen]
            assert names == sorted(names, reverse=order == "desc")


# ---- the sorted container itself --------------------------------------------------------------------


def _fake(seq: int) -> Secret:
    return Secret(arn=f"arn{seq}", name=f"n{seq}", account_id="1", region="r", created=START, kms_key=None, seq=seq)  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(
    ops=st.lists(st.tuples(st.booleans(), st.integers(min_value=0, max_value=3000)), max_size=400),
    bounds=st.tuples(st.none() | st.integers(0, 3000), st.none() | st.integers(0, 3000)),
    reverse=st.booleans(),
)
def test_sorted_entries_behave_like_a_sorted_list(
    ops: list[tuple[bool, int]], bounds: tuple[int | None, int | None], reverse: bool
) -> None:
    entries = SortedEntries()
    model: dict[int, Secret] = {}
    for add, key in ops:
        if add and key not in model:
            model[key] = _fake(key)
            entries.insert(key, model[key])
        elif not add:
            assert entries.remove(key) == (key in model)
            model.pop(key, None)
    entries.check()
    lo, hi = bounds
    want = sorted(k for k in model if (lo is None or k >= lo) and (hi is None or k < hi))
    got = [k for k, _ in entries.between(lo, hi, reverse=reverse)]
    assert got == (want[::-1] if reverse else want)
    if lo is not None:
        assert entries.count(lo, hi) == len(want)


def test_sorted_entries_split_and_shrink_chunks() -> None:
    entries = SortedEntries()
    secrets = {k: _fake(k) for k in range(5000)}
    for k in list(range(0, 5000, 2)) + list(range(1, 5000, 2)):  # appends, then inserts inside
        entries.insert(k, secrets[k])
    entries.check()
    assert [k for k, _ in entries.between(1000, 1010)] == list(range(1000, 1010))
    for k in range(0, 5000, 3):
        assert entries.remove(k)
    entries.check()
    assert len(entries) == 5000 - len(range(0, 5000, 3))
    assert not entries.remove(3)


def _iter_all(entries: SortedEntries) -> Iterator[int]:
    return (k for k, _ in entries.between(None, None))


def test_sorted_entries_built_from_sorted_input() -> None:
    keys = list(range(0, 3000, 3))
    entries = SortedEntries(keys, [_fake(k) for k in keys])
    entries.check()
    assert list(_iter_all(entries)) == keys
    assert [k for k, _ in entries.between(None, 10, reverse=True)] == [9, 6, 3, 0]
