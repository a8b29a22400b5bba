"""
Random command sequences by random actors against a few complaints, and model checks.

The machine drives ``decide`` + ``evolve`` and checks after every step: the status is one
of the table's, the history only grows and replays to the current state, no wrong door,
a refusal changes nothing, and an *anonim* reporter never shows in the public view.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any, cast

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from helpers import (
    CTX,
    NATIONAL,
    OPEN_CTX,
    OTHER_REPORTER,
    REPORTER,
    SYSTEM,
    T0,
    agency_actor,
    stateful_examples,
    submit_command,
)
from lapor_core import (
    Actor,
    Archive,
    ArchiveReason,
    AutoClose,
    Category,
    ChangePrivacy,
    Channel,
    ChannelType,
    Classify,
    Close,
    Command,
    Complaint,
    ComplaintId,
    Context,
    Event,
    Forward,
    ForwardInternally,
    Kind,
    LaporError,
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
    decide,
    evolve,
    replay,
)
from lapor_core.domain.complaint import owners
from lapor_core.domain.lifecycle import TRANSITIONS, Lifecycle
from lapor_core.domain.privacy import public_view

N_COMPLAINTS = 3
IDS = tuple(ComplaintId(f"c-{i}") for i in range(N_COMPLAINTS))
ANON_NAME = "Rahasia Pelapor Anonim"
REPORTERS = (
    REPORTER.__class__(id=REPORTER.id, name=ANON_NAME),
    OTHER_REPORTER.__class__(id=OTHER_REPORTER.id, name=ANON_NAME + " Dua"),
)
AGENCIES = (
    "samarinda",
    "samarinda.dishub",
    "samarinda.dishub.penghubung",
    "samarinda.dpmptsp",
    "samarinda.inspektorat",
    "kaltim",
    "kaltim.pupr",
    "kaltim.pupr.jalan",
    "kaltim.pupr.jalan.penghubung",
    "balikpapan",
    "kemenkes",
    "lapor",
    "tidak-ada",
)
ACTORS = (
    Actor.reporter(REPORTER.id),
    Actor.reporter(OTHER_REPORTER.id),
    Actor.reporter("orang-lain"),
    NATIONAL,
    SYSTEM,
    agency_actor(Role.AGENCY_ADMIN, "samarinda"),
    agency_actor(Role.AGENCY_ADMIN, "samarinda.dishub"),
    agency_actor(Role.AGENCY_ADMIN, "balikpapan"),
    agency_actor(Role.AGENCY_ADMIN, "kaltim"),
    agency_actor(Role.AGENCY_ADMIN, "kaltim.pupr"),
    agency_actor(Role.UNIT_ADMIN, "samarinda.dishub"),
    agency_actor(Role.UNIT_ADMIN, "kaltim.pupr.jalan"),
    agency_actor(Role.LIAISON_OFFICER, "samarinda.dishub.penghubung"),
    agency_actor(Role.LIAISON_OFFICER, "kaltim.pupr.jalan.penghubung"),
    agency_actor(Role.LIAISON_OFFICER, "balikpapan"),
    agency_actor(Role.LIAISON_OFFICER, "samarinda"),
    agency_actor(Role.AGENCY_ADMIN, "samarinda.inspektorat"),
)
STATUSES = frozenset(
    {r.source for r in TRANSITIONS if r.source is not None}
    | {o.target for r in TRANSITIONS for o in r.outcomes if isinstance(o.target, Status)}
)
_text = st.sampled_from(["Lampu mati.", "Jalan berlubang.", "Mohon ditindaklanjuti."])
_agency = st.sampled_from(AGENCIES)
_privacy = st.builds(Privacy, anonymous=st.booleans(), confidential=st.booleans())


def _clock_commands(cid: ComplaintId) -> list[st.SearchStrategy[Command]]:
    """The sweeper's clock commands, if the table has them (built generically)."""
    out: list[st.SearchStrategy[Command]] = []
    clocks = sorted(getattr(OPEN_CTX.profile, "clocks", {}))
    for command_type in sorted({r.command for r in TRANSITIONS}, key=lambda t: t.__name__):
        name = command_type.__name__
        make = cast("Any", command_type)
        if name not in {"RecordWarning", "RecordBreach", "ExtendDeadline"} or not clocks:
            continue
        extra: dict[str, st.SearchStrategy[Any]] = {}
        if name == "RecordWarning":
            extra["threshold"] = st.sampled_from([50, 75])
        if name == "ExtendDeadline":
            extra["amount"] = st.integers(1, 8)
            extra["reason"] = _text
        out.append(
            st.builds(
                make,
                complaint_id=st.just(cid),
                clock=st.sampled_from(clocks),
                agency=st.none() | _agency,
                **extra,
            )
        )
    return out


