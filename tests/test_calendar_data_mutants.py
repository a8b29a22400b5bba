"""
What `lapor_core.domain.calendar_data` builds and refuses, word for word (its mutation run).

A calendar caches its day table (``_shared_day_table``), so these tests call
:meth:`DayTable.build` itself, afresh, and compare every field of the table with one
written out by hand: the working days of 2025 (the weekdays without the national
holidays and the *cuti bersama* listed below), each date's position, the ends of the
working days, the holiday data, the overrides, the zone's fixed offset and where the
range begins in UTC. Also checked: the six-day week, overrides, the last year counted
with *cuti bersama*, the zones whose offset changes (summer time, Indonesia's own zone
changes of the 1960s), the edges of the supported years and their refusal, and what
:func:`to_years` accepts and refuses.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from holidays.countries.indonesia import Indonesia

from helpers import refused
from lapor_core import WorkingCalendar
from lapor_core.domain.calendar_data import (
    GOVERNMENT,
    PUBLIC,
    DayTable,
    holiday_names,
    supported_years,
    to_years,
)
from lapor_core.domain.calendar_overrides import CalendarOverride, OverrideKind
from lapor_core.errors import CalendarRangeError, ValidationError

JAKARTA = ZoneInfo("Asia/Jakarta")
ONE_DAY = timedelta(days=1)
YEAR_2025 = range(2025, 2026)
SUPPORTED = supported_years()
NATIONAL = range(int(Indonesia.start_year), int(Indonesia.end_year) + 1)

# The national holidays of 2025 on a weekday (Nyepi, 29 March, and three more fall on a
# weekend) and its cuti bersama, all on weekdays.
PUBLIC_ON_WEEKDAYS_2025 = frozenset(
    date(2025, month, day)
    for month, day in [
        (1, 1), (1, 27), (1, 29), (3, 31), (4, 1), (4, 18), (5, 1),
        (5, 12), (5, 29), (6, 6), (6, 27), (9, 5), (12, 25),
    ]
)  # fmt: skip
CUTI_BERSAMA_2025 = frozenset(
    date(2025, month, day)
    for month, day in [
        (1, 28), (3, 28), (4, 2), (4, 3), (4, 4), (4, 7),
        (5, 13), (5, 30), (6, 9), (8, 18), (12, 26),
    ]
)  # fmt: skip


def _days(first: date, last: date) -> list[date]:
    days = []
    day = first
    while day <= last:
        days.append(day)
        day += ONE_DAY
    return days


DAYS_2025 = _days(date(2025, 1, 1), date(2025, 12, 31))


def _weekdays(*, six_day_week: bool = False) -> list[date]:
    last_weekday = 5 if six_day_week else 4
    return [day for day in DAYS_2025 if day.weekday() <= last_weekday]


def _build(
    *,
    time_zone: str = "Asia/Jakarta",
    include_cuti_bersama: bool = True,
    six_day_week: bool = False,
    overrides: Iterable[CalendarOverride] = (),
    years: range = YEAR_2025,
    confirmed_until: int | None = None,
) -> DayTable:
    return DayTable.build(
        time_zone=time_zone,
        include_cuti_bersama=include_cuti_bersama,
        six_day_week=six_day_week,
        overrides=overrides,
        years=years,
        confirmed_until=confirmed_until,
    )


def _positions(days: list[date], working: list[date]) -> dict[date, int]:
    """Each day's number of working days up to and including it, less one."""
    counted = set(working)
    positions: dict[date, int] = {}
    count = 0
    for day in days:
        count += day in counted
        positions[day] = count - 1
    return positions


def _working_2025(table: DayTable) -> list[date]:
    return [day for day in DAYS_2025 if day in table.working]


