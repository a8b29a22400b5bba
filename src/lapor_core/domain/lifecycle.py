"""
The complaint lifecycle as data: the transition table, and the machine built from it.

The table :data:`TRANSITIONS` is the single source of truth. Each :class:`Transition`
row says in which status a command is allowed, to which roles, under which guard, what
it records (the event types of each :class:`Outcome`) and where the complaint goes
(a fixed status, :attr:`Target.SAME` or :attr:`Target.HELD_FROM`).
:func:`~lapor_core.domain.complaint.decide` refuses what no row allows and stamps the
row's target status on the events it returns;
:func:`~lapor_core.domain.complaint.evolve` reads the status from the event;
:func:`~lapor_core.domain.check.check`, the Markdown table and the Mermaid diagram read
the same rows.

A :class:`Lifecycle` is built once per profile: it drops the rows whose option the
profile disables and the rows of the commands it disables
(``lifecycle.disabled_commands``), and builds one ``transitions`` machine from the
rest (never one per complaint, never attached to a complaint). The machine answers
which commands a status allows and which statuses a command can lead to, and draws
the diagram.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TypeAlias

import attrs
from transitions import State
from transitions.extensions.diagrams import GraphMachine

from lapor_core.domain import commands as c
from lapor_core.domain import events as e
from lapor_core.domain.actors import Actor, Role
from lapor_core.domain.model import Status
from lapor_core.domain.profile import Profile
from lapor_core.domain.state import Complaint
from lapor_core.errors import InvalidTransition, ProfileError

__all__ = [
    "TRANSITIONS",
    "Condition",
    "Guard",
    "Lifecycle",
    "Outcome",
    "Status",
    "Target",
    "Transition",
    "markdown_table",
    "mermaid",
]


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
        where = "before submission" if self.source is None else f"in {self.source.value}"
        raise InvalidTransition(
            f"{self.command.__name__} {where} recorded ({names}), which its row of the "
            "lifecycle table does not list"
        )


# --------------------------------------------------------------------------- guards


def _reopen_allowed(
    complaint: Complaint | None, _cmd: c.Command, _actor: Actor, now: datetime, profile: Profile
) -> None:
    """Within the profile's reopen window after completion, and under its reopen count."""
    if complaint is None:
        raise InvalidTransition("only an existing complaint can be reopened")
    option = profile.reopen
    if complaint.reopen_count >= option.max_count:
        raise InvalidTransition(
            f"complaint {complaint.id} was reopened {complaint.reopen_count} time(s); "
            f"profile {profile.name!r} allows {option.max_count}"
        )
    closed_at = complaint.closed_at
    if closed_at is not None and (now - closed_at).days >= option.window_days:
        raise InvalidTransition(
            f"complaint {complaint.id} can be reopened only within {option.window_days} days "
            f"of completion ({closed_at.isoformat()})"
        )


def _rating_allowed(
    complaint: Complaint | None, cmd: c.Command, _actor: Actor, _now: datetime, profile: Profile
) -> None:
    """Once per completion, with a score on the profile's scale."""
    if complaint is None or not isinstance(cmd, c.Rate):
        raise InvalidTransition("only an existing complaint can be rated, with Rate")
    if complaint.rating is not None:
        raise InvalidTransition(f"complaint {complaint.id} is already rated")
    if not 1 <= cmd.score <= profile.rating.scale:
        raise InvalidTransition(
            f"rating {cmd.score} is outside the scale 1..{profile.rating.scale}"
        )


def _returned(events: tuple[e.Event, ...]) -> bool:
    """The last assignment was rejected: the report returns to whoever forwarded it."""
    last = events[-1]
    return isinstance(last, e.DispositionRejected) and last.returned_to is not None


# --------------------------------------------------------------------------- the table

S = Status
R = Role
SAME = Target.SAME
_ADMINS = frozenset({R.NATIONAL_ADMIN, R.AGENCY_ADMIN})
_AGENCY_WORKERS = frozenset({R.AGENCY_ADMIN, R.UNIT_ADMIN, R.LIAISON_OFFICER})

