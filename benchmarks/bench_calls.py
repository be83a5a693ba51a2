"""Per-call cost of sm_mock against the botocore floor.

For each population size, seed a mock, then time GetSecretValue, DescribeSecret and
PutSecretValue through one boto3 client with the mock active ("mock") and through an
identical client whose ``before-send`` handler replays the mock's captured answer with no
mock active ("floor": all of botocore's own cost, zero service work). Rounds of the two are
interleaved; the report gives medians, the ratio mock/floor and the mock's overhead in µs,
checked against the issue target "mock within 10% of the floor at 100 and 10,000 secrets".

    python -m benchmarks.bench_calls [--secrets 100,10000] [--repeat N] [--calls N]
        [--json PATH] [--quick] [--check] [--profile [OP]]

Exit status is 0 (it is a report) unless ``--check`` is given and a target fails.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any

from botocore import xform_name

from sm_mock import SecretsManagerMock, mock_secretsmanager

from .common import (
    RESULTS_DIR,
    SECRET_VALUE,
    SERVICE,
    CannedFloor,
    Comparison,
    Contender,
    Target,
    capture_answer,
    cycle_calls,
    finish,
    format_profile,
    format_table,
    interleaved,
    machine_info,
    new_session,
    parse_choices,
    parse_sizes,
    profile_calls,
    python_command,
    seed,
    suspended,
    target_summary,
)

__all__ = ["OPERATIONS", "RATIO_LIMIT", "Settings", "main", "run"]

#: The operations timed, in this order (PutSecretValue last: it adds versions).
OPERATIONS = ("GetSecretValue", "DescribeSecret", "PutSecretValue")
#: Issue target: the mock costs at most 10% more per call than the botocore floor.
RATIO_LIMIT = 1.10
DEFAULT_JSON = RESULTS_DIR / "bench_calls.json"



@dataclass(frozen=True, slots=True)
class _Defaults:
    secrets: str
    rounds: int
    calls: int
    warmup: int


_FULL = _Defaults("100,10000", rounds=15, calls=200, warmup=100)
_QUICK = _Defaults("100,1000", rounds=5, calls=40, warmup=10)


@dataclass(frozen=True, slots=True)
class Settings:
    """One run's parameters (recorded in the JSON)."""

    populations: tuple[int, ...]
    rounds: int
    calls: int
    warmup: int
    operations: tuple[str, ...] = OPERATIONS
    quick: bool = False
    profile: str | None = None
    profile_calls: int = 1000


def _arguments(operation: str, names: Sequence[str]) -> list[dict[str, Any]]:
    if operation == "PutSecretValue":
        # No ClientRequestToken: botocore fills in a fresh uuid4 per call on both clients
        # (idempotency-token auto-fill), so mock and floor pay the same client-side cost.
        return [{"SecretId": name, "SecretString": SECRET_VALUE} for name in names]
    return [{"SecretId": name} for name in names]


def _version_limit(settings: Settings, population: int) -> int | None:
    # Each timed mock PutSecretValue adds a version; versions younger than 24 h are never
    # pruned (SPEC D10), so raise max_versions if a small population would reach 100.
    puts = settings.warmup + settings.rounds * settings.calls + 2
    per_secret = math.ceil(puts / population) + 1
    return per_secret + 10 if per_secret > 90 else None


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _bench_population(
    settings: Settings, population: int, session: Any
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any] | None]:
    max_versions = _version_limit(settings, population)
    mock = mock_secretsmanager() if max_versions is None else mock_secretsmanager(max_versions=max_versions)
    with mock as sm:
        started = time.perf_counter()
        names = seed(sm, population)
        seed_s = time.perf_counter() - started
        _log(f"  seeded {population:,} secrets in {seed_s:.2f} s")
        order = list(names)
        random.Random(population).shuffle(order)  # realistic access spread over the store
        client = session.client(SERVICE)
        floor = CannedFloor(session)
        floor.answers["GetSecretValue"] = capture_answer(client, "GetSecretValue", {"SecretId": order[0]})
        dormant = floor.pays_dormant_check(sm, "GetSecretValue", {"SecretId": order[0]})
        results = [_bench_operation(settings, sm, client, floor, op, order) for op in settings.operations]
        profile = _profile(settings, client, order) if settings.profile else None
    info = {
        "secrets": population,
        "seed_s": round(seed_s, 3),
        "floor_pays_dormant_check": dormant,
        "max_versions_override": max_versions,
    }
    return info, results, profile


