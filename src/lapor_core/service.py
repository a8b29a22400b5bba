"""
The application service: load, decide, append; sweep clocks; read events in order.

:class:`ComplaintService` is what an app embeds. It rebuilds a complaint from its stream,
asks the pure core what happens, and appends the events with the projection row in one
transaction, expecting the version it loaded (optimistic concurrency). On a conflict it
re-decides on fresh state, a bounded number of times.

Two of its parts live in private modules beside this one and are re-exported here: the
clocks the service reads the time from (:class:`Clock`, :class:`SystemClock`,
:class:`ManualClock`) and the reader of the stored events in global order
(:class:`Subscription`). Import every name from this module.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import contextlib
import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

import attrs

from lapor_core._service_clocks import Clock, ManualClock, SystemClock
from lapor_core._service_recompute import RecomputeReport, recompute_deadlines
from lapor_core._service_subscription import Subscription
from lapor_core.domain.actors import Actor
from lapor_core.domain.agencies import AgencyRegistry
from lapor_core.domain.calendar import WorkingCalendar
from lapor_core.domain.clocks import due
from lapor_core.domain.commands import Archive, Command, Submit
from lapor_core.domain.complaint import Complaint, Context, decide, evolve, replay
from lapor_core.domain.events import ComplaintArchived, Event
from lapor_core.domain.model import ComplaintId, require_aware
from lapor_core.domain.privacy import redact, redact_event
from lapor_core.domain.profile import Profile
from lapor_core.domain.scope import require_scope
from lapor_core.errors import (
    N_,
    ConcurrencyConflict,
    CorruptStream,
    InvalidTransition,
    LaporError,
    NotFound,
    PermissionDenied,
    StorageError,
    UndecodableEvent,
    ValidationError,
)
from lapor_core.storage.base import (
    ComplaintRow,
    ComplaintStore,
    SnapshotStore,
    SnapshotTailStore,
    StoredEvent,
    StreamProblem,
    project,
)
from lapor_core.storage.snapshots import SNAPSHOT_EVERY_DEFAULT
from lapor_core.storage.support import check_id

__all__ = [
    "BulkStore",
    "Clock",
    "ComplaintService",
    "HandleResult",
    "History",
    "HistoryEntry",
    "ManualClock",
    "RecomputeReport",
    "Subscription",
    "SweepReport",
    "SystemClock",
]


@runtime_checkable
class BulkStore(Protocol):
    """
    A store that can append many complaints in one transaction (SQLite, PostgreSQL, memory).

    .. versionadded:: 0.1.0
    """

    def append_many(
        self,
        batches: Iterable[tuple[ComplaintId, int, Sequence[Event], ComplaintRow]],
        *,
        idempotency_keys: Mapping[ComplaintId, str] | None = None,
    ) -> int:
        """
        Append every batch or none, recording the keys; return the number of events written.

        .. versionchanged:: 0.2.0 *idempotency_keys*.
        """
        ...


@attrs.define
class _Pending:
    """A complaint's writes buffered by :meth:`ComplaintService.batch`."""

    expected_version: int
    events: list[Event]
    state: Complaint


@attrs.frozen
class HandleResult:
    """
    What :meth:`ComplaintService.handle` did.

    Attributes:
        complaint: The complaint after the command.
        events: The events appended (empty for a repeated idempotency key).
        duplicate: The idempotency key was seen before; nothing was done again, and
            *complaint* is the complaint as it is now.
        attempts: How many decide-append attempts it took (conflicts retry).

    .. versionadded:: 0.1.0
    """

    complaint: Complaint
    events: tuple[Event, ...]
    duplicate: bool = False
    attempts: int = 1


def _stream(events: Iterable[Event]) -> tuple[Event, ...]:
    return tuple(events)


