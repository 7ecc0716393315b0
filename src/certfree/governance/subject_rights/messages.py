"""The messages of a correction between the citizen's node and the department node, and
what each side does on receipt (``delivery`` sends them and dispatches to these).

``correction.request`` (home → department) carries the request; ``correction.answer``
(department → home) its outcome, reason, the register's previous value and the certificates
the department sealed again. Everything that arrives is checked again here: a department
never trusts the citizen node's checks, nor the home node the department's shape.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from certfree.crypto import KeyStore
from certfree.errors import InvalidInput
from certfree.governance.audit import AuditKind
from certfree.governance.subject_rights.corrections import (
    MAX_EVIDENCE,
    MAX_REASON,
    audit_step,
    checked_text,
    find_request,
)
from certfree.governance.subject_rights.errors import (
    RequestAlreadyAnswered,
    RequestMismatch,
    SubjectRequestNotFound,
)
from certfree.governance.subject_rights.facts import FACTS, MAX_VALUE, FactStore, check_value
from certfree.governance.subject_rights.models import (
    CorrectionStatus,
    Delivery,
    RequestSide,
    SubjectRequest,
)
from certfree.governance.subject_rights.reissue import reissue_certificates
from certfree.identifiers import parse_resident_id

__all__ = ["answer_body", "record_answer", "record_incoming", "request_body"]


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value is not None else None


def request_body(row: SubjectRequest) -> dict[str, Any]:
    """The ``correction.request`` body the home side sends."""
    return {
        "request_id": row.request_id,
        "subject_id": row.subject_id,
        "fact": row.fact,
        "data_item": row.data_item,
        "certificate_id": row.certificate_id,
        "field": row.field,
        "current_value": row.current_value,
        "requested_value": row.requested_value,
        "reason": row.reason,
        "evidence": row.evidence,
        "requested_at": _iso(row.requested_at),
        "deadline": _iso(row.deadline),
    }


def answer_body(row: SubjectRequest) -> dict[str, Any]:
    """The ``correction.answer`` body the department sends back."""
    return {
        "request_id": row.request_id,
        "status": row.status.value,
        "reason": row.answer_reason,
        "answered_by": row.answered_by,
        "answered_at": _iso(row.answered_at),
        "previous_value": row.previous_value,
        "reissued": list(row.reissued),
    }


def _time(body: Mapping[str, Any], name: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(str(body.get(name)))
    except ValueError:
        raise InvalidInput(f"{name} 应为 ISO 8601 时间", field=name) from None
    if value.tzinfo is None:
        raise InvalidInput(f"{name} 须带时区", field=name)
    return value


def record_incoming(
    session: Session, body: Mapping[str, Any], *, home: str, department: str, received_jws: str
) -> SubjectRequest:
    """``correction.request`` at the department: checked again, stored in its inbox."""
    fact = FACTS.get(str(body.get("fact")))
    if fact is None or not department.endswith(f"-{fact.department.value}"):
        raise InvalidInput(f"本部门 {department} 不登记 {body.get('fact')!r}", field="fact")
    try:
        subject = parse_resident_id(str(body.get("subject_id", ""))).number
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field="subject_id") from exc
    fields = {
        "subject_id": subject,
        "home_code": home,
        "department_code": department,
        "fact": fact.code,
        "data_item": body.get("data_item"),
        "certificate_id": body.get("certificate_id"),
        "field": body.get("field"),
        "current_value": checked_text(body.get("current_value"), "current_value", MAX_VALUE),
        "requested_value": check_value(fact, str(body.get("requested_value") or "")),
        "reason": checked_text(body.get("reason"), "reason", MAX_REASON),
        "evidence": checked_text(body.get("evidence"), "evidence", MAX_EVIDENCE, required=False),
    }
    rid = str(uuid.UUID(str(body.get("request_id"))))
    existing = find_request(session, rid, RequestSide.DEPARTMENT)
    if existing is not None:
        if all(getattr(existing, k) == v for k, v in fields.items()):
            return existing
        raise RequestMismatch(f"请求编号 {rid} 已用于另一请求", field="request_id")
    row = SubjectRequest(
        request_id=rid,
        side=RequestSide.DEPARTMENT,
        requested_at=_time(body, "requested_at"),
        deadline=_time(body, "deadline"),
        status=CorrectionStatus.PENDING,
        reissued=[],
        delivery=Delivery.NOTHING,
        delivery_attempts=0,
        received_jws=received_jws,
        **fields,
    )
    session.add(row)
    session.flush()
    return row


def record_answer(
    session: Session,
    body: Mapping[str, Any],
    *,
    home: str,
    department: str,
    received_jws: str,
    keys: KeyStore,
    base_url: str,
    store: FactStore | None,
) -> SubjectRequest:
    """``correction.answer`` at the citizen's node: stored on the home copy; when accepted,
    this node's own copy of the register (if it keeps one, as a region node that co-hosts
    registers does) and its certificates carrying the fact take the new value."""
    rid = str(uuid.UUID(str(body.get("request_id"))))
    row = find_request(session, rid, RequestSide.HOME)
    # A department hosted by a region node answers through that node (its code is the
    # department's prefix: 370100 for 370100-SJ).
    owner = row.department_code if row is not None else ""
    if row is None or row.home_code != home or department not in (owner, owner.split("-")[0]):
        raise SubjectRequestNotFound(f"本节点没有发往 {department} 的更正申请 {rid}")
    try:
        status = CorrectionStatus(str(body.get("status")))
    except ValueError:
        raise InvalidInput("status 应为 accepted 或 refused", field="status") from None
    if status not in (CorrectionStatus.ACCEPTED, CorrectionStatus.REFUSED):
        raise InvalidInput("status 应为 accepted 或 refused", field="status")
    if row.status is not CorrectionStatus.PENDING:
        if row.status is status:
            return row  # a retried answer
        raise RequestAlreadyAnswered(f"申请 {rid} 已记录答复（{row.status.zh}）")
    reason = body.get("reason")
    if status is CorrectionStatus.REFUSED and not (isinstance(reason, str) and reason.strip()):
        raise InvalidInput("不予更正须说明理由（PIPL 第50条）", field="reason")
    row.status = status
    row.answer_reason = reason if isinstance(reason, str) else None
    row.answered_by = str(body.get("answered_by") or department)[:128]
    row.answered_at = _time(body, "answered_at")
    row.previous_value = body.get("previous_value")
    row.received_jws = received_jws
    reissued = [c for c in body.get("reissued") or [] if isinstance(c, dict)]
    if status is CorrectionStatus.ACCEPTED:
        fact = FACTS[row.fact]
        if store is not None and store.read(session, row.subject_id, fact) is not None:
            store.write(session, row.subject_id, fact, row.requested_value)
        here = reissue_certificates(
            session, keys, row.subject_id, fact, row.requested_value, base_url=base_url
        )
        reissued += here
        if here:
            audit_step(
                session,
                AuditKind.SUBJECT_CHANGE,
                row,
                {"to": row.requested_value, "reissued": [c["identifier"] for c in here]},
            )
    row.reissued = reissued
    audit_step(session, AuditKind.SUBJECT_ANSWER, row, {"status": status.value, "reason": reason})
    return row
