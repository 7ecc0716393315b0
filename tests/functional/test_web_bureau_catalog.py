"""The big-data bureau's catalog page (/bureau/catalog) and the published lists (/catalog/lists)
in a real Chromium, over the demo catalog (the real open-data entries the package ships):
search with explanations, a resource's details, demands and their matches, the gap list, a
refused demand shown beside its field, and the lists paged and filtered on a phone."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect

from certfree import catalog
from certfree.demo.catalog import demo_catalog_files
from certfree.storage import Database
from helpers.livenode import serving
from helpers.webpage import PHONE, check_page, fits_phone

pytestmark = pytest.mark.browser

PUBLISHED = dt.date(2026, 11, 1)
GUIYANG = "贵阳市大数据发展管理局"  # the provider of 16 of the demo catalog's resources
RAW_ENUM = re.compile(r"^[a-z]+(_[a-z]+)*$")  # half_yearly, realtime: never shown


def _demo_catalog(db: Database) -> None:
    """The shipped demo catalog, two demands (one met, one a gap), both lists published."""
    with db.session() as session:
        for name, data in demo_catalog_files():
            catalog.import_catalog(session, data, name)
        for text, calls in (("社会保险参保信息", 800), ("火星车遥测数据", 3)):
            catalog.register_demand(session, {
                "department": "济南市民政局", "department_code": "370100-MZ",
                "scenario": "婚姻登记", "text": text, "purpose": "办理婚姻登记",
                "legal_basis": "《婚姻登记条例》", "calls_per_day": calls,
            })  # fmt: skip
        index = catalog.load_index(session)
        catalog.publish_lists(session, index, published_by="test", on=PUBLISHED)


def _signed_in(
    page: Page,
    base: str,
    acting: str = "大数据局管理员，代表 山东省大数据局（370000）",
    shown: int = 20,
) -> None:
    page.goto(f"{base}/bureau/catalog?as=bureau-1")
    expect(page.locator("#whoami")).to_have_text("bureau-1")
    expect(page.locator("#acting")).to_have_text(acting)
    expect(page.locator("#resources tbody tr")).to_have_count(shown)  # 10 on a phone


def test_the_bureau_searches_registers_a_demand_and_sees_the_gaps(
    client: TestClient, db: Database, browser: Browser
) -> None:
    _demo_catalog(db)
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="zh-CN")
        _signed_in(page, base)

        # Search: each candidate with its score and why, words as written or by synonym.
        page.get_by_label("所需数据", exact=True).first.fill("查询社保参保缴费记录")
        page.get_by_role("button", name="检索", exact=True).click()
        expect(page.locator("#match-status")).to_have_text("找到 5 个候选资源，按匹配度排序。")
        first = page.locator("#candidates li.candidate").first
        best = "白云区社会保险收付管理中心社保机构信息"
        expect(first.locator(".name")).to_have_text(best)
        expect(first.locator(".score-text")).to_have_text("匹配度：23%")
        expect(first.locator(".badge.bad")).to_have_text("低于缺口阈值 30%")
        expect(first.locator("li.term")).to_have_text([
            "原词 “社保”见于名称、摘要", "同义词 “社保”≈“社会保险”见于名称",
        ])  # fmt: skip
        expect(first.locator("li.term.by-synonym")).to_have_count(1)
        check_page(page, "bureau-catalog-search-zh")

        # A resource's details: GB/T 21063.3 metadata, enumerations in words.
        first.get_by_role("button", name=f"{best} 的详情").click()
        dialog = page.get_by_role("dialog", name=best)
        expect(dialog.locator(".field-code")).to_have_text(re.compile(r"^307/\d{6}$"))
        for field in ("share_type", "share_method", "open_type", "update_cycle"):
            shown = dialog.locator(f".field-{field}").inner_text()
            assert not RAW_ENUM.match(shown), (field, shown)
        expect(dialog.get_by_role("heading", name="信息项", exact=True)).to_be_visible()
        expect(page.locator("#detail-h")).to_be_focused()  # read first, not the close button
        check_page(page, "bureau-catalog-resource-zh")
        dialog.get_by_role("button", name="关闭").click()
        expect(dialog).to_be_hidden()

        # The catalog by provider, enums in words.
        page.locator("#browse-provider").fill(GUIYANG)
        page.get_by_role("button", name="查看", exact=True).click()
        rows = page.locator("#resources tbody tr")
        expect(rows).to_have_count(16)
        expect(page.locator("#resources-next")).to_be_disabled()
        cycles = rows.locator(".col-cycle").all_inner_texts()
        assert len(cycles) == 16
        assert not any(RAW_ENUM.match(c) for c in cycles), cycles

        # A demand the server refuses: its problem shown beside the field it names.
        page.locator("#new-demand summary").click()
        form = page.locator("#demand-form")
        form.get_by_label("需求部门").fill("济南市人力资源和社会保障局")
        form.get_by_label("应用场景或办理事项").fill("养老保险待遇申领")
        form.get_by_label("用途").fill("核对参保缴费年限")
        form.get_by_label("依据").fill("《社会保险法》第十六条")
        form.get_by_role("button", name="登记").click()
        error = page.locator("#d-text-error")
        expect(error).to_have_text("须写明所需数据（text）或列出所需信息项（items）")
        assert page.locator("#d-text").get_attribute("aria-describedby") == "d-text-error"
        check_page(page, "bureau-catalog-demand-refused-zh")

        # Registered once the data wanted is given: its candidates are shown at once.
        form.get_by_label("所需数据").fill("社会保险参保缴费记录")
        form.get_by_label("所需信息项").fill("参保单位，缴费基数")
        form.get_by_label("预计日调用量").fill("1200")
        form.get_by_role("button", name="登记").click()
        expect(page.locator("#demand-registered")).to_have_text("已登记为需求 3。")
        matches = page.locator("#demand-matches")
        heading = page.locator("#demand-matches-h")
        expect(heading).to_have_text("需求 3“社会保险参保缴费记录”的候选资源")
        expect(matches.locator("li.candidate")).to_have_count(5)
        expect(page.locator("#demand-list tbody tr").first).to_have_attribute("data-id", "3")

        # An earlier demand's matches, from its row.
        page.locator("#demand-list tr[data-id='1']").get_by_role("button").click()
        expect(heading).to_have_text("需求 1“社会保险参保信息”的候选资源")
        expect(matches.locator("li.candidate").first.locator("li.term").first).to_be_visible()
        check_page(page, "bureau-catalog-demand-matches-zh")

        # The gap list: what no resource matches, highest call volume first.
        gap = page.locator("#gap-list tr[data-id='2']")
        expect(gap.locator(".col-text")).to_have_text("火星车遥测数据")
        expect(gap.locator(".col-nearest")).to_have_text("无")
        page.locator("#gap-search").fill("火星")
        expect(page.locator("#gap-list tbody tr")).to_have_count(1)
        check_page(page, "bureau-catalog-gaps-zh")
        page.close()


def test_the_lists_page_on_a_phone_is_paged_filtered_and_in_words(
    client: TestClient, db: Database, browser: Browser
) -> None:
    _demo_catalog(db)
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="zh-CN", viewport=PHONE)
        page.goto(base + "/catalog/lists")
        expect(page.locator("#published")).to_have_text("2026-11-01 发布 · 共 397 条")
        expect(page.locator("#rows tbody tr")).to_have_count(20)
        expect(page.locator("#pager span")).to_have_text("第 1 / 20 页")
        assert fits_phone(page)
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height < 6000, height  # was 14,800 px on a monitor, all rows at once
        check_page(page, "catalog-lists-phone-zh")

        # Filtered by provider, then by update cycle: in words, page by page.
        page.get_by_label("提供方").select_option(GUIYANG)
        page.get_by_role("button", name="筛选").click()
        expect(page.locator("#matching")).to_have_text("符合条件的共 16 条")
        providers = page.locator("#rows .col-provider").all_inner_texts()
        assert providers == [GUIYANG] * 16
        page.get_by_label("更新周期").select_option("half_yearly")
        page.get_by_role("button", name="筛选").click()
        cycles = page.locator("#rows .col-update_cycle").all_inner_texts()
        assert set(cycles) == {"每半年"}, cycles  # not empty: the demo holds some
        check_page(page, "catalog-lists-filtered-phone-zh")

        page.get_by_label("提供方").select_option("")
        page.get_by_label("更新周期").select_option("")
        page.get_by_label("搜索").fill("社会保险")
        page.get_by_role("button", name="筛选").click()
        expect(page.locator("#matching")).to_have_text(re.compile(r"^符合条件的共 \d+ 条$"))
        for row in page.locator("#rows tbody tr").all_inner_texts():
            assert "社会保险" in row, row

        page.get_by_role("link", name="清除筛选").click()
        page.get_by_role("link", name="下一页").click()
        expect(page.locator("#pager span")).to_have_text("第 2 / 20 页")

        # English: the same page, the cycle in English words.
        page.get_by_role("link", name="English").click()
        page.wait_for_url("**lang=en**")
        expect(page.locator("#pager span")).to_have_text("Page 2 of 20")
        cycles = page.locator("#rows .col-update_cycle").all_inner_texts()
        assert not {c for c in cycles if RAW_ENUM.match(c)}, cycles
        assert "Yearly" in cycles
        assert fits_phone(page)
        check_page(page, "catalog-lists-phone-en")

        # The bureau's page on the phone, in English: search and the why.
        _signed_in(page, base, "Big-data bureau admin, for 山东省大数据局 (370000)", shown=10)
        page.get_by_label("Data wanted", exact=True).first.fill("查询社保参保缴费记录")
        page.get_by_role("button", name="Search", exact=True).click()
        by_synonym = page.locator("#candidates li.term.by-synonym").first
        expect(by_synonym).to_have_text("synonym “社保” ≈ “社会保险” in the name")
        # A resource's provider with its code aside, in English brackets on the English page.
        page.locator("#candidates li.candidate").first.get_by_role("button").click()
        provider = page.get_by_role("dialog").locator(".field-provider")
        expect(provider).to_have_text(re.compile(r"^\S+ \(\S+\)$"))
        page.get_by_role("dialog").get_by_role("button", name="Close").click()
        # A gap no resource comes near: its nearest resource is "None", a word standing alone.
        expect(page.locator("#gap-list tr[data-id='2'] .col-nearest")).to_have_text("None")
        assert fits_phone(page)
        check_page(page, "bureau-catalog-phone-en")
        page.close()


def test_a_department_admin_reads_its_own_demands_and_not_the_gaps(
    client: TestClient, db: Database, demo_registry: None, browser: Browser
) -> None:
    _demo_catalog(db)
    with db.session() as session:
        catalog.register_demand(session, {
            "department": "青岛市公安局", "department_code": "370200-GA", "scenario": "户籍迁移",
            "text": "户籍人口信息", "purpose": "办理户籍迁移", "legal_basis": "《户口登记条例》",
        })  # fmt: skip
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="zh-CN")
        page.goto(f"{base}/bureau/catalog?as=dept-1&role=department_admin&org=370100-MZ")
        expect(page.locator("#acting")).to_have_text(
            "部门管理员（本部门），代表 济南市民政局（370100-MZ）"
        )
        expect(page.locator("#demand-list tbody tr")).to_have_count(2)  # not 青岛's
        expect(page.locator("#gaps")).to_be_hidden()
        expect(page.get_by_role("link", name="供需缺口")).to_be_hidden()
        code = page.locator("#d-department-code")
        expect(code).to_have_value("370100-MZ")
        assert code.get_attribute("readonly") is not None
        check_page(page, "bureau-catalog-department-admin-zh")
        page.close()
