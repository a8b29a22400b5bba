"""
Internal: the state of a complaint (re-exported by :mod:`lapor_core.domain.complaint`).

A :class:`Complaint` is rebuilt from its events by ``evolve``; nobody builds or changes
one by hand.
"""

from __future__ import annotations

import operator
from datetime import datetime
from typing import Any

import attrs

from lapor_core.domain import events as e
from lapor_core.domain.actors import Actor, Role
from lapor_core.domain.clocks import BreachAction, RunningClock
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

# Enum members read once: on Python 3.11 reading ``Status.X`` goes through
# ``EnumType.__getattr__`` (about 0.1 us, ten times a global), and ``decide`` and
# ``evolve`` read these on every command and event.
_SUBMITTED, _ON_HOLD, _FORWARDED = Status.SUBMITTED, Status.ON_HOLD, Status.FORWARDED
_IN_PROGRESS, _COMPLETED, _ARCHIVED = Status.IN_PROGRESS, Status.COMPLETED, Status.ARCHIVED
_REPORTER, _NATIONAL_ADMIN, _AGENCY_ADMIN = Role.REPORTER, Role.NATIONAL_ADMIN, Role.AGENCY_ADMIN
_OMBUDSMAN_REFERRAL = BreachAction.OMBUDSMAN_REFERRAL


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
