"""The verifier's page (/verify) in a real Chromium: an elderly card (老年人优待证) shown at a
scenic spot's gate as a QR image (the camera replaced by an image file), valid with only
"aged 60 or over" disclosed; a stale walk-up code and a revoked card refused with their
reasons; a short code; and a round of the verifier's own request (its nonce, a replay refused).

The holder's side is played in Python (certfree.wallet, the holder's key on "their phone"),
as a wallet app would; the node is served over real HTTP."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect

from certfree.crypto import KeyStore
from certfree.wallet import HolderKey, present, render_qr
from factories.certificates import ELDERLY_CARD, example_face, issue_example
from helpers.camera import filming
from helpers.livenode import serving
from helpers.webpage import PHONE, check_page, fits_phone

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_registry")]

WALK_UP = "certfree:in-person"
ISSUER_NODE = "370100-WJ"  # 济南市卫生健康委员会, the elderly card's issuer in the demo province
HOLDER = example_face(ELDERLY_CARD)["id_number"]


class Card:
    """An elderly card in the holder's wallet: the credential and the key it is bound to."""

    def __init__(self, client: TestClient, keys: KeyStore) -> None:
        self.key = HolderKey.generate()
        node = client.app.state.node  # type: ignore[attr-defined]
        with node.db.session() as session:
            issued = issue_example(session, keys, ELDERLY_CARD, self.key.public_jwk())
        self.credential = issued.credential
        self.identifier = issued.identifier

    def walk_up(self, disclose: list[str], *, made: float | None = None) -> str:
        """The holder page's 亮证码: audience in-person, nonce "<unix seconds>.<16 chars>"."""
        moment = int(time.time() if made is None else made)
        nonce = f"{moment}.{secrets.token_urlsafe(12)}"
        return present(self.credential, self.key, disclose, audience=WALK_UP, nonce=nonce)

    def answer(self, request_text: str, disclose: list[str]) -> str:
        """A presentation made for the verifier's request ``certfree:request?aud=&nonce=``."""
        query = parse_qs(urlsplit(request_text).query)
        return present(
            self.credential,
            self.key,
            disclose,
            audience=query["aud"][0],
            nonce=query["nonce"][0],
        )


def _qr(tmp_path: Path, presentation: str) -> Path:
    path = tmp_path / f"qr-{secrets.token_hex(4)}.png"
    render_qr(presentation, path)
    return path


def _signed_in(page: Page, base: str, query: str = "") -> None:
    page.goto(f"{base}/verify?as=gate-1{query}")
    expect(page.locator("#whoami")).to_have_text("gate-1")
    expect(page.locator("#request-text")).to_contain_text("certfree:request?aud=")


