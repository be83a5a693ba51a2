"""The machinery every section shares: clients, the botocore floor, the timing loop, targets and
tables. Only sm_mock's public API (``sm.backend.seed``, ``sm.calls``) and botocore's event API
are used; benchmarks print measurements and never assert on wall-clock time."""

from __future__ import annotations

import gc
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import botocore
import botocore.handlers
from botocore import xform_name
from botocore.awsrequest import AWSResponse

import sm_mock  # registers sm_mock's handlers on every botocore session created from now on
from sm_mock import SecretsManagerMock

RESULTS_DIR = Path(__file__).resolve().parent / "results"
SERVICE = "secretsmanager"
#: Seeded names are ``bench/secret-0000042``: fixed width, so every request and answer of a kind
#: has the same size whichever secret it names.
PREFIX = "bench/secret-"
#: A typical small JSON credential.
VALUE = '{"username":"bench_user","password":"p@ssw0rd-0123456789abcdef","port":5432,"db":"app"}'
#: What the value itself takes at rest: its AES-GCM ciphertext (as long as the plaintext) and
#: 16-byte tag. Memory "beyond the value" subtracts it.
VALUE_PAYLOAD = len(VALUE.encode()) + 16
#: The access key of every benchmark session (fake: the floor must sign with no mock's help).
ACCESS_KEY = "AKIABENCHMARKS000000"
#: A captured HTTP answer: status, headers, body.
Answer = tuple[int, Mapping[str, str], bytes]
Batch = Callable[[int], object]


def log(message: str) -> None:
    """Progress goes to stderr; the tables go to stdout."""
    print(message, file=sys.stderr, flush=True)


# ---- clients ---------------------------------------------------------------------------------
def new_session(region: str = "us-east-1") -> Any:
    """A boto3 session with fixed fake credentials (:data:`ACCESS_KEY`)."""
    import boto3

    keys = {"aws_access_key_id": ACCESS_KEY, "aws_secret_access_key": "benchmarks-fake-secret"}
    return boto3.session.Session(region_name=region, **keys)


def secret_names(n: int) -> list[str]:
    """The names :func:`seed` creates."""
    return [f"{PREFIX}{i:07d}" for i in range(n)]


def seed(sm: SecretsManagerMock, n: int, region: str | None = None, account_id: str | None = None) -> list[str]:
    """Put ``n`` secrets into the mock with ``sm.backend.seed`` (the state CreateSecret leaves)."""
    sm.backend.seed(n, name=PREFIX + "{i:07d}", secret_string=VALUE, region=region, account_id=account_id)
    return secret_names(n)


def bare_client(session: Any, **kwargs: Any) -> Any:
    """A client without the handlers sm_mock (and moto) add to every botocore session: botocore
    alone, as in a process without them, even while a mock is active. References run beside an
    active mock this way, which keeps its state (``stop()``/``start()`` would empty it)."""
    client = session.client(SERVICE, **kwargs)
    for event, handler, *_ in botocore.handlers.BUILTIN_HANDLERS:
        if getattr(handler, "__module__", "").startswith(("sm_mock.", "moto.")):
            client.meta.events.unregister(event, handler)
    return client


class _Raw:
    __slots__ = ("body",)

    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        yield self.body


def capture(client: Any, operation: str, params: Mapping[str, Any]) -> Answer:
    """Make one call and return the HTTP answer it got (from the active mock)."""
    got: list[Answer] = []

    def grab(http_response: Any, **kwargs: Any) -> None:
        got.append((http_response.status_code, dict(http_response.headers), bytes(http_response.content)))

    event = f"after-call.secrets-manager.{operation}"
    client.meta.events.register(event, grab, unique_id="benchmarks.capture")
    try:
        getattr(client, xform_name(operation))(**params)
    finally:
        client.meta.events.unregister(event, unique_id="benchmarks.capture")
    if not got or got[0][0] != 200:
        raise RuntimeError(f"{operation} did not succeed: {got[0][2][:300] if got else 'no answer'!r}")
    return got[0]


class Floor:
    """The botocore floor: a :func:`bare_client` whose ``before-send`` handler replays the answer
    captured for each operation (:attr:`answers`). It pays everything botocore does (validation,
    serialization, signing, parsing) and no service work, so mock − floor is the mock's cost."""

    def __init__(self, session: Any, **kwargs: Any) -> None:
        self.answers: dict[str, Answer] = {}
        self.client = bare_client(session, **kwargs)
        self.client.meta.events.register("before-send", self._answer, unique_id="benchmarks.floor")

    def _answer(self, request: Any, event_name: str = "", **kwargs: Any) -> AWSResponse:
        status, headers, body = self.answers[event_name.rpartition(".")[2]]
        return AWSResponse(request.url, status, headers, _Raw(body))

    def check(self, sm: SecretsManagerMock, operation: str, params: Mapping[str, Any]) -> None:
        """Raise if the active mock serves the floor (its handlers were not all unregistered)."""
        before = len(sm.calls)
        getattr(self.client, xform_name(operation))(**params)
        if len(sm.calls) != before:
            raise RuntimeError("sm_mock served the floor client: unregister its handlers in bare_client")


