"""Compact JWS (RFC 7515): round trip per algorithm, and every refusal says why."""

from __future__ import annotations

import json
from typing import Any

import pytest

from certfree.crypto import (
    Alg,
    KeyLike,
    b64url_decode,
    b64url_encode,
    generate_signer,
    sign_jws,
    verify_jws,
)
from certfree.errors import InvalidInput, KeyNotFound, SignatureInvalid

PAYLOAD = {"sub": "370102199003077777", "证明": "无犯罪记录证明", "n": 3}


def resolver(*keys: KeyLike) -> Any:
    table = {}
    for key in keys:
        assert isinstance(key, dict)
        table[key["kid"]] = key

    def resolve(kid: str) -> KeyLike:
        try:
            return table[kid]
        except KeyError:
            raise KeyNotFound(f"no key {kid} known") from None

    return resolve


def _replace_part(token: str, index: int, value: dict[str, Any]) -> str:
    parts = token.split(".")
    parts[index] = b64url_encode(json.dumps(value).encode())
    return ".".join(parts)


@pytest.mark.parametrize("alg", list(Alg))
def test_round_trip(alg: Alg) -> None:
    signer = generate_signer(alg)
    token = sign_jws(signer, PAYLOAD, header={"typ": "certfree+jwt"})
    header, payload = verify_jws(token, resolver(signer.public_jwk()))
    assert header == {"alg": alg.value, "kid": signer.kid, "typ": "certfree+jwt"}
    assert payload == PAYLOAD
    assert len(b64url_decode(token.split(".")[2])) == 64


def test_header_and_payload_are_canonical_json() -> None:
    token = sign_jws(generate_signer(), {"b": 1, "a": "签"})
    head, body, _ = token.split(".")
    assert b64url_decode(body) == '{"a":"签","b":1}'.encode()
    assert json.loads(b64url_decode(head))["alg"] == "EdDSA"


@pytest.mark.parametrize("alg", list(Alg))
def test_tampered_payload_is_rejected(alg: Alg) -> None:
    signer = generate_signer(alg)
    token = _replace_part(sign_jws(signer, PAYLOAD), 1, {**PAYLOAD, "n": 4})
    with pytest.raises(SignatureInvalid, match=f"{alg} signature does not verify with key"):
        verify_jws(token, resolver(signer.public_jwk()))


@pytest.mark.parametrize("alg", list(Alg))
def test_tampered_signature_is_rejected(alg: Alg) -> None:
    signer = generate_signer(alg)
    head, body, signature = sign_jws(signer, PAYLOAD).split(".")
    raw = bytearray(b64url_decode(signature))
    raw[10] ^= 0x01
    with pytest.raises(SignatureInvalid, match="signature does not verify"):
        verify_jws(f"{head}.{body}.{b64url_encode(bytes(raw))}", resolver(signer.public_jwk()))


def test_tampered_header_is_rejected() -> None:
    signer = generate_signer()
    token = sign_jws(signer, PAYLOAD, header={"typ": "a"})
    forged = _replace_part(token, 0, {"alg": "EdDSA", "kid": signer.kid, "typ": "b"})
    with pytest.raises(SignatureInvalid, match="EdDSA signature does not verify"):
        verify_jws(forged, resolver(signer.public_jwk()))


def test_header_alg_must_match_the_key() -> None:
    eddsa, es256 = generate_signer(Alg.EdDSA), generate_signer(Alg.ES256)
    token = sign_jws(eddsa, PAYLOAD)
    # The same kid now resolves to an ES256 key: the header's alg must not be trusted.
    with pytest.raises(SignatureInvalid, match="alg in header EdDSA does not match key alg ES256"):
        verify_jws(token, lambda kid: es256.public_jwk())


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("a.b", "malformed JWS: expected 3 parts, got 2"),
        ("a.b.c.d", "malformed JWS: expected 3 parts, got 4"),
        ("%%%.e30.AA", "malformed JWS: header is not base64url JSON"),
        (b64url_encode(b"[1]") + ".e30.AA", "malformed JWS: header is not a JSON object"),
        (b64url_encode(b'{"alg":"EdDSA"}') + ".e30.AA", "malformed JWS: header has no kid"),
    ],
)
def test_malformed_tokens_say_what_is_wrong(token: str, reason: str) -> None:
    with pytest.raises(SignatureInvalid, match=reason):
        verify_jws(token, resolver())


def test_unknown_kid() -> None:
    token = sign_jws(generate_signer(), PAYLOAD)
    with pytest.raises(SignatureInvalid, match=r"unknown kid \S+: no key \S+ known"):
        verify_jws(token, resolver(generate_signer().public_jwk()))


@pytest.mark.parametrize("alg", ["none", "HS256", "RS256"])
def test_algorithms_outside_the_seal_are_refused(alg: str) -> None:
    signer = generate_signer()
    token = _replace_part(sign_jws(signer, PAYLOAD), 0, {"alg": alg, "kid": signer.kid})
    with pytest.raises(SignatureInvalid, match=f"unsupported alg '{alg}'"):
        verify_jws(token, resolver(signer.public_jwk()))


def test_critical_extensions_are_refused() -> None:
    signer = generate_signer()
    token = sign_jws(signer, PAYLOAD, header={"crit": ["exp"], "exp": 1})
    with pytest.raises(SignatureInvalid, match="critical header extensions"):
        verify_jws(token, resolver(signer.public_jwk()))


def test_payload_that_is_not_an_object_is_refused() -> None:
    signer = generate_signer()
    head = b64url_encode(json.dumps({"alg": "EdDSA", "kid": signer.kid}).encode())
    body = b64url_encode(b"[1,2]")
    signature = b64url_encode(signer.sign(f"{head}.{body}".encode()))
    with pytest.raises(SignatureInvalid, match="payload is not a JSON object"):
        verify_jws(f"{head}.{body}.{signature}", resolver(signer.public_jwk()))


def test_header_may_not_override_alg_or_kid() -> None:
    signer = generate_signer()
    with pytest.raises(InvalidInput, match="header alg 'ES256' differs from signer's 'EdDSA'"):
        sign_jws(signer, PAYLOAD, header={"alg": "ES256"})
    with pytest.raises(InvalidInput, match="header kid"):
        sign_jws(signer, PAYLOAD, header={"kid": "other"})
