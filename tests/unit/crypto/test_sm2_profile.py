"""The SM2 JOSE profile: the page in docs/ matches the implementation, and every node
publishes the profile beside its registered algorithms."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient

from certfree.crypto import SM2_JOSE_PROFILE, b64url_decode, verify_jws
from certfree.crypto.sm2 import SM2Verifier, sm2_digest

PAGE = Path(__file__).parents[3] / "docs" / "sm2-jose-profile.md"


def _blocks(text: str) -> list[str]:
    return re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.DOTALL)


def test_the_example_on_the_page_verifies_with_the_stated_intermediate_values() -> None:
    text = PAGE.read_text(encoding="utf-8")
    jwk = json.loads(next(b for b in _blocks(text) if b.lstrip().startswith("{")))
    token = next(b.strip() for b in _blocks(text) if b.startswith("eyJ"))
    header, payload = verify_jws(token, lambda kid: jwk)
    assert header["alg"] == "SM2"
    assert payload["iss"] == "11370000004307021T"
    values = dict(re.findall(r"^(Z_A|e)\s+= ([0-9a-f]{64})$", text, flags=re.MULTILINE))
    key = SM2Verifier.from_jwk(jwk)
    assert key.za().hex() == values["Z_A"]
    signing_input = token.rsplit(".", 1)[0].encode("ascii")
    assert sm2_digest(signing_input, key.za()).hex() == values["e"]
    assert len(b64url_decode(token.rsplit(".", 1)[1])) == 64  # raw r || s


def test_the_page_states_the_published_parameters() -> None:
    text = PAGE.read_text(encoding="utf-8")
    assert SM2_JOSE_PROFILE["profile"] in text
    assert SM2_JOSE_PROFILE["user_id"] == "1234567812345678"
    assert "`1234567812345678`" in text
    assert SM2_JOSE_PROFILE["document"] == "docs/sm2-jose-profile.md"
    assert "r ‖ s" in text


def test_the_node_publishes_the_profile_beside_the_registered_algorithms(
    client: TestClient,
) -> None:
    algorithms = {a["alg"]: a for a in client.get("/api/v1/node").json()["signature_algorithms"]}
    assert {alg for alg, a in algorithms.items() if a["iana_registered"]} == {"EdDSA", "ES256"}
    assert {alg for alg, a in algorithms.items() if a["default_seal"]} == {"EdDSA", "ES256"}
    sm2 = algorithms["SM2"]
    assert sm2["iana_registered"] is False
    assert sm2["profile"] == "certfree-sm2-jose/1"
    profile = client.get(sm2["profile_url"])  # public, like /api/v1/node
    assert profile.status_code == 200
    assert profile.json() == SM2_JOSE_PROFILE
    assert profile.json()["signature"].startswith("raw r || s")
