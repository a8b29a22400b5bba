"""
The writer thread of the GeoReport v2 application: the POSTs' commands, in turn.

A store takes one write at a time anyway (SQLite's lock), and one thread keeps one
connection, whose page cache its own commits leave valid: commands spread over several
threads' connections each started cold (0.1 to 0.2 ms a POST). The event loop hands a
command over through a queue and gets its outcome back with
``loop.call_soon_threadsafe``: one wake-up of each side a command, where a thread pool's
future chained to an asyncio future (and shielded from cancellation) cost several.

A command handed over runs to its end even when the request that sent it is cancelled
(the client left): its outcome is then dropped, and what it stored stays stored.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import asyncio
import functools
import queue
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["Writer"]

T = TypeVar("T")


class _Job(Generic[T]):
    """One call for the writer, and the future of the event loop that waits for it."""

    def __init__(
        self, call: Callable[[], T], loop: asyncio.AbstractEventLoop, future: asyncio.Future[T]
    ) -> None:
        self.call = call
        self.loop = loop
        self.future = future

    def run(self) -> None:
        """Call; hand the result (or the error) to the loop that waits for it."""
        try:
            result = self.call()
        except BaseException as exc:  # noqa: BLE001 - the request that sent it reports it
            self._hand(functools.partial(_fail, self.future, exc))
            return
        self._hand(functools.partial(_succeed, self.future, result))

    def _hand(self, settle: Callable[[], None]) -> None:
        try:
            self.loop.call_soon_threadsafe(settle)
        except RuntimeError:  # the loop closed meanwhile: nobody waits any more
            return


def _succeed(future: asyncio.Future[T], result: T) -> None:
    if not future.cancelled():
        future.set_result(result)


def _fail(future: asyncio.Future[T], error: BaseException) -> None:
    if not future.cancelled():
        future.set_exception(error)


class Writer:
    """One thread running the calls handed to it, in the order they came (started when needed)."""

    def __init__(self, name: str) -> None:
        """A writer whose thread will be called *name*."""
        self._name = name
        self._queue: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def run(self, call: Callable[[], T]) -> asyncio.Future[T]:
        """
        Hand *call* to the thread; a future of the running event loop gets its outcome.

        Cancelling the future (or the task awaiting it) does not stop the call.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name=self._name, daemon=True)
                self._thread.start()
            self._queue.put(_Job(call, loop, future).run)
        return future

    def stop(self) -> None:
        """End the thread once the calls handed to it are done (a later :meth:`run` restarts it)."""
        with self._lock:
            thread, self._thread = self._thread, None
            if thread is not None:
                self._queue.put(None)
        if thread is not None:
            thread.join()

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            job()
