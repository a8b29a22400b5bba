# ruff: noqa: S101 - a pytest suite: plain asserts are how pytest reports failures
"""
The contract every complaint store must pass, as an importable pytest suite.

Subclass :class:`ComplaintStoreContract` in a test module, name the subclass
``Test...`` and implement :meth:`~ComplaintStoreContract.make_store`::

    class TestMyStore(ComplaintStoreContract):
        def make_store(self) -> ComplaintStore:
            return MyStore()

The tests follow the numbered requirements of :mod:`lapor_core.storage.base`. They build
complaints with the real domain (``decide`` on the national profile and the Kalimantan
Timur registry) and rows with :func:`~lapor_core.storage.base.project`.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import abc
import functools
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta, timezone

import attrs
import pytest

from lapor_core.domain.actors import Actor, Role, make_agency_actor
from lapor_core.domain.commands import (
    Archive,
    Classify,
    Command,
    Forward,
    PostFollowUp,
    RequestInformation,
    Submit,
)
from lapor_core.domain.complaint import Complaint, Context, decide, evolve
from lapor_core.domain.events import Event
from lapor_core.domain.lifecycle import Status
from lapor_core.domain.model import (
    ArchiveReason,
    Category,
    Channel,
    ChannelType,
    ComplaintId,
    Content,
    Kind,
    RegionCode,
    Reporter,
)
from lapor_core.errors import ConcurrencyConflict, NotFound, StorageError, ValidationError
from lapor_core.profiles import load_profile, load_registry
from lapor_core.storage.base import (
    ComplaintQuery,
    ComplaintRow,
    ComplaintStore,
    StoredEvent,
    project,
)

__all__ = ["T0", "ComplaintStoreContract", "Draft", "context", "submit_command"]

T0 = datetime(2025, 3, 27, 1, 30, tzinfo=UTC)
"""
The instant the contract's complaints are first submitted (a Thursday).

.. versionadded:: 0.1.0
"""

_REPORTER = Reporter(id="pelapor-1", name="Siti Aminah")
_OWNER = Actor.reporter(_REPORTER.id)
_NATIONAL = Actor.national_admin("admin-nasional")
_LEASE = timedelta(minutes=5)


@functools.cache
def context() -> Context:
    """
    The decision context of the contract: national profile, Kalimantan Timur registry.

    .. versionadded:: 0.1.0
    """
    return Context.create(load_profile("national"), load_registry("kaltim"))


def submit_command(
    cid: str,
    *,
    region: str | None = "64.72",
    category: str | None = "infrastruktur",
    target: str | None = "samarinda",
) -> Submit:
    """
    A reporter's web submission with the given region, category and addressee.

    .. versionadded:: 0.1.0
    """
    return Submit(
        complaint_id=ComplaintId(cid),
        content=Content(title="Jalan berlubang", body="Jalan di depan pasar berlubang besar."),
        kind=Kind.COMPLAINT,
        reporter=_REPORTER,
        channel=Channel(ChannelType.WEB),
        region=RegionCode(region) if region is not None else None,
        category=Category(category) if category is not None else None,
        target_agency=target,
    )


@attrs.define
class Draft:
    """
    One complaint driven through the real domain, one command at a time.

    .. versionadded:: 0.1.0
    """

    complaint: Complaint | None = None
    events: list[Event] = attrs.Factory(list)

    @property
    def id(self) -> ComplaintId:
        """The complaint's id (after submission)."""
        assert self.complaint is not None
        return self.complaint.id

    @property
    def version(self) -> int:
        """The version of the complaint (0 before submission)."""
        return 0 if self.complaint is None else self.complaint.version

    def do(self, actor: Actor, command: Command, at: datetime) -> tuple[Event, ...]:
        """Decide *command* at *at*, fold its events in, and return them."""
        new = decide(self.complaint, command, actor, at, context())
        for event in new:
            self.complaint = evolve(self.complaint, event)
        self.events.extend(new)
        return new

    @property
    def row(self) -> ComplaintRow:
        """The projection row of the current state."""
        assert self.complaint is not None
        ctx = context()
        return project(self.complaint, ctx.calendar, ctx.profile.clocks)

    def write(
        self,
        store: ComplaintStore,
        actor: Actor,
        command: Command,
        at: datetime,
        *,
        idempotency_key: str | None = None,
    ) -> tuple[Event, ...]:
        """Decide *command* and append its events and the new row to *store*."""
        before = self.version
        new = self.do(actor, command, at)
        store.append(self.id, before, new, self.row, idempotency_key=idempotency_key)
        return new


