"""HTTP routes of department verification (部门核验): a clerk asks a department to confirm a fact.

The paths are ``/api/v1/dept-verifications``: ``/api/v1/verifications`` already verifies
e-certificate presentations. A desk clerk (consumer node) creates and withdraws requests and
reads its outbox; a department node's clerk or department admin reads its inbox and answers.
A token with an ``org`` claim acts only for that node. Changes are committed before their
message is sent, so a peer that is down leaves them queued (``delivery: queued``) for
``POST /api/v1/dept-verifications/deliver-pending`` or ``certfree exchange deliver-pending``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from certfree import applications
from certfree.api.deps import Int64, IsoDateTime, NodeDep, SessionDep, allow
from certfree.assembly import NodeRuntime
from certfree.auth import Principal, Role
from certfree.errors import Forbidden
from certfree.exchange.verification import delivery
from certfree.exchange.verification import requests as domain
from certfree.exchange.verification.requests import (
    DeptVerification,
    VerificationOutcome,
    VerificationSide,
    VerificationStatus,
)
from certfree.storage import utcnow

router = APIRouter(prefix="/api/v1", tags=["dept_verification"])

_Clerk = Annotated[Principal, Depends(allow(Role.CLERK))]
_Staff = Annotated[Principal, Depends(allow(Role.CLERK, Role.DEPARTMENT_ADMIN))]


class DeptVerificationRequest(BaseModel):
    department: str = Field(description="department node code, e.g. 370200-RS")
    subject_id: str = Field(description="GB 11643 ID number or GB 32100 USCC of the subject")
    fact: str = Field(description="the fact to verify, in plain words", max_length=500)
    supporting: dict[str, str | Int64] | None = Field(
        default=None, description="fields that help the department find the record"
    )
    service_item: str = Field(description="政务服务事项编码 the verification serves")
    purpose: str
    deadline: IsoDateTime | None = Field(default=None, description="with offset; or working_days")
    working_days: Int64 | None = Field(default=None, description="default 3 (Mon-Fri, Beijing)")
    request_id: str | None = Field(default=None, description="UUID; resubmitting is idempotent")


class DeptVerificationAnswer(BaseModel):
    outcome: VerificationOutcome
    note: str | None = Field(default=None, description="required unless confirmed")


class DeptVerificationView(BaseModel):
    request_id: str
    side: VerificationSide
    consumer: str
    department: str
    subject_id: str
    fact: str
    supporting: dict[str, Any]
    service_item: str
    purpose: str
    requested_by: str
    requested_at: dt.datetime
    deadline: dt.datetime
    deadline_beijing: str
    status: VerificationStatus
    status_zh: str
    overdue: bool
    outcome: VerificationOutcome | None
    outcome_zh: str | None
    note: str | None
    answered_by: str | None
    answered_at: dt.datetime | None
    answered_late: bool
    withdrawn_by: str | None
    withdrawn_at: dt.datetime | None
    delivery: str
    delivery_attempts: int
    last_delivery_error: str | None

    @classmethod
    def of(cls, row: DeptVerification, now: dt.datetime | None = None) -> DeptVerificationView:
        current = domain.effective_status(row, now)
        return cls(
            request_id=row.request_id,
            side=row.side,
            consumer=row.consumer_code,
            department=row.department_code,
            subject_id=row.subject_id,
            fact=row.fact,
            supporting=row.supporting,
            service_item=row.service_item,
            purpose=row.purpose,
            requested_by=row.requested_by,
            requested_at=row.requested_at,
            deadline=row.deadline,
            deadline_beijing=f"{row.deadline.astimezone(domain.BEIJING):%Y-%m-%d %H:%M}",
            status=current,
            status_zh=current.zh,
            overdue=current is VerificationStatus.OVERDUE,
            outcome=row.outcome,
            outcome_zh=row.outcome.zh if row.outcome else None,
            note=row.note,
            answered_by=row.answered_by,
            answered_at=row.answered_at,
            answered_late=row.answered_at is not None and row.answered_at > row.deadline,
            withdrawn_by=row.withdrawn_by,
            withdrawn_at=row.withdrawn_at,
            delivery=row.delivery.value,
            delivery_attempts=row.delivery_attempts,
            last_delivery_error=row.last_delivery_error,
        )


class DeptVerificationDelivery(BaseModel):
    request_id: str
    side: VerificationSide
    type: str
    to: str
    delivered: bool
    error: str | None


def _acting_for(node: NodeRuntime, principal: Principal) -> str:
    """This node's code; a token whose ``org`` names another organ may not act here."""
    code = node.settings.node_code
    if principal.organisation and principal.organisation.strip().upper() != code:
        raise Forbidden(f"令牌所属机构 {principal.organisation} 不是本节点 {code}")
    return code


