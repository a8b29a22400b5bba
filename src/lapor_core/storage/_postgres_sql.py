"""
The statements the PostgreSQL store runs, and how its columns spell the projection.

Each statement is a :class:`psycopg.sql.SQL` template whose identifiers (``{events}``,
``{complaints}``, ``{idempotency}``, ``{columns}``, ...) are filled in by
:func:`identifiers` for one PostgreSQL schema, quoted by psycopg; values always travel as
parameters (``%s``, or ``%(name)s`` where a statement uses one twice). The tables are
those of :mod:`lapor_core.storage.postgres_schema`.

Internal to :mod:`lapor_core.storage.postgres`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from psycopg import sql

from lapor_core.ports.projection import ROW_FIELDS, ComplaintRow
from lapor_core.storage._sql import VERSION_COLUMNS, Dialect
from lapor_core.storage.postgres_schema import APPEND_CHECK
from lapor_core.storage.support import from_micros

__all__ = [
    "CLAIM_DUE",
    "COPY_EVENTS",
    "DIALECT",
    "DROP_SCHEMA",
    "EVENT_COLUMNS",
    "EVENT_ROW",
    "INDICATORS",
    "INSERT_KEY",
    "INSERT_KEYS",
    "LOAD",
    "LOAD_AFTER",
    "LOAD_LATEST",
    "LOAD_SNAPSHOT",
    "LOCK",
    "MUSRENBANG",
    "READ_ALL",
    "SAVE_SNAPSHOT",
    "SELECT_KEY",
    "SELECT_ROW",
    "SELECT_VERSIONS",
    "STREAM_IDS",
    "STREAM_VERSIONS",
    "UPSERT_ROW",
    "identifiers",
    "row_params",
    "write_statement",
]


def _same(value: datetime) -> datetime:
    return value


DIALECT = Dialect(
    mark="%s",
    instant=_same,
    instant_from=_same,
    micros=from_micros,
    agencies=list,
    agencies_from=tuple,
    arrays=True,
    statuses="status = ANY({}::text[])",
    agency_filter="filter_agencies && {}::text[]",
    due_before="next_due_at <= %s",
)
"""Datetimes as ``TIMESTAMPTZ``, agencies as ``TEXT[]``, lists as array parameters."""


def row_params(row: ComplaintRow) -> tuple[Any, ...]:
    """The parameters of :data:`UPSERT_ROW`: the row's columns, then ``filter_agencies``."""
    return (*DIALECT.row_params(row), sorted({*row.agencies, row.router}))


# ------------------------------------------------------------------------- the log

