"""Department verification (部门核验): both sides' lifecycle, deadlines, overdue, refusals."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from certfree.exchange.errors import (
    InvalidVerificationRequest,
    NotYourVerification,
    VerificationClosed,
    VerificationMismatch,
    VerificationNotFound,
)
from certfree.exchange.verification import requests as v
from certfree.exchange.verification.delivery import outgoing
from certfree.exchange.verification.models import (
    DeliveryState,
    VerificationOutcome,
    VerificationSide,
    VerificationStatus,
)
from certfree.storage import Database

DESK = "370100"
DEPT = "370200-RS"
PERSON = "370102198503141234"
FIRM = "91350100M000100Y43"
ITEM = "371A0101000000-370100000000-000-113701000100000206-1-00"
# Monday 2026-11-30 10:00 Beijing time.
MONDAY = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with db.session() as s:
        yield s


def _create(session: Session, **overrides: Any) -> Any:
    fields: dict[str, Any] = {
        "consumer": DESK,
        "department": DEPT,
        "subject_id": PERSON,
        "fact": "该申请人2019年起在本单位连续参保",
        "supporting": {"单位名称": "济南某某科技有限公司"},
        "service_item": ITEM,
        "purpose": "人才引进落户审核",
        "requested_by": "clerk-01",
        "now": MONDAY,
    }
    return v.create_request(session, **(fields | overrides))


def _deliver_in_process(session: Session, row: Any) -> Any:
    """What the department's handler does with the request body (same database here)."""
    message = outgoing(row)
    assert message is not None
    return v.record_incoming(
        session, message.body, consumer=row.consumer_code, department=message.to
    )


def test_default_deadline_is_end_of_third_working_day_beijing_time() -> None:
    # Friday 16:00 Beijing → Mon, Tue, Wed → Wednesday 24:00 Beijing = Wednesday 16:00 UTC.
    friday = dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC)
    assert v.deadline_after(friday) == dt.datetime(2026, 12, 2, 16, 0, tzinfo=dt.UTC)
    # Sunday 23:30 UTC is already Monday 07:30 in Beijing: Tue, Wed, Thu.
    late_sunday = dt.datetime(2026, 11, 29, 23, 30, tzinfo=dt.UTC)
    assert v.deadline_after(late_sunday).astimezone(v.BEIJING) == dt.datetime(
        2026, 12, 4, 0, 0, tzinfo=v.BEIJING
    )


def test_created_request_is_pending_and_queued_with_the_default_deadline(
    session: Session,
) -> None:
    row = _create(session)
    assert row.side is VerificationSide.OUTBOX
    assert row.status is VerificationStatus.PENDING
    assert row.delivery is DeliveryState.QUEUED
    assert row.deadline == v.deadline_after(MONDAY, 3)
    assert uuid.UUID(row.request_id).version == 4
    message = outgoing(row)
    assert message is not None
    assert (message.type, message.to) == ("verification.request", DEPT)
    assert message.body["fact"] == "该申请人2019年起在本单位连续参保"
    assert message.body["deadline"] == "2026-12-03T16:00:00+00:00"


def test_full_lifecycle_request_answer_record(session: Session) -> None:
    sent = _create(session, subject_id=FIRM, fact="该企业2025年度无欠缴社会保险费")
    inbox = _deliver_in_process(session, sent)
    assert inbox.side is VerificationSide.INBOX
    assert inbox.subject_id == FIRM
    assert inbox.deadline == sent.deadline
    assert [r.request_id for r in v.list_requests(session, side=VerificationSide.INBOX, node=DEPT)]

    answered = v.answer_request(
        session,
        sent.request_id,
        department=DEPT,
        outcome="confirmed",
        answered_by="rs-clerk-9",
        now=MONDAY + dt.timedelta(hours=5),
    )
    assert answered.status is VerificationStatus.ANSWERED
    assert answered.delivery is DeliveryState.QUEUED
    answer = outgoing(answered)
    assert answer is not None
    assert (answer.type, answer.to) == ("verification.answer", DESK)

    received = v.record_answer(
        session, answer.body, consumer=DESK, department=DEPT, received_jws="x.y.z"
    )
    assert received is sent
    assert received.status is VerificationStatus.ANSWERED
    assert received.outcome is VerificationOutcome.CONFIRMED
    assert received.answered_by == "rs-clerk-9"
    assert received.received_jws == "x.y.z"
    # The same answer delivered again changes nothing.
    assert v.record_answer(session, answer.body, consumer=DESK, department=DEPT) is sent


