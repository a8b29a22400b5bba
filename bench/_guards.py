"""
The verdicts every ``bench/bench_*.py`` prints, and the exit status they give.

A *guard* is a figure a user of the library feels (a durable command, a load, a simulated
year) held to a bound; anything else a benchmark prints is information. The policy, the
same in every script:

- ``[PASS]`` or ``[FAIL]``: a guard, with its figure and its bound;
- ``[MISS]``: a guard that does not hold in a ``--smoke`` run, whose samples are too small
  (and CI's machine too busy) to judge; a smoke run always exits 0, since CI runs it to
  show that the scripts work, not to time them;
- ``[info]``: a figure printed for context, never judged;
- a full run exits 1 when a guard fails, 0 otherwise.

The first line of verdicts is the machine's pace at the moment: how long a plain Python
loop of additions takes in a function (:func:`pace`). The bounds are absolute, but the
machines of this project's runs have differed in speed by up to about two between days,
and the pace says which machine a figure came from. It gauges a tight loop only: it has
not followed an import's or a simulated year's time from one machine to another
(``docs/performance.md``), so it is no factor to scale a figure by.

This module is shared by the scripts beside it (it is not a benchmark: CI runs
``bench/bench_*.py``).
"""

from __future__ import annotations

import time

PACE_ADDITIONS = 10_000_000
"""The additions of :func:`pace`'s loop in a full run (a tenth of them in a smoke run)."""


def pace(additions: int = PACE_ADDITIONS, repeats: int = 3) -> float:
    """Seconds a loop adding *additions* integers takes here, the best of *repeats*."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        total = 0
        for number in range(additions):
            total += number
        best = min(best, time.perf_counter() - start)
    assert total == additions * (additions - 1) // 2  # noqa: S101 - the loop ran
    return best


class Verdicts:
    """Print verdicts and remember the guards that failed."""

    def __init__(self, *, smoke: bool) -> None:
        """Judge a full run, or a smoke run that never fails; print the machine's pace."""
        self.smoke = smoke
        self.failed: list[str] = []
        additions = PACE_ADDITIONS // 10 if smoke else PACE_ADDITIONS
        self.info("machine pace", f"a loop of {additions:,} additions in {pace(additions):.2f} s")

    def guard(self, label: str, ok: bool, figure: str) -> bool:  # noqa: FBT001 - a verdict
        """Print a guard's verdict with its figure; return whether it holds."""
        if ok:
            mark = "PASS"
        elif self.smoke:
            mark = "MISS"
        else:
            mark = "FAIL"
            self.failed.append(label)
        print(f"  [{mark}] {label}: {figure}")
        return ok

    @staticmethod
    def info(label: str, figure: str) -> None:
        """Print a figure that is not judged."""
        print(f"  [info] {label}: {figure}")

    def exit_status(self) -> int:
        """0, or 1 when a guard failed in a full run (said on the last line)."""
        if self.smoke:
            print("(smoke run: too small a sample to judge; a MISS does not fail it)")
        if self.failed:
            print(f"{len(self.failed)} guard(s) failed: {'; '.join(self.failed)}")
            return 1
        return 0
