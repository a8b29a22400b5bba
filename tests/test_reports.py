"""Indicators and the Musrenbang export: by hand, SQL against Python, renderings, simulation."""

from __future__ import annotations

import csv
import gc
import io
import json
import math
import os
import re
import uuid
import weakref
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
import pytest

import lapor_core as lc
from lapor_core import ComplaintId
from lapor_core._simulate_traffic import _MINISTRY_WORDS, _OTHER_TITLES, _TITLES
from lapor_core.domain.agencies import AgencyKind
from lapor_core.profiles import load_profile, load_registry
from lapor_core.reports import (
    AgencyIndicators,
    MusrenbangRow,
    ReportingStore,
    agencies_without_decree,
    compute_indicators,
    compute_musrenbang,
    indicators,
    indicators_csv,
    indicators_json,
    indicators_table,
    musrenbang,
    musrenbang_csv,
    musrenbang_json,
)
from lapor_core.service import ComplaintService, ManualClock, Subscription
from lapor_core.simulate import SimulationConfig, national_registry, simulate
from lapor_core.storage import ComplaintQuery, ComplaintRow, ComplaintStore, InMemoryStore
from lapor_core.storage.sqlite import SQLiteStore
from lapor_core.storage.support import READ_ALL_MAX_LIMIT

PROFILE = load_profile("national")
REGISTRY = load_registry("kaltim")
T = datetime(2025, 2, 3, 1, 0, tzinfo=UTC)  # Monday 08:00 WIB, no holiday for weeks
H = timedelta(hours=1)
WINDOW = (T, T + timedelta(days=1))
NATIONAL = lc.Actor.national_admin("admin-nasional")
SAMARINDA = lc.make_agency_actor(REGISTRY, "adm-smd", lc.Role.AGENCY_ADMIN, "samarinda")
BALIKPAPAN = lc.make_agency_actor(REGISTRY, "adm-bpn", lc.Role.AGENCY_ADMIN, "balikpapan")

DSN_ENV = "LAPOR_TEST_POSTGRES_DSN"
REL = 1e-9  # SQL and Python means may differ in the last bits


def _cid(n: int) -> lc.ComplaintId:
    return lc.ComplaintId(f"c{n}")


def _submit(n: int, region: str | None, category: str | None) -> lc.Submit:
    return lc.Submit(
        complaint_id=_cid(n),
        content=lc.Content(title="Jalan rusak", body="Jalan rusak parah."),
        kind=lc.Kind.COMPLAINT,
        reporter=lc.Reporter(id=f"warga-{n}", name="Warga"),
        channel=lc.Channel(lc.ChannelType.WEB),
        region=lc.RegionCode(region) if region else None,
        category=lc.Category(category) if category else None,
    )


def _citizen(n: int) -> lc.Actor:
    return lc.Actor.reporter(f"warga-{n}")


