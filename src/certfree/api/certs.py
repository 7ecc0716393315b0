"""HTTP routes of e-certificate types (GB/T 36902), issuance, status and status lists.

Who acts for an issuer: a ``department_admin`` token whose ``org`` claim names the issuing
organ, as its department node code (``370100-GA``) or its USCC. Every certificate such a
token issues, suspends, resumes, revokes or replaces is that organ's; a token without
``org`` may not issue. Applicants see only their own certificates (token ``sub`` = holder
identifier), with the credential so a wallet can fetch it again; clerks see metadata only.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field, computed_field
from sqlalchemy.orm import Session

from certfree import certs
from certfree.api.deps import PUBLIC, IsoDate, NodeDep, PathIndex, SessionDep, allow
from certfree.api.views import View, omitted_if_none
from certfree.auth import Principal, Role
from certfree.crypto import Alg
from certfree.errors import Forbidden, InvalidInput

router = APIRouter(prefix="/api/v1", tags=["certs"])

_Issuer = Annotated[Principal, Depends(allow(Role.DEPARTMENT_ADMIN))]
_Reader = Annotated[Principal, Depends(allow(Role.APPLICANT, Role.CLERK, Role.DEPARTMENT_ADMIN))]

STATUS_LIST_MEDIA_TYPE = "application/statuslist+jwt"


class CertificateIssueRequest(BaseModel):
    type_code: str = Field(description="21-character certificate type code")
    holder_id: str = Field(description="resident ID number (111) or USCC (001) of the holder")
    face_data: dict[str, Any] = Field(description="照面信息 as the type's schema describes")
    holder_jwk: dict[str, Any] | None = Field(
        default=None,
        description="the holder's public key (JWK); omitted, the holder claims the certificate "
        "with their wallet's key (POST /api/v1/me/certificates/{identifier}/claim)",
    )
    valid_from: IsoDate | None = None
    valid_to: IsoDate | None = Field(default=None, description="omit with permanent for 长期")
    permanent: bool = False
    seal_alg: Alg | None = Field(
        default=None,
        description="seal in this algorithm (SM2: our JOSE profile, GET /api/v1/node); "
        "default the organ's EdDSA or ES256 seal, which any relying party can verify",
    )


class CertificateReplaceRequest(BaseModel):
    face_data: dict[str, Any] | None = None
    holder_jwk: dict[str, Any] | None = None


class CertificateClaimRequest(BaseModel):
    holder_jwk: dict[str, Any] = Field(
        description="the holder's PUBLIC key (JWK, P-256 by default); never the private key"
    )


class CertificateRevokeRequest(BaseModel):
    reason: certs.RevocationReason


class StatusListRef(BaseModel):
    """Where the certificate's status is published (draft-ietf-oauth-status-list §6.2)."""

    uri: str
    idx: int


class IssuedView(BaseModel):
    """A certificate just sealed, with its credential (``certs.IssuedCertificate``)."""

    model_config = ConfigDict(from_attributes=True)

    identifier: str
    type_code: str
    holder_id: str
    issuer: str = Field(validation_alias="issuer_uscc")
    version: int
    valid_from: dt.date
    valid_to: dt.date | None
    status_list_uri: str = Field(exclude=True)
    status_index: int = Field(exclude=True)
    credential: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status_list(self) -> StatusListRef:
        return StatusListRef(uri=self.status_list_uri, idx=self.status_index)


class CertificateView(BaseModel):
    identifier: str
    type_code: str
    type_name: str
    holder_id: str
    issuer: str
    version: int
    status: str
    status_zh: str
    revocation_reason: str | None
    issued_at: dt.datetime
    valid_from: dt.date
    valid_to: dt.date | None
    superseded_by: str | None
    holder_key_bound: bool = Field(
        description="false for a backfilled certificate the holder may still claim"
    )
    credential: str | None = None

    @classmethod
    def of(cls, row: certs.Certificate, *, with_credential: bool = False) -> CertificateView:
        current = certs.effective_status(row)
        return cls(
            identifier=row.identifier,
            type_code=row.type_code,
            type_name=row.type_name,
            holder_id=row.holder_id,
            issuer=row.issuer_uscc,
            version=row.version,
            status=current.value,
            status_zh=current.zh,
            revocation_reason=row.revocation_reason.value if row.revocation_reason else None,
            issued_at=row.issued_at,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            superseded_by=row.superseded_by,
            holder_key_bound=not certs.is_claimable(row.holder_jwk),
            credential=row.credential if with_credential else None,
        )


