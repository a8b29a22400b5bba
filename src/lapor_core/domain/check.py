"""
Profile check: validate a profile's rules and model-check its lifecycle and clocks.

:func:`check` explores the abstract state space of the profile's lifecycle (the
:class:`~lapor_core.domain.lifecycle.Lifecycle` rows the profile keeps, after its options
and ``lifecycle.disabled_commands``) and reports every problem with the dotted key of
the rule at fault. What it checks:

- **Statuses.** Every status is reachable from submission, and from every reachable
  non-terminal status a terminal one (``completed``, ``archived``) can be reached.
- **Clocks start.** At least one of a clock's start events can happen.
- **Clocks stop.** Closing and archiving stop every clock, so a clock with no stop event
  is fine as long as the complaint can always end. A clock *never stops* when, in some
  status where it runs, neither one of its stop events nor a terminal status can follow.
  A clock whose stop events are listed but can never happen while it runs is reported
  too (it stops only when the complaint ends, which is rarely what the author meant).
- **Deadlines.** No open status can be reached with no clock running (a reopened
  complaint with nothing to count would sit forever); see :meth:`_Model.deadline_problems`
  for how "surely running" is approximated. A per-assignment clock cannot start on
  ``ComplaintSubmitted`` (no agency holds the complaint yet).
- **Breach actions.** A breach fires wherever the clock runs unpaused, and the command
  the sweeper issues must be allowed there by the lifecycle table: ``auto_close`` needs
  an ``AutoClose`` row ending in ``completed`` (national table: only ``in_progress``),
  ``archive_withdrawn`` a ``RecordBreach`` row ending in ``archived`` (only
  ``on_hold``), any other action a ``RecordBreach`` row that keeps the status; warnings
  need ``RecordWarning``. Where a clock runs is derived from the table, not hard-coded.
- **Rules.** Both labels of every status are non-empty; every duration and every count
  of an option is positive; every rule cites a basis or is marked local (``L``).

The model reads the rows' outcomes: the events each records (the triggers of the
clocks) and where it leads, a return from hold going back to the status the complaint
was held from (a node of the model remembers it). It over-approximates what ``decide``
allows in one way, refined for breaches: a breach closes or archives a complaint only
if a clock with that breach action can fire in that status. Guards
(reopen window, rating scale) and scope checks are not modelled. Per-assignment clocks
are modelled per complaint.

Pure: no I/O. The ``lapor-core check`` command loads a profile and prints the report.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Final, TypeAlias, TypeVar

import attrs

from lapor_core.domain import commands as c
from lapor_core.domain import events as e
from lapor_core.domain.agencies import AgencyRegistry
from lapor_core.domain.clocks import BreachAction, ClockDefinition, ClockScope
from lapor_core.domain.lifecycle import TRANSITIONS, Lifecycle, Outcome, Status, Target, Transition
from lapor_core.domain.model import Confidence, RegionCode
from lapor_core.domain.profile import Profile
from lapor_core.domain.profile_merge import BASIS_NOT_GIVEN
from lapor_core.domain.profile_rules import version_problems
from lapor_core.errors import N_, LaporError, ProfileError, Term, fill

__all__ = ["CheckProblem", "CheckReport", "check", "scope_warnings"]

_RETURNED: Final = "DispositionRejected:returned"
_HANDED_BACK: Final = "DispositionRejected:handed_back"
_ENDS: Final = {
    BreachAction.AUTO_CLOSE: (c.AutoClose, Status.COMPLETED, Term(N_("close the complaint"))),
    BreachAction.ARCHIVE_WITHDRAWN: (
        c.RecordBreach,
        Status.ARCHIVED,
        Term(N_("archive it as withdrawn")),
    ),
}
_BREACH_COMMANDS: Final = (c.AutoClose, c.RecordBreach)

_Node: TypeAlias = tuple[Status | None, Status | None]
"""A status and, on hold, the status it was held from (``(None, None)``: not submitted)."""
_ClockState: TypeAlias = tuple[_Node, bool]
"""Where a running clock is, and whether it is paused."""
_Clocks: TypeAlias = tuple[_Node, frozenset[tuple[str, bool]]]
"""Where a complaint is, with the clocks that surely run there (name, paused)."""
_AGENCY_EVENTS: Final = frozenset(
    {"DispositionRejected", _HANDED_BACK, "FollowUpPosted", "ForwardedInternally"}
)
"""Events of one agency: a per-assignment clock they stop keeps running for the others."""
_STOPPED: Final = "stopped"


@attrs.frozen
class CheckProblem:
    """
    One problem of a profile: the dotted key of the rule at fault and what is wrong.

    .. versionadded:: 0.1.0
    """

    key: str
    message: str
    template: str | None = attrs.field(default=None, eq=False, repr=False)
    """The English message before its fields are filled in, for translation."""
    fields: Mapping[str, object] = attrs.field(factory=dict, eq=False, repr=False)
    """The values of the template's fields."""

    def __str__(self) -> str:
        """``key: message``."""
        return f"{self.key}: {self.message}"

    @classmethod
    def of(cls, key: str, template: str, **fields: object) -> CheckProblem:
        """
        A problem whose message is *template* with its named *fields* filled in.

        .. versionadded:: 0.2.0
        """
        return cls(key, fill(template, fields), template, fields)

    def translate(self, gettext: Callable[[str], str]) -> str:
        """
        ``key: message`` with the message in the language of *gettext*.

        A message without a template (one read from a parse error) stays in English.

        .. versionadded:: 0.2.0
        """
        if self.template is None:
            return str(self)
        if not self.fields:
            return f"{self.key}: {gettext(self.template)}"
        # A LaporError translates the fields that are errors or terms too.
        return f"{self.key}: {LaporError(self.template, **self.fields).translate(gettext)}"

    @classmethod
    def parse(cls, text: str) -> CheckProblem:
        """
        A problem from one ``dotted.key: message`` line (key ``profile`` when it has none).

        .. versionadded:: 0.1.0
        """
        head, sep, rest = text.partition(": ")
        if sep and head and " " not in head:
            return cls(head, rest)
        return cls("profile", text)

    @classmethod
    def from_error(cls, error: ProfileError) -> CheckProblem:
        """
        The first problem of a parse error; :meth:`CheckReport.from_error` gives them all.

        .. versionadded:: 0.1.0
        """
        return cls.parse(error.problems[0] if error.problems else str(error))


