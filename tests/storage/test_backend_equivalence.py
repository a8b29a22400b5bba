"""
The backends are interchangeable: the same random commands give the same results on each.

A Hypothesis state machine drives one :class:`ComplaintService` per backend with the same
commands (valid and invalid, by random actors), the same clock and the same sweeps, and
after every step compares everything a caller can observe against the in-memory store:
outcomes, streams, projection rows, the global log, queries, idempotency keys and the
complaints due for a sweep.
"""

from __future__ import annotations

import functools
import itertools
import shutil
import tempfile
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import attrs
import pytest
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from test_postgres import require_dsn

from helpers import (
    NATIONAL,
    PROFILE,
    REGISTRY,
    REPORTER,
    STATEFUL_EXAMPLES,
    SYSTEM,
    T0,
    agency_actor,
    stateful_examples,
    submit_command,
)
from lapor_core import (
    Actor,
    Archive,
    ArchiveReason,
    AutoClose,
    Category,
    ChangePrivacy,
    Classify,
    Close,
    Command,
    ComplaintId,
    Forward,
    ForwardInternally,
    Kind,
    LaporError,
    NotFound,
    PostFollowUp,
    Privacy,
    ProvideInformation,
    Rate,
    RegionCode,
    RejectDisposition,
    Reopen,
    Reply,
    RequestInformation,
    Role,
    Status,
)
from lapor_core.service import ComplaintService, HandleResult, ManualClock
from lapor_core.storage.base import ComplaintQuery, ComplaintRow, ComplaintStore, StoredEvent
from lapor_core.storage.memory import InMemoryStore
from lapor_core.storage.sqlite import SQLiteStore

IDS = tuple(ComplaintId(f"eq-{i}") for i in range(3))
KEYS = ("app-1", "app-2")
CLAIMANT = "sweeper"  # the services' own claimant: probing claims never blocks their sweeps
LEASE = timedelta(minutes=5)
OWNER = Actor.reporter(REPORTER.id)
ACTORS = (
    OWNER,
    Actor.reporter("orang-lain"),
    NATIONAL,
    SYSTEM,
    agency_actor(Role.AGENCY_ADMIN, "samarinda"),
    agency_actor(Role.AGENCY_ADMIN, "balikpapan"),
    agency_actor(Role.AGENCY_ADMIN, "kaltim.pupr"),
    agency_actor(Role.UNIT_ADMIN, "samarinda.dishub"),
    agency_actor(Role.LIAISON_OFFICER, "samarinda"),
    agency_actor(Role.LIAISON_OFFICER, "kaltim.pupr.jalan.penghubung"),
)
AGENCIES = ("samarinda", "samarinda.dishub", "kaltim", "kaltim.pupr", "balikpapan", "tidak-ada")

_text = st.sampled_from(["Lampu mati.", "Jalan berlubang.", "Mohon ditindaklanjuti."])
_agency = st.sampled_from(AGENCIES)
_privacy = st.builds(Privacy, anonymous=st.booleans(), confidential=st.booleans())
_key = st.none() | st.sampled_from(KEYS)


def _with_key(command: Command, key: str | None) -> Command:
    return attrs.evolve(command, idempotency_key=key)


@functools.cache
def submits_for(cid: ComplaintId) -> st.SearchStrategy[Command]:
    """Submissions of *cid* with varied region, category, addressee, privacy and key."""
    submit = st.builds(
        submit_command,
        st.just(cid),
        region=st.sampled_from([None, RegionCode("64"), RegionCode("64.72"), RegionCode("64.71")]),
        category=st.sampled_from([None, Category("infrastruktur"), Category("kesehatan")]),
        target_agency=st.sampled_from([None, "samarinda", "kaltim", "balikpapan"]),
        privacy=_privacy,
    )
    return st.builds(_with_key, submit, _key)


@functools.cache
def commands_for(cid: ComplaintId) -> st.SearchStrategy[Command]:
    """Well-formed commands of most types for *cid*, valid or not in context."""
    just = st.just(cid)
    reply = st.builds(Reply, complaint_id=just, text=_text)
    return st.one_of(
        submits_for(cid),
        st.builds(_with_key, reply, _key),
        st.builds(Classify, complaint_id=just, title=_text, kind=st.none() | st.sampled_from(Kind)),
        st.builds(RequestInformation, complaint_id=just, question=_text),
        st.builds(ProvideInformation, complaint_id=just, text=_text),
        st.builds(
            Forward,
            complaint_id=just,
            agencies=st.lists(_agency, min_size=1, max_size=2, unique=True).map(tuple),
        ),
        st.builds(ForwardInternally, complaint_id=just, agency=_agency, to=_agency),
        st.builds(RejectDisposition, complaint_id=just, agency=_agency, reason=_text),
        st.builds(PostFollowUp, complaint_id=just, agency=_agency, text=_text),
        st.builds(Close, complaint_id=just),
        st.builds(AutoClose, complaint_id=just),
        st.builds(Archive, complaint_id=just, reason=st.just(ArchiveReason.UNCLEAR)),
        st.builds(Rate, complaint_id=just, score=st.integers(0, 6)),
        st.builds(Reopen, complaint_id=just, reason=_text),
        st.builds(ChangePrivacy, complaint_id=just, privacy=_privacy),
    )


