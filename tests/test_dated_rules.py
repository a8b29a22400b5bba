"""Rules dated by the regulation in force: durations with dated versions (issue 14)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import attrs
import pytest

from helpers import HOME, NATIONAL, OWNER, PROFILE, REGISTRY, national_toml, submit_command
from lapor_core import (
    ComplaintId,
    Context,
    Forward,
    Profile,
    ProfileError,
    decide,
    evolve,
    load_profile,
    replay,
)
from lapor_core.domain.check import check
from lapor_core.domain.clocks import Deadline, deadlines
from lapor_core.domain.state import Complaint
from lapor_core.service import ComplaintService
from lapor_core.storage import open_store
from lapor_core.storage.base import ComplaintStore
from lapor_core.storage.memory import InMemoryStore

CHANGE = """
[profile]
name = "dated-example"
parent = "national"

[[durations.forwarding.history]]
valid_from = 2026-07-01
amount = 2
unit = "working_days"
basis = "EXAMPLE: a regional decree shortening verification, not a real decree"
confidence = "L"

[[durations.follow_up.history]]
valid_from = 2026-07-01
amount = 7
unit = "working_days"
basis = "EXAMPLE: a regional decree lengthening the follow-up, not a real decree"
confidence = "L"
"""

DATED = Profile.from_toml(CHANGE, parent=PROFILE)
BEFORE = datetime(2026, 6, 29, 3, 0, tzinfo=UTC)  # Monday 10:00 WIB
AFTER = datetime(2026, 7, 6, 3, 0, tzinfo=UTC)  # Monday 10:00 WIB
LATER = datetime(2026, 7, 8, 3, 0, tzinfo=UTC)


def _amounts(complaint: Complaint) -> dict[str, int]:
    return {clock.clock: clock.amount for clock in complaint.clocks}


def _story(ctx: Context, submitted: datetime, forwarded: datetime) -> list[Complaint]:
    """A complaint submitted at *submitted* and forwarded at *forwarded*: both states."""
    events = decide(None, submit_command(), OWNER, submitted, ctx)
    state = replay(events)
    first = state
    forward = Forward(complaint_id=submit_command().complaint_id, agencies=(HOME,))
    for event in decide(state, forward, NATIONAL, forwarded, ctx):
        state = evolve(state, event)
    return [first, state]


def test_versions_are_read_in_date_order() -> None:
    versions = DATED.duration_versions["follow_up"]
    assert [(v.amount, v.valid_from, v.valid_until) for v in versions] == [
        (5, None, date(2026, 6, 30)),
        (7, date(2026, 7, 1), None),
    ]
    assert DATED.duration_in_force("follow_up", date(2026, 6, 30)).amount == 5
    assert DATED.duration_in_force("follow_up", date(2026, 7, 1)).amount == 7
    assert DATED.duration_versions["reply_window"] == (DATED.durations["reply_window"],)


def test_the_day_is_read_in_the_profile_time_zone() -> None:
    # 2026-06-30 17:30 UTC is 2026-07-01 00:30 in Jakarta: the new rule is in force.
    assert (
        DATED.duration_in_force("forwarding", datetime(2026, 6, 30, 17, 30, tzinfo=UTC)).amount == 2
    )
    assert (
        DATED.duration_in_force("forwarding", datetime(2026, 6, 30, 16, 30, tzinfo=UTC)).amount == 3
    )


def test_complaints_before_and_after_the_change_get_their_rules() -> None:
    ctx = Context.create(DATED, REGISTRY)
    old_submitted, old_forwarded = _story(ctx, BEFORE, LATER)
    new_submitted, new_forwarded = _story(ctx, AFTER, LATER)
    assert _amounts(old_submitted)["forwarding"] == 3
    assert _amounts(new_submitted)["forwarding"] == 2
    # Both are forwarded after the change; the follow-up clock follows the submission day.
    assert _amounts(old_forwarded)["follow_up"] == 5
    assert _amounts(new_forwarded)["follow_up"] == 7
    calendar = DATED.calendar()
    old_due = {d.clock: d.due_at for d in deadlines(old_forwarded, calendar)}
    new_due = {d.clock: d.due_at for d in deadlines(new_forwarded, calendar)}
    assert old_due["follow_up"] is not None
    assert new_due["follow_up"] is not None
    assert old_due["follow_up"] < new_due["follow_up"]


def test_rules_at_clock_start_is_an_option() -> None:
    text = (
        CHANGE
        + """
[options.rules_at_clock_start]
enabled = true
basis = "EXAMPLE: the clocks follow the rule in force when they start"
confidence = "L"
"""
    )
    profile = Profile.from_toml(text, parent=PROFILE)
    assert profile.rules_at_clock_start.enabled
    assert not DATED.rules_at_clock_start.enabled
    _, forwarded = _story(Context.create(profile, REGISTRY), BEFORE, LATER)
    assert _amounts(forwarded)["follow_up"] == 7


def _service(store: ComplaintStore, profile: Profile) -> ComplaintService:
    return ComplaintService(store, profile, REGISTRY)


def _due(service: ComplaintService, cid: str) -> tuple[Deadline, ...]:
    complaint = service.get(ComplaintId(cid))
    return deadlines(complaint, service.calendar)


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_service_deadlines_and_replay_under_a_changed_rule(backend: str, tmp_path: Path) -> None:
    store = InMemoryStore() if backend == "memory" else open_store(f"sqlite:///{tmp_path}/c.db")
    recorded = _service(store, PROFILE)  # the old rule: 3 HK forwarding, 5 HK follow-up
    for cid, at in (("c-old", BEFORE), ("c-new", AFTER)):
        command = submit_command(ComplaintId(cid))
        recorded.handle(command, OWNER, now=at)
        forward = Forward(complaint_id=command.complaint_id, agencies=(HOME,))
        recorded.handle(forward, NATIONAL, now=LATER)
    before_change = {cid: _due(recorded, cid) for cid in ("c-old", "c-new")}
    # The same streams read by a service whose profile dates a change: nothing moves.
    changed = _service(store, DATED)
    after_change = {cid: _due(changed, cid) for cid in ("c-old", "c-new")}
    assert after_change == before_change
    assert {d.clock for d in after_change["c-new"]} >= {"follow_up"}
    # A complaint submitted under the new rule through the changed service gets it.
    fresh = submit_command(ComplaintId("c-fresh"))
    result = changed.handle(fresh, OWNER, now=AFTER)
    assert _amounts(result.complaint)["forwarding"] == 2
    assert _amounts(changed.get(fresh.complaint_id))["forwarding"] == 2


@pytest.mark.parametrize(
    ("history", "problem"),
    [
        (
            """
