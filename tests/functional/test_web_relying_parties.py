"""The register of relying parties in a real Chromium: the demo hotel's front desk at /verify
asks with a request the node signs with the hotel's registered key, and a presentation
disclosing more than its scenario is refused; the wallet page checks a request against the
register and refuses an unsigned one in the hotel's name, one asking beyond the scenario, and
disclosing beyond it."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, expect

from certfree.crypto import Alg, KeyStore, generate_signer
from certfree.demo.relying_parties import DEMO_HOTEL, register_demo_relying_parties
from certfree.governance import relying_parties as rp
from certfree.population import Sex
from certfree.settings import Settings
from certfree.storage import Database
from certfree.wallet import HolderKey, present
from factories.certificates import ID_CARD, issue_example
from factories.population import person
from helpers.livenode import serving
from helpers.webpage import check_page

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_registry")]

HOTEL_AUDIENCE = rp.audience_of(DEMO_HOTEL)


@pytest.fixture
def register(db: Database, settings: Settings, keys: KeyStore) -> rp.Register:
    """The demo relying parties, their request keys kept by the node, as `demo init` makes."""
    with db.session() as session:
        register_demo_relying_parties(session, rp.hosted_keys(settings))
    with db.session() as session:
        return rp.Register.from_payload(rp.register_payload(session, "370000"))


def test_the_hotel_desk_asks_with_a_signed_request(
    client: TestClient, keys: KeyStore, register: rp.Register, browser: Browser
) -> None:
    holder = HolderKey.generate()
    node = client.app.state.node  # type: ignore[attr-defined]
    with node.db.session() as session:
        card = issue_example(session, keys, ID_CARD, holder.public_jwk()).credential
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="zh-CN")
        page.goto(f"{base}/verify?as=hotel-1&org={DEMO_HOTEL}")
        expect(page.locator("#signed-as")).to_contain_text("泉城示范宾馆（演示）")
        expect(page.get_by_label("入住登记")).to_be_checked()
        expect(page.locator("#asks")).to_have_text("本场景只请持证人出示：姓名、年满18周岁")
        expect(page.locator("#request-text")).to_contain_text("certfree:request?jwt=")
        check_page(page, "verify-signed-request-zh")
        text = page.locator("#request-text").inner_text()
        checked = rp.check_request(text, register)  # signed with the hotel's registered key
        assert checked.scenario is not None
        assert checked.scenario.name == "hotel_check_in"
        asked = checked.request

        # The guest shows name and age over 18, as asked: valid.
        shown = present(
            card, holder, ["name", "age_over_18"], audience=asked.aud, nonce=asked.nonce
        )
        page.locator("#presentation").fill(shown)
        page.get_by_role("button", name="核验").first.click()
        expect(page.locator("#verdict")).to_have_class("verdict valid")

        # A wallet that lets the birth date through: the node refuses it, naming the rule.
        asked = rp.parse_request(page.locator("#request-text").inner_text())  # a fresh one
        over = present(card, holder, ["name", "birth_date"], audience=asked.aud, nonce=asked.nonce)
        page.locator("#presentation").fill(over)
        page.get_by_role("button", name="核验").first.click()
        expect(page.locator("#verdict")).to_have_class("verdict refused")
        expect(page.locator("#reasons")).to_contain_text("rp.claims-beyond-scenario")
        expect(page.locator("#reasons")).to_contain_text("拒绝披露：birth_date")


def test_the_wallet_holds_a_request_to_the_register(
    client: TestClient,
    keys: KeyStore,
    db: Database,
    register: rp.Register,
    browser: Browser,
) -> None:
    with db.session() as session:
        resident = person(session, name="李秀英", sex=Sex.FEMALE, birth=dt.date(1980, 5, 2))
        holder = resident.id_number
    node = client.app.state.node  # type: ignore[attr-defined]
    hotel = register.party(DEMO_HOTEL)
    assert hotel is not None
    signer = rp.hosted_signer(rp.hosted_keys(node.settings), DEMO_HOTEL)
    check_in = hotel.scenarios["hotel_check_in"]
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page(locale="zh-CN")
        page.goto(f"{base}/wallet?as={holder}")
        jwk = page.evaluate("s => certfreeHolder.publicJwk(s)", holder)
        with node.db.session() as session:
            card = issue_example(session, keys, ID_CARD, jwk, id_number=holder, name="李秀英",
                                 birth_date="1980-05-02")  # fmt: skip
        page.goto(f"{base}/wallet/{card.identifier}")
        page.get_by_label("响应核验方的请求").check()
        form_error = page.locator("#request-error")

        def read(request: str) -> None:
            page.locator("#request").fill(request)
            page.get_by_role("button", name="读取请求").click()

        # Unsigned, in the hotel's name: refused.
        read(f"certfree:request?aud={HOTEL_AUDIENCE}&nonce=n-1&claims=name")
        expect(form_error).to_contain_text("rp.request-unsigned")
        # Signed by the hotel, but asking the birth date its scenario does not allow.
        greedy = rp.sign_request(signer, DEMO_HOTEL, check_in, claims=["name", "birth_date"])
        read(greedy.text)
        expect(form_error).to_contain_text("rp.claims-beyond-scenario")
        expect(form_error).to_contain_text("hotel_check_in")
        check_page(page, "wallet-request-refused-zh")
        # Signed by another key than the hotel registered: refused.
        forged = rp.sign_request(generate_signer(Alg.ES256), DEMO_HOTEL, check_in)
        read(forged.text)
        expect(form_error).to_contain_text("rp.request-signature")

        # The hotel's own request: read, its claims chosen; adding the birth date is refused.
        fair = rp.sign_request(signer, DEMO_HOTEL, check_in)
        read(fair.text)
        expect(page.locator("#request-summary")).to_contain_text("年满18周岁")
        expect(page.locator("input[name=claim][value=age_over_18]")).to_be_checked()
        page.locator("input[name=claim][value=birth_date]").check()
        page.get_by_role("button", name="出示亮证码").click()
        expect(page.locator("#choices-error")).to_contain_text("rp.claims-beyond-scenario")
        expect(page.locator("#shown")).to_be_hidden()
        page.locator("input[name=claim][value=birth_date]").uncheck()
        # What the scenario allows goes (a short code: an ID card is too much for a QR code).
        page.get_by_role("button", name="生成短码").click()
        expect(page.locator("#code-box")).to_be_visible()
        token = node.tokens.issue("verifier", "hotel-1", organisation=DEMO_HOTEL)
        redeemed = client.post(
            f"/api/v1/short-codes/{page.locator('#code').inner_text()}/redeem",
            json={"audience": fair.aud, "nonce": fair.nonce},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert redeemed.status_code == 200, redeemed.text
        assert sorted(redeemed.json()["disclosed"]) == ["age_over_18", "name"]
