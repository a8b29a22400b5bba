"""
The storage port: what every complaint store provides, whatever its backend.

Requirements (each is checked by :mod:`lapor_core.testing.store_contract`):

1. ``append`` writes a complaint's new events and its projection row in one
   transaction, only if the stream is still at ``expected_version``; otherwise it raises
   :class:`~lapor_core.errors.ConcurrencyConflict` and writes nothing.
2. Versions in a stream are 1, 2, 3, ... with no gap; global positions strictly increase
   in commit order across all streams.
3. ``load`` returns a stream's events in order (empty for an unknown complaint); ``get``
   returns the projection row or raises :class:`~lapor_core.errors.NotFound`.
4. ``query`` filters projection rows and pages through them in a stable order
   (``submitted_at``, then id) with a cursor; ``versions`` returns the same pages, with the
   same cursors, as :class:`~lapor_core.ports.projection.RowVersion` values (id, version,
   category) instead of whole rows.
5. ``read_all`` returns events in global order after a position (for subscribers).
6. An idempotency key is recorded with the append that carried it; a second append with
   the same key raises ``ConcurrencyConflict`` and writes nothing; ``idempotency`` returns
   the first result.
7. ``claim_due`` returns complaints whose ``next_due_at`` is at or before an instant and
   that no other claimant holds under an unexpired lease; a claimed complaint is not
   handed to another claimant until the lease expires or its row is rewritten.
8. Driver errors never leak: they become :class:`~lapor_core.errors.StorageError` (or
   ``ConcurrencyConflict`` / ``NotFound`` where that is what they mean).
9. A stream that cannot be read fails alone: ``load`` raises
   :class:`~lapor_core.errors.CorruptStream` (naming the missing version) for a gap and
   :class:`~lapor_core.errors.UndecodableEvent` (``NewerEventSchema`` for an event a
   newer lapor_core wrote) for an event it cannot decode; ``read_all`` raises
   ``UndecodableEvent`` with the position of the first such event it meets, so a reader
   can read the events before it.
10. ``verify`` reads every stream and reports, per complaint, each stream that cannot be
    read, has a gap, or whose projection row differs from a fresh replay.
11. Snapshots (:class:`SnapshotStore`): ``save_snapshot`` keeps a complaint's state at its
    version, replacing an older one; ``load_snapshot`` returns the newest snapshot made by
    the running code (same :func:`~lapor_core.storage.snapshots.fingerprint`) and no later
    than the stream, or ``None`` (a snapshot of other code, or an unreadable one, is
    ignored); ``load_after`` returns a stream's events after a version, checked for gaps
    from the next version on, like ``load``. A :class:`SnapshotTailStore` also answers
    both in one read (``load_latest``).
12. Encoded bulk appends (:class:`EncodedBulkStore`): ``encode_batch`` is pure (no
    connection, no clock: it may run in another process) and checks its batch as
    ``append`` does; ``append_encoded`` of the encoded batches writes what
    ``append_many`` of the same batches writes, all or nothing, with the same
    conflicts, the time recorded being the time of the append.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Protocol, TypeAlias, runtime_checkable

import attrs

from lapor_core.domain.calendar import WorkingCalendar
from lapor_core.domain.clocks import ClockDefinition, next_due
from lapor_core.domain.complaint import Complaint
from lapor_core.domain.events import Event
from lapor_core.domain.model import ComplaintId
from lapor_core.errors import CorruptStream, LaporError, NewerEventSchema, UndecodableEvent
from lapor_core.ports.projection import (
    ROW_FIELDS,
    ComplaintQuery,
    ComplaintRow,
    Page,
    RowVersion,
    VersionPage,
)

__all__ = [
    "ROW_FIELDS",
    "ComplaintQuery",
    "ComplaintRow",
    "ComplaintStore",
    "EncodedBatch",
    "EncodedBulkStore",
    "Page",
    "ProblemKind",
    "Projector",
    "RowVersion",
    "SnapshotStore",
    "SnapshotTailStore",
    "StoredEvent",
    "StreamProblem",
    "VerifyReport",
    "VersionPage",
    "project",
    "row_with_due",
]


@attrs.frozen
class StoredEvent:
    """
    An event as stored: its global position and its version in its stream.

    .. versionadded:: 0.1.0
    """

    position: int
    complaint_id: ComplaintId
    version: int
    event: Event


class ProblemKind(enum.Enum):
    """
    What :meth:`ComplaintStore.verify` found wrong with one complaint.

    .. versionadded:: 0.1.0
    """

    GAP = "gap"
    """A version is missing from the stream."""
    UNDECODABLE = "undecodable"
    """An event cannot be decoded (a damaged row, an unknown type)."""
    NEWER_VERSION = "newer_version"
    """An event was written by a newer lapor_core."""
    TRUNCATED = "truncated"
    """The stream ends before the version its projection row records."""
    PROJECTION = "projection"
    """The projection row differs from a fresh replay of the stream."""
    NO_ROW = "no_row"
    """The stream has no projection row."""
    NO_STREAM = "no_stream"
    """A projection row has no events."""


@attrs.frozen
class StreamProblem:
    """
    One problem :meth:`ComplaintStore.verify` found, with its complaint.

    Attributes:
        complaint_id: The complaint.
        kind: What is wrong.
        message: What is wrong, in words (the missing version, the differing fields).
        error: The message as an error with its template, to translate (``None``: the
            message is said as it is in every language).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 *error* and :meth:`translate`.
    """

    complaint_id: ComplaintId
    kind: ProblemKind
    message: str
    error: LaporError | None = attrs.field(default=None, eq=False, repr=False)

    @classmethod
    def of(cls, complaint_id: ComplaintId, kind: ProblemKind, error: LaporError) -> StreamProblem:
        """
        The problem whose message is *error*'s (kept, to translate).

        .. versionadded:: 0.2.0
        """
        return cls(complaint_id, kind, str(error), error)

    def translate(self, gettext: Callable[[str], str]) -> str:
        """
        ``<complaint id>: <kind>: <message>`` with the message in the language of *gettext*.

        .. versionadded:: 0.2.0
        """
        message = self.error.translate(gettext) if self.error is not None else self.message
        return f"{self.complaint_id}: {self.kind.value}: {message}"

    @classmethod
    def from_error(
        cls, complaint_id: ComplaintId, error: CorruptStream | UndecodableEvent
    ) -> StreamProblem:
        """
        The problem a failed load of *complaint_id* shows (a gap, or an unreadable event).

        .. versionadded:: 0.1.0
        """
        if isinstance(error, CorruptStream):
            kind = ProblemKind.GAP
        elif isinstance(error, NewerEventSchema):
            kind = ProblemKind.NEWER_VERSION
        else:
            kind = ProblemKind.UNDECODABLE
        return cls.of(complaint_id, kind, error)

    def __str__(self) -> str:
        """``<complaint id>: <kind>: <message>``."""
        return f"{self.complaint_id}: {self.kind.value}: {self.message}"


@attrs.frozen
class VerifyReport:
    """
    What :meth:`ComplaintStore.verify` checked and found.

    Attributes:
        streams: How many complaints were checked (streams and projection rows).
        events: How many events were decoded.
        problems: Every problem found, by complaint id.

    .. versionadded:: 0.1.0
    """

    streams: int
    events: int
    problems: tuple[StreamProblem, ...]

    @property
    def ok(self) -> bool:
        """No problem was found."""
        return not self.problems


Projector: TypeAlias = Callable[[Complaint], ComplaintRow]
"""
Builds the projection row of a complaint (e.g. :func:`project` with a calendar and clocks).

