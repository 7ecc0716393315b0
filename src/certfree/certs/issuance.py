"""Issuance under the unified seal (统一签章): check, identify, allocate status, seal, store.

The credential is an SD-JWT VC (RFC 9901, draft-ietf-oauth-sd-jwt-vc):

* ``iss`` — the issuing organ's USCC (18 characters). It is also the organ's key owner, and
  its keys are in ``/.well-known/jwks.json``; a verifier maps it to a trust-list entry.
* ``vct`` — the 21-character certificate type code (GB/T 36904).
* ``iat``, ``nbf`` (start of validity), ``exp`` (end of the last valid day, Beijing time;
  absent for 长期), ``cnf.jwk`` (the holder's public key), ``status.status_list``
  ``{idx, uri}`` (IETF Token Status List §6.1).
* GB/T 36903 metadata, always visible: ``certificate_id`` (GB/T 36904 identifier),
  ``certificate_type``, ``certificate_name``, ``version``, ``issuer_name``, ``issue_date``,
  ``valid_from``, ``valid_to`` (``null`` = 长期), ``holder_code_type`` (111 or 001).
* Selectively disclosable: ``holder_id``, every face field, every predicate.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certfree.certs.claims import BEIJING, Validity, certificate_claims
from certfree.certs.errors import FaceDataInvalid
from certfree.certs.facedata import check_face_data, check_holder_id, derive_predicates
from certfree.certs.issuers import Issuer, issuer_signer, resolve_issuer
from certfree.certs.models import Certificate, StatusListRecord
from certfree.certs.statuslists import allocate, lock_issuer
from certfree.certs.types import CertType, cert_type
from certfree.certs.vocab import CertStatus
from certfree.crypto import KeyStore, issue_sd_jwt, verifier_for
from certfree.errors import InvalidInput
from certfree.identifiers import make_cert_id
from certfree.storage import utcnow

__all__ = [
    "BEIJING",
    "DEFAULT_BASE_URL",
    "IssuedCertificate",
    "Validity",
    "check_holder_jwk",
    "issue_certificate",
    "issued",
    "seal_certificate",
    "status_list_uri",
    "today",
    "validity_for",
]

DEFAULT_BASE_URL = "http://127.0.0.1:8000"  # `certfree serve`'s default address
SERIAL_DIGITS = 10
SD_JWT_VC_TYP = "dc+sd-jwt"


@dataclass(frozen=True, slots=True)
class IssuedCertificate:
    identifier: str
    type_code: str
    holder_id: str
    issuer_uscc: str
    version: int
    credential: str
    valid_from: dt.date
    valid_to: dt.date | None
    status_list_uri: str
    status_index: int


def today(now: dt.datetime | None = None) -> dt.date:
    """The date in Beijing (certificate dates are Beijing dates)."""
    return (now or utcnow()).astimezone(BEIJING).date()


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def validity_for(kind: CertType, validity: Validity | None, today: dt.date) -> Validity:
    """``validity`` checked against the type's range, or the type's default term from ``today``.

    FaceDataInvalid (field ``valid_to``) when out of range or 长期 where the type forbids it.
    """
    rule = kind.validity
    if validity is None:
        if rule.default_years is None:
            return Validity(today, None)
        return Validity(today, _add_years(today, rule.default_years) - dt.timedelta(days=1))
    if validity.valid_to is None:
        if not rule.permanent_allowed:
            raise FaceDataInvalid(
                f"{kind.name}不能长期有效，请给出有效期截止日期", field="valid_to"
            )
        return validity
    if validity.valid_to < validity.valid_from:
        raise FaceDataInvalid("有效期截止日期早于起始日期", field="valid_to")
    span = validity.valid_to - validity.valid_from
    if rule.min_years is not None and rule.max_years is not None:
        longest = _add_years(validity.valid_from, rule.max_years) - validity.valid_from
        shortest = _add_years(validity.valid_from, rule.min_years) - dt.timedelta(days=1)
        if span > longest or validity.valid_to < shortest:
            raise FaceDataInvalid(
                f"{kind.name}的有效期应为 {rule.min_years} 至 {rule.max_years} 年",
                field="valid_to",
            )
    return validity


def check_holder_jwk(jwk: Mapping[str, Any]) -> dict[str, Any]:
    """The holder's public JWK; InvalidInput for a private key or an unusable key."""
    if not isinstance(jwk, Mapping) or "kty" not in jwk:
        raise InvalidInput("持证人公钥应为 JWK 对象（含 kty）", field="holder_jwk")
    if "d" in jwk:
        raise InvalidInput(
            "提交的是私钥（含 d）：只应提交公钥，私钥留在持证人设备上", field="holder_jwk"
        )
    verifier_for(jwk)  # InvalidInput names an unsupported or malformed key
    return dict(jwk)


