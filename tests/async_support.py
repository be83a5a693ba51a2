"""aiobotocore clients for tests, and a blocking face for code written against boto3's.

Tests written for boto3's blocking interface (the behaviour-row replay, the stateful model
check) run through an aiobotocore client with :class:`BlockingClient`: each call is awaited
on a private event loop in the calling thread, so everything between the call and its answer
is aiobotocore's (its endpoint, retry handler, parser and exceptions).

Without aiobotocore installed, :data:`needs_aio` skips the tests that use them.
"""

from __future__ import annotations

import asyncio
import importlib.util
from typing import Any

import pytest

from sm_mock.botocore.credentials import FAKE_CREDENTIALS

REGION = "us-east-1"

#: True when aiobotocore is installed (the ``async`` extra).
HAVE_AIO = importlib.util.find_spec("aiobotocore") is not None
#: Skips a test where aiobotocore is absent.
needs_aio = pytest.mark.skipif(not HAVE_AIO, reason="aiobotocore is not installed (pip install 'sm-mock[async]')")
#: The fake keys as client arguments, for clients that must not depend on the environment.
FAKE_KEYS = {
    "aws_access_key_id": FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
    "aws_secret_access_key": FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
}


def aio_config(retry_mode: str | None = None, attempts: int | None = None, **options: Any) -> Any:
    """An ``AioConfig`` with botocore's retry settings (``mode`` defaults to ``"standard"``)."""
    from aiobotocore.config import AioConfig

    if retry_mode is not None or attempts is not None:
        retries: dict[str, Any] = {"mode": retry_mode or "standard"}
        if attempts is not None:
            retries["total_max_attempts"] = attempts
        options["retries"] = retries
    return AioConfig(**options)


_sessions: list[Any] = []


def create_client(region: str = REGION, **kwargs: Any) -> Any:
    """``async with create_client() as client``: an aiobotocore ``secretsmanager`` client, from
    one session shared by the test run (a session loads the service model once; a fresh one
    costs a quarter of a second)."""
    if not _sessions:
        from aiobotocore.session import get_session

        _sessions.append(get_session())
    return _sessions[0].create_client("secretsmanager", region_name=region, **kwargs)


class BlockingClient:
    """An aiobotocore client with boto3's blocking interface (see the module).

    Calls, ``get_paginator(...).paginate(...)`` (which returns the list of pages, read with
    aiobotocore's async paginator), ``meta`` and ``exceptions`` behave as on a boto3 client.
    Not for use inside a running event loop (a rotation function called back by the mock
    uses a boto3 client of its own, as a real Lambda would).
    """

    def __init__(self, region: str = REGION, **kwargs: Any) -> None:
        config = kwargs.pop("config", None)
        if config is not None and not type(config).__module__.startswith("aiobotocore"):
            # botocore's Config carries no aiohttp options; aiobotocore wants its subclass.
            kwargs["config"] = aio_config().merge(config)
        elif config is not None:
            kwargs["config"] = config
        self._loop = asyncio.new_event_loop()
        self._context = create_client(region, **kwargs)
        self._client = self.run(self._context.__aenter__())

    def run(self, awaitable: Any) -> Any:
        """Await ``awaitable`` on the client's loop."""
        return self._loop.run_until_complete(awaitable)

    def close(self) -> None:
        """Close the client and its loop."""
        self.run(self._context.__aexit__(None, None, None))
        self._loop.close()

    @property
    def aio(self) -> Any:
        """The aiobotocore client itself."""
        return self._client

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name not in self._client.meta.method_to_api_mapping:
            return attribute

        def call(**kwargs: Any) -> Any:
            return self.run(attribute(**kwargs))

        return call

    def get_paginator(self, name: str) -> Any:
        paginator = self._client.get_paginator(name)
        client = self

        class Pages:
            def paginate(self, **kwargs: Any) -> list[dict[str, Any]]:
                async def pages() -> list[dict[str, Any]]:
                    return [page async for page in paginator.paginate(**kwargs)]

                result: list[dict[str, Any]] = client.run(pages())
                return result

        return Pages()
