"""Tables of the e-certificate base library (一库).

* ``cert_issuers`` — one row per issuing organ that has issued: its serial counter and the
  status list it currently allocates from (row-locked while issuing, so two workers never
  hand out the same serial or index).
* ``cert_status_lists`` — one row per (issuer, list number): size, entry width, next free
  index, the URI written into credentials, and the last signed token with its ETag.
* ``cert_status_list_keys`` — one row per (issuer, list number): a random 128-bit key, never
  published, that keys the permutation mapping the list's n-th allocation to its index (see
  :func:`certfree.certs.statuslists.scatter`). Handing out indices in order would let anyone
  who sees two credentials tell which was issued first, and roughly when
  (draft-ietf-oauth-status-list, Privacy Considerations: a Referenced Token's index should not
  reveal more than its status). A table apart from ``cert_status_lists`` because that row is
  served (URI, token) while this one never leaves the node.
* ``certificates`` — one row per issued certificate version.

The full compact credential is kept (not only its hash): the base library is the issuer's
record of what it sealed, a holder who loses a phone gets the same credential back, and a
replacement carries the old face data forward. ``credential_sha256`` finds a presented
credential without reading the text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from certfree.certs.vocab import CertStatus, RevocationReason
from certfree.storage import Base, UTCDateTime, enum_by_value, utcnow

__all__ = ["CertIssuer", "Certificate", "StatusListKey", "StatusListRecord"]


class CertIssuer(Base):
    __tablename__ = "cert_issuers"

    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    last_serial: Mapped[int] = mapped_column(Integer, default=0)
    current_list_no: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StatusListRecord(Base):
    __tablename__ = "cert_status_lists"

    issuer_uscc: Mapped[str] = mapped_column(
        String(18), ForeignKey("cert_issuers.uscc", ondelete="RESTRICT"), primary_key=True
    )
    list_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    bits: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    next_index: Mapped[int] = mapped_column(Integer, default=0)
    uri: Mapped[str] = mapped_column(String(255))
    # Bumped by every status change; a token signed at an older revision is stale.
    revision: Mapped[int] = mapped_column(Integer, default=0)
    token: Mapped[str | None] = mapped_column(Text)
    token_revision: Mapped[int | None] = mapped_column(Integer)
    token_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    token_etag: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StatusListKey(Base):
    __tablename__ = "cert_status_list_keys"

    issuer_uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    list_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    permutation_key: Mapped[str] = mapped_column(String(32))  # 16 random bytes, hex
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Certificate(Base):
    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("issuer_uscc", "serial", "version"),
        UniqueConstraint("issuer_uscc", "status_list_no", "status_index"),
        Index("ix_certificates_holder_id", "holder_id"),
        Index("ix_certificates_type_code", "type_code"),
        Index("ix_certificates_index_seq", "index_seq"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # GB/T 36904 identifier: 1.2.156.3005.2.<type>.<issuer>.<serial>.<version>.<check>
    identifier: Mapped[str] = mapped_column(String(128), unique=True)
    type_code: Mapped[str] = mapped_column(String(21))
    type_name: Mapped[str] = mapped_column(String(64))
    holder_id: Mapped[str] = mapped_column(String(18))
    issuer_uscc: Mapped[str] = mapped_column(
        String(18), ForeignKey("cert_issuers.uscc", ondelete="RESTRICT")
    )
    serial: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[CertStatus] = mapped_column(enum_by_value(CertStatus))
    revocation_reason: Mapped[RevocationReason | None] = mapped_column(
        enum_by_value(RevocationReason, length=32)
    )
    status_changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)  # None: 长期 (no end)
    status_list_no: Mapped[int] = mapped_column(Integer)
    status_index: Mapped[int] = mapped_column(Integer)
    face_data: Mapped[dict[str, Any]] = mapped_column(JSON)
    holder_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    credential: Mapped[str] = mapped_column(Text)
    credential_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    superseded_by: Mapped[str | None] = mapped_column(String(128))
    # Its number in the feed of the provincial index (certs.index.feed): None after every
    # write, given by the next read of the feed, so a write never waits on the feed.
    index_seq: Mapped[int | None] = mapped_column(Integer)
