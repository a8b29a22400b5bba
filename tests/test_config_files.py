"""Reading profile, agency registry and calendar override files: every problem, with its path."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime

import attrs
import pytest

from helpers import PROFILE
from lapor_core import (
    AgencyRegistry,
    Profile,
    ProfileError,
    Status,
    ValidationError,
)
from lapor_core.domain.calendar import overrides_from_records, parse_overrides
from lapor_core.domain.model import Confidence
from lapor_core.domain.profile import DurationUnit
from lapor_core.domain.profile_config import DurationConfig, ProfileConfig, StatusesConfig

TYPO = "zz_typo"
NAMED_TABLES = {"durations", "clocks", "categories", "channels"}
"""Tables keyed by a name the file chooses: their keys are names, not field names."""


def _full_profile() -> dict[str, object]:
    """The national profile's mapping plus every optional table, one entry each."""
    data = copy.deepcopy(dict(PROFILE.raw))
    data["channels"] = {
        "web": {"name": "Web", "kind": "web", "basis": "b", "confidence": "L"},
    }
    data["calendar"] = {
        "override": [
            {
                "date": date(2026, 1, 9),
                "kind": "holiday",
                "name": "n",
                "basis": "b",
                "confidence": "L",
            }
        ]
    }
    data["lifecycle"] = {"disabled_commands": ["ChangePrivacy"], "basis": "b", "confidence": "L"}
    return data


def _tables(value: object, path: str = "", parent: str = "") -> Iterator[str]:
    """The path of every table whose keys are field names (not names chosen by the file)."""
    if isinstance(value, Mapping):
        if parent not in NAMED_TABLES:
            yield path
        for key, item in value.items():
            yield from _tables(item, f"{path}.{key}" if path else key, key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _tables(item, f"{path}[{index}]", parent)


def _table_at(data: object, path: str) -> dict[str, object]:
    node = data
    for part in path.replace("[", ".[").split(".") if path else ():
        if part.startswith("["):
            assert isinstance(node, list)
            node = node[int(part[1:-1])]
        else:
            assert isinstance(node, dict)
            node = node[part]
    assert isinstance(node, dict)
    return node


def _problems(call: object, *args: object) -> tuple[str, ...]:
    assert callable(call)
    with pytest.raises(ProfileError) as info:
        call(*args)
    return info.value.problems


# --------------------------------------------------------------------------- every problem


def test_three_problems_in_three_tables_yield_exactly_those_three_paths() -> None:
    data = _full_profile()
    _table_at(data, "options.rating")["scale"] = "5"
    _table_at(data, "durations.follow_up")["amount"] = 0
    _table_at(data, "categories.pungli")["owner"] = "no such key"
    assert (
        "options.rating.scale: expected int, got str",
        "durations.follow_up.amount: must be positive, got 0",
        "categories.pungli.owner: unknown key",
    ) == _problems(Profile.from_mapping, data)


def test_two_bad_values_of_one_table_are_two_problems() -> None:
    data = _full_profile()
    reopen = _table_at(data, "options.reopen")
    reopen.update(max_count=0, window_days=-1, basis=" ")
    assert (
        "options.reopen.basis: must cite a source or say it is local",
        "options.reopen.max_count: must be positive, got 0",
        "options.reopen.window_days: must be positive, got -1",
    ) == _problems(Profile.from_mapping, data)


def test_missing_and_unknown_keys_of_one_table_are_all_named() -> None:
    data = _full_profile()
    clock = _table_at(data, "clocks.forwarding")
    del clock["breach"], clock["basis"]
    clock.update(colour="red", size=2)
    assert (
        "clocks.forwarding.basis: missing key",
        "clocks.forwarding.breach: missing key",
        "clocks.forwarding.colour: unknown key",
        "clocks.forwarding.size: unknown key",
    ) == _problems(Profile.from_mapping, data)


def test_rules_between_tables_are_all_reported_once_the_shape_is_right() -> None:
    data = _full_profile()
    _table_at(data, "clocks.forwarding")["duration"] = "nope"
    _table_at(data, "clocks.reply_window")["escalate_to"] = "national"
    _table_at(data, "categories.pungli")["service_standard"] = "zzz"
    _table_at(data, "statuses.on_hold")["local"] = ["Selesai"]
    assert (
        "statuses.on_hold.local: 'Selesai' is already a label of completed",
        "clocks.forwarding.duration: no duration named 'nope'",
        "clocks.reply_window.escalate_to: required exactly when breach = 'escalate'",
        "categories.pungli.service_standard: no duration named 'zzz'",
    ) == _problems(Profile.from_mapping, data)


def test_a_child_profile_reports_every_problem_after_the_merge() -> None:
    text = (
        '[profile]\nname = "anak"\nparent = "national"\ncolour = 1\n'
        "[durations.forwarding]\namount = -2\n"
        '[[calendar.override]]\ndate = 2026-01-09\nkind = "off"\nname = "n"\nbasis = "b"\n'
    )
    assert (
        "profile.colour: unknown key",
        "durations.forwarding.amount: must be positive, got -2",
        "calendar.override[0].kind: expected 'holiday' or 'working_day', got 'off'",
        "calendar.override[0].confidence: missing key",
    ) == _problems(Profile.from_toml, text, PROFILE)


# --------------------------------------------------------------------------- unknown keys


FULL_TABLES = list(_tables(_full_profile()))


def test_the_walk_reaches_every_kind_of_table() -> None:
    assert {"", "profile", "options.reopen", "statuses.archived", "durations.forwarding"} <= set(
        FULL_TABLES
    )
    assert {"clocks.follow_up", "categories.pungli", "channels.web", "lifecycle"} <= set(
        FULL_TABLES
    )
    assert {"calendar", "calendar.override[0]"} <= set(FULL_TABLES)
    assert not NAMED_TABLES & set(FULL_TABLES)


@pytest.mark.parametrize("path", FULL_TABLES, ids=lambda p: p or "<root>")
def test_an_unknown_key_is_refused_in_every_profile_table(path: str) -> None:
    data = _full_profile()
    _table_at(data, path)[TYPO] = 1
    key = f"{path}.{TYPO}" if path else TYPO
    assert (f"{key}: unknown key",) == _problems(Profile.from_mapping, data)


def test_the_full_profile_is_valid() -> None:
    profile = Profile.from_mapping(_full_profile())
    assert frozenset({"ChangePrivacy"}) == profile.disabled_commands
    assert (date(2026, 1, 9),) == tuple(o.date for o in profile.calendar_overrides)


@pytest.mark.parametrize("table", sorted(NAMED_TABLES))
def test_an_entry_of_a_named_table_must_be_a_table(table: str) -> None:
    data = _full_profile()
    _table_at(data, table)[TYPO] = 1
    assert (f"{table}.{TYPO}: expected a table, got int",) == _problems(Profile.from_mapping, data)


_REGISTRY = (
    '[[agency]]\nid = "lapor"\nname = "LAPOR!"\nkind = "national"\n'
    '[[agency]]\nid = "kota"\nname = "Kota"\nkind = "city"\nparent = "lapor"\nregion = "64.72"\n'
)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (f"{TYPO} = 1\n{_REGISTRY}", TYPO),
        (_REGISTRY.replace('kind = "national"\n', f'kind = "national"\n{TYPO} = 1\n'), "agency[0]"),
        (f"{_REGISTRY}{TYPO} = 1\n", "agency[1]"),
    ],
)
def test_an_unknown_key_is_refused_in_every_registry_table(text: str, key: str) -> None:
    where = key if key == TYPO else f"{key}.{TYPO}"
    assert (f"{where}: unknown key",) == _problems(AgencyRegistry.from_toml, text)


