"""Requesting catalog resources for demands, and the provider's decision.

A consuming department asks for a resource for one of its registered demands: which data
items, for what purpose, for which period. The resource's share type decides what happens
(编制指南 §5.2 共享属性; 《政务信息资源共享管理暂行办法》 国发〔2016〕51号 §9, §14):

* 无条件共享 (unconditional) — granted at once, scoped to the requested items the resource has;
* 有条件共享 (conditional) — recorded as pending; the provider approves, possibly narrowing the
  data items, purpose and period, or refuses with its reasons (§14: 有条件共享的，提供部门
  应在 10 个工作日内予以答复，不予共享的应说明理由);
* 不予共享 (not shared) — refused at once, citing the resource's legal basis.

Grades come first (``grading``): a request covering an item at or above the threshold grade
needs a legal basis and goes to pending even where the share type is unconditional, and is
approved by the approvers its grade calls for; core data is refused at once.

Every request is stored as a :class:`Grant` (the same table the exchange's question grants use),
so a refusal is on record too. :func:`check_resource_grant` is the provider's check of a use.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree.catalog.demands import get_demand
from certfree.catalog.errors import (
    ApproverNotAllowed,
    DuplicateRequest,
    GrantReason,
    GrantRefused,
    GrantStateConflict,
    InvalidGrantRequest,
    ResourceNotFound,
)
from certfree.catalog.grants.checks import covering_grant
from certfree.catalog.grants.decisions import (
    Approver,
    ApproverLevel,
    DecisionAction,
    record_decision,
)
from certfree.catalog.grants.grading import (
    DEFAULT_GRADE_THRESHOLD,
    FieldGrade,
    activate,
    approve_graded,
    assess,
    check_refuser,
    needed_levels,
    refuse_core,
    resource_field_grades,
)
from certfree.catalog.grants.models import WHOLE_RESOURCE, Grant, GrantStatus
from certfree.catalog.grants.records import effective_status, get_grant, list_grants
from certfree.catalog.resources import get_resource, item_names
from certfree.catalog.vocab import ShareType
from certfree.classification import CORE_GRADE
from certfree.storage import utcnow

__all__ = [
    "approve_request",
    "check_resource_grant",
    "expire_grants",
    "refuse_request",
    "request_resource",
    "sharing_summary",
]

AUTO_DECIDER = "catalog:share_type"  # decided_by of decisions the share type makes


def _text(value: str | None, field: str, limit: int, *, required: bool = True) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise InvalidGrantRequest(f"{field} 不能为空", field=field)
        return None
    if len(text) > limit:
        raise InvalidGrantRequest(f"{field} 最多 {limit} 个字符，收到 {len(text)} 个", field=field)
    return text


def _names(items: Sequence[str] | None) -> list[str]:
    return sorted({name.strip() for name in items or () if name.strip()})


def _period(start: dt.datetime, end: dt.datetime | None) -> None:
    if end is not None and end <= start:
        raise InvalidGrantRequest(
            f"有效期截止 {end.isoformat()} 应晚于起始 {start.isoformat()}", field="valid_to"
        )


def request_resource(
    session: Session,
    *,
    demand_id: int,
    resource_code: str,
    requested_by: str,
    data_items: Sequence[str] | None = None,
    purpose: str | None = None,
    valid_from: dt.datetime | None = None,
    valid_to: dt.datetime | None = None,
    legal_basis: str | None = None,
    legal_basis_text: str | None = None,
    threshold: int = DEFAULT_GRADE_THRESHOLD,
    now: dt.datetime | None = None,
) -> Grant:
    """Record a request of ``resource_code`` for demand ``demand_id``, decided by grade and
    share type.

    Items graded ``threshold`` or above need ``legal_basis`` (a ``LegalBasis`` value; missing:
    InvalidGrantRequest naming it) and leave the request pending; core data is refused at once
    (``grading``). No data items: the whole resource. Items the resource does not list are
    left out of the scope (and named in the decision note); if none is left,
    InvalidGrantRequest. The purpose defaults to the demand's. DuplicateRequest if a pending or
    current grant of this resource already serves the demand. Returns the grant: active,
    pending or refused.
    """
    at = now or utcnow()
    demand = get_demand(session, demand_id)
    resource = get_resource(session, resource_code)
    if not demand.department_code:
        raise InvalidGrantRequest(
            f"需求 {demand_id} 未注明部门代码（department_code），无法确定使用方", field="demand_id"
        )
    start = valid_from or at
    _period(start, valid_to)
    wanted = _names(data_items)
    has = item_names(resource.items)
    if not wanted:
        scope, dropped = [WHOLE_RESOURCE], []
    elif not has:
        raise InvalidGrantRequest(
            f"资源 {resource.code}「{resource.name}」未登记信息项，无法按数据项授权；"
            "请不列数据项，申请整个资源",
            field="data_items",
        )
    else:
        scope = [name for name in wanted if name in has]
        dropped = [name for name in wanted if name not in has]
        if not scope:
            raise InvalidGrantRequest(
                f"资源 {resource.code} 不含所请求的数据项 {'、'.join(wanted)}；"
                f"它的信息项为 {'、'.join(has)}",
                field="data_items",
            )
    for earlier in list_grants(session, resource_code=resource.code, demand_id=demand.id):
        state = effective_status(earlier, at)
        if state in {GrantStatus.PENDING, GrantStatus.ACTIVE}:
            raise DuplicateRequest(
                f"需求 {demand.id} 已申请资源 {resource.code}（授权 {earlier.id}，{state.zh}）",
                field="resource_code",
            )
    purpose_text = _text(purpose or demand.purpose, "purpose", 255) or ""
    grant = Grant(
        consumer_code=demand.department_code,
        provider_code=resource.provider_code,
        question=None,
        resource_code=resource.code,
        demand_id=demand.id,
        service_item=demand.scenario[:200],
        purpose=purpose_text,
        data_items=scope,
        valid_from=start,
        valid_to=valid_to,
        status=GrantStatus.PENDING,
        created_by=_text(requested_by, "requested_by", 128) or "",
        created_at=at,
        requested={
            "data_items": wanted or [WHOLE_RESOURCE],
            "purpose": purpose_text,
            "valid_from": start.isoformat(),
            "valid_to": valid_to.isoformat() if valid_to else None,
            "share_type": resource.share_type.value,
            "share_conditions": resource.share_conditions,
        },
    )
    fields = resource_field_grades(resource.items, scope)
    needed = assess(
        grant, fields, threshold=threshold, legal_basis=legal_basis,
        legal_basis_text=legal_basis_text,
    )  # fmt: skip
    not_in = f"资源不含数据项 {'、'.join(dropped)}，未纳入授权" if dropped else None
    _first_decision(grant, resource.share_type, resource.unshared_basis, fields, needed, not_in, at)
    session.add(grant)
    session.flush()
    requester = Approver(grant.created_by, ApproverLevel.DEPARTMENT, grant.consumer_code)
    record_decision(session, grant, DecisionAction.REQUESTED, requester, at=at)
    if grant.status is not GrantStatus.PENDING:
        rule = Approver(grant.decided_by or AUTO_DECIDER, ApproverLevel.SYSTEM)
        action = (
            DecisionAction.GRANTED if grant.status is GrantStatus.ACTIVE else DecisionAction.REFUSED
        )
        record_decision(session, grant, action, rule, at=at, note=grant.decision_note)
    session.flush()
    return grant


def _first_decision(  # noqa: PLR0917 - the facts the decision reads
    grant: Grant,
    share_type: ShareType,
    unshared_basis: str | None,
    fields: Sequence[FieldGrade],
    needed: Sequence[ApproverLevel],
    not_in: str | None,
    at: dt.datetime,
) -> None:
    """Decide a new request by its share type and its grade (a refusal by either wins)."""
    if share_type is ShareType.NOT_SHARED:
        _decide(
            grant, GrantStatus.REFUSED, AUTO_DECIDER, at, f"不予共享：{unshared_basis or '未注明'}"
        )
    elif (grant.grade or 0) >= CORE_GRADE:
        refuse_core(grant, fields, at)
    elif share_type is ShareType.UNCONDITIONAL and not needed:
        note = "；".join(filter(None, ["无条件共享，自动授权", not_in]))
        _decide(grant, GrantStatus.ACTIVE, AUTO_DECIDER, at, note)
    elif needed:
        # An unconditional share type does not bypass the grade (GB/T 43697-2024 §6.1;
        # 个人信息保护法 第28条): the request waits for its approvers.
        who = "、".join(level.zh for level in needed)
        graded = f"含 {grant.grade} 级数据项，须经{who}审批"
        grant.decision_note = "；".join(filter(None, [graded, not_in]))
    else:
        grant.decision_note = not_in


def _owners(session: Session, grant: Grant) -> set[str]:
    """The providing department by code and, while its resource exists, by name."""
    owners = {grant.provider_code}
    # Deleted since: the provider code on the grant still names its owner.
    with contextlib.suppress(ResourceNotFound):
        owners.add(get_resource(session, grant.resource_code or "").provider)
    return owners


def _approver(grant: Grant, approver: Approver | None, decided_by: str) -> Approver:
    if approver is not None:
        return approver
    if needed_levels(grant):
        raise ApproverNotAllowed(
            f"共享申请 {grant.id} 含 {grant.grade} 级数据，须注明审批人的级别和所属部门"
            "（graded data: the approver's level and organisation are required）"
        )
    return Approver(decided_by, ApproverLevel.DEPARTMENT, grant.provider_code)


def _decide(grant: Grant, status: GrantStatus, by: str, at: dt.datetime, note: str | None) -> None:
    grant.status = status
    grant.decided_by = by
    grant.decided_at = at
    grant.decision_note = note[:1000] if note else None


def _pending(session: Session, grant_id: int) -> Grant:
    grant = get_grant(session, grant_id)
    if grant.resource_code is None:
        raise GrantStateConflict(f"共享授权 {grant_id} 是核验问题授权，不是资源申请")
    if grant.status is not GrantStatus.PENDING:
        raise GrantStateConflict(
            f"共享申请 {grant_id} 状态为「{grant.status.zh}」，只有待审批的申请可以审批"
        )
    return grant


def approve_request(
    session: Session,
    grant_id: int,
    *,
    decided_by: str,
    data_items: Sequence[str] | None = None,
    purpose: str | None = None,
    valid_from: dt.datetime | None = None,
    valid_to: dt.datetime | None = None,
    note: str | None = None,
    approver: Approver | None = None,
    now: dt.datetime | None = None,
) -> Grant:
    """Approve a pending request, optionally narrowed: fewer data items, a reworded purpose, a
    shorter period. Widening any of them is an InvalidGrantRequest naming the field.

    A graded request needs ``approver`` of each level its grade calls for (``grading``); it
    stays pending until the last one approves. ApproverNotAllowed for anyone else."""
    at = now or utcnow()
    grant = _pending(session, grant_id)
    by = _approver(grant, approver, decided_by)
    items = _names(data_items)
    if items:
        if grant.data_items == [WHOLE_RESOURCE]:
            resource = get_resource(session, grant.resource_code or "")
            allowed = set(item_names(resource.items))
        else:
            allowed = set(grant.data_items)
        wider = [name for name in items if name not in allowed]
        if wider:
            raise InvalidGrantRequest(
                f"审批只能缩小数据项范围；{'、'.join(wider)} 不在申请范围"
                f"（{'、'.join(sorted(allowed)) or '无'}）内",
                field="data_items",
            )
        grant.data_items = items
    start = valid_from or grant.valid_from
    if start < grant.valid_from:
        raise InvalidGrantRequest(
            f"审批只能缩短期限；起始 {start.isoformat()} 早于申请的 {grant.valid_from.isoformat()}",
            field="valid_from",
        )
    end = valid_to or grant.valid_to
    if grant.valid_to is not None and end is not None and end > grant.valid_to:
        raise InvalidGrantRequest(
            f"审批只能缩短期限；截止 {end.isoformat()} 晚于申请的 {grant.valid_to.isoformat()}",
            field="valid_to",
        )
    _period(start, end)
    purpose_text = _text(purpose, "purpose", 255) if purpose is not None else None
    note_text = _text(note, "note", 1000, required=False)
    actor = _text(decided_by, "decided_by", 128) or ""
    complete = approve_graded(session, grant, by, _owners(session, grant), at=at, note=note_text)
    grant.valid_from, grant.valid_to = start, end
    grant.purpose = purpose_text or grant.purpose
    if complete:
        activate(session, grant, Approver(actor, by.level, by.organisation), at, note_text)
    session.flush()
    return grant


def refuse_request(
    session: Session,
    grant_id: int,
    *,
    decided_by: str,
    reason: str,
    approver: Approver | None = None,
    now: dt.datetime | None = None,
) -> Grant:
    """Refuse a pending request; the reasons are required (国发〔2016〕51号 §14). A graded
    request is refused by its provider or the bureau (``approver``) only."""
    at = now or utcnow()
    grant = _pending(session, grant_id)
    by = _approver(grant, approver, decided_by)
    check_refuser(grant, by, _owners(session, grant))
    text = _text(reason, "reason", 1000)
    actor = _text(decided_by, "decided_by", 128) or ""
    _decide(grant, GrantStatus.REFUSED, actor, at, text)
    who = Approver(actor, by.level, by.organisation)
    record_decision(session, grant, DecisionAction.REFUSED, who, at=at, note=text)
    session.flush()
    return grant


def expire_grants(session: Session, now: dt.datetime | None = None) -> list[Grant]:
    """Mark active grants whose period has ended as expired; returns them."""
    at = now or utcnow()
    query = select(Grant).where(
        Grant.status == GrantStatus.ACTIVE, Grant.valid_to.is_not(None), Grant.valid_to <= at
    )
    ended = list(session.scalars(query))
    for grant in ended:
        grant.status = GrantStatus.EXPIRED
    session.flush()
    return ended


def check_resource_grant(
    session: Session,
    *,
    consumer: str,
    resource_code: str,
    data_items: Sequence[str] = (),
    now: dt.datetime | None = None,
) -> Grant:
    """The current grant letting ``consumer`` use these items of the resource, or GrantRefused.

    Reasons as :func:`check_grant`'s: ``no_grant``, ``grant_revoked`` (none granted and still
    standing), ``grant_not_yet_valid``, ``grant_expired``, ``data_item_not_allowed``.
    """
    who = f"{consumer} 使用资源 {resource_code}"
    decided = [
        g for g in list_grants(session, consumer=consumer, resource_code=resource_code)
        if g.status in {GrantStatus.ACTIVE, GrantStatus.EXPIRED, GrantStatus.REVOKED}
    ]  # fmt: skip
    if not decided:
        raise GrantRefused(GrantReason.NO_GRANT, f"{who} 没有已批准的授权")
    standing = [g for g in decided if g.status is not GrantStatus.REVOKED]
    if not standing:
        raise GrantRefused(GrantReason.REVOKED, f"{who} 的授权均已撤销")
    return covering_grant(standing, data_items, now or utcnow(), who)


def sharing_summary(session: Session) -> dict[str, Any]:
    """Resource requests counted by status (for the reports)."""
    counts: dict[str, int] = {status.value: 0 for status in GrantStatus}
    for grant in list_grants(session, resources_only=True):
        counts[effective_status(grant).value] += 1
    return counts
