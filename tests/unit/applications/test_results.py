"""Approval issues the result certificate at once, sealed to the holder's wallet key, and
writes what it decided into the registers (marriage, new firm, household move)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree import certs
from certfree.applications import AppState, Decision, RequirementsNotMet, ResultNotIssuable
from certfree.applications.results import (
    BUSINESS_LICENCE,
    ELDERLY_CARD,
    HOUSEHOLD_REGISTER,
    MARRIAGE_CERTIFICATE,
    decide_application,
    result_form,
    set_result_form,
)
from certfree.crypto import Alg, KeyStore, Signer, generate_signer, present_sd_jwt
from certfree.errors import InvalidInput
from certfree.exchange.questions.adapters import SessionAdapter
from certfree.identifiers import parse_uscc
from certfree.population import Firm, Marriage, MarriageStatus, Person, Sex
from certfree.questions import get_question
from certfree.storage import Database
from factories import population
from factories.certificates import NOW
from factories.ready_cases import new_application

AUDIENCE, NONCE = "370100", "desk-nonce"
BASE = "http://n370100.test"


def _verify(
    session: Session, keys: KeyStore, credential: str, holder: Signer
) -> certs.VerificationResult:
    """The credential presented with ``holder``'s key, verified as a relying party does: the
    issuer's seal, the key binding and the status list."""
    shown = present_sd_jwt(credential, ["face"], holder, audience=AUDIENCE, nonce=NONCE)
    return certs.verify_presentation(
        shown,
        trust=certs.TrustList.from_keystore(keys),
        status_lists=certs.StatusLists.from_database(session, keys),
        audience=AUDIENCE,
        nonce=NONCE,
    )


def _shown(session: Session, keys: KeyStore, credential: str, holder: Signer) -> dict[str, Any]:
    """What the holder's valid presentation shows: type, issuer and the face."""
    result = _verify(session, keys, credential, holder)
    assert result.valid, result.failed
    return {"vct": result.vct, "issuer": result.issuer, **result.claims}


def _approve(session: Session, keys: KeyStore, app: Any) -> list[dict[str, Any]]:
    return decide_application(
        session, keys, app, actor="clerk-1", approve=True, base_url=BASE, now=NOW
    )


def _answer(session: Session, question: str, **args: Any) -> dict[str, Any]:
    return SessionAdapter(session).answer(get_question(question), args, NOW.date())


@pytest.mark.usefixtures("demo_registry")
def test_marriage_issues_a_certificate_to_each_party_and_registers_the_marriage(
    db: Database, keys: KeyStore
) -> None:
    husband_key, wife_key = generate_signer(Alg.ES256), generate_signer(Alg.ES256)
    with db.session() as session:
        husband = population.person(session, name="赵强", birth=dt.date(1995, 4, 2))
        wife = population.person(session, name="钱芳", sex=Sex.FEMALE, birth=dt.date(1997, 8, 9))
        assert _answer(session, "marital_status", id_number=husband.id_number) == {
            "status": "unmarried"
        }
        app = new_application(
            session,
            MARRIAGE_CERTIFICATE,
            applicant=(husband.id_number, husband_key),
            spouse=(wife.id_number, wife_key),
        )
        issued = _approve(session, keys, app)

        assert app.state is AppState.DECIDED
        assert app.decision is Decision.APPROVED
        assert [(e["holder"], e["party"]) for e in issued] == [
            (husband.id_number, "applicant"),
            (wife.id_number, "spouse"),
        ]
        assert app.issued == issued
        assert [e.action for e in app.events][-2:] == ["issue", "issue"]
        his = _shown(session, keys, issued[0]["credential"], husband_key)
        hers = _shown(session, keys, issued[1]["credential"], wife_key)
        assert his["vct"] == MARRIAGE_CERTIFICATE
        assert (his["holder_name"], his["spouse_name"]) == ("赵强", "钱芳")
        assert (hers["holder_id_number"], hers["spouse_id_number"]) == (
            wife.id_number,
            husband.id_number,
        )
        assert his["registration_no"] == hers["registration_no"]
        assert his["registered_on"] == "2026-11-29"  # Beijing day of the approval
        assert his["registration_authority"] == "济南市民政局"
        # The register now says so, to the exchange's marital_status question too.
        marriage = session.scalars(select(Marriage)).one()
        assert marriage.registration_no == his["registration_no"]
        assert marriage.status is MarriageStatus.MARRIED
        for person in (husband, wife):
            assert _answer(session, "marital_status", id_number=person.id_number) == {
                "status": "married"
            }
        # The other party's certificate does not open with the first party's key.
        stolen = _verify(session, keys, issued[1]["credential"], husband_key)
        assert [f.check for f in stolen.failed] == ["key_binding"]


