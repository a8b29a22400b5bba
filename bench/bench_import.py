"""
Import benchmark: ``lapor-core import`` of a LAPOR! open-data file of 1,000,000 rows.

    python bench/bench_import.py [--smoke] [--rows N]

The input is made here, deterministically: ``lapor-core simulate`` (regional, 120 days,
seed 1) fills a scratch store, ``lapor-core export lapor-csv --columns full`` writes its
complaints in the full 2012-2015 layout, and those rows are repeated, each row with its
own index and a ``TrackingID`` that is its number in the file (``0000001``,
``0000002``, ...), until the file has ``--rows`` rows (default 1,000,000). LAPOR! gives a
report its Tracking ID when it is submitted, so in an export in submission order the ids
run with the rows; ``--scattered`` gives each copy the original id with a ``-NNNNN``
suffix instead (what this benchmark did before 2026-12-07), which spreads every copy
over the whole of each index keyed by complaint, the worst order for the writes. The file
lives in a temporary directory and is removed afterwards.

Each phase is what a user types, run as ``python -m lapor_core`` (the CLI's own entry
point) in a child process of its own, so that the file's generation counts neither in its
time nor in its memory: **the dry run** (``--store memory://``: every row replayed,
nothing kept) and **the real import** into a fresh SQLite file. Guards (``[PASS]``/
``[FAIL]``; the policy is in ``_guards.py``), judged in a full run of 1,000,000 rows only:

- the real import under 180 s, the process's wall time (start-up included);
- the dry run under 180 s;
- each phase's peak memory (the child's maximum resident set) under 300 MB.

Information (``[info]``): the rows per second of each phase, and **the bulk floor**: the
raw ``sqlite3`` driver inserting the rows the importer wrote (read back from the imported
file's tables) into a fresh file with the store's schema, triggers and indexes, in WAL mode
with ``synchronous=NORMAL`` as the store opens it, in transactions of 10,000 rows: what the
writes alone cost, and the importer's rate as a share of it. Both phases run as a user
runs them, with ``--workers auto``: one worker process per processor replays and encodes
the rows while the command's own process reads the file and writes, 2,000 rows a
transaction, each row whole or not at all.

``--smoke`` (what CI runs) imports 2,000 rows and prints the same figures as ``[info]``.
Any run stops with exit 1 when an import refuses a row or fails: the input is made to
import cleanly.

Only the public API is used: the command line and the store's documented tables.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import attrs

from _guards import Verdicts
from lapor_core.cli import main as cli
from lapor_core.storage import SQLiteStore

ROWS = 1_000_000
SMOKE_ROWS = 2_000
BUDGET_S = 180.0
PEAK_MB = 300.0
BATCH = 10_000
"""Rows per transaction of the bulk floor, and per write of the generated file."""
SEED_DAYS = 120
PROFILE = ("--profile", "kaltim", "--time-zone", "Asia/Makassar")
SUMMARY = re.compile(
    r"rows: (?P<rows>\d+), imported: (?P<imported>\d+), skipped \(already imported\): "
    r"(?P<skipped>\d+), errors: (?P<errors>\d+), conflicts: (?P<conflicts>\d+)"
)
TABLES = ("events", "complaints", "idempotency", "snapshots")
"""The tables an import writes (``complaint_agencies`` is filled by a trigger)."""


@attrs.frozen
class Phase:
    """One child process's import: wall seconds, peak memory, and its counts."""

    seconds: float
    peak_mb: float
    rows: int
    imported: int
    skipped: int


def base_rows(tmp: Path) -> tuple[list[str], list[list[str]]]:
    """The header and rows of a simulated store's export, in the full layout."""
    store = f"sqlite:///{tmp / 'base.sqlite3'}"
    out = tmp / "base.csv"
    with contextlib.redirect_stdout(io.StringIO()):
        simulate = ["simulate", "--days", str(SEED_DAYS), "--seed", "1", "--quiet"]
        if cli([*simulate, "--store", store]) != 0:
            sys.exit("lapor-core simulate failed")
        export = ["export", "lapor-csv", "--store", store, "--columns", "full"]
        if cli([*export, *PROFILE, "--output", str(out)]) != 0:
            sys.exit("lapor-core export lapor-csv failed")
    with out.open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    return header, rows


