"""
Open311 GeoReport v2, service requests out: a complaint as a ``service_request``.

Every public name here is re-exported by :mod:`lapor_core.interop.open311`; import it
from there.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from datetime import datetime
from typing import NotRequired, TypedDict

from lapor_core.domain.agencies import AgencyRegistry
from lapor_core.domain.calendar import WorkingCalendar
from lapor_core.domain.clocks import deadlines
from lapor_core.domain.complaint import Complaint
from lapor_core.domain.lifecycle import Status
from lapor_core.domain.model import ArchiveReason
from lapor_core.domain.privacy import PublicView, public_view
from lapor_core.domain.profile import Profile
from lapor_core.errors import N_, ValidationError
from lapor_core.interop._labels import label_id
from lapor_core.interop._open311_services import (
    UNCATEGORISED_SERVICE_CODE,
    UNCATEGORISED_SERVICE_NAME,
    category_names,
)

__all__ = [
    "DESCRIPTION_LIMIT",
    "OPEN311_STATUS",
    "TRUNCATION_MARKER",
    "ExtendedAttributes",
    "ServiceRequest",
    "extended_status",
    "to_service_request",
]

DESCRIPTION_LIMIT = 4000
"""
The longest ``description`` GeoReport v2 allows (4,000 characters).

.. versionadded:: 0.2.0
"""

TRUNCATION_MARKER = " [dipotong / truncated]"
"""
What ends a ``description`` cut at :data:`DESCRIPTION_LIMIT` characters.

.. versionadded:: 0.2.0
"""

OPEN311_STATUS: Mapping[Status, str] = {
    Status.SUBMITTED: "open",
    Status.ON_HOLD: "open",
    Status.FORWARDED: "open",
    Status.IN_PROGRESS: "open",
    Status.COMPLETED: "closed",
    Status.ARCHIVED: "closed",
}
"""
GeoReport's two statuses for ours: every non-terminal status is ``open``.

*Selesai* (completed) and *Arsip* (archived) are ``closed``; ``status_notes`` says which,
and so does :func:`extended_status`.

