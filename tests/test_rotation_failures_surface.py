"""Rotation failures a test did not look at fail it (under the plugin) or warn (elsewhere):
RotateSecret answers success when the function fails, as AWS does, so nothing else tells."""

from __future__ import annotations

import warnings

import boto3
import pytest

from sm_mock import RotationFailureWarning, mock_secretsmanager

ROTATOR = "arn:aws:lambda:us-east-1:123456789012:function:rotate"

FAILING = f"""
import boto3
import pytest

ROTATOR = "{ROTATOR}"

def failing(event, context):
    if event["Step"] == "setSecret":
        raise ConnectionError("the database refused the new password")

def rotate(sm_mock, sm_client):
    sm_mock.register_lambda(ROTATOR, failing)
    sm_client.create_secret(Name="db", SecretString="v")
    answer = sm_client.rotate_secret(SecretId="db", RotationLambdaARN=ROTATOR)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200  # AWS's answer: success
"""


def test_an_unexamined_failure_fails_the_test_readably(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(FAILING + "\ndef test_rotates(sm_mock, sm_client):\n    rotate(sm_mock, sm_client)\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=1, errors=1)  # the test body passed; its teardown reports
    result.stdout.fnmatch_lines(
        [
            "*rotation problem(s) the test did not look at*",
            "*RotationFailed: secret arn:aws:secretsmanager:us-east-1:123456789012:secret:db-*, step setSecret*"
            "ConnectionError: the database refused the new password*",
            "*expect_rotation_failures=True*",
        ]
    )


@pytest.mark.parametrize(
    "test",
    [
        "@pytest.mark.sm_mock(expect_rotation_failures=True)\ndef test_rotates(sm_mock, sm_client):\n"
        "    rotate(sm_mock, sm_client)\n",
        "def test_rotates(sm_mock, sm_client):\n    rotate(sm_mock, sm_client)\n"
        "    assert sm_mock.rotations.failures[0].step == 'setSecret'\n",
    ],
    ids=["expected", "examined"],
)
def test_an_expected_or_examined_failure_passes(pytester: pytest.Pytester, test: str) -> None:
    pytester.makepyfile(FAILING + "\n" + test)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-p", "no:randomly", "-W", "error::sm_mock.RotationFailureWarning"
    )
    result.assert_outcomes(passed=1)


def test_an_unregistered_function_fails_the_test_with_the_hint(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        f"""
        def test_rotates(sm_client):
            sm_client.create_secret(Name="db", SecretString="v")
            try:
                sm_client.rotate_secret(SecretId="db", RotationLambdaARN="{ROTATOR}")
            except sm_client.exceptions.ClientError as error:
                assert error.response["Error"]["Code"] == "AccessDeniedException"  # as recorded
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines([f"*Register it with sm.register_lambda('{ROTATOR}', handler)*"])


def _fail_a_rotation(sm: object) -> None:
    def failing(event: dict[str, str], context: object) -> None:
        raise RuntimeError("boom")

    sm.register_lambda(ROTATOR, failing)  # type: ignore[attr-defined]
    client = boto3.client("secretsmanager", region_name="us-east-1")
    client.create_secret(Name="db", SecretString="v")
    client.rotate_secret(SecretId="db", RotationLambdaARN=ROTATOR)


def test_a_mock_stopped_with_unexamined_failures_warns() -> None:
    with pytest.warns(RotationFailureWarning, match="RuntimeError: boom"), mock_secretsmanager() as sm:
        _fail_a_rotation(sm)


def test_a_mock_whose_failures_were_examined_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with mock_secretsmanager() as sm:
            _fail_a_rotation(sm)
            assert sm.rotations.failures


def test_a_failed_handler_leaves_no_plaintext_reachable_from_its_records() -> None:
    # Issue 18, item 13: the stored exception's frames held the handler's locals.
    from test_encryption import _reachable

    secret_value = "plaintext-held-by-a-failing-handler-5d1f"

    def failing(event: dict[str, str], context: object) -> None:
        client = boto3.client("secretsmanager", region_name="us-east-1")
        held = client.get_secret_value(SecretId=event["SecretId"])["SecretString"]  # a local
        raise ValueError(f"the database refused user {len(held)}")

    with mock_secretsmanager() as sm:
        sm.register_lambda(ROTATOR, failing)
        client = sm.client()
        client.create_secret(Name="db", SecretString=secret_value)
        client.rotate_secret(SecretId="db", RotationLambdaARN=ROTATOR)
        # What sm.rotations keeps (the records and the calls), walked through every reference.
        kept = [sm.rotations.history, sm.rotations.invocations]
        leaks = [o for o in _reachable(kept) if isinstance(o, str) and secret_value in o]
        assert leaks == []
        (failure, *_) = sm.rotations.failures  # what a user needs stays: type, message, where
        assert "ValueError: the database refused user" in failure.error.sm_mock_traceback  # type: ignore[union-attr]
        assert ", in failing" in failure.error.sm_mock_traceback  # type: ignore[union-attr]
