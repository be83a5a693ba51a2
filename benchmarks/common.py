"""Shared machinery for sm_mock benchmarks.

The building blocks every benchmark script reuses:

- :func:`seed` — fill a mock with *n* secrets (the single place to change when the backend
  grows a bulk-seeding helper).
- :func:`new_session` / :class:`CannedFloor` / :func:`capture_answer` — identical boto3
  clients for the mock and for the "botocore floor": a client whose ``before-send`` handler
  replays a captured answer, i.e. everything botocore costs with zero service work.
- :func:`suspended` — take a mock off the active stack (state kept) while a reference runs,
  so sm_mock's own handler is dormant there.
- :class:`Contender` / :func:`interleaved` / :class:`Samples` / :class:`Comparison` — the
  noise-resistant timing loop: warm-up, interleaved rounds, gc off while timing, medians.
- :class:`Target`, :func:`format_table`, :func:`write_json`, :func:`machine_info`,
  :func:`profile_calls`, :func:`optional_module` — reporting and optional peers (moto is only
  ever imported through :func:`optional_module`, never at module top level).

Benchmarks print measurements; they never assert on wall-clock time.
"""

from __future__ import annotations

import cProfile
import gc
import importlib
import importlib.util
import json
import math
import os
import platform
import pstats
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import botocore
from botocore import xform_name
from botocore.awsrequest import AWSResponse

import sm_mock  # registers sm_mock's before-send handler for every session created later
from sm_mock import SecretsManagerMock
from sm_mock.mock import FAKE_CREDENTIALS
from sm_mock.service import serve_params

__all__ = [
    "RESULTS_DIR",
    "SECRET_PREFIX",
    "SECRET_VALUE",
    "SERVICE",
    "CannedAnswer",
    "CannedFloor",
    "Comparison",
    "Contender",
    "ProfileRow",
    "Samples",
    "Target",
    "capture_answer",
    "cycle_calls",
    "finish",
    "format_profile",
    "format_table",
    "interleaved",
    "machine_info",
    "new_session",
    "optional_module",
    "parse_choices",
    "parse_sizes",
    "profile_calls",
    "python_command",
    "secret_names",
    "seed",
    "suspended",
    "target_summary",
    "write_json",
]

#: Where scripts write their JSON records by default (git-ignored).
RESULTS_DIR = Path(__file__).resolve().parent / "results"
#: The botocore client name benchmarks talk to.
SERVICE = "secretsmanager"
#: Seeded names are ``bench/secret-0000042``: fixed width, so every request and answer of a
#: kind has the same size whichever secret it names (up to 10 million secrets).
SECRET_PREFIX = "bench/secret-"
#: A typical small JSON credential (~90 characters).
SECRET_VALUE = '{"username":"bench_user","password":"p@ssw0rd-0123456789abcdef","port":5432,"db":"app"}'

_BEFORE_SEND = "before-send"
_PREFIX = len("before-send.")


# ---- machine and environment -----------------------------------------------------------
def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_info() -> dict[str, Any]:
    """What a reader needs to compare two JSON records: interpreter, libraries, CPUs, load."""
    info: dict[str, Any] = {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "botocore": botocore.__version__,
        "boto3": _version_of("boto3"),
        "sm_mock": sm_mock.__version__,
    }
    if hasattr(os, "sched_getaffinity"):
        info["cpus_usable"] = len(os.sched_getaffinity(0))
    if hasattr(os, "getloadavg"):
        info["loadavg"] = [round(x, 2) for x in os.getloadavg()]
    return info


def _version_of(module: str) -> str | None:
    found = optional_module(module)
    version = getattr(found, "__version__", None) if found is not None else None
    return str(version) if version is not None else None


def optional_module(name: str) -> ModuleType | None:
    """Import ``name`` if it is installed, else None (for optional peers such as moto).

    Peers are imported here, lazily, so that a benchmark that does not compare against them
    never pays their import cost or their global patches.
    """
    if importlib.util.find_spec(name) is None:
        return None
    return importlib.import_module(name)


