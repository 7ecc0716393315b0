"""Backfill certificates/s beside the raw Ed25519 signing rate, in the same run.

Builds a scratch SQLite database with N persons, writes a GBK CSV of N paper-era elderly-card
records (issued under an Ed25519 seal), runs ``run_backfill`` over it once and times it end to
end (file decode, inspection rules, population look-ups, duplicate checks, SD-JWT VC sealing,
status-list reservation, storage, a commit every batch): once sealing in the one process, once
with ``--workers`` sealing processes (default: one per core) beside the inspecting and storing
parent. Then times the raw ``cryptography`` Ed25519 ``sign`` on a message the size of one
credential's JWS signing input, on one core and on ``--workers`` processes at once, and prints
each backfill rate beside the raw rate of the same cores. The goal: backfill >= 50 %
of the raw signing rate using both cores.

    python bench/certs_backfill.py [--rows 2000] [--batch 200] [--workers N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from resource import RUSAGE_CHILDREN, RUSAGE_SELF, getrusage

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from certfree.certs.backfill import BackfillReport, run_backfill
from certfree.certs.issuers import resolve_issuer, seal_alg
from certfree.certs.models import Certificate
from certfree.certs.sealing_pool import default_workers
from certfree.certs.types import cert_type
from certfree.crypto import KeyStore, parse_sd_jwt
from certfree.demo import register_demo_nodes
from certfree.identifiers import make_resident_id
from certfree.population import Household, Person, Sex
from certfree.storage import Database, migrate

ELDERLY_CARD = "11100000000013709K001"
HEADER = "姓名,性别,公民身份号码,出生日期,住址,证号,发证单位,有效期起始日期,有效期截止日期"


def _people(db: Database, rows: int) -> list[str]:
    ids = []
    with db.session() as session:
        session.add(
            Household(
                household_no="37010200000001", division_code="370102",
                address="济南市历下区泉城路1号", head_id_number="",
            )
        )  # fmt: skip
        session.flush()
        for n in range(rows):
            born = dt.date(1940, 1, 1) + dt.timedelta(days=n % 5000)
            number = make_resident_id("370102", born, 2 * (n % 499) + 1)
            ids.append(number)
            session.add(
                Person(
                    id_number=number, name=f"张{n}", sex=Sex.MALE, birth_date=born,
                    address_code="370102", household_no="37010200000001", ethnic_group="01",
                    deceased=False,
                )
            )  # fmt: skip
    return ids


def _csv(db: Database, ids: list[str]) -> bytes:
    with db.session() as session:
        people = {p.id_number: p for p in session.scalars(select(Person))}
        lines = [HEADER]
        for n, number in enumerate(ids):
            who = people[number]
            lines.append(
                f"{who.name},男,{number},{who.birth_date},济南市历下区泉城路{n}号,"
                f"L-{n:06d},历下区卫健局,2019-05-01,"
            )
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


def _cpu_split() -> tuple[float, float]:
    """CPU seconds of this process, and of its ended children (the sealing workers)."""
    own, children = (getrusage(w) for w in (RUSAGE_SELF, RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def _cpu_seconds() -> float:
    return sum(_cpu_split())


def _sign_for(message_size: int, seconds: float) -> tuple[int, float]:
    key = Ed25519PrivateKey.generate()
    message = bytes(message_size)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(50):
            key.sign(message)
        count += 50
    return count, time.perf_counter() - start


def raw_sign_rate(message_size: int, seconds: float, processes: int) -> tuple[float, float]:
    """Ed25519 signatures per second by ``processes`` processes signing at the same time,
    and per CPU-second."""
    cpu = _cpu_seconds()
    if processes == 1:
        count, elapsed = _sign_for(message_size, seconds)
        return count / elapsed, count / (_cpu_seconds() - cpu)
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
        runs = list(pool.map(_sign_for, [message_size] * processes, [seconds] * processes))
    count = sum(n for n, _ in runs)
    return count / max(elapsed for _, elapsed in runs), count / (_cpu_seconds() - cpu)


@dataclass
class Run:
    report: BackfillReport
    elapsed: float
    parent_cpu: float
    worker_cpu: float
    sample: str

    @property
    def cpu(self) -> float:
        return self.parent_cpu + self.worker_cpu

    def on_free_cores(self, cores: int) -> float:
        """Certificates/s were ``cores`` cores this run's alone: the busier of the parent
        (inspects and stores, one core) and all the work spread over the cores."""
        return self.report.issued / max(self.parent_cpu, self.cpu / cores)


def backfill_once(rows: int, batch: int, workers: int) -> Run:
    """A scratch database and key store, ``rows`` people and records; one timed run."""
    with tempfile.TemporaryDirectory() as scratch:
        db = Database(f"sqlite:///{scratch}/bench.db")
        migrate.upgrade(db)
        keys = KeyStore(Path(scratch) / "keys", "bench-passphrase-not-secret")
        # Different birth dates make different (number, date) pairs, but the sequence wraps:
        # keep the numbers unique.
        ids = list(dict.fromkeys(_people(db, rows)))
        data = _csv(db, ids)
        # The seal key exists before a real backfill; the run still opens it (one scrypt).
        with db.session() as session:
            register_demo_nodes(session)  # the demo's organs issue, as after demo init
            issuer = resolve_issuer(session, cert_type(ELDERLY_CARD), None)
        KeyStore(keys.directory, "bench-passphrase-not-secret").create(
            issuer.uscc, seal_alg(issuer.department)
        )
        (parent, workers_before), start = _cpu_split(), time.perf_counter()
        report = run_backfill(
            db, keys, data=data, filename="bench.csv", type_code=ELDERLY_CARD,
            batch_size=batch, workers=workers,
        )  # fmt: skip
        elapsed = time.perf_counter() - start
        parent_after, workers_after = _cpu_split()
        with db.session() as session:
            sample = session.scalars(select(Certificate.credential).limit(1)).one()
        db.dispose()
    return Run(report, elapsed, parent_after - parent, workers_after - workers_before, sample)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--workers", type=int, default=default_workers())
    args = parser.parse_args()
    cores = args.workers
    one = backfill_once(args.rows, args.batch, 1)
    many = backfill_once(args.rows, args.batch, cores)
    signing_input = len(parse_sd_jwt(one.sample).signing_input)
    raw_one, raw_cpu = raw_sign_rate(signing_input, 1.0, 1)
    raw_many, _ = raw_sign_rate(signing_input, 1.0, cores)
    print(f"rows {many.report.rows}: issued {many.report.issued}, rejected "
          f"{many.report.rejected}, review {many.report.review}; {signing_input}-byte JWS "
          f"signing input; load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip
    print(f"raw Ed25519 sign: {raw_one:7.0f}/s on 1 core, {raw_many:7.0f}/s on {cores} "
          f"processes, {raw_cpu:7.0f} per CPU-second")  # fmt: skip
    for label, run, raw in (
        ("1 process", one, raw_one),
        (f"{cores} sealing procs", many, raw_many),
    ):
        rate, per_cpu = run.report.issued / run.elapsed, run.report.issued / run.cpu
        print(
            f"backfill {label:16s} {rate:6.0f} certificates/s ({run.elapsed:5.2f} s wall) "
            f"= {rate / raw:5.1%} of raw signing on the same cores; "
            f"{per_cpu:5.0f} per CPU-second = {per_cpu / raw_cpu:5.1%} of raw "
            f"(CPU {1000 * run.parent_cpu / run.report.issued:.2f} ms/cert in the parent, "
            f"{1000 * run.worker_cpu / run.report.issued:.2f} in workers)"
        )
    # The machine may be shared: wall-clock rates then measure the neighbours too. CPU time does
    # not, so also print what the measured CPU cost allows on free cores.
    free = many.on_free_cores(cores)
    print(
        f"on {cores} free cores (from CPU time): backfill {free:6.0f} certificates/s vs raw "
        f"{raw_cpu * cores:6.0f} signatures/s = {free / (raw_cpu * cores):5.1%}"
    )
    print("goal: backfill >= 50 % of the raw signing rate using both cores")


if __name__ == "__main__":
    main()
