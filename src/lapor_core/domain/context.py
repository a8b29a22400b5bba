"""
What ``decide`` needs besides the complaint, and the clock changes each event causes.

A :class:`Context` pairs a profile's :class:`~lapor_core.domain.lifecycle.Lifecycle`
with the agency registry and a calendar, and indexes the profile's clocks by the
events that drive them (the clock plan). :func:`clock_changes` turns an event, given
the state before it, into the clock changes ``decide`` records on it.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType

import attrs

from lapor_core.domain import events as e
from lapor_core.domain.agencies import AgencyRegistry
from lapor_core.domain.calendar import CalendarOverride, WorkingCalendar
from lapor_core.domain.clocks import (
    ClockChange,
    ClockDefinition,
    ClockOp,
    ClockScope,
)
from lapor_core.domain.lifecycle import Lifecycle
from lapor_core.domain.model import RegionCode, Status
from lapor_core.domain.profile import Profile
from lapor_core.domain.state import Complaint

__all__ = ["ClockPlan", "Context", "clock_changes", "compile_clock_plan", "scoped_calendar"]

ClockPlan = Mapping[str, tuple[tuple[ClockDefinition, ClockOp], ...]]
"""Event name -> the clocks it drives and how (start, stop, pause, resume)."""


def _plan_of(context: Context) -> ClockPlan:
    return compile_clock_plan(context.lifecycle.profile)


@attrs.frozen
class Context:
    """
    What ``decide`` needs besides the complaint: lifecycle, registry and calendar.

    Build it once per deployment with :meth:`create`.

    .. versionadded:: 0.1.0
    """

    lifecycle: Lifecycle
    registry: AgencyRegistry
    calendar: WorkingCalendar
    clock_plan: ClockPlan = attrs.field(
        init=False,
        repr=False,
        eq=False,
        default=attrs.Factory(_plan_of, takes_self=True),
    )
    """The profile's clocks indexed by the events that drive them."""

    def start_change(
        self,
        definition: ClockDefinition,
        category: str | None,
        agency: str | None,
        responsible: str,
        *,
        submitted_at: datetime,
        started_at: datetime | None = None,
    ) -> ClockChange | None:
        """
        The start of a clock for *responsible*, if it starts.

        It runs for the profile's duration (for the complaint's *category*, where the
        clock follows service standards) in the responsible agency's time zone (the
        profile's, for an agency the registry does not know), in the version in force
        when the complaint was submitted (*submitted_at*; see
        :meth:`Profile.duration_of <lapor_core.domain.profile.Profile.duration_of>`).
        ``None``: the clock does not start (no service standard for the category).

        .. versionchanged:: 0.2.0
           *submitted_at* and *started_at*.
        """
        duration = self.profile.duration_of(definition, category, submitted_at, started_at)
        if duration is None:
            return None
        registry = self.registry
        zone = (
            registry.get(responsible).time_zone
            if responsible in registry
            else self.profile.time_zone
        )
        return ClockChange(
            ClockOp.START,
            definition.name,
            agency=agency,
            responsible=responsible,
            time_zone=zone,
            amount=duration.amount,
            unit=duration.unit,
        )

    @property
    def profile(self) -> Profile:
        """The profile the lifecycle was built for."""
        return self.lifecycle.profile

    @classmethod
    def create(
        cls,
        profile: Profile,
        registry: AgencyRegistry,
        calendar: WorkingCalendar | None = None,
    ) -> Context:
        """
        Compile the profile's lifecycle and pair it with the registry and a calendar.

        The default calendar is :meth:`Profile.calendar`: the profile's time zone,
        counting *cuti bersama* as its ``cuti_bersama`` option says, with its dated
        ``[[calendar.override]]`` entries.
        """
        if calendar is None:
            calendar = profile.calendar()
        return cls(Lifecycle(profile), registry, scoped_calendar(calendar, registry))


def scoped_calendar(calendar: WorkingCalendar, registry: AgencyRegistry) -> WorkingCalendar:
    """
    *calendar* with its scoped overrides resolved per agency of *registry*.

    An override limited to a region applies to the agencies whose region is that code or
    lies inside it; one limited to an agency, to that agency and every agency under it
    (an agency the registry does not know matches nothing); one limited to both, to the
    agencies that are in both. The result's
    ``agency_overrides`` list them per agency id, for
    :meth:`~lapor_core.domain.calendar.WorkingCalendar.for_agency`.

    .. versionadded:: 0.2.0
    """
    scoped = [o for o in calendar.overrides if o.scoped]
    if not scoped:
        return calendar.replace(agency_overrides=()) if calendar.agency_overrides else calendar
    resolved = []
    for agency in registry:
        applies = tuple(
            attrs.evolve(o, region=None, agency=None)
            for o in scoped
            if _in_scope(o, agency.id, agency.region, registry)
        )
        if applies:
            resolved.append((agency.id, applies))
    return calendar.replace(agency_overrides=tuple(resolved))


