"""
Our own stateful tests, run through the public machine on both bundled profiles and every store.

Memory: a new store per example. SQLite: a new file per example (in the test's temporary
directory). PostgreSQL (when ``LAPOR_TEST_POSTGRES_DSN`` is set): one schema per test,
emptied with ``TRUNCATE`` before each example, and fewer examples to keep the run short.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import stateful_examples
from lapor_core import (
    AgencyRegistry,
    Content,
    Profile,
    Reporter,
    Status,
    ValidationError,
    load_profile,
    load_registry,
)
from lapor_core.domain.calendar import CalendarOverride, OverrideKind
from lapor_core.storage import ComplaintStore, InMemoryStore, SQLiteStore
from lapor_core.testing.stateful import DEFAULT_SETTINGS, START, ComplaintWorkflowMachine

DSN_ENV = "LAPOR_TEST_POSTGRES_DSN"
REGISTRY = load_registry("kaltim")
PROFILES: dict[str, Profile] = {
    "national": load_profile("national"),
    "kaltim": load_profile("kaltim"),
}
STEPS = 20
PG_EXAMPLES = 12


def require_dsn() -> str:
    """The test DSN; skip without one, or fail under CI (as tests/storage/test_postgres.py)."""
    dsn = os.environ.get(DSN_ENV)
    if dsn:
        return dsn
    if os.environ.get("CI"):
        pytest.fail(f"{DSN_ENV} is not set (CI is set: refusing to skip)")
    pytest.skip(f"{DSN_ENV} is not set: PostgreSQL tests need a server")


class _SharedStore(ComplaintWorkflowMachine):
    """The examples of one test share a store (emptied by the factory): the test closes it."""

    def dispose_store(self, store: ComplaintStore) -> None:
        """Leave the shared store open."""


def _run(
    profile: Profile,
    registry: AgencyRegistry,
    factory: Callable[[], ComplaintStore],
    *,
    keep_open: bool = False,
    max_examples: int | None = None,
) -> None:
    base = _SharedStore if keep_open else ComplaintWorkflowMachine
    machine = base.configure(profile=profile, registry=registry, store_factory=factory)
    examples = stateful_examples() if max_examples is None else max_examples
    machine.run(settings(stateful_step_count=STEPS, max_examples=examples, deadline=None))


@pytest.mark.parametrize("name", list(PROFILES))
def test_memory(name: str) -> None:
    _run(PROFILES[name], REGISTRY, InMemoryStore)


@pytest.mark.parametrize("name", list(PROFILES))
def test_sqlite(name: str, tmp_path: Path) -> None:
    counter = itertools.count()

    def fresh() -> ComplaintStore:
        return SQLiteStore(tmp_path / f"example-{next(counter)}.sqlite3")

    _run(PROFILES[name], REGISTRY, fresh)


@pytest.fixture
def postgres() -> Iterator[tuple[ComplaintStore, Callable[[], None]]]:
    dsn = require_dsn()
    import psycopg  # noqa: PLC0415 - optional extra

    from lapor_core.storage.postgres import PostgresStore  # noqa: PLC0415 - optional extra

    schema = f"lapor_stateful_{uuid.uuid4().hex[:12]}"
    store = PostgresStore(dsn, schema=schema, max_size=2)

    def truncate() -> None:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(
                f'TRUNCATE "{schema}".events, "{schema}".complaints, "{schema}".idempotency '
                "RESTART IDENTITY"
            )

    try:
        yield store, truncate
    finally:
        store.close()
        store.drop_schema()


@pytest.mark.postgres
@pytest.mark.parametrize("name", list(PROFILES))
def test_postgres(name: str, postgres: tuple[ComplaintStore, Callable[[], None]]) -> None:
    store, truncate = postgres

    def emptied() -> ComplaintStore:
        truncate()
        return store

    _run(PROFILES[name], REGISTRY, emptied, keep_open=True, max_examples=PG_EXAMPLES)


@pytest.mark.postgres
@pytest.mark.parametrize(
    "build",
    [
        lambda: Content(title="Jalan\x00rusak", body="Isi."),
        lambda: Content(title="Jalan rusak", body="Isi\x00."),
        lambda: Reporter(id="pelapor-1", name="Siti\x00"),
    ],
)
def test_text_with_a_nul_character_is_refused_before_any_store(build: Callable[[], object]) -> None:
    """NUL cannot be stored everywhere (PostgreSQL jsonb refuses it): the domain refuses it."""
    with pytest.raises(ValidationError, match="NUL"):
        build()


def test_the_machine_is_a_test_case_class_the_hypothesis_way() -> None:
    machine = ComplaintWorkflowMachine.configure(profile=PROFILES["kaltim"], registry=REGISTRY)
    assert machine.TestCase is machine.TestCase
    assert "TestCase" in machine.TestCase.__name__
    assert PROFILES["kaltim"] is machine.profile
    assert issubclass(machine, ComplaintWorkflowMachine)


class _Recording(ComplaintWorkflowMachine):
    """The stock machine, remembering where each example's clock started and how many it filed."""

    seen: ClassVar[list[tuple[datetime, int]]] = []

    def teardown(self) -> None:
        type(self).seen.append((self.clock.now(), len(self.complaint_ids)))
        super().teardown()


