"""
Import a LAPOR! open-data export into a store, and read complaints back out of one.

This is the I/O edge of :mod:`lapor_core.interop`: it opens files and writes to the
store. :func:`import_lapor_csv` is idempotent (importing the same file again creates
nothing) and all-or-nothing per row (a bad row writes nothing). A *Tracking ID* met again
with other content is a conflict, not a duplicate. :func:`read_map_file` and
:func:`read_area_file` read the files that turn LAPOR!'s own numbers into ours.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import csv
import os
import tomllib
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Final, Literal, Protocol, TextIO, TypeAlias, TypeVar

import attrs

from lapor_core.domain.complaint import Complaint, replay
from lapor_core.domain.events import Event
from lapor_core.domain.model import ComplaintId, GeoPoint, PointPrecision
from lapor_core.errors import (
    N_,
    ConcurrencyConflict,
    CorruptStream,
    LaporError,
    NotFound,
    StorageError,
    Term,
    UndecodableEvent,
    ValidationError,
)
from lapor_core.interop._fingerprints import differences, fingerprint
from lapor_core.interop._import_workers import (
    CHUNK_ROWS,
    Checked,
    Encoded,
    Replayer,
    Result,
    WorkerInput,
    can_fork,
    encode_replayed,
)
from lapor_core.interop.lapor_csv import (
    CsvOptions,
    CsvRowError,
    ImportOptions,
    LaporCsvRecord,
    LaporCsvRows,
    complaint_id_for,
    idempotency_key_for,
    read_lapor_csv,
    replay_record,
)
from lapor_core.interop.lapor_csv.history import record_warnings
from lapor_core.service import BulkStore, ComplaintService, History
from lapor_core.storage.base import (
    ComplaintQuery,
    ComplaintStore,
    EncodedBatch,
    EncodedBulkStore,
    StreamProblem,
)

__all__ = [
    "ImportSummary",
    "RowProblem",
    "import_lapor_csv",
    "iter_complaints",
    "open_lines",
    "read_area_file",
    "read_map_file",
]

OnConflict = Literal["fail", "skip"]


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
    cause: LaporError | None = attrs.field(default=None, eq=False, repr=False)
    """The message as an error, to give it in another language (``None``: English only)."""

    @classmethod
    def from_error(cls, error: CsvRowError) -> RowProblem:
        """The problem a :class:`~lapor_core.interop.lapor_csv.CsvRowError` describes."""
        return cls(error.line, error.column, error.reason, error.tracking_id, error.cause)

    def __str__(self) -> str:
        """``line 3, column TanggalDisposisi: ...``."""
        return self.render()

    def render(self, gettext: Callable[[str], str] = str) -> str:
        """
        ``line 3, column TanggalDisposisi: ...``, the frame in the language of *gettext*.

        .. versionadded:: 0.2.0
        """
        _ = gettext
        if self.column:
            where = _("line {line}, column {column}").format(line=self.line, column=self.column)
        else:
            where = _("line {line}").format(line=self.line)
        message = self.message if self.cause is None else self.cause.translate(_)
        return f"{where}: {message}"


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
        conflicts: Rows whose *Tracking ID* was imported before with other content (the
            message names the differing fields); nothing was written for them.
        warnings: The number of rows imported with each kind of warning
            (:class:`~lapor_core.interop.lapor_csv.RowWarning`, e.g. ``date-order``).
        ignored_columns: The header's columns that were not read.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``conflicts``, ``warnings``, ``ignored_columns``.
    """

    imported: int
    skipped: int
    errors: tuple[RowProblem, ...]
    complaint_ids: tuple[ComplaintId, ...] = ()
    conflicts: tuple[RowProblem, ...] = ()
    warnings: Mapping[str, int] = attrs.field(factory=dict)
    ignored_columns: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether no row was refused and none conflicted."""
        return not self.errors and not self.conflicts

    @property
    def duplicates(self) -> int:
        """Rows already imported with the same content (:attr:`skipped`)."""
        return self.skipped

    @property
    def rows(self) -> int:
        """Rows read (imported, skipped, conflicting and refused)."""
        return self.imported + self.skipped + len(self.errors) + len(self.conflicts)

    def render(self, gettext: Callable[[str], str] = str) -> str:
        """
        The summary as text: the counts, then one line per conflict and refused row.

        Args:
            gettext: Translates an English message (``lapor_core.i18n.translator(lang)``);
                by default the summary is in English. The rows' own messages stay as
                the reader wrote them.
        """
        _ = gettext
        head = _(
            "rows: {rows}, imported: {imported}, skipped (already imported): {skipped}, "
            "errors: {errors}, conflicts: {conflicts}"
        ).format(
            rows=self.rows,
            imported=self.imported,
            skipped=self.skipped,
            errors=len(self.errors),
            conflicts=len(self.conflicts),
        )
        lines = [head]
        if self.warnings:
            kinds = ", ".join(f"{kind}: {n}" for kind, n in sorted(self.warnings.items()))
            lines.append(_("warnings: {kinds}").format(kinds=kinds))
        if self.ignored_columns:
            ignored = ", ".join(self.ignored_columns)
            lines.append(_("ignored columns: {columns}").format(columns=ignored))
        conflict = _("conflict")
        lines.extend(f"  {conflict}: {problem.render(_)}" for problem in self.conflicts)
        lines.extend(f"  {problem.render(_)}" for problem in self.errors)
        return "\n".join(lines) + "\n"


_FIELD_COLUMNS: Mapping[tuple[str, str], str] = {
    ("ComplaintSubmitted", "at"): "TanggalLaporanMasuk",
    ("ComplaintSubmitted", "category"): "KategoriID",
    ("ComplaintSubmitted", "region"): "AreaID",
    ("ComplaintSubmitted", "content"): "JudulLaporan/IsiLaporan",
    ("ComplaintForwarded", "at"): "TanggalDisposisi",
    ("ComplaintForwarded", "assignments"): "DisposisiInstansiID",
}


def _differences(stored: tuple[Event, ...], new: tuple[Event, ...]) -> list[str]:
    """The columns (or event fields) in which the stored history differs from *new*."""
    names: list[str] = []
    if len(stored) != len(new) or any(
        type(a) is not type(b) for a, b in zip(stored, new, strict=False)
    ):
        names.append("Status (the history)")
    for old, fresh in zip(stored, new, strict=False):
        if type(old) is not type(fresh):
            continue
        kind = type(old).__name__
        for field in attrs.fields(type(old)):
            if getattr(old, field.name) != getattr(fresh, field.name):
                name = _FIELD_COLUMNS.get((kind, field.name), f"{kind}.{field.name}")
                if name not in names:
                    names.append(name)
    return names


def _conflict(record: LaporCsvRecord, fields: Iterable[str], earlier: str) -> CsvRowError:
    listed = ", ".join(fields) or Term(N_("the history"))
    return CsvRowError(
        record.line,
        "TrackingID",
        ValidationError(
            N_(
                "conflict: Tracking ID {tracking_id} was {earlier} with other content "
                "(differs in {listed})"
            ),
            tracking_id=record.tracking_id,
            earlier=Term(earlier),
            listed=listed,
        ),
        str(record.tracking_id),
        record.raw,
    )


def _compare_with_store(
    service: ComplaintService, record: LaporCsvRecord, events: tuple[Event, ...]
) -> None:
    """Raise a conflict when the stored history of the record's complaint is not *events*."""
    found = service.store.idempotency(idempotency_key_for(record))
    assert found is not None  # noqa: S101 - each caller has found the key recorded
    cid, version = found
    # The import's own events lead the stream, as many as the version its key recorded
    # (the reporter's answer of an exchange among them); a sweep or a later command may
    # have added others after them.
    stored = service.store.load(cid)[:version]
    if stored != events:
        raise _Conflict(_conflict(record, _differences(stored, events), N_("imported before")))


