"""HTTP routes of the backfill manual-review queue (人工复核): list, approve, reject.

Backfill routes special cases (a name that differs from the population record, a deceased
holder …) to a queue instead of issuing. Deciding one is the issuing organ's act: a
``department_admin`` whose token ``org`` names the organ sees and decides the items its organ
would seal; approving seals the certificate (without ``cnf``, as backfill does; the holder
claims it later). A ``bureau_admin`` may see the whole queue but decides nothing, and a clerk
is not the issuing organ, so neither may approve. The bureau oversees and needs no one's data
whole: it sees the holder, the face data and the reason masked by each field's class.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from certfree import certs
from certfree.api.certs import acting_organ
from certfree.api.deps import NodeDep, PathId, SessionDep, allow
from certfree.api.views import View
from certfree.auth import Principal, Role
from certfree.governance import mask_in_text
from certfree.governance.field_policy import mask_face_data, mask_holder

router = APIRouter(prefix="/api/v1/backfill", tags=["certificate backfill"])

_Decider = Annotated[Principal, Depends(allow(Role.DEPARTMENT_ADMIN))]
_Reader = Annotated[Principal, Depends(allow(Role.DEPARTMENT_ADMIN, Role.BUREAU_ADMIN))]
_ACTOR_LENGTH = 64  # cert_backfill_reviews.decided_by


class BackfillApproval(BaseModel):
    note: str | None = Field(None, max_length=500, description="复核意见 (optional)")


class BackfillRejection(BaseModel):
    reason: str = Field(min_length=1, max_length=500, description="why no certificate is issued")


class BackfillSource(View):
    file_sha256: str = Field(description="SHA-256 of the backfilled file")
    row: int = Field(description="the record's row in that file")


class BackfillReviewView(View):
    """A record queued for a person to decide (``certs.review_json``)."""

    id: int
    status: certs.ReviewStatus
    reason: str = Field(description="why it needs a person")
    type_code: str
    holder_id: str
    issuer_uscc: str
    source: BackfillSource
    face_data: dict[str, Any] = Field(description="the checked face data, as it would be sealed")
    valid_from: str
    valid_to: str | None
    certificate_id: str | None = Field(description="the certificate sealed on approval")
    decided_by: str | None
    decision_note: str | None


def _organ(session: Session, principal: Principal) -> str | None:
    """The USCC the department admin acts for; None for the bureau (sees every organ)."""
    return None if principal.role is Role.BUREAU_ADMIN else acting_organ(session, principal)


def _view(shown: dict[str, Any], principal: Principal) -> BackfillReviewView:
    if principal.role is Role.BUREAU_ADMIN:
        kind = shown["type_code"]
        shown |= {
            "holder_id": mask_holder(kind, shown["holder_id"]),
            "face_data": mask_face_data(kind, shown["face_data"]),
            "reason": mask_in_text(shown["reason"]),
        }
    return BackfillReviewView.model_validate(shown)


def _actor(principal: Principal) -> str:
    return principal.subject[:_ACTOR_LENGTH]


@router.get("/reviews")
def list_reviews(
    session: SessionDep,
    principal: _Reader,
    status: Annotated[
        certs.ReviewStatus | None, Query(description="pending, approved or rejected")
    ] = None,
) -> list[BackfillReviewView]:
    """The queue, oldest first: an organ's own items, every item for the bureau."""
    items = certs.list_reviews(session, status, issuer_uscc=_organ(session, principal))
    return [_view(certs.review_json(item), principal) for item in items]


@router.get("/reviews/{review_id}")
def get_review(review_id: PathId, session: SessionDep, principal: _Reader) -> BackfillReviewView:
    """One queued record with its checked face data and the reason it needs a person."""
    organ = _organ(session, principal)
    item = certs.get_review(session, review_id, issuer_uscc=organ)
    return _view(certs.review_json(item), principal)


@router.post("/reviews/{review_id}/approve")
def approve(
    review_id: PathId,
    body: BackfillApproval,
    node: NodeDep,
    session: SessionDep,
    principal: _Decider,
) -> BackfillReviewView:
    """Approve: seal the record's certificate under the organ's seal; 409 if decided."""
    item = certs.approve_review(
        session,
        node.keys,
        review_id,
        actor=_actor(principal),
        note=body.note,
        issuer_uscc=acting_organ(session, principal),
        base_url=node.settings.base_url,
    )
    return BackfillReviewView.model_validate(certs.review_json(item))


@router.post("/reviews/{review_id}/reject")
def reject(
    review_id: PathId, body: BackfillRejection, session: SessionDep, principal: _Decider
) -> BackfillReviewView:
    """Reject with a reason: no certificate is issued; 409 if already decided."""
    item = certs.reject_review(
        session,
        review_id,
        actor=_actor(principal),
        note=body.reason,
        issuer_uscc=acting_organ(session, principal),
    )
    return BackfillReviewView.model_validate(certs.review_json(item))
