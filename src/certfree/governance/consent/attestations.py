"""Consent attestations: the province's signed word that a person consented (PIPL §14).

**The choice.** The province node is the citizens' identity provider: it signs people in
(through the OpenID provider in production, through the demo sign-in on a development node)
and, when a person consents, issues a *consent attestation* — a compact JWS (RFC 7515 §7.1)
signed with the province's node key, header ``typ`` :data:`ATTESTATION_TYP`, claims:

``iss`` the province's node code · ``sub`` the data subject's ID number (GB 11643) ·
``consumer`` the one node allowed to ask · ``service_item`` · ``application`` (or null) ·
``purpose`` (words) · ``questions`` (names) · ``data_items`` (what the answers may reveal) ·
``iat`` / ``exp`` (NumericDate, RFC 7519 §2) · ``jti`` (= the id of the ``consents`` row at
the province) · ``consent_digest`` (``sm3:`` + SM3, GB/T 32905, of the consent text the person
was shown: the preview of :mod:`certfree.governance.consent.preview`).

Every node already holds the province's keys through the signed node registry it fetches, so
a provider checks an attestation offline (:func:`check_attestation`) before it answers.

**Threat stopped.** A consumer node (or a node that forwards the question) that fabricates a
consent or widens one: it cannot sign as the province, so an attestation it makes itself, or
alters (another question, consumer, service item, application, a longer life, another person),
fails the signature check; a genuine one copied onto another use fails the claim checks: the
subject, consumer, service item, question and data items always, and the application when the
consumer names one in its ask (an attestation naming another application is refused; one that
names none covers any application of that service item at that consumer). A consumer node
attaching a consent to an application accepts only one naming that application.

**Threat not stopped.** The province itself: it holds the key, so a province that colludes
with a consumer can attest consents nobody gave. Its attestations are recorded (the person's
consent list at the province) and every answer the provider gives names the attestation's
``jti`` in both audit logs, so such abuse is visible afterwards, not prevented. A withdrawal
(PIPL §15) reaches providers through the next registry they fetch, which lists the withdrawn
attestations still within their life (:func:`withdrawn_attestations`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree.crypto import Signer, Verifier, b64url_decode, sign_jws, sm3, verify_jws
from certfree.errors import CertfreeError, InvalidInput, KeyNotFound
from certfree.governance.consent.models import DEFAULT_CONSENT_DAYS, Consent
from certfree.governance.consent.preview import AskedQuestion
from certfree.governance.consent.records import give
from certfree.governance.errors import ConsentReason, ConsentRefused
from certfree.governance.masking import MaskRule, mask_text
from certfree.safejson import loads_untrusted
from certfree.storage import utcnow

__all__ = [
    "ATTESTATION_TYP",
    "MAX_ATTESTATION_DAYS",
    "Attestation",
    "ConsentIssuer",
    "attest_consent",
    "attestation_subject",
    "attested_claims",
    "check_attestation",
    "consent_digest",
    "withdrawn_attestations",
]

ATTESTATION_TYP = "consent-attestation+jwt"
# Providers see a withdrawal only when they next fetch the registry, and a province key
# compromise is bounded by the life of what it signed: no attestation outlives 90 days.
MAX_ATTESTATION_DAYS = 90
_CLOCK_SKEW = dt.timedelta(seconds=120)  # as node messages allow (exchange_clock_skew)
_REQUIRED: dict[str, type] = {
    "iss": str,
    "sub": str,
    "consumer": str,
    "service_item": str,
    "purpose": str,
    "questions": list,
    "data_items": list,
    "iat": int,
    "exp": int,
    "jti": str,
    "consent_digest": str,
}


@dataclasses.dataclass(frozen=True, slots=True)
class ConsentIssuer:
    """The node whose attestations a provider trusts — the province — as its registry shows it:
    the node code, its public keys by kid, and the attestations withdrawn since."""

    code: str
    keys: Mapping[str, Verifier]
    withdrawn: frozenset[str] = frozenset()


@dataclasses.dataclass(frozen=True, slots=True)
class Attestation:
    """An issued attestation: the compact JWS, its claims and the consent it records."""

    token: str
    claims: dict[str, Any]
    consent: Consent


def consent_digest(text: str) -> str:
    """``sm3:<64 hex>`` of the UTF-8 consent text (as commitment forms are identified)."""
    return "sm3:" + sm3(text.encode("utf-8")).hex()


def attest_consent(
    session: Session,
    signer: Signer,
    *,
    issuer: str,
    subject_id: str,
    consumer: str,
    service_item: str,
    questions: Sequence[AskedQuestion],
    purpose: str,
    text: str,
    application: str | None = None,
    expires_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Attestation:
    """Record the subject's consent (a ``consents`` row) and sign its attestation as ``issuer``.

    ``text`` is the consent text the subject was shown; its digest is signed. Valid until
    ``expires_at`` (default :data:`DEFAULT_CONSENT_DAYS`, at most :data:`MAX_ATTESTATION_DAYS`
    from now). InvalidInput names the field: subject_id, questions, service_item, purpose,
    application or expires_at.
    """
    at = (now or utcnow()).replace(microsecond=0)  # NumericDate: whole seconds
    if not purpose.strip() or len(purpose) > 500:
        raise InvalidInput("用途应为 1 到 500 个字符", field="purpose")
    if application is not None and not 0 < len(application.strip()) <= 64:
        raise InvalidInput("办件编号应为 1 到 64 个字符", field="application")
    until = (expires_at or at + dt.timedelta(days=DEFAULT_CONSENT_DAYS)).replace(microsecond=0)
    if until > at + dt.timedelta(days=MAX_ATTESTATION_DAYS):
        raise InvalidInput(
            f"同意凭据最长有效 {MAX_ATTESTATION_DAYS} 天，{until.isoformat()} 超出了"
            f"（an attestation lives at most {MAX_ATTESTATION_DAYS} days）",
            field="expires_at",
        )
    consent = give(
        session,
        subject_id=subject_id,
        consumer=consumer,
        service_item=service_item,
        questions=questions,
        recorded_by=f"applicant:{subject_id.strip().upper()}",
        expires_at=until,
        now=at,
    )
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": consent.subject_id,
        "consumer": consent.consumer_code,
        "service_item": consent.service_item,
        "application": application.strip() if application else None,
        "purpose": purpose.strip(),
        "questions": list(consent.questions),
        "data_items": list(consent.data_items),
        "iat": int(at.timestamp()),
        "exp": int(until.timestamp()),
        "jti": consent.id,
        "consent_digest": consent_digest(text),
    }
    token = sign_jws(signer, claims, header={"typ": ATTESTATION_TYP})
    return Attestation(token=token, claims=claims, consent=consent)


def withdrawn_attestations(session: Session, *, now: dt.datetime | None = None) -> list[str]:
    """Ids (``jti``) of the attestations withdrawn and not yet expired, for the registry."""
    query = select(Consent.id).where(
        Consent.revoked_at.is_not(None), Consent.expires_at > (now or utcnow())
    )
    return sorted(session.scalars(query))


def _parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims, unverified; ConsentRefused(malformed) if they cannot be read."""
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3:
        raise ConsentRefused(ConsentReason.MALFORMED, "同意凭据应为三段式 JWS")
    try:
        header = loads_untrusted(b64url_decode(parts[0]), what="header")
        claims = loads_untrusted(b64url_decode(parts[1]), what="payload")
    except (CertfreeError, ValueError) as exc:
        raise ConsentRefused(ConsentReason.MALFORMED, f"同意凭据无法解码：{exc}") from exc
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise ConsentRefused(ConsentReason.MALFORMED, "同意凭据的头部和载荷应为 JSON 对象")
    return header, claims


