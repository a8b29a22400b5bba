"""
``evolve`` field by field: each event changes exactly what it records, and nothing else.

The stories of ``helpers`` reach every status; these tests check the state after each
kind of event against the event itself (texts, agencies, instants, counters), the
refusals word for word, and the events only a sweep or an option records (breaches,
extensions, ratings, reopenings, recomputed deadlines), so that a change to
:mod:`lapor_core.domain.evolution` that loses or mixes up a field fails here.
"""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from helpers import (
    AWAY,
    CID,
    HOME,
    NATIONAL,
    OPEN_CTX,
    OWNER,
    STEP,
    SYSTEM,
    Story,
    drive,
    in_scope,
    sample_command,
    submit_command,
)
from lapor_core import (
    AutoClose,
    ChangePrivacy,
    Close,
    ExtendDeadline,
    Forward,
    ForwardInternally,
    PostFollowUp,
    Privacy,
    ProvideInformation,
    Rate,
    RejectDisposition,
    Reopen,
    Reply,
    RequestInformation,
    Role,
    Status,
    ValidationError,
)
from lapor_core.domain import events as e
from lapor_core.domain.clocks import BreachAction
from lapor_core.domain.complaint import evolve, replay
from lapor_core.domain.events import Assignment
from lapor_core.domain.model import ComplaintId
from lapor_core.domain.state import Message

THIRD = "bontang"


# ----------------------------------------------------------------------------- submission


def test_a_submission_keeps_every_fact_it_records() -> None:
    story = Story()
    (submitted,) = story.do(OWNER, submit_command(CID))
    assert isinstance(submitted, e.ComplaintSubmitted)
    state = story.state
    info = state.info
    assert (info.kind, info.privacy, info.channel, info.content) == (
        submitted.kind,
        submitted.privacy,
        submitted.channel,
        submitted.content,
    )
    assert (info.reporter, info.region, info.category, info.external_ids) == (
        submitted.reporter,
        submitted.region,
        submitted.category,
        submitted.external_ids,
    )
    assert info.channel is not None
    assert info.category is not None
    assert info.external_ids is not None
    assert (state.version, state.status, state.updated_at) == (1, Status.SUBMITTED, submitted.at)


def test_a_submission_recorded_before_events_carried_a_status_is_submitted() -> None:
    story = Story()
    (submitted,) = story.do(OWNER, submit_command(CID))
    assert evolve(None, attrs.evolve(submitted, status=None)).status is Status.SUBMITTED
    on_hold = attrs.evolve(submitted, status=Status.ON_HOLD)
    assert evolve(None, on_hold).status is Status.ON_HOLD  # the event's status wins


# --------------------------------------------------------------------------- the thread


def test_every_message_keeps_its_kind_time_actor_text_and_agency() -> None:
    story = Story()
    story.do(OWNER, submit_command(CID))
    asked = story.do(NATIONAL, RequestInformation(complaint_id=CID, question="Simpang mana?"))
    given = story.do(OWNER, ProvideInformation(complaint_id=CID, text="Simpang Antasari."))
    story.do(NATIONAL, Forward(complaint_id=CID, agencies=(HOME,)))
    officer = in_scope(Role.LIAISON_OFFICER)
    followed = story.do(officer, PostFollowUp(complaint_id=CID, agency=HOME, text="Dicek."))
    replied = story.do(OWNER, Reply(complaint_id=CID, text="Terima kasih."))
    assert story.state.thread == (
        Message(kind="question", at=asked[-1].at, actor=NATIONAL, text="Simpang mana?"),
        Message(kind="information", at=given[-1].at, actor=OWNER, text="Simpang Antasari."),
        Message(kind="follow_up", at=followed[-1].at, actor=officer, text="Dicek.", agency=HOME),
        Message(kind="reply", at=replied[-1].at, actor=OWNER, text="Terima kasih."),
    )


# ---------------------------------------------------------------------------- disposition


def test_the_first_forwarding_is_recorded_once() -> None:
    story = drive(Status.FORWARDED)
    first = story.state.record.first_forwarded_at
    assert first is not None
    assert first == story.events[-1].at
    story.do(NATIONAL, Forward(complaint_id=CID, agencies=(AWAY,)))
    assert story.state.record.first_forwarded_at == first
    assert [a.agency for a in story.state.assignments] == [HOME, AWAY]


def test_forwarding_internally_changes_the_handler_of_that_agency_only() -> None:
    story = drive(Status.SUBMITTED)
    story.do(NATIONAL, Forward(complaint_id=CID, agencies=(HOME, AWAY)))
    before = {a.agency: a for a in story.state.assignments}
    story.do(
        in_scope(Role.AGENCY_ADMIN),
        ForwardInternally(complaint_id=CID, agency=HOME, to="samarinda.dishub"),
    )
    after = {a.agency: a for a in story.state.assignments}
    assert after[HOME].handler == "samarinda.dishub"
    assert after[AWAY] == before[AWAY]
    assert after[AWAY].handler != "samarinda.dishub"


