"""
Two ``lapor-core serve`` processes and two ``lapor-core sweep`` processes on one PostgreSQL
database, under a bounded load from two clients.

What must hold: every POST is answered, no submission is lost or stored twice (a retry with
the same ``Idempotency-Key`` names the same complaint, whichever server it reaches), and
every clock event owed by the complaints already in the database happens exactly once
although two sweepers claim at the same time.
"""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from web_helpers import KEY, free_port, post_form

import lapor_core as lc
from lapor_core.service import ComplaintService
from lapor_core.storage import StoredEvent, open_store
from lapor_core.web import hash_api_key

DSN_ENV = "LAPOR_TEST_POSTGRES_DSN"
CLIENTS = 2
POSTS_PER_CLIENT = 30
RETRIED_EVERY = 5  # every fifth POST is sent twice, to the other server the second time
SEEDED = 12
START_TIMEOUT = 60.0

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def database() -> Iterator[str]:
    """A database of its own on the test server, dropped afterwards."""
    dsn = os.environ.get(DSN_ENV)
    if not dsn:
        if os.environ.get("CI"):
            pytest.fail(f"{DSN_ENV} is not set (CI is set: refusing to skip PostgreSQL)")
        pytest.skip(f"{DSN_ENV} is not set: PostgreSQL tests need a server")
    import psycopg  # noqa: PLC0415 - the postgres extra

    name = f"lapor_processes_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{dsn.rsplit('/', 1)[0]}/{name}"
    try:
        yield url
    finally:
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _seed(url: str) -> None:
    """Complaints submitted weeks ago, so that warnings, breaches and closes are owed now."""
    service = ComplaintService(
        open_store(url), lc.load_profile("national"), lc.load_registry("kaltim")
    )
    try:
        now = datetime.now(UTC)
        for i in range(SEEDED):
            at = now - timedelta(days=3 + 3 * i)
            service.handle(
                lc.Submit(
                    complaint_id=lc.ComplaintId(f"seed-{i}"),
                    content=lc.Content(title=f"Laporan lama {i}", body="Jalan berlubang."),
                    kind=lc.Kind.COMPLAINT,
                    reporter=lc.Reporter(f"pelapor-{i}", "Warga"),
                    channel=lc.Channel(lc.ChannelType.WEB),
                    category=lc.Category("infrastruktur"),
                ),
                lc.Actor.reporter(f"pelapor-{i}"),
                now=at,
            )
    finally:
        service.store.close()


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "lapor_core", *args]


def _wait_until_serving(root: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, f"serve exited early with {process.returncode}"
        try:
            if httpx.get(f"{root}/discovery.json", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{root} did not answer within {START_TIMEOUT:.0f} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _load(roots: list[str], client: int, answers: dict[str, list[str]], errors: list[str]) -> None:
    """One client's share: POSTs alternating between the servers, some sent twice."""
    with httpx.Client(timeout=30) as http:
        for n in range(POSTS_PER_CLIENT):
            key = f"client{client}-post{n}"
            sends = 2 if n % RETRIED_EVERY == 0 else 1
            for attempt in range(sends):
                root = roots[(n + attempt + client) % len(roots)]
                response = http.post(
                    f"{root}/requests.json",
                    data=post_form(description=f"Laporan {key}\nLampu jalan mati."),
                    headers={"Idempotency-Key": key},
                )
                if response.status_code != 200:
                    errors.append(f"{key}: {response.status_code} {response.text[:200]}")
                    continue
                answers[key].append(response.json()[0]["service_request_id"])


def test_two_servers_and_two_sweepers_lose_and_repeat_nothing(
    database: str, tmp_path: Path
) -> None:
    _seed(database)
    config = tmp_path / "web.toml"
    config.write_text(
        'jurisdiction_id = "kaltimprov.go.id"\nrate_limit = "100000/minute"\n'
        f'[[api_keys]]\nsha256 = "{hash_api_key(KEY)}"\nname = "lapor-wal"\n',
        encoding="utf-8",
    )
    env = {**os.environ, "LAPOR_STORE": database}
    ports = [free_port(), free_port()]
    logs = [(tmp_path / f"serve-{port}.log").open("wb") for port in ports]
    servers = [
        subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
            _command("serve", "--config", str(config), "--port", str(port)),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for port, log in zip(ports, logs, strict=True)
    ]
    sweepers: list[subprocess.Popen[bytes]] = []
    try:
        roots = [f"http://127.0.0.1:{port}" for port in ports]
        for root, server in zip(roots, servers, strict=True):
            _wait_until_serving(root, server)
        sweepers = [
            subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
                _command("sweep", "--every", "1s", "--rounds", "4", "--claimant", name),
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for name in ("sweeper-a", "sweeper-b")
        ]
        answers: dict[str, list[str]] = collections.defaultdict(list)
        errors: list[str] = []
        threads = [
            threading.Thread(target=_load, args=(roots, c, answers, errors)) for c in range(CLIENTS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
            assert not thread.is_alive(), "a client did not finish within 120 s"
        for sweeper in sweepers:
            _, err = sweeper.communicate(timeout=120)
            assert 0 == sweeper.returncode, err.decode(errors="replace")[-2000:]
    finally:
        for process in [*servers, *sweepers]:
            _stop(process)
        for log in logs:
            log.close()

    served_logs = "\n".join(p.read_text(errors="replace")[-1000:] for p in tmp_path.glob("*.log"))
    assert [] == errors, served_logs
    assert CLIENTS * POSTS_PER_CLIENT == len(answers)
    for key, ids in answers.items():
        assert len(set(ids)) == 1, f"{key} was answered with several ids: {ids}"

    _check_the_store(database, answers)


def _check_the_store(database: str, answers: dict[str, list[str]]) -> None:
    """Every POST stored once, and every clock event owed happened exactly once."""
    service = ComplaintService(
        open_store(database), lc.load_profile("national"), lc.load_registry("kaltim")
    )
    try:
        stored = {s.complaint_id for s in _all_events(service)}
        posted = {lc.ComplaintId(ids[0]) for ids in answers.values()}
        assert posted <= stored
        assert SEEDED + len(posted) == len(stored), "a submission was stored twice or lost"
        clock_events = collections.Counter[tuple[str, str, str, str | None, int | None]]()
        for stored_event in _all_events(service):
            event = stored_event.event
            if isinstance(event, lc.ClockWarned):
                clock_events[
                    (str(event.complaint_id), "warned", event.clock, event.agency, event.threshold)
                ] += 1
            elif isinstance(event, lc.ClockBreached):
                clock_events[
                    (str(event.complaint_id), "breached", event.clock, event.agency, None)
                ] += 1
        assert clock_events, "the seeded complaints owed clock events and none happened"
        repeated = {key: n for key, n in clock_events.items() if n > 1}
        assert {} == repeated
        # and nothing owed was left undone: a sweep now has nothing to do
        assert 0 == len(service.sweep(claimant="check").events)
    finally:
        service.store.close()


def _all_events(service: ComplaintService) -> list[StoredEvent]:
    found: list[StoredEvent] = []
    after = 0
    while True:
        page = service.store.read_all(after=after, limit=1000)
        if not page:
            return found
        found.extend(page)
        after = page[-1].position
