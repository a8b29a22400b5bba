"""The GeoReport v2 application in process (Starlette's TestClient): every route, every refusal."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from defusedxml import ElementTree as SafeET
from starlette.testclient import TestClient
from web_helpers import (
    CLIENT,
    CLIENT_CHANNEL,
    JURISDICTION,
    KEY,
    NOW,
    PROFILE,
    archive,
    before,
    config,
    make_service,
    post_form,
    submit,
    validate,
)

import lapor_core as lc
from lapor_core.errors import CorruptStream, StorageError
from lapor_core.interop.open311 import UNCATEGORISED_SERVICE_CODE
from lapor_core.service import ComplaintService
from lapor_core.web import ApiKey, WebConfig, create_app, hash_api_key

# GeoReport's request fields, in the order of the specification's XML example
REQUEST_ELEMENTS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
SERVICE_ELEMENTS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]


@pytest.fixture
def service() -> ComplaintService:
    return make_service()


def _client(service: ComplaintService, **changes: Any) -> TestClient:
    return TestClient(create_app(service, config=config(**changes)))


@pytest.fixture
def client(service: ComplaintService) -> Iterator[TestClient]:
    with _client(service) as test_client:
        yield test_client


def _error(response: Any, status: int) -> str:
    """The description of a JSON error envelope, checked against the status code."""
    assert status == response.status_code
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert 1 == len(body)
    assert {"code", "description"} == set(body[0])
    assert status == body[0]["code"]
    assert "Traceback" not in response.text
    return str(body[0]["description"])


def _xml_error(response: Any, status: int) -> str:
    assert status == response.status_code
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    root = SafeET.fromstring(response.content)
    assert "errors" == root.tag
    [error] = list(root)
    assert ["code", "description"] == [child.tag for child in error]
    assert str(status) == error.findtext("code")
    return error.findtext("description") or ""


def _xml(response: Any) -> Any:
    assert 200 == response.status_code
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    assert response.text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    return SafeET.fromstring(response.content)


# ------------------------------------------------------------------ discovery, services


def test_discovery_names_the_endpoint_and_both_formats(client: TestClient) -> None:
    document = client.get("/discovery.json").json()
    [endpoint] = document["endpoints"]
    assert "http://wiki.open311.org/GeoReport_v2" == endpoint["specification"]
    assert "http://testserver" == endpoint["url"]
    assert ["text/xml", "application/json"] == endpoint["formats"]
    root = _xml(client.get("/discovery.xml"))
    assert "discovery" == root.tag
    formats = root.find("endpoints/endpoint/formats")
    assert formats is not None
    assert ["text/xml", "application/json"] == [f.text for f in formats.findall("format")]


def test_services_json_validates_and_lists_uncategorised(client: TestClient) -> None:
    response = client.get("/services.json", params={"jurisdiction_id": JURISDICTION})
    assert "application/json; charset=utf-8" == response.headers["content-type"]
    listed = response.json()
    validate("services.json", listed)
    codes = [s["service_code"] for s in listed]
    assert [*sorted(PROFILE.service_standards), UNCATEGORISED_SERVICE_CODE] == codes


def test_services_xml_matches_the_specification_example(client: TestClient) -> None:
    root = _xml(client.get("/services.xml"))
    assert "services" == root.tag
    services = root.findall("service")
    assert len(PROFILE.service_standards) + 1 == len(services)
    for element in services:
        assert SERVICE_ELEMENTS == [child.tag for child in element]
        assert "true" == element.findtext("metadata")
        assert "realtime" == element.findtext("type")


def test_service_definition_json_and_xml(client: TestClient) -> None:
    definition = client.get("/services/kesehatan.json").json()
    validate("service-definition.json", definition)
    assert "kesehatan" == definition["service_code"]
    root = _xml(client.get("/services/kesehatan.xml"))
    assert "service_definition" == root.tag
    assert ["service_code", "attributes"] == [child.tag for child in root]
    attributes = root.findall("attributes/attribute")
    assert [a["code"] for a in definition["attributes"]] == [a.findtext("code") for a in attributes]
    kind = next(a for a in attributes if a.findtext("code") == "kind")
    keys = [v.findtext("key") for v in kind.findall("values/value")]
    assert [k.value for k in lc.Kind] == keys
    assert "" == (attributes[0].findtext("datatype_description") or "")


def test_unknown_service_code_is_404_in_both_formats(client: TestClient) -> None:
    assert "tidak-ada" in _error(client.get("/services/tidak-ada.json"), 404)
    assert "tidak-ada" in _xml_error(client.get("/services/tidak-ada.xml"), 404)


# ------------------------------------------------------------------ POST


def test_post_returns_the_id_and_the_request_reads_back(client: TestClient) -> None:
    response = client.post("/requests.json", data=post_form(account_id="akun-7"))
    assert 200 == response.status_code
    [created] = response.json()
    assert {"service_request_id", "service_notice", "account_id"} == set(created)
    assert created["service_notice"] is None
    assert "akun-7" == created["account_id"]
    [request] = client.get(f"/requests/{created['service_request_id']}.json").json()
    validate("request.json", request)
    description = request["description"]
    assert "Lampu jalan mati\nLampu di Jl. Juanda mati sejak tiga hari." == description
    assert "infrastruktur" == request["service_code"]
    assert -0.5021 == request["lat"]
    assert 117.1536 == request["long"]
    assert "Jl. Juanda, Samarinda" == request["address"]


def test_post_xml_response_matches_the_specification_example(client: TestClient) -> None:
    root = _xml(client.post("/requests.xml", data=post_form()))
    assert "service_requests" == root.tag
    [request] = root.findall("request")
    assert ["service_request_id", "service_notice", "account_id"] == [c.tag for c in request]
    assert (request.findtext("service_request_id") or "").startswith("gr2-")
    assert request.find("account_id") is not None
    assert not request.findtext("account_id")


def test_post_submits_for_the_key_channel_and_actor(
    client: TestClient, service: ComplaintService
) -> None:
    [created] = client.post("/requests.json", data=post_form()).json()
    complaint = service.get(lc.ComplaintId(created["service_request_id"]))
    assert CLIENT_CHANNEL == complaint.channel
    [event] = service.store.load(complaint.id)
    assert CLIENT == event.actor


def test_post_accepts_a_json_object(client: TestClient) -> None:
    form = post_form(attribute={"kind": "aspirasi"})
    response = client.post("/requests.json", json=form)
    assert 200 == response.status_code
    [request] = client.get(f"/requests/{response.json()[0]['service_request_id']}.json").json()
    assert "open" == request["status"]


def test_post_is_lenient_where_the_specification_is(
    client: TestClient, service: ComplaintService
) -> None:
    form = post_form(description=None, email=None, first_name=None, last_name=None)
    form["attribute[WHISPAWN]"] = "123456"
    form["attribute[WHISDORN]"] = "COISL001"
    form["attribute[warna][]"] = ["merah", "biru"]
    response = client.post("/requests.json", data=form)
    assert 200 == response.status_code
    [created] = response.json()
    notice = created["service_notice"]
    assert notice is not None
    assert "WHISPAWN" in notice
    assert "WHISDORN" in notice
    assert "warna" in notice
    complaint = service.get(lc.ComplaintId(created["service_request_id"]))
    assert complaint.privacy.anonymous
    assert "WHISPAWN=123456" in complaint.content.body
    assert "warna=merah, biru" in complaint.content.body


def test_post_uncategorised_has_the_declared_service_code(client: TestClient) -> None:
    [created] = client.post(
        "/requests.json", data=post_form(service_code=UNCATEGORISED_SERVICE_CODE)
    ).json()
    [request] = client.get(f"/requests/{created['service_request_id']}.json").json()
    validate("request.json", request)
    assert UNCATEGORISED_SERVICE_CODE == request["service_code"]


def test_post_without_key_is_refused_unless_configured(service: ComplaintService) -> None:
    with _client(service) as client:
        assert "api_key" in _error(client.post("/requests.json", data=post_form(api_key=None)), 403)
    with _client(service, post_requires_key=False) as client:
        response = client.post("/requests.json", data=post_form(api_key=None))
        assert 200 == response.status_code
        # a wrong key is refused even then
        assert "invalid" in _error(client.post("/requests.json", data=post_form(api_key="x")), 403)


@pytest.mark.parametrize(
    ("form", "status", "named"),
    [
        (post_form(api_key="kunci-salah"), 403, "api_key"),
        (post_form(jurisdiction_id="lain.go.id"), 404, "jurisdiction_id"),
        (post_form(service_code=None), 400, "service_code"),
        (post_form(service_code="tidak-ada"), 404, "service_code"),
        (post_form(lat="91"), 400, "lat"),
        (post_form(lat=None, long=None, address_string=None), 400, "address_string"),
        (post_form(email="bukan-email"), 400, "email"),
        (post_form(warna="merah"), 400, "warna"),
        (post_form(**{"attribute[kind]": "lain"}), 400, "attribute[kind]"),
        (post_form(api_key=[KEY, KEY]), 400, "api_key"),
    ],
)
def test_post_refusals_name_the_parameter(
    client: TestClient, service: ComplaintService, form: dict[str, Any], status: int, named: str
) -> None:
    assert named in _error(client.post("/requests.json", data=form), status)
    assert () == service.store.read_all()


def test_post_refusal_in_xml(client: TestClient) -> None:
    assert "api_key" in _xml_error(client.post("/requests.xml", data=post_form(api_key="x")), 403)


def test_post_body_limits(service: ComplaintService) -> None:
    with _client(service, max_body_bytes=2048) as client:
        big = post_form(description="x" * 4000)
        assert "2048 bytes" in _error(client.post("/requests.json", data=big), 413)
        chunked = client.post(
            "/requests.json",
            content=iter([b"service_code=infrastruktur&description=", b"y" * 4000]),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert "2048 bytes" in _error(chunked, 413)
        wrong_type = client.post(
            "/requests.json", content=b"<xml/>", headers={"content-type": "text/xml"}
        )
        assert "Content-Type" in _error(wrong_type, 415)
        not_utf8 = client.post(
            "/requests.json",
            content=b"description=\xff\xfe",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert "UTF-8" in _error(not_utf8, 400)
        not_json = client.post(
            "/requests.json", content=b"[1, 2]", headers={"content-type": "application/json"}
        )
        assert "JSON object" in _error(not_json, 400)
        fields = "&".join(f"f{i}=1" for i in range(300)).encode()
        many = client.post(
            "/requests.json",
            content=fields,
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert "parameters" in _error(many, 400)
    assert () == service.store.read_all()


# ------------------------------------------------------------------ GET requests


@pytest.fixture
def stocked(service: ComplaintService) -> ComplaintService:
    """Five complaints: recent, one 100 days old, one uncategorised, one archived, one tracked."""
    submit(service, "c-1", at=before(10))
    submit(service, "c-2", at=before(100))
    submit(service, "c-3", at=before(5), category=None)
    submit(service, "c-4", at=before(3), category="kesehatan")
    archive(service, "c-4", before(2), duplicate_of="c-1")
    submit(service, "c-5", at=before(1), tracking="LPR-2026-0005")
    return service


def _ids(response: Any) -> list[str]:
    assert 200 == response.status_code
    body = response.json()
    validate("requests.json", body)
    return [r["service_request_id"] for r in body]


def test_requests_default_to_the_last_90_days(
    client: TestClient, stocked: ComplaintService
) -> None:
    assert ["c-1", "c-3", "c-4", "LPR-2026-0005"] == _ids(client.get("/requests.json"))


def test_requests_by_date_range(client: TestClient, stocked: ComplaintService) -> None:
    params = {"start_date": before(120).isoformat(), "end_date": before(60).isoformat()}
    assert ["c-2"] == _ids(client.get("/requests.json", params=params))
    only_start = {"start_date": before(4).isoformat()}
    assert ["c-4", "LPR-2026-0005"] == _ids(client.get("/requests.json", params=only_start))
    only_end = {"end_date": before(9).isoformat()}  # from 99 days before: not c-2
    assert ["c-1"] == _ids(client.get("/requests.json", params=only_end))
    earlier_end = {"end_date": before(50).isoformat()}
    assert ["c-2"] == _ids(client.get("/requests.json", params=earlier_end))
    exact = {"start_date": before(10).isoformat(), "end_date": before(10).isoformat()}
    assert ["c-1"] == _ids(client.get("/requests.json", params=exact))


def test_requests_by_status(client: TestClient, stocked: ComplaintService) -> None:
    assert ["c-4"] == _ids(client.get("/requests.json", params={"status": "closed"}))
    opened = _ids(client.get("/requests.json", params={"status": "open"}))
    assert ["c-1", "c-3", "LPR-2026-0005"] == opened
    both = _ids(client.get("/requests.json", params={"status": "open,closed"}))
    assert 4 == len(both)


def test_requests_by_service_code(client: TestClient, stocked: ComplaintService) -> None:
    one = _ids(client.get("/requests.json", params={"service_code": "kesehatan"}))
    assert ["c-4"] == one
    none = _ids(client.get("/requests.json", params={"service_code": UNCATEGORISED_SERVICE_CODE}))
    assert ["c-3"] == none
    several = client.get("/requests.json", params={"service_code": "kesehatan,uncategorised"})
    assert ["c-3", "c-4"] == _ids(several)
    repeated = client.get("/requests.json?service_code=kesehatan&service_code=uncategorised")
    assert ["c-3", "c-4"] == _ids(repeated)


def test_requests_by_id_override_the_other_filters(
    client: TestClient, stocked: ComplaintService
) -> None:
    params = {"service_request_id": "c-2,LPR-2026-0005,tidak-ada,c-2", "status": "closed"}
    assert ["c-2", "LPR-2026-0005"] == _ids(client.get("/requests.json", params=params))


def test_requests_filter_refusals(client: TestClient) -> None:
    cases = [
        ({"start_date": "kemarin"}, "start_date"),
        ({"start_date": "2026-01-01T00:00:00"}, "time zone"),
        ({"start_date": before(200).isoformat(), "end_date": before(1).isoformat()}, "90 days"),
        ({"start_date": before(1).isoformat(), "end_date": before(2).isoformat()}, "before"),
        ({"status": "fixed"}, "status"),
        ({"jurisdiction_id": "lain.go.id"}, "jurisdiction_id"),
        ({"service_request_id": ",".join(f"c-{i}" for i in range(101))}, "at most 100"),
    ]
    for params, named in cases:
        assert named in _error(
            client.get("/requests.json", params=params), 400 if "juris" not in named else 404
        )


def test_requests_cap_at_1000(service: ComplaintService) -> None:
    with service.batch():
        for i in range(1001):
            submit(service, f"n-{i:04d}", at=before(1) + timedelta(seconds=i))
    with _client(service) as client:
        ids = _ids(client.get("/requests.json"))
    assert 1000 == len(ids)
    assert "n-0000" == ids[0]
    assert "n-0999" == ids[-1]


def test_requests_xml_matches_the_specification_example(
    client: TestClient, stocked: ComplaintService
) -> None:
    root = _xml(client.get("/requests.xml"))
    assert "service_requests" == root.tag
    requests = root.findall("request")
    assert 4 == len(requests)
    for element in requests:
        assert REQUEST_ELEMENTS == [child.tag for child in element]
        assert element.find("lat") is not None
        assert element.find("long") is not None
        assert element.findtext("status") in ("open", "closed")
    assert "c-4" == requests[2].findtext("service_request_id")
    assert "closed" == requests[2].findtext("status")


def test_single_request_json_xml_and_tracking_id(
    client: TestClient, stocked: ComplaintService
) -> None:
    [request] = client.get("/requests/c-1.json").json()
    validate("request.json", request)
    assert "c-1" == request["service_request_id"]
    [tracked] = client.get("/requests/LPR-2026-0005.json").json()
    assert "LPR-2026-0005" == tracked["service_request_id"]
    root = _xml(client.get("/requests/c-3.xml"))
    [element] = root.findall("request")
    assert REQUEST_ELEMENTS == [child.tag for child in element]
    assert UNCATEGORISED_SERVICE_CODE == element.findtext("service_code")
    assert "tidak-ada" in _error(client.get("/requests/tidak-ada.json"), 404)
    assert "tidak ada" in _xml_error(client.get("/requests/tidak%20ada.xml"), 404)


def test_extended_attributes_tell_archived_from_completed(
    service: ComplaintService, stocked: ComplaintService
) -> None:
    with _client(service, extended=True) as client:
        [archived] = client.get("/requests/c-4.json").json()
        [fresh] = client.get("/requests/c-1.json").json()
    assert "closed" == archived["status"]
    assert "duplicate" == archived["extended_attributes"]["extended_status"]
    assert "open" == fresh["extended_attributes"]["extended_status"]


# ------------------------------------------------------------------ FixMyStreet's updates


def test_service_request_updates_list_status_changes(
    client: TestClient, stocked: ComplaintService
) -> None:
    params = {"start_date": before(4).isoformat(), "end_date": NOW.isoformat()}
    root = _xml(client.get("/servicerequestupdates.xml", params=params))
    assert "service_request_updates" == root.tag
    updates = root.findall("request_update")
    fields = [
        "update_id",
        "service_request_id",
        "status",
        "updated_datetime",
        "description",
        "media_url",
        "external_status_code",
    ]
    assert all(fields == [child.tag for child in u] for u in updates)
    seen = [(u.findtext("service_request_id"), u.findtext("status")) for u in updates]
    assert [("c-4", "open"), ("c-4", "duplicate"), ("LPR-2026-0005", "open")] == seen
    as_json = client.get("/servicerequestupdates.json", params=params).json()
    assert [s for _, s in seen] == [u["status"] for u in as_json]
    assert "c-4:2" == as_json[1]["update_id"]
    assert "archived" == as_json[1]["external_status_code"]


def test_service_request_updates_refusals(client: TestClient) -> None:
    wide = {"start_date": before(100).isoformat(), "end_date": NOW.isoformat()}
    assert "90 days" in _error(client.get("/servicerequestupdates.json", params=wide), 400)
    bad = {"start_date": "kemarin"}
    assert "start_date" in _xml_error(client.get("/servicerequestupdates.xml", params=bad), 400)
    backwards = {"start_date": NOW.isoformat(), "end_date": before(1).isoformat()}
    assert "before" in _error(client.get("/servicerequestupdates.json", params=backwards), 400)


# ------------------------------------------------------------------ every other refusal


def test_unknown_format_route_and_method(client: TestClient) -> None:
    assert "csv" in _error(client.get("/services.csv"), 404)
    assert "tidak ditemukan" in _error(client.get("/tidak-ada.json"), 404)
    assert "tidak ditemukan" in _xml_error(client.get("/tidak-ada.xml"), 404)
    assert "metode" in _error(client.delete("/requests.json"), 405)


def test_jurisdiction_required_when_configured(service: ComplaintService) -> None:
    with _client(service, require_jurisdiction_id=True) as client:
        assert "jurisdiction_id" in _error(client.get("/services.json"), 400)
        ok = client.get("/services.json", params={"jurisdiction_id": JURISDICTION})
        assert 200 == ok.status_code
    with _client(service, jurisdiction_id=None) as client:
        anything = client.get("/services.json", params={"jurisdiction_id": "apa-saja"})
        assert 200 == anything.status_code


def test_unexpected_failure_says_nothing_internal(
    service: ComplaintService, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> object:
        raise RuntimeError("secret-dsn postgresql://admin:pw@db/lapor")

    monkeypatch.setattr(service.store, "query", broken)
    client = TestClient(create_app(service, config=config()), raise_server_exceptions=False)
    response = client.get("/requests.json")
    description = _error(response, 500)
    assert "internal error" in description
    assert "secret" not in response.text
    assert "postgresql" not in response.text


def test_storage_error_is_503_without_its_text(
    service: ComplaintService, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(*_args: object, **_kwargs: object) -> object:
        raise StorageError("could not connect to /var/run/postgresql/.s.PGSQL.5432")

    monkeypatch.setattr(service.store, "query", down)
    with _client(service) as client:
        response = client.get("/requests.json")
    assert "unavailable" in _error(response, 503)
    assert "PGSQL" not in response.text


def test_rate_limit_per_key(service: ComplaintService) -> None:
    with _client(service, rate_limit="2/minute") as client:
        assert 200 == client.get("/services.json").status_code
        assert 200 == client.get("/services.json").status_code
        refused = client.get("/services.json")
        assert "rate limit" in _error(refused, 429)
        assert int(refused.headers["retry-after"]) >= 1
        # another key has its own budget
        assert 200 == client.get("/services.json", params={"api_key": KEY}).status_code
        assert 200 == client.post("/requests.json", data=post_form()).status_code
        assert "rate limit" in _error(client.post("/requests.json", data=post_form()), 429)


def test_cors_is_off_by_default_and_configurable(service: ComplaintService) -> None:
    origin = {"origin": "https://lapor.example.org"}
    with _client(service) as client:
        response = client.get("/services.json", headers=origin)
        assert "access-control-allow-origin" not in response.headers
    with _client(service, cors_origins=("https://lapor.example.org",)) as client:
        response = client.get("/services.json", headers=origin)
        assert "https://lapor.example.org" == response.headers["access-control-allow-origin"]
        other = client.get("/services.json", headers={"origin": "https://jahat.example"})
        assert "access-control-allow-origin" not in other.headers


def test_default_config_refuses_every_post(service: ComplaintService) -> None:
    with TestClient(create_app(service)) as client:
        assert "api_key" in _error(client.post("/requests.json", data=post_form()), 403)
        assert 200 == client.get("/services.json").status_code
    assert WebConfig().post_requires_key


def test_random_keys_do_not_escape_the_rate_limit(service: ComplaintService) -> None:
    with _client(service, rate_limit="2/minute") as client:
        for attempt in range(2):
            assert (
                200 == client.get("/services.json", params={"api_key": f"x{attempt}"}).status_code
            )
        refused = client.get("/services.json", params={"api_key": "x-lagi"})
        assert "rate limit" in _error(refused, 429)


def test_a_retried_post_with_its_idempotency_key_is_stored_once(
    client: TestClient, service: ComplaintService
) -> None:
    headers = {"Idempotency-Key": "kirim-0001"}
    first = client.post("/requests.json", data=post_form(), headers=headers).json()
    again = client.post("/requests.json", data=post_form(), headers=headers).json()
    assert first[0]["service_request_id"] == again[0]["service_request_id"]
    assert 1 == len(service.store.read_all())
    other = client.post("/requests.json", data=post_form(), headers={"Idempotency-Key": "lain"})
    assert first[0]["service_request_id"] != other.json()[0]["service_request_id"]
    bad = client.post("/requests.json", data=post_form(), headers={"Idempotency-Key": "k" * 300})
    assert "idempotency" in _error(bad, 400)


def _descriptions(service: ComplaintService) -> list[str]:
    return sorted(
        stored.event.content.body
        for stored in service.store.read_all()
        if isinstance(stored.event, lc.ComplaintSubmitted)
    )


def test_two_clients_with_the_same_idempotency_key_each_keep_their_complaint(
    service: ComplaintService,
) -> None:
    """The key was scoped by the client's name: a second app's POST was answered as a retry."""
    other = ApiKey(hash_api_key("kunci-lain"), CLIENT_CHANNEL, CLIENT, "lapor-wal")  # same name
    headers = {"Idempotency-Key": "42"}
    with _client(service, api_keys=(*config().api_keys, other)) as client:
        first = client.post(
            "/requests.json", data=post_form(description="Satu\n@A"), headers=headers
        )
        second = client.post(
            "/requests.json",
            data=post_form(api_key="kunci-lain", description="Dua\n@B"),
            headers=headers,
        )
    assert 200 == first.status_code == second.status_code
    assert first.json()[0]["service_request_id"] != second.json()[0]["service_request_id"]
    assert ["@A", "@B"] == sorted(b[b.index("@") :] for b in _descriptions(service))


def test_anonymous_posts_with_one_idempotency_key_are_told_apart_by_what_they_send(
    service: ComplaintService,
) -> None:
    headers = {"Idempotency-Key": "1"}
    with _client(service, post_requires_key=False) as client:
        posted = [
            client.post(
                "/requests.json", data=post_form(api_key=None, description=text), headers=headers
            )
            for text in ("Warga A\n@A", "Warga B\n@B", "Warga A\n@A")
        ]
    ids = [response.json()[0]["service_request_id"] for response in posted]
    assert ids[0] != ids[1]
    assert ids[0] == ids[2]  # the same body again: a retry
    assert ["@A", "@B"] == sorted(b[b.index("@") :] for b in _descriptions(service))


def test_an_idempotency_key_used_again_for_another_request_is_refused(
    client: TestClient, service: ComplaintService
) -> None:
    headers = {"Idempotency-Key": "kirim-0002"}
    assert 200 == client.post("/requests.json", data=post_form(), headers=headers).status_code
    other = client.post("/requests.json", data=post_form(description="Lain\nLain"), headers=headers)
    assert "already used for another request" in _error(other, 422)
    said = client.post(
        "/requests.json",
        data=post_form(description="Lain\nLain"),
        headers={**headers, "Accept-Language": "id"},
    )
    assert "sudah dipakai" in _error(said, 422)
    assert 1 == len(service.store.read_all())


def test_a_listed_complaint_changed_elsewhere_is_read_again(
    client: TestClient, stocked: ComplaintService
) -> None:
    before_change = client.get("/requests.json", params={"service_request_id": "c-1"}).json()
    listed = {r["service_request_id"]: r["status"] for r in client.get("/requests.json").json()}
    assert "open" == listed["c-1"] == before_change[0]["status"]
    # another service (another worker process) over the same store archives it
    other = ComplaintService(stocked.store, PROFILE, stocked.context.registry)
    archive(other, "c-1", NOW, duplicate_of="c-3")
    again = {r["service_request_id"]: r["status"] for r in client.get("/requests.json").json()}
    assert "closed" == again["c-1"]


def test_an_unreadable_complaint_is_left_out_of_lists(
    stocked: ComplaintService, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_get = stocked.get

    def get(complaint_id: lc.ComplaintId) -> lc.Complaint:
        if complaint_id == lc.ComplaintId("c-3"):
            raise CorruptStream("c-3", 2, 3)
        return real_get(complaint_id)

    monkeypatch.setattr(stocked, "get", get)
    with _client(stocked) as client:
        assert ["c-1", "c-4", "LPR-2026-0005"] == _ids(client.get("/requests.json"))
        by_id = client.get("/requests.json", params={"service_request_id": "c-3,c-1"})
        assert ["c-1"] == _ids(by_id)
        # asked for alone, it is the store's failure, told without its detail
        assert "unavailable" in _error(client.get("/requests/c-3.json"), 503)


def test_posts_are_written_in_the_writer_threads_across_lifespans(
    service: ComplaintService,
) -> None:
    threads: list[str] = []
    service.on_events(lambda _events: threads.append(threading.current_thread().name))
    app = create_app(service, config=config())
    for _ in range(2):  # the lifespan ends the writers; the next one makes them again
        with TestClient(app) as client:
            assert 200 == client.post("/requests.json", data=post_form()).status_code
    assert 2 == len(threads)
    assert all(name.startswith("lapor-write") for name in threads)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/requests.json", {"start_date": "9999-12-31T00:00:00Z"}),
        ("/requests.json", {"end_date": "0001-01-01T00:00:00Z"}),
        ("/requests.json", {"start_date": "0001-01-01T00:00:00+07:00"}),
        (
            "/requests.json",
            {"start_date": "9999-12-30T00:00:00Z", "end_date": "9999-12-31T23:59:59.999999Z"},
        ),
        ("/servicerequestupdates.json", {"end_date": "0001-01-01T10:00:00Z"}),
        ("/servicerequestupdates.json", {"end_date": "9999-12-31T23:59:59.999999Z"}),
    ],
)
def test_dates_at_the_edge_of_the_calendar_are_refused_not_failed(
    client: TestClient, path: str, params: dict[str, str]
) -> None:
    """Each was a 500: the window's arithmetic overflowed past year 1 or 9999."""
    response = client.get(path, params=params)
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        assert "date" in _error(response, 400)


