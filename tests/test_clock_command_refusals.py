"""
The clock commands a sweeper or an agency issues, refused and recorded word for word.

``record_warning``, ``record_breach``, ``extend_deadline`` and ``recompute_deadlines``
are called directly on complaints driven by the usual path, so that mutation testing of
``lapor_core.domain.clock_commands`` (``bench/mutation.py clock_commands``) finds a test
for each change: every refusal's whole message and fields (the clock named with and
without its agency), every field of the events recorded, the escalation target of each
``escalate_to``, the extension limits at their edges and the recompute boundaries.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs
import pytest

from helpers import AWAY, CID, CTX, HOME, NATIONAL, SYSTEM, agency_actor, drive, refused
from lapor_core import (
    AutoClose,
    Complaint,
    Context,
    ExtendDeadline,
    InvalidTransition,
    LaporError,
    PermissionDenied,
    RecomputeDeadlines,
    RecordBreach,
    RecordWarning,
    Role,
    Status,
    evolve,
)
from lapor_core.domain import events as e
from lapor_core.domain.clock_commands import (
    auto_close,
    extend_deadline,
    recompute_deadlines,
    record_breach,
    record_warning,
)
from lapor_core.domain.clocks import BreachAction, clock_deadline, warning_instant
from lapor_core.domain.model import ArchiveReason

HOME_ADMIN = agency_actor(Role.AGENCY_ADMIN, HOME)
AWAY_ADMIN = agency_actor(Role.AGENCY_ADMIN, AWAY)


def _text(error: LaporError) -> dict[str, object]:
    """The fields, with the clock's words as text."""
    return {k: str(v) if isinstance(v, LaporError) else v for k, v in error.fields.items()}


def _deadline(complaint: Complaint, clock: str, agency: str | None = None) -> datetime:
    running = complaint.clock(clock, agency)
    assert running is not None
    deadline = clock_deadline(running, CTX.calendar)
    assert deadline is not None
    return deadline


def _escalating_to_parent() -> Context:
    """The national rules with the forwarding clock escalating to the responsible's parent."""
    clocks = dict(CTX.profile.clocks)
    clocks["forwarding"] = attrs.evolve(clocks["forwarding"], escalate_to="parent")
    return Context.create(attrs.evolve(CTX.profile, clocks=clocks), CTX.registry)


# ------------------------------------------------------------------ record_warning


def test_a_warning_is_recorded_with_every_field() -> None:
    complaint = drive(Status.SUBMITTED).state
    running = complaint.clock("forwarding", None)
    assert running is not None
    deadline = _deadline(complaint, "forwarding")
    at = warning_instant(running, deadline, 50)
    command = RecordWarning(complaint_id=CID, clock="forwarding", threshold=50)
    assert record_warning(complaint, command, SYSTEM, at, CTX) == (
        e.ClockWarned(
            complaint_id=CID,
            at=at,
            actor=SYSTEM,
            clock="forwarding",
            agency=None,
            threshold=50,
            deadline=deadline,
        ),
    )
    error = refused(lambda: record_warning(complaint, command, SYSTEM, at - timedelta(1), CTX))
    assert str(error) == "the 50% warning of clock 'forwarding' is not due yet"
    assert _text(error) == {"threshold": 50, "who": "clock 'forwarding'"}
    warned = evolve(complaint, record_warning(complaint, command, SYSTEM, at, CTX)[0])
    error = refused(lambda: record_warning(warned, command, SYSTEM, at, CTX))
    assert str(error) == "the 50% warning of clock 'forwarding' is already recorded"
    assert _text(error) == {"threshold": 50, "who": "clock 'forwarding'"}


def test_a_warning_refused_for_a_clock_not_running_or_a_threshold_not_set() -> None:
    complaint = drive(Status.FORWARDED).state
    later = complaint.updated_at + timedelta(days=30)
    error = refused(
        lambda: record_warning(
            complaint,
            RecordWarning(complaint_id=CID, clock="follow_up", agency=AWAY, threshold=50),
            SYSTEM,
            later,
            CTX,
        )
    )
    assert type(error) is InvalidTransition
    assert str(error) == "clock 'follow_up' of 'balikpapan' is not running on complaint c-1"
    assert _text(error) == {"who": "clock 'follow_up' of 'balikpapan'", "complaint_id": CID}
    error = refused(
        lambda: record_warning(
            complaint,
            RecordWarning(complaint_id=CID, clock="follow_up", agency=HOME, threshold=60),
            SYSTEM,
            later,
            CTX,
        )
    )
    assert str(error) == "clock 'follow_up' of 'samarinda' has no 60% warning; it warns at (50, 75)"
    assert _text(error) == {
        "who": "clock 'follow_up' of 'samarinda'",
        "threshold": 60,
        "warn_at": (50, 75),
    }


