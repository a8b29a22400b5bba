# ruff: noqa: T201 - a worker reports to the test on stdout
"""
Shared scenario code for the storage stress tests, and a worker run in subprocesses.

Importable by the tests (``from storage_worker import ...``: ``tests/storage`` is on
``sys.path`` under pytest) and runnable as a script, which needs only ``lapor_core``::

    python storage_worker.py hammer SPEC WORKER COUNT SEED   # ids on stdin; JSON outcomes
    python storage_worker.py sweep SPEC CLAIMANT             # one sweep per stdin line
    python storage_worker.py crash SPEC PREFIX               # "ACK cid version" forever

SPEC is JSON: ``{"backend": "sqlite", "path": ...}`` or ``{"backend": "postgres",
"dsn": ..., "schema": ...}``.
"""

from __future__ import annotations

import contextlib
import json
import random
import sys
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from lapor_core import (
    Actor,
    Category,
    ChangePrivacy,
    Channel,
    ChannelType,
    Classify,
    Command,
    ComplaintId,
    Content,
    Event,
    Forward,
    Kind,
    LaporError,
    PostFollowUp,
    Privacy,
    RegionCode,
    Reply,
    Reporter,
    RequestInformation,
    Role,
    Submit,
    load_profile,
    load_registry,
    make_agency_actor,
)
from lapor_core.errors import InvalidTransition, PermissionDenied, ValidationError
from lapor_core.service import ComplaintService, ManualClock
from lapor_core.storage.base import ComplaintStore
from lapor_core.storage.memory import InMemoryStore
from lapor_core.storage.sqlite import SQLiteStore

PROFILE = load_profile("national")
REGISTRY = load_registry("kaltim")
T0 = datetime(2025, 5, 5, 2, 0, tzinfo=UTC)
"""A Monday morning in Samarinda: every scenario starts here."""

REPORTER = Reporter(id="pelapor", name="Siti Aminah")
CITIZEN = Actor.reporter(REPORTER.id)
STRANGER = Actor.reporter("orang-lain")
NATIONAL = Actor.national_admin("admin-nasional")
SAMARINDA_ADMIN = make_agency_actor(REGISTRY, "adm-smd", Role.AGENCY_ADMIN, "samarinda")
SAMARINDA_LIAISON = make_agency_actor(REGISTRY, "lo-smd", Role.LIAISON_OFFICER, "samarinda")
DOMAIN_REFUSALS = (InvalidTransition, PermissionDenied, ValidationError)
"""What a refused command may raise under contention (never a storage error)."""


def open_spec(spec: dict[str, str]) -> ComplaintStore:
    """Open the store a SPEC names (see the module docstring)."""
    if spec["backend"] == "sqlite":
        return SQLiteStore(spec["path"], busy_timeout=30.0)
    if spec["backend"] == "postgres":
        from lapor_core.storage.postgres import PostgresStore  # noqa: PLC0415 - optional extra

        return PostgresStore(spec["dsn"], schema=spec["schema"], max_size=4)
    raise ValueError(f"unknown backend {spec['backend']!r}")


@contextlib.contextmanager
def backend(kind: str, directory: Path) -> Iterator[tuple[dict[str, str] | None, ComplaintStore]]:
    """
    A fresh store of *kind* (``memory``, ``sqlite`` or ``postgres``) and its SPEC.

    The SPEC (``None`` for memory) lets worker processes open the same store. PostgreSQL
    gets a schema of its own, dropped afterwards; without ``LAPOR_TEST_POSTGRES_DSN`` the
    test is skipped (failed under CI).
    """
    spec: dict[str, str] | None
    store: ComplaintStore
    if kind == "memory":
        spec, store = None, InMemoryStore()
    elif kind == "sqlite":
        spec = {"backend": "sqlite", "path": str(directory / "lapor.sqlite3")}
        store = open_spec(spec)
    else:
        from test_postgres import require_dsn  # noqa: PLC0415 - test-only, imports pytest

        schema = f"lapor_test_{uuid.uuid4().hex[:12]}"
        spec = {"backend": "postgres", "dsn": require_dsn(), "schema": schema}
        store = open_spec(spec)
    try:
        yield spec, store
    finally:
        store.close()
        if kind == "postgres":
            from lapor_core.storage.postgres import PostgresStore  # noqa: PLC0415

            assert isinstance(store, PostgresStore)
            store.drop_schema()


