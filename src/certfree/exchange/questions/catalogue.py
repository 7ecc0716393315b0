"""Verification questions (数据共享核验): the provider's answer.

The questions themselves — definitions as data, argument checks, grant scopes — are the
catalogue in :mod:`certfree.questions`, which the service-item catalogue reads too; the names
re-exported here keep the exchange's callers working. Each question's default binding to SQL
is run by :mod:`certfree.exchange.questions.adapters`.

:func:`answer_question` is the provider's handler for a ``question.ask`` body: validate the
question and its arguments, check the grant, check each data subject's consent attestation
(signed by the province; unless the grant cites a legal exemption), run the adapter, return
the ``question.answer`` body.

A field the grant does not name is not answered whole: :func:`answer_result` masks it by its
class's rule (certfree.governance.masking), or leaves it out where the mask would show nothing
(a yes/no answer, a hidden class), as the protocol always did for fields not granted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from certfree.catalog import check_question_grant
from certfree.exchange.errors import (
    ProviderUnavailable,
    QuestionArgsInvalid,
    QuestionNotOffered,
)
from certfree.exchange.protocol.handlers import HandlerContext
from certfree.exchange.protocol.signing import Message
from certfree.exchange.questions.adapters import QuestionAdapter, SessionAdapter
from certfree.exchange.questions.consents import check_consents, consent_issuer
from certfree.governance import (
    ConsentIssuer,
    MaskRule,
    mask_value,
    questions_of_service_item,
    rule_for,
)
from certfree.nodes import DepartmentKind
from certfree.questions import (
    QuestionDef,
    get_question,
    validate_args,
)
from certfree.storage import utcnow

__all__ = ["answer_question", "answer_result", "handle_ask", "questions_for"]


def questions_for(
    session: Session, service_item: str, names: Sequence[str] | None = None
) -> list[QuestionDef]:
    """The questions ``names``, or without names every one ``service_item``'s requirements use."""
    chosen = names or questions_of_service_item(session, service_item)
    return [get_question(name) for name in chosen]


def _offered_by(question: QuestionDef, provider: str) -> None:
    # Department node codes end in the department kind (370100-MZ); other nodes (a test's
    # province node answering for itself) are not checked.
    _, dash, kind = provider.rpartition("-")
    if dash and kind in DepartmentKind.__members__ and kind != question.department.value:
        raise QuestionNotOffered(
            f"节点 {provider} 不答复问题 {question.name}，"
            f"应向{question.department.name_zh}部门提问",
            field="question",
        )