[[durations.follow_up.history]]
valid_from = 2026-07-01
valid_until = 2026-06-01
amount = 7
unit = "working_days"
basis = "b"
confidence = "L"
""",
            "durations.follow_up.history[0].valid_until: 2026-06-01 is before valid_from",
        ),
        (
            """
[[durations.follow_up.history]]
valid_from = 2026-07-01
amount = 7
unit = "working_days"
basis = "b"
confidence = "L"

[[durations.follow_up.history]]
valid_from = 2026-03-01
amount = 6
unit = "working_days"
basis = "b"
confidence = "L"
""",
            "durations.follow_up.history[1].valid_from: 2026-03-01 is not after 2026-07-01",
        ),
        (
            """
[[durations.follow_up.history]]
valid_from = 2026-01-01
valid_until = 2026-08-31
amount = 7
unit = "working_days"
basis = "b"
confidence = "L"

[[durations.follow_up.history]]
valid_from = 2026-07-01
amount = 6
unit = "working_days"
basis = "b"
confidence = "L"
""",
            "durations.follow_up.history[0].valid_until: 2026-08-31 overlaps the next version",
        ),
        (
            """
[[durations.follow_up.history]]
valid_from = 2026-01-01
valid_until = 2026-05-31
amount = 7
unit = "working_days"
basis = "b"
confidence = "L"

[[durations.follow_up.history]]
valid_from = 2026-07-01
amount = 6
unit = "working_days"
basis = "b"
confidence = "L"
""",
            (
                "durations.follow_up.history[0].valid_until: gap: no version is in force from "
                "2026-06-01 to 2026-06-30"
            ),
        ),
        (
            """
[[durations.follow_up.history]]
valid_from = 2026-01-01
valid_until = 2026-12-31
amount = 7
unit = "working_days"
basis = "b"
confidence = "L"
""",
            "durations.follow_up.history[0].valid_until: no version is in force after 2026-12-31",
        ),
        (
            """
[[durations.follow_up.history]]
valid_from = 2026-01-01
amount = 7
unit = "working_days"
confidence = "L"
""",
            "durations.follow_up.history[0].basis: missing key",
        ),
        (
            """
[durations.follow_up]
valid_until = 2026-03-31

[[durations.follow_up.history]]
valid_from = 2026-01-01
amount = 7
unit = "working_days"
basis = "b"
confidence = "L"
""",
            "durations.follow_up.valid_until: 2026-03-31 overlaps the next version",
        ),
    ],
)
def test_period_problems_are_named_by_key(history: str, problem: str) -> None:
    text = '[profile]\nname = "bad"\nparent = "national"\n' + history
    with pytest.raises(ProfileError) as caught:
        Profile.from_toml(text, parent=PROFILE)
    assert any(p.startswith(problem) for p in caught.value.problems), caught.value.problems


def test_rules_show_each_version() -> None:
    rows = [(key, value, basis.source) for key, value, basis in DATED.rules()]
    follow_up = [row for row in rows if row[0] == "durations.follow_up"]
    assert [value for _, value, _ in follow_up] == [
        "5 working_days (open .. 2026-06-30)",
        "7 working_days (2026-07-01 .. open)",
    ]
    assert follow_up[1][2].startswith("EXAMPLE: a regional decree")
    undated = [value for key, value, _ in rows if key == "durations.reply_window"]
    assert undated == ["10 working_days"]


def test_national_profile_states_the_option_and_dates_nothing() -> None:
    assert "rules_at_clock_start" in national_toml()
    assert not PROFILE.rules_at_clock_start.enabled
    assert PROFILE.rules_at_clock_start.basis.confidence.value == "U"
    assert all(len(v) == 1 for v in PROFILE.duration_versions.values())


def test_check_validates_the_periods_of_a_profile_built_directly() -> None:
    assert check(DATED).ok
    first, second = DATED.duration_versions["follow_up"]
    gap = attrs.evolve(second, valid_from=date(2026, 7, 15))
    broken = attrs.evolve(
        DATED, duration_versions={**DATED.duration_versions, "follow_up": (first, gap)}
    )
    keys = {problem.key for problem in check(broken).problems}
    assert "durations.follow_up.history[0].valid_from" in keys


def test_the_docs_example_profile_dates_the_follow_up() -> None:
    example = load_profile(Path(__file__).parent.parent / "docs" / "examples" / "dated_rules.toml")
    assert example.parent == "national"
    versions = example.duration_versions["follow_up"]
    assert [(v.amount, v.valid_from, v.valid_until) for v in versions] == [
        (5, None, date(2026, 6, 30)),
        (7, date(2026, 7, 1), None),
    ]
    assert check(example).ok
