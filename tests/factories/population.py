"""Small, valid population rows for tests: people, households, a married couple, firms."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy.orm import Session

from certfree.identifiers import make_resident_id, make_uscc
from certfree.population import (
    EntityType,
    Firm,
    FirmStatus,
    Household,
    Marriage,
    MarriageStatus,
    Person,
    Sex,
)

_serials = itertools.count(1)


def resident_id(
    *, county: str = "370102", birth: dt.date = dt.date(1990, 1, 1), sex: Sex = Sex.MALE
) -> str:
    """A valid, test-unique GB 11643 number (odd sequence for men, even for women)."""
    sequence = 2 * (next(_serials) % 499) + (1 if sex is Sex.MALE else 2)
    return make_resident_id(county, birth, sequence)


def absent_resident_id(
    session: Session,
    *,
    county: str = "370102",
    birth: dt.date = dt.date(1990, 1, 1),
    sex: Sex = Sex.MALE,
) -> str:
    """A valid GB 11643 number that no person of ``session``'s database holds.

    A fixed number will not do for a holder the population tables must not know:
    :func:`resident_id` counts through every sequence over a test process's life, so the test
    that happens to run when the count reaches that number seeds a person holding it.
    """
    for sequence in range(999 if sex is Sex.MALE else 998, 0, -2):
        number = make_resident_id(county, birth, sequence)
        if session.get(Person, number) is None:
            return number
    raise AssertionError(f"every {sex} sequence of {county} {birth} is held")


def household(session: Session, *, county: str = "370102", head_id: str = "") -> Household:
    # 户号 9xxxxxxx: a range the demo province's own serials (from 1) never reach, so a test
    # that builds the demo province beside factory people has no two households alike.
    number = f"{county}9{next(_serials):07d}"
    row = Household(
        household_no=number,
        division_code=county,
        address="济南市历下区解放路1号",
        head_id_number=head_id,
    )
    session.add(row)
    session.flush()
    return row


def person(
    session: Session,
    *,
    name: str = "王小明",
    sex: Sex = Sex.MALE,
    birth: dt.date = dt.date(1990, 1, 1),
    county: str = "370102",
    home: Household | None = None,
) -> Person:
    """A person in ``home`` (a new single-person household when omitted)."""
    id_number = resident_id(county=county, birth=birth, sex=sex)
    if home is None:
        home = household(session, county=county, head_id=id_number)
    row = Person(
        id_number=id_number,
        name=name,
        sex=sex,
        birth_date=birth,
        address_code=county,
        household_no=home.household_no,
        ethnic_group="01",
        deceased=False,
    )
    session.add(row)
    session.flush()
    return row


def married_couple(
    session: Session, *, registered_on: dt.date = dt.date(2018, 5, 20)
) -> tuple[Person, Person, Marriage]:
    """A man and a woman sharing a household, with their marriage record."""
    home = household(session)
    husband = person(session, name="张伟", sex=Sex.MALE, birth=dt.date(1990, 3, 1), home=home)
    wife = person(session, name="李静", sex=Sex.FEMALE, birth=dt.date(1992, 7, 9), home=home)
    home.head_id_number = husband.id_number
    marriage = Marriage(
        registration_no=f"J370102-{registered_on.year}-{next(_serials):06d}",
        party_a_id=husband.id_number,
        party_b_id=wife.id_number,
        registered_on=registered_on,
        division_code="370102",
        status=MarriageStatus.MARRIED,
        divorced_on=None,
    )
    session.add(marriage)
    session.flush()
    return husband, wife, marriage


def firm(session: Session, *, representative: Person, name: str = "济南瑞丰机械有限公司") -> Firm:
    row = Firm(
        uscc=make_uscc("9", "1", "370102", f"{next(_serials):08d}"),
        name=name,
        entity_type=EntityType.ENTERPRISE,
        division_code="370102",
        legal_rep_id=representative.id_number,
        registered_on=dt.date(2015, 1, 1),
        status=FirmStatus.ACTIVE,
    )
    session.add(row)
    session.flush()
    return row
