"""The cluster's health for the big-data bureau and the CIO: ``GET /api/v1/exchange/health``.

Each peer in the registry this node trusts, asked for its ``/healthz`` by this node (a browser
on the bureau's desk often cannot reach the nodes of other cities; this node can).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from certfree.api.deps import NodeDep, allow
from certfree.api.views import IsoTimestamp, View
from certfree.auth import Principal, Role
from certfree.exchange.protocol import peer_health
from certfree.storage import utcnow

router = APIRouter(prefix="/api/v1", tags=["exchange"])


class PeerHealthView(View):
    """A peer's health as this node found it (``exchange.peer_health.PeerHealth``)."""

    code: str
    name: str | None
    level: str | None
    status: str
    endpoint: str | None
    state: peer_health.PeerState
    detail: str | None
    took_ms: int | None


class ClusterHealth(View):
    checked_at: IsoTimestamp
    registry_serial: int
    nodes: list[PeerHealthView]


@router.get("/exchange/health")
async def cluster_health(
    node: NodeDep, _: Annotated[Principal, Depends(allow(Role.BUREAU_ADMIN, Role.CIO))]
) -> ClusterHealth:
    """Every registered node (at most 200, by code) with its ``/healthz`` asked now."""
    snapshot = await node.exchange.directory()
    found = await peer_health.probe_peers(node.exchange.http, snapshot)
    return ClusterHealth.model_validate(
        {"checked_at": utcnow(), "registry_serial": snapshot.serial, "nodes": found}
    )
