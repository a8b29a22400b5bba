"""The citizen tracking page (/lacak): labels in both languages, privacy, escaping, errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient
from web_helpers import NOW, config, make_service

import lapor_core as lc
from lapor_core.i18n import translator
from lapor_core.service import ComplaintService
from lapor_core.web import create_app

SAMARINDA = lc.make_agency_actor(
    lc.load_registry("kaltim"), "adm", lc.Role.AGENCY_ADMIN, "samarinda"
)
NAME = "Siti Aminah Rahasia"
CONTACT = "+62811999888"


def _submit(
    service: ComplaintService,
    cid: str,
    *,
    tracking: str | None = None,
    title: str = "Lampu jalan mati",
    **privacy: bool,
) -> None:
    service.handle(
        lc.Submit(
            complaint_id=lc.ComplaintId(cid),
            content=lc.Content(title, "Lampu di Jl. Juanda mati sejak tiga hari."),
            kind=lc.Kind.COMPLAINT,
            reporter=lc.Reporter(f"p-{cid}", NAME, CONTACT),
            channel=lc.Channel(lc.ChannelType.WEB),
            category=lc.Category("infrastruktur"),
            privacy=lc.Privacy(**privacy),
            external_ids=lc.ExternalIds(
                sp4n_tracking_id=lc.TrackingId(tracking) if tracking else None
            ),
            target_agency="samarinda",
        ),
        lc.Actor.reporter(f"p-{cid}"),
        now=NOW - timedelta(days=1),
    )


@pytest.fixture
def service() -> ComplaintService:
    made = make_service()
    _submit(made, "c-1", tracking="LPR-0001")
    _submit(made, "c-anon", tracking="LPR-0002", anonymous=True)
    _submit(made, "c-secret", tracking="LPR-0003", confidential=True)
    _submit(made, "c-hostile", tracking="LPR-0004", title="<script>alert(1)</script>")
    made.handle(
        lc.Forward(complaint_id=lc.ComplaintId("c-1"), agencies=("samarinda.dishub",)),
        SAMARINDA,
        now=NOW - timedelta(hours=20),
    )
    return made


@pytest.fixture
def client(service: ComplaintService) -> TestClient:
    return TestClient(create_app(service, config=config()))


def test_the_form_in_indonesian_and_english(client: TestClient) -> None:
    page = client.get("/lacak")
    assert 200 == page.status_code
    assert "text/html" in page.headers["content-type"]
    assert translator("id")("Track your report") in page.text
    assert '<html lang="id">' in page.text
    assert "script-src" not in page.headers["content-security-policy"]
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "nosniff" == page.headers["x-content-type-options"]
    english = client.get("/lacak?lang=en")
    assert translator("en")("Track your report") in english.text
    asked = client.get("/lacak", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in asked.text
    assert client.get("/lacak.css").headers["content-type"].startswith("text/css")


def test_a_report_by_its_tracking_id(client: TestClient, service: ComplaintService) -> None:
    page = client.get("/lacak/LPR-0001")
    assert 200 == page.status_code
    label = service.profile.label(lc.Status.FORWARDED, "id")
    assert f'<dd id="status">{label}</dd>' in page.text
    assert "Lampu jalan mati" in page.text
    assert "Didisposisikan ke" in page.text  # the timeline
    assert translator("id")("Deadlines") in page.text
    assert "hari kerja ke-1" in page.text  # the day-by-day count
    assert NAME in page.text  # not anonim: the public sees the name
    assert CONTACT not in page.text  # never the contact
    english = client.get("/lacak/LPR-0001?lang=en")
    assert service.profile.label(lc.Status.FORWARDED, "en") in english.text
    assert "working day 1" in english.text
    # the form's ?id= lands on the same page
    assert label in client.get("/lacak?id=LPR-0001").text
    # a complaint without a tracking id is found by its id
    assert 200 == client.get("/lacak/c-1").status_code


def test_privacy_holds_on_the_page(client: TestClient) -> None:
    anonymous = client.get("/lacak/LPR-0002").text
    assert NAME not in anonymous
    assert CONTACT not in anonymous
    assert translator("id")("Anonymous") in anonymous
    secret = client.get("/lacak/LPR-0003").text
    assert "Lampu di Jl. Juanda" not in secret
    assert "Lampu jalan mati" not in secret
    assert translator("id")("This report is confidential: its content is not shown.") in secret


def test_hostile_text_is_escaped(client: TestClient) -> None:
    page = client.get("/lacak/LPR-0004").text
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_unknown_and_malformed_ids(client: TestClient) -> None:
    missing = client.get("/lacak/LPR-9999")
    assert 404 == missing.status_code
    assert translator("id")("No report has that tracking id.") in missing.text
    assert (
        translator("en")("No report has that tracking id.")
        in client.get("/lacak/LPR-9999?lang=en").text
    )
    bad = client.get("/lacak", params={"id": "a b;<x>"})
    assert 400 == bad.status_code
    assert translator("id")("Not a valid tracking id: use letters, digits and hyphens.") in bad.text
    assert "<x>" not in bad.text


def test_mounted_under_a_prefix_and_switched_off(service: ComplaintService) -> None:
    mounted = TestClient(
        Starlette(routes=[Mount("/open311/v2", app=create_app(service, config=config()))])
    )
    page = mounted.get("/open311/v2/lacak")
    assert 200 == page.status_code
    assert 'href="/open311/v2/lacak.css"' in page.text
    assert 'action="/open311/v2/lacak"' in page.text
    off = TestClient(create_app(service, config=config(tracking_page=False)))
    assert 404 == off.get("/lacak").status_code


def test_a_units_hand_back_is_on_the_timeline(service: ComplaintService) -> None:
    registry = lc.load_registry("kaltim")
    cid = lc.ComplaintId("c-back")
    _submit(service, "c-back", tracking="LPR-0005")
    steps = (
        (lc.Forward(complaint_id=cid, agencies=("samarinda",)), lc.Actor.national_admin("adm")),
        (lc.ForwardInternally(complaint_id=cid, agency="samarinda", to="samarinda.dishub"),
         SAMARINDA),
        (lc.RejectDisposition(complaint_id=cid, agency="samarinda", reason="Bukan wewenang."),
         lc.make_agency_actor(registry, "u", lc.Role.AGENCY_ADMIN, "samarinda.dishub")),
    )  # fmt: skip
    for hours, (command, actor) in enumerate(steps):
        service.handle(command, actor, now=NOW - timedelta(hours=20 - hours))
    template = "Handed back to {agency} by one of its units: not the unit's authority"
    said = translator("id")(template)
    assert said != template
    page = TestClient(create_app(service, config=config())).get("/lacak/LPR-0005")
    assert 200 == page.status_code
    assert said.split("{agency}")[0] in page.text
    assert service.profile.label(lc.Status.FORWARDED, "id") in page.text
