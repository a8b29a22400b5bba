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

This module is shared by the scripts beside it (it is not a benchmark: CI runs
``bench/bench_*.py``).
"""

from __future__ import annotations


class Verdicts:
    """Print verdicts and remember the guards that failed."""

    def __init__(self, *, smoke: bool) -> None:
        """Judge a full run, or a smoke run that never fails."""
        self.smoke = smoke
        self.failed: list[str] = []

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
