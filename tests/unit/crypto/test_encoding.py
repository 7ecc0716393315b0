"""base64url, canonical JSON and RFC 7638 thumbprints; key reading through ``verify``."""

from __future__ import annotations

import pytest

from certfree.crypto import (
    Alg,
    b64url_decode,
    b64url_encode,
    canonical_json,
    generate_signer,
    jwk_thumbprint,
    verify,
)
from certfree.crypto.p256 import ES256Signer
from certfree.errors import InvalidInput, SignatureInvalid


@pytest.mark.parametrize("data", [b"", b"\x00", b"\xff\xfe", b"abc", bytes(range(256))])
def test_b64url_round_trip_without_padding(data: bytes) -> None:
    text = b64url_encode(data)
    assert "=" not in text
    assert "+" not in text
    assert "/" not in text
    assert b64url_decode(text) == data


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("YQ==", "unpadded"),
        ("a+b/", "not base64url"),
        ("YR", "not canonical"),  # 'R' sets bits that "YQ" (b"a") leaves clear
        ("Y", "not base64url"),
    ],
)
def test_b64url_decode_refuses_non_canonical_text(text: str, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        b64url_decode(text)


def test_canonical_json_sorts_keys_keeps_chinese_and_has_no_spaces() -> None:
    assert canonical_json({"b": 1, "a": "统一签章"}) == '{"a":"统一签章","b":1}'.encode()


def test_canonical_json_refuses_nan() -> None:
    with pytest.raises(InvalidInput, match="cannot be encoded as JSON"):
        canonical_json({"x": float("nan")})


def test_thumbprint_ignores_optional_members_and_order() -> None:
    jwk = generate_signer(Alg.ES256).public_jwk()
    shuffled = {"y": jwk["y"], "use": "sig", "x": jwk["x"], "crv": "P-256", "kty": "EC"}
    assert jwk_thumbprint(shuffled) == jwk["kid"]


def test_thumbprint_names_the_missing_member() -> None:
    with pytest.raises(InvalidInput, match="needs a string member 'y'"):
        jwk_thumbprint({"kty": "EC", "crv": "SM2", "x": "AA"})


@pytest.mark.parametrize("alg", list(Alg))
def test_public_jwk_shape(alg: Alg) -> None:
    jwk = generate_signer(alg).public_jwk()
    expected = {
        Alg.EdDSA: {"kty": "OKP", "crv": "Ed25519"},
        Alg.ES256: {"kty": "EC", "crv": "P-256"},
        Alg.SM2: {"kty": "EC", "crv": "SM2"},
    }[alg]
    assert {k: jwk[k] for k in expected} == expected
    assert jwk["alg"] == alg.value
    assert jwk["use"] == "sig"
    assert jwk["kid"] == jwk_thumbprint(jwk)
    assert "d" not in jwk


@pytest.mark.parametrize("alg", list(Alg))
def test_verify_accepts_jwk_verifier_and_refuses_other_data(alg: Alg) -> None:
    signer = generate_signer(alg)
    signature = signer.sign(b"data")
    verify(signer.public_jwk(), b"data", signature)
    verify(signer.verifier, b"data", signature)
    with pytest.raises(SignatureInvalid, match=f"{alg} signature does not verify"):
        verify(signer.public_jwk(), b"date", signature)


def test_verify_with_a_jwk_whose_alg_contradicts_its_curve() -> None:
    jwk = {**generate_signer(Alg.EdDSA).public_jwk(), "alg": "ES256"}
    with pytest.raises(SignatureInvalid, match="JWK alg ES256 does not fit a key of alg EdDSA"):
        verify(jwk, b"data", bytes(64))


def test_verify_with_an_unsupported_key_type() -> None:
    with pytest.raises(SignatureInvalid, match="unsupported JWK kty 'RSA'"):
        verify({"kty": "RSA", "n": "AQAB", "e": "AQAB"}, b"data", bytes(64))


def test_verify_with_a_pyca_public_key() -> None:
    signer = ES256Signer.generate()
    verify(signer.verifier.public_key, b"data", signer.sign(b"data"))
