"""
The state of a complaint: what its events add up to.

A :class:`Complaint` is rebuilt from its events by
:func:`~lapor_core.domain.complaint.evolve`; nobody builds or changes one by hand. It
holds what the report is (:class:`ComplaintInfo`), where it is (status, router,
assignments, running clocks) and what happened to it (:class:`ComplaintRecord`).

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from datetime import datetime

import attrs

from lapor_core.domain import events as e
from lapor_core.domain.actors import Actor
from lapor_core.domain.clocks import RunningClock
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
    deadlines_confirmed_until: int | None = None
    reporter_timeouts: int = 0
    warning_breaches: int = 0


def _last_in_thread(thread: tuple[Message, ...], kind: str) -> datetime | None:
    for message in reversed(thread):
        if message.kind == kind:
            return message.at
    return None


@attrs.frozen
class Complaint:
    """
    The current state of one complaint, rebuilt from its events.

    Never build or change one by hand: use :func:`~lapor_core.domain.complaint.decide`
    and :func:`~lapor_core.domain.complaint.evolve`. The properties below read
    :attr:`info` (what the report is) and :attr:`record` (what happened to it).

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

    # What the report is: read from ``info``.
    @property
    def kind(self) -> Kind:
        """*Pengaduan*, *aspirasi* or *permintaan informasi*."""
        return self.info.kind

    @property
    def privacy(self) -> Privacy:
        """The *anonim* / *rahasia* flags."""
        return self.info.privacy

    @property
    def channel(self) -> Channel:
        """How the report arrived."""
        return self.info.channel

    @property
    def content(self) -> Content:
        """Title, body, location, event date."""
        return self.info.content

    @property
    def reporter(self) -> Reporter:
        """The reporter (kept even when anonymous)."""
        return self.info.reporter

    @property
    def region(self) -> RegionCode | None:
        """Kemendagri region code, if known."""
        return self.info.region

    @property
    def category(self) -> Category | None:
        """Category, if set."""
        return self.info.category

    @property
    def external_ids(self) -> ExternalIds:
        """SP4N tracking id, regional app id."""
        return self.info.external_ids

    @property
    def subject_agency(self) -> str | None:
        """The office the report is about."""
        return self.info.subject_agency

    @property
    def misconduct(self) -> bool:
        """Whether it alleges misconduct."""
        return self.info.misconduct

    @property
    def tags(self) -> tuple[str, ...]:
        """Admin tags."""
        return self.info.tags

    @property
    def submitted_at(self) -> datetime:
        """When it was submitted."""
        return self.info.submitted_at

    # What happened to it: read from ``record``.
    @property
    def first_forwarded_at(self) -> datetime | None:
        """First forwarding."""
        return self.record.first_forwarded_at

    @property
    def first_follow_up_at(self) -> datetime | None:
        """First follow-up."""
        return self.record.first_follow_up_at

    @property
    def closed_at(self) -> datetime | None:
        """Completion or archiving."""
        return self.record.closed_at

    @property
    def closed_automatically(self) -> bool:
        """Auto-closed?"""
        return self.record.closed_automatically

    @property
    def archive_reason(self) -> ArchiveReason | None:
        """Why it was archived."""
        return self.record.archive_reason

    @property
    def duplicate_of(self) -> ComplaintId | None:
        """The original of a duplicate."""
        return self.record.duplicate_of

    @property
    def rating(self) -> int | None:
        """The reporter's rating, if any."""
        return self.record.rating

    @property
    def reopen_count(self) -> int:
        """How often it was reopened."""
        return self.record.reopen_count

    @property
    def reroutings(self) -> int:
        """
        *Bukan wewenang* rejections that dropped an assignment.

        A unit handing an internal forwarding back to its agency is not counted: the
        report stays where it was routed.
        """
        return self.record.reroutings

    @property
    def escalations(self) -> int:
        """Breaches escalated."""
        return self.record.escalations

    @property
    def breaches(self) -> int:
        """Clock breaches recorded."""
        return self.record.breaches

    @property
    def reporter_timeouts(self) -> int:
        """Breaches of clocks the reporter let run out (closing or archiving the report)."""
        return self.record.reporter_timeouts

    @property
    def warning_breaches(self) -> int:
        """Breaches whose action only warns (the service standard)."""
        return self.record.warning_breaches

    @property
    def ombudsman_eligible(self) -> bool:
        """Statutory breach."""
        return self.record.ombudsman_eligible

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
