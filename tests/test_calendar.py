# Copyright (c) 2026 lapor_core developers. SPDX-License-Identifier: MIT
"""Tests for lapor_core.domain.calendar: the working-day calendar."""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import holidays
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from lapor_core.domain.calendar import (
    PROVISIONAL_YEARS,
    CalendarOverride,
    Explanation,
    OverrideKind,
    SkippedDay,
    WorkingCalendar,
    confirmed_years,
    parse_overrides,
    supported_years,
)
from lapor_core.errors import CalendarRangeError, ProfileError, ValidationError

DATA = Path(__file__).parent / "data"
ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
FIRST = date(2002, 1, 1)
LAST = date(2027, 12, 31)
WIB = timezone(timedelta(hours=7))
WITA = timezone(timedelta(hours=8))


# --------------------------------------------------------------------------- oracle


@functools.cache
def _off_days(cuti_bersama: bool) -> frozenset[date]:
    """National holidays (and cuti bersama) straight from the holidays package."""
    categories = ("public", "government") if cuti_bersama else ("public",)
    data = holidays.country_holidays(
        "ID",
        years=range(FIRST.year, LAST.year + 1),
        categories=categories,
        language="id",
    )
    return frozenset(data)


def _naive_is_working(
    day: date,
    *,
    cuti_bersama: bool,
    six_day_week: bool,
    overrides: tuple[CalendarOverride, ...] = (),
) -> bool:
    for override in overrides:
        if override.date == day:
            return override.kind is OverrideKind.WORKING_DAY
    weekend_from = 6 if six_day_week else 5
    return day.weekday() < weekend_from and day not in _off_days(cuti_bersama)


def _naive_add_working_days(
    day: date,
    n: int,
    *,
    cuti_bersama: bool,
    six_day_week: bool,
    overrides: tuple[CalendarOverride, ...] = (),
) -> date | None:
    """Day-by-day reference; None when the count runs past the end of the data."""

    def working(d: date) -> bool:
        return _naive_is_working(
            d, cuti_bersama=cuti_bersama, six_day_week=six_day_week, overrides=overrides
        )

    current = day
    if n == 0:
        while not working(current):
            current += timedelta(days=1)
            if current > LAST:
                return None
        return current
    counted = 0
    while counted < n:
        current += timedelta(days=1)
        if current > LAST:
            return None
        if working(current):
            counted += 1
    return current


@functools.cache
def _calendar(time_zone: str, cuti_bersama: bool, six_day_week: bool) -> WorkingCalendar:
    # the confirmed years only: the oracle knows no estimated ones
    return WorkingCalendar(
        time_zone=time_zone,
        include_cuti_bersama=cuti_bersama,
        six_day_week=six_day_week,
        years=range(FIRST.year, LAST.year + 1),
    )


def _end_of(day: date, zone: str) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=ZoneInfo(zone))


instants = st.datetimes(
    min_value=datetime(2002, 1, 1),  # noqa: DTZ001 - bounds of an aware strategy must be naive
    max_value=datetime(2027, 12, 31, 23, 59, 59),  # noqa: DTZ001
    timezones=st.just(UTC),
)
days = st.dates(min_value=FIRST, max_value=LAST)
counts = st.integers(min_value=0, max_value=120)
configs = st.tuples(st.sampled_from(ZONES), st.booleans(), st.booleans())


# ------------------------------------------------------------- properties vs oracle


@given(start=instants, n=counts, config=configs)
def test_deadline_matches_naive_oracle(
    start: datetime, n: int, config: tuple[str, bool, bool]
) -> None:
    zone, cuti, six = config
    calendar = _calendar(zone, cuti, six)
    local = start.astimezone(ZoneInfo(zone)).date()
    if local > LAST:
        with pytest.raises(CalendarRangeError):
            calendar.deadline(start, n)
        return
    expected = _naive_add_working_days(local, n, cuti_bersama=cuti, six_day_week=six)
    if expected is None:
        with pytest.raises(CalendarRangeError):
            calendar.deadline(start, n)
        with pytest.raises(CalendarRangeError):
            calendar.add_working_days(local, n)
        return
    assert calendar.local_date(start) == local
    assert calendar.add_working_days(local, n) == expected
    result = calendar.deadline(start, n)
    assert result == _end_of(expected, zone)
    assert result.utcoffset() == ZoneInfo(zone).utcoffset(result)
    assert result.astimezone(ZoneInfo(zone)).time() == time()


