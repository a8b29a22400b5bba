"""
``lapor-core import``'s progress bar: every line passes through it unchanged, and an import
with the bar gives the same result as one without.
"""

from __future__ import annotations

import sys
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from interop_helpers import SAMPLE, SAMPLE_ROWS
from rich.progress import Progress, TaskID

from lapor_core import _cli_interop
from lapor_core.cli import main

LINES = [
    "TrackingID,Status\r\n",
    "A-1,Selesai\r\n",
    "\r\n",
    '"A-2","Belum\r\n',  # a quoted field spanning two lines
    'Terverifikasi"\r\n',
    "A-3,Proses",  # no line end at the end of a file
]
BAD_ROW = "LPR-2025-0099,,,,bukan tanggal,,,,Belum Terverifikasi\n"


def test_the_bar_yields_every_line_unchanged_and_advances_by_their_length(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    advanced: list[float] = []
    real_advance = Progress.advance

    def advance(self: Progress, task_id: TaskID, advance: float = 1) -> None:
        advanced.append(advance)
        real_advance(self, task_id, advance)

    monkeypatch.setattr(Progress, "advance", advance)
    size = sum(len(line) for line in LINES)
    assert LINES == list(_cli_interop._with_progress(iter(LINES), size))
    assert [len(line) for line in LINES] == advanced


def test_the_bar_reads_no_line_ahead() -> None:
    source = iter(LINES)
    bar = _cli_interop._with_progress(source, 100)
    assert isinstance(bar, Generator)  # a lazy generator, not a list read at once
    assert LINES[0] == next(bar)
    assert LINES[1] == next(source)  # the bar took one line only
    assert LINES[2] == next(bar)
    bar.close()  # closing it early closes the bar and raises nothing
    assert LINES[3] == next(source)


def _import(capsys: pytest.CaptureFixture[str], path: Path, store: str) -> tuple[int, str]:
    code = main(["import", str(path), "--store", store])
    out = capsys.readouterr().out
    summary = out[out.index("rows: ") :]  # what the bar drew, if anything, comes before
    return code, summary


def _export(capsys: pytest.CaptureFixture[str], store: str) -> str:
    assert 0 == main(["export", "lapor-csv", "--store", store])
    return capsys.readouterr().out


@pytest.mark.parametrize("dry", [False, True], ids=["sqlite", "dry-run"])
def test_an_import_with_the_bar_is_the_same_as_without(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    dry: bool,
) -> None:
    path = tmp_path / "laporan.csv"
    path.write_bytes(SAMPLE.read_bytes() + BAD_ROW.encode())
    plain_store = "memory://" if dry else f"sqlite:///{tmp_path / 'plain.sqlite3'}"
    barred_store = "memory://" if dry else f"sqlite:///{tmp_path / 'barred.sqlite3'}"

    plain_code, plain = _import(capsys, path, plain_store)

    seen: list[str] = []
    real = _cli_interop._with_progress

    def spy(lines: Iterator[str], size: int) -> Iterator[str]:
        assert path.stat().st_size == size
        for line in real(lines, size):
            seen.append(line)
            yield line

    monkeypatch.setattr(_cli_interop, "_PROGRESS_BYTES", 10)
    monkeypatch.setattr(_cli_interop, "_with_progress", spy)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    barred_code, barred = _import(capsys, path, barred_store)

    assert path.read_bytes().decode().splitlines(keepends=True) == seen
    assert 1 == plain_code == barred_code  # the bad row is refused either way
    assert f"imported: {SAMPLE_ROWS}, skipped (already imported): 0, errors: 1" in plain
    assert f"line {SAMPLE_ROWS + 2}, column TanggalLaporanMasuk:" in plain
    assert plain == barred
    if not dry:
        exported = _export(capsys, plain_store)
        assert SAMPLE_ROWS + 1 == len(exported.splitlines())
        assert exported == _export(capsys, barred_store)


def test_a_small_file_or_no_terminal_gets_no_bar(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(lines: Iterator[str], size: int) -> Iterator[str]:
        raise AssertionError("no bar expected")

    monkeypatch.setattr(_cli_interop, "_with_progress", refuse)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code, summary = _import(capsys, SAMPLE, "memory://")  # under _PROGRESS_BYTES
    assert 0 == code
    assert f"imported: {SAMPLE_ROWS}" in summary
    monkeypatch.setattr(_cli_interop, "_PROGRESS_BYTES", 10)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    code, summary = _import(capsys, SAMPLE, "memory://")  # not a terminal
    assert 0 == code
