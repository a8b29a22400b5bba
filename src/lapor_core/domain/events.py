"""
Event records: what happened to a complaint, in order.

Events are facts: :func:`~lapor_core.domain.complaint.evolve` applies them and never
refuses. Each event class carries a ``SCHEMA_VERSION``; storage records it with the
payload so that an older version can be upcast on read.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import attrs

from lapor_core.domain.actors import Actor
from lapor_core.domain.clocks import BreachAction, ClockChange, DeadlineChange
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
    Status,
)

__all__ = [
    "Assignment",
    "ClockBreached",
    "ClockWarned",
    "ComplaintArchived",
    "ComplaintClassified",
    "ComplaintClosed",
    "ComplaintForwarded",
    "ComplaintRated",
    "ComplaintReopened",
    "ComplaintSubmitted",
    "DeadlineExtended",
    "DeadlinesRecomputed",
    "DispositionRejected",
    "Event",
    "FollowUpPosted",
    "ForwardedInternally",
    "InformationProvided",
    "InformationRequested",
    "PrivacyChanged",
    "ReplyPosted",
]


@attrs.frozen
class Assignment:
    """
    One agency's share of a forwarded complaint.

    Attributes:
        agency: The agency it was forwarded to (a K/L/D, or a unit when an agency admin
            forwarded down).
        handler: Where it sits now inside that agency's subtree (after internal
            forwarding); equal to ``agency`` at first.
        lead: Whether this agency leads.
        forwarded_by: The agency whose admin forwarded it (the national root for the
            national admin); a *bukan wewenang* rejection returns the report there.
        forwarded_at: When.
        followed_up_at: When this agency first posted a follow-up, if it did.

    .. versionadded:: 0.1.0
    """

    agency: str
    handler: str
    lead: bool
    forwarded_by: str
    forwarded_at: datetime
    followed_up_at: datetime | None = None


@attrs.frozen(kw_only=True)
class Event:
    """
    Base of every event.

    Attributes:
        complaint_id: The complaint.
        at: When it happened (aware).
        actor: Who caused it.
        clock_changes: The service-level clocks this event started, stopped, paused or
            resumed (``decide`` derives them from the profile's clock definitions).
        status: The status the complaint is in after this event, as the lifecycle
            table's row decided it (``decide`` sets it; ``evolve`` only reads it).
            ``None`` on events recorded before events carried it (the field is
            optional in the stored format); the stores fill it in when they load a
            stream, and ``evolve`` reads ``None`` as "unchanged".

    .. versionadded:: 0.1.0
    """

    SCHEMA_VERSION: ClassVar[int] = 1

    complaint_id: ComplaintId
    at: datetime
    actor: Actor
    clock_changes: tuple[ClockChange, ...] = ()
    status: Status | None = None


@attrs.frozen(kw_only=True)
class ComplaintSubmitted(Event):
    """
    A report was received; it waits for verification by ``router``'s admin.

    .. versionadded:: 0.1.0
    """

    content: Content
    kind: Kind
    reporter: Reporter
    channel: Channel
    privacy: Privacy
    region: RegionCode | None
    category: Category | None
    external_ids: ExternalIds
    router: str
    subject_agency: str | None = None
    misconduct: bool = False


@attrs.frozen(kw_only=True)
class InformationRequested(Event):
    """
    The report was put on hold (*Tunda*) with a question for the reporter.

    .. versionadded:: 0.1.0
    """

    question: str


@attrs.frozen(kw_only=True)
class InformationProvided(Event):
    """
    The reporter answered; the report returns to the status it was held from.

    .. versionadded:: 0.1.0
    """

    text: str


@attrs.frozen(kw_only=True)
class ComplaintForwarded(Event):
    """
    The report was verified and forwarded (*disposisi*) to one or more agencies.

    .. versionadded:: 0.1.0
    """

    assignments: tuple[Assignment, ...]


@attrs.frozen(kw_only=True)
class ForwardedInternally(Event):
    """
    An assignment moved down the agency tree.

    .. versionadded:: 0.1.0
    """

    agency: str
    to: str


@attrs.frozen(kw_only=True)
class DispositionRejected(Event):
    """
    *Bukan wewenang*: an agency dropped its assignment, or a unit handed it back.

    When none remain, the report returns to ``returned_to`` (status ``submitted``).
    When ``handed_back_to`` is set, a unit below the assigned agency refused an internal
    forwarding: the assignment stays, handled again one level up (the unit's parent
    router, at most the assigned agency), whose admin passes it on again or refuses it
    in turn, and its clocks run on.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``handed_back_to``.
    """

    agency: str
    reason: str
    returned_to: str | None
    handed_back_to: str | None = None


@attrs.frozen(kw_only=True)
class FollowUpPosted(Event):
    """
    An agency posted a follow-up (*tindak lanjut*).

    ``on_behalf_of`` names the assignments it answers for besides its own: the agencies
    whose assignments forwarded the report down to it (the agency or the unit handling
    its assignment is the ``forwarded_by`` of the one below, no later than it). Their
    follow-up is done through their unit.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``on_behalf_of``.
    """

    agency: str
    text: str
    on_behalf_of: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class ReplyPosted(Event):
    """
    The reporter or an admin replied on the thread.

    .. versionadded:: 0.1.0
    """

    text: str


@attrs.frozen(kw_only=True)
class ComplaintClosed(Event):
    """
    The report was completed (*Selesai*), by hand or automatically.

    .. versionadded:: 0.1.0
    """

    automatic: bool
    note: str | None = None


@attrs.frozen(kw_only=True)
class ComplaintArchived(Event):
    """
    The report was archived (*Arsip*).

    .. versionadded:: 0.1.0
    """

    reason: ArchiveReason
    note: str | None = None
    duplicate_of: ComplaintId | None = None


@attrs.frozen(kw_only=True)
class ComplaintRated(Event):
    """
    The reporter rated the handling.

    .. versionadded:: 0.1.0
    """

    score: int
    comment: str | None = None


@attrs.frozen(kw_only=True)
class ComplaintReopened(Event):
    """
    The reporter reopened a completed report.

    .. versionadded:: 0.1.0
    """

    reason: str


@attrs.frozen(kw_only=True)
class PrivacyChanged(Event):
    """
    An admin changed the privacy flags.

    .. versionadded:: 0.1.0
    """

    privacy: Privacy


@attrs.frozen(kw_only=True)
class ComplaintClassified(Event):
    """
    An admin edited title, kind, category or tags (``None`` means unchanged).

    .. versionadded:: 0.1.0
    """

    title: str | None = None
    kind: Kind | None = None
    category: Category | None = None
    tags: tuple[str, ...] | None = None


@attrs.frozen(kw_only=True)
class ClockWarned(Event):
    """
    A clock passed a warning threshold (percent of its running time).

    .. versionadded:: 0.1.0
    """

    clock: str
    agency: str | None
    threshold: int
    deadline: datetime


@attrs.frozen(kw_only=True)
class ClockBreached(Event):
    """
    A clock's deadline passed.

    Attributes:
        clock: The clock.
        agency: The assignment, for per-assignment clocks.
        deadline: The deadline that passed.
        action: What the profile says a breach does.
        escalated_to: The agency whose admin the breach was escalated to, if any.

    .. versionadded:: 0.1.0
    """

    clock: str
    agency: str | None
    deadline: datetime
    action: BreachAction
    escalated_to: str | None = None


@attrs.frozen(kw_only=True)
class DeadlineExtended(Event):
    """
    The responsible agency extended a clock.

    .. versionadded:: 0.1.0
    """

    clock: str
    agency: str | None
    amount: int
    reason: str


@attrs.frozen(kw_only=True)
class DeadlinesRecomputed(Event):
    """
    Newer calendar data moved the deadlines of running clocks (issued by a recompute).

    Deadlines are never stored (they are counted from the clocks on the calendar in
    force); this records that newer holiday data (a joint decree's *cuti bersama*, a
    holiday's confirmed date) moved them, from what to what, and marks the complaint as
    recomputed with that data, so that a second recompute moves nothing.

    Attributes:
        changes: Each moved deadline: clock, agency, before and after.
        confirmed_until: The last confirmed year of the data the deadlines now follow.

    .. versionadded:: 0.2.0
    """

    changes: tuple[DeadlineChange, ...]
    confirmed_until: int
