"""
What a ``Lifecycle`` answers and draws, word for word.

The lifecycle table tests check that ``decide`` follows every row; these pin what the
compiled lifecycle itself says, so that mutation testing of
``lapor_core.domain.lifecycle`` (``bench/mutation.py lifecycle``) finds a test for each
change of its code: the Markdown table line by line, the Mermaid diagram's states, title
and edges, each refusal's whole message, the errors of a malformed table, the commands
each status allows, and where a return from hold can lead.
"""

from __future__ import annotations

import re

import pytest

from helpers import OPEN_PROFILE, PROFILE
from lapor_core import Profile, ProfileError, Role
from lapor_core.domain import commands as c
from lapor_core.domain import events as e
from lapor_core.domain.lifecycle import (
    TRANSITIONS,
    Lifecycle,
    Outcome,
    Status,
    Target,
    Transition,
    markdown_table,
    mermaid,
)
from lapor_core.errors import InvalidTransition

NATIONAL = Lifecycle(PROFILE)
OPEN = Lifecycle(OPEN_PROFILE)
HOLD_BASIS = "domain.md §3.2 ON_HOLD (Tunda) exists [C]; its semantics are a default [U]"


def upper(status: Status) -> str:
    """A label function that differs from the status value."""
    return status.value.upper()


def _submit_row(target: Status | Target = Status.SUBMITTED) -> Transition:
    return Transition(
        source=None,
        command=c.Submit,
        roles=frozenset({Role.REPORTER}),
        outcomes=(Outcome((e.ComplaintSubmitted,), target),),
        basis="b",
    )


def _row(
    source: Status | None,
    command: type[c.Command],
    *outcomes: Outcome,
    option: str | None = None,
) -> Transition:
    return Transition(
        source=source,
        command=command,
        roles=frozenset({Role.NATIONAL_ADMIN}),
        outcomes=outcomes,
        basis="b",
        option=option,
    )


def _disabling(*commands: str) -> Profile:
    names = ", ".join(f'"{name}"' for name in commands)
    return Profile.from_toml(
        '[profile]\nname = "tanpa"\nparent = "national"\n'
        f'[lifecycle]\ndisabled_commands = [{names}]\nbasis = "b"\nconfidence = "L"\n',
        PROFILE,
    )


def _refusal(lifecycle: Lifecycle, status: Status | None, command: type[c.Command]) -> str:
    with pytest.raises(InvalidTransition) as caught:
        lifecycle.row(status, command)
    return str(caught.value)


# --- the Markdown table ---------------------------------------------------------------


def test_markdown_table_starts_with_its_header_and_ends_with_a_newline() -> None:
    text = markdown_table(NATIONAL)
    lines = text.split("\n")
    assert lines[0] == "| from | command | records | to | roles | condition | option | basis |"
    assert lines[1] == "|---|---|---|---|---|---|---|---|"
    assert text.endswith(" |\n")
    assert lines[-1] == ""


def test_markdown_table_has_one_line_per_outcome_of_each_enabled_row() -> None:
    lines = markdown_table(NATIONAL).splitlines()[2:]
    assert len(lines) == sum(len(row.outcomes) for row in NATIONAL.rows)
    assert len(markdown_table(OPEN).splitlines()[2:]) == sum(len(r.outcomes) for r in OPEN.rows)
    assert len(OPEN.rows) > len(NATIONAL.rows)


def test_markdown_table_submission_and_return_from_hold_lines() -> None:
    lines = markdown_table(NATIONAL).splitlines()
    assert lines[2].startswith(
        "| (new) | `Submit` | `ComplaintSubmitted` | `submitted` | "
        "agency_admin, national_admin, reporter, system |  |  | domain.md §1 "
    )
    (provide,) = [line for line in lines if "`ProvideInformation`" in line]
    assert provide == (
        "| `on_hold` | `ProvideInformation` | `InformationProvided` | "
        "back to where it was held from (`submitted` or `forwarded`) | reporter |  |  | "
        f"{HOLD_BASIS} |"
    )


def test_markdown_table_with_labels_names_each_status_with_its_label() -> None:
    lines = markdown_table(NATIONAL, upper).splitlines()
    (provide,) = [line for line in lines if "`ProvideInformation`" in line]
    assert provide.startswith(
        "| `on_hold` (ON_HOLD) | `ProvideInformation` | `InformationProvided` | "
        "back to where it was held from (`submitted` (SUBMITTED) or `forwarded` (FORWARDED)) |"
    )
    assert lines[2].startswith(
        "| (new) | `Submit` | `ComplaintSubmitted` | `submitted` (SUBMITTED) |"
    )


