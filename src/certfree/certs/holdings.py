"""Which e-certificate types a person or firm holds, from this base library (一库): the route
resolver's :class:`~certfree.procedures.CertificateHoldings`.

A type is held when the library has a certificate of it for the holder that is issued (not
suspended or revoked) and valid today in Beijing — what a presentation of it would pass.
Holding is planning knowledge: the applicant still presents the certificate (or its
predicate), which is verified when the application runs.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from certfree.certs.issuance import today
from certfree.certs.models import Certificate
from certfree.certs.vocab import CertStatus
from certfree.procedures import Subject

__all__ = ["LibraryHoldings"]


class LibraryHoldings:
    """Held types from the certificates of this node's base library."""

    def __init__(self, session: Session, *, now: dt.datetime | None = None) -> None:
        self.session = session
        self.today = today(now)

    def held_types(self, subject: Subject) -> frozenset[str]:
        rows = self.session.scalars(
            select(Certificate.type_code)
            .where(
                Certificate.holder_id == subject.identifier,
                Certificate.status == CertStatus.ISSUED,
                Certificate.valid_from <= self.today,
                or_(Certificate.valid_to.is_(None), Certificate.valid_to >= self.today),
            )
            .distinct()
        )
        return frozenset(rows)