# Six complaints, submitted within one day (the reporting window), routed by the national
# admin ("lapor"):
#   c1 -> samarinda after 2 h, followed up 24 h later, closed automatically by the sweep
#   c2 archived (unclear) before forwarding; stays with the router "lapor"
#   c3 -> samarinda after 4 h, rejected (bukan wewenang), re-routed to balikpapan
#   c4 still submitted (router "lapor")
#   c5 -> balikpapan after 8 h, followed up 8 h later, closed by hand
#   c6 -> samarinda after 6 h, followed up 216 h later, still in progress at the sweep
STORY: tuple[tuple[timedelta, lc.Command, lc.Actor], ...] = (
    (0 * H, _submit(1, "64.72", "infrastruktur"), _citizen(1)),
    (1 * H, _submit(2, "64.71", None), _citizen(2)),
    (2 * H, _submit(3, "64.71.02", "infrastruktur"), _citizen(3)),
    (2 * H, lc.Forward(complaint_id=_cid(1), agencies=("samarinda",)), NATIONAL),
    (3 * H, _submit(4, None, "kesehatan"), _citizen(4)),
    (3 * H, lc.Archive(complaint_id=_cid(2), reason=lc.ArchiveReason.UNCLEAR), NATIONAL),
    (4 * H, _submit(5, "64.71", "infrastruktur"), _citizen(5)),
    (5 * H, _submit(6, "64.72.01.1001", "infrastruktur"), _citizen(6)),
    (6 * H, lc.Forward(complaint_id=_cid(3), agencies=("samarinda",)), NATIONAL),
    (
        8 * H,
        lc.RejectDisposition(complaint_id=_cid(3), agency="samarinda", reason="Bukan wewenang."),
        SAMARINDA,
    ),
    (10 * H, lc.Forward(complaint_id=_cid(3), agencies=("balikpapan",)), NATIONAL),
    (11 * H, lc.Forward(complaint_id=_cid(6), agencies=("samarinda",)), NATIONAL),
    (12 * H, lc.Forward(complaint_id=_cid(5), agencies=("balikpapan",)), NATIONAL),
    (20 * H, lc.PostFollowUp(complaint_id=_cid(5), agency="balikpapan", text="Beres."), BALIKPAPAN),
    (22 * H, lc.Close(complaint_id=_cid(5), note="Selesai."), BALIKPAPAN),
    (26 * H, lc.PostFollowUp(complaint_id=_cid(1), agency="samarinda", text="Beres."), SAMARINDA),
    (227 * H, lc.PostFollowUp(complaint_id=_cid(6), agency="samarinda", text="Proses."), SAMARINDA),
)
SWEEP_AT = T + timedelta(days=16)  # c1's 10 HK reply window is over, c6's is not


def _fill(store: ComplaintStore) -> ComplaintStore:
    service = ComplaintService(store, PROFILE, REGISTRY, clock=ManualClock(T))
    for offset, command, actor in STORY:
        service.handle(command, actor, now=T + offset)
    service.sweep(SWEEP_AT)
    return store


@pytest.fixture(params=["memory", "sqlite"])
def story_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ComplaintStore]:
    store: ComplaintStore = (
        InMemoryStore() if request.param == "memory" else SQLiteStore(tmp_path / "s.db")
    )
    yield _fill(store)
    store.close()


def _by_agency(items: tuple[AgencyIndicators, ...]) -> dict[str, AgencyIndicators]:
    return {i.agency: i for i in items}


COUNTS = (
    "received",
    "forwarded",
    "followed_up",
    "completed",
    "in_progress",
    "archived",
    "backlog",
    "auto_closed",
    "rerouted",
    "reroutings",
)
EXPECTED_COUNTS = {
    #            recv fwd fol done proc arch back auto rr  rrs
    "balikpapan": (2, 2, 1, 1, 0, 0, 1, 0, 1, 1),  # c3 (re-routed, forwarded), c5 (closed)
    "lapor": (2, 0, 0, 0, 0, 1, 1, 0, 0, 0),  # c2 (archived), c4 (submitted)
    "samarinda": (2, 2, 2, 1, 1, 0, 1, 1, 0, 0),  # c1 (auto-closed), c6 (in progress)
}


# ---------------------------------------------------------------------- by hand


def test_indicators_of_a_hand_built_store(story_store: ComplaintStore) -> None:
    figures = indicators(story_store, *WINDOW)
    assert ["balikpapan", "lapor", "samarinda"] == [i.agency for i in figures]
    by = _by_agency(figures)
    for agency, expected in EXPECTED_COUNTS.items():
        assert expected == tuple(getattr(by[agency], name) for name in COUNTS), agency
    # hours to forward: c3 first forwarded after 4 h (not at the re-routing), c5 after 8 h
    assert math.isclose(6.0, by["balikpapan"].hours_to_forward or 0.0, rel_tol=REL)
    assert math.isclose(8.0, by["balikpapan"].hours_to_follow_up or 0.0, rel_tol=REL)
    assert math.isclose(4.0, by["samarinda"].hours_to_forward or 0.0, rel_tol=REL)  # (2 + 6) / 2
    assert math.isclose(120.0, by["samarinda"].hours_to_follow_up or 0.0, rel_tol=REL)
    assert by["lapor"].hours_to_forward is None
    assert by["lapor"].hours_to_follow_up is None
    assert 0.5 == by["samarinda"].share_completed
    assert 1.0 == by["samarinda"].share_followed_up
    assert 0.5 == by["balikpapan"].share_followed_up
    assert 0.0 == by["lapor"].share_in_progress


