"""An OpenID provider for tests: real RSA signatures, discovery, JWKS, and the authorization
code flow with PKCE (S256) that answers with an ID token and an RFC 9068 access token, served
over real HTTP. The province's identity platform is outside certfree, so this stands in for
it; it signs in whoever the test names in ``user``.

It misbehaves on demand, one attribute per fault: ``discovery_changes`` (another issuer, the
token endpoint's client authentication methods, the ID token algorithms),
``id_token_changes`` / ``access_token_changes`` (claims changed; None removes one),
``id_token_header`` / ``access_token_header`` (``alg: none`` sends it unsigned, a ``typ``),
``omit_id_token``, ``opaque_access_token``. With ``client_secret`` it is a confidential
client's provider and records in ``client_auth`` how each token request authenticated
(``basic`` or ``post``)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
import time
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlencode

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


def rs256_token(
    key: rsa.RSAPrivateKey,
    claims: dict[str, Any],
    kid: str = KID,
    *,
    header: dict[str, Any] | None = None,
) -> str:
    """A JWT signed RS256, as an OpenID provider issues access tokens (``typ: at+jwt``, RFC
    9068 §2.1). ``header`` changes the header (a None value removes a member); with ``alg:
    none`` the token is not signed (RFC 7519 §6.1), as a forger would send it."""

    def part(obj: dict[str, Any]) -> str:
        return b64url_encode(json.dumps(obj).encode())

    fields = {"alg": "RS256", "kid": kid, "typ": "at+jwt", **(header or {})}
    fields = {name: value for name, value in fields.items() if value is not None}
    signing_input = f"{part(fields)}.{part(claims)}"
    if fields["alg"] == "none":
        return f"{signing_input}."
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64url_encode(signature)}"


def _changed(claims: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = {**claims, **changes}
    return {name: value for name, value in merged.items() if value is not None}


def _basic(authorization: str | None) -> tuple[str, str] | None:
    """(client id, secret) of an RFC 6749 §2.3.1 Basic header: form-urlencoded, then Basic."""
    if not authorization or not authorization.startswith("Basic "):
        return None
    try:
        pair = base64.b64decode(authorization[6:], validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, _, secret = pair.partition(":")
    return unquote_plus(client_id), unquote_plus(secret)


class Provider:
    """The provider's state: its key, its URL once served, who signs in, issued codes."""

    def __init__(self, key: rsa.RSAPrivateKey, audience: str = "certfree") -> None:
        self.key = key
        self.audience = audience
        self.url = ""
        self.user: tuple[str, str] = ("370102198001010015", "applicant")  # subject, role
        self.codes: dict[str, dict[str, str]] = {}
        self.token_requests: list[dict[str, str]] = []
        self.issued: list[dict[str, Any]] = []  # token responses, as sent
        self.client_secret: str | None = None
        self.client_auth: list[str] = []
        self.discovery_changes: dict[str, Any] = {}
        self.id_token_changes: dict[str, Any] = {}
        self.access_token_changes: dict[str, Any] = {}
        self.id_token_header: dict[str, Any] = {"typ": None}
        self.access_token_header: dict[str, Any] = {}
        self.omit_id_token = False
        self.opaque_access_token = False

    def _client(self, request: Request, form: dict[str, str]) -> str | None:
        """The client id a token request authenticates as, None if it fails (RFC 6749 §2.3)."""
        basic = _basic(request.headers.get("authorization"))
        if self.client_secret is None:
            return form.get("client_id")
        methods = self.discovery_changes.get("token_endpoint_auth_methods_supported")
        if basic is not None and "client_secret" not in form:
            self.client_auth.append("basic")
            allowed = methods is None or "client_secret_basic" in methods
            return basic[0] if allowed and basic[1] == self.client_secret else None
        if basic is None and "client_secret" in form:
            self.client_auth.append("post")
            allowed = methods is not None and "client_secret_post" in methods
            fits = form["client_secret"] == self.client_secret
            return form.get("client_id") if allowed and fits else None
        return None  # none, or two methods at once (RFC 6749 §2.3)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/healthz")
        def healthz() -> dict[str, str]:
            return {"status": "ok"}

        @app.get("/.well-known/openid-configuration")
        def discovery() -> dict[str, Any]:
            document = {
                "issuer": self.url,
                "jwks_uri": f"{self.url}/jwks",
                "authorization_endpoint": f"{self.url}/authorize",
                "token_endpoint": f"{self.url}/token",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
            }
            return _changed(document, self.discovery_changes)

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
            client_id = self._client(request, form)
            if client_id is None:
                return JSONResponse({"error": "invalid_client"}, status_code=401)
            asked = self.codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "").encode()
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest())
            if (
                asked is None
                or form.get("redirect_uri") != asked["redirect_uri"]
                or client_id != asked["client_id"]
                or challenge.rstrip(b"=").decode() != asked["code_challenge"]
            ):
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            subject, role = self.user
            now = int(time.time())
            access = {
                "iss": self.url,
                "sub": subject,
                "aud": self.audience,
                "client_id": client_id,
                "roles": [role],
                "iat": now,
                "exp": now + 300,
                "jti": secrets.token_hex(8),
            }
            identity = {
                "iss": self.url,
                "sub": subject,
                "aud": client_id,
                "iat": now,
                "exp": now + 300,
                "nonce": asked.get("nonce"),
            }
            body = {
                "access_token": rs256_token(
                    self.key,
                    _changed(access, self.access_token_changes),
                    header=self.access_token_header,
                ),
                "token_type": "Bearer",
                "expires_in": 300,
            }
            if self.opaque_access_token:
                body["access_token"] = secrets.token_urlsafe(32)
            if not self.omit_id_token:
                body["id_token"] = rs256_token(
                    self.key,
                    _changed(identity, self.id_token_changes),
                    header=self.id_token_header,
                )
            self.issued.append(body)
            return JSONResponse(body)

        return app
