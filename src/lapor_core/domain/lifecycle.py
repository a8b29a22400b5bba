"""
The complaint lifecycle as data: statuses, the transition table, and the machine.

The table :data:`TRANSITIONS` is the single source of truth. It drives
:func:`~lapor_core.domain.complaint.decide`, the documentation table, the Mermaid
diagram and the model checks. A :class:`Lifecycle` is built once per profile: it drops
the rows whose option the profile disables and the rows of the commands it disables
(``lifecycle.disabled_commands``), builds one ``transitions.Machine`` from the rest
(never one per complaint, and never attached to a complaint) and compiles the lookups
``decide`` needs.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TypeAlias

import attrs
from transitions import Machine, MachineError

from lapor_core.domain import commands as c
from lapor_core.domain.actors import Role
from lapor_core.domain.model import Status
from lapor_core.errors import InvalidTransition, ProfileError

if TYPE_CHECKING:
    from datetime import datetime

    from lapor_core.domain.actors import Actor
    from lapor_core.domain.complaint import Complaint, Context
    from lapor_core.domain.profile import Profile

__all__ = [
    "TRANSITIONS",
    "Guard",
    "Lifecycle",
    "Status",
    "Transition",
    "markdown_table",
    "mermaid",
]


Guard: TypeAlias = Callable[["Complaint | None", c.Command, "Actor", "datetime", "Context"], None]
"""A guard checks a row's extra condition and raises a LaporError when it fails."""


def _reopen_allowed(
    complaint: Complaint | None, _cmd: c.Command, _actor: Actor, now: datetime, ctx: Context
) -> None:
    """Within the profile's reopen window after completion, and under its reopen count."""
    assert complaint is not None  # noqa: S101 - the table only has this guard on existing statuses
    option = ctx.profile.reopen
    if complaint.reopen_count >= option.max_count:
        raise InvalidTransition(
            f"complaint {complaint.id} was reopened {complaint.reopen_count} time(s); "
            f"profile {ctx.profile.name!r} allows {option.max_count}"
        )
    closed_at = complaint.closed_at
    if closed_at is not None and (now - closed_at).days >= option.window_days:
        raise InvalidTransition(
            f"complaint {complaint.id} can be reopened only within {option.window_days} days "
            f"of completion ({closed_at.isoformat()})"
        )


def _rating_allowed(
    complaint: Complaint | None, cmd: c.Command, _actor: Actor, _now: datetime, ctx: Context
) -> None:
    """Once per completion, with a score on the profile's scale."""
    assert complaint is not None  # noqa: S101 - the table only has this guard on existing statuses
    assert isinstance(cmd, c.Rate)  # noqa: S101 - the table binds this guard to Rate
    if complaint.rating is not None:
        raise InvalidTransition(f"complaint {complaint.id} is already rated")
    if not 1 <= cmd.score <= ctx.profile.rating.scale:
        raise InvalidTransition(
            f"rating {cmd.score} is outside the scale 1..{ctx.profile.rating.scale}"
        )


@attrs.frozen
class Transition:
    """
    One row of the lifecycle table.

    Attributes:
        source: The status the row applies in (``None``: no complaint yet).
        command: The command class.
        targets: Possible resulting statuses; the first is the usual one (a *bukan
            wewenang* rejection ends in ``forwarded`` while other assignees remain,
            ``submitted`` when none do).
        roles: Roles that may issue the command here (scope is checked as well).
        basis: The source of the rule (domain.md section and its source).
        guard: An extra condition, raising a LaporError when it fails.
        option: The profile option that must be on for the row to exist.

    .. versionadded:: 0.1.0
    """

    source: Status | None
    command: type[c.Command]
    targets: tuple[Status, ...]
    roles: frozenset[Role]
    basis: str
    guard: Guard | None = None
    option: str | None = None

    @property
    def guard_name(self) -> str:
        """The guard's docstring summary, or ``""``."""
        if self.guard is None or not self.guard.__doc__:
            return ""
        return self.guard.__doc__.strip().splitlines()[0]


S = Status
R = Role
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


def _rows(
    sources: Iterable[Status | None],
    command: type[c.Command],
    roles: Iterable[Role],
    basis: str,
    targets: tuple[Status, ...] | None = None,
    *,
    guard: Guard | None = None,
    option: str | None = None,
) -> tuple[Transition, ...]:
    """Rows for one command in several statuses; ``targets=None`` keeps the status."""
    out = []
    for source in sources:
        row_targets = targets if targets is not None else ((source,) if source else ())
        out.append(Transition(source, command, row_targets, frozenset(roles), basis, guard, option))
    return tuple(out)


_OPEN = (S.SUBMITTED, S.ON_HOLD, S.FORWARDED, S.IN_PROGRESS)

