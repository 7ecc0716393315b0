"""The data-sharing questions a service item may ask instead of a proof (数据共享核验).

A question is answered by the department that holds the facts — "is this person married?" by
民政 — and answers a yes/no or a short value, never the record itself (《个人信息保护法》第六条:
no more than the purpose needs). Each question names its department, whom it can be asked
about and its parameters; :func:`check_question` validates a use of one, so a service item
cannot ask a question nobody can answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

from pydantic import Field

from certfree.errors import InvalidInput
from certfree.nodes import DepartmentKind
from certfree.population import InsuranceKind, LicenceClass
from certfree.procedures.vocab import SubjectKind

__all__ = [
    "QUESTIONS",
    "Parameter",
    "ParameterValue",
    "Question",
    "check_question",
    "parse_parameters",
    "question",
]

# Bounded to a signed 64-bit integer, what JSON columns and every client round-trip exactly.
ParameterValue = str | Annotated[int, Field(ge=-(2**63), lt=2**63)] | bool


@dataclass(frozen=True, slots=True)
class Parameter:
    """One parameter of a question: its type, whether it must be given and what values fit."""

    type: type[str] | type[int]
    required: bool
    label_zh: str
    pattern: str | None = None  # for strings: a full-match regular expression
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True, slots=True)
class Question:
    name: str
    label_zh: str
    department: DepartmentKind
    subjects: frozenset[SubjectKind]
    parameters: Mapping[str, Parameter]


_PERSON = frozenset({SubjectKind.PERSON})
_ANYONE = frozenset(SubjectKind)

QUESTIONS: dict[str, Question] = {
    q.name: q
    for q in (
        Question("marital_status", "婚姻状况", DepartmentKind.MZ, _PERSON, {}),
        # Kinship as the household register shows it: same household as the other party, whose
        # ID number the application carries.
        Question("same_household", "同一户籍（亲属关系）", DepartmentKind.GA, _PERSON, {}),
        Question("owns_property", "不动产权属", DepartmentKind.ZR, _PERSON, {}),
        Question(
            "age_at_least",
            "年龄",
            DepartmentKind.GA,
            _PERSON,
            {"years": Parameter(int, True, "周岁", minimum=0, maximum=150)},
        ),
        Question(
            "is_resident_of",
            "户籍所在地",
            DepartmentKind.GA,
            _PERSON,
            # GB/T 2260 code of the province, city or county the household must be in.
            {"division": Parameter(str, True, "行政区划代码", pattern=r"[1-9]\d{5}")},
        ),
        Question("tax_clear", "纳税状况（无欠税）", DepartmentKind.SW, _ANYONE, {}),
        Question(
            "has_driving_licence",
            "机动车驾驶证",
            DepartmentKind.GA,
            _PERSON,
            {
                "licence_class": Parameter(
                    str, False, "准驾车型", choices=tuple(c.value for c in LicenceClass)
                )
            },
        ),
        Question(
            "social_insurance_enrolled",
            "社会保险参保",
            DepartmentKind.RS,
            _PERSON,
            {"kind": Parameter(str, False, "险种", choices=tuple(k.value for k in InsuranceKind))},
        ),
        Question("firm_registered", "市场主体登记", DepartmentKind.SJ, _ANYONE, {}),
    )
}


def question(name: str) -> Question:
    """The question called ``name``; InvalidInput listing the known names otherwise."""
    found = QUESTIONS.get(name)
    if found is None:
        known = "、".join(QUESTIONS)
        raise InvalidInput(f"没有名为 {name} 的数据共享问题；可用的问题：{known}", field="ref")
    return found


def check_question(name: str, parameters: Mapping[str, ParameterValue]) -> Question:
    """The question, after checking ``parameters`` fit it; InvalidInput names the fault."""
    found = question(name)
    for key in parameters:
        if key not in found.parameters:
            allowed = "、".join(found.parameters) or "无"
            raise InvalidInput(
                f"问题 {name} 没有参数 {key}（可用参数：{allowed}）", field="parameters"
            )
    for key, spec in found.parameters.items():
        if key not in parameters:
            if spec.required:
                raise InvalidInput(
                    f"问题 {name} 需要参数 {key}（{spec.label_zh}）", field="parameters"
                )
            continue
        _check_value(name, key, spec, parameters[key])
    return found


def _check_value(name: str, key: str, spec: Parameter, value: ParameterValue) -> None:
    where = f"问题 {name} 的参数 {key}（{spec.label_zh}）"
    if spec.type is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput(f"{where}应为整数，收到 {value!r}", field="parameters")
        low = spec.minimum if spec.minimum is not None else value
        high = spec.maximum if spec.maximum is not None else value
        if not low <= value <= high:
            raise InvalidInput(
                f"{where}应在 {low} 到 {high} 之间，收到 {value}", field="parameters"
            )
        return
    if not isinstance(value, str):
        raise InvalidInput(f"{where}应为字符串，收到 {value!r}", field="parameters")
    if spec.pattern is not None and not re.fullmatch(spec.pattern, value):
        raise InvalidInput(f"{where}格式不对，收到「{value}」", field="parameters")
    if spec.choices and value not in spec.choices:
        raise InvalidInput(
            f"{where}应为 {'、'.join(spec.choices)} 之一，收到「{value}」", field="parameters"
        )


def parse_parameters(name: str, text: str) -> dict[str, ParameterValue]:
    """Parameters written ``key=value`` separated by ``,`` or ``;``, typed as question ``name``
    declares them (``years=60`` → 60); InvalidInput for a malformed pair or a non-integer."""
    found = question(name)
    values: dict[str, ParameterValue] = {}
    for part in re.split(r"[,;，；]", text):
        if not part.strip():
            continue
        key, sep, raw = part.partition("=")
        key, raw = key.strip(), raw.strip()
        if not sep or not key:
            raise InvalidInput(
                f"问题 {name} 的参数应写作 名称=值，收到「{part.strip()}」", field="parameters"
            )
        spec = found.parameters.get(key)
        if spec is not None and spec.type is int:
            if not raw.lstrip("-").isdigit():
                raise InvalidInput(
                    f"问题 {name} 的参数 {key}（{spec.label_zh}）应为整数，收到「{raw}」",
                    field="parameters",
                )
            values[key] = int(raw)
        else:
            values[key] = raw
    return values