@attrs.frozen
class CheckReport:
    """
    The result of :func:`check`.

    .. versionadded:: 0.1.0
    """

    profile: str
    problems: tuple[CheckProblem, ...]
    warnings: tuple[CheckProblem, ...] = ()
    """What is allowed but should be looked at: a value changed without a basis of its own."""

    @classmethod
    def from_error(cls, profile: str, error: ProfileError) -> CheckReport:
        """
        The report of a profile that does not load: one problem per problem of *error*.

        Each entry of :attr:`ProfileError.problems <lapor_core.errors.ProfileError.problems>`
        becomes a :class:`CheckProblem` with its dotted key.

        .. versionadded:: 0.1.0
        """
        if error.template is not None and (error.key is not None or error.fields):
            return cls(profile, (cls._problem(error),))
        found = error.args or (str(error),)
        return cls(
            profile,
            tuple(
                cls._problem(problem)
                if isinstance(problem, ProfileError) and problem.template is not None
                else CheckProblem.parse(str(problem))
                for problem in found
            ),
        )

    @staticmethod
    def _problem(error: ProfileError) -> CheckProblem:
        """The problem of a one-problem error given as a template."""
        assert error.template is not None  # noqa: S101 - the caller checked it
        if error.key is None and not error.fields:
            return CheckProblem.parse(str(error))
        message = fill(error.template, error.fields)
        return CheckProblem(error.key or "profile", message, error.template, error.fields)

    @property
    def ok(self) -> bool:
        """Whether the profile has no problem."""
        return not self.problems

    def render(self, gettext: Callable[[str], str] = str) -> str:
        """
        The report as text: a summary line, then one line per problem.

        Args:
            gettext: Translates an English message (``lapor_core.i18n.translator(lang)``);
                by default the report is in English.
        """
        _ = gettext
        if self.ok:
            lines = [_("profile {profile!r}: ok, no problems").format(profile=self.profile)]
        else:
            head = _("profile {profile!r}: {count} problem(s)")
            lines = [head.format(profile=self.profile, count=len(self.problems))]
            lines.extend(f"  {problem.translate(_)}" for problem in self.problems)
        warning = _("warning")
        lines.extend(f"  {warning}: {problem.translate(_)}" for problem in self.warnings)
        return "\n".join(lines) + "\n"