async def _change(
    node: NodeRuntime, work: Callable[[Session], DeptVerification]
) -> DeptVerificationView:
    """Commit ``work``, send the message it owes (or leave it queued), show the request."""
    sender = delivery.transport_sender(node.exchange)
    return DeptVerificationView.of(await delivery.change_and_deliver(node.db, sender, work))


@router.post("/dept-verifications", status_code=status.HTTP_201_CREATED)
async def create(
    body: DeptVerificationRequest, node: NodeDep, principal: _Clerk
) -> DeptVerificationView:
    """Ask a department to verify a fact; sent at once, or queued if it cannot be reached."""
    code = _acting_for(node, principal)
    return await _change(
        node,
        lambda s: domain.create_request(
            s,
            consumer=code,
            department=body.department,
            subject_id=body.subject_id,
            fact=body.fact,
            supporting=body.supporting,
            service_item=body.service_item,
            purpose=body.purpose,
            requested_by=principal.subject,
            deadline=body.deadline,
            working_days=body.working_days,
            request_id=body.request_id,
        ),
    )


@router.get("/dept-verifications")
def list_verifications(
    *,
    node: NodeDep,
    session: SessionDep,
    principal: _Staff,
    side: Annotated[VerificationSide, Query(description="outbox: sent; inbox: to answer")],
    status_: Annotated[VerificationStatus | None, Query(alias="status")] = None,
    overdue: Annotated[bool, Query(description="only pending past the deadline")] = False,
) -> list[DeptVerificationView]:
    """This node's outbox or inbox, earliest deadline first."""
    code = _acting_for(node, principal)
    now = utcnow()
    rows = domain.list_requests(
        session, side=side, node=code, status=status_, overdue_only=overdue, now=now
    )
    return [DeptVerificationView.of(row, now) for row in rows]


@router.post("/dept-verifications/deliver-pending")
async def deliver_pending(node: NodeDep, principal: _Staff) -> list[DeptVerificationDelivery]:
    """Send every request, answer, withdrawal and register notice this node still owes."""
    code = _acting_for(node, principal)
    sender = delivery.transport_sender(node.exchange)
    results = await delivery.deliver_pending(node.db, sender, node=code)
    results += await applications.deliver_pending_notices(node.db, sender, node=code)
    return [DeptVerificationDelivery.model_validate(r, from_attributes=True) for r in results]


@router.get("/dept-verifications/{request_id}")
def get_verification(
    request_id: str,
    node: NodeDep,
    session: SessionDep,
    principal: _Staff,
    side: VerificationSide | None = None,
) -> DeptVerificationView:
    """One request: this node's outbox copy if it sent it, else its inbox copy."""
    code = _acting_for(node, principal)
    return DeptVerificationView.of(domain.get_request(session, request_id, node=code, side=side))


@router.post("/dept-verifications/{request_id}/answer")
async def answer(
    request_id: str, body: DeptVerificationAnswer, node: NodeDep, principal: _Staff
) -> DeptVerificationView:
    """The department's answer (confirmed / not_confirmed / cannot_determine), sent back."""
    code = _acting_for(node, principal)
    return await _change(
        node,
        lambda s: domain.answer_request(
            s,
            request_id,
            department=code,
            outcome=body.outcome,
            note=body.note,
            answered_by=principal.subject,
        ),
    )


@router.post("/dept-verifications/{request_id}/withdraw")
async def withdraw(request_id: str, node: NodeDep, principal: _Clerk) -> DeptVerificationView:
    """Withdraw a pending request; the department is told."""
    code = _acting_for(node, principal)
    return await _change(
        node,
        lambda s: domain.withdraw(s, request_id, consumer=code, withdrawn_by=principal.subject),
    )