def test_markdown_table_shows_a_kept_status_as_the_source() -> None:
    lines = markdown_table(NATIONAL).splitlines()
    classify = [line for line in lines if "| `Classify` |" in line]
    assert [line.split(" | ")[3] for line in classify] == [
        "`submitted`",
        "`on_hold`",
        "`forwarded`",
        "`in_progress`",
    ]
    assert all(line.split(" | ")[0] == "| " + line.split(" | ")[3] for line in classify)


def test_markdown_table_lists_several_events_and_the_option_of_a_gated_row() -> None:
    lines = markdown_table(OPEN).splitlines()
    (reopen,) = [line for line in lines if "| `Reopen` |" in line]
    cells = reopen.split(" | ")
    assert cells[0] == "| `completed`"
    assert cells[3] == "`in_progress`"
    assert (
        cells[5]
        == "Within the profile's reopen window after completion, and under its reopen count."
    )
    assert cells[6] == "reopen"
    table = (
        _submit_row(),
        _row(
            Status.SUBMITTED,
            c.Forward,
            Outcome((e.ComplaintForwarded, e.ForwardedInternally), Status.FORWARDED),
        ),
    )
    (forward,) = markdown_table(Lifecycle(PROFILE, table)).splitlines()[3:]
    assert forward == (
        "| `submitted` | `Forward` | `ComplaintForwarded`, `ForwardedInternally` | `forwarded` | "
        "national_admin |  |  | b |"
    )


def _guard(*_args: object) -> None:
    """Only on a weekday."""


def _condition(_events: tuple[e.Event, ...]) -> bool:
    """The last one."""
    return True


def test_markdown_table_joins_a_guard_and_an_outcome_condition() -> None:
    guarded = Transition(
        source=Status.SUBMITTED,
        command=c.Archive,
        roles=frozenset({Role.NATIONAL_ADMIN, Role.AGENCY_ADMIN}),
        outcomes=(Outcome((e.ComplaintArchived,), Status.ARCHIVED, _condition),),
        basis="b",
        guard=_guard,
    )
    (line,) = markdown_table(Lifecycle(PROFILE, (_submit_row(), guarded))).splitlines()[3:]
    assert line == (
        "| `submitted` | `Archive` | `ComplaintArchived` | `archived` | "
        "agency_admin, national_admin | Only on a weekday.; The last one. |  | b |"
    )


# --- the Mermaid diagram --------------------------------------------------------------


def _edges(diagram: str) -> set[tuple[str, str, str]]:
    found = set()
    for source, target, names in re.findall(r"^\s*(\w+) --> (\w+): (.+)$", diagram, re.MULTILINE):
        for name in names.split(" | "):
            found.add((source, target, name))
    return found


def _expected_edges(lifecycle: Lifecycle) -> set[tuple[str, str, str]]:
    return {
        ("new" if row.source is None else row.source.value, target.value, row.command.__name__)
        for row in lifecycle.rows
        for target in lifecycle.targets(row.source, row.command)
        if target is not row.source
    }


def test_mermaid_draws_every_change_of_status_and_no_self_loop() -> None:
    diagram = mermaid(NATIONAL)
    assert _edges(diagram) == _expected_edges(NATIONAL)
    assert ("on_hold", "submitted", "ProvideInformation") in _edges(diagram)
    assert ("on_hold", "forwarded", "ProvideInformation") in _edges(diagram)
    assert all(source != target for source, target, _ in _edges(diagram))
    assert _edges(mermaid(OPEN)) == _expected_edges(OPEN)
    assert ("completed", "in_progress", "Reopen") in _edges(mermaid(OPEN))


def test_mermaid_has_the_profile_in_its_title_and_a_state_per_status() -> None:
    diagram = mermaid(NATIONAL)
    assert diagram.startswith("---\ntitle: lifecycle of profile national\n---\nstateDiagram-v2\n")
    assert '  state "(new)" as new\n' in diagram
    for status in Status:
        assert f'  state "{status.value}" as {status.value}\n' in diagram
    assert "  [*] --> new" in diagram


