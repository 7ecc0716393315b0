"""Corrections (更正、补充, PIPL 第46条): asked at the citizen's node, answered by the department.

The citizen names a fact (a question's data item, or a face field of one of their
certificates), the value as they see it, the value it should be, why, and optionally
evidence in words. Their node keeps the ``home`` copy and sends ``correction.request`` to the
department node that owns the fact; there it waits in the department's inbox until the
department admin accepts — the register is changed and the certificates that carry the fact
are sealed again — or refuses with a reason (PIPL 第50条: a refusal states its reasons). The
answer returns as ``correction.answer``; the citizen's node records it and seals again its own
certificates that carry the fact, so the holder finds the new ones on /me.

Deadline: 15 working days (Beijing) from the request. GB/T 35273-2020 §8.7 c) asks for an
answer within 30 days of a verified request; 15 working days always ends within that (three
calendar weeks without holidays), and is the time 《政府信息公开条例》第三十三条 allows an
organ to ask for more only after 20. A pending request past it is *overdue* (computed).

Every step is a leaf of the node's audit log naming the citizen (``audit``): the request,
the answer and each change, so the citizen sees them with their other accesses.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree import certs, nodes
from certfree.crypto import KeyStore, canonical_json
from certfree.errors import InvalidInput
from certfree.governance.audit import AuditKind, AuditRecord, append_records
from certfree.governance.subject_rights.errors import (
    RequestAlreadyAnswered,
    RequestMismatch,
    SubjectRequestNotFound,
)
from certfree.governance.subject_rights.facts import (
    FACTS,
    MAX_VALUE,
    Fact,
    FactStore,
    check_value,
    fact_for_data_item,
    fact_for_face_field,
)
from certfree.governance.subject_rights.models import (
    CorrectionStatus,
    Delivery,
    RequestSide,
    SubjectRequest,
)
from certfree.governance.subject_rights.reissue import reissue_certificates
from certfree.nodes import Node
from certfree.storage import utcnow
from certfree.workdays import BEIJING, add_working_days, beijing_today

__all__ = [
    "CORRECTION_WORKING_DAYS",
    "MAX_EVIDENCE",
    "MAX_REASON",
    "answer_correction",
    "audit_step",
    "checked_text",
    "correction_target",
    "create_correction",
    "deadline_after",
    "department_node",
    "effective_status",
    "find_request",
    "list_requests",
]

CORRECTION_WORKING_DAYS = 15
MAX_REASON = 1000
MAX_EVIDENCE = 4000


def deadline_after(moment: dt.datetime, working_days: int = CORRECTION_WORKING_DAYS) -> dt.datetime:
    """24:00 Beijing time of the ``working_days``-th working day after ``moment``'s day, in
    UTC (working days as every time limit counts them: ``certfree.workdays``)."""
    day = add_working_days(beijing_today(moment), working_days).day
    midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=BEIJING)
    return midnight.astimezone(dt.UTC)


def department_node(session: Session, organisation: str | None) -> str | None:
    """The department node an organisation names: its node code (``370100-GA``) or its
    USCC, looked up in the registry; None if it names no department."""
    org = (organisation or "").strip().upper()
    code = org if "-" in org else session.scalar(select(Node.code).where(Node.uscc == org))
    if not code or nodes.department_of(session, code) is None:
        return None
    return str(code)


def effective_status(row: SubjectRequest, now: dt.datetime | None = None) -> CorrectionStatus:
    if row.status is CorrectionStatus.PENDING and (now or utcnow()) >= row.deadline:
        return CorrectionStatus.OVERDUE
    return row.status


def find_request(session: Session, request_id: str, side: RequestSide) -> SubjectRequest | None:
    return session.scalar(
        select(SubjectRequest).where(
            SubjectRequest.request_id == request_id, SubjectRequest.side == side
        )
    )


def list_requests(
    session: Session,
    *,
    side: RequestSide,
    subject_id: str | None = None,
    department: str | None = None,
    limit: int = 200,
) -> list[SubjectRequest]:
    """One side's requests of a citizen or to a department, newest first (at most ``limit``)."""
    query = select(SubjectRequest).where(SubjectRequest.side == side)
    if subject_id is not None:
        query = query.where(SubjectRequest.subject_id == subject_id)
    if department is not None:
        query = query.where(SubjectRequest.department_code == department)
    query = query.order_by(SubjectRequest.requested_at.desc(), SubjectRequest.id.desc())
    return list(session.scalars(query.limit(limit)))


def checked_text(value: str | None, name: str, limit: int, *, required: bool = True) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise InvalidInput("不能为空（required）", field=name)
        return None
    if len(text) > limit:
        raise InvalidInput(f"至多 {limit} 个字符，实际 {len(text)}", field=name)
    return text


def correction_target(
    session: Session,
    subject_id: str,
    *,
    data_item: str | None,
    certificate_id: str | None,
    field: str | None,
) -> tuple[Fact, str | None]:
    """The fact a request names and the certificate's type slug when it names a face field.

    A certificate must be the citizen's own (NotCertificateHolder otherwise, as 404)."""
    if (data_item is None) == (certificate_id is None):
        raise InvalidInput(
            "请指明数据项 data_item，或证照 certificate_id 及其字段 field（其一）"
            "（name a data_item, or a certificate_id and its field）",
            field="data_item",
        )
    if data_item is not None:
        return fact_for_data_item(data_item), None
    if not field:
        raise InvalidInput("请指明证照上的字段 field", field="field")
    assert certificate_id is not None
    held = certs.get_certificate(session, certificate_id)
    if held.holder_id != subject_id:
        raise SubjectRequestNotFound(
            f"{certificate_id} 不是您持有的证照（not your certificate）", field="certificate_id"
        )
    slug = certs.cert_type(held.type_code).slug
    return fact_for_face_field(slug, field), slug


