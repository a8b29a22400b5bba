"""
The LAPOR! open-data export (*data aspirasi dan pengaduan masyarakat*): read, replay, write.

The older LAPOR! published its reports on data.go.id with these columns (domain.md §2,
[C]): ``TrackingID``, ``KategoriID``, ``DisposisiInstansiID``, ``AreaID``,
``TanggalLaporanMasuk`` (received), ``TanggalDisposisi`` (forwarded),
``TanggalLaporanAktivitasTerakhir`` (last activity), ``TanggalLaporanDitutup`` (closed)
and a status with the Indonesian labels of domain.md §3.1 (*Belum Terverifikasi*,
*Belum Ditindaklanjuti*, *Proses*, *Selesai*, *Tunda*, *Arsip*, and older names such as
*Belum* or *dihapus*).

Three steps, each usable alone:

1. :func:`read_lapor_csv` streams the rows of a CSV text (the ``csv`` module, one row at
   a time) into typed :class:`LaporCsvRecord` values, or a :class:`CsvRowError` naming
   the line and the column of a bad row.
2. :func:`record_steps` turns a record into the commands that reproduce its history
   through the real domain, and :func:`replay_record` decides them (pure: ``decide`` and
   ``evolve``), so the complaint ends in the status the row gives and keeps the
   *Tracking ID* as :attr:`~lapor_core.domain.model.ExternalIds.sp4n_tracking_id`.
3. :func:`to_record` and :func:`write_lapor_csv` go back: complaints to the same columns.
   The columns carry no content and no reporter, so *anonim* and *rahasia* reports
   export nothing the public may not see.

What the export does not say is an explicit parameter with a documented default: the
date formats and time zone (:class:`CsvOptions`), and the channel, kind, reporter and the
mapping of the export's ids onto our agencies, categories and regions
(:class:`ImportOptions`). An id that cannot be mapped is an error for its row unless a
fallback is given: nothing is guessed.

The file-reading and store-writing helper is
:func:`lapor_core.interop.importer.import_lapor_csv`.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import csv
import io
import zoneinfo
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, TextIO

import attrs

from lapor_core.domain.actors import Actor, Role
from lapor_core.domain.commands import (
    Archive,
    Close,
    Command,
    Forward,
    PostFollowUp,
    RequestInformation,
    Submit,
)
from lapor_core.domain.complaint import Complaint, Context, decide, evolve
from lapor_core.domain.events import Event
from lapor_core.domain.lifecycle import Status
from lapor_core.domain.model import (
    ArchiveReason,
    Category,
    Channel,
    ChannelType,
    ComplaintId,
    Content,
    ExternalIds,
    Kind,
    Privacy,
    RegionCode,
    Reporter,
    TrackingId,
    require_aware,
)
from lapor_core.domain.profile import Profile
from lapor_core.errors import LaporError, ValidationError
from lapor_core.interop._labels import LABELS, label_id

__all__ = [
    "COLUMNS",
    "DEFAULT_DATE_FORMATS",
    "DEFAULT_TIME_ZONE",
    "IMPORT_CHANNEL",
    "IMPORT_REPORTER",
    "REQUIRED_COLUMNS",
    "STATUS_LABELS",
    "CsvOptions",
    "CsvRowError",
    "ImportOptions",
    "LaporCsvRecord",
    "Step",
    "complaint_id_for",
    "idempotency_key_for",
    "parse_row",
    "read_lapor_csv",
    "record_fields",
    "record_steps",
    "replay_record",
    "status_labels_from_profile",
    "to_record",
    "write_lapor_csv",
]

TRACKING_ID = "TrackingID"
CATEGORY_ID = "KategoriID"
AGENCY_ID = "DisposisiInstansiID"
AREA_ID = "AreaID"
RECEIVED = "TanggalLaporanMasuk"
FORWARDED = "TanggalDisposisi"
LAST_ACTIVITY = "TanggalLaporanAktivitasTerakhir"
CLOSED = "TanggalLaporanDitutup"
STATUS = "Status"

COLUMNS: tuple[str, ...] = (
    TRACKING_ID,
    CATEGORY_ID,
    AGENCY_ID,
    AREA_ID,
    RECEIVED,
    FORWARDED,
    LAST_ACTIVITY,
    CLOSED,
    STATUS,
)
"""
The columns of the export, in the order :func:`write_lapor_csv` writes them.