def parse_choices(text: str, known: Sequence[str], what: str) -> tuple[str, ...]:
    """Comma-separated names from a command line, each one of ``known``.

    Raises SystemExit naming the unknown ones (``what`` says what they are) or the empty choice.
    """
    chosen = tuple(item.strip() for item in text.split(",") if item.strip())
    unknown = [item for item in chosen if item not in known]
    if unknown or not chosen:
        raise SystemExit(f"unknown {what}(s) {unknown}; choose from {', '.join(known)}")
    return chosen


def target_summary(targets: Sequence[Target], *, failed_only: bool = False) -> list[str]:
    """``targets: k/n PASS`` and a line per target (only the failed ones with ``failed_only``)."""
    failed = [t for t in targets if not t.passed]
    lines = [f"targets: {len(targets) - len(failed)}/{len(targets)} PASS"]
    for target in failed if failed_only else targets:
        verdict = "PASS" if target.passed else "FAIL"
        lines.append(f"  {verdict} {target.name}: {target.value:.4g} (limit {target.limit:g})")
    return lines


def parse_sizes(text: str) -> list[int]:
    """``"100,10_000,1k,0.5m"`` → ``[100, 10000, 1000, 500000]``."""
    sizes: list[int] = []
    for part in text.split(","):
        item = part.strip().lower().replace("_", "")
        if not item:
            continue
        scale = 1
        if item[-1] in "km":
            scale = 1_000 if item[-1] == "k" else 1_000_000
            item = item[:-1]
        value = round(float(item) * scale)
        if value < 1:
            raise ValueError(f"population sizes must be positive, got {part!r}")
        sizes.append(value)
    if not sizes:
        raise ValueError("give at least one population size, e.g. --secrets 100,10000")
    return sizes


# ---- clients and seeding -----------------------------------------------------------------
def new_session(region: str = "us-east-1") -> Any:
    """A boto3 session with fixed fake credentials.

    Mock and floor clients come from one session so they differ only in how a request is
    answered; explicit credentials mean the floor can sign while no mock is active.
    """
    import boto3

    return boto3.session.Session(
        aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name=region,
    )


def secret_names(n: int, prefix: str = SECRET_PREFIX) -> list[str]:
    """The fixed-width names :func:`seed` creates."""
    return [f"{prefix}{i:07d}" for i in range(n)]


def seed(
    sm: SecretsManagerMock,
    n: int,
    *,
    prefix: str = SECRET_PREFIX,
    value: str = SECRET_VALUE,
) -> list[str]:
    """Create ``n`` secrets named by :func:`secret_names` in the mock's account and region.

    Goes through ``serve_params`` (validation, operation, call log) without botocore's
    client-side cost: about 10x faster than a client, and the state is exactly what
    CreateSecret calls would leave. This is the one function to change when the backend
    offers a bulk seeding helper (e.g. for 500,000 secrets).
    """
    names = secret_names(n, prefix)
    for i, name in enumerate(names):
        serve_params(
            sm,
            "CreateSecret",
            {"Name": name, "SecretString": value, "ClientRequestToken": str(uuid.UUID(int=i + 1))},
            sm.region,
            sm.account_id,
        )
    return names


@contextmanager
def suspended(sm: SecretsManagerMock) -> Iterator[None]:
    """Take an active mock off sm_mock's activation stack for a while, keeping its state.

    ``stop()``/``start()`` would reset the backend, so this reaches into the stack directly;
    while suspended, sm_mock's handler is dormant (its one list check) exactly as in a
    process with no mock active. Raises if another mock would remain active.
    """
    from sm_mock import mock as activation

    with activation._stack_lock:
        activation._stack.remove(sm)
        others = len(activation._stack)
        if others:
            activation._stack.append(sm)
    if others:
        raise RuntimeError("another sm_mock is active; the floor must run with no mock active")
    try:
        yield
    finally:
        with activation._stack_lock:
            activation._stack.append(sm)


@dataclass(frozen=True, slots=True)
class CannedAnswer:
    """One captured HTTP answer: status, headers and body bytes, replayed verbatim."""

    status: int
    headers: Mapping[str, str]
    body: bytes


