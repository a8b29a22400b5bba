"""
Benchmark of the lifecycle core: decide + evolve per command, evolve per event, memory.

Prints, in one run, next to two references:

- the floor: a plain ``{(status, command): target}`` dict lookup per command;
- a shared ``transitions.Machine`` (one per profile, as the library builds it) firing the
  same transitions for one model;

and what any new immutable state costs: building one ``Complaint`` (and an 11-tuple), and
the least immutable evolve (dispatch on the event type, build one ``Complaint``, record
nothing). It then judges the targets of ``docs/performance.md``, which says why ``evolve``
is measured against the floor plus one new ``Complaint``.

Wall time on a shared machine moves by a fifth or more between runs. ``--instructions``
counts instructions instead, with valgrind's callgrind (if it is installed): it runs each
workload once and three times under it and divides the difference by the operations, so
the ratios are the same on every run.

Usage: ``python bench/bench_lifecycle.py [--complaints N] [--smoke] [--instructions]``.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import shutil
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import attrs
from transitions import Machine

import lapor_core as lc
from lapor_core.domain._fast import builder
from lapor_core.domain.lifecycle import Lifecycle

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)
CONTENT = lc.Content(title="Jalan berlubang", body="Jalan di depan pasar berlubang besar.")
REPORTER = lc.Reporter(id="pelapor", name="Siti")
CHANNEL = lc.Channel(lc.ChannelType.WEB)
REGION = lc.RegionCode("64.72")
CATEGORY = lc.Category("infrastruktur")

DECIDE = "decide + evolve, per command"
DECIDE_BARE = "decide + evolve without clocks, per command"
EVOLVE = "evolve alone, per event"
EVOLVE_BARE = "evolve alone without clocks, per event"
REPLAY = "replay (evolve folded over a stream), per event"
LEAST = "  reference: least immutable evolve, per event"
ONE_COMPLAINT = "  reference: build one Complaint (11 fields)"
ONE_TUPLE = "  reference: build one 11-tuple"
FLOOR = "floor: dict lookup, per command"
MACHINE = "transitions.Machine.trigger, per command"


def _script(cid: lc.ComplaintId, ctx: lc.Context) -> list[tuple[lc.Actor, lc.Command, timedelta]]:
    registry = ctx.registry
    admin = lc.make_agency_actor(registry, "adm", lc.Role.AGENCY_ADMIN, "samarinda")
    liaison = lc.make_agency_actor(
        registry, "lo", lc.Role.LIAISON_OFFICER, "samarinda.dishub.penghubung"
    )
    reporter = lc.Actor.reporter(REPORTER.id)
    national = lc.Actor.national_admin("nas")
    return [
        (
            reporter,
            lc.Submit(
                complaint_id=cid,
                content=CONTENT,
                kind=lc.Kind.COMPLAINT,
                reporter=REPORTER,
                channel=CHANNEL,
                region=REGION,
                category=CATEGORY,
            ),
            timedelta(0),
        ),
        (national, lc.Forward(complaint_id=cid, agencies=("samarinda",)), timedelta(hours=20)),
        (
            admin,
            lc.ForwardInternally(
                complaint_id=cid, agency="samarinda", to="samarinda.dishub.penghubung"
            ),
            timedelta(hours=30),
        ),
        (
            liaison,
            lc.PostFollowUp(complaint_id=cid, agency="samarinda", text="Sudah diperbaiki."),
            timedelta(days=2),
        ),
        (reporter, lc.Reply(complaint_id=cid, text="Terima kasih."), timedelta(days=3)),
        (admin, lc.Close(complaint_id=cid), timedelta(days=4)),
    ]


def _best(fn: Callable[[], int], repeats: int) -> float:
    """Best seconds per operation over *repeats* runs (fn returns its op count)."""
    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        ops = fn()
        best = min(best, (time.perf_counter() - start) / ops)
    return best


def _instructions(valgrind: str, index: int, rounds: int, complaints: int) -> tuple[int, int]:
    """Instructions callgrind counts for workload *index* run *rounds* times, and its ops."""
    run = subprocess.run(  # noqa: S603 - our own script under valgrind
        [
            valgrind,
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            __file__,
            "--complaints",
            str(complaints),
            "--measure",
            str(index),
            "--rounds",
            str(rounds),
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},  # the same dict layouts every run
    )
    found = re.search(r"Collected : (\d+)", run.stderr)
    ops = re.search(r"operations per round: (\d+)", run.stdout)
    if found is None or ops is None:
        msg = f"callgrind printed no count: {run.stderr[-500:]}"
        raise RuntimeError(msg)
    return int(found.group(1)), int(ops.group(1))


def _count_instructions(labels: list[str], complaints: int) -> None:
    """Print instructions per operation of each workload, and the targets' ratios."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        sys.exit("--instructions needs valgrind (e.g. apt-get install valgrind)")
    per_op: dict[str, float] = {}
    print(f"lifecycle benchmark, instructions (callgrind): {complaints} complaints")
    # Counts do not depend on what else runs, so the runs share the cores.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        counts = {
            (index, rounds): pool.submit(_instructions, valgrind, index, rounds, complaints)
            for index in range(len(labels))
            for rounds in (1, 3)
        }
        for index, label in enumerate(labels):
            (once, ops), (thrice, _) = counts[index, 1].result(), counts[index, 3].result()
            per_op[label] = (thrice - once) / (2 * ops)  # setup and start-up cancel out
            print(f"  {label:<50} {per_op[label]:9.0f} instructions")
    _verdict(per_op)


