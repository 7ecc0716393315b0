"""The province harvests the index entries and trust lists of city and department nodes.

For each node, :func:`harvest` follows its index feed (``GET /api/v1/certs/index/feed``, see
``index.feed``) from the stored cursor with the shared resumable loop (``nodes.feeds``). Each
page carries the node's signed trust list beside its entries; a page is stored only when

* it is the node's feed after the cursor (``nodes.feeds.check_page``),
* its trust list is sealed by a key the registry holds for that node, and
* every entry passes ``index.entries.read_entry`` and names an issuing organ whose keys that
  node vouches for and which is the node's own (the organ's registry node is the node or
  below it: a city cannot speak for another city's organs);

then its entries (upserted by identifier: a status change replaces the old state), the
node's trust list and the cursor after the page are committed in one transaction. A page that
fails any check stores nothing: the node is reported ``invalid`` with the reason, its cursor
stays, and the next harvest asks again. Nodes are harvested one after the other; one that
does not answer or refuses is reported and the others go on.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree.certs.index.entries import Entry, read_entry
from certfree.certs.index.errors import (
    IndexHarvestFailed,
    IndexHarvestRefused,
    IndexNodeUnreachable,
    InvalidIndexFeed,
)
from certfree.certs.index.feed import INDEX_FEED_TYP, MAX_PAGE, index_page
from certfree.certs.index.models import IndexEntry, IndexHarvestState, NodeTrust
from certfree.certs.trust import TrustList
from certfree.crypto import KeyStore, Signer, b64url_decode, jwk_thumbprint
from certfree.errors import CertfreeError
from certfree.nodes import Node
from certfree.nodes.feeds import (
    DEFAULT_TIMEOUT,
    FeedFaults,
    FeedStatus,
    Source,
    fetch_page,
    harvest_feeds,
    sign_feed_request,
    state_row,
)
from certfree.safejson import loads_untrusted
from certfree.storage import Database, utcnow

__all__ = [
    "FAULTS",
    "FEED_PATH",
    "HttpIndexClient",
    "IndexClient",
    "IndexReport",
    "IndexStatus",
    "OwnFeedClient",
    "harvest_index",
]

FEED_PATH = "/api/v1/certs/index/feed"
PAGE_SIZE = 500
FAULTS = FeedFaults(
    failed=IndexHarvestFailed,
    unreachable=IndexNodeUnreachable,
    refused=IndexHarvestRefused,
    invalid=InvalidIndexFeed,
)


IndexStatus = FeedStatus  # the status words every feed harvest shares (nodes.feeds)


@dataclass
class IndexReport:
    """What the harvest did with one node."""

    node: str
    status: IndexStatus = IndexStatus.OK
    pages: int = 0
    created: int = 0
    updated: int = 0
    cursor: int = 0
    issuers: int = 0  # issuing organs in the node's trust list held now
    reason: str | None = None
    restarted: bool = False
    ignored_issuers: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "status": self.status.value,
            "pages": self.pages,
            "created": self.created,
            "updated": self.updated,
            "cursor": self.cursor,
            "issuers": self.issuers,
            "reason": self.reason,
            "restarted": self.restarted,
            "ignored_issuers": self.ignored_issuers,
        }


class IndexClient(Protocol):
    """Fetches one page of a node's index feed; raises an IndexHarvestFailed subclass."""

    def fetch(self, source: Source, since: int, limit: int) -> Mapping[str, Any]: ...


class HttpIndexClient:
    """:class:`IndexClient` over HTTP, each request signed with this node's key."""

    def __init__(
        self, signer: Signer, harvester: str, *, client: httpx.Client | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        verify: ssl.SSLContext | bool = True,  # the node's peer_context: mutual TLS
    ) -> None:  # fmt: skip
        self.signer, self.harvester, self.timeout = signer, harvester, timeout
        self.client = client or httpx.Client(timeout=timeout, verify=verify)

    def fetch(self, source: Source, since: int, limit: int) -> Mapping[str, Any]:
        credential = sign_feed_request(
            self.signer, typ=INDEX_FEED_TYP, harvester=self.harvester, node=source.code,
            since=since, limit=limit,
        )  # fmt: skip
        return fetch_page(
            self.client, source, FEED_PATH, since=since, limit=limit, credential=credential,
            faults=FAULTS, timeout=self.timeout,
        )  # fmt: skip

    def close(self) -> None:
        self.client.close()


class OwnFeedClient:
    """:class:`IndexClient` that reads this node's own feed in-process (the province indexes
    the certificates it issues itself too) and asks ``others`` for every other node's."""

    def __init__(
        self, db: Database, store: KeyStore, own_code: str, key: bytes, others: IndexClient
    ) -> None:
        self.db, self.store, self.own_code, self.key, self.others = db, store, own_code, key, others

    def fetch(self, source: Source, since: int, limit: int) -> Mapping[str, Any]:
        if source.code != self.own_code:
            return self.others.fetch(source, since, limit)
        page = index_page(self.db, self.store, self.own_code, self.key, since=since, limit=limit)
        return page.as_json()


