"""Accept tokens from a real OpenID provider (the province's unified identity platform).

The provider describes itself in its discovery document (OpenID Connect Discovery 1.0 §4),
whose ``issuer`` must be the configured issuer exactly (§4.3), or nothing it says is used. Its
keys come from its JWKS and are cached for ``cache_seconds``; a token whose ``kid`` is unknown
triggers one refresh, so key rotation at the provider needs no restart.

Two kinds of token are checked here, each refused with the reason (:class:`SignInRefused`):

* access tokens, on every API request (JWT profile, RFC 9068 §4): an allowed signature
  algorithm (never ``none``, RFC 8725 §3.1), ``typ`` ``at+jwt`` when the provider sets a
  ``typ``, ``iss`` the configured issuer, ``aud`` present and naming this node's audience,
  then expiry and the role from a configurable claim;
* ID tokens, once at sign-in (OpenID Connect Core 1.0 §3.1.3.7): an algorithm the provider
  announces (``id_token_signing_alg_values_supported``, RS256 by default) and this node
  verifies, ``iss``, ``aud`` = the client id (and ``azp`` when there are several audiences),
  ``exp``, ``iat`` and the ``nonce`` of the authorization request.
"""

from __future__ import annotations

import hmac
import json
import time
from dataclasses import dataclass
from typing import Any

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from certfree.auth.claims import numeric_date, principal_from_claims
from certfree.auth.errors import ProviderMisconfigured, SignInRefused
from certfree.auth.roles import Principal
from certfree.crypto import b64url_decode, verify
from certfree.errors import CertfreeError, ConfigurationError

__all__ = ["ALLOWED_ALGS", "OidcVerifier"]

RSA_ALGS = {"RS256": hashes.SHA256(), "RS384": hashes.SHA384(), "RS512": hashes.SHA512()}
# Every algorithm this node verifies; the provider's announcements narrow it for ID tokens.
ALLOWED_ALGS = frozenset({*RSA_ALGS, "ES256", "EdDSA", "SM2"})
DEFAULT_ID_TOKEN_ALGS = frozenset({"RS256"})  # OpenID Connect Core 1.0 §3.1.3.7 step 7
AT_JWT_TYPES = frozenset({"at+jwt", "application/at+jwt"})  # RFC 9068 §2.1, §4
MIN_RSA_BITS = 2048  # RFC 7518 §3.3
CLOCK_SKEW_SECONDS = 60
ID_TOKEN_MAX_AGE = 600  # an ID token is minted when the code is redeemed, so it is fresh
MAX_SUBJECT = 255  # OpenID Connect Core 1.0 §2: sub is at most 255 ASCII characters


@dataclass(frozen=True)
class _Kind:
    """Which token a refusal is about, to name it in both languages."""

    zh: str
    en: str

    def refused(self, zh: str, en: str) -> SignInRefused:
        return SignInRefused(f"{self.zh}未通过校验：{zh}", f"{self.en} refused: {en}")


ACCESS_TOKEN = _Kind("统一身份认证平台的访问令牌", "bearer token")
ID_TOKEN = _Kind("统一身份认证平台的 ID 令牌", "ID token")


@dataclass(frozen=True)
class _Jws:
    header: dict[str, Any]
    claims: dict[str, Any]
    signing_input: bytes
    signature: bytes


def _parse(token: str, kind: _Kind) -> _Jws:
    parts = token.split(".")
    try:
        if len(parts) != 3:
            raise ValueError("not three parts")
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
        signature = b64url_decode(parts[2])
    except (ValueError, RecursionError) as exc:
        raise kind.refused("不是紧凑格式的 JWS", "not a compact JWS") from exc
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise kind.refused("头部或声明不是 JSON 对象", "header or claims are not JSON objects")
    return _Jws(header, claims, f"{parts[0]}.{parts[1]}".encode("ascii"), signature)


