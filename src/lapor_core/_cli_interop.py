"""The ``import``, ``export-open311`` and ``export-lapor-csv`` subcommands of ``lapor-core``."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from lapor_core._cli_reports import open_existing, path_argument, write_output
from lapor_core.errors import NotFound, ValidationError
from lapor_core.interop.importer import (
    ImportSummary,
    import_lapor_csv,
    iter_complaints,
    open_lines,
    read_area_file,
    read_map_file,
)
from lapor_core.interop.lapor_csv import (
    DEFAULT_DATE_FORMATS,
    DEFAULT_TIME_ZONE,
    CsvOptions,
    ImportOptions,
    LaporNumbers,
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


_PROGRESS_BYTES = 5_000_000  # files larger than this get a progress bar on a terminal


def _with_progress(lines: Iterator[str], size: int) -> Iterator[str]:
    """The lines, advancing a rich progress bar by their length (the cli extra)."""
    try:
        from rich.progress import Progress  # noqa: PLC0415 - optional, cli extra
    except ImportError:  # pragma: no cover - rich comes with the cli extra
        yield from lines
        return
    with Progress(transient=True) as progress:
        task = progress.add_task("importing", total=size)
        for line in lines:
            yield line
            progress.advance(task, len(line))


def _import_options(args: argparse.Namespace) -> ImportOptions:
    return ImportOptions(
        categories=read_map_file(args.category_map, "category") if args.category_map else None,
        agencies=read_map_file(args.agency_map, "agency") if args.agency_map else None,
        areas=read_map_file(args.area_map, "area") if args.area_map else None,
        area_points=read_area_file(args.areas) if args.areas else None,
        fallback_category=args.fallback_category,
        fallback_agency=args.fallback_agency,
        fallback_region=args.fallback_region,
    )


def _run_import_file(
    service: ComplaintService, args: argparse.Namespace, csv_options: CsvOptions, *, dry: bool
) -> ImportSummary:
    options = _import_options(args)
    opened = open_lines(args.file, args.encoding)
    lines: Iterator[str] = opened
    size = Path(args.file).stat().st_size
    if sys.stdout.isatty() and size > _PROGRESS_BYTES:
        lines = _with_progress(opened, size)
    with contextlib.ExitStack() as stack:
        stack.callback(opened.close)
        rejects: TextIO | None = None
        if args.rejects:
            rejects = stack.enter_context(
                Path(args.rejects).open("w", encoding="utf-8", newline="")
            )
        return import_lapor_csv(
            service,
            lines,
            csv_options=csv_options,
            options=options,
            dry_run=dry,
            on_conflict=args.on_conflict,
            rejects=rejects,
        )


def run_import(args: argparse.Namespace) -> int:
    """
    Run ``lapor-core import``: exit 0 when every row imported or was already there.

    A conflict exits 1 with ``--on-conflict fail`` (the default); with ``skip`` it is
    counted only.
    """
    profile = load_profile(args.profile)
    registry = load_registry(args.registry)
    csv_options = CsvOptions(
        date_formats=tuple(args.date_format or DEFAULT_DATE_FORMATS),
        time_zone=args.time_zone or profile.time_zone,
        delimiter=args.delimiter,
    )
    url = args.store or os.environ.get(LAPOR_STORE_ENV) or DEFAULT_STORE_URL
    if not Path(args.file).is_file():
        raise NotFound(f"no file at {args.file!r}")
    dry = url.startswith("memory")
    store = open_store(url)
    try:
        service = ComplaintService(store, profile, registry)
        summary = _run_import_file(service, args, csv_options, dry=dry)
    finally:
        store.close()
    sys.stdout.write(summary.render())
    if dry:
        sys.stdout.write(
            "store: memory:// (a dry run: nothing is kept; pass --store or set "
            f"{LAPOR_STORE_ENV})\n"
        )
    if summary.errors or (summary.conflicts and args.on_conflict == "fail"):
        return 1
    return 0


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


def _export_numbers(args: argparse.Namespace) -> LaporNumbers | None:
    """LAPOR!'s numbers from the import's map files, if any is given."""
    given = (args.map_categories, args.map_agencies, args.map_areas)
    if not any(given):
        return None
    categories, agencies, areas = (
        read_map_file(path, what) if path else None
        for path, what in zip(given, ("category", "agency", "area"), strict=True)
    )
    return LaporNumbers.from_import_maps(categories, agencies, areas)


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
            layout=args.columns,
            registry=load_registry(args.registry) if args.columns == "full" else None,
            numbers=_export_numbers(args),
        )
    finally:
        store.close()
    _write(text, args.output)
    return _report_unreadable("export-lapor-csv", unreadable)


def _common(cmd: argparse.ArgumentParser, *, zone_from_profile: bool = False) -> None:
    cmd.add_argument(
        "--profile", type=path_argument, default="national", help="profile name or path"
    )
    if zone_from_profile:
        cmd.add_argument(
            "--time-zone",
            help="IANA zone of dates written without one (default: the profile's, WIB "
            "for national, WITA for kaltim)",
        )
    else:
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
        description="Import every row of a LAPOR! open-data export (columns TrackingID or "
        "id, KategoriID, DisposisiInstansiID, AreaID, TanggalLaporanMasuk, TanggalDisposisi, "
        "TanggalLaporanAktivitasTerakhir, TanggalLaporanDitutup, Status, the Timestamp "
        "columns, JudulLaporan, IsiLaporan; others ignored) through the real workflow. "
        "Re-importing creates no duplicates; a Tracking ID met again with other content is "
        "a conflict; a bad row writes nothing and is listed with its line and column. "
        "Exit 0 when no row was refused (and, with --on-conflict fail, none conflicted), "
        "1 otherwise.",
    )
    imp.add_argument("file", type=path_argument, metavar="FILE", help="the CSV file")
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
    imp.add_argument(
        "--delimiter",
        default=",",
        help="field separator (default ','; a header with ';' or tabs and no comma selects it)",
    )
    imp.add_argument(
        "--encoding", default="utf-8", help="the file's encoding (default utf-8; cp1252, latin-1)"
    )
    imp.add_argument(
        "--map-agencies",
        "--agency-map",
        dest="agency_map",
        type=path_argument,
        help="CSV (lapor_id,our_id) or TOML: DisposisiInstansiID -> our agency id",
    )
    imp.add_argument(
        "--map-categories",
        "--category-map",
        dest="category_map",
        type=path_argument,
        help="CSV (lapor_id,our_id) or TOML: KategoriID -> our category code",
    )
    imp.add_argument(
        "--map-areas",
        "--area-map",
        dest="area_map",
        type=path_argument,
        help="CSV (lapor_id,our_id) or TOML: AreaID -> Kemendagri region code",
    )
    imp.add_argument(
        "--areas",
        type=path_argument,
        help="LAPOR!'s area file (parent_id;area_name;latitude;longitude; the AreaID is the "
        "row number, or an id column): each complaint gets its area's centroid",
    )
    imp.add_argument("--fallback-agency", help="agency for ids the map or registry lacks")
    imp.add_argument("--fallback-category", help="category for ids the map or profile lacks")
    imp.add_argument("--fallback-region", help="region code for AreaIDs the map lacks")
    imp.add_argument(
        "--on-conflict",
        choices=("fail", "skip"),
        default="fail",
        help="a Tracking ID met again with other content: stop and exit 1 (fail, default) "
        "or count it and go on (skip)",
    )
    imp.add_argument(
        "--rejects",
        type=path_argument,
        help="write the refused and conflicting rows (as read, plus a reason column) here",
    )
    _common(imp, zone_from_profile=True)
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
        "open-data export. --columns short (default): ids, dates and status, no content and "
        "no reporter; --columns full: the 2012-2015 layout, with the reporter's public name "
        "(Anonim when anonim), title and text (none when rahasia), names and Timestamp "
        "columns.",
    )
    lcsv.add_argument("--store", required=True, help="store URL (sqlite:///path, ...)")
    lcsv.add_argument("--delimiter", default=",", help="field separator (default ',')")
    lcsv.add_argument(
        "--columns", choices=("short", "full"), default="short", help="layout (default short)"
    )
    lcsv.add_argument(
        "--registry", type=path_argument, default="kaltim", help="agency names (full layout)"
    )
    for option, what in (
        ("--map-categories", "KategoriID"),
        ("--map-agencies", "DisposisiInstansiID"),
        ("--map-areas", "AreaID"),
    ):
        lcsv.add_argument(
            option,
            type=path_argument,
            help=f"the import's map file (LAPOR!'s number, ours): write {what} as LAPOR!'s",
        )
    _common(lcsv)
    _window(lcsv)
    lcsv.set_defaults(func=run_export_lapor_csv)


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``import``, ``export-open311`` and ``export-lapor-csv``."""
    _add_import(sub)
    _add_export_open311(sub)
    _add_export_lapor_csv(sub)
