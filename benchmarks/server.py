"""Section ``server``: sm_mock's HTTP server (``python -m sm_mock serve``) under concurrent boto3
clients, side by side with moto's (``moto.server.ThreadedMotoServer``) when ``moto[server]`` is
installed.

Both servers run in subprocesses of their own, seeded alike through their API. The clients are
boto3 clients in separate processes (one client each, so no client shares a GIL with another or
with a server), kept alive across rounds; each round sends every client the URL of one server,
and the servers take turns, order reversed every other round. Throughput is all calls of a round
over the round's span (first start to last end, on the shared monotonic clock); latencies are
each call's, pooled over the rounds.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import socket
import statistics
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import IO, Any

from .harness import ACCESS_KEY, SERVICE, VALUE, Settings, log, new_session, secret_names

__all__ = ["section"]

#: One load-generating client: waits for a URL on stdin, makes ``calls`` GetSecretValue calls on
#: it, prints its span and latencies; "quit" ends it.
_CLIENT = r"""
import json, sys, time
import boto3
from botocore.config import Config

calls, names = int(sys.argv[1]), json.loads(sys.argv[2])
session, clients = boto3.session.Session(), {}
print("ready", flush=True)
for line in sys.stdin:
    url = line.strip()
    if url == "quit":
        break
    client = clients.get(url)
    if client is None:
        client = clients[url] = session.client(
            "secretsmanager", endpoint_url=url, region_name="us-east-1", aws_access_key_id=sys.argv[3],
            aws_secret_access_key="benchmark", config=Config(retries={"max_attempts": 0}),
        )
        client.get_secret_value(SecretId=names[0])  # connect, and warm the client's caches
    latencies, start = [], time.monotonic_ns()
    for i in range(calls):
        began = time.perf_counter_ns()
        client.get_secret_value(SecretId=names[i % len(names)])
        latencies.append(time.perf_counter_ns() - began)
    print(json.dumps({"start": start, "end": time.monotonic_ns(), "latencies": latencies}), flush=True)
