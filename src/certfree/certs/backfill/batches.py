"""The batches of a backfill job: inspect, spend numbers, seal on every core, store in bulk.

A batch goes through four steps: inspection (:mod:`certfree.certs.backfill.rules`); serials
and status-list indices spent for all its accepted rows under one issuer lock
(:func:`certfree.certs.statuslists.reserve`); sealing on worker processes, outside any
transaction (:mod:`certfree.certs.sealing_pool`); storage of the certificates and source-row
records in bulk (executemany). Batches overlap: the next batch is inspected while the workers
seal this one, and one transaction (one commit) stores this batch and spends the next batch's
numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from certfree.certs.backfill.models import (
    BackfillJob,
    BackfillOutcome,
    BackfillReview,
    BackfillRow,
    ReviewStatus,
)
from certfree.certs.backfill.rules import Inspected, duplicate_key, inspect_record
from certfree.certs.issuance import Sealed, Sealing, sealing_for, store_sealed
from certfree.certs.issuers import Issuer
from certfree.certs.sealing_pool import PendingSeals, SealingPool
from certfree.certs.statuslists import reserve
from certfree.certs.types import CertType
from certfree.certs.vocab import HolderCategory
from certfree.population import Firm, Person
from certfree.storage import Database, utcnow

__all__ = ["run_batches"]


@dataclass
class _Batch:
    """One batch between inspection and storage: decided rows and their seals in progress."""

    decided: list[tuple[int, Inspected]]
    sealings: dict[int, Sealing]  # source row → its certificate's order
    pending: PendingSeals

    def sealed(self) -> dict[int, Sealed]:
        """Source row → its sealed certificate; waits for the workers."""
        return dict(zip(self.sealings, self.pending.result(), strict=True))


def _inspect(
    db: Database,
    kind: CertType,
    batch: list[tuple[int, dict[str, str]]],
    *,
    today: dt.date,
    default: Issuer | None,
    seen: dict[str, str],
    sole_issuer: bool,
) -> list[tuple[int, Inspected]]:
    """Apply the inspection rules to ``batch`` (a read-only session); ``seen`` grows."""
    with db.session() as session:
        # Held for the batch: the session's identity map keeps loaded rows only weakly.
        holders = _load_holders(session, kind, [cells for _, cells in batch])
        decided = []
        for row, cells in batch:
            found = inspect_record(
                session, kind, cells, row, today=today, default_issuer=default, seen=seen,
                sole_issuer=sole_issuer,
            )  # fmt: skip
            decided.append((row, found))
            if not found.errors:
                seen[duplicate_key(found.holder_id, found.face)] = f"本文件第 {row} 行"
        del holders
    return decided


def _reserve(
    session: Session,
    kind: CertType,
    decided: list[tuple[int, Inspected]],
    *,
    moment: dt.datetime,
    base_url: str,
) -> dict[int, Sealing]:
    """Spend serials and status indices for the accepted rows, one issuer lock per issuer.

    Committed with the previous batch's certificates; this batch's are stored a transaction
    later. A crash in between leaves unused numbers, never a certificate without its row.
    """
    accepted: dict[str, list[tuple[int, Inspected]]] = {}
    for row, found in decided:
        if not found.errors and found.review is None:
            assert found.issuer is not None  # inspect_record sets it when it finds no fault
            accepted.setdefault(found.issuer.uscc, []).append((row, found))
    sealings: dict[int, Sealing] = {}
    for group in accepted.values():
        issuer = group[0][1].issuer
        assert issuer is not None
        spent = reserve(session, issuer, base_url, len(group))
        for (row, found), allocation in zip(group, spent, strict=True):
            assert found.validity is not None  # set with the issuer when no fault
            sealings[row] = sealing_for(
                kind, issuer, allocation, holder_id=found.holder_id, face=found.face,
                holder_jwk=None, validity=found.validity, moment=moment,
            )  # fmt: skip
    return sealings


def _store(session: Session, job_id: int, batch: _Batch, tick: Callable[[], None]) -> None:
    """Store the batch's certificates and source-row records in bulk, in ``session``.

    The row records and the certificates they issued commit together, so a re-run skips
    exactly the rows whose certificates exist (idempotent per source row). Call
    ``batch.sealed()`` before the transaction begins: waiting inside it would hold its locks.
    """
    sealed = batch.sealed()
    job = session.get_one(BackfillJob, job_id, with_for_update=True)
    rows: list[dict[str, Any]] = []
    reviews: list[dict[str, Any]] = []
    for row, found in batch.decided:
        record: dict[str, Any] = {
            "file_sha256": job.file_sha256, "row_no": row, "job_id": job.id,
            "holder_id": found.holder_id or None, "certificate_id": None, "reasons": [],
        }  # fmt: skip
        if found.errors:
            record["outcome"] = BackfillOutcome.REJECTED
            record["reasons"] = [{"column": e.column, "reason": e.reason} for e in found.errors]
            job.rejected += 1
        elif found.review is not None:
            assert found.validity is not None  # inspect_record sets both with no fault
            assert found.issuer is not None
            record["outcome"] = BackfillOutcome.REVIEW
            reviews.append(
                {
                    "job_id": job.id, "file_sha256": job.file_sha256, "row_no": row,
                    "type_code": job.type_code, "issuer_uscc": found.issuer.uscc,
                    "holder_id": found.holder_id, "face_data": found.face,
                    "valid_from": found.validity.valid_from,
                    "valid_to": found.validity.valid_to, "reason": found.review,
                    "status": ReviewStatus.PENDING,
                }
            )  # fmt: skip
            job.review += 1
        else:
            record["outcome"] = BackfillOutcome.ISSUED
            record["certificate_id"] = sealed[row].identifier
            job.issued += 1
        rows.append(record)
        job.cursor = max(job.cursor, row)
        tick()
    store_sealed(session, [(batch.sealings[r], done) for r, done in sealed.items()])
    if reviews:
        session.execute(insert(BackfillReview), reviews)
    session.execute(insert(BackfillRow), rows)
    job.updated_at = utcnow()


def _load_holders(
    session: Session, kind: CertType, rows: list[dict[str, str]]
) -> list[Person] | list[Firm]:
    """Load the batch's holder records in one query; the per-row look-up then hits the session."""
    wanted = {r.get("holder_id") or r.get(kind.holder_field or "holder_id", "") for r in rows}
    wanted = {w.strip().upper() for w in wanted if w}
    if kind.holder_category is HolderCategory.PERSON:
        return list(session.scalars(select(Person).where(Person.id_number.in_(wanted))))
    return list(session.scalars(select(Firm).where(Firm.uscc.in_(wanted))))


