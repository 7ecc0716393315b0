"""The one-cell notation for requirements in spreadsheets (the 「申请条件」 column).

Requirements are separated by ``；`` (or ``;``); each is a description, a colon (``：`` or
``:``) and its alternatives separated by ``|``; an alternative's evidence is joined by ``+``;
each evidence is ``proof:CODE``, ``cert:TYPECODE`` or ``data:question(key=value, …)`` —
``证明:``, ``证照:``, ``数据:`` too; a certificate may name the predicate it shows
(``cert:TYPECODE(predicate=age_over_60)``). The answer a question (or the question standing in
for a proof) must give follows in brackets, values separated by ``/`` and fields by ``,``
(``data:marital_status[status=unmarried/divorced/widowed]``). A requirement about another
party than the applicant ends its description with ``@`` and the party's role (``@spouse``,
``@被投靠人``)::

    申请人婚姻状况：data:marital_status[status=unmarried/divorced/widowed]
        | proof:SD-ZM-MZ-004[status=unmarried/divorced/widowed]；
    另一方婚姻状况@spouse：data:marital_status[status=unmarried/divorced/widowed]；
    申请人年满60周岁：data:age_at_least(years=60) | proof:SD-ZM-RS-002

:func:`format_requirements` writes the same notation back, so an export re-imports unchanged.
"""

from __future__ import annotations

import re

from certfree.errors import InvalidInput
from certfree.procedures.realisations import realisation
from certfree.procedures.schemas import EvidenceSpec, RequirementSpec
from certfree.procedures.vocab import EvidenceKind, PartyRole
from certfree.questions import ParameterValue, parse_expect, parse_parameters

__all__ = ["format_requirements", "parse_requirements"]

_PREFIXES = {
    "proof": EvidenceKind.PROOF_ITEM,
    "证明": EvidenceKind.PROOF_ITEM,
    "cert": EvidenceKind.CERTIFICATE_TYPE,
    "证照": EvidenceKind.CERTIFICATE_TYPE,
    "data": EvidenceKind.DATA_QUESTION,
    "数据": EvidenceKind.DATA_QUESTION,
}
_WRITTEN = {
    EvidenceKind.PROOF_ITEM: "proof",
    EvidenceKind.CERTIFICATE_TYPE: "cert",
    EvidenceKind.DATA_QUESTION: "data",
}
_REQUIREMENT = re.compile(
    r"(?P<description>[^:：@]+?)\s*(?:@\s*(?P<party>[^:：]*?)\s*)?[:：]\s*(?P<rest>\S.*)",
    re.DOTALL,
)
_PARTIES = {**{p.value: p for p in PartyRole}, **{p.zh: p for p in PartyRole}}
_EVIDENCE = re.compile(
    r"(?P<prefix>[^:：\s]+)\s*[:：]\s*(?P<ref>[^()\[\]\s]+)\s*(?:\((?P<params>.*)\))?"
    r"\s*(?:\[(?P<expect>[^\]]*)\])?"
)


def _split(text: str, separators: str) -> list[str]:
    """``text`` split on any of ``separators`` outside parentheses and brackets, stripped."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1, "[": 1, "]": -1}.get(char, 0)
        if depth == 0 and char in separators:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def _evidence(text: str) -> EvidenceSpec:
    match = _EVIDENCE.fullmatch(text)
    kind = _PREFIXES.get(match["prefix"].lower()) if match else None
    if match is None or kind is None:
        raise InvalidInput(
            f"「{text}」应写作 proof:编码、cert:证照类型代码 或 data:问题名(参数=值)[字段=值/值]",
            field="requirements",
        )
    params = match["params"] or ""
    if params.strip() and kind is EvidenceKind.PROOF_ITEM:
        raise InvalidInput(f"「{text}」：证明事项不带参数", field="requirements")
    if not params.strip():
        parameters: dict[str, ParameterValue] = {}
    elif kind is EvidenceKind.DATA_QUESTION:
        parameters = parse_parameters(match["ref"], params)
    else:
        parameters = _plain_parameters(text, params)
    return EvidenceSpec(
        kind=kind, ref=match["ref"], parameters=parameters, expect=_expect(text, kind, match)
    )


def _expect(text: str, kind: EvidenceKind, match: re.Match[str]) -> dict[str, list[ParameterValue]]:
    """The bracketed expected answer, typed by the question (a proof's: the one standing in
    for it); whether it fits is checked when the item is saved."""
    written = match["expect"]
    if written is None:
        return {}
    if kind is EvidenceKind.DATA_QUESTION:
        question: str | None = match["ref"]
    else:
        question = realisation(match["ref"]).question
    try:
        expect = parse_expect(question, written)
    except InvalidInput as exc:
        raise InvalidInput(f"「{text}」：{exc.message}", field="requirements") from None
    if not expect:
        raise InvalidInput(f"「{text}」：方括号中应写期望答复 字段=值/值", field="requirements")
    return expect


def _plain_parameters(text: str, params: str) -> dict[str, ParameterValue]:
    """A certificate's ``key=value`` parameters, as text (checked when the item is saved)."""
    values: dict[str, ParameterValue] = {}
    for pair in _split(params, ",，;；"):
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(f"「{text}」：参数应写作 名称=值", field="requirements")
        values[key.strip()] = value.strip()
    return values


def _party(text: str | None, part: str) -> PartyRole:
    if text is None:
        return PartyRole.APPLICANT
    party = _PARTIES.get(text.strip().lower()) or _PARTIES.get(text.strip())
    if party is None:
        known = "、".join(f"{p.value} {p.zh}" for p in PartyRole)
        raise InvalidInput(
            f"「{part}」：当事人（party）「{text.strip()}」应为 {known} 之一", field="requirements"
        )
    return party


def parse_requirements(text: str) -> list[RequirementSpec]:
    """The requirements written in ``text``; InvalidInput quoting the part that is wrong."""
    requirements = []
    for part in _split(text, ";；\n"):
        match = _REQUIREMENT.fullmatch(part)
        if match is None:
            raise InvalidInput(
                f"「{part}」应写作 条件说明：材料 | 材料 + 材料", field="requirements"
            )
        description, rest = match["description"], match["rest"]
        party = _party(match["party"], part)
        alternatives = [
            [_evidence(e) for e in _split(alternative, "+")] for alternative in _split(rest, "|")
        ]
        requirements.append(
            RequirementSpec(description=description, party=party, alternatives=alternatives)
        )
    return requirements


def _written(evidence: EvidenceSpec) -> str:
    text = f"{_WRITTEN[evidence.kind]}:{evidence.ref}"
    if evidence.parameters:
        text += "(" + ", ".join(f"{k}={v}" for k, v in evidence.parameters.items()) + ")"
    if evidence.expect:
        fields = (f"{k}={'/'.join(_value(v) for v in vs)}" for k, vs in evidence.expect.items())
        text += "[" + ", ".join(fields) + "]"
    return text


def _value(value: ParameterValue) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def format_requirements(requirements: list[RequirementSpec]) -> str:
    """``requirements`` in the notation :func:`parse_requirements` reads."""
    return "；".join(
        f"{r.description}{'' if r.party is PartyRole.APPLICANT else '@' + r.party.value}："
        + " | ".join(" + ".join(_written(e) for e in alt) for alt in r.alternatives)
        for r in requirements
    )
