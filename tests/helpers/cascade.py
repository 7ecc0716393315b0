"""A cascade of nodes in one test process, each served as ``certfree serve`` serves it: its own
database, keys and app under a uvicorn server on a loopback port, registered and approved at
the province at that real URL. Node-to-node calls cross real sockets by the production client.

All servers share one event loop in one daemon thread (:class:`Servers`), where every node's
exchange runtime lives; tests reach the nodes over HTTP (:meth:`Nodes.client`) and run the
exchange's coroutines on that loop (:meth:`Nodes.run`)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
from collections.abc import Coroutine, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import uvicorn
from fastapi import FastAPI
from sqlalchemy import insert
from starlette.types import ASGIApp

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
from helpers.livenode import free_port

__all__ = ["Nodes", "Servers", "register_at_province", "running_nodes"]

T = TypeVar("T")
# uvicorn's default loop, which `certfree serve` keeps (cli.listeners): uvloop where installed.
_LOOP = "auto"
# Generous bounds for a busy machine, never waited out when all is well: a start, a stop, one
# request or coroutine (a path through the cascade has its own 60 s deadline below).
_WAIT = 90.0


class _Server(uvicorn.Server):
    """A uvicorn server that says when it listens (``started`` is a plain flag)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.listening = asyncio.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.listening.set()


async def _serve(server: _Server, sock: socket.socket) -> None:
    try:
        await server.serve([sock])
    except SystemExit as exc:  # uvicorn exits when the app's lifespan fails to start
        raise RuntimeError(f"{server.config.app!r} did not start (see the log above)") from exc


def _listening_socket(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # the port of a stopped node
    try:
        sock.bind(("127.0.0.1", port))
    except OSError:
        sock.close()
        raise
    return sock


class Servers:
    """uvicorn servers on one event loop in a daemon thread, one per node code, each on a port
    of its own that it keeps across a stop and a start."""

    def __init__(self) -> None:
        factory = uvicorn.Config(FastAPI(), loop=_LOOP).get_loop_factory()  # uvicorn's choice
        self.loop = factory() if factory is not None else asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self.loop.run_forever, name="cascade-servers", daemon=True
        )
        self._thread.start()
        self.ports: dict[str, int] = {}
        self._held: dict[str, socket.socket] = {}  # bound, not yet served
        self._running: dict[str, tuple[_Server, asyncio.Task[None]]] = {}

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the servers' loop (where the nodes' runtimes and clients live)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(_WAIT)

    def bind(self, code: str) -> str:
        """Take a port for node ``code`` (held until it is served); its base URL."""
        while code not in self._held:
            port = free_port()
            with contextlib.suppress(OSError):  # taken since free_port saw it free: pick again
                self._held[code] = _listening_socket(port)
                self.ports[code] = port
        return self.url(code)

    def url(self, code: str) -> str:
        return f"http://127.0.0.1:{self.ports[code]}"

    def serve(self, code: str, app: ASGIApp) -> None:
        """Serve ``app`` on the port of ``code`` (lifespan on); return once it listens."""
        assert code not in self._running, f"{code} is already served"
        sock = self._held.pop(code, None) or _listening_socket(self.ports[code])
        config = uvicorn.Config(app, lifespan="on", log_level="warning", loop=_LOOP)
        self._running[code] = self.run(self._start(config, sock))

    async def _start(
        self, config: uvicorn.Config, sock: socket.socket
    ) -> tuple[_Server, asyncio.Task[None]]:
        server = _Server(config)
        task = asyncio.create_task(_serve(server, sock))
        listening = asyncio.create_task(server.listening.wait())
        await asyncio.wait({task, listening}, return_when=asyncio.FIRST_COMPLETED)
        if not listening.done():
            listening.cancel()
            sock.close()
            task.result()  # what stopped it
            raise RuntimeError(f"{config.app!r} stopped before it listened")
        return server, task

    def stop(self, *codes: str) -> None:
        """Stop serving ``codes`` (all if none given): their ports refuse connections and
        their apps' lifespans end, as when a node's process stops."""
        stopping = [self._running.pop(code) for code in codes or list(self._running)]
        if stopping:
            self.run(self._stop(stopping))

    @staticmethod
    async def _stop(stopping: list[tuple[_Server, asyncio.Task[None]]]) -> None:
        for server, _ in stopping:
            server.should_exit = True
        await asyncio.gather(*(task for _, task in stopping))

    def close(self) -> None:
        try:
            self.stop()
            self.run(self.loop.shutdown_default_executor())
        finally:
            for sock in self._held.values():
                sock.close()
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(_WAIT)
            self.loop.close()