Reading matches header names without regard to case or surrounding spaces; other columns
are ignored; absent optional columns read as empty.

.. versionadded:: 0.1.0
"""

REQUIRED_COLUMNS: frozenset[str] = frozenset({TRACKING_ID, RECEIVED, STATUS})
"""
The columns a file must have: the *Tracking ID*, the day it was received and the status.

.. versionadded:: 0.1.0
"""

DEFAULT_DATE_FORMATS: tuple[str, ...] = (
    "iso",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
)
"""
The date formats tried in order when none are given.

``"iso"`` is ISO 8601 as :meth:`datetime.fromisoformat` reads it (``2015-03-02``,
``2015-03-02 09:15:00``, ``2015-03-02T09:15:00+07:00``); the others are ``strptime``
formats, day first as Indonesians write dates (``02/03/2015`` is 2 March). The export's
real format is not documented in our sources (domain.md §2), so check a few rows and pass
the formats you see.

.. versionadded:: 0.1.0
"""

DEFAULT_TIME_ZONE = "Asia/Jakarta"
"""
The zone of a date written without an offset: WIB, where the national LAPOR! runs.

.. versionadded:: 0.1.0
"""

IMPORT_CHANNEL = Channel(ChannelType.REGIONAL_APP, "SP4N-LAPOR! open data")
"""
The channel (*kanal*) of an imported report, by default.

The export does not say how a report arrived (web, SMS 1708, app, ...); the import marks
the integrated system it came from instead. Pass another channel when you know it.

.. versionadded:: 0.1.0
"""

IMPORT_REPORTER = Reporter(id="sp4n-open-data", name="Pelapor LAPOR! (tidak diketahui)")
"""
The reporter (*pelapor*) of an imported report, by default: the export names nobody.

.. versionadded:: 0.1.0
"""

STATUS_LABELS: Mapping[str, Status] = {
    label.casefold(): status
    for status, labels in LABELS.items()
    for label in (status.value, *labels)
}
"""
Status labels (case-folded) to our statuses: the labels of the national profile.

The six buckets of 2023-2024 (domain.md §3.1, [C]), the 2018 names (*belum diproses*,
*dipending*, *diverifikasi dan didisposisi*; *dihapus* read as archived, [U]), the
2012-2015 *Belum*, the English labels and our status values. A deployment with other
local names passes :func:`status_labels_from_profile` (or its own mapping) in
:class:`CsvOptions`.

.. versionadded:: 0.1.0
"""


def status_labels_from_profile(profile: Profile) -> dict[str, Status]:
    """
    The status labels of *profile* (Indonesian, English, local names and the values).

    .. versionadded:: 0.1.0
    """
    labels: dict[str, Status] = {}
    for status, names in profile.labels.items():
        for label in (status.value, names.id, names.en, *names.local):
            labels[label.casefold()] = status
    return labels


def _check_zone(_inst: object, _attr: attrs.Attribute[str], value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValidationError(f"time_zone: unknown IANA time zone {value!r}") from None


def _check_formats(
    _inst: object, _attr: attrs.Attribute[tuple[str, ...]], value: tuple[str, ...]
) -> None:
    if not value:
        raise ValidationError("date_formats: give at least one format")
    for fmt in value:
        if not isinstance(fmt, str) or not fmt:
            raise ValidationError(f"date_formats: not a format: {fmt!r}")


def _check_delimiter(_inst: object, _attr: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or len(value) != 1 or value in '\r\n"':
        raise ValidationError(f"delimiter: must be one character, got {value!r}")


def _to_tuple(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _casefold_labels(value: Mapping[str, Status]) -> Mapping[str, Status]:
    return {k.strip().casefold(): v for k, v in value.items()}


@attrs.frozen(kw_only=True)
class CsvOptions:
    """
    How to read and write the export's text.

    Attributes:
        date_formats: Formats tried in order for every date column (default
            :data:`DEFAULT_DATE_FORMATS`); ``"iso"`` means ISO 8601.
        time_zone: The IANA zone of dates without an offset, and of the dates written
            (default :data:`DEFAULT_TIME_ZONE`, WIB).
        delimiter: The field separator (default ``,``; some exports use ``;``).
        status_labels: Case-folded status labels to our statuses (default
            :data:`STATUS_LABELS`).

    .. versionadded:: 0.1.0
    """

    date_formats: tuple[str, ...] = attrs.field(
        default=DEFAULT_DATE_FORMATS, converter=_to_tuple, validator=_check_formats
    )
    time_zone: str = attrs.field(default=DEFAULT_TIME_ZONE, validator=_check_zone)
    delimiter: str = attrs.field(default=",", validator=_check_delimiter)
    status_labels: Mapping[str, Status] = attrs.field(
        default=STATUS_LABELS, converter=_casefold_labels
    )

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The time zone as a ``ZoneInfo``."""
        return zoneinfo.ZoneInfo(self.time_zone)