@attrs.frozen
class History:
    """
    The whole history of a new complaint, decided elsewhere, for the service to store.

    Attributes:
        events: The complaint's stream, starting with ``ComplaintSubmitted``.
        idempotency_key: Recorded with the write (see
            :meth:`ComplaintService.record_history`).
        complaint: The state *events* replay to, when the caller has it already (it
            decided them): the service then does not replay them again. Its id and
            version must be those of the stream.

    .. versionadded:: 0.2.0
    """

    events: tuple[Event, ...] = attrs.field(converter=_stream)
    idempotency_key: str | None = None
    complaint: Complaint | None = None

    def state(self) -> Complaint:
        """
        The complaint the events add up to: :attr:`complaint`, or a replay of them.

        Raises:
            ValidationError: The events are not one complaint's stream from its
                submission, or :attr:`complaint` is not their state (another id or
                version).
        """
        if self.complaint is None:
            return replay(self.events)
        state = self.complaint
        if not self.events or state.id != self.events[0].complaint_id:
            raise ValidationError(
                N_("the state given is of {state_id}, not of the events' complaint"),
                state_id=state.id,
            )
        if state.version != len(self.events):
            raise ValidationError(
                N_("the state given of {state_id} is at version {version}, not {count}"),
                state_id=state.id,
                version=state.version,
                count=len(self.events),
            )
        return state


@attrs.frozen
class HistoryEntry:
    """
    One event of a complaint's history, with its place in the stream.

    Attributes:
        position: The complaint's version after the event: 1 for the submission, then
            2, 3, ... (the numbering the store and ``expected_version`` use).
        event: The event, redacted for the reader :meth:`ComplaintService.history`
            was asked for.

    .. versionadded:: 0.2.0
    """

    position: int
    event: Event

    @property
    def at(self) -> datetime:
        """When the event happened (aware)."""
        return self.event.at


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
    unreadable: tuple[StreamProblem, ...] = ()
    """
    Complaints whose stream could not be read (a gap, an undecodable event, an event of
    a newer lapor_core), each once; the sweep went on with the others.

    .. versionadded:: 0.1.0
    """


def _after(complaint: Complaint | None, events: Sequence[Event]) -> Complaint:
    """The state *events* (at least one: ``decide`` returns some) lead *complaint* to."""
    state = complaint
    for event in events:
        state = evolve(state, event)
    assert state is not None  # noqa: S101 - decide returns at least one event
    return state


_LOG = logging.getLogger("lapor_core.service")
"""Where a listener's failure is said (see :meth:`ComplaintService.on_events`)."""


