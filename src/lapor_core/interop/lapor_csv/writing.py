"""
Writing the LAPOR! export: complaints back to the same columns.

:func:`to_record` turns a complaint into a row, :func:`record_fields` a row into the text
of its columns, and :func:`write_lapor_csv` writes complaints as CSV, header first. The
short layout (:data:`COLUMNS`) carries no content and no reporter; the full layout of the
2012-2015 open data (:data:`FULL_COLUMNS`) adds the reporter's public name, the title and
the text as the public may see them (``Anonim`` for an *anonim* report, no title or text
for a *rahasia* one), the names beside the ids, and the Timestamp columns, with its dates
written as that data writes them (``2015-03-02 09:15:00``, local time; ``0000-00-00
00:00:00`` and ``0`` for none).

.. versionadded:: 0.1.0
.. versionchanged:: 0.2.0 The full layout.
"""

from __future__ import annotations

import csv
import io
import zoneinfo
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TextIO

import attrs

from lapor_core.domain.agencies import AgencyRegistry
from lapor_core.domain.complaint import Complaint
from lapor_core.domain.model import TrackingId
from lapor_core.domain.privacy import public_view
from lapor_core.domain.profile import Profile
from lapor_core.errors import N_, Term, ValidationError
from lapor_core.interop._labels import label_id
from lapor_core.interop.lapor_csv.records import (
    AGENCY_ID,
    AREA_ID,
    BODY,
    CATEGORY_ID,
    CLOSED,
    COLUMNS,
    FORWARDED,
    LAST_ACTIVITY,
    RECEIVED,
    REPORTER,
    STATUS,
    TIMESTAMP_COLUMNS,
    TITLE,
    TRACKING_ID,
    CsvOptions,
    LaporCsvRecord,
)

__all__ = [
    "FULL_COLUMNS",
    "LAYOUTS",
    "LaporNumbers",
    "full_fields",
    "record_fields",
    "to_record",
    "write_lapor_csv",
]

CATEGORY_NAME = "Kategori"
AGENCY_NAME = "DisposisiInstansi"
AREA_NAME = "Area"
_NO_DATE = "0000-00-00 00:00:00"

FULL_COLUMNS: tuple[str, ...] = (
    "",
    TRACKING_ID,
    REPORTER,
    TITLE,
    BODY,
    CATEGORY_NAME,
    CATEGORY_ID,
    AGENCY_NAME,
    AGENCY_ID,
    AREA_NAME,
    AREA_ID,
    STATUS,
    RECEIVED,
    FORWARDED,
    LAST_ACTIVITY,
    CLOSED,
    *TIMESTAMP_COLUMNS.values(),
)
"""
The full layout of the 2012-2015 open data, in its order (an unnamed index column first).

.. versionadded:: 0.2.0
"""


@attrs.frozen
class LaporNumbers:
    """
    Our ids to LAPOR!'s own numbers, for the export: the import's maps, the other way.

    Attributes:
        categories: Category code -> ``KategoriID``.
        agencies: Agency id -> ``DisposisiInstansiID``.
        areas: Region code -> ``AreaID``.

    An id a map does not list is written as it is.

    .. versionadded:: 0.2.0
    """

    categories: Mapping[str, str] = attrs.field(factory=dict)
    agencies: Mapping[str, str] = attrs.field(factory=dict)
    areas: Mapping[str, str] = attrs.field(factory=dict)

    @classmethod
    def from_import_maps(
        cls,
        categories: Mapping[str, str] | None = None,
        agencies: Mapping[str, str] | None = None,
        areas: Mapping[str, str] | None = None,
    ) -> LaporNumbers:
        """
        The numbers of maps from LAPOR!'s numbers to ours (as the importer reads them).

        Raises:
            ValidationError: Two of LAPOR!'s numbers map to one id of ours: the export
                could not tell which to write (the message names both).
        """
        return cls(
            categories=_inverse(categories or {}, "category"),
            agencies=_inverse(agencies or {}, "agency"),
            areas=_inverse(areas or {}, "area"),
        )

    def apply(self, fields: dict[str, str]) -> dict[str, str]:
        """*fields* (a row's text) with our ids replaced by LAPOR!'s numbers."""
        for column, table in (
            (CATEGORY_ID, self.categories),
            (AGENCY_ID, self.agencies),
            (AREA_ID, self.areas),
        ):
            value = fields.get(column)
            if value:
                fields[column] = table.get(value, value)
        return fields


