"""Fixtures shared by the test modules (plain helpers are in ``support.py``).

The repository-level ``conftest.py`` sets up Hypothesis profiles and loads the plugins.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sm_mock import SecretsManagerMock, mock_secretsmanager


@pytest.fixture
def sm() -> Iterator[SecretsManagerMock]:
    """A fresh, active mock with default options (modules that need a clock define their own ``sm``)."""
    with mock_secretsmanager() as mock:
        yield mock
