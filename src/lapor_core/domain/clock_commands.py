"""
The clock commands: warnings, breaches, automatic close and deadline extensions.

The sweeper issues :class:`~lapor_core.domain.commands.RecordWarning`,
:class:`~lapor_core.domain.commands.RecordBreach` and
:class:`~lapor_core.domain.commands.AutoClose` when :func:`~lapor_core.domain.clocks.due`
says they are owed; an agency admin asks for
:class:`~lapor_core.domain.commands.ExtendDeadline`. These functions are the checks and
events of those commands for :func:`~lapor_core.domain.complaint.decide`.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta

from lapor_core.domain import commands as c
from lapor_core.domain import events as e
from lapor_core.domain.actors import Actor
from lapor_core.domain.calendar import WorkingCalendar
from lapor_core.domain.clocks import (
    BreachAction,
    ClockChange,
    ClockDefinition,
    ClockOp,
    DurationUnit,
    RunningClock,
    clock_deadline,
    recompute,
    warning_instant,
)
from lapor_core.domain.context import Context
from lapor_core.domain.model import ArchiveReason, Status
from lapor_core.domain.scope import in_subtree
from lapor_core.domain.state import Complaint
from lapor_core.errors import (
    N_,
    InvalidTransition,
    LaporError,
    PermissionDenied,
)

__all__ = [
    "auto_close",
    "breaches_at_stop",
    "extend_deadline",
    "recompute_deadlines",
    "record_breach",
    "record_warning",
]

Events = tuple[e.Event, ...]


def _clock_words(clock: str, agency: str | None) -> LaporError:
    """``clock 'forwarding' of 'berau'``: the clock a message is about, to translate."""
    if agency:
        return LaporError(N_("clock {clock!r} of {agency!r}"), clock=clock, agency=agency)
    return LaporError(N_("clock {clock!r}"), clock=clock)


def _owed_breach(
    complaint: Complaint, clock: str, agency: str | None, now: datetime, ctx: Context
) -> tuple[RunningClock, datetime]:
    running = complaint.clock(clock, agency)
    who = _clock_words(clock, agency)
    if running is None:
        raise InvalidTransition(
            N_("{who} is not running on complaint {complaint_id}"),
            who=who,
            complaint_id=complaint.id,
        )
    if running.breached:
        raise InvalidTransition(
            N_("the breach of {who} on {complaint_id} is already recorded"),
            who=who,
            complaint_id=complaint.id,
        )
    deadline = clock_deadline(running, ctx.calendar)
    if deadline is None:
        raise InvalidTransition(
            N_("{who} on {complaint_id} is paused"), who=who, complaint_id=complaint.id
        )
    if now < deadline:
        raise InvalidTransition(
            N_("{who} on {complaint_id} is not breached before {instant}"),
            who=who,
            complaint_id=complaint.id,
            instant=deadline.isoformat(),
        )
    return running, deadline


def _breached(
    complaint: Complaint,
    *,
    running: RunningClock,
    definition: ClockDefinition,
    deadline: datetime,
    actor: Actor,
    now: datetime,
    ctx: Context,
) -> e.ClockBreached:
    """The breach of *running*, with where it escalates to (its definition says)."""
    escalated_to = None
    if definition.breach is BreachAction.ESCALATE:
        root = ctx.registry.root.id
        escalated_to = root
        if definition.escalate_to == "parent" and running.responsible in ctx.registry:
            parent = ctx.registry.get(running.responsible).parent
            escalated_to = parent if parent is not None else root
    return e.ClockBreached(
        complaint_id=complaint.id,
        at=now,
        actor=actor,
        clock=running.clock,
        agency=running.agency,
        deadline=deadline,
        action=definition.breach,
        escalated_to=escalated_to,
    )


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
        raise InvalidTransition(
            N_("profile {profile_name!r} has no clock {clock!r}"),
            profile_name=ctx.profile.name,
            clock=running.clock,
        )
    breached = _breached(
        complaint,
        running=running,
        definition=definition,
        deadline=deadline,
        actor=actor,
        now=now,
        ctx=ctx,
    )
    if definition.breach is BreachAction.AUTO_CLOSE:
        if complaint.status is not Status.IN_PROGRESS:
            raise InvalidTransition(
                N_("automatic close applies in in_progress, not {status}"),
                status=complaint.status.value,
            )
        return (
            breached,
            e.ComplaintClosed(complaint_id=complaint.id, at=now, actor=actor, automatic=True),
        )
    if definition.breach is BreachAction.ARCHIVE_WITHDRAWN:
        if complaint.status is not Status.ON_HOLD:
            raise InvalidTransition(
                N_("archiving as withdrawn applies on hold, not {status}"),
                status=complaint.status.value,
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


_ENDING = frozenset({BreachAction.AUTO_CLOSE, BreachAction.ARCHIVE_WITHDRAWN})
"""Breach actions that end the report: the sweep's to take, never a side effect."""


