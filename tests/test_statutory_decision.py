"""
The statutory decision clock (60 days) counts from when the file is complete.

domain.md §4 row 8: the decision is due 60 days after the file is declared complete
(*berkas lengkap*; UU 25/2009 Art. 50(5) as usually cited), not after submission. In the
national profile the file is complete when it is verified and forwarded, after any
information asked for before that; a request after forwarding pauses the clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import lapor_core as lc
from lapor_core.domain.clocks import clock_deadline, due

PROFILE = lc.load_profile("national")
REGISTRY = lc.load_registry("kaltim")
CTX = lc.Context.create(PROFILE, REGISTRY)
WITA = ZoneInfo("Asia/Makassar")
T0 = datetime(2025, 3, 27, 2, 0, tzinfo=UTC)  # Thu 27 Mar 2025, 09:00 WIB, 10:00 WITA
CID = lc.ComplaintId("stat-1")
CITIZEN = lc.Actor.reporter("pelapor")
NATIONAL = lc.Actor.national_admin("nas")
SAMARINDA = lc.make_agency_actor(REGISTRY, "adm-smd", lc.Role.AGENCY_ADMIN, "samarinda")
DINKES = lc.make_agency_actor(REGISTRY, "adm-dinkes", lc.Role.AGENCY_ADMIN, "kaltim.dinkes")
DAY = timedelta(days=1)


class Story:
    def __init__(self) -> None:
        self.state: lc.Complaint | None = None
        self.do(
            CITIZEN,
            lc.Submit(
                complaint_id=CID,
                content=lc.Content(title="Lampu mati", body="Lampu jalan mati."),
                kind=lc.Kind.COMPLAINT,
                reporter=lc.Reporter(id="pelapor", name="Siti"),
                channel=lc.Channel(lc.ChannelType.WEB),
                region=lc.RegionCode("64.72"),
            ),
            T0,
        )

    @property
    def c(self) -> lc.Complaint:
        assert self.state is not None
        return self.state

    def do(self, actor: lc.Actor, command: lc.Command, at: datetime) -> None:
        for event in lc.decide(self.state, command, actor, at, CTX):
            self.state = lc.evolve(self.state, event)

    def decision_due(self, agency: str) -> datetime | None:
        running = self.c.clock("statutory_decision", agency)
        assert running is not None, f"no statutory decision clock for {agency}"
        return clock_deadline(running, CTX.calendar)

    def hold(self, actor: lc.Actor, asked: datetime, answered: datetime) -> None:
        self.do(actor, lc.RequestInformation(complaint_id=CID, question="Di mana?"), asked)
        self.do(CITIZEN, lc.ProvideInformation(complaint_id=CID, text="Jl. Juanda."), answered)


def _end_of_day(year: int, month: int, day: int) -> datetime:
    """The end of a local WITA day: the deadline instant of a clock due on that day."""
    return datetime(year, month, day, tzinfo=WITA) + DAY


def test_submission_does_not_start_the_decision_clock() -> None:
    story = Story()
    assert all(rc.clock != "statutory_decision" for rc in story.c.clocks)
    assert story.c.clock("statutory_response") is not None  # the 14 days do count from it


def test_submitted_held_completed_and_forwarded() -> None:
    story = Story()
    # Fri 28 Mar asked, Sun 30 Mar answered: the file is complete; not counted yet.
    story.hold(NATIONAL, T0 + DAY, T0 + 3 * DAY)
    assert all(rc.clock != "statutory_decision" for rc in story.c.clocks)
    # Verified and forwarded Tue 1 Apr 2025, 10:00 WITA: 60 days later is Sat 31 May
    # (29 more days in April, 31 in May); due at the end of it.
    story.do(NATIONAL, lc.Forward(complaint_id=CID, agencies=("samarinda",)), T0 + 5 * DAY)
    assert datetime(2025, 5, 31, 16, 0, tzinfo=UTC) == _end_of_day(2025, 5, 31)
    assert _end_of_day(2025, 5, 31) == story.decision_due("samarinda")


def test_forwarding_on_starts_the_new_agency_and_restarts_no_one() -> None:
    story = Story()
    story.do(NATIONAL, lc.Forward(complaint_id=CID, agencies=("samarinda",)), T0)
    # Thu 27 Mar + 60 days = Mon 26 May (4 in March, 30 in April, 26 in May).
    assert _end_of_day(2025, 5, 26) == story.decision_due("samarinda")
    story.do(NATIONAL, lc.Forward(complaint_id=CID, agencies=("kaltim.dinkes",)), T0 + 2 * DAY)
    assert _end_of_day(2025, 5, 26) == story.decision_due("samarinda")
    assert _end_of_day(2025, 5, 28) == story.decision_due("kaltim.dinkes")
    # Bukan wewenang: the rejecting agency is no provider of this complaint.
    reject = lc.RejectDisposition(complaint_id=CID, agency="kaltim.dinkes", reason="Bukan.")
    story.do(DINKES, reject, T0 + 3 * DAY)
    assert story.c.clock("statutory_decision", "kaltim.dinkes") is None
    assert _end_of_day(2025, 5, 26) == story.decision_due("samarinda")


def test_a_request_after_forwarding_pauses_the_decision_until_answered() -> None:
    story = Story()
    story.do(NATIONAL, lc.Forward(complaint_id=CID, agencies=("samarinda",)), T0)
    # The city asks on Thu 10 Apr and is answered on Tue 15 Apr: 5 days in WITA.
    asked = datetime(2025, 4, 10, 2, 0, tzinfo=UTC)
    story.do(SAMARINDA, lc.RequestInformation(complaint_id=CID, question="Di mana?"), asked)
    assert story.decision_due("samarinda") is None  # paused while the reporter is asked
    story.do(CITIZEN, lc.ProvideInformation(complaint_id=CID, text="Jl. Juanda."), asked + 5 * DAY)
    assert _end_of_day(2025, 5, 31) == story.decision_due("samarinda")  # 26 May + 5 days


def test_the_breach_comes_60_days_after_forwarding_not_after_submission() -> None:
    story = Story()
    story.hold(NATIONAL, T0 + DAY, T0 + 3 * DAY)
    story.do(NATIONAL, lc.Forward(complaint_id=CID, agencies=("samarinda",)), T0 + 5 * DAY)
    owed = due(
        story.c, _end_of_day(2025, 5, 31) - timedelta(seconds=1), CTX.calendar, PROFILE.clocks
    )
    assert not any(getattr(c, "clock", None) == "statutory_decision" for c in owed)
    owed = due(story.c, _end_of_day(2025, 5, 31), CTX.calendar, PROFILE.clocks)
    assert any(
        isinstance(c, lc.RecordBreach)
        and c.clock == "statutory_decision"
        and c.agency == "samarinda"
        for c in owed
    )
