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
    InvalidTransition,
    PermissionDenied,
)

__all__ = ["in_subtree", "require_agency", "require_assignment", "require_scope"]


def _require_reporter(complaint: Complaint, actor: Actor) -> None:
    if actor.role is Role.REPORTER and actor.id != complaint.reporter.id:
        raise PermissionDenied(
            f"reporter {actor.id!r} acts only on their own complaints; {complaint.id} "
            "belongs to another reporter"
        )


def in_subtree(ctx: Context, node: str, actor: Actor) -> bool:
    """
    Whether *node* is a known agency inside the subtree of *actor*'s agency.

    .. versionadded:: 0.1.0
    """
    assert actor.agency is not None  # noqa: S101 - agency roles always carry an agency
    return node in ctx.registry and ctx.registry.is_within(node, actor.agency)


def require_scope(complaint: Complaint, actor: Actor, ctx: Context) -> None:
    """
    Refuse an actor who may not act on *complaint*.

    An agency actor must find the complaint inside its subtree (the router, or one of
    its assignments); a reporter must be the complaint's own reporter.

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
            f"{actor.role.value} {actor.id!r} of {actor.agency!r} may not act on complaint "
            f"{complaint.id}: it is not assigned inside that agency's subtree"
        )


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
        raise InvalidTransition(f"complaint {complaint.id} is not assigned to agency {agency!r}")
    if actor.role.is_agency_role and not in_subtree(ctx, assignment.handler, actor):
        raise PermissionDenied(
            f"{actor.role.value} {actor.id!r} of {actor.agency!r} may not act on the "
            f"assignment of {agency!r} (handled at {assignment.handler!r})"
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
