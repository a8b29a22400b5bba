# Copyright (c) 2026 lapor_core developers. SPDX-License-Identifier: MIT
"""Working-day calendar for SP4N-LAPOR! service deadlines.

Government working days are Monday to Friday (*Perpres* 21/2023 Art. 3), minus Indonesian
national holidays and, by default, collective leave (*cuti bersama*). Units that serve the
public directly may keep a six-day week (Art. 7). Dated overrides add new decrees, regional
days off, or cancel a day off.

Counting convention (domain spec §5, an inferred convention): the day the clock starts is
not counted, and a deadline of *N* working days (*hari kerja*, HK) is the *N*-th working day
strictly after the start's local date. Instants are converted to the calendar's time zone
(WIB, WITA or WIT) before counting.

The calendar precomputes, at construction, the working days of its whole range and the
position of every date among them (a :class:`~lapor_core.domain.calendar_data.DayTable`),
so that adding working days is index arithmetic and never a day-by-day loop. The module is
pure: it reads no files, clock or environment.

The calendar's parts live beside it and are re-exported here: the holiday data in
:mod:`lapor_core.domain.calendar_data`, the overrides and their TOML format in
:mod:`lapor_core.domain.calendar_overrides`, the day-by-day explanation in
:mod:`lapor_core.domain.calendar_explain`.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import functools
import types
import zoneinfo
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

import attrs
from dateutil.relativedelta import relativedelta

from lapor_core.domain.calendar_data import (
    PROVISIONAL_YEARS,
    DayTable,
    confirmed_years,
    supported_years,
    to_years,
)
from lapor_core.domain.calendar_explain import Explanation, SkippedDay, explain_count
from lapor_core.domain.calendar_overrides import (
    CalendarOverride,
    OverrideKind,
    overrides_from_records,
    parse_overrides,
)
from lapor_core.errors import N_, CalendarRangeError, ValidationError

__all__ = [
    "DEFAULT_TIME_ZONE",
    "INDONESIAN_TIME_ZONES",
    "PROVISIONAL_YEARS",
    "CalendarOverride",
    "Explanation",
    "OverrideKind",
    "SkippedDay",
    "WorkingCalendar",
    "confirmed_years",
    "overrides_from_records",
    "parse_overrides",
    "supported_years",
]

DEFAULT_TIME_ZONE: Final = "Asia/Jakarta"
"""
The default time zone: WIB (UTC+7).

.. versionadded:: 0.1.0
"""

INDONESIAN_TIME_ZONES: Final = types.MappingProxyType(
    {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"},
)
"""
The three Indonesian time zones (IANA key -> local abbreviation).

Any valid IANA key is accepted by :class:`WorkingCalendar`; these are the usual ones.

