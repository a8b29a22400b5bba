"""
Command records: what someone asks the workflow to do.

A command is a request; :func:`lapor_core.domain.complaint.decide` checks it against
the complaint's status, the actor's role and scope, and the profile, and either
returns the events that happen or raises a :class:`~lapor_core.errors.LaporError`.

Every command names its complaint and may carry an ``idempotency_key`` (a regional app
retrying the same submission gets the same complaint, not a duplicate).

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from lapor_core.domain._validators import (
    AGENCY_ID_MAX_LENGTH,
    BODY_MAX_LENGTH,
    ID_MAX_LENGTH,
    KEY_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    TAG_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    identifier,
    instance_of,
    optional_identifier,
    optional_instance_of,
    optional_text,
    optional_text_tuple,
    text,
    text_tuple,
)
from lapor_core.domain.model import (
    ArchiveReason,
    Category,
    Channel,
    ComplaintId,
    Content,
    ExternalIds,
    Kind,
    Privacy,
    RegionCode,
    Reporter,
)
from lapor_core.errors import N_, ValidationError

__all__ = [
    "COMMANDS",
    "Archive",
    "AutoClose",
    "ChangePrivacy",
    "Classify",
    "Close",
    "Command",
    "ExtendDeadline",
    "Forward",
    "ForwardInternally",
    "PostFollowUp",
    "ProvideInformation",
    "Rate",
    "RecomputeDeadlines",
    "RecordBreach",
    "RecordWarning",
    "RejectDisposition",
    "Reopen",
    "Reply",
    "RequestInformation",
    "Submit",
]


def _text(max_len: int) -> Any:  # noqa: ANN401 - attrs validators are untyped callables
    return text(max_len)


def _opt_text(max_len: int) -> Any:  # noqa: ANN401 - attrs validators are untyped callables
    return optional_text(max_len)


_agency_id = identifier(AGENCY_ID_MAX_LENGTH)
_opt_agency_id = optional_identifier(AGENCY_ID_MAX_LENGTH)
_clock_name = identifier(ID_MAX_LENGTH)
_tag = identifier(TAG_MAX_LENGTH, N_("a tag in tags"))
_as_agencies = text_tuple("agencies")
_as_tags = optional_text_tuple("tags")


def _agencies(value: Iterable[str]) -> tuple[str, ...]:
    """Forward's agencies as a tuple; a bare string is refused, not split."""
    return _as_agencies(value)


def _tags(value: Iterable[str] | None) -> tuple[str, ...] | None:
    """Classify's tags as a tuple (or ``None``); a bare string is refused, not split."""
    return _as_tags(value)


def _instance(cls: type) -> Any:  # noqa: ANN401 - attrs validators are untyped callables
    return instance_of(cls)


@attrs.frozen(kw_only=True)
class Command:
    """
    Base of every command.

    Attributes:
        complaint_id: The complaint the command is about (for :class:`Submit`, the id
            the new complaint will have).
        idempotency_key: Optional key; the service returns the first result for a
            repeated key instead of acting twice.

    .. versionadded:: 0.1.0
    """

    complaint_id: ComplaintId = attrs.field(validator=_instance(ComplaintId))
    idempotency_key: str | None = attrs.field(
        default=None, validator=optional_identifier(KEY_MAX_LENGTH)
    )


@attrs.frozen(kw_only=True)
class Submit(Command):
    """
    Submit a new report (reporter), or digitise a paper one (admin).

    Attributes:
        content: Title, body, location, event date.
        kind: *Pengaduan*, *aspirasi* or *permintaan informasi*.
        reporter: Who reports (identity kept even when anonymous).
        channel: How it arrived.
        privacy: *anonim* / *rahasia* flags.
        region: Where it happened (Kemendagri code), if known.
        category: Its category, if chosen.
        external_ids: SP4N tracking id, regional app id.
        target_agency: *Instansi tujuan*: the agency the reporter or a regional app
            addressed; its admin verifies the report (otherwise the national admin does).
        subject_agency: The office the report is about, if any.
        misconduct: The report alleges misconduct (e.g. *pungli*) by ``subject_agency``;
            it must go to that office's inspectorate, never to the office itself.

    .. versionadded:: 0.1.0
    """

    content: Content = attrs.field(validator=_instance(Content))
    kind: Kind = attrs.field(validator=_instance(Kind))
    reporter: Reporter = attrs.field(validator=_instance(Reporter))
    channel: Channel = attrs.field(validator=_instance(Channel))
    privacy: Privacy = attrs.field(factory=Privacy, validator=_instance(Privacy))
    region: RegionCode | None = attrs.field(
        default=None, validator=optional_instance_of(RegionCode)
    )
    category: Category | None = attrs.field(default=None, validator=optional_instance_of(Category))
    external_ids: ExternalIds = attrs.field(factory=ExternalIds, validator=_instance(ExternalIds))
    target_agency: str | None = attrs.field(default=None, validator=_opt_agency_id)
    subject_agency: str | None = attrs.field(default=None, validator=_opt_agency_id)
    misconduct: bool = attrs.field(default=False, validator=_instance(bool))

    def __attrs_post_init__(self) -> None:
        """A misconduct report must name the office it is about."""
        if self.misconduct and self.subject_agency is None:
            raise ValidationError(N_("a misconduct report must name the subject_agency"))


