"""
Storing histories decided elsewhere: ``History``, ``record_history`` and ``record_histories``.

The importer decides a complaint's past with the service's context and stores it at
once. These tests pin what the service checks and what it writes, so that mutation
testing of ``lapor_core.service`` (``bench/mutation.py service``) finds a test for each
change: a state given with the events is used as it is, a state of another complaint or
another version is refused word for word, a bulk write stores every stream with its
row and key in one transaction or nothing, and listeners hear each complaint after the
commit, in order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import cast

import attrs
import pytest

import lapor_core as lc
from helpers import LoadCountingStore, refused, regional_submit
from lapor_core.service import ComplaintService, History, ManualClock
from lapor_core.storage.base import ComplaintStore
from lapor_core.storage.memory import InMemoryStore
from lapor_core.storage.support import AppendBatch

PROFILE = lc.load_profile("national")
REGISTRY = lc.load_registry("kaltim")
CTX = lc.Context.create(PROFILE, REGISTRY)
T0 = datetime(2025, 5, 5, 2, 0, tzinfo=UTC)  # Monday
CITIZEN = lc.Actor.reporter("pelapor")
NATIONAL = lc.Actor.national_admin("nas")


def _past(cid: str, *, forwarded: bool = True) -> tuple[lc.Complaint, tuple[lc.Event, ...]]:
    """A complaint's past, decided at historical instants, and the state it leads to."""
    steps: list[tuple[lc.Actor, lc.Command, datetime]] = [
        (CITIZEN, regional_submit(cid), T0 - timedelta(days=30)),
    ]
    if forwarded:
        forward = lc.Forward(complaint_id=lc.ComplaintId(cid), agencies=("samarinda",))
        steps.append((NATIONAL, forward, T0 - timedelta(days=29)))
    state: lc.Complaint | None = None
    events: list[lc.Event] = []
    for actor, command, at in steps:
        for event in lc.decide(state, command, actor, at, CTX):
            state = lc.evolve(state, event)
            events.append(event)
    assert state is not None
    return state, tuple(events)


def _service(store: ComplaintStore | None = None) -> ComplaintService:
    return ComplaintService(
        store if store is not None else InMemoryStore(), PROFILE, REGISTRY, clock=ManualClock(T0)
    )


# ------------------------------------------------------------------------ History


def test_a_history_without_a_state_replays_its_events() -> None:
    state, events = _past("h-1")
    assert History(events).state() == state


def test_a_history_uses_the_state_it_is_given() -> None:
    """The caller decided the events: its state is returned, not a replay of them."""
    state, events = _past("h-1")
    history = History(events, "import:h-1", state)
    assert history.state() is state
    assert history.idempotency_key == "import:h-1"


def test_a_state_of_another_complaint_is_refused() -> None:
    other, _ = _past("h-2")
    _, events = _past("h-1")
    error = refused(History(events, complaint=other).state)
    assert type(error) is lc.ValidationError
    assert str(error) == "the state given is of h-2, not of the events' complaint"
    assert dict(error.fields) == {"state_id": other.id}


def test_a_state_at_another_version_is_refused() -> None:
    earlier, _ = _past("h-1", forwarded=False)
    _, events = _past("h-1")
    error = refused(History(events, complaint=earlier).state)
    assert type(error) is lc.ValidationError
    assert str(error) == "the state given of h-1 is at version 1, not 2"
    assert dict(error.fields) == {"state_id": earlier.id, "version": 1, "count": 2}


# ----------------------------------------------------------------- record_history


def test_record_history_with_a_state_stores_it_and_its_row() -> None:
    service = _service()
    heard: list[Sequence[lc.Event]] = []
    service.on_events(heard.append)
    state, events = _past("h-1")
    result = service.record_history(events, idempotency_key="import:h-1", complaint=state)
    assert result.complaint is state
    assert result.events == events
    assert not result.duplicate
    assert service.store.load(state.id) == events
    assert service.store.idempotency("import:h-1") == (state.id, 2)
    row = service.store.get(state.id)
    assert (row.version, row.status, row.responsible) == (2, lc.Status.FORWARDED, "samarinda")
    assert [tuple(batch) for batch in heard] == [events]
    assert service.get(state.id) == state


def test_record_history_refuses_a_key_used_for_another_complaint_word_for_word() -> None:
    service = _service()
    service.record_history(_past("h-1")[1], idempotency_key="import:1")
    before = service.store.read_all()
    error = refused(lambda: service.record_history(_past("h-2")[1], idempotency_key="import:1"))
    assert type(error) is lc.ValidationError
    assert str(error) == "idempotency key 'import:1' was used for complaint h-1, not h-2"
    assert dict(error.fields) == {
        "key": "import:1",
        "used_for": lc.ComplaintId("h-1"),
        "complaint_id": lc.ComplaintId("h-2"),
    }
    assert service.store.read_all() == before


