"""ListSecrets pages and GetSecretValue at 100 to 500,000 secrets, against the botocore floor.

For each population size, seed a mock through the backend (``sm.backend.seed``: the state
CreateSecret would leave, without a client round trip), then time three cases:

* ``page``           ListSecrets, MaxResults=100, first page, no filter (default sort);
* ``page+prefix``    ListSecrets, MaxResults=100, a ``name`` filter whose prefix selects a block
                     of exactly 100 secrets in the middle of the population (default sort);
* ``get``            GetSecretValue, cycling through the population in shuffled order.

Each case runs three contenders in interleaved rounds:

* ``mock``  — a boto3 client with the mock active (what a test pays);
* ``floor`` — an identical client whose ``before-send`` handler replays the mock's captured
  answer byte for byte with no mock active: all of botocore's own cost, zero service work;
* ``own``   — the same request body served straight by ``sm_mock.service.serve`` (decode,
  validate, operation, encode, call log): the mock's own work, measured directly rather than
  as the difference of two large numbers.

Printed ratios (the issue's targets):

* **scale** — own time of a page at the largest population / at the smallest (issue: 500,000
  vs 100, within 20%); the client-level ratio mock(largest)/mock(smallest) is shown too;
* **share** — the mock's share of a page: (mock − floor) / floor, from the median of per-round
  ratios (issue: under 15%), with own / floor as a cross-check;
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
    Target,
    capture_answer,
    cycle_calls,
    format_table,
    interleaved,
    machine_info,
    new_session,
    parse_sizes,
    python_command,
    secret_names,
    suspended,
    write_json,
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


def _bench_case(
    settings: Settings,
    sm: SecretsManagerMock,
    client: Any,
    floor: CannedFloor,
    population: int,
    case: str,
    operation: str,
    arguments: list[dict[str, Any]],
) -> dict[str, Any]:
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
        ],
        rounds=settings.rounds,
        calls=calls,
        warmup=settings.warmup,
    )
    versus_floor = Comparison(samples["mock"], samples["floor"])
    own_share = Comparison(samples["own"], samples["floor"])
    _log(
        f"  {case:<12} mock {samples['mock'].cpu_median_ns / 1000:9.1f} µs  floor "
        f"{samples['floor'].cpu_median_ns / 1000:9.1f} µs  own {samples['own'].cpu_median_ns / 1000:8.1f} µs "
        f"(CPU)  share {versus_floor.cpu_ratio - 1:+.1%}"
    )
    return {
        "secrets": population,
        "case": case,
        "operation": operation,
        "request": arguments[0] if operation == "ListSecrets" else {"SecretId": "<cycled>"},
        "response_bytes": len(answer.body),
        "entries": listed,
        # The mock's share of the call: (mock - floor) / floor, on CPU time (what the process
        # spends; immune to time preempted by other processes) and on wall time (median of
        # per-round ratios). own_over_floor: the mock's own serve() time / the floor's.
        "share_cpu": round(versus_floor.cpu_ratio - 1, 4),
        "share_wall": round(versus_floor.pair_ratio - 1, 4),
        "own_over_floor_cpu": round(own_share.cpu_ratio, 4),
        "own_over_floor_wall": round(own_share.ratio, 4),
        "mock_vs_floor": versus_floor.to_json(),
        "own": samples["own"].to_json(),
    }


def _bench_population(settings: Settings, population: int, session: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    with mock_secretsmanager(max_secrets=max(population, 500_000)) as sm:
        names = secret_names(population)
        requests = _requests(population, names)
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
                _bench_case(settings, sm, client, floor, population, case, *requests[case]) for case in CASES
            ]
        finally:
            gc.unfreeze()
    info["secrets"] = population
    info["prefix"] = _prefix_block(population)
    return info, results


def _targets(results: Sequence[dict[str, Any]], populations: Sequence[int]) -> list[Target]:
    targets: list[Target] = []
    by_key = {(r["secrets"], r["case"]): r for r in results}
    small, large = min(populations), max(populations)
    if large > small:
        for case in PAGE_CASES:
            ratio = _own_cpu(by_key[(large, case)]) / _own_cpu(by_key[(small, case)])
            targets.append(
                Target(
                    f"page_time_scales/{case}/{large}_vs_{small}",
                    f"the mock's own CPU time for a {case} ListSecrets call at {large:,} secrets is at "
                    f"most {SCALE_LIMIT:.2f}x the time at {small:,} (issue: 500,000 vs 100)",
                    ratio,
                    SCALE_LIMIT,
                )
            )
    for r in results:
        if r["case"] in PAGE_CASES:
            targets.append(
                Target(
                    f"mock_share_of_page/{r['case']}/{r['secrets']}",
                    f"(mock - floor) / floor in CPU time for a {r['case']} ListSecrets call at "
                    f"{r['secrets']:,} secrets is under {SHARE_LIMIT:.0%}",
                    r["share_cpu"],
                    SHARE_LIMIT,
                )
            )
    return targets


def _own_cpu(result: dict[str, Any]) -> float:
    return float(result["own"]["cpu_median_us"])


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
        mock, floor, own = r["mock_vs_floor"]["mock"], r["mock_vs_floor"]["floor"], r["own"]
        rows.append(
            [
                f"{r['secrets']:,}",
                r["case"],
                f"{mock['cpu_median_us']:.1f}",
                f"{floor['cpu_median_us']:.1f}",
                f"{own['cpu_median_us']:.1f}",
                f"{r['share_cpu']:+.1%}",
                f"{r['own_over_floor_cpu']:.1%}",
                f"{mock['median_us']:.1f}",
                f"{floor['median_us']:.1f}",
                f"{r['share_wall']:+.1%}",
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
                "share (m-f)/f",
                "own/floor",
                "mock wall µs",
                "floor wall µs",
                "share wall",
                "spread m/f",
            ],
            rows,
        )
    )
    pops = record["settings"]["populations"]
    small, large = min(pops), max(pops)
    by_key = {(r["secrets"], r["case"]): r for r in record["results"]}
    if large > small:
        scale_rows = []
        for case in CASES:
            a, b = by_key[(small, case)], by_key[(large, case)]
            scale_rows.append(
                [
                    case,
                    f"{_own_cpu(a):.1f}",
                    f"{_own_cpu(b):.1f}",
                    f"{_own_cpu(b) / _own_cpu(a):.3f}",
                    f"{b['own']['median_us'] / a['own']['median_us']:.3f}",
                    f"{b['mock_vs_floor']['mock']['cpu_median_us'] / a['mock_vs_floor']['mock']['cpu_median_us']:.3f}",
                ]
            )
        print(f"\nscale: {large:,} secrets vs {small:,} (own = the mock's serve(); client = the whole boto3 call)")
        print(
            format_table(
                [
                    "case",
                    f"own cpu µs @{small:,}",
                    f"own cpu µs @{large:,}",
                    "own cpu ratio",
                    "own wall ratio",
                    "client cpu ratio",
                ],
                scale_rows,
            )
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
    failed = [t for t in targets if not t.passed]
    print(f"\ntargets: {len(targets) - len(failed)}/{len(targets)} PASS")
    for target in targets:
        print(f"  {'PASS' if target.passed else 'FAIL'} {target.name}: {target.value:.3f} (limit {target.limit})")


def run(settings: Settings) -> dict[str, Any]:
    """Run the benchmark and return its JSON record (also prints the tables)."""
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    clock = time.perf_counter()
    session = new_session()
    populations: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    for population in settings.populations:
        _log(f"{population:,} secrets:")
        info, rows = _bench_population(settings, population, session)
        populations.append(info)
        results.extend(rows)
        gc.collect()
    targets = _targets(results, settings.populations)
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
            "memory": settings.memory,
            "quick": settings.quick,
            "order": "interleaved, alternating (mock floor own, own floor mock, ...)",
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
    path = write_json(args.json, record)
    print(f"\nJSON record: {path}")
    return 1 if args.check and not record["passed"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
