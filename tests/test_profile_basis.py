"""A child profile that changes a value cannot keep its parent's basis for it."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from lapor_core import Profile, load_profile
from lapor_core.cli import main
from lapor_core.domain.check import check
from lapor_core.domain.model import Confidence
from lapor_core.domain.profile_merge import BASIS_NOT_GIVEN

NATIONAL = load_profile("national")


def _child(body: str) -> Profile:
    head = '[profile]\nname = "berau"\nparent = "national"\n'
    return Profile.from_mapping(tomllib.loads(head + body), parent=NATIONAL)


def _basis(profile: Profile, key: str) -> tuple[str, Confidence]:
    [basis] = [basis for name, _value, basis in profile.rules() if name == key]
    return basis.source, basis.confidence


def test_a_changed_number_without_a_basis_is_a_local_choice() -> None:
    child = _child("[durations.follow_up]\namount = 3\n")
    source, confidence = _basis(child, "durations.follow_up")
    parent_source, parent_confidence = _basis(NATIONAL, "durations.follow_up")
    assert parent_confidence is Confidence.CONFIRMED
    assert source.startswith(BASIS_NOT_GIVEN)
    assert "changed: amount" in source
    assert parent_source in source  # what the parent said, for the reader to compare
    assert confidence is Confidence.LOCAL
    assert 3 == child.durations["follow_up"].amount


def test_check_warns_about_it_and_still_passes() -> None:
    report = check(_child("[durations.follow_up]\namount = 3\n"))
    assert report.ok
    assert ["durations.follow_up.basis"] == [warning.key for warning in report.warnings]
    rendered = report.render()
    assert "ok, no problems" in rendered
    assert "warning: durations.follow_up.basis: changed from the parent's value" in rendered
    assert check(NATIONAL).warnings == ()


def test_a_changed_value_with_its_own_basis_keeps_it() -> None:
    child = _child(
        '[durations.follow_up]\namount = 3\nbasis = "Perbup Berau 12/2025"\nconfidence = "C"\n'
    )
    assert ("Perbup Berau 12/2025", Confidence.CONFIRMED) == _basis(child, "durations.follow_up")
    assert check(child).warnings == ()


def test_restating_the_parent_s_value_keeps_the_parent_s_basis() -> None:
    child = _child('[durations.follow_up]\namount = 5\nunit = "working_days"\n')
    assert _basis(NATIONAL, "durations.follow_up") == _basis(child, "durations.follow_up")


def test_an_option_changed_without_a_basis_is_marked_too() -> None:
    child = _child("[options.reopen]\nenabled = true\n")
    source, confidence = _basis(child, "options.reopen.enabled")
    assert source.startswith(BASIS_NOT_GIVEN)
    assert confidence is Confidence.LOCAL


def test_the_bundled_child_profile_cites_its_own_bases() -> None:
    assert check(load_profile("kaltim")).warnings == ()


def test_cli_check_prints_the_warning_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "berau.toml"
    path.write_text(
        '[profile]\nname = "berau"\nparent = "kaltim"\n\n[durations.follow_up]\namount = 3\n',
        encoding="utf-8",
    )
    assert 0 == main(["check", str(path), "--lang", "id"])
    out = capsys.readouterr().out
    assert "peringatan: durations.follow_up.basis: diubah dari nilai induk" in out


def test_a_category_may_cite_its_basis() -> None:
    child = _child(
        '[categories.air-bersih]\nservice_standard = "follow_up"\nname = "Air bersih"\n'
        'basis = "Perbup Berau 3/2024 standar pelayanan air"\nconfidence = "C"\n'
    )
    assert ("Perbup Berau 3/2024 standar pelayanan air", Confidence.CONFIRMED) == _basis(
        child, "categories.air-bersih"
    )
    assert check(child).ok


def test_a_category_without_a_basis_is_a_local_choice() -> None:
    codes = {name for name, _value, _basis in NATIONAL.rules() if name.startswith("categories.")}
    assert {f"categories.{code}" for code in NATIONAL.service_standards} == codes
    source, confidence = _basis(NATIONAL, f"categories.{min(NATIONAL.service_standards)}")
    assert confidence is Confidence.LOCAL
    assert "category list is not published" in source
