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
    Kind,
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
    "kinds",
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
_ZONES: tuple[tzinfo, ...] = (UTC, *(ZoneInfo(z) for z in TIME_ZONES))


# --------------------------------------------------------------------------- text and ids


@functools.cache
def texts(max_size: int = 200) -> st.SearchStrategy[str]:
    """
    Non-blank text of at most *max_size* characters: Indonesian phrases or arbitrary text.

    Control characters other than newline and tab are left out (they are not what a
    reporter types, and PostgreSQL's ``jsonb`` cannot hold ``NUL``).

    Args:
        max_size: The longest text drawn (at least 1).

    .. versionadded:: 0.1.0
    """
    phrases = [p for p in _PHRASES if len(p) <= max_size]
    free = st.text(_ALPHABET, min_size=1, max_size=max_size).filter(lambda s: bool(s.strip()))
    return st.sampled_from(phrases) | free if phrases else free


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
    Category codes; with *profile*, mostly its own categories (those with a service standard).

    .. versionadded:: 0.1.0
    """
    free = st.from_regex(r"[a-z0-9][a-z0-9_.-]{0,63}", fullmatch=True).map(Category)
    known = sorted(profile.service_standards) if profile is not None else []
    return st.sampled_from([Category(c) for c in known]) | free if known else free


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
        regional_app_id=st.none() | texts(64),
    )