@attrs.frozen(kw_only=True)
class RequestInformation(Command):
    """
    Put the report on hold (*Tunda*) and ask the reporter for missing information.

    .. versionadded:: 0.1.0
    """

    question: str = attrs.field(validator=_text(NOTE_MAX_LENGTH))


@attrs.frozen(kw_only=True)
class ProvideInformation(Command):
    """
    The reporter answers a request for information; the report leaves *Tunda*.

    .. versionadded:: 0.1.0
    """

    text: str = attrs.field(validator=_text(BODY_MAX_LENGTH))


@attrs.frozen(kw_only=True)
class Forward(Command):
    """
    Verify and forward (*disposisi*) to one or several agencies, one of them the lead.

    Verifying a report (*verifikasi*) is this command: the admin who received it (the
    national admin, or the agency admin of ``Submit.target_agency``) checks it and sends
    it on, and the complaint leaves *Belum Terverifikasi* for *Belum Ditindaklanjuti*.
    There is no separate verify command; an unverifiable report is archived
    (:class:`Archive`) or put on hold for information (:class:`RequestInformation`).

    Attributes:
        agencies: Agency ids, at least one, no repeats.
        lead: The lead agency; defaults to the first of ``agencies``.

    .. versionadded:: 0.1.0
    """

    agencies: tuple[str, ...] = attrs.field(converter=_agencies)
    lead: str | None = attrs.field(default=None, validator=_opt_agency_id)

    @agencies.validator
    def _check(self, _attr: attrs.Attribute[tuple[str, ...]], value: tuple[str, ...]) -> None:
        if not value:
            raise ValidationError(N_("forward needs at least one agency"))
        for agency in value:
            _agency_id(self, _attr, agency)
        if len(set(value)) != len(value):
            raise ValidationError(N_("forward names an agency twice: {value}"), value=value)

    def __attrs_post_init__(self) -> None:
        """The lead must be one of the agencies."""
        if self.lead is not None and self.lead not in self.agencies:
            raise ValidationError(
                N_("lead agency {lead!r} is not among {agencies}"),
                lead=self.lead,
                agencies=self.agencies,
            )

    @property
    def lead_agency(self) -> str:
        """The lead agency (explicit, or the first one)."""
        return self.lead if self.lead is not None else self.agencies[0]


@attrs.frozen(kw_only=True)
class ForwardInternally(Command):
    """
    Forward an assignment down the agency tree (to a unit or liaison officer).

    Attributes:
        agency: The assigned agency whose assignment moves down.
        to: The unit or liaison node below the current handler.

    .. versionadded:: 0.1.0
    """

    agency: str = attrs.field(validator=_agency_id)
    to: str = attrs.field(validator=_agency_id)


@attrs.frozen(kw_only=True)
class RejectDisposition(Command):
    """
    *Bukan wewenang*: the assigned agency says the report is outside its authority.

    .. versionadded:: 0.1.0
    """

    agency: str = attrs.field(validator=_agency_id)
    reason: str = attrs.field(validator=_text(NOTE_MAX_LENGTH))


@attrs.frozen(kw_only=True)
class PostFollowUp(Command):
    """
    Post a follow-up (*tindak lanjut*) for an assignment.

    .. versionadded:: 0.1.0
    """

    agency: str = attrs.field(validator=_agency_id)
    text: str = attrs.field(validator=_text(BODY_MAX_LENGTH))


@attrs.frozen(kw_only=True)
class Reply(Command):
    """
    Reply on the follow-up thread (*beri tanggapan*); resets the reply window.

    .. versionadded:: 0.1.0
    """

    text: str = attrs.field(validator=_text(BODY_MAX_LENGTH))


@attrs.frozen(kw_only=True)
class Close(Command):
    """
    Close the report by hand (*Selesai*).

    .. versionadded:: 0.1.0
    """

    note: str | None = attrs.field(default=None, validator=_opt_text(NOTE_MAX_LENGTH))


@attrs.frozen(kw_only=True)
class AutoClose(Command):
    """
    Close the report because the reply window ran out (issued by the sweeper).

    .. versionadded:: 0.1.0
    """


@attrs.frozen(kw_only=True)
class Archive(Command):
    """
    Archive an unprocessable report (*Arsip*), with a reason.

    Attributes:
        reason: Why.
        note: Free text; required when the reason is ``OTHER``.
        duplicate_of: The original, required when the reason is ``DUPLICATE``.

    .. versionadded:: 0.1.0
    """

    reason: ArchiveReason = attrs.field(validator=_instance(ArchiveReason))
    note: str | None = attrs.field(default=None, validator=_opt_text(NOTE_MAX_LENGTH))
    duplicate_of: ComplaintId | None = attrs.field(
        default=None, validator=optional_instance_of(ComplaintId)
    )

    def __attrs_post_init__(self) -> None:
        """Duplicate links its original; other needs a note."""
        if self.reason is ArchiveReason.DUPLICATE:
            if self.duplicate_of is None:
                raise ValidationError(
                    N_("archiving as duplicate needs duplicate_of (the original)")
                )
            if self.duplicate_of == self.complaint_id:
                raise ValidationError(N_("a complaint cannot be a duplicate of itself"))
        elif self.duplicate_of is not None:
            raise ValidationError(N_("duplicate_of is only for the reason 'duplicate'"))
        if self.reason is ArchiveReason.OTHER and self.note is None:
            raise ValidationError(N_("archiving for reason 'other' needs a note"))


