# Copyright (c) 2026 lapor_core developers. SPDX-License-Identifier: MIT
"""How a working-day deadline was counted: the days counted and the days skipped, and why.

:meth:`WorkingCalendar.explain() <lapor_core.domain.calendar.WorkingCalendar.explain>`
returns an :class:`Explanation`; :meth:`Explanation.render` writes it day by day, as
``lapor-core deadline`` prints it. :func:`skipped_day` says why one day does not count.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Final

import attrs

from lapor_core.domain.calendar_data import DayTable, is_weekend
from lapor_core.domain.calendar_overrides import CalendarOverride

__all__ = [
    "DAY_NAMES",
    "ESTIMATED_MARK",
    "PROVISIONAL_TEXT",
    "Explanation",
    "SkippedDay",
    "explain_count",
    "skipped_day",
]

DAY_NAMES: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
"""
The English names of the weekdays, indexed by :meth:`datetime.date.weekday`.

.. versionadded:: 0.1.0
"""

ESTIMATED_MARK: Final = "(perkiraan)"
"""
What the ``holidays`` data appends to the name of a holiday whose date is only estimated.

.. versionadded:: 0.1.0
"""

_ONE_DAY: Final = timedelta(days=1)


@attrs.frozen
class SkippedDay:
    """A non-working day passed over while counting, with the reasons it does not count.

    Attributes:
        date: The local date skipped.
        reasons: Why, e.g. ``("weekend (Saturday)",)``, ``("Hari Raya Idul Fitri",)``,
            ``("cuti bersama: Cuti Bersama Hari Raya Idul Fitri",)`` or
            ``("override: <name> (<basis>)",)``.
        estimated: Whether a holiday's date is only estimated by the data source (its
            name carries ``"(perkiraan)"``), so the result may move once it is decreed.

    .. versionadded:: 0.1.0
    """

    date: date
    reasons: tuple[str, ...]
    estimated: bool


@attrs.frozen
class Explanation:
    """How a working-day deadline was computed, day by day.

    Attributes:
        start: The local date the clock started (not counted).
        n: The number of working days requested.
        result: The local date of the deadline (the *n*-th working day after ``start``).
        deadline: The exclusive end of ``result``: the instant the next local day starts.
        time_zone: The IANA key of the zone the dates are local to.
        counted: The working days counted, in order (empty when ``n == 0``).
        skipped: The non-working days passed over, in order.
        provisional_from: The calendar's first date past its confirmed data (see
            :attr:`~lapor_core.domain.calendar.WorkingCalendar.provisional_from`), or
            ``None`` when not known.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``provisional_from`` and :attr:`provisional`.
    """

    start: date
    n: int
    result: date
    deadline: datetime
    time_zone: str
    counted: tuple[date, ...]
    skipped: tuple[SkippedDay, ...]
    provisional_from: date | None = None

    @property
    def provisional(self) -> bool:
        """Whether the deadline is provisional: its day is past the confirmed data.

        .. versionadded:: 0.2.0
        """
        return self.provisional_from is not None and self.result >= self.provisional_from

    @property
    def estimated(self) -> bool:
        """Whether any skipped day relies on an estimated holiday date.

        .. versionadded:: 0.1.0
        """
        return any(day.estimated for day in self.skipped)

    def render(self) -> str:
        """Render the explanation as human-readable, multi-line text.

        Returns:
            The text, one line per counted or skipped day, without a trailing newline.

        .. versionadded:: 0.1.0
        """
        lines = [
            f"Start: {self.start.isoformat()} ({DAY_NAMES[self.start.weekday()]}), not counted",
            f"Working days requested: {self.n}",
            f"Time zone: {self.time_zone}",
        ]
        counted_index = {day: i for i, day in enumerate(self.counted, start=1)}
        entries: list[tuple[date, str]] = [
            (day, f"  {day.isoformat()} {DAY_NAMES[day.weekday()]:<9} working day {i}")
            for day, i in counted_index.items()
        ]
        for skipped in self.skipped:
            mark = " [estimated date]" if skipped.estimated else ""
            text = "; ".join(skipped.reasons)
            entries.append(
                (
                    skipped.date,
                    (
                        f"  {skipped.date.isoformat()} {DAY_NAMES[skipped.date.weekday()]:<9}"
                        f" skipped: {text}{mark}"
                    ),
                ),
            )
        entries.sort(key=lambda entry: entry[0])
        lines.extend(text for _, text in entries)
        lines.append(
            f"Deadline: end of {self.result.isoformat()} "
            f"({DAY_NAMES[self.result.weekday()]}), i.e. before {self.deadline.isoformat()}",
        )
        if self.estimated:
            lines.append("Note: some holiday dates are estimates (perkiraan) and may change.")
        if self.provisional:
            lines.append(PROVISIONAL_TEXT["en"].format(since=self.provisional_from))
        return "\n".join(lines)


PROVISIONAL_TEXT: Final = {
    "en": (
        "Provisional: the deadline is counted past the confirmed holiday data (from {since}"
        " on: estimated national holidays, no cuti bersama yet); it moves if newer data adds"
        " a day off (lapor-core recompute)."
    ),
    "id": (
        "Sementara: tenggat dihitung melewati data hari libur yang sudah pasti (mulai {since}:"
        " hari libur nasional perkiraan, cuti bersama belum ada); tenggat bergeser bila data"
        " baru menambah hari libur (lapor-core recompute)."
    ),
}
"""
The note on a provisional deadline, in Indonesian and English (``{since}``: the first date).

