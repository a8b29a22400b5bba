"""
Bad input gives a ``LaporError``, never another exception (issue 13, failure 6).

The library raises only :class:`~lapor_core.errors.LaporError` subclasses; the CLI turns
them (and what the operating system refuses) into ``lapor-core: error: <message>`` and
exit code 1, never a traceback.
"""

from __future__ import annotations

import base64
import os
import sqlite3
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from lapor_core import ComplaintId, ValidationError
from lapor_core.cli import main
from lapor_core.domain.calendar import WorkingCalendar
from lapor_core.errors import LaporError, StorageError
from lapor_core.interop.open311 import submit_from_request
from lapor_core.storage import ComplaintQuery, SQLiteStore, open_store
from lapor_core.storage.codec import decode_event
from lapor_core.testing.store_contract import T0, Draft, submit_command
from lapor_core.testing.store_contract._helpers import OWNER

DEEP = 100_000  # far beyond the interpreter's recursion limit
DSN_ENV = "LAPOR_TEST_POSTGRES_DSN"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def _services(output: Path | str) -> list[str]:
    return ["export", "open311", "services", "--output", str(output)]


# ------------------------------------------------------------------------- CLI output


def test_output_into_a_missing_directory_is_an_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, err = _run(capsys, *_services(tmp_path / "missing" / "out.json"))
    assert 1 == code
    assert err.startswith("lapor-core: error: cannot write --output")
    assert "No such file or directory" in err


def test_output_onto_a_directory_is_an_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, err = _run(capsys, *_services(tmp_path))
    assert 1 == code
    assert "Is a directory" in err


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_output_onto_an_unwritable_file_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _run(capsys, *_services("/dev/full"))
    assert 1 == code
    assert err.startswith("lapor-core: error: cannot write --output '/dev/full'")


def test_export_output_onto_a_directory_is_an_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    SQLiteStore(tmp_path / "s.db").close()
    store = f"sqlite:///{tmp_path / 's.db'}"
    code, err = _run(capsys, "export", "indicators", "--store", store, "--output", str(tmp_path))
    assert 1 == code
    assert "Is a directory" in err


# ------------------------------------------------------------------------ CLI inputs


@pytest.mark.parametrize("kind", ["directory", "latin-1"])
def test_an_unreadable_agency_map_is_an_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str
) -> None:
    export = tmp_path / "export.csv"
    export.write_text("TrackingID\n", encoding="utf-8")
    if kind == "directory":
        mapping = tmp_path
    else:
        mapping = tmp_path / "map.csv"
        mapping.write_bytes("K\u00e9,kaltim\n".encode("latin-1"))
    code, err = _run(capsys, "import", str(export), "--agency-map", str(mapping))
    assert 1 == code
    assert err.startswith("lapor-core: error: cannot read agency map")


def test_a_profile_that_is_a_directory_is_an_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, err = _run(capsys, "walk", "--profile", str(tmp_path))
    assert 1 == code
    assert err.startswith("lapor-core: error:")


def test_a_sqlite_url_with_a_nul_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _run(capsys, "simulate", "--store", "sqlite:///a%00b.db", "--quiet")
    assert 1 == code
    assert "NUL" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["--days", "1000000000", "--unit", "calendar_days", "--start", "2025-01-01"],
        ["--days", "3", "--unit", "calendar_days", "--start", "9999-12-31"],
        ["--days", "3", "--start", "9999-12-31"],
        ["--days", "3", "--start", "0001-01-01T00:00+14:00"],
        ["--days", "0", "--unit", "calendar_days", "--start", "0001-01-01T00:00+14:00"],
        ["--days", "3", "--start", "9999-12-31T23:00-14:00", "--unit", "calendar_days"],
    ],
)
def test_deadlines_out_of_range_are_errors(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, err = _run(capsys, "deadline", *argv)
    assert 1 == code
    assert err.startswith("lapor-core: error:")


@pytest.mark.parametrize(
    "argv",
    [
        ["--start", "9999-12-31T23:00-14:00", "--days", "1"],
        ["--start", "2025-01-06", "--days", "1000000000"],
    ],
)
def test_a_simulated_period_past_the_last_date_is_an_error(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, err = _run(capsys, "simulate", "--store", "memory://", "--quiet", *argv)
    assert 1 == code
    assert "representable" in err


# --------------------------------------------------------------------------- library


def test_open_store_refuses_a_nul_in_a_sqlite_path() -> None:
    with pytest.raises(ValidationError, match="NUL"):
        open_store("sqlite:///a%00b.db")


@pytest.mark.parametrize("url", ["sqlite:///a%ed%a0%80.db", "sqlite:///a\ud800.db"])
def test_open_store_refuses_a_sqlite_path_that_is_not_text(url: str) -> None:
    with pytest.raises(ValidationError, match="UTF-8"):
        open_store(url)


@pytest.mark.parametrize(
    ("start", "n"),
    [
        (datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))), 3),
        (datetime.max.replace(tzinfo=timezone(timedelta(hours=-14))), 3),
    ],
)
def test_working_day_deadlines_at_the_ends_of_time_are_range_errors(
    start: datetime, n: int
) -> None:
    calendar = WorkingCalendar()
    with pytest.raises(LaporError):
        calendar.deadline(start, n)
    with pytest.raises(LaporError):
        calendar.explain(start, n)
    with pytest.raises(LaporError):
        calendar.local_date(start)


