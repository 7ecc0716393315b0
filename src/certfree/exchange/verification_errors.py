"""Errors of department verification; each says what the desk or the department can do."""

from __future__ import annotations

from certfree.errors import Conflict, Forbidden, InvalidInput, NotFound

__all__ = [
    "InvalidVerificationRequest",
    "NotYourVerification",
    "VerificationClosed",
    "VerificationMismatch",
    "VerificationNotFound",
]


class InvalidVerificationRequest(InvalidInput):
    """A field of a request or an answer is wrong (names the field and the fault)."""

    slug = "invalid-verification-request"
    title = "Invalid verification request"
    title_zh = "核验请求有误"


class VerificationNotFound(NotFound):
    slug = "verification-not-found"
    title = "Verification request not found"
    title_zh = "核验请求不存在"


class NotYourVerification(Forbidden):
    """Answering another department's inbox, or withdrawing another node's request."""

    slug = "not-your-verification"
    title = "Not this node's verification request"
    title_zh = "非本节点的核验请求"


class VerificationClosed(Conflict):
    """The request was already answered or withdrawn: it cannot change again."""

    slug = "verification-closed"
    title = "Verification request already closed"
    title_zh = "核验请求已办结"


class VerificationMismatch(Conflict):
    """A retried message reuses a request id with different content."""

    slug = "verification-mismatch"
    title = "Request id reused with different content"
    title_zh = "同一请求编号内容不一致"
