"""
The full layout of the LAPOR! open data out and back in: export -> import -> export gives
the same bytes, privacy honoured on the way.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from lapor_core.cli import main
from lapor_core.interop.lapor_csv import BODY, FULL_COLUMNS, REPORTER, TITLE

EXPORT = ["--profile", "kaltim", "--time-zone", "Asia/Makassar", "--columns", "full"]


def _export(url: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert 0 == main(["export", "lapor-csv", "--store", url, *EXPORT])
    return capsys.readouterr().out


def _simulated(path: Path, days: int, seed: int, capsys: pytest.CaptureFixture[str]) -> str:
    """The full-layout export of a regional simulation of *days* days, stored at *path*."""
    url = f"sqlite:///{path}"
    simulate = ["simulate", "--days", str(days), "--quiet", "--seed", str(seed)]
    assert 0 == main([*simulate, "--store", url])
    capsys.readouterr()
    return _export(url, capsys)


def test_export_import_export_is_byte_identical(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _simulated(tmp_path / "first.sqlite3", 30, 2, capsys)
    rows = list(csv.DictReader(io.StringIO(first)))
    assert list(FULL_COLUMNS) == next(csv.reader(io.StringIO(first)))
    assert len(rows) > 50
    # privacy: an anonim report names nobody, a rahasia one shows no content
    assert any(r[REPORTER] == "Anonim" for r in rows)
    withheld = [r for r in rows if not r[TITLE] and not r[BODY]]
    assert withheld, "the simulation has rahasia reports"

    path = tmp_path / "export.csv"
    path.write_text(first, encoding="utf-8", newline="")
    second_store = f"sqlite:///{tmp_path / 'second.sqlite3'}"
    assert 0 == main(["import", str(path), "--store", second_store, "--profile", "kaltim"])
    summary = capsys.readouterr().out
    assert f"imported: {len(rows)}" in summary
    second = _export(second_store, capsys)

    # every row is the same, those whose information was asked and given before the
    # forwarding included (their last activity comes before TanggalDisposisi: a
    # date-order warning, and the importer replays that exchange where the dates say)
    assert first == second
    assert "date-order:" in summary, "the simulation asks for information before forwarding"
    # and a second round changes nothing at all
    third_path = tmp_path / "again.csv"
    third_path.write_text(second, encoding="utf-8", newline="")
    third_store = f"sqlite:///{tmp_path / 'third.sqlite3'}"
    assert 0 == main(["import", str(third_path), "--store", third_store, "--profile", "kaltim"])
    capsys.readouterr()
    assert second == _export(third_store, capsys)


def test_a_ninety_day_simulation_reimports_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exported = _simulated(tmp_path / "ninety.sqlite3", 90, 3, capsys)
    rows = len(list(csv.DictReader(io.StringIO(exported))))
    assert rows > 100
    path = tmp_path / "ninety.csv"
    path.write_text(exported, encoding="utf-8", newline="")
    again = f"sqlite:///{tmp_path / 'again.sqlite3'}"
    assert 0 == main(["import", str(path), "--store", again, "--profile", "kaltim"])
    summary = capsys.readouterr().out
    assert (
        f"rows: {rows}, imported: {rows}, skipped (already imported): 0, errors: 0, conflicts: 0"
        in summary
    )
    # a row whose information was asked and answered (the reporter's event) is there
    assert "date-order: " in summary
    assert exported == _export(again, capsys)
    # run again: every row is already there, nothing is written twice
    assert 0 == main(["import", str(path), "--store", again, "--profile", "kaltim"])
    rerun = capsys.readouterr().out
    assert f"imported: 0, skipped (already imported): {rows}, errors: 0, conflicts: 0" in rerun
    assert exported == _export(again, capsys)


def test_an_unknown_layout_is_refused() -> None:
    from lapor_core.errors import ValidationError  # noqa: PLC0415
    from lapor_core.interop.lapor_csv import write_lapor_csv  # noqa: PLC0415

    with pytest.raises(ValidationError, match="layout must be one of short, full"):
        write_lapor_csv([], layout="wide")


def test_an_export_numbered_by_a_partial_map_imports_back_with_that_map(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The export writes an id its map does not list as it is; the import refused it."""
    url = f"sqlite:///{tmp_path / 'mapped.sqlite3'}"
    assert 0 == main(["simulate", "--days", "20", "--quiet", "--seed", "5", "--store", url])
    capsys.readouterr()
    partial = tmp_path / "categories.csv"
    partial.write_text("17,kesehatan\n", encoding="utf-8")
    mapped = ["--map-categories", str(partial)]
    first = _export_with(url, capsys, *mapped)
    categories = {row["KategoriID"] for row in csv.DictReader(io.StringIO(first))}
    assert "17" in categories  # kesehatan, numbered
    assert categories - {"17", ""}, "some categories the map does not list, as they are"
    path = tmp_path / "mapped.csv"
    path.write_text(first, encoding="utf-8", newline="")
    again = f"sqlite:///{tmp_path / 'again.sqlite3'}"
    code = main(["import", str(path), "--store", again, "--profile", "kaltim", *mapped])
    summary = capsys.readouterr().out
    assert 0 == code, summary
    assert "errors: 0" in summary
    assert first == _export_with(again, capsys, *mapped)


def _export_with(url: str, capsys: pytest.CaptureFixture[str], *more: str) -> str:
    assert 0 == main(["export", "lapor-csv", "--store", url, *EXPORT, *more])
    return capsys.readouterr().out
