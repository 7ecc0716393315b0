"""The demo's departmental data agree with each other, as real registers would."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TypeVar

import pytest
from sqlalchemy import select

from certfree.identifiers import ResidentId, parse_resident_id, parse_uscc
from certfree.population import (
    DrivingLicence,
    Firm,
    Household,
    InsuranceEnrolment,
    Marriage,
    MarriageStatus,
    Person,
    PropertyTitle,
    Sex,
    TaxpayerKind,
    TaxStanding,
    Vehicle,
    plate_prefix,
)
from certfree.storage import Database
from factories.demo import AS_OF, CITIZENS, FIRMS


@pytest.fixture(scope="module")
def people(demo_db: Database) -> dict[str, Person]:
    with demo_db.session() as session:
        return {p.id_number: p for p in session.scalars(select(Person))}


@pytest.fixture(scope="module")
def ids(people: dict[str, Person]) -> dict[str, ResidentId]:
    return {number: parse_resident_id(number, today=AS_OF) for number in people}


T = TypeVar("T")


def _all(db: Database, model: type[T]) -> list[T]:
    with db.session() as session:
        return list(session.scalars(select(model)))


def test_every_id_number_is_valid_and_matches_the_register(
    people: dict[str, Person], ids: dict[str, ResidentId]
) -> None:
    assert len(people) == CITIZENS
    for number, person in people.items():
        parsed = ids[number]
        assert parsed.birth_date == person.birth_date
        assert parsed.sex == person.sex
        assert parsed.address_code == person.address_code
        assert 2 <= len(person.name) <= 3


def test_ages_look_like_a_population(ids: dict[str, ResidentId]) -> None:
    ages = [parsed.age_on(AS_OF) for parsed in ids.values()]
    minors = sum(age < 18 for age in ages) / len(ages)
    elderly = sum(age >= 60 for age in ages) / len(ages)
    assert 0.08 < minors < 0.35
    assert 0.10 < elderly < 0.40
    assert max(ages) <= 100


def test_households_have_members_and_their_head_is_one(
    demo_db: Database, people: dict[str, Person]
) -> None:
    members: dict[str, list[Person]] = defaultdict(list)
    for person in people.values():
        members[person.household_no].append(person)
    households = _all(demo_db, Household)
    assert {h.household_no for h in households} == set(members)
    for household in households:
        assert household.head_id_number in {m.id_number for m in members[household.household_no]}
        assert {m.address_code for m in members[household.household_no]} == {
            household.division_code
        }


def test_marriages_join_two_people_of_age(
    demo_db: Database, people: dict[str, Person], ids: dict[str, ResidentId]
) -> None:
    marriages = _all(demo_db, Marriage)
    assert len(marriages) > CITIZENS // 5
    assert any(m.status is MarriageStatus.DIVORCED for m in marriages)
    married_once: set[str] = set()
    for marriage in marriages:
        a, b = people[marriage.party_a_id], people[marriage.party_b_id]
        assert {a.sex, b.sex} == {Sex.MALE, Sex.FEMALE}
        for party in (a, b):
            legal_age = 22 if party.sex is Sex.MALE else 20  # 民法典 art. 1047
            assert ids[party.id_number].age_on(marriage.registered_on) >= legal_age
            assert party.id_number not in married_once
            married_once.add(party.id_number)
        assert marriage.registered_on <= AS_OF
        if marriage.status is MarriageStatus.MARRIED:
            assert marriage.divorced_on is None
            assert a.household_no == b.household_no
        else:
            assert marriage.divorced_on is not None
            assert marriage.registered_on < marriage.divorced_on <= AS_OF
            assert a.household_no != b.household_no


def test_property_owners_are_adults_and_co_owners_their_spouses(
    demo_db: Database, ids: dict[str, ResidentId]
) -> None:
    spouses = {
        frozenset((m.party_a_id, m.party_b_id))
        for m in _all(demo_db, Marriage)
        if m.status is MarriageStatus.MARRIED
    }
    titles = _all(demo_db, PropertyTitle)
    assert titles
    assert any(t.co_owner_id for t in titles)
    for title in titles:
        assert ids[title.owner_id].age_on(title.registered_on) >= 18
        assert title.certificate_no.startswith(f"鲁({title.registered_on.year})")
        assert title.certificate_no.endswith("号")
        assert 40 <= title.area_m2 <= 180
        if title.co_owner_id:
            assert frozenset((title.owner_id, title.co_owner_id)) in spouses


def test_enrolments_licences_and_vehicles_fit_their_holders(
    demo_db: Database, people: dict[str, Person], ids: dict[str, ResidentId]
) -> None:
    enrolments = _all(demo_db, InsuranceEnrolment)
    assert {e.id_number for e in enrolments} <= set(people)
    working_age = [n for n, p in ids.items() if 18 <= p.age_on(AS_OF) < 55]
    enrolled = {e.id_number for e in enrolments if e.kind.value == "pension"}
    assert sum(n in enrolled for n in working_age) / len(working_age) > 0.6
    for enrolment in enrolments:
        assert ids[enrolment.id_number].birth_date <= enrolment.enrolled_on <= AS_OF
    licences = {lic.id_number: lic for lic in _all(demo_db, DrivingLicence)}
    for licence in licences.values():
        assert ids[licence.id_number].age_on(licence.first_issued_on) >= 18
        assert licence.valid_until is None or licence.valid_until > licence.first_issued_on
    vehicles = _all(demo_db, Vehicle)
    assert vehicles
    for vehicle in vehicles:
        owner = people[vehicle.owner_id]
        assert vehicle.plate.startswith(plate_prefix(owner.address_code) + "·")
        assert len(vehicle.plate) == len("鲁A·12345")
        assert vehicle.owner_id in licences
        assert vehicle.registered_on >= licences[vehicle.owner_id].first_issued_on


def test_firms_have_valid_usccs_and_living_representatives(
    demo_db: Database, people: dict[str, Person], ids: dict[str, ResidentId]
) -> None:
    firms = _all(demo_db, Firm)
    assert len(firms) == FIRMS
    assert len({f.name for f in firms}) == FIRMS
    for firm in firms:
        parsed = parse_uscc(firm.uscc)
        assert parsed.authority_code == "9"
        assert parsed.division_code == firm.division_code
        representative = people[firm.legal_rep_id]
        assert not representative.deceased
        assert ids[firm.legal_rep_id].age_on(firm.registered_on) >= 18


def test_tax_standing_is_clear_exactly_without_arrears(
    demo_db: Database, people: dict[str, Person]
) -> None:
    standings = _all(demo_db, TaxStanding)
    firms = {f.uscc for f in _all(demo_db, Firm)}
    assert {s.taxpayer_id for s in standings if s.taxpayer_kind is TaxpayerKind.FIRM} == firms
    assert any(not s.tax_clear for s in standings)
    for standing in standings:
        assert standing.tax_clear == (standing.arrears_fen == 0)
        assert standing.assessed_on <= AS_OF
        assert AS_OF - standing.assessed_on < dt.timedelta(days=91)
        if standing.taxpayer_kind is TaxpayerKind.PERSON:
            assert standing.taxpayer_id in people
