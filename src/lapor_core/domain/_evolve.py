"""
Internal: ``evolve`` and ``replay``, re-exported by :mod:`lapor_core.domain.complaint`.

One function per event type builds the next state directly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import attrs

from lapor_core.domain import events as e
from lapor_core.domain._fast import Replacer, builder, compile_builder
from lapor_core.domain._state import (
    _ARCHIVED,
    _COMPLETED,
    _FORWARDED,
    _IN_PROGRESS,
    _OMBUDSMAN_REFERRAL,
    _ON_HOLD,
    _SUBMITTED,
    Complaint,
    ComplaintInfo,
    ComplaintRecord,
    Message,
)
from lapor_core.domain.clocks import RunningClock, apply_changes
from lapor_core.errors import ValidationError

# A generated successor copies the fields an event leaves alone slot to slot (sharing
# them with the state before), sets the version, the time and the clocks, and stores
# the fields the event changes.

_BUILD_COMPLAINT = builder(Complaint)
_BUILD_MESSAGE = builder(Message)
_BUILD_INFO = builder(ComplaintInfo)
_EMPTY_RECORD = ComplaintRecord()
_INFO = Replacer(ComplaintInfo)
_RECORD = Replacer(ComplaintRecord)
_HANDLED_BY = Replacer(e.Assignment).of("handler")
_LEADING = Replacer(e.Assignment).of("lead")
_FOLLOWED_UP = Replacer(e.Assignment).of("followed_up_at")
_WARNED = Replacer(RunningClock).of("warned")
_BREACHED = Replacer(RunningClock).of("breached")
_EXTENDED = Replacer(RunningClock).of("extension", "extensions")
_FIRST_FORWARDED = _RECORD.of("first_forwarded_at")
_FIRST_FOLLOW_UP = _RECORD.of("first_follow_up_at")
_REROUTED = _RECORD.of("reroutings")
_CLOSED = _RECORD.of("closed_at", "closed_automatically")
_ARCHIVED_RECORD = _RECORD.of("archive_reason", "duplicate_of", "closed_at")
_RATED = _RECORD.of("rating")
_REOPENED = _RECORD.of("closed_at", "closed_automatically", "rating", "reopen_count")
_BREACH_COUNTED = _RECORD.of("escalations", "breaches", "ombudsman_eligible")


def _successor(*changed: str) -> Callable[..., Complaint]:
    """
    Compile ``next(old, event, *values) -> Complaint``: the state after *event*.

    The version goes up by one, ``updated_at`` becomes the event's time, the clocks get
    the event's clock changes, and the fields *changed* take *values*, in order (a
    changed ``clocks`` value gets the clock changes too).
    """
    values = {name: f"new_{name}" for name in changed}
    parameters = ", ".join(["old", "event", *values.values()])
    values["version"] = "old.version + 1"
    values["updated_at"] = "event.at"
    clocks = values.get("clocks", "old.clocks")
    values["clocks"] = (
        f"apply_changes({clocks}, changes, event.at) if (changes := event.clock_changes) "
        f"else {clocks}"
    )
    return compile_builder(
        Complaint, parameters, values, {"apply_changes": apply_changes}, copy_from="old"
    )


def _message(kind: str, event: e.Event, text: str, agency: str | None = None) -> Message:
    return _BUILD_MESSAGE(kind, event.at, event.actor, text, agency)


def _started(event: e.ComplaintSubmitted) -> Complaint:
    info = _BUILD_INFO(
        event.kind,
        event.privacy,
        event.channel,
        event.content,
        event.reporter,
        event.region,
        event.category,
        event.external_ids,
        event.at,
        event.subject_agency,
        event.misconduct,
        (),
    )
    return _BUILD_COMPLAINT(
        event.complaint_id,
        1,
        _SUBMITTED,
        event.at,
        info,
        event.router,
        (),
        None,
        (),
        apply_changes((), event.clock_changes, event.at),
        _EMPTY_RECORD,
    )


_NEXT_INFO = _successor("info")


def _on_classified(old: Complaint, event: e.ComplaintClassified) -> Complaint:
    changes: dict[str, Any] = {}
    if event.title is not None:
        changes["content"] = attrs.evolve(old.content, title=event.title)
    if event.kind is not None:
        changes["kind"] = event.kind
    if event.category is not None:
        changes["category"] = event.category
    if event.tags is not None:
        changes["tags"] = event.tags
    return _NEXT_INFO(old, event, _INFO.apply(old.info, changes))


_NEXT_HELD = _successor("status", "held_from", "thread")


def _on_information_requested(old: Complaint, event: e.InformationRequested) -> Complaint:
    thread = (*old.thread, _message("question", event, event.question))
    return _NEXT_HELD(old, event, _ON_HOLD, old.status, thread)


def _on_information_provided(old: Complaint, event: e.InformationProvided) -> Complaint:
    thread = (*old.thread, _message("information", event, event.text))
    return _NEXT_HELD(old, event, old.held_from or _SUBMITTED, None, thread)


_NEXT_FORWARDED = _successor("status", "assignments", "record")


def _on_forwarded(old: Complaint, event: e.ComplaintForwarded) -> Complaint:
    status = _FORWARDED if old.status is _SUBMITTED else old.status
    record = old.record
    if record.first_forwarded_at is None:
        record = _FIRST_FORWARDED(record, event.at)
    return _NEXT_FORWARDED(old, event, status, (*old.assignments, *event.assignments), record)


_NEXT_ASSIGNMENTS = _successor("assignments")


def _on_forwarded_internally(old: Complaint, event: e.ForwardedInternally) -> Complaint:
    agency = event.agency
    assignments = tuple(
        [_HANDLED_BY(a, event.to) if a.agency == agency else a for a in old.assignments]
    )
    return _NEXT_ASSIGNMENTS(old, event, assignments)


_NEXT_REJECTED = _successor("status", "router", "assignments", "record")


def _on_rejected(old: Complaint, event: e.DispositionRejected) -> Complaint:
    dropped = [a for a in old.assignments if a.agency == event.agency]
    remaining = tuple(a for a in old.assignments if a.agency != event.agency)
    if remaining and dropped and dropped[0].lead and not any(a.lead for a in remaining):
        lead = _LEADING(remaining[0], True)  # noqa: FBT003 - a field value
        remaining = (lead, *remaining[1:])
    status, router = old.status, old.router
    if not remaining:
        status, router = _SUBMITTED, event.returned_to or router
    record = _REROUTED(old.record, old.record.reroutings + 1)
    return _NEXT_REJECTED(old, event, status, router, remaining, record)


_NEXT_FOLLOW_UP = _successor("status", "assignments", "thread", "record")


def _followed_up(
    assignments: tuple[e.Assignment, ...], agency: str, at: datetime
) -> tuple[e.Assignment, ...]:
    """*assignments* with those of *agency* still unanswered marked followed up *at*."""
    for a in assignments:
        if a.agency == agency and a.followed_up_at is None:
            break
    else:
        return assignments
    return tuple(
        [
            _FOLLOWED_UP(a, at) if a.agency == agency and a.followed_up_at is None else a
            for a in assignments
        ]
    )


def _on_follow_up(old: Complaint, event: e.FollowUpPosted) -> Complaint:
    agency = event.agency
    at = event.at
    assignments = _followed_up(old.assignments, agency, at)
    record = old.record
    if record.first_follow_up_at is None:
        record = _FIRST_FOLLOW_UP(record, at)
    thread = (*old.thread, _message("follow_up", event, event.text, agency))
    return _NEXT_FOLLOW_UP(old, event, _IN_PROGRESS, assignments, thread, record)


_NEXT_THREAD = _successor("thread")


def _on_reply(old: Complaint, event: e.ReplyPosted) -> Complaint:
    return _NEXT_THREAD(old, event, (*old.thread, _message("reply", event, event.text)))


_NEXT_CLOSED = _successor("status", "record")


def _on_closed(old: Complaint, event: e.ComplaintClosed) -> Complaint:
    record = _CLOSED(old.record, event.at, event.automatic)
    return _NEXT_CLOSED(old, event, _COMPLETED, record)


_NEXT_ARCHIVED = _successor("status", "held_from", "record")


def _on_archived(old: Complaint, event: e.ComplaintArchived) -> Complaint:
    record = _ARCHIVED_RECORD(old.record, event.reason, event.duplicate_of, event.at)
    return _NEXT_ARCHIVED(old, event, _ARCHIVED, None, record)


_NEXT_RECORD = _successor("record")


def _on_rated(old: Complaint, event: e.ComplaintRated) -> Complaint:
    return _NEXT_RECORD(old, event, _RATED(old.record, event.score))


_NEXT_REOPENED = _successor("status", "thread", "record")


def _on_reopened(old: Complaint, event: e.ComplaintReopened) -> Complaint:
    record = _REOPENED(old.record, None, False, None, old.record.reopen_count + 1)  # noqa: FBT003 - a field value
    thread = (*old.thread, _message("reopen", event, event.reason))
    return _NEXT_REOPENED(old, event, _IN_PROGRESS, thread, record)


def _on_privacy(old: Complaint, event: e.PrivacyChanged) -> Complaint:
    return _NEXT_INFO(old, event, _INFO.apply(old.info, {"privacy": event.privacy}))


def _replace_clock(
    clocks: tuple[RunningClock, ...],
    event: e.ClockWarned | e.ClockBreached | e.DeadlineExtended,
    replace: Callable[..., RunningClock],
    *values: Any,  # noqa: ANN401 - field values for *replace*
) -> tuple[RunningClock, ...]:
    """*clocks* with the event's clock ``(clock, agency)`` replaced by ``replace(it, *values)``."""
    name, agency = event.clock, event.agency
    return tuple(
        replace(rc, *values) if rc.clock == name and rc.agency == agency else rc for rc in clocks
    )


