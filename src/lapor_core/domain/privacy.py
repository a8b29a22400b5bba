"""
The privacy policy: what each reader may see of a complaint.

*Anonim* hides the reporter, *rahasia* hides the content (domain.md section 2). One
policy, :func:`sees`, decides it for every reader; :func:`redact` and
:func:`redact_event` apply it to a complaint and to its events, and :func:`public_view`
is what the public sees (the Open311 output, the tracking page and the CSV export build
on it):

=====================================  ==========  ===========  ==============
reader                                 reporter's  reporter's   content
                                       name        contact      (*rahasia*)
=====================================  ==========  ===========  ==============
the complaint's own reporter           yes         yes          yes
national admin, system (integrations)  yes         yes          yes
agency actors in scope                 not anonim  not anonim   yes
anyone else (``Actor.public()``, any   not anonim  never        not rahasia
other reporter)
=====================================  ==========  ===========  ==============

Agency actors out of scope (and, for a misconduct report, the office it is about and the
agencies above it) may not read the complaint at all: the service refuses them before
redacting (see :func:`~lapor_core.domain.scope.require_scope`).

.. versionadded:: 0.1.0
.. versionchanged:: 0.2.0 :func:`sees`, :func:`redact`, :func:`redact_event`.
"""

from __future__ import annotations

import typing
from datetime import datetime
from typing import Any, TypeVar

import attrs

from lapor_core.domain import events as e
from lapor_core.domain.actors import Actor, Role
from lapor_core.domain.model import (
    Category,
    Channel,
    ComplaintId,
    Content,
    Kind,
    RegionCode,
    Reporter,
    Status,
    TrackingId,
)
from lapor_core.domain.state import Complaint, Message

__all__ = [
    "ANONYMOUS_REPORTER",
    "CONFIDENTIAL_TEXT",
    "PublicView",
    "Sight",
    "public_view",
    "redact",
    "redact_event",
    "sees",
]

ANONYMOUS_REPORTER = Reporter("anonim", "Anonim")
"""
The reporter a reader who may not see the identity is shown.

.. versionadded:: 0.2.0
"""

CONFIDENTIAL_TEXT = "Laporan ini bersifat rahasia (this report is confidential)"
"""
What stands for a title, a body or a message a reader may not see (*rahasia*).

.. versionadded:: 0.2.0
"""

_FREE_TEXT: dict[type[e.Event], tuple[str, ...]] = {
    e.InformationRequested: ("question",),
    e.InformationProvided: ("text",),
    e.DispositionRejected: ("reason",),
    e.FollowUpPosted: ("text",),
    e.ReplyPosted: ("text",),
    e.ComplaintClosed: ("note",),
    e.ComplaintArchived: ("note",),
    e.ComplaintRated: ("comment",),
    e.ComplaintReopened: ("reason",),
    e.ComplaintClassified: ("title",),
    e.DeadlineExtended: ("reason",),
}
"""The free texts of each event that a *rahasia* report hides from who may not see it."""

_ANONYMOUS_ACTOR = Actor(ANONYMOUS_REPORTER.id, Role.REPORTER)
_PUBLIC = Actor.public()
_E = TypeVar("_E", bound=e.Event)


@attrs.frozen
class Sight:
    """
    What one reader may see of one complaint (see the table in the module docstring).

    Attributes:
        identity: The reporter's name and account id.
        contact: The reporter's contact (phone, e-mail).
        content: Title, body, location, attachments and the thread's texts.

    .. versionadded:: 0.2.0
    """

    identity: bool
    contact: bool
    content: bool


def sees(complaint: Complaint, actor: Actor) -> Sight:
    """
    What *actor* may see of *complaint*, by its role and the complaint's privacy.

    .. versionadded:: 0.2.0
    """
    own = actor.role is Role.REPORTER and actor.id == complaint.reporter.id
    if own or actor.role in (Role.NATIONAL_ADMIN, Role.SYSTEM):
        return Sight(identity=True, contact=True, content=True)
    anonymous = complaint.privacy.anonymous
    if actor.role.is_agency_role:
        return Sight(identity=not anonymous, contact=not anonymous, content=True)
    return Sight(identity=not anonymous, contact=False, content=not complaint.privacy.confidential)


def _reporter(reporter: Reporter, sight: Sight) -> Reporter:
    if not sight.identity:
        return ANONYMOUS_REPORTER
    if not sight.contact and reporter.contact is not None:
        return attrs.evolve(reporter, contact=None)
    return reporter


