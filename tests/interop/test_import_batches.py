"""The import writes its rows in batches: whole rows only, file order kept, a kill recovers."""

from __future__ import annotations

import io
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from interop_helpers import SAMPLE, SAMPLE_ROWS, service

import lapor_core as lc
from lapor_core.interop import importer
from lapor_core.interop.importer import import_lapor_csv
from lapor_core.storage import InMemoryStore, SQLiteStore

HEADER, *ROWS = SAMPLE.read_text(encoding="utf-8").splitlines()


def _copies(copies: int) -> str:
    """The sample's rows *copies* times, each copy with its own Tracking IDs."""
    lines = [HEADER]
    for n in range(copies):
        lines.extend(row.replace(",", f"-{n:05d},", 1) for row in ROWS)
    return "\n".join(lines) + "\n"


def test_a_batch_holding_a_row_imported_before_is_written_row_by_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The batch is refused as a whole, then each row is told apart: skipped or imported."""
    monkeypatch.setattr(importer, "_BATCH_ROWS", 4)
    svc = service()
    first = import_lapor_csv(svc, io.StringIO("\n".join([HEADER, ROWS[2]]) + "\n"))
    assert 1 == first.imported
    summary = import_lapor_csv(svc, io.StringIO(_copies(1).replace("-00000,", ",")))
    assert (SAMPLE_ROWS - 1, 1, ()) == (summary.imported, summary.skipped, summary.errors)
    expected = [lc.ComplaintId(f"sp4n-LPR-2025-000{n}") for n in (1, 2, 4, 5, 6)]
    assert expected == list(summary.complaint_ids)  # in file order


def test_a_conflict_in_a_batch_stops_the_import_at_its_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With ``fail``, the rows before the conflict are written, those after it are not."""
    monkeypatch.setattr(importer, "_BATCH_ROWS", 100)
    store = InMemoryStore()
    svc = service(store)
    import_lapor_csv(svc, io.StringIO("\n".join([HEADER, ROWS[2]]) + "\n"))
    changed = ROWS[2].replace(",balikpapan,", ",samarinda,", 1)
    assert changed != ROWS[2]
    bad = "LPR-bad,x,x,x,not a date,,,,Selesai"
    text = "\n".join([HEADER, ROWS[0], bad, changed, ROWS[3], bad]) + "\n"
    summary = import_lapor_csv(svc, io.StringIO(text))
    assert (1, 0, 1, 1) == (
        summary.imported,
        summary.skipped,
        len(summary.errors),
        len(summary.conflicts),
    )
    assert [3] == [problem.line for problem in summary.errors]  # the one before the conflict
    assert 4 == summary.conflicts[0].line
    assert () == store.load(lc.ComplaintId("sp4n-LPR-2025-0004"))
    assert store.load(lc.ComplaintId("sp4n-LPR-2025-0001"))


def test_a_repeated_tracking_id_inside_a_batch_is_compared_with_the_first() -> None:
    """The same row twice in one batch: one imported, one skipped; other content conflicts."""
    text = "\n".join([HEADER, ROWS[0], ROWS[1], ROWS[0]]) + "\n"
    summary = import_lapor_csv(service(), io.StringIO(text))
    assert (2, 1, ()) == (summary.imported, summary.skipped, summary.conflicts)
    changed = ROWS[0].replace(",samarinda,", ",kaltim.dinkes,", 1)
    text = "\n".join([HEADER, ROWS[0], ROWS[1], changed]) + "\n"
    summary = import_lapor_csv(service(), io.StringIO(text), on_conflict="skip")
    assert (2, 0, 1) == (summary.imported, summary.skipped, len(summary.conflicts))


def _outliving(argument: str, within: float = 10.0) -> list[int]:
    """The processes still running with *argument* on their command line after *within* s."""
    deadline = time.monotonic() + within
    while True:
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:  # gone meanwhile
                continue
            if argument.encode() in cmdline:
                found.append(int(entry.name))
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_a_killed_import_leaves_whole_rows_and_a_rerun_finishes(tmp_path: Path) -> None:
    """
    SIGKILL mid-import: every stored complaint is whole; importing again completes the file.

    The import's worker processes end with it (they would otherwise wait forever for
    their next rows).
    """
    copies = 1500  # 9,000 rows: several batches
    data = tmp_path / "lapor.csv"
    data.write_text(_copies(copies), encoding="utf-8")
    path = tmp_path / "import.sqlite3"
    command = [sys.executable, "-m", "lapor_core", "import", str(data)]
    command += ["--store", f"sqlite:///{path}", "--profile", "national"]
    child = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    stored = 0
    deadline = time.monotonic() + 120
    try:
        while child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
            if not path.exists():
                continue
            try:
                with sqlite3.connect(path, timeout=1) as conn:
                    stored = conn.execute("SELECT count(*) FROM complaints").fetchone()[0]
            except sqlite3.OperationalError:  # the schema is being made
                continue
            if stored:
                child.send_signal(signal.SIGKILL)
                break
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
    assert 0 < stored < copies * SAMPLE_ROWS, "the import ended before it could be killed"
    assert [] == _outliving(str(data)), "a worker process outlived the killed import"
    store = SQLiteStore(path)
    try:
        assert store.verify().ok  # whole rows only: every stream matches its row
        svc = service(store)
        summary = import_lapor_csv(svc, data)
        assert summary.ok
        assert copies * SAMPLE_ROWS == summary.imported + summary.skipped
        assert summary.skipped >= stored
        assert store.verify().ok
        again = import_lapor_csv(svc, data)
        assert (0, copies * SAMPLE_ROWS) == (again.imported, again.skipped)
    finally:
        store.close()
