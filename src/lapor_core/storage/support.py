"""
What every storage backend shares besides the codec: instants, cursors, argument checks.

Epoch microseconds (:func:`to_micros`, :func:`from_micros`; SQLite keeps datetimes as
such), the opaque query cursor (:func:`encode_cursor`, :func:`decode_cursor`), and the
checks each backend runs on its arguments before it writes or reads anything
(:func:`check_append`, :func:`check_batches`, :func:`check_encoded`,
:func:`check_query_window`,
:func:`check_claim`), so that every backend refuses the same calls with the same
:class:`~lapor_core.errors.ValidationError`; and, for a backend that filters and verifies
in Python rather than in a query language, what a :class:`~lapor_core.storage.base.ComplaintQuery`
matches (:func:`row_matches`) and the whole of ``verify`` once the ids are listed
(:func:`verify_streams`).

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TypeAlias

from lapor_core.domain.events import Event
from lapor_core.domain.model import ComplaintId
from lapor_core.errors import N_, ConcurrencyConflict, ValidationError
from lapor_core.storage._verify import verify_streams
from lapor_core.storage.base import ComplaintQuery, ComplaintRow, EncodedBatch

__all__ = [
    "MAX_CLAIM",
    "MAX_POSITION",
    "READ_ALL_MAX_LIMIT",
    "AppendBatch",
    "check_append",
    "check_batch_size",
    "check_batches",
    "check_claim",
    "check_encoded",
    "check_id",
    "check_idempotency_keys",
    "check_query_window",
    "decode_cursor",
    "encode_cursor",
    "from_micros",
    "row_matches",
    "to_micros",
    "verify_streams",
    "version_conflict",
]

AppendBatch: TypeAlias = tuple[ComplaintId, int, Sequence[Event], ComplaintRow]
"""
One complaint's share of a bulk append: ``(complaint_id, expected_version, events, row)``.

.. versionadded:: 0.1.0
"""

READ_ALL_MAX_LIMIT = 10_000
"""
The most events one ``read_all`` (and one batch of a subscription) may ask for.

A larger *limit* is refused with :class:`~lapor_core.errors.ValidationError`, so that no
reader makes a store decode an unbounded number of events at once.

.. versionadded:: 0.1.0
"""

MAX_POSITION = 2**63 - 1
"""
The largest global position a store can hold (a signed 64-bit integer, as in SQLite and
PostgreSQL); ``read_all(after=...)`` beyond it is refused with ``ValidationError``.

.. versionadded:: 0.1.0
"""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def to_micros(value: datetime) -> int:
    """
    Microseconds since the Unix epoch of an aware datetime (exact).

    Raises:
        ValidationError: *value* is naive.

    .. versionadded:: 0.1.0
    """
    try:
        return (value - _EPOCH) // _MICRO
    except TypeError:
        # a naive datetime cannot be subtracted from an aware one; nor can a non-datetime
        raise ValidationError(
            N_("expected an aware datetime, got {value!r}"), value=value
        ) from None


def from_micros(micros: int) -> datetime:
    """
    The UTC datetime of microseconds since the Unix epoch.

    .. versionadded:: 0.1.0
    """
    return _EPOCH + timedelta(microseconds=micros)


def encode_cursor(submitted_at: datetime, complaint_id: ComplaintId) -> str:
    """
    The opaque query cursor after the row (*submitted_at*, *complaint_id*).

    .. versionadded:: 0.1.0
    """
    raw = f"{to_micros(submitted_at)}|{complaint_id.value}".encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, str]:
    """
    The ``(submitted_at micros, id)`` of a cursor made by :func:`encode_cursor`.

    Raises:
        ValidationError: Not such a cursor.

    .. versionadded:: 0.1.0
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        micros, sep, ident = (
            base64.urlsafe_b64decode(padded.encode("ascii")).decode().partition("|")
        )
        parsed = int(micros)
    except (ValueError, UnicodeError, binascii.Error, AttributeError, TypeError):
        micros, parsed, sep, ident = "", 0, "", ""
    # A cursor this module made holds the canonical digits of an instant datetime can
    # hold: anything else (``1_000``, ``+5``, 10**30, which no backend can bind) is forged.
    lowest = to_micros(datetime.min.replace(tzinfo=UTC))
    highest = to_micros(datetime.max.replace(tzinfo=UTC))
    canonical = str(parsed) == micros and lowest <= parsed <= highest
    if not sep or not ident or not canonical:
        raise ValidationError(N_("invalid query cursor {cursor!r}"), cursor=cursor)
    return parsed, ident


