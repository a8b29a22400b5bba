"""Snapshots keep long streams cheap; the read bounds of read_all and subscriptions."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
import pytest

import lapor_core as lc
from lapor_core.domain.complaint import replay
from lapor_core.errors import CorruptStream
from lapor_core.service import ComplaintService, Subscription
from lapor_core.storage import snapshots
from lapor_core.storage.base import ComplaintStore, SnapshotStore
from lapor_core.storage.codec import CODEC, Codec
from lapor_core.storage.memory import InMemoryStore
from lapor_core.storage.sqlite import SQLiteStore
from lapor_core.storage.support import MAX_POSITION, READ_ALL_MAX_LIMIT

PROFILE = lc.load_profile("national")
REGISTRY = lc.load_registry("kaltim")
T0 = datetime(2025, 5, 5, 2, 0, tzinfo=UTC)
NATIONAL = lc.Actor.national_admin("nas")
CID = lc.ComplaintId("snap-c")


def _submit() -> lc.Submit:
    return lc.Submit(
        complaint_id=CID,
        content=lc.Content(title="Jalan rusak", body="Jalan rusak parah."),
        kind=lc.Kind.COMPLAINT,
        reporter=lc.Reporter(id="pelapor", name="Siti"),
        channel=lc.Channel(lc.ChannelType.WEB),
        region=lc.RegionCode("64.72"),
    )


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ComplaintStore]:
    made: ComplaintStore = (
        InMemoryStore() if request.param == "memory" else SQLiteStore(tmp_path / "s.sqlite3")
    )
    yield made
    made.close()


def _snap(store: ComplaintStore) -> SnapshotStore:
    assert isinstance(store, SnapshotStore)
    return store


def _drive(service: ComplaintService, commands: int) -> None:
    service.handle(_submit(), lc.Actor.reporter("pelapor"), now=T0)
    for n in range(commands):
        title = f"Judul {n}"
        service.handle(
            lc.Classify(complaint_id=CID, title=title), NATIONAL, now=T0 + timedelta(minutes=n + 1)
        )


def test_the_service_snapshots_every_n_events(store: ComplaintStore) -> None:
    """After each multiple of snapshot_every a snapshot exists; get equals a full replay."""
    service = ComplaintService(store, PROFILE, REGISTRY, snapshot_every=10)
    _drive(service, 24)  # 25 events
    found = _snap(store).load_snapshot(CID)
    assert found is not None
    assert 20 == found.version
    assert replay(store.load(CID)) == service.get(CID)


def test_a_long_load_saves_a_snapshot(store: ComplaintStore) -> None:
    """A load that replays snapshot_every events or more leaves a snapshot behind."""
    _drive(ComplaintService(store, PROFILE, REGISTRY, snapshot_every=0), 30)
    assert _snap(store).load_snapshot(CID) is None
    reader = ComplaintService(store, PROFILE, REGISTRY, snapshot_every=10)
    state = reader.get(CID)
    assert 31 == state.version
    assert state == _snap(store).load_snapshot(CID)
    assert replay(store.load(CID)) == reader.get(CID)


def test_commands_decide_on_the_snapshot_and_its_tail(store: ComplaintStore) -> None:
    """Commands after a snapshot see the same state as a full replay would."""
    service = ComplaintService(store, PROFILE, REGISTRY, snapshot_every=3)
    _drive(service, 10)
    service.handle(
        lc.Forward(complaint_id=CID, agencies=("samarinda",)), NATIONAL, now=T0 + timedelta(hours=1)
    )
    full = replay(store.load(CID))
    assert full == service.get(CID)
    assert ("samarinda",) == tuple(a.agency for a in full.assignments)


def test_a_snapshot_of_an_older_state_schema_is_ignored(
    store: ComplaintStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With another fingerprint (a changed state schema) the stream is replayed again."""
    service = ComplaintService(store, PROFILE, REGISTRY, snapshot_every=5)
    _drive(service, 12)
    monkeypatch.setattr(snapshots, "_SHAPE", snapshots._SHAPE + "\nchanged")
    assert _snap(store).load_snapshot(CID) is None
    assert replay(store.load(CID)) == service.get(CID)
    assert _snap(store).load_snapshot(CID) is not None


def test_an_upcaster_changes_the_fingerprint() -> None:
    """Registering an upcaster (or changing its code) gives snapshots a new fingerprint."""
    codec = Codec()
    before = snapshots.fingerprint(codec)
    assert before == snapshots.fingerprint(Codec())
    codec.register_upcaster("ComplaintRated", 0, lambda data: data)
    assert before != snapshots.fingerprint(codec)


def test_snapshot_every_must_be_a_count() -> None:
    """A negative or non-int snapshot_every is a ValidationError."""
    for bad in (-1, 1.5, True):
        with pytest.raises(lc.ValidationError, match="snapshot_every"):
            ComplaintService(InMemoryStore(), PROFILE, REGISTRY, snapshot_every=bad)  # type: ignore[arg-type]


def test_an_existing_file_gets_the_snapshots_table(tmp_path: Path) -> None:
    """A file made before snapshots existed gains the table when it is opened."""
    path = tmp_path / "old.sqlite3"
    SQLiteStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE snapshots")
    conn.commit()
    conn.close()
    store = SQLiteStore(path)
    try:
        service = ComplaintService(store, PROFILE, REGISTRY, snapshot_every=2)
        _drive(service, 3)
        assert store.load_snapshot(CID) is not None
    finally:
        store.close()


# ------------------------------------------------------------------- read bounds