class _Conflict(Exception):
    """A row that conflicts with an earlier import of its *Tracking ID*."""

    def __init__(self, error: CsvRowError) -> None:
        super().__init__(str(error))
        self.error = error


def _import_record(
    service: ComplaintService,
    record: LaporCsvRecord,
    options: ImportOptions,
    replayed: tuple[Complaint, tuple[Event, ...]],
) -> ComplaintId | None:
    """Write one replayed record's complaint; ``None`` when it was imported before, the same."""
    key = idempotency_key_for(record)
    complaint, events = replayed
    try:
        result = service.record_history(events, idempotency_key=key, complaint=complaint)
    except ConcurrencyConflict:
        if service.store.idempotency(key) is not None:
            _compare_with_store(service, record, events)
            return None  # another importer got there first
        cid = complaint_id_for(record, options)
        raise CsvRowError(
            record.line,
            "TrackingID",
            ValidationError(
                N_("complaint {cid} already exists and was not created by a LAPOR! CSV import"),
                cid=cid,
            ),
            str(record.tracking_id),
        ) from None
    except StorageError:
        raise
    except LaporError as exc:
        raise CsvRowError(record.line, None, exc, str(record.tracking_id)) from None
    if result.duplicate:
        _compare_with_store(service, record, events)
        return None
    return result.complaint.id


def _replayed(
    service: ComplaintService, record: LaporCsvRecord, options: ImportOptions
) -> tuple[Complaint, tuple[Event, ...]]:
    """The record replayed in this process; the domain's refusal as the row's error."""
    try:
        return replay_record(record, service.context, options)
    except CsvRowError:
        raise
    except LaporError as exc:
        raise CsvRowError(record.line, None, exc, str(record.tracking_id)) from None


