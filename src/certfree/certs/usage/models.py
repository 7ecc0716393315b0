"""Tables of certificate use: verification records (用证记录) and one-time short codes.

* ``cert_uses`` — one row per presentation per verifier that passed through the platform,
  append-only. It names the claims that were disclosed, never their values (data
  minimisation: the log must not become a second copy of the holder's data).
* ``cert_short_codes`` — a presentation parked under a one-time code for the online mode;
  in the database (not in memory) so that any worker can redeem what another handed out.
* ``cert_rate_hits`` — one row per counted request to the public short-code routes (the
  rate limit of ``usage.limits``); in the database because a node's workers share nothing
  else, and swept once older than the longest window.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from certfree.storage import Base, UTCDateTime, enum_by_value, utcnow

__all__ = ["CertificateUse", "RateHit", "ShortCodeRecord", "UseChannel"]


class UseChannel(enum.StrEnum):
    """How the presentation reached the platform."""

    VERIFICATION = "verification"  # POST /api/v1/verifications (the whole presentation)
    SHORT_CODE = "short_code"  # redeemed one-time short code (online mode)


class CertificateUse(Base):
    __tablename__ = "cert_uses"
    __table_args__ = (
        Index("ix_cert_uses_holder_id", "holder_id"),
        Index("ix_cert_uses_certificate_id", "certificate_id"),
        # One record per presentation per verifier: re-posting one adds nothing to the log.
        Index("uq_cert_uses_verifier_presentation", "verifier", "presentation_sha256", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    used_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # GB/T 36904 identifier when the credential carries one, else "sha256:<hex>" of its JWT.
    certificate_id: Mapped[str] = mapped_column(String(128))
    type_code: Mapped[str | None] = mapped_column(String(64))
    issuer: Mapped[str | None] = mapped_column(String(64))
    # None when neither disclosed nor found in the base library (another province's card).
    holder_id: Mapped[str | None] = mapped_column(String(18))
    verifier: Mapped[str] = mapped_column(String(128))
    verifier_org: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[UseChannel] = mapped_column(enum_by_value(UseChannel))
    audience: Mapped[str] = mapped_column(String(255))
    purpose: Mapped[str | None] = mapped_column(String(255))
    disclosed: Mapped[list[str]] = mapped_column(JSON)  # claim names only, never values
    valid: Mapped[bool] = mapped_column(Boolean)
    reasons: Mapped[list[str]] = mapped_column(JSON)  # failed checks' reason codes
    # SHA-256 (hex) of the presentation as posted; None in records made before it was kept.
    presentation_sha256: Mapped[str | None] = mapped_column(String(64))


class ShortCodeRecord(Base):
    __tablename__ = "cert_short_codes"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    presentation: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    redeemed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    redeemed_by: Mapped[str | None] = mapped_column(String(128))


class RateHit(Base):
    __tablename__ = "cert_rate_hits"
    __table_args__ = (
        Index("ix_cert_rate_hits_key_at", "key", "at"),
        Index("ix_cert_rate_hits_at", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # "<rule>:<subject>", e.g. "redeem-address:203.0.113.7" or "redeem-code:ABCD2345"
    key: Mapped[str] = mapped_column(String(160))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