TRANSITIONS: tuple[Transition, ...] = (
    *_rows(
        [None],
        c.Submit,
        [R.REPORTER, R.NATIONAL_ADMIN, R.AGENCY_ADMIN, R.SYSTEM],
        "domain.md §1 reporter submits; §2 admins digitise paper reports (2016 manual ch. 9);"
        " regional apps integrate (Perpres 95/2018) [C]",
        (S.SUBMITTED,),
    ),
    *_rows(_OPEN, c.Classify, _ADMINS, _B_CLASSIFY),
    *_rows([S.SUBMITTED, S.FORWARDED], c.RequestInformation, _ADMINS, _B_HOLD, (S.ON_HOLD,)),
    *_rows([S.ON_HOLD], c.ProvideInformation, [R.REPORTER], _B_HOLD, (S.SUBMITTED, S.FORWARDED)),
    *_rows([S.SUBMITTED], c.Forward, _ADMINS, _B_NATIONAL, (S.FORWARDED,)),
    *_rows([S.FORWARDED, S.IN_PROGRESS], c.Forward, _ADMINS, _B_NATIONAL),
    *_rows(
        [S.FORWARDED, S.IN_PROGRESS],
        c.ForwardInternally,
        [R.AGENCY_ADMIN, R.UNIT_ADMIN],
        _B_CASCADE,
    ),
    *_rows(
        [S.FORWARDED],
        c.RejectDisposition,
        [R.AGENCY_ADMIN],
        _B_ADMIN_SCREEN + "; return to the forwarder [I]",
        (S.FORWARDED, S.SUBMITTED),
    ),
    *_rows([S.IN_PROGRESS], c.RejectDisposition, [R.AGENCY_ADMIN], _B_ADMIN_SCREEN),
    *_rows(
        [S.FORWARDED],
        c.PostFollowUp,
        _AGENCY_WORKERS,
        "domain.md §1 liaison officer posts the follow-up (tindak lanjut) [C]",
        (S.IN_PROGRESS,),
    ),
    *_rows(
        [S.IN_PROGRESS],
        c.PostFollowUp,
        _AGENCY_WORKERS,
        "domain.md §1 liaison officer posts the follow-up (tindak lanjut) [C]",
    ),
    *_rows([S.IN_PROGRESS], c.Reply, [R.REPORTER, R.NATIONAL_ADMIN], _B_THREAD),
    *_rows([S.IN_PROGRESS], c.Close, _ADMINS, _B_CLOSE, (S.COMPLETED,)),
    *_rows([S.IN_PROGRESS], c.AutoClose, [R.SYSTEM], _B_CLOSE, (S.COMPLETED,)),
    *_rows(
        [S.SUBMITTED, S.ON_HOLD, S.FORWARDED],
        c.Archive,
        _ADMINS,
        _B_ADMIN_SCREEN + "; archive reasons (v3 guide, list truncated) [C]",
        (S.ARCHIVED,),
    ),
    *_rows(
        [S.COMPLETED],
        c.Rate,
        [R.REPORTER],
        "domain.md §8 q7: rating not documented; profile option [U]",
        guard=_rating_allowed,
        option="rating",
    ),
    *_rows(
        [S.COMPLETED],
        c.Reopen,
        [R.REPORTER],
        "domain.md §8 q7: reopening not documented; profile option [U]",
        (S.IN_PROGRESS,),
        guard=_reopen_allowed,
        option="reopen",
    ),
    *_rows([*_OPEN, S.COMPLETED, S.ARCHIVED], c.ChangePrivacy, _ADMINS, _B_PRIVACY),
    *_rows(_OPEN, c.RecordWarning, [R.SYSTEM], _B_CLOCKS),
    *_rows([S.SUBMITTED, S.FORWARDED], c.RecordBreach, [R.SYSTEM], _B_CLOCKS),
    *_rows([S.IN_PROGRESS], c.RecordBreach, [R.SYSTEM], _B_CLOCKS, (S.IN_PROGRESS, S.COMPLETED)),
    *_rows(
        [S.ON_HOLD],
        c.RecordBreach,
        [R.SYSTEM],
        _B_CLOCKS + "; deemed withdrawn after 30 days (UU 25/2009 Art. 44 as cited) [I]",
        (S.ON_HOLD, S.ARCHIVED),
    ),
    *_rows(
        [S.FORWARDED, S.IN_PROGRESS],
        c.ExtendDeadline,
        [R.AGENCY_ADMIN],
        "domain.md §3.4: no SP4N extension rule; local standards allow +7 HK [U]",
    ),
)
"""The national lifecycle table."""

_NEW = "__new__"


def _state_name(status: Status | None) -> str:
    return _NEW if status is None else status.value


