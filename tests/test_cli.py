"""The command line: its help reads as plain text under either name it is started by."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

#: The script installed beside this interpreter (a venv's bin/), else one on PATH.
_BESIDE = Path(sys.executable).with_name("sm-mock")
SCRIPT = str(_BESIDE) if _BESIDE.exists() else shutil.which("sm-mock")


@pytest.mark.parametrize("command", [[sys.executable, "-m", "sm_mock"], ["sm-mock"]], ids=["module", "script"])
def test_help_names_the_command_and_has_no_markup(command: list[str]) -> None:
    if command[0] == "sm-mock":
        if SCRIPT is None:
            pytest.skip("the sm-mock script is not installed in this environment")
        command = [SCRIPT]
    result = subprocess.run([*command, "--help"], capture_output=True, text=True, timeout=60, check=True)
    expected = "python -m sm_mock" if command[0] == sys.executable else "sm-mock"
    assert result.stdout.startswith(f"usage: {expected} ")
    assert "``" not in result.stdout
    assert "demo" in result.stdout
