"""
Generated rows in the shapes of the real LAPOR! open data (2012-2015), for the importer.

Nothing here is copied from the data: the reports are made up by :func:`reports`, and
:func:`render` writes them in one of the shapes the public copies have (the full layout
with an unnamed index column and Timestamp columns, the short layout, ``id`` instead of
``TrackingID``, Indonesian month names with or without a weekday, day-first numeric
dates, Timestamps only, MySQL zero dates, another delimiter).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import attrs

import lapor_core as lc
from lapor_core.interop.lapor_csv import ImportOptions

WIB = ZoneInfo("Asia/Jakarta")

FULL_COLUMNS = (
    "",
    "TrackingID",
    "Pelapor",
    "JudulLaporan",
    "IsiLaporan",
    "Kategori",
    "KategoriID",
    "DisposisiInstansi",
    "DisposisiInstansiID",
    "Area",
    "AreaID",
    "Status",
    "TanggalLaporanMasuk",
    "TanggalDisposisi",
    "TanggalLaporanAktivitasTerakhir",
    "TanggalLaporanDitutup",
    "TimestampLaporanMasuk",
    "TimestampTanggalDisposisi",
    "TimestampLaporanAktivitasTerakhir",
    "TimestampLaporanDitutup",
    "created_at",
    "updated_at",
)
SHORT_COLUMNS = (
    "TrackingID",
    "KategoriID",
    "DisposisiInstansiID",
    "AreaID",
    "TanggalLaporanMasuk",
    "TanggalDisposisi",
    "TanggalLaporanAktivitasTerakhir",
    "TanggalLaporanDitutup",
    "Status",
)
IGNORED_FULL = ("Kategori", "DisposisiInstansi", "Area", "created_at", "updated_at")

# LAPOR!'s own numbers and ours (the Kaltim registry, the national profile).
CATEGORY_MAP = {"17": "infrastruktur", "23": "kesehatan"}
AGENCY_MAP = {"101": "samarinda", "102": "kaltim.dinkes", "103": "balikpapan"}
AREA_MAP = {"2": "64.72", "3": "64"}
# LAPOR!'s area file: no id column, the AreaID is the row number.
AREA_FILE = (
    "parent_id;area_name;latitude;longitude\n0;Kalimantan Timur;0.5;116.4\n"
    "1;Kota Samarinda;-0.502;117.153\n1;Provinsi;0.538;116.419\n"
)
AREA_POINTS = {
    "2": lc.GeoPoint(-0.502, 117.153, precision=lc.PointPrecision.AREA),
    "3": lc.GeoPoint(0.538, 116.419, precision=lc.PointPrecision.AREA),
}

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")

# The label, and whether it was forwarded, followed up, closed.
KINDS = (
    ("Belum", False, False, False),
    ("Belum", True, False, False),
    ("Proses", True, True, False),
    ("Selesai", True, True, True),
)
EXPECTED_STATUS = {
    (False, False, False): lc.Status.SUBMITTED,
    (True, False, False): lc.Status.FORWARDED,
    (True, True, False): lc.Status.IN_PROGRESS,
    (True, True, True): lc.Status.COMPLETED,
}


@attrs.frozen
class Report:
    """One made-up report of 2015 and what its import must give."""

    tracking: str
    category: str
    agency: str | None
    area: str
    label: str
    received: datetime
    forwarded: datetime | None
    last_activity: datetime | None
    closed: datetime | None
    title: str

    @property
    def status(self) -> lc.Status:
        """The status the importer must read."""
        shape = (self.forwarded is not None, self.last_activity is not None, self.closed)
        return EXPECTED_STATUS[(shape[0], shape[1], shape[2] is not None)]


def reports(count: int, start: datetime = datetime(2015, 3, 2, 9, 15, tzinfo=WIB)) -> list[Report]:
    """*count* reports, a day apart, cycling through the era's statuses."""
    made = []
    for i in range(count):
        label, forwarded, followed, closed = KINDS[i % len(KINDS)]
        received = start + timedelta(days=i, minutes=7 * i)
        made.append(
            Report(
                tracking=f"{1_000_000 + i * 37}",
                category=sorted(CATEGORY_MAP)[i % 2],
                agency=sorted(AGENCY_MAP)[i % 3] if forwarded else None,
                area=sorted(AREA_MAP)[i % 2],
                label=label,
                received=received,
                forwarded=received + timedelta(days=1) if forwarded else None,
                last_activity=received + timedelta(days=3, hours=2) if followed else None,
                closed=received + timedelta(days=6) if closed else None,
                title=f"Jalan rusak nomor {i}",
            )
        )
    return made


def text_date(value: datetime, style: str) -> str:
    """*value* (shown in WIB, naive) written in *style*."""
    local = value.astimezone(WIB)
    if style == "iso":
        return local.strftime("%Y-%m-%d %H:%M:%S")
    if style == "dayfirst":
        return local.strftime("%d/%m/%Y %H:%M")
    named = f"{local.day:02d} {MONTHS[local.month - 1]} {local.year} {local:%H:%M}"
    if style == "weekday":
        return f"{WEEKDAYS[local.weekday()]}, {named}"
    return named


