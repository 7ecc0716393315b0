"""Verification questions (数据共享核验): definitions as data, and the provider's answer.

Questions live in ``data/questions.json``: name, titles, the department kind that answers,
parameters (typed: resident_id, uscc, division, int, str, enum; ``subject`` marks a data
subject's ID number), answer fields and the data item each reveals, and a binding to SQL
(:mod:`certfree.exchange.adapters`). Answers are minimal (数据最小化, PIPL §6): core fields —
a boolean or an enum — and other fields only when the grant allows their data items.

:func:`answer_question` is the provider's handler for a ``question.ask`` body: validate the
question and its arguments, check the grant, check consent for personal data (unless the grant
cites a legal exemption), run the adapter, return the ``question.answer`` body.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from sqlalchemy.orm import Session

from certfree.catalog import check_grant
from certfree.errors import InvalidIdentifier
from certfree.exchange.adapters import QuestionAdapter, SessionAdapter
from certfree.exchange.errors import (
    QuestionArgsInvalid,
    QuestionNotFound,
    QuestionNotOffered,
)
from certfree.governance import check_snapshot, questions_of_service_item
from certfree.identifiers import parse_division, parse_resident_id, parse_uscc
from certfree.nodes import DepartmentKind
from certfree.storage import utcnow

__all__ = [
    "QUESTIONS_FILE",
    "AnswerDataItem",
    "AnswerField",
    "ArgValue",
    "ParamDef",
    "QuestionDef",
    "answer_question",
    "check_grant_scope",
    "data_items",
    "get_question",
    "list_questions",
    "questions_for",
    "validate_args",
]

QUESTIONS_FILE = "questions.json"
PARAM_TYPES = frozenset({"resident_id", "uscc", "division", "int", "str", "enum"})
ANSWER_TYPES = frozenset({"boolean", "int", "enum", "str"})
ArgValue = str | int | None


@dataclass(frozen=True, slots=True)
class AnswerDataItem:
    code: str
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class ParamDef:
    name: str
    type: str
    required: bool
    label_zh: str
    subject: bool = False
    aliases: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    values: tuple[str, ...] = ()
    covered_by: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AnswerField:
    name: str
    type: str
    core: bool
    data_item: str
    values: Mapping[str, str] = field(default_factory=dict)  # enum value → Chinese term


@dataclass(frozen=True, slots=True)
class QuestionDef:
    name: str
    title_zh: str
    title_en: str
    department: DepartmentKind
    ask_zh: str
    ask_en: str
    params: tuple[ParamDef, ...]
    answer: tuple[AnswerField, ...]
    binding: Mapping[str, Any]  # the default binding, see certfree.exchange.adapters
    reveals_zh: tuple[str, ...]
    reveals_en: tuple[str, ...]

    @property
    def subject_params(self) -> tuple[str, ...]:
        """Names of the parameters that are data subjects' ID numbers (consent needed)."""
        return tuple(p.name for p in self.params if p.subject)

    def subjects_in(self, args: Mapping[str, Any]) -> list[str]:
        """The data subjects' ID numbers given in ``args``, in parameter order."""
        return [args[p] for p in self.subject_params if isinstance(args.get(p), str)]

    @property
    def data_items(self) -> tuple[str, ...]:
        """Every data item an answer can reveal."""
        return tuple(dict.fromkeys(f.data_item for f in self.answer))

    @property
    def core_data_items(self) -> tuple[str, ...]:
        """The data items every answer reveals; a grant must allow all of them."""
        return tuple(dict.fromkeys(f.data_item for f in self.answer if f.core))


@functools.cache
def _catalogue() -> tuple[dict[str, AnswerDataItem], dict[str, QuestionDef]]:
    text = (resources.files("certfree.exchange") / "data" / QUESTIONS_FILE).read_text("utf-8")
    raw = json.loads(text)
    items = {
        code: AnswerDataItem(code, entry["zh"], entry["en"])
        for code, entry in raw["data_items"].items()
    }
    questions = {}
    for entry in raw["questions"]:
        question = _question(entry, items)
        questions[question.name] = question
    return items, questions