class CsvRowError(ValidationError):
    """
    A row (or the header) of an export is malformed; says where.

    Attributes:
        line: The line the row starts on (1 is the header).
        column: The column at fault, or ``None`` for the row as a whole.
        reason: What is wrong.
        tracking_id: The row's *Tracking ID* as written, if it could be read.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self, line: int, column: str | None, reason: str, tracking_id: str | None = None
    ) -> None:
        """Record where and why."""
        where = f"line {line}" + (f", column {column}" if column else "")
        super().__init__(f"{where}: {reason}")
        self.line = line
        self.column = column
        self.reason = reason
        self.tracking_id = tracking_id


@attrs.frozen
class LaporCsvRecord:
    """
    One row of the export, typed.

    Ids other than the *Tracking ID* are kept as written: :class:`ImportOptions` maps
    them onto ours. Dates are aware.

    Attributes:
        line: The line the row starts on (0 for a record not read from a file).
        tracking_id: ``TrackingID``.
        category_id: ``KategoriID``, or ``None`` when empty.
        agency_id: ``DisposisiInstansiID``: the agency it was forwarded to.
        area_id: ``AreaID``: where it happened.
        received_at: ``TanggalLaporanMasuk``.
        forwarded_at: ``TanggalDisposisi``.
        last_activity_at: ``TanggalLaporanAktivitasTerakhir``.
        closed_at: ``TanggalLaporanDitutup``.
        status: The status the label means.
        status_label: The label as written.

    .. versionadded:: 0.1.0
    """

    line: int
    tracking_id: TrackingId
    category_id: str | None
    agency_id: str | None
    area_id: str | None
    received_at: datetime
    forwarded_at: datetime | None
    last_activity_at: datetime | None
    closed_at: datetime | None
    status: Status
    status_label: str

    def __attrs_post_init__(self) -> None:
        """Dates are aware."""
        for name in ("received_at", "forwarded_at", "last_activity_at", "closed_at"):
            value = getattr(self, name)
            if value is not None:
                require_aware(value, name)


# --------------------------------------------------------------------------- reading


def _parse_date(text: str, options: CsvOptions) -> datetime:
    value = None
    for fmt in options.date_formats:
        try:
            value = datetime.fromisoformat(text) if fmt == "iso" else datetime.strptime(text, fmt)  # noqa: DTZ007 - the zone is applied below
        except ValueError:
            continue
        break
    if value is None:
        formats = ", ".join(options.date_formats)
        raise ValueError(f"not a date in any of the formats {formats}: {text!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=options.zone)
    return value


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
            return _parse_date(value, self.options)
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


# --------------------------------------------------------------------------- replaying


def _check_actor_id(_inst: object, _attr: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"actor_id: must be a non-empty string, got {value!r}")


def _check_prefix(_inst: object, _attr: attrs.Attribute[str], value: str) -> None:
    try:
        ComplaintId(value + "x" * 32)  # the longest tracking id must still fit
    except ValidationError:
        raise ValidationError(
            f"id_prefix: {value!r} must be letters, digits and ._:- (at most 32 characters)"
        ) from None


def _instance(*types: type) -> Callable[[object, attrs.Attribute[Any], object], None]:
    names = " or ".join(t.__name__ for t in types)

    def check(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, types):
            raise ValidationError(f"{attr.name}: must be {names}, got {type(value).__name__}")

    return check


@attrs.frozen(kw_only=True)
class ImportOptions:
    """
    What an imported record becomes: id maps, fallbacks and the facts the export omits.

    The export's ids (``KategoriID``, ``DisposisiInstansiID``, ``AreaID``) are mapped
    onto ours like this, for each of them:

    * with a map (``categories``, ``agencies``, ``areas``), the id must be in it; an id
      that is not uses the fallback (``fallback_category``, ``fallback_agency``) when
      one is given, else the row is refused;
    * without a map, the id must already be ours: a category of the profile, an agency
      of the registry (not the national root), a Kemendagri region code; otherwise the
      fallback, else the row is refused.

    An empty cell means no value (no category, no region); an empty
    ``DisposisiInstansiID`` refuses a row whose status needs a forwarding.

    Attributes:
        categories: ``KategoriID`` -> our category code.
        agencies: ``DisposisiInstansiID`` -> our agency id.
        areas: ``AreaID`` -> Kemendagri region code.
        fallback_category: The category for a ``KategoriID`` that cannot be mapped.
        fallback_agency: The agency for a ``DisposisiInstansiID`` that cannot be mapped.
        channel: The channel (default :data:`IMPORT_CHANNEL`).
        kind: The classification (default *pengaduan*; the export has none).
        reporter: The reporter (default :data:`IMPORT_REPORTER`).
        privacy: The privacy flags (default none; the export has none).
        id_prefix: Our complaint id is this prefix and the *Tracking ID*
            (default ``"sp4n-"``).
        actor_id: The account the import's commands are issued under.

    .. versionadded:: 0.1.0
    """

    categories: Mapping[str, str] | None = attrs.field(
        default=None, validator=_instance(Mapping, type(None))
    )
    agencies: Mapping[str, str] | None = attrs.field(
        default=None, validator=_instance(Mapping, type(None))
    )
    areas: Mapping[str, str] | None = attrs.field(
        default=None, validator=_instance(Mapping, type(None))
    )
    fallback_category: str | None = attrs.field(default=None, validator=_instance(str, type(None)))
    fallback_agency: str | None = attrs.field(default=None, validator=_instance(str, type(None)))
    channel: Channel = attrs.field(default=IMPORT_CHANNEL, validator=_instance(Channel))
    kind: Kind = attrs.field(default=Kind.COMPLAINT, validator=_instance(Kind))
    reporter: Reporter = attrs.field(default=IMPORT_REPORTER, validator=_instance(Reporter))
    privacy: Privacy = attrs.field(factory=Privacy, validator=_instance(Privacy))
    id_prefix: str = attrs.field(default="sp4n-", validator=_check_prefix)
    actor_id: str = attrs.field(default="lapor-csv-import", validator=_check_actor_id)


@attrs.frozen
class Step:
    """
    One command of a replayed record: when, by whom, and the column it comes from.

    .. versionadded:: 0.1.0
    """

    at: datetime
    actor: Actor
    command: Command
    column: str


def complaint_id_for(record: LaporCsvRecord, options: ImportOptions | None = None) -> ComplaintId:
    """
    Our id of the complaint a record imports as: the prefix and the *Tracking ID*.

    .. versionadded:: 0.1.0
    """
    prefix = (options or ImportOptions()).id_prefix
    return ComplaintId(f"{prefix}{record.tracking_id}")


def idempotency_key_for(record: LaporCsvRecord) -> str:
    """
    The idempotency key of a record's import: ``lapor-csv:<Tracking ID>``.

    Importing the same *Tracking ID* again finds this key and creates nothing.

    .. versionadded:: 0.1.0
    """
    return f"lapor-csv:{record.tracking_id}"


def _resolve(
    raw: str,
    table: Mapping[str, str] | None,
    fallback: str | None,
    known: Any,  # noqa: ANN401 - a container or registry with ``in``
    what: str,
) -> str:
    if table is not None:
        mapped = table.get(raw)
        if mapped is not None:
            return mapped
        if fallback is not None:
            return fallback
        raise ValidationError(f"{raw!r} is not in the {what} map and no fallback is given")
    if raw in known:
        return raw
    if fallback is not None:
        return fallback
    raise ValidationError(
        f"{raw!r} is not a known {what}; pass a {what} map or a fallback in ImportOptions"
    )


def _agency(record: LaporCsvRecord, ctx: Context, options: ImportOptions) -> str | None:
    if record.agency_id is None:
        return None
    registry = ctx.registry
    known = {a.id for a in registry if a.id != registry.root.id}
    agency = _resolve(record.agency_id, options.agencies, options.fallback_agency, known, "agency")
    if agency not in known:
        raise ValidationError(f"{agency!r} is not an agency of the registry (or is the root)")
    return agency


def _category(record: LaporCsvRecord, ctx: Context, options: ImportOptions) -> Category | None:
    if record.category_id is None:
        return None
    known = ctx.profile.service_standards
    code = _resolve(
        record.category_id, options.categories, options.fallback_category, known, "category"
    )
    return Category(code)


def _region(record: LaporCsvRecord, options: ImportOptions) -> RegionCode | None:
    if record.area_id is None:
        return None
    code = record.area_id
    if options.areas is not None:
        mapped = options.areas.get(code)
        if mapped is None:
            raise ValidationError(f"{code!r} is not in the area map")
        code = mapped
    return RegionCode(code)


_NEEDS_FORWARD = frozenset({Status.FORWARDED, Status.IN_PROGRESS, Status.COMPLETED})
_ORDER = (
    (RECEIVED, "received_at"),
    (FORWARDED, "forwarded_at"),
    (LAST_ACTIVITY, "last_activity_at"),
    (CLOSED, "closed_at"),
)


def _check_dates(record: LaporCsvRecord, years: range) -> None:
    """Each date is in the calendar's years and not before the ones of earlier columns."""
    seen: list[tuple[str, datetime]] = []
    for column, name in _ORDER:
        value: datetime | None = getattr(record, name)
        if value is None:
            continue
        if value.year not in years:
            raise CsvRowError(
                record.line,
                column,
                f"{value.isoformat()} is outside the years of the working-day calendar "
                f"({years[0]}-{years[-1]})",
                str(record.tracking_id),
            )
        for earlier_column, earlier in seen:
            if value < earlier:
                raise CsvRowError(
                    record.line,
                    column,
                    f"{value.isoformat()} is before {earlier_column} {earlier.isoformat()}",
                    str(record.tracking_id),
                )
        seen.append((column, value))


