"""
The PostgreSQL store passes the storage contract (a fresh schema per test).

Set ``LAPOR_TEST_POSTGRES_DSN`` to run these tests; without it they are skipped, except
under CI (``CI`` set), where a missing server is a failure, never a silent pass.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from lapor_core.domain.model import ComplaintId
from lapor_core.errors import StorageError
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
        upsert = store._sql_upsert.decode()  # composed once, kept as the bytes sent
        assert f'INSERT INTO "{store.schema}"."complaints" ("id", "version", ' in upsert
        assert '"regional_app_id" = EXCLUDED."regional_app_id"' in upsert
    finally:
        store.close()
        store.drop_schema()


def _conflict_message(call: Callable[[], object]) -> str:
    from lapor_core.errors import ConcurrencyConflict  # noqa: PLC0415

    with pytest.raises(ConcurrencyConflict) as caught:
        call()
    return str(caught.value)


def test_an_append_is_one_statement_and_its_conflicts_say_what_happened() -> None:
    """The check, the events, the row and the key go in one statement, all or nothing."""
    from datetime import timedelta  # noqa: PLC0415

    import attrs  # noqa: PLC0415
    import psycopg  # noqa: PLC0415

    from lapor_core.domain.commands import Classify  # noqa: PLC0415
    from lapor_core.testing.store_contract._helpers import NATIONAL, OWNER  # noqa: PLC0415
    from lapor_core.testing.store_contract.drafts import T0, Draft, submit_command  # noqa: PLC0415

    store = fresh_store()
    try:
        statements: list[bytes] = []
        original = psycopg.Connection.execute

        def counting(conn: psycopg.Connection[Any], query: Any, *args: Any, **kw: Any) -> Any:
            statements.append(query if isinstance(query, bytes) else str(query).encode())
            return original(conn, query, *args, **kw)

        draft = Draft()
        events = draft.do(OWNER, submit_command("one-1"), T0)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(psycopg.Connection, "execute", counting)
            store.append(draft.id, 0, events, draft.row, idempotency_key="k-1")
        assert len(statements) == 1
        assert store.idempotency("k-1") == (draft.id, 1)

        later = draft.do(
            NATIONAL, Classify(complaint_id=draft.id, title="Judul"), T0 + timedelta(hours=1)
        )
        log_before = store.read_all()
        ahead, behind = attrs.evolve(draft.row, version=4), attrs.evolve(draft.row, version=1)
        assert _conflict_message(lambda: store.append(draft.id, 3, later, ahead)) == (
            "complaint one-1 is at version 1, not 3"
        )
        assert _conflict_message(lambda: store.append(draft.id, 0, later, behind)) == (
            "complaint one-1 is at version 1, not 0"
        )
        assert (
            _conflict_message(
                lambda: store.append(draft.id, 1, later, draft.row, idempotency_key="k-1")
            )
            == "idempotency key 'k-1' was already used"
        )
        assert store.read_all() == log_before
        assert store.get(draft.id).version == 1
        store.append(draft.id, 1, later, draft.row, idempotency_key="k-2")
        assert store.get(draft.id).version == 2
    finally:
        store.close()
        store.drop_schema()  # type: ignore[attr-defined]


def test_a_schema_made_before_the_append_check_gets_it_when_a_store_opens() -> None:
    """A database from an earlier lapor_core lacks the function; opening creates it."""
    import psycopg  # noqa: PLC0415
    from psycopg import sql  # noqa: PLC0415

    from lapor_core.storage.postgres import PostgresStore  # noqa: PLC0415
    from lapor_core.storage.postgres_schema import APPEND_CHECK  # noqa: PLC0415
    from lapor_core.testing.store_contract._helpers import OWNER  # noqa: PLC0415
    from lapor_core.testing.store_contract.drafts import T0, Draft, submit_command  # noqa: PLC0415

    schema = f"lapor_test_{uuid.uuid4().hex[:12]}"
    PostgresStore(require_dsn(), schema=schema).close()
    function = sql.Identifier(schema, APPEND_CHECK)
    with psycopg.connect(require_dsn(), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP FUNCTION {}(text, integer, integer, integer)").format(function))
    store = PostgresStore(require_dsn(), schema=schema)
    try:
        draft = Draft()
        events = draft.do(OWNER, submit_command("old-1"), T0)
        store.append(draft.id, 0, events, draft.row)
        assert store.load(draft.id) == tuple(events)
    finally:
        store.close()
        store.drop_schema()


def test_a_driver_error_names_its_operation_in_the_readers_language() -> None:
    """It said "PostgreSQL load failed at ...": the operation in English in every language."""
    from lapor_core.i18n import translator  # noqa: PLC0415

    store = fresh_store()
    try:
        with schema_moved_away(store), pytest.raises(StorageError) as refused:
            store.load(ComplaintId("c-1"))
    finally:
        store.close()
        store.drop_schema()  # type: ignore[attr-defined]
    english = str(refused.value)
    assert english.startswith("PostgreSQL store 'user=")
    assert ": loading a complaint's events failed: " in english
    said = refused.value.translate(translator("id"))
    assert ": pembacaan peristiwa laporan gagal: " in said
    assert "loading" not in said
