"""The bureau's page lists the important data and sensitive personal information that left the
node (/bureau #egress), in Chinese and in English, on a phone too."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, expect

from certfree.catalog import FieldGrade
from certfree.governance.egress import record_egress
from certfree.storage import Database
from helpers.livenode import serving
from helpers.webpage import PHONE, check_page, fits_phone

pytestmark = pytest.mark.browser


def test_the_bureau_sees_what_left_the_node(
    client: TestClient, db: Database, browser: Browser
) -> None:
    with db.session() as session:
        record_egress(
            session,
            provider="370100-MZ",
            recipient="370200",
            fields=[FieldGrade("marital_status", "sensitive.family", 3, sensitive=True)],
            records=1,
            purpose="结婚登记",
            at=dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC),
            question="marital_status",
            message_id="m-1",
        )
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="zh-CN")
        page.goto(f"{base}/bureau?as=bureau-1")
        expect(page.locator("body")).to_have_attribute("data-loaded", "true")
        expect(page.locator("#egress-state")).to_have_text(
            "重要数据 0 条，敏感个人信息 1 条，共 1 次答复。"
        )
        row = page.locator("#egress-lines tbody tr")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("marital_status（3 级）")
        expect(row).to_contain_text("敏感个人信息")
        check_page(page, "bureau-egress-zh")

        english = browser.new_page(locale="en", viewport=PHONE)
        english.goto(f"{base}/bureau?as=bureau-1&lang=en")
        expect(english.locator("body")).to_have_attribute("data-loaded", "true")
        expect(english.locator("#egress-state")).to_have_text(
            "Important data: 0 records; sensitive personal information: 1 records; answers: 1."
        )
        expect(english.locator("#egress-lines tbody tr")).to_contain_text(
            "marital_status (grade 3)"
        )
        english.locator("#egress").scroll_into_view_if_needed()
        assert fits_phone(english)
        check_page(english, "bureau-egress-en-phone")
