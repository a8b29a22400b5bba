"""ComplaintService: load -> decide -> append, retries, idempotency, sweeps, subscriptions."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest

import lapor_core as lc
from lapor_core.errors import UndecodableEvent
from lapor_core.service import ComplaintService, History, ManualClock, SystemClock
from lapor_core.storage.base import ComplaintQuery, ComplaintRow, StoredEvent
from lapor_core.storage.memory import InMemoryStore

PROFILE = lc.load_profile("national")
REGISTRY = lc.load_registry("kaltim")
T0 = datetime(2025, 5, 5, 2, 0, tzinfo=UTC)  # Monday
REPORTER = lc.Reporter(id="pelapor", name="Siti")
CITIZEN = lc.Actor.reporter("pelapor")
NATIONAL = lc.Actor.national_admin("nas")
SAMARINDA = lc.make_agency_actor(REGISTRY, "adm", lc.Role.AGENCY_ADMIN, "samarinda")


def _submit(cid: str, key: str | None = None) -> lc.Submit:
    return lc.Submit(
        complaint_id=lc.ComplaintId(cid),
        content=lc.Content(title="Jalan rusak", body="Jalan rusak parah."),
        kind=lc.Kind.COMPLAINT,
        reporter=REPORTER,
        channel=lc.Channel(lc.ChannelType.REGIONAL_APP, "LAPOR WAL!"),
        region=lc.RegionCode("64.72"),
        idempotency_key=key,
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def service(clock: ManualClock) -> ComplaintService:
    return ComplaintService(InMemoryStore(), PROFILE, REGISTRY, clock=clock)


def test_handle_stores_events_and_projection(service: ComplaintService) -> None:
    result = service.handle(_submit("s-1"), CITIZEN)
    assert lc.Status.SUBMITTED is result.complaint.status
    assert 1 == len(result.events)
    assert result.events == service.store.load(lc.ComplaintId("s-1"))
    row = service.store.get(lc.ComplaintId("s-1"))
    assert lc.Status.SUBMITTED is row.status
    assert 1 == row.version
    assert row.next_due_at is not None
    assert result.complaint == service.get(lc.ComplaintId("s-1"))


def test_refused_command_stores_nothing(service: ComplaintService) -> None:
    service.handle(_submit("s-1"), CITIZEN)
    before = service.store.load(lc.ComplaintId("s-1"))
    row = service.store.get(lc.ComplaintId("s-1"))
    with pytest.raises(lc.PermissionDenied):
        service.handle(
            lc.Forward(complaint_id=lc.ComplaintId("s-1"), agencies=("samarinda",)), CITIZEN
        )
    with pytest.raises(lc.InvalidTransition):
        service.handle(
            lc.PostFollowUp(complaint_id=lc.ComplaintId("s-1"), agency="samarinda", text="x"),
            SAMARINDA,
        )
    assert before == service.store.load(lc.ComplaintId("s-1"))
    assert row == service.store.get(lc.ComplaintId("s-1"))
    assert 1 == len(service.store.read_all())


def test_unknown_complaint_is_not_found(service: ComplaintService) -> None:
    with pytest.raises(lc.NotFound):
        service.get(lc.ComplaintId("nope"))
    with pytest.raises(lc.NotFound):
        service.handle(lc.Reply(complaint_id=lc.ComplaintId("nope"), text="x"), CITIZEN)


def test_same_idempotency_key_returns_the_first_result(service: ComplaintService) -> None:
    first = service.handle(_submit("s-1", key="app-42"), CITIZEN)
    again = service.handle(_submit("s-1", key="app-42"), CITIZEN)
    assert again.duplicate
    assert () == again.events
    assert first.complaint == again.complaint
    assert 1 == len(service.store.read_all())


def test_a_repeated_key_returns_the_complaint_as_it_is_now(service: ComplaintService) -> None:
    service.handle(_submit("s-1", key="app-42"), CITIZEN)
    service.handle(
        lc.Forward(complaint_id=lc.ComplaintId("s-1"), agencies=("samarinda",)), NATIONAL
    )
    again = service.handle(_submit("s-1", key="app-42"), CITIZEN)
    assert again.duplicate
    assert () == again.events
    assert lc.Status.FORWARDED is again.complaint.status
    assert service.get(lc.ComplaintId("s-1")) == again.complaint
    assert 2 == len(service.store.load(lc.ComplaintId("s-1")))


def test_idempotency_key_reused_for_another_complaint_is_refused(
    service: ComplaintService,
) -> None:
    service.handle(_submit("s-1", key="app-42"), CITIZEN)
    with pytest.raises(lc.ValidationError, match="app-42"):
        service.handle(_submit("s-2", key="app-42"), CITIZEN)
    assert () == service.store.load(lc.ComplaintId("s-2"))


class _ConflictOnce(InMemoryStore):
    """A store where another writer slips in a reply just before our first append."""

    def __init__(self, intruder: lc.Command, actor: lc.Actor, at: datetime) -> None:
        super().__init__()
        self.armed = False
        self.intruder = (intruder, actor, at)

    def append(
        self,
        complaint_id: lc.ComplaintId,
        expected_version: int,
        events: Sequence[lc.Event],
        row: ComplaintRow,
        *,
        idempotency_key: str | None = None,
    ) -> tuple[StoredEvent, ...]:
        if self.armed:
            self.armed = False
            command, actor, at = self.intruder
            state = lc.replay(self.load(complaint_id))
            intruding = lc.decide(state, command, actor, at, CTX)
            after = state
            for event in intruding:
                after = lc.evolve(after, event)
            super().append(
                complaint_id,
                expected_version,
                intruding,
                ComplaintRow(**{**_row_fields(row), "version": after.version}),
            )
        return super().append(
            complaint_id, expected_version, events, row, idempotency_key=idempotency_key
        )


CTX = lc.Context.create(PROFILE, REGISTRY)


def _row_fields(row: ComplaintRow) -> dict[str, Any]:
    return attrs.asdict(row, recurse=False)


def test_conflict_is_retried_on_fresh_state(clock: ManualClock) -> None:
    cid = lc.ComplaintId("s-1")
    store = _ConflictOnce(lc.Classify(complaint_id=cid, title="Jalan berlubang"), NATIONAL, T0)
    service = ComplaintService(store, PROFILE, REGISTRY, clock=clock)
    service.handle(_submit("s-1"), CITIZEN)
    store.armed = True
    result = service.handle(lc.Forward(complaint_id=cid, agencies=("samarinda",)), NATIONAL)
    assert 2 == result.attempts
    stream = store.load(cid)
    assert [lc.ComplaintSubmitted, lc.ComplaintClassified, lc.ComplaintForwarded] == [
        type(e) for e in stream
    ]
    assert "Jalan berlubang" == result.complaint.content.title
    assert 3 == result.complaint.version


def test_conflicts_beyond_the_attempts_are_raised(clock: ManualClock) -> None:
    cid = lc.ComplaintId("s-1")
    store = _ConflictOnce(lc.Classify(complaint_id=cid, title="Judul"), NATIONAL, T0)
    service = ComplaintService(store, PROFILE, REGISTRY, clock=clock, max_attempts=1)
    service.handle(_submit("s-1"), CITIZEN)
    store.armed = True
    with pytest.raises(lc.ConcurrencyConflict):
        service.handle(lc.Forward(complaint_id=cid, agencies=("samarinda",)), NATIONAL)
    assert [lc.ComplaintSubmitted, lc.ComplaintClassified] == [type(e) for e in store.load(cid)]


def test_threads_hammering_one_complaint_lose_nothing(clock: ManualClock) -> None:
    service = ComplaintService(InMemoryStore(), PROFILE, REGISTRY, clock=clock, max_attempts=50)
    cid = lc.ComplaintId("s-1")
    service.handle(_submit("s-1"), CITIZEN)
    service.handle(lc.Forward(complaint_id=cid, agencies=("samarinda",)), NATIONAL)
    liaison = lc.make_agency_actor(REGISTRY, "lo", lc.Role.AGENCY_ADMIN, "samarinda")
    service.handle(lc.PostFollowUp(complaint_id=cid, agency="samarinda", text="ok"), liaison)
    errors: list[BaseException] = []

    def replies(worker: int) -> None:
        try:
            for i in range(20):
                service.handle(lc.Reply(complaint_id=cid, text=f"{worker}-{i}"), CITIZEN)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=replies, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [] == errors
    stream = service.store.load(cid)
    texts = [e.text for e in stream if isinstance(e, lc.ReplyPosted)]
    assert 80 == len(texts)
    assert len(set(texts)) == len(texts)
    assert len(stream) == service.get(cid).version
    assert service.store.get(cid).version == len(stream)


def test_sweep_issues_clock_events_once(service: ComplaintService, clock: ManualClock) -> None:
    cid = lc.ComplaintId("s-1")
    service.handle(_submit("s-1"), CITIZEN)
    later = T0 + timedelta(days=20)
    report = service.sweep(later)
    assert 1 == report.claimed
    breached = {e.clock for e in report.events if isinstance(e, lc.ClockBreached)}
    assert {"forwarding", "statutory_response"} <= breached
    assert 0 == service.sweep(later).commands  # nothing owed twice
    second = ComplaintService(service.store, PROFILE, REGISTRY, clock=clock)
    assert 0 == second.sweep(later, claimant="other").commands
    stream = service.store.load(cid)
    keys = [(e.clock, e.agency) for e in stream if isinstance(e, lc.ClockBreached)]
    assert len(keys) == len(set(keys))
    # Nothing more is owed: the 60-day decision counts from forwarding (the complete
    # file), which never happened; the breached 14-day response made it Ombudsman-eligible.
    row = service.store.get(cid)
    assert row.next_due_at is None
    assert row.ombudsman_eligible


def test_sweep_without_due_complaints_does_nothing(service: ComplaintService) -> None:
    service.handle(_submit("s-1"), CITIZEN)
    report = service.sweep(T0 + timedelta(minutes=1))
    assert (0, 0, ()) == (report.claimed, report.commands, report.events)


def test_sweep_auto_closes_after_the_reply_window(
    service: ComplaintService, clock: ManualClock
) -> None:
    cid = lc.ComplaintId("s-1")
    service.handle(_submit("s-1"), CITIZEN)
    service.handle(lc.Forward(complaint_id=cid, agencies=("samarinda",)), NATIONAL)
    service.handle(lc.PostFollowUp(complaint_id=cid, agency="samarinda", text="ok"), SAMARINDA)
    service.sweep(T0 + timedelta(days=30))
    complaint = service.get(cid)
    assert lc.Status.COMPLETED is complaint.status
    assert complaint.closed_automatically
    assert service.store.get(cid).next_due_at is None


def test_subscription_reads_every_event_in_order_from_its_position(
    service: ComplaintService,
) -> None:
    for i in range(3):
        service.handle(_submit(f"s-{i}"), CITIZEN)
    service.handle(
        lc.Forward(complaint_id=lc.ComplaintId("s-0"), agencies=("samarinda",)), NATIONAL
    )
    subscription = service.subscription(batch=2)
    seen: list[StoredEvent] = []
    assert 4 == subscription.poll(seen.append)
    assert [s.position for s in seen] == sorted(s.position for s in seen)
    assert 0 == subscription.poll(seen.append)
    service.handle(_submit("s-9"), CITIZEN)
    resumed = service.subscription(subscription.position)
    fresh: list[StoredEvent] = []
    assert 1 == resumed.poll(fresh.append)
    assert lc.ComplaintId("s-9") == fresh[0].complaint_id


def test_listeners_hear_committed_events_only(service: ComplaintService) -> None:
    heard: list[lc.Event] = []
    service.on_events(heard.extend)
    service.handle(_submit("s-1"), CITIZEN)
    with pytest.raises(lc.LaporError):
        service.handle(lc.Close(complaint_id=lc.ComplaintId("s-1")), NATIONAL)
    assert [lc.ComplaintSubmitted] == [type(e) for e in heard]


def test_query_by_agency_after_forwarding(service: ComplaintService) -> None:
    service.handle(_submit("s-1"), CITIZEN)
    service.handle(_submit("s-2"), CITIZEN)
    service.handle(
        lc.Forward(complaint_id=lc.ComplaintId("s-1"), agencies=("samarinda",)), NATIONAL
    )
    subtree = frozenset(a.id for a in REGISTRY.subtree("kaltim"))
    page = service.store.query(ComplaintQuery(agencies=subtree))
    assert [lc.ComplaintId("s-1")] == [row.id for row in page.items]


def test_manual_clock_does_not_go_back() -> None:
    manual = ManualClock(T0)
    assert T0 + timedelta(hours=1) == manual.advance(timedelta(hours=1))
    with pytest.raises(lc.ValidationError):
        manual.set(T0)
    with pytest.raises(lc.ValidationError):
        ManualClock(datetime(2025, 1, 1))  # noqa: DTZ001 - naive on purpose


def test_system_clock_is_aware() -> None:
    assert SystemClock().now().tzinfo is not None


def test_max_attempts_must_be_positive() -> None:
    with pytest.raises(lc.ValidationError):
        ComplaintService(InMemoryStore(), PROFILE, REGISTRY, max_attempts=0)


def test_cached_service_sees_writes_of_another_service(clock: ManualClock) -> None:
    store = InMemoryStore()
    first = ComplaintService(store, PROFILE, REGISTRY, clock=clock, cache_size=10)
    second = ComplaintService(store, PROFILE, REGISTRY, clock=clock, cache_size=10)
    cid = lc.ComplaintId("s-1")
    first.handle(_submit("s-1"), CITIZEN)
    first.get(cid)  # cached in the first service
    second.handle(lc.Forward(complaint_id=cid, agencies=("samarinda",)), NATIONAL)
    result = first.handle(
        lc.PostFollowUp(complaint_id=cid, agency="samarinda", text="ok"), SAMARINDA
    )
    assert lc.Status.IN_PROGRESS is result.complaint.status
    assert 3 == len(store.load(cid))


def test_batch_writes_everything_in_one_go(clock: ManualClock) -> None:
    store = InMemoryStore()
    service = ComplaintService(store, PROFILE, REGISTRY, clock=clock)
    with service.batch():
        for i in range(3):
            service.handle(_submit(f"b-{i}"), CITIZEN)
        service.handle(
            lc.Forward(complaint_id=lc.ComplaintId("b-0"), agencies=("samarinda",)), NATIONAL
        )
        assert () == store.read_all()  # nothing written until the block ends
    assert 4 == len(store.read_all())
    assert lc.Status.FORWARDED is store.get(lc.ComplaintId("b-0")).status
    assert lc.Status.FORWARDED is service.get(lc.ComplaintId("b-0")).status


def test_batch_discards_everything_on_error(clock: ManualClock) -> None:
    store = InMemoryStore()
    service = ComplaintService(store, PROFILE, REGISTRY, clock=clock)

    def work() -> None:
        with service.batch():
            service.handle(_submit("b-1"), CITIZEN)
            service.handle(lc.Close(complaint_id=lc.ComplaintId("b-1")), NATIONAL)

    with pytest.raises(lc.InvalidTransition):
        work()
    assert () == store.read_all()
    with pytest.raises(lc.NotFound):
        service.get(lc.ComplaintId("b-1"))


def test_batch_conflict_writes_nothing(clock: ManualClock) -> None:
    store = InMemoryStore()
    service = ComplaintService(store, PROFILE, REGISTRY, clock=clock)
    other = ComplaintService(store, PROFILE, REGISTRY, clock=clock)
    service.handle(_submit("b-1"), CITIZEN)
    cid = lc.ComplaintId("b-1")

    def work() -> None:
        with service.batch():
            service.handle(_submit("b-2"), CITIZEN)
            service.handle(lc.Forward(complaint_id=cid, agencies=("samarinda",)), NATIONAL)
            other.handle(lc.Classify(complaint_id=cid, title="Judul baru"), NATIONAL)

    with pytest.raises(lc.ConcurrencyConflict):
        work()
    assert () == store.load(lc.ComplaintId("b-2"))
    assert [lc.ComplaintSubmitted, lc.ComplaintClassified] == [type(e) for e in store.load(cid)]


def test_batch_refuses_idempotency_keys_and_nesting(clock: ManualClock) -> None:
    service = ComplaintService(InMemoryStore(), PROFILE, REGISTRY, clock=clock)
    with service.batch():
        with pytest.raises(lc.ValidationError, match="idempotency"):
            service.handle(_submit("b-1", key="k"), CITIZEN)
        with pytest.raises(lc.ValidationError, match="nest"), service.batch():
            pass


def _history(cid: str) -> tuple[lc.Event, ...]:
    """A complaint's past decided with the service's context at historical instants."""
    ctx = lc.Context.create(PROFILE, REGISTRY)
    state: lc.Complaint | None = None
    events: list[lc.Event] = []
    steps: list[tuple[lc.Actor, lc.Command, datetime]] = [
        (CITIZEN, _submit(cid), T0 - timedelta(days=30)),
        (
            NATIONAL,
            lc.Forward(complaint_id=lc.ComplaintId(cid), agencies=("samarinda",)),
            T0 - timedelta(days=29),
        ),
    ]
    for actor, command, at in steps:
        for event in lc.decide(state, command, actor, at, ctx):
            state = lc.evolve(state, event)
            events.append(event)
    return tuple(events)


def test_record_history_stores_a_whole_stream_in_one_write(service: ComplaintService) -> None:
    heard: list[Sequence[lc.Event]] = []
    service.on_events(heard.append)
    events = _history("h-1")
    result = service.record_history(events, idempotency_key="import:h-1")
    assert not result.duplicate
    assert events == result.events
    assert events == service.store.load(lc.ComplaintId("h-1"))
    assert lc.Status.FORWARDED is service.store.get(lc.ComplaintId("h-1")).status
    assert result.complaint == service.get(lc.ComplaintId("h-1"))
    assert [events] == [tuple(batch) for batch in heard]
    again = service.record_history(events, idempotency_key="import:h-1")
    assert again.duplicate
    assert () == again.events
    assert result.complaint == again.complaint
    assert 2 == len(service.store.read_all())


def test_record_history_refusals_write_nothing(service: ComplaintService) -> None:
    service.record_history(_history("h-1"), idempotency_key="import:h-1")
    before = service.store.read_all()
    with pytest.raises(lc.ConcurrencyConflict):
        service.record_history(_history("h-1"))
    with pytest.raises(lc.ValidationError, match="import:h-1"):
        service.record_history(_history("h-2"), idempotency_key="import:h-1")
    with pytest.raises(lc.ValidationError, match="ComplaintSubmitted"):
        service.record_history(_history("h-3")[1:])
    with pytest.raises(lc.ValidationError, match="empty"):
        service.record_history(())
    assert before == service.store.read_all()
    with pytest.raises(lc.NotFound):
        service.get(lc.ComplaintId("h-3"))


class _CountingStore(InMemoryStore):
    """An in-memory store that counts the streams and snapshots it is asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def load(self, complaint_id: lc.ComplaintId) -> tuple[lc.Event, ...]:
        self.reads += 1
        return super().load(complaint_id)

    def load_snapshot(self, complaint_id: lc.ComplaintId) -> lc.Complaint | None:
        self.reads += 1
        return super().load_snapshot(complaint_id)

    def load_latest(
        self, complaint_id: lc.ComplaintId
    ) -> tuple[lc.Complaint | None, tuple[lc.Event, ...]]:
        self.reads += 1
        return super().load_latest(complaint_id)