def _in_scope(
    override: CalendarOverride, agency: str, region: RegionCode | None, registry: AgencyRegistry
) -> bool:
    if override.agency is not None and not (
        override.agency in registry and registry.is_within(agency, override.agency)
    ):
        return False
    if override.region is not None:
        return region is not None and RegionCode(override.region).contains(region)
    return True


# --------------------------------------------------------------------------- clocks

_TERMINAL_EVENTS = (e.ComplaintClosed, e.ComplaintArchived)


def _responsible_after(event: e.Event, before: Complaint | None) -> str:
    """Who answers for the complaint once *event* is applied (for clocks it starts)."""
    if isinstance(event, e.ComplaintSubmitted):
        return event.router
    assert before is not None  # noqa: S101 - only a submission has no state before it
    if isinstance(event, e.DispositionRejected) and event.returned_to is not None:
        return event.returned_to
    if isinstance(event, e.ComplaintForwarded) and not before.assignments:
        for assignment in event.assignments:
            if assignment.lead:
                return assignment.agency
        return event.assignments[0].agency
    return before.responsible


def _category_code(event: e.Event, before: Complaint | None) -> str | None:
    """
    The complaint's category code as the event leaves it.

    A submission brings its own; a classification that names one sets it.
    """
    if isinstance(event, e.ComplaintSubmitted):
        category = event.category
    else:
        assert before is not None  # noqa: S101 - only a submission has no state before it
        category = before.category
        if isinstance(event, e.ComplaintClassified) and event.category is not None:
            category = event.category
    return category.code if category is not None else None


def _lead_agency(before: Complaint | None) -> str | None:
    """The agency that leads the complaint's assignments (the first, when none is marked)."""
    if before is None or not before.assignments:
        return None
    for assignment in before.assignments:
        if assignment.lead:
            return assignment.agency
    return before.assignments[0].agency


def _starts(
    definition: ClockDefinition,
    event: e.Event,
    before: Complaint | None,
    category: str | None,
    ctx: Context,
) -> list[ClockChange]:
    """
    The starts of *definition* that *event* causes (one per new assignment, or one).

    A per-assignment clock starts for every agency a forwarding assigns, and for the
    assignment a unit handed back (answered for by the level it went back to); any other
    start event (a reopening) restarts it for the lead agency alone, and for no one when
    the complaint has no agency yet.
    """
    targets: list[tuple[str | None, str]]
    if definition.scope is ClockScope.ASSIGNMENT:
        if isinstance(event, e.ComplaintForwarded):
            targets = [(a.agency, a.agency) for a in event.assignments]
        elif isinstance(event, e.DispositionRejected) and event.handed_back_to is not None:
            targets = [(event.agency, event.handed_back_to)]
        else:
            lead = _lead_agency(before)
            if lead is None:
                return []
            targets = [(lead, lead)]
    else:
        targets = [(None, _responsible_after(event, before))]
    submitted_at = event.at if isinstance(event, e.ComplaintSubmitted) else None
    if submitted_at is None:
        assert before is not None  # noqa: S101 - only a submission has no state before it
        submitted_at = before.submitted_at
    changes: list[ClockChange] = []
    for agency, responsible in targets:
        change = ctx.start_change(
            definition,
            category,
            agency,
            responsible,
            submitted_at=submitted_at,
            started_at=event.at,
        )
        if change is not None:
            changes.append(change)
    return changes