def _bench_operation(
    settings: Settings,
    sm: SecretsManagerMock,
    client: Any,
    floor: CannedFloor,
    operation: str,
    order: Sequence[str],
) -> dict[str, Any]:
    arguments = _arguments(operation, order)
    answer = capture_answer(client, operation, arguments[0])
    if answer.status != 200:
        raise RuntimeError(f"{operation} failed in the mock: {answer.body[:300]!r}")
    floor.answers[operation] = answer
    method = xform_name(operation)
    samples = interleaved(
        [
            Contender("mock", cycle_calls(getattr(client, method), arguments)),
            Contender("floor", cycle_calls(getattr(floor.client, method), arguments), lambda: suspended(sm)),
        ],
        rounds=settings.rounds,
        calls=settings.calls,
        warmup=settings.warmup,
    )
    comparison = Comparison(samples["mock"], samples["floor"])
    _log(
        f"  {operation:<15} mock {comparison.subject.median_ns / 1000:8.1f} µs  "
        f"floor {comparison.reference.median_ns / 1000:8.1f} µs  ratio {comparison.ratio:.3f}  "
        f"(cpu {comparison.cpu_ratio:.3f})"
    )
    errors = [r for r in sm.calls if r.error_code is not None]
    if errors:
        raise RuntimeError(f"the mock answered {len(errors)} call(s) with errors, e.g. {errors[0]}")
    return {
        "secrets": len(order),
        "operation": operation,
        "response_bytes": len(answer.body),
        **comparison.to_json(),
    }


def _profile(settings: Settings, client: Any, order: Sequence[str]) -> dict[str, Any]:
    operation = settings.profile or "GetSecretValue"
    batch = cycle_calls(getattr(client, xform_name(operation)), _arguments(operation, order))
    batch(50)
    n = settings.profile_calls
    rows, inside, total = profile_calls(batch, n)
    print(f"\ncProfile of {n} {operation} calls at {len(order):,} secrets (top sm_mock self time):")
    print(format_profile(rows, inside, total, n))
    return {
        "operation": operation,
        "secrets": len(order),
        "calls": n,
        "inside_sm_mock_self_us": round(inside, 2),
        "total_profiled_us": round(total, 2),
        "top": [asdict(row) for row in rows],
    }


def _targets(results: Sequence[dict[str, Any]]) -> list[Target]:
    return [
        Target(
            f"mock_within_10pct_of_floor/{r['operation']}/{r['secrets']}",
            f"{r['operation']} through the mock costs at most {RATIO_LIMIT:.2f}x the botocore "
            f"floor at {r['secrets']:,} secrets (issue target: at 100 and 10,000 secrets)",
            r["ratio"],
            RATIO_LIMIT,
        )
        for r in results
    ]


def _print_report(record: dict[str, Any], targets: Sequence[Target]) -> None:
    machine = record["machine"]
    s = record["settings"]
    print(
        f"\nsm_mock per-call cost vs botocore floor — Python {machine['python']}, "
        f"botocore {machine['botocore']}, {machine['cpu_count']} CPUs ({machine['cpu_model']}), "
        f"load {machine.get('loadavg', '?')}"
    )
    print(
        f"{s['rounds']} interleaved rounds x {s['calls']} calls per contender, "
        f"{s['warmup']} warm-up calls; medians of per-round means\n"
    )
    verdicts = {t.name: t for t in targets}
    rows = []
    for r in record["results"]:
        target = verdicts[f"mock_within_10pct_of_floor/{r['operation']}/{r['secrets']}"]
        rows.append(
            [
                f"{r['secrets']:,}",
                r["operation"],
                f"{r['mock']['median_us']:.1f}",
                f"{r['floor']['median_us']:.1f}",
                f"{r['ratio']:.3f}",
                f"{r['pair_ratio']:.3f}",
                f"{r['cpu_ratio']:.3f}",
                f"{r['overhead_us']:+.1f}",
                f"{r['mock']['spread']:.0%}/{r['floor']['spread']:.0%}",
                "PASS" if target.passed else "FAIL",
            ]
        )
    print(
        format_table(
            [
                "secrets",
                "operation",
                "mock µs",
                "floor µs",
                "ratio",
                "pair ratio",
                "cpu ratio",
                "overhead µs",
                "spread m/f",
                f"ratio<={RATIO_LIMIT:.2f}",
            ],
            rows,
        )
    )
    print(f"\nwall-clock ratio <= {RATIO_LIMIT:.2f}", *target_summary(targets, failed_only=True), sep="\n")


