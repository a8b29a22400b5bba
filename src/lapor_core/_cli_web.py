"""
The ``serve`` and ``sweep`` subcommands of ``lapor-core``.

``serve`` runs the GeoReport v2 application (:mod:`lapor_core.web`) with uvicorn; each
worker process builds its own service from the environment variables below, which
``serve`` sets from its options (so they also configure ``uvicorn
lapor_core._cli_web:app_from_environment --factory`` run by hand):

* ``LAPOR_STORE``: the store URL;
* ``LAPOR_PROFILE``, ``LAPOR_REGISTRY``: the profile and the agency registry;
* ``LAPOR_WEB_CONFIG``: a TOML file read by :func:`lapor_core.web.load_web_config`;
* ``LAPOR_WEB_PREFIX``: the path the GeoReport routes are under (e.g. ``/open311/v2``);
* ``LAPOR_SWEEP_EVERY``: sweep the clocks in the server every that many seconds.

``sweep`` issues the clock commands owed (once, or ``--every`` interval); several
sweepers, in servers or on their own, share the work through the store's claims.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import sys
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from lapor_core._cli_reports import (
    EXIT_OK,
    EXIT_PROBLEMS,
    add_command,
    add_profile,
    add_registry,
    add_store,
    count_argument,
    open_existing,
    path_argument,
)
from lapor_core.domain.actors import Actor
from lapor_core.errors import LaporError, ValidationError
from lapor_core.i18n import N_, translator
from lapor_core.profiles import load_profile, load_registry
from lapor_core.service import ComplaintService, SweepReport
from lapor_core.storage import LAPOR_STORE_ENV, open_store

if TYPE_CHECKING:
    from starlette.applications import Starlette

__all__ = ["DEFAULT_SERVE_STORE", "add_parsers", "app_from_environment", "parse_interval"]

DEFAULT_SERVE_STORE = "sqlite:///lapor.sqlite3"
"""The store ``serve`` and ``sweep`` use without ``--store`` or ``$LAPOR_STORE``."""

_API_KEY_IN_QUERY = re.compile(r"([?&]api(?:_|%5f)key=)[^&#\s]*", re.IGNORECASE)


class _HiddenApiKeys(logging.Filter):
    """
    Hide the ``api_key`` of a request's query in uvicorn's access log (``--verbose``).

    A GeoReport client may send its key in the query string (``?api_key=...``), and
    the access log writes every request's path with its query.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args  # uvicorn's: (client, method, path with its query, ...)
        if isinstance(args, tuple) and len(args) > 2 and isinstance(args[2], str):
            record.args = (*args[:2], _API_KEY_IN_QUERY.sub(r"\1***", args[2]), *args[3:])
        return True


_HIDDEN_API_KEYS = _HiddenApiKeys()


def _prefix(text: str) -> str:
    """The routes' path prefix as Starlette wants it: ``/open311/v2`` (or empty)."""
    parts = text.strip().strip("/")
    return f"/{parts}" if parts else ""


_INTERVAL = re.compile(r"(\d+(?:\.\d+)?)\s*(s|m|h)?", re.ASCII)
_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


def parse_interval(text: str) -> float:
    """An interval such as ``30s``, ``5m``, ``1h`` or ``300`` (seconds), in seconds."""
    match = _INTERVAL.fullmatch(text.strip())
    if match is None or float(match.group(1)) <= 0:
        raise ValidationError(N_("interval: expected e.g. 30s, 5m or 1h, got {text!r}"), text=text)
    return float(match.group(1)) * _UNITS[match.group(2)]


def _interval_argument(text: str) -> float:
    try:
        return parse_interval(text)
    except ValidationError as exc:
        raise argparse.ArgumentTypeError(exc) from None


def _store_url(given: str | None) -> str:
    return given or os.environ.get(LAPOR_STORE_ENV) or DEFAULT_SERVE_STORE


def _service(
    url: str, profile: str, registry: str, *, must_exist: bool = False
) -> ComplaintService:
    store = open_existing(url) if must_exist else open_store(url)
    try:
        return ComplaintService(store, load_profile(profile), load_registry(registry))
    except LaporError:
        store.close()
        raise


_LOG = logging.getLogger("lapor_core.sweep")
"""Where the sweeper of ``serve`` says that a round failed."""


