"""
What ``decide`` answers, word for word and field by field.

The other tests of ``decide`` check which commands it accepts and match part of a
refusal's message; these pin the rest, so that mutation testing of
``lapor_core.domain.decision`` (``bench/mutation.py decision``) finds a test for each
change of its code: every refusal's whole message and its fields, every field of every
event (the actor who asked and the instant included), the status of each event when a
command records several, and the rules only a deployment's own lifecycle table reaches
(a row's guard, the scope of the roles it allows, a command type ``decide`` does not
handle).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import attrs
import pytest

from helpers import (
    AWAY,
    CID,
    CTX,
    HOME,
    NATIONAL,
    OPEN_CTX,
    OWNER,
    PROFILE,
    REGISTRY,
    SYSTEM,
    T0,
    Story,
    agency_actor,
    drive,
    edit_table,
    in_scope,
    national_toml,
    sample_command,
    submit_command,
)
from lapor_core import (
    Actor,
    Archive,
    ArchiveReason,
    AutoClose,
    ChangePrivacy,
    Channel,
    ChannelType,
    Classify,
    Close,
    Command,
    ComplaintId,
    Context,
    Forward,
    ForwardInternally,
    InvalidTransition,
    Kind,
    LaporError,
    NotFound,
    PermissionDenied,
    PostFollowUp,
    Privacy,
    Profile,
    ProvideInformation,
    Rate,
    RejectDisposition,
    Reopen,
    Reply,
    RequestInformation,
    Role,
    Status,
    ValidationError,
    decide,
)
from lapor_core.domain import events as e
from lapor_core.domain.clocks import ClockChange, ClockOp
from lapor_core.domain.lifecycle import TRANSITIONS, Lifecycle, Outcome, Target, Transition
from lapor_core.domain.model import Basis, Confidence
from lapor_core.domain.profile_rules import FlagOption
from test_lifecycle_table import ALLOWED, context_for, setup, valid_command, when

HOME_ADMIN = agency_actor(Role.AGENCY_ADMIN, HOME)
AWAY_ADMIN = agency_actor(Role.AGENCY_ADMIN, AWAY)
LIAISON = in_scope(Role.LIAISON_OFFICER)
PROVINCE_ADMIN = agency_actor(Role.AGENCY_ADMIN, "kaltim")
ON = FlagOption(enabled=True, basis=Basis("local: test", Confidence.LOCAL))
WRONG_DOOR_CTX = Context.create(attrs.evolve(PROFILE, no_wrong_door=ON), REGISTRY)
"""The national rules with ``[options.no_wrong_door]`` on."""
MISCONDUCT: dict[str, Any] = {"misconduct": True, "subject_agency": "samarinda.dishub"}


def refusal(
    error: type[LaporError], complaint: Any, command: Any, actor: Any, now: Any, *, ctx: Context
) -> LaporError:
    """The refusal of *command*, which must be an *error*."""
    with pytest.raises(error) as caught:
        decide(complaint, command, actor, now, ctx)
    return caught.value


def bare(event: e.Event) -> e.Event:
    """*event* without its clock changes (checked by the clock tests), to compare the rest."""
    return attrs.evolve(event, clock_changes=())


def capped(cap: int) -> Context:
    """The national rules with a thread of at most *cap* messages."""
    text = edit_table(
        national_toml(), "options.thread", "max_messages = 1000", f"max_messages = {cap}"
    )
    return Context.create(Profile.from_toml(text), REGISTRY)


def with_table(table: tuple[Transition, ...], base: Context = CTX) -> Context:
    """*base* with a lifecycle table of the deployment's own."""
    return Context(Lifecycle(base.profile, table), base.registry, base.calendar)


def with_roles(command: type[Command], *roles: Role) -> tuple[Transition, ...]:
    """The table with *roles* also allowed on every row of *command*."""
    return tuple(
        attrs.evolve(row, roles=row.roles | set(roles)) if row.command is command else row
        for row in TRANSITIONS
    )