def row_matches(row: ComplaintRow, query: ComplaintQuery) -> bool:  # noqa: PLR0911 - one exit per filter
    """
    Whether *row* passes every filter of *query* (its cursor and limit aside).

    This is the meaning every backend gives a query, written once: ``statuses`` holds the
    row's status; ``agencies`` meets the row's agencies or its router (the agency that
    forwarded it); ``region_prefix`` is the row's region or one of its ancestors, by whole
    dotted segments (``"64.03"`` matches ``"64.03"`` and ``"64.03.01"``, not ``"64.031"``);
    ``category`` is equal; ``due_before`` is inclusive and leaves out rows with no running
    clock; ``submitted_from`` is inclusive and ``submitted_before`` exclusive. Instants
    compare as instants, whatever their offsets.

    .. versionadded:: 0.1.0
    """
    if query.statuses is not None and row.status not in query.statuses:
        return False
    if query.agencies is not None and query.agencies.isdisjoint((*row.agencies, row.router)):
        return False
    if query.region_prefix is not None:
        prefix = query.region_prefix
        if row.region is None or not (row.region == prefix or row.region.startswith(prefix + ".")):
            return False
    if query.category is not None and row.category != query.category:
        return False
    if query.due_before is not None and (
        row.next_due_at is None or row.next_due_at > query.due_before
    ):
        return False
    if query.submitted_from is not None and row.submitted_at < query.submitted_from:
        return False
    return not (query.submitted_before is not None and row.submitted_at >= query.submitted_before)


