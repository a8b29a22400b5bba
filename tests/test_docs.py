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


def _examples() -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        for index, block in enumerate(FENCE.findall(page.read_text(encoding="utf-8"))):
            found.append((f"{page.name}#{index}", block))
    return found


EXAMPLES = _examples()


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 2


@pytest.mark.parametrize(("name", "code"), EXAMPLES, ids=[name for name, _ in EXAMPLES])
def test_example_runs(name: str, code: str) -> None:
    namespace: dict[str, object] = {"__name__": f"docs_example_{name}"}
    exec(compile(code, name, "exec"), namespace)  # noqa: S102 - running our own docs is the point
    assert len(namespace) > 1


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
