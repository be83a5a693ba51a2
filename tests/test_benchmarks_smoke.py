"""Smoke tests for ``python -m benchmarks``: it runs, reports and records, with no timing thresholds."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from benchmarks import cli, instructions, sections
from benchmarks.harness import (
    Contender,
    Floor,
    Target,
    Timing,
    capture,
    format_table,
    interleaved,
    new_session,
    parse_sizes,
    secret_names,
    seed,
    staged,
)
from sm_mock import NoActiveMockError, current, mock_secretsmanager

_ROOT = Path(__file__).resolve().parent.parent / "benchmarks"


def _positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def _timed(summary: dict[str, Any], rounds: int) -> bool:
    values = summary["rounds_us"]
    return _positive(summary["median_us"]) and len(values) == rounds and all(_positive(x) for x in values)


def test_quick_run_prints_every_table_and_writes_a_complete_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "out" / "run.json"

    status = cli.main(["--quick", "--no-moto", "--json", str(path)])

    assert status == 0
    printed = capsys.readouterr().out
    for title in ("1. per call", "1b. ListSecrets pages", "2. direct mode", "3-4. fixed costs", "targets:"):
        assert title in printed
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["benchmark"] == "sm_mock" and record["machine"]["botocore"] and record["settings"]["quick"]
    assert "moto" not in record and "instructions" not in record
    (served,) = record["server"]["results"]  # sm_mock's server alone: moto is off
    assert served["clients"] == 2 and set(served) == {"clients", "sm_mock"}
    assert _positive(served["sm_mock"]["requests_per_s"]) and served["sm_mock"]["calls"] == 60
    assert served["sm_mock"]["p50_ms"] <= served["sm_mock"]["p99_ms"]
    assert [p["secrets"] for p in record["calls"]] == [100, 1000]
    calls = {(r["secrets"], r["case"]): r for p in record["calls"] for r in p["results"]}
    assert set(calls) == {(n, case.name) for n in (100, 1000) for case in sections.CASES}
    for (secrets, case), r in calls.items():
        rounds = record["settings"]["page" if r["kind"] == "page" else "point"]["rounds"]
        assert _timed(r["mock"], rounds) and _timed(r["floor"], rounds) and _positive(r["response_bytes"])
        assert all(_positive(r[k]) for k in ("ratio", "pair_ratio", "cpu_ratio")) and r["verdict"] in ("PASS", "FAIL")
        if case.startswith("ListSecrets"):
            assert _timed(r["own"], rounds) and _positive(r["own_over_floor_cpu"]) and "share_cpu" in r
            assert ("scale_cpu" in r) == (secrets == 1000) and ("ref_own" in r) == (secrets == 1000)
    direct = {r["case"]: r for r in record["direct"]["results"]}
    assert set(direct) == {case.name for case in sections.DIRECT_CASES}
    for r in direct.values():
        assert all(_positive(r[side]["median_us"]) for side in ("direct", "stubber", "stubber+add", "floor"))
        assert _positive(r["ratio_with_add_response"]) and _positive(r["ratio_to_floor"])
    assert _positive(record["per_test"]["per_test"]["median_us"])
    assert _positive(record["per_test"]["client_creation"]["median_us"])
    assert _positive(record["activation"]["activation"]["median_us"])
    memory = record["memory"]
    assert all(_positive(memory[k]) for k in ("store_bytes_per_secret", "version_bytes", "call_log_bytes_per_record"))
    assert memory["secret_bytes_beyond_value"] < memory["store_bytes_per_secret"] + memory["index_bytes_per_secret"]
    names = {t["name"] for t in record["targets"]}
    assert {"per_test_under_10ms", "activation_under_0.2ms", "memory_under_2KiB_per_secret"} <= names
    assert {"point_within_5%_of_floor/GetSecretValue/100", "page_within_10%_of_floor/ListSecrets/1000"} <= names
    assert {"page_share_under_15%/ListSecrets+prefix/100", "page_scale/ListSecrets/1000_vs_100"} <= names
    assert "direct_vs_stubber/PutSecretValue" in names
    assert record["passed"] == all(t["result"] == "PASS" for t in record["targets"])
    for target in record["targets"]:
        assert f"FAIL {target['name']}:" in printed if target["result"] == "FAIL" else True


def test_sections_and_check_exit_status(tmp_path: Path) -> None:
    path = tmp_path / "some.json"
    argv = ["--quick", "--sections", "activation,memory", "--rounds", "1", "--calls", "2", "--json", str(path)]

    status = cli.main([*argv, "--check"])

    record = json.loads(path.read_text(encoding="utf-8"))
    assert {"activation", "memory"} <= set(record) and not {"calls", "direct", "per_test", "moto"} & set(record)
    assert status == (0 if record["passed"] else 1)
    assert cli.main(["--sections", "activation", "--rounds", "1", "--calls", "2", "--json", str(path)]) == 0


def test_targets_use_the_limits() -> None:
    record: dict[str, Any] = {
        "calls": [
            {
                "results": [
                    {"kind": "point", "case": "GetSecretValue", "secrets": 100, "ratio": 1.04},
                    {"kind": "page", "case": "ListSecrets", "secrets": 10_000, "ratio": 1.11, "share_cpu": 0.1}
                    | {"scale_cpu": 1.25, "reference_secrets": 100},
                ]
            }
        ],
        # Judged on the Stubber as a test uses it (add_response + call), not on the pre-queued ratio.
        "direct": {"results": [{"case": "GetSecretValue", "ratio": 1.45, "ratio_with_add_response": 1.29}]},
        "per_test": {"per_test": {"median_us": 10_001.0}},
        "activation": {"activation": {"median_us": 150.0}},
        "memory": {"secret_bytes_beyond_value": 2049.0},
    }

    verdicts = {t.name: t.passed for t in cli.targets(record)}

    assert verdicts == {
        "point_within_5%_of_floor/GetSecretValue/100": True,
        "page_within_10%_of_floor/ListSecrets/10000": False,
        "page_share_under_15%/ListSecrets/10000": True,
        "page_scale/ListSecrets/10000_vs_100": False,
        "direct_vs_stubber/GetSecretValue": True,
        "per_test_under_10ms": False,
        "activation_under_0.2ms": True,
        "memory_under_2KiB_per_secret": False,
    }
    assert record["calls"][0]["results"][1]["scale_verdict"] == "FAIL" and record["memory"]["verdict"] == "FAIL"


def test_command_line_choices() -> None:
    def settings(*argv: str) -> Any:
        return cli.settings_from(cli._parser().parse_args(list(argv)))

    assert settings().sections == cli.DEFAULT_SECTIONS and "instructions" not in cli.DEFAULT_SECTIONS
    assert settings("--sections", "all", "--no-moto").sections == tuple(s for s in cli.SECTIONS if s != "moto")
    assert settings("--quick", "--secrets", "1k,30").populations == (1000, 30)
    assert settings("--rounds", "2", "--calls", "30").page == Timing(2, 3, 3)
    with pytest.raises(SystemExit, match="unknown section"):
        settings("--sections", "calls,speed")
    with pytest.raises(SystemExit, match="at least 1"):
        settings("--rounds", "0")


def test_moto_is_skipped_cleanly_when_absent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The suite never imports moto itself (issue 2: no other AWS mock in the tests); the benchmark
    # imports it lazily and reports it absent like this.
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "moto" else find_spec(name, *a))
    path = tmp_path / "no-moto.json"

    assert cli.main(["--sections", "moto", "--json", str(path)]) == 0

    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["moto"] == {"available": False} and record["targets"] == [] and record["passed"] is True


def test_benchmarks_use_only_public_sm_mock_names_and_import_moto_lazily() -> None:
    for source in _ROOT.glob("*.py"):
        text = source.read_text(encoding="utf-8")
        # sm_mock.testing and sm_mock.strategies are public modules (the Hypothesis extra's).
        assert not re.search(r"^\s*(from|import) sm_mock\.(?!testing\b|strategies\b)", text, re.M), source.name
        assert "_stack" not in text and "FAKE_CREDENTIALS" not in text, source.name
        assert not re.search(r"^(import|from) moto", text, re.M), source.name


def test_floor_answers_beside_an_active_mock_without_it_serving() -> None:
    session = new_session()
    with mock_secretsmanager() as sm:
        names = seed(sm, 2)
        floor = Floor(session)
        floor.answers["GetSecretValue"] = capture(
            session.client("secretsmanager"), "GetSecretValue", {"SecretId": names[0]}
        )
        calls_before = len(sm.calls)
        answer = floor.client.get_secret_value(SecretId="anything")
        floor.check(sm, "GetSecretValue", {"SecretId": "anything"})
        assert len(sm.calls) == calls_before and current() is sm
    assert answer["Name"] == names[0] and answer["SecretString"]
    assert secret_names(2) == names
    with pytest.raises(NoActiveMockError):
        current()


def test_staged_times_the_mocks_before_send_stage() -> None:
    with mock_secretsmanager() as sm:
        names = seed(sm, 3)
        client = new_session().client("secretsmanager")
        batch, own = staged(client, lambda n: [client.describe_secret(SecretId=names[i % 3]) for i in range(n)], "own")
        batch(4)
        batch(2)
    assert own.name == "own" and own.calls == 2 and len(own.wall) == len(own.cpu) == 2
    assert all(x > 0 for x in own.wall)


def test_interleaved_alternates_order_and_runs_every_contender_each_round() -> None:
    log: list[str] = []

    def contender(name: str) -> Contender:
        return Contender(name, lambda n: log.extend([name] * n))

    samples = interleaved([contender("a"), contender("b")], Timing(rounds=3, calls=1, warmup=1))

    assert log == ["a", "b", "a", "b", "b", "a", "a", "b"]
    assert all(len(s.wall) == 3 and len(s.cpu) == 3 for s in samples.values())
    with pytest.raises(ValueError, match="unique"):
        interleaved([Contender("a", print), Contender("a", print)], Timing(1, 1, 0))


def test_small_helpers() -> None:
    assert parse_sizes("100, 10_000,1k,0.5m") == (100, 10_000, 1_000, 500_000)
    with pytest.raises(ValueError):
        parse_sizes("0")
    assert Target("t", "d", 1.10, 1.10).passed and not Target("t", "d", float("nan"), 1.10).passed
    assert Target("t", "d", 1.2, 1.1).to_json()["result"] == "FAIL"
    lines = format_table(["name", "µs"], [["get", "12.5"], ["describe", "3.0"]]).splitlines()
    assert lines[0].startswith("name") and lines[2].endswith("12.5") and lines[3].endswith(" 3.0")


# ---- the instructions section (callgrind) -----------------------------------------------------
_DUMP = """version: 1
creator: callgrind-3.19.0
events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw
fn=main
0 1 1 1 0 0 0 0 0 0
summary: 2000 900 500 40 30 10 4 3 1
"""


def test_instruction_dumps_are_read_per_call() -> None:
    counts = instructions.parse_dump(_DUMP, calls=10)

    assert (counts["instructions"], counts["l1_misses"], counts["l2_misses"]) == (200, 8, 0.8)
    assert counts["est_cycles"] == pytest.approx(0.3 * 200 + 3 * 8 + 40 * 0.8)
    assert instructions.parse_dump(_DUMP.replace("summary:", "totals:"), calls=1)["instructions"] == 2000
    with pytest.raises(ValueError, match="not a callgrind dump"):
        instructions.parse_dump("events: Ir\n", calls=1)


def test_instruction_child_runs_every_contender_outside_valgrind() -> None:
    # The child is what runs under callgrind; run plainly, every contender's calls must succeed.
    for operation in instructions.CONTENDERS:
        instructions.child(operation, calls=2, population=25)
    with pytest.raises(NoActiveMockError):
        current()


def test_instruction_section_builds_ratios_and_skips_without_valgrind(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def counted(operation: str, calls: int, valgrind: str, workdir: Path) -> dict[str, dict[str, float]]:
        def counts(instructions: int) -> dict[str, float]:
            return {"instructions": instructions, "l1_misses": 10, "l2_misses": 1, "est_cycles": instructions / 2}

        base = {"mock": counts(1100), "floor": counts(1000)}
        if "direct" in instructions.CONTENDERS[operation]:
            base |= {"direct": counts(500), "stubber+add": counts(250)}
        return base

    monkeypatch.setattr(instructions, "_counted", counted)
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/valgrind")
    record = {"instructions": instructions.section(cli.QUICK)}

    rows = {row["operation"]: row for row in record["instructions"]["results"]}
    assert (
        rows["GetSecretValue"]["instruction_ratio"] == 1.1 and rows["GetSecretValue"]["direct_instruction_ratio"] == 2
    )
    assert "direct_instruction_ratio" not in rows["BatchGetSecretValue"]
    verdicts = {t.name: t.passed for t in cli.targets(record)}
    assert verdicts["instructions/mock_vs_floor/GetSecretValue"] is False  # 1.10 > 1.05 for a point call
    assert verdicts["instructions/mock_vs_floor/BatchGetSecretValue"] is True  # 1.10 <= 1.10 for a batch
    assert verdicts["instructions/direct_vs_stubber/GetSecretValue"] is False  # 2.0 > 1.3
    assert "1.100" in "\n".join(instructions.report(record["instructions"]))
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert instructions.section(cli.QUICK) == {"available": False}
    assert "valgrind is not on PATH" in capsys.readouterr().err


def test_the_async_section_compares_aiobotocore_with_its_floor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "async.json"

    assert cli.main(["--quick", "--sections", "async", "--rounds", "2", "--calls", "3", "--json", str(path)]) == 0

    record, printed = json.loads(path.read_text(encoding="utf-8")), capsys.readouterr().out
    if importlib.util.find_spec("aiobotocore") is None:
        assert record["async"] == {"available": False} and "aiobotocore is not installed" in printed
        return
    rows = {r["case"]: r for r in record["async"]["results"]}
    assert set(rows) == {"GetSecretValue", "DescribeSecret"} and "8. async clients" in printed
    for r in rows.values():
        assert _timed(r["mock"], 2) and _timed(r["floor"], 2) and _positive(r["ratio"])
    names = {t["name"] for t in record["targets"]}
    assert names == {"async_within_15%_of_floor/GetSecretValue", "async_within_15%_of_floor/DescribeSecret"}


def test_the_async_target_uses_its_limit() -> None:
    record: dict[str, Any] = {
        "async": {"results": [{"case": "GetSecretValue", "ratio": 1.14}, {"case": "DescribeSecret", "ratio": 1.16}]}
    }
    verdicts = {t.name: t.passed for t in cli.targets(record)}
    assert verdicts == {
        "async_within_15%_of_floor/GetSecretValue": True,
        "async_within_15%_of_floor/DescribeSecret": False,
    }
