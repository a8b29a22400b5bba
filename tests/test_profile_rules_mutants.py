"""
What `lapor_core.domain.profile_rules` answers and refuses, word for word (its mutation run).

The profile tests load whole TOML files; these call the rules' own code directly, so that
mutation testing of ``lapor_core.domain.profile_rules`` (``bench/mutation.py
profile_rules``) finds a test for each change: every problem ``version_problems`` reports
with its dotted key, type, template, English text and fields, for one, two and three
versions; the amount's boundary (0 refused, 1 accepted); a period ending the day it
starts; and the first and last day of a version's period in ``Duration.in_force_on``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from lapor_core.domain.clocks import DurationUnit
from lapor_core.domain.model import Basis, Confidence
from lapor_core.domain.profile_rules import Duration, version_problems
from lapor_core.errors import ValidationError

BASIS = Basis("a test rule", Confidence.LOCAL)
JUNE_30 = date(2026, 6, 30)
JULY_1 = date(2026, 7, 1)

Problem = tuple[str, type, str | None, str, dict[str, object]]


def _version(amount: int = 5, start: date | None = None, end: date | None = None) -> Duration:
    return Duration(amount, DurationUnit.WORKING_DAYS, BASIS, start, end)


def _problems(versions: Sequence[Duration]) -> list[Problem]:
    """Each problem whole: key, the error's type, template, English text and fields."""
    return [
        (key, type(error), error.template, str(error), dict(error.fields))
        for key, error in version_problems("forwarding", versions)
    ]


def test_a_well_formed_history_of_three_versions_has_no_problem() -> None:
    versions = [
        _version(end=JUNE_30),
        _version(start=JULY_1, end=date(2026, 12, 31)),
        _version(start=date(2027, 1, 1)),
    ]
    assert _problems(versions) == []


def test_a_single_open_version_has_no_problem() -> None:
    assert _problems([_version()]) == []


def test_an_amount_of_one_is_accepted() -> None:
    assert _problems([_version(amount=1)]) == []


def test_an_amount_of_zero_on_the_table_is_refused_under_its_own_key() -> None:
    assert _problems([_version(amount=0)]) == [
        (
            "durations.forwarding.amount",
            ValidationError,
            "must be positive, got {amount}",
            "must be positive, got 0",
            {"amount": 0},
        )
    ]


def test_a_negative_amount_in_the_history_is_refused_under_its_entry() -> None:
    versions = [_version(end=JUNE_30), _version(amount=-3, start=JULY_1)]
    assert _problems(versions) == [
        (
            "durations.forwarding.history[0].amount",
            ValidationError,
            "must be positive, got {amount}",
            "must be positive, got -3",
            {"amount": -3},
        )
    ]


def test_a_period_of_one_day_is_accepted() -> None:
    versions = [_version(end=JUNE_30), _version(start=JULY_1, end=JULY_1)]
    versions.append(_version(start=date(2026, 7, 2)))
    assert _problems(versions) == []


def test_a_period_ending_before_it_starts_is_refused() -> None:
    versions = [_version(end=JUNE_30), _version(start=JULY_1, end=JUNE_30)]
    versions.append(_version(start=JULY_1))
    assert _problems(versions) == [
        (
            "durations.forwarding.history[0].valid_until",
            ValidationError,
            "{until} is before valid_from",
            "2026-06-30 is before valid_from",
            {"until": "2026-06-30"},
        )
    ]


def test_no_version_at_all_is_refused() -> None:
    assert _problems([]) == [
        ("durations.forwarding", ValidationError, "no version", "no version", {})
    ]


def test_a_first_version_with_a_start_is_refused() -> None:
    assert _problems([_version(start=JULY_1)]) == [
        (
            "durations.forwarding.valid_from",
            ValidationError,
            "no version is in force before it",
            "no version is in force before it",
            {},
        )
    ]


def test_a_single_version_with_an_end_is_refused_on_the_table() -> None:
    assert _problems([_version(end=JUNE_30)]) == [
        (
            "durations.forwarding.valid_until",
            ValidationError,
            "the last version must stay open",
            "the last version must stay open",
            {},
        )
    ]


def test_a_last_history_entry_with_an_end_is_refused_on_that_entry() -> None:
    versions = [_version(end=JUNE_30), _version(start=JULY_1, end=date(2026, 12, 31))]
    assert _problems(versions) == [
        (
            "durations.forwarding.history[0].valid_until",
            ValidationError,
            "the last version must stay open",
            "the last version must stay open",
            {},
        )
    ]


NOT_THE_DAY_AFTER = "must be the day after the previous version's valid_until (no gap, no overlap)"


def _not_the_day_after(key: str) -> Problem:
    return (key, ValidationError, NOT_THE_DAY_AFTER, NOT_THE_DAY_AFTER, {})


def test_a_version_after_an_open_ended_one_is_refused() -> None:
    versions = [_version(), _version(start=JULY_1)]
    assert _problems(versions) == [_not_the_day_after("durations.forwarding.history[0].valid_from")]


def test_a_version_without_a_start_after_a_closed_one_is_refused() -> None:
    versions = [_version(end=JUNE_30), _version()]
    assert _problems(versions) == [_not_the_day_after("durations.forwarding.history[0].valid_from")]


def test_a_gap_between_versions_is_refused() -> None:
    versions = [_version(end=JUNE_30), _version(start=date(2026, 7, 2))]
    assert _problems(versions) == [_not_the_day_after("durations.forwarding.history[0].valid_from")]


def test_an_overlap_of_versions_is_refused() -> None:
    versions = [_version(end=JULY_1), _version(start=JULY_1)]
    assert _problems(versions) == [_not_the_day_after("durations.forwarding.history[0].valid_from")]


def test_a_version_is_in_force_from_its_first_day_to_its_last() -> None:
    version = _version(start=JULY_1, end=date(2026, 12, 31))
    assert [
        version.in_force_on(day) for day in (JUNE_30, JULY_1, date(2026, 12, 31), date(2027, 1, 1))
    ] == [False, True, True, False]


def test_an_open_version_is_in_force_on_every_day() -> None:
    assert _version().in_force_on(date(1900, 1, 1)) is True
    assert _version(start=JULY_1).in_force_on(date(9999, 12, 31)) is True
    assert _version(end=JUNE_30).in_force_on(date(1900, 1, 1)) is True
