"""
The languages of what a person reads: gettext catalogs for Indonesian and English.

Every label, header, legend and message that the command line and the tracking page
show is written in English in the source, marked for translation, and translated through
the gettext catalogs shipped in ``lapor_core/locale/<lang>/LC_MESSAGES/lapor_core.po``
(compiled to ``.mo`` beside them). The catalogs are managed with Babel (``pybabel
extract``, ``update``, ``compile``; see ``docs/testing.md``), and a test fails when a
catalog misses a message. Reading a catalog needs only the standard library.

Profile data keeps its own labels: a status's *label* (``Diproses``/``In progress``)
comes from the profile, so that a regional profile can rename it.

>>> from lapor_core.i18n import translator
>>> translator("id")("working days")
'hari kerja'
>>> translator("en")("working days")
'working days'

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import functools
import gettext
import io
from collections.abc import Callable
from importlib import resources
from typing import Final

from lapor_core.errors import N_, ValidationError

__all__ = ["DOMAIN", "LANGUAGES", "N_", "WEEKDAYS", "Translate", "translations", "translator"]

DOMAIN: Final = "lapor_core"
"""The gettext domain of the catalogs (``lapor_core.po``)."""

LANGUAGES: Final = ("id", "en")
"""The languages with a complete catalog: Bahasa Indonesia and English."""

Translate = Callable[[str], str]
"""A function from an English message to its text in one language."""


WEEKDAYS: Final = (
    N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"),
    N_("Saturday"), N_("Sunday"),
)  # fmt: skip
"""The days of the week, Monday first (:meth:`datetime.date.weekday`), to translate."""


@functools.cache
def translations(lang: str) -> gettext.GNUTranslations:
    """
    The catalog of *lang* (``id`` or ``en``), read once from the package.

    Raises:
        ValidationError: *lang* is not one of :data:`LANGUAGES`.
    """
    if lang not in LANGUAGES:
        raise ValidationError(
            N_("no catalog for language {lang!r} (available: {available})"),
            lang=lang,
            available=", ".join(LANGUAGES),
        )
    path = resources.files("lapor_core") / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    return gettext.GNUTranslations(io.BytesIO(path.read_bytes()))


def translator(lang: str) -> Translate:
    """
    The ``gettext`` function of *lang*: an English message in, its translation out.

    Raises:
        ValidationError: *lang* is not one of :data:`LANGUAGES`.
    """
    return translations(lang).gettext