def check(profile: Profile, table: Iterable[Transition] = TRANSITIONS) -> CheckReport:
    """
    Validate *profile* and model-check its lifecycle and clocks (see the module doc).

    Args:
        profile: A parsed profile.
        table: The lifecycle rows (default :data:`~lapor_core.domain.lifecycle.TRANSITIONS`);
            tests pass other tables.

    Returns:
        The report; ``report.ok`` when nothing is wrong.

    .. versionadded:: 0.1.0
    """
    problems = [*_rule_problems(profile)]
    warnings = tuple(_rule_warnings(profile))
    try:
        lifecycle = Lifecycle(profile, table)
    except ProfileError as exc:
        problems.append(CheckProblem.of("lifecycle", exc.template or str(exc), **exc.fields))
        return CheckReport(profile.name, tuple(problems), warnings)
    model = _Model(lifecycle)
    problems.extend(model.status_problems())
    problems.extend(model.clock_problems())
    problems.extend(model.deadline_problems())
    return CheckReport(profile.name, tuple(problems), warnings)


def scope_warnings(profile: Profile, registry: AgencyRegistry) -> tuple[CheckProblem, ...]:
    """
    The profile's scoped calendar overrides that apply to no agency of *registry*.

    An override limited to an agency the registry does not have, or to a region no
    agency of it lies in, changes no deadline: most likely a typing error. Warnings,
    not problems (the registry of another deployment may have the agency).

    .. versionadded:: 0.2.0
    """
    found = []
    regions = [a.region for a in registry if a.region is not None]
    for index, override in enumerate(profile.calendar_overrides):
        key = f"calendar.override[{index}]"
        if override.agency is not None and override.agency not in registry:
            found.append(
                CheckProblem.of(
                    f"{key}.agency",
                    N_("no agency {agency!r} in the registry: the override applies to no one"),
                    agency=override.agency,
                )
            )
        scope = RegionCode(override.region) if override.region is not None else None
        if scope is not None and not any(scope.contains(region) for region in regions):
            found.append(
                CheckProblem.of(
                    f"{key}.region",
                    N_(
                        "no agency of the registry lies in region {region}: the override "
                        "applies to no one"
                    ),
                    region=override.region,
                )
            )
    return tuple(found)


# --------------------------------------------------------------------------- rules


def _rule_problems(profile: Profile) -> Iterator[CheckProblem]:
    yield from _label_problems(profile)
    yield from _count_problems(profile)
    for key, _value, basis in profile.rules():
        if not basis.source.strip() and basis.confidence is not Confidence.LOCAL:
            yield CheckProblem.of(
                f"{key}.basis", N_("cites no basis and is not marked local (confidence L)")
            )


def _rule_warnings(profile: Profile) -> Iterator[CheckProblem]:
    for key, _value, basis in profile.rules():
        if basis.source.startswith(BASIS_NOT_GIVEN):
            yield CheckProblem.of(
                f"{key}.basis",
                N_(
                    "changed from the parent's value without a basis of its own (the "
                    "parent's basis no longer applies): cite one, with its confidence"
                ),
            )


