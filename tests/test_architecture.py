"""
The domain core stays pure: it imports no I/O, reads no clock and no environment.

Which of our own packages a module may import is import-linter's job (the contracts in
pyproject.toml, run by tests/test_import_contracts.py); this file checks what a contract
cannot see: third-party imports outside the design card and calls that read the clock or
the environment.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import lapor_core

PACKAGE = Path(lapor_core.__file__).parent
DOMAIN = sorted((PACKAGE / "domain").glob("*.py"))

# What the domain may import: the stdlib modules below, our own domain and errors, and
# the pure third-party libraries on the design card.
ALLOWED_THIRD_PARTY = {"attrs", "cattrs", "dateutil", "holidays", "transitions"}
ALLOWED_STDLIB = {
    "__future__",
    "bisect",
    "collections",
    "datetime",
    "enum",
    "functools",
    "itertools",
    "math",
    "operator",
    "re",
    "tomllib",
    "types",
    "typing",
    "zoneinfo",
}
# Attribute names that read the clock or the environment, whatever they hang off.
FORBIDDEN_ATTRIBUTES = {
    "now",
    "utcnow",
    "today",
    "time",
    "monotonic",
    "perf_counter",
    "environ",
    "getenv",
}
FORBIDDEN_NAMES = {"open", "input", "print"}


def _imports(tree: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _violations(source: str) -> list[str]:
    tree = ast.parse(source)
    problems = []
    for name in _imports(tree):
        top = name.split(".")[0]
        if top != "lapor_core" and top not in ALLOWED_THIRD_PARTY | ALLOWED_STDLIB:
            problems.append(f"imports {name}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRIBUTES:
            problems.append(f"uses .{node.attr}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in FORBIDDEN_NAMES
        ):
            problems.append(f"calls {node.func.id}()")
    return problems


def test_domain_modules_exist() -> None:
    assert {p.stem for p in DOMAIN} >= {
        "model",
        "actors",
        "agencies",
        "lifecycle",
        "commands",
        "events",
        "complaint",
        "disposition",
        "profile",
    }


@pytest.mark.parametrize("path", DOMAIN, ids=lambda p: p.stem)
def test_domain_module_is_pure(path: Path) -> None:
    assert [] == _violations(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "snippet",
    [
        "import sqlite3",
        "import os",
        "from psycopg import connect",
        "import datetime\nx = datetime.datetime.now()",
        "from datetime import datetime\nx = datetime.now()",
        "from datetime import date\nx = date.today()",
        "import time\nx = time.time()",
        "x = open('f')",
        "import os\nx = os.environ['X']",
        "import socket",
    ],
)
def test_checker_catches_impurity(snippet: str) -> None:
    assert _violations(snippet) != []


def test_checker_accepts_pure_code() -> None:
    assert [] == _violations("import attrs\nfrom lapor_core.errors import LaporError\nx = 1")
