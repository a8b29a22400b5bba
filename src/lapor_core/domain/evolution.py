"""
``evolve`` and ``replay``: the state a complaint's events add up to.

One small function per event type says what the event changes; :func:`evolve` then
does what every event does: the version goes up, the time moves on, the status becomes
the one the event records (the lifecycle table's decision, stamped by ``decide``) and
the event's clock changes are applied. ``evolve`` never consults the table: history
replays the same whatever the table says today.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import attrs

from lapor_core.domain import events as e
from lapor_core.domain.clocks import BreachAction, RunningClock, apply_changes
from lapor_core.domain.model import Status
from lapor_core.domain.state import Complaint, ComplaintInfo, Message
from lapor_core.errors import N_, ValidationError

__all__ = ["evolve", "replay"]


def _message(kind: str, event: e.Event, text: str, agency: str | None = None) -> Message:
    return Message(kind=kind, at=event.at, actor=event.actor, text=text, agency=agency)


def _started(event: e.ComplaintSubmitted) -> Complaint:
    info = ComplaintInfo(
        kind=event.kind,
        privacy=event.privacy,
        channel=event.channel,
        content=event.content,
        reporter=event.reporter,
        region=event.region,
        category=event.category,
        external_ids=event.external_ids,
        submitted_at=event.at,
        subject_agency=event.subject_agency,
        misconduct=event.misconduct,
    )
    return Complaint(
        id=event.complaint_id,
        version=1,
        status=event.status or Status.SUBMITTED,
        updated_at=event.at,
        info=info,
        router=event.router,
        clocks=apply_changes((), event.clock_changes, event.at),
    )


# --------------------------------------------------------------------------- one per event

Changes = dict[str, Any]
"""The fields of the state an event changes, by name (for one ``attrs.evolve``)."""


def _fields(**changes: Any) -> Changes:  # noqa: ANN401 - the fields' types vary
    return changes


def _on_classified(old: Complaint, event: e.ComplaintClassified) -> Changes:
    info = old.info
    if event.title is not None:
        info = attrs.evolve(info, content=attrs.evolve(info.content, title=event.title))
    if event.kind is not None:
        info = attrs.evolve(info, kind=event.kind)
    if event.category is not None:
        info = attrs.evolve(info, category=event.category)
    if event.tags is not None:
        info = attrs.evolve(info, tags=event.tags)
    return _fields(info=info)


def _on_information_requested(old: Complaint, event: e.InformationRequested) -> Changes:
    return _fields(thread=(*old.thread, _message("question", event, event.question)))


def _on_information_provided(old: Complaint, event: e.InformationProvided) -> Changes:
    return _fields(thread=(*old.thread, _message("information", event, event.text)))


def _on_forwarded(old: Complaint, event: e.ComplaintForwarded) -> Changes:
    record = old.record
    if record.first_forwarded_at is None:
        record = attrs.evolve(record, first_forwarded_at=event.at)
    return _fields(assignments=(*old.assignments, *event.assignments), record=record)


def _handled_at(old: Complaint, agency: str, handler: str) -> Changes:
    """The assignment of *agency* handled at *handler* from now on (down or back up)."""
    assignments = tuple(
        attrs.evolve(a, handler=handler) if a.agency == agency else a for a in old.assignments
    )
    return _fields(assignments=assignments)


def _on_forwarded_internally(old: Complaint, event: e.ForwardedInternally) -> Changes:
    return _handled_at(old, event.agency, event.to)


def _on_rejected(old: Complaint, event: e.DispositionRejected) -> Changes:
    if event.handed_back_to is not None:  # a unit handed it back: the assignment stays
        return _handled_at(old, event.agency, event.handed_back_to)
    dropped = [a for a in old.assignments if a.agency == event.agency]
    remaining = tuple(a for a in old.assignments if a.agency != event.agency)
    if remaining and dropped and dropped[0].lead and not any(a.lead for a in remaining):
        remaining = (attrs.evolve(remaining[0], lead=True), *remaining[1:])
    router = event.returned_to if not remaining and event.returned_to else old.router
    record = attrs.evolve(old.record, reroutings=old.record.reroutings + 1)
    return _fields(router=router, assignments=remaining, record=record)


def _on_follow_up(old: Complaint, event: e.FollowUpPosted) -> Changes:
    answered = {event.agency, *event.on_behalf_of}
    assignments = tuple(
        attrs.evolve(a, followed_up_at=event.at)
        if a.agency in answered and a.followed_up_at is None
        else a
        for a in old.assignments
    )
    record = old.record
    if record.first_follow_up_at is None:
        record = attrs.evolve(record, first_follow_up_at=event.at)
    thread = (*old.thread, _message("follow_up", event, event.text, event.agency))
    return _fields(assignments=assignments, thread=thread, record=record)


def _on_reply(old: Complaint, event: e.ReplyPosted) -> Changes:
    return _fields(thread=(*old.thread, _message("reply", event, event.text)))


def _on_closed(old: Complaint, event: e.ComplaintClosed) -> Changes:
    record = attrs.evolve(old.record, closed_at=event.at, closed_automatically=event.automatic)
    return _fields(record=record)


def _on_archived(old: Complaint, event: e.ComplaintArchived) -> Changes:
    record = attrs.evolve(
        old.record,
        archive_reason=event.reason,
        duplicate_of=event.duplicate_of,
        closed_at=event.at,
    )
    return _fields(record=record)


def _on_rated(old: Complaint, event: e.ComplaintRated) -> Changes:
    return _fields(record=attrs.evolve(old.record, rating=event.score))


def _on_reopened(old: Complaint, event: e.ComplaintReopened) -> Changes:
    record = attrs.evolve(
        old.record,
        closed_at=None,
        closed_automatically=False,
        rating=None,
        reopen_count=old.record.reopen_count + 1,
    )
    thread = (*old.thread, _message("reopen", event, event.reason))
    return _fields(thread=thread, record=record)


def _on_privacy(old: Complaint, event: e.PrivacyChanged) -> Changes:
    return _fields(info=attrs.evolve(old.info, privacy=event.privacy))


def _with_clock(
    old: Complaint,
    event: e.ClockWarned | e.ClockBreached | e.DeadlineExtended,
    change: Callable[[RunningClock], RunningClock],
) -> tuple[RunningClock, ...]:
    """The running clocks with the event's clock ``(clock, agency)`` changed."""
    key = (event.clock, event.agency)
    return tuple(change(rc) if rc.key == key else rc for rc in old.clocks)


