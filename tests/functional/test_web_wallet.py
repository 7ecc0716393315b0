"""The wallet page (/wallet) in a real Chromium on a phone: a resident's certificates listed, a
backfilled one claimed with the browser's own key, and 亮证 — only "aged 60 or over" shown as a
QR code that renews itself, read back from the screen and verified by the node; a verifier's
request answered with a short code."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import segno
import zxingcpp
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect

from certfree import certs
from certfree.certs.issuance import seal_certificate
from certfree.crypto import KeyStore
from certfree.population import Sex
from certfree.storage import Database
from factories.certificates import ELDERLY_CARD, ID_CARD, NOW, holder_key, issue_example
from factories.population import person
from helpers.camera import filming
from helpers.livenode import serving
from helpers.webpage import PHONE, as_shown, check_page, fits_phone, signed_in_subject

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_registry")]

BIRTH = dt.date(1958, 3, 15)
IN_PERSON = "certfree:in-person"
GATE = "https://gate.taishan.example"


def _resident(db: Database) -> str:
    with db.session() as session:
        return person(session, name="王建国", sex=Sex.MALE, birth=BIRTH).id_number


def _backfilled_elderly_card(client: TestClient, keys: KeyStore, holder: str) -> str:
    """An elderly card sealed from a paper record: no holder key (cnf) yet."""
    node = client.app.state.node  # type: ignore[attr-defined]
    kind = certs.cert_type(ELDERLY_CARD)
    face = {**kind.example, "id_number": holder, "birth_date": BIRTH.isoformat()}
    with node.db.session() as session:
        row = seal_certificate(
            session, keys, kind=kind, issuer=certs.resolve_issuer(session, kind, None),
            holder_id=holder, face=face, holder_jwk=None,
            validity=certs.Validity(dt.date(2018, 6, 1), None), moment=NOW,
            base_url=node.settings.base_url,
        )  # fmt: skip
        return row.identifier


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


def _nonce(presentation: str) -> str:
    """The nonce the holder's key binding (the last part, RFC 9901 §4.3) names."""
    payload = presentation.rsplit("~", 1)[1].split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["nonce"])


def _verifier(client: TestClient) -> dict[str, str]:
    node = client.app.state.node  # type: ignore[attr-defined]
    token = node.tokens.issue("verifier", "gate-1", organisation="泰山景区")
    return {"Authorization": f"Bearer {token}"}


def _verify(client: TestClient, shown: str, audience: str, nonce: str) -> dict[str, Any]:
    body = {"presentation": shown, "audience": audience, "nonce": nonce}
    response = client.post("/api/v1/verifications", json=body, headers=_verifier(client))
    assert response.status_code == 200, response.text
    return dict(response.json())