@given(day=days, n=counts, config=configs)
def test_result_is_a_working_day_and_monotonic_in_n(
    day: date, n: int, config: tuple[str, bool, bool]
) -> None:
    calendar = _calendar(*config)
    try:
        result = calendar.add_working_days(day, n)
        following = calendar.add_working_days(day, n + 1)
    except CalendarRangeError:
        assume(False)
        raise
    assert calendar.is_working_day(result)
    assert _naive_is_working(result, cuti_bersama=config[1], six_day_week=config[2])
    assert result >= day
    if n >= 1:
        assert result > day
        assert following > result
    else:
        assert following >= result


@given(
    day=st.dates(min_value=FIRST, max_value=date(2027, 6, 30)),
    a=st.integers(min_value=0, max_value=60),
    b=st.integers(min_value=0, max_value=60),
    config=configs,
)
def test_add_a_then_b_equals_add_a_plus_b(
    day: date, a: int, b: int, config: tuple[str, bool, bool]
) -> None:
    calendar = _calendar(*config)
    if a == 0:
        assume(calendar.is_working_day(day))
    once = calendar.add_working_days(day, a)
    assert calendar.add_working_days(once, b) == calendar.add_working_days(day, a + b)


@given(day=days, n=st.integers(min_value=1, max_value=120), config=configs)
def test_working_days_between_inverts_add(
    day: date, n: int, config: tuple[str, bool, bool]
) -> None:
    calendar = _calendar(*config)
    try:
        result = calendar.add_working_days(day, n)
    except CalendarRangeError:
        assume(False)
        raise
    assert calendar.working_days_between(day, result) == n
    assert calendar.working_days_between(result, day) == -n


@given(
    a=st.dates(min_value=date(2003, 3, 1), max_value=date(2026, 10, 1)),
    delta=st.integers(min_value=-400, max_value=400),
    config=configs,
)
def test_working_days_between_counts_half_open_interval(
    a: date, delta: int, config: tuple[str, bool, bool]
) -> None:
    calendar = _calendar(*config)
    b = a + timedelta(days=delta)
    low, high = min(a, b), max(a, b)
    expected = sum(
        _naive_is_working(low + timedelta(days=i), cuti_bersama=config[1], six_day_week=config[2])
        for i in range(1, (high - low).days + 1)
    )
    sign = 1 if b >= a else -1
    assert calendar.working_days_between(a, b) == sign * expected
    start = datetime.combine(a, time(12), tzinfo=ZoneInfo(config[0]))
    assert calendar.working_days_between(start, b) == sign * expected


@given(start=instants, n=st.integers(min_value=0, max_value=120), zone=st.sampled_from(ZONES))
def test_calendar_day_deadline_is_end_of_local_day(start: datetime, n: int, zone: str) -> None:
    calendar = _calendar(zone, True, False)
    local = start.astimezone(ZoneInfo(zone)).date()
    assert calendar.add_calendar_days_deadline(start, n) == _end_of(local + timedelta(days=n), zone)


# ------------------------------------------------------------------ worked cases


@pytest.mark.parametrize(
    ("cuti", "expected"),
    [
        (False, (date(2025, 4, 3), date(2025, 4, 10), date(2025, 4, 25))),
        (True, (date(2025, 4, 10), date(2025, 4, 17), date(2025, 5, 5))),
    ],
)
def test_domain_worked_example(cuti: bool, expected: tuple[date, date, date]) -> None:
    calendar = WorkingCalendar(include_cuti_bersama=cuti)
    submitted = datetime(2025, 3, 27, 9, 30, tzinfo=WIB)
    forward = calendar.add_working_days(calendar.local_date(submitted), 3)
    follow_up = calendar.add_working_days(forward, 5)
    auto_close = calendar.add_working_days(follow_up, 10)
    assert (forward, follow_up, auto_close) == expected
    assert calendar.deadline(submitted, 3) == _end_of(expected[0], "Asia/Jakarta")


