"""
Every row of the lifecycle table, by every role, in and out of scope; every missing pair.

A refusal must change nothing: the complaint still equals the replay of its events, and a
valid command decided afterwards gives the same events as on a fresh copy.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest

from helpers import (
    COMMAND_TYPES,
    CTX,
    HOME,
    KNOWN_COMMAND_TYPES,
    NATIONAL,
    OPEN_CTX,
    STRANGER,
    Story,
    apply,
    drive,
    in_scope,
    out_of_scope,
    sample_command,
    submit_command,
)
from lapor_core import (
    Actor,
    Channel,
    ChannelType,
    Close,
    Command,
    Context,
    Forward,
    InvalidTransition,
    LaporError,
    PermissionDenied,
    Rate,
    RejectDisposition,
    Reopen,
    Role,
    Status,
    Submit,
    decide,
    replay,
)
from lapor_core.domain import table
from lapor_core.domain.clocks import deadlines
from lapor_core.domain.events import ComplaintSubmitted, DispositionRejected, ReplyPosted
from lapor_core.domain.lifecycle import TRANSITIONS, Lifecycle, Transition
from lapor_core.domain.transition import Outcome, Target

CID = sample_command(Close).complaint_id
ROLE_ORDER = (
    Role.NATIONAL_ADMIN,
    Role.AGENCY_ADMIN,
    Role.UNIT_ADMIN,
    Role.LIAISON_OFFICER,
    Role.REPORTER,
    Role.SYSTEM,
)


def row_id(row: Transition) -> str:
    source = "new" if row.source is None else row.source.value
    return f"{source}-{row.command.__name__}"


def context_for(row: Transition) -> Context:
    """The national context, or the one with the gated options on for a gated row."""
    return CTX if row.option is None else OPEN_CTX


LATE = timedelta(days=120)
"""Long enough for every clock of the national profile to be due."""
_SWEEPER_COMMANDS = {"AutoClose", "RecordBreach", "RecordWarning"}


def setup(row: Transition) -> Story:
    """A story whose complaint is in the row's source status, ready for its command."""
    ctx = context_for(row)
    if row.source is None:
        return Story(ctx)
    story = drive(row.source, ctx)
    if row.source is Status.IN_PROGRESS and row.command.__name__ in {
        "RejectDisposition",
        "ExtendDeadline",
    }:
        # the agency that followed up may no longer reject, and its clock stopped;
        # a second assignee may still reject, and its follow-up clock runs
        story.do(NATIONAL, Forward(complaint_id=CID, agencies=("samarinda.dpmptsp",)))
    return story


def when(row: Transition, story: Story) -> datetime:
    """The instant to decide the row's command: late enough for the sweeper's commands."""
    return story.now + LATE if row.command.__name__ in _SWEEPER_COMMANDS else story.now


def _running_clocks(story: Story, row: Transition) -> list[tuple[Any, Any]]:
    """(running clock, definition) pairs of the story's complaint that are not paused."""
    definitions = getattr(context_for(row).profile, "clocks", {})
    return [
        (rc, definitions[rc.clock])
        for rc in getattr(story.state, "clocks", ())
        if rc.paused_at is None and not rc.breached and rc.clock in definitions
    ]


def _clock_command(row: Transition, story: Story) -> Command:
    """A valid clock command (warning, breach, extension) for a clock running on the story."""
    name = row.command.__name__
    make = cast("Any", row.command)
    running = _running_clocks(story, row)
    if name == "RecordWarning":
        rc, definition = next((rc, d) for rc, d in running if d.warn_at)
        return make(  # type: ignore[no-any-return]
            complaint_id=CID, clock=rc.clock, agency=rc.agency, threshold=definition.warn_at[0]
        )
    if name == "RecordBreach":
        needs = {"auto_close": Status.IN_PROGRESS, "archive_withdrawn": Status.ON_HOLD}
        fitting = [
            (rc, d)
            for rc, d in running
            if needs.get(d.breach.value, story.state.status) is story.state.status
        ]
        fitting.sort(key=lambda pair: pair[1].breach.value not in needs)
        rc, _ = fitting[0]
        return make(complaint_id=CID, clock=rc.clock, agency=rc.agency)  # type: ignore[no-any-return]
    if name == "RecomputeDeadlines":
        # deadlines counted as if the data of the last confirmed year were not installed
        previous = context_for(row).calendar.confirmed_until - 1
        return make(complaint_id=CID, previous_until=previous)  # type: ignore[no-any-return]
    assert name == "ExtendDeadline", name
    rc, _ = next((rc, d) for rc, d in running if d.extendable)
    return make(  # type: ignore[no-any-return]
        complaint_id=CID, clock=rc.clock, agency=rc.agency, amount=1, reason="Perlu survei."
    )


