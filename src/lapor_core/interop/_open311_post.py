"""
Open311 GeoReport v2, requests in: the parameters of a ``POST requests.json`` as a Submit.

Every public name here is re-exported by :mod:`lapor_core.interop.open311`; import it
from there.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Callable, Mapping
from typing import TypeVar, TypeVarTuple

import attrs

from lapor_core.domain.commands import Submit
from lapor_core.domain.model import (
    Category,
    Channel,
    ChannelType,
    ComplaintId,
    Content,
    ExternalIds,
    GeoPoint,
    Kind,
    Privacy,
    RegionCode,
    Reporter,
    TrackingId,
)
from lapor_core.domain.profile import Profile
from lapor_core.errors import N_, LaporError, ValidationError
from lapor_core.interop._open311_services import UNCATEGORISED_SERVICE_CODE

__all__ = ["OPEN311_CHANNEL", "extra_attributes", "submit_from_request"]

OPEN311_CHANNEL = Channel(ChannelType.REGIONAL_APP, "Open311 GeoReport v2")
"""
The channel (*kanal*) a request from :func:`submit_from_request` carries by default.

A GeoReport POST comes from a client application integrated by system, which is what
:attr:`~lapor_core.domain.model.ChannelType.REGIONAL_APP` models (domain.md §3.5:
regional front-ends integrated by system application). Pass the profile's own channel
instead when the client is a known front-end, e.g. ``profile.channel("lapor_wal")``.

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
# A coordinate sent as text: plain decimal notation, as GeoReport v2 clients send it.
# ``float()`` alone also takes ``1_0`` (10.0), ``infinity`` and ``nan``.
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_ANONYMOUS_NAME = "Anonim"
# The reporter of a POST that names nobody (GeoReport makes the identity optional).
_ANONYMOUS_ID = "anonim"
_NO_DESCRIPTION = "Tanpa deskripsi (no description)"
T = TypeVar("T")
Ts = TypeVarTuple("Ts")


def _single(name: str, value: object) -> object:
    """A parameter's one value: a list of one value (as frameworks parse forms) is it."""
    if isinstance(value, (list, tuple)):
        if len(value) > 1:
            raise ValidationError(
                N_("{name}: given {count} times; expected one value"), name=name, count=len(value)
            )
        return value[0] if value else None
    return value


def _text(request: Mapping[str, object], name: str) -> str | None:
    """A string parameter, stripped; ``None`` when absent or blank."""
    value = _single(name, request.get(name))
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(
            N_("{name}: expected a string, got {got}"), name=name, got=type(value).__name__
        )
    value = value.strip()
    return value or None


def _coordinate(request: Mapping[str, object], name: str, limit: float) -> float | None:
    value = _single(name, request.get(name))
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValidationError(
            N_("{name}: expected a number, got {got}"), name=name, got=type(value).__name__
        )
    if isinstance(value, str) and not _DECIMAL.fullmatch(value.strip()):
        raise ValidationError(N_("{name}: not a number: {value!r}"), name=name, value=value)
    try:
        number = float(value)
    except ValueError:
        raise ValidationError(
            N_("{name}: not a number: {value!r}"), name=name, value=value
        ) from None
    except OverflowError:  # an int beyond any float (a huge JSON integer)
        raise ValidationError(
            N_("{name}: a number outside -{limit:g}..{limit:g}"), name=name, limit=limit
        ) from None
    if not math.isfinite(number) or not -limit <= number <= limit:
        raise ValidationError(
            N_("{name}: {value!r} is outside -{limit:g}..{limit:g}"),
            name=name,
            value=value,
            limit=limit,
        )
    return number


def _attribute_text(code: str, value: object) -> str:
    text = ("true" if value else "false") if isinstance(value, bool) else value
    if not isinstance(text, str):
        raise ValidationError(
            N_("attribute[{code}]: expected a string, got {got}"),
            code=code,
            got=type(value).__name__,
        )
    return text.strip()


def _attribute_code(key: str) -> str | None:
    """The code of a flat ``attribute[code]`` or ``attribute[code][]`` parameter name."""
    if not key.startswith("attribute[") or not key.endswith("]"):
        return None
    code = key[len("attribute[") : -1]
    return code.removesuffix("][")


