"""Backfill of historical certificates (补齐历史数据): paper-era records in, sealed ones out.

``run_backfill`` reads a CSV/XLSX file with :mod:`certfree.tabular`, applies the inspection
rules of :mod:`certfree.certs.backfill.rules` to each row and, per row, issues a sealed
certificate, records the rejection reasons, or queues a manual review (人工复核).

The rows are worked a batch of ``batch_size`` at a time by :mod:`certfree.certs.backfill.batches`:
inspection, serials and status indices spent per batch, sealing on every core, bulk storage.

Resumable, with no duplicates: the job is keyed by the file's SHA-256 and the type, and every
decided source row is recorded under (file SHA-256, row number) — its primary key — in the
same transaction as the certificate it issued. A crash loses at most the batches not yet
stored (their spent serials and indices stay unused: gaps, never duplicates), and a re-run of
the same file skips every row already recorded; a second run racing the first on the same
rows fails on that key instead of issuing twice.

Holder keys: paper-era holders have no wallet key yet, so the certificate is sealed without
``cnf`` (``holder_jwk`` None); the holder binding comes when the holder claims it in a wallet.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree.certs.backfill.batches import run_batches
from certfree.certs.backfill.models import (
    BackfillJob,
    BackfillOutcome,
    BackfillReview,
    BackfillRow,
    ReviewStatus,
)
from certfree.certs.backfill.rules import (
    column_names,
    duplicate_key,
)
from certfree.certs.issuance import (
    BEIJING,
    DEFAULT_BASE_URL,
)
from certfree.certs.issuers import Issuer, resolve_issuer
from certfree.certs.models import Certificate
from certfree.certs.sealing_pool import SealingPool
from certfree.certs.types import CertType, cert_type
from certfree.certs.vocab import CertStatus
from certfree.crypto import KeyStore
from certfree.errors import Conflict, InvalidInput
from certfree.storage import Database, utcnow
from certfree.tabular import (
    ImportReport,
    RowError,
    column_positions,
    escape_cell,
    pick,
    read_table,
)

__all__ = [
    "DEFAULT_BATCH",
    "POOL_THRESHOLD",
    "BackfillReport",
    "job_errors",
    "reject_csv",
    "run_backfill",
]

DEFAULT_BATCH = 200
POOL_THRESHOLD = 100  # rows to do below which sealing stays in this process
Progress = Callable[[int, int], None]  # (rows decided or skipped, rows in the file)


@dataclass
class BackfillReport(ImportReport):
    """A run of a backfill job: this run's work and the job's totals so far.

    ``errors`` holds every rejected row of the job (this run's and earlier runs').
    """

    type_code: str = ""
    file_sha256: str = ""
    job_id: int = 0
    processed: int = 0  # rows decided in this run
    skipped: int = 0  # rows already decided by an earlier run
    issued: int = 0
    rejected: int = 0
    review: int = 0
    complete: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            **super().as_json(),
            "type_code": self.type_code,
            "file_sha256": self.file_sha256,
            "job_id": self.job_id,
            "processed": self.processed,
            "skipped": self.skipped,
            "issued": self.issued,
            "rejected": self.rejected,
            "review": self.review,
            "complete": self.complete,
            "errors": [e.as_json() for e in self.errors],
        }


def _job(
    session: Session,
    sha: str,
    kind: CertType,
    *,
    filename: str,
    total: int,
    organ: Issuer | None,
    sole: bool,
) -> BackfillJob:
    """The file's job for ``kind``, made on its first run; Conflict when ``sole`` and the job
    is another organ's (its rows are that organ's to resume, not this one's to see)."""
    job = session.scalars(
        select(BackfillJob).where(
            BackfillJob.file_sha256 == sha, BackfillJob.type_code == kind.code
        )
    ).first()
    if job is None:
        job = BackfillJob(file_sha256=sha, type_code=kind.code, filename=filename)
        job.total_rows, job.cursor, job.issued, job.rejected, job.review = total, 0, 0, 0, 0
        job.issuer_uscc = organ.uscc if organ is not None else None
        session.add(job)
        session.flush()
    elif sole and (organ is None or job.issuer_uscc != organ.uscc):
        raise Conflict(
            f"该文件的{kind.name}已由另一机关回填（第 {job.id} 批），不能由本机关续做",
            field="file",
        )
    return job


def _seen(session: Session, kind: CertType) -> dict[str, str]:
    """Duplicate key → description, for the type's issued certificates and open reviews."""
    seen: dict[str, str] = {}
    issued = session.execute(
        select(Certificate.identifier, Certificate.holder_id, Certificate.face_data).where(
            Certificate.type_code == kind.code, Certificate.status != CertStatus.REVOKED
        )
    )
    for identifier, holder, face in issued:
        seen[duplicate_key(holder, face)] = f"已签发的证照 {identifier}"
    queued = session.execute(
        select(BackfillReview.id, BackfillReview.holder_id, BackfillReview.face_data).where(
            BackfillReview.type_code == kind.code,
            BackfillReview.status != ReviewStatus.REJECTED,
        )
    )
    for review_id, holder, face in queued:
        seen[duplicate_key(holder, face)] = f"人工复核队列中的第 {review_id} 项"
    return seen


