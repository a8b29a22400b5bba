"""
The scale backend: PostgreSQL through psycopg 3 and a connection pool.

Install with ``pip install lapor-core[postgres]``. This is the only module that imports
``psycopg``; :func:`lapor_core.storage.open_store` imports it only for a
``postgresql://`` URL.

Design notes:

- **Optimistic concurrency.** An append checks the stream's current version and inserts
  its events in one transaction; ``UNIQUE (complaint_id, version)`` is the final guard
  (a unique violation becomes :class:`~lapor_core.errors.ConcurrencyConflict`).
- **Global order.** Every append takes a transaction-level advisory lock
  (``pg_advisory_xact_lock``) before it draws positions, so positions are assigned in
  commit order: a subscriber that has read up to position *p* never later sees a
  committed event below *p*. The trade-off: appends to one store are serialised (one
  short transaction at a time), which bounds write throughput to what one connection
  can commit; reads, queries and claims do not take the lock. Rolled-back appends leave
  gaps in positions, never out-of-order commits.
- **Sweepers.** ``claim_due`` selects due rows ``FOR UPDATE SKIP LOCKED`` and records a
  lease on them in the same statement, so several sweepers never get the same row.
- **Schema.** Created idempotently under an advisory lock, in its own PostgreSQL schema
  (``lapor`` by default), with a ``schema_version`` table; a newer schema is refused.
  Ids and region codes use the ``"C"`` collation so that keyset pagination and region
  prefixes compare as the other backends do.
- **SQL text.** Every identifier composed into a statement (the schema, its tables, the
  projection's columns) goes through :class:`psycopg.sql.Identifier` inside a
  :class:`psycopg.sql.SQL` template; values always travel as parameters.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import contextlib
import math
import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

import psycopg
import psycopg.errors
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg_pool import ConnectionPool, PoolTimeout

from lapor_core.domain.events import Event
from lapor_core.domain.lifecycle import Status
from lapor_core.domain.model import ComplaintId
from lapor_core.errors import ConcurrencyConflict, NotFound, StorageError, ValidationError
from lapor_core.ports.reporting import AgencyIndicators, MusrenbangRow
from lapor_core.storage._reporting import (
    OPEN_STATUSES,
    check_window,
    indicators_from,
    musrenbang_from,
    region_length,
)
from lapor_core.storage.base import ROW_FIELDS, ComplaintQuery, ComplaintRow, Page, StoredEvent
from lapor_core.storage.codec import CODEC
from lapor_core.storage.legacy import with_statuses
from lapor_core.storage.support import (
    AppendBatch,
    check_append,
    check_batches,
    check_claim,
    check_query_window,
    decode_cursor,
    encode_cursor,
    from_micros,
)

__all__ = ["SCHEMA_VERSION", "PostgresStore", "safe_dsn"]

SCHEMA_VERSION = 1
"""
Version of the PostgreSQL schema this code writes.

