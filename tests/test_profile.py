"""Tests for lapor_core.domain.profile and lapor_core.profiles: loading and validating rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import PROFILE, edit_table, national_toml
from lapor_core import (
    NotFound,
    Profile,
    ProfileError,
    Status,
    bundled_profiles,
    load_profile,
    load_registry,
)
from lapor_core.domain.profile import Confidence, DurationUnit

TEXT = national_toml()


def _block(table: str, text: str = TEXT) -> tuple[int, int]:
    """Start and end of the TOML table headed ``[table]``."""
    header = f"[{table}]\n"
    start = text.index(header)
    end = text.find("\n[", start + len(header))
    return start, len(text) if end == -1 else end


def _edit(table: str, old: str, new: str) -> str:
    """Replace *old* by *new* inside the table ``[table]`` of the national profile."""
    return edit_table(TEXT, table, old, new)


def _set(table: str, key: str, line: str) -> str:
    """Replace the line of *key* in ``[table]`` by *line* (``""``: drop it)."""
    start, end = _block(table)
    block = TEXT[start:end]
    found = re.search(rf"^{re.escape(key)} = .*\n", block, flags=re.MULTILINE)
    assert found is not None, (table, key)
    return TEXT[:start] + block.replace(found.group(0), line) + TEXT[end:]


# --------------------------------------------------------------------------- the national profile


def test_national_profile_loads_with_its_defaults() -> None:
    assert "national" == PROFILE.name
    assert "Asia/Jakarta" == PROFILE.time_zone
    assert not PROFILE.reopen.enabled
    assert not PROFILE.rating.enabled
    assert 5 == PROFILE.rating.scale
    forwarding = PROFILE.durations["forwarding"]
    assert (3, DurationUnit.WORKING_DAYS) == (forwarding.amount, forwarding.unit)
    assert Confidence.CONFIRMED == forwarding.basis.confidence


def test_categories_have_their_names_or_their_code() -> None:
    assert "Infrastruktur" == PROFILE.category_names["infrastruktur"]
    assert set(PROFILE.service_standards) == set(PROFILE.category_names)
    text = edit_table(national_toml(), "categories.kesehatan", 'name = "Kesehatan"\n', "")
    unnamed = Profile.from_toml(text)
    assert "kesehatan" == unnamed.category_names["kesehatan"]
    assert "Pendidikan" == unnamed.category_names["pendidikan"]


def test_national_profile_is_bundled() -> None:
    assert "national" in bundled_profiles()
    assert all(not name.endswith("_agencies") for name in bundled_profiles())


@pytest.mark.parametrize("status", list(Status))
def test_every_status_has_labels_in_both_languages(status: Status) -> None:
    assert PROFILE.label(status, "id").strip()
    assert PROFILE.label(status, "en").strip()
    assert PROFILE.label(status) == PROFILE.label(status, "id")


@pytest.mark.parametrize(
    ("status", "label_id", "label_en"),
    [
        (Status.SUBMITTED, "Belum Terverifikasi", "Not yet verified"),
        (Status.ON_HOLD, "Tunda", "On hold"),
        (Status.FORWARDED, "Belum Ditindaklanjuti", "Not yet followed up"),
        (Status.IN_PROGRESS, "Proses", "In progress"),
        (Status.COMPLETED, "Selesai", "Completed"),
        (Status.ARCHIVED, "Arsip", "Archived"),
    ],
)
def test_national_labels(status: Status, label_id: str, label_en: str) -> None:
    assert (label_id, label_en) == (PROFILE.label(status, "id"), PROFILE.label(status, "en"))


def test_unknown_label_language_is_refused() -> None:
    with pytest.raises(ProfileError, match="unknown label language 'fr'"):
        PROFILE.label(Status.SUBMITTED, "fr")


@pytest.mark.parametrize(
    ("label", "status"),
    [
        ("Tunda", Status.ON_HOLD),
        ("dipending", Status.ON_HOLD),
        ("Selesai", Status.COMPLETED),
        ("in progress", Status.IN_PROGRESS),
        ("  SELESAI ", Status.COMPLETED),
        ("Belum Ditindaklanjuti", Status.FORWARDED),
        ("didisposisikan", Status.FORWARDED),
        ("dihapus", Status.ARCHIVED),
        ("submitted", Status.SUBMITTED),
    ],
)
def test_status_for_label_maps_local_names(label: str, status: Status) -> None:
    assert status == PROFILE.status_for_label(label)


def test_unknown_label_is_refused() -> None:
    with pytest.raises(ProfileError, match="no status is labelled 'Ditolak'"):
        PROFILE.status_for_label("Ditolak")


def test_every_rule_has_a_basis() -> None:
    rules = list(PROFILE.rules())
    keys = {key for key, _, _ in rules}
    assert {"options.reopen.enabled", "options.rating.enabled", "durations.forwarding"} <= keys
    assert {f"statuses.{s.value}" for s in Status} <= keys
    for key, _, basis in rules:
        assert basis.source.strip(), key
        assert isinstance(basis.confidence, Confidence), key
        assert str(basis).startswith(f"[{basis.confidence.value}] ")


def test_option_enabled_knows_only_the_gating_options() -> None:
    assert not PROFILE.option_enabled("reopen")
    assert not PROFILE.option_enabled("rating")
    with pytest.raises(ProfileError, match="unknown option 'voting'"):
        PROFILE.option_enabled("voting")


def test_options_can_be_switched_on() -> None:
    profile = Profile.from_toml(_edit("options.reopen", "enabled = false", "enabled = true"))
    assert profile.option_enabled("reopen")
    assert not profile.option_enabled("rating")


# --------------------------------------------------------------------------- loading


def test_load_profile_of_a_missing_name_is_not_found() -> None:
    with pytest.raises(NotFound, match="no bundled profile named 'atlantis'"):
        load_profile("atlantis")


def test_load_profile_of_a_missing_path_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="does not exist"):
        load_profile(tmp_path / "missing.toml")


def test_load_profile_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "lokal.toml"
    path.write_text(TEXT.replace('name = "national"', 'name = "lokal"'), encoding="utf-8")
    assert "lokal" == load_profile(path).name
    assert "lokal" == load_profile(str(path)).name


def test_load_registry_of_a_missing_name_is_not_found() -> None:
    with pytest.raises(NotFound, match="no bundled agency registry named 'atlantis'"):
        load_registry("atlantis")


# --------------------------------------------------------------------------- broken profiles

BROKEN = [
    pytest.param(
        _edit("options.reopen", "enabled = false\n", "enabled = false\nfoo = 1\n"),
        r"options\.reopen\.foo: unknown key",
        id="unknown-key",
    ),
    pytest.param(
        TEXT.replace("[profile]\n", "[profile]\ncolour = 'red'\n"),
        r"profile\.colour: unknown key",
        id="unknown-key-in-head",
    ),
    pytest.param(TEXT + "\n[extra]\nx = 1\n", r"^extra: unknown key", id="unknown-table"),
    pytest.param(
        _set("options.rating", "scale", ""), r"options\.rating\.scale: missing", id="missing-key"
    ),
    pytest.param(
        _edit("options.reopen", "enabled = false", 'enabled = "no"'),
        r"options\.reopen\.enabled: expected bool, got str",
        id="wrong-type",
    ),
    pytest.param(
        _edit("options.reopen", "max_count = 1", "max_count = true"),
        r"options\.reopen\.max_count: expected int, got bool",
        id="bool-for-int",
    ),
    pytest.param(
        _edit("durations.forwarding", "amount = 3", "amount = -3"),
        r"durations\.forwarding\.amount: must be positive, got -3",
        id="negative-duration",
    ),
    pytest.param(
        _edit("durations.forwarding", "amount = 3", "amount = 0"),
        r"durations\.forwarding\.amount: must be positive, got 0",
        id="zero-duration",
    ),
    pytest.param(
        _edit("options.reopen", "window_days = 10", "window_days = 0"),
        r"options\.reopen\.window_days: must be positive",
        id="zero-window",
    ),
    pytest.param(
        _edit("durations.forwarding", 'unit = "working_days"', 'unit = "weeks"'),
        r"durations\.forwarding\.unit: 'weeks' is not one of",
        id="bad-unit",
    ),
    pytest.param(
        _set("durations.forwarding", "basis", ""),
        r"durations\.forwarding\.basis: missing",
        id="missing-basis",
    ),
    pytest.param(
        _set("durations.forwarding", "basis", 'basis = "  "\n'),
        r"durations\.forwarding\.basis: must cite a source",
        id="blank-basis",
    ),
    pytest.param(
        _edit("durations.forwarding", 'confidence = "C"', 'confidence = "X"'),
        r"durations\.forwarding\.confidence: 'X' is not one of C, I, U, L",
        id="bad-confidence",
    ),
    pytest.param(
        _edit("statuses.forwarded", 'local = ["', 'local = ["dipending", "'),
        r"statuses\.(on_hold|forwarded)\.local: 'dipending' already maps to",
        id="local-label-twice",
    ),
    pytest.param(
        _edit("statuses.forwarded", 'local = ["', 'local = ["DIPENDING", "'),
        r"already maps to",
        id="local-label-twice-other-case",
    ),
    pytest.param(
        _edit("statuses.completed", "local = []", 'local = [""]'),
        r"statuses\.completed\.local: local labels must be non-empty",
        id="blank-local-label",
    ),
    pytest.param(
        _edit("statuses.archived", 'id = "Arsip"', 'id = " "'),
        r"statuses\.archived\.id: label must not be empty",
        id="blank-label",
    ),
    pytest.param(
        _set("statuses.completed", "en", ""),
        r"statuses\.completed\.en: missing",
        id="missing-label",
    ),
    pytest.param(
        _edit("profile", 'time_zone = "Asia/Jakarta"', 'time_zone = "Asia/Tokyo"'),
        r"profile\.time_zone: 'Asia/Tokyo' is not one of",
        id="bad-time-zone",
    ),
    pytest.param(TEXT.replace("[profile]\n", "[profile\n"), r"not valid TOML", id="bad-toml"),
]


@pytest.mark.parametrize(("text", "message"), BROKEN)
def test_broken_profile_names_the_key(text: str, message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        Profile.from_toml(text)


def test_missing_status_table_is_named() -> None:
    start = TEXT.index("[statuses.completed]\n")
    end = TEXT.index("\n[", start + 1)
    with pytest.raises(ProfileError, match=r"statuses\.completed: missing"):
        Profile.from_toml(TEXT[:start] + TEXT[end + 1 :])


def test_local_label_equal_to_another_status_label_is_refused() -> None:
    text = _edit("statuses.submitted", 'local = ["', 'local = ["Selesai", "')
    with pytest.raises(ProfileError, match=r"statuses\.submitted\.local: 'Selesai'"):
        Profile.from_toml(text)