_NEXT_CLOCKS = _successor("clocks")
_NEXT_BREACHED = _successor("clocks", "record")


def _on_warned(old: Complaint, event: e.ClockWarned) -> Complaint:
    running = old.clock(event.clock, event.agency)
    warned = (*running.warned, event.threshold) if running else ()
    return _NEXT_CLOCKS(old, event, _replace_clock(old.clocks, event, _WARNED, warned))


def _on_breached(old: Complaint, event: e.ClockBreached) -> Complaint:
    record = old.record
    record = _BREACH_COUNTED(
        record,
        record.escalations + (event.escalated_to is not None),
        record.breaches + 1,
        record.ombudsman_eligible or event.action is _OMBUDSMAN_REFERRAL,
    )
    clocks = _replace_clock(old.clocks, event, _BREACHED, True)  # noqa: FBT003 - a field value
    return _NEXT_BREACHED(old, event, clocks, record)


def _on_extended(old: Complaint, event: e.DeadlineExtended) -> Complaint:
    running = old.clock(event.clock, event.agency)
    clocks = old.clocks
    if running is not None:
        clocks = _replace_clock(
            clocks, event, _EXTENDED, running.extension + event.amount, running.extensions + 1
        )
    return _NEXT_CLOCKS(old, event, clocks)