def _attribute_values(request: Mapping[str, object]) -> dict[str, list[str]]:
    """
    Every ``attribute[code]`` with its values, flat (form-encoded) or nested (JSON).

    The multi-value form ``attribute[code][]`` and repeated or list values give several.
    """
    found: dict[str, list[object]] = {}
    nested = request.get("attribute")
    if nested is not None:
        if not isinstance(nested, Mapping):
            raise ValidationError(
                N_("attribute: expected a mapping, got {got}"), got=type(nested).__name__
            )
        for code, value in nested.items():
            found.setdefault(str(code), []).extend(
                value if isinstance(value, (list, tuple)) else [value]
            )
    for key, value in request.items():
        code = _attribute_code(key)
        if code is not None:
            found.setdefault(code, []).extend(
                value if isinstance(value, (list, tuple)) else [value]
            )
    values: dict[str, list[str]] = {}
    for code, given in found.items():
        if not code or "[" in code or "]" in code:
            raise ValidationError(N_("attribute[{code}]: not an attribute code"), code=code)
        texts = [_attribute_text(code, value) for value in given]
        values[code] = [text for text in texts if text]
    return values


def _attributes(request: Mapping[str, object]) -> dict[str, str]:
    """The ``attribute[code]`` parameters we understand, one value each."""
    attributes: dict[str, str] = {}
    for code, values in _attribute_values(request).items():
        if code not in _ATTRIBUTES:
            continue
        if len(values) > 1:
            raise ValidationError(
                N_("attribute[{code}]: given {count} values; expected one"),
                code=code,
                count=len(values),
            )
        attributes[code] = values[0] if values else ""
    return attributes


def extra_attributes(request: Mapping[str, object]) -> dict[str, str]:
    """
    The ``attribute[code]`` parameters of a POST that are not ours, with their values.

    :func:`submit_from_request` keeps them, appended to the body (*isi*) after an
    ``Atribut tambahan (extended attributes):`` line; a server names them in the POST's
    ``service_notice``. Several values (``attribute[code][]=a&attribute[code][]=b``) are
    joined with ``", "``.

    Raises:
        ValidationError: An attribute value that is not text.

    .. versionadded:: 0.2.0
    """
    return {
        code: ", ".join(values)
        for code, values in sorted(_attribute_values(request).items())
        if code not in _ATTRIBUTES
    }


def _flag(attributes: Mapping[str, str], code: str) -> bool:
    value = attributes.get(code, "").casefold()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValidationError(
        N_("attribute[{code}]: expected true or false, got {value!r}"), code=code, value=value
    )


def _check_keys(request: Mapping[str, object]) -> None:
    for key in request:
        if not isinstance(key, str):
            raise ValidationError(N_("parameter names must be strings, got {key!r}"), key=key)
        if key in _POST_FIELDS or _attribute_code(key) is not None:
            continue
        raise ValidationError(N_("{key}: not a GeoReport v2 POST parameter"), key=key)


def _category(code: str | None, profile: Profile | None) -> Category | None:
    if code is None:
        raise ValidationError(N_("service_code: required (the category, kategori)"))
    if code == UNCATEGORISED_SERVICE_CODE:
        return None
    if profile is not None:
        return profile.category_for(code, "service_code")
    try:
        return Category(code)
    except ValidationError as exc:
        raise ValidationError(N_("service_code: {reason}"), reason=exc) from None


@attrs.frozen
class _Where:
    """Where a POSTed problem is: its address text, point and address id."""

    address: str | None
    point: GeoPoint | None
    address_id: str | None


