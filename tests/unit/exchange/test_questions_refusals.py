"""Every reason a provider refuses a question: 403 with a named reason, 404 or 422; among them
each consent attestation a dishonest consumer could make, alter or carry onto another use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from certfree.catalog import GrantReason, GrantRefused, revoke_grant
from certfree.crypto import generate_signer, sign_jws
from certfree.errors import Forbidden
from certfree.exchange.errors import (
    QuestionArgsInvalid,
    QuestionNotFound,
    QuestionNotOffered,
)
from certfree.exchange.questions.catalogue import answer_question
from certfree.governance import (
    ATTESTATION_TYP,
    ConsentIssuer,
    ConsentReason,
    ConsentRefused,
    revoke_consent,
    withdrawn_attestations,
)
from certfree.storage import Database
from factories import population
from factories.grants import (
    CONSUMER,
    ISSUER,
    NOW,
    PROVINCE,
    PROVINCE_SIGNER,
    SERVICE_ITEM,
    consent_for,
    grant_for,
    provider_of,
)
from helpers.consent_forgery import claims_of, resigned, tampered

OTHER_ITEM = "371A0201000000-370100000000-000-11370100010000012B-1-00"
MZ = provider_of("marital_status")


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with Session(db.engine) as open_session:
        yield open_session
        open_session.rollback()


@pytest.fixture
def subject(session: Session) -> str:
    return population.person(session).id_number


def body(subject: str, consent: Any = None, **changes: Any) -> dict[str, Any]:
    return {
        "question": "marital_status",
        "args": {"id_number": subject},
        "service_item": SERVICE_ITEM,
        "purpose": "结婚登记核验婚姻状况",
        "consent": consent,
    } | changes


def ask(
    session: Session,
    payload: dict[str, Any],
    provider: str = MZ,
    issuer: ConsentIssuer | None = ISSUER,
) -> dict[str, Any]:
    return answer_question(
        session, consumer=CONSUMER, provider=provider, body=payload, issuer=issuer, now=NOW
    )


def grant_reason(session: Session, payload: dict[str, Any]) -> GrantReason:
    with pytest.raises(GrantRefused) as caught:
        ask(session, payload)
    assert caught.value.status == 403
    assert caught.value.problem_extensions() == {"reason": caught.value.reason.value}
    return caught.value.reason


def consent_reason(
    session: Session, payload: dict[str, Any], issuer: ConsentIssuer | None = ISSUER
) -> ConsentReason:
    with pytest.raises(ConsentRefused) as caught:
        ask(session, payload, issuer=issuer)
    assert isinstance(caught.value, Forbidden)
    assert caught.value.problem_extensions() == {"reason": caught.value.reason.value}
    assert caught.value.reason.en in caught.value.message  # Chinese first, then English
    return caught.value.reason


def test_no_grant(session: Session, subject: str) -> None:
    grant_for(session, "marital_status", consumer="370200")
    assert grant_reason(session, body(subject)) is GrantReason.NO_GRANT


def test_grant_for_another_service_item_is_the_wrong_purpose(
    session: Session, subject: str
) -> None:
    grant_for(session, "marital_status", service_item=OTHER_ITEM)
    with pytest.raises(GrantRefused) as caught:
        ask(session, body(subject))
    assert caught.value.reason is GrantReason.WRONG_PURPOSE
    assert OTHER_ITEM in caught.value.message


def test_revoked_grant(session: Session, subject: str) -> None:
    grant = grant_for(session, "marital_status")
    revoke_grant(session, grant.id, revoked_by="bureau")
    assert grant_reason(session, body(subject)) is GrantReason.REVOKED


def test_expired_and_not_yet_valid_grants(session: Session, subject: str) -> None:
    grant_for(session, "marital_status", valid_from=NOW + dt.timedelta(days=1))
    assert grant_reason(session, body(subject)) is GrantReason.NOT_YET_VALID
    grant_for(
        session,
        "marital_status",
        valid_from=NOW - dt.timedelta(days=30),
        valid_to=NOW - dt.timedelta(days=1),
    )
    assert grant_reason(session, body(subject)) is GrantReason.EXPIRED


def test_grant_without_the_answers_data_item(session: Session) -> None:
    owner = population.person(session).id_number
    grant_for(session, "owns_property", data_items=["property_count"])
    consent = consent_for(session, owner, "owns_property")
    payload = body(owner, consent, question="owns_property")
    with pytest.raises(GrantRefused) as caught:
        ask(session, payload, provider=provider_of("owns_property"))
    assert caught.value.reason is GrantReason.DATA_ITEM_NOT_ALLOWED
    assert "property_ownership" in caught.value.message


def test_asking_for_a_data_item_beyond_the_grant(session: Session) -> None:
    owner = population.person(session).id_number
    grant_for(session, "owns_property")
    consent = consent_for(session, owner, "owns_property")
    payload = body(owner, consent, question="owns_property", data_items=["property_count"])
    with pytest.raises(GrantRefused) as caught:
        ask(session, payload, provider=provider_of("owns_property"))
    assert caught.value.reason is GrantReason.DATA_ITEM_NOT_ALLOWED
    assert "property_count" in caught.value.message
    foreign = body(owner, consent, question="owns_property", data_items=["tax_clear"])
    with pytest.raises(QuestionArgsInvalid) as wrong:
        ask(session, foreign, provider=provider_of("owns_property"))
    assert wrong.value.field == "data_items"


def test_no_consent(session: Session, subject: str) -> None:
    grant_for(session, "marital_status")
    with pytest.raises(ConsentRefused) as caught:
        ask(session, body(subject))
    assert caught.value.reason is ConsentReason.NO_CONSENT
    assert subject not in caught.value.message  # refusals show only a masked number


@pytest.mark.parametrize(
    ("questions", "consent_changes", "field"),
    [
        (["marital_status"], {"consumer": "370200"}, "使用方"),
        (["marital_status"], {"service_item": OTHER_ITEM}, "服务事项"),
        (["same_household"], {}, "不含问题"),
    ],
)
def test_a_genuine_consent_for_another_use_does_not_cover(
    session: Session,
    subject: str,
    questions: list[str],
    consent_changes: dict[str, Any],
    field: str,
) -> None:
    grant_for(session, "marital_status")
    attested = consent_for(session, subject, *questions, **consent_changes)
    with pytest.raises(ConsentRefused) as caught:
        ask(session, body(subject, [attested]))
    assert caught.value.reason is ConsentReason.MISMATCH
    assert field in caught.value.message


def test_consent_of_another_person_does_not_cover(session: Session, subject: str) -> None:
    grant_for(session, "marital_status")
    other = population.person(session).id_number
    assert consent_reason(
        session, body(subject, [consent_for(session, other, "marital_status")])
    ) is (ConsentReason.MISMATCH)


def test_expired_and_malformed_consents(session: Session, subject: str) -> None:
    grant_for(session, "marital_status")
    expired = consent_for(
        session,
        subject,
        "marital_status",
        given_at=NOW - dt.timedelta(days=40),
        expires_at=NOW - dt.timedelta(days=10),
    )
    assert consent_reason(session, body(subject, [expired])) is ConsentReason.EXPIRED
    genuine = consent_for(session, subject, "marital_status")
    later = int((NOW + dt.timedelta(hours=1)).timestamp())
    not_yet = resigned(genuine, PROVINCE_SIGNER, iat=later)
    assert consent_reason(session, body(subject, [not_yet])) is ConsentReason.EXPIRED
    without_exp = {k: v for k, v in claims_of(genuine).items() if k != "exp"}
    broken = _signed(without_exp)
    assert consent_reason(session, body(subject, [broken])) is ConsentReason.MALFORMED
    assert consent_reason(session, body(subject, ["not.a-jws"])) is ConsentReason.MALFORMED
    assert consent_reason(session, body(subject, ["x" * 40])) is ConsentReason.MALFORMED
    wrong_typ = _signed(claims_of(genuine), typ="JWT")
    assert consent_reason(session, body(subject, [wrong_typ])) is ConsentReason.MALFORMED


def _signed(claims: dict[str, Any], typ: str = ATTESTATION_TYP) -> str:
    return sign_jws(PROVINCE_SIGNER, claims, header={"typ": typ})


def test_a_consent_the_consumer_signs_itself_is_forged(session: Session, subject: str) -> None:
    """A consumer that never saw the person consent makes the attestation with its own key,
    naming the province as issuer: the provider refuses it, and answers nothing."""
    grant_for(session, "marital_status")
    genuine = consent_for(session, subject, "marital_status")
    own_key = generate_signer()
    forged = resigned(genuine, own_key)
    with pytest.raises(ConsentRefused) as caught:
        ask(session, body(subject, [forged]))
    assert caught.value.reason is ConsentReason.FORGED
    assert PROVINCE in caught.value.message
    # A key with the province's kid in its header fails the signature itself.
    posing = resigned(genuine, own_key)
    header = _signed({}).split(".")[0]
    posing = ".".join([header, *posing.split(".")[1:]])
    assert consent_reason(session, body(subject, [posing])) is ConsentReason.FORGED
    # The province's key naming another issuer is not the province's attestation either.
    other_issuer = resigned(genuine, PROVINCE_SIGNER, iss="370200")
    assert consent_reason(session, body(subject, [other_issuer])) is ConsentReason.FORGED


@pytest.mark.parametrize(
    "changes",
    [
        {"questions": ["marital_status", "same_household"]},  # widened to another question
        {"consumer": "370200"},
        {"service_item": OTHER_ITEM},
        {"exp": int((NOW + dt.timedelta(days=3650)).timestamp())},  # a longer life
        {"sub": "11010519491231002X"},  # another person
    ],
)
def test_an_altered_genuine_consent_is_forged(
    session: Session, subject: str, changes: dict[str, Any]
) -> None:
    grant_for(session, "marital_status")
    genuine = consent_for(session, subject, "marital_status")
    assert ask(session, body(subject, [genuine]))["result"] == {"status": "unmarried"}
    altered = tampered(genuine, **changes)
    payload = body(changes.get("sub", subject), [altered])
    assert consent_reason(session, payload) is ConsentReason.FORGED


def test_without_the_provinces_key_a_consent_cannot_be_checked(
    session: Session, subject: str
) -> None:
    grant_for(session, "marital_status")
    genuine = consent_for(session, subject, "marital_status")
    payload = body(subject, [genuine])
    assert consent_reason(session, payload, issuer=None) is ConsentReason.UNVERIFIABLE
    keyless = ConsentIssuer(PROVINCE, {})
    assert consent_reason(session, payload, issuer=keyless) is ConsentReason.UNVERIFIABLE


def test_a_withdrawn_consent_is_refused_once_the_registry_lists_it(
    session: Session, subject: str
) -> None:
    grant_for(session, "marital_status")
    attested = consent_for(session, subject, "marital_status")
    revoke_consent(session, claims_of(attested)["jti"])
    withdrawn = frozenset(withdrawn_attestations(session, now=NOW))
    assert withdrawn == {claims_of(attested)["jti"]}
    issuer = ConsentIssuer(PROVINCE, ISSUER.keys, withdrawn)
    assert consent_reason(session, body(subject, [attested]), issuer) is ConsentReason.REVOKED


def test_both_parties_must_consent_to_same_household(session: Session) -> None:
    husband, wife, _ = population.married_couple(session)
    grant_for(session, "same_household")
    only_one = consent_for(session, husband.id_number, "same_household")
    payload = body(
        husband.id_number,
        [only_one],
        question="same_household",
        args={"id_a": husband.id_number, "id_b": wife.id_number},
    )
    with pytest.raises(ConsentRefused) as caught:
        ask(session, payload, provider=provider_of("same_household"))
    assert caught.value.reason is ConsentReason.NO_CONSENT


def test_a_grant_citing_a_law_needs_no_consent(session: Session, subject: str) -> None:
    basis = "《个人信息保护法》第十三条第一款第（三）项：为履行法定职责所必需"
    grant_for(session, "marital_status", consent_exempt_basis=basis)
    answer = ask(session, body(subject))
    assert answer["result"] == {"status": "unmarried"}
    assert answer["legal_basis"] == basis
    assert answer["consent_id"] is None


def test_questions_outside_the_providers_department_or_unknown(
    session: Session, subject: str
) -> None:
    grant_for(session, "marital_status", provider="370100-GA")
    with pytest.raises(QuestionNotOffered) as offered:
        ask(session, body(subject), provider="370100-GA")
    assert "民政" in offered.value.message
    with pytest.raises(QuestionNotFound) as unknown:
        ask(session, body(subject, question="credit_score"))
    assert "marital_status" in unknown.value.message


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"question": None}, "question"),
        ({"args": ["370102"]}, "args"),
        ({"service_item": ""}, "service_item"),
        ({"consent": "yes"}, "consent"),
    ],
)
def test_malformed_bodies(
    session: Session, subject: str, changes: dict[str, Any], field: str
) -> None:
    grant_for(session, "marital_status")
    with pytest.raises(QuestionArgsInvalid) as caught:
        ask(session, body(subject, **changes))
    assert caught.value.field == field
