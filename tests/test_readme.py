"""Every ``python`` code block of the README and of docs/ runs as printed (issue 21).

A block that defines tests runs through a real pytest session (pytester, with sm_mock's plugin
as a user has it), and all its tests must pass; any other block runs as a script. A block that
imports an optional package (moto; aiobotocore, aioboto3, pytest-asyncio or anyio of the
``async`` extra) is skipped where that package is not installed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
_TEST = re.compile(r"^(?:async )?def (test_\w+)", re.M)
_IMPORT = re.compile(r"^(?:from|import) (\w+)", re.M)
#: Packages of the optional extras: a block importing one is skipped without it.
OPTIONAL = {"moto", "aiobotocore", "aioboto3", "pytest_asyncio", "anyio"}


def _blocks() -> list[object]:
    params: list[object] = []
    for document in DOCUMENTS:
        text = document.read_text()
        for match in _BLOCK.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            name = f"{document.relative_to(ROOT)}:{line}"
            params.append(pytest.param(match.group(1), id=name))
    return params


BLOCKS = _blocks()


def test_the_documents_have_examples() -> None:
    assert len(BLOCKS) >= 7


@pytest.mark.parametrize("block", BLOCKS)
def test_the_example_runs_as_printed(block: str, pytester: pytest.Pytester) -> None:
    for package in sorted(set(_IMPORT.findall(block)) & OPTIONAL):
        pytest.importorskip(package)
    needs = re.search(r"^# needs botocore>=([\d.]+)", block, re.M)
    if needs is not None:
        import botocore

        wanted = tuple(int(part) for part in needs.group(1).split("."))
        installed = tuple(int(part) for part in botocore.__version__.split(".")[:3])
        if installed < wanted:
            pytest.skip(f"the example uses operations of botocore>={needs.group(1)} (installed {botocore.__version__})")
    tests = _TEST.findall(block)
    if tests:
        pytester.makepyfile(test_example=block)
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly", "-q")
        result.assert_outcomes(passed=len(tests))
    else:
        script = pytester.makepyfile(example=block)
        result = pytester.runpython(script)
        assert result.ret == 0, result.stderr.str()
