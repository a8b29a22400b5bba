"""
Peer benchmark: the same work through ``lapor_core`` and through what a user would pick instead.

    python bench/bench_peers.py [--smoke] [--commands N] [--postgres DSN]

All in one run and one process, so that the ratios compare like with like:

- **a durable command** (load the stream, decide, save, in one transaction, no cache on
  either side): a complaint's submission, its forwarding and its follow-up, the
  complaints taking turns step by step. ``lapor_core``'s ``ComplaintService.handle`` (its
  rules, clocks, projection row and idempotency key included) against the
  ``eventsourcing`` library's ``Application`` with an equivalent three-event aggregate;
  on SQLite at ``synchronous=FULL`` (eventsourcing's setting: it leaves SQLite's default)
  and at ``NORMAL`` (``lapor_core``'s default), and on PostgreSQL
  (``synchronous_commit=on``) when ``--postgres DSN`` is given or
  ``LAPOR_TEST_POSTGRES_DSN`` is set. Guards: ``lapor_core`` at least 1.2x
  eventsourcing at equal durability (the target of the project's performance work);
- **firing the lifecycle** in memory: one complaint's life (submitted, forwarded, in
  progress, completed) through ``decide`` and ``evolve``, against the same four states
  as a ``transitions`` machine and a ``python-statemachine`` machine. The peers check a
  state name; ``lapor_core`` checks roles, agencies, the profile's rules and runs the
  clocks. Information, never judged;
- **deadlines**: the third working day after a start, ``WorkingCalendar.add_working_days``
  against ``numpy.busday_offset`` (one date a call, and a whole array in one call) with
  the same days off; both must give the same dates. Information.

The peers are in the ``bench`` extra. A full run takes the best of three passes;
``--smoke`` runs one small pass (guards become ``[MISS]``, see ``_guards.py``).
"""

# eventsourcing offers no setting for synchronous=NORMAL: its pool is reached into.
# ruff: noqa: SLF001

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
import statemachine
import transitions
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

import lapor_core as lc
from _guards import Verdicts
from _workload import T0, context, life
from lapor_core.domain.calendar import WorkingCalendar
from lapor_core.storage import open_store

# ---------------------------------------------------------------------- durable commands


class Complaint(Aggregate):
    """The eventsourcing side's complaint: three events, the same information."""

    @event("Submitted")
    def __init__(self, title: str, body: str, reporter: str) -> None:
        self.title, self.body, self.reporter = title, body, reporter
        self.agencies: tuple[str, ...] = ()
        self.follow_ups: list[str] = []

    @event("Forwarded")
    def forward(self, agencies: tuple[str, ...]) -> None:
        self.agencies = agencies

    @event("FollowedUp")
    def follow_up(self, agency: str, text: str) -> None:
        self.follow_ups.append(f"{agency}: {text}")


class Complaints(Application[UUID]):
    """One command a method: load (a full replay, no cache), decide, save."""

    def submit(self, title: str, body: str, reporter: str) -> UUID:
        complaint = Complaint(title, body, reporter)
        self.save(complaint)
        return complaint.id

    def forward(self, complaint_id: UUID, agencies: tuple[str, ...]) -> None:
        complaint: Complaint = self.repository.get(complaint_id)
        complaint.forward(agencies)
        self.save(complaint)

    def follow_up(self, complaint_id: UUID, agency: str, text: str) -> None:
        complaint: Complaint = self.repository.get(complaint_id)
        complaint.follow_up(agency, text)
        self.save(complaint)


def _eventsourcing_app(env: dict[str, str], *, normal: bool = False) -> Complaints:
    app = Complaints(env=env)
    if normal:  # eventsourcing has no setting for it: every new connection is told
        pool: Any = app.recorder.datastore.pool  # type: ignore[attr-defined]
        create = pool._create_connection

        def create_normal() -> object:
            connection = create()
            connection._sqlite_conn.execute("PRAGMA synchronous=NORMAL")
            return connection

        pool._create_connection = create_normal
        for connection in pool._pool:  # the ones it opened to create its table
            connection._sqlite_conn.execute("PRAGMA synchronous=NORMAL")
    return app


def _synchronous(app: Complaints) -> set[int]:
    """The ``synchronous`` setting of every connection eventsourcing holds (2 FULL, 1 NORMAL)."""
    pool: Any = app.recorder.datastore.pool  # type: ignore[attr-defined]
    return {c._sqlite_conn.execute("PRAGMA synchronous").fetchone()[0] for c in pool._pool}


def eventsourcing_rate(app: Complaints, complaints: int) -> float:
    """Commands per second: every complaint submitted, then forwarded, then followed up."""
    started = time.perf_counter()
    ids = [
        app.submit("Jalan berlubang", "Jalan di depan pasar.", "pelapor") for _ in range(complaints)
    ]
    for complaint_id in ids:
        app.forward(complaint_id, ("samarinda",))
    for complaint_id in ids:
        app.follow_up(complaint_id, "samarinda", "Sudah diperbaiki.")
    return 3 * complaints / (time.perf_counter() - started)


