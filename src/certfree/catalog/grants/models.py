"""Sharing grants (共享授权): which consumer node may ask which provider node what, and why.

A grant is the provider's side of the catalog's supply-and-demand match: consumer, provider,
what may be asked — a verification ``question`` (the exchange) or a catalog resource
(``resource_code``, requested for a registered demand, see ``sharing``) — for which service
item or scenario (the purpose), which data items the answers may reveal, from when until when,
and the law that exempts the use from the data subject's consent if one does (PIPL 个人信息保护法
§13 (3)-(5) grounds, cited by the grant).

One table serves both: a question grant is made active at once by an administrator; a
resource grant starts as a request and is decided by the resource's share type (编制指南 §5.2:
无条件共享 granted at once, 有条件共享 decided by the provider, 不予共享 refused with the legal
basis). The decision columns stay empty for question grants.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from certfree.storage import Base, UTCDateTime, enum_by_value, utcnow

__all__ = ["WHOLE_RESOURCE", "Grant", "GrantDecision", "GrantStatus"]

# The data-item scope of a resource grant that covers every item of the resource (requested
# without naming items, or for a resource whose catalog entry lists none).
WHOLE_RESOURCE = "*"


class GrantStatus(enum.StrEnum):
    """Lifecycle: pending → active | refused; active → revoked | expired."""

    PENDING = "pending"  # requested, awaiting the provider (有条件共享)
    ACTIVE = "active"  # granted
    REFUSED = "refused"  # refused, with the reason in decision_note
    REVOKED = "revoked"
    EXPIRED = "expired"  # its period ended (set by grants.sharing.expire_grants)

    @property
    def zh(self) -> str:
        return _STATUS_ZH[self.value]

    @property
    def en(self) -> str:
        return _STATUS_EN[self.value]


_STATUS_ZH = {
    "pending": "待审批",
    "active": "有效",
    "refused": "已拒绝",
    "revoked": "已撤销",
    "expired": "已到期",
}
_STATUS_EN = {
    "pending": "pending",
    "active": "granted",
    "refused": "refused",
    "revoked": "revoked",
    "expired": "expired",
}


class Grant(Base):
    __tablename__ = "grants"
    __table_args__ = (
        Index("ix_grants_pair", "consumer_code", "provider_code", "question"),
        Index("ix_grants_resource", "resource_code", "demand_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Node codes of the 1+16+N cascade (370100, 370100-MZ …), or for resource grants the
    # provider code of the resource and the department code of the demand (up to 40 long).
    consumer_code: Mapped[str] = mapped_column(String(40))
    provider_code: Mapped[str] = mapped_column(String(40))
    # Verification question name; None for resource grants.
    question: Mapped[str | None] = mapped_column(String(64))
    # Catalog resource (编制指南 §6.2 code, 307/000001) and the demand it serves; None for
    # question grants.
    resource_code: Mapped[str | None] = mapped_column(String(48))
    demand_id: Mapped[int | None] = mapped_column(Integer)
    # Service item code (question grants) or the demand's scenario (resource grants).
    service_item: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(255))
    data_items: Mapped[list[str]] = mapped_column(JSON)
    valid_from: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    valid_to: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Legal citation that exempts this use from consent, e.g. a PIPL §13 ground; None: consent.
    consent_exempt_basis: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[GrantStatus] = mapped_column(enum_by_value(GrantStatus))
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # What was asked for (data_items, purpose, valid_from, valid_to), kept when the provider
    # narrows it, so both sides see what was cut; None for question grants.
    requested: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The decision on a request: the refusal's reasons, the legal basis of 不予共享, or the
    # provider's note on an approval.
    decision_note: Mapped[str | None] = mapped_column(String(1000))
    decided_by: Mapped[str | None] = mapped_column(String(128))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(128))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoke_reason: Mapped[str | None] = mapped_column(String(255))
    # Graded sharing (``grants.grading``): the highest grade (1–6, GB/T 43697-2024) of the
    # fields the grant covers, None when none is labelled; the legal basis the requester
    # cites (个人信息保护法 第13条, a ``LegalBasis`` value) and its citation; the approvals
    # recorded so far ({"level", "actor", "organisation", "at", "document"}).
    grade: Mapped[int | None] = mapped_column(Integer)
    legal_basis: Mapped[str | None] = mapped_column(String(32))
    legal_basis_text: Mapped[str | None] = mapped_column(String(255))
    approvals: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)


class GrantDecision(Base):
    """One line of the log of sharing requests and decisions: who did what to which grant,
    when, over which fields of which grade, on which legal basis (数据安全法 第27条: 数据处理
    活动的全流程数据安全管理; 个人信息保护法 第55条、第56条). Rows are only ever added."""

    __tablename__ = "grant_decisions"
    __table_args__ = (
        Index("ix_grant_decisions_grant", "grant_id"),
        Index("ix_grant_decisions_at", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"))
    # requested, approved, granted, refused, override (``grading.DecisionAction``)
    action: Mapped[str] = mapped_column(String(16))
    # department, bureau, or system (a decision the share type or the grade rule made)
    level: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(128))
    organisation: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    data_items: Mapped[list[str]] = mapped_column(JSON)
    grade: Mapped[int | None] = mapped_column(Integer)
    legal_basis: Mapped[str | None] = mapped_column(String(32))
    legal_basis_text: Mapped[str | None] = mapped_column(String(255))
    # The refusal's reasons, an approval's note, or an override's authorisation document.
    note: Mapped[str | None] = mapped_column(String(1000))
