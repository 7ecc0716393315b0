"""Tokens from an outside OpenID provider are accepted when the node is configured for it.

The provider is outside certfree, so it is stood in for by an httpx transport that serves a
discovery document and a JWKS made from a real RSA key; the signatures are real.
"""

from __future__ import annotations

import time

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from certfree.auth.oidc import OidcVerifier
from certfree.errors import AuthError
from helpers.oidc_provider import jwks_of, rs256_token

ISSUER = "https://id.shandong.example"


def _verifier(key: rsa.RSAPrivateKey) -> tuple[OidcVerifier, list[str]]:
    jwks = jwks_of(key)
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
    principal = verifier.authenticate(rs256_token(provider_key, claims), now=now)
    assert (principal.subject, principal.role, principal.issuer) == ("u-42", "clerk", ISSUER)
    assert calls == ["/.well-known/openid-configuration", "/jwks"]
    verifier.authenticate(rs256_token(provider_key, claims), now=now)
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
        verifier.authenticate(rs256_token(provider_key, claims), now=now)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(AuthError, match="signature does not verify"):
        verifier.authenticate(rs256_token(stranger, {**claims, "aud": "certfree"}), now=now)