# --------------------------------------------------------------------------- the arguments


def test_a_value_that_is_not_a_command_is_refused_naming_it() -> None:
    story = drive(Status.SUBMITTED)
    error = refusal(ValidationError, story.complaint, "Classify", NATIONAL, story.now, ctx=CTX)
    assert "not a command: 'Classify'" == str(error)
    assert "not a command: {command!r}" == error.template
    assert {"command": "Classify"} == error.fields


def test_a_value_that_is_not_an_actor_is_refused_naming_it() -> None:
    story = drive(Status.SUBMITTED)
    command = sample_command(Classify)
    error = refusal(ValidationError, story.complaint, command, "admin-nasional", story.now, ctx=CTX)
    assert "not an actor: 'admin-nasional'" == str(error)
    assert "not an actor: {actor!r}" == error.template
    assert {"actor": "admin-nasional"} == error.fields


def test_a_command_on_a_missing_complaint_names_the_complaint() -> None:
    error = refusal(NotFound, None, sample_command(Classify), NATIONAL, T0, ctx=CTX)
    assert "complaint c-1 does not exist; only Submit can create it" == str(error)
    assert {"complaint_id": CID} == error.fields


def test_a_command_for_another_complaint_names_both_complaints() -> None:
    story = drive(Status.SUBMITTED)
    command = sample_command(Classify, ComplaintId("c-2"))
    error = refusal(ValidationError, story.complaint, command, NATIONAL, story.now, ctx=CTX)
    assert "command is for complaint c-2, not c-1" == str(error)
    assert {"complaint_id": ComplaintId("c-2"), "other_id": CID} == error.fields


def test_a_now_before_the_last_event_names_both_instants() -> None:
    story = drive(Status.FORWARDED)
    last = story.state.updated_at
    earlier = last - timedelta(seconds=1)
    error = refusal(
        ValidationError, story.complaint, sample_command(Classify), NATIONAL, earlier, ctx=CTX
    )
    assert (
        f"now ({earlier.isoformat()}) is before the complaint's last event ({last.isoformat()})"
        == str(error)
    )
    assert {"instant": earlier.isoformat(), "later": last.isoformat()} == error.fields


# --------------------------------------------------------------------------- the table's row


def test_a_role_the_row_does_not_allow_is_refused_naming_the_status_and_the_roles() -> None:
    story = drive(Status.SUBMITTED)
    error = refusal(
        PermissionDenied, story.complaint, sample_command(Classify), OWNER, story.now, ctx=CTX
    )
    assert (
        "reporter 'pelapor-1' may not Classify in status submitted; "
        "allowed roles: agency_admin, national_admin"
    ) == str(error)
    assert "in status submitted" == str(error.fields["where"])
    assert {
        "role": "reporter",
        "actor_id": "pelapor-1",
        "type_name": "Classify",
        "allowed": "agency_admin, national_admin",
    } == {k: v for k, v in error.fields.items() if k != "where"}


def test_a_role_that_may_not_submit_is_refused_naming_the_submission() -> None:
    error = refusal(PermissionDenied, None, submit_command(), LIAISON, T0, ctx=CTX)
    assert (
        "liaison_officer 'liaison_officer@samarinda' may not Submit before submission; "
        "allowed roles: agency_admin, national_admin, reporter, system"
    ) == str(error)
    assert "before submission" == str(error.fields["where"])


def _replies_by_the_reporter_only(
    _complaint: object, _command: object, actor: Actor, _now: object, _profile: object
) -> None:
    """Only the reporter replies (a deployment's rule)."""
    if actor.role is not Role.REPORTER:
        raise PermissionDenied("only the reporter replies here")


