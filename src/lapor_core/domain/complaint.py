"""
Complaint state and the pure core: ``decide``, ``evolve``, ``replay``.

``decide(complaint, command, actor, now, ctx)`` checks a command (status, role, scope,
data) and returns the events that happen; it changes nothing and raises a
:class:`~lapor_core.errors.LaporError` subclass on refusal. ``evolve(complaint, event)``
applies one event and never refuses. ``replay(events)`` folds a stream.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, TypeVar

import attrs

from lapor_core.domain import commands as c
from lapor_core.domain import events as e
from lapor_core.domain._fast import Replacer, builder
from lapor_core.domain.actors import Actor, Role
from lapor_core.domain.agencies import AgencyRegistry
from lapor_core.domain.calendar import WorkingCalendar
from lapor_core.domain.clocks import (
    BreachAction,
    ClockChange,
    ClockDefinition,
    ClockOp,
    ClockScope,
    RunningClock,
    apply_changes,
    clock_deadline,
    warning_instant,
)
from lapor_core.domain.lifecycle import Lifecycle, Status
from lapor_core.domain.model import (
    ArchiveReason,
    Category,
    Channel,
    ComplaintId,
    Content,
    ExternalIds,
    Kind,
    Privacy,
    RegionCode,
    Reporter,
    require_aware,
)
from lapor_core.domain.profile import Profile
from lapor_core.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)

__all__ = [
    "Complaint",
    "ComplaintInfo",
    "ComplaintRecord",
    "Context",
    "Message",
    "decide",
    "evolve",
    "owners",
    "replay",
]


@attrs.frozen
class Message:
    """
    One entry of the follow-up thread: a follow-up, a reply, a question or an answer.

    .. versionadded:: 0.1.0
    """

    kind: str
    at: datetime
    actor: Actor
    text: str
    agency: str | None = None


@attrs.frozen
class ComplaintInfo:
    """
    What a complaint is: the facts given at submission.

    Only classification and privacy changes alter them.

    .. versionadded:: 0.1.0
    """

    kind: Kind
    privacy: Privacy
    channel: Channel
    content: Content
    reporter: Reporter
    region: RegionCode | None
    category: Category | None
    external_ids: ExternalIds
    submitted_at: datetime
    subject_agency: str | None = None
    misconduct: bool = False
    tags: tuple[str, ...] = ()


@attrs.frozen
class ComplaintRecord:
    """
    What happened to a complaint: milestones and counters (for reports).

    .. versionadded:: 0.1.0
    """

    first_forwarded_at: datetime | None = None
    first_follow_up_at: datetime | None = None
    closed_at: datetime | None = None
    closed_automatically: bool = False
    archive_reason: ArchiveReason | None = None
    duplicate_of: ComplaintId | None = None
    rating: int | None = None
    reopen_count: int = 0
    reroutings: int = 0
    escalations: int = 0
    breaches: int = 0
    ombudsman_eligible: bool = False


def _last_in_thread(thread: tuple[Message, ...], kind: str) -> datetime | None:
    for message in reversed(thread):
        if message.kind == kind:
            return message.at
    return None


def _delegate(part: str, name: str, doc: str) -> Any:  # noqa: ANN401 - a typed property would need one def per field
    getter = operator.attrgetter(f"{part}.{name}")
    return property(getter, doc=doc)


@attrs.frozen
class Complaint:
    """
    The current state of one complaint, rebuilt from its events.

    Never build or change one by hand: use :func:`decide` and :func:`evolve`.

    .. versionadded:: 0.1.0
    """

    id: ComplaintId
    version: int
    status: Status
    updated_at: datetime
    info: ComplaintInfo
    router: str
    assignments: tuple[e.Assignment, ...] = ()
    held_from: Status | None = None
    thread: tuple[Message, ...] = ()
    clocks: tuple[RunningClock, ...] = ()
    record: ComplaintRecord = ComplaintRecord()

    # What the report is (rarely changes): delegated to ``info``.
    kind = _delegate("info", "kind", "*Pengaduan*, *aspirasi* or *permintaan informasi*.")
    privacy = _delegate("info", "privacy", "The *anonim* / *rahasia* flags.")
    channel = _delegate("info", "channel", "How the report arrived.")
    content = _delegate("info", "content", "Title, body, location, event date.")
    reporter = _delegate("info", "reporter", "The reporter (kept even when anonymous).")
    region = _delegate("info", "region", "Kemendagri region code, if known.")
    category = _delegate("info", "category", "Category, if set.")
    external_ids = _delegate("info", "external_ids", "SP4N tracking id, regional app id.")
    subject_agency = _delegate("info", "subject_agency", "The office the report is about.")
    misconduct = _delegate("info", "misconduct", "Whether it alleges misconduct.")
    tags = _delegate("info", "tags", "Admin tags.")
    submitted_at = _delegate("info", "submitted_at", "When it was submitted.")
    # What happened to it (timestamps and counters): delegated to ``record``.
    first_forwarded_at = _delegate("record", "first_forwarded_at", "First forwarding.")
    first_follow_up_at = _delegate("record", "first_follow_up_at", "First follow-up.")
    closed_at = _delegate("record", "closed_at", "Completion or archiving.")
    closed_automatically = _delegate("record", "closed_automatically", "Auto-closed?")
    archive_reason = _delegate("record", "archive_reason", "Why it was archived.")
    duplicate_of = _delegate("record", "duplicate_of", "The original of a duplicate.")
    rating = _delegate("record", "rating", "The reporter's rating, if any.")
    reopen_count = _delegate("record", "reopen_count", "How often it was reopened.")
    reroutings = _delegate("record", "reroutings", "*Bukan wewenang* rejections.")
    escalations = _delegate("record", "escalations", "Breaches escalated.")
    breaches = _delegate("record", "breaches", "Clock breaches recorded.")
    ombudsman_eligible = _delegate("record", "ombudsman_eligible", "Statutory breach.")

    def assignment(self, agency: str) -> e.Assignment | None:
        """The assignment of *agency*, if it has one."""
        for assignment in self.assignments:
            if assignment.agency == agency:
                return assignment
        return None

    @property
    def last_follow_up_at(self) -> datetime | None:
        """When the last follow-up was posted (from the thread)."""
        return _last_in_thread(self.thread, "follow_up")

    @property
    def last_reply_at(self) -> datetime | None:
        """When the last reply was posted on the thread."""
        return _last_in_thread(self.thread, "reply")

    def clock(self, name: str, agency: str | None = None) -> RunningClock | None:
        """The running clock *name* (of *agency*, for per-assignment clocks), if any."""
        for running in self.clocks:
            if running.clock == name and running.agency == agency:
                return running
        return None

    @property
    def responsible(self) -> str:
        """The agency answerable now: the lead assignee, else the router."""
        for assignment in self.assignments:
            if assignment.lead:
                return assignment.agency
        return self.assignments[0].agency if self.assignments else self.router


def owners(complaint: Complaint) -> tuple[str, ...]:
    """
    Who owns the complaint now (*no wrong door*: never empty while it is open).

    The router (national root or the addressed agency) while it waits for verification,
    the assigned agencies once forwarded, nobody once terminal.

    .. versionadded:: 0.1.0
    """
    if complaint.status.terminal:
        return ()
    if complaint.assignments:
        return tuple(a.agency for a in complaint.assignments)
    return (complaint.router,)


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

    def __attrs_post_init__(self) -> None:
        """Index the profile's clocks by the events that drive them."""
        object.__setattr__(self, "clock_plan", compile_clock_plan(self.lifecycle.profile))
        # Clock changes are values: the same few recur on every complaint, so each is
        # built once (a memo, not state: it never changes what ``decide`` returns).
        object.__setattr__(self, "_clock_changes", {})

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


