"""
What `lapor_core.domain.context` answers, compared whole (its mutation run).

:func:`clock_changes` is checked event by event against whole tuples of
:class:`ClockChange`: who a start is for (the lead, the first assignee when none leads,
the agency a rejection returned the report to), which running clocks an agency's event
stops, the category and the submission day a start reads (with dated durations, the
version in force at submission or at the start); :meth:`Context.start_change` for an
agency the registry does not know; :func:`compile_clock_plan` with overlapping triggers;
and :func:`scoped_calendar` without scoped overrides, so that every change
``bench/mutation.py context`` makes to them fails a test here.
"""

from __future__ import annotations

from datetime import UTC, datetime

import attrs
import pytest

from helpers import (
    AWAY,
    CID,
    CTX,
    HOME,
    NATIONAL,
    OWNER,
    PROFILE,
    REGISTRY,
    Story,
    agency_actor,
    apply,
    drive,
    submit_command,
)
from lapor_core import Forward, Profile, RejectDisposition, Role, Status, decide
from lapor_core.domain import events as e
from lapor_core.domain.clocks import ClockChange, ClockOp
from lapor_core.domain.context import Context, clock_changes, compile_clock_plan, scoped_calendar
from lapor_core.domain.profile import DurationUnit
from lapor_core.domain.state import Complaint

START = ClockOp.START
STOP = ClockOp.STOP
WORKING_DAYS = DurationUnit.WORKING_DAYS
NOW = datetime(2025, 4, 7, 3, 0, tzinfo=UTC)
WITA = "Asia/Makassar"
WIB = "Asia/Jakarta"

HANDLED = Profile.from_toml(
    """
[profile]
name = "handled"
parent = "national"

[clocks.handled]
by_category = true
start = ["ComplaintForwarded"]
stop = []
breach = "warn"
basis = "EXAMPLE: a per-complaint clock by category, started on forwarding"
confidence = "L"
""",
    parent=PROFILE,
)
"""The national rules with a per-complaint, per-category clock that forwarding starts."""

DATED_TEXT = """
[profile]
name = "dated"
parent = "national"

[[durations.follow_up.history]]
valid_from = 2026-07-01
amount = 7
unit = "working_days"
basis = "EXAMPLE: a decree lengthening the follow-up, not a real decree"
confidence = "L"
"""
AT_CLOCK_START = """
[options.rules_at_clock_start]
enabled = true
basis = "EXAMPLE: the clocks follow the rule in force when they start"
confidence = "L"
"""
DATED = Profile.from_toml(DATED_TEXT, parent=PROFILE)
DATED_AT_START = Profile.from_toml(DATED_TEXT + AT_CLOCK_START, parent=PROFILE)
SUBMITTED = datetime(2026, 6, 29, 3, 0, tzinfo=UTC)  # before the new follow-up is in force
FORWARDED = datetime(2026, 7, 8, 3, 0, tzinfo=UTC)  # after


def _context(profile: Profile) -> Context:
    # Built afresh by each test: a context built at import time escapes the mutants.
    return Context.create(profile, REGISTRY)


def _forwarded(*agencies: str, ctx: Context = CTX, lead: str | None = None) -> Story:
    """A story: submitted to HOME, then forwarded by the national admin to *agencies*."""
    story = Story(ctx)
    story.do(OWNER, submit_command())
    story.do(NATIONAL, Forward(complaint_id=CID, agencies=agencies, lead=lead))
    return story


def _without_lead(complaint: Complaint) -> Complaint:
    # Built by hand: decide always marks a lead, but stored streams may have none.
    return attrs.evolve(
        complaint, assignments=tuple(attrs.evolve(a, lead=False) for a in complaint.assignments)
    )


def _reopened() -> e.ComplaintReopened:
    return e.ComplaintReopened(complaint_id=CID, at=NOW, actor=OWNER, reason="Lampu mati lagi.")


def _follow_up(agency: str) -> ClockChange:
    return ClockChange(START, "follow_up", agency, agency, WITA, 5, WORKING_DAYS)


# ------------------------------------------------------------------------ per-assignment starts


def test_a_reopening_restarts_the_follow_up_for_the_lead_alone() -> None:
    before = _forwarded(AWAY, HOME, lead=HOME).state
    assert clock_changes(_reopened(), before, CTX) == (_follow_up(HOME),)


def test_a_reopening_without_a_lead_restarts_the_follow_up_for_the_first_assignee() -> None:
    before = _without_lead(_forwarded(HOME, AWAY).state)
    assert clock_changes(_reopened(), before, CTX) == (_follow_up(HOME),)


def test_a_reopening_without_assignments_starts_no_follow_up() -> None:
    # Built by hand: a complaint without assignments is never completed by decide.
    before = attrs.evolve(drive(Status.COMPLETED).state, assignments=())
    assert clock_changes(_reopened(), before, CTX) == ()


def test_a_forwarding_starts_per_assignment_clocks_for_every_agency() -> None:
    story = _forwarded(HOME, AWAY)
    assert story.events[-1].clock_changes == (
        _follow_up(HOME),
        _follow_up(AWAY),
        ClockChange(STOP, "forwarding"),
        ClockChange(START, "statutory_decision", HOME, HOME, WITA, 60, DurationUnit.CALENDAR_DAYS),
        ClockChange(START, "statutory_decision", AWAY, AWAY, WITA, 60, DurationUnit.CALENDAR_DAYS),
    )


# ------------------------------------------------------------------------ per-complaint starts


