"""
The service's sweep counts, races, snapshot thresholds and the defaults a call relies on.

These kill mutants of ``lapor_core.service`` (``bench/mutation.py service``) that the other
service tests leave: the counts a sweep reports when another writer raced it, the
defaults of ``sweep``, ``subscription`` and ``recompute`` (used by calls that leave them
out) and the values given instead, the attempt number of a duplicate found after a
refusal or a conflict, the decision again on the stored state after a stale cached one
was refused, and when snapshots are saved.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs

import lapor_core as lc
from helpers import LoadCountingStore, agency_actor, refused, regional_submit, sample_command
from lapor_core.domain.calendar import confirmed_years
from lapor_core.domain.clocks import due
from lapor_core.domain.commands import RecordBreach
from lapor_core.domain.events import ClockBreached
from lapor_core.errors import StorageError
from lapor_core.service import ComplaintService, ManualClock, SweepReport
from lapor_core.storage.memory import InMemoryStore

PROFILE = lc.load_profile("national")
REGISTRY = lc.load_registry("kaltim")
T0 = datetime(2025, 5, 5, 2, 0, tzinfo=UTC)  # Monday
CITIZEN = lc.Actor.reporter("pelapor")
NATIONAL = lc.Actor.national_admin("nas")
SYSTEM = lc.Actor.system("rival")
WIB = ZoneInfo("Asia/Jakarta")
WARNINGS = T0 + timedelta(days=3)  # two warnings owed
BREACHES = T0 + timedelta(days=20)  # two breaches owed


def _forward(cid: str) -> lc.Forward:
    return lc.Forward(complaint_id=lc.ComplaintId(cid), agencies=("samarinda",))


class _RacedStore(InMemoryStore):
    """A store whose next load of a complaint runs a rival writer after reading it."""

    def __init__(self) -> None:
        super().__init__()
        self.races: dict[lc.ComplaintId, Callable[[], None]] = {}

    def load(self, complaint_id: lc.ComplaintId) -> tuple[lc.Event, ...]:
        stream = super().load(complaint_id)
        self._race(complaint_id)
        return stream

    def load_latest(
        self, complaint_id: lc.ComplaintId
    ) -> tuple[lc.Complaint | None, tuple[lc.Event, ...]]:
        found = super().load_latest(complaint_id)
        self._race(complaint_id)
        return found

    def _race(self, complaint_id: lc.ComplaintId) -> None:
        race = self.races.pop(complaint_id, None)
        if race is not None:
            race()  # the rival commits after this reader read the stream


class _ClaimSpyStore(InMemoryStore):
    """A store that records the limit of every claim of due complaints."""

    def __init__(self) -> None:
        super().__init__()
        self.limits: list[int] = []

    def claim_due(
        self, now: datetime, *, claimant: str, lease: timedelta, limit: int = 100
    ) -> tuple[lc.ComplaintId, ...]:
        self.limits.append(limit)
        return super().claim_due(now, claimant=claimant, lease=lease, limit=limit)


class _HidingStore(InMemoryStore):
    """A store whose first lookup of a hidden key finds nothing (its writer not committed)."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden: set[str] = set()

    def idempotency(self, key: str) -> tuple[lc.ComplaintId, int] | None:
        if key in self.hidden:
            self.hidden.discard(key)
            return None
        return super().idempotency(key)


class _FailingSnapshotStore(InMemoryStore):
    """A store that cannot save a snapshot."""

    def save_snapshot(self, state: lc.Complaint) -> None:
        raise StorageError("disk full")


# ------------------------------------------------------------------------- sweep


def test_a_sweep_counts_each_clock_command_and_issues_them_as_the_sweeper() -> None:
    service = ComplaintService(InMemoryStore(), PROFILE, REGISTRY, clock=ManualClock(T0))
    service.handle(regional_submit("a"), CITIZEN)
    report = service.sweep(BREACHES)
    assert (report.claimed, report.commands, report.skipped) == (1, 2, 0)
    assert [type(e) for e in report.events] == [lc.ClockBreached, lc.ClockBreached]
    assert {e.actor for e in report.events} == {lc.Actor.system("sweeper")}


