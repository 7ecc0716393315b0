"""The big-data bureau's page (/bureau) in a real Chromium: a law is repealed and the page
shows the items it leaves without a basis; one is given a new basis, another abolished; the
new list is published and compared with the one before; a list file with a bad row is refused
row by row and nothing is stored; the figures of applications are drawn as charts, each with
its table; the nodes and their health."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, FilePayload, Page, expect

from certfree import proofs
from certfree.applications import AppState, Decision
from certfree.auth.tokens import NODE_KEY_OWNER
from certfree.crypto import KeyStore
from certfree.demo import build_demo_province, load_demo_list
from certfree.exchange.protocol.registry import register_node
from certfree.storage import Database
from factories.certificates import NOW
from factories.population import person
from factories.proofs import csv_bytes
from factories.ready_cases import new_application
from helpers.livenode import free_port, serving
from helpers.webpage import PHONE, check_page, fits_phone

pytestmark = pytest.mark.browser

MARRIAGE_REGULATION = "婚姻登记条例"


def _signed_in(page: Page, base: str, query: str = "") -> None:
    page.goto(f"{base}/bureau?as=bureau-1{query}")
    expect(page.locator("#whoami")).to_have_text("bureau-1")
    expect(page.locator("body")).to_have_attribute("data-loaded", "true")


def test_the_bureau_repeals_a_law_amends_abolishes_publishes_and_compares(
    client: TestClient, db: Database, browser: Browser
) -> None:
    with db.session() as session:
        load_demo_list(session, "demo")
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="zh-CN")
        _signed_in(page, base)
        # The working list is paged and searchable, enum values in words.
        page.get_by_label("按编码、名称、部门或依据搜索").fill("结婚证")
        expect(page.locator("#items tbody tr")).to_have_count(1)
        row = page.locator("#item-SD-ZM-MZ-005")
        expect(row.locator(".status")).to_have_text("保留")
        expect(row).to_contain_text("电子证照")
        expect(row).to_contain_text("行政法规：《婚姻登记条例》第七条")
        check_page(page, "bureau-list-zh")

        page.locator("#repeal-document").select_option(
            label="《婚姻登记条例》（国务院令第387号） · 行政法规"
        )
        page.get_by_label("废止说明（如废止决定文号）").fill("演示：该条例已被新条例替代")
        page.get_by_role("button", name="废止", exact=True).click()
        expect(page.locator("#repeal-result")).to_contain_text("《婚姻登记条例》已废止。")
        # Only the item resting on it alone loses its basis; the others keep a law.
        expect(page.locator("#repeal-flagged li")).to_have_text(["SD-ZM-MZ-005 结婚证或离婚证"])
        expect(row.locator(".status")).to_have_text("拟取消")
        expect(row.locator(".repealed")).to_contain_text("（已废止）")
        expect(page.locator("#flagged-SD-ZM-MZ-005")).to_contain_text("结婚证或离婚证")
        expect(page.locator("#pending tbody tr").first).to_contain_text("标记拟取消SD-ZM-MZ-005")
        check_page(page, "bureau-repealed-zh")

        # A new basis keeps it; a form's problem lands beside its field.
        row.get_by_role("button").click()
        editor = page.locator("#editor")
        expect(editor.get_by_role("heading", level=2)).to_have_text(
            "编辑证明事项 SD-ZM-MZ-005 结婚证或离婚证"
        )
        for box in editor.locator("[name=ways]").all():
            box.uncheck()
        page.locator("#amend-reason").fill("演示：办理方式")
        editor.get_by_role("button", name="保存修改").click()
        expect(editor.locator("#amend .field-error")).to_be_visible()
        check_page(page, "bureau-editor-problem-zh")
        page.locator("#amend [name=ways][value=e_certificate]").check()
        editor.get_by_role("button", name="保存修改").click()
        expect(page.locator("#editor-state")).to_have_text("已保存：SD-ZM-MZ-005")

        page.locator("#basis-title").fill("中华人民共和国民法典")
        page.locator("#basis-level").select_option(label="法律")
        page.locator("#basis-article").fill("第一千零四十九条")
        page.locator("#basis-reason").fill("演示：以民法典为依据")
        editor.get_by_role("button", name="增加设定依据").click()
        expect(page.locator("#editor-state")).to_have_text("已增加设定依据：SD-ZM-MZ-005")
        expect(row.locator(".status")).to_have_text("保留")
        expect(page.locator("#flagged-SD-ZM-MZ-005")).to_have_count(0)

        page.get_by_label("按编码、名称、部门或依据搜索").fill("单身证明")
        page.locator("#item-SD-ZM-MZ-002").get_by_role("button").click()
        page.locator("#abolish-reason").fill("演示：规范性文件不得设定证明事项")
        editor.get_by_role("button", name="取消该证明事项").click()
        expect(page.locator("#item-SD-ZM-MZ-002 .status")).to_have_text("已取消")
        page.get_by_role("button", name="关闭").click()

        page.get_by_label("发布说明").fill("第二版：婚姻登记条例废止后调整")
        page.get_by_role("button", name="发布", exact=True).click()
        expect(page.locator("#publish-result")).to_contain_text("已发布第 2 版")
        expect(page.locator("#pending-empty")).to_be_visible()

        expect(page.locator("#diff-from")).to_have_value("1")
        expect(page.locator("#diff-to")).to_have_value("2")
        page.get_by_role("button", name="比对").click()
        expect(page.locator("#diff-title")).to_have_text("第 1 版 → 第 2 版")
        expect(page.locator("#diff-removed")).to_contain_text("SD-ZM-MZ-002")
        changed = page.locator("#diff-changed")
        expect(changed).to_contain_text("SD-ZM-MZ-005 结婚证或离婚证")
        expect(changed).to_contain_text("设定依据")
        expect(changed).to_contain_text("第一千零四十九条")
        expect(changed).not_to_contain_text("e_certificate")
        check_page(page, "bureau-diff-zh")
        page.close()
    published = client.get("/api/v1/proofs", params={"version": 2}).json()["items"]
    assert {i["code"]: i["status"] for i in published}["SD-ZM-MZ-002"] == "abolished"


BAD_FILE = [
    ["NEW-1", "演示证明", "演示内容", "某部门", "中华人民共和国民法典", "法律", "", "第一条",
     "数据共享", "", ""],
    ["NEW-2", "另一证明", "演示内容", "某部门", "某通知", "红头文件", "", "第二条",
     "数据共享", "", ""],
]  # fmt: skip


def test_an_import_with_a_bad_row_names_it_and_stores_nothing_on_a_phone_in_english(
    client: TestClient, db: Database, browser: Browser
) -> None:
    with db.session() as session:
        load_demo_list(session, "demo")
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="en", viewport=PHONE)
        _signed_in(page, base, "&lang=en")
        expect(page.locator("#item-SD-ZM-GA-005 .status")).to_have_text("To abolish")
        assert fits_phone(page)
        check_page(page, "bureau-list-phone-en")
        page.get_by_label("List file", exact=True).set_input_files(
            files=FilePayload(name="list.csv", mimeType="text/csv", buffer=csv_bytes(BAD_FILE))
        )
        page.get_by_role("button", name="Import", exact=True).click()
        result = page.locator("#import-result")
        expect(result).to_contain_text("Import rejected, nothing stored:")
        bad = page.locator("#import-errors tbody tr")
        expect(bad).to_have_count(1)
        expect(bad.first).to_contain_text("3")  # the file's row: a header, then two items
        expect(bad.first).to_contain_text("依据层级")
        expect(bad.first).to_contain_text("红头文件")
        assert fits_phone(page)
        check_page(page, "bureau-import-rejected-phone-en")

        # The CIO (signed in through the identity service) reads; the forms are not offered.
        cio = client.app.state.node.tokens.issue("cio", "cio-1", organisation="370000")  # type: ignore[attr-defined]
        page.evaluate(
            "token => sessionStorage.setItem('certfree.bureau', "
            "JSON.stringify({token, subject: 'cio-1', name: 'cio-1'}))",
            cio,
        )
        page.reload()
        expect(page.locator("#whoami")).to_have_text("cio-1")
        expect(page.locator("#read-only")).to_be_visible()
        expect(page.locator("#item-SD-ZM-GA-005 .status")).to_have_text("To abolish")
        expect(page.locator("#items").get_by_role("button", name="Edit")).to_have_count(0)
        expect(page.locator("#import")).to_be_hidden()
        expect(page.locator("#publish-form")).to_be_hidden()
        check_page(page, "bureau-cio-phone-en")
        page.close()
    assert client.get("/api/v1/proofs/NEW-1").status_code == 404  # its good row neither


def _decided_applications(db: Database) -> None:
    """Two approved applications of this node a month apart, and one still open."""
    with db.session() as session:
        for months, days in ((0, 2), (1, 4), (1, None)):
            app = new_application(
                session, "111000000000132071001", applicant=(person(session).id_number, None)
            )
            app.node_code = "370000"
            app.submitted_at = app.created_at = NOW - dt.timedelta(days=31 * months)
            app.slots[0].paper_organ = "某街道办事处"
            if days is not None:
                app.state = AppState.DECIDED
                app.decision = Decision.APPROVED
                app.decided_at = app.submitted_at + dt.timedelta(days=days)
            session.flush()


def test_the_figures_as_charts_with_tables_and_the_cluster_health(
    client: TestClient, db: Database, keys: KeyStore, browser: Browser
) -> None:
    build_demo_province(db, citizens=1000, firms=10, seed=7)
    _decided_applications(db)
    port = free_port()
    with db.session() as session:
        for code, at in (("370000", port), ("370100", free_port())):  # 370100: nobody there
            register_node(
                session,
                code,
                jwks=keys.jwks(NODE_KEY_OWNER),
                endpoint_url=f"http://127.0.0.1:{at}",
                approve=True,
            )
    client.app.state.node.exchange.invalidate_registry()  # type: ignore[attr-defined]
    with serving(client.app, port) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="zh-CN")
        _signed_in(page, base)
        expect(page.locator("#items-empty")).to_have_text("没有符合条件的证明事项。")
        expect(page.locator("#total-applications strong")).to_have_text("3")
        expect(page.locator("#total-approved strong")).to_have_text("2")
        expect(page.locator("#total-proofs-not-demanded strong")).to_have_text("2")
        expect(page.locator("#total-trips-saved strong")).to_have_text("2")
        by_way = page.locator("#by-way-table tbody tr")
        expect(by_way.filter(has_text="直接取消")).to_contain_text("2")
        service = page.locator("#by-service-table tbody tr")
        expect(service).to_have_count(1)
        expect(service.first.locator("td")).to_have_text(
            ["内地居民结婚登记", "3", "2", "2", "2", "3.0"]
        )
        months = page.locator("#by-month-table tbody tr")
        expect(months).to_have_count(2)
        expect(months.last.locator("td").last).to_have_text("2.0")
        expect(months.first.locator("td").last).to_have_text("4.0")
        for chart in ("by-way", "by-service", "by-month"):
            canvas = page.locator(f"#{chart}-chart")
            expect(canvas).to_have_attribute("role", "img")
            assert page.evaluate(
                "(id) => Boolean(Chart.getChart(document.getElementById(id)))", f"{chart}-chart"
            )
        check_page(page, "bureau-stats-zh")

        page.get_by_label("按编码或名称搜索节点").fill("370100")
        expect(page.locator("#node-list tr[data-code='370100']")).to_contain_text("已启用")
        page.get_by_role("button", name="检查各节点状态").click()
        expect(page.locator("#health tr[data-code='370000'] .state")).to_have_text("正常")
        expect(page.locator("#health tr[data-code='370100'] .state")).to_have_text("无法连接")
        expect(page.locator("#health-state")).to_contain_text("1 个正常，1 个异常")
        check_page(page, "bureau-nodes-zh")

        page.goto(base + "/bureau?lang=en")
        expect(page.locator("#stats-h")).to_have_text("Application figures")
        expect(page.locator("#by-service-table thead")).to_contain_text("Trips saved")
        expect(page.locator("#node-list tbody")).to_contain_text("Province")
        check_page(page, "bureau-stats-en")
        page.close()


def test_a_long_difference_between_versions_is_paged(
    client: TestClient, db: Database, browser: Browser
) -> None:
    with db.session() as session:
        count = load_demo_list(session, "demo")  # version 1
        for item in proofs.list_items(session):
            proofs.abolish_item(session, item.code, "bureau-1", "演示：整体取消")
        proofs.publish(session, "bureau-1", "第二版：全部取消")
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="zh-CN", viewport=PHONE)
        _signed_in(page, base)
        page.get_by_role("button", name="比对").click()
        removed = page.locator("#diff-removed")
        expect(removed.locator("tbody tr")).to_have_count(10)
        pager = page.locator("#diff-result .pager")
        pages = -(-count // 10)
        expect(pager).to_contain_text(f"1 / {pages}")
        pager.get_by_role("button", name="下一页").click()
        expect(pager).to_contain_text(f"2 / {pages}")
        assert fits_phone(page)
        check_page(page, "bureau-diff-paged-phone-zh")
        page.close()
