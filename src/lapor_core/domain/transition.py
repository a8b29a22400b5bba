"""
The rows of a lifecycle table: :class:`Transition`, its :class:`Outcome` and :class:`Target`.

A row says in which status a command is allowed, to which roles, under which guard,
what the command records (the event types of each outcome) and where the complaint
goes. The national table is :data:`~lapor_core.domain.table.TRANSITIONS`;
:class:`~lapor_core.domain.lifecycle.Lifecycle` compiles a table for a profile.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import datetime
from typing import TypeAlias

import attrs

from lapor_core.domain import commands as c
from lapor_core.domain import events as e
from lapor_core.domain.actors import Actor, Role
from lapor_core.domain.model import Status
from lapor_core.domain.profile import Profile
from lapor_core.domain.state import Complaint
from lapor_core.errors import N_, InvalidTransition, LaporError

__all__ = ["Condition", "Guard", "Outcome", "Target", "Transition"]


Guard: TypeAlias = Callable[[Complaint | None, c.Command, Actor, datetime, Profile], None]
"""A guard checks a row's extra condition and raises a LaporError when it fails."""

Condition: TypeAlias = Callable[[tuple[e.Event, ...]], bool]
"""A condition picks one of a row's outcomes that record the same event types."""


class Target(enum.Enum):
    """
    Where a command leads when the row names no fixed status.

    .. versionadded:: 0.1.0
    """

    SAME = "same"
    """The status does not change."""
    HELD_FROM = "held_from"
    """Back to the status the complaint was put on hold from (*Tunda* ends)."""


@attrs.frozen
class Outcome:
    """
    One way a command can end: the events it records and where the complaint goes.

    Attributes:
        events: The event types, in order.
        target: A fixed status, or how to find it (:class:`Target`).
        when: Among outcomes with the same event types, the condition for this one
            (``None``: always).

    .. versionadded:: 0.1.0
    """

    events: tuple[type[e.Event], ...]
    target: Status | Target
    when: Condition | None = None

    @property
    def condition_name(self) -> str:
        """The condition's docstring summary, or ``""``."""
        return _summary(self.when)

    def matches(self, events: tuple[e.Event, ...]) -> bool:
        """Whether *events* are what this outcome records."""
        return tuple(type(event) for event in events) == self.events and (
            self.when is None or self.when(events)
        )


def _summary(function: Callable[..., object] | None) -> str:
    if function is None or not function.__doc__:
        return ""
    return function.__doc__.strip().splitlines()[0]


@attrs.frozen
class Transition:
    """
    One row of the lifecycle table.

    Attributes:
        source: The status the row applies in (``None``: no complaint yet).
        command: The command class.
        roles: Roles that may issue the command here (scope is checked as well).
        outcomes: What the command records and where it leads, one entry per way it
            can end (a *bukan wewenang* rejection keeps ``forwarded`` while other
            assignees remain and returns to ``submitted`` when none do).
        basis: The source of the rule (domain.md section and its source).
        guard: An extra condition, raising a LaporError when it fails.
        option: The profile option that must be on for the row to exist.

    .. versionadded:: 0.1.0
    """

    source: Status | None
    command: type[c.Command]
    roles: frozenset[Role]
    outcomes: tuple[Outcome, ...]
    basis: str
    guard: Guard | None = None
    option: str | None = None

    @property
    def guard_name(self) -> str:
        """The guard's docstring summary, or ``""``."""
        return _summary(self.guard)

    @property
    def events(self) -> frozenset[type[e.Event]]:
        """Every event type the command can record here."""
        return frozenset(t for outcome in self.outcomes for t in outcome.events)

    def outcome(self, events: tuple[e.Event, ...]) -> Outcome:
        """
        The outcome that *events* are.

        Raises:
            InvalidTransition: No outcome of the row records these events.
        """
        for outcome in self.outcomes:
            if outcome.matches(events):
                return outcome
        names = ", ".join(type(event).__name__ for event in events)
        where = (
            LaporError(N_("before submission"))
            if self.source is None
            else LaporError(N_("in {status}"), status=self.source.value)
        )
        raise InvalidTransition(
            N_(
                "{type_name} {where} recorded ({names}), which its row of the lifecycle "
                "table does not list"
            ),
            type_name=self.command.__name__,
            where=where,
            names=names,
        )
