"""
The profile file format: attrs config classes that mirror a profile's TOML, table by table.

:meth:`ProfileConfig.from_mapping` reads a parsed (and, for a child profile, merged)
mapping into a :class:`ProfileConfig` and reports **every** problem at once, each as
``dotted.key: message`` in :attr:`ProfileError.problems
<lapor_core.errors.ProfileError.problems>`, in two rounds:

1. the shape and the values: unknown keys (``options.reopen.max_cont: unknown key``),
   missing keys, wrong TOML types, values that break a rule
   (``durations.forwarding.amount: must be positive, got -3``);
2. when the shape is right, the rules between tables: a clock or a category naming a
   duration that does not exist, a breach action and its escalation target, a local
   status name given to two statuses.

The config classes then build the profile's values (:mod:`lapor_core.domain.profile_rules`,
:class:`~lapor_core.domain.clocks.ClockDefinition`); :class:`~lapor_core.domain.profile.Profile`
puts them together. Pure: mappings in, objects out.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from types import MappingProxyType
from typing import Final

import attrs

from lapor_core.domain._config import check, each, no_blank, not_blank, one_of, positive, structure
from lapor_core.domain.agencies import TIME_ZONES
from lapor_core.domain.calendar_overrides import OverrideConfig
from lapor_core.domain.clocks import BreachAction, ClockDefinition, ClockScope, DurationUnit
from lapor_core.domain.commands import COMMANDS
from lapor_core.domain.model import Basis, ChannelType, Confidence, Status
from lapor_core.domain.profile_rules import (
    DEFAULT_NO_WRONG_DOOR_OPTION,
    DEFAULT_RULES_AT_CLOCK_START_OPTION,
    DEFAULT_THREAD_OPTION,
    DEFAULT_UNCATEGORISED_OPTION,
    ChannelOption,
    Duration,
    ExtensionOption,
    FlagOption,
    OverrideRule,
    RatingOption,
    ReopenOption,
    StatusLabels,
    ThreadOption,
)
from lapor_core.errors import N_, ProfileError, ValidationError

__all__ = [
    "COMMAND_NAMES",
    "KNOWN_TRIGGERS",
    "CalendarConfig",
    "CategoryConfig",
    "ChannelConfig",
    "ClockConfig",
    "DurationConfig",
    "DurationVersionConfig",
    "ExtensionConfig",
    "FlagConfig",
    "HeadConfig",
    "LifecycleConfig",
    "OptionsConfig",
    "ProfileConfig",
    "ProfileOverrideConfig",
    "RatingConfig",
    "ReopenConfig",
    "RuleConfig",
    "StatusConfig",
    "StatusesConfig",
    "ThreadConfig",
]

KNOWN_TRIGGERS: Final = frozenset(
    {
        "ComplaintSubmitted",
        "ComplaintClassified",
        "InformationRequested",
        "InformationProvided",
        "ComplaintForwarded",
        "ForwardedInternally",
        "DispositionRejected",
        "DispositionRejected:returned",
        "DispositionRejected:handed_back",
        "FollowUpPosted",
        "ReplyPosted",
        "ComplaintClosed",
        "ComplaintArchived",
        "ComplaintRated",
        "ComplaintReopened",
        "PrivacyChanged",
    }
)
"""
Event names a clock definition may name as start, stop, pause or resume.

.. versionadded:: 0.1.0
"""

COMMAND_NAMES: Final = frozenset(command.__name__ for command in COMMANDS)
"""
The command names ``lifecycle.disabled_commands`` may list.

