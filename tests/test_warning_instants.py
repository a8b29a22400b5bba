"""
Warning instants of clocks that were put on hold, against hand-computed times.

A clock of 100 hours started at T; its running time is wall time less its finished
pauses. The p% warning is due when p% of the running time has passed: pauses before that
instant move it on by their length, pauses after it do not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lapor_core as lc
from lapor_core.domain.clocks import RunningClock, clock_deadline, due, warning_instant
from lapor_core.domain.commands import RecordWarning
from lapor_core.domain.model import ComplaintId
from lapor_core.domain.profile import DurationUnit

T = datetime(2025, 3, 3, 0, 0, tzinfo=UTC)
CALENDAR = lc.WorkingCalendar()


def _h(hours: float) -> datetime:
    return T + timedelta(hours=hours)


def _clock(*pauses: tuple[float, float]) -> RunningClock:
    return RunningClock(
        clock="forwarding",
        agency=None,
        responsible="kaltim",
        time_zone="Asia/Jakarta",
        started_at=T,
        amount=100,
        unit=DurationUnit.HOURS,
        pauses=tuple((_h(a), _h(b)) for a, b in pauses),
    )


@pytest.mark.parametrize(
    ("pauses", "threshold", "expected_hours"),
    [
        ((), 50, 50),  # no hold: half of 100 hours
        ((), 75, 75),
        (((10, 20),), 50, 60),  # a hold before the instant moves it by its 10 hours
        (((70, 80),), 50, 50),  # a hold after it does not
        (((40, 45),), 25, 25),  # nor a hold that starts after 25 hours
        (((40, 45),), 50, 55),  # but 50% is past the hold: 40 + 10 after it
        (((50, 60),), 50, 50),  # a hold starting at the instant leaves it there
        (((10, 20), (30, 50)), 50, 80),  # 10 + 10 before the holds, 30 after: 50 + 30 held
        (((10, 20), (30, 50)), 75, 105),
        (((10, 20), (90, 95)), 75, 85),  # the second hold is after 75 running hours
    ],
)
def test_warning_instants_of_a_held_clock(
    pauses: tuple[tuple[float, float], ...], threshold: int, expected_hours: float
) -> None:
    clock = _clock(*pauses)
    deadline = clock_deadline(clock, CALENDAR)
    assert deadline is not None
    held = sum(b - a for a, b in pauses)
    assert _h(100 + held) == deadline
    assert _h(expected_hours) == warning_instant(clock, deadline, threshold)


def test_a_warning_owed_before_a_hold_stays_owed_after_it() -> None:
    # held from hour 70 to 80: the 50% warning was due at hour 50 and is still due
    clock = _clock((70, 80))
    deadline = clock_deadline(clock, CALENDAR)
    assert deadline is not None
    assert warning_instant(clock, deadline, 50) < _h(70)


@given(
    starts=st.lists(st.integers(0, 400), min_size=0, max_size=4, unique=True),
    threshold=st.sampled_from([25, 50, 75, 90]),
)
def test_running_time_before_the_instant_is_the_threshold(
    starts: list[int], threshold: int
) -> None:
    # pauses of 3 hours at the drawn starts (kept apart so that they do not overlap)
    pauses = tuple((s * 5, s * 5 + 3) for s in sorted(starts))
    clock = _clock(*pauses)
    deadline = clock_deadline(clock, CALENDAR)
    assert deadline is not None
    instant = warning_instant(clock, deadline, threshold)
    held = sum((min(_h(b), instant) - _h(a) for a, b in pauses if _h(a) < instant), timedelta())
    assert timedelta(hours=threshold) == instant - T - held


# ------------------------------------------------------------- a working-day clock on hold

WIB = ZoneInfo("Asia/Jakarta")


def _wib(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 2, day, hour, minute, tzinfo=WIB)


# 5 working days from Monday 3 February 2025, 10:00 WIB (no day off in February's first
# three weeks: only Saturdays and Sundays are not counted). Held twice: from Tuesday
# 09:00 to Thursday 09:00 (48 hours, Wednesday and Thursday are counted again: the
# deadline moves on by 2 working days) and on Monday 10 from 08:00 to 16:00 (8 hours,
# no working day: the deadline stays).
HELD = RunningClock(
    clock="forwarding",
    agency=None,
    responsible="kaltim",
    time_zone="Asia/Jakarta",
    started_at=_wib(3, 10),
    amount=5,
    unit=DurationUnit.WORKING_DAYS,
    pauses=((_wib(4, 9), _wib(6, 9)), (_wib(10, 8), _wib(10, 16))),
)


def test_a_held_working_day_clock_is_due_after_seven_working_days() -> None:
    # Tue 4, Wed 5, Thu 6, Fri 7, Mon 10, Tue 11, Wed 12: due when Thursday 13 begins
    assert _wib(13, 0) == clock_deadline(HELD, CALENDAR)


@pytest.mark.parametrize(
    ("threshold", "expected"),
    [
        # running time: 230 hours from the start to the deadline, less 56 held: 174 hours.
        # 50%, 87 running hours: 23 before the first hold (Mon 10:00 to Tue 09:00), 64
        # after it (Thu 09:00 + 64 h: Sunday 01:00); the second hold starts later and does
        # not count.
        (50, _wib(9, 1)),
        # 75%, 130.5 running hours: 23, then 95 from Thu 09:00 to the second hold (Mon
        # 08:00), then 12.5 after it (Mon 16:00 + 12.5 h: Tuesday 04:30).
        (75, _wib(11, 4, 30)),
    ],
)
def test_warning_instants_of_a_held_working_day_clock(threshold: int, expected: datetime) -> None:
    assert _wib(13, 0) == clock_deadline(HELD, CALENDAR)
    assert expected == warning_instant(HELD, _wib(13, 0), threshold)


@dataclass(frozen=True)
class _Held:
    id: ComplaintId
    clocks: tuple[RunningClock, ...]


def test_the_warnings_of_a_held_clock_are_owed_at_those_instants() -> None:
    definition = attrs.evolve(lc.load_profile("kaltim").clocks["forwarding"], warn_at=(50, 75))
    complaint = _Held(ComplaintId("c-held"), (HELD,))
    definitions = {"forwarding": definition}

    def owed(at: datetime) -> list[int]:
        commands = due(complaint, at, CALENDAR, definitions)
        return [command.threshold for command in commands if isinstance(command, RecordWarning)]

    second = timedelta(seconds=1)
    assert [] == owed(_wib(9, 1) - second)
    assert [50] == owed(_wib(9, 1))
    assert [50] == owed(_wib(11, 4, 30) - second)
    assert [50, 75] == owed(_wib(11, 4, 30))