def _is_count(value: object) -> bool:
    """Whether *value* is a whole number (``True`` is not one)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _existing(complaint_id: ComplaintId, state: Complaint | None) -> Complaint:
    """*state*, or ``NotFound`` when the complaint has none."""
    if state is None:
        raise NotFound(N_("complaint {complaint_id} does not exist"), complaint_id=complaint_id)
    return state


def _require_command(command: object) -> None:
    """Refuse what is not a :class:`Command` (``handle(None, actor)``) as bad input."""
    if not isinstance(command, Command):
        raise ValidationError(N_("not a command: {command!r}"), command=command)


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
        cache_size: Keep the state of this many recently used complaints in memory, so a
            command does not reload and replay the stream. Safe with several writers: a
            stale cached state makes the append conflict, which evicts it and retries;
            what a person reads (:meth:`view`, :meth:`history`, an actor's subscription,
            a duplicate's result) checks the stored version first, so it never shows a
            stale state.
        max_clock_skew: How far the clock may trail a complaint's last event (written by
            another app server whose clock is ahead) before :meth:`handle` refuses a
            command that takes its time from the clock; within it, the command is decided
            at the last event's instant. Default five minutes; an explicit ``now`` is never
            adjusted.
        snapshot_every: On a store that keeps snapshots
            (:class:`~lapor_core.storage.base.SnapshotStore`, every bundled one), save a
            snapshot of a complaint's state whenever its stream passes another multiple of
            this many events, or a load had to replay at least that many events after the
            newest usable snapshot; a load reads the snapshot and the events after it.
            Default :data:`~lapor_core.storage.snapshots.SNAPSHOT_EVERY_DEFAULT` (100);
            ``0`` turns snapshots off (every load replays the whole stream).

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
        cache_size: int = 0,
        max_clock_skew: timedelta = timedelta(minutes=5),
        snapshot_every: int = SNAPSHOT_EVERY_DEFAULT,
    ) -> None:
        """Compile the profile once; nothing is read or written yet."""
        if not _is_count(max_attempts) or max_attempts < 1:
            raise ValidationError(N_("max_attempts must be at least 1"))
        if not _is_count(cache_size) or cache_size < 0:
            raise ValidationError(N_("cache_size must not be negative"))
        if clock is not None and not callable(getattr(clock, "now", None)):
            raise ValidationError(
                N_("clock: expected a Clock (with now()), got {clock!r}"), clock=clock
            )
        if (
            not isinstance(snapshot_every, int)
            or isinstance(snapshot_every, bool)
            or snapshot_every < 0
        ):
            raise ValidationError(
                N_("snapshot_every must be an int >= 0 (0: no snapshots), got {snapshot_every!r}"),
                snapshot_every=snapshot_every,
            )
        if not isinstance(max_clock_skew, timedelta) or max_clock_skew < timedelta(0):
            raise ValidationError(
                N_("max_clock_skew must be a non-negative timedelta, got {max_clock_skew!r}"),
                max_clock_skew=max_clock_skew,
            )
        self.store = store
        self.context = Context.create(profile, registry, calendar)
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.max_attempts = max_attempts
        self.max_clock_skew = max_clock_skew
        self._listeners: list[Callable[[Sequence[Event]], None]] = []
        self._cache: OrderedDict[ComplaintId, Complaint] = OrderedDict()
        self._cache_size = cache_size
        self._pending: dict[ComplaintId, _Pending] | None = None
        self._snapshots: SnapshotStore | None = (
            store if snapshot_every and isinstance(store, SnapshotStore) else None
        )
        # checked once: a runtime protocol's isinstance costs more than the read it picks
        self._tail: SnapshotTailStore | None = (
            self._snapshots if isinstance(self._snapshots, SnapshotTailStore) else None
        )
        self.snapshot_every = snapshot_every

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
        The complaint's current state, rebuilt from its events, unredacted.

        For the application's own logic (deciding, exporting with its own policy); to
        show a complaint to someone, use :meth:`view`, which applies the privacy policy
        for that reader. With ``cache_size``, it is the cached state, which another
        writer may have changed since (a command decided on it then conflicts and is
        decided again); :meth:`view` and :meth:`history` check the stored version.

        Raises:
            NotFound: No such complaint.
        """
        check_id(complaint_id)
        return _existing(complaint_id, self._state(complaint_id))

    def _shown(self, complaint_id: ComplaintId) -> Complaint:
        """The current state for a reader (:meth:`_current`); ``NotFound`` without one."""
        check_id(complaint_id)
        return _existing(complaint_id, self._current(complaint_id))

    def _current(self, complaint_id: ComplaintId) -> Complaint | None:
        """
        The state a read shows: a cached one only while the store holds no later version.

        A command may decide on a stale cached state (its append conflicts, and the
        command is decided again), but a read must not show one: another writer may have
        changed the complaint, its privacy included. Checking costs one row read.
        """
        cached = None if self._pending is not None else self._cache.get(complaint_id)
        if cached is not None:
            try:
                stored = self.store.get(complaint_id).version
            except NotFound:
                stored = None
            if stored == cached.version:
                return cached
            self._cache.pop(complaint_id, None)
        return self._state(complaint_id)

    def view(self, complaint_id: ComplaintId, actor: Actor) -> Complaint:
        """
        The complaint as *actor* may see it (:func:`~lapor_core.domain.privacy.redact`).

        The reporter sees their own complaint whole, the national admin every complaint;
        an agency actor sees the complaints in its scope without the identity of an
        *anonim* reporter; anyone else (``Actor.public()``) what the public sees.

        Raises:
            NotFound: No such complaint.
            PermissionDenied: An agency actor out of scope (for a misconduct report, also
                the office it is about and the agencies above it).

        .. versionadded:: 0.2.0
        """
        state = self._shown(complaint_id)
        self._require_readable(state, actor)
        return redact(state, actor)

    def history(self, complaint_id: ComplaintId, actor: Actor) -> tuple[HistoryEntry, ...]:
        """
        The complaint's events, in order, with their positions, as *actor* may see them.

        Each entry holds the event (redacted by the privacy policy for *actor*, as
        :meth:`view` redacts the complaint), its position in the stream and, through
        the event, its time. ``store.load`` returns the same events bare and unredacted.

        Raises:
            NotFound: No such complaint.
            PermissionDenied: As :meth:`view`.

        .. versionadded:: 0.2.0
        """
        state = self._shown(complaint_id)
        self._require_readable(state, actor)
        return tuple(
            HistoryEntry(position, redact_event(event, state, actor))
            for position, event in enumerate(self.store.load(complaint_id), start=1)
        )

    def _require_readable(self, state: Complaint, actor: Actor) -> None:
        """Refuse an agency actor out of the complaint's scope."""
        if actor.role.is_agency_role:
            require_scope(state, actor, self.context)

    def _readable(self, state: Complaint, actor: Actor) -> bool:
        try:
            self._require_readable(state, actor)
        except PermissionDenied:
            return False
        return True

    def _state(self, complaint_id: ComplaintId) -> Complaint | None:
        """Current state: buffered, cached, or rebuilt from the store."""
        if self._pending is not None and complaint_id in self._pending:
            return self._pending[complaint_id].state
        cached = self._cache.get(complaint_id)
        if cached is not None:
            self._cache.move_to_end(complaint_id)
            return cached
        state = self._load(complaint_id)
        if state is not None:
            self._remember(state)
        return state

    def _load(self, complaint_id: ComplaintId) -> Complaint | None:
        """
        The stored state: the newest snapshot and the events after it, or a full replay.

        A load that replays at least ``snapshot_every`` events saves a snapshot.
        """
        snapshots = self._snapshots
        if snapshots is None:
            stream = self.store.load(complaint_id)
            return replay(stream) if stream else None
        if self._tail is not None:  # both in one read
            found, tail = self._tail.load_latest(complaint_id)
        else:
            found = snapshots.load_snapshot(complaint_id)
            tail = (
                self.store.load(complaint_id)
                if found is None
                else snapshots.load_after(complaint_id, found.version)
            )
        if found is None:
            if not tail:
                return None
            state = replay(tail)
        else:
            state = found
            for event in tail:
                state = evolve(state, event)
        replayed = len(tail)
        if replayed >= self.snapshot_every:
            self._save_snapshot(state)
        return state

    def _save_snapshot(self, state: Complaint) -> None:
        """Save a snapshot of *state*; a failure loses nothing (the events are stored)."""
        if self._snapshots is None:
            return
        # a snapshot only saves time: a failure to write one must not fail a command
        # that has been stored, and the next load replays the events instead
        with contextlib.suppress(StorageError):
            self._snapshots.save_snapshot(state)

    def _snapshot_after(self, before: int, state: Complaint) -> None:
        """Save a snapshot when the stream passed a multiple of ``snapshot_every``."""
        every = self.snapshot_every
        if self._snapshots is not None and state.version // every > before // every:
            self._save_snapshot(state)

    def _remember(self, state: Complaint) -> None:
        if self._cache_size:
            self._cache[state.id] = state
            self._cache.move_to_end(state.id)
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)

    def on_events(
        self, listener: Callable[[Sequence[Event]], None], *, actor: Actor | None = None
    ) -> None:
        """
        Call *listener* with the events of every successful command, after commit.

        With *actor*, the listener gets the events as that reader may see them (see
        :meth:`history`), and only those of complaints it may read; without, every event
        whole (for the application's own use).

        For durable delivery (notifications, sync to the national LAPOR!) use a
        :class:`Subscription`, which reads the store in global order and survives restarts.
        A listener that raises is logged (logger ``lapor_core.service``) and the others
        are still called: the command is stored, and its result stands.

        .. versionchanged:: 0.2.0 *actor*.
        """
        if actor is None:
            self._listeners.append(listener)
            return
        reader = actor

        def redacted(events: Sequence[Event]) -> None:
            if not events:
                return
            state = self._state(events[0].complaint_id)
            if state is None or not self._readable(state, reader):
                return
            listener(tuple(redact_event(event, state, reader) for event in events))

        self._listeners.append(redacted)

    def _notify(self, events: Sequence[Event]) -> None:
        """
        Give committed *events* to every listener; one that raises is logged, not raised.

        The command is stored by then: its caller must not take it for a failure (and
        retry it), nor may one listener's fault keep the events from the others.
        """
        for listener in self._listeners:
            try:
                listener(events)
            except Exception:  # noqa: BLE001 - any fault of the application's code is its own
                _LOG.exception("an on_events listener failed; the events are stored")

    @property
    def has_listeners(self) -> bool:
        """
        Whether :meth:`on_events` registered a listener (a write must then keep its events).

        .. versionadded:: 0.2.0
        """
        return bool(self._listeners)

    def handle(
        self, command: Command, actor: Actor, *, now: datetime | None = None
    ) -> HandleResult:
        """
        Decide *command* for *actor* and store the events.

        A command with an idempotency key that is already recorded is not decided again:
        the result has ``duplicate=True``, no events, and the complaint as it is now
        (with whatever happened since the first command), so that a client retrying a
        request sees the current status. That holds whatever the order of a race with
        the first attempt: when the decide refuses or the append conflicts, the key is
        looked up again before anything is reported.

        Without *now*, the time is read from the service's clock after the complaint is
        loaded, so a writer that committed just before cannot make it run backwards. A
        clock that still trails the complaint's last event (another app server's clock is
        ahead) by at most ``max_clock_skew`` decides at that event's instant instead;
        further behind, the command is refused. An explicit *now* is never adjusted.

        Args:
            command: The command.
            actor: Who issues it.
            now: The decision instant (default: the service's clock, as above).

        Returns:
            The complaint afterwards and the events.

        Raises:
            LaporError: The command is refused (nothing is stored), or conflicts persisted
                after ``max_attempts``.
            ValidationError: Also when *now*, or the clock beyond ``max_clock_skew``, is
                before the complaint's last event, or the key was used for another
                complaint.
        """
        _require_command(command)  # before its key is read
        self._require_original(command)
        if self._pending is not None:
            return self._handle_buffered(command, actor, now)
        key = command.idempotency_key
        complaint_id = command.complaint_id
        for attempt in range(1, self.max_attempts + 1):
            seen = self._idempotent(command, attempt)
            if seen is not None:
                return seen
            # a submission's first attempt reads nothing when another may follow: its
            # append at version 0 is refused if the stream exists, and the next one reads it
            new = attempt == 1 and self.max_attempts > 1 and isinstance(command, Submit)
            try:
                complaint, events = self._decide(command, actor, now, new=new)
            except LaporError:
                # The first attempt with this key may have committed after the check
                # above: then the refusal is about our own command; answer with its result.
                seen = self._idempotent(command, attempt)
                if seen is not None:
                    return seen
                raise
            state = _after(complaint, events)
            row = project(state, self.context.calendar, self.context.profile.clocks)
            version = complaint.version if complaint is not None else 0
            try:
                self.store.append(complaint_id, version, events, row, idempotency_key=key)
            except ConcurrencyConflict:
                self._cache.pop(complaint_id, None)
                if attempt == self.max_attempts:
                    seen = self._idempotent(command, attempt)
                    if seen is not None:
                        return seen
                    raise
                continue  # the next attempt looks the key up first
            self._remember(state)
            self._snapshot_after(version, state)
            self._notify(events)
            return HandleResult(state, events, attempts=attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _require_original(self, command: Command) -> None:
        """
        Refuse an archive as duplicate of a complaint this service does not hold.

        The original is looked up in the store (or among the complaints written in the
        current :meth:`batch`): a duplicate never points at nothing.
        """
        if isinstance(command, Archive) and command.duplicate_of is not None:
            pending = () if self._pending is None else tuple(self._pending)
            self._require_held(command.complaint_id, command.duplicate_of, pending)

    def _require_held(
        self, complaint_id: ComplaintId, original: ComplaintId, also: Iterable[ComplaintId]
    ) -> None:
        """Refuse *original*, named as what *complaint_id* duplicates, unless it exists."""
        if original in also:
            return
        try:
            self.store.get(original)
        except NotFound:
            raise NotFound(
                N_(
                    "complaint {complaint_id} cannot be archived as a duplicate of "
                    "{original}: no such complaint"
                ),
                complaint_id=complaint_id,
                original=original,
            ) from None

    def _require_originals(
        self, streams: Iterable[tuple[Event, ...]], also: Iterable[ComplaintId] = ()
    ) -> None:
        """Refuse histories archived as duplicates of complaints that do not exist."""
        known = tuple(also)
        for stream in streams:
            for event in stream:
                if isinstance(event, ComplaintArchived) and event.duplicate_of is not None:
                    self._require_held(event.complaint_id, event.duplicate_of, known)

    def record_history(
        self,
        events: Sequence[Event],
        *,
        idempotency_key: str | None = None,
        complaint: Complaint | None = None,
    ) -> HandleResult:
        """
        Store the whole history of a new complaint, decided elsewhere, in one write.

        For imports: a complaint's past (from another system's export) is rebuilt by
        deciding its commands with this service's :attr:`context` at their historical
        instants, then stored here at once, so that a refusal part-way writes nothing.
        The events are appended at version 0 with their projection row, the service's
        clock is not read, and listeners (:meth:`on_events`) are told.

        Args:
            events: The complaint's stream, starting with ``ComplaintSubmitted``.
            idempotency_key: Recorded with the write; a key seen before returns the
                stored complaint with ``duplicate=True`` and writes nothing.
            complaint: The state *events* replay to, when the caller has it (it decided
                them): it is not replayed again.

        Raises:
            ValidationError: The events are not one complaint's stream from its
                submission, *complaint* is not their state, or the key was used for
                another complaint.
            ConcurrencyConflict: The complaint already exists.

        .. versionchanged:: 0.2.0 *complaint*.
        """
        history = History(events, idempotency_key, complaint)
        stream = history.events
        state = history.state()
        self._require_originals([stream])
        if idempotency_key is not None:
            found = self.store.idempotency(idempotency_key)
            if found is not None:
                if found[0] != state.id:
                    raise ValidationError(
                        N_(
                            "idempotency key {key!r} was used for complaint {used_for}, "
                            "not {complaint_id}"
                        ),
                        key=idempotency_key,
                        used_for=found[0],
                        complaint_id=state.id,
                    )
                return HandleResult(self._shown(found[0]), (), duplicate=True)
        row = project(state, self.context.calendar, self.context.profile.clocks)
        self.store.append(state.id, 0, stream, row, idempotency_key=idempotency_key)
        self._stored(state, stream)
        return HandleResult(state, stream)

    def record_histories(self, histories: Sequence[History]) -> tuple[HandleResult, ...]:
        """
        Store the histories of many new complaints in **one** transaction (bulk import).

        As :meth:`record_history` for each, but all or nothing, and without looking up
        the keys first: a key used before, or a complaint that exists already, makes the
        whole call raise :class:`~lapor_core.errors.ConcurrencyConflict` and write
        nothing (the caller can then store them one by one with :meth:`record_history`,
        which tells duplicates apart). Listeners are told after the commit, complaint by
        complaint.

        Raises:
            ValidationError: A history is not one complaint's stream from its submission,
                two are of one complaint or carry one key, or the store has no
                ``append_many``.
            ConcurrencyConflict: A complaint exists already, or a key was used before.

        .. versionadded:: 0.2.0
        """
        if not isinstance(self.store, BulkStore):
            raise ValidationError(
                N_("{type_name} has no append_many"), type_name=type(self.store).__name__
            )
        if not histories:
            return ()
        calendar, clocks = self.context.calendar, self.context.profile.clocks
        states = [history.state() for history in histories]
        self._require_originals((h.events for h in histories), (s.id for s in states))
        batches = [
            (state.id, 0, history.events, project(state, calendar, clocks))
            for state, history in zip(states, histories, strict=True)
        ]
        keys = {
            state.id: history.idempotency_key
            for state, history in zip(states, histories, strict=True)
            if history.idempotency_key is not None
        }
        self.store.append_many(batches, idempotency_keys=keys)
        for state, history in zip(states, histories, strict=True):
            self._stored(state, history.events)
        return tuple(
            HandleResult(state, history.events)
            for state, history in zip(states, histories, strict=True)
        )

    def _stored(self, state: Complaint, stream: tuple[Event, ...]) -> None:
        """After a new complaint's stream is stored: cache, snapshot, listeners."""
        self._remember(state)
        self._snapshot_after(0, state)
        self._notify(stream)

    def _decide(
        self, command: Command, actor: Actor, now: datetime | None, *, new: bool = False
    ) -> tuple[Complaint | None, tuple[Event, ...]]:
        """
        The state the command was decided on and its events.

        With *new* (a submission's first attempt), the complaint is taken not to exist
        without reading the store; a refusal then is decided again on the stored state,
        which may refuse differently.
        """
        complaint_id = command.complaint_id
        cached = complaint_id in self._cache
        if new and not cached:
            with contextlib.suppress(LaporError):
                return None, decide(None, command, actor, self._instant(None, now), self.context)
        complaint = self._state(complaint_id)
        try:
            instant = self._instant(complaint, now)
            return complaint, decide(complaint, command, actor, instant, self.context)
        except LaporError:
            if not cached:
                raise
        # The cached state may be stale (another writer moved on): decide again on the
        # stored state before refusing.
        self._cache.pop(complaint_id, None)
        complaint = self._state(complaint_id)
        instant = self._instant(complaint, now)
        return complaint, decide(complaint, command, actor, instant, self.context)

    def _instant(self, complaint: Complaint | None, now: datetime | None) -> datetime:
        """
        The decision instant: *now* as given, else the clock, read after *complaint* loaded.

        A clock behind the complaint's last event by at most ``max_clock_skew`` gives the
        last event's instant (time never runs backwards within a stream); further behind,
        the clock's own time is returned and ``decide`` refuses it.
        """
        if now is not None:
            return now
        instant = require_aware(self.clock.now(), "the clock's time")
        if complaint is None:
            return instant
        last = complaint.updated_at
        if instant < last <= instant + self.max_clock_skew:
            return last
        return instant

    def _handle_buffered(
        self, command: Command, actor: Actor, now: datetime | None
    ) -> HandleResult:
        assert self._pending is not None  # noqa: S101 - only called inside batch()
        if command.idempotency_key is not None:
            raise ValidationError(N_("idempotency keys are not supported inside batch()"))
        complaint = self._state(command.complaint_id)
        instant = self._instant(complaint, now)
        events = decide(complaint, command, actor, instant, self.context)
        state = complaint
        for event in events:
            state = evolve(state, event)
        assert state is not None  # noqa: S101 - decide returns at least one event
        pending = self._pending.get(command.complaint_id)
        if pending is None:
            version = complaint.version if complaint is not None else 0
            self._pending[command.complaint_id] = _Pending(version, list(events), state)
        else:
            pending.events.extend(events)
            pending.state = state
        return HandleResult(state, events)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """
        Buffer every command handled inside the block; write them in one transaction.

        For single-writer bulk work (import, simulation): states stay in memory between
        commands, and the store's ``append_many`` writes all complaints at the end, each
        checked against the version it was loaded at. A conflict writes nothing and
        raises :class:`~lapor_core.errors.ConcurrencyConflict`; an error inside the block
        discards the buffer. Idempotency keys are refused inside a batch.

        Raises:
            ValidationError: The store has no ``append_many``, or batches are nested.

        .. versionadded:: 0.1.0
        """
        if not isinstance(self.store, BulkStore):
            raise ValidationError(
                N_("{type_name} has no append_many"), type_name=type(self.store).__name__
            )
        if self._pending is not None:
            raise ValidationError(N_("batches do not nest"))
        pending: dict[ComplaintId, _Pending] = {}
        self._pending = pending
        try:
            yield
        except BaseException:
            self._pending = None
            raise
        self._pending = None
        if not pending:
            return
        clocks = self.context.profile.clocks
        batches = [
            (cid, p.expected_version, p.events, project(p.state, self.calendar, clocks))
            for cid, p in pending.items()
        ]
        try:
            self.store.append_many(batches)
        except ConcurrencyConflict:
            for cid in pending:
                self._cache.pop(cid, None)
            raise
        for p in pending.values():
            self._remember(p.state)
            self._snapshot_after(p.expected_version, p.state)
        for p in pending.values():
            self._notify(p.events)

    def _idempotent(self, command: Command, attempt: int) -> HandleResult | None:
        """
        The first result recorded with the command's key; ``None`` without a key or a record.

        The complaint is the current one, not the one the first command left.

        Raises:
            ValidationError: The key was recorded for another complaint.
        """
        key = command.idempotency_key
        if key is None:
            return None
        found = self.store.idempotency(key)
        if found is None:
            return None
        complaint_id = found[0]
        if complaint_id != command.complaint_id:
            raise ValidationError(
                N_("idempotency key {key!r} was used for complaint {complaint_id}, not {other_id}"),
                key=key,
                complaint_id=complaint_id,
                other_id=command.complaint_id,
            )
        return HandleResult(self._shown(complaint_id), (), duplicate=True, attempts=attempt)

    def recompute(
        self,
        previous_until: int,
        *,
        now: datetime | None = None,
        claimant: str = "recompute",
    ) -> RecomputeReport:
        """
        Move the open complaints' deadlines to this service's (newer) calendar data.

        *previous_until* is the last confirmed year of the data the deadlines were
        counted with (the last year of *cuti bersama* the previous ``holidays`` package
        had: ``lapor-core calendar status`` prints it). Each open complaint whose
        deadlines move gets one ``DeadlinesRecomputed`` event (which also rewrites its
        projection row, so the sweep sees the new due instants), issued as the system;
        a complaint recomputed with this data before is left alone, so running it twice
        moves nothing the second time.

        Raises:
            ValidationError: *previous_until* is not older than this calendar's data.

        .. versionadded:: 0.2.0
        """
        return recompute_deadlines(self, previous_until, now=now, claimant=claimant)

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

        A complaint whose stream cannot be read (:class:`~lapor_core.errors.CorruptStream`,
        :class:`~lapor_core.errors.UndecodableEvent`) is skipped and listed in
        :attr:`SweepReport.unreadable`; it stays claimed by this sweeper for the lease, is
        not tried again in this sweep, and does not take the place of others in a batch.

        .. versionadded:: 0.1.0
        """
        instant = now if now is not None else self.clock.now()
        require_aware(instant, "now")
        system = Actor.system(claimant)
        seen: set[ComplaintId] = set()
        emitted: list[Event] = []
        unreadable: dict[ComplaintId, StreamProblem] = {}
        commands = skipped = claimed = 0
        while True:
            # unreadable complaints stay due: ask for that many more so they take no one's place
            limit = batch + len(unreadable)
            ids = self.store.claim_due(instant, claimant=claimant, lease=lease, limit=limit)
            fresh = [cid for cid in ids if cid not in seen]
            if not fresh:
                break
            claimed += len(fresh)
            seen.update(fresh)
            for complaint_id in fresh:
                if self._pending is None:
                    self._cache.pop(complaint_id, None)  # a sweep reads the stored state
                try:
                    done, refused, events = self._sweep_one(complaint_id, instant, system)
                except (CorruptStream, UndecodableEvent) as exc:
                    unreadable[complaint_id] = StreamProblem.from_error(complaint_id, exc)
                    continue
                commands += done
                skipped += refused
                emitted.extend(events)
            if len(ids) < limit:
                break  # every complaint due when the claim ran was in it
        return SweepReport(claimed, commands, tuple(emitted), skipped, tuple(unreadable.values()))

    def _sweep_one(
        self, complaint_id: ComplaintId, instant: datetime, system: Actor
    ) -> tuple[int, int, list[Event]]:
        """
        Issue the clock commands one complaint owes: (commands, skipped, events).

        Raises ``CorruptStream`` or ``UndecodableEvent`` when its stream cannot be read.
        """
        commands = skipped = 0
        emitted: list[Event] = []
        complaint = self.get(complaint_id)
        for command in due(complaint, instant, self.calendar, self.profile.clocks):
            try:
                result = self.handle(command, system, now=instant)
            except InvalidTransition:
                skipped += 1  # another sweeper got there first
                continue
            except ValidationError:
                if self.get(complaint_id).updated_at <= instant:
                    raise
                skipped += 1  # a writer with a later clock moved it past *instant*
                continue
            commands += 1
            emitted.extend(result.events)
        return commands, skipped, emitted

    def subscription(
        self,
        position: int = 0,
        *,
        batch: int = 500,
        skip_undecodable: bool = False,
        actor: Actor | None = None,
    ) -> Subscription:
        """
        A reader of all events in global order after *position* (a :class:`Subscription`).

        With *skip_undecodable*, events this code cannot decode are passed over (and kept
        in :attr:`Subscription.skipped`) instead of stopping the reader. With *actor*,
        the reader gets the events as that actor may see them (see :meth:`history`),
        and only those of complaints it may read (the complaint's current privacy
        counts).

        .. versionchanged:: 0.2.0 *actor*.
        """
        view = None if actor is None else self._reader_view(actor)
        return Subscription(
            self.store, position, batch=batch, skip_undecodable=skip_undecodable, view=view
        )

    def _reader_view(self, actor: Actor) -> Callable[[StoredEvent], StoredEvent | None]:
        """
        The events as *actor* may see them, by each complaint's current state.

        A complaint whose state cannot be rebuilt (an event this code cannot read, a gap)
        has no privacy to judge by: its events are not given to the actor, and the reader
        goes on with the others (the event that cannot be read stops it, or is skipped,
        when the reader reaches it, as without an actor).
        """

        def view(stored: StoredEvent) -> StoredEvent | None:
            try:
                state = self._current(stored.complaint_id)
            except (CorruptStream, UndecodableEvent):
                return None
            if state is None or not self._readable(state, actor):
                return None
            return attrs.evolve(stored, event=redact_event(stored.event, state, actor))

        return view