@pytest.mark.parametrize(
    ("start", "n"),
    [
        (datetime(2025, 1, 1, tzinfo=UTC), 10**9),
        (datetime(2025, 1, 1, tzinfo=UTC), 10**30),
        (datetime(9999, 12, 31, tzinfo=UTC), 0),
        (datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))), 0),
    ],
)
def test_calendar_day_deadlines_past_the_last_date_are_errors(start: datetime, n: int) -> None:
    with pytest.raises(LaporError):
        WorkingCalendar().add_calendar_days_deadline(start, n)


@pytest.mark.parametrize("n", ["3", None, 1.5, [3]])
def test_a_count_that_is_not_an_int_is_a_validation_error(n: object) -> None:
    calendar = WorkingCalendar()
    with pytest.raises(ValidationError):
        calendar.add_working_days(date(2025, 1, 2), n)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        calendar.deadline(datetime(2025, 1, 2, tzinfo=UTC), n)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        calendar.explain(date(2025, 1, 2), n)  # type: ignore[arg-type]


@pytest.mark.parametrize("day", [[], {}, "2025-01-02"])
def test_a_day_that_is_not_a_date_is_a_validation_error(day: object) -> None:
    calendar = WorkingCalendar()
    with pytest.raises(ValidationError):
        calendar.is_working_day(day)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        calendar.holiday_name(day)  # type: ignore[arg-type]


def test_overrides_that_are_not_iterable_are_a_validation_error() -> None:
    with pytest.raises(ValidationError):
        WorkingCalendar(overrides=5)  # type: ignore[arg-type]


def _open311(**coordinates: object) -> dict[str, object]:
    return {
        "service_code": "infrastruktur",
        "description": "Jalan berlubang di depan pasar.",
        "account_id": "warga-1",
        **coordinates,
    }


@pytest.mark.parametrize(
    ("lat", "long"),
    [(10**400, 1.0), (1.0, -(10**400)), ("1_0", "1.0"), ("1.0", "1_0"), (" 1e2_0", "1")],
    ids=["huge-lat", "huge-long", "underscore-lat", "underscore-long", "underscore-exponent"],
)
def test_open311_coordinates_that_are_no_plain_numbers_are_refused(
    lat: object, long: object
) -> None:
    with pytest.raises(ValidationError, match=r"^(lat|long): "):
        submit_from_request(_open311(lat=lat, long=long), complaint_id=ComplaintId("o-1"))


def test_open311_coordinates_in_plain_notation_are_accepted() -> None:
    for lat, long in (("-0.5", "117.15"), (1, -2), ("1e1", " 2.5 "), (-90, 180)):
        submit = submit_from_request(_open311(lat=lat, long=long), complaint_id=ComplaintId("o"))
        assert submit.content.point is not None
        assert (float(lat), float(long)) == (submit.content.point.lat, submit.content.point.long)


def _forged(micros: str, ident: str = "c-1") -> str:
    return base64.urlsafe_b64encode(f"{micros}|{ident}".encode()).decode().rstrip("=")


FORGED_MICROS = [str(10**30), str(-(10**30)), "1_000", " 12", "+5"]


@pytest.mark.parametrize("micros", FORGED_MICROS)
@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_a_forged_query_cursor_is_a_validation_error(
    tmp_path: Path, micros: str, backend: str
) -> None:
    url = "memory://" if backend == "memory" else f"sqlite:///{tmp_path / 'q.db'}"
    store = open_store(url)
    try:
        with pytest.raises(ValidationError, match="invalid query cursor"):
            store.query(ComplaintQuery(cursor=_forged(micros)))
    finally:
        store.close()


@pytest.mark.postgres
def test_a_forged_query_cursor_is_a_validation_error_on_postgres() -> None:
    dsn = os.environ.get(DSN_ENV)
    if not dsn:
        if os.environ.get("CI"):
            pytest.fail(f"{DSN_ENV} is not set (CI is set: refusing to skip)")
        pytest.skip(f"{DSN_ENV} is not set: PostgreSQL tests need a server")
    from lapor_core.storage.postgres import PostgresStore  # noqa: PLC0415 - optional extra

    store = PostgresStore(dsn, schema=f"lapor_test_{uuid.uuid4().hex[:12]}", max_size=2)
    try:
        for micros in FORGED_MICROS:
            with pytest.raises(ValidationError, match="invalid query cursor"):
                store.query(ComplaintQuery(cursor=_forged(micros)))
    finally:
        store.close()
        store.drop_schema()


def test_a_deeply_nested_json_record_is_a_storage_error() -> None:
    deep = "[" * DEEP + "]" * DEEP
    for record in (
        deep,
        '{"type":"ComplaintSubmitted","v":1,"data":' + deep + "}",
        '{"type":"ComplaintSubmitted","v":1,"data":{"a":' + deep + "}}",
    ):
        with pytest.raises(StorageError, match="not valid JSON"):
            decode_event(record)


def test_a_deeply_nested_payload_in_the_database_is_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.sqlite3"
    store = SQLiteStore(path)
    try:
        Draft().write(store, OWNER, submit_command("deep-1"), T0)
        conn = sqlite3.connect(path)
        with conn:
            conn.execute(
                "UPDATE events SET payload = ? WHERE complaint_id = 'deep-1'",
                ('{"a":' + "[" * DEEP + "]" * DEEP + "}",),
            )
        conn.close()
        with pytest.raises(StorageError, match="not valid JSON"):
            store.load(ComplaintId("deep-1"))
    finally:
        store.close()
