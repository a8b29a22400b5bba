"""
Hypothesis strategies for commands: submissions, and what ``decide`` accepts or refuses.

:func:`submissions` draws ``(actor, Submit)`` pairs for a new complaint;
:func:`valid_commands` lists the ``(actor, command)`` pairs around a complaint that
``decide`` accepts at an instant, :func:`invalid_commands` draws pairs it refuses, and
:func:`commands_for` draws either kind.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime

import attrs
from hypothesis import strategies as st

from lapor_core.domain.actors import Actor, Role
from lapor_core.domain.agencies import AgencyRegistry
from lapor_core.domain.commands import Command, Submit
from lapor_core.domain.complaint import Complaint, Context
from lapor_core.domain.model import ComplaintId, RegionCode
from lapor_core.testing.strategies._candidates import (
    accepted,
    actor_pool,
    agency_actor,
    all_commands,
    by_type,
    decided,
)
from lapor_core.testing.strategies.values import (
    aware_datetimes,
    categories,
    channels,
    complaint_ids,
    contents,
    external_ids,
    kinds,
    privacies,
    region_codes,
    reporters,
)

__all__ = ["Pair", "commands_for", "invalid_commands", "submissions", "valid_commands"]

Pair = tuple[Actor, Command]
"""
An ``(actor, command)`` pair, as :func:`~lapor_core.domain.complaint.decide` takes them.

