"""
The values a profile is made of: its options, labels, durations, channels and overrides.

Each carries its :class:`~lapor_core.domain.model.Basis`: the source it comes from and how
sure we are of it. A :class:`~lapor_core.domain.profile.Profile` holds them; the config
classes of :mod:`lapor_core.domain.profile_config` build them from TOML.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, timedelta

import attrs

from lapor_core.domain.calendar_overrides import CalendarOverride
from lapor_core.domain.clocks import DurationUnit
from lapor_core.domain.model import Basis, Channel, ChannelType, Confidence
from lapor_core.errors import N_, ValidationError

__all__ = [
    "DEFAULT_NO_WRONG_DOOR_OPTION",
    "DEFAULT_RULES_AT_CLOCK_START_OPTION",
    "DEFAULT_THREAD_OPTION",
    "DEFAULT_UNCATEGORISED_OPTION",
    "THREAD_MAX_MESSAGES_DEFAULT",
    "ChannelOption",
    "Duration",
    "ExtensionOption",
    "FlagOption",
    "OverrideRule",
    "RatingOption",
    "ReopenOption",
    "StatusLabels",
    "ThreadOption",
    "version_problems",
]


@attrs.frozen
class ReopenOption:
    """
    Whether a reporter may reopen a completed report (domain.md section 8 q7: [U]).

    .. versionadded:: 0.1.0
    """

    enabled: bool
    max_count: int
    window_days: int
    basis: Basis


@attrs.frozen
class RatingOption:
    """
    Whether a reporter may rate a completed report, and the scale (domain.md 8 q7: [U]).

    .. versionadded:: 0.1.0
    """

    enabled: bool
    scale: int
    basis: Basis


@attrs.frozen
class StatusLabels:
    """
    Labels of a status: Indonesian, English, and local names mapped onto it.

    .. versionadded:: 0.1.0
    """

    id: str
    en: str
    local: tuple[str, ...]
    basis: Basis


@attrs.frozen
class FlagOption:
    """
    A yes/no rule the sources do not settle, with its documented default.

    .. versionadded:: 0.1.0
    """

    enabled: bool
    basis: Basis


DEFAULT_UNCATEGORISED_OPTION = FlagOption(
    enabled=False,
    basis=Basis(
        "local: one category rule on every path (Submit, Classify, Open311, CSV import); "
        "a code that is not a category of the profile is refused",
        Confidence.LOCAL,
    ),
)
"""
``[options.uncategorised]`` when a profile does not set it: unknown categories are refused.

With ``enabled = true`` a code that is not a category of the profile is accepted as
given and the complaint counts as *uncategorised*: its service-standard clock does not
start (there is no standard to count), every other clock runs as usual.

.. versionadded:: 0.1.0
"""

DEFAULT_NO_WRONG_DOOR_OPTION = FlagOption(
    enabled=False,
    basis=Basis(
        "local: an agency without its decree (SK) has no admin accounts (domain.md section 6); "
        "forwarding there is refused, naming its nearest ancestor with one",
        Confidence.LOCAL,
    ),
)
"""
``[options.no_wrong_door]`` when a profile does not set it: forwarding to an agency
without its decree (*SK*) is refused with an error naming the nearest ancestor that has
one. With ``enabled = true`` the complaint goes to that ancestor instead.

