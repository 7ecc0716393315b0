"""A citizen's copy of everything this node holds about them (PIPL 第45条 查阅、复制).

:func:`export_for` gathers, for one ID number, in sections with stable keys::

    registers         rows of the departmental registers naming them (persons, households,
                      marriages, firms, property titles, insurance, vehicles, licences, tax)
    certificates      certificates held by them in this node's library (face data included)
    applications      applications they are a party to, with the parties
    consents          their consents to data-sharing verification
    certificate_uses  verifications of their certificates
    commitments, credit   their signed commitments and credit records
    accesses          entries of this node's audit log naming them (the records, no proofs:
                      /api/v1/me/accesses gives each with its proof)
    corrections, objections   their data-subject requests

Each section holds at most ``limit`` rows, newest first, and ``truncated`` names the sections
that had more. Values are the stored ones in JSON (dates ISO 8601, enums by value, bytes hex);
any other person's GB 11643 ID number anywhere in a value — a spouse, a co-owner, a
co-applicant — is masked to its first and last four characters, so the copy discloses
nobody else (PIPL 第45条 gives a person their own information, not others').
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import inspect, or_, select
from sqlalchemy.orm import Session

from certfree import certs, commitments, population
from certfree.governance.audit.models import AuditEntry, AuditSubject
from certfree.governance.consent import Consent
from certfree.governance.masking import MaskRule, mask_text
from certfree.governance.subject_rights.models import (
    RequestSide,
    SubjectObjection,
    SubjectRequest,
)

__all__ = [
    "EXPORT_LIMIT",
    "SECTIONS",
    "Section",
    "bounded",
    "export_for",
    "mask_others",
    "row_json",
]

EXPORT_LIMIT = 500
SECTIONS = (
    "registers",
    "certificates",
    "applications",
    "consents",
    "certificate_uses",
    "commitments",
    "credit",
    "accesses",
    "corrections",
    "objections",
)
# A GB 11643 ID number standing alone in a text (not inside a longer code or hash).
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
# Register → the columns naming a person.
_REGISTER_KEYS: dict[type[Any], tuple[str, ...]] = {
    population.Person: ("id_number",),
    population.Household: ("head_id_number",),
    population.Marriage: ("party_a_id", "party_b_id"),
    population.Firm: ("legal_rep_id",),
    population.PropertyTitle: ("owner_id", "co_owner_id"),
    population.InsuranceEnrolment: ("id_number",),
    population.Vehicle: ("owner_id",),
    population.DrivingLicence: ("id_number",),
    population.TaxStanding: ("taxpayer_id",),
}
# Stored bytes that are not the person's data (sealed copies are kept as text).
_SKIP_COLUMNS = frozenset({"credential_sha256"})


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value


def row_json(row: Any) -> dict[str, Any]:
    """A mapped row as JSON: every column by its attribute name."""
    mapper = inspect(type(row))
    return {
        attr.key: _plain(getattr(row, attr.key))
        for attr in mapper.column_attrs
        if attr.key not in _SKIP_COLUMNS
    }


def mask_others(value: Any, subject_id: str) -> Any:
    """``value`` with every ID number but ``subject_id``'s masked (recursively)."""
    if isinstance(value, str):

        def shown(found: re.Match[str]) -> str:
            number = found.group(0)
            return number if number.upper() == subject_id else mask_text(MaskRule.ID_NUMBER, number)

        return _ID_NUMBER.sub(shown, value)
    if isinstance(value, list):
        return [mask_others(v, subject_id) for v in value]
    if isinstance(value, dict):
        return {k: mask_others(v, subject_id) for k, v in value.items()}
    return value


def bounded(rows: Iterable[Any], limit: int) -> tuple[list[Any], bool]:
    taken: list[Any] = []
    for row in rows:
        if len(taken) == limit:
            return taken, True
        taken.append(row)
    return taken, False


def _registers(session: Session, subject: str, limit: int) -> tuple[list[Any], bool]:
    found: list[dict[str, Any]] = []
    for table, keys in _REGISTER_KEYS.items():
        columns = [getattr(table, key) for key in keys]
        query = select(table).where(or_(*(column == subject for column in columns)))
        for row in session.scalars(query.limit(limit + 1)):
            found.append({"register": table.__tablename__, "row": row_json(row)})
    # The household they belong to, when another person heads it.
    person = session.get(population.Person, subject)
    household = session.get(population.Household, person.household_no) if person else None
    if household is not None and household.head_id_number != subject:
        found.append({"register": "households", "row": row_json(household)})
    return bounded(found, limit)


def _accesses(session: Session, subject: str, limit: int) -> tuple[list[Any], bool]:
    rows = session.execute(
        select(AuditEntry.leaf_index, AuditEntry.record)
        .join(AuditSubject, AuditSubject.leaf_index == AuditEntry.leaf_index)
        .where(AuditSubject.subject_id == subject)
        .order_by(AuditEntry.leaf_index.desc())
        .limit(limit + 1)
    )
    shown = []
    for index, record in rows:
        document = json.loads(record)
        document.pop("subjects", None)  # salted commitments: /me/accesses proves them
        shown.append({"leaf_index": index, **document})
    return bounded(shown, limit)


def _newest(session: Session, query: Any, limit: int) -> tuple[list[Any], bool]:
    return bounded((row_json(r) for r in session.scalars(query.limit(limit + 1))), limit)


# A section another package gathers (the applications, which sit above governance): the rows
# about a person, at most ``limit``, and whether there were more.
Section = Callable[[Session, str, int], tuple[list[Any], bool]]


def export_for(
    session: Session,
    subject_id: str,
    *,
    node: str,
    limit: int = EXPORT_LIMIT,
    more: Mapping[str, Section] | None = None,
) -> dict[str, Any]:
    """Everything this node holds about ``subject_id`` (module docstring), other people's ID
    numbers masked; ``more`` adds the sections other packages gather (``applications``)."""
    subject = subject_id.strip().upper()
    sections: dict[str, tuple[list[Any], bool]] = {
        "registers": _registers(session, subject, limit),
        "certificates": _newest(
            session,
            select(certs.Certificate)
            .where(certs.Certificate.holder_id == subject)
            .order_by(certs.Certificate.issued_at.desc()),
            limit,
        ),
        **{name: gather(session, subject, limit) for name, gather in (more or {}).items()},
        "consents": _newest(
            session,
            select(Consent).where(Consent.subject_id == subject).order_by(Consent.given_at.desc()),
            limit,
        ),
        "certificate_uses": bounded(
            (row_json(u) for u in certs.uses_of_holder(session, subject)), limit
        ),
        "commitments": bounded(
            (row_json(c) for c in commitments.commitments_of(session, subject)), limit
        ),
        "credit": bounded(
            (row_json(c) for c in commitments.credit_records_for(session, subject)), limit
        ),
        "accesses": _accesses(session, subject, limit),
        "corrections": _newest(
            session,
            select(SubjectRequest)
            .where(SubjectRequest.subject_id == subject, SubjectRequest.side == RequestSide.HOME)
            .order_by(SubjectRequest.requested_at.desc()),
            limit,
        ),
        "objections": _newest(
            session,
            select(SubjectObjection)
            .where(SubjectObjection.subject_id == subject)
            .order_by(SubjectObjection.made_at.desc()),
            limit,
        ),
    }
    shown: dict[str, Any] = mask_others(
        {
            "subject": subject,
            "node": node,
            "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "limit": limit,
            "truncated": sorted(name for name, (_, more) in sections.items() if more),
            "sections": {name: rows for name, (rows, _) in sections.items()},
        },
        subject,
    )
    return shown