@functools.cache
def commands_for(cid: ComplaintId) -> st.SearchStrategy[Command]:
    """Well-formed commands of every type for complaint *cid*, valid or not in context."""
    just = st.just(cid)
    submit = st.builds(
        submit_command,
        just,
        reporter=st.sampled_from(REPORTERS),
        privacy=_privacy,
        channel=st.sampled_from(
            [
                Channel(ChannelType.WEB),
                Channel(ChannelType.PAPER),
                Channel(ChannelType.REGIONAL_APP, "LAPOR WAL!"),
            ]
        ),
        target_agency=st.sampled_from([None, "samarinda", "kaltim", "balikpapan"]),
        category=st.sampled_from([None, Category("infrastruktur"), Category("kesehatan")]),
    )
    misconduct = st.builds(
        submit_command,
        just,
        reporter=st.sampled_from(REPORTERS),
        privacy=_privacy,
        misconduct=st.just(True),
        subject_agency=st.sampled_from(["samarinda.dishub", "samarinda"]),
        target_agency=st.none(),
    )
    archive = st.one_of(
        st.builds(
            Archive,
            complaint_id=just,
            reason=st.sampled_from(
                [
                    r
                    for r in ArchiveReason
                    if r not in {ArchiveReason.DUPLICATE, ArchiveReason.OTHER}
                ]
            ),
        ),
        st.builds(
            Archive,
            complaint_id=just,
            reason=st.just(ArchiveReason.DUPLICATE),
            duplicate_of=st.sampled_from([i for i in IDS if i != cid]),
        ),
        st.builds(Archive, complaint_id=just, reason=st.just(ArchiveReason.OTHER), note=_text),
    )
    return st.one_of(
        submit,
        misconduct,
        st.builds(
            Classify,
            complaint_id=just,
            title=st.none() | _text,
            kind=st.none() | st.sampled_from(Kind),
            tags=st.just(("lampu",)),
        ),
        st.builds(RequestInformation, complaint_id=just, question=_text),
        st.builds(ProvideInformation, complaint_id=just, text=_text),
        st.builds(
            Forward,
            complaint_id=just,
            agencies=st.lists(_agency, min_size=1, max_size=3, unique=True).map(tuple),
        ),
        st.builds(ForwardInternally, complaint_id=just, agency=_agency, to=_agency),
        st.builds(RejectDisposition, complaint_id=just, agency=_agency, reason=_text),
        st.builds(PostFollowUp, complaint_id=just, agency=_agency, text=_text),
        st.builds(Reply, complaint_id=just, text=_text),
        st.builds(Close, complaint_id=just),
        st.builds(AutoClose, complaint_id=just),
        archive,
        st.builds(Rate, complaint_id=just, score=st.integers(0, 6)),
        st.builds(Reopen, complaint_id=just, reason=_text),
        st.builds(ChangePrivacy, complaint_id=just, privacy=_privacy),
        *_clock_commands(cid),
    )


def _sweeper_steps(complaint: Complaint) -> list[tuple[Actor, Command]]:
    """The sweeper's breach and warning commands for the clocks running on *complaint*."""
    by_name = {r.command.__name__: cast("Any", r.command) for r in TRANSITIONS}
    steps: list[tuple[Actor, Command]] = []
    for running in getattr(complaint, "clocks", ()):
        if "RecordBreach" in by_name:
            breach = by_name["RecordBreach"](
                complaint_id=complaint.id, clock=running.clock, agency=running.agency
            )
            steps.append((SYSTEM, breach))
        if "RecordWarning" in by_name:
            warning = by_name["RecordWarning"](
                complaint_id=complaint.id, clock=running.clock, agency=running.agency, threshold=50
            )
            steps.append((SYSTEM, warning))
    return steps


