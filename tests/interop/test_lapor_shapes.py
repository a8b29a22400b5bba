"""The importer reads the shapes of the real LAPOR! open data (generated files, issue 16)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import lapor_shapes as shapes
import pytest
from interop_helpers import service

import lapor_core as lc
from lapor_core.cli import main
from lapor_core.interop.importer import import_lapor_csv, read_area_file, read_map_file
from lapor_core.interop.lapor_csv import CsvOptions, parse_row
from lapor_core.service import ComplaintService

ROWS = 8
SHAPES: dict[str, dict[str, object]] = {
    "full-iso": {},
    "short": {"layout": "short"},
    "id-not-TrackingID": {"tracking_header": "id"},
    "indonesian-months": {"layout": "short", "style": "indonesian"},
    "indonesian-weekday": {"layout": "short", "style": "weekday"},
    "day-first": {"layout": "short", "style": "dayfirst"},
    "timestamps-only": {"text_dates": False, "empty": "0000-00-00 00:00:00"},
    "mysql-zero-dates": {"layout": "short", "empty": "0000-00-00 00:00:00"},
    "zero-as-empty": {"layout": "short", "empty": "0"},
    "semicolon": {"delimiter": ";"},
    "tab": {"layout": "short", "delimiter": "\t", "style": "indonesian"},
}


def _check(svc: ComplaintService, made: list[shapes.Report]) -> None:
    for report in made:
        complaint = svc.get(lc.ComplaintId(f"sp4n-{report.tracking}"))
        assert report.status is complaint.status, report
        assert report.received == complaint.info.submitted_at
        assert lc.Category(shapes.CATEGORY_MAP[report.category]) == complaint.info.category
        assert lc.RegionCode(shapes.AREA_MAP[report.area]) == complaint.info.region
        assert shapes.AREA_POINTS[report.area] == complaint.info.content.point
        agencies = [a.agency for a in complaint.assignments]
        assert ([shapes.AGENCY_MAP[report.agency]] if report.agency else []) == agencies


@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_shape_imports_every_row(shape: str) -> None:
    made = shapes.reports(ROWS)
    text = shapes.render(made, **SHAPES[shape])  # type: ignore[arg-type]
    svc = service()
    summary = import_lapor_csv(svc, io.StringIO(text), options=shapes.import_options())
    assert ((), (), ROWS) == (summary.errors, summary.conflicts, summary.imported), summary
    _check(svc, made)
    again = import_lapor_csv(svc, io.StringIO(text), options=shapes.import_options())
    assert (0, ROWS, ()) == (again.imported, again.skipped, again.conflicts)


def test_unknown_columns_are_ignored_and_listed() -> None:
    text = shapes.render(shapes.reports(2)).replace("updated_at", "Kolom Lain", 1)
    summary = import_lapor_csv(service(), io.StringIO(text), options=shapes.import_options())
    assert 2 == summary.imported
    expected = [c if c != "updated_at" else "Kolom Lain" for c in shapes.IGNORED_FULL]
    assert expected == list(summary.ignored_columns)
    assert "ignored columns: Kategori" in summary.render()


@pytest.mark.parametrize(
    "header",
    ["tracking_id", " Tracking ID ", "TRACKINGID", "\ufeffTrackingID"],
)
def test_header_names_match_tolerantly(header: str) -> None:
    text = shapes.render(shapes.reports(3), layout="short")
    text = text.replace("TrackingID", header, 1).replace(
        "TanggalLaporanMasuk", "tanggal_laporan_masuk", 1
    )
    text = "Unnamed: 0," + text.replace("\n", "\n0,")[: -len("0,")]
    summary = import_lapor_csv(service(), io.StringIO(text), options=shapes.import_options())
    assert (3, ()) == (summary.imported, summary.errors)
    assert () == summary.ignored_columns


def test_required_columns_are_the_tracking_id_the_status_and_a_received_date() -> None:
    for missing in ("TrackingID", "Status", "TanggalLaporanMasuk"):
        columns = [c for c in shapes.SHORT_COLUMNS if c != missing]
        summary = import_lapor_csv(service(), io.StringIO(",".join(columns) + "\n"))
        assert [(1, missing)] == [(p.line, p.column) for p in summary.errors]


def test_a_timestamp_is_preferred_to_the_text_date() -> None:
    options = CsvOptions()
    row = {
        "TrackingID": "1",
        "Status": "Belum",
        "TanggalLaporanMasuk": "2015-03-02 09:15:00",
        "TimestampLaporanMasuk": "1425350000",
        "TanggalDisposisi": "2015-03-03",
        "TimestampTanggalDisposisi": "0",
    }
    record = parse_row(row, 2, options)
    assert 1425350000 == record.received_at.timestamp()
    assert "2015-03-03" == record.forwarded_at.date().isoformat()  # type: ignore[union-attr]
    assert lc.Status.FORWARDED is record.status  # Belum with a disposition


@pytest.mark.parametrize("empty", ["", "0", "0000-00-00", "0000-00-00 00:00:00"])
def test_zero_dates_read_as_empty(empty: str) -> None:
    row = {"TrackingID": "1", "Status": "Belum", "TanggalLaporanMasuk": "02 Agu 2015"}
    record = parse_row({**row, "TanggalDisposisi": empty}, 2)
    assert (None, lc.Status.SUBMITTED) == (record.forwarded_at, record.status)
    assert 8 == record.received_at.month


def test_naive_times_take_the_given_zone() -> None:
    row = {"TrackingID": "1", "Status": "Belum", "TanggalLaporanMasuk": "Senin, 02 Maret 2015"}
    wita = parse_row(row, 2, CsvOptions(time_zone="Asia/Makassar")).received_at
    assert ZoneInfo("Asia/Makassar") == wita.tzinfo


def test_cp1252_needs_the_encoding_and_a_bad_byte_names_its_line(tmp_path: Path) -> None:
    made = shapes.reports(3)
    text = shapes.render(made).replace("Jalan rusak nomor 2", "Jalan rusak \u2013 caf\u00e9 2")
    path = tmp_path / "cp1252.csv"
    path.write_bytes(text.encode("cp1252"))
    with pytest.raises(lc.ValidationError, match=r"^line 4: .*not utf-8 text"):
        import_lapor_csv(service(), path, options=shapes.import_options())
    svc = service()
    summary = import_lapor_csv(svc, path, options=shapes.import_options(), encoding="cp1252")
    assert (3, ()) == (summary.imported, summary.errors)
    title = svc.get(lc.ComplaintId(f"sp4n-{made[2].tracking}")).info.content.title
    assert "Jalan rusak \u2013 caf\u00e9 2" == title


def test_utf8_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(shapes.render(shapes.reports(2), delimiter=";").encode("utf-8-sig"))
    summary = import_lapor_csv(service(), path, options=shapes.import_options())
    assert (2, ()) == (summary.imported, summary.errors)


def test_an_unknown_number_is_refused_per_row_or_sent_to_the_fallback() -> None:
    made = shapes.reports(4)
    text = shapes.render(made, layout="short").replace(",17,", ",99,")
    refused = import_lapor_csv(service(), io.StringIO(text), options=shapes.import_options())
    n_17 = sum(1 for r in made if r.category == "17")
    assert [("KategoriID",)] * n_17 == [(p.column,) for p in refused.errors]
    options = shapes.import_options(fallback_category="kesehatan")
    svc = service()
    fallback = import_lapor_csv(svc, io.StringIO(text), options=options)
    assert (4, ()) == (fallback.imported, fallback.errors)


def test_messy_dates_are_a_warning_not_a_refusal() -> None:
    made = shapes.reports(3)[2:]  # a Proses row
    report = made[0]
    text = shapes.render(made, layout="short")
    early = shapes.text_date(report.received, "iso")
    text = text.replace(shapes.text_date(report.last_activity, "iso"), early)  # type: ignore[arg-type]
    svc = service()
    summary = import_lapor_csv(svc, io.StringIO(text), options=shapes.import_options())
    assert (1, (), {"date-order": 1}) == (summary.imported, summary.errors, summary.warnings)
    assert lc.Status.IN_PROGRESS is svc.get(lc.ComplaintId(f"sp4n-{report.tracking}")).status
    assert "warnings: date-order: 1" in summary.render()


def _conflicting(layout: str = "short") -> str:
    made = shapes.reports(2)[1:]  # Belum with a disposition
    text = shapes.render(made, layout=layout)
    last = text.splitlines()[-1]
    other = last.replace(f",{made[0].agency},", ",103,")
    assert other != last
    return f"{text}{last}\n{other}\n"


def test_a_conflict_is_not_a_duplicate_and_names_the_field() -> None:
    text = _conflicting()
    for dry in (False, True):
        summary = import_lapor_csv(
            service(), io.StringIO(text), options=shapes.import_options(), dry_run=dry
        )
        assert (1, 1, 1) == (summary.imported, summary.skipped, len(summary.conflicts))
        assert "DisposisiInstansiID" in summary.conflicts[0].message
        assert not summary.ok


def test_cli_maps_areas_rejects_and_conflicts(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    maps = shapes.write_maps(tmp_path)
    made = shapes.reports(4)
    text = shapes.render(made, style="weekday").replace(f",{made[1].tracking},", ",bukan id!,", 1)
    data = tmp_path / "lapor.csv"
    data.write_text(text + _conflicting("full").split("\n", 1)[1], encoding="utf-8")
    store = f"sqlite:///{tmp_path / 'lapor.sqlite3'}"
    rejects = tmp_path / "rejects.csv"
    argv = ["import", str(data), "--store", store, "--rejects", str(rejects)]
    argv += [part for option in maps.items() for part in option]
    assert 1 == main(argv)  # a refused row and a conflict
    out = capsys.readouterr().out
    assert "imported: 4" in out
    assert "conflicts: 1" in out
    with rejects.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert [*shapes.FULL_COLUMNS, "reason"] == rows[0]
    assert "bukan id!" == rows[1][1]
    assert "TrackingID" in rows[1][-1]
    assert len(rows) == 3  # the header, the refused row, the conflict
    assert 1 == main([*argv, "--on-conflict", "skip"])  # the refused row is still refused
    assert "imported: 0" in capsys.readouterr().out


def test_map_files_csv_and_toml_and_the_area_file(tmp_path: Path) -> None:
    maps = shapes.write_maps(tmp_path)
    assert shapes.CATEGORY_MAP == read_map_file(maps["--map-categories"])
    assert shapes.AGENCY_MAP == read_map_file(maps["--map-agencies"])
    assert shapes.AREA_POINTS.items() <= read_area_file(maps["--areas"]).items()
    bad = tmp_path / "bad.toml"
    bad.write_text('"17" = ["a"]\n', encoding="utf-8")
    with pytest.raises(lc.ValidationError, match="17"):
        read_map_file(bad)


def test_the_shipped_sample_is_what_the_generator_writes() -> None:
    folder = Path(__file__).parents[2] / shapes.SAMPLE_FOLDER
    expected = shapes.sample_files()
    assert sorted(expected) == sorted(p.name for p in folder.iterdir())
    for name, text in expected.items():
        assert text == (folder / name).read_text(encoding="utf-8"), name


def test_the_export_writes_lapor_numbers_through_the_same_maps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from lapor_core.cli import main  # noqa: PLC0415 - the command line under test

    folder = Path(__file__).parents[2] / shapes.SAMPLE_FOLDER
    maps = [
        "--map-categories", str(folder / "kategori.csv"),
        "--map-agencies", str(folder / "instansi.toml"),
        "--map-areas", str(folder / "area.csv"),
    ]  # fmt: skip
    store = f"sqlite:///{tmp_path / 'lapor.sqlite3'}"
    main(["import", str(folder / "laporan.csv"), "--store", store, *maps])
    capsys.readouterr()
    assert 0 == main(["export", "lapor-csv", "--store", store, "--columns", "full", *maps])
    exported = {r["TrackingID"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    with (folder / "laporan.csv").open(encoding="utf-8", newline="") as handle:
        first: dict[str, dict[str, str]] = {}
        for r in csv.DictReader(handle):  # the conflicting repeat is not what was imported
            first.setdefault(r["TrackingID"], r)
    given = [r for tracking, r in first.items() if tracking in exported]
    assert 8 == len(given)
    carried = ("KategoriID", "DisposisiInstansiID", "AreaID", *shapes.FULL_COLUMNS[16:20])
    for row in given:
        back = exported[row["TrackingID"]]
        assert {c: row[c] for c in carried} == {c: back[c] for c in carried}, row["TrackingID"]


def test_a_map_that_gives_one_id_two_numbers_cannot_export() -> None:
    from lapor_core.interop.lapor_csv import LaporNumbers  # noqa: PLC0415

    with pytest.raises(lc.ValidationError, match="two LAPOR! numbers"):
        LaporNumbers.from_import_maps(categories={"17": "infrastruktur", "18": "infrastruktur"})
    numbers = LaporNumbers.from_import_maps(agencies={"101": "samarinda"})
    assert {"DisposisiInstansiID": "101", "AreaID": "64.72"} == numbers.apply(
        {"DisposisiInstansiID": "samarinda", "AreaID": "64.72"}
    )
