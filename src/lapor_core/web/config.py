"""
The configuration of the GeoReport v2 server: jurisdiction, API keys, limits, CORS.

:class:`WebConfig` is a plain frozen value; build it in code or read it from TOML with
:func:`load_web_config`. API keys are never stored: an :class:`ApiKey` holds the SHA-256
digest of a key (:func:`hash_api_key`), and :meth:`WebConfig.find_key` compares a
presented key's digest with every configured one in constant time.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
import limits

from lapor_core.domain.actors import Actor, Role
from lapor_core.domain.model import Channel, ChannelType
from lapor_core.errors import N_, LaporError, ValidationError
from lapor_core.interop.open311 import OPEN311_CHANNEL

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_RATE_LIMIT",
    "ApiKey",
    "WebConfig",
    "hash_api_key",
    "load_web_config",
]

E = TypeVar("E", bound=Enum)

DEFAULT_MAX_BODY_BYTES = 64 * 1024
"""
The largest request body accepted by default (64 KiB; a GeoReport POST is a few KiB).

.. versionadded:: 0.2.0
"""

DEFAULT_RATE_LIMIT = "120/minute"
"""
The default rate limit per API key (or per client address without a key).

Written as the ``limits`` library parses it: ``"120/minute"``, ``"10/second"``,
``"1000 per hour"``.

