"""Tables of applications (办件): the case, its parties, its evidence slots and its history.

``service_code`` is a soft reference (no foreign key): a service item may be revised or
withdrawn while its applications live on, so the case keeps the item's name and the
requirements as they were when it started (each slot holds its requirement's text).

A slot's ``parts`` holds, per piece of evidence of the chosen alternative, how it was met and
the proof that it was: the signed exchange answer, the verified presentation (digest, issuer,
disclosed claims — never more), the sealed commitment, the department verification, or the
paper proof the clerk saw. The application's ``issued`` lists the result certificates.
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
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certfree.applications.vocab import AppState, Decision, SlotStatus
from certfree.proofs import Way
from certfree.storage import Base, UTCDateTime, enum_by_value, utcnow

__all__ = ["Application", "ApplicationEvent", "ApplicationParty", "EvidenceSlot"]


class Application(Base):
    """One case (办件) of one service item at the node that accepts it."""

    __tablename__ = "applications"
    __table_args__ = (
        Index("ix_applications_node_state", "node_code", "state"),
        Index("ix_applications_applicant", "applicant_id"),
    )

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    service_code: Mapped[str] = mapped_column(String(64), index=True)
    service_name: Mapped[str] = mapped_column(String(200))
    # The accepting node (受理机构) whose clerks act on the case.
    node_code: Mapped[str] = mapped_column(String(16))
    applicant_id: Mapped[str] = mapped_column(String(18))
    state: Mapped[AppState] = mapped_column(enum_by_value(AppState, 24), default=AppState.DRAFT)
    decision: Mapped[Decision | None] = mapped_column(enum_by_value(Decision))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    # Position of the requirement a refusal cites.
    decision_requirement: Mapped[int | None] = mapped_column(Integer)
    # The node's seal (compact JWS) over the decision record, and over the receipt (回执).
    decision_seal: Mapped[str | None] = mapped_column(Text)
    receipt_seal: Mapped[str | None] = mapped_column(Text)
    # 承诺时限 in working days, and the day (Beijing) by which the decision is due.
    promised_days: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    paused_on: Mapped[dt.date | None] = mapped_column(Date)  # 补正 stops the clock
    issued: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The applicant's statements for the result (申请表): a new firm's name, domicile, scope…
    form: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    parties: Mapped[list[ApplicationParty]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ApplicationParty.id"
    )
    slots: Mapped[list[EvidenceSlot]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="EvidenceSlot.position"
    )
    events: Mapped[list[ApplicationEvent]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ApplicationEvent.id"
    )


class ApplicationParty(Base):
    """A person or firm in the application: the applicant, the other party of a marriage, the
    被投靠人, a legal representative, a shareholder. Each consents for themself."""

    __tablename__ = "application_parties"
    __table_args__ = (UniqueConstraint("application_id", "subject_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(18), index=True)
    # The party's consent attestation (compact JWS of the province's identity provider).
    consent: Mapped[str | None] = mapped_column(Text)
    consented_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    consent_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # The party's wallet public key (JWK), to bind result certificates to.
    holder_jwk: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    application: Mapped[Application] = relationship(back_populates="parties")


class EvidenceSlot(Base):
    """One requirement of the service item in this application, and how it was met."""

    __tablename__ = "application_slots"
    __table_args__ = (UniqueConstraint("application_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    requirement: Mapped[str] = mapped_column(String(200))
    party: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str | None] = mapped_column(String(18))
    way: Mapped[Way | None] = mapped_column(enum_by_value(Way, 24))
    alternative: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[SlotStatus] = mapped_column(enum_by_value(SlotStatus, 16))
    # Per piece of evidence: kind, ref, name, way, status, node, proof (see module docstring).
    parts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Why this way (the route resolver's explanation), in Chinese and English.
    explanation_zh: Mapped[str] = mapped_column(Text, default="")
    explanation_en: Mapped[str] = mapped_column(Text, default="")
    # The organ that would have issued the paper proof (one trip saved when met without it).
    paper_organ: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    application: Mapped[Application] = relationship(back_populates="slots")


class ApplicationEvent(Base):
    """One transition or act, with who, when (UTC) and why: the case's history and notices."""

    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str | None] = mapped_column(String(24))
    to_state: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    application: Mapped[Application] = relationship(back_populates="events")
