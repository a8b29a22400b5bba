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
position of every date among them, so that adding working days is index arithmetic and never
a day-by-day loop. The module is pure: it reads no files, clock or environment. Holiday data
comes from the ``holidays`` package and is cached per category and year range.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
import functools
import tomllib
import types
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Final

import attrs
import holidays
from holidays.countries.indonesia import Indonesia

from lapor_core.errors import CalendarRangeError, ProfileError, ValidationError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = [
    "DEFAULT_TIME_ZONE",
    "INDONESIAN_TIME_ZONES",
    "CalendarOverride",
    "Explanation",
    "OverrideKind",
    "SkippedDay",
    "WorkingCalendar",
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

_COUNTRY: Final = "ID"
_LANGUAGE: Final = "id"
_PUBLIC: Final = "public"
_GOVERNMENT: Final = "government"
_ESTIMATED_MARK: Final = "(perkiraan)"
_PROBE_FIRST_YEAR: Final = 1990
_PROBE_LAST_YEAR: Final = 2060
_SATURDAY: Final = 5
_SUNDAY: Final = 6
_DAY_NAMES: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ONE_DAY: Final = timedelta(days=1)


class OverrideKind(enum.Enum):
    """What a dated override does to its day.

    Attributes:
        HOLIDAY: The day is not a working day (a new decree, a regional day off, a one-off
            holiday).
        WORKING_DAY: The day is a working day even if it would otherwise not be (for
            example a cancelled *cuti bersama*, or a Saturday declared a working day).

    .. versionadded:: 0.1.0
    """

    HOLIDAY = "holiday"
    WORKING_DAY = "working_day"


def _check_override_date(_: object, attribute: attrs.Attribute[date], value: object) -> None:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValidationError(f"{attribute.name} must be a date (not a datetime), got {value!r}")


def _check_text(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{attribute.name} must be a non-empty string, got {value!r}")


def _check_kind(_: object, attribute: attrs.Attribute[OverrideKind], value: object) -> None:
    if not isinstance(value, OverrideKind):
        raise ValidationError(f"{attribute.name} must be an OverrideKind, got {value!r}")


@attrs.frozen
class CalendarOverride:
    """A dated change to the calendar that the ``holidays`` data does not know about.

    Overrides win over the weekday rule, national holidays and *cuti bersama*.

    Attributes:
        date: The local date affected.
        kind: Whether the day becomes a holiday or a working day.
        name: A human-readable name, e.g. ``"Cuti bersama dibatalkan"``.
        basis: The legal basis or source, e.g. ``"SKB 3 Menteri No. 1497/2025"``.

    .. versionadded:: 0.1.0
    """

    date: date = attrs.field(validator=_check_override_date)
    kind: OverrideKind = attrs.field(validator=_check_kind)
    name: str = attrs.field(validator=_check_text)
    basis: str = attrs.field(validator=_check_text)


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

    .. versionadded:: 0.1.0
    """

    start: date
    n: int
    result: date
    deadline: datetime
    time_zone: str
    counted: tuple[date, ...]
    skipped: tuple[SkippedDay, ...]

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
            f"Start: {self.start.isoformat()} ({_DAY_NAMES[self.start.weekday()]}), not counted",
            f"Working days requested: {self.n}",
            f"Time zone: {self.time_zone}",
        ]
        counted_index = {day: i for i, day in enumerate(self.counted, start=1)}
        entries: list[tuple[date, str]] = [
            (day, f"  {day.isoformat()} {_DAY_NAMES[day.weekday()]:<9} working day {i}")
            for day, i in counted_index.items()
        ]
        for skipped in self.skipped:
            mark = " [estimated date]" if skipped.estimated else ""
            text = "; ".join(skipped.reasons)
            entries.append(
                (
                    skipped.date,
                    (
                        f"  {skipped.date.isoformat()} {_DAY_NAMES[skipped.date.weekday()]:<9}"
                        f" skipped: {text}{mark}"
                    ),
                ),
            )
        entries.sort(key=lambda entry: entry[0])
        lines.extend(text for _, text in entries)
        lines.append(
            f"Deadline: end of {self.result.isoformat()} "
            f"({_DAY_NAMES[self.result.weekday()]}), i.e. before {self.deadline.isoformat()}",
        )
        if self.estimated:
            lines.append("Note: some holiday dates are estimates (perkiraan) and may change.")
        return "\n".join(lines)


@functools.lru_cache(maxsize=64)
def _category_holidays(
    category: str,
    first_year: int,
    last_year: int,
) -> Mapping[date, tuple[str, ...]]:
    """Return the ``holidays`` data of one category as date -> names (read-only, cached)."""
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
    years = {
        day.year for day in _category_holidays(_GOVERNMENT, _PROBE_FIRST_YEAR, _PROBE_LAST_YEAR)
    }
    if not years:  # pragma: no cover - depends on the installed data
        return range(0)
    last = max(years)
    first = last
    while first - 1 in years:
        first -= 1
    return range(first, last + 1)


def supported_years(*, include_cuti_bersama: bool = True) -> range:
    """Return the years a calendar may cover with the installed ``holidays`` data.

    With *cuti bersama* the range is the contiguous run of years, ending at the latest
    one, for which the package has collective-leave data (2002-2027 with ``holidays``
    0.109). Without it, the range is what the package computes national holidays for.

    Args:
        include_cuti_bersama: Whether collective-leave data is needed.

    Returns:
        The supported years, as a ``range``.

    .. versionadded:: 0.1.0
    """
    if include_cuti_bersama:
        return _cuti_bersama_years()
    return range(int(Indonesia.start_year), int(Indonesia.end_year) + 1)


def _to_years(value: Iterable[int] | None) -> range:
    if value is None:
        return _cuti_bersama_years()
    if isinstance(value, range) and value.step == 1:
        years = value
    else:
        try:
            unique = sorted({int(year) for year in value})
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"years must be integers, got {value!r}") from exc
        if not unique:
            raise ValidationError("years must not be empty")
        years = range(unique[0], unique[-1] + 1)
        if len(years) != len(unique):
            raise ValidationError(f"years must be contiguous, got {unique!r}")
    if len(years) == 0:
        raise ValidationError("years must not be empty")
    return years


def _to_overrides(value: Iterable[CalendarOverride]) -> tuple[CalendarOverride, ...]:
    overrides = tuple(value)
    kinds: dict[date, OverrideKind] = {}
    for i, override in enumerate(overrides):
        if not isinstance(override, CalendarOverride):
            raise ValidationError(f"overrides[{i}] must be a CalendarOverride, got {override!r}")
        previous = kinds.setdefault(override.date, override.kind)
        if previous is not override.kind:
            raise ValidationError(
                f"overrides contradict each other on {override.date.isoformat()}: "
                "both a holiday and a working day",
            )
    return overrides


def _require_aware(value: object) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValidationError(f"expected an aware datetime, got {value!r}")
    return value


def _require_count(value: object) -> int:
    if not isinstance(value, int) or value < 0:
        raise ValidationError(f"n must be an int >= 0, got {value!r}")
    return value


def _check_time_zone(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str):
        raise ValidationError(f"{attribute.name} must be an IANA key string, got {value!r}")
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"unknown time zone {value!r}") from exc


@attrs.frozen
class WorkingCalendar:
    """Government working days for one unit, with O(1) working-day arithmetic.

    Dates outside :attr:`first_date`..:attr:`last_date` raise
    :class:`~lapor_core.errors.CalendarRangeError`, as does a count that runs off the
    end of the range: the calendar never guesses.

    Attributes:
        time_zone: IANA key of the unit's zone (``"Asia/Jakarta"`` WIB, ``"Asia/Makassar"``
            WITA, ``"Asia/Jayapura"`` WIT). Instants are converted to local dates there.
        include_cuti_bersama: Whether collective leave (*cuti bersama*) is a day off. It is
            for civil servants, but whether the SP4N-LAPOR! clock skips it is undocumented
            (domain spec §5.1 [U]), hence an option.
        six_day_week: Monday to Saturday instead of Monday to Friday, for front-line units
            (*Perpres* 21/2023 Art. 7).
        overrides: Dated holidays or working days that win over the package data.
            Overrides dated outside the covered years are kept but have no effect.
        years: The contiguous years covered; by default every year with *cuti bersama*
            data (see :func:`supported_years`).

    Raises:
        ValidationError: An unknown time zone, malformed years or contradictory overrides.
        CalendarRangeError: The years reach beyond the installed holiday data.

    .. versionadded:: 0.1.0
    """

    time_zone: str = attrs.field(default=DEFAULT_TIME_ZONE, validator=_check_time_zone)
    include_cuti_bersama: bool = attrs.field(default=True, converter=bool)
    six_day_week: bool = attrs.field(default=False, converter=bool)
    overrides: tuple[CalendarOverride, ...] = attrs.field(default=(), converter=_to_overrides)
    years: range = attrs.field(default=None, converter=_to_years)

    first_date: date = attrs.field(init=False, eq=False)
    """The first local date covered (1 January of the first year)."""
    last_date: date = attrs.field(init=False, eq=False)
    """The last local date covered (31 December of the last year)."""

    _zone: zoneinfo.ZoneInfo = attrs.field(init=False, eq=False, repr=False)
    # date -> (number of working days <= date) - 1, for every date in range.
    _base: dict[date, int] = attrs.field(init=False, eq=False, repr=False)
    _working: frozenset[date] = attrs.field(init=False, eq=False, repr=False)
    _working_dates: list[date] = attrs.field(init=False, eq=False, repr=False)
    # Exclusive end (next local midnight) of each working day, aligned with _working_dates.
    _working_ends: list[datetime] = attrs.field(init=False, eq=False, repr=False)
    # Fast path of deadline(): the zone's UTC offset in seconds when it is the same over
    # the whole range (true of WIB, WITA and WIT since 1964), else None; and the position
    # of each day indexed by ordinal - first ordinal.
    _fixed_offset: int | None = attrs.field(init=False, eq=False, repr=False)
    _local_origin: datetime = attrs.field(init=False, eq=False, repr=False)
    _positions: list[int] = attrs.field(init=False, eq=False, repr=False)
    _public: Mapping[date, tuple[str, ...]] = attrs.field(init=False, eq=False, repr=False)
    _government: Mapping[date, tuple[str, ...]] = attrs.field(init=False, eq=False, repr=False)
    _override_by_date: dict[date, tuple[CalendarOverride, ...]] = attrs.field(
        init=False,
        eq=False,
        repr=False,
    )

    def __attrs_post_init__(self) -> None:
        """Precompute the working-day tables for the covered years."""
        allowed = supported_years(include_cuti_bersama=self.include_cuti_bersama)
        first_year, last_year = self.years[0], self.years[-1]
        if first_year < allowed.start or last_year >= allowed.stop:
            what = "cuti bersama" if self.include_cuti_bersama else "national holiday"
            raise CalendarRangeError(
                f"years {first_year}-{last_year} reach beyond the {what} data available "
                f"({allowed.start}-{allowed.stop - 1})",
            )
        zone = zoneinfo.ZoneInfo(self.time_zone)
        public = _category_holidays(_PUBLIC, first_year, last_year)
        government: Mapping[date, tuple[str, ...]] = (
            _category_holidays(_GOVERNMENT, first_year, last_year)
            if self.include_cuti_bersama
            else types.MappingProxyType({})
        )
        by_date: dict[date, list[CalendarOverride]] = {}
        for override in self.overrides:
            by_date.setdefault(override.date, []).append(override)
        override_kind = {day: items[0].kind for day, items in by_date.items()}

        first = date(first_year, 1, 1)
        last = date(last_year, 12, 31)
        weekend_from = _SUNDAY if self.six_day_week else _SATURDAY
        base: dict[date, int] = {}
        working_dates: list[date] = []
        working_ends: list[datetime] = []
        count = 0
        day = first
        while day <= last:
            kind = override_kind.get(day)
            if kind is None:
                is_working = (
                    day.weekday() < weekend_from and day not in public and day not in government
                )
            else:
                is_working = kind is OverrideKind.WORKING_DAY
            if is_working:
                count += 1
                working_dates.append(day)
                working_ends.append(datetime.combine(day + _ONE_DAY, time(), tzinfo=zone))
            base[day] = count - 1
            day += _ONE_DAY

        setter = object.__setattr__
        setter(self, "first_date", first)
        setter(self, "last_date", last)
        setter(self, "_zone", zone)
        setter(self, "_base", base)
        setter(self, "_working", frozenset(working_dates))
        setter(self, "_working_dates", working_dates)
        setter(self, "_working_ends", working_ends)
        offsets = {
            datetime(year, month, 1, tzinfo=zone).utcoffset()
            for year in range(first_year, last_year + 2)
            for month in (1, 7)
        }
        only = offsets.pop() if len(offsets) == 1 else None
        only_seconds = int(only.total_seconds()) if only is not None else 0
        setter(self, "_fixed_offset", only_seconds if only is not None else None)
        # The UTC instant at which the first covered local day begins (fixed offsets).
        origin = datetime.combine(first, time(), tzinfo=UTC) - timedelta(seconds=only_seconds)
        setter(self, "_local_origin", origin)
        setter(self, "_positions", list(base.values()))
        setter(self, "_public", public)
        setter(self, "_government", government)
        setter(self, "_override_by_date", {day: tuple(items) for day, items in by_date.items()})

    # ----------------------------------------------------------------- derivation

    def replace(
        self,
        *,
        time_zone: str | None = None,
        include_cuti_bersama: bool | None = None,
        six_day_week: bool | None = None,
        overrides: Iterable[CalendarOverride] | None = None,
        years: Iterable[int] | None = None,
    ) -> WorkingCalendar:
        """Return a new calendar with some settings changed (``None`` keeps the current one).

        Args:
            time_zone: New IANA time-zone key.
            include_cuti_bersama: Whether collective leave is a day off.
            six_day_week: Whether Saturday is a working day.
            overrides: The complete new set of overrides (replaces the current ones).
            years: The new covered years.

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
        )

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

        .. versionadded:: 0.1.0
        """
        return _require_aware(instant).astimezone(self._zone).date()

    def _end_of_day(self, day: date) -> datetime:
        return datetime.combine(day + _ONE_DAY, time(), tzinfo=self._zone)

    def _as_local_date(self, value: datetime | date) -> date:
        if isinstance(value, datetime):
            return self.local_date(value)
        if isinstance(value, date):
            return value
        raise ValidationError(f"expected a date or an aware datetime, got {value!r}")

    # --------------------------------------------------------------------- errors

    def _day_error(self, day: object) -> Exception:
        """Build the error for a day that is not a key of the tables."""
        if isinstance(day, datetime):
            return ValidationError(
                f"expected a local date, got the datetime {day!r}; "
                "use local_date() or deadline() for instants",
            )
        if not isinstance(day, date):
            return ValidationError(f"expected a date, got {day!r}")
        return CalendarRangeError(
            f"{day.isoformat()} is outside the calendar's range "
            f"{self.first_date.isoformat()}..{self.last_date.isoformat()}",
        )

    def _count_error(self, day: date, n: object) -> Exception:
        if not isinstance(n, int):
            return ValidationError(f"n must be an int, got {n!r}")
        if n < 0:
            return ValidationError(f"n must be >= 0, got {n}")
        return CalendarRangeError(
            f"{n} working day(s) after {day.isoformat()} runs past the end of the calendar's "
            f"range {self.first_date.isoformat()}..{self.last_date.isoformat()}",
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
        if day in self._working:
            return True
        if day in self._base:
            return False
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
        if day not in self._base:
            raise self._day_error(day)
        overrides = self._override_by_date.get(day, ())
        if overrides and overrides[0].kind is OverrideKind.WORKING_DAY:
            return None
        names = [
            *self._public.get(day, ()),
            *self._government.get(day, ()),
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
            base = self._base[day]
        except (KeyError, TypeError):
            raise self._day_error(day) from None
        if n > 0:
            try:
                return self._working_dates[base + n]
            except (IndexError, TypeError):
                raise self._count_error(day, n) from None
        return self._working_dates[self._index_zero(day, base, n)]

    def _index_zero(self, day: date, base: int, n: object) -> int:
        """Return the working-day index for ``n == 0``, or raise for a bad ``n``."""
        if n != 0 or not isinstance(n, int):
            raise self._count_error(day, n)
        if day in self._working:
            return base
        if base + 1 >= len(self._working_dates):
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
        try:
            # Fast path: a zone with a fixed offset. The local day is then arithmetic on
            # the instant, without a time-zone conversion. Anything unusual (a naive or
            # non-datetime start, bad n, out of range) falls through to the checked path
            # below, which raises the right error.
            if n > 0 and self._fixed_offset is not None:
                index = (start - self._local_origin).days
                if index >= 0:
                    return self._working_ends[self._positions[index] + n]
        except (AttributeError, IndexError, TypeError):
            pass
        try:
            zone = start.tzinfo
        except AttributeError:
            zone = None
        # The UTC test first skips the costlier utcoffset() call in the common case.
        if zone is not UTC and (zone is None or start.utcoffset() is None):
            raise ValidationError(f"expected an aware datetime, got {start!r}")
        day = start.astimezone(self._zone).date()
        try:
            base = self._base[day]
        except KeyError:
            raise self._day_error(day) from None
        if n > 0:
            try:
                return self._working_ends[base + n]
            except (IndexError, TypeError):
                raise self._count_error(day, n) from None
        return self._working_ends[self._index_zero(day, base, n)]

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
            ValidationError: ``start`` is naive, or ``n`` is negative or not an int.

        .. versionadded:: 0.1.0
        """
        days = _require_count(n)
        return self._end_of_day(self.local_date(start) + timedelta(days=days))

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
            return self._base[day_b] - self._base[day_a]
        except KeyError:
            bad = day_a if day_a not in self._base else day_b
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
        counted: list[date] = []
        skipped: list[SkippedDay] = []
        current = day if n == 0 else day + _ONE_DAY
        while current <= result:
            if current in self._working:
                if n > 0:
                    counted.append(current)
            else:
                skipped.append(self._skipped(current))
            current += _ONE_DAY
        return Explanation(
            start=day,
            n=n,
            result=result,
            deadline=self._end_of_day(result),
            time_zone=self.time_zone,
            counted=tuple(counted),
            skipped=tuple(skipped),
        )

    def _skipped(self, day: date) -> SkippedDay:
        reasons: list[str] = []
        overrides = self._override_by_date.get(day, ())
        weekday = day.weekday()
        if weekday == _SUNDAY or (weekday == _SATURDAY and not self.six_day_week):
            reasons.append(f"weekend ({_DAY_NAMES[weekday]})")
        public = self._public.get(day, ())
        government = self._government.get(day, ())
        reasons.extend(public)
        reasons.extend(f"cuti bersama: {name}" for name in government)
        reasons.extend(f"override: {item.name} ({item.basis})" for item in overrides)
        estimated = any(_ESTIMATED_MARK in name for name in (*public, *government))
        return SkippedDay(date=day, reasons=tuple(reasons), estimated=estimated)


