"""The reply store: replay guard and idempotency by message id (see ``exchange.models``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlalchemy.orm import Session

from certfree.exchange.errors import MessageRefused, RefusalReason
from certfree.exchange.models import ExchangeReply
from certfree.exchange.protocol import Message
from certfree.storage import utcnow

__all__ = ["purge_expired", "reply_for", "store_reply"]


def reply_for(session: Session, message: Message) -> str | None:
    """The reply already given to ``message`` (a retry), None if it is new.

    Raises MessageRefused(replayed) when the id was used by a different message.
    """
    row = session.get(ExchangeReply, message.id)
    if row is None:
        return None
    if row.request_sha256 != message.content_digest or row.sender != message.sender:
        raise MessageRefused(
            RefusalReason.REPLAYED,
            f"message id {message.id} was already used by another message of {row.sender}",
        )
    return row.reply


def store_reply(session: Session, message: Message, reply: str, *, keep_seconds: int) -> None:
    """Add the reply to ``message``; IntegrityError at flush if the id is already stored."""
    now = utcnow()
    session.add(
        ExchangeReply(
            message_id=message.id,
            sender=message.sender,
            type=message.type,
            request_sha256=message.content_digest,
            reply=reply,
            received_at=now,
            expires_at=now + dt.timedelta(seconds=keep_seconds),
        )
    )
    session.flush()


def purge_expired(session: Session, now: dt.datetime | None = None) -> int:
    """Delete replies whose request would now be refused as stale anyway."""
    result = session.execute(
        delete(ExchangeReply).where(ExchangeReply.expires_at < (now or utcnow()))
    )
    return int(getattr(result, "rowcount", 0) or 0)
