"""
Storage benchmark: a durable command, a load and the sweeper's claim, as a user feels them.

    python bench/bench_storage.py [--smoke] [--postgres DSN]

Every complaint lives the life of ``_workload.py`` (six commands); the complaints take
turns step by step, as desk officers would. Guards (``[PASS]``/``[FAIL]``; the policy is
in ``_guards.py``):

- **a durable command** through ``ComplaintService.handle`` (load the stream and replay
  it, decide, evolve, project, then append the events and write the projection row in
  one transaction) at least 0.5x the rate of **the raw one-transaction floor**: the raw
  driver writing the same rows, one transaction per command (SQLite: ``BEGIN
  IMMEDIATE``, the events, the upsert of the row, ``COMMIT``, in WAL mode with
  ``synchronous=NORMAL``, as the store opens the file). The floor's rows are the ones the
  service wrote, read back after each command of a first, untimed run: the floor encodes
  nothing, checks nothing and loads nothing; it is what the durable write alone costs;
- the same on PostgreSQL, when ``--postgres DSN`` is given or ``LAPOR_TEST_POSTGRES_DSN``
  is set; there the floor is the cheapest way the raw driver has to write one command's
  rows in one transaction: one statement in autocommit mode (the events in a ``WITH``
  part, then the upsert of the row), composed once, so one round trip a command;
- **load + replay** from SQLite (``ComplaintService.get`` without a state cache, every
  complaint once) at least 25,000 events/s;
- **the sweeper's claim** (``claim_due``, 100 complaints) under 10 ms at 1,000,000 stored
  complaints, on each backend. On SQLite the claim is a write transaction, so every
  command waits while it runs; on either backend it is what each sweep batch costs
  before a clock command is issued, and it must not grow with the store.

Information (``[info]``): ``store.append`` alone against the same floor (the write without
the load and the decision), load + replay from PostgreSQL, and ``query(due_before=...)``.
A full run takes the best of three passes; ``--smoke`` runs one pass of 100 complaints
and fills the due query's store to 10,000 complaints only, where the claim is information.

Only the public API is used: the service, the stores and the tables they document.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

import attrs

import lapor_core as lc
from _guards import Verdicts
from _workload import T0, Step, context, life
from lapor_core.service import ComplaintService, HandleResult
from lapor_core.storage import ComplaintQuery, ComplaintRow, ComplaintStore, SQLiteStore, project

COMMAND_RATIO = 0.5
REPLAY_RATE = 25_000
CLAIM_MS = 10.0
CLAIM_AT = 1_000_000
EVENT_COLUMNS = ("complaint_id", "version", "type", "schema_version", "payload")
"""The log's columns both stores write (SQLite adds ``recorded_at``)."""

Batch = tuple[lc.ComplaintId, int, tuple[lc.Event, ...], ComplaintRow]
"""One complaint's append: id, expected version, events, row after."""
Params = tuple[Any, ...]


class BulkStore(ComplaintStore, Protocol):
    """A store with ``append_many`` (both backends here)."""

    def append_many(self, batches: Sequence[Batch], /) -> int:
        """Append many complaints in one transaction."""


@attrs.frozen
class Floor:
    """What the raw driver writes per command: the statements, and each command's rows."""

    insert_event: Any  # a str for sqlite3, a composed statement for psycopg
    upsert_row: Any
    writes: list[tuple[list[Params], Params]]


