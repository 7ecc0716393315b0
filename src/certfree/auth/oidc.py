"""Accept access tokens from a real OpenID provider (the province's unified identity platform).

The provider's keys come from its discovery document (OpenID Connect Discovery 1.0 §4) and are
cached for ``cache_seconds``; a token whose ``kid`` is unknown triggers one refresh, so key
rotation at the provider needs no restart. Roles come from a configurable claim.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from certfree.auth.claims import principal_from_claims
from certfree.auth.roles import Principal
from certfree.crypto import b64url_decode, verify
from certfree.errors import AuthError, CertfreeError

RSA_ALGS = {"RS256": hashes.SHA256(), "RS384": hashes.SHA384(), "RS512": hashes.SHA512()}


class OidcVerifier:
    """Verifies JWT access tokens issued by one OpenID provider."""

    def __init__(
        self,
        issuer: str,
        *,
        audience: str | None = None,
        jwks_url: str | None = None,
        role_claim: str = "roles",
        client: httpx.Client | None = None,
        cache_seconds: float = 300.0,
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self.audience = audience
        self.jwks_url = jwks_url
        self.role_claim = role_claim
        self.client = client or httpx.Client(timeout=5.0)
        self.cache_seconds = cache_seconds
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched_at = 0.0
        self._discovery: dict[str, Any] | None = None

    def close(self) -> None:
        """Close the connections to the provider (when the node stops)."""
        self.client.close()

    @staticmethod
    def claims_issuer(token: str) -> str | None:
        """The unverified ``iss`` claim, only to pick which verifier applies."""
        try:
            claims = json.loads(b64url_decode(token.split(".")[1]))
        except (IndexError, ValueError):
            return None
        issuer = claims.get("iss") if isinstance(claims, dict) else None
        return issuer.rstrip("/") if isinstance(issuer, str) else None

    def authenticate(self, token: str, *, now: float) -> Principal:
        """The Principal a provider token stands for; AuthError says why it is refused."""

        try:
            head_b64, payload_b64, sig_b64 = token.split(".")
            header = json.loads(b64url_decode(head_b64))
            claims = json.loads(b64url_decode(payload_b64))
            signature = b64url_decode(sig_b64)
        except ValueError as exc:
            raise AuthError("bearer token refused: not a compact JWS") from exc
        jwk = self._key(str(header.get("kid", "")))
        self._verify(header.get("alg"), jwk, f"{head_b64}.{payload_b64}".encode(), signature)
        if self.audience is not None:
            aud = claims.get("aud")
            audiences = aud if isinstance(aud, list) else [aud]
            if self.audience not in audiences:
                raise AuthError(f"bearer token refused: audience is not '{self.audience}'")
        return principal_from_claims(claims, now, self.role_claim)

    def _verify(self, alg: Any, jwk: dict[str, Any], data: bytes, signature: bytes) -> None:
        if alg in RSA_ALGS:
            if jwk.get("kty") != "RSA":
                raise AuthError("bearer token refused: RSA alg with a non-RSA key")
            public = rsa.RSAPublicNumbers(
                int.from_bytes(b64url_decode(jwk["e"]), "big"),
                int.from_bytes(b64url_decode(jwk["n"]), "big"),
            ).public_key()
            try:
                public.verify(signature, data, padding.PKCS1v15(), RSA_ALGS[alg])
            except InvalidSignature as exc:
                raise AuthError("bearer token refused: signature does not verify") from exc
            return
        try:
            verify({**jwk, "alg": str(alg)}, data, signature)
        except CertfreeError as exc:
            raise AuthError(f"bearer token refused: {exc.message}") from exc

    def _key(self, kid: str) -> dict[str, Any]:
        stale = time.monotonic() - self._fetched_at > self.cache_seconds
        if stale or kid not in self._keys:
            self._refresh()
        if kid not in self._keys:
            raise AuthError(f"bearer token refused: identity provider has no key '{kid}'")
        return self._keys[kid]

    def _refresh(self) -> None:
        try:
            url = self.jwks_url or self._discover_jwks_url()
            response = self.client.get(url)
            response.raise_for_status()
            keys = response.json()["keys"]
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            raise AuthError(f"identity provider {self.issuer} unreachable: {exc}") from exc
        self._keys = {str(k.get("kid", "")): k for k in keys}
        self._fetched_at = time.monotonic()

    def _discover_jwks_url(self) -> str:
        return str(self.discovery()["jwks_uri"])

    def discovery(self) -> dict[str, Any]:
        """The provider's discovery document (OpenID Connect Discovery 1.0 §4), fetched once."""
        if self._discovery is None:
            response = self.client.get(f"{self.issuer}/.well-known/openid-configuration")
            response.raise_for_status()
            document = response.json()
            if not isinstance(document, dict):
                raise ValueError("the discovery document is not a JSON object")
            self._discovery = document
        return self._discovery
