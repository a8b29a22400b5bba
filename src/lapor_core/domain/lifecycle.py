"""
The complaint lifecycle of a profile: the table's rows it keeps, and the machine built from them.

The table (:data:`~lapor_core.domain.table.TRANSITIONS`, rows of
:class:`~lapor_core.domain.transition.Transition`) is the single source of truth.
:func:`~lapor_core.domain.complaint.decide` refuses what no row allows and stamps the
row's target status on the events it returns;
:func:`~lapor_core.domain.complaint.evolve` reads the status from the event;
:func:`~lapor_core.domain.check.check`, the Markdown table and the Mermaid diagram read
the same rows.

A :class:`Lifecycle` is built once per profile: it drops the rows whose option the
profile disables and the rows of the commands it disables
(``lifecycle.disabled_commands``), and builds one ``transitions`` machine from the
rest (never one per complaint, never attached to a complaint). The machine answers
which commands a status allows and which statuses are reachable; the diagram is drawn by
a ``transitions`` ``GraphMachine`` built from the same rows when one is asked for (its
module, which imports ``asyncio``, is loaded only then).

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Final

from transitions import Machine, State

from lapor_core.domain import commands as c
from lapor_core.domain.model import Status
from lapor_core.domain.profile import Profile
from lapor_core.domain.table import TRANSITIONS
from lapor_core.domain.transition import Condition, Guard, Outcome, Target, Transition
from lapor_core.errors import N_, InvalidTransition, LaporError, ProfileError, Term

if TYPE_CHECKING:
    from transitions.extensions.diagrams import GraphMachine

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


_NEW = "new"
"""The machine's state before submission."""

_NEW_LABEL: Final = N_("(new)")
"""What the diagram and the table call the state before submission, to translate."""

_TABLE_HEADERS: Final = (
    N_("from"), N_("command"), N_("records"), N_("to"), N_("roles"), N_("condition"),
    N_("option"), N_("basis"),
)  # fmt: skip
"""The columns of :func:`markdown_table`, to translate."""


def _state_name(status: Status | None) -> str:
    return _NEW if status is None else status.value


class _LabelledState(State):
    """A machine state with the label the diagram shows."""

    def __init__(self, name: str, label: str) -> None:
        super().__init__(name)
        self.label = label


