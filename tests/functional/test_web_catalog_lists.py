"""The published supply and demand lists in a real Chromium: counts, rows, gaps, downloads."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser

from certfree import catalog
from certfree.catalog import lists
from certfree.storage import Database
from helpers.livenode import serving
from helpers.webpage import check_page

pytestmark = pytest.mark.browser


def publish(db: Database) -> None:
    with db.session() as session:
        for name, share_type, provider in (
            ("户籍人口基本信息", "conditional", "济南市公安局"),
            ("不动产登记信息", "unconditional", "济南市自然资源局"),
            ("婚姻登记信息", "not_shared", "济南市民政局"),
        ):
            draft = catalog.validate_resource({
                "class_code": "101", "name": name, "abstract": name, "provider": provider,
                "provider_code": f"P-{provider}", "format": "数据库", "share_type": share_type,
                "share_conditions": "仅用于政务服务", "unshared_basis": "法律规定",
                "share_method": "api", "open_type": "not_open", "update_cycle": "daily",
                "released": "2024-03-01",
            })  # fmt: skip
            catalog.create_resource(session, draft)
        for text, calls in (("户籍人口基本信息", 500), ("火星车遥测数据", 3)):
            catalog.register_demand(session, {
                "department": "济南市民政局", "department_code": "370100-MZ",
                "scenario": "婚姻登记", "text": text, "purpose": "办理婚姻登记",
                "legal_basis": "《婚姻登记条例》", "calls_per_day": calls,
            })  # fmt: skip
        index = catalog.load_index(session)
        lists.publish_lists(session, index, published_by="test", on=dt.date(2026, 11, 1))


def test_a_reader_sees_counts_gaps_and_downloads_the_csv(
    client: TestClient, db: Database, browser: Browser
) -> None:
    publish(db)
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="zh-CN", accept_downloads=True)
        page.goto(base + "/")
        page.get_by_role("link", name="数据供需清单").click()  # linked from the landing page
        page.wait_for_url("**/catalog/lists")
        assert page.locator("#published").inner_text() == "2026-11-01 发布 · 共 3 条"
        shares = page.locator("#by_share_type")
        assert shares.locator("tr[data-key=conditional] td").first.inner_text() == "有条件共享"
        assert shares.locator("tr[data-key=not_shared] td").last.inner_text() == "1"
        assert page.locator("#by_provider tbody tr").count() == 3
        assert page.locator("#rows tbody tr").count() == 3
        matched = page.locator("#row-101\\/000001 .col-match_status")
        assert matched.inner_text() == "已对接"

        page.get_by_role("link", name="需求清单").click()
        page.wait_for_url("**/catalog/lists?kind=demand")
        statuses = page.locator("#by_match_status")
        assert statuses.locator("tr[data-key=gap] td").last.inner_text() == "1"
        gap = page.locator("#rows tbody tr", has_text="火星车遥测数据")
        assert gap.locator(".col-match_status").inner_text() == "缺口"
        assert gap.locator(".col-best_name").inner_text() == "—"
        check_page(page, "catalog-lists-demand-zh")

        with page.expect_download() as caught:
            page.get_by_role("link", name="CSV").click()
        download = caught.value
        assert download.suggested_filename == "catalog-demand-2026-11-01.csv"
        text = download.path().read_bytes().decode("utf-8-sig")
        assert len(list(csv.DictReader(io.StringIO(text)))) == 2

        page.get_by_role("link", name="English").click()
        page.wait_for_url("**lang=en**")
        assert page.locator("h1").inner_text().startswith("Data supply and demand lists")
        assert gap.locator(".col-match_status").inner_text() == "Gap"
        assert page.locator("html").get_attribute("lang") == "en"
        page.close()


def test_an_unpublished_list_says_so(client: TestClient, browser: Browser) -> None:
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="zh-CN")
        page.goto(base + "/catalog/lists?kind=demand")
        assert page.locator("#not-published").inner_text() == "该清单尚未发布。"
        page.close()
    missing = client.get("/catalog/lists", params={"date": "2020-01-01"})
    assert missing.status_code == 404
