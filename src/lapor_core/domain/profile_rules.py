"""
The values a profile is made of: its options, labels, durations, channels and overrides.

Each carries its :class:`~lapor_core.domain.model.Basis`: the source it comes from and how
sure we are of it. A :class:`~lapor_core.domain.profile.Profile` holds them; the config
classes of :mod:`lapor_core.domain.profile_config` build them from TOML.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import attrs

from lapor_core.domain.calendar_overrides import CalendarOverride
from lapor_core.domain.clocks import DurationUnit
from lapor_core.domain.model import Basis, Channel, ChannelType, Confidence

__all__ = [
    "DEFAULT_NO_WRONG_DOOR_OPTION",
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
    A service-standard duration with its basis.

    .. versionadded:: 0.1.0
    """

    amount: int
    unit: DurationUnit
    basis: Basis


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