class Workload:
    """The interleaved commands of *complaints* complaints, and the service that runs them."""

    def __init__(self, complaints: int) -> None:
        """Build the commands; nothing is run yet."""
        self.ctx = context()
        spacing = timedelta(minutes=7)
        lives = [life(lc.ComplaintId(f"c{i:07d}"), self.ctx.registry) for i in range(complaints)]
        self.order: list[tuple[Step, timedelta]] = [
            (one[step], spacing * i) for step in range(len(lives[0])) for i, one in enumerate(lives)
        ]
        self.ids = [one[0][1].complaint_id for one in lives]

    def service(self, store: ComplaintStore, cache_size: int = 0) -> ComplaintService:
        """A service as an app builds one (by default without a state cache)."""
        ctx = self.ctx
        return ComplaintService(
            store, ctx.profile, ctx.registry, ctx.calendar, cache_size=cache_size
        )

    def handle_all(
        self,
        store: ComplaintStore,
        after: Callable[[HandleResult], None] | None = None,
        *,
        cache_size: int = 0,
    ) -> float:
        """Seconds to handle every command through a new service over *store*."""
        service = self.service(store, cache_size)
        start = time.perf_counter()
        for (actor, command, offset), shift in self.order:
            result = service.handle(command, actor, now=T0 + shift + offset)
            if after is not None:
                after(result)
        return time.perf_counter() - start

    def load_all(self, store: ComplaintStore) -> tuple[int, float]:
        """Events, and seconds to load and replay every complaint through a new service."""
        service = self.service(store)
        start = time.perf_counter()
        events = sum(service.get(cid).version for cid in self.ids)
        return events, time.perf_counter() - start

    def appends(self, results: Sequence[HandleResult]) -> list[Batch]:
        """The service's appends, for ``store.append`` alone."""
        ctx = self.ctx
        return [
            (
                r.complaint.id,
                r.complaint.version - len(r.events),
                r.events,
                project(r.complaint, ctx.calendar, ctx.profile.clocks),
            )
            for r in results
        ]

    def fill(self, start: int, count: int) -> list[Batch]:
        """
        Complaints ``start .. start + count - 1`` for the due query, submitted 10 s apart.

        Each is forwarded two hours later (every fifth archived instead), decided in
        memory, and written with ``append_many``.
        """
        ctx = self.ctx
        national = lc.Actor.national_admin("nas")
        out = []
        for index in range(start, start + count):
            cid = lc.ComplaintId(f"d{index:07d}")
            reporter, submit, _ = life(cid, ctx.registry)[0]
            at = T0 + timedelta(seconds=10 * index)
            events = lc.decide(None, submit, reporter, at, ctx)
            state = lc.replay(events)
            second: lc.Command = (
                lc.Archive(complaint_id=cid, reason=lc.ArchiveReason.UNCLEAR)
                if index % 5 == 4
                else lc.Forward(complaint_id=cid, agencies=("samarinda",))
            )
            more = lc.decide(state, second, national, at + timedelta(hours=2), ctx)
            for event in more:
                state = lc.evolve(state, event)
            out.append((cid, 0, (*events, *more), project(state, ctx.calendar, ctx.profile.clocks)))
        return out


def rate(count: int, seconds: float) -> float:
    """Per second."""
    return count / seconds if seconds else float("inf")


def append_each(store: ComplaintStore, appends: Sequence[Batch]) -> float:
    """Seconds for ``store.append`` to write each of the service's appends again."""
    start = time.perf_counter()
    for unit in appends:
        store.append(*unit)
    return time.perf_counter() - start


def median_ms(fn: Callable[[], object], repeat: int = 25) -> float:
    """Median milliseconds of *fn* over *repeat* runs (after one warm-up)."""
    fn()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs)


FLOOR = "floor: raw driver, the same rows, 1 tx each"
SERVICE = "ComplaintService.handle (durable command)"
CACHED = "the same with a state cache (no load)"
APPEND = "store.append alone"


def best_of(best: dict[str, float], label: str, seconds: float) -> None:
    """Keep the least seconds seen for *label*."""
    best[label] = min(best.get(label, float("inf")), seconds)


def report_commands(
    verdicts: Verdicts, backend: str, commands: int, best: dict[str, float]
) -> None:
    """Print the rates; judge the durable command against the floor."""
    rates = {label: rate(commands, seconds) for label, seconds in best.items()}
    for label in (FLOOR, APPEND, SERVICE, CACHED):
        print(f"  {label:<46} {rates[label]:8,.0f} commands/s {1e6 / rates[label]:6.0f} us each")
    floor = rates[FLOOR]
    verdicts.guard(
        f"{backend}: a durable command >= {COMMAND_RATIO}x the raw one-transaction floor",
        rates[SERVICE] >= COMMAND_RATIO * floor,
        f"{rates[SERVICE] / floor:.2f}x",
    )
    verdicts.info(f"{backend}: with a state cache / floor", f"{rates[CACHED] / floor:.2f}x")
    verdicts.info(f"{backend}: store.append alone / floor", f"{rates[APPEND] / floor:.2f}x")


