"""Consent of data subjects to verification questions about them (PIPL §14, §15).

At the consumer (the node where the applicant applies):

* :func:`preview` says, in plain Chinese and before anything is asked, which departments will
  be asked what for this service item and what each answers — never the record itself (the
  OOTS preview: the user sees what will be exchanged and decides);
* :func:`give` records the applicant's consent, :func:`list_consents` and :func:`revoke_consent`
  let them see and withdraw it;
* :func:`consent_snapshot` gives the valid consent that covers one question, as the dict that
  travels in the signed ``question.ask`` message.

At the provider, :func:`check_snapshot` checks such a snapshot against the request. The
provider cannot see a revocation made after the message was signed; the consumer looks the
consent up (and so sees revocations) at the moment it asks.

This module knows questions only through :class:`AskedQuestion` (the exchange domain's
question definitions fit it), so governance does not depend on the exchange.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from certfree import procedures
from certfree.errors import InvalidInput
from certfree.governance.consent_models import Consent
from certfree.governance.errors import (
    ConsentNotFound,
    ConsentReason,
    ConsentRefused,
    ConsentRevoked,
)
from certfree.identifiers import InvalidIdentifier, parse_resident_id
from certfree.nodes import DepartmentKind
from certfree.storage import utcnow

__all__ = [
    "DEFAULT_CONSENT_DAYS",
    "AskedQuestion",
    "check_snapshot",
    "consent_snapshot",
    "consent_view",
    "give",
    "list_consents",
    "preview",
    "questions_of_service_item",
    "revoke_consent",
    "snapshot_of",
]

# An application is usually decided within the statutory 20 working days; 30 calendar days
# covers it without leaving a consent open for later, unrelated uses.
DEFAULT_CONSENT_DAYS = 30


class AskedQuestion(Protocol):
    """What consent needs to know of a question (``certfree.exchange.QuestionDef`` fits)."""

    @property
    def name(self) -> str: ...
    @property
    def title_zh(self) -> str: ...
    @property
    def ask_zh(self) -> str: ...
    @property
    def department(self) -> DepartmentKind: ...
    @property
    def data_items(self) -> tuple[str, ...]: ...
    @property
    def reveals_zh(self) -> tuple[str, ...]: ...
    @property
    def ask_en(self) -> str: ...
    @property
    def reveals_en(self) -> tuple[str, ...]: ...


def questions_of_service_item(session: Session, service_item: str) -> list[str]:
    """Names of the data-sharing questions the service item's requirements may use."""
    item = procedures.get_service_item(session, service_item)
    names: list[str] = []
    for requirement in item.requirements:
        for alternative in requirement.alternatives:
            for evidence in alternative:
                kind = procedures.EvidenceKind.DATA_QUESTION
                if evidence.kind is kind and evidence.ref not in names:
                    names.append(evidence.ref)
    return names


def _service_name(session: Session, service_item: str) -> str:
    try:
        return procedures.get_service_item(session, service_item).name
    except procedures.ServiceItemNotFound:
        return service_item


def preview(
    session: Session, service_item: str, questions: Sequence[AskedQuestion]
) -> dict[str, Any]:
    """What will be asked about the applicant for ``service_item``, before they consent.

    Returns ``{"service_item", "service_name", "questions": [{name, title_zh, department,
    department_zh, asks_zh, reveals_zh}], "data_items", "text_zh", "text_en"}``; ``text_zh``
    (and ``text_en`` in English) is the whole preview as a few plain sentences to show or read
    out at the desk.
    """
    name = _service_name(session, service_item)
    lines = [f"办理「{name}」时，经您同意，我们将通过数据共享向以下部门核验，您无需再提交证明："]
    entries = []
    for number, question in enumerate(questions, start=1):
        department_zh = f"{question.department.name_zh}部门"
        reveals = "、".join(question.reveals_zh)
        lines.append(
            f"{number}. 向{department_zh}核验「{question.ask_zh}」，对方只答复：{reveals}，"
            "不提供您的完整记录。"
        )
        entries.append(
            {
                "name": question.name,
                "title_zh": question.title_zh,
                "department": question.department.value,
                "department_zh": department_zh,
                "asks_zh": question.ask_zh,
                "reveals_zh": list(question.reveals_zh),
            }
        )
    lines.append(
        f"同意自给出之日起 {DEFAULT_CONSENT_DAYS} 天内有效，仅用于本事项；"
        "您可随时撤回，撤回后不再核验，您也可以改为自行提交证明材料。"
    )
    return {
        "service_item": service_item,
        "service_name": name,
        "questions": entries,
        "data_items": _data_items(questions),
        "text_zh": "\n".join(lines),
        "text_en": _preview_en(name, questions),
    }


def _preview_en(service_name: str, questions: Sequence[AskedQuestion]) -> str:
    lines = [
        f"For 「{service_name}」, with your consent we will verify the following through data "
        "sharing, so you need not bring any certificate:"
    ]
    for number, question in enumerate(questions, start=1):
        lines.append(
            f"{number}. We check {question.ask_en} with the {question.department.name_en} "
            f"department; it answers only: {', '.join(question.reveals_en)}, never your whole "
            "record."
        )
    lines.append(
        f"The consent lasts {DEFAULT_CONSENT_DAYS} days from when you give it, for this service "
        "only. You may withdraw it at any time; then nothing more is asked, and you may bring "
        "the certificates yourself instead."
    )
    return "\n".join(lines)


def _data_items(questions: Sequence[AskedQuestion]) -> list[str]:
    return sorted({item for question in questions for item in question.data_items})


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
        data_items=_data_items(questions),
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
    return snapshot_of(consent) | {
        "recorded_by": consent.recorded_by,
        "revoked_at": consent.revoked_at.isoformat() if consent.revoked_at else None,
        "state": state,
        "state_zh": state_zh,
    }


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