def _inverse(table: Mapping[str, str], what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for theirs, ours in table.items():
        if ours in out and out[ours] != theirs:
            raise ValidationError(
                N_(
                    "the {what} map gives {ours!r} two LAPOR! numbers ({first!r} and "
                    "{second!r}): the export cannot tell which to write"
                ),
                what=Term(what),
                ours=ours,
                first=out[ours],
                second=theirs,
            )
        out[ours] = theirs
    return out


LAYOUTS: tuple[str, ...] = ("short", "full")
"""
The layouts :func:`write_lapor_csv` writes: ``short`` (:data:`COLUMNS`), ``full``
(:data:`FULL_COLUMNS`).

.. versionadded:: 0.2.0
"""


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
                N_(
                    "complaint {complaint_id} has no SP4N tracking id and its id does not fit "
                    "the TrackingID column (letters, digits and '-', at most 32)"
                ),
                complaint_id=complaint.id,
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


def _mysql(value: datetime | None, zone: zoneinfo.ZoneInfo) -> str:
    if value is None:
        return _NO_DATE
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def _stamp(value: datetime | None) -> str:
    return "0" if value is None else str(int(value.timestamp()))


def full_fields(
    complaint: Complaint,
    index: int,
    options: CsvOptions | None = None,
    profile: Profile | None = None,
    registry: AgencyRegistry | None = None,
) -> dict[str, str]:
    """
    A complaint as the text of the full layout's columns (:data:`FULL_COLUMNS`).

    Args:
        complaint: The complaint.
        index: The value of the unnamed index column (the row's number, from 0).
        options: The time zone of the dates.
        profile: Status labels and category names.
        registry: Agency names.

    Raises:
        ValidationError: As :func:`to_record`.

    .. versionadded:: 0.2.0
    """
    options = options if options is not None else CsvOptions()
    zone = options.zone
    record = to_record(complaint)
    view = public_view(complaint)
    fields = record_fields(record, options, profile)
    category = complaint.category
    category_name = ""
    if category is not None and profile is not None:
        category_name = profile.category_names.get(category.code, "")
    agency = record.agency_id
    agency_name = ""
    if agency is not None and registry is not None and agency in registry:
        agency_name = registry.get(agency).name
    dates = {
        RECEIVED: record.received_at,
        FORWARDED: record.forwarded_at,
        LAST_ACTIVITY: record.last_activity_at,
        CLOSED: record.closed_at,
    }
    return {
        "": str(index),
        TRACKING_ID: fields[TRACKING_ID],
        REPORTER: view.reporter_name if view.reporter_name is not None else "Anonim",
        TITLE: view.title or "",
        BODY: view.body or "",
        CATEGORY_NAME: category_name,
        CATEGORY_ID: fields[CATEGORY_ID],
        AGENCY_NAME: agency_name,
        AGENCY_ID: fields[AGENCY_ID],
        AREA_NAME: "",
        AREA_ID: fields[AREA_ID],
        STATUS: fields[STATUS],
        **{column: _mysql(value, zone) for column, value in dates.items()},
        **{TIMESTAMP_COLUMNS[column]: _stamp(value) for column, value in dates.items()},
    }


def write_lapor_csv(
    complaints: Iterable[Complaint],
    out: TextIO | None = None,
    *,
    options: CsvOptions | None = None,
    profile: Profile | None = None,
    layout: str = "short",
    registry: AgencyRegistry | None = None,
    numbers: LaporNumbers | None = None,
) -> str:
    """
    Write complaints as the export's columns (:data:`COLUMNS`), header first.

    Args:
        complaints: The complaints, in the order to write.
        out: Where to write, row by row (open it with ``newline=""``); default: build
            and return the text.
        options: The delimiter and the time zone of the dates.
        profile: Status labels (default: the national Indonesian labels), and category
            names in the full layout.
        layout: ``short`` (:data:`COLUMNS`, ISO dates) or ``full`` (:data:`FULL_COLUMNS`).
        registry: Agency names, in the full layout.
        numbers: LAPOR!'s numbers for our category, agency and region ids (default: our
            ids as they are).

    Returns:
        The text written when *out* is ``None``, else ``""``.

    Raises:
        ValidationError: A complaint cannot be exported (see :func:`to_record`).

    .. versionadded:: 0.1.0
    """
    options = options if options is not None else CsvOptions()
    if layout not in LAYOUTS:
        raise ValidationError(
            N_("layout must be one of {layouts}, got {layout!r}"),
            layouts=", ".join(LAYOUTS),
            layout=layout,
        )
    buffer = io.StringIO()
    target = out if out is not None else buffer
    columns = FULL_COLUMNS if layout == "full" else COLUMNS
    writer = csv.DictWriter(
        target, fieldnames=columns, delimiter=options.delimiter, lineterminator="\r\n"
    )
    writer.writeheader()
    for index, complaint in enumerate(complaints):
        if layout == "full":
            fields = full_fields(complaint, index, options, profile, registry)
        else:
            fields = record_fields(to_record(complaint), options, profile)
        writer.writerow(numbers.apply(fields) if numbers is not None else fields)
    return buffer.getvalue()
