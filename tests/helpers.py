"""Shared builders for the domain-core tests: contexts, actors, a start time, stories."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import settings

from lapor_core import (
    Actor,
    Archive,
    ArchiveReason,
    AutoClose,
    Category,
    ChangePrivacy,
    Channel,
    ChannelType,
    Classify,
    Close,
    Command,
    Complaint,
    ComplaintId,
    Content,
    Context,
    Event,
    Forward,
    ForwardInternally,
    Kind,
    LaporError,
    PostFollowUp,
    Privacy,
    Profile,
    ProvideInformation,
    Rate,
    RegionCode,
    RejectDisposition,
    Reopen,
    Reply,
    Reporter,
    RequestInformation,
    Role,
    Status,
    Submit,
    decide,
    evolve,
    load_profile,
    load_registry,
    make_agency_actor,
)
from lapor_core.domain.lifecycle import TRANSITIONS
from lapor_core.storage import ComplaintStore, InMemoryStore, SQLiteStore

T0 = datetime(2025, 3, 27, 1, 30, tzinfo=UTC)
"""An aware instant: the first event of every story."""
STEP = timedelta(hours=1)
"""The time between two steps of a story."""

PROFILE = load_profile("national")
REGISTRY = load_registry("kaltim")
CTX = Context.create(PROFILE, REGISTRY)


def national_toml() -> str:
    """The text of the bundled national profile."""
    return (
        resources.files("lapor_core.profiles").joinpath("national.toml").read_text(encoding="utf-8")
    )


def edit_table(text: str, table: str, old: str, new: str) -> str:
    """Replace *old* by *new* inside the TOML table headed ``[table]`` (where it occurs once)."""
    header = f"[{table}]\n"
    start = text.index(header)
    end = text.find("\n[", start + len(header))
    end = len(text) if end == -1 else end
    block = text[start:end]
    assert block.count(old) == 1, (table, old)
    return text[:start] + block.replace(old, new) + text[end:]


def _open_toml() -> str:
    text = edit_table(national_toml(), "profile", 'name = "national"', 'name = "terbuka"')
    for option in ("reopen", "rating"):
        text = edit_table(text, f"options.{option}", "enabled = false", "enabled = true")
    return text


OPEN_PROFILE = Profile.from_toml(_open_toml())
"""The national rules with the gated options (``reopen``, ``rating``) switched on."""
OPEN_CTX = Context.create(OPEN_PROFILE, REGISTRY)

CID = ComplaintId("c-1")
REPORTER = Reporter(id="pelapor-1", name="Siti Aminah", contact="+62811000000")
OTHER_REPORTER = Reporter(id="pelapor-2", name="Budi Santoso")

HOME = "samarinda"
"""The agency the stories route to (router and first assignee)."""
AWAY = "balikpapan"
"""A sibling agency: its actors are out of scope for the stories' complaints."""

OWNER = Actor.reporter(REPORTER.id)
STRANGER = Actor.reporter(OTHER_REPORTER.id)
NATIONAL = Actor.national_admin("admin-nasional")
SYSTEM = Actor.system()


def agency_actor(role: Role, agency: str) -> Actor:
    """An agency-scoped actor, checked against the registry."""
    return make_agency_actor(REGISTRY, f"{role.value}@{agency}", role, agency)


def in_scope(role: Role) -> Actor:
    """An actor of *role* who may act on the stories' complaints (agency roles at HOME)."""
    if role.is_agency_role:
        return agency_actor(role, HOME)
    return {Role.REPORTER: OWNER, Role.NATIONAL_ADMIN: NATIONAL, Role.SYSTEM: SYSTEM}[role]


def out_of_scope(role: Role) -> Actor:
    """An agency actor of *role* at a sibling agency (AWAY)."""
    assert role.is_agency_role
    return agency_actor(role, AWAY)


def submit_command(cid: ComplaintId = CID, **changes: Any) -> Submit:
    """A reporter's web submission about Samarinda, addressed to Samarinda; fields overridable."""
    base = Submit(
        complaint_id=cid,
        content=Content(
            title="Lampu lalu lintas mati",
            body="Lampu lalu lintas di simpang Jl. Juanda mati sejak tiga hari.",
            location="Simpang Jl. Juanda, Samarinda",
        ),
        kind=Kind.COMPLAINT,
        reporter=REPORTER,
        channel=Channel(ChannelType.WEB),
        region=RegionCode("64.72"),
        category=Category("infrastruktur"),
        target_agency=HOME,
    )
    return attrs.evolve(base, **changes) if changes else base


