"""
Value objects of a complaint (*laporan*): ids, kind, privacy, channel, region, reporter.

All are frozen attrs classes with validators: an invalid value raises
:class:`~lapor_core.errors.ValidationError` at construction and never exists.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Final

import attrs

from lapor_core.domain._validators import (
    BODY_MAX_LENGTH,
    CHANNEL_NAME_MAX_LENGTH,
    LOCATION_MAX_LENGTH,
    NAME_MAX_LENGTH,
    SHORT_ID_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    check_text,
    identifier,
    instance_of,
    optional_identifier,
    optional_instance_of,
    optional_text,
    text,
    text_tuple,
)
from lapor_core.errors import N_, Term, ValidationError

__all__ = [
    "ArchiveReason",
    "Basis",
    "Category",
    "Channel",
    "ChannelType",
    "ComplaintId",
    "Confidence",
    "Content",
    "ExternalIds",
    "GeoPoint",
    "Kind",
    "PointPrecision",
    "Privacy",
    "RegionCode",
    "Reporter",
    "Status",
    "TrackingId",
    "require_aware",
]


def require_aware(value: datetime, what: str = "datetime") -> datetime:
    """
    Return *value* if it is timezone-aware; raise otherwise.

    Args:
        value: The datetime to check.
        what: What the value is, for the error message.

    Raises:
        ValidationError: If *value* is not a datetime or is naive.

    .. versionadded:: 0.1.0
    """
    if not isinstance(value, datetime):
        raise ValidationError(
            N_("{what} must be a datetime, got {type_name}"),
            what=what,
            type_name=type(value).__name__,
        )
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValidationError(
            N_("{what} must be timezone-aware, got naive {instant}"),
            what=what,
            instant=value.isoformat(),
        )
    return value


def _pattern(regex: str, what: str) -> Any:  # noqa: ANN401 - attrs validators are untyped callables
    compiled = re.compile(regex)

    def check(_inst: object, _attr: attrs.Attribute[str], value: str) -> None:
        if not isinstance(value, str) or not compiled.fullmatch(value):
            raise ValidationError(
                N_("invalid {what}: {value!r} (expected to match {regex})"),
                what=Term(what),
                value=value,
                regex=regex,
            )

    return check


@attrs.frozen(order=True)
class ComplaintId:
    """
    Internal identifier of a complaint (stable across systems of one deployment).

    Letters, digits and ``._:-``, 1 to 64 characters.

    .. versionadded:: 0.1.0
    """

    value: str = attrs.field(validator=_pattern(r"[A-Za-z0-9._:-]{1,64}", N_("complaint id")))

    def __str__(self) -> str:
        """Return the bare id."""
        return self.value


@attrs.frozen(order=True)
class TrackingId:
    """
    The SP4N-LAPOR! *Tracking ID* shown to the reporter (domain.md section 2, [C]).

    Letters, digits and ``-``, 1 to 32 characters; the national format is not
    documented, so it is not checked further.

    .. versionadded:: 0.1.0
    """

    value: str = attrs.field(validator=_pattern(r"[A-Za-z0-9-]{1,32}", N_("tracking id")))

    def __str__(self) -> str:
        """Return the bare id."""
        return self.value


class Kind(enum.Enum):
    """
    Classification of a report (*klasifikasi laporan*, domain.md section 2, [C]).

    .. versionadded:: 0.1.0
    """

    COMPLAINT = "pengaduan"
    """*Pengaduan*: a complaint about a public service."""
    ASPIRATION = "aspirasi"
    """*Aspirasi*: an aspiration or suggestion."""
    INFORMATION_REQUEST = "permintaan_informasi"
    """*Permintaan informasi*: a request for information."""

    @property
    def label_id(self) -> str:
        """Indonesian label."""
        return _KIND_LABELS[self][0]

    @property
    def label_en(self) -> str:
        """English label."""
        return _KIND_LABELS[self][1]


_KIND_LABELS = {
    Kind.COMPLAINT: ("Pengaduan", "Complaint"),
    Kind.ASPIRATION: ("Aspirasi", "Aspiration"),
    Kind.INFORMATION_REQUEST: ("Permintaan Informasi", "Request for information"),
}


@attrs.frozen
class Privacy:
    """
    Privacy flags of a report (domain.md section 2, [C]).

    Attributes:
        anonymous: *Anonim*: the reporter's identity is hidden from the public and from
            the agency complained about (admins still see it).
        confidential: *Rahasia*: the content is hidden from the public.

    .. versionadded:: 0.1.0
    """

    anonymous: bool = attrs.field(default=False, validator=instance_of(bool))
    confidential: bool = attrs.field(default=False, validator=instance_of(bool))


class ChannelType(enum.Enum):
    """
    How a report reached the system (*kanal*, domain.md section 2, [C]).

    .. versionadded:: 0.1.0
    """

    WEB = "web"
    """The website lapor.go.id."""
    SMS = "sms_1708"
    """SMS to 1708."""
    MOBILE_APP = "mobile_app"
    """The Android or iOS app."""
    SOCIAL_MEDIA = "social_media"
    """Twitter/X @LAPOR1708 and other social media."""
    REGIONAL_APP = "regional_app"
    """An integrated regional app (e.g. *LAPOR WAL!*); the channel must name it."""
    PAPER = "paper"
    """A paper or offline report digitised by an admin (2016 manual, ch. 9)."""
    MESSAGING = "messaging"
    """A message (e.g. WhatsApp from villages) keyed in by an admin."""

    @property
    def digitised_by_admin(self) -> bool:
        """Whether an admin (not the reporter) enters reports from this channel."""
        return self is _PAPER or self is _MESSAGING


_PAPER, _MESSAGING = ChannelType.PAPER, ChannelType.MESSAGING


@attrs.frozen
class Channel:
    """
    A channel, with its name where the type needs one (a regional app).

    .. versionadded:: 0.1.0
    """

    type: ChannelType = attrs.field(validator=instance_of(ChannelType))
    name: str | None = attrs.field(
        default=None, validator=optional_text(CHANNEL_NAME_MAX_LENGTH, N_("channel name"))
    )

    def __attrs_post_init__(self) -> None:
        """Check that a regional app names itself."""
        if self.type is ChannelType.REGIONAL_APP and self.name is None:
            raise ValidationError(N_("a regional-app channel must carry the app's name"))


_REGION_RE = re.compile(r"\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?")


@attrs.frozen(order=True)
class RegionCode:
    """
    A Kemendagri region code.

    Province ``64``, regency or city ``64.72``, district ``64.72.01``, village
    ``64.72.01.1001``.

    Codes form a hierarchy: ``RegionCode("64").contains(RegionCode("64.72"))``.

    .. versionadded:: 0.1.0
    """

    value: str = attrs.field()

    @value.validator
    def _check(self, _attr: attrs.Attribute[str], value: str) -> None:
        if not isinstance(value, str) or not _REGION_RE.fullmatch(value):
            raise ValidationError(
                N_(
                    "invalid Kemendagri region code: {value!r} (expected 64, 64.72, 64.72.01 "
                    "or 64.72.01.1001)"
                ),
                value=value,
            )

    @property
    def level(self) -> int:
        """1 province, 2 regency or city, 3 district (*kecamatan*), 4 village."""
        return self.value.count(".") + 1

    @property
    def parent(self) -> RegionCode | None:
        """The enclosing region, or ``None`` for a province."""
        head, sep, _ = self.value.rpartition(".")
        return RegionCode(head) if sep else None

    def contains(self, other: RegionCode) -> bool:
        """Whether *other* is this region or lies inside it."""
        return other.value == self.value or other.value.startswith(self.value + ".")

    def __str__(self) -> str:
        """Return the bare code."""
        return self.value


@attrs.frozen(order=True)
class Category:
    """
    A complaint category (*kategori*).

    The official list is not published (domain.md section 8 q11), so a category is a
    code chosen by the deployment.

    .. versionadded:: 0.1.0
    """

    code: str = attrs.field(validator=_pattern(r"[a-z0-9][a-z0-9_.-]{0,63}", N_("category code")))

    def __str__(self) -> str:
        """Return the bare code."""
        return self.code


def _hidden(value: object) -> str:
    """How a reporter's name and contact appear in ``repr()`` (logs, tracebacks)."""
    return "None" if value is None else "'<disembunyikan / redacted>'"


