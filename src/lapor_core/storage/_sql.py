"""
What the two SQL stores share: projection columns, queries, event rows, driver errors.

:class:`~lapor_core.storage.sqlite.SQLiteStore` and
:class:`~lapor_core.storage.postgres.PostgresStore` keep the projection in the same
columns (:data:`~lapor_core.ports.projection.ROW_FIELDS`, in that order), answer a
:class:`~lapor_core.ports.projection.ComplaintQuery` with the same clauses in the same
order, and store events as (complaint, version, type, schema version, data). Only the
spelling differs, and a :class:`Dialect` says how: the parameter mark, how instants and
agency lists travel, and how a column is matched against a list of values.

Internal: rows arrive from the drivers untyped, so this module is private; the types its
callers see are the port's.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

import attrs

from lapor_core.domain.events import Event
from lapor_core.domain.model import ComplaintId, Status
from lapor_core.domain.state import Complaint
from lapor_core.errors import (
    N_,
    ConcurrencyConflict,
    CorruptStream,
    NewerEventSchema,
    StorageError,
    Term,
    UndecodableEvent,
)
from lapor_core.ports.projection import ComplaintQuery, ComplaintRow, Page, RowVersion, VersionPage
from lapor_core.storage.base import EncodedBatch, StoredEvent
from lapor_core.storage.codec import CODEC
from lapor_core.storage.legacy import with_statuses
from lapor_core.storage.snapshots import decode_state
from lapor_core.storage.support import AppendBatch, decode_cursor, encode_cursor

__all__ = [
    "VERSION_COLUMNS",
    "Dialect",
    "encoded_batch",
    "event_rows",
    "events_after",
    "events_from",
    "latest_from",
    "page_of",
    "stored_events_from",
    "translate_errors",
    "undecodable",
]

VERSION_COLUMNS = ("id", "version", "category", "submitted_at")
"""The columns :meth:`Dialect.version_page_of` reads, in that order."""


@attrs.frozen(kw_only=True)
class Dialect:
    """
    How one SQL backend spells the projection's values and the query over them.

    Attributes:
        mark: The parameter placeholder (``?`` for sqlite3, ``%s`` for psycopg).
        instant: An aware datetime as a parameter (epoch microseconds, or itself).
        instant_from: A datetime column's value as an aware datetime.
        micros: Epoch microseconds (a cursor's instant) as a parameter.
        agencies: A row's agencies as a parameter (JSON text, or a list for an array).
        agencies_from: The agencies column's value as a tuple.
        arrays: A list of values travels as one array parameter (else one mark each).
        statuses: The status filter; ``{}`` stands for the list of status values.
        agency_filter: The agency filter; ``{}`` stands for the list of agency ids.
        due_before: The ``next_due_at`` filter, with one mark.
    """

    mark: str
    instant: Callable[[datetime], Any]
    instant_from: Callable[[Any], datetime]
    micros: Callable[[int], Any]
    agencies: Callable[[tuple[str, ...]], Any]
    agencies_from: Callable[[Any], tuple[str, ...]]
    arrays: bool
    statuses: str
    agency_filter: str
    due_before: str

    def row_params(self, row: ComplaintRow) -> tuple[Any, ...]:
        """The parameters of *row*, one per column of ``ROW_FIELDS``, in that order."""
        instant = self.instant
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
            self.agencies(row.agencies),
            instant(row.submitted_at),
            instant(row.updated_at),
            None if row.next_due_at is None else instant(row.next_due_at),
            None if row.first_forwarded_at is None else instant(row.first_forwarded_at),
            None if row.first_follow_up_at is None else instant(row.first_follow_up_at),
            None if row.closed_at is None else instant(row.closed_at),
            row.closed_automatically,
            row.archive_reason,
            row.reroutings,
            row.escalations,
            row.breaches,
            row.ombudsman_eligible,
            row.sp4n_tracking_id,
            row.regional_app_id,
            row.reporter_timeouts,
            row.warning_breaches,
        )

    def row_from(self, values: Sequence[Any]) -> ComplaintRow:
        """
        The projection row of the columns of ``ROW_FIELDS`` (as selected, in order).

        Raises:
            StorageError: A value the row cannot hold (a corrupt row).
        """
        instant = self.instant_from
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
                agencies=self.agencies_from(values[9]),
                submitted_at=instant(values[10]),
                updated_at=instant(values[11]),
                next_due_at=None if values[12] is None else instant(values[12]),
                first_forwarded_at=None if values[13] is None else instant(values[13]),
                first_follow_up_at=None if values[14] is None else instant(values[14]),
                closed_at=None if values[15] is None else instant(values[15]),
                closed_automatically=bool(values[16]),
                archive_reason=values[17],
                reroutings=values[18],
                escalations=values[19],
                breaches=values[20],
                ombudsman_eligible=bool(values[21]),
                sp4n_tracking_id=values[22],
                regional_app_id=values[23],
                reporter_timeouts=values[24],
                warning_breaches=values[25],
            )
        except (ValueError, TypeError, OverflowError) as exc:
            raise StorageError(
                N_("corrupt complaint row {row_id!r}: {reason}"), row_id=values[0], reason=str(exc)
            ) from exc

    def version_page_of(self, rows: Sequence[Sequence[Any]], limit: int) -> VersionPage:
        """
        The page of up to *limit* rows of ``VERSION_COLUMNS`` read with one more.

        Only the last row's instant is decoded, for the cursor (see :func:`page_of`).

        Raises:
            StorageError: A value the row cannot hold (a corrupt row).
        """
        try:
            items = tuple(RowVersion(ComplaintId(r[0]), r[1], r[2]) for r in rows[:limit])
            more = len(rows) > limit
            cursor = (
                encode_cursor(self.instant_from(rows[limit - 1][3]), items[-1].id) if more else None
            )
        except (ValueError, TypeError, OverflowError) as exc:
            raise StorageError(N_("corrupt complaint row: {reason}"), reason=str(exc)) from exc
        return VersionPage(items, cursor)

    def one_of(self, template: str, values: list[str]) -> tuple[str, list[Any]]:
        """*template* with ``{}`` spelt for *values*, and the parameters that go with it."""
        if self.arrays:
            return template.format(self.mark), [values]
        return template.format(", ".join([self.mark] * len(values))), list(values)

    def where(self, query: ComplaintQuery) -> tuple[list[str], list[Any]]:
        """The clauses of *query*'s filters and cursor (all to hold), and their parameters."""
        mark = self.mark
        where: list[str] = []
        params: list[Any] = []
        if query.statuses is not None:
            clause, values = self.one_of(self.statuses, sorted(s.value for s in query.statuses))
            where.append(clause)
            params.extend(values)
        if query.agencies is not None:
            clause, values = self.one_of(self.agency_filter, sorted(query.agencies))
            where.append(clause)
            params.extend(values)
        if query.region_prefix is not None:
            prefix = query.region_prefix
            where.append(f"(region = {mark} OR (region >= {mark} AND region < {mark}))")
            params.extend((prefix, prefix + ".", prefix + "/"))
        if query.category is not None:
            where.append(f"category = {mark}")
            params.append(query.category)
        if query.due_before is not None:
            where.append(self.due_before)
            params.append(self.instant(query.due_before))
        if query.submitted_from is not None:
            where.append(f"submitted_at >= {mark}")
            params.append(self.instant(query.submitted_from))
        if query.submitted_before is not None:
            where.append(f"submitted_at < {mark}")
            params.append(self.instant(query.submitted_before))
        if query.cursor is not None:
            micros, ident = decode_cursor(query.cursor)
            where.append(f"(submitted_at, id) > ({mark}, {mark})")
            params.extend((self.micros(micros), ident))
        return where, params

    def query_tail(self, query: ComplaintQuery) -> tuple[str, list[Any]]:
        """
        What follows ``SELECT <columns> FROM complaints`` for *query*, and its parameters.

        The ``WHERE`` clause, the order (``submitted_at``, then id) and a limit of one
        more row than the page holds, so that :func:`page_of` knows whether a next page
        exists.

        Raises:
            ValidationError: A cursor the store did not make.
        """
        where, params = self.where(query)
        tail = f" WHERE {' AND '.join(where)}" if where else ""
        params.append(query.limit + 1)
        return f"{tail} ORDER BY submitted_at, id LIMIT {self.mark}", params


def page_of(rows: Sequence[ComplaintRow], limit: int) -> Page:
    """The page of up to *limit* rows read with one more (see :meth:`Dialect.query_tail`)."""
    if len(rows) > limit:
        last = rows[limit - 1]
        return Page(tuple(rows[:limit]), encode_cursor(last.submitted_at, last.id))
    return Page(tuple(rows), None)


def event_rows(
    complaint_id: ComplaintId, expected_version: int, events: Sequence[Event], *extra: object
) -> list[tuple[Any, ...]]:
    """
    The rows of *events* appended on *expected_version*, in the column order of ``events``.

    Each row is (complaint id, version, type name, schema version, data as JSON text),
    followed by *extra* (the columns a backend fills itself, such as the time recorded).
    """
    encode = CODEC.encode_data
    cid = complaint_id.value
    return [
        (cid, version, type(event).__name__, event.SCHEMA_VERSION, encode(event), *extra)
        for version, event in enumerate(events, start=expected_version + 1)
    ]


def encoded_batch(
    batch: AppendBatch,
    *,
    backend: str,
    row_params: Callable[[ComplaintRow], Sequence[object]],
) -> EncodedBatch:
    """
    A checked ``(complaint_id, expected_version, events, row)`` as *backend*'s rows.

    The events' rows leave out the columns the backend fills itself (:func:`event_rows`);
    *row_params* gives the projection row in the backend's column order.
    """
    complaint_id, expected_version, events, row = batch
    return EncodedBatch(
        backend,
        complaint_id,
        expected_version,
        row.version,
        tuple(event_rows(complaint_id, expected_version, events)),
        tuple(row_params(row)),
    )


def undecodable(
    exc: StorageError,
    *,
    complaint_id: str,
    position: int | None,
    version: int | None,
    type_name: object,
    schema_version: object,
) -> UndecodableEvent:
    """
    The error of one stored event the codec refused, naming where it is.

    A schema version newer than the code knows gives :class:`NewerEventSchema`.
    """
    cls = CODEC.event_types.get(type_name) if isinstance(type_name, str) else None
    newer = (
        cls is not None and isinstance(schema_version, int) and schema_version > cls.SCHEMA_VERSION
    )
    error = NewerEventSchema if newer else UndecodableEvent
    message: StorageError = exc
    if newer and cls is not None:
        message = StorageError(
            N_(
                "written by a newer lapor_core (this one reads {type_name} up to "
                "v{current}): upgrade to a lapor_core that reads {type_name} v{version}"
            ),
            type_name=type_name,
            current=cls.SCHEMA_VERSION,
            version=schema_version,
        )
    return error(
        message,
        complaint_id=complaint_id,
        position=position,
        version=version,
        type_name=str(type_name),
        schema_version=schema_version,
    )


def events_from(
    complaint_id: ComplaintId, rows: Iterable[Sequence[Any]], *, after: int = 0
) -> tuple[Event, ...]:
    """
    One stream's events from its (version, type, schema version, data) rows in order.

    With *after*, the rows are those after that version (they start at ``after + 1``),
    returned as decoded: an event recorded without its status keeps ``None`` (see
    :func:`events_after`).

    Raises:
        CorruptStream: A version is missing (the versions must be 1, 2, 3, ...).
        UndecodableEvent: A stored event cannot be decoded (``NewerEventSchema`` when
            a newer lapor_core wrote it).
    """
    decode = CODEC.decode_parts
    cid = complaint_id.value
    events: list[Event] = []
    for expected, (version, t, v, data) in enumerate(rows, start=after + 1):
        if version != expected:
            raise CorruptStream(cid, expected, version)
        try:
            events.append(decode(t, v, data))
        except StorageError as exc:
            raise undecodable(
                exc,
                complaint_id=cid,
                position=None,
                version=version,
                type_name=t,
                schema_version=v,
            ) from None
    return with_statuses(events) if after == 0 else tuple(events)


def events_after(
    complaint_id: ComplaintId,
    version: int,
    rows: Iterable[Sequence[Any]],
    load: Callable[[ComplaintId], tuple[Event, ...]],
) -> tuple[Event, ...]:
    """
    A stream's events after *version* from their rows (see :func:`events_from`).

    An event recorded before events carried their status needs the whole stream to get
    one (:func:`~lapor_core.storage.legacy.with_statuses`): then the stream is *load*-ed
    whole and cut.
    """
    events = events_from(complaint_id, rows, after=version)
    if any(event.status is None for event in events):
        return load(complaint_id)[version:]
    return events


def latest_from(
    complaint_id: ComplaintId,
    rows: Sequence[Sequence[Any]],
    load: Callable[[ComplaintId], tuple[Event, ...]],
) -> tuple[Complaint | None, tuple[Event, ...]]:
    """
    A snapshot and the events after it, from the rows of one ``load_latest`` statement.

    The rows are ``(kind, version, type, schema version, payload, state)``, ordered by
    kind and version: first, when there is a usable snapshot, ``(0, its version, ...,
    its state)``, then ``(1, ...)`` for each event after it (every event when there is no
    snapshot). A snapshot that cannot be decoded, or that is not of this complaint at its
    version, is ignored as ``load_snapshot`` ignores it: the stream is then *load*-ed whole.
    """
    if not rows or rows[0][0] != 0:
        return None, events_from(complaint_id, [row[1:5] for row in rows])
    version, text = rows[0][1], rows[0][5]
    try:
        state = decode_state(text)
    except StorageError:
        return None, load(complaint_id)
    if state.id != complaint_id or state.version != version:
        return None, load(complaint_id)
    return state, events_after(complaint_id, version, [row[1:5] for row in rows[1:]], load)


def stored_events_from(rows: Iterable[Sequence[Any]]) -> tuple[StoredEvent, ...]:
    """
    Stored events from (position, complaint id, version, type, schema version, data) rows.

    Raises:
        UndecodableEvent: An event cannot be decoded (the first such, by position; a
            reader gets the events before it by reading up to its position).
    """
    decode = CODEC.decode_parts
    stored: list[StoredEvent] = []
    for position, cid, version, t, v, data in rows:
        try:
            event = decode(t, v, data)
        except StorageError as exc:
            raise undecodable(
                exc,
                complaint_id=cid,
                position=position,
                version=version,
                type_name=t,
                schema_version=v,
            ) from None
        stored.append(StoredEvent(position, ComplaintId(cid), version, event))
    return tuple(stored)


@contextlib.contextmanager
def translate_errors(
    what: str,
    *,
    backend: str,
    where: str,
    errors: type[Exception],
    conflicts: tuple[type[Exception], ...] = (),
) -> Iterator[None]:
    """
    Let no driver error out of the block (requirement 8 of the storage port).

    Args:
        what: The operation, an ``N_``-marked phrase translated with the message
            (``N_("appending events")``).
        backend: The database, for the message (``"PostgreSQL"``).
        where: Where it lives, for the message (the file, or the DSN without its
            password); the driver's own reason comes after the last colon.
        errors: The driver's base exception: it becomes ``StorageError``.
        conflicts: The driver's exceptions that mean another write got there first:
            they become ``ConcurrencyConflict``.
    """
    try:
        yield
    except conflicts as exc:
        raise ConcurrencyConflict(
            N_("{what}: a concurrent write got there first ({reason})"),
            what=Term(what),
            reason=str(exc),
        ) from exc
    except errors as exc:
        raise StorageError(
            N_("{backend} store {where!r}: {what} failed: {reason}"),
            backend=backend,
            what=Term(what),
            where=where,
            reason=str(exc),
        ) from exc
