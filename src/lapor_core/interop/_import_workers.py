"""
Worker processes for :func:`~lapor_core.interop.importer.import_lapor_csv`.

A row's replay through the domain is pure and is most of an import's time, so an import
with ``workers`` above 1 hands chunks of rows to that many processes: each parses its
rows from their cells and replays them. For a real import it encodes each complaint's
events and projection row for the target store
(:meth:`~lapor_core.storage.base.EncodedBulkStore.encode_batch`), so that what comes back
is plain text and numbers, cheap to receive, with the row's idempotency key and
warnings (:class:`Encoded`); for a dry run it sends back the key, the content's
fingerprint and the warnings (:class:`Checked`). The importing process keeps everything
else: reading the file, the order of the rows, duplicates and conflicts, and every
write; it parses only the rows it must report on. A row a worker cannot replay comes
back as ``None`` and is parsed and replayed again by the importing process, which
reports its error as an import in one process would.

The workers are forked, so they start with the service's context (the compiled
lifecycle, the calendar) as the importing process holds it; nothing of it is sent.
Forking is safe only where it exists and the process runs a single thread:
:func:`can_fork` says whether both hold, and an import without it runs in one process.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import collections
import concurrent.futures
import concurrent.futures.process
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Final, Self, TypeAlias, TypeVar

import attrs

from lapor_core.domain.complaint import Complaint
from lapor_core.domain.context import Context
from lapor_core.domain.events import Event
from lapor_core.errors import N_, LaporError
from lapor_core.interop._fingerprints import fingerprint
from lapor_core.interop.lapor_csv import (
    CsvOptions,
    CsvRowError,
    ImportOptions,
    idempotency_key_for,
    parse_cells,
    record_warnings,
    replay_record,
)
from lapor_core.storage.base import EncodedBatch, EncodedBulkStore, project

__all__ = [
    "CHUNK_ROWS",
    "Checked",
    "Encoded",
    "Replayer",
    "Result",
    "WorkerInput",
    "can_fork",
    "encode_replayed",
]

CHUNK_ROWS: Final = 250
"""Rows a worker replays per task."""

_IN_FLIGHT_PER_WORKER: Final = 8
"""Tasks handed out ahead per worker: enough to keep each busy, few enough to bound memory."""

WorkerInput: TypeAlias = tuple[int, tuple[str, ...]]
"""A row for a worker: its line number and its cells as read."""


@attrs.frozen
class Encoded:
    """A row a worker replayed and encoded, with what the importing process counts of it."""

    batch: EncodedBatch
    key: str
    """The row's idempotency key (:func:`~lapor_core.interop.lapor_csv.idempotency_key_for`)."""
    warnings: tuple[str, ...]
    """The kinds of the row's warnings (:func:`~lapor_core.interop.lapor_csv.record_warnings`)."""


@attrs.frozen
class Checked:
    """A row a worker replayed for a dry run, with what the importing process compares."""

    key: str
    """The row's idempotency key (:func:`~lapor_core.interop.lapor_csv.idempotency_key_for`)."""
    fingerprint: int
    """The content's fingerprint (:func:`lapor_core.interop._fingerprints.fingerprint`)."""
    warnings: tuple[str, ...]
    """The kinds of the row's warnings (:func:`~lapor_core.interop.lapor_csv.record_warnings`)."""


Result: TypeAlias = Encoded | Checked | None
"""A row's outcome: encoded (a real import) or checked (a dry run); ``None`` when refused."""

T = TypeVar("T")


@attrs.frozen
class _Job:
    """What every worker needs, inherited through the fork (never pickled)."""

    context: Context
    options: ImportOptions
    csv_options: CsvOptions
    positions: Mapping[str, int]
    encoder: EncodedBulkStore | None


_job: _Job | None = None


_PARENT_CHECK_S: Final = 0.5
"""How often a worker checks that the importing process is still there."""


