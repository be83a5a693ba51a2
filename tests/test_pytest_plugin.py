"""The pytest plugin, run in an isolated pytest session (pytester)."""

from __future__ import annotations

import pytest


def test_fixtures_and_marker_work_in_a_fresh_session(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3, pytest

        def test_fixtures(sm_mock, sm_client):
            sm_client.create_secret(Name="a", SecretString="v")
            assert sm_mock.calls.count("CreateSecret") == 1

        @pytest.mark.sm_mock(region="eu-north-1")
        def test_marker(sm_client):
            assert sm_client.meta.region_name == "eu-north-1"
            assert ":eu-north-1:" in sm_client.create_secret(Name="b")["ARN"]

        def test_state_is_fresh_per_test(sm_client):
            sm_client.create_secret(Name="a", SecretString="v")  # would clash if state leaked
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_unused_declared_faults_fail_the_test_when_asked(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.sm_mock(fail_on_unused_faults=True)
        def test_fault_never_fires(sm_mock, sm_client):
            sm_mock.faults.add("GetSecretValue", "InternalServiceError", times=1)

        @pytest.mark.sm_mock(fail_on_unused_faults=True)
        def test_fault_fires(sm_mock, sm_client):
            sm_client.create_secret(Name="a", SecretString="v")
            sm_mock.faults.add("GetSecretValue", "InternalServiceError", times=1)
            assert sm_client.get_secret_value(SecretId="a")["SecretString"] == "v"  # retried

        def test_unused_faults_are_fine_without_the_option(sm_mock):
            sm_mock.faults.add("GetSecretValue", "InternalServiceError", times=1)
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, errors=1)  # the failure is reported at teardown
    result.stdout.fnmatch_lines(["*test_fault_never_fires*", "*GetSecretValue*"])
