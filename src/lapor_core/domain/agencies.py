"""
The agency registry: the tree national -> K/L/D -> office -> unit -> liaison officer.

Forwarding (*disposisi*) follows this tree (domain.md sections 1 and 3.2, [C]): the
national admin forwards to a ministry, institution or local government (*K/L/D*), whose
admin forwards down to its units and liaison officers (*pejabat penghubung*).

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Final

import attrs

from lapor_core.domain._config import check, one_of, structure
from lapor_core.domain._validators import instance_of
from lapor_core.domain.model import RegionCode
from lapor_core.domain.regions import RegionList
from lapor_core.errors import N_, NotFound, ProfileError, Term, ValidationError

__all__ = [
    "TIME_ZONES",
    "Agency",
    "AgencyConfig",
    "AgencyKind",
    "AgencyRegistry",
    "RegistryConfig",
    "RegistryHeader",
    "region_problems",
]

TIME_ZONES: tuple[str, ...] = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
"""Indonesia's three zones: WIB (UTC+7), WITA (UTC+8), WIT (UTC+9)."""

_ID_RE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")


class AgencyKind(enum.Enum):
    """
    What an agency node is.

    .. versionadded:: 0.1.0
    """

    NATIONAL = "national"
    """The national LAPOR! administrator (KemenPAN-RB); the root of the tree."""
    MINISTRY = "ministry"
    """A ministry (*kementerian*)."""
    INSTITUTION = "institution"
    """A non-ministerial or other state body (*lembaga*), state enterprise, university."""
    PROVINCE = "province"
    """A provincial government (*pemerintah provinsi*)."""
    REGENCY = "regency"
    """A regency government (*pemerintah kabupaten*)."""
    CITY = "city"
    """A city government (*pemerintah kota*)."""
    OFFICE = "office"
    """An office or department (*dinas*, *OPD*, *direktorat*)."""
    INSPECTORATE = "inspectorate"
    """The inspectorate (*inspektorat*): handles misconduct complaints about its K/L/D's offices."""
    UNIT = "unit"
    """A work unit (*unit kerja*)."""
    LIAISON = "liaison"
    """A liaison officer's desk (*pejabat / admin penghubung*)."""

    @property
    def is_top_level(self) -> bool:
        """Whether this is a K/L/D: a direct recipient of national forwarding."""
        return self in _TOP_LEVEL


_LOCAL_GOVERNMENTS = frozenset({AgencyKind.PROVINCE, AgencyKind.REGENCY, AgencyKind.CITY})
_TOP_LEVEL = frozenset(
    {
        AgencyKind.MINISTRY,
        AgencyKind.INSTITUTION,
        AgencyKind.PROVINCE,
        AgencyKind.REGENCY,
        AgencyKind.CITY,
    }
)


