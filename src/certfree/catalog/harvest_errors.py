"""Why harvesting one node's catalog stopped (``catalog.harvest``); each names the node::

CatalogError (CertfreeError)
└── HarvestFailed                      the node's changes could not be taken this time
    ├── NodeUnreachable                503 no connection, no answer in time, or a server error
    ├── HarvestRefused                 403 the node refused our signed request
    └── InvalidFeed                    502 the node answered something that is not its feed

The harvest reports these per node and goes on with the others; the CLI prints them.
"""

from __future__ import annotations

from certfree.catalog.resource_errors import CatalogError

__all__ = ["HarvestFailed", "HarvestRefused", "InvalidFeed", "NodeUnreachable"]


class HarvestFailed(CatalogError):
    """Base: harvesting ``node`` failed for ``reason`` (a status word of the report)."""

    status_word = "failed"

    def __init__(self, node: str, message: str) -> None:
        super().__init__(f"节点 {node}：{message}", field="node")
        self.node = node
        self.reason = message


class NodeUnreachable(HarvestFailed):
    status = 503
    slug = "node-unreachable"
    title = "Node unreachable"
    title_zh = "节点无法访问"
    status_word = "unreachable"


class HarvestRefused(HarvestFailed):
    status = 403
    slug = "harvest-refused"
    title = "Harvest refused by the node"
    title_zh = "节点拒绝目录采集"
    status_word = "refused"


class InvalidFeed(HarvestFailed):
    status = 502
    slug = "invalid-feed"
    title = "Invalid change feed"
    title_zh = "节点返回的目录变更无效"
    status_word = "invalid"