.. versionadded:: 0.1.0
"""

_EXTENDED_STATUS: Mapping[Status, str] = {
    Status.SUBMITTED: "open",
    Status.ON_HOLD: "investigating",
    Status.FORWARDED: "action_scheduled",
    Status.IN_PROGRESS: "in_progress",
    Status.COMPLETED: "fixed",
}


def extended_status(status: Status, archive_reason: ArchiveReason | None = None) -> str:
    """
    The extended status of a complaint, in the vocabulary FixMyStreet's Open311 uses.

    GeoReport's ``status`` is only ``open`` or ``closed``; this tells a completed
    complaint (*Selesai*, ``fixed``) from an archived one: ``duplicate`` for an archived
    duplicate, ``not_councils_responsibility`` for one out of scope or not about the
    government, ``no_further_action`` for the other reasons. Open statuses give
    ``open`` (*Diterima*), ``investigating`` (*Tunda*, waiting for information),
    ``action_scheduled`` (*Disposisi*) and ``in_progress`` (*Proses*).

    .. versionadded:: 0.2.0
    """
    if status is not Status.ARCHIVED:
        return _EXTENDED_STATUS[status]
    if archive_reason is ArchiveReason.DUPLICATE:
        return "duplicate"
    if archive_reason in (ArchiveReason.OUT_OF_SCOPE, ArchiveReason.NOT_GOVERNMENT):
        return "not_councils_responsibility"
    return "no_further_action"


class ExtendedAttributes(TypedDict):
    """
    The ``extended_attributes`` of a :class:`ServiceRequest`: our fields, a GeoReport extension.

    Attributes:
        lapor_status: Our status (``forwarded``, ...).
        extended_status: :func:`extended_status` (``fixed``, ``duplicate``, ...), which
            tells completed from archived (added in 0.2.0).
        status_label: Its label in the profile's Indonesian.
        kind: The kind (``pengaduan``, ``aspirasi``, ``permintaan_informasi``).
        region: The Kemendagri region code, if any.
        channel: The channel type (``web``, ``regional_app``, ...).
        channel_name: The name of the channel (a regional app's), if any.
        agencies: The agencies the complaint is assigned to.
        reporter_name: The reporter's public name; ``None`` when *anonim*.
        complaint_id: Our complaint id.

    .. versionadded:: 0.1.0
    """

    lapor_status: str
    extended_status: str
    status_label: str
    kind: str
    region: str | None
    channel: str
    channel_name: str | None
    agencies: list[str]
    reporter_name: str | None
    complaint_id: str


class ServiceRequest(TypedDict):
    """
    A GeoReport v2 ``service_request``, as :func:`to_service_request` gives it.

    Attributes:
        service_request_id: The SP4N *Tracking ID*, or our complaint id when the
            complaint has none.
        status: ``open`` or ``closed`` (see :data:`OPEN311_STATUS`).
        status_notes: The Indonesian status label with ours, and the archive reason.
        service_name: The category's name; :data:`UNCATEGORISED_SERVICE_NAME` without a
            category.
        service_code: The category's code; :data:`UNCATEGORISED_SERVICE_CODE` without one.
        description: Title and body (the body alone when it starts with the title, as
            after a POST), at most :data:`DESCRIPTION_LIMIT` characters (a longer one is
            cut and ends with :data:`TRUNCATION_MARKER`); ``None`` when *rahasia*
            (confidential).
        agency_responsible: The lead agency, else the agency that must verify it (its
            name with a registry, else its id).
        service_notice: Always ``None``.
        requested_datetime: Submission, ISO 8601 with the offset of the time zone asked.
        updated_datetime: Last change, likewise.
        expected_datetime: The next SLA deadline, likewise (see
            :func:`to_service_request`), or ``None``.
        address: The location (*lokasi kejadian*) as text; ``None`` when *rahasia*, like
            every location field and the attachment.
        address_id: The location's id in the reporting app's address list, if given.
        zipcode: The location's postal code (*kode pos*), if given.
        lat: The location's latitude (WGS 84), if a point was given.
        long: Its longitude, likewise.
        media_url: The first attachment's URL, if any.
        extended_attributes: Only when asked for (``extended=True``).

    .. versionadded:: 0.1.0
    """

    service_request_id: str
    status: str
    status_notes: str
    service_name: str | None
    service_code: str
    description: str | None
    agency_responsible: str
    service_notice: None
    requested_datetime: str
    updated_datetime: str
    expected_datetime: str | None
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None
    extended_attributes: NotRequired[ExtendedAttributes]


class _Location(TypedDict):
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None


def _iso(value: datetime, zone: zoneinfo.ZoneInfo) -> str:
    return value.astimezone(zone).isoformat(timespec="seconds")


def _zone(time_zone: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            N_("time_zone: unknown IANA time zone {value!r}"), value=time_zone
        ) from None


# added to ``status_notes`` when ``expected_datetime`` is a provisional deadline
_PROVISIONAL_NOTE = (
    "expected_datetime sementara, dihitung dengan hari libur perkiraan "
    "(provisional: counted with estimated holidays)"
)


def _expected(complaint: Complaint, calendar: WorkingCalendar) -> tuple[datetime, bool] | None:
    """The earliest due instant of a clock neither paused nor breached; is it provisional."""
    due = [
        (d.due_at, d.provisional)
        for d in deadlines(complaint, calendar)
        if d.due_at is not None and not d.breached
    ]
    return min(due, default=None)


def _status_notes(
    status: Status, reason: ArchiveReason | None, label: str, *, provisional: bool = False
) -> str:
    """The status label with our status, an archive reason, a provisional expected date."""
    notes = f"{label} ({status.value})"
    if status is Status.ARCHIVED and reason is not None:
        notes += f"; archive reason (alasan arsip): {reason.value}"
    if provisional:
        notes += f"; {_PROVISIONAL_NOTE}"
    return notes


def _description(view: PublicView) -> str | None:
    """
    Title and body, when the public may read them, at most ``DESCRIPTION_LIMIT`` long.

    A body whose first line is the title, or begins with a title cut with ``...`` (a
    POSTed description), is given alone.
    """
    if view.title is None or view.body is None:
        return None
    first_line = view.body.lstrip().partition("\n")[0].strip()
    title = view.title
    repeated = first_line == title or (
        title.endswith("...") and first_line.startswith(title.removesuffix("..."))
    )
    text = view.body if repeated else f"{title}\n\n{view.body}"
    if len(text) > DESCRIPTION_LIMIT:
        text = text[: DESCRIPTION_LIMIT - len(TRUNCATION_MARKER)] + TRUNCATION_MARKER
    return text


def _service_name(view: PublicView, profile: Profile | None) -> str | None:
    """The category's name in the profile; its code without a profile or a name."""
    if view.category is None:
        return UNCATEGORISED_SERVICE_NAME
    code = view.category.code
    return category_names(profile).get(code, code) if profile is not None else code


def _agency_responsible(complaint: Complaint, registry: AgencyRegistry | None) -> str:
    """The responsible agency's name when the registry knows it, else its id."""
    responsible = complaint.responsible
    if registry is not None and responsible in registry:
        return registry.get(responsible).name
    return responsible


def _extended_attributes(
    view: PublicView, label: str, archive_reason: ArchiveReason | None
) -> ExtendedAttributes:
    return {
        "lapor_status": view.status.value,
        "extended_status": extended_status(view.status, archive_reason),
        "status_label": label,
        "kind": view.kind.value,
        "region": str(view.region) if view.region is not None else None,
        "channel": view.channel.type.value,
        "channel_name": view.channel.name,
        "agencies": list(view.agencies),
        "reporter_name": view.reporter_name,
        "complaint_id": str(view.id),
    }


def _service_request(
    complaint: Complaint,
    view: PublicView,
    *,
    label: str,
    service_name: str | None,
    registry: AgencyRegistry | None,
    zone: zoneinfo.ZoneInfo,
    expected: tuple[datetime, bool] | None,
) -> ServiceRequest:
    """The standard fields, in GeoReport's order; ``view.body`` is ``None`` when *rahasia*."""
    where = _location(complaint, hidden=view.body is None)
    due, provisional = expected if expected is not None else (None, False)
    notes = _status_notes(view.status, complaint.archive_reason, label, provisional=provisional)
    return {
        "service_request_id": str(view.tracking_id or view.id),
        "status": OPEN311_STATUS[view.status],
        "status_notes": notes,
        "service_name": service_name,
        "service_code": (
            view.category.code if view.category is not None else UNCATEGORISED_SERVICE_CODE
        ),
        "description": _description(view),
        "agency_responsible": _agency_responsible(complaint, registry),
        "service_notice": None,
        "requested_datetime": _iso(view.submitted_at, zone),
        "updated_datetime": _iso(complaint.updated_at, zone),
        "expected_datetime": _iso(due, zone) if due is not None else None,
        "address": where["address"],
        "address_id": where["address_id"],
        "zipcode": where["zipcode"],
        "lat": where["lat"],
        "long": where["long"],
        "media_url": where["media_url"],
    }


def _location(complaint: Complaint, *, hidden: bool) -> _Location:
    """Where the problem is, and its first attachment; all ``None`` when *rahasia*."""
    content = complaint.content
    if hidden:
        return {
            "address": None,
            "address_id": None,
            "zipcode": None,
            "lat": None,
            "long": None,
            "media_url": None,
        }
    point = content.point
    return {
        "address": content.location,
        "address_id": content.address_id,
        "zipcode": content.postal_code,
        "lat": None if point is None else point.lat,
        "long": None if point is None else point.long,
        "media_url": content.media_urls[0] if content.media_urls else None,
    }


def to_service_request(
    complaint: Complaint,
    *,
    profile: Profile | None = None,
    registry: AgencyRegistry | None = None,
    time_zone: str = "Asia/Jakarta",
    extended: bool = False,
    calendar: WorkingCalendar | None = None,
) -> ServiceRequest:
    """
    A complaint as a GeoReport v2 ``service_request`` (one item of ``GET requests.json``).

    :class:`ServiceRequest` lists the fields. Privacy (*anonim* / *rahasia*) is applied
    through :func:`~lapor_core.domain.privacy.public_view`: a confidential complaint has
    ``description`` and ``address`` ``None``; the reporter's name is never in a standard
    field and, with *extended*, appears only when the complaint is not anonymous.

    ``expected_datetime`` is the earliest due instant among the complaint's running SLA
    clocks (:func:`~lapor_core.domain.clocks.deadlines` on *calendar*) that are neither
    paused nor recorded as breached: on the national profile, the forwarding deadline of
    a new complaint, an agency's follow-up deadline once it is forwarded, and on an *in
    progress* (*Proses*) complaint the end of the reply window, when it is closed
    automatically unless someone replies. It is ``None`` without a calendar, when every
    running clock is paused or breached, and on a completed or archived complaint.
    Nothing here reads the time: a clock past its deadline whose breach the sweep has
    not yet recorded still gives that (past) instant. It reveals nothing private.

    Args:
        complaint: The complaint.
        profile: For the status label and the category name (default: the national
            labels, the category code as its name).
        registry: For the agency's name in ``agency_responsible`` (default: its id).
        time_zone: The zone of the datetimes (default WIB, ``Asia/Jakarta``).
        extended: Add ``extended_attributes`` (:class:`ExtendedAttributes`: our status,
            kind, region, channel, the reporter's public name), a GeoReport extension.
        calendar: The working-day calendar the clocks count on, usually
            :meth:`Profile.calendar() <lapor_core.domain.profile.Profile.calendar>` or
            ``Context.calendar``; it fills ``expected_datetime`` (default ``None``: the
            field is ``None``).

    Raises:
        ValidationError: Unknown time zone.
        CalendarRangeError: A deadline falls outside the years *calendar* covers.

    .. versionadded:: 0.1.0
    """
    zone = _zone(time_zone)
    expected = _expected(complaint, calendar) if calendar is not None else None
    view = public_view(complaint)
    label = profile.label(view.status, "id") if profile is not None else label_id(view.status)
    request = _service_request(
        complaint,
        view,
        label=label,
        service_name=_service_name(view, profile),
        registry=registry,
        zone=zone,
        expected=expected,
    )
    if extended:
        request["extended_attributes"] = _extended_attributes(view, label, complaint.archive_reason)
    return request
