"""What will be asked about an applicant, shown before they consent (PIPL §14: consent given
with full knowledge).

:func:`preview` says, in plain Chinese and before anything is asked, which departments will be
asked what for a service item and what each answers — never the record itself (the OOTS
preview: the user sees what will be exchanged and decides). Questions are known only through
:class:`AskedQuestion` (the exchange domain's question definitions fit it), so governance does
not depend on the exchange.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy.orm import Session

from certfree import procedures
from certfree.governance.consent.models import DEFAULT_CONSENT_DAYS
from certfree.nodes import DepartmentKind

__all__ = ["AskedQuestion", "data_items_of", "preview", "questions_of_service_item"]


class AskedQuestion(Protocol):
    """What consent needs to know of a question (``certfree.exchange.QuestionDef`` fits)."""

    @property
    def name(self) -> str: ...
    @property
    def title_zh(self) -> str: ...
    @property
    def ask_zh(self) -> str: ...
    @property
    def department(self) -> DepartmentKind: ...
    @property
    def data_items(self) -> tuple[str, ...]: ...
    @property
    def reveals_zh(self) -> tuple[str, ...]: ...
    @property
    def ask_en(self) -> str: ...
    @property
    def reveals_en(self) -> tuple[str, ...]: ...


def questions_of_service_item(session: Session, service_item: str) -> list[str]:
    """Names of the data-sharing questions the service item's requirements may use."""
    item = procedures.get_service_item(session, service_item)
    names: list[str] = []
    for requirement in item.requirements:
        for alternative in requirement.alternatives:
            for evidence in alternative:
                kind = procedures.EvidenceKind.DATA_QUESTION
                if evidence.kind is kind and evidence.ref not in names:
                    names.append(evidence.ref)
    return names


def _service_name(session: Session, service_item: str) -> str:
    try:
        return procedures.get_service_item(session, service_item).name
    except procedures.ServiceItemNotFound:
        return service_item


def preview(
    session: Session, service_item: str, questions: Sequence[AskedQuestion]
) -> dict[str, Any]:
    """What will be asked about the applicant for ``service_item``, before they consent.

    Returns ``{"service_item", "service_name", "questions": [{name, title_zh, department,
    department_zh, asks_zh, reveals_zh}], "data_items", "text_zh", "text_en"}``; ``text_zh``
    (and ``text_en`` in English) is the whole preview as a few plain sentences to show or read
    out at the desk.
    """
    name = _service_name(session, service_item)
    lines = [f"办理「{name}」时，经您同意，我们将通过数据共享向以下部门核验，您无需再提交证明："]
    entries = []
    for number, question in enumerate(questions, start=1):
        department_zh = f"{question.department.name_zh}部门"
        reveals = "、".join(question.reveals_zh)
        lines.append(
            f"{number}. 向{department_zh}核验「{question.ask_zh}」，对方只答复：{reveals}，"
            "不提供您的完整记录。"
        )
        entries.append(
            {
                "name": question.name,
                "title_zh": question.title_zh,
                "department": question.department.value,
                "department_zh": department_zh,
                "asks_zh": question.ask_zh,
                "reveals_zh": list(question.reveals_zh),
            }
        )
    lines.append(
        f"同意自给出之日起 {DEFAULT_CONSENT_DAYS} 天内有效，仅用于本事项；"
        "您可随时撤回，撤回后不再核验，您也可以改为自行提交证明材料。"
    )
    return {
        "service_item": service_item,
        "service_name": name,
        "questions": entries,
        "data_items": data_items_of(questions),
        "text_zh": "\n".join(lines),
        "text_en": _preview_en(name, questions),
    }


def _preview_en(service_name: str, questions: Sequence[AskedQuestion]) -> str:
    lines = [
        f"For 「{service_name}」, with your consent we will verify the following through data "
        "sharing, so you need not bring any certificate:"
    ]
    for number, question in enumerate(questions, start=1):
        lines.append(
            f"{number}. We check {question.ask_en} with the {question.department.name_en} "
            f"department; it answers only: {', '.join(question.reveals_en)}, never your whole "
            "record."
        )
    lines.append(
        f"The consent lasts {DEFAULT_CONSENT_DAYS} days from when you give it, for this service "
        "only. You may withdraw it at any time; then nothing more is asked, and you may bring "
        "the certificates yourself instead."
    )
    return "\n".join(lines)


def data_items_of(questions: Sequence[AskedQuestion]) -> list[str]:
    return sorted({item for question in questions for item in question.data_items})
