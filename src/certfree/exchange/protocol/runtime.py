"""``ExchangeRuntime``: one node's side of the exchange, composed of small parts.

* :class:`~certfree.exchange.protocol.identity.NodeIdentity` (``node``): code, settings, keys;
* :class:`~certfree.exchange.protocol.clients.HttpClients` (``http``): the pooled client and
  the hop lanes;
* :class:`~certfree.exchange.protocol.directory.NodeDirectory` (``registry``): the node
  registry, signed by the province, cached and refreshed;
* :class:`~certfree.exchange.protocol.hosting.HostedDepartments` (``hosting``);
* :class:`~certfree.exchange.protocol.handlers.Handlers` (``handlers``): what the node
  answers, registered by the code that assembles it (:mod:`certfree.assembly`);
* :class:`~certfree.exchange.protocol.answering.Answerer` (``answerer``), the audit sink
  (``audit``) and the worker threads (``workers``).

Sending and receiving messages are functions of :mod:`certfree.exchange.protocol.transport`
over a runtime. ``start``/``stop`` run in the application's lifespan (or around a CLI
command); ``stop`` closes the clients, the audit writer and the worker threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any, TypeVar

from certfree.crypto import KeyStore, Signer
from certfree.errors import CertfreeError
from certfree.exchange.protocol.answering import Answerer
from certfree.exchange.protocol.audit import AuditSink, ExchangeAudit, warm_catalogue
from certfree.exchange.protocol.clients import HttpClients
from certfree.exchange.protocol.directory import NodeDirectory
from certfree.exchange.protocol.handlers import Handler, Handlers, ReplyStep
from certfree.exchange.protocol.hosting import HostedDepartments
from certfree.exchange.protocol.identity import NodeIdentity
from certfree.exchange.protocol.registry import RegistrySnapshot
from certfree.exchange.protocol.workers import Workers
from certfree.settings import Settings
from certfree.storage import Database

__all__ = ["ExchangeRuntime"]

T = TypeVar("T")


class ExchangeRuntime:
    """A node's exchange parts; ``start``/``stop`` run in the application's lifespan."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        keys: KeyStore,
        *,
        audit: AuditSink | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.db = db
        self.keys = keys
        self.code = settings.node_code
        self.clock = clock
        self.node = NodeIdentity(settings, keys)
        self.http = HttpClients(settings, self.node)
        self.workers = Workers()
        self.registry = NodeDirectory(settings, db, self.http, self.workers, clock)
        self.hosting = HostedDepartments(settings, db, self.registry, self.workers)
        self.handlers = Handlers()
        self._audit = ExchangeAudit(db, self.code, audit)
        self.answerer = Answerer(
            db,
            self.node,
            directory=self.registry,
            handlers=self.handlers,
            audit=self._audit,
            workers=self.workers,
            clock=clock,
        )
        self._prefetch: asyncio.Task[None] | None = None
        self._watch: asyncio.Task[None] | None = None
        self._stopping = False

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        self._stopping = False
        self.http.session  # noqa: B018 - create the pool now, inside the running loop
        self._audit.sink  # noqa: B018 - open the audit writer before the first message
        # Pay the cold costs before the first message, whose whole path has one deadline:
        # opening the node key (scrypt) and the question catalogue now, the registry (from the
        # province, which may still be starting) in the background.
        await asyncio.to_thread(self._warm)
        self._prefetch = asyncio.create_task(self.registry.fetch_soon(lambda: self._stopping))
        # Below the province: the registry serial polled (the province reads its own table).
        self._watch = asyncio.create_task(self.registry.watch(lambda: self._stopping))

    def _warm(self) -> None:
        try:
            self.node.signer()
            # The encryption key is opened (scrypt) now too, not by the first message.
            self.keys.encryption.key(self.node.encryption_key()["kid"])
        except CertfreeError:
            return  # no key yet: the first send says how to create one
        warm_catalogue()

    async def stop(self) -> None:
        # Let a registry read under way finish rather than cancel it: a cancelled task leaves
        # its worker thread holding a database connection that the pool can no longer close.
        self._stopping = True
        if self._prefetch is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._prefetch, timeout=15)
            self._prefetch = None
        if self._watch is not None:
            self._watch.cancel()  # between polls, or awaiting the province: nothing to lose
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
            self._watch = None
        await self.http.aclose()
        await asyncio.to_thread(self._audit.close)
        await asyncio.to_thread(self.workers.shutdown)

    # -- what adapters and tests use of the parts -----------------------------------------

    @property
    def audit(self) -> AuditSink:
        """The node's audit writer (opened on first use)."""
        return self._audit.sink

    def signer(self) -> Signer:
        """The node's active signing key (:meth:`NodeIdentity.signer`)."""
        return self.node.signer()

    async def directory(self, *, missing: str | None = None) -> RegistrySnapshot:
        """The current registry (:meth:`NodeDirectory.current`)."""
        return await self.registry.current(missing=missing)

    @property
    def cached_directory(self) -> RegistrySnapshot | None:
        """The registry last loaded (:attr:`NodeDirectory.cached`)."""
        return self.registry.cached

    def invalidate_registry(self) -> None:
        """Forget the cached registry (:meth:`NodeDirectory.invalidate`)."""
        self.registry.invalidate()

    async def in_thread(self, fn: Callable[..., T], *args: Any) -> T:
        """Run blocking work (database, audit commits) in the exchange's worker threads."""
        return await self.workers.run(fn, *args)

    def register_handler(
        self,
        type_: str,
        handler: Handler,
        *,
        read_only: bool = False,
        reply_step: ReplyStep | None = None,
    ) -> None:
        """Handle messages of ``type_`` addressed to this node (:meth:`Handlers.register`)."""
        self.handlers.register(type_, handler, read_only=read_only, reply_step=reply_step)
