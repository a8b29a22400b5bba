"""
Benchmark of the lifecycle core: ``decide`` + ``evolve`` per command, next to transitions.

Each complaint lives the life of ``_workload.py``: submitted, forwarded, passed down to a
unit, followed up, replied to and closed, under the national profile (its SLA clocks
included) with the East Kalimantan agency tree: six commands, six events. The script
prints, in one run:

- ``decide`` + ``evolve`` per command, through ``lapor_core``'s public functions;
- side by side, a ``transitions.Machine`` (states: the statuses; transitions: the ones the
  script fires, as the lifecycle table states them) firing the same transitions for one
  model, one ``trigger`` per command;
- as information: ``replay`` per event (what a load folds) and the memory a complaint's
  final state holds besides its free text.

The ratio ``decide + evolve / transitions`` is printed as ``[info]``, never judged, and
never changes the exit status. Issue 12 asks to keep it under 1x *if plain code allows*
and says that otherwise plain code wins and ``docs/performance.md`` says what it costs:
it is a figure to watch, not a bound the core may be made harder to read for. The line
says whether it is under 1x. The guards (``[PASS]``/``[FAIL]``) are the figures a user
feels; they live in ``bench_storage.py`` and ``bench_simulate.py``.

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

from transitions import Machine

import lapor_core as lc
from _guards import Verdicts
from _workload import T0, Step, context, life

DECIDE = "decide + evolve, per command"
MACHINE = "transitions.Machine trigger, per command"
REPLAY = "replay (evolve folded over a stream), per event"
NEW = "new"  # the Machine's state before a complaint exists


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


def _count_instructions(labels: list[str], complaints: int) -> dict[str, float]:
    """Instructions per operation of each workload, printed as they come."""
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
    return per_op


def _report(cost: dict[str, float], unit: str, per_complaint: float | None = None) -> None:
    """Print the side-by-side ratio and the information lines."""
    ratio = cost[DECIDE] / cost[MACHINE]
    verdict = "under 1x" if ratio < 1 else "not under 1x: plain code wins"
    Verdicts.info(
        "decide + evolve / transitions trigger (kept under 1x if plain code allows)",
        f"{ratio:.2f}x {unit} ({verdict})",
    )
    if per_complaint is not None:
        Verdicts.info("memory per complaint (final state, texts shared)", f"{per_complaint:.0f} B")


Fired = list[tuple[str, str, str]]
"""The transitions a life fires: (command name, status before, status after)."""


def _record(scripts: list[list[Step]], ctx: lc.Context) -> tuple[list[list[lc.Event]], Fired]:
    """One untimed run: each complaint's events, and the transitions the script fires."""
    streams: list[list[lc.Event]] = []
    fired: Fired = []
    for script in scripts:
        state: lc.Complaint | None = None
        stream: list[lc.Event] = []
        for index, (actor, command, offset) in enumerate(script):
            source = NEW if state is None else state.status.value
            for event in lc.decide(state, command, actor, T0 + offset, ctx):
                state = lc.evolve(state, event)
                stream.append(event)
            assert state is not None  # noqa: S101 - decide returned at least one event
            step = (type(command).__name__, source, state.status.value)
            if len(fired) == index:
                fired.append(step)
            assert step == fired[index]  # noqa: S101 - every complaint goes the same way
        streams.append(stream)
    return streams, fired


def _workloads(
    scripts: list[list[Step]], streams: list[list[lc.Event]], fired: Fired, ctx: lc.Context
) -> dict[str, Callable[[], int]]:
    """The measured workloads; each returns how many operations it did."""
    commands = sum(len(s) for s in scripts)
    n_events = sum(len(s) for s in streams)

    def decide_evolve() -> int:
        for script in scripts:
            state: lc.Complaint | None = None
            for actor, command, offset in script:
                for event in lc.decide(state, command, actor, T0 + offset, ctx):
                    state = lc.evolve(state, event)
        return commands

    def replay_streams() -> int:
        for stream in streams:
            lc.replay(stream)
        return n_events

    fire_machine = _machine(fired, repeat=len(scripts))
    return {DECIDE: decide_evolve, MACHINE: fire_machine, REPLAY: replay_streams}


def _machine(fired: Fired, repeat: int) -> Callable[[], int]:
    """A ``transitions.Machine`` firing the same transitions, *repeat* lives of one model."""

    class Model:
        state = NEW

    machine = Machine(
        model=None,
        states=[NEW, *(s.value for s in lc.Status)],
        initial=NEW,
        auto_transitions=False,
    )
    for trigger, source, target in dict.fromkeys(fired):
        machine.add_transition(trigger, source, target)
    model = Model()
    machine.add_model(model)
    triggers = [trigger for trigger, _, _ in fired]

    def fire_machine() -> int:
        for _ in range(repeat):
            model.state = NEW
            for trigger in triggers:
                model.trigger(trigger)  # type: ignore[attr-defined]
        return repeat * len(triggers)

    return fire_machine


def _memory_per_complaint(streams: list[list[lc.Event]]) -> float:
    """Bytes a complaint's final state holds, its events' free text shared."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    kept = [lc.replay(stream) for stream in streams]
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    return sum(stat.size_diff for stat in after.compare_to(before, "filename")) / len(kept)


def main() -> int:
    """Run the benchmark; 0 always (nothing here is a guard, see the docstring)."""
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

    ctx = context()
    scripts = [life(lc.ComplaintId(f"c-{i}"), ctx.registry) for i in range(n)]
    streams, fired = _record(scripts, ctx)
    workloads = _workloads(scripts, streams, fired, ctx)
    if args.measure is not None:
        # One workload, args.rounds times, for an instruction count (see --instructions).
        work = list(workloads.values())[args.measure]
        ops = 0
        for _ in range(args.rounds):
            ops = work()
        print(f"operations per round: {ops}")
        return 0
    if args.instructions:
        _report(_count_instructions(list(workloads), n), "in instructions")
        return 0
    repeats = 2 if args.smoke else 5
    results = {label: _best(work, repeats) for label, work in workloads.items()}
    per_complaint = _memory_per_complaint(streams)
    commands = sum(len(s) for s in scripts)
    events = sum(len(s) for s in streams)
    print(f"lifecycle benchmark: {n} complaints, {commands} commands, {events} events")
    for label, seconds in results.items():
        print(f"  {label:<50} {seconds * 1e6:9.2f} us")
    _report(results, "wall time", per_complaint)
    return Verdicts(smoke=args.smoke).exit_status()


if __name__ == "__main__":
    sys.exit(main())
