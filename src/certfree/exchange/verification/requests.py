"""Department verification (部门核验): when no question covers a fact, ask the department.

A desk clerk at a consumer node writes the fact to verify in plain words ("该申请人2019年起在
本单位连续参保") about one subject (GB 11643 ID number or GB 32100 USCC), for a service item
and purpose, with a deadline (three working days by default). The request goes to the
department node as a ``verification.request`` message; a clerk there answers ``confirmed``,
``not_confirmed`` or ``cannot_determine`` with a note, and the answer comes back as
``verification.answer``. A pending request past its deadline is *overdue*; that is computed,
never stored, so it needs no scheduler.

This module is the state of both sides, synchronous over one :class:`Session`; sending the
messages lives in :mod:`certfree.exchange.verification.delivery`. Everything that arrives
from a peer is validated again here: a department never trusts the consumer's checks.

Fields are checked in :mod:`certfree.exchange.verification.fields`, which also counts the
deadline in working days (Beijing time; public holidays not modelled).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from certfree.exchange.errors import (
    NotYourVerification,
    VerificationClosed,
    VerificationMismatch,
    VerificationNotFound,
)
from certfree.exchange.verification import fields as vf
from certfree.exchange.verification.fields import BEIJING, deadline_after
from certfree.exchange.verification.models import (
    DeliveryState,
    DeptVerification,
    VerificationOutcome,
    VerificationSide,
    VerificationStatus,
)
from certfree.storage import utcnow

# The tables' names are re-exported so that adapters (api, cli) use this module alone.
__all__ = [
    "BEIJING",
    "DeliveryState",
    "DeptVerification",
    "VerificationOutcome",
    "VerificationSide",
    "VerificationStatus",
    "answer_request",
    "create_request",
    "deadline_after",
    "effective_status",
    "find_request",
    "get_request",
    "list_requests",
    "record_answer",
    "record_incoming",
    "record_withdrawal",
    "withdraw",
]


def effective_status(row: DeptVerification, now: dt.datetime | None = None) -> VerificationStatus:
    """The stored status, or ``overdue`` for a pending request past its deadline."""
    if row.status is VerificationStatus.PENDING and (now or utcnow()) >= row.deadline:
        return VerificationStatus.OVERDUE
    return row.status


def find_request(
    session: Session, request_id: str, side: VerificationSide
) -> DeptVerification | None:
    """One side's copy of a request (``request_id`` in canonical form), or None."""
    return session.scalar(
        select(DeptVerification).where(
            DeptVerification.request_id == request_id, DeptVerification.side == side
        )
    )


def _owner(side: VerificationSide) -> InstrumentedAttribute[str]:
    """The column naming the node a side's copy belongs to: the asker's or the department's."""
    if side is VerificationSide.OUTBOX:
        return DeptVerification.consumer_code
    return DeptVerification.department_code


def _store(
    session: Session, rid: str, side: VerificationSide, fields: Mapping[str, Any], **state: Any
) -> DeptVerification:
    """A new copy with ``fields``; the existing one if it has the same (a retried message).

    VerificationMismatch if ``rid`` is already used on this side with other content.
    """
    existing = find_request(session, rid, side)
    if existing is not None:
        if all(getattr(existing, name) == value for name, value in fields.items()):
            return existing
        raise VerificationMismatch(f"请求编号 {rid} 已用于另一项核验请求", field="request_id")
    row = DeptVerification(
        request_id=rid,
        side=side,
        status=VerificationStatus.PENDING,
        delivery_attempts=0,
        **fields,
        **state,
    )
    session.add(row)
    session.flush()
    return row


def _queue(row: DeptVerification) -> None:
    """This side now owes its peer a message: a fresh delivery, whatever came before."""
    row.delivery = DeliveryState.QUEUED
    row.delivery_attempts = 0
    row.last_delivery_error = None


def create_request(
    session: Session,
    *,
    consumer: str,
    department: str,
    subject_id: str,
    fact: str,
    service_item: str,
    purpose: str,
    requested_by: str,
    supporting: Mapping[str, Any] | None = None,
    deadline: dt.datetime | None = None,
    working_days: int | None = None,
    request_id: str | None = None,
    now: dt.datetime | None = None,
) -> DeptVerification:
    """A new outbox request, pending and queued for delivery to ``department``.

    The deadline is ``deadline`` if given (it must lie ahead), else ``working_days`` (default
    3) working days on. Giving the ``request_id`` of an existing request with the same content
    returns that request (a retried submission); with other content raises VerificationMismatch.
    """
    now = now or utcnow()
    if deadline is not None and working_days is not None:
        raise vf.invalid("办理时限与截止时间只能给出其一", "deadline")
    if deadline is None:
        deadline = deadline_after(
            now, vf.DEFAULT_WORKING_DAYS if working_days is None else working_days
        )
    elif deadline.tzinfo is None:
        raise vf.invalid("截止时间须带时区（例如 +08:00）", "deadline")
    elif deadline <= now:
        raise vf.invalid(f"截止时间 {deadline.astimezone(BEIJING):%Y-%m-%d %H:%M} 已过", "deadline")
    elif deadline > deadline_after(now, vf.MAX_WORKING_DAYS):
        raise vf.invalid(f"截止时间不能晚于 {vf.MAX_WORKING_DAYS} 个工作日之后", "deadline")
    fields: dict[str, Any] = {
        "consumer_code": consumer,
        "department_code": vf.department_code(department),
        "subject_id": vf.parse_subject_id(subject_id),
        "fact": vf.text(fact, "fact", "待核验事项", vf.MAX_FACT),
        "supporting": vf.supporting(supporting),
        "service_item": vf.service_item(service_item),
        "purpose": vf.text(purpose, "purpose", "用途", 255),
        "requested_by": vf.text(requested_by, "requested_by", "申请核验人", 128),
    }
    rid = vf.request_id(request_id) if request_id is not None else str(uuid.uuid4())
    return _store(
        session,
        rid,
        VerificationSide.OUTBOX,
        fields,
        requested_at=now,
        deadline=deadline.astimezone(dt.UTC),
        delivery=DeliveryState.QUEUED,
    )


