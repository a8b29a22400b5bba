# ruff: noqa: S101 - a pytest suite: plain asserts are how pytest reports failures
"""
The event recorder's part of the contract: appends, streams and the global log.

Requirements 1 (an append writes its events and row atomically, on the expected version
only), 2 (gapless versions, increasing positions), 3 (``load``) and 5 (``read_all``) of
:mod:`lapor_core.storage.base`.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import attrs
import pytest

from lapor_core.domain.commands import Classify, Forward
from lapor_core.domain.events import Event
from lapor_core.domain.model import ComplaintId
from lapor_core.errors import ConcurrencyConflict, ValidationError
from lapor_core.storage.base import ComplaintQuery, ComplaintRow, ComplaintStore, StoredEvent
from lapor_core.testing.store_contract._helpers import NATIONAL, OWNER, submitted
from lapor_core.testing.store_contract.base import StoreContract
from lapor_core.testing.store_contract.drafts import T0, Draft, submit_command

__all__ = ["EventRecorderContract"]


def _instants(row: ComplaintRow) -> dict[str, datetime]:
    """The datetime fields of *row*, by name."""
    fields = attrs.asdict(row, recurse=False)
    return {name: value for name, value in fields.items() if isinstance(value, datetime)}


class EventRecorderContract(StoreContract):
    """
    Appends, streams and the global log (requirements 1, 2, 3 and 5).

    .. versionadded:: 0.1.0
    """

    # ----------------------------------------------------------------------- basics

    def test_events_and_row_round_trip(self, store: ComplaintStore) -> None:
        """What was appended loads back equal: every event, and the projection row."""
        draft = submitted(store, "rt-1")
        draft.write(
            store,
            NATIONAL,
            Forward(complaint_id=draft.id, agencies=("samarinda",)),
            T0 + timedelta(hours=1),
        )
        assert tuple(draft.events) == store.load(draft.id)
        assert draft.row == store.get(draft.id)

    def test_datetimes_keep_their_offset(self, store: ComplaintStore) -> None:
        """An event's instant loads back with the offset it was written with."""
        wita = timezone(timedelta(hours=8))
        draft = submitted(store, "tz-1", T0.astimezone(wita))
        [loaded] = store.load(draft.id)
        assert loaded.at == T0
        assert timedelta(hours=8) == loaded.at.utcoffset()
        assert draft.row == store.get(draft.id)

    def test_rows_keep_their_instants(self, store: ComplaintStore) -> None:
        """
        A projection row's instants load back aware and equal, in any offset.

        Events are the record and keep their offsets (the test above); a row is derived
        from them and may come back in UTC (the SQL stores keep UTC microseconds, which
        sort), but never naive and never moved.
        """
        wita = timezone(timedelta(hours=8))
        draft = submitted(store, "tz-row", T0.astimezone(wita))
        expected = _instants(draft.row)
        for row in (store.get(draft.id), *store.query(ComplaintQuery()).items):
            loaded = _instants(row)
            naive = [name for name, value in loaded.items() if value.utcoffset() is None]
            assert not naive, f"naive instants in the row: {naive}"
            assert expected == loaded

    def test_append_returns_stored_events(self, store: ComplaintStore) -> None:
        """Append returns each event with its version and an increasing global position."""
        draft = Draft()
        events = draft.do(OWNER, submit_command("ret-1"), T0)
        stored = store.append(draft.id, 0, events, draft.row)
        assert [s.version for s in stored] == [1]
        assert list(events) == [s.event for s in stored]
        assert {draft.id} == {s.complaint_id for s in stored}
        more = draft.do(
            NATIONAL,
            Forward(complaint_id=draft.id, agencies=("samarinda",)),
            T0 + timedelta(hours=1),
        )
        stored_more = store.append(draft.id, 1, more, draft.row)
        assert list(range(2, 2 + len(more))) == [s.version for s in stored_more]
        positions = [s.position for s in (*stored, *stored_more)]
        assert positions == sorted(set(positions))

    def test_load_unknown_is_empty(self, store: ComplaintStore) -> None:
        """Loading a complaint that was never written gives no events."""
        assert store.load(ComplaintId("nobody")) == ()

    # ----------------------------------------------------------------------- concurrency

    def test_new_stream_needs_expected_version_zero(self, store: ComplaintStore) -> None:
        """A new stream starts at version 0; claiming another version conflicts."""
        draft = Draft()
        events = draft.do(OWNER, submit_command("new-1"), T0)
        row = attrs.evolve(draft.row, version=2)
        with pytest.raises(ConcurrencyConflict):
            store.append(draft.id, 1, events, row)
        assert store.load(draft.id) == ()
        store.append(draft.id, 0, events, draft.row)
        assert store.get(draft.id).version == 1

    def test_stale_version_writes_nothing(self, store: ComplaintStore) -> None:
        """An append on a stale version conflicts and writes no event, row or key."""
        draft = submitted(store, "stale-1")
        row_before = store.get(draft.id)
        log_before = store.read_all()
        other = Draft()
        events = other.do(
            OWNER, submit_command("stale-1", region="64.71"), T0 + timedelta(minutes=1)
        )
        with pytest.raises(ConcurrencyConflict):
            store.append(other.id, 0, events, other.row, idempotency_key="stale-key")
        assert tuple(draft.events) == store.load(draft.id)
        assert row_before == store.get(draft.id)
        assert log_before == store.read_all()
        assert store.idempotency("stale-key") is None

    def test_versions_are_gapless(self, store: ComplaintStore) -> None:
        """Versions in a stream run 1, 2, 3, ... across appends."""
        draft = submitted(store, "gap-1")
        hour = timedelta(hours=1)
        draft.write(
            store, NATIONAL, Classify(complaint_id=draft.id, title="Jalan rusak"), T0 + hour
        )
        draft.write(
            store, NATIONAL, Forward(complaint_id=draft.id, agencies=("samarinda",)), T0 + 2 * hour
        )
        versions = [s.version for s in store.read_all() if s.complaint_id == draft.id]
        assert list(range(1, len(draft.events) + 1)) == versions
        assert len(draft.events) == store.get(draft.id).version

    def test_concurrent_appends_one_wins(self, store: ComplaintStore) -> None:
        """Of several threads appending on the same version, exactly one succeeds."""
        draft = submitted(store, "race-1")
        threads = 4
        barrier = threading.Barrier(threads)
        outcomes: list[str] = []
        lock = threading.Lock()

        def attempt(n: int) -> None:
            mine = attrs.evolve(draft, complaint=draft.complaint, events=list(draft.events))
            events = mine.do(
                NATIONAL,
                Classify(complaint_id=mine.id, title=f"Judul {n}"),
                T0 + timedelta(minutes=n + 1),
            )
            barrier.wait()
            try:
                store.append(mine.id, 1, events, mine.row)
                result = "won"
            except ConcurrencyConflict:
                result = "conflict"
            with lock:
                outcomes.append(result)

        workers = [threading.Thread(target=attempt, args=(n,)) for n in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert ["conflict"] * (threads - 1) + ["won"] == sorted(outcomes)
        assert len(store.load(draft.id)) == 2
        assert store.get(draft.id).version == 2

    # ----------------------------------------------------------------------- atomicity

    @pytest.mark.parametrize(
        "defect", ["row of another complaint", "row version", "no events", "foreign event"]
    )
    def test_malformed_append_writes_nothing(self, store: ComplaintStore, defect: str) -> None:
        """A malformed append is refused with ValidationError before anything is written."""
        draft = Draft()
        events: tuple[Event, ...] = draft.do(OWNER, submit_command("bad-1"), T0)
        row = draft.row
        if defect == "row of another complaint":
            row = attrs.evolve(row, id=ComplaintId("bad-2"))
        elif defect == "row version":
            row = attrs.evolve(row, version=5)
        elif defect == "no events":
            events = ()
            row = attrs.evolve(row, version=0)
        else:
            events = (*events, *Draft().do(OWNER, submit_command("bad-2"), T0))
            row = attrs.evolve(row, version=2)
        with pytest.raises(ValidationError):
            store.append(draft.id, 0, events, row)
        assert store.load(draft.id) == ()
        assert store.read_all() == ()

    def test_bulk_append_is_all_or_nothing(self, store: ComplaintStore) -> None:
        """A bulk append (where the store has one) writes every batch, or none on conflict."""
        append_many = getattr(store, "append_many", None)
        if append_many is None:
            pytest.skip("this store has no append_many")
        existing = submitted(store, "bulk-0")
        drafts = [Draft() for _ in range(3)]
        batches = []
        for n, draft in enumerate(drafts):
            events = draft.do(OWNER, submit_command(f"bulk-{n + 1}"), T0 + timedelta(minutes=n))
            batches.append((draft.id, 0, events, draft.row))
        stale = Draft()
        stale_events = stale.do(OWNER, submit_command("bulk-0"), T0)
        log_before = store.read_all()
        with pytest.raises(ConcurrencyConflict):
            append_many([*batches, (stale.id, 0, stale_events, stale.row)])
        assert log_before == store.read_all()
        assert store.load(drafts[0].id) == ()
        assert append_many(batches) == 3
        for draft in drafts:
            assert tuple(draft.events) == store.load(draft.id)
            assert draft.row == store.get(draft.id)
        assert tuple(existing.events) == store.load(existing.id)

    def test_bulk_append_checks_every_stream_at_its_version(self, store: ComplaintStore) -> None:
        """
        A bulk append's later events need each stream at the version given.

        Several existing streams in one call, one of them given a version behind its
        stream or ahead of it: nothing is written. At the right versions, all are.
        """
        append_many = getattr(store, "append_many", None)
        if append_many is None:
            pytest.skip("this store has no append_many")
        drafts = [submitted(store, f"bulk-v-{n}") for n in range(3)]
        batches = []
        for n, draft in enumerate(drafts):
            version = draft.version
            forward = Forward(complaint_id=draft.id, agencies=("samarinda",))
            events = draft.do(NATIONAL, forward, T0 + timedelta(hours=1 + n))
            batches.append((draft.id, version, events, draft.row))
        log_before = store.read_all()
        cid, version, events, row = batches[1]
        for wrong in (version - 1, version + 1):
            stale = (cid, wrong, events, attrs.evolve(row, version=wrong + len(events)))
            with pytest.raises(ConcurrencyConflict):
                append_many([batches[0], stale, batches[2]])
            assert log_before == store.read_all()
        assert append_many(batches) == sum(len(b[2]) for b in batches)
        for draft in drafts:
            assert tuple(draft.events) == store.load(draft.id)
            assert draft.row == store.get(draft.id)

    # ----------------------------------------------------------------------- global order

    def test_read_all_is_in_global_order_and_pages(self, store: ComplaintStore) -> None:
        """read_all returns every stream's events in append order, page by page."""
        hour = timedelta(hours=1)
        s1 = submitted(store, "g-1")
        s2 = submitted(store, "g-2")
        s1.write(store, NATIONAL, Classify(complaint_id=s1.id, title="Judul baru"), T0 + hour)
        s3 = submitted(store, "g-3", T0 + hour)
        s2.write(
            store, NATIONAL, Forward(complaint_id=s2.id, agencies=("samarinda",)), T0 + 2 * hour
        )
        expected = [
            ("g-1", 1),
            ("g-2", 1),
            *[("g-1", v) for v in range(2, len(s1.events) + 1)],
            ("g-3", 1),
            *[("g-2", v) for v in range(2, len(s2.events) + 1)],
        ]
        everything = store.read_all()
        assert expected == [(s.complaint_id.value, s.version) for s in everything]
        positions = [s.position for s in everything]
        assert positions == sorted(set(positions))
        for draft in (s1, s2, s3):
            assert draft.events == [s.event for s in everything if s.complaint_id == draft.id]
        paged: list[StoredEvent] = []
        after = 0
        for _ in range(len(everything) + 1):  # bounded: one page more than needed at most
            page = store.read_all(after, 2)
            if not page:
                break
            assert len(page) <= 2
            assert page[0].position > after, f"read_all({after}) returned position {after} again"
            paged.extend(page)
            after = page[-1].position
        else:
            raise AssertionError(f"read_all did not end after {len(everything) + 1} pages")
        assert list(everything) == paged
        assert store.read_all(positions[-1]) == ()
        assert everything[2:] == store.read_all(positions[1])
