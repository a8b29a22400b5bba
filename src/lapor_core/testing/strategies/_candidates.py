"""
Internal: the ``(actor, command)`` pairs around a complaint, and which of them ``decide`` takes.

The public command strategies (:mod:`lapor_core.testing.strategies.commands`) and the
complaint walks (:mod:`lapor_core.testing.strategies.walks`) share this machinery:
:func:`candidates` lists pairs that are usually valid for a complaint (one helper per
group of commands, in the lifecycle's order), :func:`accepted` keeps those ``decide``
accepts, with their events, and :func:`all_commands` adds well-formed commands of every
type for the refused ones.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

import attrs

from lapor_core.domain.actors import Actor, Role, make_agency_actor
from lapor_core.domain.agencies import AgencyRegistry
from lapor_core.domain.clocks import due
from lapor_core.domain.commands import (
    Archive,
    ChangePrivacy,
    Classify,
    Close,
    Command,
    ExtendDeadline,
    Forward,
    ForwardInternally,
    PostFollowUp,
    ProvideInformation,
    Rate,
    RecomputeDeadlines,
    RecordBreach,
    RecordWarning,
    RejectDisposition,
    Reopen,
    Reply,
    RequestInformation,
)
from lapor_core.domain.complaint import Complaint, Context, decide
from lapor_core.domain.events import Event
from lapor_core.domain.model import ArchiveReason, Category, ComplaintId, Kind, Privacy
from lapor_core.errors import LaporError

__all__ = [
    "Decided",
    "accepted",
    "actor_pool",
    "agency_actor",
    "all_commands",
    "by_type",
    "candidates",
    "decided",
]

Decided = tuple[Actor, Command, tuple[Event, ...]]
"""A pair ``decide`` accepted, with the events it returned."""

T = TypeVar("T", bound=tuple[Any, ...])


def agency_actor(registry: AgencyRegistry, role: Role, agency: str) -> Actor | None:
    """An actor of *role* at *agency*, or ``None`` where the agency may have none (no SK)."""
    try:
        return make_agency_actor(registry, f"{role.value}@{agency}", role, agency)
    except LaporError:
        return None


def decided(
    complaint: Complaint | None, actor: Actor, command: Command, now: datetime, ctx: Context
) -> tuple[Event, ...] | None:
    """The events ``decide`` returns, or ``None`` when it refuses."""
    try:
        return decide(complaint, command, actor, now, ctx)
    except LaporError:
        return None


def by_type(items: Sequence[T]) -> list[list[T]]:
    """*items* grouped by the type of their command (the second element), types in order."""
    groups: dict[str, list[T]] = {}
    for item in items:
        groups.setdefault(type(item[1]).__name__, []).append(item)
    return [groups[name] for name in sorted(groups)]


def actor_pool(complaint: Complaint, ctx: Context) -> dict[str, Actor]:
    """The actors that may matter for *complaint*: its owner, admins, the agencies around it."""
    registry = ctx.registry
    pool: dict[str, Actor] = {}
    owner = Actor.reporter(complaint.reporter.id)
    stranger = Actor.reporter(complaint.reporter.id + "-lain")
    for actor in (owner, stranger, Actor.national_admin("admin-nasional"), Actor.system()):
        pool[f"{actor.role.value}:{actor.id}"] = actor
    nodes: set[str] = {complaint.router}
    for assignment in complaint.assignments:
        nodes.update({assignment.agency, assignment.handler, assignment.forwarded_by})
    nodes.update(rc.responsible for rc in complaint.clocks)
    above = {
        a.id
        for node in nodes
        if node in registry
        for a in registry.ancestors(node)
        if a.id != registry.root.id
    }
    nodes |= above
    outsider = next(
        (a.id for a in registry if a.has_decree and a.id not in nodes and a.kind.is_top_level),
        None,
    )
    if outsider is not None:
        nodes.add(outsider)
    for node in sorted(n for n in nodes if n in registry and n != registry.root.id):
        for role in (Role.AGENCY_ADMIN, Role.UNIT_ADMIN, Role.LIAISON_OFFICER):
            scoped = agency_actor(registry, role, node)
            if scoped is not None:
                pool[f"{role.value}:{scoped.id}"] = scoped
    return pool


def _forward_targets(complaint: Complaint, ctx: Context, actor: Actor) -> list[tuple[str, ...]]:
    registry = ctx.registry
    root = registry.root.id
    if actor.role is Role.NATIONAL_ADMIN:
        targets = [a.id for a in registry if a.kind.is_top_level]
        if complaint.region is not None:
            local = registry.local_government(complaint.region)
            if local is not None:
                targets.append(local.id)
        if complaint.subject_agency is not None:
            inspectorate = registry.inspectorate_for(complaint.subject_agency)
            if inspectorate is not None:
                targets.append(inspectorate.id)
    elif actor.agency_id is not None:
        targets = [a.id for a in registry.subtree(actor.agency_id) if a.id != actor.agency_id]
    else:
        return []
    unique = sorted({t for t in targets if t != root})
    out: list[tuple[str, ...]] = [(t,) for t in unique]
    if len(unique) >= 2:
        out.append((unique[0], unique[-1]))
    return out


@attrs.frozen
class _Around:
    """What the candidates of one complaint are built from: its actors and allowed commands."""

    complaint: Complaint
    ctx: Context
    now: datetime
    pool: dict[str, Actor]
    allowed: frozenset[str]
    originals: tuple[ComplaintId, ...]

    @classmethod
    def of(
        cls,
        complaint: Complaint,
        ctx: Context,
        now: datetime,
        originals: Sequence[ComplaintId] | None = None,
    ) -> _Around:
        allowed = frozenset(ctx.lifecycle.allowed_commands(complaint.status))
        if originals is None:  # a placeholder: only decide, which cannot look, accepts it
            originals = (ComplaintId("asli" if complaint.id.value != "asli" else "asli-2"),)
        others = tuple(o for o in originals if o != complaint.id)
        return cls(complaint, ctx, now, actor_pool(complaint, ctx), allowed, others)

    @property
    def cid(self) -> ComplaintId:
        return self.complaint.id

    @property
    def owner(self) -> Actor:
        return Actor.reporter(self.complaint.reporter.id)

    @property
    def admins(self) -> list[Actor]:
        admin_roles = {Role.NATIONAL_ADMIN, Role.AGENCY_ADMIN}
        return [a for a in self.pool.values() if a.role in admin_roles]

    def agency(self, role: Role, node: str) -> Actor | None:
        """The pool's actor of *role* at *node*, if the pool has one."""
        return self.pool.get(f"{role.value}:{role.value}@{node}")