def _renewed(page: Page, before: str) -> str:
    """The QR code once it differs from ``before`` (polled: the page's timers are faked)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        now = _read_qr(page)
        if now != before:
            return now
        time.sleep(0.1)
    raise AssertionError("the QR code was not renewed")


def test_a_resident_claims_a_card_and_shows_only_that_they_are_over_60(
    client: TestClient, keys: KeyStore, db: Database, browser: Browser
) -> None:
    holder = _resident(db)
    paper = _backfilled_elderly_card(client, keys, holder)
    node = client.app.state.node  # type: ignore[attr-defined]
    with serving(client.app) as base:  # type: ignore[arg-type]
        context = browser.new_context(locale="zh-CN", viewport=PHONE)
        page = context.new_page()
        page.clock.install()
        page.goto(f"{base}/wallet?as={holder}")
        expect(page.locator("#whoami")).to_have_text(f"王建国 {as_shown(holder)}")
        assert signed_in_subject(page, "certfree.me") == holder
        # An ID card issued to the key this browser made for the resident.
        jwk = page.evaluate("s => certfreeHolder.publicJwk(s)", holder)
        with node.db.session() as session:
            issue_example(session, keys, ID_CARD, jwk, id_number=holder)
        page.reload()
        cards = page.locator("#cards > li")
        expect(cards).to_have_count(2)
        elderly = cards.filter(has_text="老年人优待证")
        expect(elderly.locator(".status")).to_have_text("有效")
        expect(elderly).to_contain_text("待认领")
        expect(elderly.locator(".issuer")).not_to_be_empty()
        expect(cards.filter(has_text="居民身份证").get_by_role("link")).to_have_text("查看与亮证")
        assert fits_phone(page)
        check_page(page, "wallet-list-phone")

        # 认领: bound to this browser's key; the paper-era version is kept as replaced.
        elderly.get_by_role("button", name="认领老年人优待证").click()
        expect(page.locator("#status-line")).to_have_text(
            "已认领：老年人优待证已绑定本机的持证人密钥。"
        )
        expect(page.locator("#history")).to_be_visible()
        page.locator("#history summary").click()
        old = page.locator(f"#old-cards li[data-id='{paper}']")
        expect(old.locator(".status")).to_have_text("已注销（已换发新版本）")
        check_page(page, "wallet-claimed-phone")

        elderly.get_by_role("link", name="查看与亮证：老年人优待证").click()
        expect(page.locator("#detail-h")).to_have_text("老年人优待证")
        face = page.locator("#face")
        expect(face).to_contain_text(holder[:4] + "*" * 10 + holder[-4:])  # masked
        assert holder not in face.inner_text()
        # The statements that hold (68 years old: not yet 70), before the face fields.
        expect(page.locator("#predicates label")).to_have_text(["年满60周岁", "年满65周岁"])
        assert fits_phone(page)
        check_page(page, "wallet-card-phone")

        # Walk-up: no short code, which needs the nonce of a verifier's request.
        expect(page.get_by_role("button", name="生成短码")).to_be_hidden()
        expect(page.locator("#code-hint")).to_contain_text("短码须绑定核验方的请求")
        page.get_by_role("button", name="出示亮证码").click()  # nothing chosen
        expect(page.locator("#choose .field-error")).to_have_text("请至少选择一项。")
        page.get_by_label("年满60周岁").check()
        page.get_by_role("button", name="出示亮证码").click()
        expect(page.locator("#showing")).to_have_text("正在出示：年满60周岁")
        expect(page.locator("#countdown")).to_contain_text("秒后自动更新")
        assert fits_phone(page)
        check_page(page, "wallet-showing-phone")

        shown = _read_qr(page)
        first = _nonce(shown)
        result = _verify(client, shown, IN_PERSON, first)
        assert result["valid"] is True, result["failed_checks"]
        assert result["disclosed"] == ["age_over_60"]
        assert result["claims"]["age_over_60"] is True
        assert "birth_date" not in result["claims"]

        # 50 s later the page shows a new presentation, with a nonce of its own time.
        page.clock.fast_forward(51_000)
        again = _renewed(page, shown)
        second = _nonce(again)
        assert int(second.split(".")[0]) >= int(first.split(".")[0]) + 50
        renewed = _verify(client, again, IN_PERSON, second)
        assert renewed["valid"] is True, renewed["failed_checks"]
        assert renewed["disclosed"] == ["age_over_60"]

        # A verifier's request, asking for the birth date too: the page says it need not.
        page.get_by_label("响应核验方的请求").check()
        expect(page.locator("#shown")).to_be_hidden()
        request = (
            f"certfree:request?aud={quote(GATE, safe='')}&nonce=n-77&claims=age_over_60,birth_date"
        )
        page.locator("#request").fill(request)
        page.get_by_role("button", name="读取请求").click()
        expect(page.locator("#request-summary")).to_have_text(
            f"核验方 {GATE} 请求出示：年满60周岁、出生日期"
        )
        expect(page.locator("#warnings")).to_contain_text("出示“年满60周岁”即可，无须出示出生日期")
        expect(page.get_by_label("出生日期")).to_be_checked()
        page.get_by_label("出生日期").uncheck()
        expect(page.locator("#warnings")).to_contain_text("核验方要求的 出生日期 未选")
        check_page(page, "wallet-request-phone")
        page.get_by_role("button", name="生成短码").click()
        expect(page.locator("#code")).to_have_text(re.compile(r"^[2-9A-Z]{4}-[2-9A-Z]{4}$"))
        check_page(page, "wallet-short-code-phone")
        code = page.locator("#code").inner_text()
        redeemed = client.post(
            f"/api/v1/short-codes/{code}/redeem",
            json={"audience": GATE, "nonce": "n-77"},
            headers=_verifier(client),
        )
        assert redeemed.status_code == 200, redeemed.text
        assert redeemed.json()["valid"] is True, redeemed.json()["failed_checks"]
        assert redeemed.json()["disclosed"] == ["age_over_60"]
        context.close()


def test_the_wallet_in_english_reads_a_request_from_a_picture(
    client: TestClient, keys: KeyStore, db: Database, browser: Browser
) -> None:
    holder = _resident(db)
    node = client.app.state.node  # type: ignore[attr-defined]
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="en")
        page.goto(f"{base}/wallet?as={holder}&lang=en")
        expect(page.locator("#no-cards")).to_have_text("You hold no e-certificates yet.")
        jwk = page.evaluate("s => certfreeHolder.publicJwk(s)", holder)
        with node.db.session() as session:
            card = issue_example(
                session, keys, ELDERLY_CARD, jwk, id_number=holder, birth_date=BIRTH.isoformat()
            )
            # An ID card bound to the key of the resident's other phone.
            issue_example(session, keys, ID_CARD, holder_key(), id_number=holder)
        page.reload()
        listed = page.locator("#cards > li")
        expect(listed.locator("h3")).to_have_text(
            ["Resident identity card", "Senior citizen preferential card"]
        )
        expect(listed.nth(1).locator(".validity")).to_contain_text("no end date")
        check_page(page, "wallet-list-en")

        page.get_by_role("link", name="View and show: Resident identity card").click()
        expect(page.locator("#unusable")).to_have_text(
            "This certificate is bound to the holder key of another device, so this one cannot"
            " show it. Show it from that device, or ask the issuer to replace it."
        )
        expect(page.locator("#show")).to_be_hidden()
        check_page(page, "wallet-other-device-en")
        page.get_by_role("link", name="Back to the wallet").click()
        page.get_by_role("link", name="View and show: Senior citizen preferential card").click()
        page.wait_for_url(f"{base}/wallet/{card.identifier}")
        face = page.locator("#face")
        expect(face.locator("dt", has_text="Sex").locator("+ dd")).to_have_text("Male")
        page.get_by_label("Answer a verifier's request").check()
        request = f"certfree:request?aud={quote(GATE, safe='')}&nonce=n-5&claims=age_over_60"
        picture = io.BytesIO()
        segno.make(request, error="m").save(picture, kind="png", scale=6)
        page.locator("#request-image").set_input_files(
            {"name": "request.png", "mimeType": "image/png", "buffer": picture.getvalue()}
        )
        expect(page.locator("#request-summary")).to_have_text(
            f"{GATE} asks to see: Aged 60 or over"
        )
        expect(page.get_by_label("Aged 60 or over")).to_be_checked()
        page.get_by_role("button", name="Show the code").click()
        expect(page.locator("#for-whom")).to_have_text(f"For {GATE}'s request only.")
        check_page(page, "wallet-request-en")
        result = _verify(client, _read_qr(page), GATE, "n-5")
        assert result["valid"] is True, result["failed_checks"]
        assert result["disclosed"] == ["age_over_60"]

        # Everything at once is too much for a QR code a phone can read: a short code instead.
        for box in page.locator("#choices input[type=checkbox]").all():
            box.check()
        page.get_by_role("button", name="Show the code").click()
        expect(page.locator("#choose .form-error")).to_have_text(
            "Too much for one QR code: choose fewer items, or read the verifier's request"
            " and use a short code."
        )
        expect(page.locator("#shown")).to_be_hidden()
        page.get_by_role("button", name="Get a short code").click()
        expect(page.locator("#code-note")).to_contain_text("Tell the verifier this code")
        check_page(page, "wallet-short-code-en")
        redeemed = client.post(
            f"/api/v1/short-codes/{page.locator('#code').inner_text()}/redeem",
            json={"audience": GATE, "nonce": "n-5"},
            headers=_verifier(client),
        ).json()
        assert redeemed["valid"] is True, redeemed["failed_checks"]
        assert redeemed["claims"]["birth_date"] == BIRTH.isoformat()


@pytest.fixture
def camera_browser(browser: Browser, tmp_path: Path) -> Iterator[Browser]:
    """A second Chromium whose camera films a verifier's request code."""
    request = f"certfree:request?aud={quote(GATE, safe='')}&nonce=n-cam&claims=age_over_60"
    with filming(browser, request, tmp_path) as launched:
        yield launched


