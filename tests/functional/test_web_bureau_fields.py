"""The bureau's page shows, for every labelled field, its class and grade, how it is masked and
who may receive it under a grant in force (/bureau #fields), in Chinese and in English, on a
phone too."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, expect

from helpers.livenode import serving
from helpers.webpage import PHONE, check_page, fits_phone

pytestmark = pytest.mark.browser

POLICE, CIVIL = "370100-GA", "370100-MZ"


def _as(client: TestClient, role: str, org: str) -> dict[str, str]:
    node = client.app.state.node  # type: ignore[attr-defined]
    return {"Authorization": f"Bearer {node.tokens.issue(role, f'{role}-1', organisation=org)}"}


def _grant_id_numbers(client: TestClient) -> None:
    """The civil-affairs bureau granted the ID numbers of the police's household register."""
    resource = {
        "class_code": "101", "name": "户籍人口信息", "abstract": "户籍登记",
        "provider": "济南市公安局", "provider_code": POLICE, "format": "数据库",
        "items": [{"name": "姓名"}, {"name": "公民身份号码"}],
        "share_type": "unconditional", "share_method": "api", "open_type": "not_open",
        "update_cycle": "realtime", "released": "2024-03-01",
    }  # fmt: skip
    made = client.post(
        "/api/v1/catalog/resources", json=resource, headers=_as(client, "department_admin", POLICE)
    )
    assert made.status_code == 201, made.text
    demand = {
        "department": "济南市民政局", "scenario": "婚姻登记", "text": "户籍人口信息",
        "items": ["公民身份号码"], "purpose": "核验当事人户籍",
        "legal_basis": "《婚姻登记条例》第五条",
    }  # fmt: skip
    asked = client.post(
        "/api/v1/catalog/demands", json=demand, headers=_as(client, "department_admin", CIVIL)
    )
    assert asked.status_code == 201, asked.text
    body = {
        "demand_id": asked.json()["id"], "resource_code": made.json()["code"],
        "data_items": ["公民身份号码"], "legal_basis": "statutory_duty",
        "legal_basis_text": "《婚姻登记条例》第五条",
    }  # fmt: skip
    grant = client.post(
        "/api/v1/catalog/grants", json=body, headers=_as(client, "department_admin", CIVIL)
    )
    assert grant.status_code == 201, grant.text
    approved = client.post(
        f"/api/v1/catalog/grants/{grant.json()['id']}/approve",
        json={},
        headers=_as(client, "department_admin", POLICE),
    )
    assert approved.json()["status"] == "active", approved.text


def test_the_bureau_sees_each_fields_grade_masking_and_receivers(
    client: TestClient, browser: Browser
) -> None:
    _grant_id_numbers(client)
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="zh-CN")
        page.goto(f"{base}/bureau?as=bureau-1")
        expect(page.locator("body")).to_have_attribute("data-loaded", "true")
        expect(page.locator("nav.sections a[href='#fields']")).to_have_text("数据项分级与去向")
        rows = page.locator("#field-rows tbody tr")
        expect(rows.first).to_be_visible()
        page.get_by_label("按字段或所在证照、问题、资源名称搜索").fill("公民身份号码")
        granted = rows.filter(has_text="户籍人口信息")
        expect(granted).to_have_count(1)
        expect(granted).to_contain_text("数据资源")
        expect(granted).to_contain_text("身份证件号码")
        expect(granted).to_contain_text("3 敏感")
        expect(granted).to_contain_text("3701**********0029")
        expect(granted).to_contain_text("370100-MZ（核验当事人户籍）")
        # A certificate's ID number is disclosed by its holder, never granted: no receiver.
        card = rows.filter(has_text="居民身份证").first
        expect(card.locator("td").last).to_have_text("无")

        page.get_by_label("按字段或所在证照、问题、资源名称搜索").fill("")
        page.get_by_label("级别", exact=True).select_option("4")
        expect(rows.first).to_be_visible()
        for grade in rows.locator("td:nth-child(3)").all_inner_texts():
            assert int(grade.split()[0]) >= 4, grade
        expect(rows.filter(has_text="公民身份号码")).to_have_count(0)
        page.get_by_label("按字段或所在证照、问题、资源名称搜索").fill("没有这样的字段")
        expect(page.locator("#field-rows-empty")).to_have_text("没有符合条件的字段。")
        page.get_by_label("按字段或所在证照、问题、资源名称搜索").fill("")
        page.get_by_label("级别", exact=True).select_option("")
        page.locator("#fields").scroll_into_view_if_needed()
        check_page(page, "bureau-fields-zh")

        english = browser.new_page(locale="en", viewport=PHONE)
        english.goto(f"{base}/bureau?as=bureau-1&lang=en")
        expect(english.locator("body")).to_have_attribute("data-loaded", "true")
        expect(english.locator("#fields-h")).to_have_text("Fields: grade, masking, receivers")
        english.get_by_label("Search by field, certificate type, question or resource").fill(
            "户籍人口信息"
        )
        row = english.locator("#field-rows tbody tr").filter(has_text="公民身份号码")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("Resource")
        expect(row).to_contain_text("3701**********0029")
        expect(row).to_contain_text("370100-MZ (核验当事人户籍)")
        expect(row).to_contain_text("Identity document number")
        expect(row).to_contain_text("3 Sensitive")
        expect(row).to_contain_text(
            "ID number, middle hidden: 370102199003070029 → 3701**********0029"
        )
        english.locator("#fields").scroll_into_view_if_needed()
        assert fits_phone(english)
        check_page(english, "bureau-fields-en-phone")
