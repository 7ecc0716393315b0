"""Consent of data subjects (个人信息处理的同意, PIPL §14): who agreed that which consumer may ask
which questions about them, for which service item, until when; revocable (PIPL §15).

The province records the consent it attests (the row's ``id`` is the attestation's ``jti``);
the attestation, not the row, travels in the signed ``question.ask`` message, so the provider
checks it without reading anyone's database. A node may also record a consent given at its desk
for its own list; a provider answers only under an attestation.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from certfree.storage import Base, UTCDateTime, utcnow

__all__ = ["DEFAULT_CONSENT_DAYS", "Consent"]

# An application is usually decided within the statutory 20 working days; 30 calendar days
# covers it without leaving a consent open for later, unrelated uses.
DEFAULT_CONSENT_DAYS = 30


class Consent(Base):
    __tablename__ = "consents"
    __table_args__ = (Index("ix_consents_subject", "subject_id", "consumer_code"),)

    # uuid4 hex: the id travels to providers and into their audit logs, so it is global.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(18))  # GB 11643 ID number of the person
    consumer_code: Mapped[str] = mapped_column(String(32))
    service_item: Mapped[str] = mapped_column(String(64))
    questions: Mapped[list[str]] = mapped_column(JSON)
    data_items: Mapped[list[str]] = mapped_column(JSON)
    given_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # Who recorded it: the applicant's own token subject, or a clerk at the desk.
    recorded_by: Mapped[str] = mapped_column(String(128))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
