"""The provincial certificate index: a city's feed and the province's harvest, on SQLite.

A city database gets ``--certificates`` real certificates (居民身份证, sealed one by one as
issuance does); then, in one process, without the HTTP hop (measured by the cluster tests):

* numbering — the first read of the feed numbers every unnumbered row (``index.feed``), in
  batches of 5,000 a read; the time per row is what a node pays once per write;
* harvest — the province follows the whole feed in pages of 500 (entries checked field by
  field, the city's trust list verified on every page, upserts, the cursor): entries/s;
* an idle harvest (nothing new) and one after 1 % of the certificates were revoked.

Issuing itself is untouched: a write only leaves ``index_seq`` empty.

    python bench/cert_index.py [--certificates 5000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from certfree import certs
from certfree.auth import NODE_KEY_OWNER
from certfree.certs import index as cert_index
from certfree.crypto import Alg, KeyStore, generate_signer
from certfree.demo import register_demo_nodes
from certfree.exchange.protocol.registry import register_node
from certfree.nodes.feeds import Source
from certfree.settings import DEV_CERT_INDEX_KEY
from certfree.storage import Database, migrate

CITY = "370100"
ID_CARD = "11100000000013047R001"
KEY = DEV_CERT_INDEX_KEY.encode()
HARVEST_LIMIT = 1000.0  # entries/s the province must take from one node, in-process
NUMBER_LIMIT_MS = 0.2  # per row numbered


class Local:
    """The city's feed read in-process (IndexClient)."""

    def __init__(self, database: Database, store: KeyStore) -> None:
        self.database, self.store = database, store

    def fetch(self, source: Source, since: int, limit: int) -> Mapping[str, Any]:
        page = cert_index.index_page(
            self.database, self.store, source.code, KEY, since=since, limit=limit
        )
        return page.as_json()


def _database(directory: Path, name: str) -> Database:
    database = Database(f"sqlite:///{directory / name}")
    migrate.upgrade(database)
    with database.session() as session:
        register_demo_nodes(session)
    return database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--certificates", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        city, province = _database(directory, "city.db"), _database(directory, "province.db")
        store = KeyStore(directory / "keys", "bench-passphrase-0123456789", scrypt_n=2**10)
        store.create(NODE_KEY_OWNER)
        with province.session() as session:
            jwks = {"keys": [store.active(NODE_KEY_OWNER).public_jwk]}
            register_node(session, CITY, jwks=jwks, endpoint_url="http://city", approve=True)
        kind = certs.cert_type(ID_CARD)
        holder = generate_signer(Alg.ES256).public_jwk()
        started = time.perf_counter()
        identifiers = []
        with city.session() as session:
            for _ in range(args.certificates):
                identifiers.append(
                    certs.issue_certificate(
                        session, store, type_code=ID_CARD, holder_id=kind.example["id_number"],
                        face_data=kind.example, holder_jwk=holder,
                    ).identifier
                )  # fmt: skip
        issued = time.perf_counter() - started

        started = time.perf_counter()
        rounds = 0
        while True:
            with city.session() as session:
                rounds += 1
                if not cert_index.feed.number_changes(session)[1]:
                    break
        numbering = time.perf_counter() - started

        sources = [Source(CITY, None)]
        started = time.perf_counter()
        (full,) = cert_index.harvest_index(province, sources, Local(city, store))
        harvest = time.perf_counter() - started
        started = time.perf_counter()
        (idle,) = cert_index.harvest_index(province, sources, Local(city, store))
        idle_s = time.perf_counter() - started
        revoked = identifiers[::100]
        with city.session() as session:
            for identifier in revoked:
                certs.revoke_certificate(session, identifier, "lost")
        started = time.perf_counter()
        (after,) = cert_index.harvest_index(province, sources, Local(city, store))
        after_s = time.perf_counter() - started
        city.dispose()
        province.dispose()

    n = args.certificates
    per_row = numbering / n * 1000
    rate = full.created / harvest
    print(
        f"certificates issued:        {n:>8,}  (in {issued:.0f} s;"
        " a write only leaves index_seq empty)"
    )
    print(
        f"numbering:                  {per_row:>8.3f} ms/row in {rounds} read(s)"
        f"   limit {NUMBER_LIMIT_MS} ms  {'ok' if per_row <= NUMBER_LIMIT_MS else 'OVER'}"
    )
    print(
        f"harvest (in-process):       {rate:>8,.0f} entries/s ({full.pages} pages, "
        f"{harvest:.2f} s)   limit {HARVEST_LIMIT:,.0f}/s  "
        f"{'ok' if rate >= HARVEST_LIMIT else 'UNDER'}"
    )
    print(f"idle harvest:               {idle_s * 1000:>8.0f} ms ({idle.created} new)")
    print(
        f"after {len(revoked)} revocations:   {after_s * 1000:>8.0f} ms ({after.updated} updated)"
    )


if __name__ == "__main__":
    main()