class OidcVerifier:
    """Verifies the tokens of one OpenID provider for one audience (this node)."""

    def __init__(
        self,
        issuer: str,
        *,
        audience: str | None,
        jwks_url: str | None = None,
        role_claim: str = "roles",
        client: httpx.Client | None = None,
        cache_seconds: float = 300.0,
    ) -> None:
        if not audience:
            # RFC 9068 §4: a resource server checks that aud names it, so it must know its name.
            raise ConfigurationError(
                "CERTFREE_OIDC_AUDIENCE is not set: the audience (aud) the provider's access "
                "tokens name for this node is required with CERTFREE_OIDC_ISSUER (RFC 9068 §4)",
                field="oidc_audience",
            )
        self.issuer = issuer
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
        except (IndexError, ValueError, RecursionError):
            return None
        issuer = claims.get("iss") if isinstance(claims, dict) else None
        return issuer if isinstance(issuer, str) else None

    # -- access tokens (RFC 9068) -------------------------------------------------------------

    def authenticate(self, token: str, *, now: float) -> Principal:
        """The Principal a provider access token stands for; SignInRefused says why not."""
        jws = _parse(token, ACCESS_TOKEN)
        typ = jws.header.get("typ")
        if typ is not None and (not isinstance(typ, str) or typ.lower() not in AT_JWT_TYPES):
            raise ACCESS_TOKEN.refused(
                f"typ 为 {typ!r}，不是 at+jwt（RFC 9068 §4）",
                f"typ is {typ!r}, not at+jwt (RFC 9068 §4)",
            )
        self._check_signature(ACCESS_TOKEN, jws, ALLOWED_ALGS)
        self._check_issuer(ACCESS_TOKEN, jws.claims)
        aud = jws.claims.get("aud")
        if aud is None:
            raise ACCESS_TOKEN.refused("缺少受众（aud）", "no audience (aud)")
        audiences = aud if isinstance(aud, list) else [aud]
        if self.audience not in audiences:
            raise ACCESS_TOKEN.refused(
                f"受众（aud）不是 '{self.audience}'", f"audience is not '{self.audience}'"
            )
        return principal_from_claims(jws.claims, now, self.role_claim)

    # -- ID tokens (OpenID Connect Core 1.0 §3.1.3.7) -------------------------------------------

    def verify_id_token(
        self, token: str, *, client_id: str, nonce: str, now: float
    ) -> dict[str, Any]:
        """The claims of an ID token from the token response, every check of §3.1.3.7 passed."""
        jws = _parse(token, ID_TOKEN)
        self._check_signature(ID_TOKEN, jws, self.id_token_algs())
        claims = jws.claims
        self._check_issuer(ID_TOKEN, claims)
        aud = claims.get("aud")
        audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
        if client_id not in audiences:
            raise ID_TOKEN.refused(
                f"受众（aud）不含本站的客户端标识 '{client_id}'",
                f"audience (aud) does not name this client '{client_id}'",
            )
        azp = claims.get("azp")
        if (len(audiences) > 1 or azp is not None) and azp != client_id:
            raise ID_TOKEN.refused(
                f"有多个受众而授权方（azp）不是 '{client_id}'",
                f"several audiences and the authorized party (azp) is not '{client_id}'",
            )
        self._check_times(claims, now)
        sent = claims.get("nonce")
        if not nonce or not isinstance(sent, str) or not hmac.compare_digest(sent, nonce):
            raise ID_TOKEN.refused(
                "nonce 与本站登录请求中的不符，可能是重放的令牌",
                "nonce does not match this sign-in's request (a replayed token?)",
            )
        subject = claims.get("sub")
        if not isinstance(subject, str) or not 0 < len(subject) <= MAX_SUBJECT:
            raise ID_TOKEN.refused("缺少主体标识（sub）", "no subject (sub)")
        return claims

    def id_token_algs(self) -> frozenset[str]:
        """The algorithms an ID token may use: those the provider announces and we verify."""
        announced = self.discovery().get("id_token_signing_alg_values_supported")
        if not isinstance(announced, list):
            return DEFAULT_ID_TOKEN_ALGS
        return ALLOWED_ALGS.intersection(a for a in announced if isinstance(a, str))

    def _check_times(self, claims: dict[str, Any], now: float) -> None:
        if not numeric_date(claims.get("exp")) or not numeric_date(claims.get("iat")):
            raise ID_TOKEN.refused(
                "exp 与 iat 须为数值时间（NumericDate）", "exp and iat must be NumericDates"
            )
        exp, iat = float(claims["exp"]), float(claims["iat"])
        if exp + CLOCK_SKEW_SECONDS < now:
            raise ID_TOKEN.refused("已过期（exp）", "expired (exp is in the past)")
        if iat - CLOCK_SKEW_SECONDS > now:
            raise ID_TOKEN.refused("签发时间（iat）在将来", "issued in the future (iat)")
        if now - iat > ID_TOKEN_MAX_AGE + CLOCK_SKEW_SECONDS:
            raise ID_TOKEN.refused(
                f"签发于 {int(now - iat)} 秒前，过旧", f"issued {int(now - iat)} s ago (iat)"
            )

    # -- shared checks -------------------------------------------------------------------------

    def _check_issuer(self, kind: _Kind, claims: dict[str, Any]) -> None:
        issuer = claims.get("iss")
        if issuer != self.issuer:
            raise kind.refused(
                f"签发者（iss）为 {issuer!r}，不是配置的 {self.issuer!r}",
                f"issuer (iss) is {issuer!r}, not the configured {self.issuer!r}",
            )

    def _check_signature(self, kind: _Kind, jws: _Jws, allowed: frozenset[str]) -> None:
        alg = jws.header.get("alg")
        if not isinstance(alg, str) or alg.lower() == "none":
            raise kind.refused("未签名（alg 为 none）", "not signed (alg none)")
        if alg not in allowed:
            names = ", ".join(sorted(allowed)) or "none at all"
            raise kind.refused(
                f"签名算法 {alg} 不在允许之列（{names}）", f"alg {alg} is not allowed ({names})"
            )
        jwk = self._key(kind, str(jws.header.get("kid", "")))
        if jwk.get("use", "sig") != "sig" or jwk.get("alg", alg) != alg:
            raise kind.refused(
                f"密钥 {jwk.get('kid')} 不用于 {alg} 签名", f"key {jwk.get('kid')} is not for {alg}"
            )
        if alg in RSA_ALGS:
            self._verify_rsa(kind, alg, jwk, jws)
            return
        try:
            verify({**jwk, "alg": alg}, jws.signing_input, jws.signature)
        except CertfreeError as exc:
            raise kind.refused(f"签名无效：{exc.message}", exc.message) from exc

    @staticmethod
    def _verify_rsa(kind: _Kind, alg: str, jwk: dict[str, Any], jws: _Jws) -> None:
        try:
            if jwk.get("kty") != "RSA":
                raise ValueError("RSA alg with a non-RSA key")
            public = rsa.RSAPublicNumbers(
                int.from_bytes(b64url_decode(jwk["e"]), "big"),
                int.from_bytes(b64url_decode(jwk["n"]), "big"),
            ).public_key()
        except (KeyError, TypeError, ValueError) as exc:
            raise kind.refused(f"密钥不可用：{exc}", f"unusable key: {exc}") from exc
        if public.key_size < MIN_RSA_BITS:
            raise kind.refused(
                f"RSA 密钥短于 {MIN_RSA_BITS} 位", f"RSA key shorter than {MIN_RSA_BITS} bits"
            )
        try:
            public.verify(jws.signature, jws.signing_input, padding.PKCS1v15(), RSA_ALGS[alg])
        except InvalidSignature as exc:
            raise kind.refused("签名无效", "signature does not verify") from exc

    def _key(self, kind: _Kind, kid: str) -> dict[str, Any]:
        stale = time.monotonic() - self._fetched_at > self.cache_seconds
        if stale or kid not in self._keys:
            self._refresh()
        if kid not in self._keys:
            raise kind.refused(
                f"统一身份认证平台没有密钥 '{kid}'", f"identity provider has no key '{kid}'"
            )
        return self._keys[kid]

    def _refresh(self) -> None:
        url = self.jwks_url or self.endpoint("jwks_uri")
        try:
            response = self.client.get(url)
            response.raise_for_status()
            keys = response.json()["keys"]
            if not isinstance(keys, list):
                raise TypeError("keys is not a list")
        except (httpx.HTTPError, KeyError, TypeError, ValueError, RecursionError) as exc:
            raise self._unreachable(exc) from exc
        self._keys = {str(k.get("kid", "")): k for k in keys if isinstance(k, dict)}
        self._fetched_at = time.monotonic()

    def _unreachable(self, exc: Exception) -> SignInRefused:
        return SignInRefused(
            f"统一身份认证平台 {self.issuer} 暂不可用：{exc}",
            f"identity provider {self.issuer} unreachable: {exc}",
        )

    # -- discovery (OpenID Connect Discovery 1.0) ----------------------------------------------

    def endpoint(self, name: str) -> str:
        """A URL the discovery document gives (``token_endpoint`` …); ProviderMisconfigured
        when it gives none."""
        value = self.discovery().get(name)
        if not isinstance(value, str) or not value:
            raise ProviderMisconfigured(
                f"统一身份认证平台 {self.issuer} 的发现文档未给出 {name}",
                f"the OpenID provider {self.issuer} gives no {name} in its discovery document",
            )
        return value

    def discovery(self) -> dict[str, Any]:
        """The provider's discovery document (§4), fetched once; its ``issuer`` must be the
        configured issuer exactly (§4.3), else ProviderMisconfigured."""
        if self._discovery is None:
            # §4: a terminating "/" of the issuer is removed before the well-known path.
            url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
            try:
                response = self.client.get(url)
                response.raise_for_status()
                document = response.json()
            except (httpx.HTTPError, ValueError, RecursionError) as exc:
                raise self._unreachable(exc) from exc
            if not isinstance(document, dict):
                raise ProviderMisconfigured(
                    f"{url} 不是 JSON 对象", f"{url} is not a JSON object (discovery document)"
                )
            if document.get("issuer") != self.issuer:
                raise ProviderMisconfigured(
                    f"统一身份认证平台的发现文档声明签发者为 {document.get('issuer')!r}，"
                    f"与配置的 CERTFREE_OIDC_ISSUER {self.issuer!r} 不完全一致",
                    f"the provider's discovery document names issuer "
                    f"{document.get('issuer')!r}, not exactly the configured "
                    f"CERTFREE_OIDC_ISSUER {self.issuer!r} (OpenID Connect Discovery §4.3)",
                )
            self._discovery = document
        return self._discovery