def _revoke(client: TestClient, base: str, card: Card) -> None:
    """The issuing department revokes the card through the API, as its admin page would."""
    tokens = client.app.state.node.tokens  # type: ignore[attr-defined]
    token = tokens.issue("department_admin", "admin-wj", organisation=ISSUER_NODE)
    revoked = httpx.post(
        f"{base}/api/v1/certificates/{card.identifier}/revoke",
        json={"reason": "lost"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert revoked.status_code == 200, revoked.text


@pytest.fixture
def card(client: TestClient, keys: KeyStore) -> Card:
    """An elderly card issued to 王建国, in his wallet."""
    return Card(client, keys)


def test_a_scenic_spot_checks_an_elderly_card_on_a_phone(
    client: TestClient, card: Card, browser: Browser, tmp_path: Path
) -> None:
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="zh-CN", viewport=PHONE)
        _signed_in(page, base)
        expect(page.locator("#asks")).to_have_text("本场景只请持证人出示：年满60周岁")
        assert fits_phone(page)
        check_page(page, "verify-request-phone-zh")

        # Walk-up: the holder shows their 亮证码; the gate reads it from an image.
        page.set_input_files("#image", _qr(tmp_path, card.walk_up(["age_over_60"])))
        verdict = page.locator("#verdict")
        expect(verdict).to_have_text("有效 · 年满60周岁：是")
        expect(verdict).to_have_class("verdict valid")
        expect(page.locator("#claims")).to_have_text("年满60周岁是")  # nothing else disclosed
        expect(page.locator("#facts")).to_contain_text("老年人优待证")
        expect(page.locator("#facts")).to_contain_text("持证人亮证码（现场亮证）")
        assert fits_phone(page)
        check_page(page, "verify-valid-phone-zh")

        # A code made three minutes ago is refused by the page before anything is sent.
        stale = card.walk_up(["age_over_60"], made=time.time() - 180)
        page.set_input_files("#image", _qr(tmp_path, stale))
        expect(verdict).to_have_text("无效")
        expect(page.locator("#reasons")).to_contain_text("亮证码已超时")
        check_page(page, "verify-stale-phone-zh")

        # A short code, redeemed against the page's own request.
        made = card.answer(page.locator("#request-text").inner_text(), ["age_over_60"])
        parked = httpx.post(f"{base}/api/v1/short-codes", json={"presentation": made})
        assert parked.status_code == 201, parked.text
        page.get_by_label("短码").fill(parked.json()["code"])
        page.get_by_role("button", name="兑换并核验").click()
        expect(verdict).to_have_text("有效 · 年满60周岁：是")
        expect(page.locator("#facts")).to_contain_text(f"短码 {parked.json()['code']}")

        _revoke(client, base, card)
        page.set_input_files("#image", _qr(tmp_path, card.walk_up(["age_over_60"])))
        expect(verdict).to_have_text("无效")
        expect(verdict).to_have_class("verdict refused")
        expect(page.locator("#reasons")).to_have_text("证照已注销/吊销")
        expect(page.locator("#shown")).to_be_hidden()
        check_page(page, "verify-revoked-phone-zh")
        page.close()


def test_a_hotel_asks_with_its_own_request_and_a_replay_is_refused(
    client: TestClient, card: Card, browser: Browser
) -> None:
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="zh-CN")
        _signed_in(page, base)
        page.get_by_label("酒店入住登记").check()
        request_text = page.locator("#request-text").inner_text()
        assert request_text.endswith("&claims=name,id_number")
        expect(page.locator("#request-qr")).to_have_attribute(
            "alt", "核验请求二维码：姓名、公民身份号码"
        )

        shown = card.answer(request_text, ["name", "id_number"])
        page.get_by_label("粘贴亮证文本").fill(shown)
        page.get_by_role("button", name="核验", exact=True).click()
        verdict = page.locator("#verdict")
        expect(verdict).to_have_text(f"有效 · 姓名：王建国 · 公民身份号码：{HOLDER}")
        expect(page.locator("#facts")).to_contain_text("按本页核验请求出示")
        check_page(page, "verify-request-valid-zh")

        # The request was used once: the same presentation again meets a new nonce.
        assert page.locator("#request-text").inner_text() != request_text
        page.get_by_role("button", name="核验", exact=True).click()
        expect(verdict).to_have_text("无效")
        expect(page.locator("#reasons")).to_have_text("随机数不符")
        check_page(page, "verify-replay-zh")
        page.close()


def test_the_verifier_page_in_english(
    client: TestClient, card: Card, browser: Browser, tmp_path: Path
) -> None:
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="en-GB")
        _signed_in(page, base, "&lang=en")
        expect(page.locator("#asks")).to_have_text(
            "This scenario asks the holder only for: Aged 60 or over"
        )
        # Sex beside the name: a graded field is never disclosed alone (certs.disclosure).
        shown = card.walk_up(["age_over_60", "name", "sex"])
        page.set_input_files("#image", _qr(tmp_path, shown))
        expect(page.locator("#verdict")).to_have_text("Valid · Aged 60 or over: Yes")
        expect(page.locator("#claims")).to_contain_text("SexMale")
        expect(page.locator("#facts")).to_contain_text("Senior citizen preferential card")
        check_page(page, "verify-valid-en")

        # A hotel needs the guest's identity: the same card, valid, is not what it asked for.
        page.get_by_label("Hotel check-in").check()
        page.set_input_files("#image", _qr(tmp_path, card.walk_up(["age_over_60"])))
        expect(page.locator("#verdict")).to_have_text("Valid, but not what this scenario needs")
        expect(page.locator("#missing")).to_have_text("Not disclosed: Name, Resident ID number")
        check_page(page, "verify-incomplete-en")
        page.close()


@pytest.fixture
def camera_browser(browser: Browser, card: Card, tmp_path: Path) -> Iterator[Browser]:
    """A second Chromium whose camera films the card's walk-up code."""
    with filming(browser, card.walk_up(["age_over_60"]), tmp_path) as launched:
        yield launched


def test_the_camera_reads_a_walk_up_code(client: TestClient, camera_browser: Browser) -> None:
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = camera_browser.new_page(locale="zh-CN", viewport=PHONE)
        _signed_in(page, base)
        page.get_by_role("button", name="打开摄像头扫码").click()
        expect(page.locator("#verdict")).to_have_text("有效 · 年满60周岁：是")
        # The camera stops once a code is read.
        expect(page.locator("#camera")).to_be_hidden()
        expect(page.get_by_role("button", name="打开摄像头扫码")).to_be_visible()
        check_page(page, "verify-camera-phone-zh")
        page.close()
