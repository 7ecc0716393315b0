"""The node registry as this node knows it: signed by the province, cached, kept fresh.

The cache is refreshed after a TTL (the province, reading its own table, every few seconds),
or at once when a message names a sender or key it does not know (at most once a second, so a
flood of unknown senders cannot turn into a flood of registry reads). A node below the
province fetches the registry over HTTP and verifies it against the pinned province keys; in
development only, it pins the first keys it sees. It never goes back to an older registry
(``serial``), which would let a replayed registry revive a revoked node. Between reads it asks
the province for the signed serial alone every few seconds (:meth:`NodeDirectory.watch`), so
a revocation reaches it in seconds, not at the end of the TTL.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp

from certfree.crypto import b64url_decode
from certfree.errors import CertfreeError, ConfigurationError
from certfree.exchange.errors import NodeWithoutEndpoint, ProviderUnavailable
from certfree.exchange.protocol.clients import PEER_ERRORS, HttpClients
from certfree.exchange.protocol.registry import (
    REGISTRY_PATH,
    RegistrySnapshot,
    load_pinned_jwks,
    pin_jwks,
    registry_payload,
    snapshot_from_payload,
    verify_registry,
)
from certfree.exchange.protocol.registry_serial import SERIAL_PATH, verify_serial
from certfree.exchange.protocol.routing import parent_of
from certfree.exchange.protocol.workers import Workers
from certfree.settings import NodeLevel, Settings
from certfree.storage import Database

__all__ = ["NodeDirectory"]

_PROVINCE_REGISTRY_TTL = 5.0  # the province reads its own table; cheap, so refreshed often
_FORCED_REFRESH_GAP = 1.0  # at most one forced refresh a second (unknown sender floods)
_MAX_REGISTRY = 16 * 1024 * 1024  # bytes of a signed registry (thousands of nodes' keys)


class NodeDirectory:
    """The registry cache of one node (see the module docstring)."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        http: HttpClients,
        workers: Workers,
        clock: Callable[[], float],
    ) -> None:
        self._settings = settings
        self._db = db
        self._http = http
        self._workers = workers
        self._clock = clock
        self._code = settings.node_code
        self._snapshot: RegistrySnapshot | None = None
        self._snapshot_at = 0.0
        self._generation = 0  # bumped by invalidate
        self._forced_at = 0.0
        self._lock = asyncio.Lock()

    @property
    def ttl(self) -> float:
        """Seconds a registry read is used before it is read again."""
        if self._settings.node_level is NodeLevel.PROVINCE:
            return _PROVINCE_REGISTRY_TTL
        return float(self._settings.registry_ttl_seconds)

    async def current(self, *, missing: str | None = None) -> RegistrySnapshot:
        """The current registry; refreshed after its TTL, or now if ``missing`` is unknown."""
        ttl = self.ttl
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
                    loaded = await self._load()
                    # Invalidated while reading (a registration committed meanwhile): the
                    # read may predate it, so read again rather than cache it for the TTL.
                    if generation == self._generation:
                        break
                self._snapshot = loaded
                self._snapshot_at = time.monotonic()
                for peer in loaded.peers.values():  # every https peer shows its bound key
                    if peer.endpoint:
                        self._http.lanes.pin(peer.code, peer.endpoint, peer.tls)
            except CertfreeError:
                if snap is None or snap.expires_at < self._clock():
                    raise
            assert self._snapshot is not None
            return self._snapshot

    async def _load(self) -> RegistrySnapshot:
        if self._settings.node_level is NodeLevel.PROVINCE:

            def read() -> RegistrySnapshot:
                with self._db.session() as session:
                    return snapshot_from_payload(registry_payload(session, self._code))

            return await self._workers.run(read)
        url = self._settings.registry_url
        if not url:
            raise ConfigurationError(
                "no CERTFREE_PROVINCE_URL or CERTFREE_PARENT_URL: cannot fetch the node registry",
                field="province_url",
            )
        province = self._code[:2] + "0000"
        try:
            async with self._http.session.get(
                f"{url}{REGISTRY_PATH}", timeout=self._http.timeout
            ) as response:
                response.raise_for_status()
                token = (await response.content.read(_MAX_REGISTRY + 1)).decode("ascii")
        except (aiohttp.ClientError, TimeoutError, UnicodeDecodeError) as exc:
            raise ProviderUnavailable(province, f"registry fetch failed: {exc!r}") from exc
        if len(token) > _MAX_REGISTRY:
            raise ProviderUnavailable(province, f"registry over {_MAX_REGISTRY} bytes")
        return self._verify(token.strip())

    def _verify(self, token: str) -> RegistrySnapshot:
        settings = self._settings
        pinned_path = self._pinned_path
        pinned = load_pinned_jwks(pinned_path)
        if pinned is None:
            if not settings.is_development:
                raise ConfigurationError(
                    f"no pinned province keys at {pinned_path}; set CERTFREE_PROVINCE_JWKS",
                    field="province_jwks",
                )
            # Development only: trust on first use, then pin (RFC 7469's idea, for JWKS).
            unverified = snapshot_from_payload(json.loads(b64url_decode(token.split(".")[1])))
            if unverified.province_jwks is None:
                raise ConfigurationError("the registry lists no province keys to pin")
            pinned = unverified.province_jwks
            snap = verify_registry(token, pinned, now=self._clock())
            pin_jwks(pinned_path, pinned)
        else:
            snap = verify_registry(token, pinned, now=self._clock())
        if self._snapshot is not None and snap.serial < self._snapshot.serial:
            return self._snapshot  # never go back to an older registry (rollback attack)
        return snap

    async def fetch_soon(self, stopping: Callable[[], bool], attempts: int = 30) -> None:
        """Load the registry once, retrying every second while the province is not up yet
        (it may be starting beside this node), until ``stopping()``."""
        for _ in range(attempts):
            if stopping():
                return
            try:
                await self.current()
                return
            except CertfreeError:
                await asyncio.sleep(1.0)

    @property
    def _pinned_path(self) -> Path:
        return self._settings.province_jwks or self._settings.key_dir / "province.jwks.json"

    async def watch(self, stopping: Callable[[], bool]) -> None:
        """Ask the province for its signed serial every ``registry_poll_seconds`` and reload
        the registry when the serial has grown, so that a revocation reaches this node within
        seconds rather than at the end of the registry's TTL (:mod:`.registry_serial`)."""
        period = self._settings.registry_poll_seconds
        url = self._settings.registry_url
        if not period or not url:
            return  # the province reads its own table; polling switched off
        while not stopping():
            await asyncio.sleep(period)
            pinned_path = (
                self._settings.province_jwks or self._settings.key_dir / "province.jwks.json"
            )
            try:
                pinned = load_pinned_jwks(pinned_path)
                response = await self._http.request("GET", url + SERIAL_PATH, timeout=period)
                if pinned is None or response.status != 200:
                    continue  # not pinned yet (the first registry pins) or the province is down
                serial = verify_serial(response.text.strip(), pinned, now=self._clock())
            except (CertfreeError, *PEER_ERRORS):
                continue  # the next poll, or the TTL, will do
            known = self._snapshot
            if known is None or serial > known.serial:
                with contextlib.suppress(CertfreeError):
                    await self.current(missing="serial")

    @property
    def cached(self) -> RegistrySnapshot | None:
        """The registry last loaded, for handlers that run in a thread: the one the message
        they answer was just checked against (None only right after an invalidation)."""
        return self._snapshot

    def invalidate(self) -> None:
        """Forget the cached registry (after a registration, approval or revocation here),
        and any read of it under way: the startup prefetch may have read before the change."""
        self._snapshot = None
        self._generation += 1

    def endpoint(self, code: str, snap: RegistrySnapshot) -> str:
        """Base URL of node ``code``: from the registry, or the configured parent URL."""
        peer = snap.peer(code)
        if peer is not None and peer.endpoint:
            return peer.endpoint
        if code == parent_of(self._code) and self._settings.parent_url:
            return self._settings.parent_url
        raise NodeWithoutEndpoint(code)
