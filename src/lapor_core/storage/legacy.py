"""
Streams recorded before events carried the status they lead to.

Since the lifecycle table became the single source of truth, every event records the
status the complaint is in after it (:attr:`~lapor_core.domain.events.Event.status`,
stamped by ``decide``). Events stored before then have no ``status`` in their payload
and decode with ``None``. :func:`with_statuses` gives such a stream its statuses, by the
rules the lifecycle had when those events were written (the national table of 0.1.0:
they are history, and history does not follow later tables). The SQL stores apply it
to every stream they load; a stream whose events all carry a status comes back
unchanged.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from lapor_core.domain import events as e
from lapor_core.domain.model import Status

__all__ = ["with_statuses"]

_FIXED: dict[type[e.Event], Status] = {
    e.ComplaintSubmitted: Status.SUBMITTED,
    e.InformationRequested: Status.ON_HOLD,
    e.FollowUpPosted: Status.IN_PROGRESS,
    e.ComplaintClosed: Status.COMPLETED,
    e.ComplaintArchived: Status.ARCHIVED,
    e.ComplaintReopened: Status.IN_PROGRESS,
}
"""Event types that always led to the same status."""


def _recorded_status(event: e.Event, status: Status, held_from: Status | None) -> Status:
    """The status an event without one led to, given the status before it."""
    fixed = _FIXED.get(type(event))
    if fixed is not None:
        return fixed
    if isinstance(event, e.InformationProvided):
        return held_from or Status.SUBMITTED
    if isinstance(event, e.ComplaintForwarded) and status is Status.SUBMITTED:
        return Status.FORWARDED
    if isinstance(event, e.DispositionRejected) and event.returned_to is not None:
        return Status.SUBMITTED
    return status


def with_statuses(events: Iterable[e.Event]) -> tuple[e.Event, ...]:
    """
    One complaint's stream, in order, with the status of each event filled in.

    An event that records its status keeps it; one without gets the status it led to
    when it was recorded.

    .. versionadded:: 0.1.0
    """
    out: list[e.Event] = []
    status = Status.SUBMITTED
    held_from: Status | None = None
    for event in events:
        if event.status is None:
            event = attrs.evolve(event, status=_recorded_status(event, status, held_from))  # noqa: PLW2901 - the filled-in copy replaces it
        after = event.status or status
        if after is Status.ON_HOLD and status is not Status.ON_HOLD:
            held_from = status
        elif after is not Status.ON_HOLD:
            held_from = None
        status = after
        out.append(event)
    return tuple(out)
