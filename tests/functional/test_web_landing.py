"""The landing page in a real Chromium: node identity, demo figures, language switch."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser

from certfree.demo import build_demo_province
from certfree.population import list_people
from certfree.storage import Database
from helpers.livenode import serving

pytestmark = pytest.mark.browser


def test_landing_page_in_chinese_then_english(client: TestClient, browser: Browser) -> None:
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="zh-CN")
        page.goto(base + "/")
        assert page.locator("html").get_attribute("lang") == "zh-CN"
        assert page.locator("#node-code").inner_text() == "370000"
        assert page.locator("#node-level").inner_text() == "省级节点"
        assert page.locator("#keys-label").inner_text() == "签章密钥"
        assert "certfree demo init" in page.locator(".empty").inner_text()
        page.get_by_role("link", name="English").click()
        page.wait_for_url("**/?lang=en")
        assert page.locator("#node-level").inner_text() == "Province node"
        # The choice sticks: a later visit without ?lang= stays in English.
        page.goto(base + "/")
        assert page.locator("h2#node-h").inner_text() == "This node"
        page.close()


def test_landing_page_shows_the_demo_province_and_whom_to_act_as(
    client: TestClient, db: Database, browser: Browser
) -> None:
    build_demo_province(db, citizens=1000, firms=40, seed=7)
    with db.session() as session:
        first = list_people(session, limit=1)[0]
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="zh-CN")
        page.goto(base + "/")
        assert page.locator("#count-cities").inner_text() == "16"
        assert page.locator("#count-departments").inner_text() == str(9 * 17)
        assert page.locator("#count-persons").inner_text() == "1,000"
        rows = page.locator("#people tbody tr")
        assert rows.count() == 5
        assert rows.first.locator("td").nth(0).inner_text() == first.name
        assert rows.first.locator("td").nth(1).inner_text() == first.id_number
        page.close()