def test_overdue_is_computed_and_listed_with_an_injected_clock(session: Session) -> None:
    early = _create(session, working_days=1)
    late = _create(session, working_days=5)
    before = early.deadline - dt.timedelta(seconds=1)
    after = early.deadline + dt.timedelta(minutes=1)
    assert v.effective_status(early, before) is VerificationStatus.PENDING
    assert v.effective_status(early, after) is VerificationStatus.OVERDUE
    assert v.effective_status(late, after) is VerificationStatus.PENDING

    def overdue(now: dt.datetime) -> list[str]:
        rows = v.list_requests(
            session, side=VerificationSide.OUTBOX, node=DESK, overdue_only=True, now=now
        )
        return [r.request_id for r in rows]

    assert overdue(before) == []
    assert overdue(after) == [early.request_id]
    listed = v.list_requests(
        session,
        side=VerificationSide.OUTBOX,
        node=DESK,
        status=VerificationStatus.OVERDUE,
        now=after,
    )
    assert [r.request_id for r in listed] == [early.request_id]
    # Answered late: no longer overdue, but the answer time shows it was past the deadline.
    _deliver_in_process(session, early)
    row = v.answer_request(
        session,
        early.request_id,
        department=DEPT,
        outcome="cannot_determine",
        note="2019年参保记录在省级系统迁移前，需人工调档",
        answered_by="rs-clerk-9",
        now=after,
    )
    assert v.effective_status(row, after) is VerificationStatus.ANSWERED
    inbox_overdue = v.list_requests(
        session, side=VerificationSide.INBOX, node=DEPT, overdue_only=True, now=after
    )
    assert inbox_overdue == []
    assert overdue(after) == [early.request_id]  # the desk has not heard back yet
    v.record_answer(session, outgoing(row).body, consumer=DESK, department=DEPT)  # type: ignore[union-attr]
    assert overdue(after) == []


def test_answering_twice_is_refused(session: Session) -> None:
    sent = _create(session)
    _deliver_in_process(session, sent)
    v.answer_request(
        session, sent.request_id, department=DEPT, outcome="confirmed", answered_by="a"
    )
    with pytest.raises(VerificationClosed, match=r"已于 .* 答复为“属实”"):
        v.answer_request(
            session,
            sent.request_id,
            department=DEPT,
            outcome="not_confirmed",
            note="无记录",
            answered_by="b",
        )


def test_answering_another_departments_inbox_is_refused(session: Session) -> None:
    sent = _create(session)
    _deliver_in_process(session, sent)
    with pytest.raises(NotYourVerification, match="发给 370200-RS，370200-MZ 不能答复"):
        v.answer_request(
            session, sent.request_id, department="370200-MZ", outcome="confirmed", answered_by="a"
        )


def test_answering_from_the_outbox_side_is_not_found(session: Session) -> None:
    sent = _create(session)  # never delivered: the department's inbox does not have it
    with pytest.raises(VerificationNotFound):
        v.answer_request(
            session, sent.request_id, department=DEPT, outcome="confirmed", answered_by="a"
        )


