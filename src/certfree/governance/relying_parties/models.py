"""The register of relying parties (依赖方/核验方): organisations outside government that ask a
holder to show a certificate — hotels, hospitals, transport, utilities, scenic spots, the
police — each with the key it signs its requests with and the scenarios (使用场景) it is
registered for, each scenario naming the only claims it may ask (《个人信息保护法》第六条:
limited to the minimum scope necessary for the purpose).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certfree.storage import Base, UTCDateTime, enum_by_value, utcnow

__all__ = [
    "KIND_LABELS",
    "RelyingParty",
    "RelyingPartyKind",
    "RelyingPartyStatus",
    "Scenario",
]


class RelyingPartyKind(enum.StrEnum):
    """What kind of place the relying party is (the places the register is for)."""

    HOTEL = "hotel"
    HOSPITAL = "hospital"
    TRANSPORT = "transport"
    UTILITY = "utility"
    SCENIC_SPOT = "scenic_spot"
    LAW_ENFORCEMENT = "law_enforcement"
    OTHER = "other"  # registered without a kind that fits (the CLI's default when none is said)


# (zh, en) label of each kind, for lists and pages.
KIND_LABELS: dict[RelyingPartyKind, tuple[str, str]] = {
    RelyingPartyKind.HOTEL: ("旅馆", "Hotel"),
    RelyingPartyKind.HOSPITAL: ("医院", "Hospital"),
    RelyingPartyKind.TRANSPORT: ("交通运输", "Transport"),
    RelyingPartyKind.UTILITY: ("公用事业", "Utility"),
    RelyingPartyKind.SCENIC_SPOT: ("景区", "Scenic spot"),
    RelyingPartyKind.LAW_ENFORCEMENT: ("执法机关", "Law enforcement"),
    RelyingPartyKind.OTHER: ("其他", "Other"),
}


class RelyingPartyStatus(enum.StrEnum):
    """``active`` may ask; a ``suspended`` party's requests are refused by wallets and its
    presentations by the verification API, from the next register they read."""

    ACTIVE = "active"
    SUSPENDED = "suspended"


class RelyingParty(Base):
    __tablename__ = "relying_parties"

    # GB 32100 unified social credit code of the organisation.
    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[RelyingPartyKind] = mapped_column(enum_by_value(RelyingPartyKind))
    # The public key (RFC 7517 JWK, ES256) its requests are signed with.
    jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[RelyingPartyStatus] = mapped_column(
        enum_by_value(RelyingPartyStatus), default=RelyingPartyStatus.ACTIVE
    )
    registered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Every change to the party or its scenarios: orders the versions of the signed register.
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    scenarios: Mapped[list[Scenario]] = relationship(
        back_populates="party", cascade="all, delete-orphan", order_by="Scenario.name"
    )


class Scenario(Base):
    """One use a relying party is registered for, and the claims that use may ask."""

    __tablename__ = "relying_party_scenarios"
    __table_args__ = (UniqueConstraint("party_uscc", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    party_uscc: Mapped[str] = mapped_column(
        String(18), ForeignKey("relying_parties.uscc", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(64))  # e.g. hotel_check_in
    title: Mapped[str] = mapped_column(String(128))
    title_en: Mapped[str] = mapped_column(String(128))
    # The certificate types (vct) accepted, and the claims asked of them.
    vcts: Mapped[list[str]] = mapped_column(JSON)
    claims: Mapped[list[str]] = mapped_column(JSON)
    # The legal basis and purpose (PIPL §17: the purpose and the kinds of data, told upfront).
    purpose: Mapped[str] = mapped_column(Text)
    party: Mapped[RelyingParty] = relationship(back_populates="scenarios")
