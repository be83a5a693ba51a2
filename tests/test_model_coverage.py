"""The guard for the future: every operation and every input member of the installed botocore's
secretsmanager model is known to sm_mock, handled or listed here on purpose with a reason.

A new botocore that adds an operation or a member fails this test until the member is read by
its handler (a string literal naming it in the handler or in the operations functions the
handler calls) or added to :data:`NOT_READ` with the reason it needs no handling. CI runs it
on the newest botocore (a fresh install); on an older one it checks that model's members.
"""

from __future__ import annotations

import ast
import inspect
from functools import cache
from pathlib import Path

import botocore
import botocore.session
import pytest

import sm_mock.operations as operations_package
from sm_mock.operations import OPERATIONS, load_all

#: (operation, member) -> why the handler does not read it. Empty: every member is read.
NOT_READ: dict[tuple[str, str], str] = {}

_MODEL = botocore.session.get_session().get_service_model("secretsmanager")
_PACKAGE = Path(operations_package.__file__).parent


@cache
def _functions() -> dict[str, ast.FunctionDef]:
    """Every module-level function of sm_mock/operations/, by name."""
    found: dict[str, ast.FunctionDef] = {}
    for path in sorted(_PACKAGE.glob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef):
                found.setdefault(node.name, node)
    return found


def _literals_reached(name: str) -> set[str]:
    """The string literals of a function and of the operations functions it calls, transitively
    (nested functions included: they are part of the body)."""
    functions, seen, literals = _functions(), set(), set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen or current not in functions:
            continue
        seen.add(current)
        for node in ast.walk(functions[current]):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                literals.add(node.value)
            elif isinstance(node, ast.Call):
                callee = node.func
                called = callee.id if isinstance(callee, ast.Name) else getattr(callee, "attr", None)
                if called is not None:
                    todo.append(called)
    return literals


def _members() -> list[tuple[str, str]]:
    out = []
    for operation in _MODEL.operation_names:
        shape = _MODEL.operation_model(operation).input_shape
        out.extend((operation, member) for member in (shape.members if shape is not None else {}))
    return out


load_all()


@pytest.mark.parametrize("operation", _MODEL.operation_names)
def test_every_operation_of_the_model_has_a_handler(operation: str) -> None:
    assert operation in OPERATIONS, (
        f"botocore {botocore.__version__} has {operation}, which sm_mock does not answer: add a handler "
        "in sm_mock/operations/ (@operation) and a test through a boto3 client"
    )


@pytest.mark.parametrize(("operation", "member"), _members(), ids=lambda value: str(value))
def test_every_input_member_of_the_model_is_read_or_listed(operation: str, member: str) -> None:
    if (operation, member) in NOT_READ:
        return
    handler = OPERATIONS[operation]
    literals = _literals_reached(handler.__name__)
    assert member in literals, (
        f"botocore {botocore.__version__}'s {operation} has the input member {member}, which its handler "
        f"{inspect.getsourcefile(handler)}:{handler.__name__} never reads. Handle it (and test it through "
        "boto3), or add it to NOT_READ in tests/test_model_coverage.py with the reason it needs nothing."
    )


def test_members_listed_on_purpose_still_exist() -> None:
    # A listed member that the model dropped, or that the handler now reads, is stale.
    members = set(_members())
    for operation, member in NOT_READ:
        assert (operation, member) in members, f"{operation}.{member} is no longer in the model"
        assert member not in _literals_reached(OPERATIONS[operation].__name__), f"{operation}.{member} is read now"


def test_the_walk_sees_what_it_should() -> None:
    # The walk is not vacuous: it finds a member read through a helper (require_token reads
    # ClientRequestToken for CreateSecret), and not one no handler reads.
    assert "ClientRequestToken" in _literals_reached(OPERATIONS["CreateSecret"].__name__)
    assert "NoSuchMember" not in _literals_reached(OPERATIONS["CreateSecret"].__name__)
    assert len(_members()) > 60


def test_the_readme_lists_every_operation() -> None:
    readme = (_PACKAGE.parent.parent / "README.md").read_text()
    section = readme.split("## Operations", 1)[1].split("\n## ", 1)[0]
    missing = [operation for operation in _MODEL.operation_names if operation not in section]
    assert not missing, f"README.md's Operations section does not name {missing}"
    assert f"All {len(OPERATIONS)} operations" in section