def worker_command(mode: str, spec: dict[str, str], *args: object) -> list[str]:
    """The argv that runs this file as a worker in *mode* (for ``subprocess``)."""
    return [sys.executable, __file__, mode, json.dumps(spec), *(str(a) for a in args)]


def service_for(
    store: ComplaintStore, clock: ManualClock | None = None, *, cache_size: int = 0
) -> ComplaintService:
    """A service on *store* with the national profile; its clock stands at T0 + 1 hour."""
    return ComplaintService(
        store,
        PROFILE,
        REGISTRY,
        clock=clock if clock is not None else ManualClock(T0 + timedelta(hours=1)),
        max_attempts=200,
        cache_size=cache_size,
    )


def submit(cid: str, *, category: str | None = "infrastruktur") -> Submit:
    """A citizen's web submission about Samarinda."""
    return Submit(
        complaint_id=ComplaintId(cid),
        content=Content(title="Jalan rusak", body="Jalan di depan pasar rusak parah."),
        kind=Kind.COMPLAINT,
        reporter=REPORTER,
        channel=Channel(ChannelType.WEB),
        region=RegionCode("64.72"),
        category=Category(category) if category is not None else None,
        target_agency="samarinda",
    )


def in_progress(service: ComplaintService, cid: str, at: datetime = T0) -> None:
    """Submit *cid*, forward it to Samarinda and post a follow-up (status in_progress)."""
    complaint_id = ComplaintId(cid)
    service.handle(submit(cid), CITIZEN, now=at)
    service.handle(
        Forward(complaint_id=complaint_id, agencies=("samarinda",)),
        NATIONAL,
        now=at + timedelta(minutes=1),
    )
    service.handle(
        PostFollowUp(complaint_id=complaint_id, agency="samarinda", text="Sedang ditangani."),
        SAMARINDA_LIAISON,
        now=at + timedelta(minutes=2),
    )


# --------------------------------------------------------------------------- hammer

HAMMER_KINDS = (
    "reply",
    "reply_by_stranger",
    "classify",
    "classify_by_citizen",
    "follow_up",
    "privacy",
    "forward",
)


def hammer_command(  # noqa: PLR0911 - one return per kind
    kind: str, cid: str, marker: str, rng: random.Random
) -> tuple[Actor, Command]:
    """
    A command of *kind* on *cid* that carries *marker* into its event.

    The marker travels in the text or title, or (privacy changes and forwards, which carry
    neither) as the id of the national admin who issues the command.
    """
    complaint_id = ComplaintId(cid)
    if kind == "reply":
        return CITIZEN, Reply(complaint_id=complaint_id, text=marker)
    if kind == "reply_by_stranger":
        return STRANGER, Reply(complaint_id=complaint_id, text=marker)
    if kind == "classify":
        return NATIONAL, Classify(complaint_id=complaint_id, title=marker)
    if kind == "classify_by_citizen":
        return CITIZEN, Classify(complaint_id=complaint_id, title=marker)
    if kind == "follow_up":
        return SAMARINDA_LIAISON, PostFollowUp(
            complaint_id=complaint_id, agency="samarinda", text=marker
        )
    admin = Actor.national_admin(marker)
    if kind == "privacy":
        privacy = Privacy(anonymous=rng.random() < 0.5, confidential=rng.random() < 0.5)
        return admin, ChangePrivacy(complaint_id=complaint_id, privacy=privacy)
    if kind == "forward":
        agency = rng.choice(["balikpapan", "kaltim", "samarinda.dishub"])
        return admin, Forward(complaint_id=complaint_id, agencies=(agency,))
    raise ValueError(f"unknown command kind {kind!r}")


def marker_of(event: Event) -> str | None:
    """The marker a hammer command left in *event* (``None`` for setup events)."""
    for field in ("text", "title"):
        value = getattr(event, field, None)
        if isinstance(value, str) and value.startswith("w"):
            return value
    actor_id = event.actor.id
    return actor_id if actor_id.startswith("w") else None