.. versionadded:: 0.1.0
"""

_HOLD_EVENTS: Final = frozenset({"InformationRequested", "InformationProvided"})
_RESTART_ON_RETURN: Final = "DispositionRejected:returned"

_POSITIVE = check(positive)
_LABEL = check(not_blank(N_("label must not be empty")))


def _percents(values: tuple[int, ...]) -> ValidationError | None:
    if all(0 < value < 100 for value in values):
        return None
    return ValidationError(N_("thresholds are percents between 1 and 99"))


def _some(values: tuple[str, ...]) -> ValidationError | None:
    return None if values else ValidationError(N_("a clock needs at least one start event"))


def _commands(values: tuple[str, ...]) -> ValidationError | None:
    unknown = [value for value in values if value not in COMMAND_NAMES]
    if not unknown:
        return None
    return ValidationError(
        N_("unknown command {names} (one of {choices})"),
        names=", ".join(repr(value) for value in unknown),
        choices=", ".join(sorted(COMMAND_NAMES)),
    )


_KNOWN_EVENTS = each(KNOWN_TRIGGERS, N_("event"))
_EVENTS = check(_KNOWN_EVENTS)


# --------------------------------------------------------------------------- tables


@attrs.frozen(kw_only=True)
class RuleConfig:
    """
    What every rule table states besides its values: its basis and how sure it is.

    Attributes:
        basis: The source (``domain.md §4 row 2 ...``), or why it is a local choice.
        confidence: ``C``, ``I``, ``U`` or ``L``.

    .. versionadded:: 0.1.0
    """

    basis: str = attrs.field(
        validator=check(not_blank(N_("must cite a source or say it is local")))
    )
    confidence: Confidence

    def to_basis(self) -> Basis:
        """The rule's :class:`~lapor_core.domain.model.Basis`."""
        return Basis(self.basis, self.confidence)


@attrs.frozen(kw_only=True)
class HeadConfig:
    """
    The ``[profile]`` table: name, description, time zone and parent.

    .. versionadded:: 0.1.0
    """

    name: str
    description: str = ""
    time_zone: str = attrs.field(validator=check(one_of(TIME_ZONES)))
    parent: str = ""


@attrs.frozen(kw_only=True)
class ReopenConfig(RuleConfig):
    """
    ``[options.reopen]``: whether and how a reporter may reopen a completed report.

    .. versionadded:: 0.1.0
    """

    enabled: bool
    max_count: int = attrs.field(validator=_POSITIVE)
    window_days: int = attrs.field(validator=_POSITIVE)

    def to_option(self) -> ReopenOption:
        """The profile's :class:`~lapor_core.domain.profile_rules.ReopenOption`."""
        return ReopenOption(self.enabled, self.max_count, self.window_days, self.to_basis())


@attrs.frozen(kw_only=True)
class RatingConfig(RuleConfig):
    """
    ``[options.rating]``: whether a reporter may rate a completed report, and the scale.

    .. versionadded:: 0.1.0
    """

    enabled: bool
    scale: int = attrs.field(validator=_POSITIVE)

    def to_option(self) -> RatingOption:
        """The profile's :class:`~lapor_core.domain.profile_rules.RatingOption`."""
        return RatingOption(self.enabled, self.scale, self.to_basis())


@attrs.frozen(kw_only=True)
class FlagConfig(RuleConfig):
    """
    A yes/no option table (``[options.cuti_bersama]``, ...).

    .. versionadded:: 0.1.0
    """

    enabled: bool

    def to_option(self) -> FlagOption:
        """The profile's :class:`~lapor_core.domain.profile_rules.FlagOption`."""
        return FlagOption(self.enabled, self.to_basis())


@attrs.frozen(kw_only=True)
class ExtensionConfig(RuleConfig):
    """
    ``[options.extension]``: whether and how far an agency may extend a clock.

    .. versionadded:: 0.1.0
    """

    enabled: bool
    max_count: int = attrs.field(validator=_POSITIVE)
    max_amount: int = attrs.field(validator=_POSITIVE)

    def to_option(self) -> ExtensionOption:
        """The profile's :class:`~lapor_core.domain.profile_rules.ExtensionOption`."""
        return ExtensionOption(self.enabled, self.max_count, self.max_amount, self.to_basis())


@attrs.frozen(kw_only=True)
class ThreadConfig(RuleConfig):
    """
    ``[options.thread]``: the cap on a complaint's thread.

    See :class:`~lapor_core.domain.profile_rules.ThreadOption`.

    .. versionadded:: 0.1.0
    """

    max_messages: int = attrs.field(validator=_POSITIVE)

    def to_option(self) -> ThreadOption:
        """The profile's :class:`~lapor_core.domain.profile_rules.ThreadOption`."""
        return ThreadOption(self.max_messages, self.to_basis())


