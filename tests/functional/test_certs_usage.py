"""Certificate use (用证记录) and the online mode's one-time short codes, as users see them.

A hotel verifies an elderly card over the API; the holder's log shows it with the names of
the disclosed items and not their values; nobody else sees it. A low-end phone gets a short
code from a node served over real HTTP; the gate redeems it once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient

from certfree import certs
from certfree.app import create_app
from certfree.certs.usage.codes import SHORT_CODE_ALPHABET, issue_short_code
from certfree.crypto import Alg, KeyStore, Signer, generate_signer, present_sd_jwt
from certfree.settings import Settings
from certfree.storage import Database
from certfree.wallet.errors import ShortCodeFailed
from certfree.wallet.online import request_short_code
from factories.certificates import ELDERLY_CARD, issue_example
from helpers.livenode import free_port, serving

# Certificates are issued by the demo province's department nodes, registered first.
pytestmark = pytest.mark.usefixtures("demo_registry")

HOTEL, GATE = "https://hotel.example.cn", "https://gate.taishan.example"
OTHER_APPLICANT = "11010519491231002X"


def _issue(node: Any, keys: KeyStore, holder: Signer) -> certs.IssuedCertificate:
    with node.db.session() as session:
        return issue_example(session, keys, ELDERLY_CARD, holder.public_jwk())


def _bearer(node: Any, role: str, subject: str, org: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {node.tokens.issue(role, subject, organisation=org)}"}


def test_holder_sees_who_verified_what_but_not_the_values(
    client: TestClient, keys: KeyStore
) -> None:
    node = client.app.state.node  # type: ignore[attr-defined]
    holder = generate_signer(Alg.ES256)
    issued = _issue(node, keys, holder)
    shown = present_sd_jwt(
        issued.credential, ["name", "age_over_60"], holder, audience=HOTEL, nonce="n-1"
    )
    verified = client.post(
        "/api/v1/verifications",
        json={"presentation": shown, "audience": HOTEL, "nonce": "n-1", "purpose": "入住登记"},
        headers=_bearer(node, "verifier", "front-desk-3", "如家酒店泉城路店"),
    )
    assert verified.status_code == 200, verified.text
    assert verified.json()["valid"] is True

    mine = client.get(
        "/api/v1/me/certificate-uses", headers=_bearer(node, "applicant", issued.holder_id)
    )
    assert mine.status_code == 200, mine.text
    (use,) = mine.json()
    assert use["certificate_id"] == issued.identifier
    assert use["holder_id"] == issued.holder_id
    assert use["verifier"] == "front-desk-3"
    assert use["verifier_org"] == "如家酒店泉城路店"
    assert use["audience"] == HOTEL
    assert use["purpose"] == "入住登记"
    assert use["disclosed"] == ["age_over_60", "name"]
    assert use["valid"] is True
    assert use["reasons"] == []
    assert "如家酒店泉城路店" in use["description"]
    assert "老年人优待证" in use["description"]
    assert "姓名" in use["description"]
    assert "通过" in use["description"]
    assert "王建国" not in mine.text  # the disclosed name itself is never stored

    others = client.get(
        "/api/v1/me/certificate-uses", headers=_bearer(node, "applicant", OTHER_APPLICANT)
    )
    assert others.status_code == 200
    assert others.json() == []


def test_a_failed_verification_is_logged_with_its_reason_newest_first(
    client: TestClient, keys: KeyStore
) -> None:
    node = client.app.state.node  # type: ignore[attr-defined]
    holder = generate_signer(Alg.ES256)
    issued = _issue(node, keys, holder)
    verifier = _bearer(node, "verifier", "gate-1")
    for nonce in ("n-ok", "n-stale"):
        shown = present_sd_jwt(issued.credential, [], holder, audience=GATE, nonce="n-ok")
        body = {"presentation": shown, "audience": GATE, "nonce": nonce}
        assert client.post("/api/v1/verifications", json=body, headers=verifier).status_code == 200

    uses = client.get(
        "/api/v1/me/certificate-uses", headers=_bearer(node, "applicant", issued.holder_id)
    ).json()
    assert [(u["valid"], u["reasons"]) for u in uses] == [(False, ["kb_wrong_nonce"]), (True, [])]
    assert "未通过" in uses[0]["description"]

    bureau = client.get(
        "/api/v1/certificate-uses",
        params={"certificate": issued.identifier},
        headers=_bearer(node, "bureau_admin", "ops"),
    )
    assert [u["valid"] for u in bureau.json()] == [False, True]
    other_organ = client.get(
        "/api/v1/certificate-uses",
        params={"certificate": issued.identifier},
        headers=_bearer(node, "department_admin", "admin-1", "370100-GA"),
    )
    assert other_organ.status_code == 403
    own_organ = client.get(
        "/api/v1/certificate-uses",
        params={"certificate": issued.identifier},
        headers=_bearer(node, "department_admin", "admin-1", "370100-WJ"),
    )
    assert own_organ.status_code == 200
    assert len(own_organ.json()) == 2


def test_short_code_from_a_served_node_is_redeemed_once(
    settings: Settings, db: Database, keys: KeyStore
) -> None:
    port = free_port()  # the node's public URL, which its absolute links name
    app = create_app(settings.model_copy(update={"port": port}))
    node = app.state.node
    holder = generate_signer(Alg.ES256)
    issued = _issue(node, keys, holder)
    shown = present_sd_jwt(issued.credential, ["age_over_60"], holder, audience=GATE, nonce="q7")
    with serving(app, port=port) as base:
        code = request_short_code(shown, f"{base}/api/v1/short-codes")
        assert len(code.code) == 8
        assert set(code.code) <= set(SHORT_CODE_ALPHABET)
        assert code.expires_in == 120
        assert code.redeem_url == f"{base}/api/v1/short-codes/{code.code}/redeem"
        assert code.qr_text == code.redeem_url

        with TestClient(app) as client:
            gate = _bearer(node, "verifier", "gate-2", "泰山景区")
            body = {"audience": GATE, "nonce": "q7", "purpose": "老年人免票"}
            first = client.post(code.redeem_url.removeprefix(base), json=body, headers=gate)
            assert first.status_code == 200, first.text
            assert first.json()["valid"] is True
            assert first.json()["claims"]["age_over_60"] is True

            again = client.post(code.redeem_url.removeprefix(base), json=body, headers=gate)
            assert again.status_code == 409
            assert again.json()["type"] == "/problems/short-code-used"

            (use,) = client.get(
                "/api/v1/me/certificate-uses",
                headers=_bearer(node, "applicant", issued.holder_id),
            ).json()
            assert use["channel"] == "short_code"
            assert use["disclosed"] == ["age_over_60"]
            assert "短码核验" in use["description"]
            assert "老年人免票" in use["description"]

        with pytest.raises(ShortCodeFailed, match="HTTP 422"):
            request_short_code("not-a-presentation", f"{base}/api/v1/short-codes")


def test_expired_and_unknown_codes_are_refused_by_name(client: TestClient, keys: KeyStore) -> None:
    node = client.app.state.node  # type: ignore[attr-defined]
    holder = generate_signer(Alg.ES256)
    shown = present_sd_jwt(
        _issue(node, keys, holder).credential, [], holder, audience=GATE, nonce="q8"
    )
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=3)
    with node.db.session() as session:
        code = issue_short_code(session, shown, now=long_ago).code
    gate = _bearer(node, "verifier", "gate-2")
    body = {"audience": GATE, "nonce": "q8"}
    expired = client.post(f"/api/v1/short-codes/{code}/redeem", json=body, headers=gate)
    assert expired.status_code == 409
    assert expired.json()["type"] == "/problems/short-code-expired"
    unknown = client.post("/api/v1/short-codes/ZZZZZZZZ/redeem", json=body, headers=gate)
    assert unknown.status_code == 404
    refused = client.post(
        f"/api/v1/short-codes/{code}/redeem", json=body, headers=_bearer(node, "applicant", "x")
    )
    assert refused.status_code == 403


def test_a_credential_without_key_binding_gets_no_code(client: TestClient, keys: KeyStore) -> None:
    node = client.app.state.node  # type: ignore[attr-defined]
    issued = _issue(node, keys, generate_signer(Alg.ES256))
    response = client.post("/api/v1/short-codes", json={"presentation": issued.credential})
    assert response.status_code == 422
    assert response.json()["type"] == "/problems/short-code-presentation-invalid"
    assert "KB-JWT" in response.json()["detail"]
