"""HTTP routes of the backfill manual-review queue (人工复核): list, approve, reject.

Backfill routes special cases (a name that differs from the population record, a deceased
holder …) to a queue instead of issuing. Deciding one is the issuing organ's act: a
``department_admin`` whose token ``org`` names the organ sees and decides the items its organ
would seal; approving seals the certificate (without ``cnf``, as backfill does; the holder
claims it later). A ``bureau_admin`` may see the whole queue but decides nothing, and a clerk
is not the issuing organ, so neither may approve.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from certfree import certs
from certfree.api.deps import NodeDep, SessionDep, allow
from certfree.auth import Principal, Role
from certfree.errors import Forbidden, NotFound

router = APIRouter(prefix="/api/v1/backfill", tags=["certificate backfill"])

_Decider = Annotated[Principal, Depends(allow(Role.DEPARTMENT_ADMIN))]
_Reader = Annotated[Principal, Depends(allow(Role.DEPARTMENT_ADMIN, Role.BUREAU_ADMIN))]
_ACTOR_LENGTH = 64  # cert_backfill_reviews.decided_by


class ApproveRequest(BaseModel):
    note: str | None = Field(None, max_length=500, description="复核意见 (optional)")


class RejectRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=500, description="why no certificate is issued")


def _organ(session: Session, principal: Principal) -> str | None:
    """The USCC the department admin acts for; None for the bureau (sees every organ)."""
    if principal.role is Role.BUREAU_ADMIN:
        return None
    if not principal.organisation:
        raise Forbidden("令牌未注明所属发证机关（org 声明：部门节点编码或统一社会信用代码）")
    return certs.find_issuer(session, principal.organisation).uscc


def _actor(principal: Principal) -> str:
    return principal.subject[:_ACTOR_LENGTH]


def _own_pending(session: Session, principal: Principal, review_id: int) -> None:
    """Forbidden when the pending item ``review_id`` is another organ's.

    An item that is not pending is left to approve/reject_review, which refuse it (404 or
    409) without deciding anything.
    """
    organ = _organ(session, principal)
    for item in certs.list_reviews(session, certs.ReviewStatus.PENDING):
        if item.id == review_id and item.issuer_uscc != organ:
            raise Forbidden(f"人工复核第 {review_id} 项应由发证机关 {item.issuer_uscc} 处理")


@router.get("/reviews")
def list_reviews(
    session: SessionDep,
    principal: _Reader,
    status: Annotated[
        certs.ReviewStatus | None, Query(description="pending, approved or rejected")
    ] = None,
) -> list[dict[str, Any]]:
    """The queue, oldest first: an organ's own items, every item for the bureau."""
    organ = _organ(session, principal)
    items = certs.list_reviews(session, status)
    return [certs.review_json(item) for item in items if organ is None or item.issuer_uscc == organ]


@router.get("/reviews/{review_id}")
def get_review(review_id: int, session: SessionDep, principal: _Reader) -> dict[str, Any]:
    """One queued record with its checked face data and the reason it needs a person."""
    organ = _organ(session, principal)
    for item in certs.list_reviews(session):
        if item.id == review_id:
            if organ is not None and item.issuer_uscc != organ:
                raise Forbidden(f"人工复核第 {review_id} 项不是本机关的")
            return certs.review_json(item)
    raise NotFound(f"人工复核队列中没有第 {review_id} 项")


@router.post("/reviews/{review_id}/approve")
def approve(  # noqa: PLR0917 - FastAPI injects each dependency as a parameter
    review_id: int,
    body: ApproveRequest,
    request: Request,
    node: NodeDep,
    session: SessionDep,
    principal: _Decider,
) -> dict[str, Any]:
    """Approve: seal the record's certificate under the organ's seal; 409 if decided."""
    _own_pending(session, principal, review_id)
    item = certs.approve_review(
        session,
        node.keys,
        review_id,
        actor=_actor(principal),
        note=body.note,
        base_url=str(request.base_url).rstrip("/"),
    )
    return certs.review_json(item)


@router.post("/reviews/{review_id}/reject")
def reject(
    review_id: int, body: RejectRequest, session: SessionDep, principal: _Decider
) -> dict[str, Any]:
    """Reject with a reason: no certificate is issued; 409 if already decided."""
    _own_pending(session, principal, review_id)
    item = certs.reject_review(session, review_id, actor=_actor(principal), note=body.reason)
    return certs.review_json(item)