def _start(job: _Job) -> None:
    """A worker's start: keep the job; stop when the importing process is gone."""
    global _job  # noqa: PLW0603 - a worker process's one job, set once when it starts
    _job = job
    # Ctrl-C reaches the whole process group: the importing process stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A worker waits for its next task on a pipe whose writing end it inherited too, so
    # the importing process's death (a kill) would never reach it as an end of file.
    threading.Thread(target=_outlive_not, args=(os.getppid(),), daemon=True).start()


def _outlive_not(parent: int) -> None:
    """End this worker once its parent (the importing process) has died."""
    while os.getppid() == parent:
        time.sleep(_PARENT_CHECK_S)
    os._exit(1)


def encode_replayed(
    encoder: EncodedBulkStore, context: Context, state: Complaint, events: tuple[Event, ...]
) -> EncodedBatch:
    """A replayed new complaint, projected and encoded for *encoder*'s backend."""
    row = project(state, context.calendar, context.profile.clocks)
    return encoder.encode_batch(state.id, 0, events, row)


def _replay_chunk(rows: Sequence[WorkerInput]) -> list[Result]:
    """Each row replayed: :class:`Encoded` (:class:`Checked` with no encoder); ``None``: refused."""
    job = _job
    assert job is not None  # noqa: S101 - set by the pool's initializer
    ctx = job.context
    results: list[Result] = []
    for line, cells in rows:
        record = parse_cells(cells, line, job.positions, job.csv_options)
        if isinstance(record, CsvRowError):
            results.append(None)
            continue
        try:
            state, events = replay_record(record, ctx, job.options)
            encoder = job.encoder
            batch = None if encoder is None else encode_replayed(encoder, ctx, state, events)
        except LaporError:
            results.append(None)
            continue
        key = idempotency_key_for(record)
        kinds = tuple(warning.kind for warning in record_warnings(record))
        if batch is None:
            results.append(Checked(key, fingerprint(record), kinds))
        else:
            results.append(Encoded(batch, key, kinds))
    return results


def can_fork() -> bool:
    """Whether this process may fork workers: the platform forks, and one thread runs."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


class Replayer:
    """
    A pool of forked workers replaying chunks of rows, results in the order given.

    Use as a context manager; the workers stop when it exits, also on an error. A
    worker that dies (killed, out of memory) fails the import with a
    :class:`~lapor_core.errors.LaporError` instead of leaving it waiting.
    """

    def __init__(
        self,
        workers: int,
        *,
        context: Context,
        options: ImportOptions,
        csv_options: CsvOptions,
        positions: Mapping[str, int],
        encoder: EncodedBulkStore | None,
    ) -> None:
        """Fork *workers* processes, each holding the job (see :func:`can_fork`)."""
        job = _Job(context, options, csv_options, dict(positions), encoder)
        self._workers = workers
        # With "fork", the executor starts every worker before its own thread (the
        # job goes with the fork, never pickled).
        self._pool = concurrent.futures.ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_start,
            initargs=(job,),
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def replay(
        self, chunks: Iterable[tuple[T, Sequence[WorkerInput]]]
    ) -> Iterator[tuple[T, list[Result]]]:
        """
        Each chunk's tag with its rows' results, in the order of *chunks*.

        The chunks are read only as far as the workers are ahead (a few per worker), so
        a large file is never held whole.

        Raises:
            LaporError: A worker process died.
        """
        pending: collections.deque[tuple[T, concurrent.futures.Future[list[Result]]]]
        pending = collections.deque()
        ahead = self._workers * _IN_FLIGHT_PER_WORKER
        try:
            for tag, rows in chunks:
                pending.append((tag, self._pool.submit(_replay_chunk, rows)))
                if len(pending) >= ahead:
                    done_tag, result = pending.popleft()
                    yield done_tag, result.result()
            while pending:
                done_tag, result = pending.popleft()
                yield done_tag, result.result()
        except concurrent.futures.process.BrokenProcessPool:
            raise LaporError(
                N_(
                    "a worker process of the import stopped before its rows were replayed; "
                    "the rows before them are imported: run the import again to finish"
                )
            ) from None