def _question(entry: Mapping[str, Any], items: Mapping[str, AnswerDataItem]) -> QuestionDef:
    params = tuple(
        ParamDef(
            name=p["name"],
            type=p["type"],
            required=p["required"],
            label_zh=p["label_zh"],
            subject=p.get("subject", False),
            aliases=tuple(p.get("aliases", ())),
            minimum=p.get("min"),
            maximum=p.get("max"),
            values=tuple(p.get("values", ())),
            covered_by={k: tuple(v) for k, v in p.get("covered_by", {}).items()},
        )
        for p in entry["params"]
    )
    answer = tuple(
        AnswerField(a["name"], a["type"], a["core"], a["data_item"], a.get("values", {}))
        for a in entry["answer"]
    )
    assert all(p.type in PARAM_TYPES for p in params), entry["name"]
    assert all(a.type in ANSWER_TYPES and a.data_item in items for a in answer), entry["name"]
    revealed = dict.fromkeys(a.data_item for a in answer)
    return QuestionDef(
        name=entry["name"],
        title_zh=entry["title_zh"],
        title_en=entry["title_en"],
        department=DepartmentKind(entry["department"]),
        ask_zh=entry["ask_zh"],
        ask_en=entry["ask_en"],
        params=params,
        answer=answer,
        binding=entry["binding"],
        reveals_zh=tuple(items[code].zh for code in revealed),
        reveals_en=tuple(items[code].en for code in revealed),
    )


def list_questions() -> list[QuestionDef]:
    return list(_catalogue()[1].values())


def data_items() -> dict[str, AnswerDataItem]:
    """Every data item a question's answer can reveal, by code."""
    return dict(_catalogue()[0])


def get_question(name: str) -> QuestionDef:
    """The question called ``name``; QuestionNotFound (404) listing the known names otherwise."""
    found = _catalogue()[1].get(name)
    if found is None:
        known = "、".join(_catalogue()[1])
        raise QuestionNotFound(f"没有名为 {name} 的核验问题；可用的问题：{known}", field="question")
    return found


def questions_for(
    session: Session, service_item: str, names: Sequence[str] | None = None
) -> list[QuestionDef]:
    """The questions ``names``, or without names every one ``service_item``'s requirements use."""
    chosen = names or questions_of_service_item(session, service_item)
    return [get_question(name) for name in chosen]


def validate_args(
    question: QuestionDef, args: Mapping[str, Any], *, today: dt.date | None = None
) -> dict[str, ArgValue]:
    """The arguments, checked and normalised, with None for each optional one not given.

    QuestionArgsInvalid (field ``args.<name>``) for an unknown, missing or malformed argument.
    """
    by_name = {alias: p for p in question.params for alias in (p.name, *p.aliases)}
    values: dict[str, ArgValue] = {p.name: None for p in question.params}
    for key, raw in args.items():
        param = by_name.get(key)
        if param is None:
            known = "、".join(p.name for p in question.params)
            raise QuestionArgsInvalid(
                f"问题 {question.name} 没有参数 {key}（可用参数：{known}）", field=f"args.{key}"
            )
        if raw is not None:
            values[param.name] = _value(question, param, raw, today or dt.date.today())
    for param in question.params:
        if param.required and values[param.name] is None:
            raise QuestionArgsInvalid(
                f"问题 {question.name} 需要参数 {param.name}（{param.label_zh}）",
                field=f"args.{param.name}",
            )
    subjects = [values[name] for name in question.subject_params if values[name] is not None]
    if len(set(subjects)) != len(subjects):
        raise QuestionArgsInvalid(
            f"问题 {question.name} 的各方身份证号码不能相同",
            field=f"args.{question.params[1].name}",
        )
    return values