def test_a_rows_guard_is_told_who_asks() -> None:
    table = tuple(
        attrs.evolve(row, guard=_replies_by_the_reporter_only) if row.command is Reply else row
        for row in TRANSITIONS
    )
    ctx = with_table(table)
    story = drive(Status.IN_PROGRESS, ctx)
    reply = sample_command(Reply)
    error = refusal(PermissionDenied, story.complaint, reply, NATIONAL, story.now, ctx=ctx)
    assert "only the reporter replies here" == str(error)
    events = decide(story.complaint, reply, OWNER, story.now, ctx)
    assert [e.ReplyPosted] == [type(event) for event in events]


@attrs.frozen(kw_only=True)
class Nudge(Command):
    """A command a deployment's table names but ``decide`` does not know."""


def test_a_command_type_decide_does_not_handle_is_refused_naming_it() -> None:
    row = Transition(
        Status.SUBMITTED,
        Nudge,
        frozenset({Role.NATIONAL_ADMIN}),
        (Outcome((e.ReplyPosted,), Target.SAME),),
        "local: test",
    )
    ctx = with_table((*TRANSITIONS, row))
    story = drive(Status.SUBMITTED, ctx)
    error = refusal(
        InvalidTransition, story.complaint, Nudge(complaint_id=CID), NATIONAL, story.now, ctx=ctx
    )
    assert "decide does not know command type Nudge" == str(error)
    assert {"type_name": "Nudge"} == error.fields


def _story_for(command: type[Command]) -> tuple[Story, Command]:
    if command is ProvideInformation:
        return drive(Status.ON_HOLD, OPEN_CTX), sample_command(ProvideInformation)
    if command is Reply:
        return drive(Status.IN_PROGRESS, OPEN_CTX), sample_command(Reply)
    return drive(Status.COMPLETED, OPEN_CTX), sample_command(command)


@pytest.mark.parametrize("command", [ProvideInformation, Reply, Rate, Reopen])
def test_an_agency_role_a_table_adds_acts_only_in_its_subtree(command: type[Command]) -> None:
    """Scope is checked for every role a row allows, not only for the bundled table's."""
    ctx = with_table(with_roles(command, Role.AGENCY_ADMIN), OPEN_CTX)
    story, cmd = _story_for(command)
    error = refusal(PermissionDenied, story.complaint, cmd, AWAY_ADMIN, story.now, ctx=ctx)
    assert (
        "agency_admin 'agency_admin@balikpapan' of 'balikpapan' may not act on complaint "
        "c-1: it is not assigned inside that agency's subtree"
    ) == str(error)
    events = decide(story.complaint, cmd, HOME_ADMIN, story.now, ctx)
    assert HOME_ADMIN == events[-1].actor


# --------------------------------------------------------------------------- submit


def test_a_reporter_submitting_as_another_is_refused_naming_both() -> None:
    error = refusal(
        PermissionDenied, None, submit_command(), Actor.reporter("pelapor-2"), T0, ctx=CTX
    )
    assert "reporter 'pelapor-2' may submit only as themself, not as 'pelapor-1'" == str(error)
    assert {"actor_id": "pelapor-2", "reporter_id": "pelapor-1"} == error.fields


def test_a_reporter_may_not_submit_on_an_admins_channel_which_is_named() -> None:
    command = submit_command(channel=Channel(ChannelType.PAPER))
    error = refusal(PermissionDenied, None, command, OWNER, T0, ctx=CTX)
    assert "channel paper is digitised by an admin, not by the reporter" == str(error)
    assert {"type": "paper"} == error.fields


def test_an_agency_admin_digitising_outside_its_subtree_is_told_the_router() -> None:
    command = submit_command(channel=Channel(ChannelType.PAPER), target_agency="balikpapan")
    error = refusal(PermissionDenied, None, command, HOME_ADMIN, T0, ctx=CTX)
    assert (
        "agency admin of 'samarinda' may digitise reports only for its own agency; set "
        "target_agency inside its subtree (got router 'balikpapan')"
    ) == str(error)
    assert {"agency_id": HOME, "router": "balikpapan"} == error.fields


