"""
The dates of the LAPOR! export: ISO 8601, ``strptime`` formats, and Indonesian month names.

:func:`parse_date` tries a list of formats in order, as :class:`~.records.CsvOptions`
gives them. Besides ``"iso"`` and ``strptime`` formats there is ``"indonesian"``
(:data:`INDONESIAN`): a date written with the month's name, in Indonesian (or English),
as people and older exports write it::

    02 Maret 2015 09:15
    Senin, 02 Maret 2015
    Jum'at, 6 Maret 2015 pukul 10.00 WITA

It is read by :mod:`dateutil.parser` with :class:`IndonesianParserInfo` (the month and
weekday names and the connecting words such as *pukul*), and held to more than
``dateutil`` checks: the day, the month (by name) and the year must all be written (no
part is taken from today), a weekday, if written, must be the date's, and a zone, if
written, must be an offset, ``UTC`` or one of Indonesia's *WIB*, *WITA* and *WIT*.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import re
import typing
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from dateutil import parser as dateutil_parser

from lapor_core.errors import N_, ValidationError

__all__ = [
    "INDONESIAN",
    "ISO",
    "ZONE_ABBREVIATIONS",
    "IndonesianParserInfo",
    "parse_date",
    "parse_indonesian_date",
]

ISO = "iso"
"""
The format name of ISO 8601, as :meth:`datetime.fromisoformat` reads it.

.. versionadded:: 0.1.0
"""

INDONESIAN = "indonesian"
"""
The format name of dates written with the month's name (:func:`parse_indonesian_date`).

.. versionadded:: 0.1.0
"""

ZONE_ABBREVIATIONS: Mapping[str, str] = {
    "WIB": "Asia/Jakarta",
    "WITA": "Asia/Makassar",
    "WIT": "Asia/Jayapura",
}
"""
Indonesia's time zone abbreviations, as written after a time, and their IANA zones.