"""

_MOTO = r"""
import sys, warnings; warnings.simplefilter("ignore"); from moto.server import ThreadedMotoServer  # in the child only
server = ThreadedMotoServer(ip_address="127.0.0.1", port=int(sys.argv[1]), verbose=False)
server.start()
print(f"http://127.0.0.1:{sys.argv[1]}", flush=True)
sys.stdin.read()
server.stop()
"""


def _line(stream: IO[str] | None) -> str:
    assert stream is not None
    line = stream.readline()
    if not line:
        raise RuntimeError("a benchmark subprocess ended early")
    return line


@contextmanager
def _process(args: Sequence[str]) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [sys.executable, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        yield process
    finally:
        if process.stdin is not None:
            process.stdin.close()
        process.terminate()
        process.wait(timeout=60)


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (Linux's /proc; None elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _TICK


@contextmanager
def _sm_mock_server() -> Iterator[tuple[str, int]]:
    with _process(["-m", "sm_mock", "serve", "--port", "0"]) as process:
        match = re.search(r"http://\S+", _line(process.stdout))
        assert match, "python -m sm_mock serve printed no URL"
        yield match.group(0), process.pid


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _moto_server() -> Iterator[tuple[str, int]]:
    with _process(["-c", _MOTO, str(_free_port())]) as process:
        yield _line(process.stdout).strip(), process.pid


def _seed(url: str, names: Sequence[str]) -> None:
    client = new_session().client(
        SERVICE, endpoint_url=url, aws_access_key_id=ACCESS_KEY, aws_secret_access_key="benchmark"
    )
    for name in names:
        client.create_secret(Name=name, SecretString=VALUE)


def _round(clients: Sequence[subprocess.Popen[str]], url: str, pid: int) -> tuple[float, list[int], float | None]:
    """One round on one server: (requests per second, latencies in ns, the server's CPU µs per request)."""
    cpu_before = _cpu_seconds(pid)
    for client in clients:
        assert client.stdin is not None
        client.stdin.write(url + "\n")
        client.stdin.flush()
    results = [json.loads(_line(client.stdout)) for client in clients]
    span = max(r["end"] for r in results) - min(r["start"] for r in results)
    latencies = [n for r in results for n in r["latencies"]]
    cpu_after = _cpu_seconds(pid)
    cpu = None if cpu_before is None or cpu_after is None else (cpu_after - cpu_before) * 1e6 / len(latencies)
    return len(latencies) / (span / 1e9), latencies, cpu


def _summary(throughputs: list[float], latencies: list[int], cpu: list[float]) -> dict[str, Any]:
    ordered = sorted(latencies)
    return {
        "requests_per_s": round(statistics.median(throughputs), 1),
        "rounds_requests_per_s": [round(t, 1) for t in throughputs],
        # The server process's own CPU time per request (clock-tick resolution, so per round).
        "server_cpu_us": round(statistics.median(cpu), 1) if cpu else None,
        "p50_ms": round(ordered[len(ordered) // 2] / 1e6, 3),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] / 1e6, 3),
        "calls": len(ordered),
    }


def section(s: Settings) -> dict[str, Any]:
    """Requests per second and p50/p99 latency of GetSecretValue over HTTP, per client count."""
    names = secret_names(s.server_secrets)
    moto = (
        s.server_moto and importlib.util.find_spec("moto") is not None and importlib.util.find_spec("flask") is not None
    )
    if s.server_moto and not moto:
        log("  moto's server is not installed (pip install 'moto[server]'): sm_mock alone")
    out: dict[str, Any] = {"secrets": s.server_secrets, "calls_per_client": s.server_calls, "results": []}
    with ExitStack() as stack:
        servers = {"sm_mock": stack.enter_context(_sm_mock_server())}
        if moto:
            servers["moto"] = stack.enter_context(_moto_server())
            out["moto_version"] = importlib.import_module("moto").__version__
        for url, _ in servers.values():
            _seed(url, names)
        for count in s.server_clients:
            script = ["-c", _CLIENT, str(s.server_calls), json.dumps(names), ACCESS_KEY]
            clients = [stack.enter_context(_process(script)) for _ in range(count)]
            for client in clients:
                _line(client.stdout)  # ready
            samples: dict[str, tuple[list[float], list[int], list[float]]] = {name: ([], [], []) for name in servers}
            order = list(servers)
            for _ in range(s.server_warmup_rounds):
                for name in order:
                    _round(clients, *servers[name])
            for number in range(s.server_rounds):
                for name in order if number % 2 == 0 else reversed(order):
                    throughput, latencies, cpu = _round(clients, *servers[name])
                    samples[name][0].append(throughput)
                    samples[name][1].extend(latencies)
                    if cpu is not None:
                        samples[name][2].append(cpu)
            for client in clients:
                assert client.stdin is not None
                client.stdin.write("quit\n")
                client.stdin.flush()
            row: dict[str, Any] = {"clients": count, **{name: _summary(*sample) for name, sample in samples.items()}}
            if "moto" in row:
                row["throughput_ratio"] = round(row["sm_mock"]["requests_per_s"] / row["moto"]["requests_per_s"], 2)
                if row["sm_mock"]["server_cpu_us"] and row["moto"]["server_cpu_us"]:
                    row["server_cpu_ratio"] = round(row["moto"]["server_cpu_us"] / row["sm_mock"]["server_cpu_us"], 2)
            out["results"].append(row)
            summary = f"  {count} clients: sm_mock {row['sm_mock']['requests_per_s']:.0f} req/s"
            if "moto" in row:
                summary += f", moto {row['moto']['requests_per_s']:.0f} req/s ({row['throughput_ratio']:.2f}x)"
                cpu = (row["sm_mock"]["server_cpu_us"], row["moto"]["server_cpu_us"])
                summary += f"; server CPU per request {cpu[0]} µs vs {cpu[1]} µs"
            log(summary)
    return out