def test_deadline_instant_in_wita() -> None:
    calendar = WorkingCalendar(time_zone="Asia/Makassar", include_cuti_bersama=False)
    result = calendar.deadline(datetime(2025, 3, 27, 10, tzinfo=WITA), 3)
    assert result == datetime(2025, 4, 4, tzinfo=WITA)
    assert result.utcoffset() == timedelta(hours=8)
    assert str(result.tzinfo) == "Asia/Makassar"


def test_instant_late_in_utc_day_is_next_local_day() -> None:
    calendar = WorkingCalendar(include_cuti_bersama=False)
    # Wed 2025-03-26 20:00 UTC is Thu 2025-03-27 03:00 in Jakarta.
    start = datetime(2025, 3, 26, 20, tzinfo=UTC)
    assert calendar.local_date(start) == date(2025, 3, 27)
    assert calendar.deadline(start, 3) == datetime(2025, 4, 4, tzinfo=WIB)
    same_in_utc = WorkingCalendar(time_zone="UTC", include_cuti_bersama=False)
    assert same_in_utc.deadline(start, 3) == datetime(2025, 4, 3, tzinfo=UTC)


def test_zero_working_days() -> None:
    calendar = WorkingCalendar()
    assert calendar.add_working_days(date(2025, 4, 8), 0) == date(2025, 4, 8)
    # Sat 2025-03-29 .. Mon 2025-04-07 are all days off with cuti bersama.
    assert calendar.add_working_days(date(2025, 3, 29), 0) == date(2025, 4, 8)
    assert calendar.add_working_days(date(2025, 3, 29), 1) == date(2025, 4, 8)


def test_six_day_week_counts_saturday() -> None:
    five = WorkingCalendar(include_cuti_bersama=False)
    six = WorkingCalendar(include_cuti_bersama=False, six_day_week=True)
    saturday = date(2025, 3, 22)
    assert not five.is_working_day(saturday)
    assert six.is_working_day(saturday)
    assert not six.is_working_day(date(2025, 3, 23))  # Sunday
    assert not six.is_working_day(date(2025, 3, 29))  # Saturday, but Nyepi
    assert six.add_working_days(date(2025, 3, 20), 2) == saturday
    assert five.add_working_days(date(2025, 3, 20), 2) == date(2025, 3, 24)


def test_calendar_days_deadline() -> None:
    calendar = WorkingCalendar()
    start = datetime(2025, 3, 27, 20, tzinfo=UTC)  # 2025-03-28 in Jakarta
    assert calendar.add_calendar_days_deadline(start, 14) == datetime(2025, 4, 12, tzinfo=WIB)
    assert calendar.add_calendar_days_deadline(start, 0) == datetime(2025, 3, 29, tzinfo=WIB)


# --------------------------------------------------------------------- overrides


def _override(
    day: date, kind: OverrideKind, name: str = "Libur", basis: str = "Keppres"
) -> CalendarOverride:
    return CalendarOverride(date=day, kind=kind, name=name, basis=basis)


def test_holiday_override_moves_deadline() -> None:
    calendar = WorkingCalendar(include_cuti_bersama=False)
    start = date(2025, 3, 27)
    assert calendar.add_working_days(start, 3) == date(2025, 4, 3)
    decreed = calendar.with_overrides(_override(date(2025, 4, 2), OverrideKind.HOLIDAY))
    assert decreed.add_working_days(start, 3) == date(2025, 4, 4)
    assert not decreed.is_working_day(date(2025, 4, 2))
    assert calendar.is_working_day(date(2025, 4, 2))  # the original is unchanged
    assert calendar.overrides == ()
    assert len(decreed.overrides) == 1


def test_working_day_override_makes_cuti_bersama_count() -> None:
    calendar = WorkingCalendar()
    start = date(2025, 3, 27)
    assert not calendar.is_working_day(date(2025, 4, 2))
    cancelled = calendar.with_overrides(
        _override(date(2025, 4, 2), OverrideKind.WORKING_DAY, "Cuti bersama batal")
    )
    assert cancelled.is_working_day(date(2025, 4, 2))
    assert cancelled.holiday_name(date(2025, 4, 2)) is None
    assert cancelled.add_working_days(start, 3) == date(2025, 4, 9)
    assert cancelled.explain(start, 3).counted == (
        date(2025, 4, 2),
        date(2025, 4, 8),
        date(2025, 4, 9),
    )


