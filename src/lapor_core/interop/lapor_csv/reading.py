"""
Reading the LAPOR! export: CSV text, row by row, into typed records or row errors.

:func:`read_lapor_csv` streams the rows of a CSV text (the ``csv`` module, one row at a
time) into :class:`~lapor_core.interop.lapor_csv.records.LaporCsvRecord` values, or a
:class:`~lapor_core.interop.lapor_csv.records.CsvRowError` naming the line and the column
of a bad row; :func:`parse_row` reads one row given as a mapping.

The header is matched tolerantly (:data:`~.records.COLUMN_ALIASES`): case, spaces and
underscores do not matter, ``id`` stands for ``TrackingID``, the Timestamp columns have
several spellings, an unnamed index column is skipped and other columns are ignored
(:attr:`LaporCsvRows.ignored_columns`). With the default delimiter ``,`` a header without
a comma but with ``;`` or tabs selects that delimiter.

Dates: a Timestamp column (Unix seconds) that is present and not ``0`` is preferred to
the text date; a text date is read in :attr:`~.records.CsvOptions.date_formats`, or as
Unix seconds when it is 9 to 11 digits; ``0``, ``0000-00-00`` and
``0000-00-00 00:00:00`` (MySQL's "none") and empty cells read as empty.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime

import attrs

from lapor_core.domain.model import Status, TrackingId
from lapor_core.errors import N_, ValidationError
from lapor_core.interop.lapor_csv.dates import parse_date
from lapor_core.interop.lapor_csv.records import (
    AGENCY_ID,
    AREA_ID,
    BODY,
    CATEGORY_ID,
    CLOSED,
    COLUMN_ALIASES,
    ERA_LABEL_BELUM,
    FORWARDED,
    LAST_ACTIVITY,
    RECEIVED,
    REPORTER,
    STATUS,
    TIMESTAMP_COLUMNS,
    TITLE,
    TRACKING_ID,
    CsvOptions,
    CsvRowError,
    LaporCsvRecord,
)

__all__ = ["LaporCsvRows", "normalise_header", "parse_cells", "parse_row", "read_lapor_csv"]

_SEPARATORS = re.compile(r"[\s_\-]+")
_INDEX_NAMES = frozenset({"", "unnamed:0", "index", "no"})
_UNIX = re.compile(r"\d{9,11}(\.\d+)?")
_EMPTY_DATES = frozenset({"0", "0000-00-00", "0000-00-00 00:00:00", "0000-00-00T00:00:00"})


def normalise_header(name: str) -> str:
    """
    A header name as matched: case-folded, without a byte-order mark, spaces, ``_``, ``-``.

    .. versionadded:: 0.2.0
    """
    return _SEPARATORS.sub("", name.lstrip("\ufeff").strip()).casefold()


def _header(  # noqa: C901 - one pass over the header, each case a line
    names: list[str], line: int
) -> tuple[dict[str, int], tuple[str, ...]]:
    positions: dict[str, int] = {}
    ignored: list[str] = []
    alias_id: int | None = None
    for index, raw in enumerate(names):
        name = normalise_header(raw)
        if name in _INDEX_NAMES:
            continue
        if name == "id":
            alias_id = index
            continue
        column = COLUMN_ALIASES.get(name)
        if column is None:
            ignored.append(raw.strip())
            continue
        if column in positions:
            raise CsvRowError(line, column, N_("the column appears twice in the header"))
        positions[column] = index
    if alias_id is not None:
        if TRACKING_ID in positions:
            ignored.append(names[alias_id].strip())
        else:
            positions[TRACKING_ID] = alias_id
    for column in (TRACKING_ID, STATUS):
        if column not in positions:
            raise CsvRowError(line, column, N_("required column missing from the header"))
    if RECEIVED not in positions and TIMESTAMP_COLUMNS[RECEIVED] not in positions:
        raise CsvRowError(
            line,
            RECEIVED,
            ValidationError(
                N_("required column missing from the header (or {column})"),
                column=TIMESTAMP_COLUMNS[RECEIVED],
            ),
        )
    return positions, tuple(ignored)


def parse_row(
    fields: Mapping[str, str],
    line: int,
    options: CsvOptions | None = None,
    *,
    raw: tuple[str, ...] = (),
) -> LaporCsvRecord:
    """
    One row (column name -> text) as a record.

    Args:
        fields: The row's text by column name (:data:`COLUMNS`, the Timestamp columns,
            ``JudulLaporan``, ``IsiLaporan``); missing optional columns read as empty.
        line: The line number, for errors.
        options: Dates and labels (default :class:`CsvOptions`).
        raw: The row's cells as read, kept on the record (for a rejects file).

    Raises:
        CsvRowError: A value is missing or malformed; names the line and the column.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 Timestamp columns, zero dates, the era's *Belum*; *raw*.
    """
    cells = _Cells(fields, line, options if options is not None else CsvOptions())
    tracking = cells.required(TRACKING_ID)
    try:
        tracking_id = TrackingId(tracking)
    except ValidationError as exc:
        raise cells.fail(TRACKING_ID, exc) from None
    received = cells.date(RECEIVED)
    if received is None:
        raise cells.fail(RECEIVED, N_("required, but empty"))
    label = cells.required(STATUS)
    status = cells.options.status_labels.get(label.casefold())
    if status is None:
        raise cells.fail(STATUS, N_("unknown status label {label!r}"), label=label)
    forwarded = cells.date(FORWARDED)
    if label.casefold() == ERA_LABEL_BELUM and forwarded is not None:
        status = Status.FORWARDED  # 2012-2015: published once forwarded (ERA_STATUS_LABELS)
    return LaporCsvRecord(
        line=line,
        tracking_id=tracking_id,
        category_id=cells.text(CATEGORY_ID),
        agency_id=cells.text(AGENCY_ID),
        area_id=cells.text(AREA_ID),
        received_at=received,
        forwarded_at=forwarded,
        last_activity_at=cells.date(LAST_ACTIVITY),
        closed_at=cells.date(CLOSED),
        status=status,
        status_label=label,
        title=cells.verbatim(TITLE),
        body=cells.verbatim(BODY),
        reporter=cells.text(REPORTER),
        raw=raw,
    )


@attrs.frozen
class _Cells:
    """The cells of one row, read with the row's line for errors."""

    fields: Mapping[str, str]
    line: int
    options: CsvOptions

    def text(self, column: str) -> str | None:
        value = self.fields.get(column)
        value = value.strip() if isinstance(value, str) else None
        return value or None

    def verbatim(self, column: str) -> str | None:
        """A text cell as written (the report's own words), ``None`` when blank."""
        value = self.fields.get(column)
        return value if isinstance(value, str) and value.strip() else None

    def fail(
        self, column: str | None, reason: str | ValidationError, **fields: object
    ) -> CsvRowError:
        if isinstance(reason, str):
            reason = ValidationError(reason, **fields) if fields else ValidationError(reason)
        return CsvRowError(self.line, column, reason, self.text(TRACKING_ID))

    def required(self, column: str) -> str:
        value = self.text(column)
        if value is None:
            raise self.fail(column, N_("required, but empty"))
        return value

    def date(self, column: str) -> datetime | None:
        stamp_column = TIMESTAMP_COLUMNS.get(column)
        stamp = self.text(stamp_column) if stamp_column is not None else None
        if stamp_column is not None and stamp is not None and stamp not in _EMPTY_DATES:
            try:
                seconds = float(stamp)
            except ValueError:
                raise self.fail(
                    stamp_column, N_("not Unix seconds: {stamp!r}"), stamp=stamp
                ) from None
            if seconds != 0:
                return self._unix(stamp_column, seconds)
        value = self.text(column)
        if value is None or value in _EMPTY_DATES:
            return None
        if _UNIX.fullmatch(value):
            return self._unix(column, float(value))
        try:
            return parse_date(value, self.options.date_formats, self.options.zone)
        except ValidationError as exc:
            raise self.fail(column, exc) from None
        except ValueError as exc:
            raise self.fail(column, str(exc)) from None

    def _unix(self, column: str, seconds: float) -> datetime:
        try:
            return datetime.fromtimestamp(seconds, UTC).astimezone(self.options.zone)
        except (OverflowError, OSError, ValueError):
            raise self.fail(
                column, N_("Unix seconds out of range: {seconds!r}"), seconds=seconds
            ) from None


