"""An import with worker processes imports what an import in one process imports, row for row."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from interop_helpers import SAMPLE, service
from test_import_batches import _outliving

import lapor_core as lc
from lapor_core.cli import main as cli
from lapor_core.interop import _import_workers, importer
from lapor_core.interop.importer import ImportSummary, import_lapor_csv
from lapor_core.interop.lapor_csv import LaporCsvRows
from lapor_core.storage import InMemoryStore, SQLiteStore

HEADER, *ROWS = SAMPLE.read_text(encoding="utf-8").splitlines()
BAD = "LPR-bad-{n},x,x,x,not a date,,,,Selesai"


def _file(copies: int) -> str:
    """The sample *copies* times (own Tracking IDs), a bad row and a repeated row each copy."""
    lines = [HEADER]
    for n in range(copies):
        lines.extend(row.replace(",", f"-{n:03d},", 1) for row in ROWS)
        lines.append(BAD.format(n=n))
        lines.append(ROWS[1].replace(",", f"-{n:03d},", 1))  # a duplicate of this copy's
    changed = ROWS[2].replace(",", "-001,", 1).replace(",balikpapan,", ",samarinda,", 1)
    lines.append(changed)  # a conflict with copy 1
    lines.extend(row.replace(",", "-tail,", 1) for row in ROWS)
    return "\n".join(lines) + "\n"


@pytest.fixture
def replayers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Small batches and chunks; the worker pools started, counted by their size."""
    assert _import_workers.can_fork(), f"threads running: {threading.enumerate()}"
    monkeypatch.setattr(importer, "_BATCH_ROWS", 7)
    monkeypatch.setattr(importer, "CHUNK_ROWS", 5)
    started: list[int] = []
    real = _import_workers.Replayer

    def counted(workers: int, **job: object) -> _import_workers.Replayer:
        started.append(workers)
        return real(workers, **job)  # type: ignore[arg-type]

    monkeypatch.setattr(importer, "Replayer", counted)
    return started


def _outcome(summary: ImportSummary) -> tuple[object, ...]:
    return (
        summary.imported,
        summary.skipped,
        summary.complaint_ids,
        [(p.line, p.column, p.message) for p in summary.errors],
        [(p.line, p.column, p.message) for p in summary.conflicts],
        summary.warnings,
    )