def test_working_day_override_on_a_saturday() -> None:
    calendar = WorkingCalendar().with_overrides(
        _override(date(2025, 3, 22), OverrideKind.WORKING_DAY)
    )
    assert calendar.is_working_day(date(2025, 3, 22))
    assert calendar.add_working_days(date(2025, 3, 21), 1) == date(2025, 3, 22)


def test_contradictory_overrides_are_refused() -> None:
    with pytest.raises(ValidationError, match="2025-04-02"):
        WorkingCalendar(
            overrides=(
                _override(date(2025, 4, 2), OverrideKind.HOLIDAY),
                _override(date(2025, 4, 2), OverrideKind.WORKING_DAY),
            )
        )


def test_override_record_validates_fields() -> None:
    with pytest.raises(ValidationError, match="date"):
        CalendarOverride(
            date=datetime(2025, 4, 2, tzinfo=UTC),
            kind=OverrideKind.HOLIDAY,
            name="x",
            basis="y",
        )
    with pytest.raises(ValidationError, match="name"):
        _override(date(2025, 4, 2), OverrideKind.HOLIDAY, name="  ")


def test_replace_changes_settings() -> None:
    calendar = WorkingCalendar()
    wit = calendar.replace(time_zone="Asia/Jayapura", include_cuti_bersama=False)
    assert (wit.time_zone, wit.include_cuti_bersama, wit.six_day_week) == (
        "Asia/Jayapura",
        False,
        False,
    )
    assert wit.years == calendar.years
    assert calendar.time_zone == "Asia/Jakarta"
    assert calendar.replace() == calendar


def test_calendar_is_immutable() -> None:
    calendar = WorkingCalendar()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        calendar.time_zone = "Asia/Makassar"  # type: ignore[misc]


def test_parse_overrides_from_file() -> None:
    overrides = parse_overrides((DATA / "calendar_overrides.toml").read_text(encoding="utf-8"))
    assert [(o.date, o.kind) for o in overrides] == [
        (date(2025, 4, 2), OverrideKind.WORKING_DAY),
        (date(2025, 4, 14), OverrideKind.HOLIDAY),
        (date(2025, 12, 31), OverrideKind.HOLIDAY),
    ]
    assert overrides[1].name == "Hari libur daerah (contoh)"
    assert overrides[1].basis == "Contoh: keputusan kepala daerah"
    calendar = WorkingCalendar(overrides=overrides)
    assert calendar.is_working_day(date(2025, 4, 2))
    assert not calendar.is_working_day(date(2025, 4, 14))
    assert parse_overrides("") == ()


_GOOD = 'date = 2025-04-02\nkind = "holiday"\nname = "A"\nbasis = "B"\n'


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (f"[[override]]\n{_GOOD}[[override]]\n{_GOOD}colour = 'red'\n", "override[1].colour"),
        (
            (
                f"[[override]]\n{_GOOD}[[override]]\n{_GOOD}[[override]]\ndate = 2025-04-02\n"
                'kind = "holiday"\nname = "A"\n'
            ),
            "override[2].basis",
        ),
        (
            '[[override]]\ndate = "2025-04-02"\nkind = "holiday"\nname = "A"\nbasis = "B"\n',
            "override[0].date",
        ),
        (
            '[[override]]\ndate = 2025-04-02T10:00:00\nkind = "holiday"\nname = "A"\nbasis = "B"\n',
            "override[0].date",
        ),
        (
            '[[override]]\ndate = 2025-04-02\nkind = "libur"\nname = "A"\nbasis = "B"\n',
            "override[0].kind",
        ),
        (
            '[[override]]\ndate = 2025-04-02\nkind = "holiday"\nname = 3\nbasis = "B"\n',
            "override[0].name",
        ),
        (
            '[[override]]\ndate = 2025-04-02\nkind = "holiday"\nname = "A"\nbasis = ""\n',
            "override[0].basis",
        ),
        (f"version = 1\n[[override]]\n{_GOOD}", "version"),
        ("override = 3\n", "override"),
        ("override = [1]\n", "override[0]"),
        ("[[override]\n", "overrides: invalid TOML"),
    ],
)
def test_parse_overrides_errors_name_the_key(text: str, where: str) -> None:
    with pytest.raises(ProfileError, match="^" + re.escape(where)):
        parse_overrides(text)