def answer_question(
    session: Session | Connection,
    *,
    consumer: str,
    provider: str,
    body: Mapping[str, Any],
    adapter: QuestionAdapter | None = None,
    issuer: ConsentIssuer | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The ``question.answer`` body for a ``question.ask`` body, or an error.

    ``body``: ``{"question", "args", "service_item", "purpose", "consent"}`` and optionally
    ``"data_items"`` and ``"application"`` (the consumer's application id: an attestation
    naming another application is refused); ``consent`` is a list of consent attestations
    (one per data subject, e.g. both parties of ``same_household``) or null, each checked
    against ``issuer`` (the province's keys from this node's registry,
    ``RegistrySnapshot.consent_issuer``).
    The answer holds the core fields and, of the others, those whose data items the consumer
    lists in ``data_items`` (the grant must allow them) or, without that list, all the grant
    allows. ``adapter`` answers from the facts (default: the default bindings over
    ``session``, i.e. the node's own tables). Everything runs as Core statements on the
    session's connection (or the connection given): the provider answers every question so.

    Raises QuestionNotFound / QuestionNotOffered (404), QuestionArgsInvalid (422,
    ``args.<name>``), GrantRefused (403, reason ``no_grant`` … ``data_item_not_allowed``),
    ConsentRefused (403, reason ``no_consent``, ``consent_forged`` … ``consent_expired``).
    """
    at = now or utcnow()
    name = body.get("question")
    if not isinstance(name, str):
        raise QuestionArgsInvalid("请求缺少问题名 question", field="question")
    question = get_question(name)
    _offered_by(question, provider)
    raw_args = body.get("args") or {}
    if not isinstance(raw_args, Mapping):
        raise QuestionArgsInvalid("args 应为 参数名→值 的对象", field="args")
    args = validate_args(question, raw_args, today=at.date())
    service_item = body.get("service_item")
    if not isinstance(service_item, str) or not service_item:
        raise QuestionArgsInvalid("请求缺少服务事项编码 service_item", field="service_item")
    wanted = _wanted_items(question, body.get("data_items"))
    if isinstance(session, Session):
        session.flush()  # what the caller added is seen by the statements on its connection
    connection = session.connection() if isinstance(session, Session) else session
    grant = check_question_grant(
        connection,
        consumer=consumer,
        provider=provider,
        question=question.name,
        service_item=service_item,
        data_items=(*question.core_data_items, *wanted),
        now=at,
    )
    allowed = set(grant.data_items) if body.get("data_items") is None else set(wanted)
    consent_ids: list[str] = []
    if grant.consent_exempt_basis is None:
        consent_ids = check_consents(
            question,
            args,
            body.get("consent"),
            consumer=consumer,
            service_item=service_item,
            data_items=[f.data_item for f in question.answer if f.core or f.data_item in allowed],
            issuer=issuer,
            now=at,
            application=_application(body.get("application")),
        )
    facts = (adapter or SessionAdapter(connection)).answer(question, args, at.date())
    result, masked = answer_result(
        question, facts, allowed, narrowed=body.get("data_items") is not None
    )
    return {
        "question": question.name,
        "result": result,
        "grant_id": grant.id,
        "consent_id": consent_ids[0] if consent_ids else None,
        "consent_ids": consent_ids,
        "legal_basis": grant.consent_exempt_basis,
        "answered_at": at.isoformat(),
    } | ({"masked": masked} if masked else {})


def handle_ask(ctx: HandlerContext, message: Message) -> dict[str, Any]:
    """``question.ask`` at the provider: :func:`answer_question` as the addressee, the
    consents checked with the province's keys of the registry the message was checked against.
    """
    directory = ctx.directory.cached
    if directory is None:  # a 5xx is not stored: the consumer's retry is answered anew
        raise ProviderUnavailable(ctx.node_code, "node registry not loaded; retry")
    return answer_question(
        ctx.connection,
        consumer=message.sender,
        provider=ctx.node_code,
        body=message.body,
        issuer=consent_issuer(ctx.node, directory),
    )


def answer_result(
    question: QuestionDef, facts: Mapping[str, Any], granted: Collection[str], *, narrowed: bool
) -> tuple[dict[str, Any], list[str]]:
    """The answer's ``result`` and the names of its masked fields.

    A core field, or one whose data item is in ``granted``, is answered whole. Another is
    masked by its class's rule (个人信息保护法 第6条 最小必要), or left out where a mask
    shows nothing — a yes/no answer or a hidden class — and always left out when the consumer
    ``narrowed`` the answer to the data items it asked for.
    """
    result: dict[str, Any] = {}
    masked: list[str] = []
    for field in question.answer:
        value = facts[field.name]
        if field.core or field.data_item in granted:
            result[field.name] = value
            continue
        rule = rule_for(field.data_class)
        if narrowed or isinstance(value, bool) or rule in (MaskRule.HIDDEN, MaskRule.NONE):
            continue
        result[field.name] = mask_value(rule, value)
        masked.append(field.name)
    return result, masked


def _application(raw: Any) -> str | None:
    if raw is None or (isinstance(raw, str) and 0 < len(raw) <= 64):
        return raw
    raise QuestionArgsInvalid(
        "application 应为 1 到 64 个字符的办件编号或 null"
        "（application must be an application id or null）",
        field="application",
    )


def _wanted_items(question: QuestionDef, raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise QuestionArgsInvalid("data_items 应为数据项名称的列表", field="data_items")
    foreign = [item for item in raw if item not in question.data_items]
    if foreign:
        raise QuestionArgsInvalid(
            f"问题 {question.name} 的答复不含数据项 {'、'.join(foreign)}"
            f"（可有：{'、'.join(question.data_items)}）",
            field="data_items",
        )
    return tuple(raw)