def _check_shape(record: LaporCsvRecord) -> None:
    """The columns the status needs are there; the ones it cannot have are not."""

    def fail(column: str, reason: str) -> CsvRowError:
        return CsvRowError(record.line, column, reason, str(record.tracking_id))

    status, label = record.status, record.status_label
    if record.agency_id is not None and record.forwarded_at is None:
        raise fail(FORWARDED, f"empty, but {AGENCY_ID} is given")
    if status is Status.SUBMITTED and record.forwarded_at is not None:
        raise fail(
            FORWARDED,
            f"status {label!r} (not yet verified) cannot have been forwarded; "
            "a bukan wewenang return is not in the export",
        )
    if record.forwarded_at is not None and record.agency_id is None:
        raise fail(AGENCY_ID, f"empty, but {FORWARDED} is given")
    _check_status_columns(record, fail)


def _check_status_columns(record: LaporCsvRecord, fail: Callable[[str, str], CsvRowError]) -> None:
    status, label = record.status, record.status_label
    if status in _NEEDS_FORWARD:
        if record.agency_id is None:
            raise fail(AGENCY_ID, f"required for status {label!r}")
        if record.forwarded_at is None:
            raise fail(FORWARDED, f"required for status {label!r}")
    if status is Status.IN_PROGRESS and record.last_activity_at is None:
        raise fail(LAST_ACTIVITY, f"required for status {label!r} (the follow-up)")
    if status is Status.COMPLETED and record.closed_at is None:
        raise fail(CLOSED, f"required for status {label!r}")
    if status not in {Status.COMPLETED, Status.ARCHIVED} and record.closed_at is not None:
        raise fail(CLOSED, f"status {label!r} is open, but a closing date is given")