def _check_id(_inst: object, attr: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not _ID_RE.fullmatch(value):
        raise ValidationError(
            N_("invalid agency {attr_name}: {value!r} (lowercase, digits, ._-)"),
            attr_name=attr.name,
            value=value,
        )


def _check_tz(_inst: object, _attr: attrs.Attribute[str], value: str) -> None:
    if value not in TIME_ZONES:
        raise ValidationError(
            N_("invalid agency time zone {value!r}; expected one of {zones}"),
            value=value,
            zones=TIME_ZONES,
        )


@attrs.frozen
class Agency:
    """
    One node of the agency tree.

    Attributes:
        id: Short stable id (``kaltim``, ``kaltim.diskominfo``).
        name: Official name.
        kind: What the node is.
        parent: Id of the parent node; ``None`` only for the national root.
        region: Kemendagri region code, for local governments and their offices.
        time_zone: The zone its deadlines are counted in (WIB, WITA or WIT).
        has_decree: Whether its decree (*SK*) appointing a complaint team exists; without
            one it cannot be given admin accounts (domain.md section 6; seed report 2021).

    .. versionadded:: 0.1.0
    """

    id: str = attrs.field(validator=_check_id)
    name: str = attrs.field()
    kind: AgencyKind = attrs.field(validator=instance_of(AgencyKind))
    parent: str | None = attrs.field(default=None)
    region: RegionCode | None = attrs.field(default=None)
    time_zone: str = attrs.field(default="Asia/Jakarta", validator=_check_tz)
    has_decree: bool = attrs.field(default=True, validator=instance_of(bool))

    def __attrs_post_init__(self) -> None:
        """The name must not be blank."""
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValidationError(N_("agency {agency_id!r} needs a name"), agency_id=self.id)


def _valid_id(value: str) -> ValidationError | None:
    if _ID_RE.fullmatch(value):
        return None
    return ValidationError(N_("invalid agency id {value!r} (lowercase, digits, ._-)"), value=value)


def _not_blank(value: str) -> ValidationError | None:
    return None if value.strip() else ValidationError(N_("an agency needs a name"))


def _valid_region(value: str) -> ValidationError | None:
    try:
        RegionCode(value)
    except ValidationError as exc:
        return exc
    return None


@attrs.frozen(kw_only=True)
class AgencyConfig:
    """
    One ``[[agency]]`` table of a registry file, as the file has it.

    Attributes:
        id: The agency's id (lowercase letters, digits, ``.``, ``_``, ``-``).
        name: Its official name.
        kind: An :class:`AgencyKind` value.
        parent: The parent's id; absent only for the national root.
        region: A Kemendagri region code (``"64.72"``).
        time_zone: ``Asia/Jakarta`` (the default), ``Asia/Makassar`` or ``Asia/Jayapura``.
        has_decree: Whether its decree (*SK*) appointing a complaint team exists.

    .. versionadded:: 0.1.0
    """

    id: str = attrs.field(validator=check(_valid_id))
    name: str = attrs.field(validator=check(_not_blank))
    kind: AgencyKind
    parent: str | None = None
    region: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(check(_valid_region))
    )
    time_zone: str = attrs.field(default="Asia/Jakarta", validator=check(one_of(TIME_ZONES)))
    has_decree: bool = True

    @classmethod
    def of(cls, agency: Agency) -> AgencyConfig:
        """
        The table that describes *agency* (the inverse of :meth:`to_agency`).

        .. versionadded:: 0.2.0
        """
        return cls(
            id=agency.id,
            name=agency.name,
            kind=agency.kind,
            parent=agency.parent,
            region=agency.region.value if agency.region is not None else None,
            time_zone=agency.time_zone,
            has_decree=agency.has_decree,
        )

    def to_agency(self) -> Agency:
        """
        The :class:`Agency` this table describes.

        .. versionadded:: 0.1.0
        """
        return Agency(
            id=self.id,
            name=self.name,
            kind=self.kind,
            parent=self.parent,
            region=RegionCode(self.region) if self.region is not None else None,
            time_zone=self.time_zone,
            has_decree=self.has_decree,
        )


@attrs.frozen
class RegistryHeader:
    """
    The ``[registry]`` table of a registry file.

    Attributes:
        parent: The registry this one extends: a bundled name (``kaltim``) or a path,
            relative to the file. Its agencies come first; this file adds agencies under
            them (an id the parent has is refused as a duplicate).

    .. versionadded:: 0.2.0
    """

    parent: str | None = None


@attrs.frozen
class RegistryConfig:
    """
    An agency registry file: ``[[agency]]`` tables, and a ``[registry]`` table naming a parent.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``[registry] parent``.
    """

    agency: tuple[AgencyConfig, ...] = ()
    registry: RegistryHeader = RegistryHeader()