def _abbrev(value: object, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _check_events(complaint_id: ComplaintId, events: Sequence[Event]) -> None:
    if not events:
        raise ValidationError(
            N_("an append to {complaint_id} needs at least one event"), complaint_id=complaint_id
        )
    for event in events:
        if not isinstance(event, Event):
            raise ValidationError(N_("not an event: {event!r}"), event=event)
        if event.complaint_id != complaint_id:
            raise ValidationError(
                N_("event {type_name} is for complaint {event_complaint}, not {complaint_id}"),
                type_name=type(event).__name__,
                event_complaint=event.complaint_id,
                complaint_id=complaint_id,
            )


def version_conflict(
    complaint_id: ComplaintId, current: int, expected_version: int
) -> ConcurrencyConflict:
    """
    The error of an append to a stream at *current* that expected *expected_version*.

    .. versionadded:: 0.2.0
    """
    return ConcurrencyConflict(
        N_("complaint {complaint_id} is at version {current}, not {expected_version}"),
        complaint_id=complaint_id,
        current=current,
        expected_version=expected_version,
    )


def check_id(complaint_id: object) -> None:
    """
    Refuse a complaint id that is not a :class:`ComplaintId` (plain text, say).

    Every store's reads and writes check it first, so a wrong id is the same
    ``ValidationError`` on every backend.

    Raises:
        ValidationError: Not a :class:`ComplaintId`.

    .. versionadded:: 0.2.0
    """
    if not isinstance(complaint_id, ComplaintId):
        raise ValidationError(
            N_("complaint_id must be a ComplaintId, got {value!r}"), value=complaint_id
        )


def check_append(
    complaint_id: ComplaintId,
    expected_version: int,
    events: Sequence[Event],
    row: ComplaintRow,
    idempotency_key: str | None = None,
) -> None:
    """
    Check an append's arguments before anything is written (same for every backend).

    Raises:
        ValidationError: No events, an event of another complaint, a row of another
            complaint or whose version is not ``expected_version + len(events)``, a
            negative expected version, or an empty idempotency key.

    .. versionadded:: 0.1.0
    """
    check_id(complaint_id)
    if (
        not isinstance(expected_version, int)
        or isinstance(expected_version, bool)
        or expected_version < 0
    ):
        raise ValidationError(
            N_("expected_version must be an int >= 0, got {value!r}"), value=expected_version
        )
    _check_events(complaint_id, events)
    if not isinstance(row, ComplaintRow):
        raise ValidationError(N_("row must be a ComplaintRow, got {got}"), got=type(row).__name__)
    if row.id != complaint_id:
        raise ValidationError(
            N_("the row is for complaint {row_id}, not {complaint_id}"),
            row_id=row.id,
            complaint_id=complaint_id,
        )
    if row.version != expected_version + len(events):
        raise ValidationError(
            N_(
                "the row of {complaint_id} has version {version}; after {count} "
                "event(s) on version {expected_version} it must be {wanted}"
            ),
            complaint_id=complaint_id,
            version=row.version,
            count=len(events),
            expected_version=expected_version,
            wanted=expected_version + len(events),
        )
    if idempotency_key is not None and (
        not isinstance(idempotency_key, str) or not idempotency_key
    ):
        raise ValidationError(
            N_("an idempotency key must be a non-empty string, got {key!r}"),
            key=idempotency_key,
        )


def check_batches(batches: Iterable[AppendBatch]) -> list[AppendBatch]:
    """
    Check the batches of a bulk append; one complaint may appear only once.

    Raises:
        ValidationError: As :func:`check_append`, or a complaint repeated.

    .. versionadded:: 0.1.0
    """
    checked = list(batches)
    seen: set[ComplaintId] = set()
    for batch in checked:
        if not isinstance(batch, tuple) or len(batch) != 4:
            raise ValidationError(
                N_("a batch is (complaint_id, expected_version, events, row), got {batch}"),
                batch=_abbrev(batch),
            )
        complaint_id, expected_version, events, row = batch
        check_append(complaint_id, expected_version, events, row)
        if complaint_id in seen:
            raise ValidationError(
                N_("complaint {complaint_id} appears twice in one bulk append"),
                complaint_id=complaint_id,
            )
        seen.add(complaint_id)
    return checked


def check_encoded(batches: Iterable[EncodedBatch], backend: str) -> list[EncodedBatch]:
    """
    Check the batches of an encoded bulk append: of *backend*, one complaint only once.

    The batches' contents were checked when they were encoded
    (:meth:`~lapor_core.storage.base.EncodedBulkStore.encode_batch`).

    Raises:
        ValidationError: Not an :class:`~lapor_core.storage.base.EncodedBatch`, one
            encoded for another backend, or a complaint repeated.

    .. versionadded:: 0.2.0
    """
    checked = list(batches)
    seen: set[ComplaintId] = set()
    for batch in checked:
        if not isinstance(batch, EncodedBatch):
            raise ValidationError(
                N_("an encoded batch is an EncodedBatch, got {batch}"), batch=_abbrev(batch)
            )
        if batch.backend != backend:
            raise ValidationError(
                N_("a batch encoded for {encoded} cannot be written to {backend}"),
                encoded=batch.backend,
                backend=backend,
            )
        if batch.complaint_id in seen:
            raise ValidationError(
                N_("complaint {complaint_id} appears twice in one bulk append"),
                complaint_id=batch.complaint_id,
            )
        seen.add(batch.complaint_id)
    return checked


def check_idempotency_keys(
    batches: Sequence[AppendBatch] | Sequence[EncodedBatch],
    keys: Mapping[ComplaintId, str] | None,
) -> dict[ComplaintId, str]:
    """
    Check the idempotency keys of a bulk append: complaint id -> its key.

    Each key is a non-empty string for a complaint of the batches, and no key is given
    for two complaints.

    Raises:
        ValidationError: A malformed key, a key for a complaint not in the batches, or
            one key for two complaints.

    .. versionadded:: 0.2.0
    """
    if keys is None:
        return {}
    ids = {b.complaint_id if isinstance(b, EncodedBatch) else b[0] for b in batches}
    checked: dict[ComplaintId, str] = {}
    seen: set[str] = set()
    for complaint_id, key in keys.items():
        if complaint_id not in ids:
            raise ValidationError(
                N_("an idempotency key is given for {complaint_id}, which is not in the batches"),
                complaint_id=complaint_id,
            )
        if not isinstance(key, str) or not key:
            raise ValidationError(
                N_("an idempotency key must be a non-empty string, got {key!r}"), key=key
            )
        if key in seen:
            raise ValidationError(
                N_("idempotency key {key!r} is given for two complaints"), key=key
            )
        seen.add(key)
        checked[complaint_id] = key
    return checked


def check_query_window(after: int, limit: int) -> None:
    """
    Check the arguments of ``read_all``.

    Raises:
        ValidationError: A position below 0 or above :data:`MAX_POSITION`, or a limit
            below 1 or above :data:`READ_ALL_MAX_LIMIT`.

    .. versionadded:: 0.1.0
    """
    if not isinstance(after, int) or isinstance(after, bool) or not 0 <= after <= MAX_POSITION:
        raise ValidationError(
            N_("after must be a position from 0 to {highest}, got {value}"),
            highest=MAX_POSITION,
            value=_abbrev(after),
        )
    check_batch_size(limit, "limit")


def check_batch_size(limit: int, name: str = "batch") -> None:
    """
    Check a number of events to read at once (``read_all``'s *limit*, a subscription's batch).

    Raises:
        ValidationError: Not an int from 1 to :data:`READ_ALL_MAX_LIMIT`.

    .. versionadded:: 0.1.0
    """
    if (
        not isinstance(limit, int)
        or isinstance(limit, bool)
        or not 1 <= limit <= READ_ALL_MAX_LIMIT
    ):
        raise ValidationError(
            N_("{name} must be an int from 1 to {highest}, got {value}"),
            name=name,
            highest=READ_ALL_MAX_LIMIT,
            value=_abbrev(limit),
        )


MAX_CLAIM = 1_000_000
"""
The most complaints one ``claim_due`` may claim (a database's integers hold no more than
64 bits; a sweep claims a batch at a time).

.. versionadded:: 0.2.0
"""


def check_claim(now: datetime, claimant: str, lease: timedelta, limit: int) -> None:
    """
    Check the arguments of ``claim_due``.

    Raises:
        ValidationError: A naive instant, an empty claimant, a lease that is not
            positive or ends past the last representable instant, or a limit below 1
            or above :data:`MAX_CLAIM`.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 the lease's end and the limit's top are checked.
    """
    to_micros(now)
    if not isinstance(claimant, str) or not claimant:
        raise ValidationError(
            N_("claimant must be a non-empty string, got {value!r}"), value=claimant
        )
    if not isinstance(lease, timedelta) or lease <= timedelta(0):
        raise ValidationError(N_("lease must be a positive timedelta, got {value!r}"), value=lease)
    try:
        to_micros(now + lease)
    except OverflowError:
        raise ValidationError(
            N_("lease {value!r} from {now} ends past the last representable instant"),
            value=lease,
            now=now.isoformat(),
        ) from None
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_CLAIM:
        raise ValidationError(
            N_("limit must be an int from 1 to {top}, got {value!r}"), value=limit, top=MAX_CLAIM
        )
