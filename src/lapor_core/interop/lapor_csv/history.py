"""
Replaying a row of the LAPOR! export through the real workflow.

:func:`record_steps` turns a record into the commands that reproduce its history, and
:func:`replay_record` decides them (pure: ``decide`` and ``evolve``), so the complaint ends
in the status the row gives and keeps the *Tracking ID* as
:attr:`~lapor_core.domain.model.ExternalIds.sp4n_tracking_id`. The ids are mapped onto
ours by :mod:`~lapor_core.interop.lapor_csv.mapping` (:class:`ImportOptions`).

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import attrs

from lapor_core.domain.actors import Actor, Role
from lapor_core.domain.commands import (
    Archive,
    Close,
    Command,
    Forward,
    PostFollowUp,
    ProvideInformation,
    RequestInformation,
    Submit,
)
from lapor_core.domain.complaint import Complaint, Context, decide, evolve
from lapor_core.domain.events import Event
from lapor_core.domain.model import (
    ArchiveReason,
    ComplaintId,
    Content,
    ExternalIds,
    Privacy,
    Reporter,
    Status,
)
from lapor_core.errors import N_, LaporError, ValidationError
from lapor_core.interop.lapor_csv.mapping import (
    ImportOptions,
    MappedIds,
    complaint_id_for,
    idempotency_key_for,
    map_ids,
)
from lapor_core.interop.lapor_csv.records import (
    AGENCY_ID,
    CLOSED,
    FORWARDED,
    LAST_ACTIVITY,
    RECEIVED,
    STATUS,
    CsvRowError,
    LaporCsvRecord,
    RowWarning,
)

__all__ = ["Step", "record_steps", "record_warnings", "replay_record"]


@attrs.frozen
class Step:
    """
    One command of a replayed record: when, by whom, and the column it comes from.

    .. versionadded:: 0.1.0
    """

    at: datetime
    actor: Actor
    command: Command
    column: str


_NEEDS_FORWARD = frozenset({Status.FORWARDED, Status.IN_PROGRESS, Status.COMPLETED})
_ORDER = (
    (RECEIVED, "received_at"),
    (FORWARDED, "forwarded_at"),
    (LAST_ACTIVITY, "last_activity_at"),
    (CLOSED, "closed_at"),
)


def _check_dates(record: LaporCsvRecord, years: range) -> None:
    """Each date is in the calendar's years."""
    for column, name in _ORDER:
        value: datetime | None = getattr(record, name)
        if value is not None and value.year not in years:
            raise CsvRowError(
                record.line,
                column,
                ValidationError(
                    N_("{date} is outside the years of the working-day calendar ({first}-{last})"),
                    date=value.isoformat(),
                    first=years[0],
                    last=years[-1],
                ),
                str(record.tracking_id),
            )


def record_warnings(record: LaporCsvRecord) -> tuple[RowWarning, ...]:
    """
    The oddities of a record that do not stop its import: dates out of column order.

    Real rows are messy (a last activity before the disposition, when information was
    requested and given before forwarding, say). Such a date is kept where the export's
    status does not need it, and a step that needs it is taken at the latest earlier
    date instead (:func:`record_steps`); either way the row is imported with a
    ``date-order`` warning.

    .. versionadded:: 0.2.0
    """
    warnings: list[RowWarning] = []
    seen: list[tuple[str, datetime]] = []
    for column, name in _ORDER:
        value: datetime | None = getattr(record, name)
        if value is None:
            continue
        for earlier_column, earlier in seen:
            if value < earlier:
                warnings.append(
                    RowWarning(
                        record.line,
                        column,
                        "date-order",
                        f"{value.isoformat()} is before {earlier_column} {earlier.isoformat()}",
                        str(record.tracking_id),
                    )
                )
                break
        seen.append((column, value))
    return tuple(warnings)


