"""
Internal: :class:`Context` and the clock plan, re-exported by the complaint module.

The context is what ``decide`` needs besides the complaint; the clock plan turns each
event into the clock changes it records.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from lapor_core.domain import events as e
from lapor_core.domain._state import Complaint
from lapor_core.domain.agencies import AgencyRegistry
from lapor_core.domain.calendar import WorkingCalendar
from lapor_core.domain.clocks import (
    ClockChange,
    ClockDefinition,
    ClockOp,
    ClockScope,
)
from lapor_core.domain.lifecycle import Lifecycle
from lapor_core.domain.profile import Profile


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
    clock_plan: Mapping[str, tuple[tuple[ClockDefinition, ClockOp], ...]] = attrs.field(
        init=False, repr=False, eq=False
    )
    _clock_changes: dict[tuple[Any, ...], ClockChange | None] = attrs.field(
        init=False, repr=False, eq=False
    )
    _event_changes: dict[tuple[Any, ...], tuple[ClockChange, ...]] = attrs.field(
        init=False, repr=False, eq=False
    )

    def __attrs_post_init__(self) -> None:
        """Index the profile's clocks by the events that drive them."""
        object.__setattr__(self, "clock_plan", compile_clock_plan(self.lifecycle.profile))
        # Clock changes are values: the same few recur on every complaint, so each is
        # built once (a memo, not state: it never changes what ``decide`` returns).
        object.__setattr__(self, "_clock_changes", {})
        object.__setattr__(self, "_event_changes", {})

    def clock_change(self, op: ClockOp, clock: str, agency: str | None) -> ClockChange:
        """The (shared, immutable) change *op* of the running clock ``(clock, agency)``."""
        key = (op, clock, agency)
        change = self._clock_changes.get(key)
        if change is None:
            change = self._clock_changes[key] = ClockChange(op, clock, agency)
        return change

    def start_change(
        self,
        definition: ClockDefinition,
        category: str | None,
        agency: str | None,
        responsible: str,
    ) -> ClockChange | None:
        """
        The (shared, immutable) start of a clock for *responsible*, if it starts.

        It runs for the profile's duration (for the complaint's *category*, where the
        clock follows service standards) in the responsible agency's time zone (the
        profile's, for an agency the registry does not know). ``None``: the clock does
        not start (no service standard for the category).
        """
        key = (definition.name, category, agency, responsible)
        memo = self._clock_changes
        if key in memo:
            return memo[key]
        duration = self.profile.duration_of(definition, category)
        change = None
        if duration is not None:
            registry = self.registry
            zone = (
                registry.get(responsible).time_zone
                if responsible in registry
                else self.profile.time_zone
            )
            change = ClockChange(
                ClockOp.START,
                definition.name,
                agency=agency,
                responsible=responsible,
                time_zone=zone,
                amount=duration.amount,
                unit=duration.unit,
            )
        memo[key] = change
        return change

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
        return cls(Lifecycle(profile), registry, calendar)


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
    """The complaint's category code as the event finds it (a submission brings its own)."""
    if isinstance(event, e.ComplaintSubmitted):
        category = event.category
    else:
        assert before is not None  # noqa: S101 - only a submission has no state before it
        category = before.category
    return category.code if category is not None else None


def _starts(
    definition: ClockDefinition,
    event: e.Event,
    before: Complaint | None,
    category: str | None,
    ctx: Context,
) -> list[ClockChange]:
    """The starts of *definition* that *event* causes (one per new assignment, or one)."""
    targets: list[tuple[str | None, str]]
    if definition.scope is ClockScope.ASSIGNMENT:
        if not isinstance(event, e.ComplaintForwarded):
            return []
        targets = [(a.agency, a.agency) for a in event.assignments]
    else:
        targets = [(None, _responsible_after(event, before))]
    started = [ctx.start_change(definition, category, a, r) for a, r in targets]
    return [change for change in started if change is not None]


def _changes_for(event: e.Event, before: Complaint | None, ctx: Context) -> tuple[ClockChange, ...]:
    """
    The clock changes *event* causes, given the state before it.

    They depend only on the event's type (and whether a rejection returned the report),
    the category, who answers after the event, the event's agency, the agencies it
    forwards to and which clocks run: the result is memoised per context on those.
    """
    kind = type(event)
    running = before.clocks if before is not None else ()
    key = (
        kind,
        getattr(event, "returned_to", None) is not None,
        _category_code(event, before),
        _responsible_after(event, before),
        getattr(event, "agency", None),
        tuple([a.agency for a in event.assignments]) if kind is e.ComplaintForwarded else (),  # type: ignore[attr-defined]  # a forwarding
        tuple([(rc.clock, rc.agency) for rc in running]),
    )
    memo = ctx._event_changes  # noqa: SLF001 - the context's own memo
    changes = memo.get(key)
    if changes is None:
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        changes = memo[key] = _compute_changes(event, before, ctx)
    return changes


_MEMO_LIMIT = 1 << 16
"""Entries kept per context before the memo of clock changes starts again."""


def _compute_changes(
    event: e.Event, before: Complaint | None, ctx: Context
) -> tuple[ClockChange, ...]:
    """The clock changes *event* causes (see :func:`_changes_for`), computed."""
    if isinstance(event, _TERMINAL_EVENTS):
        assert before is not None  # noqa: S101 - terminal events follow a submission
        return tuple(ctx.clock_change(ClockOp.STOP, rc.clock, rc.agency) for rc in before.clocks)
    plan = ctx.clock_plan
    entries = plan.get(type(event).__name__, ())
    if isinstance(event, e.DispositionRejected) and event.returned_to is not None:
        entries = (*entries, *plan.get("DispositionRejected:returned", ()))
    if not entries:
        return ()
    running = before.clocks if before is not None else ()
    event_agency: str | None = getattr(event, "agency", None)
    code = _category_code(event, before)
    changes: list[ClockChange] = []
    for definition, op in entries:
        if op is ClockOp.START:
            changes.extend(_starts(definition, event, before, code, ctx))
            continue
        name = definition.name
        per_complaint = definition.scope is ClockScope.COMPLAINT or event_agency is None
        changes.extend(
            ctx.clock_change(op, name, rc.agency)
            for rc in running
            if rc.clock == name and (per_complaint or rc.agency == event_agency)
        )
    return tuple(changes)


def compile_clock_plan(
    profile: Profile,
) -> dict[str, tuple[tuple[ClockDefinition, ClockOp], ...]]:
    """
    Index the profile's clocks by trigger: event name -> ((clock, operation), ...).

    A clock reacts to an event once: start wins over stop, stop over pause, pause over
    resume.
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
    return {k: tuple(v) for k, v in plan.items()}
