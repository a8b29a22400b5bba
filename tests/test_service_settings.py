"""
The service's settings, its refusals word for word, its cache and its decision instant.

These pin what the other service tests leave loose, so that mutation testing of
``lapor_core.service`` (``bench/mutation.py service``) finds a test for each change: the
documented defaults, every refusal of the constructor and of a naive clock or ``now``,
the calendar handed to the context, which complaints the least-recently-used cache
keeps, the clock-skew boundary, and what a sweep in small batches reports.
"""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta

import attrs
import pytest

import lapor_core as lc
from helpers import LoadCountingStore, regional_submit
from lapor_core.service import ComplaintService, ManualClock
from lapor_core.storage.memory import InMemoryStore

PROFILE = lc.load_profile("national")
REGISTRY = lc.load_registry("kaltim")
T0 = datetime(2025, 5, 5, 2, 0, tzinfo=UTC)  # Monday
CITIZEN = lc.Actor.reporter("pelapor")
NATIONAL = lc.Actor.national_admin("nas")


def _forward(cid: str) -> lc.Forward:
    return lc.Forward(complaint_id=lc.ComplaintId(cid), agencies=("samarinda",))


class _SetClock:
    """A clock set by hand, which may go back (a host whose clock is behind)."""

    def __init__(self, instant: datetime) -> None:
        self.instant = instant

    def now(self) -> datetime:
        return self.instant


def _refusal(**settings: object) -> lc.LaporError:
    with pytest.raises(lc.LaporError) as caught:
        ComplaintService(InMemoryStore(), PROFILE, REGISTRY, **settings)  # type: ignore[arg-type]
    return caught.value


# ---------------------------------------------------------------------- settings


def test_the_documented_defaults() -> None:
    service = ComplaintService(InMemoryStore(), PROFILE, REGISTRY)
    assert service.max_attempts == 5
    assert service.max_clock_skew == timedelta(minutes=5)
    assert service.snapshot_every == 100
    sweep = inspect.signature(ComplaintService.sweep).parameters
    assert (sweep["claimant"].default, sweep["batch"].default) == ("sweeper", 100)
    assert sweep["lease"].default == timedelta(minutes=5)
    subscription = inspect.signature(ComplaintService.subscription).parameters
    assert subscription["batch"].default == 500
    assert subscription["skip_undecodable"].default is False
    recompute = inspect.signature(ComplaintService.recompute).parameters
    assert recompute["claimant"].default == "recompute"


def test_the_calendar_given_is_the_one_deadlines_count_on() -> None:
    calendar = lc.WorkingCalendar(time_zone="Asia/Makassar", include_cuti_bersama=False)
    service = ComplaintService(InMemoryStore(), PROFILE, REGISTRY, calendar)
    assert service.calendar is calendar
    assert service.context.calendar is calendar


@pytest.mark.parametrize(
    ("settings", "message", "fields"),
    [
        ({"max_attempts": 0}, "max_attempts must be at least 1", {}),
        ({"cache_size": -1}, "cache_size must not be negative", {}),
        (
            {"snapshot_every": -1},
            "snapshot_every must be an int >= 0 (0: no snapshots), got -1",
            {"snapshot_every": -1},
        ),
        (
            {"snapshot_every": True},
            "snapshot_every must be an int >= 0 (0: no snapshots), got True",
            {"snapshot_every": True},
        ),
        (
            {"max_clock_skew": timedelta(seconds=-1)},
            (
                "max_clock_skew must be a non-negative timedelta, got "
                "datetime.timedelta(days=-1, seconds=86399)"
            ),
            {"max_clock_skew": timedelta(seconds=-1)},
        ),
        (
            {"max_clock_skew": 300},
            "max_clock_skew must be a non-negative timedelta, got 300",
            {"max_clock_skew": 300},
        ),
    ],
)
def test_each_setting_refused_word_for_word(
    settings: dict[str, object], message: str, fields: dict[str, object]
) -> None:
    error = _refusal(**settings)
    assert type(error) is lc.ValidationError
    assert str(error) == message
    assert dict(error.fields) == fields


def test_an_unknown_complaint_is_refused_word_for_word() -> None:
    service = ComplaintService(InMemoryStore(), PROFILE, REGISTRY)
    with pytest.raises(lc.NotFound) as caught:
        service.get(lc.ComplaintId("tidak-ada"))
    assert str(caught.value) == "complaint tidak-ada does not exist"
    assert dict(caught.value.fields) == {"complaint_id": lc.ComplaintId("tidak-ada")}


def test_a_naive_clock_and_a_naive_now_are_refused_by_name() -> None:
    naive = datetime(2025, 5, 5, 9)  # noqa: DTZ001 - the refused input
    service = ComplaintService(InMemoryStore(), PROFILE, REGISTRY, clock=_SetClock(naive))
    with pytest.raises(lc.ValidationError) as clock_error:
        service.handle(regional_submit("c-1"), CITIZEN)
    assert str(clock_error.value) == (
        "the clock's time must be timezone-aware, got naive 2025-05-05T09:00:00"
    )
    with pytest.raises(lc.ValidationError) as now_error:
        service.sweep(naive)
    assert str(now_error.value) == "now must be timezone-aware, got naive 2025-05-05T09:00:00"
    assert service.store.read_all() == ()


# ------------------------------------------------------------------------- cache


