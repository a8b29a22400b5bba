"""
Writing the LAPOR! export: complaints back to the same columns.

:func:`to_record` turns a complaint into a row, :func:`record_fields` a row into the text
of its columns, and :func:`write_lapor_csv` writes complaints as CSV, header first. The
columns carry no content and no reporter, so *anonim* and *rahasia* reports export nothing
the public may not see.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import csv
import io
import zoneinfo
from collections.abc import Iterable
from datetime import datetime
from typing import TextIO

from lapor_core.domain.complaint import Complaint
from lapor_core.domain.model import TrackingId
from lapor_core.domain.profile import Profile
from lapor_core.errors import ValidationError
from lapor_core.interop._labels import label_id
from lapor_core.interop.lapor_csv.records import (
    AGENCY_ID,
    AREA_ID,
    CATEGORY_ID,
    CLOSED,
    COLUMNS,
    FORWARDED,
    LAST_ACTIVITY,
    RECEIVED,
    STATUS,
    TRACKING_ID,
    CsvOptions,
    LaporCsvRecord,
)

__all__ = ["record_fields", "to_record", "write_lapor_csv"]


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
