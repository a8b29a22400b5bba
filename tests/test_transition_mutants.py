"""
What `lapor_core.domain.transition` answers and refuses, word for word (its mutation run).

A row asked for the outcome of events it does not list refuses them: the refusal is
checked whole (message, template, fields, and the nested "where" error's own message
and fields), before submission and in a status, with one event and with two. The names
of guards and conditions (their docstring's first line, or ``""``) are checked for a
function with a docstring, one without and none, so that every change
``bench/mutation.py transition`` makes fails a test here.
"""

from __future__ import annotations

from datetime import datetime

from helpers import CID, OWNER, T0, refused
from lapor_core import Actor, Complaint, InvalidTransition, LaporError, Profile, Role, Status
from lapor_core.domain import commands as c
from lapor_core.domain import events as e
from lapor_core.domain.transition import Guard, Outcome, Target, Transition

REPLY = e.ReplyPosted(complaint_id=CID, at=T0, actor=OWNER, text="Terima kasih.")
CLOSED = e.ComplaintClosed(complaint_id=CID, at=T0, actor=OWNER, automatic=False)


def _guard(
    complaint: Complaint | None, command: c.Command, actor: Actor, now: datetime, profile: Profile
) -> None:
    """Only on Tuesdays.

    The rest of the docstring is not part of the name.
    """


def _silent_guard(
    complaint: Complaint | None, command: c.Command, actor: Actor, now: datetime, profile: Profile
) -> None:
    pass


def _condition(events: tuple[e.Event, ...]) -> bool:
    return True


# a docstring whose first line is blank and indented: the name is its first text, stripped
_condition.__doc__ = "\n    When the reply is kind.\n    And the rest is not part of the name.\n"


def _silent_condition(events: tuple[e.Event, ...]) -> bool:
    return True


def _row(source: Status | None, guard: Guard | None = None) -> Transition:
    return Transition(
        source=source,
        command=c.Reply,
        roles=frozenset({Role.REPORTER}),
        outcomes=(Outcome((e.ReplyPosted,), Target.SAME),),
        basis="domain.md section 4",
        guard=guard,
    )


def _refusal(row: Transition, events: tuple[e.Event, ...]) -> LaporError:
    return refused(lambda: row.outcome(events))


def test_events_a_row_does_not_list_in_a_status_are_refused_word_for_word() -> None:
    error = _refusal(_row(Status.FORWARDED), (CLOSED,))
    assert type(error) is InvalidTransition
    assert str(error) == (
        "Reply in forwarded recorded (ComplaintClosed), which its row of the lifecycle "
        "table does not list"
    )
    assert error.template == (
        "{type_name} {where} recorded ({names}), which its row of the lifecycle table does not list"
    )
    fields = dict(error.fields)
    where = fields.pop("where")
    assert fields == {"type_name": "Reply", "names": "ComplaintClosed"}
    assert type(where) is LaporError
    assert str(where) == "in forwarded"
    assert where.template == "in {status}"
    assert dict(where.fields) == {"status": "forwarded"}


def test_events_a_row_does_not_list_before_submission_are_refused_word_for_word() -> None:
    error = _refusal(_row(None), (REPLY, CLOSED))
    assert type(error) is InvalidTransition
    assert str(error) == (
        "Reply before submission recorded (ReplyPosted, ComplaintClosed), which its row "
        "of the lifecycle table does not list"
    )
    fields = dict(error.fields)
    where = fields.pop("where")
    assert fields == {"type_name": "Reply", "names": "ReplyPosted, ComplaintClosed"}
    assert type(where) is LaporError
    assert str(where) == "before submission"
    assert where.template == "before submission"
    assert dict(where.fields) == {}


def test_the_refusal_translates_its_where_with_it() -> None:
    catalog = {
        "in {status}": "di status {status}",
        "{type_name} {where} recorded ({names}), which its row of the lifecycle "
        "table does not list": "{type_name} {where} mencatat ({names})",
    }
    error = _refusal(_row(Status.SUBMITTED), (CLOSED,))
    assert error.translate(lambda text: catalog.get(text, text)) == (
        "Reply di status submitted mencatat (ComplaintClosed)"
    )


def test_events_the_row_lists_give_its_outcome() -> None:
    row = _row(Status.FORWARDED)
    assert row.outcome((REPLY,)) is row.outcomes[0]


def test_a_guard_is_named_by_the_first_line_of_its_docstring() -> None:
    assert _row(Status.SUBMITTED, _guard).guard_name == "Only on Tuesdays."


def test_a_guard_without_docstring_or_no_guard_has_an_empty_name() -> None:
    assert _row(Status.SUBMITTED, _silent_guard).guard_name == ""
    assert _row(Status.SUBMITTED).guard_name == ""


def test_a_condition_is_named_by_the_stripped_first_line_of_its_docstring() -> None:
    assert Outcome((e.ReplyPosted,), Target.SAME, _condition).condition_name == (
        "When the reply is kind."
    )


def test_a_condition_without_docstring_or_no_condition_has_an_empty_name() -> None:
    assert Outcome((e.ReplyPosted,), Target.SAME, _silent_condition).condition_name == ""
    assert Outcome((e.ReplyPosted,), Target.SAME).condition_name == ""