.. versionadded:: 0.2.0
"""

_DIGEST = re.compile(r"[0-9a-f]{64}")
_ANONYMOUS_ACTOR = Actor.system("open311")


def hash_api_key(key: str) -> str:
    """
    The SHA-256 digest of an API key, as lowercase hex: what a configuration stores.

    Raises:
        ValidationError: An empty key.

    .. versionadded:: 0.2.0
    """
    if not isinstance(key, str) or not key:
        raise ValidationError(N_("api_key: must be a non-empty string"))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@attrs.frozen
class ApiKey:
    """
    One API key of a client application, stored as its digest.

    Attributes:
        sha256: :func:`hash_api_key` of the key (64 lowercase hex digits).
        channel: The channel (*kanal*) of the complaints it POSTs.
        actor: Who submits them (usually ``Actor.system(<client name>)``).
        name: A label for the client, used in logs and the rate limiter's key.

    .. versionadded:: 0.2.0
    """

    sha256: str = attrs.field()
    channel: Channel = OPEN311_CHANNEL
    actor: Actor = _ANONYMOUS_ACTOR
    name: str = "client"

    @sha256.validator
    def _check_digest(self, _attr: attrs.Attribute[str], value: str) -> None:
        if not isinstance(value, str) or not _DIGEST.fullmatch(value):
            raise ValidationError(
                N_("api key sha256: expected 64 lowercase hex digits (hash_api_key(key))")
            )


def _positive(name: str) -> Callable[[object, attrs.Attribute[int], int], None]:
    def check(_instance: object, _attr: attrs.Attribute[int], value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValidationError(
                N_("{name}: expected a positive integer, got {value!r}"), name=name, value=value
            )

    return check


def _seconds(name: str) -> Callable[[object, attrs.Attribute[float], float], None]:
    def check(_instance: object, _attr: attrs.Attribute[float], value: float) -> None:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value <= 0
        ):
            raise ValidationError(
                N_("{name}: expected a positive number of seconds, got {value!r}"),
                name=name,
                value=value,
            )

    return check


def _keys(value: Iterable[ApiKey]) -> tuple[ApiKey, ...]:
    keys = tuple(value)
    if not all(isinstance(key, ApiKey) for key in keys):
        raise ValidationError(N_("api_keys: expected ApiKey values"))
    return keys


def _origins(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):  # its letters would be the origins
        raise ValidationError(N_("cors_origins: expected an array of strings"))
    origins = tuple(value)
    if not all(isinstance(origin, str) for origin in origins):
        raise ValidationError(N_("cors_origins: expected an array of strings"))
    return origins


def _check_zone(_instance: object, _attr: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str):
        raise ValidationError(N_("{name}: expected a string"), name="time_zone")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            N_("time_zone: unknown IANA time zone {value!r}"), value=value
        ) from None


def _check_rate(_instance: object, _attr: attrs.Attribute[str], value: str | None) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise ValidationError(N_("{name}: expected a string"), name="rate_limit")
    try:
        limit = limits.parse(value)
    except ValueError:
        limit = None
    if limit is None or limit.amount < 1:
        raise ValidationError(
            N_("rate_limit: {value!r} is not a limit such as 120/minute or 10/second"),
            value=value,
        )


@attrs.frozen
class WebConfig:
    """
    How the GeoReport v2 application behaves.

    Attributes:
        jurisdiction_id: The deployment's ``jurisdiction_id`` (e.g. ``"kaltimprov.go.id"``);
            a request naming another one is refused (404). ``None``: not checked.
        require_jurisdiction_id: Refuse (400) a request without ``jurisdiction_id``
            (only needed when one endpoint serves several jurisdictions).
        api_keys: The client applications' keys.
        post_requires_key: ``POST requests`` needs a valid ``api_key`` (default); when
            ``False``, a POST without a key is submitted by :attr:`anonymous_actor` on
            :attr:`anonymous_channel` (a wrong key is still refused).
        anonymous_actor: Who submits a POST without a key, when allowed.
        anonymous_channel: Its channel.
        target_agency: *Instansi tujuan* of POSTed complaints: the agency whose admin
            verifies them (default: the registry's root).
        time_zone: The zone of the datetimes in responses (default WIB).
        extended: Add ``extended_attributes`` (our status, the extended status, kind,
            region, channel) to each service request.
        cors_origins: Origins allowed to call from a browser; empty (default): no CORS
            headers at all.
        max_body_bytes: The largest request body accepted (413 above it).
        body_timeout: Seconds a client may take to send a request body (408 after it),
            so that a slow sender cannot hold a connection and a worker's memory.
        tracking_page: Serve the citizen tracking page (``/lacak``, see
            :mod:`lapor_core.web.tracking`); on by default.
        rate_limit: Requests allowed per API key (per client address without one), in
            the ``limits`` notation; ``None``: no limit.
        max_request_ids: The most ids one ``service_request_id`` list may name.
        contact: The discovery document's ``contact``.
        changeset: The discovery document's ``changeset`` (the date this API last
            changed, ISO 8601).

    .. versionadded:: 0.2.0
    """

    jurisdiction_id: str | None = None
    require_jurisdiction_id: bool = False
    api_keys: tuple[ApiKey, ...] = attrs.field(default=(), converter=_keys)
    post_requires_key: bool = True
    anonymous_actor: Actor = _ANONYMOUS_ACTOR
    anonymous_channel: Channel = OPEN311_CHANNEL
    target_agency: str | None = None
    time_zone: str = attrs.field(default="Asia/Jakarta", validator=_check_zone)
    extended: bool = False
    cors_origins: tuple[str, ...] = attrs.field(default=(), converter=_origins)
    max_body_bytes: int = attrs.field(
        default=DEFAULT_MAX_BODY_BYTES, validator=_positive("max_body_bytes")
    )
    body_timeout: float = attrs.field(default=10.0, validator=_seconds("body_timeout"))
    tracking_page: bool = True
    rate_limit: str | None = attrs.field(default=DEFAULT_RATE_LIMIT, validator=_check_rate)
    max_request_ids: int = attrs.field(default=100, validator=_positive("max_request_ids"))
    contact: str = "Pengelola SP4N-LAPOR! (the SP4N-LAPOR! administrators)"
    changeset: str = "2026-12-01T00:00:00Z"

    def find_key(self, key: str | None) -> ApiKey | None:
        """
        The configured key *key* is, or ``None``; the comparison takes constant time.

        Every configured digest is compared (with :func:`hmac.compare_digest`), so the
        time taken does not tell which key, or how much of one, matched. No key (``None``
        or empty) is no configured key.

        .. versionchanged:: 0.2.0 *key* may be ``None`` or empty.
        """
        if not key:
            return None
        presented = hashlib.sha256(key.encode("utf-8")).hexdigest()
        found: ApiKey | None = None
        for candidate in self.api_keys:
            if hmac.compare_digest(presented, candidate.sha256):
                found = candidate
        return found


def _table(data: Mapping[str, object], key: str) -> list[Mapping[str, object]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ValidationError(N_("{key}: expected an array of tables ([[{key}]])"), key=key)
    return value


def _string(data: Mapping[str, object], key: str, default: str | None = None) -> str | None:
    value = data.get(key, default)
    if value is not None and not isinstance(value, str):
        raise ValidationError(
            N_("{key}: expected a string, got {got}"), key=key, got=type(value).__name__
        )
    return value


def _member(kind: type[E], value: str | None) -> E:
    """The member of *kind* whose value is *value* (the refusal says it as ``enum`` does)."""
    try:
        return kind(value)
    except ValueError:
        raise ValidationError(
            N_("{value!r} is not a valid {kind}"), value=value, kind=kind.__name__
        ) from None


def _api_key(index: int, entry: Mapping[str, object]) -> ApiKey:
    where = f"api_keys[{index}]"
    try:
        digest = _string(entry, "sha256")
        if digest is None:
            raise ValidationError(N_("sha256: required (hash_api_key(key), never the key itself)"))
        channel_type = _member(
            ChannelType, _string(entry, "channel", ChannelType.REGIONAL_APP.value)
        )
        channel_name = _string(entry, "channel_name", OPEN311_CHANNEL.name)
        actor_id = _string(entry, "actor", "open311") or "open311"
        role = _member(Role, _string(entry, "role", Role.SYSTEM.value))
        agency = _string(entry, "agency")
        return ApiKey(
            sha256=digest,
            channel=Channel(channel_type, channel_name),
            actor=Actor(actor_id, role, agency),
            name=_string(entry, "name", actor_id) or actor_id,
        )
    except ValueError as exc:  # an unknown channel or role, or a refused value
        reason = exc if isinstance(exc, LaporError) else str(exc)
        # Nothing to translate but the reason: the template is not in the catalogs.
        raise ValidationError("{where}: {reason}", where=where, reason=reason) from None


_TOP_KEYS = frozenset(
    {
        "jurisdiction_id",
        "require_jurisdiction_id",
        "api_keys",
        "post_requires_key",
        "target_agency",
        "time_zone",
        "extended",
        "cors_origins",
        "max_body_bytes",
        "body_timeout",
        "tracking_page",
        "rate_limit",
        "max_request_ids",
        "contact",
        "changeset",
    }
)


def load_web_config(source: str | Path) -> WebConfig:
    """
    Read a :class:`WebConfig` from TOML text, or from a file given as a :class:`Path`.

    The keys are :class:`WebConfig`'s attributes, and ``[[api_keys]]`` tables with
    ``sha256`` (required), ``channel`` (a channel type, default ``regional_app``),
    ``channel_name``, ``actor`` (its id, default ``open311``), ``role`` (default
    ``system``), ``agency`` and ``name``. ``rate_limit = ""`` turns the limit off.

    Raises:
        ValidationError: Not TOML, an unknown key or a bad value (the message names it).

    .. versionadded:: 0.2.0
    """
    text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(
            N_("web configuration: not TOML: {reason}"), reason=str(exc)
        ) from None
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise ValidationError(N_("{key}: not a web configuration key"), key=unknown[0])
    keys = tuple(_api_key(i, entry) for i, entry in enumerate(_table(data, "api_keys")))
    options = {k: v for k, v in data.items() if k != "api_keys"}
    if options.get("rate_limit") == "":
        options["rate_limit"] = None
    try:
        config = WebConfig(api_keys=keys, **options)
    except (TypeError, LaporError) as exc:
        raise ValidationError(
            N_("web configuration: {reason}"),
            reason=exc if isinstance(exc, LaporError) else str(exc),
        ) from None
    _check_types(config)
    return config


def _check_types(config: WebConfig) -> None:
    """Refuse values of the wrong type that attrs does not check."""
    flags = ("require_jurisdiction_id", "post_requires_key", "extended", "tracking_page")
    for name in flags:
        if not isinstance(getattr(config, name), bool):
            raise ValidationError(N_("{name}: expected true or false"), name=name)
    texts = ("jurisdiction_id", "target_agency", "rate_limit")
    for name in texts:
        value = getattr(config, name)
        if value is not None and not isinstance(value, str):
            raise ValidationError(N_("{name}: expected a string"), name=name)
    for name in ("time_zone", "contact", "changeset"):
        if not isinstance(getattr(config, name), str):
            raise ValidationError(N_("{name}: expected a string"), name=name)
