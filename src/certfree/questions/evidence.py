"""A question used as evidence by a service item: its fixed parameters, checked and typed.

A service item names a question and the parameters that do not depend on the applicant
(``age_at_least(years=60)``); the parameters that name a party (ID number, USCC) are filled in
from the application when the question is asked. :func:`check_evidence_parameters` refuses a
question nobody can answer or parameters it does not take, so a service item cannot demand
what no department answers.

The same answer bears a requirement out or not depending on the requirement: marriage
registration needs ``marital_status`` to be unmarried, divorced or widowed, a real-estate
transfer only records it. So the item also states the answer it expects (``expect``: answer
field → the values that establish the requirement), which :func:`check_evidence_expect`
checks against the question's answer fields.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Annotated

from pydantic import Field

from certfree.errors import InvalidInput
from certfree.questions.catalogue import AnswerField, QuestionDef, get_question, validate_args
from certfree.questions.errors import QuestionArgsInvalid, QuestionNotFound

__all__ = [
    "MAX_EXPECTED_VALUES",
    "ParameterValue",
    "check_evidence_expect",
    "check_evidence_parameters",
    "parse_expect",
    "parse_parameters",
]

# Bounded to a signed 64-bit integer, what JSON columns and every client round-trip exactly.
ParameterValue = str | Annotated[int, Field(ge=-(2**63), lt=2**63)] | bool


# Enough for any enum of the catalogue (marital status has four values); a longer list is a
# mistake, or a field that should not be expected at all.
MAX_EXPECTED_VALUES = 8


def _question(name: str) -> QuestionDef:
    try:
        return get_question(name)
    except QuestionNotFound as exc:
        raise InvalidInput(exc.message.replace("核验问题", "数据共享问题"), field="ref") from None


def check_evidence_parameters(
    name: str, parameters: Mapping[str, ParameterValue]
) -> dict[str, ParameterValue]:
    """``parameters`` of question ``name`` as a service item fixes them, normalised (canonical
    names, typed values); InvalidInput (field ``ref`` or ``parameters``) naming the fault."""
    question = _question(name)
    fixed = {p.name: p for p in question.params if p not in question.party_params}
    by_name = {alias: p for p in fixed.values() for alias in (p.name, *p.aliases)}
    for key in parameters:
        if key not in by_name:
            allowed = "、".join(fixed) or "无"
            raise InvalidInput(
                f"问题 {name} 没有参数 {key}（可用参数：{allowed}）", field="parameters"
            )
    for param in fixed.values():
        given = any(key in (param.name, *param.aliases) for key in parameters)
        if param.required and not given:
            raise InvalidInput(
                f"问题 {name} 需要参数 {param.name}（{param.label_zh}）", field="parameters"
            )
    # Check the values as the exchange will, with stand-ins for the parties' identifiers.
    stand_ins = {
        p.name: _STAND_INS[p.type][i] for i, p in enumerate(question.party_params) if p.required
    }
    try:
        checked = validate_args(question, {**stand_ins, **parameters}, today=_TODAY)
    except QuestionArgsInvalid as exc:
        raise InvalidInput(exc.message, field="parameters") from None
    return {key: value for key, value in checked.items() if key in fixed and value is not None}


# Valid identifiers that stand in for the parties while the fixed parameters are checked.
_STAND_INS = {
    "resident_id": ("110105194912310038", "110105194912310054"),
    "uscc": ("91350100M000100Y43", "91350100M000100Y43"),
}
_TODAY = dt.date(2000, 1, 1)


def parse_parameters(name: str, text: str) -> dict[str, ParameterValue]:
    """Parameters written ``key=value`` separated by ``,`` or ``;``, typed as question ``name``
    declares them (``years=60`` → 60); InvalidInput for a malformed pair or a non-integer."""
    question = _question(name)
    types = {alias: p for p in question.params for alias in (p.name, *p.aliases)}
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
        param = types.get(key)
        if param is not None and param.type == "int":
            if not raw.lstrip("-").isdigit():
                raise InvalidInput(
                    f"问题 {name} 的参数 {key}（{param.label_zh}）应为整数，收到「{raw}」",
                    field="parameters",
                )
            values[key] = int(raw)
        else:
            values[key] = raw
    return values


def check_evidence_expect(
    name: str, expect: Mapping[str, Sequence[ParameterValue]]
) -> dict[str, list[ParameterValue]]:
    """``expect`` (answer field → values that establish the requirement) as question ``name``
    answers it, without repeated values; InvalidInput (field ``expect``) naming the fault.

    Only core fields may be expected: every answer carries them, whereas the others appear only
    where the grant allows their data items (数据最小化), and an absent field never matches.
    """
    question = _question(name)
    fields = {f.name: f for f in question.answer if f.core}
    checked: dict[str, list[ParameterValue]] = {}
    for key, values in expect.items():
        found = fields.get(key)
        if found is None:
            allowed = "、".join(fields)
            raise InvalidInput(
                f"问题 {name} 的答复没有可期望的字段 {key}（可用字段：{allowed}）"
                f"（the answer to {name} has no field {key} to expect; fields: {allowed}）",
                field="expect",
            )
        if not values or len(values) > MAX_EXPECTED_VALUES:
            raise InvalidInput(
                f"问题 {name} 的答复字段 {key} 应列出 1 到 {MAX_EXPECTED_VALUES} 个期望值，"
                f"收到 {len(values)} 个（list 1 to {MAX_EXPECTED_VALUES} expected values）",
                field="expect",
            )
        checked[key] = list(dict.fromkeys(_expected(name, found, value) for value in values))
    return checked


def _expected(name: str, answer: AnswerField, value: object) -> ParameterValue:
    """``value`` if answer field ``answer`` can take it (bool is not an int here)."""
    if answer.type == "boolean" and isinstance(value, bool):
        return value
    if answer.type == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if answer.type == "enum" and isinstance(value, str) and value in answer.values:
        return value
    if answer.type == "str" and isinstance(value, str) and 0 < len(value) <= 64:
        return value
    wanted = {
        "boolean": ("true 或 false", "true or false"),
        "int": ("整数", "an integer"),
        "enum": ("、".join(answer.values) + " 之一", "one of " + ", ".join(answer.values)),
        "str": ("1 到 64 个字符", "1 to 64 characters"),
    }[answer.type]
    raise InvalidInput(
        f"问题 {name} 的答复字段 {answer.name} 的期望值应为 {wanted[0]}，收到 {value!r}"
        f"（an expected {answer.name} should be {wanted[1]}）",
        field="expect",
    )


def parse_expect(name: str | None, text: str) -> dict[str, list[ParameterValue]]:
    """Expected answers written ``field=value/value`` separated by ``,`` or ``;``, typed as
    question ``name`` declares its answer fields (``at_least=true`` → True); with no question
    (``None``: a proof none stands in for) or an unknown field the values stay text, for
    :func:`check_evidence_expect` to refuse. InvalidInput for a malformed pair or a value of
    the wrong type."""
    answer = {f.name: f for f in _question(name).answer} if name else {}
    expect: dict[str, list[ParameterValue]] = {}
    for pair in re.split(r"[,;，；]", text):
        if not pair.strip():
            continue
        key, sep, raw = pair.partition("=")
        key = key.strip()
        values = [v.strip() for v in raw.split("/")]
        if not sep or not key or not all(values):
            raise InvalidInput(
                f"期望答复应写作 字段=值/值，收到「{pair.strip()}」"
                "（write expected answers as field=value/value）",
                field="expect",
            )
        found = answer.get(key)
        expect[key] = [_typed(name or "", found, v) for v in values] if found else list(values)
    return expect


def _typed(name: str, answer: AnswerField, text: str) -> ParameterValue:
    if answer.type == "boolean" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    if answer.type == "int" and text.lstrip("-").isdigit() and abs(int(text)) < 2**63:
        return int(text)
    if answer.type in ("boolean", "int"):
        return _expected(name, answer, text)  # raises, naming what the field takes
    return text
