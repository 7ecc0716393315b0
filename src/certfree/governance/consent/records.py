"""Consents as their subjects give, see and withdraw them (PIPL §14, §15), at the consumer node.

:func:`give` records the applicant's consent, :func:`list_consents` and :func:`revoke_consent`
let them see and withdraw it, :func:`consent_view` shows one with its current state.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree.errors import InvalidInput
from certfree.governance.consent.models import DEFAULT_CONSENT_DAYS, Consent
from certfree.governance.consent.preview import AskedQuestion, data_items_of
from certfree.governance.errors import ConsentNotFound, ConsentRevoked
from certfree.identifiers import InvalidIdentifier, parse_resident_id
from certfree.storage import utcnow

__all__ = ["consent_view", "give", "list_consents", "revoke_consent"]


def _subject(subject_id: str) -> str:
    try:
        return parse_resident_id(subject_id).number
    except InvalidIdentifier as exc:
        raise InvalidInput(f"身份证号码有误：{exc}", field="subject_id") from exc


def give(
    session: Session,
    *,
    subject_id: str,
    consumer: str,
    service_item: str,
    questions: Sequence[AskedQuestion],
    recorded_by: str,
    expires_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Consent:
    """Record the subject's consent to ``questions`` for ``service_item`` asked by ``consumer``.

    Valid until ``expires_at`` (default :data:`DEFAULT_CONSENT_DAYS` from now). InvalidInput
    for a bad ID number, no questions, or an expiry not in the future.
    """
    at = now or utcnow()
    if not questions:
        raise InvalidInput("至少同意一个核验问题", field="questions")
    until = expires_at or at + dt.timedelta(days=DEFAULT_CONSENT_DAYS)
    if until <= at:
        raise InvalidInput(f"同意的有效期 {until.isoformat()} 应晚于现在", field="expires_at")
    if not service_item.strip() or len(service_item) > 64:
        raise InvalidInput("服务事项编码应为 1 到 64 个字符", field="service_item")
    consent = Consent(
        id=uuid.uuid4().hex,
        subject_id=_subject(subject_id),
        consumer_code=consumer,
        service_item=service_item.strip(),
        questions=sorted({q.name for q in questions}),
        data_items=data_items_of(questions),
        given_at=at,
        expires_at=until,
        recorded_by=recorded_by,
    )
    session.add(consent)
    session.flush()
    return consent


def list_consents(
    session: Session, subject_id: str, *, include_inactive: bool = True
) -> list[Consent]:
    """The subject's consents, newest first; only valid ones unless ``include_inactive``."""
    query = select(Consent).where(Consent.subject_id == _subject(subject_id))
    if not include_inactive:
        query = query.where(Consent.revoked_at.is_(None), Consent.expires_at > utcnow())
    return list(session.scalars(query.order_by(Consent.given_at.desc(), Consent.id)))


def revoke_consent(session: Session, consent_id: str, *, subject_id: str | None = None) -> Consent:
    """Withdraw a consent (PIPL §15). With ``subject_id``, only that subject's own consent."""
    consent = session.get(Consent, consent_id)
    if consent is None or (subject_id is not None and consent.subject_id != subject_id):
        raise ConsentNotFound(f"没有编号为 {consent_id} 的同意记录", field="consent_id")
    if consent.revoked_at is not None:
        raise ConsentRevoked(f"同意 {consent_id} 已于 {consent.revoked_at.isoformat()} 撤回")
    consent.revoked_at = utcnow()
    session.flush()
    return consent


def consent_view(consent: Consent, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The consent as JSON-ready data, with its current state (valid, expired, revoked)."""
    at = now or utcnow()
    if consent.revoked_at is not None:
        state, state_zh = "revoked", "已撤回"
    elif consent.expires_at <= at:
        state, state_zh = "expired", "已过期"
    else:
        state, state_zh = "valid", "有效"
    return {
        "id": consent.id,
        "subject_id": consent.subject_id,
        "consumer": consent.consumer_code,
        "service_item": consent.service_item,
        "questions": list(consent.questions),
        "data_items": list(consent.data_items),
        "given_at": consent.given_at.isoformat(),
        "expires_at": consent.expires_at.isoformat(),
        "recorded_by": consent.recorded_by,
        "revoked_at": consent.revoked_at.isoformat() if consent.revoked_at else None,
        "state": state,
        "state_zh": state_zh,
    }
