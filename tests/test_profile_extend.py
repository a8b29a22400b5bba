"""Profiles that extend a parent: deep merge, provenance, chains, kaltim.toml, calendars."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from helpers import PROFILE, REGISTRY
from lapor_core import (
    Channel,
    ChannelType,
    Context,
    Forward,
    InvalidTransition,
    NotFound,
    Profile,
    ProfileError,
    Status,
    bundled_profiles,
    load_profile,
    load_registry,
)
from lapor_core.domain.calendar import CalendarOverride, OverrideKind, overrides_from_records
from lapor_core.domain.lifecycle import Lifecycle
from lapor_core.domain.profile import Confidence, merge_profile_data

KALTIM = load_profile("kaltim")
EXAMPLE = load_profile(Path(__file__).parent / "data" / "kaltim_example_override.toml")
"""Kaltim plus an EXAMPLE regional day off (the bundled Kaltim profile has none active)."""

CHILD = """
[profile]
name = "anak"
parent = "national"

[statuses.in_progress]
local = ["Sedang Diproses"]

[durations.forwarding]
amount = 2
basis = "local standard"
confidence = "L"
"""


# --------------------------------------------------------------------------- deep merge


def test_merge_is_deep_child_wins_and_lists_replace() -> None:
    parent = {
        "profile": {"name": "p", "description": "parent", "time_zone": "Asia/Jakarta"},
        "a": {"x": 1, "y": {"z": 2, "w": 3}, "l": [1, 2]},
        "b": 5,
    }
    child = {"profile": {"name": "c"}, "a": {"y": {"z": 9}, "l": [3]}, "c": {"k": True}}
    merged = merge_profile_data(parent, child)
    assert {
        "profile": {"time_zone": "Asia/Jakarta", "name": "c"},
        "a": {"x": 1, "y": {"z": 9, "w": 3}, "l": [3]},
        "b": 5,
        "c": {"k": True},
    } == merged
    # neither input changed
    assert {"z": 2, "w": 3} == parent["a"]["y"]  # type: ignore[index]
    assert "description" in parent["profile"]  # type: ignore[operator]
    merged["a"]["x"] = 7  # type: ignore[index]
    assert 1 == parent["a"]["x"]  # type: ignore[index]


def test_merge_replaces_a_scalar_by_a_table_and_back() -> None:
    merged = merge_profile_data({"a": 1, "b": {"c": 1}}, {"a": {"x": 1}, "b": 2})
    assert {"a": {"x": 1}, "b": 2} == merged


def test_child_overrides_only_what_differs() -> None:
    child = Profile.from_toml(CHILD, parent=PROFILE)
    assert "anak" == child.name
    assert "national" == child.parent
    assert "" == child.description  # a child describes itself; not inherited
    assert 2 == child.durations["forwarding"].amount
    assert Confidence.LOCAL == child.durations["forwarding"].basis.confidence
    assert "working_days" == child.durations["forwarding"].unit.value  # inherited key
    assert PROFILE.durations["follow_up"] == child.durations["follow_up"]
    labels = child.labels[Status.IN_PROGRESS]
    assert ("Proses", "In progress", ("Sedang Diproses",)) == (labels.id, labels.en, labels.local)
    assert PROFILE.clocks.keys() == child.clocks.keys()
    assert PROFILE.time_zone == child.time_zone
    assert Status.IN_PROGRESS == child.status_for_label("sedang diproses")


def test_provenance_names_the_profile_of_each_value() -> None:
    child = Profile.from_toml(CHILD, parent=PROFILE)
    origins = child.provenance()
    assert "anak" == origins["profile.name"]
    assert "anak" == origins["durations.forwarding.amount"]
    assert "national" == origins["durations.forwarding.unit"]
    assert "anak" == origins["statuses.in_progress.local"]
    assert "national" == origins["statuses.in_progress.id"]
    assert "national" == origins["profile.time_zone"]
    assert set(origins.values()) == {"anak", "national"}


def test_national_provenance_is_all_national() -> None:
    origins = PROFILE.provenance()
    assert "national" == origins["clocks.reply_window.breach"]
    assert {"national"} == set(origins.values())


def test_describe_prints_every_value_with_its_origin() -> None:
    child = Profile.from_toml(CHILD, parent=PROFILE)
    text = child.describe()
    assert text.startswith("# profile 'anak' (extends 'national')")
    assert 'profile.name = "anak"  <- anak\n' in text
    assert "durations.forwarding.amount = 2  <- anak\n" in text
    assert 'durations.forwarding.unit = "working_days"  <- national\n' in text
    assert 'statuses.in_progress.local = ["Sedang Diproses"]  <- anak\n' in text
    assert "options.reopen.enabled = false  <- national\n" in text
    assert len(text.splitlines()) == 1 + len(child.provenance())


def test_a_declared_parent_must_be_given() -> None:
    with pytest.raises(ProfileError, match=r"profile\.parent: this profile extends 'national'"):
        Profile.from_toml(CHILD)


def test_the_given_parent_must_be_the_declared_one() -> None:
    with pytest.raises(ProfileError, match=r"profile\.parent: .*extends 'national', not 'anak'"):
        Profile.from_toml(CHILD, parent=Profile.from_toml(CHILD, parent=PROFILE))


def test_a_child_must_name_itself() -> None:
    with pytest.raises(ProfileError, match=r"profile\.name: missing"):
        Profile.from_toml('[profile]\nparent = "national"\n', parent=PROFILE)


def test_an_undeclared_parent_given_as_argument_is_recorded() -> None:
    child = Profile.from_toml('[profile]\nname = "anak"\n', parent=PROFILE)
    assert "national" == child.parent
    assert PROFILE.durations == child.durations


def test_child_values_are_validated_after_the_merge() -> None:
    text = CHILD.replace("amount = 2", "amount = -2")
    with pytest.raises(ProfileError, match=r"durations\.forwarding\.amount: must be positive"):
        Profile.from_toml(text, parent=PROFILE)
    with pytest.raises(ProfileError, match=r"statuses\.in_progress\.colour: unknown key"):
        Profile.from_toml(
            CHILD.replace("[statuses.in_progress]\n", "[statuses.in_progress]\ncolour = 1\n"),
            parent=PROFILE,
        )


def test_reparsing_a_resolved_child_with_its_parent_is_stable() -> None:
    again = Profile.from_mapping(KALTIM.raw, parent=PROFILE)
    assert KALTIM.labels == again.labels
    assert KALTIM.clocks == again.clocks
    assert KALTIM.channels == again.channels


# --------------------------------------------------------------------------- loading chains


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_load_profile_resolves_a_chain_of_three(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "samarinda.toml",
        '[profile]\nname = "samarinda"\nparent = "kaltim"\n\n'
        '[durations.follow_up]\namount = 4\nbasis = "EXAMPLE"\nconfidence = "L"\n',
    )
    profile = load_profile(path)
    assert ("samarinda", "kaltim") == (profile.name, profile.parent)
    origins = profile.provenance()
    assert "samarinda" == origins["durations.follow_up.amount"]
    assert "kaltim" == origins["profile.time_zone"]
    assert "kaltim" == origins["channels.lapor_wal.name"]
    assert "national" == origins["statuses.submitted.id"]
    assert "Asia/Makassar" == profile.time_zone
    assert 4 == profile.durations["follow_up"].amount


def test_a_parent_may_be_a_file_next_to_the_child(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    _write(tmp_path / "base.toml", '[profile]\nname = "base"\nparent = "kaltim"\n')
    child = _write(
        tmp_path / "sub" / "child.toml", '[profile]\nname = "child"\nparent = "../base.toml"\n'
    )
    profile = load_profile(child)
    assert "base" == profile.parent
    table = profile.raw["profile"]
    assert isinstance(table, Mapping)
    assert "base" == table["parent"]


def test_cycles_are_refused(tmp_path: Path) -> None:
    _write(tmp_path / "a.toml", '[profile]\nname = "a"\nparent = "b.toml"\n')
    _write(tmp_path / "b.toml", '[profile]\nname = "b"\nparent = "a.toml"\n')
    with pytest.raises(ProfileError, match=r"profile\.parent: the parents form a cycle: .*a\.toml"):
        load_profile(tmp_path / "a.toml")


def test_a_profile_cannot_extend_itself(tmp_path: Path) -> None:
    path = _write(tmp_path / "self.toml", '[profile]\nname = "self"\nparent = "self.toml"\n')
    with pytest.raises(ProfileError, match="cycle"):
        load_profile(path)


def test_an_unknown_parent_is_a_profile_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.toml", '[profile]\nname = "x"\nparent = "atlantis"\n')
    with pytest.raises(ProfileError, match=r"profile\.parent: no bundled profile named 'atlantis'"):
        load_profile(path)
    missing = _write(tmp_path / "y.toml", '[profile]\nname = "y"\nparent = "nope.toml"\n')
    with pytest.raises(ProfileError, match=r"profile\.parent: .*does not exist") as info:
        load_profile(missing)
    assert isinstance(info.value.__cause__, NotFound)


def test_a_parent_must_be_a_string(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.toml", '[profile]\nname = "x"\nparent = 3\n')
    with pytest.raises(ProfileError, match=r"profile\.parent: expected str, got int"):
        load_profile(path)


# --------------------------------------------------------------------------- kaltim.toml


def test_kaltim_is_bundled_and_not_confused_with_its_registry() -> None:
    assert ("kaltim", "national") == bundled_profiles()
    assert "kaltim" == KALTIM.name
    assert "kaltim" in load_registry("kaltim")
    with pytest.raises(NotFound, match="that is a registry"):
        load_profile("kaltim_agencies")


def test_kaltim_extends_national_in_wita() -> None:
    assert "national" == KALTIM.parent
    assert "Asia/Makassar" == KALTIM.time_zone
    assert "kaltim" == KALTIM.provenance()["profile.time_zone"]
    # inherited unchanged
    assert PROFILE.durations["reply_window"] == KALTIM.durations["reply_window"]
    assert PROFILE.clocks["reply_window"] == KALTIM.clocks["reply_window"]
    assert PROFILE.reopen == KALTIM.reopen


def test_kaltim_lists_lapor_wal_as_a_regional_channel() -> None:
    option = KALTIM.channels["lapor_wal"]
    assert ("LAPOR WAL!", ChannelType.REGIONAL_APP) == (option.name, option.kind)
    assert Confidence.CONFIRMED == option.basis.confidence
    assert "2021" in option.basis.source
    assert Channel(ChannelType.REGIONAL_APP, "LAPOR WAL!") == KALTIM.channel("lapor_wal")
    assert ChannelType.MESSAGING == KALTIM.channels["whatsapp_desa"].kind
    with pytest.raises(ProfileError, match="has no channel 'sms'"):
        KALTIM.channel("sms")


def test_kaltim_labels_keep_national_names_and_add_examples() -> None:
    assert "Proses" == KALTIM.label(Status.IN_PROGRESS)
    assert Status.IN_PROGRESS == KALTIM.status_for_label("Sedang Diproses")
    assert Status.IN_PROGRESS == KALTIM.status_for_label("ditindaklanjuti")
    assert Status.COMPLETED == KALTIM.status_for_label("Tuntas")
    for status in (Status.IN_PROGRESS, Status.COMPLETED):
        basis = KALTIM.labels[status].basis
        assert Confidence.LOCAL == basis.confidence
        assert "EXAMPLE" in basis.source


def test_every_kaltim_rule_cites_a_basis_and_examples_are_local() -> None:
    rules = list(EXAMPLE.rules())
    keys = {key for key, _, _ in rules}
    assert {"channels.lapor_wal", "calendar.override[0]", "clocks.agency_forwarding"} <= keys
    assert () == KALTIM.calendar_overrides  # no unsourced day off in the bundled profile
    for key, _, basis in rules:
        assert basis.source.strip(), key
        if "EXAMPLE" in basis.source:
            assert Confidence.LOCAL == basis.confidence, key


def test_kaltim_calendar_override_is_an_explicit_example() -> None:
    (rule,) = EXAMPLE.calendar_rules
    assert date(2026, 1, 9) == rule.override.date
    assert OverrideKind.HOLIDAY == rule.override.kind
    assert "EXAMPLE" in rule.override.name
    assert "EXAMPLE" in rule.override.basis
    assert Confidence.LOCAL == rule.confidence
    assert (rule.override,) == EXAMPLE.calendar_overrides


def test_profile_calendar_has_zone_cuti_bersama_and_overrides() -> None:
    calendar = EXAMPLE.calendar()
    assert "Asia/Makassar" == calendar.time_zone
    assert calendar.include_cuti_bersama
    assert not calendar.is_working_day(date(2026, 1, 9))
    assert PROFILE.calendar().is_working_day(date(2026, 1, 9))  # a Friday elsewhere
    assert () == PROFILE.calendar_overrides


def test_context_create_uses_the_profile_calendar() -> None:
    ctx = Context.create(EXAMPLE, REGISTRY)
    assert "Asia/Makassar" == ctx.calendar.time_zone
    assert not ctx.calendar.is_working_day(date(2026, 1, 9))
    assert EXAMPLE.calendar_overrides == ctx.calendar.overrides
    assert Context.create(KALTIM, REGISTRY).calendar.is_working_day(date(2026, 1, 9))


def test_kaltim_registry_region_codes() -> None:
    registry = load_registry("kaltim")
    expected = {
        "kaltim": "64",
        "paser": "64.01",
        "kukar": "64.02",
        "berau": "64.03",
        "kubar": "64.07",
        "kutim": "64.08",
        "ppu": "64.09",
        "mahulu": "64.11",
        "balikpapan": "64.71",
        "samarinda": "64.72",
        "bontang": "64.74",
    }
    for agency, code in expected.items():
        assert code == str(registry.get(agency).region), agency


# ------------------------------------------------------------------ channels, calendar, lifecycle


def _national_with(extra: str) -> Profile:
    return Profile.from_toml('[profile]\nname = "t"\nparent = "national"\n' + extra, PROFILE)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            '[channels.x]\nname = "X"\nkind = "pigeon"\nbasis = "b"\nconfidence = "L"\n',
            r"channels\.x\.kind: 'pigeon' is not one of",
        ),
        ('[channels.x]\nname = " "\nkind = "web"\nbasis = "b"\nconfidence = "L"\n', "must not"),
        ('[channels.x]\nname = "X"\nkind = "web"\n', r"channels\.x\.basis: missing"),
        (
            '[channels.x]\nname = "X"\nkind = "web"\nbasis = "b"\nconfidence = "L"\nurl = "u"\n',
            r"channels\.x\.url: unknown key",
        ),
        (
            (
                '[[calendar.override]]\ndate = 2026-01-09\nkind = "holiday"\nname = "n"\n'
                'confidence = "L"\n'
            ),
            r"calendar\.override\[0\]\.basis: missing key",
        ),
        (
            '[[calendar.override]]\ndate = 2026-01-09\nkind = "holiday"\nname = "n"\nbasis = "b"\n',
            r"calendar\.override\[0\]\.confidence: missing",
        ),
        (
            (
                '[[calendar.override]]\ndate = "2026-01-09"\nkind = "holiday"\nname = "n"\n'
                'basis = "b"\nconfidence = "L"\n'
            ),
            r"calendar\.override\[0\]\.date: expected a TOML date",
        ),
        ("[calendar]\nsix_day_week = true\n", r"calendar\.six_day_week: unknown key"),
        (
            '[lifecycle]\ndisabled_commands = ["Fly"]\nbasis = "b"\nconfidence = "L"\n',
            r"lifecycle\.disabled_commands: unknown command 'Fly'",
        ),
        ('[lifecycle]\ndisabled_commands = ["Forward"]\n', r"lifecycle\.basis: missing"),
    ],
)
def test_new_tables_are_validated(extra: str, message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        _national_with(extra)


def test_disabled_commands_drop_their_rows() -> None:
    profile = _national_with(
        '[lifecycle]\ndisabled_commands = ["ChangePrivacy"]\nbasis = "app has no such screen"\n'
        'confidence = "L"\n'
    )
    assert frozenset({"ChangePrivacy"}) == profile.disabled_commands
    lifecycle = Lifecycle(profile)
    assert all(row.command.__name__ != "ChangePrivacy" for row in lifecycle.rows)
    assert "ChangePrivacy" not in lifecycle.allowed_commands(Status.SUBMITTED)
    assert ("lifecycle.disabled_commands", "ChangePrivacy") in [
        (key, value) for key, value, _ in profile.rules()
    ]


def test_a_disabled_command_is_refused_with_the_reason() -> None:
    profile = _national_with(
        '[lifecycle]\ndisabled_commands = ["Forward"]\nbasis = "b"\nconfidence = "L"\n'
    )
    lifecycle = Lifecycle(profile)
    with pytest.raises(InvalidTransition, match="profile 't' disables Forward"):
        lifecycle.row(Status.SUBMITTED, Forward)


def test_overrides_from_records_builds_overrides() -> None:
    records = [{"date": date(2026, 1, 9), "kind": "holiday", "name": "n", "basis": "b"}]
    assert (CalendarOverride(date(2026, 1, 9), OverrideKind.HOLIDAY, "n", "b"),) == (
        overrides_from_records(records)
    )
    assert () == overrides_from_records([])


@pytest.mark.parametrize(
    ("records", "where", "message"),
    [
        ({"date": 1}, "override", r"^override: expected an array of tables"),
        ([1], "calendar.override", r"^calendar\.override\[0\]: expected a table"),
        (
            [{"date": date(2026, 1, 9), "kind": "off", "name": "n", "basis": "b"}],
            "x",
            r"^x\[0\]\.kind: expected 'holiday' or 'working_day'",
        ),
        (
            [
                {
                    "date": datetime(2026, 1, 9, tzinfo=UTC),
                    "kind": "holiday",
                    "name": "n",
                    "basis": "b",
                }
            ],
            "override",
            r"^override\[0\]\.date: expected a TOML date",
        ),
    ],
)
def test_overrides_from_records_names_the_key(records: object, where: str, message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        overrides_from_records(records, where)