.. versionadded:: 0.2.0
"""


def skipped_day(
    day: date,
    *,
    weekend: bool,
    public: Iterable[str] = (),
    government: Iterable[str] = (),
    overrides: Iterable[CalendarOverride] = (),
) -> SkippedDay:
    """Say why a non-working day does not count.

    Args:
        day: The local date.
        weekend: Whether the day is a weekend day under the calendar's week.
        public: The names of the national holidays on that day.
        government: The names of the *cuti bersama* on that day (when included).
        overrides: The holiday overrides of that day.

    Returns:
        The :class:`SkippedDay`, reasons in that order.

    .. versionadded:: 0.1.0
    """
    holidays, leave = tuple(public), tuple(government)
    reasons: list[str] = []
    if weekend:
        reasons.append(f"weekend ({DAY_NAMES[day.weekday()]})")
    reasons.extend(holidays)
    reasons.extend(f"cuti bersama: {name}" for name in leave)
    reasons.extend(f"override: {item.name} ({item.basis})" for item in overrides)
    estimated = any(ESTIMATED_MARK in name for name in (*holidays, *leave))
    return SkippedDay(date=day, reasons=tuple(reasons), estimated=estimated)


def explain_count(
    days: DayTable,
    start: date,
    n: int,
    result: date,
    *,
    time_zone: str,
    six_day_week: bool,
    provisional_from: date | None = None,
) -> Explanation:
    """Explain a count of *n* working days from *start* to *result*, day by day.

    :meth:`WorkingCalendar.explain() <lapor_core.domain.calendar.WorkingCalendar.explain>`
    counts (and refuses what it cannot count); this says which days it counted and why
    the others were skipped.

    Args:
        days: The calendar's day table.
        start: The local date the clock started (not counted).
        n: The number of working days, ``>= 0``.
        result: The deadline day (the *n*-th working day after ``start``).
        time_zone: The calendar's time zone.
        six_day_week: Whether Saturday is a working day.
        provisional_from: The calendar's first date past its confirmed data.

    Returns:
        The :class:`Explanation`.

    .. versionadded:: 0.1.0
    """
    counted: list[date] = []
    skipped: list[SkippedDay] = []
    current = start if n == 0 else start + _ONE_DAY
    while current <= result:
        if current in days.working:
            if n > 0:
                counted.append(current)
        else:
            skipped.append(
                skipped_day(
                    current,
                    weekend=is_weekend(current, six_day_week=six_day_week),
                    public=days.public.get(current, ()),
                    government=days.government.get(current, ()),
                    overrides=days.overrides.get(current, ()),
                )
            )
        current += _ONE_DAY
    return Explanation(
        start=start,
        n=n,
        result=result,
        deadline=days.working_ends[days.base[result]],
        time_zone=time_zone,
        counted=tuple(counted),
        skipped=tuple(skipped),
        provisional_from=provisional_from,
    )
