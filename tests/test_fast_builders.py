"""The private fast constructors used by ``evolve`` build ordinary frozen objects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import OWNER, drive
from lapor_core import Complaint, Reply, Status
from lapor_core.domain._fast import Replacer, builder, compile_builder
from lapor_core.domain.clocks import ClockChange, ClockOp, DurationUnit, RunningClock, apply_changes
from lapor_core.domain.complaint import ComplaintRecord, Message
from lapor_core.domain.model import Content

AT = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)


def _clock() -> RunningClock:
    return RunningClock(
        clock="verification",
        agency=None,
        responsible="nasional",
        time_zone="Asia/Jakarta",
        started_at=AT,
        amount=3,
        unit=DurationUnit.WORKING_DAYS,
    )


def test_builder_makes_an_equal_frozen_instance_of_the_class() -> None:
    original = _clock()
    built = builder(RunningClock)(*attrs.astuple(original, recurse=False))
    assert type(built) is RunningClock
    assert built == original
    assert hash(built) == hash(original)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        built.amount = 4  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        del built.amount


def test_builder_needs_every_field() -> None:
    with pytest.raises(TypeError):
        builder(ComplaintRecord)()


@pytest.mark.parametrize("cls", [Content, object])
def test_builder_refuses_classes_it_would_bypass(cls: type) -> None:
    # Content validates its fields; ``object`` is not an attrs class at all.
    with pytest.raises((TypeError, attrs.exceptions.NotAnAttrsClassError)):
        builder(cls)


def test_replacer_changes_only_the_named_fields() -> None:
    original = _clock()
    copy = Replacer(RunningClock)(original, amount=5, breached=True)
    assert copy == attrs.evolve(original, amount=5, breached=True)
    assert original.amount == 3
    assert not original.breached
    with pytest.raises(TypeError, match="colour"):
        Replacer(Message)(Message("reply", AT, None, "x"), colour="red")  # type: ignore[arg-type]


def test_a_compiled_replacer_sets_the_named_fields_in_order() -> None:
    original = _clock()
    replacer = Replacer(RunningClock)
    replace = replacer.of("breached", "amount")
    copy = replace(original, True, 7)
    assert type(copy) is RunningClock
    assert copy == attrs.evolve(original, amount=7, breached=True)
    # Compiled once per set of fields, in order: the same names give the same function.
    assert replacer.of("breached", "amount") is replace
    assert replacer.of("amount", "breached")(original, 7, True) == copy
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        copy.amount = 4  # type: ignore[misc]


def test_apply_changes_restarts_pauses_resumes_and_stops() -> None:
    start = ClockChange(
        ClockOp.START,
        "verification",
        responsible="nasional",
        time_zone="Asia/Jakarta",
        amount=3,
        unit=DurationUnit.WORKING_DAYS,
    )
    other = attrs.evolve(start, clock="statutory_response")
    later = datetime(2025, 3, 4, 1, 0, tzinfo=UTC)
    clocks = apply_changes((), (start, other), AT)
    assert [rc.clock for rc in clocks] == ["verification", "statutory_response"]
    paused = apply_changes(clocks, (ClockChange(ClockOp.PAUSE, "verification"),), later)
    assert paused[0].paused_at == later
    assert clocks[0].paused_at is None  # the input is not changed
    resumed = apply_changes(paused, (ClockChange(ClockOp.RESUME, "verification"),), later)
    assert resumed[0].paused_at is None
    assert resumed[0].pauses == ((later, later),)
    restarted = apply_changes(resumed, (start,), later)
    assert [rc.clock for rc in restarted] == ["statutory_response", "verification"]
    assert restarted[1].started_at == later
    assert restarted[1].pauses == ()
    stopped = apply_changes(restarted, (ClockChange(ClockOp.STOP, "verification"),), later)
    assert [rc.clock for rc in stopped] == ["statutory_response"]
    # Changes to a clock that is not running do nothing.
    assert apply_changes(stopped, (ClockChange(ClockOp.PAUSE, "verification"),), later) == stopped


def _reference_apply(
    clocks: tuple[RunningClock, ...], changes: tuple[ClockChange, ...], at: datetime
) -> tuple[RunningClock, ...]:
    """The clock rules written plainly: a mapping by ``(clock, agency)``, in start order."""
    running = {(rc.clock, rc.agency): rc for rc in clocks}
    for change in changes:
        key = (change.clock, change.agency)
        rc = running.get(key)
        if change.op is ClockOp.START:
            running.pop(key, None)
            running[key] = RunningClock(
                clock=change.clock,
                agency=change.agency,
                responsible=change.responsible or "",
                time_zone=change.time_zone or "",
                started_at=at,
                amount=change.amount or 0,
                unit=change.unit or DurationUnit.HOURS,
            )
        elif rc is None:
            continue
        elif change.op is ClockOp.STOP:
            del running[key]
        elif change.op is ClockOp.PAUSE and rc.paused_at is None:
            running[key] = attrs.evolve(rc, paused_at=at)
        elif change.op is ClockOp.RESUME and rc.paused_at is not None:
            running[key] = attrs.evolve(rc, paused_at=None, pauses=(*rc.pauses, (rc.paused_at, at)))
    return tuple(running.values())


_CHANGES = st.builds(
    ClockChange,
    op=st.sampled_from(ClockOp),
    clock=st.sampled_from(["verification", "follow_up"]),
    agency=st.sampled_from([None, "samarinda"]),
    responsible=st.just("samarinda"),
    time_zone=st.just("Asia/Makassar"),
    amount=st.just(5),
    unit=st.just(DurationUnit.WORKING_DAYS),
)


@given(st.lists(st.lists(_CHANGES, max_size=4).map(tuple), max_size=8))
def test_apply_changes_follows_the_plain_rules(events: list[tuple[ClockChange, ...]]) -> None:
    clocks: tuple[RunningClock, ...] = ()
    expected: tuple[RunningClock, ...] = ()
    for hour, changes in enumerate(events):
        at = AT + timedelta(hours=hour)
        before = clocks
        clocks = apply_changes(clocks, changes, at)
        expected = _reference_apply(expected, changes, at)
        assert clocks == expected
        assert all(type(rc) is RunningClock for rc in clocks)
        assert apply_changes(before, changes, at) == clocks  # the input is not changed


def test_evolve_shares_what_an_event_leaves_alone() -> None:
    story = drive(Status.IN_PROGRESS)
    before = story.state
    after = story.do(OWNER, Reply(complaint_id=before.id, text="Masih rusak."))
    state = story.state
    assert 1 == len(after)
    assert before.version + 1 == state.version
    assert after[0].at == state.updated_at
    assert len(before.thread) + 1 == len(state.thread)
    # Untouched parts are the same objects, not copies.
    assert state.info is before.info
    assert state.record is before.record
    assert state.assignments is before.assignments
    assert type(state) is Complaint
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        state.version = 0  # type: ignore[misc]


def test_compile_builder_needs_an_expression_for_every_field() -> None:
    with pytest.raises(TypeError, match="missing \\['text', 'agency'\\]"):
        compile_builder(Message, "kind, at, actor", {"kind": "kind", "at": "at", "actor": "actor"})
    with pytest.raises(TypeError, match="unknown \\['colour'\\]"):
        compile_builder(
            Message,
            "kind, at, actor, text",
            {
                "kind": "kind",
                "at": "at",
                "actor": "actor",
                "text": "text",
                "agency": "None",
                "colour": "1",
            },
        )
