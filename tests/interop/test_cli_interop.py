"""The ``import``, ``export open311`` and ``export lapor-csv`` subcommands through ``main``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from interop_helpers import PROFILE, SAMPLE, SAMPLE_ROWS

from lapor_core import _cli_interop
from lapor_core.cli import main
from lapor_core.interop import COLUMNS

HEADER = ",".join(COLUMNS)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _store(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'lapor.sqlite3'}"


@pytest.mark.parametrize("name", ["import", "export open311", "export lapor-csv"])
def test_help(capsys: pytest.CaptureFixture[str], name: str) -> None:
    with pytest.raises(SystemExit) as info:
        main([*name.split(), "--help"])
    assert 0 == info.value.code
    assert f"lapor-core {name}" in capsys.readouterr().out


def test_import_then_reimport(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    store = _store(tmp_path)
    code, out, _ = _run(capsys, "import", str(SAMPLE), "--store", store, "--format", "lapor-csv")
    assert 0 == code
    assert f"rows: {SAMPLE_ROWS}, imported: {SAMPLE_ROWS}, skipped (already imported): 0" in out
    code, out, _ = _run(capsys, "import", str(SAMPLE), "--store", store)
    assert 0 == code
    assert f"imported: 0, skipped (already imported): {SAMPLE_ROWS}, errors: 0" in out


def test_import_without_store_is_a_dry_run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LAPOR_STORE", raising=False)
    code, out, _ = _run(capsys, "import", str(SAMPLE))
    assert 0 == code
    assert f"imported: {SAMPLE_ROWS}" in out
    assert "dry run" in out


def test_import_with_errors_exits_1_and_lists_lines(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        f"{HEADER}\nLPR-1,,,,2025-03-03,,,,Belum\nLPR-2,,,,kemarin,,,,Belum\n", encoding="utf-8"
    )
    code, out, _ = _run(capsys, "import", str(path), "--store", _store(tmp_path))
    assert 1 == code
    assert "imported: 1" in out
    assert "line 3, column TanggalLaporanMasuk:" in out


def test_import_with_maps_dates_and_zone(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        f"{HEADER}\n".replace(",", ";")
        + "LPR-1;17;99;;2025.03.03;2025.03.04;;;Belum Ditindaklanjuti\n",
        encoding="utf-8",
    )
    agencies = tmp_path / "agencies.csv"
    agencies.write_text("# instansi LAPOR!,kami\n99,samarinda\n", encoding="utf-8")
    categories = tmp_path / "categories.csv"
    categories.write_text("17,kesehatan\n", encoding="utf-8")
    store = _store(tmp_path)
    argv = ["import", str(path), "--store", store, "--delimiter", ";"]
    argv += ["--date-format", "%Y.%m.%d", "--time-zone", "Asia/Makassar"]
    argv += ["--agency-map", str(agencies), "--category-map", str(categories)]
    code, out, _ = _run(capsys, *argv)
    assert 0 == code, out
    code, out, _ = _run(
        capsys, "export", "lapor-csv", "--store", store, "--time-zone", "Asia/Makassar"
    )
    assert 0 == code
    row = next(iter(csv.DictReader(io.StringIO(out))))
    assert ("kesehatan", "samarinda") == (row["KategoriID"], row["DisposisiInstansiID"])
    assert "2025-03-03T00:00:00+08:00" == row["TanggalLaporanMasuk"]


def test_bad_map_file_is_an_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    agencies = tmp_path / "agencies.csv"
    agencies.write_text("99\n", encoding="utf-8")
    code, _, err = _run(capsys, "import", str(SAMPLE), "--agency-map", str(agencies))
    assert 1 == code
    assert "line 1: expected two columns" in err
    code, _, err = _run(capsys, "import", str(SAMPLE), "--agency-map", str(tmp_path / "x.csv"))
    assert 1 == code
    assert "does not exist" in err


def test_missing_file_exits_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = _run(capsys, "import", str(tmp_path / "tidak-ada.csv"))
    assert 1 == code
    assert "no file" in err


def test_export_lapor_csv(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    store = _store(tmp_path)
    assert 0 == _run(capsys, "import", str(SAMPLE), "--store", store)[0]
    output = tmp_path / "out.csv"
    code, out, _ = _run(capsys, "export", "lapor-csv", "--store", store, "--output", str(output))
    assert (0, "") == (code, out)
    exported = output.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert list(COLUMNS) == list(rows[0])
    original = list(csv.DictReader(io.StringIO(SAMPLE.read_text(encoding="utf-8"))))
    assert [r["TrackingID"] for r in original] == [r["TrackingID"] for r in rows]
    assert [r["Status"] for r in original] == [r["Status"] for r in rows]
    code, out, _ = _run(
        capsys,
        "export",
        "lapor-csv",
        "--store",
        store,
        "--since",
        "2025-03-12",
        "--until",
        "2025-03-13",
    )
    assert ["LPR-2025-0005"] == [r["TrackingID"] for r in csv.DictReader(io.StringIO(out))]


def test_export_open311(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    store = _store(tmp_path)
    assert 0 == _run(capsys, "import", str(SAMPLE), "--store", store)[0]
    code, out, _ = _run(capsys, "export", "open311", "--store", store, "--extended")
    assert 0 == code
    requests = json.loads(out)
    assert SAMPLE_ROWS == len(requests)
    assert ["closed", "open", "open", "open", "open", "closed"] == [r["status"] for r in requests]
    assert "Pemerintah Kota Samarinda" == requests[0]["agency_responsible"]
    assert "completed" == requests[0]["extended_attributes"]["lapor_status"]


def test_export_open311_fills_expected_datetime(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    store = _store(tmp_path)
    assert 0 == _run(capsys, "import", str(SAMPLE), "--store", store)[0]
    code, out, _ = _run(capsys, "export", "open311", "--store", store)
    assert 0 == code
    expected = {r["service_request_id"]: r["expected_datetime"] for r in json.loads(out)}
    # Closed (Selesai, Arsip): no clock runs.
    assert expected["LPR-2025-0001"] is None
    assert expected["LPR-2025-0006"] is None
    # Submitted Tue 11 March 2025 07:20 WIB, no category: forwarding, 3 HK (12, 13, 14
    # March), due at the end of Friday 14 March in the national admin's zone.
    assert "2025-03-15T00:00:00+07:00" == expected["LPR-2025-0004"]
    assert all(expected[t] is not None for t in ("LPR-2025-0002", "LPR-2025-0003"))
    code, out, _ = _run(
        capsys, "export", "open311", "--store", store, "--time-zone", "Asia/Makassar"
    )
    assert 0 == code
    wita = {r["service_request_id"]: r["expected_datetime"] for r in json.loads(out)}
    assert "2025-03-15T01:00:00+08:00" == wita["LPR-2025-0004"]


def test_export_open311_services(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "export", "open311", "services")
    assert 0 == code
    codes = [*sorted(PROFILE.service_standards), "uncategorised"]
    assert codes == [s["service_code"] for s in json.loads(out)]


def test_export_needs_an_existing_store(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = _run(capsys, "export", "open311", "--store", _store(tmp_path))
    assert 1 == code
    assert "no SQLite database" in err
    code, _, err = _run(capsys, "export", "open311")
    assert 2 == code
    assert "--store" in err
    code, _, err = _run(
        capsys,
        "export",
        "lapor-csv",
        "--store",
        "memory://",
        "--since",
        "2025-03-02",
        "--until",
        "2025-03-01",
    )
    assert 1 == code
    assert "--until" in err


ONE_GOOD_ONE_BAD = f"{HEADER}\nLPR-1,,,,2025-03-03,,,,Belum\nLPR-2,,,,kemarin,,,,Belum\n"


def _temporary_files(folder: Path) -> list[str]:
    return [path.name for path in folder.iterdir() if path.name.endswith(".tmp")]


def test_rejects_may_name_the_imported_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The file is read whole before the rejects replace it: the rows still refused."""
    path = tmp_path / "rejects.csv"
    path.write_text(ONE_GOOD_ONE_BAD, encoding="utf-8")
    argv = ["import", str(path), "--store", _store(tmp_path), "--rejects", str(path)]
    code, out, err = _run(capsys, *argv, "--workers", "1")
    assert (1, "") == (code, err)
    assert "rows: 2, imported: 1, skipped (already imported): 0, errors: 1" in out
    with path.open(encoding="utf-8", newline="") as handle:
        left = list(csv.DictReader(handle))
    assert ["LPR-2"] == [row["TrackingID"] for row in left]
    assert "line 3, column TanggalLaporanMasuk" in left[0]["reason"]
    assert [] == _temporary_files(tmp_path)


