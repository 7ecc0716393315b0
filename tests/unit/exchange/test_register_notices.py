"""A register notice: the accepting node's approval, written by the register's department only
after the department has checked who sealed it, what it approves and whose item it is; and
written once, however often it arrives."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree.applications import Application, decide_application, set_result_form
from certfree.applications.notices import pending_notices
from certfree.applications.results import (
    BUSINESS_LICENCE,
    HOUSEHOLD_REGISTER,
    MARRIAGE_CERTIFICATE,
)
from certfree.auth import NODE_KEY_OWNER
from certfree.crypto import Alg, KeyStore, generate_signer, sign_jws
from certfree.errors import Conflict
from certfree.exchange.errors import NoticeRefused
from certfree.exchange.protocol.signing import Peer
from certfree.exchange.questions.adapters import SessionAdapter
from certfree.exchange.register_notices import DECISION_TYPE, apply_notice
from certfree.population import Firm, Marriage, Person, Sex, TaxStanding, register_marriage
from certfree.questions import get_question
from certfree.storage import Database
from factories import population
from factories.certificates import NOW
from factories.ready_cases import new_application

CITY, MZ, GA, SJ, SW = "370100", "370100-MZ", "370100-GA", "370100-SJ", "370100-SW"
pytestmark = pytest.mark.usefixtures("demo_registry")


def _city(keys: KeyStore, status: str = "active") -> Peer:
    """The accepting node as the department's registry lists it: its node keys."""
    verifiers = {info.kid: keys.verifier(info.kid) for info in keys.keys(NODE_KEY_OWNER)}
    return Peer(CITY, status, None, verifiers)


def _at_city(session: Session, result_type: str, **parties: str) -> Application:
    """A case of ``result_type`` accepted at the city node (not at the department)."""
    signed = {role: (who, generate_signer(Alg.ES256)) for role, who in parties.items()}
    app = new_application(session, result_type, **signed)
    app.node_code = CITY
    return app


def _decide(session: Session, keys: KeyStore, app: Application, approve: bool = True) -> None:
    decide_application(
        session,
        keys,
        app,
        actor="clerk-1",
        approve=approve,
        reason=None if approve else "不符合条件",
        requirement=None if approve else app.slots[0].position,
        base_url="http://n370100.test",
        now=NOW,
    )


def _body(app: Application, notice: dict[str, Any]) -> dict[str, Any]:
    return {
        "application": app.id,
        "service_item": app.service_code,
        "act": notice["act"],
        "record": notice["record"],
        "decision_seal": app.decision_seal,
    }


def _married(session: Session, keys: KeyStore) -> tuple[Application, dict[str, Any], Person]:
    """An approved marriage at the city; its notice to civil affairs; the groom."""
    groom = population.person(session, name="赵强", birth=dt.date(1995, 4, 2))
    bride = population.person(session, name="钱芳", sex=Sex.FEMALE, birth=dt.date(1997, 8, 9))
    app = _at_city(session, MARRIAGE_CERTIFICATE, applicant=groom.id_number, spouse=bride.id_number)
    _decide(session, keys, app)
    (notice,) = pending_notices(app)
    return app, notice, groom


def _status(session: Session, person: Person) -> str:
    answer = SessionAdapter(session).answer(
        get_question("marital_status"), {"id_number": person.id_number}, NOW.date()
    )
    return str(answer["status"])


