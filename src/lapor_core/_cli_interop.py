"""
The ``import``, ``export open311`` and ``export lapor-csv`` subcommands of ``lapor-core``.

``export-open311`` and ``export-lapor-csv``, their spelling before 0.2.0, remain as
deprecated aliases for one release.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from lapor_core._cli_reports import (
    UsageError,
    add_command,
    add_export_parsers,
    add_lang,
    add_profile,
    add_registry,
    add_store,
    add_time_zone,
    batch_gc,
    count_argument,
    day_argument,
    default_lang,
    local_day,
    open_existing,
    path_argument,
    refuse_argument,
    write_output,
)
from lapor_core.errors import NotFound, ValidationError
from lapor_core.i18n import N_, translator
from lapor_core.interop.importer import (
    import_lapor_csv,
    iter_complaints,
    open_lines,
    read_area_file,
    read_map_file,
)
from lapor_core.interop.lapor_csv import (
    DEFAULT_DATE_FORMATS,
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

__all__ = ["DEPRECATED_COMMANDS", "add_parsers"]


def _query(args: argparse.Namespace, zone: str) -> ComplaintQuery:
    """The exported window: ``--since`` and ``--until``, a day each from midnight in *zone*."""
    since = None if args.since is None else local_day(args.since, zone)
    until = None if args.until is None else local_day(args.until, zone)
    if since is not None and until is not None and until <= since:
        raise ValidationError(N_("--until must be after --since"))
    return ComplaintQuery(submitted_from=since, submitted_before=until, limit=500)


def _write(text: str, output: str | None) -> None:
    write_output(text, output, newline="")


def _report_unreadable(command: str, problems: list[StreamProblem], lang: str | None) -> int:
    """Tell stderr, in *lang*, which complaints an export skipped; the exit code (1 if any)."""
    if not problems:
        return 0
    _ = translator(lang or default_lang())
    skipped = _(
        N_("skipped {count} complaint(s) whose stream cannot be read (see lapor-core verify):")
    ).format(count=len(problems))
    sys.stderr.write(f"lapor-core {command}: {skipped}\n")
    for problem in problems:
        sys.stderr.write(f"  {problem.translate(_)}\n")
    return 1


_PROGRESS_BYTES = 5_000_000  # files larger than this get a progress bar on a terminal


def _with_progress(lines: Iterator[str], size: int) -> Iterator[str]:
    """The lines, advancing a rich progress bar by their length (the cli extra)."""
    try:
        from rich.progress import Progress  # noqa: PLC0415 - optional, cli extra
    except ImportError:  # pragma: no cover - rich comes with the cli extra
        yield from lines
        return
    # Refreshed here rather than by rich's own thread: an import forks its workers only
    # from a process that runs one thread.
    step = max(size // 200, 1)
    with Progress(transient=True, auto_refresh=False) as progress:
        task = progress.add_task("importing", total=size)
        unshown = 0
        for line in lines:
            yield line
            unshown += len(line)
            if unshown >= step:
                progress.advance(task, unshown)
                progress.refresh()
                unshown = 0


def _available_cpus() -> int:
    """The processors this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1  # pragma: no cover - platforms without affinity


def workers_argument(text: str) -> int:
    """``--workers``: ``auto`` (one per processor this process may use) or a count >= 1."""
    if text == "auto":
        return _available_cpus()
    try:
        return count_argument(text)
    except argparse.ArgumentTypeError:
        raise refuse_argument(
            N_("expected 'auto' or a whole number >= 1, got {text!r}"), text=text
        ) from None


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


