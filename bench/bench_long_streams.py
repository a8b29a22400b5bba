"""
Long-stream benchmark: a command and a load on a complaint with 100,000 events.

    python bench/bench_long_streams.py [--smoke] [--events N]

One complaint is submitted, forwarded and then retitled until its stream holds N events
(100,000 by default), written to a SQLite file in one ``append_many`` transaction, as an
import would. The service runs with ``cache_size=0`` (the default: every command reloads
the complaint) and snapshots on (``snapshot_every``, default 100): the first load replays
the whole stream once and leaves a snapshot, and from then on a load reads the newest
snapshot and the events after it. Guards (``[PASS]``/``[FAIL]``; the policy is in
``_guards.py``):

- **a durable command** (``ComplaintService.handle``: load from the snapshot, decide,
  append, write the row; a snapshot every 100 events) under 10 ms, the median of 300;
- **a load** (``ComplaintService.get``, after each of those commands, so from a snapshot
  0 to 99 events old) under 20 ms, the median of 300.

Information (``[info]``): the build, the first load (a full replay, which writes the
snapshot), and the same load with snapshots off (``snapshot_every=0``), which is what
every command cost before snapshots; in a full run also the cost of a reply on a thread
growing to the profile's cap (``[options.thread] max_messages``, 1,000), where the next
reply is refused, and of a load at the cap. ``--smoke`` builds 10,000 events and times 50 of
each (the verdicts then never fail).

Only the public API is used: the service, the SQLite store and the domain's ``decide``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from functools import partial
from pathlib import Path

import attrs

import lapor_core as lc
from _guards import Verdicts
from _workload import T0, context, life
from lapor_core.domain.events import ComplaintClassified
from lapor_core.service import ComplaintService
from lapor_core.storage import SQLiteStore, project

HANDLE_MS = 10.0
GET_MS = 20.0
CID = lc.ComplaintId("panjang-1")
NATIONAL = lc.Actor.national_admin("nas")


def build(store: SQLiteStore, ctx: lc.Context, events: int) -> lc.Complaint:
    """Write one complaint of *events* events in one transaction; return its state."""
    reporter, submit, _ = life(CID, ctx.registry)[0]
    stream = list(lc.decide(None, submit, reporter, T0, ctx))
    state = lc.replay(stream)
    forward = lc.Forward(complaint_id=CID, agencies=("samarinda",))
    stream += lc.decide(state, forward, NATIONAL, T0 + timedelta(hours=1), ctx)
    state = lc.replay(stream)
    retitle = lc.Classify(complaint_id=CID, title="Judul 0")
    [template] = lc.decide(state, retitle, NATIONAL, T0 + timedelta(hours=2), ctx)
    assert isinstance(template, ComplaintClassified)  # noqa: S101 - what Classify decides
    start = T0 + timedelta(hours=2)
    stream += [
        attrs.evolve(template, at=start + timedelta(seconds=n), title=f"Judul {n}")
        for n in range(events - len(stream))
    ]
    state = lc.replay(stream)
    row = project(state, ctx.calendar, ctx.profile.clocks)
    store.append_many([(CID, 0, tuple(stream), row)])
    return state


def timed(action: Callable[[], object]) -> float:
    """How long *action* takes, in ms."""
    began = time.perf_counter()
    action()
    return (time.perf_counter() - began) * 1000


def summary(samples: list[float]) -> tuple[float, float]:
    """The median and the 95th percentile of *samples*."""
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; the exit status follows ``_guards.py``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1] if __doc__ else None)
    parser.add_argument("--smoke", action="store_true", help="10,000 events, few samples")
    parser.add_argument("--events", type=int, default=100_000, help="events in the stream")
    args = parser.parse_args(argv)
    verdicts = Verdicts(smoke=args.smoke)
    events = 10_000 if args.smoke else args.events
    times = 50 if args.smoke else 300
    ctx = context()
    print(f"long streams: one complaint of {events:,} events on SQLite, cache_size=0")
    with tempfile.TemporaryDirectory(prefix="lapor-bench-") as tmp:
        store = SQLiteStore(Path(tmp) / "long.sqlite3")
        try:
            began = time.perf_counter()
            state = build(store, ctx, events)
            verdicts.info(
                "build (decide 3, append_many 1 transaction)",
                f"{time.perf_counter() - began:.2f} s",
            )
            plain = ComplaintService(store, ctx.profile, ctx.registry, snapshot_every=0)
            began = time.perf_counter()
            assert state == plain.get(CID)  # noqa: S101 - the stream loads back whole
            verdicts.info(
                "get without snapshots (full replay)",
                f"{(time.perf_counter() - began) * 1000:.0f} ms",
            )
            service = ComplaintService(store, ctx.profile, ctx.registry)
            began = time.perf_counter()
            assert state == service.get(CID)  # noqa: S101 - and from a snapshot alike
            verdicts.info(
                "first get (full replay, writes the snapshot)",
                f"{(time.perf_counter() - began) * 1000:.0f} ms",
            )
            now = state.updated_at
            handles: list[float] = []
            gets: list[float] = []
            for n in range(times):
                title = lc.Classify(complaint_id=CID, title=f"Judul baru {n}")
                at = now + timedelta(minutes=n + 1)
                handles.append(timed(partial(service.handle, title, NATIONAL, now=at)))
                gets.append(timed(lambda: service.get(CID)))
            median, p95 = summary(handles)
            verdicts.guard(
                f"handle at {events:,} events, cache_size=0",
                median < HANDLE_MS,
                f"median {median:.2f} ms (p95 {p95:.2f} ms) < {HANDLE_MS:.0f} ms",
            )
            median, p95 = summary(gets)
            verdicts.guard(
                f"get at {events:,} events, cache_size=0",
                median < GET_MS,
                f"median {median:.2f} ms (p95 {p95:.2f} ms) < {GET_MS:.0f} ms",
            )
            assert lc.replay(store.load(CID)) == service.get(CID)  # noqa: S101 - still a replay's
        finally:
            store.close()
        if not args.smoke:
            bench_thread(verdicts, ctx, Path(tmp) / "thread.sqlite3")
    return verdicts.exit_status()


def bench_thread(verdicts: Verdicts, ctx: lc.Context, path: Path) -> None:
    """Replies until the profile's thread cap refuses one; then the cost of a load."""
    cid = lc.ComplaintId("utas-1")
    steps = life(cid, ctx.registry)[:4]  # submitted, forwarded, forwarded on, followed up
    store = SQLiteStore(path)
    try:
        service = ComplaintService(store, ctx.profile, ctx.registry)
        for actor, command, after in steps:
            service.handle(command, actor, now=T0 + after)
        reporter = steps[0][0]
        start = T0 + timedelta(days=3)
        began = time.perf_counter()
        replies = 0
        while True:
            reply = lc.Reply(complaint_id=cid, text=f"Balasan {replies} " + "x" * 200)
            try:
                service.handle(reply, reporter, now=start + timedelta(seconds=replies))
            except lc.InvalidTransition:
                break
            replies += 1
        took = (time.perf_counter() - began) * 1000 / replies
        cap = ctx.profile.thread.max_messages
        verdicts.info(f"a reply, up to the thread cap ({cap:,} messages)", f"{took:.1f} ms each")
        loads = sorted(timed(lambda: service.get(cid)) for _ in range(50))
        verdicts.info("get with the thread at its cap", f"median {statistics.median(loads):.1f} ms")
    finally:
        store.close()


if __name__ == "__main__":
    sys.exit(main())
