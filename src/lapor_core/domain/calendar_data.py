# Copyright (c) 2026 lapor_core developers. SPDX-License-Identifier: MIT
"""The holiday data a working-day calendar counts with, and its precomputed day table.

National holidays (category ``public``) and collective leave (*cuti bersama*, category
``government``) come from the ``holidays`` package, read once per category and year
range (:func:`holiday_names`, cached). :func:`supported_years` says which years the
installed data covers. A :class:`DayTable` holds, for a calendar's whole range, the
working days and the position of every date among them, so that adding working days is
index arithmetic and never a day-by-day loop.

Pure: the ``holidays`` package computes its data; nothing is read from files, the clock
or the environment.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import functools
import types
import zoneinfo
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

import attrs
import holidays
from holidays.countries.indonesia import Indonesia

from lapor_core.domain.calendar_overrides import CalendarOverride, OverrideKind
from lapor_core.errors import N_, CalendarRangeError, ValidationError

__all__ = [
    "GOVERNMENT",
    "PROVISIONAL_YEARS",
    "PUBLIC",
    "DayTable",
    "confirmed_years",
    "holiday_names",
    "is_weekend",
    "supported_years",
    "to_years",
]

PUBLIC: Final = "public"
"""
The ``holidays`` category of Indonesia's national holidays.

.. versionadded:: 0.1.0
"""

GOVERNMENT: Final = "government"
"""
The ``holidays`` category of *cuti bersama* (collective leave for civil servants).

.. versionadded:: 0.1.0
"""

PROVISIONAL_YEARS: Final = 10
"""
How many years past the confirmed data a calendar covers by default.

