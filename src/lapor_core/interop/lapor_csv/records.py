"""
The columns of the LAPOR! export, the typed record of a row, and the reading options.

The constants name the export's columns (:data:`COLUMNS`, :data:`REQUIRED_COLUMNS`);
:class:`LaporCsvRecord` is one row, typed; :class:`CsvOptions` says how the text is
read and written (date formats, time zone, delimiter, status labels); a bad row is a
:class:`CsvRowError` naming its line and column.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

import attrs

from lapor_core.domain.model import Status, TrackingId, require_aware
from lapor_core.domain.profile import Profile
from lapor_core.errors import N_, LaporError, ValidationError
from lapor_core.interop._labels import LABELS
from lapor_core.interop.lapor_csv.dates import INDONESIAN, ISO

__all__ = [
    "AGENCY_ID",
    "AREA_ID",
    "BODY",
    "CATEGORY_ID",
    "CLOSED",
    "COLUMNS",
    "COLUMN_ALIASES",
    "DEFAULT_DATE_FORMATS",
    "DEFAULT_TIME_ZONE",
    "ERA_LABEL_BELUM",
    "ERA_STATUS_LABELS",
    "FORWARDED",
    "LAST_ACTIVITY",
    "RECEIVED",
    "REPORTER",
    "REQUIRED_COLUMNS",
    "STATUS",
    "STATUS_LABELS",
    "TIMESTAMP_COLUMNS",
    "TITLE",
    "TRACKING_ID",
    "CsvOptions",
    "CsvRowError",
    "LaporCsvRecord",
    "RowWarning",
    "status_labels_from_profile",
]

TRACKING_ID = "TrackingID"
"""
The column of the SP4N *Tracking ID*.

.. versionadded:: 0.1.0
"""

CATEGORY_ID = "KategoriID"
"""
The column of the export's category id.

.. versionadded:: 0.1.0
"""

AGENCY_ID = "DisposisiInstansiID"
"""
The column of the agency the report was forwarded to (*disposisi*).

.. versionadded:: 0.1.0
"""

AREA_ID = "AreaID"
"""
The column of the area the report is about.

.. versionadded:: 0.1.0
"""

RECEIVED = "TanggalLaporanMasuk"
"""
The column of the day the report was received.

.. versionadded:: 0.1.0
"""

FORWARDED = "TanggalDisposisi"
"""
The column of the day it was forwarded.

.. versionadded:: 0.1.0
"""

LAST_ACTIVITY = "TanggalLaporanAktivitasTerakhir"
"""
The column of the last activity on the report.

.. versionadded:: 0.1.0
"""

CLOSED = "TanggalLaporanDitutup"
"""
The column of the day it was closed.

.. versionadded:: 0.1.0
"""

STATUS = "Status"
"""
The column of the status label.

.. versionadded:: 0.1.0
"""

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

``TanggalLaporanMasuk`` may be replaced by its Timestamp column
(:data:`TIMESTAMP_COLUMNS`), and ``TrackingID`` by ``id`` (:data:`COLUMN_ALIASES`).

.. versionadded:: 0.1.0
"""

TITLE = "JudulLaporan"
"""
The column of the report's title, in the open data of 2012-2015 (read when present).

.. versionadded:: 0.2.0
"""

BODY = "IsiLaporan"
"""
The column of the report's text (read when present).

.. versionadded:: 0.2.0
"""

REPORTER = "Pelapor"
"""
The column of the reporter's public name (read when present): ``Anonim`` for an *anonim*
report.

.. versionadded:: 0.2.0
"""

TIMESTAMP_COLUMNS: Mapping[str, str] = {
    RECEIVED: "TimestampLaporanMasuk",
    FORWARDED: "TimestampTanggalDisposisi",
    LAST_ACTIVITY: "TimestampLaporanAktivitasTerakhir",
    CLOSED: "TimestampLaporanDitutup",
}
"""
The date columns and their Timestamp columns (the same instant as Unix seconds, ``0`` when
empty). A Timestamp that is present and not zero is preferred to the text date.

.. versionadded:: 0.2.0
"""