# ----------------------------------------------------------------------- explain


def test_explain_lists_reasons() -> None:
    calendar = WorkingCalendar().with_overrides(
        _override(date(2025, 4, 8), OverrideKind.HOLIDAY, "Libur daerah", "Perda 1/2025")
    )
    explanation = calendar.explain(datetime(2025, 3, 27, 10, tzinfo=WIB), 3)
    assert isinstance(explanation, Explanation)
    assert explanation.start == date(2025, 3, 27)
    assert explanation.result == date(2025, 4, 11)
    assert explanation.deadline == datetime(2025, 4, 12, tzinfo=WIB)
    assert explanation.counted == (date(2025, 4, 9), date(2025, 4, 10), date(2025, 4, 11))
    reasons = {skipped.date: skipped.reasons for skipped in explanation.skipped}
    assert reasons[date(2025, 3, 28)] == ("cuti bersama: Cuti Bersama Hari Suci Nyepi",)
    assert reasons[date(2025, 3, 29)] == ("weekend (Saturday)", "Hari Suci Nyepi")
    assert reasons[date(2025, 3, 30)] == ("weekend (Sunday)",)
    assert reasons[date(2025, 3, 31)] == ("Hari Raya Idul Fitri",)
    assert reasons[date(2025, 4, 2)] == ("cuti bersama: Cuti Bersama Hari Raya Idul Fitri",)
    assert reasons[date(2025, 4, 8)] == ("override: Libur daerah (Perda 1/2025)",)
    assert sorted(reasons) == [date(2025, 3, 28) + timedelta(days=i) for i in range(12)]
    assert not explanation.estimated
    text = explanation.render()
    assert "2025-03-31 Monday" in text
    assert "Hari Raya Idul Fitri" in text
    assert "override: Libur daerah (Perda 1/2025)" in text
    assert "working day 3" in text
    assert "2025-04-12T00:00:00+07:00" in text
    assert len(text.splitlines()) == 4 + 12 + 3


def test_explain_without_cuti_bersama_does_not_skip_it() -> None:
    calendar = WorkingCalendar(include_cuti_bersama=False)
    explanation = calendar.explain(date(2025, 3, 27), 3)
    assert explanation.counted == (date(2025, 3, 28), date(2025, 4, 2), date(2025, 4, 3))
    assert all(
        not reason.startswith("cuti bersama") for s in explanation.skipped for reason in s.reasons
    )


def test_explain_zero_on_a_day_off() -> None:
    calendar = WorkingCalendar()
    explanation = calendar.explain(date(2025, 4, 5), 0)
    assert explanation.result == date(2025, 4, 8)
    assert explanation.counted == ()
    assert [s.date for s in explanation.skipped] == [
        date(2025, 4, 5),
        date(2025, 4, 6),
        date(2025, 4, 7),
    ]


def test_explain_flags_estimated_2027_idul_fitri() -> None:
    calendar = WorkingCalendar()
    explanation = calendar.explain(date(2027, 3, 5), 5)
    by_date = {s.date: s for s in explanation.skipped}
    eid = by_date[date(2027, 3, 10)]
    assert eid == SkippedDay(
        date=date(2027, 3, 10), reasons=("Hari Raya Idul Fitri (perkiraan)",), estimated=True
    )
    assert not by_date[date(2027, 3, 6)].estimated
    assert explanation.estimated
    assert "estimated" in explanation.render()


