"""Interoperability with the reference implementation, PyPI ``sd-jwt``.

Both directions run with ES256 issuer and holder keys: the reference verifier checks key
binding with ES256 only (its ``DEFAULT_SIGNING_ALG``). Differences from RFC 9901 in sd-jwt
0.10.4 that the tests take into account:

* its issuer's default ``typ`` is ``example+sd-jwt`` (we default to ``dc+sd-jwt``); neither
  verifier checks the issuer ``typ``, which the RFC leaves to the application;
* its verifier checks no ``exp``/``nbf``/``iat`` and its KB-JWT ``iat`` not at all;
* neither KB-JWT header has a ``kid``: the key is the credential's ``cnf.jwk`` (§4.3).

The YAML test cases of its own suite (tests/vectors/sdjwt_python_testcases) are issued and
presented by sd-jwt and must verify here with the claims the case expects.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from jwcrypto.jwk import JWK
from sd_jwt.common import SDObj
from sd_jwt.holder import SDJWTHolder
from sd_jwt.issuer import SDJWTIssuer
from sd_jwt.utils.yaml_specification import load_yaml_specification
from sd_jwt.verifier import SDJWTVerifier

from certfree.crypto import (
    Alg,
    KeyLike,
    SdJwtInvalid,
    generate_signer,
    issue_sd_jwt,
    present_sd_jwt,
    verify_sd_jwt,
)

CASES = Path(__file__).parents[2] / "vectors" / "sdjwt_python_testcases"
SETTINGS = yaml.safe_load((CASES / "settings.yml").read_text("utf-8"))
AUD, NONCE = "https://verifier.example.cn", "n-3c1d"
ISSUER = "https://certs.sd.gov.cn/issuers/11370000004307021T"


def _jwk(members: dict[str, str]) -> JWK:
    return JWK.from_json(json.dumps(members))


def test_our_presentation_verifies_in_the_reference_verifier() -> None:
    issuer, holder = generate_signer(Alg.ES256), generate_signer(Alg.ES256)
    now = int(time.time())
    claims = {"iss": ISSUER, "iat": now, "exp": now + 3600, "name": "张三", "age_over_60": True}
    credential = issue_sd_jwt(
        issuer,
        claims,
        selectively_disclosable=["name", "age_over_60"],
        holder_jwk=holder.public_jwk(),
    )
    shown = present_sd_jwt(credential, ["age_over_60"], holder, audience=AUD, nonce=NONCE)

    def issuer_key(iss: str, header: dict[str, Any]) -> JWK:
        assert iss == ISSUER
        return _jwk(issuer.public_jwk())

    verifier = SDJWTVerifier(shown, issuer_key, expected_aud=AUD, expected_nonce=NONCE)
    payload = verifier.get_verified_payload()
    assert payload["age_over_60"] is True
    assert "name" not in payload
    # ... and the reference verifier refuses it for another nonce, as ours does.
    with pytest.raises(ValueError, match="nonce"):
        SDJWTVerifier(shown, issuer_key, expected_aud=AUD, expected_nonce="other")


def test_nested_face_data_as_certificates_carry_it_verifies_in_the_reference() -> None:
    # certs.claims: face fields inside a selectively disclosable "face" object (§4.2.6).
    issuer, holder = generate_signer(Alg.ES256), generate_signer(Alg.ES256)
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "iat": now,
        "face": {"name": "张三", "id_number": "370102195803150139"},
        "age_over_60": True,
    }
    credential = issue_sd_jwt(
        issuer,
        claims,
        selectively_disclosable=[("face", "name"), ("face", "id_number"), "face", "age_over_60"],
        holder_jwk=holder.public_jwk(),
    )
    shown = present_sd_jwt(credential, ["name"], holder, audience=AUD, nonce=NONCE)
    verifier = SDJWTVerifier(
        shown, lambda iss, header: _jwk(issuer.public_jwk()), expected_aud=AUD, expected_nonce=NONCE
    )
    payload = verifier.get_verified_payload()
    assert payload["face"] == {"name": "张三"}
    assert "age_over_60" not in payload


def _reference_presentation(claims: Any, disclosed: Any, *, key_binding: bool) -> str:
    keys = SETTINGS["key_settings"]
    issuer = SDJWTIssuer(
        claims, _jwk(keys["issuer_keys"][0]), _jwk(keys["holder_key"]) if key_binding else None
    )
    holder = SDJWTHolder(issuer.sd_jwt_issuance)
    if key_binding:
        holder.create_presentation(disclosed, NONCE, AUD, _jwk(keys["holder_key"]))
    else:
        holder.create_presentation(disclosed)
    return str(holder.sd_jwt_presentation)


def _public(jwk: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in jwk.items() if k != "d"}


def issuer_key(header: dict[str, Any], payload: dict[str, Any]) -> KeyLike:
    return _public(SETTINGS["key_settings"]["issuer_keys"][0])


def test_reference_presentation_verifies_here() -> None:
    now = int(time.time())
    claims = {"iss": ISSUER, "iat": now, "exp": now + 60, SDObj("name"): "李四", SDObj("sex"): "女"}
    shown = _reference_presentation(claims, {"sex": True}, key_binding=True)
    result = verify_sd_jwt(shown, issuer_key, audience=AUD, nonce=NONCE)
    assert result.disclosed == ("sex",)
    assert result.claims["sex"] == "女"
    assert "name" not in result.claims
    assert result.holder_jwk == _public(SETTINGS["key_settings"]["holder_key"])
    with pytest.raises(SdJwtInvalid) as caught:
        verify_sd_jwt(shown, issuer_key, audience="https://elsewhere.example", nonce=NONCE)
    assert caught.value.reason == "kb_wrong_audience"


COMPACT_CASES = sorted(
    p
    for p in CASES.glob("*.yml")
    if p.name != "settings.yml" and "json_serialization" not in p.name
)


@pytest.mark.parametrize("path", COMPACT_CASES, ids=lambda p: p.stem)
def test_reference_suite_cases_verify_here(path: Path) -> None:
    spec = load_yaml_specification(path)
    key_binding = bool(spec.get("key_binding", False))
    claims = {
        "iss": SETTINGS["identifiers"]["issuer"],
        "iat": SETTINGS["iat"],
        "exp": SETTINGS["exp"],
    }
    claims.update(spec["user_claims"])
    shown = _reference_presentation(
        claims, spec["holder_disclosed_claims"], key_binding=key_binding
    )
    result = verify_sd_jwt(
        shown,
        issuer_key,
        audience=AUD if key_binding else None,
        nonce=NONCE if key_binding else None,
        require_key_binding=key_binding,
    )
    expected = {**spec["expect_verified_user_claims"], "iss": SETTINGS["identifiers"]["issuer"]}
    expected |= {"iat": SETTINGS["iat"], "exp": SETTINGS["exp"]}
    if key_binding:
        expected["cnf"] = {"jwk": _public(SETTINGS["key_settings"]["holder_key"])}
    assert result.claims == expected
