"""Group commit for the audit log: one writer thread, many records per transaction.

A durable commit (SQLite WAL with ``synchronous=FULL``, PostgreSQL's WAL flush) costs an
fsync; paying it per record would cap a node at a few hundred records a second. Callers
hand records to a queue and wait; the writer thread takes everything queued (up to
``max_batch``), appends it in one transaction and, only once COMMIT has returned, tells each
caller its leaf index. An acknowledged index is therefore on disk.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from concurrent.futures import Future
from types import TracebackType

from certfree.governance.audit import AuditRecord, PreparedRecord, append_prepared, prepare_record
from certfree.governance.errors import AuditUnavailable
from certfree.storage import Database

__all__ = ["AuditWriter"]

log = logging.getLogger(__name__)

_Job = tuple[PreparedRecord, "Future[int]"]


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
        job: _Job = (prepare_record(record), Future())
        with self._lock:
            if self._closed:
                raise AuditUnavailable("审计日志写入器已关闭，节点正在停止；请稍后重试")
            self._queue.put(job)
        return job[1]

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
        live = [(item, future) for item, future in batch if future.set_running_or_notify_cancel()]
        if not live:
            return
        try:
            with self.db.session() as session:
                indexes = append_prepared(session, [item for item, _ in live])
        except Exception as exc:  # any database failure: no caller may go on as if logged
            log.exception("audit batch of %d records not committed", len(live))
            error = AuditUnavailable(
                f"审计日志写入失败（{type(exc).__name__}），本次请求未记录；请稍后重试"
            )
            for _, future in live:
                future.set_exception(error)
            return
        for (_, future), index in zip(live, indexes, strict=True):
            future.set_result(index)