def test_breaches_agree_with_the_rows(story_store: ComplaintStore) -> None:
    rows = _all_rows(story_store, *WINDOW)
    by = _by_agency(indicators(story_store, *WINDOW))
    assert sum(i.breaches for i in by.values()) == sum(r.breaches for r in rows) > 0
    assert sum(i.escalations for i in by.values()) == sum(r.escalations for r in rows)


def test_window_excludes_complaints_submitted_outside_it(story_store: ComplaintStore) -> None:
    # c1..c3 were submitted in the first three hours
    figures = indicators(story_store, T, T + 3 * H)
    assert 3 == sum(i.received for i in figures)
    assert () == indicators(story_store, T - timedelta(days=2), T)
    assert () == musrenbang(story_store, T + timedelta(days=1), T + timedelta(days=2))


def test_musrenbang_of_a_hand_built_store(story_store: ComplaintStore) -> None:
    assert (
        MusrenbangRow("-", "kesehatan", 1, 0, 1),
        MusrenbangRow("64.71", "-", 1, 0, 0),
        MusrenbangRow("64.71", "infrastruktur", 2, 1, 1),
        MusrenbangRow("64.72", "infrastruktur", 2, 1, 1),
    ) == musrenbang(story_store, *WINDOW, level=2)
    assert (
        MusrenbangRow("-", "kesehatan", 1, 0, 1),
        MusrenbangRow("64", "-", 1, 0, 0),
        MusrenbangRow("64", "infrastruktur", 4, 2, 2),
    ) == musrenbang(story_store, *WINDOW, level=1)
    regions = {r.region for r in musrenbang(story_store, *WINDOW, level=4)}
    assert {"-", "64.71", "64.72", "64.71.02", "64.72.01.1001"} == regions
    regions = {r.region for r in musrenbang(story_store, *WINDOW, level=3)}
    assert {"-", "64.71", "64.72", "64.71.02", "64.72.01"} == regions


@pytest.mark.parametrize("level", [0, 5, -1, True])
def test_musrenbang_refuses_unknown_levels(story_store: ComplaintStore, level: int) -> None:
    assert isinstance(story_store, ReportingStore)
    with pytest.raises(lc.ValidationError, match="region level"):
        story_store.musrenbang(*WINDOW, level)
    with pytest.raises(lc.ValidationError, match="region level"):
        musrenbang(story_store, *WINDOW, level)


def test_naive_window_is_refused(story_store: ComplaintStore) -> None:
    assert isinstance(story_store, ReportingStore)
    with pytest.raises(lc.ValidationError):
        story_store.indicators(datetime(2025, 1, 1), T)  # noqa: DTZ001 - the point of the test
    with pytest.raises(lc.ValidationError):
        story_store.musrenbang(T, datetime(2026, 1, 1), 2)  # noqa: DTZ001 - the point


def test_every_backend_is_a_reporting_store(tmp_path: Path) -> None:
    sqlite = SQLiteStore(tmp_path / "r.db")
    try:
        assert isinstance(InMemoryStore(), ReportingStore)
        assert isinstance(sqlite, ReportingStore)
    finally:
        sqlite.close()


def test_a_store_without_sql_gets_the_python_figures(story_store: ComplaintStore) -> None:
    class PlainStore:
        """Only the port: the dispatcher pages through its rows."""

        def __init__(self, inner: ComplaintStore) -> None:
            self.query = inner.query

    plain = PlainStore(story_store)
    assert not isinstance(plain, ReportingStore)
    assert indicators(story_store, *WINDOW) == indicators(plain, *WINDOW)
    assert musrenbang(story_store, *WINDOW, 1) == musrenbang(plain, *WINDOW, 1)


# ---------------------------------------------------------------------- SQL against Python


def _all_rows(store: ComplaintStore, since: datetime, until: datetime) -> list[ComplaintRow]:
    rows: list[ComplaintRow] = []
    cursor = None
    while True:
        page = store.query(
            ComplaintQuery(submitted_from=since, submitted_before=until, cursor=cursor, limit=250)
        )
        rows.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return rows