.. versionadded:: 0.1.0
"""


_ONE_DAY: Final = timedelta(days=1)


def _to_overrides(value: Iterable[CalendarOverride]) -> tuple[CalendarOverride, ...]:
    try:
        overrides = tuple(value)
    except TypeError:
        raise ValidationError(
            N_("overrides must be an iterable, got {value!r}"), value=value
        ) from None
    kinds: dict[date, OverrideKind] = {}
    for i, override in enumerate(overrides):
        if not isinstance(override, CalendarOverride):
            raise ValidationError(
                N_("overrides[{i}] must be a CalendarOverride, got {override!r}"),
                i=i,
                override=override,
            )
        previous = kinds.setdefault(override.date, override.kind)
        if previous is not override.kind:
            raise ValidationError(
                N_(
                    "overrides contradict each other on {instant}: both a holiday and a working day"
                ),
                instant=override.date.isoformat(),
            )
    return overrides


def _to_agency_overrides(
    value: Iterable[tuple[str, Iterable[CalendarOverride]]],
) -> tuple[tuple[str, tuple[CalendarOverride, ...]], ...]:
    return tuple((agency, _to_overrides(overrides)) for agency, overrides in value)


def _require_aware(value: object) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValidationError(N_("expected an aware datetime, got {value!r}"), value=value)
    return value


def _require_count(value: object) -> int:
    if not isinstance(value, int) or value < 0:
        raise ValidationError(N_("n must be an int >= 0, got {value!r}"), value=value)
    return value


def _is_positive(n: object, error: Callable[[], Exception]) -> bool:
    """``n > 0`` for an int; *error* raised for anything that is not an int."""
    if not isinstance(n, int):
        raise error()
    return n > 0


def _to_time_zone(value: object) -> str:
    # A converter rather than a validator: converters run in field order, before the
    # day table (the last field's default) is built in that zone.
    if not isinstance(value, str):
        raise ValidationError(
            N_("time_zone must be an IANA key string, got {value!r}"), value=value
        )
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(N_("unknown time zone {value!r}"), value=value) from exc
    return value


def _to_confirmed_until(value: object) -> int:
    last = confirmed_years()[-1]
    if value is None:
        return last
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(
            N_("confirmed_until must be a year (int), got {value!r}"), value=value
        )
    return min(value, last)


def _day_table(calendar: WorkingCalendar) -> DayTable:
    """The day table of a calendar whose settings are set (its fields' default)."""
    return _shared_day_table(
        time_zone=calendar.time_zone,
        include_cuti_bersama=calendar.include_cuti_bersama,
        six_day_week=calendar.six_day_week,
        overrides=tuple(o for o in calendar.overrides if not o.scoped),
        years=calendar.years,
        confirmed_until=calendar.confirmed_until,
    )


@functools.lru_cache(maxsize=64)
def _shared_day_table(
    *,
    time_zone: str,
    include_cuti_bersama: bool,
    six_day_week: bool,
    overrides: tuple[CalendarOverride, ...],
    years: range,
    confirmed_until: int | None,
) -> DayTable:
    """
    One day table per set of settings, shared by the calendars that have them.

    Building one takes milliseconds (every day of every year is classified), and a
    process builds calendars with the same settings over and over: one per
    ``Context``, so one per service. A table is never changed once built.
    """
    return DayTable.build(
        time_zone=time_zone,
        include_cuti_bersama=include_cuti_bersama,
        six_day_week=six_day_week,
        overrides=overrides,
        years=years,
        confirmed_until=confirmed_until,
    )


@attrs.frozen(cache_hash=True)
class WorkingCalendar:
    """Government working days for one unit, with O(1) working-day arithmetic.

    Dates outside :attr:`first_date`..:attr:`last_date` raise
    :class:`~lapor_core.errors.CalendarRangeError`, as does a count that runs off the
    end of the range. By default the range reaches :data:`PROVISIONAL_YEARS` past the
    last year the installed data confirms; from :attr:`provisional_from` on, days are
    counted with the estimated national holidays and no *cuti bersama*, and a deadline
    that falls there is *provisional* (:meth:`is_provisional`): a complaint is never
    refused for the calendar, and the deadline moves when newer data is installed
    (:meth:`ComplaintService.recompute <lapor_core.service.ComplaintService.recompute>`).

    Attributes:
        time_zone: IANA key of the unit's zone (``"Asia/Jakarta"`` WIB, ``"Asia/Makassar"``
            WITA, ``"Asia/Jayapura"`` WIT). Instants are converted to local dates there.
        include_cuti_bersama: Whether collective leave (*cuti bersama*) is a day off. It is
            for civil servants, but whether the SP4N-LAPOR! clock skips it is undocumented
            (domain spec §5.1 [U]), hence an option.
        six_day_week: Monday to Saturday instead of Monday to Friday, for front-line units
            (*Perpres* 21/2023 Art. 7).
        overrides: Dated holidays or working days that win over the package data.
            Overrides dated outside the covered years are kept but have no effect; a
            scoped one (limited to a region or an agency subtree) changes no day here.
        agency_overrides: The scoped overrides resolved per agency id, ``(agency,
            overrides)`` pairs (a :class:`~lapor_core.domain.complaint.Context` fills
            them in from its registry); :meth:`for_agency` gives an agency's calendar.
        years: The contiguous years covered; by default :func:`supported_years`: the
            years with *cuti bersama* data and :data:`PROVISIONAL_YEARS` after them.
        confirmed_until: The last year counted with its confirmed data (default: the
            last year the installed ``holidays`` has *cuti bersama* for). An earlier year
            counts the calendar as it was before newer data was installed, the
            ``previous`` calendar of a recompute.

    Raises:
        ValidationError: An unknown time zone, malformed years or contradictory overrides.
        CalendarRangeError: The years reach beyond the installed holiday data.

    .. versionadded:: 0.1.0
    """

    time_zone: str = attrs.field(default=DEFAULT_TIME_ZONE, converter=_to_time_zone)
    include_cuti_bersama: bool = attrs.field(default=True, converter=bool)
    six_day_week: bool = attrs.field(default=False, converter=bool)
    overrides: tuple[CalendarOverride, ...] = attrs.field(default=(), converter=_to_overrides)
    years: range = attrs.field(default=None, converter=to_years)
    confirmed_until: int = attrs.field(default=None, converter=_to_confirmed_until)
    agency_overrides: tuple[tuple[str, tuple[CalendarOverride, ...]], ...] = attrs.field(
        default=(), converter=_to_agency_overrides
    )

    # Built once, with the calendar: every table the queries below index into.
    _days: DayTable = attrs.field(
        init=False, eq=False, repr=False, default=attrs.Factory(_day_table, takes_self=True)
    )

    @property
    def first_date(self) -> date:
        """The first local date covered (1 January of the first year).

        .. versionadded:: 0.1.0
        """
        return self._days.first

    @property
    def last_date(self) -> date:
        """The last local date covered (31 December of the last year).

        .. versionadded:: 0.1.0
        """
        return self._days.last

    @property
    def provisional_from(self) -> date:
        """The first local date counted with estimated data (1 January after the confirmed).

        .. versionadded:: 0.2.0
        """
        return date(self.confirmed_until + 1, 1, 1)

    def is_provisional(self, when: date | datetime) -> bool:
        """Tell whether a deadline on *when* (a local date, or an aware instant) is provisional.

        A deadline is provisional when its day is on or after :attr:`provisional_from`:
        some of the days counted to reach it may still become days off (a later decree's
        *cuti bersama*, an Islamic holiday that falls a day later than estimated).

        .. versionadded:: 0.2.0
        """
        day = self.local_date(when) if isinstance(when, datetime) else when
        return day >= self.provisional_from

    def data_warning(self, today: date, *, months: int = 12) -> str | None:
        """A warning when the confirmed data ends within *months* of *today*, else ``None``.

        The ``holidays`` package adds a year's *cuti bersama* once the joint decree is
        out (usually in the autumn before); until then, deadlines in that year are
        provisional. The warning says to upgrade the package and to recompute.

        Args:
            today: The date to judge from (the caller reads the clock; the domain does not).
            months: How far ahead to look (default 12); a horizon past the last date a
                :class:`~datetime.date` can hold (``today`` in the year 9999) is that date.

        .. versionadded:: 0.2.0
        """
        last = self.provisional_from - _ONE_DAY
        try:
            horizon = today + relativedelta(months=months)
        except (ValueError, OverflowError):  # after 9999-12-31: later than any data ends
            horizon = date.max
        if last >= horizon:
            return None
        since = self.provisional_from.isoformat()
        return (
            f"the confirmed holiday data ends on {last.isoformat()} (data hari libur yang "
            f"pasti berakhir {last.isoformat()}): deadlines from {since} on are provisional; "
            "install a newer holidays package (pip install -U holidays), then run "
            f"lapor-core recompute --previous-data {self.confirmed_until}"
        )

    # ----------------------------------------------------------------- derivation

    def replace(
        self,
        *,
        time_zone: str | None = None,
        include_cuti_bersama: bool | None = None,
        six_day_week: bool | None = None,
        overrides: Iterable[CalendarOverride] | None = None,
        years: Iterable[int] | None = None,
        confirmed_until: int | None = None,
        agency_overrides: Iterable[tuple[str, Iterable[CalendarOverride]]] | None = None,
    ) -> WorkingCalendar:
        """Return a new calendar with some settings changed (``None`` keeps the current one).

        Args:
            time_zone: New IANA time-zone key.
            include_cuti_bersama: Whether collective leave is a day off.
            six_day_week: Whether Saturday is a working day.
            overrides: The complete new set of overrides (replaces the current ones).
            years: The new covered years.
            confirmed_until: The new last year counted with its confirmed data.
            agency_overrides: The new scoped overrides per agency.

        Returns:
            The new calendar; this one is unchanged.

        .. versionadded:: 0.1.0
        """
        return WorkingCalendar(
            time_zone=self.time_zone if time_zone is None else time_zone,
            include_cuti_bersama=(
                self.include_cuti_bersama if include_cuti_bersama is None else include_cuti_bersama
            ),
            six_day_week=self.six_day_week if six_day_week is None else six_day_week,
            overrides=self.overrides if overrides is None else overrides,
            years=self.years if years is None else years,
            confirmed_until=self.confirmed_until if confirmed_until is None else confirmed_until,
            agency_overrides=(
                self.agency_overrides if agency_overrides is None else agency_overrides
            ),
        )

    def for_agency(self, agency: str) -> WorkingCalendar:
        """
        The calendar *agency*'s deadlines count on: this one with its scoped overrides.

        This calendar itself when no scoped override applies to the agency.

        .. versionadded:: 0.2.0
        """
        extra = dict(self.agency_overrides).get(agency)
        if not extra:
            return self
        return self.replace(overrides=(*self.overrides, *extra), agency_overrides=())

    def with_overrides(self, *more: CalendarOverride) -> WorkingCalendar:
        """Return a new calendar with more overrides (e.g. a decree issued mid-year).

        Args:
            *more: Overrides to add to the current ones.

        Returns:
            The new calendar; this one is unchanged.

        .. versionadded:: 0.1.0
        """
        return self.replace(overrides=(*self.overrides, *more))

    # ------------------------------------------------------------------ conversion

    def local_date(self, instant: datetime) -> date:
        """Return the local date of an instant in the calendar's time zone.

        Args:
            instant: An aware datetime.

        Returns:
            The date in :attr:`time_zone` at that instant.

        Raises:
            ValidationError: ``instant`` is naive or not a datetime.
            CalendarRangeError: ``instant`` has no local date there (it is within hours of
                ``datetime.min`` or ``datetime.max``).

        .. versionadded:: 0.1.0
        """
        aware = _require_aware(instant)
        try:
            return aware.astimezone(self._days.zone).date()
        except OverflowError:
            raise CalendarRangeError(
                N_(
                    "{instant} has no local date in {time_zone} (it is past the first or "
                    "last representable date)"
                ),
                instant=aware.isoformat(),
                time_zone=self.time_zone,
            ) from None

    def _fixed_local_date(self, instant: object) -> date | None:
        """
        The local date of an aware *instant* in the covered range, by arithmetic.

        Only in a zone with a fixed offset (as the fast path of :meth:`deadline`); else
        ``None``, and :meth:`local_date` converts (and checks) the instant.
        """
        table = self._days
        if table.fixed_offset is None or not isinstance(instant, datetime):
            return None
        if instant.utcoffset() is None:
            return None
        index = (instant - table.local_origin).days
        return table.first + timedelta(days=index) if 0 <= index < len(table.positions) else None

    def _end_of_day(self, day: date) -> datetime:
        return datetime.combine(day + _ONE_DAY, time(), tzinfo=self._days.zone)

    def _as_local_date(self, value: datetime | date) -> date:
        if isinstance(value, datetime):
            return self.local_date(value)
        if isinstance(value, date):
            return value
        raise ValidationError(
            N_("expected a date or an aware datetime, got {value!r}"), value=value
        )

    # --------------------------------------------------------------------- errors

    def _day_error(self, day: object) -> Exception:
        """Build the error for a day that is not a key of the tables."""
        if isinstance(day, datetime):
            return ValidationError(
                N_(
                    "expected a local date, got the datetime {day!r}; use local_date() or "
                    "deadline() for instants"
                ),
                day=day,
            )
        if not isinstance(day, date):
            return ValidationError(N_("expected a date, got {day!r}"), day=day)
        return CalendarRangeError(
            N_("{day} is outside the calendar's range {first}..{last}"),
            day=day.isoformat(),
            first=self.first_date.isoformat(),
            last=self.last_date.isoformat(),
        )

    def _count_error(self, day: date, n: object) -> Exception:
        if not isinstance(n, int):
            return ValidationError(N_("n must be an int, got {n!r}"), n=n)
        if n < 0:
            return ValidationError(N_("n must be >= 0, got {n}"), n=n)
        return CalendarRangeError(
            N_(
                "{n} working day(s) after {day} runs past the end of the calendar's range "
                "{first}..{last}"
            ),
            n=n,
            day=day.isoformat(),
            first=self.first_date.isoformat(),
            last=self.last_date.isoformat(),
        )

    # ------------------------------------------------------------------- queries

    def is_working_day(self, day: date) -> bool:
        """Tell whether a local date is a working day under this calendar.

        Args:
            day: A local date within the covered range.

        Returns:
            ``True`` for a working day.

        Raises:
            CalendarRangeError: ``day`` is outside the covered range.
            ValidationError: ``day`` is not a date (datetimes are refused).

        .. versionadded:: 0.1.0
        """
        try:
            if day in self._days.working:
                return True
            if day in self._days.base:
                return False
        except TypeError:  # unhashable: no date
            pass
        raise self._day_error(day)

    def holiday_name(self, day: date) -> str | None:
        """Return the name of the holiday that makes a date a day off, if any.

        Names come from national holidays, *cuti bersama* (when included) and holiday
        overrides, joined by ``"; "``. Weekends have no name. A day made a working day
        by an override has none either.

        Args:
            day: A local date within the covered range.

        Returns:
            The name(s), or ``None``.

        Raises:
            CalendarRangeError: ``day`` is outside the covered range.
            ValidationError: ``day`` is not a date.

        .. versionadded:: 0.1.0
        """
        try:
            known = day in self._days.base
        except TypeError:  # unhashable: no date
            known = False
        if not known:
            raise self._day_error(day)
        overrides = self._days.overrides.get(day, ())
        if overrides and overrides[0].kind is OverrideKind.WORKING_DAY:
            return None
        names = [
            *self._days.public.get(day, ()),
            *self._days.government.get(day, ()),
            *(override.name for override in overrides),
        ]
        return "; ".join(names) if names else None

    def add_working_days(self, day: date, n: int) -> date:
        """Return the *n*-th working day strictly after a local date.

        The start day itself is never counted. For ``n == 0`` the result is ``day`` if it
        is a working day, otherwise the next working day. For ``a >= 1`` and ``b >= 0``,
        ``add(add(d, a), b) == add(d, a + b)``.

        Args:
            day: The local start date.
            n: The number of working days, ``>= 0``.

        Returns:
            The local date of the deadline.

        Raises:
            CalendarRangeError: ``day`` is outside the range, or the count runs past its end.
            ValidationError: ``n`` is negative or ``day`` is not a date.

        .. versionadded:: 0.1.0
        """
        try:
            base = self._days.base[day]
        except (KeyError, TypeError):
            raise self._day_error(day) from None
        if _is_positive(n, lambda: self._count_error(day, n)):
            try:
                return self._days.working_dates[base + n]
            except (IndexError, TypeError):
                raise self._count_error(day, n) from None
        return self._days.working_dates[self._index_zero(day, base, n)]

    def _index_zero(self, day: date, base: int, n: object) -> int:
        """Return the working-day index for ``n == 0``, or raise for a bad ``n``."""
        if n != 0 or not isinstance(n, int):
            raise self._count_error(day, n)
        if day in self._days.working:
            return base
        if base + 1 >= len(self._days.working_dates):
            raise self._count_error(day, n)
        return base + 1

    def deadline(self, start: datetime, n: int) -> datetime:
        """Return the end of the *n*-th working day after an instant, as an aware datetime.

        ``start`` is converted to the local date in :attr:`time_zone`; the result is the
        instant the local day after the deadline day begins (an exclusive end), in that
        zone. See :meth:`add_working_days` for the counting rule (including ``n == 0``).

        Args:
            start: The aware instant the clock starts.
            n: The number of working days, ``>= 0``.

        Returns:
            Local midnight at the end of the deadline day, in :attr:`time_zone`.

        Raises:
            ValidationError: ``start`` is naive, or ``n`` is negative.
            CalendarRangeError: The start or the deadline is outside the covered range.

        .. versionadded:: 0.1.0
        """
        days = self._days
        try:
            # Fast path: a zone with a fixed offset. The local day is then arithmetic on
            # the instant, without a time-zone conversion. Anything unusual (a naive or
            # non-datetime start, bad n, out of range) falls through to the checked path
            # below, which raises the right error.
            if n > 0 and days.fixed_offset is not None:
                index = (start - days.local_origin).days
                if index >= 0:
                    return days.working_ends[days.positions[index] + n]
        except (AttributeError, IndexError, TypeError):
            pass
        try:
            zone = start.tzinfo
        except AttributeError:
            zone = None
        # The UTC test first skips the costlier utcoffset() call in the common case.
        if zone is not UTC and (zone is None or start.utcoffset() is None):
            raise ValidationError(N_("expected an aware datetime, got {start!r}"), start=start)
        day = self.local_date(start)
        try:
            base = days.base[day]
        except KeyError:
            raise self._day_error(day) from None
        if _is_positive(n, lambda: self._count_error(day, n)):
            try:
                return days.working_ends[base + n]
            except (IndexError, TypeError):
                raise self._count_error(day, n) from None
        return days.working_ends[self._index_zero(day, base, n)]

    def add_calendar_days_deadline(self, start: datetime, n: int) -> datetime:
        """Return the end of the local day *n* calendar days after an instant.

        Used for the statutory clocks counted in plain days (*hari*, e.g. 14 or 60 days).
        Holidays do not matter, so no range check applies.

        Args:
            start: The aware instant the clock starts.
            n: The number of calendar days, ``>= 0`` (``0`` is the end of the start day).

        Returns:
            Local midnight at the end of that day, in :attr:`time_zone`.

        Raises:
            ValidationError: ``start`` is naive, or ``n`` is negative or not an int, or the
                day is past ``date.max``.
            CalendarRangeError: ``start`` has no local date (see :meth:`local_date`).

        .. versionadded:: 0.1.0
        """
        days = _require_count(n)
        day = self._fixed_local_date(start)
        if day is None:
            day = self.local_date(start)
        try:
            return self._end_of_day(day + timedelta(days=days))
        except OverflowError:
            raise ValidationError(
                N_(
                    "{days} calendar day(s) after {instant} is past the last representable "
                    "date {later}"
                ),
                days=days,
                instant=day.isoformat(),
                later=date.max.isoformat(),
            ) from None

    def working_days_between(self, a: datetime | date, b: datetime | date) -> int:
        """Count the working days in ``(a, b]`` (local dates); negative if ``b < a``.

        Consistent with :meth:`add_working_days`:
        ``working_days_between(d, add_working_days(d, n)) == n`` for ``n >= 1``.

        Args:
            a: Start (exclusive); a date, or an aware datetime converted to the local date.
            b: End (inclusive); same types as ``a``.

        Returns:
            The signed number of working days.

        Raises:
            CalendarRangeError: A date is outside the covered range.
            ValidationError: A datetime is naive, or a value is neither date nor datetime.

        .. versionadded:: 0.1.0
        """
        day_a = self._as_local_date(a)
        day_b = self._as_local_date(b)
        try:
            return self._days.base[day_b] - self._days.base[day_a]
        except KeyError:
            bad = day_a if day_a not in self._days.base else day_b
            raise self._day_error(bad) from None

    def explain(self, start: datetime | date, n: int) -> Explanation:
        """Explain a working-day deadline: which days counted and which were skipped, and why.

        Args:
            start: An aware instant (converted to the local date) or a local date.
            n: The number of working days, ``>= 0``.

        Returns:
            The :class:`Explanation`.

        Raises:
            ValidationError: ``start`` is a naive datetime, or ``n`` is negative.
            CalendarRangeError: The start or the deadline is outside the covered range.

        .. versionadded:: 0.1.0
        """
        day = self._as_local_date(start)
        result = self.add_working_days(day, n)
        return explain_count(
            self._days,
            day,
            n,
            result,
            time_zone=self.time_zone,
            six_day_week=self.six_day_week,
            provisional_from=self.provisional_from,
        )