def _check_shape(record: LaporCsvRecord) -> None:
    """The columns the status needs are there; the ones it cannot have are not."""

    def fail(column: str, reason: str, **fields: object) -> CsvRowError:
        error = ValidationError(reason, **fields) if fields else ValidationError(reason)
        return CsvRowError(record.line, column, error, str(record.tracking_id))

    status, label = record.status, record.status_label
    if record.agency_id is not None and record.forwarded_at is None:
        raise fail(FORWARDED, N_("empty, but {other} is given"), other=AGENCY_ID)
    if status is Status.SUBMITTED and record.forwarded_at is not None:
        raise fail(
            FORWARDED,
            N_(
                "status {label!r} (not yet verified) cannot have been forwarded; "
                "a bukan wewenang return is not in the export"
            ),
            label=label,
        )
    if record.forwarded_at is not None and record.agency_id is None:
        raise fail(AGENCY_ID, N_("empty, but {other} is given"), other=FORWARDED)
    _check_status_columns(record, fail)


def _check_status_columns(record: LaporCsvRecord, fail: Callable[..., CsvRowError]) -> None:
    status, label = record.status, record.status_label
    if status in _NEEDS_FORWARD:
        if record.agency_id is None:
            raise fail(AGENCY_ID, N_("required for status {label!r}"), label=label)
        if record.forwarded_at is None:
            raise fail(FORWARDED, N_("required for status {label!r}"), label=label)
    if status is Status.IN_PROGRESS and record.last_activity_at is None:
        raise fail(LAST_ACTIVITY, N_("required for status {label!r} (the follow-up)"), label=label)
    if status is Status.COMPLETED and record.closed_at is None:
        raise fail(CLOSED, N_("required for status {label!r}"), label=label)
    if status not in {Status.COMPLETED, Status.ARCHIVED} and record.closed_at is not None:
        raise fail(CLOSED, N_("status {label!r} is open, but a closing date is given"), label=label)


def record_steps(
    record: LaporCsvRecord, ctx: Context, options: ImportOptions | None = None
) -> tuple[Step, ...]:
    """
    The commands that reproduce a record's history, in order.

    * ``Submit`` (system actor) at ``TanggalLaporanMasuk``, with the *Tracking ID* as
      external id and the idempotency key of :func:`idempotency_key_for`;
    * ``Forward`` (national admin) to ``DisposisiInstansiID`` at ``TanggalDisposisi``:
      needed by *Belum Ditindaklanjuti*, *Proses* and *Selesai*, done for *Tunda* and
      *Arsip* when given;
    * ``PostFollowUp`` (the agency): *Proses* at ``TanggalLaporanAktivitasTerakhir``;
      *Selesai* at the same, else at ``TanggalLaporanDitutup``;
    * ``Close`` (national admin): *Selesai* at ``TanggalLaporanDitutup``;
    * ``RequestInformation`` (national admin): *Tunda* at
      ``TanggalLaporanAktivitasTerakhir``, else at the latest earlier date;
    * ``Archive`` (national admin, reason ``other``: the export gives none): *Arsip* at
      ``TanggalLaporanDitutup``, else at the latest earlier date.

    *Belum Terverifikasi* is the submission alone. The follow-up is posted under an
    agency-admin account of the agency: a historical fact, not checked against today's
    decree (*SK*) rule.

    Every date must lie in the years of the working-day calendar. A date before the
    dates of the columns to its left is a warning (:func:`record_warnings`), not a
    refusal: a step is never taken before the step preceding it (it is taken at that
    step's instant instead). ``TanggalLaporanAktivitasTerakhir`` is the follow-up of
    *Proses* and *Selesai*, the question of *Tunda* and the archiving of *Arsip*
    without a closing date. Where no step of the status belongs to it (*Belum
    Terverifikasi*, *Belum Ditindaklanjuti*, *Arsip* with a closing date no earlier),
    it is the one activity those statuses can have had: information asked by the
    national admin and given by the reporter (``RequestInformation`` and
    ``ProvideInformation``, both at that instant), before or after the forwarding as
    the dates say; the export of the imported complaint then gives the same date back.

    Raises:
        CsvRowError: The record is inconsistent (a date outside the calendar, a column
            the status needs is empty or one it cannot have is given) or an id cannot
            be mapped; names the column.

    .. versionadded:: 0.1.0
    """
    options = options if options is not None else ImportOptions()
    _check_dates(record, ctx.calendar.years)
    _check_shape(record)
    ids = map_ids(record, ctx, options)
    history = _History(record, complaint_id_for(record, options), options, ids.agency)
    try:
        steps = [history.submission(ids)]
    except ValidationError as exc:  # a title or text the domain does not take
        raise CsvRowError(record.line, None, exc, str(record.tracking_id)) from None
    later = history.outcome()
    if history.forwarded_at is not None:
        steps.append(history.forwarding())
    exchange = history.exchange() if not later or _archived_after(record) else []
    if exchange and history.forwarded_at is not None and exchange[0].at < history.forwarded_at:
        steps[1:1] = exchange  # asked and answered before the forwarding
    else:
        steps.extend(exchange)
    steps.extend(later)
    for index in range(1, len(steps)):
        if steps[index].at < steps[index - 1].at:
            steps[index] = attrs.evolve(steps[index], at=steps[index - 1].at)
    return tuple(steps)


