"""Consent: preview of what will be asked, give, list, revoke, and the province's attestation
that travels with a question and what it covers."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from certfree.demo import load_demo_items
from certfree.errors import InvalidInput
from certfree.governance import (
    ConsentNotFound,
    ConsentReason,
    ConsentRefused,
    ConsentRevoked,
    attest_consent,
    check_attestation,
    consent_digest,
    consent_view,
    give,
    list_consents,
    preview,
    questions_of_service_item,
    revoke_consent,
    withdrawn_attestations,
)
from certfree.questions import get_question
from certfree.storage import Database
from factories.grants import CONSUMER, ISSUER, NOW, PROVINCE, PROVINCE_SIGNER, SERVICE_ITEM

SUBJECT = "11010519491231002X"
VECTORS = Path(__file__).parents[2] / "vectors" / "sm_vectors.json"
SM3_EXAMPLE = json.loads(VECTORS.read_text(encoding="utf-8"))["sm3"][0]
ELDERLY_CARD = "371C0401000000-370100000000-000-11370100010000063K-1-00"


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with Session(db.engine) as open_session:
        yield open_session
        open_session.rollback()


def covers(token: str, question: str = "marital_status", **changes: object) -> object:
    """The attestation's id if it covers the use (``changes`` to the default one), else the
    reason the provider refuses it."""
    values: dict[str, object] = {
        "subject_id": SUBJECT,
        "consumer": CONSUMER,
        "service_item": SERVICE_ITEM,
        "question": question,
        "now": NOW,
    } | changes
    try:
        return check_attestation(token, ISSUER, **values)  # type: ignore[arg-type]
    except ConsentRefused as refused:
        return refused.reason


def test_preview_says_who_is_asked_what_in_plain_chinese(session: Session) -> None:
    load_demo_items(session, "test")
    names = questions_of_service_item(session, ELDERLY_CARD)
    assert names == ["age_at_least", "is_resident_of"]
    shown = preview(session, ELDERLY_CARD, [get_question(n) for n in names])
    assert shown["service_name"] == "老年人优待证办理"
    assert [q["department_zh"] for q in shown["questions"]] == ["公安部门", "公安部门"]
    assert shown["data_items"] == ["age_threshold", "residence"]
    text = shown["text_zh"]
    assert text.startswith("办理「老年人优待证办理」时，经您同意")
    assert "向公安部门核验「您是否已满指定周岁」，对方只答复：是否已满指定周岁" in text
    assert "不提供您的完整记录" in text
    assert "可随时撤回" in text


def _attest(session: Session, **changes: object) -> str:
    values: dict[str, object] = {
        "issuer": PROVINCE,
        "subject_id": SUBJECT.lower(),
        "consumer": CONSUMER,
        "service_item": SERVICE_ITEM,
        "questions": [get_question("marital_status")],
        "purpose": "内地居民结婚登记",
        "text": "shown",
        "now": NOW,
    } | changes
    return attest_consent(session, PROVINCE_SIGNER, **values).token  # type: ignore[arg-type]


def test_a_given_consent_covers_its_questions_until_it_expires(session: Session) -> None:
    shown = "办理「内地居民结婚登记」时，经您同意……"
    attested = attest_consent(
        session,
        PROVINCE_SIGNER,
        issuer=PROVINCE,
        subject_id=SUBJECT.lower(),
        consumer=CONSUMER,
        service_item=SERVICE_ITEM,
        questions=[get_question("marital_status")],
        purpose="内地居民结婚登记",
        text=shown,
        now=NOW,
    )
    consent = attested.consent
    assert consent.subject_id == SUBJECT
    assert consent.expires_at == NOW + dt.timedelta(days=30)
    assert consent.recorded_by == "applicant:" + SUBJECT
    assert attested.claims == {
        "iss": PROVINCE,
        "sub": SUBJECT,
        "consumer": CONSUMER,
        "service_item": SERVICE_ITEM,
        "application": None,
        "purpose": "内地居民结婚登记",
        "questions": ["marital_status"],
        "data_items": ["marital_status"],
        "iat": int(NOW.timestamp()),
        "exp": int((NOW + dt.timedelta(days=30)).timestamp()),
        "jti": consent.id,
        "consent_digest": consent_digest(shown),
    }
    # The digest is SM3 of the UTF-8 text (GB/T 32905 Annex A example 1, from the vectors).
    assert consent_digest(SM3_EXAMPLE["msg_ascii"]) == "sm3:" + SM3_EXAMPLE["digest"]
    token = attested.token
    assert covers(token) == consent.id
    assert covers(token, question="same_household") is ConsentReason.MISMATCH
    assert covers(token, consumer="370200") is ConsentReason.MISMATCH
    assert covers(token, service_item="other") is ConsentReason.MISMATCH
    assert covers(token, subject_id="370102199001010036") is ConsentReason.MISMATCH
    assert covers(token, now=NOW + dt.timedelta(days=30)) is ConsentReason.EXPIRED


def test_an_attestation_lives_at_most_90_days_and_names_its_purpose(session: Session) -> None:
    with pytest.raises(InvalidInput) as too_long:
        _attest(session, expires_at=NOW + dt.timedelta(days=91))
    assert too_long.value.field == "expires_at"
    with pytest.raises(InvalidInput) as no_purpose:
        _attest(session, purpose=" ")
    assert no_purpose.value.field == "purpose"
    assert list_consents(session, SUBJECT) == []  # nothing recorded for a refused one
    token = _attest(session, expires_at=NOW + dt.timedelta(days=90), application="A-1")
    assert covers(token, now=NOW + dt.timedelta(days=89)) != ConsentReason.EXPIRED


def test_a_change_not_yet_flushed_counts_for_the_withdrawn_list(session: Session) -> None:
    consent = give(
        session,
        subject_id=SUBJECT,
        consumer=CONSUMER,
        service_item=SERVICE_ITEM,
        questions=[get_question("marital_status")],
        recorded_by="applicant:" + SUBJECT,
        now=NOW,
    )
    assert withdrawn_attestations(session, now=NOW) == []
    consent.revoked_at = NOW  # pending in the session, not flushed by hand
    assert withdrawn_attestations(session, now=NOW) == [consent.id]
    # Once expired it is refused anyway: the registry need not list it any more.
    assert withdrawn_attestations(session, now=NOW + dt.timedelta(days=30)) == []


def test_list_and_revoke_own_consents(session: Session) -> None:
    first = give(
        session,
        subject_id=SUBJECT,
        consumer=CONSUMER,
        service_item=SERVICE_ITEM,
        questions=[get_question("marital_status")],
        recorded_by="clerk-1",
        now=NOW - dt.timedelta(days=1),
    )
    second = give(
        session,
        subject_id=SUBJECT,
        consumer=CONSUMER,
        service_item=ELDERLY_CARD,
        questions=[get_question("age_at_least")],
        recorded_by="clerk-1",
    )
    assert [c.id for c in list_consents(session, SUBJECT)] == [second.id, first.id]
    with pytest.raises(ConsentNotFound):
        revoke_consent(session, first.id, subject_id="370102199001010036")
    revoke_consent(session, first.id, subject_id=SUBJECT)
    assert consent_view(first)["state"] == "revoked"
    assert withdrawn_attestations(session, now=NOW) == [first.id]
    assert [c.id for c in list_consents(session, SUBJECT, include_inactive=False)] == [second.id]
    with pytest.raises(ConsentRevoked):
        revoke_consent(session, first.id)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"subject_id": "110105194912310021"}, "subject_id"),
        ({"questions": []}, "questions"),
        ({"expires_at": NOW - dt.timedelta(seconds=1)}, "expires_at"),
    ],
)
def test_bad_consents_name_the_field(
    session: Session, changes: dict[str, object], field: str
) -> None:
    values: dict[str, object] = {
        "subject_id": SUBJECT,
        "consumer": CONSUMER,
        "service_item": SERVICE_ITEM,
        "questions": [get_question("marital_status")],
        "recorded_by": "test",
        "now": NOW,
    } | changes
    with pytest.raises(InvalidInput) as caught:
        give(session, **values)  # type: ignore[arg-type]
    assert caught.value.field == field
