"""A cascade of nodes in one test process: each node its own database, keys and app, registered
and approved at the province, and their node-to-node calls carried by httpx's ASGI transport to
the app of the addressed host (``http://n370100-mz.test`` for 370100-MZ)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlalchemy import insert

from certfree.app import create_app
from certfree.auth.tokens import NODE_KEY_OWNER
from certfree.crypto import KeyStore
from certfree.demo import demo_nodes
from certfree.exchange.protocol.registry import register_node
from certfree.nodes import Node
from certfree.settings import Settings
from certfree.storage import Database
from conftest import TEST_PASSPHRASE, TEST_SCRYPT_N
from factories.databases import migrated_database_url


def host_of(code: str) -> str:
    return f"n{code.lower()}.test"


def url_of(code: str) -> str:
    return f"http://{host_of(code)}"


class AsyncHosts(httpx.AsyncBaseTransport):
    """Routes each request to the ASGI app of its host; an absent host refuses the connection."""

    def __init__(self) -> None:
        self.apps: dict[str, httpx.ASGITransport] = {}

    def serve(self, code: str, app: FastAPI) -> None:
        self.apps[host_of(code)] = httpx.ASGITransport(app=app)

    def drop(self, code: str) -> None:
        """Node ``code`` refuses connections from now on (until served again)."""
        del self.apps[host_of(code)]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        target = self.apps.get(request.url.host)
        if target is None:
            raise httpx.ConnectError(f"connection refused: {request.url.host}", request=request)
        return await target.handle_async_request(request)


def register_at_province(
    db: Database, keys: Mapping[str, KeyStore], endpoints: Mapping[str, str]
) -> None:
    """Seed the province's ``db`` with the demo nodes, then register and approve each code of
    ``endpoints`` at its URL with the node key in ``keys``."""
    with db.session() as session:
        session.execute(insert(Node), demo_nodes())
        for code, endpoint in endpoints.items():
            register_node(
                session,
                code,
                jwks=keys[code].jwks(NODE_KEY_OWNER),
                endpoint_url=endpoint,
                approve=True,
            )


@dataclass
class Nodes:
    """Per node code its app, database and key store; ``hosts`` carries calls between them."""

    apps: dict[str, FastAPI]
    dbs: dict[str, Database]
    keys: dict[str, KeyStore]
    hosts: AsyncHosts


@contextmanager
def running_nodes(
    directory: Path,
    levels: Mapping[str, str],
    parents: Mapping[str, str],
) -> Iterator[Nodes]:
    """Build one app per code of ``levels`` (code → node level; exactly one "province"), each
    with the URL of its entry in ``parents`` as its parent, every node registered and approved
    at the province and pinning the province's key. Apps are reached through ``hosts``; their
    lifespan is not run, so the apps' audit writers and databases are closed on exit."""
    (province,) = [code for code, level in levels.items() if level == "province"]
    apps: dict[str, FastAPI] = {}
    dbs: dict[str, Database] = {}
    keys: dict[str, KeyStore] = {}
    hosts = AsyncHosts()
    with ExitStack() as stack:
        urls = {
            code: stack.enter_context(migrated_database_url(directory, f"{code.lower()}.db"))
            for code in levels
        }
        for code, url in urls.items():
            dbs[code] = Database(url)
            keys[code] = KeyStore(
                directory / code / "keys", TEST_PASSPHRASE, scrypt_n=TEST_SCRYPT_N
            )
            keys[code].create(NODE_KEY_OWNER)
        pinned = directory / "province.jwks.json"
        pinned.write_text(json.dumps(keys[province].jwks(NODE_KEY_OWNER)))
        register_at_province(dbs[province], keys, {code: url_of(code) for code in levels})
        for code, url in urls.items():
            settings = Settings(
                database_url=url,
                key_dir=directory / code / "keys",
                key_passphrase=TEST_PASSPHRASE,
                node_code=code,
                node_name=code,
                node_level=levels[code],
                parent_url=url_of(parents[code]) if code in parents else None,
                province_url=url_of(province),
                province_jwks=pinned,
                key_scrypt_n=TEST_SCRYPT_N,
                # A path through in-process nodes is never timed here: on a loaded CI machine
                # (the PostgreSQL run beside others) a 5 s whole-path deadline was missed.
                exchange_read_timeout=60.0,
            )
            apps[code] = create_app(settings)
            hosts.serve(code, apps[code])
            apps[code].state.node.exchange.use_transport(hosts)
        try:
            yield Nodes(apps, dbs, keys, hosts)
        finally:
            for app in apps.values():
                # Apps reached only through the ASGI transport never ran their lifespan's
                # cleanup (closing twice, after a TestClient ran it, is harmless).
                app.state.node.exchange.audit.close()
                app.state.node.db.dispose()
            for db in dbs.values():
                db.dispose()
