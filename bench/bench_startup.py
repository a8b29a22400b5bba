"""
Start-up benchmark: what a process pays before its first command.

    python bench/bench_startup.py [--smoke] [--repeats N]

Each figure is the best of ``--repeats`` (default 7) fresh interpreters, so that nothing
is cached in the process: what a CLI command, a worker that starts, or a test session
pays once. Guards (``[PASS]``/``[FAIL]``; the policy is in ``_guards.py``):

- ``import lapor_core`` under 400 ms, and without ``asyncio`` (an import the core never
  needs: only drawing the lifecycle diagram and the web extra use it);
- a ``ComplaintService`` built again on the same profile and registry (a second service
  in one process, a test's fixture) under 5 ms: calendars with the same settings share
  their day table, and the lifecycle's query machine is a plain ``transitions`` one.

Information (``[info]``): the first ``ComplaintService`` of a process (profile and
registry loaded, the day table built) and ``lapor-core --version`` (the CLI's start-up).
``--smoke`` runs 2 repeats, where a guard that does not hold is a ``[MISS]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from _guards import Verdicts

IMPORT_MS = 400.0
SERVICE_MS = 5.0

# Run in a fresh interpreter: one JSON line of timings in milliseconds.
PROBE = """
import json, sys, time
start = time.perf_counter()
import lapor_core as lc
imported = time.perf_counter()
from lapor_core.storage import InMemoryStore
profile, registry = lc.load_profile("kaltim"), lc.load_registry("kaltim")
lc.ComplaintService(InMemoryStore(), profile, registry)
first = time.perf_counter()
lc.ComplaintService(InMemoryStore(), profile, registry)
again = time.perf_counter()
print(json.dumps({
    "import": (imported - start) * 1e3,
    "first": (first - imported) * 1e3,
    "again": (again - first) * 1e3,
    "asyncio": "asyncio" in sys.modules,
}))
"""


def probe() -> dict[str, float | bool]:
    """One fresh interpreter's timings."""
    found = subprocess.run(  # noqa: S603 - our own interpreter and probe
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    )
    result: dict[str, float | bool] = json.loads(found.stdout.splitlines()[-1])
    return result


def cli_ms() -> float:
    """Wall milliseconds of ``lapor-core --version`` in a fresh interpreter."""
    timer = (
        "import subprocess, sys, time; s = time.perf_counter(); "
        "subprocess.run([sys.executable, '-m', 'lapor_core', '--version'], check=True, "
        "capture_output=True); print((time.perf_counter() - s) * 1e3)"
    )
    found = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", timer], capture_output=True, text=True, check=True
    )
    return float(found.stdout.strip())


def main(argv: list[str] | None = None) -> int:
    """Run the probes; the exit status follows ``_guards.py``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[1])
    parser.add_argument("--smoke", action="store_true", help="2 repeats, never fails")
    parser.add_argument("--repeats", type=int, default=7, help="fresh interpreters (7)")
    args = parser.parse_args(argv)
    repeats = 2 if args.smoke else args.repeats
    verdicts = Verdicts(smoke=args.smoke)
    runs = [probe() for _ in range(repeats)]
    best = {key: min(float(run[key]) for run in runs) for key in ("import", "first", "again")}
    print(f"start-up ({repeats} fresh interpreters, best of each; {Path(sys.executable).name})")
    verdicts.guard(
        f"import lapor_core < {IMPORT_MS:.0f} ms",
        best["import"] < IMPORT_MS,
        f"{best['import']:.0f} ms",
    )
    loaded = sorted({bool(run["asyncio"]) for run in runs})
    verdicts.guard(
        "import lapor_core without asyncio", loaded == [False], f"asyncio loaded: {loaded}"
    )
    verdicts.info(
        "the first ComplaintService (profile, registry, calendar)", f"{best['first']:.1f} ms"
    )
    verdicts.guard(
        f"another ComplaintService < {SERVICE_MS:.0f} ms",
        best["again"] < SERVICE_MS,
        f"{best['again']:.2f} ms",
    )
    verdicts.info("lapor-core --version", f"{min(cli_ms() for _ in range(repeats)):.0f} ms")
    return verdicts.exit_status()


if __name__ == "__main__":
    sys.exit(main())
