"""The ``simulate``, ``report``, ``export`` and ``deadline`` subcommands of ``lapor-core``."""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
import zoneinfo
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from lapor_core.domain.agencies import AgencyRegistry
from lapor_core.domain.calendar import Explanation, WorkingCalendar
from lapor_core.domain.calendar_explain import PROVISIONAL_TEXT
from lapor_core.domain.clocks import DurationUnit
from lapor_core.domain.lifecycle import Status
from lapor_core.errors import NotFound, ValidationError
from lapor_core.profiles import load_profile, load_registry
from lapor_core.reports import (
    INDICATOR_LEGEND,
    agencies_without_decree,
    indicators,
    indicators_csv,
    indicators_json,
    indicators_legend,
    indicators_table,
    musrenbang,
    musrenbang_csv,
    musrenbang_json,
)
from lapor_core.service import ComplaintService
from lapor_core.simulate import SimulationConfig, national_registry, simulate
from lapor_core.storage import ComplaintStore, open_store, project, redact_dsn

DEFAULT_DB = "lapor-simulation.sqlite3"


def _date(text: str) -> datetime:
    """Parse ``YYYY-MM-DD`` (UTC midnight) or an ISO instant with offset."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def path_argument(text: str) -> str:
    """A file name (or a bundled profile's name): refused when no file can have it."""
    if "\x00" in text:
        raise argparse.ArgumentTypeError(f"no file name holds a NUL character: {text!r}")
    return text


def _period(text: str) -> int:
    """A simulated period in days, ``>= 1``."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of days: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"the period must be at least 1 day, got {value}")
    return value


def _progress() -> tuple[Callable[[int, int], None], Callable[[], None]]:
    """A progress callback: a rich bar when rich is installed, else a line per 10 %."""
    try:
        from rich.progress import (  # noqa: PLC0415 - optional dependency, CLI only
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TimeElapsedColumn,
        )
    except ImportError:  # pragma: no cover - depends on the installed extras
        last = [-1]

        def plain(done: int, total: int) -> None:
            tenth = done * 10 // total
            if tenth != last[0]:
                last[0] = tenth
                print(f"  simulated {done}/{total} hours", file=sys.stderr)

        return plain, lambda: None
    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
        console=None,
    )
    task = bar.add_task("simulating hours", total=None)
    bar.start()

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return update, bar.stop


# A simulation keeps every complaint's state (the service cache) and allocates a few
# objects per event that are freed at once. With the default threshold (700) the cyclic
# collector runs thousands of times and scans the growing cache again and again: a fifth
# or more of a national run. 50,000 makes it rare; our objects form almost no cycles.
_BATCH_GC_THRESHOLD = 50_000


@contextlib.contextmanager
def _batch_gc() -> Iterator[None]:
    """Collect cycles rarely while a batch runs; the thresholds are restored afterwards."""
    thresholds = gc.get_threshold()
    gc.set_threshold(_BATCH_GC_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def run_simulate(args: argparse.Namespace) -> int:
    """Run ``lapor-core simulate``."""
    national = args.scale == "national"
    try:
        args.start + timedelta(days=args.days + 1)
    except OverflowError:
        raise ValidationError(
            f"--start {args.start.isoformat()} and --days {args.days} run past the last "
            f"representable date {date.max.isoformat()}"
        ) from None
    profile = load_profile(args.profile or ("national" if national else "kaltim"))
    registry: AgencyRegistry = national_registry() if national else load_registry(args.registry)
    url = shown = args.store
    if url is None:
        path = Path(DEFAULT_DB)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        shown = f"sqlite:///{path}"
        # A scratch file recreated each run: no fsync (an OS crash may lose it, which
        # costs a rerun); a third faster at national scale.
        url = f"{shown}?synchronous=OFF"
    store = open_store(url)
    try:
        if store.read_all(0, 1):
            raise ValidationError(
                f"store {redact_dsn(url)} is not empty; simulate needs a fresh one"
            )
        service = ComplaintService(store, profile, registry, cache_size=1_000_000)
        config = SimulationConfig(
            days=args.days, seed=args.seed, start=args.start, national=national
        )
        show = not args.quiet and sys.stderr.isatty()
        update, stop = _progress() if show else (None, lambda: None)
        try:
            with _batch_gc():
                result = simulate(service, config, progress=update)
        finally:
            stop()
        until = args.start + timedelta(days=args.days)
        figures = indicators(store, args.start, until)
        print(
            f"simulated {args.days} days from {args.start.date()} (seed {args.seed}, profile "
            f"{profile.name!r}, {len(registry)} agencies)"
        )
        print(
            f"{result.complaints} complaints, {result.commands} commands "
            f"({result.refused} refused), {result.events} events in {result.elapsed:.1f} s "
            f"({result.events_per_second:,.0f} events/s), peak memory "
            f"{result.peak_memory / 2**20:.0f} MiB"
        )
        statuses = ", ".join(
            f"{profile.label(Status(s), args.lang)} {n}" for s, n in result.by_status.items()
        )
        print(f"by status: {statuses}\n")
        print(indicators_table(figures, top=args.top), end="")
        print(_legend(args.lang), end="")
        missing = agencies_without_decree(registry)
        if missing:
            print(f"\nagencies without a decree (SK): {len(missing)}: {', '.join(missing[:10])}")
        print(f"\ndatabase: {redact_dsn(shown)}")
    finally:
        store.close()
    return 0


def _window(args: argparse.Namespace) -> tuple[datetime, datetime]:
    since = args.since or datetime(2000, 1, 1, tzinfo=UTC)
    until = args.until or datetime(2100, 1, 1, tzinfo=UTC)
    if until <= since:
        raise ValidationError("--until must be after --since")
    return since, until


def write_output(text: str, output: str | None, *, newline: str | None = None) -> None:
    """
    Write *text* to the file *output* names (UTF-8), or to standard output without one.

    Raises:
        ValidationError: The file cannot be written (no such directory, a directory, no
            permission, a full disk): the message names ``--output`` and the reason.
    """
    if not output:
        sys.stdout.write(text)
        return
    try:
        Path(output).write_text(text, encoding="utf-8", newline=newline)
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ValidationError(f"cannot write --output {output!r}: {reason}") from None


def open_existing(url: str) -> ComplaintStore:
    """Open a store to read from; a SQLite file must already exist (no silent empty file)."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///").split("?", 1)[0])
        if not path.is_file():
            raise NotFound(f"no SQLite database at {str(path)!r}")
    return open_store(url)


