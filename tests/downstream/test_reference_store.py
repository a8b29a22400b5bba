"""
A third-party backend, the smallest that passes the whole store contract.

(It leaves out the one optional capability, :class:`~lapor_core.storage.base.SnapshotTailStore`:
the contract's two ``load_latest`` tests skip, and the service reads its snapshot and the
events after it in two calls.)

:class:`DocumentStore` is what a backend author writes for a key-value database: every
complaint's stream, row, claim and snapshot is one JSON text under one key of a
``MutableMapping[str, str]`` (a ``dict`` here; a database client in real life). It uses
only the public helpers of :mod:`lapor_core.storage.support`, the codecs of
:mod:`lapor_core.storage.codec` and :mod:`lapor_core.storage.snapshots`, and shows the
minimum a backend needs:

- the argument checks run before anything is read or written, so it refuses exactly what
  the shipped stores refuse;
- one lock makes it safe from several threads; each write is staged and applied in one
  ``update`` (a real database would use a transaction);
- every access of the mapping goes through :meth:`DocumentStore._guard`, which turns the
  driver's ``OSError`` into :class:`~lapor_core.errors.StorageError` (requirement 8), and
  :meth:`TestDocumentStore.failing_driver` gives the contract a way to break the driver;
- queries are filtered by :func:`~lapor_core.storage.support.row_matches` and ``verify``
  is :func:`~lapor_core.storage.support.verify_streams`.

Keys: ``meta/log`` (the last global position), ``log/{position}`` (which complaint and
version a position holds), ``stream/{id}``, ``row/{id}``, ``key/{idempotency key}``,
``claim/{id}`` and ``snap/{id}``.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest

from lapor_core.domain.complaint import Complaint
from lapor_core.domain.events import Event
from lapor_core.domain.model import ComplaintId
from lapor_core.errors import ConcurrencyConflict, NotFound, StorageError
from lapor_core.service import BulkStore
from lapor_core.storage.base import (
    ComplaintQuery,
    ComplaintRow,
    ComplaintStore,
    Page,
    Projector,
    SnapshotStore,
    SnapshotTailStore,
    StoredEvent,
    VerifyReport,
    VersionPage,
)
from lapor_core.storage.codec import decode_event, decode_row, encode_event, encode_row
from lapor_core.storage.snapshots import check_snapshot, decode_state, encode_state, fingerprint
from lapor_core.storage.support import (
    AppendBatch,
    check_append,
    check_batches,
    check_claim,
    check_idempotency_keys,
    check_query_window,
    decode_cursor,
    encode_cursor,
    from_micros,
    row_matches,
    to_micros,
    verify_streams,
)
from lapor_core.testing.store_contract import ComplaintStoreContract

Write = tuple[ComplaintId, int, Sequence[Event], ComplaintRow]


class DocumentStore:
    """A complaint store over a mapping of JSON texts (see the module docstring)."""

    def __init__(self, data: MutableMapping[str, str] | None = None) -> None:
        """Keep the store in *data* (a new ``dict`` by default)."""
        self.data: MutableMapping[str, str] = {} if data is None else data
        self._lock = threading.Lock()
        self._closed = False

    # ------------------------------------------------------------ the driver boundary

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """Hold the lock, refuse work once closed, and never let a driver error out."""
        with self._lock:
            if self._closed:
                raise StorageError("the document store is closed")
            try:
                yield
            except OSError as exc:
                raise StorageError("the document store failed: {reason}", reason=exc) from None

    def _json(self, key: str) -> object:
        text = self.data.get(key)
        return None if text is None else json.loads(text)

    def _stream(self, complaint_id: ComplaintId) -> list[dict[str, object]]:
        records = self._json(f"stream/{complaint_id.value}")
        return records if isinstance(records, list) else []

    def _row(self, complaint_id: ComplaintId) -> ComplaintRow | None:
        text = self.data.get(f"row/{complaint_id.value}")
        return None if text is None else decode_row(text)

    def _rows(self) -> list[ComplaintRow]:
        return [decode_row(self.data[key]) for key in list(self.data) if key.startswith("row/")]

    # ------------------------------------------------------------------------ writes

    def _check_versions(self, writes: Iterable[Write], keys: Iterable[str]) -> None:
        for complaint_id, expected_version, _events, _row in writes:
            current = len(self._stream(complaint_id))
            if current != expected_version:
                raise ConcurrencyConflict(
                    "complaint {complaint_id} is at version {current}, not {expected}",
                    complaint_id=complaint_id,
                    current=current,
                    expected=expected_version,
                )
        for key in keys:
            if f"key/{key}" in self.data:
                raise ConcurrencyConflict("idempotency key {key!r} was already used", key=key)

    def _write(self, writes: Sequence[Write], keys: Mapping[ComplaintId, str]) -> list[StoredEvent]:
        """Stage every key the writes change, then apply them in one ``update``."""
        pending: dict[str, str] = {}
        position = int(self.data.get("meta/log", "0"))
        stored: list[StoredEvent] = []
        for complaint_id, _expected, events, row in writes:
            cid = complaint_id.value
            stream = self._stream(complaint_id)
            for event in events:
                stream.append(json.loads(encode_event(event)))
                position += 1
                stored.append(StoredEvent(position, complaint_id, len(stream), event))
                pending[f"log/{position:012d}"] = json.dumps([cid, len(stream)])
            pending[f"stream/{cid}"] = json.dumps(stream)
            pending[f"row/{cid}"] = json.dumps(encode_row(row))
            if complaint_id in keys:
                pending[f"key/{keys[complaint_id]}"] = json.dumps([cid, row.version])
        pending["meta/log"] = str(position)
        self.data.update(pending)
        for complaint_id, *_rest in writes:  # a rewritten row is no longer claimed
            self.data.pop(f"claim/{complaint_id.value}", None)
        return stored

    def append(
        self,
        complaint_id: ComplaintId,
        expected_version: int,
        events: Sequence[Event],
        row: ComplaintRow,
        *,
        idempotency_key: str | None = None,
    ) -> tuple[StoredEvent, ...]:
        """Append events and write the projection row atomically."""
        check_append(complaint_id, expected_version, events, row, idempotency_key)
        write = (complaint_id, expected_version, events, row)
        keys = {} if idempotency_key is None else {complaint_id: idempotency_key}
        with self._guard():
            self._check_versions([write], keys.values())
            return tuple(self._write([write], keys))

    def append_many(
        self,
        batches: Iterable[AppendBatch],
        *,
        idempotency_keys: Mapping[ComplaintId, str] | None = None,
    ) -> int:
        """Append many complaints' events and rows, all or nothing."""
        checked = check_batches(batches)
        keys = check_idempotency_keys(checked, idempotency_keys)
        with self._guard():
            self._check_versions(checked, keys.values())
            return len(self._write(checked, keys))

    # ------------------------------------------------------------------------- reads

    def load(self, complaint_id: ComplaintId) -> tuple[Event, ...]:
        """A stream's events in order; empty when the complaint does not exist."""
        with self._guard():
            return tuple(decode_event(record) for record in self._stream(complaint_id))

    def load_after(self, complaint_id: ComplaintId, version: int) -> tuple[Event, ...]:
        """A stream's events after *version*."""
        check_query_window(version, 1)
        return self.load(complaint_id)[version:]

    def get(self, complaint_id: ComplaintId) -> ComplaintRow:
        """The projection row, or :class:`NotFound`."""
        with self._guard():
            row = self._row(complaint_id)
        if row is None:
            raise NotFound("complaint {complaint_id} does not exist", complaint_id=complaint_id)
        return row

    def query(self, query: ComplaintQuery) -> Page:
        """Matching rows ordered by ``submitted_at`` then id, one page."""
        after = decode_cursor(query.cursor) if query.cursor is not None else None
        with self._guard():
            rows = self._rows()
        ordered = sorted(rows, key=lambda row: (to_micros(row.submitted_at), row.id.value))
        items = [
            row
            for row in ordered
            if (after is None or (to_micros(row.submitted_at), row.id.value) > after)
            and row_matches(row, query)
        ][: query.limit + 1]
        if len(items) <= query.limit:
            return Page(tuple(items), None)
        last = items[query.limit - 1]
        return Page(tuple(items[: query.limit]), encode_cursor(last.submitted_at, last.id))

    def versions(self, query: ComplaintQuery) -> VersionPage:
        """The page :meth:`query` would return, as ids, versions and categories."""
        return VersionPage.of(self.query(query))

    def read_all(self, after: int = 0, limit: int = 1000) -> tuple[StoredEvent, ...]:
        """Events in global order with position greater than *after*."""
        check_query_window(after, limit)
        with self._guard():
            last = min(int(self.data.get("meta/log", "0")), after + limit)
            found: list[StoredEvent] = []
            streams: dict[str, list[dict[str, object]]] = {}
            for position in range(after + 1, last + 1):
                cid, version = json.loads(self.data[f"log/{position:012d}"])
                complaint_id = ComplaintId(cid)
                stream = streams.setdefault(cid, self._stream(complaint_id))
                event = decode_event(stream[version - 1])
                found.append(StoredEvent(position, complaint_id, version, event))
            return tuple(found)

    def idempotency(self, key: str) -> tuple[ComplaintId, int] | None:
        """The (complaint, version after the append) first recorded with *key*."""
        with self._guard():
            found = self._json(f"key/{key}")
        if not isinstance(found, list):
            return None
        return ComplaintId(found[0]), int(found[1])

    def claim_due(
        self, now: datetime, *, claimant: str, lease: timedelta, limit: int = 100
    ) -> tuple[ComplaintId, ...]:
        """Claim the complaints due at *now* for *claimant*, earliest due first."""
        check_claim(now, claimant, lease, limit)
        with self._guard():
            due: list[tuple[int, str]] = []
            for row in self._rows():
                if row.next_due_at is None or row.next_due_at > now:
                    continue
                claim = self._json(f"claim/{row.id.value}")
                if isinstance(claim, list) and claim[0] != claimant and from_micros(claim[1]) > now:
                    continue  # another sweeper holds it
                due.append((to_micros(row.next_due_at), row.id.value))
            chosen = [cid for _due, cid in sorted(due)[:limit]]
            until = to_micros(now + lease)
            self.data.update({f"claim/{cid}": json.dumps([claimant, until]) for cid in chosen})
            return tuple(ComplaintId(cid) for cid in chosen)

    def verify(self, projector: Projector | None = None) -> VerifyReport:
        """Every stream decoded, versions contiguous, rows equal to a replay."""
        with self._guard():
            ids = {key.split("/", 1)[1] for key in list(self.data) if key[:4] in ("stre", "row/")}
        return verify_streams(
            [ComplaintId(cid) for cid in sorted(ids)], self.load, self.get, projector
        )

    def close(self) -> None:
        """Refuse work from now on (the data stays where it is)."""
        with self._lock:
            self._closed = True

    # --------------------------------------------------------------------- snapshots

    def save_snapshot(self, state: Complaint) -> None:
        """Keep *state* unless a snapshot of this code at a later version is kept."""
        check_snapshot(state)
        mark = fingerprint()
        with self._guard():
            old = self._json(f"snap/{state.id.value}")
            if isinstance(old, dict) and old["mark"] == mark and old["version"] > state.version:
                return
            snapshot = {"mark": mark, "version": state.version, "state": encode_state(state)}
            self.data[f"snap/{state.id.value}"] = json.dumps(snapshot)

    def load_snapshot(self, complaint_id: ComplaintId) -> Complaint | None:
        """The snapshot made by this code and within the stream, or ``None``."""
        with self._guard():
            found = self._json(f"snap/{complaint_id.value}")
            if not isinstance(found, dict) or found["mark"] != fingerprint():
                return None
            if found["version"] > len(self._stream(complaint_id)):
                return None
            return decode_state(found["state"])