@attrs.frozen(kw_only=True)
class Rate(Command):
    """
    The reporter rates the handling of a completed report (where the profile enables it).

    .. versionadded:: 0.1.0
    """

    score: int = attrs.field(validator=_instance(int))
    comment: str | None = attrs.field(default=None, validator=_opt_text(NOTE_MAX_LENGTH))


@attrs.frozen(kw_only=True)
class Reopen(Command):
    """
    The reporter reopens a completed report (where the profile enables it).

    .. versionadded:: 0.1.0
    """

    reason: str = attrs.field(validator=_text(NOTE_MAX_LENGTH))


@attrs.frozen(kw_only=True)
class ChangePrivacy(Command):
    """
    An admin sets the *anonim* / *rahasia* flags (e.g. at verification).

    .. versionadded:: 0.1.0
    """

    privacy: Privacy = attrs.field(validator=_instance(Privacy))


@attrs.frozen(kw_only=True)
class Classify(Command):
    """
    An admin edits the title (*intisari*), kind, category or tags during verification.

    Fields left ``None`` are unchanged; at least one must be given.

    .. versionadded:: 0.1.0
    """

    title: str | None = attrs.field(default=None, validator=_opt_text(TITLE_MAX_LENGTH))
    kind: Kind | None = attrs.field(default=None, validator=optional_instance_of(Kind))
    category: Category | None = attrs.field(default=None, validator=optional_instance_of(Category))
    tags: tuple[str, ...] | None = attrs.field(default=None, converter=_tags)

    @tags.validator
    def _check_tags(
        self, attr: attrs.Attribute[tuple[str, ...] | None], value: tuple[str, ...] | None
    ) -> None:
        for tag in value or ():
            _tag(self, attr, tag)

    def __attrs_post_init__(self) -> None:
        """At least one change."""
        if self.title is None and self.kind is None and self.category is None and self.tags is None:
            raise ValidationError(
                N_("classify changes nothing: give a title, kind, category or tags")
            )


@attrs.frozen(kw_only=True)
class RecordWarning(Command):
    """
    Record that a clock passed a warning threshold (issued by the sweeper).

    .. versionadded:: 0.1.0
    """

    clock: str = attrs.field(validator=_clock_name)
    agency: str | None = attrs.field(default=None, validator=_opt_agency_id)
    threshold: int = attrs.field(validator=_instance(int))


@attrs.frozen(kw_only=True)
class RecordBreach(Command):
    """
    Record that a clock's deadline passed, and do what the profile says (issued by the sweeper).

    .. versionadded:: 0.1.0
    """

    clock: str = attrs.field(validator=_clock_name)
    agency: str | None = attrs.field(default=None, validator=_opt_agency_id)


@attrs.frozen(kw_only=True)
class RecomputeDeadlines(Command):
    """
    Move the deadlines to newer calendar data (issued by a recompute, as the system).

    Attributes:
        previous_until: The last confirmed year of the data the deadlines were counted
            with until now (the last year of *cuti bersama* the previous ``holidays``
            package had).

    .. versionadded:: 0.2.0
    """

    previous_until: int = attrs.field(validator=_instance(int))


@attrs.frozen(kw_only=True)
class ExtendDeadline(Command):
    """
    The responsible agency extends a running clock, with a reason, within the profile's bounds.

    Attributes:
        clock: The clock to extend (``follow_up``, ...).
        agency: The assignment, for per-assignment clocks.
        amount: Extra units (working days for a working-day clock).
        reason: Why.

    .. versionadded:: 0.1.0
    """

    clock: str = attrs.field(validator=_clock_name)
    agency: str | None = attrs.field(default=None, validator=_opt_agency_id)
    amount: int = attrs.field(validator=_instance(int))
    reason: str = attrs.field(validator=_text(NOTE_MAX_LENGTH))

    def __attrs_post_init__(self) -> None:
        """The extension is positive."""
        if self.amount <= 0:
            raise ValidationError(
                N_("an extension must be positive, got {amount}"), amount=self.amount
            )


COMMANDS: tuple[type[Command], ...] = (
    Submit,
    Classify,
    RequestInformation,
    ProvideInformation,
    Forward,
    ForwardInternally,
    RejectDisposition,
    PostFollowUp,
    Reply,
    Close,
    AutoClose,
    Archive,
    Rate,
    Reopen,
    ChangePrivacy,
    RecordWarning,
    RecordBreach,
    ExtendDeadline,
    RecomputeDeadlines,
)
"""Every command type of the domain (the vocabulary the lifecycle table uses)."""
