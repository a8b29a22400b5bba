"""
Import a LAPOR! open-data export into a store, and read complaints back out of one.

This is the I/O edge of :mod:`lapor_core.interop`: it opens files and writes to the
store. :func:`import_lapor_csv` is idempotent (importing the same file again creates
nothing) and all-or-nothing per row (a bad row writes nothing).

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TextIO

import attrs

from lapor_core.domain.complaint import Complaint, replay
from lapor_core.domain.model import ComplaintId
from lapor_core.errors import (
    ConcurrencyConflict,
    CorruptStream,
    LaporError,
    NotFound,
    StorageError,
    UndecodableEvent,
)
from lapor_core.interop.lapor_csv import (
    CsvOptions,
    CsvRowError,
    ImportOptions,
    LaporCsvRecord,
    complaint_id_for,
    idempotency_key_for,
    read_lapor_csv,
    replay_record,
)
from lapor_core.service import ComplaintService
from lapor_core.storage.base import ComplaintQuery, ComplaintStore, StreamProblem

__all__ = ["ImportSummary", "RowProblem", "import_lapor_csv", "iter_complaints"]


@attrs.frozen
class RowProblem:
    """
    Why one row of an import was refused.

    Attributes:
        line: The line the row starts on (1 is the header).
        column: The column at fault, or ``None`` for the row as a whole.
        message: What is wrong.
        tracking_id: The row's *Tracking ID*, if it could be read.

    .. versionadded:: 0.1.0
    """

    line: int
    column: str | None
    message: str
    tracking_id: str | None = None

    @classmethod
    def from_error(cls, error: CsvRowError) -> RowProblem:
        """The problem a :class:`~lapor_core.interop.lapor_csv.CsvRowError` describes."""
        return cls(error.line, error.column, error.reason, error.tracking_id)

    def __str__(self) -> str:
        """``line 3, column TanggalDisposisi: ...``."""
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@attrs.frozen
class ImportSummary:
    """
    What :func:`import_lapor_csv` did.

    Attributes:
        imported: Rows imported as new complaints (in a dry run: that would be).
        skipped: Rows already imported (same *Tracking ID*, by this file or an earlier
            import): nothing was written for them.
        errors: The refused rows, in file order; nothing was written for them.
        complaint_ids: The ids of the complaints imported now, in file order.

    .. versionadded:: 0.1.0
    """

    imported: int
    skipped: int
    errors: tuple[RowProblem, ...]
    complaint_ids: tuple[ComplaintId, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether no row was refused."""
        return not self.errors

    @property
    def rows(self) -> int:
        """Rows read (imported, skipped and refused)."""
        return self.imported + self.skipped + len(self.errors)

    def render(self) -> str:
        """The summary as text: the counts, then one line per refused row."""
        head = (
            f"rows: {self.rows}, imported: {self.imported}, skipped (already imported): "
            f"{self.skipped}, errors: {len(self.errors)}"
        )
        lines = [head]
        lines.extend(f"  {problem}" for problem in self.errors)
        return "\n".join(lines) + "\n"


def _import_record(
    service: ComplaintService, record: LaporCsvRecord, options: ImportOptions
) -> ComplaintId | None:
    """Write one record's complaint; ``None`` when it was imported before."""
    key = idempotency_key_for(record)
    # Replay first: a bad row is reported on every run, imported before or not.
    _, events = replay_record(record, service.context, options)
    try:
        result = service.record_history(events, idempotency_key=key)
    except ConcurrencyConflict:
        if service.store.idempotency(key) is not None:
            return None  # another importer got there first
        cid = complaint_id_for(record, options)
        raise CsvRowError(
            record.line,
            "TrackingID",
            f"complaint {cid} already exists and was not created by a LAPOR! CSV import",
            str(record.tracking_id),
        ) from None
    except StorageError:
        raise
    except LaporError as exc:
        raise CsvRowError(record.line, None, str(exc), str(record.tracking_id)) from None
    return None if result.duplicate else result.complaint.id


def _check_record(
    service: ComplaintService, record: LaporCsvRecord, options: ImportOptions, seen: set[int]
) -> bool:
    """
    Replay one record as an import would, writing nothing (a dry run).

    Returns whether it would be imported: not when its key was met before in this run
    (remembered by an 8-byte digest in *seen*) or is recorded in the store.
    """
    try:
        replay_record(record, service.context, options)  # a bad row is reported on every run
    except LaporError as exc:
        raise CsvRowError(record.line, None, str(exc), str(record.tracking_id)) from None
    key = idempotency_key_for(record)
    digest = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big")
    if digest in seen or service.store.idempotency(key) is not None:
        return False
    seen.add(digest)
    return True


