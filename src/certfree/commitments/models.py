"""Tables of the commitments domain: commitments (告知承诺书), sampling plans, after-checks
(事后核查) and credit records (失信记录).

Proof items and service items belong to other domains and are referenced by code only, with
no foreign key across domains; within this domain after-checks and credit records point at
their commitment.

Rates are integers in basis points (1/10000, 万分比) so that a recorded rate reads back exactly
on both databases.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from certfree.commitments.vocab import (
    AfterCheckMethod,
    AfterCheckStatus,
    CheckOutcome,
    CommitmentStatus,
    CreditConsequence,
    CreditStatus,
)
from certfree.storage import Base, UTCDateTime, enum_by_value, utcnow

__all__ = ["AfterCheck", "Commitment", "CreditRecord", "SamplingPlan"]


class Commitment(Base):
    """One applicant's signed commitment in lieu of one proof, sealed by the node."""

    __tablename__ = "commitments"
    __table_args__ = (
        Index("ix_commitments_applicant_id", "applicant_id"),
        Index("ix_commitments_proof_code_status", "proof_code", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # GB 11643 resident ID number or GB 32100 USCC of the person or firm who committed.
    applicant_id: Mapped[str] = mapped_column(String(18))
    proof_code: Mapped[str] = mapped_column(String(32))
    service_code: Mapped[str | None] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(8))
    template_version: Mapped[str] = mapped_column(String(32))
    # "sm3:<hex>" of the exact form text the applicant was shown and signed.
    text_hash: Mapped[str] = mapped_column(String(80))
    status: Mapped[CommitmentStatus] = mapped_column(enum_by_value(CommitmentStatus))
    signed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Compact JWS by the node's key over the fields above (see certfree.commitments.signing).
    seal: Mapped[str] = mapped_column(Text, default="")
    # Set when a draw considered this commitment, whether or not it was selected.
    drawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    draw_rate_bp: Mapped[int | None] = mapped_column(Integer)

    def __repr__(self) -> str:
        return f"Commitment({self.id!r}, {self.proof_code!r}, {self.status.value!r})"


class SamplingPlan(Base):
    """How often commitments for one proof item are checked afterwards, and how."""

    __tablename__ = "commitment_sampling_plans"

    proof_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    base_rate_bp: Mapped[int] = mapped_column(Integer)
    first_time_factor: Mapped[float] = mapped_column(Float)
    high_value_factor: Mapped[float] = mapped_column(Float)
    # The item itself is high-value, or only when used for one of these service items.
    high_value: Mapped[bool] = mapped_column(Boolean, default=False)
    high_value_services: Mapped[list[Any]] = mapped_column(JSON, default=list)
    method: Mapped[AfterCheckMethod] = mapped_column(enum_by_value(AfterCheckMethod))
    due_days: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))


class AfterCheck(Base):
    """A commitment drawn for checking (事后核查), the rate that drew it and the outcome."""

    __tablename__ = "commitment_after_checks"
    __table_args__ = (
        Index("ix_commitment_after_checks_status_due_at", "status", "due_at"),
        Index("ix_commitment_after_checks_proof_code", "proof_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("commitments.id", ondelete="RESTRICT"), unique=True
    )
    proof_code: Mapped[str] = mapped_column(String(32))
    applicant_id: Mapped[str] = mapped_column(String(18))
    seed: Mapped[str] = mapped_column(String(64))
    rate_bp: Mapped[int] = mapped_column(Integer)
    # Why this rate: base rate, first-time and high-value factors, the cap (Chinese, "；"-joined).
    rate_reasons: Mapped[str] = mapped_column(Text)
    method: Mapped[AfterCheckMethod] = mapped_column(enum_by_value(AfterCheckMethod))
    status: Mapped[AfterCheckStatus] = mapped_column(enum_by_value(AfterCheckStatus))
    drawn_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    outcome: Mapped[CheckOutcome | None] = mapped_column(enum_by_value(CheckOutcome, 24))
    note: Mapped[str | None] = mapped_column(Text)
    checked_by: Mapped[str | None] = mapped_column(String(64))
    checked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class CreditRecord(Base):
    """A false-commitment record (失信记录); it bars the commitment route until repaired."""

    __tablename__ = "commitment_credit_records"
    __table_args__ = (Index("ix_commitment_credit_records_applicant_id", "applicant_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    applicant_id: Mapped[str] = mapped_column(String(18))
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="RESTRICT"))
    after_check_id: Mapped[int | None] = mapped_column(
        ForeignKey("commitment_after_checks.id", ondelete="RESTRICT")
    )
    proof_code: Mapped[str] = mapped_column(String(32))
    consequence: Mapped[CreditConsequence] = mapped_column(enum_by_value(CreditConsequence))
    basis: Mapped[str] = mapped_column(Text)
    status: Mapped[CreditStatus] = mapped_column(enum_by_value(CreditStatus))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(64))
    repaired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    repaired_by: Mapped[str | None] = mapped_column(String(64))
    repair_reason: Mapped[str | None] = mapped_column(Text)
