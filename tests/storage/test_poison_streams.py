"""
A stream the running code cannot read fails alone (issue 13, failures 3 and 4).

Each test damages one complaint's rows directly through SQL, as a damaged disk or a
newer lapor_core during a rolling upgrade would, on SQLite and (with
``LAPOR_TEST_POSTGRES_DSN``) on PostgreSQL, and checks that every other complaint is
still served.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from lapor_core import (
    ComplaintId,
    ProvideInformation,
    RequestInformation,
    load_profile,
    load_registry,
)
from lapor_core.domain.events import ComplaintSubmitted
from lapor_core.errors import CorruptStream, NewerEventSchema, UndecodableEvent
from lapor_core.interop.importer import iter_complaints
from lapor_core.service import ComplaintService, ManualClock, Subscription
from lapor_core.storage import ComplaintStore, ProblemKind, SQLiteStore, StreamProblem
from lapor_core.testing.store_contract import T0, Draft, submit_command
from lapor_core.testing.store_contract._helpers import NATIONAL, OWNER

DSN_ENV = "LAPOR_TEST_POSTGRES_DSN"
FUTURE = ComplaintSubmitted.SCHEMA_VERSION + 1


def require_dsn() -> str:
    """The test DSN; skip without one, or fail under CI (as tests/storage/test_postgres.py)."""
    dsn = os.environ.get(DSN_ENV)
    if dsn:
        return dsn
    if os.environ.get("CI"):
        pytest.fail(f"{DSN_ENV} is not set (CI is set: refusing to skip)")
    pytest.skip(f"{DSN_ENV} is not set: PostgreSQL tests need a server")


class Damage:
    """Raw SQL on one store's tables (``?`` marks; ``{events}`` and ``{complaints}``)."""

    def __init__(
        self,
        store: ComplaintStore,
        run: Callable[[str, tuple[object, ...]], list[Any]],
        names: dict[str, str],
        *,
        pg: bool,
    ) -> None:
        self.store = store
        self._run = run
        self._names = names
        self.pg = pg

    def sql(self, text: str, *params: object) -> list[Any]:
        return self._run(text.format(**self._names), params)

    def position_of(self, cid: str, version: int) -> int:
        found = self.sql(
            "SELECT position FROM {events} WHERE complaint_id = ? AND version = ?", cid, version
        )
        return int(found[0][0])

    def drop_event(self, cid: str, version: int) -> None:
        self.sql("DELETE FROM {events} WHERE complaint_id = ? AND version = ?", cid, version)

    def corrupt_payload(self, cid: str, version: int) -> None:
        """Valid JSON (PostgreSQL keeps JSONB) that is no event: its fields are missing."""
        self.sql(
            "UPDATE {events} SET payload = ? WHERE complaint_id = ? AND version = ?",
            '{"damaged": true}',
            cid,
            version,
        )

    def add_future_event(self, cid: str, version: int) -> None:
        """An event of a schema version this code does not know, as a newer release writes."""
        if self.pg:
            self.sql(
                "INSERT INTO {events} (complaint_id, version, type, schema_version, payload) "
                "VALUES (?, ?, 'ComplaintSubmitted', ?, ?)",
                cid,
                version,
                FUTURE,
                '{"next": "version"}',
            )
        else:
            self.sql(
                "INSERT INTO {events} (complaint_id, version, type, schema_version, payload, "
                "recorded_at) VALUES (?, ?, 'ComplaintSubmitted', ?, ?, 0)",
                cid,
                version,
                FUTURE,
                '{"next": "version"}',
            )

    def stale_row(self, cid: str) -> None:
        self.sql("UPDATE {complaints} SET category = 'lain-lain' WHERE id = ?", cid)


def _sqlite(tmp_path: Path) -> Iterator[Damage]:
    path = tmp_path / "lapor.sqlite3"
    store = SQLiteStore(path)

    def run(text: str, params: tuple[object, ...]) -> list[Any]:
        conn = sqlite3.connect(path)
        try:
            with conn:
                return conn.execute(text, params).fetchall()
        finally:
            conn.close()

    yield Damage(store, run, {"events": "events", "complaints": "complaints"}, pg=False)
    store.close()


def _postgres() -> Iterator[Damage]:
    dsn = require_dsn()
    import psycopg  # noqa: PLC0415 - psycopg is optional

    from lapor_core.storage.postgres import PostgresStore  # noqa: PLC0415 - as above

    schema = f"lapor_test_{uuid.uuid4().hex[:12]}"
    store = PostgresStore(dsn, schema=schema, max_size=4)

    def run(text: str, params: tuple[object, ...]) -> list[Any]:
        with psycopg.connect(dsn, autocommit=True) as conn:
            cur = conn.execute(text.replace("?", "%s").encode(), params)
            return list(cur.fetchall()) if cur.description else []

    names = {"events": f"{schema}.events", "complaints": f"{schema}.complaints"}
    yield Damage(store, run, names, pg=True)
    store.close()
    store.drop_schema()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def damage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Damage]:
    """A fresh store of each SQL backend, with a way to damage its rows."""
    yield from _sqlite(tmp_path) if request.param == "sqlite" else _postgres()