_B_ADMIN_SCREEN = (
    "domain.md §1 Admin Instansi actions Verifikasi / Tunda / Bukan Wewenang / Arsipkan "
    "(vdokumen LAPOR! v3 guide) [C]"
)
_B_NATIONAL = "domain.md §1 national admin verifies, forwards within 3 HK, archives (FAQ) [C]"
_B_THREAD = "domain.md §1, §3.2 reporter replies (beri tanggapan) on the follow-up thread [C]"
_B_CLOSE = "domain.md §3.2 COMPLETED: closed by hand or after the 10 HK reply window [C]"
_B_PRIVACY = "domain.md §2 admins may set anonim / rahasia at verification [C]"
_B_CLASSIFY = "domain.md §2 admins rewrite the title, set category and tags (v3 guide) [C]"
_B_CASCADE = "domain.md §3.2 forwarding cascades Admin Instansi -> Unit -> Penghubung [C]"
_B_CLOCKS = "domain.md §4 deadlines; §3.4 escalation (LAPOR! admin intervention, FAQ) [C]"
_B_HOLD = "domain.md §3.2 ON_HOLD (Tunda) exists [C]; its semantics are a default [U]"
_B_FOLLOW_UP = "domain.md §1 liaison officer posts the follow-up (tindak lanjut) [C]"


def _to(target: Status | Target, *events: type[e.Event], when: Condition | None = None) -> Outcome:
    return Outcome(events, target, when)


def _rows(
    sources: Iterable[Status | None],
    command: type[c.Command],
    roles: Iterable[Role],
    basis: str,
    *outcomes: Outcome,
    guard: Guard | None = None,
    option: str | None = None,
) -> tuple[Transition, ...]:
    """The same rule for one command in several statuses."""
    return tuple(
        Transition(source, command, frozenset(roles), outcomes, basis, guard, option)
        for source in sources
    )


_OPEN = (S.SUBMITTED, S.ON_HOLD, S.FORWARDED, S.IN_PROGRESS)
_BREACHED = e.ClockBreached

