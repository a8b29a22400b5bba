# ruff: noqa: S101 - a Hypothesis state machine: plain asserts are how it reports failures
"""
A Hypothesis state machine that checks the workflow's guarantees for any profile and store.

:class:`ComplaintWorkflowMachine` drives a real
:class:`~lapor_core.service.ComplaintService` over a store of your choice, with a
:class:`~lapor_core.service.ManualClock`. Its rules submit complaints, issue commands
``decide`` accepts (from :mod:`lapor_core.testing.strategies`), issue random and mostly
invalid commands by random actors, put hostile text into commands (refused by the domain's
text rules, or refused by the service exactly when ``decide`` refuses it), drive
complaints to the rows of the lifecycle table an example has exercised least (ratings,
reopenings, breaches included), move the clock on and sweep. After every step its
invariants check:

* every status is one of the lifecycle table's;
* a complaint's event stream only grows, is numbered ``1..version``, and replays to the
  state the machine expects (and to :meth:`ComplaintService.get`);
* *no wrong door*: an open complaint always has an owner;
* a refused command changed nothing (stream and projection row unchanged);
* an *anonim* reporter never appears in :func:`~lapor_core.domain.privacy.public_view`;
* the stored projection row agrees with :func:`~lapor_core.storage.base.project` on the
  fields that matter (status, version, next due instant, ...);
* after a sweep nothing is owed at the sweep's instant (:func:`~lapor_core.domain.clocks.due`).

Configure it for your deployment and run it the Hypothesis way::

    from lapor_core import load_profile, load_registry
    from lapor_core.testing.stateful import ComplaintWorkflowMachine

    Kaltim = ComplaintWorkflowMachine.configure(
        profile=load_profile("kaltim"), registry=load_registry("kaltim")
    )
    TestKaltim = Kaltim.TestCase

Subclass it to add your own rules and invariants (``@rule``, ``@invariant``); use :meth:`handle` so
your rule's commands get the same bookkeeping and checks.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import functools
import itertools
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import ClassVar, Self

import attrs
from hypothesis import settings as Settings  # noqa: N812 - the class, not the decorator
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from lapor_core.domain import events as e
from lapor_core.domain.actors import Actor
from lapor_core.domain.agencies import AgencyRegistry
from lapor_core.domain.calendar import WorkingCalendar
from lapor_core.domain.clocks import BreachAction, clock_deadline, due, warning_instant
from lapor_core.domain.commands import (
    Archive,
    ChangePrivacy,
    Classify,
    Close,
    Command,
    Forward,
    PostFollowUp,
    ProvideInformation,
    Rate,
    Reopen,
    Reply,
    RequestInformation,
)
from lapor_core.domain.complaint import Complaint, Context, decide, evolve, owners, replay
from lapor_core.domain.events import Event
from lapor_core.domain.lifecycle import Status
from lapor_core.domain.model import ArchiveReason, ComplaintId
from lapor_core.domain.privacy import public_view
from lapor_core.domain.profile import Profile
from lapor_core.errors import N_, LaporError, ValidationError
from lapor_core.profiles import load_profile, load_registry
from lapor_core.service import ComplaintService, HandleResult, ManualClock
from lapor_core.storage.base import ComplaintRow, ComplaintStore, project
from lapor_core.storage.memory import InMemoryStore
from lapor_core.testing import strategies as lst
from lapor_core.testing.strategies._candidates import accepted
from lapor_core.testing.strategies.walks import distances_to

__all__ = ["DEFAULT_SETTINGS", "START", "ComplaintWorkflowMachine", "RowCoverage", "StoreFactory"]

StoreFactory = Callable[[], ComplaintStore]
"""A callable that returns a fresh (or emptied) store; called once per example."""

START = datetime(2025, 3, 27, 1, 30, tzinfo=UTC)
"""
Where the machine's clock starts (a Thursday, 08:30 WIB).

.. versionadded:: 0.1.0
"""

DEFAULT_SETTINGS = Settings(stateful_step_count=20, deadline=None)
"""
Settings :meth:`ComplaintWorkflowMachine.run` uses when given none.

