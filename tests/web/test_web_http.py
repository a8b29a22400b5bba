"""The server over real HTTP: uvicorn on 127.0.0.1, driven by the `georeport` client from PyPI."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from defusedxml import ElementTree as SafeET
from georeport import GeoReport
from web_helpers import (
    JURISDICTION,
    KEY,
    archive,
    before,
    config,
    free_port,
    make_service,
    post_form,
    serving,
    submit,
    validate,
)

from lapor_core.service import ComplaintService
from lapor_core.web import create_app, hash_api_key


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, ComplaintService]]:
    """The application on a SQLite store, served by uvicorn in a thread."""
    service = make_service(f"sqlite:///{tmp_path / 'lapor.sqlite3'}")
    submit(service, "c-1", at=before(10))
    submit(service, "c-2", at=before(100))
    submit(service, "c-3", at=before(5), category=None)
    submit(service, "c-4", at=before(3), category="kesehatan")
    archive(service, "c-4", before(2), duplicate_of="c-1")
    try:
        with serving(create_app(service, config=config())) as port:
            yield f"http://127.0.0.1:{port}", service
    finally:
        service.store.close()


def _client(root: str, fmt: str) -> Any:
    return GeoReport(root, jurisdiction=JURISDICTION, api_key=KEY, output_format=fmt)


def _post(root: str) -> str:
    response = httpx.post(f"{root}/requests.json", data=post_form(), timeout=10)
    assert 200 == response.status_code
    [created] = response.json()
    return str(created["service_request_id"])


def test_the_georeport_client_reads_services_and_a_definition(
    served: tuple[str, ComplaintService],
) -> None:
    root, service = served
    listed = _client(root, "json").get_service_list()
    validate("services.json", listed)
    codes = [s["service_code"] for s in listed]
    assert [*sorted(service.profile.service_standards), "uncategorised"] == codes
    definition = _client(root, "json").get_service_definition("kesehatan")
    validate("service-definition.json", definition)
    assert "kesehatan" == definition["service_code"]
    as_xml = _client(root, "xml").get_service_list()
    assert codes == [s["service_code"] for s in as_xml]
    xml_definition = _client(root, "xml").get_service_definition("kesehatan")
    assert "kesehatan" == xml_definition["service_code"]


def test_post_then_the_georeport_client_reads_the_request(
    served: tuple[str, ComplaintService],
) -> None:
    root, _ = served
    request_id = _post(root)
    request = _client(root, "json").get_service_request(request_id)
    validate("request.json", request)
    assert request_id == request["service_request_id"]
    assert "open" == request["status"]
    assert -0.5021 == request["lat"]
    assert 117.1536 == request["long"]
    xml_request = _client(root, "xml").get_service_request(request_id)
    assert request_id == xml_request["service_request_id"]
    assert -0.5021 == float(xml_request["lat"])
    assert 117.1536 == float(xml_request["long"])


def test_the_georeport_client_filters_requests(served: tuple[str, ComplaintService]) -> None:
    root, _ = served
    client = _client(root, "json")

    def ids(**filters: str) -> list[str]:
        found = client.get_service_requests(**filters)
        validate("requests.json", found)
        return [r["service_request_id"] for r in found]

    assert ["c-1", "c-3", "c-4"] == ids()
    assert ["c-4", "c-2"] == ids(service_request_id="c-4,c-2")
    assert ["c-4"] == ids(service_code="kesehatan")
    assert ["c-3"] == ids(service_code="uncategorised")
    assert ["c-4"] == ids(status="closed")
    assert ["c-1", "c-3"] == ids(status="open")
    window = {"start_date": before(120).isoformat(), "end_date": before(60).isoformat()}
    assert ["c-2"] == ids(**window)
    assert ["c-1"] == ids(start_date=before(11).isoformat(), end_date=before(9).isoformat())
    as_xml = _client(root, "xml").get_service_requests(status="open")
    assert ["c-1", "c-3"] == [r["service_request_id"] for r in as_xml]


def test_refusals_over_http_carry_the_envelope(served: tuple[str, ComplaintService]) -> None:
    root, _ = served
    missing = httpx.get(f"{root}/requests/tidak-ada.xml", timeout=10)
    assert 404 == missing.status_code
    error = SafeET.fromstring(missing.content).find("error")
    assert error is not None
    assert "404" == error.findtext("code")
    refused = httpx.post(f"{root}/requests.json", data=post_form(api_key="salah"), timeout=10)
    assert 403 == refused.status_code
    assert [{"code": 403, "description": "api_key: invalid"}] == refused.json()
    with pytest.raises(Exception, match="404"):
        _client(root, "json").get_service_request("tidak-ada")


def test_fixmystreet_updates_over_http(served: tuple[str, ComplaintService]) -> None:
    root, _ = served
    params = {"start_date": before(4).isoformat(), "end_date": before(0).isoformat()}
    response = httpx.get(f"{root}/servicerequestupdates.xml", params=params, timeout=10)
    assert 200 == response.status_code
    updates = SafeET.fromstring(response.content).findall("request_update")
    assert [("c-4", "open"), ("c-4", "duplicate")] == [
        (u.findtext("service_request_id"), u.findtext("status")) for u in updates
    ]


@pytest.mark.slow
def test_lapor_core_serve_runs_uvicorn(tmp_path: Path) -> None:
    """`lapor-core serve` in its own process: config from TOML, SQLite store, a sweeper."""
    settings = tmp_path / "web.toml"
    settings.write_text(
        f'jurisdiction_id = "{JURISDICTION}"\n'
        f'[[api_keys]]\nsha256 = "{hash_api_key(KEY)}"\nactor = "lapor-wal"\n',
        encoding="utf-8",
    )
    port = free_port()
    store = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    command = [sys.executable, "-m", "lapor_core", "serve", "--store", store]
    command += ["--config", str(settings), "--port", str(port), "--sweep", "1s"]
    command += ["--prefix", "open311/v2/", "--verbose"]  # the slashes are added, and taken
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # noqa: S603
    root = f"http://127.0.0.1:{port}/open311/v2"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            try:
                services = httpx.get(f"{root}/services.json", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.1)
        assert 200 == services.status_code
        request_id = _post(root)
        [request] = httpx.get(f"{root}/requests/{request_id}.json", timeout=10).json()
        assert "open" == request["status"]
        wrong = httpx.get(f"{root}/services.json?jurisdiction_id=lain", timeout=10)
        assert 404 == wrong.status_code
        keyed = httpx.get(f"{root}/services.json?x=1&api_key={KEY}&y=2", timeout=10)
        assert 200 == keyed.status_code
    finally:
        process.terminate()
        out, err = process.communicate(timeout=30)
    # --verbose logs every request, the one sent with a key too, without the key
    log = (out + err).decode()
    assert '"GET /open311/v2/services.json?x=1&api_key=***&y=2 HTTP/1.1" 200' in log
    assert KEY not in log
