"""The feed of a node's issued certificates, from which the province builds its index.

Each certificate row carries ``index_seq``, its number in this feed. Every write of a row (a
new certificate, a status change, a supersession) leaves it None; the next read of the feed
first numbers the unnumbered rows (:func:`number_changes`), in one short transaction that
holds the feed row, and commits before it reads a page. So:

* a write never waits for the feed (issuance stays as fast as it was);
* numbers are handed out only to committed rows and only by one numbering at a time, each
  above every number before it, so a cursor already handed to the province is never passed
  by a later number below it (no change skipped), however slow a writer was;
* a certificate changed twice between two harvests appears once, at its newest number, as
  it now stands (its status included: a revocation reaches the province at the next harvest).

An entry is what the index needs to answer "which certificates exist, of which holder, are
they valid": identifier, type, issuing organ and node, dates, status and the holder
commitment (``index.commitment``). Never the face data, never the holder's ID number.

Who may read it: a harvesting node whose request is signed with its key (``nodes.feeds``,
``typ`` :data:`INDEX_FEED_TYP`), or an operator with a bureau_admin token.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from certfree.certs.index.commitment import holder_commitment
from certfree.certs.index.models import IndexFeed
from certfree.certs.models import Certificate
from certfree.certs.trust import node_trust_list
from certfree.crypto import KeyStore
from certfree.nodes import Node
from certfree.storage import Database

__all__ = ["INDEX_FEED_TYP", "MAX_PAGE", "IndexPage", "index_page", "number_changes"]

INDEX_FEED_TYP = "certfree-cert-index+jwt"
MAX_PAGE = 1000
_FEED_ROW = 1
NUMBER_BATCH = 5000  # rows numbered per read: a backfill of a million rows takes 200 reads


@dataclass(frozen=True, slots=True)
class IndexPage:
    """Entries after ``since`` in sequence order; ask from ``next`` for the following ones."""

    node: str
    feed: str
    since: int
    next: int
    more: bool
    entries: list[dict[str, Any]]
    trust_list: str  # the node's own signed trust list: the keys its entries' organs seal with

    def as_json(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "feed": self.feed,
            "since": self.since,
            "next": self.next,
            "more": self.more,
            "entries": self.entries,
            "trust_list": self.trust_list,
        }


def _feed_row(session: Session) -> IndexFeed:
    row = session.get(IndexFeed, _FEED_ROW)
    if row is not None:
        return row
    try:
        with session.begin_nested():  # two first readers at once: one insert wins
            session.add(IndexFeed(id=_FEED_ROW, last_seq=0, feed_id=secrets.token_hex(16)))
    except IntegrityError:
        pass
    found = session.get(IndexFeed, _FEED_ROW)
    assert found is not None
    return found


def number_changes(session: Session, batch: int = NUMBER_BATCH) -> tuple[int, bool]:
    """Number up to ``batch`` unnumbered certificate rows; (the feed's last number, whether
    unnumbered rows remain). Commit right after: the feed row is locked until then."""
    _feed_row(session)
    # Lock the feed row first (an UPDATE: PostgreSQL row lock; SQLite's write lock), so two
    # numberings run one after the other and never give one number twice.
    session.execute(
        update(IndexFeed)
        .where(IndexFeed.id == _FEED_ROW)
        .values(last_seq=IndexFeed.last_seq)
        .execution_options(synchronize_session=False)
    )
    last = int(session.scalar(select(IndexFeed.last_seq).where(IndexFeed.id == _FEED_ROW)) or 0)
    ids = list(
        session.scalars(
            select(Certificate.id)
            .where(Certificate.index_seq.is_(None))
            .order_by(Certificate.id)
            .limit(batch + 1)
        )
    )
    todo = ids[:batch]
    if todo:
        session.connection().execute(
            update(Certificate.__table__)  # type: ignore[arg-type]
            .where(Certificate.__table__.c.id == bindparam("row_id"))
            .where(Certificate.__table__.c.index_seq.is_(None))
            .values(index_seq=bindparam("seq")),
            [{"row_id": row_id, "seq": last + n} for n, row_id in enumerate(todo, start=1)],
        )
        last += len(todo)
        session.execute(
            update(IndexFeed)
            .where(IndexFeed.id == _FEED_ROW)
            .values(last_seq=last)
            .execution_options(synchronize_session=False)
        )
    return last, len(ids) > batch


# The columns an entry is made of: not the face data nor the credential, never read here.
_COLUMNS = (
    Certificate.index_seq, Certificate.identifier, Certificate.type_code, Certificate.type_name,
    Certificate.issuer_uscc, Certificate.version, Certificate.status,
    Certificate.revocation_reason, Certificate.status_changed_at, Certificate.issued_at,
    Certificate.valid_from, Certificate.valid_to, Certificate.superseded_by,
    Certificate.holder_id,
)  # fmt: skip


def entry_json(row: Any, key: bytes, issuer_node: str | None) -> dict[str, Any]:
    """The index entry of one certificate row, read as :data:`_COLUMNS` (no face data, no
    holder ID number)."""
    return {
        "seq": row.index_seq,
        "identifier": row.identifier,
        "type_code": row.type_code,
        "type_name": row.type_name,
        "issuer_uscc": row.issuer_uscc,
        "issuer_node": issuer_node,
        "version": row.version,
        "status": row.status.value,
        "revocation_reason": row.revocation_reason.value if row.revocation_reason else None,
        "status_changed_at": row.status_changed_at.isoformat() if row.status_changed_at else None,
        "issued_at": row.issued_at.isoformat(),
        "valid_from": row.valid_from.isoformat(),
        "valid_to": row.valid_to.isoformat() if row.valid_to else None,
        "superseded_by": row.superseded_by,
        "holder_commitment": holder_commitment(key, row.holder_id),
    }


def index_page(
    db: Database, store: KeyStore, node_code: str, key: bytes, *, since: int, limit: int = 500,
    now: int | None = None,
) -> IndexPage:  # fmt: skip
    """This node's index entries after cursor ``since``, at most ``limit`` (≤ MAX_PAGE), with
    its trust list sealed by its node key (``store``); ``key``: the index key.

    Numbers the unnumbered rows first and commits that, then reads the page.
    """
    limit = max(1, min(limit, MAX_PAGE))
    with db.session() as session:
        mark, unnumbered = number_changes(session)
        feed = _feed_row(session).feed_id
    with db.session() as session:
        rows = list(
            session.execute(
                select(*_COLUMNS)
                .where(Certificate.index_seq > since, Certificate.index_seq <= mark)
                .order_by(Certificate.index_seq)
                .limit(limit + 1)
            )
        )
        usccs = {row.issuer_uscc for row in rows}
        organs = dict(
            session.execute(select(Node.uscc, Node.code).where(Node.uscc.in_(usccs))).all()
        )
        page = rows[:limit]
        full = len(rows) > limit
        entries = [entry_json(r, key, organs.get(r.issuer_uscc)) for r in page]
        trust = node_trust_list(
            session, store, publisher=node_code, now=int(time.time()) if now is None else now
        )
    last = int(page[-1].index_seq or 0) if page else since
    return IndexPage(
        node=node_code,
        feed=feed,
        since=since,
        # Past the page, or (nothing left below the mark) up to the mark itself.
        next=last if full else max(since, mark),
        more=full or (unnumbered and mark > since),
        entries=entries,
        trust_list=trust,
    )