def sample_command(command_type: type[Command], cid: ComplaintId = CID) -> Command:
    """A well-formed command of *command_type* for the stories' complaint."""
    samples: dict[type[Command], Command] = {
        Submit: submit_command(cid),
        Classify: Classify(complaint_id=cid, title="Lampu lalu lintas Jl. Juanda mati"),
        RequestInformation: RequestInformation(complaint_id=cid, question="Simpang yang mana?"),
        ProvideInformation: ProvideInformation(complaint_id=cid, text="Simpang Jl. Antasari."),
        Forward: Forward(complaint_id=cid, agencies=("kaltim.dinkes",)),
        ForwardInternally: ForwardInternally(complaint_id=cid, agency=HOME, to="samarinda.dishub"),
        RejectDisposition: RejectDisposition(
            complaint_id=cid, agency=HOME, reason="Bukan wewenang"
        ),
        PostFollowUp: PostFollowUp(complaint_id=cid, agency=HOME, text="Sudah diperbaiki."),
        Reply: Reply(complaint_id=cid, text="Terima kasih."),
        Close: Close(complaint_id=cid),
        AutoClose: AutoClose(complaint_id=cid),
        Archive: Archive(complaint_id=cid, reason=ArchiveReason.UNCLEAR),
        Rate: Rate(complaint_id=cid, score=4),
        Reopen: Reopen(complaint_id=cid, reason="Lampu mati lagi."),
        ChangePrivacy: ChangePrivacy(
            complaint_id=cid, privacy=Privacy(anonymous=True, confidential=True)
        ),
    }
    if command_type in samples:
        return samples[command_type]
    # a command type added later (the sweeper's clock commands): fill its fields generically
    fields = attrs.fields_dict(command_type)
    values = {k: v for k, v in _GENERIC_FIELDS.items() if k in fields}
    return command_type(complaint_id=cid, **values)


_GENERIC_FIELDS: dict[str, Any] = {
    "clock": "forwarding",
    "threshold": 50,
    "amount": 1,
    "reason": "Alasan.",
    "text": "Teks.",
    "note": "Catatan.",
    "previous_until": 2024,
}

KNOWN_COMMAND_TYPES: tuple[type[Command], ...] = (
    Submit,
    Classify,
    RequestInformation,
    ProvideInformation,
    Forward,
    ForwardInternally,
    RejectDisposition,
    PostFollowUp,
    Reply,
    Close,
    AutoClose,
    Archive,
    Rate,
    Reopen,
    ChangePrivacy,
)
COMMAND_TYPES: tuple[type[Command], ...] = (
    *KNOWN_COMMAND_TYPES,
    *sorted({r.command for r in TRANSITIONS} - set(KNOWN_COMMAND_TYPES), key=lambda t: t.__name__),
)
"""Every concrete command type: the known ones and any other the table names."""


@attrs.define
class Story:
    """
    One complaint driven by commands: ``decide`` then ``evolve``, one STEP apart.

    ``now`` is always the instant of the next step (after the last event).
    """

    ctx: Context = CTX
    complaint: Complaint | None = None
    events: list[Event] = attrs.Factory(list)
    now: datetime = T0

    def do(self, actor: Actor, command: Command) -> tuple[Event, ...]:
        """Decide *command* now, apply its events, and move the clock one STEP on."""
        new = decide(self.complaint, command, actor, self.now, self.ctx)
        for event in new:
            self.complaint = evolve(self.complaint, event)
        self.events.extend(new)
        self.now += STEP
        return new

    @property
    def state(self) -> Complaint:
        """The complaint (the story must have started)."""
        assert self.complaint is not None
        return self.complaint


def apply(complaint: Complaint | None, events: tuple[Event, ...]) -> Complaint:
    """Fold *events* onto *complaint*."""
    state = complaint
    for event in events:
        state = evolve(state, event)
    assert state is not None
    return state


def drive(
    status: Status, ctx: Context = CTX, cid: ComplaintId = CID, **submit_changes: Any
) -> Story:
    """
    A story whose complaint ends in *status*, by the usual path.

    Submitted by OWNER to HOME; on hold after a national request; forwarded by the national
    admin to HOME; in progress after HOME's liaison officer follows up; completed when HOME's
    admin closes it; archived (unclear) by the national admin straight after submission.
    """
    story = Story(ctx)
    story.do(OWNER, submit_command(cid, **submit_changes))
    if status is Status.SUBMITTED:
        return story
    if status is Status.ON_HOLD:
        story.do(NATIONAL, sample_command(RequestInformation, cid))
        return story
    if status is Status.ARCHIVED:
        story.do(NATIONAL, sample_command(Archive, cid))
        return story
    story.do(NATIONAL, Forward(complaint_id=cid, agencies=(HOME,)))
    if status is Status.FORWARDED:
        return story
    story.do(in_scope(Role.LIAISON_OFFICER), sample_command(PostFollowUp, cid))
    if status is Status.IN_PROGRESS:
        return story
    story.do(in_scope(Role.AGENCY_ADMIN), sample_command(Close, cid))
    assert status is Status.COMPLETED
    return story