def test_updates_are_dated_in_the_configured_time_zone(service: ComplaintService) -> None:
    submit(service, "c-1", at=before(0.5))
    with _client(service, time_zone="Asia/Jayapura") as client:
        [update] = client.get("/servicerequestupdates.json").json()
        [request] = client.get("/requests/c-1.json").json()
    assert update["updated_datetime"].endswith("+09:00")
    assert request["requested_datetime"] == update["updated_datetime"]


def test_a_missing_coordinate_is_named_beside_the_one_given(client: TestClient) -> None:
    """Each message named the missing coordinate twice ("long: required together with long")."""
    only_lat = client.post("/requests.json", data=post_form(long=None))
    assert "long: required together with lat" == _error(only_lat, 400)
    only_long = client.post("/requests.json", data=post_form(lat=None))
    assert "lat: required together with long" == _error(only_long, 400)


def test_a_fault_in_the_description_is_named_as_the_description(client: TestClient) -> None:
    """Without attribute[title] the title is the description's first line: it was named so."""
    refused = client.post("/requests.json", data=post_form(description="Lampu\x00mati"))
    assert _error(refused, 400).startswith("description: ")


def test_a_percent_encoded_byte_that_is_not_utf8_is_refused(
    client: TestClient, service: ComplaintService
) -> None:
    """``description=Caf%E9`` was stored as 'Caf\ufffd', where raw bytes were refused."""
    body = "&".join(f"{k}={v}" for k, v in post_form(description="Caf%E9 rusak").items())
    refused = client.post(
        "/requests.json",
        content=body.replace(" ", "+").encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert "not UTF-8" in _error(refused, 400)
    assert not service.store.read_all()


def test_a_405_says_which_methods_the_route_allows(client: TestClient) -> None:
    refused = client.delete("/requests.json")
    assert 405 == refused.status_code
    assert {"GET", "HEAD", "POST"} == {m.strip() for m in refused.headers["allow"].split(",")}


def test_a_browser_may_send_an_idempotency_key_across_origins(service: ComplaintService) -> None:
    origin = "https://lapor.example.org"
    with _client(service, cors_origins=(origin,)) as client:
        preflight = client.options(
            "/requests.json",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type,idempotency-key",
            },
        )
    assert 200 == preflight.status_code
    allowed = preflight.headers["access-control-allow-headers"].lower()
    assert "idempotency-key" in allowed


def test_a_second_post_with_the_same_tracking_id_is_refused(
    client: TestClient, service: ComplaintService
) -> None:
    """Both were stored, and the first could no longer be reached by its Tracking ID."""
    tracked = {"attribute[tracking_id]": "LAPOR-123"}
    first = client.post("/requests.json", data=post_form(description="Satu\nSatu", **tracked))
    assert "LAPOR-123" == first.json()[0]["service_request_id"]
    second = client.post("/requests.json", data=post_form(description="Dua\nDua", **tracked))
    assert "Tracking ID LAPOR-123 exists" in _error(second, 409)
    assert 1 == len(service.store.read_all())
    [found] = client.get("/requests/LAPOR-123.json").json()
    assert "Satu\nSatu" == found["description"]
    # a retry of the first, with its key, is still answered as the first
    keyed = {"Idempotency-Key": "k-124"}
    once = client.post(
        "/requests.json", data=post_form(**{"attribute[tracking_id]": "L-124"}), headers=keyed
    )
    again = client.post(
        "/requests.json", data=post_form(**{"attribute[tracking_id]": "L-124"}), headers=keyed
    )
    assert 200 == once.status_code == again.status_code
    assert 2 == len(service.store.read_all())