def test_a_rejection_by_the_lead_passes_the_lead_on_and_keeps_the_others() -> None:
    story = drive(Status.SUBMITTED)
    story.do(NATIONAL, Forward(complaint_id=CID, agencies=(HOME, AWAY, THIRD)))
    assert [a.lead for a in story.state.assignments] == [True, False, False]
    router = story.state.router
    story.do(
        in_scope(Role.AGENCY_ADMIN),
        RejectDisposition(complaint_id=CID, agency=HOME, reason="Bukan wewenang"),
    )
    assert [(a.agency, a.lead) for a in story.state.assignments] == [
        (AWAY, True),
        (THIRD, False),
    ]
    assert story.state.router == router  # others still hold it: it does not go back
    assert story.state.record.reroutings == 1


def test_a_rejection_by_the_last_agency_returns_the_report() -> None:
    story = drive(Status.FORWARDED)
    (rejected,) = story.do(
        in_scope(Role.AGENCY_ADMIN),
        RejectDisposition(complaint_id=CID, agency=HOME, reason="Bukan wewenang"),
    )
    assert isinstance(rejected, e.DispositionRejected)
    assert rejected.returned_to is not None
    assert story.state.assignments == ()
    assert story.state.router == rejected.returned_to


def test_a_rejection_without_a_return_keeps_the_router() -> None:
    story = drive(Status.FORWARDED)
    state = story.state
    event = e.DispositionRejected(
        complaint_id=CID,
        at=story.now,
        actor=in_scope(Role.AGENCY_ADMIN),
        agency=HOME,
        reason="Bukan wewenang",
        returned_to=None,
        status=Status.SUBMITTED,
    )
    after = evolve(state, event)
    assert after.assignments == ()
    assert after.router == state.router


# ------------------------------------------------------------------------------ the end


def test_closing_and_archiving_record_when() -> None:
    completed = drive(Status.COMPLETED)
    assert completed.state.record.closed_at == completed.events[-1].at
    assert completed.state.record.closed_automatically is False
    archived = drive(Status.ARCHIVED)
    assert archived.state.record.closed_at == archived.events[-1].at
    assert archived.state.record.archive_reason is not None


def test_rating_and_reopening_change_the_record() -> None:
    story = drive(Status.COMPLETED, OPEN_CTX)
    story.do(OWNER, Rate(complaint_id=CID, score=4))
    assert story.state.record.rating == 4
    (reopened, *_rest) = story.do(OWNER, Reopen(complaint_id=CID, reason="Mati lagi."))
    record = story.state.record
    assert (record.rating, record.closed_at, record.reopen_count) == (None, None, 1)
    assert story.state.thread[-1] == Message(
        kind="reopen", at=reopened.at, actor=OWNER, text="Mati lagi."
    )
    assert story.state.status is Status.IN_PROGRESS


def test_recomputed_deadlines_record_the_data_they_follow() -> None:
    story = drive(Status.FORWARDED)
    event = e.DeadlinesRecomputed(
        complaint_id=CID,
        at=story.now,
        actor=SYSTEM,
        confirmed_until=2026,
        changes=(),
    )
    after = evolve(story.state, event)
    assert after.record.deadlines_confirmed_until == 2026
    assert (after.version, after.status) == (story.state.version + 1, Status.FORWARDED)


# ------------------------------------------------------------------------------ on hold


def test_a_complaint_on_hold_remembers_where_it_was_held_from() -> None:
    story = drive(Status.FORWARDED)
    story.do(NATIONAL, RequestInformation(complaint_id=CID, question="Alamat?"))
    assert (story.state.status, story.state.held_from) == (Status.ON_HOLD, Status.FORWARDED)
    story.do(OWNER, ChangePrivacy(complaint_id=CID, privacy=Privacy(anonymous=True)))
    assert (story.state.status, story.state.held_from) == (Status.ON_HOLD, Status.FORWARDED)
    story.do(OWNER, ProvideInformation(complaint_id=CID, text="Jl. Juanda 1."))
    assert (story.state.status, story.state.held_from) == (Status.FORWARDED, None)


# -------------------------------------------------------------------------------- clocks


def _breach(story: Story, action: BreachAction, escalated_to: str | None = None) -> e.Event:
    (running, *_rest) = story.state.clocks
    return e.ClockBreached(
        complaint_id=CID,
        at=story.now,
        actor=SYSTEM,
        clock=running.clock,
        agency=running.agency,
        deadline=story.now - STEP,
        action=action,
        escalated_to=escalated_to,
        status=story.state.status,
    )