def attestation_subject(token: str) -> str | None:
    """The ``sub`` an attestation names, unverified (to pick the one for a subject); or None."""
    try:
        subject = _parts(token)[1].get("sub")
    except ConsentRefused:
        return None
    return subject if isinstance(subject, str) else None


def check_attestation(
    token: str | None,
    issuer: ConsentIssuer | None,
    *,
    subject_id: str,
    consumer: str,
    service_item: str,
    question: str,
    data_items: Sequence[str] = (),
    application: str | None = None,
    now: dt.datetime | None = None,
) -> str:
    """At the provider: the ``jti`` if ``token`` attests this use; else ConsentRefused
    (reasons as :func:`attested_claims` gives them)."""
    claims = attested_claims(
        token,
        issuer,
        subject_id=subject_id,
        consumer=consumer,
        service_item=service_item,
        question=question,
        data_items=data_items,
        application=application,
        now=now,
    )
    return str(claims["jti"])


def attested_claims(
    token: str | None,
    issuer: ConsentIssuer | None,
    *,
    subject_id: str,
    consumer: str,
    service_item: str,
    question: str | None = None,
    data_items: Sequence[str] = (),
    application: str | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The verified claims if ``token`` attests this use; else ConsentRefused.

    ``question`` None checks everything but the question (a consent kept for later asks);
    ``application`` given refuses an attestation naming another application (one naming none
    is not tied to an application). Reasons, in the order checked: ``no_consent`` (none
    attached), ``consent_unverifiable`` (no province key to check with), ``consent_malformed``,
    ``consent_forged`` (a key that is not the province's, a signature that does not verify,
    another issuer), ``consent_mismatch`` (another subject, consumer, service item,
    application, question, or data items beyond it), ``consent_revoked``, ``consent_expired``
    (or not yet issued).
    """
    if token is None:
        raise ConsentRefused(ConsentReason.NO_CONSENT, f"未附 {_masked(subject_id)} 的同意凭据")
    if issuer is None or not issuer.keys:
        raise ConsentRefused(ConsentReason.UNVERIFIABLE, "节点注册表中没有省级节点的有效公钥")
    header, _ = _parts(token)
    if header.get("typ") != ATTESTATION_TYP:
        raise ConsentRefused(
            ConsentReason.MALFORMED, f"typ 应为 {ATTESTATION_TYP}，收到 {header.get('typ')!r}"
        )
    claims = _verified(token, issuer)
    jti = claims["jti"]
    expected = {"sub": subject_id, "consumer": consumer, "service_item": service_item}
    names = {"sub": "数据主体", "consumer": "使用方", "service_item": "服务事项"}
    for name, want in expected.items():
        if claims[name] != want:
            got = _masked(claims[name]) if name == "sub" else claims[name]
            shown = _masked(want) if name == "sub" else want
            raise ConsentRefused(
                ConsentReason.MISMATCH, f"同意 {jti} 的{names[name]}是 {got}，不是 {shown}"
            )
    named = claims.get("application")
    if application is not None and named is not None and named != application:
        raise ConsentRefused(
            ConsentReason.MISMATCH, f"同意 {jti} 是为办件 {named!s:.64} 给的，不是 {application}"
        )
    if question is not None and question not in claims["questions"]:
        raise ConsentRefused(ConsentReason.MISMATCH, f"同意 {jti} 不含问题 {question}")
    beyond = sorted(set(data_items) - set(claims["data_items"]))
    if beyond:
        raise ConsentRefused(ConsentReason.MISMATCH, f"同意 {jti} 不含数据项 {'、'.join(beyond)}")
    if jti in issuer.withdrawn:
        raise ConsentRefused(ConsentReason.REVOKED, f"同意 {jti} 已由本人撤回")
    at = now or utcnow()
    expires = dt.datetime.fromtimestamp(claims["exp"], dt.UTC)
    if expires <= at:
        raise ConsentRefused(ConsentReason.EXPIRED, f"同意 {jti} 已于 {expires.isoformat()} 过期")
    issued = dt.datetime.fromtimestamp(claims["iat"], dt.UTC)
    if issued - _CLOCK_SKEW > at:
        raise ConsentRefused(
            ConsentReason.EXPIRED, f"同意 {jti} 的签发时间 {issued.isoformat()} 晚于现在"
        )
    return claims


def _verified(token: str, issuer: ConsentIssuer) -> dict[str, Any]:
    """The claims, once the signature verifies under a province key; else forged/malformed."""

    def key(kid: str) -> Verifier:
        found = issuer.keys.get(kid)
        if found is None:
            raise KeyNotFound(kid)
        return found

    try:
        _, claims = verify_jws(token, key)
    except CertfreeError as exc:
        raise ConsentRefused(
            ConsentReason.FORGED,
            f"未能用省级节点 {issuer.code} 的公钥验证签名（{exc.message}）",
        ) from exc
    if claims.get("iss") != issuer.code:
        raise ConsentRefused(
            ConsentReason.FORGED, f"签发方是 {claims.get('iss')!r}，不是省级节点 {issuer.code}"
        )
    for name, kind in _REQUIRED.items():
        value = claims.get(name)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise ConsentRefused(ConsentReason.MALFORMED, f"同意凭据缺少或写错声明 {name}")
    return claims


def _masked(subject_id: Any) -> str:
    # Refusals travel back to the consumer and into logs: the ID number by its masking rule.
    text = str(subject_id)
    return mask_text(MaskRule.ID_NUMBER, text) if len(text) in (15, 18) else "数据主体"
