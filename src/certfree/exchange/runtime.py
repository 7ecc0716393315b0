"""``ExchangeRuntime``: one node's side of the exchange, created by ``build_node``.

It holds the registry cache (signed by the province, refreshed after a TTL or when a sender
or key is unknown), the pooled ``httpx.AsyncClient``, the audit writer and the message
handlers. Providers run handlers in a worker thread with their own database session; the
handler's work and the signed reply are committed in one transaction, and the audit entry of
the reply is committed before the reply leaves (X-Road's rule).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from certfree.auth.tokens import NODE_KEY_OWNER
from certfree.crypto import KeyStore, Signer, b64url_decode
from certfree.errors import CertfreeError, ConfigurationError
from certfree.exchange import audit_link
from certfree.exchange.errors import MessageRefused, ProviderUnavailable, RefusalReason
from certfree.exchange.hop_client import HopClient, HopResponse
from certfree.exchange.messages import MessageType, reply_type
from certfree.exchange.protocol import Message, open_message, precheck, seal
from certfree.exchange.registry import (
    RegistrySnapshot,
    load_pinned_jwks,
    pin_jwks,
    registry_payload,
    snapshot_from_payload,
    verify_registry,
)
from certfree.exchange.replay import purge_expired, reply_for, store_reply
from certfree.exchange.routing import forward_hop, parent_of
from certfree.settings import NodeLevel, Settings
from certfree.storage import Database, utcnow

__all__ = ["ExchangeRuntime", "Handler", "HandlerContext", "register_handler"]


@dataclass(frozen=True)
class HandlerContext:
    """What a provider handler gets besides the message: a session and who it runs as."""

    session: Session
    node_code: str
    runtime: ExchangeRuntime


Handler = Callable[[HandlerContext, Message], dict[str, Any]]
T = TypeVar("T")
_DEFAULT_HANDLERS: dict[str, Handler] = {}


def register_handler(type_: str, handler: Handler) -> None:
    """Register ``handler`` for messages of ``type_`` on every runtime created afterwards."""
    _DEFAULT_HANDLERS[type_] = handler


_SIGNER_CACHE_SECONDS = 30.0  # re-read the key store now and then: rotation by another process
_PROVINCE_REGISTRY_TTL = 5.0  # the province reads its own table; cheap, so refreshed often
_FORCED_REFRESH_GAP = 1.0  # at most one forced refresh a second (unknown sender floods)
# Handlers that only read (questions): their replies can share group-committed transactions.
_READ_ONLY = frozenset({MessageType.QUESTION_ASK})


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
        self._forced_at = 0.0
        self._lock = asyncio.Lock()
        self._purged_at = 0.0
        self._prefetch: asyncio.Task[None] | None = None
        self._stopping = False
        self._executor = ThreadPoolExecutor(max_workers=32, thread_name_prefix="exchange")
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

    async def directory(self, *, missing: str | None = None) -> RegistrySnapshot:
        """The current registry; refreshed after its TTL, or now if ``missing`` is unknown."""
        ttl = (
            _PROVINCE_REGISTRY_TTL
            if self.settings.node_level is NodeLevel.PROVINCE
            else float(self.settings.registry_ttl_seconds)
        )
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
                self._snapshot = await self._load_registry()
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
            response = await self.client.get(f"{url}/api/v1/exchange/registry")
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

    def invalidate_registry(self) -> None:
        """Forget the cached registry (after a registration, approval or revocation here)."""
        self._snapshot = None

    def endpoint(self, code: str, snap: RegistrySnapshot) -> str:
        """Base URL of node ``code``: from the registry, or the configured parent URL."""
        peer = snap.peer(code)
        if peer is not None and peer.endpoint:
            return peer.endpoint
        if code == parent_of(self.code) and self.settings.parent_url:
            return self.settings.parent_url
        raise ProviderUnavailable(code, "the registry has no endpoint for it")

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
        from certfree.exchange.transport import post_hop  # noqa: PLC0415 - transport uses us

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
        """Answer a message addressed to this node; the signed reply JWS."""
        handler = self.handlers.get(message.type) or _DEFAULT_HANDLERS.get(message.type)
        if handler is None:
            raise MessageRefused(
                RefusalReason.NO_HANDLER, f"{self.code} does not handle {message.type}"
            )
        return await self.in_thread(self._answer, handler, message)

    def _answer(self, handler: Handler, message: Message) -> str:
        keep = 2 * self.settings.exchange_clock_skew + 60
        received_at = utcnow()
        if message.type in _READ_ONLY:
            return self._answer_grouped(handler, message, received_at, keep)
        with self.db.session() as session:
            stored = reply_for(session, message)
        if stored is not None:
            return self._again(message, stored)
        # The handler's work, the signed reply and both audit entries (request received,
        # answer sent) commit in one transaction, before the reply leaves: after a crash,
        # either all of it is there (a retry gets the same reply) or none (a retry runs anew).
        try:
            with self.db.session() as session:
                reply = self._run(handler, message, session)
                store_reply(session, message, reply, keep_seconds=keep)
                audit_link.append_exchange(session, message, reply, received_at)
        except IntegrityError:
            return self._raced(message)
        except CertfreeError as exc:
            if exc.status >= 500:
                raise  # not the caller's fault: nothing stored, a retry may succeed
            reply = self._refusal(message, exc)
            try:
                with self.db.session() as session:
                    store_reply(session, message, reply, keep_seconds=keep)
                    audit_link.append_exchange(session, message, reply, received_at)
            except IntegrityError:
                return self._raced(message)
        self._maybe_purge()
        return reply

    def _answer_grouped(
        self, handler: Handler, message: Message, received_at: dt.datetime, keep: int
    ) -> str:
        """A handler that only reads: its reply is stored and logged by the audit writer's
        group commit, many messages per transaction, and released only after that commit."""
        with self.db.session() as session:
            stored = reply_for(session, message)
            if stored is None:
                try:
                    reply = self._run(handler, message, session)
                except CertfreeError as exc:
                    if exc.status >= 500:
                        raise  # not the caller's fault: nothing stored, a retry may succeed
                    reply = self._refusal(message, exc)
        if stored is not None:
            return self._again(message, stored)
        records = audit_link.exchange_records(message, reply, received_at)

        def store(session: Session) -> None:
            store_reply(session, message, reply, keep_seconds=keep)

        try:
            self.audit.submit_many(records, store).result()
        except IntegrityError:
            return self._raced(message)
        self._maybe_purge()
        return reply

    def _again(self, message: Message, stored: str) -> str:
        """A retry: release the same answer again, logged again before it leaves."""
        audit_link.record_sync(self.audit, "answer_sent", message, stored)
        return stored

    def _raced(self, message: Message) -> str:
        """The same message ran twice at once: the first stored reply is the answer."""
        with self.db.session() as session:
            reply = reply_for(session, message)
        if reply is None:  # pragma: no cover - the other transaction stored it
            raise ProviderUnavailable(self.code, "concurrent copies of one message")
        audit_link.record_sync(self.audit, "answer_sent", message, reply)
        return reply

    def _run(self, handler: Handler, message: Message, session: Session) -> str:
        body = handler(HandlerContext(session, self.code, self), message)
        return self._seal_reply(message, reply_type(message.type), body)

    def _seal_reply(self, message: Message, type_: str, body: dict[str, Any]) -> str:
        return seal(
            self.signer(),
            type=type_,
            sender=self.code,
            receiver=message.sender,
            body=body,
            reply_to=message.id,
            now=self.clock(),
        ).raw

    def _refusal(self, message: Message, exc: CertfreeError) -> str:
        reason = getattr(exc, "reason", None)
        body = {
            "status": exc.status,
            "slug": exc.slug,
            "reason": str(reason) if reason is not None else None,
            "detail": exc.message,
            "field": exc.field,
        }
        return self._seal_reply(message, MessageType.REFUSAL, body)

    def _maybe_purge(self) -> None:
        now = time.monotonic()
        if now - self._purged_at < 60:
            return
        self._purged_at = now
        with self.db.session() as session:
            purge_expired(session)
