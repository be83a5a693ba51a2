"""The figures of ``python -m benchmarks`` (issue 8), one function per figure.

Every figure goes through real boto3 clients and is a median over repeated rounds; every
comparison is a ratio of two contenders timed side by side in interleaved rounds of the same
process run (:func:`benchmarks.common.interleaved`). The functions return JSON-ready dicts;
:mod:`benchmarks.run` turns them into tables and checks the targets.

- :func:`calls_at` — per-call cost of the five timed operations next to the botocore floor
  at one population size;
- :func:`direct_vs_stubber` — direct mode next to botocore's own ``Stubber`` (and the floor);
- :func:`per_test` — a test's fixed cost: new activation + new client + create + get;
- :func:`activation` — entering and leaving ``mock_secretsmanager()`` alone;
- :func:`memory` — bytes per secret (beyond its value), per listing-index entry, per extra
  version and per call-log record.

Peers (moto) live in :mod:`benchmarks.peers`, imported only when asked for.
"""

from __future__ import annotations

import gc
import json
import random
import statistics
import sys
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

from botocore import xform_name

from sm_mock import SecretsManagerMock, mock_secretsmanager
from sm_mock.service import serve_params

from .common import (
    SECRET_PREFIX,
    SECRET_VALUE,
    SERVICE,
    CannedAnswer,
    CannedFloor,
    Comparison,
    Contender,
    Samples,
    capture_answer,
    cycle_calls,
    interleaved,
    secret_names,
    suspended,
)

__all__ = [
    "BATCH_SIZE",
    "CALL_CASES",
    "DIRECT_CASES",
    "PAGE_SIZE",
    "Case",
    "Timing",
    "activation",
    "call_arguments",
    "calls_at",
    "direct_vs_stubber",
    "fast_seed",
    "memory",
    "per_test",
]

#: ListSecrets pages are this long (the issue's "page of 100").
PAGE_SIZE = 100
#: BatchGetSecretValue names this many secrets per call (the API's maximum).
BATCH_SIZE = 20


@dataclass(frozen=True, slots=True)
class Case:
    """One timed call: the operation and the kind of target it answers to."""

    name: str
    operation: str
    #: "point" (within 5% of the floor), "page" (within 10%).
    kind: str


#: Timed against the floor at every population, in this order (PutSecretValue last: it adds
#: versions, and ListSecrets would otherwise replay its LastChangedDate changes).
CALL_CASES = (
    Case("GetSecretValue", "GetSecretValue", "point"),
    Case("DescribeSecret", "DescribeSecret", "point"),
    Case("ListSecrets", "ListSecrets", "page"),
    Case("BatchGetSecretValue", "BatchGetSecretValue", "page"),
    Case("PutSecretValue", "PutSecretValue", "point"),
)
#: Timed in direct mode against botocore's Stubber.
DIRECT_CASES = (
    Case("GetSecretValue", "GetSecretValue", "point"),
    Case("DescribeSecret", "DescribeSecret", "point"),
    Case("PutSecretValue", "PutSecretValue", "point"),
    Case("ListSecrets", "ListSecrets", "page"),
)


@dataclass(frozen=True, slots=True)
class Timing:
    """How long to time: interleaved rounds of ``calls`` calls after ``warmup`` calls."""

    rounds: int
    calls: int
    warmup: int


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fast_seed(sm: SecretsManagerMock, n: int) -> list[str]:
    """Seed ``n`` fixed-width secrets through the backend helper (CreateSecret's state)."""
    sm.backend.seed(n, name=SECRET_PREFIX + "{i:07d}", secret_string=SECRET_VALUE)
    return secret_names(n)


def call_arguments(operation: str, names: Sequence[str]) -> list[dict[str, Any]]:
    """The argument sets a case cycles through (reads spread over the whole population)."""
    if operation == "PutSecretValue":
        # No ClientRequestToken: botocore fills in a fresh uuid4 per call on every client.
        return [{"SecretId": name, "SecretString": SECRET_VALUE} for name in names]
    if operation == "ListSecrets":
        return [{"MaxResults": PAGE_SIZE}]
    if operation == "BatchGetSecretValue":
        size = min(BATCH_SIZE, len(names))
        return [{"SecretIdList": list(names[i : i + size])} for i in range(0, len(names) - size + 1, size)]
    return [{"SecretId": name} for name in names]


def _shuffled(names: Sequence[str], seed: int) -> list[str]:
    order = list(names)
    random.Random(seed).shuffle(order)
    return order


