"""The cluster's health as one node sees it: each registered peer's ``/healthz``, asked now.

The bureau's page shows it beside the registry. A peer is asked over the node's own pooled
HTTP client (the one hops use), all at once, each with a short deadline; a peer that does not
answer in time is "unreachable", which is what a person on call needs to know.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from enum import StrEnum

from certfree.errors import CertfreeError
from certfree.exchange.protocol.clients import PEER_ERRORS, HttpClients, peer_error
from certfree.exchange.protocol.registry import RegistrySnapshot

__all__ = ["HEALTH_TIMEOUT_SECONDS", "MAX_PROBED", "PeerHealth", "PeerState", "probe_peers"]

HEALTH_TIMEOUT_SECONDS = 3.0
MAX_PROBED = 200  # a province has 1 + 16 + a few hundred nodes; the page pages them


class PeerState(StrEnum):
    OK = "ok"  # answered 200: database up, schema current
    DEGRADED = "degraded"  # answered, but its database or schema is not ready
    UNREACHABLE = "unreachable"  # no answer in time, or not HTTP
    NO_ENDPOINT = "no_endpoint"  # hosted by its city: nothing of its own to ask


@dataclass(frozen=True)
class PeerHealth:
    code: str
    name: str | None
    level: str | None
    status: str  # standing in the registry: pending, active, revoked
    endpoint: str | None
    state: PeerState
    detail: str | None
    took_ms: int | None


async def _probe(http: HttpClients, endpoint: str) -> tuple[PeerState, str | None, int]:
    started = time.perf_counter()
    try:
        response = await http.request("GET", endpoint + "/healthz", timeout=HEALTH_TIMEOUT_SECONDS)
    except PEER_ERRORS as exc:
        return (
            PeerState.UNREACHABLE,
            peer_error(exc),
            round((time.perf_counter() - started) * 1000),
        )
    took = round((time.perf_counter() - started) * 1000)
    if response.status == 200:
        return PeerState.OK, None, took
    try:
        detail = str(response.json().get("status") or response.status)
    except (CertfreeError, AttributeError):
        detail = f"HTTP {response.status}"
    return PeerState.DEGRADED, detail, took


async def probe_peers(http: HttpClients, snapshot: RegistrySnapshot) -> list[PeerHealth]:
    """Every peer of ``snapshot`` (by code, at most :data:`MAX_PROBED`) with its health now."""
    peers = sorted(snapshot.peers.values(), key=lambda peer: peer.code)[:MAX_PROBED]

    async def one(peer_endpoint: str | None) -> tuple[PeerState, str | None, int | None]:
        if not peer_endpoint:
            return PeerState.NO_ENDPOINT, None, None
        return await _probe(http, peer_endpoint)

    results = await asyncio.gather(*(one(peer.endpoint) for peer in peers))
    return [
        PeerHealth(
            code=peer.code,
            name=peer.name,
            level=peer.level,
            status=peer.status,
            endpoint=peer.endpoint,
            state=state,
            detail=detail,
            took_ms=took,
        )
        for peer, (state, detail, took) in zip(peers, results, strict=True)
    ]
