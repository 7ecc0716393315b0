"""The change feed of a node's own catalog, from which the province harvests incrementally.

Every local write of a resource (create, update, import) stamps it with the next sequence
number (``change_seq``); every deletion leaves a :class:`Tombstone` under its own number. A
harvester asks for the changes after its cursor and gets, in sequence order, each changed
resource as it is now (full JSON) or a tombstone, and the cursor to ask from next time.
A resource edited twice between two harvests appears once, at its newest number.

Why no change is ever skipped. Numbers are taken by updating the single :class:`ChangeFeed`
row (``catalog.feed.take_sequence``); that row stays locked until the writer commits, so
a writer taking a number waits for every earlier taker to commit (PostgreSQL row lock;
SQLite allows one writer at a time anyway). Numbers therefore become visible in the order
they were taken, and the committed ``last_seq`` is a high-water mark below which every
number is visible. A page reads that mark first and returns nothing above it, so a slow
writer can never commit a number below a cursor already handed out. (A database sequence
would not do: ``nextval`` is not transactional, and a later number could commit before an
earlier one.)

A node publishes only its own resources, never ones it harvested: the province harvests
every node directly, so no resource reaches it by two paths, where an older copy arriving
late could overwrite a newer one.

Who may read the feed. Catalog metadata is not personal data (编制指南: the catalog is what
departments publish to each other for sharing), but a node still should not serve its whole
catalog to anyone on the network. A harvesting node signs each request with its node key
(:func:`sign_harvest_request`: a compact JWS naming the harvester, this node as audience,
the cursor and page size, a time and a nonce); this node checks it against the keys in the
signed node registry (:func:`verify_harvest_request`). No token has to be minted for another
node, and a revoked node is refused as soon as the registry says so. A request captured and
replayed within the clock skew only reads the same page again (the cursor and page size are
signed, a read changes nothing), so no nonce store is kept. An operator of the node may also
read the feed with a bureau_admin token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree.catalog.feed import FEED_ROW, feed_row
from certfree.catalog.models import ChangeFeed, Resource, Tombstone
from certfree.catalog.resources import resource_json
from certfree.crypto import Signer
from certfree.nodes.feeds import (
    Peers,
    feed_requester,
    is_feed_request,
    sign_feed_request,
    verify_feed_request,
)

__all__ = [
    "HARVEST_TYP",
    "MAX_PAGE",
    "ChangePage",
    "changes_since",
    "harvester_of",
    "is_harvest_request",
    "sign_harvest_request",
    "verify_harvest_request",
]

HARVEST_TYP = "certfree-harvest+jwt"
MAX_PAGE = 1000


@dataclass(frozen=True, slots=True)
class ChangePage:
    """Changes after ``since`` in sequence order; ask from ``next`` for the following ones."""

    node: str
    feed: str
    since: int
    next: int
    more: bool
    changes: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "feed": self.feed,
            "since": self.since,
            "next": self.next,
            "more": self.more,
            "changes": self.changes,
        }


def changes_since(session: Session, node_code: str, since: int, limit: int = 500) -> ChangePage:
    """This node's own resource changes after cursor ``since``, at most ``limit`` of them.

    Each change is ``{"seq", "op": "upsert", "code", "origin", "resource": {...}}`` or
    ``{"seq", "op": "delete", "code", "origin", "deleted_at"}``.
    """
    limit = max(1, min(limit, MAX_PAGE))
    feed = feed_row(session)
    # The high-water mark, read before the changes (module docstring: why nothing is lost).
    mark = int(session.scalar(select(ChangeFeed.last_seq).where(ChangeFeed.id == FEED_ROW)) or 0)
    resources = list(
        session.scalars(
            select(Resource)
            .where(Resource.origin_node == "", Resource.change_seq > since)
            .where(Resource.change_seq <= mark)
            .order_by(Resource.change_seq)
            .limit(limit + 1)
        )
    )
    tombstones = list(
        session.scalars(
            select(Tombstone)
            .where(Tombstone.seq > since, Tombstone.seq <= mark)
            .order_by(Tombstone.seq)
            .limit(limit + 1)
        )
    )
    merged: list[tuple[int, dict[str, Any]]] = [
        (int(r.change_seq or 0), {"op": "upsert", "code": r.code, "resource": resource_json(r)})
        for r in resources
    ]
    merged += [
        (t.seq, {"op": "delete", "code": t.code, "deleted_at": t.deleted_at.isoformat()})
        for t in tombstones
    ]
    merged.sort(key=lambda pair: pair[0])
    page = merged[:limit]
    changes = [{"seq": seq, "origin": node_code, **entry} for seq, entry in page]
    return ChangePage(
        node=node_code,
        feed=feed.feed_id,
        since=since,
        # Past the page, or (nothing left below the mark) up to the mark itself.
        next=page[-1][0] if len(merged) > limit else max(since, mark),
        more=len(merged) > limit,
        changes=changes,
    )


# -- who may harvest: the signed request every feed shares (nodes.feeds) ----------------------


def sign_harvest_request(
    signer: Signer, *, harvester: str, node: str, since: int, limit: int, now: float | None = None
) -> str:
    """The bearer credential of one harvest request from ``harvester`` to ``node``."""
    return sign_feed_request(
        signer, typ=HARVEST_TYP, harvester=harvester, node=node, since=since, limit=limit, now=now
    )


def is_harvest_request(token: str) -> bool:
    """Whether a bearer credential is a signed harvest request (else: an access token)."""
    return is_feed_request(token, HARVEST_TYP)


def harvester_of(token: str) -> str:
    """The ``iss`` a harvest request claims, before any check (to look its keys up)."""
    return feed_requester(token)


def verify_harvest_request(
    token: str,
    peers: Peers,
    *,
    node: str,
    since: int,
    limit: int,
    now: float | None = None,
    skew: int = 120,
) -> str:
    """Check a signed harvest request for this ``node``; the harvesting node's code.

    Raises AuthError naming the fault: unknown or inactive harvester, unknown key, bad
    signature, a request for another feed, another audience, a cursor or page size other than
    the ones asked, or an ``iat`` more than ``skew`` seconds from now.
    """
    return verify_feed_request(
        token, peers, typ=HARVEST_TYP, node=node, since=since, limit=limit, now=now, skew=skew
    )