.. versionadded:: 0.1.0
"""


class IndonesianParserInfo(dateutil_parser.parserinfo):
    """
    ``dateutil``'s vocabulary for Indonesian dates: month and weekday names, joining words.

    Months and weekdays have their Indonesian names, common abbreviations and older
    spellings (*Pebruari*, *Nopember*, *Ahad*), and keep their English names, which older
    exports also use. *pukul* and *jam* (at, o'clock), *tanggal* / *tgl* (date) and
    *hari* (day) are skipped like ``dateutil``'s own *at* and *on*. Day first, as
    Indonesians write numeric dates.

    .. versionadded:: 0.1.0
    """

    # dateutil reads any number of names per month and weekday; its stubs allow two or
    # three, hence the casts.
    MONTHS = typing.cast(
        "list[tuple[str, str] | tuple[str, str, str]]",
        [
            ("Jan", "Januari", "January"),
            ("Feb", "Februari", "Pebruari", "February"),
            ("Mar", "Maret", "March"),
            ("Apr", "April"),
            ("Mei", "May"),
            ("Jun", "Juni", "June"),
            ("Jul", "Juli", "July"),
            ("Agu", "Agt", "Ags", "Agustus", "Aug", "August"),
            ("Sep", "Sept", "September"),
            ("Okt", "Oktober", "Oct", "October"),
            ("Nov", "Nopember", "November"),
            ("Des", "Desember", "Dec", "December"),
        ],
    )
    WEEKDAYS = typing.cast(  # Monday first, as dateutil counts
        "list[tuple[str, str]]",
        [
            ("Sen", "Senin", "Mon", "Monday"),
            ("Sel", "Selasa", "Tue", "Tuesday"),
            ("Rab", "Rabu", "Wed", "Wednesday"),
            ("Kam", "Kamis", "Thu", "Thursday"),
            ("Jum", "Jumat", "Fri", "Friday"),
            ("Sab", "Sabtu", "Sat", "Saturday"),
            ("Min", "Minggu", "Ahad", "Sun", "Sunday"),
        ],
    )
    JUMP = [  # noqa: RUF012 - dateutil reads this class attribute as a list
        *dateutil_parser.parserinfo.JUMP,
        "pukul",
        "jam",
        "tanggal",
        "tgl",
        "hari",
    ]

    def __init__(self) -> None:
        """Day first, years as written."""
        super().__init__(dayfirst=True)


_INFO = IndonesianParserInfo()
_WORD = re.compile(r"[^\W\d_]+")
# A time written the Indonesian way, 09.15 or 09.15.30, not part of a longer number.
_DOTTED_TIME = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{2})(?:\.(\d{2}))?(?![\d.])")
# Two defaults that differ in year, month and day: a part missing from the text shows.
_DEFAULTS = (datetime(2000, 1, 1), datetime(2001, 2, 2))  # noqa: DTZ001 - naive on purpose


def _zone(name: str | None, offset: int | None) -> tzinfo | None:
    """The zone of a parsed date (dateutil's ``tzinfos``): WIB, WITA, WIT, an offset."""
    if name is not None and name.upper() in ZONE_ABBREVIATIONS:
        return ZoneInfo(ZONE_ABBREVIATIONS[name.upper()])
    if offset is not None:
        return timezone(timedelta(seconds=offset))
    if name is not None:
        known = ", ".join(ZONE_ABBREVIATIONS)
        raise ValidationError(
            N_("unknown time zone {name!r} (use an offset, UTC, {known})"), name=name, known=known
        )
    return None


def parse_indonesian_date(text: str) -> datetime:
    """
    A date written with its month's name: ``02 Maret 2015 09:15``, ``Senin, 02 Maret 2015``.

    Args:
        text: The date, in Indonesian or English month and weekday names; a time with a
            colon or the Indonesian dot (``09.15``) and a zone (``WIB``, ``WITA``,
            ``WIT``, ``UTC`` or an offset) may follow.

    Returns:
        The date, aware when a zone is written, else naive (midnight without a time).

    Raises:
        ValueError: Not such a date: no month name, a missing day or year, a weekday
            that is not the date's, an unknown zone, or words ``dateutil`` cannot read.

    .. versionadded:: 0.1.0
    """
    words = _WORD.findall(text)
    if not any(_INFO.month(word) is not None for word in words):
        raise ValidationError(N_("no month name in {text!r}"), text=text)
    normalised = _DOTTED_TIME.sub(lambda m: ":".join(g for g in m.groups() if g), text)
    try:
        first, second = (
            dateutil_parser.parse(normalised, parserinfo=_INFO, default=default, tzinfos=_zone)
            for default in _DEFAULTS
        )
    except OverflowError as exc:  # dateutil's answer to a number too large for a date
        raise ValidationError(
            N_("not a date: {text!r} ({reason})"), text=text, reason=str(exc)
        ) from None
    if first.date() != second.date():
        raise ValidationError(
            N_("{text!r} does not give the day, the month and the year"), text=text
        )
    for word in words:
        weekday = _INFO.weekday(word)
        if weekday is not None and weekday != first.weekday():
            actual = IndonesianParserInfo.WEEKDAYS[first.weekday()][1]
            raise ValidationError(
                N_("{text!r}: {date} is a {actual}, not {word}"),
                text=text,
                date=first.date().isoformat(),
                actual=actual,
                word=word,
            )
    return first


def parse_date(text: str, formats: Sequence[str], zone: tzinfo) -> datetime:
    """
    An aware date from *text* in the first of *formats* that reads it.

    Args:
        text: The date as written.
        formats: Tried in order: :data:`ISO`, :data:`INDONESIAN`, or a ``strptime``
            format.
        zone: The zone of a date written without one.

    Raises:
        ValueError: No format reads *text*; the message lists them.

    .. versionadded:: 0.1.0
    """
    for fmt in formats:
        try:
            value = _parse_one(text, fmt)
        except ValueError:
            continue
        return value if value.utcoffset() is not None else value.replace(tzinfo=zone)
    raise ValidationError(
        N_("not a date in any of the formats {formats}: {text!r}"),
        formats=", ".join(formats),
        text=text,
    )


def _parse_one(text: str, fmt: str) -> datetime:
    if fmt == ISO:
        return datetime.fromisoformat(text)
    if fmt == INDONESIAN:
        return parse_indonesian_date(text)
    return datetime.strptime(text, fmt)  # noqa: DTZ007 - parse_date applies the zone