def _location(request: Mapping[str, object]) -> _Where:
    lat = _coordinate(request, "lat", 90.0)
    long = _coordinate(request, "long", 180.0)
    if (lat is None) != (long is None):
        missing = "long" if long is None else "lat"
        raise ValidationError(
            N_("{missing}: required together with {other}"),
            missing=missing,
            other="lat" if missing == "long" else "long",
        )
    address = _text(request, "address_string")
    alias = _text(request, "address")
    if address is not None and alias is not None and address != alias:
        raise ValidationError(N_("address: differs from address_string; give one of them"))
    address = address or alias
    address_id = _text(request, "address_id")
    point = None if lat is None or long is None else GeoPoint(lat, long)
    if address is None and address_id is None and point is None:
        raise ValidationError(
            N_(
                "address_string: a location is required: lat and long, address_string "
                "(or address) or address_id"
            )
        )
    return _Where(address, point, address_id)


def _checked(field: str, factory: Callable[[*Ts], T], *args: *Ts) -> T:
    """Build a value; a refusal names the request parameter it came from."""
    try:
        return factory(*args)
    except ValidationError as exc:
        # Nothing to translate but the reason: the template is not in the catalogs.
        raise ValidationError("{name}: {reason}", name=field, reason=exc) from None


def _reporter(request: Mapping[str, object]) -> tuple[Reporter, bool]:
    """The reporter, and whether they gave no name (an anonymous report)."""
    ids = [(f, _text(request, f)) for f in ("account_id", "email", "phone", "device_id")]
    given = {f: v for f, v in ids if v is not None}
    email, phone = given.get("email"), given.get("phone")
    if email is not None and "@" not in email:
        raise ValidationError(N_("email: not an e-mail address: {email!r}"), email=email)
    first, last = _text(request, "first_name"), _text(request, "last_name")
    if not given:  # nobody to answer to: an anonymous report, whatever name it gives
        return Reporter(_ANONYMOUS_ID, _ANONYMOUS_NAME), True
    source, reporter_id = next((f, v) for f, v in ids if v is not None)
    if source == "device_id":
        reporter_id = f"device:{reporter_id}"
    name = " ".join(p for p in (first, last) if p)
    contact = ", ".join(p for p in (email, phone) if p) or None
    with contextlib.suppress(ValidationError):
        return Reporter(reporter_id, name or _ANONYMOUS_NAME, contact), not name
    # refused: find the parameter to name, checking one field at a time
    _checked(source, Reporter, reporter_id, "x")
    _checked("first_name", Reporter, "x", name or _ANONYMOUS_NAME)
    _checked("email" if email else "phone", Reporter, "x", "x", contact)
    return Reporter(reporter_id, name or _ANONYMOUS_NAME, contact), not name


def _content(
    request: Mapping[str, object], attributes: Mapping[str, str], where: _Where
) -> Content:
    description = _text(request, "description") or _NO_DESCRIPTION
    media = _text(request, "media_url")
    body = description
    extra = extra_attributes(request)
    if extra:
        listed = "; ".join(f"{code}={value}" for code, value in extra.items())
        body += f"\n\nAtribut tambahan (extended attributes): {listed}"
    title = attributes.get("title") or description.splitlines()[0].strip()
    if len(title) > _TITLE_LIMIT and "title" not in attributes:
        title = title[: _TITLE_LIMIT - 3].rstrip() + "..."
    media_urls = (media,) if media else ()

    def content() -> Content:
        return Content(
            title=title,
            body=body,
            location=where.address,
            point=where.point,
            address_id=where.address_id,
            media_urls=media_urls,
        )

    with contextlib.suppress(ValidationError):
        return content()
    # refused: find the parameter to name, checking one field at a time
    # a title not given is the description's first line: a fault in it is the description's
    _checked("attribute[title]" if "title" in attributes else "description", Content, title, "x")
    _checked("description", Content, "x", body)
    _checked("address_string", Content, "x", "x", where.address)
    _checked("address_id", lambda: Content("x", "x", address_id=where.address_id))
    _checked("media_url", lambda: Content("x", "x", media_urls=media_urls))
    return content()


def _privacy(attributes: Mapping[str, str], *, nameless: bool) -> Privacy:
    """``attribute[anonim]`` and ``attribute[rahasia]``; a nameless report is anonymous."""
    return Privacy(
        anonymous=_flag(attributes, "anonim") or nameless,
        confidential=_flag(attributes, "rahasia"),
    )


