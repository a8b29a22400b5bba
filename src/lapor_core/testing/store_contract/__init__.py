# ruff: noqa: S101, E402 - a pytest suite (plain asserts); the rewrite is registered first
"""
The contract every complaint store must pass, as an importable pytest suite.

Subclass :class:`ComplaintStoreContract` in a test module, name the subclass
``Test...`` and implement :meth:`~ComplaintStoreContract.make_store`::

    class TestMyStore(ComplaintStoreContract):
        def make_store(self) -> ComplaintStore:
            return MyStore()

Importing this package registers its modules for pytest's assert rewriting, so a
failing backend sees the values compared (pytest rewrites only test files and
``conftest.py`` on its own); nothing else is needed in the backend's test module. Every
loop of the suite is bounded: a backend that pages forever fails instead of hanging.

The tests follow the numbered requirements of :mod:`lapor_core.storage.base`. They build
complaints with the real domain (``decide`` on the national profile and the Kalimantan
Timur registry) and rows with :func:`~lapor_core.storage.base.project`
(:mod:`~lapor_core.testing.store_contract.drafts`).

:class:`ComplaintStoreContract` combines one contract class per concept, each a module
of this package and each usable on its own (subclass it the same way):

- :class:`~lapor_core.testing.store_contract.recorder.EventRecorderContract`: appends,
  streams and the global log (requirements 1, 2, 3 and 5);
- :class:`~lapor_core.testing.store_contract.projection.ProjectionContract`: the
  projection rows and the queries over them (requirements 3 and 4);
- :class:`~lapor_core.testing.store_contract.idempotency.IdempotencyContract`: idempotency
  keys (requirement 6);
- :class:`~lapor_core.testing.store_contract.claims.DueClaimsContract`: the sweepers'
  claims of due complaints (requirement 7);
- :class:`~lapor_core.testing.store_contract.verification.VerificationContract`:
  ``verify`` (requirement 10);
- :class:`~lapor_core.testing.store_contract.bounds.ReadBoundsContract`: the bounds of
  ``read_all`` (requirement 5);
- :class:`~lapor_core.testing.store_contract.snapshots.SnapshotContract`: snapshots and
  the events after them (requirement 11);
- :class:`~lapor_core.testing.store_contract.encoded.EncodedBulkContract`: the encoded
  bulk append of an :class:`~lapor_core.storage.base.EncodedBulkStore` (requirement 12;
  skipped, with the reason, for a store that is not one);
- :class:`~lapor_core.testing.store_contract.drivers.DriverErrorsContract`: driver errors
  never leak (requirement 8), through the ``failing_driver`` hook a backend gives.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import pkgutil

import pytest

# Before the contract's modules are imported: pytest rewrites a module when it loads.
pytest.register_assert_rewrite(*(f"{__name__}.{m.name}" for m in pkgutil.iter_modules(__path__)))

from lapor_core.domain.model import ComplaintId
from lapor_core.errors import StorageError
from lapor_core.storage.base import ComplaintStore
from lapor_core.testing.store_contract._helpers import submitted
from lapor_core.testing.store_contract.base import StoreContract
from lapor_core.testing.store_contract.bounds import ReadBoundsContract
from lapor_core.testing.store_contract.claims import DueClaimsContract
from lapor_core.testing.store_contract.drafts import REPORTER, T0, Draft, context, submit_command
from lapor_core.testing.store_contract.drivers import DriverErrorsContract
from lapor_core.testing.store_contract.encoded import EncodedBulkContract
from lapor_core.testing.store_contract.idempotency import IdempotencyContract
from lapor_core.testing.store_contract.projection import ProjectionContract
from lapor_core.testing.store_contract.recorder import EventRecorderContract
from lapor_core.testing.store_contract.snapshots import SnapshotContract
from lapor_core.testing.store_contract.verification import VerificationContract

__all__ = [
    "REPORTER",
    "T0",
    "ComplaintStoreContract",
    "Draft",
    "DriverErrorsContract",
    "DueClaimsContract",
    "EncodedBulkContract",
    "EventRecorderContract",
    "IdempotencyContract",
    "ProjectionContract",
    "ReadBoundsContract",
    "SnapshotContract",
    "StoreContract",
    "VerificationContract",
    "context",
    "submit_command",
]


_PORT = (
    "append",
    "load",
    "get",
    "query",
    "read_all",
    "idempotency",
    "claim_due",
    "verify",
    "close",
)


class ComplaintStoreContract(
    EventRecorderContract,
    ProjectionContract,
    IdempotencyContract,
    DueClaimsContract,
    VerificationContract,
    ReadBoundsContract,
    SnapshotContract,
    EncodedBulkContract,
    DriverErrorsContract,
):
    """
    The storage contract as pytest tests; subclass it with ``make_store``.

    Every test of the concept contracts it combines, and what holds of a store as a
    whole: it satisfies the port, and once closed it refuses work (requirement 8).

    .. versionadded:: 0.1.0
    """

    def test_store_satisfies_the_port(self, store: ComplaintStore) -> None:
        """The store is a ComplaintStore (runtime-checkable protocol)."""
        missing = [name for name in _PORT if not callable(getattr(store, name, None))]
        assert isinstance(store, ComplaintStore), f"{store!r} lacks {missing}"

    def test_closed_store_refuses_work(self, store: ComplaintStore) -> None:
        """After close, operations raise StorageError; closing again is harmless."""
        submitted(store, "close-1")
        store.close()
        with pytest.raises(StorageError):
            store.load(ComplaintId("close-1"))
        with pytest.raises(StorageError):
            store.get(ComplaintId("close-1"))
        store.close()
