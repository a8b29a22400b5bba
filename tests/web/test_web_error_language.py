"""The GeoReport v2 error envelope in the client's language (``Accept-Language``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from defusedxml import ElementTree as SafeET
from starlette.testclient import TestClient
from web_helpers import config, make_service, post_form

from lapor_core.web import create_app

INDONESIAN = {"Accept-Language": "id-ID,id;q=0.9,en;q=0.5"}


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(make_service(), config=config(max_body_bytes=2048))) as client:
        yield client


def _said(response: Any, status: int) -> str:
    assert status == response.status_code
    (error,) = response.json()
    assert status == error["code"]
    return str(error["description"])


def test_a_refusal_of_the_http_layer_reads_in_indonesian(client: TestClient) -> None:
    def wrong_type(**headers: str) -> Any:
        headers["content-type"] = "text/xml"
        return client.post("/requests.json", content=b"<xml/>", headers=headers)

    english = "Content-Type: use application/x-www-form-urlencoded (or application/json)"
    assert english == _said(wrong_type(), 415)
    indonesian = "Content-Type: gunakan application/x-www-form-urlencoded (atau application/json)"
    assert indonesian == _said(wrong_type(**INDONESIAN), 415)
    big = post_form(description="x" * 4000)
    refused = client.post("/requests.json", data=big, headers=INDONESIAN)
    assert "isi permintaan: lebih besar dari 2048 bita" == _said(refused, 413)


def test_a_refusal_of_the_library_reads_in_indonesian(client: TestClient) -> None:
    form = post_form(api_key="salah")
    assert "api_key: invalid" == _said(client.post("/requests.json", data=form), 403)
    refused = client.post("/requests.json", data=form, headers=INDONESIAN)
    assert "api_key: tidak sah" == _said(refused, 403)
    xml = client.post("/requests.xml", data=form, headers={"Accept-Language": "id"})
    assert "api_key: tidak sah" == SafeET.fromstring(xml.text).findtext("error/description")
    french = client.post("/requests.json", data=form, headers={"Accept-Language": "fr"})
    assert "api_key: invalid" == _said(french, 403)  # no catalog for it: English


def test_an_unknown_route_reads_in_indonesian_and_english_stays_as_it_was(
    client: TestClient,
) -> None:
    assert "no such resource (tidak ditemukan)" == _said(client.get("/tidak-ada.json"), 404)
    english = client.get("/tidak-ada.json", headers={"Accept-Language": "en-GB"})
    assert "no such resource (tidak ditemukan)" == _said(english, 404)
    indonesian = client.get("/tidak-ada.json", headers=INDONESIAN)
    assert "sumber daya tidak ditemukan" == _said(indonesian, 404)