def _pairs(actors: Iterable[Actor | None], command: Command) -> list[tuple[Actor, Command]]:
    return [(a, command) for a in actors if a is not None]


def candidates(
    complaint: Complaint,
    ctx: Context,
    now: datetime,
    originals: Sequence[ComplaintId] | None = None,
) -> list[tuple[Actor, Command]]:
    """
    Pairs that are usually valid for *complaint* at *now* (``decide`` has the last word).

    An archive as duplicate names the first of *originals* other than *complaint*
    (none: no such archive); without *originals*, a placeholder id.
    """
    around = _Around.of(complaint, ctx, now, originals)
    return [
        *_editing(around),
        *_forwarding(around),
        *(pair for a in complaint.assignments for pair in _assignment(around, a.agency, a.handler)),
        *_closing(around),
        *_reporter_options(around),
        *_clock_commands(around),
    ]


def _editing(around: _Around) -> list[tuple[Actor, Command]]:
    """Classify, ask the reporter for information, and the reporter's answer."""
    cid, admins, out = around.cid, around.admins, []
    if "Classify" in around.allowed:
        other_kind = next(k for k in Kind if k is not around.complaint.kind)
        out += _pairs(admins, Classify(complaint_id=cid, title="Ringkasan: Lampu lalu lintas mati"))
        out += _pairs(admins[:1], Classify(complaint_id=cid, kind=other_kind))
        out += _pairs(admins[:1], Classify(complaint_id=cid, tags=("prioritas",)))
        for code in sorted(around.ctx.profile.service_standards)[:2]:
            out += _pairs(admins[:1], Classify(complaint_id=cid, category=Category(code)))
    if "RequestInformation" in around.allowed:
        question = RequestInformation(complaint_id=cid, question="Mohon lengkapi lokasinya.")
        out += _pairs(admins, question)
    if "ProvideInformation" in around.allowed:
        answer = ProvideInformation(complaint_id=cid, text="Lokasinya di Jl. Juanda.")
        out += _pairs([around.owner], answer)
    return out