def valid_command(row: Transition, actor: Actor, story: Story) -> Command:  # noqa: PLR0911 - one return per command shape
    """A command of the row's type that *actor* (of an allowed role, in scope) may issue."""
    if row.command is Submit:
        if actor.role is Role.REPORTER:
            return submit_command()
        if actor.role is Role.SYSTEM:
            return submit_command(channel=Channel(ChannelType.REGIONAL_APP, "LAPOR WAL!"))
        return submit_command(channel=Channel(ChannelType.PAPER))
    if row.command is Forward:
        if actor.role is Role.AGENCY_ADMIN:
            return Forward(complaint_id=CID, agencies=("samarinda.dishub",))
        target = HOME if row.source is Status.SUBMITTED else "kaltim.dinkes"
        return Forward(complaint_id=CID, agencies=(target,))
    if row.command is RejectDisposition and row.source is Status.IN_PROGRESS:
        return RejectDisposition(complaint_id=CID, agency="samarinda.dpmptsp", reason="Bukan")
    if row.command in KNOWN_COMMAND_TYPES:
        return sample_command(row.command, CID)
    return _clock_command(row, story)


def first_role(row: Transition) -> Role:
    return next(r for r in ROLE_ORDER if r in row.roles)


def assert_unchanged(row: Transition, story: Story) -> None:
    """The story's complaint is what its events say, and still accepts a valid command."""
    ctx = context_for(row)
    fresh = None if story.complaint is None else replay(story.events)
    assert fresh == story.complaint
    actor = in_scope(first_role(row))
    command = valid_command(row, actor, story)
    now = when(row, story)
    expected = decide(fresh, command, actor, now, ctx)
    assert expected == decide(story.complaint, command, actor, now, ctx)


ALLOWED = [
    pytest.param(row, role, id=f"{row_id(row)}-{role.value}")
    for row in TRANSITIONS
    for role in ROLE_ORDER
    if role in row.roles
]
FORBIDDEN = [
    pytest.param(row, role, id=f"{row_id(row)}-{role.value}")
    for row in TRANSITIONS
    for role in ROLE_ORDER
    if role not in row.roles
]
OUT_OF_SCOPE = [
    pytest.param(row, role, id=f"{row_id(row)}-{role.value}")
    for row in TRANSITIONS
    for role in ROLE_ORDER
    if role in row.roles and role.is_agency_role
]
REPORTER_ROWS = [
    pytest.param(row, id=row_id(row)) for row in TRANSITIONS if Role.REPORTER in row.roles
]
GATED_ROWS = [pytest.param(row, id=row_id(row)) for row in TRANSITIONS if row.option is not None]


def test_the_table_has_the_rows_the_design_lists() -> None:
    keys = {(r.source, r.command.__name__) for r in TRANSITIONS}
    assert len(keys) == len(TRANSITIONS)
    assert (None, "Submit") in keys
    assert (Status.FORWARDED, "RejectDisposition") in keys
    assert (Status.COMPLETED, "Reopen") in keys
    assert all(r.basis.strip() for r in TRANSITIONS)
    assert all(r.outcomes for r in TRANSITIONS)


