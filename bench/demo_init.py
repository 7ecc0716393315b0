"""Benchmark ``build_demo_province``: 1,000,000 citizens in at most 60 s on SQLite.

Prints the build time beside the limit, their ratio and rows per second, and — measured in
the same run, on the same disk — the raw rate of SQLite ``executemany`` into a simple
three-column table, as the reference figure for what this machine can do at all.

    python bench/demo_init.py                       # 1,000,000 citizens, temporary SQLite file
    python bench/demo_init.py --citizens 100000 \\
        --database-url postgresql+psycopg://certfree:certfree@127.0.0.1:5432/certfree
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import tempfile
import time
from pathlib import Path

from certfree.demo import build_demo_province
from certfree.storage import Database, migrate

LIMIT_SECONDS = 60.0
LIMIT_CITIZENS = 1_000_000


def raw_sqlite_rate(directory: Path, rows: int = 500_000) -> float:
    """Rows per second of plain ``executemany`` into an unindexed 3-column SQLite table."""
    connection = sqlite3.connect(directory / "raw.db")
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE t (id TEXT, name TEXT, n INTEGER)")
    rng = random.Random(0)
    data = [(f"{rng.randrange(10**17):018d}", "王小明", i) for i in range(rows)]
    started = time.perf_counter()
    connection.executemany("INSERT INTO t VALUES (?, ?, ?)", data)
    connection.commit()
    elapsed = time.perf_counter() - started
    connection.close()
    return rows / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citizens", type=int, default=LIMIT_CITIZENS)
    parser.add_argument("--firms", type=int, default=None, help="default: citizens / 10")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--workers", type=int, default=None, help="default: one per CPU")
    parser.add_argument(
        "--database-url", default=None, help="default: a temporary SQLite file (reset first)"
    )
    args = parser.parse_args()
    firms = args.firms if args.firms is not None else args.citizens // 10

    with tempfile.TemporaryDirectory(prefix="certfree-bench-") as tmp:
        directory = Path(tmp)
        url = args.database_url or f"sqlite:///{directory / 'demo.db'}"
        db = Database(url)
        migrate.upgrade(db)
        summary = build_demo_province(
            db,
            citizens=args.citizens,
            firms=firms,
            seed=args.seed,
            reset=True,
            workers=args.workers,
        )
        db.dispose()
        reference = raw_sqlite_rate(directory)

    seconds = summary.elapsed_seconds
    rate = summary.total_rows / seconds
    print(f"database          {db.dialect}")
    print(f"citizens          {args.citizens:,}   firms {firms:,}")
    print(f"rows written      {summary.total_rows:,}")
    if db.dialect == "sqlite":
        # The limit is stated for 1,000,000 citizens; smaller runs get a proportional share.
        limit = LIMIT_SECONDS * args.citizens / LIMIT_CITIZENS
        ratio = seconds / limit
        print(f"build time        {seconds:.1f} s   limit {limit:.1f} s   ratio {ratio:.2f}")
    else:
        print(
            f"build time        {seconds:.1f} s   (the {LIMIT_SECONDS:.0f} s limit is for SQLite)"
        )
    print(f"throughput        {rate:,.0f} rows/s (generated, written, indexed, committed)")
    print(f"raw reference     {reference:,.0f} rows/s (SQLite executemany, 3 columns, no index)")
    if db.dialect == "sqlite":
        print("verdict           " + ("PASS" if seconds <= limit else "FAIL"))


if __name__ == "__main__":
    main()
