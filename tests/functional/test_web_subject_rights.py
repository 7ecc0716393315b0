"""A citizen's data rights in a real Chromium: on /me they download their data in both forms
and ask for a correction (an error beside the field first), then the public security admin
answers it on /dept, and the citizen sees the answer with its reason. One node that hosts its
departments, as ``make run`` serves."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, expect

from certfree.app import create_app
from certfree.crypto import KeyStore
from certfree.demo import register_demo_nodes
from certfree.population import Person
from certfree.settings import Settings
from certfree.storage import Database
from factories.population import married_couple
from factories.single_node import hosting_province
from helpers.livenode import serving
from helpers.webpage import check_page

GA = "370000-GA"


@pytest.fixture
def node(settings: Settings, db: Database, keys: KeyStore) -> Iterator[tuple[FastAPI, str, str]]:
    with db.session() as session:
        register_demo_nodes(session)
        husband, wife, _ = married_couple(session)
        ids = (husband.id_number, wife.id_number)
    with TestClient(create_app(hosting_province(settings, db, keys))) as client:
        yield client.app, *ids  # type: ignore[misc]


@pytest.mark.browser
def test_download_ask_for_a_correction_and_the_department_answers(
    node: tuple[FastAPI, str, str], browser: Browser, db: Database, tmp_path: Path
) -> None:
    app, husband, wife = node
    masked_wife = f"{wife[:4]}**********{wife[-4:]}"
    with serving(app) as base:
        page = browser.new_page(locale="zh-CN")
        page.goto(base + f"/me?as={husband}")
        page.wait_for_url(base + "/me")
        rights = page.locator("#rights")
        expect(rights.get_by_role("heading", name="我的个人信息权利")).to_be_visible()

        # Both forms of the download: mine, the spouse's ID number masked.
        with page.expect_download() as got:
            rights.get_by_role("button", name="机器可读（JSON）").click()
        export = json.loads(Path(got.value.path()).read_text(encoding="utf-8"))
        assert export["subject"] == husband
        assert masked_wife in json.dumps(export)
        assert wife not in json.dumps(export)
        with page.expect_download() as got:
            rights.get_by_role("button", name="便于阅读（网页）").click()
        readable = Path(got.value.path()).read_text(encoding="utf-8")
        assert "本节点掌握的我的个人信息" in readable
        assert masked_wife in readable
        assert wife not in readable
        expect(page.locator("#download-result")).to_have_text("已下载")

        # A wrong value: the problem beside its field, nothing sent.
        form = page.locator("#correction")
        form.get_by_label("更正事项").select_option("residence")
        form.get_by_label("现登记的内容").fill("370102")
        form.get_by_label("应更正为").fill("99")
        form.get_by_label("理由").fill("已迁居市中区")
        form.get_by_role("button", name="提交更正申请").click()
        expect(page.locator("#c-requested_value-error")).to_contain_text("行政区划代码")
        expect(form.get_by_label("应更正为")).to_have_attribute("aria-invalid", "true")
        expect(page.locator("[data-empty='requests']")).to_be_visible()
        form.get_by_label("应更正为").fill("370103")
        form.get_by_role("button", name="提交更正申请").click()
        row = page.locator("#requests tbody tr")
        expect(row).to_have_count(1)
        expect(row.locator(".state")).to_contain_text("办理中")
        expect(row.locator(".fact")).to_have_text("户籍地（县级行政区划）")
        check_page(page, "me-rights-zh")

        # The public security admin answers on /dept.
        dept = browser.new_page(locale="zh-CN")
        dept.goto(base + "/dept")
        signing = dept.locator("#dev-sign-in")
        signing.get_by_label("工作人员编号").fill("ga-admin")
        signing.locator("select[name=organisation]").select_option(GA)
        signing.get_by_role("button", name="登录").click()
        dept.get_by_role("tab", name="个人信息更正").click()
        asked = dept.locator("#corrections tbody tr")
        expect(asked).to_have_count(1)
        expect(asked).to_contain_text("370103")
        expect(asked).not_to_contain_text(husband)  # masked in the list
        asked.get_by_role("button", name="答复").click()
        answer = dept.locator("#correction-answer")
        answer.get_by_role("button", name="不予更正").click()  # no reason: refused beside it
        expect(dept.locator("#correction-reason-error")).to_be_visible()
        answer.get_by_label("不予更正的理由").fill("经核户口迁移登记，予以更正")
        answer.get_by_role("button", name="同意更正").click()
        expect(dept.locator("#correction-answer-result")).to_have_text("已答复：已更正")
        check_page(dept, "dept-corrections-zh")
        with db.session() as session:
            person = session.get(Person, husband)
            assert person is not None
            assert person.address_code == "370103"

        # Back on /me the answer, its reason and the audit log entries.
        page.reload()
        row = page.locator("#requests tbody tr")
        expect(row.locator(".state")).to_contain_text("已更正")
        expect(row.locator(".answer")).to_have_text("经核户口迁移登记，予以更正")
        # Each step in the audit log, in words: the change and the answer.
        expect(page.locator("#accesses")).to_contain_text("山东省公安厅 更正了您登记的个人信息")
        expect(page.locator("#accesses")).to_contain_text("山东省公安厅 答复了您的更正申请")
        # The request's delivery in words, not its raw fields.
        expect(page.locator("#accesses")).to_contain_text(
            re.compile(
                r"山东省大数据局 于 \d{4}-\d\d-\d\d \d\d:\d\d 向 山东省公安厅 送达了涉及您的消息"
            )
        )
        expect(page.locator("#accesses")).not_to_contain_text("request_id")

        # The same in English.
        page.goto(base + "/me?lang=en")
        rights = page.locator("#rights")
        expect(rights.get_by_role("heading", name="My data rights")).to_be_visible()
        row = page.locator("#requests tbody tr")
        expect(row.locator(".state")).to_contain_text("Corrected")
        expect(row.locator(".fact")).to_have_text("Registered residence (county code)")
        expect(page.locator("#accesses")).to_contain_text("corrected your registered data")
        check_page(page, "me-rights-en")
