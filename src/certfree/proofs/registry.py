"""The working proof-item list: add, amend, abolish, cite and repeal, each logged.

Every function takes the caller's session and leaves committing to it, so a request or an
import is one transaction: it happens entirely or not at all. Every change writes a
:class:`~certfree.proofs.models.ProofChange` with who, when (UTC) and why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree.errors import InvalidInput
from certfree.nodes import DepartmentKind
from certfree.proofs.documents import (
    BasisDraft,
    clean_title,
    ensure_document,
    find_document,
    list_documents,
)
from certfree.proofs.errors import (
    InvalidProofItem,
    ProofItemNotFound,
    ProofListConflict,
)
from certfree.proofs.models import LegalBasis, ProofChange, ProofItem
from certfree.proofs.sufficiency import insufficiency_reason
from certfree.proofs.views import ProofItemView, item_view
from certfree.proofs.vocab import (
    WAY_PREFERENCE,
    ChangeKind,
    ExcludedArea,
    ProofItemStatus,
    Way,
)
from certfree.storage import utcnow

__all__ = [
    "AMENDABLE_FIELDS",
    "BasisDraft",
    "ItemDraft",
    "abolish_item",
    "add_basis",
    "add_item",
    "amend_item",
    "check_code",
    "check_ways",
    "clean_title",
    "ensure_document",
    "find_document",
    "get_item",
    "list_documents",
    "log_change",
    "recheck",
    "repeal_document",
    "replace_bases",
]

CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
AMENDABLE_FIELDS = frozenset(
    {"name", "fact", "issuing_department", "department_kind", "ways", "excluded_area", "note"}
)


@dataclass(frozen=True)
class ItemDraft:
    """A new item as typed by a person, before it is checked and stored."""

    code: str
    name: str
    fact: str
    issuing_department: str
    ways: Sequence[Way]
    excluded_area: ExcludedArea | None = None
    department_kind: DepartmentKind | None = None
    note: str | None = None
    bases: Sequence[BasisDraft] = field(default_factory=tuple)


def check_code(code: str) -> str:
    if not CODE_PATTERN.fullmatch(code):
        raise InvalidProofItem(
            f"编码「{code}」无效：1–32 位字母、数字、点、连字符或下划线，以字母或数字开头",
            field="code",
        )
    return code


def check_ways(ways: Iterable[Way], excluded_area: ExcludedArea | None) -> list[Way]:
    """The ways deduplicated and put in WAY_PREFERENCE order; refuses impossible combinations."""
    chosen = set(ways)
    if not chosen:
        raise InvalidProofItem("至少需要一种办理方式", field="ways")
    if Way.CANCELLED in chosen and len(chosen) > 1:
        raise InvalidProofItem("直接取消的证明事项不能再有其他办理方式", field="ways")
    if Way.COMMITMENT in chosen and excluded_area is not None:
        # 国办发〔2020〕42号 二(一): 直接涉及国家安全、国家秘密、公共安全、金融业审慎监管、生态环境
        # 保护，直接关系人身健康、生命财产安全，以及重要涉外等情形的证明事项，不适用告知承诺制.
        raise InvalidProofItem(
            f"属于「{excluded_area.label_zh}」领域的证明事项不适用告知承诺（国办发〔2020〕42号）",
            field="ways",
        )
    return [w for w in WAY_PREFERENCE if w in chosen]


def _require_text(value: str | None, field_name: str, label: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidProofItem(f"{label}不能为空", field=field_name)
    if len(text) > limit:
        raise InvalidProofItem(f"{label}不能超过 {limit} 字（现 {len(text)} 字）", field=field_name)
    return text


def _require_why(actor: str, reason: str) -> None:
    if not actor.strip():
        raise InvalidInput("请说明由谁修改（actor）", field="actor")
    if not reason.strip():
        raise InvalidInput("请说明修改理由（reason）", field="reason")


def log_change(
    session: Session,
    kind: ChangeKind,
    actor: str,
    reason: str,
    *,
    item_code: str | None = None,
    document_id: int | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    session.add(
        ProofChange(
            at=utcnow(),
            actor=actor,
            reason=reason,
            kind=kind,
            item_code=item_code,
            document_id=document_id,
            details=dict(details or {}),
        )
    )


def _item(session: Session, code: str) -> ProofItem:
    item = session.get(ProofItem, code)
    if item is None:
        raise ProofItemNotFound(code)
    return item


def _editable(session: Session, code: str) -> ProofItem:
    item = _item(session, code)
    if item.status is ProofItemStatus.ABOLISHED:
        raise ProofListConflict(f"证明事项 {code}（{item.name}）已取消，不能再修改")
    return item


def get_item(session: Session, code: str) -> ProofItemView:
    """The item as it stands in the working list; ProofItemNotFound names an unknown code."""
    return item_view(_item(session, code))


def recheck(session: Session, item: ProofItem, actor: str, reason: str) -> None:
    """Apply the legal-basis rule (certfree.proofs.sufficiency) to one item and log a flip."""
    if item.status is ProofItemStatus.ABOLISHED:
        return
    session.flush()
    session.refresh(item, ["bases"])
    why = insufficiency_reason(item_view(item).legal_bases)
    if why is not None and (item.status is ProofItemStatus.ACTIVE or item.abolition_reason != why):
        item.status = ProofItemStatus.TO_ABOLISH
        item.abolition_reason = why
        item.flagged_at = utcnow()
        log_change(
            session,
            ChangeKind.FLAG_ITEM,
            actor,
            reason,
            item_code=item.code,
            details={"status": "to_abolish", "abolition_reason": why},
        )
    elif why is None and item.status is ProofItemStatus.TO_ABOLISH:
        item.status = ProofItemStatus.ACTIVE
        item.abolition_reason = None
        item.flagged_at = None
        log_change(
            session,
            ChangeKind.FLAG_ITEM,
            actor,
            reason,
            item_code=item.code,
            details={"status": "active", "abolition_reason": None},
        )


def _attach(session: Session, item: ProofItem, basis: BasisDraft) -> bool:
    """Cite ``basis`` on ``item``; False if that article of that document is already cited."""
    document = ensure_document(session, basis)
    article = basis.article.strip()
    if any(b.document_id == document.id and b.article == article for b in item.bases):
        return False
    item.bases.append(LegalBasis(document=document, document_id=document.id, article=article))
    return True


def add_item(session: Session, draft: ItemDraft, actor: str, reason: str) -> ProofItemView:
    """Add an item to the working list (flagged at once if its bases do not suffice)."""
    _require_why(actor, reason)
    code = check_code(draft.code.strip())
    if session.get(ProofItem, code) is not None:
        raise ProofListConflict(
            f"编码 {code} 已被使用；修改已有事项请用 PATCH /api/v1/proofs/{code}"
        )
    item = ProofItem(
        code=code,
        name=_require_text(draft.name, "name", "证明事项名称", 200),
        fact=_require_text(draft.fact, "fact", "证明内容", 2000),
        issuing_department=_require_text(
            draft.issuing_department, "issuing_department", "原开具部门", 200
        ),
        department_kind=draft.department_kind,
        ways=[w.value for w in check_ways(draft.ways, draft.excluded_area)],
        excluded_area=draft.excluded_area,
        status=ProofItemStatus.ACTIVE,
        note=(draft.note or "").strip() or None,
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    session.add(item)
    for basis in draft.bases:
        _attach(session, item, basis)
    log_change(
        session, ChangeKind.ADD_ITEM, actor, reason, item_code=code, details={"name": item.name}
    )
    recheck(session, item, actor, reason)
    return item_view(item)


def amend_item(
    session: Session, code: str, changes: Mapping[str, Any], actor: str, reason: str
) -> ProofItemView:
    """Change fields of an item; ``changes`` maps names in AMENDABLE_FIELDS to new values."""
    _require_why(actor, reason)
    unknown = set(changes) - AMENDABLE_FIELDS
    if unknown:
        raise InvalidProofItem(f"不能修改字段 {', '.join(sorted(unknown))}", field=min(unknown))
    item = _editable(session, code)
    new = dict(changes)
    if "ways" in new or "excluded_area" in new:
        area = new.get("excluded_area", item.excluded_area)
        ways = new.get("ways", [Way(w) for w in item.ways]) or ()
        new["ways"] = [w.value for w in check_ways(ways, area)]
    for name, label, limit in (
        ("name", "证明事项名称", 200),
        ("fact", "证明内容", 2000),
        ("issuing_department", "原开具部门", 200),
    ):
        if name in new:
            new[name] = _require_text(new[name], name, label, limit)
    if "note" in new:
        new["note"] = (new["note"] or "").strip() or None
    diff: dict[str, dict[str, Any]] = {}
    for name, value in new.items():
        before = getattr(item, name)
        if before != value:
            diff[name] = {"before": _plain(before), "after": _plain(value)}
            setattr(item, name, value)
    if diff:
        item.updated_at = utcnow()
        log_change(session, ChangeKind.AMEND_ITEM, actor, reason, item_code=code, details=diff)
    return item_view(item)


def _plain(value: Any) -> Any:
    return value.value if hasattr(value, "value") else value


def add_basis(
    session: Session, code: str, basis: BasisDraft, actor: str, reason: str
) -> ProofItemView:
    """Cite one more article for an item; a flagged item whose new basis suffices is kept."""
    _require_why(actor, reason)
    item = _editable(session, code)
    if not _attach(session, item, basis):
        raise ProofListConflict(
            f"{code} 已引用《{clean_title(basis.document_title)}》{basis.article}"
        )
    item.updated_at = utcnow()
    log_change(
        session,
        ChangeKind.ADD_BASIS,
        actor,
        reason,
        item_code=code,
        details={"document": clean_title(basis.document_title), "article": basis.article},
    )
    recheck(session, item, actor, reason)
    return item_view(item)


def replace_bases(
    session: Session, item: ProofItem, bases: Sequence[BasisDraft], actor: str, reason: str
) -> bool:
    """Make the item cite exactly ``bases`` (an import row set); True if anything changed."""
    wanted = {(ensure_document(session, b).id, b.article.strip()): b for b in bases}
    changed = False
    for old in list(item.bases):
        if (old.document_id, old.article) not in wanted:
            item.bases.remove(old)
            changed = True
            log_change(
                session,
                ChangeKind.REMOVE_BASIS,
                actor,
                reason,
                item_code=item.code,
                details={"document": old.document.title, "article": old.article},
            )
    for basis in bases:
        if _attach(session, item, basis):
            changed = True
            log_change(
                session,
                ChangeKind.ADD_BASIS,
                actor,
                reason,
                item_code=item.code,
                details={
                    "document": clean_title(basis.document_title),
                    "article": basis.article.strip(),
                },
            )
    if changed:
        item.updated_at = utcnow()
    recheck(session, item, actor, reason)
    return changed


def abolish_item(session: Session, code: str, actor: str, reason: str) -> ProofItemView:
    """Abolish an item: it may no longer be demanded in any form (清单之外无证明)."""
    _require_why(actor, reason)
    item = _editable(session, code)
    item.status = ProofItemStatus.ABOLISHED
    item.abolition_reason = reason.strip()
    item.updated_at = utcnow()
    log_change(session, ChangeKind.ABOLISH_ITEM, actor, reason, item_code=code)
    return item_view(item)


def repeal_document(
    session: Session, document_code_or_id: str | int, actor: str, reason: str
) -> list[str]:
    """Mark a legal document repealed and flag every item it leaves without sufficient basis.

    Returns the codes of the items flagged ``to_abolish`` by this repeal (sorted), for callers
    that adjust what depends on them (``certfree.procedures.adjust_for_repeal``).
    """
    _require_why(actor, reason)
    document = find_document(session, document_code_or_id)
    if document.repealed_at is not None:
        raise ProofListConflict(
            f"《{document.title}》已于 {document.repealed_at:%Y-%m-%d} 登记为废止"
        )
    document.repealed_at = utcnow()
    document.repeal_reason = reason.strip()
    log_change(
        session,
        ChangeKind.REPEAL_DOCUMENT,
        actor,
        reason,
        document_id=document.id,
        details={"document": document.title, "number": document.number},
    )
    # A subquery, not DISTINCT: PostgreSQL has no equality operator for the JSON columns.
    citing = session.scalars(
        select(ProofItem)
        .where(
            ProofItem.code.in_(
                select(LegalBasis.item_code).where(LegalBasis.document_id == document.id)
            )
        )
        .order_by(ProofItem.code)
    ).all()
    flagged: list[str] = []
    for item in citing:
        was = item.status
        recheck(session, item, actor, reason)
        if was is ProofItemStatus.ACTIVE and item.status is ProofItemStatus.TO_ABOLISH:
            flagged.append(item.code)
    return flagged
