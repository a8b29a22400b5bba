"""
What every contract class stands on: a fresh store for each test.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import abc
from collections.abc import Iterator

import pytest

from lapor_core.storage.base import ComplaintStore

__all__ = ["StoreContract"]


class StoreContract(abc.ABC):
    """
    The base of every contract class: implement ``make_store`` (and ``dispose_store``).

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
