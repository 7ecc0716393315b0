"""Tables of the historical-certificate backfill (补齐历史数据).

* ``cert_backfill_jobs`` — one row per (file SHA-256, type): the organ that ran it, the cursor
  (last source row committed) and the counts. Re-running the same file continues this job.
* ``cert_backfill_rows`` — one row per (file SHA-256, source row number) once the row is
  decided: issued, rejected (with its reasons) or sent to review. A row found here is skipped,
  so a re-run never issues a row twice (idempotent per source row). It is committed in the same
  transaction as the certificate it issued.
* ``cert_backfill_reviews`` — special cases for a person to decide (人工复核): the checked face
  data and validity kept, status pending → approved (certificate issued) or rejected.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Date, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from certfree.storage import Base, UTCDateTime, enum_by_value, utcnow

__all__ = ["BackfillJob", "BackfillOutcome", "BackfillReview", "BackfillRow", "ReviewStatus"]


class BackfillOutcome(enum.StrEnum):
    ISSUED = "issued"
    REJECTED = "rejected"
    REVIEW = "review"


class ReviewStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class BackfillJob(Base):
    __tablename__ = "cert_backfill_jobs"
    __table_args__ = (UniqueConstraint("file_sha256", "type_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    file_sha256: Mapped[str] = mapped_column(String(64))
    type_code: Mapped[str] = mapped_column(String(21))
    filename: Mapped[str] = mapped_column(String(255))
    # The organ that ran the job, whose admin sees it; None for a run that sealed under each
    # row's own issuer column (the command line without --issuer) and for jobs run before.
    issuer_uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    cursor: Mapped[int] = mapped_column(Integer, default=0)  # last source row committed
    issued: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    review: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class BackfillRow(Base):
    __tablename__ = "cert_backfill_rows"

    file_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    row_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(Integer, index=True)
    outcome: Mapped[BackfillOutcome] = mapped_column(enum_by_value(BackfillOutcome))
    holder_id: Mapped[str | None] = mapped_column(String(18))
    certificate_id: Mapped[str | None] = mapped_column(String(128))
    # [{"column": 列, "reason": 原因}, ...] for a rejected row
    reasons: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class BackfillReview(Base):
    __tablename__ = "cert_backfill_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[int] = mapped_column(Integer, index=True)
    file_sha256: Mapped[str] = mapped_column(String(64))
    row_no: Mapped[int] = mapped_column(Integer)
    type_code: Mapped[str] = mapped_column(String(21))
    issuer_uscc: Mapped[str] = mapped_column(String(18))
    holder_id: Mapped[str] = mapped_column(String(18))
    face_data: Mapped[dict[str, Any]] = mapped_column(JSON)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[ReviewStatus] = mapped_column(enum_by_value(ReviewStatus), index=True)
    certificate_id: Mapped[str | None] = mapped_column(String(128))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decision_note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
