"""Fixtures shared by the test modules (plain helpers are in ``support.py``).

The repository-level ``conftest.py`` sets up Hypothesis profiles and loads the plugins.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator

import pytest

from sm_mock import SecretsManagerMock, mock_secretsmanager


@pytest.fixture
def sm() -> Iterator[SecretsManagerMock]:
    """A fresh, active mock with default options (modules that need a clock define their own ``sm``)."""
    with mock_secretsmanager() as mock:
        yield mock


def pytest_addoption(parser: pytest.Parser) -> None:
    # pyproject.toml sets pytest-asyncio's loop scope (the async extra); without the plugin the
    # option is declared here, so pytest does not warn about an unknown option.
    if importlib.util.find_spec("pytest_asyncio") is None:
        parser.addini("asyncio_default_fixture_loop_scope", "pytest-asyncio's option (not installed)")