@attrs.frozen(kw_only=True)
class OptionsConfig:
    """
    The ``[options.*]`` tables; ``thread``, ``uncategorised``, ``no_wrong_door`` optional.

    Without ``[options.thread]`` the cap is
    :data:`~lapor_core.domain.profile_rules.THREAD_MAX_MESSAGES_DEFAULT` messages.

    .. versionadded:: 0.1.0
    """

    reopen: ReopenConfig
    rating: RatingConfig
    hold_pauses_clocks: FlagConfig
    rejection_restarts_forwarding: FlagConfig
    cuti_bersama: FlagConfig
    extension: ExtensionConfig
    thread: ThreadConfig | None = None
    uncategorised: FlagConfig | None = None
    no_wrong_door: FlagConfig | None = None
    rules_at_clock_start: FlagConfig | None = None

    def thread_option(self) -> ThreadOption:
        """The thread cap the file sets, or the default one."""
        return self.thread.to_option() if self.thread is not None else DEFAULT_THREAD_OPTION

    def uncategorised_option(self) -> FlagOption:
        """Whether unknown categories are accepted as uncategorised (default: refused)."""
        table = self.uncategorised
        return table.to_option() if table is not None else DEFAULT_UNCATEGORISED_OPTION

    def no_wrong_door_option(self) -> FlagOption:
        """Whether a forward to an agency without SK goes to its nearest ancestor with one."""
        table = self.no_wrong_door
        return table.to_option() if table is not None else DEFAULT_NO_WRONG_DOOR_OPTION

    def rules_at_clock_start_option(self) -> FlagOption:
        """
        Whether a clock takes the duration in force when it starts (default: at submission).

        .. versionadded:: 0.2.0
        """
        table = self.rules_at_clock_start
        return table.to_option() if table is not None else DEFAULT_RULES_AT_CLOCK_START_OPTION


@attrs.frozen(kw_only=True)
class StatusConfig(RuleConfig):
    """
    A ``[statuses.<status>]`` table: the labels of one status and its local names.

    .. versionadded:: 0.1.0
    """

    id: str = attrs.field(validator=_LABEL)
    en: str = attrs.field(validator=_LABEL)
    local: tuple[str, ...] = attrs.field(
        default=(), validator=check(no_blank(N_("local labels must be non-empty strings")))
    )

    def to_labels(self) -> StatusLabels:
        """The status's :class:`~lapor_core.domain.profile_rules.StatusLabels`."""
        return StatusLabels(self.id, self.en, self.local, self.to_basis())


@attrs.frozen(kw_only=True)
class StatusesConfig:
    """
    The ``[statuses.*]`` tables: one per :class:`~lapor_core.domain.model.Status`, each required.

    .. versionadded:: 0.1.0
    """

    submitted: StatusConfig
    on_hold: StatusConfig
    forwarded: StatusConfig
    in_progress: StatusConfig
    completed: StatusConfig
    archived: StatusConfig

    def items(self) -> Iterator[tuple[Status, StatusConfig]]:
        """Each status with its table, in the order of the Status enum."""
        yield Status.SUBMITTED, self.submitted
        yield Status.ON_HOLD, self.on_hold
        yield Status.FORWARDED, self.forwarded
        yield Status.IN_PROGRESS, self.in_progress
        yield Status.COMPLETED, self.completed
        yield Status.ARCHIVED, self.archived


@attrs.frozen(kw_only=True)
class DurationVersionConfig(RuleConfig):
    """
    A ``[[durations.<key>.history]]`` entry: a dated version of a duration.

    It is in force from ``valid_from`` (included) until the next entry's ``valid_from``,
    or until its own ``valid_until`` (included) when it states one; dates in the
    profile's time zone.

    .. versionadded:: 0.2.0
    """

    valid_from: date
    valid_until: date | None = None
    amount: int = attrs.field(validator=_POSITIVE)
    unit: DurationUnit

    def to_duration(self, valid_until: date | None) -> Duration:
        """The version as a :class:`~lapor_core.domain.profile_rules.Duration`."""
        return Duration(self.amount, self.unit, self.to_basis(), self.valid_from, valid_until)


