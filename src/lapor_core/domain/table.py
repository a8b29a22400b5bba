"""
The national lifecycle table: every rule of the complaint lifecycle, with its basis.

Each row cites its legal basis (domain.md section and source, with how sure we are:
``[C]`` confirmed, ``[I]`` inferred, ``[U]`` unknown). Profiles keep or drop rows by
their options and ``lifecycle.disabled_commands``; see
:class:`~lapor_core.domain.lifecycle.Lifecycle`.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from lapor_core.domain import commands as c
from lapor_core.domain import events as e
from lapor_core.domain.actors import Actor, Role
from lapor_core.domain.model import Status
from lapor_core.domain.profile import Profile
from lapor_core.domain.state import Complaint
from lapor_core.domain.transition import Condition, Guard, Outcome, Target, Transition
from lapor_core.errors import N_, InvalidTransition

__all__ = ["TRANSITIONS"]

# --------------------------------------------------------------------------- guards


def _reopen_allowed(
    complaint: Complaint | None, _cmd: c.Command, _actor: Actor, now: datetime, profile: Profile
) -> None:
    """Within the profile's reopen window after completion, and under its reopen count."""
    if complaint is None:
        raise InvalidTransition(N_("only an existing complaint can be reopened"))
    option = profile.reopen
    if complaint.reopen_count >= option.max_count:
        raise InvalidTransition(
            N_(
                "complaint {complaint_id} was reopened {reopen_count} time(s); profile "
                "{profile_name!r} allows {max_count}"
            ),
            complaint_id=complaint.id,
            reopen_count=complaint.reopen_count,
            profile_name=profile.name,
            max_count=option.max_count,
        )
    closed_at = complaint.closed_at
    if closed_at is not None and (now - closed_at).days >= option.window_days:
        raise InvalidTransition(
            N_(
                "complaint {complaint_id} can be reopened only within {window_days} days "
                "of completion ({instant})"
            ),
            complaint_id=complaint.id,
            window_days=option.window_days,
            instant=closed_at.isoformat(),
        )


def _rating_allowed(
    complaint: Complaint | None, cmd: c.Command, _actor: Actor, _now: datetime, profile: Profile
) -> None:
    """Once per completion, with a score on the profile's scale."""
    if complaint is None or not isinstance(cmd, c.Rate):
        raise InvalidTransition(N_("only an existing complaint can be rated, with Rate"))
    if complaint.rating is not None:
        raise InvalidTransition(
            N_("complaint {complaint_id} is already rated"), complaint_id=complaint.id
        )
    if not 1 <= cmd.score <= profile.rating.scale:
        raise InvalidTransition(
            N_("rating {score} is outside the scale 1..{scale}"),
            score=cmd.score,
            scale=profile.rating.scale,
        )


def _returned(events: tuple[e.Event, ...]) -> bool:
    """The last assignment was rejected: the report returns to whoever forwarded it."""
    last = events[-1]
    return isinstance(last, e.DispositionRejected) and last.returned_to is not None


# --------------------------------------------------------------------------- the table

S = Status
R = Role
SAME = Target.SAME
_ADMINS = frozenset({R.NATIONAL_ADMIN, R.AGENCY_ADMIN})
_AGENCY_WORKERS = frozenset({R.AGENCY_ADMIN, R.UNIT_ADMIN, R.LIAISON_OFFICER})