def _legend(lang: str) -> str:
    title = "Keterangan kolom" if lang == "id" else "Columns"
    return f"\n{title}:\n{indicators_legend(lang)}"


_LEGEND_HELP = (
    "The table's columns: "
    + "; ".join(f"{name}: {text}" for name, text in INDICATOR_LEGEND["en"])
    + ". Hours are calendar hours."
)


def run_report(args: argparse.Namespace) -> int:
    """Run ``lapor-core report``: the indicators of any store."""
    store = open_existing(args.store)
    try:
        since, until = _window(args)
        figures = indicators(store, since, until)
        render = {"table": indicators_table, "csv": indicators_csv, "json": indicators_json}
        print(render[args.format](figures), end="")
        if args.format == "table":
            print(_legend(args.lang), end="")
    finally:
        store.close()
    return 0


def run_verify(args: argparse.Namespace) -> int:
    """
    Run ``lapor-core verify``: check every stream of a store; exit 1 on any problem.

    Each problem is printed on its own line, ``<complaint id>: <kind>: <what>``; then a
    summary.
    """
    profile = load_profile(args.profile)
    calendar = profile.calendar()
    clocks = profile.clocks
    store = open_existing(args.store)
    try:
        report = store.verify(lambda complaint: project(complaint, calendar, clocks))
    finally:
        store.close()
    for problem in report.problems:
        print(problem)
    summary = f"{report.streams} complaint(s), {report.events} event(s) checked"
    if report.ok:
        print(f"{summary}: no problems")
        return 0
    print(f"{summary}: {len(report.problems)} problem(s)")
    return 1