def test_mermaid_uses_the_labels_given() -> None:
    diagram = mermaid(NATIONAL, upper)
    assert diagram == NATIONAL.diagram(upper)
    assert '  state "(new)" as new\n' in diagram
    for status in Status:
        assert f'  state "{status.value.upper()}" as {status.value}\n' in diagram
    assert diagram != mermaid(NATIONAL)


# --- refusals ---------------------------------------------------------------------------


def test_refusal_before_submission_lists_what_is_allowed() -> None:
    assert (
        _refusal(NATIONAL, None, c.Close)
        == "Close is not allowed before submission; allowed: Submit"
    )


def test_refusal_in_a_status_lists_the_allowed_commands_sorted() -> None:
    assert _refusal(NATIONAL, Status.SUBMITTED, c.Submit) == (
        "Submit is not allowed in status submitted; allowed: Archive, ChangePrivacy, Classify, "
        "Forward, RecomputeDeadlines, RecordBreach, RecordWarning, RequestInformation"
    )


def test_refusal_where_nothing_is_allowed_says_so() -> None:
    lifecycle = Lifecycle(PROFILE, (_submit_row(),))
    assert _refusal(lifecycle, Status.SUBMITTED, c.Close) == (
        "Close is not allowed in status submitted; allowed: nothing"
    )


def test_refusal_of_a_gated_row_names_the_option_and_the_profile() -> None:
    assert _refusal(NATIONAL, Status.COMPLETED, c.Reopen) == (
        "Reopen is not allowed in status completed (option 'reopen' is off in profile "
        "'national'); allowed: ChangePrivacy"
    )
    assert _refusal(NATIONAL, Status.COMPLETED, c.Rate) == (
        "Rate is not allowed in status completed (option 'rating' is off in profile "
        "'national'); allowed: ChangePrivacy"
    )


def test_refusal_only_names_an_option_for_the_status_of_the_gated_row() -> None:
    assert _refusal(NATIONAL, Status.ARCHIVED, c.Reopen).startswith(
        "Reopen is not allowed in status archived; allowed: "
    )


def test_refusal_of_a_disabled_command_names_the_profile() -> None:
    lifecycle = Lifecycle(_disabling("RequestInformation"))
    assert "RequestInformation" not in {row.command.__name__ for row in lifecycle.rows}
    assert _refusal(lifecycle, Status.SUBMITTED, c.RequestInformation) == (
        "RequestInformation is not allowed in status submitted (profile 'tanpa' disables "
        "RequestInformation); allowed: Archive, ChangePrivacy, Classify, Forward, "
        "RecomputeDeadlines, RecordBreach, RecordWarning"
    )


def test_disabling_one_command_keeps_every_other_row() -> None:
    lifecycle = Lifecycle(_disabling("RequestInformation"))
    assert lifecycle.rows == tuple(
        row for row in NATIONAL.rows if row.command is not c.RequestInformation
    )
    assert NATIONAL.rows == tuple(row for row in TRANSITIONS if row.option is None)


# --- a malformed table -----------------------------------------------------------------


def test_two_rows_for_one_status_and_command_are_refused() -> None:
    with pytest.raises(ProfileError) as caught:
        Lifecycle(PROFILE, (_submit_row(), _submit_row()))
    assert str(caught.value) == "lifecycle table has two rows for (new, Submit)"
    later = _row(Status.SUBMITTED, c.Archive, Outcome((e.ComplaintArchived,), Status.ARCHIVED))
    with pytest.raises(ProfileError) as caught:
        Lifecycle(PROFILE, (_submit_row(), later, later))
    assert str(caught.value) == "lifecycle table has two rows for (submitted, Archive)"


def test_a_row_without_an_outcome_is_refused() -> None:
    with pytest.raises(ProfileError) as caught:
        Lifecycle(PROFILE, (_submit_row(), _row(Status.SUBMITTED, c.Archive)))
    assert str(caught.value) == "lifecycle table row (submitted, Archive) has no outcome"


def test_a_gated_duplicate_is_no_duplicate_when_its_option_is_off() -> None:
    archive = Outcome((e.ComplaintArchived,), Status.ARCHIVED)
    table = (
        _submit_row(),
        _row(Status.SUBMITTED, c.Archive, archive),
        _row(Status.SUBMITTED, c.Archive, archive, option="reopen"),
    )
    assert len(Lifecycle(PROFILE, table).rows) == 2
    with pytest.raises(ProfileError, match="two rows"):
        Lifecycle(OPEN_PROFILE, table)