def lapor_rate(url: str, complaints: int) -> float:
    """The same three commands through ``ComplaintService.handle`` (no state cache)."""
    ctx = context()
    store = open_store(url)
    try:
        service = lc.ComplaintService(store, ctx.profile, ctx.registry, cache_size=0)
        admin = lc.make_agency_actor(ctx.registry, "adm", lc.Role.AGENCY_ADMIN, "samarinda")
        follow = [
            lc.PostFollowUp(complaint_id=cid, agency="samarinda", text="Sudah diperbaiki.")
            for cid in (lc.ComplaintId(f"peer-{uuid.uuid4().hex[:12]}") for _ in range(complaints))
        ]
        lives = [life(command.complaint_id, ctx.registry) for command in follow]
        started = time.perf_counter()
        for steps in lives:  # submit
            actor, command, offset = steps[0]
            service.handle(command, actor, now=T0 + offset)
        for steps in lives:  # forward
            actor, command, offset = steps[1]
            service.handle(command, actor, now=T0 + offset)
        for command, steps in zip(follow, lives, strict=True):
            service.handle(command, admin, now=T0 + steps[3][2])
        return 3 * complaints / (time.perf_counter() - started)
    finally:
        store.close()


def _best(passes: int, run: Callable[..., float], *args: int) -> float:
    """The best rate of *passes* runs of ``run(*args)``."""
    return max(run(*args) for _ in range(passes))


def durable(verdicts: Verdicts, complaints: int, passes: int, dsn: str | None) -> None:
    """SQLite at FULL and NORMAL, then PostgreSQL: both libraries, ratios guarded."""
    with tempfile.TemporaryDirectory() as scratch:
        for mode in ("FULL", "NORMAL"):

            def ours(mode: str = mode) -> float:
                path = Path(scratch) / f"lapor-{uuid.uuid4().hex}.sqlite3"
                return lapor_rate(f"sqlite:///{path}?synchronous={mode}", complaints)

            seen: set[int] = set()

            def theirs(mode: str = mode, seen: set[int] = seen) -> float:
                path = Path(scratch) / f"es-{uuid.uuid4().hex}.sqlite3"
                env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)}
                app = _eventsourcing_app(env, normal=mode == "NORMAL")
                rate = eventsourcing_rate(app, complaints)
                seen.update(_synchronous(app))
                app.close()
                return rate

            a, b = _best(passes, ours), _best(passes, theirs)
            verdicts.info(
                f"SQLite {mode}: lapor_core / eventsourcing", f"{a:,.0f} / {b:,.0f} commands/s"
            )
            wanted = {"FULL": 2, "NORMAL": 1}[mode]
            verdicts.guard(f"eventsourcing ran at {mode}", seen == {wanted}, f"synchronous {seen}")
            verdicts.guard(
                f"SQLite {mode}: lapor_core >= 1.2x eventsourcing", a >= 1.2 * b, f"{a / b:.2f}x"
            )
    if dsn is None:
        verdicts.info("PostgreSQL", "skipped: give --postgres DSN or set LAPOR_TEST_POSTGRES_DSN")
        return
    from urllib.parse import urlsplit  # noqa: PLC0415 - only with a DSN

    parts = urlsplit(dsn)
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": parts.path.lstrip("/") or "postgres",
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": parts.username or "postgres",
        "POSTGRES_PASSWORD": parts.password or "",
    }

    def theirs_pg() -> float:
        app = _eventsourcing_app(env)
        try:
            return eventsourcing_rate(app, complaints)
        finally:
            app.close()

    a = _best(passes, lambda: lapor_rate(dsn, complaints))
    b = _best(passes, theirs_pg)
    verdicts.info("PostgreSQL: lapor_core / eventsourcing", f"{a:,.0f} / {b:,.0f} commands/s")
    verdicts.guard("PostgreSQL: lapor_core >= 1.2x eventsourcing", a >= 1.2 * b, f"{a / b:.2f}x")


# ---------------------------------------------------------------------- the lifecycle in memory

_STATES = ["submitted", "forwarded", "in_progress", "completed"]
_TRIGGERS = [("forward", "submitted", "forwarded"), ("follow_up", "forwarded", "in_progress"),
             ("close", "in_progress", "completed")]  # fmt: skip


class _Model:
    state: str


class _Lifecycle(statemachine.StateMachine):
    submitted = statemachine.State(initial=True)
    forwarded = statemachine.State()
    in_progress = statemachine.State()
    completed = statemachine.State(final=True)
    forward = submitted.to(forwarded)
    follow_up = forwarded.to(in_progress)
    close = in_progress.to(completed)


def lapor_lives(lives: int) -> float:
    """Lives per second through ``decide`` and ``evolve``: submit, forward, follow up, close."""
    ctx = context()
    admin = lc.make_agency_actor(ctx.registry, "adm", lc.Role.AGENCY_ADMIN, "samarinda")
    started = time.perf_counter()
    for n in range(lives):
        steps = life(lc.ComplaintId(f"life-{n}"), ctx.registry)
        complaint = None
        for actor, command, offset in (*steps[:2], steps[3], steps[5]):
            who = admin if isinstance(command, (lc.PostFollowUp, lc.Close)) else actor
            for happened in lc.decide(complaint, command, who, T0 + offset, ctx):
                complaint = lc.evolve(complaint, happened)
    return lives / (time.perf_counter() - started)