def _sweep_loop(
    service: ComplaintService,
    every: float,
    stop: threading.Event,
    *,
    claimant: str,
    rounds: int | None = None,
    report: Callable[[SweepReport], object] | None = None,
    failed: Callable[[LaporError], object] | None = None,
) -> None:
    """
    Sweep, then wait *every* seconds, until *stop* is set (or *rounds* are done).

    A round that fails (a store that is down) is given to *failed*, or logged when there
    is none (the sweeper of ``serve``), and the next round tries again: the store may come
    back. A successful round is given to *report*.
    """
    done = 0
    while not stop.is_set():
        try:
            swept = service.sweep(claimant=claimant)
        except LaporError as exc:
            if failed is not None:
                failed(exc)
            else:
                _LOG.warning("sweep failed: %s", exc)
        else:
            if report is not None:
                report(swept)
        done += 1
        if rounds is not None and done >= rounds:
            return
        stop.wait(every)


def app_from_environment() -> Starlette:
    """
    The application a ``serve`` worker runs, built from the environment (see above).

    The store is opened when the application starts and closed when it stops; with
    ``LAPOR_SWEEP_EVERY`` a thread sweeps the clocks meanwhile.
    """
    from starlette.applications import Starlette  # noqa: PLC0415 (the web extra)
    from starlette.routing import Mount  # noqa: PLC0415

    from lapor_core.web import WebConfig, create_app, load_web_config  # noqa: PLC0415

    service = _service(
        _store_url(None),
        os.environ.get("LAPOR_PROFILE", "national"),
        os.environ.get("LAPOR_REGISTRY", "kaltim"),
    )
    config_path = os.environ.get("LAPOR_WEB_CONFIG")
    config = load_web_config(Path(config_path)) if config_path else WebConfig()
    every = os.environ.get("LAPOR_SWEEP_EVERY")
    interval = parse_interval(every) if every else None
    prefix = _prefix(os.environ.get("LAPOR_WEB_PREFIX", ""))
    logging.getLogger("uvicorn.access").addFilter(_HIDDEN_API_KEYS)  # once, however often

    geo_report = create_app(service, config=config)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        stop = threading.Event()
        sweeper = None
        if interval is not None:
            sweeper = threading.Thread(
                target=_sweep_loop,
                args=(service, interval, stop),
                kwargs={"claimant": f"serve-{os.getpid()}"},
                daemon=True,
            )
            sweeper.start()
        try:
            async with geo_report.router.lifespan_context(geo_report):  # warms its cache
                yield
        finally:
            stop.set()
            if sweeper is not None:
                sweeper.join(timeout=30)
            service.store.close()

    return Starlette(routes=[Mount(prefix, app=geo_report)], lifespan=lifespan)


def run_serve(args: argparse.Namespace) -> int:
    """Run ``lapor-core serve``: the GeoReport v2 server, until interrupted."""
    try:
        import uvicorn  # noqa: PLC0415 (the web extra)
    except ImportError:
        raise ValidationError(
            N_("serve needs the web extra: pip install 'lapor-core[web]'")
        ) from None
    url = _store_url(args.store)
    if url.startswith("memory") and args.workers > 1:
        raise ValidationError(N_("--workers above 1 needs a shared store (SQLite or PostgreSQL)"))
    if args.config is not None:
        from lapor_core.web import load_web_config  # noqa: PLC0415

        load_web_config(Path(args.config))  # refuse a bad file before starting workers
    os.environ[LAPOR_STORE_ENV] = url
    os.environ["LAPOR_PROFILE"] = args.profile
    os.environ["LAPOR_REGISTRY"] = args.registry
    os.environ["LAPOR_WEB_PREFIX"] = _prefix(args.prefix)
    for name, value in (("LAPOR_WEB_CONFIG", args.config), ("LAPOR_SWEEP_EVERY", args.sweep)):
        if value is not None:
            os.environ[name] = value
        else:
            os.environ.pop(name, None)
    uvicorn.run(
        "lapor_core._cli_web:app_from_environment",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        timeout_keep_alive=args.keep_alive,
        limit_concurrency=args.limit_concurrency,
        log_level="info" if args.verbose else "warning",
    )
    return 0