def three_events(store: ComplaintStore, cid: str, hours: int = 0) -> Draft:
    """A complaint with three events (submitted, asked for information, answered)."""
    draft = Draft()
    at = T0 + timedelta(hours=hours)
    draft.write(store, OWNER, submit_command(cid), at)
    ask = RequestInformation(complaint_id=ComplaintId(cid), question="Di mana tepatnya?")
    draft.write(store, NATIONAL, ask, at + timedelta(minutes=10))
    answer = ProvideInformation(complaint_id=ComplaintId(cid), text="Di depan pasar.")
    draft.write(store, OWNER, answer, at + timedelta(minutes=20))
    return draft


def service(store: ComplaintStore) -> ComplaintService:
    clock = ManualClock(T0 + timedelta(days=1))
    return ComplaintService(store, load_profile("national"), load_registry("kaltim"), clock=clock)


# ------------------------------------------------------------------------- gaps


def test_a_gap_raises_corrupt_stream_naming_the_missing_version(damage: Damage) -> None:
    """With version 2 gone, load raises CorruptStream naming it; other complaints load."""
    good = three_events(damage.store, "good-1")
    three_events(damage.store, "gap-1")
    damage.drop_event("gap-1", 2)
    with pytest.raises(CorruptStream, match="version 2 is missing") as caught:
        damage.store.load(ComplaintId("gap-1"))
    assert ("gap-1", 2, 3) == (caught.value.complaint_id, caught.value.missing, caught.value.found)
    assert tuple(good.events) == damage.store.load(good.id)


def test_a_command_on_a_stream_with_a_gap_is_refused_as_corrupt(damage: Damage) -> None:
    """The service refuses with CorruptStream, not a ConcurrencyConflict forever."""
    three_events(damage.store, "gap-2")
    damage.drop_event("gap-2", 2)
    svc = service(damage.store)
    ask = RequestInformation(complaint_id=ComplaintId("gap-2"), question="Lagi?")
    with pytest.raises(CorruptStream, match="version 2"):
        svc.handle(ask, NATIONAL)


# ------------------------------------------------------------------- undecodable


def test_an_undecodable_event_names_complaint_position_type_and_version(damage: Damage) -> None:
    """A damaged payload raises UndecodableEvent for its stream only."""
    good = three_events(damage.store, "good-1")
    three_events(damage.store, "bad-1")
    damage.corrupt_payload("bad-1", 2)
    with pytest.raises(UndecodableEvent) as caught:
        damage.store.load(ComplaintId("bad-1"))
    error = caught.value
    assert not isinstance(error, NewerEventSchema)
    assert ("bad-1", 2, "InformationRequested", 1) == (
        error.complaint_id,
        error.version,
        error.type_name,
        error.schema_version,
    )
    assert "bad-1" in str(error)
    assert "InformationRequested v1" in str(error)
    assert tuple(good.events) == damage.store.load(good.id)


def test_an_event_of_a_newer_version_refuses_writes_to_its_complaint_only(
    damage: Damage,
) -> None:
    """A newer lapor_core's event: that complaint refuses commands; the others go on."""
    three_events(damage.store, "good-1")
    three_events(damage.store, "next-1")
    damage.add_future_event("next-1", 4)
    svc = service(damage.store)
    ask = RequestInformation(complaint_id=ComplaintId("next-1"), question="Lagi?")
    with pytest.raises(NewerEventSchema, match=r"written by a newer lapor_core.*upgrade") as caught:
        svc.handle(ask, NATIONAL)
    assert (4, FUTURE) == (caught.value.version, caught.value.schema_version)
    assert 3 == damage.store.get(ComplaintId("next-1")).version
    other = RequestInformation(complaint_id=ComplaintId("good-1"), question="Lagi?")
    assert svc.handle(other, NATIONAL).events


# ------------------------------------------------------------------ subscriptions


def _poison_log(damage: Damage) -> tuple[list[int], int]:
    """Three complaints in the log; the middle one's version 2 undecodable."""
    three_events(damage.store, "a-1")
    three_events(damage.store, "b-1", hours=1)
    three_events(damage.store, "c-1", hours=2)
    damage.corrupt_payload("b-1", 2)
    bad = damage.position_of("b-1", 2)
    positions = [s.position for s in Subscription(damage.store, skip_undecodable=True)]
    return positions, bad