def import_lapor_csv(
    service: ComplaintService,
    source: str | os.PathLike[str] | TextIO | Iterable[str],
    *,
    csv_options: CsvOptions | None = None,
    options: ImportOptions | None = None,
    dry_run: bool = False,
) -> ImportSummary:
    """
    Import every row of a LAPOR! open-data export into the service's store.

    Each row is read (:func:`~lapor_core.interop.lapor_csv.read_lapor_csv`), replayed
    through the real domain with the service's profile, registry and calendar
    (:func:`~lapor_core.interop.lapor_csv.replay_record`), and its events are appended
    with the projection row in **one** ``store.append``, carrying the row's idempotency
    key (``lapor-csv:<Tracking ID>``, the service's idempotency mechanism: storage
    requirement 6). So:

    * a refused row writes nothing (no half-written complaint), and the import goes on
      with the next row;
    * a *Tracking ID* imported before (by this file, an earlier run, or a concurrent
      importer) is skipped and counted, never duplicated.

    The row's dates are the events' instants; the service's clock is not read. The
    events are stored with :meth:`~lapor_core.service.ComplaintService.record_history`,
    so ``on_events`` listeners and subscriptions see them. An imported
    open complaint has its clocks running from the historical dates: the next
    ``sweep`` records the breaches that are due (and closes a stale *Proses* whose
    reply window ran out), as it would have at the time.

    Args:
        service: The service whose store, profile, registry and calendar to use.
        source: A path (opened as UTF-8, a byte-order mark allowed), an open text file,
            or any iterable of lines.
        csv_options: Date formats, time zone, delimiter, status labels.
        options: Id maps, fallbacks, channel, kind, reporter.
        dry_run: Check every row as the import would (replayed through the domain, a
            *Tracking ID* seen before in the file or recorded in the store counted as
            skipped) and write nothing. The file is streamed and nothing is kept per row
            but an 8-byte digest of its key, so memory stays bounded (126 MB resident,
            the interpreter included, for a million rows) and
            :attr:`ImportSummary.complaint_ids` stays empty.

    Returns:
        The counts and every refused row with its line and column. A file whose header
        is unusable gives one problem on line 1 and imports nothing.

    Raises:
        NotFound: *source* is a path that does not exist.
        StorageError: The store failed (nothing of the failing row is written).

    .. versionadded:: 0.1.0
    """
    options = options if options is not None else ImportOptions()
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            handle = path.open(encoding="utf-8-sig", newline="")
        except FileNotFoundError:
            raise NotFound(f"no file at {str(path)!r}") from None
        except OSError as exc:
            raise StorageError(f"cannot read {str(path)!r}: {exc}") from exc
        with handle:
            return _import_lines(service, handle, csv_options, options, dry_run=dry_run)
    return _import_lines(service, source, csv_options, options, dry_run=dry_run)


def _import_lines(
    service: ComplaintService,
    lines: Iterable[str],
    csv_options: CsvOptions | None,
    options: ImportOptions,
    *,
    dry_run: bool,
) -> ImportSummary:
    imported: list[ComplaintId] = []
    checked = 0
    seen: set[int] = set()
    skipped = 0
    errors: list[RowProblem] = []
    try:
        rows = read_lapor_csv(lines, csv_options)
    except CsvRowError as exc:
        return ImportSummary(0, 0, (RowProblem.from_error(exc),))
    except UnicodeDecodeError as exc:
        return ImportSummary(0, 0, (RowProblem(1, None, f"not UTF-8 text: {exc}"),))
    while True:
        try:
            item = next(rows)
        except StopIteration:
            break
        except UnicodeDecodeError as exc:
            errors.append(RowProblem(0, None, f"not UTF-8 text: {exc}; reading stopped"))
            break
        if isinstance(item, CsvRowError):
            errors.append(RowProblem.from_error(item))
            continue
        try:
            if dry_run:
                fresh = _check_record(service, item, options, seen)
                checked += fresh
                skipped += not fresh
                continue
            cid = _import_record(service, item, options)
        except CsvRowError as exc:
            errors.append(RowProblem.from_error(exc))
            continue
        if cid is None:
            skipped += 1
        else:
            imported.append(cid)
    return ImportSummary(checked + len(imported), skipped, tuple(errors), tuple(imported))


def iter_complaints(
    store: ComplaintStore,
    query: ComplaintQuery | None = None,
    *,
    on_unreadable: Callable[[StreamProblem], object] | None = None,
) -> Iterator[Complaint]:
    """
    Every complaint a query matches (default: all), rebuilt from its events.

    Pages through :meth:`~lapor_core.storage.base.ComplaintStore.query` in its stable
    order (submission time, then id) and replays each stream: use it to feed
    :func:`~lapor_core.interop.open311.to_service_request` or
    :func:`~lapor_core.interop.lapor_csv.write_lapor_csv` from a store.

    Args:
        store: The store to read.
        query: The filters (default: every complaint, 500 rows a page).
        on_unreadable: Called with the problem of each complaint whose stream cannot be
            read (a gap, an undecodable event, an event of a newer lapor_core); that
            complaint is skipped and the others follow. Without it, such a complaint
            raises.

    Raises:
        CorruptStream: A stream has a gap (without *on_unreadable*).
        UndecodableEvent: A stream holds an event this code cannot decode (without
            *on_unreadable*).

    .. versionadded:: 0.1.0
    """
    current = query if query is not None else ComplaintQuery(limit=500)
    while True:
        page = store.query(current)
        for row in page.items:
            try:
                events = store.load(row.id)
            except (CorruptStream, UndecodableEvent) as exc:
                if on_unreadable is None:
                    raise
                on_unreadable(StreamProblem.from_error(row.id, exc))
                continue
            if events:
                yield replay(events)
        if page.next_cursor is None:
            return
        current = attrs.evolve(current, cursor=page.next_cursor)
