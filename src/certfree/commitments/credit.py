"""Credit records of false commitments (失信记录) and their repair (信用修复).

国办发〔2020〕42号 二(四)、(五): a false commitment found by a check leads to termination of the
procedure, an order to correct within a time limit or revocation of the decision, and is
recorded in the applicant's credit record; an applicant with such a record may not use the
commitment route again until the record is repaired.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree.commitments.errors import CommitmentStateError, CreditRecordNotFound
from certfree.commitments.models import Commitment, CreditRecord
from certfree.commitments.vocab import CreditConsequence, CreditStatus
from certfree.errors import InvalidInput
from certfree.storage import utcnow

__all__ = [
    "credit_records_for",
    "get_credit_record",
    "open_credit_record",
    "record_false_commitment",
    "repair_credit",
]


def credit_records_for(session: Session, applicant_id: str) -> list[CreditRecord]:
    """Every credit record of ``applicant_id``, open and repaired, newest first."""
    query = (
        select(CreditRecord)
        .where(CreditRecord.applicant_id == applicant_id.strip().upper())
        .order_by(CreditRecord.recorded_at.desc(), CreditRecord.id.desc())
    )
    return list(session.scalars(query))


def open_credit_record(session: Session, applicant_id: str) -> CreditRecord | None:
    """The oldest unrepaired record of ``applicant_id``, or None."""
    query = (
        select(CreditRecord)
        .where(
            CreditRecord.applicant_id == applicant_id.strip().upper(),
            CreditRecord.status == CreditStatus.OPEN,
        )
        .order_by(CreditRecord.id)
        .limit(1)
    )
    return session.scalars(query).first()


def get_credit_record(session: Session, record_id: int) -> CreditRecord:
    record = session.get(CreditRecord, record_id)
    if record is None:
        raise CreditRecordNotFound(
            f"没有编号为 {record_id} 的信用记录（credit record {record_id} does not exist）",
            field="id",
        )
    return record


def record_false_commitment(
    session: Session,
    commitment: Commitment,
    *,
    consequence: CreditConsequence,
    basis: str,
    actor: str,
    after_check_id: int | None = None,
    now: dt.datetime | None = None,
) -> CreditRecord:
    """Add an open credit record for ``commitment`` found false."""
    record = CreditRecord(
        applicant_id=commitment.applicant_id,
        commitment_id=commitment.id,
        after_check_id=after_check_id,
        proof_code=commitment.proof_code,
        consequence=consequence,
        basis=basis,
        status=CreditStatus.OPEN,
        recorded_at=now or utcnow(),
        recorded_by=actor,
    )
    session.add(record)
    session.flush()
    return record


def repair_credit(
    session: Session, record_id: int, actor: str, reason: str, *, now: dt.datetime | None = None
) -> CreditRecord:
    """Mark a record repaired (信用修复) by ``actor`` for ``reason``; the commitment route opens
    again once no open record is left.

    Raises CreditRecordNotFound, InvalidInput for an empty reason, CommitmentStateError when
    the record is already repaired.
    """
    if not reason.strip():
        raise InvalidInput("信用修复必须说明理由（a repair needs a reason）", field="reason")
    record = get_credit_record(session, record_id)
    if record.status is CreditStatus.REPAIRED:
        raise CommitmentStateError(
            f"信用记录 {record_id} 已于 {record.repaired_at:%Y-%m-%d} 修复"
            f"（credit record {record_id} is already repaired）"
        )
    record.status = CreditStatus.REPAIRED
    record.repaired_at = now or utcnow()
    record.repaired_by = actor
    record.repair_reason = reason.strip()
    session.flush()
    return record