def test_every_problem_of_a_registry_is_reported() -> None:
    text = _REGISTRY + '[[agency]]\nid = "X"\nname = " "\nregion = "6"\nhas_decree = "ya"\n'
    assert (
        "agency[2].id: invalid agency id 'X' (lowercase, digits, ._-)",
        "agency[2].name: an agency needs a name",
        "agency[2].kind: missing key",
        (
            "agency[2].region: invalid Kemendagri region code: '6' (expected 64, 64.72, 64.72.01 "
            "or 64.72.01.1001)"
        ),
        "agency[2].has_decree: expected bool, got str",
    ) == _problems(AgencyRegistry.from_toml, text)


def test_registry_records_are_read_as_the_file_is() -> None:
    root = {"id": "lapor", "name": "LAPOR!", "kind": "national"}
    assert (
        "agency[0].time_zone: 'UTC' is not one of Asia/Jakarta, Asia/Makassar, Asia/Jayapura",
    ) == _problems(AgencyRegistry.from_records, [{**root, "time_zone": "UTC"}])
    assert "lapor" == AgencyRegistry.from_records(iter([root])).root.id


_OVERRIDE = 'date = 2025-04-02\nkind = "holiday"\nname = "A"\nbasis = "B"\n'


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (f"{TYPO} = 1\n[[override]]\n{_OVERRIDE}", TYPO),
        (f"[[override]]\n{_OVERRIDE}{TYPO} = 1\n[[override]]\n{_OVERRIDE}", f"override[0].{TYPO}"),
        (f"[[override]]\n{_OVERRIDE}[[override]]\n{_OVERRIDE}{TYPO} = 1\n", f"override[1].{TYPO}"),
    ],
)
def test_an_unknown_key_is_refused_in_every_override_table(text: str, key: str) -> None:
    assert (f"{key}: unknown key",) == _problems(parse_overrides, text)


