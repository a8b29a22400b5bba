"""
The tracking page in a real browser: headless Chromium from the operating system's
packages, driven by Selenium, against uvicorn on 127.0.0.1, following a complaint from its
POST to completion.

Skipped, with its reason, where no ``chromium`` and ``chromedriver`` are installed
(``.ci/run`` installs them). ``LAPOR_UPDATE_SCREENSHOTS=1`` writes the page's screenshot
to ``docs/images/tracking-page.png``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from web_helpers import NOW, config, make_service, post_form, serving

import lapor_core as lc
from lapor_core.service import ComplaintService
from lapor_core.web import create_app

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
SCREENSHOT = Path(__file__).parents[2] / "docs" / "images" / "tracking-page.png"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="no chromium and chromedriver (apt-get install chromium chromium-driver)",
)


@pytest.fixture
def served() -> Iterator[tuple[str, ComplaintService]]:
    service = make_service()
    with serving(create_app(service, config=config())) as port:
        yield f"http://127.0.0.1:{port}", service


def _browser() -> WebDriver:
    from selenium import webdriver  # noqa: PLC0415 - only where a browser exists
    from selenium.webdriver.chrome.service import Service  # noqa: PLC0415

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--lang=id"):
        options.add_argument(flag)
    options.add_argument("--window-size=420,900")  # a phone's width
    return webdriver.Chrome(service=Service(executable_path=str(DRIVER)), options=options)


def test_a_citizen_follows_a_complaint_from_post_to_completion(
    served: tuple[str, ComplaintService],
) -> None:
    from selenium.webdriver.common.by import By  # noqa: PLC0415 - only where a browser exists

    root, service = served
    created = httpx.post(f"{root}/requests.json", data=post_form(), timeout=10).json()
    request_id = created[0]["service_request_id"]
    browser = _browser()
    try:
        browser.set_page_load_timeout(20)
        browser.get(f"{root}/lacak?lang=id")
        field = browser.find_element(By.ID, "id")
        field.send_keys(request_id)
        field.submit()
        status = browser.find_element(By.ID, "status").text
        assert service.profile.label(lc.Status.SUBMITTED, "id") == status
        assert request_id == browser.find_element(By.ID, "tracking-id").text

        # the city verifies, forwards, follows up and the reporter's window closes it
        cid = lc.ComplaintId(request_id)
        national = lc.Actor.national_admin("nasional")
        service.handle(lc.Forward(complaint_id=cid, agencies=("samarinda",)), national, now=NOW)
        service.handle(
            lc.PostFollowUp(complaint_id=cid, agency="samarinda", text="Lampu sudah diganti."),
            lc.make_agency_actor(
                service.context.registry, "smd", lc.Role.AGENCY_ADMIN, "samarinda"
            ),
            now=NOW + timedelta(hours=1),
        )
        service.sweep(NOW + timedelta(days=30))
        browser.refresh()
        status = browser.find_element(By.ID, "status").text
        assert service.profile.label(lc.Status.COMPLETED, "id") == status
        page = browser.page_source
        assert "Lampu sudah diganti." in page
        assert "warga@example.org" not in page  # never the contact
        if os.environ.get("LAPOR_UPDATE_SCREENSHOTS") == "1":
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            assert browser.save_screenshot(str(SCREENSHOT))
    finally:
        browser.quit()
