"""The SQLite store passes the storage contract (a fresh file per test)."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import timedelta
from pathlib import Path

import attrs
import pytest

from helpers import denied
from lapor_core.domain.actors import Actor, Role
from lapor_core.domain.commands import Forward, PostFollowUp, ProvideInformation, RequestInformation
from lapor_core.errors import StorageError, Term
from lapor_core.storage import ComplaintQuery, ComplaintStore
from lapor_core.storage.sqlite import SQLiteStore
from lapor_core.storage.sqlite_schema import AGENCIES_UPDATE
from lapor_core.testing.store_contract import ComplaintStoreContract
from lapor_core.testing.store_contract._helpers import NATIONAL, agency_actor
from lapor_core.testing.store_contract.drafts import REPORTER, T0, Draft, submit_command


class TestSQLiteStore(ComplaintStoreContract):
    @pytest.fixture(autouse=True)
    def _directory(self, tmp_path: Path) -> None:
        self.directory = tmp_path

    def make_store(self) -> ComplaintStore:
        return SQLiteStore(self.directory / "lapor.sqlite3")

    def failing_driver(self, store: ComplaintStore) -> contextlib.AbstractContextManager[None]:
        return denied(store)


def test_every_connection_checkpoints_its_log_every_4000_pages(tmp_path: Path) -> None:
    """The log is checkpointed less often than SQLite's default and cut back after."""
    import threading  # noqa: PLC0415

    store = SQLiteStore(tmp_path / "wal.sqlite3")
    try:
        found: list[tuple[int, int]] = []

        def settings() -> None:
            conn = store._conn()
            found.append(
                (
                    conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0],
                    conn.execute("PRAGMA journal_size_limit").fetchone()[0],
                )
            )

        settings()
        worker = threading.Thread(target=settings)  # another thread, its own connection
        worker.start()
        worker.join()
        assert found == [(4000, 64 * 1024 * 1024)] * 2
    finally:
        store.close()


_OLD_AGENCIES_UPDATE = """
CREATE TRIGGER complaints_agencies_update AFTER UPDATE OF agencies, router
    ON complaints
    WHEN OLD.agencies IS NOT NEW.agencies OR OLD.router IS NOT NEW.router
BEGIN
    DELETE FROM complaint_agencies WHERE complaint_id = NEW.id;
    INSERT OR IGNORE INTO complaint_agencies (agency, complaint_id)
        SELECT value, NEW.id FROM json_each(NEW.agencies) UNION SELECT NEW.router, NEW.id;
END
"""
"""The update trigger of files made before the agencies migration, with its index."""

# (agencies, router) of successive rows of one complaint: pairs come, go and stay
_CHANGES = [
    (("samarinda", "balikpapan"), "lapor"),
    (("balikpapan", "kaltim.dinkes"), "lapor"),
    (("kaltim.dinkes",), "balikpapan"),
    (("kaltim.dinkes",), "balikpapan"),  # no change: the trigger does not fire
    ((), "samarinda"),
    (("lapor", "samarinda"), "lapor"),
]


def _pairs(path: Path) -> set[tuple[str, str]]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return set(conn.execute("SELECT agency, complaint_id FROM complaint_agencies"))


def _write_changes(store: SQLiteStore, path: Path, cid: str) -> None:
    """Append a row for each of ``_CHANGES``; after each, the pairs are exactly its own."""
    draft, reporter = Draft(), Actor.reporter(REPORTER.id)
    draft.write(store, reporter, submit_command(cid), T0)
    others = _pairs(path) - {(a, c) for a, c in _pairs(path) if c == cid}
    for n, (agencies, router) in enumerate(_CHANGES, start=1):
        before = draft.version
        actor, command = (
            (NATIONAL, RequestInformation(complaint_id=draft.id, question=f"Lokasi {n}?"))
            if n % 2
            else (reporter, ProvideInformation(complaint_id=draft.id, text=f"Di pasar {n}."))
        )
        events = draft.do(actor, command, T0 + timedelta(hours=n))
        row = attrs.evolve(draft.row, agencies=agencies, router=router)
        store.append(draft.id, before, events, row)
        assert _pairs(path) - others == {(a, cid) for a in (*agencies, router)}, (n, agencies)
        assert _pairs(path) >= others


