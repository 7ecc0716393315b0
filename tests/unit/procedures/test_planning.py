"""The route resolver on the demo province: the cheapest way for each requirement, explained."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from certfree import procedures
from certfree.errors import InvalidInput
from certfree.identifiers import make_resident_id
from certfree.population import (
    Firm,
    FirmStatus,
    Marriage,
    MarriageStatus,
    Person,
    PropertyTitle,
    TaxStanding,
)
from certfree.procedures import RouteReport, Subject
from certfree.storage import Database

from .conftest import BUSINESS, ELDERLY_CARD, FIRE_SAFETY, HOUSEHOLD, MARRIAGE, REAL_ESTATE


def _route(db: Database, code: str, applicant: str) -> RouteReport:
    with db.session() as session:
        return procedures.resolve_routes(session, code, applicant)


def _by_description(report: RouteReport) -> dict[str, procedures.RequirementRoute]:
    return {r.description: r for r in report.requirements}


def _married(db: Database) -> str:
    with db.session() as session:
        marriage = session.scalars(
            select(Marriage).where(Marriage.status == MarriageStatus.MARRIED).limit(1)
        ).one()
        return marriage.party_a_id


def test_a_married_persons_marital_status_is_answered_by_data_sharing(province: Database) -> None:
    report = _route(province, MARRIAGE, _married(province))
    status = _by_description(report)["申请人婚姻状况（无配偶）"]
    assert status.way == "data_sharing"
    assert status.chosen_alternative == 0
    step = status.alternatives[0].evidences[0].steps[0]
    assert step.reason == "data_available"
    assert step.node_code == "370000-MZ"
    assert step.text_zh.startswith("数据共享核验：可通过 marital_status 问题向 山东省民政厅 核验")
    kinship = _by_description(report)["双方没有直系血亲和三代以内旁系血亲关系"]
    assert kinship.way == "commitment"
    reasons = [s.reason for s in kinship.alternatives[0].evidences[0].steps]
    assert reasons == ["no_data_question", "commitment_open"]
    assert report.paperless


def test_a_person_of_sixty_gets_the_elderly_card_without_paper(province: Database) -> None:
    with province.session() as session:
        old = session.scalars(
            select(Person)
            .where(Person.birth_date <= dt.date(1950, 1, 1), Person.deceased.is_(False))
            .limit(1)
        ).one()
        wallet = procedures.TableCertificateHoldings(session).held_types(
            Subject(procedures.SubjectKind.PERSON, old.id_number)
        )
    assert "11100000000013709K001" in wallet  # 老年人优待证
    report = _route(province, ELDERLY_CARD, old.id_number)
    assert [r.way for r in report.requirements] == ["data_sharing", "data_sharing"]
    assert "age_at_least 问题向 山东省公安厅 核验" in report.requirements[0].explanation_zh
    assert report.paperless


def test_an_owner_proves_ownership_by_data_sharing_and_a_non_owner_has_no_route(
    province: Database,
) -> None:
    with province.session() as session:
        owner = session.scalars(select(PropertyTitle.owner_id).limit(1)).one()
        owners = set(session.scalars(select(PropertyTitle.owner_id))) | set(
            session.scalars(select(PropertyTitle.co_owner_id))
        )
        tenant = next(p for p in session.scalars(select(Person.id_number)) if p not in owners)
    ownership = "转让方对不动产享有所有权"
    owned = _by_description(_route(province, REAL_ESTATE, owner))[ownership]
    assert owned.way == "data_sharing"
    assert owned.alternatives[0].evidences[0].steps[0].node_code == "370000-ZR"
    missing = _route(province, REAL_ESTATE, tenant)
    none = _by_description(missing)[ownership]
    assert none.way is None
    assert ownership in missing.unmet
    assert not missing.paperless
    assert "不动产登记库中没有申请人的不动产登记记录" in none.explanation_zh
    assert "电子证照：申请人卡包中无不动产权证书" in none.explanation_zh
    assert none.alternatives[0].evidences[0].steps[0].reason == "data_unavailable"
    steps = none.alternatives[1].evidences[0].steps
    assert [(s.way, s.reason) for s in steps] == [
        ("data_sharing", "data_unavailable"),
        ("e_certificate", "certificate_not_held"),
    ]


def test_public_safety_items_explain_why_commitment_is_not_open(province: Database) -> None:
    with province.session() as session:
        firm = session.scalars(
            select(Firm.uscc)
            .join(TaxStanding, TaxStanding.taxpayer_id == Firm.uscc)
            .where(Firm.status == FirmStatus.ACTIVE)
            .limit(1)
        ).one()
    report = _route(province, FIRE_SAFETY, firm)
    assert report.applicant_kind == "organisation"
    fire = report.requirements[0]
    assert fire.way == "department_verification"
    first, chosen = fire.alternatives[0].evidences[0].steps
    assert (first.way, first.available, first.reason) == ("commitment", False, "excluded_area")
    assert first.text_zh == "告知承诺：该证明事项属于公共安全领域，不适用告知承诺"
    assert chosen.text_zh == "部门核验：由窗口向消防救援机构核验，申请人无需提交"
    tax = report.requirements[1]
    assert tax.way == "data_sharing"
    assert "国家税务总局山东省税务局" in tax.explanation_zh


def test_the_wallet_decides_between_equal_alternatives(province: Database) -> None:
    applicant = _married(province)
    report = _route(province, HOUSEHOLD, applicant)
    household = _by_description(report)["申请人户籍登记信息"]
    # The household book is in the wallet (e-certificate), but data sharing via the proof item
    # comes first in the order of preference.
    assert household.way == "data_sharing"
    assert household.chosen_alternative == 1
    assert household.alternatives[0].way == "e_certificate"


def test_an_unknown_person_falls_back_to_commitment_or_has_no_route(province: Database) -> None:
    stranger = make_resident_id("370102", dt.date(1985, 5, 5), 999)
    report = _route(province, BUSINESS, stranger)
    routes = _by_description(report)
    assert routes["法定代表人身份"].way is None
    assert "申请人卡包中无居民身份证" in routes["法定代表人身份"].explanation_zh
    premises = routes["有权使用登记的住所（经营场所）"]
    assert premises.way == "commitment"
    assert (
        premises.alternatives[0]
        .evidences[0]
        .steps[0]
        .text_zh.startswith("数据共享核验：公安人口库中没有该申请人的在册记录")
    )


class _NoData:
    def coverage(self, subject, question, parameters):  # type: ignore[no-untyped-def]
        return procedures.Coverage(False, "370000-MZ", "山东省民政厅", "系统维护中")


class _Holds:
    def __init__(self, *types: str) -> None:
        self.types = frozenset(types)

    def held_types(self, subject: Subject) -> frozenset[str]:
        return self.types


def test_other_fact_sources_and_wallets_plug_in(province: Database) -> None:
    with province.session() as session:
        report = procedures.resolve_routes(
            session,
            MARRIAGE,
            _married(province),
            facts=_NoData(),
            wallet=_Holds("111000000000132071001"),
        )
    status = _by_description(report)["申请人婚姻状况（无配偶）"]
    assert status.way == "e_certificate"
    assert status.explanation_zh == "「申请人婚姻状况（无配偶）」：电子证照：申请人卡包中有结婚证"


def test_a_malformed_applicant_is_refused(province: Database) -> None:
    with province.session() as session, pytest.raises(InvalidInput) as caught:
        procedures.resolve_routes(session, MARRIAGE, "123")
    assert caught.value.field == "applicant"
    assert "申请人应为公民身份号码或统一社会信用代码" in caught.value.message
    with province.session() as session, pytest.raises(procedures.ServiceItemNotFound):
        procedures.resolve_routes(session, "NO-SUCH-ITEM", _married(province))
