"""The one error hierarchy of certfree.

Every error a person can act on is a :class:`CertfreeError`; the API maps each to an RFC 9457
problem+json document in one handler (``certfree.api.problems``), the CLI prints its message.
Domains raise their own subclasses (``InvalidIdentifier`` lives in ``certfree.identifiers``)::

    CertfreeError                      500 base; never raised bare
    ├── ConfigurationError             500 settings or environment are wrong (what to set)
    ├── InvalidInput (ValueError)      422 a field's value is wrong (names the field and fault)
    │   ├── InvalidIdentifier          422 GB 11643 / GB 32100 / GB/T 2260 / GB/T 36904 faults
    │   └── RowsRejected               422 an imported file has bad rows; nothing stored
    │                                      (certfree.tabular; each domain subclasses it)
    ├── NotFound                       404 the thing named does not exist
    ├── Conflict                       409 the request clashes with current state
    ├── AuthError                      401 no or bad credentials
    │   └── Forbidden                  403 authenticated, but the role may not do this
    ├── TooManyRequests                429 over a rate limit; Retry-After says when to retry
    ├── ContentTooLarge                413 a request body over its cap (names the cap)
    └── CryptoError                    422 keys and signatures
        ├── KeyNotFound                404 no key with that id / owner
        ├── DecryptionFailed           422 a JWE not made for this key, or altered (crypto.jwe)
        └── SignatureInvalid           422 a signature does not verify
            └── RefusedForReason           422 a signed object refused for a named reason
                                               (SD-JWT, status lists: crypto subclasses it)
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, ClassVar

__all__ = [
    "AuthError",
    "CertfreeError",
    "ConfigurationError",
    "Conflict",
    "ContentTooLarge",
    "CryptoError",
    "Forbidden",
    "InvalidInput",
    "KeyNotFound",
    "NotFound",
    "RefusedForReason",
    "SignatureInvalid",
    "TooManyRequests",
]


class CertfreeError(Exception):
    """Base of every certfree error; carries what a problem+json document needs.

    ``slug`` becomes the problem ``type`` (``/problems/<slug>``), ``status`` the HTTP status,
    ``title``/``title_zh`` its short English/Chinese title, ``field`` the name of the offending
    input field when there is one.
    """

    status: ClassVar[int] = 500
    slug: ClassVar[str] = "internal-error"
    title: ClassVar[str] = "Internal error"
    title_zh: ClassVar[str] = "内部错误"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def problem_extensions(self) -> dict[str, Any]:
        """Extra members for the problem+json document (RFC 9457 §3.2), e.g. per-row errors."""
        return {}

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class ConfigurationError(CertfreeError):
    slug = "configuration"
    title = "Node is misconfigured"
    title_zh = "节点配置有误"


class InvalidInput(CertfreeError, ValueError):
    status = 422
    slug = "invalid-input"
    title = "Invalid input"
    title_zh = "输入有误"


class InvalidIdentifier(InvalidInput):
    slug = "invalid-identifier"
    title = "Invalid identifier"
    title_zh = "代码或号码有误"


class NotFound(CertfreeError):
    status = 404
    slug = "not-found"
    title = "Not found"
    title_zh = "未找到"


class Conflict(CertfreeError):
    status = 409
    slug = "conflict"
    title = "Conflict"
    title_zh = "与现有状态冲突"


class AuthError(CertfreeError):
    status = 401
    slug = "unauthenticated"
    title = "Authentication required"
    title_zh = "需要身份认证"


class Forbidden(AuthError):
    status = 403
    slug = "forbidden"
    title = "Forbidden"
    title_zh = "无权执行此操作"


class TooManyRequests(CertfreeError):
    """Over a rate limit (RFC 6585 §4); ``retry_after`` seconds until a request is counted
    again, sent as the Retry-After header (RFC 9110 §10.2.3)."""

    status = 429
    slug = "too-many-requests"
    title = "Too many requests"
    title_zh = "请求过于频繁"

    def __init__(self, message: str, *, retry_after: int, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after = max(1, retry_after)

    def problem_extensions(self) -> dict[str, Any]:
        return {"retry_after": self.retry_after}


class ContentTooLarge(CertfreeError):
    """A request body over its cap (RFC 9110 §15.5.14); ``max_bytes`` is the cap."""

    status = 413
    slug = "content-too-large"
    title = "Content too large"
    title_zh = "请求内容过大"

    def __init__(self, max_bytes: int) -> None:
        super().__init__(
            f"请求体超过 {max_bytes} 字节的上限（the request body is over {max_bytes} bytes）",
            field="body",
        )
        self.max_bytes = max_bytes

    def problem_extensions(self) -> dict[str, Any]:
        return {"max_bytes": self.max_bytes}


class CryptoError(CertfreeError):
    status = 422
    slug = "crypto"
    title = "Cryptographic failure"
    title_zh = "密码运算失败"


class KeyNotFound(CryptoError):
    status = 404
    slug = "key-not-found"
    title = "Key not found"
    title_zh = "未找到密钥"


class SignatureInvalid(CryptoError):
    slug = "signature-invalid"
    title = "Signature does not verify"
    title_zh = "签名验证未通过"


class RefusedForReason(SignatureInvalid):
    """A signed object was refused for one named reason (a StrEnum member).

    Subclasses give ``reasons_zh``, the Chinese text of each reason; the problem+json
    document carries the reason code so that clients can act on it.
    """

    reasons_zh: ClassVar[Mapping[Any, str]] = {}

    def __init__(self, reason: enum.StrEnum, message: str) -> None:
        zh = self.reasons_zh[reason]
        super().__init__(f"{zh}: {message}")
        self.reason = reason
        self.message_en = message
        self.message_zh = zh

    def problem_extensions(self) -> dict[str, Any]:
        return {"reason": self.reason.value}
