"""Grades decide grants: which fields a request covers, how graded they are, who must approve.

Every field is labelled with a class and a grade (``governance.classification``: 1–4 general
data, 5 important, 6 core; GB/T 43697-2024 §6.1). A catalog sharing request or an exchange
question grant takes the highest grade of the fields it covers, and with threshold T
(default 3, 敏感):

======  ==============================================================================
grade   what the request needs
======  ==============================================================================
< T     nothing more: the share type decides (政务信息资源共享管理暂行办法 第9条、第14条)
T–4     a legal basis (个人信息保护法 第13条; 第28条: sensitive information only for a
        specific purpose and with sufficient necessity); pending whatever the share type;
        approved by the providing department's administrator
5       as T–4, and the big-data bureau approves too (数据安全法 第21条: important data under
        the catalogue's stricter protection); two approvals recorded, in either order
6       core data (数据安全法 第21条: 更加严格的管理制度): refused at once; a bureau override
        naming the authorisation document reopens it, then the department approves
======  ==============================================================================

Each request and decision is a row of ``grant_decisions`` (``decisions``): who, when, which
fields, their grade, the basis.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from certfree.catalog.errors import (
    ApproverNotAllowed,
    GrantNotFound,
    GrantStateConflict,
    InvalidGrantRequest,
)
from certfree.catalog.grants.bases import parse_legal_basis
from certfree.catalog.grants.decisions import (
    Approver,
    ApproverLevel,
    DecisionAction,
    record_decision,
)
from certfree.catalog.grants.models import WHOLE_RESOURCE, Grant, GrantStatus
from certfree.classification import (
    CORE_GRADE,
    IMPORTANT_GRADE,
    DataClass,
    Personal,
    class_of,
    level_grade,
)
from certfree.errors import InvalidInput
from certfree.questions import get_question
from certfree.storage import utcnow

__all__ = [
    "CORE_RULE",
    "DEFAULT_GRADE_THRESHOLD",
    "FieldGrade",
    "activate",
    "approve_graded",
    "approve_question_grant",
    "assess",
    "check_refuser",
    "item_grade",
    "needed_levels",
    "override_core",
    "question_field_grades",
    "refuse_core",
    "resource_field_grades",
]

DEFAULT_GRADE_THRESHOLD = 3  # 3级 敏感 (GB/T 43697-2024 附录H; 个人信息保护法 第28条)
CORE_RULE = "governance:core_data"  # decided_by of refusals the core-data rule makes


@dataclass(frozen=True, slots=True)
class FieldGrade:
    """A field's class and grade as labelled (None where it is not labelled)."""

    name: str
    data_class: str | None
    grade: int | None
    sensitive: bool  # 敏感个人信息 (个人信息保护法 第28条)

    @property
    def important(self) -> bool:
        return self.grade is not None and self.grade >= IMPORTANT_GRADE


def _class(code: str) -> DataClass | None:
    if not code.strip():
        return None
    try:
        return class_of(code)
    except InvalidInput:  # free text of an older import: no class, no grade from it
        return None


def _grade_value(raw: Any) -> int | None:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    text = str(getattr(raw, "value", raw) or "").strip()
    return int(text) if text.isdigit() else level_grade(text)


def _labelled(kind: DataClass | None, declared: int | None, name: str) -> FieldGrade:
    grades = [g for g in (declared, kind.grade if kind else None) if g is not None]
    return FieldGrade(
        name=name,
        data_class=kind.code if kind else None,
        grade=max(grades) if grades else None,  # GB/T 43697-2024 §4 就高从严
        sensitive=kind is not None and kind.personal is Personal.SENSITIVE,
    )


def item_grade(item: Mapping[str, Any]) -> FieldGrade:
    """A catalog data item's (stored JSON: name, classification, grade) class and grade.

    ``grade`` may be the 1–6 integer or an older level word (important 5, core 6, general: the
    class's grade)."""
    kind = _class(str(item.get("classification") or ""))
    return _labelled(kind, _grade_value(item.get("grade")), str(item.get("name", "")))


def resource_field_grades(
    items: Sequence[Any] | None, data_items: Collection[str]
) -> list[FieldGrade]:
    """The grades of a resource's items a grant covers (every item for a whole-resource one)."""
    whole = WHOLE_RESOURCE in data_items
    return [
        item_grade(item)
        for item in items or ()
        if isinstance(item, dict) and (whole or item.get("name") in data_items)
    ]