LOCK = sql.SQL("SELECT pg_advisory_xact_lock(%s, %s)")
STREAM_VERSIONS = sql.SQL(
    "SELECT complaint_id, max(version) FROM {events} "
    "WHERE complaint_id = ANY(%s) GROUP BY complaint_id"
)
EVENT_COLUMNS = sql.SQL("{events} (complaint_id, version, type, schema_version, payload)")
EVENT_ROW = sql.SQL("(%s, %s, %s, %s, %s::jsonb)")
COPY_EVENTS = sql.SQL("COPY {event_columns} FROM STDIN")
LOAD = sql.SQL(
    "SELECT version, type, schema_version, payload FROM {events} WHERE complaint_id = %s "
    "ORDER BY version"
)
LOAD_AFTER = sql.SQL(
    "SELECT version, type, schema_version, payload FROM {events} "
    "WHERE complaint_id = %s AND version > %s ORDER BY version"
)
SAVE_SNAPSHOT = sql.SQL(
    "INSERT INTO {snapshots} AS s (complaint_id, version, fingerprint, state) "
    "VALUES (%s, %s, %s, %s) ON CONFLICT (complaint_id) DO UPDATE SET "
    "version = EXCLUDED.version, fingerprint = EXCLUDED.fingerprint, state = EXCLUDED.state "
    "WHERE s.fingerprint <> EXCLUDED.fingerprint OR s.version <= EXCLUDED.version"
)
LOAD_LATEST = sql.SQL(
    "WITH s AS (SELECT version, state FROM {snapshots} WHERE complaint_id = %(cid)s "
    "AND fingerprint = %(fingerprint)s "
    "AND version <= (SELECT coalesce(max(version), 0) FROM {events} "
    "WHERE complaint_id = %(cid)s)) "
    "SELECT 0, version, NULL::text, NULL::integer, NULL::jsonb, state FROM s UNION ALL "
    "SELECT 1, version, type, schema_version, payload, NULL::text FROM {events} "
    "WHERE complaint_id = %(cid)s AND version > coalesce((SELECT version FROM s), 0) "
    "ORDER BY 1, 2"
)
"""The usable snapshot (kind 0) and the events after it (kind 1), in one statement."""
LOAD_SNAPSHOT = sql.SQL(
    "SELECT state FROM {snapshots} WHERE complaint_id = %s AND fingerprint = %s "
    "AND version <= (SELECT coalesce(max(version), 0) FROM {events} WHERE complaint_id = %s)"
)
READ_ALL = sql.SQL(
    "SELECT position, complaint_id, version, type, schema_version, payload "
    "FROM {events} WHERE position > %s ORDER BY position LIMIT %s"
)
STREAM_IDS = sql.SQL(
    "SELECT complaint_id FROM {events} UNION SELECT id FROM {complaints} ORDER BY 1"
)
INSERT_KEY = sql.SQL(
    "INSERT INTO {idempotency} (key, complaint_id, version) "
    "VALUES (%s, %s, %s) ON CONFLICT (key) DO NOTHING RETURNING key"
)
INSERT_KEYS = sql.SQL(
    "INSERT INTO {idempotency} (key, complaint_id, version) "
    "SELECT * FROM unnest(%s::text[], %s::text[], %s::integer[]) "
    "ON CONFLICT (key) DO NOTHING RETURNING key"
)
SELECT_KEY = sql.SQL("SELECT complaint_id, version FROM {idempotency} WHERE key = %s")
DROP_SCHEMA = sql.SQL("DROP SCHEMA IF EXISTS {schema} CASCADE")

# ------------------------------------------------------------------- the projection

SELECT_ROW = sql.SQL("SELECT {columns} FROM {complaints}")
SELECT_VERSIONS = sql.SQL("SELECT {version_columns} FROM {complaints}")
UPSERT_ROW = sql.SQL(
    "INSERT INTO {complaints} ({columns}, filter_agencies, claimant, claim_expires_at) "
    "VALUES ({values}, NULL, NULL) "
    "ON CONFLICT (id) DO UPDATE SET {updates}, claimant = NULL, claim_expires_at = NULL"
)
CLAIM_DUE = sql.SQL(
    "WITH due AS (SELECT id FROM {complaints} "
    "WHERE next_due_at IS NOT NULL AND next_due_at <= %(now)s "
    "AND (claimant IS NULL OR claimant = %(claimant)s OR claim_expires_at <= %(now)s) "
    "ORDER BY next_due_at, id LIMIT %(limit)s FOR UPDATE SKIP LOCKED) "
    "UPDATE {complaints} AS c SET claimant = %(claimant)s, "
    "claim_expires_at = %(expires)s FROM due WHERE c.id = due.id "
    "RETURNING c.next_due_at, c.id"
)

# --------------------------------------------------------------------- the reports

