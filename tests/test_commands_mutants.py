"""
What `lapor_core.domain.commands` answers and refuses, word for word (its mutation run).

Each refusal a command raises when it is built (a misconduct report without its office,
a lead outside the agencies, an archive without its original or its note, a
classification that changes nothing, an extension that is not positive) is checked
whole: its type, its message and its fields; the extension's bound at 0 and 1; and the
module's validator factories, which run when the classes are defined, are called afresh
so that every change ``bench/mutation.py commands`` makes fails a test here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import pytest

from helpers import CID, refused, submit_command
from lapor_core import (
    Archive,
    ArchiveReason,
    Classify,
    ComplaintId,
    ExtendDeadline,
    Forward,
    ValidationError,
)

# The validator factories are private and called only while the classes are defined
# (at import, before mutmut switches a mutant on): importing them is the only way to
# check them afresh.
from lapor_core.domain.commands import _instance, _opt_text, _text


@attrs.define
class _Holder:
    field: object


FIELD: attrs.Attribute[Any] = attrs.fields(_Holder).field


def _kept(check: Callable[..., object], value: object) -> object:
    """What an attrs class validated by *check* keeps of *value* (the check raises to refuse)."""
    probe = attrs.make_class("Probe", {"field": attrs.field(validator=check)})
    return probe(value).field


def test_a_misconduct_report_without_its_office_is_refused_word_for_word() -> None:
    error = refused(lambda: submit_command(misconduct=True, subject_agency=None))
    assert type(error) is ValidationError
    assert str(error) == "a misconduct report must name the subject_agency"
    assert dict(error.fields) == {}


def test_a_lead_outside_the_agencies_is_refused_word_for_word() -> None:
    error = refused(
        lambda: Forward(complaint_id=CID, agencies=("samarinda", "kaltim"), lead="balikpapan")
    )
    assert type(error) is ValidationError
    assert str(error) == "lead agency 'balikpapan' is not among ('samarinda', 'kaltim')"
    assert dict(error.fields) == {"lead": "balikpapan", "agencies": ("samarinda", "kaltim")}


def test_archiving_as_duplicate_without_the_original_is_refused_word_for_word() -> None:
    error = refused(lambda: Archive(complaint_id=CID, reason=ArchiveReason.DUPLICATE))
    assert type(error) is ValidationError
    assert str(error) == "archiving as duplicate needs duplicate_of (the original)"


def test_a_complaint_archived_as_a_duplicate_of_itself_is_refused_word_for_word() -> None:
    error = refused(
        lambda: Archive(complaint_id=CID, reason=ArchiveReason.DUPLICATE, duplicate_of=CID)
    )
    assert type(error) is ValidationError
    assert str(error) == "a complaint cannot be a duplicate of itself"


def test_an_original_for_another_reason_is_refused_word_for_word() -> None:
    error = refused(
        lambda: Archive(
            complaint_id=CID, reason=ArchiveReason.UNCLEAR, duplicate_of=ComplaintId("c-0")
        )
    )
    assert type(error) is ValidationError
    assert str(error) == "duplicate_of is only for the reason 'duplicate'"


def test_archiving_for_another_reason_without_a_note_is_refused_word_for_word() -> None:
    error = refused(lambda: Archive(complaint_id=CID, reason=ArchiveReason.OTHER))
    assert type(error) is ValidationError
    assert str(error) == "archiving for reason 'other' needs a note"


def test_a_classification_that_changes_nothing_is_refused_word_for_word() -> None:
    error = refused(lambda: Classify(complaint_id=CID))
    assert type(error) is ValidationError
    assert str(error) == "classify changes nothing: give a title, kind, category or tags"


@pytest.mark.parametrize("amount", [0, -3])
def test_an_extension_that_is_not_positive_is_refused_word_for_word(amount: int) -> None:
    error = refused(
        lambda: ExtendDeadline(complaint_id=CID, clock="follow_up", amount=amount, reason="x")
    )
    assert type(error) is ValidationError
    assert str(error) == f"an extension must be positive, got {amount}"
    assert error.template == "an extension must be positive, got {amount}"
    assert dict(error.fields) == {"amount": amount}


def test_an_extension_of_one_unit_is_accepted() -> None:
    command = ExtendDeadline(complaint_id=CID, clock="follow_up", amount=1, reason="Banjir.")
    assert (command.clock, command.agency, command.amount, command.reason) == (
        "follow_up",
        None,
        1,
        "Banjir.",
    )


def test_the_instance_validator_refuses_another_type_and_accepts_its_own() -> None:
    check = _instance(int)
    assert _kept(check, 3) == 3
    error = refused(lambda: check(None, FIELD, "3"))
    assert str(error) == "field must be int, got str '3'"


def test_the_text_validator_keeps_its_limit() -> None:
    check = _text(3)
    assert _kept(check, "abc") == "abc"
    error = refused(lambda: check(None, FIELD, "abcd"))
    assert str(error) == "field is 4 characters long; the limit is 3"


def test_the_optional_text_validator_keeps_its_limit_and_allows_none() -> None:
    check = _opt_text(3)
    assert _kept(check, None) is None
    assert _kept(check, "abc") == "abc"
    error = refused(lambda: check(None, FIELD, "abcd"))
    assert str(error) == "field is 4 characters long; the limit is 3"
