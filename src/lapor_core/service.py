"""
The application service: load, decide, append; sweep clocks; read events in order.

:class:`ComplaintService` is what an app embeds. It rebuilds a complaint from its stream,
asks the pure core what happens, and appends the events with the projection row in one
transaction, expecting the version it loaded (optimistic concurrency). On a conflict it
re-decides on fresh state, a bounded number of times.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

import attrs

from lapor_core.domain.actors import Actor
from lapor_core.domain.agencies import AgencyRegistry
from lapor_core.domain.calendar import WorkingCalendar
from lapor_core.domain.clocks import due
from lapor_core.domain.commands import Command
from lapor_core.domain.complaint import Complaint, Context, decide, evolve, replay
from lapor_core.domain.events import Event
from lapor_core.domain.model import ComplaintId, require_aware
from lapor_core.domain.profile import Profile
from lapor_core.errors import ConcurrencyConflict, InvalidTransition, NotFound, ValidationError
from lapor_core.storage.base import ComplaintStore, StoredEvent, project

__all__ = [
    "Clock",
    "ComplaintService",
    "HandleResult",
    "ManualClock",
    "Subscription",
    "SweepReport",
    "SystemClock",
]


class Clock(Protocol):
    """
    Where the service reads the time (the domain never does).

    .. versionadded:: 0.1.0
    """

    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


class SystemClock:
    """
    The real clock, in UTC.

    .. versionadded:: 0.1.0
    """

    def now(self) -> datetime:
        """The current instant in UTC."""
        return datetime.now(UTC)


class ManualClock:
    """
    A clock that moves only when told (tests, simulations, replays).

    .. versionadded:: 0.1.0
    """

    def __init__(self, start: datetime) -> None:
        """Start at *start* (aware)."""
        self._now = require_aware(start, "start")

    def now(self) -> datetime:
        """The clock's current instant."""
        return self._now

    def set(self, instant: datetime) -> None:
        """Move to *instant*; refuses to go back."""
        require_aware(instant, "instant")
        if instant < self._now:
            raise ValidationError(f"a manual clock does not go back ({instant} < {self._now})")
        self._now = instant

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by *delta*; return the new instant."""
        self.set(self._now + delta)
        return self._now


@attrs.frozen
class HandleResult:
    """
    What :meth:`ComplaintService.handle` did.

    Attributes:
        complaint: The complaint after the command.
        events: The events appended (empty for a repeated idempotency key).
        duplicate: The idempotency key was seen before; nothing was done again.
        attempts: How many decide-append attempts it took (conflicts retry).

    .. versionadded:: 0.1.0
    """

    complaint: Complaint
    events: tuple[Event, ...]
    duplicate: bool = False
    attempts: int = 1


@attrs.frozen
class SweepReport:
    """
    What one :meth:`ComplaintService.sweep` did.

    .. versionadded:: 0.1.0
    """

    claimed: int
    commands: int
    events: tuple[Event, ...]
    skipped: int = 0


class ComplaintService:
    """
    Load -> decide -> append, with retries, idempotency, sweeps and subscriptions.

    Args:
        store: Any :class:`~lapor_core.storage.base.ComplaintStore`.
        profile: The deployment's rules.
        registry: The agency tree.
        calendar: The working-day calendar (default: the profile's time zone and its
            *cuti bersama* option).
        clock: Where the time comes from (default: the system clock).
        max_attempts: Decide-append attempts before a conflict is raised to the caller.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        store: ComplaintStore,
        profile: Profile,
        registry: AgencyRegistry,
        calendar: WorkingCalendar | None = None,
        clock: Clock | None = None,
        *,
        max_attempts: int = 5,
    ) -> None:
        """Compile the profile once; nothing is read or written yet."""
        if max_attempts < 1:
            raise ValidationError("max_attempts must be at least 1")
        self.store = store
        self.context = Context.create(profile, registry, calendar)
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.max_attempts = max_attempts
        self._listeners: list[Callable[[Sequence[Event]], None]] = []

    @property
    def profile(self) -> Profile:
        """The deployment's profile."""
        return self.context.profile

    @property
    def calendar(self) -> WorkingCalendar:
        """The working-day calendar deadlines are counted on."""
        return self.context.calendar

    def get(self, complaint_id: ComplaintId) -> Complaint:
        """
        The complaint's current state, rebuilt from its events.

        Raises:
            NotFound: No such complaint.
        """
        events = self.store.load(complaint_id)
        if not events:
            raise NotFound(f"complaint {complaint_id} does not exist")
        return replay(events)

    def on_events(self, listener: Callable[[Sequence[Event]], None]) -> None:
        """
        Call *listener* with the events of every successful command, after commit.

        For durable delivery (notifications, sync to the national LAPOR!) use a
        :class:`Subscription`, which reads the store in global order and survives restarts.
        """
        self._listeners.append(listener)

    def handle(
        self, command: Command, actor: Actor, *, now: datetime | None = None
    ) -> HandleResult:
        """
        Decide *command* for *actor* and store the events.

        Args:
            command: The command.
            actor: Who issues it.
            now: The decision instant (default: the service's clock).

        Returns:
            The complaint afterwards and the events.

        Raises:
            LaporError: The command is refused (nothing is stored), or conflicts persisted
                after ``max_attempts``.
        """
        key = command.idempotency_key
        for attempt in range(1, self.max_attempts + 1):
            if key is not None:
                seen = self._idempotent(command, key)
                if seen is not None:
                    return seen
            stream = self.store.load(command.complaint_id)
            complaint = replay(stream) if stream else None
            instant = now if now is not None else self.clock.now()
            events = decide(complaint, command, actor, instant, self.context)
            state = complaint
            for event in events:
                state = evolve(state, event)
            assert state is not None  # noqa: S101 - decide returns at least one event
            row = project(state, self.context.calendar, self.context.profile.clocks)
            try:
                self.store.append(
                    command.complaint_id, len(stream), events, row, idempotency_key=key
                )
            except ConcurrencyConflict:
                if attempt == self.max_attempts:
                    raise
                continue
            for listener in self._listeners:
                listener(events)
            return HandleResult(state, events, attempts=attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _idempotent(self, command: Command, key: str) -> HandleResult | None:
        found = self.store.idempotency(key)
        if found is None:
            return None
        complaint_id, version = found
        if complaint_id != command.complaint_id:
            raise ValidationError(
                f"idempotency key {key!r} was used for complaint {complaint_id}, "
                f"not {command.complaint_id}"
            )
        events = self.store.load(complaint_id)[:version]
        return HandleResult(replay(events), (), duplicate=True)

    def sweep(
        self,
        now: datetime | None = None,
        *,
        claimant: str = "sweeper",
        lease: timedelta = timedelta(minutes=5),
        batch: int = 100,
    ) -> SweepReport:
        """
        Issue every clock command owed at *now* (warnings, breaches, automatic close).

        Due complaints come from the store's index and are claimed under a lease, so
        several sweepers can run at once; each clock event still happens exactly once
        (a second sweeper's command is refused as no longer owed, or conflicts and is
        re-decided on fresh state).

        .. versionadded:: 0.1.0
        """
        instant = now if now is not None else self.clock.now()
        require_aware(instant, "now")
        system = Actor.system(claimant)
        seen: set[ComplaintId] = set()
        emitted: list[Event] = []
        commands = skipped = claimed = 0
        while True:
            ids = self.store.claim_due(instant, claimant=claimant, lease=lease, limit=batch)
            fresh = [cid for cid in ids if cid not in seen]
            if not fresh:
                break
            claimed += len(fresh)
            seen.update(fresh)
            for complaint_id in fresh:
                complaint = self.get(complaint_id)
                for command in due(complaint, instant, self.calendar, self.profile.clocks):
                    try:
                        result = self.handle(command, system, now=instant)
                    except InvalidTransition:
                        skipped += 1  # another sweeper got there first
                        continue
                    commands += 1
                    emitted.extend(result.events)
        return SweepReport(claimed, commands, tuple(emitted), skipped)

    def subscription(self, position: int = 0, *, batch: int = 500) -> Subscription:
        """A reader of all events in global order after *position* (a :class:`Subscription`)."""
        return Subscription(self.store, position, batch=batch)


class Subscription:
    """
    Reads every stored event in global order, from a position its owner keeps.

    Delivery is at least once: :meth:`poll` advances the position only after the handler
    returns, so a crash re-delivers the last batch. Persist :attr:`position` to resume.

    .. versionadded:: 0.1.0
    """

    def __init__(self, store: ComplaintStore, position: int = 0, *, batch: int = 500) -> None:
        """Start after *position* (0: from the beginning)."""
        self.store = store
        self.position = position
        self.batch = batch

    def __iter__(self) -> Iterator[StoredEvent]:
        """Every event after the position, advancing it as they are yielded."""
        while True:
            stored = self.store.read_all(self.position, self.batch)
            if not stored:
                return
            for item in stored:
                yield item
                self.position = item.position

    def poll(self, handler: Callable[[StoredEvent], None]) -> int:
        """Hand each new event to *handler*; return how many were handled."""
        count = 0
        for item in self:
            handler(item)
            count += 1
        return count