def _sniff(header: str, delimiter: str) -> str:
    if delimiter != "," or "," in header:
        return delimiter
    counts = {sep: header.count(sep) for sep in (";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else delimiter


class LaporCsvRows(Iterator[LaporCsvRecord | CsvRowError]):
    """
    The rows of an export as they are read, with what the header said.

    Attributes:
        names: The header as written.
        positions: The columns read and their index in a row.
        ignored_columns: The header's columns that are not read (unknown, or LAPOR!
            columns the import does not use such as ``Pelapor``), as written.
        delimiter: The delimiter used (given, or sniffed from the header).

    .. versionadded:: 0.2.0
    """

    def __init__(
        self,
        reader: Iterator[list[str]],
        names: list[str],
        delimiter: str,
        line_num: object,
        options: CsvOptions,
    ) -> None:
        """Hold a started ``csv`` reader (the header read)."""
        self.names = tuple(names)
        self.positions, self.ignored_columns = _header(names, 1)
        self.delimiter = delimiter
        self._reader = reader
        self._line_num = line_num
        self._options = options
        self._rows = self._generate()

    @property
    def line_num(self) -> int:
        """The last physical line read."""
        return int(getattr(self._line_num, "line_num", 0))

    def __next__(self) -> LaporCsvRecord | CsvRowError:
        """The next record or row error."""
        return next(self._rows)

    def unparsed(self) -> Iterator[tuple[int, tuple[str, ...]] | CsvRowError]:
        """
        The rows as read, not yet parsed: ``(line, cells)``, or a row's error.

        An error is a row that cannot be a record: unreadable, or not as wide as the
        header. For a reader that parses the rows elsewhere, with :meth:`parse` (the
        import's worker processes). Read the rows this way or as records, not both: they
        come from the same file.

        .. versionadded:: 0.2.0
        """
        width = len(self.names)
        while True:
            start = self.line_num + 1
            try:
                row = next(self._reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield CsvRowError(
                    start, None, ValidationError(N_("unreadable row: {reason}"), reason=str(exc))
                )
                continue
            if not row or all(not field.strip() for field in row):
                continue
            raw = tuple(row)
            if len(row) != width:
                yield CsvRowError(
                    start,
                    None,
                    ValidationError(
                        N_("expected {width} fields, got {count}"), width=width, count=len(row)
                    ),
                    None,
                    raw,
                )
                continue
            yield start, raw

    def parse(self, line: int, cells: tuple[str, ...]) -> LaporCsvRecord | CsvRowError:
        """
        The record of a row read by :meth:`unparsed`, or its error (which keeps its cells).

        .. versionadded:: 0.2.0
        """
        return parse_cells(cells, line, self.positions, self._options)

    def _generate(self) -> Iterator[LaporCsvRecord | CsvRowError]:
        for item in self.unparsed():
            yield item if isinstance(item, CsvRowError) else self.parse(*item)


def parse_cells(
    cells: tuple[str, ...], line: int, positions: Mapping[str, int], options: CsvOptions
) -> LaporCsvRecord | CsvRowError:
    """
    The record of a row's *cells* (the columns at *positions*), or its error.

    The error keeps the cells, for a rejects file. What :class:`LaporCsvRows` yields for
    a row of the right width.

    .. versionadded:: 0.2.0
    """
    fields = {column: cells[index] for column, index in positions.items()}
    try:
        return parse_row(fields, line, options, raw=cells)
    except CsvRowError as exc:
        exc.raw = cells
        return exc


def read_lapor_csv(source: Iterable[str], options: CsvOptions | None = None) -> LaporCsvRows:
    """
    Stream the rows of an export: a record per good row, a :class:`CsvRowError` per bad one.

    A bad row does not stop the reading; blank lines are skipped. *source* is any
    iterable of text lines (an open file, ``text.splitlines(keepends=True)``, ...): this
    function opens nothing; :func:`lapor_core.interop.importer.import_lapor_csv` reads
    files.

    Args:
        source: The CSV text, line by line, starting with the header.
        options: Dates, time zone, delimiter, status labels (default
            :class:`CsvOptions`).

    Raises:
        CsvRowError: The header is missing, lacks a required column
            (:data:`REQUIRED_COLUMNS`) or repeats one (line 1); such a file has no
            readable row.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 Returns :class:`LaporCsvRows` (an iterator); tolerant
       header, sniffed delimiter.
    """
    options = options if options is not None else CsvOptions()
    lines = iter(source)
    try:
        first = next(lines)
    except StopIteration:
        raise CsvRowError(1, None, N_("the file is empty: no header")) from None
    delimiter = _sniff(first, options.delimiter)
    reader = csv.reader(itertools.chain((first,), lines), delimiter=delimiter, strict=True)
    try:
        names = next(reader)
    except StopIteration:
        raise CsvRowError(1, None, N_("the file is empty: no header")) from None
    except csv.Error as exc:
        raise CsvRowError(
            1, None, ValidationError(N_("unreadable header: {reason}"), reason=str(exc))
        ) from None
    return LaporCsvRows(reader, names, delimiter, reader, options)
