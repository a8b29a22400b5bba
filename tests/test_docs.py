"""The docs are executed: every Python example runs, and generated pages are current."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"```python\n(.*?)```", re.DOTALL)


def _examples() -> list[tuple[str, list[str]]]:
    """Each page with its Python blocks, which run in order in one namespace."""
    found = []
    for page in PAGES:
        blocks = FENCE.findall(page.read_text(encoding="utf-8"))
        if blocks:
            found.append((page.name, blocks))
    return found


EXAMPLES = _examples()


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize(("name", "blocks"), EXAMPLES, ids=[name for name, _ in EXAMPLES])
def test_page_examples_run(name: str, blocks: list[str]) -> None:
    """Each page's examples run in order and check their own results with assert."""
    assert any("assert " in code for code in blocks), f"{name}: examples assert nothing"
    namespace: dict[str, object] = {"__name__": f"docs_example_{name}"}
    for index, code in enumerate(blocks):
        exec(compile(code, f"{name}#{index}", "exec"), namespace)  # noqa: S102 - our own docs


def test_generated_pages_are_current() -> None:
    result = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [sys.executable, str(ROOT / "docs" / "gen_pages.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert 0 == result.returncode, result.stderr


def test_readme_test_command_is_what_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = next(
        line for line in readme.splitlines() if "pip install" in line and "pytest" in line
    )
    assert command.strip() in ci
