"""The online mode for low-end phones: a one-time short code instead of the whole presentation.

The holder still makes and signs the presentation here; only the finished presentation goes
to the platform, which keeps it under a one-time code that the verifier redeems (and logs as
a use, 用证记录). The platform side is not part of the wallet. The request this sends is::

    POST <url>   {"presentation": "<sd-jwt~...~kb-jwt>"}
    → 200/201    {"code": "…", "expires_in": 120, "redeem_url": "https://…"}  (only code required)

Claiming (认领) a backfilled certificate is the wallet's other request: only the public key
goes to the platform, with the holder's own bearer token::

    POST <url>/api/v1/me/certificates/<identifier>/claim   {"holder_jwk": {…}}
    → 201        {"credential": "<sd-jwt~…>", …}
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from certfree.errors import CertfreeError, InvalidInput
from certfree.safejson import loads_untrusted
from certfree.wallet.errors import ClaimFailed, ShortCodeFailed

__all__ = ["ShortCode", "request_claim", "request_short_code"]

_TIMEOUT = httpx.Timeout(10.0)
_MAX_CODE_LENGTH = 256  # a short code that is not short would defeat the purpose


@dataclass(frozen=True, slots=True)
class ShortCode:
    """What the platform handed out: the code, and optionally its lifetime and redeem URL."""

    code: str
    expires_in: int | None = None
    redeem_url: str | None = None

    @property
    def qr_text(self) -> str:
        """What the small QR carries: the redeem URL when the platform gave one, else the code."""
        return self.redeem_url or self.code


def _post(
    url: str,
    body: Mapping[str, Any],
    failure: type[CertfreeError],
    *,
    client: httpx.Client | None,
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    """POST ``body`` as JSON; ``failure`` when the platform cannot be reached."""
    owned = client is None
    http = client or httpx.Client(timeout=_TIMEOUT)
    try:
        return http.post(url, json=body, headers=headers)
    except httpx.HTTPError as exc:
        raise failure(f"无法连接平台 {url}：{exc}") from exc
    finally:
        if owned:
            http.close()


def _answer(
    response: httpx.Response, ok: Collection[int], failure: type[CertfreeError], refused: str
) -> dict[str, Any]:
    """The JSON object of an ``ok`` response (``{}`` when it is not one); ``failure`` naming
    the status and the problem document's ``detail`` (RFC 9457 §3.1.4) otherwise."""
    try:  # strict: the platform's answer is read like any outside JSON
        parsed: Any = loads_untrusted(response.content, what="the platform's answer")
    except InvalidInput:
        parsed = None
    body: dict[str, Any] = parsed if isinstance(parsed, dict) else {}
    if response.status_code not in ok:
        detail = body.get("detail")
        raise failure(
            f"{refused}（HTTP {response.status_code}）：{detail or response.reason_phrase}"
        )
    return body


def request_short_code(
    presentation: str, url: str, *, client: httpx.Client | None = None
) -> ShortCode:
    """Post ``presentation`` to the platform at ``url`` and return the one-time code it gives.

    ``client`` lets tests and callers choose the transport. Raises ShortCodeFailed when the
    platform cannot be reached, refuses, or answers without a code.
    """
    response = _post(url, {"presentation": presentation}, ShortCodeFailed, client=client)
    body = _answer(response, (200, 201), ShortCodeFailed, "平台拒绝发放短码")
    code = body.get("code")
    if not isinstance(code, str) or not code or len(code) > _MAX_CODE_LENGTH:
        raise ShortCodeFailed("平台的应答中没有有效的短码（code）")
    expires = body.get("expires_in")
    redeem = body.get("redeem_url")
    return ShortCode(
        code=code,
        expires_in=expires if isinstance(expires, int) and not isinstance(expires, bool) else None,
        redeem_url=redeem if isinstance(redeem, str) and redeem else None,
    )


def request_claim(
    identifier: str,
    holder_jwk: Mapping[str, Any],
    url: str,
    token: str,
    *,
    client: httpx.Client | None = None,
) -> str:
    """Ask the platform at ``url`` to bind ``holder_jwk`` (public) to certificate
    ``identifier``; the newly sealed credential it returns.

    ``token`` is the holder's own bearer token. Raises ClaimFailed when the platform cannot
    be reached, refuses, or answers without a credential.
    """
    address = f"{url.rstrip('/')}/api/v1/me/certificates/{identifier.strip()}/claim"
    response = _post(
        address,
        {"holder_jwk": dict(holder_jwk)},
        ClaimFailed,
        client=client,
        headers={"Authorization": f"Bearer {token}"},
    )
    body = _answer(response, (201,), ClaimFailed, "平台拒绝认领")
    credential = body.get("credential")
    if not isinstance(credential, str) or not credential:
        raise ClaimFailed("平台的应答中没有证照（credential）")
    return credential