def happy_steps(cid: ComplaintId, status: Status | None) -> list[tuple[Actor, Command]]:
    """Commands that usually move a complaint along the main path (may still be refused)."""
    liaison = agency_actor(Role.LIAISON_OFFICER, "samarinda")
    admin = agency_actor(Role.AGENCY_ADMIN, "samarinda")
    privacy: list[tuple[Actor, Command]] = [
        (NATIONAL, ChangePrivacy(complaint_id=cid, privacy=Privacy(anonymous=True))),
        (NATIONAL, ChangePrivacy(complaint_id=cid, privacy=Privacy(confidential=True))),
    ]
    steps: dict[Status | None, list[tuple[Actor, Command]]] = {
        None: [(OWNER, submit_command(cid))],
        Status.SUBMITTED: [
            (NATIONAL, Forward(complaint_id=cid, agencies=("samarinda",))),
            (NATIONAL, Forward(complaint_id=cid, agencies=("samarinda", "kaltim.pupr"))),
            (NATIONAL, RequestInformation(complaint_id=cid, question="Di mana?")),
        ],
        Status.ON_HOLD: [(OWNER, ProvideInformation(complaint_id=cid, text="Di sini."))],
        Status.FORWARDED: [
            (liaison, PostFollowUp(complaint_id=cid, agency="samarinda", text="Sudah.")),
            (admin, RejectDisposition(complaint_id=cid, agency="samarinda", reason="Bukan.")),
        ],
        Status.IN_PROGRESS: [
            (OWNER, Reply(complaint_id=cid, text="Terima kasih.")),
            (admin, Close(complaint_id=cid)),
        ],
        Status.COMPLETED: privacy,
        Status.ARCHIVED: privacy,
    }
    return steps[status]


Outcome = tuple[object, ...]


def _outcome(action: Callable[[], HandleResult]) -> Outcome:
    """What a caller sees: the error class and message, or the events and the state."""
    try:
        result = action()
    except LaporError as exc:
        return ("refused", type(exc).__name__, str(exc))
    return ("done", result.events, result.duplicate, result.complaint)


