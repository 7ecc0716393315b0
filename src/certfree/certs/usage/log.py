"""The verification log (用证记录): every verification through the platform, for the holder.

A record says when, which certificate, whose, who verified it and for whom (audience),
for what purpose, which claims were disclosed and the result. It never holds a disclosed
value (data minimisation): a holder can see that a hotel saw their name, the log cannot
leak the name. Records are only appended; there is no update or delete.

Whose certificate it was: the base library is asked first. The credential is found by its
status reference (``status.status_list`` {idx, uri}: visible in every credential and unique
per certificate, while ``certificate_id`` is disclosed only when the holder chooses), and the
presented issuer-signed JWT must equal the one stored for it (so a forged payload naming
somebody else's certificate is not put in their log); otherwise a ``holder_id`` disclosure
is used, but only when the presentation verified (its digest is then covered by the seal).

A presentation is recorded once per verifier: posting it again (a replay of one somebody
saw) verifies again but adds nothing to the log. Variants of one seen presentation are
distinct texts, so a verifier account may add at most ``USES_PER_CERTIFICATE`` records of
one certificate per ``USES_WINDOW`` (TooManyRequests beyond), and the route counts every
verification per account (``usage.limits.limit_verify``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from certfree.certs.claims import shown_names
from certfree.certs.errors import CertTypeNotFound
from certfree.certs.models import Certificate, StatusListRecord
from certfree.certs.trust import TrustList
from certfree.certs.types import cert_type
from certfree.certs.usage.codes import redeem_short_code
from certfree.certs.usage.models import CertificateUse, UseChannel
from certfree.certs.verification import StatusLists, VerificationResult, verify_presentation
from certfree.crypto import KeyStore, ParsedSdJwt, SdJwtInvalid, parse_sd_jwt
from certfree.errors import TooManyRequests
from certfree.storage import utcnow

__all__ = [
    "UseContext",
    "describe_use",
    "record_use",
    "redeem_and_verify",
    "use_json",
    "uses_of_certificate",
    "uses_of_holder",
    "verify_and_record",
]

_BEIJING = ZoneInfo("Asia/Shanghai")
# A gate sees a season-pass holder a few times a day; ten an hour is a flood, not a visit.
USES_PER_CERTIFICATE = 10
USES_WINDOW = dt.timedelta(hours=1)
_CHANNEL_ZH = {UseChannel.VERIFICATION: "亮证核验", UseChannel.SHORT_CODE: "短码核验"}


@dataclass(frozen=True, slots=True)
class UseContext:
    """Who verified, for whom and why: the token's subject and organisation, the audience."""

    verifier: str
    audience: str
    channel: UseChannel
    verifier_org: str | None = None
    purpose: str | None = None


def _bounded(text: str, size: int) -> str:
    """``text`` cut to ``size`` characters without NUL, which PostgreSQL text cannot hold
    (much of a record comes from the caller or from an unverified payload)."""
    return text.replace("\x00", "")[:size]


def _parse(presentation: str) -> ParsedSdJwt | None:
    try:
        return parse_sd_jwt(presentation)
    except SdJwtInvalid:
        return None


def _status_reference(payload: dict[str, Any]) -> tuple[str, int] | None:
    """(uri, idx) of draft-ietf-oauth-status-list §6.1 ``status.status_list``, if well formed."""
    status = payload.get("status")
    reference = status.get("status_list") if isinstance(status, dict) else None
    if not isinstance(reference, dict):
        return None
    uri, idx = reference.get("uri"), reference.get("idx")
    # idx within the column's INTEGER range: a forged 2^64 must not reach the database
    if not isinstance(uri, str) or type(idx) is not int or not 0 <= idx < 2**31:
        return None
    return uri, idx


def _stored(session: Session, parsed: ParsedSdJwt) -> Certificate | None:
    """The base-library row of the presented credential, or None if it is not one sealed here."""
    reference = _status_reference(parsed.payload)
    identifier = parsed.payload.get("certificate_id")  # visible in older credentials
    if reference is not None:
        uri, idx = reference
        query = (
            select(Certificate)
            .join(
                StatusListRecord,
                (StatusListRecord.issuer_uscc == Certificate.issuer_uscc)
                & (StatusListRecord.list_no == Certificate.status_list_no),
            )
            .where(StatusListRecord.uri == uri, Certificate.status_index == idx)
        )
    elif isinstance(identifier, str):
        query = select(Certificate).where(Certificate.identifier == identifier)
    else:
        return None
    row = session.scalars(query).first()
    # Same issuer-signed JWT as sealed into the base library: the presented one is genuine.
    if row is None or not row.credential.startswith(parsed.jwt + "~"):
        return None
    return row