def test_an_approved_marriage_is_written_once_into_civil_affairs_register(
    db: Database, keys: KeyStore
) -> None:
    with db.session() as session:
        app, notice, groom = _married(session, keys)
        assert (notice["to"], notice["act"]) == (MZ, "marriage_registered")
        assert notice["record"]["party_a"] == groom.id_number
        # Hosted by the city itself: the record is there already, nothing is written again.
        done = apply_notice(session, _body(app, notice), sender=_city(keys), node=MZ)
        assert (done["application"], done["written"]) == (app.id, False)
        # Civil affairs' own register, which has not heard of it yet.
        session.delete(session.scalars(select(Marriage)).one())
        session.flush()
        assert _status(session, groom) == "unmarried"

        first = apply_notice(session, _body(app, notice), sender=_city(keys), node=MZ)
        again = apply_notice(session, _body(app, notice), sender=_city(keys), node=MZ)

        assert (first["written"], again["written"]) == (True, False)
        (marriage,) = session.scalars(select(Marriage)).all()
        assert marriage.registration_no == notice["record"]["registration_no"]
        assert marriage.division_code == CITY
        assert _status(session, groom) == "married"


def test_a_decision_sealed_by_another_node_is_refused(db: Database, keys: KeyStore) -> None:
    with db.session() as session:
        app, notice, _ = _married(session, keys)
        forged = sign_jws(
            generate_signer(Alg.ES256),
            {"application": app.id, "node": CITY, "decision": "approved"},
            header={"typ": DECISION_TYPE},
        )

        with pytest.raises(NoticeRefused, match="不属于发送节点 370100") as refused:
            apply_notice(
                session,
                {**_body(app, notice), "decision_seal": forged},
                sender=_city(keys),
                node=MZ,
            )
        assert refused.value.field == "decision_seal"
        # The city's seal, but the message comes from another node (listed with the same keys).
        other = dataclasses.replace(_city(keys), code="370200")
        with pytest.raises(NoticeRefused, match="node 为 '370100'") as elsewhere:
            apply_notice(session, _body(app, notice), sender=other, node=MZ)
        assert elsewhere.value.field == "decision_seal.node"


def test_a_seal_of_another_application_or_a_refusal_is_refused(
    db: Database, keys: KeyStore
) -> None:
    with db.session() as session:
        app, notice, _ = _married(session, keys)
        with pytest.raises(NoticeRefused) as other_case:
            apply_notice(
                session,
                {**_body(app, notice), "application": "20261129-OTHER"},
                sender=_city(keys),
                node=MZ,
            )
        assert other_case.value.field == "decision_seal.application"

        a = population.person(session, birth=dt.date(1993, 1, 1))
        b = population.person(session, sex=Sex.FEMALE, birth=dt.date(1994, 1, 1))
        refused_case = _at_city(
            session, MARRIAGE_CERTIFICATE, applicant=a.id_number, spouse=b.id_number
        )
        _decide(session, keys, refused_case, approve=False)
        assert pending_notices(refused_case) == []  # a refusal writes nothing, tells nobody
        record = {**notice["record"], "party_a": a.id_number, "party_b": b.id_number}
        with pytest.raises(NoticeRefused, match="'refused'，应为 'approved'") as not_approved:
            apply_notice(
                session,
                {**_body(refused_case, notice), "record": record},
                sender=_city(keys),
                node=MZ,
            )
        assert not_approved.value.field == "decision_seal.decision"
        # A record about someone the decision does not name.
        stranger = population.person(session, birth=dt.date(1991, 1, 1))
        with pytest.raises(NoticeRefused, match="不是该办件的当事人"):
            apply_notice(
                session,
                {
                    **_body(app, notice),
                    "record": {**notice["record"], "party_b": stranger.id_number},
                },
                sender=_city(keys),
                node=MZ,
            )
        assert session.scalars(select(Marriage)).all() != []  # only the approval's


def test_a_notice_to_a_department_whose_register_or_item_it_is_not_is_refused(
    db: Database, keys: KeyStore
) -> None:
    with db.session() as session:
        app, notice, _ = _married(session, keys)
        body = _body(app, notice)
        with pytest.raises(NoticeRefused, match="不保管") as wrong_kind:
            apply_notice(session, body, sender=_city(keys), node=GA)
        assert wrong_kind.value.field == "act"
        with pytest.raises(NoticeRefused, match="不由本节点 370200-MZ") as wrong_city:
            apply_notice(session, body, sender=_city(keys), node="370200-MZ")
        assert wrong_city.value.field == "service_item"
        with pytest.raises(NoticeRefused, match="不是在册的有效节点"):
            apply_notice(session, body, sender=_city(keys, status="revoked"), node=MZ)
        with pytest.raises(NoticeRefused, match="不是在册的有效节点"):
            apply_notice(session, body, sender=None, node=MZ)


