"""
Hostile text through every backend: memory, SQLite and PostgreSQL accept and refuse the same.

The domain's text rules refuse what a store cannot hold (lone surrogates, NUL, other
controls) at construction, before any store is involved; what they accept, every store
must write and load back unchanged. Before the rules, memory kept a lone surrogate that
SQLite and PostgreSQL refused with a raw ``UnicodeEncodeError``, and NUL in an actor id
or a tag reached SQLite but not PostgreSQL.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from lapor_core import (
    Actor,
    Channel,
    ChannelType,
    Classify,
    Command,
    ComplaintId,
    Content,
    Context,
    Event,
    Kind,
    Reporter,
    RequestInformation,
    Submit,
    ValidationError,
    decide,
    load_profile,
    load_registry,
    replay,
)
from lapor_core.domain.model import ExternalIds
from lapor_core.storage import ComplaintStore, InMemoryStore, SQLiteStore, project
from lapor_core.testing.strategies import hostile_texts

DSN_ENV = "LAPOR_TEST_POSTGRES_DSN"
CTX = Context.create(load_profile("national"), load_registry("kaltim"))
T0 = datetime(2025, 3, 27, 1, 30, tzinfo=UTC)
IDS = itertools.count()


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ComplaintStore]]:
    made: dict[str, ComplaintStore] = {
        "memory": InMemoryStore(),
        "sqlite": SQLiteStore(tmp_path_factory.mktemp("hostile") / "hostile.sqlite3"),
    }
    dsn = os.environ.get(DSN_ENV)
    if dsn:
        from lapor_core.storage.postgres import PostgresStore  # noqa: PLC0415 - optional extra

        made["postgres"] = PostgresStore(
            dsn, schema=f"lapor_hostile_{uuid.uuid4().hex[:12]}", max_size=2
        )
    elif os.environ.get("CI"):
        pytest.fail(f"{DSN_ENV} is not set (CI is set: refusing to skip PostgreSQL)")
    try:
        yield made
    finally:
        for store in made.values():
            store.close()
        pg = made.get("postgres")
        if pg is not None:
            pg.drop_schema()  # type: ignore[attr-defined]


def _submit(cid: ComplaintId, field: str, value: str) -> tuple[Actor, Submit]:
    content = {"title": "Jalan rusak", "body": "Jalan di depan pasar berlubang."}
    reporter = {"id": "pelapor-1", "name": "Siti"}
    channel = Channel(ChannelType.WEB)
    external = ExternalIds()
    key = None
    if field in content:
        content[field] = value
    elif field in reporter:
        reporter[field] = value
    elif field == "location":
        content["location"] = value
    elif field == "contact":
        reporter["contact"] = value
    elif field == "channel":
        channel = Channel(ChannelType.REGIONAL_APP, value)
    elif field == "regional_app_id":
        external = ExternalIds(regional_app_id=value)
    elif field == "idempotency_key":
        key = f"{cid}:{value}"[:200]
    submit = Submit(
        complaint_id=cid,
        content=Content(content["title"], content["body"], content.get("location")),
        kind=Kind.COMPLAINT,
        reporter=Reporter(**reporter),
        channel=channel,
        external_ids=external,
        idempotency_key=key,
    )
    return Actor.reporter(submit.reporter.id), submit


def _later(cid: ComplaintId, field: str, value: str) -> tuple[Actor, Command]:
    admin = Actor.national_admin("admin-1")
    if field == "tag":
        return admin, Classify(complaint_id=cid, tags=(value,))
    if field == "classified_title":
        return admin, Classify(complaint_id=cid, title=value)
    if field == "question":
        return admin, RequestInformation(complaint_id=cid, question=value)
    return Actor.national_admin(value), Classify(complaint_id=cid, tags=("prioritas",))


SUBMIT_FIELDS = [
    "title",
    "body",
    "location",
    "id",
    "name",
    "contact",
    "channel",
    "regional_app_id",
    "idempotency_key",
]
LATER_FIELDS = ["tag", "classified_title", "question", "actor_id"]


def _events(field: str, value: str, cid: ComplaintId) -> list[tuple[Command, list[Event]]]:
    """The commands and their events, or ValidationError at construction."""
    steps: list[tuple[Command, list[Event]]] = []
    if field in SUBMIT_FIELDS:
        actor, submit = _submit(cid, field, value)
        steps.append((submit, list(decide(None, submit, actor, T0, CTX))))
        return steps
    plain_actor, plain = _submit(cid, "title", "Jalan rusak")
    first = list(decide(None, plain, plain_actor, T0, CTX))
    steps.append((plain, first))
    actor, command = _later(cid, field, value)
    later = decide(replay(first), command, actor, T0 + timedelta(hours=1), CTX)
    steps.append((command, list(later)))
    return steps


def _write(
    store: ComplaintStore, cid: ComplaintId, steps: list[tuple[Command, list[Event]]]
) -> None:
    version, written = 0, []
    for command, events in steps:
        written += events
        row = project(replay(written), CTX.calendar, CTX.profile.clocks)
        store.append(cid, version, events, row, idempotency_key=command.idempotency_key)
        version += len(events)


@settings(max_examples=150, deadline=None)
@given(field=st.sampled_from(SUBMIT_FIELDS + LATER_FIELDS), value=hostile_texts())
def test_every_backend_accepts_and_refuses_the_same_text(
    stores: dict[str, ComplaintStore], field: str, value: str
) -> None:
    """Refused at construction for all, or written and read back unchanged by all."""
    cid = ComplaintId(f"hostile-{next(IDS)}")
    try:
        steps = _events(field, value, cid)
    except ValidationError:
        event("refused")
        for store in stores.values():
            assert () == store.load(cid)
        return
    event("accepted")
    expected = [e for _, events in steps for e in events]
    for name, store in stores.items():
        _write(store, cid, steps)
        assert expected == list(store.load(cid)), name
        assert replay(expected) == replay(store.load(cid)), name
        assert cid == store.get(cid).id, name


@pytest.mark.parametrize(
    "build",
    [
        lambda cid: _events("title", "\ud800", cid),
        lambda cid: _events("name", "Siti\udfff", cid),
        lambda cid: _events("actor_id", "admin\x00", cid),
        lambda cid: _events("tag", "a\x00b", cid),
        lambda cid: _events("tag", "x" * 65, cid),
    ],
    ids=["surrogate-title", "surrogate-name", "nul-actor", "nul-tag", "long-tag"],
)
def test_what_a_sql_store_could_not_hold_is_refused_for_every_store(
    build: Callable[[ComplaintId], object],
) -> None:
    """The reproductions of the issue: refused with ValidationError, before any store."""
    with pytest.raises(ValidationError):
        build(ComplaintId(f"refused-{next(IDS)}"))


def test_the_postgres_backend_takes_part_when_a_server_is_named(
    stores: dict[str, ComplaintStore],
) -> None:
    """With LAPOR_TEST_POSTGRES_DSN set, the comparison includes PostgreSQL."""
    assert {"memory", "sqlite"} <= set(stores)
    assert ("postgres" in stores) == bool(os.environ.get(DSN_ENV))
