"""
The scale backend: PostgreSQL through psycopg 3 and a connection pool.

Install with ``pip install lapor-core[postgres]``. Only this module, its schema
(:mod:`lapor_core.storage.postgres_schema`) and its statements import ``psycopg``;
:func:`lapor_core.storage.open_store` imports them only for a ``postgresql://`` URL.

Design notes:

- **One statement an append.** The connections are in autocommit mode, and an append is
  one statement (one round trip, one transaction): the schema's function
  ``check_append_v1`` checks the stream's version, and data-modifying ``WITH`` parts that
  read its result insert the events, upsert the projection row and record the
  idempotency key (:func:`~lapor_core.storage._postgres_sql.write_statement`). A read is
  one statement as well. ``UNIQUE (complaint_id, version)`` stays the final guard (a
  unique violation becomes :class:`~lapor_core.errors.ConcurrencyConflict`).
- **Global order.** Every append takes a transaction-level advisory lock
  (``pg_advisory_xact_lock``, in ``check_append_v1``) before it draws positions, so
  positions are assigned in commit order: a subscriber that has read up to position *p*
  never later sees a committed event below *p*. The trade-off: appends to one store are
  serialised (one short transaction at a time), which bounds write throughput to what
  one connection can commit; reads, queries and claims do not take the lock.
  Rolled-back appends leave gaps in positions, never out-of-order commits.
- **Sweepers.** ``claim_due`` selects due rows ``FOR UPDATE SKIP LOCKED`` and records a
  lease on them in the same statement, so several sweepers never get the same row.
- **Schema.** Created idempotently under the same advisory lock, in its own PostgreSQL
  schema (``lapor`` by default); see :mod:`lapor_core.storage.postgres_schema`.
- **SQL text.** Every identifier composed into a statement (the schema, its tables, the
  projection's columns) goes through :class:`psycopg.sql.Identifier` inside a
  :class:`psycopg.sql.SQL` template, composed once per store; values always travel as
  parameters.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import contextlib
import math
import re
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import psycopg
import psycopg.errors
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg_pool import ConnectionPool, PoolTimeout

from lapor_core.domain.complaint import Complaint
from lapor_core.domain.events import Event
from lapor_core.domain.lifecycle import Status
from lapor_core.domain.model import ComplaintId
from lapor_core.errors import (
    N_,
    ConcurrencyConflict,
    NotFound,
    StorageError,
    Term,
    ValidationError,
)
from lapor_core.ports.reporting import AgencyIndicators, MusrenbangRow
from lapor_core.storage import _postgres_sql as pg_sql
from lapor_core.storage import redact_dsn
from lapor_core.storage._reporting import (
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
from lapor_core.storage.postgres_schema import CONFLICT_SQLSTATE, SCHEMA_VERSION, ensure_schema
from lapor_core.storage.snapshots import check_snapshot, decode_state, encode_state, fingerprint
from lapor_core.storage.support import (
    AppendBatch,
    check_append,
    check_batches,
    check_claim,
    check_encoded,
    check_id,
    check_idempotency_keys,
    check_query_window,
    verify_streams,
    version_conflict,
)

__all__ = ["SCHEMA_VERSION", "PostgresStore", "safe_dsn"]

BACKEND = "postgresql"
"""The backend named by this store's :class:`~lapor_core.storage.base.EncodedBatch`."""


_LOCK_NAMESPACE = 0x4C41504F  # "LAPO": first key of every advisory lock we take
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def safe_dsn(dsn: str) -> str:
    """
    *dsn* without its password, for error messages.

    A DSN libpq cannot parse is shown with its password hidden
    (:func:`lapor_core.storage.redact_dsn`).

    .. versionadded:: 0.1.0
    """
    try:
        params = conninfo_to_dict(dsn)
    except psycopg.Error:
        return redact_dsn(dsn)
    if "@" in str(params.get("host", "")):  # an '@' of the password: the rest went to the host
        return redact_dsn(dsn)
    for key in [k for k in params if k.endswith("password")]:
        del params[key]
    return make_conninfo("", **params)


