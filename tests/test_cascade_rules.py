"""
The rules of a report passed down inside an agency, of clocks ended late, of a new category.

- A unit that refuses an internal forwarding (*bukan wewenang*) hands the report back to
  the agency that holds the assignment; it does not return to the national queue.
- A follow-up by a unit an agency forwarded the report to answers for that agency too.
- A clock that ran out is breached when an event ends it, whether or not a sweep ran.
- A classification that changes the category restarts the service-standard clock.
"""

from __future__ import annotations

from datetime import timedelta
from importlib import resources

import attrs
import pytest

from helpers import (
    CID,
    CTX,
    HOME,
    NATIONAL,
    OPEN_CTX,
    OWNER,
    PROFILE,
    REGISTRY,
    SYSTEM,
    Story,
    agency_actor,
    edit_table,
    national_toml,
    submit_command,
)
from lapor_core import (
    Actor,
    AutoClose,
    Category,
    Classify,
    Close,
    Context,
    ExtendDeadline,
    Forward,
    ForwardInternally,
    InvalidTransition,
    PostFollowUp,
    Profile,
    RejectDisposition,
    Reopen,
    RequestInformation,
    Role,
    Status,
    decide,
    load_profile,
)
from lapor_core.domain import events as e
from lapor_core.domain.check import check
from lapor_core.domain.clocks import due
from lapor_core.domain.model import Basis, Confidence
from lapor_core.domain.profile_rules import FlagOption
from lapor_core.storage.codec import CODEC

UNIT = "samarinda.dishub"
OTHER_UNIT = "samarinda.dpmptsp"
AGENCY_ADMIN = agency_actor(Role.AGENCY_ADMIN, HOME)
UNIT_ADMIN = agency_actor(Role.AGENCY_ADMIN, UNIT)
UNIT_OFFICER = agency_actor(Role.LIAISON_OFFICER, UNIT)
LATE = timedelta(days=30)
"""Past the 5 working days of a follow-up (and the 14 days of a written response)."""


def _passed_down() -> Story:
    story = Story()
    story.do(OWNER, submit_command())
    story.do(NATIONAL, Forward(complaint_id=CID, agencies=(HOME,)))
    story.do(AGENCY_ADMIN, ForwardInternally(complaint_id=CID, agency=HOME, to=UNIT))
    return story


def _reject(story: Story, actor: Actor) -> e.DispositionRejected:
    command = RejectDisposition(complaint_id=CID, agency=HOME, reason="Bukan wewenang kami.")
    (event,) = story.do(actor, command)
    assert isinstance(event, e.DispositionRejected)
    return event


# ------------------------------------------------------------------ a unit hands it back


def test_a_unit_refusing_an_internal_forwarding_hands_it_back_to_its_agency() -> None:
    story = _passed_down()
    before = story.state
    event = _reject(story, UNIT_ADMIN)
    assert (HOME, None) == (event.handed_back_to, event.returned_to)
    assert () == event.clock_changes  # the agency's clocks run on
    after = story.state
    assert Status.FORWARDED == after.status
    assert HOME == after.router == before.router
    (assignment,) = after.assignments
    assert (HOME, HOME, True) == (assignment.agency, assignment.handler, assignment.lead)
    assert before.clocks == after.clocks
    assert 0 == after.reroutings  # not re-routed: the report stays where it was sent
    # the agency passes it on to another unit, or refuses it itself
    story.do(AGENCY_ADMIN, ForwardInternally(complaint_id=CID, agency=HOME, to=OTHER_UNIT))
    assert OTHER_UNIT == story.state.assignments[0].handler


def test_the_agency_that_refuses_returns_the_report_to_the_national_queue() -> None:
    story = _passed_down()
    event = _reject(story, AGENCY_ADMIN)
    assert (None, "lapor") == (event.handed_back_to, event.returned_to)
    assert Status.SUBMITTED == story.state.status
    assert () == story.state.assignments
    assert 1 == story.state.reroutings


def test_a_hand_back_and_a_delegated_follow_up_round_trip_through_the_codec() -> None:
    story = _passed_down()
    handed_back = _reject(story, UNIT_ADMIN)
    assert handed_back == CODEC.decode_event(CODEC.encode_event(handed_back))
    plain = _reject(_passed_down(), AGENCY_ADMIN)
    # records of events without the new fields stay what they were
    assert "handed_back_to" not in CODEC.event_data(plain)
    assert "handed_back_to" in CODEC.event_data(handed_back)
    delegated = _delegated_follow_up()
    assert delegated.on_behalf_of == (HOME,)
    assert delegated == CODEC.decode_event(CODEC.encode_event(delegated))