def test_a_first_forwarding_starts_a_complaint_clock_for_the_lead_with_the_category() -> None:
    story = _forwarded(HOME, AWAY, ctx=_context(HANDLED), lead=AWAY)
    assert story.state.router == HOME
    handled = [c for c in story.events[-1].clock_changes if c.clock == "handled"]
    assert handled == [ClockChange(START, "handled", None, AWAY, WITA, 14, WORKING_DAYS)]


def test_a_first_forwarding_without_a_lead_starts_it_for_the_first_assignee() -> None:
    ctx = _context(HANDLED)
    submitted, event = _forwarded(AWAY, HOME, ctx=ctx).events
    assert isinstance(event, e.ComplaintForwarded)
    leaderless = attrs.evolve(
        event, assignments=tuple(attrs.evolve(a, lead=False) for a in event.assignments)
    )
    handled = [
        c for c in clock_changes(leaderless, apply(None, (submitted,)), ctx) if c.clock == "handled"
    ]
    assert handled == [ClockChange(START, "handled", None, AWAY, WITA, 14, WORKING_DAYS)]


def test_a_rejection_that_returns_the_report_restarts_forwarding_for_the_returnee() -> None:
    before = drive(Status.FORWARDED).state
    assert before.responsible == HOME
    command = RejectDisposition(complaint_id=CID, agency=HOME, reason="Bukan wewenang")
    (event,) = decide(before, command, agency_actor(Role.AGENCY_ADMIN, HOME), NOW, CTX)
    assert isinstance(event, e.DispositionRejected)
    assert event.returned_to == "lapor"
    assert clock_changes(event, before, CTX) == (
        ClockChange(STOP, "follow_up", HOME),
        ClockChange(STOP, "statutory_decision", HOME),
        ClockChange(START, "forwarding", None, "lapor", WIB, 3, WORKING_DAYS),
    )


# ------------------------------------------------------------------------ stops of one agency


def test_a_follow_up_stops_only_that_agencys_clocks_and_the_complaints_named_one() -> None:
    before = _forwarded(HOME, AWAY).state
    event = e.FollowUpPosted(complaint_id=CID, at=NOW, actor=OWNER, agency=AWAY, text="Selesai.")
    assert clock_changes(event, before, CTX) == (
        ClockChange(STOP, "follow_up", AWAY),
        ClockChange(START, "reply_window", None, HOME, WITA, 10, WORKING_DAYS),
        ClockChange(STOP, "statutory_response"),
    )


# ------------------------------------------------------------------------ dated durations


@pytest.mark.parametrize(
    ("profile", "amount"),
    [(DATED, 5), (DATED_AT_START, 7)],
    ids=["the duration in force at submission", "with rules at clock start, the one then"],
)
def test_a_start_after_submission_takes_the_dated_duration(profile: Profile, amount: int) -> None:
    ctx = _context(profile)
    story = Story(ctx, now=SUBMITTED)
    story.do(OWNER, submit_command())
    story.now = FORWARDED
    *_, event = story.do(NATIONAL, Forward(complaint_id=CID, agencies=(HOME,)))
    assert isinstance(event, e.ComplaintForwarded)
    assert [c.amount for c in event.clock_changes if c.clock == "follow_up"] == [amount]
    assert ctx.start_change(
        ctx.profile.clocks["follow_up"],
        None,
        HOME,
        HOME,
        submitted_at=SUBMITTED,
        started_at=FORWARDED,
    ) == ClockChange(START, "follow_up", HOME, HOME, WITA, amount, WORKING_DAYS)


# ------------------------------------------------------------------------ start_change


def test_a_start_for_an_agency_the_registry_does_not_know_is_in_the_profile_zone() -> None:
    change = CTX.start_change(
        PROFILE.clocks["forwarding"], None, None, "tidak-dikenal", submitted_at=NOW
    )
    assert change == ClockChange(START, "forwarding", None, "tidak-dikenal", WIB, 3, WORKING_DAYS)


# ------------------------------------------------------------------------ the clock plan


def test_a_clock_reacts_to_an_event_once_start_before_stop_before_pause_before_resume() -> None:
    profile = Profile.from_toml(
        """
[profile]
name = "overlap"
parent = "national"

[clocks.overlap]
duration = "forwarding"
start = ["ComplaintForwarded", "InformationRequested"]
stop = ["ComplaintForwarded", "ReplyPosted"]
pause = ["InformationRequested", "ReplyPosted", "FollowUpPosted"]
resume = ["FollowUpPosted", "ComplaintReopened"]
breach = "warn"
basis = "EXAMPLE: triggers that overlap"
confidence = "L"
""",
        parent=PROFILE,
    )
    plan = compile_clock_plan(profile)
    mine = {
        trigger: [op for definition, op in entries if definition.name == "overlap"]
        for trigger, entries in plan.items()
    }
    assert {trigger: ops for trigger, ops in mine.items() if ops} == {
        "ComplaintForwarded": [ClockOp.START],
        "InformationRequested": [ClockOp.START],
        "ReplyPosted": [ClockOp.STOP],
        "FollowUpPosted": [ClockOp.PAUSE],
        "ComplaintReopened": [ClockOp.RESUME],
    }


# ------------------------------------------------------------------------ scoped calendars


def test_a_calendar_without_scoped_overrides_is_returned_as_it_is() -> None:
    calendar = PROFILE.calendar()
    assert calendar.agency_overrides == ()
    assert scoped_calendar(calendar, REGISTRY) is calendar


def test_a_calendar_without_scoped_overrides_loses_its_stale_agency_overrides() -> None:
    base = PROFILE.calendar()
    stale = base.replace(agency_overrides=((HOME, ()),))
    assert stale.agency_overrides == ((HOME, ()),)
    assert scoped_calendar(stale, REGISTRY) == base