def run_export(args: argparse.Namespace) -> int:
    """Run ``lapor-core export``: the Musrenbang aggregation or the indicators, as CSV/JSON."""
    store = open_existing(args.store)
    try:
        since, until = _window(args)
        if args.what == "musrenbang":
            rows = musrenbang(store, since, until, args.level)
            text = musrenbang_csv(rows) if args.format == "csv" else musrenbang_json(rows)
        else:
            figures = indicators(store, since, until)
            text = indicators_csv(figures) if args.format == "csv" else indicators_json(figures)
    finally:
        store.close()
    write_output(text, args.output)
    return 0


_DAY_NAMES = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
}
_WORDS = {
    "en": {
        "working_days": "working days (HK)",
        "calendar_days": "calendar days",
        "start": "start",
        "not_counted": "not counted",
        "zone": "time zone",
        "profile": "profile",
        "cuti": "cuti bersama",
        "cuti_on": "days off",
        "cuti_off": "working days",
        "due": "due date",
        "instant": "deadline",
        "instant_note": "exclusive: overdue from this instant on",
        "duration": "duration",
        "day": "working day",
        "skipped": "skipped",
        "weekend": "weekend",
        "override": "override",
        "estimated": "some holiday dates are estimates (perkiraan) and may still change",
        "plain": "calendar days: weekends and holidays count like any other day",
    },
    "id": {
        "working_days": "hari kerja (HK)",
        "calendar_days": "hari kalender",
        "start": "mulai",
        "not_counted": "tidak dihitung",
        "zone": "zona waktu",
        "profile": "profil",
        "cuti": "cuti bersama",
        "cuti_on": "hari libur",
        "cuti_off": "hari kerja",
        "due": "jatuh tempo",
        "instant": "batas waktu",
        "instant_note": "eksklusif: terlambat mulai saat ini",
        "duration": "durasi",
        "day": "hari kerja ke-",
        "skipped": "dilewati",
        "weekend": "akhir pekan",
        "override": "penyesuaian",
        "estimated": "sebagian tanggal libur masih perkiraan dan dapat berubah",
        "plain": "hari kalender: akhir pekan dan hari libur ikut dihitung",
    },
}


def _count(text: str) -> int:
    """A number of days, ``>= 0``."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of days: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"the number of days must be >= 0, got {value}")
    return value


def _instant(text: str) -> datetime:
    """Parse an ISO date or instant; a naive one is read in the calendar's zone later."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an ISO date or instant: {text!r} (e.g. 2025-03-27T09:00+07:00)"
        ) from None


def _reason(reason: str, day: date, lang: str) -> str:
    """A skip reason in *lang* (holiday names stay as the data source spells them)."""
    if lang == "id":
        if reason.startswith("weekend ("):
            return f"{_WORDS['id']['weekend']} ({_DAY_NAMES['id'][day.weekday()]})"
        if reason.startswith("override: "):
            return f"{_WORDS['id']['override']}: {reason.removeprefix('override: ')}"
    return reason


def _listing(explanation: Explanation, lang: str) -> list[str]:
    """One line per counted or skipped day, in date order."""
    words, names = _WORDS[lang], _DAY_NAMES[lang]
    entries: list[tuple[date, str]] = []
    for number, day in enumerate(explanation.counted, start=1):
        label = f"{words['day']}{number}" if lang == "id" else f"{words['day']} {number}"
        entries.append((day, f"  {day.isoformat()} {names[day.weekday()]:<9} {label}"))
    for skipped in explanation.skipped:
        reasons = "; ".join(_reason(r, skipped.date, lang) for r in skipped.reasons)
        mark = " [perkiraan]" if skipped.estimated else ""
        entries.append(
            (
                skipped.date,
                (
                    f"  {skipped.date.isoformat()} {names[skipped.date.weekday()]:<9} "
                    f"{words['skipped']}: {reasons}{mark}"
                ),
            )
        )
    entries.sort(key=lambda entry: entry[0])
    return [text for _, text in entries]