def _forwarding(around: _Around) -> list[tuple[Actor, Command]]:
    """Forward, by every admin, to the targets each may forward to."""
    if "Forward" not in around.allowed:
        return []
    return [
        (actor, Forward(complaint_id=around.cid, agencies=targets))
        for actor in around.admins
        for targets in _forward_targets(around.complaint, around.ctx, actor)
    ]


def _assignment(around: _Around, agency: str, handler: str) -> list[tuple[Actor, Command]]:
    """For one assignment: forward it down the tree, reject it, follow it up."""
    cid, registry, out = around.cid, around.ctx.registry, []
    if "ForwardInternally" in around.allowed and handler in registry:
        below = [a.id for a in registry.subtree(handler) if a.id != handler]
        for node in below:
            down = ForwardInternally(complaint_id=cid, agency=agency, to=node)
            out += _pairs(
                [
                    around.agency(Role.AGENCY_ADMIN, agency),
                    around.agency(Role.UNIT_ADMIN, handler),
                    around.agency(Role.AGENCY_ADMIN, handler),
                ],
                down,
            )
    if "RejectDisposition" in around.allowed:
        out += _pairs(
            [around.agency(Role.AGENCY_ADMIN, agency), around.agency(Role.AGENCY_ADMIN, handler)],
            RejectDisposition(complaint_id=cid, agency=agency, reason="Bukan wewenang"),
        )
    if "PostFollowUp" in around.allowed:
        out += _pairs(
            [
                around.agency(Role.LIAISON_OFFICER, handler),
                around.agency(Role.UNIT_ADMIN, handler),
                around.agency(Role.AGENCY_ADMIN, agency),
            ],
            PostFollowUp(complaint_id=cid, agency=agency, text="Sudah diperbaiki."),
        )
    return out


def _closing(around: _Around) -> list[tuple[Actor, Command]]:
    """Reply, close, and archive for every reason."""
    cid, admins, out = around.cid, around.admins, []
    if "Reply" in around.allowed:
        national = Actor.national_admin("admin-nasional")
        out += _pairs([around.owner, national], Reply(complaint_id=cid, text="Terima kasih."))
    if "Close" in around.allowed:
        out += _pairs(admins, Close(complaint_id=cid, note="Selesai ditangani."))
    if "Archive" in around.allowed:
        for reason in ArchiveReason:
            archive: Command
            if reason is ArchiveReason.DUPLICATE:
                if not around.originals:
                    continue
                original = around.originals[0]
                archive = Archive(complaint_id=cid, reason=reason, duplicate_of=original)
            elif reason is ArchiveReason.OTHER:
                archive = Archive(complaint_id=cid, reason=reason, note="Lainnya.")
            else:
                archive = Archive(complaint_id=cid, reason=reason)
            out += _pairs(admins if reason is ArchiveReason.UNCLEAR else admins[:1], archive)
    return out


def _reporter_options(around: _Around) -> list[tuple[Actor, Command]]:
    """Rate and reopen (where the profile enables them), and change the privacy flags."""
    cid, out = around.cid, []
    if "Rate" in around.allowed:
        for score in range(1, around.ctx.profile.rating.scale + 1):
            out += _pairs([around.owner], Rate(complaint_id=cid, score=score))
    if "Reopen" in around.allowed:
        out += _pairs([around.owner], Reopen(complaint_id=cid, reason="Masalahnya muncul lagi."))
    if "ChangePrivacy" in around.allowed:
        for anonymous in (False, True):
            for confidential in (False, True):
                privacy = Privacy(anonymous=anonymous, confidential=confidential)
                out += _pairs(around.admins, ChangePrivacy(complaint_id=cid, privacy=privacy))
    return out