def test_configure_sets_the_start_and_the_number_of_complaints() -> None:
    start = datetime(2025, 9, 17, 8, 0, tzinfo=UTC)
    machine = _Recording.configure(profile=PROFILES["kaltim"], start=start, max_complaints=1)
    assert start == machine.start
    assert 1 == machine.max_complaints
    machine.seen = []
    machine.run(settings(max_examples=10, stateful_step_count=8, deadline=None))
    assert machine.seen
    assert all(now >= start for now, _count in machine.seen)
    assert max(count for _now, count in machine.seen) == 1
    assert START == ComplaintWorkflowMachine.start  # the base class is left alone


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"start": datetime(2025, 9, 17, 8, 0)}, "timezone-aware"),  # noqa: DTZ001 - naive on purpose
        ({"max_complaints": 0}, "at least 1"),
    ],
)
def test_configure_refuses_a_naive_start_and_no_complaints(
    options: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        ComplaintWorkflowMachine.configure(**options)  # type: ignore[arg-type]


OPEN_PROFILE = Profile.from_toml(
    """
    [profile]
    name = "open"
    parent = "national"

    [options.reopen]
    enabled = true
    basis = "EXAMPLE"
    confidence = "L"

    [options.rating]
    enabled = true
    basis = "EXAMPLE"
    confidence = "L"
    """,
    PROFILES["national"],
)


def default_run_coverage() -> str:
    """A default run of the machine on the open profile: the checks, then its coverage."""
    machine = ComplaintWorkflowMachine.configure(profile=OPEN_PROFILE, registry=REGISTRY)
    rows = [row for row, _times in machine.row_coverage().counts]
    assert len(rows) == len(set(rows)) == 45  # the national table with both options on
    assert machine.row_coverage().missing == tuple(rows)  # nothing run yet
    # the machine's own settings, with Hypothesis's default number of examples
    machine.run(settings(DEFAULT_SETTINGS, max_examples=100, derandomize=True, database=None))
    coverage = machine.row_coverage()
    assert coverage.missing == (), coverage.render()
    assert sum(dict(coverage.counts).values()) == sum(machine.row_counts.values())
    assert ComplaintWorkflowMachine.row_counts is not machine.row_counts
    return coverage.render()


def test_a_default_run_exercises_every_row_the_profile_enables() -> None:
    # In an interpreter of its own, as a user's first run: Hypothesis draws some values
    # from the constants in the source of the modules already imported (its
    # constants_ast), so even a derandomized run takes another path once other tests
    # have imported more modules (in the whole suite, one rare row was then missed).
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import test_stateful_public as t; "
        "print(t.default_run_coverage())"
    )
    tests = str(Path(__file__).resolve().parent)
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code, tests],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "45 of 45 rows exercised\n" in done.stdout
    assert "never:" not in done.stdout


class _OneRow(ComplaintWorkflowMachine):
    """The stock machine on the open profile, for driving one rule by hand."""

    profile = OPEN_PROFILE
    registry = REGISTRY


@pytest.mark.parametrize(
    "row",
    [
        (Status.COMPLETED, "Rate"),
        (Status.COMPLETED, "Reopen"),
        (Status.IN_PROGRESS, "AutoClose"),
        (Status.ON_HOLD, "RecordBreach"),
        (Status.FORWARDED, "ExtendDeadline"),
    ],
    ids=lambda row: f"{row[0].value}: {row[1]}",
)
@settings(max_examples=5, deadline=None, database=None)
@given(data=st.data())
def test_exercise_row_drives_a_new_complaint_to_a_rare_row(
    row: tuple[Status, str], data: st.DataObject
) -> None:
    machine = _OneRow()
    counted = _OneRow.row_counts[row]
    try:
        machine.first_submission(data)
        before = machine.clock.now()
        assert machine.exercise_row(data, row)
        assert 1 == machine.rows_here[row]
        assert 1 == _OneRow.row_counts[row] - counted
        if row[1] in {"AutoClose", "RecordBreach"}:
            assert machine.clock.now() > before  # the clock was moved on to the breach
    finally:
        machine.teardown()


class _Calendars(ComplaintWorkflowMachine):
    """The stock machine, remembering the calendar each example's service counted on."""

    seen: ClassVar[list[object]] = []

    def teardown(self) -> None:
        type(self).seen.append(self.service.calendar)
        super().teardown()


def test_configure_sets_the_calendar() -> None:
    day_off = CalendarOverride(
        date=date(2025, 9, 18),
        kind=OverrideKind.HOLIDAY,
        name="Hari jadi (EXAMPLE)",
        basis="EXAMPLE: a regional day off",
    )
    calendar = PROFILES["kaltim"].calendar().with_overrides(day_off)
    machine = _Calendars.configure(profile=PROFILES["kaltim"], calendar=calendar)
    assert calendar is machine.calendar
    machine.seen = []
    machine.run(settings(max_examples=3, stateful_step_count=4, deadline=None))
    assert machine.seen
    assert all(seen is calendar for seen in machine.seen)
    assert not calendar.is_working_day(date(2025, 9, 18))
    assert ComplaintWorkflowMachine.calendar is None
    with pytest.raises(ValidationError, match="calendar must be a WorkingCalendar"):
        ComplaintWorkflowMachine.configure(calendar="2025")  # type: ignore[arg-type]