# ------------------------------------------------------------- a delegated follow-up


def _delegated() -> Story:
    story = Story()
    story.do(OWNER, submit_command())
    story.do(NATIONAL, Forward(complaint_id=CID, agencies=(HOME,)))
    story.do(AGENCY_ADMIN, Forward(complaint_id=CID, agencies=(UNIT,)))
    return story


def _delegated_follow_up(story: Story | None = None) -> e.FollowUpPosted:
    story = story or _delegated()
    command = PostFollowUp(complaint_id=CID, agency=UNIT, text="Sudah diperbaiki.")
    (event,) = story.do(UNIT_OFFICER, command)
    assert isinstance(event, e.FollowUpPosted)
    return event


def test_a_units_follow_up_answers_for_the_agency_that_forwarded_it() -> None:
    story = _delegated()
    assert {(rc.clock, rc.agency) for rc in story.state.clocks} >= {
        ("follow_up", HOME),
        ("follow_up", UNIT),
    }
    event = _delegated_follow_up(story)
    assert (HOME,) == event.on_behalf_of
    state = story.state
    assert all(a.followed_up_at == event.at for a in state.assignments)
    assert not [rc for rc in state.clocks if rc.clock == "follow_up"]
    # nothing is owed for the agency's follow-up a month on: it was done through its unit
    owed = due(state, event.at + LATE, CTX.calendar, PROFILE.clocks)
    assert not [c for c in owed if getattr(c, "clock", None) == "follow_up"]


def test_a_follow_up_answers_only_for_the_agency_that_forwarded_it_down() -> None:
    story = Story()
    story.do(OWNER, submit_command())
    story.do(NATIONAL, Forward(complaint_id=CID, agencies=(HOME, UNIT), lead=HOME))
    event = _delegated_follow_up(story)
    assert () == event.on_behalf_of  # both were forwarded by the national admin
    assert [("follow_up", HOME)] == [
        (rc.clock, rc.agency) for rc in story.state.clocks if rc.clock == "follow_up"
    ]


# ------------------------------------------------------------------ clocks ended late


def _forwarded() -> Story:
    story = Story()
    story.do(OWNER, submit_command())
    story.do(NATIONAL, Forward(complaint_id=CID, agencies=(HOME,)))
    return story


def _follow_up(story: Story) -> tuple[e.Event, ...]:
    officer = agency_actor(Role.LIAISON_OFFICER, HOME)
    return story.do(officer, PostFollowUp(complaint_id=CID, agency=HOME, text="Sudah."))


def test_a_late_follow_up_records_the_breach_no_sweep_recorded() -> None:
    story = _forwarded()
    follow_up = story.state.clock("follow_up", HOME)
    assert follow_up is not None
    story.now += LATE
    *owed, posted = _follow_up(story)
    assert isinstance(posted, e.FollowUpPosted)
    breaches = {b.clock: b for b in owed if isinstance(b, e.ClockBreached)}
    assert len(breaches) == len(owed)
    assert {"follow_up", "statutory_response"} == set(breaches)
    late = breaches["follow_up"]
    assert (HOME, "lapor", posted.at) == (late.agency, late.escalated_to, late.at)
    assert late.deadline < posted.at
    assert all(b.actor == posted.actor and b.status is Status.FORWARDED for b in owed)
    state = story.state
    assert (2, 1, True) == (state.breaches, state.escalations, state.ombudsman_eligible)


def test_an_on_time_follow_up_records_no_breach() -> None:
    story = _forwarded()
    (posted,) = _follow_up(story)
    assert isinstance(posted, e.FollowUpPosted)
    assert 0 == story.state.breaches


def test_the_breaches_are_the_same_whether_the_sweep_ran_first_or_not() -> None:
    swept = _forwarded()
    swept.now += LATE
    for command in due(swept.state, swept.now, CTX.calendar, PROFILE.clocks):
        swept.do(SYSTEM, command)
    assert swept.state.breaches > 0
    unswept = _forwarded()
    unswept.now = swept.now
    (posted,) = _follow_up(swept)  # the clocks the sweep breached are not breached again
    assert isinstance(posted, e.FollowUpPosted)
    _follow_up(unswept)
    fields = ("breaches", "escalations", "ombudsman_eligible", "warning_breaches")
    assert [getattr(swept.state.record, f) for f in fields] == [
        getattr(unswept.state.record, f) for f in fields
    ]