TRANSITIONS: tuple[Transition, ...] = (
    *_rows(
        [None],
        c.Submit,
        [R.REPORTER, R.NATIONAL_ADMIN, R.AGENCY_ADMIN, R.SYSTEM],
        "domain.md §1 reporter submits; §2 admins digitise paper reports (2016 manual ch. 9);"
        " regional apps integrate (Perpres 95/2018) [C]",
        _to(S.SUBMITTED, e.ComplaintSubmitted),
    ),
    *_rows(_OPEN, c.Classify, _ADMINS, _B_CLASSIFY, _to(SAME, e.ComplaintClassified)),
    *_rows(
        [S.SUBMITTED, S.FORWARDED],
        c.RequestInformation,
        _ADMINS,
        _B_HOLD,
        _to(S.ON_HOLD, e.InformationRequested),
    ),
    *_rows(
        [S.ON_HOLD],
        c.ProvideInformation,
        [R.REPORTER],
        _B_HOLD,
        _to(Target.HELD_FROM, e.InformationProvided),
    ),
    *_rows([S.SUBMITTED], c.Forward, _ADMINS, _B_NATIONAL, _to(S.FORWARDED, e.ComplaintForwarded)),
    *_rows(
        [S.FORWARDED, S.IN_PROGRESS],
        c.Forward,
        _ADMINS,
        _B_NATIONAL,
        _to(SAME, e.ComplaintForwarded),
    ),
    *_rows(
        [S.FORWARDED, S.IN_PROGRESS],
        c.ForwardInternally,
        [R.AGENCY_ADMIN, R.UNIT_ADMIN],
        _B_CASCADE,
        _to(SAME, e.ForwardedInternally),
    ),
    *_rows(
        [S.FORWARDED],
        c.RejectDisposition,
        [R.AGENCY_ADMIN],
        _B_ADMIN_SCREEN + "; return to the forwarder [I]",
        _to(S.SUBMITTED, e.DispositionRejected, when=_returned),
        _to(SAME, e.DispositionRejected),
    ),
    *_rows(
        [S.IN_PROGRESS],
        c.RejectDisposition,
        [R.AGENCY_ADMIN],
        _B_ADMIN_SCREEN,
        _to(SAME, e.DispositionRejected),
    ),
    *_rows(
        [S.FORWARDED],
        c.PostFollowUp,
        _AGENCY_WORKERS,
        _B_FOLLOW_UP,
        _to(S.IN_PROGRESS, e.FollowUpPosted),
    ),
    *_rows(
        [S.IN_PROGRESS], c.PostFollowUp, _AGENCY_WORKERS, _B_FOLLOW_UP, _to(SAME, e.FollowUpPosted)
    ),
    *_rows(
        [S.IN_PROGRESS],
        c.Reply,
        [R.REPORTER, R.NATIONAL_ADMIN],
        _B_THREAD,
        _to(SAME, e.ReplyPosted),
    ),
    *_rows([S.IN_PROGRESS], c.Close, _ADMINS, _B_CLOSE, _to(S.COMPLETED, e.ComplaintClosed)),
    *_rows(
        [S.IN_PROGRESS],
        c.AutoClose,
        [R.SYSTEM],
        _B_CLOSE,
        _to(S.COMPLETED, _BREACHED, e.ComplaintClosed),
    ),
    *_rows(
        [S.SUBMITTED, S.ON_HOLD, S.FORWARDED],
        c.Archive,
        _ADMINS,
        _B_ADMIN_SCREEN + "; archive reasons (v3 guide, list truncated) [C]",
        _to(S.ARCHIVED, e.ComplaintArchived),
    ),
    *_rows(
        [S.COMPLETED],
        c.Rate,
        [R.REPORTER],
        "domain.md §8 q7: rating not documented; profile option [U]",
        _to(SAME, e.ComplaintRated),
        guard=_rating_allowed,
        option="rating",
    ),
    *_rows(
        [S.COMPLETED],
        c.Reopen,
        [R.REPORTER],
        "domain.md §8 q7: reopening not documented; profile option [U]",
        _to(S.IN_PROGRESS, e.ComplaintReopened),
        guard=_reopen_allowed,
        option="reopen",
    ),
    *_rows(
        [*_OPEN, S.COMPLETED, S.ARCHIVED],
        c.ChangePrivacy,
        _ADMINS,
        _B_PRIVACY,
        _to(SAME, e.PrivacyChanged),
    ),
    *_rows(_OPEN, c.RecordWarning, [R.SYSTEM], _B_CLOCKS, _to(SAME, e.ClockWarned)),
    *_rows([S.SUBMITTED, S.FORWARDED], c.RecordBreach, [R.SYSTEM], _B_CLOCKS, _to(SAME, _BREACHED)),
    *_rows(
        [S.IN_PROGRESS],
        c.RecordBreach,
        [R.SYSTEM],
        _B_CLOCKS,
        _to(SAME, _BREACHED),
        _to(S.COMPLETED, _BREACHED, e.ComplaintClosed),
    ),
    *_rows(
        [S.ON_HOLD],
        c.RecordBreach,
        [R.SYSTEM],
        _B_CLOCKS + "; deemed withdrawn after 30 days (UU 25/2009 Art. 44 as cited) [I]",
        _to(SAME, _BREACHED),
        _to(S.ARCHIVED, _BREACHED, e.ComplaintArchived),
    ),
    *_rows(
        [S.FORWARDED, S.IN_PROGRESS],
        c.ExtendDeadline,
        [R.AGENCY_ADMIN],
        "domain.md §3.4: no SP4N extension rule; local standards allow +7 HK [U]",
        _to(SAME, e.DeadlineExtended),
    ),
)
"""The national lifecycle table."""


# --------------------------------------------------------------------------- the machine

_NEW = "new"
"""The machine's state before submission."""


def _state_name(status: Status | None) -> str:
    return _NEW if status is None else status.value


class _LabelledState(State):
    """A machine state with the label the diagram shows."""

    def __init__(self, name: str, label: str = "", **kwargs: object) -> None:
        super().__init__(name, **kwargs)
        self.label = label or name


