"""Errors of the exchange, under the tree in :mod:`certfree.errors`::

SignatureInvalid
└── RefusedForReason
    └── MessageRefused         422 a node message refused for a named reason (RefusalReason)
CertfreeError
├── ProviderUnavailable        503 a node on the path did not answer in time
└── ExchangePortOnly           421 a node message sent to the public port, not the exchange port
Forbidden / NotFound / InvalidInput / Conflict
└── ProviderRefused*           the provider answered with a signed refusal (403/404/422/409)
InvalidInput
├── QuestionArgsInvalid        422 a question's argument is missing, unknown or malformed (†)
├── BindingInvalid             422 a bindings file or its SQL does not fit the question
└── InvalidVerificationRequest 422 a field of a department verification request or answer
NotFound
├── QuestionNotFound           404 no question with that name (†)
├── QuestionNotOffered         404 this provider's department does not answer it
├── SubjectUnknown             404 the provider has no record of the person or firm asked about
└── VerificationNotFound       404 no such department verification request at this node
Forbidden
├── NotYourVerification        403 another department's inbox, or another node's request
└── NoticeRefused              403 a register notice this department does not take (seal, item)
Conflict
├── NodeWithoutEndpoint        409 a node on the path registered no address, so none reaches it
├── NodeWithoutEncryptionKey   409 the receiver registered no encryption key, so nothing is sent
├── VerificationClosed         409 the request was already answered or withdrawn
└── VerificationMismatch       409 a request id reused with different content

(†) defined with the question catalogue (:mod:`certfree.questions`), re-exported here.

Refusals of a question for want of a grant or of consent are ``certfree.catalog.GrantRefused``
and ``certfree.governance.ConsentRefused`` (403, each with a named ``reason``).
"""

from __future__ import annotations

import enum
from typing import Any, ClassVar

from certfree.errors import (
    CertfreeError,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    RefusedForReason,
)
from certfree.questions import QuestionArgsInvalid, QuestionNotFound

__all__ = [
    "BindingInvalid",
    "ExchangePortOnly",
    "InvalidVerificationRequest",
    "MessageRefused",
    "NodeWithoutEncryptionKey",
    "NodeWithoutEndpoint",
    "NotYourVerification",
    "NoticeRefused",
    "ProviderConflict",
    "ProviderForbidden",
    "ProviderInvalidInput",
    "ProviderNotFound",
    "ProviderRefused",
    "ProviderUnavailable",
    "QuestionArgsInvalid",
    "QuestionNotFound",
    "QuestionNotOffered",
    "RefusalReason",
    "SubjectUnknown",
    "VerificationClosed",
    "VerificationMismatch",
    "VerificationNotFound",
    "provider_refusal",
]


class RefusalReason(enum.StrEnum):
    """Why a node refused a message; stable slugs that clients act on."""

    BAD_SIGNATURE = "bad_signature"
    UNKNOWN_SENDER = "unknown_sender"
    REVOKED_SENDER = "revoked_sender"
    WRONG_RECEIVER = "wrong_receiver"
    STALE_TIMESTAMP = "stale_timestamp"
    REPLAYED = "replayed"
    UNSUPPORTED_VERSION = "unsupported_version"
    MALFORMED = "malformed"
    UNKNOWN_KID = "unknown_kid"
    NO_HANDLER = "no_handler"
    WRONG_HOP = "wrong_hop"
    UNDECRYPTABLE = "undecryptable"  # the body is not encrypted to the receiver's keys


class MessageRefused(RefusedForReason):
    """A node refused a message before acting on it; ``reason`` says why."""

    slug = "message-refused"
    title = "Message refused"
    title_zh = "节点拒收消息"
    reasons_zh: ClassVar[dict[Any, str]] = {
        RefusalReason.BAD_SIGNATURE: "消息签名验证未通过",
        RefusalReason.UNKNOWN_SENDER: "发送节点未在节点注册表中登记",
        RefusalReason.REVOKED_SENDER: "发送节点已被注销",
        RefusalReason.WRONG_RECEIVER: "消息的接收节点不是本节点，也不经由本节点转发",
        RefusalReason.STALE_TIMESTAMP: "消息时间戳超出允许的时钟偏差",
        RefusalReason.REPLAYED: "消息编号已使用过（重放）",
        RefusalReason.UNSUPPORTED_VERSION: "不支持的消息版本",
        RefusalReason.MALFORMED: "消息格式有误",
        RefusalReason.UNKNOWN_KID: "发送节点没有登记该签名密钥",
        RefusalReason.NO_HANDLER: "接收节点不处理这一类消息",
        RefusalReason.WRONG_HOP: "消息未经级联规定的上一节点送达",
        RefusalReason.UNDECRYPTABLE: "消息体无法用接收节点的加密密钥解密",
    }

    def __init__(self, reason: RefusalReason, message: str, *, node: str | None = None) -> None:
        super().__init__(reason, message)
        self.node = node

    def problem_extensions(self) -> dict[str, Any]:
        return {"reason": self.reason.value, "node": self.node}