.. versionadded:: 0.1.0
"""

_MAX_ADVANCE = timedelta(days=12)
_ROW_FIELDS = (
    "status",
    "version",
    "next_due_at",
    "updated_at",
    "router",
    "responsible",
    "agencies",
    "closed_at",
    "archive_reason",
)
_RUNS = itertools.count(1)


@functools.cache
def _context(profile: Profile, registry: AgencyRegistry) -> Context:
    return Context.create(profile, registry)


@functools.cache
def _default_profile() -> Profile:
    return load_profile("national")


@functools.cache
def _default_registry() -> AgencyRegistry:
    return load_registry("kaltim")


RowKey = tuple[Status | None, str]
"""A row of the lifecycle table: its source status (``None``: no complaint yet) and command."""


def _row_label(key: RowKey) -> str:
    source, command = key
    return f"{source.value if source is not None else '(new)'}: {command}"


@attrs.frozen
class RowCoverage:
    """
    How often the runs of a machine class exercised each row of its lifecycle table.

    A row is exercised when a command of its kind was accepted in its source status: by
    the machine's rules (:meth:`ComplaintWorkflowMachine.handle`) or by a sweep (a
    warning, a breach, an automatic close).

    Attributes:
        counts: ``(row, times)`` for every row the profile keeps, in table order; a row
            is ``"in_progress: Close"`` (``"(new): Submit"`` for a submission).

    .. versionadded:: 0.2.0
    """

    counts: tuple[tuple[str, int], ...]

    @property
    def missing(self) -> tuple[str, ...]:
        """The rows never exercised."""
        return tuple(row for row, times in self.counts if times == 0)

    def render(self) -> str:
        """One line per row with its count, then the rows never exercised."""
        width = max((len(row) for row, _ in self.counts), default=0)
        lines = [f"{row:<{width}}  {times:>6}" for row, times in self.counts]
        covered = len(self.counts) - len(self.missing)
        lines.append(f"{covered} of {len(self.counts)} rows exercised")
        lines.extend(f"never: {row}" for row in self.missing)
        return "\n".join(lines) + "\n"


class ComplaintWorkflowMachine(RuleBasedStateMachine):
    """
    Random traffic through a ``ComplaintService``, its guarantees checked after every step.

    Class attributes (set them in a subclass, or use :meth:`configure`):

    Attributes:
        profile: The deployment's profile (default: the bundled ``national``).
        registry: The agency tree (default: the bundled ``kaltim`` registry).
        store_factory: Called once per example for its store (default: a new
            :class:`~lapor_core.storage.memory.InMemoryStore`); wrap a function in
            ``staticmethod`` when you assign it in a class body.
        start: Where the manual clock starts.
        max_complaints: How many complaints one example submits at most.
        rows_per_call: How many rows one call of :meth:`least_exercised_row` exercises
            at most (3).
        calendar: The working calendar the service counts deadlines on (default: the
            profile's).

    Instance attributes, for your own rules and invariants:

    Attributes:
        clock: The :class:`~lapor_core.service.ManualClock`.
        store: The store of this example (from :meth:`make_store`).
        service: The service under test.
        ctx: The service's :class:`~lapor_core.domain.complaint.Context`.
        complaint_ids: The complaints submitted so far, in order.
        expected: What each complaint should be, folded from the events the service
            returned (and the sweeps reported).
        rows: The rows of the profile's lifecycle table, ``(source status, command
            name)`` each (``None`` for a submission), in table order.
        rows_here: How often this example exercised each row so far (a ``Counter``).

    .. versionadded:: 0.1.0
    """

    profile: ClassVar[Profile | None] = None
    registry: ClassVar[AgencyRegistry | None] = None
    start: ClassVar[datetime] = START
    max_complaints: ClassVar[int] = 4
    rows_per_call: ClassVar[int] = 3
    store_factory: ClassVar[StoreFactory | None] = None
    calendar: ClassVar[WorkingCalendar | None] = None
    row_counts: ClassVar[Counter[RowKey]] = Counter()
    """The rows this class's runs exercised so far (each subclass counts its own)."""

    def __init_subclass__(cls, **kwargs: object) -> None:
        """Give each subclass its own :attr:`row_counts`."""
        super().__init_subclass__(**kwargs)
        cls.row_counts = Counter()

    def __init__(self) -> None:
        """Open a store for this example and build the service on it."""
        super().__init__()
        cls = type(self)
        profile = cls.profile if cls.profile is not None else _default_profile()
        registry = cls.registry if cls.registry is not None else _default_registry()
        context = _context(profile, registry)
        self.run_id = next(_RUNS)
        self.clock = ManualClock(cls.start)
        self.store = self.make_store()
        calendar = cls.calendar if cls.calendar is not None else context.calendar
        self.service = ComplaintService(
            self.store, profile, registry, calendar=calendar, clock=self.clock
        )
        self.ctx: Context = self.service.context
        self.statuses = frozenset(
            {r.source for r in self.ctx.lifecycle.rows if r.source is not None}
            | {
                t
                for r in self.ctx.lifecycle.rows
                for t in self.ctx.lifecycle.targets(r.source, r.command)
            }
        )
        self.complaint_ids: list[ComplaintId] = []
        self.expected: dict[ComplaintId, Complaint] = {}
        self._seen: dict[ComplaintId, tuple[Event, ...]] = {}
        keys = ((r.source, r.command.__name__) for r in self.ctx.lifecycle.rows)
        self.rows: tuple[RowKey, ...] = tuple(dict.fromkeys(keys))
        self.rows_here: Counter[RowKey] = Counter()
        self._distances = {status: distances_to(self.ctx, status) for status in Status}

    # ----------------------------------------------------------------- configuration

    @classmethod
    def configure(
        cls,
        *,
        profile: Profile | None = None,
        registry: AgencyRegistry | None = None,
        store_factory: StoreFactory | None = None,
        name: str | None = None,
        start: datetime | None = None,
        max_complaints: int | None = None,
        calendar: WorkingCalendar | None = None,
    ) -> type[Self]:
        """
        A subclass bound to a profile, a registry, a store factory, a start and a size.

        Args:
            profile: The deployment's profile (default: this class's).
            registry: The agency tree (default: this class's).
            store_factory: Called once per example for a fresh (or emptied) store; the
                default is :class:`~lapor_core.storage.memory.InMemoryStore`.
            name: The subclass's name (default: derived from the profile).
            start: Where the manual clock starts, timezone-aware (default: this
                class's, :data:`START`): put it just before a regional day off to
                exercise it.
            max_complaints: How many complaints one example submits at most (>= 1;
                default: this class's, 4).
            calendar: The working calendar deadlines are counted on (default: the
                profile's): its covered years and confirmed data
                (``WorkingCalendar(years=..., confirmed_until=...)``) and its overrides,
                e.g. a regional day off added with ``with_overrides``.

        Returns:
            The new subclass; ``NewClass.TestCase`` is a ``unittest.TestCase``.

        Raises:
            ValidationError: A naive *start*, *max_complaints* below 1, or a *calendar*
                that is not a ``WorkingCalendar``.

        .. versionadded:: 0.1.0
        .. versionchanged:: 0.2.0 *start*, *max_complaints* and *calendar*.
        """
        attributes: dict[str, object] = {"__module__": cls.__module__}
        if start is not None:
            if start.utcoffset() is None:
                raise ValidationError(N_("start must be timezone-aware, got {start}"), start=start)
            attributes["start"] = start
        if max_complaints is not None:
            if isinstance(max_complaints, bool) or max_complaints < 1:
                raise ValidationError(
                    N_("max_complaints must be at least 1, got {count!r}"), count=max_complaints
                )
            attributes["max_complaints"] = max_complaints
        if calendar is not None:
            if not isinstance(calendar, WorkingCalendar):
                raise ValidationError(
                    N_("calendar must be a WorkingCalendar, got {value!r}"), value=calendar
                )
            attributes["calendar"] = calendar
        if profile is not None:
            attributes["profile"] = profile
        if registry is not None:
            attributes["registry"] = registry
        if store_factory is not None:
            attributes["store_factory"] = staticmethod(store_factory)
        label = profile.name.title() if profile is not None else ""
        return type(name or f"{cls.__name__}{label}", (cls,), attributes)

    @classmethod
    def run(cls, settings: Settings | None = None) -> None:
        """
        Run the machine once as a test (raises on the first broken guarantee).

        Args:
            settings: Hypothesis settings (default :data:`DEFAULT_SETTINGS`: 20 steps,
                no deadline, the profile's example count).

        .. versionadded:: 0.1.0
        """
        run_state_machine_as_test(cls, settings=settings or DEFAULT_SETTINGS)

    @classmethod
    def row_coverage(cls) -> RowCoverage:
        """
        How often this class's runs so far exercised each row of its lifecycle table.

        Run the machine first (:meth:`run`, or its ``TestCase``); print
        ``row_coverage().render()`` at the end of a session to see what the traffic
        reached, or assert ``row_coverage().missing == ()``.

        .. versionadded:: 0.2.0
        """
        profile = cls.profile if cls.profile is not None else _default_profile()
        registry = cls.registry if cls.registry is not None else _default_registry()
        rows = _context(profile, registry).lifecycle.rows
        keys = [(row.source, row.command.__name__) for row in rows]
        return RowCoverage(tuple((_row_label(k), cls.row_counts[k]) for k in keys))

    def _count(self, source: Status | None, command: str) -> None:
        type(self).row_counts[(source, command)] += 1
        self.rows_here[(source, command)] += 1

    def make_store(self) -> ComplaintStore:
        """
        The store of one example: the configured factory's, or a new in-memory store.

        Override it (or pass ``store_factory`` to :meth:`configure`) for another backend.
        """
        factory = type(self).store_factory
        return factory() if factory is not None else InMemoryStore()

    def dispose_store(self, store: ComplaintStore) -> None:
        """Release the example's store at teardown (default: close it)."""
        store.close()

    def teardown(self) -> None:
        """Dispose of the example's store."""
        self.dispose_store(self.store)

    # ----------------------------------------------------------------- helpers

    def new_complaint_id(self) -> ComplaintId:
        """A complaint id unique across the examples of this process (shared stores)."""
        return ComplaintId(f"r{self.run_id}-c{len(self.complaint_ids) + 1}")

    def complaint(self, complaint_id: ComplaintId) -> Complaint:
        """The complaint as the machine expects it to be."""
        return self.expected[complaint_id]

    def draw_complaint(self, data: st.DataObject) -> Complaint:
        """Draw one of the submitted complaints (use under ``@precondition(has_complaints)``)."""
        complaint_id = data.draw(st.sampled_from(self.complaint_ids), label="complaint")
        return self.expected[complaint_id]

    def has_complaints(self) -> bool:
        """Whether at least one complaint was submitted (a precondition for rules)."""
        return bool(self.complaint_ids)

    def _snapshot(self, complaint_id: ComplaintId) -> tuple[tuple[Event, ...], ComplaintRow | None]:
        stream = self.store.load(complaint_id)
        row = self.store.get(complaint_id) if stream else None
        return stream, row

    def handle(self, actor: Actor, command: Command) -> HandleResult | None:
        """
        Hand *command* to the service now, with the machine's bookkeeping and checks.

        An accepted command updates :attr:`expected` (and registers a new complaint); a
        refused one is checked to have changed nothing in the store.

        Returns:
            The service's result, or ``None`` when the command was refused.
        """
        complaint_id = command.complaint_id
        before = self._snapshot(complaint_id)
        try:
            result = self.service.handle(command, actor)
        except LaporError:
            assert before == self._snapshot(complaint_id), (
                f"a refused {type(command).__name__} changed complaint {complaint_id}"
            )
            return None
        if complaint_id not in self.expected:
            self.complaint_ids.append(complaint_id)
            state: Complaint | None = None
        else:
            state = self.expected[complaint_id]
        self._count(state.status if state is not None else None, type(command).__name__)
        for event in result.events:
            state = evolve(state, event)
        assert state is not None
        assert state == result.complaint
        self.expected[complaint_id] = state
        return result

    # ----------------------------------------------------------------- rules

    @precondition(lambda self: len(self.complaint_ids) < self.max_complaints)
    @rule(data=st.data())
    def submit(self, data: st.DataObject) -> None:
        """Submit a new complaint (reporter, admin digitising, or regional-app sync)."""
        actor, command = data.draw(
            lst.submissions(self.ctx, self.new_complaint_id()), label="submission"
        )
        result = self.handle(actor, command)
        assert result is not None, f"a valid submission was refused: {command}"

    @initialize(data=st.data())
    def first_submission(self, data: st.DataObject) -> None:
        """Every example starts with one complaint."""
        self.submit(data)

    @precondition(lambda self: self.has_complaints())
    @rule(data=st.data(), steps=st.integers(1, 6))
    def valid_commands(self, data: st.DataObject, steps: int) -> None:
        """
        Issue a few commands ``decide`` accepts; the service must accept them too.

        Each is drawn by the row of the lifecycle table it exercises first (among the
        rows some complaint can take now, those this example exercised least), then
        among that row's commands, so that rare rows (a rating, a breach on hold) come up
        as often as common ones.
        """
        for _ in range(steps):
            now = self.clock.now()
            by_row: dict[str, list[tuple[Actor, Command]]] = {}
            times: dict[str, int] = {}
            for complaint_id in self.complaint_ids:
                complaint = self.expected[complaint_id]
                for actor, command in lst.valid_commands(
                    complaint, self.ctx, now=now, originals=self.complaint_ids
                ):
                    key = (complaint.status, type(command).__name__)
                    label = _row_label(key)
                    by_row.setdefault(label, []).append((actor, command))
                    times[label] = self.rows_here[key]
            if not by_row:
                return
            fewest = min(times.values())
            least = sorted(label for label, count in times.items() if count == fewest)
            row = data.draw(st.sampled_from(least), label="row")
            actor, command = data.draw(st.sampled_from(by_row[row]), label="command")
            result = self.handle(actor, command)
            assert result is not None, f"{actor} was refused a valid {command}"
            self.check_guarantees()

    @precondition(lambda self: self.has_complaints())
    @rule(data=st.data())
    def least_exercised_row(self, data: st.DataObject) -> None:
        """
        Exercise rows of the lifecycle table this example has exercised least.

        The rows some complaint of this example (or a new one) can still get to are
        taken in table order from a drawn row on, those exercised least so far first;
        :meth:`exercise_row` tries each until :attr:`rows_per_call` were exercised (or
        twice as many were tried). So a default run reaches every row the profile enables,
        the rare ones included (a rating, a reopening, an automatic close, a breach on
        hold). The choice depends only on this example's own steps, never on other
        examples, so that Hypothesis can replay and shrink a failure.
        """
        start = data.draw(st.integers(0, len(self.rows) - 1), label="first row")
        turn = self.rows[start:] + self.rows[:start]
        exercised = 0
        rows = [row for row in turn if self._may_reach(row[0])]
        for row in sorted(rows, key=self.rows_here.__getitem__)[: 2 * self.rows_per_call]:
            exercised += self.exercise_row(data, row)
            if exercised == self.rows_per_call:
                return

    def _may_reach(self, status: Status | None) -> bool:
        """Whether a complaint of this example, or a new one, may get to *status*."""
        room = len(self.complaint_ids) < self.max_complaints
        if status is None:
            return room
        distance = self._distances[status]
        return (room and Status.SUBMITTED in distance) or any(
            self.expected[i].status in distance for i in self.complaint_ids
        )

    def exercise_row(self, data: st.DataObject, row: RowKey) -> bool:
        """
        Try to exercise *row* (``(source status, command name)``) now; whether it was.

        A complaint is moved to the row's source status (valid commands, each one status
        closer; the nearest complaints first, then a new submission if there is room);
        for a clock command the clock is moved on to when one of the row's kind is owed
        (a warning, a breach, an automatic close); then a valid command of the row's kind
        is issued. Where the status is reached but no such command is valid, a valid
        command that keeps the status and makes one valid is issued first (an assignment
        to another agency, a category), at most twice.
        """
        source = row[0]
        if source is None:
            if len(self.complaint_ids) >= self.max_complaints:
                return False
            self.submit(data)
            return True
        distance = self._distances[source]
        reachable = [i for i in self.complaint_ids if self.expected[i].status in distance]
        reachable.sort(key=lambda i: distance[self.expected[i].status])
        for complaint_id in reachable:
            if self._exercise_with(data, self.expected[complaint_id], row, distance):
                return True
        if len(self.complaint_ids) >= self.max_complaints or Status.SUBMITTED not in distance:
            return False
        self.submit(data)
        return self._exercise_with(data, self.expected[self.complaint_ids[-1]], row, distance)

    def _exercise_with(
        self, data: st.DataObject, complaint: Complaint, row: RowKey, distance: dict[Status, int]
    ) -> bool:
        """:meth:`exercise_row` with *complaint*; *distance*: to the row's source status."""
        source, kind = row
        complaint = self.move_towards(data, complaint, distance)
        if complaint.status is not source:
            return False
        for _ in range(2):
            now = self.clock.now()
            at = self._when_valid(complaint, kind, now)
            choices = (
                accepted(complaint, self.ctx, at, (kind,), self.complaint_ids)
                if at is not None
                else []
            )
            if at is not None and choices:
                self.clock.advance(at - now)
                actor, command, _events = data.draw(st.sampled_from(choices), label="row command")
                result = self.handle(actor, command)
                assert result is not None, f"{actor} was refused a valid {command}"
                self.check_guarantees()
                return True
            staying: dict[Command, tuple[Actor, Complaint]] = {}
            for actor, command, events in accepted(
                complaint, self.ctx, now, self._kinds_keeping(source), self.complaint_ids
            ):
                after = _state_of(complaint, events)
                if after.status is source and command not in staying:
                    staying[command] = (actor, after)
            enabling = [
                (actor, command)
                for command, (actor, after) in staying.items()
                if self._when_valid(after, kind, now) is not None
            ]
            if not enabling:
                return False
            actor, command = data.draw(st.sampled_from(enabling), label="enabling command")
            result = self.handle(actor, command)
            assert result is not None, f"{actor} was refused a valid {command}"
            self.check_guarantees()
            complaint = result.complaint
        return False

    def _when_valid(self, complaint: Complaint, kind: str, now: datetime) -> datetime | None:
        """
        The first instant from *now* at which a command of *kind* may be valid for *complaint*.

        *now* if ``decide`` accepts one of people now; for a clock command, the first of the
        complaint's warning and due instants at which one of that kind is owed. ``None``:
        no such instant, as things stand.
        """
        if kind not in _CLOCK_KINDS:
            return now if accepted(complaint, self.ctx, now, (kind,), self.complaint_ids) else None
        calendar, clocks = self.ctx.calendar, self.ctx.profile.clocks
        instants = {now}
        for rc in complaint.clocks:
            definition = clocks.get(rc.clock)
            deadline = clock_deadline(rc, calendar)
            if rc.breached or definition is None or deadline is None:
                continue
            instants.add(deadline)
            instants.update(warning_instant(rc, deadline, t) for t in definition.warn_at)
        for at in sorted(i for i in instants if i >= now):
            if any(type(c).__name__ == kind for c in due(complaint, at, calendar, clocks)):
                return at
        return None

    def move_towards(
        self, data: st.DataObject, complaint: Complaint, distance: dict[Status, int]
    ) -> Complaint:
        """
        Valid commands, each taking *complaint* one status closer (by *distance*); the result.

        Stops at the status *distance* counts from (distance 0), or where no valid
        command gets closer.
        """
        for _ in range(len(Status)):
            here = distance.get(complaint.status)
            if here is None or here == 0:
                break
            now = self.clock.now()
            kinds = self._kinds_towards(complaint.status, distance)
            closer = [
                (actor, command)
                for actor, command, events in accepted(
                    complaint, self.ctx, now, kinds, self.complaint_ids
                )
                if distance.get(_status_of(complaint, events), here) < here
            ]
            if not closer:
                break
            actor, command = data.draw(st.sampled_from(closer), label="closer command")
            result = self.handle(actor, command)
            assert result is not None, f"{actor} was refused a valid {command}"
            complaint = result.complaint
            self.check_guarantees()
        return complaint

    def _kinds_keeping(self, status: Status) -> frozenset[str]:
        """The commands whose rows in *status* may keep it."""
        lifecycle = self.ctx.lifecycle
        return frozenset(
            row.command.__name__
            for row in lifecycle.rows
            if row.source is status and status in lifecycle.targets(status, row.command)
        )

    def _kinds_towards(self, status: Status, distance: dict[Status, int]) -> frozenset[str]:
        """The commands whose rows in *status* may lead closer by *distance*."""
        here = distance[status]
        lifecycle = self.ctx.lifecycle
        return frozenset(
            row.command.__name__
            for row in lifecycle.rows
            if row.source is status
            and any(distance.get(t, here) < here for t in lifecycle.targets(status, row.command))
        )

    @precondition(lambda self: self.has_complaints())
    @rule(data=st.data())
    def random_command(self, data: st.DataObject) -> None:
        """A random, usually invalid, command by a random actor."""
        complaint = self.draw_complaint(data)
        actor = data.draw(lst.actors(self.ctx.registry), label="actor")
        command = data.draw(_RANDOM_COMMANDS, label="command")
        command = attrs.evolve(command, complaint_id=complaint.id)
        self.handle(actor, command)

    @precondition(lambda self: self.has_complaints())
    @rule(data=st.data(), text=lst.hostile_texts())
    def hostile_text(self, data: st.DataObject, text: str) -> None:
        """
        Hostile text (surrogates, NUL, controls, very long, unusual Unicode) in a command.

        The domain's text rules refuse it at construction, the same for every store; or
        the command is built, and then the service refuses it exactly when ``decide``
        does: the store never refuses text the domain accepted.
        """
        complaint = self.draw_complaint(data)
        field = data.draw(st.sampled_from(_HOSTILE_FIELDS), label="field")
        try:
            actor, command = _hostile_command(complaint.id, field, text)
        except LaporError:
            return
        try:
            decide(self.expected[complaint.id], command, actor, self.clock.now(), self.ctx)
        except LaporError:
            accepted = False
        else:
            accepted = True
        result = self.handle(actor, command)
        assert accepted == (result is not None), (
            f"decide {'accepted' if accepted else 'refused'} {command!r} but the service "
            f"{'refused' if accepted else 'accepted'} it"
        )

    @rule(minutes=st.integers(1, int(_MAX_ADVANCE.total_seconds() // 60)))
    def advance_time(self, minutes: int) -> None:
        """Move the clock forward (up to twelve days)."""
        self.clock.advance(timedelta(minutes=minutes))

    @precondition(lambda self: self.has_complaints())
    @rule()
    def until_due(self) -> None:
        """Move the clock on to the next instant a clock command falls due, and sweep."""
        now = self.clock.now()
        dues = [self.store.get(i).next_due_at for i in self.complaint_ids]
        later = [at for at in dues if at is not None and at > now]
        if later:
            self.clock.advance(min(later) - now)
        self.sweep()

    @rule()
    def sweep(self) -> None:
        """Sweep: issue every clock command owed now; afterwards nothing is owed."""
        now = self.clock.now()
        report = self.service.sweep(now)
        for event in report.events:
            before = self.expected[event.complaint_id]
            command = self._swept_command(event)
            if command is not None:
                self._count(before.status, command)
            self.expected[event.complaint_id] = evolve(before, event)
        calendar = self.ctx.calendar
        clocks = self.ctx.profile.clocks
        for complaint_id in self.complaint_ids:
            owed = due(self.service.get(complaint_id), now, calendar, clocks)
            assert owed == (), f"after a sweep at {now}, {complaint_id} still owes {owed}"

    def _swept_command(self, event: Event) -> str | None:
        """The command of the sweep that recorded *event* (``None``: not its first event)."""
        if isinstance(event, e.ClockWarned):
            return "RecordWarning"
        if isinstance(event, e.ClockBreached):
            clock = self.ctx.profile.clocks.get(event.clock)
            auto = clock is not None and clock.breach is BreachAction.AUTO_CLOSE
            return "AutoClose" if auto else "RecordBreach"
        if isinstance(event, e.DeadlinesRecomputed):
            return "RecomputeDeadlines"
        return None

    # ----------------------------------------------------------------- invariants

    def check_guarantees(self) -> None:
        """Check every invariant of this class now (between the steps of one rule)."""
        self.status_is_in_the_table()
        self.history_only_grows_and_replays()
        self.no_wrong_door()
        self.anonim_reporter_is_never_public()
        self.projection_row_matches()

    @invariant()
    def status_is_in_the_table(self) -> None:
        """Every complaint's status is one of the lifecycle table's."""
        for complaint in self.expected.values():
            assert complaint.status in self.statuses

    @invariant()
    def history_only_grows_and_replays(self) -> None:
        """Streams only grow and replay to the expected state (and to ``service.get``)."""
        for complaint_id in self.complaint_ids:
            stream = self.store.load(complaint_id)
            previous = self._seen.get(complaint_id, ())
            assert stream[: len(previous)] == previous, f"history of {complaint_id} changed"
            self._seen[complaint_id] = stream
            state = replay(stream)
            assert state == self.expected[complaint_id]
            assert state == self.service.get(complaint_id)
            assert len(stream) == state.version

    @invariant()
    def no_wrong_door(self) -> None:
        """An open complaint always has an owner."""
        for complaint in self.expected.values():
            if not complaint.status.terminal:
                assert owners(complaint), f"{complaint.id} has no owner"

    @invariant()
    def anonim_reporter_is_never_public(self) -> None:
        """The public view of an *anonim* report names no reporter."""
        for complaint in self.expected.values():
            view = public_view(complaint)
            if complaint.privacy.anonymous:
                assert view.reporter_name is None
            if complaint.privacy.confidential:
                assert view.title is None
                assert view.body is None

    @invariant()
    def projection_row_matches(self) -> None:
        """The stored row agrees with ``project(state)`` on the fields that matter."""
        calendar = self.ctx.calendar
        clocks = self.ctx.profile.clocks
        for complaint_id in self.complaint_ids:
            row = self.store.get(complaint_id)
            wanted = project(self.expected[complaint_id], calendar, clocks)
            for field in _ROW_FIELDS:
                assert getattr(row, field) == getattr(wanted, field), (
                    f"row of {complaint_id}: {field} is {getattr(row, field)!r}, "
                    f"expected {getattr(wanted, field)!r}"
                )


_TEXT = st.sampled_from(["Mohon ditindaklanjuti.", "Lampu mati.", "Bukan wewenang kami."])
_AGENCIES = st.sampled_from(
    ["samarinda", "samarinda.dishub", "kaltim", "kaltim.pupr", "balikpapan", "kemenkes", "lapor"]
)


_PLACEHOLDER = st.just(ComplaintId("baru"))


def _random_commands(cid: st.SearchStrategy[ComplaintId]) -> st.SearchStrategy[Command]:
    """Well-formed commands of common types, mostly invalid in context."""
    return st.one_of(
        st.builds(Classify, complaint_id=cid, title=_TEXT),
        st.builds(RequestInformation, complaint_id=cid, question=_TEXT),
        st.builds(ProvideInformation, complaint_id=cid, text=_TEXT),
        st.builds(
            Forward,
            complaint_id=cid,
            agencies=st.lists(_AGENCIES, min_size=1, max_size=2, unique=True).map(tuple),
        ),
        st.builds(PostFollowUp, complaint_id=cid, agency=_AGENCIES, text=_TEXT),
        st.builds(Reply, complaint_id=cid, text=_TEXT),
        st.builds(Close, complaint_id=cid),
        st.builds(Archive, complaint_id=cid, reason=st.just(ArchiveReason.UNCLEAR)),
        st.builds(ChangePrivacy, complaint_id=cid, privacy=lst.privacies()),
        st.builds(Rate, complaint_id=cid, score=st.integers(0, 6)),
        st.builds(Reopen, complaint_id=cid, reason=_TEXT),
    )


_CLOCK_KINDS = frozenset({"RecordWarning", "RecordBreach", "AutoClose"})


def _state_of(complaint: Complaint, events: tuple[Event, ...]) -> Complaint:
    """*complaint* after *events*."""
    state: Complaint | None = complaint
    for event in events:
        state = evolve(state, event)
    assert state is not None
    return state


def _status_of(complaint: Complaint, events: tuple[Event, ...]) -> Status:
    """The status *events* lead *complaint* to."""
    return _state_of(complaint, events).status


_RANDOM_COMMANDS = _random_commands(_PLACEHOLDER)
_HOSTILE_FIELDS = ("title", "tag", "question", "reply", "information", "actor id")


def _hostile_command(cid: ComplaintId, field: str, text: str) -> tuple[Actor, Command]:
    """A command carrying *text* in *field* (raises ``ValidationError`` if the rules refuse it)."""
    admin = Actor.national_admin("admin-hostile")
    if field == "title":
        return admin, Classify(complaint_id=cid, title=text)
    if field == "tag":
        return admin, Classify(complaint_id=cid, tags=(text,))
    if field == "question":
        return admin, RequestInformation(complaint_id=cid, question=text)
    if field == "reply":
        return admin, Reply(complaint_id=cid, text=text)
    if field == "information":
        return admin, ProvideInformation(complaint_id=cid, text=text)
    return Actor.national_admin(text), Classify(complaint_id=cid, tags=("prioritas",))