class BrokenDriver(MutableMapping[str, str]):
    """A mapping whose every access fails, as a lost connection does."""

    def __getitem__(self, key: str) -> str:
        raise ConnectionResetError("connection reset by peer")

    def __setitem__(self, key: str, value: str) -> None:
        raise ConnectionResetError("connection reset by peer")

    def __delitem__(self, key: str) -> None:
        raise ConnectionResetError("connection reset by peer")

    def __iter__(self) -> Iterator[str]:
        raise ConnectionResetError("connection reset by peer")

    def __len__(self) -> int:
        raise ConnectionResetError("connection reset by peer")


class TestDocumentStore(ComplaintStoreContract):
    """The whole public contract, run on the reference backend."""

    def make_store(self) -> ComplaintStore:
        return DocumentStore()

    def failing_driver(self, store: ComplaintStore) -> contextlib.AbstractContextManager[None]:
        assert isinstance(store, DocumentStore)
        return _broken(store)


@contextlib.contextmanager
def _broken(store: DocumentStore) -> Iterator[None]:
    working, store.data = store.data, BrokenDriver()
    try:
        yield
    finally:
        store.data = working


def test_the_reference_store_is_every_kind_of_store_the_service_needs() -> None:
    store = DocumentStore()
    assert isinstance(store, ComplaintStore)
    assert isinstance(store, SnapshotStore)
    assert isinstance(store, BulkStore)
    assert not isinstance(store, SnapshotTailStore)  # optional: see the next test


