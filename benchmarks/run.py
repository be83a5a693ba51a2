"""Every performance figure of sm_mock in one run: ``python -m benchmarks`` (issue 8).

Figures (all through real boto3 clients, medians over interleaved rounds, ratios measured side
by side in this process run):

1. per-call cost of GetSecretValue, DescribeSecret, PutSecretValue, ListSecrets (a page of
   100) and BatchGetSecretValue (20 secrets) at 100, 10,000 and 500,000 secrets, next to the
   botocore floor (the same client answered by a ``before-send`` handler that replays the
   mock's own answer: botocore's whole cost with zero service work);
2. direct mode (``transport="direct"``) next to botocore's ``Stubber`` and the floor;
3. per-test cost (new activation + new client + create + get) and activation alone;
4. memory per secret, per listing-index entry, per version and per call-log record;
5. the same for moto when it is importable (optional; imported last, lazily).

Targets, checked here and never by timed unit tests: point calls within 5% of the floor, a
list page (and a batch read) within 10%, direct mode at most 1.3x the Stubber, per-test cost
under 10 ms, activation under 0.2 ms, under 2 KiB per secret beyond its value.

    python -m benchmarks                  # everything, about 3 minutes (500,000 secrets included)
    python -m benchmarks --quick          # smoke run, under a minute
    python -m benchmarks --sections calls,direct --secrets 100,10k --check

Exit status 0 (it is a report) unless ``--check`` is given and a target fails.
"""

from __future__ import annotations

import argparse
import gc
import inspect
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from typing import Any

from sm_mock import SecretsManagerMock

from .common import (
    RESULTS_DIR,
    Target,
    finish,
    format_table,
    machine_info,
    new_session,
    parse_choices,
    parse_sizes,
    python_command,
    target_summary,
)
from .figures import Timing, activation, calls_at, direct_vs_stubber, memory, per_test

__all__ = ["LIMITS", "SECTIONS", "Settings", "main", "run", "targets"]

DEFAULT_JSON = RESULTS_DIR / "run.json"
#: The parts of a run, in the order they run (moto last: its import changes botocore's defaults).
SECTIONS = ("calls", "direct", "per-test", "activation", "memory", "moto")
#: Issue 8's targets.
LIMITS = {
    "point": 1.05,  # a point call costs at most 5% more than the floor
    "page": 1.10,  # a list page (or a batch read) at most 10% more
    "direct": 1.30,  # direct mode at most 1.3x botocore's Stubber for the same call
    "per_test_us": 10_000.0,
    "activation_us": 200.0,
    "bytes_per_secret": 2048.0,
}


@dataclass(frozen=True, slots=True)
class Settings:
    """One run's parameters (recorded in the JSON)."""

    populations: tuple[int, ...]
    point: Timing
    page: Timing
    direct_population: int
    tests: Timing
    activations: Timing
    memory_secrets: int
    moto_populations: tuple[int, ...]
    moto_point: Timing
    moto_page: Timing
    moto_tests: Timing
    moto_activations: Timing
    moto_memory_secrets: int
    sections: tuple[str, ...] = SECTIONS
    quick: bool = False


FULL = Settings(
    populations=(100, 10_000, 500_000),
    point=Timing(rounds=15, calls=200, warmup=100),
    page=Timing(rounds=11, calls=20, warmup=5),
    direct_population=100,
    tests=Timing(rounds=11, calls=10, warmup=3),
    activations=Timing(rounds=11, calls=200, warmup=50),
    memory_secrets=10_000,
    moto_populations=(100, 10_000),
    moto_point=Timing(rounds=7, calls=50, warmup=20),
    moto_page=Timing(rounds=5, calls=4, warmup=1),
    moto_tests=Timing(rounds=5, calls=3, warmup=1),
    moto_activations=Timing(rounds=5, calls=20, warmup=5),
    moto_memory_secrets=2_000,
)
QUICK = Settings(
    populations=(100, 1_000),
    point=Timing(rounds=5, calls=40, warmup=10),
    page=Timing(rounds=3, calls=5, warmup=2),
    direct_population=100,
    tests=Timing(rounds=3, calls=5, warmup=2),
    activations=Timing(rounds=5, calls=100, warmup=20),
    memory_secrets=1_000,
    moto_populations=(100,),
    moto_point=Timing(rounds=3, calls=20, warmup=5),
    moto_page=Timing(rounds=3, calls=3, warmup=1),
    moto_tests=Timing(rounds=3, calls=2, warmup=1),
    moto_activations=Timing(rounds=3, calls=5, warmup=2),
    moto_memory_secrets=200,
    quick=True,
)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---- running -----------------------------------------------------------------------------------
def run(settings: Settings) -> dict[str, Any]:
    """Take every figure of ``settings.sections``; returns the JSON record (without targets)."""
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    clock = time.perf_counter()
    record: dict[str, Any] = {
        "benchmark": "sm_mock",
        "schema": 1,
        "started_at": started_at,
        "command": python_command(),
        "machine": machine_info(),
        "settings": _settings_json(settings),
    }
    session = new_session()
    sections = settings.sections
    if "calls" in sections:
        record["calls"] = []
        for population in settings.populations:
            _log(f"per-call cost at {population:,} secrets:")
            record["calls"].append(calls_at(population, session, settings.point, settings.page))
            gc.collect()
    if "direct" in sections and _has_direct_mode():
        _log(f"direct mode vs Stubber at {settings.direct_population:,} secrets:")
        record["direct"] = direct_vs_stubber(settings.direct_population, session, settings.point, settings.page)
    elif "direct" in sections:
        _log("this sm_mock has no direct mode (transport=): skipped")
    if "per-test" in sections:
        _log("per-test cost:")
        record["per_test"] = per_test(settings.tests)
    if "activation" in sections:
        _log("activation:")
        record["activation"] = activation(settings.activations)
    if "memory" in sections:
        _log(f"memory at {settings.memory_secrets:,} secrets:")
        record["memory"] = memory(settings.memory_secrets)
    if "moto" in sections:
        record["moto"] = _moto(settings)
    record["duration_s"] = round(time.perf_counter() - clock, 2)
    return record