.. versionadded:: 0.1.0
"""


@runtime_checkable
class ComplaintStore(Protocol):
    """
    The storage port. See the module docstring for the numbered requirements.

    .. versionadded:: 0.1.0
    """

    def append(
        self,
        complaint_id: ComplaintId,
        expected_version: int,
        events: Sequence[Event],
        row: ComplaintRow,
        *,
        idempotency_key: str | None = None,
    ) -> tuple[StoredEvent, ...]:
        """Append events and write the projection row atomically (requirement 1)."""
        ...

    def load(self, complaint_id: ComplaintId) -> tuple[Event, ...]:
        """A stream's events in order; empty when the complaint does not exist."""
        ...

    def get(self, complaint_id: ComplaintId) -> ComplaintRow:
        """The projection row; raises ``NotFound``."""
        ...

    def query(self, query: ComplaintQuery) -> Page:
        """Filtered, stably ordered, paginated projection rows."""
        ...

    def versions(self, query: ComplaintQuery) -> VersionPage:
        """
        The page ``query`` would return, as ids, versions and categories (requirement 4).

        A store with no cheaper way may return ``VersionPage.of(self.query(query))``.

        .. versionadded:: 0.2.0
        """
        ...

    def read_all(self, after: int = 0, limit: int = 1000) -> tuple[StoredEvent, ...]:
        """Events in global order with position greater than *after*."""
        ...

    def idempotency(self, key: str) -> tuple[ComplaintId, int] | None:
        """The (complaint, version after the append) first recorded with *key*."""
        ...

    def claim_due(
        self, now: datetime, *, claimant: str, lease: timedelta, limit: int = 100
    ) -> tuple[ComplaintId, ...]:
        """Claim complaints due at *now* for one sweeper (requirement 7)."""
        ...

    def verify(self, projector: Projector | None = None) -> VerifyReport:
        """
        Read every stream and report what is wrong with each (requirement 10).

        Args:
            projector: Builds the row a replay should have; without one, every field
                but ``next_due_at`` (which needs the profile's calendar and clocks) is
                compared with :func:`project`.
        """
        ...

    def close(self) -> None:
        """Release connections; the store is unusable afterwards."""
        ...