def _verdict(cost: dict[str, float], per_complaint: float | None = None) -> None:
    """Print the ratios and the targets, from each workload's cost per operation."""
    floor = cost[FLOOR]
    machine = cost[MACHINE]
    # The least any evolve of an immutable state does: the floor's lookup, and one new
    # state object.
    immutable = floor + cost[ONE_COMPLAINT]
    ratios = {
        "decide + evolve without clocks / machine trigger": cost[DECIDE_BARE] / machine,
        "decide + evolve (SLA clocks too) / machine trigger": cost[DECIDE] / machine,
        "evolve / floor": cost[EVOLVE] / floor,
        "least immutable evolve (reference) / floor": cost[LEAST] / floor,
        "one Complaint object / floor": cost[ONE_COMPLAINT] / floor,
        "evolve without clocks / (floor + one Complaint)": cost[EVOLVE_BARE] / immutable,
        "evolve (SLA clocks too) / (floor + one Complaint)": cost[EVOLVE] / immutable,
    }
    for label, ratio in ratios.items():
        print(f"  {label:<52} {ratio:6.2f}x")
    if per_complaint is not None:
        print(f"  {'memory per complaint (final state, texts shared)':<52} {per_complaint:6.0f} B")

    def judged(ok: bool) -> str:  # noqa: FBT001 - a verdict
        return "PASS" if ok else "FAIL"

    print("  targets (docs/performance.md):")
    print(f"    [{judged(cost[DECIDE_BARE] < machine)}] decide + evolve cheaper than transitions")
    if per_complaint is not None:
        print(f"    [{judged(per_complaint < 2048)}] under 2 KB per complaint")
    print(
        f"    [{judged(cost[EVOLVE_BARE] <= 5 * immutable)}] evolve without clocks "
        "within 5x of the floor plus one new Complaint"
    )
    print(
        f"    [{judged(cost[EVOLVE] <= 5 * floor)}] as first set, evolve within 5x of the "
        "floor (out of reach for an immutable state: see the least immutable evolve)"
    )


