"""
ComplaintService under races: idempotent retries always answer, time never runs backwards.

Each race is forced, not hoped for: the store of the service under test has one method
wrapped (on the instance) so that another service commits at exactly the moment the race
needs, on the same store. Every backend runs the idempotency races; PostgreSQL needs
``LAPOR_TEST_POSTGRES_DSN`` (skipped without it, failed under CI).
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest

import lapor_core as lc
from lapor_core.service import ComplaintService, HandleResult, ManualClock
from lapor_core.storage.base import ComplaintRow, ComplaintStore, SnapshotTailStore, StoredEvent
from lapor_core.storage.memory import InMemoryStore
from lapor_core.storage.sqlite import SQLiteStore

PROFILE = lc.load_profile("national")
REGISTRY = lc.load_registry("kaltim")
T0 = datetime(2025, 5, 5, 2, 0, tzinfo=UTC)  # a Monday morning in Samarinda
REPORTER = lc.Reporter(id="pelapor", name="Siti")
CITIZEN = lc.Actor.reporter("pelapor")
NATIONAL = lc.Actor.national_admin("nas")
LIAISON = lc.make_agency_actor(REGISTRY, "lo-smd", lc.Role.LIAISON_OFFICER, "samarinda")
CID = lc.ComplaintId("r-1")
DSN_ENV = "LAPOR_TEST_POSTGRES_DSN"


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ComplaintStore]:
    """A fresh, empty store of each backend (PostgreSQL: a schema of its own, dropped)."""
    kind: str = request.param
    if kind == "memory":
        yield InMemoryStore()
        return
    if kind == "sqlite":
        sqlite = SQLiteStore(tmp_path / "lapor.sqlite3")
        yield sqlite
        sqlite.close()
        return
    dsn = os.environ.get(DSN_ENV)
    if not dsn:
        if os.environ.get("CI"):
            pytest.fail(f"{DSN_ENV} is not set (CI is set: refusing to skip)")
        pytest.skip(f"{DSN_ENV} is not set: PostgreSQL tests need a server")
    from lapor_core.storage.postgres import PostgresStore  # noqa: PLC0415 - optional extra

    postgres = PostgresStore(dsn, schema=f"lapor_test_{uuid.uuid4().hex[:12]}", max_size=4)
    yield postgres
    postgres.close()
    postgres.drop_schema()


def _service(
    store: ComplaintStore, clock: ManualClock | None = None, **options: Any
) -> ComplaintService:
    clock = clock if clock is not None else ManualClock(T0 + timedelta(hours=1))
    return ComplaintService(store, PROFILE, REGISTRY, clock=clock, **options)


def _submit(key: str | None = None) -> lc.Submit:
    return lc.Submit(
        complaint_id=CID,
        content=lc.Content(title="Jalan rusak", body="Jalan di depan pasar rusak parah."),
        kind=lc.Kind.COMPLAINT,
        reporter=REPORTER,
        channel=lc.Channel(lc.ChannelType.REGIONAL_APP, "LAPOR WAL!"),
        region=lc.RegionCode("64.72"),
        idempotency_key=key,
    )


def _forward(key: str | None = None) -> lc.Forward:
    return lc.Forward(complaint_id=CID, agencies=("samarinda",), idempotency_key=key)


def _in_progress(service: ComplaintService) -> None:
    """Submit, forward to Samarinda and post a follow-up, all in the first two minutes."""
    service.handle(_submit(), CITIZEN, now=T0)
    service.handle(_forward(), NATIONAL, now=T0 + timedelta(minutes=1))
    service.handle(
        lc.PostFollowUp(complaint_id=CID, agency="samarinda", text="Sedang ditangani."),
        LIAISON,
        now=T0 + timedelta(minutes=2),
    )


def _once(hook: Callable[[], object]) -> Callable[[], None]:
    """*hook*, run on the first call only (the hook's own store calls must not re-enter it)."""
    fired = False

    def run() -> None:
        nonlocal fired
        if not fired:
            fired = True
            hook()

    return run


def _after_key_check(
    monkeypatch: pytest.MonkeyPatch, store: ComplaintStore, hook: Callable[[], object]
) -> None:
    """Run *hook* once, just after ``store.idempotency`` answered (before any decide)."""
    real = store.idempotency
    run = _once(hook)

    def idempotency(key: str) -> tuple[lc.ComplaintId, int] | None:
        found = real(key)
        run()
        return found

    monkeypatch.setattr(store, "idempotency", idempotency)


def _before_append(
    monkeypatch: pytest.MonkeyPatch, store: ComplaintStore, hook: Callable[[], object]
) -> None:
    """Run *hook* once, just before ``store.append`` writes (after the decide)."""
    real = store.append
    run = _once(hook)

    def append(
        complaint_id: lc.ComplaintId,
        expected_version: int,
        events: Sequence[lc.Event],
        row: ComplaintRow,
        *,
        idempotency_key: str | None = None,
    ) -> tuple[StoredEvent, ...]:
        run()
        return real(complaint_id, expected_version, events, row, idempotency_key=idempotency_key)

    monkeypatch.setattr(store, "append", append)


def _before_load(
    monkeypatch: pytest.MonkeyPatch, store: ComplaintStore, hook: Callable[[], object]
) -> None:
    """Run *hook* once, just before the service reads the stream (``load_latest`` or ``load``)."""
    run = _once(hook)
    real_load = store.load

    def load(complaint_id: lc.ComplaintId) -> tuple[lc.Event, ...]:
        run()
        return real_load(complaint_id)

    monkeypatch.setattr(store, "load", load)
    if isinstance(store, SnapshotTailStore):
        real_latest = store.load_latest

        def load_latest(
            complaint_id: lc.ComplaintId,
        ) -> tuple[lc.Complaint | None, tuple[lc.Event, ...]]:
            run()
            return real_latest(complaint_id)

        monkeypatch.setattr(store, "load_latest", load_latest)


# --------------------------------------------------------------------------- idempotency

COMMANDS: dict[str, tuple[Callable[[str], lc.Command], lc.Actor, bool]] = {
    "submit": (_submit, CITIZEN, False),
    "forward": (_forward, NATIONAL, True),
}
"""A keyed command, who issues it, and whether the complaint must be submitted first."""


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_retry_whose_first_attempt_commits_after_its_key_check_gets_the_first_result(
    store: ComplaintStore, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """The retry's decide would refuse (already submitted / assigned): it answers instead."""
    make, actor, needs_submission = COMMANDS[name]
    if needs_submission:
        _service(store).handle(_submit(), CITIZEN, now=T0)
    first: list[HandleResult] = []
    first_attempt = _service(store)
    _after_key_check(
        monkeypatch,
        store,
        lambda: first.append(first_attempt.handle(make("app-42"), actor)),
    )
    retry = _service(store).handle(make("app-42"), actor)
    assert retry.duplicate
    assert () == retry.events
    assert 1 == len(first)
    assert first[0].complaint == retry.complaint
    assert first[0].events == store.load(CID)[-len(first[0].events) :]
    assert (2 if needs_submission else 1) == len(store.load(CID))


@pytest.mark.parametrize("name", sorted(COMMANDS))
@pytest.mark.parametrize("max_attempts", [1, 5])
def test_retry_whose_first_attempt_commits_before_its_append_gets_the_first_result(
    store: ComplaintStore, monkeypatch: pytest.MonkeyPatch, name: str, max_attempts: int
) -> None:
    """The retry's append conflicts; with no attempt left it still answers, never raises."""
    make, actor, needs_submission = COMMANDS[name]
    if needs_submission:
        _service(store).handle(_submit(), CITIZEN, now=T0)
    first: list[HandleResult] = []
    first_attempt = _service(store)
    _before_append(
        monkeypatch,
        store,
        lambda: first.append(first_attempt.handle(make("app-42"), actor)),
    )
    retry = _service(store, max_attempts=max_attempts).handle(make("app-42"), actor)
    assert retry.duplicate
    assert () == retry.events
    assert 1 == len(first)
    assert first[0].complaint == retry.complaint
    assert (2 if needs_submission else 1) == len(store.load(CID))


def test_retry_with_a_stale_cached_state_gets_the_first_result(
    store: ComplaintStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cached state from before the first attempt decides, conflicts, then answers."""
    retrying = _service(store, cache_size=8, max_attempts=1)
    retrying.handle(_submit(), CITIZEN, now=T0)  # cached at version 1
    first: list[HandleResult] = []
    first_attempt = _service(store)
    _after_key_check(
        monkeypatch,
        store,
        lambda: first.append(first_attempt.handle(_forward("app-42"), NATIONAL)),
    )
    retry = retrying.handle(_forward("app-42"), NATIONAL)
    assert retry.duplicate
    assert 1 == len(first)
    assert first[0].complaint == retry.complaint
    assert 2 == len(store.load(CID))


def test_keyed_command_refused_on_its_own_merits_is_still_refused(
    store: ComplaintStore,
) -> None:
    """Looking the key up again never turns a real refusal into a success."""
    service = _service(store)
    service.handle(_submit(), CITIZEN, now=T0)
    with pytest.raises(lc.PermissionDenied):
        service.handle(_forward("app-42"), CITIZEN)
    assert store.idempotency("app-42") is None
    assert 1 == len(store.load(CID))


def test_key_recorded_for_another_complaint_during_the_race_is_refused(
    store: ComplaintStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key that turns up after a refusal names another complaint: that is the error."""
    other = _service(store)
    other.handle(_submit(), CITIZEN, now=T0)
    elsewhere = lc.Submit(
        complaint_id=lc.ComplaintId("r-2"),
        content=lc.Content(title="Lampu mati", body="Lampu jalan mati."),
        kind=lc.Kind.COMPLAINT,
        reporter=REPORTER,
        channel=lc.Channel(lc.ChannelType.WEB),
        region=lc.RegionCode("64.72"),
        idempotency_key="app-42",
    )
    _after_key_check(monkeypatch, store, lambda: other.handle(elsewhere, CITIZEN))
    with pytest.raises(lc.ValidationError, match="app-42"):
        _service(store).handle(_submit("app-42"), CITIZEN)


def test_threads_retrying_one_keyed_submission_all_get_the_first_result(
    store: ComplaintStore,
) -> None:
    """Four app threads send the same keyed submission at once, 20 times: one writes."""
    threads, rounds = 4, 20
    services = [_service(store) for _ in range(threads)]
    start = threading.Barrier(threads)
    results: list[tuple[int, HandleResult]] = []
    errors: list[BaseException] = []

    def work(service: ComplaintService) -> None:
        try:
            for round_ in range(rounds):
                command = attrs.evolve(
                    _submit(f"app-{round_}"), complaint_id=lc.ComplaintId(f"r-{round_}")
                )
                start.wait(30)
                results.append((round_, service.handle(command, CITIZEN)))
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
            start.abort()

    workers = [threading.Thread(target=work, args=(s,)) for s in services]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [] == errors
    for round_ in range(rounds):
        mine = [r for n, r in results if n == round_]
        assert [False] + [True] * (threads - 1) == sorted(r.duplicate for r in mine)
        assert 1 == len({r.complaint for r in mine})
        assert 1 == len(store.load(lc.ComplaintId(f"r-{round_}")))


# --------------------------------------------------------------------------- time


def test_writer_committing_between_clock_read_and_load_does_not_refuse(
    store: ComplaintStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The clock is read after the load, so the other writer's later event is seen first."""
    clock = ManualClock(T0 + timedelta(hours=1))
    _in_progress(_service(store))
    writer = _service(store, clock)

    def other_writer() -> None:
        clock.advance(timedelta(hours=1))  # far beyond any skew allowance
        writer.handle(lc.Reply(complaint_id=CID, text="Masih rusak."), CITIZEN)

    _before_load(monkeypatch, store, other_writer)
    result = _service(store, clock).handle(
        lc.Reply(complaint_id=CID, text="Tolong segera."), CITIZEN
    )
    assert T0 + timedelta(hours=2) == result.events[0].at
    assert ["Masih rusak.", "Tolong segera."] == [
        e.text for e in store.load(CID) if isinstance(e, lc.ReplyPosted)
    ]


def _ahead_writer_replied(store: ComplaintStore, ahead: timedelta) -> datetime:
    """A complaint in progress, then a reply by a server whose clock is *ahead*; its instant."""
    _in_progress(_service(store))
    at = T0 + timedelta(hours=1) + ahead
    _service(store, ManualClock(at)).handle(lc.Reply(complaint_id=CID, text="Dari A."), CITIZEN)
    return at


def test_clock_behind_the_last_event_within_the_skew_decides_at_that_event() -> None:
    """A server 2 minutes behind another (default skew 5 minutes) is not refused."""
    store = InMemoryStore()
    last = _ahead_writer_replied(store, timedelta(minutes=2))
    result = _service(store).handle(lc.Reply(complaint_id=CID, text="Dari B."), CITIZEN)
    assert last == result.events[0].at
    assert last == result.complaint.updated_at
    assert timedelta(minutes=5) == _service(store).max_clock_skew


def test_clock_behind_the_last_event_beyond_the_skew_is_refused() -> None:
    """Ten minutes behind is more than the default five: refused, nothing stored."""
    store = InMemoryStore()
    _ahead_writer_replied(store, timedelta(minutes=10))
    before = store.load(CID)
    with pytest.raises(lc.ValidationError, match="before the complaint's last event"):
        _service(store).handle(lc.Reply(complaint_id=CID, text="Dari B."), CITIZEN)
    assert before == store.load(CID)


def test_max_clock_skew_is_configurable() -> None:
    """A wider allowance accepts ten minutes; none at all refuses one second."""
    store = InMemoryStore()
    last = _ahead_writer_replied(store, timedelta(minutes=10))
    wide = _service(store, max_clock_skew=timedelta(minutes=15))
    assert last == wide.handle(lc.Reply(complaint_id=CID, text="B."), CITIZEN).events[0].at
    strict = _service(store, ManualClock(last - timedelta(seconds=1)), max_clock_skew=timedelta(0))
    with pytest.raises(lc.ValidationError, match="before the complaint's last event"):
        strict.handle(lc.Reply(complaint_id=CID, text="C."), CITIZEN)


def test_explicit_now_before_the_last_event_is_never_adjusted() -> None:
    """A caller's own instant is its statement: one second in the past is refused."""
    store = InMemoryStore()
    last = _ahead_writer_replied(store, timedelta(0))
    service = _service(store)
    for now in (last - timedelta(seconds=1), last - timedelta(days=30)):
        with pytest.raises(lc.ValidationError, match="before the complaint's last event"):
            service.handle(lc.Reply(complaint_id=CID, text="Lama."), CITIZEN, now=now)
    assert 4 == len(store.load(CID))


@pytest.mark.parametrize("skew", [timedelta(seconds=-1), 300])
def test_max_clock_skew_must_be_a_non_negative_timedelta(skew: object) -> None:
    with pytest.raises(lc.ValidationError, match="max_clock_skew"):
        _service(InMemoryStore(), max_clock_skew=skew)