@pytest.mark.parametrize(
    ("action", "escalated_to", "counts"),
    [
        (BreachAction.WARN, None, (1, 0, 1, 0, False)),
        (BreachAction.ESCALATE, "kaltim", (1, 0, 0, 1, False)),
        (BreachAction.AUTO_CLOSE, None, (1, 1, 0, 0, False)),
        (BreachAction.ARCHIVE_WITHDRAWN, None, (1, 1, 0, 0, False)),
        (BreachAction.OMBUDSMAN_REFERRAL, None, (1, 0, 0, 0, True)),
    ],
)
def test_a_breach_counts_what_kind_of_breach_it_is(
    action: BreachAction, escalated_to: str | None, counts: tuple[int, int, int, int, bool]
) -> None:
    story = drive(Status.FORWARDED)
    event = _breach(story, action, escalated_to)
    twice = evolve(evolve(story.state, event), attrs.evolve(event, at=story.now + STEP))
    once = evolve(story.state, event)
    record = once.record
    assert (
        record.breaches,
        record.reporter_timeouts,
        record.warning_breaches,
        record.escalations,
        record.ombudsman_eligible,
    ) == counts
    assert twice.record.breaches == 2
    assert twice.record.reporter_timeouts == 2 * counts[1]
    assert twice.record.warning_breaches == 2 * counts[2]
    assert twice.record.escalations == 2 * counts[3]
    assert once.clocks[0].breached is True


def test_each_extension_is_counted_and_added() -> None:
    story = drive(Status.FORWARDED)
    (extended_event,) = story.do(
        in_scope(Role.AGENCY_ADMIN),
        ExtendDeadline(
            complaint_id=CID, clock="follow_up", agency=HOME, amount=2, reason="Perlu survei."
        ),
    )
    key = ("follow_up", HOME)
    extended = next(rc for rc in story.state.clocks if rc.key == key)
    assert (extended.extension, extended.extensions) == (2, 1)
    # evolve never refuses: the same grant recorded again adds up (the limit is decide's)
    again = evolve(story.state, attrs.evolve(extended_event, at=story.now))
    twice = next(rc for rc in again.clocks if rc.key == key)
    assert (twice.extension, twice.extensions) == (4, 2)
    others = [rc for rc in story.state.clocks if rc.key != key]
    assert all((rc.extension, rc.extensions) == (0, 0) for rc in others)


# ------------------------------------------------------------------------------ refusals


def test_a_second_submission_is_refused_by_name() -> None:
    story = drive(Status.SUBMITTED)
    with pytest.raises(ValidationError) as refused:
        evolve(story.state, story.events[0])
    assert str(refused.value) == "complaint c-1 was already submitted"
    assert refused.value.fields == {"old_id": CID}


def test_an_unknown_event_type_is_refused_by_name() -> None:
    story = drive(Status.SUBMITTED)

    @attrs.frozen(kw_only=True)
    class Unheard(e.Event):
        pass

    with pytest.raises(ValidationError) as refused:
        evolve(story.state, Unheard(complaint_id=CID, at=story.now, actor=SYSTEM))
    assert str(refused.value) == "evolve does not know event type Unheard"


def test_a_stream_must_start_with_its_submission() -> None:
    story = drive(Status.FORWARDED)
    with pytest.raises(ValidationError) as refused:
        evolve(None, story.events[-1])
    assert str(refused.value) == (
        "a complaint's stream must start with ComplaintSubmitted, not ComplaintForwarded"
    )


def test_an_event_of_another_complaint_is_refused() -> None:
    story = drive(Status.SUBMITTED)
    other = drive(Status.FORWARDED, cid=ComplaintId("c-2"))
    with pytest.raises(ValidationError) as refused:
        evolve(story.state, other.events[-1])
    assert str(refused.value) == "event for c-2 applied to complaint c-1"


def test_an_empty_stream_cannot_be_replayed() -> None:
    with pytest.raises(ValidationError) as refused:
        replay([])
    assert str(refused.value) == "cannot replay an empty event stream"


def test_replay_is_evolve_event_by_event() -> None:
    story = drive(Status.COMPLETED)
    assert replay(story.events) == story.state
    assert story.state.version == len(story.events)
    assert story.state.updated_at == story.events[-1].at


def test_assignment_after_a_follow_up_records_when() -> None:
    story = drive(Status.IN_PROGRESS)
    (home,) = story.state.assignments
    assert isinstance(home, Assignment)
    assert home.followed_up_at == story.events[-1].at
    assert story.state.record.first_follow_up_at == story.events[-1].at
    story.do(in_scope(Role.AGENCY_ADMIN), sample_command(Close, CID))
    assert story.state.assignments[0].followed_up_at == home.followed_up_at


def test_reopening_an_automatically_closed_report_clears_the_mark() -> None:
    story = drive(Status.IN_PROGRESS, OPEN_CTX)
    story.now += timedelta(days=60)  # past the reporter's reply window
    story.do(SYSTEM, AutoClose(complaint_id=CID))
    closed = story.state.record
    assert closed.closed_automatically is True
    story.do(OWNER, Reopen(complaint_id=CID, reason="Belum selesai."))
    reopened = story.state.record
    assert reopened.closed_automatically is False
    assert reopened.closed_at is None