def _has_direct_mode() -> bool:
    """Whether this sm_mock offers ``transport=`` (so older versions can be compared too)."""
    return "transport" in inspect.signature(SecretsManagerMock).parameters


def _moto(settings: Settings) -> dict[str, Any]:
    from . import peers

    moto = peers.moto_module()
    if moto is None:
        _log("moto is not installed: its figures are skipped")
        return {"available": False}
    _log(f"moto {getattr(moto, '__version__', '?')}:")
    out: dict[str, Any] = {"available": True, "version": getattr(moto, "__version__", None), "calls": []}
    for population in settings.moto_populations:
        out["calls"].append(peers.moto_calls_at(moto, population, settings.moto_point, settings.moto_page))
        gc.collect()
    skipped = [p for p in settings.populations if p not in settings.moto_populations]
    if skipped:
        out["populations_skipped"] = skipped
        out["why_skipped"] = "moto has no bulk seeding; seeding it through its API at these sizes takes too long"
    out.update(peers.moto_per_test(moto, settings.moto_tests))
    out.update(peers.moto_activation(moto, settings.moto_activations))
    out["memory"] = peers.moto_memory(moto, settings.moto_memory_secrets)
    return out


def _settings_json(settings: Settings) -> dict[str, Any]:
    data = asdict(settings)
    data["order"] = "interleaved rounds, order reversed every other round"
    data["timer"] = "time.perf_counter_ns (wall) and time.thread_time_ns (CPU), gc disabled while timing"
    return data


# ---- targets -----------------------------------------------------------------------------------
def targets(record: dict[str, Any]) -> list[Target]:
    """Issue 8's targets, judged on the medians in ``record`` (wall-clock ratios)."""
    out: list[Target] = []
    for population in record.get("calls", []):
        for r in population["results"]:
            limit = LIMITS[r["kind"]]
            share = f"{limit - 1:.0%}"
            out.append(
                Target(
                    f"{r['kind']}_within_{share}_of_floor/{r['case']}/{r['secrets']}",
                    f"{r['case']} at {r['secrets']:,} secrets costs at most {limit:.2f}x the botocore floor",
                    r["ratio"],
                    limit,
                )
            )
    for r in record.get("direct", {}).get("results", []):
        out.append(
            Target(
                f"direct_vs_stubber/{r['case']}",
                f"{r['case']} in direct mode costs at most {LIMITS['direct']:.2f}x the same call through "
                "botocore's Stubber as a test uses it (add_response, then the call)",
                r["ratio_with_add_response"],
                LIMITS["direct"],
            )
        )
    if "per_test" in record:
        out.append(
            Target(
                "per_test_under_10ms",
                "new activation + new boto3 client + CreateSecret + GetSecretValue, median µs",
                record["per_test"]["per_test"]["median_us"],
                LIMITS["per_test_us"],
            )
        )
    if "activation" in record:
        out.append(
            Target(
                "activation_under_0.2ms",
                "entering and leaving mock_secretsmanager(), median µs",
                record["activation"]["activation"]["median_us"],
                LIMITS["activation_us"],
            )
        )
    if "memory" in record:
        out.append(
            Target(
                "memory_under_2KiB_per_secret",
                "tracemalloc bytes per secret (store + listing index) beyond its value's ciphertext",
                record["memory"]["secret_bytes_beyond_value"],
                LIMITS["bytes_per_secret"],
            )
        )
    return out


