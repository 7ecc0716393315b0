"""Sharing grants: create, revoke, list (the provider's check of a request against them is
``grants.checks``).

Question grants are made active here at once unless their fields are graded (``grading``:
the approvers the grade calls for, core data refused); grants of catalog resources go through
a request and a decision (``grants.sharing``) but live in the same table and are listed,
viewed and revoked by the same functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree.catalog.errors import (
    GrantNotFound,
    GrantRevoked,
    GrantStateConflict,
    InvalidGrantRequest,
)
from certfree.catalog.grants.bases import LegalBasis
from certfree.catalog.grants.decisions import (
    Approver,
    ApproverLevel,
    DecisionAction,
    record_decision,
)
from certfree.catalog.grants.grading import (
    DEFAULT_GRADE_THRESHOLD,
    activate,
    approve_graded,
    assess,
    needed_levels,
    question_field_grades,
    refuse_core,
)
from certfree.catalog.grants.models import WHOLE_RESOURCE, Grant, GrantStatus
from certfree.classification import CORE_GRADE
from certfree.errors import InvalidInput
from certfree.storage import utcnow

__all__ = [
    "create_grant",
    "effective_status",
    "get_grant",
    "grant_view",
    "list_grants",
    "revoke_grant",
]


def _text(value: str, field: str, limit: int) -> str:
    value = value.strip()
    if not value:
        raise InvalidInput(f"{field} 不能为空", field=field)
    if len(value) > limit:
        raise InvalidInput(f"{field} 最多 {limit} 个字符，收到 {len(value)} 个", field=field)
    return value


def create_grant(
    session: Session,
    *,
    consumer: str,
    provider: str,
    question: str | None,
    service_item: str,
    purpose: str,
    data_items: Sequence[str],
    created_by: str,
    valid_from: dt.datetime | None = None,
    valid_to: dt.datetime | None = None,
    consent_exempt_basis: str | None = None,
    legal_basis: str | None = None,
    legal_basis_text: str | None = None,
    approver: Approver | None = None,
    threshold: int = DEFAULT_GRADE_THRESHOLD,
) -> Grant:
    """Record a grant and return it (flushed, so it has its id): active, or for graded data
    pending its approvers or refused (core data), as ``grading`` rules.

    ``question`` may be None only for grants of other kinds (data resources, see ``sharing``). The
    caller checks that the question exists and its data items are its own (the exchange
    domain knows the questions). InvalidInput names an empty or over-long field, an empty
    data-item list or a validity that ends before it starts.

    The legal basis defaults to the data subject's consent (checked per answer) or, where
    ``consent_exempt_basis`` cites a law, the statutory duty it names (个人信息保护法 第13条).
    ``approver`` is who grants it (default: the provider's own department, as the CLI and the
    demo act); its approval counts where its level is one the grade calls for.
    """
    items = sorted({_text(item, "data_items", 64) for item in data_items})
    if not items:
        raise InvalidInput("至少授权一个数据项", field="data_items")
    start = valid_from or utcnow()
    if valid_to is not None and valid_to <= start:
        raise InvalidInput(
            f"有效期截止 {valid_to.isoformat()} 应晚于起始 {start.isoformat()}", field="valid_to"
        )
    basis = consent_exempt_basis.strip() if consent_exempt_basis else None
    grant = Grant(
        consumer_code=_text(consumer, "consumer", 32),
        provider_code=_text(provider, "provider", 32),
        question=_text(question, "question", 64) if question is not None else None,
        service_item=_text(service_item, "service_item", 64),
        purpose=_text(purpose, "purpose", 255),
        data_items=items,
        valid_from=start,
        valid_to=valid_to,
        consent_exempt_basis=_text(basis, "consent_exempt_basis", 255) if basis else None,
        status=GrantStatus.ACTIVE,
        created_by=_text(created_by, "created_by", 128),
        created_at=utcnow(),
    )
    if legal_basis is None:
        legal_basis = LegalBasis.STATUTORY_DUTY if basis else LegalBasis.CONSENT
        legal_basis_text = legal_basis_text or basis
    elif basis and legal_basis == LegalBasis.CONSENT:
        raise InvalidGrantRequest(
            "法律依据为个人同意时不能同时注明免于同意的依据（consent_exempt_basis）"
            "（consent cannot be the basis of a grant exempt from consent）",
            field="legal_basis",
        )
    fields = question_field_grades(question, items) if question is not None else []
    needed = assess(
        grant, fields, threshold=threshold, legal_basis=legal_basis,
        legal_basis_text=legal_basis_text,
    )  # fmt: skip
    by = approver or Approver(grant.created_by, ApproverLevel.DEPARTMENT, grant.provider_code)
    at = grant.created_at
    if (grant.grade or 0) >= CORE_GRADE:
        refuse_core(grant, fields, at)
    elif needed:
        grant.status = GrantStatus.PENDING
    session.add(grant)
    session.flush()
    record_decision(session, grant, DecisionAction.REQUESTED, by, at=at)
    if grant.status is GrantStatus.REFUSED:
        rule = Approver(grant.decided_by or "", ApproverLevel.SYSTEM)
        record_decision(
            session, grant, DecisionAction.REFUSED, rule, at=at, note=grant.decision_note
        )
    elif not needed:
        record_decision(session, grant, DecisionAction.GRANTED, by, at=at)
    elif by.level in needed and approve_graded(session, grant, by, {grant.provider_code}, at=at):
        activate(session, grant, by, at, None)
    session.flush()
    return grant


def get_grant(session: Session, grant_id: int) -> Grant:
    grant = session.get(Grant, grant_id)
    if grant is None:
        raise GrantNotFound(f"没有编号为 {grant_id} 的共享授权", field="grant_id")
    return grant


def revoke_grant(
    session: Session, grant_id: int, *, revoked_by: str, reason: str | None = None
) -> Grant:
    """Revoke the grant; later requests under it are refused (``grant_revoked``).

    GrantRevoked if it is revoked already; GrantStateConflict if it was never granted (a
    pending or refused request) or has expired.
    """
    grant = get_grant(session, grant_id)
    if grant.status is GrantStatus.REVOKED:
        at = grant.revoked_at.isoformat(timespec="seconds") if grant.revoked_at else "此前"
        raise GrantRevoked(f"共享授权 {grant_id} 已于 {at} 撤销，无需再次撤销")
    if grant.status is not GrantStatus.ACTIVE:
        raise GrantStateConflict(
            f"共享授权 {grant_id} 状态为「{grant.status.zh}」，只有有效的授权可以撤销"
        )
    grant.status = GrantStatus.REVOKED
    grant.revoked_at = utcnow()
    grant.revoked_by = revoked_by
    grant.revoke_reason = reason
    who = Approver(revoked_by, ApproverLevel.DEPARTMENT, None)
    record_decision(session, grant, DecisionAction.REVOKED, who, at=grant.revoked_at, note=reason)
    session.flush()
    return grant


def list_grants(
    session: Session,
    *,
    consumer: str | None = None,
    provider: str | None = None,
    question: str | None = None,
    include_revoked: bool = True,
    resource_code: str | None = None,
    demand_id: int | None = None,
    status: GrantStatus | None = None,
    party: str | None = None,
    resources_only: bool = False,
) -> list[Grant]:
    """Grants matching the given filters, oldest first.

    ``party`` keeps those where the code is the consumer or the provider (what a department
    sees of its own requests and of the requests made to it); ``resources_only`` keeps the
    requests of catalog resources (no question grants).
    """
    query = select(Grant).order_by(Grant.id)
    if consumer is not None:
        query = query.where(Grant.consumer_code == consumer)
    if provider is not None:
        query = query.where(Grant.provider_code == provider)
    if question is not None:
        query = query.where(Grant.question == question)
    if not include_revoked:
        query = query.where(Grant.status == GrantStatus.ACTIVE)
    if resource_code is not None:
        query = query.where(Grant.resource_code == resource_code)
    if demand_id is not None:
        query = query.where(Grant.demand_id == demand_id)
    if status is not None:
        query = query.where(Grant.status == status)
    if party is not None:
        query = query.where((Grant.consumer_code == party) | (Grant.provider_code == party))
    if resources_only:
        query = query.where(Grant.resource_code.is_not(None))
    return list(session.scalars(query))


def effective_status(grant: Grant, now: dt.datetime | None = None) -> GrantStatus:
    """The status as of ``now``: an active grant whose period has ended reads as expired."""
    at = now or utcnow()
    if grant.status is GrantStatus.ACTIVE and grant.valid_to is not None and grant.valid_to <= at:
        return GrantStatus.EXPIRED
    return grant.status


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def grant_view(grant: Grant, now: dt.datetime | None = None) -> dict[str, object]:
    """The grant as JSON-ready data (for the API, the CLI and the exchange answer).

    ``status`` is the stored one; ``effective_status`` also counts a period that has ended.
    Resource grants add the resource, the demand, the request as made and the decision.
    """
    effective = effective_status(grant, now)
    return {
        "id": grant.id,
        "consumer": grant.consumer_code,
        "provider": grant.provider_code,
        "question": grant.question,
        "service_item": grant.service_item,
        "purpose": grant.purpose,
        "data_items": list(grant.data_items),
        "valid_from": grant.valid_from.isoformat(),
        "valid_to": _iso(grant.valid_to),
        "consent_exempt_basis": grant.consent_exempt_basis,
        "status": grant.status.value,
        "status_zh": grant.status.zh,
        "created_by": grant.created_by,
        "created_at": grant.created_at.isoformat(),
        "revoked_at": _iso(grant.revoked_at),
        "revoked_by": grant.revoked_by,
        "revoke_reason": grant.revoke_reason,
        "effective_status": effective.value,
        "effective_status_zh": effective.zh,
        "kind": "question" if grant.question is not None else "resource",
        "resource_code": grant.resource_code,
        "demand_id": grant.demand_id,
        "whole_resource": WHOLE_RESOURCE in grant.data_items,
        "requested": grant.requested,
        "decision_note": grant.decision_note,
        "decided_by": grant.decided_by,
        "decided_at": _iso(grant.decided_at),
        "grade": grant.grade,
        "legal_basis": grant.legal_basis,
        "legal_basis_zh": LegalBasis(grant.legal_basis).zh if grant.legal_basis else None,
        "legal_basis_en": LegalBasis(grant.legal_basis).en if grant.legal_basis else None,
        "legal_basis_text": grant.legal_basis_text,
        "approvals_needed": [level.value for level in needed_levels(grant)],
        "approvals": list(grant.approvals or []),
    }