# ------------------------------------------------------------------ a new category


def _standard(story: Story) -> tuple[int, object] | None:
    clock = story.state.clock("service_standard", None)
    return None if clock is None else (clock.amount, clock.started_at)


def test_a_category_set_at_verification_starts_the_service_standard() -> None:
    story = Story()
    story.do(OWNER, submit_command(category=None))
    assert _standard(story) is None
    classified_at = story.now
    story.do(NATIONAL, Classify(complaint_id=CID, category=Category("infrastruktur")))
    assert (14, classified_at) == _standard(story)
    reclassified_at = story.now
    story.do(NATIONAL, Classify(complaint_id=CID, category=Category("pungli")))
    assert (60, reclassified_at) == _standard(story)
    # the same category again, or only a new title, changes no clock
    (same,) = story.do(NATIONAL, Classify(complaint_id=CID, category=Category("pungli")))
    (titled,) = story.do(NATIONAL, Classify(complaint_id=CID, title="Pungutan di loket"))
    assert () == same.clock_changes == titled.clock_changes
    assert (60, reclassified_at) == _standard(story)


def test_a_category_without_a_standard_stops_the_service_standard() -> None:
    basis = Basis("local: test", Confidence.LOCAL)
    ctx = Context.create(
        attrs.evolve(PROFILE, uncategorised=FlagOption(enabled=True, basis=basis)), REGISTRY
    )
    story = Story(ctx)
    story.do(OWNER, submit_command())
    assert _standard(story) is not None
    (event,) = story.do(NATIONAL, Classify(complaint_id=CID, category=Category("lain-lain")))
    assert [("stop", "service_standard")] == [(c.op.value, c.clock) for c in event.clock_changes]
    assert _standard(story) is None


def test_a_reclassification_after_the_standard_ran_out_records_its_breach_first() -> None:
    story = Story()
    story.do(OWNER, submit_command(category=Category("administrasi-kependudukan")))
    story.now += LATE
    *owed, classified = story.do(
        NATIONAL, Classify(complaint_id=CID, category=Category("infrastruktur"))
    )
    assert isinstance(classified, e.ComplaintClassified)
    assert "service_standard" in {b.clock for b in owed if isinstance(b, e.ClockBreached)}
    assert 1 == story.state.record.warning_breaches
    restarted = story.state.clock("service_standard", None)
    assert restarted is not None
    assert not restarted.breached


# ------------------------------------------------------------------ found by review


def test_a_refusal_deep_in_a_cascade_goes_back_one_level() -> None:
    story = _passed_down()
    deeper = "samarinda.dishub.penghubung"
    story.do(UNIT_ADMIN, ForwardInternally(complaint_id=CID, agency=HOME, to=deeper))
    deep_admin = agency_actor(Role.AGENCY_ADMIN, deeper)
    command = RejectDisposition(complaint_id=CID, agency=HOME, reason="Bukan wewenang kami.")
    (event,) = story.do(deep_admin, command)
    assert isinstance(event, e.DispositionRejected)
    assert UNIT == event.handed_back_to == story.state.assignments[0].handler
    # the unit that passed it down can act on it again, and refuse it in turn
    (again,) = story.do(UNIT_ADMIN, command)
    assert isinstance(again, e.DispositionRejected)
    assert HOME == again.handed_back_to == story.state.assignments[0].handler


def test_a_sub_units_follow_up_answers_for_the_assignment_its_forwarder_handles() -> None:
    story = _passed_down()  # samarinda's assignment is handled at its unit, samarinda.dishub
    deeper = "samarinda.dishub.penghubung"
    story.do(UNIT_ADMIN, Forward(complaint_id=CID, agencies=(deeper,)))
    officer = agency_actor(Role.LIAISON_OFFICER, deeper)
    (event,) = story.do(officer, PostFollowUp(complaint_id=CID, agency=deeper, text="Sudah."))
    assert isinstance(event, e.FollowUpPosted)
    assert (HOME,) == event.on_behalf_of
    assert not [rc for rc in story.state.clocks if rc.clock == "follow_up"]