def job_errors(session: Session, sha: str) -> list[RowError]:
    """Every rejected row of the file's job, in row order."""
    rows = session.scalars(
        select(BackfillRow)
        .where(BackfillRow.file_sha256 == sha, BackfillRow.outcome == BackfillOutcome.REJECTED)
        .order_by(BackfillRow.row_no)
    )
    return [RowError(r.row_no, x["column"], x["reason"]) for r in rows for x in r.reasons]


def run_backfill(
    db: Database,
    keys: KeyStore,
    *,
    data: bytes,
    filename: str,
    type_code: str,
    issuer: str | None = None,
    batch_size: int = DEFAULT_BATCH,
    limit: int | None = None,
    workers: int | None = None,
    now: dt.datetime | None = None,
    base_url: str = DEFAULT_BASE_URL,
    progress: Progress | None = None,
    sole_issuer: bool = False,
) -> BackfillReport:
    """Backfill the records of ``data`` as certificates of ``type_code``, a transaction a batch.

    ``issuer`` (USCC or node code) seals rows without an issuer column, default the type's
    demo-province organ. ``limit`` stops after that many rows are decided (the rest wait for a
    re-run). ``workers`` sealing processes (default: one per core; 1 seals in this process;
    files of fewer than :data:`POOL_THRESHOLD` rows to do are sealed here). ``progress`` is
    called as each row is stored, before its batch commits, with the rows passed (skipped
    ones included) and the file's row count. The job records ``issuer``'s organ as the one
    that ran it. With ``sole_issuer`` (an organ backfilling its own records) a row whose issuer
    column names another organ is rejected. Raises CertTypeNotFound, InvalidInput (file
    unreadable, no header, a required column absent, unknown ``issuer``), Forbidden
    (``issuer`` does not issue the type), Conflict (``sole_issuer`` and the file's job is
    another organ's).
    """
    if sole_issuer and issuer is None:
        raise InvalidInput("只回填本机关的证照时须指定发证机关", field="issuer")
    if batch_size < 1:
        raise InvalidInput("批大小应至少为 1", field="batch_size")
    kind = cert_type(type_code)
    moment = now or utcnow()
    today = moment.astimezone(BEIJING).date()
    columns = column_names(kind)
    table = read_table(
        data, filename, {h for names in columns.values() for h in names},
        examples=[i.label for i in kind.fields[:3]],
    )  # fmt: skip
    positions = column_positions(table.headers, columns)
    missing = [i.label for i in kind.fields if i.required and i.name not in positions]
    if "valid_from" not in positions:
        missing.append(columns["valid_from"][0])
    if missing:
        raise InvalidInput(f"{filename} 缺少列：{'、'.join(missing)}", field="file")
    sha = hashlib.sha256(data).hexdigest()
    report = BackfillReport.of(filename, table)
    report.type_code, report.file_sha256 = kind.code, sha
    with db.session() as session:
        default: Issuer | None = None
        if issuer is not None or "issuer" not in positions:
            default = resolve_issuer(session, kind, issuer)
        job = _job(
            session, sha, kind, filename=filename, total=len(table.rows), organ=default,
            sole=sole_issuer,
        )  # fmt: skip
        report.job_id = job.id
        done = set(
            session.scalars(select(BackfillRow.row_no).where(BackfillRow.file_sha256 == sha))
        )
        seen = _seen(session, kind)
    todo = [(row, cells) for row, cells in table.rows if row not in done]
    report.skipped = len(table.rows) - len(todo)
    if limit is not None:
        todo = todo[:limit]
    if progress is not None:
        progress(report.skipped, len(table.rows))
    if workers is None and len(todo) < POOL_THRESHOLD:
        workers = 1  # forking workers costs more than sealing a few rows here

    def tick() -> None:
        report.processed += 1
        if progress is not None:
            progress(report.skipped + report.processed, len(table.rows))

    with SealingPool(keys, [default] if default else [], workers=workers) as pool:
        run_batches(
            db, pool, kind, [(row, pick(cells, positions)) for row, cells in todo],
            batch_size=batch_size, today=today, default=default, seen=seen, moment=moment,
            base_url=base_url, job_id=report.job_id, tick=tick, sole_issuer=sole_issuer,
        )  # fmt: skip
    with db.session() as session:
        job = session.get_one(BackfillJob, report.job_id)
        report.issued, report.rejected, report.review = job.issued, job.rejected, job.review
        report.errors = job_errors(session, sha)
    report.complete = report.processed + report.skipped == len(table.rows)
    return report


def reject_csv(errors: list[RowError]) -> str:
    """The reject report as CSV text (行号, 列, 原因), UTF-8 with BOM so that Excel reads it."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["行号", "列", "原因"])
    # A reason quotes the cell it refuses, so formula-like text is escaped (OWASP).
    writer.writerows([e.row, escape_cell(e.column), escape_cell(e.reason)] for e in errors)
    return "\ufeff" + out.getvalue()