def test_a_service_over_a_store_without_load_latest_reads_snapshot_and_tail_apart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without ``load_latest`` the service asks ``load_snapshot``, then ``load_after``."""
    import lapor_core as lc  # noqa: PLC0415 - the service, only for this test
    from lapor_core.domain.complaint import replay  # noqa: PLC0415
    from lapor_core.testing.store_contract._helpers import NATIONAL, OWNER  # noqa: PLC0415
    from lapor_core.testing.store_contract.drafts import T0, submit_command  # noqa: PLC0415

    store = DocumentStore()
    profile, registry = lc.load_profile("national"), lc.load_registry("kaltim")
    writer = lc.ComplaintService(store, profile, registry, snapshot_every=2)
    cid = ComplaintId("ref-1")
    writer.handle(submit_command(cid.value), OWNER, now=T0)
    for n in range(4):
        retitle = lc.Classify(complaint_id=cid, title=f"Judul {n}")
        writer.handle(retitle, NATIONAL, now=T0 + timedelta(minutes=n + 1))
    snapshot = store.load_snapshot(cid)
    assert snapshot is not None
    assert snapshot.version == 4
    asked: list[str] = []
    for name in ("load_snapshot", "load_after", "load"):
        real = getattr(store, name)

        def spy(*args: object, _real: Any = real, _name: str = name) -> object:
            asked.append(_name)
            return _real(*args)

        monkeypatch.setattr(store, name, spy)
    reader = lc.ComplaintService(store, profile, registry, snapshot_every=2, cache_size=0)
    state = reader.get(cid)
    assert asked == ["load_snapshot", "load_after", "load"]  # its load_after reads the stream
    assert state == replay(store.load(cid))


def test_a_driver_error_says_what_failed_and_leaves_the_data_alone() -> None:
    store = DocumentStore({"meta/log": "0"})
    with _broken(store), pytest.raises(StorageError, match="connection reset by peer"):
        store.read_all()
    assert store.data == {"meta/log": "0"}
    assert store.read_all() == ()


class UnguardedStore(DocumentStore):
    """The reference store without its translation of driver errors (a wrong backend)."""

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        with self._lock:
            if self._closed:
                raise StorageError("the document store is closed")
            yield


def test_the_contract_fails_a_store_that_lets_driver_errors_out() -> None:
    contract = TestDocumentStore()
    store = UnguardedStore()
    with pytest.raises(pytest.fail.Exception) as failure:
        contract.test_driver_errors_become_lapor_errors(store)
    assert "ConnectionResetError: connection reset by peer" in str(failure.value)
    contract.test_driver_errors_become_lapor_errors(DocumentStore())  # the real one passes
