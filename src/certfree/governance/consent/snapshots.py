"""Consent snapshots: the copy of a consent that travels in a signed ``question.ask`` message.

At the consumer, :func:`consent_snapshot` gives the valid consent that covers one question, as
the dict that travels in the message. At the provider, :func:`check_snapshot` checks such a
snapshot against the request, without reading the consumer's database. The provider cannot see
a revocation made after the message was signed; the consumer looks the consent up (and so sees
revocations) at the moment it asks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from certfree.governance.consent.models import Consent
from certfree.governance.errors import ConsentReason, ConsentRefused
from certfree.storage import utcnow

__all__ = ["check_snapshot", "consent_snapshot", "snapshot_of"]


class _SnapshotFields(Protocol):
    """What a snapshot is made of: a Consent, or a row of :data:`_VALID_CONSENTS`."""

    @property
    def id(self) -> str: ...
    @property
    def subject_id(self) -> str: ...
    @property
    def consumer_code(self) -> str: ...
    @property
    def service_item(self) -> str: ...
    @property
    def questions(self) -> list[str]: ...
    @property
    def data_items(self) -> list[str]: ...
    @property
    def given_at(self) -> dt.datetime: ...
    @property
    def expires_at(self) -> dt.datetime: ...


def snapshot_of(consent: _SnapshotFields) -> dict[str, Any]:
    """The consent as it travels in a ``question.ask`` body."""
    return {
        "id": consent.id,
        "subject_id": consent.subject_id,
        "consumer": consent.consumer_code,
        "service_item": consent.service_item,
        "questions": list(consent.questions),
        "data_items": list(consent.data_items),
        "given_at": consent.given_at.isoformat(),
        "expires_at": consent.expires_at.isoformat(),
    }


# The desk looks consent up before every question it asks (once per verification), so this
# selects only the snapshot's columns, built once: no Consent entity is loaded or tracked in
# the identity map. Session.execute autoflushes first, so consents given or revoked earlier
# in the same session count.
_VALID_CONSENTS = (
    select(
        Consent.id,
        Consent.subject_id,
        Consent.consumer_code,
        Consent.service_item,
        Consent.questions,
        Consent.data_items,
        Consent.given_at,
        Consent.expires_at,
    )
    .where(
        Consent.subject_id == bindparam("subject_id"),
        Consent.consumer_code == bindparam("consumer"),
        Consent.service_item == bindparam("service_item"),
        Consent.revoked_at.is_(None),
        Consent.expires_at > bindparam("at"),
        Consent.given_at <= bindparam("at"),
    )
    .order_by(Consent.given_at.desc())
)


def consent_snapshot(
    session: Session,
    *,
    subject_id: str,
    consumer: str,
    service_item: str,
    question: str,
    now: dt.datetime | None = None,
) -> dict[str, Any] | None:
    """At the consumer: the newest valid consent covering this question, as a snapshot; or None."""
    params = {
        "subject_id": subject_id.strip().upper(),
        "consumer": consumer,
        "service_item": service_item,
        "at": now or utcnow(),
    }
    for row in session.execute(_VALID_CONSENTS, params):
        if question in row.questions:
            return snapshot_of(row)
    return None


def check_snapshot(
    snapshot: Mapping[str, Any] | None,
    *,
    subject_id: str,
    consumer: str,
    service_item: str,
    question: str,
    now: dt.datetime | None = None,
) -> str:
    """At the provider: the id of the consent if ``snapshot`` covers this use; else ConsentRefused.

    Reasons: ``no_consent`` (no snapshot), ``consent_malformed``, ``consent_mismatch`` (another
    subject, consumer, service item, or question), ``consent_expired``.
    """
    if snapshot is None:
        raise ConsentRefused(ConsentReason.NO_CONSENT, f"未附 {_masked(subject_id)} 的同意")
    try:
        consent_id = str(snapshot["id"])
        expires_at = dt.datetime.fromisoformat(str(snapshot["expires_at"]))
        given_at = dt.datetime.fromisoformat(str(snapshot["given_at"]))
        fields = (snapshot["subject_id"], snapshot["consumer"], snapshot["service_item"])
        questions = list(snapshot["questions"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ConsentRefused(ConsentReason.MALFORMED, f"同意凭据缺少或写错字段 {exc}") from exc
    if expires_at.tzinfo is None or given_at.tzinfo is None:
        raise ConsentRefused(ConsentReason.MALFORMED, "同意凭据的时间应带时区")
    expected = (subject_id, consumer, service_item)
    names = ("数据主体", "使用方", "服务事项")
    for name, got, want in zip(names, fields, expected, strict=True):
        if got != want:
            raise ConsentRefused(
                ConsentReason.MISMATCH, f"同意 {consent_id} 的{name}是 {got}，不是 {want}"
            )
    if question not in questions:
        raise ConsentRefused(ConsentReason.MISMATCH, f"同意 {consent_id} 不含问题 {question}")
    at = now or utcnow()
    if expires_at <= at:
        raise ConsentRefused(
            ConsentReason.EXPIRED, f"同意 {consent_id} 已于 {expires_at.isoformat()} 过期"
        )
    return consent_id


def _masked(subject_id: str) -> str:
    # Refusals travel back to the consumer and into logs; show only the ends of the number.
    return f"{subject_id[:6]}********{subject_id[-4:]}" if len(subject_id) == 18 else "数据主体"
