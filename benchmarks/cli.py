"""``python -m benchmarks``: every performance figure of sm_mock, its targets, and a JSON record.

    python -m benchmarks                        # every figure but instructions, about 3 minutes
    python -m benchmarks --quick                # smoke run, well under a minute
    python -m benchmarks --sections calls,direct --secrets 100,10k --check
    python -m benchmarks --sections instructions   # callgrind counts (valgrind), about 3 minutes

Exit status 0 (it is a report) unless ``--check`` is given and a target fails.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from . import aio, checker, sections
from . import instructions as counting
from . import server as serving
from .harness import RESULTS_DIR, Settings, Target, Timing, format_table, log, machine_info, parse_sizes, table

#: Every section, in the order they run: moto last (its import changes later botocore sessions).
SECTIONS: dict[str, Callable[[Settings], Any]] = {
    "calls": sections.calls,
    "direct": sections.direct,
    "per-test": sections.per_test,
    "activation": sections.activation,
    "memory": sections.memory,
    "async": aio.section,
    "instructions": counting.section,
    "checker": checker.section,
    "server": serving.section,
    "moto": sections.moto,
}
#: What runs without ``--sections``: all but the callgrind counts (minutes of their own) and the
#: rotation checker (it needs Hypothesis, and measures a testing tool, not the mock's calls).
DEFAULT_SECTIONS = tuple(name for name in SECTIONS if name not in ("instructions", "checker"))
LIMITS = {
    "point": 1.05,  # a point call costs at most 5% more than the botocore floor
    "page": 1.10,  # a list page (or a batch read) at most 10% more
    "share": 0.15,  # the mock's own share of a ListSecrets page (CPU time) under 15%
    "scale": 1.20,  # the mock's own cost of a page at N secrets at most 1.2x that at the smallest N
    "direct": 1.30,  # direct mode at most 1.3x botocore's Stubber (add_response + call)
    "async_point": 1.15,  # an aiobotocore point call at most 1.15x the aiobotocore floor (issue 15)
    "per_test": 10_000.0,  # µs
    "fixture_test": 2_000.0,  # µs: a test with the sm_client fixture's reused client
    "activation": 200.0,  # µs
    "server": 2.0,  # sm_mock's server answers at least twice moto's requests per second
    # and under 2 KiB of memory per secret beyond its value
}
FULL = Settings(sections=DEFAULT_SECTIONS)
QUICK = Settings(
    populations=(100, 1_000),
    point=Timing(5, 40, 10),
    page=Timing(3, 5, 2),
    tests=Timing(3, 5, 2),
    memory_secrets=1_000,
    moto_populations=(100,),
    moto_point=Timing(3, 20, 5),
    moto_page=Timing(3, 3, 1),
    moto_tests=Timing(3, 2, 1),
    moto_memory_secrets=200,
    instruction_calls=10,
    server_clients=(2,),
    server_calls=30,
    server_rounds=1,
    server_warmup_rounds=0,
    server_secrets=20,
    sections=DEFAULT_SECTIONS,
    quick=True,
)


def run(settings: Settings) -> dict[str, Any]:
    """Take the figures of ``settings.sections``; returns the JSON record (without targets)."""
    clock = time.perf_counter()
    record: dict[str, Any] = {"benchmark": "sm_mock", "schema": 2}
    record["started_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    record |= {"command": " ".join([Path(sys.executable).name, *sys.argv]), "machine": machine_info()}
    record["settings"] = asdict(settings) | {"method": "interleaved rounds, order reversed every other round"}
    for name in settings.sections:
        log(f"{name}:")
        record[name.replace("-", "_")] = SECTIONS[name](settings)
        gc.collect()
    record["duration_s"] = round(time.perf_counter() - clock, 2)
    return record


def _judge(out: list[Target], row: dict[str, Any], key: str, *target: Any) -> None:
    out.append(Target(*target))
    row[key] = "PASS" if out[-1].passed else "FAIL"


def targets(record: dict[str, Any]) -> list[Target]:
    """The targets, judged on the medians in ``record`` (wall-clock ratios; CPU time for a page's
    share and scale). Each judged row of the record gets its verdict (``verdict``, ...)."""
    out: list[Target] = []
    for r in (r for population in record.get("calls", []) for r in population["results"]):
        limit, at = LIMITS[r["kind"]], f"{r['case']}/{r['secrets']}"
        text = f"{r['case']} at {r['secrets']:,} secrets costs at most {limit:.2f}x the botocore floor"
        _judge(out, r, "verdict", f"{r['kind']}_within_{limit - 1:.0%}_of_floor/{at}", text, r["ratio"], limit)
        if "share_cpu" in r:
            text = "(mock - floor) / floor of a ListSecrets page, CPU time, median of per-round ratios"
            _judge(out, r, "share_verdict", f"page_share_under_15%/{at}", text, r["share_cpu"], LIMITS["share"])
        if "scale_cpu" in r:
            ref = r["reference_secrets"]
            text = f"the mock's own CPU time for the page here over at {ref:,} secrets, median of per-round ratios"
            _judge(out, r, "scale_verdict", f"page_scale/{at}_vs_{ref}", text, r["scale_cpu"], LIMITS["scale"])
    for r in record.get("direct", {}).get("results", []):
        name, text = f"direct_vs_stubber/{r['case']}", "direct mode / (Stubber add_response + call)"
        _judge(out, r, "verdict", name, text, r["ratio_with_add_response"], LIMITS["direct"])
    for r in record.get("async", {}).get("results", []):
        limit = LIMITS["async_point"]
        text = f"aiobotocore {r['case']} costs at most {limit:.2f}x the aiobotocore floor"
        _judge(out, r, "verdict", f"async_within_{limit - 1:.0%}_of_floor/{r['case']}", text, r["ratio"], limit)
    for key, name, text in (
        ("per_test", "per_test_under_10ms", "activation + boto3 client + create + get, median µs"),
        ("activation", "activation_under_0.2ms", "mock_secretsmanager() enter + exit, median µs"),
    ):
        if key in record:
            _judge(out, record[key], "verdict", name, text, record[key][key]["median_us"], LIMITS[key])
    if "fixture_test" in record.get("per_test", {}):
        text = "activation + sm.client() (reused) + create + get, median µs"
        row = record["per_test"]
        _judge(
            out,
            row,
            "fixture_verdict",
            "fixture_test_under_2ms",
            text,
            row["fixture_test"]["median_us"],
            LIMITS["fixture_test"],
        )
    for row in record.get("server", {}).get("results", []):
        if "throughput_ratio" in row:
            name = f"server_throughput_2x_moto/{row['clients']}_clients"
            text = "GetSecretValue requests/s over HTTP, sm_mock's server / moto's ThreadedMotoServer"
            # Judged as moto / sm_mock <= 0.5, so that the lower-is-better Target applies.
            _judge(out, row, "verdict", name, text, 1 / row["throughput_ratio"], 1 / LIMITS["server"])
    if "memory" in record:
        name, text = "memory_under_2KiB_per_secret", "tracemalloc bytes per secret (store + index) beyond its value"
        _judge(out, record["memory"], "verdict", name, text, record["memory"]["secret_bytes_beyond_value"], 2048)
    for row in record.get("instructions", {}).get("results", []):
        limit, op = LIMITS[row["kind"]], row["operation"]
        text = f"mock instructions per call <= {limit}x the floor's (informative: time is what is judged)"
        _judge(out, row, "verdict", f"instructions/mock_vs_floor/{op}", text, row["instruction_ratio"], limit)
        if "direct_instruction_ratio" in row:
            name, text = f"instructions/direct_vs_stubber/{op}", "direct-mode instructions / Stubber + add_response"
            _judge(out, row, "direct_verdict", name, text, row["direct_instruction_ratio"], LIMITS["direct"])
    return out


_US, _RATIOS = "{0[median_us]:.1f}", {"ratio": "{ratio:.3f}", "pair": "{pair_ratio:.3f}", "cpu": "{cpu_ratio:.3f}"}
_CALLS = {"secrets": "{secrets:,}", "call": "{case}", "mock µs": "{mock[median_us]:.1f}"}
_CALLS |= {"floor µs": "{floor[median_us]:.1f}", **_RATIOS, "overhead µs": "{overhead_us:+.1f}", "": "{verdict}"}
_PAGES = {"secrets": "{secrets:,}", "page": "{case}", "share cpu": "{share_cpu:+.1%}", "wall": "{share_wall:+.1%}"}
_PAGES |= {"< 15%": "{share_verdict}", "own/floor": "{own_over_floor_cpu:.1%}", "scale cpu": "{scale_cpu:.3f}"}
_PAGES |= {"wall ": "{scale_wall:.3f}", "<= 1.2": "{scale_verdict}"}
_DIRECT = {"call": "{case}", "direct µs": "{direct[median_us]:.1f}", "stubber µs": "{stubber[median_us]:.1f}"}
_DIRECT |= {"stub+add µs": "{stubber+add[median_us]:.1f}", "floor µs": "{floor[median_us]:.1f}", **_RATIOS}
_DIRECT |= {"/stub+add": "{ratio_with_add_response:.3f}", "/floor": "{ratio_to_floor:.3f}", "": "{verdict}"}
_MOTO = {
    "secrets": "{secrets:,}",
    "call": "{case}",
    "moto µs": "{moto[median_us]:.1f}",
    "floor µs": "{floor[median_us]:.1f}",
}
_MOTO |= {
    "moto ratio": "{ratio:.3f}",
    "sm_mock µs": "{ours[mock][median_us]:.1f}",
    "sm_mock ratio": "{ours[ratio]:.3f}",
}
_FIXED = ("figure", "sm_mock", "moto", "target", "")
_SERVER = {"clients": "{clients}", "sm_mock req/s": "{sm_mock[requests_per_s]:.0f}"}
_SERVER |= {
    "p50 ms": "{sm_mock[p50_ms]:.2f}",
    "p99 ms": "{sm_mock[p99_ms]:.2f}",
    "moto req/s": "{moto[requests_per_s]:.0f}",
}
_SERVER |= {"moto p50": "{moto[p50_ms]:.2f}", "moto p99": "{moto[p99_ms]:.2f}", "x moto": "{throughput_ratio:.2f}"}
_SERVER |= {
    ">= 2x": "{verdict}",
    "cpu µs/req": "{sm_mock[server_cpu_us]:.0f}",
    "moto cpu µs": "{moto[server_cpu_us]:.0f}",
}


def report(record: dict[str, Any], checked: Sequence[Target]) -> str:
    """The printed tables, one per section, then the failed targets (:func:`targets` first)."""
    m, calls = record["machine"], [r for population in record.get("calls", []) for r in population["results"]]
    lines = [
        f"sm_mock benchmarks — Python {m['python']}, botocore {m['botocore']}, {m['cpu_count']} CPUs "
        f"({m['cpu_model']}), load {m['loadavg']}",
        "medians over interleaved rounds; ratio = median / median, pair = median of per-round "
        "ratios, cpu = the same on thread CPU time",
    ]
    if calls:
        lines += ["", "1. per call, sm_mock (HTTP transport) vs the botocore floor", table(calls, _CALLS), ""]
        lines += [
            "1b. ListSecrets pages (medians of per-round ratios): share = (mock - floor) / floor; own = the mock's "
            f"before-send stage alone; scale = own here / own at {min(r['secrets'] for r in calls):,} secrets",
            table([r for r in calls if "share_cpu" in r], _PAGES),
        ]
    if "direct" in record:
        lines += [
            "",
            f"2. direct mode vs botocore's Stubber at {record['direct']['secrets']:,} secrets (ratio: responses queued "
            f"before the timer; target: direct / (add_response + call) <= {LIMITS['direct']})",
            table(record["direct"]["results"], _DIRECT),
        ]
    moto = record["moto"] if record.get("moto", {}).get("available") else {}
    fixed: list[list[str]] = []
    if "per_test" in record:
        test, moto_ms = record["per_test"], f"{moto['per_test']['median_us'] / 1000:.2f} ms" if moto else ""
        value, verdict = f"{test['per_test']['median_us'] / 1000:.2f} ms", test["verdict"]
        fixed.append(["per test: activation + client + create + get", value, moto_ms, "< 10 ms", verdict])
        fixed.append(["  of which boto3.client() alone", f"{test['client_creation']['median_us'] / 1000:.2f} ms"])
        if "fixture_test" in test:
            value = f"{test['fixture_test']['median_us'] / 1000:.2f} ms"
            fixed.append(["per test with sm_client (reused client)", value, "", "< 2 ms", test["fixture_verdict"]])
            stub = f"{test['stubber_test']['median_us'] / 1000:.2f} ms"
            ratio = test["fixture_vs_stubber"]["ratio"]
            fixed.append(["  the same test with a Stubber", stub, f"(sm_mock {ratio:.2f}x)"])
    if "activation" in record:
        moto_us = f"{moto['activation']['median_us']:.1f} µs" if moto else ""
        value, verdict = f"{record['activation']['activation']['median_us']:.1f} µs", record["activation"]["verdict"]
        fixed.append(["activation: enter + exit", value, moto_us, "< 200 µs", verdict])
    if "memory" in record:
        mem, moto_bytes = record["memory"], f"{moto['memory']['bytes_per_secret']:.0f} B (value incl.)" if moto else ""
        value = f"{mem['secret_bytes_beyond_value']:.0f} B"
        fixed.append(["memory per secret beyond its value", value, moto_bytes, "< 2048 B", mem["verdict"]])
        value = "{store_bytes_per_secret:.0f} / {index_bytes_per_secret:.0f} / {value_payload_bytes} B".format_map(mem)
        fixed.append(["  store / listing index / value payload", value])
        fixed.append(["memory per extra version beyond its value", f"{mem['version_bytes_beyond_value']:.0f} B"])
        fixed.append(["call log per record", f"{mem['call_log_bytes_per_record']:.0f} B"])
    if fixed:
        lines += [
            "",
            "3-4. fixed costs and memory",
            format_table(_FIXED, [row + [""] * (5 - len(row)) for row in fixed]),
        ]
    if moto:
        ours = {(r["secrets"], r["case"]): r for r in calls}
        missing = {"mock": {"median_us": float("nan")}, "ratio": float("nan")}  # the calls section did not run
        rows = [r | {"ours": ours.get((r["secrets"], r["case"]), missing)} for p in moto["calls"] for r in p["results"]]
        lines += [
            "",
            f"5. moto {moto['version']} per call vs its own floor (sm_mock's from table 1)",
            table(rows, _MOTO),
        ]
        lines += [
            f"  at {p['secrets']:,}: {c} skipped ({why})" for p in moto["calls"] for c, why in p["skipped"].items()
        ]
    elif "moto" in record:
        lines += ["", "5. moto: not installed, skipped"]
    if "server" in record:
        served = record["server"]
        lines += [
            "",
            f"7. server mode: GetSecretValue over HTTP from concurrent boto3 client processes ({served['secrets']} "
            f"secrets, {served['calls_per_client']} calls per client per round), sm_mock's server"
            + (f" beside moto {served['moto_version']}'s ThreadedMotoServer" if "moto_version" in served else ""),
            table(served["results"], _SERVER),
        ]
    if record.get("async", {}).get("available"):
        lines += [
            "",
            f"8. async clients: aiobotocore {record['async']['aiobotocore']} through sm_mock vs the aiobotocore floor "
            f"(target <= {LIMITS['async_point']})",
            table(record["async"]["results"], _CALLS),
        ]
    elif "async" in record:
        lines += ["", "8. async clients: aiobotocore is not installed, skipped"]
    if record.get("instructions", {}).get("available"):
        lines += counting.report(record["instructions"])
    elif "instructions" in record:
        lines += ["", "6. instructions: skipped, valgrind is not on PATH"]
    if "checker" in record:
        lines += checker.report(record["checker"])
    failed = [t for t in checked if not t.passed]
    lines += ["", f"targets: {len(checked) - len(failed)}/{len(checked)} PASS"]
    return "\n".join([*lines, *(f"  FAIL {t.name}: {t.value:.4g} (limit {t.limit:g})" for t in failed)])


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description="Every sm_mock performance figure.")
    add = parser.add_argument
    add("--quick", action="store_true", help="smoke run: 100 and 1,000 secrets, few rounds")
    add(
        "--sections",
        default=",".join(DEFAULT_SECTIONS),
        help=f"subset of {','.join(SECTIONS)}, or all (default: all but instructions)",
    )
    add("--secrets", help="populations of the per-call figures (default 100,10k,500k; quick 100,1k)")
    add("--moto-secrets", help="populations of moto's per-call figures (default 100,10k; quick 100)")
    add("--no-moto", action="store_true", help="skip moto even when it is installed")
    add("--rounds", type=int, help="interleaved rounds of every timed figure")
    add("--calls", type=int, help="point calls per contender per round (pages: a tenth; instructions: per child)")
    add("--json", default=str(RESULTS_DIR / "run.json"), help="JSON record path (default benchmarks/results/run.json)")
    add("--check", action="store_true", help="exit 1 when a target fails")
    add("--instructions-child", help=argparse.SUPPRESS)
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    """The settings a command line asks for."""
    settings = QUICK if args.quick else FULL
    chosen = [name.strip() for name in args.sections.split(",") if name.strip()]
    chosen = list(SECTIONS) if chosen == ["all"] else chosen
    if not chosen or set(chosen) - set(SECTIONS):
        raise SystemExit(f"unknown section(s) in {args.sections!r}; choose from {', '.join(SECTIONS)} or all")
    changes: dict[str, Any] = {
        "sections": tuple(n for n in SECTIONS if n in chosen and not (args.no_moto and n == "moto"))
    }
    if args.no_moto:
        changes["server_moto"] = False
    if args.secrets:
        changes["populations"] = parse_sizes(args.secrets)
    if args.moto_secrets:
        changes["moto_populations"] = parse_sizes(args.moto_secrets)
    if any(value is not None and value < 1 for value in (args.rounds, args.calls)):
        raise SystemExit("--rounds and --calls must be at least 1")
    for name in ("point", "page", "tests") if args.rounds or args.calls else ():
        timing: Timing = getattr(settings, name)
        calls = (
            args.calls if args.calls and name == "point" else max(1, args.calls // 10) if args.calls else timing.calls
        )
        changes[name] = Timing(args.rounds or timing.rounds, calls, min(timing.warmup, calls))
    return replace(settings, **changes, instruction_calls=args.calls or settings.instruction_calls)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    args = _parser().parse_args(None if argv is None else list(argv))
    if args.instructions_child:
        counting.child(args.instructions_child, args.calls or 10)
        return 0
    record = run(settings_from(args))
    checked = targets(record)
    record["targets"] = [t.to_json() for t in checked]
    record["passed"] = all(t.passed for t in checked)
    print(report(record, checked))
    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"\nJSON record: {path}")
    return 1 if args.check and not record["passed"] else 0
