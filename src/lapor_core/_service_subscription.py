"""
A durable reader of every stored event in global order: :class:`Subscription`.

It needs only a store (:class:`~lapor_core.storage.base.ComplaintStore`), not the
service; :meth:`~lapor_core.service.ComplaintService.subscription` makes one over the
service's store. Re-exported by :mod:`lapor_core.service`; import it from there.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from lapor_core.errors import UndecodableEvent
from lapor_core.storage.base import ComplaintStore, StoredEvent
from lapor_core.storage.support import check_batch_size, check_query_window

__all__ = ["Subscription"]


class Subscription:
    """
    Reads every stored event in global order, from a position its owner keeps.

    Delivery is at least once: :meth:`poll` advances the position only after the handler
    returns, so a crash re-delivers the last batch. Persist :attr:`position` to resume.

    An event this code cannot decode (a damaged row, or one a newer lapor_core wrote
    during a rolling upgrade) stops the reader after every event before it has been
    delivered: iterating raises :class:`~lapor_core.errors.UndecodableEvent`, which names
    the complaint, the position, the type and the version, and :attr:`position` stays
    just before it (upgrade, then read on). With *skip_undecodable*, the event is passed
    over instead and its error kept in :attr:`skipped`.

    Args:
        store: The store to read.
        position: Start after this global position (0: from the beginning).
        batch: How many events to read at a time, at most
            :data:`~lapor_core.storage.support.READ_ALL_MAX_LIMIT`.
        skip_undecodable: Pass over events that cannot be decoded instead of raising.
        view: What the reader is given of each event: the event as returned (redacted,
            say), or ``None`` to pass over it (the position still advances). Default:
            every event whole.

    Raises:
        ValidationError: *batch* is not from 1 to ``READ_ALL_MAX_LIMIT``, or *position*
            is not a valid global position.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        store: ComplaintStore,
        position: int = 0,
        *,
        batch: int = 500,
        skip_undecodable: bool = False,
        view: Callable[[StoredEvent], StoredEvent | None] | None = None,
    ) -> None:
        """Start after *position* (0: from the beginning)."""
        check_batch_size(batch, "batch")
        check_query_window(position, batch)
        self.store = store
        self.position = position
        self.batch = batch
        self.skip_undecodable = skip_undecodable
        self._view = view
        self.skipped: list[UndecodableEvent] = []
        """
        The events passed over with *skip_undecodable*, in order (their errors).

        .. versionadded:: 0.1.0
        """

    def __iter__(self) -> Iterator[StoredEvent]:
        """
        Every event after the position, advancing it as they are yielded.

        Raises:
            UndecodableEvent: The next event cannot be decoded (and *skip_undecodable*
                is off); every event before it was yielded.
        """
        while True:
            try:
                stored = self.store.read_all(self.position, self.batch)
            except UndecodableEvent as exc:
                yield from self._before(exc)
                if not self.skip_undecodable or exc.position is None:
                    raise
                self.skipped.append(exc)
                self.position = exc.position
                continue
            if not stored:
                return
            for item in stored:
                shown = item if self._view is None else self._view(item)
                if shown is not None:
                    yield shown
                self.position = item.position

    def _before(self, error: UndecodableEvent) -> Iterator[StoredEvent]:
        """The events between the position and the undecodable one, advancing past each."""
        bad = error.position
        if bad is None:
            return
        limit = self.batch
        while self.position + 1 < bad:
            # at most that many positions lie between; with holes in the positions the
            # read may reach the bad event again, and then goes one event at a time
            limit = min(limit, bad - self.position - 1)
            try:
                stored = self.store.read_all(self.position, limit)
            except UndecodableEvent:
                if limit == 1:
                    return  # the next event is the undecodable one
                limit = 1
                continue
            if not stored:
                return
            for item in stored:
                shown = item if self._view is None else self._view(item)
                if shown is not None:
                    yield shown
                self.position = item.position

    def poll(self, handler: Callable[[StoredEvent], None]) -> int:
        """
        Hand each new event to *handler*; return how many were handled.

        Raises:
            UndecodableEvent: As iterating does; the events before it were handled.
        """
        count = 0
        for item in self:
            handler(item)
            count += 1
        return count