@pytest.mark.parametrize("batch", [0, READ_ALL_MAX_LIMIT + 1, 10**12])
def test_a_subscription_refuses_an_unbounded_batch(batch: int) -> None:
    """A subscription's batch is bounded like read_all's limit."""
    with pytest.raises(lc.ValidationError, match="batch must be an int from 1 to"):
        Subscription(InMemoryStore(), batch=batch)


@pytest.mark.parametrize("position", [-1, MAX_POSITION + 1, 2**70])
def test_a_subscription_refuses_a_position_out_of_range(position: int) -> None:
    """A position no store can hold is a ValidationError, not an OverflowError later."""
    with pytest.raises(lc.ValidationError, match="after must be a position"):
        Subscription(InMemoryStore(), position)


def test_read_all_after_2_to_the_70_is_a_lapor_error(store: ComplaintStore) -> None:
    """The reported failure: read_all(after=2**70) raised OverflowError on SQLite."""
    with pytest.raises(lc.LaporError, match="after must be a position"):
        store.read_all(after=2**70)
    with pytest.raises(lc.ValidationError, match="limit must be an int from 1 to"):
        store.read_all(0, 10**12)


def test_registering_an_upcaster_invalidates_stored_snapshots(
    store: ComplaintStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new upcaster on the codec the stores use makes their snapshots unusable."""
    service = ComplaintService(store, PROFILE, REGISTRY, snapshot_every=5)
    _drive(service, 6)
    assert _snap(store).load_snapshot(CID) is not None
    # the codec's registry, patched for this test only (register_upcaster cannot be undone)
    monkeypatch.setitem(CODEC._upcasters, ("ComplaintRated", 0), lambda data: data)
    monkeypatch.setattr(CODEC, "_revision", CODEC.revision + 1)  # as register_upcaster does
    assert _snap(store).load_snapshot(CID) is None
    assert replay(store.load(CID)) == service.get(CID)


def test_a_gap_after_the_snapshot_is_a_corrupt_stream(tmp_path: Path) -> None:
    """The events after a snapshot are checked for gaps, like a full load."""
    store = SQLiteStore(tmp_path / "gap.sqlite3")
    try:
        service = ComplaintService(store, PROFILE, REGISTRY, snapshot_every=5)
        _drive(service, 8)  # 9 events, a snapshot at 5
        conn = sqlite3.connect(store.path)
        conn.execute("DELETE FROM events WHERE complaint_id = ? AND version = 7", (CID.value,))
        conn.commit()
        conn.close()
        with pytest.raises(CorruptStream, match="version 7 is missing"):
            service.get(CID)
    finally:
        store.close()


def test_an_unreadable_snapshot_is_read_past_in_one_read_as_in_two(tmp_path: Path) -> None:
    """load_latest ignores a snapshot it cannot decode, as load_snapshot does."""
    store = SQLiteStore(tmp_path / "unreadable.sqlite3")
    try:
        service = ComplaintService(store, PROFILE, REGISTRY, snapshot_every=5)
        _drive(service, 8)  # 9 events, a snapshot at 5
        assert store.load_latest(CID)[0] is not None
        conn = sqlite3.connect(store.path)
        conn.execute('UPDATE snapshots SET state = \'{"not": "a state"}\'')
        conn.commit()
        conn.close()
        assert store.load_snapshot(CID) is None
        assert store.load_latest(CID) == (None, store.load(CID))
        assert replay(store.load(CID)) == ComplaintService(store, PROFILE, REGISTRY).get(CID)
    finally:
        store.close()


def test_the_service_reads_a_snapshot_and_its_tail_in_one_read(
    store: ComplaintStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An uncached load is one load_latest: neither load_snapshot nor load is asked."""
    _drive(ComplaintService(store, PROFILE, REGISTRY, snapshot_every=5), 8)
    asked: list[str] = []
    for name in ("load_snapshot", "load", "load_after", "load_latest"):
        real = getattr(store, name)

        def spy(*args: object, _real: object = real, _name: str = name) -> object:
            asked.append(_name)
            return _real(*args)  # type: ignore[operator]

        monkeypatch.setattr(store, name, spy)
    fresh = ComplaintService(store, PROFILE, REGISTRY, snapshot_every=5, cache_size=0)
    state = fresh.get(CID)
    assert asked == ["load_latest"]
    assert replay(store.load(CID)) == state


Tamper = Callable[[lc.Complaint, int], tuple[lc.Complaint, int]]
"""A snapshot's new state and version, from its state and version."""


def _tampered(tmp_path: Path, change: Tamper) -> SQLiteStore:
    """A store whose snapshot of CID (at 5 of 9 events) is rewritten by *change*."""
    store = SQLiteStore(tmp_path / "tampered.sqlite3")
    _drive(ComplaintService(store, PROFILE, REGISTRY, snapshot_every=5), 8)
    state = _snap(store).load_snapshot(CID)
    assert state is not None
    assert state.version == 5
    written, version = change(state, state.version)
    conn = sqlite3.connect(store.path)
    conn.execute(
        "UPDATE snapshots SET state = ?, version = ? WHERE complaint_id = ?",
        (snapshots.encode_state(written), version, CID.value),
    )
    conn.commit()
    conn.close()
    return store


@pytest.mark.parametrize(
    "change",
    [
        lambda state, version: (state, version - 1),  # the row's version is not the state's
        lambda state, version: (attrs.evolve(state, id=lc.ComplaintId("snap-other")), version),
    ],
    ids=["another-version", "another-complaint"],
)
def test_a_snapshot_that_is_not_this_complaint_at_its_version_is_read_past(
    tmp_path: Path, change: Tamper
) -> None:
    """load_latest falls back to the whole stream for a snapshot that does not match."""
    store = _tampered(tmp_path, change)
    try:
        assert store.load_latest(CID) == (None, store.load(CID))
    finally:
        store.close()
