"""
Internal: ``decide``, re-exported by :mod:`lapor_core.domain.complaint`.

One handler per command checks it and returns the events it causes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from lapor_core.domain import commands as c
from lapor_core.domain import events as e
from lapor_core.domain._context import Context, _changes_for
from lapor_core.domain._evolve import evolve
from lapor_core.domain._state import (
    _AGENCY_ADMIN,
    _IN_PROGRESS,
    _NATIONAL_ADMIN,
    _ON_HOLD,
    _REPORTER,
    Complaint,
)
from lapor_core.domain.actors import Actor
from lapor_core.domain.clocks import (
    BreachAction,
    RunningClock,
    clock_deadline,
    warning_instant,
)
from lapor_core.domain.model import ArchiveReason, require_aware
from lapor_core.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)

# --------------------------------------------------------------------------- scope helpers


def _require_reporter(complaint: Complaint, actor: Actor) -> None:
    if actor.role is _REPORTER and actor.id != complaint.reporter.id:
        raise PermissionDenied(
            f"reporter {actor.id!r} acts only on their own complaints; {complaint.id} "
            "belongs to another reporter"
        )


def _in_subtree(ctx: Context, node: str, actor: Actor) -> bool:
    assert actor.agency is not None  # noqa: S101 - agency roles always carry an agency
    return node in ctx.registry and ctx.registry.is_within(node, actor.agency)


def _require_scope(complaint: Complaint, actor: Actor, ctx: Context) -> None:
    """An agency actor must see the complaint inside its subtree (router or an assignment)."""
    if not actor.role.is_agency_role:
        _require_reporter(complaint, actor)
        return
    nodes = [a.handler for a in complaint.assignments] or [complaint.router]
    if not any(_in_subtree(ctx, n, actor) for n in nodes):
        raise PermissionDenied(
            f"{actor.role.value} {actor.id!r} of {actor.agency!r} may not act on complaint "
            f"{complaint.id}: it is not assigned inside that agency's subtree"
        )


def _require_assignment(
    complaint: Complaint, agency: str, actor: Actor, ctx: Context
) -> e.Assignment:
    assignment = complaint.assignment(agency)
    if assignment is None:
        raise InvalidTransition(f"complaint {complaint.id} is not assigned to agency {agency!r}")
    if actor.role.is_agency_role and not _in_subtree(ctx, assignment.handler, actor):
        raise PermissionDenied(
            f"{actor.role.value} {actor.id!r} of {actor.agency!r} may not act on the "
            f"assignment of {agency!r} (handled at {assignment.handler!r})"
        )
    return assignment


def _require_agency(ctx: Context, agency_id: str) -> None:
    ctx.registry.get(agency_id)


# --------------------------------------------------------------------------- handlers

Events = tuple[e.Event, ...]
C = TypeVar("C", bound=c.Command)
Handler = Callable[[Complaint, C, Actor, datetime, Context], Events]


def _submit(cmd: c.Submit, actor: Actor, now: datetime, ctx: Context) -> Events:
    if actor.role is _REPORTER:
        if actor.id != cmd.reporter.id:
            raise PermissionDenied(
                f"reporter {actor.id!r} may submit only as themself, not as {cmd.reporter.id!r}"
            )
        if cmd.channel.type.digitised_by_admin:
            raise PermissionDenied(
                f"channel {cmd.channel.type.value} is digitised by an admin, not by the reporter"
            )
    registry = ctx.registry
    router = registry.root.id
    if cmd.subject_agency is not None:
        _require_agency(ctx, cmd.subject_agency)
    if cmd.target_agency is not None:
        _require_agency(ctx, cmd.target_agency)
        router = cmd.target_agency
        subject = cmd.subject_agency
        if cmd.misconduct and subject is not None and registry.is_within(router, subject):
            # Never to the office complained about: its inspectorate verifies instead.
            inspectorate = registry.inspectorate_for(subject)
            router = inspectorate.id if inspectorate is not None else registry.root.id
    if actor.role is _AGENCY_ADMIN and not _in_subtree(ctx, router, actor):
        raise PermissionDenied(
            f"agency admin of {actor.agency!r} may digitise reports only for its own agency; "
            f"set target_agency inside its subtree (got router {router!r})"
        )
    return (
        e.ComplaintSubmitted(
            complaint_id=cmd.complaint_id,
            at=now,
            actor=actor,
            content=cmd.content,
            kind=cmd.kind,
            reporter=cmd.reporter,
            channel=cmd.channel,
            privacy=cmd.privacy,
            region=cmd.region,
            category=cmd.category,
            external_ids=cmd.external_ids,
            router=router,
            subject_agency=cmd.subject_agency,
            misconduct=cmd.misconduct,
        ),
    )


def _classify(
    complaint: Complaint, cmd: c.Classify, actor: Actor, now: datetime, ctx: Context
) -> Events:
    _require_scope(complaint, actor, ctx)
    return (
        e.ComplaintClassified(
            complaint_id=complaint.id,
            at=now,
            actor=actor,
            title=cmd.title,
            kind=cmd.kind,
            category=cmd.category,
            tags=cmd.tags,
        ),
    )


def _request_info(
    complaint: Complaint, cmd: c.RequestInformation, actor: Actor, now: datetime, ctx: Context
) -> Events:
    _require_scope(complaint, actor, ctx)
    return (
        e.InformationRequested(
            complaint_id=complaint.id, at=now, actor=actor, question=cmd.question
        ),
    )


def _provide_info(
    complaint: Complaint, cmd: c.ProvideInformation, actor: Actor, now: datetime, ctx: Context
) -> Events:
    _require_scope(complaint, actor, ctx)
    return (e.InformationProvided(complaint_id=complaint.id, at=now, actor=actor, text=cmd.text),)


def _refuse_accused_office(complaint: Complaint, agency_id: str, ctx: Context) -> None:
    """A misconduct report never goes to the office it accuses, nor below it."""
    subject = complaint.subject_agency
    registry = ctx.registry
    if complaint.misconduct and subject is not None and registry.is_within(agency_id, subject):
        inspectorate = registry.inspectorate_for(subject)
        hint = f"; route it to {inspectorate.id!r}" if inspectorate else ""
        raise ValidationError(
            f"complaint {complaint.id} alleges misconduct by {subject!r}: "
            f"it may not be forwarded to that office ({agency_id!r}){hint}"
        )


def _forward(
    complaint: Complaint, cmd: c.Forward, actor: Actor, now: datetime, ctx: Context
) -> Events:
    _require_scope(complaint, actor, ctx)
    registry = ctx.registry
    forwarder = registry.root.id if actor.role is _NATIONAL_ADMIN else actor.agency
    assert forwarder is not None  # noqa: S101 - only admins reach here (table roles)
    existing = {a.agency for a in complaint.assignments}
    for agency_id in cmd.agencies:
        agency = registry.get(agency_id)
        if agency_id == registry.root.id:
            raise ValidationError("cannot forward to the national root itself")
        if agency_id in existing:
            raise ValidationError(f"complaint {complaint.id} is already assigned to {agency_id!r}")
        if actor.role is _AGENCY_ADMIN and (
            agency_id == actor.agency or not _in_subtree(ctx, agency_id, actor)
        ):
            raise PermissionDenied(
                f"agency admin of {actor.agency!r} may forward only to units below it, "
                f"not to {agency_id!r}"
            )
        _refuse_accused_office(complaint, agency.id, ctx)
    has_lead = any(a.lead for a in complaint.assignments)
    assignments = tuple(
        e.Assignment(
            agency=agency_id,
            handler=agency_id,
            lead=not has_lead and agency_id == cmd.lead_agency,
            forwarded_by=forwarder,
            forwarded_at=now,
        )
        for agency_id in cmd.agencies
    )
    return (
        e.ComplaintForwarded(
            complaint_id=complaint.id, at=now, actor=actor, assignments=assignments
        ),
    )


def _forward_internally(
    complaint: Complaint, cmd: c.ForwardInternally, actor: Actor, now: datetime, ctx: Context
) -> Events:
    assignment = _require_assignment(complaint, cmd.agency, actor, ctx)
    _require_agency(ctx, cmd.to)
    if cmd.to == assignment.handler or not ctx.registry.is_within(cmd.to, assignment.handler):
        raise ValidationError(
            f"internal forwarding goes down the tree: {cmd.to!r} is not below "
            f"{assignment.handler!r}"
        )
    _refuse_accused_office(complaint, cmd.to, ctx)
    return (
        e.ForwardedInternally(
            complaint_id=complaint.id, at=now, actor=actor, agency=cmd.agency, to=cmd.to
        ),
    )


def _reject(
    complaint: Complaint, cmd: c.RejectDisposition, actor: Actor, now: datetime, ctx: Context
) -> Events:
    assignment = _require_assignment(complaint, cmd.agency, actor, ctx)
    if assignment.followed_up_at is not None:
        raise InvalidTransition(
            f"agency {cmd.agency!r} already posted a follow-up on {complaint.id}; "
            "it can no longer reject it as bukan wewenang"
        )
    last = len(complaint.assignments) == 1
    return (
        e.DispositionRejected(
            complaint_id=complaint.id,
            at=now,
            actor=actor,
            agency=cmd.agency,
            reason=cmd.reason,
            returned_to=assignment.forwarded_by if last else None,
        ),
    )


def _follow_up(
    complaint: Complaint, cmd: c.PostFollowUp, actor: Actor, now: datetime, ctx: Context
) -> Events:
    _require_assignment(complaint, cmd.agency, actor, ctx)
    return (
        e.FollowUpPosted(
            complaint_id=complaint.id, at=now, actor=actor, agency=cmd.agency, text=cmd.text
        ),
    )


def _reply(complaint: Complaint, cmd: c.Reply, actor: Actor, now: datetime, ctx: Context) -> Events:
    _require_scope(complaint, actor, ctx)
    return (e.ReplyPosted(complaint_id=complaint.id, at=now, actor=actor, text=cmd.text),)


def _close(complaint: Complaint, cmd: c.Close, actor: Actor, now: datetime, ctx: Context) -> Events:
    if actor.role is _AGENCY_ADMIN:
        lead = next((a for a in complaint.assignments if a.lead), complaint.assignments[0])
        if not _in_subtree(ctx, lead.agency, actor):
            raise PermissionDenied(
                f"only the lead agency ({lead.agency!r}) or the national admin may close "
                f"complaint {complaint.id}"
            )
    return (
        e.ComplaintClosed(
            complaint_id=complaint.id, at=now, actor=actor, automatic=False, note=cmd.note
        ),
    )


def _owed_breach(
    complaint: Complaint, clock: str, agency: str | None, now: datetime, ctx: Context
) -> tuple[RunningClock, datetime]:
    running = complaint.clock(clock, agency)
    who = f"clock {clock!r}" + (f" of {agency!r}" if agency else "")
    if running is None:
        raise InvalidTransition(f"{who} is not running on complaint {complaint.id}")
    if running.breached:
        raise InvalidTransition(f"the breach of {who} on {complaint.id} is already recorded")
    deadline = clock_deadline(running, ctx.calendar)
    if deadline is None:
        raise InvalidTransition(f"{who} on {complaint.id} is paused")
    if now < deadline:
        raise InvalidTransition(
            f"{who} on {complaint.id} is not breached before {deadline.isoformat()}"
        )
    return running, deadline


def _breach_events(
    complaint: Complaint,
    *,
    running: RunningClock,
    deadline: datetime,
    actor: Actor,
    now: datetime,
    ctx: Context,
) -> Events:
    definition = ctx.profile.clocks.get(running.clock)
    if definition is None:
        raise InvalidTransition(f"profile {ctx.profile.name!r} has no clock {running.clock!r}")
    escalated_to = None
    if definition.breach is BreachAction.ESCALATE:
        root = ctx.registry.root.id
        escalated_to = root
        if definition.escalate_to == "parent" and running.responsible in ctx.registry:
            parent = ctx.registry.get(running.responsible).parent
            escalated_to = parent if parent is not None else root
    breached = e.ClockBreached(
        complaint_id=complaint.id,
        at=now,
        actor=actor,
        clock=running.clock,
        agency=running.agency,
        deadline=deadline,
        action=definition.breach,
        escalated_to=escalated_to,
    )
    if definition.breach is BreachAction.AUTO_CLOSE:
        if complaint.status is not _IN_PROGRESS:
            raise InvalidTransition(
                f"automatic close applies in in_progress, not {complaint.status.value}"
            )
        return (
            breached,
            e.ComplaintClosed(complaint_id=complaint.id, at=now, actor=actor, automatic=True),
        )
    if definition.breach is BreachAction.ARCHIVE_WITHDRAWN:
        if complaint.status is not _ON_HOLD:
            raise InvalidTransition(
                f"archiving as withdrawn applies on hold, not {complaint.status.value}"
            )
        return (
            breached,
            e.ComplaintArchived(
                complaint_id=complaint.id,
                at=now,
                actor=actor,
                reason=ArchiveReason.WITHDRAWN,
                note=f"requested information not provided by {deadline.isoformat()}",
            ),
        )
    return (breached,)


def _auto_close(
    complaint: Complaint, _cmd: c.AutoClose, actor: Actor, now: datetime, ctx: Context
) -> Events:
    for candidate in complaint.clocks:
        definition = ctx.profile.clocks.get(candidate.clock)
        if definition is not None and definition.breach is BreachAction.AUTO_CLOSE:
            running, deadline = _owed_breach(complaint, candidate.clock, candidate.agency, now, ctx)
            return _breach_events(
                complaint, running=running, deadline=deadline, actor=actor, now=now, ctx=ctx
            )
    raise InvalidTransition(f"no automatic-close clock is running on complaint {complaint.id}")


def _record_breach(
    complaint: Complaint, cmd: c.RecordBreach, actor: Actor, now: datetime, ctx: Context
) -> Events:
    running, deadline = _owed_breach(complaint, cmd.clock, cmd.agency, now, ctx)
    return _breach_events(
        complaint, running=running, deadline=deadline, actor=actor, now=now, ctx=ctx
    )


def _record_warning(
    complaint: Complaint, cmd: c.RecordWarning, actor: Actor, now: datetime, ctx: Context
) -> Events:
    running = complaint.clock(cmd.clock, cmd.agency)
    definition = ctx.profile.clocks.get(cmd.clock)
    who = f"clock {cmd.clock!r}" + (f" of {cmd.agency!r}" if cmd.agency else "")
    if running is None or definition is None:
        raise InvalidTransition(f"{who} is not running on complaint {complaint.id}")
    if cmd.threshold not in definition.warn_at:
        raise InvalidTransition(
            f"{who} has no {cmd.threshold}% warning; it warns at {definition.warn_at}"
        )
    if cmd.threshold in running.warned or running.breached:
        raise InvalidTransition(f"the {cmd.threshold}% warning of {who} is already recorded")
    deadline = clock_deadline(running, ctx.calendar)
    if deadline is None or now < warning_instant(running, deadline, cmd.threshold):
        raise InvalidTransition(f"the {cmd.threshold}% warning of {who} is not due yet")
    return (
        e.ClockWarned(
            complaint_id=complaint.id,
            at=now,
            actor=actor,
            clock=cmd.clock,
            agency=cmd.agency,
            threshold=cmd.threshold,
            deadline=deadline,
        ),
    )


def _extend(
    complaint: Complaint, cmd: c.ExtendDeadline, actor: Actor, now: datetime, ctx: Context
) -> Events:
    option = ctx.profile.extension
    if not option.enabled:
        raise InvalidTransition(f"profile {ctx.profile.name!r} does not allow extensions")
    running = complaint.clock(cmd.clock, cmd.agency)
    definition = ctx.profile.clocks.get(cmd.clock)
    who = f"clock {cmd.clock!r}" + (f" of {cmd.agency!r}" if cmd.agency else "")
    if running is None or definition is None:
        raise InvalidTransition(f"{who} is not running on complaint {complaint.id}")
    if not definition.extendable:
        raise InvalidTransition(f"{who} cannot be extended (profile {ctx.profile.name!r})")
    if running.breached:
        raise InvalidTransition(f"{who} is already breached; it can no longer be extended")
    if running.extensions >= option.max_count:
        raise InvalidTransition(
            f"{who} was extended {running.extensions} time(s); the limit is {option.max_count}"
        )
    if cmd.amount > option.max_amount:
        raise InvalidTransition(
            f"an extension of {cmd.amount} exceeds the limit of {option.max_amount}"
        )
    if not _in_subtree(ctx, running.responsible, actor):
        raise PermissionDenied(
            f"only the responsible agency ({running.responsible!r}) may extend {who}"
        )
    return (
        e.DeadlineExtended(
            complaint_id=complaint.id,
            at=now,
            actor=actor,
            clock=cmd.clock,
            agency=cmd.agency,
            amount=cmd.amount,
            reason=cmd.reason,
        ),
    )


def _archive(
    complaint: Complaint, cmd: c.Archive, actor: Actor, now: datetime, ctx: Context
) -> Events:
    _require_scope(complaint, actor, ctx)
    return (
        e.ComplaintArchived(
            complaint_id=complaint.id,
            at=now,
            actor=actor,
            reason=cmd.reason,
            note=cmd.note,
            duplicate_of=cmd.duplicate_of,
        ),
    )


def _rate(complaint: Complaint, cmd: c.Rate, actor: Actor, now: datetime, ctx: Context) -> Events:
    _require_scope(complaint, actor, ctx)
    return (
        e.ComplaintRated(
            complaint_id=complaint.id, at=now, actor=actor, score=cmd.score, comment=cmd.comment
        ),
    )


def _reopen(
    complaint: Complaint, cmd: c.Reopen, actor: Actor, now: datetime, ctx: Context
) -> Events:
    _require_scope(complaint, actor, ctx)
    return (e.ComplaintReopened(complaint_id=complaint.id, at=now, actor=actor, reason=cmd.reason),)


def _privacy(
    complaint: Complaint, cmd: c.ChangePrivacy, actor: Actor, now: datetime, ctx: Context
) -> Events:
    _require_scope(complaint, actor, ctx)
    if cmd.privacy == complaint.privacy:
        raise ValidationError(f"complaint {complaint.id} already has privacy {cmd.privacy}")
    return (e.PrivacyChanged(complaint_id=complaint.id, at=now, actor=actor, privacy=cmd.privacy),)


_HANDLERS: dict[type[c.Command], Handler[c.Command]] = {
    c.Classify: _classify,  # type: ignore[dict-item]
    c.RequestInformation: _request_info,  # type: ignore[dict-item]
    c.ProvideInformation: _provide_info,  # type: ignore[dict-item]
    c.Forward: _forward,  # type: ignore[dict-item]
    c.ForwardInternally: _forward_internally,  # type: ignore[dict-item]
    c.RejectDisposition: _reject,  # type: ignore[dict-item]
    c.PostFollowUp: _follow_up,  # type: ignore[dict-item]
    c.Reply: _reply,  # type: ignore[dict-item]
    c.Close: _close,  # type: ignore[dict-item]
    c.AutoClose: _auto_close,  # type: ignore[dict-item]
    c.Archive: _archive,  # type: ignore[dict-item]
    c.Rate: _rate,  # type: ignore[dict-item]
    c.Reopen: _reopen,  # type: ignore[dict-item]
    c.ChangePrivacy: _privacy,  # type: ignore[dict-item]
    c.RecordWarning: _record_warning,  # type: ignore[dict-item]
    c.RecordBreach: _record_breach,  # type: ignore[dict-item]
    c.ExtendDeadline: _extend,  # type: ignore[dict-item]
}


def decide(
    complaint: Complaint | None,
    command: c.Command,
    actor: Actor,
    now: datetime,
    ctx: Context,
) -> tuple[e.Event, ...]:
    """
    Check *command* and return the events it causes; change nothing.

    Args:
        complaint: Current state, or ``None`` before submission.
        command: What is asked.
        actor: Who asks.
        now: The instant of the decision (aware; not before the last event).
        ctx: The profile's lifecycle and the agency registry.

    Returns:
        The events, in order (possibly several).

    Raises:
        ValidationError: Bad data, naive or backwards time, wrong complaint id.
        NotFound: The complaint does not exist yet, or an agency is unknown.
        InvalidTransition: The command is not allowed in this status or profile.
        PermissionDenied: The actor's role or scope does not allow it.

    .. versionadded:: 0.1.0
    """
    require_aware(now, "now")
    if not isinstance(command, c.Command):
        raise ValidationError(f"not a command: {command!r}")
    if not isinstance(actor, Actor):
        raise ValidationError(f"not an actor: {actor!r}")
    if complaint is None:
        if not isinstance(command, c.Submit):
            raise NotFound(
                f"complaint {command.complaint_id} does not exist; only Submit can create it"
            )
    else:
        if command.complaint_id is not complaint.id and command.complaint_id != complaint.id:
            raise ValidationError(
                f"command is for complaint {command.complaint_id}, not {complaint.id}"
            )
        if now < complaint.updated_at:
            raise ValidationError(
                f"now ({now.isoformat()}) is before the complaint's last event "
                f"({complaint.updated_at.isoformat()})"
            )
    status = None if complaint is None else complaint.status
    row = ctx.lifecycle.row(status, type(command))
    if actor.role not in row.roles:
        allowed = ", ".join(sorted(r.value for r in row.roles))
        where = "before submission" if status is None else f"in status {status.value}"
        raise PermissionDenied(
            f"{actor.role.value} {actor.id!r} may not {type(command).__name__} {where}; "
            f"allowed roles: {allowed}"
        )
    if row.guard is not None:
        row.guard(complaint, command, actor, now, ctx)
    if complaint is None:
        assert isinstance(command, c.Submit)  # noqa: S101 - checked above
        events = _submit(command, actor, now, ctx)
    else:
        events = _HANDLERS[type(command)](complaint, command, actor, now, ctx)
    return _with_clock_changes(complaint, events, ctx)


def _with_clock_changes(
    complaint: Complaint | None, events: tuple[e.Event, ...], ctx: Context
) -> tuple[e.Event, ...]:
    if not ctx.clock_plan:
        return events
    state = complaint
    last = len(events) - 1
    for index, event in enumerate(events):
        changes = _changes_for(event, state, ctx)
        if changes:
            # The event was created by this call and is not shared yet: record its clock
            # changes in place rather than copying a frozen object (a hot path).
            object.__setattr__(event, "clock_changes", changes)
        if index < last:
            state = evolve(state, event)
    return events
