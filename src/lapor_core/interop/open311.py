"""
Open311 GeoReport v2: service requests out, POSTed requests in, the service list.

`GeoReport v2 <https://wiki.open311.org/GeoReport_v2/>`_ is the open standard many city
apps speak. This module maps our complaints (*laporan*) onto it and back:

* :func:`to_service_request`: a :class:`~lapor_core.domain.complaint.Complaint` as a
  GeoReport ``service_request`` (the shape of ``GET requests.json``). Everything public
  comes from :func:`~lapor_core.domain.privacy.public_view`, so privacy holds exactly as
  there: *rahasia* (confidential) hides the description and the address (the location is
  part of the content, *lokasi kejadian*); *anonim* (anonymous) hides the reporter, who is
  never in a standard field anyway and appears only in the optional
  ``extended_attributes`` when the report is not anonymous. Given a working-day
  calendar, ``expected_datetime`` is the next deadline of the complaint's running SLA
  clocks.
* :func:`submit_from_request`: the parameters of a ``POST requests.json`` as our
  :class:`~lapor_core.domain.commands.Submit`; a bad parameter raises
  :class:`~lapor_core.errors.ValidationError` naming it.
* :func:`services` and :func:`service_definition`: the categories (*kategori*) of a
  profile as GeoReport services.

Everything here is pure: no I/O, no clock.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import math
import zoneinfo
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from lapor_core.domain.agencies import AgencyRegistry
from lapor_core.domain.calendar import WorkingCalendar
from lapor_core.domain.clocks import deadlines
from lapor_core.domain.commands import Submit
from lapor_core.domain.complaint import Complaint
from lapor_core.domain.lifecycle import Status
from lapor_core.domain.model import (
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
)
from lapor_core.domain.privacy import public_view
from lapor_core.domain.profile import Profile
from lapor_core.errors import LaporError, ProfileError, ValidationError
from lapor_core.interop._labels import label_id

__all__ = [
    "OPEN311_CHANNEL",
    "OPEN311_STATUS",
    "category_names",
    "service_definition",
    "services",
    "submit_from_request",
    "to_service_request",
]

OPEN311_CHANNEL = Channel(ChannelType.REGIONAL_APP, "Open311 GeoReport v2")
"""
The channel (*kanal*) a request from :func:`submit_from_request` carries by default.

A GeoReport POST comes from a client application integrated by system, which is what
:attr:`~lapor_core.domain.model.ChannelType.REGIONAL_APP` models (domain.md §3.5:
regional front-ends integrated by system application). Pass the profile's own channel
instead when the client is a known front-end, e.g. ``profile.channel("lapor_wal")``.

.. versionadded:: 0.1.0
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

*Selesai* (completed) and *Arsip* (archived) are ``closed``; ``status_notes`` says which.

