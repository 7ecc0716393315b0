"""Backfill of historical certificates (补齐历史数据): paper-era records in, sealed ones out.

* ``importing`` — the job: read a CSV/XLSX file, decide each row, resume a re-run.
* ``rules`` — the inspection rules (质检规范) of one record: rejected, review or accepted.
* ``batches`` — a batch of rows: inspect, spend serials and indices, seal on every core, store.
* ``review`` — the manual-review queue (人工复核): list, approve (issue), reject.
* ``runs`` — the jobs as an organ sees them: its own, newest first, one's counts and rejects.
* ``models`` — the job, source-row and review tables.
"""

from certfree.certs.backfill.importing import (
    DEFAULT_BATCH,
    BackfillReport,
    job_errors,
    reject_csv,
    run_backfill,
)
from certfree.certs.backfill.models import ReviewStatus
from certfree.certs.backfill.review import (
    approve_review,
    get_review,
    list_reviews,
    reject_review,
    review_json,
)
from certfree.certs.backfill.runs import get_job, job_json, job_rejects, list_jobs

__all__ = [
    "DEFAULT_BATCH",
    "BackfillReport",
    "ReviewStatus",
    "approve_review",
    "get_job",
    "get_review",
    "job_errors",
    "job_json",
    "job_rejects",
    "list_jobs",
    "list_reviews",
    "reject_csv",
    "reject_review",
    "review_json",
    "run_backfill",
]