A year is *confirmed* when the ``holidays`` package has its *cuti bersama* (the joint
decree, SKB, that fixes a year's holidays and collective leave). Past the last confirmed
year a calendar counts with the national holidays ``holidays`` computes (the Islamic,
Chinese and Buddhist ones marked *perkiraan*, estimated) and no collective leave, and
every deadline counted there is *provisional* (:attr:`WorkingCalendar.provisional_from
<lapor_core.domain.calendar.WorkingCalendar.provisional_from>`).

.. versionadded:: 0.2.0
"""

_COUNTRY: Final = "ID"
_LANGUAGE: Final = "id"
_PROBE_FIRST_YEAR: Final = 1990
_PROBE_LAST_YEAR: Final = 2060
_SATURDAY: Final = 5
_SUNDAY: Final = 6
_ONE_DAY: Final = timedelta(days=1)
_NO_HOLIDAYS: Final[Mapping[date, tuple[str, ...]]] = types.MappingProxyType({})


@functools.lru_cache(maxsize=64)
def holiday_names(category: str, first_year: int, last_year: int) -> Mapping[date, tuple[str, ...]]:
    """Return the ``holidays`` data of one category as date -> names (read-only, cached).

    Args:
        category: :data:`PUBLIC` or :data:`GOVERNMENT`.
        first_year: The first year wanted.
        last_year: The last year wanted (included).

    Returns:
        Each holiday's date and its names, in Indonesian.

    .. versionadded:: 0.1.0
    """
    data = holidays.country_holidays(
        _COUNTRY,
        years=range(first_year, last_year + 1),
        categories=(category,),
        language=_LANGUAGE,
    )
    table: dict[date, tuple[str, ...]] = {}
    for day, names in sorted(data.items()):
        table[day] = tuple(name.strip() for name in str(names).split(";") if name.strip())
    return types.MappingProxyType(table)


@functools.lru_cache(maxsize=1)
def _cuti_bersama_years() -> range:
    years = {day.year for day in holiday_names(GOVERNMENT, _PROBE_FIRST_YEAR, _PROBE_LAST_YEAR)}
    if not years:  # pragma: no cover - depends on the installed data
        return range(0)
    last = max(years)
    first = last
    while first - 1 in years:
        first -= 1
    return range(first, last + 1)


def confirmed_years() -> range:
    """Return the years whose holidays and *cuti bersama* the installed data confirms.

    The contiguous run of years, ending at the latest one, for which the ``holidays``
    package has collective-leave data (2002-2027 with ``holidays`` 0.109).

    .. versionadded:: 0.2.0
    """
    return _cuti_bersama_years()


def supported_years(*, include_cuti_bersama: bool = True) -> range:
    """Return the years a calendar may cover with the installed ``holidays`` data.

    With *cuti bersama* the range starts at the first confirmed year
    (:func:`confirmed_years`) and reaches :data:`PROVISIONAL_YEARS` past the last one
    (2002-2037 with ``holidays`` 0.109); the years past the confirmed ones are counted
    with estimated national holidays, provisionally. Without it, the range is what the
    package computes national holidays for.

    Args:
        include_cuti_bersama: Whether collective leave is counted (it starts the range
            at the first year with collective-leave data).

    Returns:
        The supported years, as a ``range``.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 Reaches :data:`PROVISIONAL_YEARS` past the confirmed data.
    """
    national = range(int(Indonesia.start_year), int(Indonesia.end_year) + 1)
    if not include_cuti_bersama:
        return national
    confirmed = _cuti_bersama_years()
    return range(confirmed.start, min(confirmed.stop + PROVISIONAL_YEARS, national.stop))


def to_years(value: Iterable[int] | None) -> range:
    """Return the contiguous years a calendar covers (``None``: every year with data).

    Args:
        value: Years (any order, no gaps) or a ``range`` with step 1.

    Returns:
        The years as a ``range``.

    Raises:
        ValidationError: The years are not integers, are empty or have gaps.

    .. versionadded:: 0.1.0
    """
    if value is None:
        return supported_years()
    if isinstance(value, range) and value.step == 1:
        years = value
    else:
        items = list(value) if isinstance(value, Iterable) else None
        if items is None or not all(_is_int(year) for year in items):
            raise ValidationError(N_("years must be integers, got {value!r}"), value=value)
        unique = sorted(set(items))
        if not unique:
            raise ValidationError(N_("years must not be empty"))
        years = range(unique[0], unique[-1] + 1)
        if len(years) != len(unique):
            raise ValidationError(N_("years must be contiguous, got {unique!r}"), unique=unique)
    if len(years) == 0:
        raise ValidationError(N_("years must not be empty"))
    return years


def _is_int(value: object) -> bool:
    """Whether *value* is an int and not a bool (``True`` is an int to Python, not a year)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_weekend(day: date, *, six_day_week: bool) -> bool:
    """Tell whether a date falls on the weekend: Sunday, and Saturday in a five-day week.

    Args:
        day: A local date.
        six_day_week: Whether Saturday is a working day (front-line units).

    Returns:
        ``True`` on the weekend.

    .. versionadded:: 0.1.0
    """
    weekday = day.weekday()
    return weekday == _SUNDAY or (weekday == _SATURDAY and not six_day_week)


@attrs.frozen(eq=False)
class DayTable:
    """The working days of a calendar's range, precomputed once by :meth:`build`.

    The lists and dicts are never changed after :meth:`build` returns.

    Attributes:
        first: The first local date covered (1 January of the first year).
        last: The last local date covered (31 December of the last year).
        zone: The calendar's time zone.
        base: Every date in range -> (number of working days up to and including it) - 1.
        working: The working days.
        working_dates: The working days in order.
        working_ends: The exclusive end (next local midnight) of each working day,
            aligned with ``working_dates``.
        positions: ``base`` of each date, indexed by days since ``first``.
        fixed_offset: The zone's UTC offset in seconds when it is the same over the whole
            range (true of WIB, WITA and WIT since 1964), else ``None``.
        local_origin: The UTC instant at which ``first`` begins (with a fixed offset).
        public: National holidays: date -> names.
        government: *Cuti bersama* (empty when not included): date -> names.
        overrides: The overrides of each date that has any.

    .. versionadded:: 0.1.0
    """

    first: date
    last: date
    zone: zoneinfo.ZoneInfo
    base: Mapping[date, int]
    working: frozenset[date]
    working_dates: list[date]
    working_ends: list[datetime]
    positions: list[int]
    fixed_offset: int | None
    local_origin: datetime
    public: Mapping[date, tuple[str, ...]]
    government: Mapping[date, tuple[str, ...]]
    overrides: Mapping[date, tuple[CalendarOverride, ...]]

    @classmethod
    def build(
        cls,
        *,
        time_zone: str,
        include_cuti_bersama: bool,
        six_day_week: bool,
        overrides: Iterable[CalendarOverride],
        years: range,
        confirmed_until: int | None = None,
    ) -> DayTable:
        """Compute the table of a :class:`~lapor_core.domain.calendar.WorkingCalendar`.

        *Cuti bersama* is counted up to the year *confirmed_until* (default: every year
        the installed data has); later years count national holidays only.

        Raises:
            CalendarRangeError: The years reach beyond the installed holiday data.

        .. versionadded:: 0.1.0
        """
        allowed = supported_years(include_cuti_bersama=include_cuti_bersama)
        first_year, last_year = years[0], years[-1]
        if first_year < allowed.start or last_year >= allowed.stop:
            what = "cuti bersama" if include_cuti_bersama else "national holiday"
            raise CalendarRangeError(
                N_(
                    "years {first_year}-{last_year} reach beyond the {what} data available "
                    "({start}-{value})"
                ),
                first_year=first_year,
                last_year=last_year,
                what=what,
                start=allowed.start,
                value=allowed.stop - 1,
            )
        zone = zoneinfo.ZoneInfo(time_zone)
        public = holiday_names(PUBLIC, first_year, last_year)
        cuti_until = last_year if confirmed_until is None else min(last_year, confirmed_until)
        government = (
            holiday_names(GOVERNMENT, first_year, cuti_until)
            if include_cuti_bersama and cuti_until >= first_year
            else _NO_HOLIDAYS
        )
        by_date: dict[date, list[CalendarOverride]] = {}
        for override in overrides:
            by_date.setdefault(override.date, []).append(override)
        first, last = date(first_year, 1, 1), date(last_year, 12, 31)
        kinds = {day: items[0].kind for day, items in by_date.items()}
        base, working_dates = _count(
            first,
            last,
            public=public,
            government=government,
            kinds=kinds,
            six_day_week=six_day_week,
        )
        offset = _fixed_offset(zone, first_year, last_year)
        origin = datetime.combine(first, time(), tzinfo=UTC) - timedelta(seconds=offset or 0)
        return cls(
            first=first,
            last=last,
            zone=zone,
            base=base,
            working=frozenset(working_dates),
            working_dates=working_dates,
            working_ends=[
                datetime.combine(d + _ONE_DAY, time(), tzinfo=zone) for d in working_dates
            ],
            positions=list(base.values()),
            fixed_offset=offset,
            local_origin=origin,
            public=public,
            government=government,
            overrides={d: tuple(items) for d, items in by_date.items()},
        )


def _count(
    first: date,
    last: date,
    *,
    public: Mapping[date, object],
    government: Mapping[date, object],
    kinds: Mapping[date, OverrideKind],
    six_day_week: bool,
) -> tuple[dict[date, int], list[date]]:
    """Each date's working-day position, and the working days, from *first* to *last*.

    An override decides its day; any other day works unless it falls on the weekend, is
    a national holiday or is *cuti bersama*.
    """
    weekend_from = _SUNDAY if six_day_week else _SATURDAY
    base: dict[date, int] = {}
    working_dates: list[date] = []
    count = 0
    day = first
    while day <= last:
        kind = kinds.get(day)
        if kind is None:
            is_working = (
                day.weekday() < weekend_from and day not in public and day not in government
            )
        else:
            is_working = kind is OverrideKind.WORKING_DAY
        if is_working:
            count += 1
            working_dates.append(day)
        base[day] = count - 1
        day += _ONE_DAY
    return base, working_dates


def _fixed_offset(zone: zoneinfo.ZoneInfo, first_year: int, last_year: int) -> int | None:
    """
    The zone's UTC offset in seconds if it is one over the years, else ``None``.

    Every local midnight that begins or ends a day of the years is looked at: a zone that
    changes its offset for a few weeks (Casablanca in Ramadan) is not fixed.
    """
    offsets = set()
    day = date(first_year, 1, 1)
    end = date(last_year + 1, 1, 1)
    while day <= end:
        offsets.add(datetime(day.year, day.month, day.day, tzinfo=zone).utcoffset())
        day += _ONE_DAY
    only = offsets.pop() if len(offsets) == 1 else None
    return int(only.total_seconds()) if only is not None else None
