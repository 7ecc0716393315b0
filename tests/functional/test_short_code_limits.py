"""Rate limits on the short-code routes: 429 problem+json with Retry-After, guessing stopped."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from certfree.crypto import Alg, KeyStore, generate_signer, present_sd_jwt
from factories.certificates import ELDERLY_CARD, issue_example

# Certificates are issued by the demo province's department nodes, registered first.
pytestmark = pytest.mark.usefixtures("demo_registry")

GATE = "https://gate.taishan.example"


@pytest.fixture
def presentation(client: TestClient, keys: KeyStore) -> str:
    node = client.app.state.node  # type: ignore[attr-defined]
    holder = generate_signer(Alg.ES256)
    with node.db.session() as session:
        issued = issue_example(session, keys, ELDERLY_CARD, holder.public_jwk())
    return present_sd_jwt(issued.credential, ["age_over_60"], holder, audience=GATE, nonce="n")


def _redeem(client: TestClient, code: str, headers: dict[str, str]) -> Any:
    body = {"audience": GATE, "nonce": "n"}
    return client.post(f"/api/v1/short-codes/{code}/redeem", json=body, headers=headers)


def _assert_too_many(response: Any, longest: int) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "/problems/too-many-requests"
    assert 1 <= int(response.headers["retry-after"]) <= longest
    assert problem["retry_after"] == int(response.headers["retry-after"])


def test_one_address_gets_twenty_codes_a_minute(client: TestClient, presentation: str) -> None:
    for _ in range(20):
        issued = client.post("/api/v1/short-codes", json={"presentation": presentation})
        assert issued.status_code == 201, issued.text
    refused = client.post("/api/v1/short-codes", json={"presentation": presentation})
    _assert_too_many(refused, 60)
    assert "同一地址申请短码过于频繁" in refused.json()["detail"]


def test_guessing_codes_is_stopped_after_ten_misses(
    client: TestClient, token_for: Any, presentation: str
) -> None:
    gate = token_for("verifier", "gate-1")
    code = client.post("/api/v1/short-codes", json={"presentation": presentation}).json()["code"]
    for guess in range(10):
        missed = _redeem(client, f"ZZZZZZ{guess + 2:02d}", gate)
        assert missed.status_code == 404, missed.text
    # Even the real code is refused now: the caller has been guessing.
    refused = _redeem(client, code, gate)
    _assert_too_many(refused, 600)
    assert "不存在的短码" in refused.json()["detail"]
    # Another account from the same address is refused too: misses count per address.
    assert _redeem(client, code, token_for("verifier", "gate-2")).status_code == 429


def test_one_code_is_tried_at_most_five_times_a_minute(
    client: TestClient, token_for: Any, presentation: str
) -> None:
    gate = token_for("verifier", "gate-1")
    code = client.post("/api/v1/short-codes", json={"presentation": presentation}).json()["code"]
    first = _redeem(client, code, gate)
    assert first.status_code == 200, first.text
    assert first.json()["valid"] is True
    for _ in range(4):
        assert _redeem(client, code, gate).status_code == 409  # one-time: already used
    _assert_too_many(_redeem(client, code, gate), 60)


def test_an_unauthenticated_redeem_is_401_and_not_counted(
    client: TestClient, token_for: Any, presentation: str
) -> None:
    code = client.post("/api/v1/short-codes", json={"presentation": presentation}).json()["code"]
    for _ in range(6):
        assert _redeem(client, code, {}).status_code == 401
    assert _redeem(client, code, token_for("verifier", "gate-1")).status_code == 200