class AgencyRegistry:
    """
    An immutable, validated agency tree with fast ancestry queries.

    Args:
        agencies: Every node, parents before or after children (order is free).

    Raises:
        ValidationError: No single national root, an unknown parent, a cycle, or a
            duplicate id.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_agencies", "_ancestors", "_children", "_governments", "_ordered", "_root")

    def __init__(self, agencies: Iterable[Agency]) -> None:  # noqa: C901 - one pass per tree check
        """Build and validate the tree."""
        by_id: dict[str, Agency] = {}
        for agency in agencies:
            if agency.id in by_id:
                raise ValidationError(N_("duplicate agency id {agency_id!r}"), agency_id=agency.id)
            by_id[agency.id] = agency
        roots = [a for a in by_id.values() if a.parent is None]
        if len(roots) != 1 or roots[0].kind is not AgencyKind.NATIONAL:
            raise ValidationError(
                N_("the agency tree needs exactly one root, of kind 'national'; found {value}"),
                value=[a.id for a in roots],
            )
        children: dict[str, list[str]] = {a: [] for a in by_id}
        for agency in by_id.values():
            if agency.parent is not None:
                if agency.parent not in by_id:
                    raise ValidationError(
                        N_("agency {agency_id!r} names unknown parent {parent!r}"),
                        agency_id=agency.id,
                        parent=agency.parent,
                    )
                if agency.kind is AgencyKind.NATIONAL:
                    raise ValidationError(
                        N_("agency {agency_id!r}: only the root may be national"),
                        agency_id=agency.id,
                    )
                children[agency.parent].append(agency.id)
        ancestors: dict[str, frozenset[str]] = {}
        for agency_id in by_id:
            chain: list[str] = []
            node: str | None = agency_id
            while node is not None:
                if node in chain:
                    raise ValidationError(N_("agency tree has a cycle through {node!r}"), node=node)
                chain.append(node)
                node = by_id[node].parent
            ancestors[agency_id] = frozenset(chain)
        self._agencies: Mapping[str, Agency] = by_id
        self._children = {k: tuple(sorted(v)) for k, v in children.items()}
        self._ancestors = ancestors
        self._root = roots[0].id
        self._ordered = tuple(sorted(by_id.values(), key=lambda a: a.id))
        governments: dict[str, Agency] = {}
        for agency in self._ordered:
            if agency.kind in _LOCAL_GOVERNMENTS and agency.region is not None:
                governments.setdefault(agency.region.value, agency)
        self._governments = governments

    @classmethod
    def from_toml(
        cls,
        text: str,
        regions: RegionList | None = None,
        *,
        parent: AgencyRegistry | None = None,
    ) -> AgencyRegistry:
        """
        Parse a registry from TOML text: ``[[agency]]`` tables with the fields of :class:`Agency`.

        A file that names a parent (``[registry] parent = "kaltim"``) extends that
        registry: give it as *parent* (:func:`lapor_core.profiles.load_registry` loads it
        from the name or path). Its agencies come first, and the file's are added to them.

        Args:
            text: The registry file's text.
            regions: The list of Kemendagri codes to hold the registry to (see
                :func:`region_problems`); :func:`lapor_core.profiles.load_registry` passes
                the shipped list.
            parent: The registry the file extends (required when it names one).

        Raises:
            ProfileError: Invalid TOML, or unknown, missing or invalid keys, or region codes
                that :func:`region_problems` refuses; every problem is reported
                (:attr:`~lapor_core.errors.ProfileError.problems`), each with the table's
                index (``agency[3].kind: missing key``, ``agency[3].region: ...``).
            ValidationError: The tree is invalid.

        .. versionadded:: 0.1.0
        """
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ProfileError(
                N_("agency registry is not valid TOML: {reason}"), reason=str(exc)
            ) from exc
        config = structure(data, RegistryConfig)
        declared = config.registry.parent
        if declared is not None and parent is None:
            raise ProfileError(
                N_(
                    "the registry extends {parent!r}; load it with load_registry, or pass "
                    "the parent registry"
                ),
                key="registry.parent",
                parent=declared,
            )
        known = tuple(AgencyConfig.of(agency) for agency in parent) if parent is not None else ()
        return cls._checked(config.agency, regions, known)

    @classmethod
    def from_records(
        cls, records: Iterable[Mapping[str, object]], regions: RegionList | None = None
    ) -> AgencyRegistry:
        """
        Build a registry from plain mappings (as in TOML or JSON), read as :class:`AgencyConfig`.

        Raises:
            ProfileError: As :meth:`from_toml`.
            ValidationError: The tree is invalid.

        .. versionadded:: 0.1.0
        """
        tables = structure(tuple(records), tuple[AgencyConfig, ...], root="agency")
        return cls._checked(tables, regions)

    @classmethod
    def _checked(
        cls,
        tables: Sequence[AgencyConfig],
        regions: RegionList | None,
        known: Sequence[AgencyConfig] = (),
    ) -> AgencyRegistry:
        problems = region_problems(tables, regions, known=known)
        if problems:
            raise ProfileError(*problems)
        return cls(table.to_agency() for table in (*known, *tables))

    @property
    def root(self) -> Agency:
        """The national root."""
        return self._agencies[self._root]

    def __len__(self) -> int:
        """Number of agencies."""
        return len(self._agencies)

    def __iter__(self) -> Iterator[Agency]:
        """Agencies, in id order."""
        return iter(self._ordered)

    def __contains__(self, agency_id: object) -> bool:
        """Whether an agency with this id exists."""
        return agency_id in self._agencies

    def get(self, agency_id: str) -> Agency:
        """
        Return the agency with this id.

        Raises:
            NotFound: No such agency.
        """
        try:
            return self._agencies[agency_id]
        except KeyError:
            raise NotFound(
                N_("no agency with id {agency_id!r} in the registry"), agency_id=agency_id
            ) from None

    def children(self, agency_id: str) -> tuple[Agency, ...]:
        """Direct children of an agency."""
        self.get(agency_id)
        return tuple(self._agencies[c] for c in self._children[agency_id])

    def ancestors(self, agency_id: str) -> tuple[Agency, ...]:
        """The agency's chain up to the root, nearest first, the agency itself excluded."""
        chain = []
        node = self.get(agency_id).parent
        while node is not None:
            chain.append(self._agencies[node])
            node = self._agencies[node].parent
        return tuple(chain)

    def is_within(self, agency_id: str, ancestor_id: str) -> bool:
        """Whether *agency_id* is *ancestor_id* or lies below it."""
        ancestors = self._ancestors.get(agency_id)
        if ancestors is None:
            raise NotFound(
                N_("no agency with id {agency_id!r} in the registry"), agency_id=agency_id
            )
        return ancestor_id in ancestors

    def subtree(self, agency_id: str) -> tuple[Agency, ...]:
        """The agency and everything below it, in depth-first order."""
        out: list[Agency] = []
        stack = [agency_id]
        self.get(agency_id)
        while stack:
            node = stack.pop()
            out.append(self._agencies[node])
            stack.extend(reversed(self._children[node]))
        return tuple(out)

    def top_level(self, agency_id: str) -> Agency:
        """
        The K/L/D an agency belongs to (the agency itself when it is one).

        Raises:
            ValidationError: The agency is the root, or has no K/L/D above it.
        """
        node = self.get(agency_id)
        while not node.kind.is_top_level:
            if node.parent is None:
                raise ValidationError(
                    N_("agency {agency_id!r} is not inside any K/L/D"), agency_id=agency_id
                )
            node = self._agencies[node.parent]
        return node

    def local_government(self, region: RegionCode) -> Agency | None:
        """
        The most specific local government whose region contains *region*.

        A province, regency or city; ``None`` when none contains it.

        .. versionadded:: 0.1.0
        """
        code: RegionCode | None = region
        while code is not None:
            found = self._governments.get(code.value)
            if found is not None:
                return found
            code = code.parent
        return None

    def inspectorate_for(self, agency_id: str) -> Agency | None:
        """
        The inspectorate that handles misconduct complaints about *agency_id*.

        The nearest inspectorate among the children of the agency's ancestors (its own
        K/L/D's inspectorate first, then a higher one), never the agency itself.
        """
        for ancestor in self.ancestors(agency_id):
            for child_id in self._children[ancestor.id]:
                child = self._agencies[child_id]
                if child.kind is AgencyKind.INSPECTORATE and child.id != agency_id:
                    return child
        return None