def question_field_grades(question: str, data_items: Collection[str]) -> list[FieldGrade]:
    """The grades of a question's answer fields revealing ``data_items`` (named by data item)."""
    fields = []
    for field in get_question(question).answer:
        if field.data_item not in data_items:
            continue
        labelled = getattr(field, "data_class", None)  # the vocabulary's class, once labelled
        kind = labelled if isinstance(labelled, DataClass) else _class(str(labelled or ""))
        fields.append(_labelled(kind, _grade_value(getattr(field, "grade", None)), field.data_item))
    return fields


def _highest(fields: Iterable[FieldGrade]) -> int | None:
    grades = [f.grade for f in fields if f.grade is not None]
    return max(grades) if grades else None


def _levels(grade: int | None, threshold: int) -> tuple[ApproverLevel, ...]:
    # The threshold moves the bar for general data only: important and core data always need
    # the bureau (数据安全法 第21条).
    if grade is None:
        return ()
    if grade >= IMPORTANT_GRADE:
        return ApproverLevel.DEPARTMENT, ApproverLevel.BUREAU
    return (ApproverLevel.DEPARTMENT,) if grade >= threshold else ()


def assess(
    grant: Grant,
    fields: Sequence[FieldGrade],
    *,
    threshold: int = DEFAULT_GRADE_THRESHOLD,
    legal_basis: str | None = None,
    legal_basis_text: str | None = None,
) -> tuple[ApproverLevel, ...]:
    """Stamp the grade and legal basis on ``grant``; the approval levels it needs (none: not
    graded at or above ``threshold``). InvalidGrantRequest names ``legal_basis`` when a graded
    request has none (个人信息保护法 第13条), ``legal_basis_text`` when the basis needs a law
    named."""
    if not 1 <= threshold <= CORE_GRADE:
        raise InvalidGrantRequest(
            f"审批级别阈值应为 1–{CORE_GRADE}，收到 {threshold}", field="threshold"
        )
    grade = _highest(fields)
    needed = _levels(grade, threshold)
    basis, text = parse_legal_basis(legal_basis, legal_basis_text, required=bool(needed))
    grant.grade = grade
    grant.legal_basis = basis.value if basis else None
    grant.legal_basis_text = text
    grant.approvals = [] if needed else None
    return needed


def needed_levels(grant: Grant) -> tuple[ApproverLevel, ...]:
    """The levels whose approval ``grant`` needs (as assessed when it was requested)."""
    if grant.approvals is None:
        return ()
    return _levels(grant.grade, 1)


def _graded_fields(fields: Sequence[FieldGrade], at_least: int) -> str:
    named = [f"{f.name}（{f.grade}级）" for f in fields if (f.grade or 0) >= at_least]
    return "、".join(named)


def refuse_core(grant: Grant, fields: Sequence[FieldGrade], at: dt.datetime) -> None:
    """Refuse a request covering core data at once, citing the rule."""
    grant.status = GrantStatus.REFUSED
    grant.decided_by = CORE_RULE
    grant.decided_at = at
    grant.decision_note = (
        f"核心数据不予共享：{_graded_fields(fields, CORE_GRADE)} 为核心数据（6级），"
        "数据安全法 第21条 实行更加严格的管理制度；大数据局记录授权文件后方可审批"
        "（core data is not shared without the bureau's recorded authorisation）"
    )


def _check_level(
    grant: Grant, by: Approver, owners: Collection[str], needed: Sequence[ApproverLevel]
) -> None:
    grade = grant.grade
    if by.level not in needed:
        raise ApproverNotAllowed(
            f"{grade}级数据的共享须由{'、'.join(level.zh for level in needed)}审批，"
            f"{by.level.zh}无权审批（{', '.join(level.en for level in needed)} must approve）"
        )
    if by.level is ApproverLevel.DEPARTMENT and by.organisation not in owners:
        raise ApproverNotAllowed(
            f"{grade}级数据的共享须由提供部门（{grant.provider_code}）的管理员审批，"
            f"{by.organisation or '未注明部门'} 不是提供部门"
            "（only the providing department's administrator may approve）"
        )


