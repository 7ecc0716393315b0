"""Errors of data-subject requests, under ``certfree.errors``::

CertfreeError
├── InvalidInput
│   └── FactNotCorrectable      422 the fact or face field cannot be corrected here (names
│                                   the field; says which facts can)
├── NotFound
│   ├── SubjectRequestNotFound  404 no such request for this citizen or department
│   └── ObjectionNotFound       404 no such objection of this citizen
├── Conflict
│   ├── RequestAlreadyAnswered  409 a correction is answered once
│   └── RequestMismatch         409 a request id reused with other content
└── AuthError
    └── Forbidden
        └── UseObjected         403 the data subject objected to this use (PIPL 第44条)
"""

from __future__ import annotations

from typing import Any

from certfree.errors import CertfreeError, Conflict, Forbidden, InvalidInput, NotFound

__all__ = [
    "FactNotCorrectable",
    "ObjectionNotFound",
    "PeerRefused",
    "RequestAlreadyAnswered",
    "RequestMismatch",
    "SubjectRequestNotFound",
    "UseObjected",
]


class FactNotCorrectable(InvalidInput):
    slug = "fact-not-correctable"
    title = "This fact cannot be corrected online"
    title_zh = "该事项不能在线申请更正"


class PeerRefused(CertfreeError):
    """The other node refused the message in a signed refusal: the same message would be
    refused again (a ``Sender`` raises it for the exchange's ProviderRefused)."""

    status = 502
    slug = "subject-request-peer-refused"
    title = "The other node refused the message"
    title_zh = "对方节点拒收该消息"


class SubjectRequestNotFound(NotFound):
    slug = "subject-request-not-found"
    title = "Data-subject request not found"
    title_zh = "未找到个人信息权利请求"


class ObjectionNotFound(NotFound):
    slug = "objection-not-found"
    title = "Objection not found"
    title_zh = "未找到反对处理的记录"


class RequestAlreadyAnswered(Conflict):
    slug = "subject-request-answered"
    title = "The request is already answered"
    title_zh = "该请求已答复"


class RequestMismatch(Conflict):
    slug = "subject-request-mismatch"
    title = "Request id already used for another request"
    title_zh = "请求编号已用于另一请求"


class UseObjected(Forbidden):
    """The person this use is about objected to uses of this kind (PIPL 第44条): refused
    before anything is asked."""

    slug = "use-objected"
    title = "The data subject objected to this use"
    title_zh = "个人已拒绝此类处理"

    def __init__(self, message: str, *, use: str, subject_masked: str) -> None:
        super().__init__(message, field="question")
        self.use = use
        self.subject_masked = subject_masked

    def problem_extensions(self) -> dict[str, Any]:
        return {"use": self.use, "subject": self.subject_masked}
