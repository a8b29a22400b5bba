"""
What `lapor_core.domain.calendar_overrides` answers and refuses, word for word (its mutation run).

Each refusal of a :class:`CalendarOverride` is checked whole: its class, its message,
its template and its fields (the attribute named, the value refused). The overrides
read from TOML or from records are compared whole, and their refusals too: invalid
TOML with its key and reason, and every problem of a record, under the default key
path ``override`` or the one given.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from datetime import date, datetime

import pytest

from helpers import refused
from lapor_core.domain.calendar_overrides import (
    CalendarOverride,
    OverrideKind,
    overrides_from_records,
    parse_overrides,
)
from lapor_core.errors import ProfileError, ValidationError

DAY = date(2025, 12, 24)
HOLIDAY = OverrideKind.HOLIDAY

REFUSALS: list[tuple[str, Callable[[], object], str, str, dict[str, object]]] = [
    (
        "a kind that is not an OverrideKind",
        lambda: CalendarOverride(DAY, "holiday", "Libur", "SKB"),  # type: ignore[arg-type]
        "{attribute_name} must be an OverrideKind, got {value!r}",
        "kind must be an OverrideKind, got 'holiday'",
        {"attribute_name": "kind", "value": "holiday"},
    ),
    (
        "a datetime for the date",
        lambda: CalendarOverride(datetime(2025, 12, 24, 8), HOLIDAY, "Libur", "SKB"),  # noqa: DTZ001 - the refused input
        "{attribute_name} must be a date (not a datetime), got {value!r}",
        "date must be a date (not a datetime), got datetime.datetime(2025, 12, 24, 8, 0)",
        {"attribute_name": "date", "value": datetime(2025, 12, 24, 8)},  # noqa: DTZ001
    ),
    (
        "a string for the date",
        lambda: CalendarOverride("2025-12-24", HOLIDAY, "Libur", "SKB"),  # type: ignore[arg-type]
        "{attribute_name} must be a date (not a datetime), got {value!r}",
        "date must be a date (not a datetime), got '2025-12-24'",
        {"attribute_name": "date", "value": "2025-12-24"},
    ),
    (
        "a blank name",
        lambda: CalendarOverride(DAY, HOLIDAY, "  ", "SKB"),
        "{attribute_name} must be a non-empty string, got {value!r}",
        "name must be a non-empty string, got '  '",
        {"attribute_name": "name", "value": "  "},
    ),
    (
        "a basis that is not a string",
        lambda: CalendarOverride(DAY, HOLIDAY, "Libur", 1497),  # type: ignore[arg-type]
        "{attribute_name} must be a non-empty string, got {value!r}",
        "basis must be a non-empty string, got 1497",
        {"attribute_name": "basis", "value": 1497},
    ),
    (
        "a blank agency",
        lambda: CalendarOverride(DAY, HOLIDAY, "Libur", "SKB", agency=" "),
        "agency must be a non-empty string, got {value!r}",
        "agency must be a non-empty string, got ' '",
        {"value": " "},
    ),
]


@pytest.mark.parametrize(
    ("call", "template", "message", "fields"),
    [pytest.param(*case[1:], id=case[0]) for case in REFUSALS],
)
def test_each_override_refusal_word_for_word(
    call: Callable[[], object], template: str, message: str, fields: dict[str, object]
) -> None:
    """Every refusal of an override: its class, its template, its message and its fields."""
    error = refused(call)
    assert type(error) is ValidationError
    assert error.template == template
    assert str(error) == message
    assert dict(error.fields) == fields


def test_an_override_keeps_its_scope() -> None:
    override = CalendarOverride(DAY, HOLIDAY, "Libur", "SKB", region="64.03", agency="berau")
    assert (override.region, override.agency, override.scoped) == ("64.03", "berau", True)
    assert CalendarOverride(DAY, HOLIDAY, "Libur", "SKB").scoped is False


def test_parse_overrides_reads_every_table_in_file_order() -> None:
    text = """
