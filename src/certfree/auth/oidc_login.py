"""Sign-in of the web pages at the province's OpenID provider: the authorization code flow with
PKCE (OpenID Connect Core 1.0 §3.1; RFC 7636, method S256).

:func:`start_login` makes the state, the nonce (§3.1.2.1) and the code verifier and returns
the provider's authorization URL with a login cookie that carries all three, signed by this
node so that the callback can trust it without server-side storage (it lives ten minutes).
:func:`finish_login` checks the state the provider sends back against the cookie, trades the
code for tokens (with the verifier; the client secret by HTTP Basic, RFC 6749 §2.3.1, unless
the provider takes it only in the form), requires the ID token and checks it (§3.1.3.3,
§3.1.3.7: signature, issuer, audience, times, the cookie's nonce), takes the subject from it,
and checks the access token as every API request will, with the same subject. The redirect
URI is the node's configured public URL, never the request's Host header. Which role may use
which page is the page's own rule. Every refusal is a :class:`SignInRefused` in both languages.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus, urlencode

import httpx

from certfree.auth.errors import ProviderMisconfigured, SignInRefused
from certfree.auth.oidc import OidcVerifier
from certfree.auth.roles import Principal
from certfree.auth.tokens import NODE_KEY_OWNER
from certfree.crypto import KeyStore, b64url_encode, sign_jws
from certfree.errors import AuthError, CertfreeError

__all__ = ["CALLBACK_PATH", "LOGIN_COOKIE", "LoginDone", "finish_login", "start_login"]

LOGIN_COOKIE = "certfree_oidc_login"
LOGIN_TYP = "certfree-oidc-login+jwt"
LOGIN_SECONDS = 600
CALLBACK_PATH = "/auth/oidc/callback"


@dataclass(frozen=True)
class LoginDone:
    """A finished sign-in: the provider's access token and whom it stands for."""

    principal: Principal
    access_token: str
    return_to: str


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
    nonce = secrets.token_urlsafe(24)
    cookie = sign_jws(
        keys.signer(NODE_KEY_OWNER),
        {
            "state": state,
            "nonce": nonce,
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
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    return f"{verifier.endpoint('authorization_endpoint')}?{query}", cookie


def _login(keys: KeyStore, cookie: str | None, state: str) -> dict[str, Any]:
    """The login cookie's claims, if it is ours, fresh and for this ``state``."""
    if not cookie:
        raise SignInRefused(
            "登录已失效或未从本站发起，请重新登录",
            "the sign-in expired or was not started here; please sign in again",
        )
    try:
        header, login = keys.verify_jws(cookie)
    except CertfreeError as exc:
        raise SignInRefused(
            "登录凭据无效，请重新登录", "the sign-in cookie is not valid; please sign in again"
        ) from exc
    if header.get("typ") != LOGIN_TYP or int(login.get("exp", 0)) < time.time():
        raise SignInRefused("登录已超时，请重新登录", "the sign-in timed out; please sign in again")
    if not hmac.compare_digest(str(login.get("state")), state):
        raise SignInRefused(
            "登录状态（state）不符，可能是伪造的回调，请重新登录",
            "the state does not match: possibly a forged callback; please sign in again",
        )
    return login


def _form_encode(value: str) -> str:
    """application/x-www-form-urlencoded (RFC 6749 Appendix B), as §2.3.1 asks for Basic."""
    return quote_plus(value, safe="*").replace("~", "%7E")


def client_authentication(
    verifier: OidcVerifier, client_id: str, client_secret: str | None
) -> tuple[dict[str, str], dict[str, str]]:
    """(headers, form fields) that identify this client at the token endpoint.

    A public client (no secret) sends its ``client_id`` in the form (RFC 6749 §4.1.3). A
    confidential one uses ``client_secret_basic`` (RFC 6749 §2.3.1, the default of OpenID
    Connect Discovery §3), or ``client_secret_post`` when the provider lists that and not Basic.
    """
    if not client_secret:
        return {}, {"client_id": client_id}
    methods = verifier.discovery().get("token_endpoint_auth_methods_supported")
    if not isinstance(methods, list) or "client_secret_basic" in methods:
        pair = f"{_form_encode(client_id)}:{_form_encode(client_secret)}"
        basic = base64.b64encode(pair.encode("utf-8")).decode("ascii")
        return {"Authorization": f"Basic {basic}"}, {}
    if "client_secret_post" in methods:
        return {}, {"client_id": client_id, "client_secret": client_secret}
    raise ProviderMisconfigured(
        f"统一身份认证平台只接受 {methods} 客户端认证，本站支持 client_secret_basic 与 "
        "client_secret_post",
        f"the provider accepts only {methods} at its token endpoint; this node can do "
        "client_secret_basic and client_secret_post",
    )


def _redeem(
    verifier: OidcVerifier,
    form: dict[str, str],
    headers: dict[str, str],
) -> dict[str, Any]:
    """The token response (§3.1.3.3) of a successful redemption; SignInRefused otherwise."""
    try:
        response = verifier.client.post(
            verifier.endpoint("token_endpoint"), data=form, headers=headers
        )
        body = response.json()
    except (httpx.HTTPError, ValueError, RecursionError) as exc:
        raise SignInRefused(
            f"统一身份认证平台暂不可用：{exc}", f"the identity provider is unreachable: {exc}"
        ) from exc
    if not isinstance(body, dict):
        body = {}
    if response.status_code != 200 or not isinstance(body.get("access_token"), str):
        reason = body.get("error_description") or body.get("error") or response.status_code
        raise SignInRefused(
            f"统一身份认证平台拒绝了登录：{reason}", f"the identity provider refused: {reason}"
        )
    token_type = body.get("token_type", "Bearer")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        raise SignInRefused(
            f"令牌类型为 {token_type!r}，不是 Bearer", f"token_type is {token_type!r}, not Bearer"
        )
    if not isinstance(body.get("id_token"), str):
        raise SignInRefused(
            "统一身份认证平台未返回 ID 令牌（id_token），无法确认登录者",
            "the identity provider returned no ID token (id_token); cannot tell who signed in",
        )
    return body


def _access_principal(verifier: OidcVerifier, token: str, subject: str, now: float) -> Principal:
    """The access token checked as every API call checks it, for the ID token's subject."""
    if token.count(".") != 2:  # an opaque token (RFC 6749 §1.4), not a JWS (RFC 7515 §7.1)
        raise SignInRefused(
            "统一身份认证平台的访问令牌不是 JWT，本站无法校验（RFC 9068）",
            "the provider's access token is not a JWT this node can check (RFC 9068)",
        )
    try:
        principal = verifier.authenticate(token, now=now)
    except SignInRefused:
        raise
    except AuthError as exc:
        raise SignInRefused(
            f"统一身份认证平台的访问令牌未通过校验：{exc.message}", exc.message
        ) from exc
    if principal.subject != subject:
        raise SignInRefused(
            f"访问令牌的主体（sub）{principal.subject} 与 ID 令牌的 {subject} 不一致",
            f"the access token's subject (sub) {principal.subject} is not the ID token's {subject}",
        )
    return principal


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
    """Check the callback against the login cookie, redeem the code, check both tokens.

    SignInRefused says what failed: no or expired login, a state that does not match, the
    provider refusing the code, no ID token or one that fails a check, or an access token
    this node would not accept; ProviderMisconfigured when the provider's discovery document
    is not the configured issuer's.
    """
    login = _login(keys, cookie, state)
    headers, client = client_authentication(verifier, client_id, client_secret)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": str(login["verifier"]),
        **client,
    }
    body = _redeem(verifier, form, headers)
    now = time.time()
    id_claims = verifier.verify_id_token(
        body["id_token"], client_id=client_id, nonce=str(login.get("nonce", "")), now=now
    )
    principal = _access_principal(verifier, body["access_token"], id_claims["sub"], now)
    return LoginDone(principal, body["access_token"], str(login["return_to"]))