def test_a_party_married_to_someone_else_is_refused(db: Database, keys: KeyStore) -> None:
    with db.session() as session:
        app, notice, groom = _married(session, keys)
        session.delete(session.scalars(select(Marriage)).one())
        # Civil affairs' register shows the groom married elsewhere (《民法典》第一千零四十二条).
        other = population.person(session, sex=Sex.FEMALE, birth=dt.date(1996, 3, 3))
        register_marriage(
            session,
            groom.id_number,
            other.id_number,
            number="J370200-2025-X",
            division="370200",
            on=dt.date(2025, 5, 20),
        )

        with pytest.raises(Conflict, match="已登记结婚（结婚证字号 J370200-2025-X）"):
            apply_notice(session, _body(app, notice), sender=_city(keys), node=MZ)
        assert [m.registration_no for m in session.scalars(select(Marriage))] == ["J370200-2025-X"]


def test_a_new_firm_is_told_to_market_regulation_and_tax(db: Database, keys: KeyStore) -> None:
    with db.session() as session:
        rep = population.person(session, name="冯雪", sex=Sex.FEMALE, birth=dt.date(1988, 5, 5))
        app = _at_city(session, BUSINESS_LICENCE, applicant=rep.id_number)
        set_result_form(
            session,
            app,
            {
                "name": "济南泉畔试点餐饮有限公司",
                "entity_type": "有限责任公司（自然人投资或控股）",
                "address": "山东省济南市历下区泉城路1号",
                "business_scope": "餐饮服务",
            },
        )
        _decide(session, keys, app)
        notices = pending_notices(app)
        assert [(n["to"], n["act"]) for n in notices] == [
            (SJ, "firm_registered"),
            (SW, "firm_registered"),
        ]
        uscc = notices[0]["record"]["uscc"]
        session.delete(session.get(TaxStanding, uscc))
        session.delete(session.get(Firm, uscc))
        session.flush()

        written = [
            apply_notice(session, _body(app, n), sender=_city(keys), node=n["to"])["written"]
            for n in notices
        ]

        assert written == [True, False]  # market regulation wrote both registers (多证合一)
        firm = session.get(Firm, uscc)
        assert firm is not None
        assert firm.legal_rep_id == rep.id_number
        standing = session.get(TaxStanding, uscc)
        assert standing is not None
        assert standing.tax_clear


def test_a_household_move_is_told_to_public_security(db: Database, keys: KeyStore) -> None:
    with db.session() as session:
        host = population.person(session, name="王大山", birth=dt.date(1960, 10, 1))
        mother = population.person(
            session, name="李秀梅", sex=Sex.FEMALE, birth=dt.date(1938, 2, 14), county="370202"
        )
        before = mother.household_no
        app = _at_city(session, HOUSEHOLD_REGISTER, applicant=mother.id_number, host=host.id_number)
        set_result_form(session, app, {"relation_to_head": "父母"})
        _decide(session, keys, app)
        (notice,) = pending_notices(app)
        assert (notice["to"], notice["record"]) == (
            GA,
            {"id_number": mother.id_number, "household_no": host.household_no},
        )
        mother.household_no = before  # public security's register, before the notice
        session.flush()

        first = apply_notice(session, _body(app, notice), sender=_city(keys), node=GA)
        again = apply_notice(session, _body(app, notice), sender=_city(keys), node=GA)

        assert (first["written"], again["written"]) == (True, False)
        assert session.get(Person, mother.id_number).household_no == host.household_no  # type: ignore[union-attr]