def due_queries(
    verdicts: Verdicts,
    *,
    backend: str,
    store: BulkStore,
    work: Workload,
    sizes: Sequence[int],
    analyze: Callable[[], object] = lambda: None,
) -> None:
    """Fill *store* up to each size; time the sweeper's claim and the due query."""
    filled = 0
    now = T0 + timedelta(days=30)
    lease = timedelta(minutes=1)
    for size in sizes:
        start = time.perf_counter()
        while filled < size:
            chunk = min(10_000, size - filled)
            store.append_many(work.fill(filled, chunk))
            filled += chunk
        analyze()
        print(f"  {size:,} complaints stored (filled in {time.perf_counter() - start:.1f} s)")
        claim_ms = median_ms(lambda: store.claim_due(now, claimant="bench", lease=lease, limit=100))
        query_ms = median_ms(lambda: store.query(ComplaintQuery(due_before=now, limit=100)))
        if size >= CLAIM_AT:
            verdicts.guard(
                f"{backend}: claim_due (100) at {CLAIM_AT:,} complaints < {CLAIM_MS:g} ms",
                claim_ms < CLAIM_MS,
                f"{claim_ms:.2f} ms",
            )
        else:
            verdicts.info(f"{backend}: claim_due (100) at {size:,}", f"{claim_ms:.2f} ms")
        verdicts.info(f"{backend}: query(due_before=...) (100) at {size:,}", f"{query_ms:.2f} ms")


# --------------------------------------------------------------------------- SQLite


def sqlite_capture(work: Workload, path: Path) -> tuple[Floor, list[HandleResult]]:
    """Run the commands once, untimed, reading back the rows each command wrote."""
    store = SQLiteStore(path)
    conn = sqlite3.connect(path)
    columns = [r[1] for r in conn.execute("PRAGMA table_info(complaints)")]
    logged = (*EVENT_COLUMNS, "recorded_at")
    select_events = (
        f"SELECT {', '.join(logged)} FROM events "  # noqa: S608 - constant columns
        "WHERE complaint_id = ? AND version > ? ORDER BY version"
    )
    select_row = f"SELECT {', '.join(columns)} FROM complaints WHERE id = ?"  # noqa: S608 - the table's own columns
    writes: list[tuple[list[Params], Params]] = []
    results: list[HandleResult] = []

    def read_back(result: HandleResult) -> None:
        cid = result.complaint.id.value
        before = result.complaint.version - len(result.events)
        events = conn.execute(select_events, (cid, before)).fetchall()
        writes.append((events, conn.execute(select_row, (cid,)).fetchone()))
        results.append(result)

    work.handle_all(store, read_back)
    conn.close()
    store.close()
    floor = Floor(
        f"INSERT INTO events ({', '.join(logged)}) "  # noqa: S608 - constant columns
        f"VALUES ({', '.join('?' * len(logged))})",
        f"INSERT INTO complaints ({', '.join(columns)}) "  # noqa: S608 - the table's own columns
        f"VALUES ({', '.join('?' * len(columns))}) ON CONFLICT (id) DO UPDATE SET "
        + ", ".join(f"{c} = excluded.{c}" for c in columns if c != "id"),
        writes,
    )
    return floor, results


def sqlite_floor(floor: Floor, path: Path) -> float:
    """Seconds for the raw driver to write the floor's rows, one transaction a command."""
    SQLiteStore(path).close()  # the store's schema, triggers and indexes
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    start = time.perf_counter()
    for events, row in floor.writes:
        conn.execute("BEGIN IMMEDIATE")
        for params in events:
            conn.execute(floor.insert_event, params)
        conn.execute(floor.upsert_row, row)
        conn.execute("COMMIT")
    seconds = time.perf_counter() - start
    conn.close()
    return seconds