def _same_indicators(
    expected: tuple[AgencyIndicators, ...], actual: tuple[AgencyIndicators, ...]
) -> None:
    assert [e.agency for e in expected] == [a.agency for a in actual]
    for e, a in zip(expected, actual, strict=True):
        for field in attrs.fields(AgencyIndicators):
            want, got = getattr(e, field.name), getattr(a, field.name)
            if isinstance(want, float):
                assert isinstance(got, float), (e.agency, field.name)
                assert math.isclose(want, got, rel_tol=REL, abs_tol=1e-9), (e.agency, field.name)
            else:
                assert want == got, (e.agency, field.name)
                assert type(want) is type(got), (e.agency, field.name)


SIM = SimulationConfig(days=30, seed=11, per_year=12_000)
SIM_WINDOW = (SIM.start, SIM.start + timedelta(days=SIM.days))


def _simulated(store: ComplaintStore, config: SimulationConfig = SIM) -> ComplaintStore:
    service = ComplaintService(
        store, load_profile("kaltim"), REGISTRY, cache_size=100_000, clock=ManualClock(SIM.start)
    )
    simulate(service, config)
    return store


def _check_sql_against_python(store: ComplaintStore) -> None:
    assert isinstance(store, ReportingStore)
    for window in (SIM_WINDOW, (SIM.start + timedelta(days=3), SIM.start + timedelta(days=17))):
        rows = _all_rows(store, *window)
        assert len(rows) > 100
        figures = store.indicators(*window)
        assert len(figures) > 5
        _same_indicators(compute_indicators(rows), figures)
        assert len(rows) == sum(i.received for i in figures)
        for level in (1, 2, 3, 4):
            assert compute_musrenbang(rows, level) == store.musrenbang(*window, level)


def test_sql_agrees_with_python_on_a_simulated_sqlite_store(tmp_path: Path) -> None:
    store = _simulated(SQLiteStore(tmp_path / "sim.db"))
    try:
        _check_sql_against_python(store)
    finally:
        store.close()


def _postgres_dsn() -> str:
    dsn = os.environ.get(DSN_ENV)
    if dsn:
        return dsn
    reason = f"{DSN_ENV} is not set: PostgreSQL tests need a server"
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: refusing to skip)")
    pytest.skip(reason)


@pytest.mark.postgres
def test_sql_agrees_with_python_on_a_simulated_postgres_store() -> None:
    dsn = _postgres_dsn()
    from lapor_core.storage.postgres import PostgresStore  # noqa: PLC0415 - optional extra

    store = PostgresStore(dsn, schema=f"lapor_test_{uuid.uuid4().hex[:12]}", max_size=2)
    try:
        _simulated(store)
        _check_sql_against_python(store)
        assert isinstance(store, ReportingStore)
    finally:
        store.close()
        store.drop_schema()


# ---------------------------------------------------------------------- renderings


def _number(text: str) -> float | None:
    return None if text == "" else float(text)


def test_indicators_csv_and_json_parse_back(story_store: ComplaintStore) -> None:
    figures = indicators(story_store, *WINDOW)
    records = list(csv.DictReader(io.StringIO(indicators_csv(figures))))
    parsed = json.loads(indicators_json(figures))
    assert [i.agency for i in figures] == [r["agency"] for r in records]
    assert [i.agency for i in figures] == [r["agency"] for r in parsed]
    for item, record, obj in zip(figures, records, parsed, strict=True):
        for name in COUNTS:
            assert getattr(item, name) == int(record[name]) == obj[name], name
        for name in ("hours_to_forward", "hours_to_follow_up", "share_completed"):
            value = getattr(item, name)
            if value is None:
                assert record[name] == ""
                assert obj[name] is None
            else:
                assert math.isclose(value, _number(record[name]) or 0.0, abs_tol=1e-4)
                assert math.isclose(value, obj[name], abs_tol=1e-4)


def test_musrenbang_csv_and_json_parse_back(story_store: ComplaintStore) -> None:
    rows = musrenbang(story_store, *WINDOW, level=2)
    records = list(csv.DictReader(io.StringIO(musrenbang_csv(rows))))
    assert [attrs.astuple(r) for r in rows] == [
        (r["region"], r["category"], int(r["complaints"]), int(r["completed"]), int(r["backlog"]))
        for r in records
    ]
    assert [attrs.asdict(r) for r in rows] == json.loads(musrenbang_json(rows))


