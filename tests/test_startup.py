"""What ``import lapor_core`` loads: the core, not the machinery of its optional parts."""

from __future__ import annotations

import json
import subprocess
import sys

from lapor_core import load_profile
from lapor_core.domain.lifecycle import Lifecycle, mermaid

HEAVY = ("asyncio", "transitions.extensions.diagrams", "starlette", "psycopg", "jinja2")
PROBE = "import json, sys, lapor_core; print(json.dumps([m for m in {!r} if m in sys.modules]))"


def test_importing_the_core_loads_no_event_loop_web_or_drawing_module() -> None:
    found = subprocess.run(  # noqa: S603 - our own interpreter and probe
        [sys.executable, "-c", PROBE.format(HEAVY)], capture_output=True, text=True, check=True
    )
    assert json.loads(found.stdout) == []


def test_the_diagram_is_still_drawn_by_transitions() -> None:
    diagram = mermaid(Lifecycle(load_profile("national")))
    assert "title: lifecycle of profile national" in diagram
    assert "stateDiagram-v2" in diagram
    assert "submitted --> forwarded: Forward" in diagram
    assert "transitions.extensions.diagrams" in sys.modules
