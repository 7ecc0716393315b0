"""A holder claims their backfilled certificate over HTTP, then shows it from the wallet."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient

from certfree import certs
from certfree.certs.issuance import seal_certificate
from certfree.crypto import (
    Alg,
    KeyStore,
    Signer,
    generate_signer,
    jwk_thumbprint,
    parse_sd_jwt,
    present_sd_jwt,
)
from factories.certificates import ELDERLY_CARD, NOW, example_face, issue_example

# Certificates are issued by the demo province's department nodes, registered first.
pytestmark = pytest.mark.usefixtures("demo_registry")

HOLDER = "370102195803150139"  # the elderly card's catalogue example
OTHER = "11010519491231002X"
GATE = "https://gate.taishan.example"


@pytest.fixture
def paper_era(client: TestClient, keys: KeyStore) -> str:
    """The identifier of an elderly card backfilled from a paper record (no ``cnf``)."""
    node = client.app.state.node  # type: ignore[attr-defined]
    kind = certs.cert_type(ELDERLY_CARD)
    with node.db.session() as session:
        row = seal_certificate(
            session, keys, kind=kind, issuer=certs.resolve_issuer(session, kind, None),
            holder_id=HOLDER, face=example_face(ELDERLY_CARD), holder_jwk=None,
            validity=certs.Validity(dt.date(2018, 6, 1), None), moment=NOW,
            base_url="http://testserver",
        )  # fmt: skip
        return row.identifier


@pytest.fixture
def holder() -> Signer:
    return generate_signer(Alg.ES256)


def _claim(client: TestClient, identifier: str, jwk: Any, headers: dict[str, str]) -> Any:
    return client.post(
        f"/api/v1/me/certificates/{identifier}/claim", json={"holder_jwk": jwk}, headers=headers
    )


def test_the_holder_claims_and_the_wallet_can_show_it(
    client: TestClient, token_for: Any, paper_era: str, holder: Signer
) -> None:
    me = token_for("applicant", HOLDER)
    (listed,) = client.get("/api/v1/certificates", headers=me).json()
    assert (listed["identifier"], listed["holder_key_bound"]) == (paper_era, False)

    response = _claim(client, paper_era, holder.public_jwk(), me)
    assert response.status_code == 201, response.text
    claimed = response.json()
    assert claimed["version"] == 2
    bound = parse_sd_jwt(claimed["credential"]).payload["cnf"]["jwk"]
    assert jwk_thumbprint(bound) == jwk_thumbprint(holder.public_jwk())

    rows = {r["version"]: r for r in client.get("/api/v1/certificates", headers=me).json()}
    assert rows[2]["holder_key_bound"] is True
    assert rows[2]["credential"] == claimed["credential"]
    assert (rows[1]["status"], rows[1]["revocation_reason"]) == ("revoked", "superseded")
    assert rows[1]["superseded_by"] == claimed["identifier"]

    shown = present_sd_jwt(claimed["credential"], ["name"], holder, audience=GATE, nonce="n-9")
    verified = client.post(
        "/api/v1/verifications",
        json={"presentation": shown, "audience": GATE, "nonce": "n-9"},
        headers=token_for("verifier", "gate-2"),
    )
    assert verified.status_code == 200, verified.text
    assert verified.json()["valid"] is True


def test_refusals_are_problem_json(
    client: TestClient, token_for: Any, paper_era: str, holder: Signer
) -> None:
    me = token_for("applicant", HOLDER)
    someone_else = _claim(client, paper_era, holder.public_jwk(), token_for("applicant", OTHER))
    assert someone_else.status_code == 403
    assert someone_else.headers["content-type"] == "application/problem+json"
    assert someone_else.json()["type"] == "/problems/not-certificate-holder"

    private = _claim(client, paper_era, {**holder.public_jwk(), "d": "c2VjcmV0"}, me)
    assert private.status_code == 422
    assert (private.json()["field"], "私钥" in private.json()["detail"]) == ("holder_jwk", True)

    clerk = _claim(client, paper_era, holder.public_jwk(), token_for("clerk", "desk-1"))
    assert clerk.status_code == 403
    anonymous = _claim(client, paper_era, holder.public_jwk(), {})
    assert anonymous.status_code == 401

    first = _claim(client, paper_era, holder.public_jwk(), me)
    assert first.status_code == 201
    again = _claim(client, first.json()["identifier"], holder.public_jwk(), me)
    assert again.status_code == 409
    assert again.json()["type"] == "/problems/holder-key-already-bound"
    old = _claim(client, paper_era, holder.public_jwk(), me)
    assert old.status_code == 409
    assert first.json()["identifier"] in old.json()["detail"]


def test_a_certificate_issued_with_a_key_is_already_bound(
    client: TestClient, token_for: Any, keys: KeyStore, holder: Signer
) -> None:
    node = client.app.state.node  # type: ignore[attr-defined]
    with node.db.session() as session:
        issued = issue_example(session, keys, ELDERLY_CARD)
    response = _claim(
        client, issued.identifier, holder.public_jwk(), token_for("applicant", HOLDER)
    )
    assert response.status_code == 409
    assert "已绑定持证人密钥" in response.json()["detail"]


def test_a_suspended_certificate_is_not_claimed(
    client: TestClient, token_for: Any, paper_era: str, holder: Signer
) -> None:
    node = client.app.state.node  # type: ignore[attr-defined]
    with node.db.session() as session:
        certs.suspend_certificate(session, paper_era)
    response = _claim(client, paper_era, holder.public_jwk(), token_for("applicant", HOLDER))
    assert response.status_code == 409
    assert response.json()["type"] == "/problems/certificate-status-conflict"
    assert "已暂停" in response.json()["detail"]


def test_an_organ_issues_without_a_key_and_the_holder_claims_it(
    client: TestClient, holder: Signer
) -> None:
    """A department issues at the counter not knowing the holder's wallet key: the
    certificate is sealed without ``cnf``, so no one can show it until the holder claims it."""
    node = client.app.state.node  # type: ignore[attr-defined]
    organ = node.tokens.issue("department_admin", "wj-admin", organisation="370100-WJ")
    issued = client.post(
        "/api/v1/certificates",
        json={
            "type_code": ELDERLY_CARD,
            "holder_id": HOLDER,
            "face_data": example_face(ELDERLY_CARD),
        },
        headers={"Authorization": f"Bearer {organ}"},
    )
    assert issued.status_code == 201, issued.text
    assert "cnf" not in parse_sd_jwt(issued.json()["credential"]).payload
    mine = {"Authorization": f"Bearer {node.tokens.issue('applicant', HOLDER)}"}
    claimed = _claim(client, issued.json()["identifier"], holder.public_jwk(), mine)
    assert claimed.status_code == 201, claimed.text
    bound = parse_sd_jwt(claimed.json()["credential"]).payload["cnf"]["jwk"]
    assert jwk_thumbprint(bound) == jwk_thumbprint(holder.public_jwk())