@attrs.frozen
class Reporter:
    """
    The reporter (*pelapor*). Identity is kept even when the report is *anonim*.

    ``repr()`` shows the name and contact as ``'<disembunyikan / redacted>'``, so that
    neither reaches a log or a traceback through a complaint, an event or a command;
    read the attributes to see them.

    Attributes:
        id: Account id of the reporter.
        name: Name as on the national ID card (*KTP*).
        contact: Phone or e-mail, if known.

    .. versionadded:: 0.1.0
    """

    id: str = attrs.field(validator=identifier(SHORT_ID_MAX_LENGTH, N_("reporter id")))
    name: str = attrs.field(validator=text(NAME_MAX_LENGTH, N_("reporter name")), repr=_hidden)
    contact: str | None = attrs.field(
        default=None, validator=optional_text(NAME_MAX_LENGTH, N_("contact")), repr=_hidden
    )


def _as_float(value: object) -> object:
    """An int coordinate as a float; anything else is left for the validator to judge."""
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _check_coordinate(limit: float) -> Callable[[object, attrs.Attribute[float], object], None]:
    def check(_inst: object, attr: attrs.Attribute[float], value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError(
                N_("{attr_name} must be a number, got {type_name} {value!r}"),
                attr_name=attr.name,
                type_name=type(value).__name__,
                value=value,
            )
        if not math.isfinite(value) or not -limit <= value <= limit:
            raise ValidationError(
                N_("{attr_name} must be between -{limit:g} and {limit:g}, got {value!r}"),
                attr_name=attr.name,
                limit=limit,
                value=value,
            )

    return check


class PointPrecision(enum.Enum):
    """
    How exactly a :class:`GeoPoint` places the problem.

    .. versionadded:: 0.2.0
    """

    EXACT = "exact"
    """*Titik tepat*: the point the reporter or their device gave."""
    ADDRESS = "address"
    """*Dari alamat*: found from the address text (geocoded)."""
    AREA = "area"
    """*Pusat wilayah*: the centroid of an area, as LAPOR!'s area list gives one."""


@attrs.frozen
class GeoPoint:
    """
    Where the reported problem is, as a WGS 84 point (*titik lokasi*).

    Open311 GeoReport v2 carries it as ``lat`` and ``long``; LAPOR!'s area list gives
    each area a centroid in the same form.

    Attributes:
        lat: Latitude in degrees, -90 to 90.
        long: Longitude in degrees, -180 to 180.
        precision: How exactly the point places the problem (a device's point, an address
            found on a map, or an area's centroid).

    Raises:
        ValidationError: A value that is not a finite number in range.

    .. versionadded:: 0.2.0
    """

    lat: float = attrs.field(converter=_as_float, validator=_check_coordinate(90.0))
    long: float = attrs.field(converter=_as_float, validator=_check_coordinate(180.0))
    precision: PointPrecision = attrs.field(
        default=PointPrecision.EXACT, validator=instance_of(PointPrecision)
    )


MEDIA_URL_MAX_LENGTH: Final = 2_000
"""The longest attachment URL kept (the length browsers and servers commonly accept)."""

_as_url_tuple = text_tuple("media_urls")


def _as_media_urls(value: Iterable[str]) -> tuple[str, ...]:
    """The attachment URLs as a tuple; a bare string is refused, not split."""
    return _as_url_tuple(value)


_MEDIA_URL = re.compile(r"https?://[^\s/?#]+[^\s]*", re.ASCII)


def _check_media_urls(
    _inst: object, _attr: attrs.Attribute[tuple[str, ...]], value: tuple[str, ...]
) -> None:
    for i, url in enumerate(value):
        what = f"media_urls[{i}]"
        check_text(url, what, max_length=MEDIA_URL_MAX_LENGTH, single_line=True)
        if _MEDIA_URL.fullmatch(url) is None:
            raise ValidationError(
                N_("{what} must be an http:// or https:// URL, got {url!r}"), what=what, url=url
            )


@attrs.frozen
class Content:
    """
    What the report says (form fields, domain.md section 2, [C]).

    The location may be given as text, as a point, as an address id of the reporting
    app's own address list, or any of these together; attachments (*lampiran*) are kept
    as the URLs where the reporting app stores them (the library stores no files).

    Attributes:
        title: *Judul*; admins may rewrite it (*intisari*).
        body: *Isi*: the chronology of events.
        location: *Lokasi kejadian*, free text.
        event_date: *Tanggal kejadian*, if given (aware).
        point: The location as a WGS 84 point, if known.
        address_id: The location's id in the reporting app's address list, if any.
        postal_code: The location's postal code (*kode pos*), if given.
        media_urls: URLs of the attachments (*lampiran*), in the order given.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``point``, ``address_id``, ``postal_code`` and ``media_urls``.
    """

    title: str = attrs.field(validator=text(TITLE_MAX_LENGTH, N_("title")))
    body: str = attrs.field(validator=text(BODY_MAX_LENGTH, N_("body")))
    location: str | None = attrs.field(
        default=None, validator=optional_text(LOCATION_MAX_LENGTH, N_("location"))
    )
    event_date: datetime | None = attrs.field(default=None)
    point: GeoPoint | None = attrs.field(default=None, validator=optional_instance_of(GeoPoint))
    address_id: str | None = attrs.field(
        default=None, validator=optional_identifier(SHORT_ID_MAX_LENGTH, "address_id")
    )
    postal_code: str | None = attrs.field(
        default=None, validator=optional_identifier(SHORT_ID_MAX_LENGTH, "postal_code")
    )
    media_urls: tuple[str, ...] = attrs.field(
        default=(), converter=_as_media_urls, validator=_check_media_urls
    )

    @event_date.validator
    def _check_date(self, _attr: attrs.Attribute[datetime | None], value: datetime | None) -> None:
        if value is not None:
            require_aware(value, "event_date")


@attrs.frozen
class ExternalIds:
    """
    Ids of the same report in other systems (domain.md section 7.6).

    Attributes:
        sp4n_tracking_id: The national SP4N-LAPOR! Tracking ID.
        regional_app_id: The id in the regional app that received it.

    .. versionadded:: 0.1.0
    """

    sp4n_tracking_id: TrackingId | None = attrs.field(
        default=None, validator=optional_instance_of(TrackingId)
    )
    regional_app_id: str | None = attrs.field(
        default=None, validator=optional_identifier(SHORT_ID_MAX_LENGTH, N_("regional app id"))
    )


class ArchiveReason(enum.Enum):
    """
    Why a report was archived (*Arsip*).

    The v3 guide's list is truncated in the source (domain.md section 3.2 and 8 q5), so
    ``OTHER`` with a note covers the rest.

    .. versionadded:: 0.1.0
    """

    UNCLEAR = "unclear"
    """Content unclear or unintelligible."""
    TOO_GENERAL = "too_general"
    """Input too general to act on."""
    NOT_GOVERNMENT = "not_government"
    """Not related to government performance."""
    OUT_OF_SCOPE = "out_of_scope"
    """Out of LAPOR!'s scope: law enforcement, legislative, criminal, SARA (FAQ)."""
    WRONG_FORMAT = "wrong_format"
    """Wrong format (v3 guide)."""
    DUPLICATE = "duplicate"
    """A duplicate of another report, which it links."""
    WITHDRAWN = "withdrawn"
    """Withdrawn: the reporter did not complete requested information in time."""
    OTHER = "other"
    """Another reason, given in the note."""


class Status(enum.Enum):
    """
    The statuses of a complaint (domain.md section 3; labels come from the profile).

    .. versionadded:: 0.1.0
    """

    SUBMITTED = "submitted"
    """*Belum Terverifikasi*: received, waiting for verification and routing."""
    ON_HOLD = "on_hold"
    """*Tunda*: information requested from the reporter."""
    FORWARDED = "forwarded"
    """*Belum Ditindaklanjuti*: forwarded to one or more agencies, no follow-up yet."""
    IN_PROGRESS = "in_progress"
    """*Proses*: a follow-up was posted; the thread is open."""
    COMPLETED = "completed"
    """*Selesai*: closed by hand or automatically."""
    ARCHIVED = "archived"
    """*Arsip*: not processable (reason recorded)."""

    @property
    def terminal(self) -> bool:
        """Whether the status ends the lifecycle (reopen aside)."""
        return self in (Status.COMPLETED, Status.ARCHIVED)


class Confidence(enum.Enum):
    """
    How sure we are of a rule (domain.md's tags, plus ``L`` for a deployment's own choice).

    .. versionadded:: 0.1.0
    """

    CONFIRMED = "C"
    """A cited source states it."""
    INFERRED = "I"
    """Pieced together from secondary sources."""
    UNKNOWN = "U"
    """No source: a configurable default, never presented as law."""
    LOCAL = "L"
    """A local choice or example of the deployment."""


@attrs.frozen
class Basis:
    """
    Where a rule comes from.

    .. versionadded:: 0.1.0
    """

    source: str
    confidence: Confidence

    def __str__(self) -> str:
        """``[C] source``."""
        return f"[{self.confidence.value}] {self.source}"
