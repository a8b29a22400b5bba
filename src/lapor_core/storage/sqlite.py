"""
The embedded backend: one SQLite file through the standard library's ``sqlite3``.

The file is opened in WAL mode with a busy timeout, so several threads (one connection
each) and several processes can share it: every write runs in a ``BEGIN IMMEDIATE``
transaction, which takes the file's write lock up front and so serialises writers. Global
positions are therefore assigned in commit order.

Schema (version :data:`SCHEMA_VERSION`, kept in ``PRAGMA user_version``; a newer file is
refused):

- ``events``: the append-only log, ``UNIQUE (complaint_id, version)``; the payload is the
  codec's JSON (datetimes in ISO 8601 with their offset).
- ``complaints``: the projection, one column per :class:`ComplaintRow` field, datetimes as
  epoch microseconds (integers compare fast), agencies as JSON text, and the claim of a
  sweeper (``claimant``, ``claim_expires_at``), cleared whenever the row is rewritten.
- ``complaint_agencies``: the agencies a complaint is assigned or routed to, for the
  agency filter.
- ``idempotency``: keys and the (complaint, version) they produced.

The due query reads a partial index on ``next_due_at`` (``WHERE next_due_at IS NOT
NULL``; terminal complaints have none), so its cost does not grow with the table.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from lapor_core.domain.events import Event
from lapor_core.domain.lifecycle import Status
from lapor_core.domain.model import ComplaintId
from lapor_core.errors import ConcurrencyConflict, NotFound, StorageError, ValidationError
from lapor_core.ports.reporting import AgencyIndicators, MusrenbangRow
from lapor_core.storage._reporting import (
    MICROS_PER_HOUR,
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
    to_micros,
)

__all__ = ["SCHEMA_VERSION", "SQLiteStore"]

SCHEMA_VERSION = 1
"""
Version of the SQLite schema this code writes (``PRAGMA user_version``).

.. versionadded:: 0.1.0
"""

_SYNCHRONOUS = frozenset({"OFF", "NORMAL", "FULL", "EXTRA"})

_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS events (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    complaint_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    type TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    payload TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    UNIQUE (complaint_id, version)
)
""",
    """
CREATE TABLE IF NOT EXISTS complaints (
    id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    region TEXT,
    category TEXT,
    router TEXT NOT NULL,
    responsible TEXT NOT NULL,
    agencies TEXT NOT NULL,
    submitted_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    next_due_at INTEGER,
    first_forwarded_at INTEGER,
    first_follow_up_at INTEGER,
    closed_at INTEGER,
    closed_automatically INTEGER NOT NULL,
    archive_reason TEXT,
    reroutings INTEGER NOT NULL,
    escalations INTEGER NOT NULL,
    breaches INTEGER NOT NULL,
    ombudsman_eligible INTEGER NOT NULL,
    sp4n_tracking_id TEXT,
    regional_app_id TEXT,
    claimant TEXT,
    claim_expires_at INTEGER
)
""",
    """
CREATE INDEX IF NOT EXISTS complaints_order ON complaints (submitted_at, id)
""",
    """
CREATE INDEX IF NOT EXISTS complaints_due ON complaints (next_due_at, id)
    WHERE next_due_at IS NOT NULL
""",
    """
CREATE TABLE IF NOT EXISTS complaint_agencies (
    agency TEXT NOT NULL,
    complaint_id TEXT NOT NULL,
    PRIMARY KEY (agency, complaint_id)
) WITHOUT ROWID
""",
    """
CREATE INDEX IF NOT EXISTS complaint_agencies_by_complaint
    ON complaint_agencies (complaint_id)
""",
    """
CREATE TRIGGER IF NOT EXISTS complaints_agencies_insert AFTER INSERT ON complaints BEGIN
    INSERT OR IGNORE INTO complaint_agencies (agency, complaint_id)
        SELECT value, NEW.id FROM json_each(NEW.agencies) UNION SELECT NEW.router, NEW.id;
END
""",
    """
CREATE TRIGGER IF NOT EXISTS complaints_agencies_update AFTER UPDATE OF agencies, router
    ON complaints
    WHEN OLD.agencies IS NOT NEW.agencies OR OLD.router IS NOT NEW.router
BEGIN
    DELETE FROM complaint_agencies WHERE complaint_id = NEW.id;
    INSERT OR IGNORE INTO complaint_agencies (agency, complaint_id)
        SELECT value, NEW.id FROM json_each(NEW.agencies) UNION SELECT NEW.router, NEW.id;
END
""",
    """
CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT PRIMARY KEY,
    complaint_id TEXT NOT NULL,
    version INTEGER NOT NULL
) WITHOUT ROWID
""",
)