def test_a_follow_up_does_not_answer_for_a_later_assignment_of_its_forwarder() -> None:
    story = _delegated()
    story.do(AGENCY_ADMIN, RejectDisposition(complaint_id=CID, agency=HOME, reason="Bukan."))
    story.do(NATIONAL, Forward(complaint_id=CID, agencies=(HOME,)))
    event = _delegated_follow_up(story)
    assert () == event.on_behalf_of  # samarinda's new assignment came after the delegation
    assert ("follow_up", HOME) in {(rc.clock, rc.agency) for rc in story.state.clocks}


def test_after_a_reopening_the_units_follow_up_answers_for_the_agency_again() -> None:
    story = Story(OPEN_CTX)
    story.do(OWNER, submit_command())
    story.do(NATIONAL, Forward(complaint_id=CID, agencies=(HOME,)))
    story.do(AGENCY_ADMIN, Forward(complaint_id=CID, agencies=(UNIT,)))
    _delegated_follow_up(story)
    story.do(AGENCY_ADMIN, Close(complaint_id=CID))
    story.do(OWNER, Reopen(complaint_id=CID, reason="Belum beres."))
    assert ("follow_up", HOME) in {(rc.clock, rc.agency) for rc in story.state.clocks}
    event = _delegated_follow_up(story)
    assert (HOME,) == event.on_behalf_of
    assert not [rc for rc in story.state.clocks if rc.clock == "follow_up"]


def test_a_hold_after_the_deadline_records_the_breach_it_would_hide() -> None:
    story = _forwarded()
    story.now += LATE
    *owed, asked = story.do(NATIONAL, RequestInformation(complaint_id=CID, question="Di mana?"))
    assert isinstance(asked, e.InformationRequested)
    late = [b for b in owed if isinstance(b, e.ClockBreached) and b.clock == "follow_up"]
    assert [HOME] == [b.agency for b in late]
    follow_up = story.state.clock("follow_up", HOME)
    assert follow_up is not None
    assert follow_up.breached
    assert follow_up.paused_at is not None


def test_an_extension_after_the_deadline_is_refused_even_before_the_sweep() -> None:
    story = _forwarded()
    story.now += LATE
    extend = ExtendDeadline(
        complaint_id=CID, clock="follow_up", agency=HOME, amount=7, reason="Perlu survei."
    )
    with pytest.raises(InvalidTransition, match="already breached"):
        decide(story.state, extend, AGENCY_ADMIN, story.now, CTX)
    # in time it is granted
    on_time = _forwarded()
    (extended,) = on_time.do(AGENCY_ADMIN, extend)
    assert isinstance(extended, e.DeadlineExtended)


def test_a_close_after_the_reply_window_records_the_reporters_time_out() -> None:
    story = _forwarded()
    _follow_up(story)
    story.now += LATE
    *owed, closed = story.do(AGENCY_ADMIN, Close(complaint_id=CID))
    assert isinstance(closed, e.ComplaintClosed)
    assert "reply_window" in {b.clock for b in owed if isinstance(b, e.ClockBreached)}
    assert not [ev for ev in owed if not isinstance(ev, e.ClockBreached)]  # no second close
    assert 1 == story.state.record.reporter_timeouts
    assert Status.COMPLETED == story.state.status


def test_the_breaches_a_sweep_causes_are_its_sweepers() -> None:
    story = _forwarded()
    _follow_up(story)
    story.now += timedelta(days=60)
    sweeper = Actor.system("sweeper-7")
    events = story.do(sweeper, AutoClose(complaint_id=CID))
    assert len(events) > 2  # the reply window's breach, the late clocks' breaches, the close
    assert {sweeper} == {ev.actor for ev in events}


def _pausing_profile() -> Context:
    text = edit_table(national_toml(), "profile", 'name = "national"', 'name = "jeda"')
    text = edit_table(
        text,
        "clocks.service_standard",
        "stop = []",
        'stop = []\npause = ["InformationRequested"]\nresume = ["InformationProvided"]',
    )
    return Context.create(Profile.from_toml(text), REGISTRY)


def test_a_reclassification_on_hold_keeps_the_service_standard_paused() -> None:
    story = Story(_pausing_profile())
    story.do(OWNER, submit_command(category=Category("kesehatan")))
    story.do(NATIONAL, RequestInformation(complaint_id=CID, question="Di mana?"))
    (classified,) = story.do(
        NATIONAL, Classify(complaint_id=CID, category=Category("infrastruktur"))
    )
    assert ["start", "pause"] == [
        c.op.value for c in classified.clock_changes if c.clock == "service_standard"
    ]
    standard = story.state.clock("service_standard", None)
    assert standard is not None
    assert (14, True) == (standard.amount, standard.paused_at is not None)


