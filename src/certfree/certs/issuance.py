"""Issuance under the unified seal (统一签章): check, identify, allocate status, seal, store.

The credential is an SD-JWT VC (RFC 9901, draft-ietf-oauth-sd-jwt-vc):

* ``iss`` — the issuing organ's USCC (18 characters). It is also the organ's key owner, and
  its keys are in ``/.well-known/jwks.json``; a verifier maps it to a trust-list entry.
* ``vct`` — the 21-character certificate type code (GB/T 36904).
* ``iat``, ``nbf`` (start of validity), ``exp`` (end of the last valid day, Beijing time;
  absent for 长期), ``cnf.jwk`` (the holder's public key), ``status.status_list``
  ``{idx, uri}`` (IETF Token Status List §6.1).
* GB/T 36903 metadata is carried by the standard claims (``vct``, ``iat``, ``nbf``/``exp``)
  and the catalog; see :mod:`certfree.certs.claims` for the layout.
* Selectively disclosable: ``certificate_id``, each predicate, and the ``face`` object whose
  members (``holder_id`` and every face field) are each selectively disclosable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from certfree.certs.claims import BEIJING, Validity, certificate_claims
from certfree.certs.derived import with_edge
from certfree.certs.errors import (
    FaceDataInvalid,
    HolderDeceased,
    HolderOutsideJurisdiction,
    HolderUnknown,
)
from certfree.certs.facedata import check_face_data, check_holder_id, derive_predicates
from certfree.certs.issuers import Issuer, issuer_signer, resolve_issuer
from certfree.certs.models import Certificate, StatusListRecord
from certfree.certs.statuslists import Allocation, allocate, lock_issuer
from certfree.certs.types import CertType, cert_type
from certfree.certs.vocab import CertStatus, HolderCategory, IssuerLevel
from certfree.crypto import Alg, KeyStore, Signer, issue_sd_jwt, verifier_for
from certfree.errors import InvalidInput, NotFound
from certfree.identifiers import make_cert_id
from certfree.population import Firm, Person, get_person
from certfree.storage import utcnow

__all__ = [
    "BEIJING",
    "DEFAULT_BASE_URL",
    "IssuedCertificate",
    "Sealed",
    "Sealing",
    "Validity",
    "certificate_row",
    "check_holder_jwk",
    "check_holder_registered",
    "check_jurisdiction",
    "issue_certificate",
    "issued",
    "seal",
    "seal_certificate",
    "sealing_for",
    "status_list_uri",
    "store_sealed",
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


@dataclass(frozen=True, slots=True)
class Sealing:
    """One certificate ready to seal: checked inputs and spent numbers; picklable, so that
    sealing can run in another process (see ``certfree.certs.sealing_pool``)."""

    type_code: str
    issuer: Issuer
    holder_id: str
    face: dict[str, Any]
    holder_jwk: dict[str, Any] | None
    validity: Validity
    moment: dt.datetime
    allocation: Allocation
    serial: str
    version: int


@dataclass(frozen=True, slots=True)
class Sealed:
    """A sealed certificate: its GB/T 36904 identifier and its credential (compact SD-JWT)."""

    identifier: str
    credential: str


def sealing_for(
    kind: CertType,
    issuer: Issuer,
    allocation: Allocation,
    *,
    holder_id: str,
    face: dict[str, Any],
    holder_jwk: dict[str, Any] | None,
    validity: Validity,
    moment: dt.datetime,
    serial: str | None = None,
    version: int = 1,
) -> Sealing:
    """The Sealing of one certificate under ``allocation`` (serial drawn there unless given)."""
    serial = serial or f"{allocation.serial:0{SERIAL_DIGITS}d}"
    return Sealing(
        type_code=kind.code, issuer=issuer, holder_id=holder_id, face=face,
        holder_jwk=holder_jwk, validity=validity, moment=moment, allocation=allocation,
        serial=serial, version=version,
    )  # fmt: skip


def seal(signer: Signer, sealing: Sealing) -> Sealed:
    """The SD-JWT VC of ``sealing`` sealed by ``signer`` (no database: any process may run it)."""
    kind = cert_type(sealing.type_code)
    identifier = make_cert_id(kind.code, sealing.issuer.uscc, sealing.serial, sealing.version)
    predicates = derive_predicates(kind, sealing.face, today(sealing.moment))
    layout = certificate_claims(
        kind=kind, issuer=sealing.issuer, identifier=identifier,
        version=sealing.version, moment=sealing.moment, validity=sealing.validity,
        holder_id=sealing.holder_id, face=sealing.face, predicates=predicates,
        status_index=sealing.allocation.index, status_uri=sealing.allocation.uri,
    )  # fmt: skip
    # Derived claims (端侧处理): the age chain's anchor, the division levels.
    layout = with_edge(layout, kind, sealing.face, today(sealing.moment))
    credential = issue_sd_jwt(
        signer,
        layout.claims,
        selectively_disclosable=layout.disclosable,
        header={"typ": SD_JWT_VC_TYP},
        holder_jwk=sealing.holder_jwk,
    )
    return Sealed(identifier, credential)


def certificate_row(sealing: Sealing, sealed: Sealed) -> dict[str, Any]:
    """The ``certificates`` row of a sealed certificate, as column values."""
    credential = sealed.credential
    return {
        "identifier": sealed.identifier,
        "type_code": sealing.type_code,
        "type_name": cert_type(sealing.type_code).name,
        "holder_id": sealing.holder_id,
        "issuer_uscc": sealing.issuer.uscc,
        "serial": sealing.serial,
        "version": sealing.version,
        "status": CertStatus.ISSUED,
        "revocation_reason": None,
        "status_changed_at": None,
        "issued_at": sealing.moment,
        "valid_from": sealing.validity.valid_from,
        "valid_to": sealing.validity.valid_to,
        "status_list_no": sealing.allocation.list_no,
        "status_index": sealing.allocation.index,
        "face_data": sealing.face,
        "holder_jwk": sealing.holder_jwk or {},
        "credential": credential,
        "credential_sha256": hashlib.sha256(credential.encode("ascii")).hexdigest(),
        "superseded_by": None,
    }


def store_sealed(session: Session, sealed: Sequence[tuple[Sealing, Sealed]]) -> None:
    """Insert sealed certificates in one multi-row statement (executemany)."""
    if sealed:
        session.execute(insert(Certificate), [certificate_row(s, c) for s, c in sealed])


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
    seal_alg: Alg | None = None,
) -> Certificate:
    """Seal and store one certificate whose inputs are already checked (see issue_certificate).

    A new serial is drawn unless ``serial`` is given (a replacement keeps its serial).
    ``holder_jwk`` None (a backfilled paper-era certificate) seals no ``cnf``; ``{}`` is stored.
    ``seal_alg`` names the seal's algorithm (SM2 on request); None is the organ's default.
    """
    derive_predicates(kind, face, today(moment))  # refuse before locking
    allocation = allocate(session, lock_issuer(session, issuer), base_url)
    sealing = sealing_for(
        kind, issuer, allocation, holder_id=holder_id, face=face, holder_jwk=holder_jwk,
        validity=validity, moment=moment, serial=serial, version=version,
    )  # fmt: skip
    certificate = Certificate(
        **certificate_row(sealing, seal(issuer_signer(keys, issuer, seal_alg), sealing))
    )
    session.add(certificate)
    session.flush()
    return certificate


def check_holder_registered(session: Session, kind: CertType, holder_id: str) -> str | None:
    """Refuse a holder the node's registers do not know, or a person recorded as deceased.

    A person is looked up in the population register (人口库), an organisation in the firm
    register (法人库). A node whose register of that kind is empty (a pure issuing node that
    holds no population data) cannot tell, and accepts the holder. Returns the GB/T 2260 code
    where the register has the holder (a person's residence, a firm's registration), None
    when it cannot tell. Raises HolderUnknown or HolderDeceased, naming field ``holder``.
    """
    if kind.holder_category is HolderCategory.PERSON:
        try:
            person = get_person(session, holder_id)
        except NotFound:
            if session.scalar(select(Person.id_number).limit(1)) is not None:
                raise HolderUnknown(
                    f"人口库中没有公民身份号码为 {holder_id} 的人员，请核对持证人", field="holder"
                ) from None
            return None
        if person.deceased:
            raise HolderDeceased(
                f"人口库记录持证人 {holder_id} 已死亡，不能向其签发证照",
                field="holder",
            )
        return person.address_code
    firm = session.get(Firm, holder_id)
    if firm is None and session.scalar(select(Firm.uscc).limit(1)) is not None:
        raise HolderUnknown(
            f"法人库中没有统一社会信用代码为 {holder_id} 的主体，请核对持证主体",
            field="holder",
        )
    return firm.division_code if firm is not None else None


def _within(region: str, division: str) -> bool:
    """GB/T 2260 §4: a code ending 0000 is a province, 00 a prefecture; the rest a county."""
    significant = 2 if region.endswith("0000") else 4 if region.endswith("00") else 6
    return division[:significant] == region[:significant]


def check_jurisdiction(kind: CertType, issuer: Issuer, holder_division: str | None) -> None:
    """Refuse a holder registered outside the issuing organ's region (属地管辖).

    An organ issues to the residents and firms of its own region: a county- or city-level
    organ to its city, a provincial organ to the whole province. Types issued by provincial
    or national organs are province-wide. Without a register entry (a pure issuing node)
    there is nothing to check against. Raises HolderOutsideJurisdiction (field ``holder``).
    """
    if holder_division is None or kind.issuer_level in (IssuerLevel.PROVINCE, IssuerLevel.NATIONAL):
        return
    region = issuer.node_code.split("-", 1)[0]
    if not _within(region, holder_division):
        raise HolderOutsideJurisdiction(
            f"持证主体登记在 {holder_division}，不在发证机关 {issuer.name}（{region}）的"
            "管辖范围内；请由其登记地的发证机关签发",
            field="holder",
        )


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
    holder_jwk: Mapping[str, Any] | None,
    issuer_uscc: str | None = None,
    validity: Validity | None = None,
    now: dt.datetime | None = None,
    base_url: str = DEFAULT_BASE_URL,
    seal_alg: Alg | None = None,
    registered_in: str | None = None,
) -> IssuedCertificate:
    """Issue a certificate of ``type_code`` to ``holder_id`` and store it in the base library.

    ``issuer_uscc`` (a USCC or department node code) defaults to the type's issuing department
    in the demo province; its seal key (KeyStore owner = the USCC) is created on first use.
    The seal is the organ's default (EdDSA or ES256, verifiable by any JOSE library) unless
    ``seal_alg`` asks for another, e.g. ``Alg.SM2`` for a 国密 relying party (its own key,
    ``issuers.seal_owner``; docs/sm2-jose-profile.md).
    ``validity`` defaults to the type's default term from today (Beijing); ``base_url`` is the
    node's public address, written into the status-list URI of a new list. Without a
    ``holder_jwk`` the certificate is sealed with no ``cnf`` (as a backfilled one is) and
    serves once its holder claims it with their wallet's key (认领). ``registered_in``
    is the GB/T 2260 division whose organ the certified act falls to, when that is not the
    holder's own: a marriage is registered where either party's household is
    (《婚姻登记条例》第四条), and both parties' certificates are issued there.

    The holder must be in the node's population register (a person, and not deceased) or
    firm register (an organisation); a node whose register is empty — a pure issuing node
    without population data — accepts any well-formed holder (see check_holder_registered).

    Raises CertTypeNotFound; FaceDataInvalid naming the field (missing, wrong type, bad ID
    number or USCC, holder mismatch, a required predicate that fails, validity out of range);
    HolderUnknown / HolderDeceased (field ``holder``); InvalidInput for a bad holder key or
    unknown issuer; Forbidden when the issuer's department does not issue the type.
    """
    moment = now or utcnow()
    kind = cert_type(type_code)
    face = check_face_data(kind, face_data)
    holder = check_holder_id(kind, holder_id, face)
    jwk = None if holder_jwk is None else check_holder_jwk(holder_jwk)
    division = check_holder_registered(session, kind, holder)
    issuer = resolve_issuer(session, kind, issuer_uscc)
    check_jurisdiction(kind, issuer, registered_in or division)
    term = validity_for(kind, validity, today(moment))
    certificate = seal_certificate(
        session, keys, kind=kind, issuer=issuer, holder_id=holder, face=face,
        holder_jwk=jwk, validity=term, moment=moment, base_url=base_url, seal_alg=seal_alg,
    )  # fmt: skip
    return issued(certificate, status_list_uri(session, certificate))


def status_list_uri(session: Session, certificate: Certificate) -> str:
    return session.scalars(
        select(StatusListRecord.uri).where(
            StatusListRecord.issuer_uscc == certificate.issuer_uscc,
            StatusListRecord.list_no == certificate.status_list_no,
        )
    ).one()
