"""Shared pieces of the GeoReport v2 server tests: a service, a configuration, the schemas."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from starlette.types import ASGIApp

import lapor_core as lc
from lapor_core.service import ComplaintService, ManualClock
from lapor_core.storage import open_store
from lapor_core.web import ApiKey, WebConfig, hash_api_key

PROFILE = lc.load_profile("national")
REGISTRY = lc.load_registry("kaltim")
NOW = datetime.fromisoformat("2026-03-02T09:00:00+08:00")
JURISDICTION = "kaltimprov.go.id"
KEY = "kunci-uji-wal-0001"
CLIENT = lc.Actor.system("lapor-wal")
CLIENT_CHANNEL = lc.Channel(lc.ChannelType.REGIONAL_APP, "LAPOR WAL!")
NATIONAL = lc.Actor.national_admin("admin-nasional")

SCHEMA_DIR = Path(__file__).resolve().parents[3] / "shared" / "open311-schema"
NO_SCHEMAS = "the official GeoReport v2 JSON schemas (../shared/open311-schema/) are not here"


def config(**changes: Any) -> WebConfig:
    base: dict[str, Any] = {
        "jurisdiction_id": JURISDICTION,
        "api_keys": (ApiKey(hash_api_key(KEY), CLIENT_CHANNEL, CLIENT, "lapor-wal"),),
        "rate_limit": None,
    }
    base.update(changes)
    return WebConfig(**base)


def make_service(url: str = "memory://", now: datetime = NOW) -> ComplaintService:
    return ComplaintService(open_store(url), PROFILE, REGISTRY, clock=ManualClock(now))


def post_form(**changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "api_key": KEY,
        "jurisdiction_id": JURISDICTION,
        "service_code": "infrastruktur",
        "description": "Lampu jalan mati\nLampu di Jl. Juanda mati sejak tiga hari.",
        "lat": "-0.5021",
        "long": "117.1536",
        "address_string": "Jl. Juanda, Samarinda",
        "email": "warga@example.org",
        "first_name": "Budi",
        "last_name": "Santoso",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def submit(
    service: ComplaintService,
    cid: str,
    *,
    at: datetime,
    category: str | None = "infrastruktur",
    tracking: str | None = None,
) -> lc.Complaint:
    command = lc.Submit(
        complaint_id=lc.ComplaintId(cid),
        content=lc.Content(
            title=f"Laporan {cid}", body=f"Isi laporan {cid}.", location="Samarinda"
        ),
        kind=lc.Kind.COMPLAINT,
        reporter=lc.Reporter(id=f"pelapor-{cid}", name="Siti Aminah"),
        channel=lc.Channel(lc.ChannelType.WEB),
        privacy=lc.Privacy(),
        category=lc.Category(category) if category is not None else None,
        external_ids=lc.ExternalIds(
            sp4n_tracking_id=lc.TrackingId(tracking) if tracking is not None else None
        ),
    )
    return service.handle(command, CLIENT, now=at).complaint


def archive(
    service: ComplaintService, cid: str, at: datetime, *, duplicate_of: str
) -> lc.Complaint:
    command = lc.Archive(
        complaint_id=lc.ComplaintId(cid),
        reason=lc.ArchiveReason.DUPLICATE,
        duplicate_of=lc.ComplaintId(duplicate_of),
    )
    return service.handle(command, NATIONAL, now=at).complaint


def before(days: float) -> datetime:
    return NOW - timedelta(days=days)


def _registry() -> Registry[Any]:
    resources = [
        (path.name, Resource.from_contents(json.loads(path.read_text()), DRAFT202012))
        for path in SCHEMA_DIR.glob("*.json")
    ]
    return Registry().with_resources(resources)


def validate(schema: str, document: object) -> None:
    """Validate *document* against the official schema *schema* (e.g. ``requests.json``)."""
    if not SCHEMA_DIR.is_dir():
        pytest.skip(NO_SCHEMAS)
    contents = json.loads((SCHEMA_DIR / schema).read_text())
    validator = Draft202012Validator(contents, registry=_registry())
    errors = sorted(validator.iter_errors(document), key=str)
    assert [] == [f"{list(e.absolute_path)}: {e.message}" for e in errors]


def free_port() -> int:
    """A port nothing listens on, on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def serving(app: ASGIApp) -> Iterator[int]:
    """
    *app* served by uvicorn in a thread on 127.0.0.1; yields the port, stops it after.

    With its lifespan, as ``lapor-core serve`` runs it: the application's writer thread
    ends with the server (without it, it outlived the test).
    """
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)
