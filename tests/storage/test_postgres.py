"""
The PostgreSQL store passes the storage contract (a fresh schema per test).

Set ``LAPOR_TEST_POSTGRES_DSN`` to run these tests; without it they are skipped, except
under CI (``CI`` set), where a missing server is a failure, never a silent pass.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

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


@contextlib.contextmanager
def schema_moved_away(store: ComplaintStore) -> Iterator[None]:
    """The store's schema renamed behind its back: every statement fails in the server."""
    import psycopg  # noqa: PLC0415 - psycopg is optional
    from psycopg import sql  # noqa: PLC0415

    from lapor_core.storage.postgres import PostgresStore  # noqa: PLC0415

    assert isinstance(store, PostgresStore)
    schema = sql.Identifier(store.schema)
    away = sql.Identifier(f"{store.schema}_away")
    with psycopg.connect(require_dsn(), autocommit=True) as admin:
        admin.execute(sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(schema, away))
        try:
            yield
        finally:
            admin.execute(sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(away, schema))


class TestPostgresStore(ComplaintStoreContract):
    def make_store(self) -> ComplaintStore:
        return fresh_store()

    def failing_driver(self, store: ComplaintStore) -> contextlib.AbstractContextManager[None]:
        return schema_moved_away(store)

    def dispose_store(self, store: ComplaintStore) -> None:
        from lapor_core.storage.postgres import PostgresStore  # noqa: PLC0415 - psycopg is optional

        store.close()
        assert isinstance(store, PostgresStore)
        store.drop_schema()


def test_identifiers_are_composed_with_psycopg_sql() -> None:
    """Every statement names the schema, its tables and columns as quoted identifiers."""
    from psycopg import sql  # noqa: PLC0415 - psycopg is optional

    from lapor_core.storage.postgres import PostgresStore  # noqa: PLC0415 - as above
    from lapor_core.storage.postgres_schema import statements as _schema_sql  # noqa: PLC0415 - as above

    ddl = [statement.as_string(None) for statement in _schema_sql("lapor_x")]
    assert all(isinstance(s, sql.Composed) for s in _schema_sql("lapor_x"))
    assert 'CREATE TABLE IF NOT EXISTS "lapor_x"."events"' in ddl[0]
    assert 'ON "lapor_x"."complaints"' in ddl[2]
    store = PostgresStore(require_dsn(), schema=f"lapor_test_{uuid.uuid4().hex[:12]}")
    try:
        upsert = store._sql_upsert.as_string(None)
        assert f'INSERT INTO "{store.schema}"."complaints" ("id", "version", ' in upsert
        assert '"regional_app_id" = EXCLUDED."regional_app_id"' in upsert
    finally:
        store.close()
        store.drop_schema()