def _content(content: Content, sight: Sight) -> Content:
    return content if sight.content else Content(CONFIDENTIAL_TEXT, CONFIDENTIAL_TEXT)


def _actor(actor: Actor, complaint: Complaint, sight: Sight) -> Actor:
    """The reporter's own actor is the reporter's identity: hidden with it."""
    hidden = not sight.identity and actor.role is Role.REPORTER
    return _ANONYMOUS_ACTOR if hidden and actor.id == complaint.reporter.id else actor


def _message(message: Message, complaint: Complaint, sight: Sight) -> Message:
    actor = _actor(message.actor, complaint, sight)
    text = message.text if sight.content else CONFIDENTIAL_TEXT
    if actor is message.actor and text is message.text:
        return message
    return attrs.evolve(message, actor=actor, text=text)


def redact(complaint: Complaint, actor: Actor) -> Complaint:
    """
    *complaint* as *actor* may see it: the reporter, the content and the thread redacted.

    The result is a :class:`~lapor_core.domain.state.Complaint` like any other, for
    display only: never decide commands on it.

    .. versionadded:: 0.2.0
    """
    sight = sees(complaint, actor)
    if sight == Sight(identity=True, contact=True, content=True):
        return complaint
    info = attrs.evolve(
        complaint.info,
        reporter=_reporter(complaint.reporter, sight),
        content=_content(complaint.content, sight),
    )
    thread = tuple(_message(m, complaint, sight) for m in complaint.thread)
    return attrs.evolve(complaint, info=info, thread=thread)


def redact_event(event: _E, complaint: Complaint, actor: Actor) -> _E:
    """
    *event* of *complaint* as *actor* may see it (the complaint's current privacy rules).

    The submission's reporter and content and the reporter's own actor on every event
    are redacted as :func:`redact` does; for a reader who may not see the content
    (*rahasia*), so is every free text written about the report (
    the thread's questions, answers, follow-ups, replies and reopening reasons, as in
    :func:`redact`, and the notes, reasons, comments and corrected titles beside them).

    .. versionadded:: 0.2.0
    .. versionchanged:: 0.2.0 every free text of a *rahasia* report, not only the
       reporter's answers and replies.
    """
    sight = sees(complaint, actor)
    if sight == Sight(identity=True, contact=True, content=True):
        return event
    result: e.Event = event
    who = _actor(event.actor, complaint, sight)
    if who is not event.actor:
        result = attrs.evolve(result, actor=who)
    if isinstance(result, e.ComplaintSubmitted):
        reporter = _reporter(result.reporter, sight)
        result = attrs.evolve(result, reporter=reporter, content=_content(result.content, sight))
    elif not sight.content:
        hidden: dict[str, Any] = {
            name: CONFIDENTIAL_TEXT
            for name in _FREE_TEXT.get(type(result), ())
            if getattr(result, name) is not None
        }
        if hidden:
            result = attrs.evolve(result, **hidden)
    return typing.cast("_E", result)


@attrs.frozen
class PublicView:
    """
    What the public may see of a complaint.

    ``reporter_name`` is ``None`` when the report is *anonim*; ``title`` and ``body``
    are ``None`` when it is *rahasia*.

    .. versionadded:: 0.1.0
    """

    id: ComplaintId
    tracking_id: TrackingId | None
    status: Status
    kind: Kind
    category: Category | None
    region: RegionCode | None
    channel: Channel
    submitted_at: datetime
    reporter_name: str | None
    title: str | None
    body: str | None
    agencies: tuple[str, ...]


def public_view(complaint: Complaint) -> PublicView:
    """
    The public projection of *complaint*, honouring *anonim* and *rahasia*.

    What :func:`sees` lets ``Actor.public()`` see; the reporter's contact is never in it.

    .. versionadded:: 0.1.0
    """
    sight = sees(complaint, _PUBLIC)
    return PublicView(
        id=complaint.id,
        tracking_id=complaint.external_ids.sp4n_tracking_id,
        status=complaint.status,
        kind=complaint.kind,
        category=complaint.category,
        region=complaint.region,
        channel=complaint.channel,
        submitted_at=complaint.submitted_at,
        reporter_name=complaint.reporter.name if sight.identity else None,
        title=complaint.content.title if sight.content else None,
        body=complaint.content.body if sight.content else None,
        agencies=tuple(a.agency for a in complaint.assignments),
    )
