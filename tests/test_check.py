"""The profile check: model-checking lifecycles and clocks, and the `lapor-core check` CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import attrs
import pytest

from helpers import PROFILE
from lapor_core import (
    Profile,
    ProfileError,
    RequestInformation,
    Status,
    load_profile,
)
from lapor_core.cli import main
from lapor_core.domain.check import CheckProblem, CheckReport, check
from lapor_core.domain.lifecycle import TRANSITIONS
from lapor_core.domain.profile import (
    KNOWN_TRIGGERS,
    Basis,
    Confidence,
    Duration,
    DurationUnit,
    StatusLabels,
)

BROKEN = Path(__file__).parent / "profiles_broken"


def _child(extra: str) -> Profile:
    """A profile extending national with *extra* TOML."""
    return Profile.from_toml('[profile]\nname = "t"\nparent = "national"\n' + extra, PROFILE)


def _disabled(*commands: str) -> Profile:
    names = ", ".join(f'"{name}"' for name in commands)
    return _child(f'[lifecycle]\ndisabled_commands = [{names}]\nbasis = "b"\nconfidence = "L"\n')


def _keys(report: CheckReport) -> set[str]:
    return {problem.key for problem in report.problems}


def _messages(report: CheckReport) -> str:
    return "\n".join(str(problem) for problem in report.problems)


# --------------------------------------------------------------------------- clean profiles


@pytest.mark.parametrize("name", ["national", "kaltim"])
def test_bundled_profiles_are_clean(name: str) -> None:
    report = check(load_profile(name))
    assert () == report.problems
    assert report.ok
    assert f"profile {name!r}: ok, no problems\n" == report.render()


@pytest.mark.parametrize(
    "toml",
    [
        "[options.reopen]\nenabled = true\n",
        "[options.rating]\nenabled = true\n",
        "[options.hold_pauses_clocks]\nenabled = false\n",
        "[options.rejection_restarts_forwarding]\nenabled = false\n",
        "[options.cuti_bersama]\nenabled = false\n",
    ],
)
def test_national_with_other_options_is_clean(toml: str) -> None:
    assert () == check(_child(toml)).problems


def test_the_events_of_the_table_cover_the_triggers() -> None:
    produced = {event.__name__ for row in TRANSITIONS for event in row.events}
    assert {t for t in KNOWN_TRIGGERS if ":" not in t} <= produced


# --------------------------------------------------------------------------- statuses


def test_disabling_forward_makes_three_statuses_unreachable() -> None:
    report = check(_disabled("Forward"))
    for status in ("forwarded", "in_progress", "completed"):
        assert f"statuses.{status}" in _keys(report)
    assert "statuses.submitted" not in _keys(report)
    assert "statuses.on_hold" not in _keys(report)  # the hold returns to submitted only
    assert "unreachable" in _messages(report)
    assert "disables Forward" in _messages(report)
    assert "clocks.follow_up.start" in _keys(report)
    assert "clocks.reply_window.start" in _keys(report)


def test_a_custom_table_without_hold_leaves_on_hold_unreachable() -> None:
    table = [row for row in TRANSITIONS if row.command is not RequestInformation]
    report = check(PROFILE, table)
    assert {"statuses.on_hold", "clocks.information.start"} == _keys(report)
    assert (
        "statuses.on_hold: unreachable: no sequence of commands leads from submission to "
        "on_hold under this profile's lifecycle" == str(report.problems[0])
    )


def test_a_custom_table_with_two_rows_for_one_command_is_a_problem() -> None:
    report = check(PROFILE, (*TRANSITIONS, TRANSITIONS[1]))
    assert ["lifecycle"] == [p.key for p in report.problems]
    assert "two rows" in report.problems[0].message


def test_a_status_that_cannot_end_is_reported() -> None:
    report = check(_disabled("Close", "AutoClose"))
    assert "statuses.in_progress" in _keys(report)
    assert "cannot end" in _messages(report)
    assert "clocks.reply_window.breach" in _keys(report)  # AutoClose is gone


def test_reopening_keeps_completed_able_to_end() -> None:
    report = check(_child("[options.reopen]\nenabled = true\n"))
    assert report.ok


def test_a_reopened_complaint_without_a_clock_is_a_problem() -> None:
    report = check(
        _child(
            "[options.reopen]\nenabled = true\n"
            '[clocks.follow_up]\nstart = ["ComplaintForwarded"]\nbasis = "b"\nconfidence = "L"\n'
        )
    )
    assert {"statuses.in_progress"} == _keys(report)
    assert (
        "statuses.in_progress: no deadline: in_progress can be reached with no clock running "
        "(after ComplaintReopened); name a clock that starts on one of these events"
        == str(report.problems[0])
    )


def test_without_reopening_the_same_clocks_are_clean() -> None:
    report = check(
        _child(
            '[clocks.follow_up]\nstart = ["ComplaintForwarded"]\nbasis = "b"\nconfidence = "L"\n'
        )
    )
    assert report.ok


def test_a_per_assignment_clock_cannot_start_on_submission() -> None:
    report = check(
        _child(
            '[clocks.follow_up]\nstart = ["ComplaintSubmitted", "ComplaintForwarded"]\n'
            'basis = "b"\nconfidence = "L"\n'
        )
    )
    assert {"clocks.follow_up.start"} == _keys(report)
    assert "ComplaintSubmitted can never start it" in _messages(report)


def test_a_hold_that_pauses_the_only_clock_is_a_problem() -> None:
    report = check(
        _child(
            '[clocks.information]\nstart = ["ComplaintArchived"]\nbasis = "b"\nconfidence = "L"\n'
            '[clocks.statutory_response]\npause = ["InformationRequested"]\nstop = []\n'
            'basis = "b"\nconfidence = "L"\n'
        )
    )
    assert "statuses.on_hold" in _keys(report)
    assert "(after InformationRequested)" in _messages(report)


# --------------------------------------------------------------------------- clocks


def test_a_clock_whose_start_never_happens() -> None:
    report = check(
        _child(
            '[clocks.rated]\nduration = "follow_up"\nstart = ["ComplaintRated"]\n'
            'breach = "warn"\nbasis = "b"\nconfidence = "L"\n'
        )
    )
    assert ["clocks.rated.start"] == [p.key for p in report.problems]
    assert "never starts" in report.problems[0].message


def test_a_clock_starting_on_a_terminal_event_never_starts() -> None:
    report = check(
        _child(
            '[clocks.after]\nduration = "follow_up"\nstart = ["ComplaintClosed"]\n'
            'breach = "warn"\nbasis = "b"\nconfidence = "L"\n'
        )
    )
    assert {"clocks.after.start"} == _keys(report)


def test_a_clock_that_never_stops() -> None:
    report = check(
        _child(
            '[lifecycle]\ndisabled_commands = ["Close"]\nbasis = "b"\nconfidence = "L"\n'
            '[clocks.reply_window]\nbreach = "warn"\n'
        )
    )
    assert "clocks.reply_window" in _keys(report)
    assert (
        "clocks.reply_window: never stops: once it runs in in_progress, neither a stop event "
        "(none) nor closing or archiving can follow" in _messages(report)
    )


def test_a_clock_without_stop_events_is_fine_because_closing_stops_it() -> None:
    assert frozenset() == PROFILE.clocks["service_standard"].stop
    assert check(PROFILE).ok


def test_stop_events_that_never_happen_while_the_clock_runs() -> None:
    report = check(
        _child(
            '[clocks.odd]\nduration = "follow_up"\nstart = ["FollowUpPosted"]\n'
            'stop = ["InformationProvided"]\nbreach = "warn"\nbasis = "b"\nconfidence = "L"\n'
        )
    )
    assert ["clocks.odd.stop"] == [p.key for p in report.problems]
    assert "(in in_progress)" in report.problems[0].message


def test_auto_close_must_fire_only_in_progress() -> None:
    report = check(
        _child(
            '[clocks.early]\nduration = "follow_up"\nstart = ["ComplaintForwarded"]\n'
            'stop = ["FollowUpPosted"]\nbreach = "auto_close"\nbasis = "b"\nconfidence = "L"\n'
        )
    )
    assert ["clocks.early.breach"] == [p.key for p in report.problems]
    assert "AutoClose can close the complaint only in in_progress" in report.problems[0].message
    assert "can fire in submitted, on_hold, forwarded" in report.problems[0].message


def test_archive_withdrawn_must_fire_only_on_hold() -> None:
    report = check(
        _child(
            '[clocks.information]\nstart = ["ComplaintSubmitted"]\nstop = ["ComplaintForwarded"]\n'
        )
    )
    assert "clocks.information.breach" in _keys(report)
    assert "RecordBreach can archive it as withdrawn only in on_hold" in _messages(report)


def test_where_a_clock_runs_follows_pauses() -> None:
    # The forwarding clock is paused on hold: its escalation never fires there. With
    # the hold not pausing clocks it fires there, and RecordBreach allows it on hold.
    assert check(_child("[options.hold_pauses_clocks]\nenabled = false\n")).ok


def test_breaches_and_warnings_need_their_commands() -> None:
    report = check(_disabled("RecordBreach", "RecordWarning"))
    keys = _keys(report)
    assert {"clocks.forwarding.breach", "clocks.forwarding.warn_at"} <= keys
    assert "clocks.information.breach" in keys
    assert "clocks.reply_window.breach" not in keys  # AutoClose still there


# --------------------------------------------------------------------------- rules


def test_rule_problems_of_a_programmatic_profile() -> None:
    blank = StatusLabels(" ", "Done", (), Basis("b", Confidence.CONFIRMED))
    labels = {**PROFILE.labels, Status.COMPLETED: blank}
    durations = {
        **PROFILE.durations,
        "forwarding": Duration(-1, DurationUnit.WORKING_DAYS, Basis("", Confidence.UNKNOWN)),
        "follow_up": Duration(5, DurationUnit.WORKING_DAYS, Basis("", Confidence.LOCAL)),
    }
    profile = attrs.evolve(PROFILE, labels=labels, durations=durations)
    report = check(profile)
    assert {
        "statuses.completed.id",
        "durations.forwarding.amount",
        "durations.forwarding.basis",
    } == _keys(report)
    assert "durations.follow_up.basis" not in _keys(report)  # marked local


def test_problem_from_a_parse_error() -> None:
    problem = CheckProblem.from_error(ProfileError("durations.x.amount: must be positive, got -1"))
    assert ("durations.x.amount", "must be positive, got -1") == (problem.key, problem.message)
    problem = CheckProblem.from_error(ProfileError("profile is not valid TOML: bad"))
    assert ("profile", "profile is not valid TOML: bad") == (problem.key, problem.message)


def test_report_render_lists_problems() -> None:
    report = CheckReport("x", (CheckProblem("a.b", "bad"), CheckProblem("c", "worse")))
    assert not report.ok
    assert "profile 'x': 2 problem(s)\n  a.b: bad\n  c: worse\n" == report.render()


# --------------------------------------------------------------------------- the CLI


@pytest.mark.parametrize("name", ["national", "kaltim"])
def test_cli_check_of_a_clean_profile_exits_0(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert 0 == main(["check", name])
    assert f"profile {name!r}: ok, no problems\n" == capsys.readouterr().out


BROKEN_CASES = [
    ("unreachable_status.toml", "statuses.forwarded: unreachable"),
    ("clock_never_stops.toml", "clocks.reply_window: never stops"),
    ("missing_label.toml", "statuses.completed.en: label must not be empty"),
    ("negative_duration.toml", "durations.forwarding.amount: must be positive, got -3"),
    ("unknown_key.toml", "options.reopen.max_cont: unknown key"),
    ("misplaced_breach.toml", "clocks.early_close.breach: breach action auto_close"),
    ("three_mistakes.toml", "durations.follow_up.amount: must be positive, got 0"),
]


def test_every_broken_profile_is_tested() -> None:
    assert {name for name, _ in BROKEN_CASES} == {p.name for p in BROKEN.glob("*.toml")}


@pytest.mark.parametrize(("name", "message"), BROKEN_CASES)
def test_cli_check_of_a_broken_profile_exits_1(
    name: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert 1 == main(["check", str(BROKEN / name)])
    out = capsys.readouterr().out
    assert "problem(s)" in out.splitlines()[0]
    assert f"  {message}" in out


def test_cli_check_lists_every_mistake_of_a_profile_with_its_path(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A profile with three independent mistakes: all three are printed, and the exit is 1."""
    assert 1 == main(["check", str(BROKEN / "three_mistakes.toml")])
    path = BROKEN / "three_mistakes.toml"
    assert [
        f"profile {str(path)!r}: 3 problem(s)",
        "  options.rating.scale: expected int, got str",
        "  durations.follow_up.amount: must be positive, got 0",
        "  categories.air-bersih.owner: unknown key",
    ] == capsys.readouterr().out.splitlines()


def test_report_from_an_error_has_one_problem_per_problem() -> None:
    error = ProfileError("a.b: bad", "c[0].d: missing key", "profile is not valid TOML: x")
    report = CheckReport.from_error("p", error)
    assert [("a.b", "bad"), ("c[0].d", "missing key"), ("profile", str(error.problems[2]))] == [
        (problem.key, problem.message) for problem in report.problems
    ]
    first = CheckProblem.from_error(error)
    assert ("a.b", "bad") == (first.key, first.message)


def test_cli_check_of_a_missing_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert 2 == main(["check", str(tmp_path / "missing.toml")])
    assert "does not exist" in capsys.readouterr().err
    assert 2 == main(["check", "atlantis"])


def test_cli_check_without_an_argument_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as info:
        main(["check"])
    assert 2 == info.value.code


def test_cli_check_as_a_module() -> None:
    result = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "lapor_core", "check", str(BROKEN / "unreachable_status.toml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert 1 == result.returncode
    assert "statuses.in_progress: unreachable" in result.stdout
    ok = subprocess.run(
        [sys.executable, "-m", "lapor_core", "check", "kaltim"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (0, "profile 'kaltim': ok, no problems\n") == (ok.returncode, ok.stdout)