.. versionadded:: 0.1.0
"""

DEFAULT_RULES_AT_CLOCK_START_OPTION = FlagOption(
    enabled=False,
    basis=Basis(
        "domain.md section 8 q1: the transition rules of Permen PANRB 5/2025 (which replaced "
        "62/2018) are not known; default: a complaint's clocks use the rules in force when "
        "it was submitted",
        Confidence.UNKNOWN,
    ),
)
"""
``[options.rules_at_clock_start]`` when a profile does not set it: every clock of a
complaint runs for the duration in force on the day the complaint was **submitted**
(in the profile's time zone). With ``enabled = true`` a clock takes the duration in
force on the day it starts.

.. versionadded:: 0.2.0
"""


@attrs.frozen
class ExtensionOption:
    """
    Whether and how far an agency may extend a clock (domain.md section 3.4: [U] for SP4N).

    .. versionadded:: 0.1.0
    """

    enabled: bool
    max_count: int
    max_amount: int
    basis: Basis


THREAD_MAX_MESSAGES_DEFAULT = 1_000
"""
The default cap on a complaint's thread (``[options.thread] max_messages``).

.. versionadded:: 0.1.0
"""


@attrs.frozen
class ThreadOption:
    """
    How long a complaint's thread (follow-ups, replies, questions, answers) may grow.

    Once the thread holds ``max_messages`` messages, ``decide`` refuses further
    follow-ups, replies and questions with
    :class:`~lapor_core.errors.InvalidTransition`; a question is refused when there is
    no room left for its answer, so follow-ups, replies and questions never take the
    thread past the cap (a reopening, bounded by ``options.reopen.max_count``, still
    records its reason). It bounds what one complaint costs to load and to show (a local
    choice, no SP4N rule).

    .. versionadded:: 0.1.0
    """

    max_messages: int
    basis: Basis


DEFAULT_THREAD_OPTION = ThreadOption(
    THREAD_MAX_MESSAGES_DEFAULT,
    Basis(
        "local: bounds the cost of one complaint; no SP4N rule on the length of a thread",
        Confidence.LOCAL,
    ),
)
"""
The thread cap of a profile without ``[options.thread]``.

.. versionadded:: 0.1.0
"""


@attrs.frozen
class Duration:
    """
    A service-standard duration with its basis, and the period it is in force.

    ``valid_from`` and ``valid_until`` are the first and the last day (both included,
    dates in the profile's time zone) of the version; ``None``: open at that end. An
    undated rule has neither.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``valid_from`` and ``valid_until``.
    """

    amount: int
    unit: DurationUnit
    basis: Basis
    valid_from: date | None = None
    valid_until: date | None = None

    def in_force_on(self, day: date) -> bool:
        """Whether this version is in force on *day*."""
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_until is None or day <= self.valid_until

    def period(self) -> str:
        """The period as text: ``2026-07-01 .. open``, ``open .. 2026-06-30``."""
        start = self.valid_from.isoformat() if self.valid_from else "open"
        end = self.valid_until.isoformat() if self.valid_until else "open"
        return f"{start} .. {end}"


@attrs.frozen
class ChannelOption:
    """
    A channel a deployment receives reports through (``[channels.<key>]``).

    A regional profile lists its own front-ends here, e.g. East Kalimantan's
    *LAPOR WAL!* (domain.md section 3.5).

    Attributes:
        key: The table key (``lapor_wal``).
        name: The channel's name as reports carry it (``"LAPOR WAL!"``).
        kind: Its :class:`~lapor_core.domain.model.ChannelType`.
        description: Free text (how it links to the national LAPOR!).
        basis: Where the fact comes from.

    .. versionadded:: 0.1.0
    """

    key: str
    name: str
    kind: ChannelType
    description: str
    basis: Basis

    def channel(self) -> Channel:
        """The :class:`~lapor_core.domain.model.Channel` value a submission carries."""
        return Channel(self.kind, self.name)


@attrs.frozen
class OverrideRule:
    """
    A calendar override of the profile (``[[calendar.override]]``) with its confidence.

    .. versionadded:: 0.1.0
    """

    override: CalendarOverride
    confidence: Confidence

    @property
    def basis(self) -> Basis:
        """The override's basis text with the rule's confidence."""
        return Basis(self.override.basis, self.confidence)


def version_problems(
    key: str, versions: Sequence[Duration]
) -> Iterator[tuple[str, ValidationError]]:
    """
    What is wrong with the periods of a duration's versions: ``(dotted key, message)``.

    The versions, in date order, must cover every day: the first open at its start, the
    last open at its end, each starting the day after the one before it ends, each with
    a positive amount. Version 0 is the ``[durations.<key>]`` table, version *n* its
    ``history[n-1]`` entry. Each message is an error with its template, to translate
    (``str()``: the English text).

    .. versionadded:: 0.2.0
    """
    where = f"durations.{key}"

    def name(index: int) -> str:
        return where if index == 0 else f"{where}.history[{index - 1}]"

    for index, version in enumerate(versions):
        if version.amount <= 0:
            yield (
                f"{name(index)}.amount",
                ValidationError(N_("must be positive, got {amount}"), amount=version.amount),
            )
        start, end = version.valid_from, version.valid_until
        if start is not None and end is not None and end < start:
            yield (
                f"{name(index)}.valid_until",
                ValidationError(N_("{until} is before valid_from"), until=end.isoformat()),
            )
    if not versions:
        yield (where, ValidationError(N_("no version")))
        return
    if versions[0].valid_from is not None:
        yield (f"{where}.valid_from", ValidationError(N_("no version is in force before it")))
    if versions[-1].valid_until is not None:
        yield (
            f"{name(len(versions) - 1)}.valid_until",
            ValidationError(N_("the last version must stay open")),
        )
    for index in range(1, len(versions)):
        end, start = versions[index - 1].valid_until, versions[index].valid_from
        if end is None or start is None or end + timedelta(days=1) != start:
            yield (
                f"{name(index)}.valid_from",
                ValidationError(
                    N_(
                        "must be the day after the previous version's valid_until (no gap, "
                        "no overlap)"
                    )
                ),
            )