def run(settings: Settings) -> dict[str, Any]:
    """Run the benchmark and return its JSON record (also prints the table)."""
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    clock = time.perf_counter()
    session = new_session()
    populations: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    profiles: list[dict[str, Any]] = []
    for population in settings.populations:
        _log(f"{population:,} secrets:")
        info, rows, profile = _bench_population(settings, population, session)
        populations.append(info)
        results.extend(rows)
        if profile is not None:
            profiles.append(profile)
            # One profile is enough; the first population is the cheapest to set up.
            settings = Settings(**{**asdict(settings), "profile": None})
    targets = _targets(results)
    record: dict[str, Any] = {
        "benchmark": "bench_calls",
        "schema": 1,
        "started_at": started_at,
        "duration_s": round(time.perf_counter() - clock, 2),
        "command": python_command(),
        "machine": machine_info(),
        "settings": {
            "populations": list(settings.populations),
            "rounds": settings.rounds,
            "calls": settings.calls,
            "warmup": settings.warmup,
            "operations": list(settings.operations),
            "quick": settings.quick,
            "order": "interleaved, alternating (mock floor, floor mock, ...)",
            "timer": "time.perf_counter_ns, gc disabled while timing",
        },
        "populations": populations,
        "results": results,
        "targets": [t.to_json() for t in targets],
        "passed": all(t.passed for t in targets),
    }
    if profiles:
        record["profile"] = profiles[0]
    _print_report(record, targets)
    return record


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_calls",
        description="Time sm_mock calls against the botocore floor (canned answers) side by side.",
    )
    parser.add_argument("--secrets", help="population sizes, comma-separated (default 100,10000; quick 100,1000)")
    parser.add_argument("--repeat", type=int, help="interleaved timed rounds per operation (default 15; quick 5)")
    parser.add_argument("--calls", type=int, help="calls per contender per round (default 200; quick 40)")
    parser.add_argument("--warmup", type=int, help="untimed warm-up calls per contender (default 100; quick 10)")
    parser.add_argument(
        "--operations", default=",".join(OPERATIONS), help=f"subset of {','.join(OPERATIONS)}"
    )
    parser.add_argument("--json", default=str(DEFAULT_JSON), help=f"JSON record path (default {DEFAULT_JSON})")
    parser.add_argument("--quick", action="store_true", help="smoke-test size: fewer rounds, 100 and 1,000 secrets")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target fails")
    parser.add_argument(
        "--profile",
        nargs="?",
        const="GetSecretValue",
        metavar="OP",
        help="after timing, cProfile OP (default GetSecretValue) at the first population",
    )
    parser.add_argument("--profile-calls", type=int, default=1000, help="calls to profile (default 1000)")
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    defaults = _QUICK if args.quick else _FULL
    operations = parse_choices(args.operations, OPERATIONS, "operation")
    if args.profile is not None and args.profile not in OPERATIONS:
        raise SystemExit(f"--profile takes one of {', '.join(OPERATIONS)}")
    settings = Settings(
        populations=tuple(parse_sizes(args.secrets or defaults.secrets)),
        rounds=args.repeat or defaults.rounds,
        calls=args.calls or defaults.calls,
        warmup=defaults.warmup if args.warmup is None else args.warmup,
        operations=operations,
        quick=args.quick,
        profile=args.profile,
        profile_calls=args.profile_calls,
    )
    if settings.rounds < 1 or settings.calls < 1 or settings.warmup < 0:
        raise SystemExit("--repeat and --calls must be >= 1 and --warmup >= 0")
    return settings


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    args = _parser().parse_args(None if argv is None else list(argv))
    record = run(_settings(args))
    return finish(record, args.json, args.check)


if __name__ == "__main__":
    raise SystemExit(main())