def _archived_after(record: LaporCsvRecord) -> bool:
    """*Arsip* closed at or after its last activity: the archiving is not that activity."""
    last, closed = record.last_activity_at, record.closed_at
    return (
        record.status is Status.ARCHIVED
        and last is not None
        and closed is not None
        and last <= closed
    )


_ANONIM = "anonim"  # the name the export writes for an anonim reporter


@attrs.frozen
class _History:
    """The steps of one record, built in order by :func:`record_steps`."""

    record: LaporCsvRecord
    cid: ComplaintId
    options: ImportOptions
    agency: str | None
    admin: Actor = attrs.field(
        init=False,
        default=attrs.Factory(
            lambda self: Actor(self.options.actor_id, Role.NATIONAL_ADMIN), takes_self=True
        ),
    )
    """The account of the national admin's steps."""
    note: str = attrs.field(
        init=False,
        default=attrs.Factory(
            lambda self: (
                f"imported from the LAPOR! open-data export, status {self.record.status_label!r}"
            ),
            takes_self=True,
        ),
    )
    """The text of the follow-up, the question, the closing and the archiving."""

    @property
    def forwarded_at(self) -> datetime | None:
        """When it was forwarded, if it was (an agency and a date are given)."""
        return self.record.forwarded_at if self.agency is not None else None

    @property
    def reporter(self) -> Reporter:
        """The options' reporter, named as ``Pelapor`` says (unless it says ``Anonim``)."""
        name = self.record.reporter
        if name is None or name.casefold() == _ANONIM:
            return self.options.reporter
        return attrs.evolve(self.options.reporter, name=name)

    @property
    def privacy(self) -> Privacy:
        """
        The options' privacy, with what the row shows of it.

        ``Pelapor`` ``Anonim`` is an *anonim* report; a row with neither title nor text is
        taken as *rahasia*: the public was not shown its content, and the placeholder text
        it gets here is not to be shown as if it were.
        """
        privacy = self.options.privacy
        if self.record.reporter is not None and self.record.reporter.casefold() == _ANONIM:
            privacy = attrs.evolve(privacy, anonymous=True)
        if self.record.title is None and self.record.body is None:
            privacy = attrs.evolve(privacy, confidential=True)
        return privacy

    def submission(self, ids: MappedIds) -> Step:
        """``Submit`` by the system actor at the day received."""
        record, options = self.record, self.options
        submit = Submit(
            complaint_id=self.cid,
            idempotency_key=idempotency_key_for(record),
            content=Content(
                title=record.title or f"Laporan SP4N-LAPOR! {record.tracking_id}",
                body=record.body
                or "The open-data export does not publish the report's content "
                "(isi laporan tidak dipublikasikan).",
                point=ids.point,
            ),
            kind=options.kind,
            reporter=self.reporter,
            channel=options.channel,
            privacy=self.privacy,
            region=ids.region,
            category=ids.category,
            external_ids=ExternalIds(sp4n_tracking_id=record.tracking_id),
        )
        return Step(record.received_at, Actor(options.actor_id, Role.SYSTEM), submit, RECEIVED)

    def forwarding(self) -> Step:
        """``Forward`` by the national admin to the export's agency."""
        assert self.agency is not None  # noqa: S101 - forwarded_at says it was forwarded
        assert self.forwarded_at is not None  # noqa: S101 - as above
        forward = Forward(complaint_id=self.cid, agencies=(self.agency,))
        return Step(self.forwarded_at, self.admin, forward, FORWARDED)

    def latest(self) -> tuple[datetime, str]:
        """The last date before the last activity: forwarded if it was, else received."""
        if self.forwarded_at is not None:
            return self.forwarded_at, FORWARDED
        return self.record.received_at, RECEIVED

    def outcome(self) -> list[Step]:
        """The steps after the forwarding that bring the complaint to the record's status."""
        status = self.record.status
        if status in {Status.IN_PROGRESS, Status.COMPLETED}:
            assert self.agency is not None  # noqa: S101 - _check_shape requires it
            steps = [self.follow_up(self.agency)]
            if status is Status.COMPLETED:
                steps.append(self.closing())
            return steps
        if status is Status.ON_HOLD:
            return [self.hold()]
        if status is Status.ARCHIVED:
            return [self.archiving()]
        return []

    def follow_up(self, agency: str) -> Step:
        """``PostFollowUp`` by the agency at the last activity, else at the closing date."""
        record = self.record
        at, column = record.last_activity_at, LAST_ACTIVITY
        if at is None:
            at, column = record.closed_at, CLOSED
        assert at is not None  # noqa: S101 - _check_shape requires one of them
        liaison = Actor(self.options.actor_id, Role.AGENCY_ADMIN, agency)
        follow_up = PostFollowUp(complaint_id=self.cid, agency=agency, text=self.note)
        return Step(at, liaison, follow_up, column)

    def exchange(self) -> list[Step]:
        """
        Information asked and given at the last activity, where no step is there.

        Nothing when there is no last activity, or the status is *Tunda* (its question
        is the last activity).
        """
        at = self.record.last_activity_at
        if at is None or self.record.status is Status.ON_HOLD:
            return []
        question = RequestInformation(complaint_id=self.cid, question=self.note)
        answer = ProvideInformation(complaint_id=self.cid, text=self.note)
        reporter = Actor(self.reporter.id, Role.REPORTER)
        return [
            Step(at, self.admin, question, LAST_ACTIVITY),
            Step(at, reporter, answer, LAST_ACTIVITY),
        ]

    def closing(self) -> Step:
        """``Close`` by the national admin at the closing date."""
        closed_at = self.record.closed_at
        assert closed_at is not None  # noqa: S101 - _check_shape requires it
        return Step(closed_at, self.admin, Close(complaint_id=self.cid, note=self.note), CLOSED)

    def hold(self) -> Step:
        """``RequestInformation`` at the last activity, else at the latest earlier date."""
        record = self.record
        at, column = self.latest()
        if record.last_activity_at is not None:
            at, column = record.last_activity_at, LAST_ACTIVITY
        question = RequestInformation(complaint_id=self.cid, question=self.note)
        return Step(at, self.admin, question, column)

    def archiving(self) -> Step:
        """``Archive`` (reason ``other``) at the closing date, the last activity, or before."""
        record = self.record
        at, column = self.latest()
        if record.closed_at is not None:
            at, column = record.closed_at, CLOSED
        elif record.last_activity_at is not None:
            at, column = record.last_activity_at, LAST_ACTIVITY
        archive = Archive(complaint_id=self.cid, reason=ArchiveReason.OTHER, note=self.note)
        return Step(at, self.admin, archive, column)