@pytest.mark.parametrize(
    ("outcome", "note", "field", "message"),
    [
        ("yes", None, "outcome", "confirmed（属实）、not_confirmed（不属实）、cannot_determine"),
        ("not_confirmed", None, "note", "结论为“不属实”时须在说明中写明理由"),
        ("cannot_determine", "  ", "note", "结论为“无法核实”时须在说明中写明理由"),
    ],
)
def test_bad_answers_name_the_field(
    session: Session, outcome: str, note: str | None, field: str, message: str
) -> None:
    sent = _create(session)
    _deliver_in_process(session, sent)
    with pytest.raises(InvalidVerificationRequest, match=message) as caught:
        v.answer_request(
            session, sent.request_id, department=DEPT, outcome=outcome, note=note, answered_by="a"
        )
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"subject_id": "370102198503141235"}, "subject_id", "公民身份号码或统一社会信用代码"),
        ({"department": "370200"}, "department", "部门节点编码"),
        ({"department": "370200-XX"}, "department", "部门节点编码"),
        ({"fact": "  "}, "fact", "待核验事项不能为空"),
        ({"fact": "事" * 501}, "fact", "不能超过 500 个字符"),
        ({"purpose": ""}, "purpose", "用途不能为空"),
        ({"service_item": "办 事"}, "service_item", "政务服务事项编码有误"),
        ({"supporting": {"x": ["list"]}}, "supporting.x", "应为文字或数字"),
        ({"working_days": 0}, "working_days", "1 至 30 个工作日"),
        ({"deadline": MONDAY - dt.timedelta(hours=1)}, "deadline", "已过"),
        ({"deadline": dt.datetime(2026, 12, 1, 12, 0)}, "deadline", "须带时区"),
        ({"request_id": "abc"}, "request_id", "应为 UUID"),
    ],
)
def test_bad_requests_name_the_field(
    session: Session, overrides: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(InvalidVerificationRequest, match=message) as caught:
        _create(session, **overrides)
    assert caught.value.field == field


def test_explicit_deadline_is_kept_in_utc(session: Session) -> None:
    wanted = dt.datetime(2026, 12, 1, 17, 30, tzinfo=v.BEIJING)
    row = _create(session, deadline=wanted)
    assert row.deadline == wanted
    assert row.deadline.utcoffset() == dt.timedelta(0)


def test_create_is_idempotent_by_request_id(session: Session) -> None:
    rid = str(uuid.uuid4())
    first = _create(session, request_id=rid)
    assert _create(session, request_id=rid) is first
    with pytest.raises(VerificationMismatch):
        _create(session, request_id=rid, fact="另一件事")


def test_incoming_is_idempotent_and_mismatch_is_refused(session: Session) -> None:
    sent = _create(session)
    message = outgoing(sent)
    assert message is not None
    first = v.record_incoming(session, message.body, consumer=DESK, department=DEPT)
    again = v.record_incoming(session, message.body, consumer=DESK, department=DEPT)
    assert again is first
    with pytest.raises(VerificationMismatch):
        v.record_incoming(
            session, message.body | {"fact": "别的事"}, consumer=DESK, department=DEPT
        )


def test_incoming_body_is_validated_again_at_the_department(session: Session) -> None:
    sent = _create(session)
    message = outgoing(sent)
    assert message is not None
    with pytest.raises(InvalidVerificationRequest) as caught:
        v.record_incoming(
            session, message.body | {"subject_id": "123"}, consumer=DESK, department=DEPT
        )
    assert caught.value.field == "subject_id"


def test_a_different_answer_to_an_answered_request_is_refused(session: Session) -> None:
    sent = _create(session)
    _deliver_in_process(session, sent)
    answered = v.answer_request(
        session, sent.request_id, department=DEPT, outcome="confirmed", answered_by="a"
    )
    body = outgoing(answered).body  # type: ignore[union-attr]
    v.record_answer(session, body, consumer=DESK, department=DEPT)
    with pytest.raises(VerificationMismatch):
        v.record_answer(
            session,
            body | {"outcome": "not_confirmed", "note": "无记录"},
            consumer=DESK,
            department=DEPT,
        )
    with pytest.raises(NotYourVerification):
        v.record_answer(session, body, consumer=DESK, department="370200-MZ")


def test_withdrawal_closes_both_sides(session: Session) -> None:
    sent = _create(session)
    inbox = _deliver_in_process(session, sent)
    withdrawn = v.withdraw(session, sent.request_id, consumer=DESK, withdrawn_by="clerk-01")
    assert withdrawn.status is VerificationStatus.WITHDRAWN
    message = outgoing(withdrawn)
    assert message is not None
    assert message.type == "verification.withdraw"
    v.record_withdrawal(session, message.body, consumer=DESK, department=DEPT)
    assert inbox.status is VerificationStatus.WITHDRAWN
    with pytest.raises(VerificationClosed, match="已由请求方撤回"):
        v.answer_request(
            session, sent.request_id, department=DEPT, outcome="confirmed", answered_by="a"
        )
    with pytest.raises(VerificationClosed):
        v.withdraw(session, sent.request_id, consumer=DESK, withdrawn_by="clerk-01")


def test_a_late_answer_to_a_withdrawn_request_is_acknowledged_not_stored(
    session: Session,
) -> None:
    sent = _create(session)
    _deliver_in_process(session, sent)
    answered = v.answer_request(
        session, sent.request_id, department=DEPT, outcome="confirmed", answered_by="a"
    )
    body = outgoing(answered).body  # type: ignore[union-attr]
    v.withdraw(session, sent.request_id, consumer=DESK, withdrawn_by="clerk-01")
    row = v.record_answer(session, body, consumer=DESK, department=DEPT)
    assert row.status is VerificationStatus.WITHDRAWN
    assert row.outcome is None


def test_withdrawing_another_nodes_request_is_refused(session: Session) -> None:
    sent = _create(session)
    with pytest.raises(NotYourVerification):
        v.withdraw(session, sent.request_id, consumer="370300", withdrawn_by="x")


def test_get_request_prefers_the_nodes_own_side(session: Session) -> None:
    sent = _create(session)
    _deliver_in_process(session, sent)
    assert v.get_request(session, sent.request_id, node=DESK).side is VerificationSide.OUTBOX
    assert v.get_request(session, sent.request_id, node=DEPT).side is VerificationSide.INBOX
    with pytest.raises(VerificationNotFound):
        v.get_request(session, sent.request_id, node="370300")
    with pytest.raises(VerificationNotFound):
        v.get_request(session, str(uuid.uuid4()), node=DESK)


def test_lists_are_per_node_and_side(session: Session) -> None:
    mine = _create(session)
    _create(session, consumer="370300")
    _deliver_in_process(session, mine)
    outbox = v.list_requests(session, side=VerificationSide.OUTBOX, node=DESK)
    assert [r.request_id for r in outbox] == [mine.request_id]
    inbox = v.list_requests(session, side=VerificationSide.INBOX, node=DEPT)
    assert [r.request_id for r in inbox] == [mine.request_id]
    answered = v.list_requests(
        session, side=VerificationSide.INBOX, node=DEPT, status=VerificationStatus.ANSWERED
    )
    assert answered == []
