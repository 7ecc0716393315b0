"""Objections to a use (PIPL 第44条: 个人有权限制或者拒绝他人对其个人信息进行处理).

A use is named by the verification question this node would ask about the person
(``marital_status``, ``owns_property`` …): the kinds of use the citizen sees on /me among
their accesses. From the moment an objection is recorded, this node asks no question of that
kind about them (:func:`check_not_objected`, called by the exchange before a question leaves);
uses before it stand (PIPL 第15条: withdrawal does not affect what was done before).
Withdrawing the objection lets later uses go ahead. Consent is withdrawn on its own route
(``governance.consent``); both are logged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from certfree.crypto import canonical_json
from certfree.errors import InvalidInput, NotFound
from certfree.governance.audit import AuditKind, AuditRecord, append_records
from certfree.governance.masking import MaskRule, mask_text
from certfree.governance.subject_rights.errors import ObjectionNotFound, UseObjected
from certfree.governance.subject_rights.models import SubjectObjection
from certfree.questions import get_question
from certfree.storage import utcnow

__all__ = [
    "check_not_objected",
    "list_objections",
    "log_read",
    "object_to_use",
    "withdraw_objection",
]


def _log(session: Session, node: str, row: SubjectObjection, action: str) -> None:
    outcome = {"use": row.use, "action": action}
    append_records(
        session,
        [
            AuditRecord(
                kind=AuditKind.SUBJECT_OBJECTION.value,
                message_id=f"objection-{row.id}-{action}",
                consumer=node,
                provider=node,
                question=row.use,
                service_item=None,
                subject_ids=[row.subject_id],
                outcome=outcome,
                message_sha256=hashlib.sha256(canonical_json(outcome)).hexdigest(),
                at=utcnow(),
            )
        ],
    )


def object_to_use(
    session: Session, subject_id: str, *, use: str, reason: str, node: str
) -> SubjectObjection:
    """Record the person's objection to uses of kind ``use``; the standing one if there is."""
    try:
        question = get_question(use.strip())
    except NotFound as exc:
        raise InvalidInput(exc.message, field="use") from exc
    text = reason.strip()
    if not text or len(text) > 1000:
        raise InvalidInput("请写明理由（1 至 1000 个字符）", field="reason")
    standing = session.scalar(
        select(SubjectObjection).where(
            SubjectObjection.subject_id == subject_id,
            SubjectObjection.use == question.name,
            SubjectObjection.withdrawn_at.is_(None),
        )
    )
    if standing is not None:
        return standing
    row = SubjectObjection(subject_id=subject_id, use=question.name, reason=text, made_at=utcnow())
    session.add(row)
    session.flush()
    _log(session, node, row, "objected")
    return row


def withdraw_objection(
    session: Session, subject_id: str, objection_id: int, *, node: str
) -> SubjectObjection:
    row = session.get(SubjectObjection, objection_id)
    if row is None or row.subject_id != subject_id:
        raise ObjectionNotFound(f"没有编号为 {objection_id} 的反对记录")
    if row.withdrawn_at is None:
        row.withdrawn_at = utcnow()
        _log(session, node, row, "withdrawn")
    return row


def list_objections(session: Session, subject_id: str) -> list[SubjectObjection]:
    return list(
        session.scalars(
            select(SubjectObjection)
            .where(SubjectObjection.subject_id == subject_id)
            .order_by(SubjectObjection.made_at.desc(), SubjectObjection.id.desc())
        )
    )


# Built once and run on the session's connection: the check precedes every question a desk
# asks, and the ORM's statement handling costs several times the SQL itself.
_STANDING = (
    select(SubjectObjection.subject_id)
    .where(
        SubjectObjection.subject_id.in_(bindparam("people", expanding=True)),
        SubjectObjection.use == bindparam("use"),
        SubjectObjection.withdrawn_at.is_(None),
    )
    .limit(1)
)


def check_not_objected(session: Session, subjects: Iterable[str], use: str) -> None:
    """UseObjected if any of ``subjects`` has a standing objection to ``use``."""
    people = sorted(set(subjects))
    if not people:
        return
    session.flush()  # what the session changed counts (Core statements do not autoflush)
    found = session.connection().execute(_STANDING, {"people": people, "use": use}).scalar()
    if found is not None:
        masked = mask_text(MaskRule.ID_NUMBER, found)
        raise UseObjected(
            f"数据主体 {masked} 已拒绝 {use} 类处理，本节点不再就此提问"
            f"（the data subject objected to uses of kind {use}）",
            use=use,
            subject_masked=masked,
        )


def log_read(session: Session, subject_id: str, *, reader: str, node: str, what: str) -> None:
    """A leaf naming ``subject_id``: node ``reader`` read their entries in ``node``'s log
    (``what``: which view), so reading someone's access log is itself seen by them."""
    outcome = {"read": what, "by": reader}
    append_records(
        session,
        [
            AuditRecord(
                kind=AuditKind.SUBJECT_LOG_READ.value,
                message_id=f"read-{utcnow().timestamp():.6f}-{reader}"[:64],
                consumer=reader[:32],
                provider=node,
                question=None,
                service_item=None,
                subject_ids=[subject_id],
                outcome=outcome,
                message_sha256=hashlib.sha256(canonical_json(outcome)).hexdigest(),
                at=utcnow(),
            )
        ],
    )