def _router_of(**changes: Any) -> str:
    (event,) = decide(None, submit_command(**changes), OWNER, T0, CTX)
    assert isinstance(event, e.ComplaintSubmitted)
    return event.router


def test_an_office_named_without_misconduct_does_not_change_the_router() -> None:
    assert HOME == _router_of(subject_agency="samarinda.dishub")
    assert HOME == _router_of(subject_agency="balikpapan")


def test_a_misconduct_report_addressed_outside_the_accused_line_goes_where_addressed() -> None:
    assert "kaltim.inspektorat" == _router_of(target_agency="kaltim.inspektorat", **MISCONDUCT)
    assert "balikpapan" == _router_of(target_agency="balikpapan", **MISCONDUCT)


def test_a_misconduct_report_with_no_inspectorate_above_the_office_waits_nationally() -> None:
    """The ministries have no inspectorate in the registry: the national admin verifies."""
    assert "lapor" == _router_of(
        target_agency="kemenkes", misconduct=True, subject_agency="kemenkes"
    )


def test_a_submission_records_what_was_submitted() -> None:
    command = submit_command(privacy=Privacy(anonymous=True), **MISCONDUCT)
    (event,) = decide(None, command, OWNER, T0, CTX)
    assert e.ComplaintSubmitted(
        complaint_id=CID,
        at=T0,
        actor=OWNER,
        status=Status.SUBMITTED,
        content=command.content,
        kind=Kind.COMPLAINT,
        reporter=command.reporter,
        channel=command.channel,
        privacy=Privacy(anonymous=True),
        region=command.region,
        category=command.category,
        external_ids=command.external_ids,
        router="samarinda.inspektorat",
        subject_agency="samarinda.dishub",
        misconduct=True,
    ) == bare(event)


# --------------------------------------------------------------------------- the thread's cap


@pytest.mark.parametrize(
    ("status", "actor", "command"),
    [
        (Status.IN_PROGRESS, OWNER, sample_command(Reply)),
        (Status.IN_PROGRESS, LIAISON, sample_command(PostFollowUp)),
        (Status.FORWARDED, NATIONAL, sample_command(RequestInformation)),
    ],
    ids=["Reply", "PostFollowUp", "RequestInformation"],
)
def test_a_full_thread_refuses_naming_the_command_the_count_and_the_cap(
    status: Status, actor: Actor, command: Command
) -> None:
    ctx = capped(1)
    story = drive(status, ctx)
    count = len(story.state.thread)
    name = type(command).__name__
    error = refusal(InvalidTransition, story.complaint, command, actor, story.now, ctx=ctx)
    assert (
        f"{name} is refused: the thread of complaint c-1 holds {count} messages and the "
        "profile allows at most 1 (options.thread.max_messages)"
    ) == str(error)
    assert {"type_name": name, "complaint_id": CID, "count": count, "cap": 1} == error.fields


# --------------------------------------------------------------------------- forwarding


def test_forwarding_a_misconduct_report_to_the_accused_names_its_inspectorate() -> None:
    story = drive(Status.SUBMITTED, **MISCONDUCT)
    command = Forward(complaint_id=CID, agencies=("samarinda.dishub.penghubung",))
    error = refusal(ValidationError, story.complaint, command, NATIONAL, story.now, ctx=CTX)
    assert (
        "complaint c-1 alleges misconduct by 'samarinda.dishub': it may not be forwarded to "
        "that office, below it or above it ('samarinda.dishub.penghubung'); route it to "
        "'samarinda.inspektorat'"
    ) == str(error)
    assert {
        "complaint_id": CID,
        "subject": "samarinda.dishub",
        "agency_id": "samarinda.dishub.penghubung",
        "hint": "; route it to 'samarinda.inspektorat'",
    } == error.fields


