"""The register over HTTP: the bureau adds and suspends, a verifier reads its own entry and has
its requests signed, anyone reads the signed register; the verification API refuses a
presentation disclosing beyond the verifier's scenario, with the rule."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from certfree import certs
from certfree.auth import NODE_KEY_OWNER
from certfree.crypto import (
    Alg,
    KeyStore,
    Signer,
    b64url_decode,
    generate_signer,
    present_sd_jwt,
)
from certfree.governance import relying_parties as rp
from certfree.identifiers import make_uscc
from factories.certificates import ID_CARD, issue_example

pytestmark = pytest.mark.usefixtures("demo_registry")

HOTEL = make_uscc("9", "1", "370100", "MA3C8Y6K")
STRANGER = make_uscc("9", "1", "370200", "MA7XQ2RD")
CHECK_IN = {
    "name": "hotel_check_in",
    "title": "入住登记",
    "title_en": "Check-in",
    "vct": [ID_CARD],
    "claims": ["age_over_18", "name"],
    "purpose": "《旅馆业治安管理办法》第六条：旅客住宿登记",
}


def _bearer(client: TestClient, role: str, org: str | None = None) -> dict[str, str]:
    node = client.app.state.node  # type: ignore[attr-defined]
    return {"Authorization": f"Bearer {node.tokens.issue(role, f'{role}-1', organisation=org)}"}


def _add(client: TestClient, **changes: Any) -> Any:
    body = {"org": HOTEL, "name": "泉城宾馆", "kind": "hotel", "scenarios": [CHECK_IN], **changes}
    return client.post(
        "/api/v1/relying-parties", json=body, headers=_bearer(client, "bureau_admin")
    )


@pytest.fixture
def hotel(client: TestClient, keys: KeyStore) -> dict[str, Any]:
    added = _add(client)
    assert added.status_code == 201, added.text
    return dict(added.json())


def test_the_bureau_registers_with_claims_from_the_catalogue(
    client: TestClient, keys: KeyStore
) -> None:
    refused = _add(client, scenarios=[{**CHECK_IN, "claims": ["age_over_18", "shoe_size"]}])
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["field"] == "claims"
    assert "shoe_size" in refused.json()["detail"]
    listed = client.get("/api/v1/relying-parties", headers=_bearer(client, "bureau_admin"))
    assert listed.json() == []  # nothing stored, no key kept
    added = _add(client)
    assert added.status_code == 201, added.text
    assert added.json()["identifier"] == f"certfree:verifier:{HOTEL}"
    assert added.json()["kind_label_en"] == "Hotel"


# (role, its organisation) × operation on the hotel's entry: who may, who may not.
@pytest.mark.parametrize(
    ("role", "org", "status"),
    [
        ("bureau_admin", None, 200),
        ("verifier", HOTEL, 200),
        ("verifier", STRANGER, 403),
        ("verifier", None, 403),
        ("department_admin", "370000-GA", 403),
        ("applicant", None, 403),
        ("clerk", None, 403),
    ],
)
def test_who_reads_an_entry(
    client: TestClient, hotel: dict[str, Any], role: str, org: str | None, status: int
) -> None:
    response = client.get(f"/api/v1/relying-parties/{HOTEL}", headers=_bearer(client, role, org))
    assert response.status_code == status, response.text


@pytest.mark.parametrize(
    ("role", "org", "status"),
    [
        ("bureau_admin", None, 200),
        ("verifier", HOTEL, 403),  # not even its own
        ("cio", None, 403),
        ("department_admin", "370000-GA", 403),
    ],
)
def test_only_the_bureau_suspends(
    client: TestClient, hotel: dict[str, Any], role: str, org: str | None, status: int
) -> None:
    response = client.post(
        f"/api/v1/relying-parties/{HOTEL}/suspend", headers=_bearer(client, role, org)
    )
    assert response.status_code == status, response.text


def test_a_verifier_has_only_its_own_requests_signed(
    client: TestClient, hotel: dict[str, Any]
) -> None:
    own = client.post(
        f"/api/v1/relying-parties/{HOTEL}/requests",
        json={"scenario": "hotel_check_in"},
        headers=_bearer(client, "verifier", HOTEL),
    )
    assert own.status_code == 201, own.text
    made = own.json()
    assert made["request"].startswith("certfree:request?jwt=")
    assert made["claims"] == ["age_over_18", "name"]
    register = rp.Register.from_payload({"relying_parties": [hotel]})
    checked = rp.check_request(made["request"], register)
    assert checked.request.nonce == made["nonce"]
    stranger = client.post(
        f"/api/v1/relying-parties/{HOTEL}/requests",
        json={"scenario": "hotel_check_in"},
        headers=_bearer(client, "verifier", STRANGER),
    )
    assert stranger.status_code == 403
    over = client.post(
        f"/api/v1/relying-parties/{HOTEL}/requests",
        json={"scenario": "hotel_check_in", "claims": ["birth_date"]},
        headers=_bearer(client, "verifier", HOTEL),
    )
    assert over.status_code == 403
    assert over.json()["rule"] == "rp.claims-beyond-scenario"
    assert over.json()["allowed"] == ["age_over_18", "name"]
    client.post(f"/api/v1/relying-parties/{HOTEL}/suspend", headers=_bearer(client, "bureau_admin"))
    suspended = client.post(
        f"/api/v1/relying-parties/{HOTEL}/requests",
        json={"scenario": "hotel_check_in"},
        headers=_bearer(client, "verifier", HOTEL),
    )
    assert suspended.json()["rule"] == "rp.party-suspended"
    mine = client.get("/api/v1/relying-parties/mine", headers=_bearer(client, "verifier", HOTEL))
    assert mine.json()["status"] == "suspended"


def test_anyone_reads_the_signed_register(
    client: TestClient, hotel: dict[str, Any], keys: KeyStore
) -> None:
    response = client.get("/api/v1/relying-parties/register")
    assert response.status_code == 200
    assert response.headers["content-type"] == f"application/{rp.REGISTER_TYP}"
    read = rp.verify_register(response.text, keys.jwks(NODE_KEY_OWNER))
    assert read.party(HOTEL) is not None


def _card(client: TestClient, keys: KeyStore) -> tuple[certs.IssuedCertificate, Signer]:
    holder = generate_signer(Alg.ES256)
    node = client.app.state.node  # type: ignore[attr-defined]
    with node.db.session() as session:
        return issue_example(session, keys, ID_CARD, holder.public_jwk()), holder


def _verify(client: TestClient, shown: str, nonce: str, org: str | None, **extra: Any) -> Any:
    body = {"presentation": shown, "audience": f"certfree:verifier:{HOTEL}", "nonce": nonce}
    return client.post(
        "/api/v1/verifications", json={**body, **extra}, headers=_bearer(client, "verifier", org)
    )


def test_the_verification_api_refuses_more_than_the_scenario(
    client: TestClient, hotel: dict[str, Any], keys: KeyStore
) -> None:
    issued, holder = _card(client, keys)
    audience = f"certfree:verifier:{HOTEL}"
    over = present_sd_jwt(
        issued.credential, ["name", "birth_date"], holder, audience=audience, nonce="n1"
    )
    refused = _verify(client, over, "n1", HOTEL)
    assert refused.status_code == 403
    problem = refused.json()
    assert problem["rule"] == "rp.claims-beyond-scenario"
    assert problem["field"] == "presentation"
    assert problem["scenario"] == "hotel_check_in"
    assert problem["refused"] == ["birth_date"]
    assert "age_over_18" in problem["detail"]
    # Naming a scenario it is not registered for does not widen it.
    assert _verify(client, over, "n1", HOTEL, scenario="night_audit").json()["rule"] == (
        "rp.scenario-unknown"
    )
    fine = present_sd_jwt(
        issued.credential, ["name", "age_over_18"], holder, audience=audience, nonce="n2"
    )
    accepted = _verify(client, fine, "n2", HOTEL, scenario="hotel_check_in")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["valid"] is True
    # A verifier account not in the register is served as before.
    assert _verify(client, over, "n1", "如家酒店泉城路店").status_code == 200


def test_a_short_code_disclosing_beyond_the_scenario_is_refused(
    client: TestClient, hotel: dict[str, Any], keys: KeyStore
) -> None:
    issued, holder = _card(client, keys)
    audience = f"certfree:verifier:{HOTEL}"
    over = present_sd_jwt(
        issued.credential, ["name", "birth_date"], holder, audience=audience, nonce="s1"
    )
    code = client.post("/api/v1/short-codes", json={"presentation": over}).json()["code"]
    redeemed = client.post(
        f"/api/v1/short-codes/{code}/redeem",
        json={"audience": audience, "nonce": "s1"},
        headers=_bearer(client, "verifier", HOTEL),
    )
    assert redeemed.status_code == 403
    assert redeemed.json()["rule"] == "rp.claims-beyond-scenario"
    assert redeemed.json()["refused"] == ["birth_date"]


def test_a_suspended_verifier_receives_nothing(
    client: TestClient, hotel: dict[str, Any], keys: KeyStore
) -> None:
    issued, holder = _card(client, keys)
    audience = f"certfree:verifier:{HOTEL}"
    fine = present_sd_jwt(issued.credential, ["age_over_18"], holder, audience=audience, nonce="x")
    assert _verify(client, fine, "x", HOTEL).status_code == 200
    client.post(f"/api/v1/relying-parties/{HOTEL}/suspend", headers=_bearer(client, "bureau_admin"))
    refused = _verify(client, fine, "x", HOTEL)
    assert refused.status_code == 403
    assert refused.json()["rule"] == "rp.party-suspended"
    client.post(
        f"/api/v1/relying-parties/{HOTEL}/reinstate", headers=_bearer(client, "bureau_admin")
    )
    assert _verify(client, fine, "x", HOTEL).status_code == 200


def test_a_kept_request_key_is_never_an_issuer_key(
    client: TestClient, hotel: dict[str, Any], keys: KeyStore
) -> None:
    listed = client.get("/api/v1/trust-list", headers=_bearer(client, "verifier", HOTEL))
    assert listed.status_code == 200, listed.text
    payload = json.loads(b64url_decode(listed.text.split(".")[1]))
    assert HOTEL not in payload["issuers"]
    kids = {key.get("kid") for jwks in payload["issuers"].values() for key in jwks["keys"]}
    assert hotel["jwk"]["kid"] not in kids
    assert all(info.owner != HOTEL for info in keys.keys(None))
