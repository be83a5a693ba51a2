"""Instruction counts under callgrind: the noise-free view of sm_mock's cost per call.

Wall-clock ratios on a shared 2-vCPU machine move by ±10% between runs, which is more than the
margins the targets set. This command counts what the CPU has to do instead, with valgrind's
``callgrind`` tool: the same number for the same code, whatever else the machine is doing.

One child process per operation, run under callgrind, times nothing; it seeds a mock, builds
the clients of :mod:`benchmarks.figures` (mock, floor, and for the direct-mode cases a
direct-mode mock and botocore's ``Stubber``), warms each up, then makes ``--calls`` calls per
contender. Each contender's calls are bracketed by ``os.getppid()`` and ``os.getpgrp()``:
callgrind zeroes its counters at the first (``--zero-before=getppid``) and writes them out at
the second (``--dump-before=getpgrp``), so every dump holds exactly one contender's calls,
side by side in one process run.

Reported per call, for each contender: instructions executed, first-level cache misses
(instruction + data, 32 KiB each), misses of a simulated 512 KiB second level, and an estimate
of cycles from them. The estimate's weights were fitted to this project's wall-clock medians on
a 2-vCPU AMD EPYC VM (see benchmarks/README.md): 0.3 cycles per instruction (the core retires
about three per cycle), 3 per first-level miss (mostly hidden by out-of-order execution) and
40 per second-level miss. With them the cycle ratio tracks the measured wall-clock ratio within
a few percent, while instructions alone understate it: the mock's code and data push
botocore's out of the second level (envelope decryption, whose AES-GCM machine code botocore
never runs, is about a third of those misses on a read).

``--ablate`` also counts the mock with one part taken out (decryption, encoding) and a minimal
GetSecretValue answer, to show what each part costs (:data:`ABLATIONS`).

    python -m benchmarks.instructions                     # every operation, 100 secrets (~3 min)
    python -m benchmarks.instructions --operations GetSecretValue --calls 50
    python -m benchmarks.instructions --ablate

Without valgrind on PATH the command says so and exits 0 (it is optional, like moto).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sm_mock import hook, service
from sm_mock.calls import CallRecord
from sm_mock.model import store
from sm_mock.model.store import RegionStore
from sm_mock.operations import entries
from sm_mock.protocol import decode_request, encode_result

from .common import (
    RESULTS_DIR,
    SECRET_VALUE,
    Target,
    finish,
    format_table,
    machine_info,
    parse_choices,
    python_command,
    target_summary,
)
from .figures import CALL_CASES
from .run import LIMITS as RUN_LIMITS

__all__ = ["Counts", "main", "parse_dump"]

DEFAULT_JSON = RESULTS_DIR / "instructions.json"
#: What each operation is compared with: the floor always; direct mode with the Stubber too.
#: With ``--ablate``, ABLATIONS are counted as well (see :func:`_ablation`).
CONTENDERS = {
    "GetSecretValue": ("mock", "floor", "direct", "stubber+add"),
    "DescribeSecret": ("mock", "floor", "direct", "stubber+add"),
    "PutSecretValue": ("mock", "floor", "direct", "stubber+add"),
    "ListSecrets": ("mock", "floor", "direct", "stubber+add"),
    "BatchGetSecretValue": ("mock", "floor"),
}
#: The mock again with one part taken out, to see what that part costs (``--ablate``):
#: ``mock-crypto`` answers with the value without decrypting it, ``mock-encode`` sends the
#: floor's bytes instead of encoding the answer, ``minimal`` answers GetSecretValue by the least work an HTTP
#: answer needs (decode the body, look the secret up, decrypt, encode, log the call: no
#: validation, admission, replication or rotation checks), ``minimal-crypto`` the same without
#: decrypting: the least any HTTP-faithful mock could do. ``mock-cold`` lists with a rendered-entry
#: cache that is emptied before every page (:mod:`sm_mock.operations.entries`): every page costs
#: what the first listing of its secrets costs.
ABLATIONS = {
    "GetSecretValue": ("mock-crypto", "mock-encode", "minimal", "minimal-crypto"),
    "ListSecrets": ("mock-encode", "mock-cold"),
}
#: Calls per contender: pages and batches cost ten to twenty point calls each.
CALLS = {"ListSecrets": 10, "BatchGetSecretValue": 20}
#: Issue 8's limits (those of ``python -m benchmarks``), applied to the instruction ratio:
#: informative, the targets are judged on wall-clock time there.
LIMITS = {kind: RUN_LIMITS[kind] for kind in ("point", "page", "direct")}
_CACHES = ("--I1=32768,8,64", "--D1=32768,8,64", "--LL=524288,8,64")
#: The cycle model (fitted, see the module docstring): cycles per instruction and per miss.
INSTRUCTION_CYCLES = 0.3
L1_MISS_CYCLES = 3
L2_MISS_CYCLES = 40


@dataclass(frozen=True, slots=True)
class Counts:
    """callgrind's totals for one contender's calls, per call."""

    instructions: float
    l1_misses: float
    l2_misses: float

    @property
    def cycles(self) -> float:
        """Estimated cycles: the model stated in the module docstring."""
        misses = L1_MISS_CYCLES * self.l1_misses + L2_MISS_CYCLES * self.l2_misses
        return INSTRUCTION_CYCLES * self.instructions + misses

    def to_json(self) -> dict[str, float]:
        """JSON-ready, rounded to whole events."""
        return {
            "instructions": round(self.instructions),
            "l1_misses": round(self.l1_misses),
            "l2_misses": round(self.l2_misses),
            "est_cycles": round(self.cycles),
        }


def contenders(operation: str, ablate: bool) -> tuple[str, ...]:
    """The contenders counted for ``operation``, in the order the child runs them."""
    return CONTENDERS[operation] + (ABLATIONS.get(operation, ()) if ablate else ())


def parse_dump(text: str, calls: int) -> Counts:
    """Per-call counts from one callgrind dump (its ``events:`` and ``summary:``/``totals:`` lines)."""
    events = re.search(r"^events:\s*(.+)$", text, re.M)
    totals = re.search(r"^(?:summary|totals):\s*(.+)$", text, re.M)
    if events is None or totals is None:
        raise ValueError("not a callgrind dump: no events/summary line")
    values: dict[str, int] = dict(zip(events.group(1).split(), map(int, totals.group(1).split()), strict=True))

    def total(*names: str) -> float:
        return sum(values.get(name, 0) for name in names) / calls

    return Counts(total("Ir"), total("I1mr", "D1mr", "D1mw"), total("ILmr", "DLmr", "DLmw"))


# ---- the child: one operation, contenders bracketed for callgrind ---------------------------------
@contextmanager
def _ablation(name: str, canned: bytes) -> Iterator[None]:
    """Take one part out of the mock while its calls are counted (module attributes patched and
    restored; only this benchmark child ever does this)."""

    patches: list[tuple[Any, str, Any]] = []
    if name in ("mock-crypto", "minimal-crypto"):
        patches.append((store, "open_envelope", lambda envelope, keys, arn, version_id: SECRET_VALUE.encode()))
    if name == "mock-encode":
        patches.append((service, "encode_result", lambda result: canned))
    if name in ("minimal", "minimal-crypto"):
        patches.append((hook, "serve", _minimal_get_secret_value))
    if name == "mock-cold":
        patches.append((hook, "serve", _forgetting(hook.serve)))
    saved = [(module, attr, getattr(module, attr)) for module, attr, _ in patches]
    for module, attr, value in patches:
        setattr(module, attr, value)
    try:
        yield
    finally:
        for module, attr, value in saved:
            setattr(module, attr, value)


def _forgetting(serve: Any) -> Any:
    """``serve`` with the rendered ListSecrets entries forgotten before every request (the
    ``mock-cold`` ablation: each page costs what the first listing of its secrets costs)."""

    def serve_cold(*args: Any, **kwargs: Any) -> Any:
        entries.clear()
        return serve(*args, **kwargs)

    return serve_cold


def _minimal_get_secret_value(
    mock: Any, operation: str, body: bytes, region: str, account_id: str, attempt: int = 1
) -> tuple[int, bytes]:
    """GetSecretValue by the least work an HTTP answer needs (the ``minimal`` ablation)."""
    raw = decode_request(body)
    now = mock.clock.now()
    region_store = mock.backend.store(account_id, region)
    with region_store.lock:
        secret = region_store.lookup(raw["SecretId"], now)
        version_id = secret.stages["AWSCURRENT"]
        version = secret.versions[version_id]
        answer = {
            "ARN": secret.arn,
            "Name": secret.name,
            "VersionId": version_id,
            "SecretString": RegionStore.read(secret, version).decode(),
            "VersionStages": secret.labels_of(version_id),
            "CreatedDate": version.created,
        }
    mock.calls.append(CallRecord(operation, raw, region, account_id, None, now, attempt=attempt))
    return 200, encode_result(answer)


def _child(operation: str, calls: int, population: int, ablate: bool) -> None:  # runs under valgrind
    from botocore import xform_name

    from sm_mock import mock_secretsmanager

    from .common import CannedFloor, capture_answer, cycle_calls, new_session, suspended
    from .figures import call_arguments, fast_seed

    method = xform_name(operation)
    session = new_session()
    wanted = CONTENDERS[operation]
    ablations = ABLATIONS.get(operation, ()) if ablate else ()

    def measured(batch: Any) -> None:
        batch(10)  # warm-up, outside the bracket
        os.getppid()  # callgrind: zero the counters
        batch(calls)
        os.getpgrp()  # callgrind: dump them

    with mock_secretsmanager() as sm:
        arguments = call_arguments(operation, fast_seed(sm, population))
        mock_client = session.client("secretsmanager")
        floor = CannedFloor(session)
        floor.answers[operation] = capture_answer(mock_client, operation, arguments[0])
        measured(cycle_calls(getattr(mock_client, method), arguments))
        with suspended(sm):
            measured(cycle_calls(getattr(floor.client, method), arguments))
    if "direct" in wanted:
        _direct_and_stubber(operation, method, calls, population, measured)
    if ablations:
        with mock_secretsmanager() as sm:
            arguments = call_arguments(operation, fast_seed(sm, population))
            mock_client = session.client("secretsmanager")
            canned = capture_answer(mock_client, operation, arguments[0]).body
            for name in ablations:
                with _ablation(name, canned):
                    measured(cycle_calls(getattr(mock_client, method), arguments))


def _direct_and_stubber(operation: str, method: str, calls: int, population: int, measured: Any) -> None:
    from botocore.stub import Stubber

    from sm_mock import mock_secretsmanager

    from .common import cycle_calls, new_session, suspended
    from .figures import call_arguments, fast_seed

    session = new_session()
    with mock_secretsmanager(transport="direct") as sm:
        arguments = call_arguments(operation, fast_seed(sm, population))
        direct_client = session.client("secretsmanager")
        response = getattr(direct_client, method)(**arguments[0])
        response.pop("ResponseMetadata")
        measured(cycle_calls(getattr(direct_client, method), arguments))
        adding = session.client("secretsmanager")
        stubber = Stubber(adding)
        stubber.activate()
        call = cycle_calls(getattr(adding, method), arguments)

        def with_setup(n: int) -> None:  # as a Stubber test is written: one add_response per call
            for _ in range(n):
                stubber.add_response(method, response)
                call(1)

        with suspended(sm):
            measured(with_setup)
        stubber.deactivate()


def _run_child(
    operation: str, calls: int, population: int, valgrind: str, workdir: Path, ablate: bool = False
) -> dict[str, Counts]:
    out = workdir / operation
    out.mkdir(parents=True, exist_ok=True)
    command = [
        valgrind,
        "--tool=callgrind",
        "--cache-sim=yes",
        *_CACHES,
        "--zero-before=getppid",
        "--dump-before=getpgrp",
        f"--callgrind-out-file={out / 'dump'}",
        sys.executable,
        "-m",
        "benchmarks.instructions",
        "--child",
        operation,
        "--calls",
        str(calls),
        "--secrets",
        str(population),
        *(["--ablate"] if ablate else []),
    ]
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"callgrind run of {operation} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    dumps = sorted(out.glob("dump.*"), key=lambda path: int(path.suffix[1:]))
    names = contenders(operation, ablate)
    if len(dumps) != len(names):
        raise RuntimeError(f"{operation}: expected {len(names)} callgrind dumps, found {len(dumps)}")
    return {name: parse_dump(path.read_text(), calls) for name, path in zip(names, dumps, strict=True)}


#: "point" or "page", as the wall-clock benchmark classifies each operation's target.
_KIND = {case.operation: case.kind for case in CALL_CASES}


def run(operations: Sequence[str], calls: int, population: int, valgrind: str, ablate: bool = False) -> dict[str, Any]:
    """Count every operation (two children at a time) and build the JSON record."""
    rows: list[dict[str, Any]] = []
    targets: list[Target] = []
    with tempfile.TemporaryDirectory(prefix="sm_mock_callgrind_") as tmp, ThreadPoolExecutor(2) as pool:
        futures = {
            op: pool.submit(_run_child, op, CALLS.get(op, calls), population, valgrind, Path(tmp), ablate)
            for op in operations
        }
        for operation in operations:
            counts = futures[operation].result()
            mock, floor = counts["mock"], counts["floor"]
            row: dict[str, Any] = {
                "operation": operation,
                "calls": CALLS.get(operation, calls),
                "counts": {name: c.to_json() for name, c in counts.items()},
                "instruction_ratio": round(mock.instructions / floor.instructions, 4),
                "cycle_ratio": round(mock.cycles / floor.cycles, 4),
                "overhead_instructions": round(mock.instructions - floor.instructions),
            }
            targets.append(
                Target(
                    f"instructions/mock_vs_floor/{operation}",
                    f"mock instructions per call <= {LIMITS[_KIND[operation]]}x the floor's",
                    mock.instructions / floor.instructions,
                    LIMITS[_KIND[operation]],
                )
            )
            if "direct" in counts:
                direct, stub = counts["direct"], counts["stubber+add"]
                row["direct_instruction_ratio"] = round(direct.instructions / stub.instructions, 4)
                row["direct_cycle_ratio"] = round(direct.cycles / stub.cycles, 4)
                targets.append(
                    Target(
                        f"instructions/direct_vs_stubber/{operation}",
                        f"direct-mode instructions per call <= {LIMITS['direct']}x Stubber's (with add_response)",
                        direct.instructions / stub.instructions,
                        LIMITS["direct"],
                    )
                )
            overhead = mock.cycles - floor.cycles
            row["ablations"] = {
                # The share of the mock's own cost (mock - floor, est. cycles) the part accounts for,
                # and what the call would cost against the floor without it.
                name: {
                    "share_of_overhead": round((mock.cycles - counts[name].cycles) / overhead, 4),
                    "cycle_ratio": round(counts[name].cycles / floor.cycles, 4),
                }
                for name in ABLATIONS.get(operation, ())
                if name in counts and overhead > 0
            }
            rows.append(row)
    return {
        "benchmark": "instructions",
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": python_command(),
        "machine": machine_info(),
        "secrets": population,
        "cache_model": {
            "l1": "32 KiB I + 32 KiB D, 8-way",
            "l2": "512 KiB, 8-way",
            "instruction_cycles": INSTRUCTION_CYCLES,
            "l1_miss_cycles": L1_MISS_CYCLES,
            "l2_miss_cycles": L2_MISS_CYCLES,
        },
        "results": rows,
        "targets": [t.to_json() for t in targets],
        "passed": all(t.passed for t in targets),
    }


def report(record: dict[str, Any]) -> str:
    """The printed table: per-call counts and ratios."""
    table: list[list[object]] = []
    for row in record["results"]:
        for name, counts in row["counts"].items():
            table.append(
                [
                    row["operation"],
                    name,
                    f"{counts['instructions']:,}",
                    f"{counts['l1_misses']:,}",
                    f"{counts['l2_misses']:,}",
                    f"{counts['est_cycles']:,}",
                ]
            )
    lines = [
        f"sm_mock instruction counts under callgrind — {record['secrets']} secrets, per call",
        format_table(["operation", "contender", "instructions", "L1 misses", "L2 misses", "est. cycles"], table),
        "",
        format_table(
            ["operation", "mock/floor instr", "mock/floor cycles", "direct/Stubber instr", "direct/Stubber cycles"],
            [
                [
                    row["operation"],
                    f"{row['instruction_ratio']:.3f}",
                    f"{row['cycle_ratio']:.3f}",
                    f"{row['direct_instruction_ratio']:.3f}" if "direct_instruction_ratio" in row else "-",
                    f"{row['direct_cycle_ratio']:.3f}" if "direct_cycle_ratio" in row else "-",
                ]
                for row in record["results"]
            ],
        ),
        *_ablation_lines(record),
        "",
        "on the instruction ratio (informative; issue 8 judges wall-clock time):",
        *target_summary([Target(t["name"], t["description"], t["value"], t["limit"]) for t in record["targets"]]),
    ]
    return "\n".join(lines)


_VARIANTS = {
    "mock-crypto": "no decryption",
    "mock-encode": "no encoding",
    "minimal": "minimal answer",
    "minimal-crypto": "minimal, no decryption",
    "mock-cold": "no rendered entries kept (a first listing)",
}


def _ablation_lines(record: dict[str, Any]) -> list[str]:
    rows = [
        [row["operation"], _VARIANTS[name], f"{part['share_of_overhead']:.0%}", f"{part['cycle_ratio']:.3f}"]
        for row in record["results"]
        for name, part in row.get("ablations", {}).items()
    ]
    if not rows:
        return []
    return [
        "",
        "what the parts cost (--ablate): the mock's own est. cycles the variant saves, and its cycles × floor",
        format_table(["operation", "variant", "saves", "cycles × floor"], rows),
    ]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.instructions", description=__doc__.split("\n\n")[0])
    parser.add_argument("--operations", default=",".join(CONTENDERS), help="comma-separated operations")
    parser.add_argument("--calls", type=int, default=50, help="point calls per contender (pages: 10, batches: 20)")
    parser.add_argument("--secrets", type=int, default=100, help="secrets seeded before counting")
    parser.add_argument("--json", default=str(DEFAULT_JSON), help="where to write the JSON record")
    parser.add_argument("--check", action="store_true", help="exit 1 if an instruction ratio exceeds its limit")
    parser.add_argument(
        "--ablate",
        action="store_true",
        help="also count the mock without its decryption or its encoding, and a minimal answer",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    args = _parser().parse_args(argv)
    if args.child:
        _child(args.child, args.calls, args.secrets, args.ablate)
        return 0
    operations = parse_choices(args.operations, tuple(CONTENDERS), "operation")
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("skipped: valgrind is not on PATH (install it, e.g. apt-get install valgrind, to count instructions)")
        return 0
    record = run(operations, args.calls, args.secrets, valgrind, args.ablate)
    print(report(record))
    return finish(record, args.json, args.check)


if __name__ == "__main__":
    raise SystemExit(main())
