"""The online mode for low-end phones: a one-time short code instead of the whole presentation.

The holder still makes and signs the presentation here; only the finished presentation goes
to the platform, which keeps it under a one-time code that the verifier redeems (and logs as
a use, 用证记录). The platform side is not part of the wallet. The request this sends is::

    POST <url>   {"presentation": "<sd-jwt~...~kb-jwt>"}
    → 200/201    {"code": "…", "expires_in": 120, "redeem_url": "https://…"}  (only code required)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from certfree.wallet.errors import ShortCodeFailed

__all__ = ["ShortCode", "request_short_code"]

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


def _parse(response: httpx.Response) -> ShortCode:
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    if response.status_code not in (200, 201):
        detail = body.get("detail") if isinstance(body, dict) else None
        raise ShortCodeFailed(
            f"平台拒绝发放短码（HTTP {response.status_code}）：{detail or response.reason_phrase}"
        )
    code = body.get("code") if isinstance(body, dict) else None
    if not isinstance(code, str) or not code or len(code) > _MAX_CODE_LENGTH:
        raise ShortCodeFailed("平台的应答中没有有效的短码（code）")
    expires = body.get("expires_in")
    redeem = body.get("redeem_url")
    return ShortCode(
        code=code,
        expires_in=expires if isinstance(expires, int) and not isinstance(expires, bool) else None,
        redeem_url=redeem if isinstance(redeem, str) and redeem else None,
    )


def request_short_code(
    presentation: str, url: str, *, client: httpx.Client | None = None
) -> ShortCode:
    """Post ``presentation`` to the platform at ``url`` and return the one-time code it gives.

    ``client`` lets tests and callers choose the transport. Raises ShortCodeFailed when the
    platform cannot be reached, refuses, or answers without a code.
    """
    owned = client is None
    http = client or httpx.Client(timeout=_TIMEOUT)
    try:
        response = http.post(url, json={"presentation": presentation})
    except httpx.HTTPError as exc:
        raise ShortCodeFailed(f"无法连接平台 {url}：{exc}") from exc
    finally:
        if owned:
            http.close()
    return _parse(response)
