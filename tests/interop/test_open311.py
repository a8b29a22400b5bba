"""Open311 GeoReport v2: service requests out (privacy as public_view), POSTs in, services."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from interop_helpers import (
    CONTENT_STRINGS,
    CTX,
    LOCATION,
    NAME,
    PROFILE,
    REGISTRY,
    REPORTER,
    REPORTER_STRINGS,
    TITLE,
    sentinel_complaint,
    service,
)

import lapor_core as lc
from lapor_core.domain.clocks import clock_deadline, due
from lapor_core.domain.privacy import public_view
from lapor_core.interop import (
    OPEN311_CHANNEL,
    OPEN311_STATUS,
    service_definition,
    services,
    submit_from_request,
    to_service_request,
)
from lapor_core.interop.open311 import (
    DESCRIPTION_LIMIT,
    TRUNCATION_MARKER,
    UNCATEGORISED_SERVICE_CODE,
    category_names,
)
from lapor_core.testing import strategies as lst

PRIVACIES = [
    lc.Privacy(),
    lc.Privacy(anonymous=True),
    lc.Privacy(confidential=True),
    lc.Privacy(anonymous=True, confidential=True),
]
NATIONAL_ADMIN = lc.Actor.national_admin("admin-nasional")
T_SUBMIT = datetime.fromisoformat("2025-03-03T08:00:00+07:00")
GEOREPORT_FIELDS = {
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
}


def _request(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "service_code": "infrastruktur",
        "description": "Lampu jalan mati\nLampu di Jl. Juanda mati sejak tiga hari.",
        "lat": "-0.5021",
        "long": "117.1536",
        "address_string": "Jl. Juanda, Samarinda",
        "email": "warga@example.org",
        "first_name": "Budi",
        "last_name": "Santoso",
        "phone": "+62811000001",
        "api_key": "ignored",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


# ---------------------------------------------------------------------------- out


@pytest.mark.parametrize("status", list(lc.Status))
def test_service_request_fields(status: lc.Status) -> None:
    complaint = sentinel_complaint(status, lc.Privacy())
    request = to_service_request(complaint, profile=PROFILE, registry=REGISTRY)
    assert GEOREPORT_FIELDS == set(request)
    assert "LPR-SENTINEL-1" == request["service_request_id"]
    assert OPEN311_STATUS[status] == request["status"]
    assert ("closed" if status.terminal else "open") == request["status"]
    assert PROFILE.label(status, "id") in request["status_notes"]
    assert "infrastruktur" == request["service_code"]
    assert "Infrastruktur" == request["service_name"]
    assert datetime.fromisoformat(request["requested_datetime"]) == complaint.submitted_at
    assert request["requested_datetime"].endswith("+07:00")
    assert datetime.fromisoformat(request["updated_datetime"]) == complaint.updated_at
    assert LOCATION == request["address"]
    assert request["description"] is not None
    assert TITLE in request["description"]
    expected_agency = "samarinda" if complaint.assignments else REGISTRY.root.id
    assert REGISTRY.get(expected_agency).name == request["agency_responsible"]
    json.dumps(request)  # serialisable as is


def test_service_request_defaults_without_profile_or_registry() -> None:
    complaint = sentinel_complaint(lc.Status.FORWARDED, lc.Privacy(), tracking=None)
    request = to_service_request(complaint, time_zone="Asia/Makassar")
    assert "sentinel-1" == request["service_request_id"]  # no tracking id: our id
    assert "samarinda" == request["agency_responsible"]
    assert "Belum Ditindaklanjuti (forwarded)" == request["status_notes"]
    assert "infrastruktur" == request["service_name"]
    assert request["requested_datetime"].endswith("+08:00")


def test_archived_notes_give_the_reason() -> None:
    request = to_service_request(sentinel_complaint(lc.Status.ARCHIVED, lc.Privacy()))
    assert "closed" == request["status"]
    assert "unclear" in request["status_notes"]


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(lc.ValidationError, match="time_zone"):
        to_service_request(sentinel_complaint(lc.Status.SUBMITTED, lc.Privacy()), time_zone="X/Y")


@pytest.mark.parametrize("status", list(lc.Status))
@pytest.mark.parametrize("privacy", PRIVACIES, ids=str)
@pytest.mark.parametrize("extended", [False, True])
def test_privacy_in_every_service_request(
    status: lc.Status, privacy: lc.Privacy, extended: bool
) -> None:
    complaint = sentinel_complaint(status, privacy)
    text = json.dumps(
        to_service_request(complaint, profile=PROFILE, registry=REGISTRY, extended=extended)
    )
    for secret in REPORTER_STRINGS[1:]:  # id and contact: never public
        assert secret not in text
    assert (NAME in text) == (extended and not privacy.anonymous)
    for secret in CONTENT_STRINGS:
        assert (secret in text) == (not privacy.confidential)


@given(lst.complaints(CTX), st.sampled_from(PRIVACIES))
def test_service_request_matches_public_view(
    made: tuple[lc.Complaint, tuple[lc.Event, ...]], privacy: lc.Privacy
) -> None:
    complaint = made[0]
    if complaint.privacy != privacy:
        changed = lc.ChangePrivacy(complaint_id=complaint.id, privacy=privacy)
        for event in lc.decide(complaint, changed, NATIONAL_ADMIN, complaint.updated_at, CTX):
            complaint = lc.evolve(complaint, event)
    view = public_view(complaint)
    request = to_service_request(complaint, extended=True)
    extra = request["extended_attributes"]
    assert view.reporter_name == extra["reporter_name"]
    assert (extra["reporter_name"] is None) == privacy.anonymous
    assert (request["description"] is None) == privacy.confidential
    if privacy.confidential:
        assert request["address"] is None
    else:
        title, body = complaint.content.title, complaint.content.body
        first_line = body.lstrip().partition("\n")[0].strip()
        shortened = title.endswith("...") and first_line.startswith(title.removesuffix("..."))
        whole = body if first_line == title or shortened else f"{title}\n\n{body}"
        if len(whole) <= DESCRIPTION_LIMIT:
            assert whole == request["description"]
        else:
            cut = DESCRIPTION_LIMIT - len(TRUNCATION_MARKER)
            assert f"{whole[:cut]}{TRUNCATION_MARKER}" == request["description"]
    assert OPEN311_STATUS[complaint.status] == request["status"]
    assert str(view.tracking_id or view.id) == request["service_request_id"]
    assert list(view.agencies) == extra["agencies"]


# ---------------------------------------------------------------------------- expected


CALENDAR = PROFILE.calendar()
WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
# The worked example of docs/clocks.md: Thursday, the day before Nyepi's cuti bersama.
T_WORKED = datetime(2025, 3, 27, 9, 0, tzinfo=WIB)


def _submitted(at: datetime, target_agency: str | None = None) -> lc.Complaint:
    submit = lc.Submit(
        complaint_id=lc.ComplaintId("o311-due"),
        content=lc.Content(title="Jalan berlubang", body="Lubang besar di jalan."),
        kind=lc.Kind.COMPLAINT,
        reporter=REPORTER,
        channel=lc.Channel(lc.ChannelType.WEB),
        category=lc.Category("infrastruktur"),  # 14 HK: after the forwarding deadline
        target_agency=target_agency,
    )
    return lc.replay(lc.decide(None, submit, lc.Actor.reporter(REPORTER.id), at, CTX))


@pytest.mark.parametrize(
    ("target_agency", "zone"), [(None, WIB), ("samarinda", WITA)], ids=["lapor", "samarinda"]
)
def test_expected_datetime_is_the_forwarding_deadline(
    target_agency: str | None, zone: ZoneInfo
) -> None:
    complaint = _submitted(T_WORKED, target_agency)
    forwarding = complaint.clock("forwarding")
    assert forwarding is not None
    # 3 HK after Thu 27 March, cuti bersama skipped (28 Mar, 2-4 and 7 Apr) and Idul Fitri
    # (31 Mar, 1 Apr): 8, 9, 10 April. The deadline is the exclusive end of 10 April, local
    # midnight in the responsible agency's zone (WIB for the national admin, WITA for
    # Samarinda). The 14-day statutory response falls on the same instant.
    end_of_april_10 = datetime(2025, 4, 11, tzinfo=zone)
    assert end_of_april_10 == clock_deadline(forwarding, CALENDAR)
    request = to_service_request(complaint, calendar=CALENDAR)
    assert request["expected_datetime"] is not None
    assert end_of_april_10 == datetime.fromisoformat(request["expected_datetime"])
    assert request["expected_datetime"].endswith("+07:00")  # in time_zone, like the others
    wita = to_service_request(complaint, calendar=CALENDAR, time_zone="Asia/Makassar")
    assert end_of_april_10.astimezone(WITA).isoformat() == wita["expected_datetime"]


def test_expected_datetime_worked_example_literal() -> None:
    request = to_service_request(_submitted(T_WORKED), calendar=CALENDAR)
    assert "2025-04-11T00:00:00+07:00" == request["expected_datetime"]
    samarinda = to_service_request(_submitted(T_WORKED, "samarinda"), calendar=CALENDAR)
    assert "2025-04-10T23:00:00+07:00" == samarinda["expected_datetime"]


# Sentinel complaints: submitted Mon 3 March 2025 08:00 WIB, each step three hours later.
EXPECTED_BY_STATUS = {
    # forwarding, 3 HK: end of Thu 6 March (the statutory response is due on 18 March)
    lc.Status.SUBMITTED: "2025-03-07T00:00:00+07:00",
    # forwarding and the statutory decision paused; service standard 14 HK: end of 21 March
    lc.Status.ON_HOLD: "2025-03-22T00:00:00+07:00",
    # Samarinda's follow-up, 5 HK from Mon 3 March: end of Mon 10 March WITA
    lc.Status.FORWARDED: "2025-03-10T23:00:00+07:00",
    # the reply window, 10 HK from the follow-up on 3 March: end of Mon 17 March WITA
    lc.Status.IN_PROGRESS: "2025-03-17T23:00:00+07:00",
    lc.Status.COMPLETED: None,
    lc.Status.ARCHIVED: None,
}


@pytest.mark.parametrize("status", list(lc.Status))
def test_expected_datetime_by_status(status: lc.Status) -> None:
    complaint = sentinel_complaint(status, lc.Privacy())
    request = to_service_request(complaint, profile=PROFILE, calendar=CALENDAR)
    assert EXPECTED_BY_STATUS[status] == request["expected_datetime"]


@pytest.mark.parametrize("status", [lc.Status.COMPLETED, lc.Status.ARCHIVED])
def test_terminal_complaint_expects_nothing(status: lc.Status) -> None:
    complaint = sentinel_complaint(status, lc.Privacy())
    assert () == complaint.clocks
    assert to_service_request(complaint, calendar=CALENDAR)["expected_datetime"] is None


@pytest.mark.parametrize("status", list(lc.Status))
def test_without_a_calendar_expected_datetime_stays_none(status: lc.Status) -> None:
    complaint = sentinel_complaint(status, lc.Privacy())
    assert to_service_request(complaint, profile=PROFILE)["expected_datetime"] is None


def _record(complaint: lc.Complaint, command: lc.Command, at: datetime) -> lc.Complaint:
    for event in lc.decide(complaint, command, lc.Actor.system(), at, CTX):
        complaint = lc.evolve(complaint, event)
    return complaint


def test_breached_clock_is_skipped() -> None:
    complaint = sentinel_complaint(lc.Status.SUBMITTED, lc.Privacy())
    forwarding = complaint.clock("forwarding")
    assert forwarding is not None
    deadline = clock_deadline(forwarding, CALENDAR)
    assert deadline is not None
    before = to_service_request(complaint, calendar=CALENDAR)["expected_datetime"]
    assert before is not None
    assert deadline == datetime.fromisoformat(before)
    breach = lc.RecordBreach(complaint_id=complaint.id, clock="forwarding")
    complaint = _record(complaint, breach, deadline)
    running = complaint.clock("forwarding")
    assert running is not None
    assert running.breached  # still running, now breached
    after = to_service_request(complaint, calendar=CALENDAR)["expected_datetime"]
    # The next unbreached deadline: the statutory response, 14 days after 3 March.
    statutory = complaint.clock("statutory_response")
    assert statutory is not None
    assert after is not None
    assert clock_deadline(statutory, CALENDAR) == datetime.fromisoformat(after)
    assert "2025-03-18T00:00:00+07:00" == after


def test_every_clock_breached_expects_nothing() -> None:
    complaint = sentinel_complaint(lc.Status.SUBMITTED, lc.Privacy())
    late = datetime(2025, 7, 1, tzinfo=WIB)  # past every clock of a submitted complaint
    for command in due(complaint, late, CALENDAR, PROFILE.clocks):
        complaint = _record(complaint, command, late)
    assert lc.Status.SUBMITTED is complaint.status
    assert complaint.clocks
    assert all(rc.breached for rc in complaint.clocks)
    assert to_service_request(complaint, calendar=CALENDAR)["expected_datetime"] is None


def test_reply_window_gives_the_auto_close_instant() -> None:
    complaint = sentinel_complaint(lc.Status.IN_PROGRESS, lc.Privacy())
    expected = to_service_request(complaint, calendar=CALENDAR)["expected_datetime"]
    assert expected is not None
    instant = datetime.fromisoformat(expected)
    window = complaint.clock("reply_window")
    assert window is not None
    assert clock_deadline(window, CALENDAR) == instant
    auto_close = lc.AutoClose(complaint_id=complaint.id)
    just_before = instant - timedelta(seconds=1)
    assert auto_close not in due(complaint, just_before, CALENDAR, PROFILE.clocks)
    assert auto_close in due(complaint, instant, CALENDAR, PROFILE.clocks)
    closed = _record(complaint, auto_close, instant)
    assert lc.Status.COMPLETED is closed.status
    assert to_service_request(closed, calendar=CALENDAR)["expected_datetime"] is None


@pytest.mark.parametrize("privacy", PRIVACIES, ids=str)
def test_expected_datetime_ignores_privacy(privacy: lc.Privacy) -> None:
    complaint = sentinel_complaint(lc.Status.FORWARDED, privacy)
    request = to_service_request(complaint, calendar=CALENDAR, extended=True)
    assert EXPECTED_BY_STATUS[lc.Status.FORWARDED] == request["expected_datetime"]


# ---------------------------------------------------------------------------- in


def test_post_request_becomes_a_submit() -> None:
    submit = submit_from_request(
        _request(), complaint_id=lc.ComplaintId("o311-1"), profile=PROFILE, idempotency_key="k1"
    )
    assert lc.Category("infrastruktur") == submit.category
    assert "Lampu jalan mati" == submit.content.title
    assert submit.content.body.startswith("Lampu jalan mati\nLampu di Jl. Juanda")
    assert submit.content.location is not None
    assert "Jl. Juanda, Samarinda" == submit.content.location
    assert lc.GeoPoint(-0.5021, 117.1536) == submit.content.point
    assert lc.Reporter("warga@example.org", "Budi Santoso", "warga@example.org, +62811000001") == (
        submit.reporter
    )
    assert OPEN311_CHANNEL == submit.channel
    assert lc.ChannelType.REGIONAL_APP is submit.channel.type
    assert lc.Privacy() == submit.privacy
    assert lc.Kind.COMPLAINT is submit.kind
    assert "k1" == submit.idempotency_key
    assert "api_key" not in repr(submit)


def test_attributes_flat_or_nested() -> None:
    flat = _request(**{"attribute[rahasia]": "true", "attribute[kind]": "aspirasi"})
    nested = _request(attribute={"rahasia": True, "kind": "aspirasi"})
    cid = lc.ComplaintId("o311-2")
    for request in (flat, nested):
        submit = submit_from_request(request, complaint_id=cid)
        assert lc.Privacy(confidential=True) == submit.privacy
        assert lc.Kind.ASPIRATION is submit.kind


def test_other_attributes() -> None:
    request = _request(
        attribute={
            "title": "Judul sendiri",
            "region": "64.72",
            "tracking_id": "LPR-77",
            "anonim": "ya",
        }
    )
    submit = submit_from_request(request, complaint_id=lc.ComplaintId("o311-3"))
    assert "Judul sendiri" == submit.content.title
    assert lc.RegionCode("64.72") == submit.region
    assert lc.TrackingId("LPR-77") == submit.external_ids.sp4n_tracking_id
    assert submit.privacy.anonymous


def test_nameless_request_is_anonymous_and_device_identifies() -> None:
    request = _request(first_name=None, last_name=None, email=None, phone=None, device_id="d-9")
    submit = submit_from_request(request, complaint_id=lc.ComplaintId("o311-4"))
    assert submit.privacy.anonymous
    assert "device:d-9" == submit.reporter.id
    assert submit.reporter.contact is None


def test_long_first_line_is_cut_for_the_title() -> None:
    submit = submit_from_request(
        _request(description="x" * 150), complaint_id=lc.ComplaintId("o311-5")
    )
    assert 100 == len(submit.content.title)
    assert submit.content.title.endswith("...")
    assert "x" * 150 == submit.content.body


def test_media_url_and_address_id_are_kept_as_fields() -> None:
    submit = submit_from_request(
        _request(media_url="https://example.org/foto.jpg", address_id="ADR-12"),
        complaint_id=lc.ComplaintId("o311-6"),
    )
    assert ("https://example.org/foto.jpg",) == submit.content.media_urls
    assert "ADR-12" == submit.content.address_id
    assert "foto.jpg" not in submit.content.body
    assert "ADR-12" not in (submit.content.location or "")


def test_a_point_alone_is_a_location() -> None:
    submit = submit_from_request(
        _request(address_string=None), complaint_id=lc.ComplaintId("o311-6b")
    )
    assert submit.content.location is None
    assert lc.GeoPoint(-0.5021, 117.1536) == submit.content.point


def test_a_media_url_that_is_no_web_link_is_refused() -> None:
    with pytest.raises(lc.ValidationError, match="media_url"):
        submit_from_request(
            _request(media_url="file:///etc/passwd"), complaint_id=lc.ComplaintId("o311-6c")
        )


def test_posted_request_goes_through_the_service() -> None:
    svc = service()
    submit = submit_from_request(_request(), complaint_id=lc.ComplaintId("o311-7"))
    result = svc.handle(submit, lc.Actor.system("open311"), now=T_SUBMIT)
    assert lc.Status.SUBMITTED is result.complaint.status
    out = to_service_request(result.complaint, profile=PROFILE)
    assert "infrastruktur" == out["service_code"]
    assert "open" == out["status"]
    assert out["address"] is not None
    assert "Jl. Juanda, Samarinda" in out["address"]
    assert out["description"] is not None
    assert out["description"].endswith("Lampu di Jl. Juanda mati sejak tiga hari.")


BAD_FIELDS: list[tuple[dict[str, Any], str]] = [
    (_request(service_code=None), "service_code"),
    (_request(service_code="tidak-ada"), "service_code"),
    (_request(service_code="Bad Code!"), "service_code"),
    (_request(service_code=7), "service_code"),
    (_request(description="x" * 20_001), "description"),
    (_request(lat="91"), "lat"),
    (_request(lat="utara"), "lat"),
    (_request(lat=True), "lat"),
    (_request(long=None), "long"),
    (_request(long="200"), "long"),
    (_request(lat=None, long=None, address_string=None), "address_string"),
    (_request(address="Jl. Lain"), "address"),
    (_request(email="bukan-email"), "email"),
    (_request(first_name="x" * 201), "first_name"),
    (_request(**{"attribute[kind]": "gosip"}), "attribute[kind]"),
    (_request(**{"attribute[anonim]": "mungkin"}), "attribute[anonim]"),
    (_request(**{"attribute[region]": "99.x"}), "attribute[region]"),
    (_request(**{"attribute[tracking_id]": "LPR 1"}), "attribute[tracking_id]"),
    (_request(**{"attribute[kind][]": ["aspirasi", "pengaduan"]}), "attribute[kind]"),
    (_request(description=["satu", "dua"]), "description"),
    (_request(attribute="anonim"), "attribute"),
    (_request(colour="blue"), "colour"),
]


@pytest.mark.parametrize(
    ("request_", "field"), BAD_FIELDS, ids=[f"{i}-{f}" for i, (_, f) in enumerate(BAD_FIELDS)]
)
def test_each_bad_field_is_named_and_nothing_is_written(
    request_: dict[str, Any], field: str
) -> None:
    svc = service()
    with pytest.raises(lc.ValidationError) as info:
        submit_from_request(request_, complaint_id=lc.ComplaintId("bad-1"), profile=PROFILE)
    assert str(info.value).startswith(f"{field}: "), str(info.value)
    assert () == svc.store.read_all(0)


def test_not_a_mapping_is_refused() -> None:
    with pytest.raises(lc.ValidationError, match="request"):
        submit_from_request(["service_code"], complaint_id=lc.ComplaintId("bad-2"))  # type: ignore[arg-type]


@given(
    code=st.sampled_from(sorted(PROFILE.service_standards)),
    description=lst.texts(500),
    privacy=st.sampled_from(PRIVACIES),
)
def test_in_then_out_keeps_what_is_public(code: str, description: str, privacy: lc.Privacy) -> None:
    attributes = {
        "anonim": str(privacy.anonymous).lower(),
        "rahasia": str(privacy.confidential).lower(),
    }
    request = _request(service_code=code, description=description, attribute=attributes)
    cid = lc.ComplaintId("o311-rt")
    submit = submit_from_request(request, complaint_id=cid, profile=PROFILE)
    events = lc.decide(None, submit, lc.Actor.system("open311"), T_SUBMIT, CTX)
    complaint = lc.replay(events)
    out = to_service_request(complaint, profile=PROFILE, extended=True)
    assert code == out["service_code"]
    assert category_names(PROFILE)[code] == out["service_name"]
    assert "open" == out["status"]
    if privacy.confidential:
        assert out["description"] is None
        assert out["address"] is None
    else:
        assert out["description"] is not None
        assert out["description"].endswith(description.strip())
        assert out["address"] is not None
        assert "Jl. Juanda, Samarinda" in out["address"]
    assert (out["extended_attributes"]["reporter_name"] is None) == privacy.anonymous


# ---------------------------------------------------------------------------- services


def test_services_are_the_profile_categories() -> None:
    listed = services(PROFILE)
    codes = [*sorted(PROFILE.service_standards), UNCATEGORISED_SERVICE_CODE]
    assert codes == [s["service_code"] for s in listed]
    by_code = {s["service_code"]: s for s in listed}
    assert "Kesehatan" == by_code["kesehatan"]["service_name"]
    assert "5 working_days" in by_code["kesehatan"]["description"]
    assert all(s["type"] == "realtime" and s["metadata"] is True for s in listed)


def test_services_of_a_profile_without_categories() -> None:
    text = _national_without_categories()
    profile = lc.Profile.from_toml(text)
    assert {} == dict(profile.service_standards)
    assert [UNCATEGORISED_SERVICE_CODE] == [s["service_code"] for s in services(profile)]


def _national_without_categories() -> str:
    text = (
        resources.files("lapor_core.profiles").joinpath("national.toml").read_text(encoding="utf-8")
    )
    head, _, _ = text.partition("[categories.")
    return head


def test_service_definition_lists_our_attributes() -> None:
    definition = service_definition(PROFILE, "kesehatan")
    assert "kesehatan" == definition["service_code"]
    codes = [a["code"] for a in definition["attributes"]]
    assert ["title", "kind", "anonim", "rahasia", "region", "tracking_id"] == codes
    kinds = next(a for a in definition["attributes"] if a["code"] == "kind")
    assert {k.value for k in lc.Kind} == {v["key"] for v in kinds["values"]}


def test_service_definition_of_an_unknown_category() -> None:
    with pytest.raises(lc.ProfileError, match="tidak-ada"):
        service_definition(PROFILE, "tidak-ada")