# ------------------------------------------------------------------- record_breach


def test_a_breach_is_owed_only_once_past_the_deadline() -> None:
    complaint = drive(Status.SUBMITTED).state
    deadline = _deadline(complaint, "forwarding")
    command = RecordBreach(complaint_id=CID, clock="forwarding")
    error = refused(
        lambda: record_breach(complaint, command, SYSTEM, deadline - timedelta(microseconds=1), CTX)
    )
    assert str(error) == (
        f"clock 'forwarding' on c-1 is not breached before {deadline.isoformat()}"
    )
    assert _text(error) == {
        "who": "clock 'forwarding'",
        "complaint_id": CID,
        "instant": deadline.isoformat(),
    }
    (breached,) = record_breach(complaint, command, SYSTEM, deadline, CTX)
    assert breached == e.ClockBreached(
        complaint_id=CID,
        at=deadline,
        actor=SYSTEM,
        clock="forwarding",
        agency=None,
        deadline=deadline,
        action=BreachAction.ESCALATE,
        escalated_to=CTX.registry.root.id,
    )
    again = evolve(complaint, breached)
    error = refused(lambda: record_breach(again, command, SYSTEM, deadline, CTX))
    assert str(error) == "the breach of clock 'forwarding' on c-1 is already recorded"
    assert _text(error) == {"who": "clock 'forwarding'", "complaint_id": CID}


def test_a_breach_of_a_clock_not_running_or_paused_is_refused() -> None:
    complaint = drive(Status.ON_HOLD).state
    later = complaint.updated_at + timedelta(days=90)
    error = refused(
        lambda: record_breach(
            complaint, RecordBreach(complaint_id=CID, clock="reply_window"), SYSTEM, later, CTX
        )
    )
    assert str(error) == "clock 'reply_window' is not running on complaint c-1"
    assert _text(error) == {"who": "clock 'reply_window'", "complaint_id": CID}
    error = refused(
        lambda: record_breach(
            complaint, RecordBreach(complaint_id=CID, clock="forwarding"), SYSTEM, later, CTX
        )
    )
    assert str(error) == "clock 'forwarding' on c-1 is paused"
    assert _text(error) == {"who": "clock 'forwarding'", "complaint_id": CID}


def test_the_unanswered_request_archives_the_report_as_withdrawn() -> None:
    complaint = drive(Status.ON_HOLD).state
    deadline = _deadline(complaint, "information")
    command = RecordBreach(complaint_id=CID, clock="information")
    breached, archived = record_breach(complaint, command, SYSTEM, deadline, CTX)
    assert isinstance(breached, e.ClockBreached)
    assert breached.action is BreachAction.ARCHIVE_WITHDRAWN
    assert breached.escalated_to is None
    assert archived == e.ComplaintArchived(
        complaint_id=CID,
        at=deadline,
        actor=SYSTEM,
        reason=ArchiveReason.WITHDRAWN,
        note=f"requested information not provided by {deadline.isoformat()}",
    )


def test_a_breach_escalates_to_the_parent_when_the_profile_says_so() -> None:
    ctx = _escalating_to_parent()
    complaint = drive(Status.SUBMITTED, ctx).state
    deadline = _deadline(complaint, "forwarding")
    (breached,) = record_breach(
        complaint, RecordBreach(complaint_id=CID, clock="forwarding"), SYSTEM, deadline, ctx
    )
    assert isinstance(breached, e.ClockBreached)
    assert breached.escalated_to == "kaltim"  # Samarinda's parent, not the national root


# ----------------------------------------------------------------- extend_deadline


def _extend(amount: int = 3, agency: str | None = HOME) -> ExtendDeadline:
    return ExtendDeadline(
        complaint_id=CID, clock="follow_up", agency=agency, amount=amount, reason="Perlu survei."
    )


