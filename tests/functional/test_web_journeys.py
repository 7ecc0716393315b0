"""A marriage registered without paper, in the browser, through real node processes.

A demo cluster (the province, 济南, and 济南's civil affairs and public security as node
processes). Each person acts on their own device — a browser context of their own, with its
own wallet key in IndexedDB: the groom applies at 济南's node, takes his e-ID card, consents,
signs the kinship declaration; the bride signs in on her phone to consent and show her card;
the groom has the marital statuses checked by civil affairs and submits; the desk's clerk
accepts and approves; then each shows the new marriage certificate from their wallet to a
verifier's page, answering its request, and the page verifies it at 济南's node.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from certfree.demo.cluster import cluster_up
from certfree.demo.cluster_processes import cluster_down
from helpers.pilot import People
from helpers.webpage import PHONE, as_shown, check_page

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CITY = "370100"
MARRIAGE = "内地居民结婚登记"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    directory = tmp_path_factory.mktemp("web-journeys")
    manifest = cluster_up(directory, cities=1, departments=["MZ", "GA"], citizens=1000, seed=13)
    try:
        yield {"dir": directory, "people": People(directory), **manifest}
    finally:
        cluster_down(directory, grace=3)


def _device(browser: Browser, *, phone: bool = False) -> BrowserContext:
    """A person's own device: its own storage, so its own wallet key."""
    return browser.new_context(locale="zh-CN", viewport=PHONE if phone else None)


def _signed_in(page: Page, url: str, subject: str) -> None:
    page.goto(f"{url}{'&' if '?' in url else '?'}as={subject}")
    expect(page.locator("#whoami")).to_contain_text(as_shown(subject))


def _requirement(page: Page, position: int) -> Locator:
    return page.locator(f"#requirements li[data-position='{position}']")


def _met(page: Page, position: int) -> None:
    expect(_requirement(page, position).locator(".status")).to_have_text("已满足")


def _show_certificate(page: Page, city: str, holder: str, request: str) -> str:
    """From the wallet: the marriage certificate, bound to the verifier's request (what it
    asks is ticked), traded for a short code (three claims are more than a phone reads
    from a QR code on a screen); the code."""
    _signed_in(page, f"{city}/wallet", holder)
    page.get_by_role("link", name="查看与亮证：结婚证").click()
    expect(page.locator("#detail-h")).to_have_text("结婚证")
    page.get_by_label("响应核验方的请求").check()
    page.locator("#request").fill(request)
    page.get_by_role("button", name="读取请求").click()
    for label in ("结婚证字号", "持证人"):
        expect(page.get_by_label(label, exact=True)).to_be_checked()
    # asked, so ticked, although marriage and family relations are sensitive (PIPL Art. 28)
    expect(page.get_by_label("配偶姓名 敏感", exact=True)).to_be_checked()
    expect(page.get_by_label("持证人身份证件号")).not_to_be_checked()  # marked sensitive
    page.get_by_role("button", name="生成短码").click()
    expect(page.locator("#code")).to_have_text(re.compile(r"^[2-9A-Z]{4}-[2-9A-Z]{4}$"))
    return page.locator("#code").inner_text()