@runtime_checkable
class SnapshotStore(Protocol):
    """
    A store that keeps snapshots of complaints' states (requirement 11).

    Every bundled backend is one; :class:`~lapor_core.service.ComplaintService` uses it
    to load a long stream from its newest snapshot and the events after it.

    .. versionadded:: 0.1.0
    """

    def save_snapshot(self, state: Complaint) -> None:
        """Keep *state* as the snapshot of its complaint at ``state.version``."""
        ...

    def load_snapshot(self, complaint_id: ComplaintId) -> Complaint | None:
        """The newest usable snapshot of *complaint_id*, or ``None``."""
        ...

    def load_after(self, complaint_id: ComplaintId, version: int) -> tuple[Event, ...]:
        """The stream's events after *version*, in order (raises as ``load`` does)."""
        ...


@runtime_checkable
class SnapshotTailStore(SnapshotStore, Protocol):
    """
    A snapshot store that reads a snapshot and the events after it in one go.

    ``load_latest(id)`` is ``load_snapshot(id)`` followed by ``load_after(id,
    snapshot.version)``, or by ``load(id)`` when there is no usable snapshot, in one read
    of the database (one statement: on PostgreSQL one round trip instead of two).
    :class:`~lapor_core.service.ComplaintService` uses it when the store has it; every
    bundled backend has.

    .. versionadded:: 0.2.0
    """

    def load_latest(self, complaint_id: ComplaintId) -> tuple[Complaint | None, tuple[Event, ...]]:
        """The newest usable snapshot and the events after it, or ``None`` and the stream."""
        ...


