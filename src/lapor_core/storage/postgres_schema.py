"""
The schema of the PostgreSQL store, and how a database gets it.

The tables live in a PostgreSQL schema of their own (``lapor`` by default), with a
``schema_version`` table holding :data:`SCHEMA_VERSION`; a newer schema is refused:

- ``events``: the append-only log, ``UNIQUE (complaint_id, version)``, positions drawn
  from an identity column, the payload as ``JSONB``.
- ``complaints``: the projection, one column per
  :class:`~lapor_core.ports.projection.ComplaintRow` field (datetimes as
  ``TIMESTAMPTZ``, agencies as ``TEXT[]``), ``filter_agencies`` (the agencies and the
  router, for the agency filter, under a GIN index) and the claim of a sweeper
  (``claimant``, ``claim_expires_at``), cleared whenever the row is rewritten.
- ``idempotency``: keys and the (complaint, version) they produced.
- ``snapshots``: one snapshot per complaint (its version, the
  :func:`~lapor_core.storage.snapshots.fingerprint` of the code that made it, the state
  as JSON text). Added after schema version 1 was first released, without a new version:
  :func:`ensure_schema` creates it, if missing, whenever a store opens (older code
  ignores it).
- ``check_append_v1``: the function an append calls first (:func:`append_check_statement`),
  added the same way: :func:`ensure_schema` creates it, if missing, whenever a store opens.

Ids and region codes use the ``"C"`` collation, so that keyset pagination and region
prefixes compare as the other backends do. The due query reads a partial index on
``next_due_at`` (``WHERE next_due_at IS NOT NULL``). Every identifier goes through
:class:`psycopg.sql.Identifier`.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from lapor_core.errors import N_, StorageError

__all__ = [
    "APPEND_CHECK",
    "CONFLICT_SQLSTATE",
    "SCHEMA_VERSION",
    "append_check_statement",
    "ensure_schema",
    "migration_1_to_2",
    "snapshots_statement",
    "statements",
]

APPEND_CHECK = "check_append_v1"
"""
The function an append calls first: it takes the log's lock and checks the version.

Its name carries a version of its own: a change of its body gets a new name, so that
code of either version keeps calling the body it was written for.

.. versionadded:: 0.2.0
"""

CONFLICT_SQLSTATE = "LP409"
"""The SQLSTATE :data:`APPEND_CHECK` raises when the stream is not at the version expected.

.. versionadded:: 0.2.0
"""

SCHEMA_VERSION = 2
"""
Version of the PostgreSQL schema this code writes.

