"""Backfill certificates/s beside the raw Ed25519 signing rate, in the same run.

Builds a scratch SQLite database with N persons, writes a GBK CSV of N paper-era elderly-card
records (issued under an Ed25519 seal), runs ``run_backfill`` over it once and times it end to
end (file decode, inspection rules, population look-ups, duplicate checks, SD-JWT VC sealing,
status-list allocation, storage, a commit every batch). Then times the raw
``cryptography`` Ed25519 ``sign`` on a message the size of one credential's JWS signing input.
One process, one core; the issue's goal is backfill >= 50 % of the raw signing rate.

    python bench/certs_backfill.py [--rows 2000] [--batch 200]
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from certfree.certs.backfill import run_backfill
from certfree.certs.models import Certificate
from certfree.crypto import KeyStore, parse_sd_jwt
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


def raw_sign_rate(message_size: int, seconds: float) -> float:
    key = Ed25519PrivateKey.generate()
    message = bytes(message_size)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(50):
            key.sign(message)
        count += 50
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        db = Database(f"sqlite:///{scratch}/bench.db")
        migrate.upgrade(db)
        keys = KeyStore(Path(scratch) / "keys", "bench-passphrase-not-secret")
        # Different birth dates make different (number, date) pairs, but the sequence wraps:
        # keep the numbers unique.
        ids = list(dict.fromkeys(_people(db, args.rows)))
        data = _csv(db, ids)
        start = time.perf_counter()
        report = run_backfill(
            db, keys, data=data, filename="bench.csv", type_code=ELDERLY_CARD,
            batch_size=args.batch,
        )  # fmt: skip
        elapsed = time.perf_counter() - start
        with db.session() as session:
            sample = session.scalars(select(Certificate.credential).limit(1)).one()
        db.dispose()
    signing_input = len(parse_sd_jwt(sample).signing_input)
    backfill_rate = report.issued / elapsed
    raw = raw_sign_rate(signing_input, 1.0)
    print(f"rows {report.rows}: issued {report.issued}, rejected {report.rejected}, "
          f"review {report.review} in {elapsed:.2f} s")  # fmt: skip
    print(f"backfill      {backfill_rate:9.0f} certificates/s (1 process)")
    print(f"raw Ed25519   {raw:9.0f} signatures/s ({signing_input}-byte signing input, 1 core)")
    print(f"ratio         {backfill_rate / raw:9.1%}   (goal: >= 50 % of raw signing)")


if __name__ == "__main__":
    main()
