"""The SM2 JOSE profile: the page in docs/ matches the implementation, and every node
publishes the profile beside its registered algorithms."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from certfree.cli import app as cli_app
from certfree.crypto import (
    SM2_JOSE_PROFILE,
    Alg,
    b64url_decode,
    generate_signer,
    parse_sd_jwt,
    present_sd_jwt,
    verify_jws,
)
from certfree.crypto.sm2 import SM2Verifier, sm2_digest
from certfree.settings import Settings
from certfree.storage import Database
from factories.certificates import BUSINESS_LICENCE, ELDERLY_CARD, example_face, holder_key
from helpers.cli import node_env

PAGE = Path(__file__).parents[3] / "docs" / "sm2-jose-profile.md"
WJ = "370100-WJ"  # 济南市卫生健康委员会: its default seal is EdDSA


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


@pytest.mark.usefixtures("demo_registry")  # issues as a registered department node
def test_an_organ_seals_with_sm2_on_request_and_both_seals_verify(client: TestClient) -> None:
    tokens = client.app.state.node.tokens  # type: ignore[attr-defined]
    admin = {"Authorization": "Bearer " + tokens.issue("department_admin", "a", organisation=WJ)}
    holder = generate_signer(Alg.ES256)
    request = {
        "type_code": ELDERLY_CARD,
        "holder_id": example_face(ELDERLY_CARD)["id_number"],
        "face_data": example_face(ELDERLY_CARD),
        "holder_jwk": holder.public_jwk(),
    }
    refused = client.post(
        "/api/v1/certificates", json=request | {"seal_alg": "RS256"}, headers=admin
    )
    assert refused.status_code == 422
    verifier = {"Authorization": "Bearer " + tokens.issue("verifier", "gate")}
    algs = []
    for asked in ({}, {"seal_alg": "SM2"}):
        issued = client.post("/api/v1/certificates", json=request | asked, headers=admin)
        assert issued.status_code == 201, issued.text
        credential = issued.json()["credential"]
        algs.append(parse_sd_jwt(credential).header["alg"])
        shown = present_sd_jwt(credential, [], holder, audience="rp", nonce="n")
        body = {"presentation": shown, "audience": "rp", "nonce": "n"}
        result = client.post("/api/v1/verifications", json=body, headers=verifier).json()
        assert result["valid"], result["failed_checks"]
    assert algs == ["EdDSA", "SM2"]
    jwks = client.get("/.well-known/jwks.json").json()["keys"]
    assert {"EdDSA", "SM2"} <= {key["alg"] for key in jwks}


@pytest.mark.usefixtures("demo_registry")  # issues as a registered department node
def test_certs_issue_takes_a_seal_algorithm(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    env = node_env(settings)
    (tmp_path / "face.json").write_text(json.dumps(example_face(BUSINESS_LICENCE)), "utf-8")
    (tmp_path / "holder.jwk").write_text(json.dumps(holder_key()), encoding="utf-8")
    issue = ["certs", "issue", "--type", BUSINESS_LICENCE, "--data", str(tmp_path / "face.json"),
             "--holder-key", str(tmp_path / "holder.jwk")]  # fmt: skip
    algs = []
    for extra in ([], ["--seal-alg", "SM2"]):
        issued = CliRunner().invoke(cli_app, [*issue, *extra], env=env)
        assert issued.exit_code == 0, issued.output
        algs.append(parse_sd_jwt(issued.stdout.strip()).header["alg"])
    assert algs[0] in {"EdDSA", "ES256"}  # the organ's registered default
    assert algs[1] == "SM2"
    wrong = CliRunner().invoke(cli_app, [*issue, "--seal-alg", "RS256"], env=env)
    assert wrong.exit_code == 2
    assert "RS256" in wrong.output
