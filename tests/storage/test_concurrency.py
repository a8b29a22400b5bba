"""
Several writers and several sweepers on one store: nothing lost, duplicated or done twice.

Threads share one store object (every backend); processes share one SQLite file or one
PostgreSQL schema. Workers report every command's outcome; the store must hold exactly
the acknowledged commands' events, in gap-free streams, with matching projection rows and
a global log that covers every event once in increasing positions.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import threading
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from storage_worker import (
    CITIZEN,
    NATIONAL,
    PROFILE,
    T0,
    backend,
    in_progress,
    marker_of,
    run_hammer,
    service_for,
    submit,
    worker_command,
)

from lapor_core import (
    Classify,
    ClockBreached,
    ClockWarned,
    ComplaintArchived,
    ComplaintClosed,
    ComplaintId,
    Event,
    Forward,
    RequestInformation,
    Role,
    Status,
    replay,
)
from lapor_core.service import ComplaintService, SweepReport
from lapor_core.storage.base import ComplaintQuery, ComplaintStore, StoredEvent, project
from lapor_core.storage.memory import InMemoryStore

CIDS = ("h-0", "h-1", "h-2")
SETUP_EVENTS = 3  # submitted, forwarded, followed up
THREADS = 4
PROCESSES = 3
COMMANDS_PER_WORKER = 25
WORKER_TIMEOUT = 120  # seconds: a hung worker fails the test instead of hanging it


def read_everything(store: ComplaintStore) -> list[StoredEvent]:
    """The whole global log, in small pages (so paging by position is exercised too)."""
    out: list[StoredEvent] = []
    after = 0
    while True:
        page = store.read_all(after, 7)
        if not page:
            return out
        out.extend(page)
        after = page[-1].position


def check_log(store: ComplaintStore, cids: Sequence[str]) -> dict[str, tuple[Event, ...]]:
    """
    Streams are gap-free, rows match the replayed streams, the log covers each event once.

    Returns every stream by complaint id.
    """
    log = read_everything(store)
    positions = [s.position for s in log]
    assert all(a < b for a, b in itertools.pairwise(positions))
    service = service_for(store)
    streams: dict[str, tuple[Event, ...]] = {}
    for cid in cids:
        complaint_id = ComplaintId(cid)
        stream = store.load(complaint_id)
        in_log = [s for s in log if s.complaint_id == complaint_id]
        assert list(range(1, len(stream) + 1)) == [s.version for s in in_log]
        assert list(stream) == [s.event for s in in_log]
        state = replay(stream)
        assert len(stream) == state.version
        row = store.get(complaint_id)
        assert len(stream) == row.version
        assert project(state, service.calendar, PROFILE.clocks) == row
        streams[cid] = stream
    assert {ComplaintId(c) for c in cids} == {s.complaint_id for s in log}
    assert sum(len(s) for s in streams.values()) == len(log)
    return streams


def check_hammer(store: ComplaintStore, outcomes: Sequence[dict[str, Any]]) -> None:
    """Every acknowledged command's event is stored exactly once; no refused one is."""
    markers = [o["marker"] for o in outcomes]
    assert len(markers) == len(set(markers))
    acked = [o for o in outcomes if o["ok"]]
    refused = [o for o in outcomes if not o["ok"]]
    assert acked
    assert refused  # strangers' replies and citizens' classifications are always refused
    assert all(o["ok"] is False for o in outcomes if o["kind"].endswith("by_citizen"))
    assert all(o["ok"] is False for o in outcomes if o["kind"].endswith("by_stranger"))
    streams = check_log(store, CIDS)
    for cid, stream in streams.items():
        stored = [m for m in map(marker_of, stream) if m is not None]
        assert len(stored) == len(set(stored)), "an event was stored twice"
        expected = {o["marker"] for o in acked if o["cid"] == cid}
        assert expected == set(stored), (
            "an acknowledged command is missing, or a refused one landed"
        )
        added = sum(o["events"] for o in acked if o["cid"] == cid)
        assert SETUP_EVENTS + added == len(stream)


def _prepare(store: ComplaintStore) -> None:
    setup = service_for(store)
    for cid in CIDS:
        in_progress(setup, cid)