class _DiagramMachine(GraphMachine):
    """A ``GraphMachine`` whose states carry labels, drawn with its Mermaid engine."""

    state_cls = _LabelledState


class _Drawing:
    """The model the machine draws (transitions adds its methods here, never to ours)."""


class Lifecycle:
    """
    The lifecycle of one profile: the table rows it enables, and the machine built from them.

    Built once per profile. The ``transitions`` machine (``auto_transitions=False``, one
    transition per row and target) answers which commands a status allows and where a
    command can lead; ``decide`` finds a command's row with a dict lookup.

    Args:
        profile: Options decide which gated rows exist (``reopen``, ``rating``); the
            profile's ``lifecycle.disabled_commands`` (commands a deployment turns off)
            drop every row of those commands.
        table: The rows (defaults to :data:`TRANSITIONS`).

    Raises:
        ProfileError: Two rows share a (source, command), or a row has no outcome.

    .. versionadded:: 0.1.0
    """

    def __init__(self, profile: Profile, table: Iterable[Transition] = TRANSITIONS) -> None:
        """Filter the table by the profile's options and build the machine."""
        self.profile = profile
        self.table = tuple(table)
        self.rows = tuple(
            r
            for r in self.table
            if (r.option is None or profile.option_enabled(r.option))
            and r.command.__name__ not in profile.disabled_commands
        )
        self._by_key: dict[tuple[Status | None, type[c.Command]], Transition] = {}
        for row in self.rows:
            key = (row.source, row.command)
            if key in self._by_key:
                raise ProfileError(
                    f"lifecycle table has two rows for ({_state_name(row.source)}, "
                    f"{row.command.__name__})"
                )
            if not row.outcomes:
                raise ProfileError(
                    f"lifecycle table row ({_state_name(row.source)}, {row.command.__name__}) "
                    "has no outcome"
                )
            self._by_key[key] = row
        self.held_from = frozenset(
            row.source
            for row in self.rows
            if row.source is not None and any(o.target is Status.ON_HOLD for o in row.outcomes)
        )
        self.machine = self._machine(lambda status: status.value, drawing=False)

    def _machine(self, label: Callable[[Status], str], *, drawing: bool) -> _DiagramMachine:
        """
        One machine state per status, one transition per row and target status.

        A machine for *drawing* leaves out the rows that keep the status (self-loops).
        """
        machine = _DiagramMachine(
            model=_Drawing(),
            states=[
                _LabelledState(_NEW, "(new)"),
                *(_LabelledState(s.value, label(s)) for s in Status),
            ],
            initial=_NEW,
            auto_transitions=False,
            ignore_invalid_triggers=False,
            graph_engine="mermaid",
            title=f"title: lifecycle of profile {self.profile.name}",
        )
        for row in self.rows:
            for target in self.targets(row.source, row.command):
                if not (drawing and target is row.source):
                    machine.add_transition(
                        row.command.__name__, _state_name(row.source), target.value
                    )
        return machine

    def row(self, status: Status | None, command: type[c.Command]) -> Transition:
        """
        The row for *command* in *status*.

        Raises:
            InvalidTransition: The command is not allowed there (under this profile).
        """
        row = self._by_key.get((status, command))
        if row is None:
            raise InvalidTransition(self._refusal(status, command))
        return row

    def _refusal(self, status: Status | None, command: type[c.Command]) -> str:
        allowed = ", ".join(sorted(self.allowed_commands(status))) or "nothing"
        where = "before submission" if status is None else f"in status {status.value}"
        gated = [
            r.option
            for r in self.table
            if r.source is status and r.command is command and r.option is not None
        ]
        why = f" (option {gated[0]!r} is off in profile {self.profile.name!r})" if gated else ""
        if command.__name__ in self.profile.disabled_commands:
            why = f" (profile {self.profile.name!r} disables {command.__name__})"
        return f"{command.__name__} is not allowed {where}{why}; allowed: {allowed}"

    def allowed_commands(self, status: Status | None) -> frozenset[str]:
        """Names of the commands allowed in *status* (``None``: before submission)."""
        return frozenset(self.machine.get_triggers(_state_name(status)))

    def resolve(self, source: Status | None, outcome: Outcome, held_from: Status | None) -> Status:
        """
        The status an *outcome* of a row in *source* leads to.

        Args:
            source: The row's status (``None`` only for a submission).
            outcome: One of the row's outcomes.
            held_from: The status a complaint on hold was held from.
        """
        target = outcome.target
        if isinstance(target, Status):
            return target
        if target is Target.HELD_FROM:
            return held_from if held_from is not None else Status.SUBMITTED
        if source is None:
            raise ProfileError("a submission must lead to a fixed status")
        return source

    def targets(self, status: Status | None, command: type[c.Command]) -> tuple[Status, ...]:
        """
        Every status *command* in *status* can lead to, in the row's order.

        A return from hold can lead to each status a complaint can be held from.

        Raises:
            InvalidTransition: The command is not allowed there.
        """
        row = self.row(status, command)
        found: list[Status] = []
        for outcome in row.outcomes:
            if outcome.target is Target.HELD_FROM:
                candidates = [s for s in Status if s in self.held_from] or [Status.SUBMITTED]
            else:
                candidates = [self.resolve(status, outcome, None)]
            found.extend(s for s in candidates if s not in found)
        return tuple(found)

    def successors(self, status: Status | None) -> frozenset[Status]:
        """Statuses reachable in one step from *status*, as the machine has them."""
        return frozenset(
            Status(t.dest)
            for trigger in self.machine.get_triggers(_state_name(status))
            for t in self.machine.get_transitions(trigger, _state_name(status))
        )

    def reachable(self, start: Status | None = None) -> frozenset[Status]:
        """Statuses reachable from *start* (default: from submission)."""
        seen: set[Status] = set()
        queue: deque[Status | None] = deque([start])
        while queue:
            for nxt in self.successors(queue.popleft()):
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        return frozenset(seen)

    def diagram(self, labels: Callable[[Status], str] | None = None) -> str:
        """The machine drawn as a Mermaid ``stateDiagram-v2`` (see :func:`mermaid`)."""
        machine = self._machine(labels or (lambda status: status.value), drawing=True)
        graph = machine.get_graph()
        text: str = graph.draw(None)
        return text


