"""pytest plugin (registered through the ``pytest11`` entry point).

Fixtures:

* ``sm_mock`` — an active :class:`~sm_mock.SecretsManagerMock` for the test. Options come
  from the marker ``@pytest.mark.sm_mock(region=..., seed=..., ...)``.
* ``sm_client`` — a boto3 ``secretsmanager`` client in the mock's region.
* ``sm_server_url`` — the endpoint URL of an HTTP server bound to the test's mock
  (:meth:`~sm_mock.SecretsManagerMock.serve`), for subprocesses and other languages.
* ``sm_agent_url`` — the URL of a local secrets endpoint (``sm_mock.serve_agent()``, options
  from the marker ``@pytest.mark.sm_agent(style=..., ttl_seconds=...)``), with
  ``PARAMETERS_SECRETS_EXTENSION_HTTP_PORT`` and, when no token variable is set,
  ``AWS_SESSION_TOKEN`` exported for the test, as Lambda provides them.
* ``check_rotation_function`` — :func:`sm_mock.testing.check_rotation_function`, which proves a
  rotation function survives AWS's retries and faults (needs Hypothesis).

A test marked ``@pytest.mark.sm_mock(...)`` gets an active mock even without requesting the
fixture. With ``@pytest.mark.sm_mock(fail_on_unused_faults=True)`` a test fails when a fault
it declared in ``sm.faults`` never fired. A rotation failure the test did not look at fails it
too, unless it is marked ``expect_rotation_failures=True``.

At startup, when no AWS region is configured (environment or config file), the plugin sets
``AWS_DEFAULT_REGION`` (ini option ``sm_mock_default_region``, default ``us-east-1``; empty
switches it off) and says so in pytest's header, so a module that builds a client at import
collects cleanly. It never supplies credentials and never overrides a setting. Where pytest's
plugin autoload is off (``PYTEST_DISABLE_PLUGIN_AUTOLOAD``), load it with ``-p sm_mock`` or
``pytest_plugins = ["sm_mock.pytest_plugin"]`` in a conftest.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from .botocore import configured_region
from .mock import SecretsManagerMock

__all__ = ["check_rotation_function_fixture", "sm_agent_url", "sm_client", "sm_mock_fixture", "sm_server_url"]

_PLUGIN_OPTIONS = frozenset({"fail_on_unused_faults", "expect_rotation_failures"})


#: The ini option naming the region the plugin supplies when none is configured.
DEFAULT_REGION_INI = "sm_mock_default_region"
_SUPPLIED = pytest.StashKey[str]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        DEFAULT_REGION_INI,
        "AWS region sm_mock puts in AWS_DEFAULT_REGION at startup when none is configured, so modules "
        "that build a client at import work; empty to switch it off",
        default="us-east-1",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sm_mock(**options): activate an sm_mock SecretsManagerMock for this test with the given options",
    )
    config.addinivalue_line(
        "markers",
        "sm_agent(**options): options of sm_mock.serve_agent() for the sm_agent_url fixture",
    )
    # A module that builds a client at import (AWS's rotation templates do) fails with
    # NoRegionError where nothing names a region, typically in CI. Supply one, never over a
    # real setting; credentials are never supplied (outside a mock a client without them must
    # fail before anything leaves the process).
    region = str(config.getini(DEFAULT_REGION_INI) or "").strip()
    if region and configured_region() is None:
        os.environ["AWS_DEFAULT_REGION"] = region
        config.stash[_SUPPLIED] = region


def pytest_report_header(config: pytest.Config) -> str | None:
    region = config.stash.get(_SUPPLIED, None)
    if region is None:
        return None
    return (
        f"sm_mock: no AWS region was configured, so AWS_DEFAULT_REGION={region} for this run "
        f"(ini option {DEFAULT_REGION_INI}; empty switches it off)"
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    region = config.stash.get(_SUPPLIED, None)
    if region is not None and os.environ.get("AWS_DEFAULT_REGION") == region:
        del os.environ["AWS_DEFAULT_REGION"]


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


@pytest.fixture
def sm_server_url(sm_mock: SecretsManagerMock) -> str:
    """``http://127.0.0.1:PORT``: the test's mock served over HTTP (stopped with the mock)."""
    return sm_mock.serve()


@pytest.fixture
def sm_agent_url(request: pytest.FixtureRequest, sm_mock: SecretsManagerMock) -> Iterator[str]:
    """The URL of a local secrets endpoint serving the test's mock (``sm_mock.serve_agent()``).

    The test's environment is set as Lambda sets it, so unmodified code finds the endpoint:
    ``PARAMETERS_SECRETS_EXTENSION_HTTP_PORT`` is its port, and ``AWS_SESSION_TOKEN`` its token
    when none of the token variables is set. Both are put back before the mock stops.
    """
    options: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers("sm_agent"))):  # closest marker wins
        options.update(marker.kwargs)
    url = sm_mock.serve_agent(**options)
    endpoint = sm_mock.agent
    exported = {"PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": str(endpoint.port)}
    if endpoint.token_source == "generated":
        exported["AWS_SESSION_TOKEN"] = endpoint.token
    saved = {name: os.environ.get(name) for name in exported}
    os.environ.update(exported)
    try:
        yield url
    finally:
        # Before the mock stops (this fixture's teardown comes first): the mock then restores
        # the variables it saved itself.
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture(name="check_rotation_function")
def check_rotation_function_fixture() -> Any:
    """:func:`sm_mock.testing.check_rotation_function` (needs Hypothesis: the ``hypothesis`` extra)."""
    from .testing import check_rotation_function

    return check_rotation_function


@pytest.fixture(autouse=True)
def _sm_mock_marker(request: pytest.FixtureRequest) -> None:
    # A test marked @pytest.mark.sm_mock gets an active mock even when it does not ask for
    # the fixture.
    if request.node.get_closest_marker("sm_mock") is not None:
        request.getfixturevalue("sm_mock")
