"""The route resolver on the demo province as the Jinan city node sees it: its grants, its node
registry and its certificate library decide the cheapest way for each requirement, asked about
the right party."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from certfree import procedures
from certfree.crypto import KeyStore
from certfree.errors import InvalidInput
from certfree.nodes import Node, NodeStatus
from certfree.population import (
    Firm,
    FirmStatus,
    Marriage,
    Person,
    PropertyTitle,
    TaxStanding,
)
from certfree.procedures import RequirementRoute, RouteReport
from certfree.storage import Database

from .conftest import (
    BUSINESS,
    ELDERLY_CARD,
    FIRE_SAFETY,
    HOUSEHOLD,
    MARRIAGE,
    REAL_ESTATE,
    hand_id_card,
    resolve,
)


def _by_description(report: RouteReport) -> dict[str, RequirementRoute]:
    return {r.description: r for r in report.requirements}


def _chosen_step(route: RequirementRoute) -> procedures.RouteStep:
    assert route.chosen_alternative is not None, route.explanation_zh
    evidence = route.alternatives[route.chosen_alternative].evidences[0]
    return next(s for s in evidence.steps if s.available)


def _people(
    session: Session, count: int, *, offset: int, born_before: dt.date, single: bool = True
) -> list[Person]:
    """Living (and, if ``single``, never-married) people of Jinan, where its organs issue; a
    different slice for each test (``offset``)."""
    married = exists().where(
        or_(Marriage.party_a_id == Person.id_number, Marriage.party_b_id == Person.id_number)
    )
    return list(
        session.scalars(
            select(Person)
            .where(
                ~married if single else Person.deceased.is_(False),
                Person.deceased.is_(False),
                Person.birth_date < born_before,
                Person.address_code.like("3701%"),
            )
            .order_by(Person.id_number)
            .offset(offset)
            .limit(count)
        )
    )


def test_marriage_registration_checks_both_parties(
    province: Database, library_keys: KeyStore
) -> None:
    with province.session() as session:
        bride, groom = _people(session, 2, offset=0, born_before=dt.date(2000, 1, 1))
        hand_id_card(session, library_keys, bride)
        hand_id_card(session, library_keys, groom)
    with province.session() as session:
        report = resolve(session, MARRIAGE, bride.id_number, spouse=groom.id_number)
    assert report.parties == {"applicant": bride.id_number, "spouse": groom.id_number}
    routes = _by_description(report)
    own, other = routes["申请人婚姻状况（无配偶）"], routes["另一方当事人婚姻状况（无配偶）"]
    assert (own.party, own.subject) == ("applicant", bride.id_number)
    assert (other.party, other.party_zh) == ("spouse", "另一方当事人")
    assert other.subject == groom.id_number
    for route, who in ((own, bride), (other, groom)):
        step = _chosen_step(route)
        assert (route.way, step.node_code, step.question) == (
            "data_sharing",
            "370100-MZ",
            "marital_status",
        )
        assert step.args == {"id_number": who.id_number}
        assert step.text_zh.startswith(
            "数据共享核验：可通过 marital_status 问题向 济南市民政局 核验"
        )
        assert step.text_en.startswith("Data sharing: can be checked with 济南市民政局")
    identity = routes["另一方当事人身份"]
    assert identity.way == "e_certificate"
    assert identity.explanation_zh == (
        "「另一方当事人身份」：电子证照：由另一方当事人出示居民身份证"
    )
    kinship = routes["双方没有直系血亲和三代以内旁系血亲关系"]
    assert kinship.way == "commitment"
    assert report.paperless


def test_a_requirement_about_a_party_not_given_has_no_route(province: Database) -> None:
    with province.session() as session:
        (bride,) = _people(session, 1, offset=2, born_before=dt.date(2000, 1, 1))
        report = resolve(session, MARRIAGE, bride.id_number)
    other = _by_description(report)["另一方当事人婚姻状况（无配偶）"]
    assert (other.way, other.subject, other.alternatives) == (None, None, [])
    assert other.explanation_zh == "「另一方当事人婚姻状况（无配偶）」：缺少当事人：另一方当事人"
    assert other.explanation_en.endswith("missing party: other party to the marriage")
    assert "另一方当事人婚姻状况（无配偶）" in report.unmet
    assert _by_description(report)["申请人婚姻状况（无配偶）"].way == "data_sharing"


def test_moving_in_checks_the_hosts_property_not_the_applicants(province: Database) -> None:
    with province.session() as session:
        owners = set(session.scalars(select(PropertyTitle.owner_id)))
        host = session.scalars(select(Person).where(Person.id_number.in_(owners))).first()
        applicant = session.scalars(
            select(Person).where(Person.id_number.not_in(owners), Person.deceased.is_(False))
        ).first()
        assert host is not None
        assert applicant is not None
        report = resolve(session, HOUSEHOLD, applicant.id_number, host=host.id_number)
    routes = _by_description(report)
    housing = routes["被投靠人在迁入地有合法稳定住所"]
    assert (housing.party, housing.subject) == ("host", host.id_number)
    step = _chosen_step(housing)
    assert (step.question, step.node_code) == ("owns_property", "370100-ZR")
    # The 被投靠人's title is asked about, never the applicant's (who owns nothing).
    assert step.args == {"id_number": host.id_number}
    kinship = _chosen_step(routes["申请人与被投靠人的亲属关系"])
    assert kinship.args == {"id_a": applicant.id_number, "id_b": host.id_number}
    assert kinship.node_code == "370100-GA"


def test_without_a_grant_the_id_cards_age_predicate_serves(
    province: Database, library_keys: KeyStore
) -> None:
    with province.session() as session:
        (elder,) = _people(session, 1, offset=0, born_before=dt.date(1950, 1, 1), single=False)
        hand_id_card(session, library_keys, elder)
    with province.session() as session:
        granted = resolve(session, ELDERLY_CARD, elder.id_number)
        # 济南市 holds the grants; 青岛市's node holds none for this item.
        ungranted = resolve(session, ELDERLY_CARD, elder.id_number, consumer="370200")
    assert [r.way for r in granted.requirements] == ["data_sharing", "data_sharing"]
    assert "age_at_least 问题向 济南市公安局 核验" in granted.requirements[0].explanation_zh
    age = ungranted.requirements[0]
    assert age.way == "e_certificate"
    refused = age.alternatives[0].evidences[0].steps[0]
    assert (refused.reason, refused.node_code) == ("no_grant", "370100-GA")
    assert "370200 → 370100-GA 的问题 age_at_least 没有任何授权" in refused.text_zh
    assert ungranted.requirements[1].way is None  # residence: by data sharing only


def test_a_provider_down_in_the_registry_closes_data_sharing_unless_hosted(
    province: Database,
) -> None:
    with province.session() as session:
        (person,) = _people(session, 1, offset=4, born_before=dt.date(2000, 1, 1))
        node = session.get(Node, "370100-MZ")
        assert node is not None
        node.status = NodeStatus.REVOKED
        session.flush()
        down = resolve(session, REAL_ESTATE, person.id_number)
        hosted = resolve(session, REAL_ESTATE, person.id_number, hosted=frozenset({"370100-MZ"}))
        session.rollback()
    status = "申请人婚姻状况（认定夫妻共同财产）"
    refused = _by_description(down)[status].alternatives[0].evidences[0].steps[0]
    assert refused.reason == "provider_unreachable"
    assert refused.text_zh == (
        "数据共享核验：节点 370100-MZ 未在节点注册表中启用并登记地址，本节点也不代其答复，"
        "无法通过 marital_status 问题向 济南市民政局 核验"
    )
    # The proof's other listed ways remain: a commitment instead of 婚姻状况证明.
    assert _by_description(down)[status].way == "commitment"
    answered = _chosen_step(_by_description(hosted)[status])
    assert answered.reason == "data_available"
    assert "由本节点代为答复" in answered.text_zh


def test_real_estate_transfer_asks_ownership_marital_status_and_tax(province: Database) -> None:
    with province.session() as session:
        owner = session.scalars(select(PropertyTitle.owner_id).limit(1)).one()
        report = resolve(session, REAL_ESTATE, owner)
    routes = _by_description(report)
    for description, question in (
        ("转让方对不动产享有所有权", "owns_property"),
        ("申请人婚姻状况（认定夫妻共同财产）", "marital_status"),
        ("已缴纳契税", "personal_tax_clear"),
    ):
        step = _chosen_step(routes[description])
        assert (routes[description].way, step.question, step.args) == (
            "data_sharing",
            question,
            {"id_number": owner},
        )
    assert _chosen_step(routes["已缴纳契税"]).node_code == "370100-SW"


def test_public_safety_items_explain_why_commitment_is_not_open(province: Database) -> None:
    with province.session() as session:
        firm = session.scalars(
            select(Firm.uscc)
            .join(TaxStanding, TaxStanding.taxpayer_id == Firm.uscc)
            .where(Firm.status == FirmStatus.ACTIVE)
            .limit(1)
        ).one()
        report = resolve(session, FIRE_SAFETY, firm)
    assert report.applicant_kind == "organisation"
    fire = report.requirements[0]
    assert fire.way == "department_verification"
    first, chosen = fire.alternatives[0].evidences[0].steps
    assert (first.way, first.available, first.reason) == ("commitment", False, "excluded_area")
    assert first.text_zh == "告知承诺：该证明事项属于公共安全领域，不适用告知承诺"
    assert chosen.text_zh == "部门核验：由窗口向消防救援机构核验，申请人无需提交"
    tax = report.requirements[1]
    assert tax.way == "data_sharing"
    assert _chosen_step(tax).args == {"uscc": firm}
    assert "国家税务总局济南市税务局" in tax.explanation_zh


def test_opening_a_business_asks_about_the_representative_and_a_firm_shareholder(
    province: Database, library_keys: KeyStore
) -> None:
    with province.session() as session:
        (founder, representative) = _people(session, 2, offset=5, born_before=dt.date(2000, 1, 1))
        hand_id_card(session, library_keys, representative)
        shareholder = session.scalars(
            select(Firm.uscc).where(Firm.status == FirmStatus.ACTIVE).limit(1)
        ).one()
    with province.session() as session:
        report = resolve(
            session,
            BUSINESS,
            founder.id_number,
            representative=representative.id_number,
            shareholder=shareholder,
        )
    routes = _by_description(report)
    identity = routes["法定代表人身份"]
    assert (identity.party, identity.subject, identity.way) == (
        "representative",
        representative.id_number,
        "e_certificate",
    )
    qualification = routes["股东（投资人）主体资格"]
    assert (qualification.party, qualification.way) == ("shareholder", "data_sharing")
    step = _chosen_step(qualification)
    assert (step.question, step.args, step.node_code) == (
        "firm_registered",
        {"uscc": shareholder},
        "370100-SJ",
    )
    # The ID card cannot be a firm's: its alternative says why not.
    card = qualification.alternatives[0].evidences[0].steps[0]
    assert card.text_zh == "电子证照：股东卡包中无居民身份证"


def test_a_question_about_a_person_is_not_asked_about_a_firm(province: Database) -> None:
    with province.session() as session:
        firm = session.scalars(select(Firm.uscc).limit(1)).one()
        report = resolve(session, REAL_ESTATE, firm)
    ownership = _by_description(report)["转让方对不动产享有所有权"]
    step = ownership.alternatives[0].evidences[0].steps[0]
    assert (step.available, step.reason) == (False, "wrong_subject_kind")
    assert step.text_zh == "数据共享核验：不动产权属只能对自然人核验"


def test_malformed_applicants_parties_and_items_are_refused(province: Database) -> None:
    with province.session() as session:
        (person,) = _people(session, 1, offset=7, born_before=dt.date(2000, 1, 1))
        with pytest.raises(InvalidInput) as caught:
            resolve(session, MARRIAGE, "123")
        assert caught.value.field == "applicant"
        assert "申请人应为公民身份号码或统一社会信用代码" in caught.value.message
        with pytest.raises(InvalidInput) as caught:
            resolve(session, MARRIAGE, person.id_number, neighbour=person.id_number)
        assert caught.value.field == "parties"
        assert "当事人角色「neighbour」应为 spouse（另一方当事人）" in caught.value.message
        with pytest.raises(InvalidInput) as caught:
            resolve(session, MARRIAGE, person.id_number, spouse="370102")
        assert caught.value.field == "parties.spouse"
        assert caught.value.message.startswith("另一方当事人应为公民身份号码或统一社会信用代码")
        with pytest.raises(procedures.ServiceItemNotFound):
            resolve(session, "NO-SUCH-ITEM", person.id_number)
