"""The published proof-item list in a real Chromium: flagged items explain themselves."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, expect

from certfree.demo import load_demo_list
from certfree.storage import Database
from helpers.livenode import serving
from helpers.webpage import PHONE, check_page, fits_phone

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


def test_the_list_on_a_phone_in_english(client: TestClient, db: Database, browser: Browser) -> None:
    with db.session() as session:
        load_demo_list(session, "demo")
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="en-GB", viewport=PHONE)
        page.goto(base + "/proofs?lang=en")
        # Ten items a page, each a card whose words are never broken mid-word.
        expect(page.locator("#found")).to_have_text("Items found: 26")
        expect(page.locator("tr[id^=item-]")).to_have_count(10)
        expect(page.locator("#page-of")).to_have_text("Page 1 of 3")
        assert fits_phone(page)
        code = page.locator("#item-SD-ZM-RS-001 td code")
        assert code.evaluate("c => c.getClientRects().length") == 1  # one line
        # English punctuation in the page's own words: no Chinese colon, comma or brackets.
        assert "Release note: " in page.locator("#version").inner_text()
        kept = page.locator("#item-SD-ZM-RS-001")
        expect(kept.locator(".ways")).to_have_text("Data sharing, e-certificate")
        expect(kept.locator(".bases")).to_have_text("Law: 《中华人民共和国社会保险法》第七十四条")
        expect(kept.locator(".status")).to_have_text("Kept")
        check_page(page, "proofs-phone-en")
        page.get_by_role("link", name="Next").click()
        expect(page.locator("#page-of")).to_have_text("Page 2 of 3")
        # The search keeps the items holding the words, over the whole list.
        page.get_by_label("Find by code, name, fact or department").fill("无犯罪记录")
        page.get_by_role("button", name="Search").click()
        expect(page.locator("#found")).to_have_text("Items found: 1")
        expect(page.locator("tr[id^=item-]")).to_have_count(1)
        expect(page.locator("#item-SD-ZM-GA-005 .status")).to_have_text("To abolish")
        check_page(page, "proofs-search-phone-en")
        page.close()
