"""
What an imported row of the LAPOR! export becomes: our ids, and the facts the export omits.

:class:`ImportOptions` holds the maps from the export's ids (``KategoriID``,
``DisposisiInstansiID``, ``AreaID``) onto our categories, agencies and regions, the
fallbacks, and the channel, kind, reporter and privacy the export does not give;
:func:`map_ids` applies them to a record, :func:`complaint_id_for` and
:func:`idempotency_key_for` name the complaint a record imports as. An id that cannot be
mapped is an error for its row unless a fallback is given: nothing is guessed.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from lapor_core.domain.agencies import AgencyRegistry
from lapor_core.domain.complaint import Context
from lapor_core.domain.model import (
    Category,
    Channel,
    ChannelType,
    ComplaintId,
    GeoPoint,
    Kind,
    Privacy,
    RegionCode,
    Reporter,
)
from lapor_core.domain.profile import Profile
from lapor_core.errors import N_, Term, ValidationError
from lapor_core.interop.lapor_csv.records import (
    AGENCY_ID,
    AREA_ID,
    CATEGORY_ID,
    CsvRowError,
    LaporCsvRecord,
)

__all__ = [
    "IMPORT_CHANNEL",
    "IMPORT_REPORTER",
    "ImportOptions",
    "MappedIds",
    "complaint_id_for",
    "idempotency_key_for",
    "map_ids",
]

IMPORT_CHANNEL = Channel(ChannelType.REGIONAL_APP, "SP4N-LAPOR! open data")
"""
The channel (*kanal*) of an imported report, by default.

The export does not say how a report arrived (web, SMS 1708, app, ...); the import marks
the integrated system it came from instead. Pass another channel when you know it.

.. versionadded:: 0.1.0
"""

IMPORT_REPORTER = Reporter(id="sp4n-open-data", name="Pelapor LAPOR! (tidak diketahui)")
"""
The reporter (*pelapor*) of an imported report, by default: the export names nobody.