.. versionadded:: 0.1.0
"""


def statements(schema: str) -> list[sql.Composed]:  # the DDL itself makes it long
    """
    The statements that create the tables and indexes of *schema*, in order (idempotent).

    .. versionadded:: 0.1.0
    """
    tables = {
        name: sql.Identifier(schema, name) for name in ("events", "complaints", "idempotency")
    }
    ddl = [
        sql.SQL("""CREATE TABLE IF NOT EXISTS {events} (
            position BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            complaint_id TEXT COLLATE "C" NOT NULL,
            version INTEGER NOT NULL,
            type TEXT NOT NULL,
            schema_version INTEGER NOT NULL,
            payload JSONB NOT NULL,
            recorded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            UNIQUE (complaint_id, version)
        )"""),
        sql.SQL("""CREATE TABLE IF NOT EXISTS {complaints} (
            id TEXT COLLATE "C" PRIMARY KEY,
            version INTEGER NOT NULL,
            status TEXT NOT NULL,
            kind TEXT NOT NULL,
            channel TEXT NOT NULL,
            region TEXT COLLATE "C",
            category TEXT,
            router TEXT NOT NULL,
            responsible TEXT NOT NULL,
            agencies TEXT[] NOT NULL,
            submitted_at TIMESTAMPTZ NOT NULL,
            updated_at TIMESTAMPTZ NOT NULL,
            next_due_at TIMESTAMPTZ,
            first_forwarded_at TIMESTAMPTZ,
            first_follow_up_at TIMESTAMPTZ,
            closed_at TIMESTAMPTZ,
            closed_automatically BOOLEAN NOT NULL,
            archive_reason TEXT,
            reroutings INTEGER NOT NULL,
            escalations INTEGER NOT NULL,
            breaches INTEGER NOT NULL,
            ombudsman_eligible BOOLEAN NOT NULL,
            sp4n_tracking_id TEXT,
            regional_app_id TEXT,
            filter_agencies TEXT[] NOT NULL,
            claimant TEXT,
            claim_expires_at TIMESTAMPTZ,
            reporter_timeouts INTEGER NOT NULL DEFAULT 0,
            warning_breaches INTEGER NOT NULL DEFAULT 0
        )"""),
        sql.SQL("CREATE INDEX IF NOT EXISTS complaints_order ON {complaints} (submitted_at, id)"),
        sql.SQL(
            "CREATE INDEX IF NOT EXISTS complaints_due ON {complaints} (next_due_at, id) "
            "WHERE next_due_at IS NOT NULL"
        ),
        sql.SQL(
            "CREATE INDEX IF NOT EXISTS complaints_agencies ON {complaints} "
            "USING GIN (filter_agencies)"
        ),
        sql.SQL("""CREATE TABLE IF NOT EXISTS {idempotency} (
            key TEXT PRIMARY KEY,
            complaint_id TEXT NOT NULL,
            version INTEGER NOT NULL
        )"""),
    ]
    return [*(statement.format(**tables) for statement in ddl), snapshots_statement(schema)]


def migration_1_to_2(schema: str) -> tuple[sql.Composed, ...]:
    """
    The statements from version 1 to 2: the breach split of the projection rows.

    The split is counted from the stored ``ClockBreached`` events (what replaying them
    gives).

    .. versionadded:: 0.2.0
    """
    complaints = sql.Identifier(schema, "complaints")
    events = sql.Identifier(schema, "events")
    count = (
        "UPDATE {complaints} AS c SET {column} = (SELECT count(*) FROM {events} AS e "
        "WHERE e.complaint_id = c.id AND e.type = 'ClockBreached' "
        "AND e.payload->>'action' = ANY({actions})) WHERE c.breaches > 0"
    )
    return (
        sql.SQL(
            "ALTER TABLE {complaints} ADD COLUMN IF NOT EXISTS reporter_timeouts "
            "INTEGER NOT NULL DEFAULT 0"
        ).format(complaints=complaints),
        sql.SQL(
            "ALTER TABLE {complaints} ADD COLUMN IF NOT EXISTS warning_breaches "
            "INTEGER NOT NULL DEFAULT 0"
        ).format(complaints=complaints),
        sql.SQL(count).format(
            complaints=complaints,
            events=events,
            column=sql.Identifier("reporter_timeouts"),
            actions=sql.Literal(["auto_close", "archive_withdrawn"]),
        ),
        sql.SQL(count).format(
            complaints=complaints,
            events=events,
            column=sql.Identifier("warning_breaches"),
            actions=sql.Literal(["warn"]),
        ),
    )


def snapshots_statement(schema: str) -> sql.Composed:
    """
    The statement that creates the snapshots table of *schema* (idempotent).

    .. versionadded:: 0.1.0
    """
    return sql.SQL("""CREATE TABLE IF NOT EXISTS {snapshots} (
            complaint_id TEXT COLLATE "C" PRIMARY KEY,
            version INTEGER NOT NULL,
            fingerprint TEXT NOT NULL,
            state TEXT NOT NULL
        )""").format(snapshots=sql.Identifier(schema, "snapshots"))


def append_check_statement(schema: str) -> sql.Composed:
    """
    The statement that creates :data:`APPEND_CHECK` in *schema*.

    ``check_append_v1(complaint, expected, namespace, key)`` takes the transaction-level
    advisory lock ``(namespace, key)`` (appends take turns, so that positions become
    visible in order), then reads the stream's version, after the lock and so with the
    newest commits, and raises ``SQLSTATE`` :data:`CONFLICT_SQLSTATE` with the current
    version as its detail when it is not *expected*. It returns that version.

    .. versionadded:: 0.2.0
    """
    return sql.SQL("""CREATE OR REPLACE FUNCTION {function}(
            complaint TEXT, expected INTEGER, namespace INTEGER, lock_key INTEGER
        ) RETURNS INTEGER LANGUAGE plpgsql VOLATILE AS $$
        DECLARE
            current INTEGER;
        BEGIN
            PERFORM pg_advisory_xact_lock(namespace, lock_key);
            SELECT coalesce(max(version), 0) INTO current FROM {events}
                WHERE complaint_id = complaint;
            IF current <> expected THEN
                RAISE EXCEPTION 'complaint % is at version %, not %', complaint, current, expected
                    USING ERRCODE = {sqlstate}, DETAIL = current::text;
            END IF;
            RETURN current;
        END
        $$""").format(
        function=sql.Identifier(schema, APPEND_CHECK),
        events=sql.Identifier(schema, "events"),
        sqlstate=sql.Literal(CONFLICT_SQLSTATE),
    )


def ensure_schema(conn: psycopg.Connection[tuple[object, ...]], schema: str, where: str) -> None:
    """
    Create *schema* and its tables if it has none, or check the version it has.

    Run it inside a transaction that holds the store's advisory lock, so that two
    processes starting at once create the schema once.

    Args:
        conn: A connection inside that transaction.
        schema: The PostgreSQL schema (a valid identifier; quoted here).
        where: The server, for messages (a DSN without its password).

    Raises:
        StorageError: The schema has a newer version than this code.
        psycopg.Error: The database failed (the caller translates it).

    .. versionadded:: 0.1.0
    """
    versions = sql.Identifier(schema, "schema_version")
    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
    conn.execute(
        sql.SQL("CREATE TABLE IF NOT EXISTS {} (version INTEGER NOT NULL)").format(versions)
    )
    found = conn.execute(sql.SQL("SELECT max(version) FROM {}").format(versions)).fetchone()
    version = found[0] if found else None
    if isinstance(version, int) and version > SCHEMA_VERSION:
        raise StorageError(
            N_(
                "schema {schema!r} at {where} has version {version}, newer "
                "than this code ({known}): upgrade lapor_core to use it"
            ),
            schema=schema,
            where=where,
            version=version,
            known=SCHEMA_VERSION,
        )
    if version is None:
        for statement in statements(schema):
            conn.execute(statement)
        conn.execute(
            sql.SQL("INSERT INTO {} (version) VALUES (%s)").format(versions), (SCHEMA_VERSION,)
        )
    else:
        if version == 1:
            for statement in migration_1_to_2(schema):
                conn.execute(statement)
            conn.execute(
                sql.SQL("INSERT INTO {} (version) VALUES (%s)").format(versions),
                (SCHEMA_VERSION,),
            )
        conn.execute(snapshots_statement(schema))  # a schema made before snapshots existed
    signature = f"{sql.Identifier(schema, APPEND_CHECK).as_string(None)}(text, int, int, int)"
    exists = conn.execute("SELECT to_regprocedure(%s) IS NOT NULL", (signature,)).fetchone()
    if not (exists and exists[0]):  # a schema made before appends took one statement
        conn.execute(append_check_statement(schema))
