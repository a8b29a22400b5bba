"""
What `lapor_core.domain.agencies` answers and refuses, word for word (its mutation run).

Each refusal of :class:`Agency`, :class:`AgencyRegistry` (its tree checks, its lookups,
``from_toml``) and :func:`region_problems` is checked whole: its type, its message, its
key and its fields; and the tree's answers (``children``, ``subtree``,
``local_government``, ``inspectorate_for``) and :meth:`AgencyConfig.of` are compared
whole, so that every change ``bench/mutation.py agencies`` makes to them fails a test here.
"""

from __future__ import annotations

import pytest

from helpers import REGISTRY, refused
from lapor_core.domain.agencies import (
    TIME_ZONES,
    Agency,
    AgencyConfig,
    AgencyKind,
    AgencyRegistry,
    region_problems,
)
from lapor_core.domain.model import RegionCode
from lapor_core.domain.regions import Region, RegionList
from lapor_core.errors import NotFound, ProfileError, ValidationError

NATIONAL = AgencyKind.NATIONAL
PROVINCE = AgencyKind.PROVINCE
CITY = AgencyKind.CITY
OFFICE = AgencyKind.OFFICE
INSPECTORATE = AgencyKind.INSPECTORATE

LAPOR = Agency("lapor", "LAPOR!", NATIONAL)
KALTIM = Agency("kaltim", "Provinsi Kalimantan Timur", PROVINCE, "lapor", RegionCode("64"))
KALTIM_INSPECTORATE = Agency(
    "kaltim.inspektorat", "Inspektorat Kaltim", INSPECTORATE, "kaltim", RegionCode("64")
)
# An office sorted before the city it lies in, with the city's code: never its government.
AN_OFFICE = Agency("a.dinas", "Dinas A", OFFICE, "samarinda", RegionCode("64.72"))
SAMARINDA = Agency("samarinda", "Kota Samarinda", CITY, "kaltim", RegionCode("64.72"))
DISHUB = Agency("samarinda.dishub", "Dishub Samarinda", OFFICE, "samarinda", RegionCode("64.72"))
SAMARINDA_INSPECTORATE = Agency(
    "samarinda.inspektorat", "Inspektorat Samarinda", INSPECTORATE, "samarinda"
)


def _tree() -> AgencyRegistry:
    # Built afresh by each test: a registry built at import time escapes the mutants.
    return AgencyRegistry(
        [SAMARINDA_INSPECTORATE, DISHUB, SAMARINDA, AN_OFFICE, KALTIM_INSPECTORATE, KALTIM, LAPOR]
    )


PROVINCE_REGION = Region(RegionCode("64"), "provinsi", "Kalimantan Timur")
BALIKPAPAN_REGION = Region(RegionCode("64.71"), "kota", "Balikpapan")
SAMARINDA_REGION = Region(RegionCode("64.72"), "kota", "Samarinda")
REGIONS = RegionList([PROVINCE_REGION, BALIKPAPAN_REGION, SAMARINDA_REGION])


def _office(name: str, region: str, agency_id: str = "dinas") -> AgencyConfig:
    return AgencyConfig(id=agency_id, name=name, kind=OFFICE, parent="kaltim", region=region)


# ------------------------------------------------------------------------ one agency


def test_an_invalid_agency_id_is_refused_word_for_word() -> None:
    error = refused(lambda: Agency("Dinas!", "Dinas", OFFICE, "lapor"))
    assert type(error) is ValidationError
    assert str(error) == "invalid agency id: 'Dinas!' (lowercase, digits, ._-)"
    assert error.template == "invalid agency {attr_name}: {value!r} (lowercase, digits, ._-)"
    assert dict(error.fields) == {"attr_name": "id", "value": "Dinas!"}


def test_an_unknown_time_zone_is_refused_word_for_word() -> None:
    error = refused(lambda: Agency("dinas", "Dinas", OFFICE, "lapor", time_zone="UTC"))
    assert type(error) is ValidationError
    assert str(error) == (
        "invalid agency time zone 'UTC'; expected one of "
        "('Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura')"
    )
    assert dict(error.fields) == {"value": "UTC", "zones": TIME_ZONES}


@pytest.mark.parametrize("name", ["  ", "", 7], ids=["blank", "empty", "not a str"])
def test_an_agency_without_a_name_is_refused_word_for_word(name: object) -> None:
    error = refused(lambda: Agency("dinas", name, OFFICE, "lapor"))  # type: ignore[arg-type]
    assert type(error) is ValidationError
    assert str(error) == "agency 'dinas' needs a name"
    assert error.template == "agency {agency_id!r} needs a name"
    assert dict(error.fields) == {"agency_id": "dinas"}


def test_agency_config_of_an_agency_keeps_every_field() -> None:
    agency = Agency(
        "dinas",
        "Dinas",
        OFFICE,
        "kaltim",
        RegionCode("64.72"),
        time_zone="Asia/Makassar",
        has_decree=False,
    )
    config = AgencyConfig.of(agency)
    assert config == AgencyConfig(
        id="dinas",
        name="Dinas",
        kind=OFFICE,
        parent="kaltim",
        region="64.72",
        time_zone="Asia/Makassar",
        has_decree=False,
    )
    assert config.to_agency() == agency


