"""Status of issued certificates: suspend, resume, revoke, replace, expiry; reading the library.

A change writes the certificate row and marks its status list stale, so the next list fetched
shows it (draft-ietf-oauth-status-list §7: 1 invalid, 2 suspended). Expiry is not stored: a
certificate whose ``valid_to`` is past is ``expired`` when read (GB/T 36903 有效期).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree.certs.errors import CertificateNotFound, StatusConflict
from certfree.certs.facedata import check_face_data, check_holder_id
from certfree.certs.issuance import (
    DEFAULT_BASE_URL,
    IssuedCertificate,
    Validity,
    check_holder_jwk,
    issued,
    seal_certificate,
    status_list_uri,
    today,
    validity_for,
)
from certfree.certs.issuers import resolve_issuer
from certfree.certs.models import Certificate
from certfree.certs.statuslists import mark_changed
from certfree.certs.types import cert_type
from certfree.certs.vocab import CertStatus, RevocationReason
from certfree.crypto import KeyStore
from certfree.errors import Forbidden, InvalidInput
from certfree.identifiers import parse_cert_id
from certfree.storage import utcnow

__all__ = [
    "certificate_of_issuer",
    "effective_status",
    "get_certificate",
    "list_certificates",
    "locked_certificate",
    "replace_certificate",
    "resume_certificate",
    "revoke_certificate",
    "supersede",
    "suspend_certificate",
]


def effective_status(certificate: Certificate, now: dt.datetime | None = None) -> CertStatus:
    """The stored status, or ``expired`` once the last valid day (Beijing) has passed."""
    if (
        certificate.status is CertStatus.ISSUED
        and certificate.valid_to is not None
        and certificate.valid_to < today(now)
    ):
        return CertStatus.EXPIRED
    return certificate.status


def get_certificate(session: Session, identifier: str) -> Certificate:
    """The certificate with GB/T 36904 ``identifier``; InvalidIdentifier if malformed,
    CertificateNotFound if not in this base library."""
    value = parse_cert_id(identifier).value
    found = session.scalars(select(Certificate).where(Certificate.identifier == value)).first()
    if found is None:
        raise CertificateNotFound(f"电子证照库中没有标识为 {value} 的证照", field="identifier")
    return found


def list_certificates(
    session: Session, *, holder_id: str | None = None, issuer_uscc: str | None = None
) -> list[Certificate]:
    """Certificates of a holder and/or an issuer, newest first."""
    query = select(Certificate).order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    if holder_id is not None:
        query = query.where(Certificate.holder_id == holder_id.strip().upper())
    if issuer_uscc is not None:
        query = query.where(Certificate.issuer_uscc == issuer_uscc)
    return list(session.scalars(query))


def locked_certificate(session: Session, identifier: str) -> Certificate:
    """The certificate, row-locked until the transaction ends (FOR UPDATE on PostgreSQL)."""
    certificate = get_certificate(session, identifier)
    session.refresh(certificate, with_for_update=True)
    return certificate


def _check_issuer(certificate: Certificate, issuer_uscc: str | None) -> Certificate:
    if issuer_uscc is not None and certificate.issuer_uscc != issuer_uscc:
        raise Forbidden(f"证照 {certificate.identifier} 不是由 {issuer_uscc} 签发的")
    return certificate


def certificate_of_issuer(session: Session, identifier: str, issuer_uscc: str) -> Certificate:
    """The certificate, as get_certificate; Forbidden unless ``issuer_uscc`` issued it."""
    return _check_issuer(get_certificate(session, identifier), issuer_uscc)


def _locked_for_issuer(session: Session, identifier: str, issuer_uscc: str | None) -> Certificate:
    """The certificate, row-locked; Forbidden when ``issuer_uscc`` is given and did not issue it."""
    return _check_issuer(locked_certificate(session, identifier), issuer_uscc)


def _set(
    session: Session, certificate: Certificate, status: CertStatus, moment: dt.datetime
) -> Certificate:
    certificate.status = status
    certificate.status_changed_at = moment
    certificate.index_seq = None  # the provincial index takes the change (certs.index.feed)
    mark_changed(session, certificate)
    session.flush()
    return certificate


def _move(
    session: Session, identifier: str, source: CertStatus, target: CertStatus, refusal: str, *,
    issuer_uscc: str | None, now: dt.datetime | None,
) -> Certificate:  # fmt: skip
    """``source`` → ``target``; StatusConflict (``refusal`` and the status) from any other."""
    certificate = _locked_for_issuer(session, identifier, issuer_uscc)
    if certificate.status is not source:
        raise StatusConflict(f"{refusal}，此证照{certificate.status.zh}")
    return _set(session, certificate, target, now or utcnow())


def suspend_certificate(
    session: Session, identifier: str, *, issuer_uscc: str | None = None,
    now: dt.datetime | None = None,
) -> Certificate:  # fmt: skip
    """Suspend (暂停) a valid certificate; StatusConflict unless it is ``issued``."""
    return _move(
        session, identifier, CertStatus.ISSUED, CertStatus.SUSPENDED, "只有有效的证照可以暂停",
        issuer_uscc=issuer_uscc, now=now,
    )  # fmt: skip


def resume_certificate(
    session: Session, identifier: str, *, issuer_uscc: str | None = None,
    now: dt.datetime | None = None,
) -> Certificate:  # fmt: skip
    """Resume (恢复) a suspended certificate; StatusConflict unless it is ``suspended``."""
    return _move(
        session, identifier, CertStatus.SUSPENDED, CertStatus.ISSUED, "只有已暂停的证照可以恢复",
        issuer_uscc=issuer_uscc, now=now,
    )  # fmt: skip


def revoke_certificate(
    session: Session, identifier: str, reason: RevocationReason | str, *,
    issuer_uscc: str | None = None, now: dt.datetime | None = None,
) -> Certificate:  # fmt: skip
    """Revoke (注销) a certificate for ``reason``; final. StatusConflict if already revoked,
    InvalidInput naming the reason codes for an unknown reason."""
    try:
        code = RevocationReason(reason)
    except ValueError:
        names = ", ".join(r.value for r in RevocationReason)
        raise InvalidInput(f"未知的注销原因 {reason!r}；可用：{names}", field="reason") from None
    certificate = _locked_for_issuer(session, identifier, issuer_uscc)
    if certificate.status is CertStatus.REVOKED:
        raise StatusConflict(
            f"证照已于 {certificate.status_changed_at:%Y-%m-%d} 注销"
            f"（{certificate.revocation_reason.zh if certificate.revocation_reason else ''}）"
        )
    certificate.revocation_reason = code
    return _set(session, certificate, CertStatus.REVOKED, now or utcnow())


def replace_certificate(
    session: Session,
    keys: KeyStore,
    identifier: str,
    *,
    face_data: Mapping[str, Any] | None = None,
    holder_jwk: Mapping[str, Any] | None = None,
    validity: Validity | None = None,
    issuer_uscc: str | None = None,
    now: dt.datetime | None = None,
    base_url: str = DEFAULT_BASE_URL,
) -> IssuedCertificate:
    """Issue the next version (换发) of a certificate and revoke the old one as ``superseded``.

    The new version keeps type, holder, issuer and serial (GB/T 36904: version + 1); face
    data and holder key are the old ones unless given (a backfilled certificate without
    ``cnf`` stays without: the holder binds a key by claiming it, see ``certs.claiming``);
    validity is ``validity`` or the type's default term from today. StatusConflict if the
    old one is already revoked.
    """
    moment = now or utcnow()
    old = _locked_for_issuer(session, identifier, issuer_uscc)
    if old.status is CertStatus.REVOKED:
        raise StatusConflict("已注销的证照不能换发，请重新签发")
    kind = cert_type(old.type_code)
    term = validity_for(kind, validity, today(moment))
    jwk = holder_jwk if holder_jwk is not None else (old.holder_jwk or None)
    return supersede(
        session, keys, old, face_data=face_data, holder_jwk=jwk, validity=term, moment=moment,
        base_url=base_url,
    )  # fmt: skip


def supersede(
    session: Session,
    keys: KeyStore,
    old: Certificate,
    *,
    face_data: Mapping[str, Any] | None,
    holder_jwk: Mapping[str, Any] | None,
    validity: Validity,
    moment: dt.datetime,
    base_url: str,
) -> IssuedCertificate:
    """Seal version + 1 of ``old`` (row-locked by the caller) and revoke ``old`` as superseded.

    ``face_data`` None keeps the old face data (checked again against the type's schema);
    ``holder_jwk`` None seals no ``cnf`` (a paper-era certificate nobody has claimed yet).
    The old version's status bit becomes 1 in its list (draft-ietf-oauth-status-list §7.1).
    """
    kind = cert_type(old.type_code)
    face = check_face_data(kind, face_data if face_data is not None else old.face_data)
    holder = check_holder_id(kind, old.holder_id, face)
    jwk = check_holder_jwk(holder_jwk) if holder_jwk is not None else None
    issuer = resolve_issuer(session, kind, old.issuer_uscc)
    new = seal_certificate(
        session, keys, kind=kind, issuer=issuer, holder_id=holder, face=face, holder_jwk=jwk,
        validity=validity, moment=moment, base_url=base_url, serial=old.serial,
        version=old.version + 1,
    )  # fmt: skip
    old.revocation_reason = RevocationReason.SUPERSEDED
    old.superseded_by = new.identifier
    _set(session, old, CertStatus.REVOKED, moment)
    return issued(new, status_list_uri(session, new))
