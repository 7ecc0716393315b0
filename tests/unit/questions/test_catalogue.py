"""One question catalogue: what a service item may name is what a department answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from certfree.demo.service_items import demo_specs
from certfree.exchange.errors import SubjectUnknown
from certfree.exchange.questions.adapters import SessionAdapter
from certfree.identifiers import make_uscc
from certfree.nodes import DepartmentKind
from certfree.population import FirmStatus, TaxpayerKind, TaxStanding
from certfree.procedures import EvidenceKind
from certfree.questions import get_question, validate_args
from certfree.storage import Database
from factories import population

TODAY = dt.date(2026, 12, 7)


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with db.session() as session:
        yield session


def test_every_question_a_demo_service_item_names_is_answerable() -> None:
    named = {
        evidence.ref
        for spec in demo_specs()
        for requirement in spec.requirements
        for alternative in requirement.alternatives
        for evidence in alternative
        if evidence.kind is EvidenceKind.DATA_QUESTION
    }
    assert "firm_registered" in named
    for name in named:
        assert get_question(name).binding["sql"], name


def test_firm_registered_is_answered_by_market_regulation_from_the_firm_register(
    session: Session,
) -> None:
    question = get_question("firm_registered")
    assert question.department is DepartmentKind.SJ
    assert question.subject_params == ()  # a firm's registration is not personal data
    representative = population.person(session)
    active = population.firm(session, representative=representative)
    closed = population.firm(session, representative=representative, name="济南旧厂有限公司")
    closed.status = FirmStatus.DEREGISTERED
    session.flush()
    adapter = SessionAdapter(session)

    def registered(uscc: str) -> object:
        return adapter.answer(question, validate_args(question, {"uscc": uscc}), TODAY)

    assert registered(active.uscc) == {"registered": True}
    assert registered(closed.uscc) == {"registered": False}
    with pytest.raises(SubjectUnknown):
        registered(make_uscc("9", "1", "370102", "99999999"))


def test_a_persons_tax_is_clear_unless_arrears_are_recorded(session: Session) -> None:
    question = get_question("personal_tax_clear")
    assert (question.department, question.subject_params) == (DepartmentKind.SW, ("id_number",))
    owes, never_assessed = population.person(session), population.person(session)
    session.add(
        TaxStanding(
            taxpayer_id=owes.id_number,
            taxpayer_kind=TaxpayerKind.PERSON,
            tax_clear=False,
            arrears_fen=120_000,
            assessed_on=dt.date(2026, 6, 30),
        )
    )
    session.flush()
    adapter = SessionAdapter(session)

    def clear(id_number: str) -> object:
        args = validate_args(question, {"id_number": id_number}, today=TODAY)
        return adapter.answer(question, args, TODAY)

    assert clear(owes.id_number) == {"tax_clear": False}
    assert clear(never_assessed.id_number) == {"tax_clear": True}