def test_the_cache_keeps_the_most_recently_used_complaints() -> None:
    store = LoadCountingStore()
    service = ComplaintService(store, PROFILE, REGISTRY, clock=ManualClock(T0), cache_size=2)
    for cid in ("a", "b", "c"):
        service.handle(regional_submit(cid), CITIZEN)
    store.reads.clear()
    service.handle(_forward("c"), NATIONAL)
    service.handle(_forward("b"), NATIONAL)
    assert store.reads == []  # the two most recent are cached
    service.handle(_forward("a"), NATIONAL)
    assert store.reads == [lc.ComplaintId("a")]  # the oldest was let go
    assert service.get(lc.ComplaintId("a")).status is lc.Status.FORWARDED


def test_without_a_cache_every_command_reads_the_stream() -> None:
    store = LoadCountingStore()
    service = ComplaintService(store, PROFILE, REGISTRY, clock=ManualClock(T0))
    service.handle(regional_submit("a"), CITIZEN)
    store.reads.clear()
    service.handle(_forward("a"), NATIONAL)
    assert store.reads == [lc.ComplaintId("a")]


# ------------------------------------------------------------------ the instant


def test_a_clock_behind_by_exactly_the_allowed_skew_takes_the_last_events_instant() -> None:
    clock = _SetClock(T0)
    service = ComplaintService(InMemoryStore(), PROFILE, REGISTRY, clock=clock)
    service.handle(regional_submit("a"), CITIZEN)
    clock.instant = T0 - service.max_clock_skew
    result = service.handle(_forward("a"), NATIONAL)
    assert result.events[0].at == T0
    assert result.attempts == 1


def test_a_clock_further_behind_is_refused() -> None:
    clock = _SetClock(T0)
    service = ComplaintService(InMemoryStore(), PROFILE, REGISTRY, clock=clock)
    service.handle(regional_submit("a"), CITIZEN)
    clock.instant = T0 - service.max_clock_skew - timedelta(microseconds=1)
    with pytest.raises(lc.ValidationError):
        service.handle(_forward("a"), NATIONAL)
    assert service.get(lc.ComplaintId("a")).status is lc.Status.SUBMITTED


# ------------------------------------------------------------------------- sweep


def _due_service() -> ComplaintService:
    clock = ManualClock(T0)
    service = ComplaintService(InMemoryStore(), PROFILE, REGISTRY, clock=clock)
    for cid in ("a", "b", "c"):
        service.handle(regional_submit(cid), CITIZEN)
    return service


def test_a_sweep_in_batches_of_one_reports_what_one_batch_does() -> None:
    later = T0 + timedelta(days=60)
    small = _due_service().sweep(later, batch=1)
    whole = _due_service().sweep(later)
    assert small.claimed == whole.claimed >= 3
    assert small.commands == whole.commands >= 3
    assert small.skipped == whole.skipped == 0
    assert [type(e) for e in small.events] == [type(e) for e in whole.events]
    assert small.unreadable == ()


def test_a_command_at_a_given_instant_ignores_the_clock() -> None:
    service = ComplaintService(InMemoryStore(), PROFILE, REGISTRY, clock=_SetClock(T0))
    service.handle(regional_submit("a"), CITIZEN)
    later = T0 + timedelta(hours=3)
    result = service.handle(_forward("a"), NATIONAL, now=later)
    assert result.events[0].at == later


# ---------------------------------------------------------------- idempotency


def test_a_key_used_for_another_complaint_is_refused_word_for_word() -> None:
    service = ComplaintService(InMemoryStore(), PROFILE, REGISTRY, clock=ManualClock(T0))
    first = attrs.evolve(regional_submit("a"), idempotency_key="kunci-1")
    service.handle(first, CITIZEN)
    again = service.handle(first, CITIZEN)
    assert (again.duplicate, again.events, again.attempts) == (True, (), 1)
    with pytest.raises(lc.ValidationError) as caught:
        service.handle(attrs.evolve(regional_submit("b"), idempotency_key="kunci-1"), CITIZEN)
    assert str(caught.value) == "idempotency key 'kunci-1' was used for complaint a, not b"
    assert dict(caught.value.fields) == {
        "key": "kunci-1",
        "complaint_id": lc.ComplaintId("a"),
        "other_id": lc.ComplaintId("b"),
    }


# ---------------------------------------------------------------------- batch


def test_a_batched_command_answers_with_its_state_and_events() -> None:
    clock = _SetClock(T0)
    service = ComplaintService(InMemoryStore(), PROFILE, REGISTRY, clock=clock)
    with service.batch():
        submitted = service.handle(regional_submit("a"), CITIZEN)
        assert submitted.complaint.status is lc.Status.SUBMITTED
        assert [type(e).__name__ for e in submitted.events] == ["ComplaintSubmitted"]
        clock.instant = T0 - service.max_clock_skew  # behind the submission, within the skew
        forwarded = service.handle(_forward("a"), NATIONAL)
        assert forwarded.events[0].at == T0
        later = T0 + timedelta(hours=2)
        classified = service.handle(
            lc.Classify(complaint_id=lc.ComplaintId("a"), title="Jalan rusak di Jl. Juanda"),
            NATIONAL,
            now=later,
        )
        assert classified.events[0].at == later
        assert classified.complaint.version == 3
    assert service.get(lc.ComplaintId("a")).version == 3


def test_a_key_inside_a_batch_is_refused_word_for_word() -> None:
    service = ComplaintService(InMemoryStore(), PROFILE, REGISTRY, clock=ManualClock(T0))
    with service.batch(), pytest.raises(lc.ValidationError) as caught:
        service.handle(attrs.evolve(regional_submit("a"), idempotency_key="kunci-1"), CITIZEN)
    assert str(caught.value) == "idempotency keys are not supported inside batch()"
    assert service.store.read_all() == ()