_OVERRIDE_KEYS: Final = ("date", "kind", "name", "basis")


def parse_overrides(text: str) -> tuple[CalendarOverride, ...]:
    """Parse calendar overrides from TOML text.

    The text holds ``[[override]]`` tables, each with exactly the keys ``date`` (a TOML
    date, e.g. ``2025-12-24``), ``kind`` (``"holiday"`` or ``"working_day"``), ``name``
    and ``basis`` (non-empty strings)::

        [[override]]
        date = 2025-12-24
        kind = "holiday"
        name = "Cuti bersama Natal (tambahan)"
        basis = "SKB 3 Menteri 2025"

    Reading the file is the caller's job; this function does no I/O.

    Args:
        text: The TOML document.

    Returns:
        The overrides in file order.

    Raises:
        ProfileError: Invalid TOML, or an unknown, missing or mistyped key; the message
            names the key with its 0-based index, e.g. ``override[2].basis``.

    .. versionadded:: 0.1.0
    """
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"overrides: invalid TOML: {exc}") from exc
    unknown = sorted(set(document) - {"override"})
    if unknown:
        raise ProfileError(f"{unknown[0]}: unknown key (expected only [[override]] tables)")
    return overrides_from_records(document.get("override", []))


def overrides_from_records(
    records: object, where: str = "override"
) -> tuple[CalendarOverride, ...]:
    """Build calendar overrides from already-parsed records (e.g. a profile's tables).

    Each record is a mapping with exactly the keys of :func:`parse_overrides`: ``date``
    (a :class:`~datetime.date`), ``kind``, ``name`` and ``basis``. This is what
    :func:`parse_overrides` does after reading the TOML, and what a profile's
    ``[[calendar.override]]`` tables go through.

    Args:
        records: A list of mappings (the parsed array of tables).
        where: The key path of the array, for error messages (``calendar.override`` in a
            profile).

    Returns:
        The overrides in order.

    Raises:
        ProfileError: Not a list of tables, or an unknown, missing or mistyped key; the
            message names the key with its 0-based index, e.g. ``override[2].basis``.

    .. versionadded:: 0.1.0
    """
    if not isinstance(records, list | tuple):
        raise ProfileError(f"{where}: expected an array of tables ([[{where}]])")
    result: list[CalendarOverride] = []
    for index, table in enumerate(records):
        at = f"{where}[{index}]"
        if not isinstance(table, dict):
            raise ProfileError(f"{at}: expected a table")
        result.append(_parse_override(at, table))
    return tuple(result)


def _parse_override(where: str, table: Mapping[str, object]) -> CalendarOverride:
    for key in table:
        if key not in _OVERRIDE_KEYS:
            raise ProfileError(f"{where}.{key}: unknown key")
    for key in _OVERRIDE_KEYS:
        if key not in table:
            raise ProfileError(f"{where}.{key}: missing key")
    day = table["date"]
    if not isinstance(day, date) or isinstance(day, datetime):
        raise ProfileError(f"{where}.date: expected a TOML date such as 2025-12-24, got {day!r}")
    kind = table["kind"]
    try:
        parsed_kind = OverrideKind(kind)
    except ValueError:
        raise ProfileError(
            f"{where}.kind: expected 'holiday' or 'working_day', got {kind!r}",
        ) from None
    texts: dict[str, str] = {}
    for key in ("name", "basis"):
        value = table[key]
        if not isinstance(value, str) or not value.strip():
            raise ProfileError(f"{where}.{key}: expected a non-empty string, got {value!r}")
        texts[key] = value
    return CalendarOverride(date=day, kind=parsed_kind, name=texts["name"], basis=texts["basis"])
