"""
Storage benchmark: the stores against the raw drivers doing the same writes.

    python bench/bench_storage.py [--smoke] [--postgres DSN]

Prints, for SQLite (and PostgreSQL when a DSN is given or LAPOR_TEST_POSTGRES_DSN is set):

- appends, one transaction each: the raw driver inserting the same rows (pre-encoded, no
  checks; WAL + synchronous NORMAL for SQLite) -- the floor -- against ``store.append``;
- bulk: the raw driver's executemany / COPY of the same rows against ``append_many``;
- replay: events per second loaded from SQLite and folded with ``replay``;
- the due query (``claim_due`` and ``query(due_before=...)``, limit 100) at 10,000,
  100,000 and 1,000,000 stored complaints (10,000 only with --smoke).

Targets: service at least half the floor's rate, bulk at least half of executemany, due
query under 10 ms at 1,000,000 rows.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs

from lapor_core import (
    Actor,
    Archive,
    ArchiveReason,
    ComplaintId,
    Event,
    Forward,
    replay,
)
from lapor_core.storage import ComplaintQuery, ComplaintRow
from lapor_core.storage.codec import CODEC, AppendBatch
from lapor_core.storage.sqlite import _INSERT_EVENT, _UPSERT_ROW, SQLiteStore, _row_params
from lapor_core.testing.store_contract import Draft, submit_command

T0 = datetime(2025, 1, 6, 1, 0, tzinfo=UTC)
NATIONAL = Actor.national_admin("admin-nasional")
REGIONS = ["64", "64.72", "64.71", "64.72.01", "64.02"]
CATEGORIES = ["infrastruktur", "kesehatan", "pendidikan", "lain"]
TARGETS = ["samarinda", "balikpapan", None]

Unit = tuple[ComplaintId, int, tuple[Event, ...], ComplaintRow]
"""One append: complaint, expected version, events, row after."""


# --------------------------------------------------------------------------- data


def templates(count: int) -> list[list[Unit]]:
    """*count* complaints driven through the real domain, as their appends."""
    out = []
    for n in range(count):
        draft = Draft()
        cid = f"t{n}"
        units: list[Unit] = []
        at = T0 + timedelta(minutes=n)
        submit = submit_command(
            cid,
            region=REGIONS[n % len(REGIONS)],
            category=CATEGORIES[n % len(CATEGORIES)],
            target=TARGETS[n % len(TARGETS)],
        )
        events = draft.do(Actor.reporter("pelapor-1"), submit, at)
        units.append((draft.id, 0, events, draft.row))
        if n % 5 == 4:
            command: Any = Archive(complaint_id=draft.id, reason=ArchiveReason.UNCLEAR)
        else:
            command = Forward(complaint_id=draft.id, agencies=("samarinda",))
        events = draft.do(NATIONAL, command, at + timedelta(hours=2))
        units.append((draft.id, 1, events, draft.row))
        out.append(units)
    return out


def _shift(value: datetime | None, by: timedelta) -> datetime | None:
    return None if value is None else value + by


def clone(template: list[Unit], index: int, spacing: timedelta) -> list[Unit]:
    """The template's appends for complaint ``c<index>``, shifted in time."""
    cid = ComplaintId(f"c{index:07d}")
    by = spacing * index
    out = []
    for _cid, version, events, row in template:
        new_events = tuple(attrs.evolve(e, complaint_id=cid, at=e.at + by) for e in events)
        new_row = attrs.evolve(
            row,
            id=cid,
            submitted_at=row.submitted_at + by,
            updated_at=row.updated_at + by,
            next_due_at=_shift(row.next_due_at, by),
            first_forwarded_at=_shift(row.first_forwarded_at, by),
            closed_at=_shift(row.closed_at, by),
        )
        out.append((cid, version, new_events, new_row))
    return out


def complaints(
    tpl: list[list[Unit]], start: int, count: int, spacing: timedelta
) -> list[list[Unit]]:
    """Complaints ``start .. start + count - 1`` cloned from the templates."""
    return [clone(tpl[i % len(tpl)], i, spacing) for i in range(start, start + count)]