def test_a_dry_run_refuses_rejects_naming_the_imported_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dry run keeps no row: replacing its file with the refused rows would lose the rest."""
    monkeypatch.delenv("LAPOR_STORE", raising=False)
    path = tmp_path / "export.csv"
    path.write_text(ONE_GOOD_ONE_BAD, encoding="utf-8")
    code, out, err = _run(capsys, "import", str(path), "--rejects", str(tmp_path / "." / path.name))
    assert (1, "") == (code, out)
    assert "is the imported file: a dry run keeps no row" in err
    assert ONE_GOOD_ONE_BAD == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("stop", ["undecodable", "interrupted"])
def test_an_import_that_fails_leaves_the_rejects_file_as_it_was(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    stop: str,
) -> None:
    """A line not in UTF-8, or Ctrl-C: the earlier rejects file stays, no half file is left."""
    path = tmp_path / "export.csv"
    path.write_bytes(ONE_GOOD_ONE_BAD.encode() + b"LPR-3,,,,2025-03-03,,,,Belum\xff\n")
    rejects = tmp_path / "rejects.csv"
    rejects.write_text("kept\n", encoding="utf-8")
    if stop == "interrupted":

        def interrupted(*_args: object, rejects: io.StringIO, **_kwargs: object) -> None:
            rejects.write("half a row")
            raise KeyboardInterrupt

        monkeypatch.setattr(_cli_interop, "import_lapor_csv", interrupted)
    argv = ["import", str(path), "--store", _store(tmp_path), "--rejects", str(rejects)]
    code, _, err = _run(capsys, *argv, "--workers", "1")
    assert (1 if stop == "undecodable" else 130) == code, err
    assert "kept\n" == rejects.read_text(encoding="utf-8")
    assert [] == _temporary_files(tmp_path)


@pytest.mark.parametrize(
    ("option", "said"),
    [
        (("--map-agencies", "{folder}/badmap.csv"), "expected two columns"),
        (("--map-agencies", "{folder}/nonexist.csv"), "does not exist"),
        (("--encoding", "bogus"), "unknown encoding 'bogus'"),
        (("--areas", "{folder}"), "cannot read area file"),
        (("--rejects", "{folder}"), "cannot write the rejects file"),
        (("--rejects", "{folder}/nonexist/r.csv"), "cannot write the rejects file"),
        (("--date-format", "%Q"), "date_formats: '%Q' cannot read a date"),
        (("--fallback-agency", "tidak-ada"), "fallback agency 'tidak-ada' is not an agency"),
        (("--fallback-category", "tidak-ada"), "fallback category: 'tidak-ada' is not a"),
        (("--fallback-region", "tidak-ada"), "fallback region: invalid Kemendagri region"),
    ],
    ids=lambda value: " ".join(value).replace("{folder}", ".") if isinstance(value, tuple) else "",
)
def test_a_refused_import_creates_no_store(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, option: tuple[str, str], said: str
) -> None:
    """Every option and file is checked before the store is opened: one line, exit 1."""
    (tmp_path / "badmap.csv").write_text("a,b,c\n", encoding="utf-8")
    store = tmp_path / "new.sqlite3"
    argv = [part.format(folder=tmp_path) for part in option]
    code, out, err = _run(capsys, "import", str(SAMPLE), "--store", f"sqlite:///{store}", *argv)
    assert (1, "") == (code, out)
    assert err.startswith("lapor-core: error: ")
    assert 1 == len(err.splitlines()), err
    assert said in err
    assert not store.exists()
    assert [] == _temporary_files(tmp_path)


def test_the_rejects_give_their_reasons_in_the_language_of_lang(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The reason column was English whatever --lang said."""
    path = tmp_path / "export.csv"
    path.write_text(ONE_GOOD_ONE_BAD, encoding="utf-8")
    rejects = tmp_path / "ditolak.csv"
    argv = ["import", str(path), "--store", _store(tmp_path), "--rejects", str(rejects)]
    assert 1 == _run(capsys, *argv, "--workers", "1", "--lang", "id")[0]
    with rejects.open(encoding="utf-8", newline="") as handle:
        [left] = list(csv.DictReader(handle))
    assert left["reason"].startswith("baris 3, kolom TanggalLaporanMasuk: ")
    assert "line" not in left["reason"]
