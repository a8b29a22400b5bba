# ruff: noqa: S101 - a pytest suite: plain asserts are how pytest reports failures
"""
The idempotency keys' part of the contract: a key is used once, with its append.

Requirement 6 of :mod:`lapor_core.storage.base`, and the atomicity of requirement 1 when
the key is what refuses the append.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from lapor_core.domain.commands import Classify, Forward
from lapor_core.domain.model import ComplaintId
from lapor_core.errors import ConcurrencyConflict, NotFound, ValidationError
from lapor_core.storage.base import ComplaintStore
from lapor_core.testing.store_contract._helpers import NATIONAL, OWNER, submitted
from lapor_core.testing.store_contract.base import StoreContract
from lapor_core.testing.store_contract.drafts import T0, Draft, submit_command

__all__ = ["IdempotencyContract"]


class IdempotencyContract(StoreContract):
    """
    Idempotency keys: recorded with their append, never used twice (requirement 6).

    .. versionadded:: 0.1.0
    """

    def test_idempotency_key_returns_the_first_result(self, store: ComplaintStore) -> None:
        """A key is recorded with its append; reusing it conflicts and writes nothing."""
        assert store.idempotency("sub-1") is None
        draft = Draft()
        draft.write(store, OWNER, submit_command("idem-1"), T0, idempotency_key="sub-1")
        assert (draft.id, 1) == store.idempotency("sub-1")
        retry = Draft()
        events = retry.do(OWNER, submit_command("idem-2"), T0)
        with pytest.raises(ConcurrencyConflict):
            store.append(retry.id, 0, events, retry.row, idempotency_key="sub-1")
        assert store.load(retry.id) == ()
        later = draft.do(
            NATIONAL, Classify(complaint_id=draft.id, title="Judul"), T0 + timedelta(hours=1)
        )
        with pytest.raises(ConcurrencyConflict):
            store.append(draft.id, 1, later, draft.row, idempotency_key="sub-1")
        assert len(store.load(draft.id)) == 1
        assert (draft.id, 1) == store.idempotency("sub-1")
        store.append(draft.id, 1, later, draft.row, idempotency_key="classify-1")
        assert (draft.id, 2) == store.idempotency("classify-1")

    def test_duplicate_key_makes_the_whole_batch_fail(self, store: ComplaintStore) -> None:
        """A multi-event append whose idempotency key is taken writes none of its events."""
        submitted(store, "first-1")
        first = Draft()
        first.write(store, OWNER, submit_command("first-2"), T0, idempotency_key="k-1")
        log_before = store.read_all()
        draft = Draft()
        events = (
            *draft.do(OWNER, submit_command("second-1"), T0),
            *draft.do(
                NATIONAL,
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

    def test_bulk_append_records_idempotency_keys(self, store: ComplaintStore) -> None:
        """A bulk append (where the store has one) records each complaint's key with it."""
        append_many = getattr(store, "append_many", None)
        if append_many is None:
            pytest.skip("this store has no append_many")
        drafts = [Draft() for _ in range(3)]
        batches = []
        for n, draft in enumerate(drafts):
            events = draft.do(OWNER, submit_command(f"bulk-key-{n}"), T0 + timedelta(minutes=n))
            batches.append((draft.id, 0, events, draft.row))
        keys = {drafts[0].id: "bulk-k-0", drafts[2].id: "bulk-k-2"}
        assert append_many(batches, idempotency_keys=keys) == 3
        assert (drafts[0].id, 1) == store.idempotency("bulk-k-0")
        assert (drafts[2].id, 1) == store.idempotency("bulk-k-2")
        for draft in drafts:
            assert tuple(draft.events) == store.load(draft.id)

    def test_bulk_append_with_a_used_key_writes_nothing(self, store: ComplaintStore) -> None:
        """A bulk append carrying a key used before raises a conflict and writes no batch."""
        append_many = getattr(store, "append_many", None)
        if append_many is None:
            pytest.skip("this store has no append_many")
        first = Draft()
        first.write(store, OWNER, submit_command("bulk-used-0"), T0, idempotency_key="used-k")
        drafts = [Draft() for _ in range(2)]
        batches = []
        for n, draft in enumerate(drafts):
            events = draft.do(OWNER, submit_command(f"bulk-used-{n + 1}"), T0)
            batches.append((draft.id, 0, events, draft.row))
        log_before = store.read_all()
        keys = {drafts[0].id: "fresh-k", drafts[1].id: "used-k"}
        with pytest.raises(ConcurrencyConflict):
            append_many(batches, idempotency_keys=keys)
        assert log_before == store.read_all()
        assert store.idempotency("fresh-k") is None
        assert (first.id, 1) == store.idempotency("used-k")
        for draft in drafts:
            assert store.load(draft.id) == ()
            with pytest.raises(NotFound):
                store.get(draft.id)

    def test_bulk_append_refuses_malformed_keys(self, store: ComplaintStore) -> None:
        """One key for two complaints, an empty key or a key of no batch is refused."""
        append_many = getattr(store, "append_many", None)
        if append_many is None:
            pytest.skip("this store has no append_many")
        drafts = [Draft() for _ in range(2)]
        batches = []
        for n, draft in enumerate(drafts):
            events = draft.do(OWNER, submit_command(f"bulk-bad-{n}"), T0)
            batches.append((draft.id, 0, events, draft.row))
        for keys in (
            {drafts[0].id: "same", drafts[1].id: "same"},
            {drafts[0].id: ""},
            {ComplaintId("not-in-the-batches"): "k"},
        ):
            with pytest.raises(ValidationError):
                append_many(batches, idempotency_keys=keys)
        assert store.read_all() == ()