def _holder(row: Certificate | None, result: VerificationResult) -> tuple[str | None, str | None]:
    """(holder id, type code) of the presented certificate, as far as can be trusted."""
    if row is not None:
        return row.holder_id, row.type_code
    holder = result.claims.get("holder_id") if result.valid else None
    return (holder if isinstance(holder, str) and len(holder) <= 18 else None), result.vct


def _certificate_id(
    row: Certificate | None,
    parsed: ParsedSdJwt | None,
    result: VerificationResult,
    presentation: str,
) -> str:
    if row is not None:
        return row.identifier
    for claims in (result.claims, parsed.payload if parsed is not None else {}):
        if isinstance(claims.get("certificate_id"), str):
            return _bounded(str(claims["certificate_id"]), 128)
    jwt = parsed.jwt if parsed is not None else presentation.split("~", 1)[0]
    return "sha256:" + hashlib.sha256(jwt.encode("utf-8", "replace")).hexdigest()


def _disclosed(parsed: ParsedSdJwt | None, result: VerificationResult) -> list[str]:
    if result.valid:  # derived claims by name (age_at_least), never the N or the division
        return sorted([*result.disclosed, *result.derived])
    if parsed is None:
        return []
    # Unverified names (a refused presentation): bounded, they are the caller's text.
    names = shown_names(_bounded(d.name, 64) for d in parsed.disclosures if d.name is not None)
    return sorted(set(names))[:64]


def record_use(
    session: Session,
    presentation: str,
    result: VerificationResult,
    context: UseContext,
    *,
    now: dt.datetime | None = None,
) -> CertificateUse:
    """Append the record of one verification of ``presentation`` that ended in ``result``.

    The record of the same presentation by the same verifier, if there is one, is returned
    instead of a new one. Raises TooManyRequests when the verifier already has
    ``USES_PER_CERTIFICATE`` records of this certificate within ``USES_WINDOW``.
    """
    moment = now or utcnow()
    verifier = _bounded(context.verifier, 128)
    digest = hashlib.sha256(presentation.strip().encode("utf-8", "replace")).hexdigest()
    seen = _recorded(session, verifier, digest)
    if seen is not None:
        return seen
    parsed = _parse(presentation)
    row = _stored(session, parsed) if parsed is not None else None
    certificate_id = _certificate_id(row, parsed, result, presentation)
    _refuse_flood(session, verifier, certificate_id, moment)
    holder, type_code = _holder(row, result)
    issuer = result.issuer or (parsed.payload.get("iss") if parsed is not None else None)
    use = CertificateUse(
        used_at=moment,
        presentation_sha256=digest,
        certificate_id=certificate_id,
        # Bounded: on a refused presentation these come from an unverified payload.
        type_code=_bounded(type_code or result.vct or "", 64) or None,
        issuer=_bounded(issuer, 64) if isinstance(issuer, str) else None,
        holder_id=holder,
        verifier=verifier,
        verifier_org=_bounded(context.verifier_org, 64) if context.verifier_org else None,
        channel=context.channel,
        audience=_bounded(context.audience, 255),
        purpose=_bounded(context.purpose, 255) if context.purpose else None,
        disclosed=_disclosed(parsed, result),
        valid=result.valid,
        reasons=[failed.reason for failed in result.failed],
    )
    try:
        with session.begin_nested():  # the same presentation posted twice at once
            session.add(use)
    except IntegrityError:
        recorded = _recorded(session, verifier, digest)
        if recorded is None:
            raise
        return recorded
    return use


def _recorded(session: Session, verifier: str, digest: str) -> CertificateUse | None:
    query = select(CertificateUse).where(
        CertificateUse.verifier == verifier, CertificateUse.presentation_sha256 == digest
    )
    return session.scalars(query).first()