# ---- timing ----------------------------------------------------------------------------------
def cycle(method: Callable[..., Any], arguments: Sequence[Mapping[str, Any]]) -> Batch:
    """A batch of ``n`` calls of ``method`` cycling through ``arguments``; the position carries
    over between batches, so successive rounds walk the whole list."""
    items, position = list(arguments), [0]

    def batch(n: int) -> None:
        i = position[0]
        for _ in range(n):
            method(**items[i])
            i = (i + 1) % len(items)
        position[0] = i

    return batch


@dataclass(frozen=True, slots=True)
class Timing:
    """Interleaved rounds of ``calls`` calls per contender, after ``warmup`` untimed calls."""

    rounds: int
    calls: int
    warmup: int


@dataclass(frozen=True, slots=True)
class Settings:
    """One run's parameters, recorded in the JSON; the defaults are the full run's."""

    populations: tuple[int, ...] = (100, 10_000, 500_000)  # secrets seeded for the per-call figures
    point: Timing = Timing(15, 200, 100)  # point calls
    page: Timing = Timing(11, 20, 5)  # ListSecrets pages and BatchGetSecretValue
    tests: Timing = Timing(11, 10, 3)  # per-test cost (activation: 20 times the calls)
    memory_secrets: int = 10_000
    moto_populations: tuple[int, ...] = (100, 10_000)  # moto is far slower, and seeded through its API
    moto_point: Timing = Timing(7, 50, 20)
    moto_page: Timing = Timing(5, 4, 1)
    moto_tests: Timing = Timing(5, 3, 1)
    moto_memory_secrets: int = 2_000
    instruction_calls: int = 50  # point calls per contender under callgrind
    server_clients: tuple[int, ...] = (1, 4)  # concurrent boto3 client processes against each server
    server_calls: int = 300  # GetSecretValue calls per client per round
    server_rounds: int = 5
    server_warmup_rounds: int = 1
    server_secrets: int = 100
    server_moto: bool = True  # moto's ThreadedMotoServer beside sm_mock's, when moto[server] is installed
    sections: tuple[str, ...] = ()
    quick: bool = False


@dataclass(frozen=True, slots=True)
class Contender:
    """One thing to time: a batch function and the context it runs in."""

    name: str
    batch: Batch
    context: Callable[[], AbstractContextManager[object]] = nullcontext


@dataclass(slots=True)
class Samples:
    """Mean per-call times (ns) of one contender, one per round: wall clock (``perf_counter_ns``,
    what targets judge) and thread CPU time (``thread_time_ns``: time lost to other processes
    does not count, a cross-check on a busy machine)."""

    name: str
    calls: int
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        """Median wall time per call (ns)."""
        return statistics.median(self.wall)

    @property
    def cpu_median(self) -> float:
        """Median CPU time per call (ns)."""
        return statistics.median(self.cpu)

    def to_json(self) -> dict[str, Any]:
        """Summary in µs; spread = (max − min) / median, a noise gauge."""
        return {
            "median_us": round(self.median / 1000, 3),
            "min_us": round(min(self.wall) / 1000, 3),
            "max_us": round(max(self.wall) / 1000, 3),
            "spread": round((max(self.wall) - min(self.wall)) / self.median, 4),
            "cpu_median_us": round(self.cpu_median / 1000, 3),
            "calls_per_round": self.calls,
            "rounds_us": [round(x / 1000, 3) for x in self.wall],
            "cpu_rounds_us": [round(x / 1000, 3) for x in self.cpu],
        }


def interleaved(contenders: Sequence[Contender], timing: Timing) -> dict[str, Samples]:
    """Time contenders side by side: warm-up calls first, then ``timing.rounds`` rounds in which
    each runs one batch in its context, the order reversed every other round (A B, B A, …) so
    that drift favours no one. The garbage collector runs before each batch and is disabled
    during it; entering and leaving a context is not timed."""
    if timing.rounds < 1 or timing.calls < 1 or len({c.name for c in contenders}) != len(contenders):
        raise ValueError("rounds and calls must be at least 1, contender names unique")
    for contender in contenders:
        with contender.context():
            contender.batch(timing.warmup)
    samples = {c.name: Samples(c.name, timing.calls) for c in contenders}
    for index in range(timing.rounds):
        for contender in reversed(contenders) if index % 2 else contenders:
            with contender.context():
                gc.collect()
                gc.disable()
                try:
                    cpu, wall = time.thread_time_ns(), time.perf_counter_ns()
                    contender.batch(timing.calls)
                    wall, cpu = time.perf_counter_ns() - wall, time.thread_time_ns() - cpu
                finally:
                    gc.enable()
            samples[contender.name].wall.append(wall / timing.calls)
            samples[contender.name].cpu.append(cpu / timing.calls)
    return samples