INDICATORS = sql.SQL(
    "SELECT responsible, count(*), count(first_forwarded_at), count(first_follow_up_at), "
    "count(*) FILTER (WHERE status = %(completed)s), "
    "count(*) FILTER (WHERE status = %(in_progress)s), "
    "count(*) FILTER (WHERE status = %(archived)s), "
    "count(*) FILTER (WHERE status = ANY(%(open)s::text[])), "
    "count(*) FILTER (WHERE closed_automatically), "
    "count(*) FILTER (WHERE reroutings > 0), "
    "sum(reroutings), sum(breaches), sum(escalations), "
    "count(*) FILTER (WHERE ombudsman_eligible), "
    "(avg(extract(epoch FROM first_forwarded_at) - extract(epoch FROM submitted_at)) "
    "/ 3600)::float8, "
    "(avg(extract(epoch FROM first_follow_up_at) - extract(epoch FROM first_forwarded_at)) "
    "/ 3600)::float8, "
    "sum(reporter_timeouts), sum(warning_breaches) "
    "FROM {complaints} "
    "WHERE submitted_at >= %(since)s AND submitted_at < %(until)s GROUP BY responsible"
)
MUSRENBANG = sql.SQL(
    "SELECT coalesce(substr(region, 1, %(length)s), '-'), coalesce(category, '-'), "
    "count(*), count(*) FILTER (WHERE status = %(completed)s), "
    "count(*) FILTER (WHERE status = ANY(%(open)s::text[])) "
    "FROM {complaints} "
    "WHERE submitted_at >= %(since)s AND submitted_at < %(until)s GROUP BY 1, 2"
)

# ---------------------------------------------------------------- the identifiers


def identifiers(schema: str) -> dict[str, sql.Composable]:
    """What the templates name, for the tables of *schema*."""
    events = sql.Identifier(schema, "events")
    return {
        "schema": sql.Identifier(schema),
        "events": events,
        "event_columns": EVENT_COLUMNS.format(events=events),
        "complaints": sql.Identifier(schema, "complaints"),
        "idempotency": sql.Identifier(schema, "idempotency"),
        "snapshots": sql.Identifier(schema, "snapshots"),
        "check": sql.Identifier(schema, APPEND_CHECK),
        "columns": sql.SQL(", ").join(map(sql.Identifier, ROW_FIELDS)),
        "version_columns": sql.SQL(", ").join(map(sql.Identifier, VERSION_COLUMNS)),
        "updates": sql.SQL(", ").join(
            sql.SQL("{column} = EXCLUDED.{column}").format(column=sql.Identifier(column))
            for column in (*ROW_FIELDS[1:], "filter_agencies")
        ),
        "values": sql.SQL(", ").join([sql.Placeholder()] * (len(ROW_FIELDS) + 1)),
    }


def write_statement(names: dict[str, sql.Composable], events: int, *, keyed: bool) -> sql.Composed:
    """
    An append in one statement: the check, the events, the projection row, the key.

    Data-modifying ``WITH`` parts of one statement, so that an append is one round trip
    and, on a connection in autocommit mode, one transaction. ``v`` calls
    :data:`~lapor_core.storage.postgres_schema.APPEND_CHECK` (the lock, then the
    version); the other parts read ``v``, so that they run after it: the events
    (*events* rows of :data:`EVENT_ROW`), the projection row (its id read through ``v``)
    and, when *keyed*, the idempotency key. A failed check, a key used before or a
    version inserted meanwhile fails the whole statement, and nothing is written.

    Parameters, in order: the complaint, the expected version, the lock's two keys; the
    events' rows; :func:`row_params`; with *keyed*, the key, the complaint and the
    version after the append. Returns each event's position and version.
    """
    template = (
        "WITH v AS (SELECT {check}(%s, %s, %s, %s)), "
        "ev AS (INSERT INTO {event_columns} SELECT e.* FROM v, (VALUES {rows}) "
        "AS e (complaint_id, version, type, schema_version, payload) "
        "RETURNING position, version), "
        "up AS (INSERT INTO {complaints} ({columns}, filter_agencies, claimant, claim_expires_at) "
        "VALUES ((SELECT %s::text FROM v), {rest}, NULL, NULL) "
        "ON CONFLICT (id) DO UPDATE SET {updates}, claimant = NULL, claim_expires_at = NULL)"
    )
    if keyed:
        template += (
            ", ik AS (INSERT INTO {idempotency} (key, complaint_id, version) "
            "SELECT %s, %s, %s::integer FROM v)"
        )
    template += " SELECT position, version FROM ev"
    return sql.SQL(template).format(
        **names,
        rows=sql.SQL(", ").join([EVENT_ROW] * events),
        rest=sql.SQL(", ").join([sql.Placeholder()] * len(ROW_FIELDS)),
    )
