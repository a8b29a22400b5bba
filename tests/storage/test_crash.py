"""
A writer killed with SIGKILL mid-loop leaves a store that opens, replays and keeps going.

A real subprocess writes complaints through :class:`ComplaintService` and prints an
acknowledgement (complaint id and version) after each committed command; the test kills
it after some acknowledgements and a random delay, then checks the store: it opens (SQLite
passes ``PRAGMA integrity_check``), every acknowledged command is there, every stream
replays to its projection row, and no multi-event append (an automatic close: breach and
close) was cut in half. A second writer then continues on the same store and is killed in
turn.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import attrs
import pytest
from storage_worker import PROFILE, backend, open_spec, service_for, worker_command

from lapor_core import (
    ClockBreached,
    ComplaintClosed,
    ComplaintId,
    replay,
)
from lapor_core.domain.clocks import BreachAction
from lapor_core.storage.base import (
    ComplaintQuery,
    ComplaintRow,
    ComplaintStore,
    StoredEvent,
    project,
)

pytestmark = pytest.mark.slow

MIN_ACKS = 25
ROUNDS = 3
TIMEOUT = 60  # seconds to wait for a worker's acknowledgements


def _all_rows(store: ComplaintStore) -> list[ComplaintRow]:
    rows: list[ComplaintRow] = []
    query = ComplaintQuery(limit=1000)
    while True:
        page = store.query(query)
        rows.extend(page.items)
        if page.next_cursor is None:
            return rows
        query = attrs.evolve(query, cursor=page.next_cursor)


def _kill_after_acks(spec: dict[str, str], prefix: str, rng: random.Random) -> list[str]:
    """Run the crash loop, SIGKILL it mid-loop; return every acknowledgement line it printed."""
    process = subprocess.Popen(  # noqa: S603 - our own worker script, fixed arguments
        worker_command("crash", spec, prefix),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + TIMEOUT
    try:
        while len(lines) < MIN_ACKS + 1 and time.monotonic() < deadline:  # READY + acks
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
        assert process.poll() is None, f"the writer stopped early: {process.stderr}"
        time.sleep(rng.uniform(0, 0.3))
    finally:
        process.send_signal(signal.SIGKILL)
        rest, err = process.communicate(timeout=TIMEOUT)
    assert -signal.SIGKILL == process.returncode, err
    acks = [line for line in [*lines, *rest.splitlines(keepends=True)] if line.startswith("ACK")]
    assert len(acks) >= MIN_ACKS, err
    return acks


def check_after_crash(store: ComplaintStore, acks: list[str]) -> int:
    """The invariants a crash must not break; returns the number of complaints."""
    service = service_for(store)
    acknowledged: dict[str, int] = {}
    for line in acks:
        _ack, cid, version = line.split()
        acknowledged[cid] = max(acknowledged.get(cid, 0), int(version))
    rows = {row.id.value: row for row in _all_rows(store)}
    assert set(acknowledged) <= set(rows), "an acknowledged complaint is missing"
    auto_closed = 0
    for cid, row in rows.items():
        stream = store.load(ComplaintId(cid))
        assert len(stream) >= acknowledged.get(cid, 0), f"{cid}: acknowledged events lost"
        state = replay(stream)
        assert len(stream) == state.version == row.version
        assert state.status is row.status
        assert project(state, service.calendar, PROFILE.clocks) == row
        for position, event in enumerate(stream):
            if isinstance(event, ClockBreached) and event.action is BreachAction.AUTO_CLOSE:
                auto_closed += 1
                following = stream[position + 1 : position + 2]
                assert following, f"{cid}: the automatic close was cut in half"
                assert isinstance(following[0], ComplaintClosed)
                assert following[0].automatic
    assert auto_closed, "the loop never reached an automatic close: the test proves little"
    versions: dict[ComplaintId, list[int]] = {}
    log: list[StoredEvent] = []
    while page := store.read_all(log[-1].position if log else 0, 500):
        log.extend(page)
    positions = [s.position for s in log]
    assert positions == sorted(set(positions))
    for stored in log:
        versions.setdefault(stored.complaint_id, []).append(stored.version)
    assert {ComplaintId(c) for c in rows} == set(versions)
    for complaint_id, found in versions.items():
        assert list(range(1, len(found) + 1)) == found, complaint_id
    return len(rows)


def _integrity(path: str) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_killed_writer_leaves_a_consistent_store(kind: str, tmp_path: Path) -> None:
    rng = random.Random(20250505)  # noqa: S311 - a reproducible delay, not crypto
    with backend(kind, tmp_path) as (spec, store):
        assert spec is not None
        store.close()  # only the writer touches the store while it runs
        acks: list[str] = []
        complaints = 0
        for round_ in range(ROUNDS):
            acks += _kill_after_acks(spec, f"r{round_}", rng)
            if kind == "sqlite":
                assert "ok" == _integrity(spec["path"])
            reopened = open_spec(spec)
            try:
                now = check_after_crash(reopened, acks)
            finally:
                reopened.close()
            assert now > complaints  # the second writer wrote on after the first crash
            complaints = now