_B_ADMIN_SCREEN = (
    "domain.md §1 Admin Instansi actions Verifikasi / Tunda / Bukan Wewenang / Arsipkan "
    "(vdokumen LAPOR! v3 guide) [C]"
)
_B_NATIONAL = "domain.md §1 national admin verifies, forwards within 3 HK, archives (FAQ) [C]"
_B_THREAD = "domain.md §1, §3.2 reporter replies (beri tanggapan) on the follow-up thread [C]"
_B_CLOSE = "domain.md §3.2 COMPLETED: closed by hand or after the 10 HK reply window [C]"
_B_PRIVACY = "domain.md §2 admins may set anonim / rahasia at verification [C]"
_B_CLASSIFY = "domain.md §2 admins rewrite the title, set category and tags (v3 guide) [C]"
_B_CASCADE = "domain.md §3.2 forwarding cascades Admin Instansi -> Unit -> Penghubung [C]"
_B_CLOCKS = "domain.md §4 deadlines; §3.4 escalation (LAPOR! admin intervention, FAQ) [C]"
_B_HOLD = "domain.md §3.2 ON_HOLD (Tunda) exists [C]; its semantics are a default [U]"
_B_FOLLOW_UP = "domain.md §1 liaison officer posts the follow-up (tindak lanjut) [C]"


def _to(target: Status | Target, *events: type[e.Event], when: Condition | None = None) -> Outcome:
    return Outcome(events, target, when)


def _rows(
    sources: Iterable[Status | None],
    command: type[c.Command],
    roles: Iterable[Role],
    basis: str,
    *outcomes: Outcome,
    guard: Guard | None = None,
    option: str | None = None,
) -> tuple[Transition, ...]:
    """The same rule for one command in several statuses."""
    return tuple(
        Transition(source, command, frozenset(roles), outcomes, basis, guard, option)
        for source in sources
    )


_OPEN = (S.SUBMITTED, S.ON_HOLD, S.FORWARDED, S.IN_PROGRESS)
_BREACHED = e.ClockBreached

