"""Tokens from an outside OpenID provider are accepted when the node is configured for it.

The provider is outside certfree, so it is stood in for by an httpx transport that serves a
discovery document and a JWKS made from a real RSA key; the signatures are real.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from certfree.auth.oidc import OidcVerifier
from certfree.crypto import b64url_encode
from certfree.errors import AuthError

ISSUER = "https://id.shandong.example"


def _b64_int(value: int) -> str:
    return b64url_encode(value.to_bytes((value.bit_length() + 7) // 8, "big"))


@pytest.fixture(scope="module")
def provider_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _token(key: rsa.RSAPrivateKey, claims: dict[str, Any], kid: str = "idp-1") -> str:
    def part(obj: dict[str, Any]) -> str:
        return b64url_encode(json.dumps(obj).encode())

    signing_input = f"{part({'alg': 'RS256', 'kid': kid, 'typ': 'JWT'})}.{part(claims)}"
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64url_encode(signature)}"


def _verifier(key: rsa.RSAPrivateKey) -> tuple[OidcVerifier, list[str]]:
    numbers = key.public_key().public_numbers()
    jwks = {"keys": [{"kty": "RSA", "kid": "idp-1", "n": _b64_int(numbers.n), "e": "AQAB"}]}
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path == "/.well-known/openid-configuration":
            return httpx.Response(200, json={"issuer": ISSUER, "jwks_uri": f"{ISSUER}/jwks"})
        return httpx.Response(200, json=jwks)

    client = httpx.Client(transport=httpx.MockTransport(handler))
    return OidcVerifier(ISSUER, audience="certfree", client=client), calls


def test_provider_token_maps_to_principal(provider_key: rsa.RSAPrivateKey) -> None:
    verifier, calls = _verifier(provider_key)
    now = time.time()
    claims = {
        "iss": ISSUER,
        "sub": "u-42",
        "aud": "certfree",
        "roles": ["clerk"],
        "iat": int(now),
        "exp": int(now) + 300,
    }
    principal = verifier.authenticate(_token(provider_key, claims), now=now)
    assert (principal.subject, principal.role, principal.issuer) == ("u-42", "clerk", ISSUER)
    assert calls == ["/.well-known/openid-configuration", "/jwks"]
    verifier.authenticate(_token(provider_key, claims), now=now)
    assert len(calls) == 2  # keys are cached


def test_provider_token_with_wrong_audience_or_key_is_refused(
    provider_key: rsa.RSAPrivateKey,
) -> None:
    verifier, _ = _verifier(provider_key)
    now = time.time()
    claims = {
        "iss": ISSUER,
        "sub": "u-42",
        "aud": "other",
        "roles": "clerk",
        "iat": int(now),
        "exp": int(now) + 300,
    }
    with pytest.raises(AuthError, match="audience"):
        verifier.authenticate(_token(provider_key, claims), now=now)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(AuthError, match="signature does not verify"):
        verifier.authenticate(_token(stranger, {**claims, "aud": "certfree"}), now=now)
