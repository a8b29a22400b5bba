"""The SQLite store passes the storage contract (a fresh file per test)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from helpers import denied
from lapor_core.storage import ComplaintStore
from lapor_core.storage.sqlite import SQLiteStore
from lapor_core.testing.store_contract import ComplaintStoreContract


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