_ROW_COLUMNS = ROW_FIELDS
_SELECT_ROW = f"SELECT {', '.join(_ROW_COLUMNS)} FROM complaints"  # noqa: S608 - constant column list
_UPSERT_ROW = (
    f"INSERT INTO complaints ({', '.join(_ROW_COLUMNS)}, claimant, claim_expires_at) "  # noqa: S608 - constant column list
    f"VALUES ({', '.join('?' * len(_ROW_COLUMNS))}, NULL, NULL) "
    "ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _ROW_COLUMNS[1:])
    + ", claimant = NULL, claim_expires_at = NULL"
)
_INSERT_EVENT = (
    "INSERT INTO events (complaint_id, version, type, schema_version, payload, recorded_at) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)

T = TypeVar("T")

_JSON = json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(",", ":"))


def _micros(value: datetime | None) -> int | None:
    return None if value is None else to_micros(value)


def _dt(value: int | None) -> datetime | None:
    return None if value is None else from_micros(value)


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
        _JSON.encode(list(row.agencies)),
        to_micros(row.submitted_at),
        to_micros(row.updated_at),
        _micros(row.next_due_at),
        _micros(row.first_forwarded_at),
        _micros(row.first_follow_up_at),
        _micros(row.closed_at),
        int(row.closed_automatically),
        row.archive_reason,
        row.reroutings,
        row.escalations,
        row.breaches,
        int(row.ombudsman_eligible),
        row.sp4n_tracking_id,
        row.regional_app_id,
    )


def _agencies(text: str) -> list[str]:
    agencies = json.loads(text)
    if not isinstance(agencies, list) or not all(isinstance(a, str) for a in agencies):
        raise TypeError(f"agencies must be a JSON array of strings, got {text!r}")
    return agencies


def _row_from(values: Sequence[Any]) -> ComplaintRow:
    try:
        agencies = _agencies(values[9])
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
            agencies=tuple(agencies),
            submitted_at=from_micros(values[10]),
            updated_at=from_micros(values[11]),
            next_due_at=_dt(values[12]),
            first_forwarded_at=_dt(values[13]),
            first_follow_up_at=_dt(values[14]),
            closed_at=_dt(values[15]),
            closed_automatically=bool(values[16]),
            archive_reason=values[17],
            reroutings=values[18],
            escalations=values[19],
            breaches=values[20],
            ombudsman_eligible=bool(values[21]),
            sp4n_tracking_id=values[22],
            regional_app_id=values[23],
        )
    except (ValueError, TypeError, OverflowError) as exc:
        raise StorageError(f"corrupt complaint row {values[0]!r}: {exc}") from exc


def _filter_agencies(row: ComplaintRow) -> set[str]:
    return {*row.agencies, row.router}


