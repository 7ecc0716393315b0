"""The service desk's page (/desk) in a real Chromium: a clerk in 青岛 asks 济南市民政局 whether
an applicant is married; the applicant's consent comes first, attested by the province; the
answer comes back signed through the province, and the applicant then sees the access on their
own page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Table, insert, select

from certfree.population import Household, Marriage, Person
from factories.grants import grant_for
from factories.population import married_couple
from helpers.cascade import Nodes, running_nodes

PROVINCE, CITY, DESK, MZ = "370000", "370100", "370200", "370100-MZ"
LEVELS = {PROVINCE: "province", CITY: "city", DESK: "city", MZ: "department"}
PARENTS = {CITY: PROVINCE, DESK: PROVINCE, MZ: CITY}
SERVICE = "370000-000201-001"

pytestmark = pytest.mark.browser


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[Nodes]:
    with running_nodes(tmp_path, LEVELS, PARENTS) as running:
        with running.dbs[MZ].session() as session:
            married_couple(session)
            grant_for(session, "marital_status", consumer=DESK, provider=MZ, service_item=SERVICE)
        # The same people in the registers of the desk's city and of the province, where
        # they sign in (the province attests their consent).
        for register in (DESK, PROVINCE):
            with running.dbs[MZ].session() as source, running.dbs[register].session() as target:
                for model in (Household, Person, Marriage):
                    table = cast(Table, model.__table__)  # each model maps one table
                    rows = source.execute(select(table)).mappings().all()
                    target.execute(insert(table), [dict(row) for row in rows])
        yield running


def _husband(nodes: Nodes) -> str:
    with nodes.dbs[MZ].session() as session:
        return session.scalars(select(Marriage.party_a_id)).one()


def _fill(page: Page, applicant: str) -> None:
    page.locator("#question").select_option("marital_status")
    page.locator("#provider").fill(MZ)
    page.locator("#service_item").fill(SERVICE)
    page.locator("#purpose").fill("内地居民结婚登记")
    page.get_by_label("身份证号码").fill(applicant)


def test_a_clerk_asks_after_the_applicants_consent_and_the_applicant_sees_it(
    nodes: Nodes, browser: Browser
) -> None:
    applicant = _husband(nodes)
    base = nodes.url(DESK)
    page = browser.new_page(locale="zh-CN")
    page.goto(base + "/desk/ask?as=staff-7")
    expect(page.locator("#whoami")).to_have_text("staff-7")
    # The registry's departments are offered by name.
    assert page.locator("#departments option").evaluate_all(
        "options => options.map(o => o.value)"
    ) == [MZ]
    _fill(page, applicant)

    page.get_by_role("button", name="发起核验").click()  # no consent yet
    expect(page.locator("#answer")).to_contain_text("未获答复")
    expect(page.locator("#answer")).to_contain_text("同意")

    page.get_by_role("button", name="预览告知内容").click()
    expect(page.locator("#preview-text")).to_contain_text("民政部门核验")
    page.get_by_role("button", name="申请人在窗口确认同意").click()
    expect(page.locator("#consent-state")).to_have_text(f"已记录 {applicant} 的同意")

    page.get_by_role("button", name="发起核验").click()
    expect(page.locator("#answer")).to_have_text("婚姻状况：已婚")
    expect(page.locator("#signed")).to_contain_text("答复由 370100-MZ 签名")
    expect(page.locator("#route")).to_contain_text("370200 → 370000 → 370100 → 370100-MZ（往返用时")
    expect(page.locator("#message-id")).not_to_be_empty()

    with page.context.expect_page() as opened:
        page.get_by_role("link", name=f"申请人查看谁查询了其数据（{applicant}）").click()
    mine = opened.value
    rows = mine.locator("#accesses tbody tr")
    # Both attempts, the refused one too, one row each: request and reply at the desk and
    # at the department, each entry proved in the browser against its node's signed head.
    expect(rows).to_have_count(2)
    expect(mine.locator("#accesses tr[data-node='370200 370100-MZ']")).to_have_count(2)
    expect(mine.locator("#accesses li[data-node='370100-MZ']")).to_have_count(4)
    expect(mine.locator("#accesses .proof.proof-ok")).to_have_count(8)
    expect(rows.first.locator(".answer")).to_have_text("已婚")
    expect(rows.nth(1).locator(".sentence")).to_contain_text("被拒绝答复")
    page.close()
    mine.close()


def test_a_clerk_sees_which_field_is_wrong(nodes: Nodes, browser: Browser) -> None:
    base = nodes.url(DESK)
    page = browser.new_page(locale="zh-CN")
    page.goto(base + "/desk/ask?as=staff-7")
    _fill(page, "370102199001010000")  # a bad check digit

    page.get_by_role("button", name="发起核验").click()

    expect(page.locator("#answer")).to_contain_text("[args.id_number]")
    page.close()


def test_the_desk_page_in_english(nodes: Nodes, browser: Browser) -> None:
    base = nodes.url(DESK)
    page = browser.new_page(locale="en-GB")
    page.goto(base + "/desk/ask?lang=en&as=staff-7")
    expect(page.locator("#question option[value='marital_status']")).to_have_text(
        "Marital status (marital_status)"
    )
    page.locator("#service_item").fill(SERVICE)
    page.get_by_role("button", name="Preview what the applicant is told").click()
    expect(page.locator("#preview-text")).to_contain_text(
        "1. We check your marital status with the civil affairs department; it answers "
        "only: marital status, never your whole record."
    )
    page.close()