def mermaid(lifecycle: Lifecycle, labels: Callable[[Status], str] | None = None) -> str:
    """
    A Mermaid ``stateDiagram-v2`` of the lifecycle, drawn by the ``transitions`` machine.

    Every change of status is an edge labelled with the commands that make it; rows
    that keep the status are left out (the Markdown table lists them).

    Args:
        lifecycle: The compiled lifecycle.
        labels: Status -> label (e.g. the profile's Indonesian labels); default the value.

    .. versionadded:: 0.1.0
    """
    return lifecycle.diagram(labels)


def markdown_table(lifecycle: Lifecycle, labels: Callable[[Status], str] | None = None) -> str:
    """
    The lifecycle table as Markdown: one line per outcome of each row.

    .. versionadded:: 0.1.0
    """

    def name(status: Status | None) -> str:
        if status is None:
            return "(new)"
        return f"`{status.value}` ({labels(status)})" if labels else f"`{status.value}`"

    def target(row: Transition, outcome: Outcome) -> str:
        if outcome.target is Target.HELD_FROM:
            held = " or ".join(name(s) for s in Status if s in lifecycle.held_from)
            return f"back to where it was held from ({held})"
        return name(lifecycle.resolve(row.source, outcome, None))

    lines = [
        "| from | command | records | to | roles | condition | option | basis |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in lifecycle.rows:
        roles = ", ".join(sorted(r.value for r in row.roles))
        for outcome in row.outcomes:
            records = ", ".join(f"`{t.__name__}`" for t in outcome.events)
            condition = "; ".join(x for x in (row.guard_name, outcome.condition_name) if x)
            lines.append(
                f"| {name(row.source)} | `{row.command.__name__}` | {records} | "
                f"{target(row, outcome)} | {roles} | {condition} | {row.option or ''} | "
                f"{row.basis} |"
            )
    return "\n".join(lines) + "\n"