def _submitted(store: ComplaintStore, cid: str, at: datetime = T0, **submit: str | None) -> Draft:
    draft = Draft()
    draft.write(store, _OWNER, submit_command(cid, **submit), at)
    return draft


def _agency_actor(role: Role, agency: str) -> Actor:
    return make_agency_actor(context().registry, f"{role.value}@{agency}", role, agency)


def _ids(rows: Sequence[ComplaintRow]) -> list[str]:
    return [r.id.value for r in rows]


def _query_id(value: object) -> str:
    """A short test id: the filters a query sets."""
    if isinstance(value, ComplaintQuery):
        fields = attrs.asdict(value, recurse=False)
        return ",".join(k for k, v in fields.items() if v is not None and k != "limit")
    return "-".join(value) if isinstance(value, list) else str(value)


def _all_rows(store: ComplaintStore, query: ComplaintQuery) -> list[ComplaintRow]:
    """Every page of *query*, concatenated."""
    rows: list[ComplaintRow] = []
    cursor = None
    for _ in range(1000):
        page = store.query(attrs.evolve(query, cursor=cursor))
        rows.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return rows
    raise AssertionError("query pagination did not end")


class ComplaintStoreContract(abc.ABC):
    """
    The storage contract as pytest tests; subclass it with ``make_store``.

    .. versionadded:: 0.1.0
    """

    @abc.abstractmethod
    def make_store(self) -> ComplaintStore:
        """Return a new, empty store for one test."""

    def dispose_store(self, store: ComplaintStore) -> None:
        """Release a store after its test (default: close it; may be called once closed)."""
        store.close()

    @pytest.fixture
    def store(self) -> Iterator[ComplaintStore]:
        """A fresh store, disposed of after the test."""
        store = self.make_store()
        try:
            yield store
        finally:
            self.dispose_store(store)

    @pytest.fixture
    def catalogue(self, store: ComplaintStore) -> dict[str, ComplaintRow]:
        """Six complaints in varied statuses, regions, categories and agencies."""
        hour = timedelta(hours=1)
        a = _submitted(store, "a", T0)
        b = _submitted(store, "b", T0, region="64.71", category="kesehatan", target="balikpapan")
        b.write(
            store, _NATIONAL, Forward(complaint_id=b.id, agencies=("kaltim.dinkes",)), T0 + hour
        )
        c = _submitted(store, "c", T0 + hour, region="64", target=None)
        c.write(
            store,
            _NATIONAL,
            Archive(complaint_id=c.id, reason=ArchiveReason.UNCLEAR),
            T0 + 2 * hour,
        )
        d = _submitted(store, "d", T0 + 2 * hour, region="64.72.01", category="pendidikan")
        d.write(
            store, _NATIONAL, Forward(complaint_id=d.id, agencies=("samarinda",)), T0 + 3 * hour
        )
        d.write(
            store,
            _agency_actor(Role.LIAISON_OFFICER, "samarinda"),
            PostFollowUp(complaint_id=d.id, agency="samarinda", text="Sudah ditangani."),
            T0 + 4 * hour,
        )
        e = _submitted(store, "e", T0 + 3 * hour, region="65")
        e.write(
            store,
            _NATIONAL,
            RequestInformation(complaint_id=e.id, question="Di mana tepatnya?"),
            T0 + 4 * hour,
        )
        f = _submitted(store, "f", T0 + 3 * hour, region=None, category=None, target=None)
        return {d.id.value: d.row for d in (a, b, c, d, e, f)}

    # ----------------------------------------------------------------------- basics

    def test_store_satisfies_the_port(self, store: ComplaintStore) -> None:
        """The store is a ComplaintStore (runtime-checkable protocol)."""
        assert isinstance(store, ComplaintStore)

    def test_events_and_row_round_trip(self, store: ComplaintStore) -> None:
        """What was appended loads back equal: every event, and the projection row."""
        draft = _submitted(store, "rt-1")
        draft.write(
            store,
            _NATIONAL,
            Forward(complaint_id=draft.id, agencies=("samarinda",)),
            T0 + timedelta(hours=1),
        )
        assert tuple(draft.events) == store.load(draft.id)
        assert draft.row == store.get(draft.id)

    def test_datetimes_keep_their_offset(self, store: ComplaintStore) -> None:
        """An event's instant loads back with the offset it was written with."""
        wita = timezone(timedelta(hours=8))
        draft = _submitted(store, "tz-1", T0.astimezone(wita))
        [loaded] = store.load(draft.id)
        assert loaded.at == T0
        assert timedelta(hours=8) == loaded.at.utcoffset()
        assert draft.row == store.get(draft.id)

    def test_append_returns_stored_events(self, store: ComplaintStore) -> None:
        """Append returns each event with its version and an increasing global position."""
        draft = Draft()
        events = draft.do(_OWNER, submit_command("ret-1"), T0)
        stored = store.append(draft.id, 0, events, draft.row)
        assert [s.version for s in stored] == [1]
        assert list(events) == [s.event for s in stored]
        assert {draft.id} == {s.complaint_id for s in stored}
        more = draft.do(
            _NATIONAL,
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

    def test_get_unknown_raises_not_found(self, store: ComplaintStore) -> None:
        """Getting the row of an unknown complaint raises NotFound (a LookupError)."""
        with pytest.raises(NotFound):
            store.get(ComplaintId("nobody"))

    # ----------------------------------------------------------------------- concurrency

    def test_new_stream_needs_expected_version_zero(self, store: ComplaintStore) -> None:
        """A new stream starts at version 0; claiming another version conflicts."""
        draft = Draft()
        events = draft.do(_OWNER, submit_command("new-1"), T0)
        row = attrs.evolve(draft.row, version=2)
        with pytest.raises(ConcurrencyConflict):
            store.append(draft.id, 1, events, row)
        assert store.load(draft.id) == ()
        store.append(draft.id, 0, events, draft.row)
        assert store.get(draft.id).version == 1

    def test_stale_version_writes_nothing(self, store: ComplaintStore) -> None:
        """An append on a stale version conflicts and writes no event, row or key."""
        draft = _submitted(store, "stale-1")
        row_before = store.get(draft.id)
        log_before = store.read_all()
        other = Draft()
        events = other.do(
            _OWNER, submit_command("stale-1", region="64.71"), T0 + timedelta(minutes=1)
        )
        with pytest.raises(ConcurrencyConflict):
            store.append(other.id, 0, events, other.row, idempotency_key="stale-key")
        assert tuple(draft.events) == store.load(draft.id)
        assert row_before == store.get(draft.id)
        assert log_before == store.read_all()
        assert store.idempotency("stale-key") is None

    def test_versions_are_gapless(self, store: ComplaintStore) -> None:
        """Versions in a stream run 1, 2, 3, ... across appends."""
        draft = _submitted(store, "gap-1")
        hour = timedelta(hours=1)
        draft.write(
            store, _NATIONAL, Classify(complaint_id=draft.id, title="Jalan rusak"), T0 + hour
        )
        draft.write(
            store, _NATIONAL, Forward(complaint_id=draft.id, agencies=("samarinda",)), T0 + 2 * hour
        )
        versions = [s.version for s in store.read_all() if s.complaint_id == draft.id]
        assert list(range(1, len(draft.events) + 1)) == versions
        assert len(draft.events) == store.get(draft.id).version

    def test_concurrent_appends_one_wins(self, store: ComplaintStore) -> None:
        """Of several threads appending on the same version, exactly one succeeds."""
        draft = _submitted(store, "race-1")
        threads = 4
        barrier = threading.Barrier(threads)
        outcomes: list[str] = []
        lock = threading.Lock()

        def attempt(n: int) -> None:
            mine = attrs.evolve(draft, complaint=draft.complaint, events=list(draft.events))
            events = mine.do(
                _NATIONAL,
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

    def test_duplicate_key_makes_the_whole_batch_fail(self, store: ComplaintStore) -> None:
        """A multi-event append whose idempotency key is taken writes none of its events."""
        _submitted(store, "first-1")
        first = Draft()
        first.write(store, _OWNER, submit_command("first-2"), T0, idempotency_key="k-1")
        log_before = store.read_all()
        draft = Draft()
        events = (
            *draft.do(_OWNER, submit_command("second-1"), T0),
            *draft.do(
                _NATIONAL,
                Forward(complaint_id=ComplaintId("second-1"), agencies=("samarinda",)),
                T0 + timedelta(hours=1),
            ),
        )
        assert len(events) >= 2
        with pytest.raises(ConcurrencyConflict):
            store.append(draft.id, 0, events, draft.row, idempotency_key="k-1")
        assert store.load(draft.id) == ()
        with pytest.raises(NotFound):
            store.get(draft.id)
        assert log_before == store.read_all()
        assert (ComplaintId("first-2"), 1) == store.idempotency("k-1")

    @pytest.mark.parametrize(
        "defect", ["row of another complaint", "row version", "no events", "foreign event"]
    )
    def test_malformed_append_writes_nothing(self, store: ComplaintStore, defect: str) -> None:
        """A malformed append is refused with ValidationError before anything is written."""
        draft = Draft()
        events: tuple[Event, ...] = draft.do(_OWNER, submit_command("bad-1"), T0)
        row = draft.row
        if defect == "row of another complaint":
            row = attrs.evolve(row, id=ComplaintId("bad-2"))
        elif defect == "row version":
            row = attrs.evolve(row, version=5)
        elif defect == "no events":
            events = ()
            row = attrs.evolve(row, version=0)
        else:
            events = (*events, *Draft().do(_OWNER, submit_command("bad-2"), T0))
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
        existing = _submitted(store, "bulk-0")
        drafts = [Draft() for _ in range(3)]
        batches = []
        for n, draft in enumerate(drafts):
            events = draft.do(_OWNER, submit_command(f"bulk-{n + 1}"), T0 + timedelta(minutes=n))
            batches.append((draft.id, 0, events, draft.row))
        stale = Draft()
        stale_events = stale.do(_OWNER, submit_command("bulk-0"), T0)
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

    # ----------------------------------------------------------------------- global order

    def test_read_all_is_in_global_order_and_pages(self, store: ComplaintStore) -> None:
        """read_all returns every stream's events in append order, page by page."""
        hour = timedelta(hours=1)
        s1 = _submitted(store, "g-1")
        s2 = _submitted(store, "g-2")
        s1.write(store, _NATIONAL, Classify(complaint_id=s1.id, title="Judul baru"), T0 + hour)
        s3 = _submitted(store, "g-3", T0 + hour)
        s2.write(
            store, _NATIONAL, Forward(complaint_id=s2.id, agencies=("samarinda",)), T0 + 2 * hour
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
        while page := store.read_all(after, 2):
            assert len(page) <= 2
            paged.extend(page)
            after = page[-1].position
        assert list(everything) == paged
        assert store.read_all(positions[-1]) == ()
        assert everything[2:] == store.read_all(positions[1])

    # ----------------------------------------------------------------------- queries

    def test_query_without_filter_returns_everything_in_order(
        self, store: ComplaintStore, catalogue: dict[str, ComplaintRow]
    ) -> None:
        """An empty query returns every row, ordered by submitted_at then id."""
        page = store.query(ComplaintQuery())
        assert _ids(page.items) == ["a", "b", "c", "d", "e", "f"]
        assert page.next_cursor is None
        assert list(catalogue.values()) == list(page.items)

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            (
                ComplaintQuery(statuses=frozenset({Status.SUBMITTED, Status.ON_HOLD})),
                ["a", "e", "f"],
            ),
            (ComplaintQuery(statuses=frozenset({Status.ARCHIVED})), ["c"]),
            (ComplaintQuery(statuses=frozenset()), []),
            (ComplaintQuery(agencies=frozenset({"kaltim.dinkes"})), ["b"]),
            (ComplaintQuery(agencies=frozenset({"samarinda"})), ["a", "d", "e"]),
            (ComplaintQuery(agencies=frozenset({"balikpapan", "lapor"})), ["b", "c", "f"]),
            (ComplaintQuery(agencies=frozenset({"kemenkes"})), []),
            (ComplaintQuery(region_prefix="64"), ["a", "b", "c", "d"]),
            (ComplaintQuery(region_prefix="64.72"), ["a", "d"]),
            (ComplaintQuery(region_prefix="64.72.01"), ["d"]),
            (ComplaintQuery(region_prefix="65"), ["e"]),
            (ComplaintQuery(category="infrastruktur"), ["a", "c", "e"]),
            (ComplaintQuery(category="lain"), []),
            (ComplaintQuery(submitted_from=T0 + timedelta(hours=1)), ["c", "d", "e", "f"]),
            (ComplaintQuery(submitted_before=T0 + timedelta(hours=2)), ["a", "b", "c"]),
            (
                ComplaintQuery(
                    submitted_from=T0 + timedelta(hours=1), submitted_before=T0 + timedelta(hours=3)
                ),
                ["c", "d"],
            ),
            (
                ComplaintQuery(
                    region_prefix="64",
                    category="infrastruktur",
                    statuses=frozenset({Status.SUBMITTED}),
                ),
                ["a"],
            ),
        ],
        ids=_query_id,
    )
    @pytest.mark.usefixtures("catalogue")
    def test_query_filters(
        self,
        store: ComplaintStore,
        query: ComplaintQuery,
        expected: list[str],
    ) -> None:
        """Each filter selects exactly the matching rows, in order."""
        assert expected == _ids(_all_rows(store, query))

    def test_region_prefix_is_not_a_string_prefix(self, store: ComplaintStore) -> None:
        """Region prefix 64 matches 64 and 64.72 but not a code that merely starts with 64."""
        for cid, region in (("r-1", "64"), ("r-2", "64.72"), ("r-3", "640"), ("r-4", "64%")):
            draft = Draft()
            events = draft.do(_OWNER, submit_command(cid), T0)
            store.append(draft.id, 0, events, attrs.evolve(draft.row, region=region))
        assert _ids(store.query(ComplaintQuery(region_prefix="64")).items) == ["r-1", "r-2"]
        assert _ids(store.query(ComplaintQuery(region_prefix="6")).items) == []

    def test_query_due_before(
        self, store: ComplaintStore, catalogue: dict[str, ComplaintRow]
    ) -> None:
        """due_before keeps rows due at or before the instant; terminal rows never match."""
        dues = sorted(r.next_due_at for r in catalogue.values() if r.next_due_at is not None)
        assert catalogue["c"].next_due_at is None
        assert len(set(dues)) >= 2
        cut = dues[0]
        expected = sorted(
            (r for r in catalogue.values() if r.next_due_at is not None and r.next_due_at <= cut),
            key=lambda r: (r.submitted_at, r.id.value),
        )
        assert _ids(expected) == _ids(_all_rows(store, ComplaintQuery(due_before=cut)))
        assert len(dues) == len(_all_rows(store, ComplaintQuery(due_before=dues[-1])))
        assert _all_rows(store, ComplaintQuery(due_before=cut - timedelta(microseconds=1))) == []

    def test_pages_concatenate_to_the_full_result(self, store: ComplaintStore) -> None:
        """Keyset pages of any size concatenate to the full ordered result, without repeats."""
        minute = timedelta(minutes=1)
        times = {
            "p-5": T0,
            "p-2": T0,
            "p-6": T0 + minute,
            "p-1": T0 + minute,
            "p-4": T0 + minute,
            "p-3": T0 + 2 * minute,
            "p-0": T0 + 3 * minute,
        }
        for cid, at in times.items():
            _submitted(store, cid, at)
        expected = sorted(times, key=lambda c: (times[c], c))
        full = store.query(ComplaintQuery(limit=1000))
        assert expected == _ids(full.items)
        for size in (1, 2, 3, 7):
            pages = []
            cursor = None
            while True:
                page = store.query(ComplaintQuery(limit=size, cursor=cursor))
                assert len(page.items) <= size
                pages.append(page)
                cursor = page.next_cursor
                if cursor is None:
                    break
            assert expected == [cid for p in pages for cid in _ids(p.items)]
            assert all(p.items for p in pages)
        filtered = _all_rows(store, ComplaintQuery(limit=2, submitted_from=T0 + minute))
        assert _ids(filtered) == ["p-1", "p-4", "p-6", "p-3", "p-0"]

    def test_invalid_cursor_is_refused(self, store: ComplaintStore) -> None:
        """A cursor that the store did not make raises ValidationError."""
        with pytest.raises(ValidationError):
            store.query(ComplaintQuery(cursor="not a cursor!"))

    # ----------------------------------------------------------------------- idempotency

    def test_idempotency_key_returns_the_first_result(self, store: ComplaintStore) -> None:
        """A key is recorded with its append; reusing it conflicts and writes nothing."""
        assert store.idempotency("sub-1") is None
        draft = Draft()
        draft.write(store, _OWNER, submit_command("idem-1"), T0, idempotency_key="sub-1")
        assert (draft.id, 1) == store.idempotency("sub-1")
        retry = Draft()
        events = retry.do(_OWNER, submit_command("idem-2"), T0)
        with pytest.raises(ConcurrencyConflict):
            store.append(retry.id, 0, events, retry.row, idempotency_key="sub-1")
        assert store.load(retry.id) == ()
        later = draft.do(
            _NATIONAL, Classify(complaint_id=draft.id, title="Judul"), T0 + timedelta(hours=1)
        )
        with pytest.raises(ConcurrencyConflict):
            store.append(draft.id, 1, later, draft.row, idempotency_key="sub-1")
        assert len(store.load(draft.id)) == 1
        assert (draft.id, 1) == store.idempotency("sub-1")
        store.append(draft.id, 1, later, draft.row, idempotency_key="classify-1")
        assert (draft.id, 2) == store.idempotency("classify-1")

    # ----------------------------------------------------------------------- due claims

    def _due_trio(self, store: ComplaintStore) -> tuple[Draft, Draft, Draft]:
        early = _submitted(store, "due-early", T0)
        late = _submitted(store, "due-late", T0 + timedelta(days=3))
        done = _submitted(store, "due-done", T0)
        done.write(
            store,
            _NATIONAL,
            Archive(complaint_id=done.id, reason=ArchiveReason.UNCLEAR),
            T0 + timedelta(minutes=1),
        )
        assert early.row.next_due_at is not None
        assert late.row.next_due_at is not None
        assert early.row.next_due_at < late.row.next_due_at
        assert done.row.next_due_at is None
        return early, late, done

    def test_claim_due_returns_due_rows_only(self, store: ComplaintStore) -> None:
        """claim_due returns rows due at or before now, never terminal rows."""
        early, late, _done = self._due_trio(store)
        assert early.row.next_due_at is not None
        assert late.row.next_due_at is not None
        before = early.row.next_due_at - timedelta(microseconds=1)
        assert store.claim_due(before, claimant="s-1", lease=_LEASE) == ()
        assert (early.id,) == store.claim_due(early.row.next_due_at, claimant="s-2", lease=_LEASE)
        far = late.row.next_due_at + timedelta(days=365)
        assert (early.id, late.id) == store.claim_due(far, claimant="s-3", lease=_LEASE)

    def test_claim_is_exclusive_until_the_lease_expires(self, store: ComplaintStore) -> None:
        """A second claimant gets nothing under a live lease, and the rows once it expires."""
        early, late, _done = self._due_trio(store)
        assert late.row.next_due_at is not None
        now = late.row.next_due_at + timedelta(hours=1)
        assert (early.id, late.id) == store.claim_due(now, claimant="a", lease=_LEASE)
        assert store.claim_due(now, claimant="b", lease=_LEASE) == ()
        assert (
            store.claim_due(now + _LEASE - timedelta(microseconds=1), claimant="b", lease=_LEASE)
            == ()
        )
        assert (early.id, late.id) == store.claim_due(now + _LEASE, claimant="b", lease=_LEASE)
        assert store.claim_due(now + _LEASE, claimant="a", lease=_LEASE) == ()

    def test_append_clears_the_claim(self, store: ComplaintStore) -> None:
        """Rewriting a claimed row (an append) releases its claim."""
        early, _late, _done = self._due_trio(store)
        assert early.row.next_due_at is not None
        now = early.row.next_due_at
        assert (early.id,) == store.claim_due(now, claimant="a", lease=timedelta(days=1))
        assert store.claim_due(now, claimant="b", lease=_LEASE) == ()
        early.write(store, _NATIONAL, Classify(complaint_id=early.id, title="Judul"), now)
        assert early.row.next_due_at is not None
        assert early.row.next_due_at <= now
        assert (early.id,) == store.claim_due(now, claimant="b", lease=_LEASE)

    def test_claim_due_respects_limit_and_order(self, store: ComplaintStore) -> None:
        """claim_due hands out at most *limit* rows, earliest due first."""
        drafts = [_submitted(store, f"lim-{n}", T0 + timedelta(hours=n)) for n in (3, 0, 4, 1, 2)]
        by_due = sorted(drafts, key=lambda d: (d.row.next_due_at, d.id.value))
        now = T0 + timedelta(days=365)
        assert tuple(d.id for d in by_due[:2]) == store.claim_due(
            now, claimant="a", lease=_LEASE, limit=2
        )
        assert tuple(d.id for d in by_due[2:4]) == store.claim_due(
            now, claimant="b", lease=_LEASE, limit=2
        )
        assert (by_due[4].id,) == store.claim_due(now, claimant="c", lease=_LEASE, limit=10)

    def test_claim_due_refuses_bad_arguments(self, store: ComplaintStore) -> None:
        """A naive instant, an empty claimant, a non-positive lease or limit are refused."""
        with pytest.raises(ValidationError):
            store.claim_due(datetime(2025, 1, 1), claimant="a", lease=_LEASE)  # noqa: DTZ001 - naive on purpose
        with pytest.raises(ValidationError):
            store.claim_due(T0, claimant="", lease=_LEASE)
        with pytest.raises(ValidationError):
            store.claim_due(T0, claimant="a", lease=timedelta(0))
        with pytest.raises(ValidationError):
            store.claim_due(T0, claimant="a", lease=_LEASE, limit=0)

    # ----------------------------------------------------------------------- close

    def test_closed_store_refuses_work(self, store: ComplaintStore) -> None:
        """After close, operations raise StorageError; closing again is harmless."""
        _submitted(store, "close-1")
        store.close()
        with pytest.raises(StorageError):
            store.load(ComplaintId("close-1"))
        with pytest.raises(StorageError):
            store.get(ComplaintId("close-1"))
        store.close()