class Lifecycle:
    """
    The lifecycle of one profile: the table rows it enables, compiled for fast lookup.

    Built once per profile. It builds one ``transitions.Machine`` (no model attached,
    ``auto_transitions=False``) from the table and asks it which commands each status
    allows; ``decide`` then uses plain dict lookups, never firing the machine.

    Args:
        profile: Options decide which gated rows exist (``reopen``, ``rating``); the
            profile's ``lifecycle.disabled_commands`` (commands a deployment turns off)
            drop every row of those commands.
        table: The rows (defaults to :data:`TRANSITIONS`).

    Raises:
        ProfileError: Two rows share a (source, command), or a row names an unknown option.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_allowed", "_rows", "_table", "machine", "profile", "rows")

    def __init__(self, profile: Profile, table: Iterable[Transition] = TRANSITIONS) -> None:
        """Filter the table by the profile's options and compile it."""
        table = tuple(table)
        rows = tuple(
            r
            for r in table
            if (r.option is None or profile.option_enabled(r.option))
            and r.command.__name__ not in profile.disabled_commands
        )
        by_key: dict[tuple[Status | None, type[c.Command]], Transition] = {}
        for row in rows:
            key = (row.source, row.command)
            if key in by_key:
                raise ProfileError(
                    f"lifecycle table has two rows for ({_state_name(row.source)}, "
                    f"{row.command.__name__})"
                )
            by_key[key] = row
        machine = Machine(
            model=None,
            states=[_NEW, *(s.value for s in Status)],
            initial=_NEW,
            auto_transitions=False,
            ignore_invalid_triggers=False,
        )
        for row in rows:
            for target in row.targets:
                machine.add_transition(row.command.__name__, _state_name(row.source), target.value)
        allowed: dict[Status | None, frozenset[str]] = {}
        for status in (None, *Status):
            allowed[status] = frozenset(machine.get_triggers(_state_name(status)))
        self.profile = profile
        self.rows = rows
        self.machine = machine
        self._rows = by_key
        self._allowed = allowed
        self._table = table

    def allowed_commands(self, status: Status | None) -> frozenset[str]:
        """Names of the commands allowed in *status* (``None``: before submission)."""
        return self._allowed[status]

    def row(self, status: Status | None, command: type[c.Command]) -> Transition:
        """
        The row for *command* in *status*.

        Raises:
            InvalidTransition: The command is not allowed there (under this profile).
        """
        row = self._rows.get((status, command))
        if row is None:
            allowed = ", ".join(sorted(self._allowed[status])) or "nothing"
            where = "before submission" if status is None else f"in status {status.value}"
            gated = [
                r.option
                for r in self._table
                if r.source is status and r.command is command and r.option is not None
            ]
            why = f" (option {gated[0]!r} is off in profile {self.profile.name!r})" if gated else ""
            if command.__name__ in self.profile.disabled_commands:
                why = f" (profile {self.profile.name!r} disables {command.__name__})"
            raise InvalidTransition(
                f"{command.__name__} is not allowed {where}{why}; allowed: {allowed}"
            )
        return row

    def targets(self, status: Status | None, command: type[c.Command]) -> tuple[Status, ...]:
        """
        The possible resulting statuses, as the machine sees them.

        Raises:
            InvalidTransition: The machine has no such transition.
        """
        try:
            found = self.machine.get_transitions(command.__name__, _state_name(status))
        except MachineError as exc:  # pragma: no cover - get_transitions does not raise today
            raise InvalidTransition(str(exc.value)) from exc
        if not found:
            raise InvalidTransition(
                f"{command.__name__} has no transition from {_state_name(status)}"
            )
        return tuple(Status(t.dest) for t in found)

    def successors(self, status: Status | None) -> frozenset[Status]:
        """Statuses reachable in one step from *status*."""
        return frozenset(t for r in self.rows if r.source is status for t in r.targets)

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


def mermaid(lifecycle: Lifecycle, labels: Callable[[Status], str] | None = None) -> str:
    """
    A Mermaid ``stateDiagram-v2`` of the lifecycle (self-loops left out).

    Args:
        lifecycle: The compiled lifecycle.
        labels: Status -> label (e.g. the profile's Indonesian labels); default the value.

    .. versionadded:: 0.1.0
    """
    lines = ["stateDiagram-v2"]
    for status in Status:
        label = labels(status) if labels else status.value
        lines.append(f"    {status.value}: {label}")
    lines.append("    [*] --> submitted: Submit")
    edges: dict[tuple[str, str], list[str]] = {}
    for row in lifecycle.rows:
        if row.source is None:
            continue
        for target in row.targets:
            if target is not row.source:
                edges.setdefault((row.source.value, target.value), []).append(row.command.__name__)
    for (src, dst), names in sorted(edges.items()):
        lines.append(f"    {src} --> {dst}: {' / '.join(sorted(set(names)))}")
    lines.extend(f"    {s.value} --> [*]" for s in Status if s.terminal)
    return "\n".join(lines) + "\n"


def markdown_table(lifecycle: Lifecycle, labels: Callable[[Status], str] | None = None) -> str:
    """
    The lifecycle table as Markdown: one line per row, with roles, guard and basis.

    .. versionadded:: 0.1.0
    """

    def name(status: Status | None) -> str:
        if status is None:
            return "(new)"
        return f"`{status.value}` ({labels(status)})" if labels else f"`{status.value}`"

    lines = [
        "| from | command | to | roles | condition | option | basis |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in lifecycle.rows:
        targets = " or ".join(name(t) for t in row.targets)
        roles = ", ".join(sorted(r.value for r in row.roles))
        lines.append(
            f"| {name(row.source)} | `{row.command.__name__}` | {targets} | {roles} | "
            f"{row.guard_name} | {row.option or ''} | {row.basis} |"
        )
    return "\n".join(lines) + "\n"