@pytest.mark.usefixtures("demo_registry")
def test_a_marriage_with_a_party_from_another_city_is_registered_where_the_other_lives(
    db: Database, keys: KeyStore
) -> None:
    # 《婚姻登记条例》第四条: at the registry of either party's household.
    husband_key, wife_key = generate_signer(Alg.ES256), generate_signer(Alg.ES256)
    with db.session() as session:
        husband = population.person(session, name="周斌", birth=dt.date(1994, 1, 5))
        wife = population.person(
            session, name="吴琳", sex=Sex.FEMALE, birth=dt.date(1996, 2, 6), county="370202"
        )
        app = new_application(
            session,
            MARRIAGE_CERTIFICATE,
            applicant=(husband.id_number, husband_key),
            spouse=(wife.id_number, wife_key),
        )
        issued = _approve(session, keys, app)
        hers = _shown(session, keys, issued[1]["credential"], wife_key)
        assert hers["holder_id_number"] == wife.id_number  # a 青岛 resident
        assert hers["registration_authority"] == "济南市民政局"

        strangers = [
            population.person(session, name=name, sex=sex, birth=born, county="370202")
            for name, sex, born in (
                ("郑凯", Sex.MALE, dt.date(1993, 3, 3)),
                ("王悦", Sex.FEMALE, dt.date(1995, 5, 5)),
            )
        ]
        elsewhere = new_application(
            session,
            MARRIAGE_CERTIFICATE,
            applicant=(strangers[0].id_number, generate_signer(Alg.ES256)),
            spouse=(strangers[1].id_number, generate_signer(Alg.ES256)),
        )
        with pytest.raises(certs.HolderOutsideJurisdiction):
            _approve(session, keys, elsewhere)  # neither lives in 济南
        assert elsewhere.state is AppState.SUBMITTED  # refused before deciding


@pytest.mark.usefixtures("demo_registry")
def test_a_marriage_needs_a_man_and_a_woman_of_marriageable_age(
    db: Database, keys: KeyStore
) -> None:
    with db.session() as session:
        # NOW is 2026-11-29: he turns 22 on 2026-12-01, two days too late.
        young = population.person(session, name="冯晨", birth=dt.date(2004, 12, 1))
        bride = population.person(session, name="陈雪", sex=Sex.FEMALE, birth=dt.date(2000, 1, 1))
        other = population.person(session, name="卫东", birth=dt.date(1990, 1, 1))
        for groom, spouse, field in (
            (young, bride, "parties.applicant"),
            (other, young, "parties.spouse"),
        ):
            app = new_application(
                session,
                MARRIAGE_CERTIFICATE,
                applicant=(groom.id_number, generate_signer(Alg.ES256)),
                spouse=(spouse.id_number, generate_signer(Alg.ES256)),
            )
            with pytest.raises(RequirementsNotMet) as refused:
                _approve(session, keys, app)
            assert refused.value.field == field
            assert app.state is AppState.SUBMITTED