# ---- report ------------------------------------------------------------------------------------
def _verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def report(record: dict[str, Any], checked: Sequence[Target]) -> str:
    """The printed tables."""
    machine = record["machine"]
    lines = [
        f"sm_mock benchmarks — Python {machine['python']}, botocore {machine['botocore']}, "
        f"{machine['cpu_count']} CPUs ({machine['cpu_model']}), load {machine.get('loadavg', '?')}",
        "medians over interleaved rounds; ratio = median/median, pair = median of per-round ratios, "
        "cpu = the same on thread CPU time",
    ]
    verdicts = {t.name: t for t in checked}

    def verdict_of(prefix: str) -> str:
        found = [t for name, t in verdicts.items() if name.startswith(prefix)]
        return _verdict(found[0].passed) if found else ""

    if "calls" in record:
        rows = []
        for population in record["calls"]:
            for r in population["results"]:
                limit = LIMITS[r["kind"]]
                rows.append(
                    [
                        f"{r['secrets']:,}",
                        r["case"],
                        f"{r['mock']['median_us']:.1f}",
                        f"{r['floor']['median_us']:.1f}",
                        f"{r['ratio']:.3f}",
                        f"{r['pair_ratio']:.3f}",
                        f"{r['cpu_ratio']:.3f}",
                        f"{r['overhead_us']:+.1f}",
                        f"<={limit:.2f}",
                        verdict_of(f"{r['kind']}_within_{limit - 1:.0%}_of_floor/{r['case']}/{r['secrets']}"),
                    ]
                )
        lines += [
            "",
            "1. per call, sm_mock (HTTP transport) vs the botocore floor",
            format_table(
                ["secrets", "call", "mock µs", "floor µs", "ratio", "pair", "cpu", "overhead µs", "target", ""], rows
            ),
        ]
    if "direct" in record:
        rows = [
            [
                r["case"],
                f"{r['direct']['median_us']:.1f}",
                f"{r['stubber']['median_us']:.1f}",
                f"{r['stubber+add']['median_us']:.1f}",
                f"{r['floor']['median_us']:.1f}",
                f"{r['ratio']:.3f}",
                f"{r['pair_ratio']:.3f}",
                f"{r['cpu_ratio']:.3f}",
                f"{r['ratio_with_add_response']:.3f}",
                f"{r['ratio_to_floor']:.3f}",
                verdict_of(f"direct_vs_stubber/{r['case']}"),
            ]
            for r in record["direct"]["results"]
        ]
        lines += [
            "",
            f"2. direct mode vs botocore's Stubber at {record['direct']['secrets']:,} secrets "
            f"(target: direct / (add_response + call) <= {LIMITS['direct']:.2f}; a Stubber answers one "
            "call per add_response, so that pair is what a stubbed call costs. /stubber: responses "
            "queued before the timer, shown for reference)",
            format_table(
                [
                    "call",
                    "direct µs",
                    "stubber µs",
                    "stub+add µs",
                    "floor µs",
                    "direct/stubber",
                    "pair",
                    "cpu",
                    "/stub+add",
                    "/floor",
                    "",
                ],
                rows,
            ),
        ]
    lines += _fixed_costs(record, verdict_of)
    if record.get("moto", {}).get("available"):
        lines += _moto_report(record)
    elif "moto" in record:
        lines += ["", "5. moto: not installed, skipped"]
    lines += ["", *target_summary(checked, failed_only=True)]
    return "\n".join(lines)


def _fixed_costs(record: dict[str, Any], verdict_of: Any) -> list[str]:
    moto = record.get("moto", {}) if record.get("moto", {}).get("available") else {}
    rows: list[list[str]] = []
    if "per_test" in record:
        rows.append(
            [
                "per test: activation + client + create + get",
                f"{record['per_test']['per_test']['median_us'] / 1000:.2f} ms",
                f"{moto['per_test']['median_us'] / 1000:.2f} ms" if "per_test" in moto else "",
                "< 10 ms",
                verdict_of("per_test_under_10ms"),
            ]
        )
        rows.append(
            [
                "  of which boto3.client() alone",
                f"{record['per_test']['client_creation']['median_us'] / 1000:.2f} ms",
                "",
                "",
                "",
            ]
        )
    if "activation" in record:
        rows.append(
            [
                "activation: enter + exit",
                f"{record['activation']['activation']['median_us']:.1f} µs",
                f"{moto['activation']['median_us']:.1f} µs" if "activation" in moto else "",
                "< 200 µs",
                verdict_of("activation_under_0.2ms"),
            ]
        )
    if "memory" in record:
        m = record["memory"]
        moto_bytes = moto.get("memory", {}).get("bytes_per_secret")
        rows += [
            [
                "memory per secret beyond its value (+ index)",
                f"{m['secret_bytes_beyond_value']:.0f} B",
                f"{moto_bytes:.0f} B (value incl.)" if moto_bytes is not None else "",
                "< 2048 B",
                verdict_of("memory_under_2KiB_per_secret"),
            ],
            [
                "  store / listing index / value payload",
                f"{m['store_bytes_per_secret']:.0f} / {m['index_bytes_per_secret']:.0f} / "
                f"{m['value_payload_bytes']:.0f} B",
                "",
                "",
                "",
            ],
            ["memory per extra version beyond its value", f"{m['version_bytes_beyond_value']:.0f} B", "", "", ""],
            ["call log per record", f"{m['call_log_bytes_per_record']:.0f} B", "", "", ""],
        ]
    if not rows:
        return []
    return ["", "3-4. fixed costs and memory", format_table(["figure", "sm_mock", "moto", "target", ""], rows)]