.. versionadded:: 0.1.0
"""


def _check_actor_id(_inst: object, _attr: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(
            N_("actor_id: must be a non-empty string, got {value!r}"), value=value
        )


def _check_prefix(_inst: object, _attr: attrs.Attribute[str], value: str) -> None:
    try:
        ComplaintId(value + "x" * 32)  # the longest tracking id must still fit
    except ValidationError:
        raise ValidationError(
            N_("id_prefix: {value!r} must be letters, digits and ._:- (at most 32 characters)"),
            value=value,
        ) from None


def _instance(*types: type) -> Callable[[object, attrs.Attribute[Any], object], None]:
    names = " or ".join(t.__name__ for t in types)

    def check(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, types):
            raise ValidationError(
                N_("{name}: must be {types}, got {got}"),
                name=attr.name,
                types=names,
                got=type(value).__name__,
            )

    return check


@attrs.frozen(kw_only=True)
class ImportOptions:
    """
    What an imported record becomes: id maps, fallbacks and the facts the export omits.

    The export's ids (``KategoriID``, ``DisposisiInstansiID``, ``AreaID``) are mapped
    onto ours like this, for each of them:

    * with a map (``categories``, ``agencies``, ``areas``), the id must be in it; an id
      that is not uses the fallback (``fallback_category``, ``fallback_agency``) when
      one is given, else the row is refused;
    * without a map, the id must already be ours: a category of the profile, an agency
      of the registry (not the national root), a Kemendagri region code; otherwise the
      fallback, else the row is refused.

    An empty cell means no value (no category, no region); an empty
    ``DisposisiInstansiID`` refuses a row whose status needs a forwarding.

    Attributes:
        categories: ``KategoriID`` -> our category code.
        agencies: ``DisposisiInstansiID`` -> our agency id.
        areas: ``AreaID`` -> Kemendagri region code.
        fallback_category: The category for a ``KategoriID`` that cannot be mapped.
        fallback_agency: The agency for a ``DisposisiInstansiID`` that cannot be mapped.
        fallback_region: The region code for an ``AreaID`` that cannot be mapped.
        area_points: ``AreaID`` -> the area's centroid (LAPOR!'s area file, see
            :func:`~lapor_core.interop.importer.read_area_file`), kept as the
            complaint's :attr:`~lapor_core.domain.model.Content.point`; with it, an
            ``AreaID`` that is not in it refuses the row.
        channel: The channel (default :data:`IMPORT_CHANNEL`).
        kind: The classification (default *pengaduan*; the export has none).
        reporter: The reporter (default :data:`IMPORT_REPORTER`).
        privacy: The privacy flags (default none; the export has none).
        id_prefix: Our complaint id is this prefix and the *Tracking ID*
            (default ``"sp4n-"``).
        actor_id: The account the import's commands are issued under.

    .. versionadded:: 0.1.0
    """

    categories: Mapping[str, str] | None = attrs.field(
        default=None, validator=_instance(Mapping, type(None))
    )
    agencies: Mapping[str, str] | None = attrs.field(
        default=None, validator=_instance(Mapping, type(None))
    )
    areas: Mapping[str, str] | None = attrs.field(
        default=None, validator=_instance(Mapping, type(None))
    )
    fallback_category: str | None = attrs.field(default=None, validator=_instance(str, type(None)))
    fallback_agency: str | None = attrs.field(default=None, validator=_instance(str, type(None)))
    fallback_region: str | None = attrs.field(default=None, validator=_instance(str, type(None)))
    area_points: Mapping[str, GeoPoint] | None = attrs.field(
        default=None, validator=_instance(Mapping, type(None))
    )
    channel: Channel = attrs.field(default=IMPORT_CHANNEL, validator=_instance(Channel))
    kind: Kind = attrs.field(default=Kind.COMPLAINT, validator=_instance(Kind))
    reporter: Reporter = attrs.field(default=IMPORT_REPORTER, validator=_instance(Reporter))
    privacy: Privacy = attrs.field(factory=Privacy, validator=_instance(Privacy))
    id_prefix: str = attrs.field(default="sp4n-", validator=_check_prefix)
    actor_id: str = attrs.field(default="lapor-csv-import", validator=_check_actor_id)

    def check(self, profile: Profile, registry: AgencyRegistry) -> None:
        """
        Refuse a fallback that no row could be given, before any row is read.

        Raises:
            ValidationError: ``fallback_agency`` is not an agency of *registry* (or is
                its root), ``fallback_category`` is not a category of *profile*, or
                ``fallback_region`` is not a Kemendagri region code.

        .. versionadded:: 0.2.0
        """
        agency = self.fallback_agency
        if agency is not None and agency not in _ForwardTargets(registry):
            raise ValidationError(
                N_("fallback agency {agency!r} is not an agency of the registry (or is its root)"),
                agency=agency,
            )
        if self.fallback_category is not None:
            profile.category_for(self.fallback_category, where=Term(N_("fallback category")))
        if self.fallback_region is not None:
            try:
                RegionCode(self.fallback_region)
            except ValidationError as exc:
                raise ValidationError(N_("fallback region: {reason}"), reason=exc) from None


def complaint_id_for(record: LaporCsvRecord, options: ImportOptions | None = None) -> ComplaintId:
    """
    Our id of the complaint a record imports as: the prefix and the *Tracking ID*.

    .. versionadded:: 0.1.0
    """
    prefix = (options or ImportOptions()).id_prefix
    return ComplaintId(f"{prefix}{record.tracking_id}")


def idempotency_key_for(record: LaporCsvRecord) -> str:
    """
    The idempotency key of a record's import: ``lapor-csv:<Tracking ID>``.

    Importing the same *Tracking ID* again finds this key and creates nothing.

    .. versionadded:: 0.1.0
    """
    return f"lapor-csv:{record.tracking_id}"


def _resolve(
    raw: str,
    table: Mapping[str, str] | None,
    fallback: str | None,
    known: Any,  # noqa: ANN401 - a container or registry with ``in``
    what: str,
) -> str:
    if table is not None:
        mapped = table.get(raw)
        if mapped is not None:
            return mapped
        if raw in known:  # one of our ids, as the export writes an id its map does not list
            return raw
        if fallback is not None:
            return fallback
        raise ValidationError(
            N_("{raw!r} is not in the {what} map and no fallback is given"),
            raw=raw,
            what=Term(what),
        )
    if raw in known:
        return raw
    if fallback is not None:
        return fallback
    raise ValidationError(
        N_("{raw!r} is not a known {what}; pass a {what} map or a fallback in ImportOptions"),
        raw=raw,
        what=Term(what),
    )


@attrs.frozen
class _ForwardTargets:
    """The agencies of a registry a complaint can be forwarded to: all but the root."""

    registry: AgencyRegistry

    def __contains__(self, agency: object) -> bool:
        return agency in self.registry and agency != self.registry.root.id


def _agency(record: LaporCsvRecord, ctx: Context, options: ImportOptions) -> str | None:
    if record.agency_id is None:
        return None
    known = _ForwardTargets(ctx.registry)
    agency = _resolve(record.agency_id, options.agencies, options.fallback_agency, known, "agency")
    if agency not in known:
        raise ValidationError(
            N_("{agency!r} is not an agency of the registry (or is the root)"), agency=agency
        )
    return agency


def _category(record: LaporCsvRecord, ctx: Context, options: ImportOptions) -> Category | None:
    if record.category_id is None:
        return None
    profile = ctx.profile
    raw = record.category_id
    if options.categories is None and options.fallback_category is None:
        # No map: the id must be ours, by the one category rule of every path.
        return profile.category_for(raw)
    code = _resolve(
        raw, options.categories, options.fallback_category, profile.service_standards, "category"
    )
    return profile.category_for(code)


def _region(record: LaporCsvRecord, options: ImportOptions) -> RegionCode | None:
    if record.area_id is None:
        return None
    code = record.area_id
    if options.areas is not None:
        mapped = options.areas.get(code)
        if mapped is None:
            if options.fallback_region is None:
                raise ValidationError(
                    N_("{code!r} is not in the area map and no fallback is given"), code=code
                )
            mapped = options.fallback_region
        code = mapped
    try:
        return RegionCode(code)
    except ValidationError:
        if options.fallback_region is None or options.areas is not None:
            raise
        return RegionCode(options.fallback_region)


def _point(record: LaporCsvRecord, options: ImportOptions) -> GeoPoint | None:
    if record.area_id is None or options.area_points is None:
        return None
    point = options.area_points.get(record.area_id)
    if point is None:
        raise ValidationError(N_("{area!r} is not in the area file"), area=record.area_id)
    return point


@attrs.frozen
class MappedIds:
    """
    A record's ids mapped onto ours: ``None`` where the export's cell is empty.

    Attributes:
        agency: ``DisposisiInstansiID`` as an agency of the registry.
        category: ``KategoriID`` as a category of the profile.
        region: ``AreaID`` as a Kemendagri region code.
        point: The area's centroid, when an area file is given.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``point``.
    """

    agency: str | None
    category: Category | None
    region: RegionCode | None
    point: GeoPoint | None = None


def map_ids(record: LaporCsvRecord, ctx: Context, options: ImportOptions) -> MappedIds:
    """
    Map a record's agency, category and area ids onto ours, as :class:`ImportOptions` says.

    Raises:
        CsvRowError: An id cannot be mapped (not in its map and no fallback, or not one
            of ours without a map); names the column.

    .. versionadded:: 0.1.0
    """
    resolved: dict[str, Any] = {}
    resolvers: tuple[tuple[str, Callable[[], object]], ...] = (
        (AGENCY_ID, lambda: _agency(record, ctx, options)),
        (CATEGORY_ID, lambda: _category(record, ctx, options)),
        (AREA_ID, lambda: _region(record, options)),
        ("point", lambda: _point(record, options)),
    )
    for column, resolve in resolvers:
        try:
            resolved[column] = resolve()
        except ValidationError as exc:
            where = AREA_ID if column == "point" else column
            raise CsvRowError(record.line, where, exc, str(record.tracking_id)) from None
    return MappedIds(
        resolved[AGENCY_ID], resolved[CATEGORY_ID], resolved[AREA_ID], resolved["point"]
    )
