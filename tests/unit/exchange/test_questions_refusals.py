"""Every reason a provider refuses a question: 403 with a named reason, 404 or 422."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from certfree.catalog import GrantReason, GrantRefused, revoke_grant
from certfree.errors import Forbidden
from certfree.exchange.errors import (
    QuestionArgsInvalid,
    QuestionNotFound,
    QuestionNotOffered,
)
from certfree.exchange.questions import answer_question
from certfree.governance import ConsentReason, ConsentRefused, revoke_consent
from certfree.storage import Database
from factories import population
from factories.grants import CONSUMER, NOW, SERVICE_ITEM, consent_for, grant_for, provider_of

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


def ask(session: Session, payload: dict[str, Any], provider: str = MZ) -> dict[str, Any]:
    return answer_question(session, consumer=CONSUMER, provider=provider, body=payload, now=NOW)


def grant_reason(session: Session, payload: dict[str, Any]) -> GrantReason:
    with pytest.raises(GrantRefused) as caught:
        ask(session, payload)
    assert caught.value.status == 403
    assert caught.value.problem_extensions() == {"reason": caught.value.reason.value}
    return caught.value.reason


def consent_reason(session: Session, payload: dict[str, Any]) -> ConsentReason:
    with pytest.raises(ConsentRefused) as caught:
        ask(session, payload)
    assert isinstance(caught.value, Forbidden)
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
    ("consent_changes", "field"),
    [
        ({"consumer": "370200"}, "使用方"),
        ({"service_item": OTHER_ITEM}, "服务事项"),
        ({"questions": ["same_household"]}, "不含问题"),
    ],
)
def test_consent_for_another_use_does_not_cover(
    session: Session, subject: str, consent_changes: dict[str, Any], field: str
) -> None:
    grant_for(session, "marital_status")
    snapshot = consent_for(session, subject, "marital_status") | consent_changes
    with pytest.raises(ConsentRefused) as caught:
        ask(session, body(subject, snapshot))
    assert caught.value.reason is ConsentReason.MISMATCH
    assert field in caught.value.message


def test_consent_of_another_person_does_not_cover(session: Session, subject: str) -> None:
    grant_for(session, "marital_status")
    other = population.person(session).id_number
    assert consent_reason(
        session, body(subject, consent_for(session, other, "marital_status"))
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
    assert consent_reason(session, body(subject, expired)) is ConsentReason.EXPIRED
    broken = {k: v for k, v in expired.items() if k != "expires_at"}
    assert consent_reason(session, body(subject, broken)) is ConsentReason.MALFORMED


def test_a_revoked_consent_is_not_attached_by_the_consumer(session: Session, subject: str) -> None:
    from certfree.governance import consent_snapshot  # noqa: PLC0415

    grant_for(session, "marital_status")
    snapshot = consent_for(session, subject, "marital_status")
    revoke_consent(session, snapshot["id"])
    attached = consent_snapshot(
        session,
        subject_id=subject,
        consumer=CONSUMER,
        service_item=SERVICE_ITEM,
        question="marital_status",
        now=NOW,
    )
    assert attached is None
    assert consent_reason(session, body(subject, attached)) is ConsentReason.NO_CONSENT


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
