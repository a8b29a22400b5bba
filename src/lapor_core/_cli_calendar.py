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
from datetime import UTC, date, datetime
from importlib import metadata

from lapor_core._cli_reports import add_command, add_lang, add_profile
from lapor_core._cli_web import _common, _service, _store_url
from lapor_core.domain.calendar import WorkingCalendar, confirmed_years
from lapor_core.errors import LaporError
from lapor_core.profiles import load_profile

__all__ = ["add_parsers"]

_WORDS = {
    "en": {
        "data": "holiday data",
        "confirmed": "confirmed (national holidays and cuti bersama)",
        "provisional": "provisional (estimated national holidays, no cuti bersama)",
        "from": "deadlines provisional from",
        "range": "covered",
        "zone": "time zone",
        "none": "nothing to warn about within 12 months of",
        "warning": "warning",
    },
    "id": {
        "data": "data hari libur",
        "confirmed": "pasti (hari libur nasional dan cuti bersama)",
        "provisional": "sementara (hari libur nasional perkiraan, tanpa cuti bersama)",
        "from": "tenggat bersifat sementara mulai",
        "range": "jangkauan",
        "zone": "zona waktu",
        "none": "tidak ada peringatan dalam 12 bulan sejak",
        "warning": "peringatan",
    },
}


def _iso_date(given: str) -> date:
    """An ISO date argument (argparse reports a bad one as a usage error)."""
    try:
        return date.fromisoformat(given)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date: {given!r}") from None


def _version() -> str:
    with contextlib.suppress(metadata.PackageNotFoundError):
        return metadata.version("holidays")
    return "unknown"  # pragma: no cover - holidays is a dependency


def run_status(args: argparse.Namespace) -> int:
    """Run ``lapor-core calendar status``: the data's coverage, and a warning if due."""
    calendar: WorkingCalendar = load_profile(args.profile).calendar()
    words = _WORDS[args.lang]
    today: date = args.today if args.today is not None else datetime.now(UTC).date()
    confirmed = confirmed_years()
    last = calendar.years[-1]
    print(f"{words['data']}: holidays {_version()}")
    print(f"{words['confirmed']}: {confirmed.start}-{calendar.confirmed_until}")
    if calendar.confirmed_until < last:
        print(f"{words['provisional']}: {calendar.confirmed_until + 1}-{last}")
    print(f"{words['from']}: {calendar.provisional_from.isoformat()}")
    print(f"{words['range']}: {calendar.first_date.isoformat()}..{calendar.last_date.isoformat()}")
    print(f"{words['zone']}: {calendar.time_zone}")
    warning = calendar.data_warning(today)
    if warning is None:
        print(f"{words['none']} {today.isoformat()}")
    else:
        print(f"{words['warning']}: {warning}")
    return 0


def run_recompute(args: argparse.Namespace) -> int:
    """Run ``lapor-core recompute``: move open deadlines to the installed calendar data."""
    service = _service(_store_url(args.store), args.profile, args.registry, must_exist=True)
    try:
        report = service.recompute(args.previous_data)
    finally:
        with contextlib.suppress(LaporError):
            service.store.close()
    print(
        f"recompute: data confirmed up to {report.previous_until} -> {report.confirmed_until}; "
        f"{report.examined} open complaints, {len(report.moved)} moved, "
        f"{report.already} already recomputed, {len(report.unreadable)} unreadable"
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
        summary="the working-day calendar's holiday data",
        description="What the installed holiday data (hari libur) covers. `calendar status` "
        "lists the confirmed years (national holidays and cuti bersama), the provisional "
        "ones (estimated national holidays), and warns when the confirmed data ends within "
        "12 months.",
        examples=("calendar status --profile kaltim",),
    )
    actions = calendar.add_subparsers(
        dest="calendar_command", required=True, metavar="ACTION", help="what to do"
    )
    status = add_command(
        actions,
        "status",
        summary="what the installed holiday data covers",
        description="Print the installed holidays package's version, the confirmed and the "
        "provisional years, the date deadlines become provisional from, the calendar's "
        "range and time zone, and a warning when the confirmed data ends within 12 months.",
        examples=("calendar status", "calendar status --today 2027-03-01 --lang id"),
    )
    add_profile(status)
    add_lang(status)
    status.add_argument(
        "--today", type=_iso_date, help="judge the warning from this ISO date (default: today)"
    )
    status.set_defaults(func=run_status)
    recompute = add_command(
        sub,
        "recompute",
        summary="move open deadlines to newer holiday data (after upgrading holidays)",
        description="After a newer holidays package confirms a year that was counted "
        "provisionally, record how each open complaint's deadlines (tenggat) move (one "
        "DeadlinesRecomputed event each, as the system). A second run moves nothing.",
        examples=("recompute --store sqlite:///lapor.sqlite3 --previous-data 2027",),
    )
    _common(recompute)
    recompute.add_argument(
        "--previous-data",
        type=int,
        required=True,
        metavar="YEAR",
        help="the last confirmed year of the data the deadlines were counted with "
        "(`calendar status` before the upgrade printed it)",
    )
    recompute.set_defaults(func=run_recompute)
