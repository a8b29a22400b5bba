"""
Mutation testing of the domain and the service, module by module (run by hand).

Each module is mutated with mutmut (configured under ``[tool.mutmut]`` in
``pyproject.toml``; install the ``mutation`` extra) in a scratch copy of the project, and
only the tests that cover it are run against each mutant. One row per module is printed:
mutants, killed, survived, timeouts and other outcomes, and the time taken; then the
survivors, by name (``mutmut show NAME`` in the scratch copy, kept with ``--keep``,
shows the change).

    python bench/mutation.py                      # every module of MODULES
    python bench/mutation.py clocks disposition   # some of them
    python bench/mutation.py --smoke              # CI's guard (see below)

``--smoke`` mutates the disposition rules only and fails when a mutant named in the
committed baseline (``bench/mutation_baseline/disposition.txt``, the mutants killed
before) is not killed now, or no longer exists (the module changed: refresh it with
``--update-baseline`` after checking the new survivors). It is not named ``bench_*.py``
on purpose: the benchmarks' smoke step runs those, and this is a step of its own.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINES = ROOT / "bench" / "mutation_baseline"
SMOKE_MODULE = "disposition"

#: The modules mutated, each with the test files that cover it (relative to the root).
MODULES: dict[str, tuple[str, tuple[str, ...]]] = {
    "disposition": (
        "src/lapor_core/domain/disposition.py",
        (
            "tests/test_disposition.py",
            "tests/test_decree_and_category.py",
        ),
    ),
    "clocks": (
        "src/lapor_core/domain/clocks.py",
        (
            "tests/test_clocks.py",
            "tests/test_clock_functions.py",
            "tests/test_warning_instants.py",
            "tests/test_scoped_overrides.py",
        ),
    ),
    "privacy": (
        "src/lapor_core/domain/privacy.py",
        (
            "tests/test_privacy_roles.py",
            "tests/test_privacy_property.py",
            "tests/test_privacy_outputs.py",
        ),
    ),
    "table": (
        "src/lapor_core/domain/table.py",
        (
            "tests/test_lifecycle_table.py",
            "tests/test_table_drives.py",
            "tests/test_statutory_decision.py",
        ),
    ),
    "lifecycle": (
        "src/lapor_core/domain/lifecycle.py",
        (
            "tests/test_lifecycle_table.py",
            "tests/test_table_drives.py",
            "tests/test_complaint.py",
            "tests/test_lifecycle_outputs.py",
        ),
    ),
    "decision": (
        "src/lapor_core/domain/decision.py",
        (
            "tests/test_complaint.py",
            "tests/test_statutory_decision.py",
            "tests/test_lifecycle_table.py",
            "tests/test_privacy_roles.py",
            "tests/test_text_rules.py",
            "tests/test_thread_cap.py",
            "tests/test_error_templates.py",
            "tests/test_error_boundary.py",
            "tests/test_disposition.py",
            "tests/test_decree_and_category.py",
            "tests/test_agencies_actors.py",
            "tests/test_decision_mutants.py",
        ),
    ),
    "evolution": (
        "src/lapor_core/domain/evolution.py",
        (
            "tests/test_complaint.py",
            "tests/test_clocks.py",
            "tests/test_evolution_fields.py",
        ),
    ),
    "calendar": (
        "src/lapor_core/domain/calendar.py",
        (
            "tests/test_calendar.py",
            "tests/test_calendar_provisional.py",
            "tests/test_scoped_overrides.py",
            "tests/test_clock_functions.py",
            "tests/test_warning_instants.py",
            "tests/test_calendar_refusals.py",
        ),
    ),
    "clock_commands": (
        "src/lapor_core/domain/clock_commands.py",
        (
            "tests/test_clocks.py",
            "tests/test_clock_functions.py",
            "tests/test_warning_instants.py",
            "tests/test_decision_mutants.py",
            "tests/test_statutory_decision.py",
            "tests/test_text_rules.py",
            "tests/test_clock_command_refusals.py",
        ),
    ),
    "scope": (
        "src/lapor_core/domain/scope.py",
        (
            "tests/test_agencies_actors.py",
            "tests/test_complaint.py",
            "tests/test_decision_mutants.py",
            "tests/test_lifecycle_table.py",
            "tests/test_privacy_roles.py",
            "tests/test_scope_refusals.py",
        ),
    ),
    "actors": (
        "src/lapor_core/domain/actors.py",
        (
            "tests/test_agencies_actors.py",
            "tests/test_actors_mutants.py",
        ),
    ),
    "agencies": (
        "src/lapor_core/domain/agencies.py",
        (
            "tests/test_agencies_actors.py",
            "tests/test_regions.py",
            "tests/test_registry_parent.py",
            "tests/test_config_files.py",
            "tests/test_agencies_mutants.py",
        ),
    ),
    "regions": (
        "src/lapor_core/domain/regions.py",
        (
            "tests/test_regions.py",
            "tests/test_registry_parent.py",
            "tests/test_regions_mutants.py",
        ),
    ),
    "model": (
        "src/lapor_core/domain/model.py",
        (
            "tests/test_model.py",
            "tests/test_location_media.py",
            "tests/interop/test_open311.py",
            "tests/test_model_mutants.py",
        ),
    ),
    "_validators": (
        "src/lapor_core/domain/_validators.py",
        (
            "tests/test_text_rules.py",
            "tests/test_location_media.py",
            "tests/test_model.py",
            "tests/test_validators_mutants.py",
        ),
    ),
    "commands": (
        "src/lapor_core/domain/commands.py",
        (
            "tests/test_complaint.py",
            "tests/test_text_rules.py",
            "tests/test_commands_mutants.py",
        ),
    ),
    "state": (
        "src/lapor_core/domain/state.py",
        (
            "tests/test_complaint.py",
            "tests/test_statutory_decision.py",
            "tests/test_stateful_public.py",
        ),
    ),
    "transition": (
        "src/lapor_core/domain/transition.py",
        (
            "tests/test_table_drives.py",
            "tests/test_check.py",
            "tests/test_transition_mutants.py",
        ),
    ),
    "context": (
        "src/lapor_core/domain/context.py",
        (
            "tests/test_decision_mutants.py",
            "tests/test_clocks.py",
            "tests/test_scoped_overrides.py",
            "tests/test_context_mutants.py",
        ),
    ),
    "check": (
        "src/lapor_core/domain/check.py",
        (
            "tests/test_check.py",
            "tests/test_scoped_overrides.py",
            "tests/test_dated_rules.py",
            "tests/test_check_mutants.py",
        ),
    ),
    "calendar_data": (
        "src/lapor_core/domain/calendar_data.py",
        (
            "tests/test_calendar.py",
            "tests/test_calendar_refusals.py",
            "tests/test_calendar_provisional.py",
            "tests/test_calendar_data_mutants.py",
        ),
    ),
    "calendar_explain": (
        "src/lapor_core/domain/calendar_explain.py",
        (
            "tests/test_calendar.py",
            "tests/test_calendar_provisional.py",
            "tests/test_calendar_explain_mutants.py",
        ),
    ),
    "calendar_overrides": (
        "src/lapor_core/domain/calendar_overrides.py",
        (
            "tests/test_calendar.py",
            "tests/test_scoped_overrides.py",
            "tests/test_config_files.py",
            "tests/test_profile_extend.py",
            "tests/test_calendar_overrides_mutants.py",
        ),
    ),
    "_config": (
        "src/lapor_core/domain/_config.py",
        (
            "tests/test_config_files.py",
            "tests/test_calendar.py",
            "tests/test_profile_extend.py",
            "tests/test_profile.py",
            "tests/test_clocks.py",
            "tests/test_config_mutants.py",
        ),
    ),
    "profile": (
        "src/lapor_core/domain/profile.py",
        (
            "tests/test_profile.py",
            "tests/test_profile_extend.py",
            "tests/test_dated_rules.py",
            "tests/test_profile_files.py",
            "tests/test_profile_basis.py",
            "tests/test_profile_mutants.py",
        ),
    ),
    "profile_config": (
        "src/lapor_core/domain/profile_config.py",
        (
            "tests/test_dated_rules.py",
            "tests/test_config_files.py",
            "tests/test_profile.py",
            "tests/test_profile_extend.py",
            "tests/test_profile_files.py",
            "tests/test_error_translations.py",
            "tests/test_profile_config_mutants.py",
        ),
    ),
    "profile_merge": (
        "src/lapor_core/domain/profile_merge.py",
        (
            "tests/test_profile_extend.py",
            "tests/test_profile.py",
            "tests/test_profile_merge_mutants.py",
        ),
    ),
    "profile_rules": (
        "src/lapor_core/domain/profile_rules.py",
        (
            "tests/test_dated_rules.py",
            "tests/test_profile_extend.py",
            "tests/test_profile_rules_mutants.py",
        ),
    ),
    "service": (
        "src/lapor_core/service.py",
        (
            "tests/test_service.py",
            "tests/test_service_races.py",
            "tests/test_snapshots.py",
            "tests/test_privacy_roles.py",
            "tests/test_clocks.py",
            "tests/test_indicator_split.py",
            "tests/test_calendar_provisional.py",
            "tests/storage/test_poison_streams.py",
            "tests/test_service_histories.py",
            "tests/test_service_settings.py",
            "tests/test_service_mutants.py",
        ),
    ),
}

#: What the scratch copy holds: the code, the tests and what the tests read.
COPIED = ("src", "tests", "docs", "bench", "pyproject.toml", "README.md", "CHANGELOG.md")
COPIED_IF_PRESENT = ("mkdocs.yml", "babel.cfg")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis", "*.egg-info")

_RESULT = re.compile(r"^\s*(?P<name>\S+__mutmut_\d+): (?P<status>.+?)\s*$")
_KILLED = frozenset({"killed", "caught by type check"})


@dataclass
class ModuleResult:
    """The outcome of one module's mutants."""

    module: str
    seconds: float
    status_by_mutant: dict[str, str] = field(default_factory=dict)

    def count(self, *statuses: str) -> int:
        """How many mutants ended in one of *statuses*."""
        return sum(1 for status in self.status_by_mutant.values() if status in statuses)

    @property
    def killed(self) -> set[str]:
        """The names of the killed mutants."""
        return {name for name, status in self.status_by_mutant.items() if status in _KILLED}

    @property
    def survivors(self) -> list[str]:
        """The names of the surviving mutants, sorted."""
        return sorted(n for n, s in self.status_by_mutant.items() if s == "survived")

    def row(self) -> str:
        """The module's row of the results table (Markdown)."""
        total = len(self.status_by_mutant)
        killed = self.count(*_KILLED)
        survived = self.count("survived")
        timeouts = self.count("timeout")
        other = total - killed - survived - timeouts
        return (
            f"| `{self.module}` | {total} | {killed} | {survived} | {timeouts} | {other} "
            f"| {self.seconds:.0f} s |"
        )


