"""
Who may act on a complaint: each refusal of ``lapor_core.domain.scope`` word for word.

The decision tests check that out-of-scope actors are refused; these pin each refusal's
whole message and fields and the edges of the misconduct rule, so that mutation testing
of ``lapor_core.domain.scope`` (``bench/mutation.py scope``) finds a test for each change.
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from helpers import (
    AWAY,
    CID,
    CTX,
    HOME,
    NATIONAL,
    PROFILE,
    STRANGER,
    agency_actor,
    drive,
    refused,
)
from lapor_core import (
    Actor,
    Complaint,
    InvalidTransition,
    PermissionDenied,
    Role,
    Status,
    ValidationError,
)
from lapor_core.domain.agencies import Agency, AgencyKind, AgencyRegistry
from lapor_core.domain.context import Context
from lapor_core.domain.scope import (
    in_accused_line,
    no_decree_error,
    require_agency_actor,
    require_assignment,
    require_decree,
    require_scope,
)
from lapor_core.i18n import translator

HOME_ADMIN = agency_actor(Role.AGENCY_ADMIN, HOME)
PROVINCE_ADMIN = agency_actor(Role.AGENCY_ADMIN, "kaltim")
AWAY_ADMIN = agency_actor(Role.AGENCY_ADMIN, AWAY)
INSPECTORATE = agency_actor(Role.AGENCY_ADMIN, "samarinda.inspektorat")
MISCONDUCT: dict[str, Any] = {"misconduct": True, "subject_agency": "samarinda.dishub"}


def _misconduct_report() -> Complaint:
    complaint = drive(Status.SUBMITTED, **MISCONDUCT).state
    assert complaint.router == "samarinda.inspektorat"
    return complaint


def test_another_reporter_is_refused_word_for_word() -> None:
    error = refused(lambda: require_scope(drive(Status.SUBMITTED).state, STRANGER, CTX))
    assert type(error) is PermissionDenied
    assert str(error) == (
        "reporter 'pelapor-2' acts only on their own complaints; c-1 belongs to another reporter"
    )
    assert dict(error.fields) == {"actor_id": "pelapor-2", "complaint_id": CID}


@pytest.mark.parametrize("actor", [HOME_ADMIN, PROVINCE_ADMIN], ids=["office", "above it"])
def test_the_accused_line_is_refused_word_for_word(actor: Actor) -> None:
    error = refused(lambda: require_scope(_misconduct_report(), actor, CTX))
    assert type(error) is PermissionDenied
    assert str(error) == (
        f"agency_admin {actor.id!r} of {actor.agency_id!r} may not act on complaint c-1: it is "
        "a misconduct report about 'samarinda.dishub', which is that agency or under it; the "
        "inspectorate that holds it and the national admin act on it"
    )
    assert dict(error.fields) == {
        "role": "agency_admin",
        "actor_id": actor.id,
        "agency_id": actor.agency_id,
        "complaint_id": CID,
        "subject_agency": "samarinda.dishub",
    }


def test_the_inspectorate_and_the_national_admin_may_act_on_a_misconduct_report() -> None:
    complaint = _misconduct_report()
    require_scope(complaint, INSPECTORATE, CTX)
    require_scope(complaint, NATIONAL, CTX)
    assert not in_accused_line(complaint, INSPECTORATE, CTX)
    assert not in_accused_line(complaint, NATIONAL, CTX)
    assert in_accused_line(complaint, HOME_ADMIN, CTX)


def test_naming_an_office_without_alleging_misconduct_accuses_nobody() -> None:
    complaint = drive(Status.FORWARDED, subject_agency="samarinda.dishub").state
    assert complaint.subject_agency == "samarinda.dishub"
    assert not complaint.misconduct
    assert not in_accused_line(complaint, HOME_ADMIN, CTX)
    require_scope(complaint, HOME_ADMIN, CTX)


def test_an_office_the_registry_does_not_know_accuses_nobody() -> None:
    complaint = _misconduct_report()
    unknown = attrs.evolve(complaint, info=attrs.evolve(complaint.info, subject_agency="nowhere"))
    assert unknown.subject_agency == "nowhere"
    assert not in_accused_line(unknown, HOME_ADMIN, CTX)
    outsider = Actor("adm-x", Role.AGENCY_ADMIN, "nowhere")
    assert not in_accused_line(complaint, outsider, CTX)


def test_an_assignment_that_does_not_exist_is_refused_word_for_word() -> None:
    error = refused(
        lambda: require_assignment(drive(Status.FORWARDED).state, AWAY, HOME_ADMIN, CTX)
    )
    assert type(error) is InvalidTransition
    assert str(error) == "complaint c-1 is not assigned to agency 'balikpapan'"
    assert dict(error.fields) == {"complaint_id": CID, "agency": AWAY}


def test_an_assignment_handled_elsewhere_is_refused_word_for_word() -> None:
    error = refused(
        lambda: require_assignment(drive(Status.FORWARDED).state, HOME, AWAY_ADMIN, CTX)
    )
    assert type(error) is PermissionDenied
    assert str(error) == (
        "agency_admin 'agency_admin@balikpapan' of 'balikpapan' may not act on the assignment "
        "of 'samarinda' (handled at 'samarinda')"
    )
    assert dict(error.fields) == {
        "role": "agency_admin",
        "actor_id": "agency_admin@balikpapan",
        "agency_id": AWAY,
        "agency": HOME,
        "handler": HOME,
    }


def test_a_forward_to_an_agency_without_a_decree_is_refused_naming_the_nearest() -> None:
    message = (
        "agency 'mahulu' has no decree (SK) appointing its complaint team, so nobody there "
        "can act on a complaint; its nearest ancestor with one is 'kaltim'"
    )
    assert str(no_decree_error(CTX, "mahulu")) == message
    error = refused(lambda: require_decree(CTX, "mahulu"))
    assert type(error) is ValidationError
    assert str(error) == message
    assert dict(error.fields) == {"agency_id": "mahulu", "nearest": "kaltim"}
    assert error.translate(translator("id")).startswith("instansi 'mahulu' ")
    assert require_decree(CTX, HOME) == HOME


def test_a_forward_with_no_decree_below_the_root_says_the_national_admin_keeps_it() -> None:
    registry = AgencyRegistry(
        [
            Agency(id="lapor", name="Admin Nasional", kind=AgencyKind.NATIONAL),
            Agency(
                id="prov",
                name="Provinsi",
                kind=AgencyKind.PROVINCE,
                parent="lapor",
                has_decree=False,
            ),
            Agency(
                id="prov.dinas",
                name="Dinas",
                kind=AgencyKind.OFFICE,
                parent="prov",
                has_decree=False,
            ),
        ]
    )
    ctx = Context.create(PROFILE, registry)
    error = refused(lambda: require_decree(ctx, "prov.dinas"))
    assert type(error) is ValidationError
    assert str(error) == (
        "agency 'prov.dinas' has no decree (SK) appointing its complaint team, so nobody "
        "there can act on a complaint; no ancestor below the national root has one (the "
        "national admin keeps it)"
    )
    assert dict(error.fields) == {"agency_id": "prov.dinas"}
    assert error.translate(translator("id")).endswith("(admin nasional memegangnya)")


@pytest.mark.parametrize(
    ("agency", "message"),
    [
        (
            "mahulu",
            (
                "agency 'mahulu' has no decree (SK) appointing its complaint team; agency_admin "
                "'adm-x' cannot act for it"
            ),
        ),
        (
            "nowhere",
            "agency_admin 'adm-x' belongs to 'nowhere', which is not an agency of the registry",
        ),
    ],
)
def test_an_agency_actor_without_a_decree_or_an_agency_is_refused_word_for_word(
    agency: str, message: str
) -> None:
    error = refused(lambda: require_agency_actor(CTX, Actor("adm-x", Role.AGENCY_ADMIN, agency)))
    assert type(error) is PermissionDenied
    assert str(error) == message
    assert dict(error.fields) == {"role": "agency_admin", "actor_id": "adm-x", "agency_id": agency}
