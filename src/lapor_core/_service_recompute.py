"""
Moving provisional deadlines to newer calendar data: :meth:`ComplaintService.recompute`.

Deadlines are counted from the clocks on the calendar in force, never stored; what a
store keeps is each complaint's next due instant (the sweep's index) and, in its events,
the deadlines warnings and breaches were recorded against. When a newer ``holidays``
package confirms a year that was counted with estimates (its *cuti bersama*, the real
date of an Islamic holiday), the deadlines of that year move: a recompute records each
complaint's moves as one ordinary event (``DeadlinesRecomputed``), which also rewrites
its projection row, and marks the complaint as recomputed with that data, so a second
run moves nothing. Every name here is re-exported by :mod:`lapor_core.service`.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Protocol

import attrs

from lapor_core.domain.actors import Actor
from lapor_core.domain.calendar import WorkingCalendar
from lapor_core.domain.clocks import DeadlineChange, recompute
from lapor_core.domain.commands import Command, RecomputeDeadlines
from lapor_core.domain.events import DeadlinesRecomputed, Event
from lapor_core.domain.model import ComplaintId, Status
from lapor_core.domain.state import Complaint
from lapor_core.errors import (
    N_,
    CorruptStream,
    InvalidTransition,
    UndecodableEvent,
    ValidationError,
)
from lapor_core.ports.projection import ComplaintQuery, Page


class _Store(Protocol):
    def query(self, query: ComplaintQuery) -> Page: ...


class _Handled(Protocol):
    @property
    def events(self) -> Sequence[Event]: ...


class _Service(Protocol):
    """What a recompute uses of :class:`~lapor_core.service.ComplaintService`."""

    @property
    def calendar(self) -> WorkingCalendar: ...

    @property
    def store(self) -> _Store: ...

    def get(self, complaint_id: ComplaintId) -> Complaint: ...

    def handle(
        self, command: Command, actor: Actor, *, now: datetime | None = None
    ) -> _Handled: ...


__all__ = ["RecomputeReport", "recompute_deadlines"]

_OPEN = frozenset({Status.SUBMITTED, Status.ON_HOLD, Status.FORWARDED, Status.IN_PROGRESS})
_PAGE = 500


@attrs.frozen
class RecomputeReport:
    """
    What one :meth:`ComplaintService.recompute` did.

    Attributes:
        previous_until: The last confirmed year the deadlines were counted with before.
        confirmed_until: The last confirmed year of the calendar they follow now.
        examined: Open complaints looked at.
        moved: Each complaint whose deadlines moved, with the moves.
        already: Complaints recomputed with this data before (left alone).
        unreadable: Complaints whose stream could not be read (left alone).

    .. versionadded:: 0.2.0
    """

    previous_until: int
    confirmed_until: int
    examined: int
    moved: tuple[tuple[ComplaintId, tuple[DeadlineChange, ...]], ...]
    already: int = 0
    unreadable: tuple[ComplaintId, ...] = ()


def _open_ids(service: _Service) -> Iterator[ComplaintId]:
    query: ComplaintQuery | None = ComplaintQuery(statuses=_OPEN, limit=_PAGE)
    while query is not None:
        page = service.store.query(query)
        yield from (row.id for row in page.items)
        query = attrs.evolve(query, cursor=page.next_cursor) if page.next_cursor else None


def recompute_deadlines(
    service: _Service,
    previous_until: int,
    *,
    now: datetime | None = None,
    claimant: str = "recompute",
) -> RecomputeReport:
    """Record, once per complaint, how the service's calendar moves the open deadlines."""
    calendar = service.calendar
    if isinstance(previous_until, bool) or not isinstance(previous_until, int):
        raise ValidationError(
            N_("previous_until must be a year (int), got {previous_until!r}"),
            previous_until=previous_until,
        )
    if previous_until >= calendar.confirmed_until:
        raise ValidationError(
            N_(
                "the installed calendar data is confirmed up to {confirmed_until}; "
                "deadlines counted with the data up to {previous_until} cannot move"
            ),
            confirmed_until=calendar.confirmed_until,
            previous_until=previous_until,
        )
    before = calendar.replace(confirmed_until=previous_until)
    system = Actor.system(claimant)
    examined = already = 0
    moved: list[tuple[ComplaintId, tuple[DeadlineChange, ...]]] = []
    unreadable: list[ComplaintId] = []
    for complaint_id in _open_ids(service):
        examined += 1
        try:
            state = service.get(complaint_id)
        except (CorruptStream, UndecodableEvent):
            unreadable.append(complaint_id)
            continue
        done = state.record.deadlines_confirmed_until
        if done is not None and done >= calendar.confirmed_until:
            already += 1
            continue
        changes = recompute(state, before, calendar)
        if not changes:
            continue
        command = RecomputeDeadlines(complaint_id=complaint_id, previous_until=previous_until)
        try:
            result = service.handle(command, system, now=now)
        except InvalidTransition:  # another recompute got there first, or it closed meanwhile
            already += 1
            continue
        recorded = [e for e in result.events if isinstance(e, DeadlinesRecomputed)]
        moved.append((complaint_id, recorded[0].changes if recorded else changes))
    return RecomputeReport(
        previous_until=previous_until,
        confirmed_until=calendar.confirmed_until,
        examined=examined,
        moved=tuple(moved),
        already=already,
        unreadable=tuple(unreadable),
    )