def test_a_couple_marries_in_the_browser_and_each_shows_the_certificate(
    cluster: dict[str, Any], browser: Browser
) -> None:
    city = cluster["nodes"][CITY]["url"]
    groom, bride = cluster["people"].single("male"), cluster["people"].single("female")
    his, hers, desk, fund = (
        _device(browser),
        _device(browser, phone=True),
        _device(browser),
        _device(browser),
    )
    try:
        # The groom finds the service, takes his own e-ID card into his wallet and applies.
        page = his.new_page()
        _signed_in(page, f"{city}/apply", groom)
        page.get_by_label("事项名称或办事场景").fill("结婚")
        page.get_by_role("button", name="搜索").click()
        page.get_by_role("button", name=MARRIAGE).click()
        checks = page.locator("#checks > li")
        checks.nth(0).get_by_role("button", name="领取本人的电子证照「居民身份证」").click()
        expect(checks.nth(0)).to_contain_text("出示电子证照「居民身份证」")
        expect(page.locator("#not-needed")).to_contain_text("「婚姻状况证明」")
        check_page(page, "journey-marriage-service")
        page.get_by_label("另一方当事人的公民身份号码").fill(bride)
        page.get_by_role("button", name="开始办理").click()
        page.wait_for_url(f"{city}/apply/*")
        case_url = page.url
        app_id = case_url.rsplit("/", 1)[1]

        # His consent is attested by the province; he shows his card and signs the declaration.
        page.get_by_role("button", name="我同意").click()
        expect(page.locator("#parties li[data-role='applicant']")).to_contain_text("已授权核验")
        _requirement(page, 0).get_by_role("button", name="出示电子证照").click()
        _met(page, 0)
        _requirement(page, 4).get_by_role("button", name="阅读并签署告知承诺书").click()
        _requirement(page, 4).get_by_label("我已阅读全文，承诺所述属实").check()
        _requirement(page, 4).get_by_role("button", name="签署承诺").click()
        _met(page, 4)
        check_page(page, "journey-marriage-groom")

        # The bride, on her phone: her own consent and her own card (taken on the spot).
        phone = hers.new_page()
        _signed_in(phone, case_url, bride)
        phone.get_by_role("button", name="我同意").click()
        expect(phone.locator("#parties li[data-role='spouse']")).to_contain_text("已授权核验")
        _requirement(phone, 1).get_by_role("button", name="出示电子证照").click()
        _met(phone, 1)
        check_page(phone, "journey-marriage-bride-phone")

        # Civil affairs answers both marital statuses over the network; the groom submits.
        page.get_by_role("button", name="刷新").click()
        page.get_by_role("button", name="开始核验").click()
        for position in (2, 3):
            _met(page, position)
        page.get_by_role("button", name="提交申请").click()
        expect(page.locator("#state")).to_have_text("已申请")
        expect(page.locator("#receipt")).to_contain_text(app_id)
        check_page(page, "journey-marriage-receipt")

        # The desk's clerk finds it in the queue, sees the signed answers, accepts, approves.
        clerk = desk.new_page()
        _signed_in(clerk, f"{city}/desk", "clerk-1")
        clerk.locator(f"#queue tr[data-id='{app_id}']").get_by_role("link").first.click()
        expect(clerk.locator("#case-id")).to_have_text(app_id)
        marital = clerk.locator("#requirements > li").nth(2)
        expect(marital.locator(".evidence")).to_contain_text("核验部门济南市民政局")
        check_page(clerk, "journey-marriage-desk-case")
        clerk.get_by_role("button", name="受理", exact=True).click()
        expect(clerk.locator("#state")).to_have_text("已受理")
        clerk.get_by_role("button", name="准予办理").click()
        expect(clerk.locator("#state")).to_have_text("已办结")
        check_page(clerk, "journey-marriage-desk-decided")

        # The groom's page says the certificate was sent to his wallet.
        page.get_by_role("button", name="刷新").click()
        expect(page.locator("#notice")).to_contain_text("结婚证")

        # Each shows it to a verifier (a housing-fund desk): its page makes a request (a fresh
        # nonce, the claims this scenario needs), the holder's wallet answers it.
        verifier = fund.new_page()
        _signed_in(verifier, f"{city}/verify", "fund-1")
        verifier.get_by_label("夫妻共同办理公积金、房贷").check()
        for who, device, name in ((groom, page, "groom"), (bride, phone, "bride")):
            request = verifier.locator("#request-text").inner_text()
            code = _show_certificate(device, city, who, request)
            check_page(device, f"journey-marriage-show-{name}")
            verifier.get_by_label("短码").fill(code)
            verifier.get_by_role("button", name="兑换并核验").click()
            verdict = verifier.locator("#verdict")
            expect(verdict).to_have_class("verdict valid")
            expect(verdict).to_contain_text("有效")
            expect(verifier.locator("#facts")).to_contain_text("结婚证")
            shown = verifier.locator("#claims")
            expect(shown).to_contain_text("结婚证字号")
            expect(shown).not_to_contain_text("身份证件号")  # not asked, not disclosed
            check_page(verifier, f"journey-marriage-verified-{name}")
            # The request was used once: the page has made a fresh one for the next holder.
            expect(verifier.locator("#request-text")).not_to_have_text(request)
    finally:
        for context in (his, hers, desk, fund):
            context.close()
