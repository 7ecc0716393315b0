"""The frame every page shares, in a real Chromium: navigation to each role's page, the skip
link, a phone's width, no serious accessibility violation; and the demo sign-in of staff."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser

from certfree.demo import build_demo_province
from certfree.storage import Database
from helpers.livenode import serving
from helpers.webpage import PHONE, check_page, fits_phone

pytestmark = pytest.mark.browser


def test_landing_frame_on_a_phone_in_both_languages(
    client: TestClient, db: Database, browser: Browser
) -> None:
    build_demo_province(db, citizens=1000, firms=10, seed=3)
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="zh-CN", viewport=PHONE)
        page.goto(base + "/")
        nav = page.get_by_role("navigation", name="页面导航")
        for label in ("办事", "卡包", "我的数据", "窗口受理", "亮证核验", "部门管理", "大数据局"):
            assert nav.get_by_role("link", name=label).is_visible()
        assert nav.get_by_role("link", name="首页").get_attribute("aria-current") == "page"
        assert fits_phone(page)
        check_page(page, "landing-phone-zh")
        page.goto(base + "/?lang=en")
        assert (
            page.get_by_role("navigation", name="Pages")
            .get_by_role("link", name="Wallet")
            .is_visible()
        )
        check_page(page, "landing-phone-en")
        page.close()


def test_staff_sign_in_carries_role_and_organisation(client: TestClient, db: Database) -> None:
    build_demo_province(db, citizens=1000, firms=5, seed=3)
    personas = client.get("/dev/personas").json()
    roles = {persona["role"] for persona in personas}
    assert {"applicant", "clerk", "department_admin", "bureau_admin", "cio", "verifier"} <= roles
    admin = next(p for p in personas if p["role"] == "department_admin")
    signed = client.post(
        "/dev/staff-sign-in",
        json={
            "staff_id": admin["subject"],
            "role": "department_admin",
            "organisation": admin["organisation"],
        },
    )
    assert signed.status_code == 200
    who = client.get(
        "/api/v1/whoami", headers={"Authorization": f"Bearer {signed.json()['token']}"}
    ).json()
    assert who["role"] == "department_admin"
    assert who["organisation"] == admin["organisation"]
    # A department admin must act for a department node; the problem names the field.
    refused = client.post(
        "/dev/staff-sign-in",
        json={"staff_id": "x", "role": "department_admin", "organisation": "370000"},
    )
    assert refused.status_code == 422
    assert refused.json()["field"] == "organisation"
    unknown_role = client.post("/dev/staff-sign-in", json={"staff_id": "x", "role": "node"})
    assert unknown_role.status_code == 422
