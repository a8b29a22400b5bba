"""
The calendar's commands: ``lapor-core calendar status`` and ``lapor-core recompute``.

``calendar status`` says which years the installed holiday data confirms, which are
counted provisionally, and warns when the confirmed data ends within twelve months;
``recompute`` moves the open complaints' deadlines to newer data after an upgrade of the
``holidays`` package (see :meth:`~lapor_core.service.ComplaintService.recompute`).
"""

from __future__ import annotations

import argparse
import contextlib
from datetime import UTC, date, datetime, timedelta
from importlib import metadata

from lapor_core._cli_reports import add_command, add_lang, add_profile, refuse_argument
from lapor_core._cli_web import _common, _service, _store_url
from lapor_core.domain.calendar import WorkingCalendar, confirmed_years
from lapor_core.errors import LaporError
from lapor_core.i18n import N_, Translate, translator
from lapor_core.profiles import load_profile

__all__ = ["add_parsers", "calendar_warning"]


def _iso_date(given: str) -> date:
    """An ISO date argument (argparse reports a bad one as a usage error)."""
    try:
        return date.fromisoformat(given)
    except ValueError:
        raise refuse_argument(N_("not an ISO date: {given!r}"), given=given) from None


def _version() -> str:
    with contextlib.suppress(metadata.PackageNotFoundError):
        return metadata.version("holidays")
    return "unknown"  # pragma: no cover - holidays is a dependency


_DATA_WARNING = N_(
    "the confirmed holiday data ends on {last}: deadlines from {since} on are "
    "provisional; install a newer holidays package (pip install -U holidays), then "
    "run lapor-core recompute --previous-data {year}"
)
"""The warning of ``calendar status`` when the confirmed data ends soon (``check``'s text)."""


def calendar_warning(calendar: WorkingCalendar, today: date, _: Translate) -> str | None:
    """
    The warning when *calendar*'s confirmed data ends within 12 months of *today*.

    In the language of *_*; ``None`` when there is nothing to warn about.
    """
    if calendar.data_warning(today) is None:
        return None
    return _(_DATA_WARNING).format(
        last=(calendar.provisional_from - timedelta(days=1)).isoformat(),
        since=calendar.provisional_from.isoformat(),
        year=calendar.confirmed_until,
    )


def run_status(args: argparse.Namespace) -> int:
    """Run ``lapor-core calendar status``: the data's coverage, and a warning if due."""
    calendar: WorkingCalendar = load_profile(args.profile).calendar()
    _ = translator(args.lang)
    today: date = args.today if args.today is not None else datetime.now(UTC).date()
    warning = calendar_warning(calendar, today, _)  # before any output: it may not fail midway
    confirmed = confirmed_years()
    last = calendar.years[-1]
    print(_("holiday data: holidays {version}").format(version=_version()))
    confirmed_label = _("confirmed (national holidays and cuti bersama)")
    print(f"{confirmed_label}: {confirmed.start}-{calendar.confirmed_until}")
    if calendar.confirmed_until < last:
        provisional = _("provisional (estimated national holidays, no cuti bersama)")
        print(f"{provisional}: {calendar.confirmed_until + 1}-{last}")
    since = calendar.provisional_from.isoformat()
    print(_("deadlines provisional from: {day}").format(day=since))
    first, last_day = calendar.first_date.isoformat(), calendar.last_date.isoformat()
    print(_("covered: {first}..{last}").format(first=first, last=last_day))
    print(_("time zone: {zone}").format(zone=calendar.time_zone))
    if warning is None:
        print(_("nothing to warn about within 12 months of {day}").format(day=today.isoformat()))
    else:
        print(_("warning: {warning}").format(warning=warning))
    return 0


def run_recompute(args: argparse.Namespace) -> int:
    """Run ``lapor-core recompute``: move open deadlines to the installed calendar data."""
    service = _service(_store_url(args.store), args.profile, args.registry, must_exist=True)
    try:
        report = service.recompute(args.previous_data)
    finally:
        with contextlib.suppress(LaporError):
            service.store.close()
    _ = translator(args.lang)
    print(
        _(
            "recompute: data confirmed up to {previous} -> {confirmed}; {examined} open "
            "complaints, {moved} moved, {already} already recomputed, {unreadable} unreadable"
        ).format(
            previous=report.previous_until,
            confirmed=report.confirmed_until,
            examined=report.examined,
            moved=len(report.moved),
            already=report.already,
            unreadable=len(report.unreadable),
        )
    )
    for complaint_id, changes in report.moved:
        for change in changes:
            before = change.before.isoformat() if change.before else "-"
            after = change.after.isoformat() if change.after else "-"
            who = change.clock + (f" ({change.agency})" if change.agency else "")
            print(f"  {complaint_id}: {who}: {before} -> {after}")
    return 0


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``calendar status`` and ``recompute``."""
    calendar = add_command(
        sub,
        "calendar",
        summary=N_("the working-day calendar's holiday data"),
        description=N_(
            "What the installed holiday data (hari libur) covers. `calendar status` "
            "lists the confirmed years (national holidays and cuti bersama), the provisional "
            "ones (estimated national holidays), and warns when the confirmed data ends within "
            "12 months."
        ),
        examples=("calendar status --profile kaltim",),
    )
    actions = calendar.add_subparsers(
        dest="calendar_command", required=True, metavar="ACTION", help=N_("what to do")
    )
    status = add_command(
        actions,
        "status",
        summary=N_("what the installed holiday data covers"),
        description=N_(
            "Print the installed holidays package's version, the confirmed and the "
            "provisional years, the date deadlines become provisional from, the calendar's "
            "range and time zone, and a warning when the confirmed data ends within 12 months."
        ),
        examples=("calendar status", "calendar status --today 2027-03-01 --lang id"),
    )
    add_profile(status)
    add_lang(status)
    status.add_argument(
        "--today", type=_iso_date, help=N_("judge the warning from this ISO date (default: today)")
    )
    status.set_defaults(func=run_status)
    recompute = add_command(
        sub,
        "recompute",
        summary=N_("move open deadlines to newer holiday data (after upgrading holidays)"),
        description=N_(
            "After a newer holidays package confirms a year that was counted "
            "provisionally, record how each open complaint's deadlines (tenggat) move (one "
            "DeadlinesRecomputed event each, as the system). A second run moves nothing."
        ),
        examples=("recompute --store sqlite:///lapor.sqlite3 --previous-data 2027",),
    )
    _common(recompute)
    add_lang(
        recompute,
        text=N_(
            "summary language: id (Bahasa Indonesia) or en (default: $LAPOR_LANG, else the "
            "locale's, else en)"
        ),
    )
    recompute.add_argument(
        "--previous-data",
        type=int,
        required=True,
        metavar="YEAR",
        help=N_(
            "the last confirmed year of the data the deadlines were counted with "
            "(`calendar status` before the upgrade printed it)"
        ),
    )
    recompute.set_defaults(func=run_recompute)
