"""Driver errors become StorageError or ConcurrencyConflict: nothing from a driver leaks."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from lapor_core import Actor, ComplaintId, StorageError, ValidationError
from lapor_core.storage import (
    LAPOR_STORE_ENV,
    InMemoryStore,
    SQLiteStore,
    open_store,
    store_from_env,
)
from lapor_core.storage.sqlite import SCHEMA_VERSION
from lapor_core.testing.store_contract import T0, Draft, submit_command

OWNER = Actor.reporter("pelapor-1")


def _write(store: SQLiteStore, cid: str) -> Draft:
    draft = Draft()
    events = draft.do(OWNER, submit_command(cid), T0)
    store.append(draft.id, 0, events, draft.row)
    return draft


# --------------------------------------------------------------------------- SQLite


def test_sqlite_in_a_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="unable to open"):
        SQLiteStore(tmp_path / "missing" / "lapor.sqlite3")


def test_sqlite_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"this is not a database, just some text " * 100)
    with pytest.raises(StorageError, match="not a database"):
        SQLiteStore(path)


def test_sqlite_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "lapor.sqlite3"
    SQLiteStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StorageError, match="newer than this code"):
        SQLiteStore(path)


def test_sqlite_reopens_its_own_file(tmp_path: Path) -> None:
    path = tmp_path / "lapor.sqlite3"
    store = SQLiteStore(path)
    draft = _write(store, "keep-1")
    store.close()
    again = SQLiteStore(path)
    assert tuple(draft.events) == again.load(draft.id)
    again.close()


def test_sqlite_corrupt_payload_fails_only_its_stream(tmp_path: Path) -> None:
    path = tmp_path / "lapor.sqlite3"
    store = SQLiteStore(path)
    good = _write(store, "good-1")
    _write(store, "bad-1")
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE events SET payload = '{\"truncated' WHERE complaint_id = 'bad-1'")
    conn.close()
    with pytest.raises(StorageError, match="not valid JSON"):
        store.load(ComplaintId("bad-1"))
    with pytest.raises(StorageError):
        store.read_all()
    assert tuple(good.events) == store.load(good.id)
    assert good.row == store.get(good.id)
    store.close()


def test_sqlite_payload_with_a_missing_field(tmp_path: Path) -> None:
    path = tmp_path / "lapor.sqlite3"
    store = SQLiteStore(path)
    _write(store, "bad-2")
    conn = sqlite3.connect(path)
    payload = json.loads(conn.execute("SELECT payload FROM events").fetchone()[0])
    del payload["reporter"]
    with conn:
        conn.execute("UPDATE events SET payload = ?", (json.dumps(payload),))
    conn.close()
    with pytest.raises(StorageError, match=r"ComplaintSubmitted v1.*\$\.reporter"):
        store.load(ComplaintId("bad-2"))
    store.close()


def test_sqlite_unknown_event_type_in_the_log(tmp_path: Path) -> None:
    path = tmp_path / "lapor.sqlite3"
    store = SQLiteStore(path)
    _write(store, "odd-1")
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE events SET type = 'ComplaintTeleported'")
    conn.close()
    with pytest.raises(StorageError, match="unknown event type"):
        store.load(ComplaintId("odd-1"))
    store.close()


def _append_while_locked(path: Path, store: SQLiteStore, cid: str) -> float:
    """Seconds until *store*'s append of *cid* fails, another connection holding the lock."""
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        draft = Draft()
        events = draft.do(OWNER, submit_command(cid), T0)
        started = time.monotonic()
        with pytest.raises(StorageError, match="locked"):
            store.append(draft.id, 0, events, draft.row)
        return time.monotonic() - started
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


def test_sqlite_locked_database_is_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "lapor.sqlite3"
    store = SQLiteStore(path, busy_timeout=0.05)
    _append_while_locked(path, store, "locked-1")
    assert () == store.load(ComplaintId("locked-1"))
    store.close()


def test_sqlite_writer_waits_its_busy_timeout_before_failing(tmp_path: Path) -> None:
    path = tmp_path / "lapor.sqlite3"
    store = SQLiteStore(path, busy_timeout=0.3)
    waited = _append_while_locked(path, store, "locked-2")
    assert waited >= 0.3
    # the connection keeps its busy timeout for the statements after the failed write
    assert store._conn().execute("PRAGMA busy_timeout").fetchone()[0] == 300
    store.close()