def bench_sqlite(
    verdicts: Verdicts, tmp: Path, work: Workload, rounds: int, sizes: Sequence[int]
) -> None:
    """Every SQLite figure."""
    print(f"== SQLite {sqlite3.sqlite_version} (WAL, synchronous=NORMAL) ==")
    floor, results = sqlite_capture(work, tmp / "capture.db")
    appends = work.appends(results)
    best: dict[str, float] = {}
    loaded, load_s = 0, float("inf")
    for n in range(rounds):  # alternated, so that a busy moment hits each alike
        best_of(best, FLOOR, sqlite_floor(floor, tmp / f"floor-{n}.db"))
        store = SQLiteStore(tmp / f"service-{n}.db")
        best_of(best, SERVICE, work.handle_all(store))
        loaded, seconds = work.load_all(store)
        load_s = min(load_s, seconds)
        store.close()
        store = SQLiteStore(tmp / f"cached-{n}.db")
        best_of(best, CACHED, work.handle_all(store, cache_size=len(work.ids)))
        store.close()
        store = SQLiteStore(tmp / f"append-{n}.db")
        best_of(best, APPEND, append_each(store, appends))
        store.close()
    print(f"{len(work.ids):,} complaints, {len(results):,} commands, best of {rounds}:")
    report_commands(verdicts, "SQLite", len(results), best)
    verdicts.guard(
        f"SQLite: load + replay >= {REPLAY_RATE:,} events/s",
        rate(loaded, load_s) >= REPLAY_RATE,
        f"{rate(loaded, load_s):,.0f} events/s ({loaded:,} events, "
        f"{1e6 * load_s / len(work.ids):.0f} us a complaint)",
    )
    store = SQLiteStore(tmp / "due.db")
    due_queries(verdicts, backend="SQLite", store=store, work=work, sizes=sizes)
    store.close()


# --------------------------------------------------------------------------- PostgreSQL