@pytest.mark.parametrize(("row", "role"), ALLOWED)
def test_allowed_role_in_scope_is_accepted(row: Transition, role: Role) -> None:
    story = setup(row)
    actor = in_scope(role)
    command = valid_command(row, actor, story)
    events = decide(story.complaint, command, actor, when(row, story), context_for(row))
    assert events
    targets = context_for(row).lifecycle.targets(row.source, row.command)
    assert apply(story.complaint, events).status in targets


@pytest.mark.parametrize(("row", "role"), FORBIDDEN)
def test_role_not_in_the_row_is_denied(row: Transition, role: Role) -> None:
    story = setup(row)
    actor = in_scope(role)
    command = valid_command(row, in_scope(first_role(row)), story)
    with pytest.raises(PermissionDenied, match=role.value):
        decide(story.complaint, command, actor, when(row, story), context_for(row))
    assert_unchanged(row, story)


@pytest.mark.parametrize(("row", "role"), OUT_OF_SCOPE)
def test_agency_role_out_of_scope_is_denied(row: Transition, role: Role) -> None:
    story = setup(row)
    actor = out_of_scope(role)
    command = valid_command(row, actor, story)
    with pytest.raises(PermissionDenied):
        decide(story.complaint, command, actor, when(row, story), context_for(row))
    assert_unchanged(row, story)


@pytest.mark.parametrize("row", REPORTER_ROWS)
def test_reporter_who_is_not_the_owner_is_denied(row: Transition) -> None:
    story = setup(row)
    command = valid_command(row, in_scope(Role.REPORTER), story)
    with pytest.raises(PermissionDenied, match=STRANGER.id):
        decide(story.complaint, command, STRANGER, when(row, story), context_for(row))
    assert_unchanged(row, story)


# --------------------------------------------------------------------------- missing pairs


def _missing(lifecycle: Lifecycle) -> list[tuple[Status, type[Command]]]:
    present = {(r.source, r.command) for r in lifecycle.rows}
    return [(s, t) for s in Status for t in COMMAND_TYPES if (s, t) not in present]


MISSING_NATIONAL = [
    pytest.param(s, t, id=f"{s.value}-{t.__name__}") for s, t in _missing(CTX.lifecycle)
]
MISSING_OPEN = [
    pytest.param(s, t, id=f"{s.value}-{t.__name__}") for s, t in _missing(OPEN_CTX.lifecycle)
]
ALL_ACTORS = [in_scope(r) for r in ROLE_ORDER] + [STRANGER, out_of_scope(Role.AGENCY_ADMIN)]


def _check_missing(status: Status, command_type: type[Command], ctx: Context) -> None:
    story = drive(status, ctx)
    command = sample_command(command_type, CID)
    for actor in ALL_ACTORS:
        with pytest.raises(InvalidTransition, match=command_type.__name__):
            decide(story.complaint, command, actor, story.now, ctx)
    with pytest.raises(InvalidTransition):
        ctx.lifecycle.row(status, command_type)
    assert replay(story.events) == story.complaint


@pytest.mark.parametrize(("status", "command_type"), MISSING_NATIONAL)
def test_pair_not_in_the_national_table_is_an_invalid_transition(
    status: Status, command_type: type[Command]
) -> None:
    _check_missing(status, command_type, CTX)


@pytest.mark.parametrize(("status", "command_type"), MISSING_OPEN)
def test_pair_not_in_the_open_table_is_an_invalid_transition(
    status: Status, command_type: type[Command]
) -> None:
    _check_missing(status, command_type, OPEN_CTX)


def test_missing_pairs_cover_the_gated_rows_only_in_the_national_profile() -> None:
    national = set(_missing(CTX.lifecycle))
    opened = set(_missing(OPEN_CTX.lifecycle))
    assert {(Status.COMPLETED, Rate), (Status.COMPLETED, Reopen)} == national - opened
    assert opened < national


# --------------------------------------------------------------------------- gated rows


