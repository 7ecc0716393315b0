"""The holder's key and presentations in a real Chromium (static/holder.js): the key is made
by WebCrypto, cannot be exported, survives a reload, and a presentation made in the browser
is verified by the node as a wallet's would be — disclosing only what was chosen."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page

from certfree.crypto import KeyStore
from certfree.demo import build_demo_province
from certfree.population import list_people
from certfree.storage import Database
from factories.certificates import ELDERLY_CARD, ID_CARD, example_face, issue_example
from helpers.livenode import serving

pytestmark = pytest.mark.browser

HOLDER = example_face(ELDERLY_CARD)["id_number"]
GATE = "https://gate.taishan.example"


def _with_holder(page: Page, base: str) -> None:
    page.goto(base + "/")
    page.add_script_tag(url=base + "/static/holder.js")


def _verify(client: TestClient, shown: str, nonce: str) -> dict[str, Any]:
    node = client.app.state.node  # type: ignore[attr-defined]
    token = node.tokens.issue("verifier", "gate-1", organisation="泰山景区")
    response = client.post(
        "/api/v1/verifications",
        json={"presentation": shown, "audience": GATE, "nonce": nonce},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.mark.usefixtures("demo_registry")  # the organs that issue certificates
def test_a_presentation_made_in_the_browser_verifies_and_discloses_only_the_predicate(
    client: TestClient, keys: KeyStore, browser: Browser
) -> None:
    node = client.app.state.node  # type: ignore[attr-defined]
    with serving(client.app) as base:  # type: ignore[arg-type]
        context = browser.new_context()
        page = context.new_page()
        _with_holder(page, base)
        jwk = page.evaluate("s => certfreeHolder.publicJwk(s)", HOLDER)
        assert set(jwk) == {"kty", "crv", "x", "y"}
        assert jwk["crv"] == "P-256"
        # The private key cannot be read out, not even by the page's own scripts.
        exported = page.evaluate(
            """async s => { const k = await certfreeHolder.key(s);
                try { await crypto.subtle.exportKey("jwk", k.privateKey); return "exported"; }
                catch (e) { return e.name; } }""",
            HOLDER,
        )
        assert exported == "InvalidAccessError"
        # The same key after a reload: it lives in IndexedDB, not in the page.
        _with_holder(page, base)
        assert page.evaluate("s => certfreeHolder.publicJwk(s)", HOLDER) == jwk

        with node.db.session() as session:
            issued = issue_example(session, keys, ELDERLY_CARD, jwk)
        assert page.evaluate(
            "([s, c]) => certfreeHolder.boundHere(s, c)", [HOLDER, issued.credential]
        )
        names = page.evaluate("c => certfreeHolder.disclosures(c)", issued.credential)
        assert {"birth_date", "age_over_60"} <= {d["name"] for d in names}

        shown = page.evaluate(
            "([s, c, a]) => certfreeHolder.present(s, c, ['age_over_60'], "
            "{audience: a, nonce: 'n-42'})",
            [HOLDER, issued.credential, GATE],
        )
        result = _verify(client, shown, "n-42")
        assert result["valid"] is True, result["failed_checks"]
        assert result["disclosed"] == ["age_over_60"]
        assert result["claims"]["age_over_60"] is True
        assert "birth_date" not in result["claims"]
        # Bound to its nonce: replayed for another one it is refused.
        replayed = _verify(client, shown, "n-43")
        assert replayed["valid"] is False
        assert [c["check"] for c in replayed["failed_checks"]] == ["nonce"]

        # Another browser (another device) has another key: the credential is not bound there.
        other = browser.new_context().new_page()
        _with_holder(other, base)
        assert not other.evaluate(
            "([s, c]) => certfreeHolder.boundHere(s, c)", [HOLDER, issued.credential]
        )
        context.close()


def test_a_demo_resident_takes_their_own_id_card_into_the_browser_wallet(
    client: TestClient, db: Database, browser: Browser
) -> None:
    build_demo_province(db, citizens=1000, firms=10, seed=5)
    with db.session() as session:
        resident = list_people(session, limit=1)[0]
    signed = client.post("/dev/sign-in", json={"id_number": resident.id_number}).json()
    with serving(client.app) as base:  # type: ignore[arg-type]
        page = browser.new_page()
        _with_holder(page, base)
        jwk = page.evaluate("s => certfreeHolder.publicJwk(s)", resident.id_number)
        bearer = {"Authorization": f"Bearer {signed['token']}"}
        taken = client.post(
            "/dev/own-certificates",
            json={"type_code": ID_CARD, "holder_jwk": jwk},
            headers=bearer,
        )
        assert taken.status_code == 201, taken.text
        credential = taken.json()["credential"]
        assert page.evaluate(
            "([s, c]) => certfreeHolder.boundHere(s, c)", [resident.id_number, credential]
        )
        names = {
            d["name"]: d["value"]
            for d in page.evaluate("c => certfreeHolder.disclosures(c)", credential)
        }
        assert names["name"] == resident.name
        assert names["id_number"] == resident.id_number
        # Only what every resident carries is issued on demand; the problem names the field.
        refused = client.post(
            "/dev/own-certificates",
            json={"type_code": ELDERLY_CARD, "holder_jwk": jwk},
            headers=bearer,
        )
        assert refused.status_code == 422
        assert refused.json()["field"] == "wallet"
        page.close()