_KIND_TERMS: Final = {
    AgencyKind.PROVINCE: Term(N_("province")),
    AgencyKind.REGENCY: Term(N_("regency")),
    AgencyKind.CITY: Term(N_("city")),
}
"""The local governments' kinds, as words of a message (``regency``: ``kabupaten``)."""

_GOVERNMENT_KIND = {
    AgencyKind.PROVINCE: "provinsi",
    AgencyKind.REGENCY: "kabupaten",
    AgencyKind.CITY: "kota",
}


def region_problems(
    tables: Sequence[AgencyConfig],
    regions: RegionList | None = None,
    *,
    known: Sequence[AgencyConfig] = (),
) -> tuple[ProfileError, ...]:
    """
    Every problem of a registry's region codes, each ``agency[i].region: message``.

    Each problem is a :class:`~lapor_core.errors.ProfileError` with its key (``str()``:
    ``agency[i].region: message``), to translate.

    - A province's code is a province code (``64``); a regency's or city's is a regency or
      city code (``64.72``) and, when a province stands above it in the tree, sits under
      that province's code.
    - With *regions* (the shipped Kemendagri list): an agency whose name names a listed
      region (``Kabupaten Berau``) has that region's code or a code inside it; a province,
      regency or city whose code is listed is of the listed kind; a code inside a listed
      province is listed (down to regency and city level).

    Tables with an invalid or missing region, or an unknown parent, are skipped here (their
    other problems are reported elsewhere). *known* are the agencies of a parent registry:
    the tables' parents are looked up among them too, but they are not checked again.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       *known*; each problem is a keyed ``ProfileError`` instead of a string.
    """
    by_id = {table.id: table for table in (*known, *tables)}
    problems: list[ProfileError] = []
    for index, table in enumerate(tables):
        code = _code(table)
        if code is None:
            continue
        found = list(_tree_problems(table, code, by_id))
        if regions is not None:
            found.extend(_list_problems(table, code, regions))
        where = f"agency[{index}].region"
        problems.extend(
            ProfileError(problem.template or str(problem), key=where, **problem.fields)
            for problem in found
        )
    return tuple(problems)