def test_forwarding_a_misconduct_report_to_an_office_without_inspectorate_gives_no_hint() -> None:
    story = drive(Status.SUBMITTED, misconduct=True, subject_agency="kemenkes")
    command = Forward(complaint_id=CID, agencies=("kemenkes",))
    error = refusal(ValidationError, story.complaint, command, NATIONAL, story.now, ctx=CTX)
    assert (
        "complaint c-1 alleges misconduct by 'kemenkes': it may not be forwarded to that "
        "office, below it or above it ('kemenkes')"
    ) == str(error)
    assert "" == error.fields["hint"]


def test_two_agencies_without_sk_that_meet_at_one_ancestor_are_refused_together() -> None:
    story = drive(Status.SUBMITTED, WRONG_DOOR_CTX)
    command = Forward(complaint_id=CID, agencies=("ppu", "mahulu"))
    error = refusal(
        ValidationError, story.complaint, command, NATIONAL, story.now, ctx=WRONG_DOOR_CTX
    )
    assert (
        "forward names agencies without SK that go to the same ancestor: "
        "{'ppu': 'kaltim', 'mahulu': 'kaltim'}"
    ) == str(error)
    assert {"targets": {"ppu": "kaltim", "mahulu": "kaltim"}} == error.fields


def test_forwarding_to_the_national_root_is_refused_in_so_many_words() -> None:
    story = drive(Status.SUBMITTED)
    command = Forward(complaint_id=CID, agencies=("lapor",))
    error = refusal(ValidationError, story.complaint, command, NATIONAL, story.now, ctx=CTX)
    assert "cannot forward to the national root itself" == str(error)


def test_forwarding_again_to_an_assignee_names_the_complaint_and_the_agency() -> None:
    story = drive(Status.FORWARDED)
    command = Forward(complaint_id=CID, agencies=(HOME,))
    error = refusal(ValidationError, story.complaint, command, NATIONAL, story.now, ctx=CTX)
    assert "complaint c-1 is already assigned to 'samarinda'" == str(error)
    assert {"complaint_id": CID, "agency_id": HOME} == error.fields


def test_a_forward_records_each_assignment_with_who_forwarded_it_and_when() -> None:
    story = drive(Status.FORWARDED)
    now = story.now
    command = Forward(complaint_id=CID, agencies=("kaltim.dinkes", "balikpapan"))
    (event,) = decide(story.complaint, command, NATIONAL, now, CTX)
    assert e.ComplaintForwarded(
        complaint_id=CID,
        at=now,
        actor=NATIONAL,
        status=Status.FORWARDED,
        assignments=tuple(
            e.Assignment(
                agency=agency,
                handler=agency,
                lead=False,  # HOME leads already
                forwarded_by="lapor",
                forwarded_at=now,
            )
            for agency in ("kaltim.dinkes", "balikpapan")
        ),
    ) == bare(event)


def test_internal_forwarding_up_or_across_names_the_target_and_the_handler() -> None:
    story = drive(Status.FORWARDED)
    command = ForwardInternally(complaint_id=CID, agency=HOME, to="kaltim")
    error = refusal(ValidationError, story.complaint, command, HOME_ADMIN, story.now, ctx=CTX)
    assert "internal forwarding goes down the tree: 'kaltim' is not below 'samarinda'" == str(error)
    assert {"to": "kaltim", "handler": HOME} == error.fields


def test_no_wrong_door_that_leads_back_to_the_handler_refuses_naming_the_unit() -> None:
    """The province forwards down to a regency without SK: no wrong door finds only itself."""
    story = Story(WRONG_DOOR_CTX)
    story.do(OWNER, submit_command())
    story.do(NATIONAL, Forward(complaint_id=CID, agencies=("kaltim",)))
    command = ForwardInternally(complaint_id=CID, agency="kaltim", to="ppu")
    error = refusal(
        ValidationError, story.complaint, command, PROVINCE_ADMIN, story.now, ctx=WRONG_DOOR_CTX
    )
    assert (
        "agency 'ppu' has no decree (SK) appointing its complaint team, so nobody there can "
        "act on a complaint; its nearest ancestor with one is 'kaltim'"
    ) == str(error)


