"""The one-cell notation for requirements in spreadsheets (the 「申请条件」 column).

Requirements are separated by ``；`` (or ``;``); each is a description, a colon (``：`` or
``:``) and its alternatives separated by ``|``; an alternative's evidence is joined by ``+``;
each evidence is ``proof:CODE``, ``cert:TYPECODE`` or ``data:question(key=value, …)`` —
``证明:``, ``证照:``, ``数据:`` too::

    申请人婚姻状况：data:marital_status | proof:SD-ZM-MZ-004；
    申请人年满60周岁：data:age_at_least(years=60) | proof:SD-ZM-RS-002

:func:`format_requirements` writes the same notation back, so an export re-imports unchanged.
"""

from __future__ import annotations

import re

from certfree.errors import InvalidInput
from certfree.procedures.evidence_questions import parse_parameters
from certfree.procedures.schemas import EvidenceSpec, RequirementSpec
from certfree.procedures.vocab import EvidenceKind

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
_REQUIREMENT = re.compile(r"(?P<description>[^:：]+?)\s*[:：]\s*(?P<rest>\S.*)", re.DOTALL)
_EVIDENCE = re.compile(
    r"(?P<prefix>[^:：\s]+)\s*[:：]\s*(?P<ref>[^()\s]+)\s*(?:\((?P<params>.*)\))?"
)


def _split(text: str, separators: str) -> list[str]:
    """``text`` split on any of ``separators`` outside parentheses, parts stripped."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
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
            f"「{text}」应写作 proof:编码、cert:证照类型代码 或 data:问题名(参数=值)",
            field="requirements",
        )
    params = match["params"] or ""
    if params.strip() and kind is not EvidenceKind.DATA_QUESTION:
        raise InvalidInput(f"「{text}」：只有 data: 问题带参数", field="requirements")
    parameters = parse_parameters(match["ref"], params) if params.strip() else {}
    return EvidenceSpec(kind=kind, ref=match["ref"], parameters=parameters)


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
        alternatives = [
            [_evidence(e) for e in _split(alternative, "+")] for alternative in _split(rest, "|")
        ]
        requirements.append(RequirementSpec(description=description, alternatives=alternatives))
    return requirements


def _written(evidence: EvidenceSpec) -> str:
    text = f"{_WRITTEN[evidence.kind]}:{evidence.ref}"
    if evidence.parameters:
        text += "(" + ", ".join(f"{k}={v}" for k, v in evidence.parameters.items()) + ")"
    return text


def format_requirements(requirements: list[RequirementSpec]) -> str:
    """``requirements`` in the notation :func:`parse_requirements` reads."""
    return "；".join(
        f"{r.description}："
        + " | ".join(" + ".join(_written(e) for e in alt) for alt in r.alternatives)
        for r in requirements
    )