def _code(table: AgencyConfig) -> RegionCode | None:
    if table.region is None:
        return None
    try:
        return RegionCode(table.region)
    except ValidationError:
        return None


def _tree_problems(
    table: AgencyConfig, code: RegionCode, by_id: Mapping[str, AgencyConfig]
) -> Iterator[ValidationError]:
    if table.kind is AgencyKind.PROVINCE and code.level != 1:
        yield ValidationError(
            N_("province {agency!r} has {code}, which is not a province code (such as 64)"),
            agency=table.id,
            code=str(code),
        )
    if table.kind not in (AgencyKind.REGENCY, AgencyKind.CITY):
        return
    what = _KIND_TERMS[table.kind]
    if code.level != 2:
        yield ValidationError(
            N_("{what} {agency!r} has {code}, which is not a regency or city code (such as 64.72)"),
            what=what,
            agency=table.id,
            code=str(code),
        )
        return
    province = _province_above(table, by_id)
    if province is None:
        return
    above = _code(province)
    if above is not None and code.parent != above:
        yield ValidationError(
            N_(
                "{what} {agency!r} has {code}, which is not under the code {above} of its "
                "province {province!r}"
            ),
            what=what,
            agency=table.id,
            code=str(code),
            above=str(above),
            province=province.id,
        )


def _province_above(table: AgencyConfig, by_id: Mapping[str, AgencyConfig]) -> AgencyConfig | None:
    seen = {table.id}
    node = by_id.get(table.parent) if table.parent is not None else None
    while node is not None and node.id not in seen:
        if node.kind is AgencyKind.PROVINCE:
            return node
        seen.add(node.id)
        node = by_id.get(node.parent) if node.parent is not None else None
    return None


def _list_problems(
    table: AgencyConfig, code: RegionCode, regions: RegionList
) -> Iterator[ValidationError]:
    named = regions.named_in(table.name)
    if named and not any(r.code.contains(code) or code.contains(r.code) for r in named):
        yield ValidationError(
            N_("{agency!r} is named {name!r}, but Kemendagri's list gives {which}, not {code}"),
            agency=table.id,
            name=table.name,
            which=", ".join(str(r) for r in named),
            code=str(code),
        )
    listed = regions.get(code)
    wanted = _GOVERNMENT_KIND.get(table.kind)
    if listed is not None and wanted is not None and listed.kind != wanted:
        yield ValidationError(
            N_("{what} {agency!r} has {code}, which is {listed} in Kemendagri's list"),
            what=_KIND_TERMS[table.kind],
            agency=table.id,
            code=str(code),
            listed=str(listed),
        )
    province = regions.province_of(code)
    if listed is None and province is not None and code.level <= 2:
        yield ValidationError(
            N_("{code} is not a code of {province} in Kemendagri's list"),
            code=str(code),
            province=province.full_name,
        )