@pytest.mark.parametrize("row", GATED_ROWS)
def test_gated_row_is_absent_from_the_national_profile(row: Transition) -> None:
    assert row.option is not None
    assert row.source is not None
    assert not CTX.profile.option_enabled(row.option)
    story = drive(row.source, CTX)
    command = valid_command(row, in_scope(Role.REPORTER), story)
    with pytest.raises(InvalidTransition, match=f"option '{row.option}' is off"):
        decide(story.complaint, command, in_scope(Role.REPORTER), story.now, CTX)
    assert row.command.__name__ not in CTX.lifecycle.allowed_commands(row.source)
    assert row.command.__name__ in OPEN_CTX.lifecycle.allowed_commands(row.source)


def _completed_open() -> Story:
    return drive(Status.COMPLETED, OPEN_CTX)


@pytest.mark.parametrize("score", [1, 3, 5])
def test_rating_on_the_scale_is_recorded(score: int) -> None:
    story = _completed_open()
    story.do(in_scope(Role.REPORTER), Rate(complaint_id=CID, score=score))
    assert score == story.state.rating
    assert Status.COMPLETED == story.state.status


@pytest.mark.parametrize("score", [0, -1, 6])
def test_rating_outside_the_scale_is_refused(score: int) -> None:
    story = _completed_open()
    with pytest.raises(InvalidTransition) as refused:
        story.do(in_scope(Role.REPORTER), Rate(complaint_id=CID, score=score))
    assert f"rating {score} is outside the scale 1..5" == str(refused.value)
    assert story.state.rating is None
    assert replay(story.events) == story.state


def test_rating_is_allowed_once() -> None:
    story = _completed_open()
    story.do(in_scope(Role.REPORTER), Rate(complaint_id=CID, score=4))
    with pytest.raises(InvalidTransition) as refused:
        story.do(in_scope(Role.REPORTER), Rate(complaint_id=CID, score=5))
    assert f"complaint {CID} is already rated" == str(refused.value)
    assert 4 == story.state.rating


def test_reopen_within_the_window_returns_to_in_progress() -> None:
    story = _completed_open()
    closed_at = story.state.closed_at
    assert closed_at is not None
    story.now = (
        closed_at + timedelta(days=OPEN_CTX.profile.reopen.window_days) - timedelta(minutes=1)
    )
    story.do(in_scope(Role.REPORTER), sample_command(Reopen, CID))
    assert Status.IN_PROGRESS == story.state.status
    assert 1 == story.state.reopen_count
    assert story.state.closed_at is None


def test_reopen_restarts_the_follow_up_clock_for_the_lead_agency() -> None:
    story = _completed_open()
    assert not story.state.clocks  # closing stopped every clock
    lead = next(a.agency for a in story.state.assignments if a.lead)
    reopened_at = story.now
    story.do(in_scope(Role.REPORTER), sample_command(Reopen, CID))
    assert [("follow_up", lead)] == [rc.key for rc in story.state.clocks]
    clock = story.state.clocks[0]
    assert reopened_at == clock.started_at
    assert (5, lead) == (clock.amount, clock.responsible)
    (due,) = deadlines(story.state, OPEN_CTX.calendar)
    assert due.due_at is not None
    assert due.due_at > reopened_at + timedelta(days=5)
    assert replay(story.events) == story.state


def test_reopen_after_the_window_is_refused() -> None:
    story = _completed_open()
    closed_at = story.state.closed_at
    assert closed_at is not None
    story.now = closed_at + timedelta(days=OPEN_CTX.profile.reopen.window_days)
    with pytest.raises(InvalidTransition) as refused:
        story.do(in_scope(Role.REPORTER), sample_command(Reopen, CID))
    assert (
        f"complaint {CID} can be reopened only within 10 days of completion "
        f"({closed_at.isoformat()})"
    ) == str(refused.value)
    assert Status.COMPLETED == story.state.status