def test_internal_forwarding_records_the_assignment_and_the_new_handler() -> None:
    story = drive(Status.FORWARDED)
    command = ForwardInternally(complaint_id=CID, agency=HOME, to="samarinda.dishub")
    (event,) = decide(story.complaint, command, HOME_ADMIN, story.now, CTX)
    assert e.ForwardedInternally(
        complaint_id=CID,
        at=story.now,
        actor=HOME_ADMIN,
        status=Status.FORWARDED,
        agency=HOME,
        to="samarinda.dishub",
    ) == bare(event)


# --------------------------------------------------------------------------- rejection, close


def test_a_rejection_after_a_follow_up_names_the_agency_and_the_complaint() -> None:
    story = drive(Status.IN_PROGRESS)
    command = sample_command(RejectDisposition)
    error = refusal(InvalidTransition, story.complaint, command, HOME_ADMIN, story.now, ctx=CTX)
    assert (
        "agency 'samarinda' already posted a follow-up on c-1; it can no longer reject it "
        "as bukan wewenang"
    ) == str(error)
    assert {"agency": HOME, "complaint_id": CID} == error.fields


def test_a_rejection_records_the_agency_the_reason_and_where_it_returns() -> None:
    story = drive(Status.FORWARDED)
    command = RejectDisposition(complaint_id=CID, agency=HOME, reason="Bukan wewenang kota.")
    (event,) = decide(story.complaint, command, HOME_ADMIN, story.now, CTX)
    assert e.DispositionRejected(
        complaint_id=CID,
        at=story.now,
        actor=HOME_ADMIN,
        status=Status.SUBMITTED,
        agency=HOME,
        reason="Bukan wewenang kota.",
        returned_to="lapor",
    ) == bare(event)


def test_closing_by_another_assignees_admin_names_the_lead_and_the_complaint() -> None:
    story = Story()
    story.do(OWNER, submit_command())
    story.do(NATIONAL, Forward(complaint_id=CID, agencies=(HOME, "balikpapan")))
    story.do(LIAISON, sample_command(PostFollowUp))
    error = refusal(
        PermissionDenied, story.complaint, sample_command(Close), AWAY_ADMIN, story.now, ctx=CTX
    )
    assert "only the lead agency ('samarinda') or the national admin may close complaint c-1" == (
        str(error)
    )
    assert {"agency": HOME, "complaint_id": CID} == error.fields


def test_a_close_records_its_note_and_that_it_was_not_automatic() -> None:
    story = drive(Status.IN_PROGRESS)
    command = Close(complaint_id=CID, note="Lampu sudah menyala.")
    (event,) = decide(story.complaint, command, HOME_ADMIN, story.now, CTX)
    assert e.ComplaintClosed(
        complaint_id=CID,
        at=story.now,
        actor=HOME_ADMIN,
        status=Status.COMPLETED,
        automatic=False,
        note="Lampu sudah menyala.",
    ) == bare(event)


def test_an_automatic_close_keeps_the_status_until_its_last_event_and_stops_every_clock() -> None:
    story = drive(Status.IN_PROGRESS)
    running = [(rc.clock, rc.agency) for rc in story.state.clocks]
    now = story.now + timedelta(days=120)
    breached, *owed, closed = decide(story.complaint, AutoClose(complaint_id=CID), SYSTEM, now, CTX)
    # the late clocks the close ends are breached before it
    assert [(b.clock, b.status) for b in owed if isinstance(b, e.ClockBreached)] == [
        ("service_standard", Status.IN_PROGRESS),
        ("statutory_decision", Status.IN_PROGRESS),
    ]
    assert len(owed) == 2
    assert isinstance(breached, e.ClockBreached)
    assert breached.clock == "reply_window"
    assert isinstance(closed, e.ComplaintClosed)
    assert (Status.IN_PROGRESS, Status.COMPLETED) == (breached.status, closed.status)
    assert (SYSTEM, SYSTEM, now, now) == (breached.actor, closed.actor, breached.at, closed.at)
    assert tuple(ClockChange(ClockOp.STOP, clock, agency) for clock, agency in running) == (
        closed.clock_changes
    )
    assert running  # the follow-up's reply window at least


