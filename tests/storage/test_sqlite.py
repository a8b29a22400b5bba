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