def transitions_lives(lives: int) -> float:
    """The same four states as a ``transitions`` machine, one model a life."""
    started = time.perf_counter()
    for _ in range(lives):
        model = _Model()
        transitions.Machine(
            model=model,
            states=_STATES,
            transitions=[{"trigger": t, "source": s, "dest": d} for t, s, d in _TRIGGERS],
            initial="submitted",
        )
        for trigger, _source, _dest in _TRIGGERS:
            getattr(model, trigger)()
        assert model.state == "completed"  # noqa: S101
    return lives / (time.perf_counter() - started)


def statemachine_lives(lives: int) -> float:
    """The same four states as a ``python-statemachine`` machine, one machine a life."""
    started = time.perf_counter()
    for _ in range(lives):
        machine = _Lifecycle()
        machine.forward()
        machine.follow_up()
        machine.close()
        assert machine.completed.is_active  # noqa: S101
    return lives / (time.perf_counter() - started)


def lifecycle(verdicts: Verdicts, lives: int, passes: int) -> None:
    """Lives per second, each a new complaint taken from submitted to completed."""
    a = _best(passes, lapor_lives, lives)
    for name, run in (
        ("transitions", transitions_lives),
        ("python-statemachine", statemachine_lives),
    ):
        b = _best(passes, run, lives)
        verdicts.info(
            f"lifecycle: lapor_core / {name}", f"{a:,.0f} / {b:,.0f} lives/s ({a / b:.2f}x)"
        )


# ---------------------------------------------------------------------- deadlines


def deadlines(verdicts: Verdicts, count: int, passes: int) -> None:
    """The third working day after *count* start dates, on the same days off."""
    calendar: WorkingCalendar = lc.load_profile("national").calendar()
    first = date(2025, 1, 1)
    days = [first + timedelta(days=n % 700) for n in range(count)]
    off = [
        first + timedelta(days=n)
        for n in range(800)
        if (first + timedelta(days=n)).weekday() < 5
        and not calendar.is_working_day(first + timedelta(days=n))
    ]
    holidays = np.array(off, dtype="datetime64[D]")
    busdays = np.busdaycalendar(weekmask="1111100", holidays=holidays)
    starts = np.array(days, dtype="datetime64[D]")

    def ours() -> float:
        started = time.perf_counter()
        for day in days:
            calendar.add_working_days(day, 3)
        return count / (time.perf_counter() - started)

    def numpy_each() -> float:
        started = time.perf_counter()
        for day in starts:
            np.busday_offset(day, 3, roll="backward", busdaycal=busdays)
        return count / (time.perf_counter() - started)

    def numpy_array() -> float:
        started = time.perf_counter()
        np.busday_offset(starts, 3, roll="backward", busdaycal=busdays)
        return count / (time.perf_counter() - started)

    expected = [calendar.add_working_days(day, 3) for day in days]
    got = np.busday_offset(starts, 3, roll="backward", busdaycal=busdays).astype(date).tolist()
    verdicts.guard(
        "numpy and lapor_core give the same deadlines", got == expected, f"{count} dates"
    )
    a = _best(passes, ours)
    for name, run in (("numpy.busday_offset, one a call", numpy_each),
                      ("numpy.busday_offset, one array", numpy_array)):  # fmt: skip
        b = _best(passes, run)
        verdicts.info(
            f"deadlines: lapor_core / {name}", f"{a:,.0f} / {b:,.0f} dates/s ({a / b:.2f}x)"
        )


def main(argv: list[str] | None = None) -> int:
    """Run every comparison and print the ratios; exit 1 when a guard fails."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--smoke", action="store_true", help="one small pass, never fails")
    parser.add_argument(
        "--commands", type=int, default=3000, help="durable commands (default 3000)"
    )
    parser.add_argument("--postgres", default=os.environ.get("LAPOR_TEST_POSTGRES_DSN"))
    args = parser.parse_args(argv)
    verdicts = Verdicts(smoke=args.smoke)
    passes = 1 if args.smoke else 3
    complaints = 30 if args.smoke else args.commands // 3
    print(f"peers: eventsourcing, transitions {transitions.__version__}, python-statemachine "
          f"{statemachine.__version__}, numpy {np.__version__}")  # fmt: skip
    print(f"durable commands ({3 * complaints} a pass, best of {passes}):")
    durable(verdicts, complaints, passes, args.postgres)
    print("firing the lifecycle in memory:")
    lifecycle(verdicts, 200 if args.smoke else 5000, passes)
    print("deadlines:")
    deadlines(verdicts, 1000 if args.smoke else 50_000, passes)
    return verdicts.exit_status()


if __name__ == "__main__":
    sys.exit(main())