# --------------------------------------------------------------------------- the other commands


def test_the_thread_commands_record_their_text_and_who_wrote_it() -> None:
    story = drive(Status.SUBMITTED)
    question = RequestInformation(complaint_id=CID, question="Simpang yang mana?")
    (asked,) = story.do(NATIONAL, question)
    answer = ProvideInformation(complaint_id=CID, text="Simpang Jl. Antasari.")
    (answered,) = story.do(OWNER, answer)
    assert [
        e.InformationRequested(
            complaint_id=CID,
            at=T0 + timedelta(hours=1),
            actor=NATIONAL,
            status=Status.ON_HOLD,
            question="Simpang yang mana?",
        ),
        e.InformationProvided(
            complaint_id=CID,
            at=T0 + timedelta(hours=2),
            actor=OWNER,
            status=Status.SUBMITTED,
            text="Simpang Jl. Antasari.",
        ),
    ] == [bare(asked), bare(answered)]
    story = drive(Status.FORWARDED)
    follow_up = PostFollowUp(complaint_id=CID, agency=HOME, text="Sudah diperbaiki.")
    (followed,) = story.do(LIAISON, follow_up)
    (replied,) = story.do(OWNER, Reply(complaint_id=CID, text="Terima kasih."))
    assert [
        e.FollowUpPosted(
            complaint_id=CID,
            at=followed.at,
            actor=LIAISON,
            status=Status.IN_PROGRESS,
            agency=HOME,
            text="Sudah diperbaiki.",
        ),
        e.ReplyPosted(
            complaint_id=CID,
            at=followed.at + timedelta(hours=1),
            actor=OWNER,
            status=Status.IN_PROGRESS,
            text="Terima kasih.",
        ),
    ] == [bare(followed), bare(replied)]


def test_classify_records_what_it_changes_and_who_did() -> None:
    story = drive(Status.SUBMITTED)
    command = Classify(complaint_id=CID, title="Lampu lalu lintas mati", tags=("lampu",))
    (event,) = decide(story.complaint, command, NATIONAL, story.now, CTX)
    assert e.ComplaintClassified(
        complaint_id=CID,
        at=story.now,
        actor=NATIONAL,
        status=Status.SUBMITTED,
        title="Lampu lalu lintas mati",
        tags=("lampu",),
    ) == bare(event)


def test_an_archive_records_its_reason_note_original_and_archivist() -> None:
    story = drive(Status.SUBMITTED)
    command = Archive(complaint_id=CID, reason=ArchiveReason.OTHER, note="Laporan uji coba.")
    (event,) = decide(story.complaint, command, NATIONAL, story.now, CTX)
    assert e.ComplaintArchived(
        complaint_id=CID,
        at=story.now,
        actor=NATIONAL,
        status=Status.ARCHIVED,
        reason=ArchiveReason.OTHER,
        note="Laporan uji coba.",
        duplicate_of=None,
    ) == bare(event)


