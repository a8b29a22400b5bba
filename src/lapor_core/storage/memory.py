"""
The in-memory backend: a real store, thread-safe, with the semantics of the others.

It keeps events and rows as the frozen objects it was given (nothing mutable is shared)
and guards every operation with one :class:`threading.Lock`. Data lives as long as the
object; use it for tests, demos and short simulations.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from lapor_core.domain.complaint import Complaint
from lapor_core.domain.events import Event
from lapor_core.domain.model import ComplaintId
from lapor_core.errors import N_, ConcurrencyConflict, NotFound, StorageError
from lapor_core.ports.reporting import (
    AgencyIndicators,
    MusrenbangRow,
    check_window,
    compute_indicators,
    compute_musrenbang,
    region_length,
)
from lapor_core.storage.base import (
    ComplaintQuery,
    ComplaintRow,
    Page,
    Projector,
    StoredEvent,
    VerifyReport,
    VersionPage,
)
from lapor_core.storage.snapshots import check_snapshot, fingerprint
from lapor_core.storage.support import (
    AppendBatch,
    check_append,
    check_batches,
    check_claim,
    check_id,
    check_idempotency_keys,
    check_query_window,
    decode_cursor,
    encode_cursor,
    row_matches,
    to_micros,
    verify_streams,
    version_conflict,
)

__all__ = ["InMemoryStore"]


def _order_key(row: ComplaintRow) -> tuple[int, str]:
    return (to_micros(row.submitted_at), row.id.value)


class InMemoryStore:
    """
    A complaint store in memory (see :mod:`lapor_core.storage.base` for the contract).

    .. versionadded:: 0.1.0
    """

    def __init__(self) -> None:
        """Create an empty store."""
        self._lock = threading.Lock()
        self._closed = False
        self._streams: dict[ComplaintId, list[Event]] = {}
        self._log: list[StoredEvent] = []
        self._rows: dict[ComplaintId, ComplaintRow] = {}
        self._order: list[tuple[int, str]] = []
        self._by_key: dict[tuple[int, str], ComplaintId] = {}
        self._idempotency: dict[str, tuple[ComplaintId, int]] = {}
        self._claims: dict[ComplaintId, tuple[str, datetime]] = {}
        self._snapshots: dict[ComplaintId, tuple[str, Complaint]] = {}

    def __repr__(self) -> str:
        """Show the size of the store."""
        return f"InMemoryStore(complaints={len(self._rows)}, events={len(self._log)})"

    def _check_open(self) -> None:
        if self._closed:
            raise StorageError(N_("the in-memory store is closed"))

    # ----------------------------------------------------------------------- writes

    def _conflict(self, complaint_id: ComplaintId, expected_version: int) -> None:
        current = len(self._streams.get(complaint_id, ()))
        if current != expected_version:
            raise version_conflict(complaint_id, current, expected_version)

    def _write(
        self, complaint_id: ComplaintId, events: Sequence[Event], row: ComplaintRow
    ) -> tuple[StoredEvent, ...]:
        stream = self._streams.setdefault(complaint_id, [])
        stored = []
        for event in events:
            stream.append(event)
            record = StoredEvent(len(self._log) + 1, complaint_id, len(stream), event)
            self._log.append(record)
            stored.append(record)
        old = self._rows.get(complaint_id)
        if old is not None:
            old_key = _order_key(old)
            del self._order[bisect.bisect_left(self._order, old_key)]
            del self._by_key[old_key]
        key = _order_key(row)
        bisect.insort(self._order, key)
        self._by_key[key] = complaint_id
        self._rows[complaint_id] = row
        self._claims.pop(complaint_id, None)
        return tuple(stored)

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
        Append events and write the projection row atomically.

        Raises:
            ConcurrencyConflict: The stream is not at *expected_version*, or the
                idempotency key was used before. Nothing is written.
            ValidationError: Malformed arguments (see :func:`~.codec.check_append`).
            StorageError: The store is closed.
        """
        check_append(complaint_id, expected_version, events, row, idempotency_key)
        with self._lock:
            self._check_open()
            self._conflict(complaint_id, expected_version)
            if idempotency_key is not None and idempotency_key in self._idempotency:
                raise ConcurrencyConflict(
                    N_("idempotency key {key!r} was already used"), key=idempotency_key
                )
            stored = self._write(complaint_id, events, row)
            if idempotency_key is not None:
                self._idempotency[idempotency_key] = (complaint_id, row.version)
            return stored

    def append_many(
        self,
        batches: Iterable[AppendBatch],
        *,
        idempotency_keys: Mapping[ComplaintId, str] | None = None,
    ) -> int:
        """
        Append many complaints' events and rows in one atomic step (bulk import).

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

        .. versionchanged:: 0.2.0 *idempotency_keys*.
        """
        checked = check_batches(batches)
        keys = check_idempotency_keys(checked, idempotency_keys)
        with self._lock:
            self._check_open()
            for complaint_id, expected_version, _events, _row in checked:
                self._conflict(complaint_id, expected_version)
            for key in keys.values():
                if key in self._idempotency:
                    raise ConcurrencyConflict(
                        N_("idempotency key {key!r} was already used"), key=key
                    )
            count = 0
            for cid, _v, evs, row in checked:
                count += len(self._write(cid, evs, row))
                if cid in keys:
                    self._idempotency[keys[cid]] = (cid, row.version)
            return count

    # ----------------------------------------------------------------------- reads

    def load(self, complaint_id: ComplaintId) -> tuple[Event, ...]:
        """A stream's events in order; empty when the complaint does not exist."""
        check_id(complaint_id)
        with self._lock:
            self._check_open()
            return tuple(self._streams.get(complaint_id, ()))

    def load_after(self, complaint_id: ComplaintId, version: int) -> tuple[Event, ...]:
        """
        A stream's events after *version*, in order.

        Raises:
            ValidationError: A version out of range.
        """
        check_id(complaint_id)
        check_query_window(version, 1)
        with self._lock:
            self._check_open()
            return tuple(self._streams.get(complaint_id, ())[version:])

    def save_snapshot(self, state: Complaint) -> None:
        """Keep *state* as its complaint's snapshot (an older one is replaced)."""
        check_snapshot(state)
        mark = fingerprint()
        with self._lock:
            self._check_open()
            old = self._snapshots.get(state.id)
            if old is None or old[0] != mark or old[1].version <= state.version:
                self._snapshots[state.id] = (mark, state)

    def load_snapshot(self, complaint_id: ComplaintId) -> Complaint | None:
        """The complaint's snapshot made by this code and within its stream, or ``None``."""
        with self._lock:
            self._check_open()
            return self._usable_snapshot(complaint_id)

    def _usable_snapshot(self, complaint_id: ComplaintId) -> Complaint | None:
        """The snapshot :meth:`load_snapshot` returns (the caller holds the lock)."""
        found = self._snapshots.get(complaint_id)
        if found is None or found[0] != fingerprint():
            return None
        if found[1].version > len(self._streams.get(complaint_id, ())):
            return None
        return found[1]

    def load_latest(self, complaint_id: ComplaintId) -> tuple[Complaint | None, tuple[Event, ...]]:
        """The newest usable snapshot and the events after it, or ``None`` and the stream."""
        check_id(complaint_id)
        with self._lock:  # one read, as the SQL stores make it: nothing is written between
            self._check_open()
            state = self._usable_snapshot(complaint_id)
            stream = tuple(self._streams.get(complaint_id, ()))
            return (None, stream) if state is None else (state, stream[state.version :])

    def get(self, complaint_id: ComplaintId) -> ComplaintRow:
        """
        The projection row.

        Raises:
            NotFound: No such complaint.
        """
        check_id(complaint_id)
        with self._lock:
            self._check_open()
            row = self._rows.get(complaint_id)
        if row is None:
            raise NotFound(N_("complaint {complaint_id} does not exist"), complaint_id=complaint_id)
        return row

    def query(self, query: ComplaintQuery) -> Page:
        """Filtered projection rows ordered by ``submitted_at`` then id, one page."""
        start = 0
        with self._lock:
            self._check_open()
            if query.cursor is not None:
                start = bisect.bisect_right(self._order, decode_cursor(query.cursor))
            items: list[ComplaintRow] = []
            more = False
            for key in self._order[start:]:
                row = self._rows[self._by_key[key]]
                if row_matches(row, query):
                    if len(items) == query.limit:
                        more = True
                        break
                    items.append(row)
        cursor = encode_cursor(items[-1].submitted_at, items[-1].id) if more else None
        return Page(tuple(items), cursor)

    def versions(self, query: ComplaintQuery) -> VersionPage:
        """The page :meth:`query` would return, as ids, versions and categories."""
        return VersionPage.of(self.query(query))

    def read_all(self, after: int = 0, limit: int = 1000) -> tuple[StoredEvent, ...]:
        """Events in global order with position greater than *after*."""
        check_query_window(after, limit)
        with self._lock:
            self._check_open()
            return tuple(self._log[after : after + limit])

    def idempotency(self, key: str) -> tuple[ComplaintId, int] | None:
        """The (complaint, version after the append) first recorded with *key*."""
        with self._lock:
            self._check_open()
            return self._idempotency.get(key)

    def claim_due(
        self, now: datetime, *, claimant: str, lease: timedelta, limit: int = 100
    ) -> tuple[ComplaintId, ...]:
        """Claim complaints due at *now* for *claimant* for *lease* (earliest first)."""
        check_claim(now, claimant, lease, limit)
        with self._lock:
            self._check_open()
            due = []
            for row in self._rows.values():
                if row.next_due_at is None or row.next_due_at > now:
                    continue
                claim = self._claims.get(row.id)
                if claim is not None and claim[0] != claimant and claim[1] > now:
                    continue
                due.append((to_micros(row.next_due_at), row.id.value, row.id))
            due.sort()
            chosen = tuple(cid for _m, _v, cid in due[:limit])
            for cid in chosen:
                self._claims[cid] = (claimant, now + lease)
            return chosen

    def _ids(self) -> list[ComplaintId]:
        with self._lock:
            self._check_open()
            return sorted({*self._streams, *self._rows}, key=lambda cid: cid.value)

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
        return verify_streams(self._ids(), self.load, self.get, projector)

    def close(self) -> None:
        """Drop the data; the store is unusable afterwards (closing twice is harmless)."""
        with self._lock:
            self._closed = True
            self._streams.clear()
            self._log.clear()
            self._rows.clear()
            self._order.clear()
            self._by_key.clear()
            self._idempotency.clear()
            self._claims.clear()
            self._snapshots.clear()

    # ----------------------------------------------------------------------- reports

    def _window_rows(self, since: datetime, until: datetime) -> list[ComplaintRow]:
        check_window(since, until)
        with self._lock:
            self._check_open()
            low = bisect.bisect_left(self._order, (to_micros(since), ""))
            high = bisect.bisect_left(self._order, (to_micros(until), ""))
            return [self._rows[self._by_key[key]] for key in self._order[low:high]]

    def indicators(self, since: datetime, until: datetime) -> tuple[AgencyIndicators, ...]:
        """
        The indicators per responsible agency for complaints submitted in [*since*, *until*).

        Computed by :func:`~lapor_core.ports.reporting.compute_indicators` over the rows
        in the window (read under the lock, so a consistent snapshot).

        Raises:
            ValidationError: A naive bound.
            StorageError: The store is closed.

        .. versionadded:: 0.1.0
        """
        return compute_indicators(self._window_rows(since, until))

    def musrenbang(self, since: datetime, until: datetime, level: int) -> tuple[MusrenbangRow, ...]:
        """
        Complaints by region (cut to *level*, 1-4) and category, submitted in the window.

        Computed by :func:`~lapor_core.ports.reporting.compute_musrenbang`.

        Raises:
            ValidationError: A naive bound or a level other than 1-4.
            StorageError: The store is closed.

        .. versionadded:: 0.1.0
        """
        region_length(level)
        return compute_musrenbang(self._window_rows(since, until), level)
