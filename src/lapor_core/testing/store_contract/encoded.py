# ruff: noqa: S101 - a pytest suite: plain asserts are how pytest reports failures
"""
The encoded bulk append's part of the contract: encode anywhere, write all or nothing.

Requirement 12 of :mod:`lapor_core.storage.base`, for a store that is an
:class:`~lapor_core.storage.base.EncodedBulkStore`; a store that is not skips these tests
with that reason.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import pickle
from datetime import timedelta

import attrs
import pytest

from lapor_core.domain.commands import Forward
from lapor_core.errors import ConcurrencyConflict, NotFound, ValidationError
from lapor_core.storage.base import ComplaintStore, EncodedBatch, EncodedBulkStore
from lapor_core.testing.store_contract._helpers import NATIONAL, OWNER, submitted
from lapor_core.testing.store_contract.base import StoreContract
from lapor_core.testing.store_contract.drafts import T0, Draft, submit_command

__all__ = ["EncodedBulkContract"]


def _encoded_store(store: ComplaintStore) -> EncodedBulkStore:
    if not isinstance(store, EncodedBulkStore):
        pytest.skip(f"{type(store).__name__} has no append_encoded (an EncodedBulkStore's)")
    return store


def _drafts(prefix: str, count: int) -> list[Draft]:
    """*count* new complaints, the odd ones forwarded too (streams of one and of two)."""
    drafts = []
    for n in range(count):
        draft = Draft()
        draft.do(OWNER, submit_command(f"{prefix}-{n}"), T0 + timedelta(minutes=n))
        if n % 2:
            forward = Forward(complaint_id=draft.id, agencies=("samarinda",))
            draft.do(NATIONAL, forward, T0 + timedelta(hours=1))
        drafts.append(draft)
    return drafts


def _encode(store: EncodedBulkStore, drafts: list[Draft]) -> list[EncodedBatch]:
    return [store.encode_batch(d.id, 0, tuple(d.events), d.row) for d in drafts]


class EncodedBulkContract(StoreContract):
    """
    ``encode_batch`` then ``append_encoded``: what ``append_many`` writes (requirement 12).

    .. versionadded:: 0.2.0
    """

    def test_encoded_batches_write_the_streams_rows_and_keys(self, store: ComplaintStore) -> None:
        """The batches, sent through pickle as a worker's would be, are written whole."""
        encoded = _encoded_store(store)
        drafts = _drafts("enc", 3)
        batches = [pickle.loads(pickle.dumps(b)) for b in _encode(encoded, drafts)]  # noqa: S301 - our own bytes
        assert batches == _encode(encoded, drafts)
        keys = {drafts[0].id: "enc-k-0", drafts[1].id: "enc-k-1"}
        written = encoded.append_encoded(batches, idempotency_keys=keys)
        assert written == sum(len(d.events) for d in drafts) == 4
        for draft in drafts:
            assert tuple(draft.events) == store.load(draft.id)
            assert draft.row == store.get(draft.id)
        assert (drafts[0].id, 1) == store.idempotency("enc-k-0")
        assert (drafts[1].id, 2) == store.idempotency("enc-k-1")
        assert [e.event for e in store.read_all()] == [e for d in drafts for e in d.events]
        assert encoded.append_encoded([]) == 0

    def test_encode_batch_checks_as_append_does(self, store: ComplaintStore) -> None:
        """A row of another version, or no events, is refused when it is encoded."""
        encoded = _encoded_store(store)
        (draft,) = _drafts("enc-bad", 1)
        stale = attrs.evolve(draft.row, version=draft.row.version + 1)
        with pytest.raises(ValidationError):
            encoded.encode_batch(draft.id, 0, tuple(draft.events), stale)
        with pytest.raises(ValidationError):
            encoded.encode_batch(draft.id, 0, (), draft.row)
        assert store.read_all() == ()

    def test_append_encoded_conflicts_write_nothing(self, store: ComplaintStore) -> None:
        """A complaint that exists, or a key used before, refuses the whole call."""
        encoded = _encoded_store(store)
        submitted(store, "enc-conflict-0")
        keyed = Draft()
        keyed.write(store, OWNER, submit_command("enc-conflict-keyed"), T0, idempotency_key="used")
        log_before = store.read_all()
        fresh = _drafts("enc-conflict-new", 2)
        again = Draft()
        again.do(OWNER, submit_command("enc-conflict-0"), T0)
        with pytest.raises(ConcurrencyConflict):
            encoded.append_encoded(_encode(encoded, [*fresh, again]))
        with pytest.raises(ConcurrencyConflict):
            encoded.append_encoded(_encode(encoded, fresh), idempotency_keys={fresh[1].id: "used"})
        assert log_before == store.read_all()
        assert (keyed.id, 1) == store.idempotency("used")
        for draft in fresh:
            assert store.load(draft.id) == ()
            with pytest.raises(NotFound):
                store.get(draft.id)

    def test_append_encoded_refuses_what_it_cannot_write(self, store: ComplaintStore) -> None:
        """Another backend's batch, a complaint twice, or not a batch at all: nothing written."""
        encoded = _encoded_store(store)
        drafts = _drafts("enc-refused", 2)
        batches = _encode(encoded, drafts)
        foreign = attrs.evolve(batches[1], backend=f"not-{batches[1].backend}")
        for refused in ([batches[0], foreign], [batches[0], batches[0]], [batches[0], "rows"]):
            with pytest.raises(ValidationError):
                encoded.append_encoded(refused)  # type: ignore[arg-type]  # the point
        assert store.read_all() == ()
