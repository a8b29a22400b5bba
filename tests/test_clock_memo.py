"""The clock changes ``decide`` records are memoised per context: the memo never changes them."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import (
    AWAY,
    CTX,
    HOME,
    NATIONAL,
    OWNER,
    PROFILE,
    REGISTRY,
    Story,
    agency_actor,
    drive,
    submit_command,
)
from lapor_core import (
    ClockChange,
    Context,
    Event,
    Forward,
    RejectDisposition,
    Role,
    Status,
    evolve,
    load_profile,
)
from lapor_core.domain import _context
from lapor_core.testing import strategies as lst

CONTEXTS = {
    "national": CTX,
    "kaltim": Context.create(load_profile("kaltim"), REGISTRY),
}


def _recomputed(ctx: Context, events: Sequence[Event]) -> list[tuple[ClockChange, ...]]:
    """Each event's clock changes, worked out again from the state before it, unmemoised."""
    found = []
    state = None
    for event in events:
        found.append(_context._compute_changes(event, state, ctx))
        state = evolve(state, event)
    return found


@given(data=st.data(), name=st.sampled_from(sorted(CONTEXTS)))
def test_recorded_clock_changes_equal_the_unmemoised_computation(
    data: st.DataObject, name: str
) -> None:
    ctx = CONTEXTS[name]
    _, events = data.draw(lst.complaints(ctx))
    assert _recomputed(ctx, events) == [event.clock_changes for event in events]


def test_a_full_memo_starts_again_and_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = drive(Status.COMPLETED).events
    monkeypatch.setattr(_context, "_MEMO_LIMIT", 2)
    fresh = Context.create(PROFILE, REGISTRY)
    story = drive(Status.COMPLETED, fresh)
    assert expected == story.events
    assert len(fresh._event_changes) <= 2


def test_only_the_rejection_that_returns_the_report_restarts_forwarding() -> None:
    # Only the last rejection sends the report back to its router, which restarts the
    # forwarding clock; the first keeps it with the other agency.
    story = Story(CTX)
    story.do(OWNER, submit_command())
    cid = story.state.id
    story.do(NATIONAL, Forward(complaint_id=cid, agencies=(HOME, AWAY), lead=HOME))
    first = story.do(
        agency_actor(Role.AGENCY_ADMIN, HOME),
        RejectDisposition(complaint_id=cid, agency=HOME, reason="Bukan wewenang"),
    )
    last = story.do(
        agency_actor(Role.AGENCY_ADMIN, AWAY),
        RejectDisposition(complaint_id=cid, agency=AWAY, reason="Bukan wewenang"),
    )
    assert first[0].returned_to is None  # type: ignore[attr-defined]
    assert last[0].returned_to is not None  # type: ignore[attr-defined]
    assert "forwarding" not in {change.clock for change in first[0].clock_changes}
    assert "forwarding" in {change.clock for change in last[0].clock_changes}
    assert _recomputed(CTX, story.events) == [event.clock_changes for event in story.events]