def _moto_report(record: dict[str, Any]) -> list[str]:
    ours = {(r["secrets"], r["case"]): r for population in record.get("calls", []) for r in population["results"]}
    rows = []
    notes = []
    for population in record["moto"]["calls"]:
        for r in population["results"]:
            mine = ours.get((r["secrets"], r["case"]))
            rows.append(
                [
                    f"{r['secrets']:,}",
                    r["case"],
                    f"{r['moto']['median_us']:.1f}",
                    f"{r['floor']['median_us']:.1f}",
                    f"{r['ratio']:.3f}",
                    f"{mine['mock']['median_us']:.1f}" if mine else "",
                    f"{mine['ratio']:.3f}" if mine else "",
                ]
            )
        notes += [
            f"  moto at {population['secrets']:,}: {case} skipped ({why})"
            for case, why in population["skipped"].items()
        ]
    if record["moto"].get("populations_skipped"):
        sizes = ", ".join(f"{p:,}" for p in record["moto"]["populations_skipped"])
        notes.append(f"  moto not timed at {sizes} secrets: {record['moto']['why_skipped']}")
    return [
        "",
        f"5. moto {record['moto'].get('version')} per call vs its own floor (sm_mock's figures from table 1)",
        format_table(["secrets", "call", "moto µs", "floor µs", "moto ratio", "sm_mock µs", "sm_mock ratio"], rows),
        *notes,
    ]


# ---- command line ------------------------------------------------------------------------------
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Every sm_mock performance figure of issue 8: a table, a JSON record and the targets.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke run (under a minute): fewer rounds, 100 and 1,000 secrets"
    )
    parser.add_argument(
        "--secrets", help="population sizes for the per-call figures (default 100,10k,500k; quick 100,1k)"
    )
    parser.add_argument(
        "--moto-secrets", help="population sizes for moto's per-call figures (default 100,10k; quick 100)"
    )
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"subset of {','.join(SECTIONS)}")
    parser.add_argument("--no-moto", action="store_true", help="skip moto even when it is installed")
    parser.add_argument("--rounds", type=int, help="interleaved rounds of every sm_mock figure")
    parser.add_argument("--calls", type=int, help="point calls per contender per round (pages: a tenth)")
    parser.add_argument("--json", default=str(DEFAULT_JSON), help=f"JSON record path (default {DEFAULT_JSON})")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target fails")
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    """The settings a command line asks for."""
    settings = QUICK if args.quick else FULL
    sections = parse_choices(args.sections, SECTIONS, "section")
    if args.no_moto:
        sections = tuple(s for s in sections if s != "moto")
    changes: dict[str, Any] = {"sections": tuple(s for s in SECTIONS if s in sections)}
    if args.secrets:
        changes["populations"] = tuple(parse_sizes(args.secrets))
    if args.moto_secrets:
        changes["moto_populations"] = tuple(parse_sizes(args.moto_secrets))
    if args.rounds is not None or args.calls is not None:
        if (args.rounds is not None and args.rounds < 1) or (args.calls is not None and args.calls < 1):
            raise SystemExit("--rounds and --calls must be at least 1")
        for name in ("point", "page", "tests", "activations"):
            timing: Timing = getattr(settings, name)
            calls = timing.calls
            if args.calls is not None:
                calls = args.calls if name == "point" else max(1, args.calls // 10)
            changes[name] = Timing(args.rounds or timing.rounds, calls, min(timing.warmup, calls))
    return replace(settings, **changes)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    args = _parser().parse_args(None if argv is None else list(argv))
    settings = settings_from(args)
    record = run(settings)
    checked = targets(record)
    record["targets"] = [t.to_json() for t in checked]
    record["passed"] = all(t.passed for t in checked)
    print(report(record, checked))
    return finish(record, args.json, args.check)


if __name__ == "__main__":
    raise SystemExit(main())
