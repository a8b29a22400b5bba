"""The in-memory store passes the storage contract."""

from __future__ import annotations

from lapor_core.storage import ComplaintStore
from lapor_core.storage.memory import InMemoryStore
from lapor_core.testing.store_contract import ComplaintStoreContract


class TestInMemoryStore(ComplaintStoreContract):
    def make_store(self) -> ComplaintStore:
        return InMemoryStore()
