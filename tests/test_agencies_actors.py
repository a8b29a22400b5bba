"""Tests for the agency registry, actors and their scoping, and the public view."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from helpers import REGISTRY, Story, drive, submit_command
from lapor_core import (
    Actor,
    AgencyRegistry,
    Forward,
    NotFound,
    PermissionDenied,
    Privacy,
    ProfileError,
    RegionCode,
    Role,
    Status,
    TrackingId,
    ValidationError,
    make_agency_actor,
)
from lapor_core.domain.agencies import Agency, AgencyKind
from lapor_core.domain.model import ExternalIds
from lapor_core.domain.privacy import public_view

ROOT = Agency(id="lapor", name="Admin Nasional", kind=AgencyKind.NATIONAL)


def _agency(agency_id: str, parent: str | None, kind: AgencyKind = AgencyKind.OFFICE) -> Agency:
    return Agency(id=agency_id, name=agency_id.upper(), kind=kind, parent=parent)


# --------------------------------------------------------------------------- validation


def test_a_valid_tree_builds_whatever_the_order() -> None:
    registry = AgencyRegistry(
        [_agency("kota.dinas", "kota"), _agency("kota", "lapor", AgencyKind.CITY), ROOT]
    )
    assert 3 == len(registry)
    assert "lapor" == registry.root.id
    assert ["kota", "kota.dinas", "lapor"] == [a.id for a in registry]


def test_registry_without_root_is_refused() -> None:
    with pytest.raises(ValidationError, match="exactly one root"):
        AgencyRegistry([_agency("a", "b"), _agency("b", "a")])


def test_registry_with_two_roots_is_refused() -> None:
    other = Agency(id="lapor2", name="Kedua", kind=AgencyKind.NATIONAL)
    with pytest.raises(ValidationError, match="exactly one root"):
        AgencyRegistry([ROOT, other])


def test_registry_root_must_be_national() -> None:
    with pytest.raises(ValidationError, match="of kind 'national'"):
        AgencyRegistry([_agency("kota", None, AgencyKind.CITY)])


def test_registry_with_unknown_parent_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown parent 'nowhere'"):
        AgencyRegistry([ROOT, _agency("a", "nowhere")])


def test_registry_with_a_cycle_is_refused() -> None:
    with pytest.raises(ValidationError, match="cycle"):
        AgencyRegistry([ROOT, _agency("a", "b"), _agency("b", "a")])


def test_registry_with_a_duplicate_id_is_refused() -> None:
    with pytest.raises(ValidationError, match="duplicate agency id 'a'"):
        AgencyRegistry([ROOT, _agency("a", "lapor"), _agency("a", "lapor")])


def test_only_the_root_may_be_national() -> None:
    second = Agency(id="lapor2", name="Kedua", kind=AgencyKind.NATIONAL, parent="lapor")
    with pytest.raises(ValidationError, match="only the root may be national"):
        AgencyRegistry([ROOT, second])


@pytest.mark.parametrize("bad_id", ["", "Kota", "-x", "a b", "a/b"])
def test_agency_ids_are_lowercase_slugs(bad_id: str) -> None:
    with pytest.raises(ValidationError, match="invalid agency id"):
        _agency(bad_id, "lapor")


def test_agency_time_zone_is_one_of_indonesias_three() -> None:
    with pytest.raises(ValidationError, match="time zone"):
        Agency(id="a", name="A", kind=AgencyKind.CITY, parent="lapor", time_zone="Asia/Tokyo")


# --------------------------------------------------------------------------- from_toml

_TOML_HEAD = '[[agency]]\nid = "lapor"\nname = "Nasional"\nkind = "national"\n'


def test_from_toml_reads_the_fields() -> None:
    text = _TOML_HEAD + (
        '[[agency]]\nid = "kota"\nname = "Kota"\nkind = "city"\nparent = "lapor"\n'
        'region = "64.72"\ntime_zone = "Asia/Makassar"\nhas_decree = false\n'
    )
    kota = AgencyRegistry.from_toml(text).get("kota")
    expected = Agency(
        id="kota",
        name="Kota",
        kind=AgencyKind.CITY,
        parent="lapor",
        region=RegionCode("64.72"),
        time_zone="Asia/Makassar",
        has_decree=False,
    )
    assert expected == kota


def test_from_toml_unknown_key_names_the_table_and_key() -> None:
    text = _TOML_HEAD + '[[agency]]\nid = "a"\nname = "A"\nkind = "office"\ncolour = "red"\n'
    with pytest.raises(ProfileError, match=r"agency\[1\]\.colour: unknown key"):
        AgencyRegistry.from_toml(text)


def test_from_toml_missing_key_names_the_table_and_key() -> None:
    text = _TOML_HEAD + '[[agency]]\nid = "a"\nname = "A"\nparent = "lapor"\n'
    with pytest.raises(ProfileError, match=r"agency\[1\]\.kind: missing"):
        AgencyRegistry.from_toml(text)


@pytest.mark.parametrize(
    "line", ['kind = "desa"', 'region = "64.7"', 'time_zone = "UTC"', 'has_decree = "ya"']
)
def test_from_toml_bad_value_names_the_table(line: str) -> None:
    text = (
        _TOML_HEAD
        + f'[[agency]]\nid = "a"\nname = "A"\nkind = "office"\nparent = "lapor"\n{line}\n'
    )
    if line.startswith("kind"):
        text = text.replace('kind = "office"\n', "")
    with pytest.raises(ProfileError, match=r"agency\[1\]"):
        AgencyRegistry.from_toml(text)


def test_from_toml_refuses_invalid_toml() -> None:
    with pytest.raises(ProfileError, match="not valid TOML"):
        AgencyRegistry.from_toml("[[agency]\n")


def test_from_toml_with_an_invalid_tree_raises_validation_error() -> None:
    text = _TOML_HEAD + '[[agency]]\nid = "a"\nname = "A"\nkind = "office"\nparent = "zz"\n'
    with pytest.raises(ValidationError, match="unknown parent"):
        AgencyRegistry.from_toml(text)


# --------------------------------------------------------------------------- queries


def test_bundled_kaltim_registry_has_its_root_and_time_zone() -> None:
    assert "lapor" == REGISTRY.root.id
    assert "Asia/Makassar" == REGISTRY.get("samarinda").time_zone
    assert RegionCode("64.72") == REGISTRY.get("samarinda").region


def test_is_within_includes_self_and_descendants_only() -> None:
    assert REGISTRY.is_within("samarinda.dishub.penghubung", "samarinda")
    assert REGISTRY.is_within("samarinda", "samarinda")
    assert REGISTRY.is_within("samarinda", "lapor")
    assert not REGISTRY.is_within("samarinda", "samarinda.dishub")
    assert not REGISTRY.is_within("balikpapan", "samarinda")


def test_unknown_agency_is_not_found() -> None:
    with pytest.raises(NotFound, match="nowhere"):
        REGISTRY.get("nowhere")
    with pytest.raises(NotFound, match="nowhere"):
        REGISTRY.is_within("nowhere", "lapor")
    assert "nowhere" not in REGISTRY
    assert "samarinda" in REGISTRY


def test_subtree_is_depth_first_and_starts_with_the_agency() -> None:
    expected = [
        "samarinda",
        "samarinda.dishub",
        "samarinda.dishub.penghubung",
        "samarinda.dpmptsp",
        "samarinda.inspektorat",
    ]
    assert expected == [a.id for a in REGISTRY.subtree("samarinda")]


def test_ancestors_go_up_to_the_root_nearest_first() -> None:
    expected = ["samarinda.dishub", "samarinda", "kaltim", "lapor"]
    assert expected == [a.id for a in REGISTRY.ancestors("samarinda.dishub.penghubung")]
    assert () == REGISTRY.ancestors("lapor")


def test_children_are_direct_only() -> None:
    expected = ["kaltim.pupr.jalan"]
    assert expected == [a.id for a in REGISTRY.children("kaltim.pupr")]


@pytest.mark.parametrize(
    ("agency", "top"),
    [
        ("samarinda.dishub.penghubung", "samarinda"),
        ("samarinda", "samarinda"),
        ("kaltim.pupr.jalan", "kaltim"),
        ("kemenkes", "kemenkes"),
    ],
)
def test_top_level_is_the_enclosing_kld(agency: str, top: str) -> None:
    assert top == REGISTRY.top_level(agency).id


def test_root_has_no_top_level() -> None:
    with pytest.raises(ValidationError, match="not inside any K/L/D"):
        REGISTRY.top_level("lapor")


@pytest.mark.parametrize(
    ("agency", "inspectorate"),
    [
        ("samarinda.dishub", "samarinda.inspektorat"),
        ("samarinda.dishub.penghubung", "samarinda.inspektorat"),
        ("samarinda", "kaltim.inspektorat"),
        ("samarinda.inspektorat", "kaltim.inspektorat"),
        ("kaltim.pupr.jalan", "kaltim.inspektorat"),
        ("kaltim", None),
        ("kemenkes", None),
    ],
)
def test_inspectorate_for_is_the_nearest_other_inspectorate(
    agency: str, inspectorate: str | None
) -> None:
    found = REGISTRY.inspectorate_for(agency)
    assert inspectorate == (found.id if found else None)


# --------------------------------------------------------------------------- actors


def test_make_agency_actor_builds_a_scoped_actor() -> None:
    actor = make_agency_actor(REGISTRY, "admin-1", Role.AGENCY_ADMIN, "samarinda")
    assert Actor("admin-1", Role.AGENCY_ADMIN, "samarinda") == actor


def test_make_agency_actor_refuses_an_agency_without_decree() -> None:
    assert not REGISTRY.get("ppu").has_decree
    with pytest.raises(PermissionDenied, match="no decree"):
        make_agency_actor(REGISTRY, "admin-ppu", Role.AGENCY_ADMIN, "ppu")


def test_make_agency_actor_refuses_a_non_agency_role() -> None:
    with pytest.raises(ValidationError, match="not an agency role"):
        make_agency_actor(REGISTRY, "x", Role.NATIONAL_ADMIN, "samarinda")


def test_make_agency_actor_refuses_an_unknown_agency() -> None:
    with pytest.raises(NotFound):
        make_agency_actor(REGISTRY, "x", Role.AGENCY_ADMIN, "nowhere")


@pytest.mark.parametrize("role", [Role.AGENCY_ADMIN, Role.UNIT_ADMIN, Role.LIAISON_OFFICER])
def test_agency_roles_must_name_their_agency(role: Role) -> None:
    assert role.is_agency_role
    with pytest.raises(ValidationError, match="must name its agency"):
        Actor("x", role)


def test_reporter_does_not_belong_to_an_agency() -> None:
    with pytest.raises(ValidationError, match="does not belong to an agency"):
        Actor("x", Role.REPORTER, "samarinda")


def test_actor_constructors() -> None:
    assert Actor("p", Role.REPORTER) == Actor.reporter("p")
    assert Actor("n", Role.NATIONAL_ADMIN) == Actor.national_admin("n")
    assert Actor("sweeper", Role.SYSTEM) == Actor.system()
    assert not Role.NATIONAL_ADMIN.is_agency_role


@pytest.mark.parametrize(
    ("build", "role"),
    [
        (Actor.agency_admin, Role.AGENCY_ADMIN),
        (Actor.unit_admin, Role.UNIT_ADMIN),
        (Actor.liaison_officer, Role.LIAISON_OFFICER),
    ],
)
def test_agency_actors_have_constructors_named_by_role(
    build: Callable[[str, str], Actor], role: Role
) -> None:
    assert Actor("a-1", role, "samarinda") == build("a-1", "samarinda")
    assert make_agency_actor(REGISTRY, "a-1", role, "samarinda") == build("a-1", "samarinda")


@pytest.mark.parametrize("role", [Role.AGENCY_ADMIN, Role.UNIT_ADMIN, Role.LIAISON_OFFICER])
def test_actor_agency_builds_an_actor_of_any_agency_role(role: Role) -> None:
    actor = Actor.agency("a-1", role, "samarinda")
    assert (actor.id, actor.role, actor.agency_id) == ("a-1", role, "samarinda")
    assert make_agency_actor(REGISTRY, "a-1", role, "samarinda") == actor


@pytest.mark.parametrize("role", [r for r in Role if not r.is_agency_role])
def test_actor_agency_refuses_a_role_outside_an_agency_and_lists_the_agency_roles(
    role: Role,
) -> None:
    with pytest.raises(ValidationError, match="agency_admin, unit_admin, liaison_officer"):
        Actor.agency("a-1", role, "samarinda")


def test_actor_agency_refuses_a_role_given_as_text() -> None:
    with pytest.raises(ValidationError, match="not an agency role"):
        Actor.agency("a-1", "agency_admin", "samarinda")  # type: ignore[arg-type]


def test_an_actor_built_by_actor_agency_is_checked_when_it_acts() -> None:
    story = drive(Status.SUBMITTED)
    forward = Forward(complaint_id=story.state.id, agencies=("samarinda",))
    with pytest.raises(PermissionDenied, match="no decree"):
        story.do(Actor.agency("a-1", Role.AGENCY_ADMIN, "ppu"), forward)
    story.do(Actor.agency("a-1", Role.AGENCY_ADMIN, "kaltim"), forward)
    assert Status.FORWARDED is story.state.status


def test_an_agency_actor_built_without_the_registry_is_checked_when_it_acts() -> None:
    story = drive(Status.SUBMITTED)
    forward = Forward(complaint_id=story.state.id, agencies=("samarinda",))
    for agency, reason in (("ppu", "no decree"), ("nowhere", "not an agency of the registry")):
        with pytest.raises(PermissionDenied, match=reason):
            story.do(Actor.agency_admin("a-1", agency), forward)
    assert Status.SUBMITTED is story.state.status


def test_actor_empty_id_is_a_validation_error() -> None:
    with pytest.raises(ValidationError):
        Actor("", Role.REPORTER)


# --------------------------------------------------------------------------- public view


def test_public_view_shows_everything_of_a_public_complaint() -> None:
    complaint = drive(Status.FORWARDED).state
    view = public_view(complaint)
    assert complaint.reporter.name == view.reporter_name
    assert complaint.content.title == view.title
    assert complaint.content.body == view.body
    assert ("samarinda",) == view.agencies
    assert Status.FORWARDED == view.status
    assert complaint.submitted_at == view.submitted_at


def test_public_view_hides_the_reporter_of_an_anonim_complaint() -> None:
    story = Story()
    story.do(Actor.reporter("pelapor-1"), submit_command(privacy=Privacy(anonymous=True)))
    view = public_view(story.state)
    assert view.reporter_name is None
    assert story.state.reporter.name not in repr(view)
    assert story.state.content.title == view.title


def test_public_view_hides_title_and_body_of_a_rahasia_complaint() -> None:
    story = Story()
    story.do(Actor.reporter("pelapor-1"), submit_command(privacy=Privacy(confidential=True)))
    view = public_view(story.state)
    assert (None, None) == (view.title, view.body)
    assert story.state.content.body not in repr(view)
    assert story.state.reporter.name == view.reporter_name


def test_public_view_carries_the_tracking_id() -> None:
    story = Story()
    story.do(
        Actor.reporter("pelapor-1"),
        submit_command(external_ids=ExternalIds(sp4n_tracking_id=TrackingId("LAPOR-42"))),
    )
    assert TrackingId("LAPOR-42") == public_view(story.state).tracking_id
