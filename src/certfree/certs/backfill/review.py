"""The manual-review queue (人工复核) of backfilled records: list, approve (issue), reject."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree.certs.backfill.models import BackfillReview, BackfillRow, ReviewStatus
from certfree.certs.issuance import DEFAULT_BASE_URL, Validity, seal_certificate
from certfree.certs.issuers import find_issuer
from certfree.certs.types import cert_type
from certfree.crypto import KeyStore
from certfree.errors import Conflict, Forbidden, NotFound
from certfree.storage import utcnow

__all__ = ["approve_review", "get_review", "list_reviews", "reject_review", "review_json"]


def review_json(item: BackfillReview) -> dict[str, Any]:
    return {
        "id": item.id,
        "status": item.status.value,
        "reason": item.reason,
        "type_code": item.type_code,
        "holder_id": item.holder_id,
        "issuer_uscc": item.issuer_uscc,
        "source": {"file_sha256": item.file_sha256, "row": item.row_no},
        "face_data": item.face_data,
        "valid_from": item.valid_from.isoformat(),
        "valid_to": item.valid_to.isoformat() if item.valid_to else None,
        "certificate_id": item.certificate_id,
        "decided_by": item.decided_by,
        "decision_note": item.decision_note,
    }


def list_reviews(
    session: Session, status: ReviewStatus | None = None, *, issuer_uscc: str | None = None
) -> list[BackfillReview]:
    """The queue, oldest first; only ``status`` and only the organ ``issuer_uscc`` when given."""
    query = select(BackfillReview).order_by(BackfillReview.id)
    if status is not None:
        query = query.where(BackfillReview.status == status)
    if issuer_uscc is not None:
        query = query.where(BackfillReview.issuer_uscc == issuer_uscc)
    return list(session.scalars(query))


def _found(item: BackfillReview | None, review_id: int, issuer_uscc: str | None) -> BackfillReview:
    """``item``; NotFound when missing, Forbidden when ``issuer_uscc`` is not its organ."""
    if item is None:
        raise NotFound(f"人工复核队列中没有第 {review_id} 项")
    if issuer_uscc is not None and item.issuer_uscc != issuer_uscc:
        raise Forbidden(f"人工复核第 {review_id} 项应由发证机关 {item.issuer_uscc} 处理")
    return item


def get_review(
    session: Session, review_id: int, *, issuer_uscc: str | None = None
) -> BackfillReview:
    """One queued record; NotFound, or Forbidden when ``issuer_uscc`` is given and not its organ."""
    return _found(session.get(BackfillReview, review_id), review_id, issuer_uscc)


def _pending(session: Session, review_id: int, issuer_uscc: str | None) -> BackfillReview:
    item = session.get(BackfillReview, review_id, with_for_update=True)
    if item is not None and item.status is not ReviewStatus.PENDING:
        raise Conflict(f"第 {review_id} 项已处理（{item.status.value}），不能再次处理")
    return _found(item, review_id, issuer_uscc)


def approve_review(
    session: Session,
    keys: KeyStore,
    review_id: int,
    *,
    actor: str,
    note: str | None = None,
    issuer_uscc: str | None = None,
    now: dt.datetime | None = None,
    base_url: str = DEFAULT_BASE_URL,
) -> BackfillReview:
    """Issue the queued record's certificate (sealed without ``cnf``) and mark it approved.

    Raises NotFound, Conflict when already decided, Forbidden when ``issuer_uscc`` is given
    and the record is another organ's.
    """
    item = _pending(session, review_id, issuer_uscc)
    moment = now or utcnow()
    certificate = seal_certificate(
        session, keys, kind=cert_type(item.type_code),
        issuer=find_issuer(session, item.issuer_uscc), holder_id=item.holder_id,
        face=dict(item.face_data), holder_jwk=None,
        validity=Validity(item.valid_from, item.valid_to), moment=moment, base_url=base_url,
    )  # fmt: skip
    item.status, item.certificate_id = ReviewStatus.APPROVED, certificate.identifier
    item.decided_by, item.decision_note, item.decided_at = actor, note, moment
    source = session.get(BackfillRow, (item.file_sha256, item.row_no))
    if source is not None:
        source.certificate_id = certificate.identifier
    session.flush()
    return item


def reject_review(
    session: Session, review_id: int, *, actor: str, note: str, issuer_uscc: str | None = None,
    now: dt.datetime | None = None,
) -> BackfillReview:  # fmt: skip
    """Mark the queued record rejected (no certificate); ``note`` says why. Raises as
    approve_review does."""
    item = _pending(session, review_id, issuer_uscc)
    item.status = ReviewStatus.REJECTED
    item.decided_by, item.decision_note, item.decided_at = actor, note, now or utcnow()
    session.flush()
    return item
