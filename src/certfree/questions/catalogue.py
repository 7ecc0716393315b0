"""The catalogue of verification questions (数据共享核验问题), one for every package.

Questions live in ``data/questions.json``: name, titles, the department kind that answers,
parameters (typed: resident_id, uscc, division, int, str, enum; ``subject`` marks a data
subject's ID number), answer fields and the data item each reveals, and a binding to SQL
(run by the exchange's adapters). Answers are minimal (数据最小化, PIPL §6): core fields —
a boolean or an enum — and other fields only when the grant allows their data items.

The service-item catalogue names these questions as evidence, the route resolver plans with
them, and the exchange answers them: all read this one catalogue.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from certfree.classification import DataClass, class_of
from certfree.errors import InvalidIdentifier
from certfree.identifiers import parse_division, parse_resident_id, parse_uscc
from certfree.nodes import DepartmentKind
from certfree.questions.errors import QuestionArgsInvalid, QuestionNotFound

__all__ = [
    "IDENTIFIER_TYPES",
    "QUESTIONS_FILE",
    "AnswerDataItem",
    "AnswerField",
    "ArgValue",
    "ParamDef",
    "QuestionDef",
    "check_grant_scope",
    "data_items",
    "get_question",
    "list_questions",
    "validate_args",
]

QUESTIONS_FILE = "questions.json"
PARAM_TYPES = frozenset({"resident_id", "uscc", "division", "int", "str", "enum"})
ANSWER_TYPES = frozenset({"boolean", "int", "enum", "str"})
ArgValue = str | int | None
# Parameters that name a party (a person by ID number, a firm by USCC): the application
# supplies them; the other parameters are fixed by the service item (years=60).
IDENTIFIER_TYPES = frozenset({"resident_id", "uscc"})


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
    data_class: DataClass  # of the governance vocabulary; its grade is the field's
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
    binding: Mapping[str, Any]  # the default binding, see certfree.exchange.questions.adapters
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

    @property
    def party_params(self) -> tuple[ParamDef, ...]:
        """The parameters that name a party (ID number or USCC), in order."""
        return tuple(p for p in self.params if p.type in IDENTIFIER_TYPES)


@functools.cache
def _catalogue() -> tuple[dict[str, AnswerDataItem], dict[str, QuestionDef]]:
    text = (resources.files("certfree.questions") / "data" / QUESTIONS_FILE).read_text("utf-8")
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
        AnswerField(
            a["name"],
            a["type"],
            a["core"],
            a["data_item"],
            class_of(a["class"], field=f"{entry['name']}.answer.{a['name']}.class"),
            a.get("values", {}),
        )
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