def seal_certificate(
    session: Session,
    keys: KeyStore,
    *,
    kind: CertType,
    issuer: Issuer,
    holder_id: str,
    face: dict[str, Any],
    holder_jwk: dict[str, Any] | None,
    validity: Validity,
    moment: dt.datetime,
    base_url: str,
    serial: str | None = None,
    version: int = 1,
) -> Certificate:
    """Seal and store one certificate whose inputs are already checked (see issue_certificate).

    A new serial is drawn unless ``serial`` is given (a replacement keeps its serial).
    ``holder_jwk`` None (a backfilled paper-era certificate) seals no ``cnf``; ``{}`` is stored.
    """
    today = moment.astimezone(BEIJING).date()
    predicates = derive_predicates(kind, face, today)
    row = lock_issuer(session, issuer)
    allocation = allocate(session, row, base_url)
    serial = serial or f"{allocation.serial:0{SERIAL_DIGITS}d}"
    identifier = make_cert_id(kind.code, issuer.uscc, serial, version)
    layout = certificate_claims(
        kind=kind, issuer=issuer, identifier=identifier, version=version, moment=moment,
        validity=validity, holder_id=holder_id, face=face, predicates=predicates,
        status_index=allocation.index, status_uri=allocation.uri,
    )  # fmt: skip
    credential = issue_sd_jwt(
        issuer_signer(keys, issuer),
        layout.claims,
        selectively_disclosable=layout.disclosable,
        header={"typ": SD_JWT_VC_TYP},
        holder_jwk=holder_jwk,
    )
    certificate = Certificate(
        identifier=identifier,
        type_code=kind.code,
        type_name=kind.name,
        holder_id=holder_id,
        issuer_uscc=issuer.uscc,
        serial=serial,
        version=version,
        status=CertStatus.ISSUED,
        issued_at=moment,
        valid_from=validity.valid_from,
        valid_to=validity.valid_to,
        status_list_no=allocation.list_no,
        status_index=allocation.index,
        face_data=face,
        holder_jwk=holder_jwk or {},
        credential=credential,
        credential_sha256=hashlib.sha256(credential.encode("ascii")).hexdigest(),
    )
    session.add(certificate)
    session.flush()
    return certificate


def issued(certificate: Certificate, uri: str) -> IssuedCertificate:
    return IssuedCertificate(
        identifier=certificate.identifier,
        type_code=certificate.type_code,
        holder_id=certificate.holder_id,
        issuer_uscc=certificate.issuer_uscc,
        version=certificate.version,
        credential=certificate.credential,
        valid_from=certificate.valid_from,
        valid_to=certificate.valid_to,
        status_list_uri=uri,
        status_index=certificate.status_index,
    )


def issue_certificate(
    session: Session,
    keys: KeyStore,
    *,
    type_code: str,
    holder_id: str,
    face_data: Mapping[str, Any],
    holder_jwk: Mapping[str, Any],
    issuer_uscc: str | None = None,
    validity: Validity | None = None,
    now: dt.datetime | None = None,
    base_url: str = DEFAULT_BASE_URL,
) -> IssuedCertificate:
    """Issue a certificate of ``type_code`` to ``holder_id`` and store it in the base library.

    ``issuer_uscc`` (a USCC or department node code) defaults to the type's issuing department
    in the demo province; its seal key (KeyStore owner = the USCC) is created on first use.
    ``validity`` defaults to the type's default term from today (Beijing); ``base_url`` is the
    node's public address, written into the status-list URI of a new list.

    Raises CertTypeNotFound; FaceDataInvalid naming the field (missing, wrong type, bad ID
    number or USCC, holder mismatch, a required predicate that fails, validity out of range);
    InvalidInput for a bad holder key or unknown issuer; Forbidden when the issuer's
    department does not issue the type.
    """
    moment = now or utcnow()
    kind = cert_type(type_code)
    face = check_face_data(kind, face_data)
    holder = check_holder_id(kind, holder_id, face)
    jwk = check_holder_jwk(holder_jwk)
    issuer = resolve_issuer(session, kind, issuer_uscc)
    term = validity_for(kind, validity, moment.astimezone(BEIJING).date())
    derive_predicates(kind, face, moment.astimezone(BEIJING).date())  # refuse before sealing
    certificate = seal_certificate(
        session, keys, kind=kind, issuer=issuer, holder_id=holder, face=face,
        holder_jwk=jwk, validity=term, moment=moment, base_url=base_url,
    )  # fmt: skip
    return issued(certificate, status_list_uri(session, certificate))


def status_list_uri(session: Session, certificate: Certificate) -> str:
    return session.scalars(
        select(StatusListRecord.uri).where(
            StatusListRecord.issuer_uscc == certificate.issuer_uscc,
            StatusListRecord.list_no == certificate.status_list_no,
        )
    ).one()
