"""
Hypothesis strategies for complaints in any state the library can reach.

:func:`complaints` walks the real ``decide`` and ``evolve`` from an accepted submission,
so a drawn complaint is one the library can actually reach, with the events that led
there.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections import deque
from datetime import UTC, datetime, timedelta

import attrs
from hypothesis import assume
from hypothesis import strategies as st

from lapor_core.domain.complaint import Complaint, Context, decide, evolve
from lapor_core.domain.events import Event
from lapor_core.domain.lifecycle import Status
from lapor_core.domain.model import ComplaintId
from lapor_core.testing.strategies._candidates import Decided, accepted, by_type
from lapor_core.testing.strategies.commands import submissions
from lapor_core.testing.strategies.values import aware_datetimes

__all__ = ["complaints"]


def distances_to(ctx: Context, target: Status) -> dict[Status, int]:
    """Fewest table steps from each status to *target* (absent: unreachable; not public API)."""
    lifecycle = ctx.lifecycle
    sources: dict[Status, set[Status]] = {}
    for status in Status:
        for successor in lifecycle.successors(status):
            sources.setdefault(successor, set()).add(status)
    distance = {target: 0}
    queue = deque([target])
    while queue:
        current = queue.popleft()
        for source in sources.get(current, ()):
            if source not in distance:
                distance[source] = distance[current] + 1
                queue.append(source)
    return distance


_LAST_START = datetime(2026, 12, 31, tzinfo=UTC)
_MAX_GAP_MINUTES = 5 * 24 * 60


def complaints(
    ctx: Context,
    status: Status | None = None,
    *,
    complaint_id: ComplaintId | None = None,
    max_steps: int = 8,
) -> st.SearchStrategy[tuple[Complaint, tuple[Event, ...]]]:
    """
    Complaints in any state the library can reach, with the events that led there.

    Starts from an accepted submission (:func:`submissions`) at an instant between 2002
    and 2026, then applies up to *max_steps* accepted commands (:func:`valid_commands`),
    moving the time on by up to five days before each, so clock commands (warnings,
    breaches, automatic close) happen too. The walk heads for a status: *status*, or
    one drawn from those the profile's lifecycle can reach, so that every status comes
    up often (a walk that misses a drawn status ends where it got to); it keeps that
    status reachable while it wanders, then takes steps towards it. With *status*,
    draws that cannot reach it are rejected.

    Args:
        ctx: The deployment.
        status: The status the complaint must end in (default: any).
        complaint_id: Its id (default: drawn).
        max_steps: The longest random walk (and, with *status*, the longest approach).

    Returns:
        A strategy of ``(complaint, events)``: ``replay(events) == complaint``.

    .. versionadded:: 0.1.0
    """
    wanted = [status] if status is not None else list(Status)
    distances = {s: distances_to(ctx, s) for s in wanted}
    targets = [s for s in wanted if Status.SUBMITTED in distances[s]]
    if status is not None and not targets:
        targets = [status]  # unreachable: every draw is rejected below

    @st.composite
    def build(draw: st.DrawFn) -> tuple[Complaint, tuple[Event, ...]]:
        walk = _Walk.submitted(draw, ctx, complaint_id)
        target = draw(st.sampled_from(targets), label="heading for")
        distance = distances[target]
        walk.wander(draw(st.integers(0, max_steps)), distance)
        walk.approach(target, distance, max_steps)
        if status is not None:
            assume(walk.state.status is status)
        return walk.state, tuple(walk.events)

    return build()


@attrs.define
class _Walk:
    """One drawn complaint as it moves: its state, its events, the instant reached."""

    draw: st.DrawFn
    ctx: Context
    state: Complaint
    events: list[Event]
    now: datetime

    @classmethod
    def submitted(cls, draw: st.DrawFn, ctx: Context, complaint_id: ComplaintId | None) -> _Walk:
        """Start from an accepted submission at an instant between 2002 and 2026."""
        actor, submit = draw(submissions(ctx, complaint_id))
        now = draw(aware_datetimes(max_value=_LAST_START))
        events = list(decide(None, submit, actor, now, ctx))
        state: Complaint | None = None
        for event in events:
            state = evolve(state, event)
        assert state is not None  # noqa: S101 - a submission yields an event
        return cls(draw, ctx, state, events, now)

    def step(self, choices: list[Decided]) -> None:
        """Apply one of *choices*, drawn by command type first."""
        groups = by_type(choices)
        group = groups[self.draw(st.integers(0, len(groups) - 1))]
        chosen = group[self.draw(st.integers(0, len(group) - 1))][2]
        for event in chosen:
            self.state = evolve(self.state, event)
        self.events.extend(chosen)

    def after(self, events: tuple[Event, ...]) -> Status:
        """The status *events* would lead to from the current state."""
        current = self.state
        for event in events:
            current = evolve(current, event)
        return current.status

    def wander(self, steps: int, distance: dict[Status, int] | None) -> None:
        """
        Up to *steps* accepted commands, moving the time on by up to five days before each.

        With *distance*, only commands after which the target stays reachable.
        """
        for _ in range(steps):
            gap = timedelta(minutes=self.draw(st.integers(0, _MAX_GAP_MINUTES)))
            self.now = max(self.now, self.state.updated_at) + gap
            choices = accepted(self.state, self.ctx, self.now)
            if distance is not None:
                choices = [c for c in choices if self.after(c[2]) in distance]
            if not choices:
                return
            self.step(choices)

    def approach(self, status: Status, distance: dict[Status, int], steps: int) -> None:
        """Up to *steps* commands, each one table step closer to *status*."""
        for _ in range(steps):
            if self.state.status is status:
                return
            self.now = max(self.now, self.state.updated_at)
            choices = accepted(self.state, self.ctx, self.now)
            here = distance.get(self.state.status, len(Status))
            closer = [c for c in choices if distance.get(self.after(c[2]), len(Status)) < here]
            if not closer:
                return
            self.step(closer)