def _check_record(
    service: ComplaintService, record: LaporCsvRecord, options: ImportOptions, seen: dict[int, int]
) -> bool:
    """
    Replay one record as an import would, writing nothing (a dry run).

    Returns whether it would be imported: not when its key was met before in this run
    (remembered by the key's hash and a fingerprint of the content in *seen*) or is
    recorded in the store; a conflict when the content differs.
    """
    replayed = _replayed(service, record, options)
    key = idempotency_key_for(record)
    content = fingerprint(record)
    fresh = _first_met(seen, service.store, key, content)
    if fresh is not None:
        return fresh
    earlier = seen.get(hash(key))
    if earlier is not None:
        fields = differences(earlier, content)
        raise _Conflict(_conflict(record, fields, N_("met earlier in the file")))
    _compare_with_store(service, record, replayed[1])
    return False


def _first_met(seen: dict[int, int], store: ComplaintStore, key: str, content: int) -> bool | None:
    """
    Whether a dry run's row is new (its key then remembered) or a repeat of the same content.

    ``None``: neither, the row is to be looked at closer: its key was met in this run with
    other content (a conflict), or is recorded in the store (to compare with what is there).
    """
    digest = hash(key)
    earlier = seen.get(digest)
    if earlier is not None:
        return False if earlier == content else None
    if store.idempotency(key) is not None:
        return None
    seen[digest] = content
    return True


_MAP_KINDS: Final = (N_("agency"), N_("category"), N_("area"), N_("id"))
"""The kinds of map the command line reads (*what* of :func:`read_map_file`), to translate."""


def read_map_file(path: str | os.PathLike[str], what: str = "id") -> dict[str, str]:
    """
    A map from LAPOR!'s numbers to ours: a two-column CSV or a TOML table.

    The CSV has one ``lapor_id,our_id`` pair a line (a first line ``lapor_id,our_id`` is
    a header; ``#`` lines and blank lines are skipped). A ``.toml`` file is a flat
    table, ``"17" = "infrastruktur"`` (numbers as values are read as text).

    Raises:
        NotFound: No file at *path*.
        ValidationError: The file is unreadable or a line is not a pair (names the
            line).

    .. versionadded:: 0.2.0
    """
    name = str(path)
    if name.endswith(".toml"):
        return _read_toml_map(Path(path), Term(what))
    what = Term(what)
    table: dict[str, str] = {}
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            for line, row in enumerate(csv.reader(handle), start=1):
                if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
                    continue
                if line == 1 and row[0].strip().casefold() == "lapor_id":
                    continue
                if len(row) != 2 or not row[0].strip() or not row[1].strip():
                    raise ValidationError(
                        N_(
                            "{what} map {name!r}, line {line}: expected two columns "
                            "(LAPOR!'s id, ours), got {row!r}"
                        ),
                        what=what,
                        name=name,
                        line=line,
                        row=row,
                    )
                table[row[0].strip()] = row[1].strip()
    except FileNotFoundError:
        raise NotFound(N_("{what} map {name!r} does not exist"), what=what, name=name) from None
    except OSError as exc:  # a directory, no permission, ...
        raise ValidationError(
            N_("cannot read {what} map {name!r}: {reason}"),
            what=what,
            name=name,
            reason=str(exc.strerror or exc),
        ) from None
    except UnicodeDecodeError as exc:
        raise ValidationError(
            N_("cannot read {what} map {name!r}: not UTF-8 text ({reason} at byte {start})"),
            what=what,
            name=name,
            reason=exc.reason,
            start=exc.start,
        ) from None
    except (csv.Error, ValueError) as exc:  # an overlong field; a NUL in the path; a bad line
        raise ValidationError(
            N_("cannot read {what} map {name!r}: {reason}"),
            what=what,
            name=name,
            reason=exc if isinstance(exc, LaporError) else str(exc),
        ) from None
    return table


def _read_toml_map(path: Path, what: Term) -> dict[str, str]:
    name = str(path)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise NotFound(N_("{what} map {name!r} does not exist"), what=what, name=name) from None
    except OSError as exc:
        raise ValidationError(
            N_("cannot read {what} map {name!r}: {reason}"), what=what, name=name, reason=str(exc)
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValidationError(
            N_("{what} map {name!r}: not TOML ({reason})"), what=what, name=name, reason=str(exc)
        ) from None
    table: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value):
            raise ValidationError(
                N_("{what} map {name!r}: {key!r} must map to an id (text), got {value!r}"),
                what=what,
                name=name,
                key=key,
                value=value,
            )
        table[key.strip()] = str(value).strip()
    return table


