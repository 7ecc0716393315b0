"""The department page and a request of important data: the providing department approves it
once, then it waits for the bureau with no second button to press."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, expect

from certfree import catalog
from certfree.storage import Database
from helpers.livenode import serving
from helpers.webpage import check_page

pytestmark = pytest.mark.browser

POLICE, CIVIL = "370100-GA", "370100-MZ"


def test_an_approved_request_of_important_data_waits_for_the_bureau(
    client: TestClient, db: Database, browser: Browser
) -> None:
    with db.session() as session:
        code = catalog.create_resource(
            session,
            catalog.validate_resource({
                "class_code": "101", "name": "户籍人口统计", "abstract": "统计汇总",
                "provider": "济南市公安局", "provider_code": POLICE, "format": "数据库",
                "items": [{"name": "户籍人口统计汇总", "classification": "important"}],
                "share_type": "conditional", "share_conditions": "仅用于统计",
                "share_method": "api", "open_type": "not_open", "update_cycle": "monthly",
                "released": "2024-03-01",
            }),
        ).code  # fmt: skip
        demand = catalog.register_demand(
            session,
            {"department": "济南市民政局", "department_code": CIVIL, "scenario": "婚姻登记",
             "text": "人口统计", "items": ["户籍人口统计汇总"], "purpose": "统计分析",
             "legal_basis": "《统计法》第七条"},
        ).id  # fmt: skip
        catalog.request_resource(
            session, demand_id=demand, resource_code=code, requested_by="department_admin:mz",
            data_items=["户籍人口统计汇总"], legal_basis="statute",
            legal_basis_text="《中华人民共和国统计法》第七条",
        )  # fmt: skip
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="zh-CN")
        page.goto(base + f"/dept?as=ga-admin&org={POLICE}")
        expect(page.locator("body")).to_have_attribute("data-loaded", "true")
        page.get_by_role("tab", name="资源与共享").click()
        row = page.locator("#grants-in tbody tr")
        expect(row).to_have_count(1)
        row.get_by_role("button", name="批准", exact=True).click()
        expect(page.locator("#grant-result")).to_contain_text("：待审批")
        expect(row.get_by_role("button")).to_have_count(0)
        expect(row).to_contain_text("须经提供部门管理员、大数据局审批")
        check_page(page, "dept-graded-waits-zh")