def run_deadline(args: argparse.Namespace) -> int:
    """Run ``lapor-core deadline``: compute a deadline and explain it day by day."""
    profile = load_profile(args.profile)
    calendar: WorkingCalendar = profile.calendar()
    if args.zone is not None or args.cuti_bersama is not None:
        calendar = calendar.replace(time_zone=args.zone, include_cuti_bersama=args.cuti_bersama)
    start: datetime = args.start
    if start.tzinfo is None or start.utcoffset() is None:
        start = start.replace(tzinfo=zoneinfo.ZoneInfo(calendar.time_zone))
    unit = DurationUnit(args.unit)
    lang = args.lang
    words, names = _WORDS[lang], _DAY_NAMES[lang]
    calendar.local_date(start)  # a start with no local date (0001-01-01T00:00+14:00) is refused
    local = start.astimezone(zoneinfo.ZoneInfo(calendar.time_zone))
    cuti = words["cuti_on"] if calendar.include_cuti_bersama else words["cuti_off"]
    print(f"{words['duration']}: {args.days} {words[unit.value]}")
    print(
        f"{words['start']}: {local.isoformat(timespec='minutes')} "
        f"({names[local.weekday()]}), {words['not_counted']}"
    )
    print(f"{words['zone']}: {calendar.time_zone}; {words['profile']}: {profile.name}")
    if unit is DurationUnit.WORKING_DAYS:
        explanation = calendar.explain(start, args.days)
        due, deadline = explanation.result, explanation.deadline
        print(f"{words['cuti']}: {cuti}")
        lines = _listing(explanation, lang)
        estimated = explanation.estimated
    else:
        deadline = calendar.add_calendar_days_deadline(start, args.days)
        due = local.date() + timedelta(days=args.days)
        lines = [f"  {words['plain']}"]
        estimated = False
    provisional = calendar.is_provisional(due)
    print()
    print("\n".join(lines))
    print()
    print(f"{words['due']}: {due.isoformat()} ({names[due.weekday()]})")
    print(f"{words['instant']}: {deadline.isoformat()} ({words['instant_note']})")
    if estimated:
        print(f"note: {words['estimated']}" if lang == "en" else f"catatan: {words['estimated']}")
    if provisional:
        print(PROVISIONAL_TEXT[lang].format(since=calendar.provisional_from.isoformat()))
    return 0


