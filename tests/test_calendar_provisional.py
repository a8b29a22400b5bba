"""
A complaint is never refused for the calendar: past the confirmed data, provisional deadlines.

The ``holidays`` package confirms a year when it has that year's *cuti bersama* (the joint
decree); after the last confirmed year the calendar counts with the national holidays the
package estimates (marked *perkiraan*) for ten more years. Deadlines there are marked
provisional, and ``recompute`` moves them, once, when newer data is installed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pytest

import lapor_core as lc
import lapor_core.storage
from helpers import BACKENDS, backend_store
from lapor_core.cli import main
from lapor_core.domain.calendar import confirmed_years
from lapor_core.interop import to_service_request
from lapor_core.service import ComplaintService
from lapor_core.storage import ComplaintStore

PROFILE = lc.load_profile("national")
REGISTRY = lc.load_registry("kaltim")
WIB = ZoneInfo("Asia/Jakarta")
LAST_CONFIRMED = confirmed_years()[-1]
SUBMISSIONS = [
    datetime(2027, 12, 20, 9, tzinfo=WIB),
    datetime(2028, 6, 1, 9, tzinfo=WIB),
    datetime(2031, 1, 15, 9, tzinfo=WIB),
]


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ComplaintStore]:
    with backend_store(request.param, tmp_path) as made:
        yield made


def _submit(cid: str, category: str = "pungli") -> lc.Submit:
    return lc.Submit(
        complaint_id=lc.ComplaintId(cid),
        content=lc.Content(title="Pungutan liar di loket", body="Diminta uang tambahan."),
        kind=lc.Kind.COMPLAINT,
        reporter=lc.Reporter("pelapor-1", "Siti Aminah"),
        channel=lc.Channel(lc.ChannelType.WEB),
        category=lc.Category(category),
    )


def _public_holidays(first: date, last: date) -> set[date]:
    data = holidays.country_holidays(
        "ID", years=range(first.year, last.year + 1), categories=("public",), language="id"
    )
    return {day for day in data if first <= day <= last}


def _oracle(start: date, n: int) -> date:
    """Day by day: weekdays that are no national holiday, nor cuti bersama while confirmed."""
    end = start + timedelta(days=4 * n + 60)
    leave = holidays.country_holidays(
        "ID", years=range(start.year, LAST_CONFIRMED + 1), categories=("government",)
    )
    off = _public_holidays(start, end) | set(leave)
    day, counted = start, 0
    while counted < n:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in off:
            counted += 1
    return day


@pytest.mark.parametrize("submitted", SUBMISSIONS, ids=lambda d: d.date().isoformat())
def test_submitting_past_the_confirmed_data_succeeds(
    store: ComplaintStore, submitted: datetime
) -> None:
    service = ComplaintService(store, PROFILE, REGISTRY)
    cid = f"prov-{submitted:%Y%m%d}"
    result = service.handle(_submit(cid), lc.Actor.reporter("pelapor-1"), now=submitted)
    assert lc.Status.SUBMITTED is result.complaint.status
    found = {d.clock: d for d in lc.deadlines(result.complaint, service.calendar)}
    standard = found["service_standard"]
    assert standard.provisional
    assert standard.due_at is not None
    # 60 working days of pungli, counted past the estimated national holidays
    duration = PROFILE.duration_of(PROFILE.clocks["service_standard"], "pungli", submitted)
    assert duration is not None
    amount = duration.amount
    last_day = _oracle(submitted.date(), amount)
    assert datetime.combine(last_day + timedelta(days=1), datetime.min.time(), WIB) == (
        standard.due_at
    )
    skipped = _public_holidays(submitted.date(), last_day)
    estimated = [day for day in skipped if day.year > LAST_CONFIRMED]
    assert estimated, "the count passes at least one holiday past the confirmed data"
    assert all(not service.calendar.is_working_day(day) for day in skipped)
    # the stored row knows the next due instant: the sweep will find it
    assert store.get(lc.ComplaintId(cid)).next_due_at is not None


def test_open311_and_the_deadline_command_say_provisional(
    capsys: pytest.CaptureFixture[str],
) -> None:
    ctx = lc.Context.create(PROFILE, REGISTRY)
    at = SUBMISSIONS[1]
    complaint = lc.replay(
        lc.decide(None, _submit("prov-o"), lc.Actor.reporter("pelapor-1"), at, ctx)
    )
    out = to_service_request(complaint, profile=PROFILE, calendar=ctx.calendar)
    assert out["expected_datetime"] is not None
    assert "sementara" in out["status_notes"]
    assert "provisional" in out["status_notes"]
    confirmed = lc.replay(
        lc.decide(
            None,
            _submit("prov-c"),
            lc.Actor.reporter("pelapor-1"),
            datetime(2025, 3, 3, 9, tzinfo=WIB),
            ctx,
        )
    )
    assert "provisional" not in to_service_request(confirmed, calendar=ctx.calendar)["status_notes"]
    assert 0 == main(
        ["deadline", "--start", "2031-01-15T09:00+07:00", "--days", "60", "--lang", "id"]
    )
    text = capsys.readouterr().out
    assert "Sementara" in text
    assert f"{LAST_CONFIRMED + 1}-01-01" in text
    assert 0 == main(
        ["deadline", "--start", "2025-03-03T09:00+07:00", "--days", "3", "--lang", "id"]
    )
    assert "Sementara" not in capsys.readouterr().out


def test_a_newer_calendar_moves_provisional_deadlines_once(store: ComplaintStore) -> None:
    # counted as if the last confirmed year's cuti bersama were not installed yet
    previous = LAST_CONFIRMED - 1
    old_calendar = PROFILE.calendar().replace(confirmed_until=previous)
    submitted = datetime(LAST_CONFIRMED, 1, 28, 9, tzinfo=WIB)
    leave = holidays.country_holidays(
        "ID", years=LAST_CONFIRMED, categories=("government",), language="id"
    )
    assert any(submitted.date() < day < submitted.date() + timedelta(days=30) for day in leave)
    old = ComplaintService(store, PROFILE, REGISTRY, calendar=old_calendar)
    old.handle(_submit("prov-r", "infrastruktur"), lc.Actor.reporter("pelapor-1"), now=submitted)
    cid = lc.ComplaintId("prov-r")
    before = {d.clock: d for d in lc.deadlines(old.get(cid), old_calendar)}
    assert before["service_standard"].provisional

    new = ComplaintService(store, PROFILE, REGISTRY)  # the installed data: one year more
    report = new.recompute(previous, now=submitted + timedelta(hours=1))
    assert 1 == report.examined
    [(moved_id, changes)] = report.moved
    assert cid == moved_id
    after = {d.clock: d for d in lc.deadlines(new.get(cid), new.calendar)}
    for change in changes:
        assert before[change.clock].due_at == change.before
        assert after[change.clock].due_at == change.after
        assert change.after is not None
        assert change.before is not None
        assert change.after > change.before  # a day of cuti bersama more to skip
    assert not after["service_standard"].provisional
    [recorded] = [e for e in store.load(cid) if isinstance(e, lc.DeadlinesRecomputed)]
    assert LAST_CONFIRMED == recorded.confirmed_until
    assert changes == recorded.changes
    assert store.get(cid).version == new.get(cid).version  # the row was written again

    again = new.recompute(previous, now=submitted + timedelta(hours=2))
    assert () == again.moved
    assert 1 == again.already
    assert 1 == sum(isinstance(e, lc.DeadlinesRecomputed) for e in store.load(cid))


def test_a_recompute_needs_newer_data(store: ComplaintStore) -> None:
    service = ComplaintService(store, PROFILE, REGISTRY)
    with pytest.raises(lc.ValidationError, match="cannot move"):
        service.recompute(LAST_CONFIRMED)
    ctx = lc.Context.create(PROFILE, REGISTRY)
    at = datetime(2025, 3, 3, 9, tzinfo=UTC)
    [submitted] = lc.decide(None, _submit("prov-x"), lc.Actor.reporter("pelapor-1"), at, ctx)
    complaint = lc.replay([submitted])
    command = lc.RecomputeDeadlines(complaint_id=complaint.id, previous_until=LAST_CONFIRMED)
    with pytest.raises(lc.InvalidTransition, match="not newer"):
        lc.decide(complaint, command, lc.Actor.system(), at, ctx)
    with pytest.raises(lc.PermissionDenied):
        lc.decide(
            complaint,
            lc.RecomputeDeadlines(complaint_id=complaint.id, previous_until=2020),
            lc.Actor.reporter("pelapor-1"),
            at,
            ctx,
        )


def test_calendar_status_says_what_is_confirmed_and_warns(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert 0 == main(["calendar", "status", "--today", f"{LAST_CONFIRMED}-03-01"])
    text = capsys.readouterr().out
    assert f"2002-{LAST_CONFIRMED}" in text
    assert f"{LAST_CONFIRMED + 1}-01-01" in text
    assert f"recompute --previous-data {LAST_CONFIRMED}" in text
    assert 0 == main(["calendar", "status", "--lang", "id", "--today", "2020-01-01"])
    quiet = capsys.readouterr().out
    assert "tidak ada peringatan" in quiet
    assert "recompute" not in quiet


def test_recompute_from_the_command_line_moves_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'lapor.sqlite3'}"
    previous = LAST_CONFIRMED - 1
    old_calendar = PROFILE.calendar().replace(confirmed_until=previous)
    service = ComplaintService(lc.storage.open_store(url), PROFILE, REGISTRY, calendar=old_calendar)
    # 60 working days of pungli from late November run past the next year's first cuti bersama
    submitted = datetime(LAST_CONFIRMED - 1, 11, 20, 9, tzinfo=WIB)
    assert submitted < datetime.now(UTC), "the command line decides at the real time"
    service.handle(_submit("prov-cli"), lc.Actor.reporter("pelapor-1"), now=submitted)
    service.store.close()
    args = ["recompute", "--store", url, "--previous-data", str(previous)]
    assert 0 == main(args)
    first = capsys.readouterr().out
    assert "1 moved" in first
    assert "prov-cli: service_standard:" in first
    assert 0 == main(args)
    assert "0 moved, 1 already recomputed" in capsys.readouterr().out
    assert 1 == main(["recompute", "--store", url, "--previous-data", str(LAST_CONFIRMED)])
    assert "cannot move" in capsys.readouterr().err


def test_calendar_status_refuses_a_date_that_is_not_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["calendar", "status", "--today", "kemarin"])
    assert 2 == stopped.value.code
    error = capsys.readouterr().err
    assert "not an ISO date: 'kemarin'" in error
    assert "Traceback" not in error
