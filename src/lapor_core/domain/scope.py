"""
Agency scoping: who may act on which complaint.

An agency's actors act only on complaints assigned inside their subtree (or routed to
it, before forwarding); a reporter only on their own complaints (domain.md section 1).

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from lapor_core.domain import events as e
from lapor_core.domain.actors import Actor, Role
from lapor_core.domain.context import Context
from lapor_core.domain.state import Complaint
from lapor_core.errors import (
    N_,
    InvalidTransition,
    PermissionDenied,
    ValidationError,
)

__all__ = [
    "in_accused_line",
    "in_subtree",
    "nearest_with_decree",
    "no_decree_error",
    "require_agency",
    "require_agency_actor",
    "require_assignment",
    "require_decree",
    "require_outside_accused_line",
    "require_scope",
]


def _who(actor: Actor) -> dict[str, str | None]:
    """The fields that name an agency actor in a refusal: its role, id and agency."""
    return {"role": actor.role.value, "actor_id": actor.id, "agency_id": actor.agency_id}


def _require_reporter(complaint: Complaint, actor: Actor) -> None:
    if actor.role is Role.REPORTER and actor.id != complaint.reporter.id:
        raise PermissionDenied(
            N_(
                "reporter {actor_id!r} acts only on their own complaints; {complaint_id} "
                "belongs to another reporter"
            ),
            actor_id=actor.id,
            complaint_id=complaint.id,
        )


def in_subtree(ctx: Context, node: str, actor: Actor) -> bool:
    """
    Whether *node* is a known agency inside the subtree of *actor*'s agency.

    .. versionadded:: 0.1.0
    """
    assert actor.agency_id is not None  # noqa: S101 - agency roles always carry an agency
    return node in ctx.registry and ctx.registry.is_within(node, actor.agency_id)


def require_scope(complaint: Complaint, actor: Actor, ctx: Context) -> None:
    """
    Refuse an actor who may not act on *complaint*.

    An agency actor must find the complaint inside its subtree (the router, or one of
    its assignments); a reporter must be the complaint's own reporter. A misconduct
    report is out of scope for the office it is about and for every agency above that
    office (its line): they are the accused, or answer for it, so only the inspectorate
    that holds it (and its units), superiors outside that line and the national admin
    act on it (domain.md §3.5, the inspectorate rule [I]).

    Raises:
        PermissionDenied: The actor is out of scope.

    .. versionadded:: 0.1.0
    """
    if not actor.role.is_agency_role:
        _require_reporter(complaint, actor)
        return
    nodes = [a.handler for a in complaint.assignments] or [complaint.router]
    if not any(in_subtree(ctx, n, actor) for n in nodes):
        raise PermissionDenied(
            N_(
                "{role} {actor_id!r} of {agency_id!r} may not act on complaint "
                "{complaint_id}: it is not assigned inside that agency's subtree"
            ),
            **_who(actor),
            complaint_id=complaint.id,
        )
    require_outside_accused_line(complaint, actor, ctx)


def require_outside_accused_line(complaint: Complaint, actor: Actor, ctx: Context) -> None:
    """
    Refuse an actor of the office a misconduct report is about, or of an agency above it.

    They may neither act on it nor read it, whatever assignment or command they name
    (domain.md §3.5, the inspectorate rule [I]).

    Raises:
        PermissionDenied: The actor is of the accused office's line.

    .. versionadded:: 0.2.0
    """
    if in_accused_line(complaint, actor, ctx):
        raise PermissionDenied(
            N_(
                "{role} {actor_id!r} of {agency_id!r} may not act on complaint "
                "{complaint_id}: it is a misconduct report about {subject_agency!r}, "
                "which is that agency or under it; the inspectorate that holds it and "
                "the national admin act on it"
            ),
            **_who(actor),
            complaint_id=complaint.id,
            subject_agency=complaint.subject_agency,
        )


def in_accused_line(complaint: Complaint, actor: Actor, ctx: Context) -> bool:
    """
    Whether *actor* is of the office a misconduct report is about, or of an agency above it.

    .. versionadded:: 0.2.0
    """
    subject = complaint.subject_agency
    if not complaint.misconduct or subject is None or actor.agency_id is None:
        return False
    if subject not in ctx.registry or actor.agency_id not in ctx.registry:
        return False
    return ctx.registry.is_within(subject, actor.agency_id)


def require_assignment(
    complaint: Complaint, agency: str, actor: Actor, ctx: Context
) -> e.Assignment:
    """
    The assignment of *agency*, which *actor* must be able to act on.

    Raises:
        InvalidTransition: The complaint is not assigned to *agency*.
        PermissionDenied: The assignment is handled outside the actor's subtree.

    .. versionadded:: 0.1.0
    """
    assignment = complaint.assignment(agency)
    if assignment is None:
        raise InvalidTransition(
            N_("complaint {complaint_id} is not assigned to agency {agency!r}"),
            complaint_id=complaint.id,
            agency=agency,
        )
    if actor.role.is_agency_role and not in_subtree(ctx, assignment.handler, actor):
        raise PermissionDenied(
            N_(
                "{role} {actor_id!r} of {agency_id!r} may not act on the assignment of "
                "{agency!r} (handled at {handler!r})"
            ),
            **_who(actor),
            agency=agency,
            handler=assignment.handler,
        )
    return assignment


def require_agency(ctx: Context, agency_id: str) -> None:
    """
    Refuse an agency the registry does not know.

    Raises:
        NotFound: No such agency.

    .. versionadded:: 0.1.0
    """
    ctx.registry.get(agency_id)


def nearest_with_decree(ctx: Context, agency_id: str) -> str:
    """
    The nearest ancestor of *agency_id* that has its decree (*SK*); the root at worst.

    .. versionadded:: 0.1.0
    """
    registry = ctx.registry
    for ancestor in registry.ancestors(agency_id):
        if ancestor.has_decree:
            return ancestor.id
    return registry.root.id


def no_decree_error(ctx: Context, agency_id: str) -> ValidationError:
    """
    The refusal of a forward to *agency_id*, which has no decree (*SK*).

    Its message names the nearest ancestor with a decree, or says that none below the
    national root has one; it is a template, so it is printed in the reader's language.

    .. versionadded:: 0.2.0
    """
    nearest = nearest_with_decree(ctx, agency_id)
    if nearest != ctx.registry.root.id:
        return ValidationError(
            N_(
                "agency {agency_id!r} has no decree (SK) appointing its complaint team, so "
                "nobody there can act on a complaint; its nearest ancestor with one is "
                "{nearest!r}"
            ),
            agency_id=agency_id,
            nearest=nearest,
        )
    return ValidationError(
        N_(
            "agency {agency_id!r} has no decree (SK) appointing its complaint team, so "
            "nobody there can act on a complaint; no ancestor below the national root has "
            "one (the national admin keeps it)"
        ),
        agency_id=agency_id,
    )


def require_decree(ctx: Context, agency_id: str) -> str:
    """
    The agency a complaint forwarded to *agency_id* goes to: the decree (*SK*) rule.

    An agency with its decree is itself. Without one, the forward is refused, unless the
    profile's ``[options.no_wrong_door]`` is enabled: then the complaint goes to the
    nearest ancestor that has one (never the national root).

    Raises:
        NotFound: No such agency.
        ValidationError: The agency has no decree (and no wrong door is off, or no
            ancestor below the root has one); the message names the nearest ancestor
            that has one.

    .. versionadded:: 0.1.0
    """
    if ctx.registry.get(agency_id).has_decree:
        return agency_id
    nearest = nearest_with_decree(ctx, agency_id)
    if ctx.profile.no_wrong_door.enabled and nearest != ctx.registry.root.id:
        return nearest
    raise no_decree_error(ctx, agency_id)


def require_agency_actor(ctx: Context, actor: Actor) -> None:
    """
    Refuse an agency actor whose agency is unknown or has no decree (*SK*).

    The same rule as :func:`~lapor_core.domain.actors.make_agency_actor`, however the
    actor was built: an agency without its decree has no accounts (domain.md section 6).

    Raises:
        PermissionDenied: Unknown agency, or no decree.

    .. versionadded:: 0.1.0
    """
    if not actor.role.is_agency_role:
        return
    assert actor.agency_id is not None  # noqa: S101 - agency roles always carry an agency
    if actor.agency_id not in ctx.registry:
        raise PermissionDenied(
            N_(
                "{role} {actor_id!r} belongs to {agency_id!r}, which is not an agency of "
                "the registry"
            ),
            **_who(actor),
        )
    if not ctx.registry.get(actor.agency_id).has_decree:
        raise PermissionDenied(
            N_(
                "agency {agency_id!r} has no decree (SK) appointing its complaint team; "
                "{role} {actor_id!r} cannot act for it"
            ),
            **_who(actor),
        )
