"""The ``simulate``, ``report`` and ``export`` subcommands of ``lapor-core``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lapor_core.domain.agencies import AgencyRegistry
from lapor_core.domain.lifecycle import Status
from lapor_core.errors import ValidationError
from lapor_core.profiles import load_profile, load_registry
from lapor_core.reports import (
    agencies_without_decree,
    indicators,
    indicators_csv,
    indicators_json,
    indicators_table,
    musrenbang,
    musrenbang_csv,
    musrenbang_json,
)
from lapor_core.service import ComplaintService
from lapor_core.simulate import SimulationConfig, national_registry, simulate
from lapor_core.storage import open_store

DEFAULT_DB = "lapor-simulation.sqlite3"


def _date(text: str) -> datetime:
    """Parse ``YYYY-MM-DD`` (UTC midnight) or an ISO instant with offset."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


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


def run_simulate(args: argparse.Namespace) -> int:
    """Run ``lapor-core simulate``."""
    national = args.scale == "national"
    profile = load_profile(args.profile or ("national" if national else "kaltim"))
    registry: AgencyRegistry = national_registry() if national else load_registry(args.registry)
    url = args.store
    if url is None:
        path = Path(DEFAULT_DB)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    store = open_store(url)
    try:
        if store.read_all(0, 1):
            raise ValidationError(f"store {url} is not empty; simulate needs a fresh one")
        service = ComplaintService(store, profile, registry, cache_size=1_000_000)
        config = SimulationConfig(
            days=args.days, seed=args.seed, start=args.start, national=national
        )
        show = not args.quiet and sys.stderr.isatty()
        update, stop = _progress() if show else (None, lambda: None)
        try:
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
        missing = agencies_without_decree(registry)
        if missing:
            print(f"\nagencies without a decree (SK): {len(missing)}: {', '.join(missing[:10])}")
        print(f"\ndatabase: {url}")
    finally:
        store.close()
    return 0


def _window(args: argparse.Namespace) -> tuple[datetime, datetime]:
    since = args.since or datetime(2000, 1, 1, tzinfo=UTC)
    until = args.until or datetime(2100, 1, 1, tzinfo=UTC)
    if until <= since:
        raise ValidationError("--until must be after --since")
    return since, until


def run_report(args: argparse.Namespace) -> int:
    """Run ``lapor-core report``: the indicators of any store."""
    store = open_store(args.store)
    try:
        since, until = _window(args)
        figures = indicators(store, since, until)
        render = {"table": indicators_table, "csv": indicators_csv, "json": indicators_json}
        print(render[args.format](figures), end="")
    finally:
        store.close()
    return 0


def run_export(args: argparse.Namespace) -> int:
    """Run ``lapor-core export``: the Musrenbang aggregation or the indicators, as CSV/JSON."""
    store = open_store(args.store)
    try:
        since, until = _window(args)
        if args.what == "musrenbang":
            rows = musrenbang(store, since, until, args.level)
            text = musrenbang_csv(rows) if args.format == "csv" else musrenbang_json(rows)
        else:
            figures = indicators(store, since, until)
            text = indicators_csv(figures) if args.format == "csv" else indicators_json(figures)
        if args.output:
            Path(args.output).write_text(text, encoding="utf-8")
        else:
            print(text, end="")
    finally:
        store.close()
    return 0


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``simulate``, ``report`` and ``export``."""
    sim = sub.add_parser(
        "simulate",
        help="run a synthetic period of traffic through the service and print the indicators",
        description="Synthetic SP4N-LAPOR! traffic through the real ComplaintService, on "
        f"SQLite by default (./{DEFAULT_DB}, recreated each run). Deterministic with --seed.",
    )
    sim.add_argument("--days", type=int, default=90, help="length of the period (default 90)")
    sim.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    sim.add_argument(
        "--start", type=_date, default=datetime(2025, 1, 6, tzinfo=UTC), help="first day"
    )
    sim.add_argument(
        "--scale",
        choices=("regional", "national"),
        default="regional",
        help="regional: the Kaltim profile and registry, ~1,000 reports a year; national: "
        "~650 agencies and ~200,000 reports a year",
    )
    sim.add_argument("--profile", help="profile name or path (default by scale)")
    sim.add_argument("--registry", default="kaltim", help="registry for the regional scale")
    sim.add_argument("--store", help="store URL (default: a fresh SQLite file)")
    sim.add_argument("--lang", choices=("id", "en"), default="id", help="label language")
    sim.add_argument("--top", type=int, default=15, help="agencies shown (default 15)")
    sim.add_argument("--quiet", action="store_true", help="no progress bar")
    sim.set_defaults(func=run_simulate)

    for name, helptext in (
        ("report", "print the indicators per agency from a store"),
        ("export", "export the Musrenbang aggregation or the indicators"),
    ):
        cmd = sub.add_parser(name, help=helptext)
        cmd.add_argument("--store", required=True, help="store URL (sqlite:///path, ...)")
        cmd.add_argument("--since", type=_date, help="first submission day (inclusive)")
        cmd.add_argument("--until", type=_date, help="last submission day (exclusive)")
        if name == "report":
            cmd.add_argument("--format", choices=("table", "csv", "json"), default="table")
            cmd.set_defaults(func=run_report)
        else:
            cmd.add_argument("what", choices=("musrenbang", "indicators"))
            cmd.add_argument("--format", choices=("csv", "json"), default="csv")
            cmd.add_argument(
                "--level", type=int, choices=(1, 2, 3, 4), default=2, help="region level"
            )
            cmd.add_argument("--output", help="file to write (default: standard output)")
            cmd.set_defaults(func=run_export)
