"""Tables of the provincial certificate index (统一归集).

On every node that issues:

* ``cert_index_feed`` — one row: the feed's identity and the last sequence number handed to a
  certificate row (``certificates.index_seq``, see ``index.feed`` for how numbers are given).

At the province:

* ``cert_index_entries`` — one row per certificate version issued anywhere in the cascade:
  identifier, type, issuing organ and node, dates, status and the holder commitment (never
  the face data, never the holder's ID number; ``index.commitment``).
* ``cert_index_harvest_state`` — per node: the cursor up to which its entries are held, the
  identity of its feed, and how the last harvest went.
* ``cert_index_node_trust`` — per node: its last signed trust list, checked with its
  registered key, from which the province's one trust list is built.
* ``cert_index_trust_serial`` — one row: the serial of the province's trust list and the
  digest of the content it was given for (a new serial when the content changes).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from certfree.certs.vocab import CertStatus
from certfree.storage import Base, UTCDateTime, enum_by_value

__all__ = ["IndexEntry", "IndexFeed", "IndexHarvestState", "NodeTrust", "TrustSerial"]


class IndexFeed(Base):
    __tablename__ = "cert_index_feed"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    feed_id: Mapped[str] = mapped_column(String(32))


class IndexEntry(Base):
    __tablename__ = "cert_index_entries"
    __table_args__ = (
        Index("ix_cert_index_entries_holder", "holder_commitment"),
        Index("ix_cert_index_entries_node", "node_code", "seq"),
        Index("ix_cert_index_entries_issuer", "issuer_uscc"),
    )

    identifier: Mapped[str] = mapped_column(String(128), primary_key=True)
    node_code: Mapped[str] = mapped_column(String(16))
    seq: Mapped[int] = mapped_column(Integer)
    type_code: Mapped[str] = mapped_column(String(21))
    type_name: Mapped[str] = mapped_column(String(64))
    issuer_uscc: Mapped[str] = mapped_column(String(18))
    issuer_node: Mapped[str | None] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[CertStatus] = mapped_column(enum_by_value(CertStatus))
    revocation_reason: Mapped[str | None] = mapped_column(String(32))
    status_changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    superseded_by: Mapped[str | None] = mapped_column(String(128))
    holder_commitment: Mapped[str] = mapped_column(String(64))
    harvested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class IndexHarvestState(Base):
    __tablename__ = "cert_index_harvest_state"

    node_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    feed_id: Mapped[str | None] = mapped_column(String(32))
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_ok_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_status: Mapped[str | None] = mapped_column(String(16))
    last_error: Mapped[str | None] = mapped_column(Text)


class NodeTrust(Base):
    __tablename__ = "cert_index_node_trust"

    node_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    token: Mapped[str] = mapped_column(Text)
    issuers: Mapped[dict[str, Any]] = mapped_column(JSON)
    issued_at: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[int | None] = mapped_column(Integer)
    fetched_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class TrustSerial(Base):
    __tablename__ = "cert_index_trust_serial"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    serial: Mapped[int] = mapped_column(Integer, default=0)
    digest: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