def test_the_2025_table_of_jakarta_whole() -> None:
    table = _build()
    working = [day for day in _weekdays() if day not in PUBLIC_ON_WEEKDAYS_2025 | CUTI_BERSAMA_2025]
    assert len(working) == 237
    positions = _positions(DAYS_2025, working)

    assert (table.first, table.last) == (date(2025, 1, 1), date(2025, 12, 31))
    assert table.zone is JAKARTA
    assert table.working_dates == working
    assert table.working == frozenset(working)
    assert table.base == positions
    assert list(table.base) == DAYS_2025
    assert table.positions == list(positions.values())
    assert table.working_ends == [
        datetime.combine(day + ONE_DAY, time(), tzinfo=JAKARTA) for day in working
    ]
    assert table.working_ends[0].tzinfo is JAKARTA
    assert table.working_ends[0].isoformat() == "2025-01-03T00:00:00+07:00"
    assert table.fixed_offset == 7 * 3600
    assert table.local_origin == datetime(2024, 12, 31, 17, tzinfo=UTC)
    assert table.public == holiday_names(PUBLIC, 2025, 2025)
    assert table.public[date(2025, 3, 29)] == ("Hari Suci Nyepi",)
    assert table.government == holiday_names(GOVERNMENT, 2025, 2025)
    assert set(table.government) == CUTI_BERSAMA_2025
    assert table.overrides == {}


def test_positions_at_the_edges_of_the_year() -> None:
    table = _build()
    # 1 January is a holiday: no working day yet; 2 January is the first
    assert table.base[date(2025, 1, 1)] == -1
    assert table.base[date(2025, 1, 2)] == 0
    assert table.base[date(2025, 12, 31)] == 236
    assert table.working_dates[-1] == date(2025, 12, 31)


def test_a_six_day_week_works_every_saturday_but_holidays() -> None:
    five, six = _build(), _build(six_day_week=True)
    saturdays = {day for day in DAYS_2025 if day.weekday() == 5}

    assert set(six.working_dates) - set(five.working_dates) == saturdays - {date(2025, 3, 29)}
    assert set(five.working_dates) <= set(six.working_dates)
    assert date(2025, 4, 6) not in six.working  # Sundays still rest
    assert six.base == _positions(DAYS_2025, six.working_dates)


def test_overrides_decide_their_days_and_are_kept_by_date() -> None:
    extra = CalendarOverride(date(2025, 5, 2), OverrideKind.HOLIDAY, "Cuti tambahan", "SKB")
    again = CalendarOverride(date(2025, 5, 2), OverrideKind.HOLIDAY, "Libur daerah", "Perda")
    saturday = CalendarOverride(
        date(2025, 5, 3), OverrideKind.WORKING_DAY, "Hari kerja pengganti", "SE"
    )
    christmas = CalendarOverride(date(2025, 12, 25), OverrideKind.WORKING_DAY, "Masuk", "SE")
    plain = _build()

    table = _build(overrides=[extra, saturday, again, christmas])

    assert set(table.working) == (set(plain.working) - {date(2025, 5, 2)}) | {
        date(2025, 5, 3),
        date(2025, 12, 25),
    }
    assert table.base == _positions(DAYS_2025, table.working_dates)
    assert table.overrides == {
        date(2025, 5, 2): (extra, again),
        date(2025, 5, 3): (saturday,),
        date(2025, 12, 25): (christmas,),
    }


def test_cuti_bersama_is_counted_up_to_the_confirmed_year() -> None:
    both = range(2025, 2027)
    confirmed_2025 = _build(years=both, confirmed_until=2025)
    every_year = _build(years=both)
    leave_2026 = set(holiday_names(GOVERNMENT, 2026, 2026))

    assert confirmed_2025.government == holiday_names(GOVERNMENT, 2025, 2025)
    assert every_year.government == holiday_names(GOVERNMENT, 2025, 2026)
    assert leave_2026
    assert leave_2026 <= set(confirmed_2025.working)
    assert not leave_2026 & set(every_year.working)
    assert (confirmed_2025.first, confirmed_2025.last) == (date(2025, 1, 1), date(2026, 12, 31))


def test_a_confirmed_year_past_the_range_counts_only_the_range_s_leave() -> None:
    table = _build(confirmed_until=2026)
    assert table.government == holiday_names(GOVERNMENT, 2025, 2025)
    assert _working_2025(table) == _working_2025(_build())


def test_the_first_year_confirmed_still_has_its_cuti_bersama() -> None:
    table = _build(confirmed_until=2025)
    assert set(table.government) == CUTI_BERSAMA_2025
    assert not CUTI_BERSAMA_2025 & table.working