def test_a_sweep_without_now_reads_the_clock() -> None:
    clock = ManualClock(T0)
    service = ComplaintService(InMemoryStore(), PROFILE, REGISTRY, clock=clock)
    service.handle(regional_submit("a"), CITIZEN)
    clock.advance(BREACHES - T0)
    report = service.sweep()
    assert report.commands == 2
    assert {e.at for e in report.events} == {BREACHES}


def test_a_sweep_claims_as_many_as_its_batch() -> None:
    store = _ClaimSpyStore()
    service = ComplaintService(store, PROFILE, REGISTRY, clock=ManualClock(T0))
    service.handle(regional_submit("a"), CITIZEN)
    service.sweep(WARNINGS)
    assert store.limits == [100]  # the default batch; fewer were due, so no second claim
    store.limits.clear()
    service.sweep(BREACHES, batch=7)
    assert store.limits == [7]


def test_a_sweep_claims_again_while_its_claims_come_back_full() -> None:
    store = _ClaimSpyStore()
    service = ComplaintService(store, PROFILE, REGISTRY, clock=ManualClock(T0))
    service.handle(regional_submit("a"), CITIZEN)
    service.handle(regional_submit("b"), CITIZEN)
    report = service.sweep(BREACHES, batch=1)
    assert report.claimed == 2
    assert report.commands == 4
    assert store.limits == [1, 1, 1]  # one each, then one that finds none new


def test_a_sweep_reads_the_stored_state_not_a_stale_cached_one() -> None:
    store = InMemoryStore()
    cached = ComplaintService(store, PROFILE, REGISTRY, clock=ManualClock(T0), cache_size=10)
    cached.handle(regional_submit("a"), CITIZEN)  # cached as submitted
    rival = ComplaintService(store, PROFILE, REGISTRY)
    rival.handle(_forward("a"), NATIONAL, now=T0 + timedelta(hours=1))  # other clocks now
    owed = due(rival.get(lc.ComplaintId("a")), BREACHES, rival.calendar, PROFILE.clocks)
    report = cached.sweep(BREACHES)
    assert (report.commands, report.skipped) == (2, 0)
    breaches = [command for command in owed if isinstance(command, RecordBreach)]
    assert len(breaches) == len(owed) == 2
    assert [e.clock for e in report.events if isinstance(e, ClockBreached)] == [
        command.clock for command in breaches
    ]


def _raced_sweep(race: Callable[[ComplaintService, lc.ComplaintId], None]) -> SweepReport:
    store = _RacedStore()
    service = ComplaintService(store, PROFILE, REGISTRY, clock=ManualClock(T0), snapshot_every=0)
    rival = ComplaintService(store, PROFILE, REGISTRY, snapshot_every=0)
    for cid in ("a", "b"):
        service.handle(regional_submit(cid), CITIZEN)
        complaint_id = lc.ComplaintId(cid)
        store.races[complaint_id] = _bound(race, rival, complaint_id)
    return service.sweep(BREACHES)


def _bound(
    race: Callable[[ComplaintService, lc.ComplaintId], None],
    rival: ComplaintService,
    cid: lc.ComplaintId,
) -> Callable[[], None]:
    return lambda: race(rival, cid)


def _rival_sweeps(rival: ComplaintService, cid: lc.ComplaintId) -> None:
    for command in due(rival.get(cid), BREACHES, rival.calendar, rival.profile.clocks):
        rival.handle(command, SYSTEM, now=BREACHES)


def _rival_forwards_later(rival: ComplaintService, cid: lc.ComplaintId) -> None:
    rival.handle(_forward(cid.value), NATIONAL, now=BREACHES + timedelta(hours=1))


def test_commands_another_sweeper_issued_first_are_counted_as_skipped() -> None:
    report = _raced_sweep(_rival_sweeps)
    assert (report.claimed, report.commands, report.skipped) == (2, 0, 4)
    assert report.events == ()