@attrs.frozen(kw_only=True)
class DurationConfig(RuleConfig):
    """
    A ``[durations.<key>]`` table: an amount and its unit, and its dated changes.

    Without ``history`` the rule is undated: in force on every day. With
    ``[[durations.<key>.history]]`` entries the table's own values are the version in
    force **before** the first entry (until the day before its ``valid_from``; an
    optional ``valid_until`` must say the same) and each entry takes over from its
    ``valid_from``. The versions must follow each other without a gap or an overlap and
    the last one must stay open (no ``valid_until``): some version is in force on every
    day.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``valid_until`` and ``history``.
    """

    amount: int = attrs.field(validator=_POSITIVE)
    unit: DurationUnit
    valid_until: date | None = None
    history: tuple[DurationVersionConfig, ...] = ()

    def to_duration(self) -> Duration:
        """The table's own version (undated, or in force before the first change)."""
        end = self.history[0].valid_from - timedelta(days=1) if self.history else None
        return Duration(self.amount, self.unit, self.to_basis(), None, end)

    def versions(self) -> tuple[Duration, ...]:
        """
        Every version in date order: the table's own, then each change.

        .. versionadded:: 0.2.0
        """
        entries = self.history
        dated = tuple(
            entry.to_duration(
                entries[index + 1].valid_from - timedelta(days=1)
                if index + 1 < len(entries)
                else None
            )
            for index, entry in enumerate(entries)
        )
        return (self.to_duration(), *dated)

    def problems(self, key: str) -> Iterator[ProfileError]:
        """
        What is wrong with the periods of the versions, each ``dotted.key: message``.

        .. versionadded:: 0.2.0
        """
        where = f"durations.{key}"
        entries = self.history
        if not entries:
            if self.valid_until is not None:
                yield ProfileError(
                    N_(
                        "no version is in force after {until}; add a [[{table}.history]] "
                        "entry from the next day, or remove valid_until"
                    ),
                    key=f"{where}.valid_until",
                    until=self.valid_until.isoformat(),
                    table=where,
                )
            return
        first = entries[0].valid_from
        if self.valid_until is not None and self.valid_until + timedelta(days=1) != first:
            yield from _period_problem(f"{where}.valid_until", self.valid_until, first)
        for index, entry in enumerate(entries):
            here = f"{where}.history[{index}]"
            until = entry.valid_until
            if until is not None and until < entry.valid_from:
                yield ProfileError(
                    N_("{until} is before valid_from {start}"),
                    key=f"{here}.valid_until",
                    until=until.isoformat(),
                    start=entry.valid_from.isoformat(),
                )
                continue
            if index + 1 == len(entries):
                if until is not None:
                    yield ProfileError(
                        N_("no version is in force after {until}; the last version must stay open"),
                        key=f"{here}.valid_until",
                        until=until.isoformat(),
                    )
                continue
            following = entries[index + 1].valid_from
            if following <= entry.valid_from:
                yield ProfileError(
                    N_(
                        "{following} is not after {start} (history[{index}]); list the "
                        "versions in date order, one per start day"
                    ),
                    key=f"{where}.history[{index + 1}].valid_from",
                    following=following.isoformat(),
                    start=entry.valid_from.isoformat(),
                    index=index,
                )
            elif until is not None and until + timedelta(days=1) != following:
                yield from _period_problem(f"{here}.valid_until", until, following)


def _period_problem(key: str, until: date, following: date) -> Iterator[ProfileError]:
    """A version ending on *until* and the next one starting on *following*."""
    if until >= following:
        yield ProfileError(
            N_("{until} overlaps the next version, in force from {following}"),
            key=key,
            until=until.isoformat(),
            following=following.isoformat(),
        )
    else:
        yield ProfileError(
            N_("gap: no version is in force from {start} to {end}"),
            key=key,
            start=(until + timedelta(days=1)).isoformat(),
            end=(following - timedelta(days=1)).isoformat(),
        )