def test_table_starts_with_the_totals(story_store: ComplaintStore) -> None:
    text = indicators_table(indicators(story_store, *WINDOW), top=2)
    lines = text.splitlines()
    assert lines[0].startswith("agency")
    assert lines[2].split()[:2] == ["(all)", "6"]
    assert 5 == len(lines)  # header, rule, totals, two agencies


def test_agencies_without_decree_in_kaltim() -> None:
    assert {"ppu", "mahulu"} == set(agencies_without_decree(REGISTRY))


# ---------------------------------------------------------------------- reproducibility


def _run(seed: int) -> tuple[tuple[AgencyIndicators, ...], list[tuple[str, str, int]]]:
    store = InMemoryStore()
    config = SimulationConfig(days=20, seed=seed)
    _simulated(store, config)
    figures = indicators(store, config.start, config.start + timedelta(days=config.days))
    stream = [
        (type(e.event).__name__, e.complaint_id.value, e.version)
        for e in Subscription(store, batch=READ_ALL_MAX_LIMIT)
    ]
    return figures, stream


def test_simulation_is_reproducible_for_a_seed() -> None:
    first, second, other = _run(5), _run(5), _run(6)
    assert first == second
    assert len(first[1]) > 100
    assert first != other
    assert first[1] != other[1]


def test_simulation_result_matches_the_store() -> None:
    store = InMemoryStore()
    service = ComplaintService(store, load_profile("kaltim"), REGISTRY, cache_size=10_000)
    result = simulate(service, SimulationConfig(days=10, seed=2))
    assert result.complaints > 0
    assert result.events == sum(1 for _ in Subscription(store, batch=READ_ALL_MAX_LIMIT))
    assert sum(result.by_status.values()) == result.complaints


def test_a_simulation_result_lets_the_service_go() -> None:
    """
    Once the caller lets go of the service, its states are freed at once.

    The refusals' examples carry no traceback (whose frames hold the service, the world
    and every state), and the actions still scheduled are dropped with the world: nothing
    waits for the cyclic collector, which is off here.
    """
    service = ComplaintService(
        InMemoryStore(), load_profile("national"), national_registry(), cache_size=10_000
    )
    gone = weakref.ref(service)
    config = SimulationConfig(days=10, seed=3, national=True, per_year=20_000)
    collecting = gc.isenabled()
    gc.disable()
    try:
        result = simulate(service, config)
        del service
        assert gone() is None
    finally:
        if collecting:
            gc.enable()
    assert result.refused > 0
    for count, example in result.refusals.values():
        assert count > 0
        assert example.__traceback__ is None
        assert example.__context__ is None
        assert str(example)


def test_simulated_reports_read_like_their_category_and_go_where_it_belongs() -> None:
    store = InMemoryStore()
    service = ComplaintService(store, load_profile("kaltim"), REGISTRY, cache_size=10_000)
    result = simulate(service, SimulationConfig(days=30, seed=5))
    complaints = [service.get(ComplaintId(f"sim-{n:07d}")) for n in range(1, result.complaints + 1)]
    assert len(complaints) > 50
    for complaint in complaints:
        assert complaint.content.title in _TITLES.get(str(complaint.category), _OTHER_TITLES)
        for assignment in complaint.assignments:
            agency = REGISTRY.get(assignment.agency)
            if agency.kind in {AgencyKind.MINISTRY, AgencyKind.INSTITUTION}:
                word = _MINISTRY_WORDS[str(complaint.category)]
                assert word in agency.name, (complaint.id, complaint.category, agency.name)
    assert result.refused == sum(count for count, _ in result.refusals.values())
    for kind, (count, example) in result.refusals.items():
        assert count > 0
        assert str(example)
        assert kind.endswith(f"({type(example).__name__})")
        assert re.fullmatch(r"[A-Za-z]+ \([A-Za-z]+\)", kind), kind
    if result.refused:
        assert str(max(c for c, _ in result.refusals.values())) in result.refusal_summary()