def test_the_camera_reads_a_verifiers_request(
    client: TestClient, db: Database, camera_browser: Browser
) -> None:
    holder = _resident(db)
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = camera_browser.new_page(locale="zh-CN", viewport=PHONE)
        page.goto(f"{base}/wallet?as={holder}")
        expect(page.locator("#no-cards")).to_be_visible()
        # A demo node seals the resident's own ID card to this browser's key.
        page.get_by_role("button", name="领取居民身份证").click()
        expect(page.locator("#status-line")).to_have_text("居民身份证已放入卡包。")
        page.get_by_role("link", name="查看与亮证：居民身份证").click()
        page.get_by_label("响应核验方的请求").check()
        page.get_by_role("button", name="用摄像头扫描请求码").click()
        expect(page.locator("#request-summary")).to_have_text(f"核验方 {GATE} 请求出示：年满60周岁")
        expect(page.locator("#camera")).to_be_hidden()  # stopped once the request is read
        expect(page.get_by_label("年满60周岁")).to_be_checked()
        page.get_by_role("button", name="出示亮证码").click()
        expect(page.locator("#showing")).to_have_text("正在出示：年满60周岁")  # drawn
        result = _verify(client, _read_qr(page), GATE, "n-cam")
        assert result["valid"] is True, result["failed_checks"]
        assert result["disclosed"] == ["age_over_60"]
        check_page(page, "wallet-camera-phone")
        page.close()
