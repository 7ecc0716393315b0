"""Tables of the node's tamper-evident audit log (one append-only Merkle tree per node database).

* ``audit_entries`` — one row per leaf, keyed by its index (the sequence number): the
  canonical JSON of the record (the exact bytes the leaf hash covers) and its main fields
  as columns, so that queries need not parse JSON.
* ``audit_subjects`` — data subject (ID number or USCC) → entries, for a citizen's own view,
  with the salt of the subject's commitment in the leaf (the leaf never holds the ID itself).
* ``audit_subtrees`` — the hash of every *complete* subtree (RFC 6962 §2.1 perfect subtree
  ``(level, index)`` over leaves ``[index·2^level, (index+1)·2^level)``) of level ≥ 1; level
  0 is ``audit_entries.leaf_hash``. Roots and proofs need O(log n) rows, never the whole log.
* ``audit_head`` — a single row: the current tree size and root. Appenders lock it first
  (row lock on PostgreSQL, the write lock on SQLite), which serialises them across processes.

Rows are never updated or deleted, except the head row, which only moves forward.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from certfree.storage import Base, UTCDateTime, utcnow

__all__ = ["AuditEntry", "AuditHead", "AuditSubject", "AuditSubtree"]

HEAD_ROW_ID = 1


class AuditEntry(Base):
    __tablename__ = "audit_entries"
    # Few indexes: each one costs every append; entries are found by index, message or
    # subject (audit_subjects), and time ranges follow index order.
    __table_args__ = (Index("ix_audit_entries_message_id", "message_id"),)

    leaf_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    record: Mapped[str] = mapped_column(Text)  # canonical JSON; its UTF-8 bytes are the leaf
    kind: Mapped[str] = mapped_column(String(40))
    message_id: Mapped[str] = mapped_column(String(64))
    consumer: Mapped[str] = mapped_column(String(32))
    provider: Mapped[str] = mapped_column(String(32))
    question: Mapped[str | None] = mapped_column(String(64))
    service_item: Mapped[str | None] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())  # the record's own time
    appended_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditSubject(Base):
    __tablename__ = "audit_subjects"

    subject_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    leaf_index: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("audit_entries.leaf_index"), primary_key=True
    )
    salt: Mapped[bytes] = mapped_column(LargeBinary(16))  # of the leaf's commitment to the id


class AuditSubtree(Base):
    __tablename__ = "audit_subtrees"

    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    node_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class AuditHead(Base):
    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    tree_size: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
