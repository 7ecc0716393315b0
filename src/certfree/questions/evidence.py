"""A question used as evidence by a service item: its fixed parameters, checked and typed.

A service item names a question and the parameters that do not depend on the applicant
(``age_at_least(years=60)``); the parameters that name a party (ID number, USCC) are filled in
from the application when the question is asked. :func:`check_evidence_parameters` refuses a
question nobody can answer or parameters it does not take, so a service item cannot demand
what no department answers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Annotated

from pydantic import Field

from certfree.errors import InvalidInput
from certfree.questions.catalogue import QuestionDef, get_question, validate_args
from certfree.questions.errors import QuestionArgsInvalid, QuestionNotFound

__all__ = ["ParameterValue", "check_evidence_parameters", "parse_parameters"]

# Bounded to a signed 64-bit integer, what JSON columns and every client round-trip exactly.
ParameterValue = str | Annotated[int, Field(ge=-(2**63), lt=2**63)] | bool


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
