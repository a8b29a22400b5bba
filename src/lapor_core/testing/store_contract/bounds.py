# ruff: noqa: S101 - a pytest suite: plain asserts are how pytest reports failures
"""
The bounds of the global log's reader: how far and how much ``read_all`` may ask for.

Requirement 5 of :mod:`lapor_core.storage.base`: a ``limit`` above
:data:`~lapor_core.storage.support.READ_ALL_MAX_LIMIT` and a position outside 0 ..
:data:`~lapor_core.storage.support.MAX_POSITION` are refused with
:class:`~lapor_core.errors.ValidationError` by every backend (never an ``OverflowError``
from the driver, never an unbounded read).

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import pytest

from lapor_core.errors import ValidationError
from lapor_core.storage.base import ComplaintStore
from lapor_core.storage.support import MAX_POSITION, READ_ALL_MAX_LIMIT
from lapor_core.testing.store_contract._helpers import submitted
from lapor_core.testing.store_contract.base import StoreContract

__all__ = ["ReadBoundsContract"]


class ReadBoundsContract(StoreContract):
    """
    ``read_all`` reads a bounded batch from a valid position (requirement 5).

    .. versionadded:: 0.1.0
    """

    @pytest.mark.parametrize("limit", [0, -1, READ_ALL_MAX_LIMIT + 1, 10**12, 2**70])
    def test_read_all_refuses_a_limit_out_of_bounds(
        self, store: ComplaintStore, limit: int
    ) -> None:
        """A limit below 1 or above READ_ALL_MAX_LIMIT is a ValidationError."""
        submitted(store, "bound-1")
        with pytest.raises(ValidationError, match="limit must be an int from 1 to"):
            store.read_all(0, limit)

    @pytest.mark.parametrize("after", [-1, MAX_POSITION + 1, 2**70, -(2**70)])
    def test_read_all_refuses_a_position_out_of_range(
        self, store: ComplaintStore, after: int
    ) -> None:
        """A position outside 0 .. MAX_POSITION is a ValidationError, not OverflowError."""
        submitted(store, "bound-2")
        with pytest.raises(ValidationError, match="after must be a position"):
            store.read_all(after)

    def test_read_all_takes_the_bounds_themselves(self, store: ComplaintStore) -> None:
        """The largest limit and the largest position are accepted."""
        submitted(store, "bound-3")
        assert len(store.read_all(0, READ_ALL_MAX_LIMIT)) == 1
        assert store.read_all(MAX_POSITION, READ_ALL_MAX_LIMIT) == ()