def _value(question: QuestionDef, param: ParamDef, raw: Any, today: dt.date) -> ArgValue:
    where = f"问题 {question.name} 的参数 {param.name}（{param.label_zh}）"
    name = f"args.{param.name}"
    if param.type == "int":
        if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
            raw = int(raw)
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise QuestionArgsInvalid(f"{where}应为整数，收到 {raw!r}", field=name)
        low = param.minimum if param.minimum is not None else raw
        high = param.maximum if param.maximum is not None else raw
        if not low <= raw <= high:
            raise QuestionArgsInvalid(f"{where}应在 {low} 到 {high} 之间，收到 {raw}", field=name)
        return raw
    if not isinstance(raw, str):
        raise QuestionArgsInvalid(f"{where}应为字符串，收到 {raw!r}", field=name)
    try:
        if param.type == "resident_id":
            return parse_resident_id(raw, today=today).number
        if param.type == "uscc":
            return parse_uscc(raw).code
        if param.type == "division":
            return parse_division(raw).code
    except InvalidIdentifier as exc:
        raise QuestionArgsInvalid(f"{where}有误：{exc}", field=name) from exc
    value = raw.strip()
    if param.type == "enum" and value not in param.values:
        choices = "、".join(param.values)
        raise QuestionArgsInvalid(f"{where}应为 {choices} 之一，收到「{value}」", field=name)
    if not value or len(value) > 64:
        raise QuestionArgsInvalid(f"{where}应为 1 到 64 个字符", field=name)
    return value


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
    session: Session,
    *,
    consumer: str,
    provider: str,
    body: Mapping[str, Any],
    adapter: QuestionAdapter | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The ``question.answer`` body for a ``question.ask`` body, or an error.

    ``body``: ``{"question", "args", "service_item", "purpose", "consent"}`` and optionally
    ``"data_items"``; ``consent`` is a snapshot (``certfree.governance.consent_snapshot``), a
    list of them (one per data subject, e.g. both parties of ``same_household``) or null.
    The answer holds the core fields and, of the others, those whose data items the consumer
    lists in ``data_items`` (the grant must allow them) or, without that list, all the grant
    allows. ``adapter`` answers from the facts (default: the default bindings over
    ``session``, i.e. the node's own tables).

    Raises QuestionNotFound / QuestionNotOffered (404), QuestionArgsInvalid (422,
    ``args.<name>``), GrantRefused (403, reason ``no_grant`` … ``data_item_not_allowed``),
    ConsentRefused (403, reason ``no_consent`` … ``consent_expired``).
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
    grant = check_grant(
        session,
        consumer=consumer,
        provider=provider,
        question=question.name,
        service_item=service_item,
        data_items=(*question.core_data_items, *wanted),
        now=at,
    )
    consent_ids: list[str] = []
    if grant.consent_exempt_basis is None:
        snapshots = _snapshots(body.get("consent"))
        for param in question.subject_params:
            subject = args[param]
            if subject is None:
                continue
            offered = next((s for s in snapshots if s.get("subject_id") == subject), None)
            if offered is None and len(snapshots) == 1 and len(question.subject_params) == 1:
                offered = snapshots[0]  # let check_snapshot name the mismatch
            consent_ids.append(
                check_snapshot(
                    offered,
                    subject_id=str(subject),
                    consumer=consumer,
                    service_item=service_item,
                    question=question.name,
                    now=at,
                )
            )
    facts = (adapter or SessionAdapter(session)).answer(question, args, at.date())
    allowed = set(grant.data_items) if body.get("data_items") is None else set(wanted)
    result = {f.name: facts[f.name] for f in question.answer if f.core or f.data_item in allowed}
    return {
        "question": question.name,
        "result": result,
        "grant_id": grant.id,
        "consent_id": consent_ids[0] if consent_ids else None,
        "consent_ids": consent_ids,
        "legal_basis": grant.consent_exempt_basis,
        "answered_at": at.isoformat(),
    }


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


def _snapshots(raw: Any) -> Sequence[Mapping[str, Any]]:
    if raw is None:
        return []
    if isinstance(raw, Mapping):
        return [raw]
    if isinstance(raw, list) and all(isinstance(s, Mapping) for s in raw):
        return raw
    raise QuestionArgsInvalid("consent 应为同意凭据对象、其列表或 null", field="consent")


def check_grant_scope(question: str, data_items: Sequence[str]) -> QuestionDef:
    """The question, if ``data_items`` are its own and include its core ones (for a new grant).

    QuestionNotFound for an unknown question, QuestionArgsInvalid (field ``data_items``) for a
    data item the question's answers never reveal or a missing core one.
    """
    found = get_question(question)
    foreign = sorted(set(data_items) - set(found.data_items))
    if foreign:
        raise QuestionArgsInvalid(
            f"问题 {question} 的答复不含数据项 {'、'.join(foreign)}"
            f"（可授权：{'、'.join(found.data_items)}）",
            field="data_items",
        )
    missing = [item for item in found.core_data_items if item not in data_items]
    if missing:
        raise QuestionArgsInvalid(
            f"问题 {question} 的每个答复都含数据项 {'、'.join(missing)}，授权须包含",
            field="data_items",
        )
    return found
