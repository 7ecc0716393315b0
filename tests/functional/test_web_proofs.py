"""The published proof-item list in a real Chromium: flagged items explain themselves."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser

from certfree.demo import load_demo_list
from certfree.storage import Database
from helpers.livenode import serving

pytestmark = pytest.mark.browser


def test_citizen_reads_the_list_and_sees_why_items_are_to_be_abolished(
    client: TestClient, db: Database, browser: Browser
) -> None:
    with db.session() as session:
        load_demo_list(session, "demo")
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="zh-CN")
        page.goto(base + "/")
        page.get_by_role("main").get_by_role("link", name="证明事项清单").click()
        page.wait_for_url("**/proofs")
        assert page.locator("#version").inner_text().startswith("第 1 版")
        kept = page.locator("#item-SD-ZM-RS-001")
        assert "社会保险参保缴费证明" in kept.inner_text()
        assert kept.locator(".status").inner_text() == "保留"
        flagged = page.locator("#item-SD-ZM-GA-005")  # 无犯罪记录证明 on a notice alone
        assert flagged.locator(".status").inner_text() == "拟取消"
        assert "规范性文件不得设定证明事项" in flagged.locator(".reason").inner_text()
        page.get_by_role("link", name="English").click()
        page.wait_for_url("**/proofs?lang=en*")
        assert page.locator("#item-SD-ZM-RS-001 .status").inner_text() != "保留"
        page.close()
