# Copyright (c) 2026 lapor_core developers. SPDX-License-Identifier: MIT
"""Dated calendar overrides: what they are, and reading them from TOML.

An override makes one local date a holiday or a working day, whatever the ``holidays``
data says: a decree issued after the package was released, a regional day off, a
cancelled *cuti bersama*. :class:`CalendarOverride` is the value a
:class:`~lapor_core.domain.calendar.WorkingCalendar` takes; :class:`OverrideConfig` is
one ``[[override]]`` table of a file, read by :func:`parse_overrides` and
:func:`overrides_from_records` with every problem reported at once, each with its key
(``override[2].basis: missing key``).

Pure: text or parsed records in, overrides out; reading the file is the caller's job.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
import tomllib
from datetime import date, datetime

import attrs

from lapor_core.domain._config import check, structure
from lapor_core.domain.model import RegionCode
from lapor_core.errors import N_, ProfileError, ValidationError

__all__ = [
    "CalendarOverride",
    "OverrideConfig",
    "OverrideKind",
    "OverridesFileConfig",
    "overrides_from_records",
    "parse_overrides",
]


class OverrideKind(enum.Enum):
    """What a dated override does to its day.

    Attributes:
        HOLIDAY: The day is not a working day (a new decree, a regional day off, a one-off
            holiday).
        WORKING_DAY: The day is a working day even if it would otherwise not be (for
            example a cancelled *cuti bersama*, or a Saturday declared a working day).

    .. versionadded:: 0.1.0
    """

    HOLIDAY = "holiday"
    WORKING_DAY = "working_day"


def _check_override_date(_: object, attribute: attrs.Attribute[date], value: object) -> None:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValidationError(
            N_("{attribute_name} must be a date (not a datetime), got {value!r}"),
            attribute_name=attribute.name,
            value=value,
        )


def _check_text(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(
            N_("{attribute_name} must be a non-empty string, got {value!r}"),
            attribute_name=attribute.name,
            value=value,
        )


def _check_kind(_: object, attribute: attrs.Attribute[OverrideKind], value: object) -> None:
    if not isinstance(value, OverrideKind):
        raise ValidationError(
            N_("{attribute_name} must be an OverrideKind, got {value!r}"),
            attribute_name=attribute.name,
            value=value,
        )


@attrs.frozen
class CalendarOverride:
    """A dated change to the calendar that the ``holidays`` data does not know about.

    Overrides win over the weekday rule, national holidays and *cuti bersama*.

    An override may be limited to a scope: the deadlines of agencies in one region
    (*region*, a Kemendagri code prefix: ``64.03`` is Berau and what lies inside it), in
    one agency's subtree (*agency*), or both (agencies of that subtree in that region).
    A scoped override changes no day of the calendar itself: a
    :class:`~lapor_core.domain.complaint.Context` resolves it against its registry, and
    the clocks of the agencies in scope count with it.

    Attributes:
        date: The local date affected.
        kind: Whether the day becomes a holiday or a working day.
        name: A human-readable name, e.g. ``"Cuti bersama dibatalkan"``.
        basis: The legal basis or source, e.g. ``"SKB 3 Menteri No. 1497/2025"``.
        region: Only for agencies whose region is this code or inside it.
        agency: Only for this agency and the agencies under it.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 *region* and *agency*.
    """

    date: date = attrs.field(validator=_check_override_date)
    kind: OverrideKind = attrs.field(validator=_check_kind)
    name: str = attrs.field(validator=_check_text)
    basis: str = attrs.field(validator=_check_text)
    region: str | None = attrs.field(default=None, kw_only=True)
    agency: str | None = attrs.field(default=None, kw_only=True)

    @region.validator
    def _check_region(self, _attribute: attrs.Attribute[str | None], value: str | None) -> None:
        if value is not None:
            RegionCode(value)

    @agency.validator
    def _check_agency(self, _attribute: attrs.Attribute[str | None], value: str | None) -> None:
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ValidationError(
                N_("agency must be a non-empty string, got {value!r}"), value=value
            )

    @property
    def scoped(self) -> bool:
        """Whether it is limited to a region or an agency subtree."""
        return self.region is not None or self.agency is not None


def _non_empty(value: str) -> ValidationError | None:
    if value.strip():
        return None
    return ValidationError(N_("expected a non-empty string, got {value!r}"), value=value)


_NON_EMPTY = check(_non_empty)


def _region_problem(value: str) -> ValidationError | None:
    try:
        RegionCode(value)
    except ValidationError as exc:
        return exc
    return None


@attrs.frozen
class OverrideConfig:
    """One ``[[override]]`` table as the file has it: these keys and no others.

    Attributes:
        date: A TOML date (``2025-12-24``; a date-time is refused).
        kind: ``"holiday"`` or ``"working_day"``.
        name: A non-empty name.
        basis: A non-empty legal basis or source.
        region: Optional: only for agencies in this region (a Kemendagri code prefix).
        agency: Optional: only for this agency's subtree.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``region`` and ``agency``.
    """

    date: date
    kind: OverrideKind
    name: str = attrs.field(validator=_NON_EMPTY)
    basis: str = attrs.field(validator=_NON_EMPTY)
    region: str | None = attrs.field(
        default=None, kw_only=True, validator=attrs.validators.optional(check(_region_problem))
    )
    agency: str | None = attrs.field(
        default=None,
        kw_only=True,
        validator=attrs.validators.optional(_NON_EMPTY),
    )

    def to_override(self) -> CalendarOverride:
        """The :class:`CalendarOverride` this table describes.

        .. versionadded:: 0.1.0
        """
        return CalendarOverride(
            date=self.date,
            kind=self.kind,
            name=self.name,
            basis=self.basis,
            region=self.region,
            agency=self.agency,
        )


@attrs.frozen
class OverridesFileConfig:
    """A calendar overrides file: only ``[[override]]`` tables.

    .. versionadded:: 0.1.0
    """

    override: tuple[OverrideConfig, ...] = ()


def parse_overrides(text: str) -> tuple[CalendarOverride, ...]:
    """Parse calendar overrides from TOML text.

    The text holds ``[[override]]`` tables, each with the keys ``date`` (a TOML date,
    e.g. ``2025-12-24``), ``kind`` (``"holiday"`` or ``"working_day"``), ``name`` and
    ``basis`` (non-empty strings), and optionally a scope, ``region`` (a Kemendagri code)
    and/or ``agency`` (an agency id, for its subtree); no other key::

        [[override]]
        date = 2025-12-24
        kind = "holiday"
        name = "Cuti bersama Natal (tambahan)"
        basis = "SKB 3 Menteri 2025"

    Reading the file is the caller's job; this function does no I/O.

    Args:
        text: The TOML document.

    Returns:
        The overrides in file order.

    Raises:
        ProfileError: Invalid TOML, or unknown, missing or mistyped keys; every problem
            is reported (:attr:`~lapor_core.errors.ProfileError.problems`), each naming
            the key with its 0-based index, e.g. ``override[2].basis``.

    .. versionadded:: 0.1.0
    """
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(N_("invalid TOML: {reason}"), key="overrides", reason=str(exc)) from exc
    config = structure(document, OverridesFileConfig)
    return tuple(table.to_override() for table in config.override)


def overrides_from_records(
    records: object, where: str = "override"
) -> tuple[CalendarOverride, ...]:
    """Build calendar overrides from already-parsed records (e.g. a profile's tables).

    Each record is a mapping with the keys of :func:`parse_overrides`: ``date``
    (a :class:`~datetime.date`), ``kind``, ``name`` and ``basis``. This is what
    :func:`parse_overrides` does after reading the TOML.

    Args:
        records: A list of mappings (the parsed array of tables).
        where: The key path of the array, for error messages (``calendar.override`` in a
            profile).

    Returns:
        The overrides in order.

    Raises:
        ProfileError: Not a list of tables, or unknown, missing or mistyped keys; every
            problem is reported, each naming the key with its 0-based index, e.g.
            ``override[2].basis``.

    .. versionadded:: 0.1.0
    """
    tables = structure(records, tuple[OverrideConfig, ...], root=where)
    return tuple(table.to_override() for table in tables)
