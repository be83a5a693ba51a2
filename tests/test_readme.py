"""The README's examples run as written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def _block(heading: str) -> str:
    text = README.read_text()
    match = re.search(rf"^## {re.escape(heading)}\n.*?```python\n(.*?)```", text, re.S | re.M)
    assert match, f"no python example under '## {heading}'"
    return match.group(1)


@pytest.mark.parametrize("heading", ["Usage", "Chaos testing"])
def test_readme_example_runs(heading: str) -> None:
    namespace: dict[str, Any] = {}
    exec(compile(_block(heading), f"README.md ({heading})", "exec"), namespace)
    tests = [fn for name, fn in namespace.items() if name.startswith("test_") and callable(fn)]
    assert tests
    for test in tests:
        test()
