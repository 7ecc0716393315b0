"""Bulk loading: many rows, one connection, one transaction, written beside the generator.

The ORM costs tens of microseconds a row; a million citizens need a few. So rows are plain
tuples, and each database gets its fastest path: on SQLite the DBAPI ``executemany`` with a
prepared ``INSERT`` (the statement is compiled once, each row only binds), on PostgreSQL
psycopg 3's ``COPY … FROM STDIN``. Any other dialect falls back to Core ``insert()``
executemany.

:class:`BackgroundWriter` runs the writes in a thread while the caller keeps generating: the
SQLite and libpq calls release the GIL, so generation and writing overlap on two cores. The
writer owns its connection from start to commit; jobs run in submission order, and nothing is
committed unless every job succeeded.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, insert

from certfree.storage import Base, Database

__all__ = ["BackgroundWriter", "Job", "ProgressCallback", "insert_rows"]

Row = tuple[object, ...]
Job = Callable[[Connection], None]
# progress(stage, done, total): called from the writer thread as well as the caller's.
ProgressCallback = Callable[[str, int, int], None]

CHUNK = 50_000
# A 256 MiB page cache keeps the indices being filled in memory during the load.
_SQLITE_CACHE_KIB = 262_144


def insert_rows(
    connection: Connection,
    table: str,
    columns: Sequence[str],
    rows: Sequence[Row],
    progress: Callable[[int], None] | None = None,
) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table`` on ``connection``.

    Values must already be in storage form: enums by value, dates as ISO 8601 strings, booleans
    as ``bool``. ``progress(done)`` is called after each chunk.
    """
    dialect = connection.dialect.name
    if dialect == "sqlite":
        _sqlite_rows(connection, table, columns, rows, progress)
    elif dialect == "postgresql" and connection.dialect.driver == "psycopg":
        _copy_rows(connection, table, columns, rows, progress)
    else:
        target = Base.metadata.tables[table]
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            connection.execute(
                insert(target), [dict(zip(columns, row, strict=True)) for row in chunk]
            )
            if progress:
                progress(start + len(chunk))


def _quoted(connection: Connection, table: str, columns: Sequence[str]) -> tuple[str, str]:
    quote = connection.dialect.identifier_preparer.quote
    return quote(table), ", ".join(quote(c) for c in columns)


def _sqlite_rows(
    connection: Connection,
    table: str,
    columns: Sequence[str],
    rows: Sequence[Row],
    progress: Callable[[int], None] | None,
) -> None:
    name, names = _quoted(connection, table, columns)
    sql = f"INSERT INTO {name} ({names}) VALUES ({', '.join('?' * len(columns))})"  # noqa: S608 - identifiers are quoted table/column names, values are bound
    cursor: Any = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            cursor.executemany(sql, chunk)
            if progress:
                progress(start + len(chunk))
    finally:
        cursor.close()


def _copy_rows(
    connection: Connection,
    table: str,
    columns: Sequence[str],
    rows: Sequence[Row],
    progress: Callable[[int], None] | None,
) -> None:
    name, names = _quoted(connection, table, columns)
    cursor: Any = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(f"COPY {name} ({names}) FROM STDIN") as copy:
            for start in range(0, len(rows), CHUNK):
                chunk = rows[start : start + CHUNK]
                write_row = copy.write_row
                for row in chunk:
                    write_row(row)
                if progress:
                    progress(start + len(chunk))
    finally:
        cursor.close()


_DONE = object()
_ABORT = object()


class BackgroundWriter:
    """Runs database jobs in order on one connection and transaction, in a worker thread.

    ``submit`` queues a job; ``finish`` commits once all jobs ran and re-raises the first
    error a job raised (then nothing is committed); ``abort`` rolls everything back.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._jobs: queue.Queue[object] = queue.Queue()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="certfree-demo-writer", daemon=True)
        self._thread.start()

    def submit(self, job: Job) -> None:
        """Queue ``job``; raises at once the error of an earlier job, if one failed."""
        if self._error is not None:
            self.finish()
        self._jobs.put(job)

    def finish(self) -> None:
        """Wait for all jobs and commit; re-raise the first job error (nothing committed)."""
        self._jobs.put(_DONE)
        self._thread.join()
        if self._error is not None:
            raise self._error

    def abort(self) -> None:
        """Stop after the current job and roll back everything."""
        self._jobs.put(_ABORT)
        self._thread.join()

    def _run(self) -> None:
        try:
            with self._db.engine.begin() as connection:
                if connection.dialect.name == "sqlite":
                    connection.exec_driver_sql(f"PRAGMA cache_size = -{_SQLITE_CACHE_KIB}")
                while (job := self._jobs.get()) is not _DONE:
                    if job is _ABORT:
                        raise _AbortedError
                    assert callable(job)
                    job(connection)
                if connection.dialect.name == "sqlite":
                    connection.exec_driver_sql("PRAGMA cache_size = -2000")
        except _AbortedError:
            pass
        except BaseException as exc:  # handed to the caller's thread in finish()
            self._error = exc
            while self._jobs.get() not in (_DONE, _ABORT):
                pass


class _AbortedError(Exception):
    pass
