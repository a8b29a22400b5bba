"""
Where a problem is and what it looks like: points, address ids, postal codes and attachments.

A report's location is kept as given (text, a WGS 84 point, the reporting app's address id,
the postal code) and its attachments as their URLs, on every backend; a confidential
(*rahasia*) report shows none of them; records of reports without them are what they were
before the fields existed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings

import lapor_core as lc
from helpers import BACKENDS, backend_store
from lapor_core.interop import to_service_request
from lapor_core.service import ComplaintService
from lapor_core.storage import ComplaintStore
from lapor_core.storage.codec import CODEC
from lapor_core.testing.strategies import geo_points, media_urls

PROFILE = lc.load_profile("national")
REGISTRY = lc.load_registry("kaltim")
T0 = datetime(2025, 3, 27, 1, 30, tzinfo=UTC)
POINT = lc.GeoPoint(-0.5021, 117.1536)
PHOTO = "https://lapor.example.org/lampiran/foto-1.jpg"


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ComplaintStore]:
    with backend_store(request.param, tmp_path) as made:
        yield made


def _submit(cid: str, content: lc.Content, *, confidential: bool = False) -> lc.Submit:
    return lc.Submit(
        complaint_id=lc.ComplaintId(cid),
        content=content,
        kind=lc.Kind.COMPLAINT,
        reporter=lc.Reporter("pelapor-1", "Siti Aminah"),
        channel=lc.Channel(lc.ChannelType.WEB),
        privacy=lc.Privacy(confidential=confidential),
    )


def _located(**changes: object) -> lc.Content:
    fields: dict[str, object] = {
        "title": "Lampu jalan mati",
        "body": "Lampu di Jl. Juanda mati sejak tiga hari.",
        "location": "Jl. Juanda, Samarinda",
        "point": POINT,
        "address_id": "ADR-0042",
        "postal_code": "75124",
        "media_urls": (PHOTO,),
    }
    fields.update(changes)
    return lc.Content(**fields)  # type: ignore[arg-type]


def test_location_and_attachments_survive_every_backend(store: ComplaintStore) -> None:
    service = ComplaintService(store, PROFILE, REGISTRY)
    submit = _submit("loc-1", _located())
    service.handle(submit, lc.Actor.reporter("pelapor-1"), now=T0)
    [submitted, *_] = store.load(lc.ComplaintId("loc-1"))
    assert isinstance(submitted, lc.ComplaintSubmitted)
    assert submit.content == submitted.content
    loaded = ComplaintService(store, PROFILE, REGISTRY).get(lc.ComplaintId("loc-1"))
    assert POINT == loaded.content.point
    assert (PHOTO,) == loaded.content.media_urls
    assert "75124" == loaded.content.postal_code


def test_open311_carries_the_point_the_address_id_and_the_first_attachment() -> None:
    second = "https://lapor.example.org/lampiran/foto-2.jpg"
    submit = _submit("loc-2", _located(media_urls=(PHOTO, second)))
    complaint = lc.replay(
        lc.decide(
            None, submit, lc.Actor.reporter("pelapor-1"), T0, lc.Context.create(PROFILE, REGISTRY)
        )
    )
    out = to_service_request(complaint, profile=PROFILE)
    assert (-0.5021, 117.1536) == (out["lat"], out["long"])
    assert "ADR-0042" == out["address_id"]
    assert "75124" == out["zipcode"]
    assert PHOTO == out["media_url"]
    assert "Jl. Juanda, Samarinda" == out["address"]


def test_a_confidential_report_shows_no_location_and_no_attachment() -> None:
    submit = _submit("loc-3", _located(), confidential=True)
    ctx = lc.Context.create(PROFILE, REGISTRY)
    complaint = lc.replay(lc.decide(None, submit, lc.Actor.reporter("pelapor-1"), T0, ctx))
    out: dict[str, object] = dict(to_service_request(complaint, profile=PROFILE))
    hidden = ("address", "address_id", "zipcode", "lat", "long", "media_url")
    assert dict.fromkeys(hidden) == {name: out[name] for name in hidden}
    assert "Lampu" not in json.dumps(out)


def test_records_without_the_new_fields_are_unchanged() -> None:
    plain = lc.Content(title="Jalan rusak", body="Jalan di depan pasar berlubang.")
    submitted = lc.replay(
        lc.decide(
            None,
            _submit("loc-4", plain),
            lc.Actor.reporter("pelapor-1"),
            T0,
            lc.Context.create(PROFILE, REGISTRY),
        )
    )
    assert submitted.content == plain
    [event] = lc.decide(
        None,
        _submit("loc-4", plain),
        lc.Actor.reporter("pelapor-1"),
        T0,
        lc.Context.create(PROFILE, REGISTRY),
    )
    content = json.loads(CODEC.encode_data(event))["content"]
    assert {"title", "body", "location", "event_date"} == set(content)
    # and a record written before the fields existed decodes with their defaults
    assert plain == CODEC.decode_event(CODEC.encode_event(event)).content  # type: ignore[attr-defined]


@settings(max_examples=50)
@given(point=geo_points(), url=media_urls())
def test_any_point_and_url_round_trip_through_the_codec(point: lc.GeoPoint, url: str) -> None:
    submit = _submit("loc-5", _located(point=point, media_urls=(url,)))
    [event] = lc.decide(
        None, submit, lc.Actor.reporter("pelapor-1"), T0, lc.Context.create(PROFILE, REGISTRY)
    )
    assert event == CODEC.decode_event(CODEC.encode_event(event))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"point": (1.0, 2.0)}, "point"),
        ({"media_urls": "https://example.org/a.jpg"}, "media_urls"),
        ({"media_urls": ("javascript:alert(1)",)}, "media_urls"),
        ({"media_urls": ("https://example.org/a b.jpg",)}, "media_urls"),
        ({"address_id": "ADR\n1"}, "address_id"),
    ],
)
def test_bad_locations_and_attachments_are_refused(changes: dict[str, object], field: str) -> None:
    with pytest.raises(lc.ValidationError, match=field):
        _located(**changes)


@pytest.mark.parametrize(
    ("lat", "long", "field"),
    [(90.5, 0.0, "lat"), (0.0, -181.0, "long"), (float("inf"), 0.0, "lat"), (True, 0.0, "lat")],
)
def test_points_outside_the_globe_are_refused(lat: object, long: object, field: str) -> None:
    with pytest.raises(lc.ValidationError, match=field):
        lc.GeoPoint(lat, long)


def test_a_stored_coordinate_that_is_text_is_corrupt() -> None:
    [event] = lc.decide(
        None,
        _submit("loc-6", _located()),
        lc.Actor.reporter("pelapor-1"),
        T0,
        lc.Context.create(PROFILE, REGISTRY),
    )
    record = json.loads(CODEC.encode_event(event))
    record["data"]["content"]["point"]["lat"] = "-0.5021"
    with pytest.raises(lc.LaporError, match="lat"):
        CODEC.decode_event(record)