def test_a_submission_reads_nothing_before_it_writes(clock: ManualClock) -> None:
    """A new complaint's stream is not read: the append at version 0 is the check."""
    store = _CountingStore()
    service = ComplaintService(store, PROFILE, REGISTRY, clock=clock, cache_size=0)
    result = service.handle(_submit("s-1"), CITIZEN)
    assert 0 == store.reads
    assert 1 == result.attempts
    assert result.events == store.load(lc.ComplaintId("s-1"))


def test_a_second_submission_of_a_stored_complaint_is_decided_on_it(clock: ManualClock) -> None:
    """The refused append of an existing stream leads to the stored state's refusal."""
    store = _CountingStore()
    first = ComplaintService(store, PROFILE, REGISTRY, clock=clock)
    first.handle(_submit("s-1"), CITIZEN)
    other = ComplaintService(store, PROFILE, REGISTRY, clock=clock, cache_size=0)
    clock.advance(timedelta(minutes=1))
    with pytest.raises(lc.InvalidTransition, match="Submit is not allowed in status submitted"):
        other.handle(_submit("s-1"), CITIZEN)
    assert store.reads > 0  # the second attempt read the stream
    assert 1 == len(store.load(lc.ComplaintId("s-1")))


def test_one_attempt_only_reads_before_a_submission(clock: ManualClock) -> None:
    """With max_attempts=1 there is no second attempt: the stream is read first."""
    store = _CountingStore()
    ComplaintService(store, PROFILE, REGISTRY, clock=clock).handle(_submit("s-1"), CITIZEN)
    once = ComplaintService(store, PROFILE, REGISTRY, clock=clock, cache_size=0, max_attempts=1)
    with pytest.raises(lc.InvalidTransition, match="Submit is not allowed in status submitted"):
        once.handle(_submit("s-1"), CITIZEN)


