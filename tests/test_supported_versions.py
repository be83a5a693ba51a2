"""The botocore versions sm_mock supports (issue 15): one floor, stated alike everywhere."""

from __future__ import annotations

import re
from pathlib import Path

import botocore

from sm_mock import choices

ROOT = Path(__file__).resolve().parent.parent


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:3])


def test_the_floor_is_the_same_in_pyproject_ci_and_the_readme() -> None:
    floor = choices.OLDEST_BOTOCORE
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.findall(r'"botocore>=([\d.]+)"', pyproject) == [floor]
    assert f'OLDEST_BOTOCORE="${{OLDEST_BOTOCORE:-{floor}}}"' in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert f"`botocore>={floor}`" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_installed_botocore_is_supported() -> None:
    assert _version(botocore.__version__) >= _version(choices.OLDEST_BOTOCORE)
