# ruff: noqa: S101 - a pytest suite: plain asserts are how pytest reports failures
"""
The contract of :meth:`~lapor_core.storage.base.ComplaintStore.verify` (requirement 10).

What every backend can be made to show through the port alone: a healthy store reports
nothing, and a projection row that is not the replay of its stream is reported with its
complaint id. The damage only a backend's own tables can hold (a gap, an undecodable
payload, an event of a newer version, a truncated stream) is tested per backend.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import attrs
import pytest

from lapor_core.domain.complaint import Complaint
from lapor_core.errors import StorageError
from lapor_core.storage.base import ComplaintRow, ComplaintStore, ProblemKind, project
from lapor_core.testing.store_contract._helpers import OWNER, submitted
from lapor_core.testing.store_contract.base import StoreContract
from lapor_core.testing.store_contract.drafts import T0, Draft, context, submit_command

__all__ = ["VerificationContract"]


def _projector(complaint: Complaint) -> ComplaintRow:
    ctx = context()
    return project(complaint, ctx.calendar, ctx.profile.clocks)


class VerificationContract(StoreContract):
    """
    ``verify`` reads every stream and reports each complaint whose row is not its replay.

    .. versionadded:: 0.1.0
    """

    def test_verify_reports_nothing_on_a_healthy_store(self, store: ComplaintStore) -> None:
        """Complaints written through the port verify clean, with or without a projector."""
        drafts = [submitted(store, f"ok-{i}") for i in range(3)]
        for report in (store.verify(), store.verify(_projector)):
            assert report.problems == ()
            assert report.ok
            assert report.streams == 3
            assert sum(len(d.events) for d in drafts) == report.events

    def test_verify_reports_nothing_on_an_empty_store(self, store: ComplaintStore) -> None:
        """An empty store has nothing to report."""
        report = store.verify()
        assert (report.streams, report.events, report.problems) == (0, 0, ())

    def test_verify_reports_a_projection_out_of_date(self, store: ComplaintStore) -> None:
        """A row that differs from the replay is reported, naming the complaint and field."""
        submitted(store, "ok-1")
        draft = Draft()
        events = draft.do(OWNER, submit_command("stale-1"), T0)
        stale = attrs.evolve(draft.row, category="lain-lain", breaches=7)
        store.append(draft.id, 0, events, stale)
        report = store.verify()
        assert [(p.complaint_id.value, p.kind) for p in report.problems] == [
            ("stale-1", ProblemKind.PROJECTION)
        ]
        message = report.problems[0].message
        assert "category" in message
        assert "breaches" in message
        assert str(report.problems[0]).startswith("stale-1: projection: ")

    def test_verify_uses_the_projector_it_is_given(self, store: ComplaintStore) -> None:
        """With a projector, its row is the one compared (next_due_at included)."""
        draft = submitted(store, "due-1")
        assert draft.row.next_due_at is not None

        def no_clocks(complaint: Complaint) -> ComplaintRow:
            return attrs.evolve(_projector(complaint), next_due_at=None)

        assert store.verify().ok
        report = store.verify(no_clocks)
        assert [p.kind for p in report.problems] == [ProblemKind.PROJECTION]
        assert "next_due_at" in report.problems[0].message

    def test_verify_on_a_closed_store_raises(self, store: ComplaintStore) -> None:
        """A closed store refuses to verify with StorageError."""
        store.close()
        with pytest.raises(StorageError):
            store.verify()
