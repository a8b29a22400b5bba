"""
The store contract fails wrong backends: mutated copies of the real stores.

Each mutant breaks one rule the contract states; the contract test that guards the rule
must fail on it (with an ``AssertionError`` or ``pytest.fail``), and in bounded time.
"""

from __future__ import annotations

import contextlib
import textwrap
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import attrs
import pytest

from helpers import denied
from lapor_core.domain.model import ComplaintId
from lapor_core.storage import ComplaintStore
from lapor_core.storage.base import ComplaintRow, StoredEvent
from lapor_core.storage.memory import InMemoryStore
from lapor_core.storage.sqlite import SQLiteStore
from lapor_core.testing.store_contract import (
    DriverErrorsContract,
    DueClaimsContract,
    EventRecorderContract,
)

pytest_plugins = ["pytester"]


class InclusiveReadAll(InMemoryStore):
    """``read_all`` treats *after* as inclusive: paging never ends."""

    def read_all(self, after: int = 0, limit: int = 1000) -> tuple[StoredEvent, ...]:
        return super().read_all(max(after - 1, 0), limit)


class ClaimsInIdOrder(InMemoryStore):
    """``claim_due`` hands out due complaints in id order, not earliest due first."""

    def claim_due(
        self, now: datetime, *, claimant: str, lease: timedelta, limit: int = 100
    ) -> tuple[ComplaintId, ...]:
        everything = super().claim_due(now, claimant=claimant, lease=lease, limit=10_000)
        chosen = tuple(sorted(everything, key=lambda cid: cid.value)[:limit])
        for cid in set(everything) - set(chosen):  # release what is not handed out
            del self._claims[cid]
        return chosen


class NaiveRows(InMemoryStore):
    """Rows come back with their instants' zone dropped."""

    def get(self, complaint_id: ComplaintId) -> ComplaintRow:
        row = super().get(complaint_id)
        return attrs.evolve(
            row,
            submitted_at=row.submitted_at.replace(tzinfo=None),
            updated_at=row.updated_at.replace(tzinfo=None),
        )


class UnwrappedSQLite(SQLiteStore):
    """The SQLite store with its translation of driver errors removed."""

    def _errors(self, what: str) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()


def _fails(test: Callable[[ComplaintStore], None], store: ComplaintStore) -> str:
    """The failure *test* reports on *store* (the test must not pass)."""
    try:
        test(store)
    except (AssertionError, pytest.fail.Exception) as failure:
        return str(failure)
    finally:
        with contextlib.suppress(Exception):
            store.close()
    raise AssertionError(f"the contract passed a wrong store: {type(store).__name__}")


class _Recorder(EventRecorderContract):
    def make_store(self) -> ComplaintStore:
        return InMemoryStore()


class _Claims(DueClaimsContract):
    def make_store(self) -> ComplaintStore:
        return InMemoryStore()


class _Drivers(DriverErrorsContract):
    def make_store(self) -> ComplaintStore:
        return InMemoryStore()

    def failing_driver(self, store: ComplaintStore) -> contextlib.AbstractContextManager[None]:
        return denied(store)


def test_a_read_all_that_repeats_fails_instead_of_hanging() -> None:
    message = _fails(_Recorder().test_read_all_is_in_global_order_and_pages, InclusiveReadAll())
    assert "returned position" in message


def test_the_real_read_all_passes() -> None:
    store = InMemoryStore()
    _Recorder().test_read_all_is_in_global_order_and_pages(store)


def test_claims_in_id_order_fail() -> None:
    message = _fails(_Claims().test_claim_due_respects_limit_and_order, ClaimsInIdOrder())
    assert "lim-" in message


def test_naive_rows_fail() -> None:
    message = _fails(_Recorder().test_rows_keep_their_instants, NaiveRows())
    assert "naive instants in the row" in message


def test_driver_errors_that_leak_fail(tmp_path: Path) -> None:
    message = _fails(
        _Drivers().test_driver_errors_become_lapor_errors,
        UnwrappedSQLite(tmp_path / "lapor.sqlite3"),
    )
    assert "sqlite3" in message
    assert "not authorized" in message


def test_a_failing_contract_shows_the_values(pytester: pytest.Pytester) -> None:
    """Installed, the contract's asserts are rewritten: the failure shows both sides."""
    pytester.makepyfile(
        test_wrong_store=textwrap.dedent(
            """
            from lapor_core.storage.memory import InMemoryStore
            from lapor_core.testing.store_contract import DueClaimsContract


            class ClaimsBackwards(InMemoryStore):
                def claim_due(self, now, *, claimant, lease, limit=100):
                    return tuple(reversed(super().claim_due(
                        now, claimant=claimant, lease=lease, limit=limit)))


            class TestWrongStore(DueClaimsContract):
                def make_store(self):
                    return ClaimsBackwards()
            """
        )
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) >= 2  # the due order is wrong in more than one test
    assert "test_claim_due_respects_limit_and_order FAILED" in result.stdout.str() or (
        "FAILED test_wrong_store.py::TestWrongStore::test_claim_due_respects_limit_and_order"
        in result.stdout.str()
    )
    output = result.stdout.str()
    assert "At index 0 diff: ComplaintId(value='lim-" in output
    assert "PytestAssertRewriteWarning" not in output