def test_an_extension_is_recorded_with_every_field_up_to_the_limit() -> None:
    complaint = drive(Status.FORWARDED).state
    now = complaint.updated_at + timedelta(hours=1)
    limit = CTX.profile.extension.max_amount
    (extended,) = extend_deadline(complaint, _extend(limit), HOME_ADMIN, now, CTX)
    assert extended == e.DeadlineExtended(
        complaint_id=CID,
        at=now,
        actor=HOME_ADMIN,
        clock="follow_up",
        agency=HOME,
        amount=limit,
        reason="Perlu survei.",
    )
    error = refused(lambda: extend_deadline(complaint, _extend(limit + 1), HOME_ADMIN, now, CTX))
    assert str(error) == f"an extension of {limit + 1} exceeds the limit of {limit}"
    assert _text(error) == {"amount": limit + 1, "max_amount": limit}
    once = evolve(complaint, extended)
    error = refused(lambda: extend_deadline(once, _extend(), HOME_ADMIN, now, CTX))
    max_count = CTX.profile.extension.max_count
    assert str(error) == (
        f"clock 'follow_up' of 'samarinda' was extended 1 time(s); the limit is {max_count}"
    )
    assert _text(error) == {
        "who": "clock 'follow_up' of 'samarinda'",
        "extensions": 1,
        "max_count": max_count,
    }


def test_an_extension_refused_outside_the_responsible_agency() -> None:
    complaint = drive(Status.FORWARDED).state
    now = complaint.updated_at + timedelta(hours=1)
    error = refused(lambda: extend_deadline(complaint, _extend(), AWAY_ADMIN, now, CTX))
    assert type(error) is PermissionDenied
    assert str(error) == (
        "only the responsible agency ('samarinda') may extend clock 'follow_up' of 'samarinda'"
    )
    assert _text(error) == {"responsible": HOME, "who": "clock 'follow_up' of 'samarinda'"}


def test_an_extension_of_a_clock_that_cannot_be_extended_or_does_not_run() -> None:
    complaint = drive(Status.SUBMITTED).state
    now = complaint.updated_at + timedelta(hours=1)
    forwarding = ExtendDeadline(complaint_id=CID, clock="forwarding", amount=1, reason="x")
    error = refused(lambda: extend_deadline(complaint, forwarding, NATIONAL, now, CTX))
    assert str(error) == "clock 'forwarding' cannot be extended (profile 'national')"
    assert _text(error) == {"who": "clock 'forwarding'", "profile_name": "national"}
    error = refused(lambda: extend_deadline(complaint, _extend(), NATIONAL, now, CTX))
    assert str(error) == "clock 'follow_up' of 'samarinda' is not running on complaint c-1"
    assert _text(error) == {"who": "clock 'follow_up' of 'samarinda'", "complaint_id": CID}
    off = attrs.evolve(CTX.profile.extension, enabled=False)
    ctx = Context.create(attrs.evolve(CTX.profile, extension=off), CTX.registry)
    error = refused(lambda: extend_deadline(complaint, forwarding, NATIONAL, now, ctx))
    assert str(error) == "profile 'national' does not allow extensions"
    assert _text(error) == {"profile_name": "national"}


def test_a_breached_clock_can_no_longer_be_extended() -> None:
    complaint = drive(Status.FORWARDED).state
    deadline = _deadline(complaint, "follow_up", HOME)
    breach = RecordBreach(complaint_id=CID, clock="follow_up", agency=HOME)
    breached = evolve(complaint, record_breach(complaint, breach, SYSTEM, deadline, CTX)[0])
    error = refused(lambda: extend_deadline(breached, _extend(), HOME_ADMIN, deadline, CTX))
    assert str(error) == (
        "clock 'follow_up' of 'samarinda' is already breached; it can no longer be extended"
    )
    assert _text(error) == {"who": "clock 'follow_up' of 'samarinda'"}


# ------------------------------------------------------------- recompute_deadlines


