"""Async clients: an aiobotocore call served by sm_mock against the aiobotocore floor.

The floor is the same aiobotocore session's client without sm_mock's handlers, answered by a
``before-send`` handler that replays the mock's own response bytes as an ``AioAWSResponse``:
all of aiobotocore's cost (validation, serialization, signing, its awaited event emitter,
parsing) and no service work. Each timed batch awaits its calls one after another on one event
loop (``run_until_complete`` once per batch, the same for both contenders).
"""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import botocore.handlers
from botocore import xform_name

from sm_mock import mock_secretsmanager

from .harness import ACCESS_KEY, SERVICE, Answer, Batch, Contender, Settings, compare, interleaved, log, seed

#: Measured at this population (point calls do not depend on it: tables 1 and 6).
POPULATION = 100
OPERATIONS = ("GetSecretValue", "DescribeSecret")
_KEYS = {"aws_access_key_id": ACCESS_KEY, "aws_secret_access_key": "benchmarks-fake-secret"}


class _Raw:
    __slots__ = ("body",)

    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        yield self.body

    async def read(self, amt: int | None = None) -> bytes:
        return self.body


def _without_sm_mock(client: Any) -> Any:
    """The client without the handlers sm_mock adds to every session (aiobotocore alone)."""
    for event, handler, *_ in botocore.handlers.BUILTIN_HANDLERS:
        if getattr(handler, "__module__", "").startswith("sm_mock."):
            client.meta.events.unregister(event, handler)
    return client


class _Loop:
    """One event loop for the section; clients are entered on it and calls awaited there."""

    def __init__(self) -> None:
        from aiobotocore.session import get_session

        self.loop = asyncio.new_event_loop()
        self.session = get_session()
        self._contexts: list[Any] = []

    def client(self) -> Any:
        context = self.session.create_client(SERVICE, region_name="us-east-1", **_KEYS)
        self._contexts.append(context)
        return self.loop.run_until_complete(context.__aenter__())

    def close(self) -> None:
        for context in self._contexts:
            self.loop.run_until_complete(context.__aexit__(None, None, None))
        self.loop.close()

    def cycle(self, method: Any, arguments: Sequence[Mapping[str, Any]]) -> Batch:
        """A batch of ``n`` awaited calls cycling through ``arguments`` (as harness.cycle)."""
        items, position = list(arguments), [0]

        async def calls(n: int) -> None:
            i = position[0]
            for _ in range(n):
                await method(**items[i])
                i = (i + 1) % len(items)
            position[0] = i

        return lambda n: self.loop.run_until_complete(calls(n))


async def _capture(client: Any, operation: str, params: Mapping[str, Any]) -> Answer:
    got: list[Answer] = []

    async def grab(http_response: Any, **kwargs: Any) -> None:
        got.append((http_response.status_code, dict(http_response.headers), bytes(await http_response.content)))

    event = f"after-call.secrets-manager.{operation}"
    client.meta.events.register(event, grab, unique_id="benchmarks.capture")
    try:
        await getattr(client, xform_name(operation))(**params)
    finally:
        client.meta.events.unregister(event, unique_id="benchmarks.capture")
    if not got or got[0][0] != 200:
        raise RuntimeError(f"{operation} did not succeed")
    return got[0]


def section(s: Settings) -> dict[str, Any]:
    """aiobotocore point calls through sm_mock vs the aiobotocore floor (skipped without it)."""
    if importlib.util.find_spec("aiobotocore") is None:
        log("  aiobotocore is not installed: skipped (pip install 'sm-mock[async]')")
        return {"available": False}
    import aiobotocore
    from aiobotocore.awsrequest import AioAWSResponse

    results = []
    runner = _Loop()
    try:
        with mock_secretsmanager() as sm:
            names = seed(sm, POPULATION)
            mock, floor = runner.client(), _without_sm_mock(runner.client())
            answers: dict[str, Answer] = {}

            def replay(request: Any, event_name: str = "", **kwargs: Any) -> Any:
                status, headers, body = answers[event_name.rpartition(".")[2]]
                return AioAWSResponse(request.url, status, headers, _Raw(body))

            floor.meta.events.register("before-send", replay, unique_id="benchmarks.floor")
            for operation in OPERATIONS:
                method = xform_name(operation)
                args = [{"SecretId": name} for name in names]
                answers[operation] = runner.loop.run_until_complete(_capture(mock, operation, args[0]))
                before = len(sm.calls)
                runner.loop.run_until_complete(getattr(floor, method)(**args[0]))
                if len(sm.calls) != before:
                    raise RuntimeError("sm_mock served the aiobotocore floor: its handlers were not all removed")
                samples = interleaved(
                    [
                        Contender("mock", runner.cycle(getattr(mock, method), args)),
                        Contender("floor", runner.cycle(getattr(floor, method), args)),
                    ],
                    s.point,
                )
                row = {"secrets": POPULATION, "case": operation, "kind": "async_point"}
                row |= compare(samples["mock"], samples["floor"])
                log(f"    {operation:<20} ratio {row['ratio']:.3f} (pair {row['pair_ratio']:.3f})")
                results.append(row)
    finally:
        runner.close()
    return {"available": True, "aiobotocore": aiobotocore.__version__, "results": results}
