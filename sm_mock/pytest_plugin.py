"""pytest plugin (registered through the ``pytest11`` entry point).

Fixtures:

* ``sm_mock`` — an active :class:`~sm_mock.SecretsManagerMock` for the test. Options come
  from the marker ``@pytest.mark.sm_mock(region=..., seed=..., ...)``.
* ``sm_client`` — a boto3 ``secretsmanager`` client in the mock's region.

A test marked ``@pytest.mark.sm_mock(...)`` gets an active mock even without requesting the
fixture. With ``@pytest.mark.sm_mock(fail_on_unused_faults=True)`` a test fails when a fault
it declared in ``sm.faults`` never fired.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .mock import SecretsManagerMock

__all__ = ["sm_client", "sm_mock_fixture"]

_PLUGIN_OPTIONS = frozenset({"fail_on_unused_faults", "expect_rotation_failures"})


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sm_mock(**options): activate an sm_mock SecretsManagerMock for this test with the given options",
    )


def _options(request: pytest.FixtureRequest) -> tuple[dict[str, Any], dict[str, Any]]:
    options: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers("sm_mock"))):  # closest marker wins
        options.update(marker.kwargs)
    plugin = {k: options.pop(k) for k in list(options) if k in _PLUGIN_OPTIONS}
    return options, plugin


@pytest.fixture(name="sm_mock")
def sm_mock_fixture(request: pytest.FixtureRequest) -> Iterator[SecretsManagerMock]:
    """An active SecretsManagerMock, configured by the ``sm_mock`` marker."""
    options, plugin = _options(request)
    with SecretsManagerMock(**options) as mock:
        yield mock
        # RotateSecret answers success when the function fails, as AWS does: a failure the test
        # did not look at fails it here, unless the test said it expects them.
        rotation_report = mock.rotations.unexamined_report()
        if rotation_report is not None:
            mock.rotations.failures  # noqa: B018 - reported here: the mock's stop need not warn too
            if not plugin.get("expect_rotation_failures"):
                pytest.fail(rotation_report, pytrace=False)
        if plugin.get("fail_on_unused_faults"):
            report = mock.faults.unused_report()
            if report:
                pytest.fail(report, pytrace=False)


@pytest.fixture
def sm_client(sm_mock: SecretsManagerMock) -> Any:
    """A boto3 ``secretsmanager`` client in the active mock's region."""
    return sm_mock.client()


@pytest.fixture(autouse=True)
def _sm_mock_marker(request: pytest.FixtureRequest) -> None:
    # A test marked @pytest.mark.sm_mock gets an active mock even when it does not ask for
    # the fixture.
    if request.node.get_closest_marker("sm_mock") is not None:
        request.getfixturevalue("sm_mock")
