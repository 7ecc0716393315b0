"""Fetching one page of a node's catalog change feed, for the harvest (``harvesting.harvest``).

:class:`HttpChangesClient` asks ``GET /api/v1/catalog/changes`` (``catalog.changes``) with a
request signed by this node's key, under a short timeout (connect 2 s, read 5 s), and turns
every way the node can fail into a :class:`HarvestFailed` naming it: no connection or answer
(:class:`NodeUnreachable`), a refusal (:class:`HarvestRefused`), or an answer that is not a
JSON object (:class:`InvalidFeed`). The request and the reading of the answer are the ones
every harvest shares (``nodes.feeds``); only the path, the request's ``typ`` and the errors
are the catalog's. Tests swap in any :class:`ChangesClient`.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from typing import Any, Protocol

import httpx

from certfree.catalog.changes import sign_harvest_request
from certfree.catalog.errors import HarvestFailed, HarvestRefused, InvalidFeed, NodeUnreachable
from certfree.crypto import Signer
from certfree.nodes.feeds import DEFAULT_TIMEOUT, FeedFaults, Source, fetch_page

__all__ = ["CHANGES_PATH", "FAULTS", "ChangesClient", "HttpChangesClient"]

CHANGES_PATH = "/api/v1/catalog/changes"
# How the shared feed reader (nodes.feeds) names a node's faults in the catalog's words.
FAULTS = FeedFaults(
    failed=HarvestFailed,
    unreachable=NodeUnreachable,
    refused=HarvestRefused,
    invalid=InvalidFeed,
)


class ChangesClient(Protocol):
    """Fetches one page of a node's change feed; raises a HarvestFailed subclass."""

    def fetch(self, source: Source, since: int, limit: int) -> Mapping[str, Any]: ...


class HttpChangesClient:
    """:class:`ChangesClient` over HTTP, each request signed with this node's key."""

    def __init__(
        self,
        signer: Signer,
        harvester: str,
        *,
        client: httpx.Client | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        verify: ssl.SSLContext | bool = True,  # the node's peer_context: mutual TLS
    ) -> None:
        self.signer = signer
        self.harvester = harvester
        self.timeout = timeout
        self.client = client or httpx.Client(timeout=timeout, verify=verify)

    def fetch(self, source: Source, since: int, limit: int) -> Mapping[str, Any]:
        if not source.url:  # before signing anything
            raise NodeUnreachable(source.code, "未登记节点地址（endpoint_url）")
        credential = sign_harvest_request(
            self.signer, harvester=self.harvester, node=source.code, since=since, limit=limit
        )
        return fetch_page(
            self.client,
            source,
            CHANGES_PATH,
            since=since,
            limit=limit,
            credential=credential,
            faults=FAULTS,
            timeout=self.timeout,
        )

    def close(self) -> None:
        self.client.close()
