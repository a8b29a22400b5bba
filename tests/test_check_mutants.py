"""
What `lapor_core.domain.check` answers and refuses, word for word (its mutation run).

``tests/test_check.py`` shows which problems the profile check finds; these pin each
problem whole (its ``key: message``, its English template and its fields), the reports
built from parse errors, and the corners of the model: breaches that close or archive,
returns from hold, pauses and resumes, clocks that one step stops while another runs,
tables whose statuses have no rows. ``bench/mutation.py check`` runs them against every
mutant of the module.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import attrs

from helpers import PROFILE
from lapor_core import Profile, ProfileError, Status, load_profile, load_registry
from lapor_core.domain import commands as c
from lapor_core.domain import events as e
from lapor_core.domain.actors import Role
from lapor_core.domain.check import CheckProblem, CheckReport, check, scope_warnings
from lapor_core.domain.clocks import BreachAction, ClockDefinition, ClockScope
from lapor_core.domain.lifecycle import TRANSITIONS
from lapor_core.domain.profile import Basis, Confidence, Duration, DurationUnit
from lapor_core.domain.transition import Outcome, Target, Transition
from lapor_core.errors import LaporError

S = Status
LOCAL = Basis("b", Confidence.LOCAL)

Spelled = tuple[str, str | None, dict[str, object]]
"""A problem whole: ``key: message``, its template and its fields."""

UNREACHABLE = (
    "unreachable: no sequence of commands leads from submission to {status} under this "
    "profile's lifecycle"
)
UNREACHABLE_DISABLED = UNREACHABLE + " (the profile disables {disabled})"
CANNOT_END = "cannot end: no terminal status (completed or archived) can be reached from {status}"
CANNOT_END_DISABLED = CANNOT_END + " (the profile disables {disabled})"
NO_DEADLINE = (
    "no deadline: {status} can be reached with no clock running (after {events}); name a "
    "clock that starts on one of these events"
)
NEVER_STARTS = (
    "never starts: none of its start events ({items}) can happen under this profile's lifecycle"
)
NEVER_STOPS = (
    "never stops: once it runs in {at}, neither a stop event ({stop}) nor closing or "
    "archiving can follow"
)
STOP_NEVER_HAPPENS = (
    "none of its stop events ({items}) can happen while it runs (in {where}); it stops only "
    "when the complaint is closed or archived"
)
BREACH = "breach action {breach} can fire in {statuses}, where the clock runs; {detail}"
WARNINGS = "warnings can fall due in {statuses}, where RecordWarning is not allowed"
POSITIVE = "must be positive, got {value}"
AMOUNT = "must be positive, got {amount}"
NOWHERE = "RecordBreach is allowed only in no status"
"""The detail of a breach when no status has a RecordBreach row that keeps it."""


def _child(extra: str, parent: Profile = PROFILE) -> Profile:
    """A profile extending national (or *parent*) with *extra* TOML."""
    head = f'[profile]\nname = "t"\nparent = "{parent.name}"\n'
    return Profile.from_toml(head + extra, parent)


def _disabled(*commands: str) -> Profile:
    names = ", ".join(f'"{name}"' for name in commands)
    return _child(f'[lifecycle]\ndisabled_commands = [{names}]\nbasis = "b"\nconfidence = "L"\n')


def _spelled(problem: CheckProblem) -> Spelled:
    """A problem whole (a field that is an error as its text: errors compare by identity)."""
    fields = {
        name: str(value) if isinstance(value, LaporError) else value
        for name, value in problem.fields.items()
    }
    return (str(problem), problem.template, fields)


def _all(problems: Iterable[CheckProblem]) -> list[Spelled]:
    return [_spelled(problem) for problem in problems]


def _keys(problems: Iterable[CheckProblem]) -> list[str]:
    return [problem.key for problem in problems]


def _problem(key: str, template: str, **fields: object) -> Spelled:
    """The problem *key* whose message is *template* filled in with *fields*."""
    return (f"{key}: {template.format(**fields)}", template, fields)


def _status(status: str, template: str, **fields: object) -> Spelled:
    """A problem of a status, keyed ``statuses.<status>``."""
    return _problem(f"statuses.{status}", template, status=status, **fields)


def _breach(name: str, action: str, statuses: str, detail: str) -> Spelled:
    fields: dict[str, object] = {"breach": action, "statuses": statuses, "detail": detail}
    return _problem(f"clocks.{name}.breach", BREACH, **fields)


def _warned(name: str, statuses: str) -> Spelled:
    return _problem(f"clocks.{name}.warn_at", WARNINGS, statuses=statuses)


def _clock(
    name: str,
    start: Iterable[str],
    stop: Iterable[str] = (),
    *,
    pause: Iterable[str] = (),
    resume: Iterable[str] = (),
    breach: BreachAction = BreachAction.WARN,
    scope: ClockScope = ClockScope.COMPLAINT,
) -> ClockDefinition:
    return ClockDefinition(
        name,
        frozenset(start),
        frozenset(stop),
        frozenset(pause),
        frozenset(resume),
        "follow_up",
        breach,
        LOCAL,
        scope=scope,
    )


def _only(profile: Profile, *clocks: ClockDefinition) -> Profile:
    """*profile* with *clocks* as its only clocks."""
    return attrs.evolve(profile, clocks={clock.name: clock for clock in clocks})


def _plus(profile: Profile, clock: ClockDefinition) -> Profile:
    """*profile* with *clock* besides its own clocks."""
    return attrs.evolve(profile, clocks={**profile.clocks, clock.name: clock})


def _to(target: Status | Target, *events: type[e.Event]) -> Outcome:
    return Outcome(events, target)


def _row(source: Status | None, command: type[c.Command], *outcomes: Outcome) -> Transition:
    return Transition(source, command, frozenset({Role.SYSTEM}), outcomes, "b")


SUBMIT = _row(None, c.Submit, _to(S.SUBMITTED, e.ComplaintSubmitted))
CHAIN_UP = (
    SUBMIT,
    _row(S.SUBMITTED, c.Forward, _to(S.FORWARDED, e.ComplaintForwarded)),
    _row(S.FORWARDED, c.PostFollowUp, _to(S.IN_PROGRESS, e.FollowUpPosted)),
    _row(S.IN_PROGRESS, c.Close, _to(S.COMPLETED, e.ComplaintClosed)),
)
"""submitted -> forwarded -> in_progress -> completed, and no row out of completed."""
CHAIN_DOWN = (
    SUBMIT,
    _row(S.SUBMITTED, c.PostFollowUp, _to(S.IN_PROGRESS, e.FollowUpPosted)),
    _row(S.IN_PROGRESS, c.Forward, _to(S.FORWARDED, e.ComplaintForwarded)),
    _row(S.FORWARDED, c.Close, _to(S.COMPLETED, e.ComplaintClosed)),
)
"""submitted -> in_progress -> forwarded -> completed: the same statuses the other way."""
CHAIN_PROBLEMS = [
    _status("on_hold", UNREACHABLE),
    _status("archived", UNREACHABLE),
    _breach("a", "warn", "submitted, forwarded, in_progress", NOWHERE),
]
"""What either chain reports for a clock ``a`` started on submission (no hold, no archive)."""


# --------------------------------------------------------------------------- problems


def test_a_problem_of_a_template_keeps_the_template_and_its_fields() -> None:
    problem = CheckProblem.of("a.b", "got {count} of {what!r}", count=2, what="x")
    assert ("a.b: got 2 of 'x'", "got {count} of {what!r}", {"count": 2, "what": "x"}) == (
        _spelled(problem)
    )


def test_parse_splits_a_line_at_its_first_colon() -> None:
    problem = CheckProblem.parse("a.b: expected int: got str")
    assert ("a.b", "expected int: got str", None) == (
        problem.key,
        problem.message,
        problem.template,
    )


def test_the_problem_of_an_error_without_problems_is_empty() -> None:
    problem = CheckProblem.from_error(ProfileError())
    assert ("profile", "", None) == (problem.key, problem.message, problem.template)


def test_a_report_of_a_keyed_template_error_keeps_its_template() -> None:
    error = ProfileError("expected str, got {got}", key="profile.parent", got="int")
    report = CheckReport.from_error("p", error)
    assert "p" == report.profile
    assert [
        ("profile.parent: expected str, got int", "expected str, got {got}", {"got": "int"})
    ] == _all(report.problems)


def test_a_report_of_a_keyed_error_without_fields_keeps_its_template() -> None:
    report = CheckReport.from_error("p", ProfileError("unknown key", key="options.x"))
    assert ("p", [("options.x: unknown key", "unknown key", {})]) == (
        report.profile,
        _all(report.problems),
    )


def test_a_report_of_a_template_error_without_a_key_is_keyed_profile() -> None:
    report = CheckReport.from_error("p", ProfileError("expected {what}", what="int"))
    assert [("profile: expected int", "expected {what}", {"what": "int"})] == _all(report.problems)
    assert ["profile"] == _keys(report.problems)


def test_a_report_of_nested_errors_keeps_the_templates_of_keyed_ones() -> None:
    error = ProfileError(
        ProfileError("bad {x}", key="a.b", x=1), ProfileError("c.d: plain"), "e: f"
    )
    report = CheckReport.from_error("p", error)
    assert [
        ("a.b: bad 1", "bad {x}", {"x": 1}),
        ("c.d: plain", None, {}),
        ("e: f", None, {}),
    ] == _all(report.problems)
    assert ["a.b", "c.d", "e"] == _keys(report.problems)


def test_a_report_of_an_error_without_problems_has_one_empty_problem() -> None:
    report = CheckReport.from_error("p", ProfileError())
    assert ("p", [("profile: ", None, {})]) == (report.profile, _all(report.problems))


# --------------------------------------------------------------------------- rules


def test_missing_and_empty_labels_are_each_reported() -> None:
    labels = dict(PROFILE.labels)
    del labels[S.SUBMITTED], labels[S.ON_HOLD]
    labels[S.COMPLETED] = attrs.evolve(labels[S.COMPLETED], en=" ")
    labels[S.ARCHIVED] = attrs.evolve(labels[S.ARCHIVED], id="")
    empty = "label must not be empty"
    assert [
        ("statuses.submitted: no labels", "no labels", {}),
        ("statuses.on_hold: no labels", "no labels", {}),
        ("statuses.completed.en: label must not be empty", empty, {}),
        ("statuses.archived.id: label must not be empty", empty, {}),
    ] == _all(check(attrs.evolve(PROFILE, labels=labels)).problems)


def test_a_rule_without_a_basis_is_reported() -> None:
    forwarding = attrs.evolve(
        PROFILE.durations["forwarding"], basis=Basis(" ", Confidence.CONFIRMED)
    )
    report = check(attrs.evolve(PROFILE, durations={**PROFILE.durations, "forwarding": forwarding}))
    assert [
        (
            "durations.forwarding.basis: cites no basis and is not marked local (confidence L)",
            "cites no basis and is not marked local (confidence L)",
            {},
        )
    ] == _all(report.problems)


def test_a_value_changed_without_a_basis_is_a_warning() -> None:
    report = check(_child("[durations.follow_up]\namount = 3\n"))
    template = (
        "changed from the parent's value without a basis of its own (the parent's basis no "
        "longer applies): cite one, with its confidence"
    )
    assert () == report.problems
    assert [(f"durations.follow_up.basis: {template}", template, {})] == _all(report.warnings)


def _with_duration(amount: int) -> Profile:
    """National with the forwarding duration (its only version) of *amount*."""
    forwarding = attrs.evolve(PROFILE.durations["forwarding"], amount=amount)
    return attrs.evolve(
        PROFILE,
        durations={**PROFILE.durations, "forwarding": forwarding},
        duration_versions={**PROFILE.duration_versions, "forwarding": (forwarding,)},
    )


def test_a_duration_of_zero_is_reported_once() -> None:
    assert [
        ("durations.forwarding.amount: must be positive, got 0", AMOUNT, {"amount": 0})
    ] == _all(check(_with_duration(0)).problems)


def test_a_duration_of_one_is_positive() -> None:
    assert () == check(_with_duration(1)).problems


def test_the_problems_of_dated_versions_keep_their_templates() -> None:
    basis = Basis("b", Confidence.CONFIRMED)
    first = Duration(3, DurationUnit.WORKING_DAYS, basis, valid_until=date(2026, 6, 30))
    second = Duration(0, DurationUnit.WORKING_DAYS, basis, valid_from=date(2026, 7, 2))
    profile = attrs.evolve(
        PROFILE, duration_versions={**PROFILE.duration_versions, "forwarding": (first, second)}
    )
    gap = "must be the day after the previous version's valid_until (no gap, no overlap)"
    assert [
        (
            "durations.forwarding.history[0].amount: must be positive, got 0",
            AMOUNT,
            {"amount": 0},
        ),
        (f"durations.forwarding.history[0].valid_from: {gap}", gap, {}),
    ] == _all(check(profile).problems)


def test_every_count_of_an_option_must_be_positive() -> None:
    profile = attrs.evolve(
        PROFILE,
        reopen=attrs.evolve(PROFILE.reopen, max_count=0, window_days=-1),
        rating=attrs.evolve(PROFILE.rating, scale=0),
        extension=attrs.evolve(PROFILE.extension, max_count=0, max_amount=-2),
    )
    assert [
        ("options.reopen.max_count: must be positive, got 0", POSITIVE, {"value": 0}),
        ("options.reopen.window_days: must be positive, got -1", POSITIVE, {"value": -1}),
        ("options.rating.scale: must be positive, got 0", POSITIVE, {"value": 0}),
        ("options.extension.max_count: must be positive, got 0", POSITIVE, {"value": 0}),
        ("options.extension.max_amount: must be positive, got -2", POSITIVE, {"value": -2}),
    ] == _all(check(profile).problems)


def test_a_clock_naming_a_missing_duration_is_reported() -> None:
    forwarding = attrs.evolve(PROFILE.clocks["forwarding"], duration="nope")
    profile = attrs.evolve(PROFILE, clocks={**PROFILE.clocks, "forwarding": forwarding})
    assert [
        (
            "clocks.forwarding.duration: no duration named 'nope'",
            "no duration named {duration!r}",
            {"duration": "nope"},
        )
    ] == _all(check(profile).problems)


def test_a_table_that_does_not_build_is_one_problem_and_keeps_the_warnings() -> None:
    profile = _child("[durations.follow_up]\namount = 3\n")
    report = check(profile, (*TRANSITIONS, TRANSITIONS[1]))
    assert "t" == report.profile
    assert [
        (
            "lifecycle: lifecycle table has two rows for (submitted, Classify)",
            "lifecycle table has two rows for ({status}, {command})",
            {"status": "submitted", "command": "Classify"},
        )
    ] == _all(report.problems)
    assert ["durations.follow_up.basis"] == _keys(report.warnings)
    assert check(profile).warnings == report.warnings


def test_an_override_limited_to_a_region_of_no_agency_is_a_warning() -> None:
    kaltim = load_profile("kaltim")
    profile = _child(
        '[[calendar.override]]\ndate = 2025-09-17\nkind = "holiday"\nname = "Hari jadi"\n'
        'basis = "EXAMPLE"\nconfidence = "L"\nregion = "65.01"\n',
        kaltim,
    )
    template = "no agency of the registry lies in region {region}: the override applies to no one"
    assert [
        (
            (
                "calendar.override[0].region: no agency of the registry lies in region 65.01: "
                "the override applies to no one"
            ),
            template,
            {"region": "65.01"},
        )
    ] == _all(scope_warnings(profile, load_registry("kaltim")))


# --------------------------------------------------------------------------- statuses


def test_disabled_commands_are_named_in_each_unreachable_status() -> None:
    assert [
        (
            (
                "statuses.forwarded: unreachable: no sequence of commands leads from submission "
                "to forwarded under this profile's lifecycle (the profile disables Forward)"
            ),
            UNREACHABLE_DISABLED,
            {"status": "forwarded", "disabled": "Forward"},
        ),
        _status("in_progress", UNREACHABLE_DISABLED, disabled="Forward"),
        _status("completed", UNREACHABLE_DISABLED, disabled="Forward"),
    ] == _all(check(_disabled("Forward")).problems)[:3]


def test_a_status_that_cannot_end_names_the_disabled_commands_sorted() -> None:
    disabled = "AutoClose, Close"
    assert [
        _status("completed", UNREACHABLE_DISABLED, disabled=disabled),
        (
            (
                "statuses.in_progress: cannot end: no terminal status (completed or archived) "
                "can be reached from in_progress (the profile disables AutoClose, Close)"
            ),
            CANNOT_END_DISABLED,
            {"status": "in_progress", "disabled": disabled},
        ),
        _problem("clocks.reply_window", NEVER_STOPS, at="in_progress", stop="none"),
        _breach(
            "reply_window",
            "auto_close",
            "in_progress",
            "AutoClose can close the complaint only in no status",
        ),
        _problem("clocks.service_standard", NEVER_STOPS, at="in_progress", stop="none"),
    ] == _all(check(_disabled("Close", "AutoClose")).problems)


def test_a_table_without_closing_rows_leaves_in_progress_unable_to_end() -> None:
    table = [row for row in TRANSITIONS if row.command not in (c.Close, c.AutoClose)]
    report = check(PROFILE, table)
    assert [
        _status("completed", UNREACHABLE),
        (
            (
                "statuses.in_progress: cannot end: no terminal status (completed or archived) "
                "can be reached from in_progress"
            ),
            CANNOT_END,
            {"status": "in_progress"},
        ),
    ] == _all(report.problems)[:2]
    assert [
        "clocks.reply_window",
        "clocks.reply_window.breach",
        "clocks.service_standard",
    ] == _keys(report.problems[2:])


def test_a_submission_that_cannot_end_is_reported_from_submitted() -> None:
    report = check(_disabled("Archive", "Forward", "RequestInformation"))
    disabled = "Archive, Forward, RequestInformation"
    assert [
        _status("on_hold", UNREACHABLE_DISABLED, disabled=disabled),
        _status("forwarded", UNREACHABLE_DISABLED, disabled=disabled),
        _status("in_progress", UNREACHABLE_DISABLED, disabled=disabled),
        _status("completed", UNREACHABLE_DISABLED, disabled=disabled),
        _status("archived", UNREACHABLE_DISABLED, disabled=disabled),
        _status("submitted", CANNOT_END_DISABLED, disabled=disabled),
    ] == [spelled for spelled in _all(report.problems) if spelled[0].startswith("statuses.")]


def test_statuses_without_rows_are_fine() -> None:
    # no ChangePrivacy: completed and archived have no row at all
    assert () == check(_disabled("ChangePrivacy")).problems


def test_auto_close_alone_lets_in_progress_end() -> None:
    # the reply window's breach closes the complaint: completed stays reachable
    assert () == check(_disabled("Close")).problems


def test_a_withdrawal_alone_lets_a_complaint_be_archived() -> None:
    # the information clock's breach archives a complaint on hold
    assert () == check(_disabled("Archive")).problems


def test_a_status_two_steps_from_the_end_can_end_either_way_round() -> None:
    # whether a status can end does not depend on the order statuses are looked at
    clock = _clock("a", ["ComplaintSubmitted"])
    assert CHAIN_PROBLEMS == _all(check(_only(PROFILE, clock), CHAIN_UP).problems)
    assert CHAIN_PROBLEMS == _all(check(_only(PROFILE, clock), CHAIN_DOWN).problems)


def test_a_submission_on_hold_can_return_to_each_status_held_from() -> None:
    table = (_row(None, c.Submit, _to(S.ON_HOLD, e.ComplaintSubmitted)), *TRANSITIONS[1:])
    assert () == check(PROFILE, table).problems


def test_a_breach_row_skips_only_the_terminal_outcomes_no_clock_enables() -> None:
    # on hold only through the breach's second outcome, after a skipped closing one
    table = [
        row
        for row in TRANSITIONS
        if row.command is not c.RequestInformation
        and not (row.command is c.RecordBreach and row.source is S.SUBMITTED)
    ]
    table.append(
        _row(
            S.SUBMITTED,
            c.RecordBreach,
            _to(S.COMPLETED, e.ClockBreached, e.ComplaintClosed),
            _to(S.ON_HOLD, e.ClockBreached),
        )
    )
    assert [
        "clocks.forwarding.breach",
        "clocks.information.start",
        "clocks.service_standard.breach",
        "clocks.statutory_response.breach",
    ] == _keys(check(PROFILE, table).problems)


def test_a_return_from_a_hold_with_no_status_held_from_skips_only_unenabled_breaches() -> None:
    # held from nowhere (submitted straight on hold), a breach's return from hold can lead
    # to every target of its row: the archive no clock enables is skipped, not the others
    table = (
        _row(None, c.Submit, _to(S.ON_HOLD, e.ComplaintSubmitted)),
        _row(S.SUBMITTED, c.RequestInformation, _to(S.ON_HOLD, e.InformationRequested)),
        _row(
            S.ON_HOLD,
            c.RecordBreach,
            _to(S.ARCHIVED, e.ClockBreached, e.ComplaintArchived),
            _to(Target.HELD_FROM, e.ClockBreached),
        ),
        _row(S.SUBMITTED, c.Close, _to(S.COMPLETED, e.ComplaintClosed)),
    )
    report = check(_only(PROFILE, _clock("a", ["ComplaintSubmitted"])), table)
    assert [
        _status("forwarded", UNREACHABLE),
        _status("in_progress", UNREACHABLE),
        _status("archived", UNREACHABLE),
    ] == [spelled for spelled in _all(report.problems) if spelled[0].startswith("statuses.")]


# --------------------------------------------------------------------------- clocks


def test_a_clock_started_only_by_a_return_starts_after_a_return() -> None:
    clock = _clock(
        "ret",
        ["DispositionRejected:returned"],
        ["ComplaintForwarded"],
        breach=BreachAction.AUTO_CLOSE,
    )
    assert [
        _breach(
            "ret",
            "auto_close",
            "submitted, on_hold",
            "AutoClose can close the complaint only in in_progress",
        )
    ] == _all(check(_plus(PROFILE, clock)).problems)


def test_without_rejections_a_clock_started_by_a_return_never_starts() -> None:
    clock = _clock("ret", ["DispositionRejected:returned"], ["ComplaintForwarded"])
    assert [
        _problem("clocks.ret.start", NEVER_STARTS, items="DispositionRejected:returned"),
        _status("submitted", NO_DEADLINE, events="ComplaintSubmitted"),
    ] == _all(check(_only(_disabled("RejectDisposition"), clock)).problems)


def test_a_per_assignment_clock_started_on_submission_is_reported() -> None:
    clock = _clock(
        "a",
        ["ComplaintSubmitted", "ComplaintForwarded"],
        ["InformationRequested"],
        scope=ClockScope.ASSIGNMENT,
    )
    template = (
        "ComplaintSubmitted can never start it: a per-assignment clock starts once the "
        "complaint has an agency (ComplaintForwarded)"
    )
    assert [
        (f"clocks.a.start: {template}", template, {}),
        # a per-assignment clock stops on hold (not an agency's event): nothing counts there
        _status("on_hold", NO_DEADLINE, events="InformationRequested"),
    ] == _all(check(_only(PROFILE, clock)).problems)


def test_a_clock_whose_start_events_never_happen_lists_them() -> None:
    report = check(
        _child(
            '[clocks.rated]\nduration = "follow_up"\nstart = ["ComplaintRated", '
            '"ComplaintReopened"]\nbreach = "warn"\nbasis = "b"\nconfidence = "L"\n'
        )
    )
    assert [
        (
            (
                "clocks.rated.start: never starts: none of its start events (ComplaintRated, "
                "ComplaintReopened) can happen under this profile's lifecycle"
            ),
            NEVER_STARTS,
            {"items": "ComplaintRated, ComplaintReopened"},
        )
    ] == _all(report.problems)


def test_a_clock_that_never_stops_lists_its_stop_events() -> None:
    report = check(
        _child(
            '[lifecycle]\ndisabled_commands = ["Close"]\nbasis = "b"\nconfidence = "L"\n'
            '[clocks.reply_window]\nbreach = "warn"\nstop = ["ComplaintRated", '
            '"ComplaintReopened"]\n'
        )
    )
    stop = "ComplaintRated, ComplaintReopened"
    assert [
        _status("completed", UNREACHABLE_DISABLED, disabled="Close"),
        _status("in_progress", CANNOT_END_DISABLED, disabled="Close"),
        (
            (
                "clocks.reply_window: never stops: once it runs in in_progress, neither a stop "
                "event (ComplaintRated, ComplaintReopened) nor closing or archiving can follow"
            ),
            NEVER_STOPS,
            {"at": "in_progress", "stop": stop},
        ),
        (
            (
                "clocks.reply_window.stop: none of its stop events (ComplaintRated, "
                "ComplaintReopened) can happen while it runs (in in_progress); it stops only "
                "when the complaint is closed or archived"
            ),
            STOP_NEVER_HAPPENS,
            {"items": stop, "where": "in_progress"},
        ),
        _problem("clocks.service_standard", NEVER_STOPS, at="in_progress", stop="none"),
    ] == _all(report.problems)


def test_a_clock_resumed_after_a_hold_runs_where_it_was_held_from() -> None:
    # statutory_decision pauses on hold and resumes in forwarded, never in submitted
    assert [
        _problem(
            "clocks.statutory_decision.stop",
            STOP_NEVER_HAPPENS,
            items="DispositionRejected",
            where="on_hold, forwarded, in_progress",
        )
    ] == _all(check(_disabled("RejectDisposition")).problems)


def test_a_clock_that_stops_only_at_the_end_stops_either_way_round() -> None:
    # CHAIN_UP and CHAIN_DOWN reach completed through the same statuses in opposite orders
    clock = _clock("a", ["ComplaintSubmitted"])
    up = check(_only(PROFILE, clock), CHAIN_UP).problems
    down = check(_only(PROFILE, clock), CHAIN_DOWN).problems
    assert (["clocks.a.breach"], ["clocks.a.breach"]) == (
        [key for key in _keys(up) if key.startswith("clocks.a")],
        [key for key in _keys(down) if key.startswith("clocks.a")],
    )


# --------------------------------------------------------------------------- breaches


def test_breaches_and_warnings_without_their_commands_name_where_they_fire() -> None:
    opened = "submitted, on_hold, forwarded, in_progress"
    withdrawn = "RecordBreach can archive it as withdrawn only in no status"
    assert [
        (
            (
                "clocks.follow_up.breach: breach action escalate can fire in forwarded, "
                "in_progress, where the clock runs; RecordBreach is allowed only in no status"
            ),
            BREACH,
            {"breach": "escalate", "statuses": "forwarded, in_progress", "detail": NOWHERE},
        ),
        (
            (
                "clocks.follow_up.warn_at: warnings can fall due in forwarded, in_progress, "
                "where RecordWarning is not allowed"
            ),
            WARNINGS,
            {"statuses": "forwarded, in_progress"},
        ),
        # paused on hold: the forwarding clock fires in submitted only
        _breach("forwarding", "escalate", "submitted", NOWHERE),
        _warned("forwarding", "submitted"),
        _breach("information", "archive_withdrawn", "on_hold", withdrawn),
        _warned("information", "on_hold"),
        _breach("service_standard", "warn", opened, NOWHERE),
        _warned("service_standard", opened),
        _breach("statutory_decision", "ombudsman_referral", "forwarded, in_progress", NOWHERE),
        _breach("statutory_response", "ombudsman_referral", "submitted, forwarded", NOWHERE),
    ] == _all(check(_disabled("RecordBreach", "RecordWarning")).problems)


def test_an_auto_close_without_its_command_can_close_in_no_status() -> None:
    assert [
        (
            (
                "clocks.reply_window.breach: breach action auto_close can fire in in_progress, "
                "where the clock runs; AutoClose can close the complaint only in no status"
            ),
            BREACH,
            {
                "breach": "auto_close",
                "statuses": "in_progress",
                "detail": "AutoClose can close the complaint only in no status",
            },
        )
    ] == _all(check(_disabled("AutoClose")).problems)


def test_a_clock_fires_where_a_resume_lets_it_run() -> None:
    # started on hold, paused by the answer, resumed by a forward: it runs unpaused in
    # forwarded and in_progress (and in submitted after a return), not only on hold
    clock = _clock(
        "z",
        ["InformationRequested"],
        pause=["InformationProvided"],
        resume=["ComplaintForwarded"],
        breach=BreachAction.ARCHIVE_WITHDRAWN,
    )
    assert [
        _breach(
            "z",
            "archive_withdrawn",
            "submitted, forwarded, in_progress",
            "RecordBreach can archive it as withdrawn only in on_hold",
        )
    ] == _all(check(_plus(PROFILE, clock)).problems)


# --------------------------------------------------------------------------- deadlines


def test_a_paused_clock_stays_paused_until_it_resumes() -> None:
    # paused on hold, a step there (Classify) does not make it count again, so the
    # answer that stops it is not a new step into an open status with nothing counting
    clock = _clock(
        "a", ["ComplaintSubmitted"], ["InformationProvided"], pause=["InformationRequested"]
    )
    assert [_status("on_hold", NO_DEADLINE, events="InformationRequested")] == _all(
        check(_only(PROFILE, clock)).problems
    )


def test_an_agency_event_stops_a_per_complaint_clock() -> None:
    clock = _clock("a", ["ComplaintSubmitted"], ["FollowUpPosted"])
    assert [
        (
            (
                "statuses.in_progress: no deadline: in_progress can be reached with no clock "
                "running (after FollowUpPosted); name a clock that starts on one of these events"
            ),
            NO_DEADLINE,
            {"status": "in_progress", "events": "FollowUpPosted"},
        )
    ] == _all(check(_only(PROFILE, clock)).problems)


def test_one_clock_stopping_leaves_the_other_running() -> None:
    # each branch stops one of the two clocks: the other one still counts, in either order
    table = (
        SUBMIT,
        _row(S.SUBMITTED, c.Forward, _to(S.FORWARDED, e.ComplaintForwarded)),
        _row(S.SUBMITTED, c.PostFollowUp, _to(S.IN_PROGRESS, e.FollowUpPosted)),
        _row(S.FORWARDED, c.Close, _to(S.COMPLETED, e.ComplaintClosed)),
        _row(S.IN_PROGRESS, c.Close, _to(S.COMPLETED, e.ComplaintClosed)),
    )
    profile = _only(
        PROFILE,
        _clock("a", ["ComplaintSubmitted"], ["ComplaintForwarded"]),
        _clock("b", ["ComplaintSubmitted"], ["FollowUpPosted"]),
    )
    assert [
        "statuses.on_hold",
        "statuses.archived",
        "clocks.a.breach",
        "clocks.b.breach",
    ] == _keys(check(profile, table).problems)


def test_the_events_leaving_a_status_uncounted_are_listed_sorted() -> None:
    opened = _child("[options.reopen]\nenabled = true\n")
    clock = _clock(
        "a", ["ComplaintSubmitted", "ComplaintReopened"], ["FollowUpPosted"], pause=["ReplyPosted"]
    )
    assert [_status("in_progress", NO_DEADLINE, events="FollowUpPosted, ReplyPosted")] == _all(
        check(_only(opened, clock)).problems
    )
