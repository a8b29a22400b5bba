"""Reading a profile or registry file that is not one gives a LaporError, never an OSError."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import lapor_core as lc


@pytest.mark.parametrize("load", [lc.load_profile, lc.load_registry])
def test_a_directory_is_refused_with_a_profile_error(
    load: Callable[[Path], object], tmp_path: Path
) -> None:
    folder = tmp_path / "profile.toml"
    folder.mkdir()
    with pytest.raises(lc.ProfileError, match="cannot read"):
        load(folder)


@pytest.mark.parametrize("load", [lc.load_profile, lc.load_registry])
def test_a_latin1_file_is_refused_with_a_profile_error(
    load: Callable[[Path], object], tmp_path: Path
) -> None:
    path = tmp_path / "profile.toml"
    path.write_bytes("[profile]\nname = 'Kalimantan Timur \xe9'\n".encode("latin-1"))
    with pytest.raises(lc.ProfileError, match="not UTF-8"):
        load(path)


@pytest.mark.parametrize("load", [lc.load_profile, lc.load_registry])
def test_a_missing_file_is_not_found(load: Callable[[Path], object], tmp_path: Path) -> None:
    with pytest.raises(lc.NotFound, match="does not exist"):
        load(tmp_path / "missing.toml")


@pytest.mark.parametrize("load", [lc.load_profile, lc.load_registry])
@pytest.mark.parametrize("given", [None, 3, b"kaltim"])
def test_a_profile_or_registry_given_by_neither_name_nor_path_is_refused(
    load: Callable[[str], object], given: object
) -> None:
    with pytest.raises(lc.ValidationError, match="expected the name or the path") as caught:
        load(given)  # type: ignore[arg-type]
    assert type(given).__name__ in str(caught.value)
    assert isinstance(caught.value, lc.LaporError)
