"""
The shipped list of Kemendagri province, regency and city codes.

Agency registries are held to it (:meth:`~lapor_core.domain.agencies.AgencyRegistry.from_toml`
with ``regions``): an agency whose name names a listed region must carry that region's
code (or a code inside it), and a code inside a listed province must be listed. The list
itself is ``lapor_core/profiles/regions.toml`` (its header cites the Kemendagri decree);
:func:`lapor_core.profiles.load_regions` reads it.

Pure: parses text, no I/O.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator

import attrs

from lapor_core.domain.model import RegionCode
from lapor_core.errors import N_, ProfileError, ValidationError

__all__ = ["REGION_KINDS", "Region", "RegionList"]

REGION_KINDS: tuple[str, ...] = ("provinsi", "kabupaten", "kota")
"""Kinds of listed region: province, regency, city."""

_LEVELS = {"provinsi": 1, "kabupaten": 2, "kota": 2}
_KEYS = ("code", "kind", "name")
_KINDS = {"provinsi": "Provinsi", "kabupaten": "Kabupaten", "kota": "Kota"}


@attrs.frozen
class Region:
    """
    One listed region.

    Attributes:
        code: Its Kemendagri code (``64.03``).
        kind: ``provinsi``, ``kabupaten`` or ``kota``.
        name: Its name without the kind (``Berau``).

    .. versionadded:: 0.1.0
    """

    code: RegionCode
    kind: str
    name: str

    @property
    def full_name(self) -> str:
        """Kind and name, as agency names use them (``Kabupaten Berau``)."""
        return f"{_KINDS[self.kind]} {self.name}"

    def __str__(self) -> str:
        """``Kabupaten Berau (64.03)``."""
        return f"{self.full_name} ({self.code})"


class RegionList:
    """
    An immutable list of regions, by code and by name.

    Raises:
        ValidationError: A duplicate code, or a regency or city whose province is not listed.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_by_code", "_patterns")

    def __init__(self, regions: Iterable[Region]) -> None:
        """Index and validate the list."""
        by_code: dict[str, Region] = {}
        for region in regions:
            if region.code.value in by_code:
                raise ValidationError(
                    N_("duplicate region code {region_code}"), region_code=region.code
                )
            by_code[region.code.value] = region
        for region in by_code.values():
            parent = region.code.parent
            if parent is not None and parent.value not in by_code:
                raise ValidationError(
                    N_("region {region}: its province {parent} is not listed"),
                    region=region,
                    parent=parent,
                )
        self._by_code = by_code
        self._patterns = tuple(
            (re.compile(rf"\b{re.escape(r.full_name)}\b", re.IGNORECASE), r)
            for r in by_code.values()
        )

    @classmethod
    def from_toml(cls, text: str) -> RegionList:
        """
        Parse ``[[region]]`` tables (``code``, ``kind``, ``name``).

        Raises:
            ProfileError: Invalid TOML or an invalid table; every problem is reported,
                with the table's index (``region[2].kind: ...``).

        .. versionadded:: 0.1.0
        """
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ProfileError(
                N_("region list is not valid TOML: {reason}"), reason=str(exc)
            ) from exc
        problems: list[ProfileError] = [
            ProfileError(N_("unknown key"), key=key) for key in data if key != "region"
        ]
        tables = data.get("region", [])
        if not isinstance(tables, list):
            raise ProfileError(N_("expected an array of tables"), key="region")
        regions: list[Region] = []
        for index, table in enumerate(tables):
            found = list(_parse(index, table))
            if isinstance(found[-1], Region):
                regions.append(found[-1])
            else:
                problems.extend(p for p in found if isinstance(p, ProfileError))
        if problems:
            raise ProfileError(*problems)
        try:
            return cls(regions)
        except ValidationError as exc:
            # Nothing to translate but the reason: the template is not in the catalogs.
            raise ProfileError("{reason}", key="region", reason=exc) from exc

    def __iter__(self) -> Iterator[Region]:
        """Regions, in code order."""
        return iter(sorted(self._by_code.values(), key=lambda r: r.code.value))

    def __len__(self) -> int:
        """Number of regions."""
        return len(self._by_code)

    def get(self, code: RegionCode) -> Region | None:
        """The listed region with exactly this code, if any."""
        return self._by_code.get(code.value)

    def province_of(self, code: RegionCode) -> Region | None:
        """The listed province *code* lies in (or is), if its province is listed."""
        return self._by_code.get(code.value.partition(".")[0])

    def named_in(self, text: str) -> tuple[Region, ...]:
        """Listed regions whose full name (``Kabupaten Berau``) appears in *text*."""
        return tuple(region for pattern, region in self._patterns if pattern.search(text))


def _parse(index: int, table: object) -> Iterator[Region | ProfileError]:
    where = f"region[{index}]"
    if not isinstance(table, dict):
        yield ProfileError(N_("expected a table"), key=where)
        return
    problems = [
        ProfileError(N_("unknown key"), key=f"{where}.{key}") for key in table if key not in _KEYS
    ]
    values: dict[str, str] = {}
    for key in _KEYS:
        value = table.get(key)
        if value is None:
            problems.append(ProfileError(N_("missing key"), key=f"{where}.{key}"))
        elif not isinstance(value, str) or not value.strip():
            problems.append(ProfileError(N_("expected a non-empty str"), key=f"{where}.{key}"))
        else:
            values[key] = value
    kind = values.get("kind")
    if kind is not None and kind not in REGION_KINDS:
        problems.append(
            ProfileError(
                N_("{value!r} is not one of {choices}"),
                key=f"{where}.kind",
                value=kind,
                choices=", ".join(REGION_KINDS),
            )
        )
        kind = None
    code: RegionCode | None = None
    if "code" in values:
        try:
            code = RegionCode(values["code"])
        except ValidationError as exc:
            problems.append(ProfileError("{reason}", key=f"{where}.code", reason=exc))
    if code is not None and kind is not None and code.level != _LEVELS[kind]:
        problems.append(
            ProfileError(
                N_("{code} is not the code of a {kind}"),
                key=f"{where}.code",
                code=str(code),
                kind=kind,
            )
        )
    if problems or code is None or kind is None:
        yield from problems
        return
    yield Region(code, kind, values["name"])