def read_area_file(path: str | os.PathLike[str]) -> dict[str, GeoPoint]:
    """
    LAPOR!'s area list (``parent_id;area_name;latitude;longitude``) as area centroids.

    The file is ``;``-delimited UTF-8 with a header. The list names no id of its own: an
    area's id (the export's ``AreaID``) is its **row number**, 1 for the first row after
    the header, as the list is numbered in LAPOR!'s database; a file that has an ``id``
    (or ``area_id``) column uses that column instead. A row without coordinates (or
    ``0``, ``0``) gives no centroid.

    Returns:
        ``AreaID`` -> ``GeoPoint(lat, long, precision=PointPrecision.AREA)``.

    Raises:
        NotFound: No file at *path*.
        ValidationError: The header lacks ``latitude``/``longitude`` or a coordinate is
            not a number in range (names the line).

    .. versionadded:: 0.2.0
    """
    name = str(path)
    points: dict[str, GeoPoint] = {}
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter=";")
            header = [h.strip().casefold() for h in next(reader, [])]
            if "latitude" not in header or "longitude" not in header:
                raise ValidationError(
                    N_("area file {name!r}: the header must name latitude and longitude"),
                    name=name,
                )
            lat_at, long_at = header.index("latitude"), header.index("longitude")
            id_at = next((header.index(n) for n in ("id", "area_id") if n in header), None)
            number = 0
            for row in reader:
                if not row or not "".join(row).strip():
                    continue
                number += 1
                line = reader.line_num
                area = row[id_at].strip() if id_at is not None else str(number)
                try:
                    lat, long = row[lat_at].strip(), row[long_at].strip()
                    if not lat or not long or (float(lat) == 0 and float(long) == 0):
                        continue
                    point = GeoPoint(float(lat), float(long), precision=PointPrecision.AREA)
                    points[area] = point
                except (IndexError, ValueError, ValidationError) as exc:
                    raise ValidationError(
                        N_("area file {name!r}, line {line}: {reason}"),
                        name=name,
                        line=line,
                        reason=exc if isinstance(exc, LaporError) else str(exc),
                    ) from None
    except FileNotFoundError:
        raise NotFound(N_("area file {name!r} does not exist"), name=name) from None
    except OSError as exc:
        raise ValidationError(
            N_("cannot read area file {name!r}: {reason}"), name=name, reason=str(exc)
        ) from None
    except UnicodeDecodeError as exc:
        raise ValidationError(
            N_("area file {name!r}: not UTF-8 text ({reason})"), name=name, reason=exc.reason
        ) from None
    return points


def _decoded(handle: Iterable[bytes], encoding: str) -> Iterator[str]:
    """The lines of a binary file, decoded one by one, so that a bad byte names its line."""
    for number, raw in enumerate(handle, start=1):
        codec = (
            "utf-8-sig"
            if number == 1
            and encoding.replace("_", "-").lower()
            in {
                "utf-8",
                "utf8",
            }
            else encoding
        )
        try:
            yield raw.decode(codec)
        except UnicodeDecodeError as exc:
            raise ValidationError(
                N_(
                    "line {number}: the bytes are not {encoding} text ({reason} at byte "
                    "{byte} of the line); rows before it were read; pass another "
                    "encoding (e.g. cp1252 or latin-1)"
                ),
                number=number,
                encoding=encoding,
                reason=exc.reason,
                byte=exc.start + 1,
            ) from None


def open_lines(path: str | os.PathLike[str], encoding: str = "utf-8") -> Generator[str]:
    """
    The lines of a file, decoded line by line (a UTF-8 byte-order mark is dropped).

    The file is opened when the first line is asked for and stays open until the
    generator is exhausted or closed (``close()``).

    Raises:
        NotFound: No file at *path* (also when iterated, if it went meanwhile).
        StorageError: The file cannot be opened (when iterated).
        ValidationError: An unknown *encoding*; a line does not decode (when iterated;
            names the line).

    .. versionadded:: 0.2.0
    """
    try:
        "".encode(encoding)
    except LookupError:
        raise ValidationError(N_("unknown encoding {encoding!r}"), encoding=encoding) from None
    file = Path(path)
    if not file.exists():
        raise NotFound(N_("no file at {path!r}"), path=str(file))

    def lines() -> Generator[str]:
        # Opened on the first line asked for, so that closing a generator never started
        # leaves no file open.
        try:
            handle = file.open("rb")
        except FileNotFoundError:
            raise NotFound(N_("no file at {path!r}"), path=str(file)) from None
        except OSError as exc:
            raise StorageError(
                N_("cannot read {path!r}: {reason}"), path=str(file), reason=str(exc)
            ) from exc
        with handle:
            yield from _decoded(handle, encoding)

    return lines()