class FaceFieldView(View):
    name: str
    label: str
    label_en: str
    type: str
    data_class: str = Field(
        alias="class", description="class of the data vocabulary (certfree governance classes)"
    )
    required: bool
    grade: int = Field(description="sensitivity grade of the field")
    disclose_alone: bool
    values: list[str] | None = Field(default=None, exclude_if=lambda values: not values)
    min_length: int | None = omitted_if_none()
    max_length: int | None = omitted_if_none()
    minimum: int | None = omitted_if_none()
    maximum: int | None = omitted_if_none()


class PredicateView(View):
    """A derived yes/no claim (``age_at_least``: ``field`` is ``years`` before issue)."""

    name: str
    label: str
    label_en: str
    kind: str
    field: str
    years: int
    required: bool


class ValidityView(View):
    default_years: int | None = Field(description="null: 长期 (permanent)")
    min_years: int | None
    max_years: int | None
    permanent_allowed: bool


class DefiningAuthority(View):
    name: str
    name_en: str
    uscc: str


class IssuerKind(View):
    department: str
    level: str


class DerivationView(View):
    """A claim the holder derives on the device (``age_at_least`` N from ``minimum`` to
    ``maximum`` years, ``resident_of`` a GB/T 2260 division) and the verifier checks."""

    kind: str
    field: str
    minimum: int | None = None
    maximum: int | None = None


class CertTypeView(View):
    """A certificate type of the catalogue (GB/T 36902; ``certs.CertType.to_json``)."""

    code: str
    slug: str
    name: str
    name_en: str
    defining_authority: DefiningAuthority
    holder_category: str
    holder_code_type: str
    issuer: IssuerKind
    validity: ValidityView
    holder_field: str | None
    fields: list[FaceFieldView]
    predicates: list[PredicateView]
    disclose_with: list[str] = Field(
        description="a field with disclose_alone false is disclosed only beside one of these"
    )
    derived: list[DerivationView]


class CertTypeDetail(CertTypeView):
    example: dict[str, Any] = Field(description="example face data")


def acting_organ(session: Session, principal: Principal) -> str:
    """The USCC of the organ the token acts for (its ``org`` claim); Forbidden without one."""
    if not principal.organisation:
        raise Forbidden("令牌未注明所属发证机关（org 声明：部门节点编码或统一社会信用代码）")
    return certs.find_issuer(session, principal.organisation).uscc


@router.get("/cert-types", openapi_extra=PUBLIC)
def list_cert_types() -> list[CertTypeView]:
    """The certificate type catalogue (GB/T 36902): codes, names, holders, face-data schemas."""
    return [CertTypeView.model_validate(kind.to_json()) for kind in certs.cert_types().values()]


@router.get("/cert-types/{code}", openapi_extra=PUBLIC)
def get_cert_type(code: str) -> CertTypeDetail:
    """One certificate type with an example of its face data."""
    kind = certs.cert_type(code)
    return CertTypeDetail.model_validate(kind.to_json() | {"example": kind.example})


@router.post("/certificates", status_code=status.HTTP_201_CREATED)
def issue(
    body: CertificateIssueRequest, node: NodeDep, session: SessionDep, principal: _Issuer
) -> IssuedView:
    """Issue a certificate under the seal of the token's organ; returns the SD-JWT VC."""
    validity = None
    if body.valid_from or body.valid_to or body.permanent:
        start = body.valid_from or certs.today()
        validity = certs.Validity(start, None if body.permanent else body.valid_to)
    issued = certs.issue_certificate(
        session,
        node.keys,
        type_code=body.type_code,
        holder_id=body.holder_id,
        face_data=body.face_data,
        holder_jwk=body.holder_jwk,
        issuer_uscc=acting_organ(session, principal),
        validity=validity,
        base_url=node.settings.base_url,
        seal_alg=body.seal_alg,
    )
    return IssuedView.model_validate(issued)


@router.get("/certificates")
def list_certificates(
    session: SessionDep,
    principal: _Reader,
    holder: Annotated[str | None, Query(description="holder's ID number or USCC")] = None,
) -> list[CertificateView]:
    """Certificates in the base library: an applicant's own, a clerk's by holder, an organ's."""
    if principal.role is Role.APPLICANT:
        if holder is not None and holder.strip().upper() != principal.subject.upper():
            raise Forbidden("申请人只能查看本人的电子证照")
        rows = certs.list_certificates(session, holder_id=principal.subject)
        return [CertificateView.of(row, with_credential=True) for row in rows]
    if principal.role is Role.DEPARTMENT_ADMIN:
        organ = acting_organ(session, principal)
        rows = certs.list_certificates(session, holder_id=holder, issuer_uscc=organ)
        return [CertificateView.of(row) for row in rows]
    if holder is None:
        raise InvalidInput("窗口人员查询须给出持证主体代码 holder", field="holder")
    return [CertificateView.of(row) for row in certs.list_certificates(session, holder_id=holder)]