def _on_warned(old: Complaint, event: e.ClockWarned) -> Changes:
    clocks = _with_clock(
        old, event, lambda rc: attrs.evolve(rc, warned=(*rc.warned, event.threshold))
    )
    return _fields(clocks=clocks)


# the breach actions of clocks the reporter lets run out: the report closes or is archived
_REPORTER_TIMEOUTS = frozenset({BreachAction.AUTO_CLOSE, BreachAction.ARCHIVE_WITHDRAWN})


def _on_breached(old: Complaint, event: e.ClockBreached) -> Changes:
    record = old.record
    record = attrs.evolve(
        record,
        escalations=record.escalations + (event.escalated_to is not None),
        breaches=record.breaches + 1,
        reporter_timeouts=record.reporter_timeouts + (event.action in _REPORTER_TIMEOUTS),
        warning_breaches=record.warning_breaches + (event.action is BreachAction.WARN),
        ombudsman_eligible=record.ombudsman_eligible
        or event.action is BreachAction.OMBUDSMAN_REFERRAL,
    )
    clocks = _with_clock(old, event, lambda rc: attrs.evolve(rc, breached=True))
    return _fields(clocks=clocks, record=record)


def _on_extended(old: Complaint, event: e.DeadlineExtended) -> Changes:
    clocks = _with_clock(
        old,
        event,
        lambda rc: attrs.evolve(
            rc, extension=rc.extension + event.amount, extensions=rc.extensions + 1
        ),
    )
    return _fields(clocks=clocks)