def run_sweep(args: argparse.Namespace) -> int:
    """
    Run ``lapor-core sweep``: once, or every ``--every`` until interrupted.

    Once, a failure is the command's error (exit 1). With ``--every``, a failed round is
    said on standard error and the next round tries again; the exit code is 1 if any
    round failed.
    """
    _ = translator(args.lang)
    failures = 0

    def report(swept: SweepReport) -> None:
        line = _("sweep: {claimed} claimed, {commands} commands").format(
            claimed=swept.claimed, commands=swept.commands
        )
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    def failed(exc: LaporError) -> None:
        nonlocal failures
        failures += 1
        error = _("error")
        sys.stderr.write(f"lapor-core sweep: {error}: {exc.translate(_)}\n")
        sys.stderr.flush()

    service = _service(_store_url(args.store), args.profile, args.registry, must_exist=True)
    try:
        if args.every is None:
            report(service.sweep(claimant=args.claimant))
            return EXIT_OK
        stop = threading.Event()
        try:
            _sweep_loop(
                service,
                args.every,
                stop,
                claimant=args.claimant,
                rounds=args.rounds,
                report=report,
                failed=failed,
            )
        except KeyboardInterrupt:  # the way to stop an endless sweeper
            stop.set()
    finally:
        with contextlib.suppress(LaporError):
            service.store.close()
    return EXIT_PROBLEMS if failures else EXIT_OK


def _claimant_argument(text: str) -> str:
    """``--claimant``: a name the system actor can have (not empty, one line)."""
    try:
        return Actor.system(text).id
    except ValidationError as exc:
        raise argparse.ArgumentTypeError(exc) from None


def _common(cmd: argparse.ArgumentParser) -> None:
    add_store(
        cmd,
        fallback=N_(
            "store URL: sqlite:///path, postgresql://..., memory:// (default: $LAPOR_STORE, "
            "else sqlite:///lapor.sqlite3)"
        ),
    )
    add_profile(cmd)
    add_registry(cmd)


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``serve`` and ``sweep``."""
    serve = add_command(
        sub,
        "serve",
        summary=N_("serve Open311 GeoReport v2 over HTTP (needs the web extra)"),
        description=N_(
            "Run the GeoReport v2 server with uvicorn. API keys, the jurisdiction "
            "and the limits come from --config (TOML); without it POST is refused."
        ),
        examples=(
            "serve --config web.toml --sweep 5m",
            "serve --store postgresql://lapor@db/lapor --workers 4 --prefix /open311/v2",
        ),
    )
    _common(serve)
    serve.add_argument("--config", type=path_argument, help=N_("web configuration (TOML)"))
    serve.add_argument("--host", default="127.0.0.1", help=N_("address (default 127.0.0.1)"))
    serve.add_argument("--port", type=int, default=8000, help=N_("port (default 8000)"))
    serve.add_argument("--workers", type=int, default=1, help=N_("worker processes (default 1)"))
    serve.add_argument("--prefix", default="", help=N_("path of the routes, e.g. /open311/v2"))
    serve.add_argument(
        "--sweep", metavar="INTERVAL", help=N_("also sweep the clocks every INTERVAL (e.g. 5m)")
    )
    serve.add_argument(
        "--keep-alive", type=int, default=5, help=N_("keep-alive timeout, seconds (default 5)")
    )
    serve.add_argument(
        "--limit-concurrency",
        type=int,
        default=None,
        help=N_("answer 503 above this many open connections (default: no limit)"),
    )
    serve.add_argument("--verbose", action="store_true", help=N_("log every request"))
    serve.set_defaults(func=run_serve)
    sweep = add_command(
        sub,
        "sweep",
        summary=N_("issue the clock commands owed (warnings, breaches, automatic close)"),
        description=N_(
            "Sweep the clocks once, or every --every interval until interrupted. "
            "Several sweepers may run against one store: each clock event happens once."
        ),
        examples=("sweep --store sqlite:///lapor.sqlite3 --every 5m",),
    )
    _common(sweep)
    sweep.add_argument(
        "--every", type=_interval_argument, help=N_("repeat every INTERVAL (30s, 5m, 1h)")
    )
    sweep.add_argument(
        "--rounds",
        type=count_argument,
        default=None,
        help=N_("with --every, stop after this many sweeps"),
    )
    sweep.add_argument(
        "--claimant",
        type=_claimant_argument,
        default="sweeper",
        help=N_("this sweeper's name in claims"),
    )
    sweep.set_defaults(func=run_sweep)
