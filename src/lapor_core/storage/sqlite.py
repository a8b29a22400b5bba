"""
The embedded backend: one SQLite file through the standard library's ``sqlite3``.

The file is opened in WAL mode with a busy timeout, so several threads (one connection
each) and several processes can share it: every write runs in a ``BEGIN IMMEDIATE``
transaction, which takes the file's write lock up front and so serialises writers. Global
positions are therefore assigned in commit order.

The tables (schema version :data:`SCHEMA_VERSION`; a newer file is refused) are
described in :mod:`lapor_core.storage.sqlite_schema`. The projection's columns and the
query over them are those of the PostgreSQL store, spelt with ``?`` marks, instants as
epoch microseconds (integers compare fast) and agencies as JSON text.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from lapor_core.domain.complaint import Complaint
from lapor_core.domain.events import Event
from lapor_core.domain.lifecycle import Status
from lapor_core.domain.model import ComplaintId
from lapor_core.errors import (
    N_,
    ConcurrencyConflict,
    NotFound,
    StorageError,
    ValidationError,
)
from lapor_core.ports.reporting import AgencyIndicators, MusrenbangRow
from lapor_core.storage import _sqlite_sql as sqlite_sql
from lapor_core.storage._reporting import (
    MICROS_PER_HOUR,
    OPEN_STATUSES,
    check_window,
    indicators_from,
    musrenbang_from,
    region_length,
)
from lapor_core.storage._sql import (
    encoded_batch,
    event_rows,
    events_after,
    events_from,
    latest_from,
    page_of,
    stored_events_from,
    translate_errors,
)
from lapor_core.storage.base import (
    ComplaintQuery,
    ComplaintRow,
    EncodedBatch,
    Page,
    Projector,
    StoredEvent,
    VerifyReport,
    VersionPage,
)
from lapor_core.storage.snapshots import check_snapshot, decode_state, encode_state, fingerprint
from lapor_core.storage.sqlite_schema import SCHEMA_VERSION, ensure_schema
from lapor_core.storage.support import (
    AppendBatch,
    check_append,
    check_batches,
    check_claim,
    check_encoded,
    check_id,
    check_idempotency_keys,
    check_query_window,
    to_micros,
    verify_streams,
    version_conflict,
)

__all__ = ["SCHEMA_VERSION", "SQLiteStore"]

BACKEND = "sqlite"
"""The backend named by this store's :class:`~lapor_core.storage.base.EncodedBatch`."""


_SYNCHRONOUS = frozenset({"OFF", "NORMAL", "FULL", "EXTRA"})

# SQLite checkpoints its write-ahead log every 1,000 pages by default; a command writes
# about 8 (the event, its index, the row and its indexes), mostly the same hot pages, and a
# checkpoint copies each distinct page once: checkpointing every 4,000 pages made a
# follow-up about 3 % and a simulated national stretch about 7 % faster, for a log of up
# to 16 MB. After a checkpoint the log file is cut back to 64 MiB at most.
WAL_AUTOCHECKPOINT_PAGES = 4000
WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024

# A write waits for another connection's write lock by trying again every 0.1 ms. SQLite's
# own busy handler sleeps 1, 2, 5, 10, ... ms between tries, longer than a command holds
# the lock (about 0.3 ms): two server processes on one file spent 0.2 to 0.35 ms of every
# write asleep after the lock was free again.
_LOCK_RETRY_S = 0.0001

