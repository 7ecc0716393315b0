"""Errors of the provincial certificate index, under ``certfree.errors``::

    CertfreeError
    ├── IndexHarvestFailed                one node's index entries could not be taken this time
    │   ├── IndexNodeUnreachable          503 no connection, no answer in time, server error
    │   ├── IndexHarvestRefused           403 the node refused our signed request
    │   └── InvalidIndexFeed              502 the node answered something not its feed, or a
    │                                         page with a malformed entry (nothing of it stored)
    ├── InvalidInput
    │   └── InvalidIndexQuery             422 a parameter of an index query (names it)
    └── NotFound
        └── TrustListNotHarvested         404 no node's trust list held yet: nothing to publish

The harvest reports an :class:`IndexHarvestFailed` per node and goes on with the others.
"""

from __future__ import annotations

from certfree.errors import InvalidInput, NotFound
from certfree.nodes.feeds import FeedFailed

__all__ = [
    "IndexHarvestFailed",
    "IndexHarvestRefused",
    "IndexNodeUnreachable",
    "InvalidIndexFeed",
    "InvalidIndexQuery",
    "TrustListNotHarvested",
]


class IndexHarvestFailed(FeedFailed):
    """Base: harvesting ``node`` failed for ``reason`` (``status_word``: the report's status)."""

    slug = "index-harvest-failed"
    title = "Certificate index harvest failed"
    title_zh = "证照索引归集失败"


class IndexNodeUnreachable(IndexHarvestFailed):
    status = 503
    slug = "index-node-unreachable"
    title = "Node unreachable"
    title_zh = "节点无法访问"
    status_word = "unreachable"


class IndexHarvestRefused(IndexHarvestFailed):
    status = 403
    slug = "index-harvest-refused"
    title = "Index harvest refused by the node"
    title_zh = "节点拒绝证照索引归集"
    status_word = "refused"


class InvalidIndexFeed(IndexHarvestFailed):
    status = 502
    slug = "invalid-index-feed"
    title = "Invalid certificate index feed"
    title_zh = "节点返回的证照索引无效"
    status_word = "invalid"


class InvalidIndexQuery(InvalidInput):
    slug = "invalid-index-query"
    title = "Invalid certificate index query"
    title_zh = "证照索引查询有误"


class TrustListNotHarvested(NotFound):
    slug = "trust-list-not-harvested"
    title = "No trust list harvested yet"
    title_zh = "尚未归集任何节点的信任列表"