def test_every_problem_of_an_override_file_is_reported() -> None:
    text = (
        f"[[override]]\n{_OVERRIDE}"
        '[[override]]\ndate = 2025-04-02T10:00:00\nkind = "libur"\nname = 3\nbasis = " "\n'
        "[[override]]\n"
    )
    assert (
        (
            "override[1].date: expected a TOML date such as 2025-12-24, got "
            "datetime.datetime(2025, 4, 2, 10, 0)"
        ),
        "override[1].kind: expected 'holiday' or 'working_day', got 'libur'",
        "override[1].name: expected str, got int",
        "override[1].basis: expected a non-empty string, got ' '",
        "override[2].date: missing key",
        "override[2].kind: missing key",
        "override[2].name: missing key",
        "override[2].basis: missing key",
    ) == _problems(parse_overrides, text)


def test_override_records_are_named_under_their_key() -> None:
    records = [
        {"date": datetime(2026, 1, 9, 10, tzinfo=UTC), "kind": "holiday", "name": "", "basis": "b"}
    ]
    assert (
        (
            "calendar.override[0].date: expected a TOML date such as 2025-12-24, got "
            "datetime.datetime(2026, 1, 9, 10, 0, tzinfo=datetime.timezone.utc)"
        ),
        "calendar.override[0].name: expected a non-empty string, got ''",
    ) == _problems(overrides_from_records, records, "calendar.override")


# --------------------------------------------------------------------------- TOML types


@pytest.mark.parametrize(
    ("table", "key", "value", "message"),
    [
        ("options.reopen", "enabled", 1, "expected bool, got int"),
        ("options.reopen", "max_count", True, "expected int, got bool"),
        ("options.reopen", "max_count", 1.0, "expected int, got float"),
        ("durations.forwarding", "amount", "3", "expected int, got str"),
        ("statuses.on_hold", "local", "pending", "expected an array, got str"),
        ("statuses.on_hold", "id", ["Tunda"], "expected str, got list"),
        ("clocks.forwarding", "warn_at", [50, "75"], None),
        ("profile", "name", 7, "expected str, got int"),
    ],
)
def test_values_are_taken_as_toml_types_only(
    table: str, key: str, value: object, message: str | None
) -> None:
    data = _full_profile()
    _table_at(data, table)[key] = value
    where = f"{table}.{key}"
    if message is None:
        where, message = f"{where}[1]", "expected int, got str"
    assert (f"{where}: {message}",) == _problems(Profile.from_mapping, data)


def test_a_scalar_where_a_table_belongs_is_named() -> None:
    data = _full_profile()
    data["options"] = 3
    data["calendar"] = {"override": {"date": date(2026, 1, 9)}}
    assert (
        "options: expected a table, got int",
        "calendar.override: expected an array of tables, got dict",
    ) == _problems(Profile.from_mapping, data)


# --------------------------------------------------------------------------- config classes


def test_statuses_config_has_one_table_per_status() -> None:
    assert [status.value for status in Status] == [f.name for f in attrs.fields(StatusesConfig)]
    config = ProfileConfig.from_mapping(_full_profile())
    assert list(Status) == [status for status, _ in config.statuses.items()]
    assert "Tunda" == dict(config.statuses.items())[Status.ON_HOLD].id


def test_config_classes_check_their_rules_when_built_in_code_too() -> None:
    with pytest.raises(ValidationError, match=r"^amount: must be positive, got 0$"):
        DurationConfig(amount=0, unit=DurationUnit.HOURS, basis="b", confidence=Confidence.LOCAL)


# --------------------------------------------------------------------------- ProfileError


def test_profile_error_keeps_every_problem_and_prints_them_one_per_line() -> None:
    error = ProfileError("a.b: bad", "c[0].d: missing key")
    assert ("a.b: bad", "c[0].d: missing key") == error.problems
    assert "a.b: bad\nc[0].d: missing key" == str(error)
    assert isinstance(error, ValueError)
    again = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object
    assert (error.problems, str(error)) == (again.problems, str(again))


def test_a_single_message_is_the_only_problem() -> None:
    error = ProfileError("no status is labelled 'x'")
    assert ("no status is labelled 'x'",) == error.problems
    assert "no status is labelled 'x'" == str(error)