def _spellings(*parts: tuple[str, ...]) -> tuple[str, ...]:
    words: list[str] = [""]
    for choices in parts:
        words = [w + c for w in words for c in choices]
    return tuple(words)


COLUMN_ALIASES: Mapping[str, str] = {
    **{c.casefold(): c for c in (*COLUMNS, TITLE, BODY, REPORTER, *TIMESTAMP_COLUMNS.values())},
    "id": TRACKING_ID,
    **dict.fromkeys(
        _spellings(("timestamp",), ("", "tanggal"), ("", "laporan"), ("masuk",)),
        TIMESTAMP_COLUMNS[RECEIVED],
    ),
    **dict.fromkeys(
        _spellings(("timestamp",), ("", "tanggal"), ("", "laporan"), ("disposisi",)),
        TIMESTAMP_COLUMNS[FORWARDED],
    ),
    **dict.fromkeys(
        _spellings(("timestamp",), ("", "tanggal"), ("", "laporan"), ("aktivitasterakhir",)),
        TIMESTAMP_COLUMNS[LAST_ACTIVITY],
    ),
    **dict.fromkeys(
        _spellings(("timestamp",), ("", "tanggal"), ("", "laporan"), ("ditutup",)),
        TIMESTAMP_COLUMNS[CLOSED],
    ),
}
"""
Header names, normalised (case-folded; spaces, ``_`` and ``-`` removed), to the columns read.

Besides the columns' own names: ``id`` for ``TrackingID`` (one copy of the open data;
used only when no ``TrackingID`` column is present) and the spellings of the Timestamp
columns (``TimestampTanggalDisposisi``, ``TimestampLaporanMasuk``,
``Timestamp_Tanggal_Laporan_Masuk``, ...). An unnamed index column (an empty name,
``Unnamed: 0``, ``index``) is skipped; every other column is ignored and listed.

.. versionadded:: 0.2.0
"""

DEFAULT_DATE_FORMATS: tuple[str, ...] = (
    ISO,
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    INDONESIAN,
)
"""
The date formats tried in order when none are given.

``"iso"`` is ISO 8601 as :meth:`datetime.fromisoformat` reads it (``2015-03-02``,
``2015-03-02 09:15:00``, ``2015-03-02T09:15:00+07:00``); the next three are ``strptime``
formats, day first as Indonesians write dates (``02/03/2015`` is 2 March);
``"indonesian"`` is a date with its month's name (``02 Maret 2015 09:15``,
``Senin, 02 Maret 2015``; see :func:`~lapor_core.interop.lapor_csv.dates.parse_indonesian_date`).
The export's real format is not documented in our sources (domain.md §2), so check a few
rows and pass the formats you see.

.. versionadded:: 0.1.0
"""

DEFAULT_TIME_ZONE = "Asia/Jakarta"
"""
The zone of a date written without an offset: WIB, where the national LAPOR! runs.

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
        raise ValidationError(
            N_("time_zone: unknown IANA time zone {value!r}"), value=value
        ) from None


def _check_formats(
    _inst: object, _attr: attrs.Attribute[tuple[str, ...]], value: tuple[str, ...]
) -> None:
    if not value:
        raise ValidationError(N_("date_formats: give at least one format"))
    for fmt in value:
        if not isinstance(fmt, str) or not fmt:
            raise ValidationError(N_("date_formats: not a format: {value!r}"), value=fmt)
        if fmt not in (ISO, INDONESIAN):
            _check_strptime(fmt)


_SAMPLE_DATE = datetime(2015, 3, 2, 9, 15, 30, tzinfo=UTC)
"""A date every usable ``strptime`` format reads back from its own writing."""


def _check_strptime(fmt: str) -> None:
    """Refuse a ``strptime`` format that cannot read back a date it wrote (``%Q``, ...)."""
    try:
        datetime.strptime(_SAMPLE_DATE.strftime(fmt), fmt)  # noqa: DTZ007 - a round trip only
    except ValueError as exc:
        raise ValidationError(
            N_("date_formats: {value!r} cannot read a date ({reason})"),
            value=fmt,
            reason=str(exc),
        ) from None


def _check_delimiter(_inst: object, _attr: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or len(value) != 1 or value in '\r\n"':
        raise ValidationError(N_("delimiter: must be one character, got {value!r}"), value=value)


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
            :data:`DEFAULT_DATE_FORMATS`); ``"iso"`` means ISO 8601. A ``strptime``
            format that cannot read back a date it writes (``%Q``) is refused.
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


ERA_STATUS_LABELS: Mapping[str, tuple[tuple[str, Status], ...]] = {
    "2012-2015": (
        ("Belum, no TanggalDisposisi", Status.SUBMITTED),
        ("Belum, with TanggalDisposisi", Status.FORWARDED),
        ("Proses", Status.IN_PROGRESS),
        ("Selesai", Status.COMPLETED),
    ),
    "v3 (2023-)": (
        ("Belum Terverifikasi", Status.SUBMITTED),
        ("Belum Ditindaklanjuti", Status.FORWARDED),
        ("Proses", Status.IN_PROGRESS),
        ("Selesai", Status.COMPLETED),
        ("Tunda", Status.ON_HOLD),
        ("Arsip", Status.ARCHIVED),
    ),
}
"""
The status labels of each era of the open data and the status they are read as.