def test_recomputing_needs_newer_data_and_happens_once() -> None:
    complaint = drive(Status.SUBMITTED).state
    now = complaint.updated_at + timedelta(hours=1)
    current = CTX.calendar.confirmed_until
    error = refused(
        lambda: recompute_deadlines(
            complaint,
            RecomputeDeadlines(complaint_id=CID, previous_until=current),
            SYSTEM,
            now,
            CTX,
        )
    )
    assert str(error) == (
        f"the calendar's data is confirmed up to {current}, not newer than {current}: no "
        "deadline can move"
    )
    assert _text(error) == {"current": current, "previous_until": current}
    command = RecomputeDeadlines(complaint_id=CID, previous_until=current - 1)
    (recomputed,) = recompute_deadlines(complaint, command, SYSTEM, now, CTX)
    assert isinstance(recomputed, e.DeadlinesRecomputed)
    assert (recomputed.at, recomputed.actor, recomputed.confirmed_until) == (now, SYSTEM, current)
    assert recomputed.changes == ()  # deadlines in 2025 do not move with newer data
    done = evolve(complaint, recomputed)
    assert done.record.deadlines_confirmed_until == current
    error = refused(lambda: recompute_deadlines(done, command, SYSTEM, now, CTX))
    assert str(error) == f"complaint c-1 was already recomputed with the data up to {current}"
    assert _text(error) == {"complaint_id": CID, "done": current}


def test_a_breach_at_the_national_root_escalates_to_the_root() -> None:
    ctx = _escalating_to_parent()
    complaint = drive(Status.SUBMITTED, ctx, region=None, target_agency=None).state
    running = complaint.clock("forwarding", None)
    assert running is not None
    assert running.responsible == ctx.registry.root.id
    deadline = _deadline(complaint, "forwarding")
    (breached,) = record_breach(
        complaint, RecordBreach(complaint_id=CID, clock="forwarding"), SYSTEM, deadline, ctx
    )
    assert isinstance(breached, e.ClockBreached)
    assert breached.escalated_to == ctx.registry.root.id


def test_a_breach_of_a_clock_the_profile_no_longer_has_is_refused() -> None:
    complaint = drive(Status.SUBMITTED).state
    deadline = _deadline(complaint, "forwarding")
    clocks = dict(CTX.profile.clocks)
    del clocks["forwarding"]
    ctx = Context.create(attrs.evolve(CTX.profile, clocks=clocks), CTX.registry)
    command = RecordBreach(complaint_id=CID, clock="forwarding")
    error = refused(lambda: record_breach(complaint, command, SYSTEM, deadline, ctx))
    assert str(error) == "profile 'national' has no clock 'forwarding'"
    assert _text(error) == {"profile_name": "national", "clock": "forwarding"}


def test_a_breach_of_an_agency_clock_that_does_not_run_names_the_agency() -> None:
    complaint = drive(Status.FORWARDED).state
    command = RecordBreach(complaint_id=CID, clock="follow_up", agency=AWAY)
    error = refused(lambda: record_breach(complaint, command, SYSTEM, complaint.updated_at, CTX))
    assert str(error) == "clock 'follow_up' of 'balikpapan' is not running on complaint c-1"


def test_the_automatic_close_at_the_end_of_the_reply_window() -> None:
    complaint = drive(Status.IN_PROGRESS).state
    deadline = _deadline(complaint, "reply_window")
    breached, closed = auto_close(complaint, AutoClose(complaint_id=CID), SYSTEM, deadline, CTX)
    assert isinstance(breached, e.ClockBreached)
    assert (breached.clock, breached.deadline, breached.action) == (
        "reply_window",
        deadline,
        BreachAction.AUTO_CLOSE,
    )
    assert closed == e.ComplaintClosed(complaint_id=CID, at=deadline, actor=SYSTEM, automatic=True)
    error = refused(
        lambda: auto_close(
            drive(Status.SUBMITTED).state, AutoClose(complaint_id=CID), SYSTEM, deadline, CTX
        )
    )
    assert str(error) == "no automatic-close clock is running on complaint c-1"
    assert _text(error) == {"complaint_id": CID}


@pytest.mark.parametrize(
    ("status", "clock", "message"),
    [
        (
            Status.IN_PROGRESS,
            "reply_window",
            "automatic close applies in in_progress, not forwarded",
        ),
        (Status.ON_HOLD, "information", "archiving as withdrawn applies on hold, not submitted"),
    ],
)
def test_a_breach_that_closes_or_archives_needs_its_status(
    status: Status, clock: str, message: str
) -> None:
    complaint = drive(status).state
    deadline = _deadline(complaint, clock)
    elsewhere = attrs.evolve(
        complaint, status=Status.FORWARDED if status is Status.IN_PROGRESS else Status.SUBMITTED
    )
    command = RecordBreach(complaint_id=CID, clock=clock)
    error = refused(lambda: record_breach(elsewhere, command, SYSTEM, deadline, CTX))
    assert type(error) is InvalidTransition
    assert str(error) == message
    assert _text(error) == {"status": elsewhere.status.value}
