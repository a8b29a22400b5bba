"""The mutation smoke's guard: a mutant killed before must stay killed."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "mutation.py"
MODULE = "lapor_core.domain.disposition.x_route__mutmut_"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_mutation", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def script(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    module = _script()
    monkeypatch.setattr(module, "BASELINES", tmp_path)
    monkeypatch.setattr(module, "ROOT", tmp_path)
    return module


def _result(script: ModuleType, **status_by_number: str) -> Any:
    statuses = {f"{MODULE}{n.removeprefix('m')}": s for n, s in status_by_number.items()}
    return script.ModuleResult("disposition", 1.0, statuses)


def test_the_baseline_is_the_killed_mutants(script: ModuleType, tmp_path: Path) -> None:
    script.write_baseline(_result(script, m1="killed", m2="survived", m3="timeout"))
    assert f"{MODULE}1\n" == (tmp_path / "disposition.txt").read_text(encoding="utf-8")


def test_a_run_that_kills_the_same_mutants_passes(script: ModuleType) -> None:
    script.write_baseline(_result(script, m1="killed", m2="survived"))
    assert [] == script.check_baseline(_result(script, m1="killed", m2="killed"))


def test_a_mutant_killed_before_that_survives_fails(script: ModuleType) -> None:
    script.write_baseline(_result(script, m1="killed", m2="killed"))
    problems = script.check_baseline(_result(script, m1="killed", m2="survived"))
    assert [f"{MODULE}2: killed before, survived now"] == problems


def test_a_mutant_killed_before_that_is_gone_fails(script: ModuleType) -> None:
    script.write_baseline(_result(script, m1="killed", m2="killed"))
    problems = script.check_baseline(_result(script, m1="killed"))
    assert 1 == len(problems)
    assert problems[0].startswith(f"{MODULE}2: no longer exists")


def test_no_baseline_fails(script: ModuleType) -> None:
    assert 1 == len(script.check_baseline(_result(script, m1="killed")))


def test_the_committed_baseline_names_disposition_mutants() -> None:
    names = (SCRIPT.parent / "mutation_baseline" / "disposition.txt").read_text("utf-8").split()
    assert names
    assert all(name.startswith("lapor_core.domain.disposition.") for name in names)


def test_the_row_counts_each_outcome(script: ModuleType) -> None:
    result = _result(script, m1="killed", m2="survived", m3="timeout", m4="no tests")
    assert "| `disposition` | 4 | 1 | 1 | 1 | 1 | 1 s |" == result.row()


def test_every_domain_module_with_code_of_its_own_is_mutated() -> None:
    # events and complaint hold declarations only (attrs classes, re-exports): mutmut
    # mutates function bodies, and finds none there
    without_code = {"__init__", "events", "complaint"}
    root = SCRIPT.parent.parent
    domain = {path.stem for path in (root / "src" / "lapor_core" / "domain").glob("*.py")}
    modules = _script().MODULES
    mutated = {Path(source).stem for source, _tests in modules.values() if "/domain/" in source}
    assert mutated == domain - without_code
    for source, tests in modules.values():
        assert (root / source).is_file(), source
        for test_file in tests:
            assert (root / test_file).is_file(), test_file


@pytest.mark.parametrize("module", ["events", "complaint"])
def test_the_modules_left_out_define_no_function(module: str) -> None:
    source = SCRIPT.parent.parent / "src" / "lapor_core" / "domain" / f"{module}.py"
    assert "def " not in source.read_text(encoding="utf-8")