def _contents(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table the import writes, without the columns a write fills itself."""
    conn = sqlite3.connect(path)
    try:
        return {
            "events": conn.execute(
                "SELECT complaint_id, version, type, schema_version, payload FROM events "
                "ORDER BY position"
            ).fetchall(),
            "complaints": conn.execute("SELECT * FROM complaints ORDER BY id").fetchall(),
            "idempotency": conn.execute("SELECT * FROM idempotency ORDER BY key").fetchall(),
            "agencies": conn.execute("SELECT * FROM complaint_agencies ORDER BY 1, 2").fetchall(),
            "snapshots": conn.execute("SELECT * FROM snapshots").fetchall(),
        }
    finally:
        conn.close()


def _import(path: Path, text: str, **kwargs: object) -> ImportSummary:
    store = SQLiteStore(path)
    try:
        return import_lapor_csv(service(store), io.StringIO(text), **kwargs)  # type: ignore[arg-type]
    finally:
        store.close()


def test_workers_write_what_one_process_writes(tmp_path: Path, replayers: list[int]) -> None:
    """Same summary (ids in file order, errors, conflicts, warnings) and same tables."""
    text = _file(4)
    rejects_alone, rejects_shared = io.StringIO(), io.StringIO()
    alone = _import(tmp_path / "one.sqlite3", text, on_conflict="skip", rejects=rejects_alone)
    assert [] == replayers
    shared = _import(
        tmp_path / "two.sqlite3", text, on_conflict="skip", workers=2, rejects=rejects_shared
    )
    assert [2] == replayers
    assert _outcome(alone) == _outcome(shared)
    assert rejects_alone.getvalue() == rejects_shared.getvalue()
    assert 1 + 4 + 1 == len(rejects_shared.getvalue().splitlines())  # header, bad, conflict
    assert (4 * 6 + 6, 4, 4, 1) == (
        shared.imported,
        shared.skipped,
        len(shared.errors),
        len(shared.conflicts),
    )
    written = _contents(tmp_path / "two.sqlite3")
    assert _contents(tmp_path / "one.sqlite3") == written
    assert len(written["complaints"]) == shared.imported


@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry-run"])
def test_workers_count_the_warnings_of_the_rows_they_parse(
    tmp_path: Path, replayers: list[int], monkeypatch: pytest.MonkeyPatch, dry_run: bool
) -> None:
    """The parsing is left to the workers: their rows' warnings still count."""
    # LPR-2025-0001 with its last activity before its forwarding: a date-order warning
    early = ROWS[0].replace("2025-03-06 14:30:00", "2025-03-04 09:00:00")
    assert early != ROWS[0]
    lines = [HEADER]
    for n in range(12):
        lines.extend(row.replace(",", f"-{n:03d},", 1) for row in (early, *ROWS[1:]))
    text = "\n".join(lines) + "\n"
    parsed: list[int] = []  # the rows parsed in this process (a worker's are its own)
    real_parse = LaporCsvRows.parse

    def counted(rows: LaporCsvRows, line: int, cells: tuple[str, ...]) -> object:
        parsed.append(line)
        return real_parse(rows, line, cells)

    monkeypatch.setattr(LaporCsvRows, "parse", counted)
    alone = _import(tmp_path / "one.sqlite3", text, dry_run=dry_run)
    assert len(lines) - 1 == len(parsed)
    parsed.clear()
    shared = _import(tmp_path / "two.sqlite3", text, workers=2, dry_run=dry_run)
    assert [2] == replayers
    assert [] == parsed
    assert {"date-order": 12} == shared.warnings
    assert _outcome(alone) == _outcome(shared)
    assert _contents(tmp_path / "one.sqlite3") == _contents(tmp_path / "two.sqlite3")


def test_a_conflict_stops_the_workers_at_its_row(tmp_path: Path, replayers: list[int]) -> None:
    """With ``fail``, the rows before the conflict are written and none after it."""
    text = _file(4)
    alone = _import(tmp_path / "one.sqlite3", text)
    shared = _import(tmp_path / "two.sqlite3", text, workers=2)
    assert [2] == replayers
    assert _outcome(alone) == _outcome(shared)
    assert 1 == len(shared.conflicts)
    written = _contents(tmp_path / "two.sqlite3")
    assert _contents(tmp_path / "one.sqlite3") == written
    assert not any(str(row[0]).endswith("-tail") for row in written["complaints"])


def test_rows_imported_before_are_told_apart_with_workers(
    tmp_path: Path, replayers: list[int]
) -> None:
    """A batch holding rows imported before is refused whole, then written row by row."""
    text = _file(3)
    path = tmp_path / "again.sqlite3"
    first = _import(path, "\n".join([HEADER, *text.splitlines()[8:12]]) + "\n", workers=2)
    again = _import(path, text, on_conflict="skip", workers=2)
    assert [2] == replayers  # the first file ended within one chunk: no workers
    assert 4 == first.imported
    alone = tmp_path / "alone.sqlite3"
    _import(alone, "\n".join([HEADER, *text.splitlines()[8:12]]) + "\n")
    assert _outcome(_import(alone, text, on_conflict="skip")) == _outcome(again)
    assert _contents(alone) == _contents(path)


def test_a_dry_run_with_workers_says_what_one_process_says(
    tmp_path: Path, replayers: list[int]
) -> None:
    """Against a store holding some rows (one of them with other content): same counts."""
    text = _file(4)
    path = tmp_path / "held.sqlite3"
    _import(path, "\n".join([HEADER, *text.splitlines()[1:9]]) + "\n")
    before = _contents(path)
    alone = _import(path, text, dry_run=True, on_conflict="skip")
    shared = _import(path, text, dry_run=True, on_conflict="skip", workers=2)
    assert [2] == replayers
    assert _outcome(alone) == _outcome(shared)
    assert shared.skipped > 4  # the held rows are recognised, not only the file's repeats
    assert before == _contents(path)


def test_workers_are_not_used_where_they_cannot_be(tmp_path: Path, replayers: list[int]) -> None:
    """Listeners, a store that keeps objects, or a second thread: one process, same outcome."""
    text = _file(2)
    heard: list[lc.Event] = []
    listened = service(SQLiteStore(tmp_path / "heard.sqlite3"))
    listened.on_events(heard.extend)
    with_listener = import_lapor_csv(listened, io.StringIO(text), workers=2, on_conflict="skip")
    assert with_listener.imported == len({e.complaint_id for e in heard}) > 0
    in_memory = import_lapor_csv(
        service(InMemoryStore()), io.StringIO(text), workers=2, on_conflict="skip"
    )
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        threaded = import_lapor_csv(
            service(InMemoryStore()), io.StringIO(text), workers=2, on_conflict="skip"
        )
    finally:
        release.set()
        other.join()
    assert [] == replayers
    assert _outcome(with_listener) == _outcome(in_memory) == _outcome(threaded)


@pytest.mark.parametrize("workers", [0, -1, True, 1.5, "2"])
def test_workers_must_be_a_count(workers: object) -> None:
    """A worker count that is not an int >= 1 is refused before anything is read."""
    store = InMemoryStore()
    with pytest.raises(lc.ValidationError, match="workers must be an int >= 1"):
        import_lapor_csv(service(store), io.StringIO(_file(1)), workers=workers)  # type: ignore[arg-type]
    assert () == store.read_all()


def test_the_cli_takes_a_worker_count(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, replayers: list[int]
) -> None:
    """``--workers 2`` imports with two workers; ``0`` or a word is refused with exit 2."""
    source = tmp_path / "laporan.csv"
    source.write_text(_file(3), encoding="utf-8")
    store = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    args = ["import", str(source), "--store", store, "--on-conflict", "skip"]
    assert 1 == cli([*args, "--workers", "2"])  # the bad rows make it exit 1
    assert [2] == replayers
    assert "imported: 24" in capsys.readouterr().out
    for refused in ("0", "many"):
        with pytest.raises(SystemExit) as stopped:
            cli([*args, "--workers", refused])
        assert 2 == stopped.value.code
        assert f"expected 'auto' or a whole number >= 1, got '{refused}'" in capsys.readouterr().err
    assert [2] == replayers


def _dies_after_line_20(rows: list[tuple[int, tuple[str, ...]]]) -> object:
    """A worker's task that kills its process once the file is past line 20."""
    if rows[0][0] > 20:
        os._exit(3)
    return _REAL_CHUNK(rows)


_REAL_CHUNK = _import_workers._replay_chunk


def test_a_worker_that_dies_stops_the_import_and_a_rerun_finishes(
    tmp_path: Path, replayers: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No wait for a dead worker: a clear error, whole rows written, and a rerun completes."""
    text = _file(6)
    path = tmp_path / "died.sqlite3"
    monkeypatch.setattr(_import_workers, "_replay_chunk", _dies_after_line_20)
    with pytest.raises(lc.LaporError, match="a worker process of the import stopped"):
        _import(path, text, on_conflict="skip", workers=2)
    partial = _contents(path)
    assert 0 < len(partial["complaints"]) < 30
    assert len(partial["complaints"]) == len(partial["idempotency"])
    monkeypatch.setattr(_import_workers, "_replay_chunk", _REAL_CHUNK)
    rerun = _import(path, text, on_conflict="skip", workers=2)
    assert len(partial["complaints"]) <= rerun.skipped
    alone = tmp_path / "alone.sqlite3"
    _import(alone, text, on_conflict="skip")
    assert _contents(alone) == _contents(path)


def test_ctrl_c_stops_an_import_with_workers_cleanly(tmp_path: Path) -> None:
    """SIGINT to the process group: exit 130, no traceback, no worker left, whole rows."""
    source = tmp_path / "laporan.csv"
    source.write_text(_file(1500), encoding="utf-8")
    path = tmp_path / "stopped.sqlite3"
    command = [sys.executable, "-m", "lapor_core", "import", str(source), "--workers", "2"]
    command += ["--store", f"sqlite:///{path}", "--on-conflict", "skip", "--lang", "en"]
    child = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    stored = 0
    deadline = time.monotonic() + 120
    try:
        while child.poll() is None and time.monotonic() < deadline and not stored:
            time.sleep(0.05)
            if not path.exists():
                continue
            with (
                contextlib.suppress(sqlite3.OperationalError),  # the schema is being made
                contextlib.closing(sqlite3.connect(path, timeout=1)) as conn,
            ):
                stored = conn.execute("SELECT count(*) FROM complaints").fetchone()[0]
        os.killpg(child.pid, signal.SIGINT)  # what Ctrl-C on a terminal does
        _, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert 0 < stored, "the import ended before it could be stopped"
    assert 130 == child.returncode, err
    assert "lapor-core: interrupted" in err.decode()
    assert "Traceback" not in err.decode()
    assert [] == _outliving(str(source))
    store = SQLiteStore(path)
    try:
        assert store.verify().ok  # every stored stream is whole and matches its row
    finally:
        store.close()
    rerun = _import(path, _file(1500), on_conflict="skip", workers=2)
    # each copy: six rows and a repeat (its bad row is refused), then the six tail rows
    assert rerun.imported + rerun.skipped == 1500 * 7 + 6
    assert rerun.skipped >= stored


def test_ctrl_c_is_a_message_and_exit_130(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any command stopped by Ctrl-C says so in the user's language, without a traceback."""

    def interrupted(*_args: object, **_kwargs: object) -> ImportSummary:
        raise KeyboardInterrupt

    monkeypatch.setattr("lapor_core._cli_interop.import_lapor_csv", interrupted)
    for lang, word in (("en", "interrupted"), ("id", "dihentikan")):
        assert 130 == cli(["import", str(SAMPLE), "--lang", lang])
        captured = capsys.readouterr()
        assert f"lapor-core: {word}\n" == captured.err
        assert "" == captured.out


def _undecodable(*, conflict: bool) -> bytes:
    """Five copies of the sample (lines 2-31), a line not in UTF-8 (32 or 33), six more rows."""
    lines = [HEADER]
    for n in range(5):
        lines.extend(row.replace(",", f"-{n:03d},", 1) for row in ROWS)
    if conflict:  # line 32, in the last batch before the bad line: copy 1's row changed
        changed = ROWS[2].replace(",", "-001,", 1).replace(",balikpapan,", ",samarinda,", 1)
        assert changed != ROWS[2].replace(",", "-001,", 1)
        lines.append(changed)
    bad = ROWS[0].replace(",", "-bad,", 1).encode().replace(b",Selesai", b",Selesai\xff")
    assert b"\xff" in bad
    tail = "\n".join(row.replace(",", "-tail,", 1) for row in ROWS).encode()
    return "\n".join(lines).encode() + b"\n" + bad + b"\n" + tail + b"\n"


@pytest.mark.parametrize("conflict", [False, True], ids=["undecodable", "conflict-before-it"])
def test_a_line_not_in_the_encoding_ends_the_import_alike_with_workers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, replayers: list[int], conflict: bool
) -> None:
    """One worker or two: the rows before the line are stored, the same message and exit."""
    source = tmp_path / "laporan.csv"
    source.write_bytes(_undecodable(conflict=conflict))
    outcomes = []
    for workers in ("1", "2"):
        store = f"sqlite:///{tmp_path / f'w{workers}.sqlite3'}"
        code = cli(["import", str(source), "--store", store, "--workers", workers, "--lang", "en"])
        outcomes.append((code, *capsys.readouterr()))
    assert [2] == replayers
    assert outcomes[0] == outcomes[1]
    written = _contents(tmp_path / "w2.sqlite3")
    assert _contents(tmp_path / "w1.sqlite3") == written
    code, out, err = outcomes[1]
    assert 1 == code
    if conflict:  # the conflict stops the import first: reported, the line after it unread
        assert ("", 1) == (err, out.count("conflict: line 32"))
        assert 30 == len(written["complaints"])
    else:
        assert "" == out
        assert err.startswith("lapor-core: error: line 32: the bytes are not utf-8 text")
        assert "rows before it were read" in err
        assert 30 == len(written["complaints"])