def _kind(attributes: Mapping[str, str]) -> Kind:
    """``attribute[kind]``, a complaint (*pengaduan*) by default."""
    text = attributes.get("kind") or Kind.COMPLAINT.value
    try:
        return Kind(text)
    except ValueError:
        known = ", ".join(k.value for k in Kind)
        raise ValidationError(
            N_("attribute[kind]: {text!r} is not one of {known}"), text=text, known=known
        ) from None


def _region(attributes: Mapping[str, str]) -> RegionCode | None:
    """``attribute[region]``, a Kemendagri code, if given."""
    if not attributes.get("region"):
        return None
    return _checked("attribute[region]", RegionCode, attributes["region"])


def _external_ids(attributes: Mapping[str, str]) -> ExternalIds:
    """``attribute[tracking_id]``, the SP4N *Tracking ID*, if given."""
    if not attributes.get("tracking_id"):
        return ExternalIds()
    tracking = _checked("attribute[tracking_id]", TrackingId, attributes["tracking_id"])
    return ExternalIds(sp4n_tracking_id=tracking)


# Over 60 lines for its docstring, the reference of the POST's parameters; the code is
# the parsers above, in the order their refusals are reported.
def submit_from_request(
    request: Mapping[str, object],
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
      categories; ``uncategorised`` (:data:`UNCATEGORISED_SERVICE_CODE`) for none.
    * ``description``: ``content.body`` (*isi*); its first line, cut at 100 characters,
      is the title (*judul*) unless ``attribute[title]`` is given. Without one, title and
      body are ``"Tanpa deskripsi (no description)"``.
    * ``lat`` and ``long``: ``content.point``; ``address_string`` (or ``address``):
      ``content.location`` (*lokasi kejadian*); ``address_id``: ``content.address_id``;
      at least one is required.
    * ``account_id``, ``email``, ``phone``, ``device_id``: ``reporter.id``, the first
      given. Without any, the reporter is ``anonim`` and the report *anonim*.
    * ``first_name`` and ``last_name``: ``reporter.name``; without a name the report is
      *anonim* (name ``"Anonim"``). ``email`` and ``phone``: ``reporter.contact``.
    * ``media_url``: ``content.media_urls`` (an ``http://`` or ``https://`` URL; the
      library keeps the link, not the file).
    * ``attribute[anonim]``, ``attribute[rahasia]``: ``privacy`` (``true`` / ``false``).
    * ``attribute[kind]``: ``kind``, ``pengaduan`` (default), ``aspirasi`` or
      ``permintaan_informasi``; ``attribute[region]``: ``region`` (a Kemendagri code);
      ``attribute[tracking_id]``: ``external_ids.sp4n_tracking_id``.
    * ``api_key``, ``jurisdiction_id``: ignored (authentication and routing are the
      caller's).

    * Any other ``attribute[code]`` (a client's own, such as the specification's
      ``attribute[WHISPAWN]``): kept in the body after an ``Atribut tambahan (extended
      attributes):`` line (see :func:`extra_attributes`).

    Attributes may come flat (``"attribute[anonim]": "true"``, as form-encoded) or
    nested (``"attribute": {"anonim": "true"}``, as JSON); ``attribute[code][]`` and
    lists give several values (one only for ours). A parameter may be a list of one
    value, as web frameworks parse forms; several values for one parameter are refused.
    Any other parameter is refused, so nothing a client sends is dropped silently.

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
    .. versionchanged:: 0.2.0
       ``description`` and the reporter's identity are optional, other attributes are
       kept, multi-value and list forms are read, ``uncategorised`` is accepted.
    """
    if not isinstance(request, Mapping):
        raise ValidationError(
            N_("request: expected a mapping, got {got}"), got=type(request).__name__
        )
    _check_keys(request)
    attributes = _attributes(request)
    category = _category(_text(request, "service_code"), profile)
    content = _content(request, attributes, _location(request))
    reporter, nameless = _reporter(request)
    privacy = _privacy(attributes, nameless=nameless)
    kind, region, external = _kind(attributes), _region(attributes), _external_ids(attributes)
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
        raise ValidationError(N_("request: {reason}"), reason=exc) from None
