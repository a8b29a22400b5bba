# Copyright (c) 2026 lapor_core developers. SPDX-License-Identifier: MIT
"""
Benchmark of a deadline as a user computes it, next to a naive day loop and numpy.

Usage: ``python bench/bench_calendar.py [--cases 100000] [--smoke] [--seed 2025]``.

What a user of the calendar asks for is a deadline: ``WorkingCalendar.deadline(start, n)``
from an aware instant, the time-zone conversion included (the service asks it for every
running clock when it writes a projection row, ``lapor-core recompute`` for every open
clock when a new decree lands). Its guards (``[PASS]``/``[FAIL]``; the policy is in
``_guards.py``): a deadline 60 working days out costs about what one 3 days out costs
(flat in N), and it is at least 20x faster than counting day by day at N=60, which is what
the index arithmetic is for. ``add_working_days`` on a date (what the deadline is built on)
and ``numpy.busday_offset`` are printed beside it as references, not judged. Every
contender runs over the same random cases; the cost per call is the best of a few repeats,
which go round every mode in turn.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from _guards import Verdicts
from lapor_core import WorkingCalendar

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

SMOKE_CASES = 2_000
REPEATS = 5
NAIVE_REPEATS = 3
NAIVE_TARGET = 20.0  # at least 20x faster than the naive loop at N=60
FLAT_TARGET = 1.5  # slowest N mode within 1.5x of the fastest
ONE_DAY = timedelta(days=1)


def _naive_add(day: date, n: int, off: frozenset[date]) -> date:
    """Day-by-day reference: the n-th working day strictly after ``day``."""
    current = day
    if n == 0:
        while current.weekday() >= 5 or current in off:
            current += ONE_DAY
        return current
    counted = 0
    while counted < n:
        current += ONE_DAY
        if current.weekday() < 5 and current not in off:
            counted += 1
    return current


def _time_deadline(cal: WorkingCalendar, starts: Sequence[datetime], ns: Sequence[int]) -> int:
    deadline = cal.deadline
    t0 = time.perf_counter_ns()
    for start, n in zip(starts, ns, strict=True):
        deadline(start, n)
    return time.perf_counter_ns() - t0


def _time_add(cal: WorkingCalendar, days: Sequence[date], ns: Sequence[int]) -> int:
    add = cal.add_working_days
    t0 = time.perf_counter_ns()
    for day, n in zip(days, ns, strict=True):
        add(day, n)
    return time.perf_counter_ns() - t0


def _time_naive(off: frozenset[date], days: Sequence[date], ns: Sequence[int]) -> int:
    t0 = time.perf_counter_ns()
    for day, n in zip(days, ns, strict=True):
        _naive_add(day, n, off)
    return time.perf_counter_ns() - t0


def _time_numpy(np: Any, busdaycal: Any, days: Sequence[date], ns: Sequence[int]) -> int:  # noqa: ANN401 - numpy is optional and imported lazily
    offset = np.busday_offset
    t0 = time.perf_counter_ns()
    for day, n in zip(days, ns, strict=True):
        offset(day, n, roll="backward" if n else "forward", busdaycal=busdaycal)
    return time.perf_counter_ns() - t0


def _load_numpy() -> Any | None:  # noqa: ANN401 - numpy is optional and imported lazily
    try:
        return importlib.import_module("numpy")
    except ImportError:
        return None


def _fmt(ns_per_call: float) -> str:
    if ns_per_call >= 10_000:
        return f"{ns_per_call / 1000:9.1f} us"
    return f"{ns_per_call:9.0f} ns"


class _Cases:
    """The random cases shared by every contender."""

    def __init__(self, calendar: WorkingCalendar, cases: int, seed: int) -> None:
        first, last = calendar.first_date, calendar.last_date
        span = (last - first).days
        every_day = [first + timedelta(days=i) for i in range(span + 1)]
        self.off = frozenset(
            day for day in every_day if day.weekday() < 5 and not calendar.is_working_day(day)
        )
        rng = random.Random(seed)
        # Keep 200 days clear of the end so that N up to 120 never runs off the data.
        self.days = [first + timedelta(days=rng.randrange(span - 200)) for _ in range(cases)]
        self.starts = [
            datetime.combine(day, datetime.min.time(), tzinfo=UTC)
            + timedelta(seconds=rng.randrange(86_400))
            for day in self.days
        ]
        self.modes: dict[str, list[int]] = {
            "N=3": [3] * cases,
            "N=60": [60] * cases,
            "N=0..120": [rng.randint(0, 120) for _ in range(cases)],
        }


def _numpy_check(np: Any, calendar: WorkingCalendar, cases: _Cases) -> Any:  # noqa: ANN401 - numpy is optional and imported lazily
    busdaycal = np.busdaycalendar(
        weekmask="1111100", holidays=np.array(sorted(cases.off), dtype="datetime64[D]")
    )
    sample = zip(cases.days[:500], cases.modes["N=0..120"][:500], strict=True)
    agree = all(
        np.busday_offset(d, n, roll="backward" if n else "forward", busdaycal=busdaycal)
        == np.datetime64(calendar.add_working_days(d, n), "D")
        for d, n in sample
    )
    print(f"  numpy.busday_offset agrees on 500 cases: {agree}")
    return busdaycal


def _measure(
    calendar: WorkingCalendar,
    cases: _Cases,
    np: Any,  # noqa: ANN401 - numpy is optional and imported lazily
    busdaycal: Any,  # noqa: ANN401
) -> dict[str, dict[str, float]]:
    count = len(cases.days)
    runs: dict[str, dict[str, tuple[Callable[[], int], int]]] = {}
    for mode, ns in cases.modes.items():
        runs[mode] = {
            "deadline (aware datetime, tz)": (
                functools.partial(_time_deadline, calendar, cases.starts, ns),
                REPEATS,
            ),
            "add_working_days (date)": (
                functools.partial(_time_add, calendar, cases.days, ns),
                REPEATS,
            ),
            "naive day loop": (
                functools.partial(_time_naive, cases.off, cases.days, ns),
                NAIVE_REPEATS,
            ),
        }
        if np is not None:
            runs[mode]["numpy.busday_offset per date"] = (
                functools.partial(_time_numpy, np, busdaycal, cases.days, ns),
                NAIVE_REPEATS,
            )
    # Repeats go round every mode in turn, so that a busy moment on a shared machine
    # hits them alike and cannot make one mode look slower than another.
    best: dict[str, dict[str, int]] = {mode: {} for mode in runs}
    for repeat in range(REPEATS):
        for mode, contenders in runs.items():
            for name, (run, repeats) in contenders.items():
                if repeat < repeats:
                    elapsed = run()
                    best[mode][name] = min(best[mode].get(name, elapsed), elapsed)
    results: dict[str, dict[str, float]] = {}
    for mode, row_ns in best.items():
        row = {name: ns / count for name, ns in row_ns.items()}
        results[mode] = row
        naive = row["naive day loop"]
        print()
        print(f"{mode}:")
        print(f"  {'contender':<32} {'per call':>12} {'x faster than naive':>20}")
        for name, cost in row.items():
            print(f"  {name:<32} {_fmt(cost):>12} {naive / cost:20.1f}")
    return results


def _report_targets(results: dict[str, dict[str, float]], verdicts: Verdicts) -> None:
    deadline = "deadline (aware datetime, tz)"
    add = "add_working_days (date)"
    deadline_costs = [row[deadline] for row in results.values()]
    add_costs = [row[add] for row in results.values()]
    at_60 = results["N=60"]
    print()
    print("Guards (a deadline as a user computes it):")
    verdicts.guard(
        f"deadline >= {NAIVE_TARGET:g}x faster than a day-by-day loop at N=60",
        at_60["naive day loop"] / at_60[deadline] >= NAIVE_TARGET,
        f"{at_60['naive day loop'] / at_60[deadline]:.1f}x ({_fmt(at_60[deadline]).strip()})",
    )
    verdicts.guard(
        f"deadline flat in N (slowest / fastest mode <= {FLAT_TARGET:g})",
        max(deadline_costs) / min(deadline_costs) <= FLAT_TARGET,
        f"{max(deadline_costs) / min(deadline_costs):.2f}",
    )
    verdicts.info(
        "add_working_days on a date, at N=60",
        f"{_fmt(at_60[add]).strip()}, {at_60['naive day loop'] / at_60[add]:.1f}x faster than "
        f"the loop, slowest / fastest mode {max(add_costs) / min(add_costs):.2f}",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the figures; the exit status follows ``_guards.py``."""
    parser = argparse.ArgumentParser(description="Benchmark of WorkingCalendar.")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--smoke", action="store_true", help=f"{SMOKE_CASES} cases, for CI")
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args(argv)
    count = SMOKE_CASES if args.smoke else args.cases

    t0 = time.perf_counter()
    calendar = WorkingCalendar(include_cuti_bersama=True)
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    WorkingCalendar(time_zone="Asia/Makassar", include_cuti_bersama=True)
    rebuild_s = time.perf_counter() - t0

    cases = _Cases(calendar, count, args.seed)
    print(f"WorkingCalendar benchmark: {count:,} cases, best of {REPEATS} repeats")
    print(f"  (naive loop and numpy: best of {NAIVE_REPEATS})")
    print(f"  range {calendar.first_date}..{calendar.last_date}, cuti bersama included,")
    print(f"  zone {calendar.time_zone}, starts are aware datetimes in UTC")
    print(f"  build (cold, incl. holidays lookup): {build_s * 1000:.1f} ms")
    print(f"  build (warm cache, another zone):    {rebuild_s * 1000:.1f} ms")
    sample = zip(cases.days[:2000], cases.modes["N=0..120"][:2000], strict=True)
    mismatches = sum(
        calendar.add_working_days(d, n) != _naive_add(d, n, cases.off) for d, n in sample
    )
    print(f"  oracle check on 2,000 cases: {mismatches} mismatch(es)")
    np = _load_numpy()
    busdaycal = None
    if np is None:
        print("  numpy not installed: numpy.busday_offset skipped (pip install numpy)")
    else:
        busdaycal = _numpy_check(np, calendar, cases)

    verdicts = Verdicts(smoke=args.smoke)
    _report_targets(_measure(calendar, cases, np, busdaycal), verdicts)
    return verdicts.exit_status()


if __name__ == "__main__":
    sys.exit(main())
