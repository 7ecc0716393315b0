"""Whom a visitor of a demo node can act as (演示身份): residents picked for the pilot
journeys — an unmarried man and woman of marriageable age (《民法典》第一千零四十七条), a
resident over 60 for the elderly card — and one of each staff role, each with the page
they work on. The landing page lists them; ``GET /dev/personas`` serves them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from certfree import nodes, population
from certfree.certs import today
from certfree.demo.relying_parties import DEMO_HOTEL
from certfree.settings import NodeLevel, Settings

__all__ = ["Persona", "demo_personas"]

_CANDIDATES = 60  # unmarried residents looked through for a man and a woman


@dataclass(frozen=True, slots=True)
class Persona:
    """``role`` acting as ``subject`` (for ``organisation``), on ``page`` (with ``?as=``);
    ``hint`` names what they are picked for (a message id of the landing page)."""

    role: str
    subject: str
    name: str
    page: str
    hint: str
    organisation: str | None = None

    @property
    def link(self) -> str:
        acts_for = self.role in {"department_admin", "verifier"} and self.organisation
        org = f"&org={self.organisation}" if acts_for else ""
        return f"{self.page}?as={self.subject}{org}"


def _born_by(years: int) -> dt.date:
    day = today()
    return day.replace(year=day.year - years, day=28 if day.month == 2 else day.day)


def _residents(session: Session, region: str | None) -> list[Persona]:
    found: list[Persona] = []
    single = population.list_people(
        session, _CANDIDATES, born_by=_born_by(22), region=region, unmarried=True
    )
    groom = next((p for p in single if p.sex is population.Sex.MALE), None)
    if groom is not None:
        found.append(Persona("applicant", groom.id_number, groom.name, "/apply", "groom"))
        women = [p for p in single if p.sex is population.Sex.FEMALE]
        # The bride nearest the groom's age: a couple a visitor recognises as one.
        bride = min(women, key=lambda p: abs((p.birth_date - groom.birth_date).days), default=None)
        if bride is not None:
            found.append(Persona("applicant", bride.id_number, bride.name, "/apply", "bride"))
    taken = {p.subject for p in found}
    elders = population.list_people(session, 5, born_by=_born_by(61), region=region)
    elder = next((p for p in elders if p.id_number not in taken), None)
    if elder is not None:
        found.append(Persona("applicant", elder.id_number, elder.name, "/wallet", "elder"))
        taken.add(elder.id_number)
    others = [
        p for p in population.list_people(session, 5, region=region) if p.id_number not in taken
    ]
    found.extend(Persona("applicant", p.id_number, p.name, "/me", "resident") for p in others[:2])
    return found


def demo_personas(session: Session, settings: Settings) -> list[Persona]:
    """The residents of the node's region and one of each staff role (an admin of each of
    the node's own departments)."""
    code = settings.node_code
    region = code if settings.node_level is NodeLevel.CITY else None
    found = _residents(session, region)
    found.append(Persona("clerk", "clerk-1", "clerk-1", "/desk", "clerk", code))
    found.extend(
        Persona(
            "department_admin",
            f"admin-{department.code}",
            department.name or department.code,
            "/dept",
            "department",
            department.code,
        )
        for department in nodes.list_nodes(session, level=NodeLevel.DEPARTMENT)
        if department.code.startswith(code + "-")
    )
    found.append(Persona("bureau_admin", "bureau-1", "bureau-1", "/bureau", "bureau", code))
    found.append(Persona("cio", "cio-1", "cio-1", "/bureau", "cio", code))
    # The front desk of the demo hotel in the register of relying parties: its requests are
    # signed with the key the node keeps for the hotel.
    found.append(Persona("verifier", "hotel-1", "hotel-1", "/verify", "verifier", DEMO_HOTEL))
    return found
