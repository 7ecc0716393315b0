"""Versioned body schemas of node messages (protocol version 1).

Each message type has a body model; unknown members are refused so that a v1 node never
silently ignores what a later version added (that needs ``v: 2``). Department verification
bodies belong to :mod:`certfree.exchange.verification.requests` and are only required to be objects.

The same table says which bodies travel encrypted end to end (``{"jwe": <compact JWE>}``,
:mod:`certfree.crypto.jwe`, docs/exchange-encryption.md): by default every one, so that the
nodes that only route see the routing members of the payload and never personal data.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from certfree.errors import InvalidInput

__all__ = [
    "MessageType",
    "QuestionAnswerBody",
    "QuestionAskBody",
    "RefusalBody",
    "RegisterNoticeBody",
    "check_type",
    "is_encrypted",
    "reply_type",
    "sealed_body",
    "validate_body",
]


class MessageType(enum.StrEnum):
    QUESTION_ASK = "question.ask"
    QUESTION_ANSWER = "question.answer"
    VERIFICATION_REQUEST = "verification.request"
    VERIFICATION_ANSWER = "verification.answer"
    VERIFICATION_WITHDRAW = "verification.withdraw"
    REGISTER_NOTICE = "register.notice"  # an approval's register write, to the register keeper
    # A citizen's correction of a department's fact and its answer; bodies are checked by
    # certfree.governance.subject_rights.
    CORRECTION_REQUEST = "correction.request"
    CORRECTION_ANSWER = "correction.answer"
    REFUSAL = "refusal"
    ACK = "ack"  # the signed receipt of any message that is not a question


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QuestionAskBody(_Body):
    question: str = Field(min_length=1, max_length=64)
    args: dict[str, Any]
    service_item: str = Field(min_length=1, max_length=64)
    purpose: str = Field(min_length=1, max_length=500)
    # The data subjects' consent attestations (compact JWS signed by the province), one per
    # subject: same_household asks about two people.
    consent: list[str] | None = Field(default=None, max_length=8)
    application: str | None = Field(default=None, min_length=1, max_length=64)  # the consumer's


class QuestionAnswerBody(_Body):
    question: str
    result: dict[str, Any]
    grant_id: int | str | None
    consent_id: int | str | None = None
    consent_ids: list[int | str] = Field(default_factory=list)
    legal_basis: str | None = None
    answered_at: str


class RegisterNoticeBody(_Body):
    """An accepting node tells the department that keeps a register what its approval
    wrote there (:mod:`certfree.exchange.register_notices` checks ``record`` per ``act``)."""

    application: str = Field(min_length=1, max_length=24)
    service_item: str = Field(min_length=1, max_length=64)
    act: Literal["marriage_registered", "firm_registered", "household_moved"]
    record: dict[str, Any]
    # The application's sealed decision record (compact JWS by the sender's node key).
    decision_seal: str = Field(min_length=1, max_length=20_000)


class RefusalBody(_Body):
    """A provider's signed refusal: an HTTP-like status, a problem slug and the reason."""

    status: int = Field(ge=400, le=599)
    slug: str
    reason: str | None = None
    detail: str
    field: str | None = None


class _Rule(NamedTuple):
    schema: type[_Body] | None  # None: the handler's domain checks the body
    encrypted: bool  # the body travels as {"jwe": …} to the receiver's encryption key


# The message-type table. Encrypted unless a type's body is routing metadata only, and none
# is: an ask names its subjects, an answer their data, a refusal may name a field or person,
# and even an ack says what was registered for whom (an application's marriage, its firm).
_TYPES: dict[str, _Rule] = {
    MessageType.QUESTION_ASK: _Rule(QuestionAskBody, encrypted=True),
    MessageType.QUESTION_ANSWER: _Rule(QuestionAnswerBody, encrypted=True),
    MessageType.REFUSAL: _Rule(RefusalBody, encrypted=True),
    MessageType.VERIFICATION_REQUEST: _Rule(None, encrypted=True),
    MessageType.VERIFICATION_ANSWER: _Rule(None, encrypted=True),
    MessageType.VERIFICATION_WITHDRAW: _Rule(None, encrypted=True),
    MessageType.REGISTER_NOTICE: _Rule(RegisterNoticeBody, encrypted=True),
    MessageType.CORRECTION_REQUEST: _Rule(None, encrypted=True),
    MessageType.CORRECTION_ANSWER: _Rule(None, encrypted=True),
    MessageType.ACK: _Rule(None, encrypted=True),
}


def reply_type(request_type: str) -> str:
    """The type of a provider's (non-refusal) reply to a message of ``request_type``."""
    return (
        MessageType.QUESTION_ANSWER if request_type == MessageType.QUESTION_ASK else MessageType.ACK
    )


def check_type(type_: str) -> None:
    """Raise InvalidInput(field="type") unless ``type_`` is a message type of this version."""
    if type_ not in _TYPES:
        known = ", ".join(_TYPES)
        raise InvalidInput(f"未知的消息类型 {type_!r}（known: {known}）", field="type")


def is_encrypted(type_: str) -> bool:
    """Whether bodies of ``type_`` travel encrypted (unknown types: yes, the default)."""
    rule = _TYPES.get(type_)
    return rule is None or rule.encrypted


def sealed_body(body: Mapping[str, Any]) -> str | None:
    """The compact JWE of an encrypted body (exactly ``{"jwe": "<token>"}``), else None."""
    token = body.get("jwe")
    if set(body) == {"jwe"} and isinstance(token, str) and token:
        return token
    return None


def validate_body(type_: str, body: Mapping[str, Any]) -> None:
    """Raise InvalidInput(field="body") unless ``body`` fits the schema of ``type_``."""
    check_type(type_)
    schema = _TYPES[type_].schema
    if schema is None:
        return
    try:
        schema.model_validate(dict(body))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise InvalidInput(f"消息体 {where}: {first['msg']}", field="body") from exc
