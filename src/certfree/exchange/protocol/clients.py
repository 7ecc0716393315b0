"""The node's HTTP clients for its peers: one pooled ``httpx.AsyncClient`` and the lean client
message hops take (:mod:`certfree.exchange.protocol.hop_client`)."""

from __future__ import annotations

import httpx

from certfree.exchange.protocol.hop_client import HopClient
from certfree.settings import Settings

__all__ = ["HttpClients"]


class HttpClients:
    """Clients made lazily, inside the running event loop, and closed by ``aclose``."""

    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None):
        self._settings = settings
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._hops = HopClient()

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
                    self._settings.exchange_read_timeout,
                    connect=self._settings.exchange_connect_timeout,
                ),
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        await self._hops.aclose()
