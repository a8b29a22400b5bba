"""
``decide``: check a command against the lifecycle table and return the events it causes.

:func:`decide` finds the command's row in the table (status, role, guard), runs the
command's own checks (scope, data) in one small function per command, finds which of
the row's outcomes the events are, and returns them complete: each with the status the
row leads to and the clock changes it causes. It changes nothing.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from datetime import datetime

import attrs

from lapor_core.domain import commands as c
from lapor_core.domain import events as e
from lapor_core.domain.actors import Actor, Role
from lapor_core.domain.clock_commands import (
    auto_close,
    breaches_at_stop,
    extend_deadline,
    recompute_deadlines,
    record_breach,
    record_warning,
)
from lapor_core.domain.clocks import BreachAction, clock_deadline
from lapor_core.domain.context import Context, clock_changes
from lapor_core.domain.evolution import evolve
from lapor_core.domain.lifecycle import Transition
from lapor_core.domain.model import require_aware
from lapor_core.domain.scope import (
    in_subtree,
    no_decree_error,
    require_agency,
    require_agency_actor,
    require_assignment,
    require_decree,
    require_outside_accused_line,
    require_scope,
)
from lapor_core.domain.state import Complaint
from lapor_core.errors import (
    N_,
    CalendarRangeError,
    InvalidTransition,
    LaporError,
    NotFound,
    PermissionDenied,
    ValidationError,
)

# --------------------------------------------------------------------------- handlers

__all__ = ["decide"]

Events = tuple[e.Event, ...]


def _submit(cmd: c.Submit, actor: Actor, now: datetime, ctx: Context) -> Events:
    if actor.role is Role.REPORTER:
        if actor.id != cmd.reporter.id:
            raise PermissionDenied(
                N_("reporter {actor_id!r} may submit only as themself, not as {reporter_id!r}"),
                actor_id=actor.id,
                reporter_id=cmd.reporter.id,
            )
        if cmd.channel.type.digitised_by_admin:
            raise PermissionDenied(
                N_("channel {type} is digitised by an admin, not by the reporter"),
                type=cmd.channel.type.value,
            )
    if cmd.category is not None:
        ctx.profile.category_for(cmd.category.code)
    registry = ctx.registry
    router = registry.root.id
    if cmd.subject_agency is not None:
        require_agency(ctx, cmd.subject_agency)
    if cmd.target_agency is not None:
        require_agency(ctx, cmd.target_agency)
        router = cmd.target_agency
        subject = cmd.subject_agency
        in_line = subject is not None and (
            registry.is_within(router, subject) or registry.is_within(subject, router)
        )
        if cmd.misconduct and in_line and subject is not None:
            # Never to the office complained about, nor to an agency above it (they answer
            # for it): its inspectorate verifies instead.
            inspectorate = registry.inspectorate_for(subject)
            router = inspectorate.id if inspectorate is not None else registry.root.id
    if actor.role is Role.AGENCY_ADMIN and not in_subtree(ctx, router, actor):
        raise PermissionDenied(
            N_(
                "agency admin of {agency_id!r} may digitise reports only for its own "
                "agency; set target_agency inside its subtree (got router {router!r})"
            ),
            agency_id=actor.agency_id,
            router=router,
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
    require_scope(complaint, actor, ctx)
    if cmd.category is not None:
        ctx.profile.category_for(cmd.category.code)
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


def _require_room(complaint: Complaint, command: c.Command, ctx: Context, needed: int = 1) -> None:
    """
    Refuse a command that adds to a thread already at the profile's cap.

    A question needs room for its answer too (*needed* 2), so the thread never grows
    past ``profile.thread.max_messages``.
    """
    cap = ctx.profile.thread.max_messages
    if len(complaint.thread) + needed > cap:
        raise InvalidTransition(
            N_(
                "{type_name} is refused: the thread of complaint {complaint_id} holds "
                "{count} messages and the profile allows at most {cap} "
                "(options.thread.max_messages)"
            ),
            type_name=type(command).__name__,
            complaint_id=complaint.id,
            count=len(complaint.thread),
            cap=cap,
        )


def _request_info(
    complaint: Complaint, cmd: c.RequestInformation, actor: Actor, now: datetime, ctx: Context
) -> Events:
    require_scope(complaint, actor, ctx)
    _require_room(complaint, cmd, ctx, needed=2)
    return (
        e.InformationRequested(
            complaint_id=complaint.id, at=now, actor=actor, question=cmd.question
        ),
    )


def _provide_info(
    complaint: Complaint, cmd: c.ProvideInformation, actor: Actor, now: datetime, ctx: Context
) -> Events:
    require_scope(complaint, actor, ctx)
    _refuse_after_the_window(complaint, now, ctx)
    return (e.InformationProvided(complaint_id=complaint.id, at=now, actor=actor, text=cmd.text),)


def _refuse_accused_office(complaint: Complaint, agency_id: str, ctx: Context) -> None:
    """
    A misconduct report never goes to the office it accuses, nor below it, nor above it.

    The agencies above the office answer for it (its line): the report goes to its
    inspectorate (domain.md §3.5, the inspectorate rule [I]).
    """
    subject = complaint.subject_agency
    registry = ctx.registry
    if not complaint.misconduct or subject is None:
        return
    if registry.is_within(agency_id, subject) or registry.is_within(subject, agency_id):
        inspectorate = registry.inspectorate_for(subject)
        hint = f"; route it to {inspectorate.id!r}" if inspectorate else ""
        raise ValidationError(
            N_(
                "complaint {complaint_id} alleges misconduct by {subject!r}: it may not "
                "be forwarded to that office, below it or above it ({agency_id!r}){hint}"
            ),
            complaint_id=complaint.id,
            subject=subject,
            agency_id=agency_id,
            hint=hint,
        )


def _forward(
    complaint: Complaint, cmd: c.Forward, actor: Actor, now: datetime, ctx: Context
) -> Events:
    require_scope(complaint, actor, ctx)
    registry = ctx.registry
    forwarder = registry.root.id if actor.role is Role.NATIONAL_ADMIN else actor.agency_id
    assert forwarder is not None  # noqa: S101 - only admins reach here (table roles)
    existing = {a.agency for a in complaint.assignments}
    targets = {agency_id: require_decree(ctx, agency_id) for agency_id in cmd.agencies}
    if len(set(targets.values())) != len(targets):
        raise ValidationError(
            N_("forward names agencies without SK that go to the same ancestor: {targets}"),
            targets=targets,
        )
    for asked, agency_id in targets.items():
        agency = registry.get(agency_id)
        if asked != agency_id and agency_id == actor.agency_id:
            raise no_decree_error(ctx, asked)
        if agency_id == registry.root.id:
            raise ValidationError(N_("cannot forward to the national root itself"))
        if agency_id in existing:
            raise ValidationError(
                N_("complaint {complaint_id} is already assigned to {agency_id!r}"),
                complaint_id=complaint.id,
                agency_id=agency_id,
            )
        if actor.role is Role.AGENCY_ADMIN and (
            agency_id == actor.agency_id or not in_subtree(ctx, agency_id, actor)
        ):
            raise PermissionDenied(
                N_(
                    "agency admin of {agency_id!r} may forward only to units below it, not "
                    "to {target!r}"
                ),
                agency_id=actor.agency_id,
                target=agency_id,
            )
        _refuse_accused_office(complaint, agency.id, ctx)
    has_lead = any(a.lead for a in complaint.assignments)
    assignments = tuple(
        e.Assignment(
            agency=agency_id,
            handler=agency_id,
            lead=not has_lead and agency_id == targets[cmd.lead_agency],
            forwarded_by=forwarder,
            forwarded_at=now,
        )
        for agency_id in targets.values()
    )
    return (
        e.ComplaintForwarded(
            complaint_id=complaint.id, at=now, actor=actor, assignments=assignments
        ),
    )


def _forward_internally(
    complaint: Complaint, cmd: c.ForwardInternally, actor: Actor, now: datetime, ctx: Context
) -> Events:
    assignment = require_assignment(complaint, cmd.agency, actor, ctx)
    require_agency(ctx, cmd.to)
    if cmd.to == assignment.handler or not ctx.registry.is_within(cmd.to, assignment.handler):
        raise ValidationError(
            N_("internal forwarding goes down the tree: {to!r} is not below {handler!r}"),
            to=cmd.to,
            handler=assignment.handler,
        )
    to = require_decree(ctx, cmd.to)
    if to == assignment.handler or not ctx.registry.is_within(to, assignment.handler):
        # No wrong door found nothing below the handler: the handler keeps it.
        raise no_decree_error(ctx, cmd.to)
    _refuse_accused_office(complaint, to, ctx)
    return (
        e.ForwardedInternally(
            complaint_id=complaint.id, at=now, actor=actor, agency=cmd.agency, to=to
        ),
    )


def _reject(
    complaint: Complaint, cmd: c.RejectDisposition, actor: Actor, now: datetime, ctx: Context
) -> Events:
    assignment = require_assignment(complaint, cmd.agency, actor, ctx)
    if assignment.followed_up_at is not None:
        raise InvalidTransition(
            N_(
                "agency {agency!r} already posted a follow-up on {complaint_id}; it can "
                "no longer reject it as bukan wewenang"
            ),
            agency=cmd.agency,
            complaint_id=complaint.id,
        )
    returned_to = handed_back_to = None
    if _is_below(ctx, actor, assignment.agency):
        # a unit the report was passed down to refuses it: back up to its parent
        handed_back_to = _parent_router(ctx, actor, assignment.agency)
    elif len(complaint.assignments) == 1:  # the last assignment: back to its forwarder
        returned_to = assignment.forwarded_by
    return (
        e.DispositionRejected(
            complaint_id=complaint.id,
            at=now,
            actor=actor,
            agency=cmd.agency,
            reason=cmd.reason,
            returned_to=returned_to,
            handed_back_to=handed_back_to,
        ),
    )


def _is_below(ctx: Context, actor: Actor, agency: str) -> bool:
    """Whether *actor* is of an agency strictly below *agency* (one of its units)."""
    own = actor.agency_id
    return own is not None and own != agency and ctx.registry.is_within(own, agency)


def _parent_router(ctx: Context, actor: Actor, agency: str) -> str:
    """
    Where a unit's refusal sends an assignment of *agency*: the unit's parent router.

    The nearest agency above the refusing unit that has its decree (*SK*), and at most
    *agency* itself, which holds the assignment (domain.md §7.4; the hand-back inside an
    agency is [I]).
    """
    registry = ctx.registry
    assert actor.agency_id is not None  # noqa: S101 - _is_below checked it
    for above in registry.ancestors(actor.agency_id):
        if above.has_decree or above.id == agency:
            return above.id
    return agency  # pragma: no cover - *agency* is an ancestor of the unit


def _delegators(complaint: Complaint, agency: str) -> tuple[str, ...]:
    """
    The agencies whose assignments forwarded *agency*'s down to it, nearest first.

    Each holds the assignment whose agency or handler forwarded the one below it
    (``forwarded_by``), no later than that one: a unit's follow-up answers for them.
    """
    assignments = complaint.assignments
    chain: list[str] = []
    current = next(a for a in assignments if a.agency == agency)
    while True:
        above = next(
            (
                a
                for a in assignments
                if current.forwarded_by in (a.agency, a.handler)
                and a.agency != current.agency
                and a.agency not in chain
                and a.forwarded_at <= current.forwarded_at
            ),
            None,
        )
        if above is None:
            return tuple(chain)
        chain.append(above.agency)
        current = above


def _follow_up(
    complaint: Complaint, cmd: c.PostFollowUp, actor: Actor, now: datetime, ctx: Context
) -> Events:
    require_assignment(complaint, cmd.agency, actor, ctx)
    _require_room(complaint, cmd, ctx)
    return (
        e.FollowUpPosted(
            complaint_id=complaint.id,
            at=now,
            actor=actor,
            agency=cmd.agency,
            text=cmd.text,
            on_behalf_of=_delegators(complaint, cmd.agency),
        ),
    )


def _refuse_after_the_window(complaint: Complaint, now: datetime, ctx: Context) -> None:
    """
    Refuse the reporter's reply or answer once the window for it ran out.

    A clock whose breach ends the report (the reply window closes it, the information
    clock archives it as withdrawn) is past its deadline: the report is the sweep's to
    end, whenever the sweep runs, and no longer the reporter's to answer (domain.md §3.3).
    """
    ending = (BreachAction.AUTO_CLOSE, BreachAction.ARCHIVE_WITHDRAWN)
    for running in complaint.clocks:
        definition = ctx.profile.clocks.get(running.clock)
        if definition is None or definition.breach not in ending:
            continue
        deadline = clock_deadline(running, ctx.calendar)
        if deadline is not None and now >= deadline:
            raise InvalidTransition(
                N_(
                    "the time to answer on complaint {complaint_id} ran out at {deadline} "
                    "(clock {clock!r}): it ends as the profile says"
                ),
                complaint_id=complaint.id,
                deadline=deadline.isoformat(),
                clock=running.clock,
            )


def _reply(complaint: Complaint, cmd: c.Reply, actor: Actor, now: datetime, ctx: Context) -> Events:
    require_scope(complaint, actor, ctx)
    _refuse_after_the_window(complaint, now, ctx)
    _require_room(complaint, cmd, ctx)
    return (e.ReplyPosted(complaint_id=complaint.id, at=now, actor=actor, text=cmd.text),)


def _close(complaint: Complaint, cmd: c.Close, actor: Actor, now: datetime, ctx: Context) -> Events:
    if actor.role is Role.AGENCY_ADMIN:
        lead = next((a for a in complaint.assignments if a.lead), complaint.assignments[0])
        if not in_subtree(ctx, lead.agency, actor):
            raise PermissionDenied(
                N_(
                    "only the lead agency ({agency!r}) or the national admin may close "
                    "complaint {complaint_id}"
                ),
                agency=lead.agency,
                complaint_id=complaint.id,
            )
    return (
        e.ComplaintClosed(
            complaint_id=complaint.id, at=now, actor=actor, automatic=False, note=cmd.note
        ),
    )


def _archive(
    complaint: Complaint, cmd: c.Archive, actor: Actor, now: datetime, ctx: Context
) -> Events:
    require_scope(complaint, actor, ctx)
    lead = next((a for a in complaint.assignments if a.lead), None)
    if actor.role.is_agency_role and lead is not None and not in_subtree(ctx, lead.agency, actor):
        # archiving ends the report for every agency, as closing does
        raise PermissionDenied(
            N_(
                "only the lead agency ({agency!r}) or the national admin may archive "
                "complaint {complaint_id}"
            ),
            agency=lead.agency,
            complaint_id=complaint.id,
        )
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
    require_scope(complaint, actor, ctx)
    return (
        e.ComplaintRated(
            complaint_id=complaint.id, at=now, actor=actor, score=cmd.score, comment=cmd.comment
        ),
    )


def _reopen(
    complaint: Complaint, cmd: c.Reopen, actor: Actor, now: datetime, ctx: Context
) -> Events:
    require_scope(complaint, actor, ctx)
    return (e.ComplaintReopened(complaint_id=complaint.id, at=now, actor=actor, reason=cmd.reason),)


def _privacy(
    complaint: Complaint, cmd: c.ChangePrivacy, actor: Actor, now: datetime, ctx: Context
) -> Events:
    require_scope(complaint, actor, ctx)
    if cmd.privacy == complaint.privacy:
        raise ValidationError(
            N_("complaint {complaint_id} already has privacy {privacy}"),
            complaint_id=complaint.id,
            privacy=cmd.privacy,
        )
    before, after = complaint.privacy, cmd.privacy
    lifted = [
        name
        for name, was, now_on in (
            ("anonim", before.anonymous, after.anonymous),
            ("rahasia", before.confidential, after.confidential),
        )
        if was and not now_on
    ]
    if lifted and actor.role not in (Role.REPORTER, Role.NATIONAL_ADMIN):
        raise PermissionDenied(
            N_(
                "{role} {actor_id!r} may add protection but not lift it: only the "
                "reporter or the national admin may lift {items} on complaint "
                "{complaint_id} (domain.md §2: the reporter chooses it [C]; lifting it "
                "is theirs [I])"
            ),
            role=actor.role.value,
            actor_id=actor.id,
            items=" and ".join(lifted),
            complaint_id=complaint.id,
        )
    return (e.PrivacyChanged(complaint_id=complaint.id, at=now, actor=actor, privacy=cmd.privacy),)


def _events_of(  # noqa: C901, PLR0911, PLR0912 - one case per command type is the point
    complaint: Complaint, command: c.Command, actor: Actor, now: datetime, ctx: Context
) -> Events:
    """The events *command* causes on an existing complaint, by its type."""
    match command:
        case c.Classify():
            return _classify(complaint, command, actor, now, ctx)
        case c.RequestInformation():
            return _request_info(complaint, command, actor, now, ctx)
        case c.ProvideInformation():
            return _provide_info(complaint, command, actor, now, ctx)
        case c.Forward():
            return _forward(complaint, command, actor, now, ctx)
        case c.ForwardInternally():
            return _forward_internally(complaint, command, actor, now, ctx)
        case c.RejectDisposition():
            return _reject(complaint, command, actor, now, ctx)
        case c.PostFollowUp():
            return _follow_up(complaint, command, actor, now, ctx)
        case c.Reply():
            return _reply(complaint, command, actor, now, ctx)
        case c.Close():
            return _close(complaint, command, actor, now, ctx)
        case c.AutoClose():
            return auto_close(complaint, command, actor, now, ctx)
        case c.Archive():
            return _archive(complaint, command, actor, now, ctx)
        case c.Rate():
            return _rate(complaint, command, actor, now, ctx)
        case c.Reopen():
            return _reopen(complaint, command, actor, now, ctx)
        case c.ChangePrivacy():
            return _privacy(complaint, command, actor, now, ctx)
        case c.RecordWarning():
            return record_warning(complaint, command, actor, now, ctx)
        case c.RecordBreach():
            return record_breach(complaint, command, actor, now, ctx)
        case c.ExtendDeadline():
            return extend_deadline(complaint, command, actor, now, ctx)
        case c.RecomputeDeadlines():
            return recompute_deadlines(complaint, command, actor, now, ctx)
    raise InvalidTransition(
        N_("decide does not know command type {type_name}"), type_name=type(command).__name__
    )


def _check_arguments(
    complaint: Complaint | None, command: c.Command, actor: Actor, now: datetime
) -> None:
    require_aware(now, "now")
    if not isinstance(command, c.Command):
        raise ValidationError(N_("not a command: {command!r}"), command=command)
    if not isinstance(actor, Actor):
        raise ValidationError(N_("not an actor: {actor!r}"), actor=actor)
    if complaint is None:
        if not isinstance(command, c.Submit):
            raise NotFound(
                N_("complaint {complaint_id} does not exist; only Submit can create it"),
                complaint_id=command.complaint_id,
            )
        return
    if command.complaint_id != complaint.id:
        raise ValidationError(
            N_("command is for complaint {complaint_id}, not {other_id}"),
            complaint_id=command.complaint_id,
            other_id=complaint.id,
        )
    if now < complaint.updated_at:
        raise ValidationError(
            N_("now ({instant}) is before the complaint's last event ({later})"),
            instant=now.isoformat(),
            later=complaint.updated_at.isoformat(),
        )


def _check_within_calendar(now: datetime, ctx: Context) -> None:
    """
    Refuse a decision outside the years the working-day calendar covers.

    No deadline can be counted there, and a complaint whose last event lies past the
    calendar's end could take no command dated at any real time again.
    """
    calendar = ctx.calendar
    # by the instant's own year: a day either side of the range is refused by the
    # calendar itself when a deadline needs it, and this runs on every command
    if not calendar.first_date.year <= now.year <= calendar.last_date.year:
        raise CalendarRangeError(
            N_("now ({instant}) is outside the calendar's range {first}..{last}"),
            instant=now.isoformat(),
            first=calendar.first_date.isoformat(),
            last=calendar.last_date.isoformat(),
        )


def _check_row(
    complaint: Complaint | None, command: c.Command, actor: Actor, now: datetime, ctx: Context
) -> Transition:
    status = None if complaint is None else complaint.status
    row = ctx.lifecycle.row(status, type(command))
    if actor.role not in row.roles:
        allowed = ", ".join(sorted(r.value for r in row.roles))
        where = (
            LaporError(N_("before submission"))
            if status is None
            else LaporError(N_("in status {status}"), status=status.value)
        )
        raise PermissionDenied(
            N_("{role} {actor_id!r} may not {type_name} {where}; allowed roles: {allowed}"),
            role=actor.role.value,
            actor_id=actor.id,
            type_name=type(command).__name__,
            where=where,
            allowed=allowed,
        )
    if row.guard is not None:
        row.guard(complaint, command, actor, now, ctx.profile)
    return row


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
        The events, in order (possibly several), each with the status the lifecycle
        table's row leads to and the clock changes it causes. Before them come the
        breaches of the clocks the command ends or restarts after their deadline, when
        none was recorded yet (``ClockBreached`` by the same actor, in the status the
        complaint is in; see
        :func:`~lapor_core.domain.clock_commands.breaches_at_stop`).

    Raises:
        ValidationError: Bad data, naive or backwards time, wrong complaint id.
        NotFound: The complaint does not exist yet, or an agency is unknown.
        InvalidTransition: The command is not allowed in this status or profile.
        PermissionDenied: The actor's role or scope does not allow it.

    .. versionadded:: 0.1.0
    """
    _check_arguments(complaint, command, actor, now)
    _check_within_calendar(now, ctx)
    require_agency_actor(ctx, actor)
    if complaint is not None:  # whatever the command and the assignment it names
        require_outside_accused_line(complaint, actor, ctx)
    row = _check_row(complaint, command, actor, now, ctx)
    if complaint is None:
        if not isinstance(command, c.Submit):  # pragma: no cover - _check_arguments refused it
            raise NotFound(
                N_("complaint {complaint_id} does not exist"), complaint_id=command.complaint_id
            )
        drafts = _submit(command, actor, now, ctx)
    else:
        drafts = _events_of(complaint, command, actor, now, ctx)
    return _completed(complaint, row, drafts, ctx)


def _completed(
    complaint: Complaint | None, row: Transition, drafts: Events, ctx: Context
) -> Events:
    """*drafts* with the status the row's outcome leads to and their clock changes."""
    outcome = row.outcome(drafts)
    source = None if complaint is None else complaint.status
    held_from = None if complaint is None else complaint.held_from
    target = ctx.lifecycle.resolve(source, outcome, held_from)
    state = complaint
    events: list[e.Event] = []
    for index, draft in enumerate(drafts):
        last = index == len(drafts) - 1
        changes = clock_changes(draft, state, ctx)
        if state is not None:
            # the clocks this event ends that ran out: their breaches come first
            for breach in breaches_at_stop(state, changes, draft.at, ctx, draft.actor):
                breach = attrs.evolve(breach, status=source)  # noqa: PLW2901 - stamped
                events.append(breach)
                state = evolve(state, breach)
        event = attrs.evolve(
            draft, status=target if last or source is None else source, clock_changes=changes
        )
        events.append(event)
        if not last:
            state = evolve(state, event)
    return tuple(events)