T = TypeVar("T")


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
                N_("synchronous must be one of {choices}, got {value!r}"),
                choices=sorted(_SYNCHRONOUS),
                value=synchronous,
            )
        self._path = os.fspath(path)
        if self._path in {"", ":memory:"} or self._path.startswith("file:"):
            raise ValidationError(
                N_(
                    "SQLiteStore needs a file path, got {path!r}; use InMemoryStore for "
                    "a store in memory"
                ),
                path=self._path,
            )
        self._synchronous = synchronous.upper()
        self._busy_timeout = busy_timeout
        self._busy_pragma = f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}"
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._closed = False
        with self._errors(N_("opening the database")):
            ensure_schema(self._conn(), self._path)

    def __repr__(self) -> str:
        """Show the file."""
        return f"SQLiteStore({self._path!r})"

    @property
    def path(self) -> str:
        """The database file."""
        return self._path

    # ----------------------------------------------------------------------- plumbing

    def _errors(self, what: str) -> contextlib.AbstractContextManager[None]:
        return translate_errors(what, backend="SQLite", where=self._path, errors=sqlite3.Error)

    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise StorageError(N_("the SQLite store on {path!r} is closed"), path=self._path)
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
            conn.execute(self._busy_pragma)
            conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
            conn.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT_BYTES}")
        except BaseException:
            conn.close()
            raise
        if str(mode).lower() != "wal":
            conn.close()
            raise StorageError(
                N_("cannot switch {path!r} to WAL mode (got {mode!r})"), path=self._path, mode=mode
            )
        with self._lock:
            if self._is_closed():
                conn.close()
                raise StorageError(N_("the SQLite store on {path!r} is closed"), path=self._path)
            self._connections.append(conn)
        self._local.conn = conn
        return conn

    def _is_closed(self) -> bool:
        return self._closed

    def _write(self, what: str, body: Callable[[sqlite3.Connection], T]) -> T:
        """Run *body* in one ``BEGIN IMMEDIATE`` transaction; roll back on any error."""
        with self._errors(what):
            conn = self._conn()
            self._begin(conn)
            try:
                result = body(conn)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            return result

    def _begin(self, conn: sqlite3.Connection) -> None:
        """``BEGIN IMMEDIATE``, waiting for another writer's lock up to the busy timeout."""
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            deadline = time.monotonic() + self._busy_timeout
            while not self._try_begin(conn, deadline):
                time.sleep(_LOCK_RETRY_S)
        finally:
            conn.execute(self._busy_pragma)

    @staticmethod
    def _try_begin(conn: sqlite3.Connection, deadline: float) -> bool:
        """Whether ``BEGIN IMMEDIATE`` took the lock (another writer's, after *deadline*: fail)."""
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            busy = exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY
            if not busy or time.monotonic() >= deadline:
                raise
            return False
        return True

    def _read(self, what: str, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._errors(what):
            return self._conn().execute(sql, params).fetchall()

    # ----------------------------------------------------------------------- writes

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
        found = conn.execute(sqlite_sql.STREAM_VERSION, (complaint_id.value,)).fetchone()[0]
        current = int(found or 0)
        if current != expected_version:
            raise version_conflict(complaint_id, current, expected_version)

    @staticmethod
    def _check_versions(conn: sqlite3.Connection, expected: Mapping[ComplaintId, int]) -> None:
        """
        Check that every stream of *expected* is at its version (each above 0), in one read.

        What :meth:`_check_version` checks for each, with one statement for them all.
        """
        ids = sqlite_sql.json_list([cid.value for cid in expected])
        current = dict(conn.execute(sqlite_sql.STREAM_VERSIONS, (ids,)).fetchall())
        for complaint_id, expected_version in expected.items():
            found = int(current.get(complaint_id.value) or 0)
            if found != expected_version:
                raise version_conflict(complaint_id, found, expected_version)

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
        params = event_rows(complaint_id, expected_version, events, time.time_ns() // 1000)
        row_params = sqlite_sql.DIALECT.row_params(row)

        def body(conn: sqlite3.Connection) -> tuple[StoredEvent, ...]:
            self._check_version(conn, complaint_id, expected_version)
            stored = []
            try:
                for event, values in zip(events, params, strict=True):
                    position = conn.execute(sqlite_sql.INSERT_EVENT, values).lastrowid
                    assert position is not None  # noqa: S101 - an INSERT always sets it
                    stored.append(StoredEvent(position, complaint_id, values[1], event))
            except sqlite3.IntegrityError as exc:
                raise ConcurrencyConflict(
                    N_("complaint {complaint_id} moved past version {expected_version}"),
                    complaint_id=complaint_id,
                    expected_version=expected_version,
                ) from exc
            conn.execute(sqlite_sql.UPSERT_ROW, row_params)
            if idempotency_key is not None:
                try:
                    conn.execute(
                        sqlite_sql.INSERT_KEY, (idempotency_key, complaint_id.value, row.version)
                    )
                except sqlite3.IntegrityError as exc:
                    raise ConcurrencyConflict(
                        N_("idempotency key {key!r} was already used"), key=idempotency_key
                    ) from exc
            return tuple(stored)

        return self._write(N_("appending events"), body)

    def append_many(
        self,
        batches: Iterable[AppendBatch],
        *,
        idempotency_keys: Mapping[ComplaintId, str] | None = None,
    ) -> int:
        """
        Append many complaints' events and rows in one transaction (bulk import).

        Every batch is checked as by :meth:`append`; one conflict writes nothing. The
        same as :meth:`append_encoded` of each batch's :meth:`encode_batch`.

        Args:
            batches: ``(complaint_id, expected_version, events, row)`` each.
            idempotency_keys: A key to record with some of the complaints, as
                :meth:`append` records its *idempotency_key*.

        Returns:
            The number of events written.

        Raises:
            ConcurrencyConflict: A stream is not at its expected version, or a key was
                used before. Nothing is written.
            ValidationError: Malformed batches or keys.
            StorageError: The database failed.

        .. versionchanged:: 0.2.0 *idempotency_keys*.
        """
        checked = check_batches(batches)
        encoded = [
            encoded_batch(batch, backend=BACKEND, row_params=sqlite_sql.DIALECT.row_params)
            for batch in checked
        ]
        return self.append_encoded(encoded, idempotency_keys=idempotency_keys)

    def encode_batch(
        self,
        complaint_id: ComplaintId,
        expected_version: int,
        events: Sequence[Event],
        row: ComplaintRow,
    ) -> EncodedBatch:
        """
        One complaint's bulk append, checked as :meth:`append` checks and encoded.

        Pure (no connection, no clock), so it may run in a worker process: the batch is
        written by :meth:`append_encoded` of a store of this backend.

        Raises:
            ValidationError: A malformed batch.

        .. versionadded:: 0.2.0
        """
        check_append(complaint_id, expected_version, events, row)
        batch = (complaint_id, expected_version, events, row)
        return encoded_batch(batch, backend=BACKEND, row_params=sqlite_sql.DIALECT.row_params)

    def append_encoded(
        self,
        batches: Sequence[EncodedBatch],
        *,
        idempotency_keys: Mapping[ComplaintId, str] | None = None,
    ) -> int:
        """
        Write encoded batches (:meth:`encode_batch`) in one transaction, as :meth:`append_many`.

        The time recorded is the time of this call.

        Returns:
            The number of events written.

        Raises:
            ConcurrencyConflict: A stream is not at its expected version, or a key was
                used before. Nothing is written.
            ValidationError: A batch of another backend, a complaint twice, or
                malformed keys.
            StorageError: The database failed.

        .. versionadded:: 0.2.0
        """
        checked = check_encoded(batches, BACKEND)
        if not checked:
            return 0
        keys = check_idempotency_keys(checked, idempotency_keys)
        now = time.time_ns() // 1000
        event_params = [(*event, now) for batch in checked for event in batch.event_rows]
        row_params = [batch.row for batch in checked]
        key_params = [
            (keys[b.complaint_id], b.complaint_id.value, b.version)
            for b in checked
            if b.complaint_id in keys
        ]

        # New streams need no read (see _check_version); the others are read together.
        expected = {b.complaint_id: b.expected_version for b in checked if b.expected_version}

        def body(conn: sqlite3.Connection) -> int:
            if expected:
                self._check_versions(conn, expected)
            try:
                conn.executemany(sqlite_sql.INSERT_EVENT, event_params)
            except sqlite3.IntegrityError as exc:
                raise ConcurrencyConflict(
                    N_("a stream moved during the bulk append: {reason}"), reason=str(exc)
                ) from exc
            conn.executemany(sqlite_sql.UPSERT_ROW, row_params)
            try:
                conn.executemany(sqlite_sql.INSERT_KEY, key_params)
            except sqlite3.IntegrityError as exc:
                raise ConcurrencyConflict(
                    N_("an idempotency key was already used: {reason}"), reason=str(exc)
                ) from exc
            return len(event_params)

        return self._write(N_("appending events in bulk"), body)

    # ----------------------------------------------------------------------- reads

    def load(self, complaint_id: ComplaintId) -> tuple[Event, ...]:
        """
        A stream's events in order; empty when the complaint does not exist.

        Raises:
            StorageError: The database failed or a stored event cannot be decoded.
        """
        check_id(complaint_id)
        return events_from(
            complaint_id,
            self._read(N_("loading a complaint's events"), sqlite_sql.LOAD, (complaint_id.value,)),
        )

    def load_after(self, complaint_id: ComplaintId, version: int) -> tuple[Event, ...]:
        """
        A stream's events after *version*, in order.

        Raises:
            ValidationError: A version out of range.
            CorruptStream: A version after *version* is missing.
            UndecodableEvent: A stored event cannot be decoded.
            StorageError: The database failed.
        """
        check_id(complaint_id)
        check_query_window(version, 1)
        rows = self._read(
            N_("loading a complaint's events"), sqlite_sql.LOAD_AFTER, (complaint_id.value, version)
        )
        return events_after(complaint_id, version, rows, self.load)

    def save_snapshot(self, state: Complaint) -> None:
        """
        Keep *state* as its complaint's snapshot (an older one is replaced).

        Raises:
            ValidationError: Not a complaint's state.
            StorageError: The database failed.
        """
        check_snapshot(state)
        params = (state.id.value, state.version, fingerprint(), encode_state(state))
        self._write(
            N_("saving a snapshot"), lambda conn: conn.execute(sqlite_sql.SAVE_SNAPSHOT, params)
        )

    def load_latest(self, complaint_id: ComplaintId) -> tuple[Complaint | None, tuple[Event, ...]]:
        """
        The newest usable snapshot and the events after it, or ``None`` and the stream.

        One statement (see :class:`~lapor_core.storage.base.SnapshotTailStore`).

        Raises:
            CorruptStream: A version is missing.
            UndecodableEvent: A stored event cannot be decoded.
            StorageError: The database failed.
        """
        check_id(complaint_id)
        cid = complaint_id.value
        rows = self._read(
            N_("loading a complaint's events"), sqlite_sql.LOAD_LATEST, (cid, fingerprint())
        )
        return latest_from(complaint_id, rows, self.load)

    def load_snapshot(self, complaint_id: ComplaintId) -> Complaint | None:
        """
        The complaint's snapshot made by this code and within its stream, or ``None``.

        A snapshot that cannot be decoded is ignored (the stream is the truth).

        Raises:
            StorageError: The database failed.
        """
        cid = complaint_id.value
        rows = self._read(
            N_("loading a snapshot"), sqlite_sql.LOAD_SNAPSHOT, (cid, fingerprint(), cid)
        )
        if not rows:
            return None
        try:
            state = decode_state(rows[0][0])
        except StorageError:
            return None
        return state if state.id == complaint_id else None

    def get(self, complaint_id: ComplaintId) -> ComplaintRow:
        """
        The projection row.

        Raises:
            NotFound: No such complaint.
            StorageError: The database failed.
        """
        check_id(complaint_id)
        rows = self._read(
            N_("reading a complaint"),
            sqlite_sql.SELECT_ROW + " WHERE id = ?",
            (complaint_id.value,),
        )
        if not rows:
            raise NotFound(N_("complaint {complaint_id} does not exist"), complaint_id=complaint_id)
        return sqlite_sql.DIALECT.row_from(rows[0])

    def query(self, query: ComplaintQuery) -> Page:
        """
        Filtered projection rows ordered by ``submitted_at`` then id, one page.

        Raises:
            ValidationError: A cursor this store did not make.
            StorageError: The database failed.
        """
        tail, params = sqlite_sql.DIALECT.query_tail(query)
        found = self._read(N_("querying complaints"), sqlite_sql.SELECT_ROW + tail, params)
        return page_of([sqlite_sql.DIALECT.row_from(r) for r in found], query.limit)

    def versions(self, query: ComplaintQuery) -> VersionPage:
        """
        The page :meth:`query` would return, as ids, versions and categories.

        Raises:
            ValidationError: A cursor this store did not make.
            StorageError: The database failed.
        """
        tail, params = sqlite_sql.DIALECT.query_tail(query)
        found = self._read(N_("reading stream versions"), sqlite_sql.SELECT_VERSIONS + tail, params)
        return sqlite_sql.DIALECT.version_page_of(found, query.limit)

    def read_all(self, after: int = 0, limit: int = 1000) -> tuple[StoredEvent, ...]:
        """
        Events in global order with position greater than *after*.

        Raises:
            StorageError: The database failed or a stored event cannot be decoded.
        """
        check_query_window(after, limit)
        return stored_events_from(
            self._read(N_("reading the event log"), sqlite_sql.READ_ALL, (after, limit))
        )

    def idempotency(self, key: str) -> tuple[ComplaintId, int] | None:
        """The (complaint, version after the append) first recorded with *key*."""
        rows = self._read(N_("looking up an idempotency key"), sqlite_sql.SELECT_KEY, (key,))
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

        params = {"now": at, "claimant": claimant, "expires": expires, "limit": limit}

        def body(conn: sqlite3.Connection) -> tuple[ComplaintId, ...]:
            claimed = conn.execute(sqlite_sql.CLAIM_DUE, params).fetchall()
            return tuple(ComplaintId(cid) for _due, cid in sorted(claimed))

        return self._write(N_("claiming due complaints"), body)

    def verify(self, projector: Projector | None = None) -> VerifyReport:
        """
        Read every stream and report what is wrong with each complaint.

        Args:
            projector: Builds the row a replay should have (e.g. :func:`~.base.project`
                with the profile's calendar and clocks); without one, every field but
                ``next_due_at`` is compared.

        Returns:
            What was checked and every problem found (a gap, an undecodable event, an
            event of a newer lapor_core, a truncated stream, a row that differs from a
            replay), in complaint id order.

        Raises:
            StorageError: The store is closed or the database failed.

        .. versionadded:: 0.1.0
        """
        found = self._read(N_("listing the streams to verify"), sqlite_sql.STREAM_IDS)
        ids = [ComplaintId(r[0]) for r in found]
        return verify_streams(ids, self.load, self.get, projector)

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
        return indicators_from(
            self._read(N_("computing the indicators"), sqlite_sql.INDICATORS, params)
        )

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
        params = (
            region_length(level),
            Status.COMPLETED.value,
            *OPEN_STATUSES,
            to_micros(since),
            to_micros(until),
        )
        return musrenbang_from(
            self._read(N_("computing the Musrenbang export"), sqlite_sql.MUSRENBANG, params)
        )