def replay_record(
    record: LaporCsvRecord, ctx: Context, options: ImportOptions | None = None
) -> tuple[Complaint, tuple[Event, ...]]:
    """
    Decide the :func:`record_steps` of a record through the real domain; store nothing.

    Returns:
        The complaint (in the record's status) and every event, in order.

    Raises:
        CsvRowError: The record is inconsistent, an id cannot be mapped, or the domain
            refuses a step (the message says which column's step and why).

    .. versionadded:: 0.1.0
    """
    steps = record_steps(record, ctx, options)
    complaint: Complaint | None = None
    events: list[Event] = []
    for step in steps:
        try:
            new = decide(complaint, step.command, step.actor, step.at, ctx)
        except LaporError as exc:
            name = type(step.command).__name__
            raise CsvRowError(
                record.line,
                step.column,
                ValidationError(N_("{command} refused: {reason}"), command=name, reason=exc),
                str(record.tracking_id),
            ) from None
        for event in new:
            complaint = evolve(complaint, event)
        events.extend(new)
    assert complaint is not None  # noqa: S101 - the first step is a submission
    if complaint.status is not record.status:  # pragma: no cover - a bug in record_steps
        raise CsvRowError(
            record.line,
            STATUS,
            f"replay ended in {complaint.status.value}, not {record.status.value}",
            str(record.tracking_id),
        )
    return complaint, tuple(events)