def test_a_command_dated_past_the_calendar_is_refused_and_the_complaint_stays_usable(
    service: ComplaintService,
) -> None:
    """A Classify at 9999-12-31 was stored; every later command at a real time was refused."""
    complaint = service.handle(_submit("c-far"), CITIZEN).complaint
    far = datetime(9999, 12, 31, tzinfo=UTC)
    last = service.context.calendar.last_date.isoformat()
    with pytest.raises(lc.CalendarRangeError, match=f"outside the calendar's range .*{last}"):
        service.handle(
            lc.Classify(complaint_id=complaint.id, title="Judul baru"), NATIONAL, now=far
        )
    assert 1 == len(service.store.load(complaint.id))
    with pytest.raises(lc.CalendarRangeError, match="outside the calendar's range"):
        service.handle(_submit("c-early"), CITIZEN, now=datetime(2001, 6, 1, tzinfo=UTC))
    moved = service.handle(lc.Classify(complaint_id=complaint.id, title="Judul baru"), NATIONAL)
    assert "Judul baru" == moved.complaint.content.title


@pytest.mark.parametrize("command", [None, "Submit", 3])
def test_handle_refuses_what_is_not_a_command(service: ComplaintService, command: Any) -> None:
    """``handle(None, actor)`` raised AttributeError (it read the key first)."""
    with pytest.raises(lc.ValidationError, match="not a command"):
        service.handle(command, CITIZEN)