def drive_to(
    status: Status, ctx: Context = CTX, cid: ComplaintId = CID, **submit_changes: Any
) -> tuple[Complaint, tuple[Event, ...]]:
    """The complaint driven to *status* (see :func:`drive`) and its events."""
    story = drive(status, ctx, cid, **submit_changes)
    return story.state, tuple(story.events)


BACKENDS = ("memory", "sqlite", "postgres")
"""The three backends, for ``@pytest.fixture(params=BACKENDS)`` with :func:`backend_store`."""


def postgres_dsn() -> str:
    """The test server's DSN; without one the test is skipped (failed when ``CI`` is set)."""
    dsn = os.environ.get("LAPOR_TEST_POSTGRES_DSN")
    if not dsn:
        if os.environ.get("CI"):
            pytest.fail("LAPOR_TEST_POSTGRES_DSN is not set (CI is set: refusing to skip)")
        pytest.skip("LAPOR_TEST_POSTGRES_DSN is not set: PostgreSQL tests need a server")
    return dsn


@contextlib.contextmanager
def backend_store(kind: str, directory: Path) -> Iterator[ComplaintStore]:
    """
    A fresh store of *kind* (``memory``, ``sqlite`` or ``postgres``), closed afterwards.

    PostgreSQL gets a schema of its own, dropped afterwards; without
    ``LAPOR_TEST_POSTGRES_DSN`` the test is skipped (failed when ``CI`` is set).
    """
    if kind == "memory":
        store: ComplaintStore = InMemoryStore()
    elif kind == "sqlite":
        store = SQLiteStore(directory / "backend.sqlite3")
    else:
        dsn = postgres_dsn()
        from lapor_core.storage.postgres import PostgresStore  # noqa: PLC0415 - optional extra

        store = PostgresStore(dsn, schema=f"lapor_t_{uuid.uuid4().hex[:12]}", max_size=2)
    try:
        yield store
    finally:
        store.close()
        if kind == "postgres":
            store.drop_schema()  # type: ignore[attr-defined]


@contextlib.contextmanager
def denied(store: ComplaintStore) -> Iterator[None]:
    """Every statement of this thread's connection refused by SQLite itself."""
    assert isinstance(store, SQLiteStore)
    connection = store._conn()
    connection.set_authorizer(lambda *_: sqlite3.SQLITE_DENY)
    try:
        yield
    finally:
        connection.set_authorizer(None)


def refused(call: Callable[[], object]) -> LaporError:
    """The error *call* raises (the test fails if it raises none)."""
    with pytest.raises(LaporError) as caught:
        call()
    return caught.value


class LoadCountingStore(InMemoryStore):
    """An in-memory store that records the complaints whose streams it is asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: list[ComplaintId] = []

    def load(self, complaint_id: ComplaintId) -> tuple[Event, ...]:
        self.reads.append(complaint_id)
        return super().load(complaint_id)

    def load_latest(self, complaint_id: ComplaintId) -> tuple[Complaint | None, tuple[Event, ...]]:
        self.reads.append(complaint_id)
        return super().load_latest(complaint_id)


def regional_submit(cid: str) -> Submit:
    """A named reporter's LAPOR WAL! submission about Samarinda, routed by the rules."""
    return Submit(
        complaint_id=ComplaintId(cid),
        content=Content(title="Jalan rusak", body="Jalan rusak parah."),
        kind=Kind.COMPLAINT,
        reporter=Reporter(id="pelapor", name="Siti"),
        channel=Channel(ChannelType.REGIONAL_APP, "LAPOR WAL!"),
        region=RegionCode("64.72"),
    )


STATEFUL_EXAMPLES = 150
"""The most examples a state machine runs, whatever the profile asks.

Each example of a machine is a run of 20 to 30 steps, so the thorough profile's 500
examples cost 10,000 to 15,000 steps a test: 150 keep CI well under its time while
still 3 times the quick profile's count."""


def stateful_examples(cap: int = STATEFUL_EXAMPLES) -> int:
    """The current profile's ``max_examples``, at most *cap* (see :data:`STATEFUL_EXAMPLES`)."""
    return min(settings().max_examples, cap)


class NoOffset(tzinfo):
    """A time zone that gives no offset: a datetime in it counts as naive."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``lapor-core *argv*`` in this process: its exit code, standard output and error."""
    from lapor_core.cli import main  # noqa: PLC0415 - the CLI's imports, for its tests only

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def cli_usage_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """The standard error of ``lapor-core *argv*``, which must stop with a usage error (2)."""
    from lapor_core.cli import main  # noqa: PLC0415

    with pytest.raises(SystemExit) as info:
        main(list(argv))
    assert 2 == info.value.code
    err = capsys.readouterr().err
    assert err.startswith(("usage:", "penggunaan:")), err
    return err