def register_at_province(
    db: Database, keys: Mapping[str, KeyStore], endpoints: Mapping[str, str]
) -> None:
    """Seed the province's ``db`` with the demo nodes, then register and approve each code of
    ``endpoints`` at its URL with the node keys in ``keys`` (signing and encryption)."""
    with db.session() as session:
        session.execute(insert(Node), demo_nodes())
        for code, endpoint in endpoints.items():
            register_node(
                session,
                code,
                jwks=keys[code].published_jwks(NODE_KEY_OWNER),
                endpoint_url=endpoint,
                approve=True,
            )


@dataclass
class Nodes:
    """Per node code its app, database and key store; ``servers`` serves the apps."""

    apps: dict[str, FastAPI]
    dbs: dict[str, Database]
    keys: dict[str, KeyStore]
    servers: Servers

    def url(self, code: str) -> str:
        """The base URL node ``code`` is served and registered at."""
        return self.servers.url(code)

    def client(self, code: str) -> httpx.Client:
        """An HTTP client of node ``code`` (close it, e.g. ``with nodes.client(code) as c``);
        it follows redirects, as a browser and Starlette's TestClient do."""
        return httpx.Client(base_url=self.url(code), follow_redirects=True, timeout=_WAIT)

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine of the exchange (given a node's runtime) on the nodes' loop."""
        return self.servers.run(coro)

    def down(self, code: str) -> None:
        """Node ``code`` refuses connections from now on (until :meth:`up`)."""
        self.servers.stop(code)

    def up(self, code: str, app: ASGIApp | None = None) -> None:
        """Serve node ``code`` again on its port: its own app, or ``app`` in its place."""
        self.servers.serve(code, app or self.apps[code])


@contextmanager
def running_nodes(
    directory: Path,
    levels: Mapping[str, str],
    parents: Mapping[str, str],
) -> Iterator[Nodes]:
    """Serve one app per code of ``levels`` (code → node level; exactly one "province"), each
    with its entry in ``parents`` as its parent, every node registered and approved at the
    province and pinning the province's key. Each app is served as `certfree serve` serves it
    (lifespan on); on exit the servers stop, ending the lifespans."""
    (province,) = [code for code, level in levels.items() if level == "province"]
    apps: dict[str, FastAPI] = {}
    dbs: dict[str, Database] = {}
    keys: dict[str, KeyStore] = {}
    with ExitStack() as stack:
        urls = {
            code: stack.enter_context(migrated_database_url(directory, f"{code.lower()}.db"))
            for code in levels
        }
        for code, url in urls.items():
            dbs[code] = Database(url)
            stack.callback(dbs[code].dispose)
            keys[code] = KeyStore(
                directory / code / "keys", TEST_PASSPHRASE, scrypt_n=TEST_SCRYPT_N
            )
            keys[code].create(NODE_KEY_OWNER)
            keys[code].encryption.create(NODE_KEY_OWNER)
        servers = Servers()
        stack.callback(servers.close)  # first of all on exit: before the databases go
        pinned = directory / "province.jwks.json"
        pinned.write_text(json.dumps(keys[province].jwks(NODE_KEY_OWNER)))
        endpoints = {code: servers.bind(code) for code in levels}
        register_at_province(dbs[province], keys, endpoints)
        for code, url in urls.items():
            settings = Settings(
                database_url=url,
                key_dir=directory / code / "keys",
                key_passphrase=TEST_PASSPHRASE,
                node_code=code,
                node_name=code,
                node_level=levels[code],
                port=servers.ports[code],  # as `certfree serve --port` sets it
                parent_url=endpoints[parents[code]] if code in parents else None,
                province_url=endpoints[province],
                province_jwks=pinned,
                key_scrypt_n=TEST_SCRYPT_N,
                # A path through the cascade is never timed here: on a loaded CI machine
                # (the PostgreSQL run beside others) a 5 s whole-path deadline was missed.
                exchange_read_timeout=60.0,
            )
            apps[code] = create_app(settings)
        nodes = Nodes(apps, dbs, keys, servers)
        # The province first: the others fetch its registry as they start.
        for code in sorted(levels, key=lambda code: code != province):
            nodes.up(code)
        yield nodes
