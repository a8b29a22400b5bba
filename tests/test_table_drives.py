"""
The lifecycle table is the single source of truth: decide, evolve, the docs and the check.

For every row, what ``decide`` records is one of the row's outcomes and the status after
``evolve`` is the one that outcome leads to; a table with one cell changed changes the
behaviour, the Markdown table and the diagram, and nothing else needs editing.
"""

from __future__ import annotations

import attrs
import pytest

from helpers import drive, in_scope
from lapor_core import (
    Close,
    Context,
    InvalidTransition,
    Reply,
    Role,
    Status,
    decide,
    evolve,
)
from lapor_core.domain import events as e
from lapor_core.domain.check import check
from lapor_core.domain.lifecycle import (
    TRANSITIONS,
    Lifecycle,
    Outcome,
    Target,
    Transition,
    markdown_table,
    mermaid,
)
from test_lifecycle_table import ALLOWED, context_for, setup, valid_command, when


@pytest.mark.parametrize(("row", "role"), ALLOWED)
def test_decide_records_an_outcome_of_the_row_and_evolve_reaches_its_target(
    row: Transition, role: Role
) -> None:
    story = setup(row)
    ctx = context_for(row)
    actor = in_scope(role)
    events = decide(story.complaint, valid_command(row, actor, story), actor, when(row, story), ctx)
    owed, recorded = _split_owed(row, events)
    outcome = row.outcome(recorded)
    assert tuple(type(event) for event in recorded) == outcome.events
    # what comes first: breaches of clocks the command ends, owed and not yet recorded
    assert all(isinstance(b, e.ClockBreached) and b.status == story.state.status for b in owed)
    before = story.complaint
    expected = ctx.lifecycle.resolve(
        None if before is None else before.status,
        outcome,
        None if before is None else before.held_from,
    )
    state = before
    for event in events:
        state = evolve(state, event)
    assert state is not None
    assert expected == state.status
    assert expected == events[-1].status


def _split_owed(
    row: Transition, events: tuple[e.Event, ...]
) -> tuple[tuple[e.Event, ...], tuple[e.Event, ...]]:
    """The breaches recorded first (owed at the stop), and the events of the row's outcome."""
    for start in range(len(events)):
        if any(outcome.matches(events[start:]) for outcome in row.outcomes):
            return events[:start], events[start:]
    return (), events  # row.outcome() then says why nothing matches


def _with_row(
    table: tuple[Transition, ...], source: Status, command: type, outcomes: tuple[Outcome, ...]
) -> tuple[Transition, ...]:
    """*table* with the outcomes of one row replaced: one cell changed."""
    return tuple(
        attrs.evolve(row, outcomes=outcomes)
        if (row.source, row.command) == (source, command)
        else row
        for row in table
    )


def _context(table: tuple[Transition, ...], base: Context) -> Context:
    return Context(Lifecycle(base.profile, table), base.registry, base.calendar)


def test_changing_a_target_cell_changes_behaviour_docs_and_diagram() -> None:
    base = context_for(TRANSITIONS[0])
    table = _with_row(
        TRANSITIONS,
        Status.IN_PROGRESS,
        Close,
        outcomes=(Outcome((e.ComplaintClosed,), Status.ARCHIVED),),
    )
    ctx = _context(table, base)
    story = drive(Status.IN_PROGRESS, base)
    admin = in_scope(Role.NATIONAL_ADMIN)
    close = Close(complaint_id=story.state.id, note="Selesai ditangani.")
    events = decide(story.state, close, admin, story.now, ctx)
    assert Status.ARCHIVED == evolve(story.state, events[-1]).status
    assert (
        Status.COMPLETED
        == evolve(story.state, decide(story.state, close, admin, story.now, base)[-1]).status
    )
    assert "| `in_progress` | `Close` | `ComplaintClosed` | `archived` |" in markdown_table(
        ctx.lifecycle
    )
    assert "in_progress --> archived: Close" in mermaid(ctx.lifecycle)
    assert "in_progress --> archived: Close" not in mermaid(base.lifecycle)


def test_changing_what_a_row_records_makes_decide_refuse_the_old_events() -> None:
    base = context_for(TRANSITIONS[0])
    table = _with_row(
        TRANSITIONS,
        Status.IN_PROGRESS,
        Reply,
        outcomes=(Outcome((e.ReplyPosted, e.ReplyPosted), Target.SAME),),
    )
    story = drive(Status.IN_PROGRESS, base)
    reporter = in_scope(Role.REPORTER)
    reply = Reply(complaint_id=story.state.id, text="Terima kasih.")
    with pytest.raises(InvalidTransition, match=r"recorded \(ReplyPosted\)"):
        decide(story.state, reply, reporter, story.now, _context(table, base))
    assert decide(story.state, reply, reporter, story.now, base)


def test_the_check_reads_the_events_from_the_table() -> None:
    base = context_for(TRANSITIONS[0])
    assert check(base.profile).ok
    # Once forwarding records no ComplaintForwarded, the clocks it starts never start.
    table = tuple(
        attrs.evolve(
            row,
            outcomes=tuple(
                attrs.evolve(o, events=(e.ComplaintClassified,))
                if o.events == (e.ComplaintForwarded,)
                else o
                for o in row.outcomes
            ),
        )
        for row in TRANSITIONS
    )
    report = check(base.profile, table)
    assert not report.ok
    assert any("never starts" in str(p) and "ComplaintForwarded" in str(p) for p in report.problems)


def test_a_return_from_hold_goes_back_to_where_it_was_held_from() -> None:
    ctx = context_for(TRANSITIONS[0])
    provide = next(
        r
        for r in TRANSITIONS
        if r.source is Status.ON_HOLD and r.outcomes[0].target is Target.HELD_FROM
    )
    assert {Status.SUBMITTED, Status.FORWARDED} == set(
        ctx.lifecycle.targets(provide.source, provide.command)
    )
    assert Status.FORWARDED == ctx.lifecycle.resolve(
        Status.ON_HOLD, provide.outcomes[0], Status.FORWARDED
    )