@pytest.mark.parametrize("kind", ["memory", "sqlite", "postgres"])
def test_threads_hammering_few_complaints_lose_and_duplicate_nothing(
    kind: str, tmp_path: Path
) -> None:
    with backend(kind, tmp_path) as (_spec, store):
        _prepare(store)
        outcomes: list[dict[str, Any]] = []
        errors: list[BaseException] = []
        start = threading.Barrier(THREADS)

        def work(worker: int) -> None:
            try:
                service = service_for(store, cache_size=8)
                start.wait()
                outcomes.extend(run_hammer(service, worker, COMMANDS_PER_WORKER, CIDS, worker))
            except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(w,)) for w in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(WORKER_TIMEOUT)
        assert [] == errors
        assert THREADS * COMMANDS_PER_WORKER == len(outcomes)
        check_hammer(store, outcomes)


def _spawn(mode: str, spec: dict[str, str], *args: object) -> subprocess.Popen[str]:
    process = subprocess.Popen(  # noqa: S603 - our own worker script, fixed arguments
        worker_command(mode, spec, *args),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    ready = process.stdout.readline()
    if ready != "READY\n":
        process.kill()
        _out, err = process.communicate(timeout=WORKER_TIMEOUT)
        pytest.fail(f"worker {mode} did not start: {ready!r}\n{err}")
    return process


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_processes_hammering_few_complaints_lose_and_duplicate_nothing(
    kind: str, tmp_path: Path
) -> None:
    with backend(kind, tmp_path) as (spec, store):
        assert spec is not None
        _prepare(store)
        workers = [
            _spawn("hammer", spec, w, COMMANDS_PER_WORKER, 100 + w) for w in range(PROCESSES)
        ]
        for process in workers:  # all are ready: start them together
            assert process.stdin is not None
            process.stdin.write(json.dumps(CIDS) + "\n")
            process.stdin.flush()
        outcomes: list[dict[str, Any]] = []
        for process in workers:
            out, err = process.communicate(timeout=WORKER_TIMEOUT)
            assert 0 == process.returncode, err
            outcomes.extend(json.loads(line) for line in out.splitlines())
        assert PROCESSES * COMMANDS_PER_WORKER == len(outcomes)
        check_hammer(store, outcomes)


# --------------------------------------------------------------------------- sweepers

SWEEP_INSTANTS = tuple(
    T0 + delta
    for delta in (
        timedelta(days=1),
        timedelta(days=2),
        timedelta(days=4),
        timedelta(days=10),
        timedelta(days=25),
        timedelta(days=45),
        timedelta(days=90),
    )
)
"""Warnings come due first, then breaches, automatic closes and withdrawals."""


def _sweep_scenario(store: ComplaintStore) -> list[str]:
    """Complaints in every open status, all started at T0; returns their ids."""
    service = service_for(store)
    cids: list[str] = []
    for k in range(2):
        new = f"sw-new-{k}"
        service.handle(submit(new), CITIZEN, now=T0)
        forwarded = f"sw-fwd-{k}"
        service.handle(submit(forwarded, category=None), CITIZEN, now=T0)
        service.handle(
            Forward(complaint_id=ComplaintId(forwarded), agencies=("samarinda", "kaltim.pupr")),
            NATIONAL,
            now=T0 + timedelta(minutes=1),
        )
        progress = f"sw-prog-{k}"
        in_progress(service, progress)
        held = f"sw-hold-{k}"
        service.handle(submit(held), CITIZEN, now=T0)
        service.handle(
            RequestInformation(complaint_id=ComplaintId(held), question="Di mana?"),
            NATIONAL,
            now=T0 + timedelta(minutes=1),
        )
        cids += [new, forwarded, progress, held]
    return cids


def clock_keys(stream: Sequence[Event]) -> list[tuple[object, ...]]:
    """The sweeper's footprint in a stream: each clock event as a comparable key."""
    keys: list[tuple[object, ...]] = []
    for event in stream:
        if isinstance(event, ClockWarned):
            keys.append(("warned", event.clock, event.agency, event.threshold))
        elif isinstance(event, ClockBreached):
            keys.append(("breached", event.clock, event.agency))
        elif isinstance(event, ComplaintClosed) and event.automatic:
            keys.append(("closed automatically",))
        elif isinstance(event, ComplaintArchived) and event.actor.role is Role.SYSTEM:
            keys.append(("archived as withdrawn",))
    return keys


def _reference() -> dict[str, list[tuple[object, ...]]]:
    """The clock events one sweeper alone writes for the scenario."""
    store = InMemoryStore()
    cids = _sweep_scenario(store)
    service = service_for(store)
    for instant in SWEEP_INSTANTS:
        service.sweep(instant)
    return {cid: clock_keys(store.load(ComplaintId(cid))) for cid in cids}


def _due_left(store: ComplaintStore, instant: datetime) -> list[str]:
    return [r.id.value for r in store.query(ComplaintQuery(due_before=instant)).items]


def check_sweeps(store: ComplaintStore, cids: Sequence[str], emitted: int) -> None:
    """Each clock event exactly once, as one sweeper alone would write them."""
    reference = _reference()
    kinds = {key[0] for keys in reference.values() for key in keys}
    assert {"warned", "breached", "closed automatically", "archived as withdrawn"} <= kinds
    streams = check_log(store, cids)
    for cid, stream in streams.items():
        keys = clock_keys(stream)
        assert len(keys) == len(set(keys)), f"{cid}: a clock event happened twice: {keys}"
        assert Counter(reference[cid]) == Counter(keys), cid
    setup = len(read_everything(_reference_store()))
    assert sum(len(s) for s in streams.values()) - setup == emitted


def _reference_store() -> ComplaintStore:
    store = InMemoryStore()
    _sweep_scenario(store)
    return store


def _emitted(reports: Sequence[SweepReport]) -> int:
    return sum(len(r.events) for r in reports)


@pytest.mark.parametrize("kind", ["memory", "sqlite", "postgres"])
def test_two_sweeper_threads_issue_each_clock_event_once(kind: str, tmp_path: Path) -> None:
    with backend(kind, tmp_path) as (_spec, store):
        cids = _sweep_scenario(store)
        reports: list[SweepReport] = []
        left: list[tuple[datetime, list[str]]] = []
        errors: list[BaseException] = []
        rounds = threading.Barrier(2)

        def sweeper(name: str) -> None:
            service: ComplaintService = service_for(store)
            try:
                for instant in SWEEP_INSTANTS:
                    rounds.wait(WORKER_TIMEOUT)
                    reports.append(service.sweep(instant, claimant=name, batch=2))
                    if rounds.wait(WORKER_TIMEOUT) == 0:  # both done: one checks the round
                        left.append((instant, _due_left(store, instant)))
            except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)
                rounds.abort()

        threads = [threading.Thread(target=sweeper, args=(n,)) for n in ("sapu-a", "sapu-b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(WORKER_TIMEOUT)
        assert [] == errors
        assert [(i, []) for i in SWEEP_INSTANTS] == sorted(left)
        check_sweeps(store, cids, _emitted(reports))


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_two_sweeper_processes_issue_each_clock_event_once(kind: str, tmp_path: Path) -> None:
    with backend(kind, tmp_path) as (spec, store):
        assert spec is not None
        cids = _sweep_scenario(store)
        sweepers = [_spawn("sweep", spec, name) for name in ("sapu-a", "sapu-b")]
        emitted = 0
        try:
            for instant in SWEEP_INSTANTS:
                for process in sweepers:
                    assert process.stdin is not None
                    process.stdin.write(instant.isoformat() + "\n")
                    process.stdin.flush()
                for process in sweepers:
                    assert process.stdout is not None
                    line = process.stdout.readline()
                    assert line, "a sweeper died"
                    emitted += json.loads(line)["events"]
                assert [] == _due_left(store, instant)
        finally:  # end of input: the sweepers exit
            ended = [process.communicate(timeout=WORKER_TIMEOUT) for process in sweepers]
        for process, (_out, err) in zip(sweepers, ended, strict=True):
            assert 0 == process.returncode, err
        check_sweeps(store, cids, emitted)


def test_sweeper_behind_a_later_writer_skips_the_complaint_instead_of_aborting() -> None:
    """A sweep's instant may trail a concurrent writer's clock: skip, and catch up later."""
    store = InMemoryStore()
    service = service_for(store)
    for cid in ("late-0", "late-1"):
        in_progress(service, cid)
    instant = T0 + timedelta(days=30)  # both reply windows have run out
    service.handle(  # not the reporter's reply: the window for it ran out
        Classify(complaint_id=ComplaintId("late-0"), title="Jalan berlubang di pasar"),
        NATIONAL,
        now=instant + timedelta(seconds=1),  # a writer whose clock is a second ahead
    )
    report = service.sweep(instant)
    assert 2 == report.skipped  # late-0's reply-window breach and its automatic close
    assert Status.IN_PROGRESS is store.get(ComplaintId("late-0")).status
    assert store.get(ComplaintId("late-1")).closed_automatically
    service.sweep(instant + timedelta(days=30))
    assert store.get(ComplaintId("late-0")).closed_automatically
