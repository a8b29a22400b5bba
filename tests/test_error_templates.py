"""Error messages as English templates with named fields, translated through the catalogs."""

from __future__ import annotations

import pickle

import pytest

from helpers import Story, drive
from lapor_core import Actor, Forward, LaporError, PermissionDenied, Role, Status, ValidationError
from lapor_core.domain.check import CheckProblem
from lapor_core.errors import N_
from lapor_core.i18n import translator


def test_a_template_with_fields_reads_in_english_and_keeps_its_parts() -> None:
    error = PermissionDenied(N_("agency {agency_id!r} is not inside any K/L/D"), agency_id="x")
    assert "agency 'x' is not inside any K/L/D" == str(error)
    assert "agency {agency_id!r} is not inside any K/L/D" == error.template
    assert {"agency_id": "x"} == error.fields


def test_translate_gives_the_catalogs_text_with_the_fields_filled_in() -> None:
    error = PermissionDenied(N_("agency {agency_id!r} is not inside any K/L/D"), agency_id="x")
    assert "instansi 'x' tidak berada di dalam K/L/D mana pun" == error.translate(translator("id"))
    assert str(error) == error.translate(translator("en"))


def test_a_message_the_catalogs_do_not_hold_stays_in_english() -> None:
    error = ValidationError("something only this caller says: {not a field}")
    assert str(error) == error.translate(translator("id"))
    several = LaporError("one", "two")
    assert several.template is None
    assert str(several) == several.translate(translator("id"))


def test_a_translation_that_does_not_fit_the_fields_falls_back_to_english() -> None:
    error = ValidationError(N_("no labels {missing}"), missing="x")
    assert "no labels x" == error.translate(lambda _message: "tanpa {lain}")


def test_fields_need_one_template() -> None:
    with pytest.raises(TypeError, match="one template"):
        LaporError("a", "b", field=1)


def test_a_pickled_error_keeps_its_english_message() -> None:
    error = PermissionDenied(N_("agency {agency_id!r} is not inside any K/L/D"), agency_id="x")
    assert str(error) == str(pickle.loads(pickle.dumps(error)))  # noqa: S301 - our own bytes


def test_the_domains_refusals_are_translated() -> None:
    story: Story = drive(Status.SUBMITTED)
    province = Actor.agency("adm", Role.AGENCY_ADMIN, "kaltim")
    with pytest.raises(PermissionDenied) as refused:
        story.do(province, Forward(complaint_id=story.state.id, agencies=("kemenkes",)))
    english = str(refused.value)
    indonesian = refused.value.translate(translator("id"))
    assert "may forward only to units below it" in english
    assert "hanya boleh meneruskan ke unit di bawahnya" in indonesian
    assert "'kaltim'" in indonesian
    assert "'kemenkes'" in indonesian


def test_a_check_problem_translates_its_message_and_keeps_its_key() -> None:
    problem = CheckProblem.of("options.rating.scale", N_("must be positive, got {value}"), value=0)
    assert "options.rating.scale: must be positive, got 0" == str(problem)
    assert "options.rating.scale: harus positif, diterima 0" == problem.translate(translator("id"))
    assert CheckProblem("options.rating.scale", "must be positive, got 0") == problem
    parsed = CheckProblem.parse("durations.x.amount: must be positive, got 0")
    assert str(parsed) == parsed.translate(translator("id"))