@router.get("/certificates/{identifier}")
def get_certificate(identifier: str, session: SessionDep, principal: _Reader) -> CertificateView:
    """One certificate of the base library: the holder's own, any for a clerk, an organ's own."""
    if principal.role is Role.DEPARTMENT_ADMIN:
        organ = acting_organ(session, principal)
        return CertificateView.of(certs.certificate_of_issuer(session, identifier, organ))
    row = certs.get_certificate(session, identifier)
    if principal.role is Role.APPLICANT:
        if row.holder_id != principal.subject.strip().upper():
            raise Forbidden("申请人只能查看本人的电子证照")
        return CertificateView.of(row, with_credential=True)
    return CertificateView.of(row)


@router.post("/certificates/{identifier}/revoke")
def revoke(
    identifier: str, body: CertificateRevokeRequest, session: SessionDep, principal: _Issuer
) -> CertificateView:
    """Revoke (注销) one of the organ's certificates; the next status list shows it as 1."""
    organ = acting_organ(session, principal)
    row = certs.revoke_certificate(session, identifier, body.reason, issuer_uscc=organ)
    return CertificateView.of(row)


@router.post("/certificates/{identifier}/suspend")
def suspend(identifier: str, session: SessionDep, principal: _Issuer) -> CertificateView:
    """Suspend (暂停) one of the organ's certificates; the status list shows it as 2."""
    organ = acting_organ(session, principal)
    return CertificateView.of(certs.suspend_certificate(session, identifier, issuer_uscc=organ))


@router.post("/certificates/{identifier}/resume")
def resume(identifier: str, session: SessionDep, principal: _Issuer) -> CertificateView:
    """Resume (恢复) a suspended certificate of the organ."""
    organ = acting_organ(session, principal)
    return CertificateView.of(certs.resume_certificate(session, identifier, issuer_uscc=organ))


@router.post("/certificates/{identifier}/replace", status_code=status.HTTP_201_CREATED)
def replace(
    identifier: str,
    body: CertificateReplaceRequest,
    node: NodeDep,
    session: SessionDep,
    principal: _Issuer,
) -> IssuedView:
    """Issue the next version (换发); the old version is revoked as ``superseded``."""
    issued = certs.replace_certificate(
        session,
        node.keys,
        identifier,
        face_data=body.face_data,
        holder_jwk=body.holder_jwk,
        issuer_uscc=acting_organ(session, principal),
        base_url=node.settings.base_url,
    )
    return IssuedView.model_validate(issued)


@router.post("/me/certificates/{identifier}/claim", status_code=status.HTTP_201_CREATED)
def claim(
    identifier: str,
    body: CertificateClaimRequest,
    node: NodeDep,
    session: SessionDep,
    principal: Annotated[Principal, Depends(allow(Role.APPLICANT))],
) -> IssuedView:
    """Bind the caller's public key to their backfilled certificate (认领); the new version.

    The certificate, sealed without ``cnf`` from a paper-era record, is sealed again with
    ``cnf.jwk`` = ``holder_jwk`` (same serial, version + 1; the old version revoked as
    superseded). 403 unless the token's subject is the holder, 409 ``holder-key-already-bound``
    when it already has a key, 409 when suspended or revoked, 422 for a private key.
    """
    issued = certs.claim_certificate(
        session,
        node.keys,
        identifier,
        body.holder_jwk,
        holder_id=principal.subject,
        base_url=node.settings.base_url,
    )
    return IssuedView.model_validate(issued)


@router.get(
    "/status-lists/{issuer}/{list_no}",
    openapi_extra=PUBLIC,
    response_class=Response,
    responses={
        200: {
            "description": "the Status List Token, a JWT signed by the issuer",
            "content": {STATUS_LIST_MEDIA_TYPE: {"schema": {"type": "string"}}},
        },
        304: {"description": "unchanged since the ETag given in If-None-Match"},
    },
)
def status_list(
    issuer: str,
    list_no: PathIndex,
    node: NodeDep,
    session: SessionDep,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """An issuer's Status List Token (draft-ietf-oauth-status-list §8), signed by the issuer.

    Cached for ``ttl`` seconds (Cache-Control max-age); a matching If-None-Match gets 304.
    """
    signed = certs.signed_status_list(session, node.keys, issuer, list_no)
    headers = {"Cache-Control": f"public, max-age={signed.ttl}", "ETag": signed.etag}
    if if_none_match is not None and signed.etag in {t.strip() for t in if_none_match.split(",")}:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(signed.token, media_type=STATUS_LIST_MEDIA_TYPE, headers=headers)