def _graph_machine_class() -> type[GraphMachine]:
    """A ``GraphMachine`` whose states carry labels, drawn with its Mermaid engine."""
    from transitions.extensions.diagrams import GraphMachine  # noqa: PLC0415 - drawing only

    class _DiagramMachine(GraphMachine):
        state_cls = _LabelledState

    return _DiagramMachine


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
                    N_("lifecycle table has two rows for ({status}, {command})"),
                    status=_state_name(row.source),
                    command=row.command.__name__,
                )
            if not row.outcomes:
                raise ProfileError(
                    N_("lifecycle table row ({status}, {command}) has no outcome"),
                    status=_state_name(row.source),
                    command=row.command.__name__,
                )
            self._by_key[key] = row
        self.held_from = frozenset(
            row.source
            for row in self.rows
            if row.source is not None and any(o.target is Status.ON_HOLD for o in row.outcomes)
        )
        self.machine = Machine(
            model=_Drawing(),
            states=[_NEW, *(s.value for s in Status)],
            initial=_NEW,
            auto_transitions=False,
            ignore_invalid_triggers=False,
        )
        """The ``transitions`` machine: one state per status, one transition per row and target."""
        self._add_rows(self.machine, drawing=False)

    def _add_rows(self, machine: Machine, *, drawing: bool) -> None:
        """
        One transition per row and target status.

        A machine for *drawing* leaves out the rows that keep the status (self-loops).
        """
        for row in self.rows:
            for target in self.targets(row.source, row.command):
                if not (drawing and target is row.source):
                    machine.add_transition(
                        row.command.__name__, _state_name(row.source), target.value
                    )

    def row(self, status: Status | None, command: type[c.Command]) -> Transition:
        """
        The row for *command* in *status*.

        Raises:
            InvalidTransition: The command is not allowed there (under this profile).
        """
        row = self._by_key.get((status, command))
        if row is None:
            raise self._refusal(status, command)
        return row

    def _refusal(self, status: Status | None, command: type[c.Command]) -> InvalidTransition:
        allowed = ", ".join(sorted(self.allowed_commands(status))) or Term(N_("nothing"))
        where = (
            LaporError(N_("before submission"))
            if status is None
            else LaporError(N_("in status {status}"), status=status.value)
        )
        gated = [
            r.option
            for r in self.table
            if r.source is status and r.command is command and r.option is not None
        ]
        why: LaporError | None = None
        if gated:
            why = LaporError(
                N_("option {option!r} is off in profile {profile!r}"),
                option=gated[0],
                profile=self.profile.name,
            )
        if command.__name__ in self.profile.disabled_commands:
            why = LaporError(
                N_("profile {profile!r} disables {command}"),
                profile=self.profile.name,
                command=command.__name__,
            )
        if why is None:
            return InvalidTransition(
                N_("{command} is not allowed {where}; allowed: {allowed}"),
                command=command.__name__,
                where=where,
                allowed=allowed,
            )
        return InvalidTransition(
            N_("{command} is not allowed {where} ({why}); allowed: {allowed}"),
            command=command.__name__,
            where=where,
            why=why,
            allowed=allowed,
        )

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
            raise ProfileError(N_("a submission must lead to a fixed status"))
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

    def diagram(
        self,
        labels: Callable[[Status], str] | None = None,
        *,
        gettext: Callable[[str], str] = str,
    ) -> str:
        """The machine drawn as a Mermaid ``stateDiagram-v2`` (see :func:`mermaid`)."""
        label = labels or (lambda status: status.value)
        title = gettext(N_("lifecycle of profile {name}")).format(name=self.profile.name)
        machine = _graph_machine_class()(
            model=_Drawing(),
            states=[
                _LabelledState(_NEW, gettext(_NEW_LABEL)),
                *(_LabelledState(s.value, label(s)) for s in Status),
            ],
            initial=_NEW,
            auto_transitions=False,
            ignore_invalid_triggers=False,
            graph_engine="mermaid",
            title=f"title: {title}",
        )
        self._add_rows(machine, drawing=True)
        graph = machine.get_graph()
        text: str = graph.draw(None)
        return text


def mermaid(
    lifecycle: Lifecycle,
    labels: Callable[[Status], str] | None = None,
    *,
    gettext: Callable[[str], str] = str,
) -> str:
    """
    A Mermaid ``stateDiagram-v2`` of the lifecycle, drawn by the ``transitions`` machine.

    Every change of status is an edge labelled with the commands that make it; rows
    that keep the status are left out (the Markdown table lists them).

    Args:
        lifecycle: The compiled lifecycle.
        labels: Status -> label (e.g. the profile's Indonesian labels); default the value.
        gettext: The translation of the title and of the state before submission
            (``lapor_core.i18n.translator(lang)``); default English.

    .. versionadded:: 0.1.0
    """
    return lifecycle.diagram(labels, gettext=gettext)


def markdown_table(
    lifecycle: Lifecycle,
    labels: Callable[[Status], str] | None = None,
    *,
    gettext: Callable[[str], str] = str,
) -> str:
    """
    The lifecycle table as Markdown: one line per outcome of each row.

    Args:
        lifecycle: The compiled lifecycle.
        labels: Status -> label (e.g. the profile's Indonesian labels); default none.
        gettext: The translation of the headers and of the table's own words
            (``lapor_core.i18n.translator(lang)``); default English. The commands, events,
            roles, conditions and bases are the table's data, as written.

    .. versionadded:: 0.1.0
    """

    def name(status: Status | None) -> str:
        if status is None:
            return gettext(_NEW_LABEL)
        return f"`{status.value}` ({labels(status)})" if labels else f"`{status.value}`"

    def target(row: Transition, outcome: Outcome) -> str:
        if outcome.target is Target.HELD_FROM:
            either = gettext(N_("or"))
            held = f" {either} ".join(name(s) for s in Status if s in lifecycle.held_from)
            return gettext(N_("back to where it was held from ({held})")).format(held=held)
        return name(lifecycle.resolve(row.source, outcome, None))

    lines = [
        "| " + " | ".join(gettext(header) for header in _TABLE_HEADERS) + " |",
        "|" + "---|" * len(_TABLE_HEADERS),
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
