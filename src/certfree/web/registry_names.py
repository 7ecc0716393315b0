"""Nodes and issuing organs by name, for the pages that would otherwise show codes: this
node's own table (by node code and by USCC), then the province's signed registry, which
names every node of the cascade (public, as the registry is)."""

from __future__ import annotations

from certfree import nodes
from certfree.assembly import NodeRuntime
from certfree.errors import CertfreeError
from certfree.nodes import NodeStatus
from certfree.settings import NodeLevel

__all__ = ["active_departments", "organ_names"]


def _registered_organs(node: NodeRuntime) -> dict[str, str]:
    with node.db.session() as session:
        return {
            key: n.name for n in nodes.list_nodes(session) for key in (n.code, n.uscc) if n.name
        }


async def organ_names(node: NodeRuntime) -> dict[str, str]:
    """Each node and issuing organ by node code and by USCC: this node itself, its own
    table, then the province's registry (this node's table may know only itself)."""
    names = {node.settings.node_code: node.settings.node_name}
    names |= await node.exchange.in_thread(_registered_organs, node)
    try:
        registry = await node.exchange.directory()
    except CertfreeError:
        return names  # no registry yet: the codes this node knows by name
    for peer in registry.peers.values():
        if peer.name:
            names.setdefault(peer.code, peer.name)
    return names


async def active_departments(node: NodeRuntime) -> list[dict[str, str]]:
    """The registry's active department nodes, ``{code, name}`` by code; none before this
    node has a registry (a form then takes the department's code as typed)."""
    try:
        registry = await node.exchange.directory()
    except CertfreeError:
        return []
    return [
        {"code": peer.code, "name": peer.name or peer.code}
        for peer in sorted(registry.peers.values(), key=lambda peer: peer.code)
        if peer.status == NodeStatus.ACTIVE.value and peer.level == NodeLevel.DEPARTMENT.value
    ]
