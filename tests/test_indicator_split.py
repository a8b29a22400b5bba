"""
Indicators that say what they mean: breaches split into agency deadlines missed, reporter
timeouts and service-standard warnings, on every backend, with a legend; and the schema
migration that adds the split to a version 1 store.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import lapor_core as lc
from helpers import BACKENDS, REGISTRY, backend_store, postgres_dsn
from lapor_core.cli import main
from lapor_core.reports import compute_indicators, indicators, indicators_legend
from lapor_core.service import ComplaintService
from lapor_core.storage import ComplaintQuery, ComplaintStore, SQLiteStore

PROFILE = lc.load_profile("national")
T0 = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)  # Monday 08:00 WIB
SAMARINDA = lc.make_agency_actor(REGISTRY, "adm-smd", lc.Role.AGENCY_ADMIN, "samarinda")
NATIONAL = lc.Actor.national_admin("nasional")


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ComplaintStore]:
    with backend_store(request.param, tmp_path) as made:
        yield made


def _submit(cid: str) -> lc.Submit:
    return lc.Submit(
        complaint_id=lc.ComplaintId(cid),
        content=lc.Content("Jalan berlubang", "Jalan di depan pasar berlubang."),
        kind=lc.Kind.COMPLAINT,
        reporter=lc.Reporter(f"p-{cid}", "Warga"),
        channel=lc.Channel(lc.ChannelType.WEB),
        category=lc.Category("infrastruktur"),
        target_agency="samarinda",
    )


def _story(service: ComplaintService) -> None:
    """One complaint of each kind of breach, by hand.

    ``late``: nobody verifies it for 120 days: the forwarding deadline (an agency's)
    and the service standard (a warning) pass. ``quiet``: verified, forwarded and
    followed up at once; the reporter does not answer, so the reply window closes it.
    """
    reporter = lc.Actor.reporter
    service.handle(_submit("late"), reporter("p-late"), now=T0)
    service.handle(_submit("quiet"), reporter("p-quiet"), now=T0)
    cid = lc.ComplaintId("quiet")
    service.handle(lc.Forward(complaint_id=cid, agencies=("samarinda",)), NATIONAL, now=T0)
    service.handle(
        lc.PostFollowUp(complaint_id=cid, agency="samarinda", text="Sudah ditambal."),
        SAMARINDA,
        now=T0 + timedelta(hours=2),
    )
    service.sweep(T0 + timedelta(days=120))


def _breaches(store: ComplaintStore, cid: str) -> tuple[int, int, int]:
    row = store.get(lc.ComplaintId(cid))
    return row.breaches, row.reporter_timeouts, row.warning_breaches


def test_each_breach_is_counted_in_its_group(store: ComplaintStore) -> None:
    service = ComplaintService(store, PROFILE, REGISTRY)
    _story(service)
    late = service.get(lc.ComplaintId("late"))
    actions = sorted(e.action.value for e in store.load(late.id) if isinstance(e, lc.ClockBreached))
    assert "escalate" in actions  # forwarding: an agency's deadline
    assert "warn" in actions  # the service standard
    total, timeouts, warnings = _breaches(store, "late")
    assert (total, timeouts) == (len(actions), 0)
    assert warnings == actions.count("warn")
    quiet = service.get(lc.ComplaintId("quiet"))
    assert quiet.closed_automatically
    _, timeouts, _ = _breaches(store, "quiet")
    assert 1 == timeouts

    [figures] = [i for i in indicators(store, T0, T0 + timedelta(days=1)) if i.received == 2]
    assert figures.breaches == figures.agency_breaches + figures.reporter_timeouts + (
        figures.warning_breaches
    )
    assert 1 == figures.reporter_timeouts
    assert warnings + _breaches(store, "quiet")[2] == figures.warning_breaches
    assert figures.agency_breaches >= 1
    # the SQL of the store and the reference over the rows agree
    rows = store.query(ComplaintQuery(limit=10)).items
    assert compute_indicators(rows) == indicators(store, T0, T0 + timedelta(days=1))


def test_the_report_prints_the_split_and_its_legend(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'lapor.sqlite3'}"
    service = ComplaintService(lc.storage.open_store(url), PROFILE, REGISTRY)
    _story(service)
    service.store.close()
    assert 0 == main(["report", "--store", url])
    text = capsys.readouterr().out
    header = next(line for line in text.splitlines() if line.startswith("agency"))
    assert ["missed", "rep-to", "warn"] == header.split()[10:13]
    assert "calendar hours" in text
    assert "reporter timeouts" in text
    assert 0 == main(["report", "--store", url, "--lang", "id"])
    assert "jam kalender" in capsys.readouterr().out
    assert 0 == main(["report", "--store", url, "--format", "csv"])
    csv_header = capsys.readouterr().out.splitlines()[0].split(",")
    assert {"agency_breaches", "reporter_timeouts", "warning_breaches"} <= set(csv_header)
    assert "rep-to" in indicators_legend("en")


def _downgrade_sqlite(path: Path) -> None:
    """Make *path* a version 1 file again: no split columns, user_version 1."""
    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE complaints DROP COLUMN reporter_timeouts")
        conn.execute("ALTER TABLE complaints DROP COLUMN warning_breaches")
        conn.execute("PRAGMA user_version = 1")


def test_a_version_1_sqlite_file_gets_the_split_from_its_events(tmp_path: Path) -> None:
    path = tmp_path / "v1.sqlite3"
    store = SQLiteStore(path)
    _story(ComplaintService(store, PROFILE, REGISTRY))
    expected = {cid: _breaches(store, cid) for cid in ("late", "quiet")}
    store.close()
    _downgrade_sqlite(path)
    reopened = SQLiteStore(path)
    try:
        assert expected == {cid: _breaches(reopened, cid) for cid in ("late", "quiet")}
        assert reopened.verify().ok
    finally:
        reopened.close()
    with sqlite3.connect(path) as conn:
        assert 2 == conn.execute("PRAGMA user_version").fetchone()[0]


def test_a_version_1_postgres_schema_gets_the_split_from_its_events() -> None:
    dsn = postgres_dsn()
    import psycopg  # noqa: PLC0415 - the postgres extra

    from lapor_core.storage.postgres import PostgresStore  # noqa: PLC0415 - optional extra

    schema = f"lapor_v1_{uuid.uuid4().hex[:10]}"
    store = PostgresStore(dsn, schema=schema, max_size=2)
    try:
        _story(ComplaintService(store, PROFILE, REGISTRY))
        expected = {cid: _breaches(store, cid) for cid in ("late", "quiet")}
        store.close()
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'ALTER TABLE "{schema}".complaints DROP COLUMN reporter_timeouts')
            conn.execute(f'ALTER TABLE "{schema}".complaints DROP COLUMN warning_breaches')
            conn.execute(f'UPDATE "{schema}".schema_version SET version = 1')  # noqa: S608
        store = PostgresStore(dsn, schema=schema, max_size=2)
        assert expected == {cid: _breaches(store, cid) for cid in ("late", "quiet")}
        assert store.verify().ok
    finally:
        store.close()
        store.drop_schema()