def record_incoming(
    session: Session,
    body: Mapping[str, Any],
    *,
    consumer: str,
    department: str,
    received_jws: str | None = None,
    now: dt.datetime | None = None,
) -> DeptVerification:
    """Store a ``verification.request`` body in ``department``'s inbox; idempotent by id.

    The same request delivered twice is stored once; its id reused with other content raises
    VerificationMismatch. Every field is validated again (InvalidVerificationRequest).
    """
    rid = vf.request_id(body.get("request_id"))
    fields: dict[str, Any] = {
        "consumer_code": consumer,
        "department_code": department,
        "subject_id": vf.parse_subject_id(str(body.get("subject_id", ""))),
        "fact": vf.text(body.get("fact"), "fact", "待核验事项", vf.MAX_FACT),
        "supporting": vf.supporting(body.get("supporting")),
        "service_item": vf.text(body.get("service_item"), "service_item", "政务服务事项编码", 96),
        "purpose": vf.text(body.get("purpose"), "purpose", "用途", 255),
        "requested_by": vf.text(body.get("requested_by"), "requested_by", "申请核验人", 128),
        "deadline": vf.instant(body.get("deadline"), "deadline"),
    }
    requested_at = body.get("requested_at", (now or utcnow()).isoformat())
    return _store(
        session,
        rid,
        VerificationSide.INBOX,
        fields,
        requested_at=vf.instant(requested_at, "requested_at"),
        delivery=DeliveryState.NOTHING,
        received_jws=received_jws,
    )


def _open(row: DeptVerification) -> None:
    if row.status is VerificationStatus.ANSWERED:
        assert row.outcome is not None
        raise VerificationClosed(
            f"核验请求 {row.request_id} 已于 {row.answered_at:%Y-%m-%d %H:%M} UTC 答复为"
            f"“{row.outcome.zh}”，不能再次答复或撤回"
        )
    if row.status is VerificationStatus.WITHDRAWN:
        raise VerificationClosed(f"核验请求 {row.request_id} 已由请求方撤回")


def answer_request(
    session: Session,
    request_id: str,
    *,
    department: str,
    outcome: str,
    answered_by: str,
    note: str | None = None,
    now: dt.datetime | None = None,
) -> DeptVerification:
    """The department's answer to a request in its inbox; queued for delivery to the consumer.

    Raises VerificationNotFound (no such request in this node's inbox), NotYourVerification
    (it was addressed to another department), VerificationClosed (already answered or
    withdrawn) and InvalidVerificationRequest (outcome not one of the three, missing note).
    """
    row = find_request(session, vf.request_id(request_id), VerificationSide.INBOX)
    if row is None:
        raise VerificationNotFound(f"本节点待办中没有核验请求 {request_id}", field="request_id")
    if row.department_code != department:
        raise NotYourVerification(
            f"核验请求 {request_id} 发给 {row.department_code}，{department} 不能答复"
        )
    _open(row)
    parsed = vf.outcome(outcome)
    row.note = vf.note_for(parsed, note)
    row.outcome = parsed
    row.answered_by = vf.text(answered_by, "answered_by", "答复人", 128)
    row.answered_at = now or utcnow()
    row.status = VerificationStatus.ANSWERED
    _queue(row)
    session.flush()
    return row