def write_file(
    path: Path, header: list[str], base: Sequence[list[str]], rows: int, *, scattered: bool
) -> None:
    """*rows* rows: the base rows over and over, each with its own TrackingID."""
    index, tracking = header.index(""), header.index("TrackingID")
    width = len(str(rows // len(base)))
    numbers = max(len(str(rows)), 7)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        chunk: list[list[str]] = []
        for number in range(rows):
            round_, at = divmod(number, len(base))
            row = base[at].copy()
            row[index] = str(number)
            if scattered:
                row[tracking] = f"{row[tracking]}-{round_:0{width}d}"
            else:
                row[tracking] = f"{number + 1:0{numbers}d}"
            chunk.append(row)
            if len(chunk) == BATCH:
                writer.writerows(chunk)
                chunk.clear()
        writer.writerows(chunk)


def run_import(path: Path, store: str, log: Path) -> Phase:
    """``lapor-core import`` of *path* into *store* in a child process, measured."""
    command = [sys.executable, "-m", "lapor_core", "import", str(path), "--store", store]
    command += PROFILE
    env = {k: v for k, v in os.environ.items() if k != "LAPOR_STORE"}
    with log.open("w", encoding="utf-8") as output:
        start = time.perf_counter()
        child = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
            command, stdout=output, stderr=subprocess.STDOUT, env=env
        )
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    text = log.read_text(encoding="utf-8")
    found = SUMMARY.search(text)
    if child.returncode != 0 or found is None or int(found["errors"]) + int(found["conflicts"]):
        sys.exit(f"lapor-core import --store {store} failed ({child.returncode}):\n{text[-2000:]}")
    return Phase(
        seconds=seconds,
        peak_mb=usage.ru_maxrss * 1024 / 1e6,  # kilobytes on Linux
        rows=int(found["rows"]),
        imported=int(found["imported"]),
        skipped=int(found["skipped"]),
    )


def bulk_floor(imported: Path, target: Path) -> float:
    """Seconds for the raw driver to insert the rows of *imported* anew, 10,000 a transaction."""
    SQLiteStore(target).close()  # the store's schema, triggers and indexes
    source = sqlite3.connect(imported)
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    seconds = 0.0
    for table in TABLES:
        columns = [
            r[1] for r in source.execute(f"PRAGMA table_info({table})") if r[1] != "position"
        ]
        names = ", ".join(columns)
        insert = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"  # noqa: S608 - the table's own columns
        cursor = source.execute(f"SELECT {names} FROM {table}")  # noqa: S608 - the table's own columns
        while chunk := cursor.fetchmany(BATCH):
            start = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(insert, chunk)
            conn.execute("COMMIT")
            seconds += time.perf_counter() - start
    conn.close()
    source.close()
    return seconds


def rate(count: int, seconds: float) -> float:
    """Per second."""
    return count / seconds if seconds else float("inf")


def main(argv: Sequence[str] | None = None) -> int:
    """Make the file, run both phases and the floor; the exit status follows ``_guards.py``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1] if __doc__ else None)
    parser.add_argument("--smoke", action="store_true", help=f"{SMOKE_ROWS:,} rows, for CI")
    parser.add_argument("--rows", type=int, default=ROWS, help=f"rows (default {ROWS:,})")
    parser.add_argument(
        "--scattered",
        action="store_true",
        help="TrackingIDs with a copy suffix (each copy spread over the indexes)",
    )
    args = parser.parse_args(argv)
    rows = SMOKE_ROWS if args.smoke else args.rows
    if rows < 1:
        parser.error("--rows must be at least 1")
    verdicts = Verdicts(smoke=args.smoke)
    judged = not args.smoke and rows == ROWS

    with tempfile.TemporaryDirectory(prefix="lapor-bench-import-") as tmp_dir:
        tmp = Path(tmp_dir)
        start = time.perf_counter()
        header, base = base_rows(tmp)
        path = tmp / "laporan.csv"
        write_file(path, header, base, rows, scattered=args.scattered)
        made = time.perf_counter() - start
        size_mb = path.stat().st_size / 1e6
        ids = "scattered (copy suffixes)" if args.scattered else "in file order"
        print(
            f"lapor-core import of {rows:,} rows, full layout ({len(base)} simulated rows "
            f"repeated, TrackingIDs {ids}), {size_mb:,.1f} MB, made in {made:.1f} s; "
            "each phase a child process"
        )
        dry = run_import(path, "memory://", tmp / "dry.log")
        real = run_import(path, f"sqlite:///{tmp / 'import.sqlite3'}", tmp / "real.log")
        if dry.imported != rows or real.imported != rows:
            sys.exit(f"expected {rows:,} new rows, got {dry.imported:,} (dry), {real.imported:,}")
        floor_s = bulk_floor(tmp / "import.sqlite3", tmp / "floor.sqlite3")

    for label, phase in (("dry run (memory://)", dry), ("real import (SQLite)", real)):
        figure = f"{phase.seconds:.1f} s, {rate(rows, phase.seconds):,.0f} rows/s"
        memory = f"{phase.peak_mb:.0f} MB"
        if judged:
            verdicts.guard(
                f"{label}: {ROWS:,} rows < {BUDGET_S:g} s", phase.seconds < BUDGET_S, figure
            )
            verdicts.guard(
                f"{label}: peak memory < {PEAK_MB:g} MB", phase.peak_mb < PEAK_MB, memory
            )
        else:
            verdicts.info(f"{label}: {rows:,} rows", figure)
            verdicts.info(f"{label}: peak memory", memory)
    floor = rate(rows, floor_s)
    verdicts.info(
        f"bulk floor: raw sqlite3, the same rows, {BATCH:,} a transaction",
        f"{floor_s:.1f} s, {floor:,.0f} rows/s",
    )
    verdicts.info("real import / bulk floor", f"{rate(rows, real.seconds) / floor:.3f}x")
    return verdicts.exit_status()


if __name__ == "__main__":
    sys.exit(main())
