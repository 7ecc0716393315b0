"""The landing page in a real Chromium: node identity, demo figures, language switch."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Locator, expect

from certfree.demo import build_demo_province
from certfree.population import Person, get_person
from certfree.storage import Database
from helpers.livenode import serving
from helpers.webpage import PHONE, fits_phone

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


def get_person_of(db: Database, row: Locator) -> Person:
    """The demo resident a persona row signs in as (its link's ``?as=``)."""
    link = row.get_by_role("link").get_attribute("href") or ""
    with db.session() as session:
        found = get_person(session, link.split("?as=", 1)[1])
        session.expunge(found)
        return found


def test_landing_page_shows_the_demo_province_and_whom_to_act_as(
    client: TestClient, db: Database, browser: Browser
) -> None:
    build_demo_province(db, citizens=1000, firms=40, seed=7)
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="zh-CN")
        page.goto(base + "/")
        assert page.locator("#count-cities").inner_text() == "16"
        assert page.locator("#count-departments").inner_text() == str(9 * 17)
        assert page.locator("#count-persons").inner_text() == "1,000"
        residents = page.locator("#people tbody tr[data-role=applicant]")
        hints = residents.locator("td:nth-child(3)").all_inner_texts()
        assert hints[:3] == [
            "未婚男性：内地居民结婚登记（与下一位一起）",
            "未婚女性：结婚登记的另一方",
            "60 岁以上：老年人优待证、亮证",
        ]
        groom = residents.first
        link = groom.get_by_role("link").get_attribute("href") or ""
        assert link.startswith("/apply?as=")
        id_number = link.removeprefix("/apply?as=")
        with db.session() as session:
            person = get_person(session, id_number)
        assert groom.locator("td").nth(0).inner_text() == person.name
        # Shown whole: the visitor types the other party's number into a marriage application.
        assert groom.locator("td").nth(3).inner_text() == id_number
        bride = get_person_of(db, residents.nth(1))
        assert abs((bride.birth_date - person.birth_date).days) < 366 * 10  # a plausible couple
        elder = get_person_of(db, residents.nth(2))
        assert elder.id_number not in {person.id_number, bride.id_number}
        staff = page.locator("#people tbody tr:not([data-role=applicant])")
        assert staff.locator("td:nth-child(2)").all_inner_texts() == [
            "窗口工作人员",
            *["部门管理员"] * 9,
            "大数据局",
            "首席信息官",
            "核验方（酒店前台）",
        ]
        department = staff.nth(1).get_by_role("link")
        assert department.get_attribute("href") == "/dept?as=admin-370000-GA&org=370000-GA"
        # On a phone every ID number and organisation code stays on one line (370000-GA is
        # never split at its hyphen).
        page.set_viewport_size(PHONE)
        codes = page.locator("#people tbody code")
        expect(codes.filter(has_text="370000-GA")).to_have_count(1)
        lines = [code.evaluate("c => c.getClientRects().length") for code in codes.all()]
        assert lines == [1] * len(lines)
        assert fits_phone(page)
        page.close()