def _scratch_copy(target: Path, source_file: str, tests: tuple[str, ...]) -> None:
    """Copy the project into *target*, its mutmut settings narrowed to one module."""
    for name in COPIED + COPIED_IF_PRESENT:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, target / name, ignore=IGNORED)
        elif path.exists():
            shutil.copy2(path, target / name)
    pyproject = target / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    for key, value in (
        ("only_mutate", [source_file]),
        ("pytest_add_cli_args_test_selection", list(tests)),
    ):
        text, found = re.subn(
            rf"^{key} = .*$", f"{key} = {json.dumps(value)}", text, count=1, flags=re.MULTILINE
        )
        if not found:
            raise SystemExit(f"pyproject.toml: [tool.mutmut] has no {key}")
    pyproject.write_text(text, encoding="utf-8")


def _module_name(source_file: str) -> str:
    return source_file.removeprefix("src/").removesuffix(".py").replace("/", ".")


def run_module(module: str, *, max_children: int, keep: Path | None) -> ModuleResult:
    """Mutate *module* in a scratch copy and return every mutant's outcome."""
    source_file, tests = MODULES[module]
    if keep is not None and keep.exists():
        raise SystemExit(f"--keep {keep}: it exists (give a new directory)")
    scratch = keep or Path(tempfile.mkdtemp(prefix=f"mutation-{module}-"))
    scratch.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "HYPOTHESIS_PROFILE": "mutation", "PYTHONDONTWRITEBYTECODE": "1"}
    mutmut = [sys.executable, "-m", "mutmut"]
    try:
        _scratch_copy(scratch, source_file, tests)
        started = time.perf_counter()
        with (scratch / "mutmut-run.log").open("wb") as log:
            subprocess.run(  # noqa: S603 - our own interpreter, our own arguments
                [
                    *mutmut,
                    "run",
                    "--max-children",
                    str(max_children),
                    f"{_module_name(source_file)}.*",
                ],
                cwd=scratch,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                check=True,
            )
        seconds = time.perf_counter() - started
        listing = subprocess.run(  # noqa: S603 - our own interpreter, our own arguments
            [*mutmut, "results", "--all", "true"],
            cwd=scratch,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        if keep is None:
            shutil.rmtree(scratch, ignore_errors=True)
    prefix = _module_name(source_file) + "."
    result = ModuleResult(module, seconds)
    for line in listing.splitlines():
        match = _RESULT.match(line)
        if match and match["name"].startswith(prefix):
            result.status_by_mutant[match["name"]] = match["status"]
    if not result.status_by_mutant:
        raise SystemExit(f"{module}: mutmut reported no mutants (see mutmut-run.log, --keep)")
    return result


def _baseline_path(module: str) -> Path:
    return BASELINES / f"{module}.txt"


def check_baseline(result: ModuleResult) -> list[str]:
    """The problems with *result* against its module's committed baseline of killed mutants."""
    path = _baseline_path(result.module)
    if not path.exists():
        return [f"no baseline {path.relative_to(ROOT)}: create it with --update-baseline"]
    expected = [line for line in path.read_text(encoding="utf-8").splitlines() if line]
    problems = []
    for name in expected:
        status = result.status_by_mutant.get(name)
        if status is None:
            problems.append(f"{name}: no longer exists (the module changed: refresh the baseline)")
        elif name not in result.killed:
            problems.append(f"{name}: killed before, {status} now")
    return problems


def write_baseline(result: ModuleResult) -> Path:
    """Write the names of *result*'s killed mutants as its module's baseline."""
    path = _baseline_path(result.module)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{name}\n" for name in sorted(result.killed)), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    """Run the mutation tests asked for; print the table; check or write baselines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1] if __doc__ else None)
    parser.add_argument("modules", nargs="*", metavar="MODULE", help=", ".join(MODULES))
    parser.add_argument("--smoke", action="store_true", help="the disposition rules vs baseline")
    parser.add_argument("--update-baseline", action="store_true", help="write the baselines")
    parser.add_argument("--max-children", type=int, default=1, help="mutmut workers (1)")
    parser.add_argument("--keep", type=Path, help="keep the scratch copy in this new directory")
    args = parser.parse_args(argv)
    modules = [SMOKE_MODULE] if args.smoke else (args.modules or list(MODULES))
    unknown = sorted(set(modules) - set(MODULES))
    if unknown:
        parser.error(f"unknown modules: {', '.join(unknown)} (known: {', '.join(MODULES)})")
    if args.keep is not None and len(modules) != 1:
        parser.error("--keep takes one module")
    print("| module | mutants | killed | survived | timeouts | other | time |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    results = []
    for module in modules:
        result = run_module(module, max_children=args.max_children, keep=args.keep)
        results.append(result)
        print(result.row(), flush=True)
    for result in results:
        for name in result.survivors:
            print(f"survived: {name}")
    failed = False
    for result in results:
        if args.update_baseline:
            print(f"baseline written: {write_baseline(result).relative_to(ROOT)}")
        elif args.smoke:
            problems = check_baseline(result)
            for problem in problems:
                print(f"mutation smoke: {problem}", file=sys.stderr)
            failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