@contextlib.contextmanager
def _rejects_file(path: str) -> Iterator[TextIO]:
    """
    The ``--rejects`` file, written beside *path* under a temporary name and moved onto it.

    The move comes when the import ends, after the imported file is read and closed: the
    rejects may replace the imported file itself (the rows still refused), and an import
    that fails or is interrupted leaves *path* as it was, with no half-written file.

    Raises:
        ValidationError: *path* is a directory, or no file can be made beside it.
    """
    target = Path(path)
    if target.is_dir():
        raise ValidationError(
            N_("cannot write the rejects file {path!r}: {reason}"),
            path=path,
            reason=os.strerror(errno.EISDIR),
        )
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        handle = temporary.open("x", encoding="utf-8", newline="")
    except OSError as exc:  # no such directory, no permission, ...
        raise ValidationError(
            N_("cannot write the rejects file {path!r}: {reason}"),
            path=path,
            reason=str(exc.strerror or exc),
        ) from None
    try:
        with handle:
            yield handle
    except BaseException:  # a failed or interrupted import: the old file stays
        temporary.unlink(missing_ok=True)
        raise
    try:
        temporary.replace(target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise ValidationError(
            N_("cannot write the rejects file {path!r}: {reason}"),
            path=path,
            reason=str(exc.strerror or exc),
        ) from None


def _same_file(one: str, other: str) -> bool:
    """Whether the two paths name one existing file."""
    try:
        return Path(one).samefile(other)
    except OSError:  # one of them does not exist
        return False


def run_import(args: argparse.Namespace) -> int:
    """
    Run ``lapor-core import``: exit 0 when every row imported or was already there.

    A conflict exits 1 with ``--on-conflict fail`` (the default); with ``skip`` it is
    counted only. Every option and file is checked before the store is opened, so a
    refused command creates no store.
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
        raise NotFound(N_("no file at {path!r}"), path=args.file)
    dry = url.startswith("memory")
    if dry and args.rejects and _same_file(args.rejects, args.file):
        raise ValidationError(
            N_(
                "--rejects {path!r} is the imported file: a dry run keeps no row, so the "
                "rows it does not refuse would be lost; give another file or a --store"
            ),
            path=args.rejects,
        )
    options = _import_options(args)
    options.check(profile, registry)
    opened = open_lines(args.file, args.encoding)
    lines: Iterator[str] = opened
    size = Path(args.file).stat().st_size
    if sys.stdout.isatty() and size > _PROGRESS_BYTES:
        lines = _with_progress(opened, size)
    with contextlib.ExitStack() as stack:
        # unwound in reverse: the store closed, the file closed, then the rejects moved
        rejects = stack.enter_context(_rejects_file(args.rejects)) if args.rejects else None
        stack.callback(opened.close)
        store = open_store(url)
        stack.callback(store.close)
        service = ComplaintService(store, profile, registry)
        with batch_gc():  # the workers, forked inside, collect as rarely
            summary = import_lapor_csv(
                service,
                lines,
                csv_options=csv_options,
                options=options,
                dry_run=dry,
                on_conflict=args.on_conflict,
                rejects=rejects,
                workers=args.workers,
                gettext=translator(args.lang),
            )
    _ = translator(args.lang)
    sys.stdout.write(summary.render(_))
    if dry:
        dry_run = _("store: memory:// (a dry run: nothing is kept; pass --store or set {env})")
        sys.stdout.write(dry_run.format(env=LAPOR_STORE_ENV) + "\n")
    if summary.errors or (summary.conflicts and args.on_conflict == "fail"):
        return 1
    return 0


def run_export_open311(args: argparse.Namespace) -> int:
    """
    Run ``lapor-core export open311``: service requests (or services) as JSON.

    ``expected_datetime`` comes from the running clocks on the profile's calendar.
    """
    profile = load_profile(args.profile)
    if args.what == "services":
        _write(json.dumps(services(profile), ensure_ascii=False, indent=2) + "\n", args.output)
        return 0
    if args.store is None:
        raise UsageError(
            N_("export open311 requests needs --store or ${variable}"), variable=LAPOR_STORE_ENV
        )
    registry = load_registry(args.registry)
    calendar = profile.calendar()  # built once: it fills expected_datetime
    zone = args.time_zone or profile.time_zone
    query = _query(args, zone)
    store = open_existing(args.store)
    unreadable: list[StreamProblem] = []
    try:
        requests = [
            to_service_request(
                complaint,
                profile=profile,
                registry=registry,
                time_zone=zone,
                extended=args.extended,
                calendar=calendar,
            )
            for complaint in iter_complaints(store, query, on_unreadable=unreadable.append)
        ]
    finally:
        store.close()
    _write(json.dumps(requests, ensure_ascii=False, indent=2) + "\n", args.output)
    return _report_unreadable("export open311", unreadable, getattr(args, "lang", None))


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
    """Run ``lapor-core export lapor-csv``: complaints as the open-data export's columns."""
    profile = load_profile(args.profile)
    options = CsvOptions(time_zone=args.time_zone or profile.time_zone, delimiter=args.delimiter)
    query = _query(args, options.time_zone)
    store = open_existing(args.store)
    unreadable: list[StreamProblem] = []
    try:
        text = write_lapor_csv(
            iter_complaints(store, query, on_unreadable=unreadable.append),
            options=options,
            profile=profile,
            layout=args.columns,
            registry=load_registry(args.registry) if args.columns == "full" else None,
            numbers=_export_numbers(args),
        )
    finally:
        store.close()
    _write(text, args.output)
    return _report_unreadable("export lapor-csv", unreadable, getattr(args, "lang", None))


def _window(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--since", type=day_argument, help=N_("first submission day (inclusive)"))
    cmd.add_argument("--until", type=day_argument, help=N_("last submission day (exclusive)"))
    cmd.add_argument(
        "--output", type=path_argument, help=N_("file to write (default: standard output)")
    )


def _add_import(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``lapor-core import FILE``: a LAPOR! open-data export into a store."""
    imp = add_command(
        sub,
        "import",
        summary=N_("import a LAPOR! open-data export (CSV) into a store; idempotent"),
        description=N_(
            "Import every row of a LAPOR! open-data export (columns TrackingID or "
            "id, KategoriID, DisposisiInstansiID, AreaID, TanggalLaporanMasuk, TanggalDisposisi, "
            "TanggalLaporanAktivitasTerakhir, TanggalLaporanDitutup, Status, the Timestamp "
            "columns, JudulLaporan, IsiLaporan; others ignored) through the real workflow. "
            "Re-importing creates no duplicates; a Tracking ID met again with other content is "
            "a conflict; a bad row writes nothing and is listed with its line and column. "
            "Exit 0 when no row was refused (and, with --on-conflict fail, none conflicted), "
            "1 otherwise."
        ),
        examples=(
            "import laporan.csv --store sqlite:///lapor.sqlite3 --profile kaltim",
            "import laporan.csv   # a dry run into memory:// without --store or $LAPOR_STORE",
        ),
    )
    imp.add_argument("file", type=path_argument, metavar="FILE", help=N_("the CSV file"))
    add_store(
        imp,
        fallback=N_(
            "store URL: sqlite:///path, postgresql://..., memory:// (default: $LAPOR_STORE, "
            "else memory://, a dry run)"
        ),
    )
    add_lang(imp)
    add_registry(imp)
    imp.add_argument(
        "--format", choices=("lapor-csv",), default="lapor-csv", help=N_("file format")
    )
    date_format = imp.add_argument(
        "--date-format",
        action="append",
        help=N_(
            "a date format to try ('iso', 'indonesian' for '02 Maret 2015 09:15', or a "
            "strptime format; repeatable; default: %(formats)s)"
        ),
    )
    date_format.formats = ", ".join(DEFAULT_DATE_FORMATS)  # type: ignore[attr-defined]
    imp.add_argument(
        "--delimiter",
        default=",",
        help=N_("field separator (default ','; a header with ';' or tabs and no comma selects it)"),
    )
    imp.add_argument(
        "--encoding",
        default="utf-8",
        help=N_("the file's encoding (default utf-8; cp1252, latin-1)"),
    )
    for option, old, dest, what in (
        (
            "--map-agencies",
            "--agency-map",
            "agency_map",
            N_("CSV (lapor_id,our_id) or TOML: DisposisiInstansiID -> our agency id"),
        ),
        (
            "--map-categories",
            "--category-map",
            "category_map",
            N_("CSV (lapor_id,our_id) or TOML: KategoriID -> our category code"),
        ),
        (
            "--map-areas",
            "--area-map",
            "area_map",
            N_("CSV (lapor_id,our_id) or TOML: AreaID -> Kemendagri region code"),
        ),
    ):
        imp.add_argument(
            option,
            old,
            dest=dest,
            type=path_argument,
            help=what,
        )
    imp.add_argument(
        "--areas",
        type=path_argument,
        help=N_(
            "LAPOR!'s area file (parent_id;area_name;latitude;longitude; the AreaID is the "
            "row number, or an id column): each complaint gets its area's centroid"
        ),
    )
    imp.add_argument("--fallback-agency", help=N_("agency for ids the map or registry lacks"))
    imp.add_argument("--fallback-category", help=N_("category for ids the map or profile lacks"))
    imp.add_argument("--fallback-region", help=N_("region code for AreaIDs the map lacks"))
    imp.add_argument(
        "--on-conflict",
        choices=("fail", "skip"),
        default="fail",
        help=N_(
            "a Tracking ID met again with other content: stop and exit 1 (fail, default) "
            "or count it and go on (skip)"
        ),
    )
    imp.add_argument(
        "--workers",
        type=workers_argument,
        default="auto",
        help=N_(
            "processes that replay the rows: 'auto' (default: one per processor) or a "
            "number; 1 runs the import in one process"
        ),
    )
    imp.add_argument(
        "--rejects",
        type=path_argument,
        help=N_("write the refused and conflicting rows (as read, plus a reason column) here"),
    )
    add_profile(imp)
    add_time_zone(
        imp,
        text=N_(
            "IANA time zone of dates written without one (default: the profile's: "
            "Asia/Jakarta, WIB, for national; Asia/Makassar, WITA, for kaltim)"
        ),
    )
    imp.set_defaults(func=run_import)


_OPEN311 = N_(
    "Print the complaints of a store as GeoReport v2 service requests, honouring anonim "
    "and rahasia, with expected_datetime the next SLA deadline on the profile's calendar, "
    "or ('services') the profile's categories as GeoReport services."
)
_LAPOR_CSV = N_(
    "Print the complaints of a store with the columns of the LAPOR! open-data export. "
    "--columns short (default): ids, dates and status, no content and no reporter; "
    "--columns full: the 2012-2015 layout, with the reporter's public name (Anonim when "
    "anonim), title and text (none when rahasia), names and Timestamp columns."
)


def _open311_options(o311: argparse.ArgumentParser) -> None:
    o311.add_argument(
        "what",
        nargs="?",
        choices=("requests", "services"),
        default="requests",
        help=N_(
            "requests: the complaints (the default; needs a store); services: the "
            "profile's categories"
        ),
    )
    add_store(
        o311,
        fallback=N_(
            "store URL: sqlite:///path, postgresql://..., memory:// (default: $LAPOR_STORE, "
            "else none: requests need one, services do not)"
        ),
    )
    add_registry(
        o311, text=N_("bundled agency registry name or path for agency names (default %(default)s)")
    )
    o311.add_argument(
        "--extended", action="store_true", help=N_("add extended_attributes (our status, ...)")
    )
    add_profile(o311)
    add_time_zone(
        o311,
        text=N_(
            "IANA time zone of the written instants (default: the profile's: Asia/Jakarta, "
            "WIB, for national; Asia/Makassar, WITA, for kaltim)"
        ),
    )
    _window(o311)
    o311.set_defaults(func=run_export_open311)


def _lapor_csv_options(lcsv: argparse.ArgumentParser) -> None:
    add_store(lcsv)
    lcsv.add_argument("--delimiter", default=",", help=N_("field separator (default ',')"))
    lcsv.add_argument(
        "--columns", choices=("short", "full"), default="short", help=N_("layout (default short)")
    )
    add_registry(
        lcsv,
        text=N_(
            "bundled agency registry name or path for agency names (full layout; default "
            "%(default)s)"
        ),
    )
    for option, what in (
        (
            "--map-categories",
            N_("the import's map file (LAPOR!'s number, ours): write KategoriID as LAPOR!'s"),
        ),
        (
            "--map-agencies",
            N_(
                "the import's map file (LAPOR!'s number, ours): write DisposisiInstansiID as "
                "LAPOR!'s"
            ),
        ),
        (
            "--map-areas",
            N_("the import's map file (LAPOR!'s number, ours): write AreaID as LAPOR!'s"),
        ),
    ):
        lcsv.add_argument(
            option,
            type=path_argument,
            help=what,
        )
    add_profile(lcsv)
    add_time_zone(
        lcsv,
        text=N_(
            "IANA time zone of the written dates (default: the profile's: Asia/Jakarta, WIB, "
            "for national; Asia/Makassar, WITA, for kaltim)"
        ),
    )
    _window(lcsv)
    lcsv.set_defaults(func=run_export_lapor_csv)


def _add_export(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``lapor-core export open311|lapor-csv|musrenbang|indicators``, and the old aliases."""
    export = add_command(
        sub,
        "export",
        summary=N_("export complaints or figures: open311, lapor-csv, musrenbang, indicators"),
        description=N_(
            "Export the complaints of a store (Open311 GeoReport v2 JSON, or the "
            "LAPOR! open-data CSV columns) or figures computed from them (the Musrenbang "
            "aggregation, the indicators per agency). Run `lapor-core export WHAT --help` for "
            "each one's options."
        ),
        examples=(
            "export open311 --store sqlite:///lapor.sqlite3 --extended",
            "export lapor-csv --columns full --output laporan.csv   # store from $LAPOR_STORE",
            "export musrenbang --level 1 --format json",
        ),
    )
    what = export.add_subparsers(
        dest="export_command", required=True, metavar="WHAT", help=N_("what to export")
    )
    _open311_options(
        add_command(
            what,
            "open311",
            summary=N_("complaints as Open311 GeoReport v2 service requests (JSON)"),
            description=_OPEN311,
            examples=(
                "export open311 --store sqlite:///lapor.sqlite3 --extended",
                "export open311 services --profile kaltim",
            ),
        )
    )
    _lapor_csv_options(
        add_command(
            what,
            "lapor-csv",
            summary=N_("complaints as the LAPOR! open-data columns (CSV)"),
            description=_LAPOR_CSV,
            examples=("export lapor-csv --store sqlite:///lapor.sqlite3 --columns full",),
        )
    )
    add_export_parsers(what)
    for old, new, options, text in (
        ("export-open311", "export open311", _open311_options, _OPEN311),
        ("export-lapor-csv", "export lapor-csv", _lapor_csv_options, _LAPOR_CSV),
    ):
        alias = add_command(
            sub,
            old,
            summary=None,
            description=N_(
                "Deprecated: this spelling is removed in the next release; use the command "
                "of the example."
            )
            + "\n\n"
            + text,
            examples=(f"{new} --store sqlite:///lapor.sqlite3",),
        )
        options(alias)
        alias.set_defaults(deprecated=(old, new))


DEPRECATED_COMMANDS = ("export-open311", "export-lapor-csv")
"""Top-level names kept for one release; hidden from ``lapor-core --help``."""


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``import`` and ``export`` (with the deprecated ``export-*`` aliases)."""
    _add_import(sub)
    _add_export(sub)
