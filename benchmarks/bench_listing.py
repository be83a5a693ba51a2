"""ListSecrets pages and GetSecretValue at 100 to 500,000 secrets, against the botocore floor.

For each population size, seed a mock through the backend (``sm.backend.seed``: the state
CreateSecret would leave, without a client round trip), then time three cases:

* ``page``           ListSecrets, MaxResults=100, first page, no filter (default sort);
* ``page+prefix``    ListSecrets, MaxResults=100, a ``name`` filter whose prefix selects a block
                     of exactly 100 secrets in the middle of the population (default sort);
* ``get``            GetSecretValue, cycling through the population in shuffled order.

Each case runs four contenders in interleaved rounds:

* ``mock``  — a boto3 client with the mock active (what a test pays);
* ``floor`` — an identical client whose ``before-send`` handler replays the mock's captured
  answer byte for byte with no mock active: all of botocore's own cost, zero service work;
* ``own``   — the same request body served straight by ``sm_mock.service.serve`` (decode,
  validate, operation, encode, call log): the mock's own work, measured directly rather than
  as the difference of two large numbers;
* ``ref``   — the same case served by ``serve`` on a second mock holding the smallest
  population (100 by default), kept alive for the whole run, so the scale ratio compares the
  two populations within the same rounds (noise on a busy machine hits both alike).

Printed ratios (the issue's targets), each the median over rounds of the per-round ratio, on
CPU time (``time.thread_time``: time lost to other processes does not count) with the wall-time
figure next to it:

* **scale** — own / ref: the mock's own cost of the call at this population over its cost at
  the smallest one (issue: a page at 500,000 within 20% of a page at 100);
* **share** — (mock − floor) / floor: the mock's share of the whole call, hook included (issue:
  under 15% of botocore's cost of the same call), with own / floor as a cross-check;
* **memory** — tracemalloc bytes per secret for the seeded store, and for the listing indexes
  once the created-date and name views are built.

    python -m benchmarks.bench_listing [--secrets 100,10000,500000] [--repeat N] [--calls N]
        [--warmup N] [--json PATH] [--quick] [--check] [--no-memory]

Exit status is 0 (it is a report) unless ``--check`` is given and a target fails.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from botocore import xform_name

from sm_mock import SecretsManagerMock, mock_secretsmanager
from sm_mock.service import serve

from .common import (
    RESULTS_DIR,
    SECRET_PREFIX,
    SECRET_VALUE,
    SERVICE,
    CannedFloor,
    Comparison,
    Contender,
    Samples,
    Target,
    capture_answer,
    cycle_calls,
    finish,
    format_table,
    interleaved,
    machine_info,
    new_session,
    parse_sizes,
    python_command,
    secret_names,
    suspended,
    target_summary,
)

__all__ = ["CASES", "SCALE_LIMIT", "SHARE_LIMIT", "Settings", "main", "run"]

#: Issue target: a page at 500,000 secrets costs at most 1.2x a page at 100.
SCALE_LIMIT = 1.20
#: Issue target: the mock's own share of a page is under 15% of botocore's cost of the call.
SHARE_LIMIT = 0.15
#: The cases timed, in this order.
CASES = ("page", "page+prefix", "get")
#: Cases the targets apply to (GetSecretValue is reported for comparison).
PAGE_CASES = ("page", "page+prefix")
PAGE_SIZE = 100
DEFAULT_JSON = RESULTS_DIR / "bench_listing.json"


@dataclass(frozen=True, slots=True)
class _Defaults:
    secrets: str
    rounds: int
    page_calls: int
    get_calls: int
    warmup: int


_FULL = _Defaults("100,10000,500000", 11, 20, 200, 5)
_QUICK = _Defaults("100,1000", 3, 4, 30, 2)


@dataclass(frozen=True, slots=True)
class Settings:
    """One run's parameters (recorded in the JSON)."""

    populations: tuple[int, ...]
    rounds: int
    page_calls: int
    get_calls: int
    warmup: int
    memory: bool = True
    quick: bool = False


