"""Errors of the governance domain (audit log, consent), under ``certfree.errors``::

    CertfreeError
    ├── AuditUnavailable        503 the audit log could not record an entry (retry later)
    ├── AuditNodeUnreachable    502 a node's head or proof could not be fetched
    ├── NotFound
    │   ├── AuditEntryNotFound  404 no log entry with that index (or beyond the tree size)
    │   └── ConsentNotFound     404 no consent with that id (for this subject)
    ├── InvalidInput
    │   └── AuditRangeInvalid   422 tree sizes or index out of range for a proof
    ├── Conflict
    │   ├── ConsentRevoked      409 the consent is already revoked
    │   └── NotConsentIssuer    409 only the province node attests consent
    ├── AuthError
    │   └── Forbidden
    │       └── ConsentRefused  403 personal data asked without a valid consent attestation
    │                               (named ``reason``)
    └── SignatureInvalid
        ├── AuditProofInvalid   422 an inclusion or consistency proof does not verify
        └── TreeHeadInvalid     422 a signed tree head is malformed, unsigned or inconsistent

Each consent refusal carries its reason slug (``ConsentReason``) in the problem document.
"""

from __future__ import annotations

import enum
from typing import Any

from certfree.errors import (
    CertfreeError,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    SignatureInvalid,
)

__all__ = [
    "AuditEntryNotFound",
    "AuditNodeUnreachable",
    "AuditProofInvalid",
    "AuditRangeInvalid",
    "AuditUnavailable",
    "ConsentNotFound",
    "ConsentReason",
    "ConsentRefused",
    "ConsentRevoked",
    "NotConsentIssuer",
    "TreeHeadInvalid",
]

# -- audit log ----------------------------------------------------------------------------------


class AuditUnavailable(CertfreeError):
    """An entry could not be committed; X-Road's rule says nothing may be released then."""

    status = 503
    slug = "audit-unavailable"
    title = "Audit log unavailable"
    title_zh = "审计日志暂不可用"


class AuditEntryNotFound(NotFound):
    slug = "audit-entry-not-found"
    title = "Audit entry not found"
    title_zh = "未找到审计日志条目"


class AuditRangeInvalid(InvalidInput):
    slug = "audit-range-invalid"
    title = "Tree size or index out of range"
    title_zh = "树大小或序号超出范围"


class AuditProofInvalid(SignatureInvalid):
    slug = "audit-proof-invalid"
    title = "Merkle proof does not verify"
    title_zh = "默克尔证明验证未通过"


class TreeHeadInvalid(SignatureInvalid):
    slug = "tree-head-invalid"
    title = "Signed tree head refused"
    title_zh = "签名树头未通过验证"


class AuditNodeUnreachable(CertfreeError):
    """A node's audit endpoints could not be fetched (down, wrong URL, or not a certfree node)."""

    status = 502
    slug = "audit-node-unreachable"
    title = "Node's audit log unreachable"
    title_zh = "无法访问节点的审计日志"


# -- consent ------------------------------------------------------------------------------------


class ConsentReason(enum.StrEnum):
    """Why a consent attestation does not cover a question; stable slugs."""

    NO_CONSENT = "no_consent"
    EXPIRED = "consent_expired"
    REVOKED = "consent_revoked"
    MISMATCH = "consent_mismatch"  # other consumer, service item, question or subject
    MALFORMED = "consent_malformed"
    FORGED = "consent_forged"  # not signed by the province's key, or altered since
    UNVERIFIABLE = "consent_unverifiable"  # this node has no province key to check it with

    @property
    def zh(self) -> str:
        return _ZH[self]

    @property
    def en(self) -> str:
        return _EN[self]


_ZH = {
    ConsentReason.NO_CONSENT: "缺少数据主体的同意",
    ConsentReason.EXPIRED: "数据主体的同意已过期",
    ConsentReason.REVOKED: "数据主体已撤回同意",
    ConsentReason.MISMATCH: "数据主体的同意不涵盖此次核验",
    ConsentReason.MALFORMED: "同意凭据格式有误",
    ConsentReason.FORGED: "同意凭据不是省级节点签发的，或签发后被改动",
    ConsentReason.UNVERIFIABLE: "本节点无法核对同意凭据（节点注册表中没有省级节点的公钥）",
}
_EN = {
    ConsentReason.NO_CONSENT: "no consent of the data subject",
    ConsentReason.EXPIRED: "the data subject's consent has expired",
    ConsentReason.REVOKED: "the data subject has withdrawn the consent",
    ConsentReason.MISMATCH: "the data subject's consent does not cover this question",
    ConsentReason.MALFORMED: "the consent attestation is malformed",
    ConsentReason.FORGED: "the consent attestation was not signed by the province, or was altered",
    ConsentReason.UNVERIFIABLE: (
        "this node cannot check the consent attestation (no province key in its node registry)"
    ),
}


class ConsentRefused(Forbidden):
    slug = "consent-refused"
    title = "No valid consent of the data subject"
    title_zh = "缺少有效的个人同意"

    def __init__(self, reason: ConsentReason, detail: str) -> None:
        super().__init__(f"{reason.zh}：{detail}（{reason.en}）")
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


class NotConsentIssuer(Conflict):
    """A consent attestation asked of a node that is not the province (the identity provider
    whose key every node trusts for them)."""

    slug = "not-consent-issuer"
    title = "Only the province node attests consent"
    title_zh = "仅省级节点签发同意凭据"