def test_holiday_name() -> None:
    calendar = WorkingCalendar()
    assert calendar.holiday_name(date(2025, 3, 31)) == "Hari Raya Idul Fitri"
    assert calendar.holiday_name(date(2025, 4, 2)) == "Cuti Bersama Hari Raya Idul Fitri"
    assert calendar.holiday_name(date(2025, 3, 22)) is None  # a plain Saturday
    assert calendar.holiday_name(date(2025, 4, 8)) is None
    no_cuti = calendar.replace(include_cuti_bersama=False)
    assert no_cuti.holiday_name(date(2025, 4, 2)) is None
    # Two holidays on one day are both named.
    assert (
        calendar.holiday_name(date(2021, 5, 13)) == "Hari Raya Idul Fitri; Kenaikan Yesus Kristus"
    )


# -------------------------------------------------------------- range and errors


def test_default_years_follow_the_cuti_bersama_data() -> None:
    calendar = WorkingCalendar()
    assert calendar.years == supported_years()
    assert calendar.first_date == date(calendar.years[0], 1, 1)
    assert calendar.last_date == date(calendar.years[-1], 12, 31)
    confirmed = confirmed_years()
    government = holidays.country_holidays(
        "ID", years=calendar.years, categories=("government",), language="id"
    )
    # cuti bersama data for the confirmed years, estimated years after them
    assert {day.year for day in government} == set(confirmed)
    assert confirmed.start == calendar.years.start
    assert calendar.years.stop == confirmed.stop + PROVISIONAL_YEARS
    assert date(confirmed[-1] + 1, 1, 1) == calendar.provisional_from
    assert 2002 in calendar.years
    assert 2027 in confirmed
    assert 2031 in calendar.years


def test_years_beyond_the_supported_range_are_refused() -> None:
    last = supported_years()[-1]
    with pytest.raises(CalendarRangeError, match=str(last + 1)):
        WorkingCalendar(years=range(last - 1, last + 2))
    public_only = WorkingCalendar(include_cuti_bersama=False, years=[last + 1])
    assert public_only.first_date == date(last + 1, 1, 1)
    assert not public_only.is_working_day(date(last + 1, 1, 1))  # New Year's Day


def test_bad_years_are_refused() -> None:
    with pytest.raises(ValidationError, match="contiguous"):
        WorkingCalendar(years=[2024, 2026])
    with pytest.raises(ValidationError, match="empty"):
        WorkingCalendar(years=[])


LAST_SUPPORTED = supported_years()[-1]


@pytest.mark.parametrize("day", [date(2001, 12, 31), date(LAST_SUPPORTED + 1, 1, 1)])
def test_dates_outside_the_range_raise(day: date) -> None:
    calendar = WorkingCalendar()
    with pytest.raises(
        CalendarRangeError, match=rf"{day.isoformat()}.*2002-01-01\.\.{LAST_SUPPORTED}-12-31"
    ):
        calendar.add_working_days(day, 1)
    with pytest.raises(CalendarRangeError):
        calendar.is_working_day(day)
    with pytest.raises(CalendarRangeError):
        calendar.holiday_name(day)
    with pytest.raises(CalendarRangeError):
        calendar.working_days_between(date(2025, 1, 1), day)
    with pytest.raises(CalendarRangeError):
        calendar.deadline(datetime.combine(day, time(12), tzinfo=WIB), 1)


def test_running_off_the_end_raises() -> None:
    calendar = WorkingCalendar(years=[2025])
    assert calendar.add_working_days(date(2025, 12, 22), 3) == date(2025, 12, 29)
    with pytest.raises(CalendarRangeError, match="2025-12-22"):
        calendar.add_working_days(date(2025, 12, 22), 10)
    with pytest.raises(CalendarRangeError):
        calendar.deadline(datetime(2025, 12, 22, tzinfo=WIB), 10)
    with pytest.raises(CalendarRangeError):
        calendar.explain(date(2025, 12, 22), 10)
    # The last working day is 2025-12-31; the weekend before has no "next" working day after it.
    assert calendar.add_working_days(date(2025, 12, 31), 0) == date(2025, 12, 31)
    with pytest.raises(CalendarRangeError):
        calendar.add_working_days(date(2025, 12, 31), 1)


def test_last_day_off_with_zero_raises() -> None:
    calendar = WorkingCalendar(years=[2025]).with_overrides(
        _override(date(2025, 12, 31), OverrideKind.HOLIDAY)
    )
    with pytest.raises(CalendarRangeError):
        calendar.add_working_days(date(2025, 12, 31), 0)


