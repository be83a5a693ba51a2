"""BatchGetSecretValue through real boto3 clients (SPEC §N; rows SM-051, SM-052, SM-056, SM-057)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError, ParamValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import REGION, START, client, error_of, manual_clock, new_client

from sm_mock import choices, mock_secretsmanager

NOT_FOUND = "Secrets Manager can't find the specified secret."
MARKED = "You can't perform this operation on the secret because it was marked for deletion."


def create(name: str, value: str = "s3cr3t", **params: Any) -> dict[str, Any]:
    result: dict[str, Any] = client().create_secret(Name=name, SecretString=value, **params)
    return result


def batch_all(**params: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every page of a Filters request, following NextToken by hand (there is no paginator)."""
    values: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    token: str | None = None
    for _ in range(1000):
        if token is not None:
            params["NextToken"] = token
        page = client().batch_get_secret_value(**params)
        values.extend(page["SecretValues"])
        errors.extend(page["Errors"])
        token = page.get("NextToken")
        if token is None:
            return values, errors
    raise AssertionError("paging did not end")


# ---- parameter rules (SPEC N1; SM-051, SM-052) --------------------------------------------------


def test_secret_id_list_and_filters_together_are_refused() -> None:
    with mock_secretsmanager():
        create("a")
        with pytest.raises(ClientError) as caught:
            client().batch_get_secret_value(SecretIdList=["a"], Filters=[{"Key": "name", "Values": ["a"]}])
        assert error_of(caught) == (
            "InvalidParameterException",
            "Either 'SecretIdList' or 'Filters' must be provided, but not both.",
        )


def test_neither_secret_id_list_nor_filters_is_refused() -> None:
    with mock_secretsmanager():
        with pytest.raises(ClientError) as caught:
            client().batch_get_secret_value()
        code, message = error_of(caught)
        assert code == "InvalidParameterException"
        assert "'SecretIdList' or 'Filters'" in message


def test_max_results_without_filters_is_refused() -> None:
    with mock_secretsmanager():
        create("a")
        with pytest.raises(ClientError) as caught:
            client().batch_get_secret_value(SecretIdList=["a"], MaxResults=10)
        assert error_of(caught) == (
            "InvalidParameterException",
            "'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided.",
        )


def test_next_token_without_filters_is_refused() -> None:
    with mock_secretsmanager():
        create("a")
        with pytest.raises(ClientError) as caught:
            client().batch_get_secret_value(SecretIdList=["a"], NextToken="abc")
        code, message = error_of(caught)
        assert code == "InvalidParameterException"
        assert "'NextToken'" in message


def test_secret_id_list_takes_one_to_twenty_ids() -> None:
    with mock_secretsmanager():
        with pytest.raises(ParamValidationError):
            client().batch_get_secret_value(SecretIdList=[])  # botocore checks the minimum
        with pytest.raises(ClientError) as caught:
            client().batch_get_secret_value(SecretIdList=[f"s{i}" for i in range(21)])
        assert error_of(caught)[0] == choices.MODEL_VIOLATION_CODE
        twenty = client().batch_get_secret_value(SecretIdList=[f"s{i}" for i in range(20)])
        assert len(twenty["Errors"]) == 20


def test_max_results_with_filters_is_one_to_twenty() -> None:
    with mock_secretsmanager():
        with pytest.raises(ClientError) as caught:
            client().batch_get_secret_value(Filters=[{"Key": "name", "Values": ["a"]}], MaxResults=21)
        assert error_of(caught)[0] == choices.MODEL_VIOLATION_CODE


def test_unknown_filter_key_is_a_validation_error() -> None:
    with mock_secretsmanager():
        with pytest.raises(ClientError) as caught:
            client().batch_get_secret_value(Filters=[{"Key": "invalid", "Values": ["foo"]}])
        assert error_of(caught)[0] == "ValidationException"


# ---- SecretIdList form (SPEC N2, N3; SM-056, SM-057) --------------------------------------------


def test_values_come_back_like_get_secret_value() -> None:
    clock = manual_clock()
    with mock_secretsmanager(clock=clock):
        first = create("text", "plain text value")
        clock.advance(hours=1)
        binary = client().create_secret(Name="blob", SecretBinary=b"\x00\xffraw")
        clock.advance(hours=1)
        second = client().put_secret_value(SecretId="text", SecretString="newer")
        result = client().batch_get_secret_value(SecretIdList=["text", "blob"])
        assert result["Errors"] == []
        by_name = {v["Name"]: v for v in result["SecretValues"]}
        assert by_name["text"]["SecretString"] == "newer"
        assert by_name["text"]["VersionId"] == second["VersionId"] != first["VersionId"]
        assert by_name["text"]["VersionStages"] == ["AWSCURRENT"]
        assert by_name["text"]["CreatedDate"] == START + timedelta(hours=2)  # the version's date
        assert by_name["text"]["ARN"] == first["ARN"]
        assert by_name["blob"]["SecretBinary"] == b"\x00\xffraw"
        assert "SecretString" not in by_name["blob"]
        assert by_name["blob"]["VersionId"] == binary["VersionId"]
        assert [v["Name"] for v in result["SecretValues"]] == ["text", "blob"]  # request order


