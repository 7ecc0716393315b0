"""Group commit: concurrent callers, several processes on one log, and kill -9 mid-load."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from certfree.errors import InvalidInput
from certfree.governance import AuditUnavailable, AuditWriter, current_head, verify_log
from certfree.governance.audit.models import AuditEntry
from certfree.storage import Database
from unit.governance.test_audit_log import record

TESTS = str(Path(__file__).parents[2])

# A node process appending from 8 threads; prints each index once its commit is acknowledged.
APPENDER = textwrap.dedent(
    """
    import sys, threading
    sys.path[:0] = [sys.argv[4]]
    from certfree.governance import AuditWriter
    from certfree.storage import Database
    from unit.governance.test_audit_log import record

    url, offset, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    writer = AuditWriter(Database(url), "370100-MZ")
    lock = threading.Lock()

    def work(thread):
        for n in range(count):
            index = writer.append_sync(record(offset + thread * 100_000 + n))
            with lock:
                sys.stdout.write(f"{index}\\n")
                sys.stdout.flush()

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    writer.close()
    """
)


def _appender(database_url: str, offset: int, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", APPENDER, database_url, str(offset), str(count), TESTS],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _message_ids(db: Database) -> list[str]:
    with db.session() as session:
        return list(session.scalars(select(AuditEntry.message_id).order_by(AuditEntry.leaf_index)))


def test_concurrent_async_callers_get_dense_distinct_indexes(db: Database) -> None:
    async def main() -> list[int]:
        with AuditWriter(db, "370100-MZ") as writer:
            return list(await asyncio.gather(*(writer.append(record(n)) for n in range(400))))

    indexes = asyncio.run(main())
    assert sorted(indexes) == list(range(400))
    with db.session() as session:
        assert current_head(session).tree_size == 400
        assert verify_log(session).faults == []
    # Each caller got the index of its own record.
    ids = _message_ids(db)
    assert all(ids[index] == f"msg-{n:06d}" for n, index in enumerate(indexes))


def test_a_bad_record_fails_its_caller_only(db: Database) -> None:
    with AuditWriter(db, "370100-MZ") as writer:
        pending = writer.submit(record(1))
        with pytest.raises(InvalidInput):
            writer.append_sync(record(2, kind="peeked"))
        assert writer.append_sync(record(3)) == 1
        assert pending.result() == 0


def test_no_index_without_a_commit(tmp_path: Path) -> None:
    unmigrated = Database(f"sqlite:///{tmp_path}/empty.db")  # no tables: the commit fails
    writer = AuditWriter(unmigrated, "370100-MZ")
    with pytest.raises(AuditUnavailable, match="审计日志写入失败"):
        writer.append_sync(record(1))
    writer.close()
    with pytest.raises(AuditUnavailable, match="已关闭"):
        writer.append_sync(record(2))
    unmigrated.dispose()


@pytest.mark.slow
def test_two_processes_share_one_log(db: Database, database_url: str) -> None:
    first, second = _appender(database_url, 0, 40), _appender(database_url, 10_000_000, 40)
    outputs = [process.communicate(timeout=120) for process in (first, second)]
    assert [process.returncode for process in (first, second)] == [0, 0], outputs
    acknowledged = [int(line) for out, _ in outputs for line in out.split()]
    assert sorted(acknowledged) == list(range(640))
    assert len(set(_message_ids(db))) == 640
    with db.session() as session:
        assert verify_log(session).faults == []


@pytest.mark.slow
def test_kill_9_loses_no_acknowledged_entry(db: Database, database_url: str) -> None:
    process = _appender(database_url, 0, 100_000)
    assert process.stdout is not None
    acknowledged: list[int] = []
    deadline = time.monotonic() + 60
    while len(acknowledged) < 500 and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        acknowledged.append(int(line))
    process.send_signal(signal.SIGKILL)
    rest, errors = process.communicate(timeout=30)
    acknowledged += [int(line) for line in rest.split()]  # printed before the kill
    assert process.returncode == -signal.SIGKILL, errors
    assert len(acknowledged) >= 500, errors

    with db.session() as session:
        head = current_head(session)
        check = verify_log(session)
        stored = set(session.scalars(select(AuditEntry.leaf_index)))
    assert check.faults == []
    assert set(acknowledged) <= stored
    assert stored == set(range(head.tree_size))