def test_a_cached_service_shows_what_another_writer_changed(tmp_path: Any) -> None:
    """With cache_size, a view kept showing a report another server had made rahasia."""
    from lapor_core.storage import open_store  # noqa: PLC0415

    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    cached = ComplaintService(open_store(url), PROFILE, REGISTRY, cache_size=100)
    other = ComplaintService(open_store(url), PROFILE, REGISTRY)
    try:
        cached.handle(_submit("c-1"), CITIZEN, now=T0)
        assert (
            "Jalan rusak parah."
            == cached.view(lc.ComplaintId("c-1"), lc.Actor.public()).content.body
        )
        secret = lc.Privacy(anonymous=True, confidential=True)
        change = lc.ChangePrivacy(complaint_id=lc.ComplaintId("c-1"), privacy=secret)
        other.handle(change, CITIZEN, now=T0 + timedelta(minutes=1))
        public = lc.Actor.public()
        shown = cached.view(lc.ComplaintId("c-1"), public)
        assert 2 == shown.version
        assert "Jalan rusak parah." not in repr(shown) + repr(cached.history(shown.id, public))
    finally:
        cached.store.close()
        other.store.close()


@pytest.mark.parametrize("skip", [False, True], ids=["stopping", "skipping"])
def test_an_actors_reader_goes_past_a_complaint_it_cannot_rebuild(
    tmp_path: Any, skip: bool
) -> None:
    """One unreadable complaint stopped an actor's reader for good, before the bad event."""
    import sqlite3  # noqa: PLC0415

    from lapor_core.storage import open_store  # noqa: PLC0415

    path = tmp_path / "poison.sqlite3"
    service = ComplaintService(open_store(f"sqlite:///{path}"), PROFILE, REGISTRY)
    for n, cid in enumerate(("c-1", "c-2")):  # positions 1 and 2
        service.handle(_submit(cid), CITIZEN, now=T0 + timedelta(minutes=n))
    for n, cid in enumerate(("c-1", "c-2")):  # positions 3 and 4
        title = lc.Classify(complaint_id=lc.ComplaintId(cid), title="Judul baru")
        service.handle(title, NATIONAL, now=T0 + timedelta(minutes=10 + n))
    with sqlite3.connect(path) as raw:  # c-1's second event, written by a newer release
        raw.execute(
            "UPDATE events SET schema_version = 99 WHERE complaint_id = 'c-1' AND version = 2"
        )
    reader = service.subscription(0, skip_undecodable=skip, actor=NATIONAL)
    seen: list[tuple[str, int]] = []

    def take(stored: StoredEvent) -> None:
        seen.append((stored.complaint_id.value, stored.version))

    try:
        if skip:
            reader.poll(take)
        else:
            with pytest.raises(UndecodableEvent) as stopped:
                reader.poll(take)
            assert 3 == stopped.value.position  # at the event itself, as without an actor
    finally:
        service.store.close()
    if skip:
        assert [("c-2", 1), ("c-2", 2)] == seen  # c-1 cannot be judged: none of its events
        assert 1 == len(reader.skipped)
    else:
        assert [("c-2", 1)] == seen


