"""Benchmark appends to the audit log (issue 5 point 7) through the group-committing writer.

Concurrent callers (asyncio tasks, as the exchange's handlers are) append records through
``AuditWriter`` into a fresh migrated database; each append returns only after its COMMIT.
Printed beside it, on the same machine and database:

* raw SHA-256 leaf hashing of the same records (the floor of any Merkle log);
* plain one-row INSERT + COMMIT per record (what a log without group commit would cost).

    python bench/audit_append.py                 # SQLite file in a temporary directory
    python bench/audit_append.py --seconds 5 --callers 256
    CERTFREE_DATABASE_URL=postgresql+psycopg://... python bench/audit_append.py
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from certfree.crypto import canonical_json
from certfree.governance import AuditRecord, AuditWriter, current_head, verify_log
from certfree.governance.audit.merkle import leaf_hash
from certfree.storage import Database, migrate

GOAL = 1000  # records/s the exchange needs (≥ 1,000 verifications/s, several records each)


def make_record(n: int) -> AuditRecord:
    return AuditRecord(
        kind="answer_sent",
        message_id=f"bench-{n:09d}",
        consumer="370100",
        provider="370100-MZ",
        question="marital_status",
        service_item="370000-000201-001",
        subject_ids=[f"3701021980{n % 100_000_000:08d}"[:18]],
        outcome={"married": n % 2 == 0},
        message_sha256=hashlib.sha256(n.to_bytes(8, "big")).hexdigest(),
        at=dt.datetime.now(dt.UTC),
    )


async def writer_rate(db: Database, callers: int, seconds: float) -> tuple[float, int, float]:
    """Records/s with ``callers`` tasks each appending in a loop until time is up, the count,
    and the process CPU seconds per record (callers, writer thread and SQLite together)."""
    counter = iter(range(10**12))
    stop = time.perf_counter() + seconds
    with AuditWriter(db, "370100-MZ") as writer:

        async def caller() -> int:
            done = 0
            while time.perf_counter() < stop:
                await writer.append(make_record(next(counter)))
                done += 1
            return done

        started, cpu = time.perf_counter(), time.process_time()
        done = sum(await asyncio.gather(*(caller() for _ in range(callers))))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return done / elapsed, done, cpu / done


def hash_rate(seconds: float) -> float:
    """Records/s for canonical JSON + RFC 6962 leaf hash alone."""
    done, stop = 0, time.perf_counter() + seconds
    started = time.perf_counter()
    while time.perf_counter() < stop:
        leaf_hash(canonical_json(make_record(done).to_json()))
        done += 1
    return done / (time.perf_counter() - started)


def single_insert_rate(db: Database, seconds: float) -> float:
    """Records/s for one INSERT and one durable COMMIT per record (no group commit)."""
    with db.engine.begin() as connection:
        connection.execute(text("CREATE TABLE bench_rows (id INTEGER PRIMARY KEY, body TEXT)"))
    done, stop = 0, time.perf_counter() + seconds
    started = time.perf_counter()
    while time.perf_counter() < stop:
        body = canonical_json(make_record(done).to_json()).decode()
        with db.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO bench_rows (id, body) VALUES (:id, :body)"),
                {"id": done, "body": body},
            )
        done += 1
    return done / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--callers", type=int, default=64)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = os.environ.get("CERTFREE_DATABASE_URL") or f"sqlite:///{Path(scratch)}/bench.db"
        db = Database(url)
        migrate.upgrade(db)
        print(f"database: {db.dialect}, callers: {args.callers}, {args.seconds:g} s per figure")
        print("limit: one writer thread; per batch one durable commit (fsync) and a head update,")
        print("per record ~3 rows (entry, subject, ~1 subtree hash); other load on the machine")
        rate, done, cpu_per_record = asyncio.run(writer_rate(db, args.callers, args.seconds))
        with db.session() as session:
            head = current_head(session)
            check = verify_log(session)
        if head.tree_size != done or check.faults:
            raise SystemExit(f"log check failed: size {head.tree_size} != {done} or {check.faults}")
        hashed = hash_rate(args.seconds)
        single = single_insert_rate(db, args.seconds)
        db.dispose()
    print(f"raw leaf hashing (canonical JSON + SHA-256): {hashed:12,.0f} records/s")
    print(f"one INSERT + COMMIT per record:              {single:12,.0f} records/s")
    print(f"AuditWriter (group commit, Merkle tree):     {rate:12,.0f} records/s")
    print(
        f"CPU per appended record: {cpu_per_record * 1e6:.0f} µs "
        f"(≈ {1 / cpu_per_record:,.0f} records/s per idle core); "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(f"ratio writer/raw hashing = {rate / hashed:.3f}")
    print(f"ratio writer/single-row commits = {rate / single:.1f}")
    print(f"audit appends/s={rate:.0f} goal={GOAL} {'ok' if rate >= GOAL else 'BELOW GOAL'}")


if __name__ == "__main__":
    main()