def staged(client: Any, batch: Batch, name: str) -> tuple[Batch, Samples]:
    """``batch``, also timing the ``before-send`` stage of each call on ``client`` (from the first
    handler to the last), where sm_mock answers: the mock's own work, measured directly rather
    than as the difference of two large numbers. The samples hold one entry per batch (warm-up
    included: keep the last ``rounds``)."""
    own, spent = Samples(name, 0), [0, 0]

    def start(**kwargs: Any) -> None:
        spent[0] -= time.perf_counter_ns()
        spent[1] -= time.thread_time_ns()

    def stop(**kwargs: Any) -> None:
        spent[0] += time.perf_counter_ns()
        spent[1] += time.thread_time_ns()

    client.meta.events.register_first("before-send", start, unique_id="benchmarks.stage.start")
    client.meta.events.register_last("before-send", stop, unique_id="benchmarks.stage.stop")

    def timed(n: int) -> None:
        spent[:] = [0, 0]
        batch(n)
        own.calls = n
        own.wall.append(spent[0] / max(n, 1))
        own.cpu.append(spent[1] / max(n, 1))

    return timed, own


def pair(subject: Samples, reference: Samples, *, cpu: bool = False) -> float:
    """Median over rounds of subject / reference: cancels drift between rounds."""
    a, b = (subject.cpu, reference.cpu) if cpu else (subject.wall, reference.wall)
    return statistics.median(x / y for x, y in zip(a, b, strict=True))


def compare(subject: Samples, reference: Samples) -> dict[str, Any]:
    """Both sides' summaries and: ratio = median / median (wall clock, judged), pair = median of
    per-round ratios, cpu = ratio of CPU medians, overhead = median difference in µs."""
    return {
        subject.name: subject.to_json(),
        reference.name: reference.to_json(),
        "ratio": round(subject.median / reference.median, 4),
        "pair_ratio": round(pair(subject, reference), 4),
        "cpu_ratio": round(subject.cpu_median / reference.cpu_median, 4),
        "overhead_us": round((subject.median - reference.median) / 1000, 3),
    }


# ---- targets and reporting -------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Target:
    """A documented goal: passes when the measured value is at most the limit."""

    name: str
    description: str
    value: float
    limit: float

    @property
    def passed(self) -> bool:
        """True when the value is finite and within the limit."""
        return math.isfinite(self.value) and self.value <= self.limit

    def to_json(self) -> dict[str, Any]:
        """JSON-ready, with the PASS/FAIL verdict."""
        fields = {"name": self.name, "description": self.description, "value": round(self.value, 4)}
        return fields | {"limit": self.limit, "result": "PASS" if self.passed else "FAIL"}


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table: numbers right-aligned, text left-aligned."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max([len(h), *(len(row[i]) for row in cells)]) for i, h in enumerate(headers)]

    def line(row: Sequence[str], header: bool = False) -> str:
        numbers = [
            not header and c.lstrip("+-").rstrip("%Bsmµ ").replace(".", "").replace(",", "").isdigit() for c in row
        ]
        return "  ".join(c.rjust(w) if n else c.ljust(w) for c, w, n in zip(row, widths, numbers, strict=True)).rstrip()

    return "\n".join([line(headers, True), "  ".join("-" * w for w in widths), *(line(r) for r in cells)])


class _Blank:
    def __format__(self, spec: str) -> str:
        return ""

    def __getitem__(self, key: str) -> _Blank:
        return self


class _Fields(dict[str, Any]):
    def __missing__(self, key: str) -> _Blank:
        return _Blank()


def table(rows: Sequence[Mapping[str, Any]], columns: Mapping[str, str]) -> str:
    """:func:`format_table` of ``rows`` with one ``str.format`` template per column header, e.g.
    ``{"mock µs": "{mock[median_us]:.1f}"}``; a field a row lacks prints blank."""
    cells = [[template.format_map(_Fields(row)) for template in columns.values()] for row in rows]
    return format_table(list(columns), cells)


def machine_info() -> dict[str, Any]:
    """What a reader needs to compare two records: interpreter, libraries, CPUs, load."""
    import boto3

    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            model = next((ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name")), "?")
    except OSError:
        model = platform.processor() or "?"
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_model": model,
        "cpu_count": os.cpu_count(),
        "loadavg": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "botocore": botocore.__version__,
        "boto3": boto3.__version__,
        "sm_mock": sm_mock.__version__,
    }


def parse_sizes(text: str) -> tuple[int, ...]:
    """``"100,10_000,1k,0.5m"`` → ``(100, 10000, 1000, 500000)``."""
    sizes = []
    for part in filter(None, (p.strip().lower().replace("_", "") for p in text.split(","))):
        sizes.append(round(float(part.rstrip("km")) * {"k": 1_000, "m": 1_000_000}.get(part[-1], 1)))
    if not sizes or min(sizes) < 1:
        raise ValueError(f"population sizes must be positive integers, e.g. 100,10k; got {text!r}")
    return tuple(sizes)
