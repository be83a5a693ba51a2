"""The same figures for moto, when it is installed (optional; never a dependency of sm_mock).

moto is imported here, lazily, through :func:`benchmarks.common.optional_module`, and only
after every sm_mock figure has been taken: importing moto appends its own ``before-send``
handler to botocore's built-in handlers, so sessions created afterwards carry it, and sm_mock's
figures must not pay for it. moto's figures use a session created after the import (moto can
only answer clients of such sessions), and each moto figure has its own floor: the same
client pipeline replaying moto's captured answer.

moto is seeded through its API (no bulk helper), so its populations are capped (10,000 by
default); the report says which sizes were skipped.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from botocore import xform_name

from .common import (
    SECRET_VALUE,
    SERVICE,
    CannedFloor,
    Comparison,
    Contender,
    capture_answer,
    cycle_calls,
    interleaved,
    new_session,
    optional_module,
    secret_names,
)
from .figures import CALL_CASES, Timing, _log, _rounds_of, _shuffled, call_arguments

__all__ = ["PEER", "moto_activation", "moto_calls_at", "moto_memory", "moto_module", "moto_per_test"]

PEER = "moto"


def moto_module() -> ModuleType | None:
    """moto, imported now, or None when it is not installed."""
    return optional_module(PEER)


@contextmanager
def _resumed(mock: Any) -> Iterator[None]:
    """moto active with the data it already holds (no reset on start, none on stop)."""
    mock.start(reset=False)
    try:
        yield
    finally:
        mock.stop(remove_data=False)


def moto_calls_at(moto: ModuleType, population: int, timing: Timing, page_timing: Timing) -> dict[str, Any]:
    """moto's per-call cost of the timed operations at ``population`` secrets, vs its floor."""
    session = new_session()
    mock = moto.mock_aws()
    results: list[dict[str, Any]] = []
    skipped: dict[str, str] = {}
    mock.start()
    try:
        client = session.client(SERVICE)
        started = time.perf_counter()
        names = secret_names(population)
        for name in names:
            client.create_secret(Name=name, SecretString=SECRET_VALUE)
        seed_s = time.perf_counter() - started
        _log(f"  moto: seeded {population:,} secrets through its API in {seed_s:.1f} s")
        order = _shuffled(names, population)
        floor = CannedFloor(session)
        answers = {}
        for case in CALL_CASES:
            try:
                answers[case.name] = capture_answer(client, case.operation, call_arguments(case.operation, order)[0])
            except Exception as error:  # e.g. an operation moto does not implement
                skipped[case.name] = f"{type(error).__name__}: {error}"[:200]
    finally:
        mock.stop(remove_data=False)
    try:
        for case in CALL_CASES:
            answer = answers.get(case.name)
            if answer is None:
                continue
            if answer.status != 200:
                skipped[case.name] = f"moto answered HTTP {answer.status}"
                continue
            arguments = call_arguments(case.operation, order)
            floor.answers[case.operation] = answer
            method = xform_name(case.operation)
            chosen = page_timing if case.kind == "page" else timing
            samples = interleaved(
                [
                    Contender(PEER, cycle_calls(getattr(client, method), arguments), lambda: _resumed(mock)),
                    Contender("floor", cycle_calls(getattr(floor.client, method), arguments)),
                ],
                rounds=chosen.rounds,
                calls=chosen.calls,
                warmup=chosen.warmup,
            )
            comparison = Comparison(samples[PEER], samples["floor"])
            _log(
                f"  moto {case.name:<20} {comparison.subject.median_ns / 1000:9.1f} µs  floor "
                f"{comparison.reference.median_ns / 1000:9.1f} µs  ratio {comparison.ratio:.3f}"
            )
            results.append(
                {
                    "secrets": population,
                    "case": case.name,
                    "operation": case.operation,
                    "kind": case.kind,
                    "response_bytes": len(answer.body),
                    **comparison.to_json(),
                }
            )
    finally:
        mock.start(reset=False)
        mock.stop(remove_data=True)  # drop moto's state
    return {"secrets": population, "seed_s": round(seed_s, 3), "results": results, "skipped": skipped}


def moto_per_test(moto: ModuleType, timing: Timing, region: str = "us-east-1") -> dict[str, Any]:
    """A moto test's fixed cost: ``mock_aws()`` + ``boto3.client`` + create + get."""
    import boto3

    def one_test(n: int) -> None:
        for _ in range(n):
            with moto.mock_aws():
                client = boto3.client(SERVICE, region_name=region)
                client.create_secret(Name="per-test/secret", SecretString=SECRET_VALUE)
                client.get_secret_value(SecretId="per-test/secret")

    return {"per_test": _rounds_of(one_test, timing.rounds, timing.calls, timing.warmup).to_json()}


def moto_activation(moto: ModuleType, timing: Timing) -> dict[str, Any]:
    """Entering and leaving ``moto.mock_aws()`` with nothing inside."""

    def enter_exit(n: int) -> None:
        for _ in range(n):
            with moto.mock_aws():
                pass

    return {"activation": _rounds_of(enter_exit, timing.rounds, timing.calls, timing.warmup).to_json()}


def moto_memory(moto: ModuleType, count: int) -> dict[str, Any]:
    """Bytes moto keeps per secret created through its API (tracemalloc)."""
    session = new_session()
    with moto.mock_aws():
        client = session.client(SERVICE)
        for i in range(3):  # one-time costs first
            client.create_secret(Name=f"warm/{i}", SecretString=SECRET_VALUE)
        names = secret_names(count)
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for name in names:
                client.create_secret(Name=name, SecretString=SECRET_VALUE)
            gc.collect()
            after = tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()
    return {"secrets": count, "bytes_per_secret": round((after - before) / count, 1)}
