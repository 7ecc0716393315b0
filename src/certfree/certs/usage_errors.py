"""Errors of certificate use (short codes); each says what the verifier or holder can do."""

from __future__ import annotations

from certfree.errors import Conflict, InvalidInput, NotFound

__all__ = [
    "ShortCodeExpired",
    "ShortCodeNotFound",
    "ShortCodePresentationInvalid",
    "ShortCodeUsed",
]


class ShortCodePresentationInvalid(InvalidInput):
    """What the holder posted is not an SD-JWT presentation with a key-binding JWT."""

    slug = "short-code-presentation-invalid"
    title = "Not a presentation"
    title_zh = "不是有效的亮证数据"


class ShortCodeNotFound(NotFound):
    slug = "short-code-not-found"
    title = "Short code not found"
    title_zh = "短码不存在"


class ShortCodeUsed(Conflict):
    """A short code is one-time: the second redeem is refused."""

    slug = "short-code-used"
    title = "Short code already redeemed"
    title_zh = "短码已被使用"


class ShortCodeExpired(Conflict):
    slug = "short-code-expired"
    title = "Short code expired"
    title_zh = "短码已过期"