def test_a_subscription_delivers_every_good_event_then_raises(damage: Damage) -> None:
    """Every event before the bad one is handled; then UndecodableEvent names it."""
    _all, bad = _poison_log(damage)
    seen: list[int] = []
    sub = Subscription(damage.store, batch=500)
    with pytest.raises(UndecodableEvent) as caught:
        sub.poll(lambda stored: seen.append(stored.position))
    assert [p for p in _all if p < bad] == seen
    assert (bad, "b-1", 2, "InformationRequested") == (
        caught.value.position,
        caught.value.complaint_id,
        caught.value.version,
        caught.value.type_name,
    )
    assert seen[-1] == sub.position
    with pytest.raises(UndecodableEvent):  # still there on the next poll, nothing lost
        sub.poll(lambda stored: seen.append(stored.position))
    assert [p for p in _all if p < bad] == seen


@pytest.mark.parametrize("batch", [1, 2, 500])
def test_a_subscription_that_asked_to_skips_the_bad_event(damage: Damage, batch: int) -> None:
    """With skip_undecodable every other event is delivered and the bad one is kept aside."""
    _all, bad = _poison_log(damage)
    sub = Subscription(damage.store, batch=batch, skip_undecodable=True)
    seen: list[int] = []
    assert 8 == sub.poll(lambda stored: seen.append(stored.position))
    assert bad not in seen
    assert [bad] == [e.position for e in sub.skipped]
    assert max(_all) == sub.position


# ----------------------------------------------------------------------- sweeps


@pytest.mark.parametrize("batch", [1, 100])
def test_a_sweep_skips_and_reports_an_unreadable_complaint(damage: Damage, batch: int) -> None:
    """The earliest-due complaint is unreadable: it is reported once; the others are swept."""
    three_events(damage.store, "bad-1")  # earliest due
    for i in range(3):
        three_events(damage.store, f"ok-{i}", hours=1 + i)
    damage.add_future_event("bad-1", 4)
    svc = service(damage.store)
    report = svc.sweep(T0 + timedelta(days=60), batch=batch)
    assert [("bad-1", ProblemKind.NEWER_VERSION)] == [
        (p.complaint_id.value, p.kind) for p in report.unreadable
    ]
    assert 3 <= report.commands
    for i in range(3):
        assert damage.store.get(ComplaintId(f"ok-{i}")).breaches > 0
    again = svc.sweep(T0 + timedelta(days=60), batch=batch)
    assert (0, ["bad-1"]) == (again.commands, [p.complaint_id.value for p in again.unreadable])


# ------------------------------------------------------------------- exports


def test_iter_complaints_reports_and_skips_unreadable_complaints(damage: Damage) -> None:
    """iter_complaints yields every readable complaint and hands the others to its callback."""
    for cid in ("a-1", "b-1", "c-1"):
        three_events(damage.store, cid)
    damage.drop_event("b-1", 2)
    skipped: list[StreamProblem] = []
    found = [c.id.value for c in iter_complaints(damage.store, on_unreadable=skipped.append)]
    assert ["a-1", "c-1"] == sorted(found)
    assert [("b-1", ProblemKind.GAP)] == [(p.complaint_id.value, p.kind) for p in skipped]
    with pytest.raises(CorruptStream):
        list(iter_complaints(damage.store))


# ------------------------------------------------------------------- verify


def test_verify_reports_each_of_five_kinds_of_damage(damage: Damage) -> None:
    """Gap, undecodable, newer version, stale projection and truncation: each reported."""
    for cid in ("fine-1", "gap-1", "bad-1", "next-1", "stale-1", "short-1"):
        three_events(damage.store, cid)
    assert damage.store.verify().ok
    damage.drop_event("gap-1", 2)
    damage.corrupt_payload("bad-1", 3)
    damage.add_future_event("next-1", 4)
    damage.stale_row("stale-1")
    damage.drop_event("short-1", 3)
    report = damage.store.verify()
    assert [
        ("bad-1", ProblemKind.UNDECODABLE),
        ("gap-1", ProblemKind.GAP),
        ("next-1", ProblemKind.NEWER_VERSION),
        ("short-1", ProblemKind.TRUNCATED),
        ("stale-1", ProblemKind.PROJECTION),
    ] == [(p.complaint_id.value, p.kind) for p in report.problems]
    assert 6 == report.streams
    assert all(p.message for p in report.problems)


def test_a_subscription_delivers_the_good_events_across_holes_in_positions(
    damage: Damage,
) -> None:
    """Positions need not be contiguous: every good event before the bad one still arrives."""
    _all, bad = _poison_log(damage)
    holes = [damage.position_of("a-1", 3), damage.position_of("b-1", 1)]
    damage.drop_event("a-1", 3)
    damage.drop_event("b-1", 1)
    seen: list[int] = []
    sub = Subscription(damage.store)
    with pytest.raises(UndecodableEvent) as caught:
        sub.poll(lambda stored: seen.append(stored.position))
    assert bad == caught.value.position
    assert [p for p in _all if p < bad and p not in holes] == seen