def run_batches(
    db: Database,
    pool: SealingPool,
    kind: CertType,
    todo: list[tuple[int, dict[str, str]]],
    *,
    batch_size: int,
    today: dt.date,
    default: Issuer | None,
    seen: dict[str, str],
    moment: dt.datetime,
    base_url: str,
    job_id: int,
    tick: Callable[[], None],
    sole_issuer: bool = False,
) -> None:
    """Inspect, reserve, seal and store ``todo`` (source row, cells) a batch at a time.

    ``tick`` is called as each row is stored, before its batch commits. With ``sole_issuer``
    a row naming another organ than ``default`` is rejected.

    While the workers seal batch n, this process inspects batch n + 1; then one transaction
    stores batch n and spends the numbers of batch n + 1, whose sealing starts at once. A crash
    loses at most the batches not yet stored, and the row records committed with the
    certificates make a re-run skip what was done.
    """
    waiting: _Batch | None = None
    for start in range(0, len(todo), batch_size):
        batch = todo[start : start + batch_size]
        decided = _inspect(
            db, kind, batch, today=today, default=default, seen=seen, sole_issuer=sole_issuer
        )
        if waiting is not None:
            waiting.sealed()  # before the transaction: waiting inside it would hold its locks
        with db.session() as session:
            if waiting is not None:
                _store(session, job_id, waiting, tick)
            sealings = _reserve(session, kind, decided, moment=moment, base_url=base_url)
        waiting = _Batch(decided, sealings, pool.seal(list(sealings.values())))
    if waiting is not None:
        waiting.sealed()
        with db.session() as session:
            _store(session, job_id, waiting, tick)