class _Body:
    """The ``raw`` stream of an AWSResponse, like sm_mock's: yields the body once."""

    __slots__ = ("_body",)

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        yield self._body


def capture_answer(client: Any, operation: str, params: Mapping[str, Any]) -> CannedAnswer:
    """Make one real call and capture the HTTP answer it got (from the active mock)."""
    captured: list[CannedAnswer] = []

    def grab(http_response: Any, **kwargs: Any) -> None:
        captured.append(
            CannedAnswer(http_response.status_code, dict(http_response.headers), bytes(http_response.content))
        )

    event = f"after-call.{client.meta.service_model.service_id.hyphenize()}.{operation}"
    unique = f"benchmarks.capture.{operation}"
    client.meta.events.register(event, grab, unique_id=unique)
    try:
        getattr(client, xform_name(operation))(**params)
    finally:
        client.meta.events.unregister(event, unique_id=unique)
    if not captured:
        raise RuntimeError(f"no answer captured for {operation}")
    return captured[0]


class CannedFloor:
    """A client whose requests are answered from :attr:`answers` (operation → CannedAnswer).

    botocore calls every ``before-send`` handler and takes the first answer, so on this
    client sm_mock's built-in handler runs too: dormant (one list check) while no mock is
    active, which is exactly the floor a real test pays. Fill :attr:`answers` before calling
    (see :func:`capture_answer`).
    """

    def __init__(self, session: Any, service: str = SERVICE, **client_kwargs: Any) -> None:
        self.answers: dict[str, CannedAnswer] = {}
        self.client: Any = session.client(service, **client_kwargs)
        self.client.meta.events.register(_BEFORE_SEND, self._answer, unique_id="benchmarks.floor")

    def _answer(self, request: Any, event_name: str = "", **kwargs: Any) -> AWSResponse:
        operation = event_name[_PREFIX:].partition(".")[2]
        answer = self.answers.get(operation)
        if answer is None:
            raise KeyError(f"CannedFloor has no answer for {operation}; capture one first")
        return AWSResponse(request.url, answer.status, answer.headers, _Body(answer.body))

    def pays_dormant_check(self, sm: SecretsManagerMock, operation: str, params: Mapping[str, Any]) -> bool:
        """True if sm_mock's handler is registered on this client, so the floor pays its check.

        Checked by one call with ``sm`` active: the mock's handler then serves and logs it.
        """
        before = len(sm.calls)
        getattr(self.client, xform_name(operation))(**params)
        return len(sm.calls) == before + 1


# ---- timing ------------------------------------------------------------------------------
Batch = Callable[[int], object]


def cycle_calls(method: Callable[..., Any], arguments: Sequence[Mapping[str, Any]]) -> Batch:
    """A batch function making ``n`` calls of ``method``, cycling through ``arguments``.

    The position carries over between batches, so successive rounds walk the whole list
    (e.g. spread PutSecretValue over a population instead of piling versions on one secret).
    """
    if not arguments:
        raise ValueError("cycle_calls needs at least one argument set")
    items = list(arguments)
    size = len(items)
    position = [0]

    def batch(n: int) -> None:
        i = position[0]
        for _ in range(n):
            method(**items[i])
            i += 1
            if i == size:
                i = 0
        position[0] = i

    return batch


@dataclass(frozen=True, slots=True)
class Contender:
    """One thing to time: a batch function and the context it must run in."""

    name: str
    batch: Batch
    context: Callable[[], AbstractContextManager[object]] = nullcontext


