"""Backfill runs as an organ sees them: its jobs newest first, one job's counts, its rejects.

A job belongs to the organ that ran it (``BackfillJob.issuer_uscc``). Asked for on behalf of an
organ (``issuer_uscc`` given), another organ's job is Forbidden and a job without an organ
(run on the command line before jobs recorded theirs, or under each row's own issuer) is not
listed; without ``issuer_uscc`` (the bureau) every job is.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certfree.certs.backfill.models import BackfillJob, BackfillOutcome, BackfillRow
from certfree.errors import Forbidden, NotFound

__all__ = ["get_job", "job_json", "job_rejects", "list_jobs"]


def job_json(job: BackfillJob) -> dict[str, Any]:
    """The job's description and counts; ``complete`` once every row of the file is decided."""
    decided = job.issued + job.rejected + job.review
    return {
        "id": job.id,
        "filename": job.filename,
        "type_code": job.type_code,
        "issuer_uscc": job.issuer_uscc,
        "file_sha256": job.file_sha256,
        "total_rows": job.total_rows,
        "issued": job.issued,
        "rejected": job.rejected,
        "review": job.review,
        "complete": decided >= job.total_rows,
        "created_at": job.created_at.isoformat(),
        "updated_at": job.updated_at.isoformat(),
    }


def list_jobs(session: Session, *, issuer_uscc: str | None = None) -> list[BackfillJob]:
    """The jobs, newest first; only those the organ ``issuer_uscc`` ran when given."""
    query = select(BackfillJob).order_by(BackfillJob.created_at.desc(), BackfillJob.id.desc())
    if issuer_uscc is not None:
        query = query.where(BackfillJob.issuer_uscc == issuer_uscc)
    return list(session.scalars(query))


def get_job(session: Session, job_id: int, *, issuer_uscc: str | None = None) -> BackfillJob:
    """Job ``job_id``; NotFound when missing, Forbidden when ``issuer_uscc`` did not run it."""
    job = session.get(BackfillJob, job_id)
    if job is None:
        raise NotFound(f"没有第 {job_id} 批回填")
    if issuer_uscc is not None and job.issuer_uscc != issuer_uscc:
        raise Forbidden(f"第 {job_id} 批回填不是本机关运行的")
    return job


def job_rejects(
    session: Session, job: BackfillJob, *, offset: int = 0, limit: int | None = None
) -> tuple[int, list[BackfillRow]]:
    """The job's rejected source rows in row order (``offset``/``limit`` of them), with their
    number; each row's ``reasons`` name the column and why."""
    rejected = (BackfillRow.job_id == job.id, BackfillRow.outcome == BackfillOutcome.REJECTED)
    total = session.scalar(select(func.count()).select_from(BackfillRow).where(*rejected))
    query = select(BackfillRow).where(*rejected).order_by(BackfillRow.row_no).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return total or 0, list(session.scalars(query))
