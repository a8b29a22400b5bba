"""
Hypothesis strategies for the value objects: text, ids, kinds, channels, regions, dates.

Every strategy draws only valid values (constructing them never raises); the ones without
arguments are cached, so calling them again is cheap.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from lapor_core.domain.model import (
    ArchiveReason,
    Category,
    Channel,
    ChannelType,
    ComplaintId,
    Content,
    ExternalIds,
    GeoPoint,
    Kind,
    PointPrecision,
    Privacy,
    RegionCode,
    Reporter,
    TrackingId,
)
from lapor_core.domain.profile import Profile

__all__ = [
    "CALENDAR_FIRST",
    "CALENDAR_LAST",
    "REGIONAL_APP_NAMES",
    "TIME_ZONES",
    "archive_reasons",
    "aware_datetimes",
    "categories",
    "channels",
    "complaint_ids",
    "contents",
    "external_ids",
    "geo_points",
    "hostile_texts",
    "kinds",
    "media_urls",
    "privacies",
    "region_codes",
    "reporters",
    "texts",
    "tracking_ids",
]

CALENDAR_FIRST = datetime(2002, 1, 1, tzinfo=UTC)
"""
The first instant of the calendar range the strategies draw from (cuti bersama data starts in 2002).

.. versionadded:: 0.1.0
"""

CALENDAR_LAST = datetime(2027, 12, 31, 12, tzinfo=UTC)
"""
The last instant of the calendar range (the installed holiday data ends in 2027).

.. versionadded:: 0.1.0
"""

TIME_ZONES: tuple[str, ...] = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
"""
Indonesia's three zones: WIB, WITA and WIT.

.. versionadded:: 0.1.0
"""

REGIONAL_APP_NAMES: tuple[str, ...] = (
    "LAPOR WAL!",
    "SAKTI GEMAS",
    "Lapor Gub",
    "JAKI",
    "Sapawarga",
    "Halo Bontang",
)
"""
Names of regional front-ends a ``regional_app`` channel may carry (examples).