def test_commands_a_later_writer_overtook_are_counted_as_skipped() -> None:
    report = _raced_sweep(_rival_forwards_later)
    assert (report.claimed, report.commands, report.skipped) == (2, 0, 4)
    assert report.events == ()


# --------------------------------------------------------------- handle, retries


def test_a_first_submission_reads_nothing_when_a_second_attempt_may_follow() -> None:
    store = LoadCountingStore()
    service = ComplaintService(store, PROFILE, REGISTRY, clock=ManualClock(T0), max_attempts=2)
    service.handle(regional_submit("a"), CITIZEN)
    assert store.reads == []


def test_a_duplicate_found_after_a_conflict_reports_its_attempt() -> None:
    store = _HidingStore()
    service = ComplaintService(store, PROFILE, REGISTRY, clock=ManualClock(T0))
    command = attrs.evolve(regional_submit("a"), idempotency_key="kunci-1")
    service.handle(command, CITIZEN)
    store.hidden.add("kunci-1")  # the first lookup misses; the append at 0 conflicts
    again = service.handle(command, CITIZEN)
    assert (again.duplicate, again.events, again.attempts) == (True, (), 2)
    assert again.complaint == service.get(lc.ComplaintId("a"))


def test_a_duplicate_found_after_a_refusal_reports_its_attempt() -> None:
    store = _HidingStore()
    service = ComplaintService(store, PROFILE, REGISTRY, clock=ManualClock(T0))
    service.handle(regional_submit("a"), CITIZEN)
    command = attrs.evolve(_forward("a"), idempotency_key="kunci-1")
    service.handle(command, NATIONAL)
    store.hidden.add("kunci-1")  # missed, then the forward is refused: already forwarded
    again = service.handle(command, NATIONAL)
    assert (again.duplicate, again.events, again.attempts) == (True, (), 1)


def test_a_duplicate_found_after_the_last_attempt_conflicts_reports_its_attempt() -> None:
    store = _HidingStore()
    stale = ComplaintService(
        store, PROFILE, REGISTRY, clock=ManualClock(T0), max_attempts=1, cache_size=10
    )
    stale.handle(regional_submit("a"), CITIZEN)  # cached as submitted
    command = attrs.evolve(_forward("a"), idempotency_key="kunci-1")
    ComplaintService(store, PROFILE, REGISTRY, clock=ManualClock(T0)).handle(command, NATIONAL)
    store.hidden.add("kunci-1")  # missed; the stale state decides, and its append conflicts
    again = stale.handle(command, NATIONAL)
    assert (again.duplicate, again.events, again.attempts) == (True, (), 1)
    assert again.complaint.status is lc.Status.FORWARDED


def _stale_then_forwarded(clock: ManualClock) -> tuple[ComplaintService, lc.Command, lc.Actor]:
    store = InMemoryStore()
    stale = ComplaintService(store, PROFILE, REGISTRY, clock=clock, cache_size=10)
    stale.handle(regional_submit("a"), CITIZEN)  # cached as submitted
    other = ComplaintService(store, PROFILE, REGISTRY)
    other.handle(_forward("a"), NATIONAL, now=T0 + timedelta(minutes=2))
    # refused on the cached submitted state, accepted on the stored forwarded one
    command = sample_command(lc.PostFollowUp, lc.ComplaintId("a"))
    return stale, command, agency_actor(lc.Role.AGENCY_ADMIN, "samarinda")


def test_a_stale_cached_refusal_is_decided_again_at_the_stored_last_events_instant() -> None:
    stale, command, actor = _stale_then_forwarded(ManualClock(T0))  # two minutes behind
    result = stale.handle(command, actor)
    assert result.events[0].at == T0 + timedelta(minutes=2)


def test_a_stale_cached_refusal_is_decided_again_at_the_given_instant() -> None:
    stale, command, actor = _stale_then_forwarded(ManualClock(T0))
    later = T0 + timedelta(hours=3)
    result = stale.handle(command, actor, now=later)
    assert result.events[0].at == later


# --------------------------------------------------------------------- snapshots