def _label_problems(profile: Profile) -> Iterator[CheckProblem]:
    for status in Status:
        labels = profile.labels.get(status)
        if labels is None:
            yield CheckProblem.of(f"statuses.{status.value}", N_("no labels"))
            continue
        for lang, text in (("id", labels.id), ("en", labels.en)):
            if not text.strip():
                yield CheckProblem.of(
                    f"statuses.{status.value}.{lang}", N_("label must not be empty")
                )


def _count_problems(profile: Profile) -> Iterator[CheckProblem]:
    for key, duration in profile.durations.items():
        if duration.amount <= 0:
            yield CheckProblem.of(
                f"durations.{key}.amount",
                N_("must be positive, got {amount}"),
                amount=duration.amount,
            )
    for key, versions in profile.duration_versions.items():
        if len(versions) > 1:
            for problem_key, problem in version_problems(key, versions):
                template = problem.template or str(problem)
                yield CheckProblem.of(problem_key, template, **problem.fields)
    counts = (
        ("options.reopen.max_count", profile.reopen.max_count),
        ("options.reopen.window_days", profile.reopen.window_days),
        ("options.rating.scale", profile.rating.scale),
        ("options.extension.max_count", profile.extension.max_count),
        ("options.extension.max_amount", profile.extension.max_amount),
    )
    for key, value in counts:
        if value <= 0:
            yield CheckProblem.of(key, N_("must be positive, got {value}"), value=value)
    for key, clock in profile.clocks.items():
        if clock.duration is not None and clock.duration not in profile.durations:
            yield CheckProblem.of(
                f"clocks.{key}.duration",
                N_("no duration named {duration!r}"),
                duration=clock.duration,
            )


# --------------------------------------------------------------------------- model


def _event_sets(outcome: Outcome, target: Status) -> tuple[frozenset[str], ...]:
    """
    The names of the events *outcome* records (the triggers clock definitions use).

    One set per way the outcome happens: a rejection that keeps the status is either
    one agency dropping its assignment (``DispositionRejected``) or a unit handing it
    back inside its agency (``DispositionRejected:handed_back`` alone).
    """
    names = {event.__name__ for event in outcome.events}
    if e.DispositionRejected not in outcome.events:
        return (frozenset(names),)
    if target is Status.SUBMITTED:
        return (frozenset({*names, _RETURNED}),)
    handed_back = {*(names - {"DispositionRejected"}), _HANDED_BACK}
    return (frozenset(names), frozenset(handed_back))


T = TypeVar("T")


