"""The node's one HTTP client for its peers: aiohttp, over mutual TLS 1.3.

Message hops go through its lanes (:mod:`certfree.exchange.protocol.lanes`), which coalesce
what waits for the same next node; everything else a node asks a peer (the signed registry,
health probes, a data subject's access log at another node) uses the same pooled session.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aiohttp

from certfree.exchange.protocol.hops import MAX_RESULTS, HopResult
from certfree.exchange.protocol.identity import NodeIdentity
from certfree.exchange.protocol.lanes import HopLanes, LaneSettings
from certfree.settings import Settings

__all__ = ["PEER_ERRORS", "HttpClients", "peer_error"]

# What a request to a peer may raise: no connection, no answer in time, an answer too large.
PEER_ERRORS = (aiohttp.ClientError, TimeoutError, ValueError)


def peer_error(exc: BaseException) -> str:
    """What went wrong with a peer, in one stable word for pages and reports."""
    if isinstance(exc, aiohttp.ClientConnectionError):
        return "ConnectError"
    if isinstance(exc, TimeoutError):
        return "Timeout"
    if isinstance(exc, ValueError):
        return "ResponseTooLarge"
    return type(exc).__name__


class HttpClients:
    """The pooled client, made lazily inside the running event loop, closed by ``aclose``."""

    def __init__(self, settings: Settings, identity: NodeIdentity) -> None:
        self.timeout = aiohttp.ClientTimeout(
            total=settings.exchange_read_timeout, sock_connect=settings.exchange_connect_timeout
        )
        self.lanes = HopLanes(
            settings.node_code,
            identity.signer,
            LaneSettings(
                connect_timeout=settings.exchange_connect_timeout,
                retries=settings.exchange_retries,
                parallel=settings.exchange_hop_parallel,
                max_wait=settings.exchange_hop_max_wait_ms / 1000,
                plain_http=settings.is_development,
            ),
            tls=settings.peer_context,
        )

    @property
    def session(self) -> aiohttp.ClientSession:
        """The session for requests to peers other than message hops."""
        return self.lanes.session

    async def request(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> HopResult:
        """One request to a peer, its response read whole (at most the envelope limit);
        raises one of :data:`PEER_ERRORS`."""
        limit = self.timeout if timeout is None else aiohttp.ClientTimeout(total=timeout)
        async with self.session.request(
            method, url, json=json, headers=headers, timeout=limit
        ) as response:
            body = await response.content.read(MAX_RESULTS + 1)
            if len(body) > MAX_RESULTS:
                raise ValueError(f"the response of {url} is over {MAX_RESULTS} bytes")
            return HopResult(response.status, response.headers.get("content-type", ""), body)

    async def aclose(self) -> None:
        await self.lanes.aclose()