def record_steps(
    record: LaporCsvRecord, ctx: Context, options: ImportOptions | None = None
) -> tuple[Step, ...]:
    """
    The commands that reproduce a record's history, in order.

    * ``Submit`` (system actor) at ``TanggalLaporanMasuk``, with the *Tracking ID* as
      external id and the idempotency key of :func:`idempotency_key_for`;
    * ``Forward`` (national admin) to ``DisposisiInstansiID`` at ``TanggalDisposisi``:
      needed by *Belum Ditindaklanjuti*, *Proses* and *Selesai*, done for *Tunda* and
      *Arsip* when given;
    * ``PostFollowUp`` (the agency): *Proses* at ``TanggalLaporanAktivitasTerakhir``;
      *Selesai* at the same, else at ``TanggalLaporanDitutup``;
    * ``Close`` (national admin): *Selesai* at ``TanggalLaporanDitutup``;
    * ``RequestInformation`` (national admin): *Tunda* at
      ``TanggalLaporanAktivitasTerakhir``, else at the latest earlier date;
    * ``Archive`` (national admin, reason ``other``: the export gives none): *Arsip* at
      ``TanggalLaporanDitutup``, else at the latest earlier date.

    *Belum Terverifikasi* is the submission alone. The follow-up is posted under an
    agency-admin account of the agency: a historical fact, not checked against today's
    decree (*SK*) rule.

    Every date must lie in the years of the working-day calendar and must not be before
    the dates of the columns to its left. ``TanggalLaporanAktivitasTerakhir`` is replayed
    only where a step belongs to it (the follow-up of *Proses* and *Selesai*, the
    question of *Tunda*, the archiving of *Arsip* without a closing date); for
    *Belum Terverifikasi*, *Belum Ditindaklanjuti* and *Arsip* with a closing date it is
    checked but not kept: the export does not say what happened then.

    Raises:
        CsvRowError: The record is inconsistent (a date outside the calendar or before
            an earlier column's, a column the status needs is empty or one it cannot
            have is given) or an id cannot be mapped; names the column.

    .. versionadded:: 0.1.0
    """
    options = options if options is not None else ImportOptions()
    line, tracking = record.line, str(record.tracking_id)
    _check_dates(record, ctx.calendar.years)
    _check_shape(record)
    resolved: dict[str, Any] = {}
    for column, resolve in (
        (AGENCY_ID, lambda: _agency(record, ctx, options)),
        (CATEGORY_ID, lambda: _category(record, ctx, options)),
        (AREA_ID, lambda: _region(record, options)),
    ):
        try:
            resolved[column] = resolve()
        except ValidationError as exc:
            raise CsvRowError(line, column, str(exc), tracking) from None
    agency: str | None = resolved[AGENCY_ID]
    cid = complaint_id_for(record, options)
    system = Actor(options.actor_id, Role.SYSTEM)
    admin = Actor(options.actor_id, Role.NATIONAL_ADMIN)
    note = f"imported from the LAPOR! open-data export, status {record.status_label!r}"
    steps = [
        Step(
            record.received_at,
            system,
            Submit(
                complaint_id=cid,
                idempotency_key=idempotency_key_for(record),
                content=Content(
                    title=f"Laporan SP4N-LAPOR! {tracking}",
                    body="The open-data export does not publish the report's content "
                    "(isi laporan tidak dipublikasikan).",
                ),
                kind=options.kind,
                reporter=options.reporter,
                channel=options.channel,
                privacy=options.privacy,
                region=resolved[AREA_ID],
                category=resolved[CATEGORY_ID],
                external_ids=ExternalIds(sp4n_tracking_id=record.tracking_id),
            ),
            RECEIVED,
        )
    ]
    latest, latest_column = record.received_at, RECEIVED
    if agency is not None and record.forwarded_at is not None:
        forward = Forward(complaint_id=cid, agencies=(agency,))
        steps.append(Step(record.forwarded_at, admin, forward, FORWARDED))
        latest, latest_column = record.forwarded_at, FORWARDED
    status = record.status
    if status in {Status.IN_PROGRESS, Status.COMPLETED}:
        assert agency is not None  # noqa: S101 - _check_shape requires it
        at, column = record.last_activity_at, LAST_ACTIVITY
        if at is None:
            at, column = record.closed_at, CLOSED
        assert at is not None  # noqa: S101 - _check_shape requires one of them
        liaison = Actor(options.actor_id, Role.AGENCY_ADMIN, agency)
        follow_up = PostFollowUp(complaint_id=cid, agency=agency, text=note)
        steps.append(Step(at, liaison, follow_up, column))
    if status is Status.COMPLETED:
        assert record.closed_at is not None  # noqa: S101 - _check_shape requires it
        steps.append(Step(record.closed_at, admin, Close(complaint_id=cid, note=note), CLOSED))
    elif status is Status.ON_HOLD:
        at, column = (
            record.last_activity_at or latest,
            (LAST_ACTIVITY if record.last_activity_at else latest_column),
        )
        question = RequestInformation(complaint_id=cid, question=note)
        steps.append(Step(at, admin, question, column))
    elif status is Status.ARCHIVED:
        at = record.closed_at or record.last_activity_at or latest
        column = (
            CLOSED
            if record.closed_at
            else (LAST_ACTIVITY if record.last_activity_at else latest_column)
        )
        archive = Archive(complaint_id=cid, reason=ArchiveReason.OTHER, note=note)
        steps.append(Step(at, admin, archive, column))
    return tuple(steps)


