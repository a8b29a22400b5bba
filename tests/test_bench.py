"""The benchmarks use only the public API, so that a rewrite of the internals keeps them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
SCRIPTS = sorted(BENCH.glob("*.py"))


def _private_imports(path: Path) -> list[str]:
    """Every ``lapor_core`` module or name with a ``_`` part that *path* imports."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found += [
            name
            for name in names
            if name.split(".")[0] == "lapor_core"
            and any(part.startswith("_") for part in name.split("."))
        ]
    return found


def test_there_are_benchmarks() -> None:
    assert {"bench_calendar.py", "bench_lifecycle.py", "bench_simulate.py", "bench_storage.py"} <= {
        p.name for p in SCRIPTS
    }


@pytest.mark.parametrize("path", SCRIPTS, ids=[p.name for p in SCRIPTS])
def test_benchmark_imports_only_public_names(path: Path) -> None:
    """No benchmark imports a private module or name of lapor_core."""
    assert [] == _private_imports(path)