def test_agency_config_of_an_agency_without_a_region_has_none() -> None:
    assert AgencyConfig.of(LAPOR) == AgencyConfig(id="lapor", name="LAPOR!", kind=NATIONAL)


# ------------------------------------------------------------------------ the tree's refusals


def test_a_duplicate_agency_id_is_refused_word_for_word() -> None:
    error = refused(lambda: AgencyRegistry([LAPOR, LAPOR]))
    assert type(error) is ValidationError
    assert str(error) == "duplicate agency id 'lapor'"
    assert dict(error.fields) == {"agency_id": "lapor"}


def test_two_roots_are_refused_word_for_word() -> None:
    other = Agency("other", "Other", NATIONAL)
    error = refused(lambda: AgencyRegistry([LAPOR, other]))
    assert type(error) is ValidationError
    assert str(error) == (
        "the agency tree needs exactly one root, of kind 'national'; found ['lapor', 'other']"
    )
    assert dict(error.fields) == {"value": ["lapor", "other"]}


def test_an_unknown_parent_is_refused_word_for_word() -> None:
    error = refused(lambda: AgencyRegistry([LAPOR, Agency("dinas", "Dinas", OFFICE, "nope")]))
    assert type(error) is ValidationError
    assert str(error) == "agency 'dinas' names unknown parent 'nope'"
    assert dict(error.fields) == {"agency_id": "dinas", "parent": "nope"}


def test_a_national_agency_below_the_root_is_refused_word_for_word() -> None:
    error = refused(lambda: AgencyRegistry([LAPOR, Agency("second", "Second", NATIONAL, "lapor")]))
    assert type(error) is ValidationError
    assert str(error) == "agency 'second': only the root may be national"
    assert dict(error.fields) == {"agency_id": "second"}


def test_a_cycle_is_refused_word_for_word() -> None:
    first = Agency("a", "A", OFFICE, "b")
    second = Agency("b", "B", OFFICE, "a")
    error = refused(lambda: AgencyRegistry([LAPOR, first, second]))
    assert type(error) is ValidationError
    assert str(error) == "agency tree has a cycle through 'a'"
    assert dict(error.fields) == {"node": "a"}


# ------------------------------------------------------------------------ the tree's lookups


def test_get_of_an_unknown_id_is_refused_word_for_word() -> None:
    error = refused(lambda: _tree().get("nope"))
    assert type(error) is NotFound
    assert str(error) == "no agency with id 'nope' in the registry"
    assert dict(error.fields) == {"agency_id": "nope"}


def test_is_within_of_an_unknown_id_is_refused_word_for_word() -> None:
    error = refused(lambda: _tree().is_within("nope", "lapor"))
    assert type(error) is NotFound
    assert str(error) == "no agency with id 'nope' in the registry"
    assert dict(error.fields) == {"agency_id": "nope"}


def test_top_level_of_the_root_is_refused_word_for_word() -> None:
    error = refused(lambda: _tree().top_level("lapor"))
    assert type(error) is ValidationError
    assert str(error) == "agency 'lapor' is not inside any K/L/D"
    assert error.template == "agency {agency_id!r} is not inside any K/L/D"
    assert dict(error.fields) == {"agency_id": "lapor"}


def test_children_are_in_id_order() -> None:
    assert _tree().children("samarinda") == (AN_OFFICE, DISHUB, SAMARINDA_INSPECTORATE)
    assert _tree().children("samarinda.dishub") == ()


def test_subtree_is_depth_first_in_id_order() -> None:
    assert _tree().subtree("kaltim") == (
        KALTIM,
        KALTIM_INSPECTORATE,
        SAMARINDA,
        AN_OFFICE,
        DISHUB,
        SAMARINDA_INSPECTORATE,
    )


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("64.72", SAMARINDA),
        ("64.72.01", SAMARINDA),
        ("64.72.01.1001", SAMARINDA),
        ("64", KALTIM),
        ("64.71", KALTIM),
        ("63", None),
        ("63.72", None),
    ],
)
def test_local_government_is_the_most_specific_province_regency_or_city(
    code: str, expected: Agency | None
) -> None:
    assert _tree().local_government(RegionCode(code)) == expected


def test_local_government_with_two_governments_of_one_code_is_the_first_by_id() -> None:
    first = Agency("kota-a", "Kota A", CITY, "kaltim", RegionCode("64.72"))
    second = Agency("kota-b", "Kota B", CITY, "kaltim", RegionCode("64.72"))
    registry = AgencyRegistry([second, first, KALTIM, LAPOR])
    assert registry.local_government(RegionCode("64.72")) == first


