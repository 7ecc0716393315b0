"""Errors of the governance domain (audit log, consent), under ``certfree.errors``::

    CertfreeError
    ├── AuditUnavailable        503 the audit log could not record an entry (retry later)
    ├── AuditNodeUnreachable    502 a node's head or proof could not be fetched
    ├── NotFound
    │   └── AuditEntryNotFound  404 no log entry with that index (or beyond the tree size)
    ├── InvalidInput
    │   └── AuditRangeInvalid   422 tree sizes or index out of range for a proof
    └── SignatureInvalid
        ├── AuditProofInvalid   422 an inclusion or consistency proof does not verify
        └── TreeHeadInvalid     422 a signed tree head is malformed, unsigned or inconsistent

Helpers append their classes below; keep each section headed by its subject.
"""

from __future__ import annotations

from certfree.errors import CertfreeError, InvalidInput, NotFound, SignatureInvalid

__all__ = [
    "AuditEntryNotFound",
    "AuditNodeUnreachable",
    "AuditProofInvalid",
    "AuditRangeInvalid",
    "AuditUnavailable",
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