def test_ids_may_be_names_full_arns_or_partial_arns() -> None:
    with mock_secretsmanager():
        arn = create("by/arn")["ARN"]
        create("by/name")
        partial = create("by/partial")["ARN"][: -len("-XXXXXX")]
        result = client().batch_get_secret_value(SecretIdList=[arn, "by/name", partial])
        assert [v["Name"] for v in result["SecretValues"]] == ["by/arn", "by/name", "by/partial"]
        assert result["Errors"] == []


def test_missing_secret_is_reported_in_errors_while_the_rest_succeed() -> None:
    with mock_secretsmanager():
        create("present", "my_secret")
        result = client().batch_get_secret_value(SecretIdList=["present", "absent"])
        assert [v["Name"] for v in result["SecretValues"]] == ["present"]
        assert result["SecretValues"][0]["SecretString"] == "my_secret"
        assert result["Errors"] == [
            {"SecretId": "absent", "ErrorCode": "ResourceNotFoundException", "Message": NOT_FOUND}
        ]


def test_secret_scheduled_for_deletion_is_reported_in_errors() -> None:
    with mock_secretsmanager():
        create("doomed")
        create("kept")
        client().delete_secret(SecretId="doomed")
        result = client().batch_get_secret_value(SecretIdList=["doomed", "kept"])
        assert [v["Name"] for v in result["SecretValues"]] == ["kept"]
        assert result["Errors"] == [{"SecretId": "doomed", "ErrorCode": "InvalidRequestException", "Message": MARKED}]


def test_decryption_failure_is_reported_in_errors() -> None:
    with mock_secretsmanager() as sm:
        keyring = sm.backend.keyring(sm.account_id, sm.region)
        key = keyring.create_key(alias="alias/batch")
        create("locked", KmsKeyId="alias/batch")
        create("open")
        keyring.disable_key(key.key_id)
        result = client().batch_get_secret_value(SecretIdList=["locked", "open"])
        assert [v["Name"] for v in result["SecretValues"]] == ["open"]
        (error,) = result["Errors"]
        assert (error["SecretId"], error["ErrorCode"]) == ("locked", "DecryptionFailure")
        assert "disabled" in error["Message"]


def test_secret_without_a_value_is_reported_in_errors() -> None:
    with mock_secretsmanager():
        client().create_secret(Name="empty")
        (error,) = client().batch_get_secret_value(SecretIdList=["empty"])["Errors"]
        assert error["ErrorCode"] == "ResourceNotFoundException"
        assert "AWSCURRENT" in error["Message"]


def test_invalid_id_is_reported_in_errors() -> None:
    with mock_secretsmanager():
        create("ok")
        result = client().batch_get_secret_value(SecretIdList=["bad name!*", "ok"])
        assert [v["Name"] for v in result["SecretValues"]] == ["ok"]
        assert [e["SecretId"] for e in result["Errors"]] == ["bad name!*"]


def test_reading_stamps_last_accessed_date_like_get_secret_value() -> None:
    clock = manual_clock()
    with mock_secretsmanager(clock=clock):
        create("read")
        create("unread")
        clock.advance(days=2)
        client().batch_get_secret_value(SecretIdList=["read", "missing"])
        # SPEC N6 / P3: date precision, only for values actually returned.
        day = datetime(2024, 3, 3, tzinfo=timezone.utc)
        assert client().describe_secret(SecretId="read")["LastAccessedDate"] == day
        assert "LastAccessedDate" not in client().describe_secret(SecretId="unread")
        versions = client().list_secret_version_ids(SecretId="read")["Versions"]
        assert versions[0]["LastAccessedDate"] == day


def test_other_accounts_secret_by_full_arn() -> None:
    with mock_secretsmanager() as sm:
        other = new_client(REGION, aws_access_key_id="111122223333", aws_secret_access_key="x")
        keyring = sm.backend.keyring("111122223333", REGION)
        keyring.create_key(alias="alias/shared")
        shared = other.create_secret(Name="shared", SecretString="cross", KmsKeyId="alias/shared")["ARN"]
        default_key = other.create_secret(Name="default-key", SecretString="x")["ARN"]
        result = client().batch_get_secret_value(SecretIdList=[shared, default_key, "shared"])
        assert [v["SecretString"] for v in result["SecretValues"]] == ["cross"]
        codes = {e["SecretId"]: e["ErrorCode"] for e in result["Errors"]}
        # SM-043: another account cannot read a secret under the default key; by name, the
        # caller's own account is searched (SPEC B9).
        assert codes == {default_key: "InvalidRequestException", "shared": "ResourceNotFoundException"}


# ---- Filters form (SPEC N1, N4) -----------------------------------------------------------------


