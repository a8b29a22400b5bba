# Copyright (c) 2026 lapor_core developers. SPDX-License-Identifier: MIT
"""
Benchmark of WorkingCalendar against a dict-lookup floor, a naive day loop and numpy.

Usage: ``python bench/bench_calendar.py [--cases 100000] [--smoke] [--seed 2025]``.

Every contender runs over the same random cases; the cost per call is the best of a few
repeats. Targets are printed as pass/fail, never asserted: the script always exits 0.
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

from lapor_core.domain.calendar import WorkingCalendar

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

SMOKE_CASES = 2_000
REPEATS = 5
NAIVE_REPEATS = 3
FLOOR_TARGET = 4.0  # date-based add within 4x of the dict floor
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


def _best_ns(run: Callable[[], int], repeats: int) -> int:
    return min(run() for _ in range(repeats))


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


def _time_floor(table: dict[date, int], days: Sequence[date], ns: Sequence[int]) -> int:
    t0 = time.perf_counter_ns()
    for day, _n in zip(days, ns, strict=True):
        table[day]
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
        self.table = {day: i for i, day in enumerate(every_day)}
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
    results: dict[str, dict[str, float]] = {}
    for mode, ns in cases.modes.items():
        runs: dict[str, tuple[Callable[[], int], int]] = {
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
            "dict lookup (floor)": (
                functools.partial(_time_floor, cases.table, cases.days, ns),
                REPEATS,
            ),
        }
        if np is not None:
            runs["numpy.busday_offset per date"] = (
                functools.partial(_time_numpy, np, busdaycal, cases.days, ns),
                NAIVE_REPEATS,
            )
        row = {name: _best_ns(run, repeats) / count for name, (run, repeats) in runs.items()}
        results[mode] = row
        floor = row["dict lookup (floor)"]
        naive = row["naive day loop"]
        print()
        print(f"{mode}:")
        print(f"  {'contender':<32} {'per call':>12} {'x floor':>9} {'x faster than naive':>20}")
        for name, cost in row.items():
            print(f"  {name:<32} {_fmt(cost):>12} {cost / floor:9.2f} {naive / cost:20.1f}")
    return results


def _report_targets(results: dict[str, dict[str, float]]) -> None:
    add = "add_working_days (date)"
    worst_floor = max(row[add] / row["dict lookup (floor)"] for row in results.values())
    speedup_60 = results["N=60"]["naive day loop"] / results["N=60"][add]
    add_costs = [row[add] for row in results.values()]
    deadline_costs = [row["deadline (aware datetime, tz)"] for row in results.values()]
    flat = max(add_costs) / min(add_costs)
    flat_deadline = max(deadline_costs) / min(deadline_costs)
    deadline_floor = max(
        row["deadline (aware datetime, tz)"] / row["dict lookup (floor)"]
        for row in results.values()
    )
    deadline_60 = (
        results["N=60"]["naive day loop"] / results["N=60"]["deadline (aware datetime, tz)"]
    )
    checks = [
        (
            f"deadline (time-zone conversion included) within {FLOOR_TARGET:g}x of dict floor",
            deadline_floor <= FLOOR_TARGET,
            f"{deadline_floor:.2f}x",
        ),
        (
            f"deadline >= {NAIVE_TARGET:g}x faster than naive at N=60",
            deadline_60 >= NAIVE_TARGET,
            f"{deadline_60:.1f}x",
        ),
        (
            f"add_working_days within {FLOOR_TARGET:g}x of dict floor (worst mode)",
            worst_floor <= FLOOR_TARGET,
            f"{worst_floor:.2f}x",
        ),
        (
            f"add_working_days >= {NAIVE_TARGET:g}x faster than naive at N=60",
            speedup_60 >= NAIVE_TARGET,
            f"{speedup_60:.1f}x",
        ),
        (
            f"add_working_days flat in N (max/min <= {FLAT_TARGET:g})",
            flat <= FLAT_TARGET,
            f"{flat:.2f}",
        ),
        (
            f"deadline flat in N (max/min <= {FLAT_TARGET:g})",
            flat_deadline <= FLAT_TARGET,
            f"{flat_deadline:.2f}",
        ),
    ]
    print()
    print("Targets:")
    for label, ok, value in checks:
        print(f"  [{'PASS' if ok else 'FAIL'}] {label}: {value}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
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

    _report_targets(_measure(calendar, cases, np, busdaycal))
    return 0


if __name__ == "__main__":
    sys.exit(main())