def test_sqlite_writer_fails_at_once_on_an_error_that_is_not_a_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a held lock is waited for: any other refusal of ``BEGIN`` is reported at once."""
    store = SQLiteStore(tmp_path / "lapor.sqlite3", busy_timeout=30.0)
    store._conn().execute("PRAGMA query_only = 1")  # BEGIN IMMEDIATE: "readonly database"

    def no_waiting(seconds: float) -> None:
        raise AssertionError(f"waited {seconds} s for a lock nobody holds")

    monkeypatch.setattr("lapor_core.storage.sqlite.time.sleep", no_waiting)
    with pytest.raises(StorageError, match="readonly"):
        _write(store, "denied-1")
    store._conn().execute("PRAGMA query_only = 0")
    assert store._conn().execute("PRAGMA busy_timeout").fetchone()[0] == 30_000
    assert () == store.load(ComplaintId("denied-1"))
    store.close()


def test_sqlite_writer_takes_the_lock_as_soon_as_it_is_free(tmp_path: Path) -> None:
    path = tmp_path / "lapor.sqlite3"
    store = SQLiteStore(path, busy_timeout=30.0)
    blocker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.2, blocker.execute, args=("ROLLBACK",))
    started = time.monotonic()  # before the timer starts: the release comes 0.2 s after
    release.start()
    try:
        draft = _write(store, "waits-1")
        waited = time.monotonic() - started
    finally:
        release.join()
        blocker.close()
    assert 0.2 <= waited < 5.0  # written after the release, long before the timeout
    assert [type(e).__name__ for e in store.load(draft.id)] == ["ComplaintSubmitted"]
    store.close()


def test_sqlite_rejects_memory_paths() -> None:
    with pytest.raises(ValidationError):
        SQLiteStore(":memory:")
    with pytest.raises(ValidationError):
        SQLiteStore("x.db", synchronous="SOMETIMES")


# --------------------------------------------------------------------------- open_store


def test_open_store_memory() -> None:
    store = open_store("memory://")
    assert isinstance(store, InMemoryStore)
    store.close()


def test_open_store_sqlite_relative_and_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    relative = open_store("sqlite:///rel.sqlite3")
    assert isinstance(relative, SQLiteStore)
    assert "rel.sqlite3" == relative.path
    relative.close()
    assert (tmp_path / "rel.sqlite3").exists()
    absolute = open_store(f"sqlite:///{tmp_path}/abs.sqlite3?synchronous=FULL")
    assert isinstance(absolute, SQLiteStore)
    assert str(tmp_path / "abs.sqlite3") == absolute.path
    absolute.close()


@pytest.mark.parametrize(
    "url",
    [
        *("mysql://x", "sqlite://x.db", "sqlite:///", "sqlite:///a.db?mode=ro", "nothing"),
        *("memory://x", "sqlite:///data/", "sqlite:////tmp/lapor/"),  # a directory: made a file
    ],
)
def test_open_store_refuses_bad_urls(url: str) -> None:
    with pytest.raises(ValidationError):
        open_store(url)


def test_store_from_env_defaults_to_memory(tmp_path: Path) -> None:
    store = store_from_env({})
    assert isinstance(store, InMemoryStore)
    store.close()
    store = store_from_env({LAPOR_STORE_ENV: f"sqlite:///{tmp_path}/env.sqlite3"})
    assert isinstance(store, SQLiteStore)
    store.close()


# --------------------------------------------------------------------------- PostgreSQL


def test_postgres_unreachable_is_a_storage_error() -> None:
    pytest.importorskip("psycopg")
    from lapor_core.storage.postgres import PostgresStore  # noqa: PLC0415 - optional extra

    with pytest.raises(StorageError, match=r"127\.0\.0\.1") as info:
        PostgresStore("postgresql://lapor:s3cret@127.0.0.1:1/nothing", connect_timeout=2)
    assert "s3cret" not in str(info.value)
    with pytest.raises(StorageError):
        open_store("postgresql://lapor:s3cret@127.0.0.1:1/nothing")


@pytest.mark.postgres
def test_postgres_newer_schema_is_refused() -> None:
    dsn = os.environ.get("LAPOR_TEST_POSTGRES_DSN")
    if not dsn:
        if os.environ.get("CI"):
            pytest.fail("LAPOR_TEST_POSTGRES_DSN is not set (CI is set: refusing to skip)")
        pytest.skip("LAPOR_TEST_POSTGRES_DSN is not set: PostgreSQL tests need a server")
    import uuid  # noqa: PLC0415

    import psycopg  # noqa: PLC0415 - optional extra

    from lapor_core.storage.postgres import PostgresStore  # noqa: PLC0415 - optional extra

    store = PostgresStore(dsn, schema=f"lapor_test_{uuid.uuid4().hex[:12]}")
    try:
        store.close()
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'UPDATE "{store.schema}".schema_version SET version = version + 1')  # noqa: S608 - our own schema name
        with pytest.raises(StorageError, match="newer than this code"):
            PostgresStore(dsn, schema=store.schema)
    finally:
        store.drop_schema()
