"""The reply store: replay guard and idempotency by message id (see ``exchange.models``)."""

from __future__ import annotations

import datetime as dt
from typing import cast

from sqlalchemy import Connection, Table, bindparam, delete, insert, select
from sqlalchemy.orm import Session

from certfree.exchange.errors import MessageRefused, RefusalReason
from certfree.exchange.protocol.models import ExchangeReply
from certfree.exchange.protocol.signing import Message
from certfree.storage import utcnow

__all__ = ["purge_expired", "reply_for", "store_reply"]

# Built once (compiled once); run on the session's connection, skipping the ORM: every
# answered message costs one lookup and one insert here.
_INSERT = insert(cast(Table, ExchangeReply.__table__))
_LOOKUP = select(ExchangeReply.sender, ExchangeReply.request_sha256, ExchangeReply.reply).where(
    ExchangeReply.message_id == bindparam("message_id")
)


def _connection(session: Session | Connection) -> Connection:
    return session.connection() if isinstance(session, Session) else session


def reply_for(session: Session | Connection, message: Message) -> str | None:
    """The reply already given to ``message`` (a retry), None if it is new.

    Raises MessageRefused(replayed) when the id was used by a different message.
    """
    row = _connection(session).execute(_LOOKUP, {"message_id": message.id}).one_or_none()
    if row is None:
        return None
    sender, digest, reply = row
    if digest != message.content_digest or sender != message.sender:
        raise MessageRefused(
            RefusalReason.REPLAYED,
            f"message id {message.id} was already used by another message of {sender}",
        )
    return str(reply)


def store_reply(
    session: Session | Connection, message: Message, reply: str, *, keep_seconds: int
) -> None:
    """Add the reply to ``message``; IntegrityError at once if the id is already stored."""
    now = utcnow()
    _connection(session).execute(
        _INSERT,
        {
            "message_id": message.id,
            "sender": message.sender,
            "type": message.type,
            "request_sha256": message.content_digest,
            "reply": reply,
            "received_at": now,
            "expires_at": now + dt.timedelta(seconds=keep_seconds),
        },
    )


def purge_expired(session: Session, now: dt.datetime | None = None) -> int:
    """Delete replies whose request would now be refused as stale anyway."""
    result = session.execute(
        delete(ExchangeReply).where(ExchangeReply.expires_at < (now or utcnow()))
    )
    return int(getattr(result, "rowcount", 0) or 0)
