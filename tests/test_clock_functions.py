"""
The clock functions one by one, on hand-built running clocks (no story, no service).

Each test pins a behaviour that a plausible slip would change: a skipped clock that
stops the loop, a pause applied to a clock that is not running, a field left out of a
deadline, the day a deadline's last moment falls on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

import lapor_core as lc
from lapor_core.domain.calendar import CalendarOverride, OverrideKind
from lapor_core.domain.clocks import (
    ClockChange,
    ClockOp,
    Deadline,
    DeadlineChange,
    DurationUnit,
    RunningClock,
    apply_changes,
    clock_deadline,
    deadlines,
    due,
    is_provisional_deadline,
    next_due,
    recompute,
)
from lapor_core.domain.commands import RecordBreach, RecordWarning
from lapor_core.domain.model import ComplaintId
from lapor_core.errors import ValidationError

WIB = ZoneInfo("Asia/Jakarta")
WIT = ZoneInfo("Asia/Jayapura")
CALENDAR = lc.WorkingCalendar()
# confirmed data up to 2024: deadlines on a day of 2025 or later are provisional
CONFIRMED_2024 = lc.WorkingCalendar(confirmed_until=2024)
FORWARDING = attrs.evolve(lc.load_profile("kaltim").clocks["forwarding"], warn_at=(50,))
DEFINITIONS = {"forwarding": FORWARDING, "follow_up": FORWARDING}
CID = ComplaintId("c-clocks")


def _wib(day: int, hour: int = 0) -> datetime:
    return datetime(2025, 2, day, hour, tzinfo=WIB)


def _clock(clock: str = "forwarding", **changes: Any) -> RunningClock:
    base = RunningClock(
        clock=clock,
        agency=None,
        responsible="kaltim",
        time_zone="Asia/Jakarta",
        started_at=_wib(3, 10),
        amount=5,
        unit=DurationUnit.WORKING_DAYS,
    )
    return attrs.evolve(base, **changes)


@dataclass(frozen=True)
class _Complaint:
    id: ComplaintId
    clocks: tuple[RunningClock, ...]


def _complaint(*clocks: RunningClock) -> _Complaint:
    return _Complaint(CID, clocks)


# --------------------------------------------------------------------------- starting


def _start(**changes: Any) -> ClockChange:
    base = ClockChange(
        op=ClockOp.START,
        clock="forwarding",
        responsible="kaltim",
        time_zone="Asia/Jakarta",
        amount=5,
        unit=DurationUnit.WORKING_DAYS,
    )
    return attrs.evolve(base, **changes)


def test_a_start_starts_the_clock_from_zero() -> None:
    started = apply_changes((), (_start(agency="kaltim.pupr"),), _wib(3, 10))
    assert (_clock(agency="kaltim.pupr"),) == started


@pytest.mark.parametrize("missing", ["responsible", "time_zone", "amount", "unit"])
def test_a_start_without_one_of_its_fields_is_refused(missing: str) -> None:
    with pytest.raises(ValidationError) as caught:
        apply_changes((), (_start(**{missing: None}),), _wib(3, 10))
    assert "the start of clock 'forwarding' lacks its duration or agency" == str(caught.value)


# ------------------------------------------------------------------ pauses and resumes


def test_a_change_to_a_clock_not_running_leaves_the_next_changes_applied() -> None:
    stop = ClockChange(op=ClockOp.STOP, clock="forwarding")
    elsewhere = ClockChange(op=ClockOp.PAUSE, clock="follow_up")
    assert () == apply_changes((_clock(),), (elsewhere, stop), _wib(4))


def test_resuming_a_clock_that_is_not_paused_changes_nothing() -> None:
    resume = ClockChange(op=ClockOp.RESUME, clock="forwarding")
    assert (_clock(),) == apply_changes((_clock(),), (resume,), _wib(4))


def test_a_pause_then_a_resume_records_the_pause() -> None:
    pause = ClockChange(op=ClockOp.PAUSE, clock="forwarding")
    resume = ClockChange(op=ClockOp.RESUME, clock="forwarding")
    paused = apply_changes((_clock(),), (pause,), _wib(4, 9))
    assert (_clock(paused_at=_wib(4, 9)),) == paused
    # a second pause does not move the start of the first
    assert paused == apply_changes(paused, (pause,), _wib(5, 9))
    resumed = apply_changes(paused, (resume,), _wib(6, 9))
    assert (_clock(pauses=((_wib(4, 9), _wib(6, 9)),)),) == resumed


# ------------------------------------------------------------------------- deadlines


def test_a_held_calendar_day_clock_moves_on_by_the_local_days_held() -> None:
    # 3 calendar days from Monday 3 February, held from Tuesday 09:00 to Thursday 09:00
    # (2 local days): 5 days are counted, the deadline is the end of Saturday 8
    clock = _clock(amount=3, unit=DurationUnit.CALENDAR_DAYS, pauses=((_wib(4, 9), _wib(6, 9)),))
    assert _wib(9) == clock_deadline(clock, CALENDAR)
    assert _wib(7) == clock_deadline(attrs.evolve(clock, pauses=()), CALENDAR)


def test_deadlines_carry_every_field_of_their_clock() -> None:
    held = _clock("follow_up", agency="kaltim.pupr", paused_at=_wib(4))
    breached = _clock(agency="samarinda", responsible="samarinda", breached=True)
    assert (
        Deadline("follow_up", "kaltim.pupr", "kaltim", None, False, False),
        Deadline("forwarding", "samarinda", "samarinda", _wib(11), True, False),
    ) == deadlines(_complaint(held, breached), CALENDAR)


def test_a_deadline_counted_over_provisional_days_is_provisional() -> None:
    clock = _clock(started_at=datetime(2024, 12, 30, 10, tzinfo=WIB))
    found = deadlines(_complaint(clock), CONFIRMED_2024)
    assert [True] == [d.provisional for d in found]
    assert [False] == [d.provisional for d in deadlines(_complaint(clock), CALENDAR)]


def test_provisional_is_decided_in_the_responsible_agency_zone() -> None:
    # 24 hours from 31 December 00:30 WIT: due on 1 January 00:30 in Jayapura (provisional)
    # which is still 31 December, 22:30, in Jakarta
    clock = _clock(
        time_zone="Asia/Jayapura",
        started_at=datetime(2024, 12, 31, 0, 30, tzinfo=WIT),
        amount=24,
        unit=DurationUnit.HOURS,
    )
    assert [True] == [d.provisional for d in deadlines(_complaint(clock), CONFIRMED_2024)]


def test_a_deadline_is_provisional_by_its_last_moment() -> None:
    first = CONFIRMED_2024.provisional_from
    midnight = datetime(first.year, first.month, first.day, tzinfo=WIB)
    # due when 1 January begins: its last moment is on 31 December, confirmed
    assert not is_provisional_deadline(midnight, "Asia/Jakarta", CONFIRMED_2024)
    assert is_provisional_deadline(
        midnight + timedelta(microseconds=1), "Asia/Jakarta", CONFIRMED_2024
    )
    in_jayapura = datetime(first.year, first.month, first.day, 0, 30, tzinfo=WIT)
    assert is_provisional_deadline(in_jayapura, "Asia/Jayapura", CONFIRMED_2024)
    assert not is_provisional_deadline(in_jayapura, "Asia/Jakarta", CONFIRMED_2024)


# ------------------------------------------------------------- what is owed, and when


def _skipped_clocks() -> tuple[RunningClock, ...]:
    """Clocks that owe nothing: breached, unknown to the profile, paused."""
    return (
        _clock("follow_up", started_at=_wib(3, 0), amount=1, breached=True),
        _clock("unknown", started_at=_wib(3, 0), amount=1),
        _clock("follow_up", agency="kaltim.pupr", started_at=_wib(3, 0), paused_at=_wib(3, 1)),
    )


def test_clocks_that_owe_nothing_do_not_hide_the_others() -> None:
    complaint = _complaint(*_skipped_clocks(), _clock())
    assert (RecordBreach(complaint_id=CID, clock="forwarding", agency=None),) == due(
        complaint, _wib(11), CALENDAR, DEFINITIONS
    )
    owed = due(complaint, _wib(11) - timedelta(seconds=1), CALENDAR, DEFINITIONS)
    assert (RecordWarning(complaint_id=CID, clock="forwarding", agency=None, threshold=50),) == (
        owed
    )


def test_next_due_skips_the_clocks_that_owe_nothing() -> None:
    # the running clock's 50% warning: half of the 182 hours from Monday 3, 10:00 to the
    # end of Monday 10
    expected = _wib(3, 10) + timedelta(hours=91)
    assert expected == next_due(_complaint(*_skipped_clocks(), _clock()), CALENDAR, DEFINITIONS)
    assert next_due(_complaint(*_skipped_clocks()), CALENDAR, DEFINITIONS) is None


def test_next_due_is_the_earliest_of_several_clocks() -> None:
    later = _clock("follow_up", amount=10)
    complaint = _complaint(later, _clock())
    assert _wib(3, 10) + timedelta(hours=91) == next_due(complaint, CALENDAR, DEFINITIONS)


def test_the_same_clock_is_due_by_the_calendar_and_thresholds_it_is_asked_with() -> None:
    # due and next_due remember a clock's schedule: asked again with another calendar or
    # other thresholds, the answer is that calendar's and those thresholds'
    decree = CalendarOverride(
        date=_wib(5).date(), kind=OverrideKind.HOLIDAY, name="Libur", basis="Keppres (example)"
    )
    complaint = _complaint(_clock())
    later = CALENDAR.with_overrides(decree)
    breach = RecordBreach(complaint_id=CID, clock="forwarding", agency=None)
    assert next_due(complaint, CALENDAR, DEFINITIONS) == _wib(3, 10) + timedelta(hours=91)
    # the holiday moves the end of the 5 working days from Monday 10 to Tuesday 11
    assert next_due(complaint, later, DEFINITIONS) == _wib(3, 10) + timedelta(hours=103)
    assert due(complaint, _wib(11), CALENDAR, DEFINITIONS) == (breach,)
    assert due(complaint, _wib(11), later, DEFINITIONS) == (
        RecordWarning(complaint_id=CID, clock="forwarding", agency=None, threshold=50),
    )
    no_warnings = {"forwarding": attrs.evolve(FORWARDING, warn_at=())}
    assert next_due(complaint, CALENDAR, no_warnings) == _wib(11)
    assert due(complaint, _wib(11) - timedelta(seconds=1), CALENDAR, no_warnings) == ()


def test_a_warned_clock_owes_its_warning_no_more() -> None:
    complaint = _complaint(_clock())
    at = _wib(3, 10) + timedelta(hours=91)
    warning = RecordWarning(complaint_id=CID, clock="forwarding", agency=None, threshold=50)
    assert due(complaint, at, CALENDAR, DEFINITIONS) == (warning,)
    warned = _complaint(_clock(warned=(50,)))
    assert due(warned, at, CALENDAR, DEFINITIONS) == ()
    assert next_due(warned, CALENDAR, DEFINITIONS) == _wib(11)


def test_recompute_names_the_clock_and_agency_that_moved() -> None:
    decree = CalendarOverride(
        date=_wib(5).date(), kind=OverrideKind.HOLIDAY, name="Libur", basis="Keppres (example)"
    )
    clock = _clock(agency="kaltim.pupr")
    assert (DeadlineChange("forwarding", "kaltim.pupr", _wib(11), _wib(12)),) == recompute(
        _complaint(clock), CALENDAR, CALENDAR.with_overrides(decree)
    )