def replay_record(
    record: LaporCsvRecord, ctx: Context, options: ImportOptions | None = None
) -> tuple[Complaint, tuple[Event, ...]]:
    """
    Decide the :func:`record_steps` of a record through the real domain; store nothing.

    Returns:
        The complaint (in the record's status) and every event, in order.

    Raises:
        CsvRowError: The record is inconsistent, an id cannot be mapped, or the domain
            refuses a step (the message says which column's step and why).

    .. versionadded:: 0.1.0
    """
    steps = record_steps(record, ctx, options)
    complaint: Complaint | None = None
    events: list[Event] = []
    for step in steps:
        try:
            new = decide(complaint, step.command, step.actor, step.at, ctx)
        except LaporError as exc:
            name = type(step.command).__name__
            raise CsvRowError(
                record.line, step.column, f"{name} refused: {exc}", str(record.tracking_id)
            ) from None
        for event in new:
            complaint = evolve(complaint, event)
        events.extend(new)
    assert complaint is not None  # noqa: S101 - the first step is a submission
    if complaint.status is not record.status:  # pragma: no cover - a bug in record_steps
        raise CsvRowError(
            record.line,
            STATUS,
            f"replay ended in {complaint.status.value}, not {record.status.value}",
            str(record.tracking_id),
        )
    return complaint, tuple(events)