def _happy_steps(complaint: Complaint) -> list[tuple[Actor, Command]]:
    """Commands that usually move *complaint* on along the main path (may still be refused)."""
    cid = complaint.id
    owner = Actor.reporter(complaint.reporter.id)
    assigned = complaint.assignments[0].agency if complaint.assignments else complaint.router
    if assigned == "lapor":
        assigned = "samarinda"
    admin = agency_actor(Role.AGENCY_ADMIN, assigned)
    liaison = agency_actor(Role.LIAISON_OFFICER, assigned)
    below = [a.id for a in CTX.registry.children(assigned)]
    steps: dict[Status, list[tuple[Actor, Command]]] = {
        Status.SUBMITTED: [
            (NATIONAL, Forward(complaint_id=cid, agencies=("samarinda",))),
            (NATIONAL, Forward(complaint_id=cid, agencies=("samarinda.inspektorat", "kaltim"))),
            (NATIONAL, RequestInformation(complaint_id=cid, question="Di mana?")),
            (NATIONAL, Archive(complaint_id=cid, reason=ArchiveReason.TOO_GENERAL)),
        ],
        Status.ON_HOLD: [
            (owner, ProvideInformation(complaint_id=cid, text="Di sini.")),
            (owner, ProvideInformation(complaint_id=cid, text="Di sana.")),
            (NATIONAL, Archive(complaint_id=cid, reason=ArchiveReason.WITHDRAWN)),
        ],
        Status.FORWARDED: [
            (liaison, PostFollowUp(complaint_id=cid, agency=assigned, text="Sudah.")),
            (liaison, PostFollowUp(complaint_id=cid, agency=assigned, text="Sedang.")),
            (admin, RejectDisposition(complaint_id=cid, agency=assigned, reason="Bukan.")),
            *(
                (admin, ForwardInternally(complaint_id=cid, agency=assigned, to=unit))
                for unit in below[:1]
            ),
            *((admin, Forward(complaint_id=cid, agencies=(unit,))) for unit in below[1:2]),
        ],
        Status.IN_PROGRESS: [
            (owner, Reply(complaint_id=cid, text="Terima kasih.")),
            (NATIONAL, Close(complaint_id=cid)),
            (admin, Close(complaint_id=cid)),
            (SYSTEM, AutoClose(complaint_id=cid)),
        ],
        Status.COMPLETED: [
            (owner, Rate(complaint_id=cid, score=5)),
            (owner, Reopen(complaint_id=cid, reason="Rusak lagi.")),
            (NATIONAL, ChangePrivacy(complaint_id=cid, privacy=Privacy(anonymous=True))),
        ],
        Status.ARCHIVED: [
            (NATIONAL, ChangePrivacy(complaint_id=cid, privacy=Privacy(confidential=True)))
        ],
    }
    return steps[complaint.status] + _sweeper_steps(complaint)