def _check_user_info(dsn: str) -> None:
    """
    Refuse a URL with an ``@`` of its user name or password left as it is.

    libpq takes the password up to the first ``@`` and the rest of it for the host, so
    its messages (``failed to resolve host '...'``) would show part of the password.

    Raises:
        ValidationError: More than one ``@`` before the host (the URL is shown with
            everything up to the last one hidden).
    """
    scheme, sep, rest = dsn.partition("://")
    if not sep or scheme.lower() not in ("postgres", "postgresql"):
        return
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if authority.count("@") > 1:
        raise ValidationError(
            N_(
                "the store URL {url!r} has more than one '@' before its host: write an '@' "
                "of the user name or the password as %40"
            ),
            url=redact_dsn(dsn),
        )


def _append_conflict(
    exc: psycopg.Error,
    complaint_id: ComplaintId,
    expected_version: int,
    idempotency_key: str | None,
) -> ConcurrencyConflict | None:
    """
    What an append's failure means: a conflict with what is stored, or ``None``.

    The check's own error (``SQLSTATE`` :data:`~.postgres_schema.CONFLICT_SQLSTATE`)
    carries the stream's version; a unique violation is a key used before or a version
    inserted meanwhile (another append of the same stream). Anything else (``None``)
    is left to the store's translation of driver errors.
    """
    diag = exc.diag
    if exc.sqlstate == CONFLICT_SQLSTATE:
        return version_conflict(complaint_id, int(diag.message_detail or 0), expected_version)
    if isinstance(exc, psycopg.errors.UniqueViolation):
        if idempotency_key is not None and diag.table_name == "idempotency":
            return ConcurrencyConflict(
                N_("idempotency key {key!r} was already used"), key=idempotency_key
            )
        return ConcurrencyConflict(
            N_("complaint {complaint_id} moved past version {expected_version}"),
            complaint_id=complaint_id,
            expected_version=expected_version,
        )
    return None


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
                N_("invalid schema name {schema!r}: lower-case letters, digits and _ only"),
                schema=schema,
            )
        if not 1 <= min_size <= max_size:
            raise ValidationError(
                N_("need 1 <= min_size <= max_size, got {min_size}, {max_size}"),
                min_size=min_size,
                max_size=max_size,
            )
        _check_user_info(dsn)
        self._dsn = dsn
        self._where = safe_dsn(dsn)
        self._schema = schema
        self._lock_key = zlib.crc32(schema.encode()) & 0x7FFFFFFF
        self._timeout = max(2, math.ceil(connect_timeout))
        self._closed = False
        self._prepare_sql()
        # libpq repeats a malformed DSN (password included) in its messages: the error
        # carries the message with the password hidden, and is raised outside the
        # ``except`` so that no chained exception shows the original.
        failure: StorageError | None = None
        try:
            with (
                psycopg.connect(dsn, connect_timeout=self._timeout, autocommit=True) as conn,
                conn.transaction(),
            ):
                self._lock_log(conn)
                ensure_schema(conn, schema, self._where)
        except psycopg.Error as exc:
            failure = StorageError(
                N_("cannot use PostgreSQL at {where}: {reason}"),
                where=self._where,
                reason=redact_dsn(str(exc), dsn),
            )
        if failure is not None:
            raise failure
        self._pool: ConnectionPool[psycopg.Connection[tuple[Any, ...]]] = ConnectionPool(
            dsn,
            min_size=min_size,
            max_size=max_size,
            # autocommit: a read is one statement and one round trip; a write opens
            # its transaction itself (``_tx``)
            kwargs={"connect_timeout": self._timeout, "autocommit": True},
            open=False,
            timeout=max(self._timeout, 10),
            name=f"lapor-{schema}",
        )
        try:
            self._pool.open(wait=True, timeout=self._timeout + 2)
        except (PoolTimeout, psycopg.Error) as exc:
            self._pool.close()
            failure = StorageError(
                N_("cannot open a pool to PostgreSQL at {where}: {reason}"),
                where=self._where,
                reason=redact_dsn(str(exc), dsn),
            )
        if failure is not None:
            raise failure

    def __repr__(self) -> str:
        """Show where the store lives (without the password)."""
        return f"PostgresStore({self._where!r}, schema={self._schema!r})"

    @property
    def schema(self) -> str:
        """The PostgreSQL schema holding the tables."""
        return self._schema

    # ----------------------------------------------------------------------- plumbing

    def _prepare_sql(self) -> None:
        """
        Compose the statements for this store's schema, once (identifiers quoted).

        They are kept as the bytes psycopg sends: composing a statement of many quoted
        identifiers on every call costs more than the round trip of a short one.
        """
        names = pg_sql.identifiers(self._schema)
        self._names = names

        def render(template: sql.SQL) -> bytes:
            return template.format(**names).as_bytes(None)

        self._sql_select_row = render(pg_sql.SELECT_ROW)
        self._sql_select_versions = render(pg_sql.SELECT_VERSIONS)
        self._sql_upsert = render(pg_sql.UPSERT_ROW)
        self._sql_versions = render(pg_sql.STREAM_VERSIONS)
        self._sql_insert_keys = render(pg_sql.INSERT_KEYS)
        self._sql_copy_events = render(pg_sql.COPY_EVENTS)
        self._sql_load = render(pg_sql.LOAD)
        self._sql_load_after = render(pg_sql.LOAD_AFTER)
        self._sql_save_snapshot = render(pg_sql.SAVE_SNAPSHOT)
        self._sql_load_snapshot = render(pg_sql.LOAD_SNAPSHOT)
        self._sql_load_latest = render(pg_sql.LOAD_LATEST)
        self._sql_read_all = render(pg_sql.READ_ALL)
        self._sql_stream_ids = render(pg_sql.STREAM_IDS)
        self._sql_select_key = render(pg_sql.SELECT_KEY)
        self._sql_claim_due = render(pg_sql.CLAIM_DUE)
        self._sql_indicators = render(pg_sql.INDICATORS)
        self._sql_musrenbang = render(pg_sql.MUSRENBANG)
        self._sql_writes: dict[tuple[int, bool], bytes] = {}

    def _write_sql(self, events: int, *, keyed: bool) -> bytes:
        """The append of *events* events in one statement, with or without a key (cached)."""
        found = self._sql_writes.get((events, keyed))
        if found is None:
            found = pg_sql.write_statement(self._names, events, keyed=keyed).as_bytes(None)
            self._sql_writes[(events, keyed)] = found
        return found

    @contextlib.contextmanager
    def _tx(self, what: str) -> Iterator[psycopg.Connection[tuple[Any, ...]]]:
        """One transaction on a pooled connection: committed on success, else rolled back."""
        with self._autocommit(what) as conn, conn.transaction():
            yield conn

    @contextlib.contextmanager
    def _autocommit(self, what: str) -> Iterator[psycopg.Connection[tuple[Any, ...]]]:
        """
        A pooled connection in autocommit mode: each statement is a transaction.

        For a read of one statement (one statement sees one snapshot of the database)
        and for an append (one statement, see :meth:`append`): one round trip each
        instead of three (``BEGIN``, the statement, ``COMMIT``).
        """
        if self._closed:
            raise StorageError(N_("the PostgreSQL store at {where} is closed"), where=self._where)
        with translate_errors(
            what,
            backend="PostgreSQL",
            where=self._where,
            errors=psycopg.Error,
            conflicts=(psycopg.errors.UniqueViolation,),
        ):
            try:
                with self._pool.connection() as conn:
                    yield conn
            except PoolTimeout as exc:  # a psycopg.Error too: name the cause before it is generic
                raise StorageError(
                    N_("PostgreSQL {what} at {where}: no connection: {reason}"),
                    what=Term(what),
                    where=self._where,
                    reason=str(exc),
                ) from exc

    def _lock_log(self, conn: psycopg.Connection[Any]) -> None:
        conn.execute(pg_sql.LOCK, (_LOCK_NAMESPACE, self._lock_key))

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
        params: list[Any] = [cid, expected_version, _LOCK_NAMESPACE, self._lock_key]
        for event_row in event_rows(complaint_id, expected_version, events):
            params.extend(event_row)
        params.extend(pg_sql.row_params(row))
        if idempotency_key is not None:
            params.extend((idempotency_key, cid, row.version))
        write = self._write_sql(len(events), keyed=idempotency_key is not None)
        with self._autocommit(N_("appending events")) as conn:
            try:
                written = conn.execute(write, params).fetchall()
            except psycopg.Error as exc:
                conflict = _append_conflict(exc, complaint_id, expected_version, idempotency_key)
                if conflict is None:
                    raise  # the store's translation of driver errors takes it
                raise conflict from None
        positions = {version: position for position, version in written}
        return tuple(
            StoredEvent(positions[v], complaint_id, v, event)
            for v, event in enumerate(events, start=expected_version + 1)
        )

    def append_many(
        self,
        batches: Iterable[AppendBatch],
        *,
        idempotency_keys: Mapping[ComplaintId, str] | None = None,
    ) -> int:
        """
        Append many complaints' events and rows in one transaction (bulk import, COPY).

        The same as :meth:`append_encoded` of each batch's :meth:`encode_batch`.

        Args:
            batches: ``(complaint_id, expected_version, events, row)`` each.
            idempotency_keys: A key to record with some of the complaints, as
                :meth:`append` records its *idempotency_key*.

        Returns:
            The number of events written.

        Raises:
            ConcurrencyConflict: A stream is not at its expected version, or a key was
                used before; nothing is written.
            ValidationError: Malformed batches or keys.
            StorageError: The database failed.

        .. versionchanged:: 0.2.0 *idempotency_keys*.
        """
        checked = check_batches(batches)
        encoded = [
            encoded_batch(batch, backend=BACKEND, row_params=pg_sql.row_params) for batch in checked
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
        return encoded_batch(batch, backend=BACKEND, row_params=pg_sql.row_params)

    def append_encoded(
        self,
        batches: Sequence[EncodedBatch],
        *,
        idempotency_keys: Mapping[ComplaintId, str] | None = None,
    ) -> int:
        """
        Write encoded batches (:meth:`encode_batch`) in one transaction, as :meth:`append_many`.

        Returns:
            The number of events written.

        Raises:
            ConcurrencyConflict: A stream is not at its expected version, or a key was
                used before; nothing is written.
            ValidationError: A batch of another backend, a complaint twice, or
                malformed keys.
            StorageError: The database failed.

        .. versionadded:: 0.2.0
        """
        checked = check_encoded(batches, BACKEND)
        if not checked:
            return 0
        keys = check_idempotency_keys(checked, idempotency_keys)
        key_rows = [
            (keys[b.complaint_id], b.complaint_id.value, b.version)
            for b in checked
            if b.complaint_id in keys
        ]
        expected = {b.complaint_id: b.expected_version for b in checked}
        count = 0
        with self._tx(N_("appending events in bulk")) as conn:
            self._lock_log(conn)
            ids = [cid.value for cid in expected]
            current = dict(conn.execute(self._sql_versions, (ids,)).fetchall())
            for complaint_id, version in expected.items():
                found = current.get(complaint_id.value, 0)
                if found != version:
                    raise version_conflict(complaint_id, found, version)
            with conn.cursor() as cur:
                with cur.copy(self._sql_copy_events) as copy:
                    for batch in checked:
                        for event_row in batch.event_rows:
                            copy.write_row(event_row)
                            count += 1
                cur.executemany(self._sql_upsert, [batch.row for batch in checked])
            if key_rows:
                columns = [list(column) for column in zip(*key_rows, strict=True)]
                inserted = conn.execute(self._sql_insert_keys, columns).fetchall()
                if len(inserted) != len(key_rows):
                    raise ConcurrencyConflict(
                        N_("an idempotency key of the bulk append was already used")
                    )
        return count

    # ----------------------------------------------------------------------- reads

    def load(self, complaint_id: ComplaintId) -> tuple[Event, ...]:
        """
        A stream's events in order; empty when the complaint does not exist.

        Raises:
            StorageError: The database failed or a stored event cannot be decoded.
        """
        check_id(complaint_id)
        with self._autocommit(N_("loading a complaint's events")) as conn:
            rows = conn.execute(self._sql_load, (complaint_id.value,)).fetchall()
        return events_from(complaint_id, rows)

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
        with self._autocommit(N_("loading a complaint's events")) as conn:
            rows = conn.execute(self._sql_load_after, (complaint_id.value, version)).fetchall()
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
        with self._tx(N_("saving a snapshot")) as conn:
            conn.execute(self._sql_save_snapshot, params)

    def load_latest(self, complaint_id: ComplaintId) -> tuple[Complaint | None, tuple[Event, ...]]:
        """
        The newest usable snapshot and the events after it, or ``None`` and the stream.

        One statement, one round trip (see
        :class:`~lapor_core.storage.base.SnapshotTailStore`).

        Raises:
            CorruptStream: A version is missing.
            UndecodableEvent: A stored event cannot be decoded.
            StorageError: The database failed.
        """
        check_id(complaint_id)
        params = {"cid": complaint_id.value, "fingerprint": fingerprint()}
        with self._autocommit(N_("loading a complaint's events")) as conn:
            rows = conn.execute(self._sql_load_latest, params).fetchall()
        return latest_from(complaint_id, rows, self.load)

    def load_snapshot(self, complaint_id: ComplaintId) -> Complaint | None:
        """
        The complaint's snapshot made by this code and within its stream, or ``None``.

        A snapshot that cannot be decoded is ignored (the stream is the truth).

        Raises:
            StorageError: The database failed.
        """
        cid = complaint_id.value
        with self._autocommit(N_("loading a snapshot")) as conn:
            found = conn.execute(self._sql_load_snapshot, (cid, fingerprint(), cid)).fetchone()
        if found is None:
            return None
        try:
            state = decode_state(found[0])
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
        with self._autocommit(N_("reading a complaint")) as conn:
            found = conn.execute(
                self._sql_select_row + b" WHERE id = %s", (complaint_id.value,)
            ).fetchone()
        if found is None:
            raise NotFound(N_("complaint {complaint_id} does not exist"), complaint_id=complaint_id)
        return pg_sql.DIALECT.row_from(found)

    def query(self, query: ComplaintQuery) -> Page:
        """
        Filtered projection rows ordered by ``submitted_at`` then id, one page.

        Raises:
            ValidationError: A cursor this store did not make.
            StorageError: The database failed.
        """
        tail, params = pg_sql.DIALECT.query_tail(query)
        with self._autocommit(N_("querying complaints")) as conn:
            found = conn.execute(self._sql_select_row + tail.encode(), params).fetchall()
        return page_of([pg_sql.DIALECT.row_from(r) for r in found], query.limit)

    def versions(self, query: ComplaintQuery) -> VersionPage:
        """
        The page :meth:`query` would return, as ids, versions and categories.

        Raises:
            ValidationError: A cursor this store did not make.
            StorageError: The database failed.
        """
        tail, params = pg_sql.DIALECT.query_tail(query)
        with self._autocommit(N_("reading stream versions")) as conn:
            found = conn.execute(self._sql_select_versions + tail.encode(), params).fetchall()
        return pg_sql.DIALECT.version_page_of(found, query.limit)

    def read_all(self, after: int = 0, limit: int = 1000) -> tuple[StoredEvent, ...]:
        """
        Events in global order with position greater than *after*.

        Raises:
            StorageError: The database failed or a stored event cannot be decoded.
        """
        check_query_window(after, limit)
        with self._autocommit(N_("reading the event log")) as conn:
            rows = conn.execute(self._sql_read_all, (after, limit)).fetchall()
        return stored_events_from(rows)

    def idempotency(self, key: str) -> tuple[ComplaintId, int] | None:
        """The (complaint, version after the append) first recorded with *key*."""
        with self._autocommit(N_("looking up an idempotency key")) as conn:
            found = conn.execute(self._sql_select_key, (key,)).fetchone()
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
        params = {"now": now, "claimant": claimant, "limit": limit, "expires": now + lease}
        with self._tx(N_("claiming due complaints")) as conn:
            found = conn.execute(self._sql_claim_due, params).fetchall()
        return tuple(ComplaintId(cid) for _due, cid in sorted(found))

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
        with self._autocommit(N_("listing the streams to verify")) as conn:
            found = conn.execute(self._sql_stream_ids).fetchall()
        ids = [ComplaintId(r[0]) for r in found]
        return verify_streams(ids, self.load, self.get, projector)

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
                conn.execute(pg_sql.DROP_SCHEMA.format(**self._names))
        except psycopg.Error as exc:
            raise StorageError(
                N_("cannot drop schema {schema!r} at {where}: {reason}"),
                schema=self._schema,
                where=self._where,
                reason=str(exc),
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
        params = {
            "completed": Status.COMPLETED.value,
            "in_progress": Status.IN_PROGRESS.value,
            "archived": Status.ARCHIVED.value,
            "open": list(OPEN_STATUSES),
            "since": since,
            "until": until,
        }
        with self._autocommit(N_("computing the indicators")) as conn:
            found = conn.execute(self._sql_indicators, params).fetchall()
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
        params = {
            "length": region_length(level),
            "completed": Status.COMPLETED.value,
            "open": list(OPEN_STATUSES),
            "since": since,
            "until": until,
        }
        with self._autocommit(N_("computing the Musrenbang export")) as conn:
            found = conn.execute(self._sql_musrenbang, params).fetchall()
        return musrenbang_from(found)