_APPLY: dict[type[e.Event], Callable[[Complaint, Any], Complaint]] = {
    e.ComplaintClassified: _on_classified,
    e.InformationRequested: _on_information_requested,
    e.InformationProvided: _on_information_provided,
    e.ComplaintForwarded: _on_forwarded,
    e.ForwardedInternally: _on_forwarded_internally,
    e.DispositionRejected: _on_rejected,
    e.FollowUpPosted: _on_follow_up,
    e.ReplyPosted: _on_reply,
    e.ComplaintClosed: _on_closed,
    e.ComplaintArchived: _on_archived,
    e.ComplaintRated: _on_rated,
    e.ComplaintReopened: _on_reopened,
    e.PrivacyChanged: _on_privacy,
    e.ClockWarned: _on_warned,
    e.ClockBreached: _on_breached,
    e.DeadlineExtended: _on_extended,
}
"""The state after each event type (one function per type), given the state before."""


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
                "a complaint's stream must start with ComplaintSubmitted, "
                f"not {type(event).__name__}"
            )
        return _started(event)
    cid = complaint.id
    if event.complaint_id is not cid and event.complaint_id != cid:
        raise ValidationError(f"event for {event.complaint_id} applied to complaint {cid}")
    apply = _APPLY.get(type(event))
    if apply is None:
        if isinstance(event, e.ComplaintSubmitted):
            raise ValidationError(f"complaint {cid} was already submitted")
        raise ValidationError(f"evolve does not know event type {type(event).__name__}")
    return apply(complaint, event)


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
        raise ValidationError("cannot replay an empty event stream")
    return state