@attrs.frozen
class EncodedBatch:
    """
    One new complaint's events and projection row, encoded for one backend.

    Made by :meth:`EncodedBulkStore.encode_batch` and written by
    :meth:`EncodedBulkStore.append_encoded` of a store of the same backend. Its rows are
    plain values (text, numbers, instants, lists of text), so a batch is cheap to send
    between processes: a bulk import
    decides and encodes its rows in worker processes and writes them in one.

    Attributes:
        backend: The backend that encoded it (``"sqlite"``, ``"postgresql"``); another
            backend refuses it.
        complaint_id: The complaint.
        expected_version: The version the stream must be at (0 for a new complaint).
        version: The version after the append.
        event_rows: The events' rows without the time recorded, in the backend's
            column order.
        row: The projection row's parameters, in the backend's column order.

    .. versionadded:: 0.2.0
    """

    backend: str
    complaint_id: ComplaintId
    expected_version: int
    version: int
    event_rows: tuple[tuple[object, ...], ...]
    row: tuple[object, ...]


@runtime_checkable
class EncodedBulkStore(Protocol):
    """
    A store whose bulk append is split in two: encode anywhere, then write (requirement 12).

    ``append_many(batches)`` is ``append_encoded([encode_batch(*b) for b in batches])``.
    SQLite and PostgreSQL are; the in-memory store keeps objects and is not.

    .. versionadded:: 0.2.0
    """

    def encode_batch(
        self,
        complaint_id: ComplaintId,
        expected_version: int,
        events: Sequence[Event],
        row: ComplaintRow,
    ) -> EncodedBatch:
        """
        Check a batch as ``append`` does and encode it; pure (no connection, no clock).

        Raises:
            ValidationError: A malformed batch.
        """
        ...

    def append_encoded(
        self,
        batches: Sequence[EncodedBatch],
        *,
        idempotency_keys: Mapping[ComplaintId, str] | None = None,
    ) -> int:
        """
        Write encoded batches in one transaction, as ``append_many``; the events written.

        Raises:
            ConcurrencyConflict: A stream is not at its expected version, or a key was
                used before; nothing is written.
            ValidationError: A batch of another backend, a complaint twice, or
                malformed keys.
            StorageError: The database failed.
        """
        ...


def project(
    complaint: Complaint,
    calendar: WorkingCalendar,
    clocks: Mapping[str, ClockDefinition],
) -> ComplaintRow:
    """
    The projection row of *complaint* (pure: the service writes it with the events).

    .. versionadded:: 0.1.0
    """
    due = None if complaint.status.terminal else next_due(complaint, calendar, clocks)
    return row_with_due(complaint, due)


def row_with_due(complaint: Complaint, next_due_at: datetime | None) -> ComplaintRow:
    """
    The projection row of *complaint* with a given ``next_due_at`` (see :func:`project`).

    .. versionadded:: 0.1.0
    """
    return ComplaintRow(
        id=complaint.id,
        version=complaint.version,
        status=complaint.status,
        kind=complaint.kind.value,
        channel=complaint.channel.type.value,
        region=complaint.region.value if complaint.region is not None else None,
        category=complaint.category.code if complaint.category is not None else None,
        router=complaint.router,
        responsible=complaint.responsible,
        agencies=tuple(a.agency for a in complaint.assignments),
        submitted_at=complaint.submitted_at,
        updated_at=complaint.updated_at,
        next_due_at=next_due_at,
        first_forwarded_at=complaint.first_forwarded_at,
        first_follow_up_at=complaint.first_follow_up_at,
        closed_at=complaint.closed_at,
        closed_automatically=complaint.closed_automatically,
        archive_reason=complaint.archive_reason.value if complaint.archive_reason else None,
        reroutings=complaint.reroutings,
        escalations=complaint.escalations,
        breaches=complaint.breaches,
        ombudsman_eligible=complaint.ombudsman_eligible,
        sp4n_tracking_id=str(complaint.external_ids.sp4n_tracking_id)
        if complaint.external_ids.sp4n_tracking_id
        else None,
        regional_app_id=complaint.external_ids.regional_app_id,
        reporter_timeouts=complaint.reporter_timeouts,
        warning_breaches=complaint.warning_breaches,
    )