def test_without_snapshots_an_unknown_complaint_is_not_found() -> None:
    service = ComplaintService(InMemoryStore(), PROFILE, REGISTRY, snapshot_every=0)
    error = refused(lambda: service.get(lc.ComplaintId("tidak-ada")))
    assert type(error) is lc.NotFound
    assert str(error) == "complaint tidak-ada does not exist"


def test_a_load_that_replays_exactly_snapshot_every_events_saves_a_snapshot() -> None:
    store = InMemoryStore()
    writer = ComplaintService(store, PROFILE, REGISTRY, clock=ManualClock(T0), snapshot_every=0)
    writer.handle(regional_submit("a"), CITIZEN)
    writer.handle(_forward("a"), NATIONAL)
    cid = lc.ComplaintId("a")
    assert store.load_snapshot(cid) is None
    reader = ComplaintService(store, PROFILE, REGISTRY, snapshot_every=2)
    state = reader.get(cid)
    assert store.load_snapshot(cid) == state


def test_a_recorded_history_of_one_event_is_snapshotted_every_event() -> None:
    store = InMemoryStore()
    service = ComplaintService(store, PROFILE, REGISTRY, snapshot_every=1)
    events = lc.decide(None, regional_submit("a"), CITIZEN, T0, service.context)
    result = service.record_history(events)
    assert store.load_snapshot(lc.ComplaintId("a")) == result.complaint


def test_a_snapshot_that_cannot_be_saved_does_not_fail_the_command() -> None:
    store = _FailingSnapshotStore()
    service = ComplaintService(store, PROFILE, REGISTRY, clock=ManualClock(T0), snapshot_every=1)
    result = service.handle(regional_submit("a"), CITIZEN)
    assert result.complaint.version == 1
    assert store.load(lc.ComplaintId("a")) == result.events


# ------------------------------------------------------------------- subscription


def test_a_subscription_gets_its_defaults_and_the_values_given() -> None:
    service = ComplaintService(InMemoryStore(), PROFILE, REGISTRY)
    default = service.subscription()
    assert (default.position, default.batch, default.skip_undecodable) == (0, 500, False)
    given = service.subscription(3, batch=7, skip_undecodable=True)
    assert (given.position, given.batch, given.skip_undecodable) == (3, 7, True)


# ---------------------------------------------------------------------- recompute


def _recomputed_by(**claimant: str) -> lc.Actor:
    """The actor of the ``DeadlinesRecomputed`` a recompute records (one year of newer data)."""
    last = confirmed_years()[-1]
    previous = last - 1
    submitted = datetime(last, 1, 28, 9, tzinfo=WIB)  # its deadlines cross that year's leave
    store = InMemoryStore()
    old_calendar = PROFILE.calendar().replace(confirmed_until=previous)
    old = ComplaintService(store, PROFILE, REGISTRY, calendar=old_calendar)
    submit = lc.Submit(
        complaint_id=lc.ComplaintId("r"),
        content=lc.Content(title="Jalan rusak di Jl. Juanda", body="Berlubang besar."),
        kind=lc.Kind.COMPLAINT,
        reporter=lc.Reporter("pelapor", "Siti Aminah"),
        channel=lc.Channel(lc.ChannelType.WEB),
        category=lc.Category("infrastruktur"),
    )
    old.handle(submit, CITIZEN, now=submitted)
    new = ComplaintService(store, PROFILE, REGISTRY)
    report = new.recompute(previous, now=submitted + timedelta(hours=1), **claimant)
    assert len(report.moved) == 1
    [recorded] = [
        e for e in store.load(lc.ComplaintId("r")) if isinstance(e, lc.DeadlinesRecomputed)
    ]
    return recorded.actor


def test_a_recompute_records_its_events_as_the_recompute_claimant() -> None:
    assert _recomputed_by() == lc.Actor.system("recompute")


def test_a_recompute_records_its_events_as_the_claimant_given() -> None:
    assert _recomputed_by(claimant="pemutakhiran") == lc.Actor.system("pemutakhiran")