def main() -> None:  # noqa: C901, PLR0915 - a linear benchmark script
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--complaints", type=int, default=2_000)
    parser.add_argument("--smoke", action="store_true", help="small run for CI")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count instructions under valgrind's callgrind instead of timing",
    )
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    n = 200 if args.smoke else args.complaints
    if args.instructions and args.complaints == parser.get_default("complaints"):
        n = 100  # callgrind runs some 50 times slower
    repeats = 2 if args.smoke else 5

    profile = lc.load_profile("national")
    registry = lc.load_registry("kaltim")
    ctx = lc.Context.create(profile, registry)
    # The same lifecycle without SLA clocks: what a transitions.Machine compares with.
    bare_ctx = lc.Context.create(attrs.evolve(profile, clocks={}), registry, ctx.calendar)
    scripts = [_script(lc.ComplaintId(f"c-{i}"), ctx) for i in range(n)]
    commands = sum(len(s) for s in scripts)

    def run(context: lc.Context) -> int:
        for script in scripts:
            state: lc.Complaint | None = None
            for actor, command, offset in script:
                for event in lc.decide(state, command, actor, T0 + offset, context):
                    state = lc.evolve(state, event)
        return commands

    def decide_evolve() -> int:
        return run(ctx)

    def decide_evolve_bare() -> int:
        return run(bare_ctx)

    def record(context: lc.Context) -> list[list[lc.Event]]:
        streams: list[list[lc.Event]] = []
        for script in scripts:
            state = None
            stream: list[lc.Event] = []
            for actor, command, offset in script:
                for event in lc.decide(state, command, actor, T0 + offset, context):
                    state = lc.evolve(state, event)
                    stream.append(event)
            streams.append(stream)
        return streams

    streams = record(ctx)
    bare_streams = record(bare_ctx)
    n_events = sum(len(s) for s in streams)
    assert n_events == sum(len(s) for s in bare_streams)  # noqa: S101 - same lifecycle

    def evolve_all(of: list[list[lc.Event]]) -> int:
        for stream in of:
            state = None
            for event in stream:
                state = lc.evolve(state, event)
        return n_events

    def evolve_only() -> int:
        return evolve_all(streams)

    def evolve_only_bare() -> int:
        return evolve_all(bare_streams)

    def replay_streams() -> int:
        for stream in streams:
            lc.replay(stream)
        return n_events

    # What any immutable state costs: building one frozen Complaint (11 fields) by the
    # fastest path the library has, and, below that, a tuple of the same 11 values.
    last = lc.replay(streams[0])
    values = attrs.astuple(last, recurse=False)
    build = builder(lc.Complaint)

    def one_state_object() -> int:
        for _ in range(n_events):
            build(*values)
        return n_events

    # A call that builds a new 11-tuple, as ``build`` builds a new Complaint.
    names_11 = ", ".join(f"v{i}" for i in range(len(values)))
    make_tuple = eval(f"lambda {names_11}: ({names_11},)")  # noqa: S307 - our own source

    def one_tuple() -> int:
        for _ in range(n_events):
            make_tuple(*values)
        return n_events

    # The least an evolve of this state can do: dispatch on the event type and build the
    # next Complaint with a new version and time, recording nothing the event says.
    def least_step(old: lc.Complaint, event: lc.Event) -> lc.Complaint:
        return build(
            old.id,
            old.version + 1,
            old.status,
            event.at,
            old.info,
            old.router,
            old.assignments,
            old.held_from,
            old.thread,
            old.clocks,
            old.record,
        )

    least_steps = {type(event): least_step for stream in streams for event in stream}

    def least_evolve_all() -> int:
        for stream in streams:
            state = last
            for event in stream:
                state = least_steps[type(event)](state, event)
        return n_events

    lifecycle = Lifecycle(profile)
    names = [(type(cmd).__name__) for _, cmd, _ in scripts[0]]
    floor_table = {
        (row.source.value if row.source else "new", row.command.__name__): row.targets[0].value
        for row in lifecycle.rows
    }

    def floor() -> int:
        for _ in range(n):
            status = "new"
            for name in names:
                status = floor_table[(status, name)]
        return commands

    class Model:
        state = "new"

    machine = Machine(
        model=None,
        states=["new", *(s.value for s in lc.Status)],
        initial="new",
        auto_transitions=False,
    )
    for row in lifecycle.rows:
        machine.add_transition(
            row.command.__name__,
            row.source.value if row.source else "new",
            row.targets[0].value,
        )
    model = Model()
    machine.add_model(model)

    def fire_machine() -> int:
        for _ in range(n):
            model.state = "new"
            for name in names:
                model.trigger(name)  # type: ignore[attr-defined]
        return commands

    workloads: dict[str, Callable[[], int]] = {
        DECIDE: decide_evolve,
        DECIDE_BARE: decide_evolve_bare,
        EVOLVE: evolve_only,
        EVOLVE_BARE: evolve_only_bare,
        REPLAY: replay_streams,
        LEAST: least_evolve_all,
        ONE_COMPLAINT: one_state_object,
        ONE_TUPLE: one_tuple,
        FLOOR: floor,
        MACHINE: fire_machine,
    }
    if args.measure is not None:
        # One workload, args.rounds times, for an instruction count (see --instructions).
        work = list(workloads.values())[args.measure]
        ops = 0
        for _ in range(args.rounds):
            ops = work()
        print(f"operations per round: {ops}")
        return
    if args.instructions:
        _count_instructions(list(workloads), n)
        return
    results = {label: _best(work, repeats) for label, work in workloads.items()}

    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    kept = []
    for stream in streams:
        state = None
        for event in stream:
            state = lc.evolve(state, event)
        kept.append(state)
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    held = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    per_complaint = held / len(kept)

    print(f"lifecycle benchmark: {n} complaints, {commands} commands, {n_events} events")
    for label, seconds in results.items():
        print(f"  {label:<50} {seconds * 1e6:9.2f} us")
    _verdict(results, per_complaint)


if __name__ == "__main__":
    main()
