"""Tables of the proof-item list (证明事项清单).

* ``proof_items`` — the working list: one row per item, its status and the ways it is met;
* ``legal_documents`` and ``proof_legal_bases`` — the laws and rules an item rests on, with the
  article, so that repealing one document re-checks every item that cites it;
* ``proof_changes`` — the change log: who changed what, when and why (``published_in`` says
  which published version first carried the change);
* ``proof_list_versions`` — each published version with a full snapshot of its items, so an old
  version reads exactly as it was published, whatever happened to the documents since.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certfree.nodes import DepartmentKind
from certfree.proofs.vocab import BasisLevel, ChangeKind, ExcludedArea, ProofItemStatus
from certfree.storage import Base, UTCDateTime, enum_by_value, utcnow

__all__ = ["LegalBasis", "LegalDocument", "ListVersion", "ProofChange", "ProofItem"]


class LegalDocument(Base):
    """A law, regulation, decision, rule or normative document, identified by its title."""

    __tablename__ = "legal_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200), unique=True)  # without 《》
    number: Mapped[str | None] = mapped_column(String(100))  # 文号, e.g. 国务院令第387号
    level: Mapped[BasisLevel] = mapped_column(enum_by_value(BasisLevel, 32))
    repealed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    repeal_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ProofItem(Base):
    """One proof item of the working list."""

    __tablename__ = "proof_items"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    fact: Mapped[str] = mapped_column(Text)  # 证明内容: the fact the proof establishes
    issuing_department: Mapped[str] = mapped_column(String(200))  # 原开具部门
    department_kind: Mapped[DepartmentKind | None] = mapped_column(enum_by_value(DepartmentKind))
    # Ways in WAY_PREFERENCE order, stored as a list of Way values.
    ways: Mapped[list[str]] = mapped_column(JSON)
    excluded_area: Mapped[ExcludedArea | None] = mapped_column(enum_by_value(ExcludedArea, 40))
    status: Mapped[ProofItemStatus] = mapped_column(
        enum_by_value(ProofItemStatus), default=ProofItemStatus.ACTIVE
    )
    abolition_reason: Mapped[str | None] = mapped_column(Text)
    flagged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)  # 备注
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    bases: Mapped[list[LegalBasis]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="LegalBasis.id"
    )


class LegalBasis(Base):
    """One article of one legal document that an item rests on (设定依据)."""

    __tablename__ = "proof_legal_bases"
    __table_args__ = (
        UniqueConstraint("item_code", "document_id", "article"),
        Index("ix_proof_legal_bases_document_id", "document_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_code: Mapped[str] = mapped_column(
        String(32), ForeignKey("proof_items.code", ondelete="CASCADE")
    )
    document_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("legal_documents.id", ondelete="RESTRICT")
    )
    article: Mapped[str] = mapped_column(String(100), default="")  # 条款, e.g. 第五条

    item: Mapped[ProofItem] = relationship(back_populates="bases")
    document: Mapped[LegalDocument] = relationship(lazy="joined")


class ListVersion(Base):
    """A published version of the list: number, who, when, why, and the frozen items."""

    __tablename__ = "proof_list_versions"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(Text)
    item_count: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class ProofChange(Base):
    """One entry of the change log."""

    __tablename__ = "proof_changes"
    __table_args__ = (
        Index("ix_proof_changes_item_code", "item_code"),
        Index("ix_proof_changes_published_in", "published_in"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(Text)
    kind: Mapped[ChangeKind] = mapped_column(enum_by_value(ChangeKind, 24))
    item_code: Mapped[str | None] = mapped_column(String(32))  # no FK: the log outlives rows
    document_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    published_in: Mapped[int | None] = mapped_column(Integer)