def _add_deadline_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cmd = sub.add_parser(
        "deadline",
        help="compute a deadline on the working-day calendar and explain it day by day",
        description="Count N working days (hari kerja) or calendar days from a start instant "
        "on a profile's calendar, as the clocks do: the start day is not counted and the "
        "deadline is the end of the N-th day in the time zone. Lists every skipped day with "
        "its reasons (weekend, holiday, cuti bersama, override). Example: lapor-core deadline "
        "--start 2025-03-27T09:00+07:00 --days 3",
    )
    cmd.add_argument(
        "--start",
        type=_instant,
        required=True,
        help="when the clock starts: an ISO instant (2025-03-27T09:00+07:00) or date; "
        "without an offset it is read in the calendar's time zone",
    )
    cmd.add_argument("--days", type=_count, required=True, help="number of days (>= 0)")
    cmd.add_argument(
        "--unit",
        choices=(DurationUnit.WORKING_DAYS.value, DurationUnit.CALENDAR_DAYS.value),
        default=DurationUnit.WORKING_DAYS.value,
        help="working_days (hari kerja, the default) or calendar_days",
    )
    cmd.add_argument("--zone", help="IANA time zone (default: the profile's, e.g. Asia/Jakarta)")
    cmd.add_argument(
        "--cuti-bersama",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="count collective leave (cuti bersama) as days off (default: the profile's option)",
    )
    cmd.add_argument(
        "--profile", type=path_argument, default="national", help="profile name or path"
    )
    cmd.add_argument("--lang", choices=("id", "en"), default="id", help="output language")
    cmd.set_defaults(func=run_deadline)


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``simulate``, ``verify``, ``report``, ``export`` and ``deadline``."""
    _add_deadline_parser(sub)
    sim = sub.add_parser(
        "simulate",
        help="run a synthetic period of traffic through the service and print the indicators",
        description="Synthetic SP4N-LAPOR! traffic through the real ComplaintService, on "
        f"SQLite by default (./{DEFAULT_DB}, a scratch file recreated each run and written "
        "without fsync). Deterministic with --seed. " + _LEGEND_HELP,
    )
    sim.add_argument("--days", type=_period, default=90, help="length of the period (default 90)")
    sim.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    sim.add_argument(
        "--start", type=_date, default=datetime(2025, 1, 6, tzinfo=UTC), help="first day"
    )
    sim.add_argument(
        "--scale",
        choices=("regional", "national"),
        default="regional",
        help="regional: the Kaltim profile and registry, ~1,000 reports a year; national: "
        "~650 K/L/D (~3,800 agency nodes) and ~200,000 reports a year",
    )
    sim.add_argument(
        "--profile", type=path_argument, help="profile name or path (default by scale)"
    )
    sim.add_argument(
        "--registry", type=path_argument, default="kaltim", help="registry for the regional scale"
    )
    sim.add_argument("--store", help="store URL (default: a fresh SQLite file)")
    sim.add_argument("--lang", choices=("id", "en"), default="id", help="label language")
    sim.add_argument("--top", type=int, default=15, help="agencies shown (default 15)")
    sim.add_argument("--quiet", action="store_true", help="no progress bar")
    sim.set_defaults(func=run_simulate)

    verify = sub.add_parser(
        "verify",
        help="check every stream of a store (gaps, undecodable events, stale projections)",
        description="Decode every complaint's stream, check that its versions run 1, 2, 3, "
        "... without a gap and that its projection row equals a fresh replay (next due "
        "instants counted with the profile's calendar and clocks). Print each problem with "
        "its complaint id. Exit 0 when there is none, 1 otherwise.",
    )
    verify.add_argument("--store", required=True, help="store URL (sqlite:///path, ...)")
    verify.add_argument(
        "--profile",
        type=path_argument,
        default="national",
        help="profile the store was written with",
    )
    verify.set_defaults(func=run_verify)

    for name, helptext in (
        ("report", "print the indicators per agency from a store"),
        ("export", "export the Musrenbang aggregation or the indicators"),
    ):
        cmd = sub.add_parser(
            name,
            help=helptext,
            description=helptext[0].upper() + helptext[1:] + ". " + _LEGEND_HELP,
        )
        cmd.add_argument("--store", required=True, help="store URL (sqlite:///path, ...)")
        cmd.add_argument("--since", type=_date, help="first submission day (inclusive)")
        cmd.add_argument("--until", type=_date, help="last submission day (exclusive)")
        if name == "report":
            cmd.add_argument(
                "--format",
                choices=("table", "csv", "json"),
                default="table",
                help="table (with a legend), csv or json (default table)",
            )
            cmd.add_argument(
                "--lang", choices=("id", "en"), default="en", help="legend language (default en)"
            )
            cmd.set_defaults(func=run_report)
        else:
            cmd.add_argument("what", choices=("musrenbang", "indicators"))
            cmd.add_argument("--format", choices=("csv", "json"), default="csv")
            cmd.add_argument(
                "--level", type=int, choices=(1, 2, 3, 4), default=2, help="region level"
            )
            cmd.add_argument(
                "--output", type=path_argument, help="file to write (default: standard output)"
            )
            cmd.set_defaults(func=run_export)
