"""
A durable reader of every stored event in global order: :class:`Subscription`.

It needs only a store (:class:`~lapor_core.storage.base.ComplaintStore`), not the
service; :meth:`~lapor_core.service.ComplaintService.subscription` makes one over the
service's store. Re-exported by :mod:`lapor_core.service`; import it from there.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from lapor_core.storage.base import ComplaintStore, StoredEvent

__all__ = ["Subscription"]


class Subscription:
    """
    Reads every stored event in global order, from a position its owner keeps.

    Delivery is at least once: :meth:`poll` advances the position only after the handler
    returns, so a crash re-delivers the last batch. Persist :attr:`position` to resume.

    .. versionadded:: 0.1.0
    """

    def __init__(self, store: ComplaintStore, position: int = 0, *, batch: int = 500) -> None:
        """Start after *position* (0: from the beginning)."""
        self.store = store
        self.position = position
        self.batch = batch

    def __iter__(self) -> Iterator[StoredEvent]:
        """Every event after the position, advancing it as they are yielded."""
        while True:
            stored = self.store.read_all(self.position, self.batch)
            if not stored:
                return
            for item in stored:
                yield item
                self.position = item.position

    def poll(self, handler: Callable[[StoredEvent], None]) -> int:
        """Hand each new event to *handler*; return how many were handled."""
        count = 0
        for item in self:
            handler(item)
            count += 1
        return count