def clock_changes(
    event: e.Event, before: Complaint | None, ctx: Context
) -> tuple[ClockChange, ...]:
    """
    The clock changes *event* causes, given the state before it.

    Closing and archiving stop every running clock; otherwise the profile's clock plan
    says which clocks the event starts, stops, pauses or resumes (a rejection that
    returned the report also matches ``DispositionRejected:returned``). A unit's
    hand-back (``DispositionRejected`` with ``handed_back_to``) matches only
    ``DispositionRejected:handed_back``: the assignment stays, and its clocks run on. A
    follow-up acts on the per-assignment clocks of its agency and of the agencies it
    answers for (``FollowUpPosted.on_behalf_of``). A classification that gives a
    category of another standard starts the service-standard (``by_category``) clocks
    again for it, or stops them when it has none.

    .. versionadded:: 0.1.0
    """
    running = before.clocks if before is not None else ()
    if isinstance(event, _TERMINAL_EVENTS):
        return tuple(ClockChange(ClockOp.STOP, rc.clock, rc.agency) for rc in running)
    plan = ctx.clock_plan
    if isinstance(event, e.DispositionRejected) and event.handed_back_to is not None:
        # the assignment stays, and so do its clocks: only what names a hand-back
        entries = plan.get("DispositionRejected:handed_back", ())
    else:
        entries = plan.get(type(event).__name__, ())
    if isinstance(event, e.DispositionRejected) and event.returned_to is not None:
        entries = (*entries, *plan.get("DispositionRejected:returned", ()))
    event_agency: str | None = getattr(event, "agency", None)
    agencies = {event_agency}
    if isinstance(event, e.FollowUpPosted):
        agencies.update(event.on_behalf_of)  # a unit's follow-up answers for its delegators
    code = _category_code(event, before)
    changes: list[ClockChange] = []
    if isinstance(event, e.ComplaintClassified) and before is not None:
        changes.extend(_category_changes(event, before, ctx))
    for definition, op in entries:
        if op is ClockOp.START:
            changes.extend(_starts(definition, event, before, code, ctx))
            continue
        per_complaint = definition.scope is ClockScope.COMPLAINT or event_agency is None
        changes.extend(
            [
                ClockChange(op, definition.name, rc.agency)
                for rc in running
                if rc.clock == definition.name and (per_complaint or rc.agency in agencies)
            ]
        )
    return tuple(changes)


def _category_changes(
    event: e.ComplaintClassified, before: Complaint, ctx: Context
) -> list[ClockChange]:
    """
    The service-standard clocks a change of category starts again, starts or stops.

    A ``by_category`` clock runs for the standard of the complaint's category. When a
    classification gives a category of another standard, each such clock that runs
    starts again, from the classification, for the new standard (paused still, if it
    was paused), or stops when the new category has none; one that could not start at
    submission, for want of a standard, starts now (paused, on hold, if the hold pauses
    it). A category of the same standard changes nothing: a reclassification never buys
    time. (A ``by_category`` clock that starts on another event than the submission is
    started by that event only.)
    """
    new = event.category
    if new is None or new == before.category:
        return []
    changes: list[ClockChange] = []
    for definition in ctx.profile.clocks.values():
        if not definition.by_category:
            continue
        running = [rc for rc in before.clocks if rc.clock == definition.name]
        if not running:
            changes.extend(_first_start(definition, new.code, event.at, before, ctx))
        for rc in running:
            change = ctx.start_change(
                definition,
                new.code,
                rc.agency,
                rc.responsible,
                submitted_at=before.submitted_at,
                started_at=event.at,
            )
            if change is None:
                changes.append(ClockChange(ClockOp.STOP, definition.name, rc.agency))
            elif (change.amount, change.unit) != (rc.amount, rc.unit):
                changes.append(change)
                if rc.paused_at is not None:  # on hold: it counts again when the hold ends
                    changes.append(ClockChange(ClockOp.PAUSE, definition.name, rc.agency))
    return changes


def _first_start(
    definition: ClockDefinition, code: str, at: datetime, before: Complaint, ctx: Context
) -> list[ClockChange]:
    """The start of a service-standard clock that could not start at submission."""
    old = before.category
    submitted_at = before.submitted_at
    never_started = (
        definition.scope is ClockScope.COMPLAINT
        and "ComplaintSubmitted" in definition.start
        and ctx.profile.duration_of(definition, old.code if old else None, submitted_at) is None
    )
    if not never_started:
        return []
    change = ctx.start_change(
        definition, code, None, before.responsible, submitted_at=submitted_at, started_at=at
    )
    if change is None:
        return []
    if before.status is Status.ON_HOLD and "InformationRequested" in definition.pause:
        return [change, ClockChange(ClockOp.PAUSE, definition.name)]  # as if it had started
    return [change]


def compile_clock_plan(profile: Profile) -> ClockPlan:
    """
    Index the profile's clocks by trigger: event name -> ((clock, operation), ...).

    A clock reacts to an event once: start wins over stop, stop over pause, pause over
    resume.

    .. versionadded:: 0.1.0
    """
    plan: dict[str, list[tuple[ClockDefinition, ClockOp]]] = {}
    for definition in profile.clocks.values():
        seen: set[str] = set()
        for op, triggers in (
            (ClockOp.START, definition.start),
            (ClockOp.STOP, definition.stop),
            (ClockOp.PAUSE, definition.pause),
            (ClockOp.RESUME, definition.resume),
        ):
            for trigger in sorted(triggers - seen):
                plan.setdefault(trigger, []).append((definition, op))
            seen |= triggers
    return MappingProxyType({k: tuple(v) for k, v in plan.items()})
