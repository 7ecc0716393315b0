"""Population read helpers, vocabularies and plate prefixes."""

from __future__ import annotations

import datetime as dt

import pytest

from certfree.errors import InvalidInput, NotFound
from certfree.population import (
    PLATE_LETTERS,
    InsuranceKind,
    PropertyTitle,
    Sex,
    count_rows,
    get_person,
    list_people,
    plate_prefix,
)
from certfree.storage import Database
from factories import population as make


def test_people_are_listed_by_id_number_with_their_city(db: Database) -> None:
    with db.session() as session:
        husband, wife, _ = make.married_couple(session)
        qingdao = make.person(session, name="赵雪", sex=Sex.FEMALE, county="370202")
    with db.session() as session:
        people = list_people(session, limit=10)
        assert [p.id_number for p in people] == sorted(
            [husband.id_number, wife.id_number, qingdao.id_number]
        )
        by_id = {p.id_number: p for p in people}
        assert by_id[qingdao.id_number].city == "青岛市"
        assert by_id[husband.id_number].city == "济南市"
        assert by_id[wife.id_number].as_json() == {
            "name": "李静",
            "id_number": wife.id_number,
            "sex": "female",
            "birth_date": "1992-07-09",
            "city": "济南市",
        }
        assert [p.id_number for p in list_people(session, limit=1, offset=1)] == [
            people[1].id_number
        ]


def test_people_are_found_by_age_region_and_marital_status(db: Database) -> None:
    with db.session() as session:
        husband, wife, _ = make.married_couple(session)  # 济南, born 1990 and 1992
        elder = make.person(session, name="钱老", birth=dt.date(1950, 6, 1))
        qingdao = make.person(session, name="孙青", birth=dt.date(1991, 1, 1), county="370202")
        gone = make.person(session, name="李故", birth=dt.date(1940, 1, 1))
        gone.deceased = True
    with db.session() as session:

        def found(
            born_by: dt.date | None = None, region: str | None = None, unmarried: bool = False
        ) -> set[str]:
            listed = list_people(
                session, limit=10, born_by=born_by, region=region, unmarried=unmarried
            )
            return {p.id_number for p in listed}

        assert found(born_by=dt.date(1960, 12, 31)) == {elder.id_number}  # the dead are not
        assert found(region="370200") == {qingdao.id_number}
        assert found(region="370000") == {
            husband.id_number,
            wife.id_number,
            elder.id_number,
            qingdao.id_number,
        }
        assert found(region="370100", unmarried=True) == {elder.id_number}


def test_get_person_and_missing_person(db: Database) -> None:
    with db.session() as session:
        someone = make.person(session, birth=dt.date(1985, 2, 28))
    with db.session() as session:
        found = get_person(session, someone.id_number)
        assert (found.sex, found.birth_date) == (Sex.MALE, dt.date(1985, 2, 28))
        with pytest.raises(NotFound, match="370102199901010000"):
            get_person(session, "370102199901010000")


def test_counts_cover_every_table(db: Database) -> None:
    with db.session() as session:
        husband, _, _ = make.married_couple(session)
        make.firm(session, representative=husband)
    with db.session() as session:
        counts = count_rows(session)
    assert counts["persons"] == 2
    assert counts["households"] == 1
    assert counts["marriages"] == 1
    assert counts["firms"] == 1
    assert counts["vehicles"] == 0
    assert len(counts) == 9


def test_area_is_exact_in_square_metres() -> None:
    title = PropertyTitle(area_dm2=8912)
    assert str(title.area_m2) == "89.12"


def test_plate_prefixes_of_the_sixteen_cities() -> None:
    assert len(PLATE_LETTERS) == 16
    assert len(set(PLATE_LETTERS.values())) == 16
    assert plate_prefix("370102") == "鲁A"
    assert plate_prefix("370211") == "鲁B"
    assert plate_prefix("371300") == "鲁Q"
    with pytest.raises(InvalidInput, match="110101"):
        plate_prefix("110101")


def test_vocabularies_have_chinese_terms() -> None:
    assert InsuranceKind.PENSION.zh == "养老保险"
    assert InsuranceKind("work_injury").zh == "工伤保险"


def test_counts_only_the_tables_asked_for(db: Database) -> None:
    with db.session() as session:
        husband, _, _ = make.married_couple(session)
        make.firm(session, representative=husband)
    with db.session() as session:
        assert count_rows(session, tables=("persons", "firms")) == {"persons": 2, "firms": 1}
