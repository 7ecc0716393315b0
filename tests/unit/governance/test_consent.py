"""Consent at the consumer: preview of what will be asked, give, list, revoke, and the
snapshot attached to a question."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from certfree.demo import load_demo_items
from certfree.errors import InvalidInput
from certfree.governance import (
    ConsentNotFound,
    ConsentRevoked,
    consent_snapshot,
    consent_view,
    give,
    list_consents,
    preview,
    questions_of_service_item,
    revoke_consent,
)
from certfree.questions import get_question
from certfree.storage import Database
from factories.grants import CONSUMER, NOW, SERVICE_ITEM

SUBJECT = "11010519491231002X"
ELDERLY_CARD = "371C0401000000-370100000000-000-11370100010000063K-1-00"


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with Session(db.engine) as open_session:
        yield open_session
        open_session.rollback()


def snapshot(session: Session, question: str = "marital_status", **changes: object) -> object:
    values: dict[str, object] = {
        "subject_id": SUBJECT,
        "consumer": CONSUMER,
        "service_item": SERVICE_ITEM,
        "question": question,
        "now": NOW,
    } | changes
    return consent_snapshot(session, **values)  # type: ignore[arg-type]


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


def test_a_given_consent_covers_its_questions_until_it_expires(session: Session) -> None:
    consent = give(
        session,
        subject_id=SUBJECT.lower(),
        consumer=CONSUMER,
        service_item=SERVICE_ITEM,
        questions=[get_question("marital_status")],
        recorded_by="applicant:" + SUBJECT,
        now=NOW,
    )
    assert consent.subject_id == SUBJECT
    assert consent.expires_at == NOW + dt.timedelta(days=30)
    attached = snapshot(session)
    assert attached == {
        "id": consent.id,
        "subject_id": SUBJECT,
        "consumer": CONSUMER,
        "service_item": SERVICE_ITEM,
        "questions": ["marital_status"],
        "data_items": ["marital_status"],
        "given_at": NOW.isoformat(),
        "expires_at": (NOW + dt.timedelta(days=30)).isoformat(),
    }
    assert snapshot(session, question="same_household") is None
    assert snapshot(session, consumer="370200") is None
    assert snapshot(session, service_item="other") is None
    assert snapshot(session, now=NOW + dt.timedelta(days=30)) is None


def test_a_change_not_yet_flushed_counts_for_the_snapshot(session: Session) -> None:
    consent = give(
        session,
        subject_id=SUBJECT,
        consumer=CONSUMER,
        service_item=SERVICE_ITEM,
        questions=[get_question("marital_status")],
        recorded_by="applicant:" + SUBJECT,
        now=NOW,
    )
    assert snapshot(session) is not None
    consent.revoked_at = NOW  # pending in the session, not flushed by hand
    assert snapshot(session) is None


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
    assert snapshot(session) is None
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
