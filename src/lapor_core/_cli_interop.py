"""The ``import``, ``export-open311`` and ``export-lapor-csv`` subcommands of ``lapor-core``."""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from lapor_core._cli_reports import open_existing, path_argument, write_output
from lapor_core.errors import NotFound, ValidationError
from lapor_core.interop.importer import import_lapor_csv, iter_complaints
from lapor_core.interop.lapor_csv import (
    DEFAULT_DATE_FORMATS,
    DEFAULT_TIME_ZONE,
    CsvOptions,
    ImportOptions,
    write_lapor_csv,
)
from lapor_core.interop.open311 import services, to_service_request
from lapor_core.profiles import load_profile, load_registry
from lapor_core.service import ComplaintService
from lapor_core.storage import (
    DEFAULT_STORE_URL,
    LAPOR_STORE_ENV,
    ComplaintQuery,
    open_store,
)
from lapor_core.storage.base import StreamProblem

__all__ = ["add_parsers"]


def _day(text: str) -> datetime:
    """Parse ``YYYY-MM-DD`` (UTC midnight) or an ISO instant with offset."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _read_map(path: str, what: str) -> dict[str, str]:
    """A two-column CSV file (the export's id, ours); ``#`` lines and blank lines skipped."""
    table: dict[str, str] = {}
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            for line, row in enumerate(csv.reader(handle), start=1):
                if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
                    continue
                if len(row) != 2 or not row[0].strip() or not row[1].strip():
                    raise ValidationError(
                        f"{what} map {path!r}, line {line}: expected two columns "
                        f"(the export's id, ours), got {row!r}"
                    )
                table[row[0].strip()] = row[1].strip()
    except FileNotFoundError:
        raise NotFound(f"{what} map {path!r} does not exist") from None
    except OSError as exc:  # a directory, no permission, ...
        raise ValidationError(f"cannot read {what} map {path!r}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"cannot read {what} map {path!r}: not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None
    except (csv.Error, ValueError) as exc:  # an overlong field; a NUL in the path
        raise ValidationError(f"cannot read {what} map {path!r}: {exc}") from None
    return table


def _query(args: argparse.Namespace) -> ComplaintQuery:
    if args.since is not None and args.until is not None and args.until <= args.since:
        raise ValidationError("--until must be after --since")
    return ComplaintQuery(submitted_from=args.since, submitted_before=args.until, limit=500)


def _write(text: str, output: str | None) -> None:
    write_output(text, output, newline="")


def _report_unreadable(command: str, problems: list[StreamProblem]) -> int:
    """Tell stderr which complaints an export skipped; the exit code (1 if any)."""
    if not problems:
        return 0
    sys.stderr.write(
        f"lapor-core {command}: skipped {len(problems)} complaint(s) whose stream cannot be "
        "read (see lapor-core verify):\n"
    )
    for problem in problems:
        sys.stderr.write(f"  {problem}\n")
    return 1


def run_import(args: argparse.Namespace) -> int:
    """Run ``lapor-core import``: exit 0 when every row imported or was already there."""
    profile = load_profile(args.profile)
    registry = load_registry(args.registry)
    csv_options = CsvOptions(
        date_formats=tuple(args.date_format or DEFAULT_DATE_FORMATS),
        time_zone=args.time_zone,
        delimiter=args.delimiter,
    )
    options = ImportOptions(
        categories=_read_map(args.category_map, "category") if args.category_map else None,
        agencies=_read_map(args.agency_map, "agency") if args.agency_map else None,
        areas=_read_map(args.area_map, "area") if args.area_map else None,
        fallback_category=args.fallback_category,
        fallback_agency=args.fallback_agency,
    )
    url = args.store or os.environ.get(LAPOR_STORE_ENV) or DEFAULT_STORE_URL
    if not Path(args.file).is_file():
        raise NotFound(f"no file at {args.file!r}")
    store = open_store(url)
    try:
        service = ComplaintService(store, profile, registry)
        summary = import_lapor_csv(
            service,
            args.file,
            csv_options=csv_options,
            options=options,
            dry_run=url.startswith("memory"),
        )
    finally:
        store.close()
    sys.stdout.write(summary.render())
    if url.startswith("memory"):
        sys.stdout.write(
            "store: memory:// (a dry run: nothing is kept; pass --store or set "
            f"{LAPOR_STORE_ENV})\n"
        )
    return 0 if summary.ok else 1


def run_export_open311(args: argparse.Namespace) -> int:
    """
    Run ``lapor-core export-open311``: service requests (or services) as JSON.

    ``expected_datetime`` comes from the running clocks on the profile's calendar.
    """
    profile = load_profile(args.profile)
    if args.what == "services":
        _write(json.dumps(services(profile), ensure_ascii=False, indent=2) + "\n", args.output)
        return 0
    if args.store is None:
        raise ValidationError("export-open311 requests needs --store")
    registry = load_registry(args.registry)
    calendar = profile.calendar()  # built once: it fills expected_datetime
    store = open_existing(args.store)
    unreadable: list[StreamProblem] = []
    try:
        requests = [
            to_service_request(
                complaint,
                profile=profile,
                registry=registry,
                time_zone=args.time_zone,
                extended=args.extended,
                calendar=calendar,
            )
            for complaint in iter_complaints(store, _query(args), on_unreadable=unreadable.append)
        ]
    finally:
        store.close()
    _write(json.dumps(requests, ensure_ascii=False, indent=2) + "\n", args.output)
    return _report_unreadable("export-open311", unreadable)


def run_export_lapor_csv(args: argparse.Namespace) -> int:
    """Run ``lapor-core export-lapor-csv``: complaints as the open-data export's columns."""
    profile = load_profile(args.profile)
    options = CsvOptions(time_zone=args.time_zone, delimiter=args.delimiter)
    store = open_existing(args.store)
    unreadable: list[StreamProblem] = []
    try:
        text = write_lapor_csv(
            iter_complaints(store, _query(args), on_unreadable=unreadable.append),
            options=options,
            profile=profile,
        )
    finally:
        store.close()
    _write(text, args.output)
    return _report_unreadable("export-lapor-csv", unreadable)


def _common(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--profile", type=path_argument, default="national", help="profile name or path"
    )
    cmd.add_argument("--time-zone", default=DEFAULT_TIME_ZONE, help="IANA zone (default WIB)")


def _window(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--since", type=_day, help="first submission day (inclusive)")
    cmd.add_argument("--until", type=_day, help="last submission day (exclusive)")
    cmd.add_argument(
        "--output", type=path_argument, help="file to write (default: standard output)"
    )


def _add_import(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``lapor-core import FILE``: a LAPOR! open-data export into a store."""
    imp = sub.add_parser(
        "import",
        help="import a LAPOR! open-data export (CSV) into a store; idempotent",
        description="Import every row of a LAPOR! open-data export (columns TrackingID, "
        "KategoriID, DisposisiInstansiID, AreaID, TanggalLaporanMasuk, TanggalDisposisi, "
        "TanggalLaporanAktivitasTerakhir, TanggalLaporanDitutup, Status) through the real "
        "workflow. Re-importing creates no duplicates; a bad row writes nothing and is "
        "listed with its line and column. Exit 0 when no row was refused, 1 otherwise.",
    )
    imp.add_argument("file", type=path_argument, metavar="FILE", help="the CSV file (UTF-8)")
    imp.add_argument(
        "--store",
        help=f"store URL (default: ${LAPOR_STORE_ENV}, else {DEFAULT_STORE_URL}, a dry run)",
    )
    imp.add_argument(
        "--registry", type=path_argument, default="kaltim", help="agency registry name or path"
    )
    imp.add_argument("--format", choices=("lapor-csv",), default="lapor-csv", help="file format")
    imp.add_argument(
        "--date-format",
        action="append",
        help="a date format to try ('iso', 'indonesian' for '02 Maret 2015 09:15', or a "
        "strptime format; repeatable; default: "
        f"{', '.join(DEFAULT_DATE_FORMATS)})".replace("%", "%%"),
    )
    imp.add_argument("--delimiter", default=",", help="field separator (default ',')")
    imp.add_argument(
        "--agency-map", type=path_argument, help="CSV of DisposisiInstansiID,our agency id"
    )
    imp.add_argument(
        "--category-map", type=path_argument, help="CSV of KategoriID,our category code"
    )
    imp.add_argument("--area-map", type=path_argument, help="CSV of AreaID,Kemendagri region code")
    imp.add_argument("--fallback-agency", help="agency for ids the map or registry lacks")
    imp.add_argument("--fallback-category", help="category for ids the map or profile lacks")
    _common(imp)
    imp.set_defaults(func=run_import)


def _add_export_open311(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``lapor-core export-open311 [requests|services]``: GeoReport v2 JSON."""
    o311 = sub.add_parser(
        "export-open311",
        help="export complaints as Open311 GeoReport v2 service requests (JSON)",
        description="Print the complaints of a store as GeoReport v2 service requests, "
        "honouring anonim and rahasia, with expected_datetime the next SLA deadline on "
        "the profile's calendar, or ('services') the profile's categories as GeoReport "
        "services.",
    )
    o311.add_argument("what", nargs="?", choices=("requests", "services"), default="requests")
    o311.add_argument("--store", help="store URL (sqlite:///path, ...); needed for requests")
    o311.add_argument(
        "--registry", type=path_argument, default="kaltim", help="agency registry for agency names"
    )
    o311.add_argument(
        "--extended", action="store_true", help="add extended_attributes (our status, ...)"
    )
    _common(o311)
    _window(o311)
    o311.set_defaults(func=run_export_open311)


def _add_export_lapor_csv(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``lapor-core export-lapor-csv``: the open-data export's columns."""
    lcsv = sub.add_parser(
        "export-lapor-csv",
        help="export complaints as the LAPOR! open-data columns (CSV)",
        description="Print the complaints of a store with the columns of the LAPOR! "
        "open-data export; no content and no reporter are written.",
    )
    lcsv.add_argument("--store", required=True, help="store URL (sqlite:///path, ...)")
    lcsv.add_argument("--delimiter", default=",", help="field separator (default ',')")
    _common(lcsv)
    _window(lcsv)
    lcsv.set_defaults(func=run_export_lapor_csv)


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``import``, ``export-open311`` and ``export-lapor-csv``."""
    _add_import(sub)
    _add_export_open311(sub)
    _add_export_lapor_csv(sub)
