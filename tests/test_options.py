"""Mock options are checked when the mock is created: names, types and ranges (issue 21)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sm_mock import OptionError, SecretsManagerMock, mock_secretsmanager
from sm_mock.options import OPTION_NAMES


def test_allow_services_takes_one_name_or_many() -> None:
    assert mock_secretsmanager(allow_services="sts").allow_services == {"sts"}
    assert mock_secretsmanager(allow_services=["sts", "s3"]).allow_services == {"sts", "s3"}
    with pytest.raises(OptionError, match="allow_services takes a name or an iterable of names"):
        mock_secretsmanager(allow_services=[3])  # type: ignore[list-item]


def test_throttling_takes_a_switch_or_names() -> None:
    assert mock_secretsmanager(throttling="GetSecretValue").quotas.enforced == {"GetSecretValue"}
    with pytest.raises(OptionError, match="'yes' is neither a Secrets Manager operation nor a quota group"):
        mock_secretsmanager(throttling="yes")


def test_a_misspelt_option_names_the_one_meant_and_lists_them_all() -> None:
    with pytest.raises(OptionError) as info:
        mock_secretsmanager(regoin="eu-west-1")  # type: ignore[call-overload]
    message = str(info.value)
    assert "unknown option 'regoin' (did you mean 'region'?)" in message
    assert all(name in message for name in OPTION_NAMES)


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"max_secrets": "3"}, "max_secrets takes a whole number"),
        ({"max_versions": -1}, "max_versions takes a whole number"),
        ({"max_tags": True}, "max_tags takes a whole number"),
        ({"region": "Europe"}, "region takes an AWS region name"),
        ({"account_id": 123456789012}, "account_id takes a 12-digit account id as a string"),
        ({"seed": "7"}, "seed takes an int"),
        ({"real_sleep": "no"}, "real_sleep takes True or False"),
        ({"clock": 5}, "clock takes an object with now()"),
        ({"transport": "grpc"}, "transport takes 'http'"),
        ({"default_recovery_days": 60}, "default_recovery_days must lie between"),
    ],
)
def test_wrong_values_fail_when_the_mock_is_created(options: dict[str, object], says: str) -> None:
    with pytest.raises(OptionError, match=says):
        mock_secretsmanager(**options)  # type: ignore[arg-type]
    with pytest.raises(OptionError, match=says):
        SecretsManagerMock(**options)  # type: ignore[arg-type]


def test_an_option_error_is_a_type_and_value_error() -> None:
    with pytest.raises(TypeError):
        mock_secretsmanager(max_secrets="3")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        mock_secretsmanager(max_secrets="3")  # type: ignore[arg-type]


def test_a_positional_option_gets_a_clear_error() -> None:
    with pytest.raises(OptionError, match=r"options are keywords, e.g. mock_secretsmanager\(region='eu-west-1'\)"):
        mock_secretsmanager("eu-west-1")


def test_a_bad_marker_option_fails_the_test_at_its_start(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.sm_mock(max_secret=3)
        def test_marked(sm_client):
            raise AssertionError("the body must not run")
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*unknown option 'max_secret' (did you mean 'max_secrets'?)*"])


@pytest.mark.slow
def test_mypy_catches_a_wrong_option_type(tmp_path: Path) -> None:
    api = pytest.importorskip("mypy.api")
    user = tmp_path / "user_test.py"
    user.write_text(
        "from sm_mock import mock_secretsmanager\n"
        "mock_secretsmanager(max_secrets='3')\n"
        "mock_secretsmanager(region=3)\n"
        "mock_secretsmanager(allow_services='sts', throttling=True, seed=1)\n"
    )
    out, _, status = api.run(["--strict", "--no-incremental", "--cache-dir", str(tmp_path / ".mypy"), str(user)])
    assert status == 1
    assert "user_test.py:2" in out and "user_test.py:3" in out
    assert "user_test.py:4" not in out
