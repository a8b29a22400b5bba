"""
Reading the LAPOR! export: CSV text, row by row, into typed records or row errors.

:func:`read_lapor_csv` streams the rows of a CSV text (the ``csv`` module, one row at a
time) into :class:`~lapor_core.interop.lapor_csv.records.LaporCsvRecord` values, or a
:class:`~lapor_core.interop.lapor_csv.records.CsvRowError` naming the line and the column
of a bad row; :func:`parse_row` reads one row given as a mapping.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

import attrs

from lapor_core.domain.model import TrackingId
from lapor_core.errors import ValidationError
from lapor_core.interop.lapor_csv.dates import parse_date
from lapor_core.interop.lapor_csv.records import (
    AGENCY_ID,
    AREA_ID,
    CATEGORY_ID,
    CLOSED,
    COLUMNS,
    FORWARDED,
    LAST_ACTIVITY,
    RECEIVED,
    REQUIRED_COLUMNS,
    STATUS,
    TRACKING_ID,
    CsvOptions,
    CsvRowError,
    LaporCsvRecord,
)

__all__ = ["parse_row", "read_lapor_csv"]


def _header(names: list[str], line: int) -> dict[str, int]:
    known = {c.casefold(): c for c in COLUMNS}
    positions: dict[str, int] = {}
    for index, raw in enumerate(names):
        name = raw.strip().lstrip("\ufeff").strip()
        column = known.get(name.casefold())
        if column is None:
            continue
        if column in positions:
            raise CsvRowError(line, column, "the column appears twice in the header")
        positions[column] = index
    for column in COLUMNS:
        if column in REQUIRED_COLUMNS and column not in positions:
            raise CsvRowError(line, column, "required column missing from the header")
    return positions


def parse_row(
    fields: Mapping[str, str], line: int, options: CsvOptions | None = None
) -> LaporCsvRecord:
    """
    One row (column name -> text) as a record.

    Args:
        fields: The row's text by column name (:data:`COLUMNS`); missing optional
            columns read as empty.
        line: The line number, for errors.
        options: Dates and labels (default :class:`CsvOptions`).

    Raises:
        CsvRowError: A value is missing or malformed; names the line and the column.

    .. versionadded:: 0.1.0
    """
    cells = _Cells(fields, line, options if options is not None else CsvOptions())
    tracking = cells.required(TRACKING_ID)
    try:
        tracking_id = TrackingId(tracking)
    except ValidationError as exc:
        raise cells.fail(TRACKING_ID, str(exc)) from None
    received = cells.date(RECEIVED)
    if received is None:
        raise cells.fail(RECEIVED, "required, but empty")
    label = cells.required(STATUS)
    status = cells.options.status_labels.get(label.casefold())
    if status is None:
        raise cells.fail(STATUS, f"unknown status label {label!r}")
    return LaporCsvRecord(
        line=line,
        tracking_id=tracking_id,
        category_id=cells.text(CATEGORY_ID),
        agency_id=cells.text(AGENCY_ID),
        area_id=cells.text(AREA_ID),
        received_at=received,
        forwarded_at=cells.date(FORWARDED),
        last_activity_at=cells.date(LAST_ACTIVITY),
        closed_at=cells.date(CLOSED),
        status=status,
        status_label=label,
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

    def fail(self, column: str | None, reason: str) -> CsvRowError:
        return CsvRowError(self.line, column, reason, self.text(TRACKING_ID))

    def required(self, column: str) -> str:
        value = self.text(column)
        if value is None:
            raise self.fail(column, "required, but empty")
        return value

    def date(self, column: str) -> datetime | None:
        value = self.text(column)
        if value is None:
            return None
        try:
            return parse_date(value, self.options.date_formats, self.options.zone)
        except ValueError as exc:
            raise self.fail(column, str(exc)) from None


def read_lapor_csv(
    source: Iterable[str], options: CsvOptions | None = None
) -> Iterator[LaporCsvRecord | CsvRowError]:
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
    """
    options = options if options is not None else CsvOptions()
    reader = csv.reader(iter(source), delimiter=options.delimiter, strict=True)
    try:
        names = next(reader)
    except StopIteration:
        raise CsvRowError(1, None, "the file is empty: no header") from None
    except csv.Error as exc:
        raise CsvRowError(1, None, f"unreadable header: {exc}") from None
    positions = _header(names, reader.line_num)
    return _rows(reader, positions, len(names), options)


def _rows(
    reader: Any,  # noqa: ANN401 - csv's reader type is private
    positions: Mapping[str, int],
    width: int,
    options: CsvOptions,
) -> Iterator[LaporCsvRecord | CsvRowError]:
    while True:
        start = reader.line_num + 1
        try:
            row: list[str] = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield CsvRowError(start, None, f"unreadable row: {exc}")
            continue
        if not row or all(not field.strip() for field in row):
            continue
        if len(row) != width:
            yield CsvRowError(start, None, f"expected {width} fields, got {len(row)}")
            continue
        fields = {column: row[index] for column, index in positions.items()}
        try:
            yield parse_row(fields, start, options)
        except CsvRowError as exc:
            yield exc