def _refuse_flood(
    session: Session, verifier: str, certificate_id: str, moment: dt.datetime
) -> None:
    recent = list(
        session.scalars(
            select(CertificateUse.used_at)
            .where(
                CertificateUse.certificate_id == certificate_id,
                CertificateUse.verifier == verifier,
                CertificateUse.used_at > moment - USES_WINDOW,
            )
            .order_by(CertificateUse.used_at.desc())
            .limit(USES_PER_CERTIFICATE)
        )
    )
    if len(recent) >= USES_PER_CERTIFICATE:
        wait = math.ceil((recent[-1] + USES_WINDOW - moment).total_seconds())
        minutes = int(USES_WINDOW.total_seconds() // 60)
        raise TooManyRequests(
            f"同一核验账号对同一证照核验过于频繁：{minutes} 分钟内最多 {USES_PER_CERTIFICATE} 次，"
            f"请 {wait} 秒后再试 (at most {USES_PER_CERTIFICATE} verifications of one "
            f"certificate per account in {minutes} minutes)",
            retry_after=wait,
        )


def uses_of_holder(session: Session, holder_id: str) -> list[CertificateUse]:
    """The holder's records, newest first."""
    query = select(CertificateUse).where(CertificateUse.holder_id == holder_id.strip().upper())
    return list(session.scalars(query.order_by(CertificateUse.id.desc())))


def uses_of_certificate(session: Session, certificate_id: str) -> list[CertificateUse]:
    """The records of one certificate (GB/T 36904 identifier), newest first."""
    query = select(CertificateUse).where(CertificateUse.certificate_id == certificate_id.strip())
    return list(session.scalars(query.order_by(CertificateUse.id.desc())))


_DERIVED_LABELS = {"age_at_least": "年龄（端侧证明）", "resident_of": "居住地（端侧证明）"}


def _labels(type_code: str | None, names: list[str]) -> tuple[str, list[str]]:
    try:
        kind = cert_type(type_code or "")
    except CertTypeNotFound:
        return "电子证照", names
    labels = {"holder_id": "持证主体代码", **_DERIVED_LABELS}
    labels.update({f.name: f.label for f in kind.fields})
    labels.update({p.name: p.label for p in kind.predicates})
    return kind.name, [labels.get(name, name) for name in names]


def describe_use(use: CertificateUse) -> str:
    """One sentence in Chinese for the holder: when, who, which certificate, what, result."""
    when = use.used_at.astimezone(_BEIJING).strftime("%Y-%m-%d %H:%M")
    type_name, labels = _labels(use.type_code, use.disclosed)
    who = f"{use.verifier_org}（{use.verifier}）" if use.verifier_org else use.verifier
    shown = "、".join(labels) if labels else "无（仅证明持有）"
    purpose = f"，用途：{use.purpose}" if use.purpose else ""
    outcome = "通过" if use.valid else f"未通过（{'、'.join(use.reasons) or '格式错误'}）"
    return (
        f"{when}（北京时间）{who} 通过平台{_CHANNEL_ZH[use.channel]}了您的{type_name}"
        f"{purpose}；出示项目：{shown}；核验结果：{outcome}。"
    )


def use_json(use: CertificateUse) -> dict[str, Any]:
    """A record as the holder reads it: Beijing time, the type's name and item labels."""
    type_name, labels = _labels(use.type_code, use.disclosed)
    return {
        "used_at": use.used_at.astimezone(_BEIJING).isoformat(timespec="seconds"),
        "certificate_id": use.certificate_id,
        "type_code": use.type_code,
        "type_name": type_name,
        "issuer": use.issuer,
        "holder_id": use.holder_id,
        "verifier": use.verifier,
        "verifier_org": use.verifier_org,
        "channel": use.channel.value,
        "channel_zh": _CHANNEL_ZH[use.channel],
        "audience": use.audience,
        "purpose": use.purpose,
        "disclosed": list(use.disclosed),
        "disclosed_labels": labels,
        "valid": use.valid,
        "reasons": list(use.reasons),
        "description": describe_use(use),
    }


def verify_and_record(
    session: Session,
    keys: KeyStore,
    presentation: str,
    context: UseContext,
    *,
    nonce: str,
    now: dt.datetime | None = None,
) -> VerificationResult:
    """Verify as ``POST /verifications`` does (the node's trust list and own status lists)
    for ``context.audience`` and ``nonce``, and append the record of the use."""
    result = verify_presentation(
        presentation,
        trust=TrustList.from_keystore(keys),
        status_lists=StatusLists.from_database(session, keys),
        audience=context.audience,
        nonce=nonce,
        now=int(now.timestamp()) if now is not None else None,
    )
    record_use(session, presentation, result, context, now=now)
    return result


def redeem_and_verify(
    session: Session,
    keys: KeyStore,
    code: str,
    context: UseContext,
    *,
    nonce: str,
    now: dt.datetime | None = None,
) -> VerificationResult:
    """Redeem a one-time short code (once, before it expires) and verify its presentation.

    Raises ShortCodeNotFound, ShortCodeUsed or ShortCodeExpired; otherwise the use is logged
    whatever the result, and the code is spent even when the presentation is invalid.
    """
    presentation = redeem_short_code(session, code, redeemed_by=context.verifier, now=now)
    return verify_and_record(session, keys, presentation, context, nonce=nonce, now=now)
