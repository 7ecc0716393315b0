"""Sequence numbers of the change feed, taken by every write of a local resource.

The read side (pages, cursors, who may read) is ``catalog.changes``; its docstring says why
numbers are taken by updating one locked row.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from certfree.catalog.models import ChangeFeed, Resource, Tombstone
from certfree.storage import utcnow

__all__ = ["FEED_ROW", "feed_row", "record_deletion", "take_sequence"]

FEED_ROW = 1


def feed_row(session: Session) -> ChangeFeed:
    """The feed's one row, made (with a new feed id) by the first write or read."""
    row = session.get(ChangeFeed, FEED_ROW)
    if row is not None:
        return row
    try:
        with session.begin_nested():  # two first writers at once: one insert wins
            session.add(ChangeFeed(id=FEED_ROW, last_seq=0, feed_id=secrets.token_hex(16)))
    except IntegrityError:
        pass
    found = session.get(ChangeFeed, FEED_ROW)
    assert found is not None
    return found


def take_sequence(session: Session, count: int = 1) -> int:
    """Reserve ``count`` consecutive sequence numbers; the first of them.

    Locks the feed row until the caller's transaction ends (``catalog.changes`` says why).
    """
    feed_row(session)
    session.execute(
        update(ChangeFeed)
        .where(ChangeFeed.id == FEED_ROW)
        .values(last_seq=ChangeFeed.last_seq + count)
        .execution_options(synchronize_session=False)
    )
    last = session.scalar(select(ChangeFeed.last_seq).where(ChangeFeed.id == FEED_ROW))
    assert last is not None
    return int(last) - count + 1


def record_deletion(session: Session, row: Resource) -> None:
    """Leave a tombstone for a local resource about to be deleted (same transaction)."""
    if row.origin_node:
        return  # harvested resources are not published again
    session.add(Tombstone(seq=take_sequence(session), code=row.code, deleted_at=utcnow()))