def test_no_cuti_bersama_before_the_first_year_or_when_not_included() -> None:
    for table in (_build(confirmed_until=2024), _build(include_cuti_bersama=False)):
        assert dict(table.government) == {}
        assert CUTI_BERSAMA_2025 <= table.working
        assert table.working_dates == [
            day for day in _weekdays() if day not in PUBLIC_ON_WEEKDAYS_2025
        ]


def test_the_offset_of_another_fixed_zone() -> None:
    table = _build(time_zone="Asia/Makassar")
    makassar = ZoneInfo("Asia/Makassar")
    assert table.zone is makassar
    assert table.fixed_offset == 8 * 3600
    assert table.local_origin == datetime(2024, 12, 31, 16, tzinfo=UTC)
    assert table.working_ends[0] == datetime(2025, 1, 3, tzinfo=makassar)


def test_a_zone_with_summer_time_has_no_fixed_offset() -> None:
    table = _build(time_zone="Europe/Amsterdam")
    assert table.fixed_offset is None
    assert table.local_origin == datetime(2025, 1, 1, tzinfo=UTC)
    amsterdam = ZoneInfo("Europe/Amsterdam")
    assert table.working_ends[0] == datetime(2025, 1, 3, tzinfo=amsterdam)
    assert table.working_ends[0].tzinfo is amsterdam


def test_summer_time_that_ends_in_july_is_not_a_fixed_offset() -> None:
    # Casablanca, 2011: UTC+1 from 3 April to 31 July only (UTC on 1 January and 1 August)
    assert _build(time_zone="Africa/Casablanca", years=range(2011, 2012)).fixed_offset is None


def test_an_offset_changed_for_weeks_inside_a_year_is_not_fixed() -> None:
    # Casablanca, 2025: UTC+1, but UTC+0 in Ramadan (23 February to 5 April); both
    # 1 January and 1 July are at UTC+1
    assert _build(time_zone="Africa/Casablanca", years=range(2025, 2026)).fixed_offset is None


def test_a_deadline_late_on_a_day_of_a_short_offset_change_counts_from_that_day() -> None:
    casablanca = ZoneInfo("Africa/Casablanca")
    calendar = WorkingCalendar(time_zone="Africa/Casablanca", years=range(2025, 2026))
    start = datetime(2025, 3, 10, 23, 30, tzinfo=casablanca)  # a Monday, at UTC+0
    assert calendar.add_working_days(date(2025, 3, 10), 1) == date(2025, 3, 11)
    assert calendar.deadline(start, 1) == datetime(2025, 3, 12, tzinfo=casablanca)


@pytest.mark.parametrize(
    ("zone", "year", "offset"),
    [
        # Bissau moved from UTC-1 to UTC on 1 January 1975 at 01:00, after the midnight
        # that ends 1974
        ("Africa/Bissau", 1974, -3600),
        # Juba moved from UTC+3 to UTC+2 on 1 February 2021
        ("Africa/Juba", 2020, 3 * 3600),
    ],
)
def test_an_offset_changed_after_the_midnight_that_ends_the_range_is_still_fixed(
    zone: str, year: int, offset: int
) -> None:
    table = _build(time_zone=zone, include_cuti_bersama=False, years=range(year, year + 1))
    assert table.fixed_offset == offset


def test_an_offset_changed_at_the_start_of_the_first_year_is_not_fixed() -> None:
    # Pontianak went from UTC+07:30 to UTC+08:00 as 1964 began: the first day of 1964
    # still begins at +07:30
    table = _build(time_zone="Asia/Pontianak", include_cuti_bersama=False, years=range(1964, 1965))
    assert table.fixed_offset is None
    assert table.local_origin == datetime(1964, 1, 1, tzinfo=UTC)


def test_an_offset_changed_two_years_after_the_range_is_still_fixed() -> None:
    # Jakarta was UTC+07:30 until the end of 1963: a 1962 table ends before the change
    table = _build(include_cuti_bersama=False, years=range(1962, 1963))
    assert table.fixed_offset == 7 * 3600 + 1800
    assert table.local_origin == datetime(1961, 12, 31, 16, 30, tzinfo=UTC)
    # and a 1963 table ends when it comes (the last day ends at midnight, UTC+07:00)
    later = _build(include_cuti_bersama=False, years=range(1963, 1964))
    assert later.fixed_offset is None


