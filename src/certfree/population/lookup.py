"""Read helpers over the population tables (the demo CLI and later verifications use them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certfree.errors import NotFound
from certfree.identifiers import shandong_cities
from certfree.population.models import (
    DrivingLicence,
    Firm,
    Household,
    InsuranceEnrolment,
    Marriage,
    Person,
    PropertyTitle,
    TaxStanding,
    Vehicle,
)
from certfree.population.vocab import MarriageStatus, Sex
from certfree.storage import Base

__all__ = ["TABLES", "PersonSummary", "city_name", "count_rows", "get_person", "list_people"]

# Every population table, parents before children (delete in reverse order).
TABLES: tuple[type[Base], ...] = (
    Household,
    Person,
    Marriage,
    Firm,
    PropertyTitle,
    InsuranceEnrolment,
    Vehicle,
    DrivingLicence,
    TaxStanding,
)


@dataclass(frozen=True, slots=True)
class PersonSummary:
    """One line of the people list: who, and which city holds their household registration."""

    name: str
    id_number: str
    sex: Sex
    birth_date: dt.date
    city: str

    def as_json(self) -> dict[str, str]:
        """A JSON-ready dict: dates in ISO 8601, sex by value."""
        return {
            "name": self.name,
            "id_number": self.id_number,
            "sex": self.sex.value,
            "birth_date": self.birth_date.isoformat(),
            "city": self.city,
        }


@cache
def _city_names() -> dict[str, str]:
    return {city.code: city.name for city in shandong_cities()}


def city_name(address_code: str) -> str:
    """The name of the Shandong city containing county ``address_code`` ('' if not one)."""
    return _city_names().get(address_code[:4] + "00", "")


def list_people(
    session: Session,
    limit: int,
    offset: int = 0,
    *,
    born_by: dt.date | None = None,
    region: str | None = None,
    unmarried: bool = False,
) -> list[PersonSummary]:
    """Up to ``limit`` living people ordered by ID number, skipping the first ``offset``: born
    on or before ``born_by``, living in GB/T 2260 ``region`` (a province, city or county code)
    and, with ``unmarried``, not recorded as married."""
    query = select(
        Person.name, Person.id_number, Person.sex, Person.birth_date, Person.address_code
    ).where(Person.deceased.is_(False))
    if born_by is not None:
        query = query.where(Person.birth_date <= born_by)
    if region is not None:
        significant = region.rstrip("0") if region.endswith("00") else region
        query = query.where(Person.address_code.startswith(significant.ljust(2, "0")))
    if unmarried:
        married = select(Marriage.party_a_id).where(Marriage.status == MarriageStatus.MARRIED)
        married_b = select(Marriage.party_b_id).where(Marriage.status == MarriageStatus.MARRIED)
        query = query.where(Person.id_number.not_in(married), Person.id_number.not_in(married_b))
    rows = session.execute(query.order_by(Person.id_number).limit(limit).offset(offset))
    return [
        PersonSummary(name, id_number, sex, birth_date, city_name(address_code))
        for name, id_number, sex, birth_date, address_code in rows
    ]


def get_person(session: Session, id_number: str) -> Person:
    """The person with ``id_number``; raises NotFound naming the number."""
    person = session.get(Person, id_number)
    if person is None:
        raise NotFound(f"人口库中没有身份证号为 {id_number} 的人员", field="id_number")
    return person


def count_rows(session: Session, tables: Iterable[str] | None = None) -> dict[str, int]:
    """Row count of the population tables named in ``tables`` (default: all), keyed by table
    name, in :data:`TABLES` order. Each count scans a table, so ask only for what you show."""
    wanted = None if tables is None else set(tables)
    return {
        model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
        for model in TABLES
        if wanted is None or model.__tablename__ in wanted
    }