def render(
    made: list[Report],
    *,
    layout: str = "full",
    style: str = "iso",
    empty: str = "",
    delimiter: str = ",",
    tracking_header: str = "TrackingID",
    text_dates: bool = True,
) -> str:
    """
    The reports as a CSV text in a shape.

    Args:
        made: The reports.
        layout: ``full`` (index column, text, names, Timestamps) or ``short``.
        style: The text dates: ``iso``, ``dayfirst``, ``indonesian``, ``weekday``.
        empty: How an empty date is written (``""``, ``0000-00-00 00:00:00``, ``0``).
        delimiter: The field separator.
        tracking_header: ``TrackingID`` or ``id``.
        text_dates: ``False`` leaves the text dates empty (Timestamps only).
    """
    columns = list(FULL_COLUMNS if layout == "full" else SHORT_COLUMNS)
    columns[columns.index("TrackingID")] = tracking_header
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    for index, report in enumerate(made):
        dates = (report.received, report.forwarded, report.last_activity, report.closed)
        texts = [text_date(d, style) if d is not None and text_dates else empty for d in dates]
        stamps = [str(int(d.timestamp())) if d is not None else "0" for d in dates]
        cells = {
            "": str(index),
            tracking_header: report.tracking,
            "Pelapor": "Anonim",
            "JudulLaporan": report.title,
            "IsiLaporan": f"Mohon perbaikan; laporan {report.tracking}.",
            "Kategori": "Infrastruktur",
            "KategoriID": report.category,
            "DisposisiInstansi": "Pemerintah" if report.agency else "",
            "DisposisiInstansiID": report.agency or "",
            "Area": "Kalimantan Timur",
            "AreaID": report.area,
            "Status": report.label,
            "TanggalLaporanMasuk": texts[0],
            "TanggalDisposisi": texts[1],
            "TanggalLaporanAktivitasTerakhir": texts[2],
            "TanggalLaporanDitutup": texts[3],
            "TimestampLaporanMasuk": stamps[0],
            "TimestampTanggalDisposisi": stamps[1],
            "TimestampLaporanAktivitasTerakhir": stamps[2],
            "TimestampLaporanDitutup": stamps[3],
            "created_at": "2016-01-01 00:00:00",
            "updated_at": "0000-00-00 00:00:00",
        }
        writer.writerow([cells[c] for c in columns])
    return out.getvalue()


def import_options(**changes: object) -> ImportOptions:
    """The maps of this module (and *changes*) as import options."""
    base: dict[str, object] = {
        "categories": CATEGORY_MAP,
        "agencies": AGENCY_MAP,
        "areas": AREA_MAP,
        "area_points": AREA_POINTS,
    }
    base.update(changes)
    return ImportOptions(**base)  # type: ignore[arg-type]


def write_maps(folder: object) -> dict[str, str]:
    """The map files (CSV, TOML) and the area file in *folder*; their paths by option."""
    from pathlib import Path  # noqa: PLC0415 - a test helper

    root = Path(str(folder))
    categories = root / "kategori.csv"
    categories.write_text(
        "lapor_id,our_id\n" + "".join(f"{k},{v}\n" for k, v in CATEGORY_MAP.items()),
        encoding="utf-8",
    )
    agencies = root / "instansi.toml"
    agencies.write_text("".join(f'"{k}" = "{v}"\n' for k, v in AGENCY_MAP.items()), "utf-8")
    areas = root / "area.csv"
    areas.write_text("".join(f"{k},{v}\n" for k, v in AREA_MAP.items()), encoding="utf-8")
    area_file = root / "areas.csv"
    area_file.write_text(AREA_FILE, encoding="utf-8")
    return {
        "--map-categories": str(categories),
        "--map-agencies": str(agencies),
        "--map-areas": str(areas),
        "--areas": str(area_file),
    }


SAMPLE_FOLDER = "docs/examples/lapor-open-data"


def sample_files() -> dict[str, str]:
    """
    The sample shipped in :data:`SAMPLE_FOLDER`: eight reports in the full layout with
    Indonesian month names and MySQL zero dates, one row whose agency number no map knows
    (refused), one that repeats a TrackingID with another agency (a conflict), and the
    map files and LAPOR!'s area file.
    """
    made = reports(8)
    text = render(made, style="indonesian", empty="0000-00-00 00:00:00")
    lines = text.splitlines()
    columns = lines[0].split(",")
    unknown = next(line for line in lines[1:] if ",101," in line or ",102," in line)
    cells = unknown.split(",")
    cells[columns.index("TrackingID")] = "1999999"
    cells[columns.index("DisposisiInstansiID")] = "999"
    conflict = lines[2].split(",")  # the second report, forwarded to an agency
    conflict[columns.index("DisposisiInstansiID")] = "103"
    rows = [*lines, ",".join(cells), ",".join(conflict)]
    files = {"laporan.csv": "\n".join(rows) + "\n"}
    files["kategori.csv"] = "lapor_id,our_id\n" + "".join(
        f"{k},{v}\n" for k, v in CATEGORY_MAP.items()
    )
    files["instansi.toml"] = "".join(f'"{k}" = "{v}"\n' for k, v in AGENCY_MAP.items())
    files["area.csv"] = "".join(f"{k},{v}\n" for k, v in AREA_MAP.items())
    files["areas.csv"] = AREA_FILE
    return files


if __name__ == "__main__":  # write the sample: python tests/interop/lapor_shapes.py
    from pathlib import Path

    folder = Path(__file__).parents[2] / SAMPLE_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in sample_files().items():
        (folder / name).write_text(content, encoding="utf-8")