def audit_step(
    session: Session, kind: AuditKind, row: SubjectRequest, outcome: dict[str, Any]
) -> None:
    """One leaf naming the citizen: what happened to their request (or their data)."""
    digest = hashlib.sha256(canonical_json({"request": row.request_id, **outcome})).hexdigest()
    append_records(
        session,
        [
            AuditRecord(
                kind=kind.value,
                message_id=row.request_id,
                consumer=row.home_code,
                provider=row.department_code,
                question=None,
                service_item=None,
                subject_ids=[row.subject_id],
                outcome={"fact": row.fact, **outcome},
                message_sha256=digest,
                at=utcnow(),
            )
        ],
    )


def create_correction(
    session: Session,
    *,
    subject_id: str,
    home: str,
    department_region: str,
    data_item: str | None,
    certificate_id: str | None,
    field: str | None,
    current_value: str,
    requested_value: str,
    reason: str,
    evidence: str | None = None,
    department: str | None = None,
    request_id: str | None = None,
    now: dt.datetime | None = None,
) -> SubjectRequest:
    """The citizen's request at their node, owing its message to the department (queued).

    The department is ``<department_region>-<kind of the fact>`` unless ``department`` names
    a node of that kind. Resubmitting the same ``request_id`` with the same content returns
    the stored request (RequestMismatch if the content differs)."""
    moment = now or utcnow()
    fact, _ = correction_target(
        session, subject_id, data_item=data_item, certificate_id=certificate_id, field=field
    )
    owner = (department or f"{department_region}-{fact.department.value}").strip().upper()
    if not owner.endswith(f"-{fact.department.value}"):
        raise InvalidInput(
            f"{fact.label_zh}由{fact.department.name_zh}部门登记，应向 *-{fact.department.value}"
            f" 节点申请，而不是 {owner}",
            field="department",
        )
    current = checked_text(current_value, "current_value", MAX_VALUE)
    assert current is not None
    wanted = check_value(fact, checked_text(requested_value, "requested_value", MAX_VALUE) or "")
    rid = str(uuid.UUID(request_id)) if request_id else str(uuid.uuid4())
    fields = {
        "subject_id": subject_id,
        "home_code": home,
        "department_code": owner,
        "fact": fact.code,
        "data_item": data_item,
        "certificate_id": certificate_id,
        "field": field,
        "current_value": current,
        "requested_value": wanted,
        "reason": checked_text(reason, "reason", MAX_REASON),
        "evidence": checked_text(evidence, "evidence", MAX_EVIDENCE, required=False),
    }
    existing = find_request(session, rid, RequestSide.HOME)
    if existing is not None:
        if all(getattr(existing, k) == v for k, v in fields.items()):
            return existing
        raise RequestMismatch(f"请求编号 {rid} 已用于另一请求", field="request_id")
    row = SubjectRequest(
        request_id=rid,
        side=RequestSide.HOME,
        requested_at=moment,
        deadline=deadline_after(moment, CORRECTION_WORKING_DAYS),
        status=CorrectionStatus.PENDING,
        reissued=[],
        delivery=Delivery.QUEUED,
        delivery_attempts=0,
        **fields,
    )
    session.add(row)
    session.flush()
    audit_step(session, AuditKind.SUBJECT_REQUEST, row, {"requested_value": wanted})
    return row


def answer_correction(
    session: Session,
    request_id: str,
    *,
    department: str,
    accept: bool,
    reason: str | None,
    answered_by: str,
    store: FactStore,
    keys: KeyStore,
    base_url: str,
    now: dt.datetime | None = None,
) -> SubjectRequest:
    """The department admin's answer: accept (the register is changed and this node's
    certificates carrying the fact are sealed again) or refuse with a reason (PIPL 第50条)."""
    row = find_request(session, request_id, RequestSide.DEPARTMENT)
    if row is None or row.department_code != department:
        raise SubjectRequestNotFound(f"本部门没有编号为 {request_id} 的更正申请")
    if row.status is not CorrectionStatus.PENDING:
        raise RequestAlreadyAnswered(f"该申请已答复（{row.status.zh}）")
    note = checked_text(reason, "reason", MAX_REASON, required=not accept)
    fact = FACTS[row.fact]
    if accept:
        row.previous_value = store.write(session, row.subject_id, fact, row.requested_value)
        row.reissued = reissue_certificates(
            session, keys, row.subject_id, fact, row.requested_value, base_url=base_url
        )
        audit_step(
            session,
            AuditKind.SUBJECT_CHANGE,
            row,
            {
                "from": row.previous_value,
                "to": row.requested_value,
                "reissued": [c["identifier"] for c in row.reissued],
            },
        )
    row.status = CorrectionStatus.ACCEPTED if accept else CorrectionStatus.REFUSED
    row.answer_reason = note
    row.answered_by = answered_by
    row.answered_at = now or utcnow()
    row.delivery = Delivery.QUEUED
    row.delivery_attempts = 0
    row.last_delivery_error = None
    audit_step(session, AuditKind.SUBJECT_ANSWER, row, {"status": row.status.value, "reason": note})
    return row
