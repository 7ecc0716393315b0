"""Every verification question answered from a small demo province, minimally, under a grant
and with the data subject's consent; arguments checked field by field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from certfree.demo import build_demo_province
from certfree.exchange.errors import QuestionArgsInvalid
from certfree.exchange.questions.catalogue import answer_question
from certfree.nodes import DepartmentKind
from certfree.population import Household, Marriage, MarriageStatus, Person, Sex
from certfree.questions import get_question, list_questions, validate_args
from certfree.storage import Database, migrate
from factories import population
from factories.databases import fresh_database_url
from factories.grants import (
    AS_OF,
    CONSUMER,
    ISSUER,
    NOW,
    SERVICE_ITEM,
    consent_for,
    grant_for,
    provider_of,
)

ID = "11010519491231002X"  # the example number of GB 11643


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    with fresh_database_url(Path(tmp_path_factory.mktemp("demo"))) as url:
        database = Database(url)
        migrate.upgrade(database)
        build_demo_province(database, citizens=1000, firms=50, seed=3, as_of=AS_OF)
        yield database
        database.dispose()


@pytest.fixture
def session(demo: Database) -> Iterator[Session]:
    """A session whose changes (grants, consents, extra people) are rolled back."""
    with Session(demo.engine) as open_session:
        yield open_session
        open_session.rollback()


# Beijing (110105) people in their own households: the demo province has only Shandong
# residents and households, so these never collide with its rows.
OUTSIDE = "110105"


def outsider(
    session: Session, *, birth: dt.date = dt.date(1990, 1, 1), sex: Sex = Sex.MALE, home: str = ""
) -> Person:
    id_number = population.resident_id(county=OUTSIDE, birth=birth, sex=sex)
    if not home:
        home = f"B{id_number}"
        session.add(
            Household(
                household_no=home,
                division_code=OUTSIDE,
                address="北京市朝阳区",
                head_id_number=id_number,
            )
        )
        session.flush()
    person = Person(
        id_number=id_number,
        name="测试",
        sex=sex,
        birth_date=birth,
        address_code=OUTSIDE,
        household_no=home,
        ethnic_group="01",
        deceased=False,
    )
    session.add(person)
    session.flush()
    return person


def outsider_couple(session: Session) -> tuple[Person, Person]:
    husband = outsider(session, birth=dt.date(1990, 3, 1))
    wife = outsider(session, birth=dt.date(1992, 7, 9), sex=Sex.FEMALE, home=husband.household_no)
    session.add(
        Marriage(
            registration_no=f"J{husband.id_number}",
            party_a_id=husband.id_number,
            party_b_id=wife.id_number,
            registered_on=dt.date(2018, 5, 20),
            division_code=OUTSIDE,
            status=MarriageStatus.MARRIED,
            divorced_on=None,
        )
    )
    session.flush()
    return husband, wife


def ask(
    session: Session,
    question: str,
    data_items: list[str] | None = None,
    wants: list[str] | None = None,
    **args: Any,
) -> dict[str, Any]:
    """Ask under a fresh grant (of ``data_items``), with consent of every data subject, for the
    data items ``wants`` (None: whatever the grant allows); the answer body."""
    grant_for(session, question, data_items=data_items)
    subjects = [args[p] for p in get_question(question).subject_params if p in args]
    consents = [consent_for(session, s, question) for s in subjects]
    body = {
        "question": question,
        "args": args,
        "service_item": SERVICE_ITEM,
        "purpose": "测试",
        "consent": consents or None,
    } | ({"data_items": wants} if wants is not None else {})
    return answer_question(
        session,
        consumer=CONSUMER,
        provider=provider_of(question),
        body=body,
        issuer=ISSUER,
        now=NOW,
    )


def one(session: Session, sql: str) -> Any:
    row = session.execute(text(sql)).first()
    assert row is not None, f"the demo has no row for: {sql}"
    return row


def test_the_issue_questions_are_published_with_their_departments() -> None:
    departments = {q.name: q.department for q in list_questions()}
    assert departments == {
        "marital_status": DepartmentKind.MZ,
        "same_household": DepartmentKind.GA,
        "owns_property": DepartmentKind.ZR,
        "tax_clear": DepartmentKind.SW,
        "has_driving_licence": DepartmentKind.GA,
        "social_insurance_enrolled": DepartmentKind.RS,
        "is_resident_of": DepartmentKind.GA,
        "age_at_least": DepartmentKind.GA,
        "personal_tax_clear": DepartmentKind.SW,
        "firm_registered": DepartmentKind.SJ,
    }
    assert get_question("same_household").subject_params == ("id_a", "id_b")
    assert get_question("tax_clear").subject_params == ()
    assert get_question("owns_property").core_data_items == ("property_ownership",)
    assert get_question("owns_property").data_items == ("property_ownership", "property_count")


def test_answer_body_is_minimal_and_names_grant_and_consent(session: Session) -> None:
    husband, _wife = outsider_couple(session)
    answer = ask(session, "marital_status", id_number=husband.id_number)
    assert answer["question"] == "marital_status"
    assert answer["result"] == {"status": "married"}
    assert isinstance(answer["grant_id"], int)
    assert answer["consent_id"] == answer["consent_ids"][0]
    assert answer["legal_basis"] is None
    assert answer["answered_at"] == NOW.isoformat()


def test_marital_status_from_the_marriage_register(session: Session) -> None:
    married = one(session, "SELECT party_a_id FROM marriages WHERE status = 'married'")[0]
    divorced = one(
        session,
        "SELECT party_a_id FROM marriages m WHERE status = 'divorced' AND NOT EXISTS "
        "(SELECT 1 FROM marriages l WHERE l.party_a_id = m.party_a_id "
        "AND l.registered_on > m.registered_on)",
    )[0]
    single = one(
        session,
        "SELECT id_number FROM persons p WHERE NOT EXISTS (SELECT 1 FROM marriages m "
        "WHERE p.id_number IN (m.party_a_id, m.party_b_id))",
    )[0]
    husband, wife = outsider_couple(session)
    session.execute(
        text("UPDATE persons SET deceased = TRUE WHERE id_number = :id"), {"id": wife.id_number}
    )
    for id_number, status in [
        (married, "married"),
        (divorced, "divorced"),
        (single, "unmarried"),
        (husband.id_number, "widowed"),
    ]:
        result = ask(session, "marital_status", id_number=id_number)["result"]
        assert result == {"status": status}, id_number


def test_same_household(session: Session) -> None:
    husband, wife = outsider_couple(session)
    stranger = outsider(session)
    together = ask(session, "same_household", id_a=husband.id_number, id_b=wife.id_number)
    assert together["result"] == {"same_household": True}
    assert len(together["consent_ids"]) == 2
    apart = ask(session, "same_household", id_a=husband.id_number, id_b=stranger.id_number)
    assert apart["result"] == {"same_household": False}


def test_owns_property_reveals_the_count_only_when_granted(session: Session) -> None:
    owner, city, titles = one(
        session,
        "SELECT owner_id, MIN(division_code), COUNT(*) FROM property_titles "
        "GROUP BY owner_id ORDER BY COUNT(*) DESC",
    )
    assert ask(session, "owns_property", id_number=owner)["result"] == {"owns": True}
    full = ask(
        session,
        "owns_property",
        data_items=["property_ownership", "property_count"],
        id_number=owner,
        division=city[:4] + "00",
    )
    assert full["result"]["owns"] is True
    assert full["result"]["count"] >= 1
    everywhere = ask(
        session,
        "owns_property",
        data_items=["property_ownership", "property_count"],
        id_number=owner,
    )
    assert everywhere["result"] == {"owns": True, "count": titles}
    # The consumer may ask for less than its grant allows, and then gets only that.
    just_owns = ask(
        session,
        "owns_property",
        data_items=["property_ownership", "property_count"],
        wants=["property_ownership"],
        id_number=owner,
    )
    assert just_owns["result"] == {"owns": True}
    elsewhere = "370200" if not city.startswith("3702") else "370100"
    assert ask(session, "owns_property", id_number=owner, division=elsewhere)["result"] == {
        "owns": False
    }


def test_tax_clear(session: Session) -> None:
    clear = one(
        session,
        "SELECT taxpayer_id FROM tax_standings WHERE taxpayer_kind = 'firm' AND tax_clear = TRUE",
    )[0]
    owing = one(
        session,
        "SELECT taxpayer_id FROM tax_standings WHERE taxpayer_kind = 'firm' AND tax_clear = FALSE",
    )[0]
    assert ask(session, "tax_clear", uscc=clear)["result"] == {"tax_clear": True}
    assert ask(session, "tax_clear", uscc=owing)["result"] == {"tax_clear": False}


def test_driving_licence_by_class_and_validity(session: Session) -> None:
    c1 = one(
        session,
        "SELECT id_number FROM driving_licences WHERE licence_class = 'C1' "
        "AND (valid_until IS NULL OR valid_until >= '2024-06-01')",
    )[0]
    lapsed = one(
        session, "SELECT id_number FROM driving_licences WHERE valid_until < '2024-06-01'"
    )[0]
    # A C1 licence also lets one drive C2 (准驾车型 of 《机动车驾驶证申领和使用规定》 Annex 1).
    for licence_class, expected in [("C1", True), ("C2", True), ("A1", False), (None, True)]:
        args = {"id_number": c1} | ({"class": licence_class} if licence_class else {})
        assert ask(session, "has_driving_licence", **args)["result"] == {"licensed": expected}
    assert ask(session, "has_driving_licence", id_number=lapsed)["result"] == {"licensed": False}


def test_social_insurance_enrolment(session: Session) -> None:
    enrolled, kind = one(
        session, "SELECT id_number, kind FROM insurance_enrolments WHERE status = 'active'"
    )
    never = outsider(session, sex=Sex.FEMALE)
    yes = ask(session, "social_insurance_enrolled", id_number=enrolled, kind=kind)
    assert yes["result"] == {"enrolled": True}
    assert ask(session, "social_insurance_enrolled", id_number=never.id_number)["result"] == {
        "enrolled": False
    }


def test_is_resident_of_county_city_and_province(session: Session) -> None:
    person, county = one(
        session, "SELECT id_number, address_code FROM persons WHERE deceased = FALSE"
    )
    for division, expected in [
        (county, True),
        (county[:4] + "00", True),
        ("370000", True),
        ("370200" if county[:4] != "3702" else "370100", False),
    ]:
        result = ask(session, "is_resident_of", id_number=person, division=division)["result"]
        assert result == {"resident": expected}, division


def test_age_at_least_turns_true_on_the_birthday(session: Session) -> None:
    sixty_today = outsider(session, birth=dt.date(1964, 6, 1))
    sixty_tomorrow = outsider(session, birth=dt.date(1964, 6, 2))
    assert ask(session, "age_at_least", id_number=sixty_today.id_number, years=60)["result"] == {
        "at_least": True
    }
    answer = ask(session, "age_at_least", id_number=sixty_tomorrow.id_number, years=60)
    assert answer["result"] == {"at_least": False}


@pytest.mark.parametrize(
    ("question", "args", "field", "fault"),
    [
        ("marital_status", {"id_number": "370102199001010010"}, "args.id_number", "check"),
        ("marital_status", {}, "args.id_number", "需要参数 id_number"),
        ("marital_status", {"id_number": 370102}, "args.id_number", "应为字符串"),
        ("marital_status", {"name": "王"}, "args.name", "没有参数 name"),
        ("tax_clear", {"uscc": "91370102MA3C4XYZ0"}, "args.uscc", "有误"),
        ("is_resident_of", {"id_number": ID}, "args.division", "需要参数"),
        ("owns_property", {"id_number": ID, "division": "379999"}, "args.division", "有误"),
        ("has_driving_licence", {"id_number": ID, "class": "Z"}, "args.class", "之一"),
        ("age_at_least", {"id_number": ID, "years": 200}, "args.years", "0 到 150"),
        ("age_at_least", {"id_number": ID, "years": "六十"}, "args.years", "整数"),
        ("same_household", {"id_a": ID, "id_b": ID.lower()}, "args.id_b", "不能相同"),
    ],
)
def test_bad_arguments_name_the_field(
    question: str, args: dict[str, Any], field: str, fault: str
) -> None:
    with pytest.raises(QuestionArgsInvalid) as caught:
        validate_args(get_question(question), args, today=AS_OF)
    assert caught.value.field == field
    assert fault in caught.value.message


def test_arguments_are_normalised() -> None:
    values = validate_args(
        get_question("has_driving_licence"),
        {"id_number": " 11010519491231002x ", "licence_class": "C1"},
        today=AS_OF,
    )
    assert values == {"id_number": ID, "class": "C1"}
    years = validate_args(get_question("age_at_least"), {"id_number": ID, "years": "60"})
    assert years["years"] == 60