.. versionadded:: 0.1.0
"""

_PHRASES = (
    "Lampu lalu lintas mati",
    "Jalan berlubang di depan sekolah",
    "Pungutan liar saat mengurus KTP",
    "Antrean puskesmas terlalu lama",
    "Sampah menumpuk di pasar",
    "Mohon ditindaklanjuti.",
    "Terima kasih atas tanggapannya.",
    "Air PDAM tidak mengalir tiga hari",
)
_NAMES = ("Siti Aminah", "Budi Santoso", "Dewi Lestari", "Rahmat Hidayat", "Nur Aisyah")
_ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), include_characters="\n\t")
_LINE_ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp"))
_ZONES: tuple[tzinfo, ...] = (UTC, *(ZoneInfo(z) for z in TIME_ZONES))


# --------------------------------------------------------------------------- text and ids


@functools.cache
def texts(max_size: int = 200, *, single_line: bool = False) -> st.SearchStrategy[str]:
    """
    Non-blank text of at most *max_size* characters: Indonesian phrases or arbitrary text.

    It follows the domain's text rules: no lone surrogate and no control character other
    than newline and tab (none at all, nor a Unicode line separator, with
    *single_line*). :func:`hostile_texts` draws what the rules refuse.

    Args:
        max_size: The longest text drawn (at least 1).
        single_line: Text for an id, code or tag field.

    .. versionadded:: 0.1.0
    """
    phrases = [p for p in _PHRASES if len(p) <= max_size]
    alphabet = _LINE_ALPHABET if single_line else _ALPHABET
    free = st.text(alphabet, min_size=1, max_size=max_size).filter(lambda s: bool(s.strip()))
    return st.sampled_from(phrases) | free if phrases else free


_UNUSUAL = (
    "\u200d",  # zero-width joiner
    "\u202e",  # right-to-left override
    "\ufeff",  # byte-order mark
    "\ufffe",  # a noncharacter
    "\U0010ffff",  # the last code point
    "\U0001f469\u200d\U0001f4bb",  # an emoji sequence
    "e\u0301",  # a combining accent
    "\u0645\u0631\u062d\u0628\u0627",  # Arabic
    "\u00a0",  # no-break space
    "\u2028",  # line separator
    "'; DROP TABLE events; --",
    "\\u0000",  # an escaped NUL, as text
)
_REFUSED = (
    "\x00",
    "\ud800",
    "\udfff",
    "\x01",
    "\x1b",
    "\x7f",
    "\x85",
    "\r",
    "\n",
    "\t",
)


@functools.cache
def hostile_texts(max_size: int = 300) -> st.SearchStrategy[str]:
    """
    Text an attacker or a broken client sends: what the text rules refuse, and what they accept.

    It draws lone surrogates, NUL and other control characters, line breaks and tabs
    (which only free text keeps), blank text, text just over or under a length limit,
    and valid but unusual Unicode (joiners, direction overrides, noncharacters, astral
    code points, combining marks, SQL). Constructing a value from it may raise
    :class:`~lapor_core.errors.ValidationError`; the point is that every store then
    accepts and refuses the same values.

    Args:
        max_size: The length around which long text is drawn.

    .. versionadded:: 0.1.0
    """
    pieces = st.sampled_from(_UNUSUAL + _REFUSED) | st.text(_ALPHABET, max_size=4)
    anything = st.text(st.characters(), max_size=12)
    spliced = st.lists(pieces | anything, min_size=1, max_size=6).map("".join)
    long = st.builds(
        lambda n, c: c * n,
        st.integers(max(1, max_size - 2), max_size + 2),
        st.sampled_from("ab\u00e9\U0001f600"),
    )
    blank = st.sampled_from(["", " ", "\n", "\t \n"])
    return spliced | long | blank


@functools.cache
def complaint_ids() -> st.SearchStrategy[ComplaintId]:
    """
    Complaint ids: letters, digits and ``._:-``, 1 to 64 characters.

    .. versionadded:: 0.1.0
    """
    return st.from_regex(r"[A-Za-z0-9._:-]{1,64}", fullmatch=True).map(ComplaintId)


@functools.cache
def tracking_ids() -> st.SearchStrategy[TrackingId]:
    """
    SP4N-LAPOR! tracking ids: letters, digits and ``-``, 1 to 32 characters.

    .. versionadded:: 0.1.0
    """
    return st.from_regex(r"[A-Za-z0-9-]{1,32}", fullmatch=True).map(TrackingId)


@functools.cache
def kinds() -> st.SearchStrategy[Kind]:
    """
    Report kinds: *pengaduan*, *aspirasi*, *permintaan informasi*.

    .. versionadded:: 0.1.0
    """
    return st.sampled_from(Kind)


@functools.cache
def privacies() -> st.SearchStrategy[Privacy]:
    """
    Every combination of the *anonim* and *rahasia* flags.

    .. versionadded:: 0.1.0
    """
    return st.builds(Privacy, anonymous=st.booleans(), confidential=st.booleans())


@functools.cache
def archive_reasons() -> st.SearchStrategy[ArchiveReason]:
    """
    Archive reasons.

    .. versionadded:: 0.1.0
    """
    return st.sampled_from(ArchiveReason)


@functools.cache
def channels(
    profile: Profile | None = None, *, digitised: bool | None = None
) -> st.SearchStrategy[Channel]:
    """
    Channels of every type; a ``regional_app`` channel carries an app's name.

    Args:
        profile: Also draw the channels the profile declares (``[channels.*]``, e.g.
            Kalimantan Timur's *LAPOR WAL!*).
        digitised: ``True``: only channels an admin keys in (paper, messaging);
            ``False``: only channels a reporter uses; ``None``: both.

    .. versionadded:: 0.1.0
    """
    types = [t for t in ChannelType if digitised is None or t.digitised_by_admin is digitised]
    names = st.sampled_from(REGIONAL_APP_NAMES) | texts(80)
    options: list[st.SearchStrategy[Channel]] = []
    for kind in types:
        if kind is ChannelType.REGIONAL_APP:
            options.append(st.builds(Channel, st.just(kind), names))
        else:
            options.append(st.builds(Channel, st.just(kind), st.none() | names))
    if profile is not None:
        declared = [
            o.channel()
            for o in profile.channels.values()
            if digitised is None or o.kind.digitised_by_admin is digitised
        ]
        if declared:
            options.insert(0, st.sampled_from(declared))
    return st.one_of(options)


@functools.cache
def region_codes(
    within: RegionCode | None = None, *, max_level: int = 4
) -> st.SearchStrategy[RegionCode]:
    """
    Kemendagri region codes, optionally inside *within* (the hierarchy is kept).

    Args:
        within: Draw this region or a region below it (``64.72`` -> ``64.72.01.1001``).
        max_level: The deepest level drawn: 1 province, 2 regency or city, 3 district,
            4 village.

    .. versionadded:: 0.1.0
    """
    widths = (2, 2, 2, 4)
    start = within.level if within is not None else 0
    top = max(start, min(max_level, 4))

    @st.composite
    def build(draw: st.DrawFn) -> RegionCode:
        parts = within.value.split(".") if within is not None else []
        level = draw(st.integers(max(start, 1), top))
        for index in range(len(parts), level):
            width = widths[index]
            number = draw(st.integers(1, 10**width - 1))
            parts.append(str(number).zfill(width))
        return RegionCode(".".join(parts))

    return build()


@functools.cache
def categories(profile: Profile | None = None) -> st.SearchStrategy[Category]:
    """
    Category codes; with *profile*, the codes it accepts.

    Its own categories (those with a service standard), and other codes too only where
    ``[options.uncategorised]`` accepts them.

    .. versionadded:: 0.1.0
    """
    free = st.from_regex(r"[a-z0-9][a-z0-9_.-]{0,63}", fullmatch=True).map(Category)
    if profile is None:
        return free
    own = st.sampled_from([Category(c) for c in sorted(profile.service_standards)])
    if not profile.service_standards:
        return free if profile.uncategorised.enabled else st.nothing()
    return own | free if profile.uncategorised.enabled else own


@functools.cache
def reporters() -> st.SearchStrategy[Reporter]:
    """
    Reporters with an account id, a name and maybe a contact.

    .. versionadded:: 0.1.0
    """
    ids = st.from_regex(r"[a-z0-9][a-z0-9._-]{0,30}", fullmatch=True)
    names = st.sampled_from(_NAMES) | texts(200)
    contacts = st.none() | st.from_regex(r"\+628[0-9]{8,11}", fullmatch=True) | texts(200)
    return st.builds(Reporter, id=ids, name=names, contact=contacts)


def aware_datetimes(
    min_value: datetime = CALENDAR_FIRST,
    max_value: datetime = CALENDAR_LAST,
    *,
    time_zones: Sequence[tzinfo] = _ZONES,
) -> st.SearchStrategy[datetime]:
    """
    Timezone-aware datetimes between two aware bounds (default: the calendar's 2002-2027).

    Args:
        min_value: The earliest instant (aware).
        max_value: The latest instant (aware).
        time_zones: The zones drawn from (default UTC, WIB, WITA and WIT).

    .. versionadded:: 0.1.0
    """
    return _aware_datetimes(min_value, max_value, tuple(time_zones))


@functools.cache
def _aware_datetimes(
    min_value: datetime, max_value: datetime, time_zones: tuple[tzinfo, ...]
) -> st.SearchStrategy[datetime]:
    span = int((max_value - min_value).total_seconds())
    return st.builds(
        lambda seconds, zone: (min_value + timedelta(seconds=seconds)).astimezone(zone),
        st.integers(0, span),
        st.sampled_from(list(time_zones)),
    )


@functools.cache
def contents() -> st.SearchStrategy[Content]:
    """
    Report contents: title, body, maybe a location and an (aware) event date.

    .. versionadded:: 0.1.0
    """
    return st.builds(
        Content,
        title=texts(300),
        body=texts(2_000),
        location=st.none() | texts(500),
        event_date=st.none() | aware_datetimes(),
        point=st.none() | geo_points(),
        address_id=st.none() | texts(64, single_line=True),
        postal_code=st.none() | st.from_regex(r"[1-9][0-9]{4}", fullmatch=True),
        media_urls=st.lists(media_urls(), max_size=2).map(tuple),
    )


@functools.cache
def geo_points() -> st.SearchStrategy[GeoPoint]:
    """
    WGS 84 points anywhere, the poles and the antimeridian included.

    .. versionadded:: 0.2.0
    """
    return st.builds(
        GeoPoint,
        lat=st.floats(-90.0, 90.0, allow_nan=False),
        long=st.floats(-180.0, 180.0, allow_nan=False),
        precision=st.sampled_from(PointPrecision),
    )


@functools.cache
def media_urls() -> st.SearchStrategy[str]:
    """
    Attachment URLs (``http://`` or ``https://``, with a path that may hold any text).

    .. versionadded:: 0.2.0
    """
    path = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp")), max_size=40)
    return st.builds(
        lambda scheme, host, tail: f"{scheme}://{host}/{tail}",
        st.sampled_from(["http", "https"]),
        st.from_regex(r"[a-z0-9]{1,20}(\.[a-z]{2,6}){1,2}", fullmatch=True),
        path,
    )


@functools.cache
def external_ids() -> st.SearchStrategy[ExternalIds]:
    """
    External ids: maybe an SP4N tracking id, maybe a regional app's id.

    .. versionadded:: 0.1.0
    """
    return st.builds(
        ExternalIds,
        sp4n_tracking_id=st.none() | tracking_ids(),
        regional_app_id=st.none() | texts(64, single_line=True),
    )