#: case → (operation, argument sets the calls cycle through).
Requests = dict[str, tuple[str, list[dict[str, Any]]]]


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _prefix_block(population: int) -> str:
    """A name prefix selecting exactly 100 seeded secrets, from the middle of the population.

    Seeded names are ``bench/secret-NNNNNNN`` (7 digits), so a 5-digit prefix selects the
    100 secrets ``k*100 … k*100+99``.
    """
    block = (population // PAGE_SIZE) // 2
    return f"{SECRET_PREFIX}{block:05d}"


def _requests(population: int, names: Sequence[str]) -> Requests:
    """case → (operation, argument sets cycled through)."""
    order = list(names)
    random.Random(population).shuffle(order)  # reads spread over the whole store
    prefix = [{"Key": "name", "Values": [_prefix_block(population)]}]
    return {
        "page": ("ListSecrets", [{"MaxResults": PAGE_SIZE}]),
        "page+prefix": ("ListSecrets", [{"MaxResults": PAGE_SIZE, "Filters": prefix}]),
        "get": ("GetSecretValue", [{"SecretId": name} for name in order]),
    }


def _seed(sm: SecretsManagerMock, population: int) -> list[str]:
    """Seed through the backend helper: no client round trip, CreateSecret's state."""
    sm.backend.seed(population, name=SECRET_PREFIX + "{i:07d}", secret_string=SECRET_VALUE)
    return secret_names(population)


def _own(sm: SecretsManagerMock, operation: str, arguments: Sequence[dict[str, Any]]) -> Callable[[int], None]:
    """A batch function serving the same bodies botocore would send, without botocore."""
    bodies = [json.dumps(args).encode() for args in arguments]
    size = len(bodies)
    position = [0]

    def batch(n: int) -> None:
        i = position[0]
        for _ in range(n):
            status, body = serve(sm, operation, bodies[i], sm.region, sm.account_id)
            if status != 200:
                raise RuntimeError(f"{operation} failed in the mock: {body[:300]!r}")
            i = (i + 1) % size
        position[0] = i

    return batch


def _warm_up(sm: SecretsManagerMock, requests: Requests) -> None:
    """Pay one-time costs (model loading, validator compilation) in an empty region, so
    neither memory nor time per secret includes them."""
    for case in CASES:
        operation, arguments = requests[case]
        serve(sm, operation, json.dumps(arguments[0]).encode(), "eu-north-1", sm.account_id)


def _memory(sm: SecretsManagerMock, population: int, requests: Requests) -> dict[str, Any]:
    """Seed under tracemalloc, then build the listing indexes the page cases use."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        started = time.perf_counter()
        names = _seed(sm, population)
        seed_s = time.perf_counter() - started
        gc.collect()
        seeded = tracemalloc.get_traced_memory()[0]
        for case in PAGE_CASES:
            operation, arguments = requests[case]
            _own(sm, operation, arguments[:1])(1)  # builds the created-date and name views
        gc.collect()
        indexed = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del names
    return {
        "seed_s": round(seed_s, 3),
        "store_bytes_per_secret": round((seeded - before) / population, 1),
        "index_bytes_per_secret": round((indexed - seeded) / population, 1),
    }


@dataclass(frozen=True, slots=True)
class _Reference:
    """The smallest population, seeded once in a mock of its own and served in every round."""

    sm: SecretsManagerMock
    population: int
    requests: Requests


def _reference(population: int) -> _Reference:
    # Never activated: serve() needs only the mock's state, and the backend helpers default to
    # the mock's region and account.
    sm = mock_secretsmanager()
    requests = _requests(population, secret_names(population))
    _warm_up(sm, requests)
    _seed(sm, population)
    for case in PAGE_CASES:
        operation, arguments = requests[case]
        _own(sm, operation, arguments[:1])(1)
    return _Reference(sm, population, requests)


def _paired(subject: Samples, reference: Samples, *, cpu: bool) -> float:
    """Median over rounds of subject / reference (CPU or wall time)."""
    a, b = (subject.cpu_ns, reference.cpu_ns) if cpu else (subject.per_call_ns, reference.per_call_ns)
    return statistics.median(x / y for x, y in zip(a, b, strict=True))


def _bench_case(
    settings: Settings,
    sm: SecretsManagerMock,
    client: Any,
    floor: CannedFloor,
    reference: _Reference,
    population: int,
    case: str,
    requests: Requests,
) -> dict[str, Any]:
    operation, arguments = requests[case]
    answer = capture_answer(client, operation, arguments[0])
    if answer.status != 200:
        raise RuntimeError(f"{case}: {operation} failed in the mock: {answer.body[:300]!r}")
    listed = len(json.loads(answer.body).get("SecretList", [])) if operation == "ListSecrets" else None
    if listed is not None and listed != min(PAGE_SIZE, population):
        raise RuntimeError(f"{case}: expected a full page, got {listed} entries")
    floor.answers[operation] = answer
    method = xform_name(operation)
    calls = settings.get_calls if operation == "GetSecretValue" else settings.page_calls
    samples = interleaved(
        [
            Contender("mock", cycle_calls(getattr(client, method), arguments)),
            Contender("floor", cycle_calls(getattr(floor.client, method), arguments), lambda: suspended(sm)),
            Contender("own", _own(sm, operation, arguments)),
            Contender("ref", _own(reference.sm, operation, reference.requests[case][1])),
        ],
        rounds=settings.rounds,
        calls=calls,
        warmup=settings.warmup,
    )
    mock, floor_s, own, ref = samples["mock"], samples["floor"], samples["own"], samples["ref"]
    share_cpu = _paired(mock, floor_s, cpu=True) - 1
    scale_cpu = _paired(own, ref, cpu=True)
    _log(
        f"  {case:<12} mock {mock.cpu_median_ns / 1000:9.1f} µs  floor {floor_s.cpu_median_ns / 1000:9.1f} µs  "
        f"own {own.cpu_median_ns / 1000:8.1f} µs  ref {ref.cpu_median_ns / 1000:8.1f} µs (CPU)  "
        f"share {share_cpu:+.1%}  scale {scale_cpu:.3f}"
    )
    return {
        "secrets": population,
        "case": case,
        "operation": operation,
        "request": arguments[0] if operation == "ListSecrets" else {"SecretId": "<cycled>"},
        "response_bytes": len(answer.body),
        "entries": listed,
        "reference_secrets": reference.population,
        "share_cpu": round(share_cpu, 4),
        "share_wall": round(_paired(mock, floor_s, cpu=False) - 1, 4),
        "own_over_floor_cpu": round(_paired(own, floor_s, cpu=True), 4),
        "own_over_floor_wall": round(_paired(own, floor_s, cpu=False), 4),
        "scale_cpu": round(scale_cpu, 4),
        "scale_wall": round(_paired(own, ref, cpu=False), 4),
        "mock_vs_floor": Comparison(mock, floor_s).to_json(),
        "own": own.to_json(),
        "ref": ref.to_json(),
    }


def _bench_population(
    settings: Settings, population: int, session: Any, reference: _Reference
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    with mock_secretsmanager(max_secrets=max(population, 500_000)) as sm:
        requests = _requests(population, secret_names(population))
        _warm_up(sm, requests)
        if settings.memory:
            info = _memory(sm, population, requests)
        else:
            started = time.perf_counter()
            _seed(sm, population)
            info = {"seed_s": round(time.perf_counter() - started, 3)}
        _log(f"  seeded {population:,} secrets in {info['seed_s']:.1f} s")
        client = session.client(SERVICE)
        floor = CannedFloor(session)
        # The timing loop runs a full collection before every batch; with millions of objects
        # in the store that would dominate the run. Freezing moves them out of the collector's
        # reach (gc is disabled while timing either way, so measurements are unaffected).
        gc.collect()
        gc.freeze()
        try:
            results = [
                _bench_case(settings, sm, client, floor, reference, population, case, requests) for case in CASES
            ]
        finally:
            gc.unfreeze()
    info["secrets"] = population
    info["prefix"] = _prefix_block(population)
    return info, results


def _targets(results: Sequence[dict[str, Any]]) -> list[Target]:
    targets: list[Target] = []
    largest = max(r["secrets"] for r in results)
    for r in results:
        if r["case"] not in PAGE_CASES:
            continue
        if r["secrets"] == largest and largest > r["reference_secrets"]:
            targets.append(
                Target(
                    f"page_time_scales/{r['case']}/{largest}_vs_{r['reference_secrets']}",
                    f"the mock's own CPU time for a {r['case']} ListSecrets call at {largest:,} secrets "
                    f"is at most {SCALE_LIMIT:.2f}x the time at {r['reference_secrets']:,} (issue: "
                    "500,000 vs 100; median of per-round ratios)",
                    r["scale_cpu"],
                    SCALE_LIMIT,
                )
            )
        targets.append(
            Target(
                f"mock_share_of_page/{r['case']}/{r['secrets']}",
                f"(mock - floor) / floor in CPU time for a {r['case']} ListSecrets call at "
                f"{r['secrets']:,} secrets is under {SHARE_LIMIT:.0%} (median of per-round ratios)",
                r["share_cpu"],
                SHARE_LIMIT,
            )
        )
    return targets


def _print_report(record: dict[str, Any], targets: Sequence[Target]) -> None:
    machine = record["machine"]
    s = record["settings"]
    print(
        f"\nsm_mock ListSecrets / GetSecretValue at scale — Python {machine['python']}, botocore "
        f"{machine['botocore']}, {machine['cpu_count']} CPUs ({machine['cpu_model']}), load "
        f"{machine.get('loadavg', '?')}"
    )
    print(
        f"{s['rounds']} interleaved rounds x {s['page_calls']} page calls / {s['get_calls']} get calls "
        f"per contender; medians of per-round means. own = sm_mock.service.serve on the same body.\n"
    )
    rows = []
    for r in record["results"]:
        mock, floor, own, ref = r["mock_vs_floor"]["mock"], r["mock_vs_floor"]["floor"], r["own"], r["ref"]
        rows.append(
            [
                f"{r['secrets']:,}",
                r["case"],
                f"{mock['cpu_median_us']:.1f}",
                f"{floor['cpu_median_us']:.1f}",
                f"{own['cpu_median_us']:.1f}",
                f"{ref['cpu_median_us']:.1f}",
                f"{r['share_cpu']:+.1%}",
                f"{r['share_wall']:+.1%}",
                f"{r['own_over_floor_cpu']:.1%}",
                f"{r['scale_cpu']:.3f}",
                f"{r['scale_wall']:.3f}",
                f"{mock['spread']:.0%}/{floor['spread']:.0%}",
            ]
        )
    print(
        format_table(
            [
                "secrets",
                "case",
                "mock cpu µs",
                "floor cpu µs",
                "own cpu µs",
                "ref cpu µs",
                "share cpu",
                "share wall",
                "own/floor",
                "scale cpu",
                "scale wall",
                "spread m/f",
            ],
            rows,
        )
    )
    reference = record["settings"]["reference_secrets"]
    print(
        "\nshare = (mock - floor) / floor; own/floor = serve() alone; scale = own / ref, ref = the same "
        f"case at {reference:,} secrets in the same rounds; all medians of per-round ratios"
    )
    memory = [p for p in record["populations"] if "store_bytes_per_secret" in p]
    if memory:
        print("\nmemory per secret (tracemalloc)")
        print(
            format_table(
                ["secrets", "store B/secret", "indexes B/secret", "seed s"],
                [
                    [
                        f"{p['secrets']:,}",
                        f"{p['store_bytes_per_secret']:.0f}",
                        f"{p['index_bytes_per_secret']:.0f}",
                        f"{p['seed_s']:.1f}",
                    ]
                    for p in memory
                ],
            )
        )
    print("", *target_summary(targets), sep="\n")


def run(settings: Settings) -> dict[str, Any]:
    """Run the benchmark and return its JSON record (also prints the tables)."""
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    clock = time.perf_counter()
    session = new_session()
    populations: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    reference = _reference(min(settings.populations))
    for population in settings.populations:
        _log(f"{population:,} secrets:")
        info, rows = _bench_population(settings, population, session, reference)
        populations.append(info)
        results.extend(rows)
        gc.collect()
    targets = _targets(results)
    record: dict[str, Any] = {
        "benchmark": "bench_listing",
        "schema": 1,
        "started_at": started_at,
        "duration_s": round(time.perf_counter() - clock, 2),
        "command": python_command(),
        "machine": machine_info(),
        "settings": {
            "populations": list(settings.populations),
            "rounds": settings.rounds,
            "page_calls": settings.page_calls,
            "get_calls": settings.get_calls,
            "warmup": settings.warmup,
            "page_size": PAGE_SIZE,
            "reference_secrets": min(settings.populations),
            "memory": settings.memory,
            "quick": settings.quick,
            "order": "interleaved, alternating (mock floor own ref, ref own floor mock, ...)",
            "timer": "time.perf_counter_ns, gc disabled while timing",
        },
        "populations": populations,
        "results": results,
        "targets": [t.to_json() for t in targets],
        "passed": all(t.passed for t in targets),
    }
    _print_report(record, targets)
    return record


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_listing",
        description="Time ListSecrets pages and GetSecretValue at growing populations against the botocore floor.",
    )
    parser.add_argument("--secrets", help=f"population sizes (default {_FULL.secrets}; quick {_QUICK.secrets})")
    parser.add_argument("--repeat", type=int, help=f"interleaved timed rounds per case (default {_FULL.rounds})")
    parser.add_argument("--calls", type=int, help=f"page calls per contender per round (default {_FULL.page_calls})")
    parser.add_argument("--get-calls", type=int, help=f"GetSecretValue calls per round (default {_FULL.get_calls})")
    parser.add_argument("--warmup", type=int, help=f"untimed warm-up calls per contender (default {_FULL.warmup})")
    parser.add_argument("--json", default=str(DEFAULT_JSON), help=f"JSON record path (default {DEFAULT_JSON})")
    parser.add_argument("--quick", action="store_true", help="smoke-test size: 100 and 1,000 secrets, few rounds")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc measurement (faster seeding)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target fails")
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    defaults = _QUICK if args.quick else _FULL
    settings = Settings(
        populations=tuple(parse_sizes(args.secrets or defaults.secrets)),
        rounds=args.repeat or defaults.rounds,
        page_calls=args.calls or defaults.page_calls,
        get_calls=args.get_calls or defaults.get_calls,
        warmup=defaults.warmup if args.warmup is None else args.warmup,
        memory=not args.no_memory,
        quick=args.quick,
    )
    if settings.rounds < 1 or settings.page_calls < 1 or settings.get_calls < 1 or settings.warmup < 0:
        raise SystemExit("--repeat, --calls and --get-calls must be >= 1 and --warmup >= 0")
    return settings


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    args = _parser().parse_args(None if argv is None else list(argv))
    record = run(_settings(args))
    return finish(record, args.json, args.check)


if __name__ == "__main__":
    raise SystemExit(main())
