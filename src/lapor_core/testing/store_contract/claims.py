# ruff: noqa: S101 - a pytest suite: plain asserts are how pytest reports failures
"""
The due-claims part of the contract: sweepers claim due complaints under a lease.

Requirement 7 of :mod:`lapor_core.storage.base`.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from lapor_core.domain.commands import Archive, Classify
from lapor_core.domain.model import ArchiveReason
from lapor_core.errors import ValidationError
from lapor_core.storage.base import ComplaintStore
from lapor_core.testing.store_contract._helpers import LEASE, NATIONAL, submitted
from lapor_core.testing.store_contract.base import StoreContract
from lapor_core.testing.store_contract.drafts import T0, Draft

__all__ = ["DueClaimsContract"]


class DueClaimsContract(StoreContract):
    """
    Claims of due complaints: due rows only, exclusive under a lease (requirement 7).

    .. versionadded:: 0.1.0
    """

    def _due_trio(self, store: ComplaintStore) -> tuple[Draft, Draft, Draft]:
        early = submitted(store, "due-early", T0)
        late = submitted(store, "due-late", T0 + timedelta(days=3))
        done = submitted(store, "due-done", T0)
        done.write(
            store,
            NATIONAL,
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
        assert store.claim_due(before, claimant="s-1", lease=LEASE) == ()
        assert (early.id,) == store.claim_due(early.row.next_due_at, claimant="s-2", lease=LEASE)
        far = late.row.next_due_at + timedelta(days=365)
        assert (early.id, late.id) == store.claim_due(far, claimant="s-3", lease=LEASE)

    def test_claim_is_exclusive_until_the_lease_expires(self, store: ComplaintStore) -> None:
        """A second claimant gets nothing under a live lease, and the rows once it expires."""
        early, late, _done = self._due_trio(store)
        assert late.row.next_due_at is not None
        now = late.row.next_due_at + timedelta(hours=1)
        assert (early.id, late.id) == store.claim_due(now, claimant="a", lease=LEASE)
        assert store.claim_due(now, claimant="b", lease=LEASE) == ()
        assert (
            store.claim_due(now + LEASE - timedelta(microseconds=1), claimant="b", lease=LEASE)
            == ()
        )
        assert (early.id, late.id) == store.claim_due(now + LEASE, claimant="b", lease=LEASE)
        assert store.claim_due(now + LEASE, claimant="a", lease=LEASE) == ()

    def test_append_clears_the_claim(self, store: ComplaintStore) -> None:
        """Rewriting a claimed row (an append) releases its claim."""
        early, _late, _done = self._due_trio(store)
        assert early.row.next_due_at is not None
        now = early.row.next_due_at
        assert (early.id,) == store.claim_due(now, claimant="a", lease=timedelta(days=1))
        assert store.claim_due(now, claimant="b", lease=LEASE) == ()
        early.write(store, NATIONAL, Classify(complaint_id=early.id, title="Judul"), now)
        assert early.row.next_due_at is not None
        assert early.row.next_due_at <= now
        assert (early.id,) == store.claim_due(now, claimant="b", lease=LEASE)

    def test_claim_due_respects_limit_and_order(self, store: ComplaintStore) -> None:
        """claim_due hands out at most *limit* rows, earliest due first (not in id order)."""
        drafts = [
            submitted(store, f"lim-{n}", T0 + timedelta(hours=hours))
            for n, hours in enumerate((3, 0, 4, 1, 2))
        ]
        by_due = sorted(drafts, key=lambda d: (d.row.next_due_at, d.id.value))
        now = T0 + timedelta(days=365)
        assert tuple(d.id for d in by_due[:2]) == store.claim_due(
            now, claimant="a", lease=LEASE, limit=2
        )
        assert tuple(d.id for d in by_due[2:4]) == store.claim_due(
            now, claimant="b", lease=LEASE, limit=2
        )
        assert (by_due[4].id,) == store.claim_due(now, claimant="c", lease=LEASE, limit=10)

    def test_a_claimant_renews_its_own_claim(self, store: ComplaintStore) -> None:
        """A claimant that claims a row it holds gets it again, its lease counted from now."""
        early, _late, _done = self._due_trio(store)
        assert early.row.next_due_at is not None
        now = early.row.next_due_at
        assert (early.id,) == store.claim_due(now, claimant="a", lease=LEASE)
        renewed_at = now + LEASE / 2
        assert (early.id,) == store.claim_due(renewed_at, claimant="a", lease=LEASE)
        assert store.claim_due(now + LEASE, claimant="b", lease=LEASE) == (), "lease not renewed"
        assert (early.id,) == store.claim_due(renewed_at + LEASE, claimant="b", lease=LEASE)

    def test_claim_due_refuses_bad_arguments(self, store: ComplaintStore) -> None:
        """A naive instant, an empty claimant, a non-positive lease or limit are refused."""
        with pytest.raises(ValidationError):
            store.claim_due(datetime(2025, 1, 1), claimant="a", lease=LEASE)  # noqa: DTZ001 - naive on purpose
        with pytest.raises(ValidationError):
            store.claim_due(T0, claimant="", lease=LEASE)
        with pytest.raises(ValidationError):
            store.claim_due(T0, claimant="a", lease=timedelta(0))
        with pytest.raises(ValidationError):
            store.claim_due(T0, claimant="a", lease=LEASE, limit=0)