# --- queries ----------------------------------------------------------------------------


def test_allowed_commands_per_status() -> None:
    assert NATIONAL.allowed_commands(None) == frozenset({"Submit"})
    assert sorted(NATIONAL.allowed_commands(Status.SUBMITTED)) == [
        "Archive",
        "ChangePrivacy",
        "Classify",
        "Forward",
        "RecomputeDeadlines",
        "RecordBreach",
        "RecordWarning",
        "RequestInformation",
    ]
    assert NATIONAL.allowed_commands(Status.COMPLETED) == frozenset({"ChangePrivacy"})
    assert {"Rate", "Reopen"} <= OPEN.allowed_commands(Status.COMPLETED)


def test_held_from_is_every_status_a_row_puts_on_hold() -> None:
    assert NATIONAL.held_from == frozenset({Status.SUBMITTED, Status.FORWARDED})
    assert None not in Lifecycle(PROFILE, (_submit_row(Status.ON_HOLD),)).held_from


def test_a_return_from_hold_leads_where_the_complaint_was_held_from() -> None:
    assert NATIONAL.targets(Status.ON_HOLD, c.ProvideInformation) == (
        Status.SUBMITTED,
        Status.FORWARDED,
    )
    back = Outcome((e.InformationProvided,), Target.HELD_FROM)
    assert NATIONAL.resolve(Status.ON_HOLD, back, Status.FORWARDED) is Status.FORWARDED
    assert NATIONAL.resolve(Status.ON_HOLD, back, None) is Status.SUBMITTED


def test_a_return_from_hold_with_no_row_putting_on_hold_leads_to_submitted() -> None:
    back = Outcome((e.InformationProvided,), Target.HELD_FROM)
    lifecycle = Lifecycle(
        PROFILE, (_submit_row(), _row(Status.ON_HOLD, c.ProvideInformation, back))
    )
    assert lifecycle.held_from == frozenset()
    assert lifecycle.targets(Status.ON_HOLD, c.ProvideInformation) == (Status.SUBMITTED,)


def test_a_kept_status_resolves_to_the_source_and_never_for_a_submission() -> None:
    keep = Outcome((e.ComplaintClassified,), Target.SAME)
    assert NATIONAL.resolve(Status.FORWARDED, keep, None) is Status.FORWARDED
    with pytest.raises(ProfileError) as caught:
        NATIONAL.resolve(None, keep, None)
    assert str(caught.value) == "a submission must lead to a fixed status"


def test_targets_keep_the_row_order_without_repeats() -> None:
    twice = (
        _submit_row(),
        _row(
            Status.SUBMITTED,
            c.Forward,
            Outcome((e.ComplaintForwarded,), Status.FORWARDED),
            Outcome((e.ComplaintForwarded, e.ForwardedInternally), Status.FORWARDED),
            Outcome((e.ComplaintArchived,), Status.ARCHIVED),
        ),
    )
    assert Lifecycle(PROFILE, twice).targets(Status.SUBMITTED, c.Forward) == (
        Status.FORWARDED,
        Status.ARCHIVED,
    )


def test_successors_include_the_rows_that_keep_the_status() -> None:
    assert NATIONAL.successors(None) == frozenset({Status.SUBMITTED})
    assert NATIONAL.successors(Status.SUBMITTED) == frozenset(
        {Status.SUBMITTED, Status.ON_HOLD, Status.FORWARDED, Status.ARCHIVED}
    )
    assert NATIONAL.successors(Status.COMPLETED) == frozenset({Status.COMPLETED})
    assert Status.IN_PROGRESS in OPEN.successors(Status.COMPLETED)


def test_reachable_from_submission_and_from_a_status() -> None:
    assert NATIONAL.reachable() == frozenset(Status)
    assert NATIONAL.reachable(Status.COMPLETED) == frozenset({Status.COMPLETED})
    assert OPEN.reachable(Status.COMPLETED) == frozenset({Status.COMPLETED, Status.IN_PROGRESS})
    lifecycle = Lifecycle(PROFILE, (_submit_row(),))
    assert lifecycle.reachable() == frozenset({Status.SUBMITTED})