# --------------------------------------------------------------------------- writing


def _last_activity(complaint: Complaint) -> datetime | None:
    return complaint.thread[-1].at if complaint.thread else None


def to_record(complaint: Complaint) -> LaporCsvRecord:
    """
    A complaint as a row of the export (``line`` 0).

    ``TrackingID`` is the SP4N *Tracking ID*, or our complaint id when it has none (it
    must then fit a tracking id: letters, digits and ``-``, at most 32);
    ``DisposisiInstansiID`` the lead agency; ``TanggalDisposisi`` the first forwarding;
    ``TanggalLaporanAktivitasTerakhir`` the last message of the follow-up thread;
    ``TanggalLaporanDitutup`` the completion or archiving. Content and reporter are not
    columns of the export, so nothing here depends on *anonim* or *rahasia*.

    Raises:
        ValidationError: The complaint has no tracking id and its id does not fit one.

    .. versionadded:: 0.1.0
    """
    tracking = complaint.external_ids.sp4n_tracking_id
    if tracking is None:
        try:
            tracking = TrackingId(complaint.id.value)
        except ValidationError:
            raise ValidationError(
                f"complaint {complaint.id} has no SP4N tracking id and its id does not fit "
                "the TrackingID column (letters, digits and '-', at most 32)"
            ) from None
    lead = next((a.agency for a in complaint.assignments if a.lead), None)
    if lead is None and complaint.assignments:
        lead = complaint.assignments[0].agency
    status = complaint.status
    return LaporCsvRecord(
        line=0,
        tracking_id=tracking,
        category_id=complaint.category.code if complaint.category is not None else None,
        agency_id=lead,
        area_id=complaint.region.value if complaint.region is not None else None,
        received_at=complaint.submitted_at,
        forwarded_at=complaint.first_forwarded_at if lead is not None else None,
        last_activity_at=_last_activity(complaint),
        closed_at=complaint.closed_at if status.terminal else None,
        status=status,
        status_label=label_id(status),
    )


