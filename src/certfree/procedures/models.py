"""Tables of the service-item catalogue: items, their requirements and the evidence for each.

A requirement is met by any one of its alternatives, and an alternative by all of its evidence
(OR of ANDs, as the OOTS evidence-type lists do). Evidence rows carry the alternative number,
so ``(requirement_id, alternative, position)`` orders them and ``(kind, ref)`` finds every item
that uses a proof item — what dynamic adjustment needs when a law is repealed.

``node_code`` is a soft reference to the node registry (no foreign key): items are imported for
organs that have no node here, such as the county lists other provinces publish.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certfree.nodes import DepartmentKind
from certfree.procedures.vocab import EvidenceKind, PartyRole, ServiceItemStatus, ServiceLevel
from certfree.storage import Base, UTCDateTime, enum_by_value, utcnow

__all__ = ["ServiceEvidence", "ServiceItem", "ServiceRequirement"]


class ServiceItem(Base):
    """One 政务服务事项 as an implementing organ publishes it."""

    __tablename__ = "service_items"
    __table_args__ = (Index("ix_service_items_node_code", "node_code"),)

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # The implementing organ (实施机构) as published, e.g. 济南市民政局 or 区行政审批局.
    department_name: Mapped[str] = mapped_column(String(100))
    department_kind: Mapped[DepartmentKind | None] = mapped_column(enum_by_value(DepartmentKind))
    node_code: Mapped[str | None] = mapped_column(String(16))
    # GB 32100 code of the implementing organ; NULL when the source gave none or a bad one.
    implementing_org_uscc: Mapped[str | None] = mapped_column(String(18))
    # 6- or 12-digit division of the implementing place.
    division_code: Mapped[str | None] = mapped_column(String(12))
    level: Mapped[ServiceLevel] = mapped_column(enum_by_value(ServiceLevel))
    item_type: Mapped[str | None] = mapped_column(String(8))
    group_name: Mapped[str | None] = mapped_column(String(200))
    source_url: Mapped[str | None] = mapped_column(String(512))
    status: Mapped[ServiceItemStatus] = mapped_column(
        enum_by_value(ServiceItemStatus), default=ServiceItemStatus.ACTIVE
    )
    # Why the item needs review and which proof items caused it (dynamic adjustment).
    review_reason: Mapped[str | None] = mapped_column(Text)
    review_proof_codes: Mapped[list[str] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))
    # 承诺办结时限 in working days, as the item's guide (办事指南) publishes it.
    promised_days: Mapped[int | None] = mapped_column(Integer)
    # GB/T 36904 type code of the e-certificate an approval issues (结婚证, 营业执照 …).
    result_cert_type: Mapped[str | None] = mapped_column(String(21))

    requirements: Mapped[list[ServiceRequirement]] = relationship(
        back_populates="service_item",
        cascade="all, delete-orphan",
        order_by="ServiceRequirement.position",
    )

    def __repr__(self) -> str:
        return f"ServiceItem({self.code!r}, {self.name!r})"


class ServiceRequirement(Base):
    """A fact a party must establish (申请条件), e.g. 申请人婚姻状况 or 被投靠人住房."""

    __tablename__ = "service_requirements"
    __table_args__ = (UniqueConstraint("service_code", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_code: Mapped[str] = mapped_column(
        ForeignKey("service_items.code", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(200))
    # Whose fact it is (a PartyRole value): questions are asked about that party.
    party: Mapped[str] = mapped_column(
        String(16), default=PartyRole.APPLICANT.value, server_default=PartyRole.APPLICANT.value
    )

    service_item: Mapped[ServiceItem] = relationship(back_populates="requirements")
    evidences: Mapped[list[ServiceEvidence]] = relationship(
        back_populates="requirement",
        cascade="all, delete-orphan",
        order_by="(ServiceEvidence.alternative, ServiceEvidence.position)",
    )


class ServiceEvidence(Base):
    """One piece of evidence within one alternative of a requirement."""

    __tablename__ = "service_evidences"
    __table_args__ = (
        UniqueConstraint("requirement_id", "alternative", "position"),
        Index("ix_service_evidences_kind_ref", "kind", "ref"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    requirement_id: Mapped[int] = mapped_column(
        ForeignKey("service_requirements.id", ondelete="CASCADE"), index=True
    )
    alternative: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[EvidenceKind] = mapped_column(enum_by_value(EvidenceKind))
    # Proof-item code, 21-character certificate type code, or question name.
    ref: Mapped[str] = mapped_column(String(64))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The answer that establishes the requirement: answer field → allowed values.
    expect: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")

    requirement: Mapped[ServiceRequirement] = relationship(back_populates="evidences")
