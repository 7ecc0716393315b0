"""An OpenID provider for tests: real RSA signatures, discovery, JWKS, and the authorization
code flow with PKCE (S256), served over real HTTP. The province's identity platform is outside
certfree, so this stands in for it; it signs in whoever the test names in ``user``."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from typing import Any
from urllib.parse import parse_qs, urlencode

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse

from certfree.crypto import b64url_encode

KID = "idp-1"


def _b64_int(value: int) -> str:
    return b64url_encode(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def jwks_of(key: rsa.RSAPrivateKey, kid: str = KID) -> dict[str, Any]:
    numbers = key.public_key().public_numbers()
    return {"keys": [{"kty": "RSA", "kid": kid, "n": _b64_int(numbers.n), "e": "AQAB"}]}


def rs256_token(key: rsa.RSAPrivateKey, claims: dict[str, Any], kid: str = KID) -> str:
    """A JWT signed RS256, as an OpenID provider issues access tokens."""

    def part(obj: dict[str, Any]) -> str:
        return b64url_encode(json.dumps(obj).encode())

    signing_input = f"{part({'alg': 'RS256', 'kid': kid, 'typ': 'JWT'})}.{part(claims)}"
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64url_encode(signature)}"


class Provider:
    """The provider's state: its key, its URL once served, who signs in, issued codes."""

    def __init__(self, key: rsa.RSAPrivateKey, audience: str = "certfree") -> None:
        self.key = key
        self.audience = audience
        self.url = ""
        self.user: tuple[str, str] = ("370102198001010015", "applicant")  # subject, role
        self.codes: dict[str, dict[str, str]] = {}
        self.token_requests: list[dict[str, str]] = []

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/healthz")
        def healthz() -> dict[str, str]:
            return {"status": "ok"}

        @app.get("/.well-known/openid-configuration")
        def discovery() -> dict[str, str]:
            return {
                "issuer": self.url,
                "jwks_uri": f"{self.url}/jwks",
                "authorization_endpoint": f"{self.url}/authorize",
                "token_endpoint": f"{self.url}/token",
            }

        @app.get("/jwks")
        def jwks() -> dict[str, Any]:
            return jwks_of(self.key)

        @app.get("/authorize")
        def authorize(request: Request) -> RedirectResponse:
            asked = dict(request.query_params)
            assert asked["response_type"] == "code"
            assert asked["code_challenge_method"] == "S256"
            code = secrets.token_urlsafe(16)
            self.codes[code] = asked
            back = urlencode({"code": code, "state": asked["state"]})
            return RedirectResponse(f"{asked['redirect_uri']}?{back}", status_code=302)

        @app.post("/token")
        async def token(request: Request) -> JSONResponse:
            form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
            self.token_requests.append(form)
            asked = self.codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "").encode()
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest())
            if (
                asked is None
                or form.get("redirect_uri") != asked["redirect_uri"]
                or form.get("client_id") != asked["client_id"]
                or challenge.rstrip(b"=").decode() != asked["code_challenge"]
            ):
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            subject, role = self.user
            now = int(time.time())
            claims = {
                "iss": self.url,
                "sub": subject,
                "aud": self.audience,
                "roles": [role],
                "iat": now,
                "exp": now + 300,
            }
            return JSONResponse(
                {"access_token": rs256_token(self.key, claims), "token_type": "Bearer"}
            )

        return app
