"""Edge processing (端侧处理) in a real Chromium: the wallet page proves "aged 65 or over" from
a resident ID card with WebCrypto, the birth date staying in the browser; the scenic spot's
verify page reads the QR code and shows the proved age as meeting its "aged 60 or over". A
birth date chosen alone is refused on the page before anything is made."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import pytest
import zxingcpp
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect

from certfree.crypto import KeyStore, parse_sd_jwt
from certfree.population import Sex
from certfree.storage import Database
from certfree.wallet import render_qr
from factories.certificates import ID_CARD, issue_example
from factories.population import person
from helpers.livenode import serving
from helpers.webpage import PHONE, check_page

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_registry")]

BIRTH = dt.date(1958, 3, 15)


def _read_qr(page: Page) -> str:
    """The QR code on the screen, read by zxing-cpp from the canvas's own pixels."""
    grey, width, height = page.evaluate(
        """() => { const c = document.querySelector('#qr');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let s = ''; for (let i = 0; i < d.length; i += 4) s += String.fromCharCode(d[i]);
            return [btoa(s), c.width, c.height]; }"""
    )
    image = memoryview(base64.b64decode(grey)).cast("B", (height, width))
    found = zxingcpp.read_barcodes(
        image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    )
    assert len(found) == 1, "one QR code on the screen"
    return str(found[0].text)


def test_the_wallet_proves_an_age_and_the_verify_page_shows_it(
    client: TestClient, keys: KeyStore, db: Database, browser: Browser, tmp_path: Path
) -> None:
    with db.session() as session:
        holder = person(session, name="王建国", sex=Sex.MALE, birth=BIRTH).id_number
    node = client.app.state.node  # type: ignore[attr-defined]
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="zh-CN", viewport=PHONE)
        page.goto(f"{base}/wallet?as={holder}")
        jwk = page.evaluate("s => certfreeHolder.publicJwk(s)", holder)
        with node.db.session() as session:
            issue_example(session, keys, ID_CARD, jwk, id_number=holder)
        page.reload()
        page.get_by_role("link", name="查看与亮证：居民身份证").click()
        expect(page.locator("#detail-h")).to_have_text("居民身份证")
        expect(page.locator("#predicates label")).to_contain_text(
            [
                "年满所填周岁（在本机计算证明，不出示出生日期）",
                "居住在市级行政区划 3701（不出示住址）",
            ]
        )

        # The birth date alone is refused by the page: the type wants the name beside it.
        page.get_by_role("checkbox", name="出生日期 敏感").check()
        page.get_by_role("button", name="出示亮证码").click()
        expect(page.locator("#choose .field-error")).to_have_text(
            "出生日期不得单独出示，请同时选择姓名或持证主体代码"
        )
        expect(page.locator("#shown")).to_be_hidden()
        page.get_by_role("checkbox", name="出生日期 敏感").uncheck()

        # Older than the card says: refused on the device, nothing shown.
        page.get_by_role("spinbutton", name="周岁").fill("70")
        page.get_by_role("button", name="出示亮证码").click()
        expect(page.locator("#choose .field-error")).to_have_text(
            "按证照记载，今天不满 70 周岁，无法证明"
        )
        page.get_by_role("spinbutton", name="周岁").fill("65")  # checks the box too
        expect(page.get_by_label("年满所填周岁（在本机计算证明，不出示出生日期）")).to_be_checked()
        page.get_by_role("button", name="出示亮证码").click()
        expect(page.locator("#showing")).to_have_text("正在出示：年满 65 周岁")
        check_page(page, "wallet-prove-age-phone")
        shown = _read_qr(page)
        sent = {d.name for d in parse_sd_jwt(shown).disclosures}
        assert sent == {"age_anchor"}  # the anchor only: no date, no seed
        assert "1958" not in json.dumps([d.value for d in parse_sd_jwt(shown).disclosures])

        gate = browser.new_page(locale="zh-CN", viewport=PHONE)
        gate.goto(f"{base}/verify?as=gate-1")
        expect(gate.locator("#asks")).to_have_text("本场景只请持证人出示：年满60周岁")
        path = tmp_path / "age.png"
        render_qr(shown, path)
        gate.set_input_files("#image", path)
        verdict = gate.locator("#verdict")
        expect(verdict).to_have_text("有效 · 年满60周岁：是（未出示出生日期）")
        expect(verdict).to_have_class("verdict valid")
        expect(gate.locator("#claims")).to_have_text("年满 65 周岁（端侧证明）是（未出示出生日期）")
        check_page(gate, "verify-derived-age-phone")
