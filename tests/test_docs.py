"""The docs are executed: every Python example runs, and generated pages are current."""

from __future__ import annotations

import ast
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


def _raises_assertion(statements: list[ast.stmt]) -> bool:
    """Whether *statements* raise ``AssertionError`` (e.g. ``raise AssertionError("...")``)."""
    for node in statements:
        if isinstance(node, ast.Raise) and node.exc is not None:
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(exc, ast.Name) and exc.id == "AssertionError":
                return True
    return False


def unproven_refusals(code: str) -> list[int]:
    """
    Lines of the ``try`` blocks in *code* that show a refusal without proving it.

    A ``try`` with an ``except`` clause shows that something is refused; unless its
    ``else`` clause raises ``AssertionError``, the example would pass just the same when
    nothing is raised. A ``try`` with only ``finally`` shows no refusal.
    """
    return [
        node.lineno
        for node in ast.walk(ast.parse(code))
        if isinstance(node, ast.Try) and node.handlers and not _raises_assertion(node.orelse)
    ]


@pytest.mark.parametrize(("name", "blocks"), EXAMPLES, ids=[name for name, _ in EXAMPLES])
def test_page_examples_prove_their_refusals(name: str, blocks: list[str]) -> None:
    """Every ``try``/``except`` in an example has ``else: raise AssertionError(...)``."""
    unproven = [
        f"{name}#{index} line {line}"
        for index, code in enumerate(blocks)
        for line in unproven_refusals(code)
    ]
    assert not unproven, (
        "these examples show a refusal but would pass if nothing were raised; "
        f"add `else: raise AssertionError(...)`: {unproven}"
    )


def test_the_refusal_rule_catches_a_refusal_that_does_not_happen() -> None:
    silent = "try:\n    ok()\nexcept ValueError:\n    pass\n"
    proven = silent + "else:\n    raise AssertionError('ok() must be refused')\n"
    weak_else = silent + "else:\n    print('accepted')\n"
    cleanup = "try:\n    ok()\nfinally:\n    done()\n"
    assert [1] == unproven_refusals(silent)
    assert [] == unproven_refusals(proven)
    assert [1] == unproven_refusals(weak_else)
    assert [] == unproven_refusals(cleanup)


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