def _on_recomputed(old: Complaint, event: e.DeadlinesRecomputed) -> Changes:
    record = attrs.evolve(old.record, deadlines_confirmed_until=event.confirmed_until)
    return _fields(record=record)


def _changed(old: Complaint, event: e.Event) -> Changes:  # noqa: C901, PLR0911, PLR0912 - one case per event type is the point
    """The fields *event* changes of *old*, by its type (the bookkeeping aside)."""
    match event:
        case e.ComplaintClassified():
            return _on_classified(old, event)
        case e.InformationRequested():
            return _on_information_requested(old, event)
        case e.InformationProvided():
            return _on_information_provided(old, event)
        case e.ComplaintForwarded():
            return _on_forwarded(old, event)
        case e.ForwardedInternally():
            return _on_forwarded_internally(old, event)
        case e.DispositionRejected():
            return _on_rejected(old, event)
        case e.FollowUpPosted():
            return _on_follow_up(old, event)
        case e.ReplyPosted():
            return _on_reply(old, event)
        case e.ComplaintClosed():
            return _on_closed(old, event)
        case e.ComplaintArchived():
            return _on_archived(old, event)
        case e.ComplaintRated():
            return _on_rated(old, event)
        case e.ComplaintReopened():
            return _on_reopened(old, event)
        case e.PrivacyChanged():
            return _on_privacy(old, event)
        case e.ClockWarned():
            return _on_warned(old, event)
        case e.ClockBreached():
            return _on_breached(old, event)
        case e.DeadlineExtended():
            return _on_extended(old, event)
        case e.DeadlinesRecomputed():
            return _on_recomputed(old, event)
        case e.ComplaintSubmitted():
            raise ValidationError(N_("complaint {old_id} was already submitted"), old_id=old.id)
    raise ValidationError(
        N_("evolve does not know event type {type_name}"), type_name=type(event).__name__
    )


def _held_from(old: Complaint, status: Status) -> Status | None:
    """The status a complaint on hold returns to: where it was when it went on hold."""
    if status is not Status.ON_HOLD:
        return None
    return old.held_from if old.status is Status.ON_HOLD else old.status


def evolve(complaint: Complaint | None, event: e.Event) -> Complaint:
    """
    Apply one event to the state; never refuses a well-formed event of this complaint.

    Raises:
        ValidationError: The event belongs to another complaint, or a stream does not
            start with ``ComplaintSubmitted`` (a corrupt stream, not a refusal).

    .. versionadded:: 0.1.0
    """
    if complaint is None:
        if not isinstance(event, e.ComplaintSubmitted):
            raise ValidationError(
                N_("a complaint's stream must start with ComplaintSubmitted, not {type_name}"),
                type_name=type(event).__name__,
            )
        return _started(event)
    if event.complaint_id != complaint.id:
        raise ValidationError(
            N_("event for {complaint_id} applied to complaint {other_id}"),
            complaint_id=event.complaint_id,
            other_id=complaint.id,
        )
    changes = _changed(complaint, event)
    status = event.status or complaint.status
    clocks = changes.pop("clocks", complaint.clocks)
    return attrs.evolve(
        complaint,
        **changes,
        version=complaint.version + 1,
        updated_at=event.at,
        status=status,
        held_from=_held_from(complaint, status),
        clocks=apply_changes(clocks, event.clock_changes, event.at),
    )


def replay(events: Iterable[e.Event]) -> Complaint:
    """
    Fold a complaint's events into its state: :func:`evolve`, event by event.

    Raises:
        ValidationError: The stream is empty or malformed.

    .. versionadded:: 0.1.0
    """
    state: Complaint | None = None
    for event in events:
        state = evolve(state, event)
    if state is None:
        raise ValidationError(N_("cannot replay an empty event stream"))
    return state
