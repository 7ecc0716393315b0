"""Tables of the exchange: the answers a provider gave, by message id (replay guard).

A row is written in the same transaction as the handler's work, after the reply is signed;
its primary key makes a second, different message with the same id fail (``replayed``) and
lets a retry of the same message get the same signed reply (idempotency by message id).
Rows expire once a message that old would be refused as stale anyway.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from certfree.storage import Base, UTCDateTime, utcnow

__all__ = ["Base", "ExchangeReply"]


class ExchangeReply(Base):
    """The signed reply this node gave to one message addressed to it."""

    __tablename__ = "exchange_replies"
    __table_args__ = (Index("ix_exchange_replies_expires_at", "expires_at"),)

    message_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sender: Mapped[str] = mapped_column(String(16))
    type: Mapped[str] = mapped_column(String(32))
    # SHA-256 of what the request asks (Message.content_digest): the same id asking something
    # else is a replay; asking the same again (even re-sealed) is a retry.
    request_sha256: Mapped[str] = mapped_column(String(64))
    reply: Mapped[str] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