.. versionadded:: 0.1.0
"""

_LOCK_NAMESPACE = 0x4C41504F  # "LAPO": first key of every advisory lock we take
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")

_ROW_COLUMNS = ROW_FIELDS


def safe_dsn(dsn: str) -> str:
    """
    *dsn* without its password, for error messages.

    .. versionadded:: 0.1.0
    """
    try:
        params = conninfo_to_dict(dsn)
    except psycopg.Error:
        return "<unparsable DSN>"
    params.pop("password", None)
    return make_conninfo("", **params)


def _schema_sql(schema: str) -> list[sql.Composed]:  # the DDL itself makes it long
    """The statements that create the tables and indexes of *schema* (idempotent)."""
    tables = {
        name: sql.Identifier(schema, name) for name in ("events", "complaints", "idempotency")
    }
    statements = [
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
            claim_expires_at TIMESTAMPTZ
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
    return [statement.format(**tables) for statement in statements]


def _row_params(row: ComplaintRow) -> tuple[Any, ...]:
    return (
        row.id.value,
        row.version,
        row.status.value,
        row.kind,
        row.channel,
        row.region,
        row.category,
        row.router,
        row.responsible,
        list(row.agencies),
        row.submitted_at,
        row.updated_at,
        row.next_due_at,
        row.first_forwarded_at,
        row.first_follow_up_at,
        row.closed_at,
        row.closed_automatically,
        row.archive_reason,
        row.reroutings,
        row.escalations,
        row.breaches,
        row.ombudsman_eligible,
        row.sp4n_tracking_id,
        row.regional_app_id,
        sorted({*row.agencies, row.router}),
    )


def _row_from(values: Sequence[Any]) -> ComplaintRow:
    try:
        return ComplaintRow(
            id=ComplaintId(values[0]),
            version=values[1],
            status=Status(values[2]),
            kind=values[3],
            channel=values[4],
            region=values[5],
            category=values[6],
            router=values[7],
            responsible=values[8],
            agencies=tuple(values[9]),
            submitted_at=values[10],
            updated_at=values[11],
            next_due_at=values[12],
            first_forwarded_at=values[13],
            first_follow_up_at=values[14],
            closed_at=values[15],
            closed_automatically=values[16],
            archive_reason=values[17],
            reroutings=values[18],
            escalations=values[19],
            breaches=values[20],
            ombudsman_eligible=values[21],
            sp4n_tracking_id=values[22],
            regional_app_id=values[23],
        )
    except (ValueError, TypeError) as exc:
        raise StorageError(f"corrupt complaint row {values[0]!r}: {exc}") from exc


class PostgresStore:
    """
    A complaint store in PostgreSQL (see :mod:`lapor_core.storage.base`).

    Args:
        dsn: A libpq connection string or ``postgresql://`` URL.
        min_size: Connections the pool keeps open.
        max_size: Most connections the pool opens.
        schema: The PostgreSQL schema holding the tables (created if missing); tests
            use a fresh one each and :meth:`drop_schema` it afterwards.
        connect_timeout: Seconds to wait for the server before failing.

    Raises:
        StorageError: The server is unreachable (the message names the DSN without its
            password) or its schema is newer than this code.
        ValidationError: An invalid schema name or pool size.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        dsn: str,
        *,
        min_size: int = 1,
        max_size: int = 8,
        schema: str = "lapor",
        connect_timeout: float = 3.0,
    ) -> None:
        """Connect, create the schema if needed, and open the pool."""
        if not _SCHEMA_NAME.fullmatch(schema):
            raise ValidationError(
                f"invalid schema name {schema!r}: lower-case letters, digits and _ only"
            )
        if not 1 <= min_size <= max_size:
            raise ValidationError(f"need 1 <= min_size <= max_size, got {min_size}, {max_size}")
        self._dsn = dsn
        self._where = safe_dsn(dsn)
        self._schema = schema
        self._lock_key = zlib.crc32(schema.encode()) & 0x7FFFFFFF
        self._timeout = max(2, math.ceil(connect_timeout))
        self._closed = False
        self._prepare_sql()
        try:
            with psycopg.connect(dsn, connect_timeout=self._timeout, autocommit=True) as conn:
                self._ensure_schema(conn)
        except psycopg.Error as exc:
            raise StorageError(f"cannot use PostgreSQL at {self._where}: {exc}") from exc
        self._pool: ConnectionPool[psycopg.Connection[tuple[Any, ...]]] = ConnectionPool(
            dsn,
            min_size=min_size,
            max_size=max_size,
            kwargs={"connect_timeout": self._timeout},
            open=False,
            timeout=max(self._timeout, 10),
            name=f"lapor-{schema}",
        )
        try:
            self._pool.open(wait=True, timeout=self._timeout + 2)
        except (PoolTimeout, psycopg.Error) as exc:
            self._pool.close()
            raise StorageError(f"cannot open a pool to PostgreSQL at {self._where}: {exc}") from exc

    def __repr__(self) -> str:
        """Show where the store lives (without the password)."""
        return f"PostgresStore({self._where!r}, schema={self._schema!r})"

    @property
    def schema(self) -> str:
        """The PostgreSQL schema holding the tables."""
        return self._schema

    # ----------------------------------------------------------------------- plumbing

    def _prepare_sql(self) -> None:
        """Compose the statements every call reuses (identifiers quoted by psycopg)."""
        schema = self._schema
        self._events = sql.Identifier(schema, "events")
        self._complaints = sql.Identifier(schema, "complaints")
        self._idempotency = sql.Identifier(schema, "idempotency")
        columns = sql.SQL(", ").join(map(sql.Identifier, _ROW_COLUMNS))
        self._sql_select_row = sql.SQL("SELECT {columns} FROM {complaints}").format(
            columns=columns, complaints=self._complaints
        )
        updates = sql.SQL(", ").join(
            sql.SQL("{column} = EXCLUDED.{column}").format(column=sql.Identifier(column))
            for column in (*_ROW_COLUMNS[1:], "filter_agencies")
        )
        self._sql_upsert = sql.SQL(
            "INSERT INTO {complaints} ({columns}, filter_agencies, claimant, claim_expires_at) "
            "VALUES ({values}, NULL, NULL) "
            "ON CONFLICT (id) DO UPDATE SET {updates}, claimant = NULL, claim_expires_at = NULL"
        ).format(
            complaints=self._complaints,
            columns=columns,
            values=sql.SQL(", ").join([sql.Placeholder()] * (len(_ROW_COLUMNS) + 1)),
            updates=updates,
        )
        self._sql_lock = sql.SQL("SELECT pg_advisory_xact_lock(%s, %s)")
        self._sql_version = sql.SQL(
            "SELECT coalesce(max(version), 0) FROM {events} WHERE complaint_id = %s"
        ).format(events=self._events)
        self._sql_event_columns = sql.SQL(
            "{events} (complaint_id, version, type, schema_version, payload)"
        ).format(events=self._events)

    def _ensure_schema(self, conn: psycopg.Connection[Any]) -> None:
        versions = sql.Identifier(self._schema, "schema_version")
        with conn.transaction():
            conn.execute(self._sql_lock, (_LOCK_NAMESPACE, self._lock_key))
            conn.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self._schema))
            )
            conn.execute(
                sql.SQL("CREATE TABLE IF NOT EXISTS {} (version INTEGER NOT NULL)").format(versions)
            )
            found = conn.execute(sql.SQL("SELECT max(version) FROM {}").format(versions)).fetchone()
            version = found[0] if found else None
            if version is not None and version > SCHEMA_VERSION:
                raise StorageError(
                    f"schema {self._schema!r} at {self._where} has version {version}, newer "
                    f"than this code ({SCHEMA_VERSION}): upgrade lapor_core to use it"
                )
            if version is None:
                for statement in _schema_sql(self._schema):
                    conn.execute(statement)
                conn.execute(
                    sql.SQL("INSERT INTO {} (version) VALUES (%s)").format(versions),
                    (SCHEMA_VERSION,),
                )

    @contextlib.contextmanager
    def _tx(self, what: str) -> Iterator[psycopg.Connection[tuple[Any, ...]]]:
        """One transaction on a pooled connection: committed on success, else rolled back."""
        if self._closed:
            raise StorageError(f"the PostgreSQL store at {self._where} is closed")
        try:
            with self._pool.connection() as conn:
                yield conn
        except psycopg.errors.UniqueViolation as exc:
            raise ConcurrencyConflict(
                f"{what}: a concurrent write got there first ({exc})"
            ) from exc
        except PoolTimeout as exc:
            raise StorageError(f"PostgreSQL {what} at {self._where}: no connection: {exc}") from exc
        except psycopg.Error as exc:
            raise StorageError(f"PostgreSQL {what} failed at {self._where}: {exc}") from exc

    def _lock_log(self, conn: psycopg.Connection[Any]) -> None:
        conn.execute(self._sql_lock, (_LOCK_NAMESPACE, self._lock_key))

    # ----------------------------------------------------------------------- writes

    def append(
        self,
        complaint_id: ComplaintId,
        expected_version: int,
        events: Sequence[Event],
        row: ComplaintRow,
        *,
        idempotency_key: str | None = None,
    ) -> tuple[StoredEvent, ...]:
        """
        Append events and write the projection row in one transaction.

        Raises:
            ConcurrencyConflict: The stream is not at *expected_version*, or the
                idempotency key was used before. Nothing is written.
            ValidationError: Malformed arguments.
            StorageError: The database failed.
        """
        check_append(complaint_id, expected_version, events, row, idempotency_key)
        cid = complaint_id.value
        values: list[Any] = []
        for version, event in enumerate(events, start=expected_version + 1):
            values.extend(
                (cid, version, type(event).__name__, event.SCHEMA_VERSION, CODEC.encode_data(event))
            )
        insert = sql.SQL("INSERT INTO {columns} VALUES {rows} RETURNING position, version").format(
            columns=self._sql_event_columns,
            rows=sql.SQL(", ").join([sql.SQL("(%s, %s, %s, %s, %s::jsonb)")] * len(events)),
        )
        row_params = _row_params(row)
        with self._tx("append") as conn:
            self._lock_log(conn)
            found = conn.execute(self._sql_version, (cid,)).fetchone()
            current = found[0] if found else 0
            if current != expected_version:
                raise ConcurrencyConflict(
                    f"complaint {complaint_id} is at version {current}, not {expected_version}"
                )
            if idempotency_key is not None:
                inserted = conn.execute(
                    sql.SQL(
                        "INSERT INTO {} (key, complaint_id, version) "
                        "VALUES (%s, %s, %s) ON CONFLICT (key) DO NOTHING RETURNING key"
                    ).format(self._idempotency),
                    (idempotency_key, cid, row.version),
                ).fetchone()
                if inserted is None:
                    raise ConcurrencyConflict(
                        f"idempotency key {idempotency_key!r} was already used"
                    )
            positions = {v: p for p, v in conn.execute(insert, values).fetchall()}
            conn.execute(self._sql_upsert, row_params)
        return tuple(
            StoredEvent(positions[v], complaint_id, v, event)
            for v, event in enumerate(events, start=expected_version + 1)
        )

    def append_many(self, batches: Iterable[AppendBatch]) -> int:
        """
        Append many complaints' events and rows in one transaction (bulk import, COPY).

        Returns:
            The number of events written.

        Raises:
            ConcurrencyConflict: A stream is not at its expected version; nothing is
                written.
            ValidationError: Malformed batches.
            StorageError: The database failed.
        """
        checked = check_batches(batches)
        if not checked:
            return 0
        expected = {cid.value: version for cid, version, _e, _r in checked}
        rows = [_row_params(row) for _c, _v, _e, row in checked]
        count = 0
        with self._tx("bulk append") as conn:
            self._lock_log(conn)
            current = dict(
                conn.execute(
                    sql.SQL(
                        "SELECT complaint_id, max(version) FROM {} "
                        "WHERE complaint_id = ANY(%s) GROUP BY complaint_id"
                    ).format(self._events),
                    (list(expected),),
                ).fetchall()
            )
            for cid, version in expected.items():
                if current.get(cid, 0) != version:
                    raise ConcurrencyConflict(
                        f"complaint {cid} is at version {current.get(cid, 0)}, not {version}"
                    )
            with conn.cursor() as cur:
                copy_events = sql.SQL("COPY {} FROM STDIN").format(self._sql_event_columns)
                with cur.copy(copy_events) as copy:
                    for complaint_id, version, events, _row in checked:
                        for n, event in enumerate(events, start=version + 1):
                            copy.write_row(
                                (
                                    complaint_id.value,
                                    n,
                                    type(event).__name__,
                                    event.SCHEMA_VERSION,
                                    CODEC.encode_data(event),
                                )
                            )
                            count += 1
                cur.executemany(self._sql_upsert, rows)
        return count

    # ----------------------------------------------------------------------- reads

    def load(self, complaint_id: ComplaintId) -> tuple[Event, ...]:
        """
        A stream's events in order; empty when the complaint does not exist.

        Raises:
            StorageError: The database failed or a stored event cannot be decoded.
        """
        with self._tx("load") as conn:
            rows = conn.execute(
                sql.SQL(
                    "SELECT type, schema_version, payload FROM {} "
                    "WHERE complaint_id = %s ORDER BY version"
                ).format(self._events),
                (complaint_id.value,),
            ).fetchall()
        decode = CODEC.decode_parts
        return with_statuses(decode(t, v, payload) for t, v, payload in rows)

    def get(self, complaint_id: ComplaintId) -> ComplaintRow:
        """
        The projection row.

        Raises:
            NotFound: No such complaint.
            StorageError: The database failed.
        """
        with self._tx("get") as conn:
            found = conn.execute(
                self._sql_select_row + sql.SQL(" WHERE id = %s"), (complaint_id.value,)
            ).fetchone()
        if found is None:
            raise NotFound(f"complaint {complaint_id} does not exist")
        return _row_from(found)

    def query(self, query: ComplaintQuery) -> Page:  # noqa: C901 - one branch per filter
        """Filtered projection rows ordered by ``submitted_at`` then id, one page."""
        where: list[str] = []
        params: list[Any] = []
        if query.statuses is not None:
            where.append("status = ANY(%s::text[])")
            params.append(sorted(s.value for s in query.statuses))
        if query.agencies is not None:
            where.append("filter_agencies && %s::text[]")
            params.append(sorted(query.agencies))
        if query.region_prefix is not None:
            prefix = query.region_prefix
            where.append("(region = %s OR (region >= %s AND region < %s))")
            params.extend((prefix, prefix + ".", prefix + "/"))
        if query.category is not None:
            where.append("category = %s")
            params.append(query.category)
        if query.due_before is not None:
            where.append("next_due_at <= %s")
            params.append(query.due_before)
        if query.submitted_from is not None:
            where.append("submitted_at >= %s")
            params.append(query.submitted_from)
        if query.submitted_before is not None:
            where.append("submitted_at < %s")
            params.append(query.submitted_before)
        if query.cursor is not None:
            micros, ident = decode_cursor(query.cursor)
            where.append("(submitted_at, id) > (%s, %s)")
            params.extend((from_micros(micros), ident))
        statement = self._sql_select_row
        if where:
            statement += sql.SQL(" WHERE ") + sql.SQL(" AND ").join(map(sql.SQL, where))
        statement += sql.SQL(" ORDER BY submitted_at, id LIMIT %s")
        params.append(query.limit + 1)
        with self._tx("query") as conn:
            found = conn.execute(statement, params).fetchall()
        rows = [_row_from(r) for r in found]
        if len(rows) > query.limit:
            last = rows[query.limit - 1]
            return Page(tuple(rows[: query.limit]), encode_cursor(last.submitted_at, last.id))
        return Page(tuple(rows), None)

    def read_all(self, after: int = 0, limit: int = 1000) -> tuple[StoredEvent, ...]:
        """
        Events in global order with position greater than *after*.

        Raises:
            StorageError: The database failed or a stored event cannot be decoded.
        """
        check_query_window(after, limit)
        with self._tx("read_all") as conn:
            rows = conn.execute(
                sql.SQL(
                    "SELECT position, complaint_id, version, type, schema_version, payload "
                    "FROM {} WHERE position > %s ORDER BY position LIMIT %s"
                ).format(self._events),
                (after, limit),
            ).fetchall()
        decode = CODEC.decode_parts
        return tuple(
            [
                StoredEvent(position, ComplaintId(cid), version, decode(t, v, payload))
                for position, cid, version, t, v, payload in rows
            ]
        )

    def idempotency(self, key: str) -> tuple[ComplaintId, int] | None:
        """The (complaint, version after the append) first recorded with *key*."""
        with self._tx("idempotency") as conn:
            found = conn.execute(
                sql.SQL("SELECT complaint_id, version FROM {} WHERE key = %s").format(
                    self._idempotency
                ),
                (key,),
            ).fetchone()
        return (ComplaintId(found[0]), int(found[1])) if found else None

    def claim_due(
        self, now: datetime, *, claimant: str, lease: timedelta, limit: int = 100
    ) -> tuple[ComplaintId, ...]:
        """
        Claim complaints due at *now* for *claimant* for *lease* (earliest first).

        Rows another sweeper is claiming at the same moment are skipped
        (``FOR UPDATE SKIP LOCKED``), never handed out twice.

        Raises:
            ValidationError: Bad arguments.
            StorageError: The database failed.
        """
        check_claim(now, claimant, lease, limit)
        statement = sql.SQL(
            "WITH due AS (SELECT id FROM {complaints} "
            "WHERE next_due_at IS NOT NULL AND next_due_at <= %(now)s "
            "AND (claimant IS NULL OR claimant = %(claimant)s OR claim_expires_at <= %(now)s) "
            "ORDER BY next_due_at, id LIMIT %(limit)s FOR UPDATE SKIP LOCKED) "
            "UPDATE {complaints} AS c SET claimant = %(claimant)s, "
            "claim_expires_at = %(expires)s FROM due WHERE c.id = due.id "
            "RETURNING c.next_due_at, c.id"
        ).format(complaints=self._complaints)
        params = {"now": now, "claimant": claimant, "limit": limit, "expires": now + lease}
        with self._tx("claim_due") as conn:
            found = conn.execute(statement, params).fetchall()
        return tuple(ComplaintId(cid) for _due, cid in sorted(found))

    def close(self) -> None:
        """Close the pool; the store is unusable afterwards (closing twice is harmless)."""
        if not self._closed:
            self._closed = True
            self._pool.close()

    def drop_schema(self) -> None:
        """
        Drop this store's PostgreSQL schema and all its data (for tests); works once closed.

        Raises:
            StorageError: The database failed.
        """
        try:
            with psycopg.connect(self._dsn, connect_timeout=self._timeout, autocommit=True) as conn:
                conn.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(self._schema))
                )
        except psycopg.Error as exc:
            raise StorageError(
                f"cannot drop schema {self._schema!r} at {self._where}: {exc}"
            ) from exc

    # ----------------------------------------------------------------------- reports

    def indicators(self, since: datetime, until: datetime) -> tuple[AgencyIndicators, ...]:
        """
        The indicators per responsible agency, aggregated in SQL (one ``GROUP BY``).

        Complaints submitted in [*since*, *until*); the same figures as
        :func:`~lapor_core.ports.reporting.compute_indicators` over the rows (mean
        hours may differ in the last bits), sorted by agency in code-point order.

        Raises:
            ValidationError: A naive bound.
            StorageError: The database failed.

        .. versionadded:: 0.1.0
        """
        check_window(since, until)
        statement = sql.SQL(
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
            "/ 3600)::float8 "
            "FROM {complaints} "
            "WHERE submitted_at >= %(since)s AND submitted_at < %(until)s GROUP BY responsible"
        ).format(complaints=self._complaints)
        params = {
            "completed": Status.COMPLETED.value,
            "in_progress": Status.IN_PROGRESS.value,
            "archived": Status.ARCHIVED.value,
            "open": list(OPEN_STATUSES),
            "since": since,
            "until": until,
        }
        with self._tx("indicators") as conn:
            found = conn.execute(statement, params).fetchall()
        return indicators_from(found)

    def musrenbang(self, since: datetime, until: datetime, level: int) -> tuple[MusrenbangRow, ...]:
        """
        Complaints by region (cut to *level*) and category, aggregated in SQL.

        Level 1 keeps the province (``64``), 2 the regency or city (``64.72``), 3 the
        district, 4 the village; an unknown region or category is ``"-"``. Sorted by
        (region, category) in code-point order.

        Raises:
            ValidationError: A naive bound or a level other than 1-4.
            StorageError: The database failed.

        .. versionadded:: 0.1.0
        """
        check_window(since, until)
        statement = sql.SQL(
            "SELECT coalesce(substr(region, 1, %(length)s), '-'), coalesce(category, '-'), "
            "count(*), count(*) FILTER (WHERE status = %(completed)s), "
            "count(*) FILTER (WHERE status = ANY(%(open)s::text[])) "
            "FROM {complaints} "
            "WHERE submitted_at >= %(since)s AND submitted_at < %(until)s GROUP BY 1, 2"
        ).format(complaints=self._complaints)
        params = {
            "length": region_length(level),
            "completed": Status.COMPLETED.value,
            "open": list(OPEN_STATUSES),
            "since": since,
            "until": until,
        }
        with self._tx("musrenbang") as conn:
            found = conn.execute(statement, params).fetchall()
        return musrenbang_from(found)
