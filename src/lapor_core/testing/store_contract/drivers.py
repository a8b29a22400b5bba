"""
Driver errors never leak (requirement 8): a store on a failing driver raises our errors.

A backend on a database driver overrides :meth:`DriverErrorsContract.failing_driver` with
a way to make its driver fail on purpose (an SQLite authorizer that denies every
statement; a PostgreSQL schema moved away). Inside that context every operation must
raise a :class:`~lapor_core.errors.LaporError` (``StorageError``, or
``ConcurrencyConflict``/``NotFound`` where that is what the failure means), never the
driver's own exception, and once the driver works again so does the store.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import timedelta

import pytest

from lapor_core.errors import LaporError
from lapor_core.storage.base import ComplaintQuery, ComplaintStore
from lapor_core.testing.store_contract._helpers import LEASE, OWNER, submitted
from lapor_core.testing.store_contract.base import StoreContract
from lapor_core.testing.store_contract.drafts import T0, Draft, submit_command

__all__ = ["DriverErrorsContract"]


class DriverErrorsContract(StoreContract):
    """
    Requirement 8 of :mod:`lapor_core.storage.base`, through the :meth:`failing_driver` hook.

    .. versionadded:: 0.2.0
    """

    def failing_driver(
        self,
        store: ComplaintStore,  # noqa: ARG002 - the hook's signature
    ) -> contextlib.AbstractContextManager[None] | None:
        """
        A context in which *store*'s driver fails every call; ``None``: the backend has none.

        The default is ``None``, and the test of requirement 8 skips, saying so. Override
        it for a backend on a database driver.
        """
        return None

    def test_driver_errors_become_lapor_errors(self, store: ComplaintStore) -> None:
        """Every operation on a failing driver raises a LaporError; afterwards all works."""
        draft = submitted(store, "driver-1")
        failing = self.failing_driver(store)
        if failing is None:
            pytest.skip(
                f"{type(self).__name__}.failing_driver is not given: requirement 8 (driver "
                "errors become StorageError) is not checked"
            )
        later = T0 + timedelta(days=365)
        calls: dict[str, Callable[[], object]] = {
            "append": lambda: Draft().write(store, OWNER, submit_command("driver-2"), T0),
            "load": lambda: store.load(draft.id),
            "get": lambda: store.get(draft.id),
            "query": lambda: store.query(ComplaintQuery()),
            "versions": lambda: store.versions(ComplaintQuery()),
            "read_all": store.read_all,
            "idempotency": lambda: store.idempotency("driver-key"),
            "claim_due": lambda: store.claim_due(later, claimant="driver", lease=LEASE),
        }
        leaked: dict[str, str] = {}
        with failing:
            for name, call in calls.items():
                try:
                    call()
                except LaporError:
                    continue
                except Exception as exc:  # noqa: BLE001 - what leaked is the finding
                    leaked[name] = f"{type(exc).__module__}.{type(exc).__qualname__}: {exc}"
                else:
                    leaked[name] = "nothing raised: the hook did not make the driver fail"
        if leaked:
            lines = "\n".join(f"  {name}: {what}" for name, what in leaked.items())
            pytest.fail(f"driver errors leaked out of the store:\n{lines}")
        if tuple(draft.events) != store.load(draft.id):
            pytest.fail("the store does not work again once its driver does")
