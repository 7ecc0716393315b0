"""``ExchangeRuntime``: one node's side of the exchange, created by ``build_node``.

It holds the registry cache (signed by the province, refreshed after a TTL or when a sender
or key is unknown), the pooled ``httpx.AsyncClient``, the audit writer and the message
handlers; :mod:`certfree.exchange.protocol.answering` answers the messages addressed to the node and
to the departments it hosts (:mod:`certfree.exchange.protocol.hosting`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import httpx

from certfree.auth import NODE_KEY_OWNER
from certfree.crypto import KeyStore, Signer, b64url_decode
from certfree.errors import CertfreeError, ConfigurationError
from certfree.exchange.errors import (
    MessageRefused,
    NodeWithoutEndpoint,
    ProviderUnavailable,
    RefusalReason,
)
from certfree.exchange.protocol import audit as audit_link
from certfree.exchange.protocol.answering import Answerer, Handler
from certfree.exchange.protocol.hop_client import HopClient, HopResponse
from certfree.exchange.protocol.hosting import check_hosted, hosted_codes
from certfree.exchange.protocol.registry import (
    REGISTRY_PATH,
    RegistrySnapshot,
    load_pinned_jwks,
    pin_jwks,
    registry_payload,
    snapshot_from_payload,
    verify_registry,
)
from certfree.exchange.protocol.routing import forward_hop, parent_of
from certfree.exchange.protocol.signing import Message, Peer, open_message, precheck
from certfree.settings import HOST_ALL, NodeLevel, Settings
from certfree.storage import Database

__all__ = ["ExchangeRuntime"]


T = TypeVar("T")
_SIGNER_CACHE_SECONDS = 30.0  # re-read the key store now and then: rotation by another process
_PROVINCE_REGISTRY_TTL = 5.0  # the province reads its own table; cheap, so refreshed often
_FORCED_REFRESH_GAP = 1.0  # at most one forced refresh a second (unknown sender floods)


class ExchangeRuntime:
    """A node's exchange state; ``start``/``stop`` run in the application's lifespan."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        keys: KeyStore,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        audit: audit_link.AuditSink | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.db = db
        self.keys = keys
        self.code = settings.node_code
        self.clock = clock
        self.handlers: dict[str, Handler] = {}
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._hops = HopClient()
        self._audit = audit
        self._signer: tuple[float, Signer] | None = None
        self._snapshot: RegistrySnapshot | None = None
        self._snapshot_at = 0.0
        self._generation = 0  # bumped by invalidate_registry
        self._forced_at = 0.0
        self._lock = asyncio.Lock()
        self._answerer = Answerer(self)
        self._prefetch: asyncio.Task[None] | None = None
        self._stopping = False
        self._executor = ThreadPoolExecutor(max_workers=32, thread_name_prefix="exchange")
        check_hosted(self.code, settings.hosted_departments)
        self._hosted: tuple[float, frozenset[str]] | None = None
        self._own: tuple[float, Peer] | None = None
        audit_link.install_domain_handlers(self)

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        self.client  # noqa: B018 - create the pool now, inside the running loop
        if self._audit is None:
            self._audit = audit_link.open_writer(self.db, self.code)
        # Pay the cold costs before the first message, whose whole path has one deadline:
        # opening the node key (scrypt) and the question catalogue now, the registry (from the
        # province, which may still be starting) in the background.
        await asyncio.to_thread(self._warm)
        self._prefetch = asyncio.create_task(self._fetch_registry_soon())

    def _warm(self) -> None:
        try:
            self.signer()
        except CertfreeError:
            return  # no key yet: the first send says how to create one
        audit_link.warm_catalogue()

    async def _fetch_registry_soon(self, attempts: int = 30) -> None:
        for _ in range(attempts):
            if self._stopping:
                return
            try:
                await self.directory()
                return
            except CertfreeError:
                await asyncio.sleep(1.0)

    async def stop(self) -> None:
        # Let a registry read under way finish rather than cancel it: a cancelled task leaves
        # its worker thread holding a database connection that the pool can no longer close.
        self._stopping = True
        if self._prefetch is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._prefetch, timeout=15)
            self._prefetch = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        await self._hops.aclose()
        if self._audit is not None:
            await asyncio.to_thread(self._audit.close)
            self._audit = None

    def use_transport(self, transport: httpx.AsyncBaseTransport) -> None:
        """Send through ``transport`` (tests: several ASGI nodes in one process)."""
        self._transport = transport
        self._client = None

    @property
    def hop_client(self) -> HopClient | None:
        """The lean client for message hops; None when a test transport is in use (httpx)."""
        return self._hops if self._transport is None else None

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                transport=self._transport,
                limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
                timeout=httpx.Timeout(
                    self.settings.exchange_read_timeout,
                    connect=self.settings.exchange_connect_timeout,
                ),
            )
        return self._client

    @property
    def audit(self) -> audit_link.AuditSink:
        if self._audit is None:
            self._audit = audit_link.open_writer(self.db, self.code)
        return self._audit

    async def in_thread(self, fn: Callable[..., T], *args: Any) -> T:
        """Run blocking work (database, audit commits) in the exchange's own thread pool,
        sized for commits that wait on the disk rather than on the CPU."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args))

    def register_handler(self, type_: str, handler: Handler) -> None:
        """Handle messages of ``type_`` addressed to this node with ``handler``."""
        self.handlers[type_] = handler

    def signer(self) -> Signer:
        """The node's active signing key, re-read from the key store every 30 s."""
        now = time.monotonic()
        if self._signer is None or now - self._signer[0] > _SIGNER_CACHE_SECONDS:
            self._signer = (now, self.keys.signer(NODE_KEY_OWNER))
        return self._signer[1]

    # -- registry -------------------------------------------------------------------------

    @property
    def _registry_ttl(self) -> float:
        if self.settings.node_level is NodeLevel.PROVINCE:
            return _PROVINCE_REGISTRY_TTL
        return float(self.settings.registry_ttl_seconds)

    async def directory(self, *, missing: str | None = None) -> RegistrySnapshot:
        """The current registry; refreshed after its TTL, or now if ``missing`` is unknown."""
        ttl = self._registry_ttl
        now = time.monotonic()
        snap = self._snapshot
        fresh = snap is not None and now - self._snapshot_at < ttl
        if fresh and (missing is None or now - self._forced_at < _FORCED_REFRESH_GAP):
            assert snap is not None
            return snap
        async with self._lock:
            if self._snapshot is not snap and self._snapshot is not None:
                return self._snapshot  # another task refreshed meanwhile
            if missing is not None:
                self._forced_at = now
            try:
                while True:
                    generation = self._generation
                    loaded = await self._load_registry()
                    # Invalidated while reading (a registration committed meanwhile): the
                    # read may predate it, so read again rather than cache it for the TTL.
                    if generation == self._generation:
                        break
                self._snapshot = loaded
                self._snapshot_at = time.monotonic()
            except CertfreeError:
                if snap is None or snap.expires_at < self.clock():
                    raise
            assert self._snapshot is not None
            return self._snapshot

    async def _load_registry(self) -> RegistrySnapshot:
        if self.settings.node_level is NodeLevel.PROVINCE:

            def read() -> RegistrySnapshot:
                with self.db.session() as session:
                    return snapshot_from_payload(registry_payload(session, self.code))

            return await self.in_thread(read)
        url = self.settings.registry_url
        if not url:
            raise ConfigurationError(
                "no CERTFREE_PROVINCE_URL or CERTFREE_PARENT_URL: cannot fetch the node registry",
                field="province_url",
            )
        province = self.code[:2] + "0000"
        try:
            response = await self.client.get(f"{url}{REGISTRY_PATH}")
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(province, f"registry fetch failed: {exc!r}") from exc
        return self._verify_registry(response.text.strip())

    def _verify_registry(self, token: str) -> RegistrySnapshot:
        pinned_path = self.settings.province_jwks or self.settings.key_dir / "province.jwks.json"
        pinned = load_pinned_jwks(pinned_path)
        if pinned is None:
            if not self.settings.is_development:
                raise ConfigurationError(
                    f"no pinned province keys at {pinned_path}; set CERTFREE_PROVINCE_JWKS",
                    field="province_jwks",
                )
            # Development only: trust on first use, then pin (RFC 7469's idea, for JWKS).
            unverified = snapshot_from_payload(json.loads(b64url_decode(token.split(".")[1])))
            if unverified.province_jwks is None:
                raise ConfigurationError("the registry lists no province keys to pin")
            pinned = unverified.province_jwks
            snap = verify_registry(token, pinned, now=self.clock())
            pin_jwks(pinned_path, pinned)
        else:
            snap = verify_registry(token, pinned, now=self.clock())
        if self._snapshot is not None and snap.serial < self._snapshot.serial:
            return self._snapshot  # never go back to an older registry (rollback attack)
        return snap

    @property
    def cached_directory(self) -> RegistrySnapshot | None:
        """The registry last loaded, for handlers that run in a thread: the one the message
        they answer was just checked against (None only right after an invalidation)."""
        return self._snapshot

    def invalidate_registry(self) -> None:
        """Forget the cached registry (after a registration, approval or revocation here),
        and any read of it under way: the startup prefetch may have read before the change."""
        self._snapshot = None
        self._generation += 1

    def endpoint(self, code: str, snap: RegistrySnapshot) -> str:
        """Base URL of node ``code``: from the registry, or the configured parent URL."""
        peer = snap.peer(code)
        if peer is not None and peer.endpoint:
            return peer.endpoint
        if code == parent_of(self.code) and self.settings.parent_url:
            return self.settings.parent_url
        raise NodeWithoutEndpoint(code)

    def own_peer(self) -> Peer:
        """This node as a registry entry, with every node key in its key store (re-read every
        30 s): what the replies it signs for its hosted departments verify against."""
        now = time.monotonic()
        if self._own is None or now - self._own[0] > _SIGNER_CACHE_SECONDS:
            verifiers = {
                info.kid: self.keys.verifier(info.kid) for info in self.keys.keys(NODE_KEY_OWNER)
            }
            own = Peer(self.code, "active", None, verifiers, self.settings.node_name)
            self._own = (now, own)
        return self._own[1]

    async def hosts(self, code: str) -> bool:
        """Whether this node answers for department ``code`` itself (``hosted_departments``).

        With ``*``, a department that has since registered an endpoint of its own is no
        longer hosted: messages for it go to that endpoint."""
        hosted = self.settings.hosted_departments
        if not hosted or "-" not in code:
            return False
        if code in hosted:
            return True
        if HOST_ALL not in hosted:
            return False
        now = time.monotonic()
        if self._hosted is None or now - self._hosted[0] > self._registry_ttl:

            def read() -> frozenset[str]:
                with self.db.session() as session:
                    return hosted_codes(session, self.code, hosted)

            self._hosted = (now, await self.in_thread(read))
        if code not in self._hosted[1]:
            return False
        peer = (await self.directory()).peer(code)
        return peer is None or not peer.endpoint

    # -- receiving ------------------------------------------------------------------------

    async def open(self, raw: str) -> Message:
        """Verify an incoming message, refreshing the registry once for an unknown sender."""
        precheck(raw)
        snap = await self.directory()
        skew = self.settings.exchange_clock_skew
        try:
            return open_message(raw, snap, now=self.clock(), skew=skew)
        except MessageRefused as exc:
            if exc.reason not in (RefusalReason.UNKNOWN_SENDER, RefusalReason.UNKNOWN_KID):
                raise
            newer = await self.directory(missing="sender")
            if newer is snap:
                raise
            return open_message(raw, newer, now=self.clock(), skew=skew)

    async def receive(self, raw: str, deadline: float | None) -> HopResponse | str:
        """A message from a peer: the signed reply (a str) if it is for this node, else the
        next hop's response to pass back unchanged."""
        from certfree.exchange.protocol.transport import post_hop  # noqa: PLC0415 - transport uses us

        try:
            message = await self.open(raw)
            if message.receiver == self.code:
                return await self.dispatch(message)
            hop = forward_hop(self.code, message.sender, message.receiver)
        except MessageRefused as exc:
            exc.node = exc.node or self.code  # the caller learns which node refused
            raise
        return await post_hop(self, hop, message.raw, deadline)

    async def dispatch(self, message: Message) -> str:
        """Answer a message addressed to this node or to a department it hosts (sent from
        here, :func:`certfree.exchange.protocol.transport.send`); the signed reply JWS."""
        handler = self.handlers.get(message.type)
        if handler is None:
            raise MessageRefused(
                RefusalReason.NO_HANDLER, f"{self.code} does not handle {message.type}"
            )
        return await self.in_thread(self._answerer.answer, handler, message)
