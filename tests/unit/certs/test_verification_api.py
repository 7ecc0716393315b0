"""``POST /api/v1/verifications`` and ``GET /api/v1/trust-list`` on a node with real data."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from certfree import certs
from certfree.certs.trust import TrustList
from certfree.crypto import Alg, KeyStore, Signer, generate_signer, present_sd_jwt
from factories.certificates import ELDERLY_CARD, issue_example

AUD, NONCE = "https://hotel.example.cn", "n-5d0c"


def _issue(client: TestClient, keys: KeyStore, holder: Signer) -> certs.IssuedCertificate:
    node = client.app.state.node  # type: ignore[attr-defined]
    with node.db.session() as session:
        return issue_example(session, keys, ELDERLY_CARD, holder.public_jwk())


def _verify(client: TestClient, token_for: Any, presentation: str, **body: Any) -> Any:
    response = client.post(
        "/api/v1/verifications",
        json={"presentation": presentation, "audience": AUD, "nonce": NONCE, **body},
        headers=token_for("verifier"),
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_verifier_sees_disclosed_fields_until_the_certificate_is_revoked(
    client: TestClient, keys: KeyStore, token_for: Any
) -> None:
    holder = generate_signer(Alg.ES256)
    issued = _issue(client, keys, holder)
    shown = present_sd_jwt(issued.credential, [], holder, audience=AUD, nonce=NONCE)
    result = _verify(client, token_for, shown)
    assert result["valid"], result["failed_checks"]
    assert result["vct"] == ELDERLY_CARD
    assert result["issuer"] == issued.issuer_uscc
    assert result["status"] == 0

    node = client.app.state.node  # type: ignore[attr-defined]
    with node.db.session() as session:
        certs.revoke_certificate(session, issued.identifier, next(iter(certs.RevocationReason)))
    result = _verify(client, token_for, shown)
    assert not result["valid"]
    assert [(f["check"], f["reason"]) for f in result["failed_checks"]] == [("status", "revoked")]
    assert result["claims"] == {}


def test_wrong_nonce_and_oversized_payload_have_their_reasons(
    client: TestClient, keys: KeyStore, token_for: Any
) -> None:
    holder = generate_signer(Alg.ES256)
    shown = present_sd_jwt(
        _issue(client, keys, holder).credential, [], holder, audience=AUD, nonce="x"
    )
    assert [f["reason"] for f in _verify(client, token_for, shown)["failed_checks"]] == [
        "kb_wrong_nonce"
    ]
    huge = _verify(client, token_for, shown + "A" * 70_000)
    assert [f["reason"] for f in huge["failed_checks"]] == ["oversized"]


def test_only_verifiers_and_clerks_may_verify(client: TestClient, token_for: Any) -> None:
    body = {"presentation": "x~", "audience": AUD, "nonce": NONCE}
    assert client.post("/api/v1/verifications", json=body).status_code == 401
    denied = client.post("/api/v1/verifications", json=body, headers=token_for("applicant"))
    assert denied.status_code == 403
    allowed = client.post("/api/v1/verifications", json=body, headers=token_for("clerk"))
    assert allowed.json()["valid"] is False


def test_trust_list_is_sealed_by_the_node_and_names_issuers_and_lists(
    client: TestClient, keys: KeyStore, token_for: Any
) -> None:
    holder = generate_signer(Alg.ES256)
    issued = _issue(client, keys, holder)
    assert client.get("/api/v1/trust-list").status_code == 401
    response = client.get("/api/v1/trust-list", headers=token_for("verifier"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/trustlist+jwt")
    node_key = keys.public_jwk(keys.active("node").kid)
    trust = TrustList.from_token(response.text, node_key)
    assert trust.publisher == "370000"
    assert issued.issuer_uscc in trust.issuers
    assert "node" not in trust.issuers
    assert issued.status_list_uri in trust.status_lists