def run_hammer(
    service: ComplaintService, worker: int, count: int, cids: Sequence[str], seed: int
) -> list[dict[str, Any]]:
    """
    Issue *count* random hammer commands; return one outcome per command.

    An outcome is ``{"marker", "cid", "kind", "ok", "events", "error"}``. A refusal outside
    :data:`DOMAIN_REFUSALS` propagates (the caller fails).
    """
    rng = random.Random(seed)  # noqa: S311 - a reproducible mix of commands, not crypto
    outcomes: list[dict[str, Any]] = []
    for i in range(count):
        cid = rng.choice(list(cids))
        kind = rng.choice(HAMMER_KINDS)
        marker = f"w{worker}-{i}"
        actor, command = hammer_command(kind, cid, marker, rng)
        outcome: dict[str, Any] = {"marker": marker, "cid": cid, "kind": kind}
        try:
            result = service.handle(command, actor)
        except DOMAIN_REFUSALS as exc:
            outcome.update(ok=False, events=0, error=type(exc).__name__)
        else:
            outcome.update(ok=True, events=len(result.events), error=None, attempts=result.attempts)
        outcomes.append(outcome)
    return outcomes


# --------------------------------------------------------------------------- main


def _hammer(spec: dict[str, str], args: Sequence[str]) -> None:
    worker, count, seed = (int(a) for a in args)
    store = open_spec(spec)
    try:
        service = service_for(store, cache_size=8)
        print("READY", flush=True)
        cids = json.loads(sys.stdin.readline())  # the go signal
        for outcome in run_hammer(service, worker, count, cids, seed):
            print(json.dumps(outcome), flush=True)
    finally:
        store.close()


def _sweep(spec: dict[str, str], args: Sequence[str]) -> None:
    """One sweep per instant read from stdin; print how many events each wrote."""
    (claimant,) = args
    store = open_spec(spec)
    try:
        service = service_for(store)
        print("READY", flush=True)
        for line in sys.stdin:
            instant = datetime.fromisoformat(line.strip())
            report = service.sweep(instant, claimant=claimant, batch=2)
            print(json.dumps({"events": len(report.events), "skipped": report.skipped}), flush=True)
    finally:
        store.close()


def crash_loop(service: ComplaintService, prefix: str) -> None:
    """
    Write complaints forever, printing ``ACK cid version`` after each committed command.

    Each complaint is submitted, forwarded, followed up, replied to and classified; then a
    sweep 20 days later closes it automatically (a two-event append).
    """
    base = T0
    i = 0
    while True:
        cid = f"{prefix}-{i}"
        complaint_id = ComplaintId(cid)
        steps: list[tuple[Actor, Command]] = [
            (CITIZEN, submit(cid)),
            (NATIONAL, Forward(complaint_id=complaint_id, agencies=("samarinda",))),
            (
                SAMARINDA_LIAISON,
                PostFollowUp(complaint_id=complaint_id, agency="samarinda", text=f"tl {cid}"),
            ),
            (CITIZEN, Reply(complaint_id=complaint_id, text=f"balas {cid}")),
            (NATIONAL, Classify(complaint_id=complaint_id, title=f"judul {cid}")),
        ]
        if i % 4 == 3:  # sometimes a complaint waits on the reporter instead
            steps = [
                *steps[:1],
                (NATIONAL, RequestInformation(complaint_id=complaint_id, question="?")),
            ]
        for n, (actor, command) in enumerate(steps):
            result = service.handle(command, actor, now=base + timedelta(minutes=n))
            print(f"ACK {cid} {result.complaint.version}", flush=True)
        report = service.sweep(base + timedelta(days=20))
        for touched in sorted({e.complaint_id for e in report.events}, key=str):
            print(f"ACK {touched.value} {service.get(touched).version}", flush=True)
        i += 1


def _crash(spec: dict[str, str], args: Sequence[str]) -> None:
    (prefix,) = args
    store = open_spec(spec)
    print("READY", flush=True)
    crash_loop(service_for(store), prefix)


def main(argv: Sequence[str]) -> int:
    """Run the mode *argv* names; a non-domain error exits non-zero with a traceback."""
    mode, spec_text, *args = argv
    spec = json.loads(spec_text)
    modes = {"hammer": _hammer, "sweep": _sweep, "crash": _crash}
    try:
        modes[mode](spec, args)
    except LaporError as exc:
        print(f"ERROR {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