def as_batch(units: list[Unit]) -> AppendBatch:
    """A complaint's appends as one bulk batch (all events, last row)."""
    events = tuple(e for _c, _v, evs, _r in units for e in evs)
    return (units[0][0], 0, events, units[-1][3])


def rate(count: int, seconds: float) -> float:
    """Per second."""
    return count / seconds if seconds else float("inf")


def timed(fn: Callable[[], object]) -> float:
    """Seconds *fn* took."""
    start = time.perf_counter()
    fn()
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


def verdict(ok: bool) -> str:  # noqa: FBT001 - a plain predicate
    """Pass or miss."""
    return "ok" if ok else "MISS"


# --------------------------------------------------------------------------- SQLite


def sqlite_event_params(units: Sequence[AppendBatch]) -> list[list[tuple[Any, ...]]]:
    """Pre-encoded event rows, per append."""
    now = time.time_ns() // 1000
    return [
        [
            (cid.value, v + i, type(e).__name__, e.SCHEMA_VERSION, CODEC.encode_data(e), now)
            for i, e in enumerate(evs, start=1)
        ]
        for cid, v, evs, _row in units
    ]


def raw_sqlite(path: Path) -> sqlite3.Connection:
    """A raw connection with the store's durability settings."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def bench_sqlite(  # noqa: PLR0915 - one straight script of measures
    tmp: Path, tpl: list[list[Unit]], appends: int, bulk: int, sizes: list[int]
) -> None:
    """Every SQLite measure."""
    print("== SQLite", sqlite3.sqlite_version, "(WAL, synchronous=NORMAL) ==")
    spacing = timedelta(seconds=10)
    units = [u for c in complaints(tpl, 0, appends // 2, spacing) for u in c]

    # appends: floor vs service
    SQLiteStore(tmp / "floor.db").close()
    conn = raw_sqlite(tmp / "floor.db")
    event_params = sqlite_event_params(units)
    row_params = [_row_params(u[3]) for u in units]

    def floor_appends() -> None:
        for events, row in zip(event_params, row_params, strict=True):
            conn.execute("BEGIN IMMEDIATE")
            for params in events:
                conn.execute(_INSERT_EVENT, params)
            conn.execute(_UPSERT_ROW, row)
            conn.execute("COMMIT")

    floor_s = timed(floor_appends)
    conn.close()
    store = SQLiteStore(tmp / "service.db")

    def service_appends() -> None:
        for cid, version, events, row in units:
            store.append(cid, version, events, row)

    service_s = timed(service_appends)
    floor_rate, service_rate = rate(len(units), floor_s), rate(len(units), service_s)
    print(f"append, 1 tx each ({len(units)} appends):")
    print(f"  floor   raw sqlite3        {floor_rate:10,.0f} appends/s")
    print(
        f"  service SQLiteStore.append {service_rate:10,.0f} appends/s  "
        f"ratio {service_rate / floor_rate:.2f} (target >= 0.50: "
        f"{verdict(service_rate >= floor_rate / 2)})"
    )

    # replay from the service file
    ids = sorted({u[0] for u in units})
    count = 0

    def load_and_replay() -> None:
        nonlocal count
        for cid in ids:
            events = store.load(cid)
            replay(events)
            count += len(events)

    replay_s = timed(load_and_replay)
    print(f"replay (load + replay, {count} events): {rate(count, replay_s):,.0f} events/s")
    store.close()

    # bulk: executemany floor vs append_many
    bulk_complaints = complaints(tpl, 0, bulk, spacing)
    batches = [as_batch(c) for c in bulk_complaints]
    SQLiteStore(tmp / "bulk-floor.db").close()
    conn = raw_sqlite(tmp / "bulk-floor.db")
    bulk_events = [p for ps in sqlite_event_params(batches) for p in ps]
    bulk_rows = [_row_params(b[3]) for b in batches]

    def floor_bulk() -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(_INSERT_EVENT, bulk_events)
        conn.executemany(_UPSERT_ROW, bulk_rows)
        conn.execute("COMMIT")

    floor_s = timed(floor_bulk)
    conn.close()
    store = SQLiteStore(tmp / "bulk-service.db")
    service_s = timed(lambda: store.append_many(batches))
    store.close()
    floor_rate, service_rate = rate(len(bulk_events), floor_s), rate(len(bulk_events), service_s)
    print(f"bulk, one transaction ({len(batches)} complaints, {len(bulk_events)} events):")
    print(f"  floor   executemany        {floor_rate:10,.0f} events/s")
    print(
        f"  service append_many        {service_rate:10,.0f} events/s  "
        f"ratio {service_rate / floor_rate:.2f} (target >= 0.50: "
        f"{verdict(service_rate >= floor_rate / 2)})"
    )

    store = SQLiteStore(tmp / "due.db")
    due_query(store, tpl, sizes, spacing, store.append_many)
    store.close()


def due_query(
    store: Any,  # noqa: ANN401 - any store with append_many
    tpl: list[list[Unit]],
    sizes: list[int],
    spacing: timedelta,
    append_many: Callable[[list[AppendBatch]], int],
) -> None:
    """Fill *store* up to each size and time the due query."""
    filled = 0
    now = T0 + timedelta(days=30)
    for size in sizes:
        start = time.perf_counter()
        while filled < size:
            chunk = min(10_000, size - filled)
            append_many([as_batch(c) for c in complaints(tpl, filled, chunk, spacing)])
            filled += chunk
        fill_s = time.perf_counter() - start
        claim_ms = median_ms(
            lambda: store.claim_due(now, claimant="bench", lease=timedelta(minutes=1), limit=100)
        )
        query_ms = median_ms(lambda: store.query(ComplaintQuery(due_before=now, limit=100)))
        claimed = len(store.claim_due(now, claimant="bench", lease=timedelta(minutes=1)))
        target = f" (target < 10 ms: {verdict(claim_ms < 10)})" if size >= 1_000_000 else ""
        print(
            f"due query at {size:>9,} complaints (filled in {fill_s:5.1f} s): "
            f"claim_due {claim_ms:6.2f} ms{target}, query(due_before) {query_ms:6.2f} ms, "
            f"{claimed} claimed"
        )


# --------------------------------------------------------------------------- PostgreSQL


def bench_postgres(  # noqa: PLR0915 - one straight script of measures
    dsn: str, tpl: list[list[Unit]], appends: int, bulk: int, sizes: list[int]
) -> None:
    """Every PostgreSQL measure (on throw-away schemas)."""
    import psycopg  # noqa: PLC0415 - optional extra

    from lapor_core.storage import postgres  # noqa: PLC0415 - optional extra

    spacing = timedelta(seconds=10)
    schemas = [f"lapor_bench_{uuid.uuid4().hex[:8]}" for _ in range(4)]
    stores = [postgres.PostgresStore(dsn, schema=s, max_size=2) for s in schemas]
    try:
        with psycopg.connect(dsn) as conn:
            version = conn.execute("SHOW server_version").fetchone()
        print(f"== PostgreSQL {version[0] if version else '?'} ({postgres.safe_dsn(dsn)}) ==")
        units = [u for c in complaints(tpl, 0, appends // 2, spacing) for u in c]
        floor, service, bulk_floor, bulk_service = stores
        events_sql = (
            f'INSERT INTO "{floor.schema}".events '  # noqa: S608 - our own schema name
            "(complaint_id, version, type, schema_version, payload) "
            "VALUES (%s, %s, %s, %s, %s::jsonb)"
        )
        upsert_sql = floor._sql_upsert  # noqa: SLF001 - the floor runs the store's own statement
        encoded = [
            (
                [
                    (cid.value, v + i, type(e).__name__, e.SCHEMA_VERSION, CODEC.encode_data(e))
                    for i, e in enumerate(evs, start=1)
                ],
                postgres._row_params(row),  # noqa: SLF001 - same row parameters as the store
            )
            for cid, v, evs, row in units
        ]
        with psycopg.connect(dsn) as conn:

            def floor_appends() -> None:
                for events, row in encoded:
                    with conn.transaction():
                        for params in events:
                            conn.execute(events_sql, params)
                        conn.execute(upsert_sql, row)

            floor_s = timed(floor_appends)

        def service_appends() -> None:
            for cid, version, events, row in units:
                service.append(cid, version, events, row)

        service_s = timed(service_appends)
        floor_rate, service_rate = rate(len(units), floor_s), rate(len(units), service_s)
        print(f"append, 1 tx each ({len(units)} appends):")
        print(f"  floor   raw psycopg          {floor_rate:10,.0f} appends/s")
        print(
            f"  service PostgresStore.append {service_rate:10,.0f} appends/s  "
            f"ratio {service_rate / floor_rate:.2f} (target >= 0.50: "
            f"{verdict(service_rate >= floor_rate / 2)})"
        )

        batches = [as_batch(c) for c in complaints(tpl, 0, bulk, spacing)]
        bulk_events = [
            (cid.value, i, type(e).__name__, e.SCHEMA_VERSION, CODEC.encode_data(e))
            for cid, _v, evs, _row in batches
            for i, e in enumerate(evs, start=1)
        ]
        bulk_rows = [postgres._row_params(b[3]) for b in batches]  # noqa: SLF001 - same parameters
        bulk_events_sql = events_sql.replace(floor.schema, bulk_floor.schema)
        bulk_upsert = bulk_floor._sql_upsert  # noqa: SLF001 - the store's own statement
        with psycopg.connect(dsn) as conn:

            def floor_bulk() -> None:
                with conn.transaction(), conn.cursor() as cur:
                    cur.executemany(bulk_events_sql, bulk_events)
                    cur.executemany(bulk_upsert, bulk_rows)

            floor_s = timed(floor_bulk)
        service_s = timed(lambda: bulk_service.append_many(batches))
        floor_rate = rate(len(bulk_events), floor_s)
        service_rate = rate(len(bulk_events), service_s)
        print(f"bulk, one transaction ({len(batches)} complaints, {len(bulk_events)} events):")
        print(f"  floor   executemany          {floor_rate:10,.0f} events/s")
        print(
            f"  service append_many (COPY)   {service_rate:10,.0f} events/s  "
            f"ratio {service_rate / floor_rate:.2f} (target >= 0.50: "
            f"{verdict(service_rate >= floor_rate / 2)})"
        )
        due = postgres.PostgresStore(dsn, schema=f"lapor_bench_{uuid.uuid4().hex[:8]}", max_size=2)
        stores.append(due)
        due_query(due, tpl, sizes, spacing, due.append_many)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'ANALYZE "{due.schema}".complaints')
        claim_ms = median_ms(
            lambda: due.claim_due(
                T0 + timedelta(days=30), claimant="bench", lease=timedelta(minutes=1), limit=100
            )
        )
        print(f"due query after ANALYZE at {sizes[-1]:,}: claim_due {claim_ms:.2f} ms")
    finally:
        for store in stores:
            store.close()
            store.drop_schema()


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1] if __doc__ else None)
    parser.add_argument("--smoke", action="store_true", help="small sizes (10,000 rows at most)")
    parser.add_argument("--postgres", metavar="DSN", help="also benchmark PostgreSQL")
    args = parser.parse_args(argv)
    dsn = args.postgres or os.environ.get("LAPOR_TEST_POSTGRES_DSN")
    appends, bulk = (400, 2_000) if args.smoke else (4_000, 20_000)
    sizes = [10_000] if args.smoke else [10_000, 100_000, 1_000_000]
    start = time.perf_counter()
    tpl = templates(50 if args.smoke else 500)
    took = time.perf_counter() - start
    print(f"{len(tpl)} template complaints built with the domain in {took:.1f} s")
    with tempfile.TemporaryDirectory(prefix="lapor-bench-") as tmp:
        bench_sqlite(Path(tmp), tpl, appends, bulk, sizes)
    if dsn:
        bench_postgres(dsn, tpl, appends, bulk, sizes)
    else:
        print("(PostgreSQL skipped: pass --postgres DSN or set LAPOR_TEST_POSTGRES_DSN)")


if __name__ == "__main__":
    main()
