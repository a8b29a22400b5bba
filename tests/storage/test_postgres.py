"""
The PostgreSQL store passes the storage contract (a fresh schema per test).

Set ``LAPOR_TEST_POSTGRES_DSN`` to run these tests; without it they are skipped, except
under CI (``CI`` set), where a missing server is a failure, never a silent pass.
"""

from __future__ import annotations

import os
import uuid

import pytest

from lapor_core.storage import ComplaintStore
from lapor_core.testing.store_contract import ComplaintStoreContract

DSN_ENV = "LAPOR_TEST_POSTGRES_DSN"
DSN = os.environ.get(DSN_ENV)
SKIP_REASON = f"{DSN_ENV} is not set: PostgreSQL tests need a server"

pytestmark = pytest.mark.postgres


def require_dsn() -> str:
    """The test DSN; skip without one, or fail under CI."""
    if DSN:
        return DSN
    if os.environ.get("CI"):
        pytest.fail(f"{SKIP_REASON} (CI is set: refusing to skip)")
    pytest.skip(SKIP_REASON)


def fresh_store() -> ComplaintStore:
    """A PostgresStore on a schema of its own."""
    dsn = require_dsn()
    from lapor_core.storage.postgres import PostgresStore  # noqa: PLC0415 - psycopg is optional

    return PostgresStore(dsn, schema=f"lapor_test_{uuid.uuid4().hex[:12]}", max_size=4)


class TestPostgresStore(ComplaintStoreContract):
    def make_store(self) -> ComplaintStore:
        return fresh_store()

    def dispose_store(self, store: ComplaintStore) -> None:
        from lapor_core.storage.postgres import PostgresStore  # noqa: PLC0415 - psycopg is optional

        store.close()
        assert isinstance(store, PostgresStore)
        store.drop_schema()
