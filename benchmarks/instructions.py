"""Section ``instructions``: the per-call comparisons counted by valgrind's callgrind, not timed:
wall-clock ratios on a shared 2-vCPU machine move by ±10% between runs, more than the targets'
margins, while instruction counts are the same on every run. One child process per operation
runs under ``valgrind --tool=callgrind`` with a cache simulation (32 KiB L1 I and D, 512 KiB L2)
and brackets each contender's calls with ``os.getppid()`` (callgrind zeroes its counters there)
and ``os.getpgrp()`` (it dumps them): one dump per contender, side by side in one process.
Reported per call: instructions, L1 and L2 misses, and cycles estimated as 0.3 per instruction,
3 per L1 and 40 per L2 miss (fitted to wall-clock medians on a 2-vCPU AMD EPYC VM: instructions
alone understate the mock's cost, whose code and data push botocore's out of the caches).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from botocore import xform_name

from sm_mock import mock_secretsmanager

from .harness import Floor, Settings, bare_client, capture, cycle, log, new_session, seed, table
from .sections import CASES, SMALL, arguments

#: Counted contenders per operation, in the order the child runs them.
CONTENDERS = {
    "GetSecretValue": ("mock", "floor", "direct", "stubber+add"),
    "DescribeSecret": ("mock", "floor", "direct", "stubber+add"),
    "PutSecretValue": ("mock", "floor", "direct", "stubber+add"),
    "ListSecrets": ("mock", "floor", "direct", "stubber+add"),
    "BatchGetSecretValue": ("mock", "floor"),
}
#: Pages and batches cost ten to twenty point calls each: fewer of them.
CALLS = {"ListSecrets": 10, "BatchGetSecretValue": 20}
#: The cycle model: cycles per instruction and per miss.
CYCLES = {"instructions": 0.3, "l1_misses": 3, "l2_misses": 40}
_CACHES = ("--I1=32768,8,64", "--D1=32768,8,64", "--LL=524288,8,64")
_CASE = {case.name: case for case in CASES}


def parse_dump(text: str, calls: int) -> dict[str, float]:
    """Per-call counts from one callgrind dump (its ``events:`` and ``summary:``/``totals:`` lines)."""
    events = re.search(r"^events:\s*(.+)$", text, re.M)
    totals = re.search(r"^(?:summary|totals):\s*(.+)$", text, re.M)
    if events is None or totals is None:
        raise ValueError("not a callgrind dump: no events/summary line")
    values = dict(zip(events.group(1).split(), map(int, totals.group(1).split()), strict=True))
    counts = {"instructions": values.get("Ir", 0) / calls}
    counts["l1_misses"] = sum(values.get(name, 0) for name in ("I1mr", "D1mr", "D1mw")) / calls
    counts["l2_misses"] = sum(values.get(name, 0) for name in ("ILmr", "DLmr", "DLmw")) / calls
    counts["est_cycles"] = sum(weight * counts[k] for k, weight in CYCLES.items())
    return counts


def child(operation: str, calls: int, population: int = SMALL) -> None:
    """Make ``calls`` calls per contender of ``operation``, each bracketed for callgrind (this is
    what runs under valgrind; run plainly, it checks that every contender's calls succeed)."""
    from botocore.stub import Stubber

    method, session, case = xform_name(operation), new_session(), _CASE[operation]

    def measured(batch: Callable[[int], object]) -> None:
        batch(10)  # warm-up, outside the bracket
        os.getppid()  # callgrind: zero the counters
        batch(calls)
        os.getpgrp()  # callgrind: dump them

    with mock_secretsmanager() as sm:
        args = arguments(case, seed(sm, population), population)
        client, floor = session.client("secretsmanager"), Floor(session)
        floor.answers[operation] = capture(client, operation, args[0])
        measured(cycle(getattr(client, method), args))
        measured(cycle(getattr(floor.client, method), args))
    if "direct" not in CONTENDERS[operation]:
        return
    with mock_secretsmanager(transport="direct") as sm:
        args = arguments(case, seed(sm, population), population)
        client = session.client("secretsmanager")
        response = getattr(client, method)(**args[0])
        response.pop("ResponseMetadata")
        measured(cycle(getattr(client, method), args))
        adding = bare_client(session)
        call = cycle(getattr(adding, method), args)
        with Stubber(adding) as stubber:

            def with_add(n: int) -> None:  # as a Stubber test is written: one add_response per call
                for _ in range(n):
                    stubber.add_response(method, response)
                    call(1)

            measured(with_add)


def _counted(operation: str, calls: int, valgrind: str, workdir: Path) -> dict[str, dict[str, float]]:
    out = workdir / operation
    out.mkdir(parents=True, exist_ok=True)
    command = [valgrind, "--tool=callgrind", "--cache-sim=yes", *_CACHES, "--zero-before=getppid"]
    command += ["--dump-before=getpgrp", f"--callgrind-out-file={out / 'dump'}", sys.executable, "-m", "benchmarks"]
    command += ["--instructions-child", operation, "--calls", str(calls)]
    root = Path(__file__).absolute().parent.parent
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"callgrind run of {operation} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    dumps = sorted(out.glob("dump.*"), key=lambda path: int(path.suffix[1:]))
    names = CONTENDERS[operation]
    if len(dumps) != len(names):
        raise RuntimeError(f"{operation}: expected {len(names)} callgrind dumps, found {len(dumps)}")
    return {name: parse_dump(path.read_text(), calls) for name, path in zip(names, dumps, strict=True)}


def section(s: Settings) -> dict[str, Any]:
    """Count every operation at :data:`~benchmarks.sections.SMALL` secrets, two children at a time."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        log("  valgrind is not on PATH: skipped")
        return {"available": False}
    with tempfile.TemporaryDirectory(prefix="sm_mock_callgrind_") as tmp, ThreadPoolExecutor(2) as pool:
        calls = {op: CALLS.get(op, s.instruction_calls) for op in CONTENDERS}
        futures = {op: pool.submit(_counted, op, calls[op], valgrind, Path(tmp)) for op in CONTENDERS}
        rows = []
        for operation, future in futures.items():
            counts = future.result()
            row: dict[str, Any] = {"operation": operation, "kind": _CASE[operation].kind, "calls": calls[operation]}
            row["counts"] = {name: {k: round(v) for k, v in c.items()} for name, c in counts.items()}
            for key, subject, reference in (("", "mock", "floor"), ("direct_", "direct", "stubber+add")):
                if subject in counts:
                    ratio = counts[subject]["instructions"] / counts[reference]["instructions"]
                    row[f"{key}instruction_ratio"] = round(ratio, 4)
                    ratio = counts[subject]["est_cycles"] / counts[reference]["est_cycles"]
                    row[f"{key}cycle_ratio"] = round(ratio, 4)
            log(f"    {operation:<20} instructions {row['instruction_ratio']:.3f} x floor")
            rows.append(row)
    return {"available": True, "secrets": SMALL, "cycle_model": CYCLES, "results": rows}


def report(record: dict[str, Any]) -> list[str]:
    """The counts and ratios tables."""
    rows = [
        {"operation": row["operation"], "contender": name, **c}
        for row in record["results"]
        for name, c in row["counts"].items()
    ]
    columns = {"operation": "{operation}", "contender": "{contender}", "instructions": "{instructions:,}"}
    columns |= {"L1 misses": "{l1_misses:,}", "L2 misses": "{l2_misses:,}", "est. cycles": "{est_cycles:,}"}
    ratios = {"operation": "{operation}", "mock/floor instr": "{instruction_ratio:.3f}", "cycles": "{cycle_ratio:.3f}"}
    ratios |= {"": "{verdict}", "direct/Stubber instr": "{direct_instruction_ratio:.3f}"}
    ratios |= {"cycles ": "{direct_cycle_ratio:.3f}", " ": "{direct_verdict}"}
    title = f"6. instruction counts under callgrind at {record['secrets']:,} secrets, per call"
    return ["", title, table(rows, columns), "", table(record["results"], ratios)]
