"""
What `lapor_core.domain.actors` answers and refuses, word for word (its mutation run).

Each refusal of :class:`Actor` and :func:`make_agency_actor` is checked whole: its type,
its message and its fields; and the public actor's default name and role, so that every
change ``bench/mutation.py actors`` makes to them fails a test here.
"""

from __future__ import annotations

import pytest

from helpers import REGISTRY, refused
from lapor_core import Actor, PermissionDenied, Role, ValidationError, make_agency_actor


@pytest.mark.parametrize("role", [Role.AGENCY_ADMIN, Role.UNIT_ADMIN, Role.LIAISON_OFFICER])
def test_an_agency_actor_without_an_agency_is_refused_word_for_word(role: Role) -> None:
    error = refused(lambda: Actor("petugas", role))
    assert type(error) is ValidationError
    assert str(error) == f"a {role.value} actor must name its agency"
    assert error.template == "a {role} actor must name its agency"
    assert dict(error.fields) == {"role": role.value}


@pytest.mark.parametrize("role", [Role.REPORTER, Role.PUBLIC])
def test_a_reporter_or_the_public_with_an_agency_is_refused_word_for_word(role: Role) -> None:
    error = refused(lambda: Actor("orang", role, "samarinda"))
    assert type(error) is ValidationError
    assert str(error) == f"a {role.value} actor does not belong to an agency"
    assert error.template == "a {role} actor does not belong to an agency"
    assert dict(error.fields) == {"role": role.value}


def test_actor_agency_with_a_role_outside_an_agency_is_refused_word_for_word() -> None:
    error = refused(lambda: Actor.agency("admin", Role.NATIONAL_ADMIN, "samarinda"))
    assert type(error) is ValidationError
    assert str(error) == (
        "<Role.NATIONAL_ADMIN: 'national_admin'> is not an agency role "
        "(one of: agency_admin, unit_admin, liaison_officer)"
    )
    assert dict(error.fields) == {
        "role": Role.NATIONAL_ADMIN,
        "choices": "agency_admin, unit_admin, liaison_officer",
    }


def test_make_agency_actor_with_a_role_outside_an_agency_is_refused_word_for_word() -> None:
    error = refused(lambda: make_agency_actor(REGISTRY, "admin", Role.SYSTEM, "samarinda"))
    assert type(error) is ValidationError
    assert str(error) == "system is not an agency role"
    assert dict(error.fields) == {"role": "system"}


def test_make_agency_actor_for_an_agency_without_decree_is_refused_word_for_word() -> None:
    assert not REGISTRY.get("ppu").has_decree
    error = refused(lambda: make_agency_actor(REGISTRY, "admin", Role.AGENCY_ADMIN, "ppu"))
    assert type(error) is PermissionDenied
    assert str(error) == (
        "agency 'ppu' has no decree (SK) appointing its complaint team; "
        "it cannot be given admin accounts"
    )
    assert dict(error.fields) == {"agency_id": "ppu"}


def test_the_public_actor_is_named_publik_by_default() -> None:
    assert Actor.public() == Actor("publik", Role.PUBLIC, None)


def test_the_public_actor_takes_the_name_given() -> None:
    actor = Actor.public("pembaca")
    assert (actor.id, actor.role, actor.agency_id) == ("pembaca", Role.PUBLIC, None)


def test_make_agency_actor_refuses_a_role_given_as_text() -> None:
    error = refused(lambda: make_agency_actor(REGISTRY, "a", "agency_admin", "samarinda"))  # type: ignore[arg-type]
    assert type(error) is ValidationError
    assert str(error) == "role must be Role, got str 'agency_admin'"
    assert dict(error.fields) == {
        "attr_name": "role",
        "names": "Role",
        "type_name": "str",
        "value": "agency_admin",
    }