.. versionadded:: 0.1.0
"""


def _regions(registry: AgencyRegistry) -> list[RegionCode]:
    return sorted({a.region for a in registry if a.region is not None})


def submissions(ctx: Context, complaint_id: ComplaintId | None = None) -> st.SearchStrategy[Pair]:
    """
    ``(actor, Submit)`` pairs that ``decide`` accepts for a new complaint.

    A reporter submits through a channel they use; the national admin or an agency
    admin digitises a paper or messaging report (the agency admin for its own agency);
    the system actor forwards one from a regional app. Reports may be addressed to an
    agency, be about an office, or allege misconduct by one.

    Args:
        ctx: The deployment (profile, registry, calendar).
        complaint_id: The new complaint's id (default: drawn).

    .. versionadded:: 0.1.0
    """
    if complaint_id is None:
        return st.tuples(_submissions(ctx), complaint_ids()).map(_with_id)
    return _submissions(ctx).map(functools.partial(_set_id, complaint_id))


def _set_id(complaint_id: ComplaintId, pair: Pair) -> Pair:
    return pair[0], attrs.evolve(pair[1], complaint_id=complaint_id)


def _with_id(drawn: tuple[Pair, ComplaintId]) -> Pair:
    return _set_id(drawn[1], drawn[0])


_PLACEHOLDER = ComplaintId("baru")


@functools.cache
def _submissions(ctx: Context) -> st.SearchStrategy[Pair]:
    registry = ctx.registry
    agencies = sorted(a.id for a in registry if a.id != registry.root.id)
    known_regions = _regions(registry)
    region = st.none() | region_codes()
    if known_regions:
        region = st.sampled_from(known_regions).flatmap(region_codes) | region
    reporter_channels = channels(ctx.profile, digitised=False)
    any_channels = channels(ctx.profile)
    paper_channels = channels(ctx.profile, digitised=True)
    category = st.none() | categories(ctx.profile)

    @st.composite
    def build(draw: st.DrawFn) -> Pair:
        cid = _PLACEHOLDER
        reporter = draw(reporters())
        target = draw(st.none() | st.sampled_from(agencies))
        misconduct = draw(st.booleans()) if agencies else False
        subject = draw(st.sampled_from(agencies)) if misconduct else None
        who = draw(st.sampled_from(["reporter", "national", "agency", "system"]))
        digitised = who in {"national", "agency"} and draw(st.booleans())
        if digitised:
            channel = draw(paper_channels)
        else:
            channel = draw(reporter_channels if who == "reporter" else any_channels)
        command = Submit(
            complaint_id=cid,
            content=draw(contents()),
            kind=draw(kinds()),
            reporter=reporter,
            channel=channel,
            privacy=draw(privacies()),
            region=draw(region),
            category=draw(category),
            external_ids=draw(external_ids()),
            target_agency=target,
            subject_agency=subject,
            misconduct=misconduct,
        )
        actor: Actor | None = None
        if who == "reporter":
            actor = Actor.reporter(reporter.id)
        elif who == "system":
            actor = Actor.system("lapor-wal-sync")
        elif who == "agency" and target is not None:
            actor = agency_actor(registry, Role.AGENCY_ADMIN, target)
        now = draw(aware_datetimes())
        if actor is None or decided(None, actor, command, now, ctx) is None:
            actor = Actor.national_admin("admin-nasional")
        return actor, command

    return build()


def valid_commands(
    complaint: Complaint,
    ctx: Context,
    *,
    now: datetime | None = None,
    originals: Sequence[ComplaintId] | None = None,
) -> tuple[Pair, ...]:
    """
    ``(actor, command)`` pairs that ``decide`` accepts for *complaint* at *now*.

    The candidates cover every command the profile allows in the complaint's status, by
    the actors around it (its owner, the national admin, the admins, unit admins and
    liaison officers of the agencies it is routed or assigned to, the sweeper for the
    clock commands owed at *now*); each is checked with ``decide`` and kept only if
    accepted.

    Args:
        complaint: The complaint's current state.
        ctx: The deployment.
        now: The decision instant (default: the complaint's last event; clock commands
            need a later instant to be owed).
        originals: The complaints an archive as duplicate may name (the first other
            than *complaint*; empty: none is made). By default a placeholder id, which
            ``decide`` accepts (it cannot look) and a service refuses, as it does any
            original it does not hold: pass the ids a store holds to drive a service.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 *originals*.
    """
    instant = complaint.updated_at if now is None else now
    chosen = accepted(complaint, ctx, instant, originals=originals)
    return tuple((actor, command) for actor, command, _ in chosen)


def invalid_commands(
    complaint: Complaint, ctx: Context, *, now: datetime | None = None
) -> st.SearchStrategy[Pair]:
    """
    ``(actor, command)`` pairs that ``decide`` refuses for *complaint* at *now*.

    Commands of every type (including ones not allowed in the status, for another
    complaint, or with bad data) by actors of every role (including a stranger reporter
    and agencies out of scope), kept only when ``decide`` raises a ``LaporError``.

    Args:
        complaint: The complaint's current state.
        ctx: The deployment.
        now: The decision instant (default: the complaint's last event).

    .. versionadded:: 0.1.0
    """
    instant = complaint.updated_at if now is None else now
    pool = sorted(actor_pool(complaint, ctx).values(), key=lambda a: (a.role.value, a.id))
    commands = all_commands(complaint, ctx, instant)
    return st.tuples(st.sampled_from(pool), st.sampled_from(commands)).filter(
        lambda pair: decided(complaint, pair[0], pair[1], instant, ctx) is None
    )


def commands_for(
    complaint: Complaint, ctx: Context, *, valid: bool = True, now: datetime | None = None
) -> st.SearchStrategy[Pair]:
    """
    ``(actor, command)`` pairs for *complaint*: accepted by ``decide`` (or refused).

    Valid pairs are drawn by command type first, so a type with many candidates
    (archive reasons, privacy flags) does not crowd out the others.

    Args:
        complaint: The complaint's current state.
        ctx: The deployment.
        valid: ``True``: pairs from :func:`valid_commands` (``nothing()`` if there are
            none); ``False``: pairs from :func:`invalid_commands`.
        now: The decision instant (default: the complaint's last event).

    .. versionadded:: 0.1.0
    """
    if not valid:
        return invalid_commands(complaint, ctx, now=now)
    groups = by_type(valid_commands(complaint, ctx, now=now))
    if not groups:
        return st.nothing()
    return st.sampled_from(groups).flatmap(st.sampled_from)