[[override]]
date = 2025-12-24
kind = "holiday"
name = "Cuti bersama Natal (tambahan)"
basis = "SKB 3 Menteri 2025"

[[override]]
date = 2025-12-27
kind = "working_day"
name = "Hari kerja pengganti"
basis = "Surat Edaran Bupati"
region = "64.03"
agency = "berau"
"""
    assert parse_overrides(text) == (
        CalendarOverride(DAY, HOLIDAY, "Cuti bersama Natal (tambahan)", "SKB 3 Menteri 2025"),
        CalendarOverride(
            date(2025, 12, 27),
            OverrideKind.WORKING_DAY,
            "Hari kerja pengganti",
            "Surat Edaran Bupati",
            region="64.03",
            agency="berau",
        ),
    )


def test_invalid_toml_is_refused_with_its_key_and_the_parser_s_reason() -> None:
    text = "[[override]\n"
    with pytest.raises(tomllib.TOMLDecodeError) as parsing:
        tomllib.loads(text)
    reason = str(parsing.value)
    assert reason == "Expected ']]' at the end of an array declaration (at line 1, column 11)"

    error = refused(lambda: parse_overrides(text))

    assert type(error) is ProfileError
    assert error.key == "overrides"
    assert error.template == "invalid TOML: {reason}"
    assert dict(error.fields) == {"reason": reason}
    assert str(error) == f"overrides: invalid TOML: {reason}"
    assert error.problems == (f"overrides: invalid TOML: {reason}",)


def test_records_are_read_in_order() -> None:
    records = [
        {"date": DAY, "kind": "holiday", "name": "Libur", "basis": "SKB"},
        {"date": date(2025, 12, 27), "kind": "working_day", "name": "Kerja", "basis": "SE"},
    ]
    assert overrides_from_records(records) == (
        CalendarOverride(DAY, HOLIDAY, "Libur", "SKB"),
        CalendarOverride(date(2025, 12, 27), OverrideKind.WORKING_DAY, "Kerja", "SE"),
    )


def _record_error(call: Callable[[], object]) -> ProfileError:
    error = refused(call)
    assert type(error) is ProfileError
    return error


def test_a_record_s_problems_are_named_under_override_by_default() -> None:
    records = [
        {"date": DAY, "kind": "holiday", "name": "Libur", "basis": "SKB"},
        {"date": DAY, "kind": "hol", "name": " "},
    ]
    error = _record_error(lambda: overrides_from_records(records))
    assert error.problems == (
        "override[1].kind: expected 'holiday' or 'working_day', got 'hol'",
        "override[1].name: expected a non-empty string, got ' '",
        "override[1].basis: missing key",
    )


def test_a_record_s_problems_are_named_under_the_key_path_given() -> None:
    error = _record_error(
        lambda: overrides_from_records([{"date": DAY, "kind": "holiday"}], "calendar.override")
    )
    assert error.problems == (
        "calendar.override[0].name: missing key",
        "calendar.override[0].basis: missing key",
    )


def test_records_that_are_not_a_list_are_refused_under_override() -> None:
    error = _record_error(lambda: overrides_from_records(5))
    assert str(error) == "override: expected an array of tables, got int"


def test_every_problem_of_a_toml_table_is_reported_with_its_key() -> None:
    text = """
[[override]]
date = 2025-12-24T10:00:00
kind = "holiday"
name = " "
basis = "SKB"
region = "x"
agency = ""
colour = 1
"""
    error = _record_error(lambda: parse_overrides(text))
    assert str(error).split("\n") == [
        (
            "override[0].date: expected a TOML date such as 2025-12-24, got"
            " datetime.datetime(2025, 12, 24, 10, 0)"
        ),
        "override[0].name: expected a non-empty string, got ' '",
        (
            "override[0].region: invalid Kemendagri region code: 'x' (expected 64, 64.72,"
            " 64.72.01 or 64.72.01.1001)"
        ),
        "override[0].agency: expected a non-empty string, got ''",
        "override[0].colour: unknown key",
    ]
