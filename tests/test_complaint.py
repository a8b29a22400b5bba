"""Tests for decide / evolve / replay: the rules of each command beyond the table."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import attrs
import pytest

from helpers import (
    CID,
    CTX,
    HOME,
    NATIONAL,
    OWNER,
    REPORTER,
    STRANGER,
    SYSTEM,
    T0,
    Story,
    agency_actor,
    apply,
    drive,
    drive_to,
    in_scope,
    sample_command,
    submit_command,
)
from lapor_core import (
    Actor,
    Archive,
    ArchiveReason,
    Category,
    ChangePrivacy,
    Channel,
    ChannelType,
    Classify,
    Close,
    Complaint,
    ComplaintId,
    Content,
    Forward,
    ForwardInternally,
    InvalidTransition,
    Kind,
    NotFound,
    PermissionDenied,
    PostFollowUp,
    Privacy,
    ProfileError,
    ProvideInformation,
    RegionCode,
    RejectDisposition,
    Reply,
    Reporter,
    RequestInformation,
    Role,
    Status,
    ValidationError,
    decide,
    evolve,
    replay,
)
from lapor_core.domain.complaint import owners
from lapor_core.domain.lifecycle import TRANSITIONS, Lifecycle

AGENCY_ADMIN = in_scope(Role.AGENCY_ADMIN)
LIAISON = in_scope(Role.LIAISON_OFFICER)


def _forwarded_to(*agencies: str, lead: str | None = None, **submit: Any) -> Story:
    story = Story()
    story.do(OWNER, submit_command(**submit))
    story.do(NATIONAL, Forward(complaint_id=CID, agencies=agencies, lead=lead))
    return story


# --------------------------------------------------------------------------- replay


@pytest.mark.parametrize("status", list(Status))
def test_replay_equals_the_complaint_built_step_by_step(status: Status) -> None:
    complaint, events = drive_to(status)
    assert status == complaint.status
    assert complaint == replay(events)
    assert len(events) == complaint.version
    assert events[-1].at == complaint.updated_at


def test_replay_of_the_walk_path() -> None:
    """The path of ``lapor-core walk``: hold, forward, reject, re-forward, down, follow up."""
    registry = CTX.registry
    province = agency_actor(Role.AGENCY_ADMIN, "kaltim")
    pupr = agency_actor(Role.AGENCY_ADMIN, "kaltim.pupr")
    liaison = agency_actor(Role.LIAISON_OFFICER, "samarinda.dishub.penghubung")
    story = Story()
    story.do(
        OWNER,
        submit_command(
            channel=Channel(ChannelType.REGIONAL_APP, "LAPOR WAL!"),
            privacy=Privacy(anonymous=True),
            target_agency="kaltim",
        ),
    )
    assert ("kaltim",) == owners(story.state)
    story.do(province, RequestInformation(complaint_id=CID, question="Simpang yang mana?"))
    story.do(OWNER, ProvideInformation(complaint_id=CID, text="Jl. Juanda - Jl. Antasari."))
    assert Status.SUBMITTED == story.state.status
    story.do(province, Forward(complaint_id=CID, agencies=("kaltim.pupr",)))
    story.do(pupr, RejectDisposition(complaint_id=CID, agency="kaltim.pupr", reason="Bukan"))
    assert (Status.SUBMITTED, "kaltim") == (story.state.status, story.state.router)
    story.do(NATIONAL, Forward(complaint_id=CID, agencies=("samarinda",)))
    story.do(
        AGENCY_ADMIN,
        ForwardInternally(complaint_id=CID, agency=HOME, to="samarinda.dishub.penghubung"),
    )
    story.do(liaison, PostFollowUp(complaint_id=CID, agency=HOME, text="Sudah diperbaiki."))
    story.do(OWNER, Reply(complaint_id=CID, text="Terima kasih."))
    story.do(AGENCY_ADMIN, Close(complaint_id=CID, note="Selesai."))
    complaint = story.state
    assert Status.COMPLETED == complaint.status
    assert 1 == complaint.reroutings
    assert 10 == complaint.version
    assert ["question", "information", "follow_up", "reply"] == [m.kind for m in complaint.thread]
    assert "samarinda.dishub.penghubung" == complaint.assignments[0].handler
    assert registry.is_within(complaint.assignments[0].handler, HOME)
    assert complaint == replay(story.events)


def test_evolve_never_refuses_but_checks_the_stream() -> None:
    complaint, events = drive_to(Status.FORWARDED)
    with pytest.raises(ValidationError, match="must start with ComplaintSubmitted"):
        evolve(None, events[1])
    with pytest.raises(ValidationError, match="already submitted"):
        evolve(complaint, events[0])
    other = attrs.evolve(events[1], complaint_id=ComplaintId("lain"))
    with pytest.raises(ValidationError, match="applied to complaint"):
        evolve(complaint, other)
    with pytest.raises(ValidationError, match="empty event stream"):
        replay([])


def test_decide_changes_nothing() -> None:
    story = drive(Status.FORWARDED)
    before = story.state
    decide(before, sample_command(PostFollowUp), LIAISON, story.now, CTX)
    assert before == replay(story.events)
    assert Status.FORWARDED == before.status


# --------------------------------------------------------------------------- decide's checks


def test_decide_refuses_a_naive_now() -> None:
    story = drive(Status.SUBMITTED)
    naive = datetime(2025, 3, 28, 9, 0)  # noqa: DTZ001 - naive on purpose
    with pytest.raises(ValidationError, match="now must be timezone-aware"):
        decide(story.complaint, sample_command(Classify), NATIONAL, naive, CTX)
    with pytest.raises(ValidationError, match="now must be timezone-aware"):
        decide(None, submit_command(), OWNER, naive, CTX)


def test_decide_refuses_now_before_the_last_event() -> None:
    story = drive(Status.FORWARDED)
    earlier = story.state.updated_at - timedelta(seconds=1)
    with pytest.raises(ValidationError, match="before the complaint's last event"):
        decide(story.complaint, sample_command(Classify), NATIONAL, earlier, CTX)


def test_decide_accepts_now_equal_to_the_last_event() -> None:
    story = drive(Status.SUBMITTED)
    events = decide(
        story.complaint, sample_command(Classify), NATIONAL, story.state.updated_at, CTX
    )
    assert story.state.updated_at == events[0].at


def test_decide_refuses_a_command_for_another_complaint() -> None:
    story = drive(Status.SUBMITTED)
    command = sample_command(Classify, ComplaintId("c-2"))
    with pytest.raises(ValidationError, match="for complaint c-2, not c-1"):
        decide(story.complaint, command, NATIONAL, story.now, CTX)


def test_decide_refuses_a_non_submit_on_a_missing_complaint() -> None:
    with pytest.raises(NotFound, match="only Submit can create it"):
        decide(None, sample_command(Classify), NATIONAL, T0, CTX)


def test_submit_on_an_existing_complaint_is_an_invalid_transition() -> None:
    story = drive(Status.SUBMITTED)
    with pytest.raises(InvalidTransition, match="Submit is not allowed in status submitted"):
        decide(story.complaint, submit_command(), OWNER, story.now, CTX)


# --------------------------------------------------------------------------- submit


def test_submission_waits_with_the_national_root_without_a_target() -> None:
    story = Story()
    story.do(OWNER, submit_command(target_agency=None))
    assert ("lapor",) == owners(story.state)
    assert (Status.SUBMITTED, 1) == (story.state.status, story.state.version)
    assert T0 == story.state.submitted_at


def test_target_agency_sets_the_router() -> None:
    story = Story()
    story.do(OWNER, submit_command(target_agency="balikpapan"))
    assert "balikpapan" == story.state.router
    assert ("balikpapan",) == owners(story.state)


def test_unknown_target_agency_is_not_found() -> None:
    with pytest.raises(NotFound, match="nowhere"):
        decide(None, submit_command(target_agency="nowhere"), OWNER, T0, CTX)


def test_reporter_submits_only_as_themself() -> None:
    with pytest.raises(PermissionDenied, match="only as themself"):
        decide(None, submit_command(), STRANGER, T0, CTX)
    other = Reporter(id=STRANGER.id, name="Budi")
    assert decide(None, submit_command(reporter=other), STRANGER, T0, CTX)


@pytest.mark.parametrize("channel", [ChannelType.PAPER, ChannelType.MESSAGING])
def test_paper_and_messaging_are_digitised_by_admins_only(channel: ChannelType) -> None:
    command = submit_command(channel=Channel(channel))
    with pytest.raises(PermissionDenied, match="digitised by an admin"):
        decide(None, command, OWNER, T0, CTX)
    assert Status.SUBMITTED == apply(None, decide(None, command, NATIONAL, T0, CTX)).status
    assert Status.SUBMITTED == apply(None, decide(None, command, AGENCY_ADMIN, T0, CTX)).status


def test_agency_admin_digitises_only_within_its_subtree() -> None:
    paper = Channel(ChannelType.PAPER)
    inside = submit_command(channel=paper, target_agency="samarinda.dishub")
    assert "samarinda.dishub" == apply(None, decide(None, inside, AGENCY_ADMIN, T0, CTX)).router
    for target in ("balikpapan", None, "kaltim"):
        outside = submit_command(channel=paper, target_agency=target)
        with pytest.raises(PermissionDenied, match="only for its own agency"):
            decide(None, outside, AGENCY_ADMIN, T0, CTX)


def test_submission_keeps_what_was_submitted() -> None:
    command = submit_command(privacy=Privacy(confidential=True), kind=Kind.ASPIRATION)
    complaint = apply(None, decide(None, command, OWNER, T0, CTX))
    assert command.content == complaint.content
    assert (Kind.ASPIRATION, Privacy(confidential=True)) == (complaint.kind, complaint.privacy)
    assert (RegionCode("64.72"), REPORTER) == (complaint.region, complaint.reporter)


def test_unknown_subject_agency_is_not_found() -> None:
    command = submit_command(subject_agency="nowhere", misconduct=True)
    with pytest.raises(NotFound, match="nowhere"):
        decide(None, command, OWNER, T0, CTX)


def test_misconduct_needs_a_subject_agency() -> None:
    with pytest.raises(ValidationError, match="must name the subject_agency"):
        submit_command(misconduct=True)


# --------------------------------------------------------------------------- forward


def test_forward_to_several_agencies_with_one_lead() -> None:
    story = _forwarded_to("samarinda", "balikpapan", lead="balikpapan")
    assignments = {a.agency: a for a in story.state.assignments}
    assert {"samarinda": False, "balikpapan": True} == {k: a.lead for k, a in assignments.items()}
    assert {"lapor"} == {a.forwarded_by for a in assignments.values()}
    assert ("samarinda", "balikpapan") == owners(story.state)


def test_the_first_agency_leads_by_default_and_later_forwards_do_not_lead() -> None:
    story = _forwarded_to("samarinda", "balikpapan")
    story.do(NATIONAL, Forward(complaint_id=CID, agencies=("kaltim.dinkes",)))
    leads = [a.agency for a in story.state.assignments if a.lead]
    assert ["samarinda"] == leads
    assert Status.FORWARDED == story.state.status


def test_forward_lead_must_be_among_the_agencies() -> None:
    with pytest.raises(ValidationError, match="lead agency"):
        Forward(complaint_id=CID, agencies=("samarinda",), lead="balikpapan")
    with pytest.raises(ValidationError, match="at least one agency"):
        Forward(complaint_id=CID, agencies=())
    with pytest.raises(ValidationError, match="twice"):
        Forward(complaint_id=CID, agencies=("samarinda", "samarinda"))


def test_agency_admin_forwards_only_below_itself() -> None:
    story = drive(Status.SUBMITTED)
    for target in ("balikpapan", HOME, "kaltim"):
        command = Forward(complaint_id=CID, agencies=(target,))
        with pytest.raises(PermissionDenied, match="only to units below it"):
            decide(story.complaint, command, AGENCY_ADMIN, story.now, CTX)
    story.do(AGENCY_ADMIN, Forward(complaint_id=CID, agencies=("samarinda.dishub",)))
    assignment = story.state.assignments[0]
    assert ("samarinda.dishub", HOME) == (assignment.agency, assignment.forwarded_by)


def test_forward_to_an_unknown_agency_is_not_found() -> None:
    story = drive(Status.SUBMITTED)
    command = Forward(complaint_id=CID, agencies=("samarinda", "nowhere"))
    with pytest.raises(NotFound, match="nowhere"):
        decide(story.complaint, command, NATIONAL, story.now, CTX)


def test_forward_to_an_assigned_agency_is_refused() -> None:
    story = drive(Status.FORWARDED)
    command = Forward(complaint_id=CID, agencies=(HOME,))
    with pytest.raises(ValidationError, match="already assigned to 'samarinda'"):
        decide(story.complaint, command, NATIONAL, story.now, CTX)


def test_forward_to_the_national_root_is_refused() -> None:
    story = drive(Status.SUBMITTED)
    with pytest.raises(ValidationError, match="national root"):
        decide(
            story.complaint,
            Forward(complaint_id=CID, agencies=("lapor",)),
            NATIONAL,
            story.now,
            CTX,
        )


MISCONDUCT: dict[str, Any] = {"misconduct": True, "subject_agency": "samarinda.dishub"}


@pytest.mark.parametrize("target", ["samarinda.dishub", "samarinda.dishub.penghubung"])
def test_misconduct_is_never_forwarded_to_the_office_or_below(target: str) -> None:
    story = drive(Status.SUBMITTED, **MISCONDUCT)
    command = Forward(complaint_id=CID, agencies=(target,))
    with pytest.raises(ValidationError, match=r"'samarinda\.inspektorat'"):
        decide(story.complaint, command, NATIONAL, story.now, CTX)


def test_misconduct_goes_to_the_inspectorate() -> None:
    story = drive(Status.SUBMITTED, **MISCONDUCT)
    story.do(NATIONAL, Forward(complaint_id=CID, agencies=("samarinda.inspektorat",)))
    assert ("samarinda.inspektorat",) == owners(story.state)
    assert story.state.misconduct
    assert "samarinda.dishub" == story.state.subject_agency


def test_misconduct_is_never_forwarded_to_the_office_nor_to_its_line() -> None:
    """Not to the office, below it, nor above it (the city held it, and passed it down)."""
    story = drive(Status.SUBMITTED, **MISCONDUCT)
    for to in (HOME, "kaltim", "samarinda.dishub", "samarinda.dishub.penghubung"):
        command = Forward(complaint_id=CID, agencies=(to,))
        with pytest.raises(ValidationError, match=r"alleges misconduct by 'samarinda\.dishub'"):
            decide(story.complaint, command, NATIONAL, story.now, CTX)
    story.do(NATIONAL, Forward(complaint_id=CID, agencies=("samarinda.inspektorat",)))
    assert "samarinda.inspektorat" == story.state.assignments[0].handler


def test_misconduct_report_is_not_routed_to_the_accused_office() -> None:
    for target in ("samarinda.dishub", "samarinda.dishub.penghubung"):
        command = submit_command(target_agency=target, **MISCONDUCT)
        complaint = apply(None, decide(None, command, OWNER, T0, CTX))
        assert ("samarinda.inspektorat",) == owners(complaint)


# --------------------------------------------------------------------------- internal forwarding


def test_forward_internally_moves_the_handler_down() -> None:
    story = drive(Status.FORWARDED)
    story.do(AGENCY_ADMIN, ForwardInternally(complaint_id=CID, agency=HOME, to="samarinda.dishub"))
    unit = agency_actor(Role.UNIT_ADMIN, "samarinda.dishub")
    story.do(
        unit,
        ForwardInternally(complaint_id=CID, agency=HOME, to="samarinda.dishub.penghubung"),
    )
    assignment = story.state.assignments[0]
    assert (HOME, "samarinda.dishub.penghubung") == (assignment.agency, assignment.handler)
    assert (HOME,) == owners(story.state)


@pytest.mark.parametrize("to", [HOME, "kaltim", "balikpapan", "kaltim.pupr"])
def test_forward_internally_only_goes_down_the_tree(to: str) -> None:
    story = drive(Status.FORWARDED)
    story.do(AGENCY_ADMIN, ForwardInternally(complaint_id=CID, agency=HOME, to="samarinda.dishub"))
    command = ForwardInternally(complaint_id=CID, agency=HOME, to=to)
    with pytest.raises(ValidationError, match="goes down the tree"):
        decide(story.complaint, command, AGENCY_ADMIN, story.now, CTX)


def test_forward_internally_to_a_sibling_unit_is_refused() -> None:
    story = drive(Status.FORWARDED)
    story.do(AGENCY_ADMIN, ForwardInternally(complaint_id=CID, agency=HOME, to="samarinda.dishub"))
    command = ForwardInternally(complaint_id=CID, agency=HOME, to="samarinda.dpmptsp")
    with pytest.raises(ValidationError, match=r"not below 'samarinda\.dishub'"):
        decide(story.complaint, command, AGENCY_ADMIN, story.now, CTX)


def test_forward_internally_unknown_target_or_assignment() -> None:
    story = drive(Status.FORWARDED)
    with pytest.raises(NotFound, match="nowhere"):
        decide(
            story.complaint,
            ForwardInternally(complaint_id=CID, agency=HOME, to="nowhere"),
            AGENCY_ADMIN,
            story.now,
            CTX,
        )
    with pytest.raises(InvalidTransition, match="not assigned to agency 'balikpapan'"):
        decide(
            story.complaint,
            ForwardInternally(complaint_id=CID, agency="balikpapan", to="samarinda.dishub"),
            AGENCY_ADMIN,
            story.now,
            CTX,
        )


def test_unit_admin_above_the_handler_only() -> None:
    story = drive(Status.FORWARDED)
    unit = agency_actor(Role.UNIT_ADMIN, "samarinda.dishub")
    command = ForwardInternally(complaint_id=CID, agency=HOME, to="samarinda.dishub.penghubung")
    with pytest.raises(PermissionDenied, match="handled at 'samarinda'"):
        decide(story.complaint, command, unit, story.now, CTX)


# --------------------------------------------------------------------------- rejection


def test_rejection_with_remaining_assignees_stays_forwarded_and_passes_the_lead() -> None:
    story = _forwarded_to("samarinda", "balikpapan")
    story.do(
        AGENCY_ADMIN, RejectDisposition(complaint_id=CID, agency=HOME, reason="Bukan wewenang")
    )
    complaint = story.state
    assert Status.FORWARDED == complaint.status
    assert [("balikpapan", True)] == [(a.agency, a.lead) for a in complaint.assignments]
    assert 1 == complaint.reroutings
    assert ("balikpapan",) == owners(complaint)


def test_rejection_by_the_last_assignee_returns_to_the_national_root() -> None:
    story = drive(Status.FORWARDED, target_agency=None)
    story.do(AGENCY_ADMIN, sample_command(RejectDisposition))
    complaint = story.state
    assert (Status.SUBMITTED, "lapor", ()) == (
        complaint.status,
        complaint.router,
        complaint.assignments,
    )
    assert 1 == complaint.reroutings
    assert ("lapor",) == owners(complaint)


def test_rejection_returns_to_the_agency_whose_admin_forwarded() -> None:
    story = drive(Status.SUBMITTED)
    story.do(AGENCY_ADMIN, Forward(complaint_id=CID, agencies=("samarinda.dishub",)))
    dishub = agency_actor(Role.AGENCY_ADMIN, "samarinda.dishub")
    story.do(dishub, RejectDisposition(complaint_id=CID, agency="samarinda.dishub", reason="X"))
    assert (Status.SUBMITTED, HOME) == (story.state.status, story.state.router)
    story.do(NATIONAL, Forward(complaint_id=CID, agencies=("balikpapan",)))
    balikpapan = agency_actor(Role.AGENCY_ADMIN, "balikpapan")
    story.do(balikpapan, RejectDisposition(complaint_id=CID, agency="balikpapan", reason="Y"))
    assert (Status.SUBMITTED, "lapor", 2) == (
        story.state.status,
        story.state.router,
        story.state.reroutings,
    )


def test_rejection_after_a_follow_up_is_refused() -> None:
    story = drive(Status.IN_PROGRESS)
    with pytest.raises(InvalidTransition, match="already posted a follow-up"):
        decide(story.complaint, sample_command(RejectDisposition), AGENCY_ADMIN, story.now, CTX)


def test_rejection_of_an_agency_without_assignment_is_refused() -> None:
    story = drive(Status.FORWARDED)
    command = RejectDisposition(complaint_id=CID, agency="samarinda.dishub", reason="X")
    with pytest.raises(InvalidTransition, match="not assigned"):
        decide(story.complaint, command, AGENCY_ADMIN, story.now, CTX)


# --------------------------------------------------------------------------- hold, thread


def test_information_request_from_forwarded_returns_to_forwarded() -> None:
    story = drive(Status.FORWARDED)
    story.do(AGENCY_ADMIN, sample_command(RequestInformation))
    assert (Status.ON_HOLD, Status.FORWARDED) == (story.state.status, story.state.held_from)
    assert (HOME,) == owners(story.state)
    story.do(OWNER, sample_command(ProvideInformation))
    assert (Status.FORWARDED, None) == (story.state.status, story.state.held_from)
    assert ["question", "information"] == [m.kind for m in story.state.thread]


def test_information_request_from_submitted_returns_to_submitted() -> None:
    story = drive(Status.ON_HOLD)
    story.do(OWNER, sample_command(ProvideInformation))
    assert Status.SUBMITTED == story.state.status


def test_follow_up_and_reply_fill_the_thread_and_times() -> None:
    story = drive(Status.IN_PROGRESS)
    followed = story.state.last_follow_up_at
    story.do(OWNER, Reply(complaint_id=CID, text="Masih mati."))
    story.do(LIAISON, PostFollowUp(complaint_id=CID, agency=HOME, text="Dicek lagi."))
    complaint = story.state
    assert followed == complaint.first_follow_up_at
    assert complaint.last_follow_up_at is not None
    assert followed is not None
    assert complaint.last_follow_up_at > followed
    assert ["follow_up", "reply", "follow_up"] == [m.kind for m in complaint.thread]
    assert complaint.assignments[0].followed_up_at == followed


def test_close_by_a_non_lead_agency_admin_is_refused() -> None:
    story = _forwarded_to("balikpapan", "samarinda")
    story.do(LIAISON, sample_command(PostFollowUp))
    with pytest.raises(PermissionDenied, match="only the lead agency"):
        decide(story.complaint, sample_command(Close), AGENCY_ADMIN, story.now, CTX)
    story.do(NATIONAL, sample_command(Close))
    assert (Status.COMPLETED, False) == (story.state.status, story.state.closed_automatically)


# --------------------------------------------------------------------------- archive


def test_archive_as_duplicate_links_the_original() -> None:
    story = drive(Status.SUBMITTED)
    original = ComplaintId("c-0")
    story.do(
        NATIONAL,
        Archive(complaint_id=CID, reason=ArchiveReason.DUPLICATE, duplicate_of=original),
    )
    complaint = story.state
    assert (Status.ARCHIVED, ArchiveReason.DUPLICATE, original) == (
        complaint.status,
        complaint.archive_reason,
        complaint.duplicate_of,
    )
    assert () == owners(complaint)


def test_archive_duplicate_needs_another_original() -> None:
    with pytest.raises(ValidationError, match="needs duplicate_of"):
        Archive(complaint_id=CID, reason=ArchiveReason.DUPLICATE)
    with pytest.raises(ValidationError, match="duplicate of itself"):
        Archive(complaint_id=CID, reason=ArchiveReason.DUPLICATE, duplicate_of=CID)
    with pytest.raises(ValidationError, match="only for the reason 'duplicate'"):
        Archive(complaint_id=CID, reason=ArchiveReason.UNCLEAR, duplicate_of=ComplaintId("x"))


def test_archive_other_needs_a_note() -> None:
    with pytest.raises(ValidationError, match="needs a note"):
        Archive(complaint_id=CID, reason=ArchiveReason.OTHER)
    story = drive(Status.ON_HOLD)
    story.do(AGENCY_ADMIN, Archive(complaint_id=CID, reason=ArchiveReason.OTHER, note="Spam."))
    assert (Status.ARCHIVED, None) == (story.state.status, story.state.held_from)


# --------------------------------------------------------------------------- privacy, classify


def test_change_privacy_to_the_same_value_is_refused() -> None:
    story = drive(Status.SUBMITTED)
    same = ChangePrivacy(complaint_id=CID, privacy=Privacy())
    with pytest.raises(ValidationError, match="already has privacy"):
        decide(story.complaint, same, NATIONAL, story.now, CTX)
    story.do(NATIONAL, ChangePrivacy(complaint_id=CID, privacy=Privacy(anonymous=True)))
    assert Privacy(anonymous=True) == story.state.privacy


def test_classify_changes_title_kind_category_and_tags() -> None:
    story = drive(Status.SUBMITTED)
    story.do(
        NATIONAL,
        Classify(
            complaint_id=CID,
            title="Intisari",
            kind=Kind.ASPIRATION,
            category=Category("kesehatan"),
            tags=("lampu", "jalan"),
        ),
    )
    complaint = story.state
    assert "Intisari" == complaint.content.title
    assert (Kind.ASPIRATION, Category("kesehatan"), ("lampu", "jalan")) == (
        complaint.kind,
        complaint.category,
        complaint.tags,
    )
    assert submit_command().content.body == complaint.content.body


def test_classify_leaves_unnamed_fields_alone() -> None:
    story = drive(Status.SUBMITTED)
    before = story.state
    story.do(NATIONAL, Classify(complaint_id=CID, tags=("x",)))
    after = story.state
    assert (before.content, before.kind, before.category) == (
        after.content,
        after.kind,
        after.category,
    )
    with pytest.raises(ValidationError, match="changes nothing"):
        Classify(complaint_id=CID)
    with pytest.raises(ValidationError, match="tags"):
        Classify(complaint_id=CID, tags=("",))


# --------------------------------------------------------------------------- owners, lifecycle


@pytest.mark.parametrize("status", list(Status))
def test_owners_is_empty_exactly_when_terminal(status: Status) -> None:
    complaint, _ = drive_to(status)
    assert status.terminal == (owners(complaint) == ())


def test_lifecycle_refuses_two_rows_for_one_source_and_command() -> None:
    with pytest.raises(ProfileError, match=r"two rows for \(submitted, Classify\)"):
        Lifecycle(CTX.profile, (*TRANSITIONS, TRANSITIONS[1]))


def test_content_of_a_submission_is_validated_at_the_command() -> None:
    with pytest.raises(ValidationError):
        submit_command(content=Content(title="", body="x"))


def test_actor_identity_is_recorded_on_each_event() -> None:
    story = drive(Status.COMPLETED)
    actors: list[Actor] = [e.actor for e in story.events]
    assert [OWNER, NATIONAL, LIAISON, AGENCY_ADMIN] == actors
    assert SYSTEM not in actors


def test_complaint_is_frozen() -> None:
    complaint: Complaint = drive(Status.SUBMITTED).state
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        complaint.status = Status.ARCHIVED  # type: ignore[misc]


@pytest.mark.parametrize(
    ("status", "command"),
    [
        (Status.IN_PROGRESS, Reply(complaint_id=CID, text="Belum diperbaiki.")),
        (Status.ON_HOLD, ProvideInformation(complaint_id=CID, text="Simpang Jl. Antasari.")),
    ],
    ids=["reply window", "information"],
)
def test_the_reporter_may_not_answer_once_the_window_ran_out(
    status: Status, command: Reply | ProvideInformation
) -> None:
    """A late reply was taken when no sweep had closed the report yet, and restarted it."""
    story = drive(status)
    later = story.now + timedelta(days=60)  # past the reply window and the information clock
    with pytest.raises(InvalidTransition, match=r"ran out at .* it ends as the profile says"):
        decide(story.complaint, command, OWNER, later, CTX)
    story.do(OWNER, command)  # in time, it is taken