@pytest.mark.parametrize("year", [SUPPORTED.start, SUPPORTED.stop - 1])
def test_the_first_and_last_supported_years_are_built(year: int) -> None:
    table = _build(years=range(year, year + 1))
    assert (table.first, table.last) == (date(year, 1, 1), date(year, 12, 31))


@pytest.mark.parametrize("year", [NATIONAL.start, NATIONAL.stop - 1])
def test_the_first_and_last_national_years_are_built_without_cuti_bersama(year: int) -> None:
    table = _build(include_cuti_bersama=False, years=range(year, year + 1))
    assert (table.first, table.last) == (date(year, 1, 1), date(year, 12, 31))


@pytest.mark.parametrize(
    ("include", "years", "allowed", "what"),
    [
        (True, range(SUPPORTED.start - 1, SUPPORTED.start + 1), SUPPORTED, "cuti bersama"),
        (True, range(SUPPORTED.stop - 1, SUPPORTED.stop + 1), SUPPORTED, "cuti bersama"),
        (False, range(NATIONAL.start - 1, NATIONAL.start), NATIONAL, "national holiday"),
        (False, range(NATIONAL.stop, NATIONAL.stop + 1), NATIONAL, "national holiday"),
    ],
)
def test_years_past_the_data_are_refused_word_for_word(
    include: bool, years: range, allowed: range, what: str
) -> None:
    error = refused(lambda: _build(include_cuti_bersama=include, years=years))

    assert type(error) is CalendarRangeError
    assert str(error) == (
        f"years {years[0]}-{years[-1]} reach beyond the {what} data available "
        f"({allowed.start}-{allowed.stop - 1})"
    )
    assert dict(error.fields) == {
        "first_year": years[0],
        "last_year": years[-1],
        "what": what,
        "start": allowed.start,
        "value": allowed.stop - 1,
    }


def test_the_supported_years_without_cuti_bersama_are_the_package_s() -> None:
    assert supported_years(include_cuti_bersama=False) == NATIONAL
    assert supported_years(include_cuti_bersama=False) == range(1946, NATIONAL.stop)


def test_years_are_read_into_a_range() -> None:
    assert to_years(None) == SUPPORTED
    assert to_years(range(2025, 2028)) == range(2025, 2028)
    assert to_years([2027, 2025, 2026, 2026]) == range(2025, 2028)
    assert to_years(year for year in (2026, 2025)) == range(2025, 2027)
    assert to_years(range(2029, 2024, -1)) == range(2025, 2030)


@pytest.mark.parametrize(
    ("value", "template", "message", "fields"),
    [
        (
            range(2025, 2030, 2),
            "years must be contiguous, got {unique!r}",
            "years must be contiguous, got [2025, 2027, 2029]",
            {"unique": [2025, 2027, 2029]},
        ),
        (
            [2027, 2025],
            "years must be contiguous, got {unique!r}",
            "years must be contiguous, got [2025, 2027]",
            {"unique": [2025, 2027]},
        ),
        (
            ["2025", "x"],
            "years must be integers, got {value!r}",
            "years must be integers, got ['2025', 'x']",
            {"value": ["2025", "x"]},
        ),
        (5, "years must be integers, got {value!r}", "years must be integers, got 5", {"value": 5}),
        (
            [2025.5],
            "years must be integers, got {value!r}",
            "years must be integers, got [2025.5]",
            {"value": [2025.5]},
        ),
        (
            ["2025"],
            "years must be integers, got {value!r}",
            "years must be integers, got ['2025']",
            {"value": ["2025"]},
        ),
        (
            [True],
            "years must be integers, got {value!r}",
            "years must be integers, got [True]",
            {"value": [True]},
        ),
        (
            "2025",
            "years must be integers, got {value!r}",
            "years must be integers, got '2025'",
            {"value": "2025"},
        ),
        ([], "years must not be empty", "years must not be empty", {}),
        (range(2025, 2025), "years must not be empty", "years must not be empty", {}),
    ],
)
def test_bad_years_are_refused_word_for_word(
    value: object, template: str, message: str, fields: dict[str, object]
) -> None:
    error = refused(lambda: to_years(value))  # type: ignore[arg-type]
    assert type(error) is ValidationError
    assert error.template == template
    assert str(error) == message
    assert dict(error.fields) == fields