def test_filters_return_matching_values_in_pages() -> None:
    with mock_secretsmanager() as sm:
        store = sm.backend.store(sm.account_id, sm.region)
        for i in range(45):
            value = f"value-{i}".encode()
            store.create_secret(f"app/{i:02d}", sm.clock.now(), value=value, version_id=str(uuid.uuid4()))
        create("other/x")
        first = client().batch_get_secret_value(Filters=[{"Key": "name", "Values": ["app/"]}])
        assert len(first["SecretValues"]) == choices.BATCH_PAGE_SIZE
        assert "NextToken" in first
        values, errors = batch_all(Filters=[{"Key": "name", "Values": ["app/"]}], MaxResults=7)
        assert errors == []
        assert [v["Name"] for v in values] == [f"app/{i:02d}" for i in range(45)]
        assert [v["SecretString"] for v in values] == [f"value-{i}" for i in range(45)]


def test_filters_leave_out_secrets_scheduled_for_deletion() -> None:
    with mock_secretsmanager():
        create("svc/a")
        create("svc/b")
        client().delete_secret(SecretId="svc/a")
        values, errors = batch_all(Filters=[{"Key": "name", "Values": ["svc/"]}])
        assert [v["Name"] for v in values] == ["svc/b"]
        assert errors == []


def test_filters_matching_nothing_give_an_empty_answer() -> None:
    with mock_secretsmanager():
        create("a")
        result = client().batch_get_secret_value(Filters=[{"Key": "name", "Values": ["zzz"]}])
        assert result["SecretValues"] == [] and result["Errors"] == []
        assert "NextToken" not in result


def test_filters_use_every_filter_key_rule() -> None:
    with mock_secretsmanager():
        create("one", Description="database password", Tags=[{"Key": "env", "Value": "prod"}])
        create("two", Description="api key", Tags=[{"Key": "env", "Value": "dev"}])
        for filters, want in (
            ([{"Key": "description", "Values": ["data"]}], ["one"]),
            ([{"Key": "tag-value", "Values": ["!prod"]}], ["two"]),
            ([{"Key": "tag-key", "Values": ["env"]}, {"Key": "all", "Values": ["api"]}], ["two"]),
        ):
            values, _ = batch_all(Filters=filters)
            assert [v["Name"] for v in values] == want, filters


def test_filtered_secret_that_cannot_be_read_goes_to_errors_under_its_arn() -> None:
    with mock_secretsmanager():
        arn = client().create_secret(Name="app/empty")["ARN"]
        create("app/full")
        values, errors = batch_all(Filters=[{"Key": "name", "Values": ["app/"]}])
        assert [v["Name"] for v in values] == ["app/full"]
        expected_id = arn if choices.BATCH_FILTER_ERROR_SECRET_ID == "ARN" else "app/empty"
        assert [(e["SecretId"], e["ErrorCode"]) for e in errors] == [(expected_id, "ResourceNotFoundException")]


def test_filter_pages_stamp_last_accessed_date() -> None:
    clock = manual_clock()
    with mock_secretsmanager(clock=clock):
        create("x/1")
        clock.advance(days=1)
        batch_all(Filters=[{"Key": "name", "Values": ["x/"]}])
        assert client().describe_secret(SecretId="x/1")["LastAccessedDate"] == datetime(2024, 3, 2, tzinfo=timezone.utc)


def test_list_secrets_token_is_refused_by_batch_get() -> None:
    with mock_secretsmanager():
        create("a")
        create("b")
        token = client().list_secrets(MaxResults=1)["NextToken"]
        with pytest.raises(ClientError) as caught:
            client().batch_get_secret_value(Filters=[{"Key": "name", "Values": ["a", "b"]}], NextToken=token)
        assert error_of(caught)[0] == "InvalidNextTokenException"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    count=st.integers(min_value=0, max_value=30),
    page=st.integers(min_value=1, max_value=20),
    deleted_between=st.lists(st.integers(min_value=0, max_value=29), max_size=5),
)
def test_filter_paging_is_exact_while_secrets_are_deleted(count: int, page: int, deleted_between: list[int]) -> None:
    with mock_secretsmanager() as sm:
        names = [f"p/{i:02d}" for i in range(count)]
        store = sm.backend.store(sm.account_id, sm.region)
        for name in names:
            store.create_secret(name, sm.clock.now(), value=name.encode())
        throughout = set(names)
        seen: list[str] = []
        token: str | None = None
        deletions = iter(deleted_between)
        for _ in range(100):
            params: dict[str, Any] = {"Filters": [{"Key": "name", "Values": ["p/"]}], "MaxResults": page}
            if token is not None:
                params["NextToken"] = token
            result = client().batch_get_secret_value(**params)
            assert result["Errors"] == []
            seen.extend(v["Name"] for v in result["SecretValues"])
            assert all(v["SecretString"] == v["Name"] for v in result["SecretValues"])
            token = result.get("NextToken")
            if token is None:
                break
            victim = next(deletions, None)
            if victim is not None and victim < count:
                client().delete_secret(SecretId=names[victim], ForceDeleteWithoutRecovery=True)
                throughout.discard(names[victim])
        assert len(seen) == len(set(seen))
        assert throughout <= set(seen)
        assert seen == sorted(seen)