def _format(value: datetime | None, zone: zoneinfo.ZoneInfo) -> str:
    return value.astimezone(zone).isoformat(timespec="seconds") if value is not None else ""


def record_fields(
    record: LaporCsvRecord, options: CsvOptions | None = None, profile: Profile | None = None
) -> dict[str, str]:
    """
    A record as the text of its columns.

    Dates are ISO 8601 with the offset of the options' zone; the status is the profile's
    Indonesian label, or the national one.

    .. versionadded:: 0.1.0
    """
    options = options if options is not None else CsvOptions()
    zone = options.zone
    label = profile.label(record.status, "id") if profile is not None else label_id(record.status)
    return {
        TRACKING_ID: str(record.tracking_id),
        CATEGORY_ID: record.category_id or "",
        AGENCY_ID: record.agency_id or "",
        AREA_ID: record.area_id or "",
        RECEIVED: _format(record.received_at, zone),
        FORWARDED: _format(record.forwarded_at, zone),
        LAST_ACTIVITY: _format(record.last_activity_at, zone),
        CLOSED: _format(record.closed_at, zone),
        STATUS: label,
    }


def write_lapor_csv(
    complaints: Iterable[Complaint],
    out: TextIO | None = None,
    *,
    options: CsvOptions | None = None,
    profile: Profile | None = None,
) -> str:
    """
    Write complaints as the export's columns (:data:`COLUMNS`), header first.

    Args:
        complaints: The complaints, in the order to write.
        out: Where to write, row by row (open it with ``newline=""``); default: build
            and return the text.
        options: The delimiter and the time zone of the dates.
        profile: Status labels (default: the national Indonesian labels).

    Returns:
        The text written when *out* is ``None``, else ``""``.

    Raises:
        ValidationError: A complaint cannot be exported (see :func:`to_record`).

    .. versionadded:: 0.1.0
    """
    options = options if options is not None else CsvOptions()
    if out is None:
        buffer = io.StringIO()
        _write(complaints, buffer, options, profile)
        return buffer.getvalue()
    _write(complaints, out, options, profile)
    return ""


def _write(
    complaints: Iterable[Complaint], out: TextIO, options: CsvOptions, profile: Profile | None
) -> None:
    writer = csv.DictWriter(
        out, fieldnames=COLUMNS, delimiter=options.delimiter, lineterminator="\r\n"
    )
    writer.writeheader()
    for complaint in complaints:
        writer.writerow(record_fields(to_record(complaint), options, profile))