@pytest.mark.parametrize(
    ("agency_id", "expected"),
    [
        ("samarinda.dishub", SAMARINDA_INSPECTORATE),
        ("samarinda.inspektorat", KALTIM_INSPECTORATE),
        ("samarinda", KALTIM_INSPECTORATE),
        ("kaltim", None),
        ("lapor", None),
    ],
)
def test_inspectorate_for_is_the_nearest_other_inspectorate(
    agency_id: str, expected: Agency | None
) -> None:
    assert _tree().inspectorate_for(agency_id) == expected


# ------------------------------------------------------------------------ from_toml


def test_invalid_toml_is_refused_with_the_parser_reason() -> None:
    error = refused(lambda: AgencyRegistry.from_toml("x = "))
    assert type(error) is ProfileError
    assert str(error) == "agency registry is not valid TOML: Invalid value (at end of document)"
    assert error.template == "agency registry is not valid TOML: {reason}"
    assert dict(error.fields) == {"reason": "Invalid value (at end of document)"}


def test_a_file_naming_a_parent_without_one_is_refused_word_for_word() -> None:
    error = refused(lambda: AgencyRegistry.from_toml('[registry]\nparent = "kaltim"\n'))
    assert type(error) is ProfileError
    assert str(error) == (
        "registry.parent: the registry extends 'kaltim'; load it with load_registry, or pass "
        "the parent registry"
    )
    assert error.key == "registry.parent"
    assert dict(error.fields) == {"parent": "kaltim"}


def test_a_child_file_is_held_to_the_province_of_its_parent_registry() -> None:
    text = (
        '[registry]\nparent = "kaltim"\n'
        '[[agency]]\nid = "kota-x"\nname = "Kota X"\nkind = "city"\nparent = "kaltim"\n'
        'region = "63.72"\n'
    )
    error = refused(lambda: AgencyRegistry.from_toml(text, parent=REGISTRY))
    assert type(error) is ProfileError
    assert error.problems == (
        (
            "agency[0].region: city 'kota-x' has 63.72, which is not under the code 64 of its "
            "province 'kaltim'"
        ),
    )


def test_from_records_holds_the_records_to_the_region_list() -> None:
    records = [
        {"id": "lapor", "name": "LAPOR!", "kind": "national"},
        {
            "id": "kota",
            "name": "Pemerintah Kota Samarinda",
            "kind": "city",
            "parent": "lapor",
            "region": "64.71",
        },
    ]
    error = refused(lambda: AgencyRegistry.from_records(records, REGIONS))
    assert type(error) is ProfileError
    assert error.problems == (
        (
            "agency[1].region: 'kota' is named 'Pemerintah Kota Samarinda', but Kemendagri's list "
            "gives Kota Samarinda (64.72), not 64.71"
        ),
    )


# ------------------------------------------------------------------------ region_problems


def test_region_problems_keep_their_templates_and_fields() -> None:
    table = AgencyConfig(id="kota", name="Kota", kind=CITY, parent="lapor", region="64")
    (problem,) = region_problems([table])
    assert type(problem) is ProfileError
    assert str(problem) == (
        "agency[0].region: city 'kota' has 64, which is not a regency or city code (such as 64.72)"
    )
    assert problem.key == "agency[0].region"
    assert problem.template == (
        "{what} {agency!r} has {code}, which is not a regency or city code (such as 64.72)"
    )
    assert dict(problem.fields) == {"what": "city", "agency": "kota", "code": "64"}


def test_a_name_naming_two_regions_lists_both_in_the_problem() -> None:
    table = _office("Dinas Kota Samarinda dan Kota Balikpapan", "63")
    assert [str(p) for p in region_problems([table], REGIONS)] == [
        (
            "agency[0].region: 'dinas' is named 'Dinas Kota Samarinda dan Kota Balikpapan', but "
            "Kemendagri's list gives Kota Balikpapan (64.71), Kota Samarinda (64.72), not 63"
        )
    ]


@pytest.mark.parametrize(
    "region", ["64.72.01", "64"], ids=["inside the named city", "around the named city"]
)
def test_a_code_inside_or_around_the_named_region_is_accepted(region: str) -> None:
    assert region_problems([_office("Dinas Kota Samarinda", region)], REGIONS) == ()


def test_a_district_code_inside_a_listed_province_need_not_be_listed() -> None:
    assert region_problems([_office("Dinas", "64.99.01")], REGIONS) == ()


def test_an_unlisted_regency_code_inside_a_listed_province_is_a_problem() -> None:
    assert [str(p) for p in region_problems([_office("Dinas", "64.99")], REGIONS)] == [
        "agency[0].region: 64.99 is not a code of Provinsi Kalimantan Timur in Kemendagri's list"
    ]


def test_a_parent_cycle_without_a_province_finds_no_province_above() -> None:
    tables = [
        AgencyConfig(id="kota", name="Kota", kind=CITY, parent="a", region="63.72"),
        AgencyConfig(id="a", name="A", kind=OFFICE, parent="b"),
        AgencyConfig(id="b", name="B", kind=OFFICE, parent="a"),
    ]
    assert region_problems(tables) == ()