def test_a_category_of_the_same_standard_buys_no_time() -> None:
    story = Story()
    story.do(OWNER, submit_command(category=Category("kesehatan")))
    before = _standard(story)
    (classified,) = story.do(NATIONAL, Classify(complaint_id=CID, category=Category("pendidikan")))
    assert () == classified.clock_changes
    assert before == _standard(story)


def test_a_profile_can_restart_a_clock_on_a_hand_back() -> None:
    ctx = Context.create(load_profile("kaltim"), REGISTRY)  # agency_forwarding names it
    story = Story(ctx)
    story.do(OWNER, submit_command())
    story.do(NATIONAL, Forward(complaint_id=CID, agencies=(HOME,)))
    story.do(AGENCY_ADMIN, ForwardInternally(complaint_id=CID, agency=HOME, to=UNIT))
    assert story.state.clock("agency_forwarding", HOME) is None  # stopped by the passing down
    command = RejectDisposition(complaint_id=CID, agency=HOME, reason="Bukan wewenang kami.")
    (event,) = story.do(UNIT_ADMIN, command)
    assert isinstance(event, e.DispositionRejected)
    assert [("start", "agency_forwarding", HOME)] == [
        (c.op.value, c.clock, c.agency) for c in event.clock_changes
    ]
    restarted = story.state.clock("agency_forwarding", HOME)
    assert restarted is not None
    assert (HOME, event.at) == (restarted.responsible, restarted.started_at)
    # the national profile names no hand-back: nothing restarts there
    plain = _passed_down()
    assert () == _reject(plain, UNIT_ADMIN).clock_changes


def _kaltim_with(start: str, stop: str) -> Profile:
    text = resources.files("lapor_core.profiles").joinpath("kaltim.toml").read_text("utf-8")
    old = 'start = ["ComplaintForwarded", "DispositionRejected:handed_back"]\n'
    old += 'stop = ["ForwardedInternally", "FollowUpPosted", "DispositionRejected"]'
    assert old in text
    changed = text.replace(old, f"start = {start}\nstop = {stop}")
    return Profile.from_toml(changed, parent=PROFILE)


def test_the_profile_checker_knows_a_hand_back_can_happen() -> None:
    assert check(load_profile("kaltim")).ok
    # a clock started only by a hand-back does start; one stopped by it does stop
    started = _kaltim_with('["DispositionRejected:handed_back"]', '["FollowUpPosted"]')
    assert [] == [p.key for p in check(started).problems]
    stopped = _kaltim_with('["ComplaintForwarded"]', '["DispositionRejected:handed_back"]')
    assert [] == [p.key for p in check(stopped).problems]
    # started and stopped by it, the start wins: it never stops (the checker says so)
    both = _kaltim_with(
        '["ComplaintForwarded", "DispositionRejected:handed_back"]',
        '["DispositionRejected:handed_back"]',
    )
    assert ["clocks.agency_forwarding.stop"] == [p.key for p in check(both).problems]


def test_what_ends_the_report_is_owed_after_the_other_breaches() -> None:
    story = _forwarded()
    _follow_up(story)
    # a new standard restarts its clock after the reply window's, at the end of the list
    story.do(NATIONAL, Classify(complaint_id=CID, category=Category("kesehatan")))
    assert "service_standard" == story.state.clocks[-1].clock
    owed = due(story.state, story.now + timedelta(days=60), CTX.calendar, PROFILE.clocks)
    assert isinstance(owed[-1], AutoClose)
    assert not [c for c in owed[:-1] if isinstance(c, AutoClose)]
    assert len(owed) > 1


def test_a_first_category_on_hold_starts_the_standard_paused() -> None:
    story = Story(_pausing_profile())
    story.do(OWNER, submit_command(category=None))
    story.do(NATIONAL, RequestInformation(complaint_id=CID, question="Di mana?"))
    story.do(NATIONAL, Classify(complaint_id=CID, category=Category("infrastruktur")))
    standard = story.state.clock("service_standard", None)
    assert standard is not None
    assert standard.paused_at is not None
