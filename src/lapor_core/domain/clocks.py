"""
Service-level clocks: definitions, running clocks, deadlines and what is due.

A :class:`ClockDefinition` (from the profile) says which events start, stop, pause and
resume a clock, how long it runs and what a breach does. ``decide`` records each clock
change on the event that caused it (:class:`ClockChange`); ``evolve`` keeps the running
clocks in the complaint state (:class:`RunningClock`: start, pauses, extensions, never a
precomputed due date), so every deadline can be recomputed on a new calendar.

:func:`deadlines` gives each running clock's due instant; :func:`due` gives the clock
commands owed at an instant (warnings, breaches, automatic close); ``decide`` turns them
into events exactly once.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Protocol

import attrs

from lapor_core.domain import commands as c
from lapor_core.domain.calendar import WorkingCalendar
from lapor_core.domain.model import Basis, ComplaintId
from lapor_core.errors import N_, ValidationError

__all__ = [
    "BreachAction",
    "ClockChange",
    "ClockDefinition",
    "ClockOp",
    "ClockScope",
    "Clocked",
    "Deadline",
    "DeadlineChange",
    "DurationUnit",
    "RunningClock",
    "clock_deadline",
    "deadlines",
    "due",
    "is_provisional_deadline",
    "next_due",
    "recompute",
    "warning_instant",
]


class DurationUnit(enum.Enum):
    """
    Unit of a service-standard duration.

    .. versionadded:: 0.1.0
    """

    WORKING_DAYS = "working_days"
    """*Hari kerja* (HK), counted on the working-day calendar."""
    CALENDAR_DAYS = "calendar_days"
    """Calendar days (*hari*)."""
    HOURS = "hours"
    """Hours."""


class BreachAction(enum.Enum):
    """
    What a breached clock does.

    .. versionadded:: 0.1.0
    """

    WARN = "warn"
    """Record the breach only."""
    ESCALATE = "escalate"
    """Record the breach and escalate to the parent agency or the national admin."""
    AUTO_CLOSE = "auto_close"
    """Close the complaint automatically (the reply window)."""
    ARCHIVE_WITHDRAWN = "archive_withdrawn"
    """Archive the complaint as withdrawn (missing information not provided in time)."""
    OMBUDSMAN_REFERRAL = "ombudsman_referral"
    """Record the breach and mark the complaint eligible for an Ombudsman referral."""


class ClockScope(enum.Enum):
    """
    Whether a clock runs once per complaint or once per assigned agency.

    .. versionadded:: 0.1.0
    """

    COMPLAINT = "complaint"
    """One clock for the complaint."""
    ASSIGNMENT = "assignment"
    """One clock per assigned agency (e.g. each agency's follow-up)."""


class ClockOp(enum.Enum):
    """
    A change to a running clock.

    .. versionadded:: 0.1.0
    """

    START = "start"
    """Start (or restart from zero)."""
    STOP = "stop"
    """Stop for good."""
    PAUSE = "pause"
    """Stop counting for now."""
    RESUME = "resume"
    """Count again after a pause."""


@attrs.frozen
class ClockDefinition:
    """
    A clock of the profile.

    Attributes:
        name: Its key (``forwarding``, ``follow_up``, ``reply_window``, ...).
        start: Event names that start it (a running clock restarts). A name may carry a
            qualifier: ``DispositionRejected:returned`` matches only a rejection that
            sent the complaint back to its router, ``DispositionRejected:handed_back``
            only a unit's refusal that handed an assignment back up inside its agency
            (which matches no plain ``DispositionRejected``). A per-assignment clock
            starts for every agency a ``ComplaintForwarded`` assigns, and on any other
            start event (``ComplaintReopened``) restarts for the lead agency alone.
        stop: Event names that stop it (closing and archiving always stop every clock).
        pause: Event names that pause it.
        resume: Event names that resume it.
        duration: Key of the profile's ``durations`` table, or ``None`` when the
            duration comes from the complaint's category (``by_category``).
        by_category: Take the duration from the category's service standard.
        warn_at: Warning thresholds in percent of the running time (e.g. 50, 75).
        breach: What a breach does.
        escalate_to: ``"parent"`` or ``"national"`` for an escalating breach.
        scope: Per complaint or per assigned agency.
        extendable: Whether ``ExtendDeadline`` may extend it.
        basis: Source of the rule.

    .. versionadded:: 0.1.0
    """

    name: str
    start: frozenset[str]
    stop: frozenset[str]
    pause: frozenset[str]
    resume: frozenset[str]
    duration: str | None
    breach: BreachAction
    basis: Basis
    by_category: bool = False
    warn_at: tuple[int, ...] = ()
    escalate_to: str | None = None
    scope: ClockScope = ClockScope.COMPLAINT
    extendable: bool = False


@attrs.frozen
class ClockChange:
    """
    A clock change recorded on the event that caused it.

    ``responsible``, ``time_zone``, ``amount`` and ``unit`` are set on starts.

    .. versionadded:: 0.1.0
    """

    op: ClockOp
    clock: str
    agency: str | None = None
    responsible: str | None = None
    time_zone: str | None = None
    amount: int | None = None
    unit: DurationUnit | None = None


@attrs.frozen
class RunningClock:
    """
    A clock that runs on a complaint: everything needed to recompute its deadline.

    Attributes:
        clock: The definition's name.
        agency: The assigned agency for per-assignment clocks, else ``None``.
        responsible: The agency answerable for it (its time zone counts).
        time_zone: That agency's time zone.
        started_at: When it (re)started.
        amount: Its length, in ``unit``.
        unit: Working days, calendar days or hours.
        pauses: Finished pauses ``(from, to)``.
        paused_at: Start of the current pause, if paused.
        extension: Extra units granted by ``ExtendDeadline``.
        extensions: How many extensions were granted.
        warned: Thresholds already warned.
        breached: Whether the breach was recorded.

    .. versionadded:: 0.1.0
    """

    clock: str
    agency: str | None
    responsible: str
    time_zone: str
    started_at: datetime
    amount: int
    unit: DurationUnit
    pauses: tuple[tuple[datetime, datetime], ...] = ()
    paused_at: datetime | None = None
    extension: int = 0
    extensions: int = 0
    warned: tuple[int, ...] = ()
    breached: bool = False

    @property
    def key(self) -> tuple[str, str | None]:
        """``(clock, agency)``: unique among a complaint's running clocks."""
        return (self.clock, self.agency)


@attrs.frozen
class Deadline:
    """
    A running clock's due instant (``None`` while paused).

    .. versionadded:: 0.1.0
    """

    clock: str
    agency: str | None
    responsible: str
    due_at: datetime | None
    breached: bool
    provisional: bool = False
    """Counted over days past the confirmed calendar data (see
    :attr:`~lapor_core.domain.calendar.WorkingCalendar.provisional_from`): it may move
    when newer data is installed.

    .. versionadded:: 0.2.0
    """


@attrs.frozen
class DeadlineChange:
    """
    How a deadline moves when the calendar changes (see :func:`recompute`).

    .. versionadded:: 0.1.0
    """

    clock: str
    agency: str | None
    before: datetime | None
    after: datetime | None

    @property
    def delta(self) -> timedelta | None:
        """``after - before``, when both exist."""
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


class Clocked(Protocol):
    """
    What the functions below read of a complaint: its id and its running clocks.

    :class:`~lapor_core.domain.state.Complaint` is one.

    .. versionadded:: 0.1.0
    """

    @property
    def id(self) -> ComplaintId:
        """The complaint."""

    @property
    def clocks(self) -> tuple[RunningClock, ...]:
        """Its running clocks."""


@functools.lru_cache(maxsize=256)
def _local(calendar: WorkingCalendar, agency: str, time_zone: str) -> WorkingCalendar:
    """The calendar an agency's clock counts on: its scoped overrides, in its zone (cached)."""
    return _zoned(calendar.for_agency(agency), time_zone)


@functools.lru_cache(maxsize=64)
def _zoned(calendar: WorkingCalendar, time_zone: str) -> WorkingCalendar:
    """The same calendar in another zone (cached: building one takes milliseconds)."""
    if calendar.time_zone == time_zone:
        return calendar
    return calendar.replace(time_zone=time_zone)


def clock_deadline(clock: RunningClock, calendar: WorkingCalendar) -> datetime | None:
    """
    The due instant of a running clock on *calendar* (``None`` while paused).

    The clock's start day is not counted; the deadline is the end of the N-th
    following working (or calendar) day in the responsible agency's time zone, on its
    calendar (with the overrides scoped to it: :meth:`WorkingCalendar.for_agency`), moved
    on by the length of every finished pause and by any extension.

    .. versionadded:: 0.1.0
    """
    if clock.paused_at is not None:
        return None
    amount = clock.amount + clock.extension
    if clock.unit is DurationUnit.HOURS:
        paused = sum((b - a for a, b in clock.pauses), timedelta())
        return clock.started_at + timedelta(hours=amount) + paused
    cal = _local(calendar, clock.responsible, clock.time_zone)
    if clock.unit is DurationUnit.WORKING_DAYS:
        extra = sum(cal.working_days_between(a, b) for a, b in clock.pauses)
        return cal.deadline(clock.started_at, amount + extra)
    extra = sum((cal.local_date(b) - cal.local_date(a)).days for a, b in clock.pauses)
    return cal.add_calendar_days_deadline(clock.started_at, amount + extra)


def deadlines(complaint: Clocked, calendar: WorkingCalendar) -> tuple[Deadline, ...]:
    """
    Each running clock's due instant.

    .. versionadded:: 0.1.0
    """
    found = []
    for rc in complaint.clocks:
        due = clock_deadline(rc, calendar)
        provisional = due is not None and is_provisional_deadline(due, rc.time_zone, calendar)
        found.append(Deadline(rc.clock, rc.agency, rc.responsible, due, rc.breached, provisional))
    return tuple(found)


def is_provisional_deadline(due: datetime, time_zone: str, calendar: WorkingCalendar) -> bool:
    """
    Whether a deadline due at *due* (in the agency's *time_zone*) is provisional.

    A deadline is the end of a day (the next local midnight): it is provisional when
    that day, the last one counted, is on or after the calendar's
    :attr:`~lapor_core.domain.calendar.WorkingCalendar.provisional_from`.

    .. versionadded:: 0.2.0
    """
    last_moment = due - timedelta(microseconds=1)
    return _zoned(calendar, time_zone).is_provisional(last_moment)


def warning_instant(clock: RunningClock, deadline: datetime, threshold: int) -> datetime:
    """
    When *threshold* percent of the clock's running time has passed.

    Running time is wall time from the start to the deadline, less finished pauses. The
    instant is found by walking the pauses in order: a pause before it moves it on by the
    pause's length, a pause after it does not (a 50% warning owed before a hold stays
    owed at the same instant after the hold).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 Only the pauses before the instant move it.
    """
    paused = sum((b - a for a, b in clock.pauses), timedelta())
    remaining = (deadline - clock.started_at - paused) * threshold / 100
    at = clock.started_at
    for start, end in sorted(clock.pauses):
        if start - at >= remaining:
            break
        remaining -= start - at
        at = end
    return at + remaining


_SCHEDULES = 1 << 16
"""How many running clocks' schedules :func:`_schedule` keeps (a few days of a national year)."""


@functools.lru_cache(maxsize=_SCHEDULES)
def _schedule(
    clock: RunningClock, calendar: WorkingCalendar, warn_at: tuple[int, ...]
) -> tuple[datetime, tuple[tuple[int, datetime], ...]] | None:
    """
    A running clock's deadline and the instant of each warning it has not given yet.

    ``None`` while paused. Cached: a clock no command changed keeps its schedule, and
    :func:`due` and :func:`next_due` ask for it again with most commands and sweeps.
    """
    deadline = clock_deadline(clock, calendar)
    if deadline is None:
        return None
    warnings = tuple(
        (threshold, warning_instant(clock, deadline, threshold))
        for threshold in warn_at
        if threshold not in clock.warned
    )
    return deadline, warnings


def due(
    complaint: Clocked,
    now: datetime,
    calendar: WorkingCalendar,
    definitions: Mapping[str, ClockDefinition],
) -> tuple[c.Command, ...]:
    """
    The clock commands owed at *now*: warnings not yet recorded, breaches not yet recorded.

    A breach whose action is automatic close is owed as :class:`AutoClose`; every other
    breach as :class:`RecordBreach`. The commands that end the report (an automatic close,
    an archive as withdrawn) come last, after the warnings and the other breaches. Once
    the resulting events are applied, nothing more is owed for the same thresholds
    (exactly once).

    .. versionadded:: 0.1.0
    """
    owed: list[c.Command] = []
    ending: list[c.Command] = []  # last: what ends the report comes after the other breaches
    for rc in complaint.clocks:
        definition = definitions.get(rc.clock)
        if rc.breached or definition is None:
            continue
        schedule = _schedule(rc, calendar, definition.warn_at)
        if schedule is None:
            continue
        deadline, warnings = schedule
        if now >= deadline:
            if definition.breach is BreachAction.AUTO_CLOSE:
                ending.append(c.AutoClose(complaint_id=complaint.id))
                continue
            breach = c.RecordBreach(complaint_id=complaint.id, clock=rc.clock, agency=rc.agency)
            if definition.breach is BreachAction.ARCHIVE_WITHDRAWN:
                ending.append(breach)
            else:
                owed.append(breach)
            continue
        owed.extend(
            c.RecordWarning(
                complaint_id=complaint.id, clock=rc.clock, agency=rc.agency, threshold=threshold
            )
            for threshold, at in warnings
            if now >= at
        )
    return (*owed, *ending)


def recompute(
    complaint: Clocked, before: WorkingCalendar, after: WorkingCalendar
) -> tuple[DeadlineChange, ...]:
    """
    Every running clock's deadline on the old and the new calendar, where it differs.

    History is not rewritten: clocks keep their starts and pauses; only the calendar
    used to count them changes (e.g. a decree adding a day off mid-year).

    .. versionadded:: 0.1.0
    """
    changes = []
    for rc in complaint.clocks:
        old = clock_deadline(rc, before)
        new = clock_deadline(rc, after)
        if old != new:
            changes.append(DeadlineChange(rc.clock, rc.agency, old, new))
    return tuple(changes)


def _started(change: ClockChange, at: datetime) -> RunningClock:
    """The clock a start *change* starts at *at*."""
    if (
        change.responsible is None
        or change.time_zone is None
        or change.amount is None
        or change.unit is None
    ):
        raise ValidationError(
            N_("the start of clock {clock!r} lacks its duration or agency"), clock=change.clock
        )
    return RunningClock(
        clock=change.clock,
        agency=change.agency,
        responsible=change.responsible,
        time_zone=change.time_zone,
        started_at=at,
        amount=change.amount,
        unit=change.unit,
    )


def _index_of(running: list[RunningClock], change: ClockChange) -> int | None:
    """Where the clock *change* is about runs among *running*, if it does."""
    for index, rc in enumerate(running):
        if rc.clock == change.clock and rc.agency == change.agency:
            return index
    return None


def apply_changes(
    clocks: tuple[RunningClock, ...], changes: tuple[ClockChange, ...], at: datetime
) -> tuple[RunningClock, ...]:
    """
    Apply an event's clock changes, in order, to the running clocks (for ``evolve``).

    A start (re)starts the clock from zero and moves it to the end; a stop removes it;
    a pause and a resume change a running clock and do nothing to one that is not
    running (or already paused, or not paused).

    .. versionadded:: 0.1.0
    """
    running = list(clocks)
    for change in changes:
        index = _index_of(running, change)
        if change.op is ClockOp.START:
            if index is not None:
                del running[index]
            running.append(_started(change, at))
        elif index is None:
            continue
        elif change.op is ClockOp.STOP:
            del running[index]
        elif change.op is ClockOp.PAUSE and running[index].paused_at is None:
            running[index] = attrs.evolve(running[index], paused_at=at)
        elif change.op is ClockOp.RESUME:
            rc = running[index]
            if rc.paused_at is not None:
                running[index] = attrs.evolve(
                    rc, paused_at=None, pauses=(*rc.pauses, (rc.paused_at, at))
                )
    return tuple(running)


def next_due(
    complaint: Clocked,
    calendar: WorkingCalendar,
    definitions: Mapping[str, ClockDefinition],
) -> datetime | None:
    """
    The earliest instant at which :func:`due` will owe something.

    ``None`` means never, as things stand. Stores index it so that a sweep finds due
    complaints without a scan.

    .. versionadded:: 0.1.0
    """
    earliest: datetime | None = None
    for rc in complaint.clocks:
        definition = definitions.get(rc.clock)
        if rc.breached or definition is None:
            continue
        schedule = _schedule(rc, calendar, definition.warn_at)
        if schedule is None:
            continue
        deadline, warnings = schedule
        candidate = min([*(at for _, at in warnings), deadline])
        if earliest is None or candidate < earliest:
            earliest = candidate
    return earliest
