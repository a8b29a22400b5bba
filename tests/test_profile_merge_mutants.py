"""
What `lapor_core.domain.profile_merge` gives, value for value (its mutation run).

The extension tests merge whole profiles; these call the merge on small mappings, so that
mutation testing of ``lapor_core.domain.profile_merge`` (``bench/mutation.py
profile_merge``) finds a test for each change: which changes of a rule's value mark it
"basis not given" (a changed value, two changed values named in order) and which do not
(a value restated as it was, a changed period, a changed sub-table or history, a basis of
its own), a rule after a plain value, and every form ``toml_value`` writes.
"""

from __future__ import annotations

from datetime import date

from lapor_core.domain.profile_merge import BASIS_NOT_GIVEN, merge_profile_data, toml_value

PARENT: dict[str, object] = {
    "version": 1,
    "durations": {
        "forwarding": {
            "amount": 5,
            "unit": "working_days",
            "basis": "Perpres 76/2013",
            "confidence": "C",
            "valid_from": date(2025, 1, 1),
            "note": {"text": "parent note"},
        }
    },
}


def _forwarding(child_rule: dict[str, object]) -> object:
    """The merged ``durations.forwarding`` when the child states *child_rule* for it."""
    child: dict[str, object] = {"version": 2, "durations": {"forwarding": child_rule}}
    merged = merge_profile_data(PARENT, child)
    durations = merged["durations"]
    assert isinstance(durations, dict)
    return durations["forwarding"]


def test_a_changed_amount_without_a_basis_is_marked_local() -> None:
    assert _forwarding({"amount": 3}) == {
        "amount": 3,
        "unit": "working_days",
        "basis": f"{BASIS_NOT_GIVEN} (changed: amount; the parent's basis: Perpres 76/2013)",
        "confidence": "L",
        "valid_from": date(2025, 1, 1),
        "note": {"text": "parent note"},
    }


def test_the_changed_values_are_named_in_the_childs_order() -> None:
    rule = _forwarding({"unit": "calendar_days", "amount": 3})
    assert isinstance(rule, dict)
    assert rule["basis"] == (
        "local choice, basis not given (changed: unit, amount; the parent's basis: Perpres 76/2013)"
    )


def test_a_value_restated_as_it_was_keeps_the_parents_basis() -> None:
    rule = _forwarding({"amount": 5})
    assert isinstance(rule, dict)
    assert (rule["basis"], rule["confidence"]) == ("Perpres 76/2013", "C")


def test_a_changed_period_keeps_the_parents_basis() -> None:
    rule = _forwarding({"valid_from": date(2026, 1, 1), "confidence": "I"})
    assert isinstance(rule, dict)
    assert (rule["basis"], rule["confidence"], rule["valid_from"]) == (
        "Perpres 76/2013",
        "I",
        date(2026, 1, 1),
    )


def test_a_changed_sub_table_keeps_the_parents_basis() -> None:
    rule = _forwarding({"note": {"text": "child note"}})
    assert isinstance(rule, dict)
    assert (rule["basis"], rule["note"]) == ("Perpres 76/2013", {"text": "child note"})


def test_a_history_of_its_own_keeps_the_parents_basis() -> None:
    history: list[object] = [{"amount": 7, "valid_from": date(2026, 1, 1), "basis": "new"}]
    rule = _forwarding({"history": history})
    assert isinstance(rule, dict)
    assert (rule["basis"], rule["history"]) == ("Perpres 76/2013", history)


def test_a_list_of_plain_values_counts_as_a_change() -> None:
    rule = _forwarding({"local": ["Baru"]})
    assert isinstance(rule, dict)
    assert rule["basis"] == (
        f"{BASIS_NOT_GIVEN} (changed: local; the parent's basis: Perpres 76/2013)"
    )


def test_a_change_with_a_basis_of_its_own_keeps_that_basis() -> None:
    rule = _forwarding({"amount": 3, "basis": "Perda 1/2025"})
    assert isinstance(rule, dict)
    assert (rule["amount"], rule["basis"], rule["confidence"]) == (3, "Perda 1/2025", "C")


def test_a_rule_after_a_plain_value_of_the_child_is_still_marked() -> None:
    # "version" comes first in the child: a plain value must not end the walk.
    rule = _forwarding({"amount": 3})
    assert isinstance(rule, dict)
    assert rule["confidence"] == "L"


def test_a_rule_nested_under_a_plain_table_is_marked() -> None:
    parent: dict[str, object] = {"options": {"reopen": {"max_count": 1, "basis": "SE"}}}
    child: dict[str, object] = {"options": {"reopen": {"max_count": 2}}}
    assert merge_profile_data(parent, child) == {
        "options": {
            "reopen": {
                "max_count": 2,
                "basis": f"{BASIS_NOT_GIVEN} (changed: max_count; the parent's basis: SE)",
                "confidence": "L",
            }
        }
    }


def test_toml_value_writes_booleans_lowercase() -> None:
    assert (toml_value(True), toml_value(False)) == ("true", "false")


def test_toml_value_escapes_backslashes_and_quotes() -> None:
    assert toml_value('a\\b "c"') == '"a\\\\b \\"c\\""'


def test_toml_value_writes_dates_and_numbers() -> None:
    assert (toml_value(date(2026, 1, 9)), toml_value(5)) == ("2026-01-09", "5")


def test_toml_value_writes_an_inline_table() -> None:
    assert toml_value({"a": 1, "b": "x", "c": {}}) == '{a = 1, b = "x", c = {}}'


def test_toml_value_writes_an_array() -> None:
    assert toml_value([1, "x", True]) == '[1, "x", true]'
    assert toml_value(()) == "[]"