.. versionadded:: 0.1.0
"""

# The parameters of a GeoReport v2 POST (plus ``address``, the name GET responses use).
_POST_FIELDS = frozenset(
    {
        "service_code",
        "description",
        "lat",
        "long",
        "address_string",
        "address",
        "address_id",
        "email",
        "device_id",
        "account_id",
        "first_name",
        "last_name",
        "phone",
        "media_url",
        "attribute",
        "api_key",
        "jurisdiction_id",
    }
)
# Attributes (``attribute[code]``) we understand: our fields GeoReport has no name for.
_ATTRIBUTES = frozenset({"title", "kind", "anonim", "rahasia", "region", "tracking_id"})
_TRUE = frozenset({"true", "1", "yes", "ya", "on"})
_FALSE = frozenset({"false", "0", "no", "tidak", "off", ""})
_TITLE_LIMIT = 100
_ANONYMOUS_NAME = "Anonim"
T = TypeVar("T")


def _iso(value: datetime, zone: zoneinfo.ZoneInfo) -> str:
    return value.astimezone(zone).isoformat(timespec="seconds")


def _zone(time_zone: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"time_zone: unknown IANA time zone {time_zone!r}") from None


def category_names(profile: Profile) -> dict[str, str]:
    """
    The profile's category codes with their names (``[categories.<code>] name``).

    A category without a name is named by its code.

    .. versionadded:: 0.1.0
    """
    return dict(sorted(profile.category_names.items()))


def _expected(complaint: Complaint, calendar: WorkingCalendar) -> datetime | None:
    """The earliest due instant of a running clock that is neither paused nor breached."""
    due = [
        d.due_at for d in deadlines(complaint, calendar) if d.due_at is not None and not d.breached
    ]
    return min(due, default=None)


def to_service_request(
    complaint: Complaint,
    *,
    profile: Profile | None = None,
    registry: AgencyRegistry | None = None,
    time_zone: str = "Asia/Jakarta",
    extended: bool = False,
    calendar: WorkingCalendar | None = None,
) -> dict[str, Any]:
    """
    A complaint as a GeoReport v2 ``service_request`` (one item of ``GET requests.json``).

    Fields: ``service_request_id`` (the SP4N *Tracking ID*, or our complaint id when the
    complaint has none), ``status`` (see :data:`OPEN311_STATUS`), ``status_notes`` (the
    Indonesian status label with ours, and the archive reason), ``service_code`` and
    ``service_name`` (the category; ``None`` without one), ``description`` (title and
    body), ``agency_responsible`` (the lead agency, else the agency that must verify it),
    ``service_notice``, ``requested_datetime`` and ``updated_datetime`` (ISO 8601 with the
    offset of *time_zone*), ``expected_datetime`` (see *calendar*), ``address``,
    ``address_id``, ``zipcode``, ``lat``, ``long`` and ``media_url``. We keep no
    coordinates, postcodes or attachments, so those are ``None``.

    ``expected_datetime`` is the earliest due instant among the complaint's running SLA
    clocks (:func:`~lapor_core.domain.clocks.deadlines` on *calendar*) that are neither
    paused nor recorded as breached, in the offset of *time_zone*. On the national
    profile that is typically the forwarding deadline of a new complaint, an agency's
    follow-up deadline once it is forwarded, and, on an *in progress* (*Proses*)
    complaint, the end of the reply window: the instant it is closed automatically
    unless the reporter or an admin replies. It is ``None`` without a calendar, when
    every running clock is paused or breached, and on a completed or archived complaint
    (no clock runs there). Nothing here reads the time: a clock past its deadline whose
    breach the sweep has not yet recorded still gives that (past) instant. A deadline
    reveals nothing private, so the field is filled whatever the privacy flags.

    Privacy (*anonim* / *rahasia*) is applied through
    :func:`~lapor_core.domain.privacy.public_view`: a confidential complaint has
    ``description`` and ``address`` ``None``; the reporter's name is never in a standard
    field and, with *extended*, appears only when the complaint is not anonymous.

    Args:
        complaint: The complaint.
        profile: For the status label and the category name (default: the national
            labels, the category code as its name).
        registry: For the agency's name in ``agency_responsible`` (default: its id).
        time_zone: The zone of the datetimes (default WIB, ``Asia/Jakarta``).
        extended: Add ``extended_attributes`` (our status, kind, region, channel, the
            reporter's public name): a GeoReport extension some clients read.
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
    status = view.status
    label = profile.label(status, "id") if profile is not None else label_id(status)
    notes = f"{label} ({status.value})"
    if status is Status.ARCHIVED and complaint.archive_reason is not None:
        notes += f"; archive reason (alasan arsip): {complaint.archive_reason.value}"
    names = category_names(profile) if profile is not None else {}
    code = view.category.code if view.category is not None else None
    description = None
    if view.title is not None and view.body is not None:
        description = f"{view.title}\n\n{view.body}"
    confidential = view.body is None
    responsible = complaint.responsible
    if registry is not None and responsible in registry:
        responsible = registry.get(responsible).name
    request: dict[str, Any] = {
        "service_request_id": str(view.tracking_id or view.id),
        "status": OPEN311_STATUS[status],
        "status_notes": notes,
        "service_name": names.get(code, code) if code is not None else None,
        "service_code": code,
        "description": description,
        "agency_responsible": responsible,
        "service_notice": None,
        "requested_datetime": _iso(view.submitted_at, zone),
        "updated_datetime": _iso(complaint.updated_at, zone),
        "expected_datetime": _iso(expected, zone) if expected is not None else None,
        "address": None if confidential else complaint.content.location,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }
    if extended:
        request["extended_attributes"] = {
            "lapor_status": status.value,
            "status_label": label,
            "kind": view.kind.value,
            "region": str(view.region) if view.region is not None else None,
            "channel": view.channel.type.value,
            "channel_name": view.channel.name,
            "agencies": list(view.agencies),
            "reporter_name": view.reporter_name,
            "complaint_id": str(view.id),
        }
    return request


# --------------------------------------------------------------------------- in


def _text(request: Mapping[str, Any], name: str) -> str | None:
    """A string parameter, stripped; ``None`` when absent or blank."""
    value = request.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(f"{name}: expected a string, got {type(value).__name__}")
    value = value.strip()
    return value or None


def _coordinate(request: Mapping[str, Any], name: str, limit: float) -> float | None:
    value = request.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValidationError(f"{name}: expected a number, got {type(value).__name__}")
    try:
        number = float(value)
    except ValueError:
        raise ValidationError(f"{name}: not a number: {value!r}") from None
    if not math.isfinite(number) or not -limit <= number <= limit:
        raise ValidationError(f"{name}: {value!r} is outside -{limit:g}..{limit:g}")
    return number


def _attributes(request: Mapping[str, Any]) -> dict[str, str]:
    """``attribute[code]`` parameters, flat (form-encoded) or nested (JSON)."""
    found: dict[str, Any] = {}
    nested = request.get("attribute")
    if nested is not None:
        if not isinstance(nested, Mapping):
            raise ValidationError(f"attribute: expected a mapping, got {type(nested).__name__}")
        found.update(nested)
    for key, value in request.items():
        if key.startswith("attribute[") and key.endswith("]"):
            found[key[len("attribute[") : -1]] = value
    attributes: dict[str, str] = {}
    for code, value in found.items():
        if code not in _ATTRIBUTES:
            known = ", ".join(sorted(_ATTRIBUTES))
            raise ValidationError(f"attribute[{code}]: unknown attribute (known: {known})")
        text = ("true" if value else "false") if isinstance(value, bool) else value
        if not isinstance(text, str):
            raise ValidationError(
                f"attribute[{code}]: expected a string, got {type(value).__name__}"
            )
        attributes[code] = text.strip()
    return attributes


def _flag(attributes: Mapping[str, str], code: str) -> bool:
    value = attributes.get(code, "").casefold()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValidationError(f"attribute[{code}]: expected true or false, got {value!r}")


def _check_keys(request: Mapping[str, Any]) -> None:
    for key in request:
        if not isinstance(key, str):
            raise ValidationError(f"parameter names must be strings, got {key!r}")
        if key in _POST_FIELDS or (key.startswith("attribute[") and key.endswith("]")):
            continue
        raise ValidationError(f"{key}: not a GeoReport v2 POST parameter")


def _category(code: str | None, profile: Profile | None) -> Category:
    if code is None:
        raise ValidationError("service_code: required (the category, kategori)")
    if profile is not None and code not in profile.service_standards:
        known = ", ".join(sorted(profile.service_standards)) or "none"
        raise ValidationError(
            f"service_code: {code!r} is not a category of profile {profile.name!r} (known: {known})"
        )
    try:
        return Category(code)
    except ValidationError as exc:
        raise ValidationError(f"service_code: {exc}") from None


def _location(request: Mapping[str, Any]) -> str:
    lat = _coordinate(request, "lat", 90.0)
    long = _coordinate(request, "long", 180.0)
    if (lat is None) != (long is None):
        missing = "long" if long is None else "lat"
        raise ValidationError(
            f"{missing}: required together with {'lat' if lat is None else 'long'}"
        )
    address = _text(request, "address_string")
    alias = _text(request, "address")
    if address is not None and alias is not None and address != alias:
        raise ValidationError("address: differs from address_string; give one of them")
    address = address or alias
    address_id = _text(request, "address_id")
    parts = [p for p in (address, f"address_id {address_id}" if address_id else None) if p]
    if lat is not None and long is not None:
        parts.append(f"{lat:.6f}, {long:.6f}")
    if not parts:
        raise ValidationError(
            "address_string: a location is required: lat and long, address_string "
            "(or address) or address_id"
        )
    return " | ".join(parts)


def _checked(field: str, factory: Callable[..., T], *args: Any) -> T:  # noqa: ANN401 - passed through
    """Build a value; a refusal names the request parameter it came from."""
    try:
        return factory(*args)
    except ValidationError as exc:
        raise ValidationError(f"{field}: {exc}") from None


def _reporter(request: Mapping[str, Any]) -> tuple[Reporter, bool]:
    """The reporter, and whether they gave no name (an anonymous report)."""
    ids = [(f, _text(request, f)) for f in ("account_id", "email", "phone", "device_id")]
    given = {f: v for f, v in ids if v is not None}
    email, phone = given.get("email"), given.get("phone")
    if email is not None and "@" not in email:
        raise ValidationError(f"email: not an e-mail address: {email!r}")
    if not given:
        raise ValidationError(
            "account_id: the reporter (pelapor) must be identified by account_id, email, "
            "phone or device_id"
        )
    source, reporter_id = next((f, v) for f, v in ids if v is not None)
    if source == "device_id":
        reporter_id = f"device:{reporter_id}"
    first, last = _text(request, "first_name"), _text(request, "last_name")
    name = " ".join(p for p in (first, last) if p)
    contact = ", ".join(p for p in (email, phone) if p) or None
    _checked(source, Reporter, reporter_id, "x")
    _checked("first_name", Reporter, "x", name or _ANONYMOUS_NAME)
    _checked("email" if email else "phone", Reporter, "x", "x", contact)
    return Reporter(reporter_id, name or _ANONYMOUS_NAME, contact), not name


def _content(request: Mapping[str, Any], attributes: Mapping[str, str], location: str) -> Content:
    description = _text(request, "description")
    if description is None:
        raise ValidationError("description: required (the chronology of events, isi laporan)")
    media = _text(request, "media_url")
    body = f"{description}\n\nLampiran (media_url): {media}" if media else description
    title = attributes.get("title") or description.splitlines()[0].strip()
    if len(title) > _TITLE_LIMIT and "title" not in attributes:
        title = title[: _TITLE_LIMIT - 3].rstrip() + "..."
    _checked("attribute[title]", Content, title, "x")
    _checked("description", Content, "x", body)
    _checked("address_string", Content, "x", "x", location)
    return Content(title=title, body=body, location=location)


def submit_from_request(
    request: Mapping[str, Any],
    *,
    complaint_id: ComplaintId,
    channel: Channel = OPEN311_CHANNEL,
    profile: Profile | None = None,
    idempotency_key: str | None = None,
    target_agency: str | None = None,
) -> Submit:
    """
    The parameters of a GeoReport v2 ``POST requests.json`` as a :class:`Submit`.

    * ``service_code`` (required): ``category`` (*kategori*); with *profile*, one of its
      categories.
    * ``description`` (required here): ``content.body`` (*isi*); its first line, cut at
      100 characters, is the title (*judul*) unless ``attribute[title]`` is given.
    * ``lat`` and ``long``, ``address_string`` (or ``address``), ``address_id``:
      ``content.location`` (*lokasi kejadian*) as text; at least one is required.
    * ``account_id``, ``email``, ``phone``, ``device_id``: ``reporter.id``, the first
      given; one is required (LAPOR! reporters have accounts).
    * ``first_name`` and ``last_name``: ``reporter.name``; without a name the report is
      *anonim* (name ``"Anonim"``). ``email`` and ``phone``: ``reporter.contact``.
    * ``media_url``: appended to the body (we keep no files).
    * ``attribute[anonim]``, ``attribute[rahasia]``: ``privacy`` (``true`` / ``false``).
    * ``attribute[kind]``: ``kind``, ``pengaduan`` (default), ``aspirasi`` or
      ``permintaan_informasi``; ``attribute[region]``: ``region`` (a Kemendagri code);
      ``attribute[tracking_id]``: ``external_ids.sp4n_tracking_id``.
    * ``api_key``, ``jurisdiction_id``: ignored (authentication and routing are the
      caller's).

    Attributes may come flat (``"attribute[anonim]": "true"``, as form-encoded) or
    nested (``"attribute": {"anonim": "true"}``, as JSON). Any other parameter is refused,
    so nothing a client sends is dropped silently.

    Args:
        request: The POST parameters.
        complaint_id: The id the new complaint gets (the caller allocates it).
        channel: How it arrived (default :data:`OPEN311_CHANNEL`).
        profile: Check ``service_code`` against the profile's categories.
        idempotency_key: Passed on to the command (a client retrying a POST).
        target_agency: *Instansi tujuan*: the agency whose admin verifies the report.

    Raises:
        ValidationError: A missing or malformed parameter; the message starts with its
            name (``service_code: ...``).

    .. versionadded:: 0.1.0
    """
    if not isinstance(request, Mapping):
        raise ValidationError(f"request: expected a mapping, got {type(request).__name__}")
    _check_keys(request)
    attributes = _attributes(request)
    category = _category(_text(request, "service_code"), profile)
    location = _location(request)
    content = _content(request, attributes, location)
    reporter, nameless = _reporter(request)
    privacy = Privacy(
        anonymous=_flag(attributes, "anonim") or nameless,
        confidential=_flag(attributes, "rahasia"),
    )
    kind_text = attributes.get("kind") or Kind.COMPLAINT.value
    try:
        kind = Kind(kind_text)
    except ValueError:
        known = ", ".join(k.value for k in Kind)
        raise ValidationError(f"attribute[kind]: {kind_text!r} is not one of {known}") from None
    region = None
    if attributes.get("region"):
        region = _checked("attribute[region]", RegionCode, attributes["region"])
    external = ExternalIds()
    if attributes.get("tracking_id"):
        tracking = _checked("attribute[tracking_id]", TrackingId, attributes["tracking_id"])
        external = ExternalIds(sp4n_tracking_id=tracking)
    try:
        return Submit(
            complaint_id=complaint_id,
            idempotency_key=idempotency_key,
            content=content,
            kind=kind,
            reporter=reporter,
            channel=channel,
            privacy=privacy,
            region=region,
            category=category,
            target_agency=target_agency,
            external_ids=external,
        )
    except LaporError as exc:
        raise ValidationError(f"request: {exc}") from None


# --------------------------------------------------------------------------- services


def services(profile: Profile) -> list[dict[str, Any]]:
    """
    The profile's categories as GeoReport v2 services (``GET services.json``).

    One service per ``[categories.<code>]`` of the profile, in code order:
    ``service_code`` (the code), ``service_name`` (its name), ``description`` (its
    service standard, e.g. ``"service standard: 5 working_days (service_normative)"``),
    ``metadata`` (``True``: :func:`service_definition` lists the attributes),
    ``type`` (``"realtime"``: the complaint id is known at once), ``keywords`` and
    ``group``. A profile without categories gives an empty list.

    .. versionadded:: 0.1.0
    """
    out = []
    for code, name in category_names(profile).items():
        key = profile.service_standards[code]
        duration = profile.durations.get(key)
        standard = f"{duration.amount} {duration.unit.value} " if duration is not None else ""
        out.append(
            {
                "service_code": code,
                "service_name": name,
                "description": f"service standard (standar pelayanan): {standard}({key})",
                "metadata": True,
                "type": "realtime",
                "keywords": f"lapor, sp4n, {code}",
                "group": "SP4N-LAPOR!",
            }
        )
    return out


def service_definition(profile: Profile, service_code: str) -> dict[str, Any]:
    """
    The GeoReport v2 service definition of a category (``GET services/{code}.json``).

    It lists the attributes :func:`submit_from_request` understands: ``title``,
    ``kind``, ``anonim``, ``rahasia``, ``region`` and ``tracking_id``.

    Raises:
        ProfileError: The profile has no such category.

    .. versionadded:: 0.1.0
    """
    if service_code not in profile.service_standards:
        known = ", ".join(sorted(profile.service_standards)) or "none"
        raise ProfileError(
            f"profile {profile.name!r} has no category {service_code!r} (known: {known})"
        )
    kinds = [{"key": k.value, "name": k.label_id} for k in Kind]
    flags = [{"key": "false", "name": "Tidak"}, {"key": "true", "name": "Ya"}]

    def attribute(code: str, description: str, datatype: str, order: int, **extra: Any) -> Any:  # noqa: ANN401
        return {
            "variable": True,
            "code": code,
            "datatype": datatype,
            "required": False,
            "datatype_description": "",
            "order": order,
            "description": description,
            **extra,
        }

    return {
        "service_code": service_code,
        "attributes": [
            attribute("title", "Judul (title); default: the first line", "string", 1),
            attribute("kind", "Klasifikasi laporan (kind)", "singlevaluelist", 2, values=kinds),
            attribute("anonim", "Anonim: hide my identity", "singlevaluelist", 3, values=flags),
            attribute("rahasia", "Rahasia: hide the content", "singlevaluelist", 4, values=flags),
            attribute("region", "Kode wilayah Kemendagri (region code)", "string", 5),
            attribute("tracking_id", "SP4N-LAPOR! Tracking ID, if known", "string", 6),
        ],
    }
