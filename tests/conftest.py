# Copyright (c) 2026 lapor_core developers. SPDX-License-Identifier: MIT
"""Shared pytest configuration: Hypothesis profiles, and skips summed up by reason."""

from __future__ import annotations

import os
from collections import Counter

import pytest
from hypothesis import Phase, settings

settings.register_profile("quick", max_examples=50, deadline=None)
settings.register_profile("ci", max_examples=500, deadline=None)
# bench/mutation.py: the same examples for every mutant, so that a kill is repeatable, and
# no shrinking: a kill needs a failing example, not the smallest one (shrinking a failure
# of a property test can take minutes, which mutmut would count as a timeout)
settings.register_profile(
    "mutation",
    max_examples=50,
    deadline=None,
    derandomize=True,
    phases=(Phase.explicit, Phase.generate),
    report_multiple_bugs=False,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line per reason for the skipped tests (33 PostgreSQL tests give one line)."""
    reasons: Counter[str] = Counter()
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reasons[reason.removeprefix("Skipped: ")] += 1
    if reasons:
        terminalreporter.section("skipped, by reason")
        for reason, count in reasons.most_common():
            terminalreporter.write_line(f"{count} skipped: {reason}")
