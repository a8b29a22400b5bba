# ruff: noqa: S101 - a pytest suite: plain asserts are how pytest reports failures
"""
The snapshot store's part of the contract: snapshots and the events after them.

Requirement 11 of :mod:`lapor_core.storage.base`, for a store that is a
:class:`~lapor_core.storage.base.SnapshotStore` (every bundled backend): a snapshot loads
back equal to the state it was made of, and that state plus the events after it equals a
full replay; a newer snapshot replaces an older one and not the other way round; a
snapshot of other code (another fingerprint) or beyond the end of its stream is ignored.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from lapor_core.domain.commands import Classify, Forward
from lapor_core.domain.complaint import evolve, replay
from lapor_core.domain.model import ComplaintId
from lapor_core.errors import ValidationError
from lapor_core.storage import snapshots
from lapor_core.storage.base import ComplaintStore, SnapshotStore, SnapshotTailStore
from lapor_core.testing.store_contract._helpers import NATIONAL, submitted
from lapor_core.testing.store_contract.base import StoreContract
from lapor_core.testing.store_contract.drafts import T0, Draft

__all__ = ["SnapshotContract"]


def _snapshots(store: ComplaintStore) -> SnapshotStore:
    assert isinstance(store, SnapshotStore), f"{type(store).__name__} keeps no snapshots"
    return store


def _tail_store(store: ComplaintStore) -> SnapshotTailStore:
    if not isinstance(store, SnapshotTailStore):
        pytest.skip(f"{type(store).__name__} has no load_latest (a SnapshotTailStore's)")
    return store


def _long(store: ComplaintStore, cid: str, steps: int) -> Draft:
    """A complaint forwarded, then retitled *steps* times, written event by event."""
    draft = submitted(store, cid)
    at = T0 + timedelta(hours=1)
    draft.write(store, NATIONAL, Forward(complaint_id=draft.id, agencies=("samarinda",)), at)
    for n in range(steps):
        at += timedelta(minutes=1)
        draft.write(store, NATIONAL, Classify(complaint_id=draft.id, title=f"Judul {n}"), at)
    return draft


class SnapshotContract(StoreContract):
    """
    Snapshots of complaints' states (requirement 11).

    .. versionadded:: 0.1.0
    """

    def test_store_keeps_snapshots(self, store: ComplaintStore) -> None:
        """The store is a SnapshotStore (runtime-checkable protocol)."""
        assert isinstance(store, SnapshotStore)

    def test_no_snapshot_until_one_is_saved(self, store: ComplaintStore) -> None:
        """An unknown complaint and a complaint never snapshotted have none."""
        snap = _snapshots(store)
        assert snap.load_snapshot(ComplaintId("snap-none")) is None
        submitted(store, "snap-0")
        assert snap.load_snapshot(ComplaintId("snap-0")) is None

    def test_snapshot_and_the_events_after_it_equal_a_full_replay(
        self, store: ComplaintStore
    ) -> None:
        """A snapshot loads back equal; with the events after it, it equals a replay."""
        snap = _snapshots(store)
        draft = _long(store, "snap-1", 6)
        at_four = replay(draft.events[:4])
        snap.save_snapshot(at_four)
        loaded = snap.load_snapshot(draft.id)
        assert at_four == loaded
        assert loaded is not None
        tail = snap.load_after(draft.id, loaded.version)
        assert tuple(draft.events[4:]) == tail
        state = loaded
        for event in tail:
            state = evolve(state, event)
        assert replay(store.load(draft.id)) == state
        assert draft.complaint == state

    def test_load_after_reads_from_any_version(self, store: ComplaintStore) -> None:
        """load_after(0) is load; after the last version it is empty."""
        snap = _snapshots(store)
        draft = _long(store, "snap-2", 2)
        assert store.load(draft.id) == snap.load_after(draft.id, 0)
        assert tuple(draft.events[2:]) == snap.load_after(draft.id, 2)
        assert snap.load_after(draft.id, draft.version) == ()
        assert snap.load_after(ComplaintId("snap-none"), 0) == ()

    @pytest.mark.parametrize("version", [-1, 2**70])
    def test_load_after_refuses_a_version_out_of_range(
        self, store: ComplaintStore, version: int
    ) -> None:
        """A version below 0 or beyond any position is a ValidationError."""
        draft = _long(store, "snap-3", 1)
        with pytest.raises(ValidationError):
            _snapshots(store).load_after(draft.id, version)

    def test_a_newer_snapshot_replaces_an_older_one_only(self, store: ComplaintStore) -> None:
        """Saving a later state replaces the snapshot; saving an earlier one does not."""
        snap = _snapshots(store)
        draft = _long(store, "snap-4", 4)
        snap.save_snapshot(replay(draft.events[:3]))
        snap.save_snapshot(replay(draft.events[:5]))
        snap.save_snapshot(replay(draft.events[:2]))
        loaded = snap.load_snapshot(draft.id)
        assert loaded is not None
        assert loaded.version == 5

    def test_a_snapshot_beyond_its_stream_is_ignored(self, store: ComplaintStore) -> None:
        """A snapshot with a version the stream has not reached is not used."""
        snap = _snapshots(store)
        draft = _long(store, "snap-5", 1)
        assert draft.complaint is not None
        snap.save_snapshot(attrs.evolve(draft.complaint, version=draft.version + 3))
        assert snap.load_snapshot(draft.id) is None

    def test_a_snapshot_of_other_code_is_ignored(
        self, store: ComplaintStore, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A snapshot whose fingerprint is not the running code's is not used."""
        snap = _snapshots(store)
        draft = _long(store, "snap-6", 2)
        assert draft.complaint is not None
        snap.save_snapshot(draft.complaint)
        assert draft.complaint == snap.load_snapshot(draft.id)
        monkeypatch.setattr(snapshots, "SNAPSHOT_FORMAT", snapshots.SNAPSHOT_FORMAT + 1)
        assert snap.load_snapshot(draft.id) is None
        snap.save_snapshot(replay(draft.events[:2]))  # the new code's replaces the old one's
        loaded = snap.load_snapshot(draft.id)
        assert loaded is not None
        assert loaded.version == 2

    def test_load_latest_is_the_snapshot_and_the_events_after_it(
        self, store: ComplaintStore, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """load_latest answers what load_snapshot and load_after (or load) answer."""
        tail = _tail_store(store)
        assert tail.load_latest(ComplaintId("snap-none")) == (None, ())
        draft = _long(store, "snap-8", 5)
        assert tail.load_latest(draft.id) == (None, store.load(draft.id))
        at_three = replay(draft.events[:3])
        tail.save_snapshot(at_three)
        assert tail.load_latest(draft.id) == (at_three, tuple(draft.events[3:]))
        tail.save_snapshot(replay(draft.events))
        assert tail.load_latest(draft.id) == (draft.complaint, ())
        monkeypatch.setattr(snapshots, "SNAPSHOT_FORMAT", snapshots.SNAPSHOT_FORMAT + 1)
        assert tail.load_latest(draft.id) == (None, store.load(draft.id))

    def test_load_latest_ignores_a_snapshot_beyond_its_stream(self, store: ComplaintStore) -> None:
        """As load_snapshot: a snapshot the stream has not reached gives the whole stream."""
        tail = _tail_store(store)
        draft = _long(store, "snap-9", 1)
        assert draft.complaint is not None
        tail.save_snapshot(attrs.evolve(draft.complaint, version=draft.version + 3))
        assert tail.load_latest(draft.id) == (None, store.load(draft.id))
        assert replay(tail.load_latest(draft.id)[1]) == draft.complaint

    def test_save_snapshot_refuses_what_is_not_a_state(self, store: ComplaintStore) -> None:
        """Only a Complaint can be a snapshot."""
        with pytest.raises(ValidationError):
            _snapshots(store).save_snapshot("not a state")  # type: ignore[arg-type]
