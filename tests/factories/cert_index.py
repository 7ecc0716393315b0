"""A city node for the provincial index in tests: its own database and keys, its feed read
in-process (the HTTP hop runs with real processes in tests/functional)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from certfree.auth.tokens import NODE_KEY_OWNER
from certfree.certs import index as cert_index
from certfree.certs.index import IndexNodeUnreachable
from certfree.crypto import KeyStore
from certfree.demo import register_demo_nodes
from certfree.exchange.protocol.registry import register_node
from certfree.nodes.feeds import Source
from certfree.settings import DEV_CERT_INDEX_KEY
from certfree.storage import Database
from conftest import TEST_PASSPHRASE
from factories.certificates import ID_CARD, issue_example
from factories.databases import migrated_database_url

CITY = "370100"
KEY = DEV_CERT_INDEX_KEY.encode()

City = tuple[Database, KeyStore]


@contextmanager
def city_node(directory: Path, name: str = "city") -> Iterator[City]:
    """A city's database (the demo organs registered) and its own key store."""
    with migrated_database_url(directory, f"{name}.db") as url:
        database = Database(url)
        with database.session() as session:
            register_demo_nodes(session)
        store = KeyStore(directory / f"{name}-keys", TEST_PASSPHRASE)
        store.create(NODE_KEY_OWNER)
        try:
            yield database, store
        finally:
            database.dispose()


def register_city(province: Database, city: City, code: str = CITY) -> None:
    """Register ``city``'s node key at the province under ``code``, active."""
    with province.session() as session:
        jwks = {"keys": [city[1].active(NODE_KEY_OWNER).public_jwk]}
        register_node(session, code, jwks=jwks, endpoint_url=f"http://{code}.test", approve=True)


def issue(city: City, count: int, code: str = ID_CARD) -> list[str]:
    """``count`` certificates of type ``code`` (its catalogue example) issued at ``city``."""
    database, store = city
    with database.session() as session:
        return [issue_example(session, store, code).identifier for _ in range(count)]


class LocalIndex:
    """Each node's feed read from its database directly; ``fail_on`` makes fetch number N
    fail as a node going down would, ``mangle`` changes a page before it is handed over."""

    def __init__(
        self,
        nodes: Mapping[str, City],
        fail_on: int | None = None,
        mangle: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ) -> None:
        self.nodes, self.fail_on, self.mangle, self.fetches = nodes, fail_on, mangle, 0

    def fetch(self, source: Source, since: int, limit: int) -> Mapping[str, Any]:
        self.fetches += 1
        if self.fetches == self.fail_on:
            raise IndexNodeUnreachable(source.code, "无法连接：connection refused")
        database, store = self.nodes[source.code]
        page = cert_index.index_page(
            database, store, source.code, KEY, since=since, limit=limit
        ).as_json()
        return self.mangle(page) if self.mangle else page