def import_lapor_csv(
    service: ComplaintService,
    source: str | os.PathLike[str] | TextIO | Iterable[str],
    *,
    csv_options: CsvOptions | None = None,
    options: ImportOptions | None = None,
    dry_run: bool = False,
    encoding: str = "utf-8",
    on_conflict: OnConflict = "fail",
    rejects: TextIO | None = None,
    workers: int = 1,
    gettext: Callable[[str], str] = str,
) -> ImportSummary:
    """
    Import every row of a LAPOR! open-data export into the service's store.

    Each row is read (:func:`~lapor_core.interop.lapor_csv.read_lapor_csv`), replayed
    through the real domain with the service's profile, registry and calendar
    (:func:`~lapor_core.interop.lapor_csv.replay_record`), and its events are appended
    with the projection row, carrying the row's idempotency key (``lapor-csv:<Tracking
    ID>``, the service's idempotency mechanism: storage requirement 6). The rows are
    written 2,000 at a time, each batch in **one** transaction
    (:meth:`~lapor_core.service.ComplaintService.record_histories`); when a batch is
    refused (a *Tracking ID* imported before, or a complaint of another origin), its rows
    are written one by one instead, each in its own transaction. So:

    * a refused row writes nothing (no half-written complaint), and the import goes on
      with the next row; a stopped import (a crash, a kill) leaves whole rows only, and
      running it again finishes the job;
    * a *Tracking ID* imported before (by this file, an earlier run, or a concurrent
      importer) with the same content is skipped and counted, never duplicated;
    * one imported before with **other** content is a conflict: nothing is written,
      the differing columns are named, and with ``on_conflict="fail"`` (the default)
      the import stops there (re-running is idempotent); with ``"skip"`` it goes on;
    * a row with odd dates that do not decide its status is imported with a warning
      (:func:`~lapor_core.interop.lapor_csv.history.record_warnings`), counted by kind.

    The row's dates are the events' instants; the service's clock is not read. The
    events are stored with :meth:`~lapor_core.service.ComplaintService.record_history`,
    so ``on_events`` listeners and subscriptions see them. An imported
    open complaint has its clocks running from the historical dates: the next
    ``sweep`` records the breaches that are due (and closes a stale *Proses* whose
    reply window ran out), as it would have at the time.

    Args:
        service: The service whose store, profile, registry and calendar to use.
        source: A path (opened in *encoding*), an open text file, or any iterable of
            lines.
        csv_options: Date formats, time zone, delimiter, status labels.
        options: Id maps, fallbacks, area centroids, channel, kind, reporter.
        dry_run: Check every row as the import would (replayed through the domain, a
            *Tracking ID* seen before in the file or recorded in the store counted as
            skipped, or as a conflict) and write nothing. The file is streamed and
            nothing is kept per row but the hash of its key and a fingerprint of its
            content (three bytes a compared column), so memory stays bounded and
            :attr:`ImportSummary.complaint_ids` stays empty.
        encoding: The encoding of a path's bytes (default UTF-8, a byte-order mark
            allowed; ``cp1252`` and ``latin-1`` for older files).
        on_conflict: ``"fail"`` stops at the first conflict, ``"skip"`` counts it and
            goes on.
        rejects: Where to write the refused and conflicting rows as CSV: the header,
            then each such row as read with a ``reason`` column added.
        gettext: The language of the ``reason`` column (a translator such as
            :func:`lapor_core.i18n.translator`'s; default English).
        workers: Processes that replay the rows (default 1: this process alone). With
            more, chunks of rows are replayed (and, for a store that is an
            :class:`~lapor_core.storage.base.EncodedBulkStore`, encoded) in that many
            forked processes while this one reads the file and writes; the outcome is
            the same row for row. Used where the platform forks, this process runs a
            single thread, and (for a real import) the store is an encoded bulk store
            and the service has no listeners (they need the events): otherwise the
            import runs in this process. The workers' imports save no snapshots (the
            streams are read whole until a later command snapshots them).

    Returns:
        The counts, every refused and conflicting row with its line and column, the
        warnings by kind and the ignored columns. A file whose header is unusable gives
        one problem on line 1 and imports nothing.

    Raises:
        NotFound: *source* is a path that does not exist.
        StorageError: The store failed (nothing of the failing batch is written; the
            rows before it are).
        ValidationError: A fallback of *options* that no row could be given (see
            :meth:`~lapor_core.interop.lapor_csv.ImportOptions.check`; nothing is read).
            A line of a path's file does not decode in *encoding* (names the line; the
            rows before it are imported, with workers or without, unless a conflict
            before it stopped the import with ``on_conflict="fail"``: that is reported).
        LaporError: A worker process died (killed, out of memory): the rows the
            workers had replayed before it are imported; running the import again
            finishes it.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``encoding``, ``on_conflict``, ``rejects``, ``workers``,
       ``gettext``;
       conflicts and warnings.
    """
    options = options if options is not None else ImportOptions()
    if on_conflict not in ("fail", "skip"):
        raise ValidationError(N_("on_conflict: 'fail' or 'skip', got {value!r}"), value=on_conflict)
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise ValidationError(N_("workers must be an int >= 1, got {value!r}"), value=workers)
    options.check(service.profile, service.context.registry)
    run = _Run(
        service,
        options,
        dry_run=dry_run,
        on_conflict=on_conflict,
        rejects=rejects,
        workers=workers,
        csv_options=csv_options if csv_options is not None else CsvOptions(),
        gettext=gettext,
    )
    if isinstance(source, (str, os.PathLike)):
        lines = open_lines(source, encoding)
        try:
            return run.read(lines)
        finally:
            lines.close()  # an import stopped by a conflict leaves the file unread
    return run.read(source)