@dataclass(slots=True)
class Samples:
    """Per-call times (ns) of one contender, one value per timed round.

    ``per_call_ns`` is wall time (``perf_counter_ns``), the measure targets are judged on;
    ``cpu_ns`` is the thread's CPU time over the same batches (``thread_time_ns``), a
    cross-check that time spent preempted by other processes cannot inflate.
    """

    name: str
    calls_per_round: int
    per_call_ns: list[float] = field(default_factory=list)
    cpu_ns: list[float] = field(default_factory=list)

    @property
    def median_ns(self) -> float:
        """Median over rounds of the mean per-call wall time."""
        return statistics.median(self.per_call_ns)

    @property
    def cpu_median_ns(self) -> float:
        """Median over rounds of the mean per-call thread CPU time."""
        return statistics.median(self.cpu_ns)

    @property
    def spread(self) -> float:
        """(max - min) / median of the wall times: how noisy the run was."""
        return (max(self.per_call_ns) - min(self.per_call_ns)) / self.median_ns

    def to_json(self) -> dict[str, Any]:
        """JSON-ready summary, in microseconds."""
        return {
            "median_us": round(self.median_ns / 1000, 3),
            "min_us": round(min(self.per_call_ns) / 1000, 3),
            "max_us": round(max(self.per_call_ns) / 1000, 3),
            "spread": round(self.spread, 4),
            "cpu_median_us": round(self.cpu_median_ns / 1000, 3),
            "calls_per_round": self.calls_per_round,
            "rounds_us": [round(x / 1000, 3) for x in self.per_call_ns],
            "cpu_rounds_us": [round(x / 1000, 3) for x in self.cpu_ns],
        }


def interleaved(
    contenders: Sequence[Contender],
    *,
    rounds: int,
    calls: int,
    warmup: int,
    alternate: bool = True,
) -> dict[str, Samples]:
    """Time contenders in interleaved rounds; returns their samples by name.

    Each contender first makes ``warmup`` untimed calls. Then, ``rounds`` times, each runs a
    batch of ``calls`` calls inside its context. Noisy neighbours and frequency changes hit
    all contenders alike because their rounds alternate; with ``alternate`` the order is
    reversed every other round (A B, B A, A B, …) so slow drift does not favour whoever goes
    first. The garbage collector is run before and disabled during each timed batch, and
    context enter/exit is outside the timed region.
    """
    if rounds < 1 or calls < 1:
        raise ValueError("rounds and calls must be at least 1")
    names = [c.name for c in contenders]
    if len(set(names)) != len(names):
        raise ValueError(f"contender names must be unique: {names}")
    for contender in contenders:
        with contender.context():
            contender.batch(warmup)
    samples = {c.name: Samples(c.name, calls) for c in contenders}
    for index in range(rounds):
        order = list(reversed(contenders)) if alternate and index % 2 else list(contenders)
        for contender in order:
            with contender.context():
                gc.collect()
                enabled = gc.isenabled()
                gc.disable()
                try:
                    cpu_start = time.thread_time_ns()
                    start = time.perf_counter_ns()
                    contender.batch(calls)
                    elapsed = time.perf_counter_ns() - start
                    cpu = time.thread_time_ns() - cpu_start
                finally:
                    if enabled:
                        gc.enable()
            record = samples[contender.name]
            record.per_call_ns.append(elapsed / calls)
            record.cpu_ns.append(cpu / calls)
    return samples


@dataclass(frozen=True, slots=True)
class Comparison:
    """A subject timed against a reference (e.g. mock vs floor) in the same rounds."""

    subject: Samples
    reference: Samples

    @property
    def ratio(self) -> float:
        """median(subject) / median(reference)."""
        return self.subject.median_ns / self.reference.median_ns

    @property
    def overhead_ns(self) -> float:
        """median(subject) - median(reference): the subject's own cost per call."""
        return self.subject.median_ns - self.reference.median_ns

    @property
    def cpu_ratio(self) -> float:
        """median(subject CPU time) / median(reference CPU time): the contention-free view."""
        return self.subject.cpu_median_ns / self.reference.cpu_median_ns

    @property
    def pair_ratio(self) -> float:
        """Median of per-round ratios: a cross-check that cancels drift between rounds."""
        pairs = zip(self.subject.per_call_ns, self.reference.per_call_ns, strict=True)
        return statistics.median(s / r for s, r in pairs)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            self.subject.name: self.subject.to_json(),
            self.reference.name: self.reference.to_json(),
            "ratio": round(self.ratio, 4),
            "pair_ratio": round(self.pair_ratio, 4),
            "cpu_ratio": round(self.cpu_ratio, 4),
            "overhead_us": round(self.overhead_ns / 1000, 3),
        }