@pytest.mark.usefixtures("demo_registry")
def test_a_party_the_register_shows_married_is_refused_before_deciding(
    db: Database, keys: KeyStore
) -> None:
    with db.session() as session:
        husband, _, marriage = population.married_couple(session)
        other = population.person(session, name="孙丽", sex=Sex.FEMALE, birth=dt.date(1993, 1, 5))
        app = new_application(
            session,
            MARRIAGE_CERTIFICATE,
            applicant=(husband.id_number, generate_signer(Alg.ES256)),
            spouse=(other.id_number, generate_signer(Alg.ES256)),
        )
        with pytest.raises(RequirementsNotMet, match=marriage.registration_no) as caught:
            _approve(session, keys, app)
        assert caught.value.field == "parties.applicant"
        assert (app.state, app.decision, app.issued) == (AppState.SUBMITTED, None, [])
        assert session.scalars(select(Marriage)).all() == [marriage]


@pytest.mark.usefixtures("demo_registry")
def test_without_a_wallet_key_approval_is_refused_before_deciding(
    db: Database, keys: KeyStore
) -> None:
    with db.session() as session:
        elder = population.person(session, name="周德", birth=dt.date(1950, 6, 1))
        app = new_application(session, ELDERLY_CARD, applicant=(elder.id_number, None))
        with pytest.raises(ResultNotIssuable, match="尚未登记卡包公钥") as caught:
            _approve(session, keys, app)
        assert caught.value.field == "parties.applicant.holder_jwk"
        assert (app.state, app.decision, app.decision_seal) == (AppState.SUBMITTED, None, None)


@pytest.mark.usefixtures("demo_registry")
def test_elderly_card_from_the_population_register(db: Database, keys: KeyStore) -> None:
    key = generate_signer(Alg.ES256)
    with db.session() as session:
        elder = population.person(session, name="吴桂兰", sex=Sex.FEMALE, birth=dt.date(1955, 3, 8))
        app = new_application(session, ELDERLY_CARD, applicant=(elder.id_number, key))
        (entry,) = _approve(session, keys, app)
        card = _shown(session, keys, entry["credential"], key)
    assert card["vct"] == ELDERLY_CARD
    assert (card["name"], card["sex"], card["birth_date"]) == ("吴桂兰", "女", "1955-03-08")
    assert card["address"] == "济南市历下区解放路1号"  # the household's address
    assert card["card_no"] == f"370102-2026-{app.id[-8:]}"
    assert card["issuing_authority"] == "济南市卫生健康委员会"


@pytest.mark.usefixtures("demo_registry")
def test_elderly_card_for_someone_under_sixty_is_refused_before_deciding(
    db: Database, keys: KeyStore
) -> None:
    with db.session() as session:
        young = population.person(session, birth=dt.date(1970, 1, 1))
        app = new_application(
            session, ELDERLY_CARD, applicant=(young.id_number, generate_signer(Alg.ES256))
        )
        with pytest.raises(certs.FaceDataInvalid, match="年满60周岁"):
            _approve(session, keys, app)
        assert app.decision is None


FIRM = {
    "name": "济南明湖软件有限公司",
    "entity_type": "有限责任公司（自然人投资或控股）",
    "address": "山东省济南市历下区经十路100号",
    "business_scope": "软件开发；信息技术咨询服务",
    "registered_capital_wan": 50,
}


