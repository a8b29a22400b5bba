"""
What the working calendar refuses, word for word, and the settings it passes on.

The other calendar tests check the arithmetic and the kind of error; these pin the
rest, so that mutation testing of ``lapor_core.domain.calendar`` (``bench/mutation.py
calendar``) finds a test for each change of its code: every refusal's whole message and
its fields, a count that is not an int given to each method that counts, a start whose
time zone gives no offset, the last day of the range reached with ``n == 0``, the data
warning's boundary, what ``replace`` and ``for_agency`` carry over, and the settings an
explanation reports.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from helpers import NoOffset, refused
from lapor_core.domain.calendar import CalendarOverride, OverrideKind, WorkingCalendar
from lapor_core.errors import CalendarRangeError, LaporError, ValidationError

CAL = WorkingCalendar()
SHORT = WorkingCalendar(years=range(2027, 2030))  # ends on Monday 31 December 2029
WIB = timezone(timedelta(hours=7))
NAIVE = datetime(2025, 3, 27, 9)  # noqa: DTZ001 - the refused input


NO_OFFSET = datetime(2025, 3, 27, 9, tzinfo=NoOffset())


def _holiday(day: date, name: str = "Libur daerah") -> CalendarOverride:
    return CalendarOverride(day, OverrideKind.HOLIDAY, name, "a local decree")


def _working(day: date) -> CalendarOverride:
    return CalendarOverride(day, OverrideKind.WORKING_DAY, "Hari kerja pengganti", "a decree")


REFUSALS: list[tuple[str, Callable[[], object], type[LaporError], str, dict[str, object]]] = [
    (
        "time zone not a string",
        lambda: WorkingCalendar(time_zone=7),
        ValidationError,
        "time_zone must be an IANA key string, got 7",
        {"value": 7},
    ),
    (
        "unknown time zone",
        lambda: WorkingCalendar(time_zone="Asia/Atlantis"),
        ValidationError,
        "unknown time zone 'Asia/Atlantis'",
        {"value": "Asia/Atlantis"},
    ),
    (
        "confirmed_until not an int",
        lambda: WorkingCalendar(confirmed_until="2025"),
        ValidationError,
        "confirmed_until must be a year (int), got '2025'",
        {"value": "2025"},
    ),
    (
        "confirmed_until a bool",
        lambda: WorkingCalendar(confirmed_until=True),
        ValidationError,
        "confirmed_until must be a year (int), got True",
        {"value": True},
    ),
    (
        "overrides not iterable",
        lambda: WorkingCalendar(overrides=5),  # type: ignore[arg-type]
        ValidationError,
        "overrides must be an iterable, got 5",
        {"value": 5},
    ),
    (
        "an override that is not one",
        lambda: WorkingCalendar(overrides=[_holiday(date(2025, 5, 2)), "2025-05-03"]),  # type: ignore[list-item]
        ValidationError,
        "overrides[1] must be a CalendarOverride, got '2025-05-03'",
        {"i": 1, "override": "2025-05-03"},
    ),
    (
        "contradictory overrides",
        lambda: WorkingCalendar(overrides=[_holiday(date(2025, 5, 2)), _working(date(2025, 5, 2))]),
        ValidationError,
        "overrides contradict each other on 2025-05-02: both a holiday and a working day",
        {"instant": "2025-05-02"},
    ),
    (
        "local date of a naive datetime",
        lambda: CAL.local_date(NAIVE),
        ValidationError,
        "expected an aware datetime, got datetime.datetime(2025, 3, 27, 9, 0)",
        {"value": NAIVE},
    ),
    (
        "local date past the last representable date",
        lambda: CAL.local_date(datetime.max.replace(tzinfo=timezone(timedelta(hours=-12)))),
        CalendarRangeError,
        (
            "9999-12-31T23:59:59.999999-12:00 has no local date in Asia/Jakarta (it is past the "
            "first or last representable date)"
        ),
        {"instant": "9999-12-31T23:59:59.999999-12:00", "time_zone": "Asia/Jakarta"},
    ),
    (
        "a datetime where a date is expected",
        lambda: CAL.is_working_day(datetime(2025, 3, 27, tzinfo=WIB)),
        ValidationError,
        (
            "expected a local date, got the datetime datetime.datetime(2025, 3, 27, 0, 0, "
            "tzinfo=datetime.timezone(datetime.timedelta(seconds=25200))); use local_date() or "
            "deadline() for instants"
        ),
        {"day": datetime(2025, 3, 27, tzinfo=WIB)},
    ),
    (
        "not a date",
        lambda: CAL.add_working_days("2025-03-27", 1),  # type: ignore[arg-type]
        ValidationError,
        "expected a date, got '2025-03-27'",
        {"day": "2025-03-27"},
    ),
    (
        "holiday name of an unhashable value",
        lambda: CAL.holiday_name([2025, 3, 27]),  # type: ignore[arg-type]
        ValidationError,
        "expected a date, got [2025, 3, 27]",
        {"day": [2025, 3, 27]},
    ),
    (
        "a date outside the range",
        lambda: SHORT.holiday_name(date(2030, 1, 1)),
        CalendarRangeError,
        "2030-01-01 is outside the calendar's range 2027-01-01..2029-12-31",
        {"day": "2030-01-01", "first": "2027-01-01", "last": "2029-12-31"},
    ),
    (
        "a count that is not an int",
        lambda: CAL.add_working_days(date(2025, 3, 27), "3"),  # type: ignore[arg-type]
        ValidationError,
        "n must be an int, got '3'",
        {"n": "3"},
    ),
    (
        "a negative count",
        lambda: CAL.add_working_days(date(2025, 3, 27), -1),
        ValidationError,
        "n must be >= 0, got -1",
        {"n": -1},
    ),
    (
        "a count past the end of the range",
        lambda: SHORT.add_working_days(date(2029, 12, 28), 2),
        CalendarRangeError,
        (
            "2 working day(s) after 2029-12-28 runs past the end of the calendar's range "
            "2027-01-01..2029-12-31"
        ),
        {"n": 2, "day": "2029-12-28", "first": "2027-01-01", "last": "2029-12-31"},
    ),
    (
        "no working day left for n == 0",
        lambda: WorkingCalendar(years=range(2027, 2029)).add_working_days(date(2028, 12, 30), 0),
        CalendarRangeError,
        (
            "0 working day(s) after 2028-12-30 runs past the end of the calendar's range "
            "2027-01-01..2028-12-31"
        ),
        {"n": 0, "day": "2028-12-30", "first": "2027-01-01", "last": "2028-12-31"},
    ),
    (
        "a deadline from a naive start",
        lambda: CAL.deadline(NAIVE, 3),
        ValidationError,
        "expected an aware datetime, got datetime.datetime(2025, 3, 27, 9, 0)",
        {"start": NAIVE},
    ),
    (
        "a deadline from a start whose zone gives no offset",
        lambda: CAL.deadline(NO_OFFSET, 3),
        ValidationError,
        f"expected an aware datetime, got {NO_OFFSET!r}",
        {"start": NO_OFFSET},
    ),
    (
        "a deadline from a start that is not a datetime",
        lambda: CAL.deadline("2025-03-27T09:00+07:00", 3),  # type: ignore[arg-type]
        ValidationError,
        "expected an aware datetime, got '2025-03-27T09:00+07:00'",
        {"start": "2025-03-27T09:00+07:00"},
    ),
    (
        "a deadline with a count that is not an int",
        lambda: CAL.deadline(datetime(2025, 3, 27, 9, tzinfo=WIB), 1.5),  # type: ignore[arg-type]
        ValidationError,
        "n must be an int, got 1.5",
        {"n": 1.5},
    ),
    (
        "a deadline with a negative count",
        lambda: CAL.deadline(datetime(2025, 3, 27, 9, tzinfo=WIB), -2),
        ValidationError,
        "n must be >= 0, got -2",
        {"n": -2},
    ),
    (
        "a deadline whose start is outside the range",
        lambda: SHORT.deadline(datetime(2026, 12, 31, 9, tzinfo=WIB), 1),
        CalendarRangeError,
        "2026-12-31 is outside the calendar's range 2027-01-01..2029-12-31",
        {"day": "2026-12-31", "first": "2027-01-01", "last": "2029-12-31"},
    ),
    (
        "a deadline past the end of the range",
        lambda: SHORT.deadline(datetime(2029, 12, 28, 9, tzinfo=WIB), 2),
        CalendarRangeError,
        (
            "2 working day(s) after 2029-12-28 runs past the end of the calendar's range "
            "2027-01-01..2029-12-31"
        ),
        {"n": 2, "day": "2029-12-28", "first": "2027-01-01", "last": "2029-12-31"},
    ),
    (
        "a deadline with n == 0 and no working day left",
        lambda: WorkingCalendar(years=range(2027, 2029)).deadline(
            datetime(2028, 12, 30, 9, tzinfo=WIB), 0
        ),
        CalendarRangeError,
        (
            "0 working day(s) after 2028-12-30 runs past the end of the calendar's range "
            "2027-01-01..2028-12-31"
        ),
        {"n": 0, "day": "2028-12-30", "first": "2027-01-01", "last": "2028-12-31"},
    ),
    (
        "calendar days counted with a count that is not an int",
        lambda: CAL.add_calendar_days_deadline(datetime(2025, 3, 27, tzinfo=WIB), "14"),  # type: ignore[arg-type]
        ValidationError,
        "n must be an int >= 0, got '14'",
        {"value": "14"},
    ),
    (
        "calendar days past the last representable date",
        lambda: CAL.add_calendar_days_deadline(datetime(9999, 12, 30, tzinfo=UTC), 5),
        ValidationError,
        "5 calendar day(s) after 9999-12-30 is past the last representable date 9999-12-31",
        {"days": 5, "instant": "9999-12-30", "later": "9999-12-31"},
    ),
    (
        "working days between a date and something else",
        lambda: CAL.working_days_between(date(2025, 3, 27), 20250410),  # type: ignore[arg-type]
        ValidationError,
        "expected a date or an aware datetime, got 20250410",
        {"value": 20250410},
    ),
    (
        "working days from a date before the range",
        lambda: SHORT.working_days_between(date(2026, 12, 1), date(2027, 3, 1)),
        CalendarRangeError,
        "2026-12-01 is outside the calendar's range 2027-01-01..2029-12-31",
        {"day": "2026-12-01", "first": "2027-01-01", "last": "2029-12-31"},
    ),
    (
        "working days between dates outside the range",
        lambda: SHORT.working_days_between(date(2027, 3, 1), date(2030, 2, 1)),
        CalendarRangeError,
        "2030-02-01 is outside the calendar's range 2027-01-01..2029-12-31",
        {"day": "2030-02-01", "first": "2027-01-01", "last": "2029-12-31"},
    ),
]


@pytest.mark.parametrize(
    ("call", "kind", "message", "fields"),
    [pytest.param(*case[1:], id=case[0]) for case in REFUSALS],
)
def test_each_refusal_word_for_word(
    call: Callable[[], object], kind: type[LaporError], message: str, fields: dict[str, object]
) -> None:
    """Every refusal: its class, its whole message and the fields it carries."""
    error = refused(call)
    assert type(error) is kind
    assert str(error) == message
    assert dict(error.fields) == fields
    assert error.template is not None
    assert error.template != message or not fields


def test_n_zero_reaches_the_last_day_of_the_range() -> None:
    """From a day off just before the range's last day, ``n == 0`` lands on that day."""
    assert SHORT.last_date == date(2029, 12, 31)
    assert SHORT.add_working_days(date(2029, 12, 30), 0) == date(2029, 12, 31)
    assert SHORT.deadline(datetime(2029, 12, 30, 9, tzinfo=WIB), 0).isoformat() == (
        "2030-01-01T00:00:00+07:00"
    )