def test_reopen_beyond_max_count_is_refused() -> None:
    assert 1 == OPEN_CTX.profile.reopen.max_count
    story = _completed_open()
    story.do(in_scope(Role.REPORTER), sample_command(Reopen, CID))
    story.do(in_scope(Role.AGENCY_ADMIN), sample_command(Close, CID))
    with pytest.raises(InvalidTransition) as refused:
        story.do(in_scope(Role.REPORTER), sample_command(Reopen, CID))
    name = OPEN_CTX.profile.name
    assert f"complaint {CID} was reopened 1 time(s); profile {name!r} allows 1" == str(
        refused.value
    )
    assert Status.COMPLETED == story.state.status


def test_reopen_clears_the_rating_so_the_next_completion_can_be_rated() -> None:
    story = _completed_open()
    reporter = in_scope(Role.REPORTER)
    story.do(reporter, Rate(complaint_id=CID, score=2))
    story.do(reporter, sample_command(Reopen, CID))
    assert story.state.rating is None
    story.do(in_scope(Role.AGENCY_ADMIN), sample_command(Close, CID))
    story.do(reporter, Rate(complaint_id=CID, score=5))
    assert 5 == story.state.rating


def test_the_rating_and_reopen_guards_refuse_without_a_complaint() -> None:
    # decide never asks them without one; the guards refuse on their own all the same
    rate = Rate(complaint_id=CID, score=3)
    now = datetime(2025, 3, 3, tzinfo=UTC)
    actor = in_scope(Role.REPORTER)
    refusals = [
        (table._rating_allowed, None, rate),
        (table._rating_allowed, _completed_open().state, sample_command(Reopen, CID)),
        (table._reopen_allowed, None, sample_command(Reopen, CID)),
    ]
    messages = []
    for guard, complaint, command in refusals:
        with pytest.raises(InvalidTransition) as refused:
            guard(complaint, command, actor, now, OPEN_CTX.profile)
        messages.append(str(refused.value))
    assert [
        "only an existing complaint can be rated, with Rate",
        "only an existing complaint can be rated, with Rate",
        "only an existing complaint can be reopened",
    ] == messages


def test_a_rejection_returns_the_report_only_when_it_names_where() -> None:
    story = drive(Status.SUBMITTED)
    last = story.events[-1]
    at, actor = last.at, last.actor
    rejected = {
        returned_to: DispositionRejected(
            complaint_id=CID, at=at, actor=actor, agency="x", reason="r", returned_to=returned_to
        )
        for returned_to in ("lapor", None)
    }
    assert table._returned((last, rejected["lapor"]))
    assert not table._returned((rejected["lapor"], rejected[None]))
    assert not table._returned((rejected["lapor"], last))


def test_the_row_helpers_build_what_they_are_given() -> None:
    # the table is built with them when the module is imported
    outcome = table._to(Status.SUBMITTED, ComplaintSubmitted, ReplyPosted, when=table._returned)
    assert Outcome((ComplaintSubmitted, ReplyPosted), Status.SUBMITTED, table._returned) == (
        outcome
    )
    assert Outcome((ComplaintSubmitted,), Target.SAME, None) == table._to(
        Target.SAME, ComplaintSubmitted
    )
    roles = (Role.NATIONAL_ADMIN, Role.AGENCY_ADMIN)
    rows = table._rows(
        (Status.SUBMITTED, Status.ON_HOLD),
        Rate,
        roles,
        "basis",
        outcome,
        guard=table._rating_allowed,
        option="rating",
    )
    assert (
        Transition(
            Status.SUBMITTED,
            Rate,
            frozenset(roles),
            (outcome,),
            "basis",
            table._rating_allowed,
            "rating",
        ),
        Transition(
            Status.ON_HOLD,
            Rate,
            frozenset(roles),
            (outcome,),
            "basis",
            table._rating_allowed,
            "rating",
        ),
    ) == rows
    assert (Transition(None, Rate, frozenset(), (), "b"),) == table._rows((None,), Rate, (), "b")


def test_refusals_are_lapor_errors() -> None:
    assert issubclass(InvalidTransition, LaporError)
    assert issubclass(PermissionDenied, LaporError)
    assert issubclass(PermissionDenied, PermissionError)
