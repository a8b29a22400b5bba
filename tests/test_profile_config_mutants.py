"""
What `lapor_core.domain.profile_config` builds and refuses, word for word (its mutation run).

The profile tests load whole files; these call the config classes directly, so that
mutation testing of ``lapor_core.domain.profile_config`` (``bench/mutation.py
profile_config``) finds a test for each change: each refusal of a field's rule (warning
thresholds at their bounds, a clock without a start event, unknown commands) with its
template, text and fields; each problem between tables (a clock without a duration, a
local status name given twice, the periods of a dated duration: inverted, overlapping,
touching, with a gap, out of order) with its key; the versions of a dated duration
compared whole; the options a profile builds, set or defaulted; and what a clock's
definition keeps of its events under the hold and rejection options.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from datetime import date

import attrs
import pytest

from helpers import national_toml
from lapor_core.domain._config import ConfigValueError
from lapor_core.domain.calendar_overrides import CalendarOverride, OverrideKind
from lapor_core.domain.clocks import BreachAction, ClockDefinition, DurationUnit
from lapor_core.domain.commands import COMMANDS
from lapor_core.domain.model import Basis, Confidence
from lapor_core.domain.profile_config import (
    CATEGORY_BASIS,
    CategoryConfig,
    ClockConfig,
    DurationConfig,
    DurationVersionConfig,
    ExtensionConfig,
    FlagConfig,
    LifecycleConfig,
    OptionsConfig,
    ProfileConfig,
    ProfileOverrideConfig,
    RatingConfig,
    ReopenConfig,
    StatusConfig,
    ThreadConfig,
)
from lapor_core.domain.profile_rules import (
    DEFAULT_NO_WRONG_DOOR_OPTION,
    DEFAULT_RULES_AT_CLOCK_START_OPTION,
    DEFAULT_THREAD_OPTION,
    DEFAULT_UNCATEGORISED_OPTION,
    Duration,
    ExtensionOption,
    FlagOption,
    OverrideRule,
    RatingOption,
    ThreadOption,
)
from lapor_core.errors import ProfileError, ValidationError

SOURCE = "a test source"
SURE = Confidence.INFERRED
BASIS = Basis(SOURCE, SURE)
NATIONAL = ProfileConfig.from_mapping(tomllib.loads(national_toml()))

Problem = tuple[str | None, str | None, str, dict[str, object]]


def _problems(errors: Iterable[ProfileError]) -> list[Problem]:
    """Each keyed problem whole: its key, template, text and fields."""
    found: list[Problem] = []
    for error in errors:
        assert type(error) is ProfileError
        found.append((error.key, error.template, str(error), dict(error.fields)))
    return found


def _reason(error: ConfigValueError) -> tuple[str, str | None, str, dict[str, object]]:
    """A field's refusal: the field, and its cause's template, text and fields."""
    cause = error.cause
    assert type(cause) is ValidationError
    return (error.field, cause.template, str(cause), dict(cause.fields))


# --------------------------------------------------------------------------- field rules


def _clock(
    start: tuple[str, ...] = ("ComplaintSubmitted",),
    pause: tuple[str, ...] = (),
    resume: tuple[str, ...] = (),
    duration: str | None = None,
    *,
    by_category: bool = False,
    warn_at: tuple[int, ...] = (),
) -> ClockConfig:
    return ClockConfig(
        basis=SOURCE,
        confidence=SURE,
        start=start,
        pause=pause,
        resume=resume,
        duration=duration,
        by_category=by_category,
        breach=BreachAction.WARN,
        warn_at=warn_at,
    )


@pytest.mark.parametrize("warn_at", [(1,), (99,), (1, 50, 99)])
def test_warning_thresholds_from_1_to_99_are_accepted(warn_at: tuple[int, ...]) -> None:
    assert _clock(warn_at=warn_at).warn_at == warn_at


@pytest.mark.parametrize("warn_at", [(0,), (100,), (50, 100)])
def test_warning_thresholds_outside_1_to_99_are_refused(warn_at: tuple[int, ...]) -> None:
    with pytest.raises(ConfigValueError) as caught:
        _clock(warn_at=warn_at)
    text = "thresholds are percents between 1 and 99"
    assert _reason(caught.value) == ("warn_at", text, text, {})


def test_a_clock_without_a_start_event_is_refused() -> None:
    with pytest.raises(ConfigValueError) as caught:
        _clock(start=())
    text = "a clock needs at least one start event"
    assert _reason(caught.value) == ("start", text, text, {})


def test_unknown_disabled_commands_are_named_with_every_choice() -> None:
    with pytest.raises(ConfigValueError) as caught:
        LifecycleConfig(basis=SOURCE, confidence=SURE, disabled_commands=("Submit", "Fly", "Swim"))
    choices = ", ".join(sorted(command.__name__ for command in COMMANDS))
    assert _reason(caught.value) == (
        "disabled_commands",
        "unknown command {names} (one of {choices})",
        f"unknown command 'Fly', 'Swim' (one of {choices})",
        {"names": "'Fly', 'Swim'", "choices": choices},
    )


# --------------------------------------------------------------------------- options


def test_options_built_from_their_tables() -> None:
    reopen = ReopenConfig(basis=SOURCE, confidence=SURE, enabled=True, max_count=2, window_days=3)
    flag = FlagConfig(basis=SOURCE, confidence=SURE, enabled=True)
    options = OptionsConfig(
        reopen=reopen,
        rating=RatingConfig(basis=SOURCE, confidence=SURE, enabled=True, scale=4),
        hold_pauses_clocks=flag,
        rejection_restarts_forwarding=flag,
        cuti_bersama=flag,
        extension=ExtensionConfig(
            basis=SOURCE, confidence=SURE, enabled=True, max_count=2, max_amount=9
        ),
        thread=ThreadConfig(basis=SOURCE, confidence=SURE, max_messages=7),
        uncategorised=flag,
        no_wrong_door=flag,
        rules_at_clock_start=flag,
    )
    assert options.rating.to_option() == RatingOption(True, 4, BASIS)
    assert options.extension.to_option() == ExtensionOption(True, 2, 9, BASIS)
    assert options.thread_option() == ThreadOption(7, BASIS)
    assert options.uncategorised_option() == FlagOption(True, BASIS)
    assert options.no_wrong_door_option() == FlagOption(True, BASIS)
    assert options.rules_at_clock_start_option() == FlagOption(True, BASIS)


def test_options_without_their_tables_are_the_defaults() -> None:
    options = attrs.evolve(
        NATIONAL.options,
        thread=None,
        uncategorised=None,
        no_wrong_door=None,
        rules_at_clock_start=None,
    )
    assert options.thread_option() is DEFAULT_THREAD_OPTION
    assert options.uncategorised_option() is DEFAULT_UNCATEGORISED_OPTION
    assert options.no_wrong_door_option() is DEFAULT_NO_WRONG_DOOR_OPTION
    assert options.rules_at_clock_start_option() is DEFAULT_RULES_AT_CLOCK_START_OPTION


def test_a_category_with_a_basis_keeps_it_and_its_confidence() -> None:
    category = CategoryConfig(service_standard="x", basis=SOURCE, confidence=Confidence.CONFIRMED)
    assert category.to_basis() == Basis(SOURCE, Confidence.CONFIRMED)
    assert CategoryConfig(service_standard="x", basis=" ").to_basis() is CATEGORY_BASIS


def test_an_override_rule_keeps_its_confidence() -> None:
    table = ProfileOverrideConfig(
        date(2026, 1, 2), OverrideKind.HOLIDAY, "Libur", SOURCE, confidence=Confidence.INFERRED
    )
    assert table.to_rule() == OverrideRule(
        CalendarOverride(date(2026, 1, 2), OverrideKind.HOLIDAY, "Libur", SOURCE),
        Confidence.INFERRED,
    )


# --------------------------------------------------------------------------- clocks


def test_a_clock_with_neither_a_duration_nor_by_category_is_refused() -> None:
    text = "give a duration key or by_category = true"
    assert _problems(_clock().problems("triage", {})) == [
        ("clocks.triage.duration", text, f"clocks.triage.duration: {text}", {})
    ]


def test_a_clock_with_both_a_duration_and_by_category_is_refused() -> None:
    clock = _clock(duration="forwarding", by_category=True)
    assert [str(problem) for problem in clock.problems("triage", {"forwarding": 1})] == [
        "clocks.triage.duration: give a duration key or by_category = true"
    ]


HOLD = frozenset({"InformationRequested", "InformationProvided"})
CLOCK = _clock(
    start=("ComplaintSubmitted", "DispositionRejected:returned"),
    pause=("InformationRequested", "ComplaintForwarded"),
    resume=("InformationProvided", "ForwardedInternally"),
    duration="forwarding",
)


def _definition(**options: bool) -> ClockDefinition:
    return CLOCK.to_definition("forwarding", **options)


def test_a_clock_keeps_every_event_when_both_options_are_on() -> None:
    definition = _definition(hold_pauses_clocks=True, rejection_restarts_forwarding=True)
    assert (definition.start, definition.pause, definition.resume) == (
        frozenset({"ComplaintSubmitted", "DispositionRejected:returned"}),
        frozenset({"InformationRequested", "ComplaintForwarded"}),
        frozenset({"InformationProvided", "ForwardedInternally"}),
    )


def test_without_hold_pauses_clocks_the_hold_events_neither_pause_nor_resume() -> None:
    definition = _definition(hold_pauses_clocks=False, rejection_restarts_forwarding=True)
    assert (definition.start, definition.pause, definition.resume) == (
        frozenset({"ComplaintSubmitted", "DispositionRejected:returned"}),
        frozenset({"ComplaintForwarded"}),
        frozenset({"ForwardedInternally"}),
    )


def test_without_rejection_restarts_forwarding_a_returned_rejection_does_not_start() -> None:
    definition = _definition(hold_pauses_clocks=True, rejection_restarts_forwarding=False)
    assert (definition.start, definition.pause, definition.resume) == (
        frozenset({"ComplaintSubmitted"}),
        frozenset({"InformationRequested", "ComplaintForwarded"}),
        frozenset({"InformationProvided", "ForwardedInternally"}),
    )


# --------------------------------------------------------------------------- durations


def _entry(start: date, end: date | None = None, amount: int = 5) -> DurationVersionConfig:
    return DurationVersionConfig(
        basis=SOURCE,
        confidence=SURE,
        valid_from=start,
        valid_until=end,
        amount=amount,
        unit=DurationUnit.WORKING_DAYS,
    )


def _duration(*history: DurationVersionConfig, until: date | None = None) -> DurationConfig:
    return DurationConfig(
        basis=SOURCE,
        confidence=SURE,
        amount=3,
        unit=DurationUnit.WORKING_DAYS,
        valid_until=until,
        history=history,
    )


JAN_1, JULY_1, JAN_1_2027 = date(2026, 1, 1), date(2026, 7, 1), date(2027, 1, 1)


def test_the_versions_of_a_dated_duration_follow_each_other() -> None:
    rule = _duration(
        _entry(JAN_1, amount=4), _entry(JULY_1, amount=6), _entry(JAN_1_2027, amount=8)
    )
    days = DurationUnit.WORKING_DAYS
    assert rule.versions() == (
        Duration(3, days, BASIS, None, date(2025, 12, 31)),
        Duration(4, days, BASIS, JAN_1, date(2026, 6, 30)),
        Duration(6, days, BASIS, JULY_1, date(2026, 12, 31)),
        Duration(8, days, BASIS, JAN_1_2027, None),
    )
    assert list(rule.problems("forwarding")) == []


def test_versions_ending_the_day_before_the_next_have_no_problem() -> None:
    rule = _duration(
        _entry(JAN_1, date(2026, 6, 30)),
        _entry(JULY_1, JULY_1),
        _entry(date(2026, 7, 2)),
        until=date(2025, 12, 31),
    )
    assert list(rule.problems("forwarding")) == []


def test_an_inverted_period_is_refused_and_the_later_entries_still_checked() -> None:
    rule = _duration(
        _entry(JAN_1), _entry(JULY_1, date(2026, 6, 1)), _entry(JAN_1_2027, date(2027, 2, 1))
    )
    assert _problems(rule.problems("forwarding")) == [
        (
            "durations.forwarding.history[1].valid_until",
            "{until} is before valid_from {start}",
            (
                "durations.forwarding.history[1].valid_until: 2026-06-01 is before "
                "valid_from 2026-07-01"
            ),
            {"until": "2026-06-01", "start": "2026-07-01"},
        ),
        (
            "durations.forwarding.history[2].valid_until",
            "no version is in force after {until}; the last version must stay open",
            (
                "durations.forwarding.history[2].valid_until: no version is in force after "
                "2027-02-01; the last version must stay open"
            ),
            {"until": "2027-02-01"},
        ),
    ]


NOT_AFTER = (
    "{following} is not after {start} (history[{index}]); list the versions in date order, "
    "one per start day"
)


def test_two_entries_starting_on_the_same_day_are_out_of_order() -> None:
    rule = _duration(_entry(JAN_1), _entry(JULY_1), _entry(JULY_1))
    assert _problems(rule.problems("forwarding")) == [
        (
            "durations.forwarding.history[2].valid_from",
            NOT_AFTER,
            (
                "durations.forwarding.history[2].valid_from: 2026-07-01 is not after 2026-07-01 "
                "(history[1]); list the versions in date order, one per start day"
            ),
            {"following": "2026-07-01", "start": "2026-07-01", "index": 1},
        )
    ]


def test_an_entry_starting_before_the_previous_one_is_out_of_order() -> None:
    rule = _duration(_entry(JULY_1), _entry(JAN_1))
    assert [str(problem) for problem in rule.problems("forwarding")] == [
        (
            "durations.forwarding.history[1].valid_from: 2026-01-01 is not after 2026-07-01 "
            "(history[0]); list the versions in date order, one per start day"
        )
    ]


def test_a_last_entry_with_an_end_is_refused() -> None:
    rule = _duration(_entry(JAN_1, JULY_1))
    assert [str(problem) for problem in rule.problems("forwarding")] == [
        (
            "durations.forwarding.history[0].valid_until: no version is in force after "
            "2026-07-01; the last version must stay open"
        )
    ]


def test_an_entry_ending_on_the_next_ones_start_overlaps_it() -> None:
    rule = _duration(_entry(JAN_1, JULY_1), _entry(JULY_1, JULY_1), _entry(JAN_1_2027))
    assert _problems(rule.problems("forwarding"))[0] == (
        "durations.forwarding.history[0].valid_until",
        "{until} overlaps the next version, in force from {following}",
        (
            "durations.forwarding.history[0].valid_until: 2026-07-01 overlaps the next version, "
            "in force from 2026-07-01"
        ),
        {"until": "2026-07-01", "following": "2026-07-01"},
    )


def test_a_gap_after_an_entry_is_refused_with_its_days() -> None:
    rule = _duration(_entry(JAN_1, date(2026, 6, 29)), _entry(JULY_1))
    assert [str(problem) for problem in rule.problems("forwarding")] == [
        (
            "durations.forwarding.history[0].valid_until: gap: no version is in force from "
            "2026-06-30 to 2026-06-30"
        )
    ]


def test_an_end_two_days_before_the_next_start_is_a_gap() -> None:
    rule = _duration(_entry(JAN_1, date(2026, 6, 28)), _entry(JULY_1))
    assert [str(problem) for problem in rule.problems("forwarding")] == [
        (
            "durations.forwarding.history[0].valid_until: gap: no version is in force from "
            "2026-06-29 to 2026-06-30"
        )
    ]


def test_a_table_ending_on_the_first_entrys_start_overlaps_it() -> None:
    rule = _duration(_entry(JAN_1), until=JAN_1)
    assert [str(problem) for problem in rule.problems("forwarding")] == [
        (
            "durations.forwarding.valid_until: 2026-01-01 overlaps the next version, in force "
            "from 2026-01-01"
        )
    ]


# --------------------------------------------------------------------------- statuses


def _statuses_with_local(**local: tuple[str, ...]) -> ProfileConfig:
    tables = {
        name: attrs.evolve(getattr(NATIONAL.statuses, name), local=names)
        for name, names in local.items()
    }
    return attrs.evolve(NATIONAL, statuses=attrs.evolve(NATIONAL.statuses, **tables))


def test_a_local_name_given_to_two_statuses_names_the_first() -> None:
    config = _statuses_with_local(submitted=("baru",), on_hold=("Baru",))
    assert _problems(config.problems()) == [
        (
            "statuses.on_hold.local",
            "{name!r} already maps to {other}",
            "statuses.on_hold.local: 'Baru' already maps to submitted",
            {"name": "Baru", "other": "submitted"},
        )
    ]


def test_a_status_table_needs_its_labels() -> None:
    with pytest.raises(ConfigValueError) as caught:
        StatusConfig(basis=SOURCE, confidence=SURE, id=" ", en="x")
    text = "label must not be empty"
    assert _reason(caught.value) == ("id", text, text, {})