class SQLiteStore:
    """
    A complaint store in one SQLite file (see :mod:`lapor_core.storage.base`).

    Args:
        path: The database file (created with its schema if missing).
        synchronous: ``PRAGMA synchronous``: ``NORMAL`` (the default; in WAL mode a
            power loss may lose the last commits but never corrupts the file) or
            ``FULL`` (every commit durable).
        busy_timeout: Seconds to wait for another writer before failing.

    Raises:
        StorageError: The file cannot be opened, is not a database, or has a newer schema.
        ValidationError: An unknown *synchronous* mode.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        synchronous: str = "NORMAL",
        busy_timeout: float = 5.0,
    ) -> None:
        """Open (or create) the database and check its schema."""
        if synchronous.upper() not in _SYNCHRONOUS:
            raise ValidationError(
                f"synchronous must be one of {sorted(_SYNCHRONOUS)}, got {synchronous!r}"
            )
        self._path = os.fspath(path)
        if self._path in {"", ":memory:"} or self._path.startswith("file:"):
            raise ValidationError(
                f"SQLiteStore needs a file path, got {self._path!r}; use InMemoryStore for "
                "a store in memory"
            )
        self._synchronous = synchronous.upper()
        self._busy_timeout = busy_timeout
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._closed = False
        with self._errors("opening"):
            self._ensure_schema(self._conn())

    def __repr__(self) -> str:
        """Show the file."""
        return f"SQLiteStore({self._path!r})"

    @property
    def path(self) -> str:
        """The database file."""
        return self._path

    # ----------------------------------------------------------------------- plumbing

    @contextlib.contextmanager
    def _errors(self, what: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise StorageError(f"SQLite {what} failed on {self._path!r}: {exc}") from exc

    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise StorageError(f"the SQLite store on {self._path!r} is closed")
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        conn = sqlite3.connect(
            self._path,
            timeout=self._busy_timeout,
            isolation_level=None,
            check_same_thread=False,
            cached_statements=256,
        )
        try:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            conn.execute(f"PRAGMA synchronous = {self._synchronous}")
            conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")
        except BaseException:
            conn.close()
            raise
        if str(mode).lower() != "wal":
            conn.close()
            raise StorageError(f"cannot switch {self._path!r} to WAL mode (got {mode!r})")
        with self._lock:
            if self._is_closed():
                conn.close()
                raise StorageError(f"the SQLite store on {self._path!r} is closed")
            self._connections.append(conn)
        self._local.conn = conn
        return conn

    def _is_closed(self) -> bool:
        return self._closed

    def _ensure_schema(self, conn: sqlite3.Connection) -> None:
        version = self._user_version(conn)
        if version == SCHEMA_VERSION:
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = self._user_version(conn)
            if version == 0:
                for statement in _SCHEMA:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _user_version(self, conn: sqlite3.Connection) -> int:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise StorageError(
                f"{self._path!r} has schema version {version}, newer than this code "
                f"({SCHEMA_VERSION}): upgrade lapor_core to open it"
            )
        return version

    def _write(self, what: str, body: Callable[[sqlite3.Connection], T]) -> T:
        """Run *body* in one ``BEGIN IMMEDIATE`` transaction; roll back on any error."""
        with self._errors(what):
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = body(conn)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            return result

    def _read(self, what: str, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._errors(what):
            return self._conn().execute(sql, params).fetchall()

    # ----------------------------------------------------------------------- writes

    @staticmethod
    def _event_params(
        complaint_id: ComplaintId, expected_version: int, events: Sequence[Event], now: int
    ) -> list[tuple[Any, ...]]:
        encode = CODEC.encode_data
        return [
            (
                complaint_id.value,
                expected_version + i,
                type(event).__name__,
                event.SCHEMA_VERSION,
                encode(event),
                now,
            )
            for i, event in enumerate(events, start=1)
        ]

    @staticmethod
    def _check_version(
        conn: sqlite3.Connection, complaint_id: ComplaintId, expected_version: int
    ) -> None:
        """
        Check that the stream is at *expected_version*.

        A new stream (expected version 0) needs no read: if the stream exists, inserting
        its version 1 violates ``UNIQUE (complaint_id, version)``, which is the final
        guard in every case.
        """
        if expected_version == 0:
            return
        found = conn.execute(
            "SELECT max(version) FROM events WHERE complaint_id = ?", (complaint_id.value,)
        ).fetchone()[0]
        current = int(found or 0)
        if current != expected_version:
            raise ConcurrencyConflict(
                f"complaint {complaint_id} is at version {current}, not {expected_version}"
            )

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
        params = self._event_params(complaint_id, expected_version, events, time.time_ns() // 1000)
        row_params = _row_params(row)

        def body(conn: sqlite3.Connection) -> tuple[StoredEvent, ...]:
            self._check_version(conn, complaint_id, expected_version)
            stored = []
            try:
                for event, values in zip(events, params, strict=True):
                    position = conn.execute(_INSERT_EVENT, values).lastrowid
                    assert position is not None  # noqa: S101 - an INSERT always sets it
                    stored.append(StoredEvent(position, complaint_id, values[1], event))
            except sqlite3.IntegrityError as exc:
                raise ConcurrencyConflict(
                    f"complaint {complaint_id} moved past version {expected_version}"
                ) from exc
            conn.execute(_UPSERT_ROW, row_params)
            if idempotency_key is not None:
                try:
                    conn.execute(
                        "INSERT INTO idempotency (key, complaint_id, version) VALUES (?, ?, ?)",
                        (idempotency_key, complaint_id.value, row.version),
                    )
                except sqlite3.IntegrityError as exc:
                    raise ConcurrencyConflict(
                        f"idempotency key {idempotency_key!r} was already used"
                    ) from exc
            return tuple(stored)

        return self._write("append", body)

    def append_many(self, batches: Iterable[AppendBatch]) -> int:
        """
        Append many complaints' events and rows in one transaction (bulk import).

        Every batch is checked as by :meth:`append`; one conflict writes nothing.

        Returns:
            The number of events written.

        Raises:
            ConcurrencyConflict: A stream is not at its expected version.
            ValidationError: Malformed batches.
            StorageError: The database failed.
        """
        checked = check_batches(batches)
        if not checked:
            return 0
        now = time.time_ns() // 1000
        event_params = [
            p
            for cid, version, events, _row in checked
            for p in self._event_params(cid, version, events, now)
        ]
        row_params = [_row_params(row) for _cid, _v, _e, row in checked]

        def body(conn: sqlite3.Connection) -> int:
            for complaint_id, expected_version, _events, _row in checked:
                self._check_version(conn, complaint_id, expected_version)
            try:
                conn.executemany(_INSERT_EVENT, event_params)
            except sqlite3.IntegrityError as exc:
                raise ConcurrencyConflict(f"a stream moved during the bulk append: {exc}") from exc
            conn.executemany(_UPSERT_ROW, row_params)
            return len(event_params)

        return self._write("bulk append", body)

    # ----------------------------------------------------------------------- reads

    def load(self, complaint_id: ComplaintId) -> tuple[Event, ...]:
        """
        A stream's events in order; empty when the complaint does not exist.

        Raises:
            StorageError: The database failed or a stored event cannot be decoded.
        """
        rows = self._read(
            "load",
            "SELECT type, schema_version, payload FROM events WHERE complaint_id = ? "
            "ORDER BY version",
            (complaint_id.value,),
        )
        decode = CODEC.decode_parts
        return with_statuses(decode(t, v, payload) for t, v, payload in rows)

    def get(self, complaint_id: ComplaintId) -> ComplaintRow:
        """
        The projection row.

        Raises:
            NotFound: No such complaint.
            StorageError: The database failed.
        """
        rows = self._read("get", f"{_SELECT_ROW} WHERE id = ?", (complaint_id.value,))
        if not rows:
            raise NotFound(f"complaint {complaint_id} does not exist")
        return _row_from(rows[0])

    def query(self, query: ComplaintQuery) -> Page:  # noqa: C901 - one branch per filter
        """Filtered projection rows ordered by ``submitted_at`` then id, one page."""
        where: list[str] = []
        params: list[Any] = []
        if query.statuses is not None:
            where.append(f"status IN ({', '.join('?' * len(query.statuses))})")
            params.extend(sorted(s.value for s in query.statuses))
        if query.agencies is not None:
            where.append(
                "id IN (SELECT complaint_id FROM complaint_agencies WHERE agency IN "  # noqa: S608 - placeholders only
                f"({', '.join('?' * len(query.agencies))}))"
            )
            params.extend(sorted(query.agencies))
        if query.region_prefix is not None:
            where.append("(region = ? OR (region >= ? AND region < ?))")
            prefix = query.region_prefix
            params.extend((prefix, prefix + ".", prefix + "/"))
        if query.category is not None:
            where.append("category = ?")
            params.append(query.category)
        if query.due_before is not None:
            where.append("next_due_at IS NOT NULL AND next_due_at <= ?")
            params.append(to_micros(query.due_before))
        if query.submitted_from is not None:
            where.append("submitted_at >= ?")
            params.append(to_micros(query.submitted_from))
        if query.submitted_before is not None:
            where.append("submitted_at < ?")
            params.append(to_micros(query.submitted_before))
        if query.cursor is not None:
            where.append("(submitted_at, id) > (?, ?)")
            params.extend(decode_cursor(query.cursor))
        sql = _SELECT_ROW
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY submitted_at, id LIMIT ?"
        params.append(query.limit + 1)
        rows = [_row_from(r) for r in self._read("query", sql, params)]
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
        rows = self._read(
            "read_all",
            "SELECT position, complaint_id, version, type, schema_version, payload FROM events "
            "WHERE position > ? ORDER BY position LIMIT ?",
            (after, limit),
        )
        decode = CODEC.decode_parts
        return tuple(
            [
                StoredEvent(position, ComplaintId(cid), version, decode(t, v, payload))
                for position, cid, version, t, v, payload in rows
            ]
        )

    def idempotency(self, key: str) -> tuple[ComplaintId, int] | None:
        """The (complaint, version after the append) first recorded with *key*."""
        rows = self._read(
            "idempotency", "SELECT complaint_id, version FROM idempotency WHERE key = ?", (key,)
        )
        return (ComplaintId(rows[0][0]), int(rows[0][1])) if rows else None

    def claim_due(
        self, now: datetime, *, claimant: str, lease: timedelta, limit: int = 100
    ) -> tuple[ComplaintId, ...]:
        """
        Claim complaints due at *now* for *claimant* for *lease* (earliest first).

        Raises:
            ValidationError: Bad arguments.
            StorageError: The database failed.
        """
        check_claim(now, claimant, lease, limit)
        at = to_micros(now)
        expires = to_micros(now + lease)

        def body(conn: sqlite3.Connection) -> tuple[ComplaintId, ...]:
            ids = [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM complaints "
                    "WHERE next_due_at IS NOT NULL AND next_due_at <= ? "
                    "AND (claimant IS NULL OR claimant = ? OR claim_expires_at <= ?) "
                    "ORDER BY next_due_at, id LIMIT ?",
                    (at, claimant, at, limit),
                )
            ]
            conn.executemany(
                "UPDATE complaints SET claimant = ?, claim_expires_at = ? WHERE id = ?",
                [(claimant, expires, i) for i in ids],
            )
            return tuple(ComplaintId(i) for i in ids)

        return self._write("claim_due", body)

    def close(self) -> None:
        """Close every connection; the store is unusable afterwards (twice is harmless)."""
        with self._lock:
            self._closed = True
            connections, self._connections = self._connections, []
        for conn in connections:
            with contextlib.suppress(sqlite3.Error):
                conn.close()

    # ----------------------------------------------------------------------- reports

    def indicators(self, since: datetime, until: datetime) -> tuple[AgencyIndicators, ...]:
        """
        The indicators per responsible agency, aggregated in SQL (one ``GROUP BY``).

        Complaints submitted in [*since*, *until*); the same figures as
        :func:`~lapor_core.ports.reporting.compute_indicators` over the rows (mean
        hours may differ in the last bits), sorted by agency.

        Raises:
            ValidationError: A naive bound.
            StorageError: The database failed.

        .. versionadded:: 0.1.0
        """
        check_window(since, until)
        marks = ", ".join("?" * len(OPEN_STATUSES))
        sql = (
            "SELECT responsible, count(*), count(first_forwarded_at), "  # noqa: S608 - placeholders only
            "count(first_follow_up_at), sum(status = ?), sum(status = ?), sum(status = ?), "
            f"sum(status IN ({marks})), sum(closed_automatically), sum(reroutings > 0), "
            "sum(reroutings), sum(breaches), sum(escalations), sum(ombudsman_eligible), "
            "avg((first_forwarded_at - submitted_at) / ?), "
            "avg((first_follow_up_at - first_forwarded_at) / ?) "
            "FROM complaints WHERE submitted_at >= ? AND submitted_at < ? GROUP BY responsible"
        )
        params = (
            Status.COMPLETED.value,
            Status.IN_PROGRESS.value,
            Status.ARCHIVED.value,
            *OPEN_STATUSES,
            float(MICROS_PER_HOUR),
            float(MICROS_PER_HOUR),
            to_micros(since),
            to_micros(until),
        )
        return indicators_from(self._read("indicators", sql, params))

    def musrenbang(self, since: datetime, until: datetime, level: int) -> tuple[MusrenbangRow, ...]:
        """
        Complaints by region (cut to *level*) and category, aggregated in SQL.

        Level 1 keeps the province (``64``), 2 the regency or city (``64.72``), 3 the
        district, 4 the village; an unknown region or category is ``"-"``. Sorted by
        (region, category).

        Raises:
            ValidationError: A naive bound or a level other than 1-4.
            StorageError: The database failed.

        .. versionadded:: 0.1.0
        """
        check_window(since, until)
        length = region_length(level)
        marks = ", ".join("?" * len(OPEN_STATUSES))
        sql = (
            "SELECT coalesce(substr(region, 1, ?), '-'), coalesce(category, '-'), count(*), "  # noqa: S608 - placeholders only
            f"sum(status = ?), sum(status IN ({marks})) FROM complaints "
            "WHERE submitted_at >= ? AND submitted_at < ? GROUP BY 1, 2"
        )
        params = (
            length,
            Status.COMPLETED.value,
            *OPEN_STATUSES,
            to_micros(since),
            to_micros(until),
        )
        return musrenbang_from(self._read("musrenbang", sql, params))
