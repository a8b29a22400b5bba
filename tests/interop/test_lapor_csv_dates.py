"""Dates of the LAPOR! export written with Indonesian month names, read by dateutil."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lapor_core.errors import ValidationError
from lapor_core.interop import COLUMNS, CsvOptions, CsvRowError, LaporCsvRecord, read_lapor_csv
from lapor_core.interop.lapor_csv import (
    DEFAULT_DATE_FORMATS,
    INDONESIAN,
    IndonesianParserInfo,
    parse_date,
    parse_indonesian_date,
)

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
WIT = ZoneInfo("Asia/Jayapura")
HEADER = ",".join(COLUMNS)
BULAN = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
HARI = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("02 Maret 2015 09:15", datetime(2015, 3, 2, 9, 15)),  # noqa: DTZ001 - no zone written
        ("Senin, 02 Maret 2015", datetime(2015, 3, 2)),  # noqa: DTZ001 - as above
        ("2 maret 2015", datetime(2015, 3, 2)),  # noqa: DTZ001 - as above
        ("2 Agustus 2017, 14:05", datetime(2017, 8, 2, 14, 5)),  # noqa: DTZ001 - as above
        ("02 Pebruari 2015", datetime(2015, 2, 2)),  # noqa: DTZ001 - an older spelling
        ("17 Agt 2020 pukul 08.30", datetime(2020, 8, 17, 8, 30)),  # noqa: DTZ001 - dotted time
        ("Sabtu, 25 Des 2021 jam 07.05.09", datetime(2021, 12, 25, 7, 5, 9)),  # noqa: DTZ001 - as above
        ("02 March 2015 09:15", datetime(2015, 3, 2, 9, 15)),  # noqa: DTZ001 - English names too
        ("Jum'at, 6 Maret 2015 pukul 10.00 WITA", datetime(2015, 3, 6, 10, tzinfo=WITA)),
        ("02 Mei 2016 09:15 WIB", datetime(2016, 5, 2, 9, 15, tzinfo=WIB)),
        ("02 Mei 2016 09:15 WIT", datetime(2016, 5, 2, 9, 15, tzinfo=WIT)),
        ("02 Mei 2016 09:15 +0800", datetime(2016, 5, 2, 1, 15, tzinfo=ZoneInfo("UTC"))),
        ("02 Mei 2016 09:15 UTC", datetime(2016, 5, 2, 9, 15, tzinfo=ZoneInfo("UTC"))),
    ],
)
def test_indonesian_dates_are_read(text: str, expected: datetime) -> None:
    parsed = parse_indonesian_date(text)
    assert expected == parsed
    assert (expected.utcoffset() is None) == (parsed.utcoffset() is None)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Maret 2015", "day, the month and the year"),
        ("02 Maret", "day, the month and the year"),
        ("Senin, 02 Maret", "day, the month and the year"),
        ("02/03/2015", "no month name"),
        ("2015-03-02", "no month name"),
        ("kemarin", "no month name"),
        ("Selasa, 02 Maret 2015", "is a Senin, not Selasa"),
        ("02 Maret 2015 09:15 XYZ", "unknown time zone 'XYZ'"),
        ("31 Februari 2015", "out of range"),
        ("02 Maret 2015 sekitar jam 9", "Unknown string format"),
    ],
)
def test_incomplete_or_inconsistent_dates_are_refused(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_indonesian_date(text)


@given(
    st.dates(date(2002, 1, 1), date(2027, 12, 31)),
    st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    st.booleans(),
    st.sampled_from(["", " WIB", " WITA", " WIT"]),
)
def test_any_date_written_in_indonesian_reads_back(
    day: date, at: time, weekday: bool, zone: str
) -> None:
    text = f"{day.day:02d} {BULAN[day.month - 1]} {day.year} pukul {at.hour:02d}.{at.minute:02d}"
    if weekday:
        text = f"{HARI[day.weekday()]}, {text}"
    parsed = parse_indonesian_date(text + zone)
    assert datetime.combine(day, at) == parsed.replace(tzinfo=None)
    assert (zone == "") == (parsed.tzinfo is None)


def test_the_parser_info_knows_the_names() -> None:
    info = IndonesianParserInfo()
    assert [info.month(name) for name in BULAN] == list(range(1, 13))
    assert [info.weekday(name) for name in HARI] == list(range(7))
    assert 4 == info.weekday("Jumat")
    assert 6 == info.weekday("Ahad")
    assert 11 == info.month("Nopember")


def test_the_default_formats_end_with_indonesian_dates() -> None:
    assert (
        "iso",
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y %H:%M",
        "%d/%m/%Y",
        INDONESIAN,
    ) == DEFAULT_DATE_FORMATS


def test_numeric_dates_keep_their_formats() -> None:
    # A numeric date is never handed to dateutil: day first, by strptime, as before.
    assert datetime(2015, 3, 2, 9, 15, tzinfo=WIB) == parse_date(
        "02/03/2015 09:15", DEFAULT_DATE_FORMATS, WIB
    )
    with pytest.raises(ValueError, match="indonesian"):
        parse_date("2015.03.02", DEFAULT_DATE_FORMATS, WIB)


def _read(text: str, options: CsvOptions | None = None) -> list[LaporCsvRecord | CsvRowError]:
    return list(read_lapor_csv(io.StringIO(f"{HEADER}\n{text}\n"), options))


def test_the_reader_takes_indonesian_dates_in_every_date_column() -> None:
    row = (
        "LPR-9,,kaltim.dinkes,,Senin 02 Maret 2015 09:15,03 Maret 2015 10.00,"
        "05 Maret 2015 11:00 WITA,06 Maret 2015,Selesai"
    )
    [record] = _read(row)
    assert isinstance(record, LaporCsvRecord)
    assert datetime(2015, 3, 2, 9, 15, tzinfo=WIB) == record.received_at
    assert datetime(2015, 3, 3, 10, tzinfo=WIB) == record.forwarded_at
    assert datetime(2015, 3, 5, 11, tzinfo=WITA) == record.last_activity_at
    assert timedelta(hours=8) == record.last_activity_at.utcoffset()
    assert datetime(2015, 3, 6, tzinfo=WIB) == record.closed_at
    [in_wita] = _read(row, CsvOptions(time_zone="Asia/Makassar"))
    assert isinstance(in_wita, LaporCsvRecord)
    assert datetime(2015, 3, 2, 9, 15, tzinfo=WITA) == in_wita.received_at


def test_a_bad_indonesian_date_names_its_column() -> None:
    [error] = _read("LPR-9,,,,Selasa 02 Maret 2015,,,,Belum")
    assert isinstance(error, CsvRowError)
    assert "TanggalLaporanMasuk" == error.column
    assert "indonesian" in error.reason


def test_indonesian_dates_are_a_format_one_can_leave_out() -> None:
    [error] = _read("LPR-9,,,,02 Maret 2015,,,,Belum", CsvOptions(date_formats=("iso",)))
    assert isinstance(error, CsvRowError)
    [record] = _read("LPR-9,,,,02 Maret 2015,,,,Belum", CsvOptions(date_formats=(INDONESIAN,)))
    assert isinstance(record, LaporCsvRecord)


@pytest.mark.parametrize("fmt", ["%Q", "%s", "%", "%G-%V", "%d/%m/%Y %Q"])
def test_a_format_that_cannot_read_a_date_is_refused_up_front(fmt: str) -> None:
    """``strptime`` would refuse it for every row: the options refuse it, naming it."""
    with pytest.raises(ValidationError, match=r"^date_formats: .* cannot read a date \("):
        CsvOptions(date_formats=("iso", fmt))


@pytest.mark.parametrize("fmt", ["%Y.%m.%d", "%d/%m/%Y %H:%M %z", "%d %B %Y", "%c", "%Y %Z"])
def test_a_format_that_reads_dates_is_taken(fmt: str) -> None:
    """One with an offset or a zone name too: the check writes an aware date to read back."""
    assert (fmt,) == CsvOptions(date_formats=(fmt,)).date_formats
