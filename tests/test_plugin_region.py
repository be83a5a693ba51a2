"""The plugin supplies a default region at startup when none is configured, never over a real
setting, and says so; a module that builds a client at import then collects (issue 21)."""

from __future__ import annotations

from pathlib import Path

import pytest

MODULE_CLIENT = """
import boto3

client = boto3.client("secretsmanager")  # at import, as AWS's rotation templates do

def test_the_module_client_is_served(sm_mock):
    client.create_secret(Name="n", SecretString="v")
    assert [s.name for s in sm_mock.backend.secrets()] == ["n"]
"""


@pytest.fixture
def no_aws_configuration(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ("AWS_DEFAULT_REGION", "AWS_REGION", "AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    pytester.makeconftest('pytest_plugins = ["sm_mock.pytest_plugin"]')
    pytester.makepyfile(test_module_client=MODULE_CLIENT)
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly", "-p", "no:sm_mock", *args)


@pytest.mark.usefixtures("no_aws_configuration")
def test_a_module_client_collects_where_nothing_is_configured(pytester: pytest.Pytester) -> None:
    result = _run(pytester)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["sm_mock: no AWS region was configured, so AWS_DEFAULT_REGION=us-east-1*"])


@pytest.mark.usefixtures("no_aws_configuration")
def test_the_default_region_can_be_switched_off(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nsm_mock_default_region =\n")
    result = _run(pytester)
    result.assert_outcomes(errors=1)  # NoRegionError while collecting, as without the plugin
    result.stdout.no_fnmatch_line("*sm_mock: no AWS region*")


@pytest.mark.usefixtures("no_aws_configuration")
def test_a_configured_region_is_never_overridden(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-north-1")
    pytester.makepyfile(
        test_region="import os\n\ndef test_region():\n    assert os.environ['AWS_DEFAULT_REGION'] == 'eu-north-1'\n"
    )
    result = _run(pytester)
    result.assert_outcomes(passed=2)
    result.stdout.no_fnmatch_line("*sm_mock: no AWS region*")