def _closure(seeds: set[T], moves: Callable[[T], Iterable[T]]) -> frozenset[T]:
    """Everything reachable from *seeds* by *moves* (breadth first)."""
    seen = set(seeds)
    queue = deque(seeds)
    while queue:
        for nxt in moves(queue.popleft()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return frozenset(seen)


def _names(statuses: Iterable[Status]) -> str:
    wanted = set(statuses)
    return ", ".join(s.value for s in Status if s in wanted)


class _Model:
    """The abstract state space of one lifecycle, with its clocks."""

    def __init__(self, lifecycle: Lifecycle) -> None:
        self.lifecycle = lifecycle
        self.profile = lifecycle.profile
        self.by_source: dict[Status | None, list[Transition]] = {}
        for row in lifecycle.rows:
            self.by_source.setdefault(row.source, []).append(row)
        # (status, terminal target) pairs a breach can take: enabled by running clocks.
        self.breach_edges: frozenset[tuple[Status, Status]] = frozenset()
        self.running: dict[str, frozenset[_ClockState]] = {}
        self.seeded: dict[str, bool] = {}
        while True:
            self.nodes = self._reachable()
            for name, clock in self.profile.clocks.items():
                seeds = self._seeds(clock)
                self.seeded[name] = bool(seeds)
                self.running[name] = self._closure(clock, seeds)
            enabled = self._enabled_breaches()
            if enabled == self.breach_edges:
                break
            self.breach_edges = enabled

    # ------------------------------------------------------------------- the graph

    def has_row(self, status: Status, command: type[c.Command], target: Status) -> bool:
        return any(
            row.command is command and target in self.lifecycle.targets(status, command)
            for row in self.by_source.get(status, ())
        )

    def steps(self, node: _Node) -> Iterator[tuple[Transition, Status, _Node, frozenset[str]]]:
        """``(row, target status, next node, events)`` for every move out of *node*."""
        status, held = node
        for row in self.by_source.get(status, ()):
            for outcome in row.outcomes:
                if outcome.target is Target.HELD_FROM and held is None:
                    targets = self.lifecycle.targets(status, row.command)
                else:
                    targets = (self.lifecycle.resolve(status, outcome, held),)
                for target in targets:
                    if (
                        row.command in _BREACH_COMMANDS
                        and target.terminal
                        and status is not None
                        and (status, target) not in self.breach_edges
                    ):
                        continue
                    if target is status:
                        nxt: _Node = node
                    elif target is Status.ON_HOLD:
                        nxt = (Status.ON_HOLD, status)
                    else:
                        nxt = (target, None)
                    for events in _event_sets(outcome, target):
                        yield row, target, nxt, events

    def _reachable(self) -> frozenset[_Node]:
        start: _Node = (None, None)
        return _closure({start}, lambda node: (nxt for _r, _t, nxt, _e in self.steps(node)))

    def _finishing(self) -> frozenset[_Node]:
        """Reachable nodes from which a terminal status can be reached."""
        done = {n for n in self.nodes if n[0] is not None and n[0].terminal}
        changed = True
        while changed:
            changed = False
            for node in self.nodes - done:
                if any(nxt in done for _r, _t, nxt, _e in self.steps(node)):
                    done.add(node)
                    changed = True
        return frozenset(done)

    # ------------------------------------------------------------------- clocks

    def _seeds(self, clock: ClockDefinition) -> frozenset[_ClockState]:
        return frozenset(
            (nxt, False)
            for node in self.nodes
            for _row, target, nxt, events in self.steps(node)
            if events & clock.start and not target.terminal
        )

    def clock_moves(
        self, clock: ClockDefinition, state: _ClockState
    ) -> Iterator[tuple[str, _ClockState | None]]:
        """``(how, next state)`` for every move; ``None`` when the clock stops."""
        node, paused = state
        for _row, target, nxt, events in self.steps(node):
            if target.terminal:
                yield "terminal", None
            elif events & clock.start:
                yield "start", (nxt, False)
            elif events & clock.stop:
                yield "stop", None
            elif events & clock.pause:
                yield "pause", (nxt, True)
            elif events & clock.resume:
                yield "resume", (nxt, False)
            else:
                yield "keep", (nxt, paused)

    def _closure(
        self, clock: ClockDefinition, seeds: frozenset[_ClockState]
    ) -> frozenset[_ClockState]:
        return _closure(
            set(seeds),
            lambda state: (nxt for _how, nxt in self.clock_moves(clock, state) if nxt is not None),
        )

    def _enabled_breaches(self) -> frozenset[tuple[Status, Status]]:
        enabled = set()
        for name, clock in self.profile.clocks.items():
            ends = _ENDS.get(clock.breach)
            if ends is None:
                continue
            command, terminal, _what = ends
            for (status, _held), paused in self.running[name]:
                if not paused and status is not None and self.has_row(status, command, terminal):
                    enabled.add((status, terminal))
        return frozenset(enabled)

    def _stoppable(
        self, clock: ClockDefinition, states: frozenset[_ClockState]
    ) -> set[_ClockState]:
        good: set[_ClockState] = set()
        changed = True
        while changed:
            changed = False
            for state in states - good:
                if any(nxt is None or nxt in good for _how, nxt in self.clock_moves(clock, state)):
                    good.add(state)
                    changed = True
        return good

    # ------------------------------------------------------------------- problems

    def status_problems(self) -> Iterator[CheckProblem]:
        reached = {status for status, _held in self.nodes if status is not None}
        disabled = ", ".join(sorted(self.profile.disabled_commands))
        unreachable = N_(
            "unreachable: no sequence of commands leads from submission to {status} under "
            "this profile's lifecycle"
        )
        stuck_message = N_(
            "cannot end: no terminal status (completed or archived) can be reached from {status}"
        )
        if disabled:
            unreachable = N_(
                "unreachable: no sequence of commands leads from submission to {status} under "
                "this profile's lifecycle (the profile disables {disabled})"
            )
            stuck_message = N_(
                "cannot end: no terminal status (completed or archived) can be reached from "
                "{status} (the profile disables {disabled})"
            )
        fields = {"disabled": disabled} if disabled else {}
        for status in Status:
            if status not in reached:
                key = f"statuses.{status.value}"
                yield CheckProblem.of(key, unreachable, status=status.value, **fields)
        finishing = self._finishing()
        stuck = {n[0] for n in self.nodes - finishing if n[0] is not None and not n[0].terminal}
        for status in Status:
            if status in stuck:
                key = f"statuses.{status.value}"
                yield CheckProblem.of(key, stuck_message, status=status.value, **fields)

    def _surely_running(
        self, running: frozenset[tuple[str, bool]], events: frozenset[str]
    ) -> frozenset[tuple[str, bool]]:
        """The clocks that surely run after a step recording *events* (not terminal)."""
        after: set[tuple[str, bool]] = set()
        for name, was_paused in running:
            clock = self.profile.clocks[name]
            # one agency's stop leaves a per-assignment clock running for the others
            one_agency = clock.scope is ClockScope.ASSIGNMENT and events & _AGENCY_EVENTS
            if events & clock.stop and not one_agency:
                continue
            paused = was_paused
            if events & clock.pause:
                paused = True
            elif events & clock.resume:
                paused = False
            after.add((name, paused))
        for name, clock in self.profile.clocks.items():
            # a clock counted from the category may not start (a complaint may have none)
            if events & clock.start and not clock.by_category:
                after = {(n, p) for n, p in after if n != name} | {(name, False)}
        return frozenset(after)

    def _clock_moves(self, state: _Clocks) -> Iterator[tuple[_Clocks, frozenset[str]]]:
        node, running = state
        for _row, target, nxt, events in self.steps(node):
            if target.terminal:
                yield (nxt, frozenset()), events
            else:
                yield (nxt, self._surely_running(running, events)), events

    @staticmethod
    def _uncounted(state: _Clocks) -> bool:
        """An open status with no clock counting (every clock stopped or paused)."""
        (status, _held), running = state
        counting = any(not paused for _name, paused in running)
        return status is not None and not status.terminal and not counting

    def deadline_problems(self) -> Iterator[CheckProblem]:
        """
        Open statuses a complaint can reach with no clock counting, so nothing falls due.

        Over every path of the model, a clock surely runs once one of its start events
        happened and none of its stop events (nor a terminal status) since; a paused
        clock does not count. Two assumptions keep this from refusing sound profiles:
        one agency's stop (a follow-up, a rejection) leaves a per-assignment clock
        running for the other agencies, and a clock counted from the category
        (``by_category``) is never counted on (a complaint may have no category).
        """
        start: _Clocks = ((None, None), frozenset())
        seen = {start}
        queue = deque([start])
        found: dict[Status, set[str]] = {}
        while queue:
            state = queue.popleft()
            for nxt, events in self._clock_moves(state):
                # the step that leaves an open status with nothing counting, not later ones
                status = nxt[0][0]
                if status is not None and self._uncounted(nxt) and not self._uncounted(state):
                    found.setdefault(status, set()).update(events)
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        for status in Status:
            if status in found:
                yield CheckProblem.of(
                    f"statuses.{status.value}",
                    N_(
                        "no deadline: {status} can be reached with no clock running (after "
                        "{events}); name a clock that starts on one of these events"
                    ),
                    status=status.value,
                    events=", ".join(sorted(found[status])),
                )

    def clock_problems(self) -> Iterator[CheckProblem]:
        for name, clock in self.profile.clocks.items():
            if clock.scope is ClockScope.ASSIGNMENT and "ComplaintSubmitted" in clock.start:
                yield CheckProblem.of(
                    f"clocks.{name}.start",
                    N_(
                        "ComplaintSubmitted can never start it: a per-assignment clock starts "
                        "once the complaint has an agency (ComplaintForwarded)"
                    ),
                )
            if not self.seeded[name]:
                yield CheckProblem.of(
                    f"clocks.{name}.start",
                    N_(
                        "never starts: none of its start events ({items}) can happen under this "
                        "profile's lifecycle"
                    ),
                    items=", ".join(sorted(clock.start)),
                )
                continue
            states = self.running[name]
            where = _names(node[0] for node, _paused in states if node[0] is not None)
            stuck = states - self._stoppable(clock, states)
            if stuck:
                at = _names(node[0] for node, _p in stuck if node[0] is not None)
                stop = ", ".join(sorted(clock.stop)) or Term(N_("none"))
                yield CheckProblem.of(
                    f"clocks.{name}",
                    N_(
                        "never stops: once it runs in {at}, neither a stop event ({stop}) nor "
                        "closing or archiving can follow"
                    ),
                    at=at,
                    stop=stop,
                )
            if clock.stop and not any(
                how == "stop" for state in states for how, _nxt in self.clock_moves(clock, state)
            ):
                yield CheckProblem.of(
                    f"clocks.{name}.stop",
                    N_(
                        "none of its stop events ({items}) can happen while it runs (in "
                        "{where}); it stops only when the complaint is closed or archived"
                    ),
                    items=", ".join(sorted(clock.stop)),
                    where=where,
                )
            yield from self._breach_problems(name, clock, states)

    def _breach_problems(
        self, name: str, clock: ClockDefinition, states: frozenset[_ClockState]
    ) -> Iterator[CheckProblem]:
        firing = {node[0] for node, paused in states if not paused and node[0] is not None}
        ends = _ENDS.get(clock.breach)
        if ends is not None:
            command, terminal, what = ends
            allowed = {s for s in Status if self.has_row(s, command, terminal)}
            bad = firing - allowed
            detail = LaporError(
                N_("{command} can {what} only in {statuses}"),
                command=command.__name__,
                what=what,
                statuses=_names(allowed) or Term(N_("no status")),
            )
        else:
            command = c.RecordBreach
            allowed = {s for s in Status if self.has_row(s, c.RecordBreach, s)}
            bad = firing - allowed
            detail = LaporError(
                N_("RecordBreach is allowed only in {statuses}"),
                statuses=_names(allowed) or Term(N_("no status")),
            )
        if bad:
            yield CheckProblem.of(
                f"clocks.{name}.breach",
                N_("breach action {breach} can fire in {statuses}, where the clock runs; {detail}"),
                breach=clock.breach.value,
                statuses=_names(bad),
                detail=detail,
            )
        if clock.warn_at:
            warned = {s for s in Status if self.has_row(s, c.RecordWarning, s)}
            bad = firing - warned
            if bad:
                yield CheckProblem.of(
                    f"clocks.{name}.warn_at",
                    N_("warnings can fall due in {statuses}, where RecordWarning is not allowed"),
                    statuses=_names(bad),
                )