def test_the_agency_pairs_follow_every_change_of_agencies_and_router(tmp_path: Path) -> None:
    path = tmp_path / "pairs.sqlite3"
    store = SQLiteStore(path)
    try:
        _write_changes(store, path, "a")
        _write_changes(store, path, "b")  # a's pairs stay as they were
        rows = store.query(ComplaintQuery(agencies=frozenset({"samarinda"}))).items
        assert sorted(row.id.value for row in rows) == ["a", "b"]
    finally:
        store.close()


def test_a_file_with_the_earlier_agencies_trigger_is_brought_up_to_date(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    SQLiteStore(path).close()
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("DROP TRIGGER complaints_agencies_update")
        conn.execute(_OLD_AGENCIES_UPDATE)
        conn.execute(
            "CREATE INDEX complaint_agencies_by_complaint ON complaint_agencies (complaint_id)"
        )
    old = SQLiteStore(path)
    try:  # the trigger and index as an earlier lapor_core left them work on
        Draft().write(old, Actor.reporter(REPORTER.id), submit_command("before"), T0)
    finally:
        old.close()
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA user_version = 2")  # the migration keeps the version
    store = SQLiteStore(path)
    try:
        with contextlib.closing(sqlite3.connect(path)) as conn:
            schema = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL"))
            assert 2 == conn.execute("PRAGMA user_version").fetchone()[0]
        assert "complaint_agencies_by_complaint" not in schema
        assert schema["complaints_agencies_update"].strip() == AGENCIES_UPDATE.strip().replace(
            " IF NOT EXISTS", ""
        )
        assert ("samarinda", "before") in _pairs(path)
        _write_changes(store, path, "after")
        assert ("samarinda", "before") in _pairs(path)
    finally:
        store.close()


def test_a_command_writes_few_pages_to_the_log(tmp_path: Path) -> None:
    """
    A submission, a forwarding and a follow-up write under 6 pages a commit on average.

    Each page a transaction changes goes to the write-ahead log whole, so each B-tree a
    command touches costs a page. Here they write 5.5: an update that sets
    ``submitted_at`` again (rewriting ``complaints_order``) gives 6.2, events numbered
    with ``AUTOINCREMENT`` (writing ``sqlite_sequence``) 6.5.
    """
    path = tmp_path / "pages.sqlite3"
    store = SQLiteStore(path)
    try:
        conn = store._conn()
        conn.execute("PRAGMA wal_autocheckpoint = 0")  # every frame stays in the log
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        wal = Path(f"{path}-wal")
        before = wal.stat().st_size
        reporter, officer = (
            Actor.reporter(REPORTER.id),
            agency_actor(Role.AGENCY_ADMIN, "samarinda"),
        )
        complaints = 200
        for n in range(complaints):
            draft = Draft()
            draft.write(store, reporter, submit_command(f"c-{n}"), T0)
            draft.write(
                store, NATIONAL, Forward(complaint_id=draft.id, agencies=("samarinda",)), T0
            )
            follow_up = PostFollowUp(complaint_id=draft.id, agency="samarinda", text="Sudah.")
            draft.write(store, officer, follow_up, T0 + timedelta(hours=1))
        frames = (wal.stat().st_size - before) / (page + 24)  # a 24-byte header each
    finally:
        store.close()
    assert 3 <= frames / (3 * complaints) < 6.0


def test_a_driver_error_says_the_file_and_the_operation_in_the_readers_language(
    tmp_path: Path,
) -> None:
    """The operation is a term translated with the message; SQLite's reason stays last."""
    path = tmp_path / "notes.txt"
    path.write_bytes(b"this is not a database, just some text " * 100)
    with pytest.raises(StorageError) as refused:
        SQLiteStore(path)
    error = refused.value
    where = repr(str(path))
    assert f"SQLite store {where}: opening the database failed: file is not a database" == str(
        error
    )
    assert type(error.fields["what"]) is Term
    said = error.translate(lambda message: f"<{message}>")
    assert f"<SQLite store {where}: <opening the database> failed: file is not a database>" == said


def test_a_write_that_the_database_refuses_names_its_operation(tmp_path: Path) -> None:
    path = tmp_path / "lapor.sqlite3"
    store = SQLiteStore(path)
    try:
        store._conn().execute("PRAGMA query_only = ON")  # as a read-only file refuses writes
        with pytest.raises(StorageError) as refused:
            store.claim_due(T0, claimant="sweeper", lease=timedelta(minutes=5))
    finally:
        store.close()
    assert str(refused.value).startswith(
        f"SQLite store {str(path)!r}: claiming due complaints failed: "
    )
    assert "readonly" in str(refused.value)