class Workflow(RuleBasedStateMachine):
    """A few complaints, driven by random actors through decide + evolve."""

    def __init__(self) -> None:
        super().__init__()
        self.ctx: Context = CTX
        self.now: datetime = T0
        self.state: list[Complaint | None] = [None] * N_COMPLAINTS
        self.history: list[list[Event]] = [[] for _ in range(N_COMPLAINTS)]
        self.seen: list[tuple[Event, ...]] = [() for _ in range(N_COMPLAINTS)]

    @initialize(open_options=st.booleans())
    def choose_profile(self, open_options: bool) -> None:
        self.ctx = OPEN_CTX if open_options else CTX

    def _decide(self, index: int, actor: Actor, command: Command, now: datetime) -> None:
        before = self.state[index]
        history = tuple(self.history[index])
        try:
            events = decide(before, command, actor, now, self.ctx)
        except LaporError:
            assert before is self.state[index]
            assert history == tuple(self.history[index])
            if before is not None:
                assert before == replay(history)
            return
        assert events
        assert all(e.complaint_id == IDS[index] and e.at == now for e in events)
        state = before
        for event in events:
            state = evolve(state, event)
        self.state[index] = state
        self.history[index].extend(events)

    @rule(
        index=st.integers(0, N_COMPLAINTS - 1),
        actor=st.sampled_from(ACTORS),
        minutes=st.integers(0, 6 * 24 * 60),
        data=st.data(),
    )
    def act(self, index: int, actor: Actor, minutes: int, data: st.DataObject) -> None:
        self.now += timedelta(minutes=minutes)
        command = data.draw(commands_for(IDS[index]), label="command")
        self._decide(index, actor, command, self.now)

    @rule(
        index=st.integers(0, N_COMPLAINTS - 1),
        picks=st.lists(st.integers(0, 15), min_size=1, max_size=6),
        hours=st.integers(1, 24 * 20),
    )
    def advance(self, index: int, picks: list[int], hours: int) -> None:
        """A few steps along the main path (each still decided, and checked, like any other)."""
        for pick in picks:
            complaint = self.state[index]
            if complaint is None:
                self._decide(index, ACTORS[pick % 2], submit_command(IDS[index]), self.now)
            else:
                self.now += timedelta(hours=hours)
                steps = _happy_steps(complaint)
                actor, command = steps[pick % len(steps)]
                self._decide(index, actor, command, self.now)
            self.check_all()

    def check_all(self) -> None:
        """Every invariant, between the steps of one rule."""
        self.status_is_in_the_table()
        self.history_only_grows_and_replays()
        self.no_wrong_door()
        self.anonim_reporter_is_never_public()

    @precondition(lambda self: any(c is not None for c in self.state))
    @rule(index=st.integers(0, N_COMPLAINTS - 1))
    def act_in_the_past(self, index: int) -> None:
        complaint = self.state[index]
        if complaint is None:
            return
        earlier = complaint.updated_at - timedelta(seconds=1)
        with pytest.raises(ValidationError, match="before the complaint's last event"):
            decide(complaint, Close(complaint_id=complaint.id), NATIONAL, earlier, self.ctx)

    @invariant()
    def status_is_in_the_table(self) -> None:
        for complaint in self.state:
            assert complaint is None or complaint.status in STATUSES

    @invariant()
    def history_only_grows_and_replays(self) -> None:
        for index, complaint in enumerate(self.state):
            history = tuple(self.history[index])
            previous = self.seen[index]
            assert previous == history[: len(previous)]
            self.seen[index] = history
            if complaint is None:
                assert () == history
            else:
                assert complaint == replay(history)
                assert len(history) == complaint.version

    @invariant()
    def no_wrong_door(self) -> None:
        for complaint in self.state:
            if complaint is not None and not complaint.status.terminal:
                assert owners(complaint)

    @invariant()
    def anonim_reporter_is_never_public(self) -> None:
        for complaint in self.state:
            if complaint is not None and complaint.privacy.anonymous:
                view = public_view(complaint)
                assert view.reporter_name is None
                assert ANON_NAME not in repr(view)


Workflow.TestCase.settings = settings(stateful_step_count=30, max_examples=stateful_examples())
TestWorkflow = Workflow.TestCase


# --------------------------------------------------------------------------- model checks


@pytest.mark.parametrize("ctx", [CTX, OPEN_CTX], ids=["national", "open"])
def test_every_status_is_reachable_from_submission(ctx: Context) -> None:
    assert set(Status) == ctx.lifecycle.reachable()


@pytest.mark.parametrize("ctx", [CTX, OPEN_CTX], ids=["national", "open"])
def test_every_open_status_can_reach_a_terminal_one(ctx: Context) -> None:
    for status in Status:
        if not status.terminal:
            assert any(s.terminal for s in ctx.lifecycle.reachable(status)), status


@pytest.mark.parametrize("ctx", [CTX, OPEN_CTX], ids=["national", "open"])
def test_terminal_statuses_have_no_exits_but_reopen(ctx: Context) -> None:
    reopen = ctx.profile.option_enabled("reopen")
    exits = {
        (r.source, r.command.__name__)
        for r in ctx.lifecycle.rows
        if r.source is not None
        and r.source.terminal
        and set(ctx.lifecycle.targets(r.source, r.command)) != {r.source}
    }
    expected = {(Status.COMPLETED, "Reopen")} if reopen else set()
    assert expected == exits


@pytest.mark.parametrize("ctx", [CTX, OPEN_CTX], ids=["national", "open"])
def test_no_two_rows_share_source_and_command(ctx: Context) -> None:
    keys = [(r.source, r.command) for r in ctx.lifecycle.rows]
    assert len(set(keys)) == len(keys)


def test_only_submit_starts_a_complaint() -> None:
    assert {"Submit"} == CTX.lifecycle.allowed_commands(None)
    assert frozenset({Status.SUBMITTED}) == CTX.lifecycle.successors(None)


def test_the_machine_agrees_with_the_table() -> None:
    lifecycle = Lifecycle(OPEN_CTX.profile)
    for row in lifecycle.rows:
        state = row.source.value if row.source is not None else "new"
        drawn = lifecycle.machine.get_transitions(row.command.__name__, state)
        assert {Status(t.dest) for t in drawn} == set(lifecycle.targets(row.source, row.command))
        assert row.command.__name__ in lifecycle.allowed_commands(row.source)