def approve_graded(
    session: Session,
    grant: Grant,
    by: Approver,
    owners: Collection[str],
    *,
    at: dt.datetime,
    note: str | None = None,
) -> bool:
    """Record ``by``'s approval of a graded request; True once every needed level approved
    (at once for a request that is not graded). ApproverNotAllowed for a level the grade does
    not call for or a department other than ``owners`` (the provider's code and name);
    GrantStateConflict if this level approved already."""
    needed = needed_levels(grant)
    if not needed:
        return True
    _check_level(grant, by, owners, needed)
    done = {str(a["level"]) for a in grant.approvals or []}
    if by.level.value in done:
        raise GrantStateConflict(
            f"共享申请 {grant.id} 已有{by.level.zh}的批准，尚待"
            f"{'、'.join(level.zh for level in needed if level.value not in done)}"
        )
    entry = {
        "level": by.level.value,
        "actor": by.actor,
        "organisation": by.organisation,
        "at": at.isoformat(),
    }
    grant.approvals = [*(grant.approvals or []), entry]  # a new list: JSON columns see it
    record_decision(session, grant, DecisionAction.APPROVED, by, at=at, note=note)
    return {level.value for level in needed} <= done | {by.level.value}


def check_refuser(grant: Grant, by: Approver, owners: Collection[str]) -> None:
    """A graded request is refused by the bureau or the providing department, no one else."""
    if (
        needed_levels(grant)
        and by.level is ApproverLevel.DEPARTMENT
        and by.organisation not in owners
    ):
        raise ApproverNotAllowed(
            f"只有提供部门（{grant.provider_code}）或大数据局可以拒绝此共享申请"
            "（only the provider or the bureau may refuse）"
        )


def activate(
    session: Session, grant: Grant, by: Approver, at: dt.datetime, note: str | None
) -> None:
    grant.status = GrantStatus.ACTIVE
    grant.decided_by = by.actor
    grant.decided_at = at
    grant.decision_note = note[:1000] if note else None
    record_decision(session, grant, DecisionAction.GRANTED, by, at=at, note=note)


def override_core(
    session: Session,
    grant: Grant,
    by: Approver,
    *,
    document: str,
    now: dt.datetime | None = None,
) -> Grant:
    """The bureau reopens a request refused by the core-data rule, naming the authorisation
    document (数据安全法 第21条); it is then pending the providing department's approval."""
    at = now or utcnow()
    if grant.status is not GrantStatus.REFUSED or grant.decided_by != CORE_RULE:
        raise GrantStateConflict(
            f"共享申请 {grant.id} 不是因核心数据被拒绝的申请，无需大数据局授权"
        )
    if by.level is not ApproverLevel.BUREAU:
        raise ApproverNotAllowed(
            "核心数据的共享只能由大数据局依据授权文件准予"
            "（only the bureau may authorise core data）"
        )
    text = (document or "").strip()
    if not text or len(text) > 255:
        raise InvalidGrantRequest(
            "须写明授权文件（名称和文号，最多 255 个字符）（name the authorisation document）",
            field="document",
        )
    grant.status = GrantStatus.PENDING
    grant.decided_by = grant.decided_at = None
    grant.decision_note = f"核心数据：大数据局依据《{text}》准予审批，待提供部门批准"
    grant.approvals = [
        {
            "level": by.level.value,
            "actor": by.actor,
            "organisation": by.organisation,
            "at": at.isoformat(),
            "document": text,
        }
    ]
    record_decision(session, grant, DecisionAction.OVERRIDE, by, at=at, note=text)
    session.flush()
    return grant


def approve_question_grant(
    session: Session,
    grant_id: int,
    by: Approver,
    *,
    note: str | None = None,
    now: dt.datetime | None = None,
) -> Grant:
    """Approve a pending question grant of graded data at ``by``'s level; active once every
    needed level approved."""
    at = now or utcnow()
    grant = session.get(Grant, grant_id)
    if grant is None or grant.question is None:
        raise GrantNotFound(f"没有编号为 {grant_id} 的核验问题授权", field="grant_id")
    if grant.status is not GrantStatus.PENDING:
        raise GrantStateConflict(
            f"核验问题授权 {grant_id} 状态为「{grant.status.zh}」，只有待审批的授权可以审批"
        )
    if approve_graded(session, grant, by, {grant.provider_code}, at=at, note=note):
        activate(session, grant, by, at, note)
    session.flush()
    return grant
