"""The layering is enforced by import-linter's contracts in pyproject.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path

from importlinter.cli import EXIT_STATUS_SUCCESS, lint_imports

import lapor_core

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(lapor_core.__file__).parent


def _layers(name_start: str) -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    contract = next(c for c in contracts if c["name"].startswith(name_start))
    return {m.strip() for layer in contract["layers"] for m in layer.split("|")}


def test_the_import_contracts_are_kept() -> None:
    assert EXIT_STATUS_SUCCESS == lint_imports(
        config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True
    )


def test_every_domain_module_has_its_layer() -> None:
    modules = {
        f"lapor_core.domain.{path.stem}"
        for path in (PACKAGE / "domain").glob("*.py")
        if path.stem != "__init__"
    }
    assert modules == _layers("The domain's layers")


def test_every_top_level_part_has_its_layer() -> None:
    parts = {
        f"lapor_core.{path.stem}"
        for path in PACKAGE.iterdir()
        if (path.suffix == ".py" and path.stem != "__init__")
        or (path.is_dir() and (path / "__init__.py").exists())
    }
    assert parts == _layers("The package's layers")