def _pages(store: ComplaintStore, query: ComplaintQuery) -> list[tuple[ComplaintRow, ...]]:
    pages = []
    cursor = None
    while True:
        page = store.query(attrs.evolve(query, cursor=cursor))
        pages.append(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return pages
        assert len(pages) < 100, "pagination does not end"


def _log(store: ComplaintStore) -> list[StoredEvent]:
    log: list[StoredEvent] = []
    while page := store.read_all(log[-1].position if log else 0, 40):
        log.extend(page)
    return log


def _row(store: ComplaintStore, cid: ComplaintId) -> ComplaintRow | None:
    try:
        return store.get(cid)
    except NotFound:
        return None


class Backends(RuleBasedStateMachine):
    """The same commands on the in-memory store and on the backends under test."""

    kinds: tuple[str, ...] = ()

    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock(T0)
        self.directory = Path(tempfile.mkdtemp(prefix="lapor-eq-"))
        self.stores: list[tuple[str, ComplaintStore]] = [("memory", InMemoryStore())]
        for kind in self.kinds:
            if kind == "sqlite":
                self.stores.append((kind, SQLiteStore(self.directory / "eq.sqlite3")))
            else:
                from lapor_core.storage.postgres import PostgresStore  # noqa: PLC0415

                dsn = require_dsn()
                schema = f"lapor_test_{uuid.uuid4().hex[:12]}"
                self.stores.append((kind, PostgresStore(dsn, schema=schema, max_size=2)))
        self.services = [
            ComplaintService(store, PROFILE, REGISTRY, clock=self.clock)
            for _name, store in self.stores
        ]
        self.statuses: dict[ComplaintId, Status | None] = dict.fromkeys(IDS)

    def teardown(self) -> None:
        for _name, store in self.stores:
            store.close()
            drop = getattr(store, "drop_schema", None)
            if drop is not None:
                drop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def _handle_everywhere(self, command: Command, actor: Actor) -> None:
        outcomes = [_outcome(functools.partial(s.handle, command, actor)) for s in self.services]
        event(f"{type(command).__name__}: {outcomes[0][0]}")
        for (name, _store), outcome in zip(self.stores[1:], outcomes[1:], strict=True):
            assert outcomes[0] == outcome, f"{name} differs on {command!r} by {actor!r}"
        if outcomes[0][0] == "done":
            state = outcomes[0][-1]
            assert hasattr(state, "status")
            self.statuses[command.complaint_id] = state.status

    @rule(
        index=st.integers(0, len(IDS) - 1),
        actor=st.sampled_from(ACTORS),
        minutes=st.integers(0, 3 * 24 * 60),
        data=st.data(),
    )
    def act(self, index: int, actor: Actor, minutes: int, data: st.DataObject) -> None:
        self.clock.advance(timedelta(minutes=minutes))
        command = data.draw(commands_for(IDS[index]), label="command")
        self._handle_everywhere(command, actor)

    @initialize(data=st.data())
    def submit_some(self, data: st.DataObject) -> None:
        """Most runs start with complaints in the stores (each may still be refused)."""
        for cid in IDS:
            if data.draw(st.booleans(), label=f"submit {cid}"):
                self.clock.advance(timedelta(minutes=data.draw(st.integers(0, 600))))
                command = data.draw(submits_for(cid))
                self._handle_everywhere(command, data.draw(st.sampled_from(ACTORS[:3])))

    @rule(
        index=st.integers(0, len(IDS) - 1),
        picks=st.lists(st.integers(0, 7), min_size=1, max_size=4),
        hours=st.integers(0, 48),
    )
    def progress(self, index: int, picks: list[int], hours: int) -> None:
        """A few steps along the main path, so that deeper states are reached often."""
        cid = IDS[index]
        for pick in picks:
            self.clock.advance(timedelta(hours=hours))
            steps = happy_steps(cid, self.statuses[cid])
            actor, command = steps[pick % len(steps)]
            self._handle_everywhere(command, actor)

    @rule(hours=st.integers(1, 24 * 25), batch=st.integers(1, 3))
    def sweep(self, hours: int, batch: int) -> None:
        now = self.clock.advance(timedelta(hours=hours))
        reports = [attrs.astuple(s.sweep(now, batch=batch), recurse=False) for s in self.services]
        for (name, _store), report in zip(self.stores[1:], reports[1:], strict=True):
            assert reports[0] == report, f"{name} swept differently at {now}"
        event(f"sweep wrote {min(len(reports[0][2]), 3)}+ events")
        for cid in IDS:
            row = _row(self.stores[0][1], cid)
            self.statuses[cid] = None if row is None else row.status

    def _queries(self, now: datetime) -> list[ComplaintQuery]:
        return [
            ComplaintQuery(limit=2),
            ComplaintQuery(statuses=frozenset({Status.SUBMITTED, Status.FORWARDED})),
            ComplaintQuery(agencies=frozenset({"samarinda", "samarinda.dishub", "kaltim.pupr"})),
            ComplaintQuery(region_prefix="64", category="infrastruktur"),
            ComplaintQuery(due_before=now, submitted_from=T0 + timedelta(hours=12)),
        ]

    @invariant()
    def stores_agree(self) -> None:
        now = self.clock.now()
        views = []
        for name, store in self.stores:
            log = _log(store)
            positions = [s.position for s in log]
            assert all(a < b for a, b in itertools.pairwise(positions)), name
            views.append(
                {
                    "streams": [store.load(cid) for cid in IDS],
                    "rows": [_row(store, cid) for cid in IDS],
                    "log": [(type(s.event), s.complaint_id, s.version, s.event) for s in log],
                    "queries": [_pages(store, q) for q in self._queries(now)],
                    "keys": [store.idempotency(key) for key in KEYS],
                    "due now": store.claim_due(now, claimant=CLAIMANT, lease=LEASE),
                    "due later": store.claim_due(
                        now + timedelta(days=7), claimant=CLAIMANT, lease=LEASE
                    ),
                }
            )
        reference = views[0]
        for (name, _store), view in zip(self.stores[1:], views[1:], strict=True):
            for aspect, value in view.items():
                assert reference[aspect] == value, f"{name} differs from memory in {aspect}"
        for cid in IDS:
            row = _row(self.stores[0][1], cid)
            assert len(self.stores[0][1].load(cid)) == (0 if row is None else row.version), cid


class MemoryAndSQLite(Backends):
    kinds = ("sqlite",)


class MemoryAndPostgres(Backends):
    kinds = ("postgres",)


POSTGRES_EXAMPLES = 100
"""At most this many examples against PostgreSQL: each runs 25 steps of queries on a real
server (150 took 100 s of CI); SQLite runs :data:`~tests.helpers.STATEFUL_EXAMPLES`."""


def _run(machine: type[Backends], max_examples: int = STATEFUL_EXAMPLES) -> None:
    examples = stateful_examples(max_examples)
    run_state_machine_as_test(
        machine, settings=settings(stateful_step_count=25, max_examples=examples)
    )


def test_memory_and_sqlite_agree_step_by_step() -> None:
    _run(MemoryAndSQLite)


@pytest.mark.postgres
def test_memory_and_postgres_agree_step_by_step() -> None:
    require_dsn()  # skip, or fail under CI, before Hypothesis starts
    _run(MemoryAndPostgres, POSTGRES_EXAMPLES)
