"""Sign-in of the web pages at the province's OpenID provider: the authorization code flow with
PKCE (OpenID Connect Core 1.0 §3.1; RFC 7636, method S256).

:func:`start_login` makes the state and the code verifier and returns the provider's
authorization URL with a login cookie that carries both, signed by this node so that the
callback can trust it without server-side storage (it lives ten minutes). :func:`finish_login`
checks the state the provider sends back against the cookie, trades the code for the provider's
access token (with the verifier) and checks that token as every API request will: signature,
issuer, audience and expiry. Which role may use which page is the page's own rule.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx

from certfree.auth.oidc import OidcVerifier
from certfree.auth.roles import Principal
from certfree.auth.tokens import NODE_KEY_OWNER
from certfree.crypto import KeyStore, b64url_encode, sign_jws
from certfree.errors import AuthError, CertfreeError, ConfigurationError

__all__ = ["LOGIN_COOKIE", "LoginDone", "finish_login", "start_login"]

LOGIN_COOKIE = "certfree_oidc_login"
LOGIN_TYP = "certfree-oidc-login+jwt"
LOGIN_SECONDS = 600


@dataclass(frozen=True)
class LoginDone:
    """A finished sign-in: the provider's access token and whom it stands for."""

    principal: Principal
    access_token: str
    return_to: str


def _endpoint(verifier: OidcVerifier, name: str) -> str:
    try:
        return str(verifier.discovery()[name])
    except (httpx.HTTPError, KeyError, ValueError) as exc:
        raise ConfigurationError(
            f"the OpenID provider {verifier.issuer} gives no {name}: {exc}", field="oidc_issuer"
        ) from exc


def start_login(
    verifier: OidcVerifier,
    keys: KeyStore,
    *,
    client_id: str,
    redirect_uri: str,
    return_to: str,
) -> tuple[str, str]:
    """The provider's authorization URL to send the browser to, and the login cookie."""
    code_verifier = secrets.token_urlsafe(48)  # 64 characters (RFC 7636 §4.1: 43 to 128)
    challenge = b64url_encode(hashlib.sha256(code_verifier.encode("ascii")).digest())
    state = secrets.token_urlsafe(24)
    cookie = sign_jws(
        keys.signer(NODE_KEY_OWNER),
        {
            "state": state,
            "verifier": code_verifier,
            "return_to": return_to,
            "exp": int(time.time()) + LOGIN_SECONDS,
        },
        header={"typ": LOGIN_TYP},
    )
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": "openid",
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    return f"{_endpoint(verifier, 'authorization_endpoint')}?{query}", cookie


def finish_login(
    verifier: OidcVerifier,
    keys: KeyStore,
    *,
    cookie: str | None,
    state: str,
    code: str,
    client_id: str,
    client_secret: str | None,
    redirect_uri: str,
) -> LoginDone:
    """Check the callback against the login cookie, redeem the code, check the token.

    AuthError says what failed: no or expired login, a state that does not match, the
    provider refusing the code, or a token this node would not accept.
    """
    if not cookie:
        raise AuthError("登录已失效或未从本站发起，请重新登录")
    try:
        header, login = keys.verify_jws(cookie)
    except CertfreeError as exc:
        raise AuthError("登录凭据无效，请重新登录") from exc
    if header.get("typ") != LOGIN_TYP or int(login.get("exp", 0)) < time.time():
        raise AuthError("登录已超时，请重新登录")
    if not hmac.compare_digest(str(login.get("state")), state):
        raise AuthError("登录状态（state）不符，可能是伪造的回调，请重新登录")
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": client_id,
        "code_verifier": str(login["verifier"]),
    }
    if client_secret:
        form["client_secret"] = client_secret
    try:
        response = verifier.client.post(_endpoint(verifier, "token_endpoint"), data=form)
        body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise AuthError(f"统一身份认证平台暂不可用：{exc}") from exc
    if not isinstance(body, dict):
        body = {}
    if response.status_code != 200 or not isinstance(body.get("access_token"), str):
        reason = body.get("error_description") or body.get("error") or response.status_code
        raise AuthError(f"统一身份认证平台拒绝了登录：{reason}")
    token = body["access_token"]
    principal = verifier.authenticate(token, now=time.time())
    return LoginDone(principal, token, str(login["return_to"]))