def test_an_earlier_confirmed_year_counts_the_year_after_without_its_cuti_bersama() -> None:
    """``confirmed_until`` reaches the day table: 2026's *cuti bersama* is not yet known."""
    imlek_leave = date(2026, 2, 16)
    assert CAL.confirmed_until >= 2026
    assert not CAL.is_working_day(imlek_leave)
    assert WorkingCalendar(confirmed_until=2025).is_working_day(imlek_leave)


def test_data_warning_looks_twelve_months_ahead_by_default() -> None:
    """No warning while the confirmed data outlasts the horizon; the whole text after."""
    calendar = WorkingCalendar(confirmed_until=2025)
    assert calendar.data_warning(date(2024, 12, 31)) is None
    assert calendar.data_warning(date(2024, 12, 30), months=13) is not None
    assert calendar.data_warning(date(2025, 1, 1)) == (
        "the confirmed holiday data ends on 2025-12-31 (data hari libur yang pasti berakhir "
        "2025-12-31): deadlines from 2026-01-01 on are provisional; install a newer holidays "
        "package (pip install -U holidays), then run lapor-core recompute --previous-data 2025"
    )


def test_replace_keeps_what_it_is_not_given_and_changes_what_it_is() -> None:
    """Each setting of ``replace``: kept when ``None``, changed when given."""
    berau = _holiday(date(2025, 5, 2), "Hari jadi Kabupaten Berau")
    calendar = WorkingCalendar(
        time_zone="Asia/Makassar",
        include_cuti_bersama=False,
        six_day_week=True,
        overrides=(berau,),
        years=range(2024, 2027),
        confirmed_until=2025,
        agency_overrides=(("berau", (berau,)),),
    )
    assert calendar.replace() == calendar
    changed = {
        "time_zone": "Asia/Jayapura",
        "include_cuti_bersama": True,
        "six_day_week": False,
        "overrides": (),
        "years": range(2025, 2027),
        "confirmed_until": 2024,
        "agency_overrides": (),
    }
    for name, value in changed.items():
        other = calendar.replace(**{name: value})  # type: ignore[arg-type]
        assert getattr(other, name) == value, name
        for kept in changed:
            if kept != name:
                assert getattr(other, kept) == getattr(calendar, kept), (name, kept)