@dataclass(frozen=True, slots=True)
class Target:
    """A documented goal checked against a measured value: passes when value <= limit."""

    name: str
    description: str
    value: float
    limit: float

    @property
    def passed(self) -> bool:
        """True when the measured value meets the limit."""
        return math.isfinite(self.value) and self.value <= self.limit

    def to_json(self) -> dict[str, Any]:
        """JSON-ready record with a PASS/FAIL verdict."""
        return {
            "name": self.name,
            "description": self.description,
            "value": round(self.value, 4),
            "limit": self.limit,
            "result": "PASS" if self.passed else "FAIL",
        }


# ---- profiling ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ProfileRow:
    """One function's share of a profiled batch, per outer call."""

    function: str
    ncalls: int
    self_us: float
    cumulative_us: float


def profile_calls(
    batch: Batch, n: int, *, package: str = "sm_mock", top: int = 15
) -> tuple[list[ProfileRow], float, float]:
    """Profile ``n`` calls with cProfile.

    Returns the ``top`` functions of ``package`` by self time (µs per outer call), the
    package's total self time per call and the total profiled time per call (both µs;
    cProfile inflates absolute numbers, so read them as shares).
    """
    profiler = cProfile.Profile()
    profiler.enable()
    batch(n)
    profiler.disable()
    stats: dict[tuple[str, int, str], tuple[int, int, float, float, object]] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    marker = f"{os.sep}{package}{os.sep}"
    rows: list[ProfileRow] = []
    total = inside = 0.0
    for (filename, line, function), (_cc, ncalls, self_s, cum_s, _callers) in stats.items():
        total += self_s
        if marker in filename:
            inside += self_s
            short = filename[filename.rindex(marker) + 1 :]
            rows.append(ProfileRow(f"{short}:{line}({function})", ncalls, self_s * 1e6 / n, cum_s * 1e6 / n))
    rows.sort(key=lambda row: row.self_us, reverse=True)
    return rows[:top], inside * 1e6 / n, total * 1e6 / n


def format_profile(rows: Sequence[ProfileRow], inside_us: float, total_us: float, n: int) -> str:
    """A table of :func:`profile_calls` output."""
    table = format_table(
        ["function", "calls/op", "self µs/op", "cum µs/op"],
        [[r.function, f"{r.ncalls / n:.1f}", f"{r.self_us:.1f}", f"{r.cumulative_us:.1f}"] for r in rows],
    )
    share = inside_us / total_us if total_us else 0.0
    return f"{table}\nself time inside package: {inside_us:.1f} µs/op of {total_us:.1f} µs/op profiled ({share:.0%})"


# ---- reporting ---------------------------------------------------------------------------
def _numeric(cell: str) -> bool:
    stripped = cell.strip().lstrip("+-").rstrip("%x×")
    return stripped.replace(".", "", 1).replace(",", "").isdigit()


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table: numbers right-aligned, text left-aligned."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def line(row: Sequence[str], header: bool = False) -> str:
        parts = []
        for i, cell in enumerate(row):
            right = not header and _numeric(cell)
            parts.append(cell.rjust(widths[i]) if right else cell.ljust(widths[i]))
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers, header=True), rule, *(line(r) for r in cells)])


def write_json(path: str | os.PathLike[str], record: Mapping[str, Any]) -> Path:
    """Write a JSON record (parents created); returns the path written."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return target


def finish(record: Mapping[str, Any], json_path: str | os.PathLike[str], check: bool) -> int:
    """The end of every benchmark command: write the JSON record, name it, and give the exit
    status (1 only when ``--check`` was asked for and a target failed)."""
    path = write_json(json_path, record)
    print(f"\nJSON record: {path}")
    return 1 if check and not record["passed"] else 0


def python_command() -> str:
    """How this interpreter was invoked (recorded so a run can be repeated)."""
    return " ".join([Path(sys.executable).name, *sys.argv])
