"""
What `lapor_core.domain.calendar_explain` answers, compared whole (its mutation run).

Each explanation of a count is compared field by field with one written out by hand
(the count requested, the zone, the provisional date, every day counted and skipped with
its reasons), and each rendering line by line: the working days numbered from 1, the
reasons of a day joined with ``"; "``, the estimated mark only on estimated days, the
notes on estimates and on a provisional deadline, and the order of the lines.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from lapor_core.domain.calendar import WorkingCalendar
from lapor_core.domain.calendar_explain import PROVISIONAL_TEXT, Explanation, SkippedDay

JAKARTA = ZoneInfo("Asia/Jakarta")
MAKASSAR = ZoneInfo("Asia/Makassar")
PROVISIONAL_FROM = date(2028, 1, 1)  # the installed data confirms the years up to 2027
FIVE_DAY = WorkingCalendar(time_zone="Asia/Makassar", years=range(2025, 2026))
SIX_DAY = WorkingCalendar(years=range(2025, 2026), six_day_week=True)
ESTIMATED = WorkingCalendar(years=range(2028, 2030))  # 2029: estimated holidays only

IDUL_FITRI = "Hari Raya Idul Fitri"
SECOND_DAY = "Hari kedua dari Hari Raya Idul Fitri"
LEAVE = "cuti bersama: Cuti Bersama Hari Raya Idul Fitri"


def _skip(day: date, *reasons: str, estimated: bool = False) -> SkippedDay:
    return SkippedDay(date=day, reasons=reasons, estimated=estimated)


def test_a_count_over_the_idul_fitri_leave_is_explained_day_by_day() -> None:
    explanation = FIVE_DAY.explain(date(2025, 3, 27), 3)

    assert explanation == Explanation(
        start=date(2025, 3, 27),
        n=3,
        result=date(2025, 4, 10),
        deadline=datetime(2025, 4, 11, tzinfo=MAKASSAR),
        time_zone="Asia/Makassar",
        counted=(date(2025, 4, 8), date(2025, 4, 9), date(2025, 4, 10)),
        skipped=(
            _skip(date(2025, 3, 28), "cuti bersama: Cuti Bersama Hari Suci Nyepi"),
            _skip(date(2025, 3, 29), "weekend (Saturday)", "Hari Suci Nyepi"),
            _skip(date(2025, 3, 30), "weekend (Sunday)"),
            _skip(date(2025, 3, 31), IDUL_FITRI),
            _skip(date(2025, 4, 1), SECOND_DAY),
            _skip(date(2025, 4, 2), LEAVE),
            _skip(date(2025, 4, 3), LEAVE),
            _skip(date(2025, 4, 4), LEAVE),
            _skip(date(2025, 4, 5), "weekend (Saturday)"),
            _skip(date(2025, 4, 6), "weekend (Sunday)"),
            _skip(date(2025, 4, 7), LEAVE),
        ),
        provisional_from=PROVISIONAL_FROM,
    )
    assert explanation.provisional is False
    assert explanation.estimated is False


def test_the_rendering_numbers_the_working_days_from_one_and_joins_the_reasons() -> None:
    text = FIVE_DAY.explain(date(2025, 3, 27), 3).render()

    assert text.split("\n") == [
        "Start: 2025-03-27 (Thursday), not counted",
        "Working days requested: 3",
        "Time zone: Asia/Makassar",
        "  2025-03-28 Friday    skipped: cuti bersama: Cuti Bersama Hari Suci Nyepi",
        "  2025-03-29 Saturday  skipped: weekend (Saturday); Hari Suci Nyepi",
        "  2025-03-30 Sunday    skipped: weekend (Sunday)",
        "  2025-03-31 Monday    skipped: Hari Raya Idul Fitri",
        "  2025-04-01 Tuesday   skipped: Hari kedua dari Hari Raya Idul Fitri",
        "  2025-04-02 Wednesday skipped: cuti bersama: Cuti Bersama Hari Raya Idul Fitri",
        "  2025-04-03 Thursday  skipped: cuti bersama: Cuti Bersama Hari Raya Idul Fitri",
        "  2025-04-04 Friday    skipped: cuti bersama: Cuti Bersama Hari Raya Idul Fitri",
        "  2025-04-05 Saturday  skipped: weekend (Saturday)",
        "  2025-04-06 Sunday    skipped: weekend (Sunday)",
        "  2025-04-07 Monday    skipped: cuti bersama: Cuti Bersama Hari Raya Idul Fitri",
        "  2025-04-08 Tuesday   working day 1",
        "  2025-04-09 Wednesday working day 2",
        "  2025-04-10 Thursday  working day 3",
        "Deadline: end of 2025-04-10 (Thursday), i.e. before 2025-04-11T00:00:00+08:00",
    ]


def test_a_saturday_holiday_in_a_six_day_week_is_not_called_a_weekend() -> None:
    # n == 1: the one working day is counted too
    explanation = SIX_DAY.explain(date(2025, 3, 28), 1)

    assert explanation == Explanation(
        start=date(2025, 3, 28),
        n=1,
        result=date(2025, 4, 5),
        deadline=datetime(2025, 4, 6, tzinfo=JAKARTA),
        time_zone="Asia/Jakarta",
        counted=(date(2025, 4, 5),),
        skipped=(
            _skip(date(2025, 3, 29), "Hari Suci Nyepi"),
            _skip(date(2025, 3, 30), "weekend (Sunday)"),
            _skip(date(2025, 3, 31), IDUL_FITRI),
            _skip(date(2025, 4, 1), SECOND_DAY),
            _skip(date(2025, 4, 2), LEAVE),
            _skip(date(2025, 4, 3), LEAVE),
            _skip(date(2025, 4, 4), LEAVE),
        ),
        provisional_from=PROVISIONAL_FROM,
    )
    assert explanation.render().split("\n")[3:5] == [
        "  2025-03-29 Saturday  skipped: Hari Suci Nyepi",
        "  2025-03-30 Sunday    skipped: weekend (Sunday)",
    ]


def test_a_count_over_estimated_holidays_is_marked_estimated_and_provisional() -> None:
    explanation = ESTIMATED.explain(date(2029, 2, 12), 2)

    assert explanation == Explanation(
        start=date(2029, 2, 12),
        n=2,
        result=date(2029, 2, 19),
        deadline=datetime(2029, 2, 20, tzinfo=JAKARTA),
        time_zone="Asia/Jakarta",
        counted=(date(2029, 2, 14), date(2029, 2, 19)),
        skipped=(
            _skip(date(2029, 2, 13), "Tahun Baru Imlek (perkiraan)", estimated=True),
            _skip(date(2029, 2, 15), "Hari Raya Idul Fitri (perkiraan)", estimated=True),
            _skip(date(2029, 2, 16), f"{SECOND_DAY} (perkiraan)", estimated=True),
            _skip(date(2029, 2, 17), "weekend (Saturday)"),
            _skip(date(2029, 2, 18), "weekend (Sunday)"),
        ),
        provisional_from=PROVISIONAL_FROM,
    )
    assert explanation.provisional is True
    assert explanation.estimated is True


def test_the_rendering_marks_estimated_days_and_adds_both_notes() -> None:
    text = ESTIMATED.explain(date(2029, 2, 12), 2).render()

    assert text.split("\n") == [
        "Start: 2029-02-12 (Monday), not counted",
        "Working days requested: 2",
        "Time zone: Asia/Jakarta",
        "  2029-02-13 Tuesday   skipped: Tahun Baru Imlek (perkiraan) [estimated date]",
        "  2029-02-14 Wednesday working day 1",
        "  2029-02-15 Thursday  skipped: Hari Raya Idul Fitri (perkiraan) [estimated date]",
        (
            "  2029-02-16 Friday    skipped: Hari kedua dari Hari Raya Idul Fitri (perkiraan)"
            " [estimated date]"
        ),
        "  2029-02-17 Saturday  skipped: weekend (Saturday)",
        "  2029-02-18 Sunday    skipped: weekend (Sunday)",
        "  2029-02-19 Monday    working day 2",
        "Deadline: end of 2029-02-19 (Monday), i.e. before 2029-02-20T00:00:00+07:00",
        "Note: some holiday dates are estimates (perkiraan) and may change.",
        (
            "Provisional: the deadline is counted past the confirmed holiday data (from"
            " 2028-01-01 on: estimated national holidays, no cuti bersama yet); it moves if"
            " newer data adds a day off (lapor-core recompute)."
        ),
    ]
    assert text.split("\n")[-1] == PROVISIONAL_TEXT["en"].format(since="2028-01-01")


def test_a_day_both_counted_and_skipped_renders_the_counted_line_first() -> None:
    # An explanation built by hand (explain never gives one): the lines are sorted by
    # date alone, stably, so on the same date the counted line stays before the
    # skipped one (sorted by text, "skipped" would come before "working").
    day = date(2025, 5, 5)
    explanation = Explanation(
        start=date(2025, 5, 2),
        n=1,
        result=day,
        deadline=datetime(2025, 5, 6, tzinfo=JAKARTA),
        time_zone="Asia/Jakarta",
        counted=(day,),
        skipped=(_skip(day, "Libur daerah"),),
    )

    assert explanation.render().split("\n")[3:5] == [
        "  2025-05-05 Monday    working day 1",
        "  2025-05-05 Monday    skipped: Libur daerah",
    ]
