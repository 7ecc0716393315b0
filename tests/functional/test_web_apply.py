"""The citizen's 办事 pages (/apply, /apply/{id}) in a real Chromium, on the demo province's
single node served over HTTP: a couple finds marriage registration by a life-event word, sees
what will be checked and what they need not bring, and applies, each consenting and showing
their e-ID card (taken into the browser's wallet, as a demo node allows) for themself on the
same page, the applicant signing the commitment form and submitting for a receipt; an elder
follows an application in English through a correction asked by the desk to the decision and
the certificate sent to the wallet, and withdraws another on a phone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from certfree.app import create_app
from certfree.crypto import KeyStore
from certfree.demo import build_demo_province
from certfree.population import Marriage, Person, Sex
from certfree.settings import Settings
from certfree.storage import Database
from factories.single_node import PROVINCE, hosting_province
from helpers.livenode import serving
from helpers.webpage import PHONE, as_shown, check_page, fits_phone, signed_in_subject

pytestmark = pytest.mark.browser

MARRIAGE = "内地居民结婚登记"
ELDERLY = "老年人优待证办理"


@pytest.fixture
def node(settings: Settings, db: Database, keys: KeyStore) -> FastAPI:
    """The single demo node `make run` serves: the province answering for its departments."""
    build_demo_province(db, citizens=1000, firms=10, seed=7)
    return create_app(hosting_province(settings, db, keys))


def _people(db: Database, sex: Sex, born: tuple[dt.date, dt.date], count: int = 1) -> list[Person]:
    """Living residents of 济南 born in ``born``, never married."""
    with db.session() as session:
        married = select(Marriage.party_a_id).union(select(Marriage.party_b_id))
        found = session.scalars(
            select(Person)
            .where(
                Person.sex == sex,
                Person.birth_date.between(*born),
                Person.id_number.startswith("3701"),
                Person.id_number.not_in(married),
            )
            .order_by(Person.id_number)
            .limit(count)
        ).all()
        session.expunge_all()
    assert len(found) == count
    return list(found)


def _sign_in_as(page: Page, url: str, subject: str) -> None:
    page.goto(f"{url}?as={subject}")
    expect(page.locator("#whoami")).to_contain_text(as_shown(subject))
    assert signed_in_subject(page, "certfree.me") == subject


def _requirement(page: Page, position: int) -> Any:
    return page.locator(f"#requirements li[data-position='{position}']")


def test_a_couple_applies_to_marry_without_bringing_a_proof(
    node: FastAPI, db: Database, browser: Browser
) -> None:
    born = (dt.date(1985, 1, 1), dt.date(2000, 1, 1))
    (husband,) = _people(db, Sex.MALE, born)
    (wife,) = _people(db, Sex.FEMALE, born)
    with serving(node) as base:
        page = browser.new_page(locale="zh-CN")
        _sign_in_as(page, base + "/apply", husband.id_number)

        # A life-event word that is not in the item's name finds it.
        page.get_by_label("事项名称或办事场景").fill("领证")
        page.get_by_role("button", name="搜索").click()
        expect(page.locator("#results li")).to_have_count(1)
        check_page(page, "apply-search-zh")
        page.get_by_role("button", name=MARRIAGE).click()
        checks = page.locator("#checks > li")
        expect(checks).to_have_count(5)
        # No e-ID card on this device yet: on the demo node the resident takes their own.
        expect(checks.nth(0)).to_contain_text("暂无可用途径")
        checks.nth(0).get_by_role("button", name="领取本人的电子证照「居民身份证」").click()
        expect(checks.nth(0)).to_contain_text("出示电子证照「居民身份证」")
        expect(checks.nth(2)).to_contain_text("申请人（您本人）")
        expect(checks.nth(2)).to_contain_text("部门间数据共享在线核验，您无需提交材料")
        expect(checks.nth(3)).to_contain_text("另一方当事人")
        expect(checks.nth(4)).to_contain_text("签署告知承诺书代替证明")
        expect(page.locator("#not-needed")).to_contain_text("「婚姻状况证明」")
        expect(page.locator("#not-needed")).to_contain_text(
            "「居民户口簿」（原由公安机关户籍管理部门出具）"
        )
        expect(page.locator("#still-needed-box")).to_be_hidden()
        check_page(page, "apply-service-zh")

        # The spouse's ID number with a wrong check digit: the problem lands beside it.
        spouse = page.get_by_label("另一方当事人的公民身份号码")
        wrong = wife.id_number[:-1] + ("1" if wife.id_number[-1] != "1" else "2")
        spouse.fill(wrong)
        page.get_by_role("button", name="开始办理").click()
        error = page.locator("#party-spouse-error")
        expect(error).to_contain_text("另一方当事人应为公民身份号码")
        expect(spouse).to_have_attribute("aria-invalid", "true")
        expect(spouse).to_have_attribute("aria-describedby", "party-spouse-error")
        check_page(page, "apply-start-problem-zh")
        spouse.fill(wife.id_number)
        page.get_by_role("button", name="开始办理").click()
        page.wait_for_url(f"{base}/apply/*")
        case_url = page.url
        expect(page.locator("#state")).to_have_text("草稿")
        check_page(page, "apply-case-draft-zh")

        # The applicant consents, shows the e-ID card and signs the commitment form.
        expect(page.locator("#consent-text")).to_contain_text("向民政部门核验「您的婚姻状况」")
        page.get_by_role("button", name="我同意").click()
        mine = page.locator("#parties li[data-role='applicant']")
        expect(mine).to_contain_text("已授权核验")
        expect(mine).to_contain_text("已登记卡包")
        _requirement(page, 0).get_by_role("button", name="出示电子证照").click()
        expect(_requirement(page, 0).locator(".status")).to_have_text("已满足")
        _requirement(page, 4).get_by_role("button", name="阅读并签署告知承诺书").click()
        form = _requirement(page, 4).locator(".commitment-text")
        expect(form.locator("h5")).to_have_count(6)
        expect(form).to_contain_text("国办发〔2020〕42号")
        expect(form).to_contain_text("四、不实承诺的法律责任")
        check_page(page, "apply-case-commitment-zh")
        _requirement(page, 4).get_by_label("我已阅读全文，承诺所述属实").check()
        _requirement(page, 4).get_by_role("button", name="签署承诺").click()
        expect(_requirement(page, 4).locator(".status")).to_have_text("已满足")
        # The spouse's own requirement waits for them.
        expect(_requirement(page, 1)).to_contain_text("由另一方当事人本人登录后出示。")

        # The spouse signs in on the same page and does their part.
        _sign_in_as(page, case_url, wife.id_number)
        expect(page.locator("#acts")).to_be_hidden()  # only the applicant submits
        page.get_by_role("button", name="我同意").click()
        expect(page.locator("#parties li[data-role='spouse']")).to_contain_text("已授权核验")
        _requirement(page, 1).get_by_role("button", name="出示电子证照").click()
        expect(_requirement(page, 1).locator(".status")).to_have_text("已满足")
        check_page(page, "apply-case-spouse-zh")

        # The applicant has the marital statuses checked and submits: the receipt.
        _sign_in_as(page, case_url, husband.id_number)
        page.get_by_role("button", name="开始核验").click()
        for position in (2, 3):
            expect(_requirement(page, position).locator(".status")).to_have_text("已满足")
        page.get_by_role("button", name="提交申请").click()
        expect(page.locator("#state")).to_have_text("已申请")
        receipt = page.locator("#receipt")
        expect(receipt).to_be_visible()
        expect(receipt).to_contain_text(page.url.rsplit("/", 1)[1])
        expect(receipt).to_contain_text("1 个工作日")
        expect(page.locator("#figures")).to_contain_text("5 项免于提交证明")
        expect(page.locator("#events tbody tr").first).to_contain_text("提交申请")
        check_page(page, "apply-case-receipt-zh")

        page.set_viewport_size(PHONE)
        assert fits_phone(page)
        check_page(page, "apply-case-receipt-phone-zh")
        page.goto(base + "/apply")
        expect(page.locator("#mine tbody tr")).to_have_count(1)
        expect(page.locator("#mine tbody tr")).to_contain_text("已申请")
        assert fits_phone(page)
        check_page(page, "apply-mine-phone-zh")
        page.close()


def _clerk(client: httpx.Client, app: FastAPI, path: str, body: Any = None) -> dict[str, Any]:
    tokens = app.state.node.tokens
    token = tokens.issue("clerk", "clerk-1", organisation=PROVINCE)
    answer = client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_an_elder_follows_a_correction_to_the_decision_in_english(
    node: FastAPI, db: Database, browser: Browser
) -> None:
    (elder,) = _people(db, Sex.FEMALE, (dt.date(1930, 1, 1), dt.date(1960, 1, 1)))
    with serving(node) as base, httpx.Client(base_url=base) as client:
        page = browser.new_page(locale="en-GB")
        page.goto(f"{base}/apply?lang=en&as={elder.id_number}")
        page.get_by_label("Service name or life event").fill("pension")
        page.get_by_role("button", name="Search").click()
        page.get_by_role("button", name=ELDERLY).click()
        expect(page.locator("#checks > li").nth(0)).to_contain_text(
            "Checked online with the department through data sharing"
        )
        check_page(page, "apply-service-en")
        page.get_by_role("button", name="Apply").click()
        page.wait_for_url(f"{base}/apply/*")
        app_id = page.url.rsplit("/", 1)[1]
        expect(page.locator("#consent-text")).to_contain_text("We check")
        page.get_by_role("button", name="I consent").click()
        # Words standing alone begin with a capital in English, never a raw value.
        expect(page.locator("#parties")).to_contain_text("Consented")
        expect(page.locator("#parties h3")).to_have_text("Applicant (you)")
        # The person's own ID number masked too, as in the bar: a screen is read over shoulders.
        expect(page.locator("#parties .id")).to_have_text(as_shown(elder.id_number))
        page.get_by_role("button", name="Check now").click()
        expect(page.locator("#requirements .status .good")).to_have_count(2)
        page.get_by_role("button", name="Submit").click()
        expect(page.locator("#state")).to_have_text("Submitted")
        expect(page.locator("#requirements .status .good")).to_have_text(["Met", "Met"])
        # The node keeping the case by name, its code aside.
        expect(page.locator("#summary")).to_contain_text("山东省大数据局 (370000)")
        check_page(page, "apply-case-receipt-en")

        # The desk accepts and asks for a correction: the citizen sees its reason.
        path = f"/api/v1/applications/{app_id}"
        _clerk(client, node, f"{path}/accept")
        reason = "Please confirm your consent covers the residence check again."
        _clerk(client, node, f"{path}/request-correction", {"reason": reason, "requirements": [1]})
        page.get_by_role("button", name="Refresh").click()
        notice = page.locator("#notice")
        expect(notice).to_contain_text("The desk asks for a correction")
        expect(notice).to_contain_text(reason)
        expect(notice).to_contain_text("No. 2")
        expect(_requirement(page, 1)).to_have_class("asked")
        check_page(page, "apply-case-correction-en")
        page.get_by_role("button", name="Resubmit").click()
        expect(page.locator("#state")).to_have_text("Verifying")

        _clerk(client, node, f"{path}/decide", {"approve": True})
        page.get_by_role("button", name="Refresh").click()
        expect(notice).to_contain_text("Decision: Approved")
        events = page.locator("#events tbody")
        expect(events).to_contain_text("Evidence recorded")
        expect(events).to_contain_text("No. 2: data sharing (Met)")
        expect(events).to_contain_text("Party 3701")
        sent = notice.get_by_role("link", name="Senior citizen preferential card")
        expect(sent).to_have_attribute("href", "/wallet")
        expect(notice).to_contain_text("Sent to the wallet")
        expect(page.locator("#acts")).to_be_hidden()
        check_page(page, "apply-case-decided-en")

        # On a phone: a second application, started from a scenario button and withdrawn.
        page.set_viewport_size(PHONE)
        page.goto(f"{base}/apply")
        page.get_by_role("button", name="Senior benefits").click()
        page.get_by_role("button", name=ELDERLY).click()
        assert fits_phone(page)
        check_page(page, "apply-service-phone-en")
        page.get_by_role("button", name="Apply").click()
        page.wait_for_url(f"{base}/apply/*")
        page.get_by_label("Reason (optional)").fill("Applied twice by mistake.")
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Withdraw").click()
        expect(page.locator("#state")).to_have_text("Withdrawn")
        expect(notice).to_contain_text("This application was withdrawn.")
        expect(page.locator("#events tbody tr").first).to_contain_text("Applied twice by mistake.")
        assert fits_phone(page)
        check_page(page, "apply-case-withdrawn-phone-en")
        page.close()
