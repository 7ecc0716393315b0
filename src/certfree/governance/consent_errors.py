"""Errors of consent (a separate module so the audit log's ``errors.py`` stays its own)::

    CertfreeError
    ├── NotFound
    │   └── ConsentNotFound     404 no consent with that id (for this subject)
    ├── Conflict
    │   └── ConsentRevoked      409 the consent is already revoked
    └── AuthError
        └── Forbidden
            └── ConsentRefused  403 personal data asked without a valid consent (named ``reason``)

Each refusal carries its reason slug (``ConsentReason``) in the problem document.
"""

from __future__ import annotations

import enum
from typing import Any

from certfree.errors import Conflict, Forbidden, NotFound

__all__ = ["ConsentNotFound", "ConsentReason", "ConsentRefused", "ConsentRevoked"]


class ConsentReason(enum.StrEnum):
    """Why a consent snapshot does not cover a question; stable slugs."""

    NO_CONSENT = "no_consent"
    EXPIRED = "consent_expired"
    REVOKED = "consent_revoked"
    MISMATCH = "consent_mismatch"  # other consumer, service item, question or subject
    MALFORMED = "consent_malformed"

    @property
    def zh(self) -> str:
        return _ZH[self]


_ZH = {
    ConsentReason.NO_CONSENT: "缺少数据主体的同意",
    ConsentReason.EXPIRED: "数据主体的同意已过期",
    ConsentReason.REVOKED: "数据主体已撤回同意",
    ConsentReason.MISMATCH: "数据主体的同意不涵盖此次核验",
    ConsentReason.MALFORMED: "同意凭据格式有误",
}


class ConsentRefused(Forbidden):
    slug = "consent-refused"
    title = "No valid consent of the data subject"
    title_zh = "缺少有效的个人同意"

    def __init__(self, reason: ConsentReason, detail: str) -> None:
        super().__init__(f"{reason.zh}：{detail}")
        self.reason = reason

    def problem_extensions(self) -> dict[str, Any]:
        return {"reason": self.reason.value}


class ConsentNotFound(NotFound):
    slug = "consent-not-found"
    title = "Consent not found"
    title_zh = "未找到同意记录"


class ConsentRevoked(Conflict):
    slug = "consent-revoked"
    title = "Consent already revoked"
    title_zh = "同意已撤回"
