"""Example face data that issues as is on this node (``certfree certs template``).

The catalogue's example names a synthetic holder (370102195803150139) that a node holding a
population register does not know, and :func:`certfree.certs.issuance.issue_certificate`
refuses holders the register does not know. So the example's holder fields are swapped for a
living registered person (or a registered firm) that also satisfies the type's required
predicates (an elderly card needs someone aged 60 or more). A node with empty registers — a
pure issuing node — gets the catalogue example unchanged.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree.certs.errors import FaceDataInvalid
from certfree.certs.facedata import check_face_data, derive_predicates
from certfree.certs.issuance import today
from certfree.certs.types import CertType
from certfree.certs.vocab import HolderCategory
from certfree.population import SEX_ZH, Firm, FirmStatus, Person

__all__ = ["CANDIDATES", "example_face_for"]

CANDIDATES = 50  # registered holders tried before falling back to the catalogue example


def _oldest_birth(kind: CertType, day: dt.date) -> dt.date:
    """The latest birth date that satisfies every required age predicate on ``day``."""
    years = max((p.years for p in kind.predicates if p.required), default=0)
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _person_face(kind: CertType, face: dict[str, Any], person: Person) -> dict[str, Any]:
    holder_field = kind.holder_field or "id_number"
    trial = {**face, holder_field: person.id_number}
    own = {
        "name": person.name,
        "sex": SEX_ZH[person.sex],
        "birth_date": person.birth_date.isoformat(),
    }
    if holder_field == "id_number":  # the face describes the holder themself
        trial.update({k: v for k, v in own.items() if kind.field(k) is not None})
    elif holder_field == "holder_id_number" and kind.field("holder_name") is not None:
        trial["holder_name"] = person.name
    return trial


def example_face_for(session: Session, kind: CertType) -> dict[str, Any]:
    """The type's example face data with a holder this node's registers know, if any fits."""
    face = dict(kind.example)
    if not kind.holder_field:
        return face
    day = today()
    trials: list[dict[str, Any]]
    if kind.holder_category is HolderCategory.PERSON:
        people = session.scalars(
            select(Person)
            .where(Person.deceased.is_(False), Person.birth_date <= _oldest_birth(kind, day))
            .order_by(Person.id_number)
            .limit(CANDIDATES)
        )
        trials = [_person_face(kind, face, p) for p in people]
    else:
        firms = session.scalars(
            select(Firm).where(Firm.status == FirmStatus.ACTIVE).order_by(Firm.uscc).limit(1)
        )
        trials = [
            {**face, kind.holder_field: f.uscc}
            | ({"name": f.name} if kind.field("name") is not None else {})
            for f in firms
        ]
    for trial in trials:
        try:
            checked = check_face_data(kind, trial)
            derive_predicates(kind, checked, day)
        except FaceDataInvalid:
            continue
        return checked
    return face