def harvest_index(
    db: Database,
    sources: Sequence[Source],
    client: IndexClient,
    *,
    page_size: int = PAGE_SIZE,
    progress: Callable[[IndexReport], None] | None = None,
    hosted: Mapping[str, Collection[str]] | None = None,
) -> list[IndexReport]:
    """Harvest each source's index entries since its cursor; a report per source, in order.

    ``hosted`` names, for this node's own code, the department nodes it hosts (co-hosted
    providers, ``exchange.hosting``): a node vouches for what it hosts, so its own feed may
    carry their organs' certificates; the registry does not say who hosts whom, so no other
    node's feed may.

    ``progress`` is called after every stored page.
    """
    page_size = max(1, min(page_size, MAX_PAGE))
    return harvest_feeds(
        db, sources, state=IndexHarvestState, new_report=IndexReport,
        fetch=lambda source, since: client.fetch(source, since, page_size),
        items="entries", faults=FAULTS, progress=progress,
        store=lambda source, page, report: _store_page(
            db, source, page, report, (hosted or {}).get(source.code, ())
        ),
    )  # fmt: skip


def _own_organs(session: Session, code: str, hosted: Collection[str]) -> set[str]:
    """USCCs of the organs a node may speak for: its own, those of nodes below it and those
    of the department nodes it hosts."""
    return {
        row.uscc
        for row in session.scalars(select(Node))
        if code in (row.code, row.parent_code)
        or row.code.startswith(code + "-")
        or row.code in hosted
    }


def _node_trust(session: Session, source: Source, token: object) -> TrustList:
    """The node's trust list from a page, its seal checked with the node's registered keys."""
    node = session.get(Node, source.code)
    if not isinstance(token, str) or not token:
        raise InvalidIndexFeed(source.code, "缺少节点的信任列表（trust_list）")
    try:
        header = loads_untrusted(b64url_decode(token.split(".", 1)[0]), what="trust list")
    except CertfreeError:
        raise InvalidIndexFeed(source.code, "信任列表不是 compact JWS") from None
    kid = header.get("kid") if isinstance(header, dict) else None
    keys = (node.jwks or {}).get("keys", []) if node is not None else []
    key = next(
        (k for k in keys if isinstance(k, dict) and (k.get("kid") or jwk_thumbprint(k)) == kid),
        None,
    )
    if key is None:
        raise InvalidIndexFeed(source.code, f"信任列表的签名密钥 {kid!r} 不在节点注册表中")
    try:
        trust = TrustList.from_token(token, key)
    except CertfreeError as exc:
        raise InvalidIndexFeed(source.code, f"信任列表签名无效：{exc.message}") from None
    if trust.publisher != source.code:
        raise InvalidIndexFeed(source.code, f"信任列表由 {trust.publisher!r} 发布，不是本节点")
    return trust


def _store_page(
    db: Database,
    source: Source,
    page: dict[str, Any],
    report: IndexReport,
    hosted: Collection[str],
) -> None:
    """The page's entries, the node's trust list and the cursor, in one transaction."""
    with db.session() as session:
        trust = _node_trust(session, source, page.get("trust_list"))
        own = _own_organs(session, source.code, hosted)
        vouched = {uscc: keys for uscc, keys in trust.issuers.items() if uscc in own}
        report.ignored_issuers = sorted(set(trust.issuers) - set(vouched))
        entries = [read_entry(source.code, raw) for raw in page["entries"]]
        for entry in entries:
            if entry.issuer_uscc not in vouched:
                raise InvalidIndexFeed(
                    source.code,
                    f"条目 {entry.identifier} 的发证机关 {entry.issuer_uscc} 不是该节点信任列表中"
                    "属于该节点的发证机关",
                )
        created, updated = _upsert(session, source.code, entries)
        held = session.get(NodeTrust, source.code) or NodeTrust(node_code=source.code)
        held.token, held.issuers = trust.token or "", {u: list(k) for u, k in vouched.items()}
        held.issued_at, held.expires_at = trust.issued_at or 0, trust.expires_at
        held.fetched_at = utcnow()
        session.add(held)
        state = state_row(session, IndexHarvestState, source.code)
        state.cursor, state.feed_id = page["next"], page["feed"]
    report.created += created
    report.updated += updated
    report.issuers = len(vouched)


def _upsert(session: Session, node: str, entries: list[Entry]) -> tuple[int, int]:
    identifiers = [e.identifier for e in entries]
    held = {
        row.identifier: row
        for row in session.scalars(select(IndexEntry).where(IndexEntry.identifier.in_(identifiers)))
    }  # one query per page
    created = updated = 0
    now = utcnow()
    for entry in sorted(entries, key=lambda e: e.seq):
        row = held.get(entry.identifier)
        if row is not None and row.node_code != node:
            raise InvalidIndexFeed(
                node, f"证照 {entry.identifier} 已由节点 {row.node_code} 报送，不能由本节点报送"
            )
        if row is None:
            row = held[entry.identifier] = IndexEntry(identifier=entry.identifier, node_code=node)
            session.add(row)
            created += 1
        else:
            updated += 1
        for name in Entry.__slots__:
            setattr(row, name, getattr(entry, name))
        row.harvested_at = now
    return created, updated
