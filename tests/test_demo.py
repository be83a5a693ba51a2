"""The README's first command: `python -m sm_mock demo`."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone

import pytest

from sm_mock import ManualClock
from sm_mock.__main__ import main


def test_demo_runs_the_scenario_and_reports_each_step(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    for expected in (
        "secret:prod/app/db-",
        "['AWSCURRENT']",
        "RotationSucceeded at 2026-02-05",
        "marked for deletion",
        "8 days later: Secrets Manager can't find the specified secret.",
        "ValidationException: Invalid name.",
        "<encrypted string>",
        "Done: nothing left the process.",
    ):
        assert expected in out
    assert "hunter2" not in out.split("== The backend holds no plaintext")[1].split("sm.backend.reveal")[0]


def test_demo_runs_as_a_module_in_a_fresh_interpreter() -> None:
    result = subprocess.run([sys.executable, "-m", "sm_mock", "demo"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Done: nothing left the process." in result.stdout


def test_manual_clock_moves_only_when_told() -> None:
    clock = ManualClock(datetime(2026, 1, 1))
    assert clock.now() == datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert clock.advance(days=2, hours=1) == datetime(2026, 1, 3, 1, tzinfo=timezone.utc)
    clock.set(datetime(2030, 5, 5, tzinfo=timezone.utc))
    assert clock.now().year == 2030