def record_answer(
    session: Session,
    body: Mapping[str, Any],
    *,
    consumer: str,
    department: str,
    received_jws: str | None = None,
) -> DeptVerification:
    """Store a ``verification.answer`` from ``department`` in ``consumer``'s outbox.

    Idempotent: the same answer again changes nothing; a different answer to an answered
    request raises VerificationMismatch. An answer to a withdrawn request is not stored (the
    department had not yet learnt of the withdrawal) and the row is returned unchanged.
    """
    rid = vf.request_id(body.get("request_id"))
    row = find_request(session, rid, VerificationSide.OUTBOX)
    if row is None or row.consumer_code != consumer:
        raise VerificationNotFound(f"本节点没有发出过核验请求 {rid}", field="request_id")
    if row.department_code != department:
        raise NotYourVerification(f"核验请求 {rid} 发给 {row.department_code}，不是 {department}")
    outcome = vf.outcome(body.get("outcome"))
    note = vf.note_for(outcome, body.get("note"))
    answered_by = vf.text(body.get("answered_by"), "answered_by", "答复人", 128)
    answered_at = vf.instant(body.get("answered_at"), "answered_at")
    if row.status is VerificationStatus.WITHDRAWN:
        return row
    if row.status is VerificationStatus.ANSWERED:
        if (row.outcome, row.note, row.answered_by) == (outcome, note, answered_by):
            return row
        raise VerificationMismatch(f"核验请求 {rid} 已收到不同的答复", field="outcome")
    row.outcome = outcome
    row.note = note
    row.answered_by = answered_by
    row.answered_at = answered_at
    row.status = VerificationStatus.ANSWERED
    row.received_jws = received_jws
    # The department evidently has the request, whatever our last delivery attempt said.
    row.delivery = DeliveryState.DELIVERED
    session.flush()
    return row


def withdraw(
    session: Session,
    request_id: str,
    *,
    consumer: str,
    withdrawn_by: str,
    now: dt.datetime | None = None,
) -> DeptVerification:
    """Withdraw a pending (or overdue) request of ``consumer``'s outbox; the withdrawal is
    queued for delivery. Raises VerificationNotFound, NotYourVerification, VerificationClosed.
    """
    row = find_request(session, vf.request_id(request_id), VerificationSide.OUTBOX)
    if row is None:
        raise VerificationNotFound(f"本节点没有发出过核验请求 {request_id}", field="request_id")
    if row.consumer_code != consumer:
        raise NotYourVerification(f"核验请求 {request_id} 不是本节点 {consumer} 发出的")
    _open(row)
    row.status = VerificationStatus.WITHDRAWN
    row.withdrawn_by = vf.text(withdrawn_by, "withdrawn_by", "撤回人", 128)
    row.withdrawn_at = now or utcnow()
    # Always tell the department: even a request never acknowledged may have reached it (a
    # lost reply, or an attempt still in flight); a withdrawal of an unknown id is a no-op.
    _queue(row)
    session.flush()
    return row


def record_withdrawal(
    session: Session, body: Mapping[str, Any], *, consumer: str, department: str
) -> DeptVerification | None:
    """Close ``department``'s inbox copy of a request its consumer withdrew; idempotent.

    Returns None when the request never arrived (nothing to close), and the row unchanged
    when it was already answered (the answer is on its way; the consumer keeps it withdrawn).
    """
    rid = vf.request_id(body.get("request_id"))
    row = find_request(session, rid, VerificationSide.INBOX)
    if row is None:
        return None
    if row.consumer_code != consumer or row.department_code != department:
        raise NotYourVerification(f"核验请求 {rid} 不是 {consumer} 发给 {department} 的")
    if row.status is VerificationStatus.PENDING:
        row.status = VerificationStatus.WITHDRAWN
        row.withdrawn_by = vf.text(body.get("withdrawn_by"), "withdrawn_by", "撤回人", 128)
        row.withdrawn_at = vf.instant(body.get("withdrawn_at"), "withdrawn_at")
        session.flush()
    return row


def list_requests(
    session: Session,
    *,
    side: VerificationSide,
    node: str,
    status: VerificationStatus | None = None,
    overdue_only: bool = False,
    now: dt.datetime | None = None,
) -> list[DeptVerification]:
    """``node``'s outbox (requests it sent) or inbox (requests addressed to it), by deadline.

    ``status`` filters by stored status, except ``overdue``, which (like ``overdue_only``)
    means pending with the deadline passed.
    """
    query = select(DeptVerification).where(DeptVerification.side == side, _owner(side) == node)
    if status is VerificationStatus.OVERDUE:
        overdue_only = True
    elif status is not None:
        query = query.where(DeptVerification.status == status)
    if overdue_only:
        query = query.where(
            DeptVerification.status == VerificationStatus.PENDING,
            DeptVerification.deadline <= (now or utcnow()),
        )
    return list(session.scalars(query.order_by(DeptVerification.deadline, DeptVerification.id)))


def get_request(
    session: Session, request_id: str, *, node: str, side: VerificationSide | None = None
) -> DeptVerification:
    """One request as ``node`` sees it: its outbox copy if it sent it, else its inbox copy."""
    rid = vf.request_id(request_id)
    for candidate in [side] if side is not None else list(VerificationSide):
        row = session.scalar(
            select(DeptVerification).where(
                DeptVerification.request_id == rid,
                DeptVerification.side == candidate,
                _owner(candidate) == node,
            )
        )
        if row is not None:
            return row
    raise VerificationNotFound(f"本节点没有核验请求 {request_id}", field="request_id")