def test_naive_datetimes_are_refused() -> None:
    calendar = WorkingCalendar()
    naive = datetime(2025, 3, 27, 10)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValidationError, match="aware"):
        calendar.deadline(naive, 3)
    with pytest.raises(ValidationError, match="aware"):
        calendar.local_date(naive)
    with pytest.raises(ValidationError, match="aware"):
        calendar.add_calendar_days_deadline(naive, 14)
    with pytest.raises(ValidationError, match="aware"):
        calendar.working_days_between(naive, date(2025, 4, 1))
    with pytest.raises(ValidationError, match="aware"):
        calendar.explain(naive, 3)


def test_datetime_where_a_date_is_expected_is_refused() -> None:
    calendar = WorkingCalendar()
    with pytest.raises(ValidationError, match="datetime"):
        calendar.add_working_days(datetime(2025, 3, 27, tzinfo=WIB), 3)
    with pytest.raises(ValidationError, match="datetime"):
        calendar.is_working_day(datetime(2025, 3, 27, tzinfo=WIB))


@pytest.mark.parametrize("zone", ["Asia/Atlantis", "WIB", "", "../etc/passwd"])
def test_unknown_time_zone_is_refused(zone: str) -> None:
    with pytest.raises(ValidationError, match="time zone"):
        WorkingCalendar(time_zone=zone)


def test_negative_n_is_refused() -> None:
    calendar = WorkingCalendar()
    start = datetime(2025, 3, 27, tzinfo=WIB)
    with pytest.raises(ValidationError, match="-1"):
        calendar.add_working_days(date(2025, 3, 27), -1)
    with pytest.raises(ValidationError, match="-1"):
        calendar.deadline(start, -1)
    with pytest.raises(ValidationError, match="-1"):
        calendar.add_calendar_days_deadline(start, -1)
    with pytest.raises(ValidationError, match="-5"):
        calendar.explain(start, -5)


@given(
    start=instants,
    n=st.integers(min_value=0, max_value=120),
    zone=st.sampled_from(ZONES),
    shown_in=st.sampled_from((*ZONES, "UTC", "Europe/Amsterdam", "America/New_York")),
)
def test_deadline_does_not_depend_on_the_zone_the_instant_is_written_in(
    start: datetime, n: int, zone: str, shown_in: str
) -> None:
    calendar = _calendar(zone, cuti_bersama=True, six_day_week=False)
    same_instant = start.astimezone(ZoneInfo(shown_in))
    try:
        expected = calendar.deadline(start, n)
    except CalendarRangeError:
        with pytest.raises(CalendarRangeError):
            calendar.deadline(same_instant, n)
        return
    assert expected == calendar.deadline(same_instant, n)
    local = start.astimezone(ZoneInfo(zone)).date()
    assert calendar.add_working_days(local, n) + timedelta(days=1) == expected.date()


@pytest.mark.parametrize("today", [date(9999, 1, 1), date(9999, 12, 31), date.max])
def test_data_warning_in_the_year_9999_warns_instead_of_failing(today: date) -> None:
    """Twelve months after a day of the year 9999 is past ``date.max``: the data ends sooner."""
    calendar = WorkingCalendar(confirmed_until=2025)
    warning = calendar.data_warning(today)
    assert warning is not None
    assert "ends on 2025-12-31" in warning


def test_18_august_2025_is_collective_leave_and_an_override_makes_it_a_holiday() -> None:
    """The day in doubt (domain.md §8 q9): cuti bersama off makes it a working day."""
    from lapor_core.domain.calendar_overrides import CalendarOverride, OverrideKind  # noqa: PLC0415
    from lapor_core.profiles import load_profile  # noqa: PLC0415

    day = date(2025, 8, 18)
    calendar = load_profile("national").calendar()
    assert not calendar.is_working_day(day)
    without = calendar.replace(include_cuti_bersama=False)
    assert without.is_working_day(day)
    override = CalendarOverride(day, OverrideKind.HOLIDAY, "Hari libur", "pengumuman pemerintah")
    assert not without.with_overrides(override).is_working_day(day)