def _clock_commands(around: _Around) -> list[tuple[Actor, Command]]:
    """The sweeper's commands owed at *now*, and extensions of the extendable clocks."""
    complaint, profile = around.complaint, around.ctx.profile
    owed = due(complaint, around.now, around.ctx.calendar, profile.clocks)
    out: list[tuple[Actor, Command]] = [(Actor.system(), command) for command in owed]
    done = complaint.record.deadlines_confirmed_until
    confirmed = around.ctx.calendar.confirmed_until
    if "RecomputeDeadlines" in around.allowed and (done is None or done < confirmed):
        recompute = RecomputeDeadlines(complaint_id=around.cid, previous_until=confirmed - 1)
        out.append((Actor.system(), recompute))
    if "ExtendDeadline" not in around.allowed or not profile.extension.enabled:
        return out
    for rc in complaint.clocks:
        definition = profile.clocks.get(rc.clock)
        if definition is None or not definition.extendable:
            continue
        for amount in sorted({1, profile.extension.max_amount}):
            extend = ExtendDeadline(
                complaint_id=around.cid,
                clock=rc.clock,
                agency=rc.agency,
                amount=amount,
                reason="Perlu survei lapangan.",
            )
            out += _pairs([around.agency(Role.AGENCY_ADMIN, rc.responsible)], extend)
    return out


def accepted(
    complaint: Complaint,
    ctx: Context,
    now: datetime,
    kinds: Collection[str] | None = None,
    originals: Sequence[ComplaintId] | None = None,
) -> list[Decided]:
    """
    The :func:`candidates` that ``decide`` accepts at *now*, with their events.

    With *kinds* (names of command classes), only the candidates of those kinds; an
    archive as duplicate names one of *originals* (see :func:`candidates`).
    """
    lifecycle = ctx.lifecycle
    out = []
    for actor, command in candidates(complaint, ctx, now, originals):
        if kinds is not None and type(command).__name__ not in kinds:
            continue
        try:
            row = lifecycle.row(complaint.status, type(command))
        except LaporError:
            continue
        if actor.role not in row.roles:
            continue
        events = decided(complaint, actor, command, now, ctx)
        if events is not None:
            out.append((actor, command, events))
    return out


def all_commands(complaint: Complaint, ctx: Context, now: datetime) -> list[Command]:
    """Well-formed commands of every type for *complaint*, whatever its status."""
    cid = complaint.id
    commands = [command for _, command in candidates(complaint, ctx, now)]
    clock_names = sorted(ctx.profile.clocks) or ["forwarding"]
    agency = complaint.assignments[0].agency if complaint.assignments else complaint.router
    commands += [
        Classify(complaint_id=cid, title="Judul baru"),
        RequestInformation(complaint_id=cid, question="Di mana?"),
        ProvideInformation(complaint_id=cid, text="Di sini."),
        Forward(complaint_id=cid, agencies=(agency,)),
        Forward(complaint_id=cid, agencies=(ctx.registry.root.id,)),
        ForwardInternally(complaint_id=cid, agency=agency, to=agency),
        RejectDisposition(complaint_id=cid, agency=agency, reason="Bukan wewenang"),
        PostFollowUp(complaint_id=cid, agency=agency, text="Sudah."),
        PostFollowUp(complaint_id=cid, agency="tidak-ada", text="Sudah."),
        Reply(complaint_id=cid, text="Terima kasih."),
        Close(complaint_id=cid),
        Archive(complaint_id=cid, reason=ArchiveReason.UNCLEAR),
        Rate(complaint_id=cid, score=0),
        Rate(complaint_id=cid, score=ctx.profile.rating.scale + 1),
        Reopen(complaint_id=cid, reason="Lagi."),
        ChangePrivacy(complaint_id=cid, privacy=complaint.privacy),
        RecordBreach(complaint_id=cid, clock=clock_names[0]),
        RecordWarning(complaint_id=cid, clock=clock_names[-1], threshold=1),
        ExtendDeadline(complaint_id=cid, clock=clock_names[0], amount=99, reason="Lama."),
        Close(complaint_id=ComplaintId(cid.value[:60] + "-lain")),
    ]
    return commands