TRANSITIONS: tuple[Transition, ...] = (
    *_rows(
        [None],
        c.Submit,
        [R.REPORTER, R.NATIONAL_ADMIN, R.AGENCY_ADMIN, R.SYSTEM],
        "domain.md §1 reporter submits; §2 admins digitise paper reports (2016 manual ch. 9);"
        " regional apps integrate (Perpres 95/2018) [C]",
        _to(S.SUBMITTED, e.ComplaintSubmitted),
    ),
    *_rows(_OPEN, c.Classify, _ADMINS, _B_CLASSIFY, _to(SAME, e.ComplaintClassified)),
    *_rows(
        [S.SUBMITTED, S.FORWARDED],
        c.RequestInformation,
        _ADMINS,
        _B_HOLD,
        _to(S.ON_HOLD, e.InformationRequested),
    ),
    *_rows(
        [S.ON_HOLD],
        c.ProvideInformation,
        [R.REPORTER],
        _B_HOLD,
        _to(Target.HELD_FROM, e.InformationProvided),
    ),
    *_rows([S.SUBMITTED], c.Forward, _ADMINS, _B_NATIONAL, _to(S.FORWARDED, e.ComplaintForwarded)),
    *_rows(
        [S.FORWARDED, S.IN_PROGRESS],
        c.Forward,
        _ADMINS,
        _B_NATIONAL,
        _to(SAME, e.ComplaintForwarded),
    ),
    *_rows(
        [S.FORWARDED, S.IN_PROGRESS],
        c.ForwardInternally,
        [R.AGENCY_ADMIN, R.UNIT_ADMIN],
        _B_CASCADE,
        _to(SAME, e.ForwardedInternally),
    ),
    *_rows(
        [S.FORWARDED],
        c.RejectDisposition,
        [R.AGENCY_ADMIN],
        _B_ADMIN_SCREEN + "; return to the forwarder; a unit's refusal of an internal "
        "forwarding hands it back to the agency [I]",
        _to(S.SUBMITTED, e.DispositionRejected, when=_returned),
        _to(SAME, e.DispositionRejected),
    ),
    *_rows(
        [S.IN_PROGRESS],
        c.RejectDisposition,
        [R.AGENCY_ADMIN],
        _B_ADMIN_SCREEN + "; a unit's refusal of an internal forwarding hands it back to "
        "the agency [I]",
        _to(SAME, e.DispositionRejected),
    ),
    *_rows(
        [S.FORWARDED],
        c.PostFollowUp,
        _AGENCY_WORKERS,
        _B_FOLLOW_UP,
        _to(S.IN_PROGRESS, e.FollowUpPosted),
    ),
    *_rows(
        [S.IN_PROGRESS], c.PostFollowUp, _AGENCY_WORKERS, _B_FOLLOW_UP, _to(SAME, e.FollowUpPosted)
    ),
    *_rows(
        [S.IN_PROGRESS],
        c.Reply,
        [R.REPORTER, R.NATIONAL_ADMIN],
        _B_THREAD,
        _to(SAME, e.ReplyPosted),
    ),
    *_rows([S.IN_PROGRESS], c.Close, _ADMINS, _B_CLOSE, _to(S.COMPLETED, e.ComplaintClosed)),
    *_rows(
        [S.IN_PROGRESS],
        c.AutoClose,
        [R.SYSTEM],
        _B_CLOSE,
        _to(S.COMPLETED, _BREACHED, e.ComplaintClosed),
    ),
    *_rows(
        [S.SUBMITTED, S.ON_HOLD, S.FORWARDED],
        c.Archive,
        _ADMINS,
        _B_ADMIN_SCREEN + "; archive reasons (v3 guide, list truncated) [C]",
        _to(S.ARCHIVED, e.ComplaintArchived),
    ),
    *_rows(
        [S.COMPLETED],
        c.Rate,
        [R.REPORTER],
        "domain.md §8 q7: rating not documented; profile option [U]",
        _to(SAME, e.ComplaintRated),
        guard=_rating_allowed,
        option="rating",
    ),
    *_rows(
        [S.COMPLETED],
        c.Reopen,
        [R.REPORTER],
        "domain.md §8 q7: reopening not documented; profile option [U]",
        _to(S.IN_PROGRESS, e.ComplaintReopened),
        guard=_reopen_allowed,
        option="reopen",
    ),
    *_rows(
        [*_OPEN, S.COMPLETED, S.ARCHIVED],
        c.ChangePrivacy,
        _ADMINS | {R.REPORTER},
        _B_PRIVACY + "; the reporter chooses them; only they or the national admin lift them [I]",
        _to(SAME, e.PrivacyChanged),
    ),
    *_rows(_OPEN, c.RecordWarning, [R.SYSTEM], _B_CLOCKS, _to(SAME, e.ClockWarned)),
    *_rows([S.SUBMITTED, S.FORWARDED], c.RecordBreach, [R.SYSTEM], _B_CLOCKS, _to(SAME, _BREACHED)),
    *_rows(
        [S.IN_PROGRESS],
        c.RecordBreach,
        [R.SYSTEM],
        _B_CLOCKS,
        _to(SAME, _BREACHED),
        _to(S.COMPLETED, _BREACHED, e.ComplaintClosed),
    ),
    *_rows(
        [S.ON_HOLD],
        c.RecordBreach,
        [R.SYSTEM],
        _B_CLOCKS + "; deemed withdrawn after 30 days (UU 25/2009 Art. 44 as cited) [I]",
        _to(SAME, _BREACHED),
        _to(S.ARCHIVED, _BREACHED, e.ComplaintArchived),
    ),
    *_rows(
        _OPEN,
        c.RecomputeDeadlines,
        [R.SYSTEM],
        "domain.md §5: deadlines follow the working-day calendar in force; newer holiday "
        "data (a joint decree's cuti bersama) moves provisional ones [I]",
        _to(SAME, e.DeadlinesRecomputed),
    ),
    *_rows(
        [S.FORWARDED, S.IN_PROGRESS],
        c.ExtendDeadline,
        [R.AGENCY_ADMIN],
        "domain.md §3.4: no SP4N extension rule; local standards allow +7 HK [U]",
        _to(SAME, e.DeadlineExtended),
    ),
)
"""The national lifecycle table."""
