"""Group commit for the audit log: one writer thread, many records per transaction.

A durable commit (SQLite WAL with ``synchronous=FULL``, PostgreSQL's WAL flush) costs an
fsync; paying it per record would cap a node at a few hundred records a second. Callers
hand records to a queue and wait; the writer thread takes everything queued (up to
``max_batch``), appends it in one transaction and, only once COMMIT has returned, tells each
caller its leaf index. An acknowledged index is therefore on disk.

A job may also carry a step to run in the same transaction before its records (the
exchange stores the signed reply there: reply stored ⇔ request and answer logged; a desk
checks there that no data subject objected to its question, so the check and the entry of
the question that follows it are one transaction). If a
batch fails, each of its jobs is retried in a transaction of its own, so that one job's
fault (say, a duplicate message id) fails that job alone, with its own exception.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from types import TracebackType

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from certfree.errors import CertfreeError
from certfree.governance.audit.log import (
    AuditRecord,
    PreparedRecord,
    append_prepared,
    prepare_record,
)
from certfree.governance.errors import AuditUnavailable
from certfree.storage import Database

__all__ = ["AuditWriter"]

log = logging.getLogger(__name__)

Step = Callable[[Session], None]


@dataclass(frozen=True, slots=True)
class _Job:
    records: list[PreparedRecord]
    step: Step | None
    future: Future[list[int]]


class AuditWriter:
    """Appends records for one node process; thread-safe, usable from any event loop."""

    def __init__(self, db: Database, node_code: str, *, max_batch: int = 1000) -> None:
        self.db = db
        self.node_code = node_code
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(
            target=self._run, name=f"audit-writer-{node_code}", daemon=True
        )
        self._thread.start()

    # -- callers ----------------------------------------------------------------------------

    def submit(self, record: AuditRecord) -> Future[int]:
        """Queue ``record``; the future gives its leaf index once committed.

        A faulty record raises InvalidInput here, to its own caller. The future fails with
        AuditUnavailable if the batch could not be committed.
        """
        done: Future[int] = Future()
        batch = self.submit_many([record], None)

        def relay(future: Future[list[int]]) -> None:
            if future.cancelled() or not done.set_running_or_notify_cancel():
                return  # the caller gave up first (and so released nothing)
            if (error := future.exception()) is not None:
                done.set_exception(error)
            else:
                done.set_result(future.result()[0])

        # A caller that gives up before its turn withdraws the record (see ``_commit``).
        done.add_done_callback(lambda future: batch.cancel() if future.cancelled() else None)
        batch.add_done_callback(relay)
        return done

    def submit_many(self, records: Sequence[AuditRecord], step: Step | None) -> Future[list[int]]:
        """Queue ``records`` after ``step`` (run in the same transaction); the future gives
        their leaf indexes once committed, or fails with ``step``'s IntegrityError, or
        AuditUnavailable."""
        job = _Job([prepare_record(record) for record in records], step, Future())
        with self._lock:
            if self._closed:
                raise AuditUnavailable("审计日志写入器已关闭，节点正在停止；请稍后重试")
            self._queue.put(job)
        return job.future

    async def append(self, record: AuditRecord) -> int:
        """Append ``record``; returns its leaf index only after the COMMIT holding it."""
        return await asyncio.wrap_future(self.submit(record))

    def append_sync(self, record: AuditRecord) -> int:
        """``append`` for threads (e.g. a provider's handler run in a worker thread)."""
        return self.submit(record).result()

    def close(self) -> None:
        """Commit what is queued, then stop the writer thread (idempotent)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._queue.put(None)
        self._thread.join()

    def __enter__(self) -> AuditWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- the writer thread ------------------------------------------------------------------

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stopping = True
                    break
                batch.append(job)
            self._commit(batch)

    def _commit(self, batch: list[_Job]) -> None:
        # A caller that gave up (cancelled) before its turn is not logged: it got no index,
        # so it released nothing; once running, a future can no longer be cancelled.
        live = [job for job in batch if job.future.set_running_or_notify_cancel()]
        if not live:
            return
        try:
            results = self._transaction(live)
        except Exception as exc:
            if len(live) > 1 and any(job.step is not None for job in live):
                for job in live:  # find the faulty job: each alone
                    self._commit_alone(job)
                return
            self._fail(live, exc)
            return
        for job, indexes in zip(live, results, strict=True):
            job.future.set_result(indexes)

    def _transaction(self, jobs: list[_Job]) -> list[list[int]]:
        with self.db.session() as session:
            for job in jobs:
                if job.step is not None:
                    job.step(session)
            indexes = append_prepared(session, [item for job in jobs for item in job.records])
        results, start = [], 0
        for job in jobs:
            results.append(indexes[start : start + len(job.records)])
            start += len(job.records)
        return results

    def _commit_alone(self, job: _Job) -> None:
        try:
            (indexes,) = self._transaction([job])
        except Exception as exc:
            self._fail([job], exc)
            return
        job.future.set_result(indexes)

    @staticmethod
    def _fail(jobs: list[_Job], exc: Exception) -> None:
        if (
            isinstance(exc, IntegrityError | CertfreeError)
            and len(jobs) == 1
            and jobs[0].step is not None
        ):
            # The step's own conflict, or its refusal (say, a data subject's objection), for
            # its caller: nothing of the job was logged.
            jobs[0].future.set_exception(exc)
            return
        # Any other database failure: no caller may go on as if logged.
        log.error("audit batch of %d jobs not committed: %r", len(jobs), exc)
        error = AuditUnavailable(
            f"审计日志写入失败（{type(exc).__name__}），本次请求未记录；请稍后重试"
        )
        for job in jobs:
            job.future.set_exception(error)
