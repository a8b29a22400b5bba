"""SLA clocks: start, stop, pause, resume, reset, extension, warnings, breach, exactly once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lapor_core as lc
from lapor_core.domain.calendar import CalendarOverride, OverrideKind
from lapor_core.domain.clocks import (
    BreachAction,
    clock_deadline,
    due,
    next_due,
    recompute,
    warning_instant,
)

PROFILE = lc.load_profile("national")
REGISTRY = lc.load_registry("kaltim")
CTX = lc.Context.create(PROFILE, REGISTRY)
WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
T0 = datetime(2025, 3, 27, 2, 0, tzinfo=UTC)  # Thu 27 Mar 2025, 09:00 WIB
CID = lc.ComplaintId("clk-1")
REPORTER = lc.Reporter(id="pelapor", name="Siti")
CITIZEN = lc.Actor.reporter("pelapor")
NATIONAL = lc.Actor.national_admin("nas")
SYSTEM = lc.Actor.system()
SAMARINDA = lc.make_agency_actor(REGISTRY, "adm-smd", lc.Role.AGENCY_ADMIN, "samarinda")
BALIKPAPAN = lc.make_agency_actor(REGISTRY, "adm-bpp", lc.Role.AGENCY_ADMIN, "balikpapan")


def _profile(**flags: bool) -> lc.Profile:
    """The national profile re-parsed with some options switched (they shape the clocks)."""
    raw: dict[str, Any] = {k: dict(v) if isinstance(v, dict) else v for k, v in PROFILE.raw.items()}
    options = {k: dict(v) for k, v in raw["options"].items()}
    for name, on in flags.items():
        options[name]["enabled"] = on
    raw["options"] = options
    return lc.Profile.from_mapping(raw)


class Story:
    """Drives one complaint through commands, keeping state and events."""

    def __init__(self, ctx: lc.Context = CTX, *, category: str | None = None) -> None:
        self.ctx = ctx
        self.events: list[lc.Event] = []
        self.state: lc.Complaint | None = None
        self.do(
            CITIZEN,
            lc.Submit(
                complaint_id=CID,
                content=lc.Content(title="Lampu mati", body="Lampu jalan mati."),
                kind=lc.Kind.COMPLAINT,
                reporter=REPORTER,
                channel=lc.Channel(lc.ChannelType.WEB),
                region=lc.RegionCode("64.72"),
                category=lc.Category(category) if category else None,
            ),
            T0,
        )

    @property
    def c(self) -> lc.Complaint:
        assert self.state is not None
        return self.state

    def do(self, actor: lc.Actor, command: lc.Command, at: datetime) -> tuple[lc.Event, ...]:
        events = lc.decide(self.state, command, actor, at, self.ctx)
        for event in events:
            self.state = lc.evolve(self.state, event)
        self.events.extend(events)
        return events

    def sweep(self, at: datetime) -> tuple[lc.Event, ...]:
        out: list[lc.Event] = []
        for command in due(self.c, at, self.ctx.calendar, self.ctx.profile.clocks):
            out.extend(self.do(SYSTEM, command, at))
        return tuple(out)

    def deadline(self, clock: str, agency: str | None = None) -> datetime | None:
        running = self.c.clock(clock, agency)
        assert running is not None, f"{clock} is not running"
        return clock_deadline(running, self.ctx.calendar)

    def forward(self, at: datetime) -> None:
        self.do(NATIONAL, lc.Forward(complaint_id=CID, agencies=("samarinda",)), at)

    def follow_up(self, at: datetime) -> None:
        liaison = lc.make_agency_actor(
            REGISTRY, "lo", lc.Role.LIAISON_OFFICER, "samarinda.dishub.penghubung"
        )
        self.do(
            SAMARINDA,
            lc.ForwardInternally(
                complaint_id=CID, agency="samarinda", to="samarinda.dishub.penghubung"
            ),
            at,
        )
        self.do(liaison, lc.PostFollowUp(complaint_id=CID, agency="samarinda", text="Sudah."), at)


def _hk_between(a: datetime, b: datetime, zone: str = "Asia/Makassar") -> int:
    """Working days between two deadline instants (exclusive ends of local days)."""
    second = timedelta(seconds=1)
    return CTX.calendar.replace(time_zone=zone).working_days_between(a - second, b - second)


def _end_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(days=1)


def test_submission_starts_the_national_clocks() -> None:
    story = Story()
    # The 60-day decision counts from the complete file, at forwarding
    # (test_statutory_decision.py), not from submission.
    assert {"forwarding", "statutory_response"} == {rc.clock for rc in story.c.clocks}
    assert story.events[0].clock_changes  # recorded on the event itself


def test_worked_example_forwarding_due_with_and_without_cuti_bersama() -> None:
    with_cuti = Story()
    assert _end_of(date(2025, 4, 10), WIB) == with_cuti.deadline("forwarding")
    no_cuti_ctx = lc.Context.create(_profile(cuti_bersama=False), REGISTRY)
    without = Story(no_cuti_ctx)
    assert _end_of(date(2025, 4, 3), WIB) == without.deadline("forwarding")


def test_category_selects_its_service_standard() -> None:
    light = Story(category="administrasi-kependudukan")  # 2 HK tier
    normative = Story(category="kesehatan")  # 5 HK tier
    none = Story()
    assert light.c.clock("service_standard") is not None
    assert none.c.clock("service_standard") is None
    light_due = light.deadline("service_standard")
    normative_due = normative.deadline("service_standard")
    assert light_due is not None
    assert normative_due is not None
    assert light_due < normative_due
    assert 3 == _hk_between(light_due, normative_due, "Asia/Jakarta")


def test_forwarding_stops_the_routing_clock_and_starts_follow_up_per_agency() -> None:
    story = Story()
    story.forward(T0 + timedelta(days=1))
    assert story.c.clock("forwarding") is None
    follow_up = story.c.clock("follow_up", "samarinda")
    assert follow_up is not None
    assert "Asia/Makassar" == follow_up.time_zone  # the agency's own zone (WITA)
    due_at = story.deadline("follow_up", "samarinda")
    assert due_at is not None
    assert timedelta(hours=8) == due_at.utcoffset()
    # Forwarded Fri 28 Mar: 5 HK skipping the Idul Fitri holidays and cuti bersama.
    assert _end_of(date(2025, 4, 14), WITA) == due_at


def test_follow_up_stops_its_clock_and_opens_the_reply_window() -> None:
    story = Story()
    story.forward(T0 + timedelta(days=1))
    story.follow_up(T0 + timedelta(days=2))
    assert story.c.clock("follow_up", "samarinda") is None
    assert story.c.clock("statutory_response") is None
    assert story.c.clock("reply_window") is not None


def test_reply_resets_the_reply_window() -> None:
    story = Story()
    story.forward(T0 + timedelta(days=1))
    story.follow_up(T0 + timedelta(days=2))
    first = story.deadline("reply_window")
    story.do(CITIZEN, lc.Reply(complaint_id=CID, text="Belum."), T0 + timedelta(days=20))
    second = story.deadline("reply_window")
    assert first is not None
    assert second is not None
    assert second > first
    reply_window = story.c.clock("reply_window")
    assert reply_window is not None
    assert T0 + timedelta(days=20) == reply_window.started_at


def test_on_hold_pauses_and_resumes_shifting_the_deadline() -> None:
    story = Story()
    story.forward(T0 + timedelta(days=1))
    before = story.deadline("follow_up", "samarinda")
    ask = datetime(2025, 4, 14, 1, 0, tzinfo=UTC)  # Monday
    story.do(SAMARINDA, lc.RequestInformation(complaint_id=CID, question="Di mana?"), ask)
    assert story.deadline("follow_up", "samarinda") is None  # paused
    assert story.c.clock("information") is not None
    answer = datetime(2025, 4, 16, 1, 0, tzinfo=UTC)  # Wednesday: 2 working days later
    story.do(CITIZEN, lc.ProvideInformation(complaint_id=CID, text="Jl. Juanda."), answer)
    after = story.deadline("follow_up", "samarinda")
    assert story.c.clock("information") is None
    assert before is not None
    assert after is not None
    assert 2 == _hk_between(before, after)


def test_hold_does_not_pause_when_the_option_is_off() -> None:
    story = Story(lc.Context.create(_profile(hold_pauses_clocks=False), REGISTRY))
    story.forward(T0 + timedelta(days=1))
    story.do(
        SAMARINDA,
        lc.RequestInformation(complaint_id=CID, question="?"),
        T0 + timedelta(days=2),
    )
    assert story.deadline("follow_up", "samarinda") is not None


@pytest.mark.parametrize("restart", [True, False])
def test_rejection_back_to_the_router_restarts_routing_only_if_the_option_says(
    restart: bool,
) -> None:
    story = Story(lc.Context.create(_profile(rejection_restarts_forwarding=restart), REGISTRY))
    story.forward(T0 + timedelta(days=1))
    rejected_at = T0 + timedelta(days=3)
    story.do(
        SAMARINDA,
        lc.RejectDisposition(complaint_id=CID, agency="samarinda", reason="Bukan wewenang."),
        rejected_at,
    )
    assert lc.Status.SUBMITTED is story.c.status
    forwarding = story.c.clock("forwarding")
    if restart:
        assert forwarding is not None
        assert rejected_at == forwarding.started_at
    else:
        assert forwarding is None
    assert story.c.clock("follow_up", "samarinda") is None


def test_extension_moves_the_deadline_within_the_profile_bounds() -> None:
    story = Story()
    story.forward(T0 + timedelta(days=1))
    before = story.deadline("follow_up", "samarinda")
    at = T0 + timedelta(days=2)
    extend = lc.ExtendDeadline(
        complaint_id=CID, clock="follow_up", agency="samarinda", amount=3, reason="Survei."
    )
    with pytest.raises(lc.PermissionDenied):
        lc.decide(story.c, extend, BALIKPAPAN, at, CTX)
    with pytest.raises(lc.PermissionDenied):
        lc.decide(story.c, extend, CITIZEN, at, CTX)
    too_long = attrs.evolve(extend, amount=PROFILE.extension.max_amount + 1)
    with pytest.raises(lc.InvalidTransition, match="exceeds"):
        lc.decide(story.c, too_long, SAMARINDA, at, CTX)
    not_extendable = lc.ExtendDeadline(
        complaint_id=CID, clock="statutory_decision", agency="samarinda", amount=1, reason="x"
    )
    with pytest.raises(lc.InvalidTransition, match="cannot be extended"):
        lc.decide(story.c, not_extendable, SAMARINDA, at, CTX)
    events = story.do(SAMARINDA, extend, at)
    assert isinstance(events[0], lc.DeadlineExtended)
    after = story.deadline("follow_up", "samarinda")
    assert before is not None
    assert after is not None
    assert 3 == _hk_between(before, after)
    with pytest.raises(lc.InvalidTransition, match="limit is 1"):
        lc.decide(story.c, extend, SAMARINDA, at, CTX)


def test_extension_refused_when_the_profile_forbids_it() -> None:
    profile = attrs.evolve(PROFILE, extension=attrs.evolve(PROFILE.extension, enabled=False))
    ctx = lc.Context.create(profile, REGISTRY, CTX.calendar)
    story = Story(ctx)
    story.forward(T0 + timedelta(days=1))
    extend = lc.ExtendDeadline(
        complaint_id=CID, clock="follow_up", agency="samarinda", amount=1, reason="x"
    )
    with pytest.raises(lc.InvalidTransition, match="does not allow"):
        lc.decide(story.c, extend, SAMARINDA, T0 + timedelta(days=2), ctx)


def test_warnings_are_owed_once_at_each_threshold() -> None:
    story = Story()
    running = story.c.clock("forwarding")
    deadline = story.deadline("forwarding")
    assert running is not None
    assert deadline is not None
    half = warning_instant(running, deadline, 50)
    assert () == due(story.c, half - timedelta(seconds=1), CTX.calendar, PROFILE.clocks)
    owed = due(story.c, half, CTX.calendar, PROFILE.clocks)
    assert [("forwarding", 50)] == [
        (c.clock, c.threshold) for c in owed if isinstance(c, lc.RecordWarning)
    ]
    events = story.sweep(half)
    warned = [e for e in events if isinstance(e, lc.ClockWarned)]
    assert [("forwarding", 50)] == [(e.clock, e.threshold) for e in warned]
    assert deadline == warned[0].deadline
    assert () == story.sweep(half)  # a second sweep owes nothing
    with pytest.raises(lc.InvalidTransition, match="already recorded"):
        lc.decide(
            story.c,
            lc.RecordWarning(complaint_id=CID, clock="forwarding", threshold=50),
            SYSTEM,
            half,
            CTX,
        )


def test_breach_escalates_to_the_national_admin_and_is_recorded_once() -> None:
    story = Story()
    deadline = story.deadline("forwarding")
    assert deadline is not None
    breach = lc.RecordBreach(complaint_id=CID, clock="forwarding")
    with pytest.raises(lc.InvalidTransition, match="not breached before"):
        lc.decide(story.c, breach, SYSTEM, deadline - timedelta(seconds=1), CTX)
    with pytest.raises(lc.PermissionDenied):
        lc.decide(story.c, breach, NATIONAL, deadline, CTX)
    events = story.sweep(deadline)
    breached = [e for e in events if isinstance(e, lc.ClockBreached)]
    forwarding = [e for e in breached if e.clock == "forwarding"]
    assert 1 == len(forwarding)
    assert "lapor" == forwarding[0].escalated_to
    assert deadline == forwarding[0].deadline
    assert BreachAction.ESCALATE is forwarding[0].action
    assert 1 == story.c.escalations
    again = [
        e
        for e in story.sweep(deadline + timedelta(days=3))
        if isinstance(e, lc.ClockBreached) and e.clock == "forwarding"
    ]
    assert [] == again


def test_escalation_to_the_parent_agency() -> None:
    raw: dict[str, Any] = {k: dict(v) if isinstance(v, dict) else v for k, v in PROFILE.raw.items()}
    clocks = {k: dict(v) for k, v in raw["clocks"].items()}
    clocks["follow_up"]["escalate_to"] = "parent"
    raw["clocks"] = clocks
    ctx = lc.Context.create(lc.Profile.from_mapping(raw), REGISTRY, CTX.calendar)
    story = Story(ctx)
    story.forward(T0 + timedelta(days=1))
    deadline = story.deadline("follow_up", "samarinda")
    assert deadline is not None
    events = story.sweep(deadline)
    breach = next(e for e in events if isinstance(e, lc.ClockBreached) and e.clock == "follow_up")
    assert "kaltim" == breach.escalated_to  # Samarinda's parent: the province


def test_reply_window_closes_the_complaint_automatically() -> None:
    story = Story()
    story.forward(T0 + timedelta(days=1))
    story.follow_up(T0 + timedelta(days=2))
    deadline = story.deadline("reply_window")
    assert deadline is not None
    assert [lc.AutoClose] == [
        type(c)
        for c in due(story.c, deadline, CTX.calendar, PROFILE.clocks)
        if isinstance(c, lc.AutoClose)
    ]
    story.sweep(deadline)
    assert lc.Status.COMPLETED is story.c.status
    assert story.c.closed_automatically
    assert () == story.c.clocks  # closing stops every clock
    assert () == due(story.c, deadline + timedelta(days=30), CTX.calendar, PROFILE.clocks)
    with pytest.raises(lc.InvalidTransition):
        lc.decide(story.c, lc.AutoClose(complaint_id=CID), SYSTEM, deadline, CTX)


def test_auto_close_is_refused_before_the_window_ends() -> None:
    story = Story()
    story.forward(T0 + timedelta(days=1))
    story.follow_up(T0 + timedelta(days=2))
    with pytest.raises(lc.InvalidTransition, match="not breached"):
        lc.decide(story.c, lc.AutoClose(complaint_id=CID), SYSTEM, T0 + timedelta(days=3), CTX)


def test_unanswered_request_for_information_archives_as_withdrawn() -> None:
    story = Story()
    story.do(NATIONAL, lc.RequestInformation(complaint_id=CID, question="?"), T0)
    deadline = story.deadline("information")
    assert deadline is not None
    assert deadline == CTX.calendar.add_calendar_days_deadline(T0, 30)
    story.sweep(deadline)
    assert lc.Status.ARCHIVED is story.c.status
    assert lc.ArchiveReason.WITHDRAWN is story.c.archive_reason


def test_statutory_breach_makes_the_complaint_eligible_for_the_ombudsman() -> None:
    story = Story()
    story.do(NATIONAL, lc.Forward(complaint_id=CID, agencies=("samarinda",)), T0)
    before = story.c
    story.sweep(T0 + timedelta(days=15))
    after = story.c
    assert not before.ombudsman_eligible
    assert after.ombudsman_eligible
    assert lc.Status.FORWARDED is after.status


def test_recompute_reports_moved_deadlines_without_rewriting_history() -> None:
    story = Story()
    decree = CalendarOverride(
        date=date(2025, 4, 9),
        kind=OverrideKind.HOLIDAY,
        name="Hari libur tambahan",
        basis="Keppres (example)",
    )
    new_calendar = CTX.calendar.with_overrides(decree)
    before_state = story.c
    changes = recompute(story.c, CTX.calendar, new_calendar)
    forwarding = next(ch for ch in changes if ch.clock == "forwarding")
    assert timedelta(days=1) == forwarding.delta
    assert before_state == story.c
    assert () == recompute(story.c, CTX.calendar, CTX.calendar)


def test_deadlines_lists_every_running_clock() -> None:
    story = Story()
    listed = lc.deadlines(story.c, CTX.calendar)
    assert {d.clock for d in listed} == {rc.clock for rc in story.c.clocks}
    assert all(d.due_at is not None for d in listed)


def test_next_due_is_the_earliest_owed_instant() -> None:
    story = Story()
    first = next_due(story.c, CTX.calendar, PROFILE.clocks)
    assert first is not None
    assert () == due(story.c, first - timedelta(seconds=1), CTX.calendar, PROFILE.clocks)
    assert due(story.c, first, CTX.calendar, PROFILE.clocks) != ()


@given(
    offsets=st.lists(st.integers(min_value=0, max_value=60 * 24 * 90), min_size=1, max_size=12).map(
        sorted
    ),
    repeat=st.integers(min_value=1, max_value=3),
)
def test_sweeps_at_any_instants_issue_each_clock_event_once(
    offsets: list[int], repeat: int
) -> None:
    story = Story()
    story.forward(T0 + timedelta(hours=1))
    for minutes in offsets:
        at = T0 + timedelta(hours=1, minutes=minutes)
        for _ in range(repeat):
            story.sweep(at)
    warnings = [
        (e.clock, e.agency, e.threshold) for e in story.events if isinstance(e, lc.ClockWarned)
    ]
    breaches = [(e.clock, e.agency) for e in story.events if isinstance(e, lc.ClockBreached)]
    assert len(set(warnings)) == len(warnings)
    assert len(set(breaches)) == len(breaches)
    last = T0 + timedelta(hours=1, minutes=offsets[-1])
    assert () == due(story.c, last, CTX.calendar, PROFILE.clocks)
    assert story.c == lc.replay(story.events)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("clocks", "forwarding", "start"), ["NoSuchEvent"], "unknown event"),
        (("clocks", "forwarding", "escalate_to"), "mayor", "use 'parent' or 'national'"),
        (("clocks", "forwarding", "duration"), "nope", "no duration named"),
        (("clocks", "forwarding", "warn_at"), [0], "percents"),
        (("clocks", "forwarding", "breach"), "explode", "is not one of"),
        (("clocks", "reply_window", "escalate_to"), "national", "exactly when"),
        (("options", "extension", "max_amount"), 0, "must be positive"),
        (("categories", "kesehatan", "service_standard"), "nope", "no duration named"),
    ],
)
def test_bad_clock_definitions_name_the_key(
    path: tuple[str, str, str], value: object, message: str
) -> None:
    raw: dict[str, Any] = {k: dict(v) if isinstance(v, dict) else v for k, v in PROFILE.raw.items()}
    table = {k: dict(v) for k, v in raw[path[0]].items()}
    table[path[1]][path[2]] = value
    raw[path[0]] = table
    with pytest.raises(lc.ProfileError, match=message) as info:
        lc.Profile.from_mapping(raw)
    assert ".".join(path) in str(info.value)
