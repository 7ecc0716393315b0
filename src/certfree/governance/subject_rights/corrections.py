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
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree import certs
from certfree.crypto import KeyStore, canonical_json
from certfree.errors import InvalidInput
from certfree.exchange.verification_fields import deadline_after
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
from certfree.identifiers import parse_resident_id
from certfree.storage import utcnow

__all__ = [
    "CORRECTION_WORKING_DAYS",
    "answer_correction",
    "correction_target",
    "create_correction",
    "effective_status",
    "find_request",
    "list_requests",
    "record_answer",
    "record_incoming",
    "reissue_certificates",
]

CORRECTION_WORKING_DAYS = 15
MAX_REASON = 1000
MAX_EVIDENCE = 4000


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


def _text(value: str | None, name: str, limit: int, *, required: bool = True) -> str | None:
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


def _audit(session: Session, kind: AuditKind, row: SubjectRequest, outcome: dict[str, Any]) -> None:
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
    current = _text(current_value, "current_value", MAX_VALUE)
    assert current is not None
    wanted = check_value(fact, _text(requested_value, "requested_value", MAX_VALUE) or "")
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
        "reason": _text(reason, "reason", MAX_REASON),
        "evidence": _text(evidence, "evidence", MAX_EVIDENCE, required=False),
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
    _audit(session, AuditKind.SUBJECT_REQUEST, row, {"requested_value": wanted})
    return row


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
        "current_value": _text(body.get("current_value"), "current_value", MAX_VALUE),
        "requested_value": check_value(fact, str(body.get("requested_value") or "")),
        "reason": _text(body.get("reason"), "reason", MAX_REASON),
        "evidence": _text(body.get("evidence"), "evidence", MAX_EVIDENCE, required=False),
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


def reissue_certificates(
    session: Session, keys: KeyStore, subject_id: str, fact: Fact, value: str, *, base_url: str
) -> list[dict[str, Any]]:
    """Seal again every certificate of this node's library held by ``subject_id`` whose face
    carries ``fact`` with another value; the old version is revoked as superseded
    (``certs.replace_certificate``: version + 1, same serial, holder key kept)."""
    codes = {
        kind.code: fact.face_fields[kind.slug]
        for kind in certs.cert_types().values()
        if kind.slug in fact.face_fields
    }
    if not codes:
        return []
    held = session.scalars(
        select(certs.Certificate).where(
            certs.Certificate.holder_id == subject_id,
            certs.Certificate.type_code.in_(codes),
            certs.Certificate.status != certs.CertStatus.REVOKED,
        )
    ).all()
    done = []
    for old in held:
        name = codes[old.type_code]
        if old.face_data.get(name) == value:
            continue
        new = certs.replace_certificate(
            session, keys, old.identifier, face_data={**old.face_data, name: value},
            base_url=base_url,
        )  # fmt: skip
        row = certs.get_certificate(session, new.identifier)
        done.append(
            {
                "identifier": new.identifier,
                "superseded": old.identifier,
                "type_code": old.type_code,
                "credential": row.credential,
            }
        )
    return done


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
    note = _text(reason, "reason", MAX_REASON, required=not accept)
    fact = FACTS[row.fact]
    if accept:
        row.previous_value = store.write(session, row.subject_id, fact, row.requested_value)
        row.reissued = reissue_certificates(
            session, keys, row.subject_id, fact, row.requested_value, base_url=base_url
        )
        _audit(
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
    _audit(session, AuditKind.SUBJECT_ANSWER, row, {"status": row.status.value, "reason": note})
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
            _audit(
                session,
                AuditKind.SUBJECT_CHANGE,
                row,
                {"to": row.requested_value, "reissued": [c["identifier"] for c in here]},
            )
    row.reissued = reissued
    _audit(session, AuditKind.SUBJECT_ANSWER, row, {"status": status.value, "reason": reason})
    return row