def versions_needed(timing: Timing, population: int) -> int | None:
    """A ``max_versions`` large enough for the timed PutSecretValue calls, if 100 is not.

    Versions younger than 24 hours are never pruned (SPEC D10).
    """
    puts = timing.warmup + timing.rounds * timing.calls + 10
    per_secret = puts // max(population, 1) + 2
    return per_secret + 10 if per_secret > 90 else None


def _summary(comparison: Comparison) -> dict[str, Any]:
    return comparison.to_json()


@contextmanager
def _frozen_heap() -> Iterator[None]:
    """Keep the seeded population out of the garbage collector's full collections.

    The timing loop collects before every batch; with millions of objects in the store that
    would dominate the run. gc is disabled while timing either way.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


# ---- per-call cost next to the floor -----------------------------------------------------------
def calls_at(population: int, session: Any, timing: Timing, page_timing: Timing) -> dict[str, Any]:
    """Per-call cost of :data:`CALL_CASES` at ``population`` secrets, mock vs floor."""
    limit = versions_needed(timing, population)
    options: dict[str, Any] = {"max_secrets": max(population, 500_000)}
    if limit is not None:
        options["max_versions"] = limit
    results: list[dict[str, Any]] = []
    with mock_secretsmanager(**options) as sm:
        started = time.perf_counter()
        names = fast_seed(sm, population)
        seed_s = time.perf_counter() - started
        _log(f"  seeded {population:,} secrets in {seed_s:.1f} s")
        order = _shuffled(names, population)
        client = session.client(SERVICE)
        floor = CannedFloor(session)
        with _frozen_heap():
            for case in CALL_CASES:
                arguments = call_arguments(case.operation, order)
                answer = capture_answer(client, case.operation, arguments[0])
                if answer.status != 200:
                    raise RuntimeError(f"{case.name} failed in the mock: {answer.body[:300]!r}")
                floor.answers[case.operation] = answer
                method = xform_name(case.operation)
                chosen = page_timing if case.kind == "page" else timing
                samples = interleaved(
                    [
                        Contender("mock", cycle_calls(getattr(client, method), arguments)),
                        Contender(
                            "floor", cycle_calls(getattr(floor.client, method), arguments), lambda: suspended(sm)
                        ),
                    ],
                    rounds=chosen.rounds,
                    calls=chosen.calls,
                    warmup=chosen.warmup,
                )
                comparison = Comparison(samples["mock"], samples["floor"])
                _log(
                    f"  {case.name:<20} mock {comparison.subject.median_ns / 1000:9.1f} µs  floor "
                    f"{comparison.reference.median_ns / 1000:9.1f} µs  ratio {comparison.ratio:.3f}  "
                    f"(pair {comparison.pair_ratio:.3f}, cpu {comparison.cpu_ratio:.3f})"
                )
                results.append(
                    {
                        "secrets": population,
                        "case": case.name,
                        "operation": case.operation,
                        "kind": case.kind,
                        "response_bytes": len(answer.body),
                        **_summary(comparison),
                    }
                )
        failed = [r for r in sm.calls if r.error_code is not None]
        if failed:
            raise RuntimeError(f"the mock answered {len(failed)} call(s) with errors, e.g. {failed[0]}")
    return {"secrets": population, "seed_s": round(seed_s, 3), "max_versions": limit, "results": results}


# ---- direct mode vs botocore's Stubber ----------------------------------------------------------
def _stubbed(client: Any, method: str, response: dict[str, Any], count: int) -> AbstractContextManager[object]:
    """A context with a fresh Stubber on ``client`` holding ``count`` queued responses."""
    from botocore.stub import Stubber

    @contextmanager
    def context() -> Iterator[object]:
        stubber = Stubber(client)
        for _ in range(count):
            stubber.add_response(method, response)
        stubber.activate()
        try:
            yield stubber
        finally:
            stubber.deactivate()

    return context()


def direct_vs_stubber(population: int, session: Any, timing: Timing, page_timing: Timing) -> dict[str, Any]:
    """Direct mode next to botocore's Stubber answering the same response, and the HTTP floor.

    Contenders, interleaved: ``direct`` (a direct-mode mock), ``stubber`` (a Stubber whose
    responses were queued before the timed batch: the call alone), ``stubber+add`` (each
    call preceded by its ``add_response``, as a Stubber test writes it) and ``floor`` (the
    HTTP pipeline with a canned answer: what direct mode skips).
    """
    results: list[dict[str, Any]] = []
    limit = versions_needed(timing, population)
    options: dict[str, Any] = {"transport": "direct"}
    if limit is not None:
        options["max_versions"] = limit
    with mock_secretsmanager(**options) as sm:
        names = fast_seed(sm, population)
        order = _shuffled(names, population + 1)
        clients = _DirectClients(sm, session)
        for case in DIRECT_CASES:
            chosen = page_timing if case.kind == "page" else timing
            results.append(
                {"secrets": population, **clients.compare(case, call_arguments(case.operation, order), chosen)}
            )
        clients.close()
    return {"secrets": population, "results": results}


class _DirectClients:
    """The four identical clients of :func:`direct_vs_stubber` and how each is answered."""

    def __init__(self, sm: SecretsManagerMock, session: Any) -> None:
        from botocore.stub import Stubber

        self.sm = sm
        self.direct = session.client(SERVICE)
        self.stubbed = session.client(SERVICE)
        self.adding = session.client(SERVICE)
        self.add_stubber = Stubber(self.adding)
        self.add_stubber.activate()
        self.floor = CannedFloor(session)

    def close(self) -> None:
        self.add_stubber.deactivate()

    def compare(self, case: Case, arguments: list[dict[str, Any]], timing: Timing) -> dict[str, Any]:
        method = xform_name(case.operation)
        response = getattr(self.direct, method)(**arguments[0])
        response.pop("ResponseMetadata")
        answer = capture_answer(self.direct, case.operation, arguments[0])
        # Direct mode sends no Content-Length (no body was serialized); the HTTP path does.
        self.floor.answers[case.operation] = CannedAnswer(
            answer.status, {**answer.headers, "Content-Length": str(len(answer.body))}, answer.body
        )
        queued = max(timing.calls, timing.warmup)
        adding_call = cycle_calls(getattr(self.adding, method), arguments)

        def with_setup(n: int) -> None:
            for _ in range(n):
                self.add_stubber.add_response(method, response)
                adding_call(1)

        samples = interleaved(
            [
                Contender("direct", cycle_calls(getattr(self.direct, method), arguments)),
                Contender(
                    "stubber",
                    cycle_calls(getattr(self.stubbed, method), arguments),
                    lambda: _stubbed(self.stubbed, method, response, queued),
                ),
                Contender("stubber+add", with_setup, lambda: suspended(self.sm)),
                Contender(
                    "floor", cycle_calls(getattr(self.floor.client, method), arguments), lambda: suspended(self.sm)
                ),
            ],
            rounds=timing.rounds,
            calls=timing.calls,
            warmup=timing.warmup,
        )
        vs_stubber = Comparison(samples["direct"], samples["stubber"])
        vs_setup = Comparison(samples["direct"], samples["stubber+add"])
        vs_floor = Comparison(samples["direct"], samples["floor"])
        _log(
            f"  {case.name:<20} direct {vs_stubber.subject.median_ns / 1000:8.1f} µs  stubber "
            f"{vs_stubber.reference.median_ns / 1000:8.1f} µs  ratio {vs_stubber.ratio:.3f}  "
            f"(pair {vs_stubber.pair_ratio:.3f}, cpu {vs_stubber.cpu_ratio:.3f}; +add_response "
            f"{vs_setup.ratio:.3f}; vs floor {vs_floor.ratio:.3f})"
        )
        return {
            "case": case.name,
            "operation": case.operation,
            "kind": case.kind,
            "direct": samples["direct"].to_json(),
            "stubber": samples["stubber"].to_json(),
            "stubber+add": samples["stubber+add"].to_json(),
            "floor": samples["floor"].to_json(),
            "ratio": round(vs_stubber.ratio, 4),
            "pair_ratio": round(vs_stubber.pair_ratio, 4),
            "cpu_ratio": round(vs_stubber.cpu_ratio, 4),
            "ratio_with_add_response": round(vs_setup.ratio, 4),
            "ratio_to_floor": round(vs_floor.ratio, 4),
        }


# ---- fixed costs ------------------------------------------------------------------------------
def _rounds_of(batch: Callable[[int], object], rounds: int, per_round: int, warmup: int) -> Samples:
    """Time ``batch`` alone (no reference) in ``rounds`` rounds of ``per_round`` iterations."""
    samples = interleaved([Contender("it", batch)], rounds=rounds, calls=per_round, warmup=warmup)
    return samples["it"]


def per_test(timing: Timing, region: str = "us-east-1") -> dict[str, Any]:
    """What one test pays: a new activation, a new client, one CreateSecret, one GetSecretValue.

    The client comes from ``boto3.client`` (boto3's default session, as most tests write it).
    Reported next to the pieces: the activation alone and ``boto3.client`` alone.
    """
    import boto3

    boto3.setup_default_session()

    def one_test(n: int) -> None:
        for _ in range(n):
            with mock_secretsmanager():
                client = boto3.client(SERVICE, region_name=region)
                client.create_secret(Name="per-test/secret", SecretString=SECRET_VALUE)
                client.get_secret_value(SecretId="per-test/secret")

    def client_only(n: int) -> None:
        with mock_secretsmanager():
            for _ in range(n):
                boto3.client(SERVICE, region_name=region)

    test = _rounds_of(one_test, timing.rounds, timing.calls, timing.warmup)
    client = _rounds_of(client_only, timing.rounds, timing.calls, timing.warmup)
    return {"per_test": test.to_json(), "client_creation": client.to_json()}


def activation(timing: Timing) -> dict[str, Any]:
    """Entering and leaving ``mock_secretsmanager()`` with nothing inside."""

    def enter_exit(n: int) -> None:
        for _ in range(n):
            with mock_secretsmanager():
                pass

    return {"activation": _rounds_of(enter_exit, timing.rounds, timing.calls, timing.warmup).to_json()}


# ---- memory -----------------------------------------------------------------------------------
def _traced(action: Callable[[], object]) -> int:
    """Bytes still allocated after ``action`` (tracemalloc must be running)."""
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    action()
    gc.collect()
    return tracemalloc.get_traced_memory()[0] - before


def memory(count: int) -> dict[str, Any]:
    """tracemalloc bytes per secret, listing-index entry, extra version and call-log record.

    "Beyond its values" subtracts what a value itself takes: its ciphertext payload (the
    plaintext length + the 16-byte GCM tag), which grows with the value and is not overhead.
    """
    with mock_secretsmanager(max_secrets=max(count, 500_000), max_versions=200) as sm:
        # One-time costs (model loading, validators, code paths) first, in another region, so
        # the measured store starts empty and builds its listing index only when asked below.
        warm_region = "eu-north-1"
        sm.backend.create_secret("warm/0", secret_string=SECRET_VALUE, region=warm_region)
        serve_params(sm, "ListSecrets", {"MaxResults": 1}, warm_region, sm.account_id)
        serve_params(sm, "GetSecretValue", {"SecretId": "warm/0"}, warm_region, sm.account_id)
        serve_params(
            sm,
            "PutSecretValue",
            {"SecretId": "warm/0", "SecretString": SECRET_VALUE, "ClientRequestToken": str(uuid.uuid4())},
            warm_region,
            sm.account_id,
        )
        sm.backend.create_secret("warm/home", secret_string=SECRET_VALUE)  # region store, default key
        tracemalloc.start()
        try:
            names: list[str] = []
            store_bytes = _traced(lambda: names.extend(fast_seed(sm, count)))
            index_bytes = _traced(
                lambda: serve_params(sm, "ListSecrets", {"MaxResults": PAGE_SIZE}, sm.region, sm.account_id)
            )
            store = sm.backend.home()
            secrets = [store.by_name[name] for name in names]
            now = sm.clock.now()
            value = SECRET_VALUE.encode()
            tokens = [str(uuid.UUID(int=i + 1)) for i in range(count)]

            def add_versions() -> None:
                with store.lock:
                    for secret, token in zip(secrets, tokens, strict=True):
                        store.add_value(secret, token, value, False, None, now)

            version_bytes = _traced(add_versions)
            calls = 1000
            log_bytes = _traced(
                lambda: [
                    serve_params(sm, "DescribeSecret", {"SecretId": names[i % count]}, sm.region, sm.account_id)
                    for i in range(calls)
                ]
            )
        finally:
            tracemalloc.stop()
        payload = statistics.mean(len(s.current.envelope.ciphertext) for s in secrets[:100])  # type: ignore[union-attr]
    per_secret = store_bytes / count
    per_index = index_bytes / count
    per_version = version_bytes / count
    return {
        "secrets": count,
        "value_chars": len(SECRET_VALUE),
        "value_payload_bytes": round(payload, 1),
        "store_bytes_per_secret": round(per_secret, 1),
        "index_bytes_per_secret": round(per_index, 1),
        "secret_bytes_beyond_value": round(per_secret + per_index - payload, 1),
        "version_bytes": round(per_version, 1),
        "version_bytes_beyond_value": round(per_version - payload, 1),
        "call_log_bytes_per_record": round(log_bytes / calls, 1),
    }


def dumps(record: dict[str, Any]) -> str:
    """Compact JSON for log lines."""
    return json.dumps(record, separators=(",", ":"))