def test_a_listener_that_raises_neither_fails_the_command_nor_silences_the_others(
    service: ComplaintService, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command was stored, yet handle raised, and the next listener never heard of it."""
    # a logging configuration made by an earlier test may have disabled existing loggers
    monkeypatch.setattr(logging.getLogger("lapor_core.service"), "disabled", False)
    caplog.set_level(logging.ERROR, logger="lapor_core.service")

    def broken(_events: Sequence[lc.Event]) -> None:
        raise RuntimeError("listener boom")

    heard: list[int] = []
    service.on_events(broken)
    service.on_events(lambda events: heard.append(len(events)))
    result = service.handle(_submit("c-1"), CITIZEN)
    assert 1 == result.complaint.version
    assert [1] == heard
    assert "an on_events listener failed" in caplog.text
    assert "listener boom" in caplog.text


@pytest.mark.parametrize(
    ("option", "said"),
    [
        ({"max_attempts": "3"}, "max_attempts must be at least 1"),
        ({"max_attempts": 2.5}, "max_attempts must be at least 1"),
        ({"max_attempts": None}, "max_attempts must be at least 1"),
        ({"max_attempts": True}, "max_attempts must be at least 1"),
        ({"cache_size": 1.5}, "cache_size must not be negative"),
        ({"cache_size": True}, "cache_size must not be negative"),
        ({"clock": object()}, "clock: expected a Clock"),
    ],
)
def test_service_options_of_the_wrong_type_are_refused_when_it_is_made(
    option: dict[str, Any], said: str
) -> None:
    """Each raised a TypeError there, or was taken and failed in the first command."""
    with pytest.raises(lc.ValidationError, match=said):
        ComplaintService(InMemoryStore(), PROFILE, REGISTRY, **option)


@pytest.mark.parametrize("url", ["memory://", "sqlite"])
def test_a_read_by_a_plain_string_id_is_refused_alike_on_every_store(
    url: str, tmp_path: Any
) -> None:
    """Memory said NotFound, SQLite and PostgreSQL raised AttributeError."""
    from lapor_core.storage import open_store  # noqa: PLC0415

    store = open_store(f"sqlite:///{tmp_path / 'ids.sqlite3'}" if url == "sqlite" else url)
    service = ComplaintService(store, PROFILE, REGISTRY)
    try:
        service.handle(_submit("c-1"), CITIZEN, now=T0)
        reads = (
            lambda: service.get("c-1"),  # type: ignore[arg-type]
            lambda: service.view("c-1", NATIONAL),  # type: ignore[arg-type]
            lambda: service.history("c-1", NATIONAL),  # type: ignore[arg-type]
        )
        for read in reads:
            with pytest.raises(
                lc.ValidationError, match="complaint_id must be a ComplaintId, got 'c-1'"
            ):
                read()
    finally:
        store.close()


def test_an_archive_as_duplicate_must_name_a_complaint_the_service_holds(
    service: ComplaintService,
) -> None:
    service.handle(_submit("c-asli"), CITIZEN)
    service.handle(_submit("c-dua"), CITIZEN)
    missing = lc.Archive(
        complaint_id=lc.ComplaintId("c-dua"),
        reason=lc.ArchiveReason.DUPLICATE,
        duplicate_of=lc.ComplaintId("c-tidak-ada"),
    )
    before = service.store.load(lc.ComplaintId("c-dua"))
    with pytest.raises(lc.NotFound, match="c-tidak-ada: no such complaint"):
        service.handle(missing, NATIONAL)
    assert before == service.store.load(lc.ComplaintId("c-dua"))
    archived = service.handle(
        attrs.evolve(missing, duplicate_of=lc.ComplaintId("c-asli")), NATIONAL
    )
    assert lc.Status.ARCHIVED is archived.complaint.status
    assert lc.ComplaintId("c-asli") == archived.complaint.record.duplicate_of


def test_an_archive_as_duplicate_may_name_a_complaint_of_the_same_batch(
    service: ComplaintService,
) -> None:
    with service.batch():
        service.handle(_submit("c-asli"), CITIZEN)
        service.handle(_submit("c-dua"), CITIZEN)
        service.handle(
            lc.Archive(
                complaint_id=lc.ComplaintId("c-dua"),
                reason=lc.ArchiveReason.DUPLICATE,
                duplicate_of=lc.ComplaintId("c-asli"),
            ),
            NATIONAL,
        )
    assert lc.Status.ARCHIVED is service.get(lc.ComplaintId("c-dua")).status


def _archived_as_duplicate(cid: str, original: str) -> tuple[lc.Event, ...]:
    """A history decided elsewhere: submitted, then archived as a duplicate of *original*."""
    ctx = lc.Context.create(PROFILE, REGISTRY)
    events = list(lc.decide(None, _submit(cid), CITIZEN, T0, ctx))
    archive = lc.Archive(
        complaint_id=lc.ComplaintId(cid),
        reason=lc.ArchiveReason.DUPLICATE,
        duplicate_of=lc.ComplaintId(original),
    )
    events += lc.decide(lc.replay(events), archive, NATIONAL, T0, ctx)
    return tuple(events)


def test_a_stored_history_may_not_archive_as_duplicate_of_nothing(
    service: ComplaintService,
) -> None:
    with pytest.raises(lc.NotFound, match="c-tidak-ada: no such complaint"):
        service.record_history(_archived_as_duplicate("c-3", "c-tidak-ada"))
    with pytest.raises(lc.NotFound, match="c-tidak-ada: no such complaint"):
        service.record_histories([History(_archived_as_duplicate("c-4", "c-tidak-ada"))])
    assert (
        () == service.store.load(lc.ComplaintId("c-3")) == service.store.load(lc.ComplaintId("c-4"))
    )
    service.handle(_submit("c-asli"), CITIZEN)
    stored = service.record_history(_archived_as_duplicate("c-3", "c-asli"))
    assert lc.Status.ARCHIVED is stored.complaint.status
    # in one bulk call, the original may be one of the call's own histories
    original = History(lc.decide(None, _submit("c-5"), CITIZEN, T0, service.context))
    both = service.record_histories([original, History(_archived_as_duplicate("c-6", "c-5"))])
    assert [lc.Status.SUBMITTED, lc.Status.ARCHIVED] == [r.complaint.status for r in both]