@attrs.frozen(kw_only=True)
class ClockConfig(RuleConfig):
    """
    A ``[clocks.<name>]`` table: the events that drive a clock, its duration and breach.

    A clock runs for the duration named by ``duration``, or, with ``by_category = true``,
    for the service standard of the complaint's category.

    .. versionadded:: 0.1.0
    """

    start: tuple[str, ...] = attrs.field(default=(), validator=check(_some, _KNOWN_EVENTS))
    stop: tuple[str, ...] = attrs.field(default=(), validator=_EVENTS)
    pause: tuple[str, ...] = attrs.field(default=(), validator=_EVENTS)
    resume: tuple[str, ...] = attrs.field(default=(), validator=_EVENTS)
    duration: str | None = None
    by_category: bool = False
    breach: BreachAction
    escalate_to: str | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(
            check(one_of(("", "parent", "national"), N_("use 'parent' or 'national'")))
        ),
    )
    warn_at: tuple[int, ...] = attrs.field(default=(), validator=check(_percents))
    scope: ClockScope = ClockScope.COMPLAINT
    extendable: bool = False

    def problems(self, name: str, durations: Mapping[str, object]) -> Iterator[ProfileError]:
        """
        What is wrong between this clock's keys, and with the duration it names.

        .. versionchanged:: 0.2.0 Each problem is a keyed :class:`ProfileError`.
        """
        key = f"clocks.{name}"
        duration = self.duration or None
        if self.by_category == (duration is not None):
            yield ProfileError(
                N_("give a duration key or by_category = true"), key=f"{key}.duration"
            )
        elif duration is not None and duration not in durations:
            yield ProfileError(
                N_("no duration named {duration!r}"), key=f"{key}.duration", duration=duration
            )
        if (self.breach is BreachAction.ESCALATE) != bool(self.escalate_to):
            yield ProfileError(
                N_("required exactly when breach = 'escalate'"), key=f"{key}.escalate_to"
            )

    def to_definition(
        self, name: str, *, hold_pauses_clocks: bool, rejection_restarts_forwarding: bool
    ) -> ClockDefinition:
        """
        The clock's :class:`~lapor_core.domain.clocks.ClockDefinition` under the options.

        Without ``hold_pauses_clocks`` the hold events neither pause nor resume it;
        without ``rejection_restarts_forwarding`` a rejection that returns the complaint
        does not start it.
        """
        start, pause, resume = frozenset(self.start), frozenset(self.pause), frozenset(self.resume)
        if not hold_pauses_clocks:
            pause, resume = pause - _HOLD_EVENTS, resume - _HOLD_EVENTS
        if not rejection_restarts_forwarding:
            start -= {_RESTART_ON_RETURN}
        return ClockDefinition(
            name=name,
            start=start,
            stop=frozenset(self.stop),
            pause=pause,
            resume=resume,
            duration=self.duration or None,
            breach=self.breach,
            basis=self.to_basis(),
            by_category=self.by_category,
            warn_at=tuple(sorted(set(self.warn_at))),
            escalate_to=self.escalate_to or None,
            scope=self.scope,
            extendable=self.extendable,
        )


@attrs.frozen(kw_only=True)
class CategoryConfig:
    """
    A ``[categories.<code>]`` table: the category's service standard and its name.

    ``basis`` and ``confidence`` are optional: the official category list is not
    published, so a category without them is a local choice (:data:`CATEGORY_BASIS`).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``basis`` and ``confidence``.
    """

    service_standard: str
    name: str = ""
    basis: str = ""
    confidence: Confidence = Confidence.LOCAL

    def to_basis(self) -> Basis:
        """The category's :class:`~lapor_core.domain.model.Basis` (a local choice by default)."""
        if not self.basis.strip():
            return CATEGORY_BASIS
        return Basis(self.basis, self.confidence)


CATEGORY_BASIS = Basis(
    "local choice: the official LAPOR! category list is not published (domain.md section 8 q11)",
    Confidence.LOCAL,
)
"""The basis of a category that cites none.

.. versionadded:: 0.2.0
"""


@attrs.frozen(kw_only=True)
class ChannelConfig(RuleConfig):
    """
    A ``[channels.<key>]`` table: a channel the deployment receives reports through.

    .. versionadded:: 0.1.0
    """

    name: str = attrs.field(validator=check(not_blank(N_("must not be empty"))))
    kind: ChannelType
    description: str = ""

    def to_option(self, key: str) -> ChannelOption:
        """The profile's :class:`~lapor_core.domain.profile_rules.ChannelOption`."""
        return ChannelOption(key, self.name, self.kind, self.description, self.to_basis())


