"""The LAPOR! open-data export: reading rows, replaying them through the domain, writing."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from interop_helpers import (
    CONTENT_STRINGS,
    CTX,
    PROFILE,
    REPORTER_STRINGS,
    SAMPLE,
    SAMPLE_ROWS,
    sentinel_complaint,
)

import lapor_core as lc
from lapor_core.interop import (
    COLUMNS,
    STATUS_LABELS,
    CsvOptions,
    CsvRowError,
    ImportOptions,
    LaporCsvRecord,
    read_lapor_csv,
    record_steps,
    replay_record,
    to_record,
    write_lapor_csv,
)
from lapor_core.interop.lapor_csv import (
    IMPORT_CHANNEL,
    complaint_id_for,
    idempotency_key_for,
    parse_row,
    record_fields,
    record_warnings,
    status_labels_from_profile,
)

WIB = ZoneInfo("Asia/Jakarta")
HEADER = ",".join(COLUMNS)
S = lc.Status


def _read(text: str, options: CsvOptions | None = None) -> list[LaporCsvRecord | CsvRowError]:
    return list(read_lapor_csv(io.StringIO(text), options))


def _records(text: str, options: CsvOptions | None = None) -> list[LaporCsvRecord]:
    items = _read(text, options)
    assert all(isinstance(i, LaporCsvRecord) for i in items), items
    return [i for i in items if isinstance(i, LaporCsvRecord)]


def _record(**changes: Any) -> LaporCsvRecord:
    base = LaporCsvRecord(
        line=2,
        tracking_id=lc.TrackingId("LPR-1"),
        category_id="infrastruktur",
        agency_id="samarinda",
        area_id="64.72",
        received_at=datetime(2025, 3, 3, 8, 0, tzinfo=WIB),
        forwarded_at=datetime(2025, 3, 4, 9, 0, tzinfo=WIB),
        last_activity_at=datetime(2025, 3, 5, 10, 0, tzinfo=WIB),
        closed_at=datetime(2025, 3, 20, 11, 0, tzinfo=WIB),
        status=S.COMPLETED,
        status_label="Selesai",
    )
    return attrs.evolve(base, **changes)


# ---------------------------------------------------------------------------- reading


def test_read_the_sample_file() -> None:
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        records = [r for r in read_lapor_csv(handle) if isinstance(r, LaporCsvRecord)]
    assert SAMPLE_ROWS == len(records)
    assert [S.COMPLETED, S.IN_PROGRESS, S.FORWARDED, S.SUBMITTED, S.ON_HOLD, S.ARCHIVED] == [
        r.status for r in records
    ]
    first = records[0]
    assert 2 == first.line
    assert lc.TrackingId("LPR-2025-0001") == first.tracking_id
    assert ("infrastruktur", "samarinda", "64.72") == (
        first.category_id,
        first.agency_id,
        first.area_id,
    )
    assert datetime(2025, 3, 3, 8, 15, tzinfo=WIB) == first.received_at
    assert timedelta(hours=7) == first.received_at.utcoffset()
    fourth = records[3]
    assert (None, None, None, None) == (
        fourth.category_id,
        fourth.agency_id,
        fourth.forwarded_at,
        fourth.closed_at,
    )


@pytest.mark.parametrize(
    ("label", "status"),
    [
        ("Belum Terverifikasi", S.SUBMITTED),
        ("belum diproses", S.SUBMITTED),
        ("Belum", S.SUBMITTED),
        ("Belum Ditindaklanjuti", S.FORWARDED),
        ("diverifikasi dan didisposisi", S.FORWARDED),
        ("PROSES", S.IN_PROGRESS),
        ("Selesai", S.COMPLETED),
        ("Tunda", S.ON_HOLD),
        ("dipending", S.ON_HOLD),
        ("Arsip", S.ARCHIVED),
        ("dihapus", S.ARCHIVED),
    ],
)
def test_status_labels(label: str, status: lc.Status) -> None:
    text = f"{HEADER}\nLPR-1,,,,2025-03-03,,,,{label}\n"
    assert status is _records(text)[0].status
    assert status is STATUS_LABELS[label.casefold()]


def test_profile_labels_extend_the_table() -> None:
    labels = status_labels_from_profile(lc.load_profile("kaltim"))
    for status, names in lc.load_profile("kaltim").labels.items():
        for local in names.local:
            assert status is labels[local.casefold()]


def test_errors_name_line_and_column_and_reading_goes_on() -> None:
    text = (
        f"{HEADER}\n"
        "LPR-1,,,,2025-03-03,,,,Belum Terverifikasi\n"  # line 2: good
        "LPR-2,,,,2025-03-03,kemarin,,,Tunda\n"  # line 3: bad date
        'LPR-3,"kategori\nyang panjang",,,2025-03-03,,,,Belum\n'  # lines 4-5: good
        "LPR-4,,,,2025-03-03,,,,Hilang\n"  # line 6: unknown status
        ",,,,2025-03-03,,,,Belum\n"  # line 7: no tracking id
        "\n"  # line 8: blank, skipped
        "LPR-5,,,,2025-03-03,,,Belum\n"  # line 9: 8 fields
        "LPR 6,,,,2025-03-03,,,,Belum\n"  # line 10: bad tracking id
        "LPR-7,,,,,,,,Belum\n"  # line 11: no received date
        "LPR-8,,,,2025-03-03,,,,\n"  # line 12: no status
        "LPR-9,,,,2025-03-03,,,,Selesai\n"  # line 13: good to read (replay checks the rest)
    )
    items = _read(text)
    errors = [(e.line, e.column) for e in items if isinstance(e, CsvRowError)]
    assert [
        (3, "TanggalDisposisi"),
        (6, "Status"),
        (7, "TrackingID"),
        (9, None),
        (10, "TrackingID"),
        (11, "TanggalLaporanMasuk"),
        (12, "Status"),
    ] == errors
    good = [(r.line, str(r.tracking_id)) for r in items if isinstance(r, LaporCsvRecord)]
    assert [(2, "LPR-1"), (4, "LPR-3"), (13, "LPR-9")] == good
    bad_date = next(e for e in items if isinstance(e, CsvRowError))
    assert str(bad_date).startswith("line 3, column TanggalDisposisi: ")
    assert "kemarin" in str(bad_date)
    assert "LPR-2" == bad_date.tracking_id
    assert isinstance(bad_date, lc.ValidationError)


@pytest.mark.parametrize("missing", ["TrackingID", "TanggalLaporanMasuk", "Status"])
def test_header_without_a_required_column(missing: str) -> None:
    header = ",".join(c for c in COLUMNS if c != missing)
    with pytest.raises(CsvRowError) as info:
        _read(f"{header}\n")
    assert (1, missing) == (info.value.line, info.value.column)


def test_header_is_matched_loosely_and_extra_columns_ignored() -> None:
    text = "\ufeff trackingid ;STATUS;Catatan;tanggallaporanmasuk\nLPR-1;Proses;x;2025-03-03\n"
    options = CsvOptions(delimiter=";")
    record = _records(text, options)[0]
    assert S.IN_PROGRESS is record.status
    assert record.agency_id is None


def test_repeated_header_column_and_empty_file() -> None:
    with pytest.raises(CsvRowError, match="twice"):
        _read(f"{HEADER},Status\n")
    with pytest.raises(CsvRowError, match="empty"):
        _read("")


def test_date_formats_and_time_zone_are_parameters() -> None:
    text = f"{HEADER}\nLPR-1,,,,02/03/2015 09:15,,,,Belum\n"
    record = _records(text)[0]
    assert datetime(2015, 3, 2, 9, 15, tzinfo=WIB) == record.received_at  # day first
    wita = CsvOptions(time_zone="Asia/Makassar")
    assert timedelta(hours=8) == _records(text, wita)[0].received_at.utcoffset()
    month_first = CsvOptions(date_formats=("%m/%d/%Y %H:%M",))
    assert 2 == _records(text, month_first)[0].received_at.month
    only_iso = CsvOptions(date_formats=["iso"])
    error = _read(text, only_iso)[0]
    assert isinstance(error, CsvRowError)
    assert "TanggalLaporanMasuk" == error.column
    with_offset = f"{HEADER}\nLPR-1,,,,2015-03-02T09:15:00+09:00,,,,Belum\n"
    assert timedelta(hours=9) == _records(with_offset)[0].received_at.utcoffset()


@pytest.mark.parametrize(
    "changes",
    [
        {"time_zone": "Mars/Olympus"},
        {"date_formats": ()},
        {"date_formats": ("",)},
        {"delimiter": ";;"},
        {"delimiter": "\n"},
    ],
)
def test_bad_options_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(lc.ValidationError):
        CsvOptions(**changes)  # type: ignore[arg-type]


def test_import_options_check_prefix_and_actor() -> None:
    with pytest.raises(lc.ValidationError, match="id_prefix"):
        ImportOptions(id_prefix="ada spasi ")
    with pytest.raises(lc.ValidationError, match="actor_id"):
        ImportOptions(actor_id=" ")
    with pytest.raises(lc.ValidationError, match="agencies"):
        ImportOptions(agencies=[("1", "samarinda")])  # type: ignore[arg-type]
    with pytest.raises(lc.ValidationError, match="channel"):
        ImportOptions(channel="web")  # type: ignore[arg-type]


def test_naive_record_dates_are_refused() -> None:
    with pytest.raises(lc.ValidationError, match="received_at"):
        _record(received_at=datetime(2025, 3, 3))  # noqa: DTZ001 - the point of the test


# ---------------------------------------------------------------------------- replaying

EXPECTED_STEPS = {
    S.SUBMITTED: ["Submit"],
    S.ON_HOLD: ["Submit", "Forward", "RequestInformation"],
    S.FORWARDED: ["Submit", "Forward"],
    S.IN_PROGRESS: ["Submit", "Forward", "PostFollowUp"],
    S.COMPLETED: ["Submit", "Forward", "PostFollowUp", "Close"],
    S.ARCHIVED: ["Submit", "Forward", "Archive"],
}


def _shaped(status: lc.Status) -> LaporCsvRecord:
    """A consistent record of *status*."""
    record = _record(status=status, status_label=status.value)
    if status is S.SUBMITTED:
        record = attrs.evolve(record, agency_id=None, forwarded_at=None, last_activity_at=None)
    if not status.terminal:
        record = attrs.evolve(record, closed_at=None)
    if status in {S.FORWARDED, S.ARCHIVED}:
        record = attrs.evolve(record, last_activity_at=None)
    return record


@pytest.mark.parametrize("status", list(S))
def test_record_replays_to_its_status(status: lc.Status) -> None:
    record = _shaped(status)
    steps = record_steps(record, CTX)
    assert EXPECTED_STEPS[status] == [type(s.command).__name__ for s in steps]
    assert [s.at for s in steps] == sorted(s.at for s in steps)
    complaint, events = replay_record(record, CTX)
    assert status is complaint.status
    assert lc.replay(events) == complaint
    assert lc.ComplaintId("sp4n-LPR-1") == complaint.id == complaint_id_for(record)
    assert record.tracking_id == complaint.external_ids.sp4n_tracking_id
    assert record.received_at == complaint.submitted_at
    assert IMPORT_CHANNEL == complaint.channel
    assert steps[0].command.idempotency_key == idempotency_key_for(record) == "lapor-csv:LPR-1"
    if status is not S.SUBMITTED:
        assert ("samarinda",) == tuple(a.agency for a in complaint.assignments)
        assert record.forwarded_at == complaint.first_forwarded_at
    if status is S.COMPLETED:
        assert record.closed_at == complaint.closed_at
        assert record.last_activity_at == complaint.first_follow_up_at


@pytest.mark.parametrize("status", [S.SUBMITTED, S.FORWARDED, S.ARCHIVED])
def test_last_activity_without_a_step_is_an_information_exchange(status: lc.Status) -> None:
    shaped = _shaped(status)
    last = shaped.received_at + timedelta(hours=5)
    record = attrs.evolve(shaped, last_activity_at=last)
    complaint, _ = replay_record(record, CTX)
    assert ["question", "information"] == [m.kind for m in complaint.thread]
    assert [last, last] == [m.at for m in complaint.thread]
    assert status is complaint.status
    assert last == to_record(complaint).last_activity_at  # the export gives it back
    if status is S.FORWARDED:  # asked and answered before the forwarding
        assert complaint.first_forwarded_at is not None
        assert complaint.thread[-1].at < complaint.first_forwarded_at
    early = attrs.evolve(record, last_activity_at=record.received_at - timedelta(days=1))
    complaint, _ = replay_record(early, CTX)  # a messy ordering: kept, with a warning
    assert status is complaint.status
    assert ["date-order"] == [w.kind for w in record_warnings(early)]


def test_completed_without_last_activity_follows_up_at_closing() -> None:
    complaint, _ = replay_record(_record(last_activity_at=None), CTX)
    assert complaint.closed_at == complaint.first_follow_up_at


def test_on_hold_and_archived_without_dates_use_the_latest_earlier_one() -> None:
    record = _record(status=S.ON_HOLD, status_label="Tunda", last_activity_at=None, closed_at=None)
    held, _ = replay_record(record, CTX)
    assert record.forwarded_at == held.updated_at
    archived, _ = replay_record(
        _record(status=S.ARCHIVED, status_label="Arsip", closed_at=None), CTX
    )
    assert _record().last_activity_at == archived.closed_at
    assert lc.ArchiveReason.OTHER is archived.archive_reason


BAD_RECORDS: list[tuple[dict[str, object], str]] = [
    ({"closed_at": None}, "TanggalLaporanDitutup"),  # Selesai needs a closing date
    ({"agency_id": None}, "DisposisiInstansiID"),
    ({"forwarded_at": None}, "TanggalDisposisi"),
    (
        {"status": S.IN_PROGRESS, "closed_at": None, "last_activity_at": None},
        "TanggalLaporanAktivitasTerakhir",
    ),
    ({"status": S.IN_PROGRESS}, "TanggalLaporanDitutup"),  # open, but closed
    ({"status": S.SUBMITTED, "agency_id": None, "closed_at": None}, "TanggalDisposisi"),
    ({"agency_id": "dinas-fiktif"}, "DisposisiInstansiID"),
    ({"agency_id": "lapor"}, "DisposisiInstansiID"),  # the national root
    ({"category_id": "kategori-fiktif"}, "KategoriID"),
    ({"category_id": "17"}, "KategoriID"),
    ({"area_id": "Samarinda"}, "AreaID"),
    ({"received_at": datetime(1990, 1, 2, tzinfo=WIB)}, "TanggalLaporanMasuk"),  # no calendar
]


MESSY_RECORDS: list[tuple[dict[str, object], str]] = [
    ({"forwarded_at": datetime(2025, 3, 1, tzinfo=WIB)}, "TanggalDisposisi"),  # before received
    ({"closed_at": datetime(2025, 3, 5, 9, 0, tzinfo=WIB)}, "TanggalLaporanDitutup"),
]


@pytest.mark.parametrize(("changes", "column"), MESSY_RECORDS)
def test_dates_out_of_order_are_a_warning_and_no_step_goes_back(
    changes: dict[str, object], column: str
) -> None:
    record = _record(**changes)
    complaint, events = replay_record(record, CTX)
    assert record.status is complaint.status
    assert [(2, column, "date-order")] == [
        (w.line, w.column, w.kind) for w in record_warnings(record)
    ]
    instants = [event.at for event in events]
    assert instants == sorted(instants)


@pytest.mark.parametrize(
    ("changes", "column"), BAD_RECORDS, ids=[f"{i}-{c}" for i, (_, c) in enumerate(BAD_RECORDS)]
)
def test_inconsistent_records_name_the_column(changes: dict[str, object], column: str) -> None:
    record = _record(**changes)
    with pytest.raises(CsvRowError) as info:
        replay_record(record, CTX)
    assert (2, column) == (info.value.line, info.value.column), str(info.value)
    assert "LPR-1" == info.value.tracking_id


def test_maps_and_fallbacks() -> None:
    record = _record(category_id="17", agency_id="1234", area_id="A-64")
    options = ImportOptions(
        categories={"17": "kesehatan"},
        agencies={"1234": "kaltim.dinkes"},
        areas={"A-64": "64"},
    )
    complaint, _ = replay_record(record, CTX, options)
    assert lc.Category("kesehatan") == complaint.category
    assert ("kaltim.dinkes",) == tuple(a.agency for a in complaint.assignments)
    assert lc.RegionCode("64") == complaint.region
    with pytest.raises(CsvRowError) as info:
        replay_record(_record(agency_id="9999", area_id="A-64"), CTX, options)
    assert "DisposisiInstansiID" == info.value.column
    assert "map" in info.value.reason
    fallback = attrs.evolve(options, fallback_agency="samarinda", fallback_category="pungli")
    unknown = _record(agency_id="9999", category_id="99", area_id="A-64")
    complaint, _ = replay_record(unknown, CTX, fallback)
    assert "samarinda" == complaint.assignments[0].agency
    assert lc.Category("pungli") == complaint.category
    with pytest.raises(CsvRowError) as info:
        replay_record(record, CTX, attrs.evolve(options, areas={}))
    assert "AreaID" == info.value.column


def test_fallback_agency_must_exist() -> None:
    options = ImportOptions(fallback_agency="tidak-ada")
    with pytest.raises(CsvRowError) as info:
        replay_record(_record(agency_id="9999"), CTX, options)
    assert "DisposisiInstansiID" == info.value.column


def test_import_options_reach_the_complaint() -> None:
    reporter = lc.Reporter("r-1", "Warga Samarinda")
    options = ImportOptions(
        kind=lc.Kind.ASPIRATION,
        reporter=reporter,
        privacy=lc.Privacy(anonymous=True),
        channel=lc.load_profile("kaltim").channel("lapor_wal"),
        id_prefix="kaltim-",
    )
    complaint, events = replay_record(_record(), CTX, options)
    assert lc.ComplaintId("kaltim-LPR-1") == complaint.id
    assert "LAPOR WAL!" == complaint.channel.name
    assert lc.Kind.ASPIRATION is complaint.kind
    assert reporter == complaint.reporter
    assert complaint.privacy.anonymous
    assert all(e.actor.id == options.actor_id for e in events)


# ---------------------------------------------------------------------------- writing


def _parse_back(text: str) -> list[LaporCsvRecord]:
    return _records(text)


@pytest.mark.parametrize("status", list(S))
def test_sample_complaint_round_trip(status: lc.Status) -> None:
    record = _shaped(status)
    complaint, _ = replay_record(record, CTX)
    back = _parse_back(write_lapor_csv([complaint]))[0]
    assert attrs.evolve(record, status_label=back.status_label) == back
    assert PROFILE.label(status, "id") == back.status_label


@st.composite
def consistent_records(draw: st.DrawFn) -> LaporCsvRecord:
    """Records whose every date the replay keeps (so that the round trip is exact)."""
    status = draw(st.sampled_from(list(S)))
    start = draw(
        st.datetimes(min_value=datetime(2003, 1, 1), max_value=datetime(2026, 6, 1))  # noqa: DTZ001 - made aware below
    ).replace(microsecond=0, tzinfo=WIB)
    gaps = [timedelta(seconds=draw(st.integers(0, 20 * 86_400))) for _ in range(3)]
    forwarded = start + gaps[0]
    activity = forwarded + gaps[1]
    closed = activity + gaps[2]
    forward = status is not S.SUBMITTED and (
        status not in {S.ON_HOLD, S.ARCHIVED} or draw(st.booleans())
    )
    agency = draw(st.sampled_from(["samarinda", "balikpapan", "kaltim.dinkes", "kemenkes"]))
    with_activity = status in {S.IN_PROGRESS, S.COMPLETED, S.ON_HOLD}
    return LaporCsvRecord(
        line=0,
        tracking_id=draw(st.from_regex(r"[A-Za-z0-9-]{1,32}", fullmatch=True).map(lc.TrackingId)),
        category_id=draw(st.none() | st.sampled_from(sorted(PROFILE.service_standards))),
        agency_id=agency if forward else None,
        area_id=draw(st.none() | st.sampled_from(["64", "64.72", "64.71.01"])),
        received_at=start,
        forwarded_at=forwarded if forward else None,
        last_activity_at=activity if with_activity else None,
        closed_at=closed if status.terminal else None,
        status=status,
        status_label=PROFILE.label(status, "id"),
    )


@given(consistent_records())
def test_record_complaint_csv_record_round_trip(record: LaporCsvRecord) -> None:
    complaint, _ = replay_record(record, CTX)
    assert record.status is complaint.status
    assert record == to_record(complaint)
    text = write_lapor_csv([complaint], profile=PROFILE)
    back = _parse_back(text)[0]
    assert attrs.evolve(record, line=2) == back


OFFSETS = {"Asia/Jakarta": "+07:00", "Asia/Makassar": "+08:00", "Asia/Jayapura": "+09:00"}


@given(consistent_records(), st.sampled_from(sorted(OFFSETS)))
def test_fields_round_trip_in_any_zone(record: LaporCsvRecord, zone: str) -> None:
    options = CsvOptions(time_zone=zone)
    fields = record_fields(record, options)
    assert list(COLUMNS) == list(fields)
    back = parse_row(fields, 0, options)
    assert record == back
    assert fields["TanggalLaporanMasuk"].endswith(OFFSETS[zone])


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("anonymous", [False, True])
@pytest.mark.parametrize("confidential", [False, True])
def test_privacy_in_the_csv_export(status: lc.Status, anonymous: bool, confidential: bool) -> None:
    complaint = sentinel_complaint(status, lc.Privacy(anonymous, confidential))
    text = write_lapor_csv([complaint], profile=PROFILE)
    for secret in (*REPORTER_STRINGS, *CONTENT_STRINGS):
        assert secret not in text
    rows = list(csv.reader(io.StringIO(text)))
    assert list(COLUMNS) == rows[0]
    assert "LPR-SENTINEL-1" == rows[1][0]


def test_export_without_tracking_id_uses_our_id_if_it_fits() -> None:
    complaint = sentinel_complaint(S.SUBMITTED, lc.Privacy(), cid="c-42", tracking=None)
    assert lc.TrackingId("c-42") == to_record(complaint).tracking_id
    unfit = sentinel_complaint(S.SUBMITTED, lc.Privacy(), cid="c:42", tracking=None)
    with pytest.raises(lc.ValidationError, match="TrackingID"):
        write_lapor_csv([unfit])


def test_write_to_a_stream() -> None:
    complaints: Sequence[lc.Complaint] = [
        sentinel_complaint(S.FORWARDED, lc.Privacy(), cid=f"c-{n}", tracking=f"T-{n}")
        for n in range(3)
    ]
    out = io.StringIO()
    assert "" == write_lapor_csv(complaints, out, options=CsvOptions(delimiter=";"))
    lines = out.getvalue().splitlines()
    assert 4 == len(lines)
    assert lines[1].startswith("T-0;infrastruktur;samarinda;64.72;")


def test_unterminated_quote_is_an_error_of_its_line() -> None:
    items = _read(f'{HEADER}\nLPR-1,,,,2025-03-03,,,,Belum\nLPR-2,"tanpa akhir,,,2025-03-03\n')
    assert isinstance(items[0], LaporCsvRecord)
    error = items[1]
    assert isinstance(error, CsvRowError)
    assert (3, None) == (error.line, error.column)
    assert "unreadable row" in error.reason