@pytest.mark.usefixtures("demo_registry")
def test_business_licence_registers_the_new_firm_and_binds_the_representative_key(
    db: Database, keys: KeyStore
) -> None:
    rep_key = generate_signer(Alg.ES256)
    with db.session() as session:
        founder = population.person(session, name="郑凯", birth=dt.date(1985, 2, 2))
        rep = population.person(session, name="冯雪", sex=Sex.FEMALE, birth=dt.date(1988, 5, 5))
        app = new_application(
            session,
            BUSINESS_LICENCE,
            applicant=(founder.id_number, generate_signer(Alg.ES256)),
            representative=(rep.id_number, rep_key),
        )
        assert set_result_form(session, app, FIRM) == FIRM
        assert result_form(app) == FIRM
        (entry,) = _approve(session, keys, app)

        uscc = parse_uscc(entry["holder"])  # a valid GB 32100 code
        assert (uscc.authority_code, uscc.entity_type_code, uscc.division_code) == (
            "9",
            "1",
            "370100",
        )
        firm = session.get(Firm, uscc.code)
        assert firm is not None
        assert (firm.name, firm.legal_rep_id) == (FIRM["name"], rep.id_number)
        # Sealed to the representative's wallet key, about the firm.
        licence = _shown(session, keys, entry["credential"], rep_key)
        assert licence["uscc"] == licence["holder_id"] == uscc.code
        assert (licence["legal_representative"], licence["registered_capital_wan"]) == ("冯雪", 50)
        assert licence["registration_authority"] == "济南市市场监督管理局"
        # Usable at once: the exchange's questions know the firm.
        assert _answer(session, "tax_clear", uscc=uscc.code) == {"tax_clear": True}
        assert _answer(session, "firm_registered", uscc=uscc.code) == {"registered": True}


@pytest.mark.usefixtures("demo_registry")
def test_business_licence_needs_the_firm_details(db: Database, keys: KeyStore) -> None:
    with db.session() as session:
        rep = population.person(session)
        app = new_application(
            session, BUSINESS_LICENCE, applicant=(rep.id_number, generate_signer(Alg.ES256))
        )
        with pytest.raises(InvalidInput, match="没有 'colour' 一项") as unknown:
            set_result_form(session, app, {**FIRM, "colour": "red"})
        assert unknown.value.field == "form.colour"
        with pytest.raises(InvalidInput, match="类型") as bad:
            set_result_form(session, app, {**FIRM, "entity_type": "贸易公司"})
        assert bad.value.field == "form.entity_type"
        with pytest.raises(ResultNotIssuable, match="缺少新设企业的登记信息") as missing:
            _approve(session, keys, app)
        assert missing.value.field == "form.name"
        assert app.decision is None
        assert session.scalars(select(Firm)).all() == []


@pytest.mark.usefixtures("demo_registry")
def test_moving_in_with_a_relative_moves_the_household_and_issues_the_entry(
    db: Database, keys: KeyStore
) -> None:
    key = generate_signer(Alg.ES256)
    with db.session() as session:
        host = population.person(session, name="王大山", birth=dt.date(1960, 10, 1))
        mother = population.person(
            session, name="李秀梅", sex=Sex.FEMALE, birth=dt.date(1938, 2, 14), county="370202"
        )
        assert _answer(session, "same_household", id_a=mother.id_number, id_b=host.id_number) == {
            "same_household": False
        }
        app = new_application(
            session,
            HOUSEHOLD_REGISTER,
            applicant=(mother.id_number, key),
            host=(host.id_number, generate_signer(Alg.ES256)),
        )
        set_result_form(session, app, {"relation_to_head": "父母"})
        (entry,) = _approve(session, keys, app)

        moved = session.get(Person, mother.id_number)
        assert moved is not None
        assert (moved.household_no, moved.address_code) == (host.household_no, "370102")
        assert _answer(session, "same_household", id_a=mother.id_number, id_b=host.id_number) == {
            "same_household": True
        }
        page = _shown(session, keys, entry["credential"], key)
    assert page["vct"] == HOUSEHOLD_REGISTER
    assert (page["household_no"], page["head_name"], page["name"]) == (
        host.household_no,
        "王大山",
        "李秀梅",
    )
    assert (page["relation_to_head"], page["household_type"]) == ("父母", "家庭户")
    assert page["birthplace"] == "山东省青岛市市南区"  # where her ID number was first issued
    assert page["issuer"] == entry["issuer"]


@pytest.mark.usefixtures("demo_registry")
def test_a_service_without_a_result_type_issues_nothing(db: Database, keys: KeyStore) -> None:
    with db.session() as session:
        someone = population.person(session)
        app = new_application(session, None, applicant=(someone.id_number, None))
        assert _approve(session, keys, app) == []
        assert app.decision is Decision.APPROVED
        assert app.issued == []
