"""Importing an export into a store: idempotent, all-or-nothing per row, summary with lines."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from interop_helpers import PROFILE, SAMPLE, SAMPLE_ROWS, service

import lapor_core as lc
from lapor_core.interop import (
    COLUMNS,
    CsvOptions,
    ImportOptions,
    ImportSummary,
    RowProblem,
    import_lapor_csv,
    iter_complaints,
    write_lapor_csv,
)
from lapor_core.service import Subscription
from lapor_core.storage import (
    ComplaintQuery,
    ComplaintRow,
    ComplaintStore,
    InMemoryStore,
    SQLiteStore,
    StoredEvent,
)
from lapor_core.storage.support import READ_ALL_MAX_LIMIT, AppendBatch

HEADER = ",".join(COLUMNS)
S = lc.Status


class CountingStore(InMemoryStore):
    """An in-memory store that counts the complaints its appends write, and the writes."""

    def __init__(self) -> None:
        super().__init__()
        self.appends = 0
        self.writes = 0

    def append(
        self,
        complaint_id: lc.ComplaintId,
        expected_version: int,
        events: Sequence[lc.Event],
        row: ComplaintRow,
        *,
        idempotency_key: str | None = None,
    ) -> tuple[StoredEvent, ...]:
        self.appends += 1
        self.writes += 1
        return super().append(
            complaint_id, expected_version, events, row, idempotency_key=idempotency_key
        )

    def append_many(
        self,
        batches: Iterable[AppendBatch],
        *,
        idempotency_keys: Mapping[lc.ComplaintId, str] | None = None,
    ) -> int:
        checked = list(batches)
        self.appends += len(checked)
        self.writes += 1
        return super().append_many(checked, idempotency_keys=idempotency_keys)


def _events(store: ComplaintStore) -> int:
    return sum(1 for _ in Subscription(store, batch=READ_ALL_MAX_LIMIT))


def test_import_the_sample_file() -> None:
    store = CountingStore()
    svc = service(store)
    summary = import_lapor_csv(svc, SAMPLE)
    assert ImportSummary(SAMPLE_ROWS, 0, (), summary.complaint_ids) == summary
    assert summary.ok
    # each complaint written whole, with its key; the rows in one transaction
    assert (SAMPLE_ROWS, 1) == (store.appends, store.writes)
    statuses = {str(c.external_ids.sp4n_tracking_id): c.status for c in iter_complaints(store)}
    assert {
        "LPR-2025-0001": S.COMPLETED,
        "LPR-2025-0002": S.IN_PROGRESS,
        "LPR-2025-0003": S.FORWARDED,
        "LPR-2025-0004": S.SUBMITTED,
        "LPR-2025-0005": S.ON_HOLD,
        "LPR-2025-0006": S.ARCHIVED,
    } == statuses
    row = store.get(lc.ComplaintId("sp4n-LPR-2025-0001"))
    assert "LPR-2025-0001" == row.sp4n_tracking_id
    assert ("samarinda",) == row.agencies
    assert "rows: 6, imported: 6" in summary.render()


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_reimport_creates_nothing(backend: str, tmp_path: Path) -> None:
    store = InMemoryStore() if backend == "memory" else SQLiteStore(str(tmp_path / "db.sqlite3"))
    try:
        svc = service(store)
        first = import_lapor_csv(svc, SAMPLE)
        events = _events(store)
        second = import_lapor_csv(svc, str(SAMPLE))
        assert (SAMPLE_ROWS, 0) == (first.imported, first.skipped)
        assert (0, SAMPLE_ROWS, ()) == (second.imported, second.skipped, second.errors)
        assert events == _events(store)
        assert SAMPLE_ROWS == len(list(iter_complaints(store)))
    finally:
        store.close()


def test_a_second_service_on_the_same_file_skips_too(tmp_path: Path) -> None:
    path = str(tmp_path / "db.sqlite3")
    one, two = SQLiteStore(path), SQLiteStore(path)
    try:
        assert SAMPLE_ROWS == import_lapor_csv(service(one), SAMPLE).imported
        assert SAMPLE_ROWS == import_lapor_csv(service(two), SAMPLE).skipped
    finally:
        one.close()
        two.close()


def test_the_same_tracking_id_twice_in_a_file() -> None:
    text = f"{HEADER}\nLPR-1,,,,2025-03-03,,,,Belum\nLPR-1,,,,2025-03-03,,,,Belum\n"
    summary = import_lapor_csv(service(), io.StringIO(text))
    assert (1, 1) == (summary.imported, summary.skipped)


def test_idempotency_key_is_the_services() -> None:
    svc = service()
    import_lapor_csv(svc, SAMPLE)
    found = svc.store.idempotency("lapor-csv:LPR-2025-0003")
    assert found is not None
    assert (lc.ComplaintId("sp4n-LPR-2025-0003"), 2) == found  # submitted, forwarded


BAD_FILE = (
    f"{HEADER}\n"
    "LPR-1,infrastruktur,samarinda,64.72,2025-03-03,2025-03-04,,,Belum Ditindaklanjuti\n"
    "LPR-2,infrastruktur,dinas-fiktif,64.72,2025-03-03,2025-03-04,2025-03-05,,Proses\n"
    "LPR-3,infrastruktur,samarinda,64.72,2025-03-03,2025-03-02,,,Belum Ditindaklanjuti\n"
    "LPR-4,,,,1999-03-03 08:00,,,,Belum Terverifikasi\n"
    "LPR-5,,,,03-03-2025,,,,Belum Terverifikasi\n"
    "LPR-6,,,,2025-03-03 08:00,,,,Entah\n"
    "LPR-7,infrastruktur,samarinda,64.72,2025-03-03,2025-03-04,2025-03-05,,Selesai\n"
    "LPR-8,,,,2025-03-03 08:00,,,,Belum Terverifikasi\n"
)


def test_bad_rows_write_nothing_and_are_listed_with_lines() -> None:
    store = CountingStore()
    summary = import_lapor_csv(service(store), io.StringIO(BAD_FILE))
    assert (3, 0) == (summary.imported, summary.skipped)  # line 4: a warning, not a refusal
    assert {"date-order": 1} == summary.warnings
    assert [
        (3, "DisposisiInstansiID"),
        (5, "TanggalLaporanMasuk"),
        (6, "TanggalLaporanMasuk"),
        (7, "Status"),
        (8, "TanggalLaporanDitutup"),
    ] == [(p.line, p.column) for p in summary.errors]
    assert not summary.ok
    assert 8 == summary.rows
    assert (3, 1) == (store.appends, store.writes)
    for n in (2, 4, 5, 6, 7):
        assert () == store.load(lc.ComplaintId(f"sp4n-LPR-{n}"))
        assert store.idempotency(f"lapor-csv:LPR-{n}") is None
    text = summary.render()
    assert "line 3, column DisposisiInstansiID: 'dinas-fiktif'" in text
    assert "errors: 5" in text


def test_a_fixed_file_imports_the_rest_afterwards() -> None:
    svc = service()
    import_lapor_csv(svc, io.StringIO(BAD_FILE))
    fixed = BAD_FILE.replace("dinas-fiktif", "samarinda").replace(
        ",,,Proses", ",2025-03-05,,Proses"
    )
    summary = import_lapor_csv(svc, io.StringIO(fixed))
    assert (1, 3) == (summary.imported, summary.skipped)
    assert S.IN_PROGRESS is svc.get(lc.ComplaintId("sp4n-LPR-2")).status


def test_unusable_header_is_one_problem_on_line_1() -> None:
    summary = import_lapor_csv(service(), io.StringIO("TrackingID,Status\nLPR-1,Belum\n"))
    assert (RowProblem(1, "TanggalLaporanMasuk", summary.errors[0].message),) == summary.errors
    assert 0 == summary.imported


def test_not_utf8_is_a_validation_error_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(f"{HEADER}\nLPR-1,,,,2025-03-03,,,,Belum\n".encode() + b"\xff\xfe,x\n")
    svc = service()
    with pytest.raises(lc.ValidationError, match=r"line 3: .*not utf-8 text.*encoding"):
        import_lapor_csv(svc, path)
    assert svc.store.idempotency("lapor-csv:LPR-1") is not None  # the rows before it


def test_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(lc.NotFound):
        import_lapor_csv(service(), tmp_path / "tidak-ada.csv")


def test_an_existing_complaint_of_another_origin_is_not_overwritten() -> None:
    svc = service()
    submit = lc.Submit(
        complaint_id=lc.ComplaintId("sp4n-LPR-8"),
        content=lc.Content(title="Judul", body="Isi."),
        kind=lc.Kind.COMPLAINT,
        reporter=lc.Reporter("p-1", "Warga"),
        channel=lc.Channel(lc.ChannelType.WEB),
    )
    svc.handle(submit, lc.Actor.reporter("p-1"))
    summary = import_lapor_csv(svc, io.StringIO(BAD_FILE))
    problem = summary.errors[-1]
    assert (9, "TrackingID") == (problem.line, problem.column)
    assert "already exists" in problem.message
    assert "Judul" == svc.get(lc.ComplaintId("sp4n-LPR-8")).content.title


def test_options_are_passed_on() -> None:
    svc = service()
    text = f"{HEADER}\nLPR-1,17,,,02/03/2025,,,,Belum\n".replace(",", ";")
    summary = import_lapor_csv(
        svc,
        io.StringIO(text),
        csv_options=CsvOptions(delimiter=";", time_zone="Asia/Makassar"),
        options=ImportOptions(categories={"17": "kesehatan"}, id_prefix="x-"),
    )
    assert summary.ok, summary.render()
    complaint = svc.get(lc.ComplaintId("x-LPR-1"))
    assert lc.Category("kesehatan") == complaint.category
    assert datetime(2025, 3, 2, tzinfo=ZoneInfo("Asia/Makassar")) == complaint.submitted_at


def test_imported_complaints_go_on_through_the_service() -> None:
    svc = service()
    import_lapor_csv(svc, SAMPLE)
    cid = lc.ComplaintId("sp4n-LPR-2025-0003")
    agency = lc.make_agency_actor(
        svc.context.registry, "adm-bpn", lc.Role.AGENCY_ADMIN, "balikpapan"
    )
    now = svc.get(cid).updated_at + timedelta(hours=1)
    follow_up = lc.PostFollowUp(complaint_id=cid, agency="balikpapan", text="Sudah ditangani.")
    result = svc.handle(follow_up, agency, now=now)
    assert S.IN_PROGRESS is result.complaint.status


def test_sweep_after_import_closes_a_stale_in_progress() -> None:
    svc = service()
    import_lapor_csv(svc, SAMPLE)
    cid = lc.ComplaintId("sp4n-LPR-2025-0002")
    later = svc.get(cid).updated_at + timedelta(days=60)
    svc.sweep(later)
    assert S.COMPLETED is svc.get(cid).status
    assert svc.get(cid).closed_automatically


def test_iter_complaints_pages_and_filters() -> None:
    svc = service()
    import_lapor_csv(svc, SAMPLE)
    everything = list(iter_complaints(svc.store, ComplaintQuery(limit=2)))
    assert SAMPLE_ROWS == len(everything)
    assert len({c.id for c in everything}) == SAMPLE_ROWS
    done = list(iter_complaints(svc.store, ComplaintQuery(statuses=frozenset({S.COMPLETED}))))
    assert [S.COMPLETED] == [c.status for c in done]


ROW = st.sampled_from(
    [
        "LPR-{n},infrastruktur,samarinda,64.72,2025-03-03,2025-03-04,2025-03-05,2025-03-07,Selesai",
        "LPR-{n},kesehatan,kaltim.dinkes,64,2025-03-03,2025-03-04,2025-03-05,,Proses",
        "LPR-{n},,,,2025-03-03,,,,Belum Terverifikasi",
        "LPR-{n},,balikpapan,,2025-03-03,2025-03-04,,,Belum Ditindaklanjuti",
        "LPR-{n},,,,2025-03-03,,,2025-03-04,Arsip",
        "LPR-{n},,,,2025-03-03,,2025-03-05,,Tunda",
        "LPR-{n},,dinas-fiktif,,2025-03-03,2025-03-04,,,Belum Ditindaklanjuti",
    ]
)


@settings(max_examples=25)
@given(st.lists(st.tuples(st.integers(0, 6), ROW), max_size=12))
def test_importing_twice_equals_importing_once(rows: list[tuple[int, str]]) -> None:
    text = HEADER + "\n" + "".join(template.format(n=n) + "\n" for n, template in rows)
    svc = service()
    first = import_lapor_csv(svc, io.StringIO(text), on_conflict="skip")
    events = _events(svc.store)
    second = import_lapor_csv(svc, io.StringIO(text), on_conflict="skip")
    good = [(n, t) for n, t in rows if "fiktif" not in t]
    bad_rows = len(rows) - len(good)
    firsts: dict[int, str] = {}
    for n, t in good:
        firsts.setdefault(n, t)
    same = sum(1 for n, t in good if firsts[n] == t) - len(firsts)  # true duplicates
    conflicting = sum(1 for n, t in good if firsts[n] != t)  # same id, other content
    assert (len(firsts), same, conflicting) == (
        first.imported,
        first.skipped,
        len(first.conflicts),
    )
    assert (0, len(good) - conflicting, conflicting, bad_rows) == (
        second.imported,
        second.skipped,
        len(second.conflicts),
        len(second.errors),
    )
    assert bad_rows == len(first.errors)
    assert events == _events(svc.store)
    assert len(firsts) == len(list(iter_complaints(svc.store)))


def test_export_of_an_import_reads_back_the_same() -> None:
    svc = service()
    import_lapor_csv(svc, SAMPLE)
    exported = write_lapor_csv(iter_complaints(svc.store), profile=PROFILE)
    again = service()
    assert SAMPLE_ROWS == import_lapor_csv(again, io.StringIO(exported)).imported
    assert exported == write_lapor_csv(iter_complaints(again.store), profile=PROFILE)


@pytest.mark.parametrize(
    ("fallback", "said"),
    [
        ({"fallback_agency": "tidak-ada"}, "fallback agency 'tidak-ada' is not an agency"),
        ({"fallback_agency": "lapor"}, "(or is its root)"),
        ({"fallback_category": "tidak-ada"}, "fallback category: 'tidak-ada' is not a category"),
        ({"fallback_region": "64.x"}, "fallback region: invalid Kemendagri region code"),
    ],
)
def test_a_fallback_no_row_could_be_given_is_refused_before_reading(
    fallback: dict[str, str], said: str
) -> None:
    """Refused up front (not on each row that needs it); no row is read or written."""
    svc = service()
    read: list[str] = []

    def lines() -> Iterable[str]:
        for line in SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True):
            read.append(line)
            yield line

    with pytest.raises(lc.ValidationError) as info:
        import_lapor_csv(svc, lines(), options=ImportOptions(**fallback))  # type: ignore[arg-type]
    assert said in str(info.value)
    assert ([], ()) == (read, svc.store.read_all())
