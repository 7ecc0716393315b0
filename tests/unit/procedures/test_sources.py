"""The demo province's FactSource and CertificateHoldings answer from the departments' own
tables."""

from __future__ import annotations

from sqlalchemy import select

from certfree import procedures
from certfree.population import (
    DrivingLicence,
    Firm,
    FirmStatus,
    InsuranceEnrolment,
    PropertyTitle,
)
from certfree.procedures import Subject, SubjectKind
from certfree.questions import get_question
from certfree.storage import Database

from .conftest import BUSINESS_LICENCE, DRIVING_LICENCE, ID_CARD, PROPERTY_CERT


def _person(id_number: str) -> Subject:
    return Subject(SubjectKind.PERSON, id_number)


def test_wallet_holds_what_the_tables_show(province: Database) -> None:
    with province.session() as session:
        licence = session.scalars(select(DrivingLicence).limit(1)).one()
        firm = session.scalars(select(Firm).where(Firm.status == FirmStatus.ACTIVE).limit(1)).one()
        wallet = procedures.TableCertificateHoldings(session)
        held = wallet.held_types(_person(licence.id_number))
        firm_held = wallet.held_types(Subject(SubjectKind.ORGANISATION, firm.uscc))
    assert {ID_CARD, DRIVING_LICENCE} <= held
    assert firm_held == {BUSINESS_LICENCE}


def test_fact_source_names_the_answering_department_node(province: Database) -> None:
    with province.session() as session:
        licence = session.scalars(select(DrivingLicence).limit(1)).one()
        source = procedures.TableFactSource(session)
        has = source.coverage(
            _person(licence.id_number),
            get_question("has_driving_licence"),
            {"class": licence.licence_class.value},
        )
        other_class = "A1" if licence.licence_class.value != "A1" else "C1"
        lacks = source.coverage(
            _person(licence.id_number),
            get_question("has_driving_licence"),
            {"class": other_class},
        )
        enrolled = session.scalars(select(InsuranceEnrolment.id_number).limit(1)).one()
        insured = source.coverage(_person(enrolled), get_question("social_insurance_enrolled"), {})
        firm = session.scalars(select(Firm.uscc).limit(1)).one()
        not_for_firms = source.coverage(
            Subject(SubjectKind.ORGANISATION, firm), get_question("marital_status"), {}
        )
    assert (has.available, has.node_code, has.department) == (True, "370000-GA", "山东省公安厅")
    assert has.reason_zh == "车驾管系统中有申请人的驾驶证记录"
    assert not lacks.available
    assert lacks.reason_zh == "车驾管系统中没有申请人的驾驶证记录"
    assert insured.available
    assert insured.department == "山东省人力资源和社会保障厅"
    assert not not_for_firms.available
    assert not_for_firms.reason_zh == "婚姻状况只能对自然人核验"


def test_property_certificate_follows_the_titles(province: Database) -> None:
    with province.session() as session:
        title = session.scalars(
            select(PropertyTitle).where(PropertyTitle.co_owner_id.is_not(None)).limit(1)
        ).one()
        wallet = procedures.TableCertificateHoldings(session)
        assert PROPERTY_CERT in wallet.held_types(_person(title.owner_id))
        assert PROPERTY_CERT in wallet.held_types(_person(title.co_owner_id or ""))
