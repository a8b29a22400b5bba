"""Registries that extend one another: ``[registry] parent = ...`` in a registry file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lapor_core import AgencyRegistry, ProfileError, ValidationError, load_registry
from lapor_core.domain.agencies import AgencyKind

BERAU_OFFICES = """
[registry]
parent = "kaltim"

[[agency]]
id = "berau.dinkes"
name = "Dinas Kesehatan Kabupaten Berau"
kind = "office"
parent = "berau"
region = "64.03"
time_zone = "Asia/Makassar"
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_registry_file_extends_a_bundled_one(tmp_path: Path) -> None:
    kaltim = load_registry("kaltim")
    berau = load_registry(_write(tmp_path, "berau_agencies.toml", BERAU_OFFICES))
    assert len(kaltim) + 1 == len(berau)
    office = berau.get("berau.dinkes")
    assert (office.parent, office.kind) == ("berau", AgencyKind.OFFICE)
    assert berau.is_within("berau.dinkes", "kaltim")
    assert {a.id for a in kaltim} <= {a.id for a in berau}
    assert "berau.dinkes" not in kaltim


def test_a_parent_by_path_is_relative_to_the_file(tmp_path: Path) -> None:
    _write(tmp_path, "berau_agencies.toml", BERAU_OFFICES)
    (tmp_path / "sub").mkdir()
    child = _write(
        tmp_path / "sub",
        "tanjung_redeb_agencies.toml",
        '[registry]\nparent = "../berau_agencies.toml"\n\n[[agency]]\n'
        'id = "berau.dinkes.puskesmas"\nname = "Puskesmas Tanjung Redeb"\n'
        'kind = "unit"\nparent = "berau.dinkes"\nregion = "64.03"\n'
        'time_zone = "Asia/Makassar"\n',
    )
    registry = load_registry(child)
    assert registry.is_within("berau.dinkes.puskesmas", "berau")


def test_the_parents_must_not_form_a_cycle(tmp_path: Path) -> None:
    _write(tmp_path, "a_agencies.toml", '[registry]\nparent = "b_agencies.toml"\n')
    _write(tmp_path, "b_agencies.toml", '[registry]\nparent = "a_agencies.toml"\n')
    with pytest.raises(ProfileError, match=r"registry\.parent: the parents form a cycle"):
        load_registry(tmp_path / "a_agencies.toml")


def test_a_missing_parent_is_a_profile_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "x_agencies.toml", '[registry]\nparent = "nowhere"\n')
    with pytest.raises(ProfileError, match=r"registry\.parent: no bundled agency registry named"):
        load_registry(path)


def test_an_id_the_parent_has_is_a_duplicate(tmp_path: Path) -> None:
    text = BERAU_OFFICES.replace('id = "berau.dinkes"', 'id = "berau"')
    with pytest.raises(ValidationError, match="duplicate"):
        load_registry(_write(tmp_path, "dup_agencies.toml", text))


def test_from_toml_needs_the_parent_it_names() -> None:
    with pytest.raises(ProfileError, match=r"registry\.parent: the registry extends 'kaltim'"):
        AgencyRegistry.from_toml(BERAU_OFFICES)
    registry = AgencyRegistry.from_toml(BERAU_OFFICES, parent=load_registry("kaltim"))
    assert "berau.dinkes" in registry


def test_the_child_agencies_are_held_to_the_region_list(tmp_path: Path) -> None:
    text = BERAU_OFFICES.replace('region = "64.03"', 'region = "64.72"')  # Samarinda's code
    with pytest.raises(ProfileError) as raised:
        load_registry(_write(tmp_path, "bad_agencies.toml", text))
    assert all(p.startswith("agency[0].region: ") for p in raised.value.problems)


def test_check_takes_an_extending_registry_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "berau_agencies.toml", BERAU_OFFICES)
    result = subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-m", "lapor_core", "check", "kaltim", "--registry", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert 0 == result.returncode, result.stdout + result.stderr
    assert "ok" in result.stdout
