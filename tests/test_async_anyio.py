"""anyio tests (issue 15): the decorator and ``async with`` under anyio's pytest plugin."""

from __future__ import annotations

import pytest
from async_support import HAVE_AIO, create_client

import sm_mock
from sm_mock import mock_secretsmanager

if not HAVE_AIO:
    pytest.skip("aiobotocore is not installed (pip install 'sm-mock[async]')", allow_module_level=True)
pytest.importorskip("anyio", reason="anyio is not installed (pip install 'sm-mock[async]')")

#: aiobotocore runs on asyncio only.
pytestmark = [pytest.mark.anyio, pytest.mark.parametrize("anyio_backend", ["asyncio"])]


@mock_secretsmanager
async def test_anyio_runs_a_decorated_test(anyio_backend: str) -> None:
    async with create_client() as client:
        await client.create_secret(Name="anyio", SecretString="v")
        listed = await client.list_secrets()
    assert [entry["Name"] for entry in listed["SecretList"]] == ["anyio"]


async def test_anyio_with_async_with(anyio_backend: str) -> None:
    async with mock_secretsmanager(seed=1) as sm:
        assert sm_mock.current() is sm
        async with create_client() as client:
            await client.create_secret(Name="anyio-block", SecretString="v")
    assert sm.calls.count("CreateSecret") == 1 and not sm.is_active