# --------------------------------------------------------------------------- scope helpers


def _require_reporter(complaint: Complaint, actor: Actor) -> None:
    if actor.role is Role.REPORTER and actor.id != complaint.reporter.id:
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
    if actor.role is Role.REPORTER:
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
    if actor.role is Role.AGENCY_ADMIN and not _in_subtree(ctx, router, actor):
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
    forwarder = registry.root.id if actor.role is Role.NATIONAL_ADMIN else actor.agency
    assert forwarder is not None  # noqa: S101 - only admins reach here (table roles)
    existing = {a.agency for a in complaint.assignments}
    for agency_id in cmd.agencies:
        agency = registry.get(agency_id)
        if agency_id == registry.root.id:
            raise ValidationError("cannot forward to the national root itself")
        if agency_id in existing:
            raise ValidationError(f"complaint {complaint.id} is already assigned to {agency_id!r}")
        if actor.role is Role.AGENCY_ADMIN and (
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
    if actor.role is Role.AGENCY_ADMIN:
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
        if complaint.status is not Status.IN_PROGRESS:
            raise InvalidTransition(
                f"automatic close applies in in_progress, not {complaint.status.value}"
            )
        return (
            breached,
            e.ComplaintClosed(complaint_id=complaint.id, at=now, actor=actor, automatic=True),
        )
    if definition.breach is BreachAction.ARCHIVE_WITHDRAWN:
        if complaint.status is not Status.ON_HOLD:
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


# --------------------------------------------------------------------------- clocks

_TERMINAL_EVENTS = (e.ComplaintClosed, e.ComplaintArchived)


def _trigger_names(event: e.Event) -> frozenset[str]:
    name = type(event).__name__
    if isinstance(event, e.DispositionRejected) and event.returned_to is not None:
        return frozenset({name, name + ":returned"})
    return frozenset({name})


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
    """The clock changes *event* causes, given the state before it."""
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
    if isinstance(event, e.ComplaintSubmitted):
        category = event.category
    else:
        assert before is not None  # noqa: S101 - only a submission has no state before it
        category = before.category
    code = category.code if category is not None else None
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


# --------------------------------------------------------------------------- evolve
#
# Events are applied to a mutable working copy (``_Draft``) and frozen into a new
# ``Complaint`` once: ``evolve`` thaws, applies one event and freezes; ``replay`` thaws
# once for the whole stream. The parts (``info``, ``record``) are copied only when an
# event changes them, and the thread grows in a list until the state is frozen.

_GET_STATE = operator.attrgetter(
    "id",
    "version",
    "status",
    "updated_at",
    "info",
    "router",
    "assignments",
    "held_from",
    "thread",
    "clocks",
    "record",
)
_BUILD_COMPLAINT = builder(Complaint)
_BUILD_MESSAGE = builder(Message)
_BUILD_INFO = builder(ComplaintInfo)
_EMPTY_RECORD = ComplaintRecord()
_REPLACE_INFO = Replacer(ComplaintInfo)
_REPLACE_RECORD = Replacer(ComplaintRecord)
_REPLACE_ASSIGNMENT = Replacer(e.Assignment)
_REPLACE_CLOCK = Replacer(RunningClock)


def _current(part: object, changes: dict[str, Any] | None, name: str) -> Any:  # noqa: ANN401 - a field of any type
    """Field *name* of a state part, with the changes made to it so far."""
    if changes is not None and name in changes:
        return changes[name]
    return getattr(part, name)


def _merged(changes: dict[str, Any] | None, values: dict[str, Any]) -> dict[str, Any]:
    """Pending changes of a state part, with *values* added."""
    if changes is None:
        return values
    changes.update(values)
    return changes


class _Draft:
    """A complaint's state while events are applied to it (private, mutable)."""

    __slots__ = (
        "added",
        "assignments",
        "clocks",
        "held_from",
        "id",
        "info",
        "info_changes",
        "record",
        "record_changes",
        "router",
        "status",
        "thread",
        "updated_at",
        "version",
    )

    id: ComplaintId
    version: int
    status: Status
    updated_at: datetime
    info: ComplaintInfo
    router: str
    assignments: tuple[e.Assignment, ...]
    held_from: Status | None
    thread: tuple[Message, ...]
    clocks: tuple[RunningClock, ...]
    record: ComplaintRecord
    added: list[Message] | None
    info_changes: dict[str, Any] | None
    record_changes: dict[str, Any] | None

    def __init__(self, complaint: Complaint) -> None:
        (
            self.id,
            self.version,
            self.status,
            self.updated_at,
            self.info,
            self.router,
            self.assignments,
            self.held_from,
            self.thread,
            self.clocks,
            self.record,
        ) = _GET_STATE(complaint)
        self.added = None
        self.info_changes = None
        self.record_changes = None

    def post(self, kind: str, event: e.Event, text: str, agency: str | None = None) -> None:
        """Add a message to the thread."""
        message = _BUILD_MESSAGE(
            kind=kind, at=event.at, actor=event.actor, text=text, agency=agency
        )
        if self.added is None:
            self.added = [message]
        else:
            self.added.append(message)

    def recorded(self, name: str) -> Any:  # noqa: ANN401 - a record field of any type
        """Read a field of the record, as changed so far."""
        return _current(self.record, self.record_changes, name)

    def record_set(self, **values: Any) -> None:  # noqa: ANN401 - record fields of any type
        """Change fields of the record."""
        self.record_changes = _merged(self.record_changes, values)

    def described(self, name: str) -> Any:  # noqa: ANN401 - an info field of any type
        """Read a field of the info part, as changed so far."""
        return _current(self.info, self.info_changes, name)

    def info_set(self, **values: Any) -> None:  # noqa: ANN401 - info fields of any type
        """Change fields of the info part."""
        self.info_changes = _merged(self.info_changes, values)

    def update_clock(
        self,
        clock: str,
        agency: str | None,
        **changes: Any,  # noqa: ANN401 - forwarded to the replacer
    ) -> None:
        """Change the running clock ``(clock, agency)``."""
        key = (clock, agency)
        self.clocks = tuple(
            _REPLACE_CLOCK(rc, **changes) if rc.key == key else rc for rc in self.clocks
        )

    def clock(self, clock: str, agency: str | None) -> RunningClock | None:
        """The running clock ``(clock, agency)``, if any."""
        key = (clock, agency)
        for running in self.clocks:
            if running.key == key:
                return running
        return None

    def freeze(self) -> Complaint:
        """The state as a frozen :class:`Complaint`."""
        info = self.info
        if self.info_changes:
            info = _REPLACE_INFO(info, **self.info_changes)
        record = self.record
        if self.record_changes:
            record = _REPLACE_RECORD(record, **self.record_changes)
        thread = self.thread
        if self.added:
            thread = (*thread, *self.added)
        return _BUILD_COMPLAINT(
            self.id,
            self.version,
            self.status,
            self.updated_at,
            info,
            self.router,
            self.assignments,
            self.held_from,
            thread,
            self.clocks,
            record,
        )


def _start_complaint(event: e.ComplaintSubmitted) -> Complaint:
    info = _BUILD_INFO(
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
        tags=(),
    )
    return _BUILD_COMPLAINT(
        id=event.complaint_id,
        version=1,
        status=Status.SUBMITTED,
        updated_at=event.at,
        info=info,
        router=event.router,
        assignments=(),
        held_from=None,
        thread=(),
        clocks=apply_changes((), event.clock_changes, event.at) if event.clock_changes else (),
        record=_EMPTY_RECORD,
    )


def _on_classified(d: _Draft, event: e.ComplaintClassified) -> None:
    if event.title is not None:
        d.info_set(content=attrs.evolve(d.described("content"), title=event.title))
    if event.kind is not None:
        d.info_set(kind=event.kind)
    if event.category is not None:
        d.info_set(category=event.category)
    if event.tags is not None:
        d.info_set(tags=event.tags)


def _on_information_requested(d: _Draft, event: e.InformationRequested) -> None:
    d.held_from = d.status
    d.status = Status.ON_HOLD
    d.post("question", event, event.question)


def _on_information_provided(d: _Draft, event: e.InformationProvided) -> None:
    d.status = d.held_from or Status.SUBMITTED
    d.held_from = None
    d.post("information", event, event.text)


def _on_forwarded(d: _Draft, event: e.ComplaintForwarded) -> None:
    if d.status is Status.SUBMITTED:
        d.status = Status.FORWARDED
    d.assignments = (*d.assignments, *event.assignments)
    if d.recorded("first_forwarded_at") is None:
        d.record_set(first_forwarded_at=event.at)


def _on_forwarded_internally(d: _Draft, event: e.ForwardedInternally) -> None:
    d.assignments = tuple(
        _REPLACE_ASSIGNMENT(a, handler=event.to) if a.agency == event.agency else a
        for a in d.assignments
    )


def _on_rejected(d: _Draft, event: e.DispositionRejected) -> None:
    dropped = [a for a in d.assignments if a.agency == event.agency]
    remaining = tuple(a for a in d.assignments if a.agency != event.agency)
    if remaining and dropped and dropped[0].lead and not any(a.lead for a in remaining):
        remaining = (_REPLACE_ASSIGNMENT(remaining[0], lead=True), *remaining[1:])
    d.assignments = remaining
    d.record_set(reroutings=d.recorded("reroutings") + 1)
    if not remaining:
        d.status = Status.SUBMITTED
        d.router = event.returned_to or d.router


def _on_follow_up(d: _Draft, event: e.FollowUpPosted) -> None:
    d.status = Status.IN_PROGRESS
    d.post("follow_up", event, event.text, event.agency)
    agency = event.agency
    if any(a.agency == agency and a.followed_up_at is None for a in d.assignments):
        d.assignments = tuple(
            _REPLACE_ASSIGNMENT(a, followed_up_at=event.at)
            if a.agency == agency and a.followed_up_at is None
            else a
            for a in d.assignments
        )
    if d.recorded("first_follow_up_at") is None:
        d.record_set(first_follow_up_at=event.at)


def _on_reply(d: _Draft, event: e.ReplyPosted) -> None:
    d.post("reply", event, event.text)


def _on_closed(d: _Draft, event: e.ComplaintClosed) -> None:
    d.status = Status.COMPLETED
    d.record_set(closed_at=event.at, closed_automatically=event.automatic)


def _on_archived(d: _Draft, event: e.ComplaintArchived) -> None:
    d.status = Status.ARCHIVED
    d.held_from = None
    d.record_set(archive_reason=event.reason, duplicate_of=event.duplicate_of, closed_at=event.at)


def _on_rated(d: _Draft, event: e.ComplaintRated) -> None:
    d.record_set(rating=event.score)


def _on_reopened(d: _Draft, event: e.ComplaintReopened) -> None:
    d.status = Status.IN_PROGRESS
    d.record_set(
        closed_at=None,
        closed_automatically=False,
        rating=None,
        reopen_count=d.recorded("reopen_count") + 1,
    )
    d.post("reopen", event, event.reason)


def _on_privacy(d: _Draft, event: e.PrivacyChanged) -> None:
    d.info_set(privacy=event.privacy)


def _on_warned(d: _Draft, event: e.ClockWarned) -> None:
    running = d.clock(event.clock, event.agency)
    warned = (*running.warned, event.threshold) if running else ()
    d.update_clock(event.clock, event.agency, warned=warned)


def _on_breached(d: _Draft, event: e.ClockBreached) -> None:
    d.update_clock(event.clock, event.agency, breached=True)
    d.record_set(
        escalations=d.recorded("escalations") + (event.escalated_to is not None),
        breaches=d.recorded("breaches") + 1,
        ombudsman_eligible=d.recorded("ombudsman_eligible")
        or event.action is BreachAction.OMBUDSMAN_REFERRAL,
    )


def _on_extended(d: _Draft, event: e.DeadlineExtended) -> None:
    running = d.clock(event.clock, event.agency)
    if running is not None:
        d.update_clock(
            event.clock,
            event.agency,
            extension=running.extension + event.amount,
            extensions=running.extensions + 1,
        )


_APPLY: dict[type[e.Event], Callable[[_Draft, Any], None]] = {
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
"""How each event type changes the state (one function per type)."""


def _apply(d: _Draft, event: e.Event) -> None:
    """Apply one event after the first to the draft."""
    if event.complaint_id is not d.id and event.complaint_id != d.id:
        raise ValidationError(f"event for {event.complaint_id} applied to complaint {d.id}")
    handler = _APPLY.get(type(event))
    if handler is None:
        if isinstance(event, e.ComplaintSubmitted):
            raise ValidationError(f"complaint {d.id} was already submitted")
        raise ValidationError(f"evolve does not know event type {type(event).__name__}")
    handler(d, event)
    d.version += 1
    d.updated_at = at = event.at
    if event.clock_changes:
        d.clocks = apply_changes(d.clocks, event.clock_changes, at)


def _first(event: e.Event) -> Complaint:
    if not isinstance(event, e.ComplaintSubmitted):
        raise ValidationError(
            f"a complaint's stream must start with ComplaintSubmitted, not {type(event).__name__}"
        )
    return _start_complaint(event)


def evolve(complaint: Complaint | None, event: e.Event) -> Complaint:
    """
    Apply one event to the state; never refuses a well-formed event of this complaint.

    Raises:
        ValidationError: The event belongs to another complaint, or a stream does not
            start with ``ComplaintSubmitted`` (a corrupt stream, not a refusal).

    .. versionadded:: 0.1.0
    """
    if complaint is None:
        return _first(event)
    draft = _Draft(complaint)
    _apply(draft, event)
    return draft.freeze()


def replay(events: Iterable[e.Event]) -> Complaint:
    """
    Fold a complaint's events into its state.

    Equal to applying :func:`evolve` event by event, but the state is frozen once,
    at the end.

    Raises:
        ValidationError: The stream is empty or malformed.

    .. versionadded:: 0.1.0
    """
    stream = iter(events)
    first = next(stream, None)
    if first is None:
        raise ValidationError("cannot replay an empty event stream")
    draft = _Draft(_first(first))
    for event in stream:
        _apply(draft, event)
    return draft.freeze()