def test_a_rating_and_a_reopening_record_what_the_reporter_said() -> None:
    story = drive(Status.COMPLETED, OPEN_CTX)
    rate = Rate(complaint_id=CID, score=2, comment="Lambat.")
    (rated,) = decide(story.complaint, rate, OWNER, story.now, OPEN_CTX)
    assert e.ComplaintRated(
        complaint_id=CID,
        at=story.now,
        actor=OWNER,
        status=Status.COMPLETED,
        score=2,
        comment="Lambat.",
    ) == bare(rated)
    reopen = Reopen(complaint_id=CID, reason="Lampu mati lagi.")
    (reopened,) = decide(story.complaint, reopen, OWNER, story.now, OPEN_CTX)
    assert e.ComplaintReopened(
        complaint_id=CID,
        at=story.now,
        actor=OWNER,
        status=Status.IN_PROGRESS,
        reason="Lampu mati lagi.",
    ) == bare(reopened)


# --------------------------------------------------------------------------- privacy


def test_the_same_privacy_again_is_refused_naming_it() -> None:
    story = drive(Status.SUBMITTED)
    command = ChangePrivacy(complaint_id=CID, privacy=Privacy())
    error = refusal(ValidationError, story.complaint, command, OWNER, story.now, ctx=CTX)
    assert "complaint c-1 already has privacy Privacy(anonymous=False, confidential=False)" == str(
        error
    )
    assert {"complaint_id": CID, "privacy": Privacy()} == error.fields


def test_an_agency_lifting_protection_is_told_what_it_may_not_lift_and_who_may() -> None:
    story = drive(Status.SUBMITTED, privacy=Privacy(anonymous=True, confidential=True))
    command = ChangePrivacy(complaint_id=CID, privacy=Privacy())
    error = refusal(PermissionDenied, story.complaint, command, HOME_ADMIN, story.now, ctx=CTX)
    assert (
        "agency_admin 'agency_admin@samarinda' may add protection but not lift it: only the "
        "reporter or the national admin may lift anonim and rahasia on complaint c-1 "
        "(domain.md §2: the reporter chooses it [C]; lifting it is theirs [I])"
    ) == str(error)
    assert {
        "role": "agency_admin",
        "actor_id": "agency_admin@samarinda",
        "items": "anonim and rahasia",
        "complaint_id": CID,
    } == error.fields
    command = ChangePrivacy(complaint_id=CID, privacy=Privacy(anonymous=True))
    error = refusal(PermissionDenied, story.complaint, command, HOME_ADMIN, story.now, ctx=CTX)
    assert "rahasia" == error.fields["items"]


def test_a_privacy_change_records_the_new_flags_and_who_set_them() -> None:
    story = drive(Status.SUBMITTED)
    command = ChangePrivacy(complaint_id=CID, privacy=Privacy(confidential=True))
    (event,) = decide(story.complaint, command, HOME_ADMIN, story.now, CTX)
    assert e.PrivacyChanged(
        complaint_id=CID,
        at=story.now,
        actor=HOME_ADMIN,
        status=Status.SUBMITTED,
        privacy=Privacy(confidential=True),
    ) == bare(event)


# --------------------------------------------------------------------------- every row


@pytest.mark.parametrize(("row", "role"), ALLOWED)
def test_every_event_carries_the_actor_who_asked_and_the_instant_decided(
    row: Transition, role: Role
) -> None:
    story = setup(row)
    actor = in_scope(role)
    now = when(row, story)
    events = decide(story.complaint, valid_command(row, actor, story), actor, now, context_for(row))
    assert events
    assert all((CID, actor, now) == (event.complaint_id, event.actor, event.at) for event in events)


@pytest.mark.parametrize("above", ["samarinda", "kaltim"])
def test_a_misconduct_report_is_not_forwarded_above_the_accused_office(above: str) -> None:
    """The national admin could forward it to the accused office's city or province."""
    story = drive(Status.SUBMITTED, **MISCONDUCT)
    command = Forward(complaint_id=CID, agencies=(above,))
    error = refusal(ValidationError, story.complaint, command, NATIONAL, story.now, ctx=CTX)
    assert "may not be forwarded to that office, below it or above it" in str(error)
    assert "; route it to 'samarinda.inspektorat'" == error.fields["hint"]
