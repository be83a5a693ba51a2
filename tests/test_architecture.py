"""The layering rules of docs/design.md, checked by reading the package's imports.

Every import counts: at module level, inside functions, and under ``TYPE_CHECKING``. A new
cycle, an upward import, botocore outside ``sm_mock/botocore/`` or a lock taken in an operation
handler fails here, in CI, before it becomes a habit.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

import sm_mock

PACKAGE = Path(sm_mock.__file__).parent
#: The one place outside sm_mock/botocore/ that reads botocore: the service model accessor.
SERVICE_MODEL_ACCESSOR = "sm_mock.protocol.validation"
#: Its sibling for botocore's endpoint data (the partitions of regions).
PARTITIONS_ACCESSOR = "sm_mock.protocol.partitions"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    is_package = _modules()[module].name == "__init__.py"
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


@cache
def imports(module: str) -> frozenset[str]:
    """Every module ``module`` imports (absolute names; ``from x import y`` counts x.y when y
    is a module)."""
    tree = ast.parse(_modules()[module].read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            submodules = {f"{target}.{alias.name}" for alias in node.names} & _modules().keys()
            found.update(submodules or {target})
    return frozenset(found)


def internal_imports(module: str) -> set[str]:
    """The sm_mock modules ``module`` imports, a package's ``__init__`` standing for the package."""
    out = set()
    for name in imports(module):
        while name and name not in _modules():
            name = name.rpartition(".")[0]
        if name.startswith("sm_mock") and name != module:
            out.add(name)
    return out


def _cycles() -> list[list[str]]:
    graph = {module: internal_imports(module) for module in _modules()}
    # A package's __init__ re-exporting its own modules points down into the package: that is
    # the package's face, not a dependency, so edges from a package into itself are left out.
    for module, targets in graph.items():
        if _modules()[module].name == "__init__.py":
            graph[module] = {t for t in targets if not t.startswith(module + ".")}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def test_no_import_cycle_among_the_package_modules() -> None:
    assert _cycles() == []


def test_the_cycle_check_sees_a_cycle(monkeypatch: pytest.MonkeyPatch) -> None:
    # model.secret importing the service would be a cycle (service imports secret).
    original = imports.__wrapped__

    def with_cycle(module: str) -> frozenset[str]:
        found = original(module)
        return found | {"sm_mock.model.service"} if module == "sm_mock.model.secret" else found

    monkeypatch.setattr(__import__(__name__), "imports", with_cycle)
    assert any("sm_mock.model.secret" in component for component in _cycles())


def _in(package: str) -> list[str]:
    return sorted(m for m in _modules() if m == package or m.startswith(package + "."))


@pytest.mark.parametrize("module", _in("sm_mock.model"))
def test_the_model_imports_no_json_and_no_botocore(module: str) -> None:
    names = imports(module)
    assert not {n for n in names if n == "json" or n.startswith(("json.", "botocore", "boto3"))}
    upward = {
        n
        for n in internal_imports(module)
        if n.startswith(("sm_mock.operations", "sm_mock.protocol", "sm_mock.botocore", "sm_mock.rotation"))
        or n in {"sm_mock.session", "sm_mock.mock", "sm_mock.pipeline"}
    }
    assert not upward, f"{module} imports upward: {upward}"


@pytest.mark.parametrize("module", sorted(_modules()))
def test_only_the_botocore_package_imports_botocore(module: str) -> None:
    if module.startswith("sm_mock.botocore") or module in (SERVICE_MODEL_ACCESSOR, PARTITIONS_ACCESSOR):
        return
    assert not {n for n in imports(module) if n == "botocore" or n.startswith("botocore.")}


@pytest.mark.parametrize("module", _in("sm_mock.operations"))
def test_operations_take_no_lock_and_leave_rotation_and_replication_to_the_model(module: str) -> None:
    assert not {n for n in internal_imports(module) if "rotation" in n or "replication" in n}
    tree = ast.parse(_modules()[module].read_text())
    locks = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Attribute) and node.attr == "lock"]
    assert not locks, f"{module} touches a lock at lines {locks}"


def test_nothing_below_the_session_receives_the_mock() -> None:
    # sm_mock.testing drives whole mocks (a fresh one per example) and sits above mock.py.
    top = {"sm_mock", "sm_mock.mock", "sm_mock.pytest_plugin", "sm_mock.__main__", *_in("sm_mock.testing")}
    below = [m for m in _modules() if m not in top]
    offenders = sorted(m for m in below if "sm_mock.mock" in internal_imports(m))
    assert offenders == []


@pytest.mark.parametrize("module", _in("sm_mock.server"))
def test_the_server_is_a_transport_beside_botocore(module: str) -> None:
    # Server mode enters the pipeline as the botocore hook does, and needs neither the hook nor
    # the mock (which hands it the session to serve).
    offenders = {n for n in internal_imports(module) if n.startswith("sm_mock.botocore") or n == "sm_mock.mock"}
    assert not offenders, f"{module} imports {offenders}"


@pytest.mark.parametrize("module", _in("sm_mock.agent"))
def test_the_local_endpoint_reads_only_through_the_pipeline(module: str) -> None:
    # Issue 20: the endpoint's reads are the mock's own GetSecretValue (call log, faults,
    # quotas, clock), so it never reaches past the pipeline into the operations or the model,
    # and it is not a botocore transport.
    reached = {
        n
        for n in internal_imports(module)
        if n.startswith(("sm_mock.operations", "sm_mock.model", "sm_mock.botocore", "sm_mock.protocol"))
        or n in {"sm_mock.mock", "sm_mock.pytest_plugin"}
    }
    assert not reached, f"{module} reaches {reached}"
