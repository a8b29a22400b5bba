"""
Guard: a national year of ``lapor-core simulate`` stays under 4 minutes on a 2-core machine.

    python bench/bench_simulate.py [--smoke] [--days N]

The full run is what a user types, ``lapor-core simulate --scale national --days 365
--quiet``, run as ``python -m lapor_core`` (the CLI's own entry point, with its collector
setting) in a subprocess, in a temporary directory that holds its SQLite file (about 1 GB)
and is removed afterwards. The guard (``[PASS]``/``[FAIL]``; the policy is in
``_guards.py``) is the process's wall time, start-up and the closing indicators included:
what the user waits for. The figures the command prints (events, events per second, peak
memory) come with it as information.

``--smoke`` (what CI runs) simulates one national week and prints its rate and two
extrapolations to a year, as ``[info]`` only: a week says little about a year, whose
later days cost more (more open complaints to sweep, a larger cache and file), so both are
lower bounds. ``--days N`` runs N days and judges nothing unless N is 365.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time

from _guards import Verdicts

YEAR = 365
BUDGET_S = 240.0
SMOKE_DAYS = 7
YEAR_EVENTS = 1_641_345
"""Events of a national year with the default seed (the simulation is deterministic)."""
SUMMARY = re.compile(
    r"(?P<complaints>\d+) complaints, (?P<commands>\d+) commands \((?P<refused>\d+) refused\), "
    r"(?P<events>\d+) events in [\d.]+ s \((?P<rate>[\d,]+) events/s\), "
    r"peak memory (?P<mib>\d+) MiB"
)


def simulate(days: int) -> tuple[float, str]:
    """Wall seconds of ``lapor-core simulate --scale national --days *days*``, and its output."""
    command = [sys.executable, "-m", "lapor_core", "simulate", "--scale", "national"]
    command += ["--days", str(days), "--quiet"]
    with tempfile.TemporaryDirectory(prefix="lapor-bench-simulate-") as tmp:
        start = time.perf_counter()
        done = subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
            command,
            cwd=tmp,
            capture_output=True,
            text=True,
            check=False,
            timeout=3 * BUDGET_S * max(1, days / YEAR),
        )
        wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command[2:])} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return wall, done.stdout


def main(argv: list[str] | None = None) -> int:
    """Run the simulation and judge it; the exit status follows ``_guards.py``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1] if __doc__ else None)
    parser.add_argument("--smoke", action="store_true", help=f"{SMOKE_DAYS} days, for CI")
    parser.add_argument("--days", type=int, default=YEAR, help=f"days (default {YEAR})")
    args = parser.parse_args(argv)
    days = SMOKE_DAYS if args.smoke else args.days
    verdicts = Verdicts(smoke=args.smoke)

    print(f"lapor-core simulate --scale national --days {days} (a subprocess, in a temp dir)")
    wall, output = simulate(days)
    found = SUMMARY.search(output)
    if found is None:
        print(output)
        verdicts.info("the command's summary line", "not found (printed above)")
    else:
        events = int(found["events"])
        seconds = events / int(found["rate"].replace(",", ""))  # more digits than "in 1.3 s"
        print(f"  {found[0]}")
        verdicts.info(
            "the simulation loop",
            f"{seconds:.1f} s of {wall:.1f} s in all ({events / seconds:,.0f} events/s); "
            f"the rest is start-up and the closing indicators",
        )
    if days == YEAR:
        verdicts.guard(
            f"a national year of lapor-core simulate < {BUDGET_S:.0f} s",
            wall < BUDGET_S,
            f"{wall:.1f} s ({wall / 60:.1f} min)",
        )
    elif found is not None:
        rest = wall - seconds
        by_days = rest + seconds * YEAR / days
        by_events = rest + YEAR_EVENTS * seconds / events
        verdicts.info(
            f"a national year extrapolated from {days} days (lower bounds)",
            f"{by_days:.0f} s by simulated days, {by_events:.0f} s by events "
            f"({YEAR_EVENTS:,} in a year); the guard, < {BUDGET_S:.0f} s, is judged on a "
            "full run",
        )
    return verdicts.exit_status()


if __name__ == "__main__":
    sys.exit(main())