class ProviderUnavailable(CertfreeError):
    """A node on the path could not be reached in time; the caller may retry later."""

    status = 503
    slug = "provider-unavailable"
    title = "Provider unavailable"
    title_zh = "提供方节点不可用"

    def __init__(self, node: str, message: str) -> None:
        super().__init__(f"节点 {node} 不可用（{message}），请稍后重试")
        self.node = node

    def problem_extensions(self) -> dict[str, Any]:
        return {"node": self.node}


class ExchangePortOnly(CertfreeError):
    """A node message reached the public listener: node messages are taken on the exchange
    listener only, where the sender showed a certificate of the exchange CA (RFC 9110
    §15.5.20 421 Misdirected Request: this port is not the one that answers for it)."""

    status = 421
    slug = "exchange-port-only"
    title = "Node messages go to the exchange port"
    title_zh = "节点消息应发往交换端口"

    def __init__(self, exchange_port: int) -> None:
        super().__init__(
            f"本端口不接收节点消息，请发往交换端口 {exchange_port}（https，TLS 1.3 双向认证），"
            f"并在注册表中登记该地址（node messages are taken on the exchange port "
            f"{exchange_port} only, over https with mutual TLS; register that address）"
        )


class SubjectUnknown(NotFound):
    """The provider has no record of the person or firm a question is about: it answers "no
    record" (reason ``not_found``) rather than a signed negative such as "unmarried"."""

    slug = "subject-unknown"
    title = "No record of the subject"
    title_zh = "提供方无此主体的记录"
    reason = "not_found"

    def problem_extensions(self) -> dict[str, Any]:
        return {"reason": self.reason}


class NodeWithoutEncryptionKey(Conflict):
    """The receiver of a message has no encryption key (``use: enc``) in the registry, so
    its body cannot be encrypted to it and nothing is sent. Not a 503: no retry helps while
    the registry stays as it is."""

    slug = "node-without-encryption-key"
    title = "Node has no registered encryption key"
    title_zh = "节点未登记加密公钥"

    def __init__(self, node: str) -> None:
        super().__init__(
            f"节点 {node} 未在节点注册表中登记加密公钥（use: enc），消息无法加密发送；该节点应以 "
            f"`certfree keys jwks --with-encryption` 的输出重新登记（node {node} has no "
            "encryption key in the registry; it must register the JWK Set that "
            "`certfree keys jwks --with-encryption` prints）",
            field="provider",
        )
        self.node = node


class NodeWithoutEndpoint(Conflict):
    """A node on the path has registered no address: nothing can reach it until it does.

    Not a 503: no retry helps while the registry stays as it is."""

    slug = "node-without-endpoint"
    title = "Node has no registered address"
    title_zh = "节点未登记接入地址"

    def __init__(self, node: str) -> None:
        super().__init__(
            f"节点 {node} 未在节点注册表中登记接入地址，无法送达"
            f"（node {node} has no endpoint in the registry）",
            field="provider",
        )
        self.node = node

    def problem_extensions(self) -> dict[str, Any]:
        return {"node": self.node}


class ProviderRefused(CertfreeError):
    """Mixin: the provider refused in a signed ``refusal`` message (kept as proof)."""

    provider: str
    reason: str | None
    signed_refusal: str

    def _setup(self, provider: str, reason: str | None, signed: str) -> None:
        self.provider = provider
        self.reason = reason
        self.signed_refusal = signed

    def problem_extensions(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "reason": self.reason,
            "signed_refusal": self.signed_refusal,
        }


class ProviderForbidden(ProviderRefused, Forbidden):
    slug = "provider-forbidden"
    title = "Refused by the provider"
    title_zh = "提供方拒绝回答"


class ProviderNotFound(ProviderRefused, NotFound):
    slug = "provider-not-found"


class ProviderInvalidInput(ProviderRefused, InvalidInput):
    slug = "provider-invalid-input"


class ProviderConflict(ProviderRefused, Conflict):
    slug = "provider-conflict"


_BY_STATUS: dict[int, type[ProviderRefused]] = {
    403: ProviderForbidden,
    404: ProviderNotFound,
    409: ProviderConflict,
    422: ProviderInvalidInput,
}


def provider_refusal(
    *, provider: str, status: int, detail: str, reason: str | None, field: str | None, signed: str
) -> ProviderRefused:
    """The error to raise for a provider's signed refusal with HTTP-like ``status``."""
    cls = _BY_STATUS.get(status, ProviderForbidden)
    error = cls(f"{provider}: {detail}", field=field)
    error._setup(provider, reason, signed)
    return error


# -- verification questions -------------------------------------------------------------------


class BindingInvalid(InvalidInput):
    slug = "binding-invalid"
    title = "Question binding invalid"
    title_zh = "核验问题的数据绑定有误"


class QuestionNotOffered(NotFound):
    slug = "question-not-offered"
    title = "Question not offered by this provider"
    title_zh = "该节点不答复此核验问题"


# -- department verification ------------------------------------------------------------------


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


class NoticeRefused(Forbidden):
    """A register notice the department does not take: the decision was not sealed by the
    sender or does not approve the application, the service item is not the department's,
    or the department keeps no register the act writes."""

    slug = "register-notice-refused"
    title = "Register notice refused"
    title_zh = "登记信息推送被拒绝"


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