def test_an_agency_calendar_has_the_overrides_and_no_scoped_ones_left() -> None:
    """``for_agency`` folds the agency's overrides in and keeps no per-agency table."""
    day = date(2025, 5, 2)
    calendar = WorkingCalendar(agency_overrides=(("berau", (_holiday(day),)),))
    berau = calendar.for_agency("berau")
    assert berau.overrides == (_holiday(day),)
    assert berau.agency_overrides == ()
    assert not berau.is_working_day(day)
    assert calendar.is_working_day(day)
    assert calendar.for_agency("kemenkes") is calendar


def test_an_explanation_reports_the_calendars_zone_week_and_provisional_date() -> None:
    """A six-day week in WITA: a Saturday holiday is skipped for the holiday, not the weekend."""
    calendar = WorkingCalendar(time_zone="Asia/Makassar", six_day_week=True, confirmed_until=2025)
    explanation = calendar.explain(date(2025, 3, 27), 3)
    assert explanation.time_zone == "Asia/Makassar"
    assert explanation.provisional_from == date(2026, 1, 1)
    assert not explanation.provisional
    assert date(2025, 4, 5) in explanation.counted  # a Saturday, a working day here
    saturday = next(s for s in explanation.skipped if s.date == date(2025, 3, 29))
    assert saturday.reasons == ("Hari Suci Nyepi",)
    sunday = next(s for s in explanation.skipped if s.date == date(2025, 3, 30))
    assert sunday.reasons == ("weekend (Sunday)",)


def test_deadlines_in_a_zone_with_summer_time_count_from_the_local_day() -> None:
    """Past local midnight in summer time, the start's local day is the new one."""
    calendar = WorkingCalendar(time_zone="Europe/Amsterdam", years=range(2025, 2027))
    start = datetime(2025, 7, 9, 0, 30, tzinfo=ZoneInfo("Europe/Amsterdam"))
    assert calendar.local_date(start) == date(2025, 7, 9)
    expected = calendar.add_working_days(date(2025, 7, 9), 1)
    assert expected == date(2025, 7, 10)
    assert calendar.deadline(start, 1).isoformat() == "2025-07-11T00:00:00+02:00"