def test_record_history_answers_a_key_seen_before_with_the_stored_complaint() -> None:
    service = _service()
    state, events = _past("h-1")
    service.record_history(events, idempotency_key="import:h-1")
    heard: list[Sequence[lc.Event]] = []
    service.on_events(heard.append)
    again = service.record_history(events, idempotency_key="import:h-1")
    assert again.duplicate
    assert again.events == ()
    assert again.complaint == state
    assert heard == []
    assert len(service.store.read_all()) == len(events)


# ---------------------------------------------------------------- record_histories


class _NoBulk:
    """A store without ``append_many``: every method delegates to an in-memory one."""

    def __init__(self) -> None:
        self._inner = InMemoryStore()

    def __getattr__(self, name: str) -> object:
        if name == "append_many":
            raise AttributeError(name)
        return getattr(self._inner, name)


def test_record_histories_needs_a_store_with_append_many() -> None:
    store = cast("ComplaintStore", _NoBulk())
    service = ComplaintService(store, PROFILE, REGISTRY, clock=ManualClock(T0))
    error = refused(lambda: service.record_histories([History(_past("h-1")[1])]))
    assert type(error) is lc.ValidationError
    assert str(error) == "_NoBulk has no append_many"
    assert dict(error.fields) == {"type_name": "_NoBulk"}


def test_record_histories_of_nothing_writes_nothing() -> None:
    service = _service()
    assert service.record_histories([]) == ()
    assert service.store.read_all() == ()


class _RecordingStore(InMemoryStore):
    """An in-memory store that keeps the batches ``append_many`` was given."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[list[AppendBatch], dict[lc.ComplaintId, str]]] = []

    def append_many(
        self,
        batches: Iterable[AppendBatch],
        *,
        idempotency_keys: Mapping[lc.ComplaintId, str] | None = None,
    ) -> int:
        batches = list(batches)
        self.calls.append((batches, dict(idempotency_keys or {})))
        return super().append_many(batches, idempotency_keys=idempotency_keys)


def test_record_histories_stores_every_stream_row_and_key_in_one_write() -> None:
    store = _RecordingStore()
    service = _service(store)
    heard: list[Sequence[lc.Event]] = []
    service.on_events(heard.append)
    first_state, first = _past("h-1")
    second_state, second = _past("h-2", forwarded=False)
    results = service.record_histories(
        [History(first, "import:h-1"), History(second, complaint=second_state)]
    )
    assert len(store.calls) == 1
    batches, keys = store.calls[0]
    assert [(cid, version, events) for cid, version, events, _row in batches] == [
        (first_state.id, 0, first),
        (second_state.id, 0, second),
    ]
    assert [row.version for *_rest, row in batches] == [2, 1]
    assert [row.status for *_rest, row in batches] == [lc.Status.FORWARDED, lc.Status.SUBMITTED]
    assert keys == {first_state.id: "import:h-1"}
    assert [(r.complaint, r.events, r.duplicate) for r in results] == [
        (first_state, first, False),
        (second_state, second, False),
    ]
    assert results[1].complaint is second_state
    assert store.load(first_state.id) == first
    assert store.load(second_state.id) == second
    assert store.idempotency("import:h-1") == (first_state.id, 2)
    assert store.get(second_state.id).status is lc.Status.SUBMITTED
    assert [tuple(batch) for batch in heard] == [first, second]
    assert service.get(first_state.id) == first_state


def test_record_histories_writes_nothing_when_one_complaint_exists() -> None:
    service = _service()
    service.record_history(_past("h-1")[1])
    before = service.store.read_all()
    heard: list[Sequence[lc.Event]] = []
    service.on_events(heard.append)
    with pytest.raises(lc.ConcurrencyConflict):
        service.record_histories([History(_past("h-2")[1]), History(_past("h-1")[1])])
    assert service.store.read_all() == before
    assert heard == []
    with pytest.raises(lc.NotFound):
        service.get(lc.ComplaintId("h-2"))


def test_record_histories_checks_each_state_before_writing() -> None:
    service = _service()
    other, _ = _past("h-9")
    error = refused(
        lambda: service.record_histories(
            [History(_past("h-1")[1]), History(_past("h-2")[1], complaint=other)]
        )
    )
    assert str(error) == "the state given is of h-9, not of the events' complaint"
    assert service.store.read_all() == ()


def test_a_history_is_a_frozen_value() -> None:
    _, events = _past("h-1")
    history = History(list(events))
    assert history.events == events
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        history.idempotency_key = "x"  # type: ignore[misc]


def test_a_stored_history_is_cached_like_a_handled_command() -> None:
    store = LoadCountingStore()
    service = ComplaintService(store, PROFILE, REGISTRY, clock=ManualClock(T0), cache_size=4)
    state, events = _past("h-1", forwarded=False)
    service.record_history(events)
    assert service.get(state.id) == state
    assert store.reads == []