class _Writer(Protocol):
    def writerow(self, row: Iterable[str], /) -> object: ...


_Unparsed: TypeAlias = CsvRowError | WorkerInput
"""A row as read for the workers: its cells, or its error when it cannot be a record."""
_R = TypeVar("_R")

_BATCH_ROWS = 2000
"""Rows :func:`import_lapor_csv` writes in one transaction (each row whole or not at all)."""


@attrs.frozen
class _Pending:
    """
    A row read since the last write: replayed (to be written) or refused.

    A row a worker parsed and encoded has no record here until one is needed (the row
    could not be written with its batch): *read* keeps its cells to parse them then.
    """

    record: LaporCsvRecord | None
    replayed: tuple[Complaint, tuple[Event, ...]] | None = None
    error: CsvRowError | None = None
    encoded: Encoded | None = None
    read: WorkerInput | None = None


@attrs.define
class _Run:
    """The state of one import: counts, problems, the rows to write, the rejects writer."""

    service: ComplaintService
    options: ImportOptions
    dry_run: bool
    on_conflict: OnConflict
    rejects: TextIO | None
    workers: int = 1
    csv_options: CsvOptions = attrs.field(factory=CsvOptions)
    gettext: Callable[[str], str] = str
    encoder: EncodedBulkStore | None = None
    undecodable: UnicodeDecodeError | None = None
    unreadable: LaporError | None = None
    imported: list[ComplaintId] = attrs.field(factory=list)
    checked: int = 0
    skipped: int = 0
    seen: dict[int, int] = attrs.field(factory=dict)
    errors: list[RowProblem] = attrs.field(factory=list)
    conflicts: list[RowProblem] = attrs.field(factory=list)
    warnings: Counter[str] = attrs.field(factory=Counter)
    writer: _Writer | None = None
    pending: list[_Pending] = attrs.field(factory=list)
    pending_keys: set[str] = attrs.field(factory=set)
    stopped: bool = False
    rows: LaporCsvRows | None = None

    def summary(self, ignored: tuple[str, ...] = ()) -> ImportSummary:
        return ImportSummary(
            self.checked + len(self.imported),
            self.skipped,
            tuple(self.errors),
            tuple(self.imported),
            conflicts=tuple(self.conflicts),
            warnings=dict(self.warnings),
            ignored_columns=ignored,
        )

    def reject(self, error: CsvRowError, into: list[RowProblem]) -> None:
        problem = RowProblem.from_error(error)
        into.append(problem)
        if self.writer is not None:
            self.writer.writerow([*error.raw, problem.render(self.gettext)])

    def read(self, lines: Iterable[str]) -> ImportSummary:
        try:
            rows = read_lapor_csv(lines, self.csv_options)
        except CsvRowError as exc:
            return ImportSummary(0, 0, (RowProblem.from_error(exc),))
        except UnicodeDecodeError as exc:
            error = ValidationError(N_("not UTF-8 text: {reason}"), reason=str(exc))
            return ImportSummary(0, 0, (RowProblem(1, None, str(error), cause=error),))
        self.rows = rows
        if self.rejects is not None:
            self.writer = csv.writer(self.rejects, delimiter=rows.delimiter)
            self.writer.writerow([*rows.names, "reason"])
        try:
            if self.use_workers():
                store = self.service.store
                if not self.dry_run and isinstance(store, EncodedBulkStore):
                    self.encoder = store
                self.read_in_workers(rows)
            else:
                self.read_rows(rows)
        finally:
            # the rows read before a line that does not decode (or a failing store)
            # are still imported, as they were when each row was its own transaction
            if not self.stopped:
                self.flush()
        return self.summary(rows.ignored_columns)

    def use_workers(self) -> bool:
        """Whether to replay in worker processes (see ``workers``)."""
        if self.workers < 2 or not can_fork():
            return False
        writes_encoded = isinstance(self.service.store, EncodedBulkStore)
        return self.dry_run or (writes_encoded and not self.service.has_listeners)

    def next_item(self, rows: Iterator[_R]) -> _R | None:
        """
        The next record or row error; ``None`` at the end or at a line that cannot be read.

        A line that cannot be read (it does not decode) is kept for :meth:`end`, so that
        the rows before it are written first, with workers or without.
        """
        try:
            return next(rows)
        except StopIteration:
            return None
        except UnicodeDecodeError as exc:
            self.undecodable = exc
            return None
        except LaporError as exc:  # a path's line not in its encoding (open_lines)
            self.unreadable = exc
            return None

    def end(self) -> None:
        """
        After the last row read: a line that could not be read stops the import.

        The rows before it are written first. A text source's line that does not decode
        is reported as a problem; a path's line not in its encoding is raised, unless a
        conflict among the rows before it stopped the import (reported instead).
        """
        if self.undecodable is None and self.unreadable is None:
            return
        self.flush()
        if self.unreadable is not None:
            if self.stopped:
                return
            raise self.unreadable
        error = ValidationError(
            N_("not UTF-8 text: {reason}; reading stopped"), reason=str(self.undecodable)
        )
        self.errors.append(RowProblem(0, None, str(error), cause=error))

    def read_rows(self, rows: Iterator[LaporCsvRecord | CsvRowError]) -> None:
        while not self.stopped:
            item = self.next_item(rows)
            if item is None:
                self.end()
                return
            self.take(item)

    def take(self, item: LaporCsvRecord | CsvRowError) -> None:
        """One row read: an error held in order, a record checked or added."""
        if isinstance(item, CsvRowError):
            self.hold(_Pending(None, error=item))
        elif self.dry_run:
            self.check(item)
        else:
            self.add(item)

    def parse(self, item: _Unparsed) -> LaporCsvRecord | CsvRowError:
        """A row read unparsed, parsed here as :meth:`take` takes it."""
        if isinstance(item, CsvRowError):
            return item
        assert self.rows is not None  # noqa: S101 - set by read
        return self.rows.parse(*item)

    def take_result(self, item: WorkerInput, result: Result) -> None:
        """
        One row left to a worker, with the worker's result.

        A row is kept as the worker encoded it, or counted as the worker checked it (a
        dry run); one the worker refused is parsed and replayed here, for its error.
        """
        if isinstance(result, Encoded):
            self.keep(result.key, _Pending(None, encoded=result, read=item))
        elif isinstance(result, Checked):
            self.count_checked(item, result)
        else:
            self.take(self.parse(item))

    def count_checked(self, item: WorkerInput, checked: Checked) -> None:
        """
        A dry run's row a worker replayed, counted by its key and content fingerprint.

        A row whose key was met before with other content, or is in the store, is
        parsed and checked here, which reports it as a run in one process would.
        """
        fresh = _first_met(self.seen, self.service.store, checked.key, checked.fingerprint)
        if fresh is None:
            self.take(self.parse(item))
            return
        self.checked += fresh
        self.skipped += not fresh
        self.count_warnings(checked.warnings)

    def chunk(self, rows: Iterator[_Unparsed]) -> tuple[list[_Unparsed], list[WorkerInput], bool]:
        """The next rows for a worker: what was read, the rows' cells, and whether it ended."""
        items: list[_Unparsed] = []
        inputs: list[WorkerInput] = []
        while len(inputs) < CHUNK_ROWS:
            item = self.next_item(rows)
            if item is None:
                return items, inputs, True
            items.append(item)
            if not isinstance(item, CsvRowError):
                inputs.append(item)
        return items, inputs, False

    def read_in_workers(self, rows: LaporCsvRows) -> None:
        """
        As :meth:`read_rows`, the replays done by the workers, chunk by chunk.

        The parsing is left to the workers too: the rows are read unparsed
        (:meth:`LaporCsvRows.unparsed`), and only those reported on are parsed here. A
        file that ends within the first chunk is imported here, without workers.
        """
        source = rows.unparsed()
        items, inputs, ended = self.chunk(source)
        if ended:
            for item in items:
                if self.stopped:
                    return
                self.take(self.parse(item))
            self.end()
            return

        def chunks() -> Iterator[tuple[list[_Unparsed], list[WorkerInput]]]:
            nonlocal ended
            yield items, inputs
            while not ended and not self.stopped:
                more, cells, ended = self.chunk(source)
                yield more, cells

        with Replayer(
            self.workers,
            context=self.service.context,
            options=self.options,
            csv_options=self.csv_options,
            positions=rows.positions,
            encoder=self.encoder,
        ) as replayer:
            for read, results in replayer.replay(chunks()):
                outcomes = iter(results)
                for item in read:
                    if self.stopped:
                        return
                    if isinstance(item, CsvRowError):
                        self.take(item)
                    else:
                        self.take_result(item, next(outcomes))
        self.end()

    def hold(self, pending: _Pending) -> None:
        """Keep a row's outcome until the rows before it are written (file order)."""
        if self.dry_run or (not self.pending and pending.error is not None):
            self.settle(pending)
        else:
            self.pending.append(pending)

    def check(self, record: LaporCsvRecord) -> None:
        """A dry run's row: replayed and compared, nothing written."""
        try:
            fresh = _check_record(self.service, record, self.options, self.seen)
        except CsvRowError as exc:
            exc.raw = exc.raw or record.raw
            self.reject(exc, self.errors)
            return
        except _Conflict as conflict:
            self.reject(conflict.error, self.conflicts)
            self.stopped = self.on_conflict != "skip"
            return
        self.checked += fresh
        self.skipped += not fresh
        self.count_warnings(warning.kind for warning in record_warnings(record))

    def add(self, record: LaporCsvRecord) -> None:
        """Keep a row for the next write, replayed here."""
        try:
            replayed = _replayed(self.service, record, self.options)
        except CsvRowError as exc:
            exc.raw = exc.raw or record.raw
            self.hold(_Pending(record, error=exc))
            return
        self.keep(idempotency_key_for(record), _Pending(record, replayed))

    def keep(self, key: str, pending: _Pending) -> None:
        """Keep a replayed row for the next write under its *key*; a full batch is written."""
        if key in self.pending_keys:
            self.flush()  # the same Tracking ID again: compared with what was written
            if self.stopped:
                return
        self.pending_keys.add(key)
        self.pending.append(pending)
        if len(self.pending_keys) >= _BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        """
        Write the pending rows in one transaction, then settle each in file order.

        When the transaction is refused (a *Tracking ID* imported before, or a complaint
        of another origin), nothing of it is written and the rows are written one by
        one instead, each told apart as a duplicate, a conflict or a refusal.
        """
        pending, self.pending = self.pending, []
        self.pending_keys = set()
        try:
            written = self.write(pending)
        except ConcurrencyConflict:
            written = False
        for item in pending:
            if self.stopped:
                return  # a conflict stopped the import: later rows are not reported
            self.settle(item, written=written)

    def write(self, pending: list[_Pending]) -> bool:
        """Write the replayed rows in one transaction; whether they were written."""
        if self.encoder is not None:
            batches: list[EncodedBatch] = []
            keys: dict[ComplaintId, str] = {}
            for item in pending:
                if item.error is not None:
                    continue
                if item.encoded is not None:
                    batch, key = item.encoded.batch, item.encoded.key
                else:
                    assert item.record is not None  # noqa: S101 - replayed here, from its record
                    batch, key = self.encode(item), idempotency_key_for(item.record)
                batches.append(batch)
                keys[batch.complaint_id] = key
            if batches:
                self.encoder.append_encoded(batches, idempotency_keys=keys)
            return bool(batches)
        histories = [
            History(p.replayed[1], idempotency_key_for(p.record), p.replayed[0])
            for p in pending
            if p.record is not None and p.replayed is not None
        ]
        if histories and isinstance(self.service.store, BulkStore):
            self.service.record_histories(histories)
            return True
        return False

    def encode(self, item: _Pending) -> EncodedBatch:
        """A row replayed in this process, encoded as the workers encode theirs."""
        assert self.encoder is not None  # noqa: S101 - only with workers that encode
        assert item.replayed is not None  # noqa: S101 - a row without an error was replayed
        return encode_replayed(self.encoder, self.service.context, *item.replayed)

    def settle(self, item: _Pending, *, written: bool = False) -> None:
        """Count one row: refused, imported (in the batch or alone), skipped or conflicting."""
        if item.error is not None:
            self.reject(item.error, self.errors)
            return
        if written and item.encoded is not None:
            self.imported.append(item.encoded.batch.complaint_id)
            self.count_warnings(item.encoded.warnings)
            return
        record = item.record
        if record is None:  # a worker parsed it; not written with its batch
            assert item.read is not None  # noqa: S101 - a worker's row keeps its cells
            parsed = self.parse(item.read)
            if isinstance(parsed, CsvRowError):  # pragma: no cover - the worker parsed it
                self.reject(parsed, self.errors)
                return
            record = parsed
        if written:
            assert item.replayed is not None  # noqa: S101 - replayed here, from its record
            self.imported.append(item.replayed[0].id)
        else:
            try:
                replayed = item.replayed or _replayed(self.service, record, self.options)
                cid = _import_record(self.service, record, self.options, replayed)
            except CsvRowError as exc:
                exc.raw = exc.raw or record.raw
                self.reject(exc, self.errors)
                return
            except _Conflict as conflict:
                self.reject(conflict.error, self.conflicts)
                self.stopped = self.on_conflict != "skip"
                return
            if cid is None:
                self.skipped += 1
            else:
                self.imported.append(cid)
        self.count_warnings(warning.kind for warning in record_warnings(record))

    def count_warnings(self, kinds: Iterable[str]) -> None:
        """Count a row's warnings by kind."""
        for kind in kinds:
            self.warnings[kind] += 1


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