@attrs.frozen
class ProfileOverrideConfig(OverrideConfig):
    """
    A ``[[calendar.override]]`` table: an override file's table plus its ``confidence``.

    .. versionadded:: 0.1.0
    """

    confidence: Confidence

    def to_rule(self) -> OverrideRule:
        """The profile's :class:`~lapor_core.domain.profile_rules.OverrideRule`."""
        return OverrideRule(self.to_override(), self.confidence)


@attrs.frozen(kw_only=True)
class CalendarConfig:
    """
    The ``[calendar]`` table: only its ``[[calendar.override]]`` list.

    .. versionadded:: 0.1.0
    """

    override: tuple[ProfileOverrideConfig, ...] = ()


@attrs.frozen(kw_only=True)
class LifecycleConfig(RuleConfig):
    """
    The ``[lifecycle]`` table: the commands a deployment turns off, with the reason.

    .. versionadded:: 0.1.0
    """

    disabled_commands: tuple[str, ...] = attrs.field(default=(), validator=check(_commands))


@attrs.frozen(kw_only=True)
class ProfileConfig:
    """
    A whole profile file (a child's after merging over its parent).

    ``[profile]``, ``[options.*]``, ``[statuses.*]``, ``[durations.*]`` and ``[clocks.*]``
    are required; categories, channels, the calendar and the lifecycle table are not.

    .. versionadded:: 0.1.0
    """

    profile: HeadConfig
    options: OptionsConfig
    statuses: StatusesConfig
    durations: Mapping[str, DurationConfig]
    clocks: Mapping[str, ClockConfig]
    categories: Mapping[str, CategoryConfig] = attrs.field(factory=lambda: MappingProxyType({}))
    channels: Mapping[str, ChannelConfig] = attrs.field(factory=lambda: MappingProxyType({}))
    calendar: CalendarConfig = CalendarConfig()
    lifecycle: LifecycleConfig | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> ProfileConfig:
        """
        Read a profile's parsed TOML and check the rules between its tables.

        Raises:
            ProfileError: With every problem of the first round that finds any (see the
                module doc), each ``dotted.key: message``.
        """
        config = structure(data, cls)
        problems = tuple(config.problems())
        if problems:
            raise ProfileError(*problems)
        return config

    def problems(self) -> Iterator[ProfileError]:
        """
        What is wrong between the tables, each ``dotted.key: message``.

        .. versionchanged:: 0.2.0
           Each problem is a keyed :class:`ProfileError` (``str()``: the same text), to
           translate.
        """
        yield from _label_problems(self.statuses)
        for key, duration in sorted(self.durations.items()):
            yield from duration.problems(key)
        for name, clock in sorted(self.clocks.items()):
            yield from clock.problems(name, self.durations)
        for code, category in sorted(self.categories.items()):
            if category.service_standard not in self.durations:
                yield ProfileError(
                    N_("no duration named {duration!r}"),
                    key=f"categories.{code}.service_standard",
                    duration=category.service_standard,
                )


def _label_problems(statuses: StatusesConfig) -> Iterator[ProfileError]:
    """A local name given to two statuses, or equal to another status's label."""
    local_owner: dict[str, Status] = {}
    for status, table in statuses.items():
        for name in table.local:
            other = local_owner.setdefault(name.casefold(), status)
            if other is not status:
                yield ProfileError(
                    N_("{name!r} already maps to {other}"),
                    key=f"statuses.{status.value}.local",
                    name=name,
                    other=other.value,
                )
    label_owner: dict[str, Status] = {}
    for status, table in statuses.items():
        for name in (status.value, table.id, table.en):
            label_owner.setdefault(name.casefold(), status)
    for status, table in statuses.items():
        for name in table.local:
            other = label_owner.get(name.casefold(), status)
            if other is not status:
                yield ProfileError(
                    N_("{name!r} is already a label of {other}"),
                    key=f"statuses.{status.value}.local",
                    name=name,
                    other=other.value,
                )