def breaches_at_stop(
    complaint: Complaint,
    changes: tuple[ClockChange, ...],
    now: datetime,
    ctx: Context,
    actor: Actor,
) -> tuple[e.ClockBreached, ...]:
    """
    The breaches of the clocks *changes* end after their deadline passed.

    A clock that ran out is breached whether or not a sweep ran in between: when an
    event stops it (a late follow-up, a close), pauses it (a hold) or starts it again,
    its breach is recorded first, at *now*, with what its definition does (an
    escalation, an Ombudsman referral, a warning). A clock whose breach ends the report
    (automatic close, archive as withdrawn) is recorded only when a close or an archive
    stops it, as a breach alone: the report then ends as that command says. Restarting
    one is not a breach (the reporter's reply and answer are refused once it ran out).
    The breaches are recorded by *actor*, whose command ended the clocks (the events of
    one command share their actor: an import's are its account's, a sweep's its
    sweeper's).

    .. versionadded:: 0.2.0
    """
    touched = {(ch.clock, ch.agency): ch.op for ch in changes if ch.op in _ENDED_BY}
    if not touched:
        return ()
    owed: list[e.ClockBreached] = []
    for running in complaint.clocks:
        op = touched.get(running.key)
        if op is None or running.breached or now < _earliest_end(running):
            continue
        definition = ctx.profile.clocks.get(running.clock)
        if definition is None or (definition.breach in _ENDING and op is not ClockOp.STOP):
            continue
        deadline = clock_deadline(running, ctx.calendar)
        if deadline is None or now < deadline:
            continue
        owed.append(
            _breached(
                complaint,
                running=running,
                definition=definition,
                deadline=deadline,
                actor=actor,
                now=now,
                ctx=ctx,
            )
        )
    return tuple(owed)


def _earliest_end(running: RunningClock) -> datetime:
    """
    An instant the clock's deadline is never before: its length after its start.

    The start day is not counted and pauses and extensions only move the deadline on
    (:func:`~lapor_core.domain.clocks.clock_deadline`), so before this instant the
    deadline need not be computed.
    """
    unit = timedelta(hours=1) if running.unit is DurationUnit.HOURS else timedelta(days=1)
    return running.started_at + running.amount * unit


_ENDED_BY = frozenset({ClockOp.STOP, ClockOp.PAUSE, ClockOp.START})
"""The clock changes after which a running clock's breach would not be recorded."""


def auto_close(
    complaint: Complaint, _cmd: c.AutoClose, actor: Actor, now: datetime, ctx: Context
) -> Events:
    """
    Close a complaint whose automatic-close clock has run out (the reply window).

    Raises:
        InvalidTransition: No such clock is running, or it is not breached yet.

    .. versionadded:: 0.1.0
    """
    for candidate in complaint.clocks:
        definition = ctx.profile.clocks.get(candidate.clock)
        if definition is not None and definition.breach is BreachAction.AUTO_CLOSE:
            running, deadline = _owed_breach(complaint, candidate.clock, candidate.agency, now, ctx)
            return _breach_events(
                complaint, running=running, deadline=deadline, actor=actor, now=now, ctx=ctx
            )
    raise InvalidTransition(
        N_("no automatic-close clock is running on complaint {complaint_id}"),
        complaint_id=complaint.id,
    )


def record_breach(
    complaint: Complaint, cmd: c.RecordBreach, actor: Actor, now: datetime, ctx: Context
) -> Events:
    """
    Record the breach of a clock that has run out, with what its definition does.

    Escalating breaches name where they escalate to; an automatic close or an archive
    as withdrawn follows the breach.

    Raises:
        InvalidTransition: The clock is not running, paused, not due, or already breached.

    .. versionadded:: 0.1.0
    """
    running, deadline = _owed_breach(complaint, cmd.clock, cmd.agency, now, ctx)
    return _breach_events(
        complaint, running=running, deadline=deadline, actor=actor, now=now, ctx=ctx
    )