The 2012-2015 *Belum* (not yet) covers two of today's statuses: LAPOR! published a report
once it had forwarded it, so *Belum* with a disposition is *forwarded, not yet followed
up*; without one it is *not yet verified*.

.. versionadded:: 0.2.0
"""

ERA_LABEL_BELUM = "belum"
"""
The case-folded 2012-2015 label whose status depends on the disposition columns.

.. versionadded:: 0.2.0
"""


@attrs.frozen
class RowWarning:
    """
    Something odd in a row that was imported anyway (the status does not depend on it).

    Attributes:
        line: The line the row starts on.
        column: The column concerned.
        kind: A short name to count by (``date-order``).
        message: What is odd and what was done.
        tracking_id: The row's *Tracking ID*.

    .. versionadded:: 0.2.0
    """

    line: int
    column: str
    kind: str
    message: str
    tracking_id: str | None = None

    def __str__(self) -> str:
        """``line 3, column TanggalDisposisi: ...``."""
        return f"line {self.line}, column {self.column}: {self.message}"


class CsvRowError(ValidationError):
    """
    A row (or the header) of an export is malformed; says where.

    Attributes:
        line: The line the row starts on (1 is the header).
        column: The column at fault, or ``None`` for the row as a whole.
        reason: What is wrong.
        cause: What is wrong, as an error (the reason in another language:
            ``cause.translate(gettext)``).
        tracking_id: The row's *Tracking ID* as written, if it could be read.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 *reason* may be an error, translated with the row's message.
    """

    def __init__(
        self,
        line: int,
        column: str | None,
        reason: str | LaporError,
        tracking_id: str | None = None,
        raw: tuple[str, ...] = (),
    ) -> None:
        """Record where and why (and the row's cells as read, for a rejects file)."""
        cause = reason if isinstance(reason, LaporError) else LaporError(reason)
        if column:
            super().__init__(
                N_("line {line}, column {column}: {reason}"),
                line=line,
                column=column,
                reason=cause,
            )
        else:
            super().__init__(N_("line {line}: {reason}"), line=line, reason=cause)
        self.line = line
        self.column = column
        self.reason = str(cause)
        self.cause = cause
        self.tracking_id = tracking_id
        self.raw = raw


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
        title: ``JudulLaporan``, when the file has it.
        body: ``IsiLaporan``, when the file has it.
        reporter: ``Pelapor``, when the file has it.
        raw: The row's cells as read (for a rejects file; not compared).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``title``, ``body`` and ``raw``.
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
    title: str | None = None
    body: str | None = None
    reporter: str | None = None
    raw: tuple[str, ...] = attrs.field(default=(), eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        """Dates are aware."""
        for name in ("received_at", "forwarded_at", "last_activity_at", "closed_at"):
            value = getattr(self, name)
            if value is not None:
                require_aware(value, name)