def bench_postgres(  # noqa: PLR0915 - one straight script of measures
    verdicts: Verdicts, dsn: str, work: Workload, rounds: int, sizes: Sequence[int]
) -> None:
    """Every PostgreSQL figure, on throw-away schemas."""
    import psycopg  # noqa: PLC0415 - optional extra
    from psycopg import sql  # noqa: PLC0415 - optional extra

    from lapor_core.storage.postgres import PostgresStore, safe_dsn  # noqa: PLC0415 - optional

    stores: list[PostgresStore] = []

    def new_store() -> PostgresStore:
        store = PostgresStore(dsn, schema=f"lapor_bench_{uuid.uuid4().hex[:8]}", max_size=2)
        stores.append(store)
        return store

    def retire() -> None:
        while stores:
            store = stores.pop()
            store.close()
            store.drop_schema()

    def statement(schema: str, columns: Sequence[str], events: int) -> bytes:
        """One command's rows in one statement: its events, then its row (upserted)."""
        values = [sql.Placeholder()] * (len(EVENT_COLUMNS) - 1) + [sql.SQL("%s::jsonb")]
        row = sql.SQL("({})").format(sql.SQL(", ").join(values))
        return (
            sql.SQL(
                "WITH e AS (INSERT INTO {} ({}) VALUES {}) "
                "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT (id) DO UPDATE SET {}"
            )
            .format(
                sql.Identifier(schema, "events"),
                sql.SQL(", ").join(map(sql.Identifier, EVENT_COLUMNS)),
                sql.SQL(", ").join([row] * events),
                sql.Identifier(schema, "complaints"),
                sql.SQL(", ").join(map(sql.Identifier, columns)),
                sql.SQL(", ").join([sql.Placeholder()] * len(columns)),
                sql.SQL(", ").join(
                    sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c))
                    for c in columns
                    if c != "id"
                ),
            )
            .as_bytes(None)
        )

    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            found = conn.execute("SHOW server_version").fetchone()
            print(f"== PostgreSQL {found[0] if found else '?'} ({safe_dsn(dsn)}) ==")
            capture = new_store()
            columns = [
                r[0]
                for r in conn.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = %s "
                    "AND table_name = 'complaints' ORDER BY ordinal_position",
                    (capture.schema,),
                )
            ]
            logged = [*EVENT_COLUMNS[:-1], "payload::text"]
            select_events = sql.SQL(
                "SELECT {} FROM {} WHERE complaint_id = %s AND version > %s ORDER BY version"
            ).format(
                sql.SQL(", ").join(map(sql.SQL, logged)), sql.Identifier(capture.schema, "events")
            )
            select_row = sql.SQL("SELECT {} FROM {} WHERE id = %s").format(
                sql.SQL(", ").join(map(sql.Identifier, columns)),
                sql.Identifier(capture.schema, "complaints"),
            )
            writes: list[tuple[list[Params], Params]] = []
            results: list[HandleResult] = []

            def read_back(result: HandleResult) -> None:
                cid = result.complaint.id.value
                before = result.complaint.version - len(result.events)
                events = conn.execute(select_events, (cid, before)).fetchall()
                row = conn.execute(select_row, (cid,)).fetchone()
                assert row is not None  # noqa: S101 - the service just wrote it
                writes.append((events, row))
                results.append(result)

            work.handle_all(capture, read_back)
            appends = work.appends(results)
            best: dict[str, float] = {}
            loaded, load_s = 0, float("inf")
            retire()  # the capture is read; keep few pools open
            for _ in range(rounds):
                target = new_store()
                composed = {
                    n: statement(target.schema, columns, n) for n in {len(e) for e, _r in writes}
                }
                floor_params = [
                    (composed[len(events)], [v for params in events for v in params] + [*row])
                    for events, row in writes
                ]
                start = time.perf_counter()
                for query, params in floor_params:  # autocommit: a statement is a transaction
                    conn.execute(query, params)
                best_of(best, FLOOR, time.perf_counter() - start)
                service = new_store()
                best_of(best, SERVICE, work.handle_all(service))
                loaded, seconds = work.load_all(service)
                load_s = min(load_s, seconds)
                best_of(best, CACHED, work.handle_all(new_store(), cache_size=len(work.ids)))
                best_of(best, APPEND, append_each(new_store(), appends))
                retire()
            print(f"{len(work.ids):,} complaints, {len(results):,} commands, best of {rounds}:")
            report_commands(verdicts, "PostgreSQL", len(results), best)
            verdicts.info(
                "PostgreSQL: load + replay",
                f"{rate(loaded, load_s):,.0f} events/s ({loaded:,} events)",
            )
            due = new_store()
            table = sql.Identifier(due.schema, "complaints")
            due_queries(
                verdicts,
                backend="PostgreSQL",
                store=due,
                work=work,
                sizes=sizes,
                analyze=lambda: conn.execute(sql.SQL("ANALYZE {}").format(table)),
            )
    finally:
        retire()


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; the exit status follows ``_guards.py``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1] if __doc__ else None)
    parser.add_argument("--smoke", action="store_true", help="small sizes, one pass, for CI")
    parser.add_argument("--postgres", metavar="DSN", help="also benchmark PostgreSQL")
    parser.add_argument("--complaints", type=int, default=2_000, help="complaints (full run)")
    args = parser.parse_args(argv)
    verdicts = Verdicts(smoke=args.smoke)
    dsn = args.postgres or os.environ.get("LAPOR_TEST_POSTGRES_DSN")
    work = Workload(100 if args.smoke else args.complaints)
    rounds = 1 if args.smoke else 3
    sizes = [10_000] if args.smoke else [10_000, 100_000, CLAIM_AT]
    with tempfile.TemporaryDirectory(prefix="lapor-bench-") as tmp:
        bench_sqlite(verdicts, Path(tmp), work, rounds, sizes)
    if dsn:
        bench_postgres(verdicts, dsn, work, rounds, sizes)
    else:
        print("(PostgreSQL skipped: pass --postgres DSN or set LAPOR_TEST_POSTGRES_DSN)")
    return verdicts.exit_status()


if __name__ == "__main__":
    sys.exit(main())