def record_warning(
    complaint: Complaint, cmd: c.RecordWarning, actor: Actor, now: datetime, ctx: Context
) -> Events:
    """
    Record a warning threshold (e.g. 50 %) a running clock has passed.

    Raises:
        InvalidTransition: No such threshold, already warned, or not due yet.

    .. versionadded:: 0.1.0
    """
    running = complaint.clock(cmd.clock, cmd.agency)
    definition = ctx.profile.clocks.get(cmd.clock)
    who = _clock_words(cmd.clock, cmd.agency)
    if running is None or definition is None:
        raise InvalidTransition(
            N_("{who} is not running on complaint {complaint_id}"),
            who=who,
            complaint_id=complaint.id,
        )
    if cmd.threshold not in definition.warn_at:
        raise InvalidTransition(
            N_("{who} has no {threshold}% warning; it warns at {warn_at}"),
            who=who,
            threshold=cmd.threshold,
            warn_at=definition.warn_at,
        )
    if cmd.threshold in running.warned or running.breached:
        raise InvalidTransition(
            N_("the {threshold}% warning of {who} is already recorded"),
            threshold=cmd.threshold,
            who=who,
        )
    deadline = clock_deadline(running, ctx.calendar)
    if deadline is None or now < warning_instant(running, deadline, cmd.threshold):
        raise InvalidTransition(
            N_("the {threshold}% warning of {who} is not due yet"), threshold=cmd.threshold, who=who
        )
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


def extend_deadline(
    complaint: Complaint, cmd: c.ExtendDeadline, actor: Actor, now: datetime, ctx: Context
) -> Events:
    """
    Extend a running clock, within the profile's limits, for its responsible agency.

    Raises:
        InvalidTransition: Extensions are off, the clock cannot be extended, is breached,
            or the limits are exceeded.
        PermissionDenied: The actor is not of the responsible agency's subtree.

    .. versionadded:: 0.1.0
    """
    option = ctx.profile.extension
    if not option.enabled:
        raise InvalidTransition(
            N_("profile {profile_name!r} does not allow extensions"), profile_name=ctx.profile.name
        )
    running = complaint.clock(cmd.clock, cmd.agency)
    definition = ctx.profile.clocks.get(cmd.clock)
    who = _clock_words(cmd.clock, cmd.agency)
    if running is None or definition is None:
        raise InvalidTransition(
            N_("{who} is not running on complaint {complaint_id}"),
            who=who,
            complaint_id=complaint.id,
        )
    if not definition.extendable:
        raise InvalidTransition(
            N_("{who} cannot be extended (profile {profile_name!r})"),
            who=who,
            profile_name=ctx.profile.name,
        )
    deadline = clock_deadline(running, ctx.calendar)
    if running.breached or (deadline is not None and now >= deadline):
        # past its deadline it is breached, recorded or not: an extension may not undo it
        raise InvalidTransition(
            N_("{who} is already breached; it can no longer be extended"), who=who
        )
    if running.extensions >= option.max_count:
        raise InvalidTransition(
            N_("{who} was extended {extensions} time(s); the limit is {max_count}"),
            who=who,
            extensions=running.extensions,
            max_count=option.max_count,
        )
    if cmd.amount > option.max_amount:
        raise InvalidTransition(
            N_("an extension of {amount} exceeds the limit of {max_amount}"),
            amount=cmd.amount,
            max_amount=option.max_amount,
        )
    if not in_subtree(ctx, running.responsible, actor):
        raise PermissionDenied(
            N_("only the responsible agency ({responsible!r}) may extend {who}"),
            responsible=running.responsible,
            who=who,
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


@functools.lru_cache(maxsize=16)
def _as_of(calendar: WorkingCalendar, confirmed_until: int) -> WorkingCalendar:
    """*calendar* as it counted with the data confirmed up to *confirmed_until* (cached)."""
    return calendar.replace(confirmed_until=confirmed_until)


def recompute_deadlines(
    complaint: Complaint, cmd: c.RecomputeDeadlines, actor: Actor, now: datetime, ctx: Context
) -> Events:
    """
    Record how newer calendar data moves the running clocks' deadlines, once.

    The deadlines before are those of the calendar counted with the data confirmed up to
    ``cmd.previous_until``; after, those of ``ctx.calendar``.

    The event is recorded even when no deadline moves (a paused clock has none): it marks
    the complaint as recomputed with this data.

    Raises:
        InvalidTransition: The data is not newer than ``previous_until``, or the complaint
            was already recomputed with this data.

    .. versionadded:: 0.2.0
    """
    current = ctx.calendar.confirmed_until
    if cmd.previous_until >= current:
        raise InvalidTransition(
            N_(
                "the calendar's data is confirmed up to {current}, not newer than "
                "{previous_until}: no deadline can move"
            ),
            current=current,
            previous_until=cmd.previous_until,
        )
    done = complaint.record.deadlines_confirmed_until
    if done is not None and done >= current:
        raise InvalidTransition(
            N_("complaint {complaint_id} was already recomputed with the data up to {done}"),
            complaint_id=complaint.id,
            done=done,
        )
    changes = recompute(complaint, _as_of(ctx.calendar, cmd.previous_until), ctx.calendar)
    return (
        e.DeadlinesRecomputed(
            complaint_id=complaint.id,
            at=now,
            actor=actor,
            changes=changes,
            confirmed_until=current,
        ),
    )
